
/*
 * PSA domain events -> internal_notifications (see notify_events.h).
 */


#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker/log.h"
#include "worker/notify_events.h"
#include "worker/worker.h"


#define TEAMS_EVENTS_NSTREAMS   10
#define TEAMS_EVENTS_COUNT      "100"
#define TEAMS_EVENTS_BLOCK_MS   "1000"


static const char *const  teams_events_types[TEAMS_EVENTS_NSTREAMS] = {
    "TICKET_ASSIGNED", "TICKET_COMMENT_ADDED", "SLA_WARNING",
    "TICKET_SLA_WARNING", "SLA_BREACH", "TICKET_SLA_BREACHED",
    "SLA_ESCALATION", "TICKET_ESCALATED", "TIME_SHEET_SUBMITTED",
    NULL
};


typedef struct {
    teams_worker_t   wk;
    char             streams[TEAMS_EVENTS_NSTREAMS][80];
    unsigned         nstreams;
    unsigned         redis_gen;
    unsigned         groups_ready:1;
    unsigned         pending_done:1;
} teams_events_t;


static void *teams_events_thread(void *data);
static int teams_events_setup(teams_events_t *ev);
static int teams_events_read(teams_events_t *ev);
static int teams_events_handle(teams_events_t *ev, const char *stream,
    redisReply *entry);


static pthread_t        teams_events_tid;
static int              teams_events_running;
static teams_events_t   teams_events_ctx;


int
teams_notify_events_start(teams_worker_conf_t *conf,
    volatile sig_atomic_t *stop)
{
    unsigned         i;
    teams_events_t  *ev;

    if (conf->notify_events == NULL
        || strcmp(conf->notify_events, "on") != 0)
    {
        return 0;
    }

    ev = &teams_events_ctx;
    memset(ev, 0, sizeof(teams_events_t));

    ev->wk.conf = conf;
    ev->wk.stop = stop;

    for (i = 0; i < TEAMS_EVENTS_NSTREAMS && teams_events_types[i] != NULL;
         i++)
    {
        snprintf(ev->streams[i], sizeof(ev->streams[i]), "%s%s",
                 TEAMS_EVENTS_PREFIX, teams_events_types[i]);
    }

    ev->nstreams = i;

    teams_redis_link_init(&ev->wk.redis, &conf->redis_addr);
    teams_pg_link_init(&ev->wk.pg, conf->postgres);

    if (pthread_create(&teams_events_tid, NULL, teams_events_thread, ev)
        != 0)
    {
        return -1;
    }

    teams_events_running = 1;

    return 0;
}


void
teams_notify_events_join(void)
{
    if (!teams_events_running) {
        return;
    }

    pthread_join(teams_events_tid, NULL);
    teams_events_running = 0;

    teams_redis_link_close(&teams_events_ctx.wk.redis);
    teams_pg_link_close(&teams_events_ctx.wk.pg);
}


static void *
teams_events_thread(void *data)
{
    sigset_t         set;
    uint64_t         now;
    teams_events_t  *ev = data;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    while (!*ev->wk.stop) {
        now = teams_now_ms();

        (void) teams_pg_link_ready(&ev->wk.pg, now);

        if (!teams_redis_link_ready(&ev->wk.redis, now)
            || ev->wk.pg.conn == NULL || teams_events_setup(ev) != 0)
        {
            teams_sleep_ms(200);
            continue;
        }

        if (teams_events_read(ev) != 0) {
            teams_sleep_ms(200);
        }
    }

    return NULL;
}


/* the consumer group on every stream; 0 when ready */
static int
teams_events_setup(teams_events_t *ev)
{
    unsigned     i;
    redisReply  *r;

    if (ev->redis_gen != ev->wk.redis.generation) {
        ev->redis_gen = ev->wk.redis.generation;
        ev->groups_ready = 0;
        ev->pending_done = 0;
    }

    if (ev->groups_ready) {
        return 0;
    }

    for (i = 0; i < ev->nstreams; i++) {
        r = teams_redis_link_command(&ev->wk.redis,
                                     "XGROUP CREATE %s %s $ MKSTREAM",
                                     ev->streams[i], TEAMS_EVENTS_GROUP);
        if (r == NULL) {
            return -1;
        }

        if (r->type == REDIS_REPLY_ERROR
            && !teams_redis_reply_is_error(r, "BUSYGROUP"))
        {
            teams_log_error("notify events: XGROUP CREATE %s failed: %s",
                            ev->streams[i], r->str);
            freeReplyObject(r);
            return -1;
        }

        freeReplyObject(r);
    }

    ev->groups_ready = 1;

    teams_log_info("notify events: consuming %u PSA event streams as \"%s\" "
                   "in group \"%s\"", ev->nstreams, ev->wk.conf->consumer,
                   TEAMS_EVENTS_GROUP);

    return 0;
}


