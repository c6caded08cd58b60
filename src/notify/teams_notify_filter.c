
/*
 * Checks of the delivery filters (see teams_notify_filter.h).
 */


#include <ctype.h>
#include <string.h>

#include "core/teams_uuid.h"
#include "notify/teams_notify_filter.h"


static int teams_notify_digits(const char *s, size_t n, int *v);


const char *const  teams_notify_statuses[] = {
    "skipped", "sent", "delivered", "failed", NULL
};


int
teams_notify_rfc3339(const char *s, size_t len)
{
    int      y, mo, d, h, mi, sec, oh, om, mdays;
    size_t   i;
    static const int  days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                 30, 31 };

    /* 2024-05-01T10:20:30Z: 20 characters at least */
    if (len < 20 || len > 35) {
        return 0;
    }

    if (!teams_notify_digits(s, 4, &y) || s[4] != '-'
        || !teams_notify_digits(s + 5, 2, &mo) || s[7] != '-'
        || !teams_notify_digits(s + 8, 2, &d)
        || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        || !teams_notify_digits(s + 11, 2, &h) || s[13] != ':'
        || !teams_notify_digits(s + 14, 2, &mi) || s[16] != ':'
        || !teams_notify_digits(s + 17, 2, &sec))
    {
        return 0;
    }

    if (y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) {
        return 0;
    }

    mdays = days[mo - 1];

    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        mdays = 29;
    }

    if (d < 1 || d > mdays) {
        return 0;
    }

    i = 19;

    if (s[i] == '.') {
        i++;

        while (i < len && i < 26 && isdigit((unsigned char) s[i])) {
            i++;
        }

        if (i == 20 || (i < len && isdigit((unsigned char) s[i]))) {
            /* no digit, or more than 6 */
            return 0;
        }
    }

    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        return i + 1 == len;
    }

    if (i + 6 != len || (s[i] != '+' && s[i] != '-')
        || !teams_notify_digits(s + i + 1, 2, &oh) || s[i + 3] != ':'
        || !teams_notify_digits(s + i + 4, 2, &om)
        || oh > 23 || om > 59)
    {
        return 0;
    }

    return 1;
}


int
teams_notify_cursor_parse(const char *s, size_t len, char *us, char *id)
{
    size_t  i, n;

    for (n = 0; n < len && isdigit((unsigned char) s[n]); n++) {
        /* void */
    }

    if (n == 0 || n > 18 || n + 1 + 36 != len || s[n] != '_') {
        return -1;
    }

    memcpy(us, s, n);
    us[n] = '\0';

    s += n + 1;

    if (!teams_is_uuid(s, TEAMS_UUID_LEN)) {
        return -1;
    }

    for (i = 0; i < TEAMS_UUID_LEN; i++) {
        id[i] = (char) tolower((unsigned char) s[i]);
    }

    id[36] = '\0';

    return 0;
}


int
teams_notify_page_size(const char *s, size_t len)
{
    int  v;

    if (len == 0 || len > 3 || !teams_notify_digits(s, len, &v)
        || v < 1 || v > TEAMS_NOTIFY_PAGE_MAX)
    {
        return -1;
    }

    return v;
}


static int
teams_notify_digits(const char *s, size_t n, int *v)
{
    size_t  i;

    *v = 0;

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i])) {
            return 0;
        }

        *v = *v * 10 + (s[i] - '0');
    }

    return 1;
}
