/*
 * console_net: the console's peer for a real server (console --connect
 * HOST:PORT): a blocking TCP connection, replies read until their last
 * line ("NNN "), and after "STARTTLS" / "220" a real TLS handshake
 * (OpenSSL; the certificate is shown, not verified: this is a lab tool).
 */
#ifndef MAILLAB_CONSOLE_NET_H
#define MAILLAB_CONSOLE_NET_H

#include "lib/err.h"
#include "ui/console.h"

/*
 * Connects to "host:port", "[v6addr]:port", or "host" (port 25).
 * NULL with e set when it cannot. timeout_ms: how long to wait for a
 * reply before telling the learner (0: 30 s).
 */
struct console_peer *console_net_new(const char *hostport, int timeout_ms,
				     struct err *e);

#endif
