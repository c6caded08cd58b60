
/*
 * Identity glue shared by the Teams surfaces: the bearer token checked
 * against a key set (through the per-process token cache, so a repeated
 * token costs no RSA work), then the caller resolved to a PSA tenant and
 * user (one statement; the answer, refusals included, is kept for
 * NGX_TEAMS_IDENTITY_TTL seconds and dropped at once when an admin change
 * bumps teams:config:version).
 */


#include "ngx_teams_module.h"
#include "ngx_teams_pg.h"
#include "ngx_teams_identity.h"
#include "ngx_teams_caller.h"
#include "core/teams_lru.h"
#include "jwt/teams_jwt.h"
#include "jwt/teams_token_cache.h"


#define NGX_TEAMS_IDENTITY_TTL       30
#define NGX_TEAMS_IDENTITY_ENTRIES   8192
#define NGX_TEAMS_IDENTITY_MAX_ROWS  16


typedef struct {
    teams_identity_e           outcome;
    u_char                     tenant[40];
    u_char                     user_id[40];
    u_char                     profile_id[40];
} ngx_teams_identity_entry_t;


typedef struct {
    ngx_http_request_t        *request;
    ngx_teams_identity_t      *id;
    ngx_teams_identity_pt      done;
    ngx_str_t                  key;
    ngx_uint_t                 flushes;    /* tmcf->cache_flushes at start */
    const char                *params[3];
} ngx_teams_resolve_ctx_t;


/*
 * The rows of every profile carrying the client id, each with its Teams
 * binding and integration, and the linked user looked up only in a tenant
 * whose profile is for the caller's Microsoft tenant.
 */
static const char  ngx_teams_identity_sql[] =
    "SELECT p.tenant, p.profile_id, p.tenant_id, p.is_archived,"
    " p.client_secret_ref <> '', b.profile_id IS NOT NULL,"
    " ti.install_status, u.user_id, u.user_type, u.is_inactive, u.n"
    " FROM microsoft_profiles p"
    " LEFT JOIN microsoft_profile_consumer_bindings b"
    " ON b.tenant = p.tenant AND b.consumer_type = 'teams'"
    " AND b.profile_id = p.profile_id"
    " LEFT JOIN teams_integrations ti ON ti.tenant = p.tenant"
    " LEFT JOIN LATERAL ("
    "  SELECT min(u.user_id::text) AS user_id, min(u.user_type) AS user_type,"
    "  bool_or(coalesce(u.is_inactive, false)) AS is_inactive,"
    "  count(*) AS n"
    "  FROM user_auth_accounts a"
    "  JOIN users u ON u.tenant = a.tenant AND u.user_id = a.user_id"
    "  WHERE a.tenant = p.tenant AND a.provider = 'microsoft'"
    "  AND a.provider_account_id = $3) u"
    " ON lower(p.tenant_id) = lower($2)"
    " WHERE p.client_id = $1"
    " LIMIT 16";


static void ngx_teams_identity_claims_cleanup(void *data);
static ngx_int_t ngx_teams_token_kid(ngx_http_request_t *r,
    ngx_teams_token_t *tok, const char *kid);
static void ngx_teams_identity_pg_done(ngx_teams_pg_query_t *q,
    PGresult *res);
static void ngx_teams_identity_set(ngx_http_request_t *r,
    ngx_teams_identity_t *id, ngx_teams_identity_entry_t *e);
static ngx_int_t ngx_teams_identity_copy(ngx_pool_t *pool, ngx_str_t *dst,
    const u_char *src);
static ngx_int_t ngx_teams_www_authenticate(ngx_http_request_t *r);


ngx_int_t
ngx_teams_identity_init_process(ngx_cycle_t *cycle,
    ngx_teams_main_conf_t *tmcf)
{
    tmcf->identity_cache = teams_lru_create(NGX_TEAMS_IDENTITY_ENTRIES,
                                         sizeof(ngx_teams_identity_entry_t));

    return tmcf->identity_cache ? NGX_OK : NGX_ERROR;
}


void
ngx_teams_identity_exit_process(ngx_teams_main_conf_t *tmcf)
{
    teams_lru_destroy(tmcf->identity_cache);
    tmcf->identity_cache = NULL;
}


