/*
 * smtp(8): next hop -> servers -> one SMTP session over a virtual link.
 * See smtp_deliver.h.
 */
#include "mta/smtp_deliver.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_deliver_dns.h"
#include "mta/smtp_server.h"
#include "smtp/smtpc.h"

#define SMTP_DELIVER_MAX_MX 8

static void trace_line(const struct trace_sink *t, const char *client,
		       const char *process, const char *peer,
		       enum trace_dir dir, const char *text, mtime_t now)
{
	struct trace_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = client;
	ev.process = process;
	ev.peer = peer;
	ev.protocol = "smtp";
	ev.direction = dir;
	ev.text = text;
	trace_emit(t, &ev);
}

void smtp_deliver_session(const struct trace_sink *t, const char *client_name,
			  const char *process, const char *peer,
			  struct smtpc *c, struct smtp_server *srv, mtime_t now)
{
	int server_closed = 0, rounds;

	/* Each round moves the server's output to the client and the
	 * client's to the server; a session that stops moving is over. */
	for (rounds = 0; rounds < 100000 && !smtpc_closed(c); rounds++) {
		long delay = 0;
		enum smtp_server_act act = SMTP_SERVER_NEED_INPUT;
		struct buf *sout, *cout;
		struct smtpc_event ev;
		int moved = 0;

		if (!server_closed) {
			act = smtp_server_run(srv, now, &delay);
			sout = smtp_server_output(srv);
			if (sout->len > 0) {
				smtpc_feed(c, sout->data, sout->len, now);
				buf_clear(sout);
				moved = 1;
			}
			if (act == SMTP_SERVER_STARTTLS) {
				/* Simulated handshake: nothing to negotiate on a
				 * virtual link, both ends just agree. */
				smtp_server_tls_started(srv, now);
				moved = 1;
			} else if (act == SMTP_SERVER_CLOSE) {
				server_closed = 1;
			}
		}
		while (smtpc_next(c, &ev, now) == 1) {
			moved = 1;
			if (ev.type == SMTPC_EV_SEND)
				trace_line(t, client_name, process, peer, TRACE_DIR_OUT,
					   ev.text, now);
			else if (ev.type == SMTPC_EV_REPLY)
				trace_line(t, client_name, process, peer, TRACE_DIR_IN,
					   ev.text, now);
			else if (ev.type == SMTPC_EV_STARTTLS)
				smtpc_tls_started(c, now);
		}
		cout = smtpc_output(c);
		if (cout->len > 0) {
			if (!server_closed)
				smtp_server_feed(srv, cout->data, cout->len, now);
			buf_clear(cout);
			moved = 1;
		}
		if (server_closed && !moved) {
			smtpc_eof(c, now);
			while (smtpc_next(c, &ev, now) == 1)
				;
			break;
		}
		if (!moved && act == SMTP_SERVER_NEED_INPUT) {
			/* Neither side has anything to say: the client waits
			 * for a reply that will not come. */
			smtp_server_eof(srv, now);
			(void)smtp_server_run(srv, now, &delay);
			smtpc_eof(c, now);
			while (smtpc_next(c, &ev, now) == 1)
				;
			break;
		}
	}
	if (!server_closed) {
		long delay = 0;

		smtp_server_eof(srv, now);
		(void)smtp_server_run(srv, now, &delay);
	}
}

static void set_outcome(struct smtp_deliver_outcome *o,
			enum smtp_deliver_status st, const char *dsn,
			const char *text, const char *relay, const char *mta,
			const char *diag, mtime_t conn_done)
{
	free(o->text);
	free(o->relay);
	free(o->mta);
	free(o->diag);
	o->status = st;
	snprintf(o->dsn, sizeof(o->dsn), "%s", dsn);
	o->text = xstrdup(text);
	o->relay = xstrdup(relay);
	o->mta = mta != NULL ? xstrdup(mta) : NULL;
	o->diag = diag != NULL ? xstrdup(diag) : NULL;
	o->conn_done = conn_done;
}

static void all(struct smtp_deliver_outcome *out, size_t n,
		enum smtp_deliver_status st, const char *dsn, const char *text)
{
	size_t i;

	for (i = 0; i < n; i++)
		set_outcome(&out[i], st, dsn, text, "none", NULL, NULL, 0);
}

/* "[host]:port", "host:port", "[host]", "domain" */
static void parse_nexthop(const char *nh, char **name, int *port, int *bracket)
{
	const char *colon;

	*port = 25;
	*bracket = nh[0] == '[';
	if (*bracket) {
		const char *close = strchr(nh, ']');

		if (close == NULL) {
			*name = xstrdup(nh + 1);
			return;
		}
		*name = xstrndup(nh + 1, (size_t)(close - nh - 1));
		if (close[1] == ':')
			*port = atoi(close + 2);
		return;
	}
	colon = strrchr(nh, ':');
	if (colon != NULL && isdigit((unsigned char)colon[1])) {
		*name = xstrndup(nh, (size_t)(colon - nh));
		*port = atoi(colon + 1);
	} else {
		*name = xstrdup(nh);
	}
}

