/*
 * cleanup: one message into the incoming queue. See cleanup.h.
 */
#include "mta/cleanup.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/mail_date.h"
#include "mta/qfile.h"
#include "mta/rewrite.h"

struct cleanup {
	struct host *h;			/* borrowed from the caller */
	struct qfile_writer w;
	struct cleanup_env env;		/* strings copied below */
	char *sender;			/* as given */
	char *client_name, *client_addr, *server_addr, *helo, *protocol;
	char *fullname;
	char **rcpts;			/* as given, for "for <...>" */
	size_t nrcpt;
	mtime_t ctime;			/* when the file was made */
	long data_offset;		/* offset of the first text record */
	long xtra_offset;		/* offset of the 'X' record */
	int have_message;
	long line_limit;
	long delay_warning;		/* delay_warning_time in seconds */
	char *myhostname, *myorigin, *mydomain, *mail_name;
	int append_dot;
};

/* A parameter's value, or def when the configuration has none. */
static const char *param(struct host *h, const char *name, const char *def)
{
	const char *v = h->conf ? conf_get(h->conf, name) : NULL;

	return v != NULL && *v != 0 ? v : def;
}

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The 'C' record: six fixed-width fields, updated in place at the end. */
static void size_record(char *out, size_t n, long data_size, long data_offset,
			long nrcpt, long content_length)
{
	snprintf(out, n, "%15ld %15ld %15ld %15ld %15ld %15ld", data_size,
		 data_offset, nrcpt, 0L, content_length, 0L);
}

static char *canonical(const struct cleanup *c, const char *addr)
{
	return rewrite_canonical(addr, c->myorigin, c->mydomain, c->append_dot);
}

