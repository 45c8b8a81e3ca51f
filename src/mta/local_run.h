/*
 * local_run: what the pieces of local(8) share while one recipient is
 * delivered (local.c: aliases, passwd, mailbox; local_target.c: files,
 * commands, :include:, .forward). Internal to src/mta/local*.c.
 */
#ifndef MAILLAB_LOCAL_RUN_H
#define MAILLAB_LOCAL_RUN_H

#include <stddef.h>

#include "mta/local.h"

struct host;
struct passwd_entry;

/* Postfix's local(8) gives up past this nesting depth (alias.c). */
#define LOCAL_MAX_LEVEL 100

struct local_run {
	struct local_ctx *c;
	const struct local_msg *m;
	const char *top;		/* the recipient as queued */
	const char *orig;		/* its original form */
	struct local_outcome *out;
	size_t nout;
	char **seen;			/* mailboxes delivered to (dup filter) */
	size_t nseen;
	char **remote;			/* alias targets in other domains */
	size_t nremote;
	char **forwarded;		/* users whose .forward was expanded */
	size_t nforwarded;
};

/*
 * Where a target came from (local(8)'s exp_type): allow_mail_to_commands
 * and allow_mail_to_files name the sources whose "|command" and "/file"
 * targets are delivered (default "alias, forward": not :include:).
 */
enum local_exp {
	LOCAL_EXP_ALIAS = 1,
	LOCAL_EXP_FORWARD = 2,
	LOCAL_EXP_INCLUDE = 4,
};


/* main.cf's value of name, or def. */
const char *local_param(struct host *h, const char *name, const char *def);
/* A new outcome for "to" (r->orig as orig_to); the caller may set ->mailbox. */
struct local_outcome *local_add_outcome(struct local_run *r, const char *to,
					enum local_status st, const char *dsn,
					const char *text);
/* "2.x.x" sent, "4.x.x" deferred, else bounced. */
enum local_status local_status_of(const char *dsn);
/* Postfix's mbox_dsn(): the status an errno means, def when none. */
const char *local_dsn_of_errno(int errnum, const char *def);
/* The headers local writes before the message (mailbox, file and
 * command alike): Return-Path, X-Original-To, Delivered-To. Caller frees. */
char *local_delivery_headers(const struct local_run *r);
/* A login name that may become a path: no '/', not "." or "..". */
int local_safe_user(const char *u);
/* 1 when mbox was already delivered to in this run (else remembers it). */
int local_seen_mailbox(struct local_run *r, const char *mbox);
/* pw's mailbox (mbox or Maildir), one outcome for addr. */
void local_deliver_mailbox(struct local_run *r, const char *addr,
			   const struct passwd_entry *pw);
/* An address: loop check, aliases, .forward, mailbox. exp_from: the
 * alias or user being expanded (a name listing itself is delivered). */
void local_deliver_rcpt(struct local_run *r, const char *addr, int level,
			const char *exp_from);

/* One value of an alias (type LOCAL_EXP_ALIAS, owner NULL), an :include:
 * file or a .forward (owner: that user). */
void local_target_deliver(struct local_run *r, const char *tok, int level,
			  const char *name, enum local_exp type,
			  const struct passwd_entry *owner);
/* pw's .forward: 1 when found and its values delivered, 0 when the
 * mailbox comes next. ext: the address extension with its delimiter. */
int local_target_forward(struct local_run *r, const struct passwd_entry *pw,
			 const char *ext, int level);
void local_target_free_list(char **vals, size_t n);

#endif
