
/*
 * Retention of the consumed streams (see stream_trim.h).
 */


#include <stdlib.h>
#include <string.h>

#include "worker/log.h"
#include "worker/stream_trim.h"
#include "worker/worker.h"


#define TEAMS_STREAM_TRIM_MAX_GROUPS  64


static int teams_stream_trim_one(teams_worker_t *wk, const char *name,
    uint64_t now_ms);
static int teams_stream_group_read(teams_worker_t *wk, const char *stream,
    redisReply *info, teams_stream_group_t *g);
static int teams_stream_reply_id(redisReply *r, teams_stream_id_t *id);


int
teams_stream_trim(teams_worker_t *wk)
{
    unsigned     i;
    uint64_t     now_ms;
    redisReply  *r;

    /* the clock that stamps the entries */

    r = teams_redis_link_command(&wk->redis, "TIME");
    if (r == NULL) {
        return -1;
    }

    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
        || r->element[0]->type != REDIS_REPLY_STRING
        || r->element[1]->type != REDIS_REPLY_STRING)
    {
        teams_log_warn("stream retention: TIME: unexpected reply");
        freeReplyObject(r);
        return 0;
    }

    now_ms = strtoull(r->element[0]->str, NULL, 10) * 1000
             + strtoull(r->element[1]->str, NULL, 10) / 1000;

    freeReplyObject(r);

    for (i = 0; i < wk->nstreams; i++) {
        if (teams_stream_trim_one(wk, wk->streams[i].name, now_ms) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
teams_stream_trim_one(teams_worker_t *wk, const char *name, uint64_t now_ms)
{
    size_t                 i, n;
    redisReply            *r;
    teams_stream_id_t      minid;
    teams_stream_group_t   groups[TEAMS_STREAM_TRIM_MAX_GROUPS];

    r = teams_redis_link_command(&wk->redis, "XINFO GROUPS %s", name);
    if (r == NULL) {
        return -1;
    }

    if (r->type != REDIS_REPLY_ARRAY) {
        /* no such stream yet */
        freeReplyObject(r);
        return 0;
    }

    if (r->elements > TEAMS_STREAM_TRIM_MAX_GROUPS) {
        teams_log_warn("stream %s: %zu consumer groups; not trimmed (at "
                       "most %d are read)", name, r->elements,
                       TEAMS_STREAM_TRIM_MAX_GROUPS);
        freeReplyObject(r);
        return 0;
    }

    n = r->elements;

    for (i = 0; i < n; i++) {
        if (teams_stream_group_read(wk, name, r->element[i], &groups[i])
            != 0)
        {
            freeReplyObject(r);
            return wk->redis.ctx == NULL ? -1 : 0;
        }
    }

    freeReplyObject(r);

    if (!teams_stream_trim_bound(groups, n, now_ms, TEAMS_STREAM_RETAIN_MS,
                                 &minid))
    {
        return 0;
    }

    r = teams_redis_link_command(&wk->redis, "XTRIM %s MINID %llu-%llu",
                                 name, (unsigned long long) minid.ms,
                                 (unsigned long long) minid.seq);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
        teams_log_info("stream %s: trimmed %lld entries every group has "
                       "acknowledged", name, r->integer);

    } else if (r->type == REDIS_REPLY_ERROR) {
        teams_log_warn("stream %s: XTRIM: %s", name, r->str);
    }

    freeReplyObject(r);

    return 0;
}


/* one element of XINFO GROUPS (name, value, ...), and XPENDING if needed */

static int
teams_stream_group_read(teams_worker_t *wk, const char *stream,
    redisReply *info, teams_stream_group_t *g)
{
    int          rc, have_last;
    size_t       i;
    redisReply  *k, *v, *r, *name;

    memset(g, 0, sizeof(teams_stream_group_t));

    if (info->type != REDIS_REPLY_ARRAY || info->elements % 2) {
        teams_log_warn("stream %s: XINFO GROUPS: unexpected reply", stream);
        return -1;
    }

    name = NULL;
    have_last = 0;

    for (i = 0; i < info->elements; i += 2) {
        k = info->element[i];
        v = info->element[i + 1];

        if (k->type != REDIS_REPLY_STRING) {
            continue;
        }

        if (strcmp(k->str, "name") == 0 && v->type == REDIS_REPLY_STRING) {
            name = v;

        } else if (strcmp(k->str, "pending") == 0
                   && v->type == REDIS_REPLY_INTEGER)
        {
            g->pending = v->integer > 0;

        } else if (strcmp(k->str, "last-delivered-id") == 0) {
            have_last = (teams_stream_reply_id(v, &g->last_delivered) == 0);
        }
    }

    if (name == NULL || !have_last) {
        teams_log_warn("stream %s: XINFO GROUPS: a group without a name or "
                       "a last-delivered-id", stream);
        return -1;
    }

    if (!g->pending) {
        return 0;
    }

    /* the summary form: count, oldest id, newest id, consumers */

    r = teams_redis_link_command(&wk->redis, "XPENDING %s %b", stream,
                                 name->str, name->len);
    if (r == NULL) {
        return -1;
    }

    rc = 0;

    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2
        || teams_stream_reply_id(r->element[1], &g->oldest_pending) != 0)
    {
        teams_log_warn("stream %s: XPENDING: unexpected reply", stream);
        rc = -1;
    }

    freeReplyObject(r);

    return rc;
}


static int
teams_stream_reply_id(redisReply *r, teams_stream_id_t *id)
{
    if (r->type != REDIS_REPLY_STRING) {
        return -1;
    }

    return teams_stream_id_parse(r->str, r->len, id);
}


int
teams_stream_id_parse(const char *s, size_t len, teams_stream_id_t *id)
{
    size_t     i;
    uint64_t  *part, d;

    id->ms = 0;
    id->seq = 0;
    part = &id->ms;

    if (len == 0) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if (s[i] == '-' && part == &id->ms && i > 0 && i + 1 < len) {
            part = &id->seq;
            continue;
        }

        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        d = (uint64_t) (s[i] - '0');

        if (*part > (UINT64_MAX - d) / 10) {
            return -1;
        }

        *part = *part * 10 + d;
    }

    return 0;
}


int
teams_stream_id_cmp(const teams_stream_id_t *a, const teams_stream_id_t *b)
{
    if (a->ms != b->ms) {
        return a->ms < b->ms ? -1 : 1;
    }

    if (a->seq != b->seq) {
        return a->seq < b->seq ? -1 : 1;
    }

    return 0;
}


int
teams_stream_trim_bound(const teams_stream_group_t *groups, size_t n,
    uint64_t now_ms, uint64_t retain_ms, teams_stream_id_t *minid)
{
    size_t                    i;
    const teams_stream_id_t  *need;

    if (n == 0) {
        return 0;
    }

    minid->ms = now_ms > retain_ms ? now_ms - retain_ms : 0;
    minid->seq = 0;

    for (i = 0; i < n; i++) {
        need = groups[i].pending ? &groups[i].oldest_pending
                                 : &groups[i].last_delivered;

        if (teams_stream_id_cmp(need, minid) < 0) {
            *minid = *need;
        }
    }

    return minid->ms != 0 || minid->seq != 0;
}
