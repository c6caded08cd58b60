
/*
 * Routing and value checks of the admin API (see teams_admin.h).
 */


#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "psa/teams_admin.h"


typedef struct {
    const char           *pattern;
    teams_admin_route_e   route;
    unsigned              methods;
} teams_admin_route_def_t;


static int teams_admin_prefix(const char *path, size_t len,
    const char *prefix, const char **rest, size_t *rest_len);
static int teams_admin_eq(const char *s, size_t len, const char *lit);
static size_t teams_admin_utf8_chars(const char *s, size_t len);


const char *const  teams_admin_consumers[] = {
    "msp_sso", "email", "calendar", "teams", NULL
};

const char *const  teams_admin_capabilities[] = {
    "personal_tab", "personal_bot", "group_chat_bot", "message_extension",
    "activity_notifications", NULL
};

const char *const  teams_admin_categories[] = {
    "assignment", "customer_reply", "approval_request", "escalation",
    "sla_risk", NULL
};

const char *const  teams_admin_actions[] = {
    "assign_ticket", "add_note", "reply_to_contact", "log_time",
    "approval_response", NULL
};


/* fixed paths; the {id} and {consumer} ones are handled in code */
static const teams_admin_route_def_t  teams_admin_fixed[] = {
    { "profiles", TEAMS_ADMIN_R_PROFILES,
      TEAMS_ADMIN_GET|TEAMS_ADMIN_POST },
    { "bindings", TEAMS_ADMIN_R_BINDINGS, TEAMS_ADMIN_GET },
    { "integration", TEAMS_ADMIN_R_INTEGRATION,
      TEAMS_ADMIN_GET|TEAMS_ADMIN_PATCH },
    { "integration/readiness", TEAMS_ADMIN_R_READINESS, TEAMS_ADMIN_GET },
    { "integration/activate", TEAMS_ADMIN_R_ACTIVATE, TEAMS_ADMIN_POST },
    { "integration/deactivate", TEAMS_ADMIN_R_DEACTIVATE, TEAMS_ADMIN_POST },
    { "integration/setup", TEAMS_ADMIN_R_SETUP, TEAMS_ADMIN_GET },
    { "legacy-config", TEAMS_ADMIN_R_LEGACY,
      TEAMS_ADMIN_GET|TEAMS_ADMIN_PUT },
    { "deliveries", TEAMS_ADMIN_R_DELIVERIES, TEAMS_ADMIN_GET },
    { NULL, TEAMS_ADMIN_R_NONE, 0 }
};

static const teams_admin_route_def_t  teams_admin_profile_subs[] = {
    { "profiles/{id}", TEAMS_ADMIN_R_PROFILE,
      TEAMS_ADMIN_GET|TEAMS_ADMIN_PATCH },
    { "profiles/{id}/secret", TEAMS_ADMIN_R_PROFILE_SECRET,
      TEAMS_ADMIN_POST },
    { "profiles/{id}/default", TEAMS_ADMIN_R_PROFILE_DEFAULT,
      TEAMS_ADMIN_POST },
    { "profiles/{id}/archive", TEAMS_ADMIN_R_PROFILE_ARCHIVE,
      TEAMS_ADMIN_POST },
    { NULL, TEAMS_ADMIN_R_NONE, 0 }
};


