
/*
 * Unit tests: src/worker/config.c
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "worker/config.h"


#define TEAMS_TEST_PG     "hostaddr=127.0.0.1 port=5432 dbname=teams"
#define teams_test_argc(a)  ((int) (sizeof(a) / sizeof(a[0])))
#define A50  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


static int teams_test_load(teams_worker_conf_t *conf, int argc,
    char **argv, char *err);
static void teams_test_write(char *path, const char *text);


static int
teams_test_load(teams_worker_conf_t *conf, int argc, char **argv, char *err)
{
    teams_worker_conf_init(conf);
    err[0] = '\0';

    return teams_worker_conf_load(conf, argc, argv, err, 512);
}


static void
teams_test_write(char *path, const char *text)
{
    int    fd;
    FILE  *f;

    fd = mkstemp(path);
    if (fd == -1) {
        return;
    }

    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}


TEAMS_TEST(worker_conf_defaults)
{
    char                 err[512];
    char                *argv[] = { "w", "--postgres", TEAMS_TEST_PG,
                                    "--redis", "127.0.0.1:6379" };
    teams_worker_conf_t  conf;

    TEAMS_ASSERT_INT_EQ(teams_test_load(&conf, teams_test_argc(argv), argv,
                                        err), 0);

    TEAMS_EXPECT_STR_EQ(conf.postgres, TEAMS_TEST_PG);
    TEAMS_EXPECT_STR_EQ(conf.redis, "127.0.0.1:6379");
    TEAMS_EXPECT_INT_EQ(conf.redis_addr.type, TEAMS_REDIS_TCP);
    TEAMS_EXPECT_STR_EQ(conf.redis_addr.host, "127.0.0.1");
    TEAMS_EXPECT_INT_EQ(conf.redis_addr.port, 6379);
    TEAMS_EXPECT(conf.consumer == NULL);
    TEAMS_EXPECT_STR_EQ(conf.group, "teams-workers");
    TEAMS_EXPECT_INT_EQ(conf.log_level, TEAMS_LOG_INFO);
    TEAMS_EXPECT_STR_EQ(conf.graph_base, "https://graph.microsoft.com");
    TEAMS_EXPECT_STR_EQ(conf.token_endpoint_base,
                        "https://login.microsoftonline.com");
    TEAMS_EXPECT_STR_EQ(conf.openid_botframework,
                        "https://login.botframework.com/v1/.well-known/"
                        "openidconfiguration");
    TEAMS_EXPECT_STR_EQ(conf.openid_entra,
                        "https://login.microsoftonline.com/common/v2.0/"
                        ".well-known/openid-configuration");
    TEAMS_EXPECT(conf.secret_key_file == NULL);
    TEAMS_EXPECT(!conf.help);
    TEAMS_EXPECT(!conf.check_config);

    teams_worker_conf_free(&conf);
}


TEAMS_TEST(worker_conf_all_flags)
{
    char                 err[512];
    char                *argv[] = {
        "w", "--postgres=" TEAMS_TEST_PG, "--redis", "unix:/run/r.sock",
        "--consumer", "w-1", "--group=g.2", "--log-level", "DEBUG",
        "--graph-base", "http://127.0.0.1:58180/graph",
        "--token-endpoint-base", "http://127.0.0.1:58180",
        "--openid-botframework", "http://127.0.0.1:58180/bf",
        "--openid-entra", "http://127.0.0.1:58180/entra",
        "--secret-key-file", "/tmp/key", "--check-config"
    };
    teams_worker_conf_t  conf;

    TEAMS_ASSERT_INT_EQ(teams_test_load(&conf, teams_test_argc(argv), argv,
                                        err), 0);

    TEAMS_EXPECT_STR_EQ(conf.postgres, TEAMS_TEST_PG);
    TEAMS_EXPECT_INT_EQ(conf.redis_addr.type, TEAMS_REDIS_UNIX);
    TEAMS_EXPECT_STR_EQ(conf.redis_addr.path, "/run/r.sock");
    TEAMS_EXPECT_STR_EQ(conf.consumer, "w-1");
    TEAMS_EXPECT_STR_EQ(conf.group, "g.2");
    TEAMS_EXPECT_INT_EQ(conf.log_level, TEAMS_LOG_DEBUG);
    TEAMS_EXPECT_STR_EQ(conf.graph_base, "http://127.0.0.1:58180/graph");
    TEAMS_EXPECT_STR_EQ(conf.token_endpoint_base, "http://127.0.0.1:58180");
    TEAMS_EXPECT_STR_EQ(conf.openid_botframework,
                        "http://127.0.0.1:58180/bf");
    TEAMS_EXPECT_STR_EQ(conf.openid_entra, "http://127.0.0.1:58180/entra");
    TEAMS_EXPECT_STR_EQ(conf.secret_key_file, "/tmp/key");
    TEAMS_EXPECT(conf.check_config);

    teams_worker_conf_free(&conf);
}


TEAMS_TEST(worker_conf_file_and_override)
{
    char                 err[512], path[] = "/tmp/teams-unit-XXXXXX";
    char                *argv[] = { "w", "--config", path,
                                    "--group", "from-flag" };
    teams_worker_conf_t  conf;

    teams_test_write(path,
        "# worker\n"
        "postgres = " TEAMS_TEST_PG "\n"
        "redis = [::1]:6380\n"
        "group = from-file\n"
        "log_level = warn\n"
        "consumer = c1\n");

    TEAMS_ASSERT_INT_EQ(teams_test_load(&conf, teams_test_argc(argv), argv,
                                        err), 0);

    TEAMS_EXPECT_STR_EQ(conf.config_file, path);
    TEAMS_EXPECT_STR_EQ(conf.postgres, TEAMS_TEST_PG);
    TEAMS_EXPECT_STR_EQ(conf.redis_addr.host, "::1");
    TEAMS_EXPECT_INT_EQ(conf.redis_addr.port, 6380);
    TEAMS_EXPECT_STR_EQ(conf.group, "from-flag");
    TEAMS_EXPECT_STR_EQ(conf.consumer, "c1");
    TEAMS_EXPECT_INT_EQ(conf.log_level, TEAMS_LOG_WARN);

    teams_worker_conf_free(&conf);
    unlink(path);
}


TEAMS_TEST(worker_conf_flag_before_config_still_wins)
{
    char                 err[512], path[] = "/tmp/teams-unit-XXXXXX";
    char                *argv[] = { "w", "--redis", "127.0.0.2:1",
                                    "--config", path };
    teams_worker_conf_t  conf;

    teams_test_write(path, "postgres = dbname=x\nredis = 127.0.0.1:2\n");

    TEAMS_ASSERT_INT_EQ(teams_test_load(&conf, teams_test_argc(argv), argv,
                                        err), 0);
    TEAMS_EXPECT_STR_EQ(conf.redis, "127.0.0.2:1");
    TEAMS_EXPECT_INT_EQ(conf.redis_addr.port, 1);

    teams_worker_conf_free(&conf);
    unlink(path);
}


TEAMS_TEST(worker_conf_errors)
{
    char                 err[512], path[] = "/tmp/teams-unit-XXXXXX";
    teams_worker_conf_t  conf;

    static const struct {
        const char  *args[6];
        const char  *msg;
    } cases[] = {
        { { "--redis", "127.0.0.1:1" }, "missing required setting "
          "\"postgres\"" },
        { { "--postgres", "dbname=x" }, "missing required setting "
          "\"redis\"" },
        { { "--nope", "1" }, "unknown option \"--nope\"" },
        { { "--log_level", "info" }, "unknown option \"--log_level\"" },
        { { "stray" }, "unexpected argument \"stray\"" },
        { { "--postgres" }, "option \"--postgres\" needs a value" },
        { { "--postgres", "dbname=x", "--redis", "localhost:6379" },
          "not a numeric IPv4 or IPv6 address" },
        { { "--postgres", "dbname=x", "--redis", "127.0.0.1:0" },
          "the port must be" },
        { { "--postgres", "dbname=x", "--redis", "127.0.0.1:x" },
          "the port must be" },
        { { "--postgres", "dbname=x", "--redis", "unix:rel" },
          "must be absolute" },
        { { "--postgres", "dbname=x", "--redis", "[::1" },
          "missing \"]\"" },
        { { "--postgres", "dbname=x", "--redis", "[::1]x" },
          "expected IPv4:port" },
        { { "--postgres", "nonsense" }, "invalid \"postgres\" connection" },
        { { "--postgres", "password=sekret junk" }, "not shown" },
        { { "--postgres", "bogus=1" }, "invalid connection option "
          "\"bogus\"" },
        { { "--log-level", "loud" }, "invalid \"log_level\" value" },
        { { "--consumer", "a b" }, "invalid \"consumer\" value" },
        { { "--group", "" }, "invalid \"group\" value" },
        { { "--graph-base", "ftp://x" }, "invalid \"graph_base\" value" },
        { { "--graph-base", "https://" A50 A50 A50 A50 A50 A50 },
          "invalid \"graph_base\" value: longer than 256 bytes" },
        { { "--openid-entra", "https://" }, "invalid \"openid_entra\"" },
        { { "--secret-key-file", "" }, "setting \"secret_key_file\" is "
          "empty" },
        { { "--check-config=1" }, "takes no value" },
        { { "--config", "/nonexistent/teams.conf" },
          "cannot read config file \"/nonexistent/teams.conf\"" },
    };

    int    i, argc;
    char  *argv[8];

    for (i = 0; i < (int) (sizeof(cases) / sizeof(cases[0])); i++) {
        argv[0] = "w";

        for (argc = 1; argc < 7 && cases[i].args[argc - 1] != NULL; argc++) {
            argv[argc] = (char *) cases[i].args[argc - 1];
        }

        TEAMS_EXPECT_INT_EQ(teams_test_load(&conf, argc, argv, err), -1);
        TEAMS_EXPECT_STR_HAS(err, cases[i].msg);
        teams_worker_conf_free(&conf);
    }

    /* the password never shows up in a message */
    argv[1] = "--postgres";
    argv[2] = "password=sekret junk";
    (void) teams_test_load(&conf, 3, argv, err);
    TEAMS_EXPECT(strstr(err, "sekret") == NULL);
    teams_worker_conf_free(&conf);

    teams_test_write(path, "postgres = dbname=x\nredis = 127.0.0.1:1\n"
                           "\nwhat = 1\n");
    argv[1] = "--config";
    argv[2] = path;
    TEAMS_EXPECT_INT_EQ(teams_test_load(&conf, 3, argv, err), -1);
    TEAMS_EXPECT_STR_HAS(err, ":4: unknown setting \"what\"");
    teams_worker_conf_free(&conf);
    unlink(path);

    strcpy(path, "/tmp/teams-unit-XXXXXX");
    teams_test_write(path, "log-level = info\n");
    TEAMS_EXPECT_INT_EQ(teams_test_load(&conf, 3, argv, err), -1);
    TEAMS_EXPECT_STR_HAS(err, ":1: unknown setting \"log-level\"");
    teams_worker_conf_free(&conf);
    unlink(path);

    strcpy(path, "/tmp/teams-unit-XXXXXX");
    teams_test_write(path, "redis = 10.0.0.1:99999\n");
    TEAMS_EXPECT_INT_EQ(teams_test_load(&conf, 3, argv, err), -1);
    TEAMS_EXPECT_STR_HAS(err, ":1: invalid \"redis\" address");
    teams_worker_conf_free(&conf);
    unlink(path);
}


