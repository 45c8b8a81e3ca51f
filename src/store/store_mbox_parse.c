/*
 * store_mbox_parse: reads an mbox the way Dovecot 2.3 does.
 *
 * A message starts at a "From " line that follows an empty line (or opens
 * the file) and carries a date; it ends before that empty line. The empty
 * line is the separator, not part of the message. Content-Length is not
 * trusted (Postfix never writes it; Dovecot only uses it as a hint), and
 * ">From " lines are shown as stored: Dovecot does not unquote them.
 *
 * Dovecot's own headers carry the state: X-IMAPbase (first message only:
 * UIDVALIDITY, the last UID given, the keyword names), X-UID, Status (R =
 * \Seen, O = no longer \Recent), X-Status (A F T D = \Answered \Flagged
 * \Draft \Deleted), X-Keywords. The UID rules are Dovecot's
 * (mbox-sync-parse.c): an X-UID counts only if it grows and is not above
 * the next UID X-IMAPbase allows, so a hostile X-UID in incoming mail
 * cannot eat the UID space; a message without a usable X-UID gets the next
 * UID and is marked for rewriting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store_mbox_int.h"

/* Dovecot's mbox_hide_headers (mbox-storage.c), sorted. */
static const char *const hidden_headers[] = {
	"Content-Length", "Status", "X-IMAP", "X-IMAPbase", "X-Keywords",
	"X-Status", "X-UID",
};

int store_mbox_parse_is_hidden(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(hidden_headers); i++)
		if (strlen(hidden_headers[i]) == len &&
		    strncasecmp(hidden_headers[i], name, len) == 0)
			return 1;
	return 0;
}

int store_mbox_parse_name_is(const struct mbox_hdr *h, const char *name)
{
	return strlen(name) == h->name_len &&
	       strncasecmp(name, h->name, h->name_len) == 0;
}

static size_t line_end(const char *p, size_t len, size_t pos)
{
	const char *nl = memchr(p + pos, '\n', len - pos);

	return nl != NULL ? (size_t)(nl - p) + 1 : len;
}

int store_mbox_parse_next_header(const char *p, size_t len, size_t *pos,
				 struct mbox_hdr *h, size_t *eoh_out)
{
	size_t s = *pos, e, colon, v;

	for (;;) {
		if (s >= len) {
			*eoh_out = len;
			return 0;
		}
		/* An empty line (LF or CRLF) ends the header. */
		if (p[s] == '\n' || (p[s] == '\r' && s + 1 < len &&
				     p[s + 1] == '\n')) {
			*eoh_out = s + (p[s] == '\r' ? 2 : 1);
			return 0;
		}
		e = line_end(p, len, s);
		/* A stray continuation line at the start, or a line without
		 * a colon: kept as an "unnamed" header so nothing is lost. */
		for (colon = s; colon < e && p[colon] != ':' &&
		     p[colon] != '\n'; colon++)
			;
		break;
	}
	/* Continuation lines start with white space. */
	while (e < len && (p[e] == ' ' || p[e] == '\t'))
		e = line_end(p, len, e);
	h->line = p + s;
	h->line_len = e - s;
	if (colon >= e || p[colon] != ':') {
		h->name = p + s;
		h->name_len = 0;
		h->value = p + s;
		h->value_len = 0;
	} else {
		h->name = p + s;
		h->name_len = colon - s;
		/* Dovecot's "middle": the colon and the blanks after it. */
		for (v = colon + 1; v < e && (p[v] == ' ' || p[v] == '\t'); v++)
			;
		h->value = p + v;
		h->value_len = e - v;
		if (h->value_len > 0 && h->value[h->value_len - 1] == '\n')
			h->value_len--;
		if (h->value_len > 0 && h->value[h->value_len - 1] == '\r')
			h->value_len--;
	}
	*pos = e;
	return 1;
}

void store_mbox_parse_filter_header(struct buf *out, const char *p,
				    size_t len)
{
	struct mbox_hdr h;
	size_t pos = 0, eoh;

	while (store_mbox_parse_next_header(p, len, &pos, &h, &eoh))
		if (!store_mbox_parse_is_hidden(h.name, h.name_len))
			store_add_crlf(out, h.line, h.line_len);
	/* The empty line, if the header had one. */
	if (eoh > pos)
		store_add_crlf(out, p + pos, eoh - pos);
}

static const char *const wdays[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int month_of(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (strncmp(s, months[i], 3) == 0)
			return i;
	return -1;
}

static int is_wday(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(wdays); i++)
		if (strncmp(s, wdays[i], 3) == 0)
			return 1;
	return 0;
}

