
/*
 * The caller's context: the PSA user's MSP permissions and the tenant's
 * Teams settings (allowed actions, enabled capabilities, app id), read by
 * one statement and cached per worker process for a short time, flushed
 * with the identity cache when the configuration version moves.  Reads
 * are gated on it and cards show only the buttons it allows; mutations
 * check their permission again in their own statement.
 */


#ifndef _NGX_TEAMS_CALLER_H_INCLUDED_
#define _NGX_TEAMS_CALLER_H_INCLUDED_


#include "ngx_teams_module.h"


typedef struct {
    unsigned                   found:1;        /* active user, integration */
    unsigned                   unavailable:1;  /* could not ask Postgres */
    const char *const         *perms;          /* "resource:action" */
    size_t                     nperms;
    const char *const         *allowed;
    size_t                     nallowed;
    const char *const         *caps;
    size_t                     ncaps;
    const char                *app_id;         /* NULL when unset */
    const char                *perms_array;    /* a text[] literal */
} ngx_teams_caller_t;


typedef void (*ngx_teams_caller_pt)(ngx_http_request_t *r, void *data);


ngx_int_t ngx_teams_caller_init_process(ngx_teams_main_conf_t *tmcf);
void ngx_teams_caller_exit_process(ngx_teams_main_conf_t *tmcf);
void ngx_teams_caller_flush(ngx_teams_main_conf_t *tmcf);

/*
 * Fills *c for the user of the tenant.  NGX_OK: filled now, from the
 * cache, and done is not called.  NGX_AGAIN: done(r, data) is called
 * once *c is filled.  NGX_ERROR: out of memory.
 */
ngx_int_t ngx_teams_caller_get(ngx_http_request_t *r, ngx_str_t *tenant,
    ngx_str_t *user_id, ngx_teams_caller_t *c, ngx_teams_caller_pt done,
    void *data);


#endif /* _NGX_TEAMS_CALLER_H_INCLUDED_ */
