
/*
 * Unit tests: the action registry, the bot grammar and the link resolver.
 */


#include <string.h>

#include "psa/teams_action.h"
#include "psa/teams_links.h"
#include "teams/teams_command.h"
#include "unit.h"


#define PARSE(c, text)  teams_command_parse((c), (text), strlen(text))


TEAMS_TEST(action_duration_forms)
{
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("1h30m", 5), 90);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("45m", 3), 45);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("1.5h", 4), 90);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("2h", 2), 120);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("90", 2), 90);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("1 hour 15 mins", 14), 75);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("0m", 2), -1);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("25h", 3), -1);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("1h1h", 4), -1);
    TEAMS_EXPECT_INT_EQ(teams_duration_parse("soon", 4), -1);
}


TEAMS_TEST(action_registry_entries)
{
    const teams_action_def_t  *d;

    d = teams_action_by_name("add_note", 8);
    TEAMS_ASSERT_NOT_NULL(d);
    TEAMS_EXPECT(d->mutates);
    TEAMS_EXPECT_STR_EQ(d->allowed_key, "add_note");
    TEAMS_EXPECT_STR_EQ(teams_action_perm(d, TEAMS_TARGET_TICKET)->action,
                        "update");

    d = teams_action_get(TEAMS_ACTION_APPROVAL_RESPONSE);
    TEAMS_EXPECT_STR_EQ(teams_action_perm(d, TEAMS_TARGET_APPROVAL)->action,
                        "approve");

    d = teams_action_get(TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE);
    TEAMS_EXPECT_STR_EQ(d->capability, "message_extension");
    TEAMS_EXPECT(d->allowed_key == NULL);
}


TEAMS_TEST(action_check_gate)
{
    const char  *perms[] = { "ticket:read", "ticket:update" };
    const char  *allowed[] = { "add_note" };
    const char  *caps[] = { "personal_bot" };
    const teams_action_def_t  *d;

    d = teams_action_get(TEAMS_ACTION_ADD_NOTE);
    TEAMS_EXPECT_INT_EQ(teams_action_check(d, TEAMS_TARGET_TICKET, perms, 2,
                                           allowed, 1, caps, 1,
                                           "personal_bot"),
                        TEAMS_DENY_NONE);
    TEAMS_EXPECT_INT_EQ(teams_action_check(d, TEAMS_TARGET_TICKET, perms, 1,
                                           allowed, 1, caps, 1, NULL),
                        TEAMS_DENY_PERMISSION);
    TEAMS_EXPECT_INT_EQ(teams_action_check(d, TEAMS_TARGET_TICKET, perms, 2,
                                           allowed, 0, caps, 1, NULL),
                        TEAMS_DENY_ACTION);
    TEAMS_EXPECT_INT_EQ(teams_action_check(d, TEAMS_TARGET_TICKET, perms, 2,
                                           allowed, 1, caps, 0,
                                           "personal_bot"),
                        TEAMS_DENY_CAPABILITY);
}


TEAMS_TEST(action_gate_as_stated)
{
    static const char  *perms[] = { "ticket:read", "ticket:update" };
    static const char  *allowed[] = { "add_note" };
    static const char  *caps[] = { "message_extension", "quick_actions" };
    teams_gate_t        g = { "ticket", "read", "", "", "" };

#define PASS(g)  teams_gate_pass(&(g), perms, 2, allowed, 1, caps, 2)

    TEAMS_EXPECT(PASS(g));
    g.action = "delete";
    TEAMS_EXPECT(!PASS(g));

    /* nothing asked: passes; each part on its own */
    g = (teams_gate_t) { "", "", "", "", "" };
    TEAMS_EXPECT(PASS(g));
    g.surface_cap = "message_extension";
    TEAMS_EXPECT(PASS(g));
    g.surface_cap = "personal_bot";
    TEAMS_EXPECT(!PASS(g));
    g = (teams_gate_t) { "", "", "add_note", "quick_actions", "" };
    TEAMS_EXPECT(PASS(g));
    g.allowed_key = "log_time";
    TEAMS_EXPECT(!PASS(g));
    g = (teams_gate_t) { "", "", "", "activity_feed", "" };
    TEAMS_EXPECT(!PASS(g));

    /* no lists at all: only an empty gate passes */
    g = (teams_gate_t) { "ticket", "read", "", "", "" };
    TEAMS_EXPECT(!teams_gate_pass(&g, NULL, 0, NULL, 0, NULL, 0));
    g.resource = "";
    TEAMS_EXPECT(teams_gate_pass(&g, NULL, 0, NULL, 0, NULL, 0));

    /* a prefix is not the permission */
    g = (teams_gate_t) { "ticket", "rea", "", "", "" };
    TEAMS_EXPECT(!PASS(g));

#undef PASS
}


