/*
 * store: one user's mail storage, as Dovecot 2.3 keeps it, behind a small
 * ops table so that engines and tests never care whether the mailbox is an
 * mbox file, a Maildir or RAM (STYLE.md, section 1).
 *
 * A struct store_user is opened from Dovecot's mail_location, e.g. Debian's
 * default "mbox:~/mail:INBOX=/var/mail/%u" or "maildir:~/Maildir". It knows
 * the folder list (create, delete, rename, subscribe) and opens mailboxes.
 * A struct store_mailbox is one open mailbox: a *view* of its messages,
 * numbered 0..count-1 (IMAP sequence number - 1, POP3 message number - 1).
 * The view changes only when its owner asks: store_mailbox_sync() brings
 * in new deliveries and expunges done by others, store_mailbox_expunge()
 * removes this session's \Deleted messages. So an engine can keep message
 * numbers stable for as long as its protocol requires (RFC 1939 section 5,
 * RFC 3501 section 7.4.1).
 *
 * What a message looks like through this API (what Dovecot shows clients):
 * - the bytes have CRLF line ends (bare LF in the file becomes CRLF), and
 *   the size is counted that way (POP3 octets, IMAP RFC822.SIZE);
 * - mbox: the From_ line is not part of the message; ">From " quoting is
 *   kept as stored (Dovecot does not unquote); Dovecot's own headers
 *   (X-IMAPbase, X-IMAP, X-UID, Status, X-Status, X-Keywords,
 *   Content-Length) are hidden;
 * - the internal date is the From_ line's time (mbox) or the file's mtime
 *   (Maildir), in seconds since the epoch, shown by IMAP as +0000.
 *
 * Persistent state (UIDs, UIDVALIDITY, flags) lives where Dovecot keeps
 * it: in the mbox itself (X-IMAPbase/X-UID/Status/X-Status/X-Keywords) or
 * in Maildir's dovecot-uidlist, dovecot-keywords and file names. See
 * docs/store.md for the formats, the locking and the index files.
 *
 * Errors: every call that touches storage returns -1 and fills struct err
 * when the environment fails (unreadable file, lock timeout, disk full).
 * Asking for a message number out of range is a programmer error (BUG_ON):
 * engines check numbers against store_mailbox_count() first.
 *
 * Time: the store reads no clock. Calls that may create state stamped with
 * the time (UIDVALIDITY, an appended message's date, Maildir file names)
 * take `now` (milliseconds, lib/clock.h), so the simulator's virtual clock
 * works.
 */
#ifndef MAILLAB_STORE_H
#define MAILLAB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/err.h"

/* System flags, RFC 3501 section 2.3.2. Bit values are stable. */
enum store_flag {
	STORE_SEEN	= 1 << 0,
	STORE_ANSWERED	= 1 << 1,
	STORE_FLAGGED	= 1 << 2,
	STORE_DELETED	= 1 << 3,
	STORE_DRAFT	= 1 << 4,
	STORE_RECENT	= 1 << 5,	/* read-only: set by the store only */
};
#define STORE_FLAGS_SETTABLE \
	(STORE_SEEN | STORE_ANSWERED | STORE_FLAGGED | STORE_DELETED | STORE_DRAFT)

/* At most this many keywords per mailbox (bits of store_msg.keywords).
 * Dovecot's Maildir allows 26 (letters a-z); mbox more. */
#define STORE_MAX_KEYWORDS 64

/* What the view says about one message; stable until the next sync. */
struct store_msg {
	uint32_t uid;
	unsigned flags;		/* enum store_flag bits */
	uint64_t keywords;	/* bit i: store_mailbox_keyword_name(mb, i) */
	uint64_t size;		/* CRLF-counted, hidden headers excluded */
	int64_t internal_date;	/* seconds since the epoch, UTC */
};

