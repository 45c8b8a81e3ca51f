/*
 * explain_imap: the IMAP explanations (RFC 3501 and the extensions
 * Dovecot 2.3 speaks), for one response line at a time. A line reads
 *
 *	KIND = what it is; [CODE] = meaning. Why, for this command.
 *
 * KIND is what RFC 3501 7 says the line is: tagged (the end of the
 * command with that tag: OK it worked, NO it failed, BAD it was not
 * understood), untagged status (* OK, * NO, * BAD, * BYE, * PREAUTH),
 * untagged data (* 3 EXISTS, * LIST, * FETCH ...) or a "+" continuation
 * request. The response codes in brackets (RFC 3501 7.1, RFC 4315, 5530,
 * 7162) get their meaning; "why" is the first matching rule (command,
 * kind, a piece of the text), else what the command does. The rules
 * cover every IMAP response in reference/replies-catalogue.txt and the
 * texts of src/imap/imapd_reply.c.
 *
 * The command is the line the client sent ("a7 SELECT INBOX"), or a verb
 * as in the catalogue ("SELECT", "UID FETCH", "(greeting)").
 */
#include "ui/explain.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

#define V_GREETING "(greeting)"
#define V_EMPTY "(empty line)"

enum imap_kind {
	K_ANY,
	K_TAGGED,	/* tag OK/NO/BAD */
	K_STATUS,	/* * OK/NO/BAD/BYE/PREAUTH */
	K_DATA,		/* * 3 EXISTS, * LIST ... */
	K_CONT,		/* + ... */
};

struct imap_rule {
	const char *verb;	/* "SELECT", V_GREETING; NULL: any */
	enum imap_kind kind;
	const char *status;	/* "OK", "NO", "BAD", "BYE"; data: "EXISTS",
				   "FETCH" ...; NULL: any */
	const char *text;	/* a piece of the line; NULL: any */
	const char *why;	/* N_() */
};

