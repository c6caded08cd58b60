
/*
 * teams-worker configuration: defaults, the config file, command line flags
 * and validation.  No I/O beyond reading the config file.
 */


#ifndef _TEAMS_WORKER_CONFIG_H_INCLUDED_
#define _TEAMS_WORKER_CONFIG_H_INCLUDED_


#include <stddef.h>
#include <stdio.h>

#include "worker/log.h"


#define TEAMS_WORKER_DEFAULT_GROUP     "teams-workers"
#define TEAMS_WORKER_DEFAULT_GRAPH     "https://graph.microsoft.com"
#define TEAMS_WORKER_DEFAULT_TOKEN     "https://login.microsoftonline.com"
#define TEAMS_WORKER_DEFAULT_OPENID_BF                                       \
    "https://login.botframework.com/v1/.well-known/openidconfiguration"
#define TEAMS_WORKER_DEFAULT_OPENID_ENTRA                                    \
    "https://login.microsoftonline.com/common/v2.0/"                         \
    ".well-known/openid-configuration"

/* Microsoft's public, GCC, GCC High and DoD Bot Connector hosts */
#define TEAMS_WORKER_DEFAULT_CONNECTOR_HOSTS                                 \
    "smba.trafficmanager.net smba.infra.gcc.teams.microsoft.com "            \
    "smba.infra.gov.teams.microsoft.us smba.infra.dod.teams.microsoft.us"

#define TEAMS_WORKER_REDIS_PORT        6379

/* keys_refresh_interval, seconds: default 12 h, from 60 s to 24 h */
#define TEAMS_WORKER_KEYS_INTERVAL     (12 * 3600)
#define TEAMS_WORKER_KEYS_INTERVAL_MIN 60
#define TEAMS_WORKER_KEYS_INTERVAL_MAX (24 * 3600)
#define TEAMS_WORKER_NAME_MAX          200
#define TEAMS_WORKER_URL_MAX           256

/* exit status for bad configuration or usage */
#define TEAMS_WORKER_EXIT_CONFIG       2


typedef enum {
    TEAMS_REDIS_TCP = 0,
    TEAMS_REDIS_UNIX
} teams_redis_addr_type_e;


typedef struct {
    teams_redis_addr_type_e   type;
    int                       port;
    char                      host[64];     /* numeric, without brackets */
    char                      path[108];    /* sun_path */
} teams_redis_addr_t;


typedef struct {
    char                 *config_file;
    char                 *postgres;
    char                 *redis;
    char                 *consumer;
    char                 *group;
    char                 *graph_base;
    char                 *token_endpoint_base;
    char                 *openid_botframework;
    char                 *openid_entra;
    char                 *secret_key_file;
    char                 *jwks_allowed_hosts;
    char                 *connector_hosts;      /* bot replies go there */
    char                 *http_proxy;
    /* activity-feed notifications (notify.h checks the values) */
    char                 *notify;
    char                 *notify_concurrency;
    char                 *notify_rate_limits;
    char                 *notify_max_attempts;
    char                 *notify_lease;
    char                 *notify_claim_idle;
    char                 *notify_psa_url;
    char                 *notify_events;
    unsigned              keys_refresh_interval;   /* seconds */
    teams_log_level_e     log_level;
    teams_redis_addr_t    redis_addr;
    unsigned              help:1;
    unsigned              check_config:1;
} teams_worker_conf_t;


void teams_worker_conf_init(teams_worker_conf_t *conf);
void teams_worker_conf_free(teams_worker_conf_t *conf);

/*
 * Builds the configuration from defaults, the file named by --config and
 * the other flags (flags win).  Returns 0, or -1 with a message naming the
 * setting in err.  When --help is given, returns 0 with conf->help set and
 * nothing else checked.
 */
int teams_worker_conf_load(teams_worker_conf_t *conf, int argc,
    char *const *argv, char *err, size_t errlen);

/* sets one setting by name ("log_level" or "log-level") */
int teams_worker_conf_set(teams_worker_conf_t *conf, const char *key,
    const char *value, char *err, size_t errlen);

/* checks required settings; called by teams_worker_conf_load() */
int teams_worker_conf_validate(teams_worker_conf_t *conf, char *err,
    size_t errlen);

int teams_redis_addr_parse(const char *s, teams_redis_addr_t *addr,
    char *err, size_t errlen);
int teams_worker_name_valid(const char *s);
int teams_worker_url_valid(const char *s);

/*
 * A duration: a whole number with an optional unit "s", "m", "h" or "d"
 * (seconds without one).  Returns 0 and the seconds, or -1.
 */
int teams_worker_duration_parse(const char *s, unsigned *secs);

/*
 * Checks a list of host patterns (teams_host_check(), separated by blanks
 * or commas).  Returns NULL if good, else why not (naming nothing).
 */
const char *teams_worker_hosts_check(const char *list);

/* "off" turns an OpenID metadata URL setting (a key set) off */
int teams_worker_url_off(const char *s);

/* "hostname-pid", with characters outside teams_worker_name_valid() -> '-' */
void teams_worker_default_consumer(char *buf, size_t size,
    const char *hostname, long pid);

void teams_worker_usage(FILE *f);


#endif /* _TEAMS_WORKER_CONFIG_H_INCLUDED_ */
