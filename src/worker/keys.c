
/*
 * Key sets: fetch, check and publish the Bot Framework and Entra JWKS.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/teams_json.h"
#include "core/teams_url.h"
#include "jwt/teams_jwk.h"
#include "worker/http.h"
#include "worker/keys.h"
#include "worker/log.h"
#include "worker/worker.h"


static teams_keys_rc_e teams_keys_fetch(teams_worker_t *wk,
    teams_keys_set_t *set, char *why, size_t whylen);
static teams_keys_rc_e teams_keys_publish(teams_worker_t *wk,
    teams_keys_set_t *set, const char *jwks, size_t len, long long *version,
    char *why, size_t whylen);
static teams_keys_rc_e teams_keys_queue(teams_worker_t *wk, int argc,
    const char **argv, const size_t *argvlen, char *why, size_t whylen);
static int teams_keys_get(teams_worker_t *wk, const char *what,
    const char *url, size_t max, teams_http_response_t *resp, char *why,
    size_t whylen);
static int teams_keys_lock(teams_worker_t *wk, teams_keys_set_t *set);
static const char *teams_keys_safe(redisReply *v);


void
teams_keys_init(teams_keys_t *keys, teams_worker_conf_t *conf)
{
    unsigned   i, max;
    uint64_t   interval_ms;

    static const char  *names[TEAMS_KEYS_NSETS] = { "botframework", "entra" };

    memset(keys, 0, sizeof(teams_keys_t));

    keys->interval = conf->keys_refresh_interval;
    keys->allowed_hosts = conf->jwks_allowed_hosts;

    keys->sets[0].url = conf->openid_botframework;
    keys->sets[1].url = conf->openid_entra;

    interval_ms = (uint64_t) keys->interval * 1000;
    max = (interval_ms < TEAMS_KEYS_RETRY_MAX_MS) ? (unsigned) interval_ms
                                                  : TEAMS_KEYS_RETRY_MAX_MS;

    for (i = 0; i < TEAMS_KEYS_NSETS; i++) {
        keys->sets[i].name = names[i];

        if (keys->sets[i].url != NULL
            && teams_worker_url_off(keys->sets[i].url))
        {
            keys->sets[i].url = NULL;
        }

        /* next = 0: fetched as soon as Redis is up */
        teams_backoff_init(&keys->sets[i].backoff, TEAMS_KEYS_RETRY_MIN_MS,
                           max);
    }
}


void
teams_keys_run(teams_worker_t *wk, uint64_t now)
{
    unsigned           i;
    teams_keys_set_t  *set;

    if (!wk->keys.started) {
        wk->keys.started = 1;

        for (i = 0; i < TEAMS_KEYS_NSETS; i++) {
            set = &wk->keys.sets[i];

            if (set->url == NULL) {
                teams_log_info("key set %s: off (openid_%s = off)",
                               set->name, set->name);
            }
        }
    }

    for (i = 0; i < TEAMS_KEYS_NSETS; i++) {
        set = &wk->keys.sets[i];

        if (set->url == NULL || now < set->next) {
            continue;
        }

        /* one set per call: the main loop refreshes its alive key between */

        (void) teams_keys_refresh(wk, set);
        return;
    }
}


teams_keys_rc_e
teams_keys_refresh(teams_worker_t *wk, teams_keys_set_t *set)
{
    char             why[CURL_ERROR_SIZE + TEAMS_KEYS_URI_MAX + 128];
    unsigned         delay;
    uint64_t         now;
    teams_keys_rc_e  rc;

    why[0] = '\0';

    rc = teams_keys_fetch(wk, set, why, sizeof(why));

    now = teams_now_ms();

    switch (rc) {

    case TEAMS_KEYS_PUBLISHED:
        teams_backoff_reset(&set->backoff);
        set->next = now + (uint64_t) wk->keys.interval * 1000;
        break;

    case TEAMS_KEYS_LINK_DOWN:
        /* fetched again once Redis is back */
        teams_log_warn("key set %s: not published: %s; fetching again "
                       "once Redis is back", set->name, why);
        set->next = now + 1000;
        break;

    default:
        if (*wk->stop) {
            set->next = now;
            break;
        }

        delay = teams_backoff_failed(&set->backoff, now, (unsigned) random());
        set->next = now + delay;

        teams_log_error("key set %s: %s; the published set is kept, "
                        "retry %u in %u.%03us", set->name, why,
                        set->backoff.failures, delay / 1000, delay % 1000);
        break;
    }

    return rc;
}


