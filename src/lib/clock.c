#include "clock.h"

#include <time.h>

mtime_t clock_real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (mtime_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vclock_init_real(struct vclock *c)
{
	c->virtual_ = 0;
	c->now = 0;
}

void vclock_init_virtual(struct vclock *c, mtime_t start)
{
	c->virtual_ = 1;
	c->now = start;
}

mtime_t vclock_now(const struct vclock *c)
{
	return c->virtual_ ? c->now : clock_real_now();
}

void vclock_advance(struct vclock *c, mtime_t ms)
{
	if (c->virtual_)
		c->now += ms;
}
