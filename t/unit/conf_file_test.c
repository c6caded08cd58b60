
/*
 * Unit tests: src/core/teams_conf_file.c
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/teams_conf_file.h"
#include "unit.h"


typedef struct {
    int   n;
    char  keys[8][64];
    char  values[8][256];
    int   fail_at;
} teams_test_kv_t;


static int teams_test_kv_handler(void *data, const char *key,
    const char *value, char *err, size_t errlen);
static int teams_test_kv_parse(teams_test_kv_t *kv, const char *text,
    char *err, size_t errlen);


static int
teams_test_kv_handler(void *data, const char *key, const char *value,
    char *err, size_t errlen)
{
    teams_test_kv_t  *kv = data;

    if (kv->n == kv->fail_at) {
        snprintf(err, errlen, "bad \"%s\"", key);
        return -1;
    }

    if (kv->n < 8) {
        snprintf(kv->keys[kv->n], sizeof(kv->keys[0]), "%s", key);
        snprintf(kv->values[kv->n], sizeof(kv->values[0]), "%s", value);
    }

    kv->n++;

    return 0;
}


static int
teams_test_kv_parse(teams_test_kv_t *kv, const char *text, char *err,
    size_t errlen)
{
    memset(kv, 0, sizeof(teams_test_kv_t));
    kv->fail_at = -1;
    err[0] = '\0';

    return teams_conf_file_parse("t.conf", text, strlen(text),
                                 teams_test_kv_handler, kv, err, errlen);
}


TEAMS_TEST(conf_file_basic)
{
    char             err[256];
    teams_test_kv_t  kv;

    TEAMS_ASSERT_INT_EQ(teams_test_kv_parse(&kv,
        "# comment\n"
        "\n"
        "  a = 1\n"
        "b=two words  \n"
        "\tc =\n"
        "postgres = host=x password=p#q dbname=teams\n"
        "   # indented comment\n"
        "last = no newline", err, sizeof(err)), 0);

    TEAMS_ASSERT_INT_EQ(kv.n, 5);
    TEAMS_EXPECT_STR_EQ(kv.keys[0], "a");
    TEAMS_EXPECT_STR_EQ(kv.values[0], "1");
    TEAMS_EXPECT_STR_EQ(kv.keys[1], "b");
    TEAMS_EXPECT_STR_EQ(kv.values[1], "two words");
    TEAMS_EXPECT_STR_EQ(kv.keys[2], "c");
    TEAMS_EXPECT_STR_EQ(kv.values[2], "");
    TEAMS_EXPECT_STR_EQ(kv.values[3], "host=x password=p#q dbname=teams");
    TEAMS_EXPECT_STR_EQ(kv.keys[4], "last");
    TEAMS_EXPECT_STR_EQ(kv.values[4], "no newline");
}


TEAMS_TEST(conf_file_crlf_and_quotes)
{
    char             err[256];
    teams_test_kv_t  kv;

    TEAMS_ASSERT_INT_EQ(teams_test_kv_parse(&kv,
        "a = 1\r\n"
        "b = \"  spaced  \"\r\n"
        "c = \"\"\n", err, sizeof(err)), 0);

    TEAMS_ASSERT_INT_EQ(kv.n, 3);
    TEAMS_EXPECT_STR_EQ(kv.values[0], "1");
    TEAMS_EXPECT_STR_EQ(kv.values[1], "  spaced  ");
    TEAMS_EXPECT_STR_EQ(kv.values[2], "");
}


TEAMS_TEST(conf_file_errors)
{
    char             err[256];
    teams_test_kv_t  kv;

    TEAMS_EXPECT_INT_EQ(teams_test_kv_parse(&kv, "a = 1\nno equals\n", err,
                                            sizeof(err)), -1);
    TEAMS_EXPECT_STR_EQ(err, "t.conf:2: expected \"key = value\"");

    TEAMS_EXPECT_INT_EQ(teams_test_kv_parse(&kv, "\n\n = 1\n", err,
                                            sizeof(err)), -1);
    TEAMS_EXPECT_STR_HAS(err, "t.conf:3: missing setting name");

    TEAMS_EXPECT_INT_EQ(teams_test_kv_parse(&kv, "a = \"open\n", err,
                                            sizeof(err)), -1);
    TEAMS_EXPECT_STR_HAS(err, "t.conf:1: unterminated quoted value");
}


TEAMS_TEST(conf_file_handler_error_has_line)
{
    char             err[256];
    teams_test_kv_t  kv;

    memset(&kv, 0, sizeof(teams_test_kv_t));
    kv.fail_at = 1;

    TEAMS_ASSERT_INT_EQ(teams_conf_file_parse("x.conf", "a=1\n# c\nb=2\n",
                                              12, teams_test_kv_handler, &kv,
                                              err, sizeof(err)), -1);
    TEAMS_EXPECT_STR_EQ(err, "x.conf:3: bad \"b\"");
}


TEAMS_TEST(conf_file_read)
{
    int              fd;
    char             err[256], path[] = "/tmp/teams-unit-XXXXXX";
    FILE            *f;
    teams_test_kv_t  kv;

    fd = mkstemp(path);
    TEAMS_ASSERT(fd != -1);

    f = fdopen(fd, "w");
    TEAMS_ASSERT_NOT_NULL(f);
    fputs("redis = 127.0.0.1:6379\n", f);
    fclose(f);

    memset(&kv, 0, sizeof(teams_test_kv_t));
    kv.fail_at = -1;

    TEAMS_EXPECT_INT_EQ(teams_conf_file_read(path, teams_test_kv_handler,
                                             &kv, err, sizeof(err)), 0);
    TEAMS_EXPECT_INT_EQ(kv.n, 1);
    TEAMS_EXPECT_STR_EQ(kv.values[0], "127.0.0.1:6379");

    unlink(path);

    TEAMS_EXPECT_INT_EQ(teams_conf_file_read(path, teams_test_kv_handler,
                                             &kv, err, sizeof(err)), -1);
    TEAMS_EXPECT_STR_HAS(err, "cannot read config file");
    TEAMS_EXPECT_STR_HAS(err, path);
}
