
/*
 * PostgreSQL pool on nginx events.
 *
 * libpq sockets are registered level-triggered (flags 0, not NGX_CLEAR_EVENT):
 * libpq reads one recv() at a time and never drains the socket, so on epoll's
 * edge-triggered mode a reply could sit unread until the next packet.  Level
 * mode makes us delete the write event whenever nothing is left to flush.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_pg.h"


#define NGX_TEAMS_PG_BACKOFF_MIN   100
#define NGX_TEAMS_PG_BACKOFF_MAX   2000

/* distinct statements prepared per connection; beyond, sent unprepared */
#define NGX_TEAMS_PG_MAX_PREPARED  64


typedef enum {
    NGX_TEAMS_PG_CONN_DOWN = 0,
    NGX_TEAMS_PG_CONN_CONNECTING,
    NGX_TEAMS_PG_CONN_IDLE,
    NGX_TEAMS_PG_CONN_BUSY
} ngx_teams_pg_conn_state_e;


struct ngx_teams_pg_conn_s {
    ngx_teams_pg_pool_t       *pool;
    PGconn                    *pg;
    ngx_connection_t          *c;
    ngx_teams_pg_query_t      *query;      /* NULL: idle or abandoned */
    PGresult                  *result;
    ngx_queue_t                link;       /* in pool->idle */
    ngx_event_t                retry;
    ngx_msec_t                 backoff;
    ngx_teams_pg_conn_state_e  state;
    unsigned                   sent:1;
    unsigned                   flushing:1;
    unsigned                   listed:1;   /* in pool->idle */
    unsigned                   preparing:1;
    unsigned                   recycle:1;

    /* statements prepared on this session, by the address of their text */
    const char                *prepared[NGX_TEAMS_PG_MAX_PREPARED];
    ngx_uint_t                 nprepared;
};


