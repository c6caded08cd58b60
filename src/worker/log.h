
/*
 * teams-worker logging: one line per event on stderr,
 * "2026-11-27T02:40:00Z teams-worker[pid] info: ...".
 * Never pass secrets (passwords, tokens, connection strings) to it.
 */


#ifndef _TEAMS_WORKER_LOG_H_INCLUDED_
#define _TEAMS_WORKER_LOG_H_INCLUDED_


#include <stddef.h>
#include <stdio.h>
#include <time.h>


typedef enum {
    TEAMS_LOG_ERROR = 0,
    TEAMS_LOG_WARN,
    TEAMS_LOG_INFO,
    TEAMS_LOG_DEBUG
} teams_log_level_e;


void teams_log_set_level(teams_log_level_e level);
int teams_log_enabled(teams_log_level_e level);
void teams_log(teams_log_level_e level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int teams_log_level_parse(const char *s, teams_log_level_e *level);
const char *teams_log_level_name(teams_log_level_e level);

/* formats one log line (without the newline) into buf; for tests */
size_t teams_log_format(char *buf, size_t size, time_t now, long pid,
    teams_log_level_e level, const char *msg);


#define teams_log_error(...)  teams_log(TEAMS_LOG_ERROR, __VA_ARGS__)
#define teams_log_warn(...)   teams_log(TEAMS_LOG_WARN, __VA_ARGS__)
#define teams_log_info(...)   teams_log(TEAMS_LOG_INFO, __VA_ARGS__)
#define teams_log_debug(...)                                                 \
    do {                                                                     \
        if (teams_log_enabled(TEAMS_LOG_DEBUG)) {                            \
            teams_log(TEAMS_LOG_DEBUG, __VA_ARGS__);                         \
        }                                                                    \
    } while (0)


#endif /* _TEAMS_WORKER_LOG_H_INCLUDED_ */
