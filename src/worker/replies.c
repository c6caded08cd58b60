
/*
 * Bot replies: teams:replies → the Bot Connector.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_json.h"
#include "core/teams_uuid.h"
#include "worker/log.h"
#include "worker/ms_token.h"
#include "worker/replies.h"
#include "worker/stream_trim.h"
#include "worker/worker.h"


/*
 * A reply that has to wait (Teams' pacing of its conversation, backoff
 * after a failure) stays pending in the stream and comes back with a sweep
 * of our pending entries (teams_stream_sweep), so that no other
 * conversation waits with it.  Its state is kept here meanwhile.  A reply
 * behind a waiting one of its conversation waits too: each conversation
 * keeps its order.
 */
typedef struct {
    char        id[48];          /* the stream entry */
    char        conversation[TEAMS_CONNECTOR_ID_MAX + 1];
    uint64_t    due;
    uint64_t    start;           /* its first turn */
    unsigned    attempts;
    unsigned    pass;            /* the sweep that last saw it */
    unsigned    forgot:1;        /* the token was renewed once */
} teams_reply_wait_t;


typedef struct {
    char        tenant[40];
    char        profile[40];
    char        service_url[TEAMS_CONNECTOR_URL_MAX + 1];
    char        conversation[TEAMS_CONNECTOR_ID_MAX + 1];
    char        reply_to[TEAMS_CONNECTOR_ID_MAX + 1];
    char        idempotency[TEAMS_REPLIES_IDEM_MAX + 1];
    redisReply *activity;
} teams_reply_t;


static const char *teams_replies_parse(teams_worker_t *wk,
    teams_stream_entry_t *entry, teams_reply_t *rp);
static int teams_replies_copy(teams_stream_entry_t *entry, const char *name,
    char *buf, size_t size, int required);
static int teams_replies_already_sent(teams_worker_t *wk, teams_reply_t *rp);
static void teams_replies_mark_sent(teams_worker_t *wk, teams_reply_t *rp);
static teams_stream_rc_e teams_replies_failed(teams_worker_t *wk,
    teams_stream_entry_t *entry, teams_reply_t *rp, long status,
    unsigned attempts, const char *reason);
static int teams_replies_wait(teams_worker_t *wk, unsigned ms);
static teams_reply_wait_t *teams_replies_waiting(const char *id,
    const char *conversation, uint64_t now, teams_reply_wait_t *here);
static teams_stream_rc_e teams_replies_later(teams_worker_t *wk,
    teams_stream_t *st, teams_stream_entry_t *entry, teams_reply_t *rp,
    teams_reply_wait_t *w, unsigned delay);
static void teams_replies_unwait(const char *id);
static teams_reply_wait_t *teams_replies_keep(teams_reply_wait_t *w);
static int teams_replies_before(const char *a, const char *b);
static teams_stream_rc_e teams_replies_give_up(teams_worker_t *wk,
    teams_stream_entry_t *entry, teams_reply_t *rp, long status,
    unsigned attempts, const char *reason);
static void teams_replies_attempt(teams_reply_wait_t *w);
static uint64_t teams_max_u64(uint64_t a, uint64_t b);


static teams_reply_wait_t  *teams_replies_waits;
static size_t               teams_replies_nwaits;
static size_t               teams_replies_nalloc;
static unsigned             teams_replies_pass;


