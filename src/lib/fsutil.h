/*
 * fsutil: the few file-system chores every layer needs: mkdir -p, rm -r of
 * a directory of our own, reading a whole file. Kept here once so that the
 * store, the world and the tools agree on modes and error texts.
 */
#ifndef MAILLAB_FSUTIL_H
#define MAILLAB_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* mkdir -p: every missing directory of path (itself included) made with
 * mode; existing ones are left alone. 0, or -1 with errno set. */
int fs_mkdirs(const char *path, mode_t mode);

/* rm -r: removes path and, if it is a directory, all below it. Errors are
 * ignored: callers use it on directories they own (indexes, temp roots).
 * Symbolic links are removed, not followed. */
void fs_remove_tree(const char *path);

/* fsync() of a directory (the entries made in it become durable): 0 or
 * the errno of the open or the fsync. */
int fs_sync_dir(const char *dir);

/* The whole file, NUL-terminated (len_out may be NULL); caller frees.
 * NULL with e set ("cannot read PATH: reason") on failure. */
char *fs_slurp(const char *path, size_t *len_out, struct err *e);

#endif
