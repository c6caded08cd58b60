
/*
 * GET /api/teams/status: asks PostgreSQL and Redis at the same time, on the
 * worker's own pool and link, and answers 200 when both answered or 503
 * naming what is down.  It is the end-to-end proof of both async paths, so
 * it never answers from a cached state.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_pg.h"
#include "ngx_teams_redis.h"


#define NGX_TEAMS_STATUS_SQL                                                  \
    "SELECT max(version) FROM teams_schema_migrations"

/* SQLSTATE undefined_table: the server is up, the schema is not applied */
#define NGX_TEAMS_SQLSTATE_UNDEFINED_TABLE  "42P01"


typedef struct {
    ngx_http_request_t        *request;
    ngx_uint_t                 pending;

    unsigned                   pg_ok:1;
    unsigned                   redis_ok:1;

    ngx_str_t                  migration;
    ngx_str_t                  pg_error;
    ngx_str_t                  redis_error;
} ngx_teams_status_ctx_t;


static void ngx_teams_status_pg_done(ngx_teams_pg_query_t *q,
    PGresult *res);
static void ngx_teams_status_redis_done(ngx_teams_redis_cmd_t *cmd,
    redisReply *reply);
static void ngx_teams_status_step(ngx_teams_status_ctx_t *ctx);
static ngx_int_t ngx_teams_status_send(ngx_http_request_t *r,
    ngx_teams_status_ctx_t *ctx);
static ngx_int_t ngx_teams_status_copy(ngx_pool_t *pool, ngx_str_t *dst,
    const char *src);
static u_char *ngx_teams_status_json_str(u_char *p, ngx_str_t *s);


ngx_int_t
ngx_teams_status_handler(ngx_http_request_t *r)
{
    ngx_int_t                rc;
    ngx_teams_pg_query_t    *q;
    ngx_teams_main_conf_t   *tmcf;
    ngx_teams_redis_cmd_t   *cmd;
    ngx_teams_status_ctx_t  *ctx;
    static const char       *ping[] = { "PING" };

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    if (tmcf->pg_pool == NULL || tmcf->redis_link == NULL) {
        return ngx_teams_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "not_ready",
                                    "backends are not started in this "
                                    "process");
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_status_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;

    q = ngx_teams_pg_query_create(r->pool, r->connection->log);
    if (q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q->sql = NGX_TEAMS_STATUS_SQL;
    q->done = ngx_teams_status_pg_done;
    q->data = ctx;

    cmd = ngx_teams_redis_command(tmcf->redis_link, r->pool,
                                  ngx_teams_status_redis_done, ctx,
                                  1, ping, NULL);
    if (cmd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->pending = 2;
    ngx_teams_pg_run(tmcf->pg_pool, q);

    /* a client that leaves cancels both: see the backends' cleanups */
    if (!r->discard_body) {
        r->read_event_handler = ngx_http_test_reading;
    }

    r->main->count++;

    return NGX_DONE;
}


static void
ngx_teams_status_pg_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    ngx_teams_status_ctx_t  *ctx = q->data;
    ngx_pool_t              *pool = ctx->request->pool;

    if (q->rc == NGX_TEAMS_PG_OK && PQntuples(res) == 1) {
        ctx->pg_ok = 1;

        if (!PQgetisnull(res, 0, 0)
            && ngx_teams_status_copy(pool, &ctx->migration,
                                     PQgetvalue(res, 0, 0))
               != NGX_OK)
        {
            ctx->pg_ok = 0;
        }

    } else if (q->rc == NGX_TEAMS_PG_SQL_ERROR
               && ngx_strcmp(ngx_teams_pg_sqlstate(res),
                             NGX_TEAMS_SQLSTATE_UNDEFINED_TABLE) == 0)
    {
        /* the server answered; only our schema is missing */
        ctx->pg_ok = 1;
        (void) ngx_teams_status_copy(pool, &ctx->pg_error,
                                     "migrations are not applied");

    } else {
        (void) ngx_teams_status_copy(pool, &ctx->pg_error,
                                     q->error ? q->error : "unknown error");
    }

    ngx_teams_status_step(ctx);
}


static void
ngx_teams_status_redis_done(ngx_teams_redis_cmd_t *cmd, redisReply *reply)
{
    ngx_teams_status_ctx_t  *ctx = cmd->data;

    if (reply != NULL && reply->type == REDIS_REPLY_STATUS
        && reply->len == 4 && ngx_strncmp(reply->str, "PONG", 4) == 0)
    {
        ctx->redis_ok = 1;

    } else if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
        (void) ngx_teams_status_copy(ctx->request->pool, &ctx->redis_error,
                                     reply->str);

    } else {
        (void) ngx_teams_status_copy(ctx->request->pool, &ctx->redis_error,
                                     cmd->error ? cmd->error
                                                : "unexpected reply");
    }

    ngx_teams_status_step(ctx);
}


