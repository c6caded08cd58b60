
/*
 * Adaptive Cards (see teams_card.h).  Texts from records are cut to fixed
 * lengths so that no card can outgrow Teams' limit whatever the data.
 */


#include <string.h>

#include "teams/teams_card.h"
#include "teams/teams_command.h"


#define TEAMS_CARD_TITLE_MAX   200
#define TEAMS_CARD_TEXT_MAX    600
#define TEAMS_CARD_FACT_MAX    200
#define TEAMS_CARD_PREFILL_MAX 8000
#define TEAMS_CARD_LIST_MAX    10


size_t
teams_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max) {
        return len;
    }

    len = max;

    /* step back over continuation bytes to a character start */
    while (len > 0 && ((unsigned char) s[len] & 0xc0) == 0x80) {
        len--;
    }

    return len;
}


static void
teams_card_kstrn(teams_jw_t *w, const char *key, const char *s, size_t max)
{
    size_t  len;

    len = strlen(s);
    teams_jw_key(w, key);
    teams_jw_strn(w, s, teams_utf8_cut(s, len, max));
}


const char *
teams_card_jstr(const teams_json_t *obj, const char *key, const char *def)
{
    const teams_json_t  *v;

    if (obj == NULL) {
        return def;
    }

    v = teams_json_get(obj, key);

    if (v == NULL || v->type != TEAMS_JSON_STRING) {
        return def;
    }

    return v->str;
}


static void
teams_card_open(teams_jw_t *w)
{
    teams_jw_object(w);
    teams_jw_kstr(w, "type", "AdaptiveCard");
    teams_jw_kstr(w, "version", "1.5");
}


static void
teams_card_textblock(teams_jw_t *w, const char *text, size_t max,
    const char *size, const char *weight, const char *color, int subtle)
{
    teams_jw_object(w);
    teams_jw_kstr(w, "type", "TextBlock");
    teams_card_kstrn(w, "text", text, max);
    teams_jw_kbool(w, "wrap", 1);

    if (size) {
        teams_jw_kstr(w, "size", size);
    }

    if (weight) {
        teams_jw_kstr(w, "weight", weight);
    }

    if (color) {
        teams_jw_kstr(w, "color", color);
    }

    if (subtle) {
        teams_jw_kbool(w, "isSubtle", 1);
    }

    teams_jw_end(w);
}


static void
teams_card_open_url(teams_jw_t *w, const char *title, const char *url)
{
    if (url == NULL || url[0] == '\0') {
        return;
    }

    teams_jw_object(w);
    teams_jw_kstr(w, "type", "Action.OpenUrl");
    teams_jw_kstr(w, "title", title);
    teams_jw_kstr(w, "url", url);
    teams_jw_end(w);
}


/* the two links of a record: the Teams tab and the PSA web page */
static void
teams_card_record_links(teams_jw_t *w, const teams_card_ctx_t *ctx,
    teams_target_e kind, const char *id, const char *extra)
{
    char  url[TEAMS_LINK_MAX + 1];

    if (teams_link_teams(url, sizeof(url), &ctx->links, kind, id, extra)) {
        teams_card_open_url(w, "Open in Teams", url);
    }

    if (teams_link_psa(url, sizeof(url), &ctx->links, kind, id, extra)) {
        teams_card_open_url(w, "Open in PSA", url);
    }
}


/*
 * An action button: Action.Execute in messages (Universal Actions), or
 * Action.Submit in a dialog.  data members come in name/value pairs.
 */
static void
teams_card_button(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const char *title, const char *verb, int inputs, const char *style,
    const char *const *data)
{
    teams_jw_object(w);
    teams_jw_kstr(w, "type", ctx->dialog ? "Action.Submit" : "Action.Execute");
    teams_jw_kstr(w, "title", title);

    if (!ctx->dialog) {
        teams_jw_kstr(w, "verb", verb);
    }

    if (style) {
        teams_jw_kstr(w, "style", style);
    }

    if (!inputs) {
        teams_jw_kstr(w, "associatedInputs", "none");
    }

    teams_jw_key(w, "data");
    teams_jw_object(w);

    if (ctx->dialog) {
        teams_jw_kstr(w, "verb", verb);
    }

    for ( /* void */ ; data != NULL && data[0] != NULL; data += 2) {
        if (data[1] != NULL) {
            teams_jw_kstr(w, data[0], data[1]);
        }
    }

    teams_jw_end(w);
    teams_jw_end(w);
}


