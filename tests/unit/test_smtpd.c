/*
 * CUnit suite for the smtpd engine against every captured Postfix session
 * in tests/data/smtp (copies of reference/transcripts/smtp): each *.txt
 * is replayed through the engine with the harness's fake policy, twice
 * (each client write at once, then one byte at a time), and the server
 * bytes, the "# reply delayed" marks (SMTPD_EV_DELAY), the end of the
 * session and the smtpd lines of the matching *.log must come out the
 * same, queue IDs masked.
 *
 * Transcript format: "S:"/"C:" lines with \r \n \t \\ \xNN escapes;
 * consecutive C: lines were one write; "#" and "==" lines are comments or
 * events ("# config: k = v", "# reply delayed", "== TLS established",
 * "== connection error", "== server closed connection").
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtpd_harness.h"

void test_smtpd_register(void);

enum step_kind { STEP_FEED, STEP_TLS_OK, STEP_CONN_ERR, STEP_NONE };

struct step {
	enum step_kind kind;
	struct buf feed;
	struct buf expect;
	int delayed;
};

struct script {
	struct step *steps;
	size_t n;
	int expect_closed;
	struct smtpd_conf conf;
	int outside;
	int relay_reject;
};

static void failf(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(int line, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, (unsigned)line, msg, __FILE__, "",
				CU_FALSE);
}

/* Counts a check that held, so the summary shows what was compared. */
static void passed(void)
{
	CU_assertImplementation(CU_TRUE, __LINE__, "ok", __FILE__, "", CU_FALSE);
}

static struct step *new_step(struct script *sc, enum step_kind k)
{
	struct step *st;

	sc->steps = xrealloc(sc->steps, (sc->n + 1) * sizeof(*st));
	st = &sc->steps[sc->n++];
	memset(st, 0, sizeof(*st));
	st->kind = k;
	buf_init(&st->feed);
	buf_init(&st->expect);
	buf_adds(&st->feed, "");
	buf_adds(&st->expect, "");
	return st;
}

/* "# config: name = value" as capture.py applied it. */
static void apply_config(struct script *sc, const char *kv)
{
	char name[128], value[512];

	value[0] = 0;
	if (sscanf(kv, "%127s = %511[^\n]", name, value) < 1)
		return;
	if (strcmp(name, "smtpd_helo_required") == 0)
		sc->conf.helo_required = strcmp(value, "yes") == 0;
	else if (strcmp(name, "mynetworks") == 0)
		sc->outside = strstr(value, "127.0.0.2/32") != NULL;
	else if (strcmp(name, "smtpd_relay_restrictions") == 0)
		sc->relay_reject = strstr(value, "reject_unauth_destination")
		    != NULL;
	else if (strcmp(name, "smtpd_forbid_bare_newline") == 0)
		sc->conf.bare_newline = strcmp(value, "reject") == 0
		    ? SMTPD_BARE_NL_REJECT
		    : strcmp(value, "no") == 0 ? SMTPD_BARE_NL_NO
		    : SMTPD_BARE_NL_NORMALIZE;
	else if (strcmp(name, "smtpd_tls_security_level") == 0)
		sc->conf.tls_offer = strcmp(value, "none") != 0;
}

static void parse_script(struct script *sc, char *text)
{
	char *save = NULL;
	char *line;
	struct step *cur = NULL;

	memset(sc, 0, sizeof(*sc));
	sh_default_conf(&sc->conf);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "S: ", 3) == 0) {
			if (cur == NULL)
				cur = new_step(sc, STEP_NONE);
			sh_unescape(&cur->expect, line + 3);
		} else if (strncmp(line, "C: ", 3) == 0) {
			if (cur == NULL || cur->kind != STEP_FEED
			    || cur->expect.len > 0 || cur->delayed)
				cur = new_step(sc, STEP_FEED);
			sh_unescape(&cur->feed, line + 3);
		} else if (strncmp(line, "# reply delayed", 15) == 0) {
			if (cur != NULL)
				cur->delayed = 1;
		} else if (strncmp(line, "# config: ", 10) == 0) {
			apply_config(sc, line + 10);
		} else if (strncmp(line, "== TLS established", 18) == 0) {
			cur = new_step(sc, STEP_TLS_OK);
		} else if (strncmp(line, "== connection error", 19) == 0) {
			cur = new_step(sc, STEP_CONN_ERR);
		} else if (strncmp(line, "== server closed", 16) == 0) {
			sc->expect_closed = 1;
		}
	}
}