teams_stream_rc_e
teams_replies_handler(teams_worker_t *wk, teams_stream_t *st,
    teams_stream_entry_t *entry)
{
    int                       status;
    char                      url[TEAMS_CONNECTOR_URL_MAX + 1024];
    char                      err[256], reason[300], gave_up[400];
    char                     *body;
    size_t                    len;
    unsigned                  delay;
    uint64_t                  now;
    const char               *why, *token;
    teams_reply_t             rp;
    teams_reply_wait_t        here, *w;
    teams_connector_result_t  res;

    memset(&rp, 0, sizeof(teams_reply_t));

    why = teams_replies_parse(wk, entry, &rp);
    if (why != NULL) {
        return teams_replies_give_up(wk, entry, &rp, 0, 0, why);
    }

    /* waiting, or behind a reply of its conversation that waits */

    now = teams_now_ms();
    w = teams_replies_waiting(entry->id, rp.conversation, now, &here);

    if (now < w->due) {
        teams_stream_sweep(st, w->due);
        return TEAMS_STREAM_KEEP;
    }

    why = teams_connector_url(url, sizeof(url), rp.service_url,
                              rp.conversation, rp.reply_to);
    if (why != NULL) {
        return teams_replies_give_up(wk, entry, &rp, 0, 0, why);
    }

    switch (teams_replies_already_sent(wk, &rp)) {

    case 1:
        teams_log_info("reply %s (entry %s) was sent before; skipped",
                       rp.idempotency, entry->id);
        teams_replies_unwait(entry->id);
        return TEAMS_STREAM_ACK;

    case -1:
        /* Redis failed: the entry stays pending for the next read */
        return TEAMS_STREAM_KEEP;
    }

    body = teams_replies_body(rp.activity->str, rp.activity->len,
                              rp.reply_to, &len, &why);
    if (body == NULL) {
        return teams_replies_give_up(wk, entry, &rp, 0, 0, why);
    }

    for ( ;; ) {
        token = teams_ms_token_get(wk->ms_tokens, rp.tenant, rp.profile,
                                   TEAMS_MS_SCOPE_BOT, &status, err,
                                   sizeof(err));

        if (token == NULL) {
            teams_replies_attempt(w);
            snprintf(reason, sizeof(reason), "bot token: %s", err);

            /* no answer or the endpoint's own trouble: worth a retry */

            memset(&res, 0, sizeof(teams_connector_result_t));
            res.retry_after = -1;

            if (status == 0 || status == 429 || status >= 500) {
                res.rc = TEAMS_CONNECTOR_TRANSPORT;

            } else {
                free(body);
                return teams_replies_give_up(wk, entry, &rp, status,
                                             w->attempts, reason);
            }

        } else {
            delay = teams_connector_pace_wait(wk->connector,
                                              rp.conversation,
                                              teams_now_ms());

            if (delay > 0) {
                /* Teams' limits for the conversation: not an attempt */
                free(body);
                return teams_replies_later(wk, st, entry, &rp, w, delay);
            }

            teams_replies_attempt(w);

            teams_connector_post(wk->connector, url, token, body, len, &res);

            /* every attempt counts against the conversation's limits */

            teams_connector_pace_sent(wk->connector, rp.conversation,
                                      teams_now_ms());

            snprintf(reason, sizeof(reason), "%s", res.reason);
        }

        switch (teams_replies_classify(&res)) {

        case TEAMS_REPLIES_DONE:
            free(body);
            teams_replies_mark_sent(wk, &rp);
            teams_log_info("reply %s (entry %s) sent to conversation %s: "
                           "HTTP %ld, attempt %u", rp.idempotency,
                           entry->id, rp.conversation, res.status,
                           w->attempts);
            teams_replies_unwait(entry->id);
            return TEAMS_STREAM_ACK;

        case TEAMS_REPLIES_STOP:
            free(body);
            return TEAMS_STREAM_KEEP;

        case TEAMS_REPLIES_NEW_TOKEN:
            if (!w->forgot) {
                w->forgot = 1;
                teams_ms_token_forget(wk->ms_tokens, rp.tenant, rp.profile,
                                      TEAMS_MS_SCOPE_BOT);
                teams_log_warn("reply %s: the Connector refused the bot "
                               "token; retrying with a new one",
                               rp.idempotency);
                continue;
            }

            /* fall through */

        case TEAMS_REPLIES_FAIL:
            free(body);
            return teams_replies_give_up(wk, entry, &rp, res.status,
                                         w->attempts, reason);

        case TEAMS_REPLIES_RETRY:
            break;
        }

        free(body);

        now = teams_now_ms();
        delay = teams_replies_delay(w->attempts, res.retry_after,
                                    (unsigned) random());

        if (w->attempts >= TEAMS_REPLIES_MAX_ATTEMPTS
            || now + delay > w->start + TEAMS_REPLIES_BUDGET_MS)
        {
            snprintf(gave_up, sizeof(gave_up),
                     "gave up after %u attempts in %llus: %s", w->attempts,
                     (unsigned long long) ((now - w->start) / 1000), reason);
            return teams_replies_give_up(wk, entry, &rp, res.status,
                                         w->attempts, gave_up);
        }

        teams_log_warn("reply %s: attempt %u failed (%s); retrying in "
                       "%u ms", rp.idempotency, w->attempts, reason, delay);

        return teams_replies_later(wk, st, entry, &rp, w, delay);
    }
}


