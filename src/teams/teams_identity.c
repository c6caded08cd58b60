
/*
 * The identity decision.  Fails closed: anything unexpected (two tenants
 * claiming one app, a user linked twice, an integration in any state but
 * active) is a refusal, never a best guess.
 */


#include <strings.h>
#include <string.h>

#include "teams/teams_identity.h"


typedef struct {
    int            status;
    const char    *code;
    const char    *message;
} teams_identity_answer_t;


static const teams_identity_answer_t  teams_identity_answers[] = {
    /* TEAMS_ID_OK */
    { 200, "ok", "ok" },

    /* TEAMS_ID_UNKNOWN_APP */
    { 401, "invalid_token",
      "This request was not issued for a Teams app set up in the PSA." },

    /* TEAMS_ID_WRONG_TENANT */
    { 403, "wrong_tenant",
      "Your Microsoft 365 organization is not the one this PSA's Teams app "
      "is set up for. Ask your PSA administrator to check the Microsoft "
      "tenant of the Teams profile." },

    /* TEAMS_ID_AMBIGUOUS */
    { 403, "ambiguous_tenant",
      "This Teams app is set up in more than one PSA tenant for your "
      "organization, so the PSA cannot tell which one you mean. Ask your "
      "PSA administrator to keep it in one." },

    /* TEAMS_ID_NOT_CONFIGURED */
    { 403, "integration_not_configured",
      "Teams is not set up for your PSA yet. Ask your PSA administrator to "
      "finish the Teams setup and activate it." },

    /* TEAMS_ID_PROFILE_NOT_READY */
    { 403, "profile_not_ready",
      "The Microsoft profile behind this Teams app is archived or "
      "incomplete. Ask your PSA administrator to check the Teams settings." },

    /* TEAMS_ID_UNKNOWN_USER */
    { 403, "user_not_linked",
      "Your Teams account is not linked to a PSA user. Sign in to the PSA "
      "with Microsoft once, or ask your PSA administrator to link it." },

    /* TEAMS_ID_AMBIGUOUS_USER */
    { 403, "user_ambiguous",
      "Your Teams account is linked to more than one PSA user. Ask your PSA "
      "administrator to keep one link." },

    /* TEAMS_ID_CLIENT_USER */
    { 403, "client_user",
      "This app is for your service provider's staff. Client portal "
      "accounts cannot use it." },

    /* TEAMS_ID_INACTIVE_USER */
    { 403, "user_inactive",
      "Your PSA account is inactive. Ask your PSA administrator to "
      "reactivate it." },

    /* TEAMS_ID_NO_USER_ID */
    { 403, "user_not_identified",
      "Teams did not say who you are (no Entra object id). Open the app "
      "from Teams signed in with your work account." }
};


teams_identity_e
teams_identity_decide(const teams_identity_row_t *rows, size_t n,
    const char *ms_tenant, int *chosen)
{
    int                          pick;
    size_t                       i, nmatch, nbound;
    const teams_identity_row_t  *r;

    *chosen = -1;

    if (n == 0) {
        return TEAMS_ID_UNKNOWN_APP;
    }

    nmatch = 0;
    nbound = 0;
    pick = -1;

    for (i = 0; i < n; i++) {
        if (ms_tenant == NULL || rows[i].ms_tenant == NULL
            || strcasecmp(rows[i].ms_tenant, ms_tenant) != 0)
        {
            continue;
        }

        nmatch++;

        if (rows[i].bound) {
            nbound++;
            pick = i;

        } else if (nbound == 0) {
            pick = i;
        }
    }

    if (nmatch == 0) {
        return TEAMS_ID_WRONG_TENANT;
    }

    if (nbound > 1) {
        return TEAMS_ID_AMBIGUOUS;
    }

    *chosen = pick;
    r = &rows[pick];

    if (!r->bound || r->install_status == NULL
        || strcmp(r->install_status, "active") != 0)
    {
        return TEAMS_ID_NOT_CONFIGURED;
    }

    if (r->archived || !r->has_secret) {
        return TEAMS_ID_PROFILE_NOT_READY;
    }

    if (r->nusers == 0 || r->user_id == NULL) {
        return TEAMS_ID_UNKNOWN_USER;
    }

    if (r->nusers > 1) {
        return TEAMS_ID_AMBIGUOUS_USER;
    }

    if (r->user_type == NULL || strcmp(r->user_type, "internal") != 0) {
        return TEAMS_ID_CLIENT_USER;
    }

    if (r->inactive) {
        return TEAMS_ID_INACTIVE_USER;
    }

    return TEAMS_ID_OK;
}


int
teams_identity_http_status(teams_identity_e rc)
{
    return teams_identity_answers[rc].status;
}


const char *
teams_identity_code(teams_identity_e rc)
{
    return teams_identity_answers[rc].code;
}


const char *
teams_identity_message(teams_identity_e rc)
{
    return teams_identity_answers[rc].message;
}
