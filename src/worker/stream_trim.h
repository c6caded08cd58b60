
/*
 * Retention of the streams the worker consumes (teams:replies,
 * teams:control).  nginx adds entries and nothing else removes them, so
 * every TEAMS_STREAM_TRIM_INTERVAL_MS the worker trims the entries that
 * every group on the stream has acknowledged and that are older than
 * TEAMS_STREAM_RETAIN_MS (kept that long for operators to look at).  An
 * entry some group has not read or not acknowledged is never trimmed, so
 * a stale group only holds trimming back.
 */


#ifndef _TEAMS_WORKER_STREAM_TRIM_H_INCLUDED_
#define _TEAMS_WORKER_STREAM_TRIM_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define TEAMS_STREAM_RETAIN_MS         (3600 * 1000)
#define TEAMS_STREAM_TRIM_INTERVAL_MS  (60 * 1000)


typedef struct teams_worker_s  teams_worker_t;


typedef struct {
    uint64_t   ms;
    uint64_t   seq;
} teams_stream_id_t;


/* what one group still needs: its oldest pending entry, else its position */
typedef struct {
    unsigned            pending:1;
    teams_stream_id_t   oldest_pending;
    teams_stream_id_t   last_delivered;
} teams_stream_group_t;


/* trims every consumed stream; -1 if the Redis link failed */
int teams_stream_trim(teams_worker_t *wk);


/* the pure parts, for tests */

/* "<ms>-<seq>" (or "<ms>", seq 0) of len bytes; -1 when malformed */
int teams_stream_id_parse(const char *s, size_t len, teams_stream_id_t *id);

int teams_stream_id_cmp(const teams_stream_id_t *a,
    const teams_stream_id_t *b);

/*
 * The MINID to trim to (entries below it go): the oldest entry any of the
 * n groups still needs, and nothing newer than now_ms - retain_ms.
 * Returns 0 when nothing may go (no group, or the bound is 0-0).
 */
int teams_stream_trim_bound(const teams_stream_group_t *groups, size_t n,
    uint64_t now_ms, uint64_t retain_ms, teams_stream_id_t *minid);


#endif /* _TEAMS_WORKER_STREAM_TRIM_H_INCLUDED_ */
