
/*
 * The one link resolver: PSA web URLs for records (psa-schema section 8)
 * and Teams deep links into the personal tab with the record as the
 * subEntityId (teams-protocol section 7).  Cards, notifications and the
 * tab all build their links here.
 */


#ifndef _TEAMS_LINKS_H_INCLUDED_
#define _TEAMS_LINKS_H_INCLUDED_


#include <stddef.h>

#include "psa/teams_action.h"


/* the personal tab's staticTabs[].entityId in the app manifest */
#define TEAMS_TAB_ENTITY_ID  "psa"

/* Windows limits deep links to 1900 characters */
#define TEAMS_LINK_MAX       1900


typedef struct {
    const char      *psa_base_url;    /* teams_psa_base_url, no slash end */
    const char      *app_id;          /* manifest app id */
} teams_links_t;


/*
 * The PSA web URL of a record.  id is the record's uuid; extra is the
 * project id for a task (the PSA opens tasks inside their project), or
 * NULL.  Returns the length written (NUL-terminated), or 0 when it does
 * not fit or the kind has no page.
 */
size_t teams_link_psa(char *buf, size_t size, const teams_links_t *l,
    teams_target_e kind, const char *id, const char *extra);

/* the PSA "my work" page */
size_t teams_link_psa_home(char *buf, size_t size, const teams_links_t *l);

/*
 * The Teams deep link opening the personal tab on the record:
 * https://teams.microsoft.com/l/entity/<app>/<entity>?webUrl=<psa url>
 * &context={"subEntityId":"<kind>:<id>"}, every parameter URI-encoded.
 */
size_t teams_link_teams(char *buf, size_t size, const teams_links_t *l,
    teams_target_e kind, const char *id, const char *extra);

/* the same deep link opening the tab on the PSA "my work" page */
size_t teams_link_teams_home(char *buf, size_t size, const teams_links_t *l);


#endif /* _TEAMS_LINKS_H_INCLUDED_ */
