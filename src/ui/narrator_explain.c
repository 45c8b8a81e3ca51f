/*
 * The tables: a conversation step is matched on (protocol, the client's
 * verb, the start of the last reply line); a work step on a fragment of
 * its mail.log lines. First match wins, so specific rows come first.
 */
#include "ui/narrator_explain.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

struct talk_row {
	const char *protocol;
	const char *verb;	/* "" = the greeting; NULL = any */
	const char *reply;	/* the last reply line starts so; NULL = any */
	const char *text;
};

static const struct talk_row talk_rows[] = {
	/* SMTP (RFC 5321; Postfix's words from reference/transcripts/smtp) */
	{ "smtp", "", "220", N_("The server answers the connection: 220 means ready; the banner names the host and its software.") },
	{ "smtp", "", "4", N_("The server turns the client away for now (4xx): try again later.") },
	{ "smtp", "", "5", N_("The server refuses this client (5xx).") },
	{ "smtp", "HELO", "250", N_("HELO: the client says its name; 250 and the server's own name mean go ahead.") },
	{ "smtp", "EHLO", "250", N_("EHLO: the client says its name; the 250 lines list the extensions (ESMTP) this server offers.") },
	{ "smtp", "STARTTLS", "220", N_("STARTTLS: the session is encrypted from here on (TLS); the client starts over with EHLO.") },
	{ "smtp", "AUTH", "235", N_("AUTH: the user proves who it is with a password (sent base64-encoded, inside TLS); 235 = authenticated.") },
	{ "smtp", "AUTH", "535", N_("AUTH failed (535): wrong user name or password.") },
	{ "smtp", "AUTH", "503", N_("This server offers no AUTH here (503): authentication is not enabled.") },
	{ "smtp", "MAIL", "250", N_("MAIL FROM: the envelope sender, where bounces go back to; 250 2.1.0 = accepted.") },
	{ "smtp", "RCPT", "250", N_("RCPT TO: one envelope recipient; 250 2.1.5 = this server takes mail for it.") },
	{ "smtp", "RCPT", "550", N_("550 5.1.1: no such user here. The recipient is refused for good; no message is queued for it.") },
	{ "smtp", "RCPT", "554", N_("554 5.7.1 Relay access denied: this server is not the destination of that domain, and the client is neither in mynetworks nor authenticated.") },
	{ "smtp", "RCPT", "454", N_("454 4.7.1 Relay access denied: a relay refused for now (Postfix's default defer_unauth_destination); the client may try again later.") },
	{ "smtp", "DATA", "354", N_("DATA: the server is ready for the message itself (headers, an empty line, the body), ended by a line with a single dot.") },
	{ "smtp", "DATA", "554", N_("DATA refused: no recipient was accepted.") },
	{ "smtp", ".", "250", N_("The lone dot ends the message; \"queued as\" gives its queue ID: the server has taken responsibility for the message.") },
	{ "smtp", "QUIT", "221", N_("QUIT: the client says goodbye; 221 and the connection closes.") },
	{ "smtp", "RSET", "250", N_("RSET: the transaction so far is forgotten.") },
	{ "smtp", "NOOP", "250", N_("NOOP: does nothing; 250 shows the server is alive.") },
	{ "smtp", "VRFY", "252", N_("VRFY: asks whether a user exists; 252 = cannot say for sure, but mail will be tried.") },
	{ "smtp", NULL, "2", N_("2xx: done.") },
	{ "smtp", NULL, "3", N_("3xx: go on, send the rest.") },
	{ "smtp", NULL, "4", N_("4xx: a temporary failure; the client should try again later.") },
	{ "smtp", NULL, "5", N_("5xx: a permanent failure; trying again will not help.") },

	/* POP3 (RFC 1939; Dovecot's words from reference/transcripts/pop3) */
	{ "pop3", "", "+OK", N_("Dovecot's POP3 server greets the mail program: +OK, waiting for a login.") },
	{ "pop3", "CAPA", "+OK", N_("CAPA: the extensions this POP3 server offers, one a line, ending with a dot.") },
	{ "pop3", "USER", "+OK", N_("USER: the mailbox owner's login name.") },
	{ "pop3", "PASS", "+OK", N_("PASS: the password; +OK Logged in, and the mailbox is locked for this session.") },
	{ "pop3", "PASS", "-ERR", N_("-ERR [AUTH]: wrong user name or password (Dovecot answers only after a delay).") },
	{ "pop3", "STAT", "+OK", N_("STAT: how many messages are in the mailbox and their total size in octets.") },
	{ "pop3", "LIST", "+OK", N_("LIST: each message's number and size.") },
	{ "pop3", "UIDL", "+OK", N_("UIDL: a unique ID per message, so the client knows which ones it already has.") },
	{ "pop3", "TOP", "+OK", N_("TOP: only the headers (and the first lines) of a message.") },
	{ "pop3", "RETR", "+OK", N_("RETR: the whole message, as it is in the mailbox, ending with a line holding a dot.") },
	{ "pop3", "DELE", "+OK", N_("DELE: marked for deletion; it goes only when the session ends with QUIT.") },
	{ "pop3", "QUIT", "+OK", N_("QUIT: the session ends; messages marked with DELE are removed from the mailbox now.") },
	{ "pop3", NULL, "-ERR", N_("-ERR: the command failed.") },
	{ "pop3", NULL, "+OK", N_("+OK: done.") },

	/* IMAP (RFC 3501; Dovecot's words from reference/transcripts/imap) */
	{ "imap", "", "* OK", N_("Dovecot's IMAP server greets the mail program and lists what it can do (CAPABILITY).") },
	{ "imap", "CAPABILITY", NULL, N_("CAPABILITY: the IMAP extensions this server offers.") },
	{ "imap", "LOGIN", "* CAPABILITY", N_("LOGIN: user name and password; OK Logged in.") },
	{ "imap", "LOGIN", NULL, N_("LOGIN: user name and password; OK Logged in.") },
	{ "imap", "AUTHENTICATE", NULL, N_("AUTHENTICATE: a SASL login (PLAIN: user and password, base64-encoded).") },
	{ "imap", "LIST", NULL, N_("LIST: the user's mailboxes (folders).") },
	{ "imap", "SELECT", NULL, N_("SELECT opens a mailbox: EXISTS counts its messages, RECENT the new ones; UIDVALIDITY and UIDNEXT name them for good.") },
	{ "imap", "EXAMINE", NULL, N_("EXAMINE opens a mailbox read-only.") },
	{ "imap", "STATUS", NULL, N_("STATUS: counts of a mailbox without opening it.") },
	{ "imap", "SEARCH", NULL, N_("SEARCH: the numbers of the messages that match.") },
	{ "imap", "FETCH", NULL, N_("FETCH reads parts of messages (flags, headers, body) where they are: on the server. Reading the body sets the \\Seen flag.") },
	{ "imap", "UID", NULL, N_("UID FETCH / SEARCH / STORE: the same commands, naming messages by UID.") },
	{ "imap", "STORE", NULL, N_("STORE changes a message's flags (\\Seen, \\Deleted, ...).") },
	{ "imap", "EXPUNGE", NULL, N_("EXPUNGE removes the messages flagged \\Deleted.") },
	{ "imap", "IDLE", NULL, N_("IDLE: the client waits and the server tells it at once when new mail arrives.") },
	{ "imap", "NOOP", NULL, N_("NOOP: nothing, but the server reports any news.") },
	{ "imap", "CLOSE", NULL, N_("CLOSE: leaves the mailbox, expunging \\Deleted messages.") },
	{ "imap", "LOGOUT", NULL, N_("LOGOUT: BYE, and the session ends. The messages stay on the server.") },
	{ "imap", NULL, NULL, N_("An IMAP command and its tagged answer (OK, NO or BAD).") },
};

