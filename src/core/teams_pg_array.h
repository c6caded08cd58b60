
/*
 * PostgreSQL array literals, for passing a list of strings as one text[]
 * parameter: every element double-quoted, with its quotes and
 * backslashes escaped, so no element can split or end the array.
 */


#ifndef _TEAMS_PG_ARRAY_H_INCLUDED_
#define _TEAMS_PG_ARRAY_H_INCLUDED_


#include <stddef.h>


/* room enough for the literal of the list, its NUL included */
size_t teams_pg_array_size(const char *const *items, size_t n);

/* writes the literal into out (teams_pg_array_size() bytes); returns out */
char *teams_pg_array(char *out, const char *const *items, size_t n);


#endif /* _TEAMS_PG_ARRAY_H_INCLUDED_ */
