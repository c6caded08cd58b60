
/*
 * The admin API's operations.  Each is one parameterized statement (the
 * activation and the legacy write are two), tenant-scoped by $1, that also
 * writes its success audit row in a data-modifying CTE, so the change and
 * its audit row commit together.  $1..$5 are always tenant, actor, API key
 * id, method and route pattern.
 */


#include "ngx_teams_admin.h"

#include "core/teams_url.h"


#define NGX_TEAMS_TS(x)                                                       \
    "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* a profile as 12 columns; see ngx_teams_admin_profile() */
#define NGX_TEAMS_PCOLS(a)                                                    \
    a ".profile_id, " a ".display_name, " a ".client_id, " a ".tenant_id, "   \
    a ".is_default, " a ".is_archived, " NGX_TEAMS_TS(a ".archived_at") ", "  \
    a ".client_secret_ref, " NGX_TEAMS_TS(a ".created_at") ", "               \
    NGX_TEAMS_TS(a ".updated_at") ", "                                        \
    "array_to_string(ARRAY(SELECT cb.consumer_type"                           \
    " FROM microsoft_profile_consumer_bindings cb"                            \
    " WHERE cb.tenant = " a ".tenant AND cb.profile_id = " a ".profile_id"    \
    " ORDER BY cb.consumer_type), ','), "                                     \
    "EXISTS (SELECT 1 FROM teams_integrations ti0"                            \
    " WHERE ti0.tenant = " a ".tenant"                                        \
    " AND ti0.selected_profile_id = " a ".profile_id)"

#define NGX_TEAMS_NPCOLS  12

/* the Teams integration as 12 columns; see ngx_teams_admin_integration() */
#define NGX_TEAMS_ICOLS(t)                                                    \
    t ".tenant IS NOT NULL, " t ".selected_profile_id, "                      \
    "coalesce(" t ".install_status, 'not_configured'), "                      \
    "coalesce(" t ".enabled_capabilities::text, '[]'), "                      \
    "coalesce(" t ".notification_categories::text, '[]'), "                   \
    "coalesce(" t ".allowed_actions::text, '[]'), "                           \
    t ".last_error, " t ".app_id, " t ".bot_id, "                             \
    NGX_TEAMS_TS(t ".updated_at") ", ipr.display_name, ipr.is_archived"

#define NGX_TEAMS_IJOIN(t)                                                    \
    " LEFT JOIN microsoft_profiles ipr ON ipr.tenant = $1::uuid"              \
    " AND ipr.profile_id = " t ".selected_profile_id"

#define NGX_TEAMS_AUDIT(type, target, status, from)                           \
    "INSERT INTO teams_admin_audit_events (tenant, actor_user_id,"            \
    " api_key_id, method, route, target_type, target_id, result_status,"      \
    " http_status) SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, " \
    type ", " target ", 'success', " status " " from

/* drops the integration to install_pending when its profile's ids change */
#define NGX_TEAMS_IDS_CHANGED_CTE                                             \
    " ti AS (UPDATE teams_integrations t SET install_status ="                \
    " 'install_pending', updated_by = $2::uuid, updated_at = now()"           \
    " FROM upd WHERE t.tenant = $1::uuid"                                     \
    " AND t.selected_profile_id = upd.profile_id AND upd.ids_changed"         \
    " AND t.install_status <> 'install_pending' RETURNING 1),"


static const char  ngx_teams_admin_sql_profiles[] =
    "WITH a AS (" NGX_TEAMS_AUDIT("'profile'", "NULL", "200", "") ")"
    " SELECT " NGX_TEAMS_PCOLS("p")
    " FROM microsoft_profiles p WHERE p.tenant = $1::uuid"
    " ORDER BY p.is_archived, lower(p.display_name), p.profile_id";

static const char  ngx_teams_admin_sql_profile[] =
    "WITH p AS (SELECT * FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid),"
    " a AS (" NGX_TEAMS_AUDIT("'profile'", "p.profile_id::text", "200",
                              "FROM p") ")"
    " SELECT " NGX_TEAMS_PCOLS("p") " FROM p";

static const char  ngx_teams_admin_sql_create[] =
    "WITH ins AS (INSERT INTO microsoft_profiles (tenant, profile_id,"
    " display_name, display_name_normalized, client_id, tenant_id,"
    " client_secret_ref, is_default, created_by, updated_by)"
    " SELECT $1::uuid, $6::uuid, $7::text, lower($7::text), $8::text,"
    " $9::text, $10::text, NOT EXISTS (SELECT 1 FROM microsoft_profiles d"
    " WHERE d.tenant = $1::uuid AND d.is_default AND NOT d.is_archived),"
    " $2::uuid, $2::uuid RETURNING *),"
    " a AS (" NGX_TEAMS_AUDIT("'profile'", "ins.profile_id::text", "201",
                              "FROM ins") ")"
    " SELECT " NGX_TEAMS_PCOLS("ins") " FROM ins";

/* result: was archived, -, profile (absent when not changed) */
static const char  ngx_teams_admin_sql_patch[] =
    "WITH old AS (SELECT * FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid FOR UPDATE),"
    " upd AS (UPDATE microsoft_profiles p SET"
    " display_name = coalesce($7::text, p.display_name),"
    " display_name_normalized = coalesce(lower($7::text),"
    " p.display_name_normalized),"
    " client_id = coalesce($8::text, p.client_id),"
    " tenant_id = coalesce($9::text, p.tenant_id),"
    " updated_by = $2::uuid, updated_at = now()"
    " FROM old WHERE p.tenant = old.tenant AND p.profile_id = old.profile_id"
    " AND NOT old.is_archived RETURNING p.*,"
    " (p.client_id IS DISTINCT FROM old.client_id"
    " OR p.tenant_id IS DISTINCT FROM old.tenant_id) AS ids_changed),"
    NGX_TEAMS_IDS_CHANGED_CTE
    " a AS (" NGX_TEAMS_AUDIT("'profile'", "upd.profile_id::text", "200",
                              "FROM upd") ")"
    " SELECT old.is_archived, NULL, " NGX_TEAMS_PCOLS("upd")
    " FROM old LEFT JOIN upd ON true";

static const char  ngx_teams_admin_sql_secret[] =
    "WITH old AS (SELECT profile_id, is_archived FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid FOR UPDATE),"
    " upd AS (UPDATE microsoft_profiles p SET client_secret_ref = $7::text,"
    " updated_by = $2::uuid, updated_at = now() FROM old"
    " WHERE p.tenant = $1::uuid AND p.profile_id = old.profile_id"
    " AND NOT old.is_archived RETURNING p.*),"
    " a AS (" NGX_TEAMS_AUDIT("'profile'", "upd.profile_id::text", "200",
                              "FROM upd") ")"
    " SELECT old.is_archived, NULL, " NGX_TEAMS_PCOLS("upd")
    " FROM old LEFT JOIN upd ON true";

/*
 * The old default is cleared before the new one is set (upd waits for clr
 * through its scalar subquery): the unique index on the default is checked
 * row by row.
 */
static const char  ngx_teams_admin_sql_default[] =
    "WITH old AS (SELECT profile_id, is_archived FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid FOR UPDATE),"
    " clr AS (UPDATE microsoft_profiles p SET is_default = false,"
    " updated_by = $2::uuid, updated_at = now() FROM old"
    " WHERE p.tenant = $1::uuid AND p.is_default"
    " AND p.profile_id <> old.profile_id AND NOT old.is_archived"
    " RETURNING p.profile_id),"
    " upd AS (UPDATE microsoft_profiles p SET is_default = true,"
    " updated_by = $2::uuid, updated_at = now() FROM old"
    " WHERE p.tenant = $1::uuid AND p.profile_id = old.profile_id"
    " AND NOT old.is_archived AND (SELECT count(*) FROM clr) >= 0"
    " RETURNING p.*),"
    " a AS (" NGX_TEAMS_AUDIT("'profile'", "upd.profile_id::text", "200",
                              "FROM upd") ")"
    " SELECT old.is_archived, NULL, " NGX_TEAMS_PCOLS("upd")
    " FROM old LEFT JOIN upd ON true";