static void ngx_teams_pg_connect(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_connect_poll(ngx_teams_pg_conn_t *pc);
static ngx_int_t ngx_teams_pg_wrap_socket(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_event_handler(ngx_event_t *ev);
static void ngx_teams_pg_retry_handler(ngx_event_t *ev);
static void ngx_teams_pg_send(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_receive(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_check_idle(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_became_idle(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_fail(ngx_teams_pg_conn_t *pc, const char *why);
static void ngx_teams_pg_close(ngx_teams_pg_conn_t *pc);
static void ngx_teams_pg_schedule_retry(ngx_teams_pg_conn_t *pc);
static ngx_int_t ngx_teams_pg_want(ngx_teams_pg_conn_t *pc, ngx_uint_t rd,
    ngx_uint_t wr);
static void ngx_teams_pg_assign(ngx_teams_pg_conn_t *pc,
    ngx_teams_pg_query_t *q);
static void ngx_teams_pg_deliver(ngx_teams_pg_query_t *q,
    ngx_teams_pg_rc_e rc, const char *error, PGresult *res);
static void ngx_teams_pg_fail_waiting(ngx_teams_pg_pool_t *pool);
static void ngx_teams_pg_query_event(ngx_event_t *ev);
static void ngx_teams_pg_query_cleanup(void *data);
static void ngx_teams_pg_json_append(teams_json_t *parent, teams_json_t *v);
static void ngx_teams_pg_set_error(ngx_teams_pg_pool_t *pool,
    const char *msg);
static void ngx_teams_pg_statement_name(u_char *buf, ngx_uint_t i);
static void ngx_teams_pg_notice(void *arg, const char *message);


ngx_teams_pg_pool_t *
ngx_teams_pg_pool_create(ngx_cycle_t *cycle, ngx_teams_pg_conf_t *conf)
{
    ngx_uint_t            i;
    ngx_teams_pg_conn_t  *pc;
    ngx_teams_pg_pool_t  *pool;

    pool = ngx_pcalloc(cycle->pool, sizeof(ngx_teams_pg_pool_t));
    if (pool == NULL) {
        return NULL;
    }

    pool->conns = ngx_pcalloc(cycle->pool,
                              conf->size * sizeof(ngx_teams_pg_conn_t));
    if (pool->conns == NULL) {
        return NULL;
    }

    pool->conf = conf;
    pool->log = cycle->log;
    pool->nconns = conf->size;
    ngx_queue_init(&pool->idle);
    ngx_queue_init(&pool->waiting);
    ngx_cpystrn(pool->last_error, (u_char *) "not connected yet",
                sizeof(pool->last_error));

    for (i = 0; i < pool->nconns; i++) {
        pc = &pool->conns[i];
        pc->pool = pool;
        pc->backoff = NGX_TEAMS_PG_BACKOFF_MIN;
        pc->retry.handler = ngx_teams_pg_retry_handler;
        pc->retry.data = pc;
        pc->retry.log = cycle->log;
        pc->retry.cancelable = 1;

        ngx_teams_pg_connect(pc);
    }

    return pool;
}


void
ngx_teams_pg_pool_destroy(ngx_teams_pg_pool_t *pool)
{
    ngx_uint_t  i;

    for (i = 0; i < pool->nconns; i++) {
        if (pool->conns[i].retry.timer_set) {
            ngx_del_timer(&pool->conns[i].retry);
        }

        ngx_teams_pg_close(&pool->conns[i]);
    }
}


ngx_teams_pg_query_t *
ngx_teams_pg_query_create(ngx_pool_t *p, ngx_log_t *log)
{
    ngx_pool_cleanup_t    *cln;
    ngx_teams_pg_query_t  *q;

    q = ngx_pcalloc(p, sizeof(ngx_teams_pg_query_t));
    if (q == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(p, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_teams_pg_query_cleanup;
    cln->data = q;

    q->log = log;
    q->event.handler = ngx_teams_pg_query_event;
    q->event.data = q;
    q->event.log = log;

    return q;
}


void
ngx_teams_pg_run(ngx_teams_pg_pool_t *pool, ngx_teams_pg_query_t *q)
{
    ngx_queue_t          *link;
    ngx_teams_pg_conn_t  *pc;

    q->pool = pool;
    q->finished = 0;

    if (ngx_queue_empty(&pool->waiting) && !ngx_queue_empty(&pool->idle)) {
        link = ngx_queue_head(&pool->idle);
        ngx_queue_remove(link);
        pc = ngx_queue_data(link, ngx_teams_pg_conn_t, link);
        pc->listed = 0;

        ngx_teams_pg_assign(pc, q);

        /* send from the event loop, so done() is never called from here */
        ngx_post_event(pc->c->write, &ngx_posted_events);
        return;
    }

    if (pool->nup + pool->nconnecting == 0) {
        q->rc = NGX_TEAMS_PG_UNAVAILABLE;
        ngx_post_event(&q->event, &ngx_posted_events);
        return;
    }

    if (pool->nwaiting >= pool->conf->max_queue) {
        q->rc = NGX_TEAMS_PG_QUEUE_FULL;
        ngx_post_event(&q->event, &ngx_posted_events);
        return;
    }

    ngx_queue_insert_tail(&pool->waiting, &q->queue);
    pool->nwaiting++;
    q->queued = 1;
    q->rc = NGX_TEAMS_PG_TIMEOUT;
    ngx_add_timer(&q->event, pool->conf->queue_timeout);
}


void
ngx_teams_pg_cancel(ngx_teams_pg_query_t *q)
{
    if (q->finished) {
        return;
    }

    q->finished = 1;

    if (q->queued) {
        ngx_queue_remove(&q->queue);
        q->pool->nwaiting--;
        q->queued = 0;
    }

    if (q->event.timer_set) {
        ngx_del_timer(&q->event);
    }

    if (q->event.posted) {
        ngx_delete_posted_event(&q->event);
    }

    if (q->conn) {
        /* the connection drains the result and goes back to the pool */
        q->conn->query = NULL;
        q->conn = NULL;
    }
}


const char *
ngx_teams_pg_sqlstate(PGresult *res)
{
    const char  *state;

    if (res == NULL) {
        return "";
    }

    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    return state ? state : "";
}


teams_json_t *
ngx_teams_pg_rows(ngx_pool_t *pool, PGresult *res)
{
    int            row, col, nrows, ncols;
    ngx_str_t     *names;
    teams_json_t  *arr, *obj, *v;

    /* the boolean type's oid: pg_type.h is server-side only */
    static const Oid  bool_oid = 16;

    nrows = PQntuples(res);
    ncols = PQnfields(res);

    arr = ngx_pcalloc(pool, sizeof(teams_json_t));
    names = ngx_palloc(pool, (ncols + 1) * sizeof(ngx_str_t));
    if (arr == NULL || names == NULL) {
        return NULL;
    }

    arr->type = TEAMS_JSON_ARRAY;

    /* the member names, copied once: the result is cleared after done() */
    for (col = 0; col < ncols; col++) {
        names[col].len = ngx_strlen(PQfname(res, col));
        names[col].data = ngx_pnalloc(pool, names[col].len + 1);
        if (names[col].data == NULL) {
            return NULL;
        }

        ngx_memcpy(names[col].data, PQfname(res, col), names[col].len + 1);
    }

    for (row = 0; row < nrows; row++) {
        obj = ngx_pcalloc(pool, sizeof(teams_json_t));
        if (obj == NULL) {
            return NULL;
        }

        obj->type = TEAMS_JSON_OBJECT;

        for (col = 0; col < ncols; col++) {
            v = ngx_pcalloc(pool, sizeof(teams_json_t));
            if (v == NULL) {
                return NULL;
            }

            v->key = (char *) names[col].data;
            v->key_len = names[col].len;

            if (PQgetisnull(res, row, col)) {
                v->type = TEAMS_JSON_NULL;

            } else if (PQftype(res, col) == bool_oid) {
                v->type = TEAMS_JSON_BOOL;
                v->boolean = PQgetvalue(res, row, col)[0] == 't';

            } else {
                v->type = TEAMS_JSON_STRING;
                v->len = PQgetlength(res, row, col);
                v->str = ngx_pnalloc(pool, v->len + 1);
                if (v->str == NULL) {
                    return NULL;
                }

                ngx_memcpy(v->str, PQgetvalue(res, row, col), v->len + 1);
            }

            ngx_teams_pg_json_append(obj, v);
        }

        ngx_teams_pg_json_append(arr, obj);
    }

    return arr;
}


static void
ngx_teams_pg_json_append(teams_json_t *parent, teams_json_t *v)
{
    v->parent = parent;

    if (parent->last != NULL) {
        parent->last->next = v;

    } else {
        parent->child = v;
    }

    parent->last = v;
    parent->nchildren++;
}


static void
ngx_teams_pg_query_cleanup(void *data)
{
    ngx_teams_pg_query_t  *q = data;

    ngx_teams_pg_cancel(q);
}


static void
ngx_teams_pg_query_event(ngx_event_t *ev)
{
    ngx_teams_pg_query_t  *q = ev->data;
    ngx_teams_pg_pool_t   *pool = q->pool;

    if (q->queued) {
        ngx_queue_remove(&q->queue);
        pool->nwaiting--;
        q->queued = 0;
    }

    switch (q->rc) {

    case NGX_TEAMS_PG_QUEUE_FULL:
        ngx_teams_pg_deliver(q, q->rc, "too many queries waiting", NULL);
        break;

    case NGX_TEAMS_PG_TIMEOUT:
        ngx_teams_pg_deliver(q, q->rc,
                             "timed out waiting for a connection", NULL);
        break;

    default:
        ngx_teams_pg_deliver(q, NGX_TEAMS_PG_UNAVAILABLE,
                             (const char *) pool->last_error, NULL);
        break;
    }
}


static void
ngx_teams_pg_deliver(ngx_teams_pg_query_t *q, ngx_teams_pg_rc_e rc,
    const char *error, PGresult *res)
{
    if (q->finished) {
        return;
    }

    q->finished = 1;
    q->conn = NULL;
    q->rc = rc;
    q->error = error;

    if (q->event.timer_set) {
        ngx_del_timer(&q->event);
    }

    q->done(q, res);
}


static void
ngx_teams_pg_assign(ngx_teams_pg_conn_t *pc, ngx_teams_pg_query_t *q)
{
    pc->query = q;
    pc->state = NGX_TEAMS_PG_CONN_BUSY;
    pc->sent = 0;
    q->conn = pc;
}


static void
ngx_teams_pg_connect(ngx_teams_pg_conn_t *pc)
{
    const char           *values[3];
    ngx_teams_pg_pool_t  *pool = pc->pool;
    static const char    *keywords[] = { "dbname", "options", NULL };

    /* the conninfo expands in place of dbname; our options come after */
    values[0] = (const char *) pool->conf->conninfo.data;
    values[1] = (const char *) pool->conf->options.data;
    values[2] = NULL;

    pc->pg = PQconnectStartParams(keywords, values, 1);

    if (pc->pg == NULL) {
        ngx_teams_pg_set_error(pool, "out of memory");
        ngx_teams_pg_schedule_retry(pc);
        return;
    }

    if (PQstatus(pc->pg) == CONNECTION_BAD
        || PQsetnonblocking(pc->pg, 1) != 0)
    {
        ngx_teams_pg_set_error(pool, PQerrorMessage(pc->pg));
        PQfinish(pc->pg);
        pc->pg = NULL;
        ngx_teams_pg_schedule_retry(pc);
        return;
    }

    PQsetNoticeProcessor(pc->pg, ngx_teams_pg_notice, pool);

    if (ngx_teams_pg_wrap_socket(pc) != NGX_OK) {
        PQfinish(pc->pg);
        pc->pg = NULL;
        ngx_teams_pg_schedule_retry(pc);
        return;
    }

    pc->state = NGX_TEAMS_PG_CONN_CONNECTING;
    pool->nconnecting++;

    ngx_add_timer(pc->c->read, pool->conf->connect_timeout);

    /* libpq: before the first poll, behave as if it asked for writing */
    if (ngx_teams_pg_want(pc, 0, 1) != NGX_OK) {
        ngx_teams_pg_fail(pc, "cannot register socket events");
    }
}


static ngx_int_t
ngx_teams_pg_wrap_socket(ngx_teams_pg_conn_t *pc)
{
    int                fd;
    ngx_connection_t  *c;

    fd = PQsocket(pc->pg);
    if (fd == -1) {
        ngx_teams_pg_set_error(pc->pool, "libpq has no socket");
        return NGX_ERROR;
    }

    c = ngx_get_connection(fd, pc->pool->log);
    if (c == NULL) {
        ngx_teams_pg_set_error(pc->pool, "no free worker connection");
        return NGX_ERROR;
    }

    c->data = pc;
    c->log = pc->pool->log;
    c->read->log = c->log;
    c->write->log = c->log;
    c->read->handler = ngx_teams_pg_event_handler;
    c->write->handler = ngx_teams_pg_event_handler;

    pc->c = c;

    return NGX_OK;
}


static void
ngx_teams_pg_connect_poll(ngx_teams_pg_conn_t *pc)
{
    ngx_msec_t                 timer;
    ngx_connection_t          *c;
    PostgresPollingStatusType  st;

    st = PQconnectPoll(pc->pg);

    if (PQsocket(pc->pg) != pc->c->fd) {
        /*
         * libpq moved to a new socket (another host or an SSL/GSS
         * fallback); it closed the old one, so drop it without syscalls.
         */
        c = pc->c;
        timer = c->read->timer_set ? c->read->timer.key - ngx_current_msec
                                   : pc->pool->conf->connect_timeout;

        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }

        if (c->read->active) {
            ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
        }

        if (c->write->active) {
            ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_CLOSE_EVENT);
        }

        if (c->read->posted) {
            ngx_delete_posted_event(c->read);
        }

        if (c->write->posted) {
            ngx_delete_posted_event(c->write);
        }

        ngx_free_connection(c);
        c->fd = (ngx_socket_t) -1;
        pc->c = NULL;

        if (ngx_teams_pg_wrap_socket(pc) != NGX_OK) {
            ngx_teams_pg_fail(pc, (const char *) pc->pool->last_error);
            return;
        }

        ngx_add_timer(pc->c->read, timer);
    }

    switch (st) {

    case PGRES_POLLING_READING:
        if (ngx_teams_pg_want(pc, 1, 0) != NGX_OK) {
            ngx_teams_pg_fail(pc, "cannot register socket events");
        }
        return;

    case PGRES_POLLING_WRITING:
        if (ngx_teams_pg_want(pc, 0, 1) != NGX_OK) {
            ngx_teams_pg_fail(pc, "cannot register socket events");
        }
        return;

    case PGRES_POLLING_OK:
        break;

    default:
        ngx_teams_pg_fail(pc, PQerrorMessage(pc->pg));
        return;
    }

    if (pc->c->read->timer_set) {
        ngx_del_timer(pc->c->read);
    }

    pc->pool->nconnecting--;
    pc->pool->nup++;
    pc->pool->server_version = PQserverVersion(pc->pg);
    pc->backoff = NGX_TEAMS_PG_BACKOFF_MIN;

    ngx_log_error(NGX_LOG_INFO, pc->pool->log, 0,
                  "teams postgres: connected (server %d)",
                  pc->pool->server_version);

    ngx_teams_pg_became_idle(pc);
}


static void
ngx_teams_pg_event_handler(ngx_event_t *ev)
{
    ngx_connection_t     *c = ev->data;
    ngx_teams_pg_conn_t  *pc = c->data;

    if (ev->timedout) {
        ev->timedout = 0;

        if (pc->state == NGX_TEAMS_PG_CONN_CONNECTING) {
            ngx_teams_pg_fail(pc, "connect timed out");

        } else {
            ngx_teams_pg_fail(pc, "query timed out");
        }

        return;
    }

    switch (pc->state) {

    case NGX_TEAMS_PG_CONN_CONNECTING:
        ngx_teams_pg_connect_poll(pc);
        break;

    case NGX_TEAMS_PG_CONN_IDLE:
        ngx_teams_pg_check_idle(pc);
        break;

    case NGX_TEAMS_PG_CONN_BUSY:
        if (!pc->sent) {
            ngx_teams_pg_send(pc);

        } else {
            ngx_teams_pg_receive(pc);
        }

        break;

    default:
        break;
    }
}


static void
ngx_teams_pg_send(ngx_teams_pg_conn_t *pc)
{
    int                    rc;
    u_char                 name[32];
    ngx_uint_t             i;
    ngx_teams_pg_query_t  *q = pc->query;

    if (q == NULL) {
        /* the requester went away before we sent anything */
        ngx_teams_pg_became_idle(pc);
        return;
    }

    /*
     * Statements are prepared once per session: the actions' statements
     * cost several milliseconds to parse and plan and a fraction of one to
     * run.  A statement's text is a constant, so its address names it.
     */

    for (i = 0; i < pc->nprepared; i++) {
        if (pc->prepared[i] == q->sql) {
            break;
        }
    }

    if (i < pc->nprepared) {
        ngx_teams_pg_statement_name(name, i);
        rc = PQsendQueryPrepared(pc->pg, (char *) name, q->nparams,
                                 q->params, NULL, NULL, 0);

    } else if (pc->nprepared < NGX_TEAMS_PG_MAX_PREPARED) {
        ngx_teams_pg_statement_name(name, pc->nprepared);
        rc = PQsendPrepare(pc->pg, (char *) name, q->sql, q->nparams, NULL);
        pc->preparing = 1;
        pc->prepared[pc->nprepared] = q->sql;

    } else {
        rc = PQsendQueryParams(pc->pg, q->sql, q->nparams, NULL, q->params,
                               NULL, NULL, 0);
    }

    if (!rc) {
        ngx_teams_pg_fail(pc, PQerrorMessage(pc->pg));
        return;
    }

    pc->sent = 1;
    pc->flushing = 1;

    ngx_add_timer(pc->c->read, pc->pool->conf->query_timeout);

    ngx_teams_pg_receive(pc);
}


static void
ngx_teams_pg_statement_name(u_char *buf, ngx_uint_t i)
{
    *ngx_sprintf(buf, "ngx_teams_%ui", i) = '\0';
}


static void
ngx_teams_pg_receive(ngx_teams_pg_conn_t *pc)
{
    int                    rc;
    PGresult              *res;
    ngx_teams_pg_rc_e      status;
    ngx_teams_pg_query_t  *q;

    if (pc->flushing) {
        rc = PQflush(pc->pg);

        if (rc == -1) {
            ngx_teams_pg_fail(pc, PQerrorMessage(pc->pg));
            return;
        }

        pc->flushing = (rc == 1);
    }

    if (ngx_teams_pg_want(pc, 1, pc->flushing) != NGX_OK) {
        ngx_teams_pg_fail(pc, "cannot register socket events");
        return;
    }

    if (PQconsumeInput(pc->pg) == 0) {
        ngx_teams_pg_fail(pc, PQerrorMessage(pc->pg));
        return;
    }

    while (!PQisBusy(pc->pg)) {
        res = PQgetResult(pc->pg);

        if (res == NULL) {
            goto complete;
        }

        /* keep the first error, else the last result */
        if (pc->result != NULL
            && PQresultStatus(pc->result) == PGRES_FATAL_ERROR)
        {
            PQclear(res);
            continue;
        }

        if (pc->result != NULL) {
            PQclear(pc->result);
        }

        pc->result = res;
    }

    return;

complete:

    if (pc->c->read->timer_set) {
        ngx_del_timer(pc->c->read);
    }

    if (PQstatus(pc->pg) == CONNECTION_BAD) {
        ngx_teams_pg_fail(pc, PQerrorMessage(pc->pg));
        return;
    }

    if (pc->preparing) {
        pc->preparing = 0;

        if (pc->result != NULL
            && PQresultStatus(pc->result) == PGRES_COMMAND_OK)
        {
            pc->nprepared++;
            PQclear(pc->result);
            pc->result = NULL;

            /* now run it; a requester gone meanwhile just goes idle */
            ngx_teams_pg_send(pc);
            return;
        }

        /* a statement that does not prepare fails as it would run */
    }

    q = pc->query;
    res = pc->result;
    pc->query = NULL;
    pc->result = NULL;
    pc->state = NGX_TEAMS_PG_CONN_IDLE;

    /*
     * a schema change under a prepared statement (a migration while we
     * run): this session's statements are stale, so start a new one
     */
    if (res != NULL
        && (ngx_strcmp(ngx_teams_pg_sqlstate(res), "0A000") == 0
            || ngx_strcmp(ngx_teams_pg_sqlstate(res), "26000") == 0))
    {
        pc->recycle = 1;
    }

    if (q != NULL) {
        status = NGX_TEAMS_PG_OK;

        if (res == NULL
            || PQresultStatus(res) == PGRES_FATAL_ERROR
            || PQresultStatus(res) == PGRES_BAD_RESPONSE)
        {
            status = NGX_TEAMS_PG_SQL_ERROR;
        }

        ngx_teams_pg_deliver(q, status,
                             res ? PQresultErrorMessage(res) : "no result",
                             res);
    }

    if (res != NULL) {
        PQclear(res);
    }

    if (pc->recycle) {
        pc->state = NGX_TEAMS_PG_CONN_BUSY;
        ngx_teams_pg_fail(pc, "prepared statements invalidated by a schema "
                              "change; reconnecting");
        return;
    }

    ngx_teams_pg_became_idle(pc);
}


static void
ngx_teams_pg_check_idle(ngx_teams_pg_conn_t *pc)
{
    PGnotify  *n;

    /* readable while idle: the server is going away, or a notice */

    /*
     * PQerrorMessage() would still carry the last query's error here, so
     * say what happened in our own words
     */
    if (PQconsumeInput(pc->pg) == 0 || PQstatus(pc->pg) == CONNECTION_BAD) {
        ngx_teams_pg_fail(pc, "the server closed the connection");
        return;
    }

    while ((n = PQnotifies(pc->pg)) != NULL) {
        PQfreemem(n);
    }
}


static void
ngx_teams_pg_became_idle(ngx_teams_pg_conn_t *pc)
{
    ngx_queue_t           *link;
    ngx_teams_pg_pool_t   *pool = pc->pool;
    ngx_teams_pg_query_t  *q;

    pc->state = NGX_TEAMS_PG_CONN_IDLE;
    pc->query = NULL;

    if (ngx_teams_pg_want(pc, 1, 0) != NGX_OK) {
        ngx_teams_pg_fail(pc, "cannot register socket events");
        return;
    }

    if (!ngx_queue_empty(&pool->waiting)) {
        link = ngx_queue_head(&pool->waiting);
        ngx_queue_remove(link);
        pool->nwaiting--;

        q = ngx_queue_data(link, ngx_teams_pg_query_t, queue);
        q->queued = 0;

        if (q->event.timer_set) {
            ngx_del_timer(&q->event);
        }

        ngx_teams_pg_assign(pc, q);
        ngx_teams_pg_send(pc);
        return;
    }

    ngx_queue_insert_tail(&pool->idle, &pc->link);
    pc->listed = 1;
}


static void
ngx_teams_pg_fail(ngx_teams_pg_conn_t *pc, const char *why)
{
    ngx_teams_pg_pool_t   *pool = pc->pool;
    ngx_teams_pg_query_t  *q;

    ngx_teams_pg_set_error(pool, why);

    ngx_log_error(NGX_LOG_ERR, pool->log, 0, "teams postgres: %s",
                  pool->last_error);

    q = pc->query;
    pc->query = NULL;

    switch (pc->state) {

    case NGX_TEAMS_PG_CONN_CONNECTING:
        pool->nconnecting--;
        break;

    case NGX_TEAMS_PG_CONN_IDLE:
    case NGX_TEAMS_PG_CONN_BUSY:
        pool->nup--;
        break;

    default:
        break;
    }

    if (pc->listed) {
        ngx_queue_remove(&pc->link);
        pc->listed = 0;
    }

    pc->state = NGX_TEAMS_PG_CONN_DOWN;

    ngx_teams_pg_close(pc);
    ngx_teams_pg_schedule_retry(pc);

    if (q != NULL) {
        ngx_teams_pg_deliver(q, NGX_TEAMS_PG_UNAVAILABLE,
                             (const char *) pool->last_error, NULL);
    }

    if (pool->nup + pool->nconnecting == 0) {
        ngx_teams_pg_fail_waiting(pool);
    }
}


static void
ngx_teams_pg_fail_waiting(ngx_teams_pg_pool_t *pool)
{
    ngx_queue_t           *link;
    ngx_teams_pg_query_t  *q;

    while (!ngx_queue_empty(&pool->waiting)) {
        link = ngx_queue_head(&pool->waiting);
        ngx_queue_remove(link);
        pool->nwaiting--;

        q = ngx_queue_data(link, ngx_teams_pg_query_t, queue);
        q->queued = 0;

        ngx_teams_pg_deliver(q, NGX_TEAMS_PG_UNAVAILABLE,
                             (const char *) pool->last_error, NULL);
    }
}


static void
ngx_teams_pg_close(ngx_teams_pg_conn_t *pc)
{
    ngx_uint_t         flags;
    ngx_connection_t  *c = pc->c;

    if (c != NULL) {
        /* libpq closes the socket itself when it sees EOF */
        flags = (pc->pg == NULL || PQsocket(pc->pg) != c->fd)
                ? NGX_CLOSE_EVENT : 0;

        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }

        if (c->write->timer_set) {
            ngx_del_timer(c->write);
        }

        if (c->read->posted) {
            ngx_delete_posted_event(c->read);
        }

        if (c->write->posted) {
            ngx_delete_posted_event(c->write);
        }

        if (c->read->active) {
            ngx_del_event(c->read, NGX_READ_EVENT, flags);
        }

        if (c->write->active) {
            ngx_del_event(c->write, NGX_WRITE_EVENT, flags);
        }

        /* libpq owns the socket: PQfinish() closes it */
        ngx_free_connection(c);
        c->fd = (ngx_socket_t) -1;
        pc->c = NULL;
    }

    if (pc->result != NULL) {
        PQclear(pc->result);
        pc->result = NULL;
    }

    /* prepared statements belong to the session that ends here */
    pc->nprepared = 0;
    pc->preparing = 0;
    pc->recycle = 0;

    if (pc->pg != NULL) {
        PQfinish(pc->pg);
        pc->pg = NULL;
    }
}


static void
ngx_teams_pg_schedule_retry(ngx_teams_pg_conn_t *pc)
{
    ngx_msec_t  delay;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    /* jitter keeps a pool's connections from reconnecting in lockstep */
    delay = pc->backoff + ngx_random() % (pc->backoff / 4 + 1);

    pc->backoff *= 2;
    if (pc->backoff > NGX_TEAMS_PG_BACKOFF_MAX) {
        pc->backoff = NGX_TEAMS_PG_BACKOFF_MAX;
    }

    ngx_add_timer(&pc->retry, delay);
}


static void
ngx_teams_pg_retry_handler(ngx_event_t *ev)
{
    ngx_teams_pg_conn_t  *pc = ev->data;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    ngx_teams_pg_connect(pc);
}


static ngx_int_t
ngx_teams_pg_want(ngx_teams_pg_conn_t *pc, ngx_uint_t rd, ngx_uint_t wr)
{
    ngx_connection_t  *c = pc->c;

    if (rd && !c->read->active) {
        if (ngx_add_event(c->read, NGX_READ_EVENT, 0) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (!rd && c->read->active) {
        if (ngx_del_event(c->read, NGX_READ_EVENT, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (wr && !c->write->active) {
        if (ngx_add_event(c->write, NGX_WRITE_EVENT, 0) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (!wr && c->write->active) {
        if (ngx_del_event(c->write, NGX_WRITE_EVENT, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static void
ngx_teams_pg_set_error(ngx_teams_pg_pool_t *pool, const char *msg)
{
    u_char  *p, *last;

    if (msg == NULL || *msg == '\0') {
        msg = "connection lost";
    }

    last = ngx_cpystrn(pool->last_error, (u_char *) msg,
                       sizeof(pool->last_error));

    /* libpq messages end in newlines; keep log lines and JSON on one line */
    for (p = pool->last_error; p < last; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            *p = ' ';
        }
    }

    while (last > pool->last_error && last[-1] == ' ') {
        *--last = '\0';
    }
}


static void
ngx_teams_pg_notice(void *arg, const char *message)
{
    ngx_teams_pg_pool_t  *pool = arg;

    /* libpq prints notices on stderr by default; keep them in our log */
    ngx_log_error(NGX_LOG_INFO, pool->log, 0, "teams postgres notice: %s",
                  message);
}
