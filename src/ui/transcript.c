/*
 * transcript: parse and escape the golden-transcript format. The escaping
 * is reference/capture.py's esc()/unesc(), so files written by the capture
 * tool and by maillab are interchangeable byte for byte.
 */
#include "ui/transcript.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

void transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof(*t));
}

void transcript_reset(struct transcript *t)
{
	size_t i;

	free(t->file);
	free(t->world);
	free(t->host);
	free(t->proto);
	free(t->client_addr);
	free(t->client_name);
	for (i = 0; i < t->nsettings; i++) {
		free(t->settings[i].name);
		free(t->settings[i].value);
	}
	free(t->settings);
	for (i = 0; i < t->nseeds; i++)
		free(t->seeds[i]);
	free(t->seeds);
	for (i = 0; i < t->nknown; i++) {
		free(t->known[i].expected);
		free(t->known[i].actual);
	}
	free(t->known);
	for (i = 0; i < t->nlines; i++)
		free(t->lines[i].data);
	free(t->lines);
	transcript_init(t);
}

void transcript_escape(struct buf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			buf_adds(out, "\\\\");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c >= 0x20 && c < 0x7f)
			buf_addc(out, (char)c);
		else
			buf_addf(out, "\\x%02x", c);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int transcript_unescape(struct buf *out, const char *s, size_t n,
			size_t *bad_out)
{
	size_t i = 0;

	while (i < n) {
		int hi, lo;

		if (s[i] != '\\') {
			buf_addc(out, s[i++]);
			continue;
		}
		if (i + 1 >= n)
			goto bad;
		switch (s[i + 1]) {
		case '\\': buf_addc(out, '\\'); i += 2; continue;
		case 'r': buf_addc(out, '\r'); i += 2; continue;
		case 'n': buf_addc(out, '\n'); i += 2; continue;
		case 't': buf_addc(out, '\t'); i += 2; continue;
		case 'x':
			if (i + 3 >= n)
				goto bad;
			hi = hexval(s[i + 2]);
			lo = hexval(s[i + 3]);
			if (hi < 0 || lo < 0)
				goto bad;
			buf_addc(out, (char)(hi << 4 | lo));
			i += 4;
			continue;
		default:
			goto bad;
		}
	}
	return 0;
bad:
	if (bad_out != NULL)
		*bad_out = i;
	return -1;
}

void transcript_split_lines(const char *p, size_t n,
			    void (*fn)(void *ctx, const char *line, size_t len),
			    void *ctx)
{
	size_t start = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			fn(ctx, p + start, i + 1 - start);
			start = i + 1;
		}
	}
	if (start < n)
		fn(ctx, p + start, n - start);
}

static void add_line(struct transcript *t, enum transcript_kind kind,
		     char *data, size_t len, int lineno, int write)
{
	struct transcript_line *l;

	t->lines = xrealloc(t->lines, (t->nlines + 1) * sizeof(*t->lines));
	l = &t->lines[t->nlines++];
	l->kind = kind;
	l->data = data;
	l->len = len;
	l->lineno = lineno;
	l->write = write;
}

static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

static void set_once(char **field, char *value)
{
	free(*field);
	*field = value;
}

/* "@ NAME ARGS": what the transcript runs against (docs/transcripts.md). */
static int directive(struct transcript *t, const char *s, size_t n,
		     int lineno, struct err *e)
{
	const char *end = s + n, *p = s, *w;
	char *word;
	size_t wl;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	s = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	word = xstrndup(s, (size_t)(p - s));
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (strcmp(word, "world") == 0 || strcmp(word, "host") == 0 ||
	    strcmp(word, "proto") == 0) {
		char *v = trimmed(p, (size_t)(end - p));

		if (*v == '\0' || strpbrk(v, " \t") != NULL) {
			free(v);
			err_set(e, 0, _("%s:%d: '@ %s' takes one name"),
				t->file, lineno, word);
			free(word);
			return -1;
		}
		set_once(word[0] == 'w' ? &t->world :
			 word[0] == 'h' ? &t->host : &t->proto, v);
	} else if (strcmp(word, "client") == 0) {
		w = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		wl = (size_t)(p - w);
		if (wl == 0) {
			err_set(e, 0, _("%s:%d: '@ client' needs an address (and optionally a name)"),
				t->file, lineno);
			free(word);
			return -1;
		}
		set_once(&t->client_addr, xstrndup(w, wl));
		set_once(&t->client_name, NULL);
		{
			char *name = trimmed(p, (size_t)(end - p));

			if (*name == '\0')
				free(name);
			else
				t->client_name = name;
		}
	} else if (strcmp(word, "postconf") == 0) {
		const char *eq = memchr(p, '=', (size_t)(end - p));
		struct transcript_setting *st;
		char *name;

		if (eq == NULL) {
			err_set(e, 0, _("%s:%d: '@ postconf' needs NAME = VALUE"),
				t->file, lineno);
			free(word);
			return -1;
		}
		name = trimmed(p, (size_t)(eq - p));
		if (*name == '\0' || strpbrk(name, " \t") != NULL) {
			err_set(e, 0, _("%s:%d: '@ postconf' needs NAME = VALUE"),
				t->file, lineno);
			free(name);
			free(word);
			return -1;
		}
		t->settings = xrealloc(t->settings,
				       (t->nsettings + 1) * sizeof(*t->settings));
		st = &t->settings[t->nsettings++];
		st->name = name;
		st->value = trimmed(eq + 1, (size_t)(end - eq - 1));
		st->lineno = lineno;
	} else if (strcmp(word, "seed") == 0) {
		char *v = trimmed(p, (size_t)(end - p));

		if (*v == '\0') {
			free(v);
			err_set(e, 0, _("%s:%d: '@ seed' needs a transcript file"),
				t->file, lineno);
			free(word);
			return -1;
		}
		t->seeds = xrealloc(t->seeds, (t->nseeds + 1) * sizeof(*t->seeds));
		t->seeds[t->nseeds++] = v;
	} else if (strcmp(word, "known") == 0) {
		const char *arrow = NULL, *q;
		struct transcript_known *k;

		for (q = p; q + 4 <= end; q++)
			if (memcmp(q, " => ", 4) == 0) {
				arrow = q;
				break;
			}
		if (arrow == NULL || arrow == p || arrow + 4 >= end) {
			err_set(e, 0, _("%s:%d: '@ known' needs EXPECTED => ACTUAL (two transcript lines)"),
				t->file, lineno);
			free(word);
			return -1;
		}
		t->known = xrealloc(t->known, (t->nknown + 1) * sizeof(*t->known));
		k = &t->known[t->nknown++];
		k->expected = trimmed(p, (size_t)(arrow - p));
		k->actual = trimmed(arrow + 4, (size_t)(end - arrow - 4));
		k->lineno = lineno;
	} else {
		err_set(e, 0, _("%s:%d: unknown directive '@ %s' (known: world, host, client, postconf, proto, seed, known)"),
			t->file, lineno, word);
		free(word);
		return -1;
	}
	free(word);
	return 0;
}

