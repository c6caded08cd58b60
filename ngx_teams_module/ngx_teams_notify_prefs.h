
/*
 * A user's own notification categories from the bot: the "notifications"
 * command shows the card, its Save button (Action.Execute verb
 * "notifications_save") changes them.  The card and the reading of a
 * submission are plain C (src/notify/teams_notify_prefs.h); this is the
 * database side.
 *
 * Both calls are asynchronous and call done exactly once, later, never
 * from inside the call itself, when they return NGX_AGAIN; they return
 * NGX_ERROR (done is then never called) only when nothing could start.
 * tenant and user_id are the verified caller's PSA tenant and user (GUID
 * text; copied, they need not outlive the call).  done gets:
 *
 *   rc NGX_OK        card: the card with the user's current state (after a
 *                    save: the refreshed state, with "Saved.")
 *   rc NGX_DECLINED  (save only) the submission was not understood;
 *                    nothing was written; card: the current state with
 *                    the reason
 *   rc NGX_ERROR     the database failed or is unreachable; card NULL
 *
 * card is the AdaptiveCard JSON object itself (version 1.5), in r->pool,
 * ready to be the content of an
 * application/vnd.microsoft.card.adaptive attachment or an invoke
 * response's card value.  The caller finishes the request.
 */


#ifndef _NGX_TEAMS_NOTIFY_PREFS_H_INCLUDED_
#define _NGX_TEAMS_NOTIFY_PREFS_H_INCLUDED_


#include "ngx_teams_module.h"

#include "core/teams_json.h"


typedef void (*ngx_teams_notify_prefs_pt)(ngx_http_request_t *r,
    ngx_str_t *card, ngx_int_t rc);


ngx_int_t ngx_teams_notify_prefs_card(ngx_http_request_t *r,
    ngx_str_t *tenant, ngx_str_t *user_id, ngx_teams_notify_prefs_pt done);

/* data: the Action.Execute data (value.action.data), the inputs merged */
ngx_int_t ngx_teams_notify_prefs_save(ngx_http_request_t *r,
    ngx_str_t *tenant, ngx_str_t *user_id, const teams_json_t *data,
    ngx_teams_notify_prefs_pt done);


#endif /* _NGX_TEAMS_NOTIFY_PREFS_H_INCLUDED_ */
