/*
 * postconf: what the pieces of `maillab postconf` share (cmd_postconf.c
 * parses options and finds the files, postconf_show.c prints parameters
 * and master.cf entries, postconf_edit.c edits main.cf in place and
 * postconf_master_edit.c master.cf,
 * postconf_msg.c prints its warnings). Output
 * imitates Postfix 3.7.11's postconf(1) byte for byte
 * (reference/commands/02, 03, 11); it never goes through _().
 */
#ifndef MAILLAB_POSTCONF_H
#define MAILLAB_POSTCONF_H

#include "lib/buf.h"
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
/* Appends text (one line) folded as -f prints it (flags: POSTCONF_MASTER
 * for a master.cf entry), newline included. */
void postconf_fold(unsigned flags, const char *text, size_t len, struct buf *out);
/* The "unused parameter" warnings Postfix gives after listing. */
void postconf_show_unused(struct postconf *pc, int main_cf, int master_cf);

/* postconf -e name=value..., -# name..., -X name...: mode is 'e', '#'
 * or 'X'. 0 or 1. */
int postconf_edit_main(struct postconf *pc, int mode, int argc, char **argv);
/* postconf -Me service/type=entry..., -M# service/type..., -MX
 * service/type...: master.cf edited in place. 0 or 1. */
int postconf_edit_master(struct postconf *pc, int mode, int argc, char **argv);
/* Writes out to path.tmp (path's mode kept) and renames it over path;
 * shown is the name messages use. 0, or 1 (fatal said). */
int postconf_replace_file(const char *path, const char *shown, const struct buf *out);

#endif