static void
ngx_teams_status_step(ngx_teams_status_ctx_t *ctx)
{
    if (--ctx->pending) {
        return;
    }

    ngx_teams_finish(ctx->request,
                     ngx_teams_status_send(ctx->request, ctx));
}


static ngx_int_t
ngx_teams_status_send(ngx_http_request_t *r, ngx_teams_status_ctx_t *ctx)
{
    size_t                  len;
    u_char                 *p;
    time_t                  age;
    ngx_str_t               json;
    ngx_uint_t              i;
    ngx_teams_keys_t       *keys;
    ngx_uint_t              status;
    ngx_teams_pg_pool_t    *pool;
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);
    pool = tmcf->pg_pool;

    len = 1024
          + 6 * (ctx->migration.len
                 + ctx->pg_error.len + ctx->redis_error.len);

    json.data = ngx_pnalloc(r->pool, len);
    if (json.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    status = (ctx->pg_ok && ctx->redis_ok) ? NGX_HTTP_OK
                                           : NGX_HTTP_SERVICE_UNAVAILABLE;

    p = ngx_sprintf(json.data,
                    "{\"status\":\"%s\",\"module\":\"ngx_teams_module\","
                    "\"version\":\"" NGX_TEAMS_MODULE_VERSION "\","
                    "\"nginx\":\"" NGINX_VERSION "\",\"down\":[%s%s%s],",
                    status == NGX_HTTP_OK ? "ok" : "unavailable",
                    ctx->pg_ok ? "" : "\"postgres\"",
                    (!ctx->pg_ok && !ctx->redis_ok) ? "," : "",
                    ctx->redis_ok ? "" : "\"redis\"");

    /* libpq reports e.g. 150018 for 15.18 */
    p = ngx_sprintf(p, "\"postgres\":{\"ok\":%s,\"server_version\":",
                    ctx->pg_ok ? "true" : "false");

    if (pool->server_version >= 100000) {
        p = ngx_sprintf(p, "\"%d.%d\"", pool->server_version / 10000,
                        pool->server_version % 10000);

    } else {
        p = ngx_cpymem(p, "null", 4);
    }

    p = ngx_cpymem(p, ",\"migration\":", sizeof(",\"migration\":") - 1);
    p = ngx_teams_status_json_str(p, &ctx->migration);
    p = ngx_cpymem(p, ",\"error\":", sizeof(",\"error\":") - 1);
    p = ngx_teams_status_json_str(p, &ctx->pg_error);
    p = ngx_sprintf(p, ",\"pool\":{\"size\":%ui,\"up\":%ui,"
                    "\"connecting\":%ui,\"waiting\":%ui}},",
                    pool->nconns, pool->nup, pool->nconnecting,
                    pool->nwaiting);

    p = ngx_sprintf(p, "\"redis\":{\"ok\":%s,\"error\":",
                    ctx->redis_ok ? "true" : "false");
    p = ngx_teams_status_json_str(p, &ctx->redis_error);
    p = ngx_cpymem(p, "},", 2);

    p = ngx_cpymem(p, "\"key_sets\":{", sizeof("\"key_sets\":{") - 1);

    for (i = 0; i < NGX_TEAMS_KEYS_N; i++) {
        keys = &tmcf->keys[i];
        age = ngx_time() - keys->fetched_at;

        p = ngx_sprintf(p, "%s\"%s\":{\"source\":\"%s\",\"keys\":%ui,"
                        "\"age_seconds\":",
                        i ? "," : "", ngx_teams_keys_name(i),
                        keys->file.len ? "file" : "worker",
                        ngx_teams_keys_count(i));

        if (keys->set != NULL) {
            p = ngx_sprintf(p, "%T}", age < 0 ? 0 : age);

        } else {
            p = ngx_cpymem(p, "null}", 5);
        }
    }

    *p++ = '}';

    /* what this worker applies; it follows teams:config:version's polls */
    if (tmcf->config_version >= 0) {
        p = ngx_sprintf(p, ",\"config_version\":%L}", tmcf->config_version);

    } else {
        p = ngx_cpymem(p, ",\"config_version\":null}",
                       sizeof(",\"config_version\":null}") - 1);
    }

    json.len = p - json.data;

    r->headers_out.status = status;

    return ngx_teams_send_json(r, status, &json);
}


static u_char *
ngx_teams_status_json_str(u_char *p, ngx_str_t *s)
{
    if (s->data == NULL) {
        return ngx_cpymem(p, "null", 4);
    }

    *p++ = '"';
    p = (u_char *) ngx_escape_json(p, s->data, s->len);
    *p++ = '"';

    return p;
}


static ngx_int_t
ngx_teams_status_copy(ngx_pool_t *pool, ngx_str_t *dst, const char *src)
{
    size_t  len;

    len = ngx_strlen(src);

    dst->data = ngx_pnalloc(pool, len + 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, len + 1);
    dst->len = len;

    while (dst->len && (dst->data[dst->len - 1] == '\n'
                        || dst->data[dst->len - 1] == ' '))
    {
        dst->len--;
    }

    return NGX_OK;
}
