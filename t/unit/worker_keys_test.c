
/*
 * Unit tests: src/worker/keys.c (metadata parsing and the jwks_uri check),
 * the key settings of src/worker/config.c, and src/worker/http.c against a
 * one-shot local HTTP server.
 */


#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "worker/config.h"
#include "worker/http.h"
#include "worker/keys.h"


#define TEAMS_TEST_BF   "https://login.botframework.com/v1/.well-known/" \
                        "openidconfiguration"
#define TEAMS_TEST_PG   "hostaddr=127.0.0.1 port=5432 dbname=teams"

#define TEAMS_EXPECT_NULL(p)                                                 \
    TEAMS_UNIT_CHECK((p) == NULL, (void) 0, "%s: \"%s\"", #p,             \
                     teams_unit_str(p))


static const char *teams_test_uri(const char *meta, const char *json,
    const char *allowed, char *uri, size_t size);
static const char *teams_test_check(const char *meta, const char *uri,
    const char *allowed);
static int teams_test_conf(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err);
static pid_t teams_test_server(int *port, const char *response, size_t len,
    int times);


static const char *
teams_test_uri(const char *meta, const char *json, const char *allowed,
    char *uri, size_t size)
{
    uri[0] = '\0';

    return teams_keys_jwks_uri(meta, json, strlen(json), allowed, uri, size);
}


static const char *
teams_test_check(const char *meta, const char *uri, const char *allowed)
{
    return teams_keys_uri_check(meta, uri, strlen(uri), allowed);
}


TEAMS_TEST(worker_keys_metadata_ok)
{
    char         uri[256];
    const char  *why;

    why = teams_test_uri(TEAMS_TEST_BF,
        "{\"issuer\":\"https://api.botframework.com\","
        "\"authorization_endpoint\":\"https://invalid.botframework.com\","
        "\"jwks_uri\":\"https://login.botframework.com/v1/.well-known/keys\","
        "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
        "\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\"]}",
        NULL, uri, sizeof(uri));

    TEAMS_ASSERT_NULL(why);
    TEAMS_EXPECT_STR_EQ(uri,
                        "https://login.botframework.com/v1/.well-known/keys");

    /* the stand-in's shape: http, a port, case differences in the host */

    why = teams_test_uri("http://127.0.0.1:58180/common/v2.0/.well-known/"
                         "openid-configuration",
                         "{\"jwks_uri\":\"http://127.0.0.1:58180/common/"
                         "discovery/v2.0/keys\",\"nested\":{\"a\":[1,2]}}",
                         NULL, uri, sizeof(uri));
    TEAMS_ASSERT_NULL(why);
    TEAMS_EXPECT_STR_EQ(uri,
                        "http://127.0.0.1:58180/common/discovery/v2.0/keys");

    TEAMS_EXPECT_NULL(teams_test_uri("https://Login.Example.COM/m",
                                     "{\"jwks_uri\":\"HTTPS://login.example"
                                     ".com/keys?x=1\"}",
                                     NULL, uri, sizeof(uri)));
}


TEAMS_TEST(worker_keys_metadata_bad)
{
    char         uri[64];
    const char  *why;

    TEAMS_EXPECT(teams_test_uri(TEAMS_TEST_BF, "", NULL, uri, sizeof(uri))
                 != NULL);
    TEAMS_EXPECT(teams_test_uri(TEAMS_TEST_BF, "not json", NULL, uri,
                                sizeof(uri))
                 != NULL);
    TEAMS_EXPECT(teams_test_uri(TEAMS_TEST_BF, "{\"jwks_uri\":", NULL, uri,
                                sizeof(uri))
                 != NULL);

    why = teams_test_uri(TEAMS_TEST_BF, "[\"https://login.botframework.com"
                         "/keys\"]", NULL, uri, sizeof(uri));
    TEAMS_EXPECT_STR_EQ(why, "is not a JSON object");

    why = teams_test_uri(TEAMS_TEST_BF, "{\"issuer\":\"x\"}", NULL, uri,
                         sizeof(uri));
    TEAMS_EXPECT_STR_HAS(why, "jwks_uri");

    why = teams_test_uri(TEAMS_TEST_BF, "{\"jwks_uri\":42}", NULL, uri,
                         sizeof(uri));
    TEAMS_EXPECT_STR_HAS(why, "jwks_uri");

    /* duplicate members are ambiguous: refused */
    TEAMS_EXPECT(teams_test_uri(TEAMS_TEST_BF,
                                "{\"jwks_uri\":\"https://login.botframework"
                                ".com/k\",\"jwks_uri\":\"https://evil.example"
                                "/k\"}", NULL, uri, sizeof(uri))
                 != NULL);

    /* a uri too long for the buffer */
    why = teams_test_uri(TEAMS_TEST_BF,
                         "{\"jwks_uri\":\"https://login.botframework.com/"
                         "0123456789012345678901234567890123456789\"}",
                         NULL, uri, sizeof(uri));
    TEAMS_EXPECT_STR_HAS(why, "too long");
}