void
ngx_teams_identity_flush(ngx_teams_main_conf_t *tmcf)
{
    if (tmcf->identity_cache != NULL) {
        teams_lru_clear(tmcf->identity_cache);
    }

    tmcf->cache_flushes++;

    /* what the callers may do goes with who they are */
    ngx_teams_caller_flush(tmcf);
}


ngx_int_t
ngx_teams_verify_bearer(ngx_http_request_t *r, ngx_teams_key_set_e which,
    ngx_teams_token_t *tok)
{
    size_t                             len;
    time_t                             now;
    const char                        *token;
    teams_jwk_set_t                   *set;
    teams_jwt_result_t                 res;
    ngx_pool_cleanup_t                *cln;
    ngx_table_elt_t                   *auth;
    ngx_teams_main_conf_t             *tmcf;
    const teams_token_cache_entry_t   *hit;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    tok->code = "invalid_token";
    tok->reason = NULL;

    auth = r->headers_in.authorization;

    if (auth == NULL) {
        tok->code = "missing_token";
        tok->reason = "no Authorization header";
        return NGX_HTTP_UNAUTHORIZED;
    }

    if (!teams_jwt_bearer((const char *) auth->value.data, auth->value.len,
                          &token, &len))
    {
        tok->reason = "Authorization is not a Bearer token";
        return NGX_HTTP_UNAUTHORIZED;
    }

    set = tmcf->keys[which].set;

    if (set == NULL) {
        ngx_teams_keys_request_refresh(tmcf, which, "no_keys");
        tok->code = "keys_not_loaded";
        tok->reason = "signing keys are not loaded yet; try again shortly";
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    now = ngx_time();

    hit = teams_token_cache_get(tmcf->token_cache, token, len, now);

    tok->which = which;

    if (hit != NULL
        && teams_jwk_find(set, hit->kid, ngx_strlen(hit->kid)) != NULL)
    {
        if (ngx_teams_token_kid(r, tok, hit->kid) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (teams_claims_copy(&tok->claims, &hit->claims) == 0) {
            cln->handler = ngx_teams_identity_claims_cleanup;
            cln->data = &tok->claims;
            return NGX_OK;
        }
    }

    ngx_memzero(&res, sizeof(teams_jwt_result_t));

    if (teams_jwt_verify(token, len, set, now, &res) != TEAMS_JWT_OK) {
        if (res.status == TEAMS_JWT_UNKNOWN_KID) {
            ngx_teams_keys_request_refresh(tmcf, which, "unknown_kid");
        }

        tok->reason = res.reason;

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "teams: %s token refused: %s (%s)",
                      ngx_teams_keys_name(which),
                      teams_jwt_status_name(res.status), res.reason);

        teams_jwt_result_free(&res);
        return NGX_HTTP_UNAUTHORIZED;
    }

    /* the claims move to the request; the cache keeps its own copy */
    tok->claims = res.claims;
    ngx_memzero(&res.claims, sizeof(teams_claims_t));

    cln->handler = ngx_teams_identity_claims_cleanup;
    cln->data = &tok->claims;

    if (ngx_teams_token_kid(r, tok, res.key->kid) != NGX_OK) {
        teams_jwt_result_free(&res);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) teams_token_cache_put(tmcf->token_cache, token, len, &tok->claims,
                                 res.key->kid, now);

    teams_jwt_result_free(&res);

    return NGX_OK;
}


const teams_jwk_t *
ngx_teams_token_key(ngx_http_request_t *r, ngx_teams_token_t *tok)
{
    teams_jwk_set_t        *set;
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);
    set = tmcf->keys[tok->which].set;

    if (set == NULL || tok->kid.data == NULL) {
        return NULL;
    }

    return teams_jwk_find(set, (const char *) tok->kid.data, tok->kid.len);
}


