
/*
 * teams_conf_file: a reader for "key = value" configuration files.
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_conf_file.h"


static int teams_conf_file_line(const char *name, unsigned line, char *p,
    char *end, teams_conf_file_handler_pt handler, void *data, char *err,
    size_t errlen);
static int teams_conf_file_blank(int c);


int
teams_conf_file_parse(const char *name, const char *buf, size_t len,
    teams_conf_file_handler_pt handler, void *data, char *err, size_t errlen)
{
    int        rc;
    char      *copy, *p, *end, *eol;
    unsigned   line;

    copy = malloc(len + 1);
    if (copy == NULL) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }

    memcpy(copy, buf, len);
    copy[len] = '\0';

    p = copy;
    end = copy + len;
    line = 0;
    rc = 0;

    while (p < end) {
        line++;

        eol = memchr(p, '\n', end - p);
        if (eol == NULL) {
            eol = end;
        }

        *eol = '\0';

        rc = teams_conf_file_line(name, line, p, eol, handler, data, err,
                                  errlen);
        if (rc != 0) {
            break;
        }

        p = eol + 1;
    }

    free(copy);

    return rc;
}


int
teams_conf_file_read(const char *path, teams_conf_file_handler_pt handler,
    void *data, char *err, size_t errlen)
{
    int     rc;
    char   *buf;
    FILE   *f;
    size_t  n;

    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read config file \"%s\": %s", path,
                 strerror(errno));
        return -1;
    }

    buf = malloc(TEAMS_CONF_FILE_MAX_SIZE + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }

    n = fread(buf, 1, TEAMS_CONF_FILE_MAX_SIZE + 1, f);

    if (ferror(f)) {
        snprintf(err, errlen, "cannot read config file \"%s\": %s", path,
                 strerror(errno));
        free(buf);
        fclose(f);
        return -1;
    }

    fclose(f);

    if (n > TEAMS_CONF_FILE_MAX_SIZE) {
        snprintf(err, errlen, "config file \"%s\" is larger than %d bytes",
                 path, TEAMS_CONF_FILE_MAX_SIZE);
        free(buf);
        return -1;
    }

    if (memchr(buf, '\0', n) != NULL) {
        snprintf(err, errlen, "config file \"%s\" is not a text file", path);
        free(buf);
        return -1;
    }

    rc = teams_conf_file_parse(path, buf, n, handler, data, err, errlen);

    free(buf);

    return rc;
}


static int
teams_conf_file_line(const char *name, unsigned line, char *p, char *end,
    teams_conf_file_handler_pt handler, void *data, char *err, size_t errlen)
{
    int     rc;
    char   *key, *key_end, *value, *eq;
    char    msg[512];
    size_t  vlen;

    while (p < end && teams_conf_file_blank(*p)) {
        p++;
    }

    while (end > p && teams_conf_file_blank(end[-1])) {
        end--;
    }

    *end = '\0';

    if (p == end || *p == '#') {
        return 0;
    }

    eq = strchr(p, '=');
    if (eq == NULL) {
        snprintf(err, errlen, "%s:%u: expected \"key = value\"", name, line);
        return -1;
    }

    key = p;
    key_end = eq;

    while (key_end > key && teams_conf_file_blank(key_end[-1])) {
        key_end--;
    }

    if (key_end == key) {
        snprintf(err, errlen, "%s:%u: missing setting name before \"=\"",
                 name, line);
        return -1;
    }

    *key_end = '\0';

    value = eq + 1;

    while (value < end && teams_conf_file_blank(*value)) {
        value++;
    }

    vlen = end - value;

    if (vlen > 0 && value[0] == '"') {
        if (vlen < 2 || value[vlen - 1] != '"') {
            snprintf(err, errlen, "%s:%u: unterminated quoted value for "
                     "\"%s\"", name, line, key);
            return -1;
        }

        value[vlen - 1] = '\0';
        value++;
    }

    msg[0] = '\0';

    rc = handler(data, key, value, msg, sizeof(msg));
    if (rc != 0) {
        snprintf(err, errlen, "%s:%u: %s", name, line,
                 msg[0] ? msg : "invalid setting");
        return -1;
    }

    return 0;
}


static int
teams_conf_file_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r';
}