struct work_row {
	const char *fragment;	/* found in a mail.log line or the event text */
	const char *text;
};

static const struct work_row work_rows[] = {
	{ "NOQUEUE: reject:", N_("smtpd logs the refusal: nothing was queued.") },
	{ "improper command pipelining", N_("smtpd notes a client that did not wait for the replies.") },
	{ "status=sent (delivered to mailbox)", N_("local appends the message to the user's mailbox (/var/mail/USER): delivery done.") },
	{ "status=sent (delivered to maildir)", N_("local writes the message into the user's Maildir: delivery done.") },
	{ "status=sent", N_("The next server has accepted the message: this hop is done.") },
	{ "status=deferred", N_("Delivery failed for now: the message waits in the deferred queue and qmgr will retry it, waiting longer each time.") },
	{ "status=expired", N_("The message has been in the queue longer than maximal_queue_lifetime: Postfix gives up and returns it to the sender.") },
	{ "status=bounced", N_("Delivery failed for good (5xx): the message goes back to the sender as a bounce.") },
	{ "sender non-delivery notification", N_("bounce writes a non-delivery notice from MAILER-DAEMON to the sender: a new message with its own queue ID.") },
	{ "sender delay notification", N_("bounce tells the sender that the message is delayed (still being retried).") },
	{ "Connection refused", N_("smtp cannot reach the next server: the connection is refused.") },
	{ "Connection timed out", N_("smtp cannot reach the next server: no answer.") },
	{ "(queue active)", N_("qmgr moves the message from incoming to the active queue and asks trivial-rewrite where each recipient goes.") },
	/* trivial-rewrite's resolve (mta/trivial_rewrite.h, ADDRESS_CLASS_README) */
	{ ": address class local ", N_("trivial-rewrite: the recipient's domain is this host's own (mydestination): address class local, so the local delivery agent puts it in a mailbox here.") },
	{ ": address class relay ", N_("trivial-rewrite: the recipient's domain is in relay_domains: address class relay, so the relay transport sends it on to that domain's server.") },
	{ ": address class default -> smtp:[", N_("trivial-rewrite: the domain is not this host's: address class default, transport smtp, and the next hop is relayhost in [brackets]: no MX lookup, straight to that host.") },
	{ ": address class default ", N_("trivial-rewrite: the recipient's domain is not this host's: address class default, so the smtp delivery agent sends it on; the next hop (transport:nexthop) is the domain, whose server DNS will name.") },
	{ ": address class error:", N_("trivial-rewrite cannot resolve the recipient (a lookup table failed): the message waits in the queue.") },
	{ ": removed", N_("qmgr deletes the queue file: the message has left this host's queue.") },
	{ "message-id=", N_("cleanup completes the headers (Message-Id, Date, From when missing) and writes the queue file into incoming.") },
	{ ": client=", N_("smtpd opens a queue file for the message: it gets its queue ID.") },
	{ ": uid=", N_("pickup takes a locally submitted message out of maildrop.") },
	{ "disconnect from", N_("The client has gone; smtpd logs how many commands of each kind it sent.") },
	{ "connect from", N_("smtpd accepts a TCP connection.") },
	{ "-login: Login:", N_("Dovecot checked the password: the user is logged in.") },
	{ "Disconnected: Logged out", N_("The session is over; Dovecot logs what was read and deleted.") },
	{ "Disconnected", N_("The client has disconnected.") },
	{ "warning:", N_("A warning in mail.log: the learner's clue when something is wrong.") },
	/* smtp's DNS lookups (mta/smtp_deliver_dns.h; RFC 5321 section 5.1) */
	{ " MX: NXDOMAIN", N_("DNS: the recipient's domain does not exist (NXDOMAIN): the message cannot be delivered and goes back to the sender.") },
	{ " MX: SERVFAIL", N_("DNS gives no answer for now (SERVFAIL): smtp cannot find the domain's server, and the message waits to be tried again.") },
	{ " MX: no record", N_("DNS: the domain has no MX record, so smtp sends to the address (A record) of the domain itself (RFC 5321 section 5.1).") },
	{ " A: no record", N_("DNS: the mail server's name has no address (A record): smtp cannot reach it.") },
	{ " MX ", N_("DNS: smtp asks which host receives mail for the recipient's domain (its MX record; the lowest preference number is tried first), then that host's address (its A record).") },
	{ " A?", N_("DNS: smtp asks for the next hop's address (its A record); a next hop in [brackets] skips the MX lookup.") },
	{ "postconf -e", N_("postconf -e changes one parameter in main.cf; postfix reload makes the running Postfix read it.") },
	{ "newaliases", N_("A new line in /etc/aliases; newaliases rebuilds the alias table that local reads at delivery.") },
	{ "Unable to connect", N_("Nobody answers on that port: the host is down or the service is not running.") },
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

void narrator_explain_verb(const char *protocol, const char *line,
			   char *buf, size_t n)
{
	const char *p = nz(line);
	size_t len, i;

	/* IMAP: skip the tag. */
	if (strcmp(nz(protocol), "imap") == 0) {
		const char *sp = strchr(p, ' ');

		p = sp ? sp + 1 : p + strlen(p);
	}
	len = strcspn(p, " :");
	if (len == 0 && *p == '.')
		len = 1;
	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		buf[i] = (char)toupper((unsigned char)p[i]);
	buf[len] = '\0';
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(nz(s), prefix, strlen(prefix)) == 0;
}

static size_t client_lines(const struct flow *f, const struct flow_step *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];

		if (!fe->dup && fe->from_client && fe->ev.direction != TRACE_DIR_NONE)
			n++;
	}
	return n;
}

