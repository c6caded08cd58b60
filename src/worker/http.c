
/*
 * The worker's outbound HTTP client, on libcurl.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "worker/http.h"
#include "worker/log.h"


#define TEAMS_HTTP_USER_AGENT  "teams-worker/1"


static size_t teams_http_write(char *data, size_t size, size_t nmemb,
    void *ctx);
static size_t teams_http_header(char *data, size_t size, size_t nmemb,
    void *ctx);
static int teams_http_progress(void *ctx, curl_off_t dltotal,
    curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);


int
teams_http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}


void
teams_http_global_cleanup(void)
{
    curl_global_cleanup();
}


int
teams_http_init(teams_http_t *h, const char *proxy,
    volatile sig_atomic_t *stop)
{
    memset(h, 0, sizeof(teams_http_t));

    h->stop = stop;

    if (proxy != NULL) {
        h->proxy = strdup(proxy);
        if (h->proxy == NULL) {
            return -1;
        }
    }

    h->easy = curl_easy_init();
    if (h->easy == NULL) {
        free(h->proxy);
        h->proxy = NULL;
        return -1;
    }

    return 0;
}


void
teams_http_free(teams_http_t *h)
{
    if (h->easy != NULL) {
        curl_easy_cleanup(h->easy);
        h->easy = NULL;
    }

    free(h->proxy);
    h->proxy = NULL;
}


teams_http_rc_e
teams_http_get(teams_http_t *h, const char *url, size_t max_body,
    teams_http_response_t *resp)
{
    CURLcode  code;

    if (teams_http_transfer_setup(h, h->easy, url, max_body, resp) != 0) {
        return resp->rc;
    }

    code = curl_easy_perform(h->easy);

    return teams_http_transfer_finish(h->easy, code, resp);
}


teams_http_rc_e
teams_http_send(teams_http_t *h, const char *method, const char *url,
    struct curl_slist *headers, const char *body, size_t len,
    size_t max_body, teams_http_response_t *resp)
{
    int       bad;
    CURLcode  code;

    if (teams_http_transfer_setup(h, h->easy, url, max_body, resp) != 0) {
        resp->retry_after = -1;
        return resp->rc;
    }

    resp->retry_after = -1;

    /*
     * a request with a body is not abandoned midway when the worker is
     * told to stop: it may already have been acted on, and a retry after
     * the restart would repeat it; the total timeout still bounds it
     */

    resp->client = NULL;

    bad = 0;

    /* CURLOPT_POSTFIELDS does not copy: no stray copy of a secret body */

    bad |= curl_easy_setopt(h->easy, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body) != CURLE_OK;
    bad |= curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                            (curl_off_t) len) != CURLE_OK;

    if (strcmp(method, "POST") != 0) {
        bad |= curl_easy_setopt(h->easy, CURLOPT_CUSTOMREQUEST, method)
               != CURLE_OK;
    }

    /*
     * the caller's headers (Content-Type, Authorization); of the response
     * headers only Retry-After is read
     */

    bad |= curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, headers)
           != CURLE_OK;
    bad |= curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION,
                            teams_http_header) != CURLE_OK;
    bad |= curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, resp) != CURLE_OK;

    if (bad) {
        resp->rc = TEAMS_HTTP_FAILED;
        snprintf(resp->error, sizeof(resp->error),
                 "libcurl refused an option (libcurl too old?)");
        return resp->rc;
    }

    code = curl_easy_perform(h->easy);

    /* the easy handle is reused: forget the caller's body and headers */

    (void) curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, NULL);
    (void) curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, NULL);

    return teams_http_transfer_finish(h->easy, code, resp);
}


long
teams_http_retry_after_parse(const char *value, size_t len, time_t now)
{
    char    buf[64];
    long    n;
    size_t  i;
    time_t  t;

    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'
                       || value[len - 1] == '\r' || value[len - 1] == '\n'))
    {
        len--;
    }

    while (len > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        len--;
    }

    if (len == 0 || len >= sizeof(buf)) {
        return -1;
    }

    if (value[0] >= '0' && value[0] <= '9') {
        n = 0;

        for (i = 0; i < len; i++) {
            if (value[i] < '0' || value[i] > '9') {
                return -1;
            }

            if (n > 86400) {
                /* a day is plenty; callers bound it further */
                return 86400;
            }

            n = n * 10 + (value[i] - '0');
        }

        return n > 86400 ? 86400 : n;
    }

    /* an HTTP date */

    memcpy(buf, value, len);
    buf[len] = '\0';

    t = curl_getdate(buf, NULL);
    if (t == (time_t) -1) {
        return -1;
    }

    return t <= now ? 0 : (long) (t - now);
}


void
teams_http_response_free(teams_http_response_t *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
    resp->alloc = 0;
}


