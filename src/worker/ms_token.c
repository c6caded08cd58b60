
/*
 * Microsoft access tokens by client credentials, cached per profile and
 * scope.
 */


#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/teams_json.h"
#include "core/teams_secret.h"
#include "core/teams_uuid.h"
#include "worker/log.h"
#include "core/teams_url.h"
#include "worker/ms_token.h"
#include "worker/worker.h"


#define TEAMS_MS_TOKEN_SQL                                                   \
    "SELECT client_id, tenant_id, client_secret_ref"                         \
    "  FROM microsoft_profiles"                                              \
    " WHERE tenant = $1::uuid AND profile_id = $2::uuid"                     \
    "   AND NOT is_archived"

/* the key file holds 64 hex digits and maybe a newline */
#define TEAMS_MS_KEY_FILE_MAX      256
#define TEAMS_MS_SCOPE_MAX         200
#define TEAMS_MS_FIELD_MAX         200
/* three fields percent-encoded (x3) plus names */
#define TEAMS_MS_FORM_MAX          (3 * (TEAMS_SECRET_MAX_PLAIN              \
                                         + 2 * TEAMS_MS_FIELD_MAX) + 128)


typedef struct {
    char        key[TEAMS_MS_TOKEN_KEY_MAX];
    char       *token;               /* malloc()ed, NUL-ended; or NULL */
    size_t      len;
    uint64_t    fresh_until;         /* teams_now_ms() */
    unsigned    fetching:1;
} teams_ms_token_entry_t;


struct teams_ms_tokens_s {
    teams_worker_t           *wk;
    teams_ms_token_entry_t   *entries;
    size_t                    n;
    size_t                    alloc;
};


typedef struct {
    char   client_id[TEAMS_MS_FIELD_MAX];
    char   ms_tenant[TEAMS_MS_FIELD_MAX];
    char  *envelope;                 /* malloc()ed */
} teams_ms_profile_t;


static teams_ms_token_entry_t *teams_ms_token_entry(teams_ms_tokens_t *t,
    const char *key, int create);
static void teams_ms_token_entry_clear(teams_ms_token_entry_t *e);
static int teams_ms_token_fetch(teams_ms_tokens_t *t,
    teams_ms_token_entry_t *e, const char *tenant, const char *profile_id,
    const char *scope, int *http_status, char *err, size_t errlen);
static int teams_ms_token_profile(teams_ms_tokens_t *t, const char *tenant,
    const char *profile_id, teams_ms_profile_t *p, char *err, size_t errlen);
static int teams_ms_token_master_key(const char *path, unsigned char *key,
    char *err, size_t errlen);
static int teams_ms_token_request(teams_ms_tokens_t *t,
    teams_ms_token_entry_t *e, const char *url, const char *form,
    size_t form_len, int *http_status, char *err, size_t errlen);
static void teams_ms_token_err(char *err, size_t errlen, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));


teams_ms_tokens_t *
teams_ms_tokens_create(teams_worker_t *w)
{
    teams_ms_tokens_t  *t;

    t = calloc(1, sizeof(teams_ms_tokens_t));
    if (t == NULL) {
        return NULL;
    }

    t->wk = w;

    return t;
}


void
teams_ms_tokens_destroy(teams_ms_tokens_t *t)
{
    size_t  i;

    if (t == NULL) {
        return;
    }

    for (i = 0; i < t->n; i++) {
        teams_ms_token_entry_clear(&t->entries[i]);
    }

    free(t->entries);
    free(t);
}


