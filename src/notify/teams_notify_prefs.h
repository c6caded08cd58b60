
/*
 * A user's own notification categories (the bot's "notifications"
 * command): the Adaptive Card 1.5 showing one toggle per category the
 * tenant has enabled (teams_integrations.notification_categories), each
 * with the user's state (teams_notification_preferences; no row: on), and
 * the reading of a submitted change (Action.Execute verb
 * "notifications_save").  Plain C: the module and the unit tests call it.
 */


#ifndef _TEAMS_NOTIFY_PREFS_H_INCLUDED_
#define _TEAMS_NOTIFY_PREFS_H_INCLUDED_


#include <stddef.h>

#include "core/teams_jw.h"
#include "core/teams_json.h"


#define TEAMS_NOTIFY_PREFS_VERB     "notifications_save"
/* the toggles' ids: this prefix and the category */
#define TEAMS_NOTIFY_PREFS_PREFIX   "notify_"


/* bit i stands for teams_notify_categories[i] */
typedef struct {
    unsigned   offered;     /* the tenant has the category on */
    unsigned   on;          /* the user gets it */
} teams_notify_prefs_t;


/* the bit of a category name, 0 when unknown */
unsigned teams_notify_prefs_bit(const char *category, size_t len);

/*
 * Writes the card (the AdaptiveCard object itself) to w.  notice, when not
 * NULL, is shown above the toggles (e.g. "Saved.").
 */
void teams_notify_prefs_card(teams_jw_t *w, const teams_notify_prefs_t *p,
    const char *notice);

/*
 * Reads the data of a submitted card (the Action.Execute data, the inputs
 * merged in): "notify_<category>" members with "true" or "false" (JSON
 * booleans too).  Only offered categories count; other members (the
 * verb's own data, unknown inputs) are ignored.  Fills *given (categories
 * present) and *on (their new state).  NULL when good, else the notice
 * for the card, saying why nothing was saved.
 */
const char *teams_notify_prefs_parse(const teams_json_t *data,
    const teams_notify_prefs_t *p, unsigned *given, unsigned *on);


#endif /* _TEAMS_NOTIFY_PREFS_H_INCLUDED_ */
