
/*
 * Token cache: a fixed array of entries, a chained hash table over them
 * (indexes, not pointers) and a least-recently-used list, all O(1).  Only
 * verified tokens are put, so an attacker cannot fill buckets at will.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "jwt/teams_token_cache.h"


#define TEAMS_TOKEN_CACHE_NIL  UINT32_MAX


struct teams_token_cache_s {
    teams_token_cache_entry_t  *entries;
    uint32_t                   *buckets;
    uint32_t                    mask;
    uint32_t                    capacity;
    uint32_t                    count;
    uint32_t                    lru_head;
    uint32_t                    lru_tail;
    uint32_t                    free_head;
};


static uint32_t teams_token_cache_bucket(const teams_token_cache_t *cache,
    const unsigned char *hash);
static uint32_t teams_token_cache_find(const teams_token_cache_t *cache,
    const unsigned char *hash);
static void teams_token_cache_remove(teams_token_cache_t *cache,
    uint32_t i);
static void teams_token_cache_lru_unlink(teams_token_cache_t *cache,
    uint32_t i);
static void teams_token_cache_lru_push(teams_token_cache_t *cache,
    uint32_t i);
static void teams_token_cache_reset(teams_token_cache_t *cache);


teams_token_cache_t *
teams_token_cache_create(size_t capacity)
{
    size_t                nbuckets;
    teams_token_cache_t  *cache;

    if (capacity == 0 || capacity > TEAMS_TOKEN_CACHE_MAX) {
        return NULL;
    }

    /* twice as many buckets as entries keeps chains short */
    for (nbuckets = 1; nbuckets < capacity * 2; nbuckets <<= 1) {
        /* void */
    }

    cache = calloc(1, sizeof(teams_token_cache_t));
    if (cache == NULL) {
        return NULL;
    }

    cache->entries = calloc(capacity, sizeof(teams_token_cache_entry_t));
    cache->buckets = malloc(nbuckets * sizeof(uint32_t));

    if (cache->entries == NULL || cache->buckets == NULL) {
        free(cache->entries);
        free(cache->buckets);
        free(cache);
        return NULL;
    }

    cache->capacity = (uint32_t) capacity;
    cache->mask = (uint32_t) (nbuckets - 1);

    teams_token_cache_reset(cache);

    return cache;
}


void
teams_token_cache_destroy(teams_token_cache_t *cache)
{
    if (cache == NULL) {
        return;
    }

    teams_token_cache_invalidate_all(cache);

    free(cache->entries);
    free(cache->buckets);
    free(cache);
}


const teams_token_cache_entry_t *
teams_token_cache_get(teams_token_cache_t *cache, const char *token,
    size_t len, time_t now)
{
    uint32_t       i;
    unsigned char  hash[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *) token, len, hash);

    i = teams_token_cache_find(cache, hash);

    if (i == TEAMS_TOKEN_CACHE_NIL) {
        return NULL;
    }

    if (now > cache->entries[i].exp) {
        teams_token_cache_remove(cache, i);
        return NULL;
    }

    teams_token_cache_lru_unlink(cache, i);
    teams_token_cache_lru_push(cache, i);

    return &cache->entries[i];
}


int
teams_token_cache_put(teams_token_cache_t *cache, const char *token,
    size_t len, const teams_claims_t *claims, const char *kid, time_t now)
{
    time_t                      exp;
    uint32_t                    i, b;
    unsigned char               hash[SHA256_DIGEST_LENGTH];
    teams_token_cache_entry_t  *e;

    if (!claims->has_exp || claims->exp < (double) now) {
        return -1;
    }

    exp = (time_t) claims->exp;

    SHA256((const unsigned char *) token, len, hash);

    i = teams_token_cache_find(cache, hash);

    if (i != TEAMS_TOKEN_CACHE_NIL) {
        teams_token_cache_remove(cache, i);
    }

    if (cache->free_head == TEAMS_TOKEN_CACHE_NIL) {
        teams_token_cache_remove(cache, cache->lru_tail);
    }

    i = cache->free_head;
    e = &cache->entries[i];

    if (teams_claims_copy(&e->claims, claims) != 0) {
        return -1;
    }

    e->kid = strdup(kid != NULL ? kid : "");

    if (e->kid == NULL) {
        teams_claims_free(&e->claims);
        return -1;
    }

    cache->free_head = e->bucket_next;

    memcpy(e->hash, hash, sizeof(hash));
    e->exp = exp;
    e->used = 1;

    b = teams_token_cache_bucket(cache, hash);
    e->bucket_next = cache->buckets[b];
    cache->buckets[b] = i;

    teams_token_cache_lru_push(cache, i);
    cache->count++;

    return 0;
}


