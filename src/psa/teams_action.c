
/*
 * The action registry (see teams_action.h).  Every surface reads this one
 * table; the SQL that runs an action is in the glue, keyed by the same ids.
 */


#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "psa/teams_action.h"


#define TEAMS_NOTE_MAX   8000
#define TEAMS_TITLE_MAX  255


/* inputs */

static const teams_action_input_t  teams_in_none[] = {
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_open[] = {
    { "kind", "Record type", TEAMS_INPUT_KIND, 1, 16 },
    { "ref", "Number or id", TEAMS_INPUT_REF, 1, 128 },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_assign[] = {
    { "ticket", "Ticket", TEAMS_INPUT_REF, 1, 64 },
    { "assignee", "Assign to (me, name or e-mail)", TEAMS_INPUT_ASSIGNEE, 1,
      255 },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_note[] = {
    { "ticket", "Ticket", TEAMS_INPUT_REF, 1, 64 },
    { "text", "Internal note", TEAMS_INPUT_LONG_TEXT, 1, TEAMS_NOTE_MAX },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_reply[] = {
    { "ticket", "Ticket", TEAMS_INPUT_REF, 1, 64 },
    { "text", "Reply to the contact", TEAMS_INPUT_LONG_TEXT, 1,
      TEAMS_NOTE_MAX },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_log_time[] = {
    { "kind", "Log against (ticket or task)", TEAMS_INPUT_KIND, 1, 16 },
    { "ref", "Ticket number or task id", TEAMS_INPUT_REF, 1, 128 },
    { "duration", "Duration (1h30m, 45m, 1.5h)", TEAMS_INPUT_DURATION, 1,
      16 },
    { "note", "Note", TEAMS_INPUT_LONG_TEXT, 0, TEAMS_NOTE_MAX },
    { "date", "Work date", TEAMS_INPUT_DATE, 0, 10 },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_approval[] = {
    { "approval", "Time sheet", TEAMS_INPUT_REF, 1, 64 },
    { "decision", "Decision", TEAMS_INPUT_DECISION, 1, 16 },
    { "comment", "Comment", TEAMS_INPUT_LONG_TEXT, 0, TEAMS_NOTE_MAX },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_create[] = {
    { "title", "Title", TEAMS_INPUT_TEXT, 1, TEAMS_TITLE_MAX },
    { "description", "Description", TEAMS_INPUT_LONG_TEXT, 0,
      TEAMS_NOTE_MAX },
    { "client", "Client", TEAMS_INPUT_CLIENT, 1, 64 },
    { NULL, NULL, 0, 0, 0 }
};

static const teams_action_input_t  teams_in_update[] = {
    { "kind", "Record type (ticket or task)", TEAMS_INPUT_KIND, 1, 16 },
    { "ref", "Ticket number or task id", TEAMS_INPUT_REF, 1, 128 },
    { "mode", "Add as", TEAMS_INPUT_MODE, 0, 8 },
    { "text", "Text", TEAMS_INPUT_LONG_TEXT, 1, TEAMS_NOTE_MAX },
    { NULL, NULL, 0, 0, 0 }
};


/* permissions per target (psa-schema section 4 resource:action names) */

static const teams_action_perm_t  teams_perm_ticket_read[] = {
    { TEAMS_TARGET_TICKET, "ticket", "read" },
    { 0, NULL, NULL }
};

static const teams_action_perm_t  teams_perm_approve[] = {
    { TEAMS_TARGET_APPROVAL, "timesheet", "approve" },
    { 0, NULL, NULL }
};

static const teams_action_perm_t  teams_perm_open[] = {
    { TEAMS_TARGET_TICKET, "ticket", "read" },
    { TEAMS_TARGET_TASK, "project_task", "read" },
    { TEAMS_TARGET_CONTACT, "contact", "read" },
    { TEAMS_TARGET_APPROVAL, "timesheet", "read" },
    { TEAMS_TARGET_TIME_ENTRY, "timeentry", "read" },
    { 0, NULL, NULL }
};

static const teams_action_perm_t  teams_perm_ticket_update[] = {
    { TEAMS_TARGET_TICKET, "ticket", "update" },
    { 0, NULL, NULL }
};

static const teams_action_perm_t  teams_perm_log_time[] = {
    { TEAMS_TARGET_TICKET, "timeentry", "create" },
    { TEAMS_TARGET_TASK, "timeentry", "create" },
    { 0, NULL, NULL }
};

static const teams_action_perm_t  teams_perm_create[] = {
    { TEAMS_TARGET_TICKET, "ticket", "create" },
    { 0, NULL, NULL }
};

static const teams_action_perm_t  teams_perm_update[] = {
    { TEAMS_TARGET_TICKET, "ticket", "update" },
    { TEAMS_TARGET_TASK, "project_task", "update" },
    { 0, NULL, NULL }
};


static const teams_action_def_t  teams_actions[] = {
    { TEAMS_ACTION_NONE, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL },

    { TEAMS_ACTION_MY_TICKETS, "my_tickets", "My tickets",
      TEAMS_TARGET_TICKET, teams_perm_ticket_read, 0, NULL, NULL, NULL,
      teams_in_none },

    { TEAMS_ACTION_MY_APPROVALS, "my_approvals", "My approvals",
      TEAMS_TARGET_APPROVAL, teams_perm_approve, 0, NULL, NULL, NULL,
      teams_in_none },

    { TEAMS_ACTION_OPEN_RECORD, "open_record", "Open record",
      TEAMS_TARGET_TICKET | TEAMS_TARGET_TASK | TEAMS_TARGET_CONTACT
      | TEAMS_TARGET_APPROVAL | TEAMS_TARGET_TIME_ENTRY,
      teams_perm_open, 0, NULL, NULL, NULL, teams_in_open },

    { TEAMS_ACTION_ASSIGN_TICKET, "assign_ticket", "Assign ticket",
      TEAMS_TARGET_TICKET, teams_perm_ticket_update, 1, "assign_ticket",
      NULL, "TICKET_ASSIGNED", teams_in_assign },

    { TEAMS_ACTION_ADD_NOTE, "add_note", "Add internal note",
      TEAMS_TARGET_TICKET, teams_perm_ticket_update, 1, "add_note", NULL,
      "TICKET_COMMENT_ADDED", teams_in_note },

    { TEAMS_ACTION_REPLY_TO_CONTACT, "reply_to_contact", "Reply to contact",
      TEAMS_TARGET_TICKET, teams_perm_ticket_update, 1, "reply_to_contact",
      NULL, "TICKET_COMMENT_ADDED", teams_in_reply },

    { TEAMS_ACTION_LOG_TIME, "log_time", "Log time",
      TEAMS_TARGET_TICKET | TEAMS_TARGET_TASK, teams_perm_log_time, 1,
      "log_time", NULL, "TIME_ENTRY_CREATED", teams_in_log_time },

    { TEAMS_ACTION_APPROVAL_RESPONSE, "approval_response",
      "Respond to time sheet", TEAMS_TARGET_APPROVAL, teams_perm_approve, 1,
      "approval_response", NULL, "TIME_SHEET_APPROVED", teams_in_approval },

    { TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE, "create_ticket_from_message",
      "Create ticket from message", TEAMS_TARGET_TICKET, teams_perm_create,
      1, NULL, "message_extension", "TICKET_CREATED", teams_in_create },

    { TEAMS_ACTION_UPDATE_FROM_MESSAGE, "update_from_message",
      "Add message to a record", TEAMS_TARGET_TICKET | TEAMS_TARGET_TASK,
      teams_perm_update, 1, NULL, "message_extension",
      "TICKET_COMMENT_ADDED", teams_in_update }
};


const teams_action_def_t *
teams_action_get(teams_action_e id)
{
    if (id <= TEAMS_ACTION_NONE || id >= TEAMS_ACTION_N) {
        return NULL;
    }

    return &teams_actions[id];
}


const teams_action_def_t *
teams_action_first(void)
{
    return &teams_actions[1];
}


const teams_action_def_t *
teams_action_by_name(const char *name, size_t len)
{
    size_t  i;

    for (i = 1; i < TEAMS_ACTION_N; i++) {
        if (strlen(teams_actions[i].name) == len
            && memcmp(teams_actions[i].name, name, len) == 0)
        {
            return &teams_actions[i];
        }
    }

    return NULL;
}


const teams_action_perm_t *
teams_action_perm(const teams_action_def_t *def, teams_target_e target)
{
    const teams_action_perm_t  *p;

    for (p = def->perms; p != NULL && p->resource != NULL; p++) {
        if (p->target == target) {
            return p;
        }
    }

    return NULL;
}


static const struct {
    const char      *name;
    teams_target_e   target;
} teams_target_names[] = {
    { "ticket", TEAMS_TARGET_TICKET },
    { "task", TEAMS_TARGET_TASK },
    { "project_task", TEAMS_TARGET_TASK },
    { "contact", TEAMS_TARGET_CONTACT },
    { "approval", TEAMS_TARGET_APPROVAL },
    { "timesheet", TEAMS_TARGET_APPROVAL },
    { "entry", TEAMS_TARGET_TIME_ENTRY },
    { "time_entry", TEAMS_TARGET_TIME_ENTRY },
    { NULL, 0 }
};


teams_target_e
teams_target_parse(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; teams_target_names[i].name != NULL; i++) {
        if (strlen(teams_target_names[i].name) == len
            && strncasecmp(teams_target_names[i].name, s, len) == 0)
        {
            return teams_target_names[i].target;
        }
    }

    return TEAMS_TARGET_NONE;
}


const char *
teams_target_name(teams_target_e t)
{
    switch (t) {
    case TEAMS_TARGET_TICKET:
        return "ticket";
    case TEAMS_TARGET_TASK:
        return "task";
    case TEAMS_TARGET_CONTACT:
        return "contact";
    case TEAMS_TARGET_APPROVAL:
        return "approval";
    case TEAMS_TARGET_TIME_ENTRY:
        return "entry";
    default:
        return NULL;
    }
}


const teams_action_input_t *
teams_action_input(const teams_action_def_t *def, const char *name)
{
    const teams_action_input_t  *in;

    for (in = def->inputs; in != NULL && in->name != NULL; in++) {
        if (strcmp(in->name, name) == 0) {
            return in;
        }
    }

    return NULL;
}


static int
teams_list_has(const char *const *list, size_t n, const char *s)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (list[i] != NULL && strcmp(list[i], s) == 0) {
            return 1;
        }
    }

    return 0;
}


teams_deny_e
teams_action_check(const teams_action_def_t *def, teams_target_e target,
    const char *const *perms, size_t nperms, const char *const *allowed,
    size_t nallowed, const char *const *caps, size_t ncaps,
    const char *surface_cap)
{
    char                        need[64];
    const teams_action_perm_t  *p;

    if (surface_cap != NULL && !teams_list_has(caps, ncaps, surface_cap)) {
        return TEAMS_DENY_CAPABILITY;
    }

    if (def->capability != NULL
        && !teams_list_has(caps, ncaps, def->capability))
    {
        return TEAMS_DENY_CAPABILITY;
    }

    if (def->allowed_key != NULL
        && !teams_list_has(allowed, nallowed, def->allowed_key))
    {
        return TEAMS_DENY_ACTION;
    }

    p = teams_action_perm(def, target);
    if (p == NULL) {
        return TEAMS_DENY_PERMISSION;
    }

    if (strlen(p->resource) + strlen(p->action) + 2 > sizeof(need)) {
        return TEAMS_DENY_PERMISSION;
    }

    strcpy(need, p->resource);
    strcat(need, ":");
    strcat(need, p->action);

    return teams_list_has(perms, nperms, need) ? TEAMS_DENY_NONE
                                               : TEAMS_DENY_PERMISSION;
}


int
teams_gate_pass(const teams_gate_t *gate, const char *const *perms,
    size_t nperms, const char *const *allowed, size_t nallowed,
    const char *const *caps, size_t ncaps)
{
    char  need[64];

    if (gate->resource[0]) {
        if (strlen(gate->resource) + strlen(gate->action) + 2 > sizeof(need)) {
            return 0;
        }

        strcpy(need, gate->resource);
        strcat(need, ":");
        strcat(need, gate->action);

        if (!teams_list_has(perms, nperms, need)) {
            return 0;
        }
    }

    return (gate->allowed_key[0] == '\0'
            || teams_list_has(allowed, nallowed, gate->allowed_key))
           && (gate->capability[0] == '\0'
               || teams_list_has(caps, ncaps, gate->capability))
           && (gate->surface_cap[0] == '\0'
               || teams_list_has(caps, ncaps, gate->surface_cap));
}


const char *
teams_deny_message(teams_deny_e d)
{
    switch (d) {
    case TEAMS_DENY_CAPABILITY:
        return "Your administrator has turned this part of the Teams app "
               "off.";
    case TEAMS_DENY_ACTION:
        return "Your administrator has not enabled this action in Teams.";
    case TEAMS_DENY_PERMISSION:
        return "Your PSA role does not allow this action.";
    default:
        return "";
    }
}


const char *
teams_deny_code(teams_deny_e d)
{
    switch (d) {
    case TEAMS_DENY_CAPABILITY:
        return "capability_disabled";
    case TEAMS_DENY_ACTION:
        return "action_disabled";
    case TEAMS_DENY_PERMISSION:
        return "forbidden";
    default:
        return "ok";
    }
}


int
teams_duration_parse(const char *s, size_t len)
{
    char    buf[32], *p, *end;
    double  v, total;
    int     seen;

    while (len && isspace((unsigned char) *s)) {
        s++;
        len--;
    }

    while (len && isspace((unsigned char) s[len - 1])) {
        len--;
    }

    if (len == 0 || len >= sizeof(buf)) {
        return -1;
    }

    memcpy(buf, s, len);
    buf[len] = '\0';

    for (p = buf; *p; p++) {
        *p = (char) tolower((unsigned char) *p);
    }

    /* a bare number is minutes */
    if (strspn(buf, "0123456789") == len) {
        total = strtod(buf, NULL);
        goto done;
    }

    total = 0;
    seen = 0;
    p = buf;

    while (*p) {
        if (!isdigit((unsigned char) *p) && *p != '.') {
            return -1;
        }

        v = strtod(p, &end);
        if (end == p) {
            return -1;
        }

        p = end;

        while (*p == ' ') {
            p++;
        }

        if (*p == 'h') {
            if (seen & 1) {
                return -1;
            }

            seen |= 1;
            total += v * 60;
            p++;

            if (strncmp(p, "ours", 4) == 0) {
                p += 4;
            } else if (strncmp(p, "our", 3) == 0) {
                p += 3;
            } else if (strncmp(p, "rs", 2) == 0) {
                p += 2;
            } else if (*p == 'r') {
                p++;
            }

        } else if (*p == 'm') {
            if (seen & 2) {
                return -1;
            }

            seen |= 2;
            total += v;
            p++;

            if (strncmp(p, "ins", 3) == 0) {
                p += 3;
            } else if (strncmp(p, "in", 2) == 0) {
                p += 2;
            }

        } else {
            return -1;
        }

        while (*p == ' ') {
            p++;
        }
    }

done:

    /* whole minutes, between one minute and one day */
    if (total < 1 || total > 24 * 60 || total != (int) total) {
        return -1;
    }

    return (int) total;
}


void
teams_args_set(teams_args_t *args, const char *name, const char *value,
    size_t len)
{
    size_t  i;

    for (i = 0; i < args->n; i++) {
        if (strcmp(args->arg[i].name, name) == 0) {
            args->arg[i].value = value;
            args->arg[i].len = len;
            return;
        }
    }

    if (args->n == TEAMS_ARGS_MAX) {
        return;
    }

    args->arg[args->n].name = name;
    args->arg[args->n].value = value;
    args->arg[args->n].len = len;
    args->n++;
}


const char *
teams_args_get(const teams_args_t *args, const char *name, size_t *len)
{
    size_t  i;

    for (i = 0; i < args->n; i++) {
        if (strcmp(args->arg[i].name, name) == 0 && args->arg[i].value) {
            if (len) {
                *len = args->arg[i].len;
            }

            return args->arg[i].value;
        }
    }

    if (len) {
        *len = 0;
    }

    return NULL;
}


static int
teams_blank(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (!isspace((unsigned char) s[i])) {
            return 0;
        }
    }

    return 1;
}


static const char *
teams_input_check(const teams_action_def_t *def,
    const teams_action_input_t *in, const char *v, size_t len)
{
    size_t          i;
    teams_target_e  t;

    switch (in->type) {

    case TEAMS_INPUT_KIND:
        t = teams_target_parse(v, len);
        if (t == TEAMS_TARGET_NONE || !(def->targets & t)) {
            return (def->targets & TEAMS_TARGET_TASK)
                   && !(def->targets & TEAMS_TARGET_CONTACT)
                   ? "Choose ticket or task."
                   : "Choose a record type.";
        }
        break;

    case TEAMS_INPUT_DURATION:
        if (teams_duration_parse(v, len) < 0) {
            return "Enter a duration like 1h30m, 45m or 1.5h (at most "
                   "24h).";
        }
        break;

    case TEAMS_INPUT_DATE:
        if (len != 10 || v[4] != '-' || v[7] != '-') {
            return "Enter a date as YYYY-MM-DD.";
        }

        for (i = 0; i < 10; i++) {
            if (i != 4 && i != 7 && !isdigit((unsigned char) v[i])) {
                return "Enter a date as YYYY-MM-DD.";
            }
        }
        break;

    case TEAMS_INPUT_DECISION:
        if (!((len == 7 && memcmp(v, "approve", 7) == 0)
              || (len == 15 && memcmp(v, "request_changes", 15) == 0)))
        {
            return "Choose approve or request changes.";
        }
        break;

    case TEAMS_INPUT_MODE:
        if (!((len == 4 && memcmp(v, "note", 4) == 0)
              || (len == 5 && memcmp(v, "reply", 5) == 0)))
        {
            return "Choose internal note or customer reply.";
        }
        break;

    case TEAMS_INPUT_CLIENT:
        if (!teams_is_uuid(v, len)) {
            return "Choose a client.";
        }
        break;

    case TEAMS_INPUT_REF:
    case TEAMS_INPUT_ASSIGNEE:
        for (i = 0; i < len; i++) {
            if (isspace((unsigned char) v[i]) && in->type == TEAMS_INPUT_REF)
            {
                return "Enter one number or id.";
            }

            if ((unsigned char) v[i] < 0x20) {
                return "Enter a valid value.";
            }
        }
        break;

    default:
        break;
    }

    return NULL;
}


size_t
teams_action_validate(const teams_action_def_t *def,
    const teams_args_t *args, teams_field_error_t *errs, size_t nerrs)
{
    size_t                       n, len, dlen;
    const char                  *v, *msg, *d;
    const teams_action_input_t  *in;

    n = 0;

    for (in = def->inputs; in != NULL && in->name != NULL; in++) {
        v = teams_args_get(args, in->name, &len);
        msg = NULL;

        if (v == NULL || teams_blank(v, len)) {
            if (in->required) {
                msg = "This field is required.";
            }

        } else if (len > in->max_len) {
            msg = "This is too long.";

        } else {
            msg = teams_input_check(def, in, v, len);
        }

        if (msg != NULL && n < nerrs) {
            errs[n].input = in->name;
            errs[n].message = msg;
            n++;
        }
    }

    /* a change request must say what to change */
    if (def->id == TEAMS_ACTION_APPROVAL_RESPONSE) {
        d = teams_args_get(args, "decision", &dlen);
        v = teams_args_get(args, "comment", &len);

        if (d != NULL && dlen == 15 && memcmp(d, "request_changes", 15) == 0
            && (v == NULL || teams_blank(v, len)) && n < nerrs)
        {
            errs[n].input = "comment";
            errs[n].message = "Say what should change.";
            n++;
        }
    }

    return n;
}
