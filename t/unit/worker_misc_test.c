
/*
 * Unit tests: src/worker/{backoff,log,pg_link,stream}.c helpers
 */


#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "worker/backoff.h"
#include "worker/log.h"
#include "worker/pg_link.h"
#include "worker/stream.h"


TEAMS_TEST(worker_backoff_grows_and_caps)
{
    unsigned         i, d;
    teams_backoff_t  b;

    teams_backoff_init(&b, 1000, 30000);

    TEAMS_EXPECT(teams_backoff_due(&b, 0));

    /* rnd 0 gives the low end d/2, rnd ~0 the high end d */

    d = teams_backoff_failed(&b, 100, 0);
    TEAMS_EXPECT_INT_EQ(d, 500);
    TEAMS_EXPECT_INT_EQ(b.next, 600);
    TEAMS_EXPECT(!teams_backoff_due(&b, 599));
    TEAMS_EXPECT(teams_backoff_due(&b, 600));

    d = teams_backoff_failed(&b, 0, 1000);
    TEAMS_EXPECT_INT_EQ(d, 2000);

    d = teams_backoff_failed(&b, 0, 0);
    TEAMS_EXPECT_INT_EQ(d, 2000);

    for (i = 0; i < 50; i++) {
        d = teams_backoff_failed(&b, 0, 1234567u * i);
        TEAMS_EXPECT(d >= 15000 || i < 3);
        TEAMS_EXPECT(d <= 30000);
    }

    TEAMS_EXPECT_INT_EQ(teams_backoff_failed(&b, 0, 15000), 30000);

    teams_backoff_reset(&b);
    TEAMS_EXPECT_INT_EQ(b.failures, 0);
    TEAMS_EXPECT(teams_backoff_due(&b, 0));
    TEAMS_EXPECT_INT_EQ(teams_backoff_failed(&b, 0, 0), 500);
}


TEAMS_TEST(worker_backoff_never_zero)
{
    unsigned         i, d;
    teams_backoff_t  b;

    teams_backoff_init(&b, 1000, 30000);

    for (i = 0; i < 2000; i++) {
        d = teams_backoff_failed(&b, 0, i * 7919u);
        TEAMS_ASSERT(d >= 500);
    }
}


TEAMS_TEST(worker_log_format)
{
    char    buf[256];
    size_t  n;

    n = teams_log_format(buf, sizeof(buf), 1795737600, 4242, TEAMS_LOG_INFO,
                         "hello");
    TEAMS_EXPECT_STR_EQ(buf, "2026-11-27T00:00:00Z teams-worker[4242] info: "
                             "hello");
    TEAMS_EXPECT_INT_EQ(n, strlen(buf));

    n = teams_log_format(buf, sizeof(buf), 0, 1, TEAMS_LOG_WARN,
                         "two\nlines\r");
    TEAMS_EXPECT_STR_EQ(buf, "1970-01-01T00:00:00Z teams-worker[1] warn: "
                             "two?lines?");

    n = teams_log_format(buf, 10, 0, 1, TEAMS_LOG_ERROR, "truncated");
    TEAMS_EXPECT_INT_EQ(n, 9);
    TEAMS_EXPECT_INT_EQ(strlen(buf), 9);
}


TEAMS_TEST(worker_log_levels)
{
    teams_log_level_e  l;

    TEAMS_EXPECT_INT_EQ(teams_log_level_parse("error", &l), 0);
    TEAMS_EXPECT_INT_EQ(l, TEAMS_LOG_ERROR);
    TEAMS_EXPECT_INT_EQ(teams_log_level_parse("Warn", &l), 0);
    TEAMS_EXPECT_INT_EQ(l, TEAMS_LOG_WARN);
    TEAMS_EXPECT_INT_EQ(teams_log_level_parse("debug", &l), 0);
    TEAMS_EXPECT_INT_EQ(l, TEAMS_LOG_DEBUG);
    TEAMS_EXPECT_INT_EQ(teams_log_level_parse("warning", &l), -1);
    TEAMS_EXPECT_STR_EQ(teams_log_level_name(TEAMS_LOG_INFO), "info");

    teams_log_set_level(TEAMS_LOG_WARN);
    TEAMS_EXPECT(teams_log_enabled(TEAMS_LOG_ERROR));
    TEAMS_EXPECT(teams_log_enabled(TEAMS_LOG_WARN));
    TEAMS_EXPECT(!teams_log_enabled(TEAMS_LOG_INFO));
    teams_log_set_level(TEAMS_LOG_INFO);
}


TEAMS_TEST(worker_pg_error_line)
{
    char  buf[128];

    TEAMS_EXPECT_STR_EQ(teams_pg_error_line(
        "connection to server failed: Connection refused\n"
        "\tIs the server running?\n", buf, sizeof(buf)),
        "connection to server failed: Connection refused Is the server "
        "running?");

    TEAMS_EXPECT_STR_EQ(teams_pg_error_line("", buf, sizeof(buf)),
                        "unknown error");
    TEAMS_EXPECT_STR_EQ(teams_pg_error_line(NULL, buf, sizeof(buf)),
                        "unknown error");
    TEAMS_EXPECT_STR_EQ(teams_pg_error_line("abcdef", buf, 4), "abc");
}


TEAMS_TEST(worker_stream_fields)
{
    redisReply            k1, v1, k2, v2, *fields[4];
    teams_stream_entry_t  e;

    memset(&k1, 0, sizeof(redisReply));
    memset(&v1, 0, sizeof(redisReply));
    memset(&k2, 0, sizeof(redisReply));
    memset(&v2, 0, sizeof(redisReply));

    k1.type = REDIS_REPLY_STRING;
    k1.str = "type";
    k1.len = 4;
    v1.type = REDIS_REPLY_STRING;
    v1.str = "ping";
    v1.len = 4;
    k2.type = REDIS_REPLY_STRING;
    k2.str = "typex";
    k2.len = 5;
    v2.type = REDIS_REPLY_STRING;
    v2.str = "pingpong";
    v2.len = 8;

    fields[0] = &k2;
    fields[1] = &v2;
    fields[2] = &k1;
    fields[3] = &v1;

    e.id = "1-0";
    e.nfields = 2;
    e.fields = fields;

    TEAMS_EXPECT(teams_stream_field(&e, "type") == &v1);
    TEAMS_EXPECT(teams_stream_field(&e, "typex") == &v2);
    TEAMS_EXPECT(teams_stream_field(&e, "typ") == NULL);
    TEAMS_EXPECT(teams_stream_field_is(&e, "type", "ping"));
    TEAMS_EXPECT(!teams_stream_field_is(&e, "type", "pin"));
    TEAMS_EXPECT(!teams_stream_field_is(&e, "nope", "ping"));

    e.nfields = 0;
    TEAMS_EXPECT(teams_stream_field(&e, "type") == NULL);
}
