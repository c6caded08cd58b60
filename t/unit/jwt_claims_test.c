
/*
 * Unit tests: src/jwt/teams_claims.c, and the time checks through
 * teams_jwt_verify().
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt/teams_claims.h"
#include "jwt/teams_jwt.h"
#include "jwt_testlib.h"
#include "unit.h"


#define EXP  1700003600
#define NBF  1699999000


static teams_jwt_status_e
claims_parse(const char *json, teams_claims_t *c, const char **reason)
{
    const char          *err;
    teams_json_t        *v;
    teams_jwt_status_e   rc;

    v = teams_json_parse(json, strlen(json), 8, &err);
    rc = teams_claims_parse(c, v, reason);
    teams_json_free(v);

    return rc;
}


TEAMS_TEST(claims_parse_microsoft)
{
    const char      *reason;
    teams_claims_t   c;

    TEAMS_ASSERT_INT_EQ(claims_parse(
        "{\"aud\":\"00000000-0000-0000-0000-00000000000a\","
        "\"iss\":\"https://login.microsoftonline.com/"
        "72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0\","
        "\"iat\":1699999000,\"nbf\":1699999000.5,\"exp\":1700003600,"
        "\"name\":\"Ann\",\"oid\":\"o-1\",\"preferred_username\":\"a@b\","
        "\"scp\":\"access_as_user\",\"tid\":"
        "\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"ver\":\"2.0\","
        "\"azp\":\"5e3ce6c0-2b1f-4285-8d4b-75ee78787346\","
        "\"wids\":[\"x\"],\"xms\":{\"a\":[1]}}", &c, &reason),
        TEAMS_JWT_OK);

    TEAMS_EXPECT_STR_EQ(c.name, "Ann");
    TEAMS_EXPECT_STR_EQ(c.oid, "o-1");
    TEAMS_EXPECT_STR_EQ(c.preferred_username, "a@b");
    TEAMS_EXPECT_STR_EQ(c.scp, "access_as_user");
    TEAMS_EXPECT_STR_EQ(c.ver, "2.0");
    TEAMS_EXPECT(c.upn == NULL && c.serviceurl == NULL && c.appid == NULL);
    TEAMS_EXPECT(c.has_exp && c.has_nbf && c.has_iat);
    TEAMS_EXPECT(c.nbf == 1699999000.5);
    TEAMS_EXPECT_INT_EQ(c.naud, 1);
    TEAMS_EXPECT(teams_claims_has_aud(&c,
                 "00000000-0000-0000-0000-00000000000a", 36));
    TEAMS_EXPECT(teams_jwt_entra_issuer_ok(&c));
    TEAMS_EXPECT(teams_claims_str_eq(c.tid,
                 "72f988bf-86f1-41af-91ab-2d7cd011db47", 36));
    TEAMS_EXPECT(!teams_claims_str_eq(c.tid, "72f988bf", 8));
    TEAMS_EXPECT(!teams_claims_str_eq(c.upn, "x", 1));

    free(c.iss);
    c.iss = strdup("https://sts.windows.net/"
                   "72f988bf-86f1-41af-91ab-2d7cd011db47/");
    TEAMS_EXPECT(teams_jwt_entra_issuer_ok(&c));
    free(c.iss);
    c.iss = strdup("https://sts.windows.net/"
                   "72f988bf-86f1-41af-91ab-2d7cd011db48/");
    TEAMS_EXPECT(!teams_jwt_entra_issuer_ok(&c));
    free(c.iss);
    c.iss = strdup("https://login.microsoftonline.com/"
                   "72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/");
    TEAMS_EXPECT(!teams_jwt_entra_issuer_ok(&c));

    teams_claims_free(&c);
}


TEAMS_TEST(claims_aud_forms)
{
    const char      *reason;
    teams_claims_t   c, d;

    TEAMS_ASSERT_INT_EQ(claims_parse("{\"aud\":[\"a\",\"api://h/b\"],"
                                     "\"serviceurl\":\"https://s/\","
                                     "\"exp\":1}", &c, &reason),
                        TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(c.naud, 2);
    TEAMS_EXPECT(teams_claims_has_aud(&c, "a", 1));
    TEAMS_EXPECT(teams_claims_has_aud(&c, "api://h/b", 9));
    TEAMS_EXPECT(!teams_claims_has_aud(&c, "api://h/", 8));
    TEAMS_EXPECT(!teams_claims_has_aud(&c, "", 0));

    TEAMS_ASSERT_INT_EQ(teams_claims_copy(&d, &c), 0);
    teams_claims_free(&c);
    TEAMS_EXPECT(teams_claims_has_aud(&d, "api://h/b", 9));
    TEAMS_EXPECT_STR_EQ(d.serviceurl, "https://s/");
    TEAMS_EXPECT(d.has_exp && d.exp == 1);
    teams_claims_free(&d);

    TEAMS_EXPECT_INT_EQ(claims_parse("{\"aud\":[]}", &c, &reason),
                        TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(c.naud, 0);
    teams_claims_free(&c);

    TEAMS_EXPECT_INT_EQ(claims_parse("{\"aud\":[\"a\",1]}", &c, &reason),
                        TEAMS_JWT_BAD_CLAIMS);
    teams_claims_free(&c);
    TEAMS_EXPECT_INT_EQ(claims_parse("{\"aud\":{}}", &c, &reason),
                        TEAMS_JWT_BAD_CLAIMS);
    teams_claims_free(&c);
    TEAMS_EXPECT_INT_EQ(claims_parse("{\"aud\":[\"1\",\"2\",\"3\",\"4\","
                                     "\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
                                     "\"11\",\"12\",\"13\",\"14\",\"15\","
                                     "\"16\",\"17\"]}", &c, &reason),
                        TEAMS_JWT_BAD_CLAIMS);
    teams_claims_free(&c);
}


TEAMS_TEST(claims_refuse_wrong_types)
{
    size_t           i;
    const char      *reason;
    teams_claims_t   c;

    static const char  *bad[] = {
        "{\"iss\":1}",
        "{\"iss\":null}",
        "{\"tid\":[\"x\"]}",
        "{\"serviceurl\":true}",
        "{\"exp\":\"1700000000\"}",
        "{\"exp\":null}",
        "{\"exp\":-1}",
        "{\"exp\":1e300}",
        "{\"nbf\":\"x\"}",
        "{\"iat\":{}}",
        NULL
    };

    for (i = 0; bad[i] != NULL; i++) {
        TEAMS_EXPECT_INT_EQ(claims_parse(bad[i], &c, &reason),
                            TEAMS_JWT_BAD_CLAIMS);
        teams_claims_free(&c);
    }

    TEAMS_EXPECT_INT_EQ(claims_parse("[]", &c, &reason),
                        TEAMS_JWT_MALFORMED);
    teams_claims_free(&c);

    /* unknown claims of any type are ignored */
    TEAMS_EXPECT_INT_EQ(claims_parse("{\"roles\":1,\"sub\":null}", &c,
                                     &reason), TEAMS_JWT_OK);
    teams_claims_free(&c);
}