int
teams_admin_route(const char *path, size_t len, teams_admin_route_t *rt)
{
    int                             i;
    size_t                          rest_len, id_len;
    const char                     *rest, *slash, *sub;
    const teams_admin_route_def_t  *d;

    memset(rt, 0, sizeof(teams_admin_route_t));

    for (d = teams_admin_fixed; d->pattern; d++) {
        if (teams_admin_eq(path, len, d->pattern)) {
            rt->route = d->route;
            rt->pattern = d->pattern;
            rt->methods = d->methods;
            return 0;
        }
    }

    if (teams_admin_prefix(path, len, "bindings/", &rest, &rest_len)) {
        if (rest_len == 0 || memchr(rest, '/', rest_len) != NULL) {
            return -1;
        }

        rt->route = TEAMS_ADMIN_R_BINDING;
        rt->pattern = "bindings/{consumer}";
        rt->methods = TEAMS_ADMIN_PUT|TEAMS_ADMIN_DELETE;

        i = teams_admin_in_set(teams_admin_consumers, rest, rest_len);
        rt->consumer = (i >= 0) ? teams_admin_consumers[i] : NULL;

        return 0;
    }

    if (!teams_admin_prefix(path, len, "profiles/", &rest, &rest_len)) {
        return -1;
    }

    slash = memchr(rest, '/', rest_len);
    id_len = slash ? (size_t) (slash - rest) : rest_len;

    if (id_len == 0) {
        return -1;
    }

    sub = slash ? slash + 1 : NULL;

    for (d = teams_admin_profile_subs; d->pattern; d++) {
        if (sub == NULL) {
            if (d->route == TEAMS_ADMIN_R_PROFILE) {
                break;
            }

            continue;
        }

        if (d->route != TEAMS_ADMIN_R_PROFILE
            && teams_admin_eq(sub, rest_len - id_len - 1,
                              strrchr(d->pattern, '/') + 1))
        {
            break;
        }
    }

    if (d->pattern == NULL) {
        return -1;
    }

    rt->route = d->route;
    rt->pattern = d->pattern;
    rt->methods = d->methods;
    rt->id_valid = (teams_admin_guid_lower(rest, id_len, rt->id) == 0);

    if (!rt->id_valid) {
        rt->id[0] = '\0';
    }

    return 0;
}


unsigned
teams_admin_method(const char *name, size_t len)
{
    if (teams_admin_eq(name, len, "GET")) {
        return TEAMS_ADMIN_GET;
    }

    if (teams_admin_eq(name, len, "POST")) {
        return TEAMS_ADMIN_POST;
    }

    if (teams_admin_eq(name, len, "PUT")) {
        return TEAMS_ADMIN_PUT;
    }

    if (teams_admin_eq(name, len, "PATCH")) {
        return TEAMS_ADMIN_PATCH;
    }

    if (teams_admin_eq(name, len, "DELETE")) {
        return TEAMS_ADMIN_DELETE;
    }

    return 0;
}


size_t
teams_admin_allow(unsigned methods, char *buf, size_t size)
{
    size_t              n, l;
    unsigned            i;
    static const char  *names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

    n = 0;

    if (size == 0) {
        return 0;
    }

    buf[0] = '\0';

    for (i = 0; i < 5; i++) {
        if (!(methods & (1u << i))) {
            continue;
        }

        l = strlen(names[i]);

        if (n + (n ? 2 : 0) + l + 1 > size) {
            break;
        }

        if (n) {
            memcpy(buf + n, ", ", 2);
            n += 2;
        }

        memcpy(buf + n, names[i], l);
        n += l;
        buf[n] = '\0';
    }

    return n;
}


int
teams_admin_guid_lower(const char *s, size_t len, char *out)
{
    size_t  i;

    if (!teams_is_uuid(s, len)) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        out[i] = (char) tolower((unsigned char) s[i]);
    }

    out[len] = '\0';

    return 0;
}


int
teams_admin_in_set(const char *const *set, const char *s, size_t len)
{
    int  i;

    for (i = 0; set[i] != NULL; i++) {
        if (teams_admin_eq(s, len, set[i])) {
            return i;
        }
    }

    return -1;
}


const char *
teams_admin_check_display_name(const teams_json_t *v, const char **name,
    size_t *len)
{
    size_t       i, n;
    const char  *s;

    if (v == NULL) {
        return "is required";
    }

    if (v->type != TEAMS_JSON_STRING) {
        return "must be a string";
    }

    s = v->str;
    n = v->len;

    while (n && isspace((unsigned char) *s)) {
        s++;
        n--;
    }

    while (n && isspace((unsigned char) s[n - 1])) {
        n--;
    }

    if (n == 0) {
        return "must not be empty";
    }

    if (teams_admin_utf8_chars(s, n) > TEAMS_ADMIN_DISPLAY_NAME_MAX) {
        return "must be at most 255 characters";
    }

    for (i = 0; i < n; i++) {
        if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f) {
            return "must not contain control characters";
        }
    }

    *name = s;
    *len = n;

    return NULL;
}