static int
teams_events_read(teams_events_t *ev)
{
    int          rc, argc, own;
    size_t       i, j;
    unsigned     k, seen;
    redisReply  *r, *s;
    const char  *argv[9 + 2 * TEAMS_EVENTS_NSTREAMS];

    /* first our own unacknowledged entries (a crash, a failed insert) */
    own = !ev->pending_done;

    argc = 0;
    argv[argc++] = "XREADGROUP";
    argv[argc++] = "GROUP";
    argv[argc++] = TEAMS_EVENTS_GROUP;
    argv[argc++] = ev->wk.conf->consumer;
    argv[argc++] = "COUNT";
    argv[argc++] = TEAMS_EVENTS_COUNT;

    if (!own) {
        argv[argc++] = "BLOCK";
        argv[argc++] = TEAMS_EVENTS_BLOCK_MS;
    }

    argv[argc++] = "STREAMS";

    for (k = 0; k < ev->nstreams; k++) {
        argv[argc++] = ev->streams[k];
    }

    for (k = 0; k < ev->nstreams; k++) {
        argv[argc++] = own ? "0" : ">";
    }

    r = teams_redis_link_argv(&ev->wk.redis, argc, argv, NULL);
    if (r == NULL) {
        return -1;
    }

    rc = 0;
    seen = 0;

    if (r->type == REDIS_REPLY_ERROR) {
        if (teams_redis_reply_is_error(r, "NOGROUP")) {
            ev->groups_ready = 0;

        } else {
            teams_log_error("notify events: XREADGROUP failed: %s", r->str);
        }

        rc = -1;

    } else if (r->type == REDIS_REPLY_ARRAY) {
        for (i = 0; i < r->elements && rc == 0; i++) {
            s = r->element[i];

            if (s->type != REDIS_REPLY_ARRAY || s->elements != 2
                || s->element[1]->type != REDIS_REPLY_ARRAY)
            {
                continue;
            }

            for (j = 0; j < s->element[1]->elements; j++) {
                seen++;

                if (teams_events_handle(ev, s->element[0]->str,
                                        s->element[1]->element[j])
                    != 0)
                {
                    rc = -1;
                    break;
                }
            }
        }
    }

    freeReplyObject(r);

    if (rc == 0 && own && seen == 0) {
        ev->pending_done = 1;
    }

    if (rc != 0) {
        /* read our pending entries again */
        ev->pending_done = 0;
    }

    return rc;
}


static const char  teams_events_sql[] =
    "SELECT teams_notify_from_event($1::jsonb)";


/* one entry: insert, then ack; -1 leaves it pending (retried) */
static int
teams_events_handle(teams_events_t *ev, const char *stream, redisReply *entry)
{
    size_t       k;
    char         line[512];
    PGresult    *res;
    redisReply  *f, *r;
    const char  *id, *json, *params[1], *state;

    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) {
        return 0;
    }

    id = entry->element[0]->str;
    f = entry->element[1];
    json = NULL;

    for (k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements; k += 2)
    {
        if (strcmp(f->element[k]->str, "event") == 0) {
            json = f->element[k + 1]->str;
        }
    }

    if (json != NULL) {
        params[0] = json;

        res = PQexecParams(ev->wk.pg.conn, teams_events_sql, 1, NULL, params,
                           NULL, NULL, 0);

        if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
            teams_log_error("notify events: %s %s: %s", stream, id,
                            teams_pg_error_line(
                                PQerrorMessage(ev->wk.pg.conn), line,
                                sizeof(line)));

            if (PQstatus(ev->wk.pg.conn) != CONNECTION_OK) {
                PQclear(res);
                teams_pg_link_fail(&ev->wk.pg, "connection lost");
                return -1;
            }

            state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

            if (state == NULL || strncmp(state, "22", 2) != 0) {
                /* not the event's fault: stays pending, tried again */
                PQclear(res);
                return -1;
            }

            /* a bad event (not JSON, a bad value): logged, acknowledged */

        } else {
            teams_log_debug("notify events: %s %s: %s notification(s)",
                            stream, id, PQgetvalue(res, 0, 0));
        }

        PQclear(res);

    } else {
        teams_log_warn("notify events: %s %s has no \"event\" field",
                       stream, id);
    }

    r = teams_redis_link_command(&ev->wk.redis, "XACK %s %s %s", stream,
                                 TEAMS_EVENTS_GROUP, id);
    if (r == NULL) {
        return -1;
    }

    freeReplyObject(r);

    return 0;
}
