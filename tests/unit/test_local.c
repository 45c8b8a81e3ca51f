/*
 * CUnit suite for local(8) (src/mta/local.c, local_mailbox.c): mbox and
 * Maildir delivery byte-compared with reference/mailboxes (copied to
 * tests/data/pipeline), aliases (two users, a loop), unknown users, a
 * path in the address, Delivered-To loops, mailbox_size_limit and a full
 * disk. Runs in a temporary lab root made from the centos world.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/local.h"
#include "mta/trivial_rewrite.h"
#include "sim/world.h"

void test_local_register(void);

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_adds(&b, "");
	return buf_steal(&b, len);
}

/* The idx-th message (0-based) of an mbox, From_ line and final empty line included. */
static char *mbox_message(const char *mbox, int idx)
{
	const char *p = mbox, *next;
	int i;

	for (i = 0; i < idx && p != NULL; i++) {
		p = strstr(p + 1, "\n\nFrom ");
		if (p != NULL)
			p += 2;
	}
	if (p == NULL)
		return NULL;
	next = strstr(p, "\n\nFrom ");
	return next != NULL ? xstrndup(p, (size_t)(next - p) + 2) : xstrdup(p);
}

struct fixture {
	char *parent, *root;
	struct world *w;
	struct host *h;
	struct trivial_rewrite_conf tr;
	int fault;
};

static char *write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void setup(struct fixture *fx, const char *aliases)
{
	char tmpl[] = "/tmp/maillab-local.XXXXXX";
	struct err e;
	char *hostdir;

	memset(fx, 0, sizeof(*fx));
	fx->parent = xstrdup(mkdtemp(tmpl));
	fx->root = xasprintf("%s/root", fx->parent);
	CU_ASSERT_EQUAL_FATAL(world_init(fx->root, "centos", &e), 0);
	hostdir = xasprintf("%s/hosts/centos.localdomain", fx->root);
	if (aliases != NULL)
		free(write_file(hostdir, "etc/aliases", aliases));
	free(hostdir);
	fx->w = world_open(fx->root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx->w);
	fx->h = world_host(fx->w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx->h);
	trivial_rewrite_conf_init(&fx->tr);
	fx->tr.myhostname = xstrdup("centos.localdomain");
	fx->tr.mydomain = xstrdup("localdomain");
	fx->tr.myorigin = xstrdup("centos.localdomain");
	fx->tr.mydestination = xcalloc(4, sizeof(char *));
	fx->tr.mydestination[0] = xstrdup("centos.localdomain");
	fx->tr.mydestination[1] = xstrdup("localhost.localdomain");
	fx->tr.mydestination[2] = xstrdup("localhost");
}

static void teardown(struct fixture *fx)
{
	char *cmd = xasprintf("rm -rf '%s'", fx->parent);

	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	world_free(&fx->w);
	trivial_rewrite_conf_reset(&fx->tr);
	free(fx->root);
	free(fx->parent);
}

static int fault_cb(void *ctx, const char *user)
{
	(void)user;
	return ((struct fixture *)ctx)->fault;
}

static size_t deliver(struct fixture *fx, mtime_t now, const char *sender,
		      const char *content, const char *rcpt, const char *orig,
		      struct local_outcome **out)
{
	struct local_ctx c = { fx->h, &fx->tr, now, fault_cb, NULL, fx };
	struct local_msg m = { "1F3A6104556", sender, content, strlen(content) };
	struct local_rcpt r = { rcpt, orig };

	return local_deliver(&c, &m, &r, out);
}

/* reference/transcripts/smtp/01-study-note: the message as cleanup queued it. */
static const char study_note[] =
	"Received: from localhost (localhost [127.0.0.1])\n"
	"\tby centos.localdomain (Postfix) with SMTP id 1F3A6104556\n"
	"\tfor <wees>; Sat, 28 Nov 2026 21:59:50 +0000 (UTC)\n"
	"Message-Id: <20261128215951.1F3A6104556@centos.localdomain>\n"
	"Date: Sat, 28 Nov 2026 21:59:50 +0000 (UTC)\n"
	"From: root@centos.localdomain\n"
	"\n"
	"Ola Amigo\n";