/* A folder as LIST shows it. */
enum store_folder_attr {
	STORE_FOLDER_NOINFERIORS	= 1 << 0, /* mbox files: \NoInferiors */
	STORE_FOLDER_HASCHILDREN	= 1 << 1,
	STORE_FOLDER_HASNOCHILDREN	= 1 << 2,
	STORE_FOLDER_NOSELECT		= 1 << 3,
	STORE_FOLDER_MARKED		= 1 << 4, /* new mail since last look */
	STORE_FOLDER_UNMARKED		= 1 << 5,
	STORE_FOLDER_SUBSCRIBED		= 1 << 6,
};

struct store_folder {
	char *name;		/* "INBOX", "Old", "Lists/dovecot" ('/' separator) */
	unsigned attrs;		/* enum store_folder_attr bits */
};

/* A list of folders; free with store_folders_free(). */
struct store_folders {
	struct store_folder *v;
	size_t n;
};

enum store_open_mode {
	STORE_OPEN_RW,		/* SELECT, POP3: flag changes and expunges
				   allowed; takes \Recent (RFC 3501 2.3.2) */
	STORE_OPEN_RO,		/* EXAMINE, STATUS: no mail is changed; shows
				   \Recent but leaves it for the next RW open */
	STORE_OPEN_SAVE,	/* the target of APPEND or COPY: writes
				   allowed, \Recent left for the next RW open
				   (Dovecot's MAILBOX_FLAG_SAVEONLY) */
};

enum store_flag_op {
	STORE_FLAGS_REPLACE,	/* STORE FLAGS */
	STORE_FLAGS_ADD,	/* STORE +FLAGS */
	STORE_FLAGS_REMOVE,	/* STORE -FLAGS */
};

/*
 * What store_mailbox_sync() reports. Any callback may be NULL. The view is
 * updated step by step as the callbacks run: `expunged` gets the 0-based
 * index the message has at that moment (earlier expunges already applied,
 * ascending order, which is what "* n EXPUNGE" needs), `appended` gets the
 * new count after new messages were added at the end, `flags_changed` the
 * index of a message whose flags another session changed.
 */
struct store_sync_cb {
	void (*expunged)(void *ctx, size_t idx, uint32_t uid);
	void (*appended)(void *ctx, size_t new_count);
	void (*flags_changed)(void *ctx, size_t idx);
	void *ctx;
};

/* Per-message callback for store_mailbox_expunge(), same numbering. */
typedef void store_expunge_fn(void *ctx, size_t idx, uint32_t uid);

struct store_user;
struct store_mailbox;

/*
 * The backend: one table per format (store_mbox.c, store_maildir.c,
 * store_ram.c). Engines never call these directly; the store_* functions
 * below do, adding the checks common to all backends. A test may provide
 * its own table.
 */
struct store_ops {
	const char *name;	/* "mbox", "maildir", "ram" */
	void (*user_free)(struct store_user *u);
	int (*list)(struct store_user *u, struct store_folders *out,
		    struct err *e);
	int (*create)(struct store_user *u, const char *name, mtime_t now,
		      struct err *e);
	int (*delete)(struct store_user *u, const char *name, struct err *e);
	int (*rename)(struct store_user *u, const char *from, const char *to,
		      struct err *e);
	int (*subscribe)(struct store_user *u, const char *name, int on,
			 struct err *e);
	int (*open)(struct store_user *u, const char *name,
		    enum store_open_mode mode, mtime_t now,
		    struct store_mailbox **mb_out, struct err *e);
	void (*close)(struct store_mailbox *mb);
	int (*read)(struct store_mailbox *mb, size_t idx, struct buf *out,
		    struct err *e);
	int (*sync)(struct store_mailbox *mb, const struct store_sync_cb *cb,
		    mtime_t now, struct err *e);
	int (*expunge)(struct store_mailbox *mb, store_expunge_fn *fn,
		       void *ctx, mtime_t now, struct err *e);
	int (*append)(struct store_mailbox *mb, const void *data, size_t len,
		      unsigned flags, uint64_t keywords, int64_t date,
		      mtime_t now, uint32_t *uid_out, struct err *e);
};

/*
 * The common part of every mailbox; backends embed it first in their own
 * struct. Read-only for engines (use the functions below).
 */
