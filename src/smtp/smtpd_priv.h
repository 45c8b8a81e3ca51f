/*
 * smtpd_priv: the engine's inside, shared by the files of src/smtp/smtpd*.c
 * and by nobody else. smtpd.c owns the session (feed, next, verdict, the
 * outbox of replies and events); smtpd_cmd.c the command table and the
 * simple commands; smtpd_tx.c MAIL and RCPT; smtpd_data.c DATA and BDAT;
 * smtpd_auth.c AUTH; smtpd_line.c line framing; smtpd_token.c the command
 * tokenizer; smtpd_addr.c address syntax; smtpd_reply.c the reply table;
 * smtpd_log.c the mail.log lines.
 *
 * The engine is a transcription of Postfix 3.7's smtpd_proto() loop into a
 * state machine: where Postfix blocks on a read, the engine returns "need
 * input"; where it calls a policy check, the engine emits an event and
 * waits for smtpd_verdict(); where it sleeps, the engine emits
 * SMTPD_EV_DELAY. Replies and events go through one ordered outbox, so the
 * driver sees them in the order Postfix would have produced them.
 */
#ifndef MAILLAB_SMTPD_PRIV_H
#define MAILLAB_SMTPD_PRIV_H

#include <stddef.h>

#include "smtp/smtpd.h"
#include "smtp/smtpd_token.h"

/* Postfix defaults for zero fields of struct smtpd_conf. */
#define SMTPD_DEF_LINE_LIMIT		2048
#define SMTPD_DEF_SOFT_ERLIM		10
#define SMTPD_DEF_HARD_ERLIM		20
#define SMTPD_DEF_JUNK_LIMIT		100
#define SMTPD_DEF_RCPT_OVERLIM		1000
#define SMTPD_DEF_SASL_RESP_LIMIT	12288
#define SMTPD_DEF_BARE_LF_CODE		550

/* state->where values (Postfix smtpd.h SMTPD_AFTER_* and command names). */
#define SMTPD_WHERE_CONNECT	"CONNECT"
#define SMTPD_WHERE_DATA	"DATA content"
#define SMTPD_WHERE_BDAT	"BDAT content"
#define SMTPD_WHERE_EOM		"END-OF-MESSAGE"
#define SMTPD_WHERE_UNKNOWN	"UNKNOWN"

/* Why a session ended abnormally (Postfix REASON_*). */
#define SMTPD_REASON_LOST	"lost connection"
#define SMTPD_REASON_ERRORS	"too many errors"
#define SMTPD_REASON_TIMEOUT	"timeout"

enum smtpd_phase {
	SMTPD_PH_CMD,		/* reading a command line */
	SMTPD_PH_SKIP,		/* discarding the rest of an over-long line */
	SMTPD_PH_DATA,		/* reading DATA content */
	SMTPD_PH_BDAT,		/* reading (or discarding) a BDAT chunk */
	SMTPD_PH_AUTH,		/* reading an AUTH response line */
	SMTPD_PH_VERDICT,	/* waiting for smtpd_verdict() */
	SMTPD_PH_TLS,		/* waiting for smtpd_tls_started() */
	SMTPD_PH_DONE,		/* the session is over */
};

/* What smtpd_verdict() answers. */
enum smtpd_pend {
	SMTPD_PEND_NONE,
	SMTPD_PEND_MAIL,
	SMTPD_PEND_RCPT,
	SMTPD_PEND_VRFY,
	SMTPD_PEND_ETRN,
	SMTPD_PEND_AUTH,
	SMTPD_PEND_DATA,
};

/* RFC 3030 state of the transaction (Postfix SMTPD_BDAT_STAT_*). */
enum smtpd_bdat {
	SMTPD_BDAT_NONE,
	SMTPD_BDAT_OK,
	SMTPD_BDAT_ERROR,	/* skip chunks until BDAT LAST or RSET */
};

/* Message content errors (Postfix CLEANUP_STAT_SIZE, _BARE_LF). */
#define SMTPD_MSG_SIZE		(1 << 0)
#define SMTPD_MSG_BARE_LF	(1 << 1)

/* What a command handler returns. */
#define SMTPD_CMD_OK	0	/* done, success */
#define SMTPD_CMD_ERR	(-1)	/* done, counts as an error */
#define SMTPD_CMD_WAIT	1	/* continues after input or a verdict */

/* Command table flags (Postfix SMTPD_CMD_FLAG_*). */
#define SMTPD_CMDF_LIMIT	(1 << 0)	/* counts as a junk command */
#define SMTPD_CMDF_LAST		(1 << 1)	/* last in a pipelined group */
#define SMTPD_CMDF_QUIT		(1 << 2)	/* the session ends after it */
#define SMTPD_CMDF_PRE_TLS	(1 << 3)	/* allowed before mandatory TLS */

struct smtpd;

struct smtpd_cmd {
	const char *name;
	int (*action)(struct smtpd *s, int argc, struct smtpd_token *argv);
	int flags;
};

/* One outbox entry: a reply line or an event, in emission order. */
struct smtpd_item {
	struct smtpd_item *next;
	int is_reply;
	int delay;		/* reply: error sleep comes first */
	int delay_done;
	enum smtpd_ev_type type;
	char *text;		/* reply line without CRLF, or LOG text */
	char *arg;
	char *user;
	char *pass;
	char *data;
	size_t len;
};

