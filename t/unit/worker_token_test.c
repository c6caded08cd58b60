
/*
 * Unit tests: the pure parts of src/worker/ms_token.c (token responses,
 * AAD error codes, expiry arithmetic, cache keys, the token URL and the
 * form body) and Retry-After parsing in src/worker/http.c.
 */


#include <stdlib.h>
#include <string.h>

#include "core/teams_uuid.h"
#include "unit.h"
#include "worker/http.h"
#include "worker/ms_token.h"


#define TEAMS_EXPECT_NULL(p)                                                 \
    TEAMS_UNIT_CHECK((p) == NULL, (void) 0, "%s: \"%s\"", #p,               \
                     teams_unit_str(p))

#define TEAMS_T_TENANT   "A0000000-0000-4000-8000-000000000001"
#define TEAMS_T_PROFILE  "a1000000-0000-4000-8000-000000000001"


static const char *
teams_test_parse(const char *body, teams_ms_token_response_t *tr)
{
    return teams_ms_token_parse(body, strlen(body), tr);
}


TEAMS_TEST(worker_token_parse_ok)
{
    const char                 *why;
    teams_ms_token_response_t   tr;

    why = teams_test_parse("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
                           "\"ext_expires_in\":3599,"
                           "\"access_token\":\"eyJ.a-b_c.d\"}", &tr);
    TEAMS_ASSERT_NULL(why);
    TEAMS_EXPECT_STR_EQ(tr.access_token, "eyJ.a-b_c.d");
    TEAMS_EXPECT_INT_EQ(tr.len, 11);
    TEAMS_EXPECT_INT_EQ(tr.expires_in, 3599);
    free(tr.access_token);

    /* v1 endpoints: expires_in as a string; token_type in any case */

    why = teams_test_parse("{\"token_type\":\"bearer\",\"expires_in\":\"3600\","
                           "\"access_token\":\"x\"}", &tr);
    TEAMS_ASSERT_NULL(why);
    TEAMS_EXPECT_INT_EQ(tr.expires_in, 3600);
    free(tr.access_token);
}


TEAMS_TEST(worker_token_parse_bad)
{
    size_t                      i;
    teams_ms_token_response_t   tr;

    static const char  *bad[] = {
        "",
        "[]",
        "not json",
        "{\"token_type\":\"Bearer\",\"expires_in\":3599}",
        "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
            "\"access_token\":\"a b\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
            "\"access_token\":\"a\\nb\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
            "\"access_token\":\"a\\u00e9\"}",
        "{\"token_type\":\"mac\",\"expires_in\":3599,\"access_token\":\"a\"}",
        "{\"expires_in\":3599,\"access_token\":\"a\"}",
        "{\"token_type\":\"Bearer\",\"access_token\":\"a\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":0,\"access_token\":\"a\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":-5,\"access_token\":\"a\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":90000,"
            "\"access_token\":\"a\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":\"12x\","
            "\"access_token\":\"a\"}",
        "{\"token_type\":\"Bearer\",\"expires_in\":true,"
            "\"access_token\":\"a\"}",
        /* duplicate members are ambiguous */
        "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"a\","
            "\"access_token\":\"b\"}",
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TEAMS_UNIT_CHECK(teams_test_parse(bad[i], &tr) != NULL, (void) 0,
                         "accepted: %s", bad[i]);
        TEAMS_EXPECT(tr.access_token == NULL);
    }
}


TEAMS_TEST(worker_token_parse_too_long)
{
    char                       *body, *p;
    size_t                      n;
    teams_ms_token_response_t   tr;

    n = TEAMS_MS_TOKEN_MAX + 1;

    body = malloc(n + 100);
    TEAMS_ASSERT_NOT_NULL(body);

    p = body + sprintf(body, "{\"token_type\":\"Bearer\",\"expires_in\":60,"
                       "\"access_token\":\"");
    memset(p, 'a', n);
    strcpy(p + n, "\"}");

    TEAMS_EXPECT(teams_test_parse(body, &tr) != NULL);

    /* exactly the limit is fine */
    strcpy(p + n - 1, "\"}");
    TEAMS_EXPECT(teams_test_parse(body, &tr) == NULL);
    TEAMS_EXPECT_INT_EQ(tr.len, TEAMS_MS_TOKEN_MAX);
    free(tr.access_token);

    free(body);
}