teams_replies_verdict_e
teams_replies_classify(const teams_connector_result_t *res)
{
    switch (res->rc) {

    case TEAMS_CONNECTOR_SENT:
        return TEAMS_REPLIES_DONE;

    case TEAMS_CONNECTOR_STOPPED:
        return TEAMS_REPLIES_STOP;

    case TEAMS_CONNECTOR_TRANSPORT:
        return TEAMS_REPLIES_RETRY;

    case TEAMS_CONNECTOR_ANSWERED:
        break;
    }

    if (res->status == 401) {
        return TEAMS_REPLIES_NEW_TOKEN;
    }

    /* Teams asks to retry 429, 412, 502 and 504; other 5xx are transient */

    if (res->status == 429 || res->status == 412 || res->status >= 500) {
        return TEAMS_REPLIES_RETRY;
    }

    return TEAMS_REPLIES_FAIL;
}


unsigned
teams_replies_delay(unsigned attempt, long retry_after, unsigned rnd)
{
    unsigned  d, i;

    if (retry_after >= 0) {
        if (retry_after > TEAMS_REPLIES_RETRY_AFTER_MAX) {
            retry_after = TEAMS_REPLIES_RETRY_AFTER_MAX;
        }

        /* exactly as asked, but never a busy loop on "Retry-After: 0" */
        return retry_after == 0 ? 100 : (unsigned) retry_after * 1000;
    }

    d = TEAMS_REPLIES_BACKOFF_MIN_MS;

    for (i = 1; i < attempt && d < TEAMS_REPLIES_BACKOFF_MAX_MS; i++) {
        d *= 2;
    }

    if (d > TEAMS_REPLIES_BACKOFF_MAX_MS) {
        d = TEAMS_REPLIES_BACKOFF_MAX_MS;
    }

    /* jitter into [d/2, d]: workers retrying together spread out */

    return d / 2 + rnd % (d / 2 + 1);
}


char *
teams_replies_body(const char *activity, size_t len, const char *reply_to,
    size_t *out_len, const char **why)
{
    char          *out, *p;
    size_t         i, n, rlen;
    const char    *err;
    teams_json_t  *doc;
    unsigned       has, empty;

    doc = teams_json_parse(activity, len, 64, &err);
    if (doc == NULL) {
        *why = "activity is not JSON";
        return NULL;
    }

    if (doc->type != TEAMS_JSON_OBJECT) {
        teams_json_free(doc);
        *why = "activity is not a JSON object";
        return NULL;
    }

    has = teams_json_get(doc, "replyToId") != NULL;
    empty = doc->nchildren == 0;

    teams_json_free(doc);

    rlen = strlen(reply_to);

    /* room for "replyToId":"<each byte as \u00XX>", */

    out = malloc(len + 6 * rlen + 32);
    if (out == NULL) {
        *why = "out of memory";
        return NULL;
    }

    if (has || rlen == 0) {
        memcpy(out, activity, len);
        out[len] = '\0';
        *out_len = len;
        return out;
    }

    /* the parser accepted an object: its first non-blank byte is "{" */

    for (i = 0; i < len && activity[i] != '{'; i++) {
        /* void */
    }

    i++;

    memcpy(out, activity, i);
    p = out + i;

    p += sprintf(p, "\"replyToId\":\"");

    for (n = 0; n < rlen; n++) {
        if (reply_to[n] == '"' || reply_to[n] == '\\'
            || (unsigned char) reply_to[n] < 0x20)
        {
            p += sprintf(p, "\\u%04x", (unsigned char) reply_to[n]);

        } else {
            *p++ = reply_to[n];
        }
    }

    *p++ = '"';

    if (!empty) {
        *p++ = ',';
    }

    memcpy(p, activity + i, len - i);
    p += len - i;
    *p = '\0';

    *out_len = (size_t) (p - out);

    return out;
}


