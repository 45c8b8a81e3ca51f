/*
 * relay: Postfix's smtp(8) over a real TCP connection, for a next hop that
 * is not a lab host (relayhost = [127.0.0.1]:2525, another maillab in the
 * classroom, a real Postfix). It runs the SMTP client engine
 * (src/smtp/smtpc.h) against the socket: the greeting, EHLO, STARTTLS when
 * the server offers it and the engine wants it (OpenSSL, no certificate
 * check, as smtp_tls_security_level = may), the transaction, QUIT. Every
 * command and reply is traced as smtp_deliver_session() traces a virtual
 * one (host = the client, process postfix/smtp, peer = NAME[ADDR]).
 *
 * It blocks, with Postfix's timeouts: it is meant for the listener's queue
 * manager process (net/listener_qmgr.h), where a slow server holds up no
 * SMTP session. What the engine learnt (each recipient's status) is the
 * caller's to log and record (mta/smtp_deliver.c).
 */
#ifndef MAILLAB_RELAY_H
#define MAILLAB_RELAY_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/trace.h"

struct smtpc;

struct relay_opts {
	long connect_timeout_ms;	/* smtp_connect_timeout, 30 s; 0: that */
	long io_timeout_ms;		/* each read or write; 0: 300 s */
	const struct trace_sink *trace;	/* may be NULL */
	const char *client;		/* the sending host's name, for the trace */
	const char *peer;		/* "NAME[ADDR]" for the trace */
};

/*
 * Connects to addr:port and runs c to its end. Returns 0 when a session
 * took place (c is closed; its statuses say what happened, a lost
 * connection included), or -1 when no connection could be made, with
 * Postfix's words for why in why_out ("Connection refused", "Connection
 * timed out", "Network is unreachable").
 */
int relay_session(const char *addr, int port, struct smtpc *c,
		  const struct relay_opts *o, char *why_out, size_t why_len);

#endif
