
/*
 * JWK set parsing.  Only RSA signature keys become usable; "x5t" and "x5c"
 * are ignored (the key is n and e; certificate chains are not checked,
 * as the Bot Framework and Entra documents do not ask for it), and so are
 * members we do not know, such as Entra's "issuer".
 */


#include <stdlib.h>
#include <string.h>

#include "jwt/teams_b64url.h"
#include "core/teams_json.h"
#include "jwt/teams_jwk.h"


/* {"keys":[{"endorsements":[..]}]}: four levels */
#define TEAMS_JWK_MAX_DEPTH  4


static const char *teams_jwk_parse_key(const teams_json_t *obj,
    teams_jwk_t *key);
static const char *teams_jwk_rsa(const teams_json_t *obj, teams_jwk_t *key);
static const char *teams_jwk_endorsements(const teams_json_t *v,
    teams_jwk_t *key);
static void teams_jwk_key_free(teams_jwk_t *key);


teams_jwk_set_t *
teams_jwk_set_parse(const char *json, size_t len, const char **err)
{
    size_t               i;
    const char          *reason;
    teams_json_t        *root;
    teams_jwk_t         *key;
    teams_jwk_set_t     *set;
    const teams_json_t  *keys, *k;

    if (len > TEAMS_JWK_SET_MAX_SIZE) {
        *err = "JWK set too large";
        return NULL;
    }

    root = teams_json_parse(json, len, TEAMS_JWK_MAX_DEPTH, err);
    if (root == NULL) {
        return NULL;
    }

    set = NULL;

    if (root->type != TEAMS_JSON_OBJECT) {
        *err = "JWK set is not a JSON object";
        goto failed;
    }

    keys = teams_json_get(root, "keys");

    if (keys == NULL || keys->type != TEAMS_JSON_ARRAY) {
        *err = "JWK set without a \"keys\" array";
        goto failed;
    }

    if (keys->nchildren > TEAMS_JWK_MAX_KEYS) {
        *err = "JWK set with too many keys";
        goto failed;
    }

    set = calloc(1, sizeof(teams_jwk_set_t));
    if (set == NULL) {
        *err = "out of memory";
        goto failed;
    }

    set->keys = calloc(keys->nchildren + 1, sizeof(teams_jwk_t));
    if (set->keys == NULL) {
        *err = "out of memory";
        goto failed;
    }

    for (k = keys->child; k != NULL; k = k->next) {

        if (k->type != TEAMS_JSON_OBJECT) {
            *err = "JWK set with a key that is not a JSON object";
            goto failed;
        }

        key = &set->keys[set->nkeys];

        reason = teams_jwk_parse_key(k, key);

        if (reason != NULL) {
            teams_jwk_key_free(key);
            memset(key, 0, sizeof(teams_jwk_t));

            if (set->nskipped++ == 0) {
                set->skip_reason = reason;
            }

            continue;
        }

        for (i = 0; i < set->nkeys; i++) {
            if (set->keys[i].kid_len == key->kid_len
                && memcmp(set->keys[i].kid, key->kid, key->kid_len) == 0)
            {
                set->nkeys++;
                *err = "JWK set with two keys of the same kid";
                goto failed;
            }
        }

        set->nkeys++;
    }

    if (set->nkeys == 0) {
        *err = (set->skip_reason != NULL) ? set->skip_reason
                                          : "JWK set without keys";
        goto failed;
    }

    teams_json_free(root);

    return set;

failed:

    teams_json_free(root);
    teams_jwk_set_free(set);

    return NULL;
}


void
teams_jwk_set_free(teams_jwk_set_t *set)
{
    size_t  i;

    if (set == NULL) {
        return;
    }

    for (i = 0; set->keys != NULL && i < set->nkeys; i++) {
        teams_jwk_key_free(&set->keys[i]);
    }

    free(set->keys);
    free(set);
}


const teams_jwk_t *
teams_jwk_find(const teams_jwk_set_t *set, const char *kid, size_t len)
{
    size_t  i;

    if (set == NULL || len == 0) {
        return NULL;
    }

    for (i = 0; i < set->nkeys; i++) {
        if (set->keys[i].kid_len == len
            && memcmp(set->keys[i].kid, kid, len) == 0)
        {
            return &set->keys[i];
        }
    }

    return NULL;
}


