
/*
 * teams-worker logging.
 */


#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "worker/log.h"


#define TEAMS_LOG_LINE_MAX  2048


static teams_log_level_e  teams_log_level = TEAMS_LOG_INFO;

static const char  *teams_log_names[] = {
    "error", "warn", "info", "debug"
};


void
teams_log_set_level(teams_log_level_e level)
{
    teams_log_level = level;
}


int
teams_log_enabled(teams_log_level_e level)
{
    return level <= teams_log_level;
}


void
teams_log(teams_log_level_e level, const char *fmt, ...)
{
    char     msg[TEAMS_LOG_LINE_MAX];
    char     line[TEAMS_LOG_LINE_MAX + 64];
    size_t   n;
    ssize_t  w;
    va_list  args;

    if (level > teams_log_level) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);

    n = teams_log_format(line, sizeof(line) - 1, time(NULL), (long) getpid(),
                         level, msg);
    line[n++] = '\n';

    /* one write(2) per line, so lines from a restart never interleave */
    w = write(STDERR_FILENO, line, n);
    (void) w;
}


size_t
teams_log_format(char *buf, size_t size, time_t now, long pid,
    teams_log_level_e level, const char *msg)
{
    int         n;
    char        ts[32];
    size_t      len, i;
    struct tm   tm;

    if (size == 0) {
        return 0;
    }

    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);

    n = snprintf(buf, size, "%s teams-worker[%ld] %s: %s", ts, pid,
                 teams_log_level_name(level), msg);
    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }

    len = ((size_t) n < size) ? (size_t) n : size - 1;

    /* one event, one line: control characters from peers become '?' */
    for (i = 0; i < len; i++) {
        if ((unsigned char) buf[i] < 0x20 || buf[i] == 0x7f) {
            buf[i] = '?';
        }
    }

    return len;
}


int
teams_log_level_parse(const char *s, teams_log_level_e *level)
{
    int  i;

    for (i = 0; i < (int) (sizeof(teams_log_names) / sizeof(char *)); i++) {
        if (strcasecmp(s, teams_log_names[i]) == 0) {
            *level = (teams_log_level_e) i;
            return 0;
        }
    }

    return -1;
}


const char *
teams_log_level_name(teams_log_level_e level)
{
    if ((unsigned) level >= sizeof(teams_log_names) / sizeof(char *)) {
        return "unknown";
    }

    return teams_log_names[level];
}
