
/*
 * Redis stream consumers: each consumer names a stream and a handler; the
 * worker reads all of them with one XREADGROUP in its group, first its own
 * pending entries (left by an earlier run under the same consumer name),
 * then new ones, and acknowledges an entry once its handler says so.
 */


#ifndef _TEAMS_WORKER_STREAM_H_INCLUDED_
#define _TEAMS_WORKER_STREAM_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>


#define TEAMS_STREAM_COUNT     10
#define TEAMS_STREAM_BLOCK_MS  1000


typedef struct teams_worker_s  teams_worker_t;
typedef struct teams_stream_s  teams_stream_t;


/* one stream entry: id and field/value pairs (not NUL-terminated) */
typedef struct {
    const char   *id;
    size_t        nfields;
    redisReply  **fields;      /* 2 * nfields replies: name, value, ... */
} teams_stream_entry_t;


typedef enum {
    TEAMS_STREAM_ACK = 0,      /* done: XACK it */
    TEAMS_STREAM_KEEP          /* leave it pending, to be retried/claimed */
} teams_stream_rc_e;


typedef teams_stream_rc_e (*teams_stream_handler_pt)(teams_worker_t *wk,
    teams_stream_t *st, teams_stream_entry_t *entry);


typedef void (*teams_stream_swept_pt)(teams_worker_t *wk,
    teams_stream_t *st);


struct teams_stream_s {
    const char               *name;
    teams_stream_handler_pt   handler;
    teams_stream_swept_pt     swept;     /* every pending entry read, or NULL */
    char                      pending_id[48];   /* own pending, read from */
    uint64_t                  sweep_at;         /* see teams_stream_sweep */
    unsigned                  group_ready:1;
    unsigned                  pending_done:1;
};


/*
 * Ensures the groups exist, reads once (blocking up to
 * TEAMS_STREAM_BLOCK_MS) and dispatches.  Returns -1 if the Redis link
 * failed (it is then closed and scheduled for reconnect).
 */
int teams_stream_poll(teams_worker_t *wk);

/*
 * Reads the consumer's own pending entries of the stream again, in order,
 * once teams_now_ms() reaches at: a handler that left an entry pending to
 * come back to it later (KEEP) asks for this instead of waiting.
 */
void teams_stream_sweep(teams_stream_t *st, uint64_t at);

/* the value of field "name" in an entry, or NULL */
redisReply *teams_stream_field(teams_stream_entry_t *entry, const char *name);
int teams_stream_field_is(teams_stream_entry_t *entry, const char *name,
    const char *value);


#endif /* _TEAMS_WORKER_STREAM_H_INCLUDED_ */
