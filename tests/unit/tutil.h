/*
 * tutil: helpers shared by the CUnit suites (temporary directories, file
 * comparison). Not a suite itself (the file is not named test_*.c).
 */
#ifndef MAILLAB_TUTIL_H
#define MAILLAB_TUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A new empty directory under $TMPDIR (or /tmp); caller frees the path. */
char *tu_tmpdir(void);
/* rm -r */
void tu_rmtree(const char *path);
/* Copies a file, creating the parent directories (0700). */
void tu_copy_file(const char *from, const char *to);
/* Writes bytes to a file, creating the parent directories. */
void tu_write_file(const char *path, const void *data, size_t len);
/* The whole file, NUL-terminated (caller frees); NULL if unreadable. */
char *tu_read_file(const char *path, size_t *len_out);
/* CUnit failure with the first differing line when the files differ. */
void tu_assert_same_file(const char *got, const char *want);
/* A store_expunge_fn that counts into *(size_t *)ctx. */
void tu_count_expunge(void *ctx, size_t idx, uint32_t uid);
/* mkdir -p */
void tu_mkdirs(const char *path);



/* reference/ transcript escapes (\\ \r \n \t \xNN) decoded into out;
 * returns the length. out must hold strlen(in) bytes. */
size_t tu_unescape(const char *in, char *out);
#endif
