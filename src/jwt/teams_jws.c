
/*
 * JWS compact parsing and verification.  The header is checked before any
 * key is touched, and members that would let a token choose its own key
 * ("jwk", "jku", "x5u", "x5c") or change how it must be processed ("crit",
 * "b64") are refused rather than ignored.
 */


#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jwt/teams_b64url.h"
#include "jwt/teams_jws.h"


/* a header is one flat object, except that "jwk" would nest */
#define TEAMS_JWS_HEADER_DEPTH  4


static const char  *teams_jws_forbidden[] = {
    "jwk", "jku", "x5u", "x5c", "crit", "cty", "b64", "enc", "zip", NULL
};


static teams_jwt_status_e teams_jws_header(teams_jws_t *jws,
    const char *b64, size_t len, const char **reason);
static unsigned char *teams_jws_decode(const char *b64, size_t len,
    size_t *out);


teams_jwt_status_e
teams_jws_parse(teams_jws_t *jws, const char *token, size_t len,
    const char **reason)
{
    size_t       hlen, plen, slen;
    const char  *dot1, *dot2, *end;

    memset(jws, 0, sizeof(teams_jws_t));

    if (len > TEAMS_JWS_MAX_SIZE) {
        *reason = "token too large";
        return TEAMS_JWT_TOO_LARGE;
    }

    end = token + len;

    dot1 = memchr(token, '.', len);
    dot2 = (dot1 != NULL) ? memchr(dot1 + 1, '.', end - dot1 - 1) : NULL;

    if (dot2 == NULL || memchr(dot2 + 1, '.', end - dot2 - 1) != NULL) {
        *reason = "token is not three dot-separated parts";
        return TEAMS_JWT_MALFORMED;
    }

    hlen = dot1 - token;
    plen = dot2 - dot1 - 1;
    slen = end - dot2 - 1;

    /* an empty payload is a valid JWS; the JWT layer wants an object */
    if (hlen == 0 || slen == 0) {
        *reason = "token with an empty header or signature";
        return TEAMS_JWT_MALFORMED;
    }

    jws->signing_input = token;
    jws->signing_input_len = dot2 - token;

    jws->sig = teams_jws_decode(dot2 + 1, slen, &jws->sig_len);

    if (jws->sig == NULL || jws->sig_len == 0) {
        *reason = "token signature is not base64url";
        return TEAMS_JWT_MALFORMED;
    }

    jws->payload = teams_jws_decode(dot1 + 1, plen, &jws->payload_len);

    if (jws->payload == NULL) {
        *reason = "token payload is not base64url";
        return TEAMS_JWT_MALFORMED;
    }

    return teams_jws_header(jws, token, hlen, reason);
}


teams_jwt_status_e
teams_jws_verify(const teams_jws_t *jws, const teams_jwk_set_t *set,
    const teams_jwk_t **key, const char **reason)
{
    const teams_jwk_t  *k;

    *key = NULL;

    k = teams_jwk_find(set, jws->kid, jws->kid_len);

    if (k == NULL) {
        *reason = "token signed with an unknown key";
        return TEAMS_JWT_UNKNOWN_KID;
    }

    if (k->alg != TEAMS_JWS_ALG_UNSET && k->alg != jws->alg) {
        *reason = "token alg is not the key's alg";
        return TEAMS_JWT_KEY_MISMATCH;
    }

    if (!teams_rsa_verify(k->pkey, jws->alg,
                          (const unsigned char *) jws->signing_input,
                          jws->signing_input_len, jws->sig, jws->sig_len))
    {
        *reason = "token signature does not verify";
        return TEAMS_JWT_BAD_SIGNATURE;
    }

    *key = k;

    return TEAMS_JWT_OK;
}


void
teams_jws_free(teams_jws_t *jws)
{
    teams_json_free(jws->header);
    free(jws->payload);
    free(jws->sig);
    memset(jws, 0, sizeof(teams_jws_t));
}


static teams_jwt_status_e
teams_jws_header(teams_jws_t *jws, const char *b64, size_t len,
    const char **reason)
{
    size_t               hlen, i;
    const char          *err;
    unsigned char       *h;
    const teams_json_t  *v;

    h = teams_jws_decode(b64, len, &hlen);

    if (h == NULL) {
        *reason = "token header is not base64url";
        return TEAMS_JWT_MALFORMED;
    }

    jws->header = teams_json_parse((const char *) h, hlen,
                                   TEAMS_JWS_HEADER_DEPTH, &err);
    free(h);

    if (jws->header == NULL || jws->header->type != TEAMS_JSON_OBJECT) {
        *reason = "token header is not a strict JSON object";
        return TEAMS_JWT_MALFORMED;
    }

    v = teams_json_get(jws->header, "alg");

    if (v == NULL || v->type != TEAMS_JSON_STRING) {
        *reason = "token header without \"alg\"";
        return TEAMS_JWT_MALFORMED;
    }

    jws->alg = teams_jws_alg_from_name(v->str, v->len);

    if (jws->alg == TEAMS_JWS_ALG_UNSET) {
        *reason = "token alg is not RS256, RS384 or RS512";
        return TEAMS_JWT_UNSUPPORTED_ALG;
    }

    for (i = 0; teams_jws_forbidden[i] != NULL; i++) {
        if (teams_json_get(jws->header, teams_jws_forbidden[i]) != NULL) {
            *reason = "token header has a forbidden member";
            return TEAMS_JWT_FORBIDDEN_HEADER;
        }
    }

    v = teams_json_get(jws->header, "typ");

    if (v != NULL
        && (v->type != TEAMS_JSON_STRING || strcasecmp(v->str, "JWT") != 0))
    {
        *reason = "token typ is not JWT";
        return TEAMS_JWT_MALFORMED;
    }

    v = teams_json_get(jws->header, "kid");

    if (v == NULL || v->type != TEAMS_JSON_STRING || v->len == 0
        || v->len > TEAMS_JWK_KID_MAX)
    {
        *reason = "token header without a usable \"kid\"";
        return TEAMS_JWT_MALFORMED;
    }

    jws->kid = v->str;
    jws->kid_len = v->len;

    return TEAMS_JWT_OK;
}


/* a decoded copy, or NULL; an empty part decodes to a 1-byte buffer */

static unsigned char *
teams_jws_decode(const char *b64, size_t len, size_t *out)
{
    ssize_t         n;
    unsigned char  *p;

    p = malloc(teams_b64url_decoded_len(len));
    if (p == NULL) {
        return NULL;
    }

    n = teams_b64url_decode(p, teams_b64url_decoded_len(len), b64, len);

    if (n < 0) {
        free(p);
        return NULL;
    }

    *out = (size_t) n;

    return p;
}
