
/*
 * ngx_teams_module: Microsoft Teams surfaces of an MSP PSA, answered inline
 * on nginx's event loop.  This header is shared by the glue files only; the
 * plain C core under src/ never includes it.
 */


#ifndef _NGX_TEAMS_MODULE_H_INCLUDED_
#define _NGX_TEAMS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#include "core/teams_jw.h"


#define NGX_TEAMS_MODULE_VERSION       "0.1.0"

/* Microsoft has four Connector clouds; room for them and for wildcards */
#define NGX_TEAMS_MAX_CONNECTOR_HOSTS  16


typedef struct ngx_teams_pg_pool_s     ngx_teams_pg_pool_t;

typedef void (*ngx_teams_body_pt)(ngx_http_request_t *r, ngx_str_t *body);


/* one key set as this worker process holds it */
typedef struct {
    void                      *set;            /* teams_jwk_set_t */
    ngx_str_t                  file;           /* teams_jwks_file, or empty */
    time_t                     fetched_at;
    time_t                     refresh_requested;
} ngx_teams_keys_t;
typedef struct ngx_teams_redis_link_s  ngx_teams_redis_link_t;


typedef struct {
    ngx_str_t                  conninfo;
    ngx_str_t                  options;    /* the session's, NUL-ended */
    ngx_uint_t                 size;
    ngx_uint_t                 max_queue;
    ngx_msec_t                 queue_timeout;
    ngx_msec_t                 connect_timeout;
    ngx_msec_t                 query_timeout;
} ngx_teams_pg_conf_t;


typedef struct {
    ngx_str_t                  addr;       /* as written, for messages */
    ngx_str_t                  host;       /* numeric address, NUL-ended */
    ngx_str_t                  unix_path;  /* NUL-ended, or empty */
    int                        port;
    ngx_msec_t                 timeout;
} ngx_teams_redis_conf_t;


typedef struct {
    ngx_teams_pg_conf_t        pg;
    ngx_teams_redis_conf_t     redis;

    ngx_str_t                  public_url;
    ngx_str_t                  psa_base_url;
    ngx_str_t                  secret_key_file;
    u_char                     secret_key[32];
    unsigned                   secret_key_set:1;

    /* Bot Framework and Entra key sets; see ngx_teams_keys.c */
    ngx_teams_keys_t           keys[2];
    void                      *token_cache;     /* teams_token_cache_t */
    void                      *identity_cache;  /* teams_lru_t */
    void                      *caller_cache;    /* teams_lru_t */
    ngx_uint_t                 cache_flushes;   /* lookups started before
                                                   one are not cached */
    ngx_event_t                keys_poll;
    long long                  keys_version;
    long long                  config_version;

    ngx_str_t                  botframework_openid_url;
    ngx_str_t                  entra_openid_url;
    ngx_str_t                  token_endpoint;
    ngx_str_t                  graph_url;
    ngx_array_t               *connector_hosts;   /* of ngx_str_t */

    ngx_uint_t                 handlers_used;     /* any teams_* handler */
    ngx_uint_t                 status_used;
    ngx_str_t                  first_handler_file;
    ngx_uint_t                 first_handler_line;

    /* per worker process, set in init_process */
    ngx_teams_pg_pool_t       *pg_pool;
    ngx_teams_redis_link_t    *redis_link;
} ngx_teams_main_conf_t;


typedef enum {
    NGX_TEAMS_HANDLER_NONE = 0,
    NGX_TEAMS_HANDLER_STATUS,
    NGX_TEAMS_HANDLER_BOT,
    NGX_TEAMS_HANDLER_TAB,
    NGX_TEAMS_HANDLER_ADMIN,
    NGX_TEAMS_HANDLER_NOTIFY
} ngx_teams_handler_e;


typedef struct {
    ngx_teams_handler_e        handler;
    ngx_http_handler_pt        content;    /* run by ngx_teams_content() */
} ngx_teams_loc_conf_t;


/*
 * The module's per-request context: the body reader's continuation and a
 * slot for the surface handler's own state.
 */
typedef struct {
    ngx_teams_body_pt          body_handler;
    size_t                     body_max;
    void                      *surface;
    void                      *action;     /* ngx_teams_act_t, on the bot */
} ngx_teams_ctx_t;


extern ngx_module_t  ngx_teams_module;
extern ngx_command_t ngx_teams_commands[];


/* ngx_teams_directives.c */
void *ngx_teams_create_main_conf(ngx_conf_t *cf);
char *ngx_teams_init_main_conf(ngx_conf_t *cf, void *conf);
void *ngx_teams_create_loc_conf(ngx_conf_t *cf);
char *ngx_teams_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
ngx_int_t ngx_teams_check_conf(ngx_conf_t *cf);
ngx_int_t ngx_teams_read_small_file(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, ngx_str_t *out, struct stat *st);

/* content handlers, one file each */
ngx_int_t ngx_teams_status_handler(ngx_http_request_t *r);
ngx_int_t ngx_teams_bot_handler(ngx_http_request_t *r);
ngx_int_t ngx_teams_tab_handler(ngx_http_request_t *r);
ngx_int_t ngx_teams_admin_handler(ngx_http_request_t *r);
ngx_int_t ngx_teams_notify_handler(ngx_http_request_t *r);

/* ngx_teams_reply.c */
ngx_int_t ngx_teams_content(ngx_http_request_t *r);
void ngx_teams_body_continue(ngx_http_request_t *r, ngx_teams_body_pt handler,
    ngx_str_t *body);
ngx_int_t ngx_teams_send_json(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *json);
ngx_int_t ngx_teams_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message);
ngx_int_t ngx_teams_not_implemented(ngx_http_request_t *r);
void ngx_teams_finish(ngx_http_request_t *r, ngx_int_t rc);

/* ngx_teams_keys.c: per-process copies of the published key sets */
typedef enum {
    NGX_TEAMS_KEYS_BOTFRAMEWORK = 0,
    NGX_TEAMS_KEYS_ENTRA,
    NGX_TEAMS_KEYS_N
} ngx_teams_key_set_e;

ngx_uint_t ngx_teams_keys_count(ngx_teams_key_set_e set);
ngx_int_t ngx_teams_keys_init_process(ngx_cycle_t *cycle,
    ngx_teams_main_conf_t *tmcf);
void ngx_teams_keys_exit_process(ngx_teams_main_conf_t *tmcf);
void ngx_teams_keys_request_refresh(ngx_teams_main_conf_t *tmcf,
    ngx_teams_key_set_e set, const char *reason);
const char *ngx_teams_keys_name(ngx_teams_key_set_e set);
void ngx_teams_identity_flush(ngx_teams_main_conf_t *tmcf);
char *ngx_teams_keys_conf_file(ngx_conf_t *cf, ngx_teams_main_conf_t *tmcf,
    ngx_str_t *set, ngx_str_t *path);

/* ngx_teams_body.c */
ngx_int_t ngx_teams_read_body(ngx_http_request_t *r, size_t max,
    ngx_teams_body_pt handler);

/* ngx_teams_request.c */
ngx_teams_ctx_t *ngx_teams_ctx(ngx_http_request_t *r);
ngx_int_t ngx_teams_send_jw(ngx_http_request_t *r, ngx_uint_t status,
    teams_jw_t *w);
void ngx_teams_jw_init(ngx_http_request_t *r, teams_jw_t *w);


#endif /* _NGX_TEAMS_MODULE_H_INCLUDED_ */