static const struct imap_rule rules[] = {
	/* The greeting (RFC 3501 7.1.1, 7.1.4, 7.1.5). */
	{ V_GREETING, K_STATUS, "OK", NULL,
	  N_("The IMAP server speaks first (port 143; IMAPS on 993 has TLS from the first byte). The [CAPABILITY ...] code saves a CAPABILITY command: STARTTLS and AUTH=PLAIN say how to log in. Each command starts with a tag you choose: a1 LOGIN user password.") },
	{ V_GREETING, K_STATUS, "PREAUTH", NULL,
	  N_("The connection is logged in already (the server knows the client by other means): the authenticated state at once.") },
	{ V_GREETING, K_STATUS, "BYE", NULL,
	  N_("The server will not talk to this client now and closes the connection.") },

	/* Tags and unknown commands (RFC 3501 2.2.1, 9). */
	{ NULL, K_ANY, "BAD", "Invalid tag",
	  N_("Every command line starts with a tag of your choice (a1, a2 ...); this line was empty or started with '*', which cannot be a tag.") },
	{ NULL, K_ANY, "BAD", "Invalid command name",
	  N_("The first word of a line is the tag, the command comes second: a1 NOOP, not NOOP (the server took NOOP for the tag).") },
	{ NULL, K_ANY, "BAD", "IMAP's command tag",
	  N_("The first word of a line is the tag, the command comes second: a1 LOGIN user password.") },
	{ NULL, K_ANY, "BAD", "Unknown command",
	  N_("The server does not know this command; check the spelling. IMAP commands: CAPABILITY, LOGIN, LIST, SELECT, EXAMINE, STATUS, FETCH, SEARCH, STORE, COPY, EXPUNGE, APPEND, CREATE, DELETE, RENAME, IDLE, CLOSE, LOGOUT.") },
	{ NULL, K_ANY, "BAD", "Too many invalid",
	  N_("Too many bad commands: Dovecot closes the connection.") },
	{ "LOGIN", K_TAGGED, "BAD", "received by server",
	  N_("LOGIN takes exactly two arguments, the user name and the password (quote one that holds a space: a1 LOGIN \"alice\" \"my secret\").") },
	{ NULL, K_TAGGED, "BAD", "received by server",
	  N_("Before login (the not-authenticated state, RFC 3501 3.1) only CAPABILITY, NOOP, LOGOUT, STARTTLS, AUTHENTICATE and LOGIN are allowed: log in first.") },
	{ NULL, K_TAGGED, "BAD", "Invalid arguments",
	  N_("The command's arguments are missing or malformed: FETCH needs a message set and data items (a1 FETCH 1 (FLAGS), a1 FETCH 1:* (UID RFC822.SIZE), a1 FETCH 2 BODY[]).") },
	{ NULL, K_TAGGED, "BAD", "Invalid messageset",
	  N_("No such message (or a malformed set): sets look like 1, 1:3, 2:* or 1,3,5, and * is the last message.") },
	{ NULL, K_TAGGED, "BAD", "No mailbox selected",
	  N_("This command works on a selected mailbox: SELECT INBOX first (CLOSE unselected it).") },
	{ NULL, K_ANY, NULL, "Literal size too large",
	  N_("The literal announced more bytes than Dovecot accepts.") },
	{ NULL, K_ANY, NULL, "Too long argument",
	  N_("An argument longer than Dovecot accepts.") },

	/* Logging in (RFC 3501 6.2). */
	{ NULL, K_ANY, NULL, "[AUTHENTICATIONFAILED]",
	  N_("Wrong user name or password (the same answer for both). Dovecot answers only after a pause (auth_failure_delay), to slow down password guessing.") },
	{ NULL, K_ANY, NULL, "[PRIVACYREQUIRED]",
	  N_("disable_plaintext_auth = yes (Dovecot's default): no password over an unencrypted connection from another machine. Send STARTTLS first, or use IMAPS (port 993); on localhost Dovecot allows it.") },
	{ NULL, K_TAGGED, "OK", "Logged in",
	  N_("Logged in: the authenticated state (RFC 3501 3.2); next SELECT a mailbox (INBOX is /var/mail/USER or ~/Maildir). The [CAPABILITY ...] code gives the longer list of capabilities after login.") },
	{ "LOGIN", K_DATA, "CAPABILITY", NULL,
	  N_("After you asked for CAPABILITY before login, Dovecot sends the post-login list as an untagged line rather than in the OK.") },
	{ "AUTHENTICATE", K_DATA, "CAPABILITY", NULL,
	  N_("After you asked for CAPABILITY before login, Dovecot sends the post-login list as an untagged line rather than in the OK.") },
	{ "AUTHENTICATE", K_CONT, NULL, NULL,
	  N_("Send the SASL data base64-encoded: for PLAIN, base64 of \\0user\\0password (printf '\\0alice\\0alicepw' | base64 gives AGFsaWNlAGFsaWNlcHc=); a line with '*' cancels.") },
	{ NULL, K_TAGGED, "NO", "Unsupported authentication mechanism",
	  N_("The server does not offer that SASL mechanism; the AUTH= capabilities list the ones it does.") },
	{ NULL, K_TAGGED, "BAD", "base64",
	  N_("The SASL data must be base64.") },
	{ NULL, K_TAGGED, "BAD", "aborted by client",
	  N_("You cancelled the login with '*'.") },
	{ "STARTTLS", K_TAGGED, "OK", NULL,
	  N_("Now the TLS handshake follows on this connection (RFC 3501 6.2.1); afterwards ask CAPABILITY again: the list changes (no STARTTLS). IMAPS (port 993) has TLS from the start.") },
	{ "STARTTLS", K_TAGGED, "BAD", "already active",
	  N_("This connection is already encrypted.") },
	{ "STARTTLS", K_TAGGED, "BAD", "isn't enabled",
	  N_("TLS is off on this server (Dovecot's ssl = no).") },

	/* CAPABILITY, NOOP, LOGOUT (RFC 3501 6.1). */
	{ "CAPABILITY", K_TAGGED, "OK", "Pre-login",
	  N_("Before login Dovecot lists only what matters for logging in; after LOGIN the list is longer.") },
	{ NULL, K_DATA, "CAPABILITY", NULL,
	  N_("What the server can do (RFC 3501 7.2.1): IMAP4rev1, then one word per extension. STARTTLS: switch to TLS; AUTH=PLAIN: the login mechanisms; LOGINDISABLED would mean no LOGIN without TLS; IDLE: push of new mail (RFC 2177); LITERAL+: literals without waiting (RFC 7888); UIDPLUS: UIDs of copied and appended mail (RFC 4315); MOVE (RFC 6851).") },
	{ "NOOP", K_TAGGED, "OK", NULL,
	  N_("NOOP does nothing - but any news about the selected mailbox (* n EXISTS, * n EXPUNGE, flag changes) comes before this OK, so clients use it to poll.") },
	{ "LOGOUT", K_STATUS, "BYE", NULL,
	  N_("LOGOUT: the server says BYE first, completes the command, then closes the connection.") },
	{ "LOGOUT", K_TAGGED, "OK", NULL,
	  N_("The session is over; the server closes the connection now.") },
	{ NULL, K_STATUS, "BYE", NULL,
	  N_("The server is closing the connection (RFC 3501 7.1.5): an idle timeout, too many errors, or a shutdown.") },

	/* Mailboxes (RFC 3501 6.3). */
	{ NULL, K_DATA, "LIST", NULL,
	  N_("One mailbox: its attributes (\\HasNoChildren; \\NoInferiors: an mbox file cannot hold folders; \\Marked: mail arrived since it was last looked at; \\Noselect: only a folder), the hierarchy separator (\"/\") and the name.") },
	{ NULL, K_DATA, "LSUB", NULL,
	  N_("One subscribed mailbox (SUBSCRIBE), as for LIST.") },
	{ "LIST", K_TAGGED, "OK", NULL,
	  N_("The list is complete. LIST \"\" \"*\" lists every mailbox, LIST \"\" \"%\" only the top level.") },
	{ NULL, K_DATA, "FLAGS", NULL,
	  N_("The flags messages in this mailbox can have: the system flags (starting with \\) and any keywords in use.") },
	{ NULL, K_DATA, "EXISTS", NULL,
	  N_("The mailbox holds this many messages; sequence numbers 1 to that address them (they shift when a message is expunged; UIDs do not). Also sent unasked when new mail arrives.") },
	{ NULL, K_DATA, "RECENT", NULL,
	  N_("This many messages arrived since a session last looked at the mailbox (\\Recent: only the first session to see a message counts it as recent, POP3 sessions included).") },
	{ "SELECT", K_TAGGED, "OK", "[READ-WRITE]",
	  N_("The mailbox is selected for reading and changing (the selected state, RFC 3501 3.3): FETCH, SEARCH, STORE, COPY and EXPUNGE work on it now.") },
	{ "EXAMINE", K_TAGGED, "OK", "[READ-ONLY]",
	  N_("EXAMINE selects the mailbox read-only: you can read everything, nothing changes, not even \\Seen.") },
	{ NULL, K_TAGGED, "NO", "Mailbox doesn't exist",
	  N_("No mailbox by that name: LIST \"\" \"*\" shows them (names are case-sensitive, except INBOX).") },
	{ "CREATE", K_TAGGED, "OK", NULL,
	  N_("The new mailbox exists now (with mbox storage, a file in ~/mail/).") },
	{ "DELETE", K_TAGGED, "OK", NULL,
	  N_("The mailbox and the mail in it are gone.") },
	{ "RENAME", K_TAGGED, "OK", NULL,
	  N_("The mailbox has its new name (renaming INBOX would move its mail into a new mailbox instead).") },
	{ NULL, K_TAGGED, "NO", "INBOX can't be deleted",
	  N_("INBOX is where new mail is delivered; it cannot be deleted.") },
	{ "STATUS", K_TAGGED, "OK", "[CLIENTBUG]",
	  N_("Dovecot answers, but complains: STATUS on the mailbox you have selected is pointless (RFC 3501 6.3.10 says not to use it there); SELECT and the updates after it give those numbers.") },
	{ NULL, K_DATA, "STATUS", NULL,
	  N_("The counters asked for, without selecting the mailbox: MESSAGES, UNSEEN (not \\Seen), UIDNEXT, UIDVALIDITY, RECENT.") },
	{ "SUBSCRIBE", K_TAGGED, "OK", NULL,
	  N_("The mailbox is on the subscription list (LSUB shows it).") },

	/* Messages (RFC 3501 6.4). */
	{ NULL, K_DATA, "FETCH", "BODY[",
	  N_("Message data: the items asked for. {n} is a literal: exactly n bytes follow as they are, then the rest of the response. Fetching BODY[...] (not BODY.PEEK[...]) sets \\Seen, so FLAGS come along.") },
	{ "STORE", K_DATA, "FETCH", NULL,
	  N_("The message's flags after the change (STORE n +FLAGS adds, -FLAGS removes, FLAGS replaces; +FLAGS.SILENT would not answer).") },
	{ NULL, K_DATA, "FETCH", NULL,
	  N_("Data about one message (by its sequence number): the items asked for - FLAGS, UID, RFC822.SIZE (bytes with CRLF), INTERNALDATE (when it arrived), ENVELOPE (the main headers, parsed), BODYSTRUCTURE (its MIME parts). Sent unasked when flags change.") },
	{ "FETCH", K_TAGGED, "OK", NULL,
	  N_("All the data asked for came above.") },
	{ NULL, K_DATA, "SEARCH", NULL,
	  N_("The numbers of the messages that match (UIDs for UID SEARCH); nothing after SEARCH means none.") },
	{ NULL, K_DATA, "ESEARCH", NULL,
	  N_("The search result in ESEARCH form (RFC 4731): MIN, MAX, COUNT, ALL.") },
	{ "STORE", K_TAGGED, "OK", "read-only",
	  N_("The mailbox was opened with EXAMINE (read-only): Dovecot ignores the change and says so.") },
	{ "STORE", K_TAGGED, "OK", NULL,
	  N_("The flags are changed. \\Deleted only marks a message: EXPUNGE (or CLOSE) removes it.") },
	{ NULL, K_DATA, "EXPUNGE", NULL,
	  N_("This message is gone for good; every message after it moves down one number. Also sent unasked when another session expunges.") },
	{ "EXPUNGE", K_TAGGED, "OK", NULL,
	  N_("The messages marked \\Deleted are removed.") },
	{ "CLOSE", K_TAGGED, "OK", NULL,
	  N_("CLOSE removes the \\Deleted messages without a word and leaves the selected state (UNSELECT would keep them).") },
	{ "COPY", K_TAGGED, "OK", NULL,
	  N_("The messages are copied; [COPYUID validity old-UIDs new-UIDs] (RFC 4315 UIDPLUS) says which UIDs the copies got.") },
	{ "MOVE", K_TAGGED, "OK", NULL,
	  N_("The messages are moved (RFC 6851): copied, then expunged here.") },
	{ NULL, K_ANY, NULL, "[TRYCREATE]",
	  N_("The target mailbox does not exist; CREATE it and try again.") },
	{ "APPEND", K_CONT, NULL, NULL,
	  N_("The server is ready for the literal: send exactly the number of bytes announced in {n} (every line counts with its CRLF), then end the command line.") },
	{ "APPEND", K_TAGGED, "OK", NULL,
	  N_("The message is stored; [APPENDUID validity UID] (RFC 4315 UIDPLUS) says which UID it got.") },
	{ NULL, K_TAGGED, "NO", "zero byte message",
	  N_("An empty message cannot be stored.") },
	{ NULL, K_TAGGED, "NO", "[TOOBIG]",
	  N_("The message is bigger than the server accepts.") },

	/* IDLE (RFC 2177) and the rest. */
	{ "IDLE", K_CONT, NULL, NULL,
	  N_("IDLE (RFC 2177): the server now pushes changes as they happen (new mail shows up as * n EXISTS); type DONE to end it. Try sending mail to this user from another terminal.") },
	{ "IDLE", K_TAGGED, "OK", NULL,
	  N_("IDLE is over; commands again.") },
	{ NULL, K_TAGGED, "BAD", "Expected DONE",
	  N_("Inside IDLE the only thing to send is DONE.") },
	{ NULL, K_STATUS, "OK", "Still here",
	  N_("Dovecot's keep-alive during IDLE: the connection is fine.") },
	{ NULL, K_DATA, "NAMESPACE", NULL,
	  N_("The mailbox namespaces (RFC 2342): personal, other users', shared; each with its prefix and separator.") },
	{ NULL, K_DATA, "ENABLED", NULL,
	  N_("The extensions that are now on for this session (RFC 5161).") },
	{ NULL, K_DATA, "ID", NULL,
	  N_("The server's name and version (RFC 2971).") },
	{ NULL, K_DATA, "VANISHED", NULL,
	  N_("UIDs of messages gone since the client last looked (RFC 7162 QRESYNC).") },
	{ NULL, K_DATA, "SORT", NULL,
	  N_("The matching messages in the order asked for (RFC 5256).") },
	{ NULL, K_DATA, "THREAD", NULL,
	  N_("The matching messages as threads (RFC 5256): parentheses group replies.") },
	{ NULL, K_TAGGED, "NO", "[SERVERBUG]",
	  N_("Something went wrong on the server; mail.log says what.") },
	{ NULL, K_TAGGED, "NO", "[BADCHARSET",
	  N_("SEARCH CHARSET must be one the server knows (the list in brackets).") },
};