const char *
teams_ms_token_get(teams_ms_tokens_t *t, const char *tenant,
    const char *profile_id, const char *scope, int *http_status, char *err,
    size_t errlen)
{
    int                      status, rc;
    char                     key[TEAMS_MS_TOKEN_KEY_MAX], dummy[1];
    teams_ms_token_entry_t  *e;

    if (http_status == NULL) {
        http_status = &status;
    }

    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }

    *http_status = 0;
    err[0] = '\0';

    if (tenant == NULL || profile_id == NULL || scope == NULL
        || !teams_is_uuid(tenant, strlen(tenant))
        || !teams_is_uuid(profile_id, strlen(profile_id)))
    {
        teams_ms_token_err(err, errlen, "bad tenant or profile id");
        return NULL;
    }

    if (teams_ms_token_key(key, sizeof(key), tenant, profile_id, scope)
        == 0)
    {
        teams_ms_token_err(err, errlen, "scope too long");
        return NULL;
    }

    e = teams_ms_token_entry(t, key, 1);
    if (e == NULL) {
        teams_ms_token_err(err, errlen, "out of memory");
        return NULL;
    }

    if (e->token != NULL && teams_now_ms() < e->fresh_until) {
        *http_status = 200;
        return e->token;
    }

    if (e->fetching) {
        teams_ms_token_err(err, errlen, "a token request for this profile "
                           "is in progress");
        return NULL;
    }

    teams_ms_token_entry_clear(e);

    e->fetching = 1;

    rc = teams_ms_token_fetch(t, e, tenant, profile_id, scope, http_status,
                              err, errlen);

    e->fetching = 0;

    if (rc != 0) {
        teams_log_warn("token for profile %s (tenant %s, scope %s): %s",
                       profile_id, tenant, scope, err);
        return NULL;
    }

    teams_log_info("token for profile %s (tenant %s, scope %s) fetched, "
                   "reused for %llus", profile_id, tenant, scope,
                   (unsigned long long)
                       ((e->fresh_until - teams_now_ms()) / 1000));

    *http_status = 200;

    return e->token;
}


void
teams_ms_token_forget(teams_ms_tokens_t *t, const char *tenant,
    const char *profile_id, const char *scope)
{
    char                     key[TEAMS_MS_TOKEN_KEY_MAX];
    teams_ms_token_entry_t  *e;

    if (tenant == NULL || profile_id == NULL || scope == NULL
        || teams_ms_token_key(key, sizeof(key), tenant, profile_id, scope)
           == 0)
    {
        return;
    }

    e = teams_ms_token_entry(t, key, 0);

    if (e != NULL && !e->fetching) {
        teams_ms_token_entry_clear(e);
    }
}


static teams_ms_token_entry_t *
teams_ms_token_entry(teams_ms_tokens_t *t, const char *key, int create)
{
    size_t                   i, j, alloc;
    uint64_t                 now;
    teams_ms_token_entry_t  *e;

    for (i = 0; i < t->n; i++) {
        if (strcmp(t->entries[i].key, key) == 0) {
            return &t->entries[i];
        }
    }

    if (!create) {
        return NULL;
    }

    if (t->n == TEAMS_MS_TOKEN_CACHE_MAX) {

        /* full (a very large install): drop the stale entries */

        now = teams_now_ms();

        for (i = 0, j = 0; i < t->n; i++) {
            if (!t->entries[i].fetching
                && (t->entries[i].token == NULL
                    || now >= t->entries[i].fresh_until))
            {
                teams_ms_token_entry_clear(&t->entries[i]);
                continue;
            }

            t->entries[j++] = t->entries[i];
        }

        t->n = j;

        if (t->n == TEAMS_MS_TOKEN_CACHE_MAX) {
            return NULL;
        }
    }

    if (t->n == t->alloc) {
        alloc = t->alloc ? 2 * t->alloc : 16;

        e = realloc(t->entries, alloc * sizeof(teams_ms_token_entry_t));
        if (e == NULL) {
            return NULL;
        }

        t->entries = e;
        t->alloc = alloc;
    }

    e = &t->entries[t->n++];

    memset(e, 0, sizeof(teams_ms_token_entry_t));
    strcpy(e->key, key);

    return e;
}


static void
teams_ms_token_entry_clear(teams_ms_token_entry_t *e)
{
    if (e->token != NULL) {
        teams_secret_wipe(e->token, e->len);
        free(e->token);
    }

    e->token = NULL;
    e->len = 0;
    e->fresh_until = 0;
}


