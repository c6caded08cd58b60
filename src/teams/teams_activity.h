
/*
 * A Bot Framework Activity: the fields the module routes and authenticates
 * on, pointing into the parsed JSON tree (which the activity keeps).
 */


#ifndef _TEAMS_ACTIVITY_H_INCLUDED_
#define _TEAMS_ACTIVITY_H_INCLUDED_


#include <stddef.h>

#include "core/teams_json.h"


#define TEAMS_ACTIVITY_MAX_SIZE   (256 * 1024)
#define TEAMS_ACTIVITY_MAX_DEPTH  32


typedef struct {
    const char          *str;
    size_t               len;
} teams_str_t;


typedef struct {
    teams_json_t        *root;

    teams_str_t          type;
    teams_str_t          name;             /* invoke name */
    teams_str_t          id;
    teams_str_t          service_url;
    teams_str_t          channel_id;
    teams_str_t          from_id;
    teams_str_t          from_aad_object_id;
    teams_str_t          recipient_id;
    teams_str_t          conversation_id;
    teams_str_t          conversation_type;
    teams_str_t          tenant_id;        /* channelData.tenant.id */
    teams_str_t          text;
    teams_str_t          reply_to_id;
    const teams_json_t  *value;
} teams_activity_t;


/*
 * Parses an activity.  Returns 0, or -1 with *err set to a short static
 * reason when the text is not a JSON object, a known field has the wrong
 * type, or a field every activity needs (type, serviceUrl, channelId,
 * conversation.id, from.id) is missing.
 */
int teams_activity_parse(teams_activity_t *a, const char *text, size_t len,
    const char **err);

void teams_activity_free(teams_activity_t *a);

int teams_str_eq(const teams_str_t *s, const char *lit);


#endif /* _TEAMS_ACTIVITY_H_INCLUDED_ */
