
/*
 * JWS compact serialization (RFC 7515 section 7.1) restricted to what
 * Microsoft's tokens use: RS256, RS384 or RS512 with a "kid" naming a key
 * of a JWK set we already hold.
 */


#ifndef _TEAMS_JWS_H_INCLUDED_
#define _TEAMS_JWS_H_INCLUDED_


#include <stddef.h>

#include "core/teams_json.h"
#include "jwt/teams_jwk.h"
#include "jwt/teams_jwt_status.h"
#include "jwt/teams_rsa.h"


/* Entra tokens with many claims stay well under this */
#define TEAMS_JWS_MAX_SIZE  16384


typedef struct {
    teams_jws_alg_e     alg;
    const char         *kid;          /* in header, NUL-terminated */
    size_t              kid_len;
    teams_json_t       *header;

    /* the decoded payload; any bytes at this layer */
    unsigned char      *payload;
    size_t              payload_len;

    unsigned char      *sig;
    size_t              sig_len;

    /* "header.payload" of the token, as signed */
    const char         *signing_input;
    size_t              signing_input_len;
} teams_jws_t;


/*
 * Splits and checks a compact JWS: size, exactly three parts, a non-empty
 * header and signature, strict base64url, a header that is a JSON object
 * without duplicate members, "alg" RS256/RS384/RS512, a string "kid", no
 * "jwk", "jku", "x5u", "x5c", "crit", "cty", "b64", "enc" or "zip", and
 * "typ", if present, "JWT".  jws refers to token, which must outlive it.
 * On failure *reason is set to a static text; teams_jws_free() is needed
 * either way.
 */
teams_jwt_status_e teams_jws_parse(teams_jws_t *jws, const char *token,
    size_t len, const char **reason);

/*
 * Finds the header's kid in set and checks the signature with it.  The
 * key's own "alg", if any, must be the header's.  *key is set on success.
 */
teams_jwt_status_e teams_jws_verify(const teams_jws_t *jws,
    const teams_jwk_set_t *set, const teams_jwk_t **key,
    const char **reason);

void teams_jws_free(teams_jws_t *jws);


#endif /* _TEAMS_JWS_H_INCLUDED_ */
