/*
 * The client side of the demo's sessions: a client that types its lines
 * one at a time to a server session of a host, and what a mail program
 * types (submission on 587 with STARTTLS and AUTH, a POP3 or IMAP
 * reader). See scenario_conv.h.
 */
#include "sim/scenario_conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_server.h"

static void trace(const struct trace_sink *t, mtime_t now, const char *host,
		  const char *process, const char *peer, const char *protocol,
		  enum trace_dir dir, const char *text)
{
	struct trace_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = host;
	ev.process = process;
	ev.peer = peer;
	ev.protocol = protocol;
	ev.direction = dir;
	ev.text = text;
	trace_emit(t, &ev);
}

/* "name[addr]" -> name and addr (either may be empty); caller frees. */
void scenario_conv_split_client(const char *client, char **name_out, char **addr_out)
{
	const char *br = strchr(client, '[');
	const char *end = br ? strchr(br, ']') : NULL;

	if (br == NULL || end == NULL) {
		*name_out = xstrdup(client);
		*addr_out = NULL;
		return;
	}
	*name_out = xstrndup(client, (size_t)(br - client));
	*addr_out = xstrndup(br + 1, (size_t)(end - br - 1));
}

/*
 * The server side of a session, whatever the protocol: the same driver
 * loop runs smtp_server (mta/), pop3_server and imap_server (mda/).
 */
static void *smtp_open(struct host *h, const char *name, const char *addr, int port,
		       int tls, mtime_t now)
{
	struct smtp_server_opts so;

	memset(&so, 0, sizeof(so));
	so.client_name = name;
	so.client_addr = addr;
	so.service = port == 587 ? "submission" : port == 465 ? "smtps" : NULL;
	so.tls_possible = tls;
	return smtp_server_new(h, &so, now);
}

static void smtp_feed(void *s, const void *p, size_t n, mtime_t now)
{
	smtp_server_feed(s, p, n, now);
}

static enum scenario_conv_act smtp_run(void *s, mtime_t now)
{
	static const enum scenario_conv_act acts[] = {
		[SMTP_SERVER_NEED_INPUT] = SCENARIO_CONV_INPUT, [SMTP_SERVER_DELAY] = SCENARIO_CONV_DELAY,
		[SMTP_SERVER_STARTTLS] = SCENARIO_CONV_STARTTLS, [SMTP_SERVER_CLOSE] = SCENARIO_CONV_CLOSE,
	};
	long delay = 0;

	return acts[smtp_server_run(s, now, &delay)];
}

static struct buf *smtp_output(void *s)
{
	return smtp_server_output(s);
}

static void smtp_eof(void *s, mtime_t now)
{
	smtp_server_eof(s, now);
}

static void smtp_tls(void *s, mtime_t now)
{
	smtp_server_tls_started(s, now);
}

static void smtp_close(void *s)
{
	struct smtp_server *p = s;

	smtp_server_free(&p);
}

const struct scenario_conv_ops scenario_conv_smtp = {
	"smtp", smtp_open, smtp_feed, smtp_run, smtp_output, smtp_eof, smtp_tls,
	smtp_close,
};

/* Lines of the server's output, each traced as the client reads it. */
static void drain(const struct trace_sink *t, mtime_t now,
		  const struct scenario_conv_ops *ops, void *srv,
		  const char *client, const char *process, const char *peer)
{
	struct buf *out = ops->output(srv);
	size_t start = 0, i;

	for (i = 0; i + 1 < out->len; i++) {
		if (out->data[i] == '\r' && out->data[i + 1] == '\n') {
			char *line = xstrndup(out->data + start, i - start);

			trace(t, now, client, process, peer, ops->protocol, TRACE_DIR_IN, line);
			free(line);
			start = i + 2;
			i++;
		}
	}
	buf_consume(out, start);
}

/*
 * A client that types its lines one at a time, each after the reply to
 * the one before (no pipelining), to a server of the host on port; the
 * client is "name[addr]". With tls, STARTTLS/STLS is honoured (the lab's
 * TLS is simulated by the session). Both ends are traced.
 */
