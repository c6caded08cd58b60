
/*
 * The caller's context (see ngx_teams_caller.h).  The statement's JSON is
 * parsed once; the cache holds its strings packed under tenant and user,
 * and a hit copies them into the request's pool in one piece, so nothing
 * in a request points into the cache.  A context too large for an entry
 * is used, not cached.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_caller.h"
#include "ngx_teams_pg.h"
#include "ngx_teams_action_sql.h"
#include "core/teams_json.h"
#include "core/teams_lru.h"
#include "core/teams_pg_array.h"


/* as long as the identity it belongs to is cached */
#define NGX_TEAMS_CALLER_TTL       30
#define NGX_TEAMS_CALLER_ENTRIES   1024
#define NGX_TEAMS_CALLER_STRS_MAX  4000


/*
 * strs: the app id ("" for none), the permissions, the allowed actions,
 * the capabilities and the permissions' text[] literal, each NUL-ended
 */
typedef struct {
    unsigned                   found:1;
    uint16_t                   nperms;
    uint16_t                   nallowed;
    uint16_t                   ncaps;
    uint16_t                   len;
    char                       strs[NGX_TEAMS_CALLER_STRS_MAX];
} ngx_teams_caller_entry_t;


typedef struct {
    ngx_http_request_t        *request;
    ngx_teams_caller_t        *caller;
    ngx_teams_caller_pt        done;
    void                      *data;
    ngx_str_t                  key;
    ngx_uint_t                 flushes;    /* tmcf->cache_flushes at start */
    const char                *params[2];
} ngx_teams_caller_ctx_t;


static const char  ngx_teams_caller_sql[] = NGX_TEAMS_SQL_CALLER;


