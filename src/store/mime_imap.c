/*
 * IMAP syntax for what mime.c parsed, byte for byte as Dovecot 2.3
 * writes it: lib-imap/imap-quote.c (strings), imap-envelope.c (RFC 3501
 * 7.4.2 ENVELOPE) and imap-bodystructure.c (BODY and BODYSTRUCTURE with
 * the md5, disposition, language and location extension data). Checked
 * against reference/transcripts/imap/01-session.txt a11:
 *   ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 38 3 NIL NIL NIL NIL)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "store/mime.h"

static void imap_literal(struct buf *out, const char *s, size_t n)
{
	buf_addf(out, "{%zu}\r\n", n);
	buf_add(out, s, n);
}

static void imap_quoted(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n' || (unsigned char)*s >= 0x80)
			continue;
		if (*s == '"' || *s == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *s);
	}
	buf_addc(out, '"');
}

void mime_imap_string(struct buf *out, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80 || *p == '\r' || *p == '\n') {
			imap_literal(out, s, strlen(s));
			return;
		}
	}
	imap_quoted(out, s);
}

void mime_imap_nstring_nolf(struct buf *out, const char *s)
{
	struct buf t;

	if (s == NULL) {
		buf_adds(out, "NIL");
		return;
	}
	if (strpbrk(s, "\r\n") == NULL) {
		mime_imap_string(out, s);
		return;
	}
	buf_init(&t);
	buf_adds(&t, "");
	for (; *s != '\0'; s++)
		if (*s != '\r' && *s != '\n')
			buf_addc(&t, *s);
	mime_imap_string(out, t.data);
	buf_reset(&t);
}

void mime_imap_string_for_humans(struct buf *out, const char *s, size_t n)
{
	struct buf t;
	size_t i;
	int modify = 0, last_lwsp = 1;

	buf_init(&t);
	buf_adds(&t, "");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case 0:
			buf_addc(&t, (char)0x80);
			modify = 1;
			last_lwsp = 0;
			break;
		case '\r':
		case '\n':
		case '\t':
		case ' ':
			if (c != ' ' || last_lwsp)
				modify = 1;
			if (!last_lwsp)
				buf_addc(&t, ' ');
			last_lwsp = 1;
			break;
		case '"':
		case '\\':
			modify = 1;
			last_lwsp = 0;
			buf_addc(&t, (char)c);
			break;
		default:
			if (c >= 0x80)
				modify = 1;
			last_lwsp = 0;
			buf_addc(&t, (char)c);
			break;
		}
	}
	if (last_lwsp && t.len > 0) {
		/* trailing whitespace goes */
		t.len--;
		t.data[t.len] = '\0';
		modify = 1;
	}
	if (!modify) {
		buf_addc(out, '"');
		buf_add(out, s, n);
		buf_addc(out, '"');
	} else if (t.len == 0) {
		buf_adds(out, "\"\"");
	} else {
		imap_literal(out, t.data, t.len);
	}
	buf_reset(&t);
}

/* RFC 3501 9: ATOM-CHAR, and ']' (ASTRING-CHAR). */
static int is_astring_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("(){%*\"\\", c) == NULL;
}

void mime_imap_astring(struct buf *out, const char *s)
{
	const char *p;

	if (*s == '\0' || strcasecmp(s, "NIL") == 0) {
		mime_imap_string(out, s);
		return;
	}
	for (p = s; *p != '\0'; p++)
		if (!is_astring_char((unsigned char)*p))
			break;
	if (*p == '\0')
		buf_adds(out, s);
	else
		mime_imap_string(out, s);
}

static void write_addrs(struct buf *out, const struct mime_addr *a)
{
	if (a == NULL) {
		buf_adds(out, "NIL");
		return;
	}
	buf_addc(out, '(');
	for (; a != NULL; a = a->next) {
		buf_addc(out, '(');
		mime_imap_nstring_nolf(out, a->name);
		buf_addc(out, ' ');
		mime_imap_nstring_nolf(out, a->route);
		buf_addc(out, ' ');
		mime_imap_nstring_nolf(out, a->mailbox);
		buf_addc(out, ' ');
		mime_imap_nstring_nolf(out, a->host);
		buf_addc(out, ')');
	}
	buf_addc(out, ')');
}

void mime_imap_envelope(struct buf *out, const struct mime_part *p)
{
	const struct mime_envelope *e = p->env;

	if (e == NULL) {
		buf_adds(out, "NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL");
		return;
	}
	mime_imap_nstring_nolf(out, e->date);
	buf_addc(out, ' ');
	if (e->subject == NULL)
		buf_adds(out, "NIL");
	else
		mime_imap_string_for_humans(out, e->subject,
					    strlen(e->subject));
	buf_addc(out, ' ');
	write_addrs(out, e->from);
	buf_addc(out, ' ');
	/* RFC 3501 7.4.2: sender and reply-to default to from */
	write_addrs(out, e->sender != NULL ? e->sender : e->from);
	buf_addc(out, ' ');
	write_addrs(out, e->reply_to != NULL ? e->reply_to : e->from);
	buf_addc(out, ' ');
	write_addrs(out, e->to);
	buf_addc(out, ' ');
	write_addrs(out, e->cc);
	buf_addc(out, ' ');
	write_addrs(out, e->bcc);
	buf_addc(out, ' ');
	mime_imap_nstring_nolf(out, e->in_reply_to);
	buf_addc(out, ' ');
	mime_imap_nstring_nolf(out, e->message_id);
}

