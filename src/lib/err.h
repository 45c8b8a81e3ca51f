/*
 * err: what went wrong in the environment (a missing file, a bad config
 * line, a full disk), as text a person can act on, plus errno when there
 * is one. Functions that can fail this way return -1 and fill *e.
 */
#ifndef MAILLAB_ERR_H
#define MAILLAB_ERR_H

struct err {
	char text[1024];
	int errnum;		/* 0 when not an OS error */
};

/* Formats the text, keeps errnum; always returns -1 for `return err_set(..)`. */
int err_set(struct err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
