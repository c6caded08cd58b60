
/*
 * Invoke routing and values (see teams_invoke.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teams/teams_command.h"
#include "teams/teams_invoke.h"


static const struct {
    const char       *name;
    teams_invoke_e    route;
} teams_invoke_names[] = {
    { "composeExtension/query", TEAMS_INVOKE_ME_QUERY },
    { "composeExtension/fetchTask", TEAMS_INVOKE_ME_FETCH },
    { "composeExtension/submitAction", TEAMS_INVOKE_ME_SUBMIT },
    { "task/fetch", TEAMS_INVOKE_TASK_FETCH },
    { "task/submit", TEAMS_INVOKE_TASK_SUBMIT },
    { "adaptiveCard/action", TEAMS_INVOKE_CARD_ACTION },

    /* answered with the documented empty 200 */
    { "composeExtension/onCardButtonClicked", TEAMS_INVOKE_EMPTY_OK },
    { "composeExtension/setting", TEAMS_INVOKE_EMPTY_OK },
    { "signin/verifyState", TEAMS_INVOKE_EMPTY_OK },

    /* no handler: 501, as the Bot Framework SDK answers */
    { "composeExtension/queryLink", TEAMS_INVOKE_UNSUPPORTED },
    { "composeExtension/anonymousQueryLink", TEAMS_INVOKE_UNSUPPORTED },
    { "composeExtension/selectItem", TEAMS_INVOKE_UNSUPPORTED },
    { "composeExtension/querySettingUrl", TEAMS_INVOKE_UNSUPPORTED },
    { "signin/tokenExchange", TEAMS_INVOKE_UNSUPPORTED },
    { "fileConsent/invoke", TEAMS_INVOKE_UNSUPPORTED },
    { "actionableMessage/executeAction", TEAMS_INVOKE_UNSUPPORTED },
    { NULL, 0 }
};


teams_invoke_e
teams_invoke_route(const teams_activity_t *a)
{
    size_t  i;

    for (i = 0; teams_invoke_names[i].name != NULL; i++) {
        if (teams_str_eq(&a->name, teams_invoke_names[i].name)) {
            return teams_invoke_names[i].route;
        }
    }

    return TEAMS_INVOKE_UNSUPPORTED;
}