TEAMS_TEST(worker_token_error_code)
{
    char         buf[32];
    const char  *b;

    b = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
        "Invalid client secret provided. secret=xyz\"}";

    TEAMS_EXPECT_STR_EQ(teams_ms_token_error_code(b, strlen(b), buf,
                                                  sizeof(buf)),
                        "invalid_client");

    /* never more than the code's own safe characters */
    b = "{\"error\":\"bad code\\r\\n<x>\"}";
    TEAMS_EXPECT_STR_EQ(teams_ms_token_error_code(b, strlen(b), buf,
                                                  sizeof(buf)),
                        "badcodex");

    b = "<html>";
    TEAMS_EXPECT_STR_EQ(teams_ms_token_error_code(b, strlen(b), buf,
                                                  sizeof(buf)), "");
    TEAMS_EXPECT_STR_EQ(teams_ms_token_error_code(NULL, 0, buf,
                                                  sizeof(buf)), "");

    b = "{\"error\":\"invalid_client_with_a_very_long_code_name\"}";
    TEAMS_EXPECT_INT_EQ(strlen(teams_ms_token_error_code(b, strlen(b), buf,
                                                         sizeof(buf))),
                        sizeof(buf) - 1);
}


TEAMS_TEST(worker_token_fresh_until)
{
    /* an hour-long token: reused until 5 minutes before expiry */
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(1000, 3599),
                        1000 + (3599 - 300) * 1000);
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(0, 601), 301 * 1000);

    /* short-lived tokens: half their life */
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(0, 600), 300 * 1000);
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(5000, 60), 5000 + 30000);
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(5000, 1), 5000);

    /* nonsense: not reusable at all */
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(5000, 0), 5000);
    TEAMS_EXPECT_INT_EQ(teams_ms_token_fresh_until(5000, -1), 5000);
}


TEAMS_TEST(worker_token_cache_key)
{
    char  buf[TEAMS_MS_TOKEN_KEY_MAX], buf2[TEAMS_MS_TOKEN_KEY_MAX];

    TEAMS_ASSERT(teams_ms_token_key(buf, sizeof(buf), TEAMS_T_TENANT,
                                    TEAMS_T_PROFILE, TEAMS_MS_SCOPE_BOT)
                 > 0);
    TEAMS_EXPECT_STR_EQ(buf, "a0000000-0000-4000-8000-000000000001/"
                        "a1000000-0000-4000-8000-000000000001/"
                        "https://api.botframework.com/.default");

    /* the ids in any case are the same entry; scopes are distinct */

    TEAMS_ASSERT(teams_ms_token_key(buf2, sizeof(buf2),
                                    "a0000000-0000-4000-8000-000000000001",
                                    "A1000000-0000-4000-8000-000000000001",
                                    TEAMS_MS_SCOPE_BOT) > 0);
    TEAMS_EXPECT_STR_EQ(buf, buf2);

    TEAMS_ASSERT(teams_ms_token_key(buf2, sizeof(buf2), TEAMS_T_TENANT,
                                    TEAMS_T_PROFILE, TEAMS_MS_SCOPE_GRAPH)
                 > 0);
    TEAMS_EXPECT(strcmp(buf, buf2) != 0);

    /* too long: refused, not truncated into another key */
    TEAMS_EXPECT_INT_EQ(teams_ms_token_key(buf, 80, TEAMS_T_TENANT,
                                           TEAMS_T_PROFILE,
                                           TEAMS_MS_SCOPE_BOT), 0);
    TEAMS_EXPECT_STR_EQ(buf, "");
}


