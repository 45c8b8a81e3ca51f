/*
 * smtpd_tx: MAIL FROM and RCPT TO (RFC 5321 4.1.1.2-3) with the ESMTP
 * parameters Postfix 3.7 takes: SIZE (RFC 1870), BODY (RFC 6152),
 * SMTPUTF8 (RFC 6531), AUTH= (RFC 4954 section 5), RET/ENVID and
 * NOTIFY/ORCPT (RFC 3461). Checks run in Postfix's order, so the first
 * problem found gives the same reply as Postfix; then the driver decides
 * (SMTPD_EV_MAIL, SMTPD_EV_RCPT) and the engine logs its rejects.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "smtp/smtpd_addr.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_priv.h"
#include "smtp/smtpd_reply.h"

void smtpd_tx_reset(struct smtpd *s)
{
	size_t i;

	if (s->tx.mail_from != NULL)
		smtpd_push_event(s, SMTPD_EV_RSET, NULL);
	free(s->tx.mail_from);
	s->tx.mail_from = NULL;
	free(s->tx.body_param);
	s->tx.body_param = NULL;
	s->tx.size_param = -1;
	for (i = 0; i < s->tx.nrcpt; i++) {
		free(s->tx.rcpts[i].addr);
		free(s->tx.rcpts[i].orig);
	}
	free(s->tx.rcpts);
	s->tx.rcpts = NULL;
	s->tx.nrcpt = 0;
	s->tx.naccepted = 0;
	free(s->tx.queue_id);
	s->tx.queue_id = NULL;
	free(s->recipient);
	s->recipient = NULL;
	s->rcpt_count = 0;
	s->rcpt_overshoot = 0;
	s->auth_param_seen = 0;
	smtpd_data_reset(s);
}

static int all_digits(const char *p)
{
	if (*p == 0)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

/* RFC 3461 4.3: RET=FULL or RET=HDRS. */
static int dsn_ret_ok(const char *v)
{
	return strcasecmp(v, "FULL") == 0 || strcasecmp(v, "HDRS") == 0;
}

/* RFC 3461 4.1: NEVER alone, or a list of SUCCESS, FAILURE, DELAY. */
static int dsn_notify_ok(const char *v)
{
	char *copy = xstrdup(v);
	char *save = NULL;
	char *w;
	int never = 0, other = 0, ok = 1;

	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcasecmp(w, "NEVER") == 0)
			never = 1;
		else if (strcasecmp(w, "SUCCESS") == 0
			 || strcasecmp(w, "FAILURE") == 0
			 || strcasecmp(w, "DELAY") == 0)
			other = 1;
		else
			ok = 0;
	}
	free(copy);
	return ok && (never || other) && !(never && other);
}

static int all_print(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p >= 0x80 || !isprint((unsigned char)*p))
			return 0;
	return 1;
}

static void log_illegal(struct smtpd *s, const char *arg)
{
	smtpd_log_illegal_addr(s, arg);
}

