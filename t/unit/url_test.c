
/*
 * Unit tests: src/core/teams_url.c
 */


#include <string.h>

#include "core/teams_url.h"
#include "unit.h"


#define URL_CHECK(s)   teams_url_check((s), strlen(s))
#define HOST_CHECK(s)  teams_host_check((s), strlen(s))
#define HOST_MATCH(p, h)  teams_host_match((p), strlen(p), (h), strlen(h))

/* the checks return NULL when good, else the reason */
#define TEAMS_EXPECT_NULL_STR(s)                                             \
    TEAMS_UNIT_CHECK((s) == NULL, (void) 0, "%s: \"%s\"", #s,               \
                     teams_unit_str(s))


TEAMS_TEST(url_accepts_http_and_https)
{
    TEAMS_EXPECT_NULL_STR(URL_CHECK("https://graph.microsoft.com"));
    TEAMS_EXPECT_NULL_STR(URL_CHECK("http://127.0.0.1:58080/a/b"));
    TEAMS_EXPECT_NULL_STR(URL_CHECK("HTTPS://Login.Example.com/x/"));
    TEAMS_EXPECT_NULL_STR(URL_CHECK("http://[::1]:80/"));
}


TEAMS_TEST(url_refuses_what_it_should)
{
    TEAMS_EXPECT_STR_HAS(URL_CHECK(""), "empty");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("ftp://x.example"), "absolute http");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("//x.example/a"), "absolute http");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://"), "absolute http");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https:///path"), "absolute http");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a b"), "white space");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a\tb"), "white space");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a/?q=1"), "query");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a/#f"), "fragment");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://u:p@a"), "user information");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a:0/"), "port 0");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a:65536/"), "above 65535");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a:/"), "empty port");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a:8x/"), "not a number");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a_b/"), "not allowed");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://a..b/"), "malformed");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://.a/"), "malformed");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://[::1/"), "IPv6");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://[::g]/"), "IPv6");
    TEAMS_EXPECT_STR_HAS(URL_CHECK("https://[::1]x/"), "after the");
}


TEAMS_TEST(url_host_extracts_authority)
{
    size_t       len;
    const char  *host;

    TEAMS_ASSERT(teams_url_host("https://a.b:8/x?y", 17, &host, &len));
    TEAMS_EXPECT_INT_EQ(len, 5);
    TEAMS_EXPECT(strncmp(host, "a.b:8", 5) == 0);
    TEAMS_EXPECT(!teams_url_host("https:///x", 10, &host, &len));
    TEAMS_EXPECT(!teams_url_host("mailto:a@b", 10, &host, &len));
}


TEAMS_TEST(host_check_patterns)
{
    TEAMS_EXPECT_NULL_STR(HOST_CHECK("smba.trafficmanager.net"));
    TEAMS_EXPECT_NULL_STR(HOST_CHECK("*.botframework.com"));
    TEAMS_EXPECT_NULL_STR(HOST_CHECK("127.0.0.1:58080"));
    TEAMS_EXPECT(HOST_CHECK("*.") != NULL);
    TEAMS_EXPECT_STR_HAS(HOST_CHECK("a.*.b"), "not allowed");
    TEAMS_EXPECT_STR_HAS(HOST_CHECK(""), "empty");
}


TEAMS_TEST(host_match_exact_and_wildcard)
{
    TEAMS_EXPECT(HOST_MATCH("smba.trafficmanager.net",
                            "SMBA.trafficmanager.net"));
    TEAMS_EXPECT(!HOST_MATCH("smba.trafficmanager.net",
                             "smba.trafficmanager.net.evil.example"));
    TEAMS_EXPECT(!HOST_MATCH("smba.trafficmanager.net",
                             "evilsmba.trafficmanager.net"));
    TEAMS_EXPECT(HOST_MATCH("*.example.com", "a.example.com"));
    TEAMS_EXPECT(HOST_MATCH("*.example.com", "a.b.example.com"));
    TEAMS_EXPECT(!HOST_MATCH("*.example.com", "example.com"));
    TEAMS_EXPECT(!HOST_MATCH("*.example.com", "aexample.com"));
    TEAMS_EXPECT(!HOST_MATCH("*.example.com", "a.example.com.evil"));
    TEAMS_EXPECT(HOST_MATCH("127.0.0.1:58080", "127.0.0.1:58080"));
    TEAMS_EXPECT(!HOST_MATCH("127.0.0.1:58080", "127.0.0.1:58081"));
    TEAMS_EXPECT(!HOST_MATCH("127.0.0.1:58080", "127.0.0.1"));
}


TEAMS_TEST(percent_encode_sets_and_bounds)
{
    char  buf[16];

    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, sizeof(buf), "a:b c~", 6,
                                             TEAMS_URI_UNRESERVED), 10);
    TEAMS_EXPECT_STR_EQ(buf, "a%3Ab%20c~");

    /* encodeURIComponent keeps ' ( ) ! * as well */
    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, sizeof(buf), "x(y)!*", 6,
                                             TEAMS_URI_COMPONENT), 6);
    TEAMS_EXPECT_STR_EQ(buf, "x(y)!*");
    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, sizeof(buf), "x(y)", 4,
                                             TEAMS_URI_UNRESERVED), 8);
    TEAMS_EXPECT_STR_EQ(buf, "x%28y%29");

    /* bytes, NUL included, and the room for the terminator */
    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, sizeof(buf), "\0\xff", 2,
                                             TEAMS_URI_UNRESERVED), 6);
    TEAMS_EXPECT_STR_EQ(buf, "%00%FF");
    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, 4, "abcd", 4,
                                             TEAMS_URI_UNRESERVED),
                        (size_t) -1);
    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, 4, "abc", 3,
                                             TEAMS_URI_UNRESERVED), 3);
    TEAMS_EXPECT_INT_EQ(teams_percent_encode(buf, 3, " ", 1,
                                             TEAMS_URI_UNRESERVED),
                        (size_t) -1);
}
