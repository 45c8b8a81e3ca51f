/*
 * explain_smtp: the SMTP explanations. A line reads
 *
 *	CODE = meaning; ENHANCED = meaning. Why, for this command.
 *
 * "Why" comes from the first matching rule below (command verb, code,
 * enhanced code, a piece of the text), else from what the command does.
 * The rules cover every reply in reference/replies-catalogue.txt and the
 * ones Postfix 3.7 gives with SASL, TLS or limits configured. EHLO's
 * keyword lines are explained by keyword (RFC 5321 4.1.1.1 and each
 * extension's RFC).
 */
#include "ui/explain.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/explain_code.h"

/* Pseudo-verbs for replies that answer no command line. */
#define V_GREETING "(greeting)"
#define V_END "(end of DATA)"
#define V_EMPTY "(empty line)"

enum {
	F_NO_BRACKET = 1,	/* only when the command has no '<' */
	F_NO_AT = 2,		/* only when the command has no '@' */
};

struct smtp_rule {
	const char *verb;	/* "MAIL", V_GREETING, ...; NULL: any */
	const char *code;	/* "250"; NULL: any */
	const char *enh;	/* "2.1.0"; "" none; NULL: any */
	const char *text;	/* a piece of the reply text; NULL: any */
	int flags;
	const char *why;	/* N_() */
};

