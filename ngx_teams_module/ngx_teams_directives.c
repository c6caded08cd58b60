
/*
 * Directives of ngx_teams_module and their validation.  Everything an
 * administrator can get wrong is refused at "nginx -t" with the directive's
 * name and the problem, never discovered at the first Teams request.
 */


#include "ngx_teams_module.h"
#include "core/teams_url.h"

#include <sys/stat.h>
#include <arpa/inet.h>
#include <libpq-fe.h>


static char *ngx_teams_conf_postgres(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_teams_conf_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_teams_conf_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_teams_conf_secret_key_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_teams_conf_jwks_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_teams_conf_connector_hosts(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_teams_conf_handler(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_teams_check_pg_hosts(ngx_conf_t *cf, const char *key,
    const char *value, ngx_uint_t numeric_only);



#define NGX_TEAMS_PG_SESSION_OPTIONS  "-c plan_cache_mode=force_generic_plan"


/* the timeouts of teams_postgres, by parameter name */
typedef struct {
    ngx_str_t                  name;
    size_t                     offset;
} ngx_teams_pg_timeout_t;


static ngx_teams_pg_timeout_t  ngx_teams_pg_timeouts[] = {
    { ngx_string("queue_timeout="),
      offsetof(ngx_teams_pg_conf_t, queue_timeout) },
    { ngx_string("connect_timeout="),
      offsetof(ngx_teams_pg_conf_t, connect_timeout) },
    { ngx_string("query_timeout="),
      offsetof(ngx_teams_pg_conf_t, query_timeout) },
    { ngx_null_string, 0 }
};


static ngx_conf_num_bounds_t  ngx_teams_pool_size_bounds = {
    ngx_conf_check_num_bounds, 1, 256
};


typedef struct {
    const char                *name;
    ngx_teams_handler_e        handler;
    ngx_http_handler_pt        content;
} ngx_teams_handler_name_t;


ngx_command_t  ngx_teams_commands[] = {

    { ngx_string("teams_postgres"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_teams_conf_postgres,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_teams_conf_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_public_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_teams_main_conf_t, public_url),
      NULL },

    { ngx_string("teams_psa_base_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_teams_main_conf_t, psa_base_url),
      NULL },

    { ngx_string("teams_botframework_openid_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_teams_main_conf_t, botframework_openid_url),
      NULL },

    { ngx_string("teams_entra_openid_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_teams_main_conf_t, entra_openid_url),
      NULL },

    { ngx_string("teams_token_endpoint"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_teams_main_conf_t, token_endpoint),
      NULL },

    { ngx_string("teams_graph_url"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_url,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_teams_main_conf_t, graph_url),
      NULL },

    { ngx_string("teams_connector_hosts"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_teams_conf_connector_hosts,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_secret_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_teams_conf_secret_key_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_jwks_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_teams_conf_jwks_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_teams_conf_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_bot"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_teams_conf_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_tab"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_teams_conf_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_admin"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_teams_conf_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("teams_notify"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_teams_conf_handler,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_teams_handler_name_t  ngx_teams_handler_names[] = {
    { "teams_status", NGX_TEAMS_HANDLER_STATUS, ngx_teams_status_handler },
    { "teams_bot", NGX_TEAMS_HANDLER_BOT, ngx_teams_bot_handler },
    { "teams_tab", NGX_TEAMS_HANDLER_TAB, ngx_teams_tab_handler },
    { "teams_admin", NGX_TEAMS_HANDLER_ADMIN, ngx_teams_admin_handler },
    { "teams_notify", NGX_TEAMS_HANDLER_NOTIFY, ngx_teams_notify_handler },
    { NULL, NGX_TEAMS_HANDLER_NONE, NULL }
};


/* Microsoft's public, GCC, GCC High and DoD Bot Connector hosts */
static char  *ngx_teams_default_connector_hosts[] = {
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
    NULL
};


void *
ngx_teams_create_main_conf(ngx_conf_t *cf)
{
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_pcalloc(cf->pool, sizeof(ngx_teams_main_conf_t));
    if (tmcf == NULL) {
        return NULL;
    }

    tmcf->pg.size = NGX_CONF_UNSET_UINT;
    tmcf->pg.max_queue = NGX_CONF_UNSET_UINT;
    tmcf->pg.queue_timeout = NGX_CONF_UNSET_MSEC;
    tmcf->pg.connect_timeout = NGX_CONF_UNSET_MSEC;
    tmcf->pg.query_timeout = NGX_CONF_UNSET_MSEC;
    tmcf->redis.timeout = NGX_CONF_UNSET_MSEC;
    tmcf->connector_hosts = NGX_CONF_UNSET_PTR;

    return tmcf;
}


char *
ngx_teams_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_teams_main_conf_t *tmcf = conf;

    char       **h;
    ngx_str_t   *host;

    ngx_conf_init_uint_value(tmcf->pg.size, 4);
    ngx_conf_init_uint_value(tmcf->pg.max_queue, 1024);
    ngx_conf_init_msec_value(tmcf->pg.queue_timeout, 3000);
    ngx_conf_init_msec_value(tmcf->pg.connect_timeout, 3000);
    ngx_conf_init_msec_value(tmcf->pg.query_timeout, 5000);
    ngx_conf_init_msec_value(tmcf->redis.timeout, 1000);

    if (tmcf->botframework_openid_url.len == 0) {
        ngx_str_set(&tmcf->botframework_openid_url,
                    "https://login.botframework.com/v1/.well-known"
                    "/openidconfiguration");
    }

    if (tmcf->entra_openid_url.len == 0) {
        ngx_str_set(&tmcf->entra_openid_url,
                    "https://login.microsoftonline.com/common/v2.0"
                    "/.well-known/openid-configuration");
    }

    if (tmcf->token_endpoint.len == 0) {
        ngx_str_set(&tmcf->token_endpoint, "https://login.microsoftonline.com");
    }

    if (tmcf->graph_url.len == 0) {
        ngx_str_set(&tmcf->graph_url, "https://graph.microsoft.com");
    }

    if (tmcf->connector_hosts == NGX_CONF_UNSET_PTR) {
        tmcf->connector_hosts = ngx_array_create(cf->pool, 4,
                                                 sizeof(ngx_str_t));
        if (tmcf->connector_hosts == NULL) {
            return NGX_CONF_ERROR;
        }

        for (h = ngx_teams_default_connector_hosts; *h; h++) {
            host = ngx_array_push(tmcf->connector_hosts);
            if (host == NULL) {
                return NGX_CONF_ERROR;
            }

            host->data = (u_char *) *h;
            host->len = ngx_strlen(*h);
        }
    }

    return NGX_CONF_OK;
}


void *
ngx_teams_create_loc_conf(ngx_conf_t *cf)
{
    ngx_teams_loc_conf_t  *tlcf;

    tlcf = ngx_pcalloc(cf->pool, sizeof(ngx_teams_loc_conf_t));
    if (tlcf == NULL) {
        return NULL;
    }

    return tlcf;
}


char *
ngx_teams_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    /* a handler belongs to its own location and is not inherited */
    return NGX_CONF_OK;
}


ngx_int_t
ngx_teams_check_conf(ngx_conf_t *cf)
{
    ngx_teams_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_teams_module);

    if (!tmcf->handlers_used) {
        return NGX_OK;
    }

    if (tmcf->pg.conninfo.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "teams handlers need \"teams_postgres\" in the http "
                      "block (first handler in %V:%ui)",
                      &tmcf->first_handler_file, tmcf->first_handler_line);
        return NGX_ERROR;
    }

    if (tmcf->redis.addr.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "teams handlers need \"teams_redis\" in the http "
                      "block (first handler in %V:%ui)",
                      &tmcf->first_handler_file, tmcf->first_handler_line);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static char *
ngx_teams_conf_postgres(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_teams_main_conf_t *tmcf = conf;

    char                    *err, *user_options;
    ngx_int_t                n;
    ngx_str_t               *value, s;
    ngx_msec_t               ms;
    ngx_teams_pg_timeout_t  *t;
    ngx_uint_t               i, has_hostaddr;
    PQconninfoOption        *opts, *o;

    if (tmcf->pg.conninfo.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "teams_postgres: empty connection string");
        return NGX_CONF_ERROR;
    }

    err = NULL;
    opts = PQconninfoParse((const char *) value[1].data, &err);

    if (opts == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "teams_postgres: invalid connection string: %s",
                           err ? err : "out of memory");
        if (err) {
            PQfreemem(err);
        }

        return NGX_CONF_ERROR;
    }

    has_hostaddr = 0;
    user_options = NULL;

    for (o = opts; o->keyword; o++) {
        if (o->val != NULL && ngx_strcmp(o->keyword, "hostaddr") == 0) {
            has_hostaddr = 1;
        }

        if (o->val != NULL && ngx_strcmp(o->keyword, "options") == 0) {
            user_options = o->val;
        }
    }

    /*
     * Our statements are constants scoped by tenant, prepared once per
     * connection: a generic plan serves every parameter, and a custom plan
     * per execution would cost more to plan than to run.  The
     * administrator's own options are kept in front.
     */
    s.len = (user_options ? ngx_strlen(user_options) + 1 : 0)
            + sizeof(NGX_TEAMS_PG_SESSION_OPTIONS);
    s.data = ngx_pnalloc(cf->pool, s.len);
    if (s.data == NULL) {
        PQconninfoFree(opts);
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(s.data, "%s%s" NGX_TEAMS_PG_SESSION_OPTIONS "%Z",
                user_options ? user_options : "", user_options ? " " : "");
    s.len = ngx_strlen(s.data);
    tmcf->pg.options = s;

    for (o = opts; o->keyword; o++) {
        if (o->val == NULL) {
            continue;
        }

        /* a name lookup would block the worker: numbers or sockets only */

        if ((ngx_strcmp(o->keyword, "hostaddr") == 0
             || (!has_hostaddr && ngx_strcmp(o->keyword, "host") == 0))
            && ngx_teams_check_pg_hosts(cf, o->keyword, o->val,
                                        ngx_strcmp(o->keyword, "hostaddr")
                                        == 0)
               != NGX_OK)
        {
            PQconninfoFree(opts);
            return NGX_CONF_ERROR;
        }
    }

    PQconninfoFree(opts);

    tmcf->pg.conninfo = value[1];

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "pool_size=", 10) == 0) {
            n = ngx_atoi(value[i].data + 10, value[i].len - 10);
            if (n == NGX_ERROR) {
                goto invalid;
            }

            tmcf->pg.size = n;

            if (ngx_teams_pool_size_bounds.post_handler(cf,
                    &ngx_teams_pool_size_bounds, &tmcf->pg.size)
                != NGX_CONF_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "teams_postgres: pool_size must be "
                                   "between 1 and 256");
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "max_queue=", 10) == 0) {
            n = ngx_atoi(value[i].data + 10, value[i].len - 10);
            if (n == NGX_ERROR || n > 1000000) {
                goto invalid;
            }

            tmcf->pg.max_queue = n;
            continue;
        }

        for (t = ngx_teams_pg_timeouts; t->name.len; t++) {
            if (value[i].len > t->name.len
                && ngx_strncmp(value[i].data, t->name.data, t->name.len) == 0)
            {
                break;
            }
        }

        if (t->name.len) {
            s.data = value[i].data + t->name.len;
            s.len = value[i].len - t->name.len;
            ms = ngx_parse_time(&s, 0);

            if (ms == (ngx_msec_t) NGX_ERROR || ms == 0) {
                goto invalid;
            }

            *(ngx_msec_t *) ((char *) &tmcf->pg + t->offset) = ms;
            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "teams_postgres: invalid parameter \"%V\" (expected "
                       "pool_size=N, max_queue=N, queue_timeout=T, "
                       "connect_timeout=T or query_timeout=T)", &value[i]);

    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_teams_check_pg_hosts(ngx_conf_t *cf, const char *key, const char *value,
    ngx_uint_t numeric_only)
{
    u_char       addr[sizeof(struct in6_addr)];
    u_char       one[NGX_SOCKADDR_STRLEN];
    const char  *p, *comma;
    size_t       len;

    for (p = value; ; p = comma + 1) {
        comma = strchr(p, ',');
        len = comma ? (size_t) (comma - p) : ngx_strlen(p);

        if (len == 0 || len >= sizeof(one)) {
            goto bad;
        }

        ngx_memcpy(one, p, len);
        one[len] = '\0';

        if (!(!numeric_only && one[0] == '/')
            && inet_pton(AF_INET, (char *) one, addr) != 1
            && inet_pton(AF_INET6, (char *) one, addr) != 1)
        {
            goto bad;
        }

        if (comma == NULL) {
            return NGX_OK;
        }
    }

bad:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "teams_postgres: %s \"%s\" must be a numeric IP "
                       "address%s (a host name would need a blocking DNS "
                       "lookup in the nginx worker)", key, value,
                       numeric_only ? "" : " or a unix socket directory");

    return NGX_ERROR;
}


static char *
ngx_teams_conf_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_teams_main_conf_t *tmcf = conf;

    u_char      *colon, *host;
    u_char       addr[sizeof(struct in6_addr)];
    ngx_str_t   *value, s;
    ngx_int_t    port;

    if (tmcf->redis.addr.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    tmcf->redis.addr = value[1];

    if (value[1].len > 5 && ngx_strncmp(value[1].data, "unix:", 5) == 0) {
        if (value[1].data[5] != '/') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "teams_redis: \"%V\": the unix socket path "
                               "must be absolute", &value[1]);
            return NGX_CONF_ERROR;
        }

        tmcf->redis.unix_path.data = value[1].data + 5;
        tmcf->redis.unix_path.len = value[1].len - 5;

    } else {
        colon = ngx_strlchr(value[1].data, value[1].data + value[1].len, ']');
        colon = ngx_strlchr(colon ? colon : value[1].data,
                            value[1].data + value[1].len, ':');

        if (colon == NULL) {
            goto bad_addr;
        }

        port = ngx_atoi(colon + 1, value[1].data + value[1].len - colon - 1);
        if (port < 1 || port > 65535) {
            goto bad_addr;
        }

        host = value[1].data;
        s.len = colon - host;

        if (s.len > 2 && host[0] == '[' && host[s.len - 1] == ']') {
            host++;
            s.len -= 2;
        }

        s.data = ngx_pnalloc(cf->pool, s.len + 1);
        if (s.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_cpystrn(s.data, host, s.len + 1);

        if (inet_pton(AF_INET, (char *) s.data, addr) != 1
            && inet_pton(AF_INET6, (char *) s.data, addr) != 1)
        {
            goto bad_addr;
        }

        tmcf->redis.host = s;
        tmcf->redis.port = port;
    }

    if (cf->args->nelts == 3) {
        if (ngx_strncmp(value[2].data, "timeout=", 8) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "teams_redis: invalid parameter \"%V\" "
                               "(expected timeout=T)", &value[2]);
            return NGX_CONF_ERROR;
        }

        s.data = value[2].data + 8;
        s.len = value[2].len - 8;
        tmcf->redis.timeout = ngx_parse_time(&s, 0);

        if (tmcf->redis.timeout == (ngx_msec_t) NGX_ERROR
            || tmcf->redis.timeout == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "teams_redis: invalid timeout \"%V\"", &s);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;

bad_addr:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "teams_redis: \"%V\" must be IP:port with a numeric "
                       "address (127.0.0.1:6379, [::1]:6379) or "
                       "unix:/path", &value[1]);

    return NGX_CONF_ERROR;
}


