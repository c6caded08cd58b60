
/*
 * The link resolver (see teams_links.h).
 */


#include <stdio.h>
#include <string.h>

#include "core/teams_url.h"
#include "psa/teams_links.h"


static size_t teams_link_entity(char *buf, size_t size,
    const teams_links_t *l, const char *web, size_t wlen, const char *ctx);


static size_t
teams_link_done(char *buf, size_t size, int n)
{
    if (n < 0 || (size_t) n >= size) {
        if (size) {
            buf[0] = '\0';
        }

        return 0;
    }

    return (size_t) n;
}


size_t
teams_link_psa(char *buf, size_t size, const teams_links_t *l,
    teams_target_e kind, const char *id, const char *extra)
{
    int          n;
    const char  *base;

    base = l->psa_base_url ? l->psa_base_url : "";

    switch (kind) {
    case TEAMS_TARGET_TICKET:
        n = snprintf(buf, size, "%s/msp/tickets/%s", base, id);
        break;
    case TEAMS_TARGET_TASK:
        n = snprintf(buf, size, "%s/msp/projects/%s?taskId=%s", base,
                     extra ? extra : "", id);
        break;
    case TEAMS_TARGET_CONTACT:
        n = snprintf(buf, size, "%s/msp/contacts/%s", base, id);
        break;
    case TEAMS_TARGET_APPROVAL:
        n = snprintf(buf, size, "%s/msp/time-sheet-approvals?approvalId=%s",
                     base, id);
        break;
    case TEAMS_TARGET_TIME_ENTRY:
        n = snprintf(buf, size, "%s/msp/time-entry?entryId=%s", base, id);
        break;
    default:
        n = -1;
    }

    return teams_link_done(buf, size, n);
}


size_t
teams_link_psa_home(char *buf, size_t size, const teams_links_t *l)
{
    return teams_link_done(buf, size,
                           snprintf(buf, size, "%s/msp/dashboard",
                                    l->psa_base_url ? l->psa_base_url : ""));
}


size_t
teams_link_teams(char *buf, size_t size, const teams_links_t *l,
    teams_target_e kind, const char *id, const char *extra)
{
    int     n;
    char    web[TEAMS_LINK_MAX], ctx[256];
    size_t  len;

    if (teams_target_name(kind) == NULL) {
        return teams_link_done(buf, size, -1);
    }

    len = teams_link_psa(web, sizeof(web), l, kind, id, extra);

    n = snprintf(ctx, sizeof(ctx), "{\"subEntityId\":\"%s:%s\"}",
                 teams_target_name(kind), id);

    if (len == 0 || n < 0 || (size_t) n >= sizeof(ctx)) {
        return teams_link_done(buf, size, -1);
    }

    return teams_link_entity(buf, size, l, web, len, ctx);
}


size_t
teams_link_teams_home(char *buf, size_t size, const teams_links_t *l)
{
    char    web[TEAMS_LINK_MAX];
    size_t  len;

    len = teams_link_psa_home(web, sizeof(web), l);
    if (len == 0) {
        return teams_link_done(buf, size, -1);
    }

    return teams_link_entity(buf, size, l, web, len, NULL);
}


/*
 * https://teams.microsoft.com/l/entity/<app>/<entity>?webUrl=<psa url>
 * [&context=<json>], every parameter percent-encoded
 */

static size_t
teams_link_entity(char *buf, size_t size, const teams_links_t *l,
    const char *web, size_t wlen, const char *ctx)
{
    int     n;
    char    web_enc[TEAMS_LINK_MAX], ctx_enc[512], app_enc[256];

    if (l->app_id == NULL || l->app_id[0] == '\0'
        || teams_percent_encode(web_enc, sizeof(web_enc), web, wlen,
                                TEAMS_URI_UNRESERVED) == (size_t) -1
        || teams_percent_encode(app_enc, sizeof(app_enc), l->app_id,
                                strlen(l->app_id), TEAMS_URI_UNRESERVED)
           == (size_t) -1
        || (ctx != NULL
            && teams_percent_encode(ctx_enc, sizeof(ctx_enc), ctx,
                                    strlen(ctx), TEAMS_URI_UNRESERVED)
               == (size_t) -1))
    {
        return teams_link_done(buf, size, -1);
    }

    n = snprintf(buf, size, "https://teams.microsoft.com/l/entity/%s/"
                 TEAMS_TAB_ENTITY_ID "?webUrl=%s%s%s", app_enc, web_enc,
                 ctx ? "&context=" : "", ctx ? ctx_enc : "");

    if (n > TEAMS_LINK_MAX) {
        n = -1;
    }

    return teams_link_done(buf, size, n);
}
