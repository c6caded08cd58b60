
/*
 * teams_notify: POST /api/teams/notify for PSA services that prefer HTTP
 * to the internal_notifications trigger.  The body carries the fields of
 * an internal_notifications row; the caller is a PSA API key whose user
 * may update system_settings.  The notification is answered only once it
 * is committed in the outbox (teams_notify_enqueue_json(), one statement),
 * and it is idempotent per (tenant, internal_notification_id, user_id):
 *
 *   202 {"status":"queued"}      durable, the worker delivers it
 *   200 {"status":"duplicate"}   already accepted (or recorded) before
 *   200 {"status":"skipped"}     not a Teams category; recorded as skipped
 */


#include "ngx_teams_module.h"
#include "ngx_teams_apikey.h"
#include "ngx_teams_pg.h"

#include "core/teams_json.h"
#include "core/teams_uuid.h"


#define NGX_TEAMS_NOTIFY_MAX_BODY  (64 * 1024)


typedef struct {
    ngx_str_t               body;
    ngx_teams_pg_query_t   *q;
    const char             *params[2];
    u_char                  tenant[NGX_TEAMS_UUID_LEN + 1];
    u_char                  id[NGX_TEAMS_UUID_LEN + 1];
} ngx_teams_notify_ctx_t;


static void ngx_teams_notify_body(ngx_http_request_t *r, ngx_str_t *body);
static void ngx_teams_notify_auth_done(ngx_http_request_t *r,
    ngx_teams_apikey_result_t *res);
static const char *ngx_teams_notify_check(ngx_teams_notify_ctx_t *ctx);
static void ngx_teams_notify_pg_done(ngx_teams_pg_query_t *q,
    PGresult *res);


static const char  ngx_teams_notify_sql[] =
    "SELECT teams_notify_enqueue_json($1::uuid, $2::jsonb)";


ngx_int_t
ngx_teams_notify_handler(ngx_http_request_t *r)
{
    ngx_teams_ctx_t         *tctx;
    ngx_teams_notify_ctx_t  *ctx;

    if (r->method != NGX_HTTP_POST) {
        return ngx_teams_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                    "method_not_allowed",
                                    "use POST with a JSON body");
    }

    tctx = ngx_teams_ctx(r);
    if (tctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_notify_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    tctx->surface = ctx;

    return ngx_teams_read_body(r, NGX_TEAMS_NOTIFY_MAX_BODY,
                               ngx_teams_notify_body);
}


static void
ngx_teams_notify_body(ngx_http_request_t *r, ngx_str_t *body)
{
    ngx_int_t                rc;
    ngx_teams_main_conf_t   *tmcf;
    ngx_teams_notify_ctx_t  *ctx;

    ctx = ngx_teams_ctx(r)->surface;
    ctx->body = *body;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    if (tmcf->pg_pool == NULL) {
        ngx_teams_finish(r, ngx_teams_send_error(r,
                             NGX_HTTP_SERVICE_UNAVAILABLE, "not_ready",
                             "the database pool is not started"));
        return;
    }

    rc = ngx_teams_apikey_check(r, ngx_teams_notify_auth_done);

    if (rc == NGX_DECLINED) {
        ngx_teams_finish(r, ngx_teams_send_error(r, NGX_HTTP_UNAUTHORIZED,
                             "missing_api_key",
                             "send a PSA API key in the x-api-key header"));
        return;
    }

    if (rc != NGX_AGAIN) {
        ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }
}


static void
ngx_teams_notify_auth_done(ngx_http_request_t *r,
    ngx_teams_apikey_result_t *res)
{
    const char              *why;
    ngx_teams_main_conf_t   *tmcf;
    ngx_teams_notify_ctx_t  *ctx;

    ctx = ngx_teams_ctx(r)->surface;

    switch (res->status) {

    case NGX_TEAMS_APIKEY_UNAVAILABLE:
        ngx_teams_finish(r, ngx_teams_send_error(r,
                             NGX_HTTP_SERVICE_UNAVAILABLE,
                             "database_unavailable",
                             "the PSA database is not reachable; nothing "
                             "was accepted, try again later"));
        return;

    case NGX_TEAMS_APIKEY_INVALID:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "teams notify: API key refused: %s", res->reason);
        ngx_teams_finish(r, ngx_teams_send_error(r, NGX_HTTP_UNAUTHORIZED,
                             "invalid_api_key",
                             "the API key is unknown, inactive or expired"));
        return;

    case NGX_TEAMS_APIKEY_NOT_INTERNAL:
        ngx_teams_finish(r, ngx_teams_send_error(r, NGX_HTTP_FORBIDDEN,
                             "forbidden", "only MSP (internal) keys may "
                             "send notifications"));
        return;

    default:
        break;
    }

    if (!res->can_update) {
        ngx_teams_finish(r, ngx_teams_send_error(r, NGX_HTTP_FORBIDDEN,
                             "forbidden", "this needs the PSA permission "
                             "system_settings:update"));
        return;
    }

    ngx_memcpy(ctx->tenant, res->tenant, sizeof(ctx->tenant));

    why = ngx_teams_notify_check(ctx);
    if (why != NULL) {
        ngx_teams_finish(r, ngx_teams_send_error(r, NGX_HTTP_BAD_REQUEST,
                                                 "invalid_request", why));
        return;
    }

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    ctx->q = ngx_teams_pg_query_create(r->pool, r->connection->log);
    if (ctx->q == NULL) {
        ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->params[0] = (const char *) ctx->tenant;
    ctx->params[1] = (const char *) ctx->body.data;

    ctx->q->sql = ngx_teams_notify_sql;
    ctx->q->nparams = 2;
    ctx->q->params = ctx->params;
    ctx->q->done = ngx_teams_notify_pg_done;
    ctx->q->data = r;

    ngx_teams_pg_run(tmcf->pg_pool, ctx->q);
}


