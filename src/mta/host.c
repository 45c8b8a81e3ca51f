/*
 * host: one virtual mail host. See host.h.
 */
#include "mta/host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/aliases.h"
#include "mta/anvil.h"
#include "mta/passwd.h"
#include "sim/world.h"

struct host_state {
	struct passwd_db passwd;
	struct aliases aliases;
	char *myorigin;		/* resolved (file read) */
	char *logname;		/* first label of myhostname */
	char *myhostname;
	char *addr;
	unsigned serial;
	struct anvil *anvil;	/* anvil(8)'s memory, see host_anvil() */
	char **anvil_said;	/* its exit lines, logged after the next line */
	int in_log;
	/* mail.log kept open (log_append()): log_fd is valid when log_path
	 * is set; log_dev/log_ino are the file it was opened as. */
	char *log_path;
	int log_fd;
	dev_t log_dev;
	ino_t log_ino;
	unsigned long log_turn;	/* host_turn() when last checked, or 0 */
};

static unsigned long turn_count;

void host_turn_next(void)
{
	if (++turn_count == 0)
		turn_count = 1;
}

void host_turn_stop(void)
{
	turn_count = 0;
}

unsigned long host_turn(void)
{
	return turn_count;
}

static struct host_state *st(const struct host *h)
{
	return h->priv;
}

char *host_path(const struct host *h, const char *rel)
{
	while (*rel == '/')
		rel++;
	return xasprintf("%s/%s", h->dir, rel);
}

/* Reads the first line of a host file (Postfix: myorigin = /etc/mailname). */
static char *first_line(const struct host *h, const char *rel)
{
	char *path = host_path(h, rel);
	FILE *f = fopen(path, "r");
	char line[1024];
	char *out = NULL;

	free(path);
	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = 0;
		out = xstrdup(line);
	}
	fclose(f);
	return out;
}

/* A config problem: logged as a warning the way Postfix programs log them. */
static void config_warning(struct host *h, const struct err *e)
{
	host_log(h, clock_real_now(), "postfix/master", "warning: %s", e->text);
}

static void derive(struct host *h)
{
	struct host_state *s = st(h);
	const char *v;
	size_t n;

	free(s->myhostname);
	free(s->myorigin);
	free(s->logname);
	/* without a myhostname line: the machine's, i.e. the host's name */
	v = conf_get(h->conf, "myhostname");
	s->myhostname = xstrdup(v != NULL && *v != 0 ? v : h->name);
	v = conf_get(h->conf, "myorigin");
	if (v == NULL || *v == 0)
		v = s->myhostname;
	s->myorigin = v[0] == '/' ? first_line(h, v) : xstrdup(v);
	if (s->myorigin == NULL || s->myorigin[0] == 0) {
		free(s->myorigin);
		s->myorigin = xstrdup(s->myhostname);
	}
	n = strcspn(s->myhostname, ".");
	s->logname = xstrndup(s->myhostname, n);
}

struct conf *host_conf_new(struct host *h, struct err *e)
{
	struct host_state *s = st(h);
	struct conf *c = conf_new();
	const char *nets[4];
	char *own = NULL, *path;
	size_t i, n = 0;

	nets[n++] = "127.0.0.1/8";
	nets[n++] = "::1/128";
	if (s->addr != NULL) {
		own = xasprintf("%s/%d", s->addr, strchr(s->addr, ':') ? 64 : 24);
		nets[n++] = own;
	}
	nets[n] = NULL;
	conf_set_machine(c, h->name, nets);
	free(own);
	for (i = 0; i < h->master.nservices; i++)
		conf_add_service(c, h->master.services[i].service,
				 h->master.services[i].command);
	path = host_path(h, "etc/postfix/main.cf");
	if (conf_load(c, path, e) != 0) {
		free(path);
		return c;
	}
	free(path);
	if (e != NULL)
		e->text[0] = 0;
	return c;
}

/* What anvil logs when `postfix reload` makes it exit. */
static void anvil_exits(struct host *h)
{
	struct host_state *s = st(h);
	long unit = h->conf != NULL ? conf_get_time(h->conf, "anvil_rate_time_unit", 's') : 60;
	char **said;
	size_t i;

	if (s->anvil == NULL)
		return;
	said = anvil_exit(s->anvil, unit * 1000);
	if (said == NULL)
		return;
	if (s->anvil_said != NULL) {
		for (i = 0; s->anvil_said[i] != NULL; i++)
			free(s->anvil_said[i]);
		free(s->anvil_said);
	}
	s->anvil_said = said;
}

struct anvil *host_anvil(struct host *h)
{
	struct host_state *s = st(h);

	if (s->anvil == NULL)
		s->anvil = anvil_new();
	return s->anvil;
}

int host_reload(struct host *h, struct err *e)
{
	anvil_exits(h);
	return host_reread(h, e);
}