void
teams_token_cache_invalidate_all(teams_token_cache_t *cache)
{
    uint32_t  i;

    for (i = 0; i < cache->capacity; i++) {
        if (cache->entries[i].used) {
            teams_claims_free(&cache->entries[i].claims);
            free(cache->entries[i].kid);
        }
    }

    teams_token_cache_reset(cache);
}


size_t
teams_token_cache_count(const teams_token_cache_t *cache)
{
    return cache->count;
}


static uint32_t
teams_token_cache_bucket(const teams_token_cache_t *cache,
    const unsigned char *hash)
{
    uint32_t  h;

    h = (uint32_t) hash[0] << 24 | (uint32_t) hash[1] << 16
        | (uint32_t) hash[2] << 8 | hash[3];

    return h & cache->mask;
}


static uint32_t
teams_token_cache_find(const teams_token_cache_t *cache,
    const unsigned char *hash)
{
    uint32_t  i;

    for (i = cache->buckets[teams_token_cache_bucket(cache, hash)];
         i != TEAMS_TOKEN_CACHE_NIL;
         i = cache->entries[i].bucket_next)
    {
        if (CRYPTO_memcmp(cache->entries[i].hash, hash,
                          SHA256_DIGEST_LENGTH) == 0)
        {
            return i;
        }
    }

    return TEAMS_TOKEN_CACHE_NIL;
}


static void
teams_token_cache_remove(teams_token_cache_t *cache, uint32_t i)
{
    uint32_t                   *p;
    teams_token_cache_entry_t  *e;

    e = &cache->entries[i];

    for (p = &cache->buckets[teams_token_cache_bucket(cache, e->hash)];
         *p != TEAMS_TOKEN_CACHE_NIL;
         p = &cache->entries[*p].bucket_next)
    {
        if (*p == i) {
            *p = e->bucket_next;
            break;
        }
    }

    teams_token_cache_lru_unlink(cache, i);

    teams_claims_free(&e->claims);
    free(e->kid);
    memset(e, 0, sizeof(teams_token_cache_entry_t));

    e->bucket_next = cache->free_head;
    cache->free_head = i;
    cache->count--;
}


static void
teams_token_cache_lru_unlink(teams_token_cache_t *cache, uint32_t i)
{
    teams_token_cache_entry_t  *e;

    e = &cache->entries[i];

    if (e->lru_prev != TEAMS_TOKEN_CACHE_NIL) {
        cache->entries[e->lru_prev].lru_next = e->lru_next;

    } else {
        cache->lru_head = e->lru_next;
    }

    if (e->lru_next != TEAMS_TOKEN_CACHE_NIL) {
        cache->entries[e->lru_next].lru_prev = e->lru_prev;

    } else {
        cache->lru_tail = e->lru_prev;
    }

    e->lru_prev = TEAMS_TOKEN_CACHE_NIL;
    e->lru_next = TEAMS_TOKEN_CACHE_NIL;
}


static void
teams_token_cache_lru_push(teams_token_cache_t *cache, uint32_t i)
{
    teams_token_cache_entry_t  *e;

    e = &cache->entries[i];

    e->lru_prev = TEAMS_TOKEN_CACHE_NIL;
    e->lru_next = cache->lru_head;

    if (cache->lru_head != TEAMS_TOKEN_CACHE_NIL) {
        cache->entries[cache->lru_head].lru_prev = i;

    } else {
        cache->lru_tail = i;
    }

    cache->lru_head = i;
}


/* every entry free, chained through bucket_next */

static void
teams_token_cache_reset(teams_token_cache_t *cache)
{
    uint32_t  i;

    memset(cache->entries, 0,
           cache->capacity * sizeof(teams_token_cache_entry_t));

    for (i = 0; i <= cache->mask; i++) {
        cache->buckets[i] = TEAMS_TOKEN_CACHE_NIL;
    }

    for (i = 0; i < cache->capacity; i++) {
        cache->entries[i].bucket_next = (i + 1 < cache->capacity)
                                        ? i + 1 : TEAMS_TOKEN_CACHE_NIL;
        cache->entries[i].lru_prev = TEAMS_TOKEN_CACHE_NIL;
        cache->entries[i].lru_next = TEAMS_TOKEN_CACHE_NIL;
    }

    cache->free_head = 0;
    cache->lru_head = TEAMS_TOKEN_CACHE_NIL;
    cache->lru_tail = TEAMS_TOKEN_CACHE_NIL;
    cache->count = 0;
}
