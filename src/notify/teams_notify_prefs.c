
/*
 * The notifications preference card and its submission (see
 * teams_notify_prefs.h).
 */


#include <string.h>

#include "notify/teams_notify.h"
#include "notify/teams_notify_prefs.h"


static const char *const  teams_notify_prefs_help[TEAMS_NOTIFY_NCATEGORIES] = {
    "Tickets and tasks assigned to you",
    "Replies from a client on your tickets",
    "Time sheets waiting for your approval",
    "Escalated work",
    "SLA warnings and breaches"
};


unsigned
teams_notify_prefs_bit(const char *category, size_t len)
{
    unsigned  i;

    for (i = 0; i < TEAMS_NOTIFY_NCATEGORIES; i++) {
        if (strlen(teams_notify_categories[i]) == len
            && memcmp(teams_notify_categories[i], category, len) == 0)
        {
            return 1u << i;
        }
    }

    return 0;
}


void
teams_notify_prefs_card(teams_jw_t *w, const teams_notify_prefs_t *p,
    const char *notice)
{
    char      id[64];
    unsigned  i;

    teams_jw_object(w);
    teams_jw_kstr(w, "type", "AdaptiveCard");
    teams_jw_kstr(w, "$schema",
                  "http://adaptivecards.io/schemas/adaptive-card.json");
    teams_jw_kstr(w, "version", "1.5");

    teams_jw_key(w, "body");
    teams_jw_array(w);

    teams_jw_object(w);
    teams_jw_kstr(w, "type", "TextBlock");
    teams_jw_kstr(w, "text", "Activity-feed notifications");
    teams_jw_kstr(w, "weight", "Bolder");
    teams_jw_kstr(w, "size", "Medium");
    teams_jw_kbool(w, "wrap", 1);
    teams_jw_end(w);

    if (notice != NULL) {
        teams_jw_object(w);
        teams_jw_kstr(w, "type", "TextBlock");
        teams_jw_kstr(w, "text", notice);
        teams_jw_kstr(w, "color", "Accent");
        teams_jw_kbool(w, "wrap", 1);
        teams_jw_end(w);
    }

    teams_jw_object(w);
    teams_jw_kstr(w, "type", "TextBlock");
    teams_jw_kstr(w, "text", p->offered
                  ? "Choose what reaches your Teams activity feed."
                  : "Your administrator has not turned on any activity-feed "
                    "notifications for Teams.");
    teams_jw_kbool(w, "isSubtle", 1);
    teams_jw_kbool(w, "wrap", 1);
    teams_jw_end(w);

    for (i = 0; i < TEAMS_NOTIFY_NCATEGORIES; i++) {
        if (!(p->offered & (1u << i))) {
            continue;
        }

        memcpy(id, TEAMS_NOTIFY_PREFS_PREFIX,
               sizeof(TEAMS_NOTIFY_PREFS_PREFIX) - 1);
        strcpy(id + sizeof(TEAMS_NOTIFY_PREFS_PREFIX) - 1,
               teams_notify_categories[i]);

        teams_jw_object(w);
        teams_jw_kstr(w, "type", "Input.Toggle");
        teams_jw_kstr(w, "id", id);
        teams_jw_kstr(w, "title", teams_notify_category_label(
                                      teams_notify_categories[i]));
        teams_jw_kstr(w, "label", teams_notify_prefs_help[i]);
        teams_jw_kstr(w, "value", (p->on & (1u << i)) ? "true" : "false");
        teams_jw_kstr(w, "valueOn", "true");
        teams_jw_kstr(w, "valueOff", "false");
        teams_jw_end(w);
    }

    teams_jw_end(w);

    if (p->offered) {
        teams_jw_key(w, "actions");
        teams_jw_array(w);
        teams_jw_object(w);
        teams_jw_kstr(w, "type", "Action.Execute");
        teams_jw_kstr(w, "title", "Save");
        teams_jw_kstr(w, "verb", TEAMS_NOTIFY_PREFS_VERB);
        teams_jw_kstr(w, "style", "positive");
        teams_jw_key(w, "data");
        teams_jw_object(w);
        teams_jw_kstr(w, "kind", "notifications");
        teams_jw_end(w);
        teams_jw_end(w);
        teams_jw_end(w);
    }

    teams_jw_end(w);
}


const char *
teams_notify_prefs_parse(const teams_json_t *data,
    const teams_notify_prefs_t *p, unsigned *given, unsigned *on)
{
    size_t               plen;
    unsigned             bit;
    const teams_json_t  *c;

    *given = 0;
    *on = 0;

    if (data == NULL || data->type != TEAMS_JSON_OBJECT) {
        return "Not saved: the card sent no choices.";
    }

    plen = sizeof(TEAMS_NOTIFY_PREFS_PREFIX) - 1;

    for (c = data->child; c != NULL; c = c->next) {
        if (c->key_len <= plen
            || memcmp(c->key, TEAMS_NOTIFY_PREFS_PREFIX, plen) != 0)
        {
            continue;
        }

        bit = teams_notify_prefs_bit(c->key + plen, c->key_len - plen);

        if (bit == 0 || !(p->offered & bit)) {
            continue;
        }

        if ((c->type == TEAMS_JSON_BOOL && c->boolean)
            || (c->type == TEAMS_JSON_STRING && c->len == 4
                && memcmp(c->str, "true", 4) == 0))
        {
            *on |= bit;

        } else if ((c->type == TEAMS_JSON_BOOL && !c->boolean)
                   || (c->type == TEAMS_JSON_STRING && c->len == 5
                       && memcmp(c->str, "false", 5) == 0))
        {
            /* off */

        } else {
            return "Not saved: a choice was neither on nor off.";
        }

        *given |= bit;
    }

    if (*given == 0) {
        return "Not saved: the card sent no choices.";
    }

    return NULL;
}
