/*
 * Retry times and expiry. See qmgr_backoff.h.
 */
#include "mta/qmgr_backoff.h"

long qmgr_backoff_delay(mtime_t create, mtime_t now, long min_backoff,
			long max_backoff)
{
	long age = create > 0 && now > create ? (long)((now - create) / 1000) : 0;

	if (age > max_backoff)
		age = max_backoff;
	if (age < min_backoff)
		age = min_backoff;
	return age;
}

mtime_t qmgr_backoff_scan_at(mtime_t t, mtime_t first_scan,
			     long queue_run_delay)
{
	mtime_t step = (mtime_t)queue_run_delay * 1000;
	mtime_t k;

	if (step <= 0 || t <= first_scan)
		return t > first_scan ? t : first_scan;
	k = (t - first_scan + step - 1) / step;
	return first_scan + k * step;
}

int qmgr_backoff_expired(mtime_t create, mtime_t now, long lifetime)
{
	return now >= create + (mtime_t)lifetime * 1000;
}
