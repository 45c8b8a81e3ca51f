/*
 * smtpd_data: the message content, by DATA (RFC 5321 4.1.1.4, 4.5.2) or
 * BDAT (RFC 3030), as Postfix 3.7's receive_data_message() and bdat_cmd()
 * read it. Lines longer than line_length_limit are cut into fragments and
 * joined again (a 5000-byte line arrives whole, reference 05b); a leading
 * dot is removed only at the start of a real line; the content reaches
 * the driver with LF line ends in one SMTPD_EV_DATA, and its verdict gives
 * the "250 2.0.0 Ok: queued as ID" reply.
 *
 * Bare LF (smtpd_forbid_bare_newline): "no" ends DATA at ".\n" (05c);
 * "normalize" ends it only at a "." line whose line and predecessor both
 * end in CRLF, and drops any other lone "." line (05d); "reject" also
 * remembers the bare LF and answers 550 after the end of the message,
 * keeping the session (05f).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "smtp/smtpd_line.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_priv.h"
#include "smtp/smtpd_reply.h"

void smtpd_data_reset(struct smtpd *s)
{
	buf_reset(&s->msg);
	buf_reset(&s->bdat_line);
	s->act_size = 0;
	s->msg_err = 0;
	s->prev_cont = 0;
	s->prev_bare_lf = 0;
	s->bdat_state = SMTPD_BDAT_NONE;
	s->bdat_left = 0;
	s->bdat_last = 0;
	s->bdat_size = 0;
	s->bdat_skip = 0;
	free(s->bdat_skip_reply);
	s->bdat_skip_reply = NULL;
}

/* The transaction ended with a verdict: no SMTPD_EV_RSET for it. */
static void tx_finish(struct smtpd *s)
{
	free(s->tx.mail_from);
	s->tx.mail_from = NULL;
	smtpd_tx_reset(s);
}

static void begin_message(struct smtpd *s)
{
	buf_clear(&s->msg);
	buf_adds(&s->msg, "");
	buf_clear(&s->bdat_line);
	s->act_size = 0;
	s->msg_err = 0;
	s->prev_cont = 0;
	s->prev_bare_lf = 0;
}

/*
 * One queue file record: a line (cont = 0) or a fragment of one. Past
 * message_size_limit nothing more is kept; the reply comes at the end.
 */
static void record(struct smtpd *s, const char *p, size_t len, int cont)
{
	long limit = s->conf.message_size_limit;

	if (s->msg_err != 0)
		return;
	if (limit > 0 && limit - s->act_size < (long)len + 2) {
		s->msg_err |= SMTPD_MSG_SIZE;
		smtpd_log_size_exceeded(s);
		return;
	}
	s->act_size += (long)len + 2;
	buf_add(&s->msg, p, len);
	if (!cont)
		buf_addc(&s->msg, '\n');
}

