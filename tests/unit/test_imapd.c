/*
 * CUnit suite for the imapd engine: every reference IMAP transcript
 * (tests/data/imap/, copied from reference/transcripts/imap/) replayed
 * through the engine with a RAM store seeded with the three messages of
 * reference/transcripts/smtp/90-seed-alice, twice: each client line at
 * once, and one byte at a time. Server bytes must match after masking
 * UIDVALIDITY values and the timing numbers; the Dovecot log lines must
 * match the .log files (dates aside). Then hostile inputs.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap/imapd.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/store.h"
#include "store/store_int.h"
#include "imap_harness.h"

void test_imapd_register(void);

#define DATA "tests/data/imap/"
/* 2026-11-28 22:03:29 UTC: the seed's UIDVALIDITY (01-session a7). */
#define T0 ((mtime_t)1795903389000LL)

/* --- a Dovecot-like store over the RAM backend ------------------------ */

/*
 * Dovecot's mbox storage lists folders as \NoInferiors with \Marked
 * when they hold mail no session has seen (01-session a29); the RAM
 * backend lists plain \HasNoChildren. These tests wrap it: the
 * first-recent UID of each folder is mirrored here (as Dovecot keeps it
 * in its index) to compute \Marked.
 */
static const struct store_ops *ram_ops;
static struct store_ops dove_ops;
static struct {
	char name[64];
	uint32_t first_recent;
} fr[32];
static size_t nfr;

static uint32_t *first_recent(const char *name)
{
	size_t i;

	for (i = 0; i < nfr; i++)
		if (strcmp(fr[i].name, name) == 0)
			return &fr[i].first_recent;
	BUG_ON(nfr >= ARRAY_LEN(fr));
	snprintf(fr[nfr].name, sizeof(fr[nfr].name), "%s", name);
	fr[nfr].first_recent = 1;
	return &fr[nfr++].first_recent;
}

static int dove_open(struct store_user *u, const char *name,
		     enum store_open_mode mode, mtime_t now,
		     struct store_mailbox **mb_out, struct err *e)
{
	if (ram_ops->open(u, name, mode, now, mb_out, e) < 0)
		return -1;
	if (mode == STORE_OPEN_RW)
		*first_recent(name) = (*mb_out)->uidnext;
	return 0;
}

static int dove_sync(struct store_mailbox *mb, const struct store_sync_cb *cb,
		     mtime_t now, struct err *e)
{
	if (ram_ops->sync(mb, cb, now, e) < 0)
		return -1;
	if (mb->mode == STORE_OPEN_RW)
		*first_recent(mb->name) = mb->uidnext;
	return 0;
}

static int dove_rename(struct store_user *u, const char *from, const char *to,
		       struct err *e)
{
	uint32_t v = *first_recent(from);

	if (ram_ops->rename(u, from, to, e) < 0)
		return -1;
	*first_recent(to) = v;
	return 0;
}

static int dove_list(struct store_user *u, struct store_folders *out,
		     struct err *e)
{
	size_t i;

	if (ram_ops->list(u, out, e) < 0)
		return -1;
	for (i = 0; i < out->n; i++) {
		struct store_mailbox *mb;
		struct err e2;
		size_t k;
		int recent = 0;

		if (strcmp(out->v[i].name, "INBOX") == 0)
			continue;
		if (ram_ops->open(u, out->v[i].name, STORE_OPEN_RO, 0, &mb,
				  &e2) == 0) {
			mb->ops = ram_ops;
			mb->user = u;
			mb->mode = STORE_OPEN_RO;
			for (k = 0; k < mb->count; k++)
				if (mb->msgs[k].uid >= *first_recent(out->v[i].name))
					recent = 1;
			ram_ops->close(mb);
		}
		out->v[i].attrs = STORE_FOLDER_NOINFERIORS |
				  (recent ? STORE_FOLDER_MARKED :
				   STORE_FOLDER_UNMARKED) |
				  (out->v[i].attrs & STORE_FOLDER_SUBSCRIBED);
	}
	return 0;
}

/* Alice's store: the three seed messages in INBOX, seen by the POP3
 * scenarios already (so none is \Recent, 01-session a7 "0 RECENT"). */
static struct store_user *seeded_store(void)
{
	struct err e;
	struct store_user *u = store_user_open("ram:", "alice", "/home/alice",
					       "", &e);
	struct store_mailbox *mb;
	size_t len, off = 0;
	char *mbox = ih_slurp(DATA "seed.mbox-alice", &len);
	int n = 0;

	BUG_ON(u == NULL || mbox == NULL);
	ram_ops = u->ops;
	dove_ops = *ram_ops;
	dove_ops.open = dove_open;
	dove_ops.sync = dove_sync;
	dove_ops.list = dove_list;
	dove_ops.rename = dove_rename;
	u->ops = &dove_ops;
	nfr = 0;
	BUG_ON(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0, &mb, &e) < 0);
	while (off < len) {
		/* "From bob@centos.localdomain  Sat Nov 28 22:02:51 2026" */
		char *from = mbox + off, *nl = strchr(from, '\n'), *end;
		struct tm tm;
		int64_t date;

		BUG_ON(strncmp(from, "From ", 5) != 0 || nl == NULL);
		memset(&tm, 0, sizeof(tm));
		BUG_ON(strptime(strstr(from, "  ") + 2, "%a %b %d %H:%M:%S %Y",
				&tm) == NULL);
		date = (int64_t)timegm(&tm);
		end = strstr(nl + 1, "\n\nFrom ");
		end = end != NULL ? end + 1 : mbox + len - 1;
		BUG_ON(store_mailbox_append(mb, nl + 1, (size_t)(end - nl - 1), 0,
					    0, date, T0, NULL, &e) < 0);
		off = (size_t)(end - mbox) + 1;
		n++;
	}
	BUG_ON(n != 3);
	store_mailbox_close(&mb, T0);
	/* a later RW look uses up \Recent, as the POP3 sessions did */
	BUG_ON(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0, &mb, &e) < 0);
	store_mailbox_close(&mb, T0);
	free(mbox);
	return u;
}