/* the fields an internal_notifications row requires; NULL when good */
static const char *
ngx_teams_notify_check(ngx_teams_notify_ctx_t *ctx)
{
    size_t               len;
    const char          *err, *s;
    teams_json_t        *doc;
    const char          *why;
    const teams_json_t  *v;

    doc = teams_json_parse((const char *) ctx->body.data, ctx->body.len, 16,
                           &err);
    if (doc == NULL) {
        return "the body is not valid JSON";
    }

    why = NULL;

    if (doc->type != TEAMS_JSON_OBJECT) {
        why = "the body must be a JSON object";
        goto done;
    }

    s = teams_json_str(doc, "internal_notification_id", &len);
    if (s == NULL || !teams_is_uuid(s, len)) {
        why = "internal_notification_id must be a UUID";
        goto done;
    }

    ngx_memcpy(ctx->id, s, NGX_TEAMS_UUID_LEN);

    s = teams_json_str(doc, "user_id", &len);
    if (s == NULL || !teams_is_uuid(s, len)) {
        why = "user_id must be a UUID";
        goto done;
    }

    s = teams_json_str(doc, "template_name", &len);
    if (s == NULL || len == 0 || len > 255) {
        why = "template_name must be a string of 1 to 255 characters";
        goto done;
    }

    if (teams_json_str(doc, "title", NULL) == NULL
        || teams_json_str(doc, "message", NULL) == NULL)
    {
        why = "title and message must be strings";
        goto done;
    }

    v = teams_json_get(doc, "link");
    if (v != NULL && v->type != TEAMS_JSON_STRING
        && v->type != TEAMS_JSON_NULL)
    {
        why = "link must be a string";
        goto done;
    }

    v = teams_json_get(doc, "metadata");
    if (v != NULL && v->type != TEAMS_JSON_OBJECT
        && v->type != TEAMS_JSON_NULL)
    {
        why = "metadata must be an object";
        goto done;
    }

    s = teams_json_str(doc, "type", &len);
    if (teams_json_get(doc, "type") != NULL
        && (s == NULL
            || !((len == 4 && ngx_strncmp(s, "info", 4) == 0)
                 || (len == 7 && ngx_strncmp(s, "success", 7) == 0)
                 || (len == 7 && ngx_strncmp(s, "warning", 7) == 0)
                 || (len == 5 && ngx_strncmp(s, "error", 5) == 0))))
    {
        why = "type must be info, success, warning or error";
        goto done;
    }

    s = teams_json_str(doc, "priority", &len);
    if (teams_json_get(doc, "priority") != NULL
        && (s == NULL
            || !((len == 4 && ngx_strncmp(s, "high", 4) == 0)
                 || (len == 6 && ngx_strncmp(s, "normal", 6) == 0)
                 || (len == 3 && ngx_strncmp(s, "low", 3) == 0))))
    {
        why = "priority must be high, normal or low";
        goto done;
    }

done:

    teams_json_free(doc);

    return why;
}


static void
ngx_teams_notify_pg_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    ngx_uint_t               status;
    teams_jw_t               w;
    const char              *result;
    ngx_http_request_t      *r;
    ngx_teams_notify_ctx_t  *ctx;

    r = q->data;
    ctx = ngx_teams_ctx(r)->surface;

    if (q->rc != NGX_TEAMS_PG_OK || res == NULL || PQntuples(res) != 1) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "teams notify: enqueue failed (rc %d)", (int) q->rc);

        ngx_teams_finish(r, ngx_teams_send_error(r,
                             q->rc == NGX_TEAMS_PG_SQL_ERROR
                             ? NGX_HTTP_INTERNAL_SERVER_ERROR
                             : NGX_HTTP_SERVICE_UNAVAILABLE,
                             "not_accepted",
                             "the notification was not stored; try again"));
        return;
    }

    result = PQgetvalue(res, 0, 0);

    status = (ngx_strcmp(result, "queued") == 0) ? NGX_HTTP_ACCEPTED
                                                 : NGX_HTTP_OK;

    ngx_teams_jw_init(r, &w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "status", result);
    teams_jw_kstr(&w, "internal_notification_id", (const char *) ctx->id);
    teams_jw_end(&w);

    ngx_teams_finish(r, ngx_teams_send_jw(r, status, &w));
}


