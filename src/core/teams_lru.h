
/*
 * A bounded cache of short string keys to fixed-size values, each with its
 * own expiry, evicting the least recently used entry when full.  One per
 * nginx worker process: no locks.
 */


#ifndef _TEAMS_LRU_H_INCLUDED_
#define _TEAMS_LRU_H_INCLUDED_


#include <stddef.h>
#include <time.h>


#define TEAMS_LRU_KEY_MAX  512


typedef struct teams_lru_s  teams_lru_t;


teams_lru_t *teams_lru_create(size_t capacity, size_t value_size);
void teams_lru_destroy(teams_lru_t *lru);

/* the value stored under key, or NULL when absent or expired (removed) */
void *teams_lru_get(teams_lru_t *lru, const char *key, size_t len,
    time_t now);

/*
 * The value slot for key (new, or the existing one), to be filled by the
 * caller, valid until the next put; NULL when the key is too long.
 */
void *teams_lru_put(teams_lru_t *lru, const char *key, size_t len,
    time_t expires);

void teams_lru_clear(teams_lru_t *lru);
size_t teams_lru_count(const teams_lru_t *lru);


#endif /* _TEAMS_LRU_H_INCLUDED_ */
