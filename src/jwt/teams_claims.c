
/*
 * Claims of a JWT (RFC 7519 section 4.1) and Microsoft's additions.  Only
 * shapes are checked here; issuer, audience, tenant and service URL depend
 * on configuration and are compared by the caller.
 */


#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jwt/teams_claims.h"


/* NumericDate bounds: not before 1970, not after 9999-12-31 */
#define TEAMS_CLAIMS_TIME_MAX  253402300799.0


typedef struct {
    const char  *name;
    size_t       offset;
} teams_claims_str_t;


static const teams_claims_str_t  teams_claims_strings[] = {
    { "iss", offsetof(teams_claims_t, iss) },
    { "tid", offsetof(teams_claims_t, tid) },
    { "oid", offsetof(teams_claims_t, oid) },
    { "serviceurl", offsetof(teams_claims_t, serviceurl) },
    { "appid", offsetof(teams_claims_t, appid) },
    { "azp", offsetof(teams_claims_t, azp) },
    { "ver", offsetof(teams_claims_t, ver) },
    { "scp", offsetof(teams_claims_t, scp) },
    { "name", offsetof(teams_claims_t, name) },
    { "preferred_username", offsetof(teams_claims_t, preferred_username) },
    { "upn", offsetof(teams_claims_t, upn) },
    { NULL, 0 }
};


static teams_jwt_status_e teams_claims_time(const teams_json_t *payload,
    const char *name, double *value, const char **reason);
static teams_jwt_status_e teams_claims_aud(teams_claims_t *claims,
    const teams_json_t *v, const char **reason);
static teams_jwt_status_e teams_claims_aud_add(teams_claims_t *claims,
    const teams_json_t *v, const char **reason);


#define teams_claims_field(c, i)                                             \
    ((char **) ((char *) (c) + teams_claims_strings[i].offset))


teams_jwt_status_e
teams_claims_parse(teams_claims_t *claims, const teams_json_t *payload,
    const char **reason)
{
    size_t               i;
    teams_jwt_status_e   rc;
    const teams_json_t  *v;

    memset(claims, 0, sizeof(teams_claims_t));

    if (payload == NULL || payload->type != TEAMS_JSON_OBJECT) {
        *reason = "token payload is not a JSON object";
        return TEAMS_JWT_MALFORMED;
    }

    for (i = 0; teams_claims_strings[i].name != NULL; i++) {
        v = teams_json_get(payload, teams_claims_strings[i].name);

        if (v == NULL) {
            continue;
        }

        if (v->type != TEAMS_JSON_STRING || v->len > TEAMS_CLAIMS_STR_MAX) {
            *reason = "token claim of the wrong type or too long";
            return TEAMS_JWT_BAD_CLAIMS;
        }

        *teams_claims_field(claims, i) = strdup(v->str);

        if (*teams_claims_field(claims, i) == NULL) {
            *reason = "out of memory";
            return TEAMS_JWT_ERROR;
        }
    }

    v = teams_json_get(payload, "aud");

    if (v != NULL) {
        rc = teams_claims_aud(claims, v, reason);
        if (rc != TEAMS_JWT_OK) {
            return rc;
        }
    }

    rc = teams_claims_time(payload, "exp", &claims->exp, reason);
    if (rc != TEAMS_JWT_OK) {
        return rc;
    }

    claims->has_exp = teams_json_get(payload, "exp") != NULL;

    rc = teams_claims_time(payload, "nbf", &claims->nbf, reason);
    if (rc != TEAMS_JWT_OK) {
        return rc;
    }

    claims->has_nbf = teams_json_get(payload, "nbf") != NULL;

    rc = teams_claims_time(payload, "iat", &claims->iat, reason);
    if (rc != TEAMS_JWT_OK) {
        return rc;
    }

    claims->has_iat = teams_json_get(payload, "iat") != NULL;

    return TEAMS_JWT_OK;
}


teams_jwt_status_e
teams_claims_check_time(const teams_claims_t *claims, time_t now,
    time_t skew, const char **reason)
{
    double  t;

    if (!claims->has_exp) {
        *reason = "token without \"exp\"";
        return TEAMS_JWT_BAD_CLAIMS;
    }

    t = (double) now;

    if (t > claims->exp + (double) skew) {
        *reason = "token expired";
        return TEAMS_JWT_EXPIRED;
    }

    if (claims->has_nbf && t + (double) skew < claims->nbf) {
        *reason = "token not yet valid";
        return TEAMS_JWT_NOT_YET_VALID;
    }

    return TEAMS_JWT_OK;
}


