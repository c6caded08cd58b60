
/*
 * teams-worker: the side worker of ngx_teams_module.
 *
 * Reads its configuration, then loops: keeps the Redis and PostgreSQL links
 * up (reconnecting with backoff), refreshes its liveness key, fetches and
 * publishes the key sets when due and consumes the Redis streams
 * (teams:control for now) in its consumer group.
 * SIGTERM/SIGINT stop it after the entry in hand.
 */


#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker/config.h"
#include "worker/control.h"
#include "worker/log.h"
#include "worker/notify.h"
#include "worker/replies.h"
#include "worker/stream_trim.h"
#include "worker/worker.h"


static void teams_worker_signal(int signo);
static int teams_worker_signals(void);
static void teams_worker_run(teams_worker_t *wk);
static void teams_worker_wait(teams_worker_t *wk, uint64_t now);


static volatile sig_atomic_t  teams_worker_stop;


int
main(int argc, char **argv)
{
    char                 err[1024], host[256], consumer[256];
    teams_worker_t       wk;
    teams_worker_conf_t  conf;

    teams_stream_t  streams[] = {
        { TEAMS_CONTROL_STREAM, teams_control_handler, NULL, "0", 0, 0, 0 },
        { TEAMS_REPLIES_STREAM, teams_replies_handler, teams_replies_swept,
          "0", 0, 0, 0 },
    };

    teams_worker_conf_init(&conf);

    err[0] = '\0';

    if (teams_worker_conf_load(&conf, argc, argv, err, sizeof(err)) != 0) {
        fprintf(stderr, "teams-worker: %s\n", err);
        teams_worker_conf_free(&conf);
        return TEAMS_WORKER_EXIT_CONFIG;
    }

    if (conf.help) {
        teams_worker_usage(stdout);
        teams_worker_conf_free(&conf);
        return 0;
    }

    if (conf.consumer == NULL) {
        if (gethostname(host, sizeof(host)) != 0) {
            host[0] = '\0';
        }

        host[sizeof(host) - 1] = '\0';

        teams_worker_default_consumer(consumer, sizeof(consumer), host,
                                      (long) getpid());

        conf.consumer = strdup(consumer);
        if (conf.consumer == NULL) {
            fprintf(stderr, "teams-worker: out of memory\n");
            teams_worker_conf_free(&conf);
            return 1;
        }
    }

    teams_log_set_level(conf.log_level);

    if (conf.check_config) {
        fprintf(stderr, "teams-worker: configuration ok\n");
        teams_worker_conf_free(&conf);
        return 0;
    }

    if (teams_worker_signals() != 0) {
        teams_log_error("sigaction() failed: %s", strerror(errno));
        teams_worker_conf_free(&conf);
        return 1;
    }

    srandom((unsigned) time(NULL) ^ (unsigned) getpid());

    memset(&wk, 0, sizeof(teams_worker_t));

    if (teams_http_global_init() != 0
        || teams_http_init(&wk.http, conf.http_proxy, &teams_worker_stop)
           != 0)
    {
        teams_log_error("libcurl initialisation failed");
        teams_worker_conf_free(&conf);
        return 1;
    }

    teams_keys_init(&wk.keys, &conf);

    wk.conf = &conf;
    wk.ms_tokens = teams_ms_tokens_create(&wk);
    wk.connector = teams_connector_create(&wk);

    if (wk.ms_tokens == NULL || wk.connector == NULL) {
        teams_log_error("out of memory");
        teams_worker_conf_free(&conf);
        return 1;
    }

    wk.streams = streams;
    wk.nstreams = sizeof(streams) / sizeof(streams[0]);
    wk.stop = &teams_worker_stop;

    teams_redis_link_init(&wk.redis, &conf.redis_addr);
    teams_pg_link_init(&wk.pg, conf.postgres);

    teams_log_info("starting: consumer \"%s\", group \"%s\", redis %s, "
                   "log level %s", conf.consumer, conf.group, wk.redis.name,
                   teams_log_level_name(conf.log_level));

    /* the notification sender runs beside the loop, in its own thread */

    if (teams_notify_start(&conf, &teams_worker_stop) != 0) {
        teams_log_error("notify: cannot start the sender");
        teams_worker_conf_free(&conf);
        return 1;
    }

    teams_worker_run(&wk);

    teams_notify_join();

    teams_log_info("stopping");

    if (wk.redis.ctx != NULL) {
        teams_control_gone(&wk);
    }

    teams_redis_link_close(&wk.redis);
    teams_pg_link_close(&wk.pg);
    teams_ms_tokens_destroy(wk.ms_tokens);
    teams_connector_destroy(wk.connector);
    teams_http_free(&wk.http);
    teams_http_global_cleanup();

    teams_log_info("stopped");

    teams_worker_conf_free(&conf);

    return 0;
}


