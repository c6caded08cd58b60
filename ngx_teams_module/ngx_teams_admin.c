
/*
 * teams_admin: the tenant administrators' JSON API below /api/teams/admin/
 * (Microsoft profiles, consumer bindings, the Teams integration, setup
 * information, the legacy single configuration).
 *
 * Every request: body read (bounded) -> PSA API key and RBAC in one
 * statement (ngx_teams_apikey.c) -> route and method -> permission
 * (system_settings read for GET, update otherwise) -> JSON -> the
 * operation's single statement, which also writes its success audit row.
 * A refusal or failure for a known tenant gets its failure audit row from
 * one more statement before the answer goes out.
 *
 * Nothing here logs a request body, a secret or an API key.
 */


#include "ngx_teams_admin.h"
#include "ngx_teams_redis.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/teams_secret.h"


#define NGX_TEAMS_ADMIN_AUDIT_FAIL_SQL                                        \
    "INSERT INTO teams_admin_audit_events (tenant, actor_user_id,"            \
    " api_key_id, method, route, target_type, target_id, result_status,"      \
    " http_status, error_code)"                                               \
    " VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text,"    \
    " $7::text, 'failure', $8::int, $9::text)"

#define NGX_TEAMS_ADMIN_DISPLAY_NAME_INDEX                                    \
    "microsoft_profiles_tenant_display_name_active_uniq"
#define NGX_TEAMS_ADMIN_DEFAULT_INDEX                                         \
    "microsoft_profiles_tenant_default_active_uniq"


static void ngx_teams_admin_body(ngx_http_request_t *r, ngx_str_t *body);
static void ngx_teams_admin_auth_done(ngx_http_request_t *r,
    ngx_teams_apikey_result_t *res);
static ngx_int_t ngx_teams_admin_route_request(ngx_teams_admin_ctx_t *ctx,
    ngx_str_t *body);
static void ngx_teams_admin_pg_done(ngx_teams_pg_query_t *q,
    PGresult *res);
static void ngx_teams_admin_sql_error(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_fail_finish(ngx_teams_admin_ctx_t *ctx,
    ngx_uint_t status, const char *code);
static void ngx_teams_admin_audit_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_send(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_json_cleanup(void *data);
static void ngx_teams_admin_json_wipe(teams_json_t *v);
static ngx_int_t ngx_teams_admin_allow_header(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_wipe_bufs(ngx_http_request_t *r);


ngx_int_t
ngx_teams_admin_handler(ngx_http_request_t *r)
{
    ngx_teams_ctx_t        *tctx;
    ngx_teams_admin_ctx_t  *ctx;

    tctx = ngx_teams_ctx(r);
    if (tctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_admin_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->request = r;
    ctx->tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);
    tctx->surface = ctx;

    return ngx_teams_read_body(r, NGX_TEAMS_ADMIN_MAX_BODY,
                               ngx_teams_admin_body);
}


static void
ngx_teams_admin_body(ngx_http_request_t *r, ngx_str_t *body)
{
    ngx_int_t               rc;
    ngx_str_t              *saved;
    ngx_teams_admin_ctx_t  *ctx;

    ctx = ngx_teams_ctx(r)->surface;

    /* a client that leaves cancels the queries: see ngx_teams_pg.c */
    r->read_event_handler = ngx_http_test_reading;

    if (ctx->tmcf->pg_pool == NULL) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_SERVICE_UNAVAILABLE, "not_ready",
                             "the database pool is not started in this "
                             "process");
        return;
    }

    saved = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (saved == NULL) {
        ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    *saved = *body;
    ctx->strs[0] = (char *) saved;

    ngx_teams_admin_wipe_bufs(r);

    rc = ngx_teams_apikey_check(r, ngx_teams_admin_auth_done);

    if (rc == NGX_DECLINED) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_UNAUTHORIZED, "missing_api_key",
                             "send a PSA API key in the x-api-key header");
        return;
    }

    if (rc != NGX_AGAIN) {
        ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }
}


