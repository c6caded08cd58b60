
/*
 * URL and host checks.  Deliberately strict: these values decide where a
 * bot token may be sent, so anything unusual is refused rather than
 * interpreted.
 */


#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "core/teams_url.h"


static const char *teams_port_check(const char *p, const char *end);


int
teams_url_host(const char *url, size_t len, const char **host, size_t *hlen)
{
    const char  *p, *end, *start;

    end = url + len;

    if (len > 8 && strncasecmp(url, "https://", 8) == 0) {
        p = url + 8;

    } else if (len > 7 && strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;

    } else {
        return 0;
    }

    start = p;

    while (p < end && *p != '/' && *p != '?' && *p != '#') {
        p++;
    }

    if (p == start) {
        return 0;
    }

    *host = start;
    *hlen = p - start;

    return 1;
}


const char *
teams_url_check(const char *url, size_t len)
{
    size_t       hlen, i;
    const char  *host, *why;

    if (len == 0) {
        return "is empty";
    }

    if (len > 2048) {
        return "is longer than 2048 characters";
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) url[i] <= ' ' || url[i] == 0x7f) {
            return "contains white space or control characters";
        }

        if (url[i] == '#' || url[i] == '?') {
            return "must not have a query or fragment";
        }
    }

    if (!teams_url_host(url, len, &host, &hlen)) {
        return "must be an absolute http:// or https:// URL with a host";
    }

    if (memchr(host, '@', hlen) != NULL) {
        return "must not contain user information";
    }

    why = teams_host_check(host, hlen);
    if (why != NULL) {
        return why;
    }

    return NULL;
}


const char *
teams_host_check(const char *host, size_t len)
{
    const char  *p, *end, *close;

    p = host;
    end = host + len;

    if (len == 0) {
        return "has an empty host";
    }

    if (len > 255) {
        return "has a host longer than 255 characters";
    }

    if (*p == '[') {
        close = memchr(p, ']', len);
        if (close == NULL || close == p + 1) {
            return "has a malformed [IPv6] host";
        }

        for (p++; p < close; p++) {
            if (!isxdigit((unsigned char) *p) && *p != ':' && *p != '.') {
                return "has a malformed [IPv6] host";
            }
        }

        p = close + 1;

        if (p == end) {
            return NULL;
        }

        if (*p != ':') {
            return "has characters after the [IPv6] host";
        }

        return teams_port_check(p + 1, end);
    }

    if (len > 2 && p[0] == '*' && p[1] == '.') {
        p += 2;
    }

    if (p == end || *p == '.' || *p == '-' || *p == ':') {
        return "has a malformed host name";
    }

    for ( /* void */ ; p < end && *p != ':'; p++) {
        if (!isalnum((unsigned char) *p) && *p != '.' && *p != '-') {
            return "has a character not allowed in a host name";
        }

        if (*p == '.' && p + 1 < end && (p[1] == '.' || p[1] == ':')) {
            return "has a malformed host name";
        }
    }

    if (p < end) {
        return teams_port_check(p + 1, end);
    }

    return NULL;
}


static const char *
teams_port_check(const char *p, const char *end)
{
    long  port;

    if (p == end) {
        return "has an empty port";
    }

    port = 0;

    for ( /* void */ ; p < end; p++) {
        if (!isdigit((unsigned char) *p)) {
            return "has a port that is not a number";
        }

        port = port * 10 + (*p - '0');

        if (port > 65535) {
            return "has a port above 65535";
        }
    }

    if (port == 0) {
        return "has port 0";
    }

    return NULL;
}


int
teams_host_match(const char *pattern, size_t plen, const char *host,
    size_t hlen)
{
    size_t  suffix;

    if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
        suffix = plen - 1;   /* ".example.com" */

        return hlen > suffix
               && strncasecmp(host + hlen - suffix, pattern + 1, suffix) == 0;
    }

    return plen == hlen && strncasecmp(pattern, host, plen) == 0;
}


size_t
teams_percent_encode(char *dst, size_t size, const char *src, size_t len,
    const char *keep)
{
    size_t              i, n;
    unsigned char       c;
    static const char   hex[] = "0123456789ABCDEF";

    for (i = 0, n = 0; i < len; i++) {
        c = (unsigned char) src[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || (c != '\0' && strchr(keep, c)))
        {
            if (n + 1 >= size) {
                return (size_t) -1;
            }

            dst[n++] = (char) c;
            continue;
        }

        if (n + 3 >= size) {
            return (size_t) -1;
        }

        dst[n++] = '%';
        dst[n++] = hex[c >> 4];
        dst[n++] = hex[c & 0x0f];
    }

    if (n >= size) {
        return (size_t) -1;
    }

    dst[n] = '\0';

    return n;
}