int smtpd_tx_mail(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	int smtputf8 = 0;
	int i;
	long size = 0;
	const char *body = NULL;
	int ret_seen = 0, envid_seen = 0;
	char *addr;

	if (s->conf.helo_required && s->tx.helo == NULL) {
		smtpd_reply(s, SMTPD_R_NEED_HELO);		/* reference 03b */
		return SMTPD_CMD_ERR;
	}
	if (s->tx.mail_from != NULL) {
		smtpd_reply(s, SMTPD_R_NESTED_MAIL);
		return SMTPD_CMD_ERR;
	}
	if (s->bdat_state != SMTPD_BDAT_NONE) {
		smtpd_reply(s, SMTPD_R_MAIL_AFTER_BDAT);
		return SMTPD_CMD_ERR;
	}
	if (argc < 3 || strcasecmp(argv[1].str, "from:") != 0) {
		smtpd_reply(s, SMTPD_R_MAIL_SYNTAX);		/* reference 04a */
		return SMTPD_CMD_ERR;
	}
	if (argv[2].bad) {
		smtpd_reply(s, SMTPD_R_BAD_SENDER);		/* "<bad" */
		return SMTPD_CMD_ERR;
	}
	/* SMTPUTF8 decides which address syntax is fine: look first. */
	for (i = 3; i < argc; i++)
		if (strcasecmp(argv[i].str, "SMTPUTF8") == 0)
			smtputf8 = 1;
	if (smtpd_addr_extract(argv[2].str, 1, s->conf.strict_rfc821_envelopes,
			       smtputf8, &addr) < 0) {
		log_illegal(s, argv[2].str);
		smtpd_reply(s, SMTPD_R_BAD_SENDER);
		return SMTPD_CMD_ERR;
	}
	for (i = 3; i < argc; i++) {
		const char *p = argv[i].str;

		if (strcasecmp(p, "BODY=8BITMIME") == 0) {
			body = "8BITMIME";
		} else if (strcasecmp(p, "BODY=7BIT") == 0) {
			body = "7BIT";
		} else if (strncasecmp(p, "SIZE=", 5) == 0) {
			char *end;

			if (!all_digits(p + 5)) {
				smtpd_reply(s, SMTPD_R_BAD_SIZE);
				goto fail;
			}
			errno = 0;
			size = strtol(p + 5, &end, 10);
			if (errno == ERANGE) {
				smtpd_reply(s, SMTPD_R_SIZE_OVERFLOW);
				goto fail;
			}
		} else if (strcasecmp(p, "SMTPUTF8") == 0) {
			/* handled above */
		} else if (strncasecmp(p, "AUTH=", 5) == 0) {
			/*
			 * RFC 4954 5: AUTH=<> says nothing and may repeat.
			 * Postfix remembers another value until the next
			 * RSET-like reset, even across a failed MAIL.
			 */
			if (s->auth_param_seen) {
				smtpd_reply(s, SMTPD_R_MULTI_AUTH);
				goto fail;
			}
			if (strcmp(p + 5, "<>") != 0)
				s->auth_param_seen = 1;
		} else if (strncasecmp(p, "RET=", 4) == 0) {
			if (ret_seen || !dsn_ret_ok(p + 4)) {
				smtpd_reply(s, SMTPD_R_BAD_RET);
				goto fail;
			}
			ret_seen = 1;
		} else if (strncasecmp(p, "ENVID=", 6) == 0) {
			char *envid = smtpd_addr_xtext_decode(p + 6, 0);
			int ok = envid != NULL && all_print(envid);

			free(envid);
			if (envid_seen || !ok) {
				smtpd_reply(s, SMTPD_R_BAD_ENVID);
				goto fail;
			}
			envid_seen = 1;
		} else {
			smtpd_reply(s, SMTPD_R_UNSUPPORTED, p);	/* 04c */
			goto fail;
		}
	}
	/* smtpd_check_size(): also logged as a reject (reference 04c) */
	if (s->conf.message_size_limit > 0 && size > s->conf.message_size_limit) {
		char *line = smtpd_reply_fmt(SMTPD_R_SIZE_LIMIT);

		smtpd_log_reject(s, line, addr, NULL);
		smtpd_push_reply(s, line);
		free(line);
		goto fail;
	}
	s->tx.size_param = -1;
	for (i = 3; i < argc; i++)
		if (strncasecmp(argv[i].str, "SIZE=", 5) == 0)
			s->tx.size_param = size;
	free(s->tx.body_param);
	s->tx.body_param = body ? xstrdup(body) : NULL;
	free(s->pend_addr);
	s->pend_addr = addr;
	smtpd_push_event(s, SMTPD_EV_MAIL, addr);
	smtpd_wait_verdict(s, SMTPD_PEND_MAIL);
	return SMTPD_CMD_WAIT;
fail:
	free(addr);
	return SMTPD_CMD_ERR;
}