struct cleanup *cleanup_open(struct host *h, const struct cleanup_env *env,
			     mtime_t now, struct err *e)
{
	struct cleanup *c = xcalloc(1, sizeof(*c));
	char *spool = host_path(h, "var/spool/postfix");
	char sz[128], *s;
	const char *v;
	long usec;

	c->h = h;
	c->env = *env;
	c->ctime = now;
	c->sender = xstrdup(env->sender ? env->sender : "");
	c->client_name = dup0(env->client_name);
	c->client_addr = dup0(env->client_addr);
	c->server_addr = dup0(env->server_addr);
	c->helo = dup0(env->helo);
	c->protocol = xstrdup(env->protocol ? env->protocol : "SMTP");
	c->fullname = dup0(env->fullname);
	c->myhostname = xstrdup(host_myhostname(h));
	c->myorigin = xstrdup(host_myorigin(h));
	v = strchr(c->myhostname, '.');
	c->mydomain = xstrdup(param(h, "mydomain", v ? v + 1 : "localdomain"));
	c->mail_name = xstrdup(param(h, "mail_name", "Postfix"));
	c->append_dot = strcasecmp(param(h, "append_dot_mydomain", "no"), "yes") == 0;
	c->delay_warning = h->conf ? conf_get_time(h->conf, "delay_warning_time", 'h') : 0;
	c->line_limit = atol(param(h, "line_length_limit", "2048"));
	if (c->line_limit < 1)
		c->line_limit = 2048;

	/*
	 * Postfix's short queue ID: microseconds of the time the file was
	 * made, then its inode. A per-host counter spreads the sub-ms part
	 * so two files made in one millisecond differ in both halves.
	 */
	usec = (long)(now % 1000) * 1000 + (long)(host_next_serial(h) % 1000);
	if (qfile_create(&c->w, spool, "incoming", 0, usec, e) != 0) {
		free(spool);
		cleanup_abort(&c);
		return NULL;
	}
	free(spool);

	size_record(sz, sizeof(sz), 0, 0, 0, 0);
	qfile_puts(&c->w, QFILE_REC_SIZE, sz);
	qfile_putf(&c->w, QFILE_REC_TIME, "%ld %ld", (long)(env->arrival / 1000),
		   (long)(env->arrival % 1000) * 1000);
	qfile_putf(&c->w, QFILE_REC_ATTR, "create_time=%ld", (long)(now / 1000));
	qfile_putf(&c->w, QFILE_REC_ATTR, "log_ident=%s", c->w.id);
	qfile_puts(&c->w, QFILE_REC_ATTR, "rewrite_context=local");
	if (env->origin == CLEANUP_ORIGIN_PICKUP && c->fullname != NULL)
		qfile_puts(&c->w, QFILE_REC_FULL, c->fullname);
	s = canonical(c, c->sender);
	qfile_puts(&c->w, QFILE_REC_FROM, s);
	free(s);
	if (env->origin == CLEANUP_ORIGIN_PICKUP && env->attrs != NULL) {
		size_t i;

		for (i = 0; env->attrs[i] != NULL; i++)
			qfile_puts(&c->w, QFILE_REC_ATTR, env->attrs[i]);
	}
	c->env.attrs = NULL;	/* borrowed only until here */

	/* The attributes smtpd passes (reference/commands/05-queue.txt). */
	if (env->origin == CLEANUP_ORIGIN_SMTPD) {
		const char *name = c->client_name ? c->client_name : "unknown";
		const char *addr = c->client_addr ? c->client_addr : "unknown";
		int v6 = strchr(addr, ':') != NULL;

		qfile_putf(&c->w, QFILE_REC_ATTR, "log_client_name=%s", name);
		qfile_putf(&c->w, QFILE_REC_ATTR, "log_client_address=%s", addr);
		qfile_putf(&c->w, QFILE_REC_ATTR, "log_client_port=%d", env->client_port);
		qfile_putf(&c->w, QFILE_REC_ATTR, "log_message_origin=%s[%s]", name, addr);
		if (c->helo != NULL)
			qfile_putf(&c->w, QFILE_REC_ATTR, "log_helo_name=%s", c->helo);
		qfile_putf(&c->w, QFILE_REC_ATTR, "log_protocol_name=%s", c->protocol);
		qfile_putf(&c->w, QFILE_REC_ATTR, "client_name=%s", name);
		qfile_putf(&c->w, QFILE_REC_ATTR, "reverse_client_name=%s", name);
		qfile_putf(&c->w, QFILE_REC_ATTR, "client_address=%s", addr);
		qfile_putf(&c->w, QFILE_REC_ATTR, "client_port=%d", env->client_port);
		qfile_putf(&c->w, QFILE_REC_ATTR, "server_address=%s",
			   c->server_addr ? c->server_addr : addr);
		qfile_putf(&c->w, QFILE_REC_ATTR, "server_port=%d", env->server_port);
		if (c->helo != NULL)
			qfile_putf(&c->w, QFILE_REC_ATTR, "helo_name=%s", c->helo);
		qfile_putf(&c->w, QFILE_REC_ATTR, "protocol_name=%s", c->protocol);
		if (env->sasl_method != NULL) {
			qfile_putf(&c->w, QFILE_REC_ATTR, "sasl_method=%s", env->sasl_method);
			qfile_putf(&c->w, QFILE_REC_ATTR, "sasl_username=%s",
				   env->sasl_username ? env->sasl_username : "");
		}
		/* AF_INET = 2, AF_INET6 = 10 on Linux */
		qfile_putf(&c->w, QFILE_REC_ATTR, "client_address_type=%d", v6 ? 10 : 2);
	}
	return c;
}

const char *cleanup_id(const struct cleanup *c)
{
	return c->w.id;
}

int cleanup_rcpt(struct cleanup *c, const char *rcpt, struct err *e)
{
	return cleanup_rcpt_orig(c, rcpt, NULL, NULL, e);
}

