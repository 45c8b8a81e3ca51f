/*
 * imapd_int: what the imapd_*.c files share: the session, the parsed
 * arguments, the command table entry and the helpers every command uses.
 * Not for drivers: they use imapd.h.
 */
#ifndef MAILLAB_IMAPD_INT_H
#define MAILLAB_IMAPD_INT_H

#include <stdarg.h>
#include <stdint.h>

#include "imap/imapd.h"
#include "lib/buf.h"
#include "store/mime.h"
#include "store/store.h"

/* --- imapd_parse.c: the command line ---------------------------------- */

enum imapd_arg_type {
	IMAPD_ARG_ATOM,
	IMAPD_ARG_QUOTED,
	IMAPD_ARG_LITERAL,
	IMAPD_ARG_LIST,
};

struct imapd_arg {
	enum imapd_arg_type type;
	char *s;		/* NUL-terminated copy (literals may hold NULs) */
	size_t len;
	int literal8;		/* ~{n} (RFC 3516) */
	struct imapd_arg *list;	/* LIST */
	size_t n;
};

/* A literal the parser needs before it can go on. */
struct imapd_lit {
	uint64_t size;
	int nonsync;		/* {n+}: no "+ OK" wanted */
	int literal8;
};

enum imapd_parse_ret {
	IMAPD_PARSE_OK,		/* all arguments, up to the final CRLF */
	IMAPD_PARSE_LITERAL,	/* *lit_out: read it, then the next line */
	IMAPD_PARSE_ERROR,	/* *err_out: Dovecot's parser message */
};

/*
 * Parses the arguments of a command from d[pos..n): complete lines and
 * the literals between them. The arguments read so far are in *args_out
 * in every case (free with imapd_args_free).
 */
enum imapd_parse_ret imapd_parse_args(const char *d, size_t n, size_t pos,
				      struct imapd_arg **args_out,
				      size_t *nargs_out,
				      struct imapd_lit *lit_out,
				      const char **err_out);
void imapd_args_free(struct imapd_arg *v, size_t n);

enum imapd_tag_ret {
	IMAPD_TAG_OK,
	IMAPD_TAG_BAD_TAG,	/* empty or invalid tag */
	IMAPD_TAG_BAD_NAME,	/* no or invalid command name */
};

/* Splits "tag SP name [SP ...]" of line[0..len) (line end excluded).
 * *tag_out / *name_out are new strings (name upper-cased); *rest_out
 * indexes what follows the name. */
enum imapd_tag_ret imapd_parse_tag(const char *line, size_t len,
				   char **tag_out, char **name_out,
				   size_t *rest_out);

/* A sequence set: ranges with UINT32_MAX for '*'. */
struct imapd_range {
	uint32_t lo, hi;
};

struct imapd_seqset {
	struct imapd_range *v;
	size_t n;
	int dollar;		/* "$" (RFC 5182 SEARCHRES) */
};

/* "1,3:5,7:*" or "$". 0, or -1 when invalid. */
int imapd_parse_seqset(const char *s, struct imapd_seqset *out);
void imapd_seqset_free(struct imapd_seqset *set);
/* Does the set contain x, with '*' meaning star? */
int imapd_seqset_has(const struct imapd_seqset *set, uint32_t x,
		     uint32_t star);
/* The largest number the set names, '*' = star. */
uint32_t imapd_seqset_max(const struct imapd_seqset *set, uint32_t star);

/* RFC 3501 date-time "28-Nov-2026 22:02:51 +0000" -> seconds, or -1. */
int64_t imapd_parse_datetime(const char *s);
/* RFC 3501 date "1-Feb-2023" -> seconds of 00:00 UTC, or -1. */
int64_t imapd_parse_date(const char *s);
/* RFC 5322 date (Date: header) -> seconds UTC; *tz_out the offset in
 * seconds; -1 if unparsable. */
int64_t imapd_parse_rfc822_date(const char *s, int *tz_out);

/* Is this argument an atom/string (astring)? NIL counts as atom. */
int imapd_arg_is_astring(const struct imapd_arg *a);
int imapd_arg_is_atom(const struct imapd_arg *a, const char *word);

/* --- imapd.c: the session --------------------------------------------- */

enum imapd_in_mode {
	IMAPD_IN_LINE,		/* reading a command line */
	IMAPD_IN_LITERAL,	/* reading literal bytes into the command */
	IMAPD_IN_SKIP,		/* discarding literal bytes (refused APPEND) */
	IMAPD_IN_AUTH,		/* AUTHENTICATE: waiting for the response */
	IMAPD_IN_IDLE,		/* IDLE: waiting for DONE */
	IMAPD_IN_WAIT,		/* the auth verdict is pending */
	IMAPD_IN_TLS,		/* STARTTLS: waiting for the handshake */
	IMAPD_IN_CLOSED,
};