int
teams_http_transfer_setup(teams_http_t *h, CURL *easy, const char *url,
    size_t max_body, teams_http_response_t *resp)
{
    int  bad;

    memset(resp, 0, sizeof(teams_http_response_t));

    resp->client = h;
    resp->max = (max_body == 0 || max_body > TEAMS_HTTP_MAX_BODY)
                ? TEAMS_HTTP_MAX_BODY : max_body;

    if (easy == NULL) {
        resp->rc = TEAMS_HTTP_FAILED;
        snprintf(resp->error, sizeof(resp->error), "no curl handle");
        return -1;
    }

    /* a reused handle keeps its connections and DNS cache, not options */
    curl_easy_reset(easy);

    bad = 0;

#define teams_http_opt(opt, val)                                             \
    bad |= (curl_easy_setopt(easy, opt, val) != CURLE_OK)

    teams_http_opt(CURLOPT_URL, url);
    teams_http_opt(CURLOPT_HTTPGET, 1L);
    teams_http_opt(CURLOPT_ERRORBUFFER, resp->error);
    teams_http_opt(CURLOPT_NOSIGNAL, 1L);
    teams_http_opt(CURLOPT_USERAGENT, TEAMS_HTTP_USER_AGENT);

    teams_http_opt(CURLOPT_PROTOCOLS_STR, "http,https");
    teams_http_opt(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    teams_http_opt(CURLOPT_FOLLOWLOCATION, 0L);

    teams_http_opt(CURLOPT_SSL_VERIFYPEER, 1L);
    teams_http_opt(CURLOPT_SSL_VERIFYHOST, 2L);

    /* "" turns proxies off, environment variables included */
    teams_http_opt(CURLOPT_PROXY, h->proxy != NULL ? h->proxy : "");

    teams_http_opt(CURLOPT_CONNECTTIMEOUT_MS,
                   (long) TEAMS_HTTP_CONNECT_TIMEOUT_MS);
    teams_http_opt(CURLOPT_TIMEOUT_MS, (long) TEAMS_HTTP_TIMEOUT_MS);
    teams_http_opt(CURLOPT_TCP_KEEPALIVE, 1L);

    /* a declared Content-Length over the limit fails before the body */
    teams_http_opt(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) resp->max);
    teams_http_opt(CURLOPT_WRITEFUNCTION, teams_http_write);
    teams_http_opt(CURLOPT_WRITEDATA, resp);

    teams_http_opt(CURLOPT_NOPROGRESS, 0L);
    teams_http_opt(CURLOPT_XFERINFOFUNCTION, teams_http_progress);
    teams_http_opt(CURLOPT_XFERINFODATA, resp);

    teams_http_opt(CURLOPT_PRIVATE, resp);

#undef teams_http_opt

    if (bad) {
        resp->rc = TEAMS_HTTP_FAILED;
        snprintf(resp->error, sizeof(resp->error),
                 "libcurl refused an option (libcurl too old?)");
        return -1;
    }

    return 0;
}


teams_http_rc_e
teams_http_transfer_finish(CURL *easy, CURLcode code,
    teams_http_response_t *resp)
{
    long  status;

    if (resp->rc == TEAMS_HTTP_TOO_LARGE
        || code == CURLE_FILESIZE_EXCEEDED)
    {
        resp->rc = TEAMS_HTTP_TOO_LARGE;
        snprintf(resp->error, sizeof(resp->error),
                 "response body larger than %zu bytes", resp->max);
        goto failed;
    }

    if (code == CURLE_ABORTED_BY_CALLBACK) {
        resp->rc = TEAMS_HTTP_STOPPED;
        snprintf(resp->error, sizeof(resp->error), "stopping");
        goto failed;
    }

    if (code != CURLE_OK) {
        resp->rc = TEAMS_HTTP_FAILED;

        if (resp->error[0] == '\0') {
            snprintf(resp->error, sizeof(resp->error), "%s",
                     curl_easy_strerror(code));
        }

        goto failed;
    }

    status = 0;
    (void) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);

    resp->rc = TEAMS_HTTP_OK;
    resp->status = status;
    resp->error[0] = '\0';

    if (resp->body == NULL) {
        resp->body = malloc(1);
        if (resp->body == NULL) {
            resp->rc = TEAMS_HTTP_FAILED;
            snprintf(resp->error, sizeof(resp->error), "out of memory");
            return resp->rc;
        }

        resp->body[0] = '\0';
    }

    return resp->rc;

failed:

    teams_http_response_free(resp);

    return resp->rc;
}


static size_t
teams_http_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    char                   *p;
    size_t                  n, cap;
    teams_http_response_t  *resp;

    resp = ctx;
    n = size * nmemb;

    if (n > resp->max - resp->len) {
        resp->rc = TEAMS_HTTP_TOO_LARGE;
        return 0;
    }

    if (resp->len + n + 1 > resp->alloc) {

        /* the next power of two: few reallocations, bounded by max */

        cap = 4096;

        while (cap < resp->len + n + 1) {
            cap *= 2;
        }

        p = realloc(resp->body, cap);
        if (p == NULL) {
            snprintf(resp->error, sizeof(resp->error), "out of memory");
            return 0;
        }

        resp->body = p;
        resp->alloc = cap;
    }

    memcpy(resp->body + resp->len, data, n);
    resp->len += n;
    resp->body[resp->len] = '\0';

    return n;
}


static size_t
teams_http_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    size_t                  n;
    teams_http_response_t  *resp;

    static const char  name[] = "retry-after:";

    resp = ctx;
    n = size * nmemb;

    /* only Retry-After is kept; other headers are not looked at */

    if (n > sizeof(name) - 1
        && strncasecmp(data, name, sizeof(name) - 1) == 0)
    {
        resp->retry_after = teams_http_retry_after_parse(
                                data + sizeof(name) - 1,
                                n - (sizeof(name) - 1), time(NULL));
    }

    return n;
}


static int
teams_http_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
    teams_http_response_t  *resp;

    resp = ctx;

    if (resp->client != NULL && resp->client->stop != NULL
        && *resp->client->stop)
    {
        return 1;
    }

    return 0;
}
