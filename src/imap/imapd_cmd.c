/*
 * The command tables (imap-login's before authentication, the imap
 * process's after) and the commands about the session itself:
 * CAPABILITY, NOOP, LOGOUT, STARTTLS (RFC 3501 6.2.1), LOGIN,
 * AUTHENTICATE PLAIN with SASL-IR (RFC 4959, 4616), ID (RFC 2971),
 * ENABLE (RFC 5161), NAMESPACE (RFC 2342), CHECK, CLOSE, UNSELECT
 * (RFC 3691), EXPUNGE and UID EXPUNGE (RFC 4315), IDLE (RFC 2177) and
 * NOTIFY (RFC 5465, as far as docs/imap.md says).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

static int prelogin(const struct imapd *s)
{
	return s->state == IMAPD_ST_NOTAUTH;
}

/* imap-login's answer to anything it cannot use. */
static void login_bad(struct imapd *s, struct imapd_cmdctx *c)
{
	imapd_prelogin_bad(s, c->tag, imapd_reply_text(IMAPD_R_BAD_PRELOGIN),
			   s->now);
}

static void cmd_capability(struct imapd *s, struct imapd_cmdctx *c,
			   mtime_t now)
{
	struct buf caps;

	(void)now;
	buf_init(&caps);
	imapd_capabilities(s, &caps);
	imapd_outf(s, "* CAPABILITY %s\r\n", caps.data);
	buf_reset(&caps);
	if (prelogin(s)) {
		/* imap-login cmd_capability(): clients must ask again after
		 * STARTTLS, so only a CAPABILITY before it counts (03-starttls
		 * c2/c3 get the resp-code form) */
		if (!s->starttls_done)
			s->capability_seen = 1;
		imapd_outf(s, "%s OK %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_PRELOGIN_CAPS));
		return;
	}
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_CAPABILITY_DONE));
}

static void cmd_noop(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	(void)now;
	if (prelogin(s))
		imapd_outf(s, "%s OK %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_NOOP_DONE));
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_NOOP_DONE));
}

