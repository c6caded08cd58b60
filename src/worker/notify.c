
/*
 * The notification sender thread (see notify.h).
 */


#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_uuid.h"
#include "notify/teams_notify.h"
#include "worker/graph.h"
#include "worker/log.h"
#include "worker/ms_token.h"
#include "worker/notify.h"
#include "worker/notify_arr.h"
#include "worker/notify_events.h"
#include "worker/ratelimit.h"
#include "worker/worker.h"


#define TEAMS_NOTIFY_PUMP_BATCH      1000
#define TEAMS_NOTIFY_PUMP_IDLE_MS    100
#define TEAMS_NOTIFY_RECOVER_MS      1000
#define TEAMS_NOTIFY_FLUSH_MS        10
#define TEAMS_NOTIFY_FLUSH_MAX       500
#define TEAMS_NOTIFY_LOST_AFTER_S    600
#define TEAMS_NOTIFY_RL_WAIT_MS      1000
/* a reserved slot missed by more than this is given back: a late request
   would bunch up with later ones and break the limit it was shaped to */
#define TEAMS_NOTIFY_LATE_MS         40
#define TEAMS_NOTIFY_BACKOFF_BASE    1000
#define TEAMS_NOTIFY_BACKOFF_MAX     60000
#define TEAMS_NOTIFY_STREAM_MAXLEN   "1000000"


typedef enum {
    TEAMS_NI_FREE = 0,
    TEAMS_NI_WAIT,           /* waiting for its rate-limit slot */
    TEAMS_NI_FLIGHT,         /* the Graph request is in flight */
    TEAMS_NI_DONE            /* outcome ready, to be recorded */
} teams_ni_state_e;


typedef struct {
    teams_ni_state_e    state;
    char                entry[48];         /* stream entry id */
    char                tenant[40];
    char                id[40];
    char                notification[40];
    char                user[40];
    char                category[24];
    char                dest[80];
    char                profile[40];
    char                app[80];           /* the profile's client id */
    char                ms_tenant[80];
    int                 attempt;
    uint64_t            due;               /* monotonic ms */
    uint64_t            created;           /* when claimed */
    char               *body;
    size_t              body_len;
    teams_graph_req_t   req;

    /* outcome */
    const char         *result;    /* sent|skipped|failed|retry|defer */
    const char         *error_code;
    char               *error_message;
    unsigned            delay_ms;
} teams_ni_t;


typedef struct {
    teams_worker_t       wk;          /* own links; conf shared read-only */
    teams_ms_tokens_t   *tokens;
    teams_graph_t        graph;
    teams_ratelimit_t    rl;
    teams_links_t        links;
    char                 app_id_buf[80];

    unsigned             concurrency;
    unsigned             max_attempts;
    unsigned             lease_s;
    unsigned             claim_idle_ms;
    unsigned             rate_limits:1;

    teams_ni_t          *items;
    unsigned             busy;        /* items not FREE */

    char                 pending_id[48];
    unsigned             pending_done:1;
    unsigned             group_ready:1;
    unsigned             redis_gen;

    uint64_t             next_pump;
    uint64_t             next_recover;
    uint64_t             next_claim;
    uint64_t             next_sweep;
    uint64_t             first_done;  /* oldest DONE item waiting */
    unsigned             ndone;
} teams_notify_t;


static void *teams_notify_thread(void *data);
static void teams_notify_loop(teams_notify_t *nt);
static int teams_notify_setup(teams_notify_t *nt, uint64_t now);
static int teams_notify_pump(teams_notify_t *nt);
static int teams_notify_recover(teams_notify_t *nt, uint64_t now);
static int teams_notify_read(teams_notify_t *nt);
static int teams_notify_entries(teams_notify_t *nt, redisReply *entries,
    int own);
static int teams_notify_claim(teams_notify_t *nt, teams_ni_t **batch,
    unsigned n);
static void teams_notify_resolve(teams_notify_t *nt, teams_ni_t *it,
    PGresult *res, int row);
static void teams_notify_schedule(teams_notify_t *nt, uint64_t now);
static void teams_notify_send(teams_notify_t *nt, teams_ni_t *it);
static void teams_notify_done(teams_graph_req_t *req, void *ctx);
static void teams_notify_outcome(teams_notify_t *nt, teams_ni_t *it,
    const char *result, const char *code, const char *message,
    unsigned delay_ms);
static int teams_notify_flush(teams_notify_t *nt);
static int teams_notify_ack(teams_notify_t *nt, const char **ids,
    unsigned n);
static void teams_notify_item_free(teams_notify_t *nt, teams_ni_t *it);
static int teams_notify_onoff(const char *v);
static unsigned teams_notify_num(const char *v, unsigned def);


static pthread_t           teams_notify_tid;
static int                 teams_notify_running;
static teams_notify_t      teams_notify_ctx;


int
teams_notify_setting_check(const char *name, const char *value, char *err,
    size_t errlen)
{
    unsigned  secs;

    if (strcmp(name, "notify") == 0 || strcmp(name, "notify_rate_limits") == 0
        || strcmp(name, "notify_events") == 0)
    {
        if (teams_notify_onoff(value) < 0) {
            snprintf(err, errlen, "invalid \"%s\" value \"%s\": on or off",
                     name, value);
            return -1;
        }

        return 0;
    }

    if (strcmp(name, "notify_concurrency") == 0
        || strcmp(name, "notify_max_attempts") == 0)
    {
        secs = teams_notify_num(value, 0);

        if (secs == 0 || secs > 4096) {
            snprintf(err, errlen, "invalid \"%s\" value \"%s\": a number "
                     "from 1 to 4096", name, value);
            return -1;
        }

        return 0;
    }

    if (strcmp(name, "notify_lease") == 0
        || strcmp(name, "notify_claim_idle") == 0)
    {
        if (teams_worker_duration_parse(value, &secs) != 0 || secs == 0
            || secs > 3600)
        {
            snprintf(err, errlen, "invalid \"%s\" value \"%s\": a time "
                     "from 1s to 1h", name, value);
            return -1;
        }

        return 0;
    }

    if (strcmp(name, "notify_psa_url") == 0) {
        if (!teams_worker_url_valid(value)) {
            snprintf(err, errlen, "invalid \"%s\" value \"%s\": an http(s) "
                     "URL", name, value);
            return -1;
        }

        return 0;
    }

    snprintf(err, errlen, "unknown setting \"%s\"", name);

    return -1;
}


