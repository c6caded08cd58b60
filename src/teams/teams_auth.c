
/*
 * Token checks by use.  serviceUrl matters twice: the token must have been
 * issued for the activity's serviceUrl (or a stolen token could be replayed
 * with a serviceUrl of the thief's), and the host must be one we trust
 * (our bot token is later sent there).
 */


#include <string.h>
#include <strings.h>

#include "core/teams_url.h"
#include "jwt/teams_jwt.h"
#include "teams/teams_auth.h"


static int teams_auth_loopback(const char *host, size_t len);
static int teams_auth_has_scope(const char *scp, const char *want);


teams_auth_e
teams_auth_botframework(const teams_claims_t *c, const teams_jwk_t *key,
    const teams_activity_t *a, const teams_str_t *hosts, size_t nhosts,
    const char **reason)
{
    if (c->iss == NULL || strcmp(c->iss, TEAMS_BOTFRAMEWORK_ISSUER) != 0) {
        *reason = "issuer is not the Bot Framework";
        return TEAMS_AUTH_BAD_ISSUER;
    }

    if (c->naud != 1 || c->aud[0][0] == '\0') {
        *reason = "token must have exactly one audience";
        return TEAMS_AUTH_BAD_AUDIENCE;
    }

    if (c->serviceurl == NULL
        || strlen(c->serviceurl) != a->service_url.len
        || memcmp(c->serviceurl, a->service_url.str, a->service_url.len)
           != 0)
    {
        *reason = "serviceurl claim does not match the activity";
        return TEAMS_AUTH_SERVICE_URL_MISMATCH;
    }

    if (!teams_auth_service_url_allowed(a->service_url.str,
                                        a->service_url.len, hosts, nhosts))
    {
        *reason = "serviceUrl host is not an allowed Bot Connector host";
        return TEAMS_AUTH_SERVICE_URL_NOT_ALLOWED;
    }

    if (!teams_jwk_endorses(key, a->channel_id.str, a->channel_id.len)) {
        *reason = "signing key is not endorsed for the channel";
        return TEAMS_AUTH_NOT_ENDORSED;
    }

    return TEAMS_AUTH_OK;
}


int
teams_auth_service_url_allowed(const char *url, size_t len,
    const teams_str_t *hosts, size_t nhosts)
{
    size_t       i, hlen;
    const char  *host;

    if (teams_url_check(url, len) != NULL) {
        return 0;
    }

    if (!teams_url_host(url, len, &host, &hlen)) {
        return 0;
    }

    /* a bot token never travels in clear text off this machine */
    if (strncasecmp(url, "https://", 8) != 0
        && !teams_auth_loopback(host, hlen))
    {
        return 0;
    }

    for (i = 0; i < nhosts; i++) {
        if (teams_host_match(hosts[i].str, hosts[i].len, host, hlen)) {
            return 1;
        }
    }

    return 0;
}


static int
teams_auth_loopback(const char *host, size_t len)
{
    return (len >= 4 && memcmp(host, "127.", 4) == 0)
           || (len >= 5 && memcmp(host, "[::1]", 5) == 0);
}


teams_auth_e
teams_auth_entra(const teams_claims_t *c, const char *our_host, size_t hlen,
    teams_str_t *client_id, const char **reason)
{
    size_t       len;
    const char  *aud, *slash;

    if (!teams_jwt_entra_issuer_ok(c)) {
        *reason = "issuer is not Entra for the token's tenant";
        return TEAMS_AUTH_BAD_ISSUER;
    }

    if (c->naud != 1) {
        *reason = "token must have exactly one audience";
        return TEAMS_AUTH_BAD_AUDIENCE;
    }

    aud = c->aud[0];
    len = strlen(aud);

    if (len > 6 && strncmp(aud, "api://", 6) == 0) {
        /* v1: api://<our host>/<client id> */
        slash = memchr(aud + 6, '/', len - 6);

        if (slash == NULL || (size_t) (slash - aud - 6) != hlen
            || strncasecmp(aud + 6, our_host, hlen) != 0
            || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
        {
            *reason = "audience is not this application's ID URI";
            return TEAMS_AUTH_BAD_AUDIENCE;
        }

        client_id->str = slash + 1;
        client_id->len = len - (slash + 1 - aud);

    } else {
        client_id->str = aud;
        client_id->len = len;
    }

    if (client_id->len == 0) {
        *reason = "token has an empty audience";
        return TEAMS_AUTH_BAD_AUDIENCE;
    }

    if (c->scp == NULL || !teams_auth_has_scope(c->scp, TEAMS_TAB_SCOPE)) {
        *reason = "token lacks the access_as_user scope";
        return TEAMS_AUTH_BAD_SCOPE;
    }

    if (c->oid == NULL || c->oid[0] == '\0') {
        *reason = "token names no user (oid)";
        return TEAMS_AUTH_NO_USER;
    }

    return TEAMS_AUTH_OK;
}


static int
teams_auth_has_scope(const char *scp, const char *want)
{
    size_t       len, wlen;
    const char  *p, *end;

    wlen = strlen(want);

    for (p = scp; *p; p = end) {
        while (*p == ' ') {
            p++;
        }

        end = strchr(p, ' ');
        if (end == NULL) {
            end = p + strlen(p);
        }

        len = end - p;

        if (len == wlen && memcmp(p, want, len) == 0) {
            return 1;
        }
    }

    return 0;
}


int
teams_auth_http_status(teams_auth_e rc)
{
    switch (rc) {
    case TEAMS_AUTH_SERVICE_URL_NOT_ALLOWED:
    case TEAMS_AUTH_NOT_ENDORSED:
        return 403;
    default:
        return 401;
    }
}


const char *
teams_auth_code(teams_auth_e rc)
{
    switch (rc) {
    case TEAMS_AUTH_SERVICE_URL_NOT_ALLOWED:
        return "service_url_not_allowed";
    case TEAMS_AUTH_NOT_ENDORSED:
        return "endorsement_failed";
    default:
        return "invalid_token";
    }
}
