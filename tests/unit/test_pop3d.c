/*
 * CUnit suite for the POP3 engine (src/pop3/pop3d*.c): every reference
 * transcript (tests/data/pop3/, copied from reference/transcripts/pop3/)
 * replayed through the engine, all bytes at once and one byte at a time,
 * with an mbox store in a temporary directory (the mailbox file must end
 * up as Dovecot left it) and with the RAM store; the log lines must be
 * Dovecot's (session IDs, PIDs and seconds masked). Then hostile input.
 */
#include <CUnit/CUnit.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "pop3/pop3d.h"
#include "store/store.h"
#include "tutil.h"

void test_pop3d_register(void);

#define T0 ((mtime_t)1795903389 * 1000)

struct drv {
	struct pop3d *s;
	struct buf got;
	struct buf logs;
	int delayed, closed, stls;
	int ram;
	char *root;
	struct store_user *user;	/* the logged-in user's storage */
	struct store_user *ram_store;	/* RAM mode: alice's INBOX */
	struct store_mailbox *mb;
	mtime_t now;
};

static const struct {
	const char *user, *pass;
} accounts[] = {
	{ "alice", "alicepw" },
	{ "bob", "bobpw" },
};

static void seed_ram(struct drv *d, const char *mbox_file)
{
	char *root = tu_tmpdir(), *p = xasprintf("%s/var/mail/alice", root);
	struct store_user *u;
	struct store_mailbox *from, *to;
	struct err e;
	size_t i;

	tu_copy_file(mbox_file, p);
	u = store_user_open("mbox:~/mail:INBOX=/var/mail/%u", "alice",
			    "/home/alice", root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RO, T0,
						 &from, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(d->ram_store, "INBOX",
						 STORE_OPEN_RW, T0, &to, &e), 0);
	for (i = 0; i < store_mailbox_count(from); i++)
		CU_ASSERT_EQUAL(store_mailbox_copy(from, i, to, T0, NULL, &e), 0);
	store_mailbox_close(&to, T0);
	store_mailbox_close(&from, T0);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
	free(p);
}

static void on_auth(struct drv *d, const struct pop3d_event *ev)
{
	struct pop3d_verdict v;
	struct err e;
	size_t i;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < ARRAY_LEN(accounts); i++)
		if (strcmp(accounts[i].user, ev->user) == 0 &&
		    strcmp(accounts[i].pass, ev->pass) == 0)
			v.ok = 1;
	if (v.ok) {
		v.user = ev->user;
		v.mpid = 14359;
		if (d->ram) {
			if (strcmp(ev->user, "alice") == 0)
				d->user = d->ram_store;
			else
				d->user = store_user_open("ram:", ev->user,
							  "/home/x", "", &e);
		} else {
			char *home = xasprintf("/home/%s", ev->user);

			d->user = store_user_open("mbox:~/mail:INBOX=/var/mail/%u",
						  ev->user, home, d->root, &e);
			free(home);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(d->user);
		/* The reference's first login was at T0: its UIDVALIDITY. */
		if (store_mailbox_open(d->user, "INBOX", STORE_OPEN_RW, T0,
				       &d->mb, &e) == 0)
			v.mailbox = d->mb;
	}
	pop3d_auth_verdict(d->s, &v, d->now);
}

static void run(struct drv *d)
{
	struct pop3d_event ev;
	struct buf *out;

	while (pop3d_next(d->s, &ev, d->now) == 1) {
		switch (ev.type) {
		case POP3D_EV_LOG:
			buf_adds(&d->logs, ev.text);
			buf_addc(&d->logs, '\n');
			break;
		case POP3D_EV_AUTH:
			on_auth(d, &ev);
			break;
		case POP3D_EV_DELAY:
			CU_ASSERT_EQUAL(ev.delay_ms, POP3D_AUTH_FAILURE_DELAY_MS);
			d->delayed = 1;
			d->now += ev.delay_ms;
			break;
		case POP3D_EV_STLS:
			d->stls = 1;
			break;
		case POP3D_EV_CLOSE:
			d->closed = 1;
			break;
		}
	}
	out = pop3d_output(d->s);
	buf_add(&d->got, out->data != NULL ? out->data : "", out->len);
	buf_clear(out);
}

