
/*
 * Checks of the URLs and host names an administrator configures.  Plain C,
 * shared by the nginx glue and the worker.
 */


#ifndef _TEAMS_URL_H_INCLUDED_
#define _TEAMS_URL_H_INCLUDED_


#include <stddef.h>


/*
 * An absolute http or https URL with a host and no query, fragment, user
 * info or white space.  Returns NULL if good, else why not.
 */
const char *teams_url_check(const char *url, size_t len);

/*
 * A host name, IPv4 address or [IPv6] literal, optionally with ":port",
 * optionally starting with "*." to match any subdomain.
 */
const char *teams_host_check(const char *host, size_t len);

/* Whether "host[:port]" of a URL matches a pattern from teams_host_check. */
int teams_host_match(const char *pattern, size_t plen, const char *host,
    size_t hlen);

/*
 * Percent-encodes len bytes of src into dst: ASCII letters, digits and the
 * characters of keep stay, every other byte becomes %XX.  NUL-terminates;
 * returns the length, or (size_t) -1 when it does not fit.
 */
size_t teams_percent_encode(char *dst, size_t size, const char *src,
    size_t len, const char *keep);

/* RFC 3986 unreserved characters: query values, form fields */
#define TEAMS_URI_UNRESERVED  "-._~"
/* what encodeURIComponent keeps, as the Bot Framework SDKs encode ids */
#define TEAMS_URI_COMPONENT   "-_.!~*'()"

/* Points host/hlen at the "host[:port]" of an absolute URL; 0 if none. */
int teams_url_host(const char *url, size_t len, const char **host,
    size_t *hlen);


#endif /* _TEAMS_URL_H_INCLUDED_ */
