
/*
 * The worker's Redis connection.
 */


#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "worker/log.h"
#include "worker/redis_link.h"


static void teams_redis_link_io_failed(teams_redis_link_t *link,
    const char *what);


void
teams_redis_link_init(teams_redis_link_t *link,
    const teams_redis_addr_t *addr)
{
    memset(link, 0, sizeof(teams_redis_link_t));

    link->addr = addr;

    if (addr->type == TEAMS_REDIS_UNIX) {
        snprintf(link->name, sizeof(link->name), "unix:%s", addr->path);

    } else if (strchr(addr->host, ':') != NULL) {
        snprintf(link->name, sizeof(link->name), "[%s]:%d", addr->host,
                 addr->port);

    } else {
        snprintf(link->name, sizeof(link->name), "%s:%d", addr->host,
                 addr->port);
    }

    teams_backoff_init(&link->backoff, TEAMS_BACKOFF_MIN_MS,
                       TEAMS_BACKOFF_MAX_MS);
}


int
teams_redis_link_ready(teams_redis_link_t *link, uint64_t now)
{
    char            err[256];
    unsigned        delay;
    redisContext   *c;
    struct timeval  tv;

    if (link->ctx != NULL) {
        return 1;
    }

    if (!teams_backoff_due(&link->backoff, now)) {
        return 0;
    }

    tv.tv_sec = TEAMS_REDIS_CONNECT_TIMEOUT_MS / 1000;
    tv.tv_usec = (TEAMS_REDIS_CONNECT_TIMEOUT_MS % 1000) * 1000;

    if (link->addr->type == TEAMS_REDIS_UNIX) {
        c = redisConnectUnixWithTimeout(link->addr->path, tv);

    } else {
        c = redisConnectWithTimeout(link->addr->host, link->addr->port, tv);
    }

    if (c != NULL && c->err == 0) {
        tv.tv_sec = TEAMS_REDIS_READ_TIMEOUT_MS / 1000;
        tv.tv_usec = (TEAMS_REDIS_READ_TIMEOUT_MS % 1000) * 1000;

        if (redisSetTimeout(c, tv) == REDIS_OK
            && redisEnableKeepAlive(c) == REDIS_OK)
        {
            link->ctx = c;
            link->generation++;

            teams_log_info("redis %s: connected%s", link->name,
                           link->backoff.failures ? " after retrying" : "");

            teams_backoff_reset(&link->backoff);
            return 1;
        }
    }

    snprintf(err, sizeof(err), "%s",
             c == NULL ? "out of memory" : (c->err ? c->errstr : "setup"));

    if (c != NULL) {
        redisFree(c);
    }

    delay = teams_backoff_failed(&link->backoff, now, (unsigned) random());

    teams_log_warn("redis %s: cannot connect: %s; retry %u in %u.%03us",
                   link->name, err, link->backoff.failures, delay / 1000,
                   delay % 1000);

    return 0;
}


redisReply *
teams_redis_link_command(teams_redis_link_t *link, const char *fmt, ...)
{
    void     *r;
    va_list   args;

    if (link->ctx == NULL) {
        return NULL;
    }

    va_start(args, fmt);
    r = redisvCommand(link->ctx, fmt, args);
    va_end(args);

    if (r == NULL) {
        teams_redis_link_io_failed(link, fmt);
    }

    return r;
}


redisReply *
teams_redis_link_argv(teams_redis_link_t *link, int argc, const char **argv,
    const size_t *argvlen)
{
    void  *r;

    if (link->ctx == NULL) {
        return NULL;
    }

    r = redisCommandArgv(link->ctx, argc, argv, argvlen);

    if (r == NULL) {
        teams_redis_link_io_failed(link, argv[0]);
    }

    return r;
}


void
teams_redis_link_fail(teams_redis_link_t *link, const char *why)
{
    unsigned  delay;

    teams_redis_link_close(link);

    delay = teams_backoff_failed(&link->backoff, teams_now_ms(),
                                 (unsigned) random());

    teams_log_warn("redis %s: %s; reconnecting in %u.%03us", link->name, why,
                   delay / 1000, delay % 1000);
}


void
teams_redis_link_close(teams_redis_link_t *link)
{
    if (link->ctx != NULL) {
        redisFree(link->ctx);
        link->ctx = NULL;
    }
}


int
teams_redis_reply_is_error(redisReply *r, const char *prefix)
{
    size_t  n;

    if (r == NULL || r->type != REDIS_REPLY_ERROR) {
        return 0;
    }

    if (prefix == NULL) {
        return 1;
    }

    n = strlen(prefix);

    return r->len >= n && strncmp(r->str, prefix, n) == 0;
}


static void
teams_redis_link_io_failed(teams_redis_link_t *link, const char *what)
{
    char  why[300];
    int   n;

    n = (int) strcspn(what, " ");

    snprintf(why, sizeof(why), "%.*s failed: %s", n, what,
             link->ctx->errstr[0] ? link->ctx->errstr : "connection lost");

    teams_redis_link_fail(link, why);
}
