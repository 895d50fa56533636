/* clock: wall time and hybrid logical clock stamps (RULES.md B2). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"

static uint64_t	(*clock_source)(void);

uint64_t
clock_now_ms(void)
{
	struct timespec	ts;

	if (clock_source != NULL)
		return clock_source();
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
clock_set_source(uint64_t (*fn)(void))
{
	clock_source = fn;
}

uint64_t
clock_stamp_ms(uint64_t stamp)
{
	return stamp >> CLOCK_COUNTER_BITS;
}

uint64_t
clock_stamp_from_ms(uint64_t ms)
{
	return ms << CLOCK_COUNTER_BITS;
}

/*
 * The stamp is the wall clock when that is ahead of everything seen, else
 * one more than the last stamp: the counter absorbs a clock that stands
 * still or runs behind, so stamps never go backwards.
 */
uint64_t
clock_tick(uint64_t *last)
{
	uint64_t	wall;

	wall = clock_stamp_from_ms(clock_now_ms());
	if (wall > *last)
		*last = wall;
	else
		(*last)++;
	return *last;
}

void
clock_observe(uint64_t *last, uint64_t remote)
{
	if (remote > *last)
		*last = remote;
}

void
clock_format(uint64_t stamp, char *buf, size_t len)
{
	time_t		t;
	struct tm	tm;

	t = (time_t)(clock_stamp_ms(stamp) / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