/* --- transcripts ------------------------------------------------------ */

struct replay {
	struct imapd *s;
	struct store_user *u;
	struct buf got;		/* output since the last check */
	struct buf logs;	/* LOG events, one per line */
	int delays;
	int closed;
	int starttls;
};

static void pump(struct replay *r, mtime_t now)
{
	struct imapd_event ev;

	while (imapd_next(r->s, &ev, now) == 1) {
		switch (ev.type) {
		case IMAPD_EV_LOG:
			buf_adds(&r->logs, ev.text);
			buf_addc(&r->logs, '\n');
			break;
		case IMAPD_EV_AUTH:
			imapd_auth_result(r->s, strcmp(ev.user, "alice") == 0 &&
					  strcmp(ev.pass, "alicepw") == 0 ?
					  r->u : NULL, now);
			break;
		case IMAPD_EV_DELAY:
			r->delays++;
			break;
		case IMAPD_EV_STARTTLS:
			r->starttls = 1;
			break;
		case IMAPD_EV_CLOSE:
			r->closed = 1;
			break;
		}
	}
	buf_add(&r->got, imapd_output(r->s)->data, imapd_output(r->s)->len);
	buf_clear(imapd_output(r->s));
}

static void drv_feed(void *ctx, const char *p, size_t n, mtime_t now)
{
	struct replay *r = ctx;

	imapd_feed(r->s, p, n, now);
}

static void drv_pump(void *ctx, mtime_t now, struct buf *got)
{
	struct replay *r = ctx;

	pump(r, now);
	buf_add(got, r->got.data, r->got.len);
	buf_clear(&r->got);
}

static void drv_tls(void *ctx, mtime_t now)
{
	struct replay *r = ctx;

	CU_ASSERT(r->starttls);
	imapd_tls_started(r->s, now);
}

static int drv_closed(void *ctx)
{
	struct replay *r = ctx;

	return r->closed && imapd_closed(r->s);
}

/* Replays one transcript through the bare engine; returns mismatches. */
static int replay_file(const char *name, int bytewise, struct buf *logs_out)
{
	char path[256];
	struct replay r;
	struct imapd_conf conf;
	struct ih_driver d = { NULL, drv_feed, drv_pump, drv_tls, drv_closed,
			       NULL };
	long delta = 0;
	int fails;

	memset(&r, 0, sizeof(r));
	r.u = seeded_store();
	imapd_conf_defaults(&conf);
	/* the reference log's pid and session of each scenario */
	if (strcmp(name, "01-session") == 0) {
		conf.mail_pid = 14367;
		conf.session_id = "rPZTWV1htIB/AAAB";
	} else if (strcmp(name, "02-preauth") == 0) {
		conf.mail_pid = 14369;
		conf.session_id = "/RKTWl1hcot/AAAB";
	} else {
		conf.mail_pid = 14371;
		conf.session_id = "X9v/Wl1h7ol/AAAB";
	}
	r.s = imapd_new(&conf, T0 + 60000);
	buf_init(&r.got);
	buf_init(&r.logs);
	d.ctx = &r;
	snprintf(path, sizeof(path), DATA "%s.txt", name);
	fails = ih_replay(path, bytewise, &d, T0 + 60000, &delta);
	if (logs_out != NULL) {
		char *fixed = ih_fix_out(r.logs.data != NULL ? r.logs.data : "",
					 delta);

		buf_adds(logs_out, fixed);
		free(fixed);
	}
	imapd_free(&r.s);
	CU_ASSERT_PTR_NULL(r.s);
	store_user_free(&r.u);
	buf_reset(&r.got);
	buf_reset(&r.logs);
	return fails;
}

static void run_transcript(const char *name)
{
	struct buf logs;
	char path[256], *want;

	buf_init(&logs);
	buf_adds(&logs, "");
	CU_ASSERT_EQUAL(replay_file(name, 0, &logs), 0);
	snprintf(path, sizeof(path), DATA "%s.log", name);
	want = ih_dovecot_lines(path);
	if (strcmp(logs.data, want) != 0)
		fprintf(stderr, "\n%s log:\n--- got\n%s--- want\n%s", name,
			logs.data, want);
	CU_ASSERT_STRING_EQUAL(logs.data, want);
	free(want);
	CU_ASSERT_EQUAL(replay_file(name, 1, NULL), 0);
	buf_reset(&logs);
}

static void test_01_session(void)
{
	run_transcript("01-session");
}

static void test_02_preauth(void)
{
	run_transcript("02-preauth");
}

static void test_03_starttls(void)
{
	run_transcript("03-starttls-authenticate");
}

/* --- scripted sessions ------------------------------------------------ */

struct script_step {
	const char *client;	/* bytes sent (NULL: end) */
	const char *want;	/* the output expected, masked, or NULL */
};

