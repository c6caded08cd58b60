
/*
 * The checks of a verified token that depend on what it is used for: a Bot
 * Framework token against the activity it came with, an Entra token against
 * our application.  Signature, algorithm and times are src/jwt's job; who
 * the audience maps to is the database's (teams_identity).
 */


#ifndef _TEAMS_AUTH_H_INCLUDED_
#define _TEAMS_AUTH_H_INCLUDED_


#include "jwt/teams_claims.h"
#include "jwt/teams_jwk.h"
#include "teams/teams_activity.h"


#define TEAMS_BOTFRAMEWORK_ISSUER  "https://api.botframework.com"
#define TEAMS_TAB_SCOPE            "access_as_user"


typedef enum {
    TEAMS_AUTH_OK = 0,
    TEAMS_AUTH_BAD_ISSUER,
    TEAMS_AUTH_BAD_AUDIENCE,
    TEAMS_AUTH_SERVICE_URL_MISMATCH,     /* token not for this activity */
    TEAMS_AUTH_SERVICE_URL_NOT_ALLOWED,  /* a host we never send to */
    TEAMS_AUTH_NOT_ENDORSED,
    TEAMS_AUTH_BAD_SCOPE,
    TEAMS_AUTH_NO_USER
} teams_auth_e;


/*
 * Bot Framework: iss, a single aud, the serviceurl claim equal to the
 * activity's serviceUrl, that URL's host on the allowed list (https, or
 * http to a loopback host only), and the key endorsed for the activity's
 * channelId.
 */
teams_auth_e teams_auth_botframework(const teams_claims_t *c,
    const teams_jwk_t *key, const teams_activity_t *a,
    const teams_str_t *hosts, size_t nhosts, const char **reason);

int teams_auth_service_url_allowed(const char *url, size_t len,
    const teams_str_t *hosts, size_t nhosts);

/*
 * Entra (tab SSO): v2 (aud = client id) or v1 (aud = api://host/client id,
 * host being ours) issuer for the token's own tid, the access_as_user
 * scope and an oid.  *client_id is set to the application the token is
 * for, pointing into the claims.
 */
teams_auth_e teams_auth_entra(const teams_claims_t *c, const char *our_host,
    size_t hlen, teams_str_t *client_id, const char **reason);

/* 401 or 403 */
int teams_auth_http_status(teams_auth_e rc);
const char *teams_auth_code(teams_auth_e rc);


#endif /* _TEAMS_AUTH_H_INCLUDED_ */
