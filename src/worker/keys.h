
/*
 * Key sets: the worker fetches the OpenID metadata of the Bot Framework and
 * of Entra ID, then the JWKS its jwks_uri names, checks it with
 * teams_jwk_set_parse() and publishes it for the nginx module:
 *
 *     MULTI
 *     SET  teams:keys:<set>             <the JWKS text as fetched>
 *     SET  teams:keys:<set>:fetched_at  <unix seconds>
 *     INCR teams:keys:version
 *     EXEC
 *
 * When: once Redis is up at start, then every keys_refresh_interval, and on
 * a teams:control entry "type refresh_keys set botframework|entra|all" at
 * most once a minute per set across all workers
 * (SET teams:keys:<set>:refresh_lock 1 NX EX 60).  A failed fetch or a bad
 * set never replaces the published one: it is logged with the set and the
 * reason and retried with backoff (10 s doubling up to 15 min, never later
 * than the refresh interval).
 *
 * jwks_uri must be an http(s) URL on the same host[:port] as the metadata
 * URL (or on a host listed in jwks_allowed_hosts), and https when the
 * metadata URL is https.
 */


#ifndef _TEAMS_WORKER_KEYS_H_INCLUDED_
#define _TEAMS_WORKER_KEYS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "worker/backoff.h"
#include "worker/config.h"
#include "worker/stream.h"


#define TEAMS_KEYS_NSETS            2
#define TEAMS_KEYS_LOCK_TTL         60
#define TEAMS_KEYS_RETRY_MIN_MS     10000
#define TEAMS_KEYS_RETRY_MAX_MS     (15 * 60 * 1000)
#define TEAMS_KEYS_METADATA_MAX     (64 * 1024)
#define TEAMS_KEYS_URI_MAX          2048
#define TEAMS_KEYS_METADATA_DEPTH   8

#define TEAMS_KEYS_VERSION_KEY      "teams:keys:version"


typedef struct {
    const char        *name;        /* "botframework", "entra" */
    const char        *url;         /* OpenID metadata; NULL: off */
    uint64_t           next;        /* teams_now_ms() of the next fetch */
    teams_backoff_t    backoff;
} teams_keys_set_t;


typedef struct {
    teams_keys_set_t   sets[TEAMS_KEYS_NSETS];
    unsigned           interval;     /* seconds */
    const char        *allowed_hosts;
    unsigned           started:1;
} teams_keys_t;


typedef enum {
    TEAMS_KEYS_PUBLISHED = 0,
    TEAMS_KEYS_FAILED,               /* logged; retried with backoff */
    TEAMS_KEYS_LINK_DOWN             /* Redis failed: retried later */
} teams_keys_rc_e;


void teams_keys_init(teams_keys_t *keys, teams_worker_conf_t *conf);

/* Fetches the sets that are due, with Redis up; one set per call. */
void teams_keys_run(teams_worker_t *wk, uint64_t now);

/* Fetches and publishes one set now. */
teams_keys_rc_e teams_keys_refresh(teams_worker_t *wk, teams_keys_set_t *set);

/* The teams:control handler of type "refresh_keys". */
teams_stream_rc_e teams_keys_control(teams_worker_t *wk,
    teams_stream_entry_t *entry);

/*
 * The pure parts, for tests.  Each returns NULL if good, else a static
 * reason.
 *
 * teams_keys_jwks_uri() parses OpenID metadata and copies its jwks_uri,
 * checked with teams_keys_uri_check(), into uri (size bytes).
 */
const char *teams_keys_jwks_uri(const char *meta_url, const char *json,
    size_t len, const char *allowed_hosts, char *uri, size_t size);
const char *teams_keys_uri_check(const char *meta_url, const char *uri,
    size_t len, const char *allowed_hosts);
int teams_keys_hosts_match(const char *list, const char *host, size_t hlen);


#endif /* _TEAMS_WORKER_KEYS_H_INCLUDED_ */