static const char *explain_talk(const struct flow *f, const struct flow_step *s)
{
	const char *first_client = NULL, *last_server = NULL, *last_client = NULL;
	const char *first_server = NULL;
	char verb[32] = "";
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];

		if (fe->dup || !flow_is_line_protocol(fe->ev.protocol))
			continue;
		if (fe->from_client) {
			if (first_client == NULL)
				first_client = fe->ev.text;
			last_client = fe->ev.text;
		} else {
			if (first_server == NULL)
				first_server = fe->ev.text;
			last_server = fe->ev.text;
		}
	}
	/* POP3 says +OK or -ERR first, then the lines of a multi-line answer
	 * and "." (RFC 1939 section 3); SMTP and IMAP end with the status. */
	if (strcmp(s->protocol, "pop3") == 0)
		last_server = first_server;
	if (first_client != NULL) {
		/* The end of DATA: the body lines, then ".". */
		if (strcmp(s->protocol, "smtp") == 0 && strcmp(nz(last_client), ".") == 0)
			snprintf(verb, sizeof(verb), ".");
		else
			narrator_explain_verb(s->protocol, first_client, verb, sizeof(verb));
	}
	/* Several commands at once, before any reply (RFC 2920). */
	if (strcmp(s->protocol, "smtp") == 0 && strcmp(verb, ".") != 0 &&
	    client_lines(f, s) > 1 && strcmp(verb, "MAIL") == 0)
		return _("PIPELINING: the client sends MAIL FROM, RCPT TO and DATA in one go; the server answers each in order: 250 sender ok, 250 recipient ok, 354 send the message.");
	for (i = 0; i < ARRAY_LEN(talk_rows); i++) {
		const struct talk_row *r = &talk_rows[i];

		if (strcmp(r->protocol, s->protocol) != 0)
			continue;
		if (r->verb != NULL && strcmp(r->verb, verb) != 0)
			continue;
		if (r->verb == NULL && first_client == NULL)
			continue;
		if (r->reply != NULL && (last_server == NULL || !starts(last_server, r->reply)))
			continue;
		return _(r->text);
	}
	return NULL;
}

static const char *explain_work(const struct flow *f, const struct flow_step *s)
{
	size_t r, i;

	for (r = 0; r < ARRAY_LEN(work_rows); r++)
		for (i = 0; i < s->n; i++)
			if (strstr(nz(f->ev[s->evi[i]].ev.text), work_rows[r].fragment) != NULL)
				return _(work_rows[r].text);
	return NULL;
}

const char *narrator_explain_step(const struct flow *f,
				  const struct flow_step *s)
{
	const char *why;
	size_t i;

	if (s->kind == FLOW_SAY)
		return NULL;
	why = s->kind == FLOW_TALK ? explain_talk(f, s) : explain_work(f, s);
	if (why != NULL)
		return why;
	/* What the producer said about it, when the tables know nothing. */
	for (i = 0; i < s->n; i++) {
		const char *note = f->ev[s->evi[i]].ev.note;

		if (note != NULL && *note != '\0')
			return note;
	}
	return NULL;
}
