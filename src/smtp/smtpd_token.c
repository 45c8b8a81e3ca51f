/* smtpd_token: see smtpd_token.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtp/smtpd_token.h"

/*
 * Copies a <...> or "..." group into the word. The stack holds the closing
 * characters still expected: inside <>, a quote opens a nested quoted part
 * and a further < nests. Returns the position after the group; *bad is set
 * when the line ends first.
 */
static const char *quoted(const char *cp, struct buf *w, int open, int close,
			  int *bad)
{
	struct buf want;
	int c;

	buf_init(&want);
	buf_addc(&want, (char)close);
	buf_addc(w, (char)open);
	while ((c = (unsigned char)*cp) != 0) {
		cp++;
		buf_addc(w, (char)c);
		if (c == '\\') {
			if (*cp == 0)
				break;
			buf_addc(w, *cp++);
		} else if (c == (unsigned char)want.data[want.len - 1]) {
			if (want.len == 1) {
				buf_reset(&want);
				return cp;
			}
			want.len--;
		} else if (c == '"') {
			buf_addc(&want, '"');
		} else if (c == '<' && want.data[want.len - 1] == '>') {
			buf_addc(&want, '>');
		}
	}
	buf_reset(&want);
	*bad = 1;
	return cp;
}

static const char *next_word(const char *cp, struct buf *w, int *bad)
{
	int c;

	buf_clear(w);
	*bad = 0;
	while ((c = (unsigned char)*cp) != 0) {
		cp++;
		if (isspace(c)) {
			while (*cp && isspace((unsigned char)*cp))
				cp++;
			if (w->len > 0)
				break;
		} else if (c == '<') {
			cp = quoted(cp, w, '<', '>', bad);
		} else if (c == '"') {
			cp = quoted(cp, w, '"', '"', bad);
		} else if (c == ':') {
			/* "FROM:" and "TO:" end a word even without space */
			buf_addc(w, ':');
			if (strcasecmp(w->data, "from:") == 0
			    || strcasecmp(w->data, "to:") == 0)
				break;
		} else {
			if (c == '\\') {
				buf_addc(w, '\\');
				if ((c = (unsigned char)*cp) == 0)
					break;
				cp++;
			}
			buf_addc(w, (char)c);
		}
	}
	return w->len > 0 ? cp : NULL;
}

int smtpd_token_split(const char *line, struct smtpd_token **argv_out)
{
	struct smtpd_token *argv = NULL;
	struct buf w;
	size_t cap = 0;
	int argc = 0;
	int bad;

	buf_init(&w);
	for (;;) {
		line = next_word(line, &w, &bad);
		if (line == NULL)
			break;
		if ((size_t)argc == cap) {
			cap = cap ? cap * 2 : 8;
			argv = xrealloc(argv, cap * sizeof(*argv));
		}
		argv[argc].str = xstrndup(w.data, w.len);
		argv[argc].bad = bad;
		argc++;
	}
	buf_reset(&w);
	if (argv == NULL)
		argv = xcalloc(1, sizeof(*argv));
	*argv_out = argv;
	return argc;
}

void smtpd_token_free(struct smtpd_token **argvp, int argc)
{
	int i;

	if (*argvp == NULL)
		return;
	for (i = 0; i < argc; i++)
		free((*argvp)[i].str);
	free(*argvp);
	*argvp = NULL;
}