/* RFC 3501 7.1 and later RFCs: the codes in brackets. */
static const struct explain_word codes[] = {
	{ "ALERT", N_("a message the user must read") },
	{ "BADCHARSET", N_("the SEARCH charset is not supported") },
	{ "CAPABILITY", N_("the server's capabilities, without a CAPABILITY command") },
	{ "PARSE", N_("a message's headers could not be parsed") },
	{ "PERMANENTFLAGS", N_("the flags the client may change for good; \\* means it may also invent keywords, () that nothing can be changed") },
	{ "READ-ONLY", N_("the mailbox is open read-only") },
	{ "READ-WRITE", N_("the mailbox is open for reading and writing") },
	{ "TRYCREATE", N_("the target mailbox does not exist; CREATE it first") },
	{ "UIDNEXT", N_("the UID the next new message will get") },
	{ "UIDVALIDITY", N_("UIDs stay valid as long as this number stays the same; when it changes a client must forget the UIDs it kept (RFC 3501 2.3.1.1)") },
	{ "UNSEEN", N_("the number of the first message without \\Seen") },
	{ "APPENDUID", N_("the mailbox's UIDVALIDITY and the UID the new message got (RFC 4315)") },
	{ "COPYUID", N_("the UIDVALIDITY of the target, the UIDs copied and the UIDs of the copies (RFC 4315)") },
	{ "UIDNOTSTICKY", N_("this mailbox cannot keep UIDs across sessions") },
	{ "CLOSED", N_("the mailbox selected before is closed; what follows is about the new one (RFC 7162)") },
	{ "CLIENTBUG", N_("the server thinks the client did something pointless or wrong, but did it (RFC 5530)") },
	{ "ALREADYEXISTS", N_("a mailbox by that name exists already (RFC 5530)") },
	{ "NONEXISTENT", N_("no such mailbox (RFC 5530)") },
	{ "AUTHENTICATIONFAILED", N_("user name or password wrong (RFC 5530)") },
	{ "AUTHORIZATIONFAILED", N_("the user may not act as the user asked for (RFC 5530)") },
	{ "UNAVAILABLE", N_("a temporary problem on the server (RFC 5530)") },
	{ "EXPIRED", N_("the password or account has expired (RFC 5530)") },
	{ "PRIVACYREQUIRED", N_("this needs an encrypted connection (RFC 5530)") },
	{ "CONTACTADMIN", N_("ask the administrator (RFC 5530)") },
	{ "NOPERM", N_("no permission for this mailbox (RFC 5530)") },
	{ "INUSE", N_("someone else is using it; try later (RFC 5530)") },
	{ "EXPUNGEISSUED", N_("another session expunged messages meanwhile (RFC 5530)") },
	{ "CORRUPTION", N_("the mailbox is damaged (RFC 5530)") },
	{ "SERVERBUG", N_("a bug or fault on the server (RFC 5530)") },
	{ "CANNOT", N_("the server will never do this (RFC 5530)") },
	{ "LIMIT", N_("a limit was reached (RFC 5530)") },
	{ "OVERQUOTA", N_("the mailbox is over its quota (RFC 5530)") },
	{ "HASCHILDREN", N_("the mailbox has children and cannot be deleted like this (RFC 5530)") },
	{ "HIGHESTMODSEQ", N_("the highest modification sequence (RFC 7162 CONDSTORE)") },
	{ "NOMODSEQ", N_("this mailbox keeps no modification sequences (RFC 7162)") },
	{ "MODIFIED", N_("these messages changed meanwhile; the STORE was not done for them (RFC 7162)") },
	{ "TOOBIG", N_("the message is too big (RFC 7889)") },
	{ "UNKNOWN-CTE", N_("a Content-Transfer-Encoding the server cannot decode (RFC 3516)") },
	{ "REFERRAL", N_("the mailbox is on another server (RFC 2221)") },
};

