/*
 * conf: main.cf as Postfix reads it (postconf(5)): comments, continuation
 * lines that start with white space, "name = value", later lines win,
 * $name / ${name} / $(name) expansion, and the Postfix 3.7 default of every
 * parameter maillab uses (`postconf -d`, see reference/commands/02).
 *
 * A struct conf is one main.cf plus overrides (master.cf -o, postconf -e,
 * a lab's settings). Values are kept raw, as written; conf_get() expands.
 *
 * The defaults of myhostname, mydomain and mynetworks depend on the
 * machine (its host name and interface addresses). In maillab the machine
 * is the virtual host: its owner says so with conf_set_machine().
 *
 * What it leaves to others: reading master.cf (mastercf.h), editing
 * main.cf in place (postconf -e, src/cli/cmd_postconf.c), and the meaning
 * of each parameter (the daemons that read them).
 */
#ifndef MAILLAB_CONF_H
#define MAILLAB_CONF_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct conf;

/* A conf with only the built-in defaults. */
struct conf *conf_new(void);
void conf_free(struct conf **cp);

/*
 * Reads main.cf. 0 on success; -1 with e->text naming the file and line
 * ("/x/main.cf, line 3: missing '=' after attribute name: \"foo\"") for a
 * bad line or an unreadable file ("open /x/main.cf: No such file or
 * directory", errnum set). A bad line never stops the rest from being
 * read: the settings before and after it are kept; e holds the first.
 */
int conf_load(struct conf *c, const char *path, struct err *e);
/* The same from memory; `name` is used in error texts. */
int conf_parse(struct conf *c, const char *name, const char *text,
	       size_t len, struct err *e);

/*
 * Where warnings go (Postfix's words without the "postconf: warning: "
 * prefix): "/x/main.cf: logical line must not start with whitespace: ...",
 * "/x/main.cf, line 7: overriding earlier entry: relayhost=x". Without a
 * handler they are dropped.
 */
void conf_set_warn(struct conf *c,
		   void (*fn)(void *ctx, const char *text), void *ctx);

/*
 * The machine: its host name ("mail.b.example", or "vm" without a domain)
 * and its interface addresses as "address/prefix-length" ("127.0.0.1/8",
 * "::1/128", "192.0.2.25/24"), NULL-terminated; both are copied. Postfix
 * computes from them: myhostname (the name, plus ".$mydomain" or
 * ".localdomain" when it has no dot), mydomain (myhostname minus its first
 * label, or "localdomain") and mynetworks (per mynetworks_style: host ->
 * each address /32 or /128, subnet -> each interface's network, class ->
 * the IPv4 class A/B/C network; only the families inet_protocols allows).
 * Without a call: "localhost" with 127.0.0.1/8 and ::1/128.
 */
void conf_set_machine(struct conf *c, const char *hostname,
		      const char *const *networks);

/*
 * Registers the per-transport parameters Postfix derives from a master.cf
 * service whose command is a delivery agent (smtp, lmtp, local, virtual,
 * pipe, error): NAME_destination_concurrency_limit and 15 more, plus
 * NAME_time_limit for pipe. Other commands are ignored.
 */
void conf_add_service(struct conf *c, const char *service,
		      const char *command);

/* Sets a raw value (as postconf -e or master.cf -o do). */
void conf_set(struct conf *c, const char *name, const char *value);
/* Removes an explicit setting: the default applies again. */
void conf_unset(struct conf *c, const char *name);
/* Removes every explicit setting (before re-reading main.cf: conf_load
 * adds to what is there). The machine and services stay. */
void conf_clear(struct conf *c);

/* The raw value, explicit or default; NULL for an unknown parameter. */
const char *conf_raw(const struct conf *c, const char *name);
/* Nonzero when main.cf or an override set it (postconf -n lists these). */
int conf_is_set(const struct conf *c, const char *name);
/* Nonzero for a parameter Postfix knows (defaults table, a registered
 * service's parameters, a legacy name), set or not. */
int conf_is_known(const struct conf *c, const char *name);
/* Nonzero for a parameter Postfix never expands at configuration time
 * (smtpd_reject_footer, forward_path, mailbox_command, ...). */
int conf_is_raw_param(const char *name);
/* The line of main.cf that set name, 0 for an override or no setting. */
int conf_set_line(const struct conf *c, const char *name);

/*
 * The expanded value ($name, ${name}, ${name?value}, ${name:value},
 * ${{$compatibility_level} <level {2} ? {a} : {b}}); owned by c, valid
 * until the next conf_set/conf_unset/conf_load. NULL for unknown. Raw
 * parameters come back as written. On a syntax error the text expanded so
 * far is returned (conf_expand() reports errors).
 */
const char *conf_get(struct conf *c, const char *name);
/* Typed getters on the expanded value; an unknown or malformed value
 * falls back to the parameter's default (0 when that fails too). */
long conf_get_int(struct conf *c, const char *name);
int conf_get_bool(struct conf *c, const char *name);	/* yes/no */
long conf_get_time(struct conf *c, const char *name, char unit); /* 's' 'm' 'h' 'd' 'w' as default unit, returns seconds */

/* The Postfix 3.7 default (raw), or NULL for a parameter we do not know.
 * For myhostname, mydomain, mynetworks and process_id this is what a
 * "localhost" machine gets; conf_default_value() computes the real one. */
const char *conf_default(const char *name);
/* The default on c's machine, as `postconf -d` shows it (main.cf and
 * overrides ignored); NULL for unknown. Owned by c, valid like conf_get. */
const char *conf_default_value(struct conf *c, const char *name);
/* The defaults-only view of c (same machine and services, no settings),
 * for `postconf -d -x`. Owned by c. */
struct conf *conf_defaults_view(struct conf *c);

/*
 * Expands text the way Postfix expands a parameter value (mac_expand(3)
 * with recursion): appends the result to out. 0, or -1 with e->text
 * holding Postfix's warning ("truncated macro reference: \"${y\"",
 * "unreasonable macro call nesting: \"x\"", "malformed compatibility level
 * syntax: \"abc\"", ...); out then holds what was expanded before the
 * error. undef (may be NULL) is called for each name that is neither a
 * known parameter nor set ("undefined parameter").
 */
int conf_expand(struct conf *c, const char *text, struct buf *out,
		void (*undef)(void *ctx, const char *name), void *ctx,
		struct err *e);
/* Calls fn for every $name, ${name...} and $(name...) that text refers
 * to, including names inside conditional and relational operands. */
void conf_expand_names(const char *text,
		       void (*fn)(void *ctx, const char *name, size_t len),
		       void *ctx);

/* Calls fn for every parameter name with an explicit setting, sorted. */
void conf_foreach_set(const struct conf *c,
		      void (*fn)(void *ctx, const char *name, const char *raw),
		      void *ctx);
/* Calls fn for every known parameter (defaults table), sorted. */
void conf_foreach_known(void (*fn)(void *ctx, const char *name,
				   const char *def), void *ctx);
/* Calls fn for every parameter `postconf -d` lists on c (the table plus
 * registered services, legacy names left out), sorted, with the default
 * on c's machine. */
void conf_foreach_default(struct conf *c,
			  void (*fn)(void *ctx, const char *name,
				     const char *def), void *ctx);

/* Splits a list value on white space and commas, as Postfix does; a
 * "{ ... }" group is one element, braces kept. Returns a NULL-terminated
 * vector the caller frees with conf_list_free. */
char **conf_split_list(const char *value);
void conf_list_free(char ***vp);

#endif