/* Runs steps after logging in; returns mismatches. */
static int run_script(const struct script_step *steps, int login,
		      const struct imapd_conf *conf_in, int bytewise)
{
	struct replay r;
	struct imapd_conf conf;
	mtime_t now = T0 + 60000;
	int fails = 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.u = seeded_store();
	if (conf_in != NULL)
		conf = *conf_in;
	else
		imapd_conf_defaults(&conf);
	r.s = imapd_new(&conf, now);
	buf_init(&r.got);
	buf_init(&r.logs);
	pump(&r, now);
	buf_clear(&r.got);
	if (login) {
		imapd_feed(r.s, "x LOGIN alice alicepw\r\n", 23, now);
		pump(&r, now);
		buf_clear(&r.got);
	}
	for (i = 0; steps[i].client != NULL; i++) {
		size_t n = strlen(steps[i].client), k;

		if (strcmp(steps[i].client, "<EOF>") == 0) {
			imapd_eof(r.s, now);
			pump(&r, now);
		} else if (bytewise) {
			for (k = 0; k < n; k++) {
				imapd_feed(r.s, steps[i].client + k, 1, now);
				pump(&r, now);
			}
		} else {
			imapd_feed(r.s, steps[i].client, n, now);
			pump(&r, now);
		}
		if (steps[i].want != NULL) {
			char *g = ih_mask(r.got.data != NULL ? r.got.data : "", r.got.len);

			if (strcmp(g, steps[i].want) != 0) {
				fprintf(stderr, "\nstep %zu (%s) %s:\n--- got\n%s--- want\n%s",
					i, bytewise ? "bytewise" : "whole",
					steps[i].client, g, steps[i].want);
				fails++;
			}
			free(g);
		}
		buf_clear(&r.got);
		now += 1000;
	}
	imapd_free(&r.s);
	store_user_free(&r.u);
	buf_reset(&r.got);
	buf_reset(&r.logs);
	return fails;
}

static void script_both(const struct script_step *steps, int login,
			const struct imapd_conf *conf)
{
	CU_ASSERT_EQUAL(run_script(steps, login, conf, 0), 0);
	CU_ASSERT_EQUAL(run_script(steps, login, conf, 1), 0);
}

#define T "(<TIME>)."

static const struct script_step fetch_steps[] = {
	{ "a SELECT INBOX\r\n", NULL },
	{ "b FETCH 1 (FLAGS UID FLAGS)\r\n",
	  "* 1 FETCH (FLAGS () UID 1)\r\nb OK Fetch completed " T "\r\n" },
	{ "c FETCH 2 BODY.PEEK[HEADER.FIELDS (subject FROM)]\r\n",
	  "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {63}\r\n"
	  "From: Bob <bob@centos.localdomain>\r\nSubject: second message\r\n"
	  "\r\n)\r\nc OK Fetch completed " T "\r\n" },
	{ "d FETCH 2 BODY[TEXT]<5.6>\r\n",
	  "* 2 FETCH (FLAGS (\\Seen) BODY[TEXT]<5> {6}\r\nge two)\r\n"
	  "d OK Fetch completed " T "\r\n" },
	{ "e FETCH 2 BODY[TEXT]<5.6>\r\n",
	  "* 2 FETCH (BODY[TEXT]<5> {6}\r\nge two)\r\n"
	  "e OK Fetch completed " T "\r\n" },
	{ "f FETCH 3 (BODY BINARY.SIZE[1] BINARY.PEEK[1])\r\n",
	  "* 3 FETCH (BINARY.SIZE[1] 26 BODY (\"text\" \"plain\" (\"charset\" "
	  "\"us-ascii\") NIL NIL \"7bit\" 26 1) BINARY[1] {26}\r\n"
	  "Message three from wees.\r\n)\r\nf OK Fetch completed " T "\r\n" },
	{ "g UID FETCH 2:3 (RFC822.SIZE)\r\n",
	  "* 2 FETCH (UID 2 RFC822.SIZE 509)\r\n* 3 FETCH (UID 3 RFC822.SIZE 509)\r\n"
	  "g OK Fetch completed " T "\r\n" },
	{ "h FETCH 1:* FAST\r\n",
	  "* 1 FETCH (FLAGS () INTERNALDATE \"28-Nov-2026 22:02:51 +0000\" "
	  "RFC822.SIZE 518)\r\n* 2 FETCH (FLAGS (\\Seen) INTERNALDATE "
	  "\"28-Nov-2026 22:02:52 +0000\" RFC822.SIZE 509)\r\n* 3 FETCH (FLAGS () "
	  "INTERNALDATE \"28-Nov-2026 22:02:54 +0000\" RFC822.SIZE 509)\r\n"
	  "h OK Fetch completed " T "\r\n" },
	{ "i FETCH 1 (FOO)\r\n",
	  "i BAD Error in IMAP command FETCH: Unknown parameter FOO " T "\r\n" },
	{ "j FETCH 1 BODY[HEADER.FIELDS]\r\n",
	  "j BAD Error in IMAP command FETCH: Unknown parameter "
	  "BODY[HEADER.FIELDS] " T "\r\n" },
	{ "k UID FETCH 99 FLAGS\r\n", "k OK Fetch completed " T "\r\n" },
	{ "l FETCH 0 FLAGS\r\n",
	  "l BAD Error in IMAP command FETCH: Invalid messageset " T "\r\n" },
	{ "m FETCH 1 PREVIEW\r\n",
	  "* 1 FETCH (PREVIEW \"Hello Alice, this is message one.\")\r\n"
	  "m OK Fetch completed " T "\r\n" },
	{ NULL, NULL },
};

static void test_fetch(void)
{
	script_both(fetch_steps, 1, NULL);
}

