
/*
 * PostgreSQL array literals (see notify_arr.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker/notify_arr.h"


static int teams_pgarr_put(teams_pgarr_t *a, const char *s, size_t len);


void
teams_pgarr_init(teams_pgarr_t *a)
{
    memset(a, 0, sizeof(teams_pgarr_t));
}


void
teams_pgarr_add(teams_pgarr_t *a, const char *s)
{
    if (s == NULL) {
        (void) teams_pgarr_put(a, a->n ? ",NULL" : "NULL", a->n ? 5 : 4);
        a->n++;
        return;
    }

    teams_pgarr_addn(a, s, strlen(s));
}


void
teams_pgarr_addn(teams_pgarr_t *a, const char *s, size_t len)
{
    size_t  i, start;

    if (a->n && teams_pgarr_put(a, ",", 1) != 0) {
        return;
    }

    a->n++;

    if (teams_pgarr_put(a, "\"", 1) != 0) {
        return;
    }

    start = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            if (teams_pgarr_put(a, s + start, i - start) != 0
                || teams_pgarr_put(a, "\\", 1) != 0)
            {
                return;
            }

            start = i;
        }
    }

    if (teams_pgarr_put(a, s + start, len - start) != 0) {
        return;
    }

    (void) teams_pgarr_put(a, "\"", 1);
}


void
teams_pgarr_addl(teams_pgarr_t *a, long long v)
{
    char  num[32];

    snprintf(num, sizeof(num), "%lld", v);
    teams_pgarr_add(a, num);
}


const char *
teams_pgarr_text(teams_pgarr_t *a)
{
    char  *p;

    if (a->failed) {
        return NULL;
    }

    p = malloc(a->len + 3);
    if (p == NULL) {
        return NULL;
    }

    p[0] = '{';
    if (a->len) {
        memcpy(p + 1, a->buf, a->len);
    }
    p[a->len + 1] = '}';
    p[a->len + 2] = '\0';

    free(a->buf);
    a->buf = p;
    a->len += 2;
    a->cap = a->len + 1;
    a->failed = 1;   /* the literal is final: no more elements */

    return p;
}


void
teams_pgarr_free(teams_pgarr_t *a)
{
    free(a->buf);
    memset(a, 0, sizeof(teams_pgarr_t));
}


static int
teams_pgarr_put(teams_pgarr_t *a, const char *s, size_t len)
{
    char    *p;
    size_t   cap;

    if (a->failed) {
        return -1;
    }

    if (a->len + len + 1 > a->cap) {
        cap = a->cap ? a->cap * 2 : 256;

        while (cap < a->len + len + 1) {
            cap *= 2;
        }

        p = realloc(a->buf, cap);
        if (p == NULL) {
            a->failed = 1;
            return -1;
        }

        a->buf = p;
        a->cap = cap;
    }

    memcpy(a->buf + a->len, s, len);
    a->len += len;
    a->buf[a->len] = '\0';

    return 0;
}