TEAMS_TEST(action_validate_fields)
{
    size_t                n;
    teams_args_t          args;
    teams_field_error_t   errs[8];

    memset(&args, 0, sizeof(args));
    teams_args_set(&args, "approval", "a4000000", 8);
    teams_args_set(&args, "decision", "request_changes", 15);
    n = teams_action_validate(teams_action_get(
                                  TEAMS_ACTION_APPROVAL_RESPONSE),
                              &args, errs, 8);
    TEAMS_ASSERT_INT_EQ(n, 1);
    TEAMS_EXPECT_STR_EQ(errs[0].input, "comment");

    memset(&args, 0, sizeof(args));
    teams_args_set(&args, "kind", "contact", 7);
    teams_args_set(&args, "ref", "TIC1", 4);
    teams_args_set(&args, "duration", "x", 1);
    n = teams_action_validate(teams_action_get(TEAMS_ACTION_LOG_TIME),
                              &args, errs, 8);
    TEAMS_EXPECT_INT_EQ(n, 2);
}


TEAMS_TEST(command_grammar)
{
    static teams_command_t  c;
    const char             *v;

    TEAMS_ASSERT_INT_EQ(teams_command_parse(&c, "help", strlen("help")), 0);
    TEAMS_EXPECT_INT_EQ(c.kind, TEAMS_CMD_HELP);

    PARSE(&c, "assign ticket TIC001000 to Tina Tech");
    TEAMS_EXPECT_INT_EQ(c.action, TEAMS_ACTION_ASSIGN_TICKET);
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "ticket", NULL),
                        "TIC001000");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "assignee", NULL),
                        "Tina Tech");

    PARSE(&c, "add note 1001: the text: with colon");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "ticket", NULL), "1001");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "text", NULL),
                        "the text: with colon");

    PARSE(&c, "log time task 1.1.1 1h30m: audit");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "kind", NULL), "task");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "ref", NULL), "1.1.1");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "duration", NULL), "1h30m");
    TEAMS_EXPECT_STR_EQ(teams_args_get(&c.args, "note", NULL), "audit");

    PARSE(&c, "request changes abcdef12");
    TEAMS_EXPECT_INT_EQ(c.action, TEAMS_ACTION_APPROVAL_RESPONSE);
    v = teams_args_get(&c.args, "comment", NULL);
    TEAMS_EXPECT(v == NULL);

    PARSE(&c, "<p>My Tickets</p>");
    TEAMS_EXPECT_INT_EQ(c.action, TEAMS_ACTION_MY_TICKETS);

    PARSE(&c, "make coffee");
    TEAMS_EXPECT_INT_EQ(c.kind, TEAMS_CMD_UNKNOWN);
}


TEAMS_TEST(links_psa_and_teams)
{
    char           buf[2048];
    teams_links_t  l = { "https://psa.example", "app-1" };

    TEAMS_EXPECT(teams_link_psa(buf, sizeof(buf), &l, TEAMS_TARGET_TICKET,
                                "t1", NULL) > 0);
    TEAMS_EXPECT_STR_EQ(buf, "https://psa.example/msp/tickets/t1");

    TEAMS_EXPECT(teams_link_psa(buf, sizeof(buf), &l, TEAMS_TARGET_APPROVAL,
                                "s1", NULL) > 0);
    TEAMS_EXPECT_STR_EQ(buf, "https://psa.example/msp/time-sheet-approvals"
                             "?approvalId=s1");

    TEAMS_EXPECT(teams_link_teams(buf, sizeof(buf), &l, TEAMS_TARGET_TICKET,
                                  "t1", NULL) > 0);
    TEAMS_EXPECT_STR_EQ(buf, "https://teams.microsoft.com/l/entity/app-1/"
                        "psa?webUrl=https%3A%2F%2Fpsa.example%2Fmsp%2F"
                        "tickets%2Ft1&context=%7B%22subEntityId%22%3A%22"
                        "ticket%3At1%22%7D");

    l.app_id = NULL;
    TEAMS_EXPECT_INT_EQ(teams_link_teams(buf, sizeof(buf), &l,
                                         TEAMS_TARGET_TICKET, "t1", NULL),
                        0);
}