TEAMS_TEST(worker_conf_help_wins)
{
    char                 err[512];
    char                *argv[] = { "w", "--bogus", "--help" };
    teams_worker_conf_t  conf;

    TEAMS_ASSERT_INT_EQ(teams_test_load(&conf, teams_test_argc(argv), argv,
                                        err), 0);
    TEAMS_EXPECT(conf.help);
    teams_worker_conf_free(&conf);
}


TEAMS_TEST(worker_redis_addr)
{
    char                err[256];
    teams_redis_addr_t  a;

    TEAMS_ASSERT_INT_EQ(teams_redis_addr_parse("127.0.0.1:56379", &a, err,
                                               sizeof(err)), 0);
    TEAMS_EXPECT_INT_EQ(a.type, TEAMS_REDIS_TCP);
    TEAMS_EXPECT_STR_EQ(a.host, "127.0.0.1");
    TEAMS_EXPECT_INT_EQ(a.port, 56379);

    TEAMS_ASSERT_INT_EQ(teams_redis_addr_parse("10.1.2.3", &a, err,
                                               sizeof(err)), 0);
    TEAMS_EXPECT_STR_EQ(a.host, "10.1.2.3");
    TEAMS_EXPECT_INT_EQ(a.port, 6379);

    TEAMS_ASSERT_INT_EQ(teams_redis_addr_parse("[fe80::1]:7000", &a, err,
                                               sizeof(err)), 0);
    TEAMS_EXPECT_STR_EQ(a.host, "fe80::1");
    TEAMS_EXPECT_INT_EQ(a.port, 7000);

    TEAMS_ASSERT_INT_EQ(teams_redis_addr_parse("[::1]", &a, err,
                                               sizeof(err)), 0);
    TEAMS_EXPECT_STR_EQ(a.host, "::1");
    TEAMS_EXPECT_INT_EQ(a.port, 6379);

    TEAMS_ASSERT_INT_EQ(teams_redis_addr_parse("::1", &a, err,
                                               sizeof(err)), 0);
    TEAMS_EXPECT_STR_EQ(a.host, "::1");
    TEAMS_EXPECT_INT_EQ(a.port, 6379);

    TEAMS_ASSERT_INT_EQ(teams_redis_addr_parse("unix:/tmp/redis.sock", &a,
                                               err, sizeof(err)), 0);
    TEAMS_EXPECT_INT_EQ(a.type, TEAMS_REDIS_UNIX);
    TEAMS_EXPECT_STR_EQ(a.path, "/tmp/redis.sock");

    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("", &a, err, sizeof(err)),
                        -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse(":6379", &a, err,
                                               sizeof(err)), -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("1.2.3.4:", &a, err,
                                               sizeof(err)), -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("1.2.3.4:+1", &a, err,
                                               sizeof(err)), -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("1.2.3.4:65536", &a, err,
                                               sizeof(err)), -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("1.2.3:80", &a, err,
                                               sizeof(err)), -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("redis.local:6379", &a, err,
                                               sizeof(err)), -1);
    TEAMS_EXPECT_INT_EQ(teams_redis_addr_parse("unix:", &a, err,
                                               sizeof(err)), -1);
}


