
/*
 * Activity-feed notifications: the pure parts (see teams_notify.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_json.h"
#include "core/teams_jw.h"
#include "core/teams_uuid.h"
#include "notify/teams_notify.h"


const char *const  teams_notify_categories[TEAMS_NOTIFY_NCATEGORIES] = {
    "assignment", "customer_reply", "approval_request", "escalation",
    "sla_risk"
};


static const struct {
    const char  *category;
    const char  *activity_type;
    const char  *label;
} teams_notify_types[] = {
    /* psa-schema.md section 7; the manifest declares the same types */
    { "assignment", "assignmentCreated", "Assignments" },
    { "customer_reply", "customerReplyReceived", "Customer replies" },
    { "approval_request", "approvalRequested", "Approval requests" },
    { "escalation", "workEscalated", "Escalations" },
    { "sla_risk", "slaRiskDetected", "SLA risks" },
    { NULL, NULL, NULL }
};


static int teams_notify_uuid_at(const char *p, char *id);
static const char *teams_notify_param(const char *query, const char *name);
static void teams_notify_graph_error(const char *body, size_t len,
    char *buf, size_t size);


const char *
teams_notify_activity_type(const char *category)
{
    int  i;

    for (i = 0; category != NULL && teams_notify_types[i].category; i++) {
        if (strcmp(teams_notify_types[i].category, category) == 0) {
            return teams_notify_types[i].activity_type;
        }
    }

    return NULL;
}


const char *
teams_notify_category_label(const char *category)
{
    int  i;

    for (i = 0; category != NULL && teams_notify_types[i].category; i++) {
        if (strcmp(teams_notify_types[i].category, category) == 0) {
            return teams_notify_types[i].label;
        }
    }

    return NULL;
}