int transcript_parse(struct transcript *t, const char *name, const char *text,
		     size_t len, struct err *e)
{
	size_t pos = 0;
	int lineno = 0, seen_data = 0, last_was_client = 0, write = -1;

	t->file = xstrdup(name);
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		lineno++;
		/* A file saved with CRLF line ends: the CR is the editor's. */
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (s[0] == '#') {
			add_line(t, TRANSCRIPT_COMMENT, trimmed(s + 1, n - 1), 0,
				 lineno, -1);
			t->lines[t->nlines - 1].len = strlen(t->lines[t->nlines - 1].data);
			continue;
		}
		if (n >= 2 && (s[0] == 'C' || s[0] == 'S') && s[1] == ':') {
			struct buf b;
			size_t bad = 0, dlen;
			char *data;

			if (n < 4 || s[2] != ' ') {
				err_set(e, 0, _("%s:%d: a %c: line needs a space and at least one byte (write \\r\\n for an empty line)"),
					t->file, lineno, s[0]);
				goto fail;
			}
			buf_init(&b);
			if (transcript_unescape(&b, s + 3, n - 3, &bad) < 0) {
				buf_reset(&b);
				err_set(e, 0, _("%s:%d: bad escape at column %zu (use \\\\ \\r \\n \\t or \\xNN)"),
					t->file, lineno, bad + 4);
				goto fail;
			}
			data = buf_steal(&b, &dlen);
			if (s[0] == 'C') {
				if (!last_was_client)
					write++;
				add_line(t, TRANSCRIPT_CLIENT, data, dlen, lineno, write);
				last_was_client = 1;
			} else {
				add_line(t, TRANSCRIPT_SERVER, data, dlen, lineno, -1);
				last_was_client = 0;
			}
			seen_data = 1;
			continue;
		}
		if (n >= 2 && s[0] == '=' && s[1] == '=') {
			char *ev = trimmed(s + 2, n - 2);

			if (*ev == '\0') {
				free(ev);
				err_set(e, 0, _("%s:%d: an event line '==' needs a text"),
					t->file, lineno);
				goto fail;
			}
			add_line(t, TRANSCRIPT_EVENT, ev, strlen(ev), lineno, -1);
			last_was_client = 0;
			continue;
		}
		if (s[0] == '@') {
			if (seen_data) {
				err_set(e, 0, _("%s:%d: directives ('@ ...') belong before the first C: or S: line"),
					t->file, lineno);
				goto fail;
			}
			if (directive(t, s + 1, n - 1, lineno, e) < 0)
				goto fail;
			continue;
		}
		{
			char *shown = xstrndup(s, n > 40 ? 40 : n);

			err_set(e, 0, _("%s:%d: unrecognised line \"%s%s\" (lines start with C:, S:, ==, # or @)"),
				t->file, lineno, shown, n > 40 ? "..." : "");
			free(shown);
		}
		goto fail;
	}
	t->nwrites = write + 1;
	return 0;
fail:
	transcript_reset(t);
	return -1;
}

int transcript_load(struct transcript *t, const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;
	int rc;

	if (f == NULL)
		return err_set(e, errno, _("%s: cannot open: %s"), path,
			       strerror(errno));
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		int en = errno;

		fclose(f);
		buf_reset(&b);
		return err_set(e, en, _("%s: cannot read: %s"), path,
			       strerror(en));
	}
	fclose(f);
	rc = transcript_parse(t, path, b.data ? b.data : "", b.len, e);
	buf_reset(&b);
	return rc;
}
