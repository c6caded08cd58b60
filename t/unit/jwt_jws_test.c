
/*
 * Unit tests: src/jwt/teams_jws.c and teams_jwt.c (structure, header,
 * signatures; claims and time in jwt_claims_test.c).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "jwt/teams_b64url.h"
#include "jwt/teams_jwt.h"
#include "jwt_testlib.h"
#include "unit.h"


#define NOW       1700000000
#define PAYLOAD   "{\"iss\":\"https://api.botframework.com\",\"aud\":\"app\"," \
                  "\"exp\":1700003600,\"nbf\":1699999000}"
#define EVIL      "{\"iss\":\"https://api.botframework.com\"," \
                  "\"aud\":\"evil\",\"exp\":1700003600}"
#define HDR(alg)  "{\"alg\":\"" alg "\",\"kid\":\"k1\",\"typ\":\"JWT\"}"


/* header.payload.c2lnbmF0dXJl from JSON texts, no real signature */
static char *
jws_unsigned(const char *header, const char *payload)
{
    char    *h, *p, *t;
    size_t   len;

    h = jwt_test_b64(header, strlen(header));
    p = jwt_test_b64(payload, strlen(payload));
    len = strlen(h) + strlen(p) + 32;
    t = malloc(len);
    snprintf(t, len, "%s.%s.c2lnbmF0dXJl", h, p);
    free(h);
    free(p);

    return t;
}


static teams_jwt_status_e
jws_parse_status(const char *token)
{
    const char          *reason;
    teams_jws_t          jws;
    teams_jwt_status_e   rc;

    reason = NULL;
    rc = teams_jws_parse(&jws, token, strlen(token), &reason);
    teams_jws_free(&jws);

    return rc;
}


static teams_jwt_status_e
jws_header_status(const char *header)
{
    char                *t;
    teams_jwt_status_e   rc;

    t = jws_unsigned(header, PAYLOAD);
    rc = jws_parse_status(t);
    free(t);

    return rc;
}


static teams_jwt_status_e
jwt_status(const char *token, const teams_jwk_set_t *set, time_t now)
{
    teams_jwt_result_t   res;
    teams_jwt_status_e   rc;

    rc = teams_jwt_verify(token, strlen(token), set, now, &res);

    /* the reason is a fixed text: never the token or a part of it */
    if (res.reason == NULL || strlen(res.reason) > 64
        || (strlen(token) > 8 && strstr(res.reason, token) != NULL))
    {
        rc = TEAMS_JWT_ERROR;
    }

    teams_jwt_result_free(&res);

    return rc;
}


static teams_jwt_status_e
jwt_status_len(const char *token, size_t len, const teams_jwk_set_t *set,
    time_t now)
{
    teams_jwt_result_t   res;
    teams_jwt_status_e   rc;

    rc = teams_jwt_verify(token, len, set, now, &res);
    teams_jwt_result_free(&res);

    return rc;
}


/* the token with part n (0, 1, 2) replaced */
static char *
jws_replace(const char *token, int n, const char *part)
{
    char        *t;
    size_t       len;
    const char  *d1, *d2;

    d1 = strchr(token, '.');
    d2 = strchr(d1 + 1, '.');
    len = strlen(token) + strlen(part) + 1;
    t = malloc(len);

    if (n == 0) {
        snprintf(t, len, "%s%s", part, d1);

    } else if (n == 1) {
        snprintf(t, len, "%.*s.%s%s", (int) (d1 - token), token, part, d2);

    } else {
        snprintf(t, len, "%.*s.%s", (int) (d2 - token), token, part);
    }

    return t;
}


TEAMS_TEST(jws_refuses_algorithms)
{
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("RS256")), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("RS384")), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("RS512")), TEAMS_JWT_OK);

    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("none")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("NONE")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("HS256")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("HS512")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("ES256")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("PS256")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("EdDSA")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("rs256")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("RS256 ")),
                        TEAMS_JWT_UNSUPPORTED_ALG);
    TEAMS_EXPECT_INT_EQ(jws_header_status(HDR("")),
                        TEAMS_JWT_UNSUPPORTED_ALG);

    TEAMS_EXPECT_INT_EQ(jws_header_status("{\"kid\":\"k1\"}"),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status("{\"alg\":256,\"kid\":\"k1\"}"),
                        TEAMS_JWT_MALFORMED);
}


