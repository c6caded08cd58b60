
/*
 * One-call token verification.  The signature is checked before the
 * claims are interpreted, so that "expired" or "not yet valid" is only
 * ever reported for a token that Microsoft really issued.
 */


#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/teams_uuid.h"
#include "jwt/teams_jwt.h"


/* claims are mostly flat; Entra's optional claims nest a little */
#define TEAMS_JWT_PAYLOAD_DEPTH  8


static const char  *teams_jwt_status_names[] = {
    "ok",
    "malformed",
    "too large",
    "unsupported alg",
    "forbidden header",
    "unknown kid",
    "key mismatch",
    "bad signature",
    "bad claims",
    "expired",
    "not yet valid",
    "error"
};


teams_jwt_status_e
teams_jwt_verify(const char *token, size_t len, const teams_jwk_set_t *set,
    time_t now, teams_jwt_result_t *out)
{
    const char          *err;
    teams_jws_t          jws;
    teams_json_t        *payload;
    teams_jwt_status_e   rc;

    memset(out, 0, sizeof(teams_jwt_result_t));
    payload = NULL;

    rc = teams_jws_parse(&jws, token, len, &out->reason);
    if (rc != TEAMS_JWT_OK) {
        goto done;
    }

    out->alg = jws.alg;

    payload = teams_json_parse((const char *) jws.payload, jws.payload_len,
                               TEAMS_JWT_PAYLOAD_DEPTH, &err);

    if (payload == NULL || payload->type != TEAMS_JSON_OBJECT) {
        out->reason = "token payload is not a strict JSON object";
        rc = TEAMS_JWT_MALFORMED;
        goto done;
    }

    rc = teams_jws_verify(&jws, set, &out->key, &out->reason);
    if (rc != TEAMS_JWT_OK) {
        goto done;
    }

    rc = teams_claims_parse(&out->claims, payload, &out->reason);
    if (rc != TEAMS_JWT_OK) {
        goto done;
    }

    rc = teams_claims_check_time(&out->claims, now, TEAMS_CLAIMS_SKEW,
                                 &out->reason);
    if (rc != TEAMS_JWT_OK) {
        goto done;
    }

    out->reason = "ok";

done:

    teams_json_free(payload);
    teams_jws_free(&jws);

    if (rc != TEAMS_JWT_OK) {
        out->key = NULL;
    }

    out->status = rc;

    return rc;
}


void
teams_jwt_result_free(teams_jwt_result_t *out)
{
    teams_claims_free(&out->claims);
    out->key = NULL;
}


const char *
teams_jwt_status_name(teams_jwt_status_e status)
{
    if ((size_t) status >= sizeof(teams_jwt_status_names) / sizeof(char *)) {
        return "unknown";
    }

    return teams_jwt_status_names[status];
}


int
teams_jwt_bearer(const char *value, size_t len, const char **token,
    size_t *tlen)
{
    size_t  i;

    if (len < 8 || strncasecmp(value, "Bearer ", 7) != 0) {
        return 0;
    }

    for (i = 7; i < len; i++) {
        if (value[i] == ' ' || value[i] == '\t' || value[i] == '\r'
            || value[i] == '\n' || value[i] == '\0')
        {
            return 0;
        }
    }

    *token = value + 7;
    *tlen = len - 7;

    return 1;
}


int
teams_jwt_entra_issuer_ok(const teams_claims_t *claims)
{
    char    buf[128];
    size_t  n;

    /* a tenant id is a GUID; anything else must not reach the template */
    if (claims->iss == NULL || claims->tid == NULL
        || !teams_is_uuid(claims->tid, strlen(claims->tid)))
    {
        return 0;
    }

    n = (size_t) snprintf(buf, sizeof(buf),
                          "https://login.microsoftonline.com/%s/v2.0",
                          claims->tid);

    if (n < sizeof(buf) && strcmp(claims->iss, buf) == 0) {
        return 1;
    }

    n = (size_t) snprintf(buf, sizeof(buf), "https://sts.windows.net/%s/",
                          claims->tid);

    return n < sizeof(buf) && strcmp(claims->iss, buf) == 0;
}
