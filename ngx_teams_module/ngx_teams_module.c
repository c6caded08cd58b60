
/*
 * ngx_teams_module: module definition and per-worker lifecycle.  The
 * PostgreSQL pool and the Redis link are made per worker process in
 * init_process, so the master never holds a backend connection.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_pg.h"
#include "ngx_teams_redis.h"
#include "ngx_teams_identity.h"
#include "ngx_teams_caller.h"


static ngx_int_t ngx_teams_postconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_teams_init_process(ngx_cycle_t *cycle);
static void ngx_teams_exit_process(ngx_cycle_t *cycle);


static ngx_http_module_t  ngx_teams_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_teams_postconfiguration,           /* postconfiguration */

    ngx_teams_create_main_conf,            /* create main configuration */
    ngx_teams_init_main_conf,              /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_teams_create_loc_conf,             /* create location configuration */
    ngx_teams_merge_loc_conf               /* merge location configuration */
};


ngx_module_t  ngx_teams_module = {
    NGX_MODULE_V1,
    &ngx_teams_module_ctx,                 /* module context */
    ngx_teams_commands,                    /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_teams_init_process,                /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_teams_exit_process,                /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_teams_postconfiguration(ngx_conf_t *cf)
{
    return ngx_teams_check_conf(cf);
}


static ngx_int_t
ngx_teams_init_process(ngx_cycle_t *cycle)
{
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_teams_module);

    if (tmcf == NULL) {
        return NGX_OK;
    }

    if (tmcf->pg.conninfo.len) {
        tmcf->pg_pool = ngx_teams_pg_pool_create(cycle, &tmcf->pg);
        if (tmcf->pg_pool == NULL) {
            return NGX_ERROR;
        }
    }

    if (tmcf->redis.addr.len) {
        tmcf->redis_link = ngx_teams_redis_link_create(cycle, &tmcf->redis);
        if (tmcf->redis_link == NULL) {
            return NGX_ERROR;
        }
    }

    if (ngx_teams_keys_init_process(cycle, tmcf) != NGX_OK
        || ngx_teams_identity_init_process(cycle, tmcf) != NGX_OK
        || ngx_teams_caller_init_process(tmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_teams_exit_process(ngx_cycle_t *cycle)
{
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_teams_module);

    if (tmcf == NULL) {
        return;
    }

    ngx_teams_keys_exit_process(tmcf);
    ngx_teams_identity_exit_process(tmcf);
    ngx_teams_caller_exit_process(tmcf);

    if (tmcf->pg_pool != NULL) {
        ngx_teams_pg_pool_destroy(tmcf->pg_pool);
        tmcf->pg_pool = NULL;
    }

    if (tmcf->redis_link != NULL) {
        ngx_teams_redis_link_destroy(tmcf->redis_link);
        tmcf->redis_link = NULL;
    }
}
