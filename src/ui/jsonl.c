/*
 * JSON Lines in and out. The writer escapes per RFC 8259 section 7; the
 * reader is only as general as the objects the writer makes: one flat
 * object a line, values string, number, true/false or null.
 */
#include "ui/jsonl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

static void add_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		buf_adds(b, "null");
		return;
	}
	buf_addc(b, '"');
	while (*p != '\0') {
		size_t n;

		switch (*p) {
		case '"': buf_adds(b, "\\\""); p++; continue;
		case '\\': buf_adds(b, "\\\\"); p++; continue;
		case '\n': buf_adds(b, "\\n"); p++; continue;
		case '\r': buf_adds(b, "\\r"); p++; continue;
		case '\t': buf_adds(b, "\\t"); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_addf(b, "\\u%04x", *p++);
			continue;
		}
		n = flow_utf8_len(p);
		if (n == 0) {
			buf_addf(b, "\\u%04x", *p++);
			continue;
		}
		buf_add(b, p, n);
		p += n;
	}
	buf_addc(b, '"');
}

void jsonl_event(struct buf *b, const struct trace_event *ev, size_t seq,
		 int step, int dup)
{
	time_t secs = (time_t)(ev->time / 1000);
	struct tm tm;
	char stamp[40];

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_addf(b, "{\"seq\":%zu,\"time_ms\":%lld,\"time\":\"%s.%03dZ\",\"step\":%d,",
		 seq, (long long)ev->time, stamp, (int)(ev->time % 1000), step);
	buf_adds(b, "\"host\":");
	add_string(b, ev->host);
	buf_adds(b, ",\"process\":");
	add_string(b, ev->process);
	buf_adds(b, ",\"peer\":");
	add_string(b, ev->peer);
	buf_adds(b, ",\"protocol\":");
	add_string(b, ev->protocol);
	buf_addf(b, ",\"direction\":\"%s\",\"text\":", trace_dir_name(ev->direction));
	add_string(b, ev->text);
	buf_adds(b, ",\"note\":");
	add_string(b, ev->note);
	buf_addf(b, ",\"dup\":%s}\n", dup ? "true" : "false");
}

int jsonl_write(FILE *out, const struct flow *f, struct err *e)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < f->nev; i++) {
		const struct flow_ev *fe = &f->ev[i];

		buf_clear(&b);
		jsonl_event(&b, &fe->ev, i + 1, f->step[fe->step].number, fe->dup);
		if (fwrite(b.data, 1, b.len, out) != b.len) {
			buf_reset(&b);
			return err_set(e, errno, _("cannot write the trace: %s"),
				       strerror(errno));
		}
	}
	buf_reset(&b);
	if (fflush(out) != 0)
		return err_set(e, errno, _("cannot write the trace: %s"), strerror(errno));
	return 0;
}

/* ---- reading ---- */

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

static void put_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static int hex4(const char *p, unsigned long *out)
{
	char tmp[5];
	char *end;
	int i;

	for (i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)p[i]))
			return -1;
	memcpy(tmp, p, 4);
	tmp[4] = '\0';
	*out = strtoul(tmp, &end, 16);
	return 0;
}

/*
 * A JSON string at *p into b (NUL-terminated); 0 or -1. The writer's
 * \u00XX for a stray byte comes back as that byte's UTF-8 encoding: the
 * file stays the same when written again, the original byte is gone.
 */
static int parse_string(const char **p, struct buf *b)
{
	const char *s = *p;

	if (*s != '"')
		return -1;
	s++;
	while (*s != '"') {
		unsigned long cp, lo;

		if (*s == '\0' || (unsigned char)*s < 0x20)
			return -1;
		if (*s != '\\') {
			buf_addc(b, *s++);
			continue;
		}
		s++;
		switch (*s) {
		case '"': buf_addc(b, '"'); break;
		case '\\': buf_addc(b, '\\'); break;
		case '/': buf_addc(b, '/'); break;
		case 'b': buf_addc(b, '\b'); break;
		case 'f': buf_addc(b, '\f'); break;
		case 'n': buf_addc(b, '\n'); break;
		case 'r': buf_addc(b, '\r'); break;
		case 't': buf_addc(b, '\t'); break;
		case 'u':
			if (hex4(s + 1, &cp) < 0)
				return -1;
			s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && s[1] == '\\' && s[2] == 'u' &&
			    hex4(s + 3, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			}
			if (cp == 0)
				return -1;	/* C strings cannot hold it */
			put_utf8(b, cp);
			break;
		default:
			return -1;
		}
		s++;
	}
	buf_addc(b, '\0');
	*p = s + 1;
	return 0;
}

