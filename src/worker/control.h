
/*
 * The control plane: the teams:control stream consumer ("ping",
 * "refresh_keys" and, later, other commands) and the liveness key
 * teams:worker:alive:<consumer>.
 */


#ifndef _TEAMS_WORKER_CONTROL_H_INCLUDED_
#define _TEAMS_WORKER_CONTROL_H_INCLUDED_


#include "worker/stream.h"


#define TEAMS_CONTROL_STREAM     "teams:control"
#define TEAMS_CONTROL_PONG_TTL   60


teams_stream_rc_e teams_control_handler(teams_worker_t *wk,
    teams_stream_t *st, teams_stream_entry_t *entry);

/* SET teams:worker:alive:<consumer> <unix time> EX 30; -1 on link failure */
int teams_control_alive(teams_worker_t *wk);

/* DEL teams:worker:alive:<consumer>, on a clean stop */
void teams_control_gone(teams_worker_t *wk);


#endif /* _TEAMS_WORKER_CONTROL_H_INCLUDED_ */
