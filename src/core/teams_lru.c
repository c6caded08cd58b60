
/*
 * LRU cache: entries in one array, chained from a power-of-two bucket table
 * by index, and kept on a doubly linked recency list by index, so a lookup
 * is a hash, a short chain and two relinks; nothing is allocated after
 * creation.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_lru.h"


#define TEAMS_LRU_NONE  UINT32_MAX


typedef struct {
    uint32_t        next;        /* bucket chain */
    uint32_t        prev_lru;
    uint32_t        next_lru;
    uint32_t        hash;
    time_t          expires;
    size_t          len;
    unsigned        used:1;
    char            key[TEAMS_LRU_KEY_MAX];
} teams_lru_entry_t;


struct teams_lru_s {
    teams_lru_entry_t  *entries;
    unsigned char      *values;
    uint32_t           *buckets;
    size_t              capacity;
    size_t              value_size;
    size_t              nbuckets;
    size_t              count;
    uint32_t            head;        /* most recently used */
    uint32_t            tail;
    uint32_t            free_head;   /* entries removed, chained by next */
    uint32_t            free_next;   /* entries never used yet */
};


static uint32_t teams_lru_hash(const char *key, size_t len);
static void teams_lru_unlink(teams_lru_t *lru, uint32_t i);
static void teams_lru_push_front(teams_lru_t *lru, uint32_t i);
static void teams_lru_remove(teams_lru_t *lru, uint32_t i);


teams_lru_t *
teams_lru_create(size_t capacity, size_t value_size)
{
    size_t        i;
    teams_lru_t  *lru;

    if (capacity == 0 || capacity >= TEAMS_LRU_NONE / 2) {
        return NULL;
    }

    lru = calloc(1, sizeof(teams_lru_t));
    if (lru == NULL) {
        return NULL;
    }

    lru->nbuckets = 1;
    while (lru->nbuckets < capacity * 2) {
        lru->nbuckets <<= 1;
    }

    lru->entries = calloc(capacity, sizeof(teams_lru_entry_t));
    lru->values = calloc(capacity, value_size ? value_size : 1);
    lru->buckets = malloc(lru->nbuckets * sizeof(uint32_t));

    if (lru->entries == NULL || lru->values == NULL || lru->buckets == NULL)
    {
        teams_lru_destroy(lru);
        return NULL;
    }

    lru->capacity = capacity;
    lru->value_size = value_size;

    for (i = 0; i < lru->nbuckets; i++) {
        lru->buckets[i] = TEAMS_LRU_NONE;
    }

    lru->head = TEAMS_LRU_NONE;
    lru->tail = TEAMS_LRU_NONE;
    lru->free_head = TEAMS_LRU_NONE;

    return lru;
}


void
teams_lru_destroy(teams_lru_t *lru)
{
    if (lru == NULL) {
        return;
    }

    free(lru->entries);
    free(lru->values);
    free(lru->buckets);
    free(lru);
}


void *
teams_lru_get(teams_lru_t *lru, const char *key, size_t len, time_t now)
{
    uint32_t            h, i;
    teams_lru_entry_t  *e;

    if (len > TEAMS_LRU_KEY_MAX) {
        return NULL;
    }

    h = teams_lru_hash(key, len);

    for (i = lru->buckets[h & (lru->nbuckets - 1)];
         i != TEAMS_LRU_NONE;
         i = e->next)
    {
        e = &lru->entries[i];

        if (e->hash != h || e->len != len || memcmp(e->key, key, len) != 0)
        {
            continue;
        }

        if (now > e->expires) {
            teams_lru_remove(lru, i);
            return NULL;
        }

        teams_lru_unlink(lru, i);
        teams_lru_push_front(lru, i);

        return lru->values + (size_t) i * lru->value_size;
    }

    return NULL;
}


