
/*
 * Unit tests: src/core/teams_key.c (bounded idempotency key parts).
 */


#include <string.h>

#include "core/teams_key.h"
#include "unit.h"


TEAMS_TEST(key_part_short_is_kept)
{
    char  out[TEAMS_KEY_PART_MAX + 1], in[TEAMS_KEY_PART_MAX + 1];

    TEAMS_EXPECT_STR_EQ(teams_key_part(out, "f:1234567890", 12),
                        "f:1234567890");
    TEAMS_EXPECT_STR_EQ(teams_key_part(out, "", 0), "");

    memset(in, 'n', TEAMS_KEY_PART_MAX);
    in[TEAMS_KEY_PART_MAX] = '\0';
    TEAMS_EXPECT_STR_EQ(teams_key_part(out, in, TEAMS_KEY_PART_MAX), in);
}


TEAMS_TEST(key_part_long_is_its_sha256)
{
    char  out[TEAMS_KEY_PART_MAX + 1], other[TEAMS_KEY_PART_MAX + 1];
    char  in[4096];

    /* sha256 of 65 'n's */
    memset(in, 'n', sizeof(in));
    TEAMS_EXPECT_STR_EQ(teams_key_part(out, in, TEAMS_KEY_PART_MAX + 1),
        "1e3fb6d54587d70a794c060a27868e0a59cd1dc3b55536a763695af86c41bf79");

    /* inputs differing only in their last byte stay apart */
    TEAMS_ASSERT_NOT_NULL(teams_key_part(out, in, sizeof(in)));
    in[sizeof(in) - 1] = 'm';
    TEAMS_ASSERT_NOT_NULL(teams_key_part(other, in, sizeof(in)));
    TEAMS_EXPECT_INT_EQ(strlen(out), TEAMS_KEY_PART_MAX);
    TEAMS_EXPECT(strcmp(out, other) != 0);
}