static const struct script_step search_steps[] = {
	{ "a EXAMINE INBOX\r\n", NULL },
	{ "b SEARCH SUBJECT \"SECOND\"\r\n",
	  "* SEARCH 2\r\nb OK Search completed " T "\r\n" },
	{ "c SEARCH OR FROM wees TO nobody\r\n",
	  "* SEARCH 3\r\nc OK Search completed " T "\r\n" },
	{ "d SEARCH NOT (BODY two)\r\n",
	  "* SEARCH 1 3\r\nd OK Search completed " T "\r\n" },
	{ "e SEARCH SENTSINCE 2-Jan-2023 SENTBEFORE 3-Jan-2023 LARGER 509\r\n",
	  "* SEARCH 1\r\ne OK Search completed " T "\r\n" },
	{ "f UID SEARCH RETURN (MIN MAX COUNT ALL) ALL\r\n",
	  "* ESEARCH (TAG \"f\") UID MIN 1 MAX 3 ALL 1:3 COUNT 3\r\n"
	  "f OK Search completed " T "\r\n" },
	{ "g SEARCH RETURN (SAVE) TEXT \"Message two\"\r\n",
	  "g OK Search completed " T "\r\n" },
	{ "h FETCH $ (UID)\r\n",
	  "* 2 FETCH (UID 2)\r\nh OK Fetch completed " T "\r\n" },
	{ "i SEARCH HEADER Message-ID seed3 ON 28-Nov-2026\r\n",
	  "* SEARCH 3\r\ni OK Search completed " T "\r\n" },
	{ "j SEARCH FOO\r\n",
	  "j BAD Error in IMAP command SEARCH: Unknown argument FOO " T "\r\n" },
	{ "k SORT (REVERSE SUBJECT) UTF-8 ALL\r\n",
	  "* SORT 3 2 1\r\nk OK Sort completed " T "\r\n" },
	{ "l SORT (FROM DATE) UTF-8 ALL\r\n",
	  "* SORT 1 2 3\r\nl OK Sort completed " T "\r\n" },
	{ "m THREAD ORDEREDSUBJECT UTF-8 ALL\r\n",
	  "* THREAD (1)(2)(3)\r\nm OK Thread completed " T "\r\n" },
	{ "n SEARCH YOUNGER 1000000000 OLDER 1\r\n",
	  "* SEARCH 1 2 3\r\nn OK Search completed " T "\r\n" },
	{ NULL, NULL },
};

static void test_search(void)
{
	script_both(search_steps, 1, NULL);
}

static const struct script_step mbox_steps[] = {
	{ "a LIST \"\" \"\"\r\n",
	  "* LIST (\\Noselect) \"/\" \"\"\r\na OK List completed " T "\r\n" },
	{ "b CREATE Trash\r\n", "b OK Create completed " T "\r\n" },
	{ "c SELECT INBOX\r\n", NULL },
	{ "d MOVE 2 Trash\r\n",
	  "* OK [COPYUID <N> 2 1] Moved UIDs.\r\n* 2 EXPUNGE\r\n"
	  "d OK Move completed " T "\r\n" },
	{ "e LIST \"\" \"*\" RETURN (STATUS (MESSAGES))\r\n",
	  "* LIST (\\NoInferiors \\Marked \\Trash) \"/\" Trash\r\n"
	  "* STATUS Trash (MESSAGES 1)\r\n* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
	  "* STATUS INBOX (MESSAGES 2)\r\ne OK List completed " T "\r\n" },
	{ "f APPEND INBOX {5+}\r\nhello\r\n",
	  "* 3 EXISTS\r\n* 1 RECENT\r\nf OK [APPENDUID <N> 4] Append completed "
	  T "\r\n" },
	{ "g APPEND Nope {5}\r\n",
	  "g NO [TRYCREATE] Mailbox doesn't exist: Nope " T "\r\n" },
	{ "h STORE 1:2 +FLAGS.SILENT (\\Deleted $Junk)\r\n",
	  "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk)\r\n"
	  "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft "
	  "$Junk \\*)] Flags permitted.\r\nh OK Store completed " T "\r\n" },
	{ "i UID EXPUNGE 3\r\n",
	  "* 2 EXPUNGE\r\ni OK Expunge completed " T "\r\n" },
	{ "j FETCH 1:* (UID FLAGS)\r\n",
	  "* 1 FETCH (UID 1 FLAGS (\\Deleted $Junk))\r\n"
	  "* 2 FETCH (UID 4 FLAGS (\\Recent))\r\nj OK Fetch completed " T "\r\n" },
	{ "k STORE 1 FLAGS (\\Recent)\r\n",
	  "k BAD Error in IMAP command STORE: Invalid system flag \\RECENT "
	  T "\r\n" },
	{ "l STATUS Trash (UIDNEXT MESSAGES SIZE)\r\n",
	  "* STATUS Trash (MESSAGES 1 UIDNEXT 2 SIZE 509)\r\n"
	  "l OK Status completed " T "\r\n" },
	{ "m RENAME Trash Junk\r\n", "m OK Rename completed " T "\r\n" },
	{ "n SUBSCRIBE Junk\r\n", "n OK Subscribe completed " T "\r\n" },
	{ "o LSUB \"\" *\r\n",
	  "* LSUB () \"/\" Junk\r\no OK Lsub completed " T "\r\n" },
	{ "p NAMESPACE\r\n",
	  "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\np OK Namespace completed " T "\r\n" },
	{ "q UNSELECT\r\n", "q OK Unselect completed " T "\r\n" },
	{ "r ENABLE CONDSTORE\r\n",
	  "* ENABLED CONDSTORE\r\nr OK Enabled " T "\r\n" },
	{ "s ID NIL\r\n", "* ID (\"name\" \"Dovecot\")\r\ns OK ID completed " T "\r\n" },
	{ "t DELETE INBOX\r\n", "t NO INBOX can't be deleted " T "\r\n" },
	{ NULL, NULL },
};

static void test_mailboxes(void)
{
	script_both(mbox_steps, 1, NULL);
}

