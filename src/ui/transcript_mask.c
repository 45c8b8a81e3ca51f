/*
 * transcript_mask: hide what legitimately differs between two runs of the
 * same session, so that a diff shows only real differences. The rules are
 * reference/capture.py's MASKS, in its order (IMAP UID validities before
 * queue IDs: "UIDVALIDITY 1795903389" must not read as a queue ID), plus
 * Postfix's long queue IDs (enable_long_queue_ids = yes).
 */
#include "ui/transcript.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

struct mask_rule {
	const char *re;		/* POSIX extended */
	const char *repl;	/* replaces the whole match */
	int word_start;		/* the match must not follow a word character */
};

/* Applied before the POP3 UIDL and queue ID rules (mask_words). */
static const struct mask_rule early_rules[] = {
	{ "UIDVALIDITY [0-9]+", "UIDVALIDITY <N>", 0 },
	{ "APPENDUID [0-9]+", "APPENDUID <N>", 0 },
	{ "COPYUID [0-9]+", "COPYUID <N>", 0 },
};

static const struct mask_rule rules[] = {
	/* cleanup's Message-Id: <20261128215951.1F3A6104556@host> */
	{ "<[0-9]{14}\\.[0-9A-F]+@", "<<MSGID>@", 0 },
	{ "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), +[0-9]{1,2} [A-Za-z0-9_]{3} [0-9]{4} "
	  "[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}( \\([A-Za-z0-9_]+\\))?",
	  "<DATE>", 1 },
	/* IMAP INTERNALDATE: "28-Nov-2026 22:02:51 +0000" */
	{ "[0-9]{1,2}-[A-Za-z0-9_]{3}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}",
	  "<IDATE>", 0 },
	{ "TLS established \\(.*\\)", "TLS established (<VERSION>)", 0 },
	/* Dovecot's command timing: "(0.001 + 0.000 secs)", three terms
	 * when the command waited for a lock */
	{ "\\(Completed in [0-9]+\\.[0-9]+ secs\\)|"
	  "\\([0-9]+\\.[0-9]+ \\+ [0-9]+\\.[0-9]+( \\+ [0-9]+\\.[0-9]+)? secs\\)",
	  "(<TIME>)", 0 },
	{ "reply delayed ~[0-9]+ s", "reply delayed", 0 },
};

static regex_t compiled[ARRAY_LEN(rules)];
static regex_t compiled_early[ARRAY_LEN(early_rules)];
static int compiled_ok;

static void compile_rules(void)
{
	size_t i;

	if (compiled_ok)
		return;
	for (i = 0; i < ARRAY_LEN(rules); i++)
		BUG_ON(regcomp(&compiled[i], rules[i].re, REG_EXTENDED) != 0);
	for (i = 0; i < ARRAY_LEN(early_rules); i++)
		BUG_ON(regcomp(&compiled_early[i], early_rules[i].re,
			       REG_EXTENDED) != 0);
	compiled_ok = 1;
}

static int is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static char *apply_rule(const struct mask_rule *rule, regex_t *re,
			const char *in)
{
	struct buf out;
	const char *p = in;
	regmatch_t m;
	int flags = 0;

	buf_init(&out);
	while (regexec(re, p, 1, &m, flags) == 0) {
		const char *start = p + m.rm_so;

		if (m.rm_eo == m.rm_so) {
			break;
		}
		if (rule->word_start && start > in && is_word(start[-1])) {
			buf_add(&out, p, (size_t)m.rm_so + 1);
			p = start + 1;
			flags = REG_NOTBOL;
			continue;
		}
		buf_add(&out, p, (size_t)m.rm_so);
		buf_adds(&out, rule->repl);
		p += m.rm_eo;
		flags = REG_NOTBOL;
	}
	buf_adds(&out, p);
	return buf_steal(&out, NULL);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int is_upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* A queue ID ends at ';', ':', white space, a backslash (the escaped
 * "\r\n" after it) or the end of the line. */
static int id_end(char c)
{
	return c == '\0' || c == ';' || c == ':' || c == '\\' || is_space(c);
}

/*
 * capture.py: (queued as |id |^|\s)[0-9A-F]{10,12}(?=[;:\s\\]|$). Both
 * prefixes end in a space, so "at the start or after white space" covers
 * them. After "queued as " a long-form ID ([0-9A-Za-z], 10-20) counts too.
 */
static char *mask_queue_ids(const char *in)
{
	struct buf out;
	size_t i = 0, n = strlen(in);

	buf_init(&out);
	while (i < n) {
		int at_start = i == 0 || is_space(in[i - 1]);
		size_t j = i;

		if (at_start) {
			while (j < n && is_upper_hex(in[j]))
				j++;
			if (j - i >= 10 && j - i <= 12 && id_end(in[j])) {
				buf_adds(&out, "<QID>");
				i = j;
				continue;
			}
			if (i >= 10 && strncmp(in + i - 10, "queued as ", 10) == 0) {
				j = i;
				while (j < n && isalnum((unsigned char)in[j]))
					j++;
				if (j - i >= 10 && j - i <= 20 && id_end(in[j])) {
					buf_adds(&out, "<QID>");
					i = j;
					continue;
				}
			}
		}
		buf_addc(&out, in[i++]);
	}
	return buf_steal(&out, NULL);
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * capture.py: \b([0-9a-f]{8})[0-9a-f]{8}\b -> \1<UIDV>: Dovecot's POP3
 * UIDL is the UID and the UIDVALIDITY in hex, 8 digits each; only the
 * second half changes between runs.
 */
static char *mask_uidl(const char *in)
{
	struct buf out;
	size_t i = 0, n = strlen(in);

	buf_init(&out);
	while (i < n) {
		size_t j = i, k;

		if (!is_word(in[i]) || (i > 0 && is_word(in[i - 1]))) {
			buf_addc(&out, in[i++]);
			continue;
		}
		while (j < n && is_word(in[j]))
			j++;
		for (k = i; k < j && is_lower_hex(in[k]); k++)
			;
		if (j - i == 16 && k == j) {
			buf_add(&out, in + i, 8);
			buf_adds(&out, "<UIDV>");
		} else {
			buf_add(&out, in + i, j - i);
		}
		i = j;
	}
	return buf_steal(&out, NULL);
}

char *transcript_mask(const char *line)
{
	char *cur = xstrdup(line), *next;
	size_t r;

	compile_rules();
	for (r = 0; r < ARRAY_LEN(early_rules); r++) {
		next = apply_rule(&early_rules[r], &compiled_early[r], cur);
		free(cur);
		cur = next;
	}
	next = mask_uidl(cur);
	free(cur);
	cur = next;
	for (r = 0; r < ARRAY_LEN(rules); r++) {
		next = apply_rule(&rules[r], &compiled[r], cur);
		free(cur);
		cur = next;
	}
	next = mask_queue_ids(cur);
	free(cur);
	return next;
}
