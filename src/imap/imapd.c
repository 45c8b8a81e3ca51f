/*
 * The imapd engine: input framing (lines, literals, the AUTHENTICATE and
 * IDLE continuations), command dispatch by state, the tagged-reply
 * wording of imap-login and of the imap process, events, the mailbox
 * sync that produces untagged EXPUNGE/EXISTS/RECENT/FETCH, and Dovecot's
 * log lines. The commands themselves are in imapd_cmd.c (session),
 * imapd_mbox.c (mailboxes), imapd_fetch.c, imapd_search.c, imapd_store.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

/* imap-login's input buffer (login-common LOGIN_MAX_INBUF_SIZE), and its
 * parser's line limit, which bounds literals (MAX_IMAP_LINE). */
#define PRELOGIN_MAX_LINE 4096
#define PRELOGIN_MAX_LITERAL 8192
/* imap-login: CLIENT_MAX_BAD_COMMANDS; imap: 20. */
#define PRELOGIN_MAX_BAD 3
#define POSTLOGIN_MAX_BAD 20

void imapd_conf_defaults(struct imapd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->login_greeting = "Dovecot (Debian) ready.";
	c->client_ip = "127.0.0.1";
	c->local_ip = "127.0.0.1";
	c->session_id = NULL;
	c->mail_pid = 1;
	c->secured = 1;
	c->tls_offer = 1;
	c->disable_plaintext_auth = 1;
	/* Dovecot's auth_failure_delay (2 s) plus pam_unix's 2 s: the
	 * ~4 s of reference/transcripts/imap/01-session.txt a3 */
	c->auth_failure_delay_ms = 4000;
	c->max_line = 65536;
	c->max_append = 50 * 1024 * 1024;
	c->idle_notify_ms = 120000;
}

const char *imapd_ev_type_name(enum imapd_ev_type t)
{
	static const char *const names[] = {
		[IMAPD_EV_LOG] = "LOG",
		[IMAPD_EV_AUTH] = "AUTH",
		[IMAPD_EV_STARTTLS] = "STARTTLS",
		[IMAPD_EV_DELAY] = "DELAY",
		[IMAPD_EV_CLOSE] = "CLOSE",
	};

	return (size_t)t < ARRAY_LEN(names) ? names[t] : "?";
}

const char *imapd_state_name(enum imapd_state st)
{
	static const char *const names[] = {
		[IMAPD_ST_NOTAUTH] = "not-authenticated",
		[IMAPD_ST_AUTH] = "authenticated",
		[IMAPD_ST_SELECTED] = "selected",
		[IMAPD_ST_LOGOUT] = "logout",
	};

	return (size_t)st < ARRAY_LEN(names) ? names[st] : "?";
}

/* --- output ----------------------------------------------------------- */

void imapd_out(struct imapd *s, const void *p, size_t n)
{
	buf_add(&s->out, p, n);
	s->out_total += n;
}

void imapd_outf(struct imapd *s, const char *fmt, ...)
{
	va_list ap;
	char *t;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&t, fmt, ap);
	va_end(ap);
	BUG_ON(n < 0);
	imapd_out(s, t, (size_t)n);
	free(t);
}

