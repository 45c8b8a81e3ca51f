/*
 * postconf: what the pieces of `maillab postconf` share (cmd_postconf.c
 * parses options and finds the files, postconf_show.c prints parameters
 * and master.cf entries, postconf_edit.c edits main.cf in place,
 * postconf_msg.c prints its warnings). Output
 * imitates Postfix 3.7.11's postconf(1) byte for byte
 * (reference/commands/02, 03, 11); it never goes through _().
 */
#ifndef MAILLAB_POSTCONF_H
#define MAILLAB_POSTCONF_H

#include "lib/conf.h"
#include "lib/mastercf.h"

enum {
	POSTCONF_DEFAULTS = 1 << 0,	/* -d */
	POSTCONF_NONDEF = 1 << 1,	/* -n */
	POSTCONF_NONAME = 1 << 2,	/* -h */
	POSTCONF_EXPAND = 1 << 3,	/* -x */
	POSTCONF_MASTER = 1 << 4,	/* -M */
	POSTCONF_FOLD = 1 << 5,		/* -f: fold long lines */
};

struct postconf {
	unsigned flags;
	struct conf *conf;
	struct mastercf master;
	int master_ok;		/* master.cf was read */
	char *main_path;	/* the real file */
	char *main_shown;	/* as Postfix names it: "/etc/postfix/main.cf" */
	char *master_path;
	char *master_shown;
};

/* Prints "postconf: warning: TEXT" (stdout flushed first, to keep order). */
void postconf_msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "postconf: fatal: TEXT"; returns 1, the exit status. */
int postconf_msg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* postconf [-d|-n] [-h] [-x] [name...]: 0 or 1. */
int postconf_show_params(struct postconf *pc, int argc, char **argv);
/* postconf -M [service[/type]...]: 0 or 1. */
int postconf_show_master(struct postconf *pc, int argc, char **argv);
/* The "unused parameter" warnings Postfix gives after listing. */
void postconf_show_unused(struct postconf *pc, int main_cf, int master_cf);

/* postconf -e name=value..., -# name..., -X name...: mode is 'e', '#'
 * or 'X'. 0 or 1. */
int postconf_edit_main(struct postconf *pc, int mode, int argc, char **argv);

#endif
