/*
 * console_frame: the framing rules, one function per protocol and side.
 * The client-side mode (a command line, message text, literal bytes, the
 * answer to a challenge) changes with what each side says: SMTP's 354
 * starts message text and the lone "." ends it (RFC 5321 4.1.1.4); a 334
 * (RFC 4954), POP3's "+ " (RFC 5034) or IMAP's "+" (RFC 3501 7.5) asks
 * for one more line of the same command; an IMAP command that ends in
 * {n} sends n bytes after the "+" (or at once with LITERAL+'s {n+}, RFC
 * 7888), then the rest of its line.
 */
#include "ui/console_frame.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"

enum cf_mode {
	CF_CMD,		/* a new command */
	CF_DATA,	/* SMTP message text, until "." */
	CF_LITERAL,	/* IMAP literal bytes from the client */
	CF_REST,	/* the rest of an IMAP command after its literal */
	CF_CONT,	/* the line a "+" / 334 asked for */
};

enum cf_resp {
	CF_RESP_TAGGED,
	CF_RESP_UNTAGGED,
};

struct console_frame {
	enum explain_proto proto;
	enum cf_mode mode;
	long client_lit;	/* IMAP: {n} announced, awaiting "+"; -1 none */
	long lit_left;		/* CF_LITERAL: bytes still due */
	/* POP3 */
	int multi;		/* inside a multi-line answer */
	int multi_items;	/* ... whose lines are worth explaining */
	/* IMAP */
	long srv_lit;		/* literal bytes still to come from the server */
	int in_resp;		/* a response goes on after a literal */
	enum cf_resp resp;
	int resp_positive;
	int resp_closing;
	char *resp_tag;
	char *tag_prefix;	/* the learner's tags: "a" of "a7" */
	unsigned long tag_no;	/* 7 of "a7" */
};

static const char *const smtp_verbs[] = {
	"HELO", "EHLO", "MAIL FROM:", "RCPT TO:", "DATA", "RSET", "NOOP",
	"QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH", "ETRN", "BDAT",
	NULL,
};

/* RFC 1939, 2449 (CAPA), 2595 (STLS), 5034 (AUTH). */
static const char *const pop3_verbs[] = {
	"USER", "PASS", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT",
	"TOP", "UIDL", "CAPA", "STLS", "AUTH", "APOP", NULL,
};

/* RFC 3501 6 and the extensions Dovecot offers (IDLE, NAMESPACE, ID,
 * ENABLE, UNSELECT, MOVE). */
static const char *const imap_verbs[] = {
	"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN",
	"SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
	"UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND", "CHECK", "CLOSE",
	"EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "UID", "IDLE",
	"NAMESPACE", "ENABLE", "ID", "UNSELECT", NULL,
};

static const char *const smtp_bare[] = {
	"DATA", "RSET", "NOOP", "QUIT", "HELP", "STARTTLS", NULL,
};

static const char *const pop3_bare[] = {
	"STAT", "NOOP", "RSET", "QUIT", "CAPA", "STLS", NULL,
};

static const char *const imap_bare[] = {
	"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE",
	"EXPUNGE", "IDLE", "UNSELECT", "NAMESPACE", NULL,
};

struct console_frame *console_frame_new(enum explain_proto proto)
{
	struct console_frame *f = xcalloc(1, sizeof(*f));

	f->proto = proto;
	f->client_lit = -1;
	f->tag_prefix = xstrdup("a");
	return f;
}

void console_frame_free(struct console_frame **fp)
{
	struct console_frame *f = *fp;

	if (f == NULL)
		return;
	free(f->resp_tag);
	free(f->tag_prefix);
	free(f);
	*fp = NULL;
}

/* The n-th blank-separated word of s (0-based) into buf; "" if none. */
static void word(const char *s, int n, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	if (s == NULL)
		return;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return;
		if (n-- == 0)
			break;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
	while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' &&
	       *s != '\n' && k + 1 < len)
		buf[k++] = *s++;
	buf[k] = '\0';
}

static int word_is(const char *s, int n, const char *want)
{
	char w[64];

	word(s, n, w, sizeof(w));
	return strcasecmp(w, want) == 0;
}

static int word_count(const char *s)
{
	char w[8];
	int n = 0;

	for (;;) {
		word(s, n, w, sizeof(w));
		if (w[0] == '\0')
			return n;
		n++;
	}
}