static void tagged_v(struct imapd *s, const char *tag, const char *status,
		     const char *fmt, va_list ap)
{
	struct buf b;
	char *text;

	BUG_ON(vasprintf(&text, fmt, ap) < 0);
	buf_init(&b);
	buf_addf(&b, "%s %s %s", tag, status, text);
	free(text);
	if (s->state != IMAPD_ST_NOTAUTH) {
		/*
		 * Dovecot's imap process replaces a final '.' with the
		 * command's timing (imap-client.c); the numbers vary there,
		 * here they are fixed so that transcripts replay.
		 */
		if (b.len > 0 && b.data[b.len - 1] == '.')
			b.len--;
		buf_adds(&b, " (0.001 + 0.000 secs).");
	}
	buf_adds(&b, "\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
}

static void postlogin_bad_count(struct imapd *s);

void imapd_tagged(struct imapd *s, const char *tag, const char *status,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tagged_v(s, tag, status, fmt, ap);
	va_end(ap);
	if (s->state == IMAPD_ST_NOTAUTH || s->closed)
		return;
	/* a BAD counts towards the limit, any other end starts again
	 * (imap-client.c client_command_free: !param_error) */
	if (strcmp(status, "BAD") == 0)
		postlogin_bad_count(s);
	else
		s->bad_count = 0;
}

void imapd_done(struct imapd *s, struct imapd_cmdctx *c, const char *status,
		const char *fmt, ...)
{
	va_list ap;
	char *text;
	unsigned fl = s->cur_def != NULL ? s->cur_def->flags : 0;

	/* untagged news of the mailbox come before the tagged reply */
	if (s->mb != NULL && !(fl & IMAPD_CMD_NOSYNC))
		imapd_view_sync(s, (fl & IMAPD_CMD_USES_SEQS) && !c->uid, c->uid,
			   s->now);
	va_start(ap, fmt);
	BUG_ON(vasprintf(&text, fmt, ap) < 0);
	va_end(ap);
	imapd_tagged(s, c->tag, status, "%s", text);
	free(text);
}

void imapd_event(struct imapd *s, enum imapd_ev_type t, const char *text,
		 long delay_ms)
{
	struct imapd_event *ev;

	BUG_ON(s->nev >= IMAPD_MAX_EVENTS);
	ev = &s->evq[s->nev];
	memset(ev, 0, sizeof(*ev));
	ev->type = t;
	ev->delay_ms = delay_ms;
	s->evtext[s->nev] = text != NULL ? xstrdup(text) : NULL;
	ev->text = s->evtext[s->nev];
	s->nev++;
}

void imapd_log(struct imapd *s, const char *fmt, ...)
{
	va_list ap;
	char *t;

	va_start(ap, fmt);
	BUG_ON(vasprintf(&t, fmt, ap) < 0);
	va_end(ap);
	imapd_event(s, IMAPD_EV_LOG, t, 0);
	free(t);
}

/* --- capabilities ----------------------------------------------------- */

int imapd_plaintext_ok(const struct imapd *s)
{
	return !s->conf.disable_plaintext_auth || s->conf.secured || s->tls;
}

void imapd_capabilities(struct imapd *s, struct buf *out)
{
	if (s->state != IMAPD_ST_NOTAUTH) {
		buf_adds(out, imapd_reply_text(IMAPD_R_CAPS_POSTLOGIN));
		return;
	}
	/* imap-login's get_capability(): banner, STARTTLS, LOGINDISABLED,
	 * then the mechanisms this connection may use */
	buf_adds(out, "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+");
	if (s->conf.tls_offer && !s->tls)
		buf_adds(out, " STARTTLS");
	if (!imapd_plaintext_ok(s))
		buf_adds(out, " LOGINDISABLED");
	else
		buf_adds(out, " AUTH=PLAIN");
}

/* --- the session ------------------------------------------------------ */

/*
 * Dovecot's session ID (login-common client_get_session_id): the low 48
 * bits of the connect time in microseconds, the client port and the
 * IPv4 address, base64: "rPZTWV1htIB/AAAB" ends in 127.0.0.1.
 */
static void make_session_id(struct imapd *s, mtime_t now)
{
	unsigned char raw[12], b64[24];
	unsigned long long us = (unsigned long long)now * 1000ULL;
	unsigned a = 0, b = 0, c = 0, d = 0;
	int i, n;

	for (i = 0; i < 6; i++)
		raw[i] = (unsigned char)((us >> (8 * i)) & 0xff);
	raw[6] = (unsigned char)(s->conf.client_port & 0xff);
	raw[7] = (unsigned char)((s->conf.client_port >> 8) & 0xff);
	if (s->conf.client_ip != NULL)
		(void)sscanf(s->conf.client_ip, "%u.%u.%u.%u", &a, &b, &c, &d);
	raw[8] = (unsigned char)a;
	raw[9] = (unsigned char)b;
	raw[10] = (unsigned char)c;
	raw[11] = (unsigned char)d;
	n = EVP_EncodeBlock(b64, raw, sizeof(raw));
	memcpy(s->session, b64, (size_t)n);
	s->session[n] = '\0';
}

struct imapd *imapd_new(const struct imapd_conf *conf, mtime_t now)
{
	struct imapd *s = xcalloc(1, sizeof(*s));
	struct buf caps;

	s->conf = *conf;
	if (s->conf.max_line < 1024)
		s->conf.max_line = 1024;
	if (s->conf.client_ip == NULL)
		s->conf.client_ip = "127.0.0.1";
	if (s->conf.local_ip == NULL)
		s->conf.local_ip = "127.0.0.1";
	if (s->conf.login_greeting == NULL)
		s->conf.login_greeting = "Dovecot ready.";
	if (conf->session_id != NULL)
		snprintf(s->session, sizeof(s->session), "%s", conf->session_id);
	else
		make_session_id(s, now);
	s->conf.session_id = s->session;
	s->start = now;
	s->now = now;
	s->state = IMAPD_ST_NOTAUTH;
	s->in_mode = IMAPD_IN_LINE;
	s->tls = conf->tls_active;
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->cmd);
	buf_init(&s->cache);
	buf_init(&caps);
	imapd_capabilities(s, &caps);
	imapd_out(s, "* OK ", 5);
	imapd_outf(s, imapd_reply_text(IMAPD_R_GREETING_FMT), caps.data,
		   conf->login_greeting);
	imapd_out(s, "\r\n", 2);
	buf_reset(&caps);
	return s;
}

