/*
 * smtpd: the session. Input accumulates in s->in; smtpd_next() runs the
 * state machine (smtpd_priv.h) one step at a time and hands out whatever
 * the steps put into the outbox: replies go to the output buffer (after a
 * SMTPD_EV_DELAY when the error count says Postfix would sleep first),
 * events go to the driver. The loop mirrors Postfix 3.7's smtpd_proto():
 * at the top of each command, hang up after a 421/521, send 421 at the
 * hard error limit, then read one line, process it, count it.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "smtp/smtpd_line.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_priv.h"
#include "smtp/smtpd_reply.h"

static const char *const ev_names[] = {
	[SMTPD_EV_LOG] = "LOG",
	[SMTPD_EV_HELO] = "HELO",
	[SMTPD_EV_MAIL] = "MAIL",
	[SMTPD_EV_RCPT] = "RCPT",
	[SMTPD_EV_VRFY] = "VRFY",
	[SMTPD_EV_ETRN] = "ETRN",
	[SMTPD_EV_AUTH] = "AUTH",
	[SMTPD_EV_DATA] = "DATA",
	[SMTPD_EV_RSET] = "RSET",
	[SMTPD_EV_STARTTLS] = "STARTTLS",
	[SMTPD_EV_DELAY] = "DELAY",
	[SMTPD_EV_CLOSE] = "CLOSE",
};

const char *smtpd_bare_newline_name(enum smtpd_bare_newline b)
{
	static const char *const names[] = { "no", "normalize", "reject" };

	return (size_t)b < ARRAY_LEN(names) ? names[b] : "?";
}

const char *smtpd_ev_type_name(enum smtpd_ev_type t)
{
	if ((size_t)t < ARRAY_LEN(ev_names) && ev_names[t] != NULL)
		return ev_names[t];
	return "?";
}

/* ---- the outbox ---- */

static void item_free(struct smtpd_item *it)
{
	if (it == NULL)
		return;
	free(it->text);
	free(it->arg);
	free(it->user);
	free(it->pass);
	free(it->data);
	free(it);
}

static void ob_append(struct smtpd *s, struct smtpd_item *it)
{
	if (s->ob_tail)
		s->ob_tail->next = it;
	else
		s->ob_head = it;
	s->ob_tail = it;
}

void smtpd_push_reply(struct smtpd *s, const char *line)
{
	struct smtpd_item *it = xcalloc(1, sizeof(*it));

	it->is_reply = 1;
	it->text = xstrdup(line);
	/*
	 * Postfix sleeps in smtpd_chat_reply() before every reply once the
	 * session has made smtpd_soft_error_limit errors, even before a 250
	 * (reference/transcripts/smtp/05k, 05l).
	 */
	it->delay = s->error_count >= s->conf.soft_error_limit
	    && s->conf.error_sleep_ms > 0;
	ob_append(s, it);
	/* A 421 or 521 ends the session after the current command. */
	if (strncmp(line, "421", 3) == 0 || strncmp(line, "521", 3) == 0)
		s->hangup = 1;
}

struct smtpd_item *smtpd_push_event(struct smtpd *s, enum smtpd_ev_type t,
				    const char *arg)
{
	struct smtpd_item *it = xcalloc(1, sizeof(*it));

	it->type = t;
	if (arg != NULL)
		it->arg = xstrdup(arg);
	ob_append(s, it);
	return it;
}

void smtpd_wait_verdict(struct smtpd *s, enum smtpd_pend p)
{
	s->pend = p;
	s->phase = SMTPD_PH_VERDICT;
}

/* ---- input ---- */

size_t smtpd_pending_input(const struct smtpd *s)
{
	return s->in.len - s->in_off;
}

const char *smtpd_pending_data(const struct smtpd *s)
{
	return s->in.data ? s->in.data + s->in_off : "";
}