/* Why the last login attempt failed, for imap-login's disconnect line. */
enum imapd_fail {
	IMAPD_FAIL_NONE,
	IMAPD_FAIL_PLAINTEXT,
	IMAPD_FAIL_MECH,
	IMAPD_FAIL_BASE64,
};

/* A parsed command as the handlers see it. */
struct imapd_cmdctx {
	char *tag;
	char *name;		/* upper-cased: "FETCH" (also under UID) */
	int uid;		/* UID FETCH etc. */
	struct imapd_arg *args;
	size_t nargs;
};

struct imapd;
typedef void imapd_cmd_fn(struct imapd *s, struct imapd_cmdctx *c,
			  mtime_t now);
/* Called when the command needs a literal: nonzero refuses it (the
 * hook has replied). */
typedef int imapd_lit_fn(struct imapd *s, struct imapd_cmdctx *c,
			 const struct imapd_lit *lit, mtime_t now);

enum imapd_cmd_flags {
	IMAPD_CMD_UID = 1 << 0,		/* may follow "UID" */
	IMAPD_CMD_USES_SEQS = 1 << 1,	/* no EXPUNGE replies after it
					   (RFC 3501 7.4.1) */
	IMAPD_CMD_NOSYNC = 1 << 2,	/* no mailbox sync at the end */
};

struct imapd_cmd_def {
	const char *name;
	imapd_cmd_fn *fn;
	unsigned flags;
	imapd_lit_fn *lit;
};

/* The command tables (imapd_cmd.c). */
const struct imapd_cmd_def *imapd_cmd_find(int prelogin, const char *name);

#define IMAPD_MAX_EVENTS 8

struct imapd {
	struct imapd_conf conf;
	enum imapd_state state;
	enum imapd_in_mode in_mode;
	mtime_t start;
	int closed;
	int eof;
	mtime_t now;			/* of the call being served */
	size_t line_end;		/* CRLF or LF of the last line */

	struct buf in;			/* unprocessed input */
	struct buf out;			/* for the driver */
	struct buf cmd;			/* the command being assembled */
	struct imapd_cmdctx cur;	/* its tag and name once known */
	const struct imapd_cmd_def *cur_def;
	int plus_sent;			/* "+ OK" sent for the pending literal */
	uint64_t lit_left;		/* IN_LITERAL / IN_SKIP bytes to go */
	int skip_line_after;		/* IN_SKIP: then drop the line rest */
	int skip_line;			/* drop input up to the next LF */

	uint64_t in_total, out_total;	/* bytes consumed / produced */

	struct imapd_event evq[IMAPD_MAX_EVENTS];
	char *evtext[IMAPD_MAX_EVENTS];
	size_t nev, evpos;

	/* pre-login */
	int tls;
	int capability_seen;		/* CAPABILITY before login */
	int starttls_done;
	int bad_count;
	int auth_attempts;
	char *auth_tag;
	char *auth_user, *auth_pass;
	int auth_fail_pending;		/* the DELAY went out, NO follows */
	mtime_t auth_first;		/* the first attempt */
	int auth_aborted;		/* "*" to AUTHENTICATE */
	int last_fail;			/* enum imapd_fail */
	char session[32];
	char *last_auth_user;

	/* post-login */
	struct store_user *user;	/* borrowed from the driver */
	char *username;
	uint64_t in_login, out_login;	/* totals at login */
	struct store_mailbox *mb;
	size_t mb_keywords;		/* keywords announced in FLAGS */
	int condstore, qresync;		/* ENABLEd */
	uint32_t *saved;		/* SEARCHRES $: UIDs */
	size_t nsaved;
	int saved_valid;
	char *idle_tag;
	mtime_t idle_last;
	unsigned n_deleted, n_expunged, n_trashed;
	unsigned hdr_count, body_count;
	uint64_t hdr_bytes, body_bytes;
	char *last_cmd;
	mtime_t last_cmd_time;

	struct imapd_notify *notify;	/* NOTIFY SET (imapd_notify.c) */
	struct imapd_update *updates;	/* SEARCH RETURN (UPDATE) */
	size_t nupdates;

	/* the message FETCH/SEARCH read last */
	uint32_t cache_uid;
	struct buf cache;
	struct mime_msg *cache_mime;
	int cache_valid;
};