int host_reread(struct host *h, struct err *e)
{
	struct err e1;
	struct host_state *s = st(h);
	char *path;
	int rc = 0;

	/* master.cf first: its services name per-transport parameters */
	mastercf_reset(&h->master);
	path = host_path(h, "etc/postfix/master.cf");
	if (mastercf_load(&h->master, path, &e1) != 0) {
		config_warning(h, &e1);
		if (e != NULL)
			*e = e1;
		rc = -1;
	}
	free(path);

	conf_free(&h->conf);
	e1.text[0] = 0;
	h->conf = host_conf_new(h, &e1);
	if (e1.text[0] != 0) {
		config_warning(h, &e1);
		if (rc == 0 && e != NULL)
			*e = e1;
		rc = -1;
	}

	derive(h);

	path = host_path(h, "etc/passwd");
	if (passwd_load(&s->passwd, path, &e1) != 0 && e1.errnum == 0)
		config_warning(h, &e1);
	free(path);
	path = host_path(h, "etc/aliases");
	if (aliases_load(&s->aliases, path, &e1) != 0 && e1.errnum == 0)
		host_log(h, clock_real_now(), "postfix/postalias", "warning: %s", e1.text);
	free(path);
	return rc;
}

struct host *host_open(struct world *w, const char *name, struct err *e)
{
	struct host *h;
	struct host_state *s;
	const struct world_hostdef *d;
	struct stat sb;
	char *dir = xasprintf("%s/hosts/%s", w->root, name);

	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		err_set(e, errno, _("host %s: no directory %s"), name, dir);
		free(dir);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	s = xcalloc(1, sizeof(*s));
	h->priv = s;
	h->name = xstrdup(name);
	h->dir = dir;
	h->world = w;
	mastercf_init(&h->master);
	passwd_init(&s->passwd);
	aliases_init(&s->aliases);
	d = world_hostdef(w, name);
	s->addr = d != NULL ? xstrdup(d->addr) : NULL;
	/* Config errors are logged and do not stop the host. */
	(void)host_reread(h, NULL);
	return h;
}

void host_free(struct host **hp)
{
	struct host *h = *hp;
	struct host_state *s;

	if (h == NULL)
		return;
	s = st(h);
	anvil_free(&s->anvil);
	if (s->anvil_said != NULL) {
		size_t i;

		for (i = 0; s->anvil_said[i] != NULL; i++)
			free(s->anvil_said[i]);
		free(s->anvil_said);
	}
	passwd_reset(&s->passwd);
	aliases_reset(&s->aliases);
	free(s->myorigin);
	free(s->logname);
	free(s->myhostname);
	free(s->addr);
	if (s->log_path != NULL) {
		close(s->log_fd);
		free(s->log_path);
	}
	free(s);
	conf_free(&h->conf);
	mastercf_reset(&h->master);
	free(h->name);
	free(h->dir);
	free(h);
	*hp = NULL;
}

int host_has_user(const struct host *h, const char *user)
{
	return passwd_find(&st(h)->passwd, user) != NULL;
}

const struct passwd_entry *host_user(const struct host *h, const char *user)
{
	return passwd_find(&st(h)->passwd, user);
}

int host_has_alias(const struct host *h, const char *name)
{
	return aliases_find(&st(h)->aliases, name) != NULL;
}

const struct alias *host_alias(const struct host *h, const char *name)
{
	return aliases_find(&st(h)->aliases, name);
}

const char *host_myhostname(struct host *h)
{
	return st(h)->myhostname;
}

const char *host_myorigin(struct host *h)
{
	return st(h)->myorigin;
}

const char *host_log_name(struct host *h)
{
	struct host_state *s = st(h);

	/* a warning while main.cf is first read: the host's own name */
	if (s->logname == NULL)
		s->logname = xstrndup(h->name, strcspn(h->name, "."));
	return s->logname;
}

const char *host_addr(const struct host *h)
{
	return st(h)->addr;
}

unsigned host_next_serial(struct host *h)
{
	return ++st(h)->serial;
}

/*
 * Deterministic, so that two runs give diffable logs: FNV-1a of
 * "host/process" folded into the range real Debian PIDs tend to have.
 */
