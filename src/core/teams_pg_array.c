
/*
 * PostgreSQL array literals: {"a","b \"c\""}.
 */


#include <string.h>

#include "core/teams_pg_array.h"


size_t
teams_pg_array_size(const char *const *items, size_t n)
{
    size_t       i, size;
    const char  *p;

    size = sizeof("{}");

    for (i = 0; i < n; i++) {
        size += sizeof("\"\",") - 1;

        for (p = items[i]; *p; p++) {
            size += (*p == '"' || *p == '\\') ? 2 : 1;
        }
    }

    return size;
}


char *
teams_pg_array(char *out, const char *const *items, size_t n)
{
    char        *o;
    size_t       i;
    const char  *p;

    o = out;
    *o++ = '{';

    for (i = 0; i < n; i++) {
        if (i) {
            *o++ = ',';
        }

        *o++ = '"';

        for (p = items[i]; *p; p++) {
            if (*p == '"' || *p == '\\') {
                *o++ = '\\';
            }

            *o++ = *p;
        }

        *o++ = '"';
    }

    *o++ = '}';
    *o = '\0';

    return out;
}
