
/*
 * A per-process cache of verified tokens, so that a token presented again
 * costs a SHA-256 and a table lookup instead of JSON parsing and RSA.  It
 * stores the token's SHA-256, never the token.
 */


#ifndef _TEAMS_TOKEN_CACHE_H_INCLUDED_
#define _TEAMS_TOKEN_CACHE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "jwt/teams_claims.h"


#define TEAMS_TOKEN_CACHE_DEFAULT  4096
#define TEAMS_TOKEN_CACHE_MAX      (1024 * 1024)


typedef struct teams_token_cache_s  teams_token_cache_t;

typedef struct {
    unsigned char     hash[32];
    time_t            exp;
    char             *kid;
    teams_claims_t    claims;

    uint32_t          bucket_next;
    uint32_t          lru_prev;
    uint32_t          lru_next;
    unsigned          used:1;
} teams_token_cache_entry_t;


/* A cache of at most capacity tokens (1..TEAMS_TOKEN_CACHE_MAX). */
teams_token_cache_t *teams_token_cache_create(size_t capacity);

void teams_token_cache_destroy(teams_token_cache_t *cache);

/*
 * The entry of a token verified before, or NULL.  An entry whose "exp"
 * has passed is removed and reported as a miss (the full verification,
 * with its clock skew, then decides).  The entry is valid until the next
 * put, invalidate or destroy.
 */
const teams_token_cache_entry_t *teams_token_cache_get(
    teams_token_cache_t *cache, const char *token, size_t len, time_t now);

/*
 * Remembers a verified token until its "exp", evicting the least recently
 * used entry when full.  Returns 0, or -1 if the token is already past
 * "exp", has none, or memory ran out.
 */
int teams_token_cache_put(teams_token_cache_t *cache, const char *token,
    size_t len, const teams_claims_t *claims, const char *kid, time_t now);

/* Forgets every entry, e.g. when the key set changes. */
void teams_token_cache_invalidate_all(teams_token_cache_t *cache);

size_t teams_token_cache_count(const teams_token_cache_t *cache);


#endif /* _TEAMS_TOKEN_CACHE_H_INCLUDED_ */