int host_pid(struct host *h, const char *process)
{
	const char *base = strrchr(process, '/');
	uint32_t x = 2166136261u;
	const char *p;

	base = base ? base + 1 : process;
	for (p = h->name; *p; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	x = (x ^ '/') * 16777619u;
	for (p = base; *p; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	return 1000 + (int)(x % 30000u);
}

/*
 * maillog_file (Postfix 3.4+): when set, Postfix's programs log through
 * postlogd into that file instead of syslog. Only names under /var (the
 * default maillog_file_prefixes "/var, /dev/stdout") inside the host's
 * tree count; NULL means syslog (mail.log). master keeps the syslog it
 * started with until it is restarted. Caller frees.
 */
static char *maillog_file(struct host *h, const char *process, int pid)
{
	const char *v = h->conf != NULL ? conf_get(h->conf, "maillog_file") : NULL;

	if (pid < 0 || v == NULL || strncmp(v, "/var/", 5) != 0 || strstr(v, "..") != NULL
	    || strcmp(process, "postfix/master") == 0)
		return NULL;
	return host_path(h, v + 1);
}

/*
 * Appends one whole line to the log file at path (takes path). The file
 * stays open between lines (open + close per line were two of the three
 * system calls a line cost the listener); it is reopened when path names
 * another file than the one open: a stat() compares device and inode, so
 * a rotated (renamed) or deleted mail.log is not written after its line,
 * as a per-line open() behaved. The stat() is per line, or in the
 * listener once per turn of its loop (host_turn(): it was four of the
 * listener's system calls per message; a rotation happens while the loop
 * waits). The line is one write() on an
 * O_APPEND descriptor: writers that append to the same file at once (the
 * listener and its forked queue manager) never interleave inside a line.
 * After fork() the child shares the descriptor and its open file
 * description: with O_APPEND every write() still goes to the end, and a
 * reopen in one process closes only its own copy, so sharing is harmless.
 * O_CLOEXEC keeps it from exec'd programs. A failed log write must not
 * stop mail (rsyslog drops too).
 */
static void log_append(struct host_state *s, char *path, const char *line)
{
	struct stat sb;
	int same = s->log_path != NULL && strcmp(s->log_path, path) == 0
		   && ((s->log_turn != 0 && s->log_turn == host_turn())
		       || (stat(path, &sb) == 0 && sb.st_dev == s->log_dev
			   && sb.st_ino == s->log_ino));

	if (!same) {
		if (s->log_path != NULL) {
			close(s->log_fd);
			free(s->log_path);
			s->log_path = NULL;
		}
		s->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (s->log_fd >= 0 && fstat(s->log_fd, &sb) == 0) {
			s->log_path = path;
			path = NULL;
			s->log_dev = sb.st_dev;
			s->log_ino = sb.st_ino;
		} else if (s->log_fd >= 0) {
			close(s->log_fd);
		}
	}
	/* checked (or opened) in this turn of the listener's loop */
	s->log_turn = s->log_path != NULL ? host_turn() : 0;
	if (s->log_path != NULL && write(s->log_fd, line, strlen(line)) < 0) {
		/* nothing else to do */
	}
	free(path);
}

/* One mail.log line; pid < 0 leaves out "[PID]" (Dovecot's lines). */
static void log_line(struct host *h, mtime_t now, const char *process, int pid,
		     const char *fmt, va_list ap)
{
	char msg[4096], stamp[64], ptag[32] = "", *line, *path;
	struct trace_event ev;
	time_t sec = (time_t)(now / 1000);
	struct tm tm;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	gmtime_r(&sec, &tm);
	if (pid >= 0)
		snprintf(ptag, sizeof(ptag), "[%d]", pid);
	path = maillog_file(h, process, pid);
	if (path != NULL) {
		/* postlogd: the traditional syslog format, "Nov 28 22:05:51"
		 * (reference/commands/12-maillog-file.txt) */
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		line = xasprintf("%s %s %s%s: %s\n", stamp, host_log_name(h), process,
				 ptag, msg);
	} else {
		/* Debian 12 rsyslog: RFC 3339 with microseconds, UTC here */
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		line = xasprintf("%s.%06d+00:00 %s %s%s: %s\n", stamp,
				 (int)(now % 1000) * 1000, host_log_name(h), process,
				 ptag, msg);
		path = host_path(h, "var/log/mail.log");
	}
	log_append(st(h), path, line);
	free(line);

	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = h->name;
	ev.process = process;
	ev.protocol = "log";
	ev.direction = TRACE_DIR_NONE;
	ev.text = msg;
	trace_emit(&h->trace, &ev);

	/*
	 * anvil's last words come right after the line that follows the
	 * reload: master's "reload -- ..." (reference/transcripts/smtp/04e).
	 */
	if (st(h)->anvil_said != NULL && !st(h)->in_log) {
		char **said = st(h)->anvil_said;
		size_t i;

		st(h)->anvil_said = NULL;
		st(h)->in_log = 1;
		for (i = 0; said[i] != NULL; i++) {
			host_log(h, now, "postfix/anvil", "%s", said[i]);
			free(said[i]);
		}
		free(said);
		st(h)->in_log = 0;
	}
}

void host_log(struct host *h, mtime_t now, const char *process,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(h, now, process, host_pid(h, process), fmt, ap);
	va_end(ap);
}

void host_log_raw(struct host *h, mtime_t now, const char *ident,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(h, now, ident, -1, fmt, ap);
	va_end(ap);
}
