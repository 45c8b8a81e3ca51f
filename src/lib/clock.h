/*
 * clock: time as engines see it. Engines never read a clock; drivers pass
 * `now` in. mtime_t is milliseconds since the Unix epoch, UTC. A virtual
 * clock lets the simulator jump days ahead.
 */
#ifndef MAILLAB_CLOCK_H
#define MAILLAB_CLOCK_H

#include <stdint.h>

typedef int64_t mtime_t;

struct vclock {
	int virtual_;		/* 0: follow the real clock */
	mtime_t now;		/* the virtual time when virtual_ */
};

mtime_t clock_real_now(void);
void vclock_init_real(struct vclock *c);
void vclock_init_virtual(struct vclock *c, mtime_t start);
mtime_t vclock_now(const struct vclock *c);
void vclock_advance(struct vclock *c, mtime_t ms);

#endif
