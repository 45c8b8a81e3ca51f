/*
 * Weak placeholders for commands not built yet: each says so and exits 1.
 * A cmd_<name>.c that defines the command replaces its placeholder at link
 * time (all objects are linked directly, never through an archive).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "lib/i18n.h"

static int not_yet(const char *name)
{
	fprintf(stderr, _("maillab %s: not available in this version yet\n"), name);
	return 1;
}

#define STUB(name) \
	__attribute__((weak)) int cmd_##name(struct cli *cli, int argc, char **argv) \
	{ (void)cli; (void)argc; (void)argv; return not_yet(#name); }

STUB(init)
STUB(demo)
STUB(console)
STUB(serve)
STUB(listen)
STUB(replay)
STUB(lab)
STUB(postconf)
STUB(postqueue)
STUB(mailq)
STUB(postsuper)
STUB(postcat)
STUB(postmap)
STUB(newaliases)
STUB(sendmail)
STUB(mail)
STUB(postfix)
STUB(doveadm)
