/*
 * buf: a growable byte buffer. Engines append their output here and the
 * driver drains it from the front. The bytes may move on any append or
 * buf_consume(): never keep a pointer into data across those calls.
 */
#ifndef MAILLAB_BUF_H
#define MAILLAB_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;	/* always NUL-terminated after the len bytes */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
/* Frees the bytes; the buf is empty and reusable afterwards. */
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
/* v in decimal, without printf (replies of 50,000 lines use it). */
void buf_addu(struct buf *b, uint64_t v);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Drops the first n bytes (n <= len); moves the rest to the front. */
void buf_consume(struct buf *b, size_t n);
void buf_clear(struct buf *b);		/* len = 0, keeps the memory */
/* Gives the bytes to the caller (who frees them) and empties the buf. */
char *buf_steal(struct buf *b, size_t *len_out);

#endif
