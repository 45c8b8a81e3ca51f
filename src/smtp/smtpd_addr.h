/*
 * smtpd_addr: the address syntax Postfix's smtpd accepts in MAIL FROM,
 * RCPT TO and VRFY (extract_addr() in src/smtpd/smtpd.c, the RFC 822
 * parser of src/global/tok822_parse.c, and the syntax half of
 * smtpd_check_addr()/trivial-rewrite's resolve), plus the host name and
 * address-literal checks and the RFC 3461 xtext decoding the ESMTP
 * parameters need.
 *
 * What it reproduces (reference/transcripts/smtp/01, 04a, 04b, 05a):
 * "<a@b>" and a bare "a@b" or "root" are one address; "<>" is the null
 * address; "bad>" is accepted as "bad" (a stray '>' is ignored); two
 * words without an operator between them ("<a b@c>") are two addresses
 * and therefore bad syntax; an RFC 821 source route "<@x,@y:u@d>" is cut
 * to "u@d"; comments and phrases are allowed unless
 * strict_rfc821_envelopes. The domain must be a valid host name (not all
 * numeric) or a valid [address literal]; the address must be valid UTF-8;
 * a non-ASCII domain needs SMTPUTF8; an address may not start with '-'.
 *
 * XXX What it leaves out: Postfix resolves the address through
 * trivial-rewrite, strips local domains and looks again at what is left
 * ("a@b@localhost"); here only the last domain is checked. Non-ASCII
 * domains are accepted when valid UTF-8 without an IDNA conversion.
 */
#ifndef MAILLAB_SMTPD_ADDR_H
#define MAILLAB_SMTPD_ADDR_H

#include <stddef.h>

/*
 * Extracts the address from a MAIL/RCPT/VRFY argument as the client wrote
 * it. Returns 0 and *addr_out (internal form, the caller frees it; "" for
 * the null address), or -1 for bad syntax (*addr_out = NULL). allow_empty:
 * "<>" is fine (MAIL). smtputf8: the client asked for SMTPUTF8.
 */
int smtpd_addr_extract(const char *arg, int allow_empty, int strict_rfc821,
		       int smtputf8, char **addr_out);

/* RFC 1035 host name as Postfix's valid_hostname(): letters, digits, '-'
 * and '_' labels of at most 63, not all numeric, at most 255. */
int smtpd_addr_valid_hostname(const char *name);
/* "[1.2.3.4]" or "[IPv6:...]" (valid_mailhost_literal()). */
int smtpd_addr_valid_literal(const char *lit);
/* RFC 3629 UTF-8 (Postfix's valid_utf8_string(): NUL counts as ASCII). */
int smtpd_addr_valid_utf8(const char *p, size_t len);
/*
 * RFC 3461 xtext ("+2B" for '+'); "utf-8" ORCPT values also take
 * RFC 6533 "\x{HEX}" escapes. Returns the decoded string (caller frees)
 * or NULL for bad syntax or an empty result.
 */
char *smtpd_addr_xtext_decode(const char *s, int utf8);

#endif
