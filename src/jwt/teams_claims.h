
/*
 * The claims of a verified token that the Bot Framework and Entra checks
 * need, copied out of the payload.
 */


#ifndef _TEAMS_CLAIMS_H_INCLUDED_
#define _TEAMS_CLAIMS_H_INCLUDED_


#include <stddef.h>
#include <time.h>

#include "core/teams_json.h"
#include "jwt/teams_jwt_status.h"


#define TEAMS_CLAIMS_AUD_MAX   16
#define TEAMS_CLAIMS_STR_MAX   2048
#define TEAMS_CLAIMS_SKEW      300


typedef struct {
    /* NUL-terminated copies, NULL when the claim is absent */
    char       *iss;
    char       *tid;
    char       *oid;
    char       *serviceurl;
    char       *appid;
    char       *azp;
    char       *ver;
    char       *scp;
    char       *name;
    char       *preferred_username;
    char       *upn;

    /* "aud" as a string or an array of strings */
    char       *aud[TEAMS_CLAIMS_AUD_MAX];
    size_t      naud;

    /* NumericDate values; integers or not */
    double      exp;
    double      nbf;
    double      iat;
    unsigned    has_exp:1;
    unsigned    has_nbf:1;
    unsigned    has_iat:1;
} teams_claims_t;


/*
 * Fills claims from a payload object.  A claim we read that has the wrong
 * type, or a string longer than TEAMS_CLAIMS_STR_MAX, refuses the token;
 * other claims are ignored.  teams_claims_free() is needed either way.
 */
teams_jwt_status_e teams_claims_parse(teams_claims_t *claims,
    const teams_json_t *payload, const char **reason);

/*
 * "exp" is required; the token is expired when now > exp + skew and not yet
 * valid when "nbf" is present and now + skew < nbf.
 */
teams_jwt_status_e teams_claims_check_time(const teams_claims_t *claims,
    time_t now, time_t skew, const char **reason);

/* 1 if value is one of the audiences (exact comparison). */
int teams_claims_has_aud(const teams_claims_t *claims, const char *value,
    size_t len);

/* 1 if the claim is present and equals value exactly. */
int teams_claims_str_eq(const char *claim, const char *value, size_t len);

/* A deep copy; 0 on success, -1 out of memory (dst is then empty). */
int teams_claims_copy(teams_claims_t *dst, const teams_claims_t *src);

void teams_claims_free(teams_claims_t *claims);


#endif /* _TEAMS_CLAIMS_H_INCLUDED_ */