enum { F_HOST, F_PROCESS, F_PEER, F_PROTOCOL, F_TEXT, F_NOTE, F_N };

int jsonl_parse(const char *line, struct trace_event *ev,
		struct buf *strings_out, struct err *e)
{
	static const char *const names[F_N] = {
		"host", "process", "peer", "protocol", "text", "note",
	};
	long off[F_N];
	const char *p = line;
	struct buf key;
	int i, have_time = 0;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < F_N; i++)
		off[i] = -1;
	skip_ws(&p);
	if (*p == '\0')
		return 0;
	buf_init(&key);
	if (*p++ != '{')
		goto bad;
	skip_ws(&p);
	while (*p != '}') {
		int field = -1;

		buf_clear(&key);
		if (parse_string(&p, &key) < 0)
			goto bad;
		skip_ws(&p);
		if (*p++ != ':')
			goto bad;
		skip_ws(&p);
		for (i = 0; i < F_N; i++)
			if (strcmp(key.data, names[i]) == 0)
				field = i;
		if (*p == '"') {
			size_t at = strings_out->len;

			if (parse_string(&p, strings_out) < 0)
				goto bad;
			if (field >= 0)
				off[field] = (long)at;
			if (strcmp(key.data, "direction") == 0) {
				const char *d = strings_out->data + at;

				ev->direction = strcmp(d, "in") == 0 ? TRACE_DIR_IN :
						strcmp(d, "out") == 0 ? TRACE_DIR_OUT :
						TRACE_DIR_NONE;
			}
		} else if (strncmp(p, "null", 4) == 0) {
			p += 4;
		} else if (strncmp(p, "true", 4) == 0) {
			p += 4;
		} else if (strncmp(p, "false", 5) == 0) {
			p += 5;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(p, &end, 10);
			if (errno != 0 || end == p)
				goto bad;
			if (*end == '.' || *end == 'e' || *end == 'E')
				(void)strtod(p, &end);
			if (strcmp(key.data, "time_ms") == 0) {
				ev->time = v;
				have_time = 1;
			}
			p = end;
		} else {
			goto bad;
		}
		skip_ws(&p);
		if (*p == ',') {
			p++;
			skip_ws(&p);
			continue;
		}
		if (*p != '}')
			goto bad;
	}
	p++;
	skip_ws(&p);
	if (*p != '\0' || !have_time || off[F_TEXT] < 0 || off[F_PROTOCOL] < 0)
		goto bad;
	buf_reset(&key);
	/* Only now: the strings buffer may have moved while it grew. */
	ev->host = off[F_HOST] >= 0 ? strings_out->data + off[F_HOST] : NULL;
	ev->process = off[F_PROCESS] >= 0 ? strings_out->data + off[F_PROCESS] : NULL;
	ev->peer = off[F_PEER] >= 0 ? strings_out->data + off[F_PEER] : NULL;
	ev->protocol = strings_out->data + off[F_PROTOCOL];
	ev->text = strings_out->data + off[F_TEXT];
	ev->note = off[F_NOTE] >= 0 ? strings_out->data + off[F_NOTE] : NULL;
	return 1;
bad:
	buf_reset(&key);
	return err_set(e, 0, _("not a trace event (JSON object with time_ms, protocol and text)"));
}

int jsonl_read(const char *path, struct flow *f, struct err *e)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;

	if (in == NULL)
		return err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
	while ((n = getline(&line, &cap, in)) >= 0) {
		struct trace_event ev;
		struct buf strings;
		struct err pe;
		int r;

		lineno++;
		buf_init(&strings);
		r = jsonl_parse(line, &ev, &strings, &pe);
		if (r < 0) {
			rc = err_set(e, 0, _("%s, line %d: %s"), path, lineno, pe.text);
			buf_reset(&strings);
			break;
		}
		if (r == 1)
			flow_add(f, &ev);
		buf_reset(&strings);
	}
	if (rc == 0 && ferror(in))
		rc = err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
	free(line);
	fclose(in);
	return rc;
}
