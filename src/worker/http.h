
/*
 * The worker's outbound HTTP client, on libcurl.
 *
 * Every transfer is bounded and locked down the same way:
 *   - connect timeout 5 s (name resolution included), total timeout 10 s;
 *   - response bodies over the caller's limit (at most 1 MiB) are refused;
 *   - HTTPS peer and host name verification always on (system CA store);
 *   - redirects are not followed (a 3xx is returned as it is);
 *   - only http and https, for the request and anything curl might follow;
 *   - no proxy unless one is configured ("http_proxy" setting): the
 *     http_proxy/https_proxy/all_proxy environment variables are ignored;
 *   - a stop signal aborts a transfer in progress.
 *
 * Bodies and headers are never logged (they may carry tokens); error
 * messages name the URL and libcurl's reason only.
 *
 * Today teams_http_get() is blocking (curl easy API).  The work is split so
 * the same steps fit the curl multi API later: teams_http_transfer_setup()
 * prepares an easy handle for one transfer, the caller drives it
 * (curl_easy_perform() now, curl_multi_* later), and
 * teams_http_transfer_finish() turns libcurl's result into a response.
 */


#ifndef _TEAMS_WORKER_HTTP_H_INCLUDED_
#define _TEAMS_WORKER_HTTP_H_INCLUDED_


#include <signal.h>
#include <stddef.h>
#include <time.h>

#include <curl/curl.h>


#define TEAMS_HTTP_CONNECT_TIMEOUT_MS  5000
#define TEAMS_HTTP_TIMEOUT_MS          10000
#define TEAMS_HTTP_MAX_BODY            (1024 * 1024)


typedef enum {
    TEAMS_HTTP_OK = 0,         /* a response arrived (any status) */
    TEAMS_HTTP_FAILED,         /* transport failure: see error */
    TEAMS_HTTP_TOO_LARGE,      /* the body exceeded the limit */
    TEAMS_HTTP_STOPPED         /* aborted by the stop flag */
} teams_http_rc_e;


typedef struct {
    CURL                    *easy;      /* reused: keeps connections alive */
    char                    *proxy;     /* NULL: no proxy at all */
    volatile sig_atomic_t   *stop;      /* may be NULL */
} teams_http_t;


typedef struct {
    teams_http_rc_e   rc;
    long              status;           /* HTTP status, 0 if none */
    char             *body;             /* malloc()ed, NUL-terminated */
    size_t            len;
    size_t            alloc;            /* allocated for body */
    size_t            max;              /* body limit of this transfer */
    long              retry_after;      /* seconds; -1: none (send only) */
    char              error[CURL_ERROR_SIZE];   /* why, when rc != OK */
    teams_http_t     *client;
} teams_http_response_t;


/* once per process, before any other call */
int teams_http_global_init(void);
void teams_http_global_cleanup(void);

/* proxy: a URL or NULL; stop: aborts transfers when it becomes non-zero */
int teams_http_init(teams_http_t *h, const char *proxy,
    volatile sig_atomic_t *stop);
void teams_http_free(teams_http_t *h);

/*
 * GET url, with a body limit of max_body (0: TEAMS_HTTP_MAX_BODY; never
 * more).  Blocks up to TEAMS_HTTP_TIMEOUT_MS.  Returns resp->rc; resp must
 * be released with teams_http_response_free() whatever the result.
 */
teams_http_rc_e teams_http_get(teams_http_t *h, const char *url,
    size_t max_body, teams_http_response_t *resp);

/*
 * Sends a request with a body (method "POST", "PUT", ...) and extra
 * request headers (may be NULL).  The body is not copied: it must stay
 * valid until the call returns, so that a caller can wipe a body holding a
 * secret right after.  Sets resp->retry_after from a Retry-After header
 * (delta seconds or an HTTP date; -1 when absent or unreadable).  Same
 * limits as teams_http_get(), except that the stop flag does not abort a
 * request in flight (it may have been acted on already).
 */
teams_http_rc_e teams_http_send(teams_http_t *h, const char *method,
    const char *url, struct curl_slist *headers, const char *body,
    size_t len, size_t max_body, teams_http_response_t *resp);

/* a Retry-After value as seconds from "now" (unix time), or -1 */
long teams_http_retry_after_parse(const char *value, size_t len, time_t now);

void teams_http_response_free(teams_http_response_t *resp);

/* the steps of one transfer, for teams_http_get() and a multi driver */
int teams_http_transfer_setup(teams_http_t *h, CURL *easy, const char *url,
    size_t max_body, teams_http_response_t *resp);
teams_http_rc_e teams_http_transfer_finish(CURL *easy, CURLcode code,
    teams_http_response_t *resp);


#endif /* _TEAMS_WORKER_HTTP_H_INCLUDED_ */
