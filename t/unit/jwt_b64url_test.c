
/*
 * Unit tests: src/jwt/teams_b64url.c
 */


#include <string.h>

#include "jwt/teams_b64url.h"
#include "unit.h"


#define DEC(s)  teams_b64url_decode(buf, sizeof(buf), (s), strlen(s))


TEAMS_TEST(b64url_round_trip)
{
    size_t          i, n;
    ssize_t         m;
    char            enc[64];
    unsigned char   data[40], buf[64];

    for (i = 0; i < sizeof(data); i++) {
        data[i] = (unsigned char) (i * 37 + 250);
    }

    for (n = 0; n <= sizeof(data); n++) {
        TEAMS_ASSERT_INT_EQ(teams_b64url_encode(enc, data, n),
                            teams_b64url_encoded_len(n));
        TEAMS_ASSERT_INT_EQ(strlen(enc), teams_b64url_encoded_len(n));
        TEAMS_ASSERT(strpbrk(enc, "+/=") == NULL);

        m = teams_b64url_decode(buf, sizeof(buf), enc, strlen(enc));
        TEAMS_ASSERT_INT_EQ(m, n);
        TEAMS_ASSERT_MEM_EQ(buf, data, n);
    }
}


TEAMS_TEST(b64url_known_values)
{
    char           enc[16];
    unsigned char  buf[16];

    TEAMS_EXPECT_INT_EQ(DEC(""), 0);
    TEAMS_EXPECT_INT_EQ(DEC("Zg"), 1);
    TEAMS_EXPECT_MEM_EQ(buf, "f", 1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm8"), 2);
    TEAMS_EXPECT_MEM_EQ(buf, "fo", 2);
    TEAMS_EXPECT_INT_EQ(DEC("Zm9v"), 3);
    TEAMS_EXPECT_MEM_EQ(buf, "foo", 3);
    TEAMS_EXPECT_INT_EQ(DEC("-_8"), 2);
    TEAMS_EXPECT_MEM_EQ(buf, "\xfb\xff", 2);

    teams_b64url_encode(enc, (const unsigned char *) "\xfb\xff", 2);
    TEAMS_EXPECT_STR_EQ(enc, "-_8");
    teams_b64url_encode(enc, (const unsigned char *) "", 0);
    TEAMS_EXPECT_STR_EQ(enc, "");
}


TEAMS_TEST(b64url_refuses_non_canonical)
{
    unsigned char  buf[16];

    /* padding, standard alphabet, white space, NUL, junk */
    TEAMS_EXPECT_INT_EQ(DEC("Zg=="), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm8="), -1);
    TEAMS_EXPECT_INT_EQ(DEC("+/8"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm 9v"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm9v\n"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm9v."), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm\xc3\xa9"), -1);
    TEAMS_EXPECT_INT_EQ(teams_b64url_decode(buf, sizeof(buf), "Zm\0v", 4),
                        -1);

    /* a lone last character carries no whole byte */
    TEAMS_EXPECT_INT_EQ(DEC("Z"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm9vZ"), -1);

    /* unused low bits must be zero: "Zh" and "Zm9" are the same bytes */
    TEAMS_EXPECT_INT_EQ(DEC("Zh"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm9"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm-"), -1);
    TEAMS_EXPECT_INT_EQ(DEC("Zm8"), 2);
}


TEAMS_TEST(b64url_bounds_output)
{
    unsigned char  buf[3];

    TEAMS_EXPECT_INT_EQ(teams_b64url_decode(buf, 3, "Zm9v", 4), 3);
    TEAMS_EXPECT_INT_EQ(teams_b64url_decode(buf, 2, "Zm9v", 4), -1);
    TEAMS_EXPECT_INT_EQ(teams_b64url_decode(buf, 3, "Zm9vZg", 6), -1);
    TEAMS_EXPECT_INT_EQ(teams_b64url_decode(buf, 0, "", 0), 0);
}
