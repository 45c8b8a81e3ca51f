/*
 * postconf_edit: `postconf -e name=value...`, `-# name...` and `-X
 * name...`, editing main.cf in place as Postfix 3.7.11 does
 * (reference/commands/03-postconf-edit.txt): a matching logical line and
 * its continuation lines are replaced by "name = value" (-e), commented
 * out line by line (-#) or deleted (-X); comment and blank lines between
 * them stay; an -e name not found is appended at the end, in argument
 * order. The file is written to main.cf.tmp and renamed over main.cf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/postconf.h"
#include "lib/buf.h"
#include "lib/xalloc.h"

struct edit {
	char *name;
	char *value;		/* -e only */
	int found;		/* logical lines that matched */
};

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

static char *trim(const char *s, size_t n)
{
	while (n > 0 && is_blank((unsigned char)*s))
		s++, n--;
	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* split_nameval(3) on an -e argument; 0 or 1 (fatal said). */
static int split_arg(const char *arg, struct edit *ed)
{
	const char *p = arg, *name, *name_end;

	while (is_blank((unsigned char)*p))
		p++;
	name = p;
	while (*p && !is_blank((unsigned char)*p) && *p != '=')
		p++;
	if (p == name)
		return postconf_msg_fatal("missing attribute name: \"%s\"", arg);
	name_end = p;
	while (is_blank((unsigned char)*p))
		p++;
	if (*p != '=')
		return postconf_msg_fatal("missing '=' after attribute name: \"%s\"",
					  arg);
	ed->name = xstrndup(name, (size_t)(name_end - name));
	ed->value = trim(p + 1, strlen(p + 1));
	return 0;
}

static struct edit *find_edit(struct edit *eds, size_t n, const char *name,
			      size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(eds[i].name) == len &&
		    strncmp(eds[i].name, name, len) == 0)
			return &eds[i];
	return NULL;
}

static void free_edits(struct edit *eds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(eds[i].name);
		free(eds[i].value);
	}
	free(eds);
}

int postconf_replace_file(const char *path, const char *shown, const struct buf *out)
{
	char *tmp = xasprintf("%s.tmp", path);
	struct stat st;
	FILE *f = fopen(tmp, "w");
	int saved;

	if (f == NULL) {
		saved = errno;
		free(tmp);
		return postconf_msg_fatal("open %s.tmp: %s", shown, strerror(saved));
	}
	if (stat(path, &st) == 0)
		(void)chmod(tmp, st.st_mode & 07777);
	if (fwrite(out->data, 1, out->len, f) != out->len || fflush(f) != 0 ||
	    fclose(f) != 0) {
		saved = errno;
		remove(tmp);
		free(tmp);
		return postconf_msg_fatal("write %s.tmp: %s", shown, strerror(saved));
	}
	if (rename(tmp, path) != 0) {
		saved = errno;
		remove(tmp);
		free(tmp);
		return postconf_msg_fatal("rename %s.tmp to %s: %s", shown, shown,
					  strerror(saved));
	}
	free(tmp);
	return 0;
}

int postconf_edit_main(struct postconf *pc, int mode, int argc, char **argv)
{
	struct edit *eds = xcalloc((size_t)argc + 1, sizeof(*eds));
	struct edit *cur = NULL;
	struct buf text, out;
	size_t n = 0, pos = 0, i;
	int k, rc = 0;
	FILE *f;

	for (k = 0; k < argc; k++) {
		struct edit ed = { NULL, NULL, 0 };
		struct edit *old;

		if (mode == 'e') {
			if (split_arg(argv[k], &ed) != 0) {
				free_edits(eds, n);
				return 1;
			}
		} else if (strchr(argv[k], '=') != NULL) {
			free_edits(eds, n);
			return postconf_msg_fatal("-X or -# requires parameter names without value");
		} else {
			ed.name = trim(argv[k], strlen(argv[k]));
		}
		if ((old = find_edit(eds, n, ed.name, strlen(ed.name))) != NULL) {
			if (mode == 'e')
				postconf_msg_warn("ignoring earlier request: '%s = %s'",
						  old->name, old->value);
			free(old->value);
			old->value = ed.value;
			free(ed.name);
			continue;
		}
		eds[n++] = ed;
	}

	buf_init(&text);
	buf_init(&out);
	if ((f = fopen(pc->main_path, "r")) == NULL) {
		int saved = errno;

		free_edits(eds, n);
		return postconf_msg_fatal("open %s for reading: %s", pc->main_shown,
					  strerror(saved));
	}
	{
		char chunk[8192];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&text, chunk, got);
		fclose(f);
	}

	while (pos < text.len) {
		const char *line = text.data + pos;
		const char *nl = memchr(line, '\n', text.len - pos);
		size_t len = nl ? (size_t)(nl - line) + 1 : text.len - pos;
		size_t j = 0;

		pos += len;
		while (j < len && is_blank((unsigned char)line[j]))
			j++;
		if (j == len || line[j] == '#') {
			buf_add(&out, line, len);	/* never ends a logical line */
			continue;
		}
		if (j == 0) {
			size_t nlen = 0;

			while (nlen < len && !is_blank((unsigned char)line[nlen]) &&
			       line[nlen] != '=')
				nlen++;
			cur = find_edit(eds, n, line, nlen);
			if (cur == NULL) {
				buf_add(&out, line, len);
				continue;
			}
			cur->found++;
			if (mode == 'e')
				buf_addf(&out, "%s = %s\n", cur->name, cur->value);
			else if (mode == '#') {
				buf_addc(&out, '#');
				buf_add(&out, line, len);
			}
			continue;
		}
		/* A continuation line goes with its logical line. */
		if (cur == NULL)
			buf_add(&out, line, len);
		else if (mode == '#') {
			buf_addc(&out, '#');
			buf_add(&out, line, len);
		}
	}
	for (i = 0; i < n; i++) {
		if (eds[i].found > 1)
			postconf_msg_warn("%s: multiple entries for \"%s\"",
					  pc->main_shown, eds[i].name);
		if (mode == 'e' && eds[i].found == 0)
			buf_addf(&out, "%s = %s\n", eds[i].name, eds[i].value);
	}
	if (out.data == NULL)
		buf_adds(&out, "");
	rc = postconf_replace_file(pc->main_path, pc->main_shown, &out);
	buf_reset(&text);
	buf_reset(&out);
	free_edits(eds, n);
	return rc;
}
