/*
 * pop3d: line framing, events, the login result and Dovecot's log lines.
 * The commands themselves are in pop3d_cmd.c.
 */
#include "pop3/pop3d.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "pop3/pop3d_int.h"
#include "store/store.h"

static const char *const ev_names[] = {
	[POP3D_EV_LOG] = "LOG",
	[POP3D_EV_AUTH] = "AUTH",
	[POP3D_EV_DELAY] = "DELAY",
	[POP3D_EV_STLS] = "STLS",
	[POP3D_EV_CLOSE] = "CLOSE",
};

const char *pop3d_ev_type_name(enum pop3d_ev_type t)
{
	return (size_t)t < ARRAY_LEN(ev_names) ? ev_names[t] : "?";
}

/* Every reply goes out here: one line, CRLF added. */
void pop3d_send(struct pop3d *s, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	BUG_ON(line == NULL);
	buf_adds(&s->out, line);
	buf_add(&s->out, "\r\n", 2);
	free(line);
}

void pop3d_push(struct pop3d *s, enum pop3d_ev_type type, const char *text,
		long delay_ms)
{
	if (s->qlen == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 8;
		s->q = xrealloc(s->q, s->qcap * sizeof(s->q[0]));
	}
	s->q[s->qlen].type = type;
	s->q[s->qlen].text = text != NULL ? xstrdup(text) : NULL;
	s->q[s->qlen].delay_ms = delay_ms;
	s->qlen++;
}

void pop3d_logf(struct pop3d *s, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	BUG_ON(line == NULL);
	pop3d_push(s, POP3D_EV_LOG, line, 0);
	free(line);
}

/*
 * Dovecot's session ID (login-common client_get_session_id): the low 48
 * bits of the connect time in microseconds, the client port, the IPv4
 * address, base64. "4eQQV11h1IN/AAAB" decodes to 127.0.0.1 port 33748.
 */
static void make_session_id(struct pop3d *s, mtime_t now)
{
	unsigned char raw[12], b64[24];
	unsigned long long us = (unsigned long long)now * 1000ULL;
	unsigned a = 0, b = 0, c = 0, d = 0;
	int i, n;

	for (i = 0; i < 6; i++)
		raw[i] = (unsigned char)((us >> (8 * i)) & 0xff);
	raw[6] = (unsigned char)(s->conf.client_port & 0xff);
	raw[7] = (unsigned char)((s->conf.client_port >> 8) & 0xff);
	if (s->conf.client_addr != NULL)
		(void)sscanf(s->conf.client_addr, "%u.%u.%u.%u", &a, &b, &c, &d);
	raw[8] = (unsigned char)a;
	raw[9] = (unsigned char)b;
	raw[10] = (unsigned char)c;
	raw[11] = (unsigned char)d;
	n = EVP_EncodeBlock(b64, raw, sizeof(raw));
	memcpy(s->session, b64, (size_t)n);
	s->session[n] = '\0';
}

struct pop3d *pop3d_new(const struct pop3d_conf *conf, mtime_t now)
{
	struct pop3d *s = xcalloc(1, sizeof(*s));

	s->conf = *conf;
	if (s->conf.greeting == NULL)
		s->conf.greeting = "Dovecot ready.";
	if (s->conf.client_addr == NULL)
		s->conf.client_addr = "127.0.0.1";
	if (s->conf.local_addr == NULL)
		s->conf.local_addr = "127.0.0.1";
	buf_init(&s->in);
	buf_init(&s->out);
	s->created = now;
	s->tls = conf->tls_active;
	if (conf->session_id != NULL)
		snprintf(s->session, sizeof(s->session), "%s", conf->session_id);
	else
		make_session_id(s, now);
	s->st = POP3D_ST_AUTH;
	pop3d_send(s, "+OK %s", s->conf.greeting);
	return s;
}

static void clear_queue(struct pop3d *s)
{
	size_t i;

	for (i = 0; i < s->qlen; i++)
		free(s->q[i].text);
	s->qlen = 0;
}