int
teams_notify_start(teams_worker_conf_t *conf, volatile sig_atomic_t *stop)
{
    size_t           len;
    unsigned         secs;
    teams_notify_t  *nt;

    if (teams_notify_events_start(conf, stop) != 0) {
        return -1;
    }

    if (conf->notify != NULL && teams_notify_onoff(conf->notify) == 0) {
        teams_log_info("notify: off");
        return 0;
    }

    nt = &teams_notify_ctx;
    memset(nt, 0, sizeof(teams_notify_t));

    nt->wk.conf = conf;
    nt->wk.stop = stop;

    nt->concurrency = teams_notify_num(conf->notify_concurrency, 256);
    nt->max_attempts = teams_notify_num(conf->notify_max_attempts, 8);

    secs = 60;
    if (conf->notify_lease != NULL) {
        (void) teams_worker_duration_parse(conf->notify_lease, &secs);
    }
    nt->lease_s = secs;

    secs = 30;
    if (conf->notify_claim_idle != NULL) {
        (void) teams_worker_duration_parse(conf->notify_claim_idle, &secs);
    }
    nt->claim_idle_ms = secs * 1000;

    nt->rate_limits = conf->notify_rate_limits == NULL
                      || teams_notify_onoff(conf->notify_rate_limits) == 1;

    /* the PSA base URL without a trailing slash, for the deep links */

    nt->links.psa_base_url = conf->notify_psa_url ? conf->notify_psa_url
                                                  : "";
    len = strlen(nt->links.psa_base_url);
    if (len && nt->links.psa_base_url[len - 1] == '/') {
        conf->notify_psa_url[len - 1] = '\0';
    }

    teams_ratelimit_init(&nt->rl, 5, 50, TEAMS_NOTIFY_RL_WAIT_MS);

    nt->items = calloc(nt->concurrency, sizeof(teams_ni_t));
    if (nt->items == NULL) {
        return -1;
    }

    if (teams_http_init(&nt->wk.http, conf->http_proxy, stop) != 0
        || teams_graph_init(&nt->graph, conf->http_proxy, nt->concurrency)
           != 0)
    {
        return -1;
    }

    teams_redis_link_init(&nt->wk.redis, &conf->redis_addr);
    teams_pg_link_init(&nt->wk.pg, conf->postgres);

    nt->tokens = teams_ms_tokens_create(&nt->wk);
    if (nt->tokens == NULL) {
        return -1;
    }

    if (pthread_create(&teams_notify_tid, NULL, teams_notify_thread, nt)
        != 0)
    {
        return -1;
    }

    teams_notify_running = 1;

    teams_log_info("notify: sending activity notifications, concurrency "
                   "%u, rate limits %s, max attempts %u, lease %us",
                   nt->concurrency, nt->rate_limits ? "on" : "off",
                   nt->max_attempts, nt->lease_s);

    return 0;
}


void
teams_notify_join(void)
{
    unsigned         i;
    teams_notify_t  *nt;

    teams_notify_events_join();

    if (!teams_notify_running) {
        return;
    }

    pthread_join(teams_notify_tid, NULL);
    teams_notify_running = 0;

    nt = &teams_notify_ctx;

    for (i = 0; i < nt->concurrency; i++) {
        teams_notify_item_free(nt, &nt->items[i]);
    }

    free(nt->items);
    teams_ms_tokens_destroy(nt->tokens);
    teams_graph_free(&nt->graph);
    teams_http_free(&nt->wk.http);
    teams_redis_link_close(&nt->wk.redis);
    teams_pg_link_close(&nt->wk.pg);
}


static void *
teams_notify_thread(void *data)
{
    sigset_t  set;

    /* signals go to the main thread; this one only watches the flag */

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    teams_notify_loop(data);

    return NULL;
}


static void
teams_notify_loop(teams_notify_t *nt)
{
    int        up, wait_ms;
    uint64_t   now;
    unsigned   i, inflight;

    for ( ;; ) {
        now = teams_now_ms();

        if (*nt->wk.stop) {
            /* finish what is in flight and record it, then leave */

            inflight = 0;
            for (i = 0; i < nt->concurrency; i++) {
                if (nt->items[i].state == TEAMS_NI_FLIGHT) {
                    inflight++;
                }
            }

            if (inflight == 0) {
                if (nt->ndone && nt->wk.pg.conn && nt->wk.redis.ctx) {
                    (void) teams_notify_flush(nt);
                }

                break;
            }
        }

        up = teams_notify_setup(nt, now);

        if (up && !*nt->wk.stop) {
            if (now >= nt->next_recover) {
                nt->next_recover = now + TEAMS_NOTIFY_RECOVER_MS;
                (void) teams_notify_recover(nt, now);
            }

            if (now >= nt->next_pump && nt->wk.redis.ctx && nt->wk.pg.conn) {
                nt->next_pump = now + (teams_notify_pump(nt)
                                       == TEAMS_NOTIFY_PUMP_BATCH
                                       ? 0 : TEAMS_NOTIFY_PUMP_IDLE_MS);
            }

            if (nt->busy < nt->concurrency && nt->wk.redis.ctx
                && nt->wk.pg.conn)
            {
                (void) teams_notify_read(nt);
            }
        }

        teams_notify_schedule(nt, teams_now_ms());

        wait_ms = 0;

        if (nt->busy == 0) {
            wait_ms = 20;

        } else if (nt->ndone == 0) {
            wait_ms = 5;
        }

        teams_graph_run(&nt->graph, wait_ms, -1, teams_notify_done, nt);

        now = teams_now_ms();

        if (nt->ndone
            && (nt->ndone >= TEAMS_NOTIFY_FLUSH_MAX
                || now >= nt->first_done + TEAMS_NOTIFY_FLUSH_MS
                || nt->graph.running == 0)
            && nt->wk.pg.conn && nt->wk.redis.ctx)
        {
            (void) teams_notify_flush(nt);
        }

        if (!up) {
            teams_sleep_ms(nt->graph.running ? 1 : 100);
        }
    }
}


