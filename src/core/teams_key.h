
/*
 * Parts of idempotency keys that come from clients: a card's nonce, an
 * activity id.  A key must stay short enough for a btree entry and for the
 * worker's fixed buffers, and still tell any two different inputs apart, so
 * a part longer than TEAMS_KEY_PART_MAX is replaced by its SHA-256 in hex.
 */


#ifndef _TEAMS_KEY_H_INCLUDED_
#define _TEAMS_KEY_H_INCLUDED_


#include <stddef.h>


#define TEAMS_KEY_PART_MAX  64


/* out has TEAMS_KEY_PART_MAX + 1 bytes; returns out, or NULL on failure */
char *teams_key_part(char *out, const char *s, size_t len);


#endif /* _TEAMS_KEY_H_INCLUDED_ */
