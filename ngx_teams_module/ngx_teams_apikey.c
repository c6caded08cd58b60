
/*
 * x-api-key -> SHA-256 hex -> api_keys -> users -> user_roles -> roles (msp)
 * -> role_permissions -> permissions (msp), in one statement.
 *
 * api_keys.last_used_at is refreshed by the same statement, at most once a
 * minute per key (a data-modifying CTE that touches the row only when the
 * stored value is older than 60 s), so a busy key costs no extra write per
 * request and no extra round trip.
 */


#include "ngx_teams_apikey.h"
#include "ngx_teams_pg.h"

#include <openssl/evp.h>
#include <openssl/crypto.h>


/* PSA API keys are 64 hex characters; anything much longer is refused */
#define NGX_TEAMS_APIKEY_MAX_LEN  512


#define NGX_TEAMS_APIKEY_SQL                                                  \
    "WITH k AS ("                                                             \
    " SELECT api_key_id, tenant, user_id, active,"                            \
    "        (expires_at IS NOT NULL AND expires_at <= now()) AS expired"     \
    "   FROM api_keys WHERE api_key = $1),"                                   \
    " u AS ("                                                                 \
    " SELECT k.*, us.user_id IS NOT NULL AS user_found,"                      \
    "        coalesce(us.is_inactive, false) AS user_inactive,"               \
    "        us.user_type"                                                    \
    "   FROM k LEFT JOIN users us"                                            \
    "     ON us.tenant = k.tenant AND us.user_id = k.user_id),"               \
    " p AS ("                                                                 \
    " SELECT coalesce(bool_or(pm.action = 'read'), false) AS can_read,"       \
    "        coalesce(bool_or(pm.action = 'update'), false) AS can_update"    \
    "   FROM k"                                                               \
    "   JOIN user_roles ur ON ur.tenant = k.tenant"                           \
    "    AND ur.user_id = k.user_id"                                          \
    "   JOIN roles ro ON ro.tenant = ur.tenant AND ro.role_id = ur.role_id"   \
    "    AND ro.msp"                                                          \
    "   JOIN role_permissions rp ON rp.tenant = ur.tenant"                    \
    "    AND rp.role_id = ur.role_id"                                         \
    "   JOIN permissions pm ON pm.tenant = rp.tenant"                         \
    "    AND pm.permission_id = rp.permission_id AND pm.msp"                  \
    "    AND pm.resource = $2 AND pm.action IN ('read', 'update')),"          \
    " touch AS ("                                                             \
    " UPDATE api_keys a SET last_used_at = now() FROM u"                      \
    "  WHERE a.tenant = u.tenant AND a.api_key_id = u.api_key_id"             \
    "    AND u.active AND NOT u.expired AND u.user_found"                     \
    "    AND NOT u.user_inactive"                                             \
    "    AND (a.last_used_at IS NULL"                                         \
    "         OR a.last_used_at < now() - interval '60 seconds')"             \
    " RETURNING 1)"                                                           \
    " SELECT u.tenant, u.user_id, u.api_key_id,"                              \
    "        CASE WHEN NOT u.active THEN 'inactive_key'"                      \
    "             WHEN u.expired THEN 'expired_key'"                          \
    "             WHEN NOT u.user_found THEN 'no_user'"                       \
    "             WHEN u.user_inactive THEN 'inactive_user'"                  \
    "             WHEN u.user_type <> 'internal' THEN 'client_user'"          \
    "             ELSE 'ok' END,"                                             \
    "        p.can_read, p.can_update"                                        \
    "   FROM u, p"


typedef struct {
    ngx_http_request_t         *request;
    ngx_teams_apikey_done_pt    done;
    const char                 *params[2];
    u_char                      hash[64 + 1];
    ngx_teams_apikey_result_t   result;
} ngx_teams_apikey_ctx_t;


static ngx_table_elt_t *ngx_teams_apikey_header(ngx_http_request_t *r);
static ngx_int_t ngx_teams_apikey_hash(ngx_str_t *key, u_char *hex);
static void ngx_teams_apikey_pg_done(ngx_teams_pg_query_t *q,
    PGresult *res);
static void ngx_teams_apikey_copy_uuid(u_char *dst, PGresult *res, int col);


ngx_int_t
ngx_teams_apikey_check(ngx_http_request_t *r, ngx_teams_apikey_done_pt done)
{
    return ngx_teams_apikey_check_resource(r, "system_settings", done);
}


