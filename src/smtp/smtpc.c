/*
 * The SMTP client engine: a queue of commands waiting for their replies
 * (one with PIPELINING, several with it), a reply reader, and one handler
 * per command that decides what to send next. See smtpc.h.
 */
#include "smtp/smtpc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

enum smtpc_cmd {
	SMTPC_CMD_GREETING,
	SMTPC_CMD_EHLO,
	SMTPC_CMD_HELO,
	SMTPC_CMD_STARTTLS,
	SMTPC_CMD_MAIL,
	SMTPC_CMD_RCPT,
	SMTPC_CMD_DATA,
	SMTPC_CMD_DOT,
	SMTPC_CMD_QUIT,
};

struct smtpc_pending {
	enum smtpc_cmd cmd;
	size_t rcpt;		/* RCPT: which recipient */
};

struct smtpc_rcpt {
	struct smtpc_status st;
	char *text;		/* owned copy behind st.text */
	int accepted;		/* 2xx to RCPT TO */
};

struct smtpc {
	struct smtpc_conf conf;
	const struct smtpc_msg *msg;	/* borrowed from the caller */
	struct buf in, out;
	struct buf reply;		/* the reply being read, lines joined */
	int reply_code;
	int greeting_code;
	struct smtpc_pending pend[64];
	size_t npend;
	struct smtpc_rcpt *rcpts;
	size_t naccepted;
	size_t next_rcpt;		/* without PIPELINING: the next to send */
	int pipelining, starttls_offered, tls_active, tls_wait;
	long size_limit;		/* SIZE n from EHLO; 0: none said */
	int eightbitmime;
	int dsn;
	int mail_failed;
	int quit_sent;
	int closed, close_reported;
	/* events waiting for smtpc_next() */
	struct smtpc_event *evq;
	char **evtext;
	size_t nev, evcap;
	char *ev_last;			/* text of the event last returned */
};

static const char *const cmd_reply_names[] = {
	[SMTPC_CMD_GREETING] = "initial greeting",
	[SMTPC_CMD_EHLO] = "EHLO command",
	[SMTPC_CMD_HELO] = "HELO command",
	[SMTPC_CMD_STARTTLS] = "STARTTLS command",
	[SMTPC_CMD_MAIL] = "MAIL FROM command",
	[SMTPC_CMD_RCPT] = "RCPT TO command",
	[SMTPC_CMD_DATA] = "DATA command",
	[SMTPC_CMD_DOT] = "end of DATA command",
	[SMTPC_CMD_QUIT] = "QUIT command",
};

/* Postfix's smtp(8) phases for "lost connection with HOST while ..." */
static const char *const cmd_lost_phases[] = {
	[SMTPC_CMD_GREETING] = "receiving the initial server greeting",
	[SMTPC_CMD_EHLO] = "performing the EHLO handshake",
	[SMTPC_CMD_HELO] = "performing the HELO handshake",
	[SMTPC_CMD_STARTTLS] = "sending STARTTLS",
	[SMTPC_CMD_MAIL] = "sending MAIL FROM",
	[SMTPC_CMD_RCPT] = "sending RCPT TO",
	[SMTPC_CMD_DATA] = "sending DATA command",
	[SMTPC_CMD_DOT] = "sending end of data -- message may be sent more than once",
	[SMTPC_CMD_QUIT] = "sending QUIT",
};

static const char *const ev_names[] = {
	[SMTPC_EV_SEND] = "send",
	[SMTPC_EV_REPLY] = "reply",
	[SMTPC_EV_STARTTLS] = "starttls",
	[SMTPC_EV_CLOSE] = "close",
};

const char *smtpc_ev_type_name(enum smtpc_ev_type t)
{
	if ((size_t)t < ARRAY_LEN(ev_names) && ev_names[t] != NULL)
		return ev_names[t];
	return "?";
}

static void push_event(struct smtpc *c, enum smtpc_ev_type t, const char *text)
{
	if (c->nev == c->evcap) {
		c->evcap = c->evcap ? 2 * c->evcap : 16;
		c->evq = xrealloc(c->evq, c->evcap * sizeof(*c->evq));
		c->evtext = xrealloc(c->evtext, c->evcap * sizeof(*c->evtext));
	}
	c->evq[c->nev].type = t;
	c->evtext[c->nev] = text != NULL ? xstrdup(text) : NULL;
	c->evq[c->nev].text = c->evtext[c->nev];
	c->nev++;
}

