
/*
 * Unit tests: invoke routing and reading each invoke's value -- what Teams
 * sends is read into the registry's arguments, anything else is refused
 * with a reason (the glue answers 400).
 */


#include <stdio.h>
#include <string.h>

#include "teams/teams_activity.h"
#include "teams/teams_invoke.h"
#include "unit.h"


#define TEAMS_EXPECT_NOT_NULL(p)  TEAMS_EXPECT((p) != NULL)
#define TEAMS_EXPECT_NULL(p)      TEAMS_EXPECT((p) == NULL)


/* reads an invoke activity with name and value; returns the reason or
 * NULL, the route in *route */
static const char *
teams_it_read(const char *name, const char *value, teams_invoke_e *route,
    teams_invoke_t *inv)
{
    char               text[4096];
    const char        *err, *why;
    teams_activity_t   a;

    snprintf(text, sizeof(text),
             "{\"type\":\"invoke\",\"name\":\"%s\",\"id\":\"x\","
             "\"serviceUrl\":\"https://s/\",\"channelId\":\"msteams\","
             "\"from\":{\"id\":\"29:u\"},\"conversation\":{\"id\":\"c\"},"
             "\"value\":%s}", name, value);

    if (teams_activity_parse(&a, text, strlen(text), &err) != 0) {
        return "activity did not parse";
    }

    *route = teams_invoke_route(&a);
    why = teams_invoke_read(&a, *route, inv);

    /* argument values point into the activity: keep what tests read */
    teams_activity_free(&a);

    return why == NULL ? NULL : "refused";
}


TEAMS_TEST(invoke_routes)
{
    teams_invoke_t  inv;
    teams_invoke_e  r;

    (void) teams_it_read("composeExtension/query", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_ME_QUERY);
    (void) teams_it_read("composeExtension/fetchTask", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_ME_FETCH);
    (void) teams_it_read("composeExtension/submitAction", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_ME_SUBMIT);
    (void) teams_it_read("task/fetch", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_TASK_FETCH);
    (void) teams_it_read("task/submit", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_TASK_SUBMIT);
    (void) teams_it_read("adaptiveCard/action", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_CARD_ACTION);
    (void) teams_it_read("composeExtension/setting", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_EMPTY_OK);
    (void) teams_it_read("composeExtension/queryLink", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_UNSUPPORTED);
    (void) teams_it_read("something/else", "{}", &r, &inv);
    TEAMS_EXPECT_INT_EQ(r, TEAMS_INVOKE_UNSUPPORTED);
}


