
/*
 * Per-request helpers shared by the surfaces: the module context and JSON
 * written with the core's writer into the request pool.
 */


#include "ngx_teams_module.h"


static void *ngx_teams_jw_palloc(void *ctx, size_t size);


ngx_teams_ctx_t *
ngx_teams_ctx(ngx_http_request_t *r)
{
    ngx_teams_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_teams_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_teams_module);
    }

    return ctx;
}


void
ngx_teams_jw_init(ngx_http_request_t *r, teams_jw_t *w)
{
    teams_jw_init(w, ngx_teams_jw_palloc, r->pool);
}


static void *
ngx_teams_jw_palloc(void *ctx, size_t size)
{
    /* outgrown blocks stay in the pool until the request ends */
    return ngx_pnalloc((ngx_pool_t *) ctx, size);
}


ngx_int_t
ngx_teams_send_jw(ngx_http_request_t *r, ngx_uint_t status, teams_jw_t *w)
{
    size_t       len;
    ngx_str_t    json;
    const char  *text;

    text = teams_jw_finish(w, &len);
    if (text == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "teams: could not build a JSON answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json.data = (u_char *) text;
    json.len = len;

    return ngx_teams_send_json(r, status, &json);
}
