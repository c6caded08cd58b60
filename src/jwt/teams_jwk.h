
/*
 * JWK sets (RFC 7517) of RSA signing keys, as Microsoft publishes them for
 * the Bot Framework and Entra: {"keys":[{"kty":"RSA","kid":..,"n":..,"e":..,
 * "endorsements":[..]}, ..]}.
 */


#ifndef _TEAMS_JWK_H_INCLUDED_
#define _TEAMS_JWK_H_INCLUDED_


#include <stddef.h>

#include <openssl/evp.h>

#include "jwt/teams_rsa.h"


#define TEAMS_JWK_KID_MAX           256
#define TEAMS_JWK_MAX_KEYS          64
#define TEAMS_JWK_MAX_ENDORSEMENTS  64
#define TEAMS_JWK_ENDORSEMENT_MAX   256
#define TEAMS_JWK_SET_MAX_SIZE      (256 * 1024)


typedef struct {
    char              *kid;
    size_t             kid_len;
    EVP_PKEY          *pkey;

    /* the key's "alg"; TEAMS_JWS_ALG_UNSET: any of RS256, RS384, RS512 */
    teams_jws_alg_e    alg;

    /* Bot Framework channel ids this key may sign for */
    char             **endorsements;
    size_t             nendorsements;
    unsigned           has_endorsements:1;
} teams_jwk_t;

typedef struct {
    teams_jwk_t       *keys;
    size_t             nkeys;

    /* keys left out (wrong kty, use, alg, size, ...) and why, for logs */
    size_t             nskipped;
    const char        *skip_reason;
} teams_jwk_set_t;


/*
 * Parses a JWK set.  A key we cannot or must not use is left out and
 * counted (RFC 7517 section 5 asks to ignore such keys); the whole set is
 * refused when the document is not a strict JSON object with a "keys"
 * array, when two usable keys share a kid, or when no key is usable.
 * Returns NULL with *err set to a static reason.
 */
teams_jwk_set_t *teams_jwk_set_parse(const char *json, size_t len,
    const char **err);

void teams_jwk_set_free(teams_jwk_set_t *set);

/* The key with this kid, or NULL. */
const teams_jwk_t *teams_jwk_find(const teams_jwk_set_t *set,
    const char *kid, size_t len);

/*
 * 1 if the key carries an "endorsements" list containing channel_id.  A
 * key without the list, or an empty channel id, is not endorsed: stricter
 * than botbuilder-js, which lets both pass.
 */
int teams_jwk_endorses(const teams_jwk_t *key, const char *channel_id,
    size_t len);


#endif /* _TEAMS_JWK_H_INCLUDED_ */
