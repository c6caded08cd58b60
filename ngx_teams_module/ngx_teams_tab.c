
/*
 * POST /api/teams/tab/session (teams_tab): the personal tab's Entra SSO
 * token in, the caller's PSA tenant and user out.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_identity.h"
#include "core/teams_url.h"
#include "teams/teams_auth.h"


typedef struct {
    ngx_teams_token_t          token;
    ngx_teams_identity_t       id;
    ngx_str_t                  ms_tenant;
    ngx_str_t                  oid;
} ngx_teams_tab_ctx_t;


static void ngx_teams_tab_identified(ngx_http_request_t *r,
    ngx_teams_identity_t *id);
static ngx_int_t ngx_teams_tab_answer(ngx_http_request_t *r,
    ngx_teams_tab_ctx_t *tab);


ngx_int_t
ngx_teams_tab_handler(ngx_http_request_t *r)
{
    size_t                  hlen;
    ngx_int_t               rc;
    ngx_str_t               client_id;
    const char             *host;
    teams_str_t             app;
    teams_auth_e            arc;
    ngx_teams_ctx_t        *ctx;
    ngx_teams_tab_ctx_t    *tab;
    ngx_teams_main_conf_t  *tmcf;

    if (r->method != NGX_HTTP_POST) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx = ngx_teams_ctx(r);
    tab = ngx_pcalloc(r->pool, sizeof(ngx_teams_tab_ctx_t));
    if (ctx == NULL || tab == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->surface = tab;
    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    rc = ngx_teams_verify_bearer(r, NGX_TEAMS_KEYS_ENTRA, &tab->token);
    if (rc != NGX_OK) {
        return ngx_teams_token_refuse(r, rc, &tab->token);
    }

    host = "";
    hlen = 0;

    if (tmcf->public_url.len) {
        (void) teams_url_host((const char *) tmcf->public_url.data,
                              tmcf->public_url.len, &host, &hlen);
    }

    arc = teams_auth_entra(&tab->token.claims, host, hlen, &app,
                           &tab->token.reason);

    if (arc != TEAMS_AUTH_OK) {
        tab->token.code = teams_auth_code(arc);
        return ngx_teams_token_refuse(r, teams_auth_http_status(arc),
                                      &tab->token);
    }

    client_id.data = (u_char *) app.str;
    client_id.len = app.len;
    tab->ms_tenant.data = (u_char *) tab->token.claims.tid;
    tab->ms_tenant.len = ngx_strlen(tab->token.claims.tid);
    tab->oid.data = (u_char *) tab->token.claims.oid;
    tab->oid.len = ngx_strlen(tab->token.claims.oid);

    rc = ngx_teams_identity_resolve(r, &client_id, &tab->ms_tenant, &tab->oid,
                                    &tab->id, ngx_teams_tab_identified);

    if (rc == NGX_AGAIN) {
        r->main->count++;
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_teams_tab_answer(r, tab);
}


static void
ngx_teams_tab_identified(ngx_http_request_t *r, ngx_teams_identity_t *id)
{
    ngx_teams_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_teams_module);

    ngx_teams_finish(r, ngx_teams_tab_answer(r, ctx->surface));
}


static ngx_int_t
ngx_teams_tab_answer(ngx_http_request_t *r, ngx_teams_tab_ctx_t *tab)
{
    teams_jw_t       w;
    teams_claims_t  *c;

    if (tab->id.unavailable || tab->id.outcome != TEAMS_ID_OK) {
        return ngx_teams_identity_refuse(r, &tab->id);
    }

    c = &tab->token.claims;

    ngx_teams_jw_init(r, &w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "tenant", (const char *) tab->id.tenant.data);
    teams_jw_kstr(&w, "user_id", (const char *) tab->id.user_id.data);
    teams_jw_kstr(&w, "profile_id", (const char *) tab->id.profile_id.data);
    teams_jw_kstr(&w, "microsoft_tenant_id", c->tid);
    teams_jw_kstr(&w, "aad_object_id", c->oid);
    teams_jw_kstr(&w, "name", c->name);
    teams_jw_kstr(&w, "username",
                  c->preferred_username ? c->preferred_username : c->upn);
    teams_jw_end(&w);

    return ngx_teams_send_jw(r, NGX_HTTP_OK, &w);
}