int smtpd_tx_rcpt(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	int i;
	int notify_seen = 0, orcpt_seen = 0;
	char *addr;
	const char *orig;
	size_t olen;
	struct smtpd_rcpt *r;

	if (s->tx.mail_from == NULL) {
		smtpd_reply(s, SMTPD_R_NEED_MAIL);		/* reference 03c */
		return SMTPD_CMD_ERR;
	}
	if (s->bdat_state != SMTPD_BDAT_NONE) {
		smtpd_reply(s, SMTPD_R_RCPT_AFTER_BDAT);
		return SMTPD_CMD_ERR;
	}
	if (argc < 3 || strcasecmp(argv[1].str, "to:") != 0) {
		smtpd_reply(s, SMTPD_R_RCPT_SYNTAX);		/* reference 04b */
		return SMTPD_CMD_ERR;
	}
	if (argv[2].bad) {
		smtpd_reply(s, SMTPD_R_BAD_RCPT);
		return SMTPD_CMD_ERR;
	}
	if (smtpd_addr_extract(argv[2].str, 0, s->conf.strict_rfc821_envelopes,
			       0, &addr) < 0) {
		log_illegal(s, argv[2].str);			/* "<>", 04b */
		smtpd_reply(s, SMTPD_R_BAD_RCPT);
		return SMTPD_CMD_ERR;
	}
	for (i = 3; i < argc; i++) {
		const char *p = argv[i].str;

		if (strncasecmp(p, "NOTIFY=", 7) == 0) {
			if (notify_seen || !dsn_notify_ok(p + 7)) {
				smtpd_reply(s, SMTPD_R_BAD_NOTIFY);
				goto fail;
			}
			notify_seen = 1;
		} else if (strncasecmp(p, "ORCPT=", 6) == 0) {
			const char *semi = strchr(p + 6, ';');
			char *val = NULL;

			if (semi != NULL && semi > p + 6) {
				int utf8 = (size_t)(semi - (p + 6)) == 5
				    && strncasecmp(p + 6, "utf-8", 5) == 0;

				val = smtpd_addr_xtext_decode(semi + 1, utf8);
			}
			if (orcpt_seen || val == NULL) {
				free(val);
				smtpd_reply(s, SMTPD_R_BAD_ORCPT);
				goto fail;
			}
			free(val);
			orcpt_seen = 1;
		} else {
			smtpd_reply(s, SMTPD_R_UNSUPPORTED, p);	/* 04b */
			goto fail;
		}
	}
	if (s->conf.recipient_limit > 0
	    && s->rcpt_count >= s->conf.recipient_limit) {
		smtpd_reply(s, SMTPD_R_TOO_MANY_RCPTS);
		free(addr);
		/* Postfix forgives the first smtpd_recipient_overshoot_limit */
		if (s->rcpt_overshoot++ < s->conf.recipient_overshoot_limit)
			return SMTPD_CMD_OK;
		return SMTPD_CMD_ERR;
	}
	/* The original form: the argument without its angle brackets. */
	orig = argv[2].str;
	olen = strlen(orig);
	if (olen >= 2 && orig[0] == '<' && orig[olen - 1] == '>') {
		orig++;
		olen -= 2;
	}
	s->tx.rcpts = xrealloc(s->tx.rcpts,
			       (s->tx.nrcpt + 1) * sizeof(*s->tx.rcpts));
	r = &s->tx.rcpts[s->tx.nrcpt++];
	r->addr = xstrdup(addr);
	r->orig = xstrndup(orig, olen);
	r->accepted = 0;
	free(s->pend_addr);
	s->pend_addr = addr;
	smtpd_push_event(s, SMTPD_EV_RCPT, addr);
	smtpd_wait_verdict(s, SMTPD_PEND_RCPT);
	return SMTPD_CMD_WAIT;
fail:
	free(addr);
	return SMTPD_CMD_ERR;
}

static void reject(struct smtpd *s, const struct smtpd_verdict *v,
		   const char *from, const char *to)
{
	char *line = xasprintf("%d %s", v->code, v->text ? v->text : "");

	smtpd_log_printable(line, ' ');
	smtpd_log_reject(s, line, from, to);
	free(line);
	smtpd_reply_code(s, v->code, v->text);
}

void smtpd_tx_verdict(struct smtpd *s, enum smtpd_pend p,
		      const struct smtpd_verdict *v)
{
	int status = SMTPD_CMD_OK;
	char *addr = s->pend_addr;

	s->pend_addr = NULL;
	if (p == SMTPD_PEND_MAIL) {
		if (v->code == 0) {
			s->tx.mail_from = addr;
			addr = NULL;
			smtpd_reply(s, SMTPD_R_MAIL_OK);
		} else {
			reject(s, v, addr, NULL);
			s->tx.size_param = -1;
			free(s->tx.body_param);
			s->tx.body_param = NULL;
			s->auth_param_seen = 0;
			status = SMTPD_CMD_ERR;
		}
	} else {
		struct smtpd_rcpt *r = &s->tx.rcpts[s->tx.nrcpt - 1];

		if (v->code == 0) {
			r->accepted = 1;
			s->tx.naccepted++;
			s->rcpt_count++;
			if (s->recipient == NULL)
				s->recipient = xstrdup(addr);
			smtpd_reply(s, SMTPD_R_RCPT_OK);
		} else {
			reject(s, v, s->tx.mail_from, addr);
			status = SMTPD_CMD_ERR;
		}
		/*
		 * The driver opened the queue file for the first good
		 * recipient (Postfix logs "ID: client=..." there); later
		 * rejects log the ID instead of NOQUEUE (reference 05h).
		 */
		if (v->queue_id != NULL && s->tx.queue_id == NULL)
			s->tx.queue_id = xstrdup(v->queue_id);
	}
	free(addr);
	smtpd_count_done(s, status);
}
