/*
 * clock_store: the lab clock, kept in ROOT/clock so every command sees
 * the same world time: real time plus an offset in milliseconds
 * (`maillab clock advance 5d` adds to it). The file is text a learner
 * can read:
 *   # maillab virtual clock: world time = real time + offset
 *   offset_ms 432000000
 */
#ifndef MAILLAB_CLOCK_STORE_H
#define MAILLAB_CLOCK_STORE_H

#include "lib/clock.h"
#include "lib/err.h"

/* The offset in ROOT/clock (0 when the file does not exist). 0 or -1
 * with e for an unreadable or malformed file. */
int clock_store_load(const char *root, mtime_t *offset_out, struct err *e);
/* Writes ROOT/clock (atomically: temporary file and rename). */
int clock_store_save(const char *root, mtime_t offset, struct err *e);

/* "30m", "5d", "1h30m", "90s", "2w", "1500ms" -> milliseconds; -1 if bad. */
mtime_t clock_store_parse_duration(const char *s);

#endif