/*
 * "From sender  Www Mmm dd hh:mm:ss yyyy" (ctime(3) style, what Postfix,
 * mailutils and Dovecot write). The sender may contain spaces when quoted,
 * so the date is found by its shape: a weekday, a month, a day.
 */
int64_t store_mbox_parse_from_time(const char *line, size_t len)
{
	char buf[256];
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	char *p;

	if (len < 5 || memcmp(line, "From ", 5) != 0)
		return -1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	for (p = buf + 5; *p != '\0'; p++) {
		struct tm tm;
		int day, hh, mm, ss = 0, year, mon, used = 0;

		if (p[-1] != ' ' || !is_wday(p) || p[3] != ' ')
			continue;
		mon = month_of(p + 4);
		if (mon < 0 || p[7] != ' ')
			continue;
		if (sscanf(p + 8, "%d %d:%d:%d %d%n", &day, &hh, &mm, &ss,
			   &year, &used) != 5) {
			/* Some writers leave out the seconds. */
			if (sscanf(p + 8, "%d %d:%d %d%n", &day, &hh, &mm,
				   &year, &used) != 4)
				continue;
			ss = 0;
		}
		if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 ||
		    year < 1970)
			continue;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = year - 1900;
		tm.tm_mon = mon;
		tm.tm_mday = day;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		/* The lab's hosts run in UTC, as the reference machine did. */
		return (int64_t)timegm(&tm);
	}
	return -1;
}

/* A From_ line starts at `pos` (a line start) and carries a date. */
static int is_from_line(const char *p, size_t len, size_t pos)
{
	size_t e;

	if (len - pos < 5 || memcmp(p + pos, "From ", 5) != 0)
		return 0;
	e = line_end(p, len, pos);
	return store_mbox_parse_from_time(p + pos, e - pos) >= 0;
}

/* Where the next message starts: the From_ after an empty line. */
static size_t find_next_from(const char *p, size_t len, size_t pos,
			     size_t *end_out)
{
	while (pos < len) {
		const char *q = memmem(p + pos, len - pos, "\n\nFrom ", 7);
		size_t at;

		if (q == NULL)
			break;
		at = (size_t)(q - p);
		if (is_from_line(p, len, at + 2)) {
			*end_out = at + 1;
			return at + 2;
		}
		pos = at + 1;
	}
	/* The last message: the file ends with the separator's LF. */
	if (len >= 2 && p[len - 1] == '\n' && p[len - 2] == '\n')
		*end_out = len - 1;
	else
		*end_out = len;
	return len;
}

static unsigned status_flags(const char *v, size_t n, int xstatus,
			     unsigned char *had_o)
{
	unsigned f = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (v[i]) {
		case 'R': if (!xstatus) f |= STORE_SEEN; break;
		case 'O': if (!xstatus) *had_o = 1; break;
		case 'A': if (xstatus) f |= STORE_ANSWERED; break;
		case 'F': if (xstatus) f |= STORE_FLAGGED; break;
		case 'T': if (xstatus) f |= STORE_DRAFT; break;
		case 'D': if (xstatus) f |= STORE_DELETED; break;
		default: break;
		}
	}
	return f;
}

static uint32_t parse_u32(const char *v, size_t n, size_t *used)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		x = x * 10 + (uint64_t)(v[i] - '0');
		if (x > 0xffffffffu)
			x = 0xffffffffu;
	}
	*used = i;
	return (uint32_t)x;
}

static int all_blank(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n')
			return 0;
	return 1;
}

/* "X-IMAPbase: <uidvalidity> <uid-last> [keyword ...]" */
static int parse_imapbase(struct mbox_mailbox *mb, const struct mbox_hdr *h,
			  uint64_t value_off)
{
	const char *v = h->value;
	size_t n = h->value_len, used, i, j;
	uint32_t validity, last;

	validity = parse_u32(v, n, &used);
	if (validity == 0 || used == n || v[used] != ' ')
		return 0;
	for (i = used; i < n && (v[i] == ' ' || v[i] == '\t'); i++)
		;
	last = parse_u32(v + i, n - i, &used);
	if (used == 0)
		return 0;
	mb->st.uidvalidity = validity;
	mb->st.uidlast = last;
	mb->st.nkw_file = 0;
	/* Dovecot rewrites uid-last in place only when it has 10 digits. */
	mb->st.imapbase_ok = used == 10;
	mb->st.uidlast_off = used == 10 ? value_off + i : 0;
	if (mb->st.next_uid <= last)
		mb->st.next_uid = last + 1;
	/* The mailbox's keyword names, in order. */
	for (i += used; i < n;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' ||
				 v[i] == '\r'))
			i++;
		for (j = i; j < n && v[j] != ' ' && v[j] != '\t' &&
		     v[j] != '\n' && v[j] != '\r'; j++)
			;
		if (j > i) {
			char *kw = xstrndup(v + i, j - i);

			(void)store_mailbox_keyword(&mb->base, kw, 1);
			free(kw);
			mb->st.nkw_file++;
		}
		i = j;
	}
	return 1;
}

