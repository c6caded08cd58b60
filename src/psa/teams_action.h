
/*
 * The action registry: one table of what a Teams user can do to the PSA.
 * The bot's commands, the message extension, dialogs and card actions all
 * resolve to an entry here; the entry says which inputs it takes and how
 * they are validated, which records it targets, which PSA permission
 * (resource, action of psa-schema section 4) it needs per target, whether
 * it mutates, its teams_integrations.allowed_actions key and the
 * enabled_capabilities value it belongs to.  Plain C, no nginx.
 */


#ifndef _TEAMS_ACTION_H_INCLUDED_
#define _TEAMS_ACTION_H_INCLUDED_


#include <stddef.h>

#include "core/teams_uuid.h"


typedef enum {
    TEAMS_ACTION_NONE = 0,
    TEAMS_ACTION_MY_TICKETS,
    TEAMS_ACTION_MY_APPROVALS,
    TEAMS_ACTION_OPEN_RECORD,
    TEAMS_ACTION_ASSIGN_TICKET,
    TEAMS_ACTION_ADD_NOTE,
    TEAMS_ACTION_REPLY_TO_CONTACT,
    TEAMS_ACTION_LOG_TIME,
    TEAMS_ACTION_APPROVAL_RESPONSE,
    TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE,
    TEAMS_ACTION_UPDATE_FROM_MESSAGE,
    TEAMS_ACTION_N
} teams_action_e;


/* record kinds an action can target (a bit mask) */
typedef enum {
    TEAMS_TARGET_NONE = 0,
    TEAMS_TARGET_TICKET = 0x01,
    TEAMS_TARGET_TASK = 0x02,
    TEAMS_TARGET_CONTACT = 0x04,
    TEAMS_TARGET_APPROVAL = 0x08,      /* a time sheet awaiting approval */
    TEAMS_TARGET_TIME_ENTRY = 0x10
} teams_target_e;


typedef enum {
    TEAMS_INPUT_TEXT = 0,        /* one line */
    TEAMS_INPUT_LONG_TEXT,       /* multi-line */
    TEAMS_INPUT_REF,             /* a record: number, id or e-mail */
    TEAMS_INPUT_KIND,            /* a target kind: ticket, task, ... */
    TEAMS_INPUT_ASSIGNEE,        /* me, a name, an e-mail, a user id */
    TEAMS_INPUT_DURATION,        /* 1h30m, 45m, 1.5h */
    TEAMS_INPUT_DATE,            /* YYYY-MM-DD */
    TEAMS_INPUT_DECISION,        /* approve | request_changes */
    TEAMS_INPUT_MODE,            /* note | reply */
    TEAMS_INPUT_CLIENT           /* a client id (choice) */
} teams_input_type_e;


typedef struct {
    const char             *name;
    const char             *label;
    teams_input_type_e      type;
    unsigned                required:1;
    size_t                  max_len;
} teams_action_input_t;


typedef struct {
    teams_target_e          target;
    const char             *resource;
    const char             *action;
} teams_action_perm_t;


typedef struct {
    teams_action_e               id;
    const char                  *name;          /* also the audit action_id */
    const char                  *title;
    unsigned                     targets;       /* teams_target_e mask */
    const teams_action_perm_t   *perms;         /* per target, NULL-ended */
    unsigned                     mutates:1;
    const char                  *allowed_key;   /* NULL: not governed */
    const char                  *capability;    /* NULL: any surface */
    const char                  *event_type;    /* PSA event, or NULL */
    const teams_action_input_t  *inputs;        /* name NULL ends */
} teams_action_def_t;


/* inputs as name/value text pairs, from any surface */
#define TEAMS_ARGS_MAX  16

typedef struct {
    const char             *name;
    const char             *value;
    size_t                  len;
} teams_arg_t;

typedef struct {
    teams_arg_t             arg[TEAMS_ARGS_MAX];
    size_t                  n;
} teams_args_t;


typedef struct {
    const char             *input;
    const char             *message;
} teams_field_error_t;


/* why an action may not run, decided centrally */
typedef enum {
    TEAMS_DENY_NONE = 0,
    TEAMS_DENY_CAPABILITY,       /* the tenant disabled the capability */
    TEAMS_DENY_ACTION,           /* not in allowed_actions */
    TEAMS_DENY_PERMISSION        /* the PSA role lacks the permission */
} teams_deny_e;


const teams_action_def_t *teams_action_get(teams_action_e id);
const teams_action_def_t *teams_action_by_name(const char *name,
    size_t len);
const teams_action_def_t *teams_action_first(void);

/* the permission for a target; NULL resource when none applies */
const teams_action_perm_t *teams_action_perm(const teams_action_def_t *def,
    teams_target_e target);

teams_target_e teams_target_parse(const char *s, size_t len);
const char *teams_target_name(teams_target_e t);

const teams_action_input_t *teams_action_input(const teams_action_def_t *def,
    const char *name);

/*
 * Central gate.  perms is a list of "resource:action" strings the user
 * holds; allowed and caps the tenant's allowed_actions and
 * enabled_capabilities.  surface_cap, when not NULL, is the capability of
 * the surface the request came through.
 */
teams_deny_e teams_action_check(const teams_action_def_t *def,
    teams_target_e target, const char *const *perms, size_t nperms,
    const char *const *allowed, size_t nallowed, const char *const *caps,
    size_t ncaps, const char *surface_cap);
/*
 * The gate as a request states it, each part "" when it does not apply: a
 * permission (resource, action), an allowed_actions key, the action's
 * capability and the capability of the surface.  teams_gate_pass() is the
 * rule the mutation statements apply in SQL, for reads gated in C.
 */
typedef struct {
    const char             *resource;
    const char             *action;
    const char             *allowed_key;
    const char             *capability;
    const char             *surface_cap;
} teams_gate_t;

int teams_gate_pass(const teams_gate_t *gate, const char *const *perms,
    size_t nperms, const char *const *allowed, size_t nallowed,
    const char *const *caps, size_t ncaps);

const char *teams_deny_message(teams_deny_e d);
const char *teams_deny_code(teams_deny_e d);

/*
 * Validates args against the entry's inputs: required fields, lengths,
 * types, and the cross-field rules (a change request needs a comment).
 * Returns the number of errors written to errs (at most nerrs).
 */
size_t teams_action_validate(const teams_action_def_t *def,
    const teams_args_t *args, teams_field_error_t *errs, size_t nerrs);

/* 1h30m, 45m, 1.5h, 90 (minutes), 2h: minutes, or -1 */
int teams_duration_parse(const char *s, size_t len);

void teams_args_set(teams_args_t *args, const char *name, const char *value,
    size_t len);
const char *teams_args_get(const teams_args_t *args, const char *name,
    size_t *len);


#endif /* _TEAMS_ACTION_H_INCLUDED_ */