TEAMS_TEST(jws_refuses_headers)
{
#define H(extra)  "{\"alg\":\"RS256\",\"kid\":\"k1\"" extra "}"

    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"jwk\":{\"kty\":\"RSA\"}")),
                        TEAMS_JWT_FORBIDDEN_HEADER);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"jku\":\"https://x/k\"")),
                        TEAMS_JWT_FORBIDDEN_HEADER);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"x5u\":\"https://x/c\"")),
                        TEAMS_JWT_FORBIDDEN_HEADER);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"x5c\":[\"MII\"]")),
                        TEAMS_JWT_FORBIDDEN_HEADER);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"crit\":[\"exp\"]")),
                        TEAMS_JWT_FORBIDDEN_HEADER);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"b64\":false")),
                        TEAMS_JWT_FORBIDDEN_HEADER);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"cty\":\"JWT\"")),
                        TEAMS_JWT_FORBIDDEN_HEADER);

    /* what Microsoft sends */
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"x5t\":\"abc\","
                                            "\"typ\":\"JWT\"")),
                        TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"typ\":\"jwt\"")),
                        TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"typ\":\"JOSE\"")),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"typ\":1")),
                        TEAMS_JWT_MALFORMED);

    /* kid required, a non-empty string */
    TEAMS_EXPECT_INT_EQ(jws_header_status("{\"alg\":\"RS256\"}"),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status("{\"alg\":\"RS256\",\"kid\":1}"),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status("{\"alg\":\"RS256\",\"kid\":\"\"}"),
                        TEAMS_JWT_MALFORMED);

    /* duplicates and non-objects */
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"alg\":\"none\"")),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H(",\"kid\":\"k2\"")),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status("[\"RS256\"]"),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status("\"RS256\""),
                        TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H("") " "), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(jws_header_status(H("") "x"), TEAMS_JWT_MALFORMED);

#undef H
}


