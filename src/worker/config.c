
/*
 * teams-worker configuration: defaults, the config file, command line flags
 * and validation.
 */


#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <libpq-fe.h>

#include "core/teams_conf_file.h"
#include "core/teams_url.h"
#include "worker/config.h"
#include "worker/notify.h"


typedef int (*teams_worker_conf_check_pt)(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);


typedef struct {
    const char                  *name;
    size_t                       offset;
    teams_worker_conf_check_pt   check;
    const char                  *arg;
    const char                  *help;
} teams_worker_setting_t;


static const teams_worker_setting_t *teams_worker_setting_find(
    const char *name);
static int teams_worker_conf_file_handler(void *data, const char *key,
    const char *value, char *err, size_t errlen);
static int teams_worker_conf_strset(char **field, const char *value);
static int teams_worker_check_postgres(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_redis(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_name(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_log_level(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_url(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_notify(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_path(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_openid(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_interval(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);
static int teams_worker_check_hosts(teams_worker_conf_t *conf,
    const char *name, const char *value, char *err, size_t errlen);


#define teams_worker_field(name)  offsetof(teams_worker_conf_t, name)
#define TEAMS_WORKER_NO_FIELD     ((size_t) -1)


static const teams_worker_setting_t  teams_worker_settings[] = {

    { "postgres", teams_worker_field(postgres),
      teams_worker_check_postgres, "CONNINFO",
      "libpq conninfo or URI (required)" },

    { "redis", teams_worker_field(redis),
      teams_worker_check_redis, "ADDR",
      "IPv4:port, [IPv6]:port, unix:/path (required)" },

    { "consumer", teams_worker_field(consumer),
      teams_worker_check_name, "NAME",
      "consumer name (default: hostname-pid)" },

    { "group", teams_worker_field(group),
      teams_worker_check_name, "NAME",
      "consumer group (default: " TEAMS_WORKER_DEFAULT_GROUP ")" },

    { "log_level", TEAMS_WORKER_NO_FIELD,
      teams_worker_check_log_level, "LEVEL",
      "error|warn|info|debug (default: info)" },

    { "graph_base", teams_worker_field(graph_base),
      teams_worker_check_url, "URL",
      "Graph base (" TEAMS_WORKER_DEFAULT_GRAPH ")" },

    { "token_endpoint_base", teams_worker_field(token_endpoint_base),
      teams_worker_check_url, "URL",
      "token endpoint base (login.microsoftonline.com)" },

    { "openid_botframework", teams_worker_field(openid_botframework),
      teams_worker_check_openid, "URL",
      "Bot Framework OpenID metadata, or off" },

    { "openid_entra", teams_worker_field(openid_entra),
      teams_worker_check_openid, "URL",
      "Entra ID OpenID metadata, or off" },

    { "keys_refresh_interval", TEAMS_WORKER_NO_FIELD,
      teams_worker_check_interval, "TIME",
      "key set refresh, 60s..24h (default: 12h)" },

    { "jwks_allowed_hosts", teams_worker_field(jwks_allowed_hosts),
      teams_worker_check_hosts, "HOSTS",
      "more hosts allowed in jwks_uri (default: none)" },

    { "connector_hosts", teams_worker_field(connector_hosts),
      teams_worker_check_hosts, "HOSTS",
      "Bot Connector hosts replies may go to (Microsoft's)" },

    { "http_proxy", teams_worker_field(http_proxy),
      teams_worker_check_url, "URL",
      "outbound HTTP proxy (default: none)" },

    { "notify", teams_worker_field(notify),
      teams_worker_check_notify, "on|off",
      "send activity-feed notifications (default: on)" },

    { "notify_concurrency", teams_worker_field(notify_concurrency),
      teams_worker_check_notify, "N",
      "Graph requests in flight at most (default: 256)" },

    { "notify_rate_limits", teams_worker_field(notify_rate_limits),
      teams_worker_check_notify, "on|off",
      "keep to Graph's 5/s per tenant, 50/s per app (default: on)" },

    { "notify_max_attempts", teams_worker_field(notify_max_attempts),
      teams_worker_check_notify, "N",
      "attempts before a delivery fails (default: 8)" },

    { "notify_lease", teams_worker_field(notify_lease),
      teams_worker_check_notify, "TIME",
      "a claimed delivery's lease (default: 60s)" },

    { "notify_claim_idle", teams_worker_field(notify_claim_idle),
      teams_worker_check_notify, "TIME",
      "claim other consumers' entries idle this long (default: 30s)" },

    { "notify_psa_url", teams_worker_field(notify_psa_url),
      teams_worker_check_notify, "URL",
      "the PSA's public URL, for deep links (default: none)" },

    { "notify_events", teams_worker_field(notify_events),
      teams_worker_check_notify, "on|off",
      "map PSA events to internal notifications (default: off)" },

    { "secret_key_file", teams_worker_field(secret_key_file),
      teams_worker_check_path, "PATH",
      "32-byte master key, 64 hex chars (default: none)" },

    { NULL, 0, NULL, NULL, NULL }
};


void
teams_worker_conf_init(teams_worker_conf_t *conf)
{
    memset(conf, 0, sizeof(teams_worker_conf_t));

    conf->log_level = TEAMS_LOG_INFO;
    conf->keys_refresh_interval = TEAMS_WORKER_KEYS_INTERVAL;
}


void
teams_worker_conf_free(teams_worker_conf_t *conf)
{
    free(conf->config_file);
    free(conf->postgres);
    free(conf->redis);
    free(conf->consumer);
    free(conf->group);
    free(conf->graph_base);
    free(conf->token_endpoint_base);
    free(conf->openid_botframework);
    free(conf->openid_entra);
    free(conf->secret_key_file);
    free(conf->jwks_allowed_hosts);
    free(conf->connector_hosts);
    free(conf->http_proxy);
    free(conf->notify);
    free(conf->notify_concurrency);
    free(conf->notify_rate_limits);
    free(conf->notify_max_attempts);
    free(conf->notify_lease);
    free(conf->notify_claim_idle);
    free(conf->notify_psa_url);
    free(conf->notify_events);

    teams_worker_conf_init(conf);
}


int
teams_worker_conf_load(teams_worker_conf_t *conf, int argc,
    char *const *argv, char *err, size_t errlen)
{
    int           i, n, rc, flag;
    char          name[64];
    size_t        len;
    const char   *arg, *value, *eq;
    const char  **keys, **values;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            conf->help = 1;
            return 0;
        }
    }

    keys = calloc(argc + 1, sizeof(char *));
    values = calloc(argc + 1, sizeof(char *));

    if (keys == NULL || values == NULL) {
        free(keys);
        free(values);
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    n = 0;
    rc = -1;

    /* pass 1: syntax, --config and --check-config; settings are kept */

    for (i = 1; i < argc; i++) {
        flag = i;
        arg = argv[i];

        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            snprintf(err, errlen, "unexpected argument \"%s\" "
                     "(see --help)", arg);
            goto done;
        }

        arg += 2;

        eq = strchr(arg, '=');
        len = (eq != NULL) ? (size_t) (eq - arg) : strlen(arg);

        if (len >= sizeof(name)) {
            snprintf(err, errlen, "unknown option \"%s\" (see --help)",
                     argv[i]);
            goto done;
        }

        memcpy(name, arg, len);
        name[len] = '\0';

        if (strcmp(name, "check-config") == 0) {
            if (eq != NULL) {
                snprintf(err, errlen, "option \"--check-config\" takes "
                         "no value");
                goto done;
            }

            conf->check_config = 1;
            continue;
        }

        if (strcmp(name, "config") != 0
            && (strchr(name, '_') != NULL
                || teams_worker_setting_find(name) == NULL))
        {
            snprintf(err, errlen, "unknown option \"--%s\" (see --help)",
                     name);
            goto done;
        }

        if (eq != NULL) {
            value = eq + 1;

        } else if (i + 1 < argc) {
            value = argv[++i];

        } else {
            snprintf(err, errlen, "option \"--%s\" needs a value", name);
            goto done;
        }

        if (strcmp(name, "config") == 0) {
            if (value[0] == '\0') {
                snprintf(err, errlen, "option \"--config\" needs a file "
                         "name");
                goto done;
            }

            if (teams_worker_conf_strset(&conf->config_file, value) != 0) {
                snprintf(err, errlen, "out of memory");
                goto done;
            }

            continue;
        }

        keys[n] = argv[flag] + 2;
        values[n] = value;
        n++;
    }

    /* the file first, then the flags, so flags win */

    if (conf->config_file != NULL) {
        if (teams_conf_file_read(conf->config_file,
                                 teams_worker_conf_file_handler, conf,
                                 err, errlen)
            != 0)
        {
            goto done;
        }
    }

    for (i = 0; i < n; i++) {
        len = strcspn(keys[i], "=");

        memcpy(name, keys[i], len);
        name[len] = '\0';

        if (teams_worker_conf_set(conf, name, values[i], err, errlen) != 0) {
            goto done;
        }
    }

    rc = teams_worker_conf_validate(conf, err, errlen);

done:

    free(keys);
    free(values);

    return rc;
}


int
teams_worker_conf_set(teams_worker_conf_t *conf, const char *key,
    const char *value, char *err, size_t errlen)
{
    char                          name[64];
    size_t                        i;
    const teams_worker_setting_t  *s;

    for (i = 0; key[i] != '\0' && i < sizeof(name) - 1; i++) {
        name[i] = (key[i] == '-') ? '_' : key[i];
    }

    name[i] = '\0';

    s = (key[i] == '\0') ? teams_worker_setting_find(name) : NULL;

    if (s == NULL) {
        snprintf(err, errlen, "unknown setting \"%s\"", key);
        return -1;
    }

    if (s->check(conf, s->name, value, err, errlen) != 0) {
        return -1;
    }

    if (s->offset == TEAMS_WORKER_NO_FIELD) {
        return 0;
    }

    if (teams_worker_conf_strset((char **) ((char *) conf + s->offset), value)
        != 0)
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    return 0;
}


int
teams_worker_conf_validate(teams_worker_conf_t *conf, char *err,
    size_t errlen)
{
    char   **field;
    size_t   i;

    static const struct {
        size_t       offset;
        const char  *value;
    } defaults[] = {
        { teams_worker_field(group), TEAMS_WORKER_DEFAULT_GROUP },
        { teams_worker_field(graph_base), TEAMS_WORKER_DEFAULT_GRAPH },
        { teams_worker_field(token_endpoint_base), TEAMS_WORKER_DEFAULT_TOKEN },
        { teams_worker_field(openid_botframework),
          TEAMS_WORKER_DEFAULT_OPENID_BF },
        { teams_worker_field(openid_entra), TEAMS_WORKER_DEFAULT_OPENID_ENTRA },
        { teams_worker_field(connector_hosts),
          TEAMS_WORKER_DEFAULT_CONNECTOR_HOSTS }
    };

    if (conf->postgres == NULL || conf->postgres[0] == '\0') {
        snprintf(err, errlen, "missing required setting \"postgres\" "
                 "(--postgres CONNINFO or postgres = ... in the config "
                 "file)");
        return -1;
    }

    if (conf->redis == NULL || conf->redis[0] == '\0') {
        snprintf(err, errlen, "missing required setting \"redis\" "
                 "(--redis ADDR or redis = ... in the config file)");
        return -1;
    }

    for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        field = (char **) ((char *) conf + defaults[i].offset);

        if (*field == NULL
            && teams_worker_conf_strset(field, defaults[i].value) != 0)
        {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }

    return 0;
}


int
teams_redis_addr_parse(const char *s, teams_redis_addr_t *addr,
    char *err, size_t errlen)
{
    char             *end;
    long              port;
    size_t            len;
    const char       *host, *colon, *p;
    struct in_addr    a4;
    struct in6_addr   a6;

    memset(addr, 0, sizeof(teams_redis_addr_t));

    if (strncmp(s, "unix:", 5) == 0) {
        p = s + 5;
        len = strlen(p);

        if (p[0] != '/') {
            snprintf(err, errlen, "invalid \"redis\" address \"%s\": a unix "
                     "socket path must be absolute (unix:/path)", s);
            return -1;
        }

        if (len >= sizeof(addr->path)) {
            snprintf(err, errlen, "invalid \"redis\" address \"%s\": the "
                     "socket path is longer than %d bytes", s,
                     (int) sizeof(addr->path) - 1);
            return -1;
        }

        addr->type = TEAMS_REDIS_UNIX;
        memcpy(addr->path, p, len + 1);
        return 0;
    }

    addr->type = TEAMS_REDIS_TCP;
    addr->port = TEAMS_WORKER_REDIS_PORT;

    if (s[0] == '[') {
        host = s + 1;
        p = strchr(host, ']');

        if (p == NULL) {
            snprintf(err, errlen, "invalid \"redis\" address \"%s\": "
                     "missing \"]\"", s);
            return -1;
        }

        len = p - host;
        colon = (p[1] == ':') ? p + 1 : NULL;

        if (p[1] != '\0' && colon == NULL) {
            goto syntax;
        }

    } else {
        host = s;
        colon = strrchr(s, ':');

        if (colon != NULL && strchr(s, ':') != colon) {
            /* two or more colons: a bare IPv6 address, no port */
            colon = NULL;
        }

        len = (colon != NULL) ? (size_t) (colon - s) : strlen(s);
    }

    if (len == 0 || len >= sizeof(addr->host)) {
        goto syntax;
    }

    memcpy(addr->host, host, len);
    addr->host[len] = '\0';

    if (inet_pton(AF_INET, addr->host, &a4) != 1
        && inet_pton(AF_INET6, addr->host, &a6) != 1)
    {
        snprintf(err, errlen, "invalid \"redis\" address \"%s\": \"%s\" is "
                 "not a numeric IPv4 or IPv6 address (host names are not "
                 "resolved)", s, addr->host);
        return -1;
    }

    if (s[0] != '[' && strchr(addr->host, ':') != NULL
        && inet_pton(AF_INET, addr->host, &a4) != 1)
    {
        /* bare IPv6 without brackets takes no port */
        return 0;
    }

    if (colon != NULL) {
        if (!isdigit((unsigned char) colon[1])) {
            goto bad_port;
        }

        port = strtol(colon + 1, &end, 10);

        if (*end != '\0' || port < 1 || port > 65535) {
            goto bad_port;
        }

        addr->port = (int) port;
    }

    return 0;

bad_port:

    snprintf(err, errlen, "invalid \"redis\" address \"%s\": the port must "
             "be a number from 1 to 65535", s);
    return -1;

syntax:

    snprintf(err, errlen, "invalid \"redis\" address \"%s\": expected "
             "IPv4:port, [IPv6]:port or unix:/path", s);
    return -1;
}


int
teams_worker_name_valid(const char *s)
{
    size_t  i;

    for (i = 0; s[i] != '\0'; i++) {
        if (i >= TEAMS_WORKER_NAME_MAX) {
            return 0;
        }

        if (!isalnum((unsigned char) s[i])
            && strchr("-_.:@", s[i]) == NULL)
        {
            return 0;
        }
    }

    return i > 0;
}


int
teams_worker_url_valid(const char *s)
{
    const char  *host;
    size_t       i;

    if (strncmp(s, "https://", 8) == 0) {
        host = s + 8;

    } else if (strncmp(s, "http://", 7) == 0) {
        host = s + 7;

    } else {
        return 0;
    }

    if (host[0] == '\0' || host[0] == '/' || host[0] == ':') {
        return 0;
    }

    for (i = 0; s[i] != '\0'; i++) {
        if ((unsigned char) s[i] <= 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }

    return 1;
}


int
teams_worker_url_off(const char *s)
{
    return strcmp(s, "off") == 0;
}


int
teams_worker_duration_parse(const char *s, unsigned *secs)
{
    unsigned long long  n, unit;
    const char         *p;

    if (!isdigit((unsigned char) s[0])) {
        return -1;
    }

    n = 0;

    for (p = s; isdigit((unsigned char) *p); p++) {
        n = n * 10 + (*p - '0');

        if (n > 100000000) {
            return -1;
        }
    }

    switch (*p) {

    case '\0':
    case 's':
        unit = 1;
        break;

    case 'm':
        unit = 60;
        break;

    case 'h':
        unit = 3600;
        break;

    case 'd':
        unit = 86400;
        break;

    default:
        return -1;
    }

    if (*p != '\0' && p[1] != '\0') {
        return -1;
    }

    n *= unit;

    if (n > 0xffffffffULL) {
        return -1;
    }

    *secs = (unsigned) n;

    return 0;
}


const char *
teams_worker_hosts_check(const char *list)
{
    size_t       len;
    const char  *p, *why;

    p = list;

    for ( ;; ) {
        p += strspn(p, " \t,");

        if (*p == '\0') {
            return NULL;
        }

        len = strcspn(p, " \t,");

        why = teams_host_check(p, len);
        if (why != NULL) {
            return why;
        }

        p += len;
    }
}


void
teams_worker_default_consumer(char *buf, size_t size, const char *hostname,
    long pid)
{
    char    *p;
    size_t   max;

    if (size == 0) {
        return;
    }

    max = (size - 1 < TEAMS_WORKER_NAME_MAX) ? size - 1
                                             : TEAMS_WORKER_NAME_MAX;

    if (hostname == NULL || hostname[0] == '\0') {
        hostname = "worker";
    }

    snprintf(buf, max + 1, "%.*s-%ld", (int) (max / 2), hostname, pid);

    for (p = buf; *p != '\0'; p++) {
        if (!isalnum((unsigned char) *p) && strchr("-_.:@", *p) == NULL) {
            *p = '-';
        }
    }
}


void
teams_worker_usage(FILE *f)
{
    int                            i;
    char                           flag[64];
    const teams_worker_setting_t  *s;

    fprintf(f,
        "usage: teams-worker [--config FILE] [--check-config] [--OPTION "
        "VALUE ...]\n"
        "\n"
        "The Microsoft Teams side worker of ngx_teams_module: consumes the\n"
        "Redis streams written by the nginx module and talks to Microsoft.\n"
        "\n"
        "  --config FILE          read \"key = value\" settings from FILE;\n"
        "                         flags override the file\n"
        "  --check-config         validate the configuration and exit\n"
        "  --help                 print this help and exit\n"
        "\n"
        "Settings (flag --name-with-dashes, file key name_with_underscores):"
        "\n");

    for (s = teams_worker_settings; s->name != NULL; s++) {
        snprintf(flag, sizeof(flag), "--%s %s", s->name, s->arg);

        for (i = 0; flag[i] != ' '; i++) {
            if (flag[i] == '_') {
                flag[i] = '-';
            }
        }

        fprintf(f, "  %-27s %s\n", flag, s->help);
    }

    fprintf(f, "\nExit status: 0 on success, 2 on bad configuration.\n");
}


static const teams_worker_setting_t *
teams_worker_setting_find(const char *name)
{
    char                           norm[64];
    size_t                         i;
    const teams_worker_setting_t  *s;

    for (i = 0; name[i] != '\0'; i++) {
        if (i == sizeof(norm) - 1) {
            return NULL;
        }

        norm[i] = (name[i] == '-') ? '_' : name[i];
    }

    norm[i] = '\0';

    for (s = teams_worker_settings; s->name != NULL; s++) {
        if (strcmp(s->name, norm) == 0) {
            return s;
        }
    }

    return NULL;
}


static int
teams_worker_conf_file_handler(void *data, const char *key,
    const char *value, char *err, size_t errlen)
{
    if (strchr(key, '-') != NULL && teams_worker_setting_find(key) != NULL) {
        snprintf(err, errlen, "unknown setting \"%s\" (file keys use "
                 "underscores)", key);
        return -1;
    }

    return teams_worker_conf_set(data, key, value, err, errlen);
}


static int
teams_worker_conf_strset(char **field, const char *value)
{
    char  *p;

    p = strdup(value);
    if (p == NULL) {
        return -1;
    }

    free(*field);
    *field = p;

    return 0;
}


static int
teams_worker_check_postgres(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    char              *msg, *nl;
    PQconninfoOption  *opts;

    if (value[0] == '\0') {
        snprintf(err, errlen, "setting \"%s\" is empty", name);
        return -1;
    }

    msg = NULL;

    opts = PQconninfoParse(value, &msg);
    if (opts != NULL) {
        PQconninfoFree(opts);
        return 0;
    }

    /*
     * libpq's message may quote part of the string, which may hold a
     * password: only the "invalid connection option" form (which quotes a
     * keyword) is shown.
     */

    if (msg != NULL && strncmp(msg, "invalid connection option", 25) == 0) {
        nl = strchr(msg, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }

        snprintf(err, errlen, "invalid \"%s\" connection string: %s", name,
                 msg);

    } else {
        snprintf(err, errlen, "invalid \"%s\" connection string (not shown: "
                 "it may hold a password); expected libpq \"key=value ...\" "
                 "or a postgresql:// URI", name);
    }

    PQfreemem(msg);

    return -1;
}


static int
teams_worker_check_redis(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    return teams_redis_addr_parse(value, &conf->redis_addr, err, errlen);
}


static int
teams_worker_check_name(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    if (!teams_worker_name_valid(value)) {
        snprintf(err, errlen, "invalid \"%s\" value \"%s\": use 1 to %d "
                 "letters, digits or \"-_.:@\"", name, value,
                 TEAMS_WORKER_NAME_MAX);
        return -1;
    }

    return 0;
}


static int
teams_worker_check_log_level(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    if (teams_log_level_parse(value, &conf->log_level) != 0) {
        snprintf(err, errlen, "invalid \"%s\" value \"%s\": expected error, "
                 "warn, info or debug", name, value);
        return -1;
    }

    return 0;
}


static int
teams_worker_check_url(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    /* the paths we append must fit the worker's URL buffers */
    if (strlen(value) > TEAMS_WORKER_URL_MAX) {
        snprintf(err, errlen, "invalid \"%s\" value: longer than %d bytes",
                 name, TEAMS_WORKER_URL_MAX);
        return -1;
    }

    if (!teams_worker_url_valid(value)) {
        snprintf(err, errlen, "invalid \"%s\" value \"%s\": expected an "
                 "http:// or https:// URL", name, value);
        return -1;
    }

    return 0;
}


static int
teams_worker_check_path(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    if (value[0] == '\0') {
        snprintf(err, errlen, "setting \"%s\" is empty", name);
        return -1;
    }

    return 0;
}


static int
teams_worker_check_openid(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    if (teams_worker_url_off(value)) {
        return 0;
    }

    if (!teams_worker_url_valid(value)) {
        snprintf(err, errlen, "invalid \"%s\" value \"%s\": expected an "
                 "http:// or https:// URL, or \"off\"", name, value);
        return -1;
    }

    return 0;
}


static int
teams_worker_check_interval(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    unsigned  secs;

    if (teams_worker_duration_parse(value, &secs) != 0
        || secs < TEAMS_WORKER_KEYS_INTERVAL_MIN
        || secs > TEAMS_WORKER_KEYS_INTERVAL_MAX)
    {
        snprintf(err, errlen, "invalid \"%s\" value \"%s\": expected a "
                 "duration from 60s to 24h (a number with s, m, h or d)",
                 name, value);
        return -1;
    }

    conf->keys_refresh_interval = secs;

    return 0;
}


static int
teams_worker_check_hosts(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    const char  *why;

    why = teams_worker_hosts_check(value);

    if (why != NULL) {
        snprintf(err, errlen, "invalid \"%s\" value \"%s\": a host %s",
                 name, value, why);
        return -1;
    }

    return 0;
}


static int
teams_worker_check_notify(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err, size_t errlen)
{
    return teams_notify_setting_check(name, value, err, errlen);
}