/* What each command does (RFC 3501 6 and extensions). */
static const struct explain_word commands[] = {
	{ V_GREETING, N_("On connect the IMAP server greets with an untagged OK (or PREAUTH, or BYE).") },
	{ "CAPABILITY", N_("CAPABILITY: lists what the server can do.") },
	{ "NOOP", N_("NOOP: does nothing; gives the server a chance to report changes.") },
	{ "LOGOUT", N_("LOGOUT: ends the session.") },
	{ "STARTTLS", N_("STARTTLS: switches this connection to TLS.") },
	{ "AUTHENTICATE", N_("AUTHENTICATE mechanism: login with SASL.") },
	{ "LOGIN", N_("LOGIN user password: login.") },
	{ "SELECT", N_("SELECT mailbox: opens a mailbox for reading and changing.") },
	{ "EXAMINE", N_("EXAMINE mailbox: opens a mailbox read-only.") },
	{ "CREATE", N_("CREATE mailbox: makes a new mailbox.") },
	{ "DELETE", N_("DELETE mailbox: removes a mailbox.") },
	{ "RENAME", N_("RENAME old new: renames a mailbox.") },
	{ "SUBSCRIBE", N_("SUBSCRIBE mailbox: adds it to the subscription list.") },
	{ "UNSUBSCRIBE", N_("UNSUBSCRIBE mailbox: takes it off the subscription list.") },
	{ "LIST", N_("LIST reference pattern: lists mailboxes (LIST \"\" \"*\").") },
	{ "LSUB", N_("LSUB reference pattern: lists subscribed mailboxes.") },
	{ "STATUS", N_("STATUS mailbox (items): counters of a mailbox without selecting it.") },
	{ "APPEND", N_("APPEND mailbox [(flags)] {size}: stores a message sent as a literal.") },
	{ "CHECK", N_("CHECK: a checkpoint of the selected mailbox.") },
	{ "CLOSE", N_("CLOSE: removes \\Deleted messages and unselects the mailbox.") },
	{ "UNSELECT", N_("UNSELECT: unselects the mailbox without removing anything.") },
	{ "EXPUNGE", N_("EXPUNGE: removes the messages marked \\Deleted.") },
	{ "SEARCH", N_("SEARCH criteria: the numbers of matching messages.") },
	{ "FETCH", N_("FETCH set items: data of messages.") },
	{ "STORE", N_("STORE set +FLAGS|-FLAGS|FLAGS (flags): changes flags.") },
	{ "COPY", N_("COPY set mailbox: copies messages.") },
	{ "MOVE", N_("MOVE set mailbox: moves messages.") },
	{ "IDLE", N_("IDLE: waits for the server to push changes; DONE ends it.") },
	{ "NAMESPACE", N_("NAMESPACE: the mailbox namespaces.") },
	{ "ENABLE", N_("ENABLE extension: turns an extension on.") },
	{ "ID", N_("ID: client and server tell each other their names.") },
	{ V_EMPTY, N_("An empty line.") },
};