/* keeps the links up; 1 when both are */
static int
teams_notify_setup(teams_notify_t *nt, uint64_t now)
{
    redisReply  *r;

    (void) teams_pg_link_ready(&nt->wk.pg, now);

    if (!teams_redis_link_ready(&nt->wk.redis, now)) {
        return 0;
    }

    if (nt->redis_gen != nt->wk.redis.generation) {
        nt->redis_gen = nt->wk.redis.generation;
        nt->group_ready = 0;
        nt->pending_done = 0;
        strcpy(nt->pending_id, "0");
        nt->rl.sha[0] = '\0';
        nt->next_recover = 0;
    }

    if (!nt->group_ready) {
        r = teams_redis_link_command(&nt->wk.redis,
                                     "XGROUP CREATE %s %s 0 MKSTREAM",
                                     TEAMS_NOTIFY_STREAM,
                                     nt->wk.conf->group);
        if (r == NULL) {
            return 0;
        }

        if (r->type == REDIS_REPLY_ERROR
            && !teams_redis_reply_is_error(r, "BUSYGROUP"))
        {
            teams_log_error("notify: XGROUP CREATE failed: %s", r->str);
            freeReplyObject(r);
            teams_redis_link_fail(&nt->wk.redis, "XGROUP CREATE failed");
            return 0;
        }

        freeReplyObject(r);
        nt->group_ready = 1;

        teams_log_info("notify: consuming %s as \"%s\" in group \"%s\"",
                       TEAMS_NOTIFY_STREAM, nt->wk.conf->consumer,
                       nt->wk.conf->group);
    }

    return nt->wk.pg.conn != NULL;
}


/* PQexecParams with failure handling: NULL when the link failed */
static PGresult *
teams_notify_exec(teams_notify_t *nt, const char *what, const char *sql,
    int n, const char *const *params)
{
    char       line[512];
    PGresult  *res;

    res = PQexecParams(nt->wk.pg.conn, sql, n, NULL, params, NULL, NULL, 0);

    if (res != NULL && (PQresultStatus(res) == PGRES_TUPLES_OK
                        || PQresultStatus(res) == PGRES_COMMAND_OK))
    {
        return res;
    }

    teams_log_error("notify: %s failed: %s", what,
                    teams_pg_error_line(PQerrorMessage(nt->wk.pg.conn),
                                        line, sizeof(line)));
    PQclear(res);

    if (PQstatus(nt->wk.pg.conn) != CONNECTION_OK) {
        teams_pg_link_fail(&nt->wk.pg, "connection lost");
    }

    return NULL;
}


static const char  teams_notify_pump_sql[] =
    "WITH due AS ("
    " SELECT tenant, id FROM teams_notification_outbox"
    "  WHERE (status = 'pending' AND next_attempt_at <= now())"
    "     OR (status = 'sending' AND claim_until < now())"
    "  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
    " UPDATE teams_notification_outbox o SET status = 'enqueued',"
    "  enqueued_at = now(), claimed_by = NULL, claim_until = NULL,"
    "  updated_at = now()"
    "  FROM due WHERE o.tenant = due.tenant AND o.id = due.id"
    " RETURNING o.tenant::text, o.id::text,"
    "  o.internal_notification_id::text";


static int
teams_notify_pump(teams_notify_t *nt)
{
    int           i, n, failed;
    char          limit[16];
    PGresult     *res;
    redisReply   *r;
    const char   *params[1], *argv[11];
    redisContext *c;

    snprintf(limit, sizeof(limit), "%d", TEAMS_NOTIFY_PUMP_BATCH);
    params[0] = limit;

    res = teams_notify_exec(nt, "outbox pump", teams_notify_pump_sql, 1,
                            params);
    if (res == NULL) {
        return 0;
    }

    n = PQntuples(res);

    if (n == 0) {
        PQclear(res);
        return 0;
    }

    /*
     * The rows are committed as "enqueued" before the XADDs: if we die in
     * between, the marker sweep or the 10-minute sweep makes them pending
     * again.  Pipelined: one round trip for the batch.
     */

    c = nt->wk.redis.ctx;

    for (i = 0; i < n; i++) {
        argv[0] = "XADD";
        argv[1] = TEAMS_NOTIFY_STREAM;
        argv[2] = "MAXLEN";
        argv[3] = "~";
        argv[4] = TEAMS_NOTIFY_STREAM_MAXLEN;
        argv[5] = "*";
        argv[6] = "tenant";
        argv[7] = PQgetvalue(res, i, 0);
        argv[8] = "id";
        argv[9] = PQgetvalue(res, i, 1);

        redisAppendCommandArgv(c, 10, argv, NULL);
    }

    failed = 0;

    for (i = 0; i < n; i++) {
        if (redisGetReply(c, (void **) &r) != REDIS_OK) {
            failed = 1;
            break;
        }

        if (r->type == REDIS_REPLY_ERROR) {
            teams_log_error("notify: XADD failed: %s", r->str);
        }

        freeReplyObject(r);
    }

    PQclear(res);

    if (failed) {
        teams_redis_link_fail(&nt->wk.redis, "XADD failed");
        return 0;
    }

    teams_log_debug("notify: enqueued %d outbox rows", n);

    return n;
}


static const char  teams_notify_reset_sql[] =
    "UPDATE teams_notification_outbox SET status = 'pending',"
    "  next_attempt_at = now(), updated_at = now()"
    " WHERE status = 'enqueued'"
    "   AND ($1::int = 0 OR enqueued_at < now() - $1::int * interval '1 s')";


