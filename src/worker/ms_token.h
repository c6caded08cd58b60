
/*
 * Microsoft access tokens for the worker: OAuth 2.0 client credentials per
 * Microsoft profile and scope, for the Bot Connector
 * ("https://api.botframework.com/.default") and Graph
 * ("https://graph.microsoft.com/.default").
 *
 * For a token the client reads the profile (client_id, tenant_id,
 * client_secret_ref) from PostgreSQL by (PSA tenant, profile id), decrypts
 * the secret with src/core/teams_secret.h under the worker's
 * secret_key_file (key and secret live on the stack only and are wiped
 * right after the request), and POSTs
 *
 *     {token_endpoint_base}/{tenant_id}/oauth2/v2.0/token
 *     grant_type=client_credentials&client_id=..&client_secret=..&scope=..
 *
 * A profile whose tenant_id is "common", "organizations" or empty is a
 * multi-tenant app: its Bot Connector tokens come from the
 * "botframework.com" tenant, as Microsoft documents; Graph needs a real
 * tenant and fails.
 *
 * Tokens are cached per (PSA tenant, profile, scope) until 5 minutes before
 * they expire (half their lifetime when they live 10 minutes or less).  The
 * worker is single-threaded and requests block, so at most one token
 * request per profile is ever in flight; a re-entrant call for an entry
 * being fetched fails instead of starting a second request.
 *
 * Nothing here logs or returns the secret or a token in a message; errors
 * are short reasons ("profile not found", "token endpoint answered 401
 * invalid_client", ...).
 */


#ifndef _TEAMS_WORKER_MS_TOKEN_H_INCLUDED_
#define _TEAMS_WORKER_MS_TOKEN_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define TEAMS_MS_SCOPE_BOT    "https://api.botframework.com/.default"
#define TEAMS_MS_SCOPE_GRAPH  "https://graph.microsoft.com/.default"

/* refresh this long before expiry */
#define TEAMS_MS_TOKEN_MARGIN_S    300
/* the longest access token accepted (Entra's are ~1.5-2.5 KB) */
#define TEAMS_MS_TOKEN_MAX         16384
/* the longest cache key "tenant/profile/scope" */
#define TEAMS_MS_TOKEN_KEY_MAX     256
/* cached entries at most; expired ones are dropped first */
#define TEAMS_MS_TOKEN_CACHE_MAX   4096
/* token endpoint response limit */
#define TEAMS_MS_TOKEN_BODY_MAX    (64 * 1024)


typedef struct teams_worker_s     teams_worker_t;
typedef struct teams_ms_tokens_s  teams_ms_tokens_t;


teams_ms_tokens_t *teams_ms_tokens_create(teams_worker_t *w);
void teams_ms_tokens_destroy(teams_ms_tokens_t *t);

/*
 * The bearer token for (PSA tenant, profile id, scope): from the cache, or
 * fetched now (blocking, up to the HTTP client's 10 s).  The pointer stays
 * valid until the next teams_ms_token_get()/forget()/destroy() call; copy
 * it if it must live longer.
 *
 * On failure returns NULL, a short reason in err (never the secret) and in
 * *http_status the token endpoint's status (0 when no answer: database
 * down, profile missing, transport failure ...).  On success *http_status
 * is 200 (also for a cached token).  http_status and err may be NULL.
 */
const char *teams_ms_token_get(teams_ms_tokens_t *t, const char *tenant,
    const char *profile_id, const char *scope, int *http_status, char *err,
    size_t errlen);

/* drops a cached token, after a 401 from Graph or the Connector */
void teams_ms_token_forget(teams_ms_tokens_t *t, const char *tenant,
    const char *profile_id, const char *scope);


/* the pure parts, for tests */

typedef struct {
    char      *access_token;     /* malloc()ed */
    size_t     len;
    long       expires_in;       /* seconds */
} teams_ms_token_response_t;

/*
 * Parses a token endpoint success body: token_type Bearer (any case),
 * access_token (printable ASCII without blanks, at most
 * TEAMS_MS_TOKEN_MAX), expires_in as a number or a numeric string
 * (1..86400).  Returns NULL and fills out, or a static reason.
 */
const char *teams_ms_token_parse(const char *body, size_t len,
    teams_ms_token_response_t *out);

/*
 * The AAD error code of an error body ("invalid_client"), copied into buf
 * (only [A-Za-z0-9_] kept; a description is never copied: it may quote
 * request fields).  Returns buf, or "" when there is none.
 */
const char *teams_ms_token_error_code(const char *body, size_t len,
    char *buf, size_t size);

/* monotonic ms until which a token fetched at now_ms may be used */
uint64_t teams_ms_token_fresh_until(uint64_t now_ms, long expires_in);

/* "tenant/profile/scope", tenant and profile lower-cased; 0 if too long */
size_t teams_ms_token_key(char *buf, size_t size, const char *tenant,
    const char *profile_id, const char *scope);

/* the token endpoint URL into buf; NULL if good, else why not */
const char *teams_ms_token_url(char *buf, size_t size, const char *base,
    const char *ms_tenant, const char *scope);

/*
 * The x-www-form-urlencoded request body into buf (size bytes, NUL-ended).
 * Returns its length, or 0 if it does not fit (buf is then wiped).
 */
size_t teams_ms_token_form(char *buf, size_t size, const char *client_id,
    const char *secret, size_t secret_len, const char *scope);

/* a canonical UUID (36 characters, hex and dashes) */


#endif /* _TEAMS_WORKER_MS_TOKEN_H_INCLUDED_ */
