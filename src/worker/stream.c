
/*
 * Redis stream consumers.
 */


#include <stdlib.h>
#include <string.h>

#include "worker/log.h"
#include "worker/worker.h"


static int teams_stream_create_group(teams_worker_t *wk, teams_stream_t *st);
static int teams_stream_dispatch(teams_worker_t *wk, redisReply *r);
static teams_stream_t *teams_stream_find(teams_worker_t *wk, const char *name,
    size_t len);
static int teams_stream_ack(teams_worker_t *wk, teams_stream_t *st,
    const char *id);


void
teams_stream_sweep(teams_stream_t *st, uint64_t at)
{
    if (st->sweep_at == 0 || at < st->sweep_at) {
        st->sweep_at = at;
    }
}


int
teams_stream_poll(teams_worker_t *wk)
{
    int                   rc;
    char                  count[16], block[16], why[300];
    size_t                n;
    unsigned              i;
    uint64_t              now, wait;
    redisReply           *r;
    const char          **argv;
    teams_stream_t       *st;
    teams_worker_conf_t  *conf;

    conf = wk->conf;

    if (wk->redis_generation != wk->redis.generation) {
        /* a new connection: the server may have been restarted empty */

        for (i = 0; i < wk->nstreams; i++) {
            wk->streams[i].group_ready = 0;
            wk->streams[i].pending_done = 0;
            strcpy(wk->streams[i].pending_id, "0");
        }

        wk->redis_generation = wk->redis.generation;
    }

    for (i = 0; i < wk->nstreams; i++) {
        st = &wk->streams[i];

        if (!st->group_ready && teams_stream_create_group(wk, st) != 0) {
            return -1;
        }
    }

    /* XREADGROUP GROUP g c COUNT n BLOCK ms STREAMS: 9, then 2 per stream */

    argv = calloc(9 + 2 * wk->nstreams, sizeof(char *));
    if (argv == NULL) {
        teams_log_error("out of memory");
        return 0;
    }

    /* sweeps due start now; the next one bounds the wait for new entries */

    now = teams_now_ms();
    wait = TEAMS_STREAM_BLOCK_MS;

    for (i = 0; i < wk->nstreams; i++) {
        st = &wk->streams[i];

        if (st->sweep_at == 0) {
            continue;
        }

        if (now >= st->sweep_at && st->pending_done) {
            st->sweep_at = 0;
            st->pending_done = 0;
            strcpy(st->pending_id, "0");

        } else if (st->sweep_at > now && st->sweep_at - now < wait) {
            wait = st->sweep_at - now;
        }
    }

    snprintf(count, sizeof(count), "%d", TEAMS_STREAM_COUNT);

    /* BLOCK 0 would wait for ever */
    snprintf(block, sizeof(block), "%llu",
             (unsigned long long) (wait ? wait : 1));

    n = 0;
    argv[n++] = "XREADGROUP";
    argv[n++] = "GROUP";
    argv[n++] = conf->group;
    argv[n++] = conf->consumer;
    argv[n++] = "COUNT";
    argv[n++] = count;
    argv[n++] = "BLOCK";
    argv[n++] = block;
    argv[n++] = "STREAMS";

    for (i = 0; i < wk->nstreams; i++) {
        argv[n++] = wk->streams[i].name;
    }

    for (i = 0; i < wk->nstreams; i++) {
        st = &wk->streams[i];
        argv[n++] = st->pending_done ? ">" : st->pending_id;
    }

    r = teams_redis_link_argv(&wk->redis, (int) n, argv, NULL);

    free(argv);

    if (r == NULL) {
        return -1;
    }

    rc = 0;

    switch (r->type) {

    case REDIS_REPLY_NIL:
        /* BLOCK timed out */
        break;

    case REDIS_REPLY_ARRAY:
        rc = teams_stream_dispatch(wk, r);
        break;

    case REDIS_REPLY_ERROR:
        if (teams_redis_reply_is_error(r, "NOGROUP")) {
            /* the stream or group was deleted under us: create again */
            teams_log_warn("XREADGROUP: %s; creating the group again",
                           r->str);

            for (i = 0; i < wk->nstreams; i++) {
                wk->streams[i].group_ready = 0;
            }

            break;
        }

        snprintf(why, sizeof(why), "XREADGROUP failed: %s", r->str);
        teams_redis_link_fail(&wk->redis, why);
        rc = -1;
        break;

    default:
        teams_redis_link_fail(&wk->redis, "XREADGROUP: unexpected reply");
        rc = -1;
        break;
    }

    freeReplyObject(r);

    return rc;
}


