/*
 * replay_file: one transcript against a real smtp_server session in a
 * fresh lab root. The root is made from the transcript's world, its
 * "@ postconf" lines are appended to the host's main.cf (later lines win,
 * as postconf -e would leave it) and it is removed afterwards, so no
 * transcript sees another's settings or queue files.
 */
#include "ui/replay.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/world.h"

static void srv_feed(void *t, const void *buf, size_t len, mtime_t now)
{
	smtp_server_feed(t, buf, len, now);
}

static void srv_eof(void *t, mtime_t now)
{
	smtp_server_eof(t, now);
}

static enum smtp_server_act srv_run(void *t, mtime_t now, long *delay_ms_out)
{
	return smtp_server_run(t, now, delay_ms_out);
}

static struct buf *srv_output(void *t)
{
	return smtp_server_output(t);
}

static void srv_tls_started(void *t, mtime_t now)
{
	smtp_server_tls_started(t, now);
}

static const struct replay_target_ops srv_ops = {
	srv_feed, srv_eof, srv_run, srv_output, srv_tls_started,
};

/* mkdir -p */
static int make_dirs(const char *path, struct err *e)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				int en = errno;

				err_set(e, en, _("%s: cannot create: %s"), p, strerror(en));
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int apply_settings(struct host *h, const struct transcript *t,
			  struct err *e)
{
	char *path;
	FILE *f;
	size_t i;

	if (t->nsettings == 0)
		return 0;
	path = host_path(h, "etc/postfix/main.cf");
	f = fopen(path, "a");
	if (f == NULL) {
		int en = errno;

		err_set(e, en, _("%s: cannot open: %s"), path, strerror(en));
		free(path);
		return -1;
	}
	fprintf(f, "\n# maillab replay: the settings of %s\n", t->file);
	for (i = 0; i < t->nsettings; i++)
		fprintf(f, "%s = %s\n", t->settings[i].name, t->settings[i].value);
	if (fclose(f) != 0) {
		int en = errno;

		err_set(e, en, _("%s: cannot write: %s"), path, strerror(en));
		free(path);
		return -1;
	}
	free(path);
	return host_reload(h, e);
}

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

int replay_file(const char *path, const struct replay_opts *o, FILE *out,
		struct err *e)
{
	struct transcript t;
	struct world *w = NULL;
	struct host *h;
	struct smtp_server *s = NULL;
	struct smtp_server_opts so;
	const char *parent = o->root_parent;
	char *root = NULL;
	int rc = -1;

	transcript_init(&t);
	if (transcript_load(&t, path, e) < 0)
		return -1;
	if (t.proto != NULL && strcmp(t.proto, "smtp") != 0) {
		err_set(e, 0, _("%s: '@ proto %s': only smtp transcripts can be replayed yet"),
			path, t.proto);
		goto out;
	}
	if (parent == NULL)
		parent = getenv("TMPDIR");
	if (parent == NULL || *parent == '\0')
		parent = "/tmp";
	if (make_dirs(parent, e) < 0)
		goto out;
	root = xasprintf("%s/replay-XXXXXX", parent);
	if (mkdtemp(root) == NULL) {
		err_set(e, errno, _("%s: cannot create: %s"), root, strerror(errno));
		free(root);
		root = NULL;
		goto out;
	}
	if (world_init(root, t.world ? t.world : "default", e) < 0)
		goto out;
	w = world_open(root, e);
	if (w == NULL)
		goto out;
	h = world_host(w, t.host, e);
	if (h == NULL)
		goto out;
	if (apply_settings(h, &t, e) < 0)
		goto out;
	memset(&so, 0, sizeof(so));
	so.client_addr = t.client_addr ? t.client_addr : "127.0.0.1";
	so.client_name = t.client_name ? t.client_name :
			 is_loopback(so.client_addr) ? "localhost" : "unknown";
	so.service = "smtp";
	so.tls_possible = 1;	/* the handshake is simulated */
	s = smtp_server_new(h, &so, clock_real_now());
	rc = replay_run(&t, &srv_ops, s, clock_real_now(), out, o->actual_out) ? 1 : 0;
out:
	if (s != NULL)
		smtp_server_free(&s);
	if (w != NULL)
		world_free(&w);
	if (root != NULL) {
		if (o->keep)
			fprintf(out, _("%s: lab root kept in %s\n"), path, root);
		else
			remove_tree(root);
	}
	free(root);
	transcript_reset(&t);
	return rc;
}