static void cmd_logout(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	imapd_outf(s, "* BYE %s\r\n", imapd_reply_text(IMAPD_R_LOGOUT_BYE));
	if (prelogin(s)) {
		imapd_outf(s, "%s OK %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_LOGOUT_DONE));
		imapd_disconnect(s, "Aborted login by logging out", now);
		return;
	}
	/* the mailbox is closed before the OK, without expunging */
	imapd_view_close(s, now);
	imapd_tagged(s, c->tag, "OK", "%s", imapd_reply_text(IMAPD_R_LOGOUT_DONE));
	/* Dovecot stops reading at the command: its CRLF is not in in= */
	s->in_total -= s->line_end;
	imapd_disconnect(s, "Logged out", now);
}

static void cmd_starttls(struct imapd *s, struct imapd_cmdctx *c,
			 mtime_t now)
{
	(void)now;
	if (c->nargs != 0) {
		login_bad(s, c);
		return;
	}
	if (s->tls) {
		imapd_outf(s, "%s BAD %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_TLS_ACTIVE));
		return;
	}
	if (!s->conf.tls_offer) {
		imapd_outf(s, "%s BAD %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_TLS_UNAVAILABLE));
		return;
	}
	imapd_outf(s, "%s OK %s\r\n", c->tag,
		   imapd_reply_text(IMAPD_R_STARTTLS_DONE));
	/* whatever the client pipelined in plaintext is dropped */
	s->in_total += s->in.len;
	buf_clear(&s->in);
	s->in_mode = IMAPD_IN_TLS;
	s->starttls_done = 1;
	imapd_event(s, IMAPD_EV_STARTTLS, NULL, 0);
}

/* Asks the driver about user/pass; the reply waits for the verdict. */
static void start_auth(struct imapd *s, const char *tag, const char *user,
		       const char *pass)
{
	struct imapd_event *ev;

	if (s->auth_attempts++ == 0)
		s->auth_first = s->now;
	s->last_fail = IMAPD_FAIL_NONE;
	free(s->auth_tag);
	free(s->auth_user);
	free(s->auth_pass);
	s->auth_tag = xstrdup(tag);
	s->auth_user = xstrdup(user);
	s->auth_pass = xstrdup(pass);
	s->in_mode = IMAPD_IN_WAIT;
	imapd_event(s, IMAPD_EV_AUTH, NULL, 0);
	ev = &s->evq[s->nev - 1];
	ev->user = s->auth_user;
	ev->pass = s->auth_pass;
	ev->mech = "PLAIN";
}

/* A failure the engine sees itself (broken PLAIN response): the same
 * pause and words as a wrong password. */
static void auth_fail_now(struct imapd *s, const char *tag, const char *user)
{
	free(s->auth_tag);
	s->auth_tag = xstrdup(tag);
	free(s->last_auth_user);
	s->last_auth_user = user != NULL ? xstrdup(user) : NULL;
	if (s->auth_attempts++ == 0)
		s->auth_first = s->now;
	s->auth_fail_pending = 1;
	s->in_mode = IMAPD_IN_LINE;
	imapd_event(s, IMAPD_EV_DELAY, NULL, s->conf.auth_failure_delay_ms);
}

static void cmd_login(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	(void)now;
	if (c->nargs != 2 || !imapd_arg_is_astring(&c->args[0]) ||
	    !imapd_arg_is_astring(&c->args[1])) {
		login_bad(s, c);
		return;
	}
	if (!imapd_plaintext_ok(s)) {
		imapd_outf(s, "%s NO %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_PRIVACY_REQUIRED));
		s->last_fail = IMAPD_FAIL_PLAINTEXT;
		free(s->last_auth_user);
		s->last_auth_user = xstrdup(c->args[0].s);
		return;
	}
	start_auth(s, c->tag, c->args[0].s, c->args[1].s);
}

/* RFC 4616: [authzid] NUL authcid NUL passwd. */
static void plain_response(struct imapd *s, const char *tag, const char *b64,
			   size_t len)
{
	unsigned char *dec;
	int n, pad = 0;
	const char *authz, *authc, *pass;
	size_t i, nul = 0;

	if (len % 4 != 0) {
		imapd_outf(s, "%s BAD %s\r\n", tag,
			   imapd_reply_text(IMAPD_R_AUTH_BASE64));
		s->last_fail = IMAPD_FAIL_BASE64;
		return;
	}
	for (i = 0; i < len; i++) {
		char ch = b64[i];

		if (ch == '=' && i + 2 >= len) {
			pad++;
			continue;
		}
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/')) {
			imapd_outf(s, "%s BAD %s\r\n", tag,
				   imapd_reply_text(IMAPD_R_AUTH_BASE64));
			s->last_fail = IMAPD_FAIL_BASE64;
			return;
		}
	}
	dec = xmalloc(len / 4 * 3 + 1);
	n = len > 0 ? EVP_DecodeBlock(dec, (const unsigned char *)b64,
				      (int)len) : 0;
	if (n < 0) {
		free(dec);
		imapd_outf(s, "%s BAD %s\r\n", tag,
			   imapd_reply_text(IMAPD_R_AUTH_BASE64));
		return;
	}
	n -= pad;
	dec[n] = '\0';
	for (i = 0; i < (size_t)n; i++)
		if (dec[i] == '\0')
			nul++;
	authz = (const char *)dec;
	authc = authz + strlen(authz) + 1;
	if (nul != 2 || (size_t)(authc - authz) > (size_t)n) {
		free(dec);
		auth_fail_now(s, tag, NULL);
		return;
	}
	pass = authc + strlen(authc) + 1;
	if (*authz != '\0' && strcmp(authz, authc) != 0) {
		/* no master users here */
		auth_fail_now(s, tag, authc);
		free(dec);
		return;
	}
	start_auth(s, tag, authc, pass);
	free(dec);
}

static void cmd_authenticate(struct imapd *s, struct imapd_cmdctx *c,
			     mtime_t now)
{
	(void)now;
	if (c->nargs < 1 || c->nargs > 2 || c->args[0].type != IMAPD_ARG_ATOM ||
	    (c->nargs == 2 && c->args[1].type != IMAPD_ARG_ATOM)) {
		login_bad(s, c);
		return;
	}
	if (strcasecmp(c->args[0].s, "PLAIN") != 0) {
		imapd_outf(s, "%s NO %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_AUTH_MECH_UNKNOWN));
		s->last_fail = IMAPD_FAIL_MECH;
		return;
	}
	if (!imapd_plaintext_ok(s)) {
		imapd_outf(s, "%s NO %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_PRIVACY_REQUIRED));
		s->last_fail = IMAPD_FAIL_PLAINTEXT;
		return;
	}
	if (c->nargs == 2) {
		/* SASL-IR (RFC 4959): "=" is an empty response */
		const char *ir = strcmp(c->args[1].s, "=") == 0 ? "" : c->args[1].s;

		plain_response(s, c->tag, ir, strlen(ir));
		return;
	}
	free(s->auth_tag);
	s->auth_tag = xstrdup(c->tag);
	imapd_out(s, "+ \r\n", 4);
	s->in_mode = IMAPD_IN_AUTH;
}

void imapd_cmd_auth_input(struct imapd *s, const char *line, size_t len,
			  mtime_t now)
{
	char *tag = s->auth_tag;

	(void)now;
	s->auth_tag = NULL;
	s->in_mode = IMAPD_IN_LINE;
	if (len == 1 && line[0] == '*') {
		imapd_outf(s, "%s BAD %s\r\n", tag,
			   imapd_reply_text(IMAPD_R_AUTH_ABORTED));
		if (s->auth_attempts++ == 0)
			s->auth_first = s->now;
		s->auth_aborted = 1;
	} else {
		plain_response(s, tag, line, len);
	}
	free(tag);
}

static void cmd_id(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	size_t i;

	(void)now;
	/* ID ( "field" "value" ... ) or ID NIL (RFC 2971 3.1) */
	if (c->nargs != 1 ||
	    (!imapd_arg_is_atom(&c->args[0], "NIL") &&
	     c->args[0].type != IMAPD_ARG_LIST))
		goto bad;
	for (i = 0; c->args[0].type == IMAPD_ARG_LIST && i < c->args[0].n; i++)
		if (c->args[0].list[i].type == IMAPD_ARG_LIST)
			goto bad;
	imapd_outf(s, "%s\r\n", imapd_reply_text(IMAPD_R_ID_REPLY));
	if (prelogin(s))
		imapd_outf(s, "%s OK %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_ID_DONE));
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_ID_DONE));
	return;
bad:
	/* imap-login-client.c cmd_id(): not counted as a bad command */
	if (prelogin(s))
		imapd_outf(s, "%s BAD Invalid ID parameters\r\n", c->tag);
	else
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
}

static void cmd_enable(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	struct buf b;
	size_t i;

	(void)now;
	if (prelogin(s)) {
		imapd_outf(s, "* ENABLED\r\n%s OK %s\r\n", c->tag,
			   imapd_reply_text(IMAPD_R_ENABLE_PRELOGIN));
		return;
	}
	if (c->nargs == 0) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	buf_init(&b);
	buf_adds(&b, "* ENABLED");
	for (i = 0; i < c->nargs; i++) {
		if (c->args[i].type != IMAPD_ARG_ATOM) {
			buf_reset(&b);
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
			return;
		}
	}
	for (i = 0; i < c->nargs; i++) {
		const char *cap = c->args[i].s;

		/* RFC 7162 3.2.3: QRESYNC implies CONDSTORE */
		if (strcasecmp(cap, "CONDSTORE") == 0 && !s->condstore) {
			s->condstore = 1;
			buf_adds(&b, " CONDSTORE");
		} else if (strcasecmp(cap, "QRESYNC") == 0 && !s->qresync) {
			s->qresync = 1;
			s->condstore = 1;
			buf_adds(&b, " QRESYNC");
		}
	}
	buf_adds(&b, "\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_ENABLE_DONE));
}

static void cmd_namespace(struct imapd *s, struct imapd_cmdctx *c,
			  mtime_t now)
{
	(void)now;
	/* Debian's 10-mail.conf: one inbox namespace, prefix "", sep "/" */
	imapd_outf(s, "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_NAMESPACE_DONE));
}

/* client_verify_open_mailbox(): "BAD No mailbox selected." */
static int need_mailbox(struct imapd *s, struct imapd_cmdctx *c)
{
	if (s->mb != NULL)
		return 1;
	imapd_tagged(s, c->tag, "BAD", "%s", imapd_reply_text(IMAPD_R_NO_MAILBOX));
	return 0;
}

static void cmd_check(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	(void)now;
	if (!need_mailbox(s, c))
		return;
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_CHECK_DONE));
}

static void cmd_close(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	struct err e;

	if (!need_mailbox(s, c))
		return;
	if (!store_mailbox_readonly(s->mb)) {
		/* RFC 3501 6.4.2: expunge silently */
		size_t before = store_mailbox_count(s->mb);

		if (store_mailbox_expunge(s->mb, NULL, NULL, now, &e) == 0)
			s->n_expunged += (unsigned)(before - store_mailbox_count(s->mb));
	}
	imapd_view_close(s, now);
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_CLOSE_DONE));
}

static void cmd_unselect(struct imapd *s, struct imapd_cmdctx *c,
			 mtime_t now)
{
	if (!need_mailbox(s, c))
		return;
	imapd_view_close(s, now);
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_UNSELECT_DONE));
}

