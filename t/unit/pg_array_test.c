
/*
 * Unit tests: src/core/teams_pg_array.c (text[] literals).
 */


#include <stdlib.h>
#include <string.h>

#include "core/teams_pg_array.h"
#include "unit.h"


TEAMS_TEST(pg_array_quotes_every_element)
{
    char                *out;
    size_t               size;
    static const char   *items[] = { "ticket:read", "a,b", "q\"uote",
                                     "back\\slash", "", "{x}" };
    static const char    want[] =
        "{\"ticket:read\",\"a,b\",\"q\\\"uote\",\"back\\\\slash\",\"\","
        "\"{x}\"}";

    size = teams_pg_array_size(items, 6);
    TEAMS_EXPECT(size >= sizeof(want));

    out = malloc(size);
    TEAMS_ASSERT_NOT_NULL(out);
    TEAMS_EXPECT_STR_EQ(teams_pg_array(out, items, 6), want);
    free(out);

    size = teams_pg_array_size(NULL, 0);
    out = malloc(size);
    TEAMS_ASSERT_NOT_NULL(out);
    TEAMS_EXPECT_STR_EQ(teams_pg_array(out, NULL, 0), "{}");
    TEAMS_EXPECT_INT_EQ(size, 3);
    free(out);
}