static int is_ip_literal(const char *s)
{
	size_t i;
	int dots = 0;

	if (strchr(s, ':') != NULL)
		return 1;	/* IPv6 */
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return dots == 3;
}

static enum smtpc_tls tls_level(struct host *h)
{
	const char *v = h->conf != NULL ? conf_get(h->conf, "smtp_tls_security_level") : NULL;

	if (v == NULL || v[0] == '\0' || strcmp(v, "none") == 0)
		return SMTPC_TLS_NONE;
	if (strcmp(v, "may") == 0)
		return SMTPC_TLS_MAY;
	return SMTPC_TLS_ENCRYPT;
}

/*
 * One session with a server that answered; fills every outcome. target
 * NULL: a real server, through net->real (-1 when it could not be
 * reached, why_out saying why; nothing is filled then).
 */
static int session(struct host *h, struct host *target,
		   const struct smtp_deliver_net *net, const char *name,
		   const char *addr, int port, const struct smtp_deliver_msg *msg,
		   mtime_t now, struct smtp_deliver_outcome *out,
		   char *why_out, size_t why_len)
{
	struct smtp_server_opts so;
	struct smtpc_conf cc;
	struct smtpc_msg cm;
	struct smtp_server *srv = NULL;
	struct smtpc *c;
	char *peer = xasprintf("%s[%s]", name, addr);
	char *relay = xasprintf("%s[%s]:%d", name, addr, port);
	size_t i;

	memset(&so, 0, sizeof(so));
	so.client_addr = host_addr(h) != NULL ? host_addr(h) : "127.0.0.1";
	so.client_name = h->name;
	so.service = "smtp";
	so.tls_possible = 1;
	memset(&cc, 0, sizeof(cc));
	cc.helo_name = host_myhostname(h);
	cc.tls = tls_level(h);
	memset(&cm, 0, sizeof(cm));
	cm.sender = msg->sender;
	cm.rcpts = msg->rcpts;
	cm.orcpts = msg->orcpts;
	cm.nrcpt = msg->nrcpt;
	cm.data = msg->content;
	cm.len = msg->len;
	cm.size = msg->size;
	for (i = 0; i < msg->len; i++)
		if ((unsigned char)msg->content[i] >= 0x80) {
			cm.eightbit = 1;
			break;
		}
	if (target == NULL) {
		c = smtpc_new(&cc, &cm, now);
		if (net->real(net->ctx, h, name, addr, port, c, why_out, why_len) < 0) {
			smtpc_free(&c);
			free(peer);
			free(relay);
			return -1;
		}
		goto outcomes;
	}
	srv = smtp_server_new(target, &so, now);
	if (srv == NULL) {
		char *text = xasprintf("connect to %s[%s]:%d: Connection refused", name,
				       addr, port);

		all(out, msg->nrcpt, SMTP_DELIVER_DEFERRED, "4.4.1", text);
		free(text);
		free(peer);
		free(relay);
		return 0;
	}
	c = smtpc_new(&cc, &cm, now);
	smtp_deliver_session(&h->trace, h->name, "postfix/smtp", peer, c, srv, now);
outcomes:
	if (smtpc_tls_active(c))
		/* smtp_tls_security_level = may: the certificate is not
		 * checked, so Postfix calls the connection "Untrusted". */
		host_log(h, now, "postfix/smtp", "Untrusted TLS connection established to "
			 "%s:%d: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) "
			 "key-exchange X25519 server-signature RSA-PSS (2048 bits) "
			 "server-digest SHA256", peer, port);
	for (i = 0; i < msg->nrcpt; i++) {
		const struct smtpc_status *st = smtpc_rcpt_status(c, i);
		char *text;

		switch (st->why) {
		case SMTPC_WHY_REPLY:
			if (st->code >= 200 && st->code < 300) {
				set_outcome(&out[i], SMTP_DELIVER_SENT, st->dsn, st->text,
					    relay, name, st->text, now);
				break;
			}
			if (strcmp(st->in_reply_to, "initial greeting") == 0)
				text = xasprintf("host %s refused to talk to me: %s", peer,
						 st->text);
			else
				text = xasprintf("host %s said: %s (in reply to %s)", peer,
						 st->text, st->in_reply_to);
			set_outcome(&out[i], st->code >= 500 ? SMTP_DELIVER_BOUNCED
							     : SMTP_DELIVER_DEFERRED,
				    st->dsn, text, relay, name, st->text, now);
			free(text);
			break;
		case SMTPC_WHY_LOCAL:
			text = xasprintf("%s %s", st->text, peer);
			set_outcome(&out[i], st->dsn[0] == '5' ? SMTP_DELIVER_BOUNCED
							       : SMTP_DELIVER_DEFERRED,
				    st->dsn, text, relay, NULL, NULL, now);
			free(text);
			break;
		case SMTPC_WHY_LOST:
		case SMTPC_WHY_NONE:
			text = xasprintf("lost connection with %s while %s", peer,
					 st->why == SMTPC_WHY_LOST ? st->text
								   : "receiving the initial server greeting");
			set_outcome(&out[i], SMTP_DELIVER_DEFERRED, "4.4.2", text, relay,
				    NULL, NULL, now);
			free(text);
			break;
		}
	}
	smtpc_free(&c);
	smtp_server_free(&srv);
	free(peer);
	free(relay);
	return 0;
}