void
teams_card_text(teams_jw_t *w, const char *title, const char *text)
{
    teams_card_open(w);
    teams_jw_key(w, "body");
    teams_jw_array(w);

    if (title) {
        teams_card_textblock(w, title, TEAMS_CARD_TITLE_MAX, "Medium",
                             "Bolder", NULL, 0);
    }

    teams_card_textblock(w, text, TEAMS_CARD_TEXT_MAX * 4, NULL, NULL,
                         NULL, 0);
    teams_jw_end(w);
    teams_jw_end(w);
}


void
teams_card_help(teams_jw_t *w)
{
    teams_card_text(w, "Hi, I am your PSA assistant", teams_command_help());
}


void
teams_card_list(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const char *title, const teams_json_t *items, const char *empty)
{
    char                 url[TEAMS_LINK_MAX + 1];
    size_t               n;
    const char          *sub;
    teams_target_e       kind;
    const teams_json_t  *it;

    teams_card_open(w);
    teams_jw_key(w, "body");
    teams_jw_array(w);
    teams_card_textblock(w, title, TEAMS_CARD_TITLE_MAX, "Medium", "Bolder",
                         NULL, 0);

    n = 0;

    for (it = items ? items->child : NULL;
         it != NULL && n < TEAMS_CARD_LIST_MAX;
         it = it->next, n++)
    {
        kind = teams_target_parse(teams_card_jstr(it, "kind", ""),
                                  strlen(teams_card_jstr(it, "kind", "")));

        teams_jw_object(w);
        teams_jw_kstr(w, "type", "Container");
        teams_jw_kbool(w, "separator", 1);
        teams_jw_key(w, "items");
        teams_jw_array(w);
        teams_card_textblock(w, teams_card_jstr(it, "title", ""),
                             TEAMS_CARD_TITLE_MAX, NULL, "Bolder", NULL, 0);

        sub = teams_card_jstr(it, "subtitle", NULL);
        if (sub != NULL) {
            teams_card_textblock(w, sub, TEAMS_CARD_FACT_MAX, "Small", NULL,
                                 NULL, 1);
        }

        teams_jw_end(w);

        if (teams_link_teams(url, sizeof(url), &ctx->links, kind,
                             teams_card_jstr(it, "id", ""),
                             teams_card_jstr(it, "extra", NULL)))
        {
            teams_jw_key(w, "selectAction");
            teams_jw_object(w);
            teams_jw_kstr(w, "type", "Action.OpenUrl");
            teams_jw_kstr(w, "url", url);
            teams_jw_end(w);
        }

        teams_jw_end(w);
    }

    if (n == 0) {
        teams_card_textblock(w, empty, TEAMS_CARD_TEXT_MAX, NULL, NULL,
                             NULL, 1);
    }

    teams_jw_end(w);

    teams_jw_key(w, "actions");
    teams_jw_array(w);

    if (teams_link_psa_home(url, sizeof(url), &ctx->links)) {
        teams_card_open_url(w, "Open PSA", url);
    }

    teams_jw_end(w);
    teams_jw_end(w);
}


static void
teams_card_facts(teams_jw_t *w, const teams_json_t *facts)
{
    const char          *t, *v;
    const teams_json_t  *f;

    if (facts == NULL || facts->type != TEAMS_JSON_ARRAY
        || facts->nchildren == 0)
    {
        return;
    }

    teams_jw_object(w);
    teams_jw_kstr(w, "type", "FactSet");
    teams_jw_key(w, "facts");
    teams_jw_array(w);

    for (f = facts->child; f != NULL; f = f->next) {
        t = teams_card_jstr(f, "t", NULL);
        v = teams_card_jstr(f, "v", NULL);

        if (t == NULL || v == NULL || v[0] == '\0') {
            continue;
        }

        teams_jw_object(w);
        teams_card_kstrn(w, "title", t, 40);
        teams_card_kstrn(w, "value", v, TEAMS_CARD_FACT_MAX);
        teams_jw_end(w);
    }

    teams_jw_end(w);
    teams_jw_end(w);
}


