/*
 * mail_date: Postfix's date formats. See mail_date.h.
 */
#include "mta/mail_date.h"

#include <stdio.h>
#include <time.h>

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void utc(mtime_t t, struct tm *tm)
{
	time_t sec = (time_t)(t / 1000);

	gmtime_r(&sec, tm);
}

void mail_date_header(mtime_t t, char *buf, size_t n)
{
	struct tm tm;

	utc(t, &tm);
	snprintf(buf, n, "%s, %2d %s %d %02d:%02d:%02d +0000 (UTC)",
		 wdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void mail_date_stamp(mtime_t t, char *buf, size_t n)
{
	struct tm tm;

	utc(t, &tm);
	snprintf(buf, n, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void mail_date_asctime(mtime_t t, char *buf, size_t n)
{
	struct tm tm;

	utc(t, &tm);
	snprintf(buf, n, "%s %s %2d %02d:%02d:%02d %d", wdays[tm.tm_wday],
		 months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, tm.tm_year + 1900);
}
