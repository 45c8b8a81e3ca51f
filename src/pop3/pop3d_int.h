/*
 * pop3d_int: the engine's state, shared by pop3d.c (framing, events,
 * login results, logging) and pop3d_cmd.c (the command tables).
 */
#ifndef MAILLAB_POP3D_INT_H
#define MAILLAB_POP3D_INT_H

#include <stdint.h>

#include "pop3/pop3d.h"

/* Dovecot's limits: pop3-login's input buffer (LOGIN_MAX_INBUF_SIZE),
 * SASL lines (LOGIN_MAX_AUTH_BUF_SIZE), pop3's line (MAX_INBUF_SIZE),
 * and the bad command counters of pop3-login and pop3. */
#define POP3D_LOGIN_MAX_LINE	1024
#define POP3D_AUTH_MAX_LINE	8192
#define POP3D_MAX_LINE		2048
#define POP3D_LOGIN_MAX_BAD	3
#define POP3D_MAX_BAD		20

enum pop3d_state {
	POP3D_ST_AUTH,		/* AUTHORIZATION (pop3-login) */
	POP3D_ST_SASL,		/* AUTH PLAIN sent "+ ", waiting for the line */
	POP3D_ST_VERDICT,	/* POP3D_EV_AUTH out, waiting for the driver */
	POP3D_ST_TLS,		/* STLS answered, waiting for the handshake */
	POP3D_ST_TRANS,		/* TRANSACTION (pop3) */
	POP3D_ST_CLOSED,
};

/* Why the last login attempt failed, for Dovecot's disconnect reason. */
enum pop3d_fail {
	POP3D_FAIL_NONE,
	POP3D_FAIL_PLAINTEXT,	/* "(tried to use disallowed plaintext auth)" */
	POP3D_FAIL_MECH,	/* "(tried to use unsupported auth mechanism)" */
	POP3D_FAIL_BASE64,	/* "(sent invalid base64 in response)" */
};

enum pop3d_result {
	POP3D_RES_NONE,
	POP3D_RES_OK,
	POP3D_RES_FAIL,
	POP3D_RES_TEMPFAIL,
	POP3D_RES_NOBOX,	/* authenticated, INBOX could not be opened */
};

struct pop3d_qev {
	enum pop3d_ev_type type;
	char *text;
	long delay_ms;
};

struct pop3d {
	struct pop3d_conf conf;
	struct buf in, out;
	enum pop3d_state st;
	int tls;
	mtime_t created;
	mtime_t auth_first;	/* first auth attempt, 0 if none */
	char session[32];

	/* pop3-login */
	char *last_user;	/* USER given, waiting for PASS */
	char *virtual_user;	/* the user=<> of the log */
	char *auth_mech;	/* method= of the log, NULL if none tried */
	unsigned bad_counter;
	unsigned auth_attempts;
	unsigned auth_failures;	/* on this connection: later logins wait */
	int auth_aborted;
	enum pop3d_fail last_fail;
	char *ev_user, *ev_pass, *ev_authzid;	/* the pending AUTH event */
	enum pop3d_result result;	/* verdict received, not yet applied */
	long result_delay;	/* DELAY to emit before applying it */
	int delay_sent;

	/* pop3: the TRANSACTION state */
	char *user;
	int mpid;
	struct store_mailbox *mb;	/* borrowed from the driver */
	size_t count;
	uint64_t *sizes;
	uint32_t *uids;
	unsigned char *was_seen;
	unsigned char *deleted;
	unsigned char *seen;
	uint32_t uidvalidity;
	uint64_t total_size;
	size_t deleted_count;
	uint64_t deleted_size;
	size_t seen_changes;
	unsigned post_bad;
	unsigned top_count, retr_count, expunged;
	unsigned long long top_bytes, retr_bytes;

	/* events waiting for pop3d_next() */
	struct pop3d_qev *q;
	size_t qlen, qcap;
	char *ev_text;		/* text of the event handed out last */
};

/* --- pop3d.c --- */
void pop3d_send(struct pop3d *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pop3d_push(struct pop3d *s, enum pop3d_ev_type type, const char *text,
		long delay_ms);
void pop3d_logf(struct pop3d *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Logs pop3-login's Disconnected line, queues CLOSE. */
void pop3d_login_disconnect(struct pop3d *s, const char *reason,
			    mtime_t now);
/* Logs pop3's Disconnected line with the statistics, queues CLOSE. */
void pop3d_trans_disconnect(struct pop3d *s, const char *reason);
/* Starts an authentication: the AUTH event, or a local failure. */
void pop3d_auth_begin(struct pop3d *s, const char *mech, const char *authzid,
		      const char *user, const char *pass, mtime_t now);
/* A failure decided before the driver is asked (bad PLAIN data). */
void pop3d_auth_fail_local(struct pop3d *s, mtime_t now);
/* Plaintext logins are refused on this connection. */
int pop3d_plaintext_disallowed(const struct pop3d *s);
/* Saves \Seen (and, after QUIT, expunges DELE'd mail). 0 or -1. */
int pop3d_update_mails(struct pop3d *s, int quit, mtime_t now);

/* --- pop3d_cmd.c --- */
/* One command line of the AUTHORIZATION state / of TRANSACTION. */
void pop3d_cmd_login(struct pop3d *s, const char *line, mtime_t now);
void pop3d_cmd_trans(struct pop3d *s, const char *line, mtime_t now);
/* The line answering AUTH's "+ " continuation. */
void pop3d_cmd_sasl_response(struct pop3d *s, const char *line, mtime_t now);

#endif