static const struct smtp_rule rules[] = {
	/* The greeting (RFC 5321 3.1, 4.3.1). */
	{ V_GREETING, "220", NULL, NULL, 0,
	  N_("The server speaks first: its name ($myhostname) and smtpd_banner. Servers talk SMTP on port 25; mail programs submit on 587 (submission) or 465 (SMTPS, TLS from the first byte) - the study note's 443 is HTTPS, not SMTPS.") },
	{ V_GREETING, "421", NULL, NULL, 0,
	  N_("The server will not talk now (busy or shutting down); a client tries again later.") },
	{ V_GREETING, "554", NULL, NULL, 0,
	  N_("No SMTP service for this client; nothing it sends will be accepted.") },

	/* Replies any command may get. */
	{ NULL, "550", "5.5.2", "bare <LF>", 0,
	  N_("A line ended in a bare LF instead of CR LF. smtpd_forbid_bare_newline = reject refuses that (a defence against SMTP smuggling); after a command Postfix also hangs up.") },
	{ NULL, "421", "4.7.0", "too many errors", 0,
	  N_("smtpd_hard_error_limit (20) errors reached: Postfix hangs up. From smtpd_soft_error_limit (10) on, every reply was already slowed by smtpd_error_sleep_time (1s).") },
	{ NULL, "221", "2.7.0", "break rules", 0,
	  N_("The line did not look like SMTP at all (it started with a non-letter, or looked like HTTP or a mail header), so Postfix assumes a confused or hostile client and hangs up. Outside DATA a lone '.' is such a line.") },
	{ NULL, "421", "4.4.2", "timeout", 0,
	  N_("The client stayed silent longer than smtpd_timeout (300s): the server hangs up.") },
	{ NULL, "500", "5.5.2", "bad syntax", 0,
	  N_("An empty line (or one that is only a NUL byte) is not a command.") },
	{ "HELP", "500", NULL, NULL, 0,
	  N_("Postfix has no HELP command (RFC 5321 makes it optional), so it is an unknown command.") },
	{ "EXPN", "500", NULL, NULL, 0,
	  N_("EXPN would list the members of an alias or mailing list; Postfix does not implement it, so addresses cannot be harvested.") },
	{ NULL, "500", NULL, "not recognized", 0,
	  N_("The server does not know this command: check the spelling. SMTP verbs: HELO, EHLO, MAIL FROM:, RCPT TO:, DATA, RSET, NOOP, VRFY, QUIT, STARTTLS.") },
	{ NULL, "502", "5.5.1", "not implemented", 0,
	  N_("The server knows the command but it is switched off here.") },
	{ NULL, "452", "4.3.1", "Insufficient system storage", 0,
	  N_("The queue file system is nearly full (queue_minfree): try later.") },
	{ NULL, "451", "4.3.0", NULL, 0,
	  N_("Something went wrong on the server (a config or disk problem, see mail.log); the client tries again later.") },

	/* HELO and EHLO (RFC 5321 4.1.1.1). */
	{ "HELO", "250", NULL, NULL, 0,
	  N_("HELO introduces the client by name; the reply is just the server's name. EHLO would also list the ESMTP extensions.") },
	{ "HELO", "501", "", "Syntax", 0,
	  N_("HELO needs the client's name, e.g. HELO localhost. Postfix sends no enhanced code here (it cannot know yet whether the client understands them).") },
	{ "EHLO", "501", "", "Syntax", 0,
	  N_("EHLO needs the client's name, e.g. EHLO localhost. Postfix sends no enhanced code here (it cannot know yet whether the client understands them).") },
	{ "EHLO", "250", NULL, NULL, 0,
	  N_("EHLO (extended HELO) accepted: first the server's name, then one ESMTP extension per line; the last line has a space after 250 instead of '-'.") },

	/* MAIL (RFC 5321 4.1.1.2). */
	{ "MAIL", "250", "2.1.0", NULL, F_NO_BRACKET,
	  N_("Sender accepted. RFC 5321 wants MAIL FROM:<root@domain>, but Postfix takes a bare 'root' (strict_rfc821_envelopes = no) and adds @$myorigin. It is the envelope sender, where bounces go - not the From: header.") },
	{ "MAIL", "250", "2.1.0", NULL, 0,
	  N_("Sender accepted: the envelope sender, where bounces go (not the From: header). MAIL FROM:<> is the null sender that bounces themselves use.") },
	{ "MAIL", "501", "5.5.4", "Syntax", 0,
	  N_("The command must read MAIL FROM:<address>; 'FROM:' or the address is missing.") },
	{ "MAIL", "501", "5.1.7", NULL, 0,
	  N_("Postfix cannot parse the sender address (an unclosed '<', or longer than the line limit).") },
	{ "MAIL", "501", "5.5.4", "size", 0,
	  N_("SIZE= must be a number of bytes (RFC 1870).") },
	{ NULL, "552", "5.3.4", NULL, 0,
	  N_("The message is (or is announced as) bigger than message_size_limit, 10240000 bytes by default - the number EHLO shows after SIZE.") },
	{ NULL, "555", "5.5.4", NULL, 0,
	  N_("An ESMTP parameter this server does not know, or a bad value (BODY= takes 7BIT or 8BITMIME; SIZE= a number).") },
	{ "MAIL", "503", "5.5.1", "HELO/EHLO", 0,
	  N_("smtpd_helo_required = yes: the client must introduce itself with HELO or EHLO before MAIL.") },
	{ "MAIL", "503", "5.5.1", "nested", 0,
	  N_("A transaction is already open: finish it with DATA, or drop it with RSET, before a new MAIL.") },
	{ "MAIL", "553", NULL, NULL, 0,
	  N_("The sender address is refused by the server's policy.") },

	/* RCPT (RFC 5321 4.1.1.3). */
	{ "RCPT", "250", "2.1.5", NULL, F_NO_AT,
	  N_("Recipient accepted (repeat RCPT TO for more). A name without a domain, like 'wees', means wees@$myorigin. Postfix checks recipients now: local users, aliases, relay rules.") },
	{ "RCPT", "250", "2.1.5", NULL, 0,
	  N_("Recipient accepted (repeat RCPT TO for more). Postfix checks it now: a user or alias if the domain is ours (mydestination), else relaying, allowed for clients in mynetworks (smtpd_relay_restrictions).") },
	{ "RCPT", "501", "5.5.4", "Syntax", 0,
	  N_("The command must read RCPT TO:<address>.") },
	{ "RCPT", "501", "5.1.3", NULL, 0,
	  N_("Not a usable recipient address; <> (the null address) is allowed only as a sender.") },
	{ "RCPT", "503", "5.5.1", "need MAIL", 0,
	  N_("Recipients come after MAIL FROM (RFC 5321 3.3): first the sender, then the recipients, then DATA.") },
	{ NULL, "550", "5.1.1", "local recipient table", 0,
	  N_("The domain is ours (mydestination) but there is no such user or alias (local_recipient_maps): Postfix refuses it now instead of bouncing later.") },
	{ "RCPT", "454", "4.7.1", "Relay access denied", 0,
	  N_("Relaying refused: the client is not in mynetworks and the domain is not ours. defer_unauth_destination (smtpd_relay_restrictions) answers 4xx, so a configuration mistake loses no mail.") },
	{ "RCPT", "554", "5.7.1", "Relay access denied", 0,
	  N_("Relaying refused for good (reject_unauth_destination): the client is not in mynetworks and the domain is not ours. This is what keeps a server from being an open relay.") },
	{ "RCPT", "452", "4.5.3", NULL, 0,
	  N_("More recipients than smtpd_recipient_limit (1000) in one transaction: send the rest in another.") },
	{ "RCPT", "550", "5.1.0", NULL, 0,
	  N_("The recipient address is refused by the server's policy.") },

	/* DATA (RFC 5321 4.1.1.4) and the end of the message. */
	{ "DATA", "354", NULL, NULL, 0,
	  N_("Send the message now: headers, an empty line, the body. A line with only '.' ends it (a line that starts with '.' is sent as '..').") },
	{ "DATA", "503", "5.5.1", "need RCPT", 0,
	  N_("DATA needs a sender (MAIL FROM) and at least one accepted recipient (RCPT TO) first.") },
	{ "DATA", "554", "5.5.1", "no valid recipients", 0,
	  N_("No RCPT TO was accepted, so there is nobody to deliver to.") },
	{ V_END, "250", "2.0.0", "queued as", 0,
	  N_("Accepted: the message is in the queue under that ID (mailq, postcat -q ID). smtpd handed it to cleanup (pickup only takes local sendmail mail); qmgr gives it to local, the delivery agent, which appends it to /var/mail/USER. POP3 and IMAP only read it from there.") },
	{ V_END, "550", "5.5.2", "bare <LF>", 0,
	  N_("The message had a line ending in a bare LF; smtpd_forbid_bare_newline = reject refuses it after the final dot. The session goes on.") },

	/* The rest (RFC 5321 4.1.1.5-4.1.1.10). */
	{ "QUIT", "221", NULL, NULL, 0,
	  N_("QUIT ends the session; the server closes the connection. An accepted message is delivered whether or not the client says QUIT.") },
	{ "RSET", "250", NULL, NULL, 0,
	  N_("RSET drops the open transaction (sender and recipients); the HELO/EHLO stays.") },
	{ "NOOP", "250", NULL, NULL, 0,
	  N_("NOOP does nothing: a way to see the connection is alive. Postfix ignores any argument.") },
	{ "VRFY", "252", NULL, NULL, 0,
	  N_("VRFY asks whether an address exists; 252 means 'cannot verify, but I will take mail for it'. Postfix never confirms, so addresses cannot be harvested (disable_vrfy_command = yes turns VRFY off).") },
	{ "VRFY", "550", NULL, NULL, 0,
	  N_("The same check RCPT TO makes: no such address here.") },
	{ "VRFY", "501", NULL, NULL, 0,
	  N_("VRFY needs an address to check.") },
	{ "VRFY", "502", NULL, NULL, 0,
	  N_("disable_vrfy_command = yes: this server does not answer VRFY.") },
	{ "ETRN", "250", NULL, NULL, 0,
	  N_("The server will try to deliver the mail it queued for that domain (RFC 1985), e.g. for a site that is online only now and then.") },
	{ "ETRN", NULL, NULL, NULL, 0,
	  N_("ETRN asks the server to flush the mail queued for a domain (RFC 1985); fast_flush_domains says which domains may.") },

	/* STARTTLS (RFC 3207). */
	{ "STARTTLS", "220", NULL, NULL, 0,
	  N_("Now the TLS handshake follows on this same connection (RFC 3207); after it the client starts over with EHLO. Ports 25 and 587 encrypt this way; port 465 (SMTPS) has TLS from the first byte - not 443, which is HTTPS.") },
	{ "STARTTLS", "501", NULL, NULL, 0,
	  N_("STARTTLS takes no argument.") },
	{ "STARTTLS", "502", NULL, NULL, 0,
	  N_("TLS is off on this server (smtpd_tls_security_level = none), so STARTTLS is neither offered in EHLO nor accepted.") },
	{ "STARTTLS", "554", NULL, "already active", 0,
	  N_("The connection is already encrypted.") },
	{ "STARTTLS", "454", NULL, NULL, 0,
	  N_("TLS is configured but not working (a certificate or key is missing; see mail.log).") },
	{ NULL, "530", "5.7.0", "STARTTLS", 0,
	  N_("This server requires encryption first (smtpd_tls_security_level = encrypt or smtpd_tls_auth_only = yes): send STARTTLS.") },

	/* AUTH (RFC 4954). */
	{ "AUTH", "503", "5.5.1", "not enabled", 0,
	  N_("SASL is off (smtpd_sasl_auth_enable = no): AUTH is refused and EHLO lists no AUTH line.") },
	{ "AUTH", "503", "5.5.1", "already authenticated", 0,
	  N_("This session has already logged in.") },
	{ "AUTH", "235", NULL, NULL, 0,
	  N_("Logged in: this client may now relay mail (permit_sasl_authenticated in smtpd_relay_restrictions).") },
	{ "AUTH", "334", NULL, NULL, 0,
	  N_("The server waits for the next part of the login, base64-encoded (RFC 4954); '*' cancels.") },
	{ NULL, "535", "5.7.8", NULL, 0,
	  N_("Wrong user name or password.") },
	{ "AUTH", "504", NULL, NULL, 0,
	  N_("The server does not offer that SASL mechanism; EHLO's AUTH line lists the ones it does.") },
	{ "AUTH", "501", NULL, NULL, 0,
	  N_("AUTH needs a mechanism (AUTH PLAIN, AUTH LOGIN), and the data must be valid base64.") },
	{ "AUTH", "538", NULL, NULL, 0,
	  N_("This mechanism sends the password readable: use STARTTLS first (smtpd_tls_auth_only).") },
};