static void free_script(struct script *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		buf_reset(&sc->steps[i].feed);
		buf_reset(&sc->steps[i].expect);
	}
	free(sc->steps);
}

/* The smtpd lines of a *.log file, text after "postfix/smtpd[PID]: ". */
static char *expected_log(const char *path, int byte_mode)
{
	char *text = sh_slurp(path, NULL);
	struct buf b;
	char *save = NULL;
	char *line;

	buf_init(&b);
	buf_adds(&b, "");
	if (text == NULL)
		return b.data;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, " postfix/smtpd[");

		if (p == NULL || (p = strstr(p, "]: ")) == NULL)
			continue;
		p += 3;
		if (byte_mode && strncmp(p, "improper command pipelining", 27) == 0
		    && strstr(p, "after CONNECT") == NULL)
			continue;
		buf_adds(&b, p);
		buf_addc(&b, '\n');
	}
	free(text);
	return b.data;
}

static const char *show(const char *s)
{
	static char out[2][1400];
	static int k;
	char *o = out[k ^= 1];
	size_t j = 0;

	for (; *s && j + 8 < sizeof(out[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r') {
			o[j++] = '\\';
			o[j++] = 'r';
		} else if (c == '\n') {
			o[j++] = '\\';
			o[j++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			j += (size_t)sprintf(o + j, "\\x%02x", c);
		} else {
			o[j++] = (char)c;
		}
	}
	o[j] = 0;
	return o;
}

/* Where two strings first differ, for readable failure messages. */
static size_t diff_at(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	return i;
}

/* Message content the captured Postfix stored, checked per transcript. */
static char *expected_data(const char *name, size_t *len_out)
{
	struct buf b;
	const char *fixed = NULL;
	int i;

	if (strcmp(name, "01-study-note") == 0)
		fixed = "Ola Amigo\n";
	else if (strcmp(name, "05c-bare-lf-default") == 0)
		fixed = "Subject: bare LF\n\nbare LF line 1\n"
		    "bare LF line 2\nCRLF line 3\n";
	else if (strcmp(name, "05d-bare-lf-normalize") == 0)
		fixed = "Subject: bare LF normalize\n\nbare LF here\n"
		    "CRLF here\nafter a bare-LF dot\n";
	if (fixed != NULL) {
		*len_out = strlen(fixed);
		return xstrdup(fixed);
	}
	if (strcmp(name, "05b-data-edge-cases") != 0)
		return NULL;
	buf_init(&b);
	buf_adds(&b, "Subject: data edge cases\nFrom: root@centos.localdomain\n"
		 "To: wees@centos.localdomain\n\nline before a 5000-char line\n");
	for (i = 0; i < 5000; i++)
		buf_addc(&b, 'L');
	buf_adds(&b, "\n.this line was dot-stuffed by the client\n.\n"
		 "line after a dot-stuffed lone dot\ntab\there\nNUL>");
	buf_addc(&b, 0);
	buf_adds(&b, "<NUL\n8bit: \xc3\xa9t\xc3\xa9\n");
	*len_out = b.len;
	return b.data;
}

static void replay(const char *dir, const char *name, int byte_mode)
{
	char path[4096];
	char *text;
	struct script sc;
	struct sh h;
	struct buf cum;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	text = sh_slurp(path, NULL);
	if (text == NULL) {
		failf(__LINE__, "%s: cannot read %s", name, path);
		return;
	}
	parse_script(&sc, text);
	memset(&h, 0, sizeof(h));
	h.byte_mode = byte_mode;
	h.outside = sc.outside;
	h.relay_reject = sc.relay_reject;
	/* a client that talks first writes before the banner is sent */
	sh_start(&h, &sc.conf, sc.n == 0 || sc.steps[0].kind != STEP_FEED);
	buf_init(&cum);
	buf_adds(&cum, "");
	for (i = 0; i < sc.n; i++) {
		struct step *st = &sc.steps[i];
		int d0 = h.ndelay;
		char *want, *got;

		switch (st->kind) {
		case STEP_FEED:
			sh_feed(&h, st->feed.data, st->feed.len);
			if ((h.ndelay > d0) != st->delayed)
				failf(__LINE__, "%s (%s) step %zu \"%s\": delay "
				      "got %d, want %d", name, byte_mode ? "bytes"
				      : "writes", i, show(st->feed.data),
				      h.ndelay > d0, st->delayed);
			break;
		case STEP_TLS_OK:
			if (!h.tls_pending)
				failf(__LINE__, "%s: TLS without STARTTLS", name);
			h.tls_pending = 0;
			smtpd_tls_started(h.s, 2000);
			sh_run(&h);
			break;
		case STEP_CONN_ERR:
			if (h.tls_pending) {
				/* the driver's own lines (reference 06e) */
				buf_addf(&h.logs, "SSL_accept error from "
					 "localhost[127.0.0.1]: -1\n"
					 "warning: TLS library problem: "
					 "error:0A00010B:SSL routines::wrong "
					 "version number:../ssl/record/"
					 "ssl3_record.c:350:\n");
				smtpd_close(h.s, 2000);
				sh_run(&h);
			}
			break;
		case STEP_NONE:
			break;
		}
		buf_add(&cum, st->expect.data, st->expect.len);
		want = sh_mask(cum.data);
		got = sh_mask(h.out.data);
		if (strncmp(want, got, strlen(want)) != 0) {
			size_t at = diff_at(want, got);

			failf(__LINE__, "%s (%s) step %zu: output got \"%s\", "
			      "want \"%s\"", name, byte_mode ? "bytes" : "writes",
			      i, show(got + at), show(want + at));
			free(want);
			free(got);
			break;
		}
		free(want);
		free(got);
	}
	{
		char *want = sh_mask(cum.data);
		char *got = sh_mask(h.out.data);
		char *lpath = xasprintf("%s/%s.log", dir, name);
		char *wl = expected_log(lpath, byte_mode);
		char *mwl = sh_mask(wl);
		char *mgl = sh_mask(h.logs.data);
		size_t wlen = 0;
		char *wd = expected_data(name, &wlen);

		passed();
		if (strcmp(want, got) != 0)
			failf(__LINE__, "%s (%s): output got \"%s\", want \"%s\"",
			      name, byte_mode ? "bytes" : "writes",
			      show(got + diff_at(want, got)),
			      show(want + diff_at(want, got)));
		if (sc.expect_closed && !h.closed)
			failf(__LINE__, "%s: session not closed", name);
		if (strcmp(mwl, mgl) != 0) {
			size_t at = diff_at(mwl, mgl);

			failf(__LINE__, "%s (%s): log got \"%s\", want \"%s\"",
			      name, byte_mode ? "bytes" : "writes",
			      show(mgl + at), show(mwl + at));
		}
		if (wd != NULL && (h.data.len != wlen
				   || memcmp(h.data.data, wd, wlen) != 0))
			failf(__LINE__, "%s: DATA got \"%s\"", name,
			      show(h.data.data));
		if (strcmp(name, "05f-bare-lf-reject-in-data") == 0
		    && h.ndata != 0)
			failf(__LINE__, "%s: a rejected message reached the "
			      "driver", name);
		free(want);
		free(got);
		free(lpath);
		free(wl);
		free(mwl);
		free(mgl);
		free(wd);
	}
	buf_reset(&cum);
	sh_free(&h);
	free_script(&sc);
	free(text);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_all(int byte_mode)
{
	const char *dir = sh_data_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (d == NULL) {
		failf(__LINE__, "cannot open %s", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".txt") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrndup(e->d_name, len - 4);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	if (n < 31)
		failf(__LINE__, "found %zu transcripts in %s, want 31", n, dir);
	for (i = 0; i < n; i++) {
		replay(dir, names[i], byte_mode);
		free(names[i]);
	}
	free(names);
}

static void test_transcripts_writes(void)
{
	replay_all(0);
}

static void test_transcripts_bytes(void)
{
	replay_all(1);
}

void test_smtpd_register(void)
{
	CU_pSuite s = CU_add_suite("smtpd", NULL, NULL);

	CU_add_test(s, "reference transcripts, each write at once",
		    test_transcripts_writes);
	CU_add_test(s, "reference transcripts, one byte at a time",
		    test_transcripts_bytes);
}
