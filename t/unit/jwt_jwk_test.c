
/*
 * Unit tests: src/jwt/teams_jwk.c and teams_json.c
 */


#include <stdlib.h>
#include <string.h>

#include "core/teams_json.h"
#include "jwt/teams_jwk.h"
#include "jwt_testlib.h"
#include "unit.h"


#define PARSE(s)  teams_jwk_set_parse((s), strlen(s), &err)


TEAMS_TEST(json_strict_tree)
{
    const char          *err;
    teams_json_t        *v;
    const teams_json_t  *m;

#define JP(s, d)  teams_json_parse((s), strlen(s), (d), &err)

    v = JP("{\"a\":[1,2.5,\"x\",true,null],\"b\":{}}", 4);
    TEAMS_ASSERT_NOT_NULL(v);
    m = teams_json_get(v, "a");
    TEAMS_EXPECT(m != NULL && m->type == TEAMS_JSON_ARRAY
                 && m->nchildren == 5);
    TEAMS_EXPECT(m != NULL && m->child->number == 1);
    TEAMS_EXPECT(teams_json_get(v, "c") == NULL);
    teams_json_free(v);

    err = NULL;
    TEAMS_EXPECT(JP("{\"a\":1,\"a\":2}", 4) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "duplicate");

    /* escapes are resolved before names are compared */
    TEAMS_EXPECT(JP("{\"alg\":1,\"\\u0061lg\":2}", 4) == NULL);
    TEAMS_EXPECT(JP("{\"o\":{\"k\":1,\"k\":1}}", 4) == NULL);

    /* same name in different objects is fine */
    v = JP("{\"k\":{\"k\":1}}", 4);
    TEAMS_EXPECT(v != NULL);
    teams_json_free(v);

    TEAMS_EXPECT(JP("{\"a\":\"x\\u0000y\"}", 4) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "NUL");
    TEAMS_EXPECT(JP("{\"a\\u0000\":1}", 4) == NULL);
    TEAMS_EXPECT(JP("[[[1]]]", 2) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "deeply");
    TEAMS_EXPECT(JP("{\"a\":1} {}", 4) == NULL);
    TEAMS_EXPECT(JP("{\"a\":1,}", 4) == NULL);
    TEAMS_EXPECT(JP("{'a':1}", 4) == NULL);
    TEAMS_EXPECT(JP("{\"a\":1e999}", 4) == NULL);
    TEAMS_EXPECT(JP("{\"a\":\"\xff\"}", 4) == NULL);
    TEAMS_EXPECT(JP("/* c */ {}", 4) == NULL);
    TEAMS_EXPECT(JP("", 4) == NULL);
    TEAMS_EXPECT(JP("{", 4) == NULL);

#undef JP
}


TEAMS_TEST(jwk_good_set)
{
    char                   *json;
    EVP_PKEY               *k;
    const char             *err;
    teams_jwk_set_t        *set;
    const teams_jwk_t      *key;

    k = jwt_test_key(2048);
    TEAMS_ASSERT_NOT_NULL(k);

    /* a Bot Framework style key, then an EC key that is skipped */
    json = jwt_test_jwks(k, "bf-1",
                         ",\"use\":\"sig\",\"x5t\":\"abc\",\"x5c\":[\"MII\"],"
                         "\"endorsements\":[\"msteams\",\"webchat\"],"
                         "\"issuer\":\"https://x\"},"
                         "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\"}");
    TEAMS_ASSERT_NOT_NULL(json);

    err = NULL;
    set = PARSE(json);
    TEAMS_ASSERT(set != NULL);
    TEAMS_EXPECT_INT_EQ(set->nkeys, 1);
    TEAMS_EXPECT_INT_EQ(set->nskipped, 1);
    TEAMS_EXPECT_STR_HAS(set->skip_reason, "not an RSA key");

    key = teams_jwk_find(set, "bf-1", 4);
    TEAMS_ASSERT_NOT_NULL(key);
    TEAMS_EXPECT_INT_EQ(teams_rsa_key_bits(key->pkey), 2048);
    TEAMS_EXPECT_INT_EQ(key->alg, TEAMS_JWS_ALG_UNSET);
    TEAMS_EXPECT(teams_jwk_endorses(key, "msteams", 7));
    TEAMS_EXPECT(teams_jwk_endorses(key, "webchat", 7));
    TEAMS_EXPECT(!teams_jwk_endorses(key, "msteam", 6));
    TEAMS_EXPECT(!teams_jwk_endorses(key, "MSTEAMS", 7));
    TEAMS_EXPECT(!teams_jwk_endorses(key, "", 0));

    TEAMS_EXPECT(teams_jwk_find(set, "bf-", 3) == NULL);
    TEAMS_EXPECT(teams_jwk_find(set, "ec", 2) == NULL);
    TEAMS_EXPECT(teams_jwk_find(set, "", 0) == NULL);

    teams_jwk_set_free(set);
    free(json);

    /* no endorsements member: never endorsed */
    json = jwt_test_jwks(k, "entra", ",\"alg\":\"RS256\"}");
    set = PARSE(json);
    TEAMS_ASSERT(set != NULL);
    key = teams_jwk_find(set, "entra", 5);
    TEAMS_ASSERT_NOT_NULL(key);
    TEAMS_EXPECT_INT_EQ(key->alg, TEAMS_JWS_RS256);
    TEAMS_EXPECT(!teams_jwk_endorses(key, "msteams", 7));
    teams_jwk_set_free(set);
    free(json);

    EVP_PKEY_free(k);
}