/* EHLO keywords (RFC 5321 4.1.1.1 and each extension's RFC). */
static const struct explain_word ehlo_keywords[] = {
	{ "PIPELINING", N_("PIPELINING (RFC 2920): the client may send several commands at once without waiting for each reply.") },
	{ "SIZE", N_("SIZE (RFC 1870): the largest message accepted, in bytes (message_size_limit); a client may announce MAIL FROM:<...> SIZE=n.") },
	{ "VRFY", N_("VRFY: the server answers VRFY (is this address valid?) - Postfix only ever says 252 'maybe'.") },
	{ "ETRN", N_("ETRN (RFC 1985): a client may ask the server to send the mail queued for its domain.") },
	{ "STARTTLS", N_("STARTTLS (RFC 3207): the client may switch this connection to TLS (smtpd_tls_security_level = may).") },
	{ "ENHANCEDSTATUSCODES", N_("ENHANCEDSTATUSCODES (RFC 2034): replies carry a code like 2.1.0 (RFC 3463) after the three digits.") },
	{ "8BITMIME", N_("8BITMIME (RFC 6152): the body may contain 8-bit bytes (MAIL FROM:<...> BODY=8BITMIME).") },
	{ "DSN", N_("DSN (RFC 3461): the client may ask for delivery status notifications (NOTIFY=, RET=, ENVID=).") },
	{ "SMTPUTF8", N_("SMTPUTF8 (RFC 6531): addresses and headers may be UTF-8.") },
	{ "CHUNKING", N_("CHUNKING (RFC 3030): the client may send the message in sized pieces with BDAT instead of DATA.") },
	{ "BINARYMIME", N_("BINARYMIME (RFC 3030): the body may be binary, sent with BDAT.") },
	{ "AUTH", N_("AUTH (RFC 4954): the client may log in with one of the SASL mechanisms listed (smtpd_sasl_auth_enable = yes).") },
	{ "AUTH=", N_("AUTH=...: the same list in the old syntax, for broken clients such as Outlook Express (broken_sasl_auth_clients = yes).") },
	{ "DELIVERBY", N_("DELIVERBY (RFC 2852): the client may set a delivery deadline.") },
	{ "XCLIENT", N_("XCLIENT: a Postfix extension for trusted proxies to pass on the real client's address.") },
	{ "XFORWARD", N_("XFORWARD: a Postfix extension for content filters to pass on the original client's data.") },
};

