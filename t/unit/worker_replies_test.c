
/*
 * Unit tests: the pure parts of src/worker/replies.c (verdicts, retry
 * delays, the body) and src/worker/connector.c (URL, host rule, pacing,
 * error text).
 */


#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "worker/connector.h"
#include "worker/replies.h"


static teams_replies_verdict_e
teams_test_verdict(teams_connector_rc_e rc, long status)
{
    teams_connector_result_t  res;

    memset(&res, 0, sizeof(teams_connector_result_t));
    res.rc = rc;
    res.status = status;

    return teams_replies_classify(&res);
}


TEAMS_TEST(worker_replies_classify)
{
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_SENT, 201),
                        TEAMS_REPLIES_DONE);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_TRANSPORT, 0),
                        TEAMS_REPLIES_RETRY);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_STOPPED, 0),
                        TEAMS_REPLIES_STOP);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 429),
                        TEAMS_REPLIES_RETRY);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 412),
                        TEAMS_REPLIES_RETRY);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 502),
                        TEAMS_REPLIES_RETRY);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 500),
                        TEAMS_REPLIES_RETRY);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 401),
                        TEAMS_REPLIES_NEW_TOKEN);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 400),
                        TEAMS_REPLIES_FAIL);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 403),
                        TEAMS_REPLIES_FAIL);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 404),
                        TEAMS_REPLIES_FAIL);
    TEAMS_EXPECT_INT_EQ(teams_test_verdict(TEAMS_CONNECTOR_ANSWERED, 302),
                        TEAMS_REPLIES_FAIL);
}


TEAMS_TEST(worker_replies_delay)
{
    unsigned  i, d;

    /* Retry-After wins, bounded, never 0 */
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(1, 2, 12345), 2000);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(1, 0, 12345), 100);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(1, 3600, 0),
                        TEAMS_REPLIES_RETRY_AFTER_MAX * 1000);

    /* backoff: [d/2, d] with d = 500 ms doubling up to 8 s */
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(1, -1, 0), 250);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(1, -1, 250), 500);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(2, -1, 0), 500);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(3, -1, 0), 1000);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(5, -1, 4000), 8000);
    TEAMS_EXPECT_INT_EQ(teams_replies_delay(40, -1, 4000), 8000);

    for (i = 0; i < 1000; i++) {
        d = teams_replies_delay(4, -1, (unsigned) random());
        TEAMS_ASSERT(d >= 2000 && d <= 4000);
    }
}


TEAMS_TEST(worker_replies_body)
{
    char        *b;
    size_t       len;
    const char  *why;

    b = teams_replies_body("{\"type\":\"message\"}", 18, "1:2\"x", &len,
                           &why);
    TEAMS_ASSERT_NOT_NULL(b);
    TEAMS_EXPECT_STR_EQ(b, "{\"replyToId\":\"1:2\\u0022x\","
                        "\"type\":\"message\"}");
    TEAMS_EXPECT_INT_EQ(len, strlen(b));
    free(b);

    b = teams_replies_body(" {}", 3, "a", &len, &why);
    TEAMS_ASSERT_NOT_NULL(b);
    TEAMS_EXPECT_STR_EQ(b, " {\"replyToId\":\"a\"}");
    free(b);

    /* kept as it is: its own replyToId, or no reply_to */
    b = teams_replies_body("{\"replyToId\":\"z\"}", 17, "a", &len, &why);
    TEAMS_ASSERT_NOT_NULL(b);
    TEAMS_EXPECT_STR_EQ(b, "{\"replyToId\":\"z\"}");
    free(b);

    b = teams_replies_body("{\"text\":\"x\"}", 12, "", &len, &why);
    TEAMS_ASSERT_NOT_NULL(b);
    TEAMS_EXPECT_STR_EQ(b, "{\"text\":\"x\"}");
    free(b);

    TEAMS_EXPECT(teams_replies_body("[1]", 3, "a", &len, &why) == NULL);
    TEAMS_EXPECT(teams_replies_body("{", 1, "a", &len, &why) == NULL);
    TEAMS_EXPECT(teams_replies_body("{\"a\":1,\"a\":2}", 13, "a", &len, &why)
                 == NULL);
}