TEAMS_TEST(worker_token_url)
{
    char  buf[256];

    TEAMS_EXPECT_NULL(teams_ms_token_url(buf, sizeof(buf),
                                         "http://127.0.0.1:58080/",
                                         "ad0a0000-0000-4000-8000-00000000000a",
                                         TEAMS_MS_SCOPE_BOT));
    TEAMS_EXPECT_STR_EQ(buf, "http://127.0.0.1:58080/"
                        "ad0a0000-0000-4000-8000-00000000000a"
                        "/oauth2/v2.0/token");

    /* multi-tenant bots take Connector tokens from botframework.com */
    TEAMS_EXPECT_NULL(teams_ms_token_url(buf, sizeof(buf),
                                         "https://login.microsoftonline.com",
                                         "common", TEAMS_MS_SCOPE_BOT));
    TEAMS_EXPECT_STR_EQ(buf, "https://login.microsoftonline.com/"
                        "botframework.com/oauth2/v2.0/token");
    TEAMS_EXPECT_NULL(teams_ms_token_url(buf, sizeof(buf), "https://x", "",
                                         TEAMS_MS_SCOPE_BOT));

    /* ... but Graph needs the real tenant */
    TEAMS_EXPECT(teams_ms_token_url(buf, sizeof(buf), "https://x", "common",
                                    TEAMS_MS_SCOPE_GRAPH) != NULL);

    TEAMS_EXPECT(teams_ms_token_url(buf, sizeof(buf), "https://x", "a/../b",
                                    TEAMS_MS_SCOPE_BOT) != NULL);
    TEAMS_EXPECT(teams_ms_token_url(buf, sizeof(buf), "https://x", "a?b",
                                    TEAMS_MS_SCOPE_BOT) != NULL);
    TEAMS_EXPECT(teams_ms_token_url(buf, sizeof(buf), "https://x", ".x",
                                    TEAMS_MS_SCOPE_BOT) != NULL);
    TEAMS_EXPECT(teams_ms_token_url(buf, 20, "https://x", "contoso.com",
                                    TEAMS_MS_SCOPE_BOT) != NULL);
    TEAMS_EXPECT(teams_ms_token_url(buf, sizeof(buf), NULL, "contoso.com",
                                    TEAMS_MS_SCOPE_BOT) != NULL);
}


TEAMS_TEST(worker_token_form)
{
    char    buf[512];
    size_t  n;

    n = teams_ms_token_form(buf, sizeof(buf), "a99a0000-0000",
                            "p+a/s&s=w~o_r.d%", 16, TEAMS_MS_SCOPE_BOT);
    TEAMS_EXPECT_STR_EQ(buf, "grant_type=client_credentials"
                        "&client_id=a99a0000-0000"
                        "&client_secret=p%2Ba%2Fs%26s%3Dw~o_r.d%25"
                        "&scope=https%3A%2F%2Fapi.botframework.com"
                        "%2F.default");
    TEAMS_EXPECT_INT_EQ(n, strlen(buf));

    /* a secret with a NUL byte is encoded, not cut */
    n = teams_ms_token_form(buf, sizeof(buf), "c", "a\0b", 3, "s");
    TEAMS_EXPECT_STR_EQ(buf, "grant_type=client_credentials&client_id=c"
                        "&client_secret=a%00b&scope=s");

    /* too small: 0 and nothing of the secret left behind */
    memset(buf, 'z', sizeof(buf));
    TEAMS_EXPECT_INT_EQ(teams_ms_token_form(buf, 70, "c", "secretsecret",
                                            12, "s"), 0);
    TEAMS_EXPECT(memchr(buf, 's', 70) == NULL);
}


#define UUID_OK(s)  teams_is_uuid((s), strlen(s))


TEAMS_TEST(worker_token_uuid)
{
    TEAMS_EXPECT(UUID_OK(TEAMS_T_TENANT));
    TEAMS_EXPECT(UUID_OK(TEAMS_T_PROFILE));
    TEAMS_EXPECT(!UUID_OK(""));
    TEAMS_EXPECT(!UUID_OK("a1000000-0000-4000-8000-00000000000"));
    TEAMS_EXPECT(!UUID_OK("a1000000-0000-4000-8000-0000000000011"));
    TEAMS_EXPECT(!UUID_OK("a1000000_0000-4000-8000-000000000001"));
    TEAMS_EXPECT(!UUID_OK("g1000000-0000-4000-8000-000000000001"));
    TEAMS_EXPECT(!UUID_OK("a1000000-0000-4000-8000-00000000000'"));
}


TEAMS_TEST(worker_http_retry_after)
{
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse(" 3\r\n", 4, 0), 3);
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse("0", 1, 0), 0);
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse("999999999999", 12, 0),
                        86400);
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse("1.5", 3, 0), -1);
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse("", 0, 0), -1);
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse("soon", 4, 0), -1);

    /* an HTTP date: seconds from now, never negative */
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse(
                            "Thu, 01 Jan 1970 00:01:40 GMT", 29, 90), 10);
    TEAMS_EXPECT_INT_EQ(teams_http_retry_after_parse(
                            "Thu, 01 Jan 1970 00:01:40 GMT", 29, 200), 0);
}