teams_stream_rc_e
teams_keys_control(teams_worker_t *wk, teams_stream_entry_t *entry)
{
    int                i, rc;
    redisReply        *v;
    const char        *which, *reason;
    teams_keys_set_t  *set;

    v = teams_stream_field(entry, "set");
    which = teams_keys_safe(v);

    if (which == NULL
        || (strcmp(which, "all") != 0 && strcmp(which, "botframework") != 0
            && strcmp(which, "entra") != 0))
    {
        teams_log_warn("control entry %s: refresh_keys: \"set\" must be "
                       "botframework, entra or all; ignored", entry->id);
        return TEAMS_STREAM_ACK;
    }

    reason = teams_keys_safe(teams_stream_field(entry, "reason"));

    for (i = 0; i < TEAMS_KEYS_NSETS; i++) {
        set = &wk->keys.sets[i];

        if (strcmp(which, "all") != 0 && strcmp(which, set->name) != 0) {
            continue;
        }

        if (set->url == NULL) {
            teams_log_info("control entry %s: key set %s is off; refresh "
                           "ignored", entry->id, set->name);
            continue;
        }

        rc = teams_keys_lock(wk, set);

        if (rc == -1) {
            /* the link failed: keep the entry pending, it is read again */
            return TEAMS_STREAM_KEEP;
        }

        if (rc == 0) {
            teams_log_info("control entry %s: key set %s: refresh skipped: "
                           "refreshed less than %d s ago", entry->id,
                           set->name, TEAMS_KEYS_LOCK_TTL);
            continue;
        }

        teams_log_info("control entry %s: key set %s: refreshing (reason "
                       "%s)", entry->id, set->name,
                       reason != NULL ? reason : "not given");

        if (teams_keys_refresh(wk, set) == TEAMS_KEYS_LINK_DOWN) {
            return TEAMS_STREAM_KEEP;
        }
    }

    return TEAMS_STREAM_ACK;
}


const char *
teams_keys_jwks_uri(const char *meta_url, const char *json, size_t len,
    const char *allowed_hosts, char *uri, size_t size)
{
    size_t               ulen;
    const char          *err, *s;
    teams_json_t        *root;

    err = NULL;

    root = teams_json_parse(json, len, TEAMS_KEYS_METADATA_DEPTH, &err);
    if (root == NULL) {
        return err != NULL ? err : "is not valid JSON";
    }

    if (root->type != TEAMS_JSON_OBJECT) {
        teams_json_free(root);
        return "is not a JSON object";
    }

    s = teams_json_str(root, "jwks_uri", &ulen);

    if (s == NULL) {
        teams_json_free(root);
        return "has no \"jwks_uri\" string";
    }

    err = teams_keys_uri_check(meta_url, s, ulen, allowed_hosts);

    if (err == NULL) {
        if (ulen >= size) {
            err = "has a jwks_uri that is too long";

        } else {
            memcpy(uri, s, ulen);
            uri[ulen] = '\0';
        }
    }

    teams_json_free(root);

    return err;
}


const char *
teams_keys_uri_check(const char *meta_url, const char *uri, size_t len,
    const char *allowed_hosts)
{
    size_t       i, hlen, mhlen;
    const char  *host, *mhost;

    if (len == 0 || len > TEAMS_KEYS_URI_MAX) {
        return "has an empty or overlong jwks_uri";
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) uri[i] <= ' ' || uri[i] == 0x7f
            || uri[i] == '#')
        {
            return "has a jwks_uri with white space, control characters "
                   "or a fragment";
        }
    }

    if (!teams_url_host(uri, len, &host, &hlen)) {
        return "has a jwks_uri that is not an absolute http(s) URL";
    }

    if (memchr(host, '@', hlen) != NULL
        || teams_host_check(host, hlen) != NULL
        || (hlen > 1 && host[0] == '*'))
    {
        return "has a jwks_uri with a malformed host";
    }

    if (strncasecmp(meta_url, "https://", 8) == 0
        && strncasecmp(uri, "https://", 8) != 0)
    {
        return "has an http:// jwks_uri while the metadata URL is https://";
    }

    if (teams_url_host(meta_url, strlen(meta_url), &mhost, &mhlen)
        && mhlen == hlen && strncasecmp(mhost, host, hlen) == 0)
    {
        return NULL;
    }

    if (allowed_hosts != NULL
        && teams_keys_hosts_match(allowed_hosts, host, hlen))
    {
        return NULL;
    }

    return "has a jwks_uri on another host than the metadata URL (allow "
           "it with jwks_allowed_hosts)";
}