static int
teams_ms_token_fetch(teams_ms_tokens_t *t, teams_ms_token_entry_t *e,
    const char *tenant, const char *profile_id, const char *scope,
    int *http_status, char *err, size_t errlen)
{
    int                  rc;
    char                 aad[TEAMS_SECRET_AAD_MAX], url[1024];
    char                *form;
    size_t               aad_len, secret_len, form_len;
    const char          *why;
    unsigned char        mkey[TEAMS_SECRET_KEY_LEN];
    unsigned char        secret[TEAMS_SECRET_MAX_PLAIN + 1];
    teams_secret_rc_e    src;
    teams_ms_profile_t   p;
    teams_worker_conf_t *conf;

    conf = t->wk->conf;

    if (conf->secret_key_file == NULL) {
        teams_ms_token_err(err, errlen, "no secret_key_file configured");
        return -1;
    }

    memset(&p, 0, sizeof(teams_ms_profile_t));

    if (teams_ms_token_profile(t, tenant, profile_id, &p, err, errlen) != 0)
    {
        return -1;
    }

    why = teams_ms_token_url(url, sizeof(url), conf->token_endpoint_base,
                             p.ms_tenant, scope);
    if (why != NULL) {
        teams_ms_token_err(err, errlen, "%s", why);
        free(p.envelope);
        return -1;
    }

    aad_len = teams_secret_aad(aad, sizeof(aad), tenant, strlen(tenant),
                               profile_id, strlen(profile_id));

    if (teams_ms_token_master_key(conf->secret_key_file, mkey, err, errlen)
        != 0)
    {
        free(p.envelope);
        return -1;
    }

    src = teams_secret_decrypt(mkey, aad, aad_len, p.envelope,
                               strlen(p.envelope), secret, sizeof(secret),
                               &secret_len);

    teams_secret_wipe(mkey, sizeof(mkey));
    free(p.envelope);

    if (src != TEAMS_SECRET_OK) {
        teams_ms_token_err(err, errlen, "client secret does not decrypt: %s",
                           teams_secret_strerror(src));
        return -1;
    }

    form = malloc(TEAMS_MS_FORM_MAX);
    if (form == NULL) {
        teams_secret_wipe(secret, sizeof(secret));
        teams_ms_token_err(err, errlen, "out of memory");
        return -1;
    }

    form_len = teams_ms_token_form(form, TEAMS_MS_FORM_MAX, p.client_id,
                                   (const char *) secret, secret_len, scope);

    teams_secret_wipe(secret, sizeof(secret));

    if (form_len == 0) {
        free(form);
        teams_ms_token_err(err, errlen, "token request too long");
        return -1;
    }

    rc = teams_ms_token_request(t, e, url, form, form_len, http_status, err,
                                errlen);

    teams_secret_wipe(form, form_len);
    free(form);

    return rc;
}


static int
teams_ms_token_profile(teams_ms_tokens_t *t, const char *tenant,
    const char *profile_id, teams_ms_profile_t *p, char *err, size_t errlen)
{
    char            line[512];
    const char     *params[2], *v;
    PGresult       *res;
    teams_worker_t *wk;

    wk = t->wk;

    if (!teams_pg_link_ready(&wk->pg, teams_now_ms())) {
        teams_ms_token_err(err, errlen, "database unavailable");
        return -1;
    }

    params[0] = tenant;
    params[1] = profile_id;

    res = PQexecParams(wk->pg.conn, TEAMS_MS_TOKEN_SQL, 2, NULL, params,
                       NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        teams_ms_token_err(err, errlen, "profile query failed: %s",
                           teams_pg_error_line(
                               PQresultErrorMessage(res), line,
                               sizeof(line)));
        PQclear(res);

        if (PQstatus(wk->pg.conn) != CONNECTION_OK) {
            teams_pg_link_fail(&wk->pg, "connection lost");
        }

        return -1;
    }

    if (PQntuples(res) != 1) {
        PQclear(res);
        teams_ms_token_err(err, errlen, "profile not found or archived");
        return -1;
    }

    v = PQgetvalue(res, 0, 0);

    if (v[0] == '\0' || strlen(v) >= sizeof(p->client_id)) {
        PQclear(res);
        teams_ms_token_err(err, errlen, "profile has no usable client id");
        return -1;
    }

    strcpy(p->client_id, v);

    v = PQgetvalue(res, 0, 1);

    if (strlen(v) >= sizeof(p->ms_tenant)) {
        PQclear(res);
        teams_ms_token_err(err, errlen, "profile tenant id too long");
        return -1;
    }

    strcpy(p->ms_tenant, v);

    v = PQgetvalue(res, 0, 2);

    if (v[0] == '\0') {
        PQclear(res);
        teams_ms_token_err(err, errlen, "profile has no client secret");
        return -1;
    }

    p->envelope = strdup(v);

    PQclear(res);

    if (p->envelope == NULL) {
        teams_ms_token_err(err, errlen, "out of memory");
        return -1;
    }

    return 0;
}


