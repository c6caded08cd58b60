
/*
 * GET /api/teams/admin/deliveries: the tenant's notification delivery
 * records (teams_notification_deliveries), newest first, with filters
 *
 *   status           skipped | sent | delivered | failed
 *   category         assignment | customer_reply | approval_request |
 *                    escalation | sla_risk
 *   user_id          the recipient (a PSA user id)
 *   notification_id  the internal_notifications id
 *   since, until     RFC 3339 date-times: since <= created_at < until
 *   limit            1..200 (50)
 *   cursor           next_cursor of the previous page (keyset pagination
 *                    on (created_at, delivery_id), stable under inserts)
 *
 * Every filter is checked here (422 with one message per bad field; an
 * unknown or repeated parameter is refused too).  One statement, scoped by
 * the caller's tenant ($1), also writes the success audit row.
 */


#include "ngx_teams_admin.h"

#include "notify/teams_notify_filter.h"


#define NGX_TEAMS_DTS(x)                                                      \
    "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define NGX_TEAMS_DELIVERIES_MAX_ARGS  16


static const char  ngx_teams_admin_sql_deliveries[] =
    "WITH a AS (INSERT INTO teams_admin_audit_events (tenant,"
    " actor_user_id, api_key_id, method, route, target_type, target_id,"
    " result_status, http_status) SELECT $1::uuid, $2::uuid, $3::uuid,"
    " $4::text, $5::text, 'delivery', NULL, 'success', 200)"
    " SELECT d.delivery_id::text, d.internal_notification_id::text,"
    "  CASE WHEN d.idempotency_key LIKE 'teams-notify:%'"
    "       THEN split_part(d.idempotency_key, ':', 3) END,"
    "  d.category, d.destination_type, d.destination_id, d.attempt_number,"
    "  d.idempotency_key, d.status, d.error_code, d.error_message,"
    "  d.retryable, d.provider_message_id, d.provider_request_id, "
    NGX_TEAMS_DTS("d.sent_at") ", " NGX_TEAMS_DTS("d.delivered_at") ", "
    NGX_TEAMS_DTS("d.responded_at") ", " NGX_TEAMS_DTS("d.created_at") ","
    "  ((extract(epoch FROM d.created_at) * 1000000)::bigint)::text"
    "  || '_' || d.delivery_id::text"
    " FROM teams_notification_deliveries d"
    " WHERE d.tenant = $1::uuid"
    "  AND ($6::text IS NULL OR d.status = $6::text)"
    "  AND ($7::text IS NULL OR d.category = $7::text)"
    "  AND ($8::uuid IS NULL OR (d.internal_notification_id IS NOT NULL"
    "       AND d.idempotency_key = teams_notify_idempotency_key("
    "           d.internal_notification_id, $8::uuid)))"
    "  AND ($9::timestamptz IS NULL OR d.created_at >= $9::timestamptz)"
    "  AND ($10::timestamptz IS NULL OR d.created_at < $10::timestamptz)"
    "  AND ($11::uuid IS NULL OR d.internal_notification_id = $11::uuid)"
    "  AND ($12::bigint IS NULL OR (d.created_at, d.delivery_id) <"
    "       ('epoch'::timestamptz + $12::bigint * interval '1 microsecond',"
    "        $13::uuid))"
    " ORDER BY d.created_at DESC, d.delivery_id DESC"
    " LIMIT $14::int + 1";


typedef struct {
    const char  *name;
    ngx_uint_t   param;       /* index in ctx->params */
} ngx_teams_delivery_filter_t;


static const ngx_teams_delivery_filter_t  ngx_teams_delivery_filters[] = {
    { "status", 5 },
    { "category", 6 },
    { "user_id", 7 },
    { "since", 8 },
    { "until", 9 },
    { "notification_id", 10 },
    { "cursor", 11 },
    { "limit", 13 },
    { NULL, 0 }
};


static void ngx_teams_admin_deliveries_done(ngx_teams_admin_ctx_t *ctx,
    PGresult *res);
static const char *ngx_teams_admin_delivery_check(ngx_teams_admin_ctx_t *ctx,
    ngx_uint_t param, char *v, size_t len);