/* result: was archived, what still uses it (NULL: nothing), profile */
static const char  ngx_teams_admin_sql_archive[] =
    "WITH old AS (SELECT * FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid FOR UPDATE),"
    " blk AS (SELECT string_agg(x, ',' ORDER BY x) AS users FROM ("
    " SELECT b.consumer_type AS x FROM microsoft_profile_consumer_bindings b"
    " WHERE b.tenant = $1::uuid AND b.profile_id = $6::uuid"
    " UNION ALL SELECT 'teams_integration' FROM teams_integrations t"
    " WHERE t.tenant = $1::uuid AND t.selected_profile_id = $6::uuid) s),"
    " upd AS (UPDATE microsoft_profiles p SET is_archived = true,"
    " archived_at = now(), is_default = false, updated_by = $2::uuid,"
    " updated_at = now() FROM old, blk"
    " WHERE p.tenant = $1::uuid AND p.profile_id = old.profile_id"
    " AND NOT old.is_archived AND blk.users IS NULL RETURNING p.*),"
    " a AS (" NGX_TEAMS_AUDIT("'profile'", "old.profile_id::text", "200",
                              "FROM old WHERE old.is_archived"
                              " OR EXISTS (SELECT 1 FROM upd)") ")"
    " SELECT old.is_archived, blk.users, " NGX_TEAMS_PCOLS("r")
    " FROM old, blk, (SELECT * FROM upd UNION ALL SELECT * FROM old"
    " WHERE NOT EXISTS (SELECT 1 FROM upd)) r";

static const char  ngx_teams_admin_sql_bindings[] =
    "WITH a AS (" NGX_TEAMS_AUDIT("'binding'", "NULL", "200", "") ")"
    " SELECT c.consumer, p.profile_id,"
    " CASE WHEN b.profile_id IS NOT NULL THEN 'explicit'"
    " WHEN d.profile_id IS NOT NULL THEN 'default' ELSE 'none' END,"
    " p.display_name, p.is_archived, p.is_default"
    " FROM (VALUES ('msp_sso', 1), ('email', 2), ('calendar', 3),"
    " ('teams', 4)) AS c (consumer, ord)"
    " LEFT JOIN microsoft_profile_consumer_bindings b"
    " ON b.tenant = $1::uuid AND b.consumer_type = c.consumer"
    " LEFT JOIN microsoft_profiles d ON b.profile_id IS NULL"
    " AND c.consumer <> 'teams' AND d.tenant = $1::uuid AND d.is_default"
    " AND NOT d.is_archived"
    " LEFT JOIN microsoft_profiles p ON p.tenant = $1::uuid"
    " AND p.profile_id = coalesce(b.profile_id, d.profile_id)"
    " ORDER BY c.ord";

/* result: profile archived (no row: no such profile), install status */
static const char  ngx_teams_admin_sql_bind[] =
    "WITH p AS (SELECT profile_id, is_archived FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $7::uuid FOR SHARE),"
    " b AS (INSERT INTO microsoft_profile_consumer_bindings (tenant,"
    " consumer_type, profile_id, created_by, updated_by)"
    " SELECT $1::uuid, $6::text, p.profile_id, $2::uuid, $2::uuid FROM p"
    " WHERE NOT p.is_archived ON CONFLICT (tenant, consumer_type) DO UPDATE"
    " SET profile_id = EXCLUDED.profile_id, updated_by = EXCLUDED.updated_by,"
    " updated_at = now() RETURNING profile_id),"
    " ti AS (INSERT INTO teams_integrations AS t (tenant,"
    " selected_profile_id, install_status, created_by, updated_by)"
    " SELECT $1::uuid, b.profile_id, 'install_pending', $2::uuid, $2::uuid"
    " FROM b WHERE $6::text = 'teams' ON CONFLICT (tenant) DO UPDATE SET"
    " install_status = CASE WHEN t.selected_profile_id IS DISTINCT FROM"
    " EXCLUDED.selected_profile_id OR t.install_status = 'not_configured'"
    " THEN 'install_pending' ELSE t.install_status END,"
    " selected_profile_id = EXCLUDED.selected_profile_id,"
    " updated_by = EXCLUDED.updated_by, updated_at = now()"
    " RETURNING t.install_status),"
    " a AS (" NGX_TEAMS_AUDIT("'binding'", "$6::text", "200", "FROM b") ")"
    " SELECT p.is_archived, (SELECT install_status FROM ti) FROM p";

/* unbinding Teams leaves the integration without a profile */
static const char  ngx_teams_admin_sql_unbind[] =
    "WITH d AS (DELETE FROM microsoft_profile_consumer_bindings"
    " WHERE tenant = $1::uuid AND consumer_type = $6::text"
    " RETURNING profile_id),"
    " ti AS (UPDATE teams_integrations t SET selected_profile_id = NULL,"
    " install_status = 'not_configured', updated_by = $2::uuid,"
    " updated_at = now() WHERE t.tenant = $1::uuid AND $6::text = 'teams'"
    " RETURNING t.install_status),"
    " a AS (" NGX_TEAMS_AUDIT("'binding'", "$6::text", "200", "") ")"
    " SELECT (SELECT count(*) FROM d), (SELECT install_status FROM ti)";

static const char  ngx_teams_admin_sql_integration[] =
    "WITH a AS (" NGX_TEAMS_AUDIT("'integration'", "NULL", "200", "") ")"
    " SELECT " NGX_TEAMS_ICOLS("t")
    " FROM (SELECT 1) one"
    " LEFT JOIN teams_integrations t ON t.tenant = $1::uuid"
    NGX_TEAMS_IJOIN("t");

/* result: ok (profile usable), profile found, profile archived, ICOLS */
static const char  ngx_teams_admin_sql_integration_patch[] =
    "WITH p AS (SELECT profile_id, is_archived FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid FOR SHARE),"
    " chk AS (SELECT $6::uuid IS NULL"
    " OR EXISTS (SELECT 1 FROM p WHERE NOT p.is_archived) AS ok),"
    " t AS (INSERT INTO teams_integrations AS ti (tenant,"
    " selected_profile_id, install_status, enabled_capabilities,"
    " notification_categories, allowed_actions, created_by, updated_by)"
    " SELECT $1::uuid, $6::uuid, CASE WHEN $6::uuid IS NULL"
    " THEN 'not_configured' ELSE 'install_pending' END,"
    " coalesce($7::jsonb, '[]'), coalesce($8::jsonb, '[]'),"
    " coalesce($9::jsonb, '[]'), $2::uuid, $2::uuid FROM chk WHERE chk.ok"
    " ON CONFLICT (tenant) DO UPDATE SET"
    " install_status = CASE WHEN $6::uuid IS NOT NULL"
    " AND ($6::uuid IS DISTINCT FROM ti.selected_profile_id"
    " OR ti.install_status = 'not_configured') THEN 'install_pending'"
    " ELSE ti.install_status END,"
    " selected_profile_id = coalesce($6::uuid, ti.selected_profile_id),"
    " enabled_capabilities = coalesce($7::jsonb, ti.enabled_capabilities),"
    " notification_categories = coalesce($8::jsonb,"
    " ti.notification_categories),"
    " allowed_actions = coalesce($9::jsonb, ti.allowed_actions),"
    " updated_by = $2::uuid, updated_at = now() RETURNING ti.*),"
    " tb AS (INSERT INTO microsoft_profile_consumer_bindings (tenant,"
    " consumer_type, profile_id, created_by, updated_by)"
    " SELECT $1::uuid, 'teams', t.selected_profile_id, $2::uuid, $2::uuid"
    " FROM t WHERE $6::uuid IS NOT NULL"
    " ON CONFLICT (tenant, consumer_type) DO UPDATE"
    " SET profile_id = EXCLUDED.profile_id, updated_by = EXCLUDED.updated_by,"
    " updated_at = now() RETURNING 1),"
    " a AS (" NGX_TEAMS_AUDIT("'integration'", "NULL", "200", "FROM t") ")"
    " SELECT chk.ok, EXISTS (SELECT 1 FROM p),"
    " coalesce((SELECT bool_or(is_archived) FROM p), false), "
    NGX_TEAMS_ICOLS("t")
    " FROM chk LEFT JOIN t ON true" NGX_TEAMS_IJOIN("t");

