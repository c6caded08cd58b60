
/*
 * Concurrent Graph requests for the notification sender, on the libcurl
 * multi API: many POSTs in flight on kept-alive connections, driven from
 * the notify loop without blocking it.  Locked down like http.c: http and
 * https only, no redirects, connect timeout 5 s, total 10 s, response
 * bodies capped, proxy only when configured.  Bodies, headers and tokens
 * are never logged.
 */


#ifndef _TEAMS_WORKER_GRAPH_H_INCLUDED_
#define _TEAMS_WORKER_GRAPH_H_INCLUDED_


#include <stddef.h>

#include <curl/curl.h>


#define TEAMS_GRAPH_MAX_BODY       (64 * 1024)
#define TEAMS_GRAPH_TIMEOUT_MS     10000
#define TEAMS_GRAPH_CONNECT_MS     5000
#define TEAMS_GRAPH_AUTH_MAX       (16384 + 64)


typedef struct teams_graph_req_s  teams_graph_req_t;

struct teams_graph_req_s {
    CURL               *easy;
    struct curl_slist  *hdrs;
    long                status;          /* 0: no answer */
    long                retry_after;     /* seconds, -1: none */
    char                request_id[80];
    char               *resp;
    size_t              resp_len;
    size_t              resp_alloc;
    char                error[CURL_ERROR_SIZE];
    void               *data;
};


typedef void (*teams_graph_done_pt)(teams_graph_req_t *req, void *ctx);


typedef struct {
    CURLM      *multi;
    CURL      **idle;        /* easy handles kept for reuse */
    unsigned    nidle;
    unsigned    max_idle;
    unsigned    running;
    char       *proxy;
} teams_graph_t;


int teams_graph_init(teams_graph_t *g, const char *proxy, unsigned max_conns);
void teams_graph_free(teams_graph_t *g);

/*
 * Starts POST url with the JSON body (not copied: it must live until
 * done) and "Authorization: Bearer <token>" (copied).  Returns 0, or -1
 * with req->error set.
 */
int teams_graph_post(teams_graph_t *g, teams_graph_req_t *req,
    const char *url, const char *token, const char *body, size_t len);

/*
 * Waits up to timeout_ms for activity (also on extra_fd when >= 0), moves
 * the transfers on and calls done() for each finished one; the request is
 * then detached (its easy handle returned to the pool) and belongs to the
 * caller again (teams_graph_req_clear() it).
 */
void teams_graph_run(teams_graph_t *g, int timeout_ms, int extra_fd,
    teams_graph_done_pt done, void *ctx);

void teams_graph_req_clear(teams_graph_req_t *req);


#endif /* _TEAMS_WORKER_GRAPH_H_INCLUDED_ */