static char *
ngx_teams_conf_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char        *p = conf;

    const char  *why;
    ngx_str_t   *field, *value;

    field = (ngx_str_t *) (p + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    why = teams_url_check((const char *) value[1].data, value[1].len);
    if (why != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: \"%V\" %s",
                           &cmd->name, &value[1], why);
        return NGX_CONF_ERROR;
    }

    *field = value[1];

    /* one canonical form: no trailing slash, so joins are predictable */
    while (field->len > 1 && field->data[field->len - 1] == '/') {
        field->len--;
    }

    return NGX_CONF_OK;
}


static char *
ngx_teams_conf_connector_hosts(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_teams_main_conf_t *tmcf = conf;

    const char  *why;
    ngx_str_t   *value, *host;
    ngx_uint_t   i;

    if (tmcf->connector_hosts != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    if (cf->args->nelts - 1 > NGX_TEAMS_MAX_CONNECTOR_HOSTS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "teams_connector_hosts: at most %d hosts",
                           NGX_TEAMS_MAX_CONNECTOR_HOSTS);
        return NGX_CONF_ERROR;
    }

    tmcf->connector_hosts = ngx_array_create(cf->pool, cf->args->nelts,
                                             sizeof(ngx_str_t));
    if (tmcf->connector_hosts == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        why = teams_host_check((const char *) value[i].data, value[i].len);
        if (why != NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "teams_connector_hosts: \"%V\" %s",
                               &value[i], why);
            return NGX_CONF_ERROR;
        }

        host = ngx_array_push(tmcf->connector_hosts);
        if (host == NULL) {
            return NGX_CONF_ERROR;
        }

        *host = value[i];
    }

    return NGX_CONF_OK;
}