TEAMS_TEST(worker_keys_uri_host)
{
    const char  *why;

    TEAMS_EXPECT_NULL(teams_test_check(TEAMS_TEST_BF,
                      "https://login.botframework.com/v1/.well-known/keys",
                      NULL));

    why = teams_test_check(TEAMS_TEST_BF, "https://evil.example/keys", NULL);
    TEAMS_EXPECT_STR_HAS(why, "another host");

    /* a subdomain, a suffix trick, another port: other hosts */
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "https://x.login.botframework.com/keys", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "https://login.botframework.com.evil.example/keys", NULL)
                 != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "https://login.botframework.com:8443/keys", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check("http://127.0.0.1:58180/m",
                 "http://127.0.0.1:58181/keys", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check("http://127.0.0.1:58180/m",
                 "http://127.0.0.2:58180/keys", NULL) != NULL);

    /* user info: "login.botframework.com@evil.example" */
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "https://login.botframework.com@evil.example/keys", NULL)
                 != NULL);

    /* allowed by the setting, exactly or by "*." pattern */
    TEAMS_EXPECT_NULL(teams_test_check(TEAMS_TEST_BF,
                      "https://keys.example.net/k",
                      "other.example, keys.example.net"));
    TEAMS_EXPECT_NULL(teams_test_check(TEAMS_TEST_BF,
                      "https://a.b.example.org/k", "*.example.org"));
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF, "https://example.org/k",
                                  "*.example.org")
                 != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF, "https://keys.example.net/k",
                                  "")
                 != NULL);
}


TEAMS_TEST(worker_keys_uri_scheme)
{
    const char  *why;

    why = teams_test_check(TEAMS_TEST_BF,
                           "http://login.botframework.com/v1/keys", NULL);
    TEAMS_EXPECT_STR_HAS(why, "http://");

    /* an upgrade is fine */
    TEAMS_EXPECT_NULL(teams_test_check("http://127.0.0.1:1/m",
                                       "https://127.0.0.1:1/k", NULL));

    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "ftp://login.botframework.com/keys", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "file:///etc/passwd", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF, "/v1/keys", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF, "", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "https://login.botframework.com/k eys", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF,
                 "https://login.botframework.com/keys#x", NULL) != NULL);
    TEAMS_EXPECT(teams_test_check(TEAMS_TEST_BF, "https:///keys", NULL)
                 != NULL);
}


