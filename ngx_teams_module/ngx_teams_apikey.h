
/*
 * PSA API keys and RBAC, as one asynchronous step shared by the surfaces
 * that admins and the PSA call (admin API, notify).
 *
 * The x-api-key header is hashed (SHA-256, lowercase hex, as the PSA stores
 * api_keys.api_key) and resolved in one statement to the key's tenant and
 * user, the user's state and whether the user's MSP roles grant the
 * resource's "read" and "update" permissions.  The plaintext key never
 * leaves this file and is never logged.
 */


#ifndef _NGX_TEAMS_APIKEY_H_INCLUDED_
#define _NGX_TEAMS_APIKEY_H_INCLUDED_


#include "ngx_teams_module.h"


#define NGX_TEAMS_UUID_LEN  36


typedef enum {
    NGX_TEAMS_APIKEY_OK = 0,
    NGX_TEAMS_APIKEY_INVALID,       /* unknown, inactive or expired key, or
                                       its user missing or inactive: 401 */
    NGX_TEAMS_APIKEY_NOT_INTERNAL,  /* a client-portal user's key: 403 */
    NGX_TEAMS_APIKEY_UNAVAILABLE    /* PostgreSQL could not answer: 503 */
} ngx_teams_apikey_status_e;


typedef struct {
    ngx_teams_apikey_status_e  status;
    /* why, for the log and the audit (never the key): "unknown_key",
       "inactive_key", "expired_key", "no_user", "inactive_user",
       "client_user", "ok" */
    const char                *reason;

    /* set when the key was found (also for refused keys) */
    unsigned                   tenant_known:1;
    unsigned                   can_read:1;
    unsigned                   can_update:1;

    u_char                     tenant[NGX_TEAMS_UUID_LEN + 1];
    u_char                     user_id[NGX_TEAMS_UUID_LEN + 1];
    u_char                     api_key_id[NGX_TEAMS_UUID_LEN + 1];
} ngx_teams_apikey_result_t;


typedef void (*ngx_teams_apikey_done_pt)(ngx_http_request_t *r,
    ngx_teams_apikey_result_t *res);


/*
 * Starts the check of r's x-api-key against the "system_settings"
 * permission.  Returns NGX_AGAIN when done() will be called (always later,
 * from an event handler), NGX_DECLINED when the request has no (or an
 * empty) x-api-key header, NGX_ERROR on allocation failure.
 */
ngx_int_t ngx_teams_apikey_check(ngx_http_request_t *r,
    ngx_teams_apikey_done_pt done);

/* the same for another PSA permission resource (e.g. "ticket") */
ngx_int_t ngx_teams_apikey_check_resource(ngx_http_request_t *r,
    const char *resource, ngx_teams_apikey_done_pt done);


#endif /* _NGX_TEAMS_APIKEY_H_INCLUDED_ */
