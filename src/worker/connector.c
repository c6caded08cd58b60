
/*
 * The Bot Connector client.
 */


#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_json.h"
#include "core/teams_secret.h"
#include "core/teams_url.h"
#include "teams/teams_auth.h"
#include "worker/connector.h"
#include "worker/log.h"
#include "worker/worker.h"


#define TEAMS_CONNECTOR_HOSTS_MAX  64
/* past the longest window a conversation's history is no longer needed */
#define TEAMS_CONNECTOR_IDLE_MS    30000
/* below this many conversations idle ones are not looked for */
#define TEAMS_CONNECTOR_PACE_SWEEP 256


typedef struct {
    char       *conversation;                       /* malloc()ed */
    uint64_t    sent[TEAMS_CONNECTOR_PACE_HISTORY]; /* oldest first */
    size_t      n;
} teams_connector_pace_t;


struct teams_connector_s {
    teams_worker_t           *wk;
    const char               *hosts;
    teams_connector_pace_t   *paces;
    size_t                    npaces;
    size_t                    alloc;
};


/* Teams' per bot, per thread send limits (teams-protocol §2) */
static const struct {
    uint64_t  window_ms;
    size_t    limit;
} teams_connector_windows[] = {
    { 1000, 7 },
    { 2000, 8 },
    { 30000, 60 }
};


static teams_connector_pace_t *teams_connector_pace(teams_connector_t *c,
    const char *conversation, uint64_t now, int create);


teams_connector_t *
teams_connector_create(teams_worker_t *wk)
{
    teams_connector_t  *c;

    c = calloc(1, sizeof(teams_connector_t));
    if (c == NULL) {
        return NULL;
    }

    c->wk = wk;
    c->hosts = wk->conf->connector_hosts != NULL
               ? wk->conf->connector_hosts
               : TEAMS_WORKER_DEFAULT_CONNECTOR_HOSTS;

    return c;
}


void
teams_connector_destroy(teams_connector_t *c)
{
    size_t  i;

    if (c == NULL) {
        return;
    }

    for (i = 0; i < c->npaces; i++) {
        free(c->paces[i].conversation);
    }

    free(c->paces);
    free(c);
}


int
teams_connector_allowed(teams_connector_t *c, const char *service_url)
{
    return teams_connector_hosts_allow(c->hosts, service_url);
}


int
teams_connector_hosts_allow(const char *list, const char *service_url)
{
    size_t        n, len;
    const char   *p;
    teams_str_t   hosts[TEAMS_CONNECTOR_HOSTS_MAX];

    n = 0;
    p = list;

    for ( ;; ) {
        p += strspn(p, " \t,");

        if (*p == '\0' || n == TEAMS_CONNECTOR_HOSTS_MAX) {
            break;
        }

        len = strcspn(p, " \t,");

        hosts[n].str = p;
        hosts[n].len = len;
        n++;

        p += len;
    }

    /* the module's rule, so both sides agree on where a token may go */

    return teams_auth_service_url_allowed(service_url, strlen(service_url),
                                          hosts, n);
}


const char *
teams_connector_url(char *buf, size_t size, const char *service_url,
    const char *conversation, const char *reply_to)
{
    size_t  n, k, slen;

    slen = strlen(service_url);

    if (slen == 0 || slen > TEAMS_CONNECTOR_URL_MAX) {
        return "serviceUrl empty or too long";
    }

    if (conversation[0] == '\0'
        || strlen(conversation) > TEAMS_CONNECTOR_ID_MAX)
    {
        return "conversation id empty or too long";
    }

    if (strlen(reply_to) > TEAMS_CONNECTOR_ID_MAX) {
        return "reply_to too long";
    }

    n = (size_t) snprintf(buf, size, "%s%sv3/conversations/", service_url,
                          service_url[slen - 1] == '/' ? "" : "/");
    if (n >= size) {
        return "URL too long";
    }

    k = teams_percent_encode(buf + n, size - n, conversation,
                             strlen(conversation), TEAMS_URI_COMPONENT);
    if (k == (size_t) -1) {
        return "URL too long";
    }

    n += k;

    if (size - n <= sizeof("/activities/") - 1) {
        return "URL too long";
    }

    n += (size_t) sprintf(buf + n, "/activities");

    if (reply_to[0] != '\0') {
        buf[n++] = '/';

        k = teams_percent_encode(buf + n, size - n, reply_to,
                                 strlen(reply_to), TEAMS_URI_COMPONENT);
        if (k == (size_t) -1) {
            return "URL too long";
        }

        n += k;
    }

    buf[n] = '\0';

    return NULL;
}


