
/*
 * One hiredis async connection per worker process, on nginx events.
 *
 * A command's "done" callback is always called from an event handler, with
 * the reply or with NULL and cmd->error.  A command that outlives its
 * requester is abandoned (done set to NULL), never freed under hiredis.
 * The requester's pool may be NULL for commands of the process itself.
 */


#ifndef _NGX_TEAMS_REDIS_H_INCLUDED_
#define _NGX_TEAMS_REDIS_H_INCLUDED_


#include "ngx_teams_module.h"
#include <hiredis/hiredis.h>
#include <hiredis/async.h>


typedef struct ngx_teams_redis_cmd_s  ngx_teams_redis_cmd_t;

typedef void (*ngx_teams_redis_done_pt)(ngx_teams_redis_cmd_t *cmd,
    redisReply *reply);


struct ngx_teams_redis_cmd_s {
    ngx_teams_redis_done_pt    done;
    void                      *data;
    const char                *error;      /* when reply is NULL */

    /* private */
    ngx_teams_redis_link_t    *link;
    void                      *owner;      /* the requester's pool slot */
    ngx_event_t                event;      /* timeout or early failure */
    unsigned                   in_hiredis:1;
};


struct ngx_teams_redis_link_s {
    ngx_teams_redis_conf_t    *conf;
    ngx_log_t                 *log;
    redisAsyncContext         *ac;
    ngx_connection_t          *c;
    ngx_event_t                retry;
    ngx_msec_t                 backoff;
    unsigned                   connected:1;
    unsigned                   exiting:1;   /* no callbacks: see destroy */
    u_char                     last_error[256];
};


ngx_teams_redis_link_t *ngx_teams_redis_link_create(ngx_cycle_t *cycle,
    ngx_teams_redis_conf_t *conf);
void ngx_teams_redis_link_destroy(ngx_teams_redis_link_t *link);

ngx_teams_redis_cmd_t *ngx_teams_redis_command(ngx_teams_redis_link_t *link,
    ngx_pool_t *p, ngx_teams_redis_done_pt done, void *data, int argc,
    const char **argv, const size_t *argvlen);


#endif /* _NGX_TEAMS_REDIS_H_INCLUDED_ */