static void cur_reset(struct imapd *s)
{
	free(s->cur.tag);
	free(s->cur.name);
	imapd_args_free(s->cur.args, s->cur.nargs);
	memset(&s->cur, 0, sizeof(s->cur));
	s->cur_def = NULL;
	s->plus_sent = 0;
	buf_clear(&s->cmd);
}

void imapd_free(struct imapd **sp)
{
	struct imapd *s = *sp;
	size_t i;

	if (s == NULL)
		return;
	if (s->mb != NULL)
		store_mailbox_close(&s->mb, s->now);
	imapd_update_free_all(s);
	imapd_notify_free(s);
	cur_reset(s);
	for (i = 0; i < s->nev; i++)
		free(s->evtext[i]);
	buf_reset(&s->in);
	buf_reset(&s->out);
	buf_reset(&s->cmd);
	imapd_view_cache_drop(s);
	buf_reset(&s->cache);
	free(s->auth_tag);
	free(s->auth_user);
	free(s->auth_pass);
	free(s->last_auth_user);
	free(s->username);
	free(s->saved);
	free(s->idle_tag);
	free(s->last_cmd);
	free(s);
	*sp = NULL;
}

void imapd_feed(struct imapd *s, const void *buf, size_t len, mtime_t now)
{
	s->now = now;
	if (s->closed || s->in_mode == IMAPD_IN_TLS)
		return;		/* plaintext after STARTTLS is discarded */
	buf_add(&s->in, buf, len);
}

struct buf *imapd_output(struct imapd *s)
{
	return &s->out;
}

int imapd_closed(const struct imapd *s)
{
	return s->closed;
}

enum imapd_state imapd_state(const struct imapd *s)
{
	return s->state;
}

const char *imapd_user(const struct imapd *s)
{
	return s->username;
}

int imapd_idling(const struct imapd *s)
{
	return s->in_mode == IMAPD_IN_IDLE;
}

void imapd_tls_started(struct imapd *s, mtime_t now)
{
	(void)now;
	if (s->in_mode != IMAPD_IN_TLS)
		return;
	s->tls = 1;
	s->in_mode = IMAPD_IN_LINE;
}

/* --- log lines -------------------------------------------------------- */

