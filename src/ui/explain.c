/*
 * explain: the protocol-neutral front of the explanation tables: one row
 * per protocol, each with a file explain_<proto>.c, and the lookups those
 * files share.
 */
#include "ui/explain.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

struct explain_proto_ops {
	const char *name;
	enum explain_proto proto;
	char *(*reply)(const char *command, const char *reply);
	char *(*command)(const char *command);
	char *(*delay)(long ms);
};

static const struct explain_proto_ops protos[] = {
	{ "smtp", EXPLAIN_SMTP, explain_smtp_reply, explain_smtp_command,
	  explain_smtp_delay },
	{ "pop3", EXPLAIN_POP3, explain_pop3_reply, explain_pop3_command,
	  explain_pop3_delay },
	{ "imap", EXPLAIN_IMAP, explain_imap_reply, explain_imap_command,
	  explain_imap_delay },
};

static const struct explain_proto_ops *find(enum explain_proto p)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protos); i++)
		if (protos[i].proto == p)
			return &protos[i];
	return NULL;
}

int explain_proto_from_name(const char *name, enum explain_proto *out)
{
	size_t i;

	for (i = 0; name != NULL && i < ARRAY_LEN(protos); i++)
		if (strcasecmp(protos[i].name, name) == 0) {
			*out = protos[i].proto;
			return 0;
		}
	return -1;
}

char *explain_reply(enum explain_proto proto, const char *command,
		    const char *reply)
{
	const struct explain_proto_ops *o = find(proto);

	if (o == NULL || o->reply == NULL || reply == NULL)
		return NULL;
	return o->reply(command, reply);
}

char *explain_command(enum explain_proto proto, const char *command)
{
	const struct explain_proto_ops *o = find(proto);

	if (o == NULL || o->command == NULL)
		return NULL;
	return o->command(command);
}

char *explain_delay(enum explain_proto proto, long ms)
{
	const struct explain_proto_ops *o = find(proto);

	if (o != NULL && o->delay != NULL)
		return o->delay(ms);
	return xasprintf(_("(the server waits %.1f s before it answers)"),
			 (double)ms / 1000.0);
}

const struct explain_word *explain_word_find(const struct explain_word *t,
					     size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(t[i].word) == len && strncasecmp(t[i].word, s, len) == 0)
			return &t[i];
	return NULL;
}

const void *explain_rule_find(const void *rules, size_t n, size_t size,
			      const char *verb,
			      int (*fits)(const void *row, const void *ctx),
			      const void *ctx)
{
	size_t i;
	int pass;

	/* Rules for this very command first, then those for any command. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			const void *row = (const char *)rules + i * size;
			/* a struct's first member: the row's verb */
			const char *v = *(const char *const *)row;

			if ((v == NULL) != (pass == 1))
				continue;
			if (v != NULL && strcmp(v, verb) != 0)
				continue;
			if (fits(row, ctx))
				return row;
		}
	return NULL;
}

int explain_contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

char *explain_compose(const char *kind, const char *code, const char *why)
{
	if (code != NULL && why != NULL)
		/* TRANSLATORS: "250 = ...; 2.1.0 = ... . Why." */
		return xasprintf(_("%s; %s. %s"), kind, code, _(why));
	if (code != NULL)
		return xasprintf(_("%s; %s."), kind, code);
	if (why != NULL)
		return xasprintf(_("%s. %s"), kind, _(why));
	return xasprintf(_("%s."), kind);
}