struct store_mailbox {
	const struct store_ops *ops;
	struct store_user *user;	/* borrowed from the opener */
	char *name;			/* "INBOX" */
	enum store_open_mode mode;
	uint32_t uidvalidity;
	uint32_t uidnext;
	struct store_msg *msgs;		/* the view: msgs[0..count-1] */
	size_t count;
	char *keywords[STORE_MAX_KEYWORDS];	/* names, NULL-terminated */
	size_t nkeywords;
	int dirty;		/* some flags changed since the last sync;
				   backends compare with what they stored */
};

/* The common part of every user; backends embed it first. */
struct store_user {
	const struct store_ops *ops;
	char *username;		/* "alice" */
	char *home;		/* as passwd says: "/home/alice" */
	char *sysroot;		/* the host directory absolute paths live
				   under ("" for the real file system) */
	char *location;		/* mail_location as given */
	char *inbox_path;	/* resolved path of INBOX (mbox file or
				   Maildir), under sysroot */
	char *root_path;	/* resolved folder root (~/mail, ~/Maildir) */
	char *index_path;	/* where index files go (~/mail/.imap) */
	char *hostname;		/* for From_ lines of saved mail
				   ("alice@<hostname>"); "localhost" */
};

/*
 * Opens a user's storage from a Dovecot mail_location: "mbox:~/mail:
 * INBOX=/var/mail/%u", "maildir:~/Maildir", "ram:" (in memory, for
 * tests; every store_user_open("ram:") is a new empty store). %u is the
 * user name, %h and ~ the home. Absolute paths (home, INBOX=) are taken
 * under sysroot, so a lab host keeps /var/mail/alice in
 * ROOT/hosts/H/var/mail/alice. Nothing is created until it is needed
 * (Dovecot too creates ~/mail and the INBOX file on first open).
 * Returns NULL with e set for a location it cannot parse.
 */
struct store_user *store_user_open(const char *location, const char *user,
				   const char *home, const char *sysroot,
				   struct err *e);
void store_user_free(struct store_user **up);
/* The host's name, used where Dovecot writes my_hostname (the From_ line
 * of an IMAP APPEND, the mbox pseudo message). Copied. */
void store_user_set_hostname(struct store_user *u, const char *name);

/* Folders, INBOX first then by name. Free with store_folders_free(). */
int store_list(struct store_user *u, struct store_folders *out,
	       struct err *e);
void store_folders_free(struct store_folders *f);
/* Returns 1 when the folder exists (INBOX always does), 0 when not. */
int store_exists(struct store_user *u, const char *name);

/*
 * create/delete/rename return 0, or -1 with e set; e->errnum is EEXIST
 * for create/rename onto an existing folder, ENOENT for a missing one
 * (IMAP's [ALREADYEXISTS] and [NONEXISTENT]), EPERM for INBOX where the
 * action is not allowed (delete).
 */
int store_create(struct store_user *u, const char *name, mtime_t now,
		 struct err *e);
int store_delete(struct store_user *u, const char *name, struct err *e);
int store_rename(struct store_user *u, const char *from, const char *to,
		 struct err *e);
/* Adds (on != 0) or removes a name in the subscriptions file. */
int store_subscribe(struct store_user *u, const char *name, int on,
		    struct err *e);

/*
 * Opens a folder ("INBOX" case-insensitively). INBOX that does not exist
 * yet is created empty (POP3 04-empty-mailbox: "+OK 0 0" and an empty
 * /var/mail/bob appears); any other missing folder gives -1 with
 * e->errnum = ENOENT. The first open of a mailbox assigns UIDVALIDITY
 * (now, in seconds) and UIDs, and a RW open persists them (Dovecot
 * rewrites the mbox on its first visit, see docs/store.md). Messages
 * new since the last RW open carry \Recent; a RW open takes it (no
 * later view shows it), RO and SAVE opens leave it (EXAMINE shows
 * "* 2 RECENT" and the next SELECT still sees them, imap/01-session).
 */
int store_mailbox_open(struct store_user *u, const char *name,
		       enum store_open_mode mode, mtime_t now,
		       struct store_mailbox **mb_out, struct err *e);
