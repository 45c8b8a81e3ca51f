/*
 * smtp_deliver: Postfix's smtp(8) delivery agent, in-process. For one
 * message and the recipients that share a next hop it finds the
 * servers (MX records in preference order, each one's address; a next
 * hop in [brackets] skips the MX lookup, as relayhost = [127.0.0.1]:2
 * does), connects to the first that answers and runs the SMTP client
 * engine (smtp/smtpc.h) against it over a virtual link: the other
 * host's smtp_server session, in this process.
 *
 * Each recipient gets an outcome in Postfix's words:
 *   sent      "250 2.0.0 Ok: queued as 4E1A2104552", relay=NAME[ADDR]:PORT
 *   deferred  "connect to NAME[ADDR]:PORT: Connection refused" (4.4.1,
 *             relay=none; each refused server is also logged as
 *             "connect to ...: Connection refused");
 *             "Host or domain name not found. Name service error for
 *             name=D type=MX: Host not found, try again" (4.4.3);
 *             "host NAME[ADDR] said: 451 ... (in reply to RCPT TO command)";
 *             "lost connection with NAME[ADDR] while ..." (4.4.2)
 *   bounced   "host NAME[ADDR] said: 550 5.1.1 ... (in reply to RCPT TO
 *             command)"; "Host or domain name not found. Name service
 *             error for name=D type=MX: Host not found" (5.4.4);
 *             "mail for D loops back to myself" (5.4.6)
 * Each DNS question and answer is traced (smtp_deliver_dns.h).
 * It touches no queue file: qmgr logs and records the outcomes.
 */
#ifndef MAILLAB_SMTP_DELIVER_H
#define MAILLAB_SMTP_DELIVER_H

#include <stddef.h>

#include "lib/clock.h"

struct host;
struct smtp_server;
struct smtpc;

/* How the simulator's network answers; ctx is the simulator's. */
struct smtp_deliver_net {
	void *ctx;
	/*
	 * MX records of domain, best first: up to max host names into
	 * names_out (caller frees each) and their preferences into
	 * prefs_out. Returns the count (0: the domain has no MX), -1 when
	 * the domain does not exist, -2 on a temporary failure (an MX fault).
	 */
	int (*mx)(void *ctx, const char *domain, char **names_out,
		  int *prefs_out, size_t max);
	/* The address of name (A record or a literal): 1 and addr_out
	 * (caller frees), 0 not found, -2 temporary failure. */
	int (*addr)(void *ctx, const char *name, char **addr_out);
	/* The host that accepts connections at addr:port, or NULL
	 * (connection refused: nothing there, or the host is down). */
	struct host *(*connect)(void *ctx, const char *addr, int port);
	/*
	 * Optional (NULL: none; the simulator has none). When connect()
	 * gives no lab host, a real server may be there: runs the client
	 * engine c against addr:port over TCP (net/relay.h). 0: a session
	 * took place, c holds each recipient's status; -1: no connection,
	 * why_out has the reason in Postfix's words ("Connection refused").
	 * Added for the listener's queue manager (issue 5, point 5).
	 */
	int (*real)(void *ctx, struct host *h, const char *name,
		    const char *addr, int port, struct smtpc *c,
		    char *why_out, size_t why_len);
};

enum smtp_deliver_status {
	SMTP_DELIVER_SENT,
	SMTP_DELIVER_DEFERRED,
	SMTP_DELIVER_BOUNCED,
};

struct smtp_deliver_outcome {
	enum smtp_deliver_status status;
	char dsn[16];
	char *text;		/* for "status=... (text)" and the bounce */
	char *relay;		/* "mail.b.example[198.51.100.20]:25" or "none" */
	char *mta;		/* Remote-MTA for the bounce, or NULL */
	char *diag;		/* the server's reply for Diagnostic-Code, or NULL */
	mtime_t conn_done;	/* when the greeting came (0: no connection) */
};

struct smtp_deliver_msg {
	const char *queue_id;
	const char *sender;
	const char *const *rcpts;	/* canonical addresses */
	const char *const *orcpts;	/* "rfc822;..." or NULL entries */
	size_t nrcpt;
	const char *content;		/* LF lines */
	size_t len;
	long size;
};

/*
 * Delivers msg from host h to nexthop ("b.example", "[127.0.0.1]:2",
 * "mx.example:2525"). out has nrcpt entries (free with
 * smtp_deliver_outcomes_reset). Logs the "connect to ..." lines as
 * postfix/smtp; traces every SMTP line of the session on h.
 */
void smtp_deliver(struct host *h, const struct smtp_deliver_net *net,
		  const struct smtp_deliver_msg *msg, const char *nexthop,
		  mtime_t now, struct smtp_deliver_outcome *out);
void smtp_deliver_outcomes_reset(struct smtp_deliver_outcome *out, size_t n);

/*
 * Runs one SMTP session between an smtpc client engine and a server
 * session, passing bytes both ways until both sides are done, tracing
 * each line on t as host client_name, process (peer = the server's
 * "NAME[ADDR]"): commands as TRACE_DIR_OUT, replies as TRACE_DIR_IN, the
 * content as one event. STARTTLS is simulated: both sides are told the
 * handshake succeeded. Used by smtp_deliver and the simulator's MUA.
 */
struct smtpc;
struct trace_sink;
void smtp_deliver_session(const struct trace_sink *t, const char *client_name,
			  const char *process, const char *peer,
			  struct smtpc *c, struct smtp_server *srv, mtime_t now);

#endif
