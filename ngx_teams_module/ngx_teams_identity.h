
/*
 * Identity for the Teams surfaces: bearer tokens and who they resolve to.
 */


#ifndef _NGX_TEAMS_IDENTITY_H_INCLUDED_
#define _NGX_TEAMS_IDENTITY_H_INCLUDED_


#include "ngx_teams_module.h"
#include "jwt/teams_claims.h"
#include "jwt/teams_jwk.h"
#include "teams/teams_identity.h"


typedef struct {
    teams_claims_t             claims;   /* freed with the request */
    ngx_teams_key_set_e        which;
    ngx_str_t                  kid;      /* of the key that signed it */
    const char                *code;     /* for refusals */
    const char                *reason;
} ngx_teams_token_t;


typedef struct {
    teams_identity_e           outcome;
    unsigned                   unavailable:1;   /* could not ask Postgres */
    ngx_str_t                  tenant;
    ngx_str_t                  user_id;
    ngx_str_t                  profile_id;
} ngx_teams_identity_t;


typedef void (*ngx_teams_identity_pt)(ngx_http_request_t *r,
    ngx_teams_identity_t *id);


ngx_int_t ngx_teams_identity_init_process(ngx_cycle_t *cycle,
    ngx_teams_main_conf_t *tmcf);
void ngx_teams_identity_exit_process(ngx_teams_main_conf_t *tmcf);

/*
 * Checks the request's bearer token against a key set: NGX_OK with
 * tok->claims and tok->kid, or the HTTP status to refuse with (401, or 503
 * while no keys are loaded) and tok->code/reason.  Synchronous.
 */
ngx_int_t ngx_teams_verify_bearer(ngx_http_request_t *r,
    ngx_teams_key_set_e which, ngx_teams_token_t *tok);

/*
 * The key that signed a verified token, looked up again: a new key set may
 * have replaced the old one (and freed it) while the body was read.  NULL
 * when the key is no longer published.
 */
const teams_jwk_t *ngx_teams_token_key(ngx_http_request_t *r,
    ngx_teams_token_t *tok);

/*
 * Resolves the caller.  NGX_OK: *id is filled now (from the cache, or a
 * refusal needing no lookup) and done is not called.  NGX_AGAIN: done(r,
 * id) is called later.  NGX_ERROR: out of memory.
 */
ngx_int_t ngx_teams_identity_resolve(ngx_http_request_t *r,
    ngx_str_t *client_id, ngx_str_t *ms_tenant, ngx_str_t *oid,
    ngx_teams_identity_t *id, ngx_teams_identity_pt done);

/* answers a refused (or unavailable) identity */
ngx_int_t ngx_teams_identity_refuse(ngx_http_request_t *r,
    ngx_teams_identity_t *id);

ngx_int_t ngx_teams_token_refuse(ngx_http_request_t *r, ngx_int_t status,
    ngx_teams_token_t *tok);


#endif /* _NGX_TEAMS_IDENTITY_H_INCLUDED_ */