static const char *secured_word(const struct imapd *s)
{
	if (s->tls)
		return "TLS, ";
	return s->conf.secured ? "secured, " : "";
}

/* login-common client_get_extra_disconnect_reason() */
static char *extra_reason(const struct imapd *s, mtime_t now)
{
	unsigned auth_secs = s->auth_first == 0 || now < s->auth_first ? 0 :
		(unsigned)((now - s->auth_first) / 1000);

	switch (s->last_fail) {
	case IMAPD_FAIL_PLAINTEXT:
		return xstrdup("(tried to use disallowed plaintext auth)");
	case IMAPD_FAIL_MECH:
		return xstrdup("(tried to use unsupported auth mechanism)");
	case IMAPD_FAIL_BASE64:
		return xstrdup("(sent invalid base64 in response)");
	default:
		break;
	}
	if (s->auth_attempts == 0 && s->in_mode != IMAPD_IN_WAIT &&
	    s->in_mode != IMAPD_IN_AUTH)
		return xasprintf("(no auth attempts in %u secs)",
				 now > s->start ? (unsigned)((now - s->start) / 1000) : 0);
	if (s->in_mode == IMAPD_IN_WAIT || s->in_mode == IMAPD_IN_AUTH)
		return xasprintf("(disconnected while authenticating, waited %u secs)",
				 auth_secs);
	if (s->auth_aborted && s->auth_attempts == 1)
		return xstrdup("(auth aborted)");
	return xasprintf("(auth failed, %d attempts in %u secs)",
			 s->auth_attempts, auth_secs);
}

/* imap-login's "Disconnected: reason (auth state): user=<>, ..." */
static void log_prelogin_disconnect(struct imapd *s, const char *reason,
				    mtime_t now)
{
	char *extra = extra_reason(s, now);

	imapd_log(s, "imap-login: Disconnected: %s %s: user=<%s>, %srip=%s, "
		  "lip=%s, %ssession=<%s>", reason, extra,
		  s->last_auth_user != NULL ? s->last_auth_user : "",
		  s->last_auth_user != NULL ? "method=PLAIN, " : "",
		  s->conf.client_ip, s->conf.local_ip, secured_word(s),
		  s->conf.session_id);
	free(extra);
}

/*
 * The imap process's last line (reference 01-session.log): in= counts
 * the bytes read after the login command, except the CRLF of a final
 * LOGOUT; out= the bytes written from the login reply on.
 */
static void log_postlogin_disconnect(struct imapd *s, const char *reason)
{
	imapd_log(s, "imap(%s)<%d><%s>: Disconnected: %s in=%llu out=%llu "
		  "deleted=%u expunged=%u trashed=%u hdr_count=%u "
		  "hdr_bytes=%llu body_count=%u body_bytes=%llu",
		  s->username, s->conf.mail_pid, s->conf.session_id, reason,
		  (unsigned long long)(s->in_total - s->in_login),
		  (unsigned long long)(s->out_total - s->out_login),
		  s->n_deleted, s->n_expunged, s->n_trashed, s->hdr_count,
		  (unsigned long long)s->hdr_bytes, s->body_count,
		  (unsigned long long)s->body_bytes);
}

void imapd_disconnect(struct imapd *s, const char *reason, mtime_t now)
{
	if (s->closed)
		return;
	if (s->state == IMAPD_ST_NOTAUTH) {
		log_prelogin_disconnect(s, reason, now);
	} else {
		if (s->mb != NULL)
			store_mailbox_close(&s->mb, now);
		log_postlogin_disconnect(s, reason);
	}
	s->state = IMAPD_ST_LOGOUT;
	s->closed = 1;
	s->in_mode = IMAPD_IN_CLOSED;
	imapd_event(s, IMAPD_EV_CLOSE, NULL, 0);
}

