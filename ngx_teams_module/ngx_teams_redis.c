
/*
 * hiredis 0.14 async adapter on nginx events.
 *
 * Like the PostgreSQL pool, the socket is registered level-triggered: hiredis
 * reads at most 16 kB per call and would strand data on an edge-triggered
 * registration.  hiredis 0.14 has no timers of its own, so command and
 * connect timeouts are nginx timers; a command that times out takes the
 * connection down with it, since a Redis that stopped answering is not one
 * to keep queueing behind.
 *
 * hiredis owns the socket: its cleanup hook runs before it closes the fd, so
 * we free the nginx connection there without closing it.
 */


#include "ngx_teams_module.h"
#include "ngx_teams_redis.h"


#define NGX_TEAMS_REDIS_BACKOFF_MIN   100
#define NGX_TEAMS_REDIS_BACKOFF_MAX   2000


typedef struct {
    ngx_teams_redis_cmd_t     *cmd;
} ngx_teams_redis_owner_t;


/* kept behind the link: the connect timer */
typedef struct {
    ngx_teams_redis_link_t    *link;
    ngx_event_t                connect_timer;
} ngx_teams_redis_private_t;


static void ngx_teams_redis_connect(ngx_teams_redis_link_t *link);
static void ngx_teams_redis_on_connect(const redisAsyncContext *ac,
    int status);
static void ngx_teams_redis_on_disconnect(const redisAsyncContext *ac,
    int status);
static void ngx_teams_redis_drop(ngx_teams_redis_link_t *link,
    const char *why);
static void ngx_teams_redis_schedule_retry(ngx_teams_redis_link_t *link);
static void ngx_teams_redis_retry_handler(ngx_event_t *ev);
static void ngx_teams_redis_connect_timeout(ngx_event_t *ev);
static void ngx_teams_redis_read_handler(ngx_event_t *ev);
static void ngx_teams_redis_write_handler(ngx_event_t *ev);
static void ngx_teams_redis_add_read(void *data);
static void ngx_teams_redis_del_read(void *data);
static void ngx_teams_redis_add_write(void *data);
static void ngx_teams_redis_del_write(void *data);
static void ngx_teams_redis_cleanup(void *data);
static void ngx_teams_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_teams_redis_cmd_event(ngx_event_t *ev);
static void ngx_teams_redis_cmd_free(ngx_teams_redis_cmd_t *cmd);
static void ngx_teams_redis_owner_cleanup(void *data);
static void ngx_teams_redis_set_error(ngx_teams_redis_link_t *link,
    const char *msg);




ngx_teams_redis_link_t *
ngx_teams_redis_link_create(ngx_cycle_t *cycle, ngx_teams_redis_conf_t *conf)
{
    ngx_teams_redis_link_t     *link;
    ngx_teams_redis_private_t  *priv;

    link = ngx_pcalloc(cycle->pool, sizeof(ngx_teams_redis_link_t)
                                    + sizeof(ngx_teams_redis_private_t));
    if (link == NULL) {
        return NULL;
    }

    priv = (ngx_teams_redis_private_t *) (link + 1);
    priv->link = link;
    priv->connect_timer.handler = ngx_teams_redis_connect_timeout;
    priv->connect_timer.data = link;
    priv->connect_timer.log = cycle->log;
    priv->connect_timer.cancelable = 1;

    link->conf = conf;
    link->log = cycle->log;
    link->backoff = NGX_TEAMS_REDIS_BACKOFF_MIN;
    link->retry.handler = ngx_teams_redis_retry_handler;
    link->retry.data = link;
    link->retry.log = cycle->log;
    link->retry.cancelable = 1;
    ngx_cpystrn(link->last_error, (u_char *) "not connected yet",
                sizeof(link->last_error));

    ngx_teams_redis_connect(link);

    return link;
}


