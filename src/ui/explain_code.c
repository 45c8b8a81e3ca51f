/*
 * explain_code: what an SMTP reply code (RFC 5321 4.2.2 and 4.2.3, plus
 * RFC 4954 for AUTH, RFC 3207 for STARTTLS, RFC 7504 for 521) and an
 * enhanced status code (RFC 3463, with the additions of RFC 4954, 5248,
 * 6531 and 7505) mean, in a few words for a learner. Unknown codes fall
 * back to the meaning of their digits (RFC 5321 4.2.1; RFC 3463 section
 * 2: class and subject), so every code gets a text.
 */
#include "ui/explain_code.h"

#include <stdio.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

struct code_text {
	const char *code;
	const char *text;	/* N_() */
};

static const struct code_text reply_codes[] = {
	{ "211", N_("system status or help reply") },
	{ "214", N_("help message for a person") },
	{ "220", N_("service ready") },
	{ "221", N_("service closing the connection") },
	{ "235", N_("authentication succeeded") },
	{ "250", N_("requested action done") },
	{ "251", N_("user not local; the server will forward") },
	{ "252", N_("cannot verify the user, but will accept the message and try") },
	{ "334", N_("authentication challenge: send the next part") },
	{ "354", N_("start the message; end it with a line holding only '.'") },
	{ "421", N_("service not available, closing the connection") },
	{ "432", N_("a password transition is needed") },
	{ "450", N_("mailbox unavailable for now; try again later") },
	{ "451", N_("aborted: local error in processing; try again later") },
	{ "452", N_("insufficient system storage (or too many recipients); try later") },
	{ "454", N_("temporary failure (authentication, TLS or policy); try again later") },
	{ "455", N_("server cannot accept the parameters now") },
	{ "500", N_("syntax error, command unrecognised") },
	{ "501", N_("syntax error in parameters or arguments") },
	{ "502", N_("command not implemented") },
	{ "503", N_("bad sequence of commands") },
	{ "504", N_("command parameter not implemented") },
	{ "521", N_("this host does not accept mail") },
	{ "530", N_("authentication required") },
	{ "534", N_("authentication mechanism too weak") },
	{ "535", N_("authentication credentials invalid") },
	{ "538", N_("encryption required for this authentication mechanism") },
	{ "550", N_("action not taken: mailbox unavailable or refused") },
	{ "551", N_("user not local") },
	{ "552", N_("aborted: exceeded storage allocation (too big)") },
	{ "553", N_("mailbox name not allowed") },
	{ "554", N_("transaction failed") },
	{ "555", N_("MAIL FROM/RCPT TO parameters not recognised or not implemented") },
};

/* RFC 5321 4.2.1: the first digit. */
static const char *const first_digit[10] = {
	NULL, NULL,
	N_("positive completion: it worked"),
	N_("positive intermediate: send the rest"),
	N_("transient failure: try again later"),
	N_("permanent failure: do not repeat it unchanged"),
	NULL, NULL, NULL, NULL,
};

/* RFC 5321 4.2.1: the second digit. */
static const char *const second_digit[10] = {
	N_("syntax"),
	N_("information"),
	N_("the connection"),
	N_("unspecified"),
	N_("unspecified"),
	N_("the mail system"),
	NULL, NULL, NULL, NULL,
};

/* RFC 3463 section 2: the class. */
static const char *const enh_class[10] = {
	NULL, NULL,
	N_("success"), NULL,
	N_("temporary failure"),
	N_("permanent failure"),
	NULL, NULL, NULL, NULL,
};

/* RFC 3463 section 3: the subject (the middle number). */
static const char *const enh_subject[8] = {
	N_("other or undefined status"),
	N_("addressing status"),
	N_("mailbox status"),
	N_("mail system status"),
	N_("network and routing status"),
	N_("mail delivery protocol status"),
	N_("message content or media status"),
	N_("security or policy status"),
};

