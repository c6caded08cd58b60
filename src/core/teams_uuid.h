
/*
 * UUIDs as the PSA and Microsoft write them: 36 characters, hex digits
 * with dashes at 8, 13, 18 and 23, either case.
 */


#ifndef _TEAMS_UUID_H_INCLUDED_
#define _TEAMS_UUID_H_INCLUDED_


#include <stddef.h>


#define TEAMS_UUID_LEN  36


/* 1 when s[0..len) is a UUID; s may be NULL */
int teams_is_uuid(const char *s, size_t len);


#endif /* _TEAMS_UUID_H_INCLUDED_ */