void
ngx_teams_redis_link_destroy(ngx_teams_redis_link_t *link)
{
    ngx_teams_redis_private_t  *priv;

    priv = (ngx_teams_redis_private_t *) (link + 1);

    if (link->retry.timer_set) {
        ngx_del_timer(&link->retry);
    }

    if (priv->connect_timer.timer_set) {
        ngx_del_timer(&priv->connect_timer);
    }

    /*
     * The process is going: the requests waiting on commands are not
     * answered, and their callbacks would meet the pool and caches already
     * destroyed.
     */
    link->exiting = 1;

    if (link->ac != NULL) {
        ngx_teams_redis_drop(link, "worker exiting");
    }

    if (link->retry.timer_set) {
        ngx_del_timer(&link->retry);
    }
}


ngx_teams_redis_cmd_t *
ngx_teams_redis_command(ngx_teams_redis_link_t *link, ngx_pool_t *p,
    ngx_teams_redis_done_pt done, void *data, int argc, const char **argv,
    const size_t *argvlen)
{
    ngx_pool_cleanup_t       *cln;
    ngx_teams_redis_cmd_t    *cmd;
    ngx_teams_redis_owner_t  *owner;

    /* heap, not the pool: hiredis may answer after the requester is gone */
    cmd = ngx_calloc(sizeof(ngx_teams_redis_cmd_t), link->log);
    if (cmd == NULL) {
        return NULL;
    }

    /* a requester with a pool is detached when that pool goes */
    if (p != NULL) {
        cln = ngx_pool_cleanup_add(p, sizeof(ngx_teams_redis_owner_t));
        if (cln == NULL) {
            ngx_free(cmd);
            return NULL;
        }

        owner = cln->data;
        owner->cmd = cmd;
        cln->handler = ngx_teams_redis_owner_cleanup;
        cmd->owner = owner;
    }

    cmd->done = done;
    cmd->data = data;
    cmd->link = link;
    cmd->event.handler = ngx_teams_redis_cmd_event;
    cmd->event.data = cmd;
    cmd->event.log = link->log;

    if (link->ac == NULL) {
        ngx_post_event(&cmd->event, &ngx_posted_events);
        return cmd;
    }

    if (redisAsyncCommandArgv(link->ac, ngx_teams_redis_reply, cmd, argc,
                              argv, argvlen)
        != REDIS_OK)
    {
        ngx_post_event(&cmd->event, &ngx_posted_events);
        return cmd;
    }

    cmd->in_hiredis = 1;
    ngx_add_timer(&cmd->event, link->conf->timeout);

    return cmd;
}


static void
ngx_teams_redis_owner_cleanup(void *data)
{
    ngx_teams_redis_owner_t  *owner = data;

    if (owner->cmd != NULL) {
        owner->cmd->done = NULL;
        owner->cmd->owner = NULL;
        owner->cmd = NULL;
    }
}


static void
ngx_teams_redis_cmd_free(ngx_teams_redis_cmd_t *cmd)
{
    ngx_teams_redis_owner_t  *owner;

    if (cmd->event.timer_set) {
        ngx_del_timer(&cmd->event);
    }

    if (cmd->event.posted) {
        ngx_delete_posted_event(&cmd->event);
    }

    owner = cmd->owner;
    if (owner != NULL) {
        owner->cmd = NULL;
    }

    ngx_free(cmd);
}


static void
ngx_teams_redis_call(ngx_teams_redis_cmd_t *cmd, redisReply *reply,
    const char *error)
{
    ngx_teams_redis_done_pt   done;
    ngx_teams_redis_owner_t  *owner;

    done = cmd->done;
    if (done == NULL || cmd->link->exiting) {
        return;
    }

    /* detach from the owner before done() may destroy the owner's pool */
    owner = cmd->owner;
    if (owner != NULL) {
        owner->cmd = NULL;
        cmd->owner = NULL;
    }

    cmd->done = NULL;
    cmd->error = error;

    done(cmd, reply);
}


static void
ngx_teams_redis_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    ngx_teams_redis_cmd_t   *cmd = privdata;
    ngx_teams_redis_link_t  *link = cmd->link;

    if (cmd->event.timer_set) {
        ngx_del_timer(&cmd->event);
    }

    ngx_teams_redis_call(cmd, r,
                         r ? NULL : (const char *) link->last_error);

    ngx_teams_redis_cmd_free(cmd);
}


