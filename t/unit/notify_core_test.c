
/*
 * Activity-feed notification core: categories, preview clipping, links,
 * Graph outcome classification, backoff, PostgreSQL array literals.
 */


#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "notify/teams_notify.h"
#include "worker/notify_arr.h"


TEAMS_TEST(notify_activity_types)
{
    TEAMS_UNIT_STR_EQ(teams_notify_activity_type("assignment"),
                      "assignmentCreated", return);
    TEAMS_UNIT_STR_EQ(teams_notify_activity_type("customer_reply"),
                      "customerReplyReceived", return);
    TEAMS_UNIT_STR_EQ(teams_notify_activity_type("approval_request"),
                      "approvalRequested", return);
    TEAMS_UNIT_STR_EQ(teams_notify_activity_type("escalation"),
                      "workEscalated", return);
    TEAMS_UNIT_STR_EQ(teams_notify_activity_type("sla_risk"),
                      "slaRiskDetected", return);
    TEAMS_UNIT_CHECK(teams_notify_activity_type("invoices") == NULL, return,
                     "unknown category");
}


TEAMS_TEST(notify_clip)
{
    char    buf[700], in[400];
    size_t  n;

    n = teams_notify_clip(buf, sizeof(buf), "short\ntext", 150);
    TEAMS_UNIT_STR_EQ(buf, "short text", return);
    TEAMS_UNIT_INT_EQ(n, 10, return);

    memset(in, 'x', 300);
    in[300] = '\0';
    teams_notify_clip(buf, sizeof(buf), in, 150);
    TEAMS_UNIT_INT_EQ(teams_notify_chars(buf), 150, return);
    TEAMS_UNIT_CHECK(strcmp(buf + strlen(buf) - 3, "\xe2\x80\xa6") == 0,
                     return, "ends with an ellipsis");

    /* multibyte: never cut inside a character */
    in[0] = '\0';
    for (n = 0; n < 100; n++) {
        strcat(in, "\xc3\xa9");
    }
    teams_notify_clip(buf, sizeof(buf), in, 50);
    TEAMS_UNIT_INT_EQ(teams_notify_chars(buf), 50, return);
    TEAMS_UNIT_INT_EQ(strlen(buf), 49 * 2 + 3, return);
}


TEAMS_TEST(notify_link_target)
{
    char            id[40], extra[40];
    teams_target_e  k;

    k = teams_notify_link_target("/msp/tickets/"
        "a5000000-0000-4000-8000-000000000001#comment-9", id, extra);
    TEAMS_UNIT_INT_EQ(k, TEAMS_TARGET_TICKET, return);
    TEAMS_UNIT_STR_EQ(id, "a5000000-0000-4000-8000-000000000001", return);

    k = teams_notify_link_target("https://psa.example/msp/projects/"
        "ab000000-0000-4000-8000-000000000001?phaseId=x&taskId="
        "ad000000-0000-4000-8000-00000000006f", id, extra);
    TEAMS_UNIT_INT_EQ(k, TEAMS_TARGET_TASK, return);
    TEAMS_UNIT_STR_EQ(id, "ad000000-0000-4000-8000-00000000006f", return);
    TEAMS_UNIT_STR_EQ(extra, "ab000000-0000-4000-8000-000000000001", return);

    k = teams_notify_link_target("/msp/time-sheet-approvals?approvalId="
        "a4000000-0000-4000-8000-000000000001", id, extra);
    TEAMS_UNIT_INT_EQ(k, TEAMS_TARGET_APPROVAL, return);

    k = teams_notify_link_target("/msp/tickets/not-a-uuid", id, extra);
    TEAMS_UNIT_INT_EQ(k, TEAMS_TARGET_NONE, return);
    k = teams_notify_link_target("/client-portal/tickets/"
        "a5000000-0000-4000-8000-000000000001", id, extra);
    TEAMS_UNIT_INT_EQ(k, TEAMS_TARGET_NONE, return);
}


