/*
 * smtpd_cmd: the command table (Postfix's smtpd_cmd_table, in its order,
 * which is also the order of the counters on the "disconnect from" line),
 * the processing of one command line, and the commands that need no
 * transaction: HELO, EHLO, STARTTLS, RSET, NOOP, VRFY, ETRN, QUIT and the
 * refused XCLIENT/XFORWARD.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtp/smtpd_addr.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_priv.h"
#include "smtp/smtpd_reply.h"

static int cmd_helo(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_ehlo(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_xclient(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_xforward(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_starttls(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_rset(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_noop(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_vrfy(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_etrn(struct smtpd *s, int argc, struct smtpd_token *argv);
static int cmd_quit(struct smtpd *s, int argc, struct smtpd_token *argv);

/*
 * RFC 2920 section 3.1: EHLO, DATA, VRFY, EXPN, TURN, QUIT and NOOP may
 * only end a pipelined group; Postfix flags HELO, EHLO, DATA, NOOP and
 * VRFY (SMTPD_CMDF_LAST) and checks every command of a HELO session.
 * SMTPD_CMDF_LIMIT marks the junk commands (smtpd_junk_command_limit).
 */
static const struct smtpd_cmd table[] = {
	{ "HELO", cmd_helo, SMTPD_CMDF_LIMIT | SMTPD_CMDF_LAST | SMTPD_CMDF_PRE_TLS },
	{ "EHLO", cmd_ehlo, SMTPD_CMDF_LIMIT | SMTPD_CMDF_LAST | SMTPD_CMDF_PRE_TLS },
	{ "XCLIENT", cmd_xclient, SMTPD_CMDF_PRE_TLS },
	{ "XFORWARD", cmd_xforward, SMTPD_CMDF_PRE_TLS },
	{ "STARTTLS", cmd_starttls, SMTPD_CMDF_PRE_TLS },
	{ "AUTH", smtpd_auth_cmd, 0 },
	{ "MAIL", smtpd_tx_mail, 0 },
	{ "RCPT", smtpd_tx_rcpt, 0 },
	{ "DATA", smtpd_data_cmd, SMTPD_CMDF_LAST },
	{ "BDAT", smtpd_data_bdat, 0 },
	{ "RSET", cmd_rset, SMTPD_CMDF_LIMIT },
	{ "NOOP", cmd_noop, SMTPD_CMDF_LIMIT | SMTPD_CMDF_LAST | SMTPD_CMDF_PRE_TLS },
	{ "VRFY", cmd_vrfy, SMTPD_CMDF_LIMIT | SMTPD_CMDF_LAST },
	{ "ETRN", cmd_etrn, SMTPD_CMDF_LIMIT },
	{ "QUIT", cmd_quit, SMTPD_CMDF_QUIT | SMTPD_CMDF_PRE_TLS },
};

const struct smtpd_cmd *smtpd_cmd_table(size_t *n_out)
{
	*n_out = ARRAY_LEN(table);
	return table;
}

/* The arguments from argv[from] on, joined by single spaces, as Postfix's
 * collapse_args() leaves them. */
static char *collapse(int argc, struct smtpd_token *argv, int from)
{
	struct buf b;
	int i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = from; i < argc; i++) {
		if (i > from)
			buf_addc(&b, ' ');
		buf_adds(&b, argv[i].str);
	}
	return b.data;
}

/*
 * A mail header or a web request where a command should be: Postfix 3.7's
 * is_header() and smtpd_forbidden_commands = CONNECT GET POST
 * regexp:{{/^[^A-Z]/ Bogus}} (case-insensitive: anything that does not
 * start with a letter). Such a client is sent away at once.
 */
static int non_smtp(const char *word)
{
	static const char *const forbidden[] = { "CONNECT", "GET", "POST" };
	const unsigned char *p = (const unsigned char *)word;
	size_t i;

	if (!(p[0] < 0x80 && isalpha(p[0])))
		return 1;
	for (i = 0; i < ARRAY_LEN(forbidden); i++)
		if (strcasecmp(word, forbidden[i]) == 0)
			return 1;
	/* is_header(): printable ASCII, optional blanks, then ':' */
	for (i = 0; p[i] && p[i] != ':'; i++)
		if (p[i] >= 0x80 || iscntrl(p[i]))
			return 0;
	while (i > 0 && p[i] == ':' && (p[i - 1] == ' ' || p[i - 1] == '\t'))
		i--;
	return p[i] == ':' && i > 0;
}