static void
teams_worker_run(teams_worker_t *wk)
{
    unsigned  pg_gen, alive_gen;
    uint64_t  now;

    pg_gen = 0;
    alive_gen = 0;

    while (!teams_worker_stop) {
        now = teams_now_ms();

        if (teams_pg_link_ready(&wk->pg, now)) {
            if (pg_gen != wk->pg.generation) {
                pg_gen = wk->pg.generation;
                wk->pg_check_next = now + TEAMS_WORKER_PG_CHECK_MS;

            } else if (now >= wk->pg_check_next) {
                wk->pg_check_next = now + TEAMS_WORKER_PG_CHECK_MS;
                (void) teams_pg_link_check(&wk->pg);
            }
        }

        if (teams_worker_stop) {
            break;
        }

        if (!teams_redis_link_ready(&wk->redis, now)) {
            teams_worker_wait(wk, now);
            continue;
        }

        if (alive_gen != wk->redis.generation || now >= wk->alive_next) {
            if (teams_control_alive(wk) != 0) {
                continue;
            }

            alive_gen = wk->redis.generation;
            wk->alive_next = now + TEAMS_WORKER_ALIVE_INTERVAL_MS;
        }

        /* key sets due (at start, then every keys_refresh_interval) */

        teams_keys_run(wk, now);

        if (teams_worker_stop || wk->redis.ctx == NULL) {
            continue;
        }

        /* blocks up to TEAMS_STREAM_BLOCK_MS: the loop's only wait */

        (void) teams_stream_poll(wk);

        if (now >= wk->trim_next && wk->redis.ctx != NULL) {
            wk->trim_next = now + TEAMS_STREAM_TRIM_INTERVAL_MS;
            (void) teams_stream_trim(wk);
        }
    }
}


static void
teams_worker_wait(teams_worker_t *wk, uint64_t now)
{
    uint64_t  next;

    /* Redis is down: sleep until the next reconnect attempt, at most 1s */

    next = wk->redis.backoff.next;

    if (wk->pg.conn == NULL && wk->pg.backoff.next < next) {
        next = wk->pg.backoff.next;
    }

    if (next > now + 1000) {
        next = now + 1000;
    }

    if (next < now + 10) {
        next = now + 10;
    }

    teams_sleep_ms((unsigned) (next - now));
}


static void
teams_worker_signal(int signo)
{
    teams_worker_stop = 1;
}


static int
teams_worker_signals(void)
{
    struct sigaction  sa;

    memset(&sa, 0, sizeof(struct sigaction));

    /* no SA_RESTART: a signal cuts sleeps short */

    sa.sa_handler = teams_worker_signal;
    sigemptyset(&sa.sa_mask);

    if (sigaction(SIGTERM, &sa, NULL) != 0
        || sigaction(SIGINT, &sa, NULL) != 0)
    {
        return -1;
    }

    sa.sa_handler = SIG_IGN;

    return sigaction(SIGPIPE, &sa, NULL);
}