static int
teams_notify_recover(teams_notify_t *nt, uint64_t now)
{
    char         idle[32], secs[16];
    size_t       i;
    PGresult    *res;
    redisReply  *r;
    const char  *params[1];
    int          lost;

    /*
     * Redis lost the stream (flush, restart without persistence) when our
     * marker is gone: every "enqueued" row is then pending again.  The
     * marker is created with the group, so a fresh Redis also resets them,
     * which only costs duplicate entries (the claim dedupes them).
     */

    r = teams_redis_link_command(&nt->wk.redis, "SET %s 1 NX",
                                 TEAMS_NOTIFY_MARKER);
    if (r == NULL) {
        return -1;
    }

    lost = (r->type == REDIS_REPLY_STATUS);
    freeReplyObject(r);

    if (lost) {
        nt->group_ready = 0;
        nt->pending_done = 0;
        strcpy(nt->pending_id, "0");

        if (nt->wk.pg.conn == NULL) {
            /* try again next time: the marker must not hide the loss */
            r = teams_redis_link_command(&nt->wk.redis, "DEL %s",
                                         TEAMS_NOTIFY_MARKER);
            if (r != NULL) {
                freeReplyObject(r);
            }

            return -1;
        }

        params[0] = "0";
        res = teams_notify_exec(nt, "outbox reset", teams_notify_reset_sql,
                                1, params);
        if (res == NULL) {
            r = teams_redis_link_command(&nt->wk.redis, "DEL %s",
                                         TEAMS_NOTIFY_MARKER);
            if (r != NULL) {
                freeReplyObject(r);
            }

            return -1;
        }

        if (atoi(PQcmdTuples(res)) > 0) {
            teams_log_warn("notify: Redis lost %s; %s enqueued rows are "
                           "pending again", TEAMS_NOTIFY_STREAM,
                           PQcmdTuples(res));
        }

        PQclear(res);
        nt->next_pump = 0;

        if (!teams_notify_setup(nt, now)) {
            return -1;
        }
    }

    if (now >= nt->next_sweep && nt->wk.pg.conn) {
        nt->next_sweep = now + 60000;
        snprintf(secs, sizeof(secs), "%d", TEAMS_NOTIFY_LOST_AFTER_S);
        params[0] = secs;

        res = teams_notify_exec(nt, "outbox sweep", teams_notify_reset_sql,
                                1, params);
        if (res != NULL) {
            PQclear(res);
        }
    }

    /* entries of crashed consumers, idle for claim_idle */

    if (now < nt->next_claim || nt->busy >= nt->concurrency
        || nt->wk.pg.conn == NULL)
    {
        return 0;
    }

    nt->next_claim = now + nt->claim_idle_ms / 2;
    snprintf(idle, sizeof(idle), "%u", nt->claim_idle_ms);

    r = teams_redis_link_command(&nt->wk.redis,
                                 "XAUTOCLAIM %s %s %s %s 0-0 COUNT %u",
                                 TEAMS_NOTIFY_STREAM, nt->wk.conf->group,
                                 nt->wk.conf->consumer, idle,
                                 nt->concurrency - nt->busy);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2
        && r->element[1]->type == REDIS_REPLY_ARRAY)
    {
        if (r->element[1]->elements) {
            teams_log_info("notify: claimed %zu entries of idle consumers",
                           r->element[1]->elements);
        }

        (void) teams_notify_entries(nt, r->element[1], 0);

        /* entries whose data was trimmed: nothing to do but forget them */

        if (r->elements >= 3 && r->element[2]->type == REDIS_REPLY_ARRAY
            && r->element[2]->elements)
        {
            const char  **ids;

            ids = calloc(r->element[2]->elements, sizeof(char *));
            if (ids != NULL) {
                for (i = 0; i < r->element[2]->elements; i++) {
                    ids[i] = r->element[2]->element[i]->str;
                }

                (void) teams_notify_ack(nt, ids,
                                        (unsigned) r->element[2]->elements);
                free(ids);
            }
        }

    } else if (r->type == REDIS_REPLY_ERROR) {
        teams_log_error("notify: XAUTOCLAIM failed: %s", r->str);
    }

    freeReplyObject(r);

    return 0;
}


static int
teams_notify_read(teams_notify_t *nt)
{
    int          rc;
    char         count[16], block[16];
    redisReply  *r, *s;
    const char  *argv[12];

    snprintf(count, sizeof(count), "%u", nt->concurrency - nt->busy);

    /* block briefly only when nothing else needs the loop */
    snprintf(block, sizeof(block), "%d",
             (nt->busy == 0 && nt->pending_done) ? 50 : 0);

    argv[0] = "XREADGROUP";
    argv[1] = "GROUP";
    argv[2] = nt->wk.conf->group;
    argv[3] = nt->wk.conf->consumer;
    argv[4] = "COUNT";
    argv[5] = count;

    if (nt->busy == 0 && nt->pending_done) {
        argv[6] = "BLOCK";
        argv[7] = block;
        argv[8] = "STREAMS";
        argv[9] = TEAMS_NOTIFY_STREAM;
        argv[10] = ">";
        r = teams_redis_link_argv(&nt->wk.redis, 11, argv, NULL);

    } else {
        argv[6] = "STREAMS";
        argv[7] = TEAMS_NOTIFY_STREAM;
        argv[8] = nt->pending_done ? ">" : nt->pending_id;
        r = teams_redis_link_argv(&nt->wk.redis, 9, argv, NULL);
    }

    if (r == NULL) {
        return -1;
    }

    rc = 0;

    if (r->type == REDIS_REPLY_ERROR) {
        if (teams_redis_reply_is_error(r, "NOGROUP")) {
            nt->group_ready = 0;

        } else {
            teams_log_error("notify: XREADGROUP failed: %s", r->str);
        }

        rc = -1;

    } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        s = r->element[0];

        if (s->type == REDIS_REPLY_ARRAY && s->elements == 2
            && s->element[1]->type == REDIS_REPLY_ARRAY)
        {
            if (!nt->pending_done && s->element[1]->elements == 0) {
                nt->pending_done = 1;

            } else {
                rc = teams_notify_entries(nt, s->element[1],
                                          !nt->pending_done);
            }
        }

    } else if (r->type == REDIS_REPLY_NIL && !nt->pending_done) {
        nt->pending_done = 1;
    }

    freeReplyObject(r);

    return rc;
}