int
teams_keys_hosts_match(const char *list, const char *host, size_t hlen)
{
    size_t       len;
    const char  *p;

    p = list;

    for ( ;; ) {
        p += strspn(p, " \t,");

        if (*p == '\0') {
            return 0;
        }

        len = strcspn(p, " \t,");

        if (teams_host_match(p, len, host, hlen)) {
            return 1;
        }

        p += len;
    }
}


static teams_keys_rc_e
teams_keys_fetch(teams_worker_t *wk, teams_keys_set_t *set, char *why,
    size_t whylen)
{
    char                    uri[TEAMS_KEYS_URI_MAX + 1];
    long long               version;
    const char             *err;
    teams_jwk_set_t        *jwks;
    teams_keys_rc_e         rc;
    teams_http_response_t   resp;

    if (teams_keys_get(wk, "OpenID metadata", set->url,
                       TEAMS_KEYS_METADATA_MAX, &resp, why, whylen)
        != 0)
    {
        return TEAMS_KEYS_FAILED;
    }

    err = teams_keys_jwks_uri(set->url, resp.body, resp.len,
                              wk->keys.allowed_hosts, uri, sizeof(uri));

    teams_http_response_free(&resp);

    if (err != NULL) {
        snprintf(why, whylen, "OpenID metadata %s %s", set->url, err);
        return TEAMS_KEYS_FAILED;
    }

    if (teams_keys_get(wk, "JWKS", uri, TEAMS_JWK_SET_MAX_SIZE, &resp, why,
                       whylen)
        != 0)
    {
        return TEAMS_KEYS_FAILED;
    }

    err = NULL;

    jwks = teams_jwk_set_parse(resp.body, resp.len, &err);

    if (jwks == NULL) {
        snprintf(why, whylen, "JWKS %s refused: %s", uri,
                 err != NULL ? err : "invalid");
        teams_http_response_free(&resp);
        return TEAMS_KEYS_FAILED;
    }

    if (jwks->nskipped > 0) {
        teams_log_warn("key set %s: %zu key(s) of %s left out: %s",
                       set->name, jwks->nskipped, uri,
                       jwks->skip_reason != NULL ? jwks->skip_reason
                                                 : "unusable");
    }

    version = 0;

    rc = teams_keys_publish(wk, set, resp.body, resp.len, &version, why,
                            whylen);

    if (rc == TEAMS_KEYS_PUBLISHED) {
        teams_log_info("key set %s: published %zu key(s) from %s, "
                       "version %lld", set->name, jwks->nkeys, uri, version);
    }

    teams_jwk_set_free(jwks);
    teams_http_response_free(&resp);

    return rc;
}


static int
teams_keys_get(teams_worker_t *wk, const char *what, const char *url,
    size_t max, teams_http_response_t *resp, char *why, size_t whylen)
{
    teams_http_get(&wk->http, url, max, resp);

    if (resp->rc != TEAMS_HTTP_OK) {
        snprintf(why, whylen, "%s GET %s failed: %s", what, url,
                 resp->error);
        teams_http_response_free(resp);
        return -1;
    }

    if (resp->status != 200) {
        snprintf(why, whylen, "%s GET %s failed: HTTP %ld", what, url,
                 resp->status);
        teams_http_response_free(resp);
        return -1;
    }

    return 0;
}