/* What each command does (RFC 5321 4.1.1 and extensions). */
static const struct explain_word commands[] = {
	{ V_GREETING, N_("On connect the server speaks first with a 220 greeting.") },
	{ "HELO", N_("HELO name: the client introduces itself; plain SMTP.") },
	{ "EHLO", N_("EHLO name: the client introduces itself and asks for the ESMTP extensions.") },
	{ "MAIL", N_("MAIL FROM:<address>: starts a transaction with the envelope sender (where bounces go).") },
	{ "RCPT", N_("RCPT TO:<address>: adds one envelope recipient; repeat it for more.") },
	{ "DATA", N_("DATA: asks to send the message; after 354, the headers, an empty line, the body and a lone '.'.") },
	{ V_END, N_("A line with only '.' ends the message; the server now accepts (and queues) or refuses it.") },
	{ "BDAT", N_("BDAT n [LAST]: sends the next n bytes of the message (RFC 3030), no dot needed.") },
	{ "RSET", N_("RSET: drops the open transaction.") },
	{ "NOOP", N_("NOOP: does nothing; checks the connection.") },
	{ "QUIT", N_("QUIT: ends the session.") },
	{ "VRFY", N_("VRFY address: asks whether an address is valid.") },
	{ "EXPN", N_("EXPN list: asks for the members of a mailing list.") },
	{ "HELP", N_("HELP: asks for help text.") },
	{ "ETRN", N_("ETRN domain: asks the server to flush mail queued for a domain (RFC 1985).") },
	{ "STARTTLS", N_("STARTTLS: switches this connection to TLS (RFC 3207).") },
	{ "AUTH", N_("AUTH mechanism [data]: logs in with SASL (RFC 4954).") },
	{ V_EMPTY, N_("An empty line.") },
};