/* Feeds a whole string (with its length: NULs allowed), pumps, returns
 * the masked output; caller frees. */
static char *say(struct replay *r, const char *in, size_t n, mtime_t now)
{
	char *g;

	imapd_feed(r->s, in, n, now);
	pump(r, now);
	g = ih_mask(r->got.data != NULL ? r->got.data : "", r->got.len);
	buf_clear(&r->got);
	return g;
}

#define SAY(r, lit, now) say(r, lit, sizeof(lit) - 1, now)

static void check_said(char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- got\n%s--- want\n%s", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void session_open(struct replay *r, struct store_user *u, mtime_t now)
{
	struct imapd_conf conf;

	memset(r, 0, sizeof(*r));
	r->u = u;
	imapd_conf_defaults(&conf);
	r->s = imapd_new(&conf, now);
	buf_init(&r->got);
	buf_init(&r->logs);
	pump(r, now);
	buf_clear(&r->got);
	free(SAY(r, "x LOGIN alice alicepw\r\n", now));
}

static void session_close(struct replay *r)
{
	imapd_free(&r->s);
	buf_reset(&r->got);
	buf_reset(&r->logs);
}

/* Another session's changes reach this one (RFC 3501 7.3.1, 7.4.1). */
static void test_two_sessions(void)
{
	struct store_user *u = seeded_store();
	struct replay a, b;
	mtime_t now = T0 + 1000;

	session_open(&a, u, now);
	session_open(&b, u, now);
	free(SAY(&a, "a1 SELECT INBOX\r\n", now));
	free(SAY(&b, "b1 SELECT INBOX\r\n", now));
	check_said(SAY(&b, "b2 APPEND INBOX {6}\r\n", now), "+ OK\r\n");
	check_said(SAY(&b, "hello!\r\n", now),
		   "* 4 EXISTS\r\n* 1 RECENT\r\n"
		   "b2 OK [APPENDUID <N> 4] Append completed (<TIME>).\r\n");
	check_said(SAY(&b, "b3 UID STORE 2 +FLAGS (\\Flagged)\r\n", now),
		   "* 2 FETCH (UID 2 FLAGS (\\Flagged))\r\n"
		   "b3 OK Store completed (<TIME>).\r\n");
	/* a FETCH by number must not learn of it yet (no sync there) */
	check_said(SAY(&a, "a2 FETCH 2 FLAGS\r\n", now),
		   "* 2 FETCH (FLAGS ())\r\na2 OK Fetch completed (<TIME>).\r\n");
	check_said(SAY(&a, "a3 NOOP\r\n", now),
		   "* 2 FETCH (FLAGS (\\Flagged))\r\n* 4 EXISTS\r\n* 0 RECENT\r\n"
		   "a3 OK NOOP completed (<TIME>).\r\n");
	/* expunge in b while a idles: a hears it on the next tick */
	check_said(SAY(&a, "a4 IDLE\r\n", now), "+ idling\r\n");
	free(SAY(&b, "b4 STORE 1 +FLAGS.SILENT (\\Deleted)\r\nb5 EXPUNGE\r\n",
		 now));
	imapd_tick(a.s, now + 1000);
	pump(&a, now + 1000);
	check_said(SAY(&a, "", now + 1000), "* 1 EXPUNGE\r\n");
	imapd_tick(a.s, now + 200000);
	check_said(SAY(&a, "", now + 200000), "* OK Still here\r\n");
	check_said(SAY(&a, "DONE\r\n", now + 200000),
		   "a4 OK Idle completed (<TIME>).\r\n");
	session_close(&a);
	session_close(&b);
	store_user_free(&u);
}

/* NUL and 8-bit bytes, commands in the wrong state. */
static void test_odd_bytes(void)
{
	struct store_user *u = seeded_store();
	struct replay a;
	mtime_t now = T0;

	session_open(&a, u, now);
	check_said(SAY(&a, "a NOOP x\0y\r\n", now),
		   "a BAD Error in IMAP command NOOP: NULs not allowed in "
		   "strings (<TIME>).\r\n");
	check_said(SAY(&a, "b NOOP \"x\0\"\r\n", now),
		   "b BAD Error in IMAP command NOOP: NULs not allowed in "
		   "strings (<TIME>).\r\n");
	check_said(SAY(&a, "c\0 NOOP\r\n", now),
		   "* BAD Error in IMAP tag: Invalid tag (<TIME>).\r\n");
	check_said(SAY(&a, "d LOGIN alice alicepw\r\n", now),
		   "d BAD Error in IMAP command LOGIN: Unknown command "
		   "(<TIME>).\r\n");
	check_said(SAY(&a, "e STARTTLS\r\n", now),
		   "e BAD Error in IMAP command STARTTLS: Unknown command "
		   "(<TIME>).\r\n");
	check_said(SAY(&a, "f SEARCH SUBJECT caf\xc3\xa9\r\n", now),
		   "f BAD No mailbox selected (<TIME>).\r\n");
	check_said(SAY(&a, "g SELECT INBOX\r\nh SEARCH CHARSET UTF-8 SUBJECT "
		       "caf\xc3\xa9\r\n", now),
		   "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
		   "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
		   "\\Draft \\*)] Flags permitted.\r\n* 3 EXISTS\r\n* 0 RECENT\r\n"
		   "* OK [UNSEEN 1] First unseen.\r\n* OK [UIDVALIDITY <N>] UIDs "
		   "valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\ng OK "
		   "[READ-WRITE] Select completed (<TIME>).\r\n* SEARCH\r\n"
		   "h OK Search completed (<TIME>).\r\n");
	{
		/* imap_max_line_length: "Too long argument.", the rest of
		 * the line is dropped */
		size_t n = 70000;
		char *big = xmalloc(n);

		memset(big, 'x', n);
		memcpy(big, "i NOOP ", 7);
		check_said(say(&a, big, n, now),
			   "i BAD Error in IMAP command NOOP: Too long argument "
			   "(<TIME>).\r\n");
		check_said(SAY(&a, "yyy\r\nj NOOP\r\n", now),
			   "j OK NOOP completed (<TIME>).\r\n");
		free(big);
	}
	session_close(&a);
	store_user_free(&u);
}

/* Threads, sorts, BINARY, CATENATE, ESEARCH: a mailbox made for them. */
static const char *const thread_msgs[] = {
	"Message-ID: <a@x>\nSubject: topic\nDate: Mon, 2 Jan 2023 10:00:00 "
	"+0000\nFrom: Ann <ann@x>\n\nroot\n",
	"Message-ID: <b@x>\nIn-Reply-To: <a@x>\nReferences: <a@x>\nSubject: Re: "
	"topic\nDate: Mon, 2 Jan 2023 11:00:00 +0000\nFrom: \"Zed\" <bob@y>\n\n"
	"reply\n",
	"Message-ID: <c@x>\nReferences: <a@x> <b@x>\nSubject: Re: Re: topic\n"
	"Date: Mon, 2 Jan 2023 12:00:00 +0000\nFrom: carl@z\n\nreply2\n",
	"Message-ID: <d@x>\nSubject: other [fwd: x]\nDate: Sun, 1 Jan 2023 "
	"09:00:00 +0000\nFrom: ann@x\nContent-Type: text/plain; "
	"charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
	"caf=E9 =\nau lait\n",
	"Message-ID: <e@x>\nReferences: <zz@x> <a@x>\nSubject: Fwd: topic\n"
	"Date: Mon, 2 Jan 2023 13:00:00 +0000\nFrom: dan@q\n\nfwd\n",
};

static void test_threads_sorts(void)
{
	struct err e;
	struct store_user *u = store_user_open("ram:", "alice", "/h", "", &e);
	struct store_mailbox *mb;
	struct replay a;
	mtime_t now = T0;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, now,
						 &mb, &e), 0);
	for (i = 0; i < ARRAY_LEN(thread_msgs); i++)
		store_mailbox_append(mb, thread_msgs[i], strlen(thread_msgs[i]), 0,
				     0, -1, now, NULL, &e);
	store_mailbox_close(&mb, now);
	store_create(u, "Lists/dovecot", now, &e);
	store_create(u, "Sent", now, &e);
	store_subscribe(u, "Sent", 1, &e);
	session_open(&a, u, now);
	free(SAY(&a, "a SELECT INBOX\r\n", now));
	check_said(SAY(&a, "b THREAD REFERENCES UTF-8 ALL\r\n", now),
		   "* THREAD (4)(1 (2 3)(5))\r\nb OK Thread completed (<TIME>).\r\n");
	check_said(SAY(&a, "c UID THREAD REFS UTF-8 NOT FROM dan\r\n", now),
		   "* THREAD (4)(1 2 3)\r\nc OK Thread completed (<TIME>).\r\n");
	check_said(SAY(&a, "d THREAD ORDEREDSUBJECT UTF-8 ALL\r\n", now),
		   "* THREAD (4)(1 (2)(3)(5))\r\nd OK Thread completed (<TIME>).\r\n");
	check_said(SAY(&a, "e SORT (SUBJECT) UTF-8 ALL\r\n", now),
		   "* SORT 4 1 2 3 5\r\ne OK Sort completed (<TIME>).\r\n");
	check_said(SAY(&a, "f SORT (DISPLAYFROM) UTF-8 ALL\r\n", now),
		   "* SORT 1 4 3 5 2\r\nf OK Sort completed (<TIME>).\r\n");
	check_said(SAY(&a, "g SORT RETURN (MIN MAX ALL COUNT) (REVERSE DATE) "
		       "UTF-8 ALL\r\n", now),
		   "* ESEARCH (TAG \"g\") MIN 1 MAX 5 ALL 5,3,2,1,4 COUNT 5\r\n"
		   "g OK Sort completed (<TIME>).\r\n");
	check_said(SAY(&a, "h FETCH 4 (BINARY.PEEK[1] BINARY.SIZE[1])\r\n", now),
		   "* 4 FETCH (BINARY.SIZE[1] 14 BINARY[1] {14}\r\n"
		   "caf\xe9 au lait\r\n)\r\nh OK Fetch completed (<TIME>).\r\n");
	check_said(SAY(&a, "i SEARCH BODY \"caf\xc3\xa9 au\"\r\n", now),
		   "* SEARCH 4\r\ni OK Search completed (<TIME>).\r\n");
	check_said(SAY(&a, "j SEARCH RETURN (PARTIAL 2:3 COUNT) ALL\r\n", now),
		   "* ESEARCH (TAG \"j\") COUNT 5 PARTIAL (2:3 2:3)\r\n"
		   "j OK Search completed (<TIME>).\r\n");
	check_said(SAY(&a, "k SEARCH RETURN (UPDATE) FROM ann\r\n", now),
		   "* ESEARCH (TAG \"k\") ALL 1,4\r\nk OK Search completed "
		   "(<TIME>).\r\n");
	check_said(SAY(&a, "l APPEND INBOX CATENATE (URL \"/INBOX;UIDVALIDITY="
		       "1795903389/;UID=1/;SECTION=HEADER\" TEXT {7+}\r\n"
		       "hello\r\n)\r\n", now),
		   "* 6 EXISTS\r\n* 1 RECENT\r\n* ESEARCH (TAG \"k\") ADDTO (0 6)\r\n"
		   "l OK [APPENDUID <N> 6] Append completed (<TIME>).\r\n");
	check_said(SAY(&a, "m FETCH 6 BODY.PEEK[TEXT]\r\n", now),
		   "* 6 FETCH (BODY[TEXT] {7}\r\nhello\r\n)\r\n"
		   "m OK Fetch completed (<TIME>).\r\n");
	check_said(SAY(&a, "n CANCELUPDATE \"k\"\r\n", now),
		   "n OK Updates cancelled (<TIME>).\r\n");
	check_said(SAY(&a, "o LIST \"\" % RETURN (SUBSCRIBED)\r\n", now),
		   "* LIST (\\Noselect \\HasChildren) \"/\" Lists\r\n"
		   "* LIST (\\Subscribed \\HasNoChildren \\Sent) \"/\" Sent\r\n"
		   "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
		   "o OK List completed (<TIME>).\r\n");
	check_said(SAY(&a, "p LIST (SPECIAL-USE) \"\" *\r\n", now),
		   "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
		   "p OK List completed (<TIME>).\r\n");
	session_close(&a);
	store_user_free(&u);
}