TEAMS_TEST(worker_names_and_urls)
{
    char  buf[256];

    TEAMS_EXPECT(teams_worker_name_valid("teams-workers"));
    TEAMS_EXPECT(teams_worker_name_valid("host.example_1:2@x"));
    TEAMS_EXPECT(!teams_worker_name_valid(""));
    TEAMS_EXPECT(!teams_worker_name_valid("a b"));
    TEAMS_EXPECT(!teams_worker_name_valid("a\nb"));

    memset(buf, 'a', 201);
    buf[201] = '\0';
    TEAMS_EXPECT(!teams_worker_name_valid(buf));
    buf[200] = '\0';
    TEAMS_EXPECT(teams_worker_name_valid(buf));

    TEAMS_EXPECT(teams_worker_url_valid("https://graph.microsoft.com"));
    TEAMS_EXPECT(teams_worker_url_valid("http://127.0.0.1:58180/x"));
    TEAMS_EXPECT(!teams_worker_url_valid("graph.microsoft.com"));
    TEAMS_EXPECT(!teams_worker_url_valid("http://"));
    TEAMS_EXPECT(!teams_worker_url_valid("http:///path"));
    TEAMS_EXPECT(!teams_worker_url_valid("http://a b"));

    teams_worker_default_consumer(buf, sizeof(buf), "box1.lan", 42);
    TEAMS_EXPECT_STR_EQ(buf, "box1.lan-42");

    teams_worker_default_consumer(buf, sizeof(buf), "we ird/host", 7);
    TEAMS_EXPECT_STR_EQ(buf, "we-ird-host-7");
    TEAMS_EXPECT(teams_worker_name_valid(buf));

    teams_worker_default_consumer(buf, sizeof(buf), "", 7);
    TEAMS_EXPECT_STR_EQ(buf, "worker-7");
}