void imapd_eof(struct imapd *s, mtime_t now)
{
	char reason[128];

	s->now = now;
	if (s->closed)
		return;
	s->eof = 1;
	/* imap-client.c client_get_last_command_status() */
	if (s->state == IMAPD_ST_NOTAUTH) {
		snprintf(reason, sizeof(reason), "Connection closed");
	} else if (s->last_cmd == NULL) {
		snprintf(reason, sizeof(reason),
			 "Connection closed (No commands sent)");
	} else {
		long ms = now > s->last_cmd_time ? (long)(now - s->last_cmd_time) : 0;

		snprintf(reason, sizeof(reason),
			 "Connection closed (%s finished %ld.%03ld secs ago)",
			 s->last_cmd, ms / 1000, ms % 1000);
	}
	imapd_disconnect(s, reason, now);
}

void imapd_login_done(struct imapd *s, const char *tag, mtime_t now)
{
	struct buf caps;

	(void)now;
	s->state = IMAPD_ST_AUTH;
	s->username = xstrdup(s->auth_user);
	s->in_login = s->in_total;
	s->out_login = s->out_total;
	buf_init(&caps);
	imapd_capabilities(s, &caps);
	/*
	 * A client that asked CAPABILITY before login is told the new list
	 * untagged; others in the OK's response code (01-session a4 vs
	 * 02-preauth b4). No timing suffix: the words are imap-login's.
	 */
	if (s->capability_seen) {
		imapd_outf(s, "* CAPABILITY %s\r\n", caps.data);
		imapd_outf(s, "%s OK %s\r\n", tag,
			   imapd_reply_text(IMAPD_R_LOGGED_IN));
	} else {
		imapd_outf(s, "%s OK [CAPABILITY %s] %s\r\n", tag, caps.data,
			   imapd_reply_text(IMAPD_R_LOGGED_IN));
	}
	buf_reset(&caps);
	imapd_log(s, "imap-login: Login: user=<%s>, method=PLAIN, rip=%s, "
		  "lip=%s, mpid=%d, %ssession=<%s>", s->username,
		  s->conf.client_ip, s->conf.local_ip, s->conf.mail_pid,
		  secured_word(s), s->conf.session_id);
}

void imapd_auth_result(struct imapd *s, struct store_user *user, mtime_t now)
{
	s->now = now;
	if (s->in_mode != IMAPD_IN_WAIT || s->auth_tag == NULL)
		return;
	free(s->last_auth_user);
	s->last_auth_user = xstrdup(s->auth_user);
	if (user != NULL) {
		s->user = user;
		imapd_login_done(s, s->auth_tag, now);
		s->in_mode = IMAPD_IN_LINE;
		free(s->auth_tag);
		s->auth_tag = NULL;
		return;
	}
	/* the NO comes after the pause (imapd_next) */
	s->auth_fail_pending = 1;
	s->in_mode = IMAPD_IN_LINE;
	imapd_event(s, IMAPD_EV_DELAY, NULL, s->conf.auth_failure_delay_ms);
}

/* --- commands --------------------------------------------------------- */

void imapd_cmd_error(struct imapd *s, struct imapd_cmdctx *c, const char *msg)
{
	/* imap-client.c names UID commands "UID FETCH" */
	imapd_tagged(s, c->tag, "BAD", "Error in IMAP command %s%s: %s",
		     c->uid ? "UID " : "", c->name, msg);
}

/* A BAD from imap-login: counts towards the disconnect. */
void imapd_prelogin_bad(struct imapd *s, const char *tag, const char *text,
			 mtime_t now)
{
	if (++s->bad_count >= PRELOGIN_MAX_BAD) {
		imapd_outf(s, "* BYE %s\r\n",
			   imapd_reply_text(IMAPD_R_TOO_MANY_BAD));
		imapd_disconnect(s, "Too many invalid commands", now);
		return;
	}
	imapd_outf(s, "%s BAD %s\r\n", tag, text);
}

static void postlogin_bad_count(struct imapd *s)
{
	if (++s->bad_count >= POSTLOGIN_MAX_BAD) {
		imapd_outf(s, "* BYE %s\r\n",
			   imapd_reply_text(IMAPD_R_TOO_MANY_BAD));
		imapd_disconnect(s, "Too many invalid IMAP commands.", s->now);
	}
}