static void feed(struct drv *d, const char *p, size_t n, int bytewise)
{
	size_t i;

	if (!bytewise) {
		pop3d_feed(d->s, p, n, d->now);
		run(d);
		return;
	}
	for (i = 0; i < n; i++) {
		pop3d_feed(d->s, p + i, 1, d->now);
		run(d);
	}
}

/* Dovecot's log line as the test compares it: after "dovecot: ", with
 * session IDs, PIDs and durations masked. */
static char *mask(const char *in)
{
	static const struct {
		const char *re, *with;
	} rules[] = {
		{ "session=<[^>]*>", "session=<S>" },
		{ ")<[0-9]+><[^>]*>", ")<P><S>" },
		{ "mpid=[0-9]+", "mpid=P" },
		{ "in [0-9]+ secs", "in N secs" },
	};
	char *s = xstrdup(in);
	size_t i;

	for (i = 0; i < ARRAY_LEN(rules); i++) {
		regex_t re;
		regmatch_t m;
		struct buf b;
		const char *p = s;

		CU_ASSERT_EQUAL_FATAL(regcomp(&re, rules[i].re, REG_EXTENDED), 0);
		buf_init(&b);
		while (regexec(&re, p, 1, &m, 0) == 0) {
			buf_add(&b, p, (size_t)m.rm_so);
			buf_adds(&b, rules[i].with);
			p += m.rm_eo;
		}
		buf_adds(&b, p);
		regfree(&re);
		free(s);
		s = buf_steal(&b, NULL);
	}
	return s;
}

static char *expected_log(const char *path)
{
	char *text = tu_read_file(path, NULL), *line, *save = NULL;
	struct buf b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	buf_init(&b);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *d = strstr(line, " dovecot: ");

		if (d != NULL) {
			buf_adds(&b, d + 10);
			buf_addc(&b, '\n');
		}
	}
	free(text);
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b, NULL);
}

struct step {
	struct buf client, server;
	int delayed, tls, closed;
};

static size_t parse_transcript(const char *path, struct step **out)
{
	char *text = tu_read_file(path, NULL), *line, *save = NULL;
	struct step *v = xcalloc(1, sizeof(*v));
	size_t n = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	buf_init(&v[0].client);
	buf_init(&v[0].server);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		struct step *cur = &v[n - 1];
		char *bytes = xmalloc(strlen(line) + 1);
		size_t len;

		if (strncmp(line, "C: ", 3) == 0) {
			if (cur->server.len > 0 || cur->tls || cur->delayed ||
			    n == 1) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				cur = &v[n++];
				memset(cur, 0, sizeof(*cur));
			}
			len = tu_unescape(line + 3, bytes);
			buf_add(&cur->client, bytes, len);
		} else if (strncmp(line, "S: ", 3) == 0) {
			len = tu_unescape(line + 3, bytes);
			buf_add(&cur->server, bytes, len);
		} else if (strncmp(line, "# reply delayed", 15) == 0) {
			cur->delayed = 1;
		} else if (strncmp(line, "== TLS established", 18) == 0) {
			cur->tls = 1;
		} else if (strncmp(line, "== server closed", 16) == 0) {
			cur->closed = 1;
		}
		free(bytes);
	}
	free(text);
	*out = v;
	return n;
}

static void show_diff(const char *what, const struct buf *got,
		      const struct buf *want)
{
	fprintf(stderr, "\n%s: got [%.*s]\nwant [%.*s]\n", what,
		(int)got->len, got->data != NULL ? got->data : "",
		(int)want->len, want->data != NULL ? want->data : "");
}