int
teams_jwk_endorses(const teams_jwk_t *key, const char *channel_id,
    size_t len)
{
    size_t  i;

    if (key == NULL || !key->has_endorsements || len == 0) {
        return 0;
    }

    for (i = 0; i < key->nendorsements; i++) {
        if (strlen(key->endorsements[i]) == len
            && memcmp(key->endorsements[i], channel_id, len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* NULL if the key is usable, else why it is left out */

static const char *
teams_jwk_parse_key(const teams_json_t *obj, teams_jwk_t *key)
{
    const char          *reason;
    const teams_json_t  *v, *op;

    v = teams_json_get(obj, "kty");

    if (v == NULL || v->type != TEAMS_JSON_STRING
        || strcmp(v->str, "RSA") != 0)
    {
        return "JWK is not an RSA key";
    }

    v = teams_json_get(obj, "use");

    if (v != NULL
        && (v->type != TEAMS_JSON_STRING || strcmp(v->str, "sig") != 0))
    {
        return "JWK \"use\" is not \"sig\"";
    }

    v = teams_json_get(obj, "key_ops");

    if (v != NULL) {
        if (v->type != TEAMS_JSON_ARRAY) {
            return "JWK \"key_ops\" is not an array";
        }

        for (op = v->child; op != NULL; op = op->next) {
            if (op->type == TEAMS_JSON_STRING
                && strcmp(op->str, "verify") == 0)
            {
                break;
            }
        }

        if (op == NULL) {
            return "JWK \"key_ops\" lacks \"verify\"";
        }
    }

    v = teams_json_get(obj, "alg");

    if (v != NULL) {
        if (v->type != TEAMS_JSON_STRING) {
            return "JWK \"alg\" is not a string";
        }

        key->alg = teams_jws_alg_from_name(v->str, v->len);

        if (key->alg == TEAMS_JWS_ALG_UNSET) {
            return "JWK \"alg\" is not RS256, RS384 or RS512";
        }
    }

    v = teams_json_get(obj, "kid");

    if (v == NULL || v->type != TEAMS_JSON_STRING || v->len == 0
        || v->len > TEAMS_JWK_KID_MAX)
    {
        return "JWK without a usable \"kid\"";
    }

    key->kid = strdup(v->str);
    if (key->kid == NULL) {
        return "out of memory";
    }

    key->kid_len = v->len;

    v = teams_json_get(obj, "endorsements");

    if (v != NULL) {
        reason = teams_jwk_endorsements(v, key);
        if (reason != NULL) {
            return reason;
        }
    }

    return teams_jwk_rsa(obj, key);
}


static const char *
teams_jwk_rsa(const teams_json_t *obj, teams_jwk_t *key)
{
    ssize_t              nlen, elen;
    const char          *err;
    unsigned char       *n, e[16];
    const teams_json_t  *jn, *je;

    jn = teams_json_get(obj, "n");
    je = teams_json_get(obj, "e");

    if (jn == NULL || je == NULL || jn->type != TEAMS_JSON_STRING
        || je->type != TEAMS_JSON_STRING)
    {
        return "JWK without \"n\" or \"e\"";
    }

    n = malloc(teams_b64url_decoded_len(jn->len));
    if (n == NULL) {
        return "out of memory";
    }

    nlen = teams_b64url_decode(n, teams_b64url_decoded_len(jn->len),
                               jn->str, jn->len);
    elen = teams_b64url_decode(e, sizeof(e), je->str, je->len);

    if (nlen <= 0 || elen <= 0) {
        free(n);
        return "JWK \"n\" or \"e\" is not base64url";
    }

    key->pkey = teams_rsa_key_new(n, (size_t) nlen, e, (size_t) elen, &err);

    free(n);

    return (key->pkey == NULL) ? err : NULL;
}


static const char *
teams_jwk_endorsements(const teams_json_t *v, teams_jwk_t *key)
{
    const teams_json_t  *c;

    if (v->type != TEAMS_JSON_ARRAY
        || v->nchildren > TEAMS_JWK_MAX_ENDORSEMENTS)
    {
        return "JWK \"endorsements\" is not a short array";
    }

    key->endorsements = calloc(v->nchildren + 1, sizeof(char *));
    if (key->endorsements == NULL) {
        return "out of memory";
    }

    key->has_endorsements = 1;

    for (c = v->child; c != NULL; c = c->next) {
        if (c->type != TEAMS_JSON_STRING
            || c->len > TEAMS_JWK_ENDORSEMENT_MAX)
        {
            return "JWK \"endorsements\" holds a non-string";
        }

        key->endorsements[key->nendorsements] = strdup(c->str);

        if (key->endorsements[key->nendorsements] == NULL) {
            return "out of memory";
        }

        key->nendorsements++;
    }

    return NULL;
}


static void
teams_jwk_key_free(teams_jwk_t *key)
{
    size_t  i;

    for (i = 0; i < key->nendorsements; i++) {
        free(key->endorsements[i]);
    }

    free(key->endorsements);
    free(key->kid);
    EVP_PKEY_free(key->pkey);
}