static const char *
teams_replies_parse(teams_worker_t *wk, teams_stream_entry_t *entry,
    teams_reply_t *rp)
{
    redisReply  *v;

    if (teams_replies_copy(entry, "tenant", rp->tenant, sizeof(rp->tenant),
                           1) != 0
        || !teams_is_uuid(rp->tenant, strlen(rp->tenant)))
    {
        return "field \"tenant\" missing or not a UUID";
    }

    if (teams_replies_copy(entry, "profile", rp->profile,
                           sizeof(rp->profile), 1) != 0
        || !teams_is_uuid(rp->profile, strlen(rp->profile)))
    {
        return "field \"profile\" missing or not a UUID";
    }

    if (teams_replies_copy(entry, "idempotency", rp->idempotency,
                           sizeof(rp->idempotency), 1) != 0)
    {
        return "field \"idempotency\" missing or too long";
    }

    if (teams_replies_copy(entry, "service_url", rp->service_url,
                           sizeof(rp->service_url), 1) != 0)
    {
        return "field \"service_url\" missing or too long";
    }

    if (teams_replies_copy(entry, "conversation", rp->conversation,
                           sizeof(rp->conversation), 1) != 0)
    {
        return "field \"conversation\" missing or too long";
    }

    if (teams_replies_copy(entry, "reply_to", rp->reply_to,
                           sizeof(rp->reply_to), 0) != 0)
    {
        return "field \"reply_to\" too long";
    }

    v = teams_stream_field(entry, "activity");

    if (v == NULL || v->type != REDIS_REPLY_STRING || v->len == 0
        || v->len > TEAMS_REPLIES_ACTIVITY_MAX)
    {
        return "field \"activity\" missing or too long";
    }

    rp->activity = v;

    /* where the bot token would go: checked before anything is fetched */

    if (!teams_connector_allowed(wk->connector, rp->service_url)) {
        return "serviceUrl is not on an allowed Bot Connector host "
               "(connector_hosts); refused";
    }

    return NULL;
}


static int
teams_replies_copy(teams_stream_entry_t *entry, const char *name, char *buf,
    size_t size, int required)
{
    redisReply  *v;

    buf[0] = '\0';

    v = teams_stream_field(entry, name);

    if (v == NULL || v->type != REDIS_REPLY_STRING || v->len == 0) {
        return required ? -1 : 0;
    }

    /* NUL inside would make the C string another value */

    if (v->len >= size || memchr(v->str, '\0', v->len) != NULL) {
        return -1;
    }

    memcpy(buf, v->str, v->len);
    buf[v->len] = '\0';

    return 0;
}


static int
teams_replies_already_sent(teams_worker_t *wk, teams_reply_t *rp)
{
    int          rc;
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis, "EXISTS " TEAMS_REPLIES_SENT_PREFIX
                                 "%s:%s", rp->tenant, rp->idempotency);
    if (r == NULL) {
        return -1;
    }

    rc = (r->type == REDIS_REPLY_INTEGER && r->integer == 1);

    freeReplyObject(r);

    return rc;
}


