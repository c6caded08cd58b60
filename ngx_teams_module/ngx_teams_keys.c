
/*
 * Key sets.  Each nginx worker process holds its own parsed copy of the Bot
 * Framework and Entra JWK sets: from teams_jwks_file when configured (it
 * wins, for air-gapped installs), else as teams-worker publishes them in
 * Redis.  A cheap poll of two version counters every two seconds notices a
 * new key set (and a changed configuration, which empties the identity
 * cache) without a reload.  An unknown kid asks the worker for a refresh, at
 * most once a minute per process.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_redis.h"
#include "jwt/teams_jwk.h"
#include "jwt/teams_token_cache.h"


#define NGX_TEAMS_KEYS_POLL          2000
#define NGX_TEAMS_KEYS_REFRESH_GAP   60


static void ngx_teams_keys_poll(ngx_event_t *ev);
static void ngx_teams_keys_versions_done(ngx_teams_redis_cmd_t *cmd,
    redisReply *reply);
static void ngx_teams_keys_sets_done(ngx_teams_redis_cmd_t *cmd,
    redisReply *reply);
static long long ngx_teams_keys_number(redisReply *r);
static void ngx_teams_keys_free_set(void *data);


static const char  *ngx_teams_keys_names[NGX_TEAMS_KEYS_N] = {
    "botframework", "entra"
};


const char *
ngx_teams_keys_name(ngx_teams_key_set_e set)
{
    return ngx_teams_keys_names[set];
}


char *
ngx_teams_keys_conf_file(ngx_conf_t *cf, ngx_teams_main_conf_t *tmcf,
    ngx_str_t *name, ngx_str_t *path)
{
    ngx_uint_t           i;
    ngx_str_t            text;
    const char          *err;
    struct stat          st;
    teams_jwk_set_t     *set;
    ngx_pool_cleanup_t  *cln;

    for (i = 0; i < NGX_TEAMS_KEYS_N; i++) {
        if (ngx_strcmp(name->data, ngx_teams_keys_names[i]) == 0) {
            break;
        }
    }

    if (i == NGX_TEAMS_KEYS_N) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "teams_jwks_file: unknown key set \"%V\" "
                           "(botframework or entra)", name);
        return NGX_CONF_ERROR;
    }

    if (tmcf->keys[i].file.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "teams_jwks_file: the %V key set is already "
                           "given", name);
        return NGX_CONF_ERROR;
    }

    tmcf->keys[i].file = *path;

    if (ngx_conf_full_name(cf->cycle, &tmcf->keys[i].file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_teams_read_small_file(cf, &tmcf->keys[i].file,
                                  TEAMS_JWK_SET_MAX_SIZE, &text, &st)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    set = teams_jwk_set_parse((const char *) text.data, text.len, &err);

    if (set == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "teams_jwks_file \"%V\" is not a usable key set: "
                           "%s", &tmcf->keys[i].file, err);
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        teams_jwk_set_free(set);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_teams_keys_free_set;
    cln->data = set;

    tmcf->keys[i].set = set;
    tmcf->keys[i].fetched_at = st.st_mtime;

    return NGX_CONF_OK;
}


static void
ngx_teams_keys_free_set(void *data)
{
    teams_jwk_set_free(data);
}


ngx_uint_t
ngx_teams_keys_count(ngx_teams_key_set_e set)
{
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle, ngx_teams_module);

    if (tmcf == NULL || tmcf->keys[set].set == NULL) {
        return 0;
    }

    return ((teams_jwk_set_t *) tmcf->keys[set].set)->nkeys;
}


ngx_int_t
ngx_teams_keys_init_process(ngx_cycle_t *cycle, ngx_teams_main_conf_t *tmcf)
{
    tmcf->token_cache = teams_token_cache_create(TEAMS_TOKEN_CACHE_DEFAULT);
    if (tmcf->token_cache == NULL) {
        return NGX_ERROR;
    }

    tmcf->keys_version = -1;
    tmcf->config_version = -1;

    tmcf->keys_poll.handler = ngx_teams_keys_poll;
    tmcf->keys_poll.data = tmcf;
    tmcf->keys_poll.log = cycle->log;
    tmcf->keys_poll.cancelable = 1;

    if (tmcf->redis_link != NULL) {
        ngx_add_timer(&tmcf->keys_poll, 1);
    }

    return NGX_OK;
}


void
ngx_teams_keys_exit_process(ngx_teams_main_conf_t *tmcf)
{
    ngx_uint_t  i;

    if (tmcf->keys_poll.timer_set) {
        ngx_del_timer(&tmcf->keys_poll);
    }

    for (i = 0; i < NGX_TEAMS_KEYS_N; i++) {
        /* a file's set belongs to the configuration pool */
        if (tmcf->keys[i].file.len == 0 && tmcf->keys[i].set != NULL) {
            teams_jwk_set_free(tmcf->keys[i].set);
            tmcf->keys[i].set = NULL;
        }
    }

    if (tmcf->token_cache != NULL) {
        teams_token_cache_destroy(tmcf->token_cache);
        tmcf->token_cache = NULL;
    }
}