/* readiness, setup and activation read the same facts */
#define NGX_TEAMS_READY_SELECT                                                \
    " SELECT t.tenant IS NOT NULL,"                                           \
    " coalesce(t.install_status, 'not_configured'),"                          \
    " coalesce(t.selected_profile_id, b.profile_id),"                         \
    " p.profile_id IS NOT NULL, p.display_name, p.is_archived, p.client_id,"  \
    " p.tenant_id, p.client_secret_ref"                                       \
    " FROM (SELECT 1) one"                                                    \
    " LEFT JOIN teams_integrations t ON t.tenant = $1::uuid"                  \
    " LEFT JOIN microsoft_profile_consumer_bindings b"                        \
    " ON b.tenant = $1::uuid AND b.consumer_type = 'teams'"                   \
    " LEFT JOIN microsoft_profiles p ON p.tenant = $1::uuid"                  \
    " AND p.profile_id = coalesce(t.selected_profile_id, b.profile_id)"

static const char  ngx_teams_admin_sql_ready[] =
    "WITH a AS (" NGX_TEAMS_AUDIT("'integration'", "NULL", "200", "") ")"
    NGX_TEAMS_READY_SELECT;

static const char  ngx_teams_admin_sql_ready_noaudit[] =
    NGX_TEAMS_READY_SELECT;

static const char  ngx_teams_admin_sql_activate[] =
    "WITH u AS (INSERT INTO teams_integrations AS ti (tenant,"
    " selected_profile_id, install_status, created_by, updated_by)"
    " SELECT $1::uuid, $6::uuid, 'active', $2::uuid, $2::uuid"
    " WHERE EXISTS (SELECT 1 FROM microsoft_profiles p"
    " WHERE p.tenant = $1::uuid AND p.profile_id = $6::uuid"
    " AND NOT p.is_archived)"
    " ON CONFLICT (tenant) DO UPDATE SET install_status = 'active',"
    " selected_profile_id = EXCLUDED.selected_profile_id, last_error = NULL,"
    " updated_by = $2::uuid, updated_at = now()"
    " WHERE ti.selected_profile_id IS NULL"
    " OR ti.selected_profile_id = EXCLUDED.selected_profile_id"
    " RETURNING ti.*),"
    " tb AS (INSERT INTO microsoft_profile_consumer_bindings (tenant,"
    " consumer_type, profile_id, created_by, updated_by)"
    " SELECT $1::uuid, 'teams', u.selected_profile_id, $2::uuid, $2::uuid"
    " FROM u ON CONFLICT (tenant, consumer_type) DO NOTHING RETURNING 1),"
    " a AS (" NGX_TEAMS_AUDIT("'integration'", "NULL", "200", "FROM u") ")"
    " SELECT " NGX_TEAMS_ICOLS("u") " FROM u" NGX_TEAMS_IJOIN("u");

static const char  ngx_teams_admin_sql_deactivate[] =
    "WITH u AS (UPDATE teams_integrations t SET install_status ="
    " CASE WHEN t.selected_profile_id IS NULL THEN 'not_configured'"
    " ELSE 'install_pending' END, updated_by = $2::uuid, updated_at = now()"
    " WHERE t.tenant = $1::uuid RETURNING t.*),"
    " a AS (" NGX_TEAMS_AUDIT("'integration'", "NULL", "200", "") ")"
    " SELECT " NGX_TEAMS_ICOLS("u")
    " FROM (SELECT 1) one LEFT JOIN u ON true" NGX_TEAMS_IJOIN("u");

static const char  ngx_teams_admin_sql_legacy[] =
    "WITH a AS (" NGX_TEAMS_AUDIT("'legacy_config'", "NULL", "200", "") ")"
    " SELECT " NGX_TEAMS_PCOLS("p")
    " FROM (SELECT 1) one LEFT JOIN microsoft_profiles p"
    " ON p.tenant = $1::uuid AND p.is_default AND NOT p.is_archived";

static const char  ngx_teams_admin_sql_legacy_find[] =
    "SELECT profile_id FROM microsoft_profiles WHERE tenant = $1::uuid"
    " AND is_default AND NOT is_archived";

static const char  ngx_teams_admin_sql_legacy_update[] =
    "WITH old AS (SELECT * FROM microsoft_profiles"
    " WHERE tenant = $1::uuid AND profile_id = $6::uuid AND is_default"
    " AND NOT is_archived FOR UPDATE),"
    " upd AS (UPDATE microsoft_profiles p SET client_id = $7::text,"
    " tenant_id = $8::text,"
    " client_secret_ref = coalesce($9::text, p.client_secret_ref),"
    " updated_by = $2::uuid, updated_at = now()"
    " FROM old WHERE p.tenant = old.tenant AND p.profile_id = old.profile_id"
    " RETURNING p.*, (p.client_id IS DISTINCT FROM old.client_id"
    " OR p.tenant_id IS DISTINCT FROM old.tenant_id) AS ids_changed),"
    NGX_TEAMS_IDS_CHANGED_CTE
    " a AS (" NGX_TEAMS_AUDIT("'legacy_config'", "upd.profile_id::text",
                              "200", "FROM upd") ")"
    " SELECT " NGX_TEAMS_PCOLS("upd") " FROM upd";

static const char  ngx_teams_admin_sql_legacy_create[] =
    "WITH ins AS (INSERT INTO microsoft_profiles (tenant, profile_id,"
    " display_name, display_name_normalized, client_id, tenant_id,"
    " client_secret_ref, is_default, created_by, updated_by)"
    " SELECT $1::uuid, $6::uuid, 'Default Microsoft profile',"
    " 'default microsoft profile', $7::text, $8::text, $9::text, true,"
    " $2::uuid, $2::uuid RETURNING *),"
    " a AS (" NGX_TEAMS_AUDIT("'legacy_config'", "ins.profile_id::text",
                              "200", "FROM ins") ")"
    " SELECT " NGX_TEAMS_PCOLS("ins") " FROM ins";


/* the Microsoft clients Teams gets tab SSO tokens through */
static const char *const  ngx_teams_admin_teams_clients[] = {
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264",     /* Teams desktop, mobile */
    "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",     /* Teams web */
    NULL
};

static const char *const  ngx_teams_admin_graph_app_perms[] = {
    "TeamsActivity.Send",
    "TeamsAppInstallation.ReadWriteSelfForUser.All",
    NULL
};

static const char *const  ngx_teams_admin_delegated_scopes[] = {
    "openid", "profile", "offline_access", "User.Read", NULL
};


typedef struct {
    const char  *id;
    int          ok;
    const char  *message;
} ngx_teams_admin_item_t;

#define NGX_TEAMS_ADMIN_NITEMS  7


