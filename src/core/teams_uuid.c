
/*
 * UUID shape checks (see teams_uuid.h).
 */


#include <ctype.h>

#include "core/teams_uuid.h"


int
teams_is_uuid(const char *s, size_t len)
{
    size_t  i;

    if (s == NULL || len != TEAMS_UUID_LEN) {
        return 0;
    }

    for (i = 0; i < TEAMS_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }

        } else if (!isxdigit((unsigned char) s[i])) {
            return 0;
        }
    }

    return 1;
}