static teams_keys_rc_e
teams_keys_publish(teams_worker_t *wk, teams_keys_set_t *set,
    const char *jwks, size_t len, long long *version, char *why,
    size_t whylen)
{
    int              i;
    char             key[64], fkey[64], now[32];
    size_t           set1len[3];
    redisReply      *r, *e;
    const char      *set1[3], *set2[3], *incr[2];
    teams_keys_rc_e  rc;

    static const char  *multi[] = { "MULTI" };
    static const char  *exec[] = { "EXEC" };

    snprintf(key, sizeof(key), "teams:keys:%s", set->name);
    snprintf(fkey, sizeof(fkey), "teams:keys:%s:fetched_at", set->name);
    snprintf(now, sizeof(now), "%lld", (long long) time(NULL));

    set1[0] = "SET";
    set1[1] = key;
    set1[2] = jwks;
    set1len[0] = 3;
    set1len[1] = strlen(key);
    set1len[2] = len;

    set2[0] = "SET";
    set2[1] = fkey;
    set2[2] = now;

    incr[0] = "INCR";
    incr[1] = TEAMS_KEYS_VERSION_KEY;

    /* readers never see half a publish: MULTI ... EXEC */

    rc = teams_keys_queue(wk, 1, multi, NULL, why, whylen);

    if (rc == TEAMS_KEYS_PUBLISHED) {
        rc = teams_keys_queue(wk, 3, set1, set1len, why, whylen);
    }

    if (rc == TEAMS_KEYS_PUBLISHED) {
        rc = teams_keys_queue(wk, 3, set2, NULL, why, whylen);
    }

    if (rc == TEAMS_KEYS_PUBLISHED) {
        rc = teams_keys_queue(wk, 2, incr, NULL, why, whylen);
    }

    if (rc != TEAMS_KEYS_PUBLISHED) {
        /* on a dead link the server drops the transaction itself */
        return rc;
    }

    r = teams_redis_link_argv(&wk->redis, 1, exec, NULL);
    if (r == NULL) {
        snprintf(why, whylen, "Redis EXEC failed");
        return TEAMS_KEYS_LINK_DOWN;
    }

    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        snprintf(why, whylen, "Redis EXEC: %s",
                 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
        freeReplyObject(r);
        return TEAMS_KEYS_FAILED;
    }

    for (i = 0; i < 3; i++) {
        e = r->element[i];

        if (e->type == REDIS_REPLY_ERROR) {
            snprintf(why, whylen, "Redis EXEC: %s", e->str);
            freeReplyObject(r);
            return TEAMS_KEYS_FAILED;
        }
    }

    e = r->element[2];
    *version = (e->type == REDIS_REPLY_INTEGER) ? e->integer : -1;

    freeReplyObject(r);

    return TEAMS_KEYS_PUBLISHED;
}


/* MULTI, or one command inside it: +OK / +QUEUED expected */

static teams_keys_rc_e
teams_keys_queue(teams_worker_t *wk, int argc, const char **argv,
    const size_t *argvlen, char *why, size_t whylen)
{
    int          ok;
    redisReply  *r;

    static const char  *discard[] = { "DISCARD" };

    r = teams_redis_link_argv(&wk->redis, argc, argv, argvlen);
    if (r == NULL) {
        snprintf(why, whylen, "Redis %s failed", argv[0]);
        return TEAMS_KEYS_LINK_DOWN;
    }

    ok = (r->type == REDIS_REPLY_STATUS);

    if (!ok) {
        snprintf(why, whylen, "Redis refused %s%s%s: %s", argv[0],
                 argc > 1 ? " " : "", argc > 1 ? argv[1] : "",
                 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    }

    freeReplyObject(r);

    if (ok) {
        return TEAMS_KEYS_PUBLISHED;
    }

    if (strcmp(argv[0], "MULTI") != 0) {
        r = teams_redis_link_argv(&wk->redis, 1, discard, NULL);
        if (r == NULL) {
            return TEAMS_KEYS_LINK_DOWN;
        }

        freeReplyObject(r);
    }

    return TEAMS_KEYS_FAILED;
}


static int
teams_keys_lock(teams_worker_t *wk, teams_keys_set_t *set)
{
    int          rc;
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis,
                                 "SET teams:keys:%s:refresh_lock 1 NX EX %d",
                                 set->name, TEAMS_KEYS_LOCK_TTL);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_STATUS) {
        rc = 1;

    } else if (r->type == REDIS_REPLY_NIL) {
        rc = 0;

    } else {
        /* an error reply: refreshing anyway is safer than never */
        teams_log_error("key set %s: SET refresh_lock failed: %s", set->name,
                        r->type == REDIS_REPLY_ERROR ? r->str : "?");
        rc = 1;
    }

    freeReplyObject(r);

    return rc;
}


/* a short [a-z0-9_-] field value, safe to log, or NULL */

static const char *
teams_keys_safe(redisReply *v)
{
    size_t  i;

    if (v == NULL || v->type != REDIS_REPLY_STRING || v->len == 0
        || v->len > 32)
    {
        return NULL;
    }

    for (i = 0; i < v->len; i++) {
        if (!((v->str[i] >= 'a' && v->str[i] <= 'z')
              || (v->str[i] >= '0' && v->str[i] <= '9')
              || v->str[i] == '_' || v->str[i] == '-'))
        {
            return NULL;
        }
    }

    return v->str;
}
