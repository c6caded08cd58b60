
/*
 * POST /api/teams/messages (teams_bot): the Bot Framework endpoint of the
 * bot, the message extension and card actions.  Nothing in the body is
 * acted on before the token is verified: the token is checked before the
 * body is even read, then against the activity (serviceUrl, endorsements),
 * then the caller is resolved to a PSA tenant and MSP user.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_identity.h"
#include "ngx_teams_action.h"
#include "teams/teams_activity.h"
#include "teams/teams_auth.h"


typedef struct {
    ngx_teams_token_t          token;
    teams_activity_t           activity;
    ngx_teams_identity_t       id;
} ngx_teams_bot_ctx_t;


static void ngx_teams_bot_body(ngx_http_request_t *r, ngx_str_t *body);
static void ngx_teams_bot_activity_cleanup(void *data);
static void ngx_teams_bot_identified(ngx_http_request_t *r,
    ngx_teams_identity_t *id);
static ngx_int_t ngx_teams_bot_answer(ngx_http_request_t *r,
    ngx_teams_bot_ctx_t *bot);


static ngx_str_t  ngx_teams_bot_empty = ngx_string("{}");


ngx_int_t
ngx_teams_bot_handler(ngx_http_request_t *r)
{
    ngx_int_t             rc;
    ngx_teams_ctx_t      *ctx;
    ngx_teams_bot_ctx_t  *bot;

    if (r->method != NGX_HTTP_POST) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    ctx = ngx_teams_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    bot = ngx_pcalloc(r->pool, sizeof(ngx_teams_bot_ctx_t));
    if (bot == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->surface = bot;

    rc = ngx_teams_verify_bearer(r, NGX_TEAMS_KEYS_BOTFRAMEWORK, &bot->token);

    if (rc != NGX_OK) {
        return ngx_teams_token_refuse(r, rc, &bot->token);
    }

    return ngx_teams_read_body(r, TEAMS_ACTIVITY_MAX_SIZE, ngx_teams_bot_body);
}


static void
ngx_teams_bot_body(ngx_http_request_t *r, ngx_str_t *body)
{
    ngx_int_t               rc;
    ngx_str_t               client_id, ms_tenant, oid;
    const char             *err;
    teams_str_t             hosts[NGX_TEAMS_MAX_CONNECTOR_HOSTS];
    ngx_str_t              *host;
    ngx_uint_t              i, n;
    teams_auth_e            arc;
    ngx_teams_ctx_t        *ctx;
    const teams_jwk_t      *key;
    teams_activity_t       *a;
    ngx_pool_cleanup_t     *cln;
    ngx_teams_bot_ctx_t    *bot;
    ngx_teams_main_conf_t  *tmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_teams_module);
    bot = ctx->surface;
    a = &bot->activity;
    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (teams_activity_parse(a, (const char *) body->data, body->len, &err)
        != 0)
    {
        ngx_http_finalize_request(r,
            ngx_teams_send_error(r, NGX_HTTP_BAD_REQUEST, "invalid_activity",
                                 err));
        return;
    }

    cln->handler = ngx_teams_bot_activity_cleanup;
    cln->data = a;

    host = tmcf->connector_hosts->elts;
    n = tmcf->connector_hosts->nelts;

    for (i = 0; i < n; i++) {
        hosts[i].str = (const char *) host[i].data;
        hosts[i].len = host[i].len;
    }

    key = ngx_teams_token_key(r, &bot->token);

    if (key == NULL) {
        bot->token.reason = "the key that signed the token was withdrawn "
                            "while the request was read";
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "teams bot: refused: %s", bot->token.reason);
        ngx_http_finalize_request(r,
            ngx_teams_token_refuse(r, NGX_HTTP_UNAUTHORIZED, &bot->token));
        return;
    }

    arc = teams_auth_botframework(&bot->token.claims, key, a, hosts, n,
                                  &bot->token.reason);

    if (arc != TEAMS_AUTH_OK) {
        bot->token.code = teams_auth_code(arc);

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "teams bot: refused: %s", bot->token.reason);

        ngx_http_finalize_request(r,
            ngx_teams_token_refuse(r, teams_auth_http_status(arc),
                                   &bot->token));
        return;
    }

    client_id.data = (u_char *) bot->token.claims.aud[0];
    client_id.len = ngx_strlen(client_id.data);
    ms_tenant.data = (u_char *) a->tenant_id.str;
    ms_tenant.len = a->tenant_id.len;
    oid.data = (u_char *) a->from_aad_object_id.str;
    oid.len = a->from_aad_object_id.len;

    rc = ngx_teams_identity_resolve(r, &client_id, &ms_tenant, &oid,
                                    &bot->id, ngx_teams_bot_identified);

    if (rc == NGX_AGAIN) {
        return;
    }

    if (rc == NGX_ERROR) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_teams_bot_answer(r, bot);

    /* NGX_DONE: the action glue finishes the request itself */
    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


static void
ngx_teams_bot_activity_cleanup(void *data)
{
    teams_activity_free(data);
}


static void
ngx_teams_bot_identified(ngx_http_request_t *r, ngx_teams_identity_t *id)
{
    ngx_int_t         rc;
    ngx_teams_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_teams_module);

    rc = ngx_teams_bot_answer(r, ctx->surface);

    if (rc != NGX_DONE) {
        ngx_teams_finish(r, rc);
    }
}


static ngx_int_t
ngx_teams_bot_answer(ngx_http_request_t *r, ngx_teams_bot_ctx_t *bot)
{
    if (bot->id.unavailable || bot->id.outcome != TEAMS_ID_OK) {
        return ngx_teams_identity_refuse(r, &bot->id);
    }

    /*
     * typing, reactions and the like ask nothing of us: answered here,
     * before the action layer sets anything up
     */
    if (!teams_str_eq(&bot->activity.type, "message")
        && !teams_str_eq(&bot->activity.type, "invoke")
        && !teams_str_eq(&bot->activity.type, "conversationUpdate")
        && !teams_str_eq(&bot->activity.type, "installationUpdate"))
    {
        return ngx_teams_send_json(r, NGX_HTTP_OK, &ngx_teams_bot_empty);
    }

    /* the caller is known: commands, invokes and installs */
    return ngx_teams_action_start(r, &bot->activity, &bot->id);
}