TEAMS_TEST(worker_connector_url)
{
    char  buf[256];

    TEAMS_EXPECT(teams_connector_url(buf, sizeof(buf),
                                     "https://smba.trafficmanager.net/amer/",
                                     "a:1x", "1:2") == NULL);
    TEAMS_EXPECT_STR_EQ(buf, "https://smba.trafficmanager.net/amer/v3/"
                        "conversations/a%3A1x/activities/1%3A2");

    TEAMS_EXPECT(teams_connector_url(buf, sizeof(buf),
                                     "https://smba.trafficmanager.net/teams",
                                     "19:abc@thread.skype;messageid=1/..",
                                     "") == NULL);
    TEAMS_EXPECT_STR_EQ(buf, "https://smba.trafficmanager.net/teams/v3/"
                        "conversations/19%3Aabc%40thread.skype%3Bmessageid"
                        "%3D1%2F../activities");

    TEAMS_EXPECT(teams_connector_url(buf, sizeof(buf), "https://x/", "",
                                     "") != NULL);
    TEAMS_EXPECT(teams_connector_url(buf, 40, "https://x/", "conversation",
                                     "activity") != NULL);
}


TEAMS_TEST(worker_connector_hosts)
{
    const char  *ms = "smba.trafficmanager.net, "
                      "smba.infra.gcc.teams.microsoft.com "
                      "smba.infra.gov.teams.microsoft.us";

    TEAMS_EXPECT(teams_connector_hosts_allow(ms,
                 "https://smba.trafficmanager.net/amer/"));
    TEAMS_EXPECT(teams_connector_hosts_allow(ms,
                 "https://smba.infra.gcc.teams.microsoft.com/gcc"));
    TEAMS_EXPECT(teams_connector_hosts_allow(ms,
                 "https://SMBA.trafficmanager.net/teams/"));

    /* clear text off this machine, other hosts, look-alikes */
    TEAMS_EXPECT(!teams_connector_hosts_allow(ms,
                 "http://smba.trafficmanager.net/amer/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow(ms,
                 "https://smba.trafficmanager.net.evil.com/amer/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow(ms,
                 "https://evil.com/smba.trafficmanager.net/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow(ms,
                 "https://user@smba.trafficmanager.net/amer/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow(ms,
                 "https://smba.trafficmanager.net:8443/amer/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow(ms, ""));
    TEAMS_EXPECT(!teams_connector_hosts_allow("",
                 "https://smba.trafficmanager.net/amer/"));

    /* loopback may be plain http (the stand-in) */
    TEAMS_EXPECT(teams_connector_hosts_allow("127.0.0.1:58080",
                 "http://127.0.0.1:58080/amer/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow("127.0.0.1:58080",
                 "http://127.0.0.1:58081/amer/"));
    TEAMS_EXPECT(!teams_connector_hosts_allow("127.0.0.1:58080",
                 "http://localhost:58080/amer/"));
}


TEAMS_TEST(worker_connector_pace)
{
    size_t    i;
    uint64_t  sent[60] = { 0 };

    TEAMS_EXPECT_INT_EQ(teams_connector_pace_delay(sent, 0, 1000), 0);

    /* 7 in the last second: wait for the first to leave the window */
    for (i = 0; i < 7; i++) {
        sent[i] = 10000 + i * 10;
    }

    TEAMS_EXPECT_INT_EQ(teams_connector_pace_delay(sent, 6, 10100), 0);
    TEAMS_EXPECT_INT_EQ(teams_connector_pace_delay(sent, 7, 10100), 900);
    TEAMS_EXPECT_INT_EQ(teams_connector_pace_delay(sent, 7, 11000), 0);

    /* 8 in 2 s: the 2 s window decides */
    for (i = 0; i < 8; i++) {
        sent[i] = 10000 + i * 200;
    }

    TEAMS_EXPECT_INT_EQ(teams_connector_pace_delay(sent, 8, 11500), 500);

    /* 60 in 30 s */
    for (i = 0; i < 60; i++) {
        sent[i] = 100000 + i * 400;
    }

    TEAMS_EXPECT_INT_EQ(teams_connector_pace_delay(sent, 60, 124000), 6000);
}


TEAMS_TEST(worker_connector_error_text)
{
    char         buf[64];
    const char  *b;

    b = "{\"error\":{\"code\":\"BotDisabled\",\"message\":\"no\\nway\"}}";
    TEAMS_EXPECT_STR_EQ(teams_connector_error_text(b, strlen(b), buf,
                                                   sizeof(buf)),
                        "BotDisabled: no?way");
    TEAMS_EXPECT_STR_EQ(teams_connector_error_text("oops", 4, buf,
                                                   sizeof(buf)), "");
}