/*
 * A literal announced at the end of an IMAP line: "{123}" or "{123+}"
 * (RFC 3501 4.3, RFC 7888), before the line end. Returns the size, or -1;
 * *plus_out tells a non-synchronising one.
 */
static long trailing_literal(const char *p, size_t n, int *plus_out)
{
	size_t end = n, i;
	long v = 0;

	while (end > 0 && (p[end - 1] == '\n' || p[end - 1] == '\r'))
		end--;
	if (end < 3 || p[end - 1] != '}')
		return -1;
	i = end - 1;
	*plus_out = 0;
	if (i > 0 && p[i - 1] == '+') {
		*plus_out = 1;
		i--;
	}
	{
		size_t digits_end = i;

		while (i > 0 && isdigit((unsigned char)p[i - 1]))
			i--;
		if (i == digits_end || i == 0 || p[i - 1] != '{' ||
		    digits_end - i > 12)
			return -1;
		for (; i < digits_end; i++)
			v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Dovecot's tag rule: an atom without '+' (imap-parser); "*" is not one. */
static int valid_tag(const char *tag)
{
	const char *p;

	if (*tag == '\0')
		return 0;
	for (p = tag; *p != '\0'; p++)
		if (strchr("(){%*\"\\]+", *p) != NULL ||
		    (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

/* Remembers the learner's tag style, for the next tag offered. */
static void note_tag(struct console_frame *f, const char *tag)
{
	size_t i = 0, j;

	while (isalpha((unsigned char)tag[i]))
		i++;
	j = i;
	while (isdigit((unsigned char)tag[j]))
		j++;
	if (i == 0 || j == i || tag[j] != '\0' || j - i > 9)
		return;
	free(f->tag_prefix);
	f->tag_prefix = xstrndup(tag, i);
	f->tag_no = strtoul(tag + i, NULL, 10);
}

char *console_frame_next_tag(const struct console_frame *f)
{
	if (f->proto != EXPLAIN_IMAP)
		return NULL;
	return xasprintf("%s%lu", f->tag_prefix, f->tag_no + 1);
}

/* ---- the client's lines ---- */

static void client_smtp(struct console_frame *f, const char *line,
			struct console_frame_client *o)
{
	switch (f->mode) {
	case CF_DATA:
		/* RFC 5321 4.1.1.4: a lone "." ends the message. */
		if (strcmp(line, ".") == 0) {
			f->mode = CF_CMD;
			o->command = 1;
			o->expect = 1;
			o->pseudo = "(end of DATA)";
		}
		return;
	case CF_CONT:
		o->expect = 1;
		return;
	default:
		o->command = 1;
		o->expect = 1;
	}
}

static void client_pop3(struct console_frame *f, const char *line,
			struct console_frame_client *o)
{
	(void)line;
	o->expect = 1;
	o->command = f->mode != CF_CONT;
}

/* A line that may end in a literal: what the client does next. */
static void imap_line_end(struct console_frame *f, const char *line,
			  struct console_frame_client *o)
{
	int plus = 0;
	long lit = trailing_literal(line, strlen(line), &plus);

	if (lit >= 0 && plus) {
		f->mode = CF_LITERAL;	/* no "+" comes: the bytes follow */
		f->lit_left = lit;
		o->expect = 0;
		if (lit == 0) {
			f->mode = CF_REST;
		}
	} else if (lit >= 0) {
		f->client_lit = lit;
		f->mode = CF_CMD;
		o->expect = 1;		/* the "+" (or a refusal) */
	} else {
		f->mode = CF_CMD;
		o->expect = 1;
	}
}

static void client_imap(struct console_frame *f, const char *line,
			struct console_frame_client *o)
{
	switch (f->mode) {
	case CF_LITERAL:
		f->lit_left -= (long)strlen(line) + 2;	/* with its CRLF */
		if (f->lit_left > 0) {
			o->expect = 0;
		} else if (f->lit_left == 0) {
			f->mode = CF_REST;
			o->expect = 0;
		} else {
			/* The literal ended inside this line: the rest of
			 * the command is the rest of it. */
			f->lit_left = 0;
			imap_line_end(f, line, o);
		}
		return;
	case CF_REST:
		imap_line_end(f, line, o);
		return;
	case CF_CONT:
		f->mode = CF_CMD;
		o->expect = 1;
		return;
	default:
		{
			char tag[64];

			word(line, 0, tag, sizeof(tag));
			note_tag(f, tag);
		}
		o->command = 1;
		f->client_lit = -1;
		imap_line_end(f, line, o);
	}
}

void console_frame_client_line(struct console_frame *f, const char *line,
			       struct console_frame_client *out)
{
	memset(out, 0, sizeof(*out));
	switch (f->proto) {
	case EXPLAIN_SMTP:
		client_smtp(f, line, out);
		break;
	case EXPLAIN_POP3:
		client_pop3(f, line, out);
		break;
	case EXPLAIN_IMAP:
		client_imap(f, line, out);
		break;
	}
}

/* ---- the server's lines ---- */

static void server_smtp(struct console_frame *f, const char *p, size_t n,
			const char *cmd, struct console_frame_server *o)
{
	int reply = n >= 3 && isdigit((unsigned char)p[0]) &&
		    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]);
	int cont = reply && n > 3 && p[3] == '-';
	int code = reply ? (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') : 0;

	/* One explanation per reply, under its last line; EHLO's lines each
	 * get one, since each names an extension. */
	o->explain = !cont || word_is(cmd, 0, "EHLO");
	if (cont)
		return;
	/* A line that is no reply at all also ends one, so that a wrong
	 * server cannot hang the console. */
	o->done = 1;
	o->finished = code != 334;
	o->positive = code >= 200 && code < 400;
	o->closing = code == 221 || code == 421;
	o->tls = code == 220 && word_is(cmd, 0, "STARTTLS") && word_count(cmd) == 1;
	if (code == 354 && word_is(cmd, 0, "DATA"))
		f->mode = CF_DATA;
	else if (code == 334)
		f->mode = CF_CONT;
	else
		f->mode = CF_CMD;
}

/* RFC 1939 and 2449: the commands whose +OK answer has more lines. */
static int pop3_multiline(const char *cmd, int *items_out)
{
	int args = word_count(cmd) - 1;

	*items_out = 0;
	if (word_is(cmd, 0, "CAPA") || (word_is(cmd, 0, "AUTH") && args == 0)) {
		*items_out = 1;
		return 1;
	}
	return word_is(cmd, 0, "RETR") || word_is(cmd, 0, "TOP") ||
	       ((word_is(cmd, 0, "LIST") || word_is(cmd, 0, "UIDL")) &&
		args == 0);
}

static void server_pop3(struct console_frame *f, const char *p, size_t n,
			const char *cmd, struct console_frame_server *o)
{
	if (f->multi) {
		/* RFC 1939 3: ".CRLF" ends it; a line starting with "."
		 * is byte-stuffed with another. */
		if ((n == 3 && memcmp(p, ".\r\n", 3) == 0) ||
		    (n == 2 && memcmp(p, ".\n", 2) == 0) ||
		    (n == 1 && p[0] == '.')) {
			f->multi = 0;
			o->data = 1;
			o->done = o->finished = o->positive = 1;
			return;
		}
		o->data = 1;
		o->explain = f->multi_items;
		return;
	}
	o->explain = 1;
	o->done = 1;
	if (n >= 1 && p[0] == '+' && (n == 1 || p[1] == ' ' || p[1] == '\r' ||
				      p[1] == '\n')) {
		/* RFC 5034 4: the server's challenge; the answer follows. */
		f->mode = CF_CONT;
		o->positive = 1;
		return;
	}
	f->mode = CF_CMD;
	o->finished = 1;
	o->positive = n >= 3 && strncmp(p, "+OK", 3) == 0;
	o->closing = word_is(cmd, 0, "QUIT") ||
		     (n >= 17 && strncmp(p, "-ERR Disconnected", 17) == 0);
	o->tls = o->positive && word_is(cmd, 0, "STLS");
	if (o->positive && strcmp(cmd, "(greeting)") != 0 &&
	    pop3_multiline(cmd, &f->multi_items)) {
		f->multi = 1;
		o->done = o->finished = 0;
	}
}

/* The response of an IMAP server is over: does it end the wait? */
static void imap_resp_end(struct console_frame *f, const char *cmd,
			  struct console_frame_server *o)
{
	char tag[64];

	f->in_resp = 0;
	word(cmd, 0, tag, sizeof(tag));
	o->closing = f->resp_closing;
	if (f->resp == CF_RESP_TAGGED) {
		/* RFC 3501 2.2.2: the tagged line completes the command. */
		o->done = o->finished = 1;
		o->positive = f->resp_positive;
		o->tls = o->positive && word_is(cmd, 1, "STARTTLS");
		f->mode = CF_CMD;
		f->client_lit = -1;
		return;
	}
	/* Untagged: the greeting is one; a command line without a usable
	 * tag gets "* BAD ... Invalid tag" and nothing else (capture.py
	 * waits for one untagged response there). */
	if (strcmp(cmd, "(greeting)") == 0 ||
	    (!valid_tag(tag) && !f->resp_positive && !f->resp_closing)) {
		o->done = o->finished = 1;
		o->positive = f->resp_positive;
	}
}

static void server_imap(struct console_frame *f, const char *p, size_t n,
			const char *cmd, struct console_frame_server *o)
{
	int plus = 0;
	long lit;

	if (f->srv_lit > 0) {
		if ((long)n <= f->srv_lit) {
			f->srv_lit -= (long)n;
			o->data = 1;
			return;
		}
		/* The literal ends inside this line; the response goes on. */
		p += f->srv_lit;
		n -= (size_t)f->srv_lit;
		f->srv_lit = 0;
		o->data = 1;
	} else if (f->in_resp) {
		o->data = 1;	/* after a literal that ended with a line */
	} else if (n >= 1 && p[0] == '+') {
		/* RFC 3501 7.5: a continuation request. */
		o->explain = 1;
		o->done = 1;
		o->positive = 1;
		if (f->client_lit >= 0) {
			f->mode = f->client_lit > 0 ? CF_LITERAL : CF_REST;
			f->lit_left = f->client_lit;
			f->client_lit = -1;
		} else {
			f->mode = CF_CONT;
		}
		return;
	} else {
		char tag[64], status[16];

		word(p, 0, tag, sizeof(tag));
		word(p, 1, status, sizeof(status));
		o->explain = 1;
		f->in_resp = 1;
		f->resp = strcmp(tag, "*") == 0 ? CF_RESP_UNTAGGED : CF_RESP_TAGGED;
		f->resp_positive = strcasecmp(status, "OK") == 0 ||
				   strcasecmp(status, "PREAUTH") == 0;
		f->resp_closing = f->resp == CF_RESP_UNTAGGED &&
				  strcasecmp(status, "BYE") == 0;
		if (f->resp == CF_RESP_UNTAGGED && !f->resp_positive &&
		    strcasecmp(status, "BAD") != 0 &&
		    strcasecmp(status, "NO") != 0 && !f->resp_closing)
			f->resp_positive = -1;	/* data, not a status */
		free(f->resp_tag);
		f->resp_tag = xstrdup(tag);
	}
	lit = trailing_literal(p, n, &plus);
	if (lit > 0) {
		f->srv_lit = lit;
		return;
	}
	if (lit == 0)
		return;		/* "{0}": the response goes on next line */
	imap_resp_end(f, cmd, o);
	if (f->resp_positive < 0)
		f->resp_positive = 0;
}

void console_frame_server_line(struct console_frame *f, const char *p,
			       size_t n, const char *command,
			       struct console_frame_server *out)
{
	const char *cmd = command != NULL ? command : "(greeting)";

	memset(out, 0, sizeof(*out));
	switch (f->proto) {
	case EXPLAIN_SMTP:
		server_smtp(f, p, n, cmd, out);
		break;
	case EXPLAIN_POP3:
		server_pop3(f, p, n, cmd, out);
		break;
	case EXPLAIN_IMAP:
		server_imap(f, p, n, cmd, out);
		break;
	}
}

const char *console_frame_mode(const struct console_frame *f, long *left_out)
{
	if (left_out != NULL)
		*left_out = f->mode == CF_LITERAL ? f->lit_left : 0;
	switch (f->mode) {
	case CF_DATA:
		return "DATA";
	case CF_LITERAL:
		return "literal";
	case CF_REST:
		return "rest";
	case CF_CONT:
		return "continue";
	case CF_CMD:
		break;
	}
	return NULL;
}

int console_frame_raw(const struct console_frame *f)
{
	return f->mode != CF_CMD;
}

const char *const *console_frame_verbs(enum explain_proto proto)
{
	switch (proto) {
	case EXPLAIN_POP3:
		return pop3_verbs;
	case EXPLAIN_IMAP:
		return imap_verbs;
	case EXPLAIN_SMTP:
		break;
	}
	return smtp_verbs;
}

int console_frame_bare_verb(enum explain_proto proto, const char *verb)
{
	const char *const *v = proto == EXPLAIN_POP3 ? pop3_bare :
			       proto == EXPLAIN_IMAP ? imap_bare : smtp_bare;

	for (; *v != NULL; v++)
		if (strcasecmp(*v, verb) == 0)
			return 1;
	return 0;
}
