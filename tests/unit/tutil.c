/* Helpers shared by the CUnit suites; see tutil.h. */
#include "tutil.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"

char *tu_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = xasprintf("%s/maillab-unit.XXXXXX", t != NULL && t[0] ? t : "/tmp");

	if (mkdtemp(p) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return p;
}

void tu_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL) {
		(void)unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", path, de->d_name);
		tu_rmtree(p);
		free(p);
	}
	closedir(d);
	(void)rmdir(path);
}

void tu_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			(void)mkdir(p, 0700);
			*s = '/';
		}
	}
	(void)mkdir(p, 0700);
	free(p);
}

void tu_write_file(const char *path, const void *data, size_t len)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	FILE *f;

	if (slash != NULL) {
		*slash = '\0';
		tu_mkdirs(dir);
	}
	free(dir);
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (len > 0)
		CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
	(void)chmod(path, 0600);
}

char *tu_read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap * 2 + 4096;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (buf == NULL)
		buf = xmalloc(1);
	buf[len] = '\0';
	if (len_out != NULL)
		*len_out = len;
	return buf;
}

void tu_copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = tu_read_file(from, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	tu_write_file(to, data, len);
	free(data);
}

void tu_assert_same_file(const char *got, const char *want)
{
	size_t gl, wl, i, line = 1, ls = 0;
	char *g = tu_read_file(got, &gl), *w = tu_read_file(want, &wl);

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	for (i = 0; i < gl && i < wl && g[i] == w[i]; i++) {
		if (g[i] == '\n') {
			line++;
			ls = i + 1;
		}
	}
	if (i != gl || i != wl) {
		int gn = (int)strcspn(g + ls, "\n"), wn = (int)strcspn(w + ls, "\n");

		fprintf(stderr, "\n%s differs from %s at line %zu:\n got: [%.*s]\nwant: [%.*s]\n",
			got, want, line, gn, g + ls, wn, w + ls);
		CU_FAIL("files differ");
	}
	free(g);
	free(w);
}

void tu_count_expunge(void *ctx, size_t idx, uint32_t uid)
{
	(void)idx;
	(void)uid;
	(*(size_t *)ctx)++;
}

size_t tu_unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in != '\0') {
		if (*in != '\\' || in[1] == '\0') {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'r': out[n++] = '\r'; in++; break;
		case 'n': out[n++] = '\n'; in++; break;
		case 't': out[n++] = '\t'; in++; break;
		case '\\': out[n++] = '\\'; in++; break;
		case 'x': {
			unsigned v = 0;

			if (sscanf(in + 1, "%2x", &v) == 1) {
				out[n++] = (char)v;
				in += 3;
			} else {
				out[n++] = 'x';
				in++;
			}
			break;
		}
		default:
			out[n++] = *in++;
			break;
		}
	}
	return n;
}