struct smtpd {
	struct smtpd_conf conf;		/* defaults filled in */
	char *namaddr;			/* "localhost[127.0.0.1]" */
	mtime_t now;

	struct buf in;			/* unprocessed input from in_off */
	size_t in_off;
	int eof;			/* the client closed its side */
	struct buf out;

	struct smtpd_item *ob_head, *ob_tail;
	struct smtpd_item *last;	/* handed out, freed on the next call */
	int closed;			/* SMTPD_EV_CLOSE handed out */

	enum smtpd_phase phase;
	enum smtpd_pend pend;
	const char *protocol;		/* "SMTP" or "ESMTP" */
	const char *where;		/* last command, for log lines */
	const char *reason;		/* abnormal end, or NULL */
	int hangup;			/* a 421/521 reply was sent */
	int error_count;
	long junk_cmds;
	int ill_pipelining;		/* logged once per session */
	int talked_first;		/* input came before the banner left */
	int greeting_checked;
	int fed;				/* smtpd_feed() was called */
	size_t banner_len;
	int sasl_active;
	int detect_bare_lf;		/* smtpd_forbid_bare_newline != no */
	int reject_bare_lf;		/* ... = reject */
	int skip_auth;			/* SKIP phase belongs to AUTH */
	char *banner;

	/* Per-command counters for the disconnect line; the last slot is
	   "unknown". */
	int *count_ok;
	int *count_all;
	int cur_cmd;			/* table index of the running command */

	/* The command line being processed (NUL-terminated copy). */
	char *line;
	size_t line_len;

	struct smtpd_tx tx;
	char *recipient;		/* first accepted recipient (to= in logs) */
	long rcpt_count;		/* accepted */
	long rcpt_overshoot;
	int auth_param_seen;		/* MAIL ... AUTH= */

	/* Verdict context. */
	char *pend_addr;		/* address being checked */
	char *pend_arg;			/* VRFY: argument as given; RCPT: orig */

	/* Message content (DATA and BDAT). */
	struct buf msg;
	long act_size;
	int msg_err;
	int prev_cont;			/* previous record was a line fragment */
	int prev_bare_lf;
	int first_line;			/* DATA: no line stored yet */
	enum smtpd_bdat bdat_state;
	long bdat_left;			/* chunk bytes still to read */
	int bdat_last;
	long bdat_size;
	int bdat_skip;			/* discard the chunk, then reply */
	char *bdat_skip_reply;
	struct buf bdat_line;		/* a line that spans chunks */

	/* AUTH. */
	char *auth_mech;
	int auth_step;			/* LOGIN: 0 username, 1 password */
	char *auth_user;
	char *auth_pass;
	char *auth_mechs;		/* what EHLO offers */
};

/* smtpd.c: the outbox and the session. */
void smtpd_push_reply(struct smtpd *s, const char *line);
struct smtpd_item *smtpd_push_event(struct smtpd *s, enum smtpd_ev_type t,
				    const char *arg);
void smtpd_wait_verdict(struct smtpd *s, enum smtpd_pend p);
void smtpd_end_session(struct smtpd *s);
void smtpd_helo_reset(struct smtpd *s);
void smtpd_count_done(struct smtpd *s, int status);
size_t smtpd_pending_input(const struct smtpd *s);
const char *smtpd_pending_data(const struct smtpd *s);
void smtpd_discard_input(struct smtpd *s);
void smtpd_consume_input(struct smtpd *s, size_t n);

/* smtpd_cmd.c */
const struct smtpd_cmd *smtpd_cmd_table(size_t *n_out);
void smtpd_cmd_process(struct smtpd *s, int bare_lf);
void smtpd_cmd_verdict(struct smtpd *s, enum smtpd_pend p,
		       const struct smtpd_verdict *v);
void smtpd_cmd_tls_started(struct smtpd *s);

/* smtpd_tx.c */
int smtpd_tx_mail(struct smtpd *s, int argc, struct smtpd_token *argv);
int smtpd_tx_rcpt(struct smtpd *s, int argc, struct smtpd_token *argv);
void smtpd_tx_verdict(struct smtpd *s, enum smtpd_pend p,
		      const struct smtpd_verdict *v);
/* Drops the transaction (Postfix mail_reset + rcpt_reset); tells the
 * driver with SMTPD_EV_RSET when MAIL had been accepted. */
void smtpd_tx_reset(struct smtpd *s);

/* smtpd_data.c */
int smtpd_data_cmd(struct smtpd *s, int argc, struct smtpd_token *argv);
int smtpd_data_bdat(struct smtpd *s, int argc, struct smtpd_token *argv);
int smtpd_data_step(struct smtpd *s);
int smtpd_data_bdat_step(struct smtpd *s);
void smtpd_data_verdict(struct smtpd *s, const struct smtpd_verdict *v);
void smtpd_data_reset(struct smtpd *s);

/* smtpd_auth.c */
int smtpd_auth_cmd(struct smtpd *s, int argc, struct smtpd_token *argv);
int smtpd_auth_step(struct smtpd *s);
void smtpd_auth_verdict(struct smtpd *s, const struct smtpd_verdict *v);
const char *smtpd_auth_mechs(const struct smtpd *s);
void smtpd_auth_reset(struct smtpd *s);

#endif