static ngx_int_t
ngx_teams_token_kid(ngx_http_request_t *r, ngx_teams_token_t *tok,
    const char *kid)
{
    tok->kid.len = ngx_strlen(kid);
    tok->kid.data = ngx_pnalloc(r->pool, tok->kid.len);

    if (tok->kid.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(tok->kid.data, kid, tok->kid.len);

    return NGX_OK;
}


static void
ngx_teams_identity_claims_cleanup(void *data)
{
    teams_claims_free(data);
}


ngx_int_t
ngx_teams_identity_resolve(ngx_http_request_t *r, ngx_str_t *client_id,
    ngx_str_t *ms_tenant, ngx_str_t *oid, ngx_teams_identity_t *id,
    ngx_teams_identity_pt done)
{
    u_char                      *p;
    ngx_teams_pg_query_t        *q;
    ngx_teams_main_conf_t       *tmcf;
    ngx_teams_resolve_ctx_t     *ctx;
    ngx_teams_identity_entry_t  *e;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    ngx_memzero(id, sizeof(ngx_teams_identity_t));

    if (oid->len == 0) {
        id->outcome = TEAMS_ID_NO_USER_ID;
        return NGX_OK;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_resolve_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    /* NUL-separated: no id can contain a NUL, so keys never collide */
    ctx->key.len = client_id->len + ms_tenant->len + oid->len + 2;
    ctx->key.data = ngx_pnalloc(r->pool, ctx->key.len + 1);
    if (ctx->key.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(ctx->key.data, client_id->data, client_id->len);
    *p++ = '\0';
    p = ngx_cpymem(p, ms_tenant->data, ms_tenant->len);
    *p++ = '\0';
    p = ngx_cpymem(p, oid->data, oid->len);
    *p = '\0';

    e = teams_lru_get(tmcf->identity_cache, (const char *) ctx->key.data,
                      ctx->key.len, ngx_time());

    if (e != NULL) {
        ngx_teams_identity_set(r, id, e);
        return NGX_OK;
    }

    ctx->request = r;
    ctx->id = id;
    ctx->done = done;
    ctx->flushes = tmcf->cache_flushes;

    /* the three NUL-terminated parts of the key are the parameters */
    ctx->params[0] = (const char *) ctx->key.data;
    ctx->params[1] = ctx->params[0] + client_id->len + 1;
    ctx->params[2] = ctx->params[1] + ms_tenant->len + 1;

    q = ngx_teams_pg_query_create(r->pool, r->connection->log);
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->sql = ngx_teams_identity_sql;
    q->nparams = 3;
    q->params = ctx->params;
    q->done = ngx_teams_identity_pg_done;
    q->data = ctx;

    ngx_teams_pg_run(tmcf->pg_pool, q);

    return NGX_AGAIN;
}


static void
ngx_teams_identity_pg_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    int                          i, n, chosen;
    ngx_http_request_t          *r;
    ngx_teams_main_conf_t       *tmcf;
    teams_identity_row_t         rows[NGX_TEAMS_IDENTITY_MAX_ROWS];
    ngx_teams_resolve_ctx_t     *ctx = q->data;
    ngx_teams_identity_entry_t   fresh, *e;

    r = ctx->request;
    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    if (q->rc != NGX_TEAMS_PG_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "teams: identity lookup failed: %s", q->error);
        ctx->id->unavailable = 1;
        ctx->done(r, ctx->id);
        return;
    }

    n = PQntuples(res);
    if (n > NGX_TEAMS_IDENTITY_MAX_ROWS) {
        n = NGX_TEAMS_IDENTITY_MAX_ROWS;
    }

    ngx_memzero(rows, sizeof(rows));

    for (i = 0; i < n; i++) {
        rows[i].tenant = PQgetvalue(res, i, 0);
        rows[i].profile_id = PQgetvalue(res, i, 1);
        rows[i].ms_tenant = PQgetvalue(res, i, 2);
        rows[i].archived = PQgetvalue(res, i, 3)[0] == 't';
        rows[i].has_secret = PQgetvalue(res, i, 4)[0] == 't';
        rows[i].bound = PQgetvalue(res, i, 5)[0] == 't';
        rows[i].install_status = PQgetisnull(res, i, 6)
                                 ? NULL : PQgetvalue(res, i, 6);
        rows[i].user_id = PQgetisnull(res, i, 7)
                          ? NULL : PQgetvalue(res, i, 7);
        rows[i].user_type = PQgetisnull(res, i, 8)
                            ? NULL : PQgetvalue(res, i, 8);
        rows[i].inactive = PQgetvalue(res, i, 9)[0] == 't';

        if (!PQgetisnull(res, i, 10)) {
            rows[i].nusers = ngx_min(ngx_atoi((u_char *) PQgetvalue(res, i, 10),
                                      PQgetlength(res, i, 10)), 2);
        }
    }

    ngx_memzero(&fresh, sizeof(ngx_teams_identity_entry_t));

    fresh.outcome = teams_identity_decide(rows, n, ctx->params[1], &chosen);

    if (chosen >= 0) {
        ngx_cpystrn(fresh.tenant, (u_char *) rows[chosen].tenant,
                    sizeof(fresh.tenant));
        ngx_cpystrn(fresh.profile_id, (u_char *) rows[chosen].profile_id,
                    sizeof(fresh.profile_id));

        if (rows[chosen].user_id != NULL) {
            ngx_cpystrn(fresh.user_id, (u_char *) rows[chosen].user_id,
                        sizeof(fresh.user_id));
        }
    }

    /* read before a flush: good for this request, not for the cache */
    if (ctx->flushes == tmcf->cache_flushes) {
        e = teams_lru_put(tmcf->identity_cache, (const char *) ctx->key.data,
                          ctx->key.len, ngx_time() + NGX_TEAMS_IDENTITY_TTL);
        if (e != NULL) {
            *e = fresh;
        }
    }

    ngx_teams_identity_set(r, ctx->id, &fresh);
    ctx->done(r, ctx->id);
}


static void
ngx_teams_identity_set(ngx_http_request_t *r, ngx_teams_identity_t *id,
    ngx_teams_identity_entry_t *e)
{
    id->outcome = e->outcome;

    if (ngx_teams_identity_copy(r->pool, &id->tenant, e->tenant) != NGX_OK
        || ngx_teams_identity_copy(r->pool, &id->user_id, e->user_id)
           != NGX_OK
        || ngx_teams_identity_copy(r->pool, &id->profile_id, e->profile_id)
           != NGX_OK)
    {
        id->unavailable = 1;
    }
}


static ngx_int_t
ngx_teams_identity_copy(ngx_pool_t *pool, ngx_str_t *dst, const u_char *src)
{
    dst->len = ngx_strlen(src);
    dst->data = ngx_pnalloc(pool, dst->len + 1);

    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, src, dst->len + 1);

    return NGX_OK;
}


