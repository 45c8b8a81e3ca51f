/*
 * store_int: what the store backends (store_mbox, store_maildir,
 * store_ram) share with store.c. Not for engines: they use store.h.
 */
#ifndef MAILLAB_STORE_INT_H
#define MAILLAB_STORE_INT_H

#include "store/store.h"

/* Backend constructors: a zeroed user with ops set; store.c fills the rest. */
struct store_user *store_mbox_user_new(void);
struct store_user *store_maildir_user_new(void);
struct store_user *store_ram_user_new(void);

/* ~, %u, %n, %d, %h expanded; absolute results put under u->sysroot. */
char *store_expand_path(const struct store_user *u, const char *in);
/* Nonzero for "INBOX" in any case. */
int store_is_inbox(const char *name);
/* 0 for a name usable as a folder, -1 with e set otherwise. */
int store_check_name(const char *name, struct err *e);
void store_folders_add(struct store_folders *f, const char *name,
		       unsigned attrs);
/* Frees what store.c allocated in the common part (not mb itself). */
void store_mailbox_free_common(struct store_mailbox *mb);

/* LF -> CRLF (existing CRLF kept), its size, and CRLF -> LF. */
void store_add_crlf(struct buf *out, const char *p, size_t n);
uint64_t store_crlf_size(const char *p, size_t n);
void store_add_lf(struct buf *out, const char *p, size_t n);

#endif
