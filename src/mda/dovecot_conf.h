/*
 * dovecot_conf: the few Dovecot 2.3 settings the lab's POP3/IMAP servers
 * obey, read from a host's etc/dovecot/ (dovecot.conf with its !include
 * lines, else conf.d/ and local.conf). Anything not set keeps Debian 12's
 * default, which is what reference/ was captured with.
 */
#ifndef MAILLAB_DOVECOT_CONF_H
#define MAILLAB_DOVECOT_CONF_H

#include "lib/err.h"

/* A setting whose value Dovecot may read from a file ("<PATH"), with
 * where it was set, for the error doveconf gives when it cannot. */
struct dovecot_conf_where {
	char *value;		/* as written: "</etc/ssl/x.pem"; NULL: unset */
	char *file;		/* the config file that set it */
	int line;
};

struct dovecot_conf {
	char *mail_location;	/* "mbox:~/mail:INBOX=/var/mail/%u" */
	char *login_greeting;	/* "Dovecot (Debian) ready." */
	char *ssl;		/* "yes" (Debian, with the snakeoil pair),
				   "no", "required" */
	/* ssl_cert, ssl_key; unset: Debian's, the snakeoil pair */
	struct dovecot_conf_where ssl_cert, ssl_key;
	char *auth_mechanisms;	/* "plain" */
	char *protocols;	/* "imap pop3" (what Debian's packages add) */
	char *passwd_file;	/* "/etc/dovecot/users" */
	int disable_plaintext_auth;	/* yes */
	int pop3_no_flag_updates;	/* no */
};

/*
 * Fills c with the defaults, then the host's settings. A host without
 * etc/dovecot/ files just has the defaults (0). -1 with e naming file and
 * line for a line that is not "key = value", a section or an include.
 * As Dovecot's settings check does, ssl = required implies
 * disable_plaintext_auth = yes (plaintext logins need TLS, except from
 * the secured clients Dovecot exempts).
 */
int dovecot_conf_load(struct dovecot_conf *c, const char *hostdir,
		      struct err *e);
void dovecot_conf_free(struct dovecot_conf *c);

/*
 * The text of a setting that Dovecot reads from a file (ssl_cert,
 * ssl_key; key names it): "<PATH" is the file PATH of the host (inside
 * hostdir), any other value the text itself. NULL with e worded as
 * doveconf words it ("Error in configuration file FILE line N: ssl_cert:
 * Can't open file PATH: No such file or directory") when the file cannot
 * be read. Caller frees.
 */
char *dovecot_conf_read_value(const struct dovecot_conf_where *w,
			      const char *key, const char *hostdir,
			      struct err *e);

#endif
