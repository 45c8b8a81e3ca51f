/*
 * transcript: the golden-transcript format (docs/transcripts.md), the one
 * reference/capture.py writes: "C: " and "S: " lines hold the exact bytes
 * the client wrote and the server sent, one line per line, escaped
 * (printable ASCII literal, \\ \r \n \t, \xNN for any other byte);
 * "== " lines are connection events (TLS established, server closed);
 * "#" lines are comments ("# reply delayed ~1 s" is one that replay
 * checks). maillab adds header directives ("@ world centos",
 * "@ host H", "@ client ADDR [NAME]", "@ postconf NAME = VALUE",
 * "@ proto smtp|pop3|imap", "@ seed FILE", "@ known EXPECTED => ACTUAL")
 * saying what a transcript runs against.
 *
 * This module parses and escapes that format, masks the tokens that
 * change from run to run (queue IDs, dates, TLS versions, delays) and
 * prints a unified diff of two line lists. Running a transcript against
 * a server is replay.c's business.
 */
#ifndef MAILLAB_TRANSCRIPT_H
#define MAILLAB_TRANSCRIPT_H

#include <stddef.h>
#include <stdio.h>

#include "lib/buf.h"
#include "lib/err.h"

enum transcript_kind {
	TRANSCRIPT_CLIENT,	/* C: bytes written by the client */
	TRANSCRIPT_SERVER,	/* S: bytes sent by the server */
	TRANSCRIPT_EVENT,	/* == text */
	TRANSCRIPT_COMMENT,	/* # text */
};

struct transcript_line {
	enum transcript_kind kind;
	char *data;		/* C/S: the unescaped bytes (NUL-terminated
				   after len); event/comment: the text after
				   "== " or "#" (leading blanks dropped) */
	size_t len;
	int lineno;		/* 1-based line in the file */
	int write;		/* C: which client write (0, 1, ...) it belongs
				   to: consecutive C: lines are one write;
				   comments between them do not split it */
};

struct transcript_setting {
	char *name;		/* "smtpd_helo_required" */
	char *value;		/* "yes"; may be empty */
	int lineno;
};

/*
 * "@ known S: EXPECTED => S: ACTUAL": a difference from the real server
 * that maillab is known to have (named in a comment above it, with the
 * module that owes the fix). Replay reports it and does not fail on it.
 */
struct transcript_known {
	char *expected;		/* the line as in the file ("S: ...\r\n") */
	char *actual;		/* what maillab says instead */
	int lineno;
};

struct transcript {
	char *file;		/* as given to transcript_parse/load */
	char *world;		/* @ world; NULL when absent */
	char *host;		/* @ host; NULL: the world's first host */
	char *proto;		/* @ proto; NULL: "smtp" */
	char *client_addr;	/* @ client; NULL when absent */
	char *client_name;	/* NULL when not given */
	struct transcript_setting *settings;	/* @ postconf, in file order */
	size_t nsettings;
	char **seeds;		/* @ seed: transcripts replayed first in the
				   same lab root, as written (relative to
				   this file's directory), in file order */
	size_t nseeds;
	struct transcript_known *known;	/* @ known, in file order */
	size_t nknown;
	struct transcript_line *lines;	/* everything but directives and
					   blank lines, in file order */
	size_t nlines;
	int nwrites;		/* number of client writes */
};

void transcript_init(struct transcript *t);
void transcript_reset(struct transcript *t);

/*
 * Parses text (len bytes, need not be NUL-terminated). name is used in
 * error texts, which read "NAME:LINE: what is wrong". Returns 0, or -1
 * with e set at the first malformed line (t is then reset). t must be
 * initialised and empty.
 */
int transcript_parse(struct transcript *t, const char *name, const char *text,
		     size_t len, struct err *e);
/* Reads and parses a file; -1 with e set when it cannot be read. */
int transcript_load(struct transcript *t, const char *path, struct err *e);

/* Appends bytes escaped as in the format (capture.py's esc()). */
void transcript_escape(struct buf *out, const void *p, size_t n);
/*
 * Appends the bytes the escaped text s (n chars) stands for. Returns 0, or
 * -1 with *bad_out set to the offset of a bad escape.
 */
int transcript_unescape(struct buf *out, const char *s, size_t n,
			size_t *bad_out);
/* Splits bytes after each LF (the last piece may lack one), as capture.py
 * records them; calls fn for each piece. */
void transcript_split_lines(const char *p, size_t n,
			    void (*fn)(void *ctx, const char *line, size_t len),
			    void *ctx);

/*
 * Masks what differs between runs in one transcript line (escaped form),
 * as capture.py's MASKS do: IMAP's UIDVALIDITY and the validity in
 * APPENDUID/COPYUID, the validity half of a POP3 UIDL, Postfix
 * Message-Id stamps, queue IDs (short 10-12 upper-hex after "queued as ",
 * "id ", the start or white space; long-form IDs after "queued as "),
 * RFC 5322 dates, IMAP INTERNALDATEs, the TLS version in "TLS established
 * (...)", Dovecot's "(0.001 + 0.000 secs)" timings and the seconds in
 * "reply delayed ~N s". Returns a new string the caller frees.
 */
char *transcript_mask(const char *line);

/*
 * Writes a unified diff of a (expected) and b (actual) to f: "--- " and
 * "+++ " headers with the given labels, then hunks with `context` lines
 * around each change. Lines are compared as strings. alines_no, when not
 * NULL, gives the file line number of each a line for the hunk headers.
 * Returns the number of differing lines (0: equal, nothing written).
 */
size_t transcript_diff(FILE *f, const char *alabel, const char *blabel,
		       char *const *a, const int *alines_no, size_t na,
		       char *const *b, size_t nb, int context);

#endif