static void
ngx_teams_admin_auth_done(ngx_http_request_t *r,
    ngx_teams_apikey_result_t *res)
{
    ngx_teams_admin_ctx_t  *ctx;

    ctx = ngx_teams_ctx(r)->surface;

    if (res->status == NGX_TEAMS_APIKEY_UNAVAILABLE) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                             "database_unavailable",
                             "the PSA database is not reachable; try again "
                             "later");
        return;
    }

    if (res->tenant_known) {
        ngx_memcpy(ctx->tenant, res->tenant, sizeof(ctx->tenant));
        ngx_memcpy(ctx->actor, res->user_id, sizeof(ctx->actor));
        ngx_memcpy(ctx->api_key_id, res->api_key_id, sizeof(ctx->api_key_id));
        ctx->tenant_known = 1;
    }

    ngx_memzero(ctx->method_name, sizeof(ctx->method_name));
    ngx_memcpy(ctx->method_name, r->method_name.data,
               ngx_min(r->method_name.len, sizeof(ctx->method_name) - 1));

    ctx->params[0] = ctx->tenant;
    ctx->params[1] = ctx->actor[0] ? ctx->actor : NULL;
    ctx->params[2] = ctx->api_key_id[0] ? ctx->api_key_id : NULL;
    ctx->params[3] = ctx->method_name;
    ctx->params[4] = "(unknown)";

    if (res->status == NGX_TEAMS_APIKEY_INVALID) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "teams admin: API key refused: %s", res->reason);
        ctx->target_type = "api_key";
        ngx_teams_admin_fail(ctx, NGX_HTTP_UNAUTHORIZED, "invalid_api_key",
                             "the API key is unknown, inactive or expired, "
                             "or its user is inactive");
        return;
    }

    if (res->status == NGX_TEAMS_APIKEY_NOT_INTERNAL) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_FORBIDDEN, "forbidden",
                             "only MSP (internal) users may administer "
                             "Teams");
        return;
    }

    if (ngx_teams_admin_route_request(ctx, (ngx_str_t *) ctx->strs[0])
        != NGX_OK)
    {
        return;
    }

    if ((ctx->method == TEAMS_ADMIN_GET && !res->can_read)
        || (ctx->method != TEAMS_ADMIN_GET && !res->can_update))
    {
        ngx_teams_admin_fail(ctx, NGX_HTTP_FORBIDDEN, "forbidden",
                             ctx->method == TEAMS_ADMIN_GET
                             ? "this needs the PSA permission "
                               "system_settings:read"
                             : "this needs the PSA permission "
                               "system_settings:update");
        return;
    }

    ngx_teams_admin_dispatch(ctx);
}