void pop3d_free(struct pop3d **sp)
{
	struct pop3d *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	clear_queue(s);
	free(s->q);
	free(s->ev_text);
	buf_reset(&s->in);
	buf_reset(&s->out);
	free(s->last_user);
	free(s->virtual_user);
	free(s->auth_mech);
	free(s->ev_user);
	free(s->ev_pass);
	free(s->ev_authzid);
	free(s->user);
	free(s->sizes);
	free(s->uids);
	free(s->was_seen);
	free(s->deleted);
	free(s->seen);
	free(s);
}

void pop3d_feed(struct pop3d *s, const void *buf, size_t len, mtime_t now)
{
	(void)now;
	/* Input after the end, or plaintext pipelined behind STLS, is
	 * dropped (RFC 2595 section 4 / 3207 section 4.2). */
	if (s->st == POP3D_ST_CLOSED || s->st == POP3D_ST_TLS)
		return;
	buf_add(&s->in, buf, len);
}

struct buf *pop3d_output(struct pop3d *s)
{
	return &s->out;
}

int pop3d_closed(const struct pop3d *s)
{
	return s->st == POP3D_ST_CLOSED && s->qlen == 0;
}

const char *pop3d_session_id(const struct pop3d *s)
{
	return s->session;
}

void pop3d_stats(const struct pop3d *s, struct pop3d_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->top_count = s->top_count;
	out->top_bytes = s->top_bytes;
	out->retr_count = s->retr_count;
	out->retr_bytes = s->retr_bytes;
	out->deleted = (unsigned)s->deleted_count;
	out->expunged = s->expunged;
	out->messages = (unsigned)s->count;
	out->total_size = (unsigned long long)s->total_size;
	out->authenticated = s->user != NULL;
	out->user = s->user;
}

int pop3d_plaintext_disallowed(const struct pop3d *s)
{
	return s->conf.disable_plaintext_auth && !s->conf.secured && !s->tls;
}

/* "secured" or "TLS" in Dovecot's log lines (%c), or nothing. */
static const char *conn_word(const struct pop3d *s)
{
	return s->tls ? "TLS, " : s->conf.secured ? "secured, " : "";
}

/* Dovecot's client_get_extra_disconnect_reason() for what we model. */
static char *extra_reason(const struct pop3d *s, mtime_t now)
{
	unsigned auth_secs = s->auth_first == 0 || now < s->auth_first ? 0 :
		(unsigned)((now - s->auth_first) / 1000);

	switch (s->last_fail) {
	case POP3D_FAIL_PLAINTEXT:
		return xstrdup("(tried to use disallowed plaintext auth)");
	case POP3D_FAIL_MECH:
		return xstrdup("(tried to use unsupported auth mechanism)");
	case POP3D_FAIL_BASE64:
		return xstrdup("(sent invalid base64 in response)");
	case POP3D_FAIL_NONE:
		break;
	}
	if (s->auth_attempts == 0)
		return xasprintf("(no auth attempts in %u secs)",
				 now > s->created ?
				 (unsigned)((now - s->created) / 1000) : 0);
	if (s->st == POP3D_ST_VERDICT || s->st == POP3D_ST_SASL)
		return xasprintf("(disconnected while authenticating, waited %u secs)",
				 auth_secs);
	if (s->auth_aborted && s->auth_attempts == 1)
		return xstrdup("(auth aborted)");
	return xasprintf("(auth failed, %u attempts in %u secs)",
			 s->auth_attempts, auth_secs);
}

void pop3d_login_disconnect(struct pop3d *s, const char *reason, mtime_t now)
{
	char *extra = extra_reason(s, now);
	char *method = s->auth_mech != NULL ?
		xasprintf("method=%s, ", s->auth_mech) : xstrdup("");

	pop3d_logf(s, "pop3-login: Disconnected: %s %s: user=<%s>, %srip=%s, "
		   "lip=%s, %ssession=<%s>", reason, extra,
		   s->virtual_user != NULL ? s->virtual_user : "", method,
		   s->conf.client_addr, s->conf.local_addr, conn_word(s),
		   s->session);
	free(extra);
	free(method);
	s->st = POP3D_ST_CLOSED;
	pop3d_push(s, POP3D_EV_CLOSE, NULL, 0);
}

