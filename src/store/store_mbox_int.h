/*
 * store_mbox_int: what the mbox backend's files share (store_mbox.c: the
 * ops; store_mbox_parse.c: reading the file; store_mbox_write.c: the
 * rewrite; store_mbox_index.c: the cache under ~/mail/.imap). See
 * docs/store.md for the file format Dovecot 2.3 keeps and how we follow it.
 */
#ifndef MAILLAB_STORE_MBOX_INT_H
#define MAILLAB_STORE_MBOX_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "store/store_int.h"

/* Dovecot's MBOX_HEADER_PADDING and MBOX_MIN_CONTENT_LENGTH_SIZE. */
#define MBOX_HEADER_PADDING 50
#define MBOX_MIN_CONTENT_LENGTH 1024

/*
 * One message of the file, as parsed. Offsets are file offsets. The
 * index (store_mbox_index.c) stores these as they are in memory and maps
 * them back: the field order leaves no padding inside (88 bytes).
 */
struct mbox_rec {
	uint32_t uid;		/* 0 until assigned */
	unsigned flags;		/* STORE_* as the file says (no RECENT) */
	unsigned want_flags;	/* what they should be (pending changes) */
	unsigned char had_o;	/* Status: had 'O' (not \Recent) */
	unsigned char needs_write; /* header must be rewritten (X-UID...) */
	unsigned char expunge;	/* to be removed by the next write */
	unsigned char pad_;	/* zero */
	uint64_t kw;		/* keyword bits, the mailbox's table */
	uint64_t want_kw;
	uint64_t from_off;	/* "From " */
	uint64_t hdr_off;	/* first header line */
	uint64_t body_off;	/* after the empty line */
	uint64_t end_off;	/* end of the message (before the separator) */
	uint64_t size;		/* as clients see it: CRLF, hidden headers out */
	uint64_t body_size;	/* LF bytes of the body, for Content-Length */
	int64_t date;		/* From_ line time */
};

/* What the parser learnt about the whole file. */
struct mbox_file_state {
	uint32_t uidvalidity;	/* X-IMAPbase/X-IMAP, 0 if none */
	uint32_t uidlast;	/* its uid-last */
	uint64_t uidlast_off;	/* file offset of the 10 digits, 0 if unknown */
	uint32_t next_uid;	/* the next UID to give */
	int has_pseudo;		/* first message is X-IMAP folder data */
	struct mbox_rec pseudo;
	int imapbase_ok;	/* first message's X-IMAPbase as we'd write it */
	size_t nkw_file;	/* keyword names X-IMAPbase lists */
};

struct mbox_mailbox {
	struct store_mailbox base;
	char *path;		/* the mbox file */
	char *index_dir;	/* ~/mail/.imap/<name> */
	char *index_path;
	char *hostname;		/* for From_ lines of appended mail */
	struct mbox_rec *recs;	/* the file's messages, UIDs ascending */
	size_t nrecs;
	size_t recs_cap;	/* allocated entries of recs */
	void *recs_map;		/* recs lie in this private mapping of the
				   index (store_mbox_index_load), or NULL:
				   malloc'd */
	size_t recs_map_len;
	struct mbox_file_state st;
	uint32_t first_recent_uid;
	/* what we know of the file: it changed when any differs */
	uint64_t f_size;
	int64_t f_mtime_ns;
	ino_t f_ino;
	int file_dirty;		/* recs differ from the file */
	int reparse;		/* read the whole file again next time */
	uint32_t idx_uidvalidity; /* what the index said, 0 if none */
	uint64_t index_hash;	/* of the index's bytes as loaded or saved */
	int index_hash_ok;	/* index_hash is set: a save of the same
				   bytes is skipped */
	struct { unsigned flags; uint64_t kw; } *orig; /* view as synced */
	size_t view_cap;	/* allocated entries of base.msgs and orig */
};

/* --- store_mbox_parse.c --- */

/* One logical header (with its continuation lines). */
struct mbox_hdr {
	const char *name;	/* not NUL-terminated */
	size_t name_len;
	const char *value;	/* after ':' and the white space after it */
	size_t value_len;	/* up to the final LF (continuations inside) */
	const char *line;	/* the whole header, final LF included */
	size_t line_len;
};

/*
 * Steps through a header block [p, p+len) from *pos: 1 and *h filled, or
 * 0 at the end (*eoh_out set to the offset just after the empty line, or
 * len when the block has none).
 */
int store_mbox_parse_next_header(const char *p, size_t len, size_t *pos,
				 struct mbox_hdr *h, size_t *eoh_out);
/* Case-insensitive comparison of a header name with a C string. */
int store_mbox_parse_name_is(const struct mbox_hdr *h, const char *name);

