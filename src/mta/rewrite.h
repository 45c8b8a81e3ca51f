/*
 * rewrite: the part of trivial-rewrite(8) that puts addresses in
 * canonical form (the "local" rewriting context, which smtpd and pickup
 * use): an address without a domain gets "@$myorigin"
 * (append_at_myorigin = yes), one whose domain has no dot gets
 * ".$mydomain" when append_dot_mydomain = yes (Debian sets it to no).
 * "root" -> "root@centos.localdomain". The null sender stays empty.
 *
 * Not here: canonical_maps, masquerading, bang paths, the % hack.
 */
#ifndef MAILLAB_REWRITE_H
#define MAILLAB_REWRITE_H

/* The canonical form of addr; caller frees. mydomain may be NULL when
 * append_dot_mydomain is 0. */
char *rewrite_canonical(const char *addr, const char *myorigin,
			const char *mydomain, int append_dot_mydomain);

/* The domain part of an address (after the last '@'), or NULL. */
const char *rewrite_domain(const char *addr);

#endif
