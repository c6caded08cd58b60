
/*
 * Unit tests: src/jwt/teams_token_cache.c
 */


#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "jwt/teams_token_cache.h"
#include "unit.h"


#define NOW  1700000000


static void
cache_claims(teams_claims_t *c, double exp, const char *oid)
{
    memset(c, 0, sizeof(teams_claims_t));
    c->has_exp = 1;
    c->exp = exp;
    c->oid = (char *) oid;
}


TEAMS_TEST(cache_hit_and_expiry)
{
    teams_claims_t                    c;
    teams_token_cache_t              *cache;
    const teams_token_cache_entry_t  *e;
    unsigned char                     hash[32];

    cache = teams_token_cache_create(TEAMS_TOKEN_CACHE_DEFAULT);
    TEAMS_ASSERT_NOT_NULL(cache);

    TEAMS_EXPECT(teams_token_cache_get(cache, "a.b.c", 5, NOW) == NULL);

    cache_claims(&c, NOW + 60, "user-1");
    TEAMS_ASSERT_INT_EQ(teams_token_cache_put(cache, "a.b.c", 5, &c, "k1",
                                              NOW), 0);
    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 1);

    e = teams_token_cache_get(cache, "a.b.c", 5, NOW + 60);
    TEAMS_ASSERT_NOT_NULL(e);
    TEAMS_EXPECT_STR_EQ(e->claims.oid, "user-1");
    TEAMS_EXPECT(e->claims.oid != c.oid);
    TEAMS_EXPECT_STR_EQ(e->kid, "k1");
    TEAMS_EXPECT_INT_EQ(e->exp, NOW + 60);

    /* the key is the token's SHA-256 */
    SHA256((const unsigned char *) "a.b.c", 5, hash);
    TEAMS_EXPECT_MEM_EQ(e->hash, hash, 32);

    TEAMS_EXPECT(teams_token_cache_get(cache, "a.b.d", 5, NOW) == NULL);
    TEAMS_EXPECT(teams_token_cache_get(cache, "a.b.c", 4, NOW) == NULL);

    /* past exp: a miss, and gone */
    TEAMS_EXPECT(teams_token_cache_get(cache, "a.b.c", 5, NOW + 61) == NULL);
    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 0);
    TEAMS_EXPECT(teams_token_cache_get(cache, "a.b.c", 5, NOW) == NULL);

    /* already expired or without exp: not stored */
    TEAMS_EXPECT_INT_EQ(teams_token_cache_put(cache, "x", 1, &c, "k1",
                                              NOW + 61), -1);
    c.has_exp = 0;
    TEAMS_EXPECT_INT_EQ(teams_token_cache_put(cache, "x", 1, &c, "k1", NOW),
                        -1);
    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 0);

    /* putting the same token twice keeps one entry */
    cache_claims(&c, NOW + 60, "user-2");
    TEAMS_EXPECT_INT_EQ(teams_token_cache_put(cache, "t", 1, &c, "k1", NOW),
                        0);
    TEAMS_EXPECT_INT_EQ(teams_token_cache_put(cache, "t", 1, &c, "k2", NOW),
                        0);
    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 1);
    e = teams_token_cache_get(cache, "t", 1, NOW);
    TEAMS_EXPECT(e != NULL && strcmp(e->kid, "k2") == 0);

    teams_token_cache_destroy(cache);
}


TEAMS_TEST(cache_eviction_bound)
{
    int                   i;
    char                  tok[32];
    teams_claims_t        c;
    teams_token_cache_t  *cache;

    TEAMS_EXPECT(teams_token_cache_create(0) == NULL);

    cache = teams_token_cache_create(4);
    TEAMS_ASSERT_NOT_NULL(cache);

    cache_claims(&c, NOW + 3600, "u");

    for (i = 0; i < 4; i++) {
        snprintf(tok, sizeof(tok), "token-%d", i);
        TEAMS_ASSERT_INT_EQ(teams_token_cache_put(cache, tok, strlen(tok),
                                                  &c, "k", NOW), 0);
    }

    /* token-0 used recently, so token-1 is the one to go */
    TEAMS_EXPECT(teams_token_cache_get(cache, "token-0", 7, NOW) != NULL);
    TEAMS_ASSERT_INT_EQ(teams_token_cache_put(cache, "token-4", 7, &c, "k",
                                              NOW), 0);
    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 4);
    TEAMS_EXPECT(teams_token_cache_get(cache, "token-1", 7, NOW) == NULL);
    TEAMS_EXPECT(teams_token_cache_get(cache, "token-0", 7, NOW) != NULL);
    TEAMS_EXPECT(teams_token_cache_get(cache, "token-4", 7, NOW) != NULL);

    for (i = 5; i < 1000; i++) {
        snprintf(tok, sizeof(tok), "token-%d", i);
        TEAMS_ASSERT_INT_EQ(teams_token_cache_put(cache, tok, strlen(tok),
                                                  &c, "k", NOW), 0);
        TEAMS_ASSERT_INT_EQ(teams_token_cache_count(cache), 4);
    }

    for (i = 996; i < 1000; i++) {
        snprintf(tok, sizeof(tok), "token-%d", i);
        TEAMS_EXPECT(teams_token_cache_get(cache, tok, strlen(tok), NOW)
                     != NULL);
    }

    TEAMS_EXPECT(teams_token_cache_get(cache, "token-995", 9, NOW) == NULL);

    teams_token_cache_destroy(cache);
}


TEAMS_TEST(cache_invalidate_all)
{
    int                   i;
    char                  tok[32];
    teams_claims_t        c;
    teams_token_cache_t  *cache;

    cache = teams_token_cache_create(64);
    TEAMS_ASSERT_NOT_NULL(cache);

    cache_claims(&c, NOW + 3600, "u");

    for (i = 0; i < 50; i++) {
        snprintf(tok, sizeof(tok), "token-%d", i);
        TEAMS_ASSERT_INT_EQ(teams_token_cache_put(cache, tok, strlen(tok),
                                                  &c, "k", NOW), 0);
    }

    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 50);

    teams_token_cache_invalidate_all(cache);

    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 0);
    TEAMS_EXPECT(teams_token_cache_get(cache, "token-7", 7, NOW) == NULL);

    /* usable again afterwards, to full capacity */
    for (i = 0; i < 100; i++) {
        snprintf(tok, sizeof(tok), "again-%d", i);
        TEAMS_ASSERT_INT_EQ(teams_token_cache_put(cache, tok, strlen(tok),
                                                  &c, "k", NOW), 0);
    }

    TEAMS_EXPECT_INT_EQ(teams_token_cache_count(cache), 64);
    TEAMS_EXPECT(teams_token_cache_get(cache, "again-99", 8, NOW) != NULL);

    teams_token_cache_destroy(cache);
}
