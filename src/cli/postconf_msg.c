/*
 * postconf_msg: postconf(1)'s diagnostics, "postconf: warning: ..." and
 * "postconf: fatal: ...", as Postfix's msg(3) prints them. They imitate
 * Postfix, so they are never translated.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli/postconf.h"

void postconf_msg_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("postconf: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int postconf_msg_fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("postconf: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}
