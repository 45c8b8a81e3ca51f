/*
 * explain_pop3: the POP3 explanations (RFC 1939, RFC 2449 CAPA and
 * response codes, RFC 3206 [SYS/...] and [AUTH], RFC 2595 STLS, RFC 5034
 * AUTH), with Dovecot 2.3's wording and settings. A line reads
 *
 *	+OK = success; [CODE] = meaning. Why, for this command.
 *
 * "Why" is the first matching rule below (command verb, status, a piece
 * of the text), else what the command does. The rules cover every POP3
 * reply in reference/replies-catalogue.txt and the other texts Dovecot's
 * pop3 and pop3-login send (src/pop3/). Lines of a multi-line answer are
 * explained as items: CAPA's capabilities, AUTH's mechanisms, LIST's and
 * UIDL's message lines.
 */
#include "ui/explain.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

#define V_GREETING "(greeting)"
#define V_EMPTY "(empty line)"

enum pop3_status {
	ST_ANY,
	ST_OK,		/* +OK */
	ST_ERR,		/* -ERR */
	ST_CONT,	/* "+ ": a SASL challenge */
};

struct pop3_rule {
	const char *verb;	/* "PASS", V_GREETING; NULL: any */
	enum pop3_status st;
	const char *text;	/* a piece of the reply; NULL: any */
	const char *why;	/* N_() */
};

