
/*
 * The database side of the notifications preference card (see
 * ngx_teams_notify_prefs.h): one statement reads the tenant's categories
 * with the user's state; one statement writes the changed rows and gives
 * back the refreshed state.
 */


#include "ngx_teams_notify_prefs.h"
#include "ngx_teams_apikey.h"
#include "ngx_teams_pg.h"

#include "notify/teams_notify.h"
#include "notify/teams_notify_prefs.h"


/* the tenant's categories (a non-array is none) */
#define NGX_TEAMS_PREFS_OFFERED                                               \
    "SELECT c.category FROM teams_integrations ti"                            \
    " CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN"                 \
    " jsonb_typeof(ti.notification_categories) = 'array'"                     \
    " THEN ti.notification_categories ELSE '[]'::jsonb END) AS c (category)"  \
    " WHERE ti.tenant = $1::uuid"


static const char  ngx_teams_prefs_load_sql[] =
    "WITH off AS (" NGX_TEAMS_PREFS_OFFERED ")"
    " SELECT off.category, coalesce(p.enabled, true) FROM off"
    " LEFT JOIN teams_notification_preferences p ON p.tenant = $1::uuid"
    "  AND p.user_id = $2::uuid AND p.category = off.category";

static const char  ngx_teams_prefs_save_sql[] =
    "WITH off AS (" NGX_TEAMS_PREFS_OFFERED "),"
    " v AS (SELECT * FROM unnest($3::text[], $4::boolean[])"
    "  AS v (category, enabled)"
    "  WHERE v.category IN (SELECT category FROM off)),"
    " up AS (INSERT INTO teams_notification_preferences AS p (tenant,"
    "  user_id, category, enabled)"
    "  SELECT $1::uuid, $2::uuid, v.category, v.enabled FROM v"
    "  ON CONFLICT (tenant, user_id, category) DO UPDATE"
    "  SET enabled = EXCLUDED.enabled, updated_at = now()"
    "  RETURNING p.category, p.enabled)"
    " SELECT off.category, coalesce(up.enabled, p.enabled, true) FROM off"
    " LEFT JOIN up ON up.category = off.category"
    " LEFT JOIN teams_notification_preferences p ON p.tenant = $1::uuid"
    "  AND p.user_id = $2::uuid AND p.category = off.category";


typedef struct {
    ngx_http_request_t         *request;
    ngx_teams_notify_prefs_pt   done;
    ngx_teams_pg_query_t       *q;
    const char                 *params[4];
    const char                 *notice;
    ngx_int_t                   rc;
} ngx_teams_prefs_ctx_t;


static ngx_teams_prefs_ctx_t *ngx_teams_prefs_start(ngx_http_request_t *r,
    ngx_str_t *tenant, ngx_str_t *user_id, ngx_teams_notify_prefs_pt done);
static void ngx_teams_prefs_done(ngx_teams_pg_query_t *q, PGresult *res);
static const char *ngx_teams_prefs_strdup(ngx_pool_t *pool, ngx_str_t *s);


ngx_int_t
ngx_teams_notify_prefs_card(ngx_http_request_t *r, ngx_str_t *tenant,
    ngx_str_t *user_id, ngx_teams_notify_prefs_pt done)
{
    ngx_teams_prefs_ctx_t  *ctx;

    ctx = ngx_teams_prefs_start(r, tenant, user_id, done);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ctx->q->sql = ngx_teams_prefs_load_sql;
    ctx->q->nparams = 2;

    ngx_teams_pg_run(
        ((ngx_teams_main_conf_t *)
         ngx_http_get_module_main_conf(r, ngx_teams_module))->pg_pool,
        ctx->q);

    return NGX_AGAIN;
}


