
/*
 * The link resolver (see teams_links.h).
 */


#include <stdio.h>
#include <string.h>

#include "psa/teams_links.h"


size_t
teams_uri_encode(char *buf, size_t size, const char *s, size_t len)
{
    size_t                n, i;
    unsigned char         c;
    static const char     hex[] = "0123456789ABCDEF";

    n = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
            || c == '~')
        {
            if (n + 1 >= size) {
                return 0;
            }

            buf[n++] = (char) c;

        } else {
            if (n + 3 >= size) {
                return 0;
            }

            buf[n++] = '%';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 0x0f];
        }
    }

    if (n >= size) {
        return 0;
    }

    buf[n] = '\0';

    return n;
}


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
    char    web[TEAMS_LINK_MAX], web_enc[TEAMS_LINK_MAX];
    char    ctx[256], ctx_enc[512], app_enc[256];
    size_t  len;

    if (l->app_id == NULL || l->app_id[0] == '\0'
        || teams_target_name(kind) == NULL)
    {
        return teams_link_done(buf, size, -1);
    }

    len = teams_link_psa(web, sizeof(web), l, kind, id, extra);
    if (len == 0 || teams_uri_encode(web_enc, sizeof(web_enc), web, len) == 0)
    {
        return teams_link_done(buf, size, -1);
    }

    n = snprintf(ctx, sizeof(ctx), "{\"subEntityId\":\"%s:%s\"}",
                 teams_target_name(kind), id);
    if (n < 0 || (size_t) n >= sizeof(ctx)
        || teams_uri_encode(ctx_enc, sizeof(ctx_enc), ctx, n) == 0
        || teams_uri_encode(app_enc, sizeof(app_enc), l->app_id,
                            strlen(l->app_id)) == 0)
    {
        return teams_link_done(buf, size, -1);
    }

    n = snprintf(buf, size, "https://teams.microsoft.com/l/entity/%s/"
                 TEAMS_TAB_ENTITY_ID "?webUrl=%s&context=%s", app_enc,
                 web_enc, ctx_enc);

    if (n > TEAMS_LINK_MAX) {
        n = -1;
    }

    return teams_link_done(buf, size, n);
}