static void run_command(struct imapd *s, mtime_t now)
{
	struct imapd_cmdctx *c = &s->cur;
	int was_prelogin = s->state == IMAPD_ST_NOTAUTH;

	s->cur_def->fn(s, c, now);
	if (!was_prelogin && s->state != IMAPD_ST_NOTAUTH) {
		free(s->last_cmd);
		s->last_cmd = xasprintf("%s%s", c->uid ? "UID " : "", c->name);
		s->last_cmd_time = now;
	}
}

/* After tag and name: unknown command, state checks, the literal dance. */
static void try_parse(struct imapd *s, mtime_t now)
{
	struct imapd_lit lit;
	const char *err;
	enum imapd_parse_ret r;
	size_t rest = (size_t)-1;
	struct imapd_cmdctx *c = &s->cur;

	/* the arguments start after the name (and "UID name") */
	{
		const char *p = s->cmd.data;
		size_t i = 0, words = c->uid ? 3 : 2;

		while (words > 0 && i < s->cmd.len) {
			while (i < s->cmd.len && p[i] != ' ' && p[i] != '\r' &&
			       p[i] != '\n')
				i++;
			words--;
			if (words > 0 && i < s->cmd.len && p[i] == ' ')
				i++;
		}
		rest = i;
	}
	imapd_args_free(c->args, c->nargs);
	c->args = NULL;
	c->nargs = 0;
	r = imapd_parse_args(s->cmd.data, s->cmd.len, rest, &c->args,
			     &c->nargs, &lit, &err);
	if (r == IMAPD_PARSE_OK) {
		run_command(s, now);
		/* a command that waits (LOGIN, IDLE, AUTHENTICATE) keeps
		 * its own copy of the tag */
		cur_reset(s);
		return;
	}
	if (r == IMAPD_PARSE_ERROR) {
		if (s->state == IMAPD_ST_NOTAUTH) {
			imapd_prelogin_bad(s, c->tag, err, now);
		} else {
			imapd_cmd_error(s, c, err);
		}
		cur_reset(s);
		return;
	}
	/* a literal is announced */
	if (s->cur_def->lit != NULL) {
		if (s->cur_def->lit(s, c, &lit, now) != 0) {
			/*
			 * Refused and answered. A {n+} still arrives (RFC 7888
			 * 4: read and discard it, or close): small ones are
			 * skipped, absurd ones end the connection.
			 */
			if (lit.nonsync && lit.size > s->conf.max_append) {
				imapd_outf(s, "* BYE %s\r\n",
					   imapd_reply_text(IMAPD_R_LITERAL_TOO_BIG));
				imapd_disconnect(s, imapd_reply_text(IMAPD_R_LITERAL_TOO_BIG),
						 now);
			} else if (lit.nonsync) {
				s->lit_left = lit.size;
				s->skip_line_after = 1;
				s->in_mode = IMAPD_IN_SKIP;
			}
			cur_reset(s);
			return;
		}
	} else {
		size_t limit = s->state == IMAPD_ST_NOTAUTH ? PRELOGIN_MAX_LITERAL :
			       s->conf.max_line;

		if (s->cmd.len >= limit || lit.size > limit - s->cmd.len) {
			/* imap-parser.c: IMAP_PARSE_ERROR_LITERAL_TOO_BIG is
			 * fatal (client_disconnect_with_error) */
			imapd_outf(s, "* BYE %s\r\n",
				   imapd_reply_text(IMAPD_R_LITERAL_TOO_BIG));
			imapd_disconnect(s, imapd_reply_text(IMAPD_R_LITERAL_TOO_BIG),
					 now);
			cur_reset(s);
			return;
		}
	}
	if (!lit.nonsync)
		imapd_out(s, "+ OK\r\n", 6);
	s->lit_left = lit.size;
	s->in_mode = IMAPD_IN_LITERAL;
}