static void send_line(struct smtpc *c, enum smtpc_cmd cmd, size_t rcpt,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void send_line(struct smtpc *c, enum smtpc_cmd cmd, size_t rcpt,
		      const char *fmt, ...)
{
	va_list ap;
	char *line;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	line = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_adds(&c->out, line);
	buf_adds(&c->out, "\r\n");
	push_event(c, SMTPC_EV_SEND, line);
	free(line);
	BUG_ON(c->npend >= ARRAY_LEN(c->pend));
	c->pend[c->npend].cmd = cmd;
	c->pend[c->npend].rcpt = rcpt;
	c->npend++;
	if (cmd == SMTPC_CMD_QUIT)
		c->quit_sent = 1;
}

/* The enhanced status code at the start of text ("5.1.1 ..."), if any,
 * of the same class as the reply code (RFC 3463, RFC 2034 section 3). */
static void dsn_from_reply(int code, const char *text, char dsn[16])
{
	const char *p = text;
	size_t i = 0;

	if (strlen(p) > 4 && isdigit((unsigned char)p[0]) && p[3] != '\0')
		p += 4;		/* skip "550 " or "550-" */
	if ((p[0] == '2' || p[0] == '4' || p[0] == '5') && p[0] == '0' + code / 100
	    && p[1] == '.') {
		const char *q = p + 2;
		int dots = 0;

		while (*q != '\0' && (isdigit((unsigned char)*q) || *q == '.')) {
			if (*q == '.')
				dots++;
			q++;
		}
		if (dots == 1 && (*q == ' ' || *q == '\0') && (size_t)(q - p) < 16
		    && q[-1] != '.') {
			for (i = 0; p + i < q; i++)
				dsn[i] = p[i];
			dsn[i] = '\0';
			return;
		}
	}
	snprintf(dsn, 16, "%d.0.0", code / 100 >= 2 && code / 100 <= 5 ? code / 100 : 4);
}

static void set_status(struct smtpc *c, size_t i, enum smtpc_why why, int code,
		       const char *dsn, const char *text, enum smtpc_cmd cmd)
{
	struct smtpc_rcpt *r = &c->rcpts[i];

	free(r->text);
	r->text = xstrdup(text);
	r->st.why = why;
	r->st.code = code;
	if (dsn != NULL)
		snprintf(r->st.dsn, sizeof(r->st.dsn), "%s", dsn);
	else
		dsn_from_reply(code, text, r->st.dsn);
	r->st.text = r->text;
	r->st.in_reply_to = why == SMTPC_WHY_REPLY ? cmd_reply_names[cmd] : NULL;
}

/* Every recipient still without an outcome gets this one. */
static void fail_open(struct smtpc *c, enum smtpc_why why, int code,
		      const char *dsn, const char *text, enum smtpc_cmd cmd)
{
	size_t i;

	for (i = 0; i < c->msg->nrcpt; i++)
		if (c->rcpts[i].st.why == SMTPC_WHY_NONE)
			set_status(c, i, why, code, dsn, text, cmd);
}

/* The recipients the server accepted, refused at DATA or at the dot. */
static void fail_accepted(struct smtpc *c, int code, const char *text,
			  enum smtpc_cmd cmd)
{
	size_t i;

	for (i = 0; i < c->msg->nrcpt; i++)
		if (c->rcpts[i].accepted)
			set_status(c, i, SMTPC_WHY_REPLY, code, NULL, text, cmd);
}

static void quit(struct smtpc *c)
{
	if (!c->quit_sent)
		send_line(c, SMTPC_CMD_QUIT, 0, "QUIT");
}

static void send_rcpt(struct smtpc *c, size_t i)
{
	const char *orcpt = c->msg->orcpts != NULL ? c->msg->orcpts[i] : NULL;

	if (c->dsn && orcpt != NULL)
		send_line(c, SMTPC_CMD_RCPT, i, "RCPT TO:<%s> ORCPT=%s",
			  c->msg->rcpts[i], orcpt);
	else
		send_line(c, SMTPC_CMD_RCPT, i, "RCPT TO:<%s>", c->msg->rcpts[i]);
}

static long msg_size(const struct smtpc *c)
{
	return c->msg->size >= 0 ? c->msg->size : (long)c->msg->len;
}

static void start_transaction(struct smtpc *c)
{
	char params[96] = "";
	size_t i;

	if (c->conf.tls == SMTPC_TLS_ENCRYPT && !c->tls_active) {
		fail_open(c, SMTPC_WHY_LOCAL, 0, "4.7.4",
			  "TLS is required, but was not offered by host", 0);
		quit(c);
		return;
	}
	/* RFC 1870 section 6: do not send what the server said it refuses;
	 * Postfix bounces at once with this text. */
	if (c->size_limit > 0 && msg_size(c) > c->size_limit) {
		char why[128];

		snprintf(why, sizeof(why), "message size %ld exceeds size limit %ld of server",
			 msg_size(c), c->size_limit);
		fail_open(c, SMTPC_WHY_LOCAL, 0, "5.3.4", why, 0);
		quit(c);
		return;
	}
	if (c->size_limit != -1)
		snprintf(params, sizeof(params), " SIZE=%ld", msg_size(c));
	if (c->eightbitmime && c->msg->eightbit)
		strcat(params, " BODY=8BITMIME");
	send_line(c, SMTPC_CMD_MAIL, 0, "MAIL FROM:<%s>%s", c->msg->sender, params);
	if (c->pipelining) {
		for (i = 0; i < c->msg->nrcpt; i++)
			send_rcpt(c, i);
		send_line(c, SMTPC_CMD_DATA, 0, "DATA");
	}
}

static void parse_ehlo(struct smtpc *c, const char *lines)
{
	const char *p = lines;

	c->pipelining = c->starttls_offered = c->eightbitmime = c->dsn = 0;
	c->size_limit = -1;
	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char kw[64];
		size_t k = 0;

		if (n > 4) {
			const char *q = p + 4;

			while (k + 1 < sizeof(kw) && q < p + n && *q != ' ')
				kw[k++] = (char)toupper((unsigned char)*q++);
			kw[k] = '\0';
			if (strcmp(kw, "PIPELINING") == 0)
				c->pipelining = !c->conf.no_pipelining;
			else if (strcmp(kw, "STARTTLS") == 0)
				c->starttls_offered = 1;
			else if (strcmp(kw, "8BITMIME") == 0)
				c->eightbitmime = 1;
			else if (strcmp(kw, "DSN") == 0)
				c->dsn = 1;
			else if (strcmp(kw, "SIZE") == 0)
				c->size_limit = q < p + n ? strtol(q + 1, NULL, 10) : 0;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void after_hello(struct smtpc *c)
{
	if (c->conf.tls != SMTPC_TLS_NONE && c->starttls_offered && !c->tls_active) {
		send_line(c, SMTPC_CMD_STARTTLS, 0, "STARTTLS");
		return;
	}
	start_transaction(c);
}

/* One complete reply to the command at the head of the queue. */
static void handle_reply(struct smtpc *c, int code, const char *lines)
{
	struct smtpc_pending p;
	char *joined = xstrdup(lines);
	char *q;
	int ok = code >= 200 && code < 300;

	for (q = joined; *q != '\0'; q++)
		if (*q == '\n')
			*q = ' ';
	if (c->npend == 0) {
		/* A reply nobody asked for: Postfix would see it as the reply
		 * to its next command; we ignore it. */
		free(joined);
		return;
	}
	p = c->pend[0];
	memmove(c->pend, c->pend + 1, (c->npend - 1) * sizeof(c->pend[0]));
	c->npend--;

	switch (p.cmd) {
	case SMTPC_CMD_GREETING:
		c->greeting_code = code;
		if (code == 220) {
			send_line(c, SMTPC_CMD_EHLO, 0, "EHLO %s", c->conf.helo_name);
		} else {
			fail_open(c, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
			quit(c);
		}
		break;
	case SMTPC_CMD_EHLO:
		if (ok) {
			parse_ehlo(c, lines);
			after_hello(c);
		} else if (code >= 500) {
			send_line(c, SMTPC_CMD_HELO, 0, "HELO %s", c->conf.helo_name);
		} else {
			fail_open(c, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
			quit(c);
		}
		break;
	case SMTPC_CMD_HELO:
		if (ok) {
			c->size_limit = -1;
			start_transaction(c);
		} else {
			fail_open(c, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
			quit(c);
		}
		break;
	case SMTPC_CMD_STARTTLS:
		if (code == 220) {
			c->tls_wait = 1;
			push_event(c, SMTPC_EV_STARTTLS, NULL);
		} else if (c->conf.tls == SMTPC_TLS_ENCRYPT) {
			fail_open(c, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
			quit(c);
		} else {
			start_transaction(c);
		}
		break;
	case SMTPC_CMD_MAIL:
		if (!ok) {
			c->mail_failed = 1;
			fail_open(c, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
			if (!c->pipelining)
				quit(c);
		} else if (!c->pipelining && c->msg->nrcpt > 0) {
			send_rcpt(c, c->next_rcpt++);
		}
		break;
	case SMTPC_CMD_RCPT:
		if (!c->mail_failed) {
			if (ok) {
				c->rcpts[p.rcpt].accepted = 1;
				c->naccepted++;
			} else {
				set_status(c, p.rcpt, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
			}
		}
		if (!c->pipelining) {
			if (c->next_rcpt < c->msg->nrcpt)
				send_rcpt(c, c->next_rcpt++);
			else if (c->naccepted > 0)
				send_line(c, SMTPC_CMD_DATA, 0, "DATA");
			else
				quit(c);
		}
		break;
	case SMTPC_CMD_DATA:
		if (c->mail_failed || c->naccepted == 0) {
			quit(c);
		} else if (code == 354) {
			const char *d = c->msg->data;
			size_t n = c->msg->len, i = 0;

			/* RFC 5321 4.5.2: a line starting with '.' gets one more;
			 * every line ends in CRLF on the wire. */
			while (i < n) {
				const char *nl = memchr(d + i, '\n', n - i);
				size_t end = nl != NULL ? (size_t)(nl - d) : n;
				size_t len = end - i;

				if (len > 0 && d[end - 1] == '\r' && nl != NULL)
					len--;
				if (len > 0 && d[i] == '.')
					buf_addc(&c->out, '.');
				buf_add(&c->out, d + i, len);
				buf_adds(&c->out, "\r\n");
				i = nl != NULL ? end + 1 : n;
			}
			send_line(c, SMTPC_CMD_DOT, 0, ".");
		} else {
			fail_accepted(c, code, joined, p.cmd);
			quit(c);
		}
		break;
	case SMTPC_CMD_DOT: {
		size_t i;

		for (i = 0; i < c->msg->nrcpt; i++)
			if (c->rcpts[i].accepted)
				set_status(c, i, SMTPC_WHY_REPLY, code, NULL, joined, p.cmd);
		quit(c);
		break;
	}
	case SMTPC_CMD_QUIT:
		c->closed = 1;
		break;
	}
	free(joined);
}

/* Takes complete lines from the input; a final line completes a reply. */
static void read_replies(struct smtpc *c)
{
	long max = c->conf.max_reply_line > 0 ? c->conf.max_reply_line : 2048;

	while (!c->closed && !c->tls_wait && c->in.len > 0) {
		char *nl = memchr(c->in.data, '\n', c->in.len);
		size_t n, keep;
		char *line;
		int code = 0, last = 1;

		if (nl == NULL)
			break;
		n = (size_t)(nl - c->in.data);
		keep = n > 0 && c->in.data[n - 1] == '\r' ? n - 1 : n;
		if ((long)keep > max)
			keep = (size_t)max;
		line = xstrndup(c->in.data, keep);
		buf_consume(&c->in, n + 1);
		push_event(c, SMTPC_EV_REPLY, line);
		if (keep >= 3 && isdigit((unsigned char)line[0])
		    && isdigit((unsigned char)line[1]) && isdigit((unsigned char)line[2])) {
			code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
			last = line[3] != '-';
		}
		if (c->reply.len > 0)
			buf_addc(&c->reply, '\n');
		buf_adds(&c->reply, line);
		free(line);
		if (!last)
			continue;
		handle_reply(c, code, c->reply.data);
		buf_clear(&c->reply);
	}
	if (c->closed && !c->close_reported) {
		c->close_reported = 1;
		push_event(c, SMTPC_EV_CLOSE, NULL);
	}
}

struct smtpc *smtpc_new(const struct smtpc_conf *conf,
			const struct smtpc_msg *msg, mtime_t now)
{
	struct smtpc *c = xcalloc(1, sizeof(*c));

	(void)now;
	c->conf = *conf;
	c->msg = msg;
	buf_init(&c->in);
	buf_init(&c->out);
	buf_init(&c->reply);
	c->rcpts = xcalloc(msg->nrcpt + 1, sizeof(*c->rcpts));
	c->size_limit = -1;
	c->pend[0].cmd = SMTPC_CMD_GREETING;
	c->npend = 1;
	return c;
}

void smtpc_free(struct smtpc **cp)
{
	struct smtpc *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->msg->nrcpt; i++)
		free(c->rcpts[i].text);
	free(c->rcpts);
	for (i = 0; i < c->nev; i++)
		free(c->evtext[i]);
	free(c->evq);
	free(c->evtext);
	free(c->ev_last);
	buf_reset(&c->in);
	buf_reset(&c->out);
	buf_reset(&c->reply);
	free(c);
	*cp = NULL;
}

void smtpc_feed(struct smtpc *c, const void *buf, size_t len, mtime_t now)
{
	(void)now;
	if (!c->closed)
		buf_add(&c->in, buf, len);
}

void smtpc_eof(struct smtpc *c, mtime_t now)
{
	const char *phase;

	(void)now;
	read_replies(c);
	if (c->closed)
		return;
	phase = cmd_lost_phases[c->npend > 0 ? c->pend[0].cmd : SMTPC_CMD_QUIT];
	/* After QUIT was sent a lost connection changes nothing. */
	if (!(c->npend > 0 && c->pend[0].cmd == SMTPC_CMD_QUIT)) {
		size_t i;

		/* Recipients that were accepted but never confirmed by the
		 * dot's reply lose their acceptance too. */
		for (i = 0; i < c->msg->nrcpt; i++)
			if (c->rcpts[i].accepted && c->rcpts[i].st.why == SMTPC_WHY_NONE)
				c->rcpts[i].accepted = 0;
		fail_open(c, SMTPC_WHY_LOST, 0, "4.4.2", phase, 0);
	}
	c->closed = 1;
	if (!c->close_reported) {
		c->close_reported = 1;
		push_event(c, SMTPC_EV_CLOSE, NULL);
	}
}

int smtpc_next(struct smtpc *c, struct smtpc_event *ev_out, mtime_t now)
{
	(void)now;
	if (c->nev == 0)
		read_replies(c);
	if (c->nev == 0)
		return 0;
	free(c->ev_last);
	c->ev_last = c->evtext[0];
	*ev_out = c->evq[0];
	memmove(c->evq, c->evq + 1, (c->nev - 1) * sizeof(c->evq[0]));
	memmove(c->evtext, c->evtext + 1, (c->nev - 1) * sizeof(c->evtext[0]));
	c->nev--;
	return 1;
}

struct buf *smtpc_output(struct smtpc *c)
{
	return &c->out;
}

void smtpc_tls_started(struct smtpc *c, mtime_t now)
{
	(void)now;
	BUG_ON(!c->tls_wait);
	c->tls_wait = 0;
	c->tls_active = 1;
	/* RFC 3207 section 4.2: forget what the server said before TLS. */
	c->pipelining = c->starttls_offered = c->eightbitmime = c->dsn = 0;
	c->size_limit = -1;
	buf_clear(&c->in);
	send_line(c, SMTPC_CMD_EHLO, 0, "EHLO %s", c->conf.helo_name);
}

int smtpc_closed(const struct smtpc *c)
{
	return c->closed;
}

int smtpc_tls_active(const struct smtpc *c)
{
	return c->tls_active;
}

const struct smtpc_status *smtpc_rcpt_status(const struct smtpc *c, size_t i)
{
	static const struct smtpc_status none = { SMTPC_WHY_NONE, 0, "", "", NULL };

	if (i >= c->msg->nrcpt)
		return &none;
	if (c->rcpts[i].st.why == SMTPC_WHY_NONE)
		return &none;
	return &c->rcpts[i].st;
}

int smtpc_greeting_code(const struct smtpc *c)
{
	return c->greeting_code;
}