/* RFC 3463 sections 3.1-3.8 and later RFCs: subject.detail. */
static const struct code_text enh_details[] = {
	{ "0.0", N_("other or undefined status") },
	{ "1.0", N_("other address status") },
	{ "1.1", N_("bad destination mailbox address") },
	{ "1.2", N_("bad destination system address") },
	{ "1.3", N_("bad destination mailbox address syntax") },
	{ "1.4", N_("destination mailbox address ambiguous") },
	{ "1.5", N_("destination address valid") },
	{ "1.6", N_("destination mailbox has moved") },
	{ "1.7", N_("bad sender's mailbox address syntax") },
	{ "1.8", N_("bad sender's system address") },
	{ "1.9", N_("message relayed to a non-compliant mailer") },
	{ "1.10", N_("recipient domain accepts no mail (null MX)") },
	{ "2.0", N_("other or undefined mailbox status") },
	{ "2.1", N_("mailbox disabled, not accepting messages") },
	{ "2.2", N_("mailbox full") },
	{ "2.3", N_("message longer than the mailbox's limit") },
	{ "2.4", N_("mailing list expansion problem") },
	{ "3.0", N_("other or undefined mail system status") },
	{ "3.1", N_("mail system full") },
	{ "3.2", N_("system not accepting network messages") },
	{ "3.3", N_("system not capable of the selected features") },
	{ "3.4", N_("message too big for the system") },
	{ "3.5", N_("system incorrectly configured") },
	{ "4.0", N_("other or undefined network or routing status") },
	{ "4.1", N_("no answer from host") },
	{ "4.2", N_("bad connection") },
	{ "4.3", N_("directory server (DNS) failure") },
	{ "4.4", N_("unable to route") },
	{ "4.5", N_("mail system congestion") },
	{ "4.6", N_("routing loop detected") },
	{ "4.7", N_("delivery time expired") },
	{ "5.0", N_("other or undefined protocol status") },
	{ "5.1", N_("invalid command") },
	{ "5.2", N_("syntax error") },
	{ "5.3", N_("too many recipients") },
	{ "5.4", N_("invalid command arguments") },
	{ "5.5", N_("wrong protocol version") },
	{ "5.6", N_("authentication exchange line too long") },
	{ "6.0", N_("other or undefined media error") },
	{ "6.1", N_("media not supported") },
	{ "6.2", N_("conversion required and prohibited") },
	{ "6.3", N_("conversion required but not supported") },
	{ "6.4", N_("conversion with loss performed") },
	{ "6.5", N_("conversion failed") },
	{ "6.6", N_("message content not available") },
	{ "6.7", N_("non-ASCII addresses not permitted for that sender or recipient") },
	{ "6.8", N_("UTF-8 string reply required, but not permitted by the client") },
	{ "6.9", N_("UTF-8 header message cannot be transferred to a non-UTF-8 recipient") },
	{ "7.0", N_("other or undefined security status") },
	{ "7.1", N_("delivery not authorised, message refused") },
	{ "7.2", N_("mailing list expansion prohibited") },
	{ "7.3", N_("security conversion required but not possible") },
	{ "7.4", N_("security features not supported") },
	{ "7.5", N_("cryptographic failure") },
	{ "7.6", N_("cryptographic algorithm not supported") },
	{ "7.7", N_("message integrity failure") },
	{ "7.8", N_("authentication credentials invalid") },
	{ "7.9", N_("authentication mechanism too weak") },
	{ "7.10", N_("encryption needed") },
	{ "7.11", N_("encryption required for the requested authentication mechanism") },
	{ "7.12", N_("a password transition is needed") },
	{ "7.13", N_("user account disabled") },
	{ "7.14", N_("trust relationship required") },
};

char *explain_code_reply(const char *code)
{
	size_t i;
	const char *first, *second;

	for (i = 0; i < ARRAY_LEN(reply_codes); i++)
		if (strncmp(reply_codes[i].code, code, 3) == 0)
			return xasprintf("%.3s = %s", code, _(reply_codes[i].text));
	first = code[0] >= '0' && code[0] <= '9' ? first_digit[code[0] - '0'] : NULL;
	second = code[1] >= '0' && code[1] <= '9' ? second_digit[code[1] - '0'] : NULL;
	if (first == NULL)
		return xasprintf(_("%.3s = not a code RFC 5321 defines (the first digit must be 2 to 5)"),
				 code);
	if (second == NULL)
		return xasprintf("%.3s = %s", code, _(first));
	/* TRANSLATORS: "250 = positive completion: it worked (about: the mail system)" */
	return xasprintf(_("%.3s = %s (about: %s)"), code, _(first), _(second));
}

int explain_code_parse_enhanced(const char *s, int *cls, int *subj, int *det,
				size_t *len_out)
{
	const char *p = s;
	int v[3], k;

	for (k = 0; k < 3; k++) {
		int n = 0, digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			n = n * 10 + (*p - '0');
			p++;
			digits++;
		}
		if (digits == 0 || digits > 3 || (k == 0 && digits != 1))
			return -1;
		v[k] = n;
		if (k < 2) {
			if (*p != '.')
				return -1;
			p++;
		}
	}
	if (*p != '\0' && *p != ' ')
		return -1;
	if (v[0] != 2 && v[0] != 4 && v[0] != 5)
		return -1;
	*cls = v[0];
	*subj = v[1];
	*det = v[2];
	if (len_out != NULL)
		*len_out = (size_t)(p - s);
	return 0;
}

char *explain_code_enhanced(const char *enh)
{
	int cls, subj, det;
	char key[16];
	size_t i, n;

	if (explain_code_parse_enhanced(enh, &cls, &subj, &det, &n) < 0)
		return NULL;
	snprintf(key, sizeof(key), "%d.%d", subj, det);
	for (i = 0; i < ARRAY_LEN(enh_details); i++)
		if (strcmp(enh_details[i].code, key) == 0)
			/* TRANSLATORS: "2.1.5 = success: destination address valid" */
			return xasprintf(_("%.*s = %s: %s"), (int)n, enh,
					 _(enh_class[cls]), _(enh_details[i].text));
	if (subj >= 0 && subj < 8)
		return xasprintf(_("%.*s = %s: %s"), (int)n, enh,
				 _(enh_class[cls]), _(enh_subject[subj]));
	return xasprintf(_("%.*s = %s (subject %d is not in RFC 3463)"), (int)n,
			 enh, _(enh_class[cls]), subj);
}
