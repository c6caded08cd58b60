
/*
 * The worker's Redis connection: a blocking hiredis context with connect and
 * read timeouts, reconnected with backoff after any I/O failure.
 */


#ifndef _TEAMS_WORKER_REDIS_LINK_H_INCLUDED_
#define _TEAMS_WORKER_REDIS_LINK_H_INCLUDED_


#include <stdint.h>

#include <hiredis/hiredis.h>

#include "worker/backoff.h"
#include "worker/config.h"


#define TEAMS_REDIS_CONNECT_TIMEOUT_MS  2000
/* must exceed the XREADGROUP BLOCK time */
#define TEAMS_REDIS_READ_TIMEOUT_MS     5000


typedef struct {
    const teams_redis_addr_t  *addr;
    char                       name[160];     /* for logs */
    redisContext              *ctx;
    teams_backoff_t            backoff;
    unsigned                   generation;    /* bumped on each connect */
} teams_redis_link_t;


void teams_redis_link_init(teams_redis_link_t *link,
    const teams_redis_addr_t *addr);

/*
 * Returns 1 if connected; otherwise, when the backoff allows, tries to
 * connect once (logging failures at warn) and returns 1 on success, 0 if
 * still disconnected.
 */
int teams_redis_link_ready(teams_redis_link_t *link, uint64_t now);

/*
 * Runs one command.  On I/O failure logs, closes the link, schedules a
 * reconnect and returns NULL.  Error replies are returned to the caller.
 */
redisReply *teams_redis_link_command(teams_redis_link_t *link,
    const char *fmt, ...);
redisReply *teams_redis_link_argv(teams_redis_link_t *link, int argc,
    const char **argv, const size_t *argvlen);

/* closes the link and schedules a reconnect with backoff */
void teams_redis_link_fail(teams_redis_link_t *link, const char *why);
void teams_redis_link_close(teams_redis_link_t *link);

int teams_redis_reply_is_error(redisReply *r, const char *prefix);


#endif /* _TEAMS_WORKER_REDIS_LINK_H_INCLUDED_ */
