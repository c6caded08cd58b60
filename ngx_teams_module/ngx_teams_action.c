
/*
 * The action glue behind POST /api/teams/messages once the caller is
 * known: bot commands, message-extension invokes, dialogs and Universal
 * Actions all resolve to an entry of the registry (src/psa/teams_action.h)
 * and run its one statement (ngx_teams_action_sql.h), once the caller's
 * context (ngx_teams_caller.c) is known: it gates reads and decides which
 * buttons a card shows.  After a change commits, the PSA domain event goes
 * to the PSA event bus stream; bot answers go to teams:replies for the
 * worker to post.  Parsing, grammar, validation, cards and links live in
 * src/; this file only moves data.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_identity.h"
#include "ngx_teams_caller.h"
#include "ngx_teams_pg.h"
#include "ngx_teams_redis.h"
#include "ngx_teams_action.h"
#include "ngx_teams_notify_prefs.h"
#include "ngx_teams_action_sql.h"
#include "core/teams_key.h"
#include "psa/teams_action.h"
#include "psa/teams_links.h"
#include "teams/teams_card.h"
#include "teams/teams_command.h"
#include "teams/teams_invoke.h"

#include <openssl/rand.h>
#include <openssl/sha.h>


#define NGX_TEAMS_ACT_MAX_PARAMS  20
#define NGX_TEAMS_ACT_MAX_ERRS    8
#define NGX_TEAMS_ACT_PAGE        10
#define NGX_TEAMS_EVENT_STREAM    "alga-psa:event-stream:global:"


typedef struct {
    ngx_http_request_t          *r;
    teams_activity_t            *a;
    ngx_teams_identity_t        *id;
    teams_invoke_e               route;

    const teams_action_def_t    *def;
    teams_target_e               target;
    teams_args_t                 args;
    teams_command_t             *cmd;
    const char                  *surface;       /* audit surface */
    const char                  *surface_cap;
    char                         nonce[33];
    const char                  *idem;

    ngx_teams_caller_t           caller;
    teams_gate_t                 gate;
    const char                  *sql;
    int                          nparams;
    unsigned                     read:1;        /* gated here, not in SQL */

    const char                  *params[NGX_TEAMS_ACT_MAX_PARAMS];
    ngx_teams_pg_query_t        *q;
    teams_json_t                *res;
    teams_json_t                *items;         /* search hits, in the pool */

    teams_field_error_t          errs[NGX_TEAMS_ACT_MAX_ERRS];
    size_t                       nerrs;
    const char                  *intro;
    unsigned                     form:1;        /* render the form */

    teams_card_ctx_t             cc;

    teams_jw_t                   card;          /* the card, or none */
    unsigned                     has_card:1;
    ngx_str_t                    event_type;
    ngx_str_t                    reply;         /* bot: reply activity */
    ngx_uint_t                   status;
    teams_jw_t                   out;           /* the HTTP answer */
    unsigned                     out_empty:1;
} ngx_teams_act_t;


static ngx_int_t ngx_teams_act_message(ngx_teams_act_t *act);
static ngx_int_t ngx_teams_act_install(ngx_teams_act_t *act);
static ngx_int_t ngx_teams_act_invoke(ngx_teams_act_t *act);
static ngx_uint_t ngx_teams_act_is_prefs_save(teams_activity_t *a);
static ngx_int_t ngx_teams_act_prefs_save(ngx_teams_act_t *act);
static void ngx_teams_act_prefs_done(ngx_http_request_t *r, ngx_str_t *card,
    ngx_int_t rc);
static ngx_int_t ngx_teams_act_prepare(ngx_teams_act_t *act);
static ngx_int_t ngx_teams_act_read(ngx_teams_act_t *act, const char *sql,
    int nparams);
static ngx_int_t ngx_teams_act_query(ngx_teams_act_t *act, const char *sql,
    int nparams);
static void ngx_teams_act_caller_done(ngx_http_request_t *r, void *data);
static ngx_int_t ngx_teams_act_run(ngx_teams_act_t *act);
static void ngx_teams_act_unavailable(ngx_teams_act_t *act);
static void ngx_teams_act_gone(ngx_teams_act_t *act);
static void ngx_teams_act_done(ngx_teams_pg_query_t *q, PGresult *res);
static void ngx_teams_act_convref_done(ngx_teams_pg_query_t *q,
    PGresult *res);
static void ngx_teams_act_render(ngx_teams_act_t *act);
static void ngx_teams_act_publish(ngx_teams_act_t *act);
static void ngx_teams_act_event_done(ngx_teams_redis_cmd_t *cmd,
    redisReply *reply);
static void ngx_teams_act_reply_done(ngx_teams_redis_cmd_t *cmd,
    redisReply *reply);
static ngx_int_t ngx_teams_act_answer(ngx_teams_act_t *act);
static ngx_int_t ngx_teams_act_sync(ngx_teams_act_t *act);
static void ngx_teams_act_text(ngx_teams_act_t *act, const char *title,
    const char *text);
static void ngx_teams_act_form_card(ngx_teams_act_t *act,
    const teams_json_t *choices);
static char *ngx_teams_act_cstr(ngx_pool_t *pool, const char *s, size_t len);
static void ngx_teams_act_cleanup(void *data);


static const char *
ngx_teams_tstr(ngx_pool_t *pool, teams_str_t *s)
{
    return s->str ? ngx_teams_act_cstr(pool, s->str, s->len) : "";
}


static char *
ngx_teams_act_cstr(ngx_pool_t *pool, const char *s, size_t len)
{
    char  *p;

    p = ngx_pnalloc(pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len);
    p[len] = '\0';

    return p;
}


static void
ngx_teams_act_cleanup(void *data)
{
    ngx_teams_act_t  *act = data;

    if (act->res != NULL) {
        teams_json_free(act->res);
        act->res = NULL;
    }
}


