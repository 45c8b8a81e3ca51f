/*
 * cmd_postconf: `maillab postconf [--host H] [postconf options]`, Postfix
 * 3.7's postconf(1) on a lab host: -c DIR, -d, -n, -h, -x, -f, -o
 * name=value, -M [service[/type]...], -e name=value..., -# name...,
 * -X name..., and names to print.
 *
 * Which configuration: `-c DIR` reads DIR/main.cf and DIR/master.cf, as
 * Postfix does (and, like Postfix, lists config_directory = DIR under -n).
 * Otherwise the host's: ROOT/hosts/H/etc/postfix, with ROOT = --root, else
 * $MAILLAB_ROOT, else $XDG_DATA_HOME/maillab or ~/.local/share/maillab, and
 * H = --host, else $MAILLAB_HOST, else the first host directory (by name).
 * Messages then name the file as the host sees it (/etc/postfix/main.cf).
 *
 * The machine, for the defaults of myhostname, mydomain and mynetworks:
 * on a lab host, the host's name and loopback (127.0.0.1/8, ::1/128) --
 * XXX the host's own lab addresses are the world module's to tell; with
 * -c, this computer (gethostname(), getifaddrs()), as the real postconf.
 * $MAILLAB_HOSTNAME and $MAILLAB_NETWORKS ("127.0.0.1/8 192.0.2.2/24
 * ::1/128") override both, which keeps tests independent of the machine.
 */
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/postconf.h"
#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

/* Postfix 3.7.11's usage text, program name aside. */
static const char usage_text[] =
	"usage: postconf [-a (server SASL types)] [-A (client SASL types)] "
	"[-b (bounce templates)] [-c config_dir] [-c param_class] "
	"[-d (parameter defaults)] [-e (edit configuration)] "
	"[-f (fold lines)] [-F (master.cf fields)] [-h (no names)] "
	"[-H (no values)] [-l (lock types)] [-m (map types)] "
	"[-M (master.cf)] [-n (non-default parameters)] "
	"[-o name=value (override parameter value)] [-p (main.cf, default)] "
	"[-P (master.cf parameters)] [-t (bounce templates)] "
	"[-T compile-version|run-version|public-key-algorithms] "
	"[-v (verbose)] [-x (expand parameter values)] [-X (exclude)] "
	"[-# (comment-out)] [name...]";

/* ---- where the configuration is ---------------------------------------- */