/* The parts of a response line. */
struct resp {
	enum imap_kind kind;
	char tag[64];		/* the tag, "*" or "+" */
	char status[32];	/* OK NO BAD BYE PREAUTH, or the data word */
	const char *rest;	/* after the status word */
};

static void word_at(const char **pp, char *buf, size_t len)
{
	const char *p = *pp;
	size_t k = 0;

	while (*p == ' ')
		p++;
	while (*p != '\0' && *p != ' ' && k + 1 < len)
		buf[k++] = *p++;
	buf[k] = '\0';
	while (*p != '\0' && *p != ' ')
		p++;
	*pp = p;
}

static int is_status(const char *w)
{
	return strcasecmp(w, "OK") == 0 || strcasecmp(w, "NO") == 0 ||
	       strcasecmp(w, "BAD") == 0 || strcasecmp(w, "BYE") == 0 ||
	       strcasecmp(w, "PREAUTH") == 0;
}

static void parse_resp(const char *line, struct resp *r)
{
	const char *p = line;
	char w[32];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (line[0] == '+') {
		r->kind = K_CONT;
		strcpy(r->tag, "+");
		r->rest = line + 1;
		return;
	}
	word_at(&p, r->tag, sizeof(r->tag));
	word_at(&p, w, sizeof(w));
	if (strcmp(r->tag, "*") == 0 && !is_status(w) &&
	    isdigit((unsigned char)w[0])) {
		/* "* 3 EXISTS", "* 1 FETCH (...)" */
		word_at(&p, w, sizeof(w));
		r->kind = K_DATA;
	} else if (strcmp(r->tag, "*") == 0) {
		r->kind = is_status(w) ? K_STATUS : K_DATA;
	} else {
		r->kind = K_TAGGED;
	}
	for (i = 0; w[i] != '\0' && i + 1 < sizeof(r->status); i++)
		r->status[i] = (char)toupper((unsigned char)w[i]);
	r->status[i] = '\0';
	r->rest = p;
}