TEAMS_TEST(worker_duration_parse)
{
    unsigned  s;

    s = 0;
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("60", &s), 0);
    TEAMS_EXPECT_INT_EQ(s, 60);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("90s", &s), 0);
    TEAMS_EXPECT_INT_EQ(s, 90);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("5m", &s), 0);
    TEAMS_EXPECT_INT_EQ(s, 300);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("12h", &s), 0);
    TEAMS_EXPECT_INT_EQ(s, 43200);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("1d", &s), 0);
    TEAMS_EXPECT_INT_EQ(s, 86400);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("0", &s), 0);
    TEAMS_EXPECT_INT_EQ(s, 0);

    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("h", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("-1", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse(" 60", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("60 ", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("12x", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("12hh", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("1.5h", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("99999999999", &s), -1);
    TEAMS_EXPECT_INT_EQ(teams_worker_duration_parse("99999999d", &s), -1);
}


static int
teams_test_conf(teams_worker_conf_t *conf, const char *name,
    const char *value, char *err)
{
    char  *argv[] = { "w", "--postgres", TEAMS_TEST_PG, "--redis",
                      "127.0.0.1:6379", (char *) name, (char *) value };

    teams_worker_conf_init(conf);
    err[0] = '\0';

    return teams_worker_conf_load(conf, name != NULL ? 7 : 5, argv, err,
                                  512);
}


TEAMS_TEST(worker_conf_keys_interval)
{
    char                 err[512];
    teams_worker_conf_t  conf;

    TEAMS_ASSERT_INT_EQ(teams_test_conf(&conf, NULL, NULL, err), 0);
    TEAMS_EXPECT_INT_EQ(conf.keys_refresh_interval, 12 * 3600);
    TEAMS_EXPECT(conf.jwks_allowed_hosts == NULL);
    TEAMS_EXPECT(conf.http_proxy == NULL);
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "60s", err), 0);
    TEAMS_EXPECT_INT_EQ(conf.keys_refresh_interval, 60);
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "24h", err), 0);
    TEAMS_EXPECT_INT_EQ(conf.keys_refresh_interval, 86400);
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "1d", err), 0);
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "59", err), -1);
    TEAMS_EXPECT_STR_HAS(err, "invalid \"keys_refresh_interval\" value "
                         "\"59\"");
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "86401", err), -1);
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "2d", err), -1);
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--keys-refresh-interval",
                                        "daily", err), -1);
    teams_worker_conf_free(&conf);
}


TEAMS_TEST(worker_conf_keys_settings)
{
    char                 err[512];
    teams_worker_conf_t  conf;

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--openid-entra", "off",
                                        err), 0);
    TEAMS_EXPECT_STR_EQ(conf.openid_entra, "off");
    TEAMS_EXPECT(teams_worker_url_off(conf.openid_entra));
    TEAMS_EXPECT(!teams_worker_url_off(conf.openid_botframework));
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--openid-botframework",
                                        "ftp://x", err), -1);
    TEAMS_EXPECT_STR_HAS(err, "\"openid_botframework\"");
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--jwks-allowed-hosts",
                                        "keys.example.net, *.example.org "
                                        "127.0.0.1:58180", err), 0);
    TEAMS_EXPECT_STR_EQ(conf.jwks_allowed_hosts,
                        "keys.example.net, *.example.org 127.0.0.1:58180");
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--jwks-allowed-hosts",
                                        "good.example bad/host", err), -1);
    TEAMS_EXPECT_STR_HAS(err, "\"jwks_allowed_hosts\"");
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--http-proxy",
                                        "http://10.0.0.1:3128", err), 0);
    TEAMS_EXPECT_STR_EQ(conf.http_proxy, "http://10.0.0.1:3128");
    teams_worker_conf_free(&conf);

    TEAMS_EXPECT_INT_EQ(teams_test_conf(&conf, "--http-proxy", "socks5://x",
                                        err), -1);
    teams_worker_conf_free(&conf);
}


/*
 * A local server answering "times" connections with the same canned
 * response, in a child process.  Returns its pid and port.
 */

static pid_t
teams_test_server(int *port, const char *response, size_t len, int times)
{
    int                 fd, c, one;
    char                buf[4096];
    pid_t               pid;
    socklen_t           slen;
    struct sockaddr_in  sin;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1) {
        return -1;
    }

    one = 1;
    (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;

    slen = sizeof(sin);

    if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0
        || listen(fd, 4) != 0
        || getsockname(fd, (struct sockaddr *) &sin, &slen) != 0)
    {
        close(fd);
        return -1;
    }

    *port = ntohs(sin.sin_port);

    pid = fork();

    if (pid != 0) {
        close(fd);
        return pid;
    }

    while (times-- > 0) {
        c = accept(fd, NULL, NULL);
        if (c == -1) {
            _exit(1);
        }

        (void) read(c, buf, sizeof(buf));
        (void) write(c, response, len);
        close(c);
    }

    _exit(0);
}


