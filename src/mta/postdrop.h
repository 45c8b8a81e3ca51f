/*
 * postdrop: how sendmail(1) submits on Postfix: the message goes into a
 * file in maildrop/ (the queue file records postdrop writes: arrival
 * time, sender as given, recipients as given, the content, end), then
 * pickup is woken through public/pickup. The submitting uid travels as
 * a "uid" attribute (Postfix reads the file's owner instead).
 */
#ifndef MAILLAB_POSTDROP_H
#define MAILLAB_POSTDROP_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

struct host;

/* 0 with id_out (>= 32 bytes), or -1 with e. content: LF lines.
 * fullname (sendmail -F, else the submitting user's gecos) becomes the
 * F record that cleanup uses for "From: fullname <sender>"; NULL: none. */
int postdrop(struct host *h, mtime_t now, int uid, const char *sender,
	     const char *fullname, const char *const *rcpts, size_t nrcpt,
	     const char *content, size_t len, char *id_out, struct err *e);

/* Wakes pickup (creates public/pickup); postsuper -r does not. */
void postdrop_trigger(struct host *h);
/* Nonzero (and the trigger cleared when clear) if pickup was woken. */
int postdrop_triggered(struct host *h, int clear);

#endif