static const struct pop3_rule rules[] = {
	/* The greeting (RFC 1939 4). */
	{ V_GREETING, ST_OK, NULL,
	  N_("The POP3 server speaks first (port 110; POP3S on 995 has TLS from the first byte). Dovecot's login_greeting. Log in with USER name and PASS password, or AUTH PLAIN.") },
	{ V_GREETING, ST_ERR, NULL,
	  N_("The server will not talk to this client now.") },

	/* Before login: the AUTHORIZATION state (RFC 1939 4). */
	{ NULL, ST_ERR, "Too many invalid bad commands",
	  N_("Dovecot's pop3-login gives up after three unknown or out-of-place commands before login and closes the connection.") },
	{ NULL, ST_ERR, "Too many bad commands",
	  N_("Too many unknown commands: Dovecot closes the connection.") },
	{ NULL, ST_ERR, "Unknown command.",
	  N_("Before login (the AUTHORIZATION state, RFC 1939 4) only USER, PASS, AUTH, CAPA, STLS and QUIT are allowed; STAT, LIST, RETR and the rest need a login first. Dovecot counts these errors and hangs up at the third.") },
	{ "USER", ST_OK, NULL,
	  N_("USER only names the mailbox. Dovecot says +OK to any name, so nobody can probe which users exist; name and password are checked together at PASS.") },
	{ "PASS", ST_ERR, "No username given",
	  N_("PASS comes after USER name (RFC 1939 7): say whose mailbox it is first.") },
	{ NULL, ST_ERR, "[AUTH] Authentication failed",
	  N_("Wrong user name or password (the same answer for both, so users cannot be guessed). Dovecot answers only after a pause (auth_failure_delay, 2 s, plus PAM's own), to slow down password guessing; start again with USER.") },
	{ NULL, ST_ERR, "Plaintext authentication disallowed",
	  N_("disable_plaintext_auth = yes (Dovecot's default): a password may not cross an unencrypted connection from another machine. Send STLS first, or use POP3S (port 995); on localhost (loopback) Dovecot allows it.") },
	{ NULL, ST_OK, "Logged in",
	  N_("Logged in: the TRANSACTION state (RFC 1939 5). Dovecot has opened and locked the user's INBOX: /var/mail/USER (mbox, where Postfix's local delivery appends) or ~/Maildir.") },
	{ NULL, ST_ERR, "[SYS/TEMP]",
	  N_("A temporary problem on the server (the password database or the mailbox could not be read); try again later. The reason is in mail.log.") },
	{ NULL, ST_ERR, "[SYS/PERM]",
	  N_("A permanent problem on the server with this mailbox; mail.log says what.") },
	{ NULL, ST_ERR, "[IN-USE]",
	  N_("Another session has this mailbox open and locked (RFC 2449 [IN-USE]); POP3 allows one session per mailbox at a time.") },
	{ NULL, ST_ERR, "[LOGIN-DELAY]",
	  N_("This user may not log in again so soon (RFC 2449 LOGIN-DELAY).") },
	{ NULL, ST_ERR, "Input line too long",
	  N_("A command line longer than Dovecot accepts; the line is dropped.") },
	{ NULL, ST_ERR, "Input buffer full",
	  N_("The client sent more than the server can hold without reading a full line: Dovecot closes the connection.") },
	{ NULL, ST_ERR, "Disconnected",
	  N_("The server ends the session (the client was silent too long, or the server is shutting down).") },

	/* AUTH (RFC 5034). */
	{ "AUTH", ST_OK, "Logged in",
	  N_("Logged in with SASL; the TRANSACTION state (RFC 1939 5): the INBOX is open.") },
	{ "AUTH", ST_OK, NULL,
	  N_("AUTH alone lists the SASL mechanisms, one per line, then '.'. PLAIN sends base64 of \\0user\\0password: AUTH PLAIN AGFsaWNlAGFsaWNlcHc= is alice/alicepw.") },
	{ "AUTH", ST_CONT, NULL,
	  N_("The server waits for your SASL data, base64-encoded (for PLAIN: base64 of \\0user\\0password, e.g. printf '\\0alice\\0alicepw' | base64); a line with '*' cancels.") },
	{ NULL, ST_ERR, "Unsupported authentication mechanism",
	  N_("The server does not offer that SASL mechanism; AUTH (or CAPA's SASL line) lists the ones it does (auth_mechanisms).") },
	{ NULL, ST_ERR, "Invalid base64",
	  N_("The SASL data must be base64 (for PLAIN: base64 of \\0user\\0password).") },
	{ NULL, ST_ERR, "aborted by client",
	  N_("You cancelled the login with '*'.") },
	{ "APOP", ST_ERR, NULL,
	  N_("APOP (RFC 1939 7) needs the plain password stored on the server; Dovecot has it off here.") },

	/* CAPA (RFC 2449) and STLS (RFC 2595). */
	{ "CAPA", ST_OK, NULL,
	  N_("CAPA (RFC 2449) lists what this server can do, one capability per line, then '.'. Before login Dovecot also lists STLS, USER and SASL; after login they are gone.") },
	{ "STLS", ST_OK, NULL,
	  N_("Now the TLS handshake follows on this connection (RFC 2595); afterwards log in as usual. POP3S (port 995) has TLS from the start instead.") },
	{ "STLS", ST_ERR, "already active",
	  N_("This connection is already encrypted.") },
	{ "STLS", ST_ERR, "isn't enabled",
	  N_("TLS is off on this server (Dovecot's ssl = no, or no certificate), so CAPA does not list STLS.") },

	/* The TRANSACTION state (RFC 1939 5). */
	{ "STAT", ST_OK, NULL,
	  N_("STAT: the number of messages and their total size in octets (counted with CRLF line ends, as they are sent); messages marked with DELE are left out.") },
	{ "LIST", ST_OK, "messages",
	  N_("LIST: one line per message - its number and size in octets - then a line with '.'. Numbers count from 1 in this session; messages marked with DELE are left out.") },
	{ "LIST", ST_OK, NULL,
	  N_("LIST n: message number n and its size in octets.") },
	{ NULL, ST_ERR, "There's no message",
	  N_("No message with that number in this session (STAT says how many there are).") },
	{ NULL, ST_ERR, "Invalid message number",
	  N_("The command needs a message number, a whole number from 1 (RETR 1, LIST 2, DELE 3).") },
	{ NULL, ST_ERR, "Message number too large",
	  N_("The message number is larger than the server can count.") },
	{ NULL, ST_ERR, "Noise after message number",
	  N_("Only one message number is allowed (RETR 1, not RETR 1 2).") },
	{ NULL, ST_ERR, "Invalid size",
	  N_("TOP needs a message number and a number of body lines: TOP 1 0 shows only the headers.") },
	{ NULL, ST_ERR, "Size too large",
	  N_("The number of lines is larger than the server can count.") },
	{ NULL, ST_ERR, "Noise after size",
	  N_("TOP takes two numbers only: TOP message lines.") },
	{ NULL, ST_ERR, "Message is deleted",
	  N_("That message is marked for deletion (DELE) in this session; RSET unmarks it.") },
	{ NULL, ST_ERR, "expunged",
	  N_("Another session (IMAP, say) removed this message meanwhile.") },
	{ "RETR", ST_OK, NULL,
	  N_("The whole message follows as stored - headers, an empty line, the body - then a line with only '.' (a message line that starts with '.' gets another '.'). Dovecot marks it \\Seen, which IMAP clients see.") },
	{ "TOP", ST_OK, NULL,
	  N_("TOP n k (RFC 1939 7): the headers of message n, the empty line and the first k lines of the body, then '.'. It does not mark the message \\Seen.") },
	{ "DELE", ST_OK, NULL,
	  N_("Only marked: the message is removed at QUIT (the UPDATE state, RFC 1939 6). RSET unmarks it; a session that ends without QUIT deletes nothing.") },
	{ "RSET", ST_OK, NULL,
	  N_("RSET unmarks every message marked with DELE in this session (and forgets which were read).") },
	{ "NOOP", ST_OK, NULL,
	  N_("NOOP does nothing: the connection is alive.") },
	{ "UIDL", ST_OK, NULL,
	  N_("UIDL (RFC 1939 7): an ID per message that stays the same across sessions (Dovecot: the IMAP UID and UIDVALIDITY in hex), so a client that leaves mail on the server knows what it has already fetched.") },
	{ "QUIT", ST_OK, "messages deleted",
	  N_("QUIT: the UPDATE state (RFC 1939 6): the messages marked with DELE are now removed from the mailbox, and the server closes the connection.") },
	{ "QUIT", ST_OK, NULL,
	  N_("QUIT ends the session and the server closes the connection. Nothing was marked with DELE, so the mailbox keeps every message (read ones are \\Seen).") },
	{ "USER", ST_ERR, "Unknown command",
	  N_("USER and PASS belong to the AUTHORIZATION state; this session is logged in already.") },
	{ "PASS", ST_ERR, "Unknown command",
	  N_("USER and PASS belong to the AUTHORIZATION state; this session is logged in already.") },
	{ "LAST", ST_ERR, "Unknown command",
	  N_("LAST was in POP3's RFC 1725 and dropped by RFC 1939; Dovecot does not have it.") },
	{ NULL, ST_ERR, "Unknown command:",
	  N_("The server does not know this command. POP3 after login: STAT, LIST, RETR, DELE, TOP, UIDL, RSET, NOOP, QUIT, CAPA.") },
};