static int
teams_card_may(const teams_card_ctx_t *ctx, teams_action_e id,
    teams_target_e kind)
{
    return teams_action_check(teams_action_get(id), kind, ctx->perms,
                              ctx->nperms, ctx->allowed, ctx->nallowed,
                              ctx->caps, ctx->ncaps, NULL)
           == TEAMS_DENY_NONE;
}


void
teams_card_record(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const teams_json_t *rec)
{
    const char           *id, *extra, *ref, *sub, *kname;
    teams_target_e        kind;
    const teams_json_t   *closed;

    kname = teams_card_jstr(rec, "kind", "");
    kind = teams_target_parse(kname, strlen(kname));
    id = teams_card_jstr(rec, "id", "");
    extra = teams_card_jstr(rec, "extra", NULL);
    ref = teams_card_jstr(rec, "number", id);
    closed = teams_json_get(rec, "closed");

    teams_card_open(w);

    /* Universal Actions: each viewer's client asks for the current card */
    teams_jw_key(w, "refresh");
    teams_jw_object(w);
    teams_jw_key(w, "action");
    teams_jw_object(w);
    teams_jw_kstr(w, "type", "Action.Execute");
    teams_jw_kstr(w, "verb", "refresh");
    teams_jw_key(w, "data");
    teams_jw_object(w);
    teams_jw_kstr(w, "kind", kname);
    teams_jw_kstr(w, "ref", id);
    teams_jw_end(w);
    teams_jw_end(w);
    teams_jw_key(w, "userIds");
    teams_jw_array(w);

    if (ctx->viewer_mri != NULL) {
        teams_jw_str(w, ctx->viewer_mri);
    }

    teams_jw_end(w);
    teams_jw_end(w);

    teams_jw_key(w, "body");
    teams_jw_array(w);
    teams_card_textblock(w, teams_card_jstr(rec, "title", ""),
                         TEAMS_CARD_TITLE_MAX, "Medium", "Bolder", NULL, 0);

    sub = teams_card_jstr(rec, "subtitle", NULL);
    if (sub != NULL) {
        teams_card_textblock(w, sub, TEAMS_CARD_FACT_MAX, "Small", NULL,
                             NULL, 1);
    }

    teams_card_facts(w, teams_json_get(rec, "facts"));

    /*
     * The links sit in the body: the card's own actions are limited to
     * five by the default host config, and a ticket has four buttons.
     */
    teams_jw_object(w);
    teams_jw_kstr(w, "type", "ActionSet");
    teams_jw_key(w, "actions");
    teams_jw_array(w);
    teams_card_record_links(w, ctx, kind, id, extra);
    teams_jw_end(w);
    teams_jw_end(w);

    teams_jw_end(w);

    teams_jw_key(w, "actions");
    teams_jw_array(w);

    if (kind == TEAMS_TARGET_TICKET
        && !(closed != NULL && closed->type == TEAMS_JSON_BOOL
             && closed->boolean))
    {
        if (teams_card_may(ctx, TEAMS_ACTION_ASSIGN_TICKET, kind)) {
            teams_card_button(w, ctx, "Assign", "form", 0, NULL,
                (const char *[]) { "action", "assign_ticket",
                                   "ticket", ref, NULL });
        }

        if (teams_card_may(ctx, TEAMS_ACTION_ADD_NOTE, kind)) {
            teams_card_button(w, ctx, "Add note", "form", 0, NULL,
                (const char *[]) { "action", "add_note", "ticket", ref,
                                   NULL });
        }

        if (teams_card_may(ctx, TEAMS_ACTION_REPLY_TO_CONTACT, kind)) {
            teams_card_button(w, ctx, "Reply", "form", 0, NULL,
                (const char *[]) { "action", "reply_to_contact",
                                   "ticket", ref, NULL });
        }
    }

    if ((kind == TEAMS_TARGET_TICKET || kind == TEAMS_TARGET_TASK)
        && teams_card_may(ctx, TEAMS_ACTION_LOG_TIME, kind))
    {
        teams_card_button(w, ctx, "Log time", "form", 0, NULL,
            (const char *[]) { "action", "log_time", "kind", kname,
                               "ref", ref, NULL });
    }

    if (kind == TEAMS_TARGET_APPROVAL
        && teams_card_jstr(rec, "status", NULL) != NULL
        && strcmp(teams_card_jstr(rec, "status", ""), "SUBMITTED") == 0
        && teams_card_may(ctx, TEAMS_ACTION_APPROVAL_RESPONSE, kind))
    {
        teams_card_button(w, ctx, "Approve", "approval_response", 0,
            "positive",
            (const char *[]) { "action", "approval_response",
                               "approval", id, "decision", "approve",
                               "nonce", ctx->nonce, NULL });
        teams_card_button(w, ctx, "Request changes", "form", 0, NULL,
            (const char *[]) { "action", "approval_response",
                               "approval", id, "decision",
                               "request_changes", NULL });
    }

    teams_jw_end(w);
    teams_jw_end(w);
}