void smtpd_consume_input(struct smtpd *s, size_t n)
{
	s->in_off += n;
	if (s->in_off >= s->in.len) {
		buf_clear(&s->in);
		s->in_off = 0;
	} else if (s->in_off > 65536) {
		buf_consume(&s->in, s->in_off);
		s->in_off = 0;
	}
}

void smtpd_discard_input(struct smtpd *s)
{
	buf_clear(&s->in);
	s->in_off = 0;
}

static void trace_in(struct smtpd *s, const char *line)
{
	struct trace_event ev;

	if (s->conf.trace == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = s->now;
	ev.host = s->conf.trace_host;
	ev.process = "postfix/smtpd";
	ev.peer = s->namaddr;
	ev.protocol = "smtp";
	ev.direction = TRACE_DIR_IN;
	ev.text = line;
	trace_emit(s->conf.trace, &ev);
}

/* ---- session state ---- */

void smtpd_helo_reset(struct smtpd *s)
{
	free(s->tx.helo);
	s->tx.helo = NULL;
}

void smtpd_count_done(struct smtpd *s, int status)
{
	size_t n;
	const struct smtpd_cmd *tab = smtpd_cmd_table(&n);
	int i = s->cur_cmd;

	BUG_ON(i < 0 || (size_t)i >= n);
	s->cur_cmd = -1;
	if (status == SMTPD_CMD_OK)
		s->count_ok[i]++;
	else
		s->error_count++;
	/*
	 * smtpd_junk_command_limit: HELO, EHLO, RSET, NOOP, VRFY, ETRN beyond
	 * the limit count as errors (the limit resets with each message).
	 */
	if ((tab[i].flags & SMTPD_CMDF_LIMIT)
	    && s->junk_cmds++ > s->conf.junk_command_limit)
		s->error_count++;
	if (tab[i].flags & SMTPD_CMDF_QUIT)
		smtpd_end_session(s);
}

void smtpd_end_session(struct smtpd *s)
{
	if (s->phase == SMTPD_PH_DONE)
		return;
	s->phase = SMTPD_PH_DONE;
	s->pend = SMTPD_PEND_NONE;
	/* Postfix counts what it had read: stored content plus the BDAT
	   bytes not yet stored. */
	smtpd_log_abort(s, s->act_size + (long)s->bdat_line.len);
	smtpd_tx_reset(s);
	smtpd_auth_reset(s);
	smtpd_log_disconnect(s);
	smtpd_push_event(s, SMTPD_EV_CLOSE, NULL);
	smtpd_discard_input(s);
}

static void lost_connection(struct smtpd *s)
{
	s->reason = SMTPD_REASON_LOST;
	smtpd_end_session(s);
}

/*
 * Postfix checks whether the client spoke before the greeting right after
 * connect (reference/transcripts/smtp/05j). The engine learns it from the
 * first feed arriving while the banner is still unsent, and logs it when
 * that input is first read, with all the input pending then.
 */
static void check_greeting(struct smtpd *s)
{
	if (s->greeting_checked)
		return;
	s->greeting_checked = 1;
	if (s->talked_first && !s->ill_pipelining) {
		smtpd_log_pipelining(s, smtpd_pending_data(s),
				     smtpd_pending_input(s));
		s->ill_pipelining = 1;
	}
}

/* Reads the next command line (the top of Postfix's command loop). */
static int step_cmd(struct smtpd *s)
{
	struct smtpd_line l;
	int r;

	if (s->hangup) {
		smtpd_end_session(s);
		return 1;
	}
	if (s->error_count >= s->conf.hard_error_limit) {
		s->reason = SMTPD_REASON_ERRORS;
		smtpd_reply(s, SMTPD_R_TOO_MANY_ERRORS, s->conf.myhostname);
		smtpd_end_session(s);
		return 1;
	}
	r = smtpd_line_get(smtpd_pending_data(s), smtpd_pending_input(s),
			   (size_t)s->conf.line_length_limit,
			   s->detect_bare_lf, s->eof, &l);
	if (r == 0)
		return 0;
	if (r < 0) {
		lost_connection(s);
		return 1;
	}
	check_greeting(s);
	free(s->line);
	s->line = xstrndup(l.data, l.len);
	s->line_len = l.len;
	smtpd_consume_input(s, l.used);
	trace_in(s, s->line);
	if (!l.complete) {
		/* smtp_get(..., SMTP_GET_FLAG_SKIP): drop the rest first */
		s->skip_auth = 0;
		s->phase = SMTPD_PH_SKIP;
		return 1;
	}
	smtpd_cmd_process(s, l.bare_lf);
	return 1;
}

static int step_skip(struct smtpd *s)
{
	size_t used;
	int done = smtpd_line_skip(smtpd_pending_data(s),
				   smtpd_pending_input(s), &used);

	smtpd_consume_input(s, used);
	if (!done) {
		if (s->eof) {
			lost_connection(s);
			return 1;
		}
		return 0;
	}
	if (s->skip_auth) {
		s->phase = SMTPD_PH_AUTH;
		return smtpd_auth_step(s);
	}
	s->phase = SMTPD_PH_CMD;
	smtpd_log_long_request(s, s->conf.line_length_limit, s->line);
	smtpd_cmd_process(s, 0);
	return 1;
}

/* One step of the state machine: 1 progress, 0 needs input or a verdict. */
static int step(struct smtpd *s)
{
	switch (s->phase) {
	case SMTPD_PH_CMD:
		return step_cmd(s);
	case SMTPD_PH_SKIP:
		return step_skip(s);
	case SMTPD_PH_DATA:
		return smtpd_data_step(s);
	case SMTPD_PH_BDAT:
		return smtpd_data_bdat_step(s);
	case SMTPD_PH_AUTH:
		return smtpd_auth_step(s);
	case SMTPD_PH_VERDICT:
	case SMTPD_PH_TLS:
	case SMTPD_PH_DONE:
		return 0;
	}
	return 0;
}

/* ---- the API ---- */

struct smtpd *smtpd_new(const struct smtpd_conf *conf, mtime_t now)
{
	struct smtpd *s = xcalloc(1, sizeof(*s));
	struct smtpd_conf *c = &s->conf;
	size_t ncmd;

	*c = *conf;
	if (c->myhostname == NULL)
		c->myhostname = "localhost";
	if (c->banner == NULL) {
		s->banner = xasprintf("%s ESMTP Postfix", c->myhostname);
		c->banner = s->banner;
	}
	if (c->client_name == NULL)
		c->client_name = "unknown";
	if (c->client_addr == NULL)
		c->client_addr = "unknown";
	if (c->line_length_limit <= 0)
		c->line_length_limit = SMTPD_DEF_LINE_LIMIT;
	if (c->soft_error_limit <= 0)
		c->soft_error_limit = SMTPD_DEF_SOFT_ERLIM;
	if (c->hard_error_limit <= 0)
		c->hard_error_limit = SMTPD_DEF_HARD_ERLIM;
	if (c->junk_command_limit <= 0)
		c->junk_command_limit = SMTPD_DEF_JUNK_LIMIT;
	if (c->recipient_overshoot_limit <= 0)
		c->recipient_overshoot_limit = SMTPD_DEF_RCPT_OVERLIM;
	if (c->sasl_response_limit <= 0)
		c->sasl_response_limit = SMTPD_DEF_SASL_RESP_LIMIT;
	if (c->bare_newline_code <= 0)
		c->bare_newline_code = SMTPD_DEF_BARE_LF_CODE;
	if (c->error_sleep_ms < 0)
		c->error_sleep_ms = 0;
	if (c->message_size_limit < 0)
		c->message_size_limit = 0;
	if (c->recipient_limit < 0)
		c->recipient_limit = 0;
	if (c->sasl_mechs == NULL)
		c->sasl_mechs = "PLAIN LOGIN";
	if (c->trace_host == NULL)
		c->trace_host = c->myhostname;

	s->now = now;
	s->namaddr = xasprintf("%s[%s]", c->client_name, c->client_addr);
	buf_init(&s->in);
	buf_init(&s->out);
	buf_init(&s->msg);
	buf_init(&s->bdat_line);
	s->phase = SMTPD_PH_CMD;
	s->protocol = "SMTP";
	s->where = SMTPD_WHERE_CONNECT;
	s->cur_cmd = -1;
	smtpd_cmd_table(&ncmd);
	s->count_ok = xcalloc(ncmd + 1, sizeof(int));
	s->count_all = xcalloc(ncmd + 1, sizeof(int));
	s->detect_bare_lf = c->bare_newline != SMTPD_BARE_NL_NO
	    && !c->bare_newline_excluded;
	s->reject_bare_lf = c->bare_newline == SMTPD_BARE_NL_REJECT
	    && !c->bare_newline_excluded;
	s->tx.tls = c->tls_active != 0;
	s->tx.size_param = -1;
	/* "encrypt" implies smtpd_tls_auth_only = yes (postconf(5)) */
	if (c->tls_required)
		c->tls_auth_only = 1;
	/* SASL runs in plaintext unless smtpd_tls_auth_only. */
	s->sasl_active = c->sasl_enabled && (s->tx.tls || !c->tls_auth_only);

	smtpd_log_connect(s);
	/* The banner goes out at once: a client may wait for it. */
	{
		char *line = xasprintf("220 %s", c->banner);

		smtpd_reply_send(s, line);
		s->banner_len = strlen(line) + 2;
		free(line);
	}
	return s;
}

void smtpd_free(struct smtpd **sp)
{
	struct smtpd *s = *sp;
	struct smtpd_item *it, *next;

	if (s == NULL)
		return;
	for (it = s->ob_head; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	item_free(s->last);
	smtpd_data_reset(s);
	smtpd_auth_reset(s);
	free(s->tx.helo);
	free(s->tx.sasl_user);
	free(s->tx.mail_from);
	free(s->tx.body_param);
	free(s->tx.queue_id);
	{
		size_t i;

		for (i = 0; i < s->tx.nrcpt; i++) {
			free(s->tx.rcpts[i].addr);
			free(s->tx.rcpts[i].orig);
		}
		free(s->tx.rcpts);
	}
	free(s->recipient);
	free(s->pend_addr);
	free(s->pend_arg);
	free(s->line);
	free(s->banner);
	free(s->auth_mechs);
	free(s->namaddr);
	free(s->count_ok);
	free(s->count_all);
	buf_reset(&s->in);
	buf_reset(&s->out);
	buf_reset(&s->msg);
	buf_reset(&s->bdat_line);
	free(s);
	*sp = NULL;
}

void smtpd_feed(struct smtpd *s, const void *buf, size_t len, mtime_t now)
{
	s->now = now;
	if (s->phase == SMTPD_PH_DONE || s->eof || len == 0)
		return;
	if (!s->fed) {
		/* The first input, and the banner has not left yet? */
		s->fed = 1;
		s->talked_first = s->out.len >= s->banner_len;
	}
	if (s->phase == SMTPD_PH_TLS) {
		/*
		 * RFC 3207 section 4.2 and Postfix's vstream_fpurge() after
		 * "220 Ready to start TLS": no plaintext may cross into the
		 * TLS session. Whatever the driver hands over before the
		 * handshake is done is dropped.
		 */
		return;
	}
	buf_add(&s->in, buf, len);
}

void smtpd_eof(struct smtpd *s, mtime_t now)
{
	s->now = now;
	if (s->phase == SMTPD_PH_TLS) {
		/* Gone while we waited for its ClientHello. */
		smtpd_tls_failed(s, "lost connection", NULL, now);
		return;
	}
	s->eof = 1;
}

int smtpd_next(struct smtpd *s, struct smtpd_event *ev_out, mtime_t now)
{
	s->now = now;
	item_free(s->last);
	s->last = NULL;
	memset(ev_out, 0, sizeof(*ev_out));
	for (;;) {
		struct smtpd_item *it = s->ob_head;

		if (it != NULL) {
			if (it->is_reply && it->delay && !it->delay_done) {
				it->delay_done = 1;
				ev_out->type = SMTPD_EV_DELAY;
				ev_out->delay_ms = s->conf.error_sleep_ms;
				ev_out->tx = &s->tx;
				return 1;
			}
			s->ob_head = it->next;
			if (s->ob_head == NULL)
				s->ob_tail = NULL;
			it->next = NULL;
			if (it->is_reply) {
				smtpd_reply_send(s, it->text);
				item_free(it);
				continue;
			}
			s->last = it;
			ev_out->type = it->type;
			ev_out->arg = it->arg;
			ev_out->text = it->text;
			ev_out->user = it->user;
			ev_out->pass = it->pass;
			ev_out->data = it->data;
			ev_out->len = it->len;
			ev_out->tx = &s->tx;
			if (it->type == SMTPD_EV_CLOSE)
				s->closed = 1;
			return 1;
		}
		if (s->closed || !step(s))
			return 0;
	}
}

void smtpd_verdict(struct smtpd *s, const struct smtpd_verdict *v,
		   mtime_t now)
{
	enum smtpd_pend p = s->pend;

	s->now = now;
	BUG_ON(s->phase != SMTPD_PH_VERDICT || p == SMTPD_PEND_NONE);
	s->pend = SMTPD_PEND_NONE;
	s->phase = SMTPD_PH_CMD;
	switch (p) {
	case SMTPD_PEND_MAIL:
	case SMTPD_PEND_RCPT:
		smtpd_tx_verdict(s, p, v);
		break;
	case SMTPD_PEND_VRFY:
	case SMTPD_PEND_ETRN:
		smtpd_cmd_verdict(s, p, v);
		break;
	case SMTPD_PEND_AUTH:
		smtpd_auth_verdict(s, v);
		break;
	case SMTPD_PEND_DATA:
		smtpd_data_verdict(s, v);
		break;
	case SMTPD_PEND_NONE:
		break;
	}
}

struct buf *smtpd_output(struct smtpd *s)
{
	return &s->out;
}

void smtpd_tls_started(struct smtpd *s, mtime_t now)
{
	s->now = now;
	BUG_ON(s->phase != SMTPD_PH_TLS);
	smtpd_cmd_tls_started(s);
}

/*
 * Postfix's tls_server_start() failing (reference/transcripts/smtp/
 * 06e-plaintext-after-starttls.log): "SSL_accept error from CLIENT: -1",
 * the library's complaint, then smtpd's own "lost connection after
 * STARTTLS" and a disconnect line counting starttls=0/1.
 */
void smtpd_tls_failed(struct smtpd *s, const char *result,
		      const char *problem, mtime_t now)
{
	s->now = now;
	if (s->phase != SMTPD_PH_TLS) {
		smtpd_close(s, now);
		return;
	}
	smtpd_log_tls_failed(s, result, problem);
	s->phase = SMTPD_PH_CMD;
	if (s->cur_cmd >= 0)
		smtpd_count_done(s, SMTPD_CMD_ERR);
	smtpd_discard_input(s);
	lost_connection(s);
}

void smtpd_close(struct smtpd *s, mtime_t now)
{
	s->now = now;
	if (s->phase == SMTPD_PH_DONE)
		return;
	smtpd_discard_input(s);
	lost_connection(s);
}

void smtpd_timeout(struct smtpd *s, mtime_t now)
{
	s->now = now;
	if (s->phase == SMTPD_PH_DONE)
		return;
	s->reason = SMTPD_REASON_TIMEOUT;
	smtpd_reply(s, SMTPD_R_TIMEOUT, s->conf.myhostname);
	smtpd_discard_input(s);
	smtpd_end_session(s);
}

int smtpd_closed(const struct smtpd *s)
{
	return s->closed;
}

const struct smtpd_tx *smtpd_tx(const struct smtpd *s)
{
	return &s->tx;
}
