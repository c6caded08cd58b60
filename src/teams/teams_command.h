
/*
 * The personal bot's command grammar: the text of a message activity to
 * an action of the registry with its arguments.  Arguments that are
 * missing stay missing; the caller validates with the registry and, when
 * something is missing or wrong, opens the action's card prefilled with
 * what was given.
 */


#ifndef _TEAMS_COMMAND_H_INCLUDED_
#define _TEAMS_COMMAND_H_INCLUDED_


#include <stddef.h>

#include "psa/teams_action.h"


#define TEAMS_COMMAND_MAX  8192


typedef enum {
    TEAMS_CMD_UNKNOWN = 0,       /* answer help */
    TEAMS_CMD_HELP,
    TEAMS_CMD_ACTION,
    TEAMS_CMD_USAGE,             /* known command, unusable arguments */
    TEAMS_CMD_NOTIFICATIONS      /* the caller's notification settings */
} teams_cmd_kind_e;


typedef struct {
    teams_cmd_kind_e     kind;
    teams_action_e       action;
    teams_args_t         args;       /* values point into buf */
    const char          *usage;      /* for TEAMS_CMD_USAGE */
    char                 buf[TEAMS_COMMAND_MAX];
} teams_command_t;


/* Returns 0, or -1 when the text is too long to be a command. */
int teams_command_parse(teams_command_t *c, const char *text, size_t len);

/* the help text (markdown as Teams renders it in a TextBlock) */
const char *teams_command_help(void);

/*
 * Plain text of an HTML message body: tags dropped (<br>, </p> and </div>
 * become line breaks), the common entities decoded, runs of blank space
 * collapsed.  Writes at most size - 1 bytes and a NUL; returns the length.
 */
size_t teams_html_to_text(char *dst, size_t size, const char *html,
    size_t len);


#endif /* _TEAMS_COMMAND_H_INCLUDED_ */
