/*
 * netaddr: a numeric IPv4 or IPv6 address and a port as a socket address,
 * for the listener's bind() and the relay's connect(). No name lookups:
 * the lab only ever names addresses ("127.0.0.1", "::1").
 */
#ifndef MAILLAB_NETADDR_H
#define MAILLAB_NETADDR_H

#include <sys/socket.h>

/* addr ("127.0.0.1", "::1": a ':' means IPv6) and port into *ss and
 * *len. 0, or -1 when addr is not a numeric address of its family. */
int netaddr_make(const char *addr, int port, struct sockaddr_storage *ss,
		 socklen_t *len);

#endif
