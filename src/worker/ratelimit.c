
/*
 * Graph rate limits in Redis (see ratelimit.h).
 */


#include <stdio.h>
#include <string.h>

#include "worker/log.h"
#include "worker/ratelimit.h"


/*
 * KEYS[1] tenant key, KEYS[2] app key prefix; ARGV[1] tenant interval
 * (us), ARGV[2] app requests per bucket (0: no app limit), ARGV[3] max
 * wait (us), ARGV[4] penalty (us, 0: reserve), ARGV[5] bucket (us).
 * Returns {reserved 0|1, wait us}.
 *
 * The tenant limit is a reservation time (one request every interval).
 * The app limit counts requests per 100 ms bucket: a 1 s window touches at
 * most 12 buckets (11, plus one for arrival jitter), so rps / 12 per bucket
 * keeps every sliding 1 s window under the limit whatever order the
 * tenants reserve in (a single reservation time for the app would make a
 * slow tenant's far-away slot block everyone before it).
 */
static const char  teams_ratelimit_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "local a = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
    "local pen = tonumber(ARGV[4])\n"
    "if pen > 0 then\n"
    "  local u = now + pen\n"
    "  if u > a then redis.call('SET', KEYS[1], string.format('%d', u),"
    " 'PX', math.floor(pen / 1000) + 2000) end\n"
    "  return {0, 0}\n"
    "end\n"
    "local s = math.max(now, a)\n"
    "local maxw = tonumber(ARGV[3])\n"
    "if s - now > maxw then return {0, s - now} end\n"
    "local cap = tonumber(ARGV[2])\n"
    "if cap > 0 then\n"
    "  local bus = tonumber(ARGV[5])\n"
    "  local b = math.floor(s / bus)\n"
    "  while true do\n"
    "    local bs = b * bus\n"
    "    if bs > s then s = bs end\n"
    "    if s - now > maxw then return {0, s - now} end\n"
    "    local k = KEYS[2] .. ':' .. string.format('%d', b)\n"
    "    local c = tonumber(redis.call('GET', k) or '0')\n"
    "    if c < cap then\n"
    "      redis.call('INCR', k)\n"
    "      redis.call('PEXPIRE', k, math.floor((s - now) / 1000) + 5000)\n"
    "      break\n"
    "    end\n"
    "    b = b + 1\n"
    "  end\n"
    "end\n"
    "local ti = tonumber(ARGV[1])\n"
    "redis.call('SET', KEYS[1], string.format('%d', s + ti), 'PX',"
    " math.floor((s - now + ti) / 1000) + 2000)\n"
    "return {1, s - now}\n";


static int teams_ratelimit_eval(teams_ratelimit_t *rl,
    teams_redis_link_t *link, const char *kind, const char *app,
    const char *tenant, unsigned long long penalty_us, long long *res0,
    long long *res1);


void
teams_ratelimit_init(teams_ratelimit_t *rl, unsigned per_tenant_rps,
    unsigned per_app_rps, unsigned max_wait_ms)
{
    memset(rl, 0, sizeof(teams_ratelimit_t));

    rl->per_tenant_rps = per_tenant_rps;
    rl->per_app_rps = per_app_rps;
    rl->max_wait_ms = max_wait_ms;
}


unsigned long long
teams_ratelimit_interval_us(unsigned rps)
{
    if (rps == 0) {
        return 0;
    }

    return 1000000ULL * (100 + TEAMS_RL_MARGIN_PCT) / 100 / rps;
}


int
teams_ratelimit_reserve(teams_ratelimit_t *rl, teams_redis_link_t *link,
    const char *kind, const char *app, const char *tenant,
    unsigned *wait_ms)
{
    int        rc;
    long long  ok, w;

    rc = teams_ratelimit_eval(rl, link, kind, app, tenant, 0, &ok, &w);
    if (rc != 0) {
        return -1;
    }

    *wait_ms = (unsigned) ((w + 999) / 1000);

    return ok ? 1 : 0;
}


int
teams_ratelimit_penalize(teams_ratelimit_t *rl, teams_redis_link_t *link,
    const char *kind, const char *app, const char *tenant, unsigned delay_ms)
{
    long long  ok, w;

    if (delay_ms == 0) {
        return 0;
    }

    return teams_ratelimit_eval(rl, link, kind, app, tenant,
                                (unsigned long long) delay_ms * 1000, &ok,
                                &w);
}


static int
teams_ratelimit_eval(teams_ratelimit_t *rl, teams_redis_link_t *link,
    const char *kind, const char *app, const char *tenant,
    unsigned long long penalty_us, long long *res0, long long *res1)
{
    int          loaded;
    char         ktenant[300], kapp[200], ti[32], ai[32], mw[32], pen[32];
    char         bu[32];
    char         why[300];
    redisReply  *r;
    const char  *argv[11];

    snprintf(ktenant, sizeof(ktenant), "teams:rl:{%.64s}:%s:t:%.64s", app,
             kind, tenant);
    snprintf(kapp, sizeof(kapp), "teams:rl:{%.64s}:%s:app", app, kind);
    snprintf(ti, sizeof(ti), "%llu",
             teams_ratelimit_interval_us(rl->per_tenant_rps));
    snprintf(ai, sizeof(ai), "%u", rl->per_app_rps / TEAMS_RL_BUCKETS);
    snprintf(mw, sizeof(mw), "%llu",
             (unsigned long long) rl->max_wait_ms * 1000);
    snprintf(pen, sizeof(pen), "%llu", penalty_us);
    snprintf(bu, sizeof(bu), "%d", TEAMS_RL_BUCKET_MS * 1000);

    for (loaded = 0; loaded < 2; loaded++) {

        if (rl->sha[0] == '\0') {
            r = teams_redis_link_command(link, "SCRIPT LOAD %s",
                                         teams_ratelimit_lua);
            if (r == NULL) {
                return -1;
            }

            if (r->type != REDIS_REPLY_STRING) {
                snprintf(why, sizeof(why), "SCRIPT LOAD failed: %s",
                         r->type == REDIS_REPLY_ERROR ? r->str : "?");
                freeReplyObject(r);
                teams_redis_link_fail(link, why);
                return -1;
            }

            snprintf(rl->sha, sizeof(rl->sha), "%s", r->str);
            freeReplyObject(r);
        }

        argv[0] = "EVALSHA";
        argv[1] = rl->sha;
        argv[2] = "2";
        argv[3] = ktenant;
        argv[4] = kapp;
        argv[5] = ti;
        argv[6] = ai;
        argv[7] = mw;
        argv[8] = pen;
        argv[9] = bu;

        r = teams_redis_link_argv(link, 10, argv, NULL);
        if (r == NULL) {
            return -1;
        }

        if (r->type == REDIS_REPLY_ERROR
            && teams_redis_reply_is_error(r, "NOSCRIPT"))
        {
            /* Redis restarted or was flushed: load it again */
            freeReplyObject(r);
            rl->sha[0] = '\0';
            continue;
        }

        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
            || r->element[0]->type != REDIS_REPLY_INTEGER
            || r->element[1]->type != REDIS_REPLY_INTEGER)
        {
            snprintf(why, sizeof(why), "rate limit script failed: %s",
                     r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
            freeReplyObject(r);
            teams_redis_link_fail(link, why);
            return -1;
        }

        *res0 = r->element[0]->integer;
        *res1 = r->element[1]->integer;

        freeReplyObject(r);

        return 0;
    }

    teams_redis_link_fail(link, "rate limit script cannot be loaded");

    return -1;
}