static void
teams_replies_mark_sent(teams_worker_t *wk, teams_reply_t *rp)
{
    redisReply  *r;

    r = teams_redis_link_command(&wk->redis, "SET " TEAMS_REPLIES_SENT_PREFIX
                                 "%s:%s 1 EX %d", rp->tenant,
                                 rp->idempotency, TEAMS_REPLIES_SENT_TTL);
    if (r != NULL) {
        freeReplyObject(r);
    }
}


static teams_stream_rc_e
teams_replies_failed(teams_worker_t *wk, teams_stream_entry_t *entry,
    teams_reply_t *rp, long status, unsigned attempts, const char *reason)
{
    char         st[24], at[24];
    redisReply  *r;

    teams_log_error("reply %s (entry %s, tenant %s, conversation %s) "
                    "failed: %s",
                    rp->idempotency[0] ? rp->idempotency : "-", entry->id,
                    rp->tenant[0] ? rp->tenant : "-",
                    rp->conversation[0] ? rp->conversation : "-", reason);

    snprintf(st, sizeof(st), "%ld", status);
    snprintf(at, sizeof(at), "%u", attempts);

    r = teams_redis_link_command(&wk->redis,
            "XADD " TEAMS_REPLIES_FAILED_STREAM " MAXLEN ~ "
            TEAMS_REPLIES_FAILED_MAXLEN " * tenant %s profile %s "
            "conversation %s idempotency %s status %s reason %s "
            "attempts %s entry %s",
            rp->tenant, rp->profile, rp->conversation, rp->idempotency,
            st, reason, at, entry->id);

    if (r == NULL) {
        /* not recorded: keep it pending, it is decided again later */
        return TEAMS_STREAM_KEEP;
    }

    if (r->type == REDIS_REPLY_ERROR) {
        teams_log_error("XADD " TEAMS_REPLIES_FAILED_STREAM ": %s", r->str);
    }

    freeReplyObject(r);

    return TEAMS_STREAM_ACK;
}


/*
 * The entry's waiting state: its own from the table, else here (cleared,
 * for its first turn).  While an earlier reply of its conversation is in
 * the table, it waits for that one: due is then at least that one's, and
 * never now, so that the sweep takes the earlier one first.
 */
static teams_reply_wait_t *
teams_replies_waiting(const char *id, const char *conversation, uint64_t now,
    teams_reply_wait_t *here)
{
    size_t               i;
    uint64_t             behind;
    teams_reply_wait_t  *own, *w;

    own = NULL;
    behind = 0;

    for (i = 0; i < teams_replies_nwaits; i++) {
        w = &teams_replies_waits[i];

        if (strcmp(w->id, id) == 0) {
            own = w;

        } else if (strcmp(w->conversation, conversation) == 0
                   && teams_replies_before(w->id, id))
        {
            behind = teams_max_u64(behind, teams_max_u64(w->due, now + 1));
        }
    }

    if (own == NULL) {
        memset(here, 0, sizeof(teams_reply_wait_t));
        snprintf(here->id, sizeof(here->id), "%s", id);
        snprintf(here->conversation, sizeof(here->conversation), "%s",
                 conversation);

        if (behind == 0) {
            return here;
        }

        /* kept like any wait, with no attempt made */
        own = teams_replies_keep(here);
        if (own == NULL) {
            /* out of memory: it goes now, the order notwithstanding */
            return here;
        }
    }

    own->pass = teams_replies_pass;

    if (behind > own->due) {
        own->due = behind;
    }

    return own;
}


static teams_stream_rc_e
teams_replies_later(teams_worker_t *wk, teams_stream_t *st,
    teams_stream_entry_t *entry, teams_reply_t *rp, teams_reply_wait_t *w,
    unsigned delay)
{
    teams_reply_wait_t  *kept;

    w->due = teams_now_ms() + delay;

    kept = teams_replies_keep(w);

    if (kept == NULL) {
        /* out of memory: wait in place, as a last resort */
        if (teams_replies_wait(wk, delay) != 0) {
            return TEAMS_STREAM_KEEP;
        }

        teams_stream_sweep(st, teams_now_ms());
        return TEAMS_STREAM_KEEP;
    }

    teams_log_debug("reply %s (entry %s): waits %u ms", rp->idempotency,
                    entry->id, delay);

    teams_stream_sweep(st, kept->due);

    return TEAMS_STREAM_KEEP;
}