redisReply *
teams_stream_field(teams_stream_entry_t *entry, const char *name)
{
    size_t       i, len;
    redisReply  *k;

    len = strlen(name);

    for (i = 0; i < entry->nfields; i++) {
        k = entry->fields[2 * i];

        if (k->type == REDIS_REPLY_STRING && k->len == len
            && memcmp(k->str, name, len) == 0)
        {
            return entry->fields[2 * i + 1];
        }
    }

    return NULL;
}


int
teams_stream_field_is(teams_stream_entry_t *entry, const char *name,
    const char *value)
{
    size_t       len;
    redisReply  *v;

    v = teams_stream_field(entry, name);
    len = strlen(value);

    return v != NULL && v->type == REDIS_REPLY_STRING && v->len == len
           && memcmp(v->str, value, len) == 0;
}


static int
teams_stream_create_group(teams_worker_t *wk, teams_stream_t *st)
{
    char         why[300];
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis, "XGROUP CREATE %s %s $ MKSTREAM",
                                 st->name, wk->conf->group);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_ERROR
        && !teams_redis_reply_is_error(r, "BUSYGROUP"))
    {
        snprintf(why, sizeof(why), "XGROUP CREATE %s failed: %s", st->name,
                 r->str);
        freeReplyObject(r);
        teams_redis_link_fail(&wk->redis, why);
        return -1;
    }

    teams_log_info("stream %s: consuming as \"%s\" in group \"%s\"%s",
                   st->name, wk->conf->consumer, wk->conf->group,
                   r->type == REDIS_REPLY_ERROR ? "" : " (group created)");

    freeReplyObject(r);

    st->group_ready = 1;

    return 0;
}


static int
teams_stream_dispatch(teams_worker_t *wk, redisReply *r)
{
    size_t                 i, j;
    redisReply            *sr, *entries, *e;
    teams_stream_t        *st;
    teams_stream_entry_t   entry;

    for (i = 0; i < r->elements; i++) {
        sr = r->element[i];

        if (sr->type != REDIS_REPLY_ARRAY || sr->elements != 2
            || sr->element[0]->type != REDIS_REPLY_STRING
            || sr->element[1]->type != REDIS_REPLY_ARRAY)
        {
            continue;
        }

        st = teams_stream_find(wk, sr->element[0]->str,
                               sr->element[0]->len);
        if (st == NULL) {
            continue;
        }

        entries = sr->element[1];

        if (!st->pending_done && entries->elements == 0) {
            st->pending_done = 1;

            if (st->swept != NULL) {
                st->swept(wk, st);
            }

            continue;
        }

        for (j = 0; j < entries->elements; j++) {
            e = entries->element[j];

            if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
                || e->element[0]->type != REDIS_REPLY_STRING)
            {
                continue;
            }

            entry.id = e->element[0]->str;

            if (!st->pending_done) {
                snprintf(st->pending_id, sizeof(st->pending_id), "%s",
                         entry.id);
            }

            if (e->element[1]->type != REDIS_REPLY_ARRAY) {
                /* a pending entry whose data was trimmed away */
                teams_log_warn("stream %s: entry %s was deleted; "
                               "acknowledging it", st->name, entry.id);

                if (teams_stream_ack(wk, st, entry.id) != 0) {
                    return -1;
                }

                continue;
            }

            entry.nfields = e->element[1]->elements / 2;
            entry.fields = e->element[1]->element;

            if (st->handler(wk, st, &entry) == TEAMS_STREAM_ACK
                && teams_stream_ack(wk, st, entry.id) != 0)
            {
                return -1;
            }

            if (*wk->stop) {
                /* the rest stays pending for us or another consumer */
                return 0;
            }
        }
    }

    return 0;
}


static teams_stream_t *
teams_stream_find(teams_worker_t *wk, const char *name, size_t len)
{
    unsigned  i;

    for (i = 0; i < wk->nstreams; i++) {
        if (strlen(wk->streams[i].name) == len
            && memcmp(wk->streams[i].name, name, len) == 0)
        {
            return &wk->streams[i];
        }
    }

    return NULL;
}


static int
teams_stream_ack(teams_worker_t *wk, teams_stream_t *st, const char *id)
{
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis, "XACK %s %s %s", st->name,
                                 wk->conf->group, id);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_ERROR) {
        teams_log_error("stream %s: XACK %s failed: %s", st->name, id,
                        r->str);
    }

    freeReplyObject(r);

    return 0;
}
