/*
 * mime: the structure of one RFC 5322 message as IMAP sees it, parsed the
 * way Dovecot 2.3's lib-mail does (message-parser.c, message-part-data.c,
 * message-address.c): header fields with folding (RFC 5322 2.2.3), MIME
 * parts (RFC 2045/2046: multipart with boundaries, nested message/rfc822,
 * multipart/digest defaults), Content-* data (RFC 2045, 2183 disposition,
 * 3066 language, 2557 location, 1864 md5, 2231 parameter continuations),
 * and the ENVELOPE of every (sub)message (RFC 3501 7.4.2) with address
 * lists parsed into (name adl mailbox host) and groups.
 *
 * Sizes and line counts are what IMAP reports: every bare LF counts as
 * CRLF ("virtual" size), so an mbox message stored with LF line ends
 * gives the RFC822.SIZE a client sees (reference/transcripts/imap/
 * 01-session.txt: 518 octets for 480 header + 38 body bytes).
 *
 * The parser never fails: malformed input is parsed as far as it goes
 * (a missing blank line = all header; a multipart without boundary lines
 * has no children; too deep nesting stops at MIME_MAX_DEPTH). It keeps
 * offsets into the caller's bytes, which must outlive the struct
 * mime_msg. Writing IMAP syntax (BODYSTRUCTURE, ENVELOPE, section bytes)
 * is in mime_imap.c and mime_sect.c; the RFC 822 tokenizer in
 * mime_rfc822.c; decoding base64/quoted-printable
 * in mime_decode.c. Mailbox storage is store.h's business.
 */
#ifndef MAILLAB_MIME_H
#define MAILLAB_MIME_H

#include <stddef.h>

#include "lib/buf.h"

/* Dovecot's message_max_nested? limits (lib-mail/message-parser.h). */
#define MIME_MAX_DEPTH 100
#define MIME_MAX_PARTS 10000

enum mime_part_flags {
	MIME_PART_MULTIPART = 1 << 0,	/* multipart/... with a boundary */
	MIME_PART_RFC822 = 1 << 1,	/* message/rfc822: one child message */
	MIME_PART_TEXT = 1 << 2,	/* text/... or no Content-Type */
};

/* One header field. Offsets index the message bytes. */
struct mime_hdr {
	char *name;		/* as written, trailing WSP removed */
	char *value;		/* after ':' and WSP; folds kept as "\n" +
				   the continuation line (Dovecot's
				   full_value), CRs dropped */
	size_t off;		/* first byte of the field */
	size_t len;		/* the raw lines, line ends included */
};

struct mime_param {
	char *name;
	char *value;
};

/* An address, or a group marker (RFC 3501 7.4.2: a group start has
 * host NULL and mailbox = the group name, a group end all NULL). */
struct mime_addr {
	char *name, *route, *mailbox, *host;
	struct mime_addr *next;
};

struct mime_envelope {
	char *date, *subject, *message_id, *in_reply_to;	/* raw values */
	struct mime_addr *from, *sender, *reply_to, *to, *cc, *bcc;
};

struct mime_part {
	struct mime_part *parent, *next, *children;
	unsigned flags;			/* enum mime_part_flags */

	size_t hdr_off, hdr_size;	/* physical bytes, blank line incl. */
	size_t body_off, body_size;
	size_t hdr_vsize, body_vsize;	/* bare LF counted as CRLF */
	unsigned hdr_lines, body_lines;	/* LF count */

	struct mime_hdr *hdrs;
	size_t nhdrs;

	/* Content-* (first occurrence wins, as in Dovecot) */
	char *type, *subtype;		/* NULL: no (usable) Content-Type */
	struct mime_param *params;
	size_t nparams;
	char *id, *description, *encoding, *md5, *location;
	char *disposition;
	struct mime_param *dparams;
	size_t ndparams;
	char **language;		/* NULL or NULL-terminated */

	/* The ENVELOPE: set on the root and on the child of every
	 * message/rfc822 part (the encapsulated message). */
	struct mime_envelope *env;
};

struct mime_msg {
	const char *data;	/* borrowed from the caller */
	size_t len;
	struct mime_part *root;
	size_t nparts;
};

/* Parses len bytes (LF or CRLF line ends). Never fails; the result
 * borrows data until mime_free(). */
struct mime_msg *mime_parse(const char *data, size_t len);
void mime_free(struct mime_msg **mp);

/* Parses a header block alone (e.g. for SEARCH HEADER on a stored
 * header): the same rules as inside mime_parse. Returns the number of
 * fields; *out is an array the caller frees with mime_hdrs_free(). */
size_t mime_parse_headers(const char *data, size_t len,
			  struct mime_hdr **out);
void mime_hdrs_free(struct mime_hdr *h, size_t n);

/* The first field of that name (case-insensitive) in a part, or NULL. */
const struct mime_hdr *mime_part_header(const struct mime_part *p,
					const char *name);

/* Bytes src[0..n) with every bare LF as CRLF, appended to out. */
void mime_crlf_add(struct buf *out, const char *src, size_t n);
/* The CRLF-counted size and the LF count of src[0..n). */
size_t mime_crlf_size(const char *src, size_t n, unsigned *lines_out);

/* --- mime_addr.c ------------------------------------------------------ */

/* Parses an RFC 5322 address-list (with groups, comments, obsolete
 * routes) as Dovecot's message_address_parse(..., FILL_MISSING): never
 * NULL for non-blank input; missing parts read "MISSING_MAILBOX" /
 * "MISSING_DOMAIN". Blank input gives NULL. */
struct mime_addr *mime_addr_parse(const char *s, size_t len);
void mime_addr_free(struct mime_addr *a);
void mime_envelope_free(struct mime_envelope *e);


