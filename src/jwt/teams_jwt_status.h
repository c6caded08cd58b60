
/*
 * Outcomes of token verification, shared by the JWS, claims and JWT
 * layers.  Each refusal has its own value so that logs and tests can tell
 * them apart; callers answer 401 for all of them.
 */


#ifndef _TEAMS_JWT_STATUS_H_INCLUDED_
#define _TEAMS_JWT_STATUS_H_INCLUDED_


typedef enum {
    TEAMS_JWT_OK = 0,
    TEAMS_JWT_MALFORMED,
    TEAMS_JWT_TOO_LARGE,
    TEAMS_JWT_UNSUPPORTED_ALG,
    TEAMS_JWT_FORBIDDEN_HEADER,
    TEAMS_JWT_UNKNOWN_KID,
    TEAMS_JWT_KEY_MISMATCH,
    TEAMS_JWT_BAD_SIGNATURE,
    TEAMS_JWT_BAD_CLAIMS,
    TEAMS_JWT_EXPIRED,
    TEAMS_JWT_NOT_YET_VALID,
    TEAMS_JWT_ERROR
} teams_jwt_status_e;


#endif /* _TEAMS_JWT_STATUS_H_INCLUDED_ */