static void ngx_teams_caller_pg_done(ngx_teams_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_teams_caller_set(ngx_http_request_t *r,
    ngx_teams_caller_t *c, const char *json, size_t len);
static const char *const *ngx_teams_caller_list(ngx_pool_t *pool,
    const teams_json_t *arr, size_t *n);
static size_t ngx_teams_caller_size(const ngx_teams_caller_t *c);
static void ngx_teams_caller_pack(ngx_teams_caller_entry_t *e,
    const ngx_teams_caller_t *c);
static ngx_int_t ngx_teams_caller_unpack(ngx_http_request_t *r,
    ngx_teams_caller_t *c, const ngx_teams_caller_entry_t *e);
static void ngx_teams_caller_cleanup(void *data);


ngx_int_t
ngx_teams_caller_init_process(ngx_teams_main_conf_t *tmcf)
{
    tmcf->caller_cache = teams_lru_create(NGX_TEAMS_CALLER_ENTRIES,
                                          sizeof(ngx_teams_caller_entry_t));

    return tmcf->caller_cache ? NGX_OK : NGX_ERROR;
}


void
ngx_teams_caller_exit_process(ngx_teams_main_conf_t *tmcf)
{
    teams_lru_destroy(tmcf->caller_cache);
    tmcf->caller_cache = NULL;
}


void
ngx_teams_caller_flush(ngx_teams_main_conf_t *tmcf)
{
    if (tmcf->caller_cache != NULL) {
        teams_lru_clear(tmcf->caller_cache);
    }
}


ngx_int_t
ngx_teams_caller_get(ngx_http_request_t *r, ngx_str_t *tenant,
    ngx_str_t *user_id, ngx_teams_caller_t *c, ngx_teams_caller_pt done,
    void *data)
{
    u_char                    *p;
    ngx_teams_pg_query_t      *q;
    ngx_teams_main_conf_t     *tmcf;
    ngx_teams_caller_ctx_t    *ctx;
    ngx_teams_caller_entry_t  *e;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_teams_caller_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    /* NUL-separated, and the two parts are the statement's parameters */
    ctx->key.len = tenant->len + 1 + user_id->len;
    ctx->key.data = ngx_pnalloc(r->pool, ctx->key.len + 1);
    if (ctx->key.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(ctx->key.data, tenant->data, tenant->len);
    *p++ = '\0';
    p = ngx_cpymem(p, user_id->data, user_id->len);
    *p = '\0';

    e = teams_lru_get(tmcf->caller_cache, (const char *) ctx->key.data,
                      ctx->key.len, ngx_time());

    if (e != NULL) {
        if (!e->found) {
            ngx_memzero(c, sizeof(ngx_teams_caller_t));
            return NGX_OK;
        }

        return ngx_teams_caller_unpack(r, c, e);
    }

    ctx->request = r;
    ctx->caller = c;
    ctx->done = done;
    ctx->data = data;
    ctx->flushes = tmcf->cache_flushes;
    ctx->params[0] = (const char *) ctx->key.data;
    ctx->params[1] = ctx->params[0] + tenant->len + 1;

    q = ngx_teams_pg_query_create(r->pool, r->connection->log);
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->sql = ngx_teams_caller_sql;
    q->nparams = 2;
    q->params = ctx->params;
    q->done = ngx_teams_caller_pg_done;
    q->data = ctx;

    ngx_teams_pg_run(tmcf->pg_pool, q);

    return NGX_AGAIN;
}


static void
ngx_teams_caller_pg_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    size_t                     len;
    const char                *json;
    ngx_http_request_t        *r;
    ngx_teams_main_conf_t     *tmcf;
    ngx_teams_caller_ctx_t    *ctx = q->data;
    ngx_teams_caller_entry_t  *e;

    r = ctx->request;
    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    ngx_memzero(ctx->caller, sizeof(ngx_teams_caller_t));

    if (q->rc != NGX_TEAMS_PG_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "teams: caller context lookup failed: %s", q->error);
        ctx->caller->unavailable = 1;
        ctx->done(r, ctx->data);
        return;
    }

    json = NULL;
    len = 0;

    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        json = PQgetvalue(res, 0, 0);
        len = PQgetlength(res, 0, 0);
    }

    /* only a context this request could use is cached */
    if (json != NULL && ngx_teams_caller_set(r, ctx->caller, json, len)
                        != NGX_OK)
    {
        ngx_memzero(ctx->caller, sizeof(ngx_teams_caller_t));
        ctx->caller->unavailable = 1;
        ctx->done(r, ctx->data);
        return;
    }

    /* read before a flush: good for this request, not for the cache */
    if (ctx->flushes == tmcf->cache_flushes
        && ngx_teams_caller_size(ctx->caller) <= NGX_TEAMS_CALLER_STRS_MAX)
    {
        e = teams_lru_put(tmcf->caller_cache, (const char *) ctx->key.data,
                          ctx->key.len, ngx_time() + NGX_TEAMS_CALLER_TTL);
        if (e != NULL) {
            ngx_teams_caller_pack(e, ctx->caller);
        }
    }

    ctx->done(r, ctx->data);
}


/* the bytes of a context's strings packed; 0 for no context */
static size_t
ngx_teams_caller_size(const ngx_teams_caller_t *c)
{
    size_t        i, n, size;
    const char   *const *lists[3] = { c->perms, c->allowed, c->caps };
    size_t        counts[3] = { c->nperms, c->nallowed, c->ncaps };

    if (!c->found) {
        return 0;
    }

    size = (c->app_id ? ngx_strlen(c->app_id) : 0) + 1
           + ngx_strlen(c->perms_array) + 1;

    for (n = 0; n < 3; n++) {
        for (i = 0; i < counts[n]; i++) {
            size += ngx_strlen(lists[n][i]) + 1;
        }
    }

    return size;
}


/* a context whose ngx_teams_caller_size() fits the entry */
static void
ngx_teams_caller_pack(ngx_teams_caller_entry_t *e,
    const ngx_teams_caller_t *c)
{
    char         *p;
    size_t        i, n;
    const char   *const *lists[3] = { c->perms, c->allowed, c->caps };
    size_t        counts[3] = { c->nperms, c->nallowed, c->ncaps };

    ngx_memzero(e, offsetof(ngx_teams_caller_entry_t, strs));

    if (!c->found) {
        return;
    }

    p = e->strs;
    p = (char *) ngx_cpymem(p, c->app_id ? c->app_id : "",
                            (c->app_id ? ngx_strlen(c->app_id) : 0) + 1);

    for (n = 0; n < 3; n++) {
        for (i = 0; i < counts[n]; i++) {
            p = (char *) ngx_cpymem(p, lists[n][i],
                                    ngx_strlen(lists[n][i]) + 1);
        }
    }

    p = (char *) ngx_cpymem(p, c->perms_array,
                            ngx_strlen(c->perms_array) + 1);

    e->found = 1;
    e->nperms = (uint16_t) c->nperms;
    e->nallowed = (uint16_t) c->nallowed;
    e->ncaps = (uint16_t) c->ncaps;
    e->len = (uint16_t) (p - e->strs);
}