void pop3d_trans_disconnect(struct pop3d *s, const char *reason)
{
	/* pop3_logout_format = top=%t/%p, retr=%r/%b, del=%d/%m, size=%s */
	pop3d_logf(s, "pop3(%s)<%d><%s>: Disconnected: %s top=%u/%llu, "
		   "retr=%u/%llu, del=%u/%zu, size=%llu", s->user, s->mpid,
		   s->session, reason, s->top_count, s->top_bytes,
		   s->retr_count, s->retr_bytes, s->expunged, s->count,
		   (unsigned long long)s->total_size);
	s->st = POP3D_ST_CLOSED;
	pop3d_push(s, POP3D_EV_CLOSE, NULL, 0);
}

void pop3d_auth_begin(struct pop3d *s, const char *mech, const char *authzid,
		      const char *user, const char *pass, mtime_t now)
{
	free(s->auth_mech);
	s->auth_mech = xstrdup(mech);
	free(s->virtual_user);
	s->virtual_user = xstrdup(user);
	s->auth_attempts++;
	if (s->auth_first == 0)
		s->auth_first = now != 0 ? now : 1;
	free(s->ev_user);
	free(s->ev_pass);
	free(s->ev_authzid);
	s->ev_user = xstrdup(user);
	s->ev_pass = xstrdup(pass);
	s->ev_authzid = xstrdup(authzid);
	s->st = POP3D_ST_VERDICT;
	pop3d_push(s, POP3D_EV_AUTH, NULL, 0);
}

void pop3d_auth_fail_local(struct pop3d *s, mtime_t now)
{
	s->auth_attempts++;
	if (s->auth_first == 0)
		s->auth_first = now != 0 ? now : 1;
	s->st = POP3D_ST_VERDICT;
	s->result = POP3D_RES_FAIL;
	s->result_delay = s->conf.auth_failure_delay_ms;
	s->delay_sent = 0;
}

void pop3d_auth_verdict(struct pop3d *s, const struct pop3d_verdict *v,
			mtime_t now)
{
	(void)now;
	if (s->st != POP3D_ST_VERDICT || s->result != POP3D_RES_NONE)
		return;
	if (v->tempfail)
		s->result = POP3D_RES_TEMPFAIL;
	else if (!v->ok)
		s->result = POP3D_RES_FAIL;
	else if (v->mailbox == NULL)
		s->result = POP3D_RES_NOBOX;
	else
		s->result = POP3D_RES_OK;
	/* A failure is answered late; so is anything after one. */
	s->result_delay = s->result == POP3D_RES_FAIL || s->auth_failures > 0 ?
		s->conf.auth_failure_delay_ms : 0;
	s->delay_sent = 0;
	if (s->result == POP3D_RES_OK || s->result == POP3D_RES_NOBOX) {
		free(s->user);
		s->user = xstrdup(v->user != NULL ? v->user : s->ev_user);
		s->mpid = v->mpid;
		s->mb = v->mailbox;
	}
}

/* Takes the INBOX as it is now: POP3 numbers never change after login. */
static void snapshot(struct pop3d *s)
{
	size_t i;

	s->count = store_mailbox_count(s->mb);
	s->uidvalidity = store_mailbox_uidvalidity(s->mb);
	s->sizes = xcalloc(s->count + 1, sizeof(s->sizes[0]));
	s->uids = xcalloc(s->count + 1, sizeof(s->uids[0]));
	s->was_seen = xcalloc(s->count + 1, 1);
	s->deleted = xcalloc(s->count + 1, 1);
	s->seen = xcalloc(s->count + 1, 1);
	for (i = 0; i < s->count; i++) {
		const struct store_msg *m = store_mailbox_msg(s->mb, i);

		s->sizes[i] = m->size;
		s->uids[i] = m->uid;
		s->was_seen[i] = (m->flags & STORE_SEEN) != 0;
		s->total_size += m->size;
	}
}