TEAMS_TEST(notify_web_url)
{
    char           buf[2048];
    size_t         n;
    teams_links_t  l;

    l.psa_base_url = "https://psa.example.com";
    l.app_id = "a99a0000-0000-4000-8000-00000000000a";

    n = teams_notify_web_url(buf, sizeof(buf), &l, NULL, NULL);
    TEAMS_UNIT_CHECK(n > 0 && n < 1024, return, "home link");
    TEAMS_UNIT_STR_EQ(buf, "https://teams.microsoft.com/l/entity/"
        "a99a0000-0000-4000-8000-00000000000a/psa?webUrl="
        "https%3A%2F%2Fpsa.example.com%2Fmsp%2Fdashboard", return);

    n = teams_notify_web_url(buf, sizeof(buf), &l, NULL,
                             "a5000000-0000-4000-8000-000000000001");
    TEAMS_UNIT_STR_HAS(buf, "subEntityId%22%3A%22ticket%3Aa5000000", return);

    l.app_id = "";
    TEAMS_UNIT_INT_EQ(teams_notify_web_url(buf, sizeof(buf), &l, NULL, NULL),
                      0, return);
}


TEAMS_TEST(notify_classify)
{
    teams_notify_outcome_t  o;
    const char             *b = "{\"error\":{\"code\":\"NotFound\","
                                "\"message\":\"User not found\"}}";

    teams_notify_classify(204, NULL, NULL, 0, &o);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_SENT, return);

    teams_notify_classify(404, NULL, b, strlen(b), &o);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_FAILED, return);
    TEAMS_UNIT_STR_EQ(o.error_code, "graph_not_found", return);
    TEAMS_UNIT_STR_HAS(o.message, "NotFound - User not found", return);

    teams_notify_classify(403, NULL, NULL, 0, &o);
    TEAMS_UNIT_STR_EQ(o.error_code, "graph_unauthorized", return);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_FAILED, return);

    teams_notify_classify(429, NULL, NULL, 0, &o);
    TEAMS_UNIT_STR_EQ(o.error_code, "graph_throttled", return);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_RETRY, return);

    teams_notify_classify(412, NULL, NULL, 0, &o);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_RETRY, return);

    teams_notify_classify(503, NULL, "<html>", 6, &o);
    TEAMS_UNIT_STR_EQ(o.error_code, "graph_server_error", return);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_RETRY, return);

    teams_notify_classify(0, "Timeout was reached", NULL, 0, &o);
    TEAMS_UNIT_STR_EQ(o.error_code, "transient", return);
    TEAMS_UNIT_INT_EQ(o.result, TEAMS_NOTIFY_RETRY, return);

    teams_notify_classify(401, NULL, NULL, 0, &o);
    TEAMS_UNIT_CHECK(o.forget_token, return, "401 forgets the token");
}


TEAMS_TEST(notify_backoff)
{
    unsigned  d;

    TEAMS_UNIT_INT_EQ(teams_notify_backoff_ms(1, 3, 1000, 60000, 0), 3000,
                      return);
    TEAMS_UNIT_INT_EQ(teams_notify_backoff_ms(1, 900, 1000, 60000, 0), 60000,
                      return);
    d = teams_notify_backoff_ms(1, -1, 1000, 60000, 12345);
    TEAMS_UNIT_CHECK(d >= 500 && d <= 1000, return, "attempt 1: %u", d);
    d = teams_notify_backoff_ms(4, -1, 1000, 60000, 12345);
    TEAMS_UNIT_CHECK(d >= 4000 && d <= 8000, return, "attempt 4: %u", d);
    d = teams_notify_backoff_ms(30, -1, 1000, 60000, 99);
    TEAMS_UNIT_CHECK(d >= 30000 && d <= 60000, return, "capped: %u", d);
}


TEAMS_TEST(notify_pgarr)
{
    teams_pgarr_t  a;

    teams_pgarr_init(&a);
    teams_pgarr_add(&a, "x");
    teams_pgarr_add(&a, NULL);
    teams_pgarr_add(&a, "a\"b\\c,d");
    teams_pgarr_addl(&a, -5);
    TEAMS_UNIT_STR_EQ(teams_pgarr_text(&a),
                      "{\"x\",NULL,\"a\\\"b\\\\c,d\",\"-5\"}", goto done);
done:
    teams_pgarr_free(&a);
}