/*
 * The command's verb: capture.py's rule, the word after the tag ("UID
 * FETCH" for UID commands); a single word is the catalogue's bare verb
 * (or a line without a tag), and "UID FETCH" is the catalogue's too.
 */
static char *verb_of(const char *command)
{
	char w0[64], w1[64], w2[64], *v;
	const char *p = command;
	size_t i;

	if (command == NULL || strcasecmp(command, V_GREETING) == 0)
		return xstrdup(V_GREETING);
	if (*command == '\0' || strcasecmp(command, V_EMPTY) == 0)
		return xstrdup(V_EMPTY);
	word_at(&p, w0, sizeof(w0));
	word_at(&p, w1, sizeof(w1));
	word_at(&p, w2, sizeof(w2));
	if (w1[0] == '\0')
		v = xstrdup(w0);
	else if (strcasecmp(w0, "UID") == 0 && w2[0] == '\0')
		v = xasprintf("UID %s", w1);
	else if (strcasecmp(w1, "UID") == 0 && w2[0] != '\0')
		v = xasprintf("UID %s", w2);
	else
		v = xstrdup(w1);
	for (i = 0; v[i] != '\0'; i++)
		v[i] = (char)toupper((unsigned char)v[i]);
	return v;
}

/* "UID FETCH" answers as FETCH does. */
static const char *base_verb(const char *verb)
{
	return strncmp(verb, "UID ", 4) == 0 ? verb + 4 : verb;
}

