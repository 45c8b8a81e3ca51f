/*
 * cleanup: Postfix's cleanup(8) for one message, as smtpd (and later
 * pickup) feed it: it writes the queue file (mta/qfile.h) into the host's
 * incoming/ queue and nowhere else.
 *
 *   cleanup_open()    at the first accepted RCPT: creates the file, gives
 *                     the queue ID, writes the envelope (time, sender in
 *                     canonical form, the client attributes smtpd passes)
 *   cleanup_rcpt()    each accepted recipient: dsn_orig_rcpt, O (as the
 *                     client gave it) and R (canonical: "wees" ->
 *                     "wees@centos.localdomain"); before the first one,
 *                     when delay_warning_time is set and the sender is
 *                     not <>, the W record (warning_message_time: when
 *                     qmgr is to send the delay notice; it sets it to 0
 *                     once sent), as cleanup_envelope.c writes it
 *   cleanup_message() the content at the end of DATA: the Received:
 *                     header smtpd writes, the client's header lines in
 *                     order, then the missing Message-Id:, Date: and From:
 *                     (never To:), an empty line if the body did not start
 *                     with one, the body; logs "cleanup[PID]: ID:
 *                     message-id=<...>"
 *   cleanup_close()   fills in the size record, marks the file complete
 *                     (u+x) and fsyncs it and incoming/; it was in
 *                     incoming/ from cleanup_open() on, mode 0600
 *                     (qfile.h); or cleanup_prepare() + cleanup_finish()
 *                     with the sync done elsewhere (group commit)
 *   cleanup_abort()   RSET, a lost connection: the file is removed
 *
 * Header texts follow reference/transcripts/smtp/01-study-note.after.mbox-wees
 * and reference/commands/05-queue.txt (postcat). Not done here (XXX):
 * header/body checks, milters, canonical/virtual maps, Resent- headers,
 * MIME processing, header folding.
 */
#ifndef MAILLAB_CLEANUP_H
#define MAILLAB_CLEANUP_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

struct host;

enum cleanup_origin {
	CLEANUP_ORIGIN_SMTPD,	/* Received: from HELO (NAME [ADDR]) ... with PROTO */
	CLEANUP_ORIGIN_PICKUP,	/* Received: by HOST (Postfix, from userid UID) */
	CLEANUP_ORIGIN_INTERNAL,/* Postfix's own post_mail(): bounce(8) notices
				   ("Received: by HOST (Postfix)" when asked),
				   local(8) forwarding an alias (none) */
};

/* What the submitting program tells cleanup; strings are borrowed. */
struct cleanup_env {
	enum cleanup_origin origin;
	const char *sender;		/* as given: "root", "a@b.example", "" */
	mtime_t arrival;		/* MAIL FROM time (smtpd), submit time */
	/* smtpd */
	const char *client_name;	/* "localhost" */
	const char *client_addr;	/* "127.0.0.1", "::1" */
	int client_port;		/* 42626 */
	const char *server_addr;	/* "127.0.0.1" */
	int server_port;		/* 25 */
	const char *helo;		/* NULL before HELO/EHLO */
	const char *protocol;		/* "SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA" */
	const char *sasl_method;	/* NULL unless authenticated */
	const char *sasl_username;
	/* pickup */
	int uid;			/* submitting user (the file's owner) */
	const char *fullname;		/* "root" (passwd gecos), or NULL */
	mtime_t received_at;		/* the maildrop file's mtime, for its
					   Received: date; 0: arrival */
	const char *const *attrs;	/* "name=value" records a requeued
					   file had (client_name=...), kept
					   after the sender; NULL-terminated */
	/* internal */
	int received;			/* write "Received: by HOST (Postfix)" */
	/* a requeued file (postsuper -r) keeps its own W record */
	int warn_seen;			/* copy warn_time instead of making one */
	long warn_time;			/* seconds; 0: the notice was sent */
};

struct cleanup_result {
	char id[32];		/* "1F3A6104556" */
	char *path;		/* ROOT/hosts/H/var/spool/postfix/incoming/ID */
	long size;		/* message size as qmgr logs it (size=311) */
	size_t nrcpt;
};

struct cleanup;

/* Creates the queue file; NULL with e set (disk trouble). */
struct cleanup *cleanup_open(struct host *h, const struct cleanup_env *env,
			     mtime_t now, struct err *e);
/* The queue ID, valid until cleanup_close/abort. */
const char *cleanup_id(const struct cleanup *c);
/* One recipient as the client gave it ("wees", "bob@b.example"). */
int cleanup_rcpt(struct cleanup *c, const char *rcpt, struct err *e);
/*
 * The same with what an earlier cleanup recorded (a requeued file): orig
 * is its O record (NULL: rcpt), dsn_orig its dsn_orig_rcpt attribute
 * ("rfc822;wees"; NULL: none, or smtpd's default for that origin).
 */
int cleanup_rcpt_orig(struct cleanup *c, const char *rcpt, const char *orig,
		      const char *dsn_orig, struct err *e);
/* The message as received: unstuffed, LF line ends (the engine's DATA). */
int cleanup_message(struct cleanup *c, const char *data, size_t len,
		    mtime_t now, struct err *e);
/*
 * Completes the file and frees c (*cp = NULL), also on failure, which
 * leaves nothing in the queue. 0 with *out filled (out->path is the
 * caller's to free with cleanup_result_reset), or -1 with e set.
 */
int cleanup_close(struct cleanup **cp, mtime_t now, struct cleanup_result *out,
		  struct err *e);
/*
 * cleanup_close() in two steps, for a driver that syncs several messages
 * together (group commit, src/net/syncq.h): cleanup_prepare() fills in
 * the size record and marks the file complete (qfile_prepare(): the fd
 * stays open); the driver then makes the file and its directory durable
 * (qfile_sync() on cleanup_sync_fd() and cleanup_sync_dir(), in any
 * thread) and calls cleanup_finish() with the result (0 or an errno),
 * which completes as cleanup_close() does. On a prepare failure c is
 * freed (*cp = NULL) and nothing stays in the queue; cleanup_abort()
 * between the steps removes the file.
 */
int cleanup_prepare(struct cleanup **cp, struct err *e);
int cleanup_sync_fd(const struct cleanup *c);
const char *cleanup_sync_dir(const struct cleanup *c);
int cleanup_finish(struct cleanup **cp, int sync_errnum, mtime_t now,
		   struct cleanup_result *out, struct err *e);
/*
 * For a message smtpd refused after the end of DATA: logs the
 * "ID: message-id=<...>" line cleanup wrote while reading it, with the
 * Message-Id cleanup would have added (XXX the engine drops the content,
 * so a client's own Message-ID cannot be shown). Then cleanup_abort().
 */
void cleanup_log_rejected(struct cleanup *c, mtime_t now);
/* Throws the message away (no file stays); *cp = NULL. */
void cleanup_abort(struct cleanup **cp);
void cleanup_result_reset(struct cleanup_result *r);

/*
 * Postfix's post_mail() for a message the mail system makes itself: one
 * call of open, rcpt (each, already canonical), message, close with
 * origin CLEANUP_ORIGIN_INTERNAL, arrival now. content is headers, an
 * empty line, the body (LF lines); received asks for bounce's Received:
 * line. 0 with *out filled (cleanup_result_reset), or -1 with e (nothing
 * left in the queue).
 */
int cleanup_post(struct host *h, mtime_t now, const char *sender,
		 const char *const *rcpts, size_t nrcpt, const char *content,
		 size_t len, int received, struct cleanup_result *out,
		 struct err *e);

#endif