void *
teams_lru_put(teams_lru_t *lru, const char *key, size_t len, time_t expires)
{
    uint32_t            h, i, *bucket;
    teams_lru_entry_t  *e;

    if (len > TEAMS_LRU_KEY_MAX) {
        return NULL;
    }

    h = teams_lru_hash(key, len);
    bucket = &lru->buckets[h & (lru->nbuckets - 1)];

    for (i = *bucket; i != TEAMS_LRU_NONE; i = e->next) {
        e = &lru->entries[i];

        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
            e->expires = expires;
            teams_lru_unlink(lru, i);
            teams_lru_push_front(lru, i);
            return lru->values + (size_t) i * lru->value_size;
        }
    }

    if (lru->free_head == TEAMS_LRU_NONE && lru->free_next == lru->capacity)
    {
        teams_lru_remove(lru, lru->tail);
    }

    if (lru->free_head != TEAMS_LRU_NONE) {
        i = lru->free_head;
        lru->free_head = lru->entries[i].next;

    } else {
        i = lru->free_next++;
    }

    e = &lru->entries[i];
    e->used = 1;
    e->hash = h;
    e->len = len;
    e->expires = expires;
    memcpy(e->key, key, len);

    /* the eviction above may have unchained the bucket's head */
    bucket = &lru->buckets[h & (lru->nbuckets - 1)];
    e->next = *bucket;
    *bucket = i;

    teams_lru_push_front(lru, i);
    lru->count++;

    memset(lru->values + (size_t) i * lru->value_size, 0, lru->value_size);

    return lru->values + (size_t) i * lru->value_size;
}


void
teams_lru_clear(teams_lru_t *lru)
{
    size_t  i;

    for (i = 0; i < lru->nbuckets; i++) {
        lru->buckets[i] = TEAMS_LRU_NONE;
    }

    for (i = 0; i < lru->capacity; i++) {
        lru->entries[i].used = 0;
    }

    lru->head = TEAMS_LRU_NONE;
    lru->tail = TEAMS_LRU_NONE;
    lru->free_head = TEAMS_LRU_NONE;
    lru->count = 0;
    lru->free_next = 0;
}


size_t
teams_lru_count(const teams_lru_t *lru)
{
    return lru->count;
}


static void
teams_lru_remove(teams_lru_t *lru, uint32_t i)
{
    uint32_t           *p;
    teams_lru_entry_t  *e;

    e = &lru->entries[i];

    for (p = &lru->buckets[e->hash & (lru->nbuckets - 1)];
         *p != TEAMS_LRU_NONE;
         p = &lru->entries[*p].next)
    {
        if (*p == i) {
            *p = e->next;
            break;
        }
    }

    teams_lru_unlink(lru, i);
    e->used = 0;
    e->next = lru->free_head;
    lru->free_head = i;
    lru->count--;
}


static void
teams_lru_unlink(teams_lru_t *lru, uint32_t i)
{
    teams_lru_entry_t  *e = &lru->entries[i];

    if (e->prev_lru != TEAMS_LRU_NONE) {
        lru->entries[e->prev_lru].next_lru = e->next_lru;

    } else if (lru->head == i) {
        lru->head = e->next_lru;
    }

    if (e->next_lru != TEAMS_LRU_NONE) {
        lru->entries[e->next_lru].prev_lru = e->prev_lru;

    } else if (lru->tail == i) {
        lru->tail = e->prev_lru;
    }

    e->prev_lru = TEAMS_LRU_NONE;
    e->next_lru = TEAMS_LRU_NONE;
}


static void
teams_lru_push_front(teams_lru_t *lru, uint32_t i)
{
    teams_lru_entry_t  *e = &lru->entries[i];

    e->prev_lru = TEAMS_LRU_NONE;
    e->next_lru = lru->head;

    if (lru->head != TEAMS_LRU_NONE) {
        lru->entries[lru->head].prev_lru = i;
    }

    lru->head = i;

    if (lru->tail == TEAMS_LRU_NONE) {
        lru->tail = i;
    }
}


static uint32_t
teams_lru_hash(const char *key, size_t len)
{
    size_t    i;
    uint32_t  h;

    /*
     * FNV-1a: keys are ids taken from tokens whose signature was checked,
     * so nobody can flood a bucket with chosen keys
     */
    h = 2166136261u;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char) key[i];
        h *= 16777619u;
    }

    return h;
}