static void replay(const char *name, const char *seed, const char *after,
		   int bytewise, int ram)
{
	char *tpath = xasprintf("tests/data/pop3/%s.txt", name);
	char *lpath = xasprintf("tests/data/pop3/%s.log", name);
	struct pop3d_conf conf;
	struct step *steps;
	struct drv d;
	size_t n, i;
	struct err e;

	memset(&d, 0, sizeof(d));
	d.ram = ram;
	d.now = T0 - 20000;
	buf_init(&d.got);
	buf_init(&d.logs);
	if (ram) {
		d.ram_store = store_user_open("ram:", "alice", "/home/alice",
					      "", &e);
		if (seed != NULL)
			seed_ram(&d, seed);
	} else {
		char *p;

		d.root = tu_tmpdir();
		p = xasprintf("%s/var/mail", d.root);
		tu_mkdirs(p);
		free(p);
		if (seed != NULL) {
			p = xasprintf("%s/var/mail/alice", d.root);
			tu_copy_file(seed, p);
			free(p);
		}
	}
	memset(&conf, 0, sizeof(conf));
	conf.greeting = "Dovecot (Debian) ready.";
	conf.client_addr = "127.0.0.1";
	conf.local_addr = "127.0.0.1";
	conf.client_port = 33748;
	conf.secured = 1;
	conf.disable_plaintext_auth = 1;
	conf.tls_offer = 1;
	conf.auth_failure_delay_ms = POP3D_AUTH_FAILURE_DELAY_MS;
	d.s = pop3d_new(&conf, d.now);

	n = parse_transcript(tpath, &steps);
	for (i = 0; i < n; i++) {
		struct step *st = &steps[i];

		buf_clear(&d.got);
		d.delayed = 0;
		if (st->client.len > 0)
			feed(&d, st->client.data, st->client.len, bytewise);
		else
			run(&d);
		if (d.got.len != st->server.len ||
		    memcmp(d.got.data, st->server.data, d.got.len) != 0) {
			fprintf(stderr, "\n%s step %zu (%s, %s)", name, i,
				bytewise ? "bytewise" : "at once",
				ram ? "ram" : "mbox");
			show_diff("reply", &d.got, &st->server);
			CU_FAIL("reply differs from the transcript");
		}
		if (d.delayed != st->delayed) {
			fprintf(stderr, "\n%s step %zu: delay got %d want %d\n",
				name, i, d.delayed, st->delayed);
			CU_FAIL("delay differs from the transcript");
		}
		if (st->tls) {
			CU_ASSERT_TRUE(d.stls);
			pop3d_tls_started(d.s, d.now);
		}
		if (st->closed)
			CU_ASSERT_TRUE(d.closed);
		d.now += 300;
		buf_reset(&st->client);
		buf_reset(&st->server);
	}
	free(steps);
	if (!d.closed) {
		pop3d_eof(d.s, d.now);
		run(&d);
	}
	{
		char *want = expected_log(lpath);
		char *mw = mask(want), *mg = mask(d.logs.data != NULL ?
						 d.logs.data : "");

		if (strcmp(mg, mw) != 0) {
			fprintf(stderr, "\n%s log:\n got: %s\nwant: %s\n", name,
				mg, mw);
			CU_FAIL("log differs");
		}
		free(want);
		free(mw);
		free(mg);
	}
	pop3d_free(&d.s);
	store_mailbox_close(&d.mb, d.now);
	if (d.user != NULL && d.user != d.ram_store)
		store_user_free(&d.user);
	store_user_free(&d.ram_store);
	if (!ram && after != NULL) {
		char *p = xasprintf("%s/var/mail/alice", d.root);

		tu_assert_same_file(p, after);
		free(p);
	}
	if (d.root != NULL) {
		tu_rmtree(d.root);
		free(d.root);
	}
	buf_reset(&d.got);
	buf_reset(&d.logs);
	free(tpath);
	free(lpath);
}

#define SEED "tests/data/mailboxes/seed-alice.mbox"