static char *lab_root(const struct cli *cli)
{
	const char *v;

	if (cli->root_opt != NULL)
		return xstrdup(cli->root_opt);
	if ((v = getenv("MAILLAB_ROOT")) != NULL && *v)
		return xstrdup(v);
	if ((v = getenv("XDG_DATA_HOME")) != NULL && *v)
		return xasprintf("%s/maillab", v);
	if ((v = getenv("HOME")) != NULL && *v)
		return xasprintf("%s/.local/share/maillab", v);
	return xstrdup(".maillab");
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The first host directory under ROOT/hosts, by name; NULL if none. */
static char *first_host(const char *root)
{
	char *dir = xasprintf("%s/hosts", root);
	DIR *d = opendir(dir);
	struct dirent *de;
	char *best = NULL;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (is_dir(path) && (best == NULL || strcmp(de->d_name, best) < 0)) {
			free(best);
			best = xstrdup(de->d_name);
		}
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return best;
}

/* ROOT/hosts/H/etc/postfix in *dir_out, H in *host_out; 0 or 1 (said). */
static int host_config_dir(const struct cli *cli, const char *host_opt,
			   char **dir_out, char **host_out)
{
	char *root = lab_root(cli), *host, *hostdir;
	const char *env = getenv("MAILLAB_HOST");

	if (host_opt != NULL)
		host = xstrdup(host_opt);
	else if (env != NULL && *env)
		host = xstrdup(env);
	else if ((host = first_host(root)) == NULL) {
		fprintf(stderr, _("maillab postconf: no lab host under %s/hosts "
				  "(run 'maillab init', or use -c DIR)\n"), root);
		free(root);
		return 1;
	}
	hostdir = xasprintf("%s/hosts/%s", root, host);
	if (!is_dir(hostdir)) {
		fprintf(stderr, _("maillab postconf: no such host: %s (no directory %s)\n"),
			host, hostdir);
		free(hostdir);
		free(host);
		free(root);
		return 1;
	}
	*dir_out = xasprintf("%s/etc/postfix", hostdir);
	*host_out = host;
	free(hostdir);
	free(root);
	return 0;
}

/* ---- the machine --------------------------------------------------------- */

/* This computer's interfaces as "addr/len", for -c (as the real postconf). */
static char **local_networks(void)
{
	struct ifaddrs *ifa = NULL, *i;
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;

	if (getifaddrs(&ifa) != 0)
		return v;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		char addr[INET6_ADDRSTRLEN];
		int bits = 0;
		const unsigned char *m;
		size_t k, len;
		int fam;

		if (i->ifa_addr == NULL || i->ifa_netmask == NULL)
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
				  addr, sizeof(addr));
			m = (const unsigned char *)&((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr;
			len = 4;
		} else if (fam == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
				  addr, sizeof(addr));
			m = (const unsigned char *)&((struct sockaddr_in6 *)(void *)i->ifa_netmask)->sin6_addr;
			len = 16;
		} else {
			continue;
		}
		for (k = 0; k < len; k++)
			bits += __builtin_popcount(m[k]);
		v = xrealloc(v, (n + 2) * sizeof(char *));
		v[n++] = xasprintf("%s/%d", addr, bits);
		v[n] = NULL;
	}
	freeifaddrs(ifa);
	return v;
}

static void set_machine(struct conf *c, const char *lab_host)
{
	static const char *const loopback[] = { "127.0.0.1/8", "::1/128", NULL };
	const char *env_host = getenv("MAILLAB_HOSTNAME");
	const char *env_nets = getenv("MAILLAB_NETWORKS");
	const char *host = lab_host;
	char name[256];
	char **nets;

	if (env_host != NULL && *env_host) {
		host = env_host;
	} else if (host == NULL) {
		if (gethostname(name, sizeof(name) - 1) != 0)
			strcpy(name, "localhost");
		name[sizeof(name) - 1] = 0;
		host = name;
	}
	if (env_nets != NULL && *env_nets)
		nets = conf_split_list(env_nets);
	else if (lab_host != NULL)
		nets = conf_split_list("");	/* loopback, below */
	else
		nets = local_networks();
	conf_set_machine(c, host, nets[0] != NULL
			 ? (const char *const *)nets : loopback);
	conf_list_free(&nets);
}

/* ---- reading ------------------------------------------------------------- */

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	if (out->data == NULL)
		buf_add(out, "", 0), buf_addc(out, 0), out->len = 0;
	return 0;
}

static void conf_warning(void *ctx, const char *text)
{
	(void)ctx;
	postconf_msg_warn("%s", text);
}

/* master.cf: services for the per-transport parameters, and -M. */
static int load_master(struct postconf *pc, int required)
{
	struct buf text;
	struct err e;
	size_t i;

	buf_init(&text);
	if (read_file(pc->master_path, &text) != 0) {
		int saved = errno;

		buf_reset(&text);
		if (required)
			return postconf_msg_fatal("open %s: %s", pc->master_shown,
						  strerror(saved));
		postconf_msg_warn("open %s: %s", pc->master_shown, strerror(saved));
		return 0;
	}
	pc->master.warn = conf_warning;
	if (mastercf_parse(&pc->master, pc->master_shown, text.data, text.len,
			   &e) != 0) {
		buf_reset(&text);
		return postconf_msg_fatal("%s", e.text);
	}
	buf_reset(&text);
	pc->master_ok = 1;
	for (i = 0; i < pc->master.nservices; i++)
		conf_add_service(pc->conf, pc->master.services[i].service,
				 pc->master.services[i].command);
	return 0;
}

