/*
 * rewrite: address canonicalization. See rewrite.h.
 */
#include "mta/rewrite.h"

#include <string.h>

#include "lib/xalloc.h"

const char *rewrite_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : NULL;
}

char *rewrite_canonical(const char *addr, const char *myorigin,
			const char *mydomain, int append_dot_mydomain)
{
	const char *dom = rewrite_domain(addr);
	size_t len = strlen(addr);

	if (len == 0)
		return xstrdup("");
	if (dom == NULL)
		return xasprintf("%s@%s", addr, myorigin);
	/* "user@" : Postfix drops the empty domain, then qualifies */
	if (*dom == 0)
		return xasprintf("%.*s@%s", (int)(len - 1), addr, myorigin);
	if (append_dot_mydomain && mydomain != NULL && *mydomain != 0
	    && strchr(dom, '.') == NULL && dom[0] != '[')
		return xasprintf("%s.%s", addr, mydomain);
	return xstrdup(addr);
}
