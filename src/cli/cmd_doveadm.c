/*
 * maillab doveadm [--host H] pw|user|mailbox list ...: Dovecot's admin
 * tool on a lab host (reference/commands/14-spool-files.txt):
 *
 *	doveadm pw [-l] [-p PASS] [-s SCHEME] [-t HASH] [-u USER] [-V]
 *	doveadm user NAME...
 *	doveadm mailbox list -u USER
 *
 * Output imitates doveadm's and is not translated; usage errors are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mda/dovecot_conf.h"
#include "mda/labhost.h"
#include "store/passdb.h"
#include "store/store.h"

/* doveadm's exit code for an unknown user (EX_NOUSER). */
#define EXIT_NOUSER 67

/* cli_usage_error() lives in main.c, which the unit tests do not link. */
static int usage(const char *msg)
{
	fprintf(stderr, "maillab doveadm: %s\n", msg);
	return 2;
}

struct doveadm {
	struct cli *cli;
	const char *host;	/* --host, or NULL */
};

static char *read_password(const char *prompt)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t cap = 0;
	int tty = isatty(0);

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		line = NULL;
	} else {
		line[strcspn(line, "\r\n")] = '\0';
	}
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputs("\n", stderr);
	}
	return line;
}

static int cmd_pw(struct doveadm *d, int argc, char **argv)
{
	const char *scheme = "CRYPT", *pass = NULL, *test = NULL;
	char *asked = NULL, *hash;
	struct err e;
	int c, list = 0, verbose = 0, rc = 0;

	(void)d;
	optind = 1;
	while ((c = getopt(argc, argv, "lp:r:s:t:u:V")) != -1) {
		switch (c) {
		case 'l': list = 1; break;
		case 'p': pass = optarg; break;
		case 'r': break;	/* rounds: crypt's defaults are kept */
		case 's': scheme = optarg; break;
		case 't': test = optarg; break;
		case 'u': break;	/* only for DIGEST-MD5 and friends */
		case 'V': verbose = 1; break;
		default:
			return usage(_("usage: doveadm pw [-l] [-p PASS] [-s SCHEME] [-t HASH] [-u USER] [-V]"));
		}
	}
	if (list) {
		size_t i;

		for (i = 0; passdb_schemes[i] != NULL; i++)
			printf("%s ", passdb_schemes[i]);
		printf("\n");
		return 0;
	}
	if (pass == NULL) {
		char *again;

		asked = read_password("Enter new password: ");
		if (asked == NULL || asked[0] == '\0') {
			fprintf(stderr, "Fatal: Empty passwords are not allowed\n");
			free(asked);
			return 1;
		}
		if (isatty(0)) {
			again = read_password("Retype new password: ");
			if (again == NULL || strcmp(again, asked) != 0) {
				fprintf(stderr, "Fatal: Passwords don't match!\n");
				free(again);
				free(asked);
				return 1;
			}
			free(again);
		}
		pass = asked;
	}
	if (test != NULL) {
		/* -t: check a hash against the password. */
		if (passdb_verify_hash(test, pass) == PASSDB_OK) {
			printf("%s (verified)\n", test);
		} else {
			fprintf(stderr, "Fatal: reverse password verification check failed: Password mismatch\n");
			rc = 1;
		}
		free(asked);
		return rc;
	}
	hash = passdb_hash(scheme, pass, &e);
	if (hash == NULL) {
		fprintf(stderr, "Fatal: %s\n", e.text);
		free(asked);
		return 1;
	}
	if (verbose && passdb_verify_hash(hash, pass) == PASSDB_OK)
		printf("%s (verified)\n", hash);
	else
		printf("%s\n", hash);
	free(hash);
	free(asked);
	return 0;
}

/* mail_location with %u/%n/%d expanded and ~ kept, as doveadm user
 * prints it ("mbox:~/mail:INBOX=/var/mail/alice"). */
static char *expand_user(const char *loc, const char *user)
{
	const char *at = strchr(user, '@');
	struct buf b;
	const char *p;

	buf_init(&b);
	for (p = loc; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf_addc(&b, *p);
			continue;
		}
		p++;
		if (*p == 'u')
			buf_adds(&b, user);
		else if (*p == 'n')
			buf_add(&b, user, at != NULL ? (size_t)(at - user) :
				strlen(user));
		else if (*p == 'd')
			buf_adds(&b, at != NULL ? at + 1 : "");
		else {
			buf_addc(&b, '%');
			buf_addc(&b, *p);
		}
	}
	return buf_steal(&b, NULL);
}

/* The host's directory, Dovecot settings and passwd-file. */
static int load(struct doveadm *d, char **dir_out, char **name_out,
		struct dovecot_conf *dc, struct passdb **pdb_out)
{
	struct err e;
	char *path;