static void ngx_teams_admin_profiles_get(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_profile_create(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_profile_patch(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_profile_secret(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_binding_put(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_integration_patch(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_legacy_put(ngx_teams_admin_ctx_t *ctx);

static void ngx_teams_admin_profiles_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_profile_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_created_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_change_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_archive_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_bindings_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_bind_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_unbind_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_integration_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_integration_patch_done(
    ngx_teams_admin_ctx_t *ctx, PGresult *res);
static void ngx_teams_admin_readiness_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_activate_check_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_activate_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_setup_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_legacy_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_legacy_found(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static void ngx_teams_admin_legacy_written(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);

static ngx_uint_t ngx_teams_admin_only(ngx_teams_admin_ctx_t *ctx,
    const char *const *allowed);
static const char *ngx_teams_admin_val(PGresult *res, int row, int col);
static int ngx_teams_admin_bool(PGresult *res, int row, int col);
static void ngx_teams_admin_kval(teams_jw_t *w, const char *key,
    PGresult *res, int row, int col);
static void ngx_teams_admin_profile(ngx_teams_admin_ctx_t *ctx,
    teams_jw_t *w, PGresult *res, int row, int col);
static void ngx_teams_admin_integration(teams_jw_t *w, PGresult *res,
    int row, int col);
static void ngx_teams_admin_legacy_json(ngx_teams_admin_ctx_t *ctx,
    teams_jw_t *w, PGresult *res, int col);
static ngx_uint_t ngx_teams_admin_readiness(ngx_teams_admin_ctx_t *ctx,
    PGresult *res, ngx_teams_admin_item_t *items);
static void ngx_teams_admin_items(teams_jw_t *w,
    ngx_teams_admin_item_t *items, int failing_only);
static ngx_int_t ngx_teams_admin_need_key(ngx_teams_admin_ctx_t *ctx);
static void ngx_teams_admin_public_host(ngx_teams_admin_ctx_t *ctx,
    ngx_str_t *host);


void
ngx_teams_admin_dispatch(ngx_teams_admin_ctx_t *ctx)
{
    teams_admin_route_t  *rt = &ctx->route;

    /* an id that is not a GUID cannot exist: the same 404 as a missing one */
    if ((rt->route == TEAMS_ADMIN_R_PROFILE
         || rt->route == TEAMS_ADMIN_R_PROFILE_SECRET
         || rt->route == TEAMS_ADMIN_R_PROFILE_DEFAULT
         || rt->route == TEAMS_ADMIN_R_PROFILE_ARCHIVE))
    {
        ctx->target_type = "profile";

        if (!rt->id_valid) {
            ngx_teams_admin_not_found(ctx);
            return;
        }

        ctx->target_id = rt->id;
        ctx->params[5] = rt->id;
    }

    if (rt->route == TEAMS_ADMIN_R_BINDING) {
        ctx->target_type = "binding";

        if (rt->consumer == NULL) {
            ngx_teams_admin_fail(ctx, NGX_HTTP_NOT_FOUND, "not_found",
                                 "no such consumer (msp_sso, email, "
                                 "calendar, teams)");
            return;
        }

        ctx->target_id = rt->consumer;
        ctx->params[5] = rt->consumer;
    }

    switch (rt->route) {

    case TEAMS_ADMIN_R_PROFILES:
        if (ctx->method == TEAMS_ADMIN_GET) {
            ngx_teams_admin_profiles_get(ctx);

        } else {
            ngx_teams_admin_profile_create(ctx);
        }

        return;

    case TEAMS_ADMIN_R_PROFILE:
        if (ctx->method == TEAMS_ADMIN_GET) {
            ngx_teams_admin_run(ctx, ngx_teams_admin_sql_profile, 6,
                                ngx_teams_admin_profile_done);

        } else {
            ngx_teams_admin_profile_patch(ctx);
        }

        return;

    case TEAMS_ADMIN_R_PROFILE_SECRET:
        ngx_teams_admin_profile_secret(ctx);
        return;

    case TEAMS_ADMIN_R_PROFILE_DEFAULT:
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_default, 6,
                            ngx_teams_admin_change_done);
        return;

    case TEAMS_ADMIN_R_PROFILE_ARCHIVE:
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_archive, 6,
                            ngx_teams_admin_archive_done);
        return;

    case TEAMS_ADMIN_R_BINDINGS:
        ctx->target_type = "binding";
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_bindings, 5,
                            ngx_teams_admin_bindings_done);
        return;

    case TEAMS_ADMIN_R_BINDING:
        if (ctx->method == TEAMS_ADMIN_PUT) {
            ngx_teams_admin_binding_put(ctx);

        } else {
            ngx_teams_admin_run(ctx, ngx_teams_admin_sql_unbind, 6,
                                ngx_teams_admin_unbind_done);
        }

        return;

    case TEAMS_ADMIN_R_INTEGRATION:
        ctx->target_type = "integration";

        if (ctx->method == TEAMS_ADMIN_GET) {
            ngx_teams_admin_run(ctx, ngx_teams_admin_sql_integration, 5,
                                ngx_teams_admin_integration_done);

        } else {
            ngx_teams_admin_integration_patch(ctx);
        }

        return;

    case TEAMS_ADMIN_R_READINESS:
        ctx->target_type = "integration";
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_ready, 5,
                            ngx_teams_admin_readiness_done);
        return;

    case TEAMS_ADMIN_R_ACTIVATE:
        ctx->target_type = "integration";
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_ready_noaudit, 1,
                            ngx_teams_admin_activate_check_done);
        return;

    case TEAMS_ADMIN_R_DEACTIVATE:
        ctx->target_type = "integration";
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_deactivate, 5,
                            ngx_teams_admin_integration_done);
        return;

    case TEAMS_ADMIN_R_SETUP:
        ctx->target_type = "integration";
        ngx_teams_admin_run(ctx, ngx_teams_admin_sql_ready, 5,
                            ngx_teams_admin_setup_done);
        return;

    case TEAMS_ADMIN_R_LEGACY:
        ctx->target_type = "legacy_config";

        if (ctx->method == TEAMS_ADMIN_GET) {
            ngx_teams_admin_run(ctx, ngx_teams_admin_sql_legacy, 5,
                                ngx_teams_admin_legacy_done);

        } else {
            ngx_teams_admin_legacy_put(ctx);
        }

        return;

    case TEAMS_ADMIN_R_DELIVERIES:
        ngx_teams_admin_deliveries(ctx);
        return;

    default:
        ngx_teams_admin_fail(ctx, NGX_HTTP_NOT_FOUND, "not_found",
                             "no such admin API route");
    }
}


/* profiles ---------------------------------------------------------------*/


static void
ngx_teams_admin_profiles_get(ngx_teams_admin_ctx_t *ctx)
{
    ctx->target_type = "profile";
    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_profiles, 5,
                        ngx_teams_admin_profiles_done);
}


static void
ngx_teams_admin_profiles_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    int         i, n;
    teams_jw_t  w;

    ngx_teams_jw_init(ctx->request, &w);

    teams_jw_object(&w);
    teams_jw_key(&w, "profiles");
    teams_jw_array(&w);

    n = PQntuples(res);

    for (i = 0; i < n; i++) {
        ngx_teams_admin_profile(ctx, &w, res, i, 0);
    }

    teams_jw_end(&w);
    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_profile_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_not_found(ctx);
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_profile(ctx, &w, res, 0, 0);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static const char *const  ngx_teams_admin_create_fields[] = {
    "display_name", "client_id", "tenant_id", "client_secret", NULL
};


static void
ngx_teams_admin_profile_create(ngx_teams_admin_ctx_t *ctx)
{
    size_t               name_len;
    const char          *err, *name;
    const teams_json_t  *v, *secret;

    ctx->target_type = "profile";

    ngx_teams_admin_only(ctx, ngx_teams_admin_create_fields);

    err = teams_admin_check_display_name(
              teams_json_get(ctx->json, "display_name"), &name, &name_len);
    if (err) {
        ngx_teams_admin_field(ctx, "display_name", err);
    }

    v = teams_json_get(ctx->json, "client_id");
    err = teams_admin_check_guid(v);
    if (err) {
        ngx_teams_admin_field(ctx, "client_id", err);
    }

    v = teams_json_get(ctx->json, "tenant_id");
    err = teams_admin_check_ms_tenant(v, 0);
    if (err) {
        ngx_teams_admin_field(ctx, "tenant_id", err);
    }

    secret = teams_json_get(ctx->json, "client_secret");
    err = teams_admin_check_secret(secret);
    if (err) {
        ngx_teams_admin_field(ctx, "client_secret", err);
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    if (ngx_teams_admin_need_key(ctx) != NGX_OK) {
        return;
    }

    if (ngx_teams_admin_new_uuid(ctx->id) != NGX_OK) {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->target_id = ctx->id;

    ctx->envelope = ngx_teams_admin_encrypt(ctx, ctx->id, secret);
    ctx->strs[1] = ngx_teams_admin_strdup(ctx, name, name_len);
    ctx->strs[2] = ngx_teams_admin_strdup(ctx,
                       teams_json_get(ctx->json, "client_id")->str,
                       TEAMS_ADMIN_GUID_LEN);
    ctx->strs[3] = ngx_teams_admin_strdup(ctx,
                       teams_json_get(ctx->json, "tenant_id")->str,
                       TEAMS_ADMIN_GUID_LEN);

    if (ctx->envelope == NULL || ctx->strs[1] == NULL || ctx->strs[2] == NULL
        || ctx->strs[3] == NULL)
    {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_strlow((u_char *) ctx->strs[2], (u_char *) ctx->strs[2],
               TEAMS_ADMIN_GUID_LEN);
    ngx_strlow((u_char *) ctx->strs[3], (u_char *) ctx->strs[3],
               TEAMS_ADMIN_GUID_LEN);

    ctx->params[5] = ctx->id;
    ctx->params[6] = ctx->strs[1];
    ctx->params[7] = ctx->strs[2];
    ctx->params[8] = ctx->strs[3];
    ctx->params[9] = ctx->envelope;

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_create, 10,
                        ngx_teams_admin_created_done);
}


static void
ngx_teams_admin_created_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                             "internal_error", "the profile was not created");
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_profile(ctx, &w, res, 0, 0);
    ngx_teams_admin_reply(ctx, NGX_HTTP_CREATED, &w);
}