static const struct {
	const char *name, *seed, *after;
} transcripts[] = {
	{ "00-preauth-bad-commands", SEED, NULL },
	{ "01-session", SEED, "tests/data/mailboxes/pop3-01-after.mbox" },
	{ "02-auth-variants", SEED, NULL },
	{ "03-stls", SEED, NULL },
	{ "04-empty-mailbox", NULL, NULL },
	/* 05 ran after the IMAP scenarios, on what they left. */
	{ "05-dele-quit", "tests/data/mailboxes/imap-01-after.mbox",
	  "tests/data/mailboxes/pop3-05-after.mbox" },
};

static void test_transcripts(void)
{
	size_t i;
	int bytewise, ram;

	for (i = 0; i < ARRAY_LEN(transcripts); i++)
		for (ram = 0; ram < 2; ram++)
			for (bytewise = 0; bytewise < 2; bytewise++)
				replay(transcripts[i].name, transcripts[i].seed,
				       transcripts[i].after, bytewise, ram);
}

/* --- hostile and odd input, against the RAM store --- */

struct hostile {
	const char *name;
	int secured, tls_offer, login;	/* login: USER/PASS first */
	const char *input;
	const char *want;	/* what the output must contain */
	int closes;
};

static const char long_line[] =
	"NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

static const struct hostile hostile[] = {
	{ "transaction command before login", 1, 0, 0, "RETR 1\r\n",
	  "-ERR Unknown command.\r\n", 0 },
	{ "NUL cuts the command", 1, 0, 0, "CA\0PA\r\n",
	  "-ERR Unknown command.\r\n", 0 },
	{ "bare LF", 1, 0, 0, "CAPA\n", "SASL PLAIN\r\n.\r\n", 0 },
	{ "lower case", 1, 0, 0, "capa\r\n", "+OK\r\nCAPA\r\n", 0 },
	{ "plaintext refused on an insecure connection", 0, 0, 0,
	  "CAPA\r\nUSER alice\r\n",
	  "AUTH-RESP-CODE\r\nSASL\r\n.\r\n-ERR [AUTH] Plaintext authentication "
	  "disallowed on non-secure (SSL/TLS) connections.\r\n", 0 },
	{ "STLS offered on an insecure connection", 0, 1, 0, "CAPA\r\n",
	  "STLS\r\nSASL\r\n", 0 },
	{ "STLS without TLS", 1, 0, 0, "STLS\r\n",
	  "-ERR TLS support isn't enabled.\r\n", 0 },
	{ "QUIT before login", 1, 0, 0, "QUIT\r\n", "+OK Logging out\r\n", 1 },
	{ "AUTH with continuation", 1, 0, 0,
	  "AUTH PLAIN\r\nAGFsaWNlAGFsaWNlcHc=\r\n", "+ \r\n+OK Logged in.\r\n", 0 },
	{ "AUTH aborted", 1, 0, 0, "AUTH PLAIN\r\n*\r\n",
	  "+ \r\n-ERR Authentication aborted by client.\r\n", 0 },
	{ "AUTH bad base64", 1, 0, 0, "AUTH PLAIN !!!!\r\n",
	  "-ERR [AUTH] Invalid base64 data in initial response\r\n", 0 },
	{ "AUTH unknown mechanism", 1, 0, 0, "AUTH LOGIN\r\n",
	  "-ERR [AUTH] Unsupported authentication mechanism.\r\n", 0 },
	{ "AUTH PLAIN without NULs", 1, 0, 0, "AUTH PLAIN YWxpY2U=\r\n",
	  "-ERR [AUTH] Authentication failed.\r\n", 0 },
	{ "USER after login", 1, 0, 1, "USER bob\r\n",
	  "-ERR Unknown command: USER\r\n", 0 },
	{ "noise after message number", 1, 0, 1, "LIST 1 2\r\n",
	  "-ERR Noise after message number:  2\r\n", 0 },
	{ "message number too large", 1, 0, 1, "RETR 99999999999\r\n",
	  "-ERR Message number too large: 99999999999\r\n", 0 },
	{ "TOP without line count", 1, 0, 1, "TOP 1\r\n",
	  "-ERR Noise after message number: \r\n", 0 },
	{ "TOP with a bad count", 1, 0, 1, "TOP 1 x\r\n",
	  "-ERR Invalid size: x\r\n", 0 },
	{ "pipelined", 1, 0, 1, "STAT\r\nNOOP\r\nLIST 2\r\n",
	  "+OK 4 1575\r\n+OK\r\n+OK 2 509\r\n", 0 },
	{ "empty line after login", 1, 0, 1, "\r\n",
	  "-ERR Unknown command: \r\n", 0 },
	{ "dot-stuffing", 1, 0, 1, "RETR 4\r\n",
	  "\r\n..hidden dot\r\n...\r\nend\r\n.\r\n", 0 },
	{ "TOP 4 1 stops after one body line", 1, 0, 1, "TOP 4 1\r\n",
	  "Subject: dots\r\n\r\n..hidden dot\r\n.\r\n", 0 },
};