TEAMS_TEST(worker_http_get)
{
    int                     port;
    char                    url[128];
    pid_t                   pid;
    teams_http_t            h;
    teams_http_response_t   resp;

    static const char  ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n"
                              "Connection: close\r\n\r\n{\"keys\":[]}";

    /* the proxy environment is ignored: this proxy does not exist */
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
    setenv("all_proxy", "http://127.0.0.1:1", 1);

    TEAMS_ASSERT_INT_EQ(teams_http_global_init(), 0);
    TEAMS_ASSERT_INT_EQ(teams_http_init(&h, NULL, NULL), 0);

    pid = teams_test_server(&port, ok, sizeof(ok) - 1, 1);
    TEAMS_ASSERT(pid > 0);

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/keys", port);

    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, url, 0, &resp), TEAMS_HTTP_OK);
    TEAMS_EXPECT_INT_EQ(resp.status, 200);
    TEAMS_EXPECT_INT_EQ(resp.len, 11);
    TEAMS_EXPECT_STR_EQ(resp.body, "{\"keys\":[]}");
    teams_http_response_free(&resp);

    waitpid(pid, NULL, 0);

    /* nothing listens on port 1 */
    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, "http://127.0.0.1:1/", 0, &resp),
                        TEAMS_HTTP_FAILED);
    TEAMS_EXPECT(resp.error[0] != '\0');
    TEAMS_EXPECT(resp.body == NULL);
    teams_http_response_free(&resp);

    /* other protocols are refused */
    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, "file:///etc/hostname", 0,
                                       &resp),
                        TEAMS_HTTP_FAILED);
    teams_http_response_free(&resp);

    teams_http_free(&h);
}


TEAMS_TEST(worker_http_limits)
{
    int                     port;
    char                    url[128], *big;
    pid_t                   pid;
    size_t                  n;
    teams_http_t            h;
    teams_http_response_t   resp;

    static const char  redirect[] = "HTTP/1.1 302 Found\r\n"
        "Location: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n";

    TEAMS_ASSERT_INT_EQ(teams_http_global_init(), 0);
    TEAMS_ASSERT_INT_EQ(teams_http_init(&h, NULL, NULL), 0);

    /* redirects are returned, not followed */

    pid = teams_test_server(&port, redirect, sizeof(redirect) - 1, 1);
    TEAMS_ASSERT(pid > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);

    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, url, 0, &resp), TEAMS_HTTP_OK);
    TEAMS_EXPECT_INT_EQ(resp.status, 302);
    teams_http_response_free(&resp);
    waitpid(pid, NULL, 0);

    /* a declared length over the limit, then an undeclared one */

    big = malloc(8192);
    TEAMS_ASSERT_NOT_NULL(big);

    n = snprintf(big, 8192, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n"
                 "Connection: close\r\n\r\n");
    memset(big + n, 'x', 5000);

    pid = teams_test_server(&port, big, n + 5000, 1);
    TEAMS_ASSERT(pid > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);

    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, url, 4096, &resp),
                        TEAMS_HTTP_TOO_LARGE);
    TEAMS_EXPECT(resp.body == NULL);
    teams_http_response_free(&resp);
    waitpid(pid, NULL, 0);

    n = snprintf(big, 8192, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    memset(big + n, 'y', 5000);

    pid = teams_test_server(&port, big, n + 5000, 1);
    TEAMS_ASSERT(pid > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);

    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, url, 4096, &resp),
                        TEAMS_HTTP_TOO_LARGE);
    TEAMS_EXPECT_STR_HAS(resp.error, "larger than 4096");
    teams_http_response_free(&resp);
    waitpid(pid, NULL, 0);

    /* within the limit: the whole body */

    pid = teams_test_server(&port, big, n + 5000, 1);
    TEAMS_ASSERT(pid > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);

    TEAMS_EXPECT_INT_EQ(teams_http_get(&h, url, 5000, &resp), TEAMS_HTTP_OK);
    TEAMS_EXPECT_INT_EQ(resp.len, 5000);
    teams_http_response_free(&resp);
    waitpid(pid, NULL, 0);

    free(big);
    teams_http_free(&h);
}
