/*
 * dovecot_conf: the few Dovecot 2.3 settings the lab's POP3/IMAP servers
 * obey, read from a host's etc/dovecot/ (dovecot.conf with its !include
 * lines, else conf.d/ and local.conf). Anything not set keeps Debian 12's
 * default, which is what reference/ was captured with.
 */
#ifndef MAILLAB_DOVECOT_CONF_H
#define MAILLAB_DOVECOT_CONF_H

#include "lib/err.h"

struct dovecot_conf {
	char *mail_location;	/* "mbox:~/mail:INBOX=/var/mail/%u" */
	char *login_greeting;	/* "Dovecot (Debian) ready." */
	char *ssl;		/* "yes" (Debian, with the snakeoil pair),
				   "no", "required" */
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
 */
int dovecot_conf_load(struct dovecot_conf *c, const char *hostdir,
		      struct err *e);
void dovecot_conf_free(struct dovecot_conf *c);

#endif