const char *
teams_admin_check_guid(const teams_json_t *v)
{
    if (v == NULL) {
        return "is required";
    }

    if (v->type != TEAMS_JSON_STRING || !teams_is_uuid(v->str, v->len))
    {
        return "must be a GUID";
    }

    return NULL;
}


const char *
teams_admin_check_ms_tenant(const teams_json_t *v, int allow_common)
{
    if (v == NULL) {
        return "is required";
    }

    if (v->type == TEAMS_JSON_STRING && teams_is_uuid(v->str, v->len)) {
        return NULL;
    }

    if (allow_common && v->type == TEAMS_JSON_STRING
        && (teams_admin_eq(v->str, v->len, "common")
            || teams_admin_eq(v->str, v->len, "organizations")))
    {
        return NULL;
    }

    return allow_common ? "must be a GUID, \"common\" or \"organizations\""
                        : "must be a GUID (the Microsoft Entra tenant id)";
}


const char *
teams_admin_check_secret(const teams_json_t *v)
{
    if (v == NULL) {
        return "is required";
    }

    if (v->type != TEAMS_JSON_STRING) {
        return "must be a string";
    }

    if (v->len == 0) {
        return "must not be empty";
    }

    if (v->len > TEAMS_ADMIN_SECRET_MAX) {
        return "must be at most 1024 bytes";
    }

    return NULL;
}


const char *
teams_admin_check_set_array(const teams_json_t *v, const char *const *set,
    char *out, size_t size)
{
    int                  i, n;
    size_t               len, l;
    unsigned             seen;
    const teams_json_t  *c;

    if (v == NULL || v->type != TEAMS_JSON_ARRAY) {
        return "must be an array of strings";
    }

    seen = 0;

    for (c = v->child; c != NULL; c = c->next) {
        if (c->type != TEAMS_JSON_STRING) {
            return "must be an array of strings";
        }

        i = teams_admin_in_set(set, c->str, c->len);
        if (i < 0) {
            return "contains an unknown value";
        }

        if (seen & (1u << i)) {
            return "contains a value twice";
        }

        seen |= 1u << i;
    }

    /* canonical text: the set's order */
    len = 0;

    if (size < 3) {
        return "is too long";
    }

    out[len++] = '[';

    for (n = 0, i = 0; set[i] != NULL; i++) {
        if (!(seen & (1u << i))) {
            continue;
        }

        l = strlen(set[i]);

        if (len + l + 4 + 2 > size) {
            return "is too long";
        }

        if (n++) {
            out[len++] = ',';
        }

        out[len++] = '"';
        memcpy(out + len, set[i], l);
        len += l;
        out[len++] = '"';
    }

    out[len++] = ']';
    out[len] = '\0';

    return NULL;
}


size_t
teams_admin_secret_hint(const char *secret, size_t len, char *out,
    size_t size)
{
    size_t  i, chars;

    if (teams_admin_utf8_chars(secret, len) < TEAMS_ADMIN_HINT_MIN_CHARS) {
        return 0;
    }

    /* the first TEAMS_ADMIN_HINT_CHARS whole characters */
    for (i = 0, chars = 0; i < len; i++) {
        if (((unsigned char) secret[i] & 0xc0) != 0x80) {
            if (chars == TEAMS_ADMIN_HINT_CHARS) {
                break;
            }

            chars++;
        }
    }

    if (i + 3 + 1 > size) {
        return 0;
    }

    memcpy(out, secret, i);
    memcpy(out + i, "\xe2\x80\xa6", 3);
    out[i + 3] = '\0';

    return i + 3;
}


static int
teams_admin_prefix(const char *path, size_t len, const char *prefix,
    const char **rest, size_t *rest_len)
{
    size_t  n;

    n = strlen(prefix);

    if (len < n || memcmp(path, prefix, n) != 0) {
        return 0;
    }

    *rest = path + n;
    *rest_len = len - n;

    return 1;
}


static int
teams_admin_eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}


static size_t
teams_admin_utf8_chars(const char *s, size_t len)
{
    size_t  i, n;

    for (i = 0, n = 0; i < len; i++) {
        if (((unsigned char) s[i] & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}