static const char *const  ngx_teams_admin_patch_fields[] = {
    "display_name", "client_id", "tenant_id", NULL
};


static void
ngx_teams_admin_profile_patch(ngx_teams_admin_ctx_t *ctx)
{
    size_t               name_len;
    ngx_uint_t           i;
    const char          *err, *name;
    const teams_json_t  *v;

    if (teams_json_get(ctx->json, "client_secret") != NULL) {
        ngx_teams_admin_field(ctx, "client_secret",
                              "is not changed here; rotate it with POST "
                              "profiles/{id}/secret");
    }

    ngx_teams_admin_only(ctx, ngx_teams_admin_patch_fields);

    ctx->params[6] = NULL;
    ctx->params[7] = NULL;
    ctx->params[8] = NULL;

    v = teams_json_get(ctx->json, "display_name");

    if (v != NULL) {
        err = teams_admin_check_display_name(v, &name, &name_len);
        if (err) {
            ngx_teams_admin_field(ctx, "display_name", err);

        } else {
            ctx->params[6] = ngx_teams_admin_strdup(ctx, name, name_len);
        }
    }

    for (i = 0; i < 2; i++) {
        v = teams_json_get(ctx->json, i == 0 ? "client_id" : "tenant_id");

        if (v == NULL) {
            continue;
        }

        err = (i == 0) ? teams_admin_check_guid(v)
                       : teams_admin_check_ms_tenant(v, 0);
        if (err) {
            ngx_teams_admin_field(ctx, i == 0 ? "client_id" : "tenant_id",
                                  err);
            continue;
        }

        ctx->strs[2 + i] = ngx_teams_admin_strdup(ctx, v->str, v->len);
        if (ctx->strs[2 + i] == NULL) {
            ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_strlow((u_char *) ctx->strs[2 + i], (u_char *) ctx->strs[2 + i],
                   v->len);
        ctx->params[7 + i] = ctx->strs[2 + i];
    }

    if (ctx->nfields == 0 && ctx->params[6] == NULL
        && ctx->params[7] == NULL && ctx->params[8] == NULL)
    {
        ngx_teams_admin_field(ctx, "display_name",
                              "give at least one of display_name, "
                              "client_id, tenant_id");
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_patch, 9,
                        ngx_teams_admin_change_done);
}


static const char *const  ngx_teams_admin_secret_fields[] = {
    "client_secret", NULL
};


static void
ngx_teams_admin_profile_secret(ngx_teams_admin_ctx_t *ctx)
{
    const char          *err;
    const teams_json_t  *secret;

    ngx_teams_admin_only(ctx, ngx_teams_admin_secret_fields);

    secret = teams_json_get(ctx->json, "client_secret");
    err = teams_admin_check_secret(secret);
    if (err) {
        ngx_teams_admin_field(ctx, "client_secret", err);
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    if (ngx_teams_admin_need_key(ctx) != NGX_OK) {
        return;
    }

    ctx->envelope = ngx_teams_admin_encrypt(ctx, ctx->route.id, secret);
    if (ctx->envelope == NULL) {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->params[6] = ctx->envelope;

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_secret, 7,
                        ngx_teams_admin_change_done);
}


/* PATCH, secret and default: was archived, -, the changed profile */
static void
ngx_teams_admin_change_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_not_found(ctx);
        return;
    }

    if (ngx_teams_admin_bool(res, 0, 0) || PQgetisnull(res, 0, 2)) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "profile_archived",
                             "the Microsoft profile is archived");
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_profile(ctx, &w, res, 0, 2);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_archive_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    u_char      *p;
    size_t       len;
    const char  *users;
    teams_jw_t   w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_not_found(ctx);
        return;
    }

    users = ngx_teams_admin_val(res, 0, 1);

    if (!ngx_teams_admin_bool(res, 0, 0) && users != NULL) {
        len = ngx_strlen(users);

        p = ngx_pnalloc(ctx->request->pool, len + 128);
        if (p == NULL) {
            ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        *ngx_sprintf(p, "the profile is still in use by: %s; bind those to "
                     "another profile first", users) = '\0';

        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "profile_in_use",
                             (const char *) p);
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_profile(ctx, &w, res, 0, 2);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


/* bindings ---------------------------------------------------------------*/


static void
ngx_teams_admin_bindings_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    int         i, n;
    teams_jw_t  w;

    ngx_teams_jw_init(ctx->request, &w);

    teams_jw_object(&w);
    teams_jw_key(&w, "bindings");
    teams_jw_array(&w);

    n = PQntuples(res);

    for (i = 0; i < n; i++) {
        teams_jw_object(&w);
        ngx_teams_admin_kval(&w, "consumer", res, i, 0);
        ngx_teams_admin_kval(&w, "source", res, i, 2);
        ngx_teams_admin_kval(&w, "profile_id", res, i, 1);
        teams_jw_key(&w, "profile");

        if (PQgetisnull(res, i, 1)) {
            teams_jw_null(&w);

        } else {
            teams_jw_object(&w);
            ngx_teams_admin_kval(&w, "id", res, i, 1);
            ngx_teams_admin_kval(&w, "display_name", res, i, 3);
            teams_jw_kbool(&w, "is_archived", ngx_teams_admin_bool(res, i, 4));
            teams_jw_kbool(&w, "is_default", ngx_teams_admin_bool(res, i, 5));
            teams_jw_end(&w);
        }

        teams_jw_end(&w);
    }

    teams_jw_end(&w);
    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static const char *const  ngx_teams_admin_bind_fields[] = {
    "profile_id", NULL
};


static void
ngx_teams_admin_binding_put(ngx_teams_admin_ctx_t *ctx)
{
    const char          *err;
    const teams_json_t  *v;

    ngx_teams_admin_only(ctx, ngx_teams_admin_bind_fields);

    v = teams_json_get(ctx->json, "profile_id");
    err = teams_admin_check_guid(v);
    if (err) {
        ngx_teams_admin_field(ctx, "profile_id", err);
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    (void) teams_admin_guid_lower(v->str, v->len, ctx->id);
    ctx->params[6] = ctx->id;

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_bind, 7,
                        ngx_teams_admin_bind_done);
}


static void
ngx_teams_admin_bind_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_not_found(ctx);
        return;
    }

    if (ngx_teams_admin_bool(res, 0, 0)) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "profile_archived",
                             "an archived Microsoft profile cannot be bound");
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "consumer", ctx->route.consumer);
    teams_jw_kstr(&w, "source", "explicit");
    teams_jw_kstr(&w, "profile_id", ctx->id);

    if (!PQgetisnull(res, 0, 1)) {
        ngx_teams_admin_kval(&w, "install_status", res, 0, 1);
    }

    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_unbind_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    ngx_teams_jw_init(ctx->request, &w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "consumer", ctx->route.consumer);
    teams_jw_kbool(&w, "deleted",
                   PQntuples(res) == 1 && ngx_atoi(
                       (u_char *) PQgetvalue(res, 0, 0),
                       PQgetlength(res, 0, 0)) > 0);

    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 1)) {
        ngx_teams_admin_kval(&w, "install_status", res, 0, 1);
    }

    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


/* integration ------------------------------------------------------------*/


static void
ngx_teams_admin_integration_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    ngx_teams_jw_init(ctx->request, &w);

    if (PQntuples(res) != 1) {
        /* deactivate of an integration that does not exist */
        teams_jw_object(&w);
        teams_jw_kbool(&w, "configured", 0);
        teams_jw_kstr(&w, "install_status", "not_configured");
        teams_jw_end(&w);

    } else {
        ngx_teams_admin_integration(&w, res, 0, 0);
    }

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static const char *const  ngx_teams_admin_integration_fields[] = {
    "selected_profile_id", "enabled_capabilities",
    "notification_categories", "allowed_actions", NULL
};


