/*
 * console: the line handling shared by the terminal and the stream
 * front ends. What it tracks of the protocol is only what a telnet user
 * would have to know: which command each answer belongs to (a FIFO, so
 * an answer that comes late is still explained against its command) and
 * what the lines are (console_frame.c).
 */
#include "ui/console.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/console_frame.h"
#include "ui/transcript.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"
#define C_CYAN "\033[36m"
#define C_MAGENTA "\033[35m"

struct console {
	struct console_opts o;
	struct console_peer *peer;
	struct console_frame *frame;
	struct buf in;		/* server bytes short of a line end */
	char **fifo;		/* commands awaiting their answer */
	size_t nfifo;
	char *last;		/* the last command answered */
	int closed;
	int closing;		/* the server said it will close */
	int tls_agreed;
	unsigned long replies;
	int last_code;
	unsigned long printed;	/* lines printed (for console_poll) */
	void (*before)(void *ctx);	/* console_poll's hook, while polling */
	void *before_ctx;
};

struct console *console_new(const struct console_opts *o,
			    struct console_peer *peer)
{
	struct console *c = xcalloc(1, sizeof(*c));

	c->o = *o;
	if (c->o.out == NULL)
		c->o.out = stdout;
	c->peer = peer;
	c->frame = console_frame_new(o->proto);
	buf_init(&c->in);
	c->last = xstrdup("(greeting)");
	return c;
}

void console_free(struct console **cp)
{
	struct console *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	if (c->peer != NULL && c->peer->free != NULL)
		c->peer->free(c->peer);
	for (i = 0; i < c->nfifo; i++)
		free(c->fifo[i]);
	free(c->fifo);
	free(c->last);
	console_frame_free(&c->frame);
	buf_reset(&c->in);
	free(c);
	*cp = NULL;
}

int console_in_data(const struct console *c)
{
	return console_frame_raw(c->frame);
}

enum explain_proto console_proto(const struct console *c)
{
	return c->o.proto;
}

char *console_next_tag(const struct console *c)
{
	return console_frame_next_tag(c->frame);
}

int console_closing(const struct console *c)
{
	return c->closing;
}

int console_take_tls(struct console *c)
{
	int t = c->tls_agreed;

	c->tls_agreed = 0;
	return t;
}

int console_closed(const struct console *c)
{
	return c->closed;
}

unsigned long console_replies_seen(const struct console *c)
{
	return c->replies;
}

int console_last_reply_code(const struct console *c)
{
	return c->last_code;
}

const char *const *console_verbs(const struct console *c)
{
	if (c->peer != NULL && c->peer->verbs != NULL)
		return c->peer->verbs;
	return console_frame_verbs(c->o.proto);
}

static void push(struct console *c, const char *cmd)
{
	c->fifo = xrealloc(c->fifo, (c->nfifo + 1) * sizeof(*c->fifo));
	c->fifo[c->nfifo++] = xstrdup(cmd);
}

/* The command the next reply answers. */
static const char *head(const struct console *c)
{
	return c->nfifo > 0 ? c->fifo[0] : c->last;
}

const char *console_mode(const struct console *c, long *left_out)
{
	const char *m = console_frame_mode(c->frame, left_out);
	const char *cmd = head(c), *sp = strchr(cmd, ' ');

	/* RFC 2177: inside IDLE the only thing to type is DONE. */
	if (m != NULL && strcmp(m, "continue") == 0 &&
	    c->o.proto == EXPLAIN_IMAP && sp != NULL &&
	    strncasecmp(sp + 1, "IDLE", 4) == 0 &&
	    (sp[5] == '\0' || sp[5] == ' '))
		return "idle";
	return m;
}

static void pop(struct console *c)
{
	if (c->nfifo == 0)
		return;
	free(c->last);
	c->last = c->fifo[0];
	memmove(c->fifo, c->fifo + 1, (c->nfifo - 1) * sizeof(*c->fifo));
	c->nfifo--;
}