/* RFC 2449 6 and the IANA registry: CAPA's lines. */
static const struct explain_word capas[] = {
	{ "CAPA", N_("CAPA: the server has the CAPA command itself (RFC 2449 5).") },
	{ "TOP", N_("TOP: the server has TOP n k, the headers and the first lines of a message (RFC 2449 6.1).") },
	{ "UIDL", N_("UIDL: messages have IDs that last across sessions (RFC 2449 6.2).") },
	{ "RESP-CODES", N_("RESP-CODES: -ERR may carry a code in brackets, like [IN-USE] or [SYS/TEMP] (RFC 2449 6.4).") },
	{ "PIPELINING", N_("PIPELINING: the client may send several commands without waiting for each answer (RFC 2449 6.6).") },
	{ "AUTH-RESP-CODE", N_("AUTH-RESP-CODE: a failed login says [AUTH] when the credentials were wrong (RFC 3206).") },
	{ "STLS", N_("STLS: the client may switch this connection to TLS (RFC 2595); listed before login only.") },
	{ "USER", N_("USER: login with USER name and PASS password is allowed (RFC 2449 6.7); listed before login only.") },
	{ "SASL", N_("SASL: the mechanisms AUTH accepts (RFC 2449 6.3); PLAIN sends base64 of \\0user\\0password.") },
	{ "EXPIRE", N_("EXPIRE: how many days the server keeps mail (RFC 2449 6.8).") },
	{ "LOGIN-DELAY", N_("LOGIN-DELAY: how many seconds a client must wait between logins (RFC 2449 6.5).") },
	{ "IMPLEMENTATION", N_("IMPLEMENTATION: the server software's name (RFC 2449 6.9).") },
	{ "UTF8", N_("UTF8: the server can send UTF-8 (RFC 6856).") },
	{ "LANG", N_("LANG: the server can answer in other languages (RFC 6856).") },
};