/* Writes pending changes (store_mailbox_sync) and closes; *mbp = NULL.
 * An error while writing is lost (as at a client's disconnect). */
void store_mailbox_close(struct store_mailbox **mbp, mtime_t now);

size_t store_mailbox_count(const struct store_mailbox *mb);
/* Message idx (0-based) of the view; valid until the next sync/expunge. */
const struct store_msg *store_mailbox_msg(const struct store_mailbox *mb,
					  size_t idx);
/* 0-based index of a UID in the view, or -1. */
long store_mailbox_find_uid(const struct store_mailbox *mb, uint32_t uid);
uint32_t store_mailbox_uidvalidity(const struct store_mailbox *mb);
uint32_t store_mailbox_uidnext(const struct store_mailbox *mb);
int store_mailbox_readonly(const struct store_mailbox *mb);
const char *store_mailbox_name(const struct store_mailbox *mb);

/*
 * Appends message idx, as clients see it (CRLF, hidden headers left out),
 * to *out. 0, or -1 with e set (the file changed under us in a way the
 * lock should have prevented, or it cannot be read).
 */
int store_mailbox_read(struct store_mailbox *mb, size_t idx, struct buf *out,
		       struct err *e);

/*
 * Changes the flags of message idx in the view (RECENT in `flags` is
 * ignored). Nothing is written until sync/expunge/close. In a RO mailbox
 * this does nothing and returns 0 (IMAP: "Store ignored with read-only
 * mailbox"). Returns 1 when the flags changed, 0 when not.
 */
int store_mailbox_set_flags(struct store_mailbox *mb, size_t idx,
			    enum store_flag_op op, unsigned flags,
			    uint64_t keywords);

/* Keywords: the index of a name (case-insensitive, as IMAP atoms), -1 if
 * absent; create != 0 adds it (-1 when the mailbox has STORE_MAX_KEYWORDS
 * already). */
int store_mailbox_keyword(struct store_mailbox *mb, const char *name,
			  int create);
size_t store_mailbox_keyword_count(const struct store_mailbox *mb);
const char *store_mailbox_keyword_name(const struct store_mailbox *mb,
				       size_t i);

/*
 * Writes this view's flag changes, then looks at the storage: messages
 * expunged by someone else and new deliveries are reported through cb and
 * applied to the view (see struct store_sync_cb). cb may be NULL.
 */
int store_mailbox_sync(struct store_mailbox *mb,
		       const struct store_sync_cb *cb, mtime_t now,
		       struct err *e);

/*
 * Removes every message with \Deleted from the storage and the view;
 * fn (may be NULL) is called once per removed message, numbered as in
 * struct store_sync_cb. RO mailbox: -1 with e->errnum = EROFS.
 * mbox: the file is rewritten under the locks (docs/store.md).
 */
int store_mailbox_expunge(struct store_mailbox *mb, store_expunge_fn *fn,
			  void *ctx, mtime_t now, struct err *e);

/*
 * Adds a message to the end of the mailbox. data may have CRLF or LF line
 * ends (stored as LF, as Dovecot does). date: the internal date (seconds)
 * or -1 for now. The message is not part of the view until the next
 * sync (IMAP: EXISTS is sent then). *uid_out (may be NULL) gets its UID.
 */
int store_mailbox_append(struct store_mailbox *mb, const void *data,
			 size_t len, unsigned flags, uint64_t keywords,
			 int64_t date, mtime_t now, uint32_t *uid_out,
			 struct err *e);

/*
 * Copies message idx of `from` to the end of `to` with its flags
 * (without \Recent), keywords (by name) and internal date.
 */
int store_mailbox_copy(struct store_mailbox *from, size_t idx,
		       struct store_mailbox *to, mtime_t now,
		       uint32_t *uid_out, struct err *e);

/* Totals for POP3 STAT and the logout line: messages and CRLF octets. */
uint64_t store_mailbox_total_size(const struct store_mailbox *mb);

/* "\Seen", ...: the IMAP name of one flag bit, NULL for other bits. */
const char *store_flag_name(unsigned flag);

#endif
