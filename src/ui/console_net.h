/*
 * console_net: the console's peer for a real server (console --connect
 * HOST:PORT [--proto pop3|imap]): a blocking TCP connection, answers read
 * until complete, and after the server's yes to STARTTLS / STLS a real
 * TLS handshake (OpenSSL; the certificate is shown, not verified: this
 * is a lab tool).
 */
#ifndef MAILLAB_CONSOLE_NET_H
#define MAILLAB_CONSOLE_NET_H

#include "lib/err.h"
#include "ui/console.h"

/*
 * Connects to "host:port", "[v6addr]:port", or "host" (default_port:
 * "25", "110", "143"; NULL: "25"). NULL with e set when it cannot.
 * timeout_ms: how long to wait for a reply before telling the learner
 * (0: 30 s).
 */
struct console_peer *console_net_new(const char *hostport,
				     const char *default_port, int timeout_ms,
				     struct err *e);

#endif
