/*
 * mail_date: dates the way Postfix writes them (global/mail_date.c),
 * always in English and, on the lab's hosts, in UTC:
 *   header dates   "Sat, 28 Nov 2026 21:59:50 +0000 (UTC)" (day as %e:
 *                  " 2 Jan" for single digits)
 *   Message-Id     "20261128215951" (YYYYMMDDhhmmss)
 *   asctime form   "Sat Nov 28 21:59:52 2026" (mbox From_ lines, postcat)
 * Independent of the locale (the learner's LANG may be pt_BR).
 */
#ifndef MAILLAB_MAIL_DATE_H
#define MAILLAB_MAIL_DATE_H

#include <stddef.h>

#include "lib/clock.h"

/* Each writes a NUL-terminated string into buf (n >= 48 is enough). */
void mail_date_header(mtime_t t, char *buf, size_t n);
void mail_date_stamp(mtime_t t, char *buf, size_t n);
void mail_date_asctime(mtime_t t, char *buf, size_t n);

#endif