static const teams_field_error_t *
teams_card_error_for(const teams_field_error_t *errs, size_t nerrs,
    const char *name)
{
    size_t  i;

    for (i = 0; i < nerrs; i++) {
        if (strcmp(errs[i].input, name) == 0) {
            return &errs[i];
        }
    }

    return NULL;
}


static void
teams_card_choice(teams_jw_t *w, const char *title, const char *value)
{
    teams_jw_object(w);
    teams_card_kstrn(w, "title", title, TEAMS_CARD_FACT_MAX);
    teams_jw_kstr(w, "value", value);
    teams_jw_end(w);
}


static void
teams_card_input(teams_jw_t *w, const teams_action_def_t *def,
    const teams_action_input_t *in, const char *value, size_t vlen,
    const teams_json_t *choices)
{
    const teams_json_t  *c;

    teams_jw_object(w);

    switch (in->type == TEAMS_INPUT_CLIENT
            && (choices == NULL || choices->child == NULL)
            ? TEAMS_INPUT_REF : in->type)
    {

    /*
     * A client choice without the client list (a form re-rendered after
     * the statement ran) asks for the id as text: a ChoiceSet needs at
     * least one choice.
     */
    case TEAMS_INPUT_KIND:
    case TEAMS_INPUT_DECISION:
    case TEAMS_INPUT_MODE:
    case TEAMS_INPUT_CLIENT:
        teams_jw_kstr(w, "type", "Input.ChoiceSet");
        teams_jw_kstr(w, "style", "compact");
        teams_jw_key(w, "choices");
        teams_jw_array(w);

        if (in->type == TEAMS_INPUT_KIND) {
            if (def->targets & TEAMS_TARGET_TICKET) {
                teams_card_choice(w, "Ticket", "ticket");
            }

            if (def->targets & TEAMS_TARGET_TASK) {
                teams_card_choice(w, "Project task", "task");
            }

        } else if (in->type == TEAMS_INPUT_DECISION) {
            teams_card_choice(w, "Approve", "approve");
            teams_card_choice(w, "Request changes", "request_changes");

        } else if (in->type == TEAMS_INPUT_MODE) {
            teams_card_choice(w, "Internal note", "note");
            teams_card_choice(w, "Customer reply", "reply");

        } else {
            for (c = choices ? choices->child : NULL; c; c = c->next) {
                teams_card_choice(w, teams_card_jstr(c, "title", ""),
                                  teams_card_jstr(c, "value", ""));
            }
        }

        teams_jw_end(w);
        break;

    case TEAMS_INPUT_DATE:
        teams_jw_kstr(w, "type", "Input.Date");
        break;

    default:
        teams_jw_kstr(w, "type", "Input.Text");

        if (in->type == TEAMS_INPUT_LONG_TEXT) {
            teams_jw_kbool(w, "isMultiline", 1);
        }

        teams_jw_kint(w, "maxLength", (int64_t) in->max_len);

        if (in->type == TEAMS_INPUT_DURATION) {
            teams_jw_kstr(w, "placeholder", "1h30m");

        } else if (in->type == TEAMS_INPUT_ASSIGNEE) {
            teams_jw_kstr(w, "placeholder", "me, a name or an e-mail");

        } else if (in->type == TEAMS_INPUT_REF) {
            teams_jw_kstr(w, "placeholder", "a number or id");
        }

        break;
    }

    teams_jw_kstr(w, "id", in->name);
    teams_jw_kstr(w, "label", in->label);

    if (in->required) {
        teams_jw_kbool(w, "isRequired", 1);
        teams_jw_kstr(w, "errorMessage", "This field is required.");
    }

    if (value != NULL) {
        /* no more than the input takes: a form stays under 28 KB */
        teams_jw_key(w, "value");
        teams_jw_strn(w, value,
                      teams_utf8_cut(value, vlen,
                                     in->max_len < TEAMS_CARD_PREFILL_MAX
                                     ? in->max_len
                                     : TEAMS_CARD_PREFILL_MAX));
    }

    teams_jw_end(w);
}