static void cmd_expunge(struct imapd *s, struct imapd_cmdctx *c,
			mtime_t now)
{
	size_t *idx = NULL, n = 0;

	if (!need_mailbox(s, c))
		return;
	if (c->uid) {
		if (c->nargs != 1 || c->args[0].type != IMAPD_ARG_ATOM) {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
			return;
		}
		if (imapd_view_resolve_set(s, c, c->args[0].s, 1, &idx, &n) < 0)
			return;
	}
	/* imap_expunge(): a read-only mailbox is silently left alone */
	if (!store_mailbox_readonly(s->mb))
		imapd_view_expunge(s, c->uid ? idx : NULL, n, now);
	free(idx);
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_EXPUNGE_DONE));
}

static void cmd_idle(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	imapd_outf(s, "%s\r\n", imapd_reply_text(IMAPD_R_IDLE_CONT));
	free(s->idle_tag);
	s->idle_tag = xstrdup(c->tag);
	s->idle_last = now;
	s->in_mode = IMAPD_IN_IDLE;
	/* what changed already is told at once */
	imapd_view_sync(s, 0, 0, now);
}

void imapd_cmd_idle_input(struct imapd *s, const char *line, size_t len,
			  mtime_t now)
{
	char *tag = s->idle_tag;

	s->idle_tag = NULL;
	s->in_mode = IMAPD_IN_LINE;
	imapd_view_sync(s, 0, 0, now);
	if (len == 4 && strncasecmp(line, "DONE", 4) == 0)
		imapd_tagged(s, tag, "OK", "%s", imapd_reply_text(IMAPD_R_IDLE_DONE));
	else
		imapd_tagged(s, tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_IDLE_EXPECTED_DONE));
	free(tag);
}

