/*
 * imap_harness: replays a reference IMAP transcript (C:/S:/== lines, the
 * escapes of reference/README.md) against any driver of an IMAP session
 * (the bare engine, imap_server on a lab host) and compares what the
 * server said after masking UIDVALIDITY-like numbers and Dovecot's
 * timings. Not a suite itself.
 */
#ifndef MAILLAB_IMAP_HARNESS_H
#define MAILLAB_IMAP_HARNESS_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/clock.h"

struct ih_driver {
	void *ctx;
	void (*feed)(void *ctx, const char *p, size_t n, mtime_t now);
	/* runs the session; appends the server's bytes to got */
	void (*pump)(void *ctx, mtime_t now, struct buf *got);
	void (*tls_started)(void *ctx, mtime_t now);
	int (*closed)(void *ctx);
	/* Known differences: pairs of (reference text, what we say),
	 * applied to the expected bytes; NULL-terminated, or NULL. */
	const char *const *known;
};

/*
 * Replays path; client lines whole or byte by byte. Returns the number
 * of mismatches (printed to stderr). *timing_delta_out gets how many
 * bytes longer the reference's timings were than our fixed "(0.001 +
 * 0.000 secs)" (for comparing out= in the log).
 */
int ih_replay(const char *path, int bytewise, const struct ih_driver *d,
	      mtime_t start, long *timing_delta_out);
/* UIDVALIDITY/APPENDUID/COPYUID numbers -> <N>, "(x + y secs)" ->
 * "(<TIME>)". Caller frees. */
char *ih_mask(const char *in, size_t n);
/* The file's bytes, NUL-terminated; NULL if unreadable. Caller frees. */
char *ih_slurp(const char *path, size_t *len);
/* Adds timing_delta to the out= of a "Disconnected: Logged out" line. */
char *ih_fix_out(const char *logs, long timing_delta);
/* The lines of a reference .log file after "dovecot: ". Caller frees. */
char *ih_dovecot_lines(const char *path);

#endif
