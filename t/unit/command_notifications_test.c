
/*
 * Unit tests: the `notifications` command of src/teams/teams_command.c
 */


#include <string.h>

#include "teams/teams_command.h"
#include "unit.h"


static teams_cmd_kind_e
teams_test_kind(const char *text)
{
    static teams_command_t  c;

    if (teams_command_parse(&c, text, strlen(text)) != 0) {
        return (teams_cmd_kind_e) -1;
    }

    return c.kind;
}


TEAMS_TEST(command_notifications)
{
    TEAMS_EXPECT_INT_EQ(teams_test_kind("notifications"),
                        TEAMS_CMD_NOTIFICATIONS);
    TEAMS_EXPECT_INT_EQ(teams_test_kind("Notifications!"),
                        TEAMS_CMD_NOTIFICATIONS);
    TEAMS_EXPECT_INT_EQ(teams_test_kind("notification settings"),
                        TEAMS_CMD_NOTIFICATIONS);
    TEAMS_EXPECT_INT_EQ(teams_test_kind("  notifications settings "),
                        TEAMS_CMD_NOTIFICATIONS);

    /* anything more is not this command */
    TEAMS_EXPECT(teams_test_kind("notifications off please")
                 != TEAMS_CMD_NOTIFICATIONS);
    TEAMS_EXPECT(teams_test_kind("notificationsx") != TEAMS_CMD_NOTIFICATIONS);
    TEAMS_EXPECT_STR_HAS(teams_command_help(), "`notifications`");
}