static ngx_int_t
ngx_teams_caller_unpack(ngx_http_request_t *r, ngx_teams_caller_t *c,
    const ngx_teams_caller_entry_t *e)
{
    char         *p;
    size_t        i, n;
    const char  **list;

    ngx_memzero(c, sizeof(ngx_teams_caller_t));

    p = ngx_pnalloc(r->pool, e->len);
    list = ngx_palloc(r->pool, (e->nperms + e->nallowed + e->ncaps + 3)
                               * sizeof(char *));
    if (p == NULL || list == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, e->strs, e->len);

    c->app_id = p[0] ? p : NULL;
    p += ngx_strlen(p) + 1;

    c->perms = list;
    c->nperms = e->nperms;
    c->allowed = list + e->nperms + 1;
    c->nallowed = e->nallowed;
    c->caps = list + e->nperms + e->nallowed + 2;
    c->ncaps = e->ncaps;

    /* each list NULL-ended, as the lists of a parsed context */
    for (n = 0; n < 3; n++) {
        for (i = 0; i < (n == 0 ? e->nperms : n == 1 ? e->nallowed
                                                     : e->ncaps); i++)
        {
            *list++ = p;
            p += ngx_strlen(p) + 1;
        }

        *list++ = NULL;
    }

    c->perms_array = p;
    c->found = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_teams_caller_set(ngx_http_request_t *r, ngx_teams_caller_t *c,
    const char *json, size_t len)
{
    char                *arr;
    const char          *err;
    teams_json_t        *v;
    ngx_pool_cleanup_t  *cln;
    const teams_json_t  *app;

    ngx_memzero(c, sizeof(ngx_teams_caller_t));

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    v = teams_json_parse(json, len, 4, &err);
    if (v == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "teams: bad caller context: %s", err);
        return NGX_ERROR;
    }

    cln->handler = ngx_teams_caller_cleanup;
    cln->data = v;

    c->perms = ngx_teams_caller_list(r->pool, teams_json_get(v, "perms"),
                                     &c->nperms);
    c->allowed = ngx_teams_caller_list(r->pool, teams_json_get(v, "allowed"),
                                       &c->nallowed);
    c->caps = ngx_teams_caller_list(r->pool, teams_json_get(v, "caps"),
                                    &c->ncaps);

    app = teams_json_get(v, "app_id");
    c->app_id = app && app->type == TEAMS_JSON_STRING ? app->str : NULL;

    arr = ngx_pnalloc(r->pool, teams_pg_array_size(c->perms, c->nperms));
    if (c->perms == NULL || c->allowed == NULL || c->caps == NULL
        || arr == NULL)
    {
        return NGX_ERROR;
    }

    c->perms_array = teams_pg_array(arr, c->perms, c->nperms);
    c->found = 1;

    return NGX_OK;
}


/* the strings of a JSON array; an empty list (not NULL) when none */
static const char *const *
ngx_teams_caller_list(ngx_pool_t *pool, const teams_json_t *arr, size_t *n)
{
    size_t               i, count;
    const char         **list;
    const teams_json_t  *v;

    *n = 0;

    if (arr == NULL || arr->type != TEAMS_JSON_ARRAY) {
        arr = NULL;
    }

    count = arr ? arr->nchildren : 0;

    list = ngx_pcalloc(pool, (count + 1) * sizeof(char *));
    if (list == NULL || arr == NULL) {
        return list;
    }

    for (i = 0, v = arr->child; v != NULL; v = v->next) {
        if (v->type == TEAMS_JSON_STRING) {
            list[i++] = v->str;
        }
    }

    *n = i;

    return list;
}


static void
ngx_teams_caller_cleanup(void *data)
{
    teams_json_free(data);
}
