
/*
 * The bot's command grammar (see teams_command.h).
 */


#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "teams/teams_command.h"


static const char  teams_help_text[] =
    "**PSA bot commands**\n\n"
    "- `my tickets` - your open tickets\n"
    "- `my approvals` - time sheets waiting for you\n"
    "- `ticket <number>` - a ticket with its actions\n"
    "- `assign ticket <number> to <me|name|email>`\n"
    "- `add note <number>: <text>` - internal note\n"
    "- `reply to contact <number>: <text>` - customer reply\n"
    "- `log time <ticket|task> <id> <duration>: <note>` "
    "(1h30m, 45m, 1.5h)\n"
    "- `approve <approval>`\n"
    "- `request changes <approval>: <comment>`\n"
    "- `notifications` - which activity-feed notifications you get\n"
    "- `help` - this list\n\n"
    "Leave out what you do not know and a form opens.";


const char *
teams_command_help(void)
{
    return teams_help_text;
}


static int
teams_cmd_entity(const char *p, const char *end, char *out)
{
    static const struct {
        const char  *name;
        char         c;
    } ents[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&#39;", '\'' }, { "&apos;", '\'' },
        { "&nbsp;", ' ' }, { NULL, 0 }
    };
    size_t  i, n;

    for (i = 0; ents[i].name != NULL; i++) {
        n = strlen(ents[i].name);

        if ((size_t) (end - p) >= n && strncasecmp(p, ents[i].name, n) == 0)
        {
            *out = ents[i].c;
            return (int) n;
        }
    }

    return 0;
}


size_t
teams_html_to_text(char *dst, size_t size, const char *html, size_t len)
{
    int          n, skip_at;
    char         c;
    size_t       o;
    const char  *p, *end, *gt;

    if (size == 0) {
        return 0;
    }

    o = 0;
    p = html;
    end = html + len;
    skip_at = 0;

    while (p < end && o + 1 < size) {
        if (*p == '<') {
            gt = memchr(p, '>', end - p);
            if (gt == NULL) {
                break;
            }

            /* a line break where blocks end */
            if ((gt - p >= 3 && strncasecmp(p, "<br", 3) == 0)
                || (gt - p >= 3 && strncasecmp(p, "</p", 3) == 0)
                || (gt - p >= 5 && strncasecmp(p, "</div", 5) == 0)
                || (gt - p >= 4 && strncasecmp(p, "</li", 4) == 0))
            {
                if (o > 0 && dst[o - 1] != '\n') {
                    while (o > 0 && dst[o - 1] == ' ') {
                        o--;
                    }

                    dst[o++] = '\n';
                }
            }

            p = gt + 1;
            continue;
        }

        c = *p;
        n = 1;

        if (c == '&') {
            n = teams_cmd_entity(p, end, &c);
            if (n == 0) {
                c = '&';
                n = 1;
            }
        }

        p += n;

        if (c == '\r') {
            continue;
        }

        if (c == '\t' || (c == '\n' && skip_at)) {
            c = ' ';
        }

        if (c == ' ' && (o == 0 || dst[o - 1] == ' ' || dst[o - 1] == '\n'))
        {
            continue;
        }

        if (c == '\n' && o > 0 && dst[o - 1] == '\n' && o > 1
            && dst[o - 2] == '\n')
        {
            continue;
        }

        dst[o++] = c;
    }

    while (o > 0 && isspace((unsigned char) dst[o - 1])) {
        o--;
    }

    dst[o] = '\0';

    return o;
}


/* the keyword phrase at *p (case-insensitive, then blank or end) */
static int
teams_cmd_kw(char **p, const char *kw)
{
    size_t  n;

    n = strlen(kw);

    if (strncasecmp(*p, kw, n) != 0) {
        return 0;
    }

    if ((*p)[n] != '\0' && !isspace((unsigned char) (*p)[n])
        && (*p)[n] != ':')
    {
        return 0;
    }

    *p += n;

    while (isspace((unsigned char) **p)) {
        (*p)++;
    }

    return 1;
}


/* the next blank- or colon-delimited token, NUL-terminated in place */
static char *
teams_cmd_token(char **p)
{
    char  *s;

    while (isspace((unsigned char) **p)) {
        (*p)++;
    }

    if (**p == '\0' || **p == ':') {
        return NULL;
    }

    s = *p;

    while (**p && !isspace((unsigned char) **p) && **p != ':') {
        (*p)++;
    }

    if (**p == ':') {
        /* leave the colon for teams_cmd_rest() */
        memmove(*p + 1, *p, strlen(*p) + 1);
        **p = '\0';
        (*p)++;

    } else if (**p) {
        **p = '\0';
        (*p)++;
    }

    return s;
}


/* the text after a colon, or after the tokens when there is none */
static char *
teams_cmd_rest(char **p)
{
    char  *s;

    while (isspace((unsigned char) **p)) {
        (*p)++;
    }

    if (**p == ':') {
        (*p)++;
    }

    while (isspace((unsigned char) **p)) {
        (*p)++;
    }

    s = *p;
    *p += strlen(*p);

    return *s ? s : NULL;
}


static void
teams_cmd_arg(teams_command_t *c, const char *name, const char *v)
{
    if (v != NULL) {
        teams_args_set(&c->args, name, v, strlen(v));
    }
}