/* RFC 2449 8, RFC 3206: the codes in brackets after -ERR. */
static const struct explain_word codes[] = {
	{ "AUTH", N_("the credentials were wrong (not a server problem)") },
	{ "SYS/TEMP", N_("a temporary problem on the server: try later") },
	{ "SYS/PERM", N_("a permanent problem on the server") },
	{ "IN-USE", N_("the mailbox is locked by another session") },
	{ "LOGIN-DELAY", N_("logged in too recently") },
	{ "UTF8", N_("UTF-8 is needed") },
};

/* What each command does (RFC 1939, 2449, 2595, 5034). */
static const struct explain_word commands[] = {
	{ V_GREETING, N_("On connect the POP3 server greets with +OK.") },
	{ "USER", N_("USER name: names the mailbox to log in to.") },
	{ "PASS", N_("PASS password: the password for the USER named before.") },
	{ "APOP", N_("APOP name digest: login with an MD5 digest of the greeting's stamp and the password.") },
	{ "AUTH", N_("AUTH mechanism [data]: login with SASL (RFC 5034); AUTH alone lists the mechanisms.") },
	{ "CAPA", N_("CAPA: lists the server's capabilities (RFC 2449).") },
	{ "STLS", N_("STLS: switches this connection to TLS (RFC 2595).") },
	{ "STAT", N_("STAT: the number of messages and their total size.") },
	{ "LIST", N_("LIST [n]: the size of every message, or of message n.") },
	{ "RETR", N_("RETR n: the whole message n.") },
	{ "TOP", N_("TOP n k: the headers and the first k body lines of message n.") },
	{ "DELE", N_("DELE n: marks message n for deletion at QUIT.") },
	{ "RSET", N_("RSET: unmarks the messages marked with DELE.") },
	{ "NOOP", N_("NOOP: does nothing; checks the connection.") },
	{ "UIDL", N_("UIDL [n]: the lasting IDs of the messages.") },
	{ "QUIT", N_("QUIT: ends the session; messages marked with DELE are deleted now.") },
	{ V_EMPTY, N_("An empty line.") },
};

static char *verb_of(const char *command)
{
	size_t n = 0;
	char *v;

	if (command == NULL || strcasecmp(command, V_GREETING) == 0)
		return xstrdup(V_GREETING);
	if (*command == '\0' || strcasecmp(command, V_EMPTY) == 0)
		return xstrdup(V_EMPTY);
	while (command[n] != '\0' && command[n] != ' ' && command[n] != '\t')
		n++;
	v = xstrndup(command, n);
	for (n = 0; v[n] != '\0'; n++)
		v[n] = (char)toupper((unsigned char)v[n]);
	return v;
}

static const char *command_what(const char *verb)
{
	const struct explain_word *w = explain_word_find(commands, ARRAY_LEN(commands),
							 verb, strlen(verb));

	return w != NULL ? w->text : NULL;
}

char *explain_pop3_command(const char *command)
{
	char *verb = verb_of(command);
	const char *what = command_what(verb);

	free(verb);
	return what ? xstrdup(_(what)) : NULL;
}

/* What a rule is matched against besides the verb. */
struct pop3_match {
	enum pop3_status st;
	const char *reply;
};

