/*
 * local: Postfix's local(8) delivery agent, in-process: one recipient of
 * one message, to its final place on this host.
 *
 * In Postfix's order (local(8), "DESCRIPTION"): a loop check on the
 * message's Delivered-To: headers ("mail forwarding loop for X"), the
 * alias database (alias_maps; a name that lists itself is delivered to
 * the user; nesting past 100 levels is "alias database loop for X"),
 * then the passwd file ("unknown user: \"x\"" when the name is not
 * there), then the mailbox: $home_mailbox under the user's home when set
 * (a value ending in '/' is a Maildir: new/ file, "delivered to
 * maildir"), else $mail_spool_directory/USER, an mbox ("delivered to
 * mailbox"). A recipient_delimiter extension (wees+tag) is tried in full
 * first, then without it.
 *
 * The mailbox gets, before the message, the headers Postfix's local
 * writes (reference/mailboxes/, wees.mbox): the mbox "From sender  date"
 * line, Return-Path: <sender>, X-Original-To: the original recipient,
 * Delivered-To: the recipient being delivered (the top-level one when an
 * alias expanded it). mbox lines starting "From " get a '>' and the
 * message ends with an empty line. Locking: a USER.lock dot file and an
 * fcntl() lock, the same pair Dovecot takes (mbox_write_locks).
 *
 * Alias targets in another domain are forwarded: they go back to cleanup
 * as one new message ("forwarded as ID") through the caller's callback.
 * Targets of aliases, :include: files and the user's .forward are
 * delivered as Postfix's token.c does: "/file" (mbox, or Maildir when it
 * ends in '/'), "~/file", "|command" (run for real by local_command.h,
 * never as root), ":include:/file", "\\user"; allow_mail_to_commands and
 * allow_mail_to_files restrict where commands and files may appear.
 * Paths are always inside the host's directory in the lab.
 *
 * local writes only mailbox and file targets and the lock files next to
 * them (commands write what they write).
 * It does not log: the caller logs each outcome (log_adhoc) and records
 * it in the queue file.
 */
#ifndef MAILLAB_LOCAL_H
#define MAILLAB_LOCAL_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

struct host;
struct trivial_rewrite_conf;

struct local_msg {
	const char *queue_id;
	const char *sender;	/* "" for the null sender (From MAILER-DAEMON) */
	const char *content;	/* the message as queued: headers, empty line,
				   body; LF line ends */
	size_t len;
};

struct local_rcpt {
	const char *address;	/* "wees@centos.localdomain" (canonical) */
	const char *orig;	/* as given ("wees"); NULL or "": same */
};

enum local_status {
	LOCAL_SENT,
	LOCAL_DEFERRED,
	LOCAL_BOUNCED,
};

/* One outcome: a recipient expands to several when it is an alias. */
struct local_outcome {
	char *to;		/* for "to=<...>": the address delivered to */
	char *orig_to;		/* for "orig_to=<...>" (the original rcpt) */
	enum local_status status;
	char dsn[16];		/* "2.0.0", "5.1.1" */
	char *text;		/* "delivered to mailbox", "unknown user: \"x\"" */
	char *mailbox;		/* the file written (host path), or NULL */
};

struct local_ctx {
	struct host *host;
	const struct trivial_rewrite_conf *tr;	/* canonical form, local domains */
	mtime_t now;
	/*
	 * Faults: the errno a write to user's mailbox fails with (EFBIG for
	 * a full mailbox, ENOSPC for a full disk), or 0. NULL: none.
	 */
	int (*write_fault)(void *ctx, const char *user);
	/*
	 * Forwards a copy of the message to addrs (other domains) as one new
	 * message with the same sender: 0 and *qid_out (caller frees), or -1
	 * with e. NULL: forwarding defers.
	 */
	int (*forward)(void *ctx, const struct local_msg *m,
		       const char *const *addrs, size_t n, char **qid_out,
		       struct err *e);
	void *cb_ctx;
};

/*
 * Delivers m to r. Returns the number of outcomes in *out_out (at least
 * 1; free with local_outcomes_free). Never fails as a whole: problems are
 * outcomes (deferred or bounced with Postfix's text).
 */
size_t local_deliver(struct local_ctx *c, const struct local_msg *m,
		     const struct local_rcpt *r, struct local_outcome **out_out);
void local_outcomes_free(struct local_outcome **op, size_t n);

/*
 * The mbox writer and the Maildir writer (local_mailbox.c), exported for
 * tests and for bounce-to-file uses: prepend is written first (the
 * delivery headers), then content. limit: mailbox_size_limit (0: none).
 * 0, or -1 with errno-based e and *errnum_out.
 */
int local_mailbox_mbox(const char *path, const char *from_line,
		       const char *prepend, const char *content, size_t len,
		       long limit, int fault_errno, int *errnum_out,
		       struct err *e);
/* dir is the Maildir (".../Maildir/"); hostname for the file name; the
 * new file's path in *path_out (caller frees). */
int local_mailbox_maildir(const char *dir, const char *hostname,
			  mtime_t now, unsigned serial, const char *prepend,
			  const char *content, size_t len, int fault_errno,
			  char **path_out, int *errnum_out, struct err *e);
/* "From root@centos.localdomain  Sat Nov 28 21:59:52 2026" (no newline);
 * the null sender is MAILER-DAEMON. Caller frees. */
char *local_mailbox_from_line(const char *sender, mtime_t now);

#endif