ngx_int_t
ngx_teams_action_start(ngx_http_request_t *r, teams_activity_t *a,
    ngx_teams_identity_t *id)
{
    u_char                  rnd[16];
    ngx_teams_act_t        *act;
    ngx_pool_cleanup_t     *cln;
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_teams_module);

    act = ngx_pcalloc(r->pool, sizeof(ngx_teams_act_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (act == NULL || cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_teams_act_cleanup;
    cln->data = act;

    act->r = r;
    act->a = a;
    act->id = id;
    act->status = NGX_HTTP_OK;

    /* for callbacks that know only the request (notification settings) */
    ngx_teams_ctx(r)->action = act;

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *ngx_hex_dump((u_char *) act->nonce, rnd, sizeof(rnd)) = '\0';

    act->cc.nonce = act->nonce;
    act->cc.links.psa_base_url = ngx_teams_act_cstr(r->pool,
                                     (char *) tmcf->psa_base_url.data,
                                     tmcf->psa_base_url.len);
    if (act->cc.links.psa_base_url == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (tmcf->psa_base_url.len
        && tmcf->psa_base_url.data[tmcf->psa_base_url.len - 1] == '/')
    {
        ((char *) act->cc.links.psa_base_url)[tmcf->psa_base_url.len - 1]
            = '\0';
    }

    ngx_teams_jw_init(r, &act->card);
    ngx_teams_jw_init(r, &act->out);

    if (tmcf->pg_pool == NULL || tmcf->redis_link == NULL) {
        return ngx_teams_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "not_ready", "backends are not started");
    }

    if (teams_str_eq(&a->type, "message")) {
        return ngx_teams_act_message(act);
    }

    if (teams_str_eq(&a->type, "conversationUpdate")
        || teams_str_eq(&a->type, "installationUpdate"))
    {
        return ngx_teams_act_install(act);
    }

    if (teams_str_eq(&a->type, "invoke")) {
        return ngx_teams_act_invoke(act);
    }

    /* typing, messageReaction, ...: nothing to do */
    return ngx_teams_send_json(r, NGX_HTTP_OK, &(ngx_str_t) ngx_string("{}"));
}


/* the bot: one text command */

static ngx_int_t
ngx_teams_act_message(ngx_teams_act_t *act)
{
    teams_activity_t  *a = act->a;

    act->route = TEAMS_INVOKE_MESSAGE;
    act->surface = "bot";
    act->surface_cap = "personal_bot";
    act->cc.viewer_mri = ngx_teams_tstr(act->r->pool, &a->from_id);

    if (a->conversation_type.str != NULL
        && !teams_str_eq(&a->conversation_type, "personal"))
    {
        ngx_teams_act_text(act, NULL, "This bot works in personal chat "
                           "only in this version. Open a chat with the app "
                           "to use its commands.");
        ngx_teams_act_publish(act);
        return NGX_DONE;
    }

    act->cmd = ngx_palloc(act->r->pool, sizeof(teams_command_t));
    if (act->cmd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (teams_command_parse(act->cmd, a->text.str ? a->text.str : "",
                            a->text.len)
        != 0)
    {
        act->cmd->kind = TEAMS_CMD_UNKNOWN;
    }

    switch (act->cmd->kind) {

    case TEAMS_CMD_ACTION:
        act->def = teams_action_get(act->cmd->action);
        act->args = act->cmd->args;
        act->idem = a->id.str ? ngx_teams_tstr(act->r->pool, &a->id) : NULL;
        return ngx_teams_act_prepare(act);

    case TEAMS_CMD_USAGE:
        ngx_teams_act_text(act, NULL, act->cmd->usage);
        break;

    case TEAMS_CMD_NOTIFICATIONS:
        if (ngx_teams_notify_prefs_card(act->r, &act->id->tenant,
                                        &act->id->user_id,
                                        ngx_teams_act_prefs_done)
            != NGX_AGAIN)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_DONE;

    default:
        teams_card_help(&act->card);
        act->has_card = 1;
        break;
    }

    ngx_teams_act_publish(act);

    return NGX_DONE;
}


/* install: store the conversation reference, then the welcome */

static ngx_int_t
ngx_teams_act_install(ngx_teams_act_t *act)
{
    ngx_pool_t        *pool = act->r->pool;
    teams_activity_t  *a = act->a;

    act->route = TEAMS_INVOKE_INSTALL;
    act->surface_cap = NULL;

    act->params[0] = ngx_teams_act_cstr(pool, (char *) act->id->tenant.data,
                                        act->id->tenant.len);
    act->params[1] = ngx_teams_tstr(pool, &a->from_aad_object_id);
    act->params[2] = ngx_teams_tstr(pool, &a->conversation_id);
    act->params[3] = a->conversation_type.str
                     ? ngx_teams_tstr(pool, &a->conversation_type)
                     : "personal";
    act->params[4] = ngx_teams_tstr(pool, &a->service_url);
    act->params[5] = ngx_teams_tstr(pool, &a->tenant_id);
    act->params[6] = ngx_teams_tstr(pool, &a->channel_id);

    act->q = ngx_teams_pg_query_create(pool, act->r->connection->log);
    if (act->q == NULL || act->params[0] == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    act->q->sql = NGX_TEAMS_SQL_CONVREF;
    act->q->nparams = 7;
    act->q->params = act->params;
    act->q->done = ngx_teams_act_convref_done;
    act->q->data = act;

    ngx_teams_pg_run(((ngx_teams_main_conf_t *)
                      ngx_http_get_module_main_conf(act->r, ngx_teams_module))
                     ->pg_pool, act->q);

    return NGX_DONE;
}


static void
ngx_teams_act_convref_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    ngx_teams_act_t  *act = q->data;

    if (q->rc != NGX_TEAMS_PG_OK) {
        ngx_log_error(NGX_LOG_ERR, act->r->connection->log, 0,
                      "teams bot: conversation reference not stored: %s",
                      q->error ? q->error : "unavailable");
        ngx_teams_finish(act->r, ngx_teams_send_error(act->r,
                         NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                         "the PSA database is unavailable; retry later"));
        return;
    }

    /* the welcome goes to personal installs only */
    if (teams_invoke_is_install_add(act->a)
        && (act->a->conversation_type.str == NULL
            || teams_str_eq(&act->a->conversation_type, "personal")))
    {
        teams_card_help(&act->card);
        act->has_card = 1;
        act->route = TEAMS_INVOKE_MESSAGE;
    }

    ngx_teams_act_publish(act);
}


/* invokes */

static ngx_int_t
ngx_teams_act_bad_value(ngx_teams_act_t *act, const char *why)
{
    if (act->route == TEAMS_INVOKE_CARD_ACTION) {
        /* Universal Actions: the error rides in the body */
        teams_jw_object(&act->out);
        teams_jw_kint(&act->out, "statusCode", 400);
        teams_jw_kstr(&act->out, "type", "application/vnd.microsoft.error");
        teams_jw_key(&act->out, "value");
        teams_jw_object(&act->out);
        teams_jw_kstr(&act->out, "code", "BadRequest");
        teams_jw_kstr(&act->out, "message", why);
        teams_jw_end(&act->out);
        teams_jw_end(&act->out);
        return ngx_teams_send_jw(act->r, NGX_HTTP_BAD_REQUEST, &act->out);
    }

    return ngx_teams_send_error(act->r, NGX_HTTP_BAD_REQUEST, "bad_request",
                                why);
}


/* the search statement of a kind; "" (or none) searches them all */
static const char *
ngx_teams_act_search_sql(const char *kind)
{
    ngx_uint_t  i;

    static const struct {
        const char  *kind;
        const char  *sql;
    } searches[] = {
        { "ticket", NGX_TEAMS_SQL_SEARCH_ONE(NGX_TEAMS_SQL_HITS_TICKET) },
        { "task", NGX_TEAMS_SQL_SEARCH_ONE(NGX_TEAMS_SQL_HITS_TASK) },
        { "contact", NGX_TEAMS_SQL_SEARCH_ONE(NGX_TEAMS_SQL_HITS_CONTACT) },
        { "approval", NGX_TEAMS_SQL_SEARCH_ONE(NGX_TEAMS_SQL_HITS_APPROVAL) }
    };

    for (i = 0; kind != NULL && i < sizeof(searches) / sizeof(searches[0]);
         i++)
    {
        if (ngx_strcmp(kind, searches[i].kind) == 0) {
            return searches[i].sql;
        }
    }

    return NGX_TEAMS_SQL_SEARCH;
}


static ngx_int_t
ngx_teams_act_invoke(ngx_teams_act_t *act)
{
    const char          *why;
    teams_invoke_t      *inv;
    ngx_str_t            empty = ngx_string("");

    act->route = teams_invoke_route(act->a);
    act->cc.viewer_mri = ngx_teams_tstr(act->r->pool, &act->a->from_id);

    switch (act->route) {

    case TEAMS_INVOKE_UNSUPPORTED:
        return ngx_teams_not_implemented(act->r);

    case TEAMS_INVOKE_EMPTY_OK:
        return ngx_teams_send_json(act->r, NGX_HTTP_OK, &empty);

    default:
        break;
    }

    if (act->route == TEAMS_INVOKE_CARD_ACTION
        && ngx_teams_act_is_prefs_save(act->a))
    {
        return ngx_teams_act_prefs_save(act);
    }

    inv = ngx_palloc(act->r->pool, sizeof(teams_invoke_t));
    if (inv == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    why = teams_invoke_read(act->a, act->route, inv);
    if (why != NULL) {
        return ngx_teams_act_bad_value(act, why);
    }

    act->args = inv->args;
    act->def = teams_action_get(inv->action);
    act->target = inv->target;
    act->form = inv->form;
    act->intro = inv->intro;

    if (inv->idem != NULL) {
        act->idem = inv->idem;

    } else if (act->a->id.str != NULL) {
        act->idem = ngx_teams_tstr(act->r->pool, &act->a->id);
    }

    switch (act->route) {
    case TEAMS_INVOKE_ME_QUERY:
    case TEAMS_INVOKE_ME_FETCH:
    case TEAMS_INVOKE_ME_SUBMIT:
        act->surface = "message_extension";
        act->surface_cap = "message_extension";
        break;
    default:
        act->surface = "quick_action";
        act->surface_cap = NULL;
        break;
    }

    if (inv->cancel) {
        if (act->route == TEAMS_INVOKE_CARD_ACTION) {
            ngx_teams_act_text(act, "Cancelled", "Nothing was changed.");
            return ngx_teams_act_sync(act);
        }

        /* a dialog closes on an empty answer */
        return ngx_teams_send_json(act->r, NGX_HTTP_OK, &empty);
    }

    if (act->route == TEAMS_INVOKE_ME_QUERY) {
        act->params[3] = teams_args_get(&act->args, "query", NULL);
        act->params[4] = teams_args_get(&act->args, "count", NULL);
        act->params[5] = teams_args_get(&act->args, "skip", NULL);
        act->def = teams_action_get(TEAMS_ACTION_OPEN_RECORD);

        /* the gate checks the surface only; each kind its own permission */
        act->gate = (teams_gate_t) { "", "", "", "", act->surface_cap };

        return ngx_teams_act_read(act, ngx_teams_act_search_sql(
                                  teams_args_get(&act->args, "kind", NULL)),
                                  6);
    }

    if (act->def == NULL) {
        return ngx_teams_act_bad_value(act, "unknown action");
    }

    return ngx_teams_act_prepare(act);
}


/* an answer ready without a query: the bot still queues its reply */
static ngx_int_t
ngx_teams_act_sync(ngx_teams_act_t *act)
{
    if (act->route == TEAMS_INVOKE_MESSAGE) {
        ngx_teams_act_publish(act);
        return NGX_DONE;
    }

    return ngx_teams_act_answer(act);
}


/* validation, then the form or the action's statement */

static void
ngx_teams_act_hash(ngx_teams_act_t *act, char *out)
{
    size_t         i;
    u_char         md[SHA256_DIGEST_LENGTH];
    SHA256_CTX     sha;

    SHA256_Init(&sha);
    SHA256_Update(&sha, act->def->name, ngx_strlen(act->def->name));

    for (i = 0; i < act->args.n; i++) {
        SHA256_Update(&sha, "\n", 1);
        SHA256_Update(&sha, act->args.arg[i].name,
                      ngx_strlen(act->args.arg[i].name));
        SHA256_Update(&sha, "=", 1);

        if (act->args.arg[i].value) {
            SHA256_Update(&sha, act->args.arg[i].value, act->args.arg[i].len);
        }
    }

    SHA256_Final(md, &sha);

    *ngx_hex_dump((u_char *) out, md, sizeof(md)) = '\0';
}


static const char *
ngx_teams_act_arg(ngx_teams_act_t *act, const char *name)
{
    size_t       len;
    const char  *v;

    v = teams_args_get(&act->args, name, &len);

    return v ? ngx_teams_act_cstr(act->r->pool, v, len) : "";
}


static ngx_int_t
ngx_teams_act_prepare(ngx_teams_act_t *act)
{
    int                         minutes;
    char                       *hash, *mins;
    char                        part[TEAMS_KEY_PART_MAX + 1];
    u_char                     *key;
    const char                 *sql, *kind, *idem;
    ngx_pool_t                 *pool = act->r->pool;
    const teams_action_def_t   *def = act->def;
    const teams_action_perm_t  *perm;

    if (!act->form) {
        act->nerrs = teams_action_validate(def, &act->args, act->errs,
                                           NGX_TEAMS_ACT_MAX_ERRS);
    }

    kind = ngx_teams_act_arg(act, "kind");
    act->target = kind[0] ? teams_target_parse(kind, ngx_strlen(kind))
                          : (teams_target_e) (def->targets & -def->targets);

    perm = teams_action_perm(def, act->target);

    act->gate.resource = perm ? perm->resource : def->perms[0].resource;
    act->gate.action = perm ? perm->action : def->perms[0].action;
    act->gate.allowed_key = def->allowed_key ? def->allowed_key : "";
    act->gate.capability = def->capability ? def->capability : "";
    act->gate.surface_cap = act->surface_cap ? act->surface_cap : "";

    if (act->form || act->nerrs) {
        if (act->cmd == NULL && act->nerrs && !act->form
            && act->route == TEAMS_INVOKE_CARD_ACTION && !def->mutates)
        {
            return ngx_teams_act_bad_value(act, "invalid action data");
        }

        act->form = 1;

        if (!def->mutates) {
            /* a read with a missing argument: say how to use it */
            ngx_teams_act_text(act, NULL, teams_command_help());
            return ngx_teams_act_sync(act);
        }

        /* a form: the client list when it has a client choice */
        if (def->id == TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE) {
            return ngx_teams_act_read(act, NGX_TEAMS_SQL_CLIENTS, 3);
        }

        ngx_teams_act_form_card(act, NULL);
        return ngx_teams_act_sync(act);
    }

    if (!def->mutates) {
        switch (def->id) {
        case TEAMS_ACTION_MY_TICKETS:
        case TEAMS_ACTION_MY_APPROVALS:
            act->params[3] = "10";
            act->params[4] = "0";
            return ngx_teams_act_read(act,
                                      def->id == TEAMS_ACTION_MY_TICKETS
                                      ? NGX_TEAMS_SQL_MY_TICKETS
                                      : NGX_TEAMS_SQL_MY_APPROVALS, 5);
        default:
            break;
        }

        act->params[3] = ngx_teams_act_arg(act, "ref");

        switch (act->target) {
        case TEAMS_TARGET_TICKET:
            sql = NGX_TEAMS_SQL_OPEN_TICKET;
            break;
        case TEAMS_TARGET_TASK:
            sql = NGX_TEAMS_SQL_OPEN_TASK;
            break;
        case TEAMS_TARGET_CONTACT:
            sql = NGX_TEAMS_SQL_OPEN_CONTACT;
            break;
        case TEAMS_TARGET_APPROVAL:
            sql = NGX_TEAMS_SQL_OPEN_APPROVAL;
            break;
        default:
            sql = NGX_TEAMS_SQL_OPEN_ENTRY;
            break;
        }

        return ngx_teams_act_read(act, sql, 4);
    }

    /* mutations: the gate again, in their own statement */

    act->params[2] = act->gate.resource;
    act->params[3] = act->gate.action;
    act->params[4] = act->gate.allowed_key;
    act->params[5] = act->gate.capability;
    act->params[6] = act->gate.surface_cap;

    hash = ngx_pnalloc(pool, 65);
    mins = ngx_pnalloc(pool, NGX_INT_T_LEN + 1);
    if (hash == NULL || mins == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_teams_act_hash(act, hash);

    /*
     * The key: the form's nonce when the submit came from one of our
     * cards (a double click repeats it), else the activity id (a Teams
     * retry repeats it), else the payload itself.  Both of the first come
     * from the client, so a long one is kept as its hash (teams_key.h).
     */
    key = ngx_pnalloc(pool, ngx_strlen(def->name) + act->id->user_id.len
                            + TEAMS_KEY_PART_MAX + sizeof("::"));
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    idem = act->idem ? teams_key_part(part, act->idem, ngx_strlen(act->idem))
                     : hash;
    if (idem == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(key, "%s:%V:%s%Z", def->name, &act->id->user_id, idem);
    act->params[7] = (const char *) key;

    act->params[8] = act->surface ? act->surface : "bot";
    act->params[9] = ngx_teams_tstr(pool, &act->a->from_aad_object_id);
    act->params[10] = hash;
    act->params[11] = def->name;

    switch (def->id) {

    case TEAMS_ACTION_ASSIGN_TICKET:
        act->params[12] = ngx_teams_act_arg(act, "ticket");
        act->params[13] = ngx_teams_act_arg(act, "assignee");
        return ngx_teams_act_query(act, NGX_TEAMS_SQL_ASSIGN, 14);

    case TEAMS_ACTION_ADD_NOTE:
    case TEAMS_ACTION_REPLY_TO_CONTACT:
        act->params[12] = ngx_teams_act_arg(act, "ticket");
        act->params[13] = ngx_teams_act_arg(act, "text");
        act->params[14] = def->id == TEAMS_ACTION_ADD_NOTE ? "true"
                                                           : "false";
        act->params[15] = NULL;
        return ngx_teams_act_query(act, NGX_TEAMS_SQL_NOTE, 16);

    case TEAMS_ACTION_UPDATE_FROM_MESSAGE:
        act->params[12] = ngx_teams_act_arg(act, "ref");
        act->params[13] = ngx_teams_act_arg(act, "text");
        act->params[14] = ngx_strcmp(ngx_teams_act_arg(act, "mode"), "reply")
                          == 0 ? "false" : "true";
        act->params[15] = teams_args_get(&act->args, "source", NULL)
                          ? ngx_teams_act_arg(act, "source") : NULL;
        return ngx_teams_act_query(act, act->target == TEAMS_TARGET_TASK
                                        ? NGX_TEAMS_SQL_TASK_NOTE
                                        : NGX_TEAMS_SQL_NOTE, 16);

    case TEAMS_ACTION_LOG_TIME:
        minutes = teams_duration_parse(ngx_teams_act_arg(act, "duration"),
                                       ngx_strlen(ngx_teams_act_arg(act,
                                                  "duration")));
        *ngx_sprintf((u_char *) mins, "%d", minutes) = '\0';
        act->params[12] = act->target == TEAMS_TARGET_TASK ? "task"
                                                           : "ticket";
        act->params[13] = ngx_teams_act_arg(act, "ref");
        act->params[14] = mins;
        act->params[15] = ngx_teams_act_arg(act, "note");
        act->params[16] = ngx_teams_act_arg(act, "date");
        return ngx_teams_act_query(act, NGX_TEAMS_SQL_LOG_TIME, 17);

    case TEAMS_ACTION_APPROVAL_RESPONSE:
        act->params[12] = ngx_teams_act_arg(act, "approval");
        act->params[13] = ngx_teams_act_arg(act, "decision");
        act->params[14] = ngx_teams_act_arg(act, "comment");
        return ngx_teams_act_query(act, NGX_TEAMS_SQL_APPROVAL, 15);

    case TEAMS_ACTION_CREATE_TICKET_FROM_MESSAGE:
        act->params[12] = ngx_teams_act_arg(act, "title");
        act->params[13] = ngx_teams_act_arg(act, "description");
        act->params[14] = ngx_teams_act_arg(act, "client");
        act->params[15] = teams_args_get(&act->args, "source", NULL)
                          ? ngx_teams_act_arg(act, "source") : NULL;
        return ngx_teams_act_query(act, NGX_TEAMS_SQL_CREATE, 16);

    default:
        break;
    }

    return ngx_teams_act_bad_value(act, "unknown action");
}


/* a read: gated here against the caller's cached context */
static ngx_int_t
ngx_teams_act_read(ngx_teams_act_t *act, const char *sql, int nparams)
{
    act->read = 1;

    return ngx_teams_act_query(act, sql, nparams);
}


/* every statement: the caller's context first, then the statement */
static ngx_int_t
ngx_teams_act_query(ngx_teams_act_t *act, const char *sql, int nparams)
{
    ngx_int_t  rc;

    act->sql = sql;
    act->nparams = nparams;

    act->params[0] = ngx_teams_act_cstr(act->r->pool,
                                        (char *) act->id->tenant.data,
                                        act->id->tenant.len);
    act->params[1] = ngx_teams_act_cstr(act->r->pool,
                                        (char *) act->id->user_id.data,
                                        act->id->user_id.len);
    if (act->params[0] == NULL || act->params[1] == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_teams_caller_get(act->r, &act->id->tenant, &act->id->user_id,
                              &act->caller, ngx_teams_act_caller_done, act);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_teams_act_run(act);
}


static void
ngx_teams_act_caller_done(ngx_http_request_t *r, void *data)
{
    ngx_int_t         rc;
    ngx_teams_act_t  *act = data;

    rc = ngx_teams_act_run(act);

    if (rc != NGX_DONE) {
        ngx_teams_finish(r, rc);
    }
}


static ngx_int_t
ngx_teams_act_run(ngx_teams_act_t *act)
{
    const char             *err;
    ngx_teams_main_conf_t  *tmcf;
    static const char       denied[] = "{\"status\":\"denied\"}";

    if (act->caller.unavailable) {
        ngx_teams_act_unavailable(act);
        return NGX_DONE;
    }

    if (!act->caller.found) {
        ngx_teams_act_gone(act);
        return NGX_DONE;
    }

    act->cc.perms = act->caller.perms;
    act->cc.nperms = act->caller.nperms;
    act->cc.allowed = act->caller.allowed;
    act->cc.nallowed = act->caller.nallowed;
    act->cc.caps = act->caller.caps;
    act->cc.ncaps = act->caller.ncaps;
    act->cc.links.app_id = act->caller.app_id;

    if (act->read) {
        if (!teams_gate_pass(&act->gate, act->caller.perms,
                             act->caller.nperms, act->caller.allowed,
                             act->caller.nallowed, act->caller.caps,
                             act->caller.ncaps))
        {
            act->res = teams_json_parse(denied, sizeof(denied) - 1, 1, &err);
            if (act->res == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_teams_act_render(act);
            return NGX_DONE;
        }

        act->params[2] = act->caller.perms_array;
    }

    tmcf = ngx_http_get_module_main_conf(act->r, ngx_teams_module);

    act->q = ngx_teams_pg_query_create(act->r->pool, act->r->connection->log);
    if (act->q == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    act->q->sql = act->sql;
    act->q->nparams = act->nparams;
    act->q->params = act->params;
    act->q->done = ngx_teams_act_done;
    act->q->data = act;

    ngx_teams_pg_run(tmcf->pg_pool, act->q);

    return NGX_DONE;
}


/* the user or the integration went away since the identity was cached */
static void
ngx_teams_act_gone(ngx_teams_act_t *act)
{
    ngx_teams_act_text(act, NULL, "Your PSA account or the Teams setup of "
                       "your organization changed; ask your administrator.");
    ngx_teams_act_publish(act);
}


static void
ngx_teams_act_unavailable(ngx_teams_act_t *act)
{
    if (act->route == TEAMS_INVOKE_MESSAGE) {
        ngx_teams_act_text(act, NULL, "The PSA is not reachable just now; "
                           "please try again in a minute.");
        ngx_teams_act_publish(act);
        return;
    }

    ngx_teams_finish(act->r, ngx_teams_send_error(act->r,
                     NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                     "the PSA is not reachable; retry later"));
}


static void
ngx_teams_act_done(ngx_teams_pg_query_t *q, PGresult *res)
{
    const char       *err;
    ngx_teams_act_t  *act = q->data;

    if (q->rc == NGX_TEAMS_PG_OK && act->route == TEAMS_INVOKE_ME_QUERY) {
        /* the search answers its hits as rows, and has no "status" */
        act->items = ngx_teams_pg_rows(act->r->pool, res);
        if (act->items == NULL) {
            ngx_teams_finish(act->r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_teams_act_render(act);
        return;
    }

    if (q->rc != NGX_TEAMS_PG_OK || PQntuples(res) != 1
        || PQgetisnull(res, 0, 0))
    {
        if (q->rc == NGX_TEAMS_PG_OK && PQntuples(res) == 0) {
            /* no gate row: the user or the integration went away */
            ngx_teams_act_gone(act);
            return;
        }

        ngx_log_error(NGX_LOG_ERR, act->r->connection->log, 0,
                      "teams action \"%s\" failed: %s",
                      act->def ? act->def->name : "-",
                      q->error ? q->error : "no result");

        ngx_teams_act_unavailable(act);
        return;
    }

    act->res = teams_json_parse(PQgetvalue(res, 0, 0),
                                PQgetlength(res, 0, 0), 16, &err);
    if (act->res == NULL) {
        ngx_log_error(NGX_LOG_ALERT, act->r->connection->log, 0,
                      "teams action: bad result: %s", err);
        ngx_teams_finish(act->r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_teams_act_render(act);
}


/* the outcome as a card (or an answer body) */

static void
ngx_teams_act_text(ngx_teams_act_t *act, const char *title,
    const char *text)
{
    ngx_teams_jw_init(act->r, &act->card);
    teams_card_text(&act->card, title, text);
    act->has_card = 1;
}


static void
ngx_teams_act_form_card(ngx_teams_act_t *act, const teams_json_t *choices)
{
    act->cc.dialog = (act->route == TEAMS_INVOKE_TASK_FETCH
                      || act->route == TEAMS_INVOKE_TASK_SUBMIT
                      || act->route == TEAMS_INVOKE_ME_FETCH
                      || act->route == TEAMS_INVOKE_ME_SUBMIT);

    ngx_teams_jw_init(act->r, &act->card);
    teams_card_form(&act->card, &act->cc, act->def, &act->args, act->errs,
                    act->nerrs, choices, act->intro);
    act->has_card = 1;
    act->form = 1;
}


static const char *
ngx_teams_act_status_text(ngx_teams_act_t *act, const char *status)
{
    static const struct {
        const char  *status;
        const char  *text;
    } texts[] = {
        { "not_found", "I could not find that record in your PSA." },
        { "ambiguous", "That matches more than one record; use the full "
                       "number or id." },
        { "closed", "That ticket is closed." },
        { "no_contact", "This ticket has no contact to reply to." },
        { "no_period", "No time period covers that date; ask your "
                       "administrator to set up time periods." },
        { "period_closed", "That time period is closed." },
        { "sheet_locked", "Your time sheet for that period is already "
                          "submitted or approved." },
        { "not_pending", "This time sheet is not waiting for approval." },
        { "no_board", "No ticket board is set up in the PSA." },
        { "conflict", "The same request is being handled right now; try "
                      "again in a moment." },
        { NULL, NULL }
    };
    ngx_uint_t  i;

    for (i = 0; texts[i].status; i++) {
        if (ngx_strcmp(texts[i].status, status) == 0) {
            return texts[i].text;
        }
    }

    return "That did not work; please try again.";
}


static void
ngx_teams_act_render(ngx_teams_act_t *act)
{
    const char          *status, *ev;
    teams_deny_e         deny;
    const teams_json_t  *result, *items;

    status = teams_card_jstr(act->res, "status", "");

    if (act->form && ngx_strcmp(status, "denied") != 0) {
        /* the client list arrived: the create form */
        ngx_teams_act_form_card(act, teams_json_get(act->res, "choices"));
        ngx_teams_act_publish(act);
        return;
    }

    if (ngx_strcmp(status, "denied") == 0) {
        deny = teams_action_check(act->def, act->target, act->cc.perms,
                                  act->cc.nperms, act->cc.allowed,
                                  act->cc.nallowed, act->cc.caps,
                                  act->cc.ncaps, act->surface_cap);
        act->status = NGX_HTTP_FORBIDDEN;
        ngx_teams_act_text(act, "Not allowed",
                           deny != TEAMS_DENY_NONE
                           ? teams_deny_message(deny)
                           : "Your PSA role does not allow this action.");
        ngx_teams_act_publish(act);
        return;
    }

    if (act->route == TEAMS_INVOKE_ME_QUERY) {
        ngx_teams_act_publish(act);
        return;
    }

    if (!act->def->mutates) {
        if (ngx_strcmp(status, "ok") != 0) {
            act->status = NGX_HTTP_NOT_FOUND;
            ngx_teams_act_text(act, NULL,
                               ngx_teams_act_status_text(act, status));

        } else if (act->def->id == TEAMS_ACTION_OPEN_RECORD) {
            teams_card_record(&act->card, &act->cc,
                              teams_json_get(act->res, "record"));
            act->has_card = 1;

        } else {
            items = teams_json_get(act->res, "items");
            teams_card_list(&act->card, &act->cc,
                            act->def->id == TEAMS_ACTION_MY_TICKETS
                            ? "Your open tickets"
                            : "Time sheets waiting for approval",
                            items,
                            act->def->id == TEAMS_ACTION_MY_TICKETS
                            ? "No open tickets are assigned to you."
                            : "Nothing is waiting for your approval.");
            act->has_card = 1;
        }

        ngx_teams_act_publish(act);
        return;
    }

    if (ngx_strcmp(status, "ok") == 0 || ngx_strcmp(status, "duplicate") == 0)
    {
        result = teams_json_get(act->res, "result");

        if (ngx_strcmp(status, "ok") == 0) {
            ev = teams_card_jstr(teams_json_get(result, "event"), "eventType",
                                 NULL);

            if (ev != NULL) {
                act->event_type.data = (u_char *) ev;
                act->event_type.len = ngx_strlen(ev);
            }
        }

        teams_card_confirm(&act->card, &act->cc,
                           teams_card_jstr(result, "title", "Done"),
                           teams_card_jstr(result, "text", NULL),
                           teams_json_get(result, "rec"));
        act->has_card = 1;
        act->form = 0;
        ngx_teams_act_publish(act);
        return;
    }

    /* outcomes that belong to a field re-render the form */
    if (ngx_strcmp(status, "no_assignee") == 0
        || ngx_strcmp(status, "ambiguous_assignee") == 0
        || ngx_strcmp(status, "no_client") == 0)
    {
        act->errs[0].input = status[3] == 'c' ? "client" : "assignee";
        act->errs[0].message = ngx_strcmp(status, "no_assignee") == 0
                               ? "No active MSP user matches this."
                               : ngx_strcmp(status, "no_client") == 0
                               ? "Choose one of your clients."
                               : "More than one user matches; use the "
                                 "e-mail address.";
        act->nerrs = 1;
        ngx_teams_act_form_card(act, NULL);
        ngx_teams_act_publish(act);
        return;
    }

    act->status = NGX_HTTP_CONFLICT;
    ngx_teams_act_text(act, "Not done", ngx_teams_act_status_text(act,
                                                                  status));
    ngx_teams_act_publish(act);
}


/* after commit: the PSA event, then (bot) the reply, then the answer */

static void
ngx_teams_act_publish(ngx_teams_act_t *act)
{
    size_t                  len;
    u_char                 *stream;
    teams_jw_t              w;
    const char             *argv[5], *event;
    size_t                  argvlen[5];
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(act->r, ngx_teams_module);

    if (act->event_type.len == 0) {
        ngx_teams_act_event_done(NULL, (redisReply *) act);
        return;
    }

    /* the envelope the statement built, as the PSA's bus carries it */
    ngx_teams_jw_init(act->r, &w);
    teams_invoke_copy_json(&w, teams_json_get(teams_json_get(act->res,
                                                             "result"),
                                              "event"));
    event = teams_jw_finish(&w, &len);

    stream = ngx_pnalloc(act->r->pool, sizeof(NGX_TEAMS_EVENT_STREAM)
                                       + act->event_type.len);

    if (event == NULL || stream == NULL) {
        ngx_teams_finish(act->r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_sprintf(stream, NGX_TEAMS_EVENT_STREAM "%V%Z", &act->event_type);

    argv[0] = "XADD";
    argvlen[0] = 4;
    argv[1] = (char *) stream;
    argvlen[1] = ngx_strlen(stream);
    argv[2] = "*";
    argvlen[2] = 1;
    argv[3] = "event";
    argvlen[3] = 5;
    argv[4] = event;
    argvlen[4] = len;

    if (ngx_teams_redis_command(tmcf->redis_link, act->r->pool,
                                ngx_teams_act_event_done, act, 5, argv,
                                argvlen)
        == NULL)
    {
        ngx_teams_finish(act->r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }
}


static void
ngx_teams_act_event_done(ngx_teams_redis_cmd_t *cmd, redisReply *reply)
{
    size_t                  clen, len;
    char                    part[TEAMS_KEY_PART_MAX + 1];
    const char             *card, *activity, *id, *argv[17];
    size_t                  argvlen[17];
    teams_jw_t              w;
    ngx_uint_t              n;
    ngx_teams_act_t        *act;
    ngx_teams_main_conf_t  *tmcf;
    u_char                 *idem;

    if (cmd == NULL) {
        act = (ngx_teams_act_t *) reply;

    } else {
        act = cmd->data;

        if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
            /* the change is committed; the PSA misses one event */
            ngx_log_error(NGX_LOG_ERR, act->r->connection->log, 0,
                          "teams action: event not published: %s",
                          reply ? reply->str : cmd->error);
        }
    }

    if (act->route != TEAMS_INVOKE_MESSAGE || !act->has_card) {
        ngx_teams_finish(act->r, ngx_teams_act_answer(act));
        return;
    }

    tmcf = ngx_http_get_module_main_conf(act->r, ngx_teams_module);

    card = teams_jw_finish(&act->card, &clen);

    ngx_teams_jw_init(act->r, &w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "type", "message");
    teams_jw_key(&w, "attachments");
    teams_jw_array(&w);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "contentType", TEAMS_CARD_CONTENT_TYPE);
    teams_jw_key(&w, "content");

    if (card != NULL && clen <= TEAMS_CARD_MAX_SIZE) {
        teams_jw_raw(&w, card, clen);

    } else {
        teams_card_text(&w, NULL, "That answer is too large to show here; "
                        "open the PSA instead.");
    }

    teams_jw_end(&w);
    teams_jw_end(&w);
    teams_jw_end(&w);

    activity = teams_jw_finish(&w, &len);
    idem = ngx_pnalloc(act->r->pool, sizeof("reply::") + TEAMS_KEY_PART_MAX
                                     + sizeof(act->nonce));
    id = teams_key_part(part, act->a->id.str ? act->a->id.str : "",
                        act->a->id.len);

    if (activity == NULL || idem == NULL || id == NULL) {
        ngx_teams_finish(act->r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_sprintf(idem, "reply:%s:%s%Z", id, act->nonce);

    n = 0;
    argv[n++] = "XADD";
    argv[n++] = "teams:replies";
    argv[n++] = "*";
    argv[n++] = "tenant";
    argv[n++] = (char *) act->id->tenant.data;
    argv[n++] = "profile";
    argv[n++] = (char *) act->id->profile_id.data;
    argv[n++] = "service_url";
    argv[n++] = act->a->service_url.str;
    argv[n++] = "conversation";
    argv[n++] = act->a->conversation_id.str;
    argv[n++] = "reply_to";
    argv[n++] = act->a->id.str ? act->a->id.str : "";

    argvlen[0] = 4;
    argvlen[1] = sizeof("teams:replies") - 1;
    argvlen[2] = 1;
    argvlen[3] = 6;
    argvlen[4] = act->id->tenant.len;
    argvlen[5] = 7;
    argvlen[6] = act->id->profile_id.len;
    argvlen[7] = 11;
    argvlen[8] = act->a->service_url.len;
    argvlen[9] = 12;
    argvlen[10] = act->a->conversation_id.len;
    argvlen[11] = 8;
    argvlen[12] = act->a->id.len;

    argv[n] = "activity";
    argvlen[n++] = 8;
    argv[n] = activity;
    argvlen[n++] = len;
    argv[n] = "idempotency";
    argvlen[n++] = 11;
    argv[n] = (char *) idem;
    argvlen[n++] = ngx_strlen(idem);

    if (ngx_teams_redis_command(tmcf->redis_link, act->r->pool,
                                ngx_teams_act_reply_done, act, (int) n,
                                argv, argvlen)
        == NULL)
    {
        ngx_teams_finish(act->r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }
}


static void
ngx_teams_act_reply_done(ngx_teams_redis_cmd_t *cmd, redisReply *reply)
{
    ngx_teams_act_t  *act = cmd->data;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, act->r->connection->log, 0,
                      "teams bot: reply not queued: %s",
                      reply ? reply->str : cmd->error);
        ngx_teams_finish(act->r, ngx_teams_send_error(act->r,
                         NGX_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                         "the reply could not be queued; retry later"));
        return;
    }

    ngx_teams_finish(act->r, ngx_teams_act_answer(act));
}


/* the HTTP answer for the route */

static void
ngx_teams_act_attachment(ngx_teams_act_t *act, teams_jw_t *w,
    const char *card, size_t clen)
{
    teams_jw_object(w);
    teams_jw_kstr(w, "contentType", TEAMS_CARD_CONTENT_TYPE);
    teams_jw_key(w, "content");
    teams_jw_raw(w, card, clen);
    teams_jw_end(w);
}


static ngx_int_t
ngx_teams_act_answer(ngx_teams_act_t *act)
{
    size_t               clen;
    const char          *card;
    teams_jw_t          *w = &act->out;
    teams_jw_t           one;
    const teams_json_t  *items, *it;
    ngx_str_t            empty = ngx_string("{}");

    card = NULL;
    clen = 0;

    if (act->has_card) {
        card = teams_jw_finish(&act->card, &clen);

        if (card == NULL || clen > TEAMS_CARD_MAX_SIZE) {
            ngx_log_error(NGX_LOG_ERR, act->r->connection->log, 0,
                          "teams action: card too large (%uz bytes)", clen);
            ngx_teams_act_text(act, NULL, "That answer is too large to "
                               "show here; open the PSA instead.");
            card = teams_jw_finish(&act->card, &clen);
        }
    }

    switch (act->route) {

    case TEAMS_INVOKE_CARD_ACTION:
        teams_jw_object(w);
        teams_jw_kint(w, "statusCode", 200);
        teams_jw_kstr(w, "type", TEAMS_CARD_CONTENT_TYPE);
        teams_jw_key(w, "value");
        teams_jw_raw(w, card, clen);
        teams_jw_end(w);
        return ngx_teams_send_jw(act->r, NGX_HTTP_OK, w);

    case TEAMS_INVOKE_ME_QUERY:
        teams_jw_object(w);
        teams_jw_key(w, "composeExtension");
        teams_jw_object(w);

        /* no hits at all (not even an empty list): the gate refused */
        if (act->items == NULL) {
            teams_jw_kstr(w, "type", "message");
            teams_jw_kstr(w, "text", "Searching the PSA is not enabled for "
                          "you; ask your administrator.");
            teams_jw_end(w);
            teams_jw_end(w);
            return ngx_teams_send_jw(act->r, NGX_HTTP_OK, w);
        }

        teams_jw_kstr(w, "type", "result");
        teams_jw_kstr(w, "attachmentLayout", "list");
        teams_jw_key(w, "attachments");
        teams_jw_array(w);

        items = act->items;

        for (it = items ? items->child : NULL; it; it = it->next) {
            teams_jw_object(w);
            teams_jw_kstr(w, "contentType", TEAMS_CARD_CONTENT_TYPE);
            teams_jw_key(w, "content");
            ngx_teams_jw_init(act->r, &one);
            teams_card_record(&one, &act->cc, it);
            card = teams_jw_finish(&one, &clen);
            if (card == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
            teams_jw_raw(w, card, clen);
            teams_jw_key(w, "preview");
            teams_jw_object(w);
            teams_jw_kstr(w, "contentType", TEAMS_CARD_THUMBNAIL);
            teams_jw_key(w, "content");
            teams_card_thumbnail(w, &act->cc, it);
            teams_jw_end(w);
            teams_jw_end(w);
        }

        teams_jw_end(w);
        teams_jw_end(w);
        teams_jw_end(w);
        return ngx_teams_send_jw(act->r, NGX_HTTP_OK, w);

    case TEAMS_INVOKE_ME_SUBMIT:
        if (!act->form && act->has_card && act->status == NGX_HTTP_OK) {
            teams_jw_object(w);
            teams_jw_key(w, "composeExtension");
            teams_jw_object(w);
            teams_jw_kstr(w, "type", "result");
            teams_jw_kstr(w, "attachmentLayout", "list");
            teams_jw_key(w, "attachments");
            teams_jw_array(w);
            ngx_teams_act_attachment(act, w, card, clen);
            teams_jw_end(w);
            teams_jw_end(w);
            teams_jw_end(w);
            return ngx_teams_send_jw(act->r, NGX_HTTP_OK, w);
        }

        /* fall through */

    case TEAMS_INVOKE_ME_FETCH:
    case TEAMS_INVOKE_TASK_FETCH:
    case TEAMS_INVOKE_TASK_SUBMIT:
        teams_jw_object(w);
        teams_jw_key(w, "task");
        teams_jw_object(w);
        teams_jw_kstr(w, "type", "continue");
        teams_jw_key(w, "value");
        teams_jw_object(w);
        teams_jw_kstr(w, "title", act->def ? act->def->title : "PSA");
        teams_jw_kstr(w, "height", "medium");
        teams_jw_kstr(w, "width", "medium");
        teams_jw_key(w, "card");
        ngx_teams_act_attachment(act, w, card, clen);
        teams_jw_end(w);
        teams_jw_end(w);
        teams_jw_end(w);
        return ngx_teams_send_jw(act->r, NGX_HTTP_OK, w);

    default:
        return ngx_teams_send_json(act->r, NGX_HTTP_OK, &empty);
    }
}


/*
 * Notification settings: the card comes from the notify glue; on the bot
 * it is a reply like any other, on a card action it is the invoke's
 * answer.
 */

static ngx_uint_t
ngx_teams_act_is_prefs_save(teams_activity_t *a)
{
    const char          *verb;
    const teams_json_t  *action;

    action = teams_json_get(a->value, "action");
    verb = teams_json_str(action, "verb", NULL);

    return verb != NULL && ngx_strcmp(verb, "notifications_save") == 0;
}


static ngx_int_t
ngx_teams_act_prefs_save(ngx_teams_act_t *act)
{
    const teams_json_t  *data;

    act->surface = "quick_action";
    data = teams_json_get(teams_json_get(act->a->value, "action"), "data");

    if (data == NULL || data->type != TEAMS_JSON_OBJECT) {
        return ngx_teams_act_bad_value(act, "action.data is not an object");
    }

    if (ngx_teams_notify_prefs_save(act->r, &act->id->tenant,
                                    &act->id->user_id, data,
                                    ngx_teams_act_prefs_done)
        != NGX_AGAIN)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


static void
ngx_teams_act_prefs_done(ngx_http_request_t *r, ngx_str_t *card,
    ngx_int_t rc)
{
    ngx_teams_act_t  *act;

    act = ngx_teams_ctx(r)->action;

    if (card == NULL || rc == NGX_ERROR) {
        ngx_teams_act_text(act, NULL, "Your notification settings cannot "
                           "be reached right now. Try again in a moment.");

    } else {
        teams_jw_raw(&act->card, (const char *) card->data, card->len);
        act->has_card = 1;
    }

    if (act->route == TEAMS_INVOKE_MESSAGE) {
        ngx_teams_act_publish(act);
        return;
    }

    ngx_teams_finish(r, ngx_teams_act_answer(act));
}