int cleanup_rcpt_orig(struct cleanup *c, const char *rcpt, const char *orig,
		      const char *dsn_orig, struct err *e)
{
	char *canon = canonical(c, rcpt);

	(void)e;
	BUG_ON(c->have_message);
	/*
	 * cleanup_envelope.c, on the transition to the recipient records:
	 * the time of the delay warning (REC_TYPE_WARN_FORMAT "%15ld", so
	 * that qmgr can zero it in place), never for the null sender.
	 */
	if (c->nrcpt == 0 && c->env.warn_seen)
		qfile_putf(&c->w, QFILE_REC_WARN, "%15ld", c->env.warn_time);
	else if (c->nrcpt == 0 && c->delay_warning > 0 && c->sender[0] != '\0')
		qfile_putf(&c->w, QFILE_REC_WARN, "%15ld",
			   (long)(c->env.arrival / 1000) + c->delay_warning);
	if (dsn_orig != NULL)
		qfile_putf(&c->w, QFILE_REC_ATTR, "dsn_orig_rcpt=%s", dsn_orig);
	else if (c->env.origin == CLEANUP_ORIGIN_SMTPD)
		qfile_putf(&c->w, QFILE_REC_ATTR, "dsn_orig_rcpt=rfc822;%s", rcpt);
	qfile_puts(&c->w, QFILE_REC_ORCP, orig != NULL ? orig : rcpt);
	qfile_puts(&c->w, QFILE_REC_RCPT, canon);
	free(canon);
	c->rcpts = xrealloc(c->rcpts, (c->nrcpt + 1) * sizeof(*c->rcpts));
	c->rcpts[c->nrcpt++] = xstrdup(orig != NULL ? orig : rcpt);
	return 0;
}

/* One text line: N, or L pieces of line_length_limit then N (smtpd's split). */
static void put_line(struct cleanup *c, const char *s, size_t n)
{
	while ((long)n > c->line_limit) {
		qfile_put(&c->w, QFILE_REC_CONT, s, (size_t)c->line_limit);
		s += c->line_limit;
		n -= (size_t)c->line_limit;
	}
	qfile_put(&c->w, QFILE_REC_NORM, s, n);
}

/* A multi-line header text ("a\n\tb"): one record per line. */
static void put_text(struct cleanup *c, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "\n");

		put_line(c, s, n);
		if (s[n] == 0)
			break;
		s += n + 1;
	}
}

/*
 * RFC 5322 field name: printable ASCII but ':', then optional white
 * space, then ':' (Postfix is_header()). Returns the name length or 0.
 */
static size_t header_name_len(const char *s, size_t n)
{
	size_t i = 0, name;

	while (i < n && s[i] > 32 && s[i] < 127 && s[i] != ':')
		i++;
	name = i;
	if (name == 0)
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < n && s[i] == ':' ? name : 0;
}

static int name_is(const char *s, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(s, want, len) == 0;
}

struct line {
	const char *s;
	size_t n;
};