static void
ngx_teams_redis_cmd_event(ngx_event_t *ev)
{
    ngx_teams_redis_cmd_t   *cmd = ev->data;
    ngx_teams_redis_link_t  *link = cmd->link;

    if (!cmd->in_hiredis) {
        ngx_teams_redis_call(cmd, NULL, (const char *) link->last_error);
        ngx_teams_redis_cmd_free(cmd);
        return;
    }

    /* timed out: answer now; hiredis frees cmd when the link is dropped */
    ngx_teams_redis_call(cmd, NULL, "redis command timed out");
    ngx_teams_redis_drop(link, "command timed out");
}


static void
ngx_teams_redis_connect(ngx_teams_redis_link_t *link)
{
    redisAsyncContext          *ac;
    ngx_connection_t           *c;
    ngx_teams_redis_conf_t     *conf = link->conf;
    ngx_teams_redis_private_t  *priv;

    if (conf->unix_path.len) {
        ac = redisAsyncConnectUnix((const char *) conf->unix_path.data);

    } else {
        ac = redisAsyncConnect((const char *) conf->host.data, conf->port);
    }

    if (ac == NULL) {
        ngx_teams_redis_set_error(link, "out of memory");
        ngx_teams_redis_schedule_retry(link);
        return;
    }

    if (ac->err) {
        ngx_teams_redis_set_error(link, ac->errstr);
        redisAsyncFree(ac);
        ngx_teams_redis_schedule_retry(link);
        return;
    }

    c = ngx_get_connection(ac->c.fd, link->log);
    if (c == NULL) {
        ngx_teams_redis_set_error(link, "no free worker connection");
        redisAsyncFree(ac);
        ngx_teams_redis_schedule_retry(link);
        return;
    }

    c->data = link;
    c->log = link->log;
    c->read->log = link->log;
    c->write->log = link->log;
    c->read->handler = ngx_teams_redis_read_handler;
    c->write->handler = ngx_teams_redis_write_handler;

    link->c = c;
    link->ac = ac;
    ac->data = link;

    ac->ev.data = link;
    ac->ev.addRead = ngx_teams_redis_add_read;
    ac->ev.delRead = ngx_teams_redis_del_read;
    ac->ev.addWrite = ngx_teams_redis_add_write;
    ac->ev.delWrite = ngx_teams_redis_del_write;
    ac->ev.cleanup = ngx_teams_redis_cleanup;

    /* the hooks must be in place first: this asks for the write event */
    redisAsyncSetConnectCallback(ac, ngx_teams_redis_on_connect);
    redisAsyncSetDisconnectCallback(ac, ngx_teams_redis_on_disconnect);

    priv = (ngx_teams_redis_private_t *) (link + 1);
    ngx_add_timer(&priv->connect_timer, conf->timeout);
}


static void
ngx_teams_redis_on_connect(const redisAsyncContext *ac, int status)
{
    ngx_teams_redis_link_t     *link = ac->data;
    ngx_teams_redis_private_t  *priv;

    priv = (ngx_teams_redis_private_t *) (link + 1);

    if (priv->connect_timer.timer_set) {
        ngx_del_timer(&priv->connect_timer);
    }

    if (status != REDIS_OK) {
        /* hiredis frees the context after this returns */
        ngx_teams_redis_set_error(link, ac->errstr);
        ngx_log_error(NGX_LOG_ERR, link->log, 0,
                      "teams redis: connect to %V failed: %s",
                      &link->conf->addr, link->last_error);
        link->ac = NULL;
        link->connected = 0;
        ngx_teams_redis_schedule_retry(link);
        return;
    }

    link->connected = 1;
    link->backoff = NGX_TEAMS_REDIS_BACKOFF_MIN;

    ngx_log_error(NGX_LOG_INFO, link->log, 0, "teams redis: connected to %V",
                  &link->conf->addr);
}


static void
ngx_teams_redis_on_disconnect(const redisAsyncContext *ac, int status)
{
    ngx_teams_redis_link_t  *link = ac->data;

    if (link->ac != ac) {
        /* we dropped it ourselves */
        return;
    }

    ngx_teams_redis_set_error(link,
                              ac->err ? ac->errstr : "connection closed");

    ngx_log_error(NGX_LOG_ERR, link->log, 0,
                  "teams redis: lost connection to %V: %s",
                  &link->conf->addr, link->last_error);

    link->ac = NULL;
    link->connected = 0;
    ngx_teams_redis_schedule_retry(link);
}