/* takes stream entries into free items and claims their rows */
static int
teams_notify_entries(teams_notify_t *nt, redisReply *entries, int own)
{
    size_t        i, k;
    unsigned      n, nack, slot;
    redisReply   *e, *f, *v;
    teams_ni_t   *it, **batch;
    const char  **acks;
    const char   *tenant, *id;
    int           rc;

    batch = calloc(entries->elements + 1, sizeof(teams_ni_t *));
    acks = calloc(entries->elements + 1, sizeof(char *));

    if (batch == NULL || acks == NULL) {
        free(batch);
        free(acks);
        return -1;
    }

    n = 0;
    nack = 0;
    slot = 0;

    for (i = 0; i < entries->elements; i++) {
        e = entries->element[i];

        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
            || e->element[0]->type != REDIS_REPLY_STRING)
        {
            continue;
        }

        if (own) {
            snprintf(nt->pending_id, sizeof(nt->pending_id), "%s",
                     e->element[0]->str);
        }

        f = e->element[1];
        tenant = NULL;
        id = NULL;

        for (k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements;
             k += 2)
        {
            v = f->element[k + 1];

            if (v->type != REDIS_REPLY_STRING || v->len != 36) {
                continue;
            }

            if (strcmp(f->element[k]->str, "tenant") == 0) {
                tenant = v->str;

            } else if (strcmp(f->element[k]->str, "id") == 0) {
                id = v->str;
            }
        }

        if (tenant == NULL || id == NULL) {
            /* trimmed or foreign: nothing to deliver */
            acks[nack++] = e->element[0]->str;
            continue;
        }

        while (slot < nt->concurrency
               && nt->items[slot].state != TEAMS_NI_FREE)
        {
            slot++;
        }

        if (slot == nt->concurrency) {
            /* no room: it stays pending and comes back later */
            break;
        }

        it = &nt->items[slot++];
        memset(it, 0, sizeof(teams_ni_t));
        it->state = TEAMS_NI_WAIT;
        snprintf(it->entry, sizeof(it->entry), "%s", e->element[0]->str);
        memcpy(it->tenant, tenant, 37);
        memcpy(it->id, id, 37);
        nt->busy++;

        batch[n++] = it;
    }

    rc = 0;

    if (n) {
        rc = teams_notify_claim(nt, batch, n);
    }

    if (nack) {
        (void) teams_notify_ack(nt, acks, nack);
    }

    free(batch);
    free(acks);

    return rc;
}


static const char  teams_notify_claim_sql[] =
    "WITH k AS (SELECT * FROM unnest($1::uuid[], $2::uuid[])"
    "           AS k (tenant, id)),"
    " c AS (UPDATE teams_notification_outbox o"
    "   SET status = 'sending', attempts = o.attempts + 1,"
    "       claimed_by = $3, claim_until = now() + $4::int * interval '1 s',"
    "       updated_at = now()"
    "  FROM k WHERE o.tenant = k.tenant AND o.id = k.id"
    "   AND (o.status IN ('pending', 'enqueued')"
    "        OR (o.status = 'sending' AND o.claim_until < now()))"
    "  RETURNING o.tenant, o.id, o.internal_notification_id, o.user_id,"
    "            o.category, o.attempts, o.payload)"
    " SELECT c.tenant::text, c.id::text, c.internal_notification_id::text,"
    "  c.user_id::text, c.category, c.attempts,"
    "  c.payload ->> 'title', c.payload ->> 'message', c.payload ->> 'link',"
    "  c.payload -> 'metadata' ->> 'ticketId',"
    "  ti.install_status,"
    "  (ad.tenant IS NOT NULL),"
    "  coalesce(ti.notification_categories ? c.category, false),"
    "  coalesce(ti.enabled_capabilities ? 'activity_notifications', false),"
    "  coalesce(p.enabled, true),"
    "  u.user_type, coalesce(u.is_inactive, false),"
    "  ua.provider_account_id,"
    "  mp.profile_id::text, mp.client_id, mp.tenant_id, mp.is_archived,"
    "  ti.app_id"
    " FROM c"
    " LEFT JOIN teams_integrations ti ON ti.tenant = c.tenant"
    " LEFT JOIN tenant_addons ad ON ad.tenant = c.tenant"
    "  AND ad.addon_key = 'teams'"
    "  AND (ad.expires_at IS NULL OR ad.expires_at > now())"
    " LEFT JOIN teams_notification_preferences p ON p.tenant = c.tenant"
    "  AND p.user_id = c.user_id AND p.category = c.category"
    " LEFT JOIN users u ON u.tenant = c.tenant AND u.user_id = c.user_id"
    " LEFT JOIN user_auth_accounts ua ON ua.tenant = c.tenant"
    "  AND ua.user_id = c.user_id AND ua.provider = 'microsoft'"
    " LEFT JOIN microsoft_profiles mp ON mp.tenant = c.tenant"
    "  AND mp.profile_id = ti.selected_profile_id";


