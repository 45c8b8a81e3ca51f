/*
 * explain: the protocol-neutral front of the explanation tables: one row
 * per protocol, each with a file explain_<proto>.c.
 */
#include "ui/explain.h"

#include <stddef.h>
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