/*
 * Parses the file from offset `start` (0, or the end of the last message
 * we know, for new deliveries): appends to mb->recs and updates mb->st.
 * Assigns UIDs to messages that lack a valid X-UID (marking them
 * needs_write). data/len: the bytes from `start` to the end of file.
 */
void store_mbox_parse(struct mbox_mailbox *mb, const char *data, size_t len,
		      uint64_t start);
/*
 * The same for the file's bytes [start, end) read from fd a window at a
 * time (STORE_MBOX_WINDOW, cut at message boundaries), so that memory
 * does not grow with the file. 0, or -1 with e set when a read fails.
 */
int store_mbox_parse_fd(struct mbox_mailbox *mb, int fd, uint64_t start,
			uint64_t end, struct err *e);
/* Appends r to mb->recs (which grows by doubling). */
void store_mbox_parse_push(struct mbox_mailbox *mb, const struct mbox_rec *r);
/* The From_ line's time ("From x  Sat Nov 28 21:59:52 2026"), or -1. */
int64_t store_mbox_parse_from_time(const char *line, size_t len);
/*
 * Appends to out the message header [p, p+len) without Dovecot's own
 * headers (Content-Length, Status, X-IMAP, X-IMAPbase, X-Keywords,
 * X-Status, X-UID), as clients see it.
 */
void store_mbox_parse_filter_header(struct buf *out, const char *p,
				    size_t len);
/* Nonzero if the header name (len bytes) is one Dovecot hides. */
int store_mbox_parse_is_hidden(const char *name, size_t len);

/* --- store_mbox_write.c --- */

/*
 * Writes pending changes (flags, X-UID/X-IMAPbase, expunges) to the file,
 * under the write locks. In place when every changed header keeps its
 * size, else through a temporary file renamed over the mbox. Updates recs'
 * offsets. 0, or -1 with e set.
 */
int store_mbox_write(struct mbox_mailbox *mb, mtime_t now, struct err *e);
/* Appends one message in Dovecot's format; *uid_out gets its UID. */
int store_mbox_write_append(struct mbox_mailbox *mb, const char *data,
			    size_t len, unsigned flags, uint64_t kw,
			    int64_t date, mtime_t now, uint32_t *uid_out,
			    struct err *e);
/* LF line ends; a line starting "From " becomes ">From " (mboxo, as
 * Postfix's local writes it); a final LF is added if missing. */
void store_mbox_write_quote(struct buf *out, const char *p, size_t n);
/* "From user  Sat Nov 28 21:59:52 2026\n" (asctime style, UTC). */
char *store_mbox_write_from_line(const char *sender, int64_t t);

/* --- store_mbox_win.c --- */

/* How much of the file is read at a time (parse and rewrite). */
#define STORE_MBOX_WINDOW ((size_t)4 << 20)

/* A window onto the file: bytes [off, off+len) are in buf. */
struct store_mbox_win {
	int fd;
	uint64_t size;		/* the file's size: nothing is read past it */
	char *buf;
	size_t cap;
	uint64_t off;
	size_t len;
};

void store_mbox_win_init(struct store_mbox_win *w, int fd, uint64_t size);
/*
 * The file's bytes [a, b), valid until the next call: from the window
 * when they are in it, else the window is moved to start at a (and grown
 * to b - a when that is larger). NULL with e set when the file is shorter
 * than b (it changed under the lock) or a read fails.
 */
const char *store_mbox_win_get(struct store_mbox_win *w, uint64_t a,
			       uint64_t b, struct err *e);
void store_mbox_win_free(struct store_mbox_win *w);

/* --- store_mbox_index.c --- */

/* Loads the index if it matches the file (size, mtime, inode): 1 loaded,
 * 0 absent or stale (mb untouched), never an error. */
int store_mbox_index_load(struct mbox_mailbox *mb);
/* Saves it (atomically); failures are ignored, it is only a cache. */
void store_mbox_index_save(struct mbox_mailbox *mb);
/* Frees mb->recs (malloc'd or mapped) and empties it. */
void store_mbox_index_recs_free(struct mbox_mailbox *mb);
/* Makes mb->recs malloc'd (a copy of a mapping) so that it can grow. */
void store_mbox_index_recs_own(struct mbox_mailbox *mb);

/* --- store_mbox.c --- */

/* The same with the file open as fd and locked by the caller. */
int store_mbox_reload(struct mbox_mailbox *mb, int fd, struct err *e);
/* Re-reads the file if it changed since we looked (another writer, a
 * delivery); keeps pending flag changes by UID. 0 or -1. */
int store_mbox_refresh(struct mbox_mailbox *mb, mtime_t now, struct err *e);
/* The record of a UID, or NULL. */
struct mbox_rec *store_mbox_rec(struct mbox_mailbox *mb, uint32_t uid);
/* Remembers the file's identity after we read or wrote it. */
int store_mbox_stat(struct mbox_mailbox *mb, struct err *e);

#endif