/* The Dovecot log line of each way a session ends. */
static void test_disconnect_logs(void)
{
	static const struct {
		const char *input;
		const char *log;
	} cases[] = {
		{ "", "imap-login: Disconnected: Connection closed (no auth "
		  "attempts in 5 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, "
		  "secured, session=<S>\n" },
		{ "a LOGIN alice nope\r\n", "imap-login: Disconnected: Connection "
		  "closed (auth failed, 1 attempts in 5 secs): user=<alice>, "
		  "method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, secured, "
		  "session=<S>\n" },
		{ "a LOGOUT\r\n", "imap-login: Disconnected: Aborted login by "
		  "logging out (no auth attempts in 0 secs): user=<>, "
		  "rip=127.0.0.1, lip=127.0.0.1, secured, session=<S>\n" },
		{ "a AUTHENTICATE PLAIN\r\n*\r\n", "imap-login: Disconnected: "
		  "Connection closed (auth aborted): user=<>, rip=127.0.0.1, "
		  "lip=127.0.0.1, secured, session=<S>\n" },
		{ "a LOGIN alice alicepw\r\n", "imap-login: Login: user=<alice>, "
		  "method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=7, secured, "
		  "session=<S>\nimap(alice)<7><S>: Disconnected: Connection closed "
		  "(No commands sent) in=0 out=416 deleted=0 expunged=0 "
		  "trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 "
		  "body_bytes=0\n" },
		{ "a LOGIN alice alicepw\r\nb UID FETCH 1 FLAGS\r\n",
		  "imap-login: Login: user=<alice>, method=PLAIN, rip=127.0.0.1, "
		  "lip=127.0.0.1, mpid=7, secured, session=<S>\nimap(alice)<7><S>: "
		  "Disconnected: Connection closed (UID FETCH finished 5.000 "
		  "secs ago) in=21 out=465 deleted=0 expunged=0 trashed=0 "
		  "hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0\n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct replay r;
		struct imapd_conf conf;
		mtime_t now = T0;

		memset(&r, 0, sizeof(r));
		r.u = seeded_store();
		imapd_conf_defaults(&conf);
		conf.session_id = "S";
		conf.mail_pid = 7;
		conf.auth_failure_delay_ms = 0;
		r.s = imapd_new(&conf, now);
		buf_init(&r.got);
		buf_init(&r.logs);
		buf_adds(&r.logs, "");
		imapd_feed(r.s, cases[i].input, strlen(cases[i].input), now);
		pump(&r, now);
		now += 5000;
		imapd_eof(r.s, now);
		pump(&r, now);
		if (strcmp(r.logs.data, cases[i].log) != 0)
			fprintf(stderr, "\nlog %zu:\n--- got\n%s--- want\n%s", i,
				r.logs.data, cases[i].log);
		CU_ASSERT_STRING_EQUAL(r.logs.data, cases[i].log);
		imapd_free(&r.s);
		store_user_free(&r.u);
		buf_reset(&r.got);
		buf_reset(&r.logs);
	}
}

/* CONDSTORE/QRESYNC without modification sequences (docs/imap.md) */
static const struct script_step qresync_steps[] = {
	{ "a ENABLE QRESYNC\r\n",
	  "* ENABLED QRESYNC\r\na OK Enabled " T "\r\n" },
	{ "b SELECT INBOX (QRESYNC (1 1))\r\n", NULL },
	{ "c STORE 1,3 +FLAGS.SILENT (\\Deleted)\r\n",
	  "c OK Store completed " T "\r\n" },
	{ "d EXPUNGE\r\n", "* VANISHED 1,3\r\nd OK Expunge completed " T "\r\n" },
	{ "e FETCH 1 (MODSEQ)\r\n",
	  "e BAD Error in IMAP command FETCH: MODSEQ: mailbox has no permanent "
	  "modsequences (NOMODSEQ) " T "\r\n" },
	{ "f STATUS Junk (HIGHESTMODSEQ)\r\n",
	  "f NO Mailbox doesn't exist: Junk " T "\r\n" },
	{ "g STATUS INBOX (HIGHESTMODSEQ MESSAGES)\r\n",
	  "* STATUS INBOX (MESSAGES 1 HIGHESTMODSEQ 0)\r\n"
	  "g OK [CLIENTBUG] Status on selected mailbox completed " T "\r\n" },
	{ NULL, NULL },
};

static void test_qresync(void)
{
	script_both(qresync_steps, 1, NULL);
}

/* Hostile and odd input: answers, never a crash or a hang. */
static const struct script_step hostile_pre[] = {
	{ "a LOGIN {9999999999}\r\n",
	  "* BYE Literal size too large\r\n" },
	{ NULL, NULL },
};

static const struct script_step hostile_post[] = {
	{ "a NOOP (\r\n",
	  "a BAD Error in IMAP command NOOP: Missing ')' " T "\r\n" },
	{ "b NOOP )\r\n",
	  "b BAD Error in IMAP command NOOP: Unexpected ')' " T "\r\n" },
	{ "c NOOP \"abc\r\n",
	  "c BAD Error in IMAP command NOOP: Missing '\"' " T "\r\n" },
	{ "e FETCH 1 FLAGS\r\n", "e BAD No mailbox selected " T "\r\n" },
	{ "f SELECT {3}\r\n", "+ OK\r\n" },
	{ "Old\r\n", "f NO Mailbox doesn't exist: Old " T "\r\n" },
	{ "g STATUS INBOX (MESSAGES\r\n",
	  "g BAD Error in IMAP command STATUS: Missing ')' " T "\r\n" },
	{ "h CREATE caf\xc3\xa9\r\n", "h OK Create completed " T "\r\n" },
	{ "i APPEND INBOX {10+}\r\n", NULL },
	{ "0123456789\r\n", "i OK [APPENDUID <N> 4] Append completed "
	  T "\r\n" },
	{ "j IDLE\r\n", "+ idling\r\n" },
	{ "nope\r\n", "j BAD Expected DONE " T "\r\n" },
	{ "k UID FOO\r\n",
	  "k BAD Error in IMAP command UID FOO: Unknown command " T "\r\n" },
	{ "l APPEND INBOX {99999999999+}\r\nm NOOP\r\n",
	  "l NO [TOOBIG] Mail size is too large " T "\r\n"
	  "* BYE Literal size too large\r\n" },
	{ NULL, NULL },
};

static const struct script_step hostile_auth[] = {
	{ "a AUTHENTICATE PLAIN\r\n", "+ \r\n" },
	{ "*\r\n", "a BAD Authentication aborted by client.\r\n" },
	{ "b AUTHENTICATE PLAIN !!!!\r\n",
	  "b BAD Invalid base64 data in continued response\r\n" },
	{ "c AUTHENTICATE CRAM-MD5\r\n",
	  "c NO Unsupported authentication mechanism.\r\n" },
	{ "LOGIN alice alicepw\r\n",
	  "LOGIN BAD First parameter in line is IMAP's command tag, not the "
	  "command name. Add that before the command, like: a login user pass\r\n" },
	{ NULL, NULL },
};

static void test_hostile(void)
{
	struct imapd_conf conf;

	script_both(hostile_pre, 0, NULL);
	script_both(hostile_post, 1, NULL);
	script_both(hostile_auth, 0, NULL);
	/* disable_plaintext_auth on a connection that is not secured */
	imapd_conf_defaults(&conf);
	conf.secured = 0;
	{
		const struct script_step steps[] = {
			{ "a CAPABILITY\r\n",
			  "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE "
			  "IDLE LITERAL+ STARTTLS LOGINDISABLED\r\na OK Pre-login "
			  "capabilities listed, post-login capabilities have more.\r\n" },
			{ "b LOGIN alice alicepw\r\n",
			  "b NO [PRIVACYREQUIRED] Plaintext authentication "
			  "disallowed on non-secure (SSL/TLS) connections.\r\n" },
			{ "c STARTTLS\r\nd NOOP\r\n",
			  "c OK Begin TLS negotiation now.\r\n" },
			{ NULL, NULL },
		};

		script_both(steps, 0, &conf);
	}
	/* three bad commands before login end the connection */
	{
		const struct script_step steps[] = {
			{ "\r\n", "* BAD Error in IMAP command received by server.\r\n" },
			{ "a SELECT x\r\n",
			  "a BAD Error in IMAP command received by server.\r\n" },
			{ "b FOO\r\n", "* BYE Too many invalid IMAP commands.\r\n" },
			{ "c NOOP\r\n", "" },
			{ NULL, NULL },
		};

		script_both(steps, 0, NULL);
	}
	/* a line longer than imap-login's buffer */
	{
		char *big = xmalloc(6000);
		struct script_step steps[3];

		memset(big, 'x', 5998);
		big[5998] = '\r';
		big[5999] = '\0';
		steps[0].client = big;
		steps[0].want = "* BYE Input buffer full, aborting\r\n";
		steps[1].client = NULL;
		steps[1].want = NULL;
		script_both(steps, 0, NULL);
		free(big);
	}
}

void test_imapd_register(void)
{
	CU_pSuite s = CU_add_suite("imapd", NULL, NULL);

	CU_add_test(s, "reference 01-session", test_01_session);
	CU_add_test(s, "reference 02-preauth", test_02_preauth);
	CU_add_test(s, "reference 03-starttls-authenticate", test_03_starttls);
	CU_add_test(s, "fetch items", test_fetch);
	CU_add_test(s, "search, sort, thread", test_search);
	CU_add_test(s, "mailbox commands", test_mailboxes);
	CU_add_test(s, "CONDSTORE/QRESYNC (NOMODSEQ)", test_qresync);
	CU_add_test(s, "disconnect log lines", test_disconnect_logs);
	CU_add_test(s, "two sessions, one mailbox", test_two_sessions);
	CU_add_test(s, "NUL, 8-bit, wrong state", test_odd_bytes);
	CU_add_test(s, "threads, sorts, BINARY, CATENATE, ESEARCH",
		    test_threads_sorts);
	CU_add_test(s, "hostile input", test_hostile);
}
