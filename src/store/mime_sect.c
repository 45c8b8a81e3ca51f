/*
 * Section addressing of RFC 3501 6.4.5 (FETCH BODY[<section>]) with
 * Dovecot's lib-imap/imap-msgpart.c rules: "1" of a non-multipart
 * message is its body, a number below a message/rfc822 part walks into
 * the encapsulated message, HEADER/TEXT of a numbered part need a
 * message/rfc822 part, a part that does not exist gives an empty
 * string. Bytes always leave with CRLF line ends.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "store/mime.h"

/* More would be a hostile request; Dovecot has no explicit bound. */
#define SECT_MAX_PATH 100
#define SECT_MAX_FIELDS 1000

void mime_sect_reset(struct mime_sect *s)
{
	size_t i;

	free(s->path);
	for (i = 0; i < s->nfields; i++)
		free(s->fields[i]);
	free(s->fields);
	memset(s, 0, sizeof(*s));
}

static int word_is(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - *p) < n || strncasecmp(*p, w, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* "(" astring *(SP astring) ")" up to end. */
static int parse_fields(const char *p, const char *end, struct mime_sect *s)
{
	struct buf name;

	if (p >= end || *p != ' ')
		return -1;
	p++;
	if (p >= end || *p != '(')
		return -1;
	p++;
	buf_init(&name);
	for (;;) {
		buf_clear(&name);
		buf_adds(&name, "");
		if (p < end && *p == '"') {
			for (p++; p < end && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				buf_addc(&name, (char)toupper((unsigned char)*p));
			}
			if (p >= end)
				goto fail;
			p++;
		} else {
			while (p < end && *p != ' ' && *p != ')' && *p != '(' &&
			       *p != '"' && (unsigned char)*p > 0x20 &&
			       (unsigned char)*p < 0x7f)
				buf_addc(&name, (char)toupper((unsigned char)*p++));
		}
		if (name.len == 0 || s->nfields >= SECT_MAX_FIELDS)
			goto fail;
		s->fields = xrealloc(s->fields,
				     (s->nfields + 1) * sizeof(char *));
		s->fields[s->nfields++] = buf_steal(&name, NULL);
		if (p < end && *p == ' ') {
			p++;
			continue;
		}
		if (p < end && *p == ')' && p + 1 == end)
			break;
		goto fail;
	}
	buf_reset(&name);
	return 0;
fail:
	buf_reset(&name);
	return -1;
}

int mime_sect_parse(const char *spec, size_t len, struct mime_sect *s)
{
	const char *p = spec, *end = spec + len;

	memset(s, 0, sizeof(*s));
	s->kind = MIME_SECT_ALL;
	while (p < end && *p >= '0' && *p <= '9') {
		unsigned long n = 0;

		if (*p == '0' || s->npath >= SECT_MAX_PATH)
			goto fail;	/* nz-number */
		while (p < end && *p >= '0' && *p <= '9') {
			n = n * 10 + (unsigned long)(*p++ - '0');
			if (n > 0xffffffUL)
				goto fail;
		}
		s->path = xrealloc(s->path, (s->npath + 1) * sizeof(unsigned));
		s->path[s->npath++] = (unsigned)n;
		if (p == end)
			return 0;
		if (*p != '.')
			goto fail;
		p++;
		if (p == end)
			goto fail;
	}
	if (p == end)
		return 0;	/* "" = the whole message */
	if (s->npath > 0 && word_is(&p, end, "MIME")) {
		s->kind = MIME_SECT_MIME;
	} else if (word_is(&p, end, "HEADER.FIELDS.NOT")) {
		s->kind = MIME_SECT_FIELDS_NOT;
		if (parse_fields(p, end, s) < 0)
			goto fail;
		return 0;
	} else if (word_is(&p, end, "HEADER.FIELDS")) {
		s->kind = MIME_SECT_FIELDS;
		if (parse_fields(p, end, s) < 0)
			goto fail;
		return 0;
	} else if (word_is(&p, end, "HEADER")) {
		s->kind = MIME_SECT_HEADER;
	} else if (word_is(&p, end, "TEXT")) {
		s->kind = MIME_SECT_TEXT;
	} else {
		goto fail;
	}
	if (p != end)
		goto fail;
	return 0;
fail:
	mime_sect_reset(s);
	return -1;
}

static int is_atom_name(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("(){%*\"\\]", *s) != NULL)
			return 0;
	return 1;
}