TEAMS_TEST(jwk_refuses_bad_keys)
{
    char             *json;
    EVP_PKEY         *k, *small;
    const char       *err;
    teams_jwk_set_t  *set;

    k = jwt_test_key(2048);
    small = jwt_test_key(1024);
    TEAMS_ASSERT(k != NULL && small != NULL);

    err = NULL;
    TEAMS_EXPECT(PARSE("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\","
                       "\"e\":\"AQAB\"}]}") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "without \"n\" or \"e\"");
    TEAMS_EXPECT(PARSE("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\","
                       "\"n\":\"AQAB\"}]}") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "without \"n\" or \"e\"");

    json = jwt_test_jwks(small, "s", NULL);
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "shorter than 2048");
    free(json);

    json = jwt_test_jwks(k, "u", ",\"use\":\"enc\"}");
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "\"use\"");
    free(json);

    json = jwt_test_jwks(k, "u", ",\"use\":1}");
    TEAMS_EXPECT(PARSE(json) == NULL);
    free(json);

    json = jwt_test_jwks(k, "o", ",\"key_ops\":[\"encrypt\"]}");
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "key_ops");
    free(json);

    json = jwt_test_jwks(k, "p", ",\"alg\":\"PS256\"}");
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "alg");
    free(json);

    json = jwt_test_jwks(k, "", NULL);
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "kid");
    free(json);

    json = jwt_test_jwks(k, "e", ",\"endorsements\":\"msteams\"}");
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "endorsements");
    free(json);

    /* a bad key next to a good one is left out, and counted */
    json = jwt_test_jwks(k, "good", "},{\"kty\":\"RSA\",\"kid\":\"bad\"}");
    set = PARSE(json);
    TEAMS_EXPECT(set != NULL && set->nkeys == 1 && set->nskipped == 1);
    TEAMS_EXPECT(set != NULL && teams_jwk_find(set, "bad", 3) == NULL);
    teams_jwk_set_free(set);
    free(json);

    /* non-canonical base64url in n */
    TEAMS_EXPECT(PARSE("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\","
                       "\"n\":\"AQ==\",\"e\":\"AQAB\"}]}") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "base64url");

    EVP_PKEY_free(k);
    EVP_PKEY_free(small);
}


TEAMS_TEST(jwk_refuses_bad_documents)
{
    char        *json;
    EVP_PKEY    *k;
    const char  *err;

    k = jwt_test_key(2048);
    TEAMS_ASSERT_NOT_NULL(k);

    err = NULL;
    TEAMS_EXPECT(PARSE("[]") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "not a JSON object");
    TEAMS_EXPECT(PARSE("\"keys\"") == NULL);
    TEAMS_EXPECT(PARSE("{}") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "\"keys\" array");
    TEAMS_EXPECT(PARSE("{\"keys\":{}}") == NULL);
    TEAMS_EXPECT(PARSE("{\"keys\":[]}") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "without keys");
    TEAMS_EXPECT(PARSE("{\"keys\":[1]}") == NULL);
    TEAMS_EXPECT(PARSE("{\"keys\":[],\"keys\":[]}") == NULL);
    TEAMS_EXPECT_STR_HAS(err, "duplicate");
    TEAMS_EXPECT(PARSE("not json") == NULL);

    /* a duplicate member inside a key */
    json = jwt_test_jwks(k, "d", ",\"kid\":\"other\"}");
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "duplicate");
    free(json);

    EVP_PKEY_free(k);
}


TEAMS_TEST(jwk_refuses_duplicate_kid)
{
    char             *a, *b, *json;
    size_t            len;
    EVP_PKEY         *k;
    const char       *err;

    k = jwt_test_key(2048);
    TEAMS_ASSERT_NOT_NULL(k);

    /* the same key twice, under one kid */
    a = jwt_test_jwks(k, "same", NULL);
    TEAMS_ASSERT_NOT_NULL(a);
    len = strlen(a);

    /* {"keys":[K]} -> {"keys":[K,K]} */
    b = strstr(a, "[") + 1;
    json = malloc(2 * len);
    TEAMS_ASSERT_NOT_NULL(json);
    memcpy(json, a, len - 2);
    json[len - 2] = ',';
    memcpy(json + len - 1, b, strlen(b) + 1);

    err = NULL;
    TEAMS_EXPECT(PARSE(json) == NULL);
    TEAMS_EXPECT_STR_HAS(err, "same kid");

    free(a);
    free(json);
    EVP_PKEY_free(k);
}
