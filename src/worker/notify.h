
/*
 * The notification sender: turns the Postgres outbox
 * (teams_notification_outbox, filled by the internal_notifications trigger
 * and POST /api/teams/notify) into Graph activity-feed notifications, and
 * records every outcome in teams_notification_deliveries.
 *
 * It runs in its own thread with its own Redis and PostgreSQL links, Graph
 * tokens (ms_token.h) and a libcurl multi handle, so the main loop's
 * blocking reads never delay it.  One pass of its loop:
 *
 *   pump     due outbox rows (pending, or "sending" whose lease ran out) ->
 *            XADD teams:notifications (fields: tenant, id = outbox row), rows
 *            marked "enqueued"; FOR UPDATE SKIP LOCKED: workers share the work
 *   read     XREADGROUP (group = the worker's group) up to the free
 *            concurrency; first the consumer's own pending entries
 *   claim    one statement: rows still pending/enqueued become "sending"
 *            with our lease (the per-delivery dedupe: an entry whose row is
 *            done or leased elsewhere is acknowledged without sending) and
 *            come back with what the skip rules need
 *   send     skip (recorded as skipped with its reason), or reserve a slot
 *            in the Redis rate limiter (ratelimit.h) and POST to Graph
 *   record   outcomes in one statement (deliveries upserted by idempotency
 *            key, outbox rows done or back to pending with their backoff),
 *            and only then XACK
 *   recover  XAUTOCLAIM entries idle longer than notify_claim_idle (a
 *            crashed consumer); when Redis lost the stream (its marker key
 *            is gone: flush, restart without persistence) every "enqueued"
 *            row is made pending again, and rows enqueued for longer than
 *            10 minutes are too
 */


#ifndef _TEAMS_WORKER_NOTIFY_H_INCLUDED_
#define _TEAMS_WORKER_NOTIFY_H_INCLUDED_


#include <signal.h>
#include <stddef.h>

#include "worker/config.h"


#define TEAMS_NOTIFY_STREAM       "teams:notifications"
#define TEAMS_NOTIFY_MARKER       "teams:notifications:marker"


/* checks one notify_* setting's value (called by config.c) */
int teams_notify_setting_check(const char *name, const char *value,
    char *err, size_t errlen);

/* starts the sender thread unless "notify = off"; 0 or -1 */
int teams_notify_start(teams_worker_conf_t *conf,
    volatile sig_atomic_t *stop);

/* waits for the thread (after *stop was set) */
void teams_notify_join(void);


#endif /* _TEAMS_WORKER_NOTIFY_H_INCLUDED_ */