/* X-Keywords: names must be in X-IMAPbase's list (Dovecot: else the
 * header came with the mail from outside and is dropped). */
static int parse_keywords(struct mbox_mailbox *mb, const struct mbox_hdr *h,
			  uint64_t *kw_out)
{
	const char *v = h->value;
	size_t n = h->value_len, i = 0, j;
	uint64_t kw = 0;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' ||
				 v[i] == '\r'))
			i++;
		for (j = i; j < n && v[j] != ' ' && v[j] != '\t' &&
		     v[j] != '\n' && v[j] != '\r'; j++)
			;
		if (j > i) {
			char *name = xstrndup(v + i, j - i);
			int k = store_mailbox_keyword(&mb->base, name, 0);

			free(name);
			if (k < 0)
				return 0;
			kw |= (uint64_t)1 << k;
		}
		i = j;
	}
	*kw_out = kw;
	return 1;
}

/*
 * The header of one message: flags, UID, the size clients see. seq1: this
 * is the file's first message. Returns 1 for an X-IMAP pseudo message.
 */
static int parse_header(struct mbox_mailbox *mb, struct mbox_rec *r,
			const char *p, size_t len, uint64_t base, int seq1,
			uint32_t *prev_uid)
{
	struct mbox_hdr h;
	size_t pos = 0, eoh;
	int seen_imapbase = 0, pseudo = 0, have_uid = 0;
	uint64_t visible = 0;

	while (store_mbox_parse_next_header(p, len, &pos, &h, &eoh)) {
		uint64_t voff = base + (uint64_t)(h.value - p);

		if (!store_mbox_parse_is_hidden(h.name, h.name_len)) {
			visible += store_crlf_size(h.line, h.line_len);
			continue;
		}
		if (store_mbox_parse_name_is(&h, "Status")) {
			r->flags |= status_flags(h.value, h.value_len, 0,
						 &r->had_o);
		} else if (store_mbox_parse_name_is(&h, "X-Status")) {
			r->flags |= status_flags(h.value, h.value_len, 1,
						 &r->had_o);
		} else if (store_mbox_parse_name_is(&h, "X-IMAPbase") ||
			   store_mbox_parse_name_is(&h, "X-IMAP")) {
			if (!seq1 || seen_imapbase ||
			    !parse_imapbase(mb, &h, voff)) {
				r->needs_write = 1;
				continue;
			}
			seen_imapbase = 1;
			pseudo = store_mbox_parse_name_is(&h, "X-IMAP");
		} else if (store_mbox_parse_name_is(&h, "X-Keywords")) {
			uint64_t kw;

			if (parse_keywords(mb, &h, &kw))
				r->kw |= kw;
			else
				r->needs_write = 1;
		} else if (store_mbox_parse_name_is(&h, "X-UID")) {
			size_t used;
			uint32_t v = parse_u32(h.value, h.value_len, &used);

			if (have_uid || used == 0 ||
			    !all_blank(h.value + used, h.value_len - used) ||
			    (seq1 && !seen_imapbase) || v <= *prev_uid ||
			    v > mb->st.next_uid) {
				r->needs_write = 1;
				continue;
			}
			if (v == mb->st.next_uid)
				mb->st.next_uid++;
			r->uid = v;
			have_uid = 1;
		}
	}
	if (seq1 && !seen_imapbase)
		r->needs_write = 1;
	if (eoh > pos)
		visible += store_crlf_size(p + pos, eoh - pos);
	r->body_off = base + eoh;
	r->size = visible;
	if (r->uid != 0)
		*prev_uid = r->uid;
	return pseudo;
}

void store_mbox_parse_push(struct mbox_mailbox *mb, const struct mbox_rec *r)
{
	store_mbox_index_recs_own(mb);
	if (mb->nrecs == mb->recs_cap) {
		mb->recs_cap = mb->recs_cap < 64 ? 64 : mb->recs_cap * 2;
		mb->recs = xrealloc(mb->recs, mb->recs_cap * sizeof(*r));
	}
	mb->recs[mb->nrecs++] = *r;
}

/*
 * Where the last message of the window [0, len) starts: the "From " of
 * its last "\n\nFrom " whose line is complete and a real From_ line; 0
 * when there is none (one message fills the window).
 */