static void apply_result(struct pop3d *s, mtime_t now)
{
	enum pop3d_result r = s->result;

	(void)now;
	s->result = POP3D_RES_NONE;
	switch (r) {
	case POP3D_RES_OK:
	case POP3D_RES_NOBOX:
		pop3d_logf(s, "pop3-login: Login: user=<%s>, method=%s, rip=%s, "
			   "lip=%s, mpid=%d, %ssession=<%s>", s->user,
			   s->auth_mech != NULL ? s->auth_mech : "PLAIN",
			   s->conf.client_addr, s->conf.local_addr, s->mpid,
			   conn_word(s), s->session);
		if (r == POP3D_RES_NOBOX) {
			pop3d_send(s, "-ERR [SYS/TEMP] Internal error occurred. "
				   "Refer to server log for more information.");
			pop3d_logf(s, "pop3(%s)<%d><%s>: Error: Couldn't open INBOX",
				   s->user, s->mpid, s->session);
			s->st = POP3D_ST_CLOSED;
			pop3d_push(s, POP3D_EV_CLOSE, NULL, 0);
			return;
		}
		snapshot(s);
		s->st = POP3D_ST_TRANS;
		pop3d_send(s, "+OK Logged in.");
		break;
	case POP3D_RES_TEMPFAIL:
		s->st = POP3D_ST_AUTH;
		pop3d_send(s, "-ERR [SYS/TEMP] Temporary authentication failure.");
		break;
	case POP3D_RES_FAIL:
	default:
		s->st = POP3D_ST_AUTH;
		s->auth_failures++;
		s->last_fail = POP3D_FAIL_NONE;
		pop3d_send(s, "-ERR [AUTH] Authentication failed.");
		break;
	}
}

int pop3d_update_mails(struct pop3d *s, int quit, mtime_t now)
{
	struct err e;
	size_t i, n = 0, nkeep = 0, total;
	uint32_t *keep = NULL;
	int any_deleted = 0, rc;

	if (s->mb == NULL)
		return 0;
	/* Dovecot's POP3 expunges exactly the DELE'd messages; the store
	 * expunges every \Deleted one. So a \Deleted set by someone else
	 * (an IMAP client that did not EXPUNGE) is lifted for the moment. */
	total = store_mailbox_count(s->mb);
	if (quit && s->deleted_count > 0) {
		keep = xcalloc(total + 1, sizeof(*keep));
		for (i = 0; i < total; i++) {
			const struct store_msg *m = store_mailbox_msg(s->mb, i);
			size_t k;
			int ours = 0;

			if (!(m->flags & STORE_DELETED))
				continue;
			for (k = 0; k < s->count; k++)
				if (s->uids[k] == m->uid && s->deleted[k])
					ours = 1;
			if (ours)
				continue;
			keep[nkeep++] = m->uid;
			store_mailbox_set_flags(s->mb, i, STORE_FLAGS_REMOVE,
						STORE_DELETED, 0);
		}
	}
	/* Message numbers are ours; the store's view may have grown since
	 * (new mail), never shrunk: only our sync or expunge changes it. */
	for (i = 0; i < s->count; i++) {
		long idx = store_mailbox_find_uid(s->mb, s->uids[i]);

		if (idx < 0)
			continue;
		if (quit && s->deleted[i]) {
			store_mailbox_set_flags(s->mb, (size_t)idx,
						STORE_FLAGS_ADD, STORE_DELETED, 0);
			any_deleted = 1;
		} else if (s->seen[i]) {
			store_mailbox_set_flags(s->mb, (size_t)idx,
						STORE_FLAGS_ADD, STORE_SEEN, 0);
		}
	}
	s->seen_changes = 0;
	memset(s->seen, 0, s->count + 1);
	if (any_deleted &&
	    store_mailbox_expunge(s->mb, NULL, NULL, now, &e) < 0) {
		free(keep);
		return -1;
	}
	if (any_deleted) {
		for (i = 0; i < s->count; i++)
			if (s->deleted[i] &&
			    store_mailbox_find_uid(s->mb, s->uids[i]) < 0)
				n++;
		s->expunged = (unsigned)n;
	}
	for (i = 0; i < nkeep; i++) {
		long idx = store_mailbox_find_uid(s->mb, keep[i]);

		if (idx >= 0)
			store_mailbox_set_flags(s->mb, (size_t)idx,
						STORE_FLAGS_ADD, STORE_DELETED, 0);
	}
	free(keep);
	rc = store_mailbox_sync(s->mb, NULL, now, &e);
	return rc;
}