static void
ngx_teams_admin_integration_patch(ngx_teams_admin_ctx_t *ctx)
{
    ngx_uint_t           i, given;
    const char          *err;
    const teams_json_t  *v;
    static const char   *names[] = {
        "enabled_capabilities", "notification_categories", "allowed_actions"
    };
    const char *const   *sets[] = {
        teams_admin_capabilities, teams_admin_categories, teams_admin_actions
    };

    ngx_teams_admin_only(ctx, ngx_teams_admin_integration_fields);

    given = 0;
    ctx->params[5] = NULL;

    v = teams_json_get(ctx->json, "selected_profile_id");

    if (v != NULL) {
        given++;

        if (v->type != TEAMS_JSON_STRING
            || teams_admin_guid_lower(v->str, v->len, ctx->id) != 0)
        {
            ngx_teams_admin_field(ctx, "selected_profile_id",
                                  "must be a profile id (to unbind Teams "
                                  "use DELETE bindings/teams)");

        } else {
            ctx->params[5] = ctx->id;
        }
    }

    for (i = 0; i < 3; i++) {
        ctx->params[6 + i] = NULL;

        v = teams_json_get(ctx->json, names[i]);
        if (v == NULL) {
            continue;
        }

        given++;

        err = teams_admin_check_set_array(v, sets[i], ctx->set_text[i],
                                          NGX_TEAMS_ADMIN_SET_TEXT);
        if (err) {
            ngx_teams_admin_field(ctx, names[i], err);
            continue;
        }

        ctx->params[6 + i] = ctx->set_text[i];
    }

    if (ctx->nfields == 0 && given == 0) {
        ngx_teams_admin_field(ctx, "selected_profile_id",
                              "give at least one of selected_profile_id, "
                              "enabled_capabilities, "
                              "notification_categories, allowed_actions");
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_integration_patch, 9,
                        ngx_teams_admin_integration_patch_done);
}


static void
ngx_teams_admin_integration_patch_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                             "internal_error", "the update failed");
        return;
    }

    if (!ngx_teams_admin_bool(res, 0, 0)) {
        if (!ngx_teams_admin_bool(res, 0, 1)) {
            ctx->target_type = "profile";
            ctx->target_id = ctx->id;
            ngx_teams_admin_not_found(ctx);

        } else {
            ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "profile_archived",
                                 "an archived Microsoft profile cannot be "
                                 "selected for Teams");
        }

        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_integration(&w, res, 0, 3);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_readiness_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    ngx_uint_t              failing;
    teams_jw_t              w;
    ngx_teams_admin_item_t  items[NGX_TEAMS_ADMIN_NITEMS];

    failing = ngx_teams_admin_readiness(ctx, res, items);

    ngx_teams_jw_init(ctx->request, &w);
    teams_jw_object(&w);
    teams_jw_kbool(&w, "ready", failing == 0);
    ngx_teams_admin_kval(&w, "install_status", res, 0, 1);
    ngx_teams_admin_kval(&w, "profile_id", res, 0, 2);
    teams_jw_key(&w, "items");
    ngx_teams_admin_items(&w, items, 0);
    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_activate_check_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res)
{
    const char              *id;
    ngx_uint_t               failing;
    teams_jw_t               w;
    ngx_teams_admin_item_t   items[NGX_TEAMS_ADMIN_NITEMS];

    failing = ngx_teams_admin_readiness(ctx, res, items);

    if (failing) {
        ngx_teams_jw_init(ctx->request, &w);
        teams_jw_object(&w);
        teams_jw_key(&w, "error");
        teams_jw_object(&w);
        teams_jw_kstr(&w, "code", "not_ready");
        teams_jw_kstr(&w, "message", "the Teams integration cannot be "
                      "activated until every readiness item is ok");
        teams_jw_key(&w, "items");
        ngx_teams_admin_items(&w, items, 1);
        teams_jw_end(&w);
        teams_jw_end(&w);

        ngx_teams_admin_fail_jw(ctx, NGX_HTTP_CONFLICT, &w);
        return;
    }

    id = ngx_teams_admin_val(res, 0, 2);
    ngx_memcpy(ctx->id, id, ngx_min(ngx_strlen(id), NGX_TEAMS_UUID_LEN));
    ctx->id[NGX_TEAMS_UUID_LEN] = '\0';
    ctx->params[5] = ctx->id;

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_activate, 6,
                        ngx_teams_admin_activate_done);
}