int cleanup_message(struct cleanup *c, const char *data, size_t len,
		    mtime_t now, struct err *e)
{
	struct line *lines = NULL;
	size_t nlines = 0, i, hdr_end;
	const char *p = data, *end = data + len;
	int have_msgid = 0, have_date = 0, have_from = 0;
	char date[64], stamp[32], *msgid = NULL;
	char *hdr;

	(void)e;
	BUG_ON(c->have_message);
	c->have_message = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lines = xrealloc(lines, (nlines + 1) * sizeof(*lines));
		lines[nlines].s = p;
		lines[nlines].n = n;
		nlines++;
		p += n + (nl != NULL);
	}

	/* The header block: header lines and their continuations. */
	for (hdr_end = 0; hdr_end < nlines; hdr_end++) {
		const struct line *l = &lines[hdr_end];
		size_t nl;

		if (l->n == 0)
			break;
		if (hdr_end > 0 && (l->s[0] == ' ' || l->s[0] == '\t'))
			continue;
		nl = header_name_len(l->s, l->n);
		if (nl == 0)
			break;
		if (name_is(l->s, nl, "Message-Id")) {
			const char *v = (const char *)memchr(l->s, ':', l->n) + 1;
			size_t vn = l->n - (size_t)(v - l->s);

			while (vn > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\r'))
				vn--;
			if (!have_msgid)
				msgid = xstrndup(v, vn);
			have_msgid = 1;
		} else if (name_is(l->s, nl, "Date")) {
			have_date = 1;
		} else if (name_is(l->s, nl, "From")) {
			have_from = 1;
		}
	}

	qfile_puts(&c->w, QFILE_REC_MESG, "");
	c->data_offset = c->w.offset;

	/* The Received: header smtpd (or pickup, or bounce) writes first;
	 * pickup dates it with the maildrop file's mtime (pickup.c). */
	mail_date_header(c->env.origin == CLEANUP_ORIGIN_PICKUP && c->env.received_at > 0
			 ? c->env.received_at : c->env.arrival, date, sizeof(date));
	if (c->env.origin == CLEANUP_ORIGIN_INTERNAL) {
		/* reference/mailboxes/root-bounce.mbox */
		hdr = c->env.received
		      ? xasprintf("Received: by %s (%s)\n\tid %s; %s", c->myhostname,
				  c->mail_name, c->w.id, date)
		      : NULL;
	} else if (c->env.origin == CLEANUP_ORIGIN_PICKUP) {
		hdr = xasprintf("Received: by %s (%s, from userid %d)\n\tid %s; %s",
				c->myhostname, c->mail_name, c->env.uid, c->w.id, date);
	} else {
		const char *name = c->client_name ? c->client_name : "unknown";
		const char *addr = c->client_addr ? c->client_addr : "unknown";
		const char *v6 = strchr(addr, ':') != NULL ? "IPv6:" : "";

		if (c->nrcpt == 1)
			hdr = xasprintf("Received: from %s (%s [%s%s])\n"
					"\tby %s (%s) with %s id %s\n\tfor <%s>; %s",
					c->helo ? c->helo : name, name, v6, addr,
					c->myhostname, c->mail_name, c->protocol,
					c->w.id, c->rcpts[0], date);
		else
			hdr = xasprintf("Received: from %s (%s [%s%s])\n"
					"\tby %s (%s) with %s id %s;\n\t%s",
					c->helo ? c->helo : name, name, v6, addr,
					c->myhostname, c->mail_name, c->protocol,
					c->w.id, date);
	}
	if (hdr != NULL)
		put_text(c, hdr);
	free(hdr);

	for (i = 0; i < hdr_end; i++)
		put_line(c, lines[i].s, lines[i].n);

	/*
	 * What cleanup adds when missing (no To:, reference README). The
	 * Message-Id stamp is the queue file's creation time (reference
	 * smtp/01: created 21:59:51, Date: 21:59:50 is the MAIL time).
	 */
	if (!have_msgid) {
		mail_date_stamp(c->ctime, stamp, sizeof(stamp));
		msgid = xasprintf("<%s.%s@%s>", stamp, c->w.id, c->myhostname);
		hdr = xasprintf("Message-Id: %s", msgid);
		put_text(c, hdr);
		free(hdr);
	}
	if (!have_date) {
		/* cleanup_message.c: the arrival time (the T record) */
		mail_date_header(c->env.arrival, date, sizeof(date));
		hdr = xasprintf("Date: %s", date);
		put_text(c, hdr);
		free(hdr);
	}
	if (!have_from) {
		char *s = canonical(c, c->sender);

		if (*s == 0)
			hdr = xstrdup("From: MAILER-DAEMON");
		else if (c->env.origin == CLEANUP_ORIGIN_PICKUP && c->fullname && *c->fullname)
			hdr = xasprintf("From: %s <%s>", c->fullname, s);
		else
			hdr = xasprintf("From: %s", s);
		put_text(c, hdr);
		free(hdr);
		free(s);
	}
	/* The body starts after an empty line; add it if the client did not. */
	if (hdr_end < nlines && lines[hdr_end].n != 0)
		qfile_put(&c->w, QFILE_REC_NORM, "", 0);
	for (i = hdr_end; i < nlines; i++)
		put_line(c, lines[i].s, lines[i].n);

	c->xtra_offset = c->w.offset;
	qfile_puts(&c->w, QFILE_REC_XTRA, "");
	qfile_puts(&c->w, QFILE_REC_END, "");

	host_log(c->h, now, "postfix/cleanup", "%s: message-id=%s", c->w.id,
		 msgid ? msgid : "");
	free(msgid);
	free(lines);
	return 0;
}

