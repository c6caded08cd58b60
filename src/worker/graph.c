
/*
 * Concurrent Graph requests on libcurl multi (see graph.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "worker/graph.h"
#include "worker/http.h"
#include "worker/log.h"


static size_t teams_graph_write(char *ptr, size_t size, size_t nmemb,
    void *data);
static size_t teams_graph_header(char *ptr, size_t size, size_t nmemb,
    void *data);
static CURL *teams_graph_easy(teams_graph_t *g);


int
teams_graph_init(teams_graph_t *g, const char *proxy, unsigned max_conns)
{
    memset(g, 0, sizeof(teams_graph_t));

    g->multi = curl_multi_init();
    if (g->multi == NULL) {
        return -1;
    }

    /* one connection per concurrent request, all kept alive */

    curl_multi_setopt(g->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long) max_conns);
    curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long) max_conns);

    g->max_idle = max_conns;
    g->idle = calloc(max_conns, sizeof(CURL *));

    if (g->idle == NULL) {
        curl_multi_cleanup(g->multi);
        return -1;
    }

    if (proxy != NULL) {
        g->proxy = strdup(proxy);
        if (g->proxy == NULL) {
            free(g->idle);
            curl_multi_cleanup(g->multi);
            return -1;
        }
    }

    return 0;
}


void
teams_graph_free(teams_graph_t *g)
{
    unsigned  i;

    for (i = 0; i < g->nidle; i++) {
        curl_easy_cleanup(g->idle[i]);
    }

    if (g->multi != NULL) {
        curl_multi_cleanup(g->multi);
    }

    free(g->idle);
    free(g->proxy);

    memset(g, 0, sizeof(teams_graph_t));
}


int
teams_graph_post(teams_graph_t *g, teams_graph_req_t *req, const char *url,
    const char *token, const char *body, size_t len)
{
    char                auth[TEAMS_GRAPH_AUTH_MAX];
    CURL               *e;
    struct curl_slist  *h, *n;

    req->status = 0;
    req->retry_after = -1;
    req->request_id[0] = '\0';
    req->resp_len = 0;
    req->error[0] = '\0';

    if (strlen(token) > sizeof(auth) - 32) {
        snprintf(req->error, sizeof(req->error), "token too long");
        return -1;
    }

    e = teams_graph_easy(g);
    if (e == NULL) {
        snprintf(req->error, sizeof(req->error), "out of memory");
        return -1;
    }

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);

    h = NULL;
    n = curl_slist_append(h, auth);
    h = n ? curl_slist_append(n, "Content-Type: application/json") : NULL;
    n = h ? curl_slist_append(h, "Accept: application/json") : NULL;
    h = n ? curl_slist_append(n, "Expect:") : NULL;

    /* the token is in the list only: wipe our copy */
    explicit_bzero(auth, sizeof(auth));

    if (h == NULL) {
        curl_slist_free_all(n);
        curl_easy_cleanup(e);
        snprintf(req->error, sizeof(req->error), "out of memory");
        return -1;
    }

    req->easy = e;
    req->hdrs = h;

    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long) len);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, teams_graph_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, teams_graph_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, req);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, req);

    if (curl_multi_add_handle(g->multi, e) != CURLM_OK) {
        snprintf(req->error, sizeof(req->error), "curl_multi_add_handle");
        teams_graph_req_clear(req);
        return -1;
    }

    g->running++;

    return 0;
}


void
teams_graph_run(teams_graph_t *g, int timeout_ms, int extra_fd,
    teams_graph_done_pt done, void *ctx)
{
    int                   still, left;
    long                  status;
    CURL                 *e;
    CURLMsg              *msg;
    teams_graph_req_t    *req;
    struct curl_waitfd    wfd;

    curl_multi_perform(g->multi, &still);

    if (timeout_ms > 0) {
        wfd.fd = extra_fd;
        wfd.events = CURL_WAIT_POLLIN;
        wfd.revents = 0;

        curl_multi_poll(g->multi, extra_fd >= 0 ? &wfd : NULL,
                        extra_fd >= 0 ? 1 : 0, timeout_ms, NULL);

        curl_multi_perform(g->multi, &still);
    }

    while ((msg = curl_multi_info_read(g->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        e = msg->easy_handle;
        req = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **) &req);

        status = 0;

        if (msg->data.result == CURLE_OK) {
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);

        } else if (req->error[0] == '\0') {
            snprintf(req->error, sizeof(req->error), "%s",
                     curl_easy_strerror(msg->data.result));
        }

        req->status = status;

        curl_multi_remove_handle(g->multi, e);
        g->running--;

        /* back to the pool: its connection stays in the multi's cache */

        curl_slist_free_all(req->hdrs);
        req->hdrs = NULL;
        req->easy = NULL;

        if (g->nidle < g->max_idle) {
            curl_easy_reset(e);
            g->idle[g->nidle++] = e;

        } else {
            curl_easy_cleanup(e);
        }

        done(req, ctx);
    }
}


void
teams_graph_req_clear(teams_graph_req_t *req)
{
    if (req->easy != NULL) {
        curl_easy_cleanup(req->easy);
        req->easy = NULL;
    }

    curl_slist_free_all(req->hdrs);
    req->hdrs = NULL;

    free(req->resp);
    req->resp = NULL;
    req->resp_len = 0;
    req->resp_alloc = 0;
}


static CURL *
teams_graph_easy(teams_graph_t *g)
{
    CURL  *e;

    e = g->nidle ? g->idle[--g->nidle] : curl_easy_init();
    if (e == NULL) {
        return NULL;
    }

#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS,
                     (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) TEAMS_GRAPH_CONNECT_MS);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long) TEAMS_GRAPH_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_PROXY, g->proxy ? g->proxy : "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, g->proxy ? "" : "*");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "teams-worker");

    return e;
}


static size_t
teams_graph_write(char *ptr, size_t size, size_t nmemb, void *data)
{
    char               *p;
    size_t              n, want;
    teams_graph_req_t  *req;

    req = data;
    n = size * nmemb;

    if (req->resp_len + n > TEAMS_GRAPH_MAX_BODY) {
        return 0;
    }

    if (req->resp_len + n + 1 > req->resp_alloc) {
        want = req->resp_alloc ? req->resp_alloc * 2 : 1024;

        while (want < req->resp_len + n + 1) {
            want *= 2;
        }

        p = realloc(req->resp, want);
        if (p == NULL) {
            return 0;
        }

        req->resp = p;
        req->resp_alloc = want;
    }

    memcpy(req->resp + req->resp_len, ptr, n);
    req->resp_len += n;
    req->resp[req->resp_len] = '\0';

    return n;
}


static size_t
teams_graph_header(char *ptr, size_t size, size_t nmemb, void *data)
{
    size_t              n, vlen;
    const char         *v;
    teams_graph_req_t  *req;

    req = data;
    n = size * nmemb;

    if (n > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
        v = ptr + 12;
        vlen = n - 12;
        req->retry_after = teams_http_retry_after_parse(v, vlen, time(NULL));

    } else if (n > 11 && strncasecmp(ptr, "request-id:", 11) == 0) {
        v = ptr + 11;
        vlen = n - 11;

        while (vlen && (*v == ' ' || *v == '\t')) {
            v++;
            vlen--;
        }

        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'
                        || v[vlen - 1] == ' '))
        {
            vlen--;
        }

        if (vlen >= sizeof(req->request_id)) {
            vlen = sizeof(req->request_id) - 1;
        }

        memcpy(req->request_id, v, vlen);
        req->request_id[vlen] = '\0';
    }

    return n;
}
