
/*
 * Reconnect pacing: exponential backoff with jitter, and a monotonic clock.
 */


#include <time.h>

#include "worker/backoff.h"


void
teams_backoff_init(teams_backoff_t *b, unsigned min_ms, unsigned max_ms)
{
    b->min_ms = min_ms;
    b->max_ms = (max_ms < min_ms) ? min_ms : max_ms;
    b->failures = 0;
    b->next = 0;
}


void
teams_backoff_reset(teams_backoff_t *b)
{
    b->failures = 0;
    b->next = 0;
}


int
teams_backoff_due(teams_backoff_t *b, uint64_t now)
{
    return now >= b->next;
}


unsigned
teams_backoff_failed(teams_backoff_t *b, uint64_t now, unsigned rnd)
{
    unsigned  d, half, i;

    d = b->min_ms;

    for (i = 0; i < b->failures && d < b->max_ms; i++) {
        d *= 2;
    }

    if (d > b->max_ms) {
        d = b->max_ms;
    }

    if (b->failures < 1000) {
        b->failures++;
    }

    half = d / 2;
    d = half + rnd % (d - half + 1);

    b->next = now + d;

    return d;
}


uint64_t
teams_now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


void
teams_sleep_ms(unsigned ms)
{
    struct timespec  ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long) (ms % 1000) * 1000000;

    /* EINTR ends the sleep: the caller rechecks its stop flag */
    (void) nanosleep(&ts, NULL);
}