void mime_sect_label(struct buf *out, const struct mime_sect *s)
{
	static const char *const kinds[] = {
		[MIME_SECT_ALL] = "",
		[MIME_SECT_HEADER] = "HEADER",
		[MIME_SECT_FIELDS] = "HEADER.FIELDS",
		[MIME_SECT_FIELDS_NOT] = "HEADER.FIELDS.NOT",
		[MIME_SECT_TEXT] = "TEXT",
		[MIME_SECT_MIME] = "MIME",
	};
	size_t i;

	for (i = 0; i < s->npath; i++)
		buf_addf(out, "%s%u", i > 0 ? "." : "", s->path[i]);
	if (s->kind != MIME_SECT_ALL && s->npath > 0)
		buf_addc(out, '.');
	buf_adds(out, kinds[s->kind]);
	if (s->kind == MIME_SECT_FIELDS || s->kind == MIME_SECT_FIELDS_NOT) {
		buf_adds(out, " (");
		for (i = 0; i < s->nfields; i++) {
			if (i > 0)
				buf_addc(out, ' ');
			if (is_atom_name(s->fields[i]))
				buf_adds(out, s->fields[i]);
			else
				mime_imap_string(out, s->fields[i]);
		}
		buf_addc(out, ')');
	}
}

const struct mime_part *mime_sect_find(const struct mime_msg *m,
				       const unsigned *path, size_t npath)
{
	const struct mime_part *part = m->root;
	size_t i;

	for (i = 0; i < npath && part != NULL; i++) {
		unsigned num = path[i];

		if ((part->flags & MIME_PART_MULTIPART) != 0) {
			part = part->children;
			for (; num > 1 && part != NULL; num--)
				part = part->next;
		} else if (num != 1) {
			/* only 1 with non-multipart (and message/rfc822) */
			part = NULL;
		}
		if (part != NULL && (part->flags & MIME_PART_RFC822) != 0 &&
		    i + 1 < npath)
			part = part->children;	/* into the message */
	}
	return part;
}

static int field_wanted(const struct mime_sect *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		if (strcasecmp(s->fields[i], name) == 0)
			return 1;
	return 0;
}

static void add_fields(const struct mime_msg *m, const struct mime_part *p,
		       const struct mime_sect *s, struct buf *out)
{
	int want = s->kind == MIME_SECT_FIELDS;
	size_t i;

	for (i = 0; i < p->nhdrs; i++) {
		const struct mime_hdr *h = &p->hdrs[i];

		if (field_wanted(s, h->name) != want)
			continue;
		mime_crlf_add(out, m->data + h->off, h->len);
		if (h->len == 0 || m->data[h->off + h->len - 1] != '\n')
			buf_adds(out, "\r\n");
	}
	buf_adds(out, "\r\n");
}

void mime_sect_get(const struct mime_msg *m, const struct mime_sect *s,
		   struct buf *out)
{
	const struct mime_part *p = m->root;

	if (s->npath > 0) {
		p = mime_sect_find(m, s->path, s->npath);
		if (p == NULL)
			return;
		if (s->kind == MIME_SECT_ALL) {
			mime_crlf_add(out, m->data + p->body_off, p->body_size);
			return;
		}
		if (s->kind == MIME_SECT_MIME) {
			mime_crlf_add(out, m->data + p->hdr_off, p->hdr_size);
			return;
		}
		/* HEADER, TEXT: of the message inside a message/rfc822 part */
		if ((p->flags & MIME_PART_RFC822) == 0 || p->children == NULL)
			return;
		p = p->children;
	}
	switch (s->kind) {
	case MIME_SECT_ALL:
		mime_crlf_add(out, m->data, m->len);
		break;
	case MIME_SECT_HEADER:
		mime_crlf_add(out, m->data + p->hdr_off, p->hdr_size);
		break;
	case MIME_SECT_FIELDS:
	case MIME_SECT_FIELDS_NOT:
		add_fields(m, p, s, out);
		break;
	case MIME_SECT_TEXT:
		mime_crlf_add(out, m->data + p->body_off, p->body_size);
		break;
	case MIME_SECT_MIME:
		break;
	}
}