static void test_mbox_study_note(void)
{
	struct fixture fx;
	struct local_outcome *o = NULL;
	size_t n;
	char *got, *ref, *want, *path;
	struct stat sb;

	setup(&fx, NULL);
	/* Sat Nov 28 21:59:52 2026 UTC, the From_ line of wees.mbox */
	n = deliver(&fx, 1795903192000LL, "root@centos.localdomain", study_note,
		    "wees@centos.localdomain", "wees", &o);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(o[0].status, LOCAL_SENT);
	CU_ASSERT_STRING_EQUAL(o[0].dsn, "2.0.0");
	CU_ASSERT_STRING_EQUAL(o[0].text, "delivered to mailbox");
	CU_ASSERT_STRING_EQUAL(o[0].to, "wees@centos.localdomain");
	CU_ASSERT_STRING_EQUAL(o[0].orig_to, "wees");
	path = xasprintf("%s/hosts/centos.localdomain/var/mail/wees", fx.root);
	got = slurp(path, NULL);
	ref = slurp("tests/data/pipeline/wees.mbox", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	want = mbox_message(ref, 0);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
	/* no lock file left behind */
	free(path);
	path = xasprintf("%s/hosts/centos.localdomain/var/mail/wees.lock", fx.root);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	free(path);
	free(got);
	free(ref);
	free(want);
	local_outcomes_free(&o, n);
	teardown(&fx);
}

/* reference/commands/07-aliases: "team: wees, alice", sent with sendmail. */
static const char to_alias[] =
	"Received: by centos.localdomain (Postfix, from userid 0)\n"
	"\tid C5254104556; Sat, 28 Nov 2026 22:05:19 +0000 (UTC)\n"
	"Subject: to an alias\n"
	"Message-Id: <20261128220519.C5254104556@centos.localdomain>\n"
	"Date: Sat, 28 Nov 2026 22:05:19 +0000 (UTC)\n"
	"From: root <root@centos.localdomain>\n"
	"\n"
	"hello team\n";

static void test_alias_two_users(void)
{
	struct fixture fx;
	struct local_outcome *o = NULL;
	size_t n;
	char *got, *ref, *want, *path;

	setup(&fx, "# See man 5 aliases for format\npostmaster:    root\n"
		   "study:    wees\nteam:     wees, alice\n");
	n = deliver(&fx, 1795903519000LL, "root@centos.localdomain", to_alias,
		    "team@centos.localdomain", "team", &o);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(o[0].to, "wees@centos.localdomain");
	CU_ASSERT_STRING_EQUAL(o[0].orig_to, "team");
	CU_ASSERT_STRING_EQUAL(o[1].to, "alice@centos.localdomain");
	CU_ASSERT_STRING_EQUAL(o[1].text, "delivered to mailbox");
	path = xasprintf("%s/hosts/centos.localdomain/var/mail/alice", fx.root);
	got = slurp(path, NULL);
	ref = slurp("tests/data/pipeline/alice.mbox", NULL);
	want = mbox_message(ref, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(path);
	free(got);
	free(ref);
	free(want);
	local_outcomes_free(&o, n);
	teardown(&fx);
}

static const struct {
	const char *aliases;
	const char *rcpt, *orig;
	const char *want;	/* "status dsn to|text" of the first outcome */
	const char *must_not_exist;	/* a file outside var/mail, relative to the host */
} bad_cases[] = {
	{ NULL, "nosuchuser@centos.localdomain", "nosuchuser",
	  "2 5.1.1 nosuchuser@centos.localdomain|unknown user: \"nosuchuser\"", NULL },
	{ NULL, "../../etc/passwd@centos.localdomain", NULL,
	  "2 5.1.1 ../../etc/passwd@centos.localdomain|unknown user: \"../../etc/passwd\"",
	  "etc/passwd.lock" },
	{ "a: b\nb: a\n", "a@centos.localdomain", "a",
	  "2 5.4.6 a@centos.localdomain|alias database loop for b", NULL },
	{ "root: root, wees\n", "root@centos.localdomain", "root",
	  "0 2.0.0 root@centos.localdomain|delivered to mailbox", NULL },
	{ "list: wees, |/usr/bin/procmail\n", "list@centos.localdomain", "list",
	  "0 2.0.0 wees@centos.localdomain|delivered to mailbox", NULL },
};

static void test_bad_recipients(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad_cases); i++) {
		struct fixture fx;
		struct local_outcome *o = NULL;
		size_t n;
		char got[512];

		setup(&fx, bad_cases[i].aliases);
		n = deliver(&fx, 1795903519000LL, "root@centos.localdomain", to_alias,
			    bad_cases[i].rcpt, bad_cases[i].orig, &o);
		CU_ASSERT_FATAL(n >= 1);
		snprintf(got, sizeof(got), "%d %s %s|%s", (int)o[0].status, o[0].dsn,
			 o[0].to, o[0].text);
		if (strcmp(got, bad_cases[i].want) != 0) {
			fprintf(stderr, "\ncase %zu: got \"%s\", want \"%s\"\n", i, got,
				bad_cases[i].want);
			CU_FAIL("outcome");
		}
		if (bad_cases[i].must_not_exist != NULL) {
			char *p = xasprintf("%s/hosts/centos.localdomain/%s", fx.root,
					    bad_cases[i].must_not_exist);

			CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
			free(p);
		}
		local_outcomes_free(&o, n);
		teardown(&fx);
	}
}