TEAMS_TEST(claims_time_boundaries)
{
    const char      *reason;
    teams_claims_t   c;

    memset(&c, 0, sizeof(c));

    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, EXP, 300, &reason),
                        TEAMS_JWT_BAD_CLAIMS);
    TEAMS_EXPECT_STR_HAS(reason, "exp");

    c.has_exp = 1;
    c.exp = EXP;

    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, EXP, 300, &reason),
                        TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, EXP + 300, 300,
                                                &reason), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, EXP + 301, 300,
                                                &reason), TEAMS_JWT_EXPIRED);

    c.has_nbf = 1;
    c.nbf = NBF;

    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, NBF - 300, 300,
                                                &reason), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, NBF - 301, 300,
                                                &reason),
                        TEAMS_JWT_NOT_YET_VALID);

    /* a fractional exp: 0.5 s past the skew is expired */
    c.exp = EXP + 0.5;
    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, EXP + 300, 300,
                                                &reason), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(teams_claims_check_time(&c, EXP + 301, 300,
                                                &reason), TEAMS_JWT_EXPIRED);
}


static teams_jwt_status_e
jwt_verify_at(const char *t, const teams_jwk_set_t *set, time_t now)
{
    teams_jwt_result_t   res;
    teams_jwt_status_e   rc;

    rc = teams_jwt_verify(t, strlen(t), set, now, &res);
    teams_jwt_result_free(&res);

    return rc;
}


/* the same boundaries through the whole verification */

TEAMS_TEST(jwt_time_boundaries)
{
    char                *jwks, *t;
    EVP_PKEY            *k;
    const char          *err;
    teams_jwk_set_t     *set;

    k = jwt_test_key(2048);
    jwks = jwt_test_jwks(k, "k1", NULL);
    set = teams_jwk_set_parse(jwks, strlen(jwks), &err);
    TEAMS_ASSERT_NOT_NULL(set);

    t = jwt_test_sign(k, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k1\"}",
                      "{\"exp\":1700003600,\"nbf\":1699999000}");
    TEAMS_ASSERT_NOT_NULL(t);

#define V(now)  jwt_verify_at(t, set, (now))

    TEAMS_EXPECT_INT_EQ(V(EXP + 300), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(V(EXP + 301), TEAMS_JWT_EXPIRED);
    TEAMS_EXPECT_INT_EQ(V(NBF - 300), TEAMS_JWT_OK);
    TEAMS_EXPECT_INT_EQ(V(NBF - 301), TEAMS_JWT_NOT_YET_VALID);

    free(t);

    /* exp is required */
    t = jwt_test_sign(k, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k1\"}",
                      "{\"nbf\":1699999000}");
    TEAMS_EXPECT_INT_EQ(V(NBF), TEAMS_JWT_BAD_CLAIMS);
    free(t);

    /* a claim of the wrong type in a correctly signed token */
    t = jwt_test_sign(k, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k1\"}",
                      "{\"exp\":\"1700003600\"}");
    TEAMS_EXPECT_INT_EQ(V(NBF), TEAMS_JWT_BAD_CLAIMS);
    free(t);

#undef V

    teams_jwk_set_free(set);
    free(jwks);
    EVP_PKEY_free(k);
}