/* A complete line (without its line end) at the start of a command. */
static void command_line(struct imapd *s, const char *line, size_t len,
			 size_t full, mtime_t now)
{
	struct imapd_cmdctx *c = &s->cur;
	char *tag, *name;
	size_t rest;
	enum imapd_tag_ret tr = imapd_parse_tag(line, len, &tag, &name, &rest);
	int prelogin = s->state == IMAPD_ST_NOTAUTH;

	if (tr != IMAPD_TAG_OK) {
		if (prelogin) {
			/* imap-login: any broken start is an invalid command;
			 * an empty tag is answered with "*" */
			imapd_prelogin_bad(s, tag != NULL ? tag : "*",
				     imapd_reply_text(IMAPD_R_BAD_PRELOGIN), now);
		} else if (tr == IMAPD_TAG_BAD_TAG) {
			imapd_tagged(s, "*", "BAD", "%s",
				     imapd_reply_text(IMAPD_R_INVALID_TAG));
		} else {
			imapd_tagged(s, tag, "BAD", "%s",
				     imapd_reply_text(IMAPD_R_INVALID_NAME));
		}
		free(tag);
		free(name);
		return;
	}
	c->tag = tag;
	c->name = name;
	if (!prelogin && strcmp(name, "UID") == 0) {
		/* "UID FETCH ...": the real name is the next word */
		size_t i = rest, j;
		char *sub;

		while (i < len && line[i] == ' ')
			i++;
		for (j = i; j < len && line[j] != ' '; j++)
			;
		sub = xstrndup(line + i, j - i);
		for (i = 0; sub[i] != '\0'; i++)
			sub[i] = (char)toupper((unsigned char)sub[i]);
		s->cur_def = imapd_cmd_find(0, sub);
		free(c->name);
		c->name = sub;
		c->uid = 1;
		if (s->cur_def == NULL || !(s->cur_def->flags & IMAPD_CMD_UID)) {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_UNKNOWN_COMMAND));
			cur_reset(s);
			return;
		}
	} else {
		s->cur_def = imapd_cmd_find(prelogin, name);
	}
	if (s->cur_def == NULL) {
		if (prelogin) {
			/* "LOGIN user pass" without a tag (login-client.c) */
			if (strcasecmp(tag, "LOGIN") == 0)
				imapd_prelogin_bad(s, tag, imapd_reply_text(IMAPD_R_BAD_LOGIN_TAG),
					     now);
			else
				imapd_prelogin_bad(s, tag, imapd_reply_text(IMAPD_R_BAD_PRELOGIN),
					     now);
		} else {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_UNKNOWN_COMMAND));
		}
		cur_reset(s);
		return;
	}
	buf_add(&s->cmd, line, full);
	try_parse(s, now);
}

/* The line goes past the limit without a LF. */
static void line_too_long(struct imapd *s, mtime_t now)
{
	if (s->state == IMAPD_ST_NOTAUTH) {
		imapd_outf(s, "* BYE %s\r\n", imapd_reply_text(IMAPD_R_INPUT_FULL));
		imapd_disconnect(s, "Input buffer full", now);
		return;
	}
	{
		/* imap-client.c: "Too long argument." and skip the line */
		char *tag = NULL, *name = NULL;
		size_t rest;

		if (s->cmd.len == 0) {
			(void)imapd_parse_tag(s->in.data, s->in.len, &tag, &name,
					      &rest);
			imapd_tagged(s, tag != NULL ? tag : "*", "BAD",
				     "Error in IMAP command %s: %s",
				     name != NULL ? name : "",
				     imapd_reply_text(IMAPD_R_TOO_LONG));
		} else {
			imapd_cmd_error(s, &s->cur,
					imapd_reply_text(IMAPD_R_TOO_LONG));
		}
		free(tag);
		free(name);
		cur_reset(s);
		s->in_total += s->in.len;
		buf_clear(&s->in);
		s->skip_line = 1;
	}
}