/* The colour of a server line that starts an answer. */
static const char *line_colour(enum explain_proto proto, const char *p,
			       size_t n)
{
	char status[8] = "";
	size_t i = 0, j;

	if (proto == EXPLAIN_SMTP) {
		switch (n > 0 ? p[0] : 0) {
		case '2': return C_GREEN;
		case '3': return C_CYAN;
		case '4': return C_YELLOW;
		case '5': return C_RED;
		default: return "";
		}
	}
	if (n > 0 && p[0] == '+' && (n < 3 || strncmp(p, "+OK", 3) != 0))
		return C_CYAN;		/* a continuation request */
	if (proto == EXPLAIN_POP3)
		return n >= 3 && strncmp(p, "+OK", 3) == 0 ? C_GREEN :
		       n >= 4 && strncmp(p, "-ERR", 4) == 0 ? C_RED : "";
	/* IMAP: the status word after the tag or "*" */
	while (i < n && p[i] != ' ')
		i++;
	for (j = 0; i + 1 + j < n && j + 1 < sizeof(status) &&
		    isalpha((unsigned char)p[i + 1 + j]); j++)
		status[j] = (char)toupper((unsigned char)p[i + 1 + j]);
	status[j] = '\0';
	if (strcmp(status, "OK") == 0 || strcmp(status, "PREAUTH") == 0)
		return C_GREEN;
	if (strcmp(status, "NO") == 0)
		return C_YELLOW;
	if (strcmp(status, "BAD") == 0)
		return C_RED;
	if (strcmp(status, "BYE") == 0)
		return C_MAGENTA;
	return C_CYAN;		/* untagged data: EXISTS, FETCH, LIST ... */
}

/* Bytes as shown: the CRLF that ends a line is implied, anything else
 * (a bare LF, a NUL, 8-bit bytes) is escaped as in transcripts. */
static char *shown(const struct console *c, const char *p, size_t n)
{
	struct buf b;
	size_t i;

	if (n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n')
		n -= 2;
	buf_init(&b);
	if (!c->o.interactive) {
		transcript_escape(&b, p, n);
		return buf_steal(&b, NULL);
	}
	/* A person reads the line as the server wrote it (\Seen, a tab,
	 * UTF-8); only what a terminal would act on is escaped. */
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
			buf_addc(&b, (char)ch);
		else
			transcript_escape(&b, p + i, 1);
	}
	buf_adds(&b, "");
	return buf_steal(&b, NULL);
}

/* Display columns of n bytes of UTF-8 (continuation bytes take none). */
static size_t columns(const char *p, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/*
 * Prints text word-wrapped to the terminal, the first line after first,
 * the others after cont (a hanging indent), so long explanations stay
 * readable; on a pipe (width 0) one line: stable and diffable. Each text
 * line may itself hold newlines (the welcome).
 */
static void print_wrapped(struct console *c, const char *colour,
			  const char *first, const char *cont, const char *text)
{
	FILE *f = c->o.out;
	const char *p = text;
	size_t indent = strlen(first) > strlen(cont) ? strlen(first) : strlen(cont);
	size_t avail = c->o.width > 20 + (int)indent ? (size_t)c->o.width - indent : 0;
	int firstline = 1;

	if (c->o.color)
		fputs(colour, f);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (avail > 0 && columns(p, n) > avail) {
			/* The last blank that keeps the piece within avail. */
			size_t i, cut = 0, w = 0;

			for (i = 0; i < n && w <= avail; i++) {
				if (p[i] == ' ')
					cut = i;
				if (((unsigned char)p[i] & 0xc0) != 0x80)
					w++;
			}
			n = cut > 0 ? cut : i - 1;
		}
		fprintf(f, "%s%.*s\n", firstline ? first : cont, (int)n, p);
		firstline = 0;
		p += n;
		if (*p == '\n') {
			p++;
			firstline = 1;	/* a new paragraph starts flush */
		}
		while (*p == ' ')
			p++;
	}
	if (c->o.color)
		fputs(C_RESET, f);
}

static void print_explanation(struct console *c, const char *text)
{
	print_wrapped(c, C_DIM, "   = ", "     ", text);
}

/* Something unasked is printed while the terminal shows its prompt. */
static void about_to_print(struct console *c)
{
	if (c->before != NULL) {
		c->before(c->before_ctx);
		c->before = NULL;
	}
	c->printed++;
}

