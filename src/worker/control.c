
/*
 * The control plane: teams:control consumer and the liveness key.
 */


#include <stdio.h>
#include <string.h>
#include <time.h>

#include "worker/control.h"
#include "worker/keys.h"
#include "worker/log.h"
#include "worker/worker.h"


static int teams_control_ping(teams_worker_t *wk, teams_stream_entry_t *entry);


teams_stream_rc_e
teams_control_handler(teams_worker_t *wk, teams_stream_t *st,
    teams_stream_entry_t *entry)
{
    redisReply  *type;

    type = teams_stream_field(entry, "type");

    if (type == NULL || type->type != REDIS_REPLY_STRING) {
        teams_log_warn("control entry %s: no \"type\" field; ignored",
                       entry->id);
        return TEAMS_STREAM_ACK;
    }

    /* only the id and type are logged: other fields may carry secrets */

    teams_log_info("control entry %s: type=%.*s", entry->id,
                   type->len > 64 ? 64 : (int) type->len, type->str);

    if (teams_stream_field_is(entry, "type", "ping")) {
        if (teams_control_ping(wk, entry) != 0) {
            /* the link failed: keep it pending, it is read again */
            return TEAMS_STREAM_KEEP;
        }

        return TEAMS_STREAM_ACK;
    }

    if (teams_stream_field_is(entry, "type", "refresh_keys")) {
        return teams_keys_control(wk, entry);
    }

    teams_log_warn("control entry %s: unknown type; ignored", entry->id);

    return TEAMS_STREAM_ACK;
}


int
teams_control_alive(teams_worker_t *wk)
{
    char         now[32];
    redisReply  *r;

    snprintf(now, sizeof(now), "%lld", (long long) time(NULL));

    r = teams_redis_link_command(&wk->redis,
                                 "SET teams:worker:alive:%s %s EX %d",
                                 wk->conf->consumer, now,
                                 TEAMS_WORKER_ALIVE_TTL);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_ERROR) {
        teams_log_error("SET teams:worker:alive:%s failed: %s",
                        wk->conf->consumer, r->str);

    } else {
        teams_log_debug("alive key refreshed");
    }

    freeReplyObject(r);

    return 0;
}


void
teams_control_gone(teams_worker_t *wk)
{
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis, "DEL teams:worker:alive:%s",
                                 wk->conf->consumer);
    if (r != NULL) {
        freeReplyObject(r);
    }
}


static int
teams_control_ping(teams_worker_t *wk, teams_stream_entry_t *entry)
{
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis,
                                 "SET teams:worker:pong:%s %s EX %d",
                                 entry->id, wk->conf->consumer,
                                 TEAMS_CONTROL_PONG_TTL);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_ERROR) {
        teams_log_error("control entry %s: SET pong failed: %s", entry->id,
                        r->str);
    }

    freeReplyObject(r);

    return 0;
}
