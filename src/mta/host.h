/*
 * host: one virtual mail host of the world: its directory (laid out like
 * the real system), its Postfix configuration (etc/postfix/main.cf and
 * master.cf), its users (etc/passwd) and aliases (etc/aliases), and its
 * mail.log (var/log/mail.log, Debian 12 rsyslog format).
 *
 * Everything is read from the files a learner can cat and edit; nothing
 * about users or parameters is remembered elsewhere. host_reload() picks
 * up edits, as "postfix reload" (and each new smtpd process) would.
 */
#ifndef MAILLAB_HOST_H
#define MAILLAB_HOST_H

#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/mastercf.h"
#include "lib/trace.h"

struct world;
struct alias;
struct passwd_entry;

struct host {
	char *name;		/* "centos.localdomain" */
	char *dir;		/* ROOT/hosts/<name> */
	struct conf *conf;	/* etc/postfix/main.cf with defaults */
	struct mastercf master;	/* etc/postfix/master.cf */
	struct world *world;	/* borrowed from the world that opened it */
	struct trace_sink trace;/* where log lines and moves are traced */
	void *priv;		/* users, aliases, pids: host.c's own */
};

/* Opens ROOT/hosts/<name>; reads main.cf, master.cf, users, aliases.
 * Config errors are logged as Postfix would and do not stop the host. */
struct host *host_open(struct world *w, const char *name, struct err *e);
void host_free(struct host **hp);
/* postfix reload: re-reads the configuration, and anvil(8) exits: its
 * statistics (host_anvil()) are logged right after the next line this
 * host logs (master's "reload -- ..."). */
int host_reload(struct host *h, struct err *e);
/* Re-reads the configuration only, as each new smtpd process does. */
int host_reread(struct host *h, struct err *e);
/* The host's anvil(8) (mta/anvil.h), made on first use. */
struct anvil;
struct anvil *host_anvil(struct host *h);

/*
 * A new conf for this host: the virtual machine set (its name, 127.0.0.1/8,
 * ::1/128 and its address, so myhostname/mydomain/mynetworks defaults are
 * its own), the master.cf services registered, main.cf read. Errors in
 * main.cf go to e (the conf keeps the good lines). Caller frees.
 */
struct conf *host_conf_new(struct host *h, struct err *e);

/* ROOT/hosts/<name>/<rel>; caller frees. */
char *host_path(const struct host *h, const char *rel);

/* A local account (passwd) of this host: "wees", "nobody", "root". */
int host_has_user(const struct host *h, const char *user);
/* An alias in etc/aliases (left side), case-insensitive as Postfix. */
int host_has_alias(const struct host *h, const char *name);

/* The stable PID a Postfix process of this host shows ("smtpd" -> 14013).
 * "postfix/smtpd" and "smtpd" give the same number. */
int host_pid(struct host *h, const char *process);

/* myhostname (expanded), "centos.localdomain". Owned by the host. */
const char *host_myhostname(struct host *h);
/* myorigin expanded; a value starting with '/' names a file whose first
 * line is used (Debian: myorigin = /etc/mailname -> the host's
 * etc/mailname). Owned by the host, valid until host_reload(). */
const char *host_myorigin(struct host *h);
/* The first label of myhostname: the host field of mail.log ("centos"). */
const char *host_log_name(struct host *h);
/* The host's virtual IP from world.conf ("192.0.2.25"), or NULL. */
const char *host_addr(const struct host *h);
/* The alias entry for a name (struct alias, mta/aliases.h), or NULL. */
const struct alias *host_alias(const struct host *h, const char *name);
/* The passwd entry of a user (mta/passwd.h), or NULL. */
const struct passwd_entry *host_user(const struct host *h, const char *user);
/* A per-host counter for the simulated client ports etc.: 1, 2, 3, ... */
unsigned host_next_serial(struct host *h);

/*
 * Appends one line to var/log/mail.log in Debian 12's rsyslog format
 * ("2026-11-28T21:59:50.190157+00:00 centos postfix/smtpd[14013]: text")
 * and traces it. process is "postfix/smtpd". With maillog_file set (a
 * name under /var), the line goes there instead, in postlogd's format
 * ("Nov 28 22:05:51 centos postfix/pickup[14927]: text"), except
 * master's own lines.
 */
void host_log(struct host *h, mtime_t now, const char *process,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The same line without "[PID]": "... centos dovecot: pop3-login: ...".
 * Dovecot logs through its log process, whose syslog ident is plain
 * "dovecot" (reference/transcripts/pop3/01-*.log). Traced with process
 * = ident.
 */
void host_log_raw(struct host *h, mtime_t now, const char *ident,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Turns of an event loop (the listener). While no loop counts turns
 * (host_turn() == 0, the default and after host_turn_stop()), what is
 * looked up on disk per use (mail.log's identity, the configuration
 * files' signatures) is looked up at every use. A loop calls
 * host_turn_next() each time it wakes from waiting: such a look-up is then
 * made at most once per turn, since what other processes change (a
 * rotation, postconf -e) is changed while the loop waits, and a turn is
 * short. A forked child that does not count turns calls host_turn_stop().
 */
void host_turn_next(void);
void host_turn_stop(void);
unsigned long host_turn(void);

#endif
