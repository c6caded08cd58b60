
/*
 * Bot replies: the consumer of teams:replies (group teams-workers).
 *
 * The module answers Teams at once and queues the reply:
 *
 *     XADD teams:replies * tenant <PSA tenant> profile <profile id>
 *          service_url <serviceUrl> conversation <conversation id>
 *          reply_to <activity id or ""> activity <JSON of the activity>
 *          idempotency <unique per reply>
 *
 * and the worker POSTs the activity to
 * {service_url}v3/conversations/{conversation}/activities[/{reply_to}]
 * (adding "replyToId" to the body when it lacks one) with a bot token of
 * the profile (scope https://api.botframework.com/.default, ms_token.h).
 *
 * Outcomes (decided before the entry is acknowledged):
 *   - 2xx: sent; "teams:replies:sent:<tenant>:<idempotency>" is set for a
 *     day so that an entry delivered again (a crash between the POST and
 *     the XACK) is not posted twice;
 *   - 429, 412, 502/503/504 and other 5xx, timeouts and connection
 *     failures: retried with exponential backoff and jitter (0.5 s
 *     doubling up to 8 s, jittered into [d/2, d]) or after Retry-After
 *     (at most 30 s), up to 6 attempts within 60 s;
 *   - 401: the cached token is forgotten and the POST retried once with a
 *     new one;
 *   - any other answer (400, 403 MessageWritesBlocked, 404 ...), a
 *     malformed entry, a serviceUrl outside connector_hosts, or a profile
 *     without a usable token: not retried;
 * Every failure is logged (error, with a readable reason) and recorded in
 * the stream "teams:replies:failed" (capped near 10000 entries: fields
 * tenant, profile, conversation, idempotency, status, reason, attempts,
 * entry), then acknowledged: nothing is retried forever.
 *
 * Pacing: connector.h (Teams' per-conversation limits).  A reply that
 * has to wait (pacing, backoff) stays pending and is taken up again by a
 * sweep of our pending entries when it is due, so other conversations go
 * on meanwhile; replies behind it in its conversation wait with it, in
 * order.  The POST itself still holds the loop (the Connector's timeout).
 * On SIGTERM the waiting entries stay pending; the next start under the
 * same consumer name takes them up again.
 */


#ifndef _TEAMS_WORKER_REPLIES_H_INCLUDED_
#define _TEAMS_WORKER_REPLIES_H_INCLUDED_


#include <stddef.h>

#include "worker/connector.h"
#include "worker/stream.h"


#define TEAMS_REPLIES_STREAM          "teams:replies"
#define TEAMS_REPLIES_FAILED_STREAM   "teams:replies:failed"
#define TEAMS_REPLIES_FAILED_MAXLEN   "10000"
#define TEAMS_REPLIES_SENT_PREFIX     "teams:replies:sent:"
#define TEAMS_REPLIES_SENT_TTL        86400

#define TEAMS_REPLIES_MAX_ATTEMPTS    6
#define TEAMS_REPLIES_BUDGET_MS       60000
#define TEAMS_REPLIES_BACKOFF_MIN_MS  500
#define TEAMS_REPLIES_BACKOFF_MAX_MS  8000
#define TEAMS_REPLIES_RETRY_AFTER_MAX 30

#define TEAMS_REPLIES_ACTIVITY_MAX    (256 * 1024)
#define TEAMS_REPLIES_IDEM_MAX        200


typedef enum {
    TEAMS_REPLIES_DONE = 0,          /* sent */
    TEAMS_REPLIES_RETRY,             /* transient: back off, try again */
    TEAMS_REPLIES_NEW_TOKEN,         /* 401: forget the token, once */
    TEAMS_REPLIES_FAIL,              /* permanent */
    TEAMS_REPLIES_STOP               /* stopping: leave it pending */
} teams_replies_verdict_e;


/* the teams:replies stream handler */
teams_stream_rc_e teams_replies_handler(teams_worker_t *wk,
    teams_stream_t *st, teams_stream_entry_t *entry);
/* its end of a read of every pending entry */
void teams_replies_swept(teams_worker_t *wk, teams_stream_t *st);


/* the pure parts, for tests */

teams_replies_verdict_e teams_replies_classify(
    const teams_connector_result_t *res);

/*
 * The wait before attempt "attempt + 1" (attempt >= 1 failed so far):
 * Retry-After when given (bounded), else backoff jittered with rnd.
 */
unsigned teams_replies_delay(unsigned attempt, long retry_after,
    unsigned rnd);

/*
 * The body to POST: the activity as given, or with "replyToId" added when
 * reply_to is set and the activity has none.  Returns a malloc()ed
 * NUL-ended string and its length, or NULL with why (static).
 */
char *teams_replies_body(const char *activity, size_t len,
    const char *reply_to, size_t *out_len, const char **why);


#endif /* _TEAMS_WORKER_REPLIES_H_INCLUDED_ */