void
ngx_teams_keys_request_refresh(ngx_teams_main_conf_t *tmcf,
    ngx_teams_key_set_e set, const char *reason)
{
    time_t             now;
    ngx_teams_keys_t  *keys;
    const char        *argv[] = {
        "XADD", "teams:control", "*", "type", "refresh_keys",
        "set", NULL, "reason", NULL
    };

    keys = &tmcf->keys[set];
    now = ngx_time();

    if (keys->file.len || tmcf->redis_link == NULL
        || now - keys->refresh_requested < NGX_TEAMS_KEYS_REFRESH_GAP)
    {
        return;
    }

    keys->refresh_requested = now;
    argv[6] = ngx_teams_keys_names[set];
    argv[8] = reason;

    (void) ngx_teams_redis_command(tmcf->redis_link, NULL, NULL, NULL,
                                   9, argv, NULL);

    ngx_log_error(NGX_LOG_NOTICE, tmcf->keys_poll.log, 0,
                  "teams keys: %s, asked the worker to refresh the %s key "
                  "set", reason, ngx_teams_keys_names[set]);
}


static void
ngx_teams_keys_poll(ngx_event_t *ev)
{
    ngx_teams_main_conf_t  *tmcf = ev->data;
    static const char      *argv[] = {
        "MGET", "teams:keys:version", "teams:config:version"
    };

    if (tmcf->redis_link->connected) {
        (void) ngx_teams_redis_command(tmcf->redis_link, NULL,
                                       ngx_teams_keys_versions_done, tmcf,
                                       3, argv, NULL);
    }

    if (!ngx_exiting) {
        ngx_add_timer(ev, NGX_TEAMS_KEYS_POLL);
    }
}


static void
ngx_teams_keys_versions_done(ngx_teams_redis_cmd_t *cmd, redisReply *reply)
{
    long long               kv, cv;
    ngx_teams_main_conf_t  *tmcf = cmd->data;
    static const char      *argv[] = {
        "MGET", "teams:keys:botframework", "teams:keys:botframework:fetched_at",
        "teams:keys:entra", "teams:keys:entra:fetched_at"
    };

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2)
    {
        return;
    }

    kv = ngx_teams_keys_number(reply->element[0]);
    cv = ngx_teams_keys_number(reply->element[1]);

    if (cv != tmcf->config_version) {
        tmcf->config_version = cv;
        ngx_teams_identity_flush(tmcf);
    }

    if (kv == tmcf->keys_version) {
        return;
    }

    /* remembered now: a set that fails to parse is not re-read every poll */
    tmcf->keys_version = kv;

    if (tmcf->keys[0].file.len && tmcf->keys[1].file.len) {
        return;
    }

    (void) ngx_teams_redis_command(tmcf->redis_link, NULL,
                                   ngx_teams_keys_sets_done, tmcf,
                                   5, argv, NULL);
}


static void
ngx_teams_keys_sets_done(ngx_teams_redis_cmd_t *cmd, redisReply *reply)
{
    ngx_uint_t              i, changed;
    const char             *err;
    redisReply             *text;
    teams_jwk_set_t        *set;
    ngx_teams_keys_t       *keys;
    ngx_teams_main_conf_t  *tmcf = cmd->data;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2 * NGX_TEAMS_KEYS_N)
    {
        /* try again at the next poll */
        tmcf->keys_version = -1;
        return;
    }

    changed = 0;

    for (i = 0; i < NGX_TEAMS_KEYS_N; i++) {
        keys = &tmcf->keys[i];
        text = reply->element[2 * i];

        if (keys->file.len || text->type != REDIS_REPLY_STRING) {
            continue;
        }

        set = teams_jwk_set_parse(text->str, text->len, &err);

        if (set == NULL) {
            ngx_log_error(NGX_LOG_ERR, tmcf->keys_poll.log, 0,
                          "teams keys: the published %s key set is not "
                          "usable (%s); keeping the one in use",
                          ngx_teams_keys_names[i], err);
            continue;
        }

        if (keys->set != NULL) {
            teams_jwk_set_free(keys->set);
        }

        keys->set = set;
        keys->fetched_at = (time_t)
                           ngx_teams_keys_number(reply->element[2 * i + 1]);
        changed = 1;

        ngx_log_error(NGX_LOG_INFO, tmcf->keys_poll.log, 0,
                      "teams keys: loaded the %s key set (%uz keys)",
                      ngx_teams_keys_names[i], set->nkeys);
    }

    if (changed) {
        /* a cached token may have been verified with a key now gone */
        teams_token_cache_invalidate_all(tmcf->token_cache);
    }
}


static long long
ngx_teams_keys_number(redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_STRING || r->len == 0
        || r->len > 20)
    {
        return 0;
    }

    return strtoll(r->str, NULL, 10);
}