static size_t last_from(const char *p, size_t len)
{
	size_t i = len;

	while (i >= 7) {
		const char *q = memrchr(p, '\n', i - 1);
		size_t at;

		if (q == NULL)
			break;
		at = (size_t)(q - p);	/* an LF; is it "\n\nFrom "? */
		i = at + 1;
		if (at == 0 || p[at - 1] != '\n' || len - at < 7 ||
		    memcmp(p + at + 1, "From ", 5) != 0)
			continue;
		if (memchr(p + at + 1, '\n', len - at - 1) != NULL &&
		    is_from_line(p, len, at + 1))
			return at + 1;
	}
	return 0;
}

int store_mbox_parse_fd(struct mbox_mailbox *mb, int fd, uint64_t start,
			uint64_t end, struct err *e)
{
	size_t cap = STORE_MBOX_WINDOW, len = 0;
	char *buf = xmalloc(cap + 1);
	uint64_t off = start;	/* file offset of buf[0] */
	int rc = 0;

	/* An empty file still starts the UIDs at 1. */
	if (start >= end)
		store_mbox_parse(mb, "", 0, start);
	while (off + len < end || len > 0) {
		size_t want = cap - len, got = 0, cut;
		int at_end;

		if (want > end - off - len)
			want = (size_t)(end - off - len);
		while (got < want) {
			ssize_t n = pread(fd, buf + len + got, want - got,
					  (off_t)(off + len + got));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				rc = err_set(e, errno, "read() failed: %s",
					     strerror(errno));
				goto out;
			}
			if (n == 0)
				break;
			got += (size_t)n;
		}
		len += got;
		buf[len] = '\0';
		/* The file ends here (or shrank under us: what is there). */
		at_end = off + len >= end || got < want;
		cut = at_end ? len : last_from(buf, len);
		if (cut == 0) {
			/* One message larger than the window: widen it. */
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
			continue;
		}
		/* A window that ends with "\n\n" before the next From_ line
		 * parses as the file would: the LF is the separator. */
		store_mbox_parse(mb, buf, cut, off);
		if (at_end)
			break;
		memmove(buf, buf + cut, len - cut);
		len -= cut;
		off += cut;
	}
out:
	free(buf);
	return rc;
}

void store_mbox_parse(struct mbox_mailbox *mb, const char *data, size_t len,
		      uint64_t start)
{
	size_t pos = 0;
	uint32_t prev_uid = mb->nrecs > 0 ? mb->recs[mb->nrecs - 1].uid : 0;
	size_t first_new = mb->nrecs;
	size_t i;

	if (mb->st.next_uid == 0)
		mb->st.next_uid = 1;
	/* Garbage before the first From_ line is skipped (Dovecot calls such
	 * a file invalid; a lab file is better shown than refused). */
	while (pos < len && len - pos >= 5 &&
	       memcmp(data + pos, "From ", 5) != 0) {
		const char *nl = memchr(data + pos, '\n', len - pos);

		pos = nl != NULL ? (size_t)(nl - data) + 1 : len;
	}
	if (len - pos < 5)
		pos = len;
	while (pos < len) {
		struct mbox_rec r;
		size_t hdr = line_end(data, len, pos), end, next;
		int seq1 = start == 0 && pos == 0 ? 1 : 0;

		/* Only the file's very first message may carry X-IMAPbase;
		 * an incremental parse never starts there. */
		seq1 = seq1 && mb->nrecs == 0 && !mb->st.has_pseudo;
		memset(&r, 0, sizeof(r));
		next = find_next_from(data, len, hdr, &end);
		r.from_off = start + pos;
		r.hdr_off = start + hdr;
		r.end_off = start + end;
		r.date = store_mbox_parse_from_time(data + pos, hdr - pos);
		if (parse_header(mb, &r, data + hdr, end - hdr, start + hdr,
				 seq1, &prev_uid)) {
			mb->st.has_pseudo = 1;
			r.uid = 0;
			mb->st.pseudo = r;
			pos = next;
			continue;
		}
		r.body_size = r.end_off - r.body_off;
		r.size += store_crlf_size(data + (r.body_off - start),
					  (size_t)r.body_size);
		r.want_flags = r.flags;
		store_mbox_parse_push(mb, &r);
		pos = next;
	}
	/* UIDs for messages without a usable X-UID, in file order. A UID
	 * found after one that was missing is renumbered too: UIDs must
	 * grow with the position in the file. */
	for (i = first_new; i < mb->nrecs; i++) {
		struct mbox_rec *r = &mb->recs[i];
		uint32_t before = i > 0 ? mb->recs[i - 1].uid : 0;

		if (r->uid == 0 || r->uid <= before) {
			r->uid = mb->st.next_uid++;
			r->needs_write = 1;
		}
		r->want_kw = r->kw;
	}
}
