/*
 * clock: wall time and hybrid logical clock stamps (RULES.md B2).
 *
 * A stamp is 64 bits: wall-clock milliseconds since the epoch in the high
 * 48 bits and a counter in the low 16. Stamps only move forward: a new
 * stamp is later than both the wall clock and every stamp already seen, so
 * a wrong clock cannot make an old edit look new.
 */
#ifndef CRM_CLOCK_H
#define CRM_CLOCK_H

#include <stdint.h>
#include <stddef.h>

#define CLOCK_COUNTER_BITS 16

/* Milliseconds since the epoch, from the injected source if one is set. */
uint64_t	 clock_now_ms(void);
/* Replace the wall clock (tests); NULL restores the real one. */
void		 clock_set_source(uint64_t (*)(void));

/* The next stamp after *last; updates *last. Cannot fail. */
uint64_t	 clock_tick(uint64_t *last);
/* Take a remote stamp into account: *last becomes at least remote. */
void		 clock_observe(uint64_t *last, uint64_t remote);

uint64_t	 clock_stamp_ms(uint64_t stamp);
uint64_t	 clock_stamp_from_ms(uint64_t ms);
/* "2026-11-25T14:03:07Z" into buf (at least 21 bytes). */
void		 clock_format(uint64_t stamp, char *buf, size_t len);

#endif
