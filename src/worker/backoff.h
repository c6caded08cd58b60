
/*
 * Reconnect pacing: exponential backoff with jitter, and a monotonic clock.
 */


#ifndef _TEAMS_WORKER_BACKOFF_H_INCLUDED_
#define _TEAMS_WORKER_BACKOFF_H_INCLUDED_


#include <stdint.h>


#define TEAMS_BACKOFF_MIN_MS  1000
#define TEAMS_BACKOFF_MAX_MS  30000


typedef struct {
    unsigned   min_ms;
    unsigned   max_ms;
    unsigned   failures;     /* consecutive failures since the last reset */
    uint64_t   next;         /* teams_now_ms() of the next allowed attempt */
} teams_backoff_t;


void teams_backoff_init(teams_backoff_t *b, unsigned min_ms, unsigned max_ms);
void teams_backoff_reset(teams_backoff_t *b);
int teams_backoff_due(teams_backoff_t *b, uint64_t now);

/*
 * Records a failure at "now" and returns the delay before the next attempt:
 * d = min(min_ms * 2^(failures - 1), max_ms), jittered into [d/2, d] with
 * "rnd" (any random number).
 */
unsigned teams_backoff_failed(teams_backoff_t *b, uint64_t now, unsigned rnd);

uint64_t teams_now_ms(void);

/* sleeps up to ms, returning early when a signal arrives */
void teams_sleep_ms(unsigned ms);


#endif /* _TEAMS_WORKER_BACKOFF_H_INCLUDED_ */