static void test_forwarding_loop_and_faults(void)
{
	struct fixture fx;
	struct local_outcome *o = NULL;
	size_t n;
	char *looped = xasprintf("Delivered-To: wees@centos.localdomain\n%s", study_note);

	setup(&fx, NULL);
	n = deliver(&fx, 1795903192000LL, "root@centos.localdomain", looped,
		    "wees@centos.localdomain", "wees", &o);
	CU_ASSERT_EQUAL(o[0].status, LOCAL_BOUNCED);
	CU_ASSERT_STRING_EQUAL(o[0].dsn, "5.4.6");
	CU_ASSERT_STRING_EQUAL(o[0].text, "mail forwarding loop for wees@centos.localdomain");
	local_outcomes_free(&o, n);

	fx.fault = EFBIG;
	n = deliver(&fx, 1795903192000LL, "root@centos.localdomain", study_note,
		    "bob@centos.localdomain", "bob", &o);
	CU_ASSERT_EQUAL(o[0].status, LOCAL_BOUNCED);
	CU_ASSERT_STRING_EQUAL(o[0].dsn, "5.2.2");
	CU_ASSERT_STRING_EQUAL(o[0].text, "cannot update mailbox /var/mail/bob for user bob. "
			       "error writing message: File too large");
	local_outcomes_free(&o, n);

	fx.fault = ENOSPC;
	n = deliver(&fx, 1795903192000LL, "root@centos.localdomain", study_note,
		    "bob@centos.localdomain", "bob", &o);
	CU_ASSERT_EQUAL(o[0].status, LOCAL_DEFERRED);
	CU_ASSERT_STRING_EQUAL(o[0].dsn, "4.3.0");
	CU_ASSERT_STRING_EQUAL(o[0].text, "cannot update mailbox /var/mail/bob for user bob. "
			       "error writing message: No space left on device");
	local_outcomes_free(&o, n);
	free(looped);
	teardown(&fx);
}