/* route, method and JSON body: NGX_OK, or NGX_DONE once it has answered */
static ngx_int_t
ngx_teams_admin_route_request(ngx_teams_admin_ctx_t *ctx, ngx_str_t *body)
{
    size_t                     i;
    const char                *err;
    ngx_http_request_t        *r;
    ngx_pool_cleanup_t        *cln;
    ngx_http_core_loc_conf_t  *clcf;

    r = ctx->request;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->uri.len < clcf->name.len
        || ngx_strncmp(r->uri.data, clcf->name.data, clcf->name.len) != 0
        || teams_admin_route((const char *) r->uri.data + clcf->name.len,
                             r->uri.len - clcf->name.len, &ctx->route)
           != 0)
    {
        ngx_teams_admin_fail(ctx, NGX_HTTP_NOT_FOUND, "not_found",
                             "no such admin API route");
        return NGX_DONE;
    }

    ctx->params[4] = ctx->route.pattern;
    ctx->method = teams_admin_method((const char *) r->method_name.data,
                                     r->method_name.len);

    if (!(ctx->method & ctx->route.methods)) {
        if (ngx_teams_admin_allow_header(ctx) != NGX_OK) {
            ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return NGX_DONE;
        }

        ngx_teams_admin_fail(ctx, NGX_HTTP_NOT_ALLOWED, "method_not_allowed",
                             "this method is not allowed on this route");
        return NGX_DONE;
    }

    if (ctx->method == TEAMS_ADMIN_GET || ctx->method == TEAMS_ADMIN_DELETE) {
        return NGX_OK;
    }

    for (i = 0; i < body->len; i++) {
        if (body->data[i] != ' ' && body->data[i] != '\t'
            && body->data[i] != '\r' && body->data[i] != '\n')
        {
            break;
        }
    }

    if (i == body->len) {
        /* no body: the operation sees {} */
        return NGX_OK;
    }

    ctx->json = teams_json_parse((const char *) body->data, body->len, 4,
                                 &err);

    /* the raw body may hold a secret: wipe it now that it is parsed */
    ngx_explicit_memzero(body->data, body->len);

    if (ctx->json == NULL) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_BAD_REQUEST, "invalid_json",
                             "the request body is not valid JSON");
        return NGX_DONE;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        ngx_teams_admin_json_cleanup(ctx->json);
        ctx->json = NULL;
        ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return NGX_DONE;
    }

    cln->handler = ngx_teams_admin_json_cleanup;
    cln->data = ctx->json;

    if (ctx->json->type != TEAMS_JSON_OBJECT) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_BAD_REQUEST, "invalid_json",
                             "the request body must be a JSON object");
        return NGX_DONE;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_teams_admin_allow_header(ngx_teams_admin_ctx_t *ctx)
{
    u_char           *p;
    size_t            n;
    ngx_table_elt_t  *h;

    p = ngx_pnalloc(ctx->request->pool, 64);
    if (p == NULL) {
        return NGX_ERROR;
    }

    n = teams_admin_allow(ctx->route.methods, (char *) p, 64);

    h = ngx_list_push(&ctx->request->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Allow");
    h->value.data = p;
    h->value.len = n;

    return NGX_OK;
}


void
ngx_teams_admin_run(ngx_teams_admin_ctx_t *ctx, const char *sql,
    int nparams, ngx_teams_admin_res_pt handler)
{
    ngx_http_request_t  *r = ctx->request;

    if (ctx->q == NULL) {
        ctx->q = ngx_teams_pg_query_create(r->pool, r->connection->log);
        if (ctx->q == NULL) {
            ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    ctx->q->sql = sql;
    ctx->q->nparams = nparams;
    ctx->q->params = ctx->params;
    ctx->q->done = ngx_teams_admin_pg_done;
    ctx->q->data = ctx;
    ctx->handler = handler;

    ngx_teams_pg_run(ctx->tmcf->pg_pool, ctx->q);
}


static void
ngx_teams_admin_pg_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    ngx_teams_admin_ctx_t  *ctx = q->data;

    if (ctx->handler == ngx_teams_admin_audit_done) {
        ngx_teams_admin_audit_done(ctx, q->rc == NGX_TEAMS_PG_OK ? res : NULL);
        return;
    }

    switch (q->rc) {

    case NGX_TEAMS_PG_OK:
        ctx->handler(ctx, res);
        return;

    case NGX_TEAMS_PG_SQL_ERROR:
        ngx_teams_admin_sql_error(ctx, res);
        return;

    default:
        /* nothing can be audited without the database */
        ctx->tenant_known = 0;
        ngx_teams_admin_fail(ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                             "database_unavailable",
                             "the PSA database is not reachable; try again "
                             "later");
    }
}


static void
ngx_teams_admin_sql_error(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    const char  *state, *constraint;

    state = ngx_teams_pg_sqlstate(res);
    constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)
                     : NULL;

    if (ngx_strcmp(state, "23505") == 0 && constraint != NULL) {

        if (ngx_strcmp(constraint, NGX_TEAMS_ADMIN_DISPLAY_NAME_INDEX) == 0) {
            ngx_teams_admin_field(ctx, "display_name",
                                  "is already used by another profile");
            ngx_teams_admin_fail_fields(ctx);
            return;
        }

        if (ngx_strcmp(constraint, NGX_TEAMS_ADMIN_DEFAULT_INDEX) == 0) {
            ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "conflict",
                                 "another change of the default profile "
                                 "happened at the same time; try again");
            return;
        }
    }

    if (ngx_strcmp(state, "40001") == 0 || ngx_strcmp(state, "40P01") == 0) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "conflict",
                             "a concurrent change got in the way; try again");
        return;
    }

    /* the SQLSTATE and constraint only: messages can carry row values */
    ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                  "teams admin: %s %s failed, SQLSTATE %s%s%s",
                  ctx->method_name, ctx->route.pattern, state,
                  constraint ? ", constraint " : "",
                  constraint ? constraint : "");

    ngx_teams_admin_fail(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                         "internal_error", "the operation failed");
}


void
ngx_teams_admin_field(ngx_teams_admin_ctx_t *ctx, const char *name,
    const char *message)
{
    if (ctx->nfields < NGX_TEAMS_ADMIN_MAX_FIELDS) {
        ctx->field_name[ctx->nfields] = name;
        ctx->field_msg[ctx->nfields] = message;
        ctx->nfields++;
    }
}


void
ngx_teams_admin_fail_fields(ngx_teams_admin_ctx_t *ctx)
{
    ngx_teams_admin_fail(ctx, NGX_TEAMS_HTTP_UNPROCESSABLE,
                         "validation_failed",
                         "the request has invalid fields");
}