void scenario_conv_run(const struct trace_sink *t, mtime_t now,
		       const struct scenario_conv_ops *ops, struct host *h, int down,
		       const char *client, int port, const char *process,
		       char *const *lines, size_t nlines, int tls)
{
	char *name = NULL, *addr = NULL, *peer;
	void *srv = NULL;
	size_t next = 0;
	int closed = 0;

	scenario_conv_split_client(client, &name, &addr);
	peer = xasprintf("%s:%d", h->name, port);
	if (!down)
		srv = ops->open(h, name, addr ? addr : "127.0.0.1", port, tls, now);
	if (srv == NULL) {
		char *why = xasprintf("connect to %s:%d: Connection refused", h->name, port);

		trace(t, now, name, process, peer, "tcp", TRACE_DIR_NONE, why);
		free(why);
		goto out;
	}
	while (!closed) {
		enum scenario_conv_act act = ops->run(srv, now);

		drain(t, now, ops, srv, name, process, peer);
		switch (act) {
		case SCENARIO_CONV_CLOSE:
			closed = 1;
			break;
		case SCENARIO_CONV_DELAY:
			/* XXX on a fixed clock the delay passes at once */
			break;
		case SCENARIO_CONV_STARTTLS:
			ops->tls_started(srv, now);
			break;
		case SCENARIO_CONV_INPUT:
			if (next == nlines) {
				ops->eof(srv, now);
				(void)ops->run(srv, now);
				drain(t, now, ops, srv, name, process, peer);
				closed = 1;
			} else {
				char *line = xasprintf("%s\r\n", lines[next]);

				trace(t, now, name, process, peer, ops->protocol, TRACE_DIR_OUT,
				      lines[next]);
				ops->feed(srv, line, strlen(line), now);
				free(line);
				next++;
			}
			break;
		}
	}
	ops->close(srv);
out:
	free(peer);
	free(name);
	free(addr);
}

static void push(char ***v, size_t *n, char *line)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = line;
}

/*
 * What a mail program types when it submits on 587: EHLO, STARTTLS and
 * EHLO again, AUTH PLAIN (RFC 4616: "\0user\0password" in base64, RFC
 * 4954), then the envelope and the message, dot-stuffed (RFC 5321
 * 4.5.2). One line at a time: it waits for each reply.
 */
char **scenario_conv_mua_script(const struct scenario_action *a, const char *helo_name,
			 const char *data, size_t *n_out)
{
	const char *helo = a->helo ? a->helo : helo_name;
	char **v = NULL;
	size_t n = 0, i;
	const char *p;

	push(&v, &n, xasprintf("EHLO %s", helo));
	if (a->starttls) {
		push(&v, &n, xstrdup("STARTTLS"));
		push(&v, &n, xasprintf("EHLO %s", helo));
	}
	if (a->auth_user != NULL) {
		size_t ul = strlen(a->auth_user), pl = strlen(a->auth_pass);
		unsigned char *raw = xmalloc(ul + pl + 2);
		char *b64 = xmalloc(4 * ((ul + pl + 2 + 2) / 3) + 1);

		raw[0] = '\0';
		memcpy(raw + 1, a->auth_user, ul);
		raw[1 + ul] = '\0';
		memcpy(raw + 2 + ul, a->auth_pass, pl);
		EVP_EncodeBlock((unsigned char *)b64, raw, (int)(ul + pl + 2));
		push(&v, &n, xasprintf("AUTH PLAIN %s", b64));
		free(raw);
		free(b64);
	}
	push(&v, &n, xasprintf("MAIL FROM:<%s>", a->from));
	for (i = 0; i < a->nto; i++)
		push(&v, &n, xasprintf("RCPT TO:<%s>", a->to[i]));
	push(&v, &n, xstrdup("DATA"));
	for (p = data; *p != '\0';) {
		size_t len = strcspn(p, "\n");

		push(&v, &n, xasprintf("%s%.*s", *p == '.' ? "." : "", (int)len, p));
		p += len;
		if (*p == '\n')
			p++;
	}
	push(&v, &n, xstrdup("."));
	push(&v, &n, xstrdup("QUIT"));
	*n_out = n;
	return v;
}

#if defined(__has_include)
#if __has_include("mda/pop3_server.h") && __has_include("mda/imap_server.h")
#define SCENARIO_CONV_FETCH 1
#endif
#endif

#ifdef SCENARIO_CONV_FETCH
#include "mda/imap_server.h"
#include "mda/pop3_server.h"

static void *pop3_open(struct host *h, const char *name, const char *addr, int port,
		       int tls, mtime_t now)
{
	struct pop3_server_opts o;
	struct err e;

	(void)name;
	pop3_server_opts_for_host(&o, h);
	o.client_addr = addr;
	o.tls_possible = tls;
	o.tls_active = port == 995;
	return pop3_server_new(&o, now, &e);
}

static void pop3_feed(void *s, const void *p, size_t n, mtime_t now)
{
	pop3_server_feed(s, p, n, now);
}

static enum scenario_conv_act pop3_run(void *s, mtime_t now)
{
	static const enum scenario_conv_act acts[] = {
		[POP3_SERVER_NEED_INPUT] = SCENARIO_CONV_INPUT, [POP3_SERVER_DELAY] = SCENARIO_CONV_DELAY,
		[POP3_SERVER_STARTTLS] = SCENARIO_CONV_STARTTLS, [POP3_SERVER_CLOSE] = SCENARIO_CONV_CLOSE,
	};
	long delay = 0;