static void
ngx_teams_redis_drop(ngx_teams_redis_link_t *link, const char *why)
{
    redisAsyncContext          *ac = link->ac;
    ngx_teams_redis_private_t  *priv;

    if (ac == NULL) {
        return;
    }

    ngx_teams_redis_set_error(link, why);

    ngx_log_error(NGX_LOG_ERR, link->log, 0, "teams redis: %V: %s",
                  &link->conf->addr, link->last_error);

    priv = (ngx_teams_redis_private_t *) (link + 1);

    if (priv->connect_timer.timer_set) {
        ngx_del_timer(&priv->connect_timer);
    }

    link->ac = NULL;
    link->connected = 0;

    /* answers every pending callback with NULL, then frees */
    redisAsyncFree(ac);

    ngx_teams_redis_schedule_retry(link);
}


static void
ngx_teams_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_teams_redis_link_t  *link = ev->data;

    ngx_teams_redis_drop(link, "connect timed out");
}


static void
ngx_teams_redis_schedule_retry(ngx_teams_redis_link_t *link)
{
    ngx_msec_t  delay;

    if (ngx_exiting || ngx_terminate || ngx_quit || link->retry.timer_set) {
        return;
    }

    delay = link->backoff + ngx_random() % (link->backoff / 4 + 1);

    link->backoff *= 2;
    if (link->backoff > NGX_TEAMS_REDIS_BACKOFF_MAX) {
        link->backoff = NGX_TEAMS_REDIS_BACKOFF_MAX;
    }

    ngx_add_timer(&link->retry, delay);
}


static void
ngx_teams_redis_retry_handler(ngx_event_t *ev)
{
    ngx_teams_redis_link_t  *link = ev->data;

    if (ngx_exiting || ngx_terminate || ngx_quit || link->ac != NULL) {
        return;
    }

    ngx_teams_redis_connect(link);
}


static void
ngx_teams_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t        *c = ev->data;
    ngx_teams_redis_link_t  *link = c->data;

    /* may free the context and, through the cleanup hook, c itself */
    if (link->ac != NULL) {
        redisAsyncHandleRead(link->ac);
    }
}


static void
ngx_teams_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t        *c = ev->data;
    ngx_teams_redis_link_t  *link = c->data;

    if (link->ac != NULL) {
        redisAsyncHandleWrite(link->ac);
    }
}


static void
ngx_teams_redis_add_read(void *data)
{
    ngx_teams_redis_link_t  *link = data;

    if (link->c != NULL && !link->c->read->active) {
        (void) ngx_add_event(link->c->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_teams_redis_del_read(void *data)
{
    ngx_teams_redis_link_t  *link = data;

    if (link->c != NULL && link->c->read->active) {
        (void) ngx_del_event(link->c->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_teams_redis_add_write(void *data)
{
    ngx_teams_redis_link_t  *link = data;

    if (link->c != NULL && !link->c->write->active) {
        (void) ngx_add_event(link->c->write, NGX_WRITE_EVENT, 0);
    }
}


static void
ngx_teams_redis_del_write(void *data)
{
    ngx_teams_redis_link_t  *link = data;

    if (link->c != NULL && link->c->write->active) {
        (void) ngx_del_event(link->c->write, NGX_WRITE_EVENT, 0);
    }
}


static void
ngx_teams_redis_cleanup(void *data)
{
    ngx_connection_t        *c;
    ngx_teams_redis_link_t  *link = data;

    c = link->c;
    if (c == NULL) {
        return;
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    /* hiredis closes the fd itself right after this hook */
    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
    link->c = NULL;
}


static void
ngx_teams_redis_set_error(ngx_teams_redis_link_t *link, const char *msg)
{
    if (msg == NULL || *msg == '\0') {
        msg = "connection lost";
    }

    ngx_cpystrn(link->last_error, (u_char *) msg, sizeof(link->last_error));
}
