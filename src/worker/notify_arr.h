
/*
 * PostgreSQL array literals ("{"a","b",NULL}") built as text parameters,
 * so that one parameterized statement with unnest() writes a whole batch:
 * every element is double-quoted with backslash escapes, NULL is bare.
 */


#ifndef _TEAMS_WORKER_NOTIFY_ARR_H_INCLUDED_
#define _TEAMS_WORKER_NOTIFY_ARR_H_INCLUDED_


#include <stddef.h>


typedef struct {
    char     *buf;
    size_t    len;
    size_t    cap;
    unsigned  n;
    unsigned  failed:1;
} teams_pgarr_t;


void teams_pgarr_init(teams_pgarr_t *a);
void teams_pgarr_add(teams_pgarr_t *a, const char *s);    /* NULL: NULL */
void teams_pgarr_addn(teams_pgarr_t *a, const char *s, size_t len);
void teams_pgarr_addl(teams_pgarr_t *a, long long v);
/* the literal, NUL-terminated; NULL when out of memory */
const char *teams_pgarr_text(teams_pgarr_t *a);
void teams_pgarr_free(teams_pgarr_t *a);


#endif /* _TEAMS_WORKER_NOTIFY_ARR_H_INCLUDED_ */