static char *
ngx_teams_conf_secret_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_teams_main_conf_t *tmcf = conf;

    u_char       *p, *last;
    ngx_int_t     hi, lo;
    ngx_str_t    *value, text;
    ngx_uint_t    i, n;
    struct stat   st;

    if (tmcf->secret_key_file.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    tmcf->secret_key_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &tmcf->secret_key_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_teams_read_small_file(cf, &tmcf->secret_key_file, 256, &text,
                                  &st)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    p = text.data;
    last = text.data + text.len;

    while (last > p && (last[-1] == '\n' || last[-1] == '\r'
                        || last[-1] == ' '))
    {
        last--;
    }

    if (last - p != 64) {
        goto bad;
    }

    for (i = 0, n = 0; n < 32; i += 2, n++) {
        hi = ngx_hextoi(&p[i], 1);
        lo = ngx_hextoi(&p[i + 1], 1);

        if (hi == NGX_ERROR || lo == NGX_ERROR) {
            goto bad;
        }

        tmcf->secret_key[n] = (u_char) (hi << 4 | lo);
    }

    ngx_explicit_memzero(text.data, text.len);
    tmcf->secret_key_set = 1;

    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "teams_secret_key_file \"%V\" is accessible to "
                           "other users; chmod 600 it",
                           &tmcf->secret_key_file);
    }

    return NGX_CONF_OK;

