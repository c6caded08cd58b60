
/*
 * Activity parsing.  Strict where it matters for routing and identity (a
 * field of the wrong type refuses the activity rather than being read as
 * missing), lenient about the many fields we do not use.
 */


#include <string.h>

#include "teams/teams_activity.h"


typedef struct {
    const char          *path[4];
    size_t               offset;
    unsigned             required:1;
} teams_activity_field_t;


static const teams_activity_field_t  teams_activity_fields[] = {
    { { "type", NULL }, offsetof(teams_activity_t, type), 1 },
    { { "name", NULL }, offsetof(teams_activity_t, name), 0 },
    { { "id", NULL }, offsetof(teams_activity_t, id), 0 },
    { { "serviceUrl", NULL }, offsetof(teams_activity_t, service_url), 1 },
    { { "channelId", NULL }, offsetof(teams_activity_t, channel_id), 1 },
    { { "from", "id", NULL }, offsetof(teams_activity_t, from_id), 1 },
    { { "from", "aadObjectId", NULL },
      offsetof(teams_activity_t, from_aad_object_id), 0 },
    { { "recipient", "id", NULL },
      offsetof(teams_activity_t, recipient_id), 0 },
    { { "conversation", "id", NULL },
      offsetof(teams_activity_t, conversation_id), 1 },
    { { "conversation", "conversationType", NULL },
      offsetof(teams_activity_t, conversation_type), 0 },
    { { "channelData", "tenant", "id", NULL },
      offsetof(teams_activity_t, tenant_id), 0 },
    { { "text", NULL }, offsetof(teams_activity_t, text), 0 },
    { { "replyToId", NULL }, offsetof(teams_activity_t, reply_to_id), 0 },
    { { NULL }, 0, 0 }
};


int
teams_activity_parse(teams_activity_t *a, const char *text, size_t len,
    const char **err)
{
    teams_str_t                   *dst;
    const teams_json_t            *v;
    const teams_activity_field_t  *f;

    memset(a, 0, sizeof(teams_activity_t));

    if (len > TEAMS_ACTIVITY_MAX_SIZE) {
        *err = "activity too large";
        return -1;
    }

    a->root = teams_json_parse(text, len, TEAMS_ACTIVITY_MAX_DEPTH, err);
    if (a->root == NULL) {
        return -1;
    }

    if (a->root->type != TEAMS_JSON_OBJECT) {
        *err = "activity is not a JSON object";
        goto failed;
    }

    for (f = teams_activity_fields; f->path[0] != NULL; f++) {
        v = teams_json_path(a->root, f->path);

        if (v == NULL || v->type == TEAMS_JSON_NULL) {
            if (f->required) {
                *err = "activity lacks type, serviceUrl, channelId, "
                       "conversation.id or from.id";
                goto failed;
            }

            continue;
        }

        if (v->type != TEAMS_JSON_STRING) {
            *err = "an activity field has the wrong type";
            goto failed;
        }

        if (f->required && v->len == 0) {
            *err = "an activity field that must be set is empty";
            goto failed;
        }

        dst = (teams_str_t *) ((char *) a + f->offset);
        dst->str = v->str;
        dst->len = v->len;
    }

    a->value = teams_json_get(a->root, "value");

    return 0;

failed:

    teams_json_free(a->root);
    a->root = NULL;

    return -1;
}


void
teams_activity_free(teams_activity_t *a)
{
    if (a->root != NULL) {
        teams_json_free(a->root);
        a->root = NULL;
    }
}


int
teams_str_eq(const teams_str_t *s, const char *lit)
{
    size_t  len;

    len = strlen(lit);

    return s->str != NULL && s->len == len && memcmp(s->str, lit, len) == 0;
}