ngx_int_t
ngx_teams_identity_refuse(ngx_http_request_t *r, ngx_teams_identity_t *id)
{
    if (id->unavailable) {
        return ngx_teams_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "unavailable",
                                    "The PSA cannot be reached right now. "
                                    "Please try again in a moment.");
    }

    if (teams_identity_http_status(id->outcome) == NGX_HTTP_UNAUTHORIZED
        && ngx_teams_www_authenticate(r) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_teams_send_error(r, teams_identity_http_status(id->outcome),
                                teams_identity_code(id->outcome),
                                teams_identity_message(id->outcome));
}


static ngx_int_t
ngx_teams_www_authenticate(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "WWW-Authenticate");
    ngx_str_set(&h->value, "Bearer");

    return NGX_OK;
}


ngx_int_t
ngx_teams_token_refuse(ngx_http_request_t *r, ngx_int_t status,
    ngx_teams_token_t *tok)
{
    teams_jw_t  w;

    if (status == NGX_HTTP_UNAUTHORIZED
        && ngx_teams_www_authenticate(r) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_teams_jw_init(r, &w);
    teams_jw_object(&w);
    teams_jw_key(&w, "error");
    teams_jw_object(&w);
    teams_jw_kstr(&w, "code", tok->code);
    teams_jw_kstr(&w, "message",
                  status == NGX_HTTP_SERVICE_UNAVAILABLE
                  ? "The PSA is starting up. Please try again in a moment."
                  : status == NGX_HTTP_FORBIDDEN
                  ? "This request is not allowed for this Teams app."
                  : "The request could not be authenticated.");
    teams_jw_kstr(&w, "reason", tok->reason);
    teams_jw_end(&w);
    teams_jw_end(&w);

    return ngx_teams_send_jw(r, status, &w);
}
