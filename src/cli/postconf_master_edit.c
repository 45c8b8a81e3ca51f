/*
 * postconf_master_edit: `postconf -Me service/type=entry...`, `-MX
 * service/type...` and `-M# service/type...`, editing master.cf in place
 * as Postfix 3.7.11 does (checked against its postconf -c DIR):
 *
 * - -Me replaces the entry service/type (its first line and continuation
 *   lines) by the new one, written as `postconf -Mf` prints it (fields in
 *   columns, each leading "-o name=value" on its own indented line); an
 *   entry not found is appended at the end. The new entry's own service
 *   name is what is written: "foo/inet=bar inet ..." puts "bar" in place
 *   of "foo".
 * - -MX deletes the entry's lines; -M# puts '#' before each of them.
 * - Comment and blank lines stay where they are; a commented-out entry
 *   ("#submission inet ...") is not an entry and is never matched.
 *
 * The file is written to master.cf.tmp and renamed over master.cf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/postconf.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fsutil.h"
#include "lib/mastercf.h"
#include "lib/xalloc.h"

struct medit {
	char *service, *type;	/* what to match */
	struct buf entry;	/* -Me: the formatted replacement */
	int found;
};

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static void medits_free(struct medit *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].service);
		free(v[i].type);
		buf_reset(&v[i].entry);
	}
	free(v);
}

/* "service/type" (both non-empty) into ed; 0, or 1 (fatal said). */
static int split_key(const char *key, size_t len, struct medit *ed)
{
	const char *slash = memchr(key, '/', len);

	if (slash == NULL || slash == key || slash + 1 == key + len)
		return postconf_msg_fatal("-Me, -MX or -M# requires service_name/type");
	ed->service = xstrndup(key, (size_t)(slash - key));
	ed->type = xstrndup(slash + 1, (size_t)(key + len - slash - 1));
	return 0;
}

/* "service/type=entry": the key and the entry parsed and formatted. */
static int parse_assignment(const char *arg, struct medit *ed)
{
	const char *p = arg, *key, *key_end, *value;
	struct mastercf m;
	struct err e;
	struct buf line;
	int rc;

	while (is_blank((unsigned char)*p))
		p++;
	key = p;
	while (*p && !is_blank((unsigned char)*p) && *p != '=')
		p++;
	key_end = p;
	while (is_blank((unsigned char)*p))
		p++;
	if (key == key_end)
		return postconf_msg_fatal("missing attribute name: \"%s\"", arg);
	if (*p != '=')
		return postconf_msg_fatal("missing '=' after attribute name: \"%s\"", arg);
	if (split_key(key, (size_t)(key_end - key), ed) != 0)
		return 1;
	value = p + 1;
	while (is_blank((unsigned char)*value))
		value++;
	mastercf_init(&m);
	rc = mastercf_parse(&m, "master.cf", value, strlen(value), &e);
	if (rc != 0 || m.nservices != 1) {
		/* mastercf says "file F: line N: bad field count"; postconf -Me
		 * names the whole argument instead. */
		rc = rc != 0 && strstr(e.text, "bad field count") == NULL
			     ? postconf_msg_fatal("%s", e.text)
			     : postconf_msg_fatal("bad field count: \"%s\"", arg);
		mastercf_reset(&m);
		return rc;
	}
	buf_init(&line);
	mastercf_format(&m.services[0], &line);
	postconf_fold(POSTCONF_MASTER, line.data, line.len, &ed->entry);
	buf_reset(&line);
	mastercf_reset(&m);
	return 0;
}

static struct medit *find(struct medit *v, size_t n, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *svc, *typ;
	size_t nsvc, ntyp, i;

	svc = p;
	while (p < end && !is_blank((unsigned char)*p))
		p++;
	nsvc = (size_t)(p - svc);
	while (p < end && is_blank((unsigned char)*p) && *p != '\n')
		p++;
	typ = p;
	while (p < end && !is_blank((unsigned char)*p))
		p++;
	ntyp = (size_t)(p - typ);
	for (i = 0; i < n; i++)
		if (strlen(v[i].service) == nsvc && strncmp(v[i].service, svc, nsvc) == 0
		    && strlen(v[i].type) == ntyp && strncmp(v[i].type, typ, ntyp) == 0)
			return &v[i];
	return NULL;
}

/* The arguments as edits; NULL (fatal said) on a bad one. */
static struct medit *parse_args(int mode, int argc, char **argv, size_t *n_out)
{
	struct medit *v = xcalloc((size_t)argc + 1, sizeof(*v));
	size_t n = 0;
	int k;

	for (k = 0; k < argc; k++) {
		const char *a = argv[k];
		int bad;

		while (is_blank((unsigned char)*a))
			a++;
		if (*a == '#') {
			postconf_msg_fatal("-Me, -Fe, -Pe, -X, or -# accept no comment input");
			medits_free(v, n);
			return NULL;
		}
		buf_init(&v[n].entry);
		bad = mode == 'e' ? parse_assignment(a, &v[n]) : split_key(a, strlen(a), &v[n]);
		n++;
		if (bad) {
			medits_free(v, n);
			return NULL;
		}
	}
	*n_out = n;
	return v;
}

int postconf_edit_master(struct postconf *pc, int mode, int argc, char **argv)
{
	struct medit *v, *cur = NULL;
	size_t n = 0, pos = 0, len, i;
	struct err e;
	struct buf out;
	char *text;
	int rc;

	if ((v = parse_args(mode, argc, argv, &n)) == NULL)
		return 1;
	if ((text = fs_slurp(pc->master_path, &len, &e)) == NULL) {
		int saved = errno;

		medits_free(v, n);
		return postconf_msg_fatal("open %s for reading: %s", pc->master_shown,
					  strerror(saved));
	}
	buf_init(&out);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) + 1 : len - pos, j = 0;

		pos += llen;
		while (j < llen && is_blank((unsigned char)line[j]))
			j++;
		if (j == llen || line[j] == '#') {
			buf_add(&out, line, llen);	/* never ends an entry */
			continue;
		}
		if (j == 0) {
			cur = find(v, n, line, llen);
			if (cur != NULL && ++cur->found == 1 && mode == 'e') {
				buf_add(&out, cur->entry.data, cur->entry.len);
				continue;
			}
		}
		/* the entry's first line or one of its continuation lines */
		if (cur == NULL) {
			buf_add(&out, line, llen);
		} else if (mode == '#') {
			buf_addc(&out, '#');
			buf_add(&out, line, llen);
		}
	}
	for (i = 0; i < n; i++)
		if (mode == 'e' && v[i].found == 0)
			buf_add(&out, v[i].entry.data, v[i].entry.len);
	if (out.data == NULL)
		buf_adds(&out, "");
	rc = postconf_replace_file(pc->master_path, pc->master_shown, &out);
	buf_reset(&out);
	free(text);
	medits_free(v, n);
	return rc;
}