	return acts[pop3_server_run(s, now, &delay)];
}

static struct buf *pop3_output(void *s)
{
	return pop3_server_output(s);
}

static void pop3_eof(void *s, mtime_t now)
{
	pop3_server_eof(s, now);
}

static void pop3_tls(void *s, mtime_t now)
{
	pop3_server_tls_started(s, now);
}

static void pop3_close(void *s)
{
	struct pop3_server *p = s;

	pop3_server_free(&p);
}

static const struct scenario_conv_ops pop3_ops = {
	"pop3", pop3_open, pop3_feed, pop3_run, pop3_output, pop3_eof, pop3_tls,
	pop3_close,
};

static void *imap_open(struct host *h, const char *name, const char *addr, int port,
		       int tls, mtime_t now)
{
	struct imap_server_opts o;
	struct err e;

	(void)name;
	imap_server_opts_for_host(&o, h);
	o.client_addr = addr;
	o.tls_possible = tls;
	o.tls_active = port == 993;
	return imap_server_new(&o, now, &e);
}

static void imap_feed(void *s, const void *p, size_t n, mtime_t now)
{
	imap_server_feed(s, p, n, now);
}

static enum scenario_conv_act imap_run(void *s, mtime_t now)
{
	static const enum scenario_conv_act acts[] = {
		[IMAP_SERVER_NEED_INPUT] = SCENARIO_CONV_INPUT, [IMAP_SERVER_DELAY] = SCENARIO_CONV_DELAY,
		[IMAP_SERVER_STARTTLS] = SCENARIO_CONV_STARTTLS, [IMAP_SERVER_CLOSE] = SCENARIO_CONV_CLOSE,
	};
	long delay = 0;

	return acts[imap_server_run(s, now, &delay)];
}

static struct buf *imap_output(void *s)
{
	return imap_server_output(s);
}

static void imap_eof(void *s, mtime_t now)
{
	imap_server_eof(s, now);
}

static void imap_tls(void *s, mtime_t now)
{
	imap_server_tls_started(s, now);
}

static void imap_close(void *s)
{
	struct imap_server *p = s;

	imap_server_free(&p);
}

static const struct scenario_conv_ops imap_ops = {
	"imap", imap_open, imap_feed, imap_run, imap_output, imap_eof, imap_tls,
	imap_close,
};

/*
 * What a mail program types to read the mailbox. POP3 (RFC 1939):
 * log in, count, list, download the first message and delete it. IMAP
 * (RFC 3501): log in, open INBOX, read the first message (which sets
 * \Seen), log out; the message stays on the server.
 */
char **scenario_conv_fetch_script(const struct scenario_action *a, const char *user,
			   const char *password, size_t *n_out)
{
	char **v = NULL;
	size_t n = 0;

	if (strcmp(a->proto, "pop3") == 0) {
		if (a->starttls)
			push(&v, &n, xstrdup("STLS"));
		push(&v, &n, xasprintf("USER %s", user));
		push(&v, &n, xasprintf("PASS %s", password));
		push(&v, &n, xstrdup("STAT"));
		push(&v, &n, xstrdup("LIST"));
		push(&v, &n, xstrdup("RETR 1"));
		push(&v, &n, xstrdup("DELE 1"));
		push(&v, &n, xstrdup("QUIT"));
	} else {
		if (a->starttls)
			push(&v, &n, xstrdup("a0 STARTTLS"));
		push(&v, &n, xasprintf("a1 LOGIN %s %s", user, password));
		push(&v, &n, xstrdup("a2 SELECT INBOX"));
		push(&v, &n, xstrdup("a3 FETCH 1 (FLAGS BODY[])"));
		push(&v, &n, xstrdup("a4 LOGOUT"));
	}
	*n_out = n;
	return v;
}


const struct scenario_conv_ops *scenario_conv_pop3(void)
{
	return &pop3_ops;
}

const struct scenario_conv_ops *scenario_conv_imap(void)
{
	return &imap_ops;
}
#else
const struct scenario_conv_ops *scenario_conv_pop3(void)
{
	return NULL;
}

const struct scenario_conv_ops *scenario_conv_imap(void)
{
	return NULL;
}

char **scenario_conv_fetch_script(const struct scenario_action *a, const char *user,
				  const char *password, size_t *n_out)
{
	(void)a;
	(void)user;
	(void)password;
	*n_out = 0;
	return NULL;
}
#endif

void scenario_conv_script_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