void
ngx_teams_admin_fail(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    const char *code, const char *message)
{
    ngx_uint_t   i;
    teams_jw_t   w;

    ngx_teams_jw_init(ctx->request, &w);

    teams_jw_object(&w);
    teams_jw_key(&w, "error");
    teams_jw_object(&w);
    teams_jw_kstr(&w, "code", code);
    teams_jw_kstr(&w, "message", message);

    if (ctx->nfields) {
        teams_jw_key(&w, "fields");
        teams_jw_object(&w);

        for (i = 0; i < ctx->nfields; i++) {
            teams_jw_kstr(&w, ctx->field_name[i], ctx->field_msg[i]);
        }

        teams_jw_end(&w);
    }

    teams_jw_end(&w);
    teams_jw_end(&w);

    ctx->answer.data = (u_char *) teams_jw_finish(&w, &ctx->answer.len);
    if (ctx->answer.data == NULL) {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_teams_admin_fail_finish(ctx, status, code);
}


/* an error answer built by the caller ({"error":{...}}) */
void
ngx_teams_admin_fail_jw(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    teams_jw_t *w)
{
    ctx->answer.data = (u_char *) teams_jw_finish(w, &ctx->answer.len);
    if (ctx->answer.data == NULL) {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_teams_admin_fail_finish(ctx, status, "not_ready");
}


static void
ngx_teams_admin_fail_finish(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    const char *code)
{
    u_char  *p;

    ctx->status = status;

    if (!ctx->tenant_known) {
        ngx_teams_admin_send(ctx);
        return;
    }

    p = ngx_pnalloc(ctx->request->pool, NGX_INT_T_LEN + 1);
    if (p == NULL) {
        ngx_teams_admin_send(ctx);
        return;
    }

    *ngx_sprintf(p, "%ui", status) = '\0';

    ctx->params[5] = ctx->target_type;
    ctx->params[6] = ctx->target_id;
    ctx->params[7] = (const char *) p;
    ctx->params[8] = code;

    ngx_teams_admin_run(ctx, NGX_TEAMS_ADMIN_AUDIT_FAIL_SQL, 9,
                        ngx_teams_admin_audit_done);
}


static void
ngx_teams_admin_audit_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    if (res == NULL) {
        ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                      "teams admin: could not write the audit row of a "
                      "refused %s %s", ctx->method_name,
                      ctx->route.pattern ? ctx->route.pattern : "request");
    }

    ngx_teams_admin_send(ctx);
}


static void
ngx_teams_admin_send(ngx_teams_admin_ctx_t *ctx)
{
    ngx_int_t  rc;

    rc = ngx_teams_send_json(ctx->request, ctx->status, &ctx->answer);
    ngx_teams_finish(ctx->request, rc);
}


void
ngx_teams_admin_reply(ngx_teams_admin_ctx_t *ctx, ngx_uint_t status,
    teams_jw_t *w)
{
    ngx_int_t           rc;
    static const char  *bump[] = { "INCR", "teams:config:version" };

    /*
     * a committed change: this process drops its cached identities now,
     * every other nginx process at its next poll of the version, instead
     * of when they expire
     */
    if (ctx->method != TEAMS_ADMIN_GET
        && status < NGX_HTTP_SPECIAL_RESPONSE)
    {
        ngx_teams_identity_flush(ctx->tmcf);
        (void) ngx_teams_redis_command(ctx->tmcf->redis_link, NULL, NULL,
                                       NULL, 2, bump, NULL);
    }

    rc = ngx_teams_send_jw(ctx->request, status, w);
    ngx_teams_finish(ctx->request, rc);
}


void
ngx_teams_admin_not_found(ngx_teams_admin_ctx_t *ctx)
{
    ngx_teams_admin_fail(ctx, NGX_HTTP_NOT_FOUND, "not_found",
                         "no such Microsoft profile");
}


char *
ngx_teams_admin_strdup(ngx_teams_admin_ctx_t *ctx, const char *s,
    size_t len)
{
    char  *p;

    p = ngx_pnalloc(ctx->request->pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len);
    p[len] = '\0';

    return p;
}


/* the v1 envelope of secret for (tenant, profile_id), in the pool */
char *
ngx_teams_admin_encrypt(ngx_teams_admin_ctx_t *ctx, const char *profile_id,
    const teams_json_t *secret)
{
    char               *out;
    char                aad[TEAMS_SECRET_AAD_MAX];
    size_t              aad_len, size, len;
    teams_secret_rc_e   rc;

    aad_len = teams_secret_aad(aad, sizeof(aad), ctx->tenant,
                               ngx_strlen(ctx->tenant), profile_id,
                               ngx_strlen(profile_id));
    if (aad_len == 0) {
        return NULL;
    }

    size = teams_secret_envelope_len(secret->len) + 1;

    out = ngx_pnalloc(ctx->request->pool, size);
    if (out == NULL) {
        return NULL;
    }

    rc = teams_secret_encrypt(ctx->tmcf->secret_key, aad, aad_len,
                              (const unsigned char *) secret->str,
                              secret->len, out, size, &len);
    if (rc != TEAMS_SECRET_OK) {
        ngx_log_error(NGX_LOG_ALERT, ctx->request->connection->log, 0,
                      "teams admin: secret encryption failed: %s",
                      teams_secret_strerror(rc));
        return NULL;
    }

    return out;
}