int
teams_claims_has_aud(const teams_claims_t *claims, const char *value,
    size_t len)
{
    size_t  i;

    for (i = 0; i < claims->naud; i++) {
        if (teams_claims_str_eq(claims->aud[i], value, len)) {
            return 1;
        }
    }

    return 0;
}


int
teams_claims_str_eq(const char *claim, const char *value, size_t len)
{
    if (claim == NULL || len == 0) {
        return 0;
    }

    return strlen(claim) == len && memcmp(claim, value, len) == 0;
}


int
teams_claims_copy(teams_claims_t *dst, const teams_claims_t *src)
{
    size_t  i;
    char   *s;

    *dst = *src;

    for (i = 0; teams_claims_strings[i].name != NULL; i++) {
        *teams_claims_field(dst, i) = NULL;
    }

    for (i = 0; i < TEAMS_CLAIMS_AUD_MAX; i++) {
        dst->aud[i] = NULL;
    }

    for (i = 0; teams_claims_strings[i].name != NULL; i++) {
        s = *teams_claims_field(src, i);

        if (s != NULL) {
            *teams_claims_field(dst, i) = strdup(s);

            if (*teams_claims_field(dst, i) == NULL) {
                goto failed;
            }
        }
    }

    for (i = 0; i < src->naud; i++) {
        dst->aud[i] = strdup(src->aud[i]);

        if (dst->aud[i] == NULL) {
            goto failed;
        }
    }

    return 0;

failed:

    teams_claims_free(dst);

    return -1;
}


void
teams_claims_free(teams_claims_t *claims)
{
    size_t  i;

    for (i = 0; teams_claims_strings[i].name != NULL; i++) {
        free(*teams_claims_field(claims, i));
    }

    for (i = 0; i < TEAMS_CLAIMS_AUD_MAX; i++) {
        free(claims->aud[i]);
    }

    memset(claims, 0, sizeof(teams_claims_t));
}


static teams_jwt_status_e
teams_claims_time(const teams_json_t *payload, const char *name,
    double *value, const char **reason)
{
    const teams_json_t  *v;

    v = teams_json_get(payload, name);

    if (v == NULL) {
        return TEAMS_JWT_OK;
    }

    if (v->type != TEAMS_JSON_NUMBER || v->number < 0
        || v->number > TEAMS_CLAIMS_TIME_MAX)
    {
        *reason = "token time claim is not a NumericDate";
        return TEAMS_JWT_BAD_CLAIMS;
    }

    *value = v->number;

    return TEAMS_JWT_OK;
}


static teams_jwt_status_e
teams_claims_aud(teams_claims_t *claims, const teams_json_t *v,
    const char **reason)
{
    teams_jwt_status_e   rc;
    const teams_json_t  *c;

    if (v->type == TEAMS_JSON_STRING) {
        return teams_claims_aud_add(claims, v, reason);
    }

    if (v->type != TEAMS_JSON_ARRAY) {
        *reason = "token \"aud\" is not a string or an array";
        return TEAMS_JWT_BAD_CLAIMS;
    }

    if (v->nchildren > TEAMS_CLAIMS_AUD_MAX) {
        *reason = "token with too many audiences";
        return TEAMS_JWT_BAD_CLAIMS;
    }

    for (c = v->child; c != NULL; c = c->next) {
        rc = teams_claims_aud_add(claims, c, reason);
        if (rc != TEAMS_JWT_OK) {
            return rc;
        }
    }

    return TEAMS_JWT_OK;
}


static teams_jwt_status_e
teams_claims_aud_add(teams_claims_t *claims, const teams_json_t *v,
    const char **reason)
{
    if (v->type != TEAMS_JSON_STRING || v->len > TEAMS_CLAIMS_STR_MAX) {
        *reason = "token \"aud\" holds a non-string or a long string";
        return TEAMS_JWT_BAD_CLAIMS;
    }

    claims->aud[claims->naud] = strdup(v->str);

    if (claims->aud[claims->naud] == NULL) {
        *reason = "out of memory";
        return TEAMS_JWT_ERROR;
    }

    claims->naud++;

    return TEAMS_JWT_OK;
}
