/*
 * replay_file: one transcript against a real server session (SMTP, POP3
 * or IMAP, server_session.h) in a fresh lab root. The root is made from
 * the transcript's world; its "@ seed" transcripts run there first, each
 * followed by the world brought up to date (sim.h), so what a seed's SMTP
 * session queued is in the mailbox, as after the reference's
 * smtp/90-seed-alice; its "@ postconf" lines are appended to the host's
 * main.cf (later lines win, as postconf -e would leave it). The root is
 * removed afterwards, so no transcript sees another's settings or mail.
 */
#include "ui/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/sim.h"
#include "sim/world.h"
#include "ui/server_session.h"

/* Seeds of seeds: enough for pop3/05 -> imap/01 -> pop3/01 -> smtp/90. */
#define SEED_DEPTH_MAX 8

static void srv_feed(void *t, const void *buf, size_t len, mtime_t now)
{
	server_session_feed(t, buf, len, now);
}

static void srv_eof(void *t, mtime_t now)
{
	server_session_eof(t, now);
}

static enum server_session_act srv_run(void *t, mtime_t now,
				       long *delay_ms_out)
{
	return server_session_run(t, now, delay_ms_out);
}

static struct buf *srv_output(void *t)
{
	return server_session_output(t);
}

static void srv_tls_started(void *t, mtime_t now)
{
	server_session_tls_started(t, now);
}

static void srv_tls_failed(void *t, const char *result, const char *problem,
			   mtime_t now)
{
	server_session_tls_failed(t, result, problem, now);
}

static const struct replay_target_ops srv_ops = {
	srv_feed, srv_eof, srv_run, srv_output, srv_tls_started,
	srv_tls_failed,
};

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

/* A seed's path: as written when absolute, else beside its transcript. */
static char *seed_path(const char *file, const char *seed)
{
	const char *slash = strrchr(file, '/');

	if (seed[0] == '/' || slash == NULL)
		return xstrdup(seed);
	return xasprintf("%.*s/%s", (int)(slash - file), file, seed);
}

/* One lab root, shared by a transcript and its seeds. */
struct lab {
	const char *root;
	const char *world;	/* the top transcript's world name */
	struct world *w;	/* opened with the first session */
	const struct replay_opts *o;
	FILE *out;
};

/*
 * Runs the transcript at path (its seeds first) in the lab; the world is
 * brought up to date after it. 0 matched, 1 differed, -1 with e.
 */
static int run_one(struct lab *lab, const char *path, int depth,
		   FILE *actual_out, struct err *e)
{
	struct transcript t;
	struct server_session_opts so;
	struct server_session *s = NULL;
	enum explain_proto proto;
	struct host *h;
	size_t i;
	int rc = -1, differs = 0;

	transcript_init(&t);
	if (transcript_load(&t, path, e) < 0)
		return -1;
	if (explain_proto_from_name(t.proto ? t.proto : "smtp", &proto) < 0) {
		err_set(e, 0, _("%s: '@ proto %s': the protocol is smtp, pop3 or imap"),
			path, t.proto);
		goto out;
	}
	if (strcmp(t.world ? t.world : "default", lab->world) != 0) {
		err_set(e, 0, _("%s: a seed must run in the same world as its transcript (%s, not %s)"),
			path, lab->world, t.world ? t.world : "default");
		goto out;
	}
	for (i = 0; i < t.nseeds; i++) {
		char *sp = seed_path(path, t.seeds[i]);
		int r;

		if (depth >= SEED_DEPTH_MAX) {
			err_set(e, 0, _("%s: seeds nested deeper than %d (a seed that seeds itself?)"),
				sp, SEED_DEPTH_MAX);
			free(sp);
			goto out;
		}
		r = run_one(lab, sp, depth + 1, NULL, e);
		free(sp);
		if (r < 0)
			goto out;
		differs |= r;
	}
	if (lab->w == NULL) {
		lab->w = world_open(lab->root, e);
		if (lab->w == NULL)
			goto out;
	}
	h = world_host(lab->w, t.host, e);
	if (h == NULL)
		goto out;
	if (apply_settings(h, &t, e) < 0)
		goto out;
	memset(&so, 0, sizeof(so));
	so.proto = proto;
	so.client_addr = t.client_addr ? t.client_addr : "127.0.0.1";
	so.client_name = t.client_name;
	so.tls_possible = 1;	/* the handshake is simulated */
	s = server_session_new(h, &so, clock_real_now(), e);
	if (s == NULL)
		goto out;
	if (replay_run(&t, &srv_ops, s, clock_real_now(), lab->out,
		       actual_out) > 0)
		differs = 1;
	server_session_free(&s);
	/* What the session queued is delivered before the next one reads. */
	if (sim_up_to_date(lab->w, e) < 0)
		goto out;
	rc = differs;
out:
	transcript_reset(&t);
	return rc;
}

int replay_file(const char *path, const struct replay_opts *o, FILE *out,
		struct err *e)
{
	struct transcript t;
	struct lab lab;
	const char *parent = o->root_parent;
	char *root = NULL, *world;
	int rc = -1;

	/* The world comes from the file itself: read it once for that. */
	transcript_init(&t);
	if (transcript_load(&t, path, e) < 0)
		return -1;
	world = xstrdup(t.world ? t.world : "default");
	transcript_reset(&t);
	memset(&lab, 0, sizeof(lab));
	if (parent == NULL)
		parent = getenv("TMPDIR");
	if (parent == NULL || *parent == '\0')
		parent = "/tmp";
	if (fs_mkdirs(parent, 0700) < 0) {
		int en = errno;

		err_set(e, en, _("%s: cannot create: %s"), parent, strerror(en));
		goto out;
	}
	root = xasprintf("%s/replay-XXXXXX", parent);
	if (mkdtemp(root) == NULL) {
		err_set(e, errno, _("%s: cannot create: %s"), root, strerror(errno));
		free(root);
		root = NULL;
		goto out;
	}
	if (world_init(root, world, e) < 0)
		goto out;
	lab.root = root;
	lab.world = world;
	lab.o = o;
	lab.out = out;
	rc = run_one(&lab, path, 0, o->actual_out, e);
out:
	if (lab.w != NULL)
		world_free(&lab.w);
	if (root != NULL) {
		if (o->keep)
			fprintf(out, _("%s: lab root kept in %s\n"), path, root);
		else
			fs_remove_tree(root);
	}
	free(root);
	free(world);
	return rc;
}