void smtpd_cmd_process(struct smtpd *s, int bare_lf)
{
	struct smtpd_token *argv;
	size_t n, i;
	int argc;
	int status;

	/* smtpd_forbid_bare_newline = reject (reference 05e): reply, hang up */
	if (bare_lf && s->reject_bare_lf) {
		smtpd_log_reject(s, "bare <LF> received", s->tx.mail_from,
				 s->recipient);
		smtpd_reply(s, SMTPD_R_BARE_LF, s->conf.bare_newline_code,
			    s->conf.myhostname);
		smtpd_end_session(s);
		return;
	}
	/* smtputf8_enable = yes: the whole line must be valid UTF-8 */
	if (!smtpd_addr_valid_utf8(s->line, s->line_len)) {
		smtpd_reply(s, SMTPD_R_BAD_UTF8);
		s->error_count++;
		return;
	}
	argc = smtpd_token_split(s->line, &argv);
	if (argc == 0) {
		/* an empty line, or one that starts with NUL (reference 05g) */
		smtpd_reply(s, SMTPD_R_BAD_SYNTAX);
		s->error_count++;
		smtpd_token_free(&argv, argc);
		return;
	}
	smtpd_cmd_table(&n);
	for (i = 0; i < n; i++)
		if (strcasecmp(argv[0].str, table[i].name) == 0)
			break;
	s->count_all[i]++;
	if (i == n) {
		s->where = SMTPD_WHERE_UNKNOWN;
		if (non_smtp(argv[0].str)) {
			smtpd_log_non_smtp(s, s->line, s->line_len);
			smtpd_reply(s, SMTPD_R_NON_SMTP);
			smtpd_token_free(&argv, argc);
			smtpd_end_session(s);
			return;
		}
		/* HELP, EXPN, anything else (reference 02, 05k) */
		smtpd_reply(s, SMTPD_R_UNKNOWN);
		s->error_count++;
		smtpd_token_free(&argv, argc);
		return;
	}
	s->where = table[i].name;
	/*
	 * Input already waiting after a command that must end a pipelined
	 * group, or after any command before EHLO, is logged once per
	 * session (reference 05i; the 3.7 default smtpd_forbid_unauth_
	 * pipelining = no only logs it).
	 */
	if ((strcmp(s->protocol, "ESMTP") != 0
	     || (table[i].flags & SMTPD_CMDF_LAST))
	    && !s->ill_pipelining && smtpd_pending_input(s) > 0) {
		smtpd_log_pipelining(s, smtpd_pending_data(s),
				     smtpd_pending_input(s));
		s->ill_pipelining = 1;
	}
	s->cur_cmd = (int)i;
	/* smtpd_tls_security_level = encrypt: Postfix's SMTPD_CMD_FLAG_PRE_TLS */
	if (s->conf.tls_required && !s->tx.tls && !(table[i].flags & SMTPD_CMDF_PRE_TLS)) {
		smtpd_reply(s, SMTPD_R_TLS_REQUIRED);
		smtpd_token_free(&argv, argc);
		smtpd_count_done(s, SMTPD_CMD_ERR);
		return;
	}
	status = table[i].action(s, argc, argv);
	smtpd_token_free(&argv, argc);
	if (status != SMTPD_CMD_WAIT)
		smtpd_count_done(s, status);
}

/* ---- HELO, EHLO ---- */

/* Postfix keeps the HELO name printable and neuters characters that would
 * confuse its log lines and Received: headers. */
static char *sane_helo(const char *name)
{
	char *h = xstrdup(name);
	char *p;

	smtpd_log_printable(h, '?');
	for (p = h; *p; p++)
		if (strchr(" <>()\\\";@", *p) != NULL)
			*p = '?';
	return h;
}