TEAMS_TEST(jws_refuses_structure)
{
    char    *t, *big;
    size_t   i;

    t = jws_unsigned(HDR("RS256"), PAYLOAD);
    TEAMS_ASSERT_INT_EQ(jws_parse_status(t), TEAMS_JWT_OK);

#define ST(s)  jws_parse_status(s)

    TEAMS_EXPECT_INT_EQ(ST(""), TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(ST("."), TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(ST(".."), TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(ST("..."), TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(ST("eyJ9.e30"), TEAMS_JWT_MALFORMED);

    /* two parts, four parts, five (a JWE) */
    *strrchr(t, '.') = '\0';
    TEAMS_EXPECT_INT_EQ(ST(t), TEAMS_JWT_MALFORMED);
    free(t);

    t = jws_unsigned(HDR("RS256"), PAYLOAD);
    big = malloc(strlen(t) + 64);
    TEAMS_ASSERT_NOT_NULL(big);
    sprintf(big, "%s.c2ln", t);
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    sprintf(big, "%s.", t);
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    sprintf(big, "%s.c2ln.c2ln", t);
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);

    /* empty signature, empty header */
    *(strrchr(t, '.') + 1) = '\0';
    TEAMS_EXPECT_INT_EQ(ST(t), TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(ST(strchr(t, '.')), TEAMS_JWT_MALFORMED);
    free(t);

    /* bad base64url in each part */
    t = jws_unsigned(HDR("RS256"), PAYLOAD);
    big = jws_replace(t, 2, "c2lnbmF0dXJl=");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    big = jws_replace(t, 2, "c2ln+mF0dXJl");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    big = jws_replace(t, 2, "c2lnbmF0dXJ");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    big = jws_replace(t, 1, "eyJ hIjoxfQ");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    big = jws_replace(t, 1, "e30=");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    big = jws_replace(t, 0, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0=");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    big = jws_replace(t, 0, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn1");
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);
    free(t);

    /* over the size bound: refused before anything is decoded */
    big = malloc(TEAMS_JWS_MAX_SIZE + 2);
    TEAMS_ASSERT_NOT_NULL(big);

    for (i = 0; i <= TEAMS_JWS_MAX_SIZE; i++) {
        big[i] = 'A';
    }

    big[10] = '.';
    big[20] = '.';
    big[TEAMS_JWS_MAX_SIZE + 1] = '\0';
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_TOO_LARGE);
    big[TEAMS_JWS_MAX_SIZE] = '\0';
    TEAMS_EXPECT_INT_EQ(ST(big), TEAMS_JWT_MALFORMED);
    free(big);

#undef ST
}


TEAMS_TEST(jwt_payload_must_be_strict_object)
{
    char             *jwks, *t;
    EVP_PKEY         *k;
    const char       *err;
    teams_jwk_set_t  *set;

    k = jwt_test_key(2048);
    jwks = jwt_test_jwks(k, "k1", NULL);
    set = teams_jwk_set_parse(jwks, strlen(jwks), &err);
    TEAMS_ASSERT_NOT_NULL(set);

    /* correctly signed, but not a claims set */
    t = jwt_test_sign(k, "RS256", HDR("RS256"), "[1]");
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_MALFORMED);
    free(t);
    t = jwt_test_sign(k, "RS256", HDR("RS256"), "\"x\"");
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_MALFORMED);
    free(t);
    t = jwt_test_sign(k, "RS256", HDR("RS256"), "");
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_MALFORMED);
    free(t);
    t = jwt_test_sign(k, "RS256", HDR("RS256"),
                      "{\"aud\":\"app\",\"exp\":1700003600,\"aud\":\"x\"}");
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_MALFORMED);
    free(t);
    t = jwt_test_sign(k, "RS256", HDR("RS256"),
                      "{\"exp\":1700003600} trailing");
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_MALFORMED);
    free(t);

    t = jwt_test_sign(k, "RS256", HDR("RS256"), PAYLOAD);
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_OK);
    free(t);

    teams_jwk_set_free(set);
    free(jwks);
    EVP_PKEY_free(k);
}