ngx_int_t
ngx_teams_notify_prefs_save(ngx_http_request_t *r, ngx_str_t *tenant,
    ngx_str_t *user_id, const teams_json_t *data,
    ngx_teams_notify_prefs_pt done)
{
    u_char                 *p, *b;
    unsigned                i, given, on;
    const char             *err;
    teams_notify_prefs_t    all;
    ngx_teams_prefs_ctx_t  *ctx;

    ctx = ngx_teams_prefs_start(r, tenant, user_id, done);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    /* the tenant's categories are applied by the statement */
    all.offered = (1u << TEAMS_NOTIFY_NCATEGORIES) - 1;
    all.on = 0;

    err = teams_notify_prefs_parse(data, &all, &given, &on);

    if (err != NULL) {
        ctx->notice = err;
        ctx->rc = NGX_DECLINED;

        ctx->q->sql = ngx_teams_prefs_load_sql;
        ctx->q->nparams = 2;

    } else {
        /* {assignment,sla_risk} and {t,f} */
        p = ngx_pnalloc(r->pool, 2 + TEAMS_NOTIFY_NCATEGORIES * 24);
        b = ngx_pnalloc(r->pool, 2 + TEAMS_NOTIFY_NCATEGORIES * 2);
        if (p == NULL || b == NULL) {
            return NGX_ERROR;
        }

        ctx->params[2] = (const char *) p;
        ctx->params[3] = (const char *) b;

        *p++ = '{';
        *b++ = '{';

        for (i = 0; i < TEAMS_NOTIFY_NCATEGORIES; i++) {
            if (!(given & (1u << i))) {
                continue;
            }

            if (p[-1] != '{') {
                *p++ = ',';
                *b++ = ',';
            }

            p = ngx_cpymem(p, teams_notify_categories[i],
                           ngx_strlen(teams_notify_categories[i]));
            *b++ = (on & (1u << i)) ? 't' : 'f';
        }

        *p++ = '}';
        *p = '\0';
        *b++ = '}';
        *b = '\0';

        ctx->notice = "Saved.";
        ctx->q->sql = ngx_teams_prefs_save_sql;
        ctx->q->nparams = 4;
    }

    ngx_teams_pg_run(
        ((ngx_teams_main_conf_t *)
         ngx_http_get_module_main_conf(r, ngx_teams_module))->pg_pool,
        ctx->q);

    return NGX_AGAIN;
}


static ngx_teams_prefs_ctx_t *
ngx_teams_prefs_start(ngx_http_request_t *r, ngx_str_t *tenant,
    ngx_str_t *user_id, ngx_teams_notify_prefs_pt done)
{
    ngx_teams_main_conf_t  *tmcf;
    ngx_teams_prefs_ctx_t  *ctx;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    if (tmcf->pg_pool == NULL || tenant == NULL || user_id == NULL
        || tenant->len != NGX_TEAMS_UUID_LEN
        || user_id->len != NGX_TEAMS_UUID_LEN)
    {
        return NULL;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_prefs_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->request = r;
    ctx->done = done;
    ctx->rc = NGX_OK;

    ctx->params[0] = ngx_teams_prefs_strdup(r->pool, tenant);
    ctx->params[1] = ngx_teams_prefs_strdup(r->pool, user_id);

    ctx->q = ngx_teams_pg_query_create(r->pool, r->connection->log);

    if (ctx->params[0] == NULL || ctx->params[1] == NULL || ctx->q == NULL) {
        return NULL;
    }

    ctx->q->params = ctx->params;
    ctx->q->done = ngx_teams_prefs_done;
    ctx->q->data = ctx;

    return ctx;
}


static void
ngx_teams_prefs_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    int                     row, rows;
    size_t                  len;
    unsigned                bit;
    ngx_str_t               card;
    teams_jw_t              w;
    const char             *cat;
    teams_notify_prefs_t    p;
    ngx_http_request_t     *r;
    ngx_teams_prefs_ctx_t  *ctx;

    ctx = q->data;
    r = ctx->request;

    if (q->rc != NGX_TEAMS_PG_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "teams notifications card: the %s failed%s%s",
                      q->sql == ngx_teams_prefs_save_sql ? "save" : "read",
                      q->rc == NGX_TEAMS_PG_SQL_ERROR ? ", SQLSTATE " : "",
                      q->rc == NGX_TEAMS_PG_SQL_ERROR
                      ? ngx_teams_pg_sqlstate(res) : "");
        ctx->done(r, NULL, NGX_ERROR);
        return;
    }

    p.offered = 0;
    p.on = 0;
    rows = PQntuples(res);

    for (row = 0; row < rows; row++) {
        cat = PQgetvalue(res, row, 0);
        len = PQgetlength(res, row, 0);
        bit = teams_notify_prefs_bit(cat, len);

        p.offered |= bit;

        if (PQgetvalue(res, row, 1)[0] == 't') {
            p.on |= bit;
        }
    }

    ngx_teams_jw_init(r, &w);
    teams_notify_prefs_card(&w, &p, ctx->notice);

    card.data = (u_char *) teams_jw_finish(&w, &card.len);

    if (card.data == NULL) {
        ctx->done(r, NULL, NGX_ERROR);
        return;
    }

    ctx->done(r, &card, ctx->rc);
}


static const char *
ngx_teams_prefs_strdup(ngx_pool_t *pool, ngx_str_t *s)
{
    u_char  *p;

    p = ngx_pnalloc(pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    *ngx_cpymem(p, s->data, s->len) = '\0';

    return (const char *) p;
}