static void
ngx_teams_admin_activate_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "conflict",
                             "the Teams profile changed during activation; "
                             "try again");
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_integration(&w, res, 0, 0);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_setup_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    u_char             *p;
    size_t              plen;
    ngx_str_t           host, *pub;
    ngx_uint_t          i;
    teams_jw_t          w;
    const char         *client_id, *ms_tenant;
    static const char   messages[] = "/api/teams/messages";
    static const char   auth_end[] = "/api/teams/tab/auth-end";

    if (PQntuples(res) != 1 || !ngx_teams_admin_bool(res, 0, 3)) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "not_configured",
                             "no Microsoft profile is selected for Teams; "
                             "bind one with PUT bindings/teams first");
        return;
    }

    client_id = ngx_teams_admin_val(res, 0, 6);
    ms_tenant = ngx_teams_admin_val(res, 0, 7);
    pub = &ctx->tmcf->public_url;

    ngx_teams_admin_public_host(ctx, &host);

    plen = pub->len + 2 * ngx_strlen(client_id) + host.len + 128;

    p = ngx_pnalloc(ctx->request->pool, plen);
    if (p == NULL) {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    teams_jw_object(&w);

    teams_jw_key(&w, "profile");
    teams_jw_object(&w);
    ngx_teams_admin_kval(&w, "id", res, 0, 2);
    ngx_teams_admin_kval(&w, "display_name", res, 0, 4);
    ngx_teams_admin_kval(&w, "client_id", res, 0, 6);
    ngx_teams_admin_kval(&w, "tenant_id", res, 0, 7);
    teams_jw_kbool(&w, "is_archived", ngx_teams_admin_bool(res, 0, 5));
    teams_jw_end(&w);

    teams_jw_kstr(&w, "bot_id", client_id);

    if (pub->len) {
        teams_jw_key(&w, "public_url");
        teams_jw_strn(&w, (const char *) pub->data, pub->len);

        teams_jw_key(&w, "messaging_endpoint");
        *ngx_snprintf(p, plen - 1, "%V%s", pub, messages) = '\0';
        teams_jw_str(&w, (const char *) p);

        teams_jw_key(&w, "redirect_uris");
        teams_jw_array(&w);
        *ngx_snprintf(p, plen - 1, "%V%s", pub, auth_end) = '\0';
        teams_jw_str(&w, (const char *) p);
        teams_jw_end(&w);

        teams_jw_key(&w, "application_id_uri");
        *ngx_snprintf(p, plen - 1, "api://%V/%s", &host, client_id) = '\0';
        teams_jw_str(&w, (const char *) p);

        teams_jw_key(&w, "web_application_info");
        teams_jw_object(&w);
        teams_jw_kstr(&w, "id", client_id);
        teams_jw_kstr(&w, "resource", (const char *) p);
        teams_jw_end(&w);

        teams_jw_key(&w, "valid_domains");
        teams_jw_array(&w);
        teams_jw_strn(&w, (const char *) host.data, host.len);
        teams_jw_end(&w);

    } else {
        teams_jw_kstr(&w, "public_url", NULL);
        teams_jw_key(&w, "messaging_endpoint");
        teams_jw_null(&w);
        teams_jw_key(&w, "redirect_uris");
        teams_jw_array(&w);
        teams_jw_end(&w);
        teams_jw_key(&w, "application_id_uri");
        teams_jw_null(&w);
        teams_jw_kstr(&w, "warning", "teams_public_url is not configured; "
                      "the endpoints cannot be given");
    }

    teams_jw_key(&w, "graph_application_permissions");
    teams_jw_array(&w);
    for (i = 0; ngx_teams_admin_graph_app_perms[i]; i++) {
        teams_jw_str(&w, ngx_teams_admin_graph_app_perms[i]);
    }
    teams_jw_end(&w);

    teams_jw_key(&w, "delegated_scopes");
    teams_jw_array(&w);
    for (i = 0; ngx_teams_admin_delegated_scopes[i]; i++) {
        teams_jw_str(&w, ngx_teams_admin_delegated_scopes[i]);
    }
    teams_jw_end(&w);

    teams_jw_kstr(&w, "exposed_api_scope", "access_as_user");
    teams_jw_kint(&w, "access_token_accepted_version", 2);

    teams_jw_key(&w, "pre_authorized_client_ids");
    teams_jw_array(&w);
    for (i = 0; ngx_teams_admin_teams_clients[i]; i++) {
        teams_jw_str(&w, ngx_teams_admin_teams_clients[i]);
    }
    teams_jw_end(&w);

    if (teams_is_uuid(ms_tenant, ngx_strlen(ms_tenant))
        && teams_is_uuid(client_id, ngx_strlen(client_id)))
    {
        *ngx_snprintf(p, plen - 1,
                      "https://login.microsoftonline.com/%s/adminconsent"
                      "?client_id=%s", ms_tenant, client_id) = '\0';
        teams_jw_kstr(&w, "admin_consent_url", (const char *) p);
    }

    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


/* legacy configuration ---------------------------------------------------*/


static void
ngx_teams_admin_legacy_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_legacy_json(ctx, &w, res, 0);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static const char *const  ngx_teams_admin_legacy_fields[] = {
    "client_id", "tenant_id", "client_secret", NULL
};


static void
ngx_teams_admin_legacy_put(ngx_teams_admin_ctx_t *ctx)
{
    const char          *err;
    const teams_json_t  *v;

    ngx_teams_admin_only(ctx, ngx_teams_admin_legacy_fields);

    v = teams_json_get(ctx->json, "client_id");
    err = teams_admin_check_guid(v);
    if (err) {
        ngx_teams_admin_field(ctx, "client_id", err);

    } else {
        ctx->strs[2] = ngx_teams_admin_strdup(ctx, v->str, v->len);
    }

    v = teams_json_get(ctx->json, "tenant_id");
    err = teams_admin_check_ms_tenant(v, 1);
    if (err) {
        ngx_teams_admin_field(ctx, "tenant_id", err);

    } else {
        ctx->strs[3] = ngx_teams_admin_strdup(ctx, v->str, v->len);
    }

    v = teams_json_get(ctx->json, "client_secret");
    if (v != NULL) {
        err = teams_admin_check_secret(v);
        if (err) {
            ngx_teams_admin_field(ctx, "client_secret", err);
        }
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    if (ctx->strs[2] == NULL || ctx->strs[3] == NULL) {
        ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_strlow((u_char *) ctx->strs[2], (u_char *) ctx->strs[2],
               ngx_strlen(ctx->strs[2]));
    ngx_strlow((u_char *) ctx->strs[3], (u_char *) ctx->strs[3],
               ngx_strlen(ctx->strs[3]));

    if (v != NULL && ngx_teams_admin_need_key(ctx) != NGX_OK) {
        return;
    }

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_legacy_find, 1,
                        ngx_teams_admin_legacy_found);
}


static void
ngx_teams_admin_legacy_found(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    const char          *id;
    const teams_json_t  *secret;

    secret = teams_json_get(ctx->json, "client_secret");

    if (PQntuples(res) == 1) {
        id = ngx_teams_admin_val(res, 0, 0);
        ngx_memcpy(ctx->id, id, ngx_min(ngx_strlen(id), NGX_TEAMS_UUID_LEN));
        ctx->id[NGX_TEAMS_UUID_LEN] = '\0';

    } else {
        if (secret == NULL) {
            ngx_teams_admin_field(ctx, "client_secret",
                                  "is required when there is no default "
                                  "Microsoft profile yet");
            ngx_teams_admin_fail_fields(ctx);
            return;
        }

        if (ngx_teams_admin_new_uuid(ctx->id) != NGX_OK) {
            ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    ctx->target_id = ctx->id;
    ctx->envelope = NULL;

    if (secret != NULL) {
        ctx->envelope = ngx_teams_admin_encrypt(ctx, ctx->id, secret);
        if (ctx->envelope == NULL) {
            ngx_teams_finish(ctx->request, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    ctx->params[5] = ctx->id;
    ctx->params[6] = ctx->strs[2];
    ctx->params[7] = ctx->strs[3];
    ctx->params[8] = ctx->envelope;

    ngx_teams_admin_run(ctx, PQntuples(res) == 1
                             ? ngx_teams_admin_sql_legacy_update
                             : ngx_teams_admin_sql_legacy_create,
                        9, ngx_teams_admin_legacy_written);
}


static void
ngx_teams_admin_legacy_written(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    teams_jw_t  w;

    if (PQntuples(res) != 1) {
        ngx_teams_admin_fail(ctx, NGX_HTTP_CONFLICT, "conflict",
                             "the default Microsoft profile changed "
                             "meanwhile; try again");
        return;
    }

    ngx_teams_jw_init(ctx->request, &w);
    ngx_teams_admin_legacy_json(ctx, &w, res, 0);
    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}


static void
ngx_teams_admin_legacy_json(ngx_teams_admin_ctx_t *ctx, teams_jw_t *w,
    PGresult *res, int col)
{
    int  found;

    found = PQntuples(res) == 1 && !PQgetisnull(res, 0, col);

    teams_jw_object(w);
    teams_jw_kbool(w, "configured", found);
    teams_jw_kstr(w, "source", "default_profile");

    if (found) {
        ngx_teams_admin_kval(w, "profile_id", res, 0, col);
        ngx_teams_admin_kval(w, "display_name", res, 0, col + 1);
        ngx_teams_admin_kval(w, "client_id", res, 0, col + 2);
        ngx_teams_admin_kval(w, "tenant_id", res, 0, col + 3);
        teams_jw_key(w, "client_secret");
        ngx_teams_admin_secret_json(ctx, w, PQgetvalue(res, 0, col),
                                    PQgetvalue(res, 0, col + 7));

    } else {
        teams_jw_kstr(w, "profile_id", NULL);
        teams_jw_kstr(w, "client_id", NULL);
        teams_jw_kstr(w, "tenant_id", NULL);
        teams_jw_key(w, "client_secret");
        teams_jw_object(w);
        teams_jw_kbool(w, "present", 0);
        teams_jw_kstr(w, "hint", NULL);
        teams_jw_kbool(w, "usable", 0);
        teams_jw_end(w);
    }

    teams_jw_end(w);
}


/* helpers ----------------------------------------------------------------*/


/* readiness items from NGX_TEAMS_READY_SELECT; returns how many fail */
static ngx_uint_t
ngx_teams_admin_readiness(ngx_teams_admin_ctx_t *ctx, PGresult *res,
    ngx_teams_admin_item_t *items)
{
    int          found, archived;
    ngx_uint_t   i, failing;
    const char  *id, *client_id, *ms_tenant, *secret, *why;

    found = PQntuples(res) == 1 && ngx_teams_admin_bool(res, 0, 3);
    archived = found && ngx_teams_admin_bool(res, 0, 5);

    id = found ? ngx_teams_admin_val(res, 0, 2) : NULL;
    client_id = found ? ngx_teams_admin_val(res, 0, 6) : NULL;
    ms_tenant = found ? ngx_teams_admin_val(res, 0, 7) : NULL;
    secret = found ? ngx_teams_admin_val(res, 0, 8) : NULL;

    items[0].id = "profile_bound";
    items[0].ok = found && !archived;
    items[0].message = !found ? "no Microsoft profile is bound to Teams "
                                "(PUT bindings/teams)"
                       : archived ? "the Microsoft profile bound to Teams is "
                                    "archived"
                       : "a Microsoft profile is bound to Teams";

    items[1].id = "secret_present";

    if (!found) {
        items[1].ok = 0;
        items[1].message = "no profile";

    } else {
        items[1].ok = ngx_teams_admin_secret_usable(ctx, id, secret, &why);
        items[1].message = why;
    }

    items[2].id = "client_id_valid";
    items[2].ok = found && teams_is_uuid(client_id,
                                               ngx_strlen(client_id));
    items[2].message = !found ? "no profile"
                       : items[2].ok ? "the client id is a GUID"
                       : "the profile's client id is not a GUID";

    items[3].id = "tenant_id_valid";
    items[3].ok = found && teams_is_uuid(ms_tenant,
                                               ngx_strlen(ms_tenant));
    items[3].message = !found ? "no profile"
                       : items[3].ok ? "the Microsoft tenant id is a GUID"
                       : "the profile's Microsoft tenant id must be a GUID "
                         "(not \"common\" or \"organizations\")";

    items[4].id = "public_url_set";
    items[4].ok = ctx->tmcf->public_url.len != 0;
    items[4].message = items[4].ok ? "teams_public_url is set"
                       : "teams_public_url is not configured";

    items[5].id = "botframework_keys_loaded";
    items[5].ok = ngx_teams_keys_count(NGX_TEAMS_KEYS_BOTFRAMEWORK) > 0;
    items[5].message = items[5].ok ? "Bot Framework signing keys are loaded"
                       : "no Bot Framework signing keys are loaded yet (is "
                         "teams-worker running, or teams_jwks_file set?)";

    items[6].id = "entra_keys_loaded";
    items[6].ok = ngx_teams_keys_count(NGX_TEAMS_KEYS_ENTRA) > 0;
    items[6].message = items[6].ok ? "Entra signing keys are loaded"
                       : "no Entra signing keys are loaded yet (is "
                         "teams-worker running, or teams_jwks_file set?)";

    for (failing = 0, i = 0; i < NGX_TEAMS_ADMIN_NITEMS; i++) {
        if (!items[i].ok) {
            failing++;
        }
    }

    return failing;
}


static void
ngx_teams_admin_items(teams_jw_t *w, ngx_teams_admin_item_t *items,
    int failing_only)
{
    ngx_uint_t  i;

    teams_jw_array(w);

    for (i = 0; i < NGX_TEAMS_ADMIN_NITEMS; i++) {
        if (failing_only && items[i].ok) {
            continue;
        }

        teams_jw_object(w);
        teams_jw_kstr(w, "id", items[i].id);
        teams_jw_kbool(w, "ok", items[i].ok);
        teams_jw_kstr(w, "message", items[i].message);
        teams_jw_end(w);
    }

    teams_jw_end(w);
}


/* writing a secret needs the master key: 503 with an admin's message */
static ngx_int_t
ngx_teams_admin_need_key(ngx_teams_admin_ctx_t *ctx)
{
    if (ctx->tmcf->secret_key_set) {
        return NGX_OK;
    }

    ngx_teams_admin_fail(ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                         "secret_key_missing",
                         "client secrets cannot be stored: no master key is "
                         "configured; set teams_secret_key_file (64 hex "
                         "characters, e.g. from \"openssl rand -hex 32\") and "
                         "reload nginx");
    return NGX_ERROR;
}


/* the lower-cased host of teams_public_url, without port */
static void
ngx_teams_admin_public_host(ngx_teams_admin_ctx_t *ctx, ngx_str_t *host)
{
    u_char      *p, *colon;
    size_t       len;
    const char  *h;

    host->len = 0;
    host->data = (u_char *) "";

    if (!teams_url_host((const char *) ctx->tmcf->public_url.data,
                        ctx->tmcf->public_url.len, &h, &len))
    {
        return;
    }

    p = ngx_pnalloc(ctx->request->pool, len);
    if (p == NULL) {
        return;
    }

    ngx_strlow(p, (u_char *) h, len);

    if (p[0] != '[') {
        colon = ngx_strlchr(p, p + len, ':');
        if (colon != NULL) {
            len = colon - p;
        }
    }

    host->data = p;
    host->len = len;
}


/* unknown members become field errors; returns how many */
static ngx_uint_t
ngx_teams_admin_only(ngx_teams_admin_ctx_t *ctx, const char *const *allowed)
{
    ngx_uint_t           i, n;
    const teams_json_t  *c;

    if (ctx->json == NULL) {
        return 0;
    }

    n = 0;

    for (c = ctx->json->child; c != NULL; c = c->next) {
        if (teams_admin_in_set(allowed, c->key, c->key_len) >= 0) {
            continue;
        }

        /* already said more precisely by the caller */
        for (i = 0; i < ctx->nfields; i++) {
            if (ngx_strcmp(ctx->field_name[i], c->key) == 0) {
                break;
            }
        }

        if (i < ctx->nfields) {
            continue;
        }

        ngx_teams_admin_field(ctx, c->key, "is not a known field");
        n++;
    }

    return n;
}


static const char *
ngx_teams_admin_val(PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col)) {
        return NULL;
    }

    return PQgetvalue(res, row, col);
}


static int
ngx_teams_admin_bool(PGresult *res, int row, int col)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}


static void
ngx_teams_admin_kval(teams_jw_t *w, const char *key, PGresult *res, int row,
    int col)
{
    teams_jw_key(w, key);

    if (PQgetisnull(res, row, col)) {
        teams_jw_null(w);
        return;
    }

    teams_jw_strn(w, PQgetvalue(res, row, col), PQgetlength(res, row, col));
}


/* NGX_TEAMS_PCOLS at col */
static void
ngx_teams_admin_profile(ngx_teams_admin_ctx_t *ctx, teams_jw_t *w,
    PGresult *res, int row, int col)
{
    char        *s, *e, *comma;
    const char  *bound;

    teams_jw_object(w);
    ngx_teams_admin_kval(w, "id", res, row, col);
    ngx_teams_admin_kval(w, "display_name", res, row, col + 1);
    ngx_teams_admin_kval(w, "client_id", res, row, col + 2);
    ngx_teams_admin_kval(w, "tenant_id", res, row, col + 3);
    teams_jw_kbool(w, "is_default", ngx_teams_admin_bool(res, row, col + 4));
    teams_jw_kbool(w, "is_archived", ngx_teams_admin_bool(res, row, col + 5));
    ngx_teams_admin_kval(w, "archived_at", res, row, col + 6);

    teams_jw_key(w, "client_secret");
    ngx_teams_admin_secret_json(ctx, w, PQgetvalue(res, row, col),
                                PQgetvalue(res, row, col + 7));

    teams_jw_key(w, "bound_consumers");
    teams_jw_array(w);

    bound = PQgetvalue(res, row, col + 10);

    for (s = (char *) bound, e = s + ngx_strlen(s); s < e; s = comma + 1) {
        comma = ngx_strlchr((u_char *) s, (u_char *) e, ',')
                ? (char *) ngx_strlchr((u_char *) s, (u_char *) e, ',') : e;
        teams_jw_strn(w, s, comma - s);
    }

    teams_jw_end(w);

    teams_jw_kbool(w, "selected_for_teams",
                   ngx_teams_admin_bool(res, row, col + 11));
    ngx_teams_admin_kval(w, "created_at", res, row, col + 8);
    ngx_teams_admin_kval(w, "updated_at", res, row, col + 9);
    teams_jw_end(w);
}


/* NGX_TEAMS_ICOLS at col */
static void
ngx_teams_admin_integration(teams_jw_t *w, PGresult *res, int row, int col)
{
    teams_jw_object(w);
    teams_jw_kbool(w, "configured", ngx_teams_admin_bool(res, row, col));
    ngx_teams_admin_kval(w, "install_status", res, row, col + 2);
    ngx_teams_admin_kval(w, "selected_profile_id", res, row, col + 1);

    teams_jw_key(w, "selected_profile");

    if (PQgetisnull(res, row, col + 1) || PQgetisnull(res, row, col + 10)) {
        teams_jw_null(w);

    } else {
        teams_jw_object(w);
        ngx_teams_admin_kval(w, "id", res, row, col + 1);
        ngx_teams_admin_kval(w, "display_name", res, row, col + 10);
        teams_jw_kbool(w, "is_archived",
                       ngx_teams_admin_bool(res, row, col + 11));
        teams_jw_end(w);
    }

    teams_jw_key(w, "enabled_capabilities");
    teams_jw_raw(w, PQgetvalue(res, row, col + 3),
                 PQgetlength(res, row, col + 3));
    teams_jw_key(w, "notification_categories");
    teams_jw_raw(w, PQgetvalue(res, row, col + 4),
                 PQgetlength(res, row, col + 4));
    teams_jw_key(w, "allowed_actions");
    teams_jw_raw(w, PQgetvalue(res, row, col + 5),
                 PQgetlength(res, row, col + 5));
    ngx_teams_admin_kval(w, "last_error", res, row, col + 6);
    ngx_teams_admin_kval(w, "app_id", res, row, col + 7);
    ngx_teams_admin_kval(w, "bot_id", res, row, col + 8);
    ngx_teams_admin_kval(w, "updated_at", res, row, col + 9);
    teams_jw_end(w);
}
