
/*
 * Graph rate limits shared by every worker: per (app, Microsoft tenant)
 * and per app, kept in Redis (ARCHITECTURE section 8), so that any number
 * of workers together stay under 5 requests/s per app per tenant and 50/s
 * per app (2 and 20 for the bulk call).
 *
 * Per tenant, a reservation (GCRA without burst): the key holds the
 * earliest time the next request may start, so requests are at least one
 * interval apart (with a margin, TEAMS_RL_MARGIN_PCT, for the jitter
 * between the reservation and the arrival at Graph).  Per app, a count per
 * 100 ms bucket (rps / 12 each, see ratelimit.c): 40/s sustained for the
 * 50/s limit, never over it in any sliding second.  Redis' own clock
 * (TIME) is the one clock of all workers.
 *
 * Keys: teams:rl:{<app>}:<kind>:t:<ms tenant> and
 * teams:rl:{<app>}:<kind>:app:<bucket> (one hash tag per app).
 */


#ifndef _TEAMS_WORKER_RATELIMIT_H_INCLUDED_
#define _TEAMS_WORKER_RATELIMIT_H_INCLUDED_


#include "worker/redis_link.h"


#define TEAMS_RL_MARGIN_PCT   6
/* the app limit: requests per 100 ms bucket = rps / 12 (see ratelimit.c) */
#define TEAMS_RL_BUCKET_MS    100
#define TEAMS_RL_BUCKETS      12


typedef struct {
    unsigned   per_tenant_rps;
    unsigned   per_app_rps;
    unsigned   max_wait_ms;      /* reserve only slots this close */
    char       sha[48];          /* the script's SHA1 once loaded */
} teams_ratelimit_t;


void teams_ratelimit_init(teams_ratelimit_t *rl, unsigned per_tenant_rps,
    unsigned per_app_rps, unsigned max_wait_ms);

/*
 * Reserves a slot for one request of (app, tenant).  Returns 1 with the
 * wait in *wait_ms (0: now) when reserved; 0 when the next slot is more
 * than max_wait_ms away (*wait_ms says how far; nothing reserved); -1 when
 * Redis failed (the link is then closed).
 */
int teams_ratelimit_reserve(teams_ratelimit_t *rl, teams_redis_link_t *link,
    const char *kind, const char *app, const char *tenant,
    unsigned *wait_ms);

/* after a 429: nobody starts a request for (app, tenant) for delay_ms */
int teams_ratelimit_penalize(teams_ratelimit_t *rl, teams_redis_link_t *link,
    const char *kind, const char *app, const char *tenant, unsigned delay_ms);

/* the interval in microseconds for a rate, margin included */
unsigned long long teams_ratelimit_interval_us(unsigned rps);


#endif /* _TEAMS_WORKER_RATELIMIT_H_INCLUDED_ */
