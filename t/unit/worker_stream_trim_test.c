
/*
 * Unit tests: src/worker/stream_trim.c (what may be trimmed).
 */


#include <string.h>

#include "unit.h"
#include "worker/stream_trim.h"


static int
stream_id(const char *s, uint64_t ms, uint64_t seq)
{
    teams_stream_id_t  id;

    return teams_stream_id_parse(s, strlen(s), &id) == 0
           && id.ms == ms && id.seq == seq;
}


static int
stream_id_bad(const char *s)
{
    teams_stream_id_t  id;

    return teams_stream_id_parse(s, strlen(s), &id) == -1;
}


TEAMS_TEST(stream_trim_ids)
{
    teams_stream_id_t  a = { 5, 1 }, b = { 5, 2 }, c = { 6, 0 };

    TEAMS_EXPECT(stream_id("1700000000000-3", 1700000000000ULL, 3));
    TEAMS_EXPECT(stream_id("0-0", 0, 0));
    TEAMS_EXPECT(stream_id("42", 42, 0));
    TEAMS_EXPECT(stream_id("18446744073709551615-18446744073709551615",
                           UINT64_MAX, UINT64_MAX));

    TEAMS_EXPECT(stream_id_bad(""));
    TEAMS_EXPECT(stream_id_bad("-1"));
    TEAMS_EXPECT(stream_id_bad("1-"));
    TEAMS_EXPECT(stream_id_bad("1-2-3"));
    TEAMS_EXPECT(stream_id_bad("1x-2"));
    TEAMS_EXPECT(stream_id_bad("18446744073709551616-0"));

    TEAMS_EXPECT(teams_stream_id_cmp(&a, &b) < 0);
    TEAMS_EXPECT(teams_stream_id_cmp(&b, &c) < 0);
    TEAMS_EXPECT(teams_stream_id_cmp(&c, &a) > 0);
    TEAMS_EXPECT(teams_stream_id_cmp(&b, &b) == 0);
}


TEAMS_TEST(stream_trim_bound)
{
    teams_stream_id_t     m;
    teams_stream_group_t  g[2];
    uint64_t              now = 10000000, keep = 3600000;

    memset(g, 0, sizeof(g));

    /* nobody reads it: nothing goes */
    TEAMS_EXPECT_INT_EQ(teams_stream_trim_bound(g, 0, now, keep, &m), 0);

    /* all acknowledged, long ago: up to the group's position */
    g[0].last_delivered.ms = 5000;
    g[0].last_delivered.seq = 3;
    TEAMS_EXPECT_INT_EQ(teams_stream_trim_bound(g, 1, now, keep, &m), 1);
    TEAMS_EXPECT(m.ms == 5000 && m.seq == 3);

    /* all acknowledged, recently: only what is older than the retention */
    g[0].last_delivered.ms = now - 1000;
    TEAMS_EXPECT_INT_EQ(teams_stream_trim_bound(g, 1, now, keep, &m), 1);
    TEAMS_EXPECT(m.ms == now - keep && m.seq == 0);

    /* another group still has an old entry pending: it stays */
    g[1].pending = 1;
    g[1].oldest_pending.ms = 4000;
    g[1].last_delivered.ms = now - 1000;
    TEAMS_EXPECT_INT_EQ(teams_stream_trim_bound(g, 2, now, keep, &m), 1);
    TEAMS_EXPECT(m.ms == 4000 && m.seq == 0);

    /* a group that has read nothing yet holds everything */
    g[1].pending = 0;
    g[1].last_delivered.ms = 0;
    g[1].last_delivered.seq = 0;
    TEAMS_EXPECT_INT_EQ(teams_stream_trim_bound(g, 2, now, keep, &m), 0);

    /* a clock before the retention: nothing goes */
    TEAMS_EXPECT_INT_EQ(teams_stream_trim_bound(g, 1, 1000, keep, &m), 0);
}