static const char *command_what(const char *verb)
{
	const char *v = base_verb(verb);
	const struct explain_word *w =
		explain_word_find(commands, ARRAY_LEN(commands), v, strlen(v));

	return w != NULL ? w->text : NULL;
}

char *explain_imap_command(const char *command)
{
	char *verb, *out;
	const char *what;

	verb = verb_of(command);
	what = command_what(verb);
	out = what ? xstrdup(_(what)) : NULL;
	free(verb);
	return out;
}

/* What a rule is matched against besides the verb. */
struct imap_match {
	const struct resp *r;
	const char *line;
};

static int rule_fits(const void *row, const void *ctx)
{
	const struct imap_rule *x = row;
	const struct imap_match *m = ctx;

	return (x->kind == K_ANY || x->kind == m->r->kind) &&
	       (x->status == NULL || strcmp(x->status, m->r->status) == 0) &&
	       (x->text == NULL || explain_contains_nocase(m->line, x->text));
}

static const struct imap_rule *find_rule(const char *verb, const struct resp *r,
					 const char *line)
{
	struct imap_match m = { r, line };

	return explain_rule_find(rules, ARRAY_LEN(rules), sizeof(rules[0]),
				 base_verb(verb), rule_fits, &m);
}

/* What the line is, by RFC 3501 7. */
static char *kind_text(const struct resp *r)
{
	if (r->kind == K_CONT)
		return xstrdup(_("+ = continuation request: the server waits for more of the command (RFC 3501 7.5)"));
	if (r->kind == K_DATA)
		/* TRANSLATORS: "* EXISTS = untagged data ..." */
		return xasprintf(_("* %s = untagged data: information the server sends along, not the end of a command (RFC 3501 7)"),
				 r->status);
	if (r->kind == K_STATUS) {
		if (strcmp(r->status, "BYE") == 0)
			return xstrdup(_("* BYE = untagged: the server is about to close the connection"));
		if (strcmp(r->status, "PREAUTH") == 0)
			return xstrdup(_("* PREAUTH = untagged greeting: already logged in"));
		if (strcmp(r->status, "NO") == 0)
			return xstrdup(_("* NO = untagged warning from the server"));
		if (strcmp(r->status, "BAD") == 0)
			return xstrdup(_("* BAD = untagged: a protocol error the server cannot tie to a command"));
		return xstrdup(_("* OK = untagged: information from the server, not the end of a command"));
	}
	if (strcmp(r->status, "OK") == 0)
		/* TRANSLATORS: "a7 OK = tagged: ..." */
		return xasprintf(_("%s OK = tagged: the command with tag %s is done, and it worked"),
				 r->tag, r->tag);
	if (strcmp(r->status, "NO") == 0)
		return xasprintf(_("%s NO = tagged: the command with tag %s is done, and it failed (the session goes on)"),
				 r->tag, r->tag);
	if (strcmp(r->status, "BAD") == 0)
		return xasprintf(_("%s BAD = tagged: the server did not understand the command with tag %s (syntax, unknown command, or not allowed now)"),
				 r->tag, r->tag);
	return xstrdup(_("This line is neither tagged, untagged (*) nor a continuation (+): not an IMAP response (RFC 3501 7)."));
}