void
teams_connector_post(teams_connector_t *c, const char *url,
    const char *token, const char *activity, size_t len,
    teams_connector_result_t *res)
{
    char                   *auth, text[200];
    size_t                  alen;
    teams_http_rc_e         rc;
    struct curl_slist      *hdrs, *h;
    teams_http_response_t   resp;

    memset(res, 0, sizeof(teams_connector_result_t));
    res->retry_after = -1;

    alen = sizeof("Authorization: Bearer ") + strlen(token);

    auth = malloc(alen);
    if (auth == NULL) {
        res->rc = TEAMS_CONNECTOR_TRANSPORT;
        snprintf(res->reason, sizeof(res->reason), "out of memory");
        return;
    }

    snprintf(auth, alen, "Authorization: Bearer %s", token);

    hdrs = curl_slist_append(NULL, "Content-Type: application/json; "
                             "charset=utf-8");
    h = hdrs ? curl_slist_append(hdrs, auth) : NULL;

    teams_secret_wipe(auth, alen);
    free(auth);

    if (h == NULL) {
        curl_slist_free_all(hdrs);
        res->rc = TEAMS_CONNECTOR_TRANSPORT;
        snprintf(res->reason, sizeof(res->reason), "out of memory");
        return;
    }

    rc = teams_http_send(&c->wk->http, "POST", url, hdrs, activity, len,
                         TEAMS_CONNECTOR_BODY_MAX, &resp);

    /* the list holds the token: wipe it before it goes back to the heap */

    for (h = hdrs; h != NULL; h = h->next) {
        teams_secret_wipe(h->data, strlen(h->data));
    }

    curl_slist_free_all(hdrs);

    res->retry_after = resp.retry_after;

    switch (rc) {

    case TEAMS_HTTP_OK:
        res->status = resp.status;

        if (resp.status >= 200 && resp.status < 300) {
            res->rc = TEAMS_CONNECTOR_SENT;
            snprintf(res->reason, sizeof(res->reason), "%ld", resp.status);
            break;
        }

        res->rc = TEAMS_CONNECTOR_ANSWERED;
        snprintf(res->reason, sizeof(res->reason), "HTTP %ld%s%s",
                 resp.status,
                 teams_connector_error_text(resp.body, resp.len, text,
                                            sizeof(text))[0] ? " " : "",
                 text);
        break;

    case TEAMS_HTTP_STOPPED:
        res->rc = TEAMS_CONNECTOR_STOPPED;
        snprintf(res->reason, sizeof(res->reason), "stopping");
        break;

    default:
        res->rc = TEAMS_CONNECTOR_TRANSPORT;
        snprintf(res->reason, sizeof(res->reason), "%s", resp.error);
        break;
    }

    teams_http_response_free(&resp);
}