void
ngx_teams_admin_deliveries(ngx_teams_admin_ctx_t *ctx)
{
    u_char                             *p, *end, *amp, *eq, *dst, *src;
    size_t                              klen;
    ngx_uint_t                          i, seen;
    const char                         *err;
    char                               *k, *v;
    ngx_http_request_t                 *r;
    const ngx_teams_delivery_filter_t  *f;

    r = ctx->request;
    ctx->target_type = "delivery";

    for (i = 5; i < 14; i++) {
        ctx->params[i] = NULL;
    }

    seen = 0;
    p = r->args.data;
    end = r->args.data + r->args.len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            p++;
            continue;
        }

        eq = ngx_strlchr(p, amp, '=');
        klen = (eq ? eq : amp) - p;

        /* both unescaped into NUL-terminated copies */

        k = ngx_pnalloc(r->pool, klen + 1);
        v = ngx_pnalloc(r->pool, (eq ? amp - eq : 0) + 1);
        if (k == NULL || v == NULL) {
            ngx_teams_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        src = p;
        dst = (u_char *) k;
        ngx_unescape_uri(&dst, &src, klen, 0);
        *dst = '\0';
        klen = dst - (u_char *) k;

        dst = (u_char *) v;

        if (eq) {
            src = eq + 1;
            ngx_unescape_uri(&dst, &src, amp - eq - 1, 0);
        }

        *dst = '\0';

        p = amp + 1;

        for (f = ngx_teams_delivery_filters; f->name; f++) {
            if (ngx_strlen(f->name) == klen
                && ngx_strncmp(f->name, k, klen) == 0)
            {
                break;
            }
        }

        if (f->name == NULL) {
            ngx_teams_admin_field(ctx, "query", "has an unknown parameter "
                                  "(status, category, user_id, since, "
                                  "until, notification_id, limit, cursor)");
            continue;
        }

        if (seen & (1 << (f - ngx_teams_delivery_filters))) {
            ngx_teams_admin_field(ctx, f->name, "is given twice");
            continue;
        }

        seen |= 1 << (f - ngx_teams_delivery_filters);

        err = ngx_teams_admin_delivery_check(ctx, f->param, v,
                                             dst - (u_char *) v);
        if (err != NULL) {
            ngx_teams_admin_field(ctx, f->name, err);
        }
    }

    if (ctx->nfields) {
        ngx_teams_admin_fail_fields(ctx);
        return;
    }

    if (ctx->params[13] == NULL) {
        ctx->params[13] = "50";
    }

    ngx_teams_admin_run(ctx, ngx_teams_admin_sql_deliveries, 14,
                        ngx_teams_admin_deliveries_done);
}


/* NULL when good (the value is then in ctx->params), else the message */
static const char *
ngx_teams_admin_delivery_check(ngx_teams_admin_ctx_t *ctx, ngx_uint_t param,
    char *v, size_t len)
{
    char  *us, *id;

    if (len == 0) {
        return "must not be empty";
    }

    switch (param) {

    case 5:
        if (teams_admin_in_set(teams_notify_statuses, v, len) < 0) {
            return "must be one of skipped, sent, delivered, failed";
        }

        break;

    case 6:
        if (teams_admin_in_set(teams_admin_categories, v, len) < 0) {
            return "must be one of assignment, customer_reply, "
                   "approval_request, escalation, sla_risk";
        }

        break;

    case 7:
    case 10:
        if (teams_admin_guid_lower(v, len, v) != 0) {
            return "must be a GUID";
        }

        break;

    case 8:
    case 9:
        if (!teams_notify_rfc3339(v, len)) {
            return "must be an RFC 3339 date-time with an offset, e.g. "
                   "2024-05-01T10:20:30Z";
        }

        break;

    case 11:
        us = ngx_pnalloc(ctx->request->pool, 21);
        id = ngx_pnalloc(ctx->request->pool, NGX_TEAMS_UUID_LEN + 1);
        if (us == NULL || id == NULL) {
            return "cannot be read";
        }

        if (teams_notify_cursor_parse(v, len, us, id) != 0) {
            return "is not a cursor of this API (use next_cursor)";
        }

        ctx->params[11] = us;
        ctx->params[12] = id;

        return NULL;

    case 13:
        if (teams_notify_page_size(v, len) < 0) {
            return "must be a number from 1 to 200";
        }

        break;
    }

    ctx->params[param] = v;

    return NULL;
}


static void
ngx_teams_admin_deliveries_done(ngx_teams_admin_ctx_t *ctx, PGresult *res)
{
    int          row, rows, limit, c;
    teams_jw_t   w;
    const char  *next;

    static const char  *names[] = {
        "delivery_id", "internal_notification_id", "user_id", "category",
        "destination_type", "destination_id", "attempt_number",
        "idempotency_key", "status", "error_code", "error_message",
        "retryable", "provider_message_id", "provider_request_id",
        "sent_at", "delivered_at", "responded_at", "created_at"
    };

    limit = ngx_atoi((u_char *) ctx->params[13],
                     ngx_strlen(ctx->params[13]));
    rows = PQntuples(res);
    next = NULL;

    if (rows > limit) {
        rows = limit;
        next = PQgetvalue(res, limit - 1, 18);
    }

    ngx_teams_jw_init(ctx->request, &w);

    teams_jw_object(&w);
    teams_jw_key(&w, "deliveries");
    teams_jw_array(&w);

    for (row = 0; row < rows; row++) {
        teams_jw_object(&w);

        for (c = 0; c < 18; c++) {
            teams_jw_key(&w, names[c]);

            if (PQgetisnull(res, row, c)) {
                teams_jw_null(&w);

            } else if (c == 6) {
                teams_jw_int(&w, ngx_atoi((u_char *) PQgetvalue(res, row, c),
                                          PQgetlength(res, row, c)));

            } else if (c == 11) {
                teams_jw_bool(&w, PQgetvalue(res, row, c)[0] == 't');

            } else {
                teams_jw_str(&w, PQgetvalue(res, row, c));
            }
        }

        teams_jw_end(&w);
    }

    teams_jw_end(&w);
    teams_jw_kstr(&w, "next_cursor", next);
    teams_jw_end(&w);

    ngx_teams_admin_reply(ctx, NGX_HTTP_OK, &w);
}