static void hostile_case(const struct hostile *h, int bytewise,
			 const char *input, size_t len)
{
	struct pop3d_conf conf;
	struct drv d;
	struct err e;
	struct store_mailbox *mb;
	static const char dots[] = "Subject: dots\r\n\r\n.hidden dot\r\n..\r\nend\r\n";

	memset(&d, 0, sizeof(d));
	d.ram = 1;
	d.now = T0;
	buf_init(&d.got);
	buf_init(&d.logs);
	d.ram_store = store_user_open("ram:", "alice", "/home/alice", "", &e);
	seed_ram(&d, SEED);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(d.ram_store, "INBOX",
						 STORE_OPEN_RW, T0, &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_append(mb, dots, strlen(dots), 0, 0, -1,
					     T0, NULL, &e), 0);
	store_mailbox_close(&mb, T0);

	memset(&conf, 0, sizeof(conf));
	conf.greeting = "Dovecot (Debian) ready.";
	conf.secured = h->secured;
	conf.tls_offer = h->tls_offer;
	conf.disable_plaintext_auth = 1;
	conf.auth_failure_delay_ms = POP3D_AUTH_FAILURE_DELAY_MS;
	d.s = pop3d_new(&conf, d.now);
	run(&d);
	if (h->login) {
		static const char login[] = "USER alice\r\nPASS alicepw\r\n";

		feed(&d, login, strlen(login), 0);
		if (strstr(d.got.data, "+OK Logged in.") == NULL)
			CU_FAIL("login");
		/* The dot message arrived after the snapshot? No: before. */
	}
	buf_clear(&d.got);
	feed(&d, input, len, bytewise);
	if (d.got.data == NULL || memmem(d.got.data, d.got.len, h->want,
					 strlen(h->want)) == NULL) {
		fprintf(stderr, "\nhostile '%s' (%s): got [%.*s] want [%s]\n",
			h->name, bytewise ? "bytewise" : "at once",
			(int)d.got.len, d.got.data != NULL ? d.got.data : "",
			h->want);
		CU_FAIL("hostile input reply");
	}
	if (d.closed != h->closes) {
		fprintf(stderr, "\nhostile '%s': closed %d want %d\n", h->name,
			d.closed, h->closes);
		CU_FAIL("hostile input close");
	}
	pop3d_free(&d.s);
	store_mailbox_close(&d.mb, d.now);
	store_user_free(&d.ram_store);
	buf_reset(&d.got);
	buf_reset(&d.logs);
}

static void test_hostile(void)
{
	size_t i;
	int bytewise;

	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		const char *in = hostile[i].input;
		/* One test line carries a NUL: its length is explicit. */
		size_t len = strcmp(hostile[i].name, "NUL cuts the command") == 0 ?
			7 : strlen(in);

		for (bytewise = 0; bytewise < 2; bytewise++)
			hostile_case(&hostile[i], bytewise, in, len);
	}
}