static void test_size_limit_and_maildir(void)
{
	char tmpl[] = "/tmp/maillab-mbox.XXXXXX";
	char *dir = mkdtemp(tmpl), *path, *file = NULL, *got, *want;
	int errnum;
	struct err e;
	static const char pre[] = "Return-Path: <root@centos.localdomain>\n"
				  "X-Original-To: bob\nDelivered-To: bob@centos.localdomain\n";
	static const char msg[] =
		"Received: by centos.localdomain (Postfix, from userid 0)\n"
		"\tid 8E440104567; Sat, 28 Nov 2026 22:06:05 +0000 (UTC)\n"
		"Subject: maildir test\n"
		"Message-Id: <20261128220605.8E440104567@centos.localdomain>\n"
		"Date: Sat, 28 Nov 2026 22:06:05 +0000 (UTC)\n"
		"From: root <root@centos.localdomain>\n"
		"\n"
		"to a Maildir\n";
	char *cmd;

	path = xasprintf("%s/bob", dir);
	CU_ASSERT_EQUAL(local_mailbox_mbox(path, "From x  Sat Nov 28 22:06:05 2026", pre,
					   msg, strlen(msg), 100, 0, &errnum, &e), -1);
	CU_ASSERT_EQUAL(errnum, EFBIG);
	CU_ASSERT_STRING_EQUAL(e.text, "error writing message: File too large");
	CU_ASSERT_EQUAL(local_mailbox_mbox(path, "From x  Sat Nov 28 22:06:05 2026", pre,
					   "From me\nx\n", 10, 0, 0, &errnum, &e), 0);
	got = slurp(path, NULL);
	CU_ASSERT_STRING_EQUAL(got, "From x  Sat Nov 28 22:06:05 2026\n"
			       "Return-Path: <root@centos.localdomain>\n"
			       "X-Original-To: bob\nDelivered-To: bob@centos.localdomain\n"
			       ">From me\nx\n\n");
	free(got);
	free(path);

	path = xasprintf("%s/Maildir/", dir);
	CU_ASSERT_EQUAL(local_mailbox_maildir(path, "vm", 1795903565615LL, 1, pre, msg,
					      strlen(msg), 0, &file, &errnum, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_PTR_NOT_NULL(strstr(file, "/Maildir/new/1795903565.V"));
	got = slurp(file, NULL);
	want = slurp("tests/data/pipeline/bob-Maildir-new-1795903565.Vfe00I11019aM615560.vm",
		     NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
	free(file);
	free(path);
	cmd = xasprintf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
}

/* Targets of aliases, :include: files and .forward (local(8)'s token.c):
 * files, commands (run for real, as Postfix would), restrictions. */
static const struct {
	const char *aliases;
	const char *file1, *text1;	/* written under the host before */
	const char *rcpt;
	const char *want;		/* "status dsn text" of each outcome, "; " between */
	const char *check, *contains;	/* a host file afterwards, and what it holds */
} target_cases[] = {
	{ "log: /var/log/team.mbox, \\wees\n", NULL, NULL, "log@centos.localdomain",
	  "0 2.0.0 delivered to file: /var/log/team.mbox; 0 2.0.0 delivered to mailbox",
	  "var/log/team.mbox", "Delivered-To: log@centos.localdomain\nReceived:" },
	{ "pipe: |cat > tmp/out.txt\n", NULL, NULL, "pipe@centos.localdomain",
	  "0 2.0.0 delivered to command: cat > tmp/out.txt",
	  "tmp/out.txt", "\nDelivered-To: pipe@centos.localdomain\n" },
	{ "env: \"|echo $RECIPIENT $LOCAL $SENDER > tmp/env.txt\"\n", NULL, NULL,
	  "env@centos.localdomain",
	  "0 2.0.0 delivered to command: echo $RECIPIENT $LOCAL $SENDER > tmp/env.txt",
	  "tmp/env.txt", "env@centos.localdomain env root@centos.localdomain\n" },
	{ "t: |exit 75\n", NULL, NULL, "t@centos.localdomain",
	  "1 4.3.0 temporary failure", NULL, NULL },
	{ "t: \"|echo oops; exit 1\"\n", NULL, NULL, "t@centos.localdomain",
	  "2 5.3.0 Command died with status 1: \"echo oops; exit 1\". Command output: oops ",
	  NULL, NULL },
	{ "t: \"|echo 4.2.1 mailbox busy; exit 1\"\n", NULL, NULL, "t@centos.localdomain",
	  "1 4.2.1 mailbox busy ", NULL, NULL },
	{ "team: :include:/etc/postfix/team.list\n", "etc/postfix/team.list",
	  "# the team\nwees\nalice, |cat > x\n", "team@centos.localdomain",
	  "0 2.0.0 delivered to mailbox; 0 2.0.0 delivered to mailbox; "
	  "2 5.7.1 mail to command is restricted", "var/mail/alice", "Ola Amigo" },
	{ "team: :include:/etc/postfix/none.list\n", NULL, NULL, "team@centos.localdomain",
	  "2 5.3.0 cannot open include file /etc/postfix/none.list: No such file or directory",
	  NULL, NULL },
	{ "bad: /var/../../../escape\n", NULL, NULL, "bad@centos.localdomain",
	  "2 5.3.5 cannot append message to file /var/../../../escape: "
	  "the path leaves the lab's host directory", NULL, NULL },
	{ NULL, "home/wees/.forward", "alice\n\\wees\n", "wees@centos.localdomain",
	  "0 2.0.0 delivered to mailbox; 0 2.0.0 delivered to mailbox",
	  "var/mail/alice", "Delivered-To: wees@centos.localdomain" },
	{ NULL, "home/wees/.forward", "wees, ~/saved\n", "wees@centos.localdomain",
	  "0 2.0.0 delivered to mailbox; 0 2.0.0 delivered to file: /home/wees/saved",
	  "home/wees/saved", "Ola Amigo" },
	{ "root: wees\n", "home/wees/.forward", "|cat > fwd.txt\n", "root@centos.localdomain",
	  "0 2.0.0 delivered to command: cat > fwd.txt", "home/wees/fwd.txt",
	  "X-Original-To: root\nDelivered-To: root@centos.localdomain" },
};

static void chmod_path(const char *dir, const char *rel, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, rel);

	(void)mkdir(path, mode);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
	free(path);
}

static void test_targets(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(target_cases); i++) {
		struct fixture fx;
		struct local_outcome *o = NULL;
		char got[1024] = "";
		char *hostdir;
		size_t n, k;

		setup(&fx, target_cases[i].aliases);
		hostdir = xasprintf("%s/hosts/centos.localdomain", fx.root);
		if (target_cases[i].file1 != NULL)
			free(write_file(hostdir, target_cases[i].file1, target_cases[i].text1));
		/* A root maillab runs commands as nobody (default_privs): give it
		 * a way in and somewhere to write, as /tmp would. */
		chmod_path(fx.parent, "", 0755);
		chmod_path(hostdir, "home/wees", 01777);
		chmod_path(hostdir, "tmp", 01777);
		n = deliver(&fx, 1795903192000LL, "root@centos.localdomain", study_note,
			    target_cases[i].rcpt, strchr(target_cases[i].rcpt, '@') != NULL
			    ? "root" : NULL, &o);
		for (k = 0; k < n; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d %s %s",
				 k > 0 ? "; " : "", (int)o[k].status, o[k].dsn, o[k].text);
		if (strcmp(got, target_cases[i].want) != 0)
			fprintf(stderr, "\ncase %zu: got %s\n want %s\n", i, got,
				target_cases[i].want);
		CU_ASSERT_STRING_EQUAL(got, target_cases[i].want);
		if (target_cases[i].check != NULL) {
			char *path = xasprintf("%s/%s", hostdir, target_cases[i].check);
			char *text = slurp(path, NULL);

			CU_ASSERT_PTR_NOT_NULL(text);
			if (text != NULL && strstr(text, target_cases[i].contains) == NULL)
				fprintf(stderr, "\ncase %zu: %s lacks %s:\n%s\n", i, path,
					target_cases[i].contains, text);
			CU_ASSERT(text != NULL && strstr(text, target_cases[i].contains) != NULL);
			free(text);
			free(path);
		}
		free(hostdir);
		local_outcomes_free(&o, n);
		teardown(&fx);
	}
}

void test_local_register(void)
{
	CU_pSuite s = CU_add_suite("local", NULL, NULL);

	CU_add_test(s, "mbox: the study note's message", test_mbox_study_note);
	CU_add_test(s, "alias to two users", test_alias_two_users);
	CU_add_test(s, "unknown user, path, alias loop, self alias", test_bad_recipients);
	CU_add_test(s, "forwarding loop, full mailbox, full disk", test_forwarding_loop_and_faults);
	CU_add_test(s, "mailbox_size_limit, From quoting, Maildir", test_size_limit_and_maildir);
	CU_add_test(s, "files, commands, :include:, .forward", test_targets);
}