/* --- mime_rfc822.c: Dovecot's rfc822-parser.c ------------------------- */

/* A cursor over a header value. */
struct mime_rfc822 {
	const unsigned char *data, *end;
	struct buf *last_comment;	/* NULL, or gets each comment's text */
};

void mime_rfc822_init(struct mime_rfc822 *p, const char *s, size_t len);
/* Skips whitespace (CR, LF included) and comments. 1: more data,
 * 0: at the end, -1: unterminated comment. */
int mime_rfc822_skip_lwsp(struct mime_rfc822 *p);
/* The parsers below append to out and return 1 (more data after the
 * token and its trailing CFWS), 0 (token ran to the end) or -1. */
int mime_rfc822_atom(struct mime_rfc822 *p, struct buf *out);
int mime_rfc822_dot_atom(struct mime_rfc822 *p, struct buf *out);
int mime_rfc822_quoted(struct mime_rfc822 *p, struct buf *out);
int mime_rfc822_phrase(struct mime_rfc822 *p, struct buf *out);
int mime_rfc822_domain(struct mime_rfc822 *p, struct buf *out);
int mime_rfc822_mime_token(struct mime_rfc822 *p, struct buf *out);
/* "type/subtype" into out; -1 (with what was read in out) if broken. */
int mime_rfc822_content_type(struct mime_rfc822 *p, struct buf *out);
/* The ";name=value" list after a Content-Type or -Disposition value,
 * RFC 2231 continuations joined (name*0, name*1* ...). */
void mime_rfc822_params(struct mime_rfc822 *p, struct mime_param **out,
			size_t *n_out);
void mime_params_free(struct mime_param *v, size_t n);

/* --- mime_imap.c ------------------------------------------------------ */

/* IMAP strings as Dovecot's imap-quote.c writes them: quoted with \\ and
 * \" escapes, or a {n} literal when 8-bit bytes or CR/LF are present. */
void mime_imap_string(struct buf *out, const char *s);
/* NIL for NULL; CR and LF removed first (imap_append_nstring_nolf). */
void mime_imap_nstring_nolf(struct buf *out, const char *s);
/* imap_append_string_for_humans: whitespace runs collapse to one space,
 * ends trimmed, NUL -> 0x80; a literal when anything changed. */
void mime_imap_string_for_humans(struct buf *out, const char *s, size_t n);
/* An astring: an atom when possible, else as mime_imap_string. */
void mime_imap_astring(struct buf *out, const char *s);

/* The ENVELOPE of p (which must carry env), without parentheses. */
void mime_imap_envelope(struct buf *out, const struct mime_part *p);
/* BODYSTRUCTURE (extended) or BODY, without the outer parentheses. */
void mime_imap_bodystructure(struct buf *out, const struct mime_part *p,
			     int extended);

/* --- mime_section.c --------------------------------------------------- */

enum mime_sect_kind {
	MIME_SECT_ALL,		/* BODY[] or BODY[1.2]: whole / part body */
	MIME_SECT_HEADER,	/* HEADER */
	MIME_SECT_FIELDS,	/* HEADER.FIELDS (...) */
	MIME_SECT_FIELDS_NOT,	/* HEADER.FIELDS.NOT (...) */
	MIME_SECT_TEXT,		/* TEXT */
	MIME_SECT_MIME,		/* MIME (needs a part number) */
};

/* A parsed section-spec of RFC 3501 6.4.5 "BODY[<section>]". */
struct mime_sect {
	unsigned *path;		/* part numbers, all >= 1 */
	size_t npath;
	enum mime_sect_kind kind;
	char **fields;		/* HEADER.FIELDS names, upper-cased */
	size_t nfields;
};

/*
 * Parses the text between '[' and ']' ("1.2.HEADER.FIELDS (FROM TO)").
 * Field names may be atoms or quoted strings. Returns 0, or -1 when the
 * spec is invalid (the caller answers BAD). Free with mime_sect_reset().
 */
int mime_sect_parse(const char *spec, size_t len, struct mime_sect *out);
void mime_sect_reset(struct mime_sect *s);
/* The canonical label Dovecot echoes: "1.HEADER.FIELDS (FROM TO)". */
void mime_sect_label(struct buf *out, const struct mime_sect *s);

/* The part addressed by the path (imap-msgpart.c's rules), or NULL. */
const struct mime_part *mime_sect_find(const struct mime_msg *m,
				       const unsigned *path, size_t npath);

/*
 * Appends the section's bytes, CRLF line ends, to out. A part that does
 * not exist gives no bytes (Dovecot answers an empty literal).
 */
void mime_sect_get(const struct mime_msg *m, const struct mime_sect *s,
		   struct buf *out);

/* --- mime_decode.c ---------------------------------------------------- */

/*
 * Decodes a Content-Transfer-Encoding: base64, quoted-printable, 7bit,
 * 8bit, binary (case-insensitive; NULL = 7bit). Returns 0, or -1 for an
 * unknown encoding (IMAP BINARY's [UNKNOWN-CTE]). Broken input decodes
 * as far as it goes.
 */
int mime_decode(const char *enc, const char *src, size_t n, struct buf *out);

/* Converts n bytes from charset to UTF-8 with iconv(3); an unknown
 * charset leaves the bytes as they are and returns -1. */
int mime_decode_charset(const char *charset, const char *src, size_t n,
			struct buf *out);

/*
 * RFC 2047 encoded-words in a header value decoded to UTF-8 (only
 * us-ascii, utf-8 and iso-8859-1 charsets are converted; others are
 * kept as raw bytes). Used by SEARCH, not by ENVELOPE (Dovecot sends
 * envelope strings undecoded).
 */
void mime_decode_words(const char *src, size_t n, struct buf *out);

#endif