	*dir_out = labhost_dir(d->cli->root_opt, d->host, name_out, &e);
	if (*dir_out == NULL) {
		fprintf(stderr, "maillab doveadm: %s\n", e.text);
		return -1;
	}
	if (dovecot_conf_load(dc, *dir_out, &e) < 0) {
		fprintf(stderr, "doveadm: Fatal: Error in configuration file %s\n",
			e.text);
		dovecot_conf_free(dc);
		free(*dir_out);
		free(*name_out);
		return -1;
	}
	path = xasprintf("%s%s", *dir_out, dc->passwd_file);
	*pdb_out = passdb_open(path, &e);
	free(path);
	if (*pdb_out == NULL) {
		fprintf(stderr, "doveadm: Error: %s\n", e.text);
		dovecot_conf_free(dc);
		free(*dir_out);
		free(*name_out);
		return -1;
	}
	return 0;
}

static void unload(char *dir, char *name, struct dovecot_conf *dc,
		   struct passdb *pdb)
{
	passdb_free(&pdb);
	dovecot_conf_free(dc);
	free(dir);
	free(name);
}

static int cmd_user(struct doveadm *d, int argc, char **argv)
{
	struct dovecot_conf dc;
	struct passdb *pdb;
	char *dir, *name;
	int i, rc = 0;

	if (argc < 2)
		return usage(_("usage: doveadm user USER..."));
	if (load(d, &dir, &name, &dc, &pdb) < 0)
		return 1;
	for (i = 1; i < argc; i++) {
		const struct passdb_entry *en = passdb_lookup(pdb, argv[i]);
		char *mail;

		if (en == NULL) {
			fprintf(stderr, "userdb lookup: user %s doesn't exist\n",
				argv[i]);
			rc = EXIT_NOUSER;
			continue;
		}
		mail = expand_user(dc.mail_location, en->user);
		printf("field\tvalue\n");
		if (en->uid >= 0)
			printf("uid\t%ld\n", en->uid);
		if (en->gid >= 0)
			printf("gid\t%ld\n", en->gid);
		printf("home\t%s\n", en->home[0] != '\0' ? en->home :
		       "/nonexistent");
		printf("mail\t%s\n", mail);
		printf("system_groups_user\t%s\n", en->user);
		free(mail);
	}
	unload(dir, name, &dc, pdb);
	return rc;
}

static int cmd_mailbox(struct doveadm *d, int argc, char **argv)
{
	const char *user = NULL;
	struct dovecot_conf dc;
	struct passdb *pdb;
	const struct passdb_entry *en;
	struct store_user *u;
	struct store_folders f;
	struct err e;
	char *dir, *name, *home;
	size_t i;
	int c, rc = 0;

	if (argc < 2 || strcmp(argv[1], "list") != 0)
		return usage(_("usage: doveadm mailbox list -u USER"));
	optind = 1;
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "u:s")) != -1) {
		if (c == 'u')
			user = optarg;
		else if (c != 's')
			return usage(_("usage: doveadm mailbox list -u USER"));
	}
	if (user == NULL)
		return usage(_("usage: doveadm mailbox list -u USER"));
	if (load(d, &dir, &name, &dc, &pdb) < 0)
		return 1;
	en = passdb_lookup(pdb, user);
	if (en == NULL) {
		fprintf(stderr, "Error: User doesn't exist\n");
		unload(dir, name, &dc, pdb);
		return EXIT_NOUSER;
	}
	home = en->home[0] != '\0' ? xstrdup(en->home) :
		xasprintf("/home/%s", en->user);
	u = store_user_open(dc.mail_location, en->user, home, dir, &e);
	free(home);
	if (u == NULL || store_list(u, &f, &e) < 0) {
		fprintf(stderr, "Error: %s\n", e.text);
		rc = 1;
	} else {
		for (i = 0; i < f.n; i++)
			if (!(f.v[i].attrs & STORE_FOLDER_NOSELECT))
				printf("%s\n", f.v[i].name);
		store_folders_free(&f);
	}
	store_user_free(&u);
	unload(dir, name, &dc, pdb);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(struct doveadm *d, int argc, char **argv);
} subcommands[] = {
	{ "pw", cmd_pw },
	{ "user", cmd_user },
	{ "mailbox", cmd_mailbox },
};

int cmd_doveadm(struct cli *cli, int argc, char **argv)
{
	struct doveadm d = { cli, NULL };
	int i = 1;
	size_t k;

	if (i + 1 < argc && strcmp(argv[i], "--host") == 0) {
		d.host = argv[i + 1];
		i += 2;
	} else if (i < argc && strncmp(argv[i], "--host=", 7) == 0) {
		d.host = argv[i] + 7;
		i++;
	}
	if (i >= argc)
		return usage(_("usage: doveadm [--host H] pw|user|mailbox list ..."));
	for (k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++)
		if (strcmp(argv[i], subcommands[k].name) == 0)
			return subcommands[k].fn(&d, argc - i, argv + i);
	fprintf(stderr, "doveadm: Unknown command '%s'\n", argv[i]);
	return 2;
}