/* One step of input processing; 0 when it needs more input. */
static int step(struct imapd *s, mtime_t now)
{
	const char *lf;
	size_t full, len;

	switch (s->in_mode) {
	case IMAPD_IN_WAIT:
	case IMAPD_IN_TLS:
	case IMAPD_IN_CLOSED:
		return 0;
	case IMAPD_IN_LITERAL:
	case IMAPD_IN_SKIP: {
		size_t take = s->in.len < s->lit_left ? s->in.len :
			      (size_t)s->lit_left;

		if (take == 0 && s->lit_left > 0)
			return 0;
		if (s->in_mode == IMAPD_IN_LITERAL)
			buf_add(&s->cmd, s->in.data, take);
		buf_consume(&s->in, take);
		s->in_total += take;
		s->lit_left -= take;
		if (s->lit_left == 0) {
			if (s->in_mode == IMAPD_IN_SKIP && s->skip_line_after)
				s->skip_line = 1;
			s->skip_line_after = 0;
			s->in_mode = IMAPD_IN_LINE;
		}
		return 1;
	}
	default:
		break;
	}
	lf = s->in.len > 0 ? memchr(s->in.data, '\n', s->in.len) : NULL;
	if (lf == NULL) {
		size_t limit = s->state == IMAPD_ST_NOTAUTH ? PRELOGIN_MAX_LINE :
			       s->conf.max_line;

		if (s->skip_line) {
			s->in_total += s->in.len;
			buf_clear(&s->in);
			return 0;
		}
		if (s->in.len + s->cmd.len > limit)
			line_too_long(s, now);
		return 0;
	}
	full = (size_t)(lf - s->in.data) + 1;
	len = full - 1;
	if (len > 0 && s->in.data[len - 1] == '\r')
		len--;
	s->line_end = full - len;
	if (s->skip_line) {
		s->skip_line = 0;
		buf_consume(&s->in, full);
		s->in_total += full;
		return 1;
	}
	{
		/* the line is moved out of `in` before it is acted on */
		char *line = xstrndup(s->in.data, full);

		buf_consume(&s->in, full);
		s->in_total += full;
		switch (s->in_mode) {
		case IMAPD_IN_AUTH:
			imapd_cmd_auth_input(s, line, len, now);
			break;
		case IMAPD_IN_IDLE:
			imapd_cmd_idle_input(s, line, len, now);
			break;
		default:
			if (s->cmd.len == 0) {
				command_line(s, line, len, full, now);
			} else {
				/* the line after a literal */
				buf_add(&s->cmd, line, full);
				try_parse(s, now);
			}
			break;
		}
		free(line);
	}
	return 1;
}

int imapd_next(struct imapd *s, struct imapd_event *ev_out, mtime_t now)
{
	s->now = now;
	for (;;) {
		if (s->evpos < s->nev) {
			*ev_out = s->evq[s->evpos++];
			return 1;
		}
		while (s->nev > 0) {
			s->nev--;
			free(s->evtext[s->nev]);
			s->evtext[s->nev] = NULL;
		}
		s->evpos = 0;
		if (s->closed)
			return 0;
		if (s->auth_fail_pending) {
			s->auth_fail_pending = 0;
			imapd_outf(s, "%s NO %s\r\n", s->auth_tag,
				   imapd_reply_text(IMAPD_R_AUTH_FAILED));
			free(s->auth_tag);
			s->auth_tag = NULL;
			continue;
		}
		if (!step(s, now) && s->nev == 0)
			return 0;
	}
}

void imapd_tick(struct imapd *s, mtime_t now)
{
	s->now = now;
	if (s->in_mode != IMAPD_IN_IDLE)
		return;
	imapd_view_sync(s, 0, 0, now);
	if (now - s->idle_last >= s->conf.idle_notify_ms) {
		imapd_outf(s, "* OK %s\r\n", imapd_reply_text(IMAPD_R_STILL_HERE));
		s->idle_last = now;
	}
}