const char *
teams_connector_error_text(const char *body, size_t len, char *buf,
    size_t size)
{
    char                *p;
    size_t               clen, mlen;
    const char          *why, *code, *msg;
    teams_json_t        *doc;
    const teams_json_t  *err;

    if (size == 0) {
        return buf;
    }

    buf[0] = '\0';

    if (body == NULL || len == 0) {
        return buf;
    }

    doc = teams_json_parse(body, len, 16, &why);
    if (doc == NULL) {
        return buf;
    }

    err = doc->type == TEAMS_JSON_OBJECT ? teams_json_get(doc, "error")
                                         : NULL;

    if (err != NULL && err->type == TEAMS_JSON_OBJECT) {
        code = teams_json_str(err, "code", &clen);
        msg = teams_json_str(err, "message", &mlen);

        snprintf(buf, size, "%s%s%s", code ? code : "",
                 code && msg ? ": " : "", msg ? msg : "");
    }

    teams_json_free(doc);

    /* it goes into one log line */

    for (p = buf; *p; p++) {
        if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f) {
            *p = '?';
        }
    }

    return buf;
}


unsigned
teams_connector_pace_wait(teams_connector_t *c, const char *conversation,
    uint64_t now)
{
    teams_connector_pace_t  *p;

    p = teams_connector_pace(c, conversation, now, 0);

    return p ? teams_connector_pace_delay(p->sent, p->n, now) : 0;
}


void
teams_connector_pace_sent(teams_connector_t *c, const char *conversation,
    uint64_t now)
{
    teams_connector_pace_t  *p;

    p = teams_connector_pace(c, conversation, now, 1);
    if (p == NULL) {
        /* out of memory: the Connector's 429 remains the backstop */
        return;
    }

    if (p->n == TEAMS_CONNECTOR_PACE_HISTORY) {
        memmove(p->sent, p->sent + 1, (p->n - 1) * sizeof(uint64_t));
        p->n--;
    }

    p->sent[p->n++] = now;
}


unsigned
teams_connector_pace_delay(const uint64_t *sent, size_t n, uint64_t now)
{
    size_t    i, limit;
    uint64_t  t, w, wait;

    wait = 0;

    for (i = 0; i < sizeof(teams_connector_windows)
                    / sizeof(teams_connector_windows[0]); i++)
    {
        limit = teams_connector_windows[i].limit;
        w = teams_connector_windows[i].window_ms;

        if (n < limit) {
            continue;
        }

        /*
         * "limit" sends within the window already: the next one waits
         * until the oldest of those last "limit" sends leaves it
         */

        t = sent[n - limit];

        if (t + w > now && t + w - now > wait) {
            wait = t + w - now;
        }
    }

    return (unsigned) wait;
}


static teams_connector_pace_t *
teams_connector_pace(teams_connector_t *c, const char *conversation,
    uint64_t now, int create)
{
    size_t                   i, j, alloc;
    teams_connector_pace_t  *p;

    for (i = 0; i < c->npaces; i++) {
        if (strcmp(c->paces[i].conversation, conversation) == 0) {
            return &c->paces[i];
        }
    }

    if (!create) {
        return NULL;
    }

    if (c->npaces >= TEAMS_CONNECTOR_PACE_SWEEP) {

        /* conversations idle for longer than every window are forgotten */

        for (i = 0, j = 0; i < c->npaces; i++) {
            p = &c->paces[i];

            if (p->n == 0
                || p->sent[p->n - 1] + TEAMS_CONNECTOR_IDLE_MS <= now)
            {
                free(p->conversation);
                continue;
            }

            c->paces[j++] = *p;
        }

        c->npaces = j;

        if (c->npaces >= TEAMS_CONNECTOR_PACE_MAX) {
            return NULL;
        }
    }

    if (c->npaces == c->alloc) {
        alloc = c->alloc ? 2 * c->alloc : 64;

        p = realloc(c->paces, alloc * sizeof(teams_connector_pace_t));
        if (p == NULL) {
            return NULL;
        }

        c->paces = p;
        c->alloc = alloc;
    }

    p = &c->paces[c->npaces];

    p->conversation = strdup(conversation);
    if (p->conversation == NULL) {
        return NULL;
    }

    p->n = 0;
    c->npaces++;

    return p;
}