static void server_line(struct console *c, const char *p, size_t n)
{
	FILE *f = c->o.out;
	char *text = shown(c, p, n);
	const char *cmd = head(c);
	struct console_frame_server fs;

	console_frame_server_line(c->frame, p, n, cmd, &fs);
	about_to_print(c);
	if (c->o.color)
		fprintf(f, C_BOLD "S:" C_RESET " %s%s" C_RESET "\n",
			fs.data ? "" : line_colour(c->o.proto, p, n), text);
	else
		fprintf(f, "S: %s\n", text);
	if (c->o.explain && fs.explain) {
		char *raw = xstrndup(p, n), *why;
		size_t k = strlen(raw);

		while (k > 0 && (raw[k - 1] == '\n' || raw[k - 1] == '\r'))
			raw[--k] = '\0';
		why = explain_reply(c->o.proto, cmd, raw);
		if (why != NULL && *why != '\0')
			print_explanation(c, why);
		free(why);
		free(raw);
	}
	if (fs.closing)
		c->closing = 1;
	if (fs.done) {
		c->replies++;
		c->last_code = c->o.proto == EXPLAIN_SMTP && n >= 3 &&
			       isdigit((unsigned char)p[0]) &&
			       isdigit((unsigned char)p[1]) &&
			       isdigit((unsigned char)p[2]) ?
			       (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') : 0;
		if (fs.tls)
			c->tls_agreed = 1;
		if (fs.finished)
			pop(c);
	}
	free(text);
	fflush(f);
}

void console_server_bytes(struct console *c, const void *p, size_t n)
{
	const char *nl;

	buf_add(&c->in, p, n);
	while (c->in.len > 0 && (nl = memchr(c->in.data, '\n', c->in.len)) != NULL) {
		size_t len = (size_t)(nl - c->in.data) + 1;

		server_line(c, c->in.data, len);
		buf_consume(&c->in, len);
	}
}

void console_server_delay(struct console *c, long ms)
{
	FILE *f = c->o.out;

	if (ms <= 0)
		return;
	about_to_print(c);
	if (!c->o.interactive) {
		/* The transcript's own notation (docs/transcripts.md). */
		fprintf(f, "# reply delayed ~%.0f s\n", (double)ms / 1000.0);
	} else {
		char *t = explain_delay(c->o.proto, ms);

		print_wrapped(c, C_MAGENTA, "", "  ", t);
		free(t);
	}
	fflush(f);
}

void console_server_event(struct console *c, const char *text)
{
	FILE *f = c->o.out;

	about_to_print(c);
	if (c->o.color)
		fprintf(f, C_MAGENTA "== %s" C_RESET "\n", text);
	else
		fprintf(f, "== %s\n", text);
	fflush(f);
}

void console_note(struct console *c, const char *text)
{
	about_to_print(c);
	if (c->o.interactive)
		print_wrapped(c, C_MAGENTA, "", "", text);
	else
		print_wrapped(c, "", "# ", "# ", text);
	fflush(c->o.out);
}

void console_server_closed(struct console *c)
{
	if (c->closed)
		return;
	if (c->in.len > 0) {
		/* A last line without its line end. */
		server_line(c, c->in.data, c->in.len);
		buf_clear(&c->in);
	}
	c->closed = 1;
	console_server_event(c, "server closed connection");
	if (c->o.interactive)
		console_note(c, _("The server closed the connection."));
}

int console_start(struct console *c)
{
	if (c->peer->send(c->peer, c, NULL, 0, 1) < 0 || c->closed)
		return -1;
	return 0;
}

int console_line(struct console *c, const char *line)
{
	struct console_frame_client fc;
	struct buf b;

	if (c->closed)
		return 1;
	if (!c->o.interactive) {
		char *t = shown(c, line, strlen(line));

		fprintf(c->o.out, "C: %s\n", t);
		free(t);
	}
	console_frame_client_line(c->frame, line, &fc);
	if (fc.command)
		push(c, fc.pseudo != NULL ? fc.pseudo : line);
	/* Telnet's line end is CRLF, and so is every mail protocol's
	 * (RFC 5321 2.3.8, RFC 1939 3, RFC 3501 2.2). */
	buf_init(&b);
	buf_adds(&b, line);
	buf_adds(&b, "\r\n");
	c->peer->send(c->peer, c, b.data, b.len, fc.expect);
	buf_reset(&b);
	return c->closed ? 1 : 0;
}

void console_leave(struct console *c)
{
	if (c->closed)
		return;
	if (c->peer->leave != NULL)
		c->peer->leave(c->peer, c);
	c->closed = 1;
	if (c->o.interactive) {
		/* TRANSLATORS: %s is QUIT (SMTP, POP3) or LOGOUT (IMAP) */
		char *t = xasprintf(_("You closed the connection (the server logs it as a lost connection unless you said %s)."),
				    c->o.proto == EXPLAIN_IMAP ? "LOGOUT" : "QUIT");

		console_note(c, t);
		free(t);
	} else {
		console_server_event(c, "client closed connection");
	}
}

int console_run_stream(struct console *c, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (console_start(c) < 0) {
		free(line);
		return 0;
	}
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (console_line(c, line) != 0)
			break;
	}
	free(line);
	if (!c->closed)
		console_leave(c);
	return 0;
}

int console_poll(struct console *c, void (*before)(void *ctx), void *ctx)
{
	unsigned long printed = c->printed;
	int rc;

	if (c->closed)
		return -1;
	if (c->peer->poll == NULL)
		return 0;
	c->before = before;
	c->before_ctx = ctx;
	rc = c->peer->poll(c->peer, c);
	c->before = NULL;
	if (rc < 0 || c->closed)
		return -1;
	return c->printed != printed;
}