bad:

    ngx_explicit_memzero(text.data, text.len);

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "teams_secret_key_file \"%V\" must hold exactly 64 "
                       "hex characters (a 256-bit key; create one with "
                       "\"openssl rand -hex 32\")", &tmcf->secret_key_file);

    return NGX_CONF_ERROR;
}


static char *
ngx_teams_conf_jwks_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *value;

    value = cf->args->elts;

    return ngx_teams_keys_conf_file(cf, conf, &value[1], &value[2]);
}


static char *
ngx_teams_conf_handler(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_teams_loc_conf_t *tlcf = conf;

    ngx_teams_main_conf_t     *tmcf;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_teams_handler_name_t  *h;

    if (tlcf->handler != NGX_TEAMS_HANDLER_NONE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": this location already has a teams "
                           "handler", &cmd->name);
        return NGX_CONF_ERROR;
    }

    for (h = ngx_teams_handler_names; h->name; h++) {
        if (ngx_strcmp(h->name, cmd->name.data) == 0) {
            break;
        }
    }

    tlcf->handler = h->handler;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    tlcf->content = h->content;
    clcf->handler = ngx_teams_content;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_teams_module);

    if (!tmcf->handlers_used) {
        tmcf->first_handler_file = cf->conf_file->file.name;
        tmcf->first_handler_line = cf->conf_file->line;
    }

    tmcf->handlers_used++;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_teams_read_small_file(ngx_conf_t *cf, ngx_str_t *name, size_t max,
    ngx_str_t *out, struct stat *st)
{
    ssize_t    n;
    ngx_fd_t   fd;
    ngx_err_t  err;

    fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        err = ngx_errno;
        ngx_conf_log_error(NGX_LOG_EMERG, cf, err, "cannot open \"%V\"",
                           name);
        return NGX_ERROR;
    }

    if (fstat(fd, st) == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot stat \"%V\"", name);
        goto failed;
    }

    if (!S_ISREG(st->st_mode)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is not a regular file", name);
        goto failed;
    }

    if ((size_t) st->st_size > max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is larger than %uz bytes", name, max);
        goto failed;
    }

    out->data = ngx_pnalloc(cf->temp_pool, st->st_size + 1);
    if (out->data == NULL) {
        goto failed;
    }

    n = read(fd, out->data, st->st_size);

    if (n == -1 || n != st->st_size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot read \"%V\"", name);
        goto failed;
    }

    out->len = n;
    out->data[n] = '\0';

    ngx_close_file(fd);

    return NGX_OK;

failed:

    ngx_close_file(fd);

    return NGX_ERROR;
}