/* Output: every line goes through here (counts the bytes). */
void imapd_out(struct imapd *s, const void *p, size_t n);
void imapd_outf(struct imapd *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The tagged completion: "tag STATUS text", with " (0.001 + 0.000
 * secs)." in place of a final '.' once logged in (Dovecot's imap
 * process; imap-login adds nothing). status: "OK", "NO", "BAD".
 */
void imapd_tagged(struct imapd *s, const char *tag, const char *status,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Completes the current command: the mailbox sync (as the command's
 * table flags allow), then the tagged line as imapd_tagged(). */
void imapd_done(struct imapd *s, struct imapd_cmdctx *c, const char *status,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "BAD Error in IMAP command NAME: msg" (post-login wording). */
void imapd_cmd_error(struct imapd *s, struct imapd_cmdctx *c,
		     const char *msg);
/* imap-login's BAD; the third one ends the connection. */
void imapd_prelogin_bad(struct imapd *s, const char *tag, const char *text,
			mtime_t now);
/* Queues an event; text is copied. */
void imapd_event(struct imapd *s, enum imapd_ev_type t, const char *text,
		 long delay_ms);
void imapd_log(struct imapd *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The capability lists (pre-login depends on TLS and auth policy). */
void imapd_capabilities(struct imapd *s, struct buf *out);
/* Is plaintext authentication allowed on this connection? */
int imapd_plaintext_ok(const struct imapd *s);

/* Login succeeded: sends the tagged OK, logs, switches state. */
void imapd_login_done(struct imapd *s, const char *tag, mtime_t now);
/* Ends the session after BYE: logs the Disconnected line, closes. */
void imapd_disconnect(struct imapd *s, const char *reason, mtime_t now);

/* --- imapd_view.c: the selected mailbox -------------------------------- */

/* Expunges \Deleted messages (only those of `only` when not NULL),
 * with "* n EXPUNGE" replies; returns how many. */
size_t imapd_view_expunge(struct imapd *s, const size_t *only, size_t nonly,
		     mtime_t now);
/* One expunge for the client: "* n EXPUNGE", or kept for "* VANISHED"
 * once QRESYNC is enabled (then imapd_view_vanished sends them). */
void imapd_view_expunged(struct imapd *s, size_t idx, uint32_t uid,
			uint32_t **vanished, size_t *nvanished);
void imapd_view_vanished(struct imapd *s, uint32_t **vanished,
			  size_t *nvanished);
/* Mailbox sync after a command: untagged EXPUNGE/EXISTS/RECENT/FETCH.
 * no_expunge: skip (FETCH, STORE, SEARCH by sequence numbers). */
void imapd_view_sync(struct imapd *s, int no_expunge, int send_uid, mtime_t now);
/* Closes the selected mailbox (no expunge). */
void imapd_view_close(struct imapd *s, mtime_t now);
/* "* FLAGS (...)" and "* OK [PERMANENTFLAGS (...)] ..." */
void imapd_view_send_flags(struct imapd *s);
/* "\Seen \Deleted kw" of a message into out. */
void imapd_view_write_flags(struct imapd *s, struct buf *out,
		       const struct store_msg *m);
/* The message's bytes and MIME structure (cached for the last UID). */
int imapd_view_load(struct imapd *s, size_t idx, const struct buf **data_out,
		   const struct mime_msg **mime_out);
void imapd_view_cache_drop(struct imapd *s);
/* Number of \Recent messages in the view. */
size_t imapd_view_recent(const struct imapd *s);

/*
 * A sequence set argument resolved against the view: 0-based indexes,
 * ascending, no duplicates. 0, or -1 with the BAD already sent ("Invalid
 * messageset" for sequence numbers beyond the mailbox, as Dovecot).
 */
int imapd_view_resolve_set(struct imapd *s, struct imapd_cmdctx *c,
		      const char *set, int uid, size_t **idx_out,
		      size_t *n_out);
/* A UID set "1:3,5" in RFC 4315 compressed form from sorted UIDs. */
void imapd_view_uidset(struct buf *out, const uint32_t *uids, size_t n);

/* --- the command files ------------------------------------------------- */

/* imapd_cmd.c */
void imapd_cmd_idle_input(struct imapd *s, const char *line, size_t len,
			  mtime_t now);
void imapd_cmd_auth_input(struct imapd *s, const char *line, size_t len,
			  mtime_t now);

/* imapd_mbox.c */
imapd_cmd_fn imapd_mbox_select, imapd_mbox_examine, imapd_mbox_create,
	imapd_mbox_delete, imapd_mbox_rename, imapd_mbox_subscribe,
	imapd_mbox_unsubscribe, imapd_mbox_status;
int imapd_mbox_is_inbox(const char *name);
/* The mailbox argument i ("INBOX" in any case becomes "INBOX"), or
 * NULL after a BAD. */
const char *imapd_mbox_arg(struct imapd *s, struct imapd_cmdctx *c, size_t i);
/* The NO for a store error: [NONEXISTENT], [ALREADYEXISTS], the text. */
void imapd_mbox_storage_error(struct imapd *s, struct imapd_cmdctx *c,
			      const char *name, const struct err *e);
/* STATUS items list -> bits; -1 (with *bad_out the unknown item). */
int imapd_mbox_status_items(const struct imapd_arg *l, unsigned *out,
			    const char **bad_out);
/* "* STATUS name (...)" of the selected view or a read-only look. */
int imapd_mbox_status_of(struct imapd *s, const char *name, unsigned items,
			 mtime_t now, struct err *e);

/* imapd_list.c */
imapd_cmd_fn imapd_list_cmd, imapd_list_lsub;

/* imapd_append.c */
imapd_cmd_fn imapd_append_cmd;
int imapd_append_lit(struct imapd *s, struct imapd_cmdctx *c,
		     const struct imapd_lit *lit, mtime_t now);

/* imapd_copy.c */
imapd_cmd_fn imapd_copy_cmd, imapd_copy_move;
/* Parses a flag list into system flags and keyword bits of mb
 * (created when create != 0). -1 with the BAD sent when invalid. */
int imapd_mbox_parse_flags(struct imapd *s, struct imapd_cmdctx *c,
			   const struct imapd_arg *v, size_t n,
			   struct store_mailbox *mb, int create,
			   unsigned *flags_out, uint64_t *kw_out);
/* The special-use flag of a folder name ("\\Trash"), or NULL. */
const char *imapd_mbox_special_use(const char *name);

/* imapd_fetch.c */
imapd_cmd_fn imapd_fetch_cmd;

/* imapd_store.c */
imapd_cmd_fn imapd_store_cmd;

/* imapd_search.c */
imapd_cmd_fn imapd_search_cmd;

/* ESEARCH/ESORT return options (RFC 4731, 5182, 5267) */
enum {
	RET_MIN = 1 << 0, RET_MAX = 1 << 1, RET_ALL = 1 << 2,
	RET_COUNT = 1 << 3, RET_SAVE = 1 << 4, RET_UPDATE = 1 << 5,
	RET_PARTIAL = 1 << 6,
};
/* RETURN (...) -> RET_ bits and the PARTIAL range; -1 if invalid. */
int imapd_search_return(const struct imapd_arg *l, unsigned *opts,
			int64_t *plo, int64_t *phi);
/* SEARCHRES: the UIDs "$" stands for from now on. */
void imapd_search_save(struct imapd *s, const uint32_t *uids, size_t n);

/* A parsed SEARCH program (imapd_search.c), used by SORT and THREAD. */
struct imapd_search;
/* Parses charset and keys from args[*i..n); NULL after a reply. */
struct imapd_search *imapd_search_parse(struct imapd *s,
					struct imapd_cmdctx *c,
					const struct imapd_arg *args, size_t n,
					int allow_charset);
void imapd_search_free(struct imapd_search **sp);
/* Runs it over the view: 0-based indexes ascending; -1 after a reply. */
int imapd_search_run(struct imapd *s, struct imapd_cmdctx *c,
		     struct imapd_search *p, size_t **idx_out, size_t *n_out,
		     mtime_t now);
/* imapd_update.c: SEARCH RETURN (UPDATE) contexts. The program is
 * kept (owned from now on); idx[0..n) is the first result. */
void imapd_update_add(struct imapd *s, const char *tag, int uid,
		      struct imapd_search *prog, const size_t *idx, size_t n);
/* After a sync: ADDTO/REMOVEFROM of every context. */
void imapd_update_run(struct imapd *s, mtime_t now);
void imapd_update_free_all(struct imapd *s);
imapd_cmd_fn imapd_update_cancel;	/* CANCELUPDATE */
/* imapd_sort.c */
imapd_cmd_fn imapd_sort_cmd;
/* RFC 5256 base subject (UTF-8, upper-cased for comparing); caller frees. */
char *imapd_sort_base_subject(const char *raw);

/* imapd_thread.c */
imapd_cmd_fn imapd_thread_cmd;

/* imapd_notify.c */
imapd_cmd_fn imapd_notify_cmd;
/* After a sync: STATUS / LIST news of other mailboxes for NOTIFY. */
void imapd_notify_check(struct imapd *s, mtime_t now);
void imapd_notify_free(struct imapd *s);

/* --- imapd_reply.c: every fixed reply text ------------------------------ */

enum imapd_reply {
	IMAPD_R_GREETING_FMT,		/* "[CAPABILITY %s] %s" */
	IMAPD_R_PRELOGIN_CAPS,
	IMAPD_R_CAPS_POSTLOGIN,
	IMAPD_R_CAPABILITY_DONE,
	IMAPD_R_NOOP_DONE,
	IMAPD_R_LOGOUT_BYE,
	IMAPD_R_LOGOUT_DONE,
	IMAPD_R_BAD_PRELOGIN,
	IMAPD_R_BAD_LOGIN_TAG,
	IMAPD_R_TOO_MANY_BAD,
	IMAPD_R_AUTH_FAILED,
	IMAPD_R_PRIVACY_REQUIRED,
	IMAPD_R_LOGGED_IN,
	IMAPD_R_STARTTLS_DONE,
	IMAPD_R_TLS_ACTIVE,
	IMAPD_R_TLS_UNAVAILABLE,
	IMAPD_R_AUTH_MECH_UNKNOWN,
	IMAPD_R_AUTH_ABORTED,
	IMAPD_R_AUTH_BASE64,
	IMAPD_R_ENABLE_PRELOGIN,
	IMAPD_R_ID_DONE,
	IMAPD_R_ID_REPLY,
	IMAPD_R_INVALID_TAG,
	IMAPD_R_INVALID_NAME,
	IMAPD_R_UNKNOWN_COMMAND,
	IMAPD_R_INVALID_ARGS,
	IMAPD_R_INVALID_MSGSET,
	IMAPD_R_NO_MAILBOX,
	IMAPD_R_TOO_LONG,
	IMAPD_R_LITERAL_TOO_BIG,
	IMAPD_R_INPUT_FULL,
	IMAPD_R_SELECT_DONE,
	IMAPD_R_EXAMINE_DONE,
	IMAPD_R_CLOSED,
	IMAPD_R_FLAGS_PERMITTED,
	IMAPD_R_READONLY_MAILBOX,
	IMAPD_R_FIRST_UNSEEN,
	IMAPD_R_UIDS_VALID,
	IMAPD_R_NEXT_UID,
	IMAPD_R_HIGHESTMODSEQ,
	IMAPD_R_NOMODSEQ,
	IMAPD_R_MAILBOX_NONEXISTENT,	/* "Mailbox doesn't exist: %s" */
	IMAPD_R_ALREADY_EXISTS,
	IMAPD_R_CREATE_DONE,
	IMAPD_R_DELETE_DONE,
	IMAPD_R_RENAME_DONE,
	IMAPD_R_SUBSCRIBE_DONE,
	IMAPD_R_UNSUBSCRIBE_DONE,
	IMAPD_R_LIST_DONE,
	IMAPD_R_LSUB_DONE,
	IMAPD_R_STATUS_DONE,
	IMAPD_R_STATUS_SELECTED,
	IMAPD_R_APPEND_DONE,
	IMAPD_R_COPY_DONE,
	IMAPD_R_MOVE_DONE,
	IMAPD_R_MOVED_UIDS,
	IMAPD_R_NO_MESSAGES,
	IMAPD_R_FETCH_DONE,
	IMAPD_R_SEARCH_DONE,
	IMAPD_R_SORT_DONE,
	IMAPD_R_THREAD_DONE,
	IMAPD_R_STORE_DONE,
	IMAPD_R_STORE_READONLY,
	IMAPD_R_STORE_MODIFIED,
	IMAPD_R_EXPUNGE_DONE,
	IMAPD_R_CLOSE_DONE,
	IMAPD_R_UNSELECT_DONE,
	IMAPD_R_CHECK_DONE,
	IMAPD_R_IDLE_CONT,
	IMAPD_R_IDLE_DONE,
	IMAPD_R_IDLE_EXPECTED_DONE,
	IMAPD_R_STILL_HERE,
	IMAPD_R_NAMESPACE_DONE,
	IMAPD_R_ENABLE_DONE,
	IMAPD_R_TRYCREATE,
	IMAPD_R_INBOX_DELETE,
	IMAPD_R_ZERO_MESSAGE,
	IMAPD_R_TOO_BIG,
	IMAPD_R_STORAGE_ERROR,
	IMAPD_R_BAD_CHARSET,
	IMAPD_R_UNKNOWN_CTE,
	IMAPD_R_CLIENTBUG_DUP,
	IMAPD_R_LAST
};

/* The text of a reply (a printf format where it takes arguments). */
const char *imapd_reply_text(enum imapd_reply r);

#endif