static int
teams_ms_token_master_key(const char *path, unsigned char *key, char *err,
    size_t errlen)
{
    int      fd, rc;
    char     buf[TEAMS_MS_KEY_FILE_MAX];
    ssize_t  n;

    /* read at each fetch (hourly at most): no master key kept in memory */

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        teams_ms_token_err(err, errlen, "secret_key_file: %s",
                           strerror(errno));
        return -1;
    }

    n = read(fd, buf, sizeof(buf));
    close(fd);

    if (n <= 0 || (size_t) n == sizeof(buf)) {
        teams_secret_wipe(buf, sizeof(buf));
        teams_ms_token_err(err, errlen, "secret_key_file: not 64 hex "
                           "characters");
        return -1;
    }

    rc = teams_secret_key_from_hex(buf, (size_t) n, key);

    teams_secret_wipe(buf, sizeof(buf));

    if (rc != 0) {
        teams_ms_token_err(err, errlen, "secret_key_file: not 64 hex "
                           "characters");
        return -1;
    }

    return 0;
}


static int
teams_ms_token_request(teams_ms_tokens_t *t, teams_ms_token_entry_t *e,
    const char *url, const char *form, size_t form_len, int *http_status,
    char *err, size_t errlen)
{
    char                       code[64];
    const char                *why;
    struct curl_slist         *hdrs, *h;
    teams_http_rc_e            rc;
    teams_http_response_t      resp;
    teams_ms_token_response_t  tr;

    hdrs = curl_slist_append(NULL, "Content-Type: "
                             "application/x-www-form-urlencoded");
    h = hdrs ? curl_slist_append(hdrs, "Accept: application/json") : NULL;

    if (h == NULL) {
        curl_slist_free_all(hdrs);
        teams_ms_token_err(err, errlen, "out of memory");
        return -1;
    }

    rc = teams_http_send(&t->wk->http, "POST", url, hdrs, form, form_len,
                         TEAMS_MS_TOKEN_BODY_MAX, &resp);

    curl_slist_free_all(hdrs);

    if (rc != TEAMS_HTTP_OK) {
        /* libcurl's reason names the URL at most, never the body */
        teams_ms_token_err(err, errlen, "token endpoint: %s", resp.error);
        teams_http_response_free(&resp);
        return -1;
    }

    *http_status = (int) resp.status;

    if (resp.status != 200) {
        teams_ms_token_err(err, errlen, "token endpoint answered %ld%s%s",
                           resp.status,
                           teams_ms_token_error_code(resp.body, resp.len,
                                                     code, sizeof(code))[0]
                           ? " " : "", code);
        teams_http_response_free(&resp);
        return -1;
    }

    why = teams_ms_token_parse(resp.body, resp.len, &tr);

    teams_secret_wipe(resp.body, resp.len);
    teams_http_response_free(&resp);

    if (why != NULL) {
        teams_ms_token_err(err, errlen, "token endpoint answer: %s", why);
        return -1;
    }

    e->token = tr.access_token;
    e->len = tr.len;
    e->fresh_until = teams_ms_token_fresh_until(teams_now_ms(),
                                                tr.expires_in);

    return 0;
}