/* Upper-case verb of a command line; the pseudo-verbs map to themselves. */
static char *verb_of(const char *command)
{
	size_t n = 0;
	char *v;

	if (command == NULL || strcasecmp(command, V_GREETING) == 0)
		return xstrdup(V_GREETING);
	if (strcasecmp(command, V_END) == 0 || strcmp(command, ".") == 0)
		return xstrdup(V_END);
	if (*command == '\0' || strcasecmp(command, V_EMPTY) == 0)
		return xstrdup(V_EMPTY);
	while (command[n] != '\0' && command[n] != ' ' && command[n] != ':' &&
	       command[n] != '\t' && command[n] != '\r' && command[n] != '\n')
		n++;
	v = xstrndup(command, n);
	for (n = 0; v[n] != '\0'; n++)
		v[n] = (char)toupper((unsigned char)v[n]);
	return v;
}

static const char *keyword_why(const char *text)
{
	const struct explain_word *w;
	size_t n = 0;

	while (text[n] != '\0' && text[n] != ' ' && text[n] != '=')
		n++;
	if (text[n] == '=')
		n++;	/* "AUTH=PLAIN LOGIN" is its own keyword */
	w = explain_word_find(ehlo_keywords, ARRAY_LEN(ehlo_keywords), text, n);
	return w != NULL ? w->text : NULL;
}

static const char *command_what(const char *verb)
{
	const struct explain_word *w = explain_word_find(commands, ARRAY_LEN(commands),
							 verb, strlen(verb));

	return w != NULL ? w->text : NULL;
}