/* w itself when it is in the table already, else a copy put there */
static teams_reply_wait_t *
teams_replies_keep(teams_reply_wait_t *w)
{
    size_t               n;
    teams_reply_wait_t  *a;

    if (w >= teams_replies_waits
        && w < teams_replies_waits + teams_replies_nwaits)
    {
        return w;
    }

    if (teams_replies_nwaits == teams_replies_nalloc) {
        n = teams_replies_nalloc ? 2 * teams_replies_nalloc : 16;

        a = realloc(teams_replies_waits, n * sizeof(teams_reply_wait_t));
        if (a == NULL) {
            teams_log_error("out of memory for a waiting reply");
            return NULL;
        }

        teams_replies_waits = a;
        teams_replies_nalloc = n;
    }

    teams_replies_waits[teams_replies_nwaits] = *w;
    teams_replies_waits[teams_replies_nwaits].pass = teams_replies_pass;

    return &teams_replies_waits[teams_replies_nwaits++];
}


/* a failure recorded ends the wait; one not recorded stays pending */
static teams_stream_rc_e
teams_replies_give_up(teams_worker_t *wk, teams_stream_entry_t *entry,
    teams_reply_t *rp, long status, unsigned attempts, const char *reason)
{
    teams_stream_rc_e  rc;

    rc = teams_replies_failed(wk, entry, rp, status, attempts, reason);

    if (rc == TEAMS_STREAM_ACK) {
        teams_replies_unwait(entry->id);
    }

    return rc;
}


/* the budget runs from the first attempt, not from a wait behind another */
static void
teams_replies_attempt(teams_reply_wait_t *w)
{
    if (w->attempts++ == 0) {
        w->start = teams_now_ms();
    }
}


/*
 * A sweep has read every pending entry: a waiting state it did not see
 * belongs to an entry no longer pending (deleted, or the group made anew
 * on an empty server), and would hold its conversation for ever.
 */
void
teams_replies_swept(teams_worker_t *wk, teams_stream_t *st)
{
    size_t  i;

    i = 0;

    while (i < teams_replies_nwaits) {
        if (teams_replies_waits[i].pass != teams_replies_pass) {
            teams_log_warn("reply entry %s is no longer pending; "
                           "forgotten", teams_replies_waits[i].id);
            teams_replies_waits[i] =
                teams_replies_waits[--teams_replies_nwaits];
            continue;
        }

        i++;
    }

    teams_replies_pass++;
}


static uint64_t
teams_max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}


/* the entry is done with (sent, failed, or not ours to wait for) */
static void
teams_replies_unwait(const char *id)
{
    size_t  i;

    for (i = 0; i < teams_replies_nwaits; i++) {
        if (strcmp(teams_replies_waits[i].id, id) == 0) {
            teams_replies_waits[i] =
                teams_replies_waits[--teams_replies_nwaits];
            return;
        }
    }
}


/* stream entry ids in stream order */
static int
teams_replies_before(const char *a, const char *b)
{
    teams_stream_id_t  x, y;

    if (teams_stream_id_parse(a, strlen(a), &x) != 0
        || teams_stream_id_parse(b, strlen(b), &y) != 0)
    {
        return 0;
    }

    return teams_stream_id_cmp(&x, &y) < 0;
}


static int
teams_replies_wait(teams_worker_t *wk, unsigned ms)
{
    uint64_t  until, now;

    until = teams_now_ms() + ms;

    /* signals cut teams_sleep_ms() short: stop waits no longer */

    for ( ;; ) {
        if (*wk->stop) {
            return -1;
        }

        now = teams_now_ms();

        if (now >= until) {
            return 0;
        }

        teams_sleep_ms((unsigned) (until - now));
    }
}
