
/*
 * A per-worker pool of non-blocking libpq connections driven by nginx
 * events, with a FIFO of waiting queries.
 *
 * A query's "done" callback is always called from an event handler, never
 * from inside ngx_teams_pg_run(), so callers need one completion path only.
 * A query allocated with ngx_teams_pg_query_create() is cancelled when its
 * pool is destroyed: a client that goes away mid-query leaves the connection
 * to drain the result and return to the pool.
 */


#ifndef _NGX_TEAMS_PG_H_INCLUDED_
#define _NGX_TEAMS_PG_H_INCLUDED_


#include "ngx_teams_module.h"
#include "core/teams_json.h"
#include <libpq-fe.h>


typedef struct ngx_teams_pg_conn_s   ngx_teams_pg_conn_t;
typedef struct ngx_teams_pg_query_s  ngx_teams_pg_query_t;

typedef void (*ngx_teams_pg_done_pt)(ngx_teams_pg_query_t *q,
    PGresult *res);


typedef enum {
    NGX_TEAMS_PG_OK = 0,
    NGX_TEAMS_PG_SQL_ERROR,       /* the server answered with an error */
    NGX_TEAMS_PG_UNAVAILABLE,     /* no connection to the server */
    NGX_TEAMS_PG_QUEUE_FULL,
    NGX_TEAMS_PG_TIMEOUT          /* waited too long in queue or query */
} ngx_teams_pg_rc_e;


struct ngx_teams_pg_query_s {
    /*
     * set by the caller; sql must be a constant: it is prepared once per
     * connection and known by its address afterwards
     */
    const char                *sql;
    int                        nparams;
    const char *const         *params;
    ngx_teams_pg_done_pt       done;
    void                      *data;

    /* valid inside done() */
    ngx_teams_pg_rc_e          rc;
    const char                *error;

    /* private */
    ngx_teams_pg_pool_t       *pool;
    ngx_teams_pg_conn_t       *conn;
    ngx_queue_t                queue;
    ngx_event_t                event;      /* queue timeout or early fail */
    ngx_log_t                 *log;
    unsigned                   queued:1;
    unsigned                   finished:1;
};


struct ngx_teams_pg_pool_s {
    ngx_teams_pg_conf_t       *conf;
    ngx_log_t                 *log;

    ngx_teams_pg_conn_t       *conns;
    ngx_uint_t                 nconns;

    ngx_queue_t                idle;
    ngx_queue_t                waiting;
    ngx_uint_t                 nwaiting;

    ngx_uint_t                 nup;          /* idle or busy */
    ngx_uint_t                 nconnecting;

    int                        server_version;
    u_char                     last_error[256];
};


ngx_teams_pg_pool_t *ngx_teams_pg_pool_create(ngx_cycle_t *cycle,
    ngx_teams_pg_conf_t *conf);
void ngx_teams_pg_pool_destroy(ngx_teams_pg_pool_t *pool);

ngx_teams_pg_query_t *ngx_teams_pg_query_create(ngx_pool_t *p,
    ngx_log_t *log);
void ngx_teams_pg_run(ngx_teams_pg_pool_t *pool, ngx_teams_pg_query_t *q);
void ngx_teams_pg_cancel(ngx_teams_pg_query_t *q);

const char *ngx_teams_pg_sqlstate(PGresult *res);

/*
 * The rows of a result as a JSON array of objects, one member a column
 * (NULL as null, booleans as booleans, all else as strings), built in the
 * pool: never given to teams_json_free().  NULL when out of memory.
 */
teams_json_t *ngx_teams_pg_rows(ngx_pool_t *pool, PGresult *res);


#endif /* _NGX_TEAMS_PG_H_INCLUDED_ */