int
teams_invoke_is_install_add(const teams_activity_t *a)
{
    const char          *action;
    const teams_json_t  *m, *added;

    if (teams_str_eq(&a->type, "installationUpdate")) {
        action = teams_json_str(a->root, "action", NULL);
        return action != NULL && strncmp(action, "add", 3) == 0;
    }

    added = teams_json_get(a->root, "membersAdded");
    if (added == NULL || added->type != TEAMS_JSON_ARRAY) {
        return 0;
    }

    for (m = added->child; m != NULL; m = m->next) {
        if (a->recipient_id.str != NULL
            && teams_json_str(m, "id", NULL) != NULL
            && strlen(teams_json_str(m, "id", NULL)) == a->recipient_id.len
            && memcmp(teams_json_str(m, "id", NULL), a->recipient_id.str,
                      a->recipient_id.len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


void
teams_invoke_copy_json(teams_jw_t *w, const teams_json_t *v)
{
    char                 num[64];
    const teams_json_t  *c;

    if (v == NULL) {
        teams_jw_null(w);
        return;
    }

    switch (v->type) {
    case TEAMS_JSON_NULL:
        teams_jw_null(w);
        break;
    case TEAMS_JSON_BOOL:
        teams_jw_bool(w, v->boolean);
        break;
    case TEAMS_JSON_NUMBER:
        snprintf(num, sizeof(num), "%.17g", v->number);
        teams_jw_raw(w, num, strlen(num));
        break;
    case TEAMS_JSON_STRING:
        teams_jw_strn(w, v->str, v->len);
        break;
    case TEAMS_JSON_ARRAY:
        teams_jw_array(w);
        for (c = v->child; c != NULL; c = c->next) {
            teams_invoke_copy_json(w, c);
        }
        teams_jw_end(w);
        break;
    case TEAMS_JSON_OBJECT:
        teams_jw_object(w);
        for (c = v->child; c != NULL; c = c->next) {
            teams_jw_key(w, c->key);
            teams_invoke_copy_json(w, c);
        }
        teams_jw_end(w);
        break;
    }
}


/* string members of a card's data become arguments */
static void
teams_invoke_data_args(teams_invoke_t *inv, const teams_json_t *data)
{
    const teams_json_t  *c;

    for (c = data ? data->child : NULL; c != NULL; c = c->next) {
        if (c->type != TEAMS_JSON_STRING || c->key == NULL) {
            continue;
        }

        if (strcmp(c->key, "nonce") == 0) {
            inv->idem = c->str;

        } else if (strcmp(c->key, "action") != 0
                   && strcmp(c->key, "verb") != 0
                   && strcmp(c->key, "source") != 0)
        {
            teams_args_set(&inv->args, c->key, c->str, c->len);
        }
    }
}


static const char *
teams_invoke_action(teams_invoke_t *inv, const char *name, int need_mutating)
{
    const teams_action_def_t  *def;

    if (name == NULL) {
        return "the data names no action";
    }

    if (strcmp(name, "cancel") == 0) {
        inv->cancel = 1;
        return NULL;
    }

    def = teams_action_by_name(name, strlen(name));
    if (def == NULL || (need_mutating && !def->mutates)) {
        return "the data names an unknown action";
    }

    inv->action = def->id;

    return NULL;
}


/* the Teams message an action command was started from */
static void
teams_invoke_message(teams_invoke_t *inv, const teams_json_t *mp)
{
    int                  n;
    size_t               len, tlen;
    const char          *html, *subject, *sender, *link, *id, *when, *nl;
    teams_jw_t           w;
    const teams_json_t  *body;

    html = NULL;
    len = 0;
    body = teams_json_get(mp, "body");

    if (body != NULL) {
        html = teams_json_str(body, "content", &len);
    }

    tlen = html ? teams_html_to_text(inv->text, 4000, html, len) : 0;

    subject = teams_json_str(mp, "subject", NULL);
    sender = NULL;
    body = teams_json_get(teams_json_get(mp, "from"), "user");
    if (body != NULL) {
        sender = teams_json_str(body, "displayName", NULL);
    }

    link = teams_json_str(mp, "linkToMessage", NULL);
    id = teams_json_str(mp, "id", NULL);
    when = teams_json_str(mp, "createdDateTime", NULL);

    /* title: the subject, else the first line of the text */
    if (subject != NULL && subject[0] != '\0') {
        snprintf(inv->title, sizeof(inv->title), "%.200s", subject);

    } else {
        nl = memchr(inv->text, '\n', tlen);
        n = nl ? (int) (nl - inv->text) : (int) tlen;
        snprintf(inv->title, sizeof(inv->title), "%.*s", n > 120 ? 120 : n,
                 inv->text);
    }

    n = snprintf(inv->text + tlen, sizeof(inv->text) - tlen,
                 "%s%s%s%s%s", tlen ? "\n\n" : "",
                 sender ? "From Teams, " : "", sender ? sender : "",
                 link ? "\n" : "", link ? link : "");
    if (n > 0 && (size_t) n < sizeof(inv->text) - tlen) {
        tlen += n;
    }

    teams_args_set(&inv->args, "title", inv->title, strlen(inv->title));
    teams_args_set(&inv->args, "description", inv->text, tlen);
    teams_args_set(&inv->args, "text", inv->text, tlen);

    /* the Teams source stored with the ticket or comment */
    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "type", "teams_message");
    teams_jw_kstr(&w, "message_id", id);
    teams_jw_kstr(&w, "link", link);
    teams_jw_kstr(&w, "sender", sender);
    teams_jw_kstr(&w, "sent_at", when);
    teams_jw_end(&w);

    html = teams_jw_finish(&w, &len);
    if (html != NULL && len < sizeof(inv->source)) {
        memcpy(inv->source, html, len);
        inv->source[len] = '\0';
        teams_args_set(&inv->args, "source", inv->source, len);
    }

    if (w.buf != NULL) {
        free(w.buf);
    }
}


const char *
teams_invoke_read(const teams_activity_t *a, teams_invoke_e route,
    teams_invoke_t *inv)
{
    double               v;
    const char          *cmd, *s, *why;
    const teams_json_t  *val, *p, *opt, *data, *act, *mp;

    memset(inv, 0, sizeof(teams_invoke_t));

    val = a->value;
    if (val == NULL || val->type != TEAMS_JSON_OBJECT) {
        return "the invoke has no value object";
    }

    switch (route) {

    case TEAMS_INVOKE_ME_QUERY:
        cmd = teams_json_str(val, "commandId", NULL);
        s = "";

        p = teams_json_get(val, "parameters");
        if (p != NULL && p->type != TEAMS_JSON_ARRAY) {
            return "parameters is not an array";
        }

        for (p = p ? p->child : NULL; p != NULL; p = p->next) {
            if (teams_json_str(p, "name", NULL) == NULL) {
                return "a parameter has no name";
            }

            if (strcmp(teams_json_str(p, "name", NULL), "initialRun") == 0) {
                continue;
            }

            s = teams_json_str(p, "value", NULL);
            if (s == NULL) {
                s = "";
            }

            break;
        }

        teams_args_set(&inv->args, "query", s, strlen(s));

        opt = teams_json_get(val, "queryOptions");
        v = 0;
        if (opt != NULL && (p = teams_json_get(opt, "skip")) != NULL
            && p->type == TEAMS_JSON_NUMBER)
        {
            v = p->number;
        }

        snprintf(inv->skip, sizeof(inv->skip), "%d",
                 v < 0 ? 0 : v > 1000 ? 1000 : (int) v);

        v = 10;
        if (opt != NULL && (p = teams_json_get(opt, "count")) != NULL
            && p->type == TEAMS_JSON_NUMBER)
        {
            v = p->number;
        }

        snprintf(inv->count, sizeof(inv->count), "%d",
                 v < 1 ? 1 : v > 25 ? 25 : (int) v);

        teams_args_set(&inv->args, "skip", inv->skip, strlen(inv->skip));
        teams_args_set(&inv->args, "count", inv->count, strlen(inv->count));

        s = "";
        if (cmd != NULL) {
            if (strcmp(cmd, "searchTickets") == 0) {
                s = "ticket";
            } else if (strcmp(cmd, "searchTasks") == 0) {
                s = "task";
            } else if (strcmp(cmd, "searchContacts") == 0) {
                s = "contact";
            } else if (strcmp(cmd, "searchApprovals") == 0) {
                s = "approval";
            }
        }

        teams_args_set(&inv->args, "kind", s, strlen(s));
        inv->action = TEAMS_ACTION_OPEN_RECORD;
        return NULL;

    case TEAMS_INVOKE_ME_FETCH:
    case TEAMS_INVOKE_ME_SUBMIT:
        cmd = teams_json_str(val, "commandId", NULL);
        if (cmd == NULL) {
            return "the invoke names no command";
        }

        if (strcmp(cmd, "createTicket") == 0) {
            inv->action = TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE;

        } else if (strcmp(cmd, "updateFromMessage") == 0
                   || strcmp(cmd, "addToRecord") == 0)
        {
            inv->action = TEAMS_ACTION_UPDATE_FROM_MESSAGE;

        } else {
            return "unknown command";
        }

        mp = teams_json_get(val, "messagePayload");

        if (mp != NULL && mp->type == TEAMS_JSON_OBJECT) {
            teams_invoke_message(inv, mp);

        } else if (route == TEAMS_INVOKE_ME_FETCH) {
            inv->intro = "Started outside a message: fill in the details.";
        }

        if (route == TEAMS_INVOKE_ME_FETCH) {
            inv->form = 1;

            if (inv->action == TEAMS_ACTION_UPDATE_FROM_MESSAGE) {
                teams_args_set(&inv->args, "kind", "ticket", 6);
                teams_args_set(&inv->args, "mode", "note", 4);
            }

            return NULL;
        }

        data = teams_json_get(val, "data");
        if (data == NULL || data->type != TEAMS_JSON_OBJECT) {
            return "the submit has no data";
        }

        s = teams_json_str(data, "verb", NULL);
        if (s == NULL) {
            s = teams_json_str(data, "action", NULL);
        }

        if (s != NULL && strcmp(s, "cancel") == 0) {
            inv->cancel = 1;
            return NULL;
        }

        teams_invoke_data_args(inv, data);
        return NULL;

    case TEAMS_INVOKE_TASK_FETCH:
    case TEAMS_INVOKE_TASK_SUBMIT:
        data = teams_json_get(val, "data");
        if (data == NULL || data->type != TEAMS_JSON_OBJECT) {
            return "the dialog invoke has no data";
        }

        s = teams_json_str(data, "verb", NULL);
        if (s != NULL && strcmp(s, "cancel") == 0) {
            inv->cancel = 1;
            return NULL;
        }

        why = teams_invoke_action(inv, teams_json_str(data, "action", NULL),
                                  1);
        if (why != NULL || inv->cancel) {
            return why;
        }

        teams_invoke_data_args(inv, data);
        inv->form = (route == TEAMS_INVOKE_TASK_FETCH);
        return NULL;

    case TEAMS_INVOKE_CARD_ACTION:
        act = teams_json_get(val, "action");
        if (act == NULL || act->type != TEAMS_JSON_OBJECT) {
            return "the card action has no action";
        }

        s = teams_json_str(act, "type", NULL);
        if (s == NULL || strcmp(s, "Action.Execute") != 0) {
            return "only Action.Execute is supported";
        }

        cmd = teams_json_str(act, "verb", NULL);
        if (cmd == NULL) {
            return "the card action has no verb";
        }

        data = teams_json_get(act, "data");
        if (data != NULL && data->type != TEAMS_JSON_OBJECT) {
            return "the card action data is not an object";
        }

        if (strcmp(cmd, "cancel") == 0) {
            inv->cancel = 1;
            return NULL;
        }

        if (strcmp(cmd, "refresh") == 0) {
            inv->action = TEAMS_ACTION_OPEN_RECORD;
            teams_invoke_data_args(inv, data);

            if (teams_args_get(&inv->args, "kind", NULL) == NULL
                || teams_args_get(&inv->args, "ref", NULL) == NULL)
            {
                return "a refresh needs kind and ref";
            }

            return NULL;
        }

        if (strcmp(cmd, "form") == 0) {
            why = teams_invoke_action(inv, teams_json_str(data, "action",
                                                          NULL), 1);
            inv->form = 1;

        } else {
            why = teams_invoke_action(inv, cmd, 1);
        }

        if (why != NULL) {
            return why;
        }

        teams_invoke_data_args(inv, data);
        return NULL;

    default:
        return "not an action invoke";
    }
}