const char *
teams_ms_token_parse(const char *body, size_t len,
    teams_ms_token_response_t *out)
{
    char                *end;
    size_t               i, tlen;
    double               d;
    const char          *why, *s;
    teams_json_t        *doc;
    const teams_json_t  *v;

    memset(out, 0, sizeof(teams_ms_token_response_t));

    doc = teams_json_parse(body, len, 4, &why);
    if (doc == NULL) {
        return "not JSON";
    }

    why = NULL;

    if (doc->type != TEAMS_JSON_OBJECT) {
        why = "not a JSON object";
        goto done;
    }

    s = teams_json_str(doc, "token_type", &tlen);
    if (s == NULL || strcasecmp(s, "Bearer") != 0) {
        why = "token_type is not Bearer";
        goto done;
    }

    s = teams_json_str(doc, "access_token", &tlen);
    if (s == NULL || tlen == 0) {
        why = "no access_token";
        goto done;
    }

    if (tlen > TEAMS_MS_TOKEN_MAX) {
        why = "access_token too long";
        goto done;
    }

    /* it goes into an HTTP header as it is */

    for (i = 0; i < tlen; i++) {
        if (s[i] <= 0x20 || s[i] >= 0x7f) {
            why = "access_token has bad characters";
            goto done;
        }
    }

    v = teams_json_get(doc, "expires_in");

    if (v != NULL && v->type == TEAMS_JSON_NUMBER) {
        d = v->number;

    } else if (v != NULL && v->type == TEAMS_JSON_STRING && v->len > 0
               && v->len < 10 && isdigit((unsigned char) v->str[0]))
    {
        /* Azure AD v1 endpoints send it as a string */
        d = strtod(v->str, &end);

        if (*end != '\0') {
            why = "expires_in is not a number";
            goto done;
        }

    } else {
        why = "no expires_in";
        goto done;
    }

    if (!(d >= 1 && d <= 86400)) {
        why = "expires_in out of range";
        goto done;
    }

    out->access_token = malloc(tlen + 1);
    if (out->access_token == NULL) {
        why = "out of memory";
        goto done;
    }

    memcpy(out->access_token, s, tlen + 1);
    out->len = tlen;
    out->expires_in = (long) d;

done:

    /* the tree holds a copy of the token */

    if (doc->type == TEAMS_JSON_OBJECT) {
        v = teams_json_get(doc, "access_token");

        if (v != NULL && v->type == TEAMS_JSON_STRING) {
            teams_secret_wipe(v->str, v->len);
        }
    }

    teams_json_free(doc);

    return why;
}


const char *
teams_ms_token_error_code(const char *body, size_t len, char *buf,
    size_t size)
{
    size_t         i, n, slen;
    const char    *s, *why;
    teams_json_t  *doc;

    if (size == 0) {
        return buf;
    }

    buf[0] = '\0';

    if (body == NULL || len == 0) {
        return buf;
    }

    doc = teams_json_parse(body, len, 8, &why);
    if (doc == NULL) {
        return buf;
    }

    s = (doc->type == TEAMS_JSON_OBJECT)
        ? teams_json_str(doc, "error", &slen) : NULL;

    if (s != NULL) {
        for (i = 0, n = 0; i < slen && n + 1 < size; i++) {
            if (isalnum((unsigned char) s[i]) || s[i] == '_') {
                buf[n++] = s[i];
            }
        }

        buf[n] = '\0';
    }

    teams_json_free(doc);

    return buf;
}


uint64_t
teams_ms_token_fresh_until(uint64_t now_ms, long expires_in)
{
    long  use;

    if (expires_in <= 0) {
        return now_ms;
    }

    /*
     * the margin covers clock skew and requests in flight at expiry;
     * a short-lived token (a stand-in, a test) gets half its life instead
     */

    if (expires_in > 2 * TEAMS_MS_TOKEN_MARGIN_S) {
        use = expires_in - TEAMS_MS_TOKEN_MARGIN_S;

    } else {
        use = expires_in / 2;
    }

    return now_ms + (uint64_t) use * 1000;
}