static int load_main(struct postconf *pc)
{
	struct buf text;
	struct err e;
	int rc;

	buf_init(&text);
	if (read_file(pc->main_path, &text) != 0) {
		int saved = errno;

		buf_reset(&text);
		return postconf_msg_fatal("open %s: %s", pc->main_shown,
					  strerror(saved));
	}
	rc = conf_parse(pc->conf, pc->main_shown, text.data, text.len, &e);
	buf_reset(&text);
	if (rc != 0)
		return postconf_msg_fatal("%s", e.text);
	return 0;
}

/* ---- options --------------------------------------------------------------- */

struct opts {
	unsigned flags;
	const char *config_dir;
	int edit;		/* 'e', '#', 'X' or 0 */
	int edit_count;
	char **overrides;	/* -o name=value */
	size_t noverrides;
};

static int unsupported(char ch)
{
	fprintf(stderr, _("maillab postconf: option -%c is not available in this lab\n"), ch);
	return 1;
}

/* Postfix-style getopt: clustered flags, stops at the first non-option. */
static int parse_opts(int argc, char **argv, int *ip, struct opts *o)
{
	int i = *ip;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
		const char *p = argv[i] + 1;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (; *p; p++) {
			switch (*p) {
			case 'c':
			case 'o':
			case 'C':
			case 'T': {
				const char *arg = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
				char opt = *p;

				if (arg == NULL) {
					fprintf(stderr, "postconf: option requires an argument -- '%c'\n", opt);
					return postconf_msg_fatal("%s", usage_text);
				}
				if (opt == 'c') {
					o->config_dir = arg;
				} else if (opt == 'o') {
					o->overrides = xrealloc(o->overrides,
								(o->noverrides + 1) * sizeof(char *));
					o->overrides[o->noverrides++] = (char *)arg;
				} else {
					return unsupported(opt);
				}
				goto next_word;	/* the rest of the word was the argument */
			}
			case 'd': o->flags |= POSTCONF_DEFAULTS; break;
			case 'n': o->flags |= POSTCONF_NONDEF; break;
			case 'h': o->flags |= POSTCONF_NONAME; break;
			case 'x': o->flags |= POSTCONF_EXPAND; break;
			case 'M': o->flags |= POSTCONF_MASTER; break;
			case 'f': o->flags |= POSTCONF_FOLD; break;
			case 'p': case 'v': break;
			case 'e': case '#': case 'X':
				if (o->edit != 0 && o->edit != *p) {
					if (o->edit == 'e' || *p == 'e')
						return postconf_msg_fatal("specify one of -e -%c",
									  o->edit == 'e' ? *p : o->edit);
					return postconf_msg_fatal("specify one of -X -#");
				}
				o->edit = *p;
				break;
			case 'a': case 'A': case 'b': case 'F': case 'H':
			case 'l': case 'm': case 'P': case 't':
				return unsupported(*p);
			default:
				fprintf(stderr, "postconf: invalid option -- '%c'\n", *p);
				return postconf_msg_fatal("%s", usage_text);
			}
		}
next_word:
		;
	}
	*ip = i;
	return 0;
}

static void postconf_free(struct postconf *pc)
{
	conf_free(&pc->conf);
	mastercf_reset(&pc->master);
	free(pc->main_path);
	free(pc->main_shown);
	free(pc->master_path);
	free(pc->master_shown);
}