int smtpd_data_cmd(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	(void)argv;
	if (s->bdat_state != SMTPD_BDAT_NONE) {
		smtpd_reply(s, SMTPD_R_DATA_AFTER_BDAT);
		return SMTPD_CMD_ERR;
	}
	if (s->rcpt_count == 0) {
		/* reference 03c: which of the two depends on MAIL */
		if (s->tx.mail_from == NULL)
			smtpd_reply(s, SMTPD_R_NEED_RCPT);
		else
			smtpd_reply(s, SMTPD_R_NO_VALID_RCPTS);
		return SMTPD_CMD_ERR;
	}
	if (argc != 1) {
		smtpd_reply(s, SMTPD_R_DATA_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	smtpd_reply(s, SMTPD_R_DATA_GO);
	s->where = SMTPD_WHERE_DATA;
	begin_message(s);
	s->first_line = 1;
	s->phase = SMTPD_PH_DATA;
	return SMTPD_CMD_WAIT;
}

/*
 * The end of the content (Postfix common_post_message_handling()): the
 * driver's verdict for a clean message, the engine's own reply otherwise.
 */
static void end_message(struct smtpd *s)
{
	struct smtpd_item *it;

	s->where = SMTPD_WHERE_EOM;
	s->phase = SMTPD_PH_CMD;
	if (s->msg_err == 0) {
		it = smtpd_push_event(s, SMTPD_EV_DATA, NULL);
		it->len = s->msg.len;
		it->data = buf_steal(&s->msg, &it->len);
		if (it->data == NULL)
			it->data = xstrdup("");
		smtpd_wait_verdict(s, SMTPD_PEND_DATA);
		return;
	}
	if (s->msg_err & SMTPD_MSG_BARE_LF) {
		smtpd_log_bare_lf(s);
		smtpd_reply(s, SMTPD_R_BARE_LF, s->conf.bare_newline_code,
			    s->conf.myhostname);
	} else {
		smtpd_reply(s, SMTPD_R_MSG_TOO_BIG);
	}
	/* the driver drops its queue file on SMTPD_EV_RSET */
	smtpd_tx_reset(s);
	smtpd_count_done(s, SMTPD_CMD_ERR);
}

void smtpd_data_verdict(struct smtpd *s, const struct smtpd_verdict *v)
{
	int bdat = s->bdat_state != SMTPD_BDAT_NONE;
	int status;

	if (v->code == 0) {
		const char *id = v->queue_id ? v->queue_id
		    : s->tx.queue_id ? s->tx.queue_id : "NOQUEUE";

		/* a delivered message forgives earlier errors */
		s->error_count = 0;
		s->junk_cmds = 0;
		if (bdat)
			smtpd_reply(s, SMTPD_R_BDAT_QUEUED, s->act_size, id);
		else
			smtpd_reply(s, SMTPD_R_QUEUED, id);
		status = SMTPD_CMD_OK;
	} else {
		smtpd_reply_code(s, v->code, v->text);
		status = SMTPD_CMD_ERR;
	}
	tx_finish(s);
	smtpd_count_done(s, status);
}

int smtpd_data_step(struct smtpd *s)
{
	struct smtpd_line l;
	int progress = 0;

	for (;;) {
		const char *p;
		size_t len;
		int r = smtpd_line_get(smtpd_pending_data(s),
				       smtpd_pending_input(s),
				       (size_t)s->conf.line_length_limit,
				       s->detect_bare_lf, s->eof, &l);

		if (r == 0)
			return progress;
		if (r < 0) {
			s->reason = SMTPD_REASON_LOST;
			smtpd_end_session(s);
			return 1;
		}
		progress = 1;
		p = l.data;
		len = l.len;
		if (s->reject_bare_lf && l.bare_lf)
			s->msg_err |= SMTPD_MSG_BARE_LF;
		if (s->first_line) {
			/* sendmail compatibility: a leading mbox "From " line */
			size_t k = 0;

			while (k < len && p[k] == '>')
				k++;
			if (len - k >= 5 && memcmp(p + k, "From ", 5) == 0) {
				if (s->msg_err == 0) {
					buf_adds(&s->msg, "X-Mailbox-Line: ");
					buf_add(&s->msg, p, len);
					if (l.complete)
						buf_addc(&s->msg, '\n');
				}
				goto next;
			}
			s->first_line = 0;
			/* content that starts with white space gets an empty
			   line first, so it cannot continue a header */
			if (len > 0 && (p[0] == ' ' || p[0] == '\t')
			    && s->msg_err == 0)
				buf_addc(&s->msg, '\n');
		}
		if (!s->prev_cont && len > 0 && p[0] == '.') {
			if (len == 1 && s->detect_bare_lf
			    && (l.bare_lf || s->prev_bare_lf))
				goto next;	/* not an end, not content */
			p++;
			len--;
			if (len == 0 && l.complete) {
				smtpd_consume_input(s, l.used);
				end_message(s);
				return 1;
			}
		}
		record(s, p, len, !l.complete);
next:
		smtpd_consume_input(s, l.used);
		s->prev_cont = !l.complete;
		s->prev_bare_lf = l.bare_lf;
		if (s->phase != SMTPD_PH_DATA)
			return 1;
	}
}

/* ---- BDAT (RFC 3030) ---- */

static int bdat_skip(struct smtpd *s, long size, int last, char *reply)
{
	s->bdat_skip = 1;
	free(s->bdat_skip_reply);
	s->bdat_skip_reply = reply;
	s->bdat_left = size;
	s->bdat_last = last;
	s->phase = SMTPD_PH_BDAT;
	return SMTPD_CMD_WAIT;
}

int smtpd_data_bdat(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	long size = 0;
	int last = 0;
	int bad = argc < 2 || argc > 3;

	if (!bad) {
		const char *p = argv[1].str;
		char *end;

		bad = *p == 0 || strspn(p, "0123456789") != strlen(p);
		if (!bad) {
			errno = 0;
			size = strtol(p, &end, 10);
			bad = errno == ERANGE;
		}
		last = argc == 3;
		if (!bad && last && strcasecmp(argv[2].str, "LAST") != 0)
			bad = 1;
	}
	if (bad) {
		/* the next input would be raw content: hang up (521) */
		smtpd_log_bdat_syntax(s, s->line);
		smtpd_reply(s, SMTPD_R_BDAT_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	if (size == 0 && !last) {
		smtpd_log_bdat_null(s);
		return bdat_skip(s, 0, 0, smtpd_reply_fmt(SMTPD_R_BDAT_NULL));
	}
	if (s->bdat_state == SMTPD_BDAT_ERROR)
		return bdat_skip(s, size, last,
				 smtpd_reply_fmt(SMTPD_R_BDAT_DISCARDED, size));
	if (s->bdat_state == SMTPD_BDAT_NONE && s->rcpt_count == 0)
		return bdat_skip(s, size, last, smtpd_reply_fmt(
				 s->tx.mail_from == NULL ? SMTPD_R_NEED_RCPT
				 : SMTPD_R_NO_VALID_RCPTS));
	if (s->conf.message_size_limit > 0
	    && s->act_size > s->conf.message_size_limit - size) {
		smtpd_log_bdat_too_big(s);
		return bdat_skip(s, size, last,
				 smtpd_reply_fmt(SMTPD_R_BDAT_TOO_BIG));
	}
	if (s->bdat_state == SMTPD_BDAT_NONE)
		begin_message(s);
	s->bdat_state = SMTPD_BDAT_OK;
	s->where = SMTPD_WHERE_BDAT;
	s->bdat_skip = 0;
	s->bdat_left = size;
	s->bdat_size = size;
	s->bdat_last = last;
	s->phase = SMTPD_PH_BDAT;
	return SMTPD_CMD_WAIT;
}

/* Frames the lines of the chunk bytes gathered so far; at the end of the
 * last chunk a line without LF counts as a whole line. */
static void bdat_lines(struct smtpd *s, int at_end)
{
	struct smtpd_line l;
	size_t off = 0;

	while (off < s->bdat_line.len) {
		int r = smtpd_line_get(s->bdat_line.data + off,
				       s->bdat_line.len - off,
				       (size_t)s->conf.line_length_limit,
				       s->detect_bare_lf, 0, &l);

		if (r <= 0)
			break;
		if (s->reject_bare_lf && l.bare_lf)
			s->msg_err |= SMTPD_MSG_BARE_LF;
		record(s, l.data, l.len, !l.complete);
		off += l.used;
	}
	if (at_end && off < s->bdat_line.len) {
		record(s, s->bdat_line.data + off, s->bdat_line.len - off, 0);
		off = s->bdat_line.len;
	}
	buf_consume(&s->bdat_line, off);
}

static void bdat_done(struct smtpd *s)
{
	s->phase = SMTPD_PH_CMD;
	if (s->bdat_skip) {
		char *reply = s->bdat_skip_reply;

		s->bdat_skip_reply = NULL;
		s->bdat_skip = 0;
		smtpd_push_reply(s, reply);
		free(reply);
		if (s->bdat_last) {
			smtpd_tx_reset(s);
		} else {
			s->bdat_state = SMTPD_BDAT_ERROR;
		}
		smtpd_count_done(s, SMTPD_CMD_ERR);
		return;
	}
	bdat_lines(s, s->bdat_last);
	if (s->bdat_last) {
		end_message(s);
	} else if (s->msg_err != 0) {
		/* the error reply now; later chunks are discarded */
		end_message(s);
		s->bdat_state = SMTPD_BDAT_ERROR;
	} else {
		smtpd_reply(s, SMTPD_R_BDAT_OK, s->bdat_size);
		smtpd_count_done(s, SMTPD_CMD_OK);
	}
}

int smtpd_data_bdat_step(struct smtpd *s)
{
	size_t avail = smtpd_pending_input(s);
	size_t take;

	if (s->bdat_left == 0) {
		bdat_done(s);
		return 1;
	}
	if (avail == 0) {
		if (s->eof) {
			s->reason = SMTPD_REASON_LOST;
			smtpd_end_session(s);
			return 1;
		}
		return 0;
	}
	take = avail < (size_t)s->bdat_left ? avail : (size_t)s->bdat_left;
	if (!s->bdat_skip) {
		buf_add(&s->bdat_line, smtpd_pending_data(s), take);
		bdat_lines(s, 0);
	}
	smtpd_consume_input(s, take);
	s->bdat_left -= (long)take;
	return 1;
}
