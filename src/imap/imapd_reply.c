/*
 * Every fixed text imapd sends, in one table. Those marked "ref" appear
 * in reference/transcripts/imap/ (the .txt files) or replies-catalogue.txt (checked
 * byte for byte by tests/unit/test_imapd.c); the others follow Dovecot
 * 2.3.19's sources (imap-login, imap/cmd-*.c, lib-storage) from memory
 * and are marked "dovecot". A final '.' of a post-login tagged reply
 * becomes " (0.001 + 0.000 secs)." (imapd_tagged). Wire text: never
 * translated.
 */
#include "imap/imapd_int.h"
#include "lib/xalloc.h"

static const char *const texts[IMAPD_R_LAST] = {
	[IMAPD_R_GREETING_FMT] = "[CAPABILITY %s] %s",			/* ref */
	[IMAPD_R_PRELOGIN_CAPS] =					/* ref */
		"Pre-login capabilities listed, post-login capabilities have more.",
	/* ref: the post-login list of 01-session a4/a5 */
	[IMAPD_R_CAPS_POSTLOGIN] =
		"IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT "
		"SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
		"THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE "
		"UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 "
		"CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN "
		"CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY "
		"PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY "
		"SPECIAL-USE",
	[IMAPD_R_CAPABILITY_DONE] = "Capability completed.",		/* ref */
	[IMAPD_R_NOOP_DONE] = "NOOP completed.",			/* ref */
	[IMAPD_R_LOGOUT_BYE] = "Logging out",				/* ref */
	[IMAPD_R_LOGOUT_DONE] = "Logout completed.",			/* ref */
	[IMAPD_R_BAD_PRELOGIN] = "Error in IMAP command received by server.", /* ref */
	[IMAPD_R_BAD_LOGIN_TAG] =					/* dovecot */
		"First parameter in line is IMAP's command tag, not the "
		"command name. Add that before the command, like: a login "
		"user pass",
	[IMAPD_R_TOO_MANY_BAD] = "Too many invalid IMAP commands.",	/* dovecot */
	[IMAPD_R_AUTH_FAILED] =						/* ref */
		"[AUTHENTICATIONFAILED] Authentication failed.",
	[IMAPD_R_PRIVACY_REQUIRED] =					/* dovecot */
		"[PRIVACYREQUIRED] Plaintext authentication disallowed on "
		"non-secure (SSL/TLS) connections.",
	[IMAPD_R_LOGGED_IN] = "Logged in",				/* ref */
	[IMAPD_R_STARTTLS_DONE] = "Begin TLS negotiation now.",	/* ref */
	[IMAPD_R_TLS_ACTIVE] = "TLS is already active.",		/* dovecot */
	[IMAPD_R_TLS_UNAVAILABLE] = "TLS support isn't enabled.",	/* dovecot */
	[IMAPD_R_AUTH_MECH_UNKNOWN] =					/* dovecot */
		"Unsupported authentication mechanism.",
	[IMAPD_R_AUTH_ABORTED] = "Authentication aborted by client.",	/* dovecot */
	[IMAPD_R_AUTH_BASE64] = "Invalid base64 data in continued response", /* dovecot */
	[IMAPD_R_ENABLE_PRELOGIN] =					/* dovecot */
		"ENABLE ignored in non-authenticated state.",
	[IMAPD_R_ID_DONE] = "ID completed.",				/* dovecot */
	[IMAPD_R_ID_REPLY] = "* ID (\"name\" \"Dovecot\")",		/* dovecot */
	[IMAPD_R_INVALID_TAG] = "Error in IMAP tag: Invalid tag.",	/* ref */
	[IMAPD_R_INVALID_NAME] =					/* ref */
		"Error in IMAP command: Invalid command name.",
	[IMAPD_R_UNKNOWN_COMMAND] = "Unknown command.",			/* ref */
	[IMAPD_R_INVALID_ARGS] = "Invalid arguments.",			/* ref */
	[IMAPD_R_INVALID_MSGSET] = "Invalid messageset",		/* ref */
	[IMAPD_R_NO_MAILBOX] = "No mailbox selected.",			/* ref */
	[IMAPD_R_TOO_LONG] = "Too long argument.",			/* dovecot */
	[IMAPD_R_LITERAL_TOO_BIG] = "Literal size too large",		/* dovecot */
	[IMAPD_R_INPUT_FULL] = "Input buffer full, aborting",		/* dovecot */
	[IMAPD_R_SELECT_DONE] = "[READ-WRITE] Select completed.",	/* ref */
	[IMAPD_R_EXAMINE_DONE] = "[READ-ONLY] Examine completed.",	/* ref */
	[IMAPD_R_CLOSED] = "[CLOSED] Previous mailbox closed.",		/* ref */
	[IMAPD_R_FLAGS_PERMITTED] = "Flags permitted.",			/* ref */
	[IMAPD_R_READONLY_MAILBOX] = "Read-only mailbox.",		/* ref */
	[IMAPD_R_FIRST_UNSEEN] = "[UNSEEN %zu] First unseen.",		/* ref */
	[IMAPD_R_UIDS_VALID] = "[UIDVALIDITY %u] UIDs valid",		/* ref */
	[IMAPD_R_NEXT_UID] = "[UIDNEXT %u] Predicted next UID",		/* ref */
	[IMAPD_R_HIGHESTMODSEQ] = "[HIGHESTMODSEQ %llu] Highest",	/* dovecot */
	[IMAPD_R_NOMODSEQ] = "[NOMODSEQ] No permanent modsequences",	/* dovecot */
	[IMAPD_R_MAILBOX_NONEXISTENT] = "Mailbox doesn't exist: %s",	/* ref */
	[IMAPD_R_ALREADY_EXISTS] = "[ALREADYEXISTS] Mailbox already exists", /* ref */
	[IMAPD_R_CREATE_DONE] = "Create completed.",			/* ref */
	[IMAPD_R_DELETE_DONE] = "Delete completed.",			/* ref */
	[IMAPD_R_RENAME_DONE] = "Rename completed.",			/* ref */
	[IMAPD_R_SUBSCRIBE_DONE] = "Subscribe completed.",		/* dovecot */
	[IMAPD_R_UNSUBSCRIBE_DONE] = "Unsubscribe completed.",		/* dovecot */
	[IMAPD_R_LIST_DONE] = "List completed.",			/* ref */
	[IMAPD_R_LSUB_DONE] = "Lsub completed.",			/* dovecot */
	[IMAPD_R_STATUS_DONE] = "Status completed.",			/* ref */
	[IMAPD_R_STATUS_SELECTED] =					/* ref */
		"[CLIENTBUG] Status on selected mailbox completed.",
	[IMAPD_R_APPEND_DONE] = "[APPENDUID %u %s] Append completed.",	/* ref */
	[IMAPD_R_COPY_DONE] = "[COPYUID %u %s %s] Copy completed.",	/* ref */
	[IMAPD_R_MOVE_DONE] = "Move completed.",			/* dovecot */
	[IMAPD_R_MOVED_UIDS] = "[COPYUID %u %s %s] Moved UIDs.",	/* dovecot */
	[IMAPD_R_NO_MESSAGES] = "No messages found.",			/* dovecot */
	[IMAPD_R_FETCH_DONE] = "Fetch completed.",			/* ref */
	[IMAPD_R_SEARCH_DONE] = "Search completed.",			/* ref */
	[IMAPD_R_SORT_DONE] = "Sort completed.",			/* dovecot */
	[IMAPD_R_THREAD_DONE] = "Thread completed.",			/* dovecot */
	[IMAPD_R_STORE_DONE] = "Store completed.",			/* ref */
	[IMAPD_R_STORE_READONLY] = "Store ignored with read-only mailbox.", /* ref */
	[IMAPD_R_STORE_MODIFIED] = "[MODIFIED %s] Conditional STORE failed.", /* dovecot */
	[IMAPD_R_EXPUNGE_DONE] = "Expunge completed.",			/* ref */
	[IMAPD_R_CLOSE_DONE] = "Close completed.",			/* ref */
	[IMAPD_R_UNSELECT_DONE] = "Unselect completed.",		/* dovecot */
	[IMAPD_R_CHECK_DONE] = "Check completed.",			/* dovecot */
	[IMAPD_R_IDLE_CONT] = "+ idling",				/* ref */
	[IMAPD_R_IDLE_DONE] = "Idle completed.",			/* ref */
	[IMAPD_R_IDLE_EXPECTED_DONE] = "Expected DONE.",		/* dovecot */
	[IMAPD_R_STILL_HERE] = "Still here",				/* dovecot */
	[IMAPD_R_NAMESPACE_DONE] = "Namespace completed.",		/* dovecot */
	[IMAPD_R_ENABLE_DONE] = "Enabled.",				/* dovecot */
	[IMAPD_R_TRYCREATE] = "[TRYCREATE] Mailbox doesn't exist: %s",	/* dovecot */
	[IMAPD_R_INBOX_DELETE] = "INBOX can't be deleted.",		/* dovecot */
	[IMAPD_R_ZERO_MESSAGE] = "Can't save a zero byte message.",	/* dovecot */
	[IMAPD_R_TOO_BIG] = "[TOOBIG] Mail size is too large",		/* dovecot */
	[IMAPD_R_STORAGE_ERROR] =					/* dovecot */
		"[SERVERBUG] Internal error occurred. Refer to server log for "
		"more information.",
	[IMAPD_R_BAD_CHARSET] = "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset", /* dovecot */
	[IMAPD_R_UNKNOWN_CTE] = "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding", /* dovecot */
	[IMAPD_R_CLIENTBUG_DUP] = "[CLIENTBUG]",			/* dovecot */
};

const char *imapd_reply_text(enum imapd_reply r)
{
	BUG_ON((size_t)r >= IMAPD_R_LAST || texts[r] == NULL);
	return texts[r];
}
