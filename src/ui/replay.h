/*
 * replay: runs a transcript (transcript.h) against a server session and
 * shows, as a unified diff, where the server's bytes differ from the
 * transcript's S: lines. Client writes are fed exactly as grouped in the
 * file (consecutive C: lines = one write); server output is read at the
 * points the transcript reads it, so a client that talks before the
 * greeting (reference smtp/05j) replays as captured; output that follows
 * a pause after a complete answer (capture.py's completion rules per
 * protocol, console_frame.h) is read after the next write, as the capture
 * tool read it (smtp/05k). "# reply delayed ~N s"
 * comments are checked against the session's DELAY actions (without
 * sleeping), "== TLS established" performs the simulated handshake (client
 * lines where it should be make it fail, as smtp/06e), and "== server
 * closed connection" checks that the server hung up. Queue IDs and the
 * other volatile tokens are masked (transcript_mask).
 *
 * replay_run() drives any session through struct replay_target_ops (a
 * server_session; unit tests use a fake); replay_file() sets up a fresh
 * temporary lab root of the transcript's world, replays its "@ seed"
 * transcripts there first (the mailbox state a POP3 or IMAP scenario
 * starts from), applies its "@ postconf" settings and runs a real SMTP,
 * POP3 or IMAP session ("@ proto").
 */
#ifndef MAILLAB_REPLAY_H
#define MAILLAB_REPLAY_H

#include <stdio.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/err.h"
#include "ui/server_session.h"
#include "ui/transcript.h"

struct replay_target_ops {
	void (*feed)(void *target, const void *buf, size_t len, mtime_t now);
	void (*eof)(void *target, mtime_t now);
	enum server_session_act (*run)(void *target, mtime_t now,
				       long *delay_ms_out);
	struct buf *(*output)(void *target);	/* replay consumes it */
	void (*tls_started)(void *target, mtime_t now);
	/* The handshake failed (server_session_tls_failed()); NULL: eof. */
	void (*tls_failed)(void *target, const char *result,
			   const char *problem, mtime_t now);
};

/*
 * Runs t against target, starting the clock at now (DELAYs advance it).
 * Writes a unified diff (expected = the file, actual = the session) to out
 * when they differ, and when actual_out is not NULL, the session as a
 * transcript (masked lines, one per line). Lines the transcript lists as
 * "@ known" differences are reported to out ("known difference") and not
 * counted. Returns the number of differing lines: 0 when everything
 * matches.
 */
size_t replay_run(const struct transcript *t,
		  const struct replay_target_ops *ops, void *target,
		  mtime_t now, FILE *out, FILE *actual_out);

struct replay_opts {
	const char *root_parent;	/* temporary roots go under it (created
					   if missing); NULL: $TMPDIR or /tmp */
	int keep;			/* keep the root (its path is printed) */
	FILE *actual_out;		/* the session as a transcript, or NULL */
};

/*
 * Replays one file in a fresh root of its world ("@ world", else
 * "default"): first its "@ seed" files (each with its own seeds, in the
 * same root; a seed must name the same world), bringing the world up to
 * date after each session so that what it queued is delivered, then the
 * file itself. Returns 0 when everything matches, 1 when it or a seed
 * differs (diff written to out), -1 with e set when it cannot run
 * (unreadable or malformed file, unknown world, host or protocol, a
 * seed loop, a root that cannot be made).
 */
int replay_file(const char *path, const struct replay_opts *o, FILE *out,
		struct err *e);

#endif
