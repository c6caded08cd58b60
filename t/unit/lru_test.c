
/*
 * Unit tests: src/core/teams_lru.c
 */


#include <stdio.h>
#include <string.h>

#include "core/teams_lru.h"
#include "unit.h"


#define PUT(lru, k, exp)  teams_lru_put((lru), (k), strlen(k), (exp))
#define GET(lru, k, now)  teams_lru_get((lru), (k), strlen(k), (now))


TEAMS_TEST(lru_put_get_expire)
{
    int          *v;
    teams_lru_t  *lru;

    lru = teams_lru_create(4, sizeof(int));
    TEAMS_ASSERT_NOT_NULL(lru);

    v = PUT(lru, "a", 100);
    TEAMS_ASSERT_NOT_NULL(v);
    *v = 7;

    v = GET(lru, "a", 100);
    TEAMS_ASSERT_NOT_NULL(v);
    TEAMS_EXPECT_INT_EQ(*v, 7);
    TEAMS_EXPECT(GET(lru, "b", 100) == NULL);

    /* past its expiry: a miss, and gone */
    TEAMS_EXPECT(GET(lru, "a", 101) == NULL);
    TEAMS_EXPECT_INT_EQ(teams_lru_count(lru), 0);

    teams_lru_destroy(lru);
}


TEAMS_TEST(lru_evicts_least_recently_used)
{
    int           i, *v;
    char          key[16];
    teams_lru_t  *lru;

    lru = teams_lru_create(3, sizeof(int));
    TEAMS_ASSERT_NOT_NULL(lru);

    for (i = 0; i < 3; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        v = PUT(lru, key, 1000);
        *v = i;
    }

    /* k0 becomes the most recent; k1 is then the oldest */
    TEAMS_EXPECT(GET(lru, "k0", 1) != NULL);

    v = PUT(lru, "k3", 1000);
    *v = 3;

    TEAMS_EXPECT_INT_EQ(teams_lru_count(lru), 3);
    TEAMS_EXPECT(GET(lru, "k1", 1) == NULL);
    TEAMS_EXPECT(GET(lru, "k0", 1) != NULL);
    TEAMS_EXPECT(GET(lru, "k2", 1) != NULL);

    v = GET(lru, "k3", 1);
    TEAMS_ASSERT_NOT_NULL(v);
    TEAMS_EXPECT_INT_EQ(*v, 3);

    teams_lru_destroy(lru);
}


TEAMS_TEST(lru_many_rounds_stay_bounded_and_consistent)
{
    int           i, hits, *v;
    char          key[32];
    teams_lru_t  *lru;

    lru = teams_lru_create(64, sizeof(int));
    TEAMS_ASSERT_NOT_NULL(lru);

    for (i = 0; i < 10000; i++) {
        snprintf(key, sizeof(key), "user-%d", i % 200);

        v = GET(lru, key, i);
        if (v != NULL) {
            TEAMS_ASSERT_INT_EQ(*v, i % 200);
            continue;
        }

        /* every third key expires quickly, exercising the free list */
        v = PUT(lru, key, (i % 3) ? i + 500 : i + 1);
        TEAMS_ASSERT_NOT_NULL(v);
        *v = i % 200;

        TEAMS_ASSERT(teams_lru_count(lru) <= 64);
    }

    hits = 0;

    for (i = 0; i < 200; i++) {
        snprintf(key, sizeof(key), "user-%d", i);
        hits += GET(lru, key, 10000) != NULL;
    }

    TEAMS_EXPECT(hits <= 64);
    TEAMS_EXPECT_INT_EQ(teams_lru_count(lru), (size_t) hits);

    teams_lru_clear(lru);
    TEAMS_EXPECT_INT_EQ(teams_lru_count(lru), 0);
    TEAMS_EXPECT(GET(lru, "user-1", 0) == NULL);

    teams_lru_destroy(lru);
}


TEAMS_TEST(lru_refuses_long_keys)
{
    char          key[TEAMS_LRU_KEY_MAX + 2];
    teams_lru_t  *lru;

    lru = teams_lru_create(2, 8);
    TEAMS_ASSERT_NOT_NULL(lru);

    memset(key, 'x', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';

    TEAMS_EXPECT(PUT(lru, key, 10) == NULL);
    TEAMS_EXPECT(GET(lru, key, 1) == NULL);

    teams_lru_destroy(lru);
}
