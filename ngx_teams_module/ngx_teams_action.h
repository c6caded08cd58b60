
/*
 * The action glue's entry point for the bot endpoint.
 */


#ifndef _NGX_TEAMS_ACTION_H_INCLUDED_
#define _NGX_TEAMS_ACTION_H_INCLUDED_


#include "ngx_teams_module.h"
#include "ngx_teams_identity.h"
#include "teams/teams_activity.h"


/*
 * Handles a verified activity of a known MSP user.  Returns the answer's
 * rc, or NGX_DONE when it finishes the request later itself.
 */
ngx_int_t ngx_teams_action_start(ngx_http_request_t *r, teams_activity_t *a,
    ngx_teams_identity_t *id);


#endif /* _NGX_TEAMS_ACTION_H_INCLUDED_ */