int
teams_command_parse(teams_command_t *c, const char *text, size_t len)
{
    char            *p, *tok, *end;
    size_t           n;
    teams_target_e   t;

    memset(c, 0, sizeof(teams_command_t));

    /* room for the NUL and for one colon split */
    if (len + 2 > sizeof(c->buf)) {
        return -1;
    }

    n = teams_html_to_text(c->buf, sizeof(c->buf) - 1, text, len);

    for (p = c->buf; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }

    p = c->buf;
    end = c->buf + n;

    while (end > p && (end[-1] == '.' || end[-1] == '!' || end[-1] == ' '))
    {
        *--end = '\0';
    }

    if (*p == '\0' || teams_cmd_kw(&p, "help") || teams_cmd_kw(&p, "?")
        || teams_cmd_kw(&p, "hi") || teams_cmd_kw(&p, "hello")
        || teams_cmd_kw(&p, "start"))
    {
        c->kind = TEAMS_CMD_HELP;
        return 0;
    }

    /* a setting of the caller's own, not an action on PSA records */
    if ((teams_cmd_kw(&p, "notifications")
         || teams_cmd_kw(&p, "notification"))
        && (*p == '\0' || teams_cmd_kw(&p, "settings")) && *p == '\0')
    {
        c->kind = TEAMS_CMD_NOTIFICATIONS;
        return 0;
    }

    c->kind = TEAMS_CMD_ACTION;

    if (teams_cmd_kw(&p, "my tickets")) {
        c->action = TEAMS_ACTION_MY_TICKETS;
        return 0;
    }

    if (teams_cmd_kw(&p, "my approvals")) {
        c->action = TEAMS_ACTION_MY_APPROVALS;
        return 0;
    }

    if (teams_cmd_kw(&p, "assign ticket") || teams_cmd_kw(&p, "assign")) {
        c->action = TEAMS_ACTION_ASSIGN_TICKET;
        teams_cmd_arg(c, "ticket", teams_cmd_token(&p));

        if (teams_cmd_kw(&p, "to")) {
            teams_cmd_arg(c, "assignee", teams_cmd_rest(&p));
        }

        return 0;
    }

    if (teams_cmd_kw(&p, "add note")) {
        c->action = TEAMS_ACTION_ADD_NOTE;
        teams_cmd_arg(c, "ticket", teams_cmd_token(&p));
        teams_cmd_arg(c, "text", teams_cmd_rest(&p));
        return 0;
    }

    if (teams_cmd_kw(&p, "reply to contact") || teams_cmd_kw(&p, "reply")) {
        c->action = TEAMS_ACTION_REPLY_TO_CONTACT;
        teams_cmd_arg(c, "ticket", teams_cmd_token(&p));
        teams_cmd_arg(c, "text", teams_cmd_rest(&p));
        return 0;
    }

    if (teams_cmd_kw(&p, "log time")) {
        c->action = TEAMS_ACTION_LOG_TIME;
        tok = teams_cmd_token(&p);

        if (tok != NULL) {
            t = teams_target_parse(tok, strlen(tok));

            if (t == TEAMS_TARGET_TICKET || t == TEAMS_TARGET_TASK) {
                teams_cmd_arg(c, "kind", teams_target_name(t));
                tok = teams_cmd_token(&p);

            } else {
                /* "log time TIC001001 1h" means a ticket */
                teams_cmd_arg(c, "kind", "ticket");
            }
        }

        teams_cmd_arg(c, "ref", tok);
        teams_cmd_arg(c, "duration", teams_cmd_token(&p));
        teams_cmd_arg(c, "note", teams_cmd_rest(&p));
        return 0;
    }

    if (teams_cmd_kw(&p, "approve")) {
        c->action = TEAMS_ACTION_APPROVAL_RESPONSE;
        teams_cmd_arg(c, "decision", "approve");
        teams_cmd_arg(c, "approval", teams_cmd_token(&p));
        teams_cmd_arg(c, "comment", teams_cmd_rest(&p));
        return 0;
    }

    if (teams_cmd_kw(&p, "request changes")) {
        c->action = TEAMS_ACTION_APPROVAL_RESPONSE;
        teams_cmd_arg(c, "decision", "request_changes");
        teams_cmd_arg(c, "approval", teams_cmd_token(&p));
        teams_cmd_arg(c, "comment", teams_cmd_rest(&p));
        return 0;
    }

    tok = p;

    if (teams_cmd_kw(&p, "ticket") || teams_cmd_kw(&p, "task")
        || teams_cmd_kw(&p, "contact") || teams_cmd_kw(&p, "approval")
        || teams_cmd_kw(&p, "entry"))
    {
        c->action = TEAMS_ACTION_OPEN_RECORD;
        t = teams_target_parse(tok, strcspn(tok, " \t:"));
        teams_cmd_arg(c, "kind", teams_target_name(t));
        teams_cmd_arg(c, "ref", teams_cmd_token(&p));

        if (teams_args_get(&c->args, "ref", NULL) == NULL
            || teams_cmd_rest(&p) != NULL)
        {
            c->kind = TEAMS_CMD_USAGE;
            c->usage = "Say `ticket <number>`, for example `ticket "
                       "TIC001000`.";
        }

        return 0;
    }

    c->kind = TEAMS_CMD_UNKNOWN;

    return 0;
}