static int
teams_notify_claim(teams_notify_t *nt, teams_ni_t **batch, unsigned n)
{
    int             row, rows;
    char            lease[16];
    unsigned        i;
    PGresult       *res;
    teams_ni_t     *it;
    const char     *params[4], **acks;
    unsigned        nack;
    teams_pgarr_t   at, ai;

    teams_pgarr_init(&at);
    teams_pgarr_init(&ai);

    for (i = 0; i < n; i++) {
        teams_pgarr_add(&at, batch[i]->tenant);
        teams_pgarr_add(&ai, batch[i]->id);
    }

    snprintf(lease, sizeof(lease), "%u", nt->lease_s);

    params[0] = teams_pgarr_text(&at);
    params[1] = teams_pgarr_text(&ai);
    params[2] = nt->wk.conf->consumer;
    params[3] = lease;

    res = NULL;

    if (params[0] != NULL && params[1] != NULL) {
        res = teams_notify_exec(nt, "claim", teams_notify_claim_sql, 4,
                                params);
    }

    teams_pgarr_free(&at);
    teams_pgarr_free(&ai);

    if (res == NULL) {
        /* the entries stay pending (ours); they are read again */
        for (i = 0; i < n; i++) {
            batch[i]->state = TEAMS_NI_FREE;
            nt->busy--;
        }

        nt->pending_done = 0;
        strcpy(nt->pending_id, "0");

        return -1;
    }

    rows = PQntuples(res);

    for (row = 0; row < rows; row++) {
        for (i = 0; i < n; i++) {
            it = batch[i];

            if (it->state == TEAMS_NI_WAIT && it->created == 0
                && strcmp(it->tenant, PQgetvalue(res, row, 0)) == 0
                && strcmp(it->id, PQgetvalue(res, row, 1)) == 0)
            {
                it->created = teams_now_ms();
                teams_notify_resolve(nt, it, res, row);
                break;
            }
        }
    }

    PQclear(res);

    /* not claimed: done already, or leased by someone else: just ack */

    acks = calloc(n, sizeof(char *));
    nack = 0;

    for (i = 0; i < n; i++) {
        it = batch[i];

        if (it->created == 0) {
            if (acks != NULL) {
                acks[nack++] = it->entry;
            }
        }
    }

    if (nack) {
        (void) teams_notify_ack(nt, acks, nack);
    }

    for (i = 0; i < n; i++) {
        if (batch[i]->created == 0) {
            batch[i]->state = TEAMS_NI_FREE;
            nt->busy--;
        }
    }

    free(acks);

    return 0;
}


static void
teams_notify_resolve(teams_notify_t *nt, teams_ni_t *it, PGresult *res,
    int row)
{
    char        url[TEAMS_LINK_MAX + 1];
    const char *status, *oid, *utype, *client_id, *app_id;
    teams_notify_msg_t  m;
    teams_links_t       l;

#define col(n)     PQgetvalue(res, row, n)
#define isnull(n)  PQgetisnull(res, row, n)
#define istrue(n)  (!isnull(n) && col(n)[0] == 't')

    snprintf(it->notification, sizeof(it->notification), "%s", col(2));
    snprintf(it->user, sizeof(it->user), "%s", col(3));
    snprintf(it->category, sizeof(it->category), "%s", col(4));
    it->attempt = atoi(col(5));

    oid = isnull(17) ? NULL : col(17);
    snprintf(it->dest, sizeof(it->dest), "%s", oid ? oid : it->user);

    status = isnull(10) ? NULL : col(10);
    utype = isnull(15) ? NULL : col(15);
    client_id = isnull(19) ? "" : col(19);
    app_id = isnull(22) ? "" : col(22);

    /* the skip rules, each with its own reason (never silently dropped) */

    if (status == NULL || strcmp(status, "active") != 0) {
        teams_notify_outcome(nt, it, "skipped", "integration_inactive",
                             "integration_inactive: the tenant has no active "
                             "Teams integration", 0);
        return;
    }

    if (!istrue(13)) {
        teams_notify_outcome(nt, it, "skipped", "integration_inactive",
                             "notifications_disabled: activity "
                             "notifications are not enabled for the tenant",
                             0);
        return;
    }

    if (!istrue(11)) {
        teams_notify_outcome(nt, it, "skipped", "addon_inactive",
                             "addon_inactive: the tenant's Teams add-on is "
                             "not active", 0);
        return;
    }

    if (!istrue(12)) {
        teams_notify_outcome(nt, it, "skipped", NULL,
                             "category_disabled: the tenant has turned this "
                             "notification category off", 0);
        return;
    }

    if (utype == NULL || strcmp(utype, "internal") != 0 || istrue(16)) {
        teams_notify_outcome(nt, it, "skipped", "user_not_mapped",
                             "not_msp_user: the recipient is not an active "
                             "MSP user", 0);
        return;
    }

    if (oid == NULL || oid[0] == '\0') {
        teams_notify_outcome(nt, it, "skipped", "user_not_mapped",
                             "no_teams_identity: the recipient has no "
                             "linked Microsoft account", 0);
        return;
    }

    /* it goes into the Graph URL's path: an object id and nothing else */
    if (!teams_is_uuid(oid, strlen(oid))) {
        teams_notify_outcome(nt, it, "skipped", "user_not_mapped",
                             "no_teams_identity: the recipient's linked "
                             "Microsoft account id is not an Entra object "
                             "id", 0);
        return;
    }

    if (!istrue(14)) {
        teams_notify_outcome(nt, it, "skipped", NULL,
                             "user_muted: the recipient turned this "
                             "category off in Teams", 0);
        return;
    }

    if (isnull(18) || istrue(21) || client_id[0] == '\0'
        || app_id[0] == '\0')
    {
        teams_notify_outcome(nt, it, "skipped", "package_misconfigured",
                             "package_misconfigured: the integration has no "
                             "usable Microsoft profile or Teams app id", 0);
        return;
    }

    snprintf(it->profile, sizeof(it->profile), "%s", col(18));
    snprintf(it->app, sizeof(it->app), "%s", client_id);
    snprintf(it->ms_tenant, sizeof(it->ms_tenant), "%s", col(20));

    l.psa_base_url = nt->links.psa_base_url;
    l.app_id = app_id;

    if (teams_notify_web_url(url, sizeof(url), &l,
                             isnull(8) ? NULL : col(8),
                             isnull(9) ? NULL : col(9))
        == 0)
    {
        teams_notify_outcome(nt, it, "skipped", "package_misconfigured",
                             "package_misconfigured: no deep link can be "
                             "built for the record", 0);
        return;
    }

    m.category = it->category;
    m.title = col(6);
    m.message = col(7);
    m.web_url = url;

    it->body = teams_notify_graph_body(&m, &it->body_len);

    if (it->body == NULL) {
        teams_notify_outcome(nt, it, "failed", "unknown",
                             "cannot build the Graph request", 0);
        return;
    }

    it->due = 0;

#undef col
#undef isnull
#undef istrue
}


