/*
 * smtpd_harness: a tiny driver for the smtpd engine in tests. It answers
 * the engine's events with a fake policy modelled on the lab machine
 * (reference/README.md): local users wees, root, nobody, postmaster,
 * alice, bob on centos.localdomain, localhost.localdomain and localhost;
 * relaying allowed from mynetworks (the client, unless `outside`). It
 * opens a "queue file" at the first accepted recipient and logs
 * "ID: client=..." as Postfix's smtpd does there. Everything the engine
 * says is collected: output bytes, log lines, events.
 */
#ifndef SMTPD_HARNESS_H
#define SMTPD_HARNESS_H

#include <stddef.h>

#include "lib/buf.h"
#include "smtp/smtpd.h"

struct sh {
	struct smtpd *s;
	struct smtpd_conf conf;
	int byte_mode;		/* feed one byte at a time */
	int outside;		/* client not in mynetworks */
	int relay_reject;	/* reject_unauth_destination (554) */
	int auth_ok_only_alice;	/* AUTH: alice/alicepw is the only account */
	struct buf out;		/* all bytes the server sent */
	struct buf logs;	/* mail.log lines, '\n'-terminated */
	struct buf events;	/* "TYPE arg" lines, '\n'-terminated */
	struct buf data;	/* content of the last SMTPD_EV_DATA */
	int ndata;
	int ndelay;
	int closed;
	int tls_pending;
	int drained;		/* output moved to `out` at least once */
	unsigned qseq;
};

/* The configuration of the captured Postfix (Debian defaults). */
void sh_default_conf(struct smtpd_conf *c);
/* Starts a session; with drain = 0 the banner stays unsent until the
 * first sh_run() (for a client that talks first). */
void sh_start(struct sh *h, const struct smtpd_conf *c, int drain);
/* Runs the engine until it needs input; answers events; collects. */
void sh_run(struct sh *h);
/* Feeds bytes (all at once, or one at a time in byte_mode) and runs. */
void sh_feed(struct sh *h, const void *p, size_t n);
void sh_free(struct sh *h);

/* Replaces every 11-digit upper-case hex word (a short queue ID) with
 * "<QID>"; the caller frees the result. */
char *sh_mask(const char *s);
/* Decodes a transcript's escapes (\r \n \t \\ \xNN) into b. */
void sh_unescape(struct buf *b, const char *s);
/* Reads a whole file; NULL if it cannot. */
char *sh_slurp(const char *path, size_t *len_out);
/* The directory with tests/data/smtp (cwd or $MAILLAB_TOP). */
const char *sh_data_dir(void);

#endif
