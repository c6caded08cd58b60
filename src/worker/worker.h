
/*
 * teams-worker: the process context shared by the main loop and the stream
 * consumers.
 */


#ifndef _TEAMS_WORKER_H_INCLUDED_
#define _TEAMS_WORKER_H_INCLUDED_


#include <signal.h>
#include <stdint.h>

#include "worker/config.h"
#include "worker/connector.h"
#include "worker/http.h"
#include "worker/keys.h"
#include "worker/ms_token.h"
#include "worker/pg_link.h"
#include "worker/redis_link.h"
#include "worker/stream.h"


#define TEAMS_WORKER_ALIVE_INTERVAL_MS  10000
#define TEAMS_WORKER_ALIVE_TTL          30
#define TEAMS_WORKER_PG_CHECK_MS        10000


struct teams_worker_s {
    teams_worker_conf_t    *conf;
    teams_redis_link_t      redis;
    teams_pg_link_t         pg;
    teams_http_t            http;
    teams_keys_t            keys;
    teams_ms_tokens_t      *ms_tokens;     /* Microsoft tokens, cached */
    teams_connector_t      *connector;     /* bot replies */

    teams_stream_t         *streams;
    unsigned                nstreams;

    unsigned                redis_generation;  /* streams set up for it */
    uint64_t                alive_next;
    uint64_t                pg_check_next;
    uint64_t                trim_next;         /* stream retention */

    volatile sig_atomic_t  *stop;
};


#endif /* _TEAMS_WORKER_H_INCLUDED_ */