/* items waiting for a slot: reserve it (or defer), then send when due */
static void
teams_notify_schedule(teams_notify_t *nt, uint64_t now)
{
    int          rc;
    unsigned     i, wait_ms;
    teams_ni_t  *it;

    for (i = 0; i < nt->concurrency; i++) {
        it = &nt->items[i];

        if (it->state != TEAMS_NI_WAIT || it->created == 0) {
            continue;
        }

        if (it->due == 0) {
            if (!nt->rate_limits) {
                it->due = now;

            } else {
                if (nt->wk.redis.ctx == NULL) {
                    continue;
                }

                rc = teams_ratelimit_reserve(&nt->rl, &nt->wk.redis,
                                             "single", it->app,
                                             it->ms_tenant, &wait_ms);
                if (rc < 0) {
                    continue;
                }

                if (rc == 0) {
                    /* too far away: back to the outbox until then */
                    teams_notify_outcome(nt, it, "defer", NULL, NULL,
                                         wait_ms);
                    continue;
                }

                it->due = now + wait_ms;
                if (it->due == 0) {
                    it->due = 1;
                }
            }
        }

        if (nt->rate_limits && now > it->due + TEAMS_NOTIFY_LATE_MS) {
            it->due = 0;
            continue;
        }

        if (it->due <= now) {
            teams_notify_send(nt, it);
        }
    }
}


static void
teams_notify_send(teams_notify_t *nt, teams_ni_t *it)
{
    int          status;
    char         err[256], url[512];
    const char  *token;

    token = teams_ms_token_get(nt->tokens, it->tenant, it->profile,
                               TEAMS_MS_SCOPE_GRAPH, &status, err,
                               sizeof(err));
    if (token == NULL) {
        if (status == 400 || status == 401) {
            teams_notify_outcome(nt, it, "failed", "graph_unauthorized",
                                 err, 0);

        } else {
            teams_notify_outcome(nt, it, "retry", "transient", err, 0);
        }

        return;
    }

    if (nt->rate_limits && teams_now_ms() > it->due + TEAMS_NOTIFY_LATE_MS) {
        /* the token fetch took long: reserve a new slot */
        it->due = 0;
        return;
    }

    snprintf(url, sizeof(url), "%s/v1.0/users/%s/teamwork/"
             "sendActivityNotification", nt->wk.conf->graph_base, it->dest);

    it->req.data = it;

    if (teams_graph_post(&nt->graph, &it->req, url, token, it->body,
                         it->body_len)
        != 0)
    {
        teams_notify_outcome(nt, it, "retry", "transient", it->req.error, 0);
        return;
    }

    it->state = TEAMS_NI_FLIGHT;
}


static void
teams_notify_done(teams_graph_req_t *req, void *ctx)
{
    unsigned                 delay;
    teams_ni_t              *it;
    teams_notify_t          *nt;
    teams_notify_outcome_t   out;

    nt = ctx;
    it = req->data;

    teams_notify_classify(req->status, req->error, req->resp, req->resp_len,
                          &out);

    if (out.forget_token) {
        teams_ms_token_forget(nt->tokens, it->tenant, it->profile,
                              TEAMS_MS_SCOPE_GRAPH);
    }

    if (out.result == TEAMS_NOTIFY_SENT) {
        teams_notify_outcome(nt, it, "sent", NULL, NULL, 0);

    } else if (out.result == TEAMS_NOTIFY_RETRY) {
        delay = teams_notify_backoff_ms(it->attempt,
                                        req->status == 429
                                        ? req->retry_after : -1,
                                        TEAMS_NOTIFY_BACKOFF_BASE,
                                        TEAMS_NOTIFY_BACKOFF_MAX,
                                        (unsigned) random());

        if (req->status == 429 && nt->rate_limits && nt->wk.redis.ctx) {
            (void) teams_ratelimit_penalize(&nt->rl, &nt->wk.redis,
                                            "single", it->app, it->ms_tenant,
                                            req->retry_after > 0
                                            ? (unsigned) req->retry_after
                                              * 1000 : 1000);
        }

        teams_notify_outcome(nt, it, "retry", out.error_code, out.message,
                             delay);

    } else {
        teams_notify_outcome(nt, it, "failed", out.error_code, out.message,
                             0);
    }

    /* the request id of the last attempt, for the delivery record */
    teams_graph_req_clear(req);
}


static void
teams_notify_outcome(teams_notify_t *nt, teams_ni_t *it, const char *result,
    const char *code, const char *message, unsigned delay_ms)
{
    if (strcmp(result, "retry") == 0
        && (unsigned) it->attempt >= nt->max_attempts)
    {
        result = "failed";
    }

    if (strcmp(result, "retry") == 0 && delay_ms == 0) {
        delay_ms = teams_notify_backoff_ms(it->attempt, -1,
                                           TEAMS_NOTIFY_BACKOFF_BASE,
                                           TEAMS_NOTIFY_BACKOFF_MAX,
                                           (unsigned) random());
    }

    it->result = result;
    it->error_code = code;
    free(it->error_message);
    it->error_message = message ? strdup(message) : NULL;
    it->delay_ms = delay_ms;

    it->state = TEAMS_NI_DONE;

    if (nt->ndone++ == 0) {
        nt->first_done = teams_now_ms();
    }

    if (strcmp(result, "sent") != 0 && strcmp(result, "defer") != 0) {
        teams_log_info("notify: %s %s/%s attempt %d: %s%s%s", result,
                       it->tenant, it->id, it->attempt,
                       code ? code : "-", message ? ": " : "",
                       message ? message : "");
    }
}


