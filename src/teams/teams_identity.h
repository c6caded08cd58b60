
/*
 * Who is calling: from the application a token is for, the caller's
 * Microsoft tenant and Entra object id, to exactly one PSA tenant and one
 * MSP user -- or a refusal that says which of the ways it failed, in words
 * a Teams user or an admin can act on.  The glue fetches the rows (one
 * statement, see ngx_teams_identity.c); the decision is here.
 */


#ifndef _TEAMS_IDENTITY_H_INCLUDED_
#define _TEAMS_IDENTITY_H_INCLUDED_


#include <stddef.h>


typedef enum {
    TEAMS_ID_OK = 0,
    TEAMS_ID_UNKNOWN_APP,         /* no profile has this client id */
    TEAMS_ID_WRONG_TENANT,        /* none for this Microsoft tenant */
    TEAMS_ID_AMBIGUOUS,           /* more than one PSA tenant would do */
    TEAMS_ID_NOT_CONFIGURED,      /* no active Teams integration */
    TEAMS_ID_PROFILE_NOT_READY,   /* archived, or no secret */
    TEAMS_ID_UNKNOWN_USER,
    TEAMS_ID_AMBIGUOUS_USER,
    TEAMS_ID_CLIENT_USER,
    TEAMS_ID_INACTIVE_USER,
    TEAMS_ID_NO_USER_ID           /* the caller sent no Entra object id */
} teams_identity_e;


/* one microsoft_profiles row with the same client id, and its joins */
typedef struct {
    const char    *tenant;          /* PSA tenant */
    const char    *profile_id;
    const char    *ms_tenant;       /* microsoft_profiles.tenant_id */
    const char    *install_status;  /* NULL: no teams_integrations row */
    const char    *user_id;         /* NULL: not linked */
    const char    *user_type;
    unsigned       archived:1;
    unsigned       has_secret:1;
    unsigned       bound:1;         /* the tenant's Teams binding */
    unsigned       inactive:1;
    unsigned       nusers:2;        /* 0, 1, or 2 meaning "more" */
} teams_identity_row_t;


/*
 * Decides from the rows for a client id.  *chosen is the row index the
 * answer is about (OK and the per-tenant refusals), or -1.
 */
teams_identity_e teams_identity_decide(const teams_identity_row_t *rows,
    size_t n, const char *ms_tenant, int *chosen);

int teams_identity_http_status(teams_identity_e rc);
const char *teams_identity_code(teams_identity_e rc);
const char *teams_identity_message(teams_identity_e rc);


#endif /* _TEAMS_IDENTITY_H_INCLUDED_ */