void smtp_deliver(struct host *h, const struct smtp_deliver_net *net,
		  const struct smtp_deliver_msg *msg, const char *nexthop,
		  mtime_t now, struct smtp_deliver_outcome *out)
{
	char *names[SMTP_DELIVER_MAX_MX];
	char *dest = NULL, *last_err = NULL;
	size_t nnames = 0, i;
	int port, bracket, rc = 0, delivered = 0, mx_used = 0;

	memset(out, 0, msg->nrcpt * sizeof(*out));
	parse_nexthop(nexthop, &dest, &port, &bracket);
	if (bracket || is_ip_literal(dest)) {
		names[nnames++] = xstrdup(dest);
	} else {
		rc = smtp_deliver_dns_mx(h, net, dest, names, SMTP_DELIVER_MAX_MX, now);
		if (rc == -1 || rc == -2) {
			char *text = xasprintf("Host or domain name not found. Name service "
					       "error for name=%s type=MX: Host not found%s",
					       dest, rc == -2 ? ", try again" : "");

			all(out, msg->nrcpt, rc == -2 ? SMTP_DELIVER_DEFERRED
						      : SMTP_DELIVER_BOUNCED,
			    rc == -2 ? "4.4.3" : "5.4.4", text);
			free(text);
			free(dest);
			return;
		}
		if (rc == 0)
			names[nnames++] = xstrdup(dest);	/* no MX: its A record */
		else {
			nnames = (size_t)rc;
			mx_used = 1;
		}
	}
	for (i = 0; i < nnames && !delivered; i++) {
		char *addr = NULL;
		struct host *target;

		if (is_ip_literal(names[i]))
			addr = xstrdup(names[i]);
		else
			rc = smtp_deliver_dns_addr(h, net, names[i], &addr, now);
		if (addr == NULL) {
			if (rc == -2 || nnames == 1) {
				char *text = xasprintf("Host or domain name not found. Name "
						       "service error for name=%s type=A: "
						       "Host not found%s", names[i],
						       rc == -2 ? ", try again" : "");

				free(last_err);
				last_err = text;
				if (rc != -2 && nnames == 1 && !mx_used) {
					all(out, msg->nrcpt, SMTP_DELIVER_BOUNCED, "5.4.4", text);
					delivered = 1;
				}
			}
			continue;
		}
		/* Postfix refuses to send mail to itself through an MX it
		 * would not accept mail for. */
		if (port == 25 && host_addr(h) != NULL && strcmp(addr, host_addr(h)) == 0) {
			char *text = xasprintf("mail for %s loops back to myself", dest);

			all(out, msg->nrcpt, SMTP_DELIVER_BOUNCED, "5.4.6", text);
			free(text);
			free(addr);
			delivered = 1;
			break;
		}
		target = port == 25 ? net->connect(net->ctx, addr, port) : NULL;
		if (target == NULL) {
			char why[128] = "Connection refused";

			/* not a lab host: a real server, when the driver has a
			 * real network (the listener's queue manager) */
			if (net->real != NULL &&
			    session(h, NULL, net, names[i], addr, port, msg, now, out,
				    why, sizeof(why)) == 0) {
				delivered = 1;
				free(addr);
				break;
			}
			free(last_err);
			last_err = xasprintf("connect to %s[%s]:%d: %s",
					     names[i], addr, port, why);
			host_log(h, now, "postfix/smtp", "%s", last_err);
			free(addr);
			continue;
		}
		(void)session(h, target, net, names[i], addr, port, msg, now, out, NULL, 0);
		delivered = 1;
		free(addr);
	}
	if (!delivered)
		all(out, msg->nrcpt, SMTP_DELIVER_DEFERRED, "4.4.1",
		    last_err != NULL ? last_err : "no route to host");
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(last_err);
	free(dest);
}

void smtp_deliver_outcomes_reset(struct smtp_deliver_outcome *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(out[i].text);
		free(out[i].relay);
		free(out[i].mta);
		free(out[i].diag);
		memset(&out[i], 0, sizeof(out[i]));
	}
}
