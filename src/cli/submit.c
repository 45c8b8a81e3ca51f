/*
 * Message input and recipient extraction for sendmail and mail. See
 * submit.h.
 */
#include "cli/submit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

char *submit_read(FILE *f, int ignore_dots)
{
	struct buf b;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	buf_init(&b);
	buf_adds(&b, "");
	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;

		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		/* sendmail(1): without -i a line with only "." ends the input */
		if (!ignore_dots && len == 1 && line[0] == '.')
			break;
		buf_add(&b, line, len);
		buf_addc(&b, '\n');
	}
	free(line);
	return buf_steal(&b, NULL);
}

static void add(char ***rcpts, size_t *n, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return;
	*rcpts = xrealloc(*rcpts, (*n + 2) * sizeof(**rcpts));
	(*rcpts)[(*n)++] = xstrndup(s, len);
	(*rcpts)[*n] = NULL;
}

/* "Name <a@b>, c@d (comment)" -> a@b, c@d */
static void parse_list(const char *v, char ***rcpts, size_t *n)
{
	const char *p = v;

	while (*p != '\0') {
		const char *end = p;
		int quote = 0, angle = 0;
		const char *lt, *gt;

		while (*end != '\0' && (quote || angle || *end != ',')) {
			if (*end == '"')
				quote = !quote;
			else if (*end == '<' && !quote)
				angle = 1;
			else if (*end == '>' && !quote)
				angle = 0;
			end++;
		}
		lt = memchr(p, '<', (size_t)(end - p));
		gt = lt != NULL ? memchr(lt, '>', (size_t)(end - lt)) : NULL;
		if (lt != NULL && gt != NULL) {
			add(rcpts, n, lt + 1, (size_t)(gt - lt - 1));
		} else {
			const char *paren = memchr(p, '(', (size_t)(end - p));

			add(rcpts, n, p, (size_t)((paren != NULL ? paren : end) - p));
		}
		p = *end == ',' ? end + 1 : end;
	}
}

void submit_extract(char *msg, char ***rcpts, size_t *n)
{
	char *p = msg, *w = msg;
	int in_bcc = 0;

	while (*p != '\0') {
		char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
		int cont = (*p == ' ' || *p == '\t');

		if (len == 1 && *p == '\n') {
			memmove(w, p, strlen(p) + 1);	/* the body stays as is */
			return;
		}
		if (!cont)
			in_bcc = 0;
		if (!cont && (strncasecmp(p, "To:", 3) == 0 || strncasecmp(p, "Cc:", 3) == 0
			      || strncasecmp(p, "Bcc:", 4) == 0)) {
			char *colon = strchr(p, ':');
			char *v = xstrndup(colon + 1, len - (size_t)(colon + 1 - p));

			parse_list(v, rcpts, n);
			free(v);
			in_bcc = strncasecmp(p, "Bcc:", 4) == 0;
		} else if (cont && !in_bcc) {
			/* a folded To/Cc line adds addresses too; we only
			 * keep it (XXX its addresses are not extracted) */
		}
		if (in_bcc) {
			p += len;
			continue;
		}
		memmove(w, p, len);
		w += len;
		p += len;
	}
	*w = '\0';
}