/*
 * Whether envelope decrypts under the master key for this profile; the
 * plaintext is wiped at once.  With hint != NULL, also its masked hint.
 */
static int
ngx_teams_admin_secret_open(ngx_teams_admin_ctx_t *ctx,
    const char *profile_id, const char *envelope, char *hint,
    size_t hint_size, const char **why)
{
    char                aad[TEAMS_SECRET_AAD_MAX];
    size_t              aad_len, len;
    u_char              plain[TEAMS_SECRET_MAX_PLAIN + 1];
    teams_secret_rc_e   rc;

    if (envelope == NULL || envelope[0] == '\0') {
        *why = "no client secret is set";
        return 0;
    }

    if (!ctx->tmcf->secret_key_set) {
        *why = "no master key is configured (teams_secret_key_file), so the "
               "client secret cannot be used";
        return 0;
    }

    aad_len = teams_secret_aad(aad, sizeof(aad), ctx->tenant,
                               ngx_strlen(ctx->tenant), profile_id,
                               ngx_strlen(profile_id));

    rc = teams_secret_decrypt(ctx->tmcf->secret_key, aad, aad_len, envelope,
                              ngx_strlen(envelope), plain, sizeof(plain),
                              &len);
    if (rc != TEAMS_SECRET_OK) {
        *why = "the stored client secret does not decrypt with the "
               "configured master key; set it again";
        return 0;
    }

    if (hint != NULL) {
        if (teams_admin_secret_hint((const char *) plain, len, hint,
                                    hint_size)
            == 0)
        {
            hint[0] = '\0';
        }
    }

    OPENSSL_cleanse(plain, sizeof(plain));

    *why = "a client secret is set";

    return 1;
}


int
ngx_teams_admin_secret_usable(ngx_teams_admin_ctx_t *ctx,
    const char *profile_id, const char *envelope, const char **why)
{
    return ngx_teams_admin_secret_open(ctx, profile_id, envelope, NULL, 0,
                                       why);
}


void
ngx_teams_admin_secret_json(ngx_teams_admin_ctx_t *ctx, teams_jw_t *w,
    const char *profile_id, const char *envelope)
{
    int          usable;
    char         hint[32];
    const char  *why;

    hint[0] = '\0';

    usable = ngx_teams_admin_secret_open(ctx, profile_id, envelope, hint,
                                         sizeof(hint), &why);

    teams_jw_object(w);
    teams_jw_kbool(w, "present", envelope != NULL && envelope[0] != '\0');
    teams_jw_kstr(w, "hint", hint[0] ? hint : NULL);
    teams_jw_kbool(w, "usable", usable);
    teams_jw_end(w);

    OPENSSL_cleanse(hint, sizeof(hint));
}


ngx_int_t
ngx_teams_admin_new_uuid(char *out)
{
    u_char  b[16];

    if (RAND_bytes(b, sizeof(b)) != 1) {
        return NGX_ERROR;
    }

    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;

    ngx_hex_dump((u_char *) out, b, 4);
    out[8] = '-';
    ngx_hex_dump((u_char *) out + 9, b + 4, 2);
    out[13] = '-';
    ngx_hex_dump((u_char *) out + 14, b + 6, 2);
    out[18] = '-';
    ngx_hex_dump((u_char *) out + 19, b + 8, 2);
    out[23] = '-';
    ngx_hex_dump((u_char *) out + 24, b + 10, 6);
    out[36] = '\0';

    return NGX_OK;
}


static void
ngx_teams_admin_json_cleanup(void *data)
{
    teams_json_t  *v = data;

    ngx_teams_admin_json_wipe(v);
    teams_json_free(v);
}


/* request bodies can hold secrets: clear every string before free() */
static void
ngx_teams_admin_json_wipe(teams_json_t *v)
{
    teams_json_t  *c;

    if (v == NULL) {
        return;
    }

    for (c = v->child; c != NULL; c = c->next) {
        ngx_teams_admin_json_wipe(c);
    }

    if (v->str != NULL) {
        OPENSSL_cleanse(v->str, v->len);
    }
}


/* the copies nginx read the body into (the contiguous copy is ours) */
static void
ngx_teams_admin_wipe_bufs(ngx_http_request_t *r)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (r->request_body == NULL) {
        return;
    }

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file && b->pos != NULL && b->last > b->pos) {
            ngx_explicit_memzero(b->pos, b->last - b->pos);
        }
    }
}