ngx_int_t
ngx_teams_apikey_check_resource(ngx_http_request_t *r, const char *resource,
    ngx_teams_apikey_done_pt done)
{
    ngx_str_t                key;
    ngx_table_elt_t         *h;
    ngx_teams_pg_query_t    *q;
    ngx_teams_main_conf_t   *tmcf;
    ngx_teams_apikey_ctx_t  *ctx;

    h = ngx_teams_apikey_header(r);

    if (h == NULL || h->value.len == 0) {
        return NGX_DECLINED;
    }

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_apikey_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ctx->request = r;
    ctx->done = done;

    key = h->value;

    if (key.len > NGX_TEAMS_APIKEY_MAX_LEN) {
        /* cannot be a PSA key; still one answer shape: an unknown key */
        ngx_memset(ctx->hash, '0', 64);

    } else if (ngx_teams_apikey_hash(&key, ctx->hash) != NGX_OK) {
        return NGX_ERROR;
    }

    ctx->params[0] = (const char *) ctx->hash;
    ctx->params[1] = resource;

    q = ngx_teams_pg_query_create(r->pool, r->connection->log);
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->sql = NGX_TEAMS_APIKEY_SQL;
    q->nparams = 2;
    q->params = ctx->params;
    q->done = ngx_teams_apikey_pg_done;
    q->data = ctx;

    if (tmcf->pg_pool == NULL) {
        return NGX_ERROR;
    }

    ngx_teams_pg_run(tmcf->pg_pool, q);

    return NGX_AGAIN;
}


static ngx_table_elt_t *
ngx_teams_apikey_header(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == sizeof("x-api-key") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "x-api-key",
                               sizeof("x-api-key") - 1) == 0)
        {
            return &h[i];
        }
    }

    return NULL;
}


static ngx_int_t
ngx_teams_apikey_hash(ngx_str_t *key, u_char *hex)
{
    u_char        md[EVP_MAX_MD_SIZE];
    unsigned int  mdlen;

    if (EVP_Digest(key->data, key->len, md, &mdlen, EVP_sha256(), NULL)
        != 1 || mdlen != 32)
    {
        return NGX_ERROR;
    }

    ngx_hex_dump(hex, md, 32);
    hex[64] = '\0';

    OPENSSL_cleanse(md, sizeof(md));

    return NGX_OK;
}


static void
ngx_teams_apikey_pg_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    const char                 *reason;
    ngx_teams_apikey_ctx_t     *ctx = q->data;
    ngx_teams_apikey_result_t  *rs;

    rs = &ctx->result;

    if (q->rc != NGX_TEAMS_PG_OK) {
        rs->status = NGX_TEAMS_APIKEY_UNAVAILABLE;
        rs->reason = "database_unavailable";

        if (q->rc == NGX_TEAMS_PG_SQL_ERROR) {
            ngx_log_error(NGX_LOG_ERR, ctx->request->connection->log, 0,
                          "teams api key: query failed, SQLSTATE %s",
                          ngx_teams_pg_sqlstate(res));
        }

        ctx->done(ctx->request, rs);
        return;
    }

    if (PQntuples(res) != 1) {
        rs->status = NGX_TEAMS_APIKEY_INVALID;
        rs->reason = "unknown_key";
        ctx->done(ctx->request, rs);
        return;
    }

    ngx_teams_apikey_copy_uuid(rs->tenant, res, 0);
    ngx_teams_apikey_copy_uuid(rs->user_id, res, 1);
    ngx_teams_apikey_copy_uuid(rs->api_key_id, res, 2);
    rs->tenant_known = 1;

    reason = PQgetvalue(res, 0, 3);

    if (ngx_strcmp(reason, "ok") == 0) {
        rs->status = NGX_TEAMS_APIKEY_OK;
        rs->reason = "ok";

    } else if (ngx_strcmp(reason, "client_user") == 0) {
        rs->status = NGX_TEAMS_APIKEY_NOT_INTERNAL;
        rs->reason = "client_user";

    } else {
        rs->status = NGX_TEAMS_APIKEY_INVALID;
        rs->reason = ngx_strcmp(reason, "inactive_key") == 0 ? "inactive_key"
                     : ngx_strcmp(reason, "expired_key") == 0 ? "expired_key"
                     : ngx_strcmp(reason, "no_user") == 0 ? "no_user"
                     : "inactive_user";
    }

    rs->can_read = (PQgetvalue(res, 0, 4)[0] == 't');
    rs->can_update = (PQgetvalue(res, 0, 5)[0] == 't');

    ctx->done(ctx->request, rs);
}


static void
ngx_teams_apikey_copy_uuid(u_char *dst, PGresult *res, int col)
{
    size_t  len;

    dst[0] = '\0';

    if (PQgetisnull(res, 0, col)) {
        return;
    }

    len = PQgetlength(res, 0, col);

    if (len > NGX_TEAMS_UUID_LEN) {
        len = NGX_TEAMS_UUID_LEN;
    }

    ngx_memcpy(dst, PQgetvalue(res, 0, col), len);
    dst[len] = '\0';
}