/* "[CODE ...] = meaning" for the code in the line, or NULL. */
static char *code_text(const char *line)
{
	const char *b = strchr(line, '['), *e;
	const struct explain_word *w;

	if (b == NULL)
		return NULL;
	e = strchr(b, ']');
	if (e == NULL)
		return NULL;
	w = explain_word_find(codes, ARRAY_LEN(codes), b + 1, strcspn(b + 1, " ]"));
	if (w == NULL)
		return NULL;
	/* TRANSLATORS: "[UIDNEXT] = the UID the next new message will get" */
	return xasprintf(_("[%s] = %s"), w->word, _(w->text));
}

char *explain_imap_reply(const char *command, const char *reply)
{
	struct resp r;
	const struct imap_rule *x;
	char *verb, *kind, *code, *out;
	const char *why;

	parse_resp(reply, &r);
	verb = verb_of(command);
	kind = kind_text(&r);
	code = code_text(reply);
	x = find_rule(verb, &r, reply);
	why = x != NULL ? x->why : NULL;
	if (why == NULL && r.kind == K_TAGGED)
		why = command_what(verb);
	if (why == NULL && r.kind == K_TAGGED && strcmp(verb, V_GREETING) != 0)
		why = N_("The server does not know this command.");
	out = explain_compose(kind, code, why);
	free(code);
	free(kind);
	free(verb);
	return out;
}

char *explain_imap_delay(long ms)
{
	return xasprintf(_("(the server waits %.1f s before it answers: Dovecot delays the answer after a failed login - auth_failure_delay - to slow down password guessing)"),
			 (double)ms / 1000.0);
}
