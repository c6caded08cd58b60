
/*
 * The admin API's plain C parts: routing of "<method> <path>" below
 * /api/teams/admin/, and the checks of the values an administrator sends
 * (GUIDs, display names, secrets, the Teams value sets of psa-schema.md
 * section 7).  No nginx headers, so the unit tests call them directly.
 */


#ifndef _TEAMS_ADMIN_H_INCLUDED_
#define _TEAMS_ADMIN_H_INCLUDED_


#include <stddef.h>

#include "core/teams_json.h"
#include "core/teams_uuid.h"


#define TEAMS_ADMIN_GET      0x01
#define TEAMS_ADMIN_POST     0x02
#define TEAMS_ADMIN_PUT      0x04
#define TEAMS_ADMIN_PATCH    0x08
#define TEAMS_ADMIN_DELETE   0x10

#define TEAMS_ADMIN_GUID_LEN           36
#define TEAMS_ADMIN_DISPLAY_NAME_MAX   255
#define TEAMS_ADMIN_SECRET_MAX         1024
/* a hint is shown only for secrets at least this long (Entra's are 40) */
#define TEAMS_ADMIN_HINT_MIN_CHARS     12
#define TEAMS_ADMIN_HINT_CHARS         3


typedef enum {
    TEAMS_ADMIN_R_NONE = 0,
    TEAMS_ADMIN_R_PROFILES,             /* profiles */
    TEAMS_ADMIN_R_PROFILE,              /* profiles/{id} */
    TEAMS_ADMIN_R_PROFILE_SECRET,       /* profiles/{id}/secret */
    TEAMS_ADMIN_R_PROFILE_DEFAULT,      /* profiles/{id}/default */
    TEAMS_ADMIN_R_PROFILE_ARCHIVE,      /* profiles/{id}/archive */
    TEAMS_ADMIN_R_BINDINGS,             /* bindings */
    TEAMS_ADMIN_R_BINDING,              /* bindings/{consumer} */
    TEAMS_ADMIN_R_INTEGRATION,          /* integration */
    TEAMS_ADMIN_R_READINESS,            /* integration/readiness */
    TEAMS_ADMIN_R_ACTIVATE,             /* integration/activate */
    TEAMS_ADMIN_R_DEACTIVATE,           /* integration/deactivate */
    TEAMS_ADMIN_R_SETUP,                /* integration/setup */
    TEAMS_ADMIN_R_LEGACY,               /* legacy-config */
    TEAMS_ADMIN_R_DELIVERIES            /* deliveries */
} teams_admin_route_e;


typedef struct {
    teams_admin_route_e   route;
    /* the route's pattern, e.g. "profiles/{id}/secret" (for the audit) */
    const char           *pattern;
    /* TEAMS_ADMIN_* methods the route answers */
    unsigned              methods;
    /* profiles/{id}: the id lower-cased, or "" when not a GUID */
    char                  id[TEAMS_ADMIN_GUID_LEN + 1];
    unsigned              id_valid:1;
    /* bindings/{consumer}: one of teams_admin_consumers, or NULL */
    const char           *consumer;
} teams_admin_route_t;


extern const char *const  teams_admin_consumers[];
extern const char *const  teams_admin_capabilities[];
extern const char *const  teams_admin_categories[];
extern const char *const  teams_admin_actions[];


/*
 * Routes path (what follows "/api/teams/admin/", no query).  Returns 0 and
 * fills rt, or -1 for an unknown path.  An id that is not a GUID and a
 * consumer that is not known still route (id_valid 0, consumer NULL): the
 * caller answers them 404 like any id it does not find.
 */
int teams_admin_route(const char *path, size_t len, teams_admin_route_t *rt);

/* "GET" -> TEAMS_ADMIN_GET, ...; 0 for others */
unsigned teams_admin_method(const char *name, size_t len);

/* "GET, POST" for an Allow header, into buf */
size_t teams_admin_allow(unsigned methods, char *buf, size_t size);

/* Copies a GUID lower-cased into out (37 bytes); -1 if not a GUID. */
int teams_admin_guid_lower(const char *s, size_t len, char *out);

/* the index of s in a NULL-ended set, or -1 */
int teams_admin_in_set(const char *const *set, const char *s, size_t len);

/*
 * Field checks: NULL when good, else a short message for the "fields"
 * member of a 422 answer.  teams_admin_check_display_name also gives the
 * name with surrounding white space removed.
 */
const char *teams_admin_check_display_name(const teams_json_t *v,
    const char **name, size_t *len);
const char *teams_admin_check_guid(const teams_json_t *v);
const char *teams_admin_check_ms_tenant(const teams_json_t *v,
    int allow_common);
const char *teams_admin_check_secret(const teams_json_t *v);

/*
 * An array of distinct strings from set.  On success, writes the canonical
 * JSON text of the array (set order) to out (size bytes, NUL-ended).
 */
const char *teams_admin_check_set_array(const teams_json_t *v,
    const char *const *set, char *out, size_t size);

/*
 * The masked hint of a secret: its first TEAMS_ADMIN_HINT_CHARS characters
 * followed by U+2026, for secrets of at least TEAMS_ADMIN_HINT_MIN_CHARS
 * characters; 0 (no hint) for shorter ones.  out needs 3 * 4 + 3 + 1 bytes.
 */
size_t teams_admin_secret_hint(const char *secret, size_t len, char *out,
    size_t size);


#endif /* _TEAMS_ADMIN_H_INCLUDED_ */
