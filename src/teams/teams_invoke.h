
/*
 * Invoke activities: which surface an invoke belongs to, and its value
 * read into the registry's arguments.  A value that is not what Teams
 * sends for that name is refused with a reason (the glue answers 400).
 */


#ifndef _TEAMS_INVOKE_H_INCLUDED_
#define _TEAMS_INVOKE_H_INCLUDED_


#include "core/teams_json.h"
#include "core/teams_jw.h"
#include "psa/teams_action.h"
#include "teams/teams_activity.h"


typedef enum {
    TEAMS_INVOKE_MESSAGE = 0,    /* a bot message (not an invoke) */
    TEAMS_INVOKE_INSTALL,        /* conversationUpdate, installationUpdate */
    TEAMS_INVOKE_UNSUPPORTED,    /* 501 */
    TEAMS_INVOKE_EMPTY_OK,       /* the documented empty 200 */
    TEAMS_INVOKE_ME_QUERY,
    TEAMS_INVOKE_ME_FETCH,
    TEAMS_INVOKE_ME_SUBMIT,
    TEAMS_INVOKE_TASK_FETCH,
    TEAMS_INVOKE_TASK_SUBMIT,
    TEAMS_INVOKE_CARD_ACTION
} teams_invoke_e;


typedef struct {
    teams_action_e       action;
    teams_target_e       target;
    teams_args_t         args;
    const char          *idem;       /* the form's nonce, or NULL */
    const char          *intro;      /* a line above a prefilled form */
    unsigned             form:1;     /* open the form, do not run */
    unsigned             cancel:1;

    char                 text[8192];
    char                 title[256];
    char                 source[2048];
    char                 count[16];
    char                 skip[16];
} teams_invoke_t;


teams_invoke_e teams_invoke_route(const teams_activity_t *a);

/* NULL, or why the value is malformed */
const char *teams_invoke_read(const teams_activity_t *a,
    teams_invoke_e route, teams_invoke_t *inv);

/* an installationUpdate "add" or a conversationUpdate adding the bot */
int teams_invoke_is_install_add(const teams_activity_t *a);

/* writes a parsed JSON value back out */
void teams_invoke_copy_json(teams_jw_t *w, const teams_json_t *v);


#endif /* _TEAMS_INVOKE_H_INCLUDED_ */
