
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

/* Points host/hlen at the "host[:port]" of an absolute URL; 0 if none. */
int teams_url_host(const char *url, size_t len, const char **host,
    size_t *hlen);


#endif /* _TEAMS_URL_H_INCLUDED_ */
