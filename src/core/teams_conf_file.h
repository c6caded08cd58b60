
/*
 * teams_conf_file: a reader for "key = value" configuration files.
 *
 * Syntax: one setting per line; blank lines and lines whose first non-blank
 * character is '#' are ignored; the key is everything before the first '='
 * and the value everything after it, both trimmed of blanks.  A '#' after
 * the value is part of the value (connection strings and paths may hold
 * one).  A value may be wrapped in double quotes to keep outer blanks.
 */


#ifndef _TEAMS_CONF_FILE_H_INCLUDED_
#define _TEAMS_CONF_FILE_H_INCLUDED_


#include <stddef.h>


#define TEAMS_CONF_FILE_MAX_SIZE  (1024 * 1024)


/*
 * Called once per setting with NUL-terminated key and value.  Returns 0 to
 * continue, or -1 after writing a message (without the "file:line: "
 * prefix, which the reader adds) into err.
 */
typedef int (*teams_conf_file_handler_pt)(void *data, const char *key,
    const char *value, char *err, size_t errlen);


int teams_conf_file_parse(const char *name, const char *buf, size_t len,
    teams_conf_file_handler_pt handler, void *data, char *err, size_t errlen);
int teams_conf_file_read(const char *path, teams_conf_file_handler_pt handler,
    void *data, char *err, size_t errlen);


#endif /* _TEAMS_CONF_FILE_H_INCLUDED_ */