static void
jwt_good_and_tampered(const char *alg, const char *header)
{
    char                *jwks, *t, *x, *p;
    size_t               n;
    ssize_t              sl;
    EVP_PKEY            *k;
    const char          *err;
    unsigned char        sig[1024];
    teams_jwk_set_t     *set;
    teams_jwt_result_t   res;

    k = jwt_test_key(2048);
    TEAMS_ASSERT_NOT_NULL(k);
    jwks = jwt_test_jwks(k, "k1", ",\"endorsements\":[\"msteams\"]}");
    set = teams_jwk_set_parse(jwks, strlen(jwks), &err);
    TEAMS_ASSERT_NOT_NULL(set);

    t = jwt_test_sign(k, alg, header, PAYLOAD);
    TEAMS_ASSERT_NOT_NULL(t);

    TEAMS_EXPECT_INT_EQ(teams_jwt_verify(t, strlen(t), set, NOW, &res),
                        TEAMS_JWT_OK);
    TEAMS_EXPECT_STR_EQ(teams_jws_alg_name(res.alg), alg);
    TEAMS_EXPECT(res.key == teams_jwk_find(set, "k1", 2));
    TEAMS_EXPECT(teams_jwk_endorses(res.key, "msteams", 7));
    TEAMS_EXPECT_STR_EQ(res.claims.iss, "https://api.botframework.com");
    TEAMS_EXPECT(teams_claims_has_aud(&res.claims, "app", 3));
    teams_jwt_result_free(&res);

    /* header changed: another typ, same signature */
    x = jws_replace(t, 0, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0");
    TEAMS_EXPECT_INT_EQ(jwt_status(x, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(x);

    /* payload changed */
    p = jwt_test_b64(EVIL, strlen(EVIL));
    x = jws_replace(t, 1, p);
    TEAMS_EXPECT_INT_EQ(jwt_status(x, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(x);
    free(p);

    /* signature changed by one bit, truncated, extended */
    p = strrchr(t, '.') + 1;
    sl = teams_b64url_decode(sig, sizeof(sig), p, strlen(p));
    TEAMS_ASSERT_INT_EQ(sl, 256);

    sig[100] ^= 0x01;
    p = jwt_test_b64(sig, 256);
    x = jws_replace(t, 2, p);
    TEAMS_EXPECT_INT_EQ(jwt_status(x, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(x);
    free(p);
    sig[100] ^= 0x01;

    p = jwt_test_b64(sig, 255);
    x = jws_replace(t, 2, p);
    TEAMS_EXPECT_INT_EQ(jwt_status(x, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(x);
    free(p);

    memmove(sig + 1, sig, 256);
    sig[0] = 0;
    p = jwt_test_b64(sig, 257);
    x = jws_replace(t, 2, p);
    TEAMS_EXPECT_INT_EQ(jwt_status(x, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(x);
    free(p);

    /* the untouched token still verifies */
    n = strlen(t);
    TEAMS_EXPECT_INT_EQ(teams_jwt_verify(t, n, set, NOW, &res),
                        TEAMS_JWT_OK);
    teams_jwt_result_free(&res);

    free(t);
    teams_jwk_set_free(set);
    free(jwks);
    EVP_PKEY_free(k);
}


TEAMS_TEST(jwt_rs256_good_and_tampered)
{
    jwt_good_and_tampered("RS256", HDR("RS256"));
}


TEAMS_TEST(jwt_rs384_good_and_tampered)
{
    jwt_good_and_tampered("RS384", HDR("RS384"));
}


TEAMS_TEST(jwt_rs512_good_and_tampered)
{
    jwt_good_and_tampered("RS512", "{\"typ\":\"JWT\",\"alg\":\"RS512\","
                          "\"x5t\":\"abc\",\"kid\":\"k1\"}");
}


TEAMS_TEST(jwt_refuses_wrong_keys)
{
    char             *jwks, *t;
    EVP_PKEY         *k, *other;
    const char       *err;
    teams_jwk_set_t  *set;

    k = jwt_test_key(2048);
    other = jwt_test_key(2048);
    TEAMS_ASSERT(k != NULL && other != NULL);

    jwks = jwt_test_jwks(k, "k1", ",\"alg\":\"RS256\"}");
    set = teams_jwk_set_parse(jwks, strlen(jwks), &err);
    TEAMS_ASSERT_NOT_NULL(set);

    /* a kid not in the set */
    t = jwt_test_sign(k, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k2\"}",
                      PAYLOAD);
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_UNKNOWN_KID);
    free(t);

    /* the set's kid, someone else's key */
    t = jwt_test_sign(other, "RS256", HDR("RS256"), PAYLOAD);
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(t);

    /* the key says RS256; an RS384 token is refused before RSA */
    t = jwt_test_sign(k, "RS384", HDR("RS384"), PAYLOAD);
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_KEY_MISMATCH);
    free(t);

    /* signed with SHA-512 but labelled RS256 */
    t = jwt_test_sign(k, "RS512", HDR("RS256"), PAYLOAD);
    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_BAD_SIGNATURE);
    free(t);

    TEAMS_EXPECT_INT_EQ(jwt_status("a.b.c", set, NOW), TEAMS_JWT_MALFORMED);
    TEAMS_EXPECT_INT_EQ(jwt_status("a.b.c", NULL, NOW), TEAMS_JWT_MALFORMED);

    teams_jwk_set_free(set);
    free(jwks);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}


/* the classic key confusion: HS256 keyed with the RSA public key's PEM */

TEAMS_TEST(jwt_refuses_hs256_with_public_key)
{
    int               n;
    BIO              *bio;
    char             *jwks, *h, *p, *s, *t, *pem;
    size_t            len;
    EVP_PKEY         *k;
    const char       *err;
    unsigned int      maclen;
    unsigned char     mac[EVP_MAX_MD_SIZE];
    teams_jwk_set_t  *set;

    k = jwt_test_key(2048);
    TEAMS_ASSERT_NOT_NULL(k);
    jwks = jwt_test_jwks(k, "k1", NULL);
    set = teams_jwk_set_parse(jwks, strlen(jwks), &err);
    TEAMS_ASSERT_NOT_NULL(set);

    bio = BIO_new(BIO_s_mem());
    TEAMS_ASSERT(PEM_write_bio_PUBKEY(bio, k) == 1);
    n = (int) BIO_get_mem_data(bio, &pem);

    h = jwt_test_b64(HDR("HS256"), strlen(HDR("HS256")));
    p = jwt_test_b64(PAYLOAD, strlen(PAYLOAD));
    len = strlen(h) + strlen(p) + 128;
    t = malloc(len);
    snprintf(t, len, "%s.%s", h, p);

    TEAMS_ASSERT(HMAC(EVP_sha256(), pem, n, (unsigned char *) t, strlen(t),
                      mac, &maclen) != NULL);
    s = jwt_test_b64(mac, maclen);
    strcat(t, ".");
    strcat(t, s);

    TEAMS_EXPECT_INT_EQ(jwt_status(t, set, NOW), TEAMS_JWT_UNSUPPORTED_ALG);

    free(h);
    free(p);
    free(s);
    free(t);
    BIO_free(bio);
    teams_jwk_set_free(set);
    free(jwks);
    EVP_PKEY_free(k);
}


TEAMS_TEST(jwt_bearer_and_helpers)
{
    size_t       n;
    const char  *tok;

#define B(s)  teams_jwt_bearer((s), strlen(s), &tok, &n)

    TEAMS_EXPECT(B("Bearer abc.def.ghi") && n == 11
                 && strncmp(tok, "abc.def.ghi", n) == 0);
    TEAMS_EXPECT(B("bearer x"));
    TEAMS_EXPECT(!B("Bearer "));
    TEAMS_EXPECT(!B("Bearer  x"));
    TEAMS_EXPECT(!B("Bearer x y"));
    TEAMS_EXPECT(!B("Basic eA=="));
    TEAMS_EXPECT(!B("Bearerx"));
    TEAMS_EXPECT(!B(""));

#undef B

    TEAMS_EXPECT_STR_EQ(teams_jwt_status_name(TEAMS_JWT_OK), "ok");
    TEAMS_EXPECT_STR_EQ(teams_jwt_status_name(TEAMS_JWT_EXPIRED), "expired");
    TEAMS_EXPECT_STR_EQ(teams_jwt_status_name(TEAMS_JWT_ERROR), "error");
    TEAMS_EXPECT_STR_EQ(teams_jwt_status_name((teams_jwt_status_e) 99),
                        "unknown");
}


/* every one-character change of a good token is refused, without a crash */

TEAMS_TEST(jwt_single_character_mutations)
{
    char              orig, *jwks, *t;
    size_t            i, j, len;
    EVP_PKEY         *k;
    const char       *err;
    teams_jwk_set_t  *set;

    static const char  subst[] = { 'A', '_', '-', '.', '=', '\0', '0' };

    k = jwt_test_key(2048);
    jwks = jwt_test_jwks(k, "k1", NULL);
    set = teams_jwk_set_parse(jwks, strlen(jwks), &err);
    TEAMS_ASSERT_NOT_NULL(set);

    t = jwt_test_sign(k, "RS256", HDR("RS256"), PAYLOAD);
    TEAMS_ASSERT_NOT_NULL(t);
    len = strlen(t);

    for (i = 0; i < len; i++) {
        orig = t[i];

        for (j = 0; j < sizeof(subst); j++) {
            if (subst[j] == orig) {
                continue;
            }

            t[i] = subst[j];
            TEAMS_EXPECT(jwt_status_len(t, len, set, NOW) != TEAMS_JWT_OK);
        }

        t[i] = orig;
    }

    TEAMS_EXPECT_INT_EQ(jwt_status_len(t, len, set, NOW), TEAMS_JWT_OK);

    /* every prefix, too */
    for (i = 0; i < len; i++) {
        TEAMS_EXPECT(jwt_status_len(t, i, set, NOW) != TEAMS_JWT_OK);
    }

    free(t);
    teams_jwk_set_free(set);
    free(jwks);
    EVP_PKEY_free(k);
}