int cmd_postconf(struct cli *cli, int argc, char **argv)
{
	struct postconf pc;
	struct opts o;
	const char *host_opt = NULL;
	char *dir = NULL, *host = NULL;
	int i = 1, rc = 0;
	size_t k;

	memset(&pc, 0, sizeof(pc));
	memset(&o, 0, sizeof(o));
	mastercf_init(&pc.master);
	/* Not cli_usage_error(): it lives in main.c, which the unit tests
	 * do not link. */
	if (argc == 2 && strcmp(argv[1], "--host") == 0) {
		fprintf(stderr, "maillab postconf: %s\n", _("--host needs a host name"));
		return 2;
	}
	if (argc > 2 && strcmp(argv[1], "--host") == 0) {
		host_opt = argv[2];
		i = 3;
	} else if (argc > 1 && strncmp(argv[1], "--host=", 7) == 0) {
		host_opt = argv[1] + 7;
		i = 2;
	}
	if (parse_opts(argc, argv, &i, &o) != 0) {
		free(o.overrides);
		return 1;
	}
	/* Postfix: a first name with '=' means -e ("postconf name=value"). */
	if (i < argc && strchr(argv[i], '=') != NULL) {
		if (o.edit != 0 && o.edit != 'e') {
			free(o.overrides);
			return postconf_msg_fatal("specify one of -e -%c", o.edit);
		}
		o.edit = 'e';
	}
	if ((o.flags & POSTCONF_DEFAULTS) && (o.flags & POSTCONF_NONDEF))
		rc = postconf_msg_fatal("specify one of -d -n");
	else if ((o.flags & POSTCONF_MASTER) && (o.flags & POSTCONF_NONDEF))
		rc = postconf_msg_fatal("with option -M, do not specify -n");
	else if (o.edit == 'e' && i >= argc)
		rc = postconf_msg_fatal("-e requires name=value argument");
	else if (o.edit && i >= argc)
		rc = postconf_msg_fatal("missing service argument");
	if (rc != 0) {
		free(o.overrides);
		return rc;
	}

	if (o.config_dir != NULL) {
		pc.main_path = xasprintf("%s/main.cf", o.config_dir);
		pc.master_path = xasprintf("%s/master.cf", o.config_dir);
		pc.main_shown = xstrdup(pc.main_path);
		pc.master_shown = xstrdup(pc.master_path);
	} else {
		if (host_config_dir(cli, host_opt, &dir, &host) != 0) {
			free(o.overrides);
			return 1;
		}
		pc.main_path = xasprintf("%s/main.cf", dir);
		pc.master_path = xasprintf("%s/master.cf", dir);
		pc.main_shown = xstrdup("/etc/postfix/main.cf");
		pc.master_shown = xstrdup("/etc/postfix/master.cf");
	}
	pc.flags = o.flags;
	pc.conf = conf_new();
	conf_set_warn(pc.conf, conf_warning, NULL);
	set_machine(pc.conf, host);

	if (o.edit) {
		rc = (o.flags & POSTCONF_MASTER)
			     ? postconf_edit_master(&pc, o.edit, argc - i, argv + i)
			     : postconf_edit_main(&pc, o.edit, argc - i, argv + i);
		goto done;
	}
	/* Postfix reads main.cf first (not for -d or -M), then master.cf. */
	if (!(o.flags & (POSTCONF_DEFAULTS | POSTCONF_MASTER)) &&
	    (rc = load_main(&pc)) != 0)
		goto done;
	if ((rc = load_master(&pc, (o.flags & POSTCONF_MASTER) != 0)) != 0)
		goto done;
	if (o.flags & POSTCONF_MASTER) {
		rc = postconf_show_master(&pc, argc - i, argv + i);
		goto done;
	}
	if (o.config_dir != NULL)
		conf_set(pc.conf, "config_directory", o.config_dir);
	for (k = 0; k < o.noverrides; k++) {
		char *eq = strchr(o.overrides[k], '=');
		char *name;

		if (eq == NULL) {
			rc = postconf_msg_fatal("missing '=' after attribute name: \"%s\"",
						o.overrides[k]);
			goto done;
		}
		name = xstrndup(o.overrides[k], (size_t)(eq - o.overrides[k]));
		conf_set(pc.conf, name, eq + 1);
		free(name);
	}
	rc = postconf_show_params(&pc, argc - i, argv + i);
done:
	postconf_free(&pc);
	free(o.overrides);
	free(dir);
	free(host);
	return rc;
}