TEAMS_TEST(invoke_values_valid)
{
    teams_invoke_t  inv;
    teams_invoke_e  r;

    TEAMS_EXPECT_NULL(teams_it_read("composeExtension/query",
        "{\"commandId\":\"searchTickets\",\"parameters\":[{\"name\":"
        "\"initialRun\",\"value\":\"true\"},{\"name\":\"q\",\"value\":"
        "\"vpn\"}],\"queryOptions\":{\"skip\":5,\"count\":500}}", &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_OPEN_RECORD);
    TEAMS_EXPECT_STR_EQ(inv.skip, "5");
    TEAMS_EXPECT_STR_EQ(inv.count, "25");

    TEAMS_EXPECT_NULL(teams_it_read("composeExtension/query",
        "{\"commandId\":\"search\"}", &r, &inv));
    TEAMS_EXPECT_STR_EQ(inv.count, "10");
    TEAMS_EXPECT_STR_EQ(inv.skip, "0");

    TEAMS_EXPECT_NULL(teams_it_read("composeExtension/fetchTask",
        "{\"commandId\":\"createTicket\",\"messagePayload\":{\"id\":\"m1\","
        "\"subject\":\"\",\"body\":{\"content\":\"<p>Printer <b>jammed"
        "</b> &amp; more</p>\"},\"linkToMessage\":\"https://t/l\"}}",
        &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE);
    TEAMS_EXPECT(inv.form);
    TEAMS_EXPECT_STR_EQ(inv.title, "Printer jammed & more");
    TEAMS_EXPECT_STR_HAS(inv.source, "\"message_id\":\"m1\"");
    TEAMS_EXPECT_STR_HAS(inv.source, "\"link\":\"https://t/l\"");

    TEAMS_EXPECT_NULL(teams_it_read("composeExtension/fetchTask",
        "{\"commandId\":\"updateFromMessage\"}", &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_UPDATE_FROM_MESSAGE);
    TEAMS_EXPECT_NOT_NULL(inv.intro);

    TEAMS_EXPECT_NULL(teams_it_read("composeExtension/submitAction",
        "{\"commandId\":\"createTicket\",\"data\":{\"title\":\"t\","
        "\"nonce\":\"n1\"}}", &r, &inv));
    TEAMS_EXPECT(!inv.form && !inv.cancel);

    TEAMS_EXPECT_NULL(teams_it_read("composeExtension/submitAction",
        "{\"commandId\":\"createTicket\",\"data\":{\"action\":\"cancel\"}}",
        &r, &inv));
    TEAMS_EXPECT(inv.cancel);

    TEAMS_EXPECT_NULL(teams_it_read("task/fetch",
        "{\"data\":{\"action\":\"add_note\",\"ticket\":\"TIC1\"}}", &r,
        &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_ADD_NOTE);
    TEAMS_EXPECT(inv.form);

    TEAMS_EXPECT_NULL(teams_it_read("task/submit",
        "{\"data\":{\"action\":\"log_time\",\"nonce\":\"n2\"}}", &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_LOG_TIME);
    TEAMS_EXPECT(!inv.form);

    TEAMS_EXPECT_NULL(teams_it_read("task/submit",
        "{\"data\":{\"action\":\"cancel\"}}", &r, &inv));
    TEAMS_EXPECT(inv.cancel);

    TEAMS_EXPECT_NULL(teams_it_read("adaptiveCard/action",
        "{\"action\":{\"type\":\"Action.Execute\",\"verb\":\"add_note\","
        "\"data\":{\"ticket\":\"TIC1\",\"text\":\"x\"}}}", &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_ADD_NOTE);

    TEAMS_EXPECT_NULL(teams_it_read("adaptiveCard/action",
        "{\"action\":{\"type\":\"Action.Execute\",\"verb\":\"refresh\","
        "\"data\":{\"kind\":\"ticket\",\"ref\":\"TIC1\"}}}", &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_OPEN_RECORD);

    TEAMS_EXPECT_NULL(teams_it_read("adaptiveCard/action",
        "{\"action\":{\"type\":\"Action.Execute\",\"verb\":\"form\","
        "\"data\":{\"action\":\"assign_ticket\"}}}", &r, &inv));
    TEAMS_EXPECT_INT_EQ(inv.action, TEAMS_ACTION_ASSIGN_TICKET);
    TEAMS_EXPECT(inv.form);

    TEAMS_EXPECT_NULL(teams_it_read("adaptiveCard/action",
        "{\"action\":{\"type\":\"Action.Execute\",\"verb\":\"cancel\"}}",
        &r, &inv));
    TEAMS_EXPECT(inv.cancel);
}


TEAMS_TEST(invoke_values_malformed)
{
    size_t          i;
    teams_invoke_t  inv;
    teams_invoke_e  r;
    static const char  *bad[][2] = {
        { "composeExtension/query", "[]" },
        { "composeExtension/query", "\"x\"" },
        { "composeExtension/query", "{\"parameters\":{}}" },
        { "composeExtension/query", "{\"parameters\":[{\"value\":\"x\"}]}" },
        { "composeExtension/fetchTask", "{}" },
        { "composeExtension/fetchTask", "{\"commandId\":\"nope\"}" },
        { "composeExtension/submitAction", "{\"commandId\":\"createTicket\"}" },
        { "composeExtension/submitAction",
          "{\"commandId\":\"createTicket\",\"data\":\"x\"}" },
        { "task/fetch", "{}" },
        { "task/fetch", "{\"data\":[]}" },
        { "task/fetch", "{\"data\":{}}" },
        { "task/fetch", "{\"data\":{\"action\":\"nope\"}}" },
        { "task/submit", "{\"data\":{\"action\":\"my_tickets\"}}" },
        { "adaptiveCard/action", "{}" },
        { "adaptiveCard/action", "{\"action\":{\"type\":\"Action.Submit\"}}" },
        { "adaptiveCard/action", "{\"action\":{\"type\":\"Action.Execute\"}}" },
        { "adaptiveCard/action", "{\"action\":{\"type\":\"Action.Execute\","
                                 "\"verb\":\"add_note\",\"data\":1}}" },
        { "adaptiveCard/action", "{\"action\":{\"type\":\"Action.Execute\","
                                 "\"verb\":\"refresh\",\"data\":{}}}" },
        { "adaptiveCard/action", "{\"action\":{\"type\":\"Action.Execute\","
                                 "\"verb\":\"my_tickets\"}}" },
        { "adaptiveCard/action", "{\"action\":{\"type\":\"Action.Execute\","
                                 "\"verb\":\"form\",\"data\":{}}}" }
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (teams_it_read(bad[i][0], bad[i][1], &r, &inv) == NULL) {
            teams_unit_fail(__FILE__, __LINE__, "accepted %s %s", bad[i][0],
                            bad[i][1]);
        }
    }
}