/* Limits: an overlong line before and after login, three bad commands,
 * twenty-one after login. */
static void test_limits(void)
{
	struct pop3d_conf conf;
	struct drv d;
	struct err e;
	struct buf big;
	int i;

	memset(&conf, 0, sizeof(conf));
	conf.greeting = "Dovecot (Debian) ready.";
	conf.secured = 1;
	conf.disable_plaintext_auth = 1;

	/* pop3-login: 1024 bytes of input without a line end. */
	memset(&d, 0, sizeof(d));
	d.ram = 1;
	d.now = T0;
	buf_init(&d.got);
	buf_init(&d.logs);
	buf_init(&big);
	for (i = 0; i < 30; i++)
		buf_adds(&big, long_line);
	d.s = pop3d_new(&conf, T0);
	feed(&d, big.data, big.len, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.got.data, "-ERR Input buffer full, aborting\r\n"));
	CU_ASSERT_TRUE(d.closed);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.logs.data,
		"pop3-login: Disconnected: Input buffer full (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, secured, session=<"));
	pop3d_free(&d.s);
	buf_reset(&d.got);
	buf_reset(&d.logs);

	/* pop3: 2048. */
	memset(&d, 0, sizeof(d));
	d.ram = 1;
	buf_init(&d.got);
	buf_init(&d.logs);
	d.ram_store = store_user_open("ram:", "alice", "/home/alice", "", &e);
	d.s = pop3d_new(&conf, T0);
	feed(&d, "USER alice\r\nPASS alicepw\r\n", 26, 0);
	buf_adds(&big, "\r\n");
	feed(&d, big.data, big.len, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.got.data, "-ERR Input line too long.\r\n"));
	CU_ASSERT_TRUE(d.closed);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.logs.data,
		": Disconnected: Input line too long top=0/0, retr=0/0, del=0/0, size=0"));
	pop3d_free(&d.s);
	store_mailbox_close(&d.mb, T0);
	store_user_free(&d.ram_store);
	buf_reset(&d.got);
	buf_reset(&d.logs);
	buf_reset(&big);

	/* Twenty bad commands after login are tolerated, not 21. */
	memset(&d, 0, sizeof(d));
	d.ram = 1;
	buf_init(&d.got);
	buf_init(&d.logs);
	d.ram_store = store_user_open("ram:", "alice", "/home/alice", "", &e);
	d.s = pop3d_new(&conf, T0);
	feed(&d, "USER alice\r\nPASS alicepw\r\n", 26, 0);
	for (i = 0; i < 20; i++)
		feed(&d, "FOO\r\n", 5, 0);
	CU_ASSERT_FALSE(d.closed);
	feed(&d, "FOO\r\n", 5, 0);
	CU_ASSERT_TRUE(d.closed);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.got.data, "-ERR Unknown command: FOO\r\n-ERR Too many bad commands.\r\n"));
	pop3d_free(&d.s);
	store_mailbox_close(&d.mb, T0);
	store_user_free(&d.ram_store);
	buf_reset(&d.got);
	buf_reset(&d.logs);
}

