#include "net/listen_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

/* Connections in the middle of a SASL exchange, by host and peer. */
struct sasl_peer {
	char *key;		/* "host\npeer\nprotocol" */
	struct sasl_peer *next;
};

struct listen_trace {
	FILE *f;
	int own;		/* we opened it */
	/* The listener and its queue manager process (listener_qmgr.h)
	 * write the same file: seq lives in shared memory, and each event
	 * is numbered and written under a record lock, so the file's order
	 * is seq's order. */
	size_t *seq;
	struct buf line;
	struct sasl_peer *sasl;
};

struct listen_trace *listen_trace_open(const char *path, struct err *e)
{
	struct listen_trace *t = xcalloc(1, sizeof(*t));

	if (strcmp(path, "-") == 0) {
		t->f = stdout;
	} else {
		t->f = fopen(path, "ae");
		if (t->f == NULL) {
			err_set(e, errno, _("cannot open %s: %s"), path, strerror(errno));
			free(t);
			return NULL;
		}
		t->own = 1;
	}
	t->seq = mmap(NULL, sizeof(*t->seq), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->seq == MAP_FAILED) {
		err_set(e, errno, "mmap: %s", strerror(errno));
		if (t->own)
			fclose(t->f);
		free(t);
		return NULL;
	}
	*t->seq = 0;
	buf_init(&t->line);
	return t;
}

void listen_trace_close(struct listen_trace **tp)
{
	struct listen_trace *t = *tp;

	if (t == NULL)
		return;
	if (t->own)
		fclose(t->f);
	else
		fflush(t->f);
	while (t->sasl) {
		struct sasl_peer *p = t->sasl;

		t->sasl = p->next;
		free(p->key);
		free(p);
	}
	buf_reset(&t->line);
	munmap(t->seq, sizeof(*t->seq));
	free(t);
	*tp = NULL;
}

/* The record lock around one event (a pipe or terminal has none). */
static void lock_file(struct listen_trace *t, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	(void)fcntl(fileno(t->f), F_SETLKW, &fl);
}

/* The length of a valid UTF-8 sequence at p (RFC 3629), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;	/* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* RFC 8259 section 7. UTF-8 passes; any other byte that is not printable
 * ASCII is written as \u00XX (its Latin-1 reading), as the demo's writer
 * does, so the file is always JSON. */
static void add_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p++);
		} else if (*p >= 0x20 && *p < 0x7f) {
			buf_addc(b, (char)*p++);
		} else if (*p >= 0x80 && (n = utf8_len(p)) > 0) {
			buf_add(b, p, n);
			p += n;
		} else {
			buf_addf(b, "\\u%04x", *p++);
		}
	}
	buf_addc(b, '"');
}