size_t
teams_notify_chars(const char *s)
{
    size_t  n;

    for (n = 0; *s; s++) {
        if (((unsigned char) *s & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}


size_t
teams_notify_clip(char *buf, size_t size, const char *s, size_t max)
{
    size_t          n, chars, total, clen;
    unsigned char   c;

    /* "…" is one character (3 bytes): keep room for it when cutting */

    total = teams_notify_chars(s);
    n = 0;
    chars = 0;

    while (*s) {
        c = (unsigned char) *s;

        clen = (c < 0x80) ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3
               : (c >> 3) == 0x1e ? 4 : 1;

        if (total > max && chars + 1 >= max) {
            break;
        }

        if (chars >= max || n + clen + 4 > size) {
            break;
        }

        if (clen == 1) {
            buf[n++] = (c == '\r' || c == '\n' || c == '\t' || c < 0x20)
                       ? ' ' : (char) c;
            s++;

        } else {
            if (strnlen(s, clen) < clen) {
                break;
            }

            memcpy(buf + n, s, clen);
            n += clen;
            s += clen;
        }

        chars++;
    }

    if (*s && n + 4 <= size) {
        memcpy(buf + n, "\xe2\x80\xa6", 3);
        n += 3;
    }

    if (size) {
        buf[n < size ? n : size - 1] = '\0';
    }

    return n;
}


teams_target_e
teams_notify_link_target(const char *link, char *id, char *extra)
{
    const char  *p, *q, *v;

    id[0] = '\0';
    extra[0] = '\0';

    if (link == NULL) {
        return TEAMS_TARGET_NONE;
    }

    /* an absolute PSA URL: only its path and query matter */

    p = strstr(link, "/msp/");
    if (p == NULL) {
        return TEAMS_TARGET_NONE;
    }

    p += sizeof("/msp/") - 1;
    q = strchr(p, '?');

    if (strncmp(p, "tickets/", 8) == 0) {
        return teams_notify_uuid_at(p + 8, id) ? TEAMS_TARGET_TICKET
                                               : TEAMS_TARGET_NONE;
    }

    if (strncmp(p, "contacts/", 9) == 0) {
        return teams_notify_uuid_at(p + 9, id) ? TEAMS_TARGET_CONTACT
                                               : TEAMS_TARGET_NONE;
    }

    if (strncmp(p, "projects/", 9) == 0) {
        if (!teams_notify_uuid_at(p + 9, extra)) {
            return TEAMS_TARGET_NONE;
        }

        v = teams_notify_param(q, "taskId");

        return (v != NULL && teams_notify_uuid_at(v, id))
               ? TEAMS_TARGET_TASK : TEAMS_TARGET_NONE;
    }

    if (strncmp(p, "time-sheet-approvals", 20) == 0) {
        v = teams_notify_param(q, "approvalId");

        return (v != NULL && teams_notify_uuid_at(v, id))
               ? TEAMS_TARGET_APPROVAL : TEAMS_TARGET_NONE;
    }

    if (strncmp(p, "time-entry", 10) == 0) {
        v = teams_notify_param(q, "entryId");

        return (v != NULL && teams_notify_uuid_at(v, id))
               ? TEAMS_TARGET_TIME_ENTRY : TEAMS_TARGET_NONE;
    }

    return TEAMS_TARGET_NONE;
}


size_t
teams_notify_web_url(char *buf, size_t size, const teams_links_t *l,
    const char *link, const char *ticket_id)
{
    char            id[40], extra[40];
    size_t          len;
    teams_target_e  kind;

    kind = teams_notify_link_target(link, id, extra);

    if (kind == TEAMS_TARGET_NONE && ticket_id != NULL
        && teams_notify_uuid_at(ticket_id, id) && ticket_id[36] == '\0')
    {
        kind = TEAMS_TARGET_TICKET;
    }

    if (kind != TEAMS_TARGET_NONE) {
        len = teams_link_teams(buf, size, l, kind, id,
                               extra[0] ? extra : NULL);

        if (len > 0 && len <= TEAMS_NOTIFY_WEBURL_MAX) {
            return len;
        }
    }

    /* no record (or a link too long for Graph): the tab's home page */

    len = teams_link_teams_home(buf, size, l);

    return len <= TEAMS_NOTIFY_WEBURL_MAX ? len : 0;
}


char *
teams_notify_graph_body(const teams_notify_msg_t *m, size_t *len)
{
    char         *out;
    char          title[4 * TEAMS_NOTIFY_TITLE_MAX + 8];
    char          preview[4 * TEAMS_NOTIFY_PREVIEW_MAX + 8];
    size_t        n;
    teams_jw_t    w;
    const char   *type, *text;

    type = teams_notify_activity_type(m->category);

    if (type == NULL || m->web_url == NULL || m->web_url[0] == '\0') {
        return NULL;
    }

    teams_notify_clip(title, sizeof(title),
                      m->title && m->title[0] ? m->title
                      : teams_notify_category_label(m->category),
                      TEAMS_NOTIFY_TITLE_MAX);
    teams_notify_clip(preview, sizeof(preview),
                      m->message && m->message[0] ? m->message : title,
                      TEAMS_NOTIFY_PREVIEW_MAX);

    teams_jw_init(&w, teams_jw_malloc, NULL);

    teams_jw_object(&w);

    teams_jw_key(&w, "topic");
    teams_jw_object(&w);
    teams_jw_kstr(&w, "source", "text");
    teams_jw_kstr(&w, "value", title);
    teams_jw_kstr(&w, "webUrl", m->web_url);
    teams_jw_end(&w);

    teams_jw_kstr(&w, "activityType", type);

    teams_jw_key(&w, "previewText");
    teams_jw_object(&w);
    teams_jw_kstr(&w, "content", preview);
    teams_jw_end(&w);

    teams_jw_key(&w, "templateParameters");
    teams_jw_array(&w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "name", "title");
    teams_jw_kstr(&w, "value", title);
    teams_jw_end(&w);
    teams_jw_end(&w);

    teams_jw_end(&w);

    text = teams_jw_finish(&w, &n);

    if (text == NULL) {
        free(w.buf);
        return NULL;
    }

    out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, text, n);
        out[n] = '\0';
        *len = n;
    }

    free(w.buf);

    return out;
}


void
teams_notify_classify(long status, const char *why, const char *body,
    size_t len, teams_notify_outcome_t *out)
{
    char  gerr[500];

    memset(out, 0, sizeof(teams_notify_outcome_t));

    if (status >= 200 && status < 300) {
        out->result = TEAMS_NOTIFY_SENT;
        return;
    }

    teams_notify_graph_error(body, len, gerr, sizeof(gerr));

    if (status == 0) {
        out->result = TEAMS_NOTIFY_RETRY;
        out->error_code = "transient";
        snprintf(out->message, sizeof(out->message),
                 "no answer from Graph: %s", why ? why : "unknown error");
        return;
    }

    out->result = TEAMS_NOTIFY_FAILED;

    switch (status) {

    case 429:
        out->result = TEAMS_NOTIFY_RETRY;
        out->error_code = "graph_throttled";
        snprintf(out->message, sizeof(out->message),
                 "Graph throttled the request (429)%s", gerr);
        return;

    case 412:
        /* e.g. a token too close to expiry for the bulk call */
        out->result = TEAMS_NOTIFY_RETRY;
        out->error_code = "transient";
        out->forget_token = 1;
        snprintf(out->message, sizeof(out->message),
                 "Graph answered 412 Precondition Failed%s", gerr);
        return;

    case 401:
        out->result = TEAMS_NOTIFY_RETRY;
        out->error_code = "graph_unauthorized";
        out->forget_token = 1;
        snprintf(out->message, sizeof(out->message),
                 "Graph refused the app token (401)%s", gerr);
        return;

    case 403:
        out->error_code = "graph_unauthorized";
        snprintf(out->message, sizeof(out->message),
                 "Graph answered 403 Forbidden: the Teams app is not "
                 "installed for this user, or the app lacks "
                 "TeamsActivity.Send%s", gerr);
        return;

    case 404:
        out->error_code = "graph_not_found";
        snprintf(out->message, sizeof(out->message),
                 "Graph answered 404 Not Found: the Microsoft user does "
                 "not exist in the tenant%s", gerr);
        return;

    case 400:
    case 409:
        out->error_code = "package_misconfigured";
        snprintf(out->message, sizeof(out->message),
                 "Graph answered %ld: check the app manifest (activity "
                 "types, webApplicationInfo) and that one app uses this "
                 "Entra app id%s", status, gerr);
        return;
    }

    if (status >= 500) {
        out->result = TEAMS_NOTIFY_RETRY;
        out->error_code = "graph_server_error";
        snprintf(out->message, sizeof(out->message),
                 "Graph answered %ld%s", status, gerr);
        return;
    }

    out->error_code = "unknown";
    snprintf(out->message, sizeof(out->message), "Graph answered %ld%s",
             status, gerr);
}


unsigned
teams_notify_backoff_ms(unsigned attempt, long retry_after_s,
    unsigned base_ms, unsigned max_ms, unsigned rnd)
{
    unsigned long long  d;

    if (retry_after_s >= 0) {
        d = (unsigned long long) retry_after_s * 1000;

        /* Retry-After: 0 still waits a little, never a hot loop */
        if (d < 100) {
            d = 100;
        }

        return (unsigned) (d > max_ms ? max_ms : d);
    }

    if (attempt == 0) {
        attempt = 1;
    }

    d = base_ms;

    while (--attempt > 0 && d < max_ms) {
        d *= 2;
    }

    if (d > max_ms) {
        d = max_ms;
    }

    return (unsigned) (d / 2 + (d / 2 ? rnd % (d / 2 + 1) : 0));
}


static int
teams_notify_uuid_at(const char *p, char *id)
{
    if (!teams_is_uuid(p, strnlen(p, TEAMS_UUID_LEN))) {
        return 0;
    }

    memcpy(id, p, TEAMS_UUID_LEN);
    id[TEAMS_UUID_LEN] = '\0';

    return 1;
}


static const char *
teams_notify_param(const char *query, const char *name)
{
    size_t       len;
    const char  *p;

    if (query == NULL) {
        return NULL;
    }

    len = strlen(name);

    for (p = query + 1; p != NULL && *p; p = strchr(p, '&')) {
        if (*p == '&') {
            p++;
        }

        if (strncmp(p, name, len) == 0 && p[len] == '=') {
            return p + len + 1;
        }
    }

    return NULL;
}


static void
teams_notify_graph_error(const char *body, size_t len, char *buf,
    size_t size)
{
    char                 msg[420];
    const char          *err, *code, *m;
    teams_json_t        *doc;
    const teams_json_t  *e;

    buf[0] = '\0';

    if (body == NULL || len == 0) {
        return;
    }

    doc = teams_json_parse(body, len, 8, &err);
    if (doc == NULL) {
        return;
    }

    e = teams_json_get(doc, "error");
    code = e ? teams_json_str(e, "code", NULL) : NULL;
    m = e ? teams_json_str(e, "message", NULL) : NULL;

    if (code != NULL) {
        teams_notify_clip(msg, sizeof(msg), m ? m : "", 100);
        snprintf(buf, size, ": %.60s%s%s", code, msg[0] ? " - " : "", msg);
    }

    teams_json_free(doc);
}
