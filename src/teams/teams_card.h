
/*
 * The card-building layer: every Adaptive Card (version 1.5) the Teams
 * surfaces send, built on the JSON writer from the registry and from the
 * JSON the action queries return.  Each builder writes one card object
 * (the "content" of an attachment); sizes are bounded by truncating long
 * texts, so a card stays far below Teams' 28 KB.
 */


#ifndef _TEAMS_CARD_H_INCLUDED_
#define _TEAMS_CARD_H_INCLUDED_


#include <stddef.h>

#include "core/teams_json.h"
#include "core/teams_jw.h"
#include "psa/teams_action.h"
#include "psa/teams_links.h"


#define TEAMS_CARD_MAX_SIZE     (28 * 1024)
#define TEAMS_CARD_CONTENT_TYPE "application/vnd.microsoft.card.adaptive"
#define TEAMS_CARD_THUMBNAIL    "application/vnd.microsoft.card.thumbnail"


typedef struct {
    teams_links_t         links;

    /* what the viewer may do: only these actions get buttons */
    const char *const    *perms;
    size_t                nperms;
    const char *const    *allowed;
    size_t                nallowed;
    const char *const    *caps;
    size_t                ncaps;

    const char           *viewer_mri;   /* refresh.userIds, or NULL */
    const char           *nonce;        /* idempotency of form submits */
    unsigned              dialog:1;     /* Action.Submit, not Execute */
} teams_card_ctx_t;


/* a plain card: a title and markdown text */
void teams_card_text(teams_jw_t *w, const char *title, const char *text);

void teams_card_help(teams_jw_t *w);

/*
 * A list of records from a query: items is a JSON array of objects
 * {kind, id, extra?, title, subtitle?}; each row links to the record.
 */
void teams_card_list(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const char *title, const teams_json_t *items, const char *empty);

/*
 * One record: rec is {kind, id, extra?, number?, title, subtitle?,
 * facts:[{t,v}], closed?}.  With a refresh action (Universal Actions) so
 * each viewer sees the current state, and buttons only for the actions
 * the viewer may perform.
 */
void teams_card_record(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const teams_json_t *rec);

/*
 * The form of a mutating action, prefilled from args, with a message under
 * each field in errs.  choices is a JSON array of {title, value} for a
 * client choice, or NULL.  Hidden fixed values (record refs given by the
 * caller) ride in the submit data.
 */
void teams_card_form(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const teams_action_def_t *def, const teams_args_t *args,
    const teams_field_error_t *errs, size_t nerrs,
    const teams_json_t *choices, const char *intro);

/* success: what happened and links to the record */
void teams_card_confirm(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const char *title, const char *text, const teams_json_t *rec);

/* a thumbnail card (message extension previews) for a list item */
void teams_card_thumbnail(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const teams_json_t *item);

/* a JSON member of an object as a C string, or def */
const char *teams_card_jstr(const teams_json_t *obj, const char *key,
    const char *def);

/* the bytes of s that fit in max, cut on a UTF-8 character boundary */
size_t teams_utf8_cut(const char *s, size_t len, size_t max);


#endif /* _TEAMS_CARD_H_INCLUDED_ */