/* RETR marks \Seen at QUIT; DELE+QUIT expunges; EOF keeps \Seen only. */
static void test_update_state(void)
{
	struct pop3d_conf conf;
	struct drv d;
	struct err e;
	struct store_mailbox *mb;
	int quit;

	for (quit = 0; quit < 2; quit++) {
		memset(&conf, 0, sizeof(conf));
		conf.greeting = "Dovecot (Debian) ready.";
		conf.secured = 1;
		conf.disable_plaintext_auth = 1;
		memset(&d, 0, sizeof(d));
		d.ram = 1;
		d.now = T0;
		buf_init(&d.got);
		buf_init(&d.logs);
		d.ram_store = store_user_open("ram:", "alice", "/home/alice",
					      "", &e);
		seed_ram(&d, SEED);
		d.s = pop3d_new(&conf, T0);
		static const char in[] =
			"USER alice\r\nPASS alicepw\r\nRETR 2\r\nDELE 3\r\n";

		feed(&d, in, strlen(in), 0);
		if (quit) {
			feed(&d, "QUIT\r\n", 6, 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(d.got.data,
				"+OK Logging out, messages deleted.\r\n"));
			CU_ASSERT_PTR_NOT_NULL(strstr(d.logs.data,
				"Disconnected: Logged out top=0/0, retr=1/525, del=1/3, size=1536"));
		} else {
			pop3d_eof(d.s, T0);
			run(&d);
			CU_ASSERT_PTR_NOT_NULL(strstr(d.logs.data,
				"Disconnected: Connection closed top=0/0, retr=1/525, del=0/3, size=1536"));
		}
		CU_ASSERT_TRUE(d.closed);
		pop3d_free(&d.s);
		store_mailbox_close(&d.mb, T0);
		CU_ASSERT_EQUAL_FATAL(store_mailbox_open(d.ram_store, "INBOX",
							 STORE_OPEN_RO, T0,
							 &mb, &e), 0);
		CU_ASSERT_EQUAL(store_mailbox_count(mb), quit ? 2 : 3);
		CU_ASSERT(store_mailbox_msg(mb, 1)->flags & STORE_SEEN);
		CU_ASSERT_FALSE(store_mailbox_msg(mb, 0)->flags & STORE_SEEN);
		store_mailbox_close(&mb, T0);
		store_user_free(&d.ram_store);
		buf_reset(&d.got);
		buf_reset(&d.logs);
	}
}

/* QUIT removes the DELE'd messages only, not one an IMAP client marked
 * \Deleted and left there. */
static void test_quit_expunges_only_dele(void)
{
	struct pop3d_conf conf;
	struct drv d;
	struct err e;
	struct store_mailbox *mb;
	static const char in[] = "USER alice\r\nPASS alicepw\r\nDELE 2\r\nQUIT\r\n";

	memset(&conf, 0, sizeof(conf));
	conf.greeting = "Dovecot (Debian) ready.";
	conf.secured = 1;
	memset(&d, 0, sizeof(d));
	d.ram = 1;
	d.now = T0;
	buf_init(&d.got);
	buf_init(&d.logs);
	d.ram_store = store_user_open("ram:", "alice", "/home/alice", "", &e);
	seed_ram(&d, SEED);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(d.ram_store, "INBOX",
						 STORE_OPEN_RW, T0, &mb, &e), 0);
	store_mailbox_set_flags(mb, 0, STORE_FLAGS_ADD, STORE_DELETED, 0);
	store_mailbox_close(&mb, T0);
	d.s = pop3d_new(&conf, T0);
	feed(&d, in, strlen(in), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.logs.data, "del=1/3, size=1536"));
	pop3d_free(&d.s);
	store_mailbox_close(&d.mb, T0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(d.ram_store, "INBOX",
						 STORE_OPEN_RO, T0, &mb, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(mb), 2);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->uid, 1);
	CU_ASSERT(store_mailbox_msg(mb, 0)->flags & STORE_DELETED);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 1)->uid, 3);
	store_mailbox_close(&mb, T0);
	store_user_free(&d.ram_store);
	buf_reset(&d.got);
	buf_reset(&d.logs);
}

void test_pop3d_register(void)
{
	CU_pSuite s = CU_add_suite("pop3d", NULL, NULL);

	CU_add_test(s, "reference transcripts", test_transcripts);
	CU_add_test(s, "hostile input", test_hostile);
	CU_add_test(s, "limits", test_limits);
	CU_add_test(s, "UPDATE state", test_update_state);
	CU_add_test(s, "QUIT expunges only DELE'd mail",
		    test_quit_expunges_only_dele);
}