void cleanup_log_rejected(struct cleanup *c, mtime_t now)
{
	char stamp[32];

	mail_date_stamp(c->ctime, stamp, sizeof(stamp));
	host_log(c->h, now, "postfix/cleanup", "%s: message-id=<%s.%s@%s>",
		 c->w.id, stamp, c->w.id, c->myhostname);
}

static void cleanup_free(struct cleanup *c)
{
	size_t i;

	qfile_abort(&c->w);
	for (i = 0; i < c->nrcpt; i++)
		free(c->rcpts[i]);
	free(c->rcpts);
	free(c->sender);
	free(c->client_name);
	free(c->client_addr);
	free(c->server_addr);
	free(c->helo);
	free(c->protocol);
	free(c->fullname);
	free(c->myhostname);
	free(c->myorigin);
	free(c->mydomain);
	free(c->mail_name);
	free(c);
}

int cleanup_prepare(struct cleanup **cp, struct err *e)
{
	struct cleanup *c = *cp;
	char sz[128];
	long data_size;

	BUG_ON(!c->have_message || c->nrcpt == 0);
	data_size = c->xtra_offset - c->data_offset;
	size_record(sz, sizeof(sz), data_size, c->data_offset, (long)c->nrcpt, data_size);
	/* after the type byte and the one length byte (95 < 128) */
	qfile_update(&c->w, 2, sz, strlen(sz));
	if (qfile_prepare(&c->w, e) != 0) {
		cleanup_free(c);
		*cp = NULL;
		return -1;
	}
	return 0;
}

int cleanup_sync_fd(const struct cleanup *c)
{
	return c->w.fd;
}

const char *cleanup_sync_dir(const struct cleanup *c)
{
	return c->w.dir;
}

int cleanup_finish(struct cleanup **cp, int sync_errnum, mtime_t now,
		   struct cleanup_result *out, struct err *e)
{
	struct cleanup *c = *cp;
	int rc;

	(void)now;
	*cp = NULL;
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", c->w.id);
	out->size = c->xtra_offset - c->data_offset;
	out->nrcpt = c->nrcpt;
	rc = qfile_finish(&c->w, sync_errnum, &out->path, e);
	cleanup_free(c);
	if (rc != 0) {
		out->id[0] = 0;
		return -1;
	}
	return 0;
}

int cleanup_close(struct cleanup **cp, mtime_t now, struct cleanup_result *out,
		  struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (cleanup_prepare(cp, e) != 0)
		return -1;
	return cleanup_finish(cp, qfile_sync(cleanup_sync_fd(*cp), cleanup_sync_dir(*cp)),
			      now, out, e);
}

void cleanup_abort(struct cleanup **cp)
{
	if (*cp == NULL)
		return;
	cleanup_free(*cp);
	*cp = NULL;
}

void cleanup_result_reset(struct cleanup_result *r)
{
	free(r->path);
	memset(r, 0, sizeof(*r));
}

int cleanup_post(struct host *h, mtime_t now, const char *sender,
		 const char *const *rcpts, size_t nrcpt, const char *content,
		 size_t len, int received, struct cleanup_result *out,
		 struct err *e)
{
	struct cleanup_env env;
	struct cleanup *c;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&env, 0, sizeof(env));
	env.origin = CLEANUP_ORIGIN_INTERNAL;
	env.sender = sender;
	env.arrival = now;
	env.received = received;
	c = cleanup_open(h, &env, now, e);
	if (c == NULL)
		return -1;
	for (i = 0; i < nrcpt; i++)
		(void)cleanup_rcpt(c, rcpts[i], e);
	(void)cleanup_message(c, content, len, now, e);
	return cleanup_close(&c, now, out, e);
}
