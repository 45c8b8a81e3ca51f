/*
 * store_subs: the subscriptions file both on-disk stores keep as Dovecot
 * does, one folder name a line (mbox: ~/mail/.subscriptions, Maildir++:
 * ~/Maildir/subscriptions). Where the file is, and everything else about
 * folders, is the backend's (store_mbox.c, store_maildir.c).
 */
#ifndef MAILLAB_STORE_SUBS_H
#define MAILLAB_STORE_SUBS_H

#include "lib/err.h"
#include "store/store.h"

/* Adds STORE_FOLDER_SUBSCRIBED to the folders of out that the file
 * DIR/FILE lists; a missing file lists none. */
void store_subs_mark(const char *dir, const char *file,
		     struct store_folders *out);

/*
 * Adds (on) or removes name in the file DIR/FILE, rewritten through
 * FILE.tmp and a rename; dir is made first if missing. 0, or -1 with e
 * set.
 */
int store_subs_set(const char *dir, const char *file, const char *name,
		   int on, struct err *e);

#endif