/* "AUTH PLAIN xxx" -> "AUTH PLAIN ***": keeps the first n words. */
static char *keep_words(const char *text, int n)
{
	const char *p = text;
	int i;

	for (i = 0; i < n; i++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	if (p[strspn(p, " ")] == '\0')
		return NULL;	/* nothing secret follows */
	return xasprintf("%.*s ***", (int)(p - text), text);
}

static int word_is(const char *text, int index, const char *word)
{
	const char *p = text;
	size_t n;
	int i;

	for (i = 0; i < index; i++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	p += strspn(p, " ");
	n = strcspn(p, " ");
	return n == strlen(word) && strncasecmp(p, word, n) == 0;
}

const char *listen_trace_mask(const char *protocol, const char *text,
			      int sasl_pending, char **owned)
{
	*owned = NULL;
	if (text == NULL || protocol == NULL)
		return text;
	if (sasl_pending) {
		/* a SASL response ("*" cancels it: nothing secret) */
		if (strcmp(text, "*") == 0 || *text == '\0')
			return text;
		*owned = xstrdup("***");
		return *owned;
	}
	if (strcmp(protocol, "smtp") == 0 && word_is(text, 0, "AUTH"))
		*owned = keep_words(text, 2);		/* AUTH PLAIN *** */
	else if (strcmp(protocol, "pop3") == 0 && word_is(text, 0, "PASS"))
		*owned = keep_words(text, 1);		/* PASS *** */
	else if (strcmp(protocol, "pop3") == 0 && word_is(text, 0, "AUTH"))
		*owned = keep_words(text, 2);
	else if (strcmp(protocol, "imap") == 0 && word_is(text, 1, "LOGIN"))
		*owned = keep_words(text, 3);		/* a1 LOGIN user *** */
	else if (strcmp(protocol, "imap") == 0 && word_is(text, 1, "AUTHENTICATE"))
		*owned = keep_words(text, 3);		/* a1 AUTHENTICATE PLAIN *** */
	return *owned != NULL ? *owned : text;
}

static char *sasl_key(const struct trace_event *ev)
{
	return xasprintf("%s\n%s\n%s", ev->host ? ev->host : "",
			 ev->peer ? ev->peer : "", ev->protocol ? ev->protocol : "");
}

static struct sasl_peer **sasl_find(struct listen_trace *t, const char *key)
{
	struct sasl_peer **pp;

	for (pp = &t->sasl; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			return pp;
	return pp;
}

/* A server line that asks for a SASL response: SMTP "334", POP3 and
 * IMAP "+ " (and a bare "+"). */
static int is_challenge(const struct trace_event *ev)
{
	const char *t = ev->text;

	if (t == NULL || ev->protocol == NULL)
		return 0;
	if (strcmp(ev->protocol, "smtp") == 0)
		return strncmp(t, "334", 3) == 0 && (t[3] == ' ' || t[3] == '\0');
	return t[0] == '+' && (t[1] == ' ' || t[1] == '\0') &&
		strncmp(t, "+OK", 3) != 0;
}

/* Tracks, per connection, whether the client's next line answers a
 * challenge; returns that for an incoming line. */
static int sasl_state(struct listen_trace *t, const struct trace_event *ev)
{
	char *key;
	struct sasl_peer **pp;
	int pending;

	if (ev->peer == NULL || ev->direction == TRACE_DIR_NONE)
		return 0;
	key = sasl_key(ev);
	pp = sasl_find(t, key);
	pending = *pp != NULL;
	if (ev->direction == TRACE_DIR_OUT) {
		if (is_challenge(ev) && *pp == NULL) {
			struct sasl_peer *p = xcalloc(1, sizeof(*p));

			p->key = key;
			p->next = t->sasl;
			t->sasl = p;
			return 0;
		}
		if (!is_challenge(ev) && *pp != NULL) {
			struct sasl_peer *p = *pp;

			*pp = p->next;
			free(p->key);
			free(p);
		}
	}
	free(key);
	return ev->direction == TRACE_DIR_IN && pending;
}

static void emit(void *ctx, const struct trace_event *ev)
{
	struct listen_trace *t = ctx;
	time_t secs = (time_t)(ev->time / 1000);
	char stamp[40];
	struct tm tm;
	char *owned = NULL;
	const char *text = ev->text;
	int pending = sasl_state(t, ev);

	if (ev->direction == TRACE_DIR_IN)
		text = listen_trace_mask(ev->protocol, ev->text, pending, &owned);
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	lock_file(t, F_WRLCK);
	buf_clear(&t->line);
	buf_addf(&t->line, "{\"seq\":%zu,\"time_ms\":%lld,\"time\":\"%s.%03dZ\",\"step\":0,",
		 ++*t->seq, (long long)ev->time, stamp, (int)(ev->time % 1000));
	buf_adds(&t->line, "\"host\":");
	add_string(&t->line, ev->host);
	buf_adds(&t->line, ",\"process\":");
	add_string(&t->line, ev->process);
	buf_adds(&t->line, ",\"peer\":");
	add_string(&t->line, ev->peer);
	buf_adds(&t->line, ",\"protocol\":");
	add_string(&t->line, ev->protocol);
	buf_addf(&t->line, ",\"direction\":\"%s\",\"text\":", trace_dir_name(ev->direction));
	add_string(&t->line, text);
	buf_adds(&t->line, ",\"note\":");
	add_string(&t->line, ev->note);
	buf_adds(&t->line, ",\"dup\":false}\n");
	/* a full disk must not stop the mail: the trace just misses lines */
	if (fwrite(t->line.data, 1, t->line.len, t->f) == t->line.len)
		fflush(t->f);
	lock_file(t, F_UNLCK);
	free(owned);
}

struct trace_sink listen_trace_sink(struct listen_trace *t)
{
	struct trace_sink s = { emit, t };

	return s;
}
