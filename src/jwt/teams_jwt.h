
/*
 * Verification of a Bot Framework or Entra token in one call: JWS
 * structure and header, key lookup, RSA signature, claims shapes and
 * validity period.  Issuer, audience, tenant, service URL and endorsement
 * depend on configuration and the request, so the caller checks them with
 * the helpers here and in teams_claims.h / teams_jwk.h.
 */


#ifndef _TEAMS_JWT_H_INCLUDED_
#define _TEAMS_JWT_H_INCLUDED_


#include <stddef.h>
#include <time.h>

#include "jwt/teams_claims.h"
#include "jwt/teams_jwk.h"
#include "jwt/teams_jws.h"
#include "jwt/teams_jwt_status.h"


typedef struct {
    teams_jwt_status_e   status;

    /* static text, never any part of the token */
    const char          *reason;

    teams_jws_alg_e      alg;

    /* the key that verified the token; lives as long as the set */
    const teams_jwk_t   *key;

    teams_claims_t       claims;
} teams_jwt_result_t;


/*
 * Verifies token against set at time now with TEAMS_CLAIMS_SKEW seconds
 * of clock skew.  The payload must be a JSON object with no duplicate
 * members.  Returns out->status; teams_jwt_result_free() is needed either
 * way.
 */
teams_jwt_status_e teams_jwt_verify(const char *token, size_t len,
    const teams_jwk_set_t *set, time_t now, teams_jwt_result_t *out);

void teams_jwt_result_free(teams_jwt_result_t *out);

/* "ok", "malformed", "expired", ... for logs and status pages */
const char *teams_jwt_status_name(teams_jwt_status_e status);

/*
 * Points token at the credentials of an "Authorization: Bearer <token>"
 * value: the scheme compared without case (RFC 7235), one space, then a
 * non-empty token without white space.  0 if the value is anything else.
 */
int teams_jwt_bearer(const char *value, size_t len, const char **token,
    size_t *tlen);

/*
 * 1 if the Entra token's "iss" is https://login.microsoftonline.com/{tid}/
 * v2.0 or https://sts.windows.net/{tid}/ for its own "tid" claim.
 */
int teams_jwt_entra_issuer_ok(const teams_claims_t *claims);


#endif /* _TEAMS_JWT_H_INCLUDED_ */
