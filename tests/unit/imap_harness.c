/*
 * imap_harness: see imap_harness.h.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_harness.h"
#include "lib/xalloc.h"

char *ih_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_steal(&b, len);
}

static void unesc(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			buf_addc(out, *s);
			continue;
		}
		s++;
		switch (*s) {
		case 'r': buf_addc(out, '\r'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'x': {
			char h[3] = { s[1], s[2], 0 };

			buf_addc(out, (char)strtol(h, NULL, 16));
			s += 2;
			break;
		}
		default: buf_addc(out, *s); break;
		}
	}
}

/* Masks what differs from run to run: UIDVALIDITY-like numbers and the
 * "(x + y [+ z] secs)" timings. */
char *ih_mask(const char *in, size_t n)
{
	static const char *const keys[] = {
		"UIDVALIDITY ", "APPENDUID ", "COPYUID ",
	};
	struct buf b;
	size_t i = 0, k;

	buf_init(&b);
	buf_adds(&b, "");
	while (i < n) {
		int done = 0;

		for (k = 0; k < ARRAY_LEN(keys) && !done; k++) {
			size_t kl = strlen(keys[k]);

			if (i + kl <= n && memcmp(in + i, keys[k], kl) == 0) {
				buf_add(&b, keys[k], kl);
				i += kl;
				while (i < n && in[i] >= '0' && in[i] <= '9')
					i++;
				buf_adds(&b, "<N>");
				done = 1;
			}
		}
		if (done)
			continue;
		if (in[i] == '(' && i + 1 < n && in[i + 1] >= '0' && in[i + 1] <= '9') {
			const char *e = memchr(in + i, ')', n - i);

			if (e != NULL && (size_t)(e - in) > i + 5 &&
			    memcmp(e - 4, "secs", 4) == 0) {
				buf_adds(&b, "(<TIME>)");
				i = (size_t)(e - in) + 1;
				continue;
			}
		}
		buf_addc(&b, in[i++]);
	}
	return buf_steal(&b, NULL);
}


/* want with each known (from, to) pair replaced once. */
static void apply_known(struct buf *want, const char *const *known)
{
	size_t i;

	for (i = 0; known != NULL && known[i] != NULL; i += 2) {
		const char *at = want->data != NULL ?
				 strstr(want->data, known[i]) : NULL;
		struct buf b;

		if (at == NULL)
			continue;
		buf_init(&b);
		buf_add(&b, want->data, (size_t)(at - want->data));
		buf_adds(&b, known[i + 1]);
		buf_adds(&b, at + strlen(known[i]));
		buf_clear(want);
		buf_add(want, b.data, b.len);
		buf_reset(&b);
	}
}

static int compare(const char *path, int lineno, int bytewise,
		   struct buf *got, struct buf *want, const char *const *known)
{
	char *g, *w;
	int bad;

	apply_known(want, known);
	g = ih_mask(got->data != NULL ? got->data : "", got->len);
	w = ih_mask(want->data != NULL ? want->data : "", want->len);
	bad = strcmp(g, w) != 0;

	if (bad)
		fprintf(stderr, "\n%s:%d (%s):\n--- got\n%s--- want\n%s", path,
			lineno, bytewise ? "bytewise" : "whole", g, w);
	free(g);
	free(w);
	buf_clear(got);
	buf_clear(want);
	return bad;
}

int ih_replay(const char *path, int bytewise, const struct ih_driver *d,
	      mtime_t start, long *timing_delta_out)
{
	size_t len;
	char *text = ih_slurp(path, &len), *line, *save = NULL;
	struct buf want, got;
	int fails = 0, lineno = 0;
	mtime_t now = start;
	long delta = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	buf_init(&want);
	buf_init(&got);
	d->pump(d->ctx, now, &got);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (strncmp(line, "S: ", 3) == 0) {
			const char *t = strstr(line, " secs).");

			/* our timings are always "(0.001 + 0.000 secs)";
			 * the logged out= counts the reference's own */
			if (t != NULL) {
				const char *o = t;

				while (o > line && *o != '(')
					o--;
				delta += (long)(t + 6 - o) -
					 (long)strlen("(0.001 + 0.000 secs)");
			}
			unesc(&want, line + 3);
			continue;
		}
		if (strncmp(line, "C: ", 3) == 0 || strncmp(line, "==", 2) == 0)
			fails += compare(path, lineno, bytewise, &got, &want, d->known);
		if (strncmp(line, "C: ", 3) == 0) {
			struct buf c;
			size_t i;

			buf_init(&c);
			unesc(&c, line + 3);
			if (bytewise) {
				for (i = 0; i < c.len; i++) {
					d->feed(d->ctx, c.data + i, 1, now);
					d->pump(d->ctx, now, &got);
				}
			} else {
				d->feed(d->ctx, c.data, c.len, now);
				d->pump(d->ctx, now, &got);
			}
			buf_reset(&c);
			now += 100;
		} else if (strncmp(line, "== TLS", 6) == 0) {
			d->tls_started(d->ctx, now);
			d->pump(d->ctx, now, &got);
		} else if (strncmp(line, "== server closed", 16) == 0) {
			CU_ASSERT(d->closed(d->ctx));
		}
	}
	if (want.len > 0 || got.len > 0)
		fails += compare(path, lineno, bytewise, &got, &want, d->known);
	if (timing_delta_out != NULL)
		*timing_delta_out = delta;
	buf_reset(&want);
	buf_reset(&got);
	free(text);
	return fails;
}

char *ih_fix_out(const char *logs, long timing_delta)
{
	const char *o = strstr(logs, "Logged out in=");
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	if (o != NULL && (o = strstr(o, " out=")) != NULL) {
		long v = strtol(o + 5, NULL, 10);
		const char *rest = strchr(o + 5, ' ');

		buf_add(&b, logs, (size_t)(o - logs) + 5);
		buf_addf(&b, "%ld", v + timing_delta);
		buf_adds(&b, rest != NULL ? rest : "");
	} else {
		buf_adds(&b, logs);
	}
	return buf_steal(&b, NULL);
}

char *ih_dovecot_lines(const char *path)
{
	char *text = ih_slurp(path, NULL), *line, *save = NULL;
	struct buf want;

	buf_init(&want);
	buf_adds(&want, "");
	if (text == NULL)
		return buf_steal(&want, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p = strstr(line, "dovecot: ");

		if (p != NULL) {
			buf_adds(&want, p + 9);
			buf_addc(&want, '\n');
		}
	}
	free(text);
	return buf_steal(&want, NULL);
}