static const struct imapd_cmd_def prelogin_cmds[] = {
	{ "CAPABILITY", cmd_capability, 0, NULL },
	{ "NOOP", cmd_noop, 0, NULL },
	{ "LOGOUT", cmd_logout, 0, NULL },
	{ "STARTTLS", cmd_starttls, 0, NULL },
	{ "LOGIN", cmd_login, 0, NULL },
	{ "AUTHENTICATE", cmd_authenticate, 0, NULL },
	{ "ID", cmd_id, 0, NULL },
	{ "ENABLE", cmd_enable, 0, NULL },
};

static const struct imapd_cmd_def postlogin_cmds[] = {
	{ "CAPABILITY", cmd_capability, 0, NULL },
	{ "NOOP", cmd_noop, 0, NULL },
	{ "LOGOUT", cmd_logout, IMAPD_CMD_NOSYNC, NULL },
	{ "ID", cmd_id, 0, NULL },
	{ "ENABLE", cmd_enable, 0, NULL },
	{ "NAMESPACE", cmd_namespace, 0, NULL },
	{ "CHECK", cmd_check, 0, NULL },
	{ "CLOSE", cmd_close, 0, NULL },
	{ "UNSELECT", cmd_unselect, 0, NULL },
	{ "EXPUNGE", cmd_expunge, IMAPD_CMD_UID, NULL },
	{ "IDLE", cmd_idle, IMAPD_CMD_NOSYNC, NULL },
	{ "SELECT", imapd_mbox_select, IMAPD_CMD_NOSYNC, NULL },
	{ "EXAMINE", imapd_mbox_examine, IMAPD_CMD_NOSYNC, NULL },
	{ "CREATE", imapd_mbox_create, 0, NULL },
	{ "DELETE", imapd_mbox_delete, 0, NULL },
	{ "RENAME", imapd_mbox_rename, 0, NULL },
	{ "SUBSCRIBE", imapd_mbox_subscribe, 0, NULL },
	{ "UNSUBSCRIBE", imapd_mbox_unsubscribe, 0, NULL },
	{ "LIST", imapd_list_cmd, 0, NULL },
	{ "LSUB", imapd_list_lsub, 0, NULL },
	{ "STATUS", imapd_mbox_status, 0, NULL },
	{ "APPEND", imapd_append_cmd, 0, imapd_append_lit },
	{ "COPY", imapd_copy_cmd, IMAPD_CMD_UID, NULL },
	{ "MOVE", imapd_copy_move, IMAPD_CMD_UID, NULL },
	{ "FETCH", imapd_fetch_cmd, IMAPD_CMD_UID | IMAPD_CMD_USES_SEQS, NULL },
	{ "STORE", imapd_store_cmd, IMAPD_CMD_UID | IMAPD_CMD_USES_SEQS, NULL },
	{ "SEARCH", imapd_search_cmd, IMAPD_CMD_UID | IMAPD_CMD_USES_SEQS, NULL },
	{ "SORT", imapd_sort_cmd, IMAPD_CMD_UID | IMAPD_CMD_USES_SEQS, NULL },
	{ "THREAD", imapd_thread_cmd, IMAPD_CMD_UID | IMAPD_CMD_USES_SEQS, NULL },
	{ "NOTIFY", imapd_notify_cmd, 0, NULL },
	{ "CANCELUPDATE", imapd_update_cancel, 0, NULL },
};

const struct imapd_cmd_def *imapd_cmd_find(int pre, const char *name)
{
	const struct imapd_cmd_def *t = pre ? prelogin_cmds : postlogin_cmds;
	size_t n = pre ? ARRAY_LEN(prelogin_cmds) : ARRAY_LEN(postlogin_cmds);
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}
