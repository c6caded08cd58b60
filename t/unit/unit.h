
/*
 * A tiny unit-test framework for the plain C code in src/.
 *
 *     #include "unit.h"
 *
 *     TEAMS_TEST(conf_defaults)
 *     {
 *         TEAMS_ASSERT_INT_EQ(1 + 1, 2);
 *     }
 *
 * TEAMS_TEST() registers the test with a constructor, so a new test file in
 * t/unit/ needs nothing else (the Makefile picks it up).  TEAMS_ASSERT*()
 * record a failure with file:line and end the test (the runner goes on with
 * the next one); TEAMS_EXPECT*()
 * record a failure and let the test continue.  Each test runs in a child
 * process (unless TEAMS_UNIT_NOFORK=1), so a crash or a hang (10 s) fails
 * that test only.
 */


#ifndef _TEAMS_UNIT_H_INCLUDED_
#define _TEAMS_UNIT_H_INCLUDED_


#include <stddef.h>
#include <string.h>


typedef void (*teams_unit_fn_pt)(void);

typedef struct teams_unit_test_s  teams_unit_test_t;

struct teams_unit_test_s {
    const char          *name;
    const char          *file;
    teams_unit_fn_pt     fn;
    teams_unit_test_t   *next;
};


void teams_unit_register(teams_unit_test_t *t);
void teams_unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int teams_unit_str_eq(const char *a, const char *b);
const char *teams_unit_str(const char *s);


#define TEAMS_TEST(name)                                                     \
    static void teams_test_##name(void);                                     \
    static teams_unit_test_t  teams_test_reg_##name = {                      \
        #name, __FILE__, teams_test_##name, NULL                             \
    };                                                                       \
    static void teams_test_ctor_##name(void) __attribute__((constructor));   \
    static void                                                              \
    teams_test_ctor_##name(void)                                             \
    {                                                                        \
        teams_unit_register(&teams_test_reg_##name);                         \
    }                                                                        \
    static void                                                              \
    teams_test_##name(void)


/* the "on failure" action is "return" (ASSERT) or nothing (EXPECT) */

#define TEAMS_UNIT_CHECK(cond, onfail, ...)                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            teams_unit_fail(__FILE__, __LINE__, __VA_ARGS__);                \
            onfail;                                                          \
        }                                                                    \
    } while (0)

#define TEAMS_UNIT_INT_EQ(a, b, onfail)                                      \
    do {                                                                     \
        long long  teams_a_ = (long long) (a), teams_b_ = (long long) (b);   \
        TEAMS_UNIT_CHECK(teams_a_ == teams_b_, onfail,                       \
                         "%s == %s: %lld != %lld", #a, #b, teams_a_,         \
                         teams_b_);                                          \
    } while (0)

#define TEAMS_UNIT_STR_EQ(a, b, onfail)                                      \
    do {                                                                     \
        const char  *teams_a_ = (a), *teams_b_ = (b);                        \
        TEAMS_UNIT_CHECK(teams_unit_str_eq(teams_a_, teams_b_), onfail,      \
                         "%s == %s: \"%s\" != \"%s\"", #a, #b,               \
                         teams_unit_str(teams_a_), teams_unit_str(teams_b_));\
    } while (0)

#define TEAMS_UNIT_STR_HAS(s, sub, onfail)                                   \
    do {                                                                     \
        const char  *teams_s_ = (s), *teams_sub_ = (sub);                    \
        TEAMS_UNIT_CHECK(teams_s_ != NULL                                    \
                         && strstr(teams_s_, teams_sub_) != NULL, onfail,    \
                         "%s contains %s: \"%s\" lacks \"%s\"", #s, #sub,    \
                         teams_unit_str(teams_s_), teams_sub_);              \
    } while (0)

#define TEAMS_UNIT_MEM_EQ(a, b, n, onfail)                                   \
    TEAMS_UNIT_CHECK(memcmp((a), (b), (n)) == 0, onfail,                     \
                     "%s == %s (%zu bytes)", #a, #b, (size_t) (n))


#define TEAMS_ASSERT(cond)                                                   \
    TEAMS_UNIT_CHECK(cond, return, "%s", #cond)
#define TEAMS_ASSERT_INT_EQ(a, b)      TEAMS_UNIT_INT_EQ(a, b, return)
#define TEAMS_ASSERT_STR_EQ(a, b)      TEAMS_UNIT_STR_EQ(a, b, return)
#define TEAMS_ASSERT_STR_HAS(s, sub)   TEAMS_UNIT_STR_HAS(s, sub, return)
#define TEAMS_ASSERT_MEM_EQ(a, b, n)   TEAMS_UNIT_MEM_EQ(a, b, n, return)
#define TEAMS_ASSERT_NULL(p)                                                 \
    TEAMS_UNIT_CHECK((p) == NULL, return, "%s is not NULL", #p)
#define TEAMS_ASSERT_NOT_NULL(p)                                             \
    TEAMS_UNIT_CHECK((p) != NULL, return, "%s is NULL", #p)

#define TEAMS_EXPECT(cond)                                                   \
    TEAMS_UNIT_CHECK(cond, (void) 0, "%s", #cond)
#define TEAMS_EXPECT_INT_EQ(a, b)      TEAMS_UNIT_INT_EQ(a, b, (void) 0)
#define TEAMS_EXPECT_STR_EQ(a, b)      TEAMS_UNIT_STR_EQ(a, b, (void) 0)
#define TEAMS_EXPECT_STR_HAS(s, sub)   TEAMS_UNIT_STR_HAS(s, sub, (void) 0)
#define TEAMS_EXPECT_MEM_EQ(a, b, n)   TEAMS_UNIT_MEM_EQ(a, b, n, (void) 0)


#endif /* _TEAMS_UNIT_H_INCLUDED_ */