void pop3d_eof(struct pop3d *s, mtime_t now)
{
	switch (s->st) {
	case POP3D_ST_CLOSED:
		return;
	case POP3D_ST_TRANS:
		if (s->seen_changes > 0)
			(void)pop3d_update_mails(s, 0, now);
		pop3d_trans_disconnect(s, "Connection closed");
		break;
	default:
		if (s->user != NULL && s->result != POP3D_RES_NONE) {
			/* Authenticated, reply not sent yet (delay). */
			s->result = POP3D_RES_NONE;
		}
		pop3d_login_disconnect(s, "Connection closed", now);
		break;
	}
	buf_clear(&s->in);
}

/* One line from the input: 1 and *line_out (NUL-terminated at the first
 * NUL, as Dovecot's C strings are), 0 when incomplete, -1 when too long. */
static int take_line(struct pop3d *s, char **line_out)
{
	const char *nl = memchr(s->in.data != NULL ? s->in.data : "", '\n',
				s->in.len);
	size_t limit = POP3D_MAX_LINE, n;
	char *line;

	if (s->st != POP3D_ST_TRANS) {
		limit = POP3D_LOGIN_MAX_LINE;
		if (s->st == POP3D_ST_SASL ||
		    (s->in.len >= 5 && strncasecmp(s->in.data, "AUTH ", 5) == 0))
			limit = POP3D_AUTH_MAX_LINE;
	}
	if (nl == NULL)
		return s->in.len >= limit ? -1 : 0;
	n = (size_t)(nl - s->in.data);
	if (n + 1 > limit)
		return -1;
	line = xstrndup(s->in.data, n);	/* stops at a NUL */
	buf_consume(&s->in, n + 1);
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	*line_out = line;
	return 1;
}

static void too_long(struct pop3d *s, mtime_t now)
{
	buf_clear(&s->in);
	if (s->st == POP3D_ST_TRANS) {
		pop3d_send(s, "-ERR Input line too long.");
		pop3d_trans_disconnect(s, "Input line too long");
	} else {
		pop3d_send(s, "-ERR Input buffer full, aborting");
		pop3d_login_disconnect(s, "Input buffer full", now);
	}
}

int pop3d_next(struct pop3d *s, struct pop3d_event *ev, mtime_t now)
{
	for (;;) {
		char *line;
		int rc;

		if (s->qlen > 0) {
			struct pop3d_qev q = s->q[0];

			memmove(&s->q[0], &s->q[1],
				(s->qlen - 1) * sizeof(s->q[0]));
			s->qlen--;
			free(s->ev_text);
			s->ev_text = q.text;
			memset(ev, 0, sizeof(*ev));
			ev->type = q.type;
			ev->text = q.text;
			ev->delay_ms = q.delay_ms;
			if (q.type == POP3D_EV_AUTH) {
				ev->user = s->ev_user;
				ev->pass = s->ev_pass;
				ev->authzid = s->ev_authzid;
				ev->mech = s->auth_mech;
			}
			return 1;
		}
		if (s->st == POP3D_ST_CLOSED || s->st == POP3D_ST_TLS)
			return 0;
		if (s->st == POP3D_ST_VERDICT) {
			if (s->result == POP3D_RES_NONE)
				return 0;
			if (s->result_delay > 0 && !s->delay_sent) {
				s->delay_sent = 1;
				pop3d_push(s, POP3D_EV_DELAY, NULL,
					   s->result_delay);
				continue;
			}
			apply_result(s, now);
			continue;
		}
		rc = take_line(s, &line);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			too_long(s, now);
			continue;
		}
		switch (s->st) {
		case POP3D_ST_AUTH:
			pop3d_cmd_login(s, line, now);
			break;
		case POP3D_ST_SASL:
			pop3d_cmd_sasl_response(s, line, now);
			break;
		case POP3D_ST_TRANS:
			pop3d_cmd_trans(s, line, now);
			break;
		default:
			break;
		}
		free(line);
	}
}

void pop3d_tls_started(struct pop3d *s, mtime_t now)
{
	(void)now;
	if (s->st != POP3D_ST_TLS)
		return;
	s->tls = 1;
	s->st = POP3D_ST_AUTH;
	/* Nothing said before the handshake counts after it. */
	buf_clear(&s->in);
	free(s->last_user);
	s->last_user = NULL;
}