size_t
teams_ms_token_key(char *buf, size_t size, const char *tenant,
    const char *profile_id, const char *scope)
{
    int     n;
    size_t  i, plen;

    n = snprintf(buf, size, "%s/%s/%s", tenant, profile_id, scope);

    if (n < 0 || (size_t) n >= size) {
        if (size > 0) {
            buf[0] = '\0';
        }

        return 0;
    }

    /* ids are UUIDs in any case; the scope is compared exactly */

    plen = strlen(tenant) + 1 + strlen(profile_id);

    for (i = 0; i < plen; i++) {
        buf[i] = (char) tolower((unsigned char) buf[i]);
    }

    return (size_t) n;
}


const char *
teams_ms_token_url(char *buf, size_t size, const char *base,
    const char *ms_tenant, const char *scope)
{
    int          n;
    size_t       i, blen;
    const char  *tenant;

    if (base == NULL || base[0] == '\0') {
        return "no token_endpoint_base";
    }

    tenant = ms_tenant;

    if (tenant[0] == '\0' || strcasecmp(tenant, "common") == 0
        || strcasecmp(tenant, "organizations") == 0
        || strcasecmp(tenant, "consumers") == 0)
    {
        /* multi-tenant: the Connector's tokens come from this tenant */

        if (strcmp(scope, TEAMS_MS_SCOPE_BOT) != 0) {
            return "profile has no Entra tenant id (needed for this scope)";
        }

        tenant = "botframework.com";
    }

    /* a path segment: a GUID or a domain name, nothing else */

    for (i = 0; tenant[i] != '\0'; i++) {
        if (!isalnum((unsigned char) tenant[i]) && tenant[i] != '-'
            && tenant[i] != '.')
        {
            return "profile tenant id has bad characters";
        }
    }

    if (i > 128 || tenant[0] == '.') {
        return "profile tenant id malformed";
    }

    blen = strlen(base);

    while (blen > 0 && base[blen - 1] == '/') {
        blen--;
    }

    n = snprintf(buf, size, "%.*s/%s/oauth2/v2.0/token", (int) blen, base,
                 tenant);

    if (n < 0 || (size_t) n >= size) {
        return "token endpoint URL too long";
    }

    return NULL;
}


size_t
teams_ms_token_form(char *buf, size_t size, const char *client_id,
    const char *secret, size_t secret_len, const char *scope)
{
    size_t  n, k;

#define teams_ms_form_lit(s)                                                 \
    do {                                                                     \
        k = sizeof(s) - 1;                                                   \
        if (size - n <= k) {                                                 \
            goto toolong;                                                    \
        }                                                                    \
        memcpy(buf + n, s, k);                                               \
        n += k;                                                              \
    } while (0)

#define teams_ms_form_enc(s, len)                                            \
    do {                                                                     \
        k = teams_percent_encode(buf + n, size - n, s, len,                  \
                                 TEAMS_URI_UNRESERVED);               \
        if (k == (size_t) -1) {                                              \
            goto toolong;                                                    \
        }                                                                    \
        n += k;                                                              \
    } while (0)

    if (size == 0) {
        return 0;
    }

    n = 0;

    teams_ms_form_lit("grant_type=client_credentials&client_id=");
    teams_ms_form_enc(client_id, strlen(client_id));
    teams_ms_form_lit("&client_secret=");
    teams_ms_form_enc(secret, secret_len);
    teams_ms_form_lit("&scope=");
    teams_ms_form_enc(scope, strlen(scope));

#undef teams_ms_form_lit
#undef teams_ms_form_enc

    buf[n] = '\0';

    return n;

toolong:

    teams_secret_wipe(buf, size);

    return 0;
}


static void
teams_ms_token_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    (void) vsnprintf(err, errlen, fmt, args);
    va_end(args);
}
