
/*
 * The optional worker role "notify_events" (off by default; on only when
 * no PSA does it, as in the stand-alone demo): the PSA's domain events of
 * the five notification categories become internal_notifications rows
 * (teams_notify_from_event() in sql/migrations/0031), which the trigger
 * then turns into Teams deliveries.
 *
 * Its own thread and links; consumer group TEAMS_EVENTS_GROUP on each
 * alga-psa:event-stream:global:<TYPE> stream (created at "$": events from
 * before the role first ran are not replayed); each entry's field "event"
 * is the JSON envelope {id, eventType, timestamp, payload:{tenantId, ..}}.
 * An entry is acknowledged only after its rows are committed; a redelivery
 * inserts nothing twice (row ids derive from the event id).
 */


#ifndef _TEAMS_WORKER_NOTIFY_EVENTS_H_INCLUDED_
#define _TEAMS_WORKER_NOTIFY_EVENTS_H_INCLUDED_


#include <signal.h>

#include "worker/config.h"


#define TEAMS_EVENTS_GROUP    "teams-notify-events"
#define TEAMS_EVENTS_PREFIX   "alga-psa:event-stream:global:"


int teams_notify_events_start(teams_worker_conf_t *conf,
    volatile sig_atomic_t *stop);
void teams_notify_events_join(void);


#endif /* _TEAMS_WORKER_NOTIFY_EVENTS_H_INCLUDED_ */
