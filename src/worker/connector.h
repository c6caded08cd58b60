
/*
 * The Bot Connector client: where a bot activity may be sent, the URL it
 * goes to, one POST with a bot token, and the per-conversation pacing that
 * keeps the worker under Teams' per-thread limits.
 *
 * Host rule (the same as the module's teams_connector_hosts, one
 * implementation: teams_auth_service_url_allowed()): the serviceUrl is an
 * absolute URL whose host[:port] matches connector_hosts, and https unless
 * the host is a loopback address.  A bot token is never sent anywhere else.
 *
 * Pacing: Teams allows per bot per thread 7 sends in 1 s, 8 in 2 s and 60
 * in 30 s (teams-protocol §2); the worker keeps every window.  The state is
 * in this process; the interface (how long to wait before the next send to
 * a conversation, then "sent") is what a Redis-side counter shared by all
 * workers would implement too (ARCHITECTURE §8): only
 * teams_connector_pace_wait()/teams_connector_pace_sent() change.
 */


#ifndef _TEAMS_WORKER_CONNECTOR_H_INCLUDED_
#define _TEAMS_WORKER_CONNECTOR_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* the longest serviceUrl, conversation id and activity id accepted */
#define TEAMS_CONNECTOR_URL_MAX          2048
#define TEAMS_CONNECTOR_ID_MAX           512
/* conversations remembered for pacing; idle ones are dropped first */
#define TEAMS_CONNECTOR_PACE_MAX         10000
/* the longest window (60 in 30 s) bounds the history kept */
#define TEAMS_CONNECTOR_PACE_HISTORY     60
/* response bodies we read (ResourceResponse or ErrorResponse) */
#define TEAMS_CONNECTOR_BODY_MAX         (64 * 1024)


typedef struct teams_worker_s     teams_worker_t;
typedef struct teams_connector_s  teams_connector_t;


typedef enum {
    TEAMS_CONNECTOR_SENT = 0,        /* 2xx */
    TEAMS_CONNECTOR_ANSWERED,        /* another status: see status */
    TEAMS_CONNECTOR_TRANSPORT,       /* no answer (timeout, refused ...) */
    TEAMS_CONNECTOR_STOPPED          /* the worker is stopping */
} teams_connector_rc_e;


typedef struct {
    teams_connector_rc_e   rc;
    long                   status;       /* HTTP status, 0 if none */
    long                   retry_after;  /* seconds, -1 if none */
    char                   reason[256];  /* readable, for logs/records */
} teams_connector_result_t;


teams_connector_t *teams_connector_create(teams_worker_t *wk);
void teams_connector_destroy(teams_connector_t *c);

/* whether a serviceUrl may receive our bot token (see above) */
int teams_connector_allowed(teams_connector_t *c, const char *service_url);

/*
 * POSTs activity (JSON text) to url with "Authorization: Bearer token".
 * Blocking, up to the HTTP client's limits.
 */
void teams_connector_post(teams_connector_t *c, const char *url,
    const char *token, const char *activity, size_t len,
    teams_connector_result_t *res);

/* ms to wait before the next send to a conversation (0: now) */
unsigned teams_connector_pace_wait(teams_connector_t *c,
    const char *conversation, uint64_t now);
/* a send to the conversation happened at now (any answer counts) */
void teams_connector_pace_sent(teams_connector_t *c,
    const char *conversation, uint64_t now);


/* the pure parts, for tests */

/*
 * {service_url}v3/conversations/{conversation}/activities[/{reply_to}]
 * (a "/" is added after service_url when it lacks one; the ids are
 * percent-encoded as path segments).  NULL if good, else why not.
 */
const char *teams_connector_url(char *buf, size_t size,
    const char *service_url, const char *conversation, const char *reply_to);

/*
 * Whether the host list (blank/comma separated teams_host_check()
 * patterns) allows the serviceUrl.
 */
int teams_connector_hosts_allow(const char *list, const char *service_url);

/*
 * The pacing rule on a history of send times (ms, oldest first, n of
 * them): ms to wait at now so that no window is exceeded.
 */
unsigned teams_connector_pace_delay(const uint64_t *sent, size_t n,
    uint64_t now);

/* "code: message" of an ErrorResponse body, made printable, into buf */
const char *teams_connector_error_text(const char *body, size_t len,
    char *buf, size_t size);


#endif /* _TEAMS_WORKER_CONNECTOR_H_INCLUDED_ */