/* What a rule is matched against besides the verb. */
struct smtp_match {
	const char *command, *code, *enh, *text;
	size_t enh_len;
};

static int rule_fits(const void *row, const void *ctx)
{
	const struct smtp_rule *r = row;
	const struct smtp_match *m = ctx;

	if (r->code != NULL && strncmp(r->code, m->code, 3) != 0)
		return 0;
	if (r->enh != NULL && (strlen(r->enh) != m->enh_len ||
			       strncmp(r->enh, m->enh, m->enh_len) != 0))
		return 0;
	if (r->text != NULL && !explain_contains_nocase(m->text, r->text))
		return 0;
	if ((r->flags & F_NO_BRACKET) &&
	    (m->command == NULL || strchr(m->command, '<') != NULL))
		return 0;
	if ((r->flags & F_NO_AT) &&
	    (m->command == NULL || strchr(m->command, '@') != NULL))
		return 0;
	return 1;
}

static const struct smtp_rule *find_rule(const char *verb, const char *command,
					 const char *code, const char *enh,
					 size_t enh_len, const char *text)
{
	struct smtp_match m = { command, code, enh, text, enh_len };

	return explain_rule_find(rules, ARRAY_LEN(rules), sizeof(rules[0]),
				 verb, rule_fits, &m);
}

char *explain_smtp_command(const char *command)
{
	char *verb = verb_of(command);
	const char *what = command_what(verb);

	free(verb);
	return what ? xstrdup(_(what)) : NULL;
}

char *explain_smtp_reply(const char *command, const char *reply)
{
	char *verb, *codepart, *enhpart = NULL, *out;
	const char *text, *enh = "", *why = NULL;
	const struct smtp_rule *r;
	size_t enh_len = 0;
	int cls, subj, det;

	if (!(isdigit((unsigned char)reply[0]) && isdigit((unsigned char)reply[1]) &&
	      isdigit((unsigned char)reply[2]) &&
	      (reply[3] == '\0' || reply[3] == ' ' || reply[3] == '-')))
		return xstrdup(_("This line does not start with a three-digit code and a space or '-': it is not an SMTP reply (RFC 5321 4.2)."));
	text = reply[3] != '\0' ? reply + 4 : reply + 3;
	verb = verb_of(command);

	/* EHLO's keyword lines (all but the first, which is the name). */
	if (strcmp(verb, "EHLO") == 0 && strncmp(reply, "250", 3) == 0 &&
	    (why = keyword_why(text)) != NULL) {
		free(verb);
		return xstrdup(_(why));
	}
	if (explain_code_parse_enhanced(text, &cls, &subj, &det, &enh_len) == 0) {
		enh = text;
		text += enh_len;
		while (*text == ' ')
			text++;
	}
	r = find_rule(verb, command, reply, enh, enh_len, text);
	if (strcmp(verb, "EHLO") == 0 && strncmp(reply, "250", 3) == 0 &&
	    enh_len == 0 && strcspn(text, ". ") == strlen(text) && *text != '\0') {
		/* A keyword we have no text for; the first line is a name. */
		free(verb);
		return xasprintf(_("%s: another ESMTP extension the server offers."),
				 text);
	}
	if (r != NULL)
		why = r->why;
	else
		why = command_what(verb);
	if (why == NULL && strcmp(verb, V_GREETING) != 0 && strcmp(verb, V_END) != 0)
		why = N_("The server does not know this command.");

	codepart = explain_code_reply(reply);
	if (enh_len > 0)
		enhpart = explain_code_enhanced(enh);
	out = explain_compose(codepart, enhpart, why);
	free(codepart);
	free(enhpart);
	free(verb);
	return out;
}

/* Postfix's only pause before a reply: smtpd_chat_reply() sleeps once the
 * session has made smtpd_soft_error_limit errors. */
char *explain_smtp_delay(long ms)
{
	return xasprintf(_("(the server waits %.1f s before it answers: after smtpd_soft_error_limit (10) errors Postfix slows the client down by smtpd_error_sleep_time for every reply)"),
			 (double)ms / 1000.0);
}
