/*
 * xalloc: allocation that never returns NULL, and BUG_ON for programmer
 * errors. Running out of memory aborts with a message; callers never test
 * the result (STYLE.md, section 3).
 */
#ifndef MAILLAB_XALLOC_H
#define MAILLAB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new string formatted like printf; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Aborts with file:line and the condition. Never used on peer input. */
#define BUG_ON(cond) \
	do { if (cond) bug_at(__FILE__, __LINE__, #cond); } while (0)
void bug_at(const char *file, int line, const char *what)
	__attribute__((noreturn));

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