static int helo_common(struct smtpd *s, int argc, struct smtpd_token *argv,
		       int esmtp)
{
	char *name;

	if (argc < 2) {
		smtpd_reply(s, esmtp ? SMTPD_R_EHLO_SYNTAX
			    : SMTPD_R_HELO_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	name = collapse(argc, argv, 1);
	/* RFC 5321 4.1.4: HELO/EHLO resets as RSET does */
	smtpd_helo_reset(s);
	smtpd_tx_reset(s);
	s->tx.helo = sane_helo(name);
	free(name);
	if (esmtp)
		s->protocol = "ESMTP";
	/* a HELO after EHLO keeps "ESMTP", as in Postfix */
	s->tx.esmtp = strcmp(s->protocol, "ESMTP") == 0;
	smtpd_push_event(s, SMTPD_EV_HELO, s->tx.helo);
	return SMTPD_CMD_OK;
}

static int cmd_helo(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	int r = helo_common(s, argc, argv, 0);

	if (r == SMTPD_CMD_OK)
		smtpd_reply(s, SMTPD_R_HELO, s->conf.myhostname);
	return r;
}

/*
 * The EHLO keywords in Postfix's order (reference 02, 06a, 06d).
 * "Advertise only what is implemented": XCLIENT, XFORWARD and XVERP are
 * never offered; AUTH only with SASL on (and TLS up when
 * smtpd_tls_auth_only).
 */
static int cmd_ehlo(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	const char *words[16];
	char size[40];
	char *auth = NULL;
	size_t n = 0, i;
	int r = helo_common(s, argc, argv, 1);

	if (r != SMTPD_CMD_OK)
		return r;
	words[n++] = s->conf.myhostname;
	words[n++] = "PIPELINING";
	if (s->conf.message_size_limit > 0) {
		snprintf(size, sizeof(size), "SIZE %ld",
			 s->conf.message_size_limit);
		words[n++] = size;
	} else {
		words[n++] = "SIZE";
	}
	if (!s->conf.disable_vrfy_command)
		words[n++] = "VRFY";
	words[n++] = "ETRN";
	if (s->conf.tls_offer && !s->tx.tls)
		words[n++] = "STARTTLS";
	if (s->sasl_active && *smtpd_auth_mechs(s)) {
		auth = xasprintf("AUTH %s", smtpd_auth_mechs(s));
		words[n++] = auth;
	}
	words[n++] = "ENHANCEDSTATUSCODES";
	words[n++] = "8BITMIME";
	words[n++] = "DSN";
	words[n++] = "SMTPUTF8";
	words[n++] = "CHUNKING";
	for (i = 0; i < n; i++)
		smtpd_reply(s, SMTPD_R_EHLO_LINE, i + 1 < n ? '-' : ' ',
			    words[i]);
	free(auth);
	return SMTPD_CMD_OK;
}

/* ---- XCLIENT, XFORWARD: known to Postfix, allowed to nobody here ---- */

static int refused(struct smtpd *s, int argc, const char *name)
{
	if (s->tx.mail_from != NULL) {
		smtpd_reply(s, SMTPD_R_X_IN_TX);
		return SMTPD_CMD_ERR;
	}
	if (argc < 2) {
		smtpd_reply(s, SMTPD_R_X_SYNTAX, name);
		return SMTPD_CMD_ERR;
	}
	smtpd_reply(s, SMTPD_R_X_DENIED);
	return SMTPD_CMD_ERR;
}

static int cmd_xclient(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argv;
	return refused(s, argc, "XCLIENT");
}

static int cmd_xforward(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argv;
	return refused(s, argc, "XFORWARD");
}

/* ---- STARTTLS (RFC 3207) ---- */

static int cmd_starttls(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argv;
	if (argc != 1) {
		smtpd_reply(s, SMTPD_R_STARTTLS_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	if (s->tx.tls) {
		smtpd_reply(s, SMTPD_R_TLS_ACTIVE);
		return SMTPD_CMD_ERR;
	}
	if (!s->conf.tls_offer) {
		smtpd_reply(s, SMTPD_R_NOT_IMPLEMENTED);
		return SMTPD_CMD_ERR;
	}
	smtpd_reply(s, SMTPD_R_TLS_READY);
	/*
	 * RFC 3207 section 4.2: forget everything learned in plaintext.
	 * Plaintext the client pipelined after STARTTLS is thrown away, not
	 * executed inside the TLS session (the command injection defence;
	 * reference 06b: the transaction is gone, 06c: STARTTLS before EHLO).
	 */
	smtpd_discard_input(s);
	smtpd_helo_reset(s);
	smtpd_tx_reset(s);
	smtpd_push_event(s, SMTPD_EV_STARTTLS, NULL);
	s->phase = SMTPD_PH_TLS;
	return SMTPD_CMD_WAIT;
}

void smtpd_cmd_tls_started(struct smtpd *s)
{
	s->tx.tls = 1;
	s->phase = SMTPD_PH_CMD;
	/* Postfix restarts SASL after the handshake: a new mechanism list,
	   and a login made in plaintext no longer counts. */
	s->sasl_active = s->conf.sasl_enabled != 0;
	s->tx.authenticated = 0;
	free(s->tx.sasl_user);
	s->tx.sasl_user = NULL;
	smtpd_auth_reset(s);
	smtpd_count_done(s, SMTPD_CMD_OK);
}

/* ---- RSET, NOOP, QUIT ---- */

static int cmd_rset(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argv;
	if (argc != 1) {
		smtpd_reply(s, SMTPD_R_RSET_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	smtpd_tx_reset(s);
	smtpd_reply(s, SMTPD_R_OK);
	return SMTPD_CMD_OK;
}

/* RFC 5321 4.1.1.9: NOOP may carry a string; it is ignored (reference 02). */
static int cmd_noop(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argc;
	(void)argv;
	smtpd_reply(s, SMTPD_R_OK);
	return SMTPD_CMD_OK;
}

/* Any argument is fine (reference 08). */
static int cmd_quit(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argc;
	(void)argv;
	smtpd_reply(s, SMTPD_R_BYE);
	return SMTPD_CMD_OK;
}

/* ---- VRFY, ETRN: syntax here, the answer from the driver ---- */

static int cmd_vrfy(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	int smtputf8 = 0;
	char *arg;
	char *addr;

	if (s->conf.disable_vrfy_command) {
		smtpd_reply(s, SMTPD_R_VRFY_DISABLED);
		return SMTPD_CMD_ERR;
	}
	if (argc > 1 && strcasecmp(argv[argc - 1].str, "SMTPUTF8") == 0) {
		argc--;		/* RFC 6531 */
		smtputf8 = 1;
	}
	if (argc < 2) {
		smtpd_reply(s, SMTPD_R_VRFY_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	arg = collapse(argc, argv, 1);
	if (smtpd_addr_extract(arg, 0, 0, smtputf8, &addr) < 0) {
		smtpd_log_illegal_addr(s, arg);
		smtpd_reply(s, SMTPD_R_BAD_RCPT);
		free(arg);
		return SMTPD_CMD_ERR;
	}
	free(s->pend_arg);
	free(s->pend_addr);
	s->pend_arg = arg;
	s->pend_addr = addr;
	smtpd_push_event(s, SMTPD_EV_VRFY, addr);
	smtpd_wait_verdict(s, SMTPD_PEND_VRFY);
	return SMTPD_CMD_WAIT;
}

static int cmd_etrn(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	const char *dom;

	if (s->conf.helo_required && s->tx.helo == NULL) {
		smtpd_reply(s, SMTPD_R_ETRN_NEED_HELO);
		return SMTPD_CMD_ERR;
	}
	if (s->tx.mail_from != NULL) {
		smtpd_reply(s, SMTPD_R_ETRN_IN_TX);
		return SMTPD_CMD_ERR;
	}
	if (argc != 2) {
		smtpd_reply(s, SMTPD_R_ETRN_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	/* RFC 1985: "@domain" and "#queue" forms name the same domain here */
	dom = argv[1].str;
	if (*dom == '@' || *dom == '#')
		dom++;
	if (!smtpd_addr_valid_hostname(dom) && !smtpd_addr_valid_literal(dom)) {
		smtpd_reply(s, SMTPD_R_ETRN_BAD_PARAM);
		return SMTPD_CMD_ERR;
	}
	smtpd_push_event(s, SMTPD_EV_ETRN, dom);
	smtpd_wait_verdict(s, SMTPD_PEND_ETRN);
	return SMTPD_CMD_WAIT;
}

void smtpd_cmd_verdict(struct smtpd *s, enum smtpd_pend p,
		       const struct smtpd_verdict *v)
{
	int status;

	if (v->code == 0) {
		/*
		 * RFC 5321 3.5.3: 252 when the server cannot be sure. Postfix
		 * echoes the argument as given, brackets and all (reference 02).
		 */
		if (p == SMTPD_PEND_VRFY)
			smtpd_reply(s, SMTPD_R_VRFY_OK, s->pend_arg);
		else
			smtpd_reply(s, SMTPD_R_ETRN_OK);
		status = SMTPD_CMD_OK;
	} else {
		char *line = xasprintf("%d %s", v->code, v->text ? v->text : "");

		smtpd_log_printable(line, ' ');
		if (p == SMTPD_PEND_VRFY)
			smtpd_log_reject(s, line, s->tx.mail_from, s->pend_addr);
		else
			smtpd_log_reject(s, line, s->tx.mail_from, s->recipient);
		free(line);
		smtpd_reply_code(s, v->code, v->text);
		status = SMTPD_CMD_ERR;
	}
	free(s->pend_arg);
	free(s->pend_addr);
	s->pend_arg = s->pend_addr = NULL;
	smtpd_count_done(s, status);
}