/* imap-bodystructure.c params_write(): text parts always show a charset. */
static void write_params(struct buf *out, const struct mime_param *v,
			 size_t n, int default_charset)
{
	size_t i;
	int seen_charset = 0;

	if (!default_charset && n == 0) {
		buf_adds(out, "NIL");
		return;
	}
	buf_addc(out, '(');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ' ');
		if (default_charset && strcasecmp(v[i].name, "charset") == 0)
			seen_charset = 1;
		mime_imap_string(out, v[i].name);
		buf_addc(out, ' ');
		mime_imap_string(out, v[i].value);
	}
	if (default_charset && !seen_charset) {
		if (i > 0)
			buf_addc(out, ' ');
		buf_adds(out, "\"charset\" \"us-ascii\"");
	}
	buf_addc(out, ')');
}

static void write_common_ext(struct buf *out, const struct mime_part *p)
{
	size_t i;

	buf_addc(out, ' ');
	if (p->disposition == NULL) {
		buf_adds(out, "NIL");
	} else {
		buf_addc(out, '(');
		mime_imap_string(out, p->disposition);
		buf_addc(out, ' ');
		write_params(out, p->dparams, p->ndparams, 0);
		buf_addc(out, ')');
	}
	buf_addc(out, ' ');
	if (p->language == NULL || p->language[0] == NULL) {
		buf_adds(out, "NIL");
	} else {
		buf_addc(out, '(');
		for (i = 0; p->language[i] != NULL; i++) {
			if (i > 0)
				buf_addc(out, ' ');
			mime_imap_string(out, p->language[i]);
		}
		buf_addc(out, ')');
	}
	buf_addc(out, ' ');
	mime_imap_nstring_nolf(out, p->location);
}

static void write_siblings(struct buf *out, const struct mime_part *p,
			   int extended)
{
	for (; p != NULL; p = p->next) {
		buf_addc(out, '(');
		mime_imap_bodystructure(out, p, extended);
		buf_addc(out, ')');
	}
}

static void write_body(struct buf *out, const struct mime_part *p,
		       int extended)
{
	int text;

	if ((p->flags & MIME_PART_RFC822) != 0) {
		buf_adds(out, "\"message\" \"rfc822\"");
		text = 0;
	} else if (p->type == NULL) {
		buf_adds(out, "\"text\" \"plain\"");
		text = 1;
	} else {
		text = strcasecmp(p->type, "text") == 0;
		mime_imap_string(out, p->type);
		buf_addc(out, ' ');
		mime_imap_string(out, p->subtype);
	}
	buf_addc(out, ' ');
	write_params(out, p->params, p->nparams, text);
	buf_addc(out, ' ');
	mime_imap_nstring_nolf(out, p->id);
	buf_addc(out, ' ');
	mime_imap_nstring_nolf(out, p->description);
	buf_addc(out, ' ');
	if (p->encoding != NULL)
		mime_imap_string(out, p->encoding);
	else
		buf_adds(out, "\"7bit\"");
	buf_addf(out, " %zu", p->body_vsize);
	if (text) {
		buf_addf(out, " %u", p->body_lines);
	} else if ((p->flags & MIME_PART_RFC822) != 0 && p->children != NULL) {
		buf_adds(out, " (");
		mime_imap_envelope(out, p->children);
		buf_adds(out, ") ");
		write_siblings(out, p->children, extended);
		buf_addf(out, " %u", p->body_lines);
	}
	if (!extended)
		return;
	buf_addc(out, ' ');
	mime_imap_nstring_nolf(out, p->md5);
	write_common_ext(out, p);
}

#define EMPTY_BODY "(\"text\" \"plain\" (\"charset\" \"us-ascii\") " \
	"NIL NIL \"7bit\" 0 0)"
#define EMPTY_BODYSTRUCTURE "(\"text\" \"plain\" (\"charset\" " \
	"\"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)"

static void write_multipart(struct buf *out, const struct mime_part *p,
			    int extended)
{
	if (p->children != NULL)
		write_siblings(out, p->children, extended);
	else	/* RFC 2046 wants one part at least; Dovecot makes one up */
		buf_adds(out, extended ? EMPTY_BODYSTRUCTURE : EMPTY_BODY);
	buf_addc(out, ' ');
	mime_imap_string(out, p->subtype);
	if (!extended)
		return;
	buf_addc(out, ' ');
	write_params(out, p->params, p->nparams, 0);
	write_common_ext(out, p);
}

void mime_imap_bodystructure(struct buf *out, const struct mime_part *p,
			     int extended)
{
	if ((p->flags & MIME_PART_MULTIPART) != 0)
		write_multipart(out, p, extended);
	else
		write_body(out, p, extended);
}