static int rule_fits(const void *row, const void *ctx)
{
	const struct pop3_rule *r = row;
	const struct pop3_match *m = ctx;

	return (r->st == ST_ANY || r->st == m->st) &&
	       (r->text == NULL || strstr(m->reply, r->text) != NULL);
}

/* A line of a multi-line answer: CAPA's, AUTH's, LIST's, UIDL's. */
static char *item(const char *verb, const char *line)
{
	size_t n = strcspn(line, " ");

	if (strcmp(line, ".") == 0)
		return xstrdup(_("A line with only '.' ends the multi-line answer (RFC 1939 3)."));
	if (strcmp(verb, "CAPA") == 0) {
		const struct explain_word *w =
			explain_word_find(capas, ARRAY_LEN(capas), line, n);

		if (w != NULL)
			return xstrdup(_(w->text));
		return xasprintf(_("%.*s: another capability this server has."),
				 (int)n, line);
	}
	if (strcmp(verb, "AUTH") == 0)
		return xasprintf(_("%s: a SASL mechanism AUTH accepts."), line);
	if (strcmp(verb, "LIST") == 0)
		return xstrdup(_("A message number and its size in octets."));
	if (strcmp(verb, "UIDL") == 0)
		return xstrdup(_("A message number and its lasting ID."));
	return xstrdup(_("A line of the message (RETR, TOP), sent as stored."));
}

char *explain_pop3_reply(const char *command, const char *reply)
{
	char *verb = verb_of(command), *out, *codepart = NULL;
	const struct pop3_rule *r;
	enum pop3_status st;
	const char *status, *why, *text;

	if (strncmp(reply, "+OK", 3) == 0 &&
	    (reply[3] == '\0' || reply[3] == ' ')) {
		st = ST_OK;
		/* TRANSLATORS: POP3's positive answer (RFC 1939 3) */
		status = N_("+OK = success");
		text = reply + 3;
	} else if (strncmp(reply, "-ERR", 4) == 0 &&
		   (reply[4] == '\0' || reply[4] == ' ')) {
		st = ST_ERR;
		status = N_("-ERR = failure (POP3 has only the two answers +OK and -ERR; the text is for people)");
		text = reply + 4;
	} else if (reply[0] == '+' && (reply[1] == '\0' || reply[1] == ' ')) {
		st = ST_CONT;
		status = N_("+ = the server asks for more (a SASL challenge, RFC 5034)");
		text = reply + 1;
	} else {
		out = item(verb, reply);
		free(verb);
		return out;
	}
	while (*text == ' ')
		text++;
	/* RFC 2449 8: "-ERR [CODE] text" */
	if (text[0] == '[') {
		size_t n = strcspn(text + 1, "]");
		const struct explain_word *w =
			explain_word_find(codes, ARRAY_LEN(codes), text + 1, n);

		if (w != NULL)
			/* TRANSLATORS: "[AUTH] = the credentials were wrong" */
			codepart = xasprintf(_("[%s] = %s"), w->word, _(w->text));
		if (codepart == NULL && text[1 + n] == ']')
			codepart = xasprintf(_("[%.*s] = a response code (RFC 2449 8)"),
					     (int)n, text + 1);
	}
	{
		struct pop3_match m = { st, reply };

		r = explain_rule_find(rules, ARRAY_LEN(rules), sizeof(rules[0]),
				      verb, rule_fits, &m);
	}
	why = r != NULL ? r->why : command_what(verb);
	if (why == NULL)
		why = N_("The server does not know this command.");
	out = explain_compose(_(status), codepart, why);
	free(codepart);
	free(verb);
	return out;
}

/* Dovecot's only pause: after a failed login (auth_failure_delay). */
char *explain_pop3_delay(long ms)
{
	return xasprintf(_("(the server waits %.1f s before it answers: Dovecot delays the answer after a failed login - auth_failure_delay, plus PAM's own delay - to slow down password guessing)"),
			 (double)ms / 1000.0);
}
