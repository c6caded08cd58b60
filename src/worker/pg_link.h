
/*
 * The worker's PostgreSQL connection: libpq, reconnected with backoff.
 * The connection string is never logged (it may hold a password).
 */


#ifndef _TEAMS_WORKER_PG_LINK_H_INCLUDED_
#define _TEAMS_WORKER_PG_LINK_H_INCLUDED_


#include <stdint.h>

#include <libpq-fe.h>

#include "worker/backoff.h"


/* used when the connection string sets no connect_timeout */
#define TEAMS_PG_CONNECT_TIMEOUT  "5"


typedef struct {
    const char       *conninfo;
    PGconn           *conn;
    teams_backoff_t   backoff;
    unsigned          generation;    /* bumped on each connect */
} teams_pg_link_t;


void teams_pg_link_init(teams_pg_link_t *link, const char *conninfo);

/*
 * Returns 1 if connected; otherwise, when the backoff allows, tries to
 * connect once (logging failures at warn) and returns 1 on success.
 */
int teams_pg_link_ready(teams_pg_link_t *link, uint64_t now);

/* a "SELECT 1" round trip; on failure logs, closes and returns -1 */
int teams_pg_link_check(teams_pg_link_t *link);

void teams_pg_link_fail(teams_pg_link_t *link, const char *why);
void teams_pg_link_close(teams_pg_link_t *link);

/* libpq's multi-line error text as one line, in buf */
const char *teams_pg_error_line(const char *msg, char *buf, size_t size);


#endif /* _TEAMS_WORKER_PG_LINK_H_INCLUDED_ */
