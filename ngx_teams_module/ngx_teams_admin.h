
/*
 * The admin API's shared state: the per-request context, the framework
 * (ngx_teams_admin.c: authentication, routing, audit of refusals, answers)
 * and the operations (ngx_teams_admin_ops.c).
 */


#ifndef _NGX_TEAMS_ADMIN_H_INCLUDED_
#define _NGX_TEAMS_ADMIN_H_INCLUDED_


#include "ngx_teams_module.h"
#include "ngx_teams_apikey.h"
#include "ngx_teams_pg.h"

#include "core/teams_json.h"
#include "psa/teams_admin.h"


#define NGX_TEAMS_HTTP_UNPROCESSABLE  422

#define NGX_TEAMS_ADMIN_MAX_BODY    65536
#define NGX_TEAMS_ADMIN_MAX_PARAMS  16
#define NGX_TEAMS_ADMIN_MAX_FIELDS  8
#define NGX_TEAMS_ADMIN_SET_TEXT    256

/* "$1".."$5" of every statement */
#define NGX_TEAMS_ADMIN_COMMON      5


typedef struct ngx_teams_admin_ctx_s  ngx_teams_admin_ctx_t;

typedef void (*ngx_teams_admin_res_pt)(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);


struct ngx_teams_admin_ctx_s {
    ngx_http_request_t        *request;
    ngx_teams_main_conf_t     *tmcf;

    teams_admin_route_t        route;
    unsigned                   method;
    char                       method_name[8];

    teams_json_t              *json;

    char                       tenant[NGX_TEAMS_UUID_LEN + 1];
    char                       actor[NGX_TEAMS_UUID_LEN + 1];
    char                       api_key_id[NGX_TEAMS_UUID_LEN + 1];
    unsigned                   tenant_known:1;

    /* for the failure audit row */
    const char                *target_type;
    const char                *target_id;

    /* $1 tenant, $2 actor, $3 API key id, $4 method, $5 route, $6.. */
    const char                *params[NGX_TEAMS_ADMIN_MAX_PARAMS];
    ngx_teams_pg_query_t      *q;
    ngx_teams_admin_res_pt     handler;

    /* a 422's field errors */
    ngx_uint_t                 nfields;
    const char                *field_name[NGX_TEAMS_ADMIN_MAX_FIELDS];
    const char                *field_msg[NGX_TEAMS_ADMIN_MAX_FIELDS];

    /* the answer waiting for its failure audit row */
    ngx_uint_t                 status;
    ngx_str_t                  answer;

    /* operation scratch */
    char                       id[NGX_TEAMS_UUID_LEN + 1];
    char                      *envelope;
    char                       set_text[3][NGX_TEAMS_ADMIN_SET_TEXT];
    char                      *strs[6];
};


/* ngx_teams_admin.c */
void ngx_teams_admin_run(ngx_teams_admin_ctx_t *ctx, const char *sql,
    int nparams, ngx_teams_admin_res_pt handler);
void ngx_teams_admin_fail(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    const char *code, const char *message);
void ngx_teams_admin_fail_jw(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    teams_jw_t *w);
void ngx_teams_admin_field(ngx_teams_admin_ctx_t *ctx, const char *name,
    const char *message);
void ngx_teams_admin_fail_fields(ngx_teams_admin_ctx_t *ctx);
void ngx_teams_admin_reply(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    teams_jw_t *w);
void ngx_teams_admin_not_found(ngx_teams_admin_ctx_t *ctx);
char *ngx_teams_admin_strdup(ngx_teams_admin_ctx_t *ctx, const char *s,
    size_t len);
char *ngx_teams_admin_encrypt(ngx_teams_admin_ctx_t *ctx,
    const char *profile_id, const teams_json_t *secret);
void ngx_teams_admin_secret_json(ngx_teams_admin_ctx_t *ctx, teams_jw_t *w,
    const char *profile_id, const char *envelope);
int ngx_teams_admin_secret_usable(ngx_teams_admin_ctx_t *ctx,
    const char *profile_id, const char *envelope, const char **why);
ngx_int_t ngx_teams_admin_new_uuid(char *out);

/* ngx_teams_admin_ops.c */
void ngx_teams_admin_dispatch(ngx_teams_admin_ctx_t *ctx);

/* ngx_teams_admin_deliveries.c */
void ngx_teams_admin_deliveries(ngx_teams_admin_ctx_t *ctx);


#endif /* _NGX_TEAMS_ADMIN_H_INCLUDED_ */