static const char  teams_notify_record_sql[] =
    "WITH v AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[],"
    "   $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],"
    "   $9::int[], $10::text[], $11::uuid[], $12::uuid[])"
    "   AS v (tenant, id, result, error_code, error_message, delay_ms,"
    "         request_id, dest, attempt, category, notification, user_id)),"
    " o AS (UPDATE teams_notification_outbox o"
    "   SET status = CASE WHEN v.result IN ('retry', 'defer')"
    "                     THEN 'pending' ELSE 'done' END,"
    "       attempts = CASE WHEN v.result = 'defer'"
    "                  THEN greatest(o.attempts - 1, 0) ELSE o.attempts END,"
    "       next_attempt_at = now() + v.delay_ms * interval '1 ms',"
    "       last_error = CASE WHEN v.result = 'defer' THEN o.last_error"
    "                    ELSE v.error_message END,"
    "       claimed_by = NULL, claim_until = NULL, updated_at = now()"
    "  FROM v WHERE o.tenant = v.tenant AND o.id = v.id"
    "   AND o.status = 'sending' AND o.claimed_by = $13"
    "  RETURNING v.*)"
    " INSERT INTO teams_notification_deliveries AS d (tenant,"
    "  internal_notification_id, category, destination_type,"
    "  destination_id, attempt_number, idempotency_key, status, error_code,"
    "  error_message, retryable, provider_request_id, sent_at,"
    "  responded_at)"
    " SELECT tenant, notification, category, 'user_activity', dest,"
    "  attempt, teams_notify_idempotency_key(notification, user_id),"
    "  CASE result WHEN 'retry' THEN 'failed' ELSE result END,"
    "  error_code, error_message,"
    "  CASE result WHEN 'retry' THEN true WHEN 'failed' THEN false END,"
    "  request_id,"
    "  CASE WHEN result = 'sent' THEN now() END,"
    "  CASE WHEN result <> 'skipped' THEN now() END"
    " FROM o WHERE result <> 'defer'"
    " ON CONFLICT (tenant, idempotency_key) DO UPDATE SET"
    "  destination_id = EXCLUDED.destination_id,"
    "  attempt_number = EXCLUDED.attempt_number, status = EXCLUDED.status,"
    "  error_code = EXCLUDED.error_code,"
    "  error_message = EXCLUDED.error_message,"
    "  retryable = EXCLUDED.retryable,"
    "  provider_request_id = EXCLUDED.provider_request_id,"
    "  sent_at = EXCLUDED.sent_at, responded_at = EXCLUDED.responded_at"
    " WHERE d.status <> 'sent'";


/* records the DONE items in one statement, then acknowledges them */
static int
teams_notify_flush(teams_notify_t *nt)
{
    int             k;
    unsigned        i, n;
    PGresult       *res;
    teams_ni_t     *it;
    const char     *params[13], **acks;
    teams_pgarr_t   a[12];

    for (k = 0; k < 12; k++) {
        teams_pgarr_init(&a[k]);
    }

    acks = calloc(nt->ndone + 1, sizeof(char *));
    if (acks == NULL) {
        return -1;
    }

    n = 0;

    for (i = 0; i < nt->concurrency; i++) {
        it = &nt->items[i];

        if (it->state != TEAMS_NI_DONE) {
            continue;
        }

        teams_pgarr_add(&a[0], it->tenant);
        teams_pgarr_add(&a[1], it->id);
        teams_pgarr_add(&a[2], it->result);
        teams_pgarr_add(&a[3], it->error_code);
        teams_pgarr_add(&a[4], it->error_message);
        teams_pgarr_addl(&a[5], it->delay_ms);
        teams_pgarr_add(&a[6], it->req.request_id[0] ? it->req.request_id
                                                     : NULL);
        teams_pgarr_add(&a[7], it->dest);
        teams_pgarr_addl(&a[8], it->attempt);
        teams_pgarr_add(&a[9], it->category);
        teams_pgarr_add(&a[10], it->notification);
        teams_pgarr_add(&a[11], it->user);

        acks[n++] = it->entry;
    }

    res = NULL;

    for (k = 0; k < 12; k++) {
        params[k] = teams_pgarr_text(&a[k]);
        if (params[k] == NULL) {
            goto done;
        }
    }

    params[12] = nt->wk.conf->consumer;

    res = teams_notify_exec(nt, "record outcomes", teams_notify_record_sql,
                            13, params);

done:

    for (k = 0; k < 12; k++) {
        teams_pgarr_free(&a[k]);
    }

    if (res == NULL) {
        /* kept: recorded on the next flush, once Postgres is back */
        free(acks);
        nt->first_done = teams_now_ms() + 500;
        return -1;
    }

    PQclear(res);

    /* the outcome is in Postgres: now the entries may go */

    (void) teams_notify_ack(nt, acks, n);
    free(acks);

    for (i = 0; i < nt->concurrency; i++) {
        it = &nt->items[i];

        if (it->state == TEAMS_NI_DONE) {
            teams_notify_item_free(nt, it);
            it->state = TEAMS_NI_FREE;
            nt->busy--;
        }
    }

    nt->ndone = 0;

    return 0;
}


static int
teams_notify_ack(teams_notify_t *nt, const char **ids, unsigned n)
{
    unsigned      i;
    redisReply   *r;
    const char  **argv;

    if (n == 0 || nt->wk.redis.ctx == NULL) {
        return 0;
    }

    argv = calloc(n + 3, sizeof(char *));
    if (argv == NULL) {
        return -1;
    }

    argv[0] = "XACK";
    argv[1] = TEAMS_NOTIFY_STREAM;
    argv[2] = nt->wk.conf->group;

    for (i = 0; i < n; i++) {
        argv[3 + i] = ids[i];
    }

    r = teams_redis_link_argv(&nt->wk.redis, (int) n + 3, argv, NULL);

    free(argv);

    if (r == NULL) {
        /* unacknowledged entries are claimed again: the claim dedupes */
        return -1;
    }

    freeReplyObject(r);

    return 0;
}


static void
teams_notify_item_free(teams_notify_t *nt, teams_ni_t *it)
{
    free(it->body);
    it->body = NULL;
    free(it->error_message);
    it->error_message = NULL;
    teams_graph_req_clear(&it->req);
}


static int
teams_notify_onoff(const char *v)
{
    if (strcmp(v, "on") == 0) {
        return 1;
    }

    if (strcmp(v, "off") == 0) {
        return 0;
    }

    return -1;
}


static unsigned
teams_notify_num(const char *v, unsigned def)
{
    char           *end;
    unsigned long   n;

    if (v == NULL || v[0] < '0' || v[0] > '9') {
        return def;
    }

    errno = 0;
    n = strtoul(v, &end, 10);

    if (errno != 0 || *end != '\0' || n > 100000) {
        return 0;
    }

    return (unsigned) n;
}