void
teams_card_form(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const teams_action_def_t *def, const teams_args_t *args,
    const teams_field_error_t *errs, size_t nerrs,
    const teams_json_t *choices, const char *intro)
{
    size_t                        vlen;
    const char                   *v;
    const teams_field_error_t    *e;
    const teams_action_input_t   *in;

    teams_card_open(w);
    teams_jw_key(w, "body");
    teams_jw_array(w);
    teams_card_textblock(w, def->title, TEAMS_CARD_TITLE_MAX, "Medium",
                         "Bolder", NULL, 0);

    if (intro != NULL) {
        teams_card_textblock(w, intro, TEAMS_CARD_TEXT_MAX, NULL, NULL,
                             NULL, 1);
    }

    for (in = def->inputs; in != NULL && in->name != NULL; in++) {
        v = teams_args_get(args, in->name, &vlen);
        teams_card_input(w, def, in, v, vlen, choices);

        e = teams_card_error_for(errs, nerrs, in->name);
        if (e != NULL) {
            teams_card_textblock(w, e->message, TEAMS_CARD_FACT_MAX, "Small",
                                 NULL, "Attention", 0);
        }
    }

    teams_jw_end(w);

    teams_jw_key(w, "actions");
    teams_jw_array(w);
    teams_card_button(w, ctx, "Save", def->name, 1, "positive",
        (const char *[]) { "action", def->name, "nonce", ctx->nonce, NULL });
    teams_card_button(w, ctx, "Cancel", "cancel", 0, NULL,
        (const char *[]) { "action", "cancel", NULL });
    teams_jw_end(w);

    teams_jw_end(w);
}


void
teams_card_confirm(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const char *title, const char *text, const teams_json_t *rec)
{
    const char      *kname;
    teams_target_e   kind;

    teams_card_open(w);
    teams_jw_key(w, "body");
    teams_jw_array(w);
    teams_card_textblock(w, title, TEAMS_CARD_TITLE_MAX, "Medium", "Bolder",
                         "Good", 0);

    if (text != NULL) {
        teams_card_textblock(w, text, TEAMS_CARD_TEXT_MAX, NULL, NULL, NULL,
                             0);
    }

    if (rec != NULL) {
        teams_card_textblock(w, teams_card_jstr(rec, "title", ""),
                             TEAMS_CARD_TITLE_MAX, NULL, "Bolder", NULL, 0);
    }

    teams_jw_end(w);

    teams_jw_key(w, "actions");
    teams_jw_array(w);

    if (rec != NULL) {
        kname = teams_card_jstr(rec, "kind", "");
        kind = teams_target_parse(kname, strlen(kname));
        teams_card_record_links(w, ctx, kind, teams_card_jstr(rec, "id", ""),
                                teams_card_jstr(rec, "extra", NULL));
    }

    teams_jw_end(w);
    teams_jw_end(w);
}


void
teams_card_thumbnail(teams_jw_t *w, const teams_card_ctx_t *ctx,
    const teams_json_t *item)
{
    char             url[TEAMS_LINK_MAX + 1];
    const char      *kname, *sub;
    teams_target_e   kind;

    kname = teams_card_jstr(item, "kind", "");
    kind = teams_target_parse(kname, strlen(kname));

    teams_jw_object(w);
    teams_card_kstrn(w, "title", teams_card_jstr(item, "title", ""),
                     TEAMS_CARD_TITLE_MAX);

    sub = teams_card_jstr(item, "subtitle", NULL);
    if (sub != NULL) {
        teams_card_kstrn(w, "text", sub, TEAMS_CARD_FACT_MAX);
    }

    if (teams_link_teams(url, sizeof(url), &ctx->links, kind,
                         teams_card_jstr(item, "id", ""),
                         teams_card_jstr(item, "extra", NULL)))
    {
        teams_jw_key(w, "tap");
        teams_jw_object(w);
        teams_jw_kstr(w, "type", "openUrl");
        teams_jw_kstr(w, "value", url);
        teams_jw_end(w);
    }

    teams_jw_end(w);
}
