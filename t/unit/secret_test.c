
/*
 * Unit tests: src/core/teams_secret.c (AES-256-GCM secret envelopes).
 */


#include <string.h>

#include "core/teams_secret.h"
#include "unit.h"


static const unsigned char  teams_test_key[TEAMS_SECRET_KEY_LEN] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
};

#define TEAMS_TEST_AAD  "a0000000-0000-4000-8000-000000000001/" \
                        "a1000000-0000-4000-8000-000000000001"


static int
teams_test_seal(const char *plain, char *env, size_t size, size_t *len)
{
    return teams_secret_encrypt(teams_test_key, TEAMS_TEST_AAD,
                                strlen(TEAMS_TEST_AAD),
                                (const unsigned char *) plain, strlen(plain),
                                env, size, len);
}


TEAMS_TEST(secret_round_trip)
{
    char           env[256];
    size_t         len, plen;
    unsigned char  out[128];

    TEAMS_ASSERT_INT_EQ(teams_test_seal("s3cr3t~value", env, sizeof(env),
                                        &len), TEAMS_SECRET_OK);
    TEAMS_EXPECT_INT_EQ(len, strlen(env));
    TEAMS_EXPECT_INT_EQ(len, teams_secret_envelope_len(12));
    TEAMS_EXPECT(strncmp(env, "v1:", 3) == 0);
    TEAMS_EXPECT(strstr(env, "s3cr3t") == NULL);

    TEAMS_ASSERT_INT_EQ(teams_secret_decrypt(teams_test_key, TEAMS_TEST_AAD,
                                             strlen(TEAMS_TEST_AAD), env,
                                             len, out, sizeof(out), &plen),
                        TEAMS_SECRET_OK);
    TEAMS_EXPECT_INT_EQ(plen, 12);
    TEAMS_EXPECT_STR_EQ((char *) out, "s3cr3t~value");
}


TEAMS_TEST(secret_fresh_nonce_each_time)
{
    char    a[256], b[256];
    size_t  la, lb;

    TEAMS_ASSERT_INT_EQ(teams_test_seal("same", a, sizeof(a), &la), 0);
    TEAMS_ASSERT_INT_EQ(teams_test_seal("same", b, sizeof(b), &lb), 0);
    TEAMS_EXPECT(strcmp(a, b) != 0);
}


TEAMS_TEST(secret_tamper_rejected)
{
    char           env[256], *p;
    size_t         len, plen, i;
    unsigned char  out[128];

    TEAMS_ASSERT_INT_EQ(teams_test_seal("tamper-me", env, sizeof(env), &len),
                        0);

    /* flip one base64 character in the nonce and in the ciphertext */
    p = strrchr(env, ':');

    for (i = 3; i < len; i++) {
        char  saved = env[i];

        if (env[i] == ':' || env[i] == '=') {
            continue;
        }

        env[i] = (env[i] == 'A') ? 'B' : 'A';

        TEAMS_EXPECT(teams_secret_decrypt(teams_test_key, TEAMS_TEST_AAD,
                                          strlen(TEAMS_TEST_AAD), env, len,
                                          out, sizeof(out), &plen)
                     != TEAMS_SECRET_OK);
        env[i] = saved;
    }

    TEAMS_EXPECT(p != NULL);
}


TEAMS_TEST(secret_wrong_aad_and_key)
{
    char           env[256];
    size_t         len, plen;
    unsigned char  out[128], key[TEAMS_SECRET_KEY_LEN];
    const char    *other = "a0000000-0000-4000-8000-000000000001/"
                           "a1000000-0000-4000-8000-000000000002";

    TEAMS_ASSERT_INT_EQ(teams_test_seal("bound", env, sizeof(env), &len), 0);

    TEAMS_EXPECT_INT_EQ(teams_secret_decrypt(teams_test_key, other,
                                             strlen(other), env, len, out,
                                             sizeof(out), &plen),
                        TEAMS_SECRET_EAUTH);

    memcpy(key, teams_test_key, sizeof(key));
    key[31] ^= 1;

    TEAMS_EXPECT_INT_EQ(teams_secret_decrypt(key, TEAMS_TEST_AAD,
                                             strlen(TEAMS_TEST_AAD), env,
                                             len, out, sizeof(out), &plen),
                        TEAMS_SECRET_EAUTH);
    TEAMS_EXPECT(out[0] == 0);
}


TEAMS_TEST(secret_format_errors)
{
    size_t         plen, i;
    unsigned char  out[128];
    static const char  *bad[] = {
        "", "v1", "v1:", "v2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==",
        "v1:AAAAAAAAAAAAAAAA",
        "v1:AAAAAAAAAAAAAAAA:",
        "v1:AAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==",          /* 9-byte nonce */
        "v1:AAAAAAAAAAAAAAAA:AAAA",                          /* short tag */
        "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA=",       /* bad length */
        "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAB==",      /* non-canonical */
        "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAA*AAAAAAAAA==",      /* alphabet */
        "v1:AAAAAAAAAAAAAAAA:AAAAAAAA-_AAAAAAAAAAAA==",      /* base64url */
        "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA:AAAA",
        NULL
    };

    for (i = 0; bad[i] != NULL; i++) {
        TEAMS_EXPECT(teams_secret_decrypt(teams_test_key, TEAMS_TEST_AAD,
                                          strlen(TEAMS_TEST_AAD), bad[i],
                                          strlen(bad[i]), out, sizeof(out),
                                          &plen)
                     != TEAMS_SECRET_OK);
    }
}


TEAMS_TEST(secret_sizes)
{
    char           env[16], big_env[8192];
    char           plain[TEAMS_SECRET_MAX_PLAIN + 2];
    size_t         len, plen;
    unsigned char  out[8];

    TEAMS_EXPECT_INT_EQ(teams_test_seal("does not fit", env, sizeof(env),
                                        &len), TEAMS_SECRET_ESIZE);

    memset(plain, 'x', sizeof(plain) - 1);
    plain[sizeof(plain) - 1] = '\0';
    TEAMS_EXPECT_INT_EQ(teams_test_seal(plain, big_env, sizeof(big_env),
                                        &len), TEAMS_SECRET_ESIZE);

    plain[TEAMS_SECRET_MAX_PLAIN] = '\0';
    TEAMS_ASSERT_INT_EQ(teams_test_seal(plain, big_env, sizeof(big_env),
                                        &len), TEAMS_SECRET_OK);

    /* output buffer too small for the plaintext */
    TEAMS_EXPECT_INT_EQ(teams_secret_decrypt(teams_test_key, TEAMS_TEST_AAD,
                                             strlen(TEAMS_TEST_AAD),
                                             big_env, len, out, sizeof(out),
                                             &plen),
                        TEAMS_SECRET_ESIZE);
}


TEAMS_TEST(secret_aad_and_key_parsing)
{
    char           aad[TEAMS_SECRET_AAD_MAX];
    unsigned char  key[TEAMS_SECRET_KEY_LEN];

    TEAMS_EXPECT_INT_EQ(teams_secret_aad(aad, sizeof(aad), "AB", 2, "Cd", 2),
                        5);
    TEAMS_EXPECT_STR_EQ(aad, "ab/cd");
    TEAMS_EXPECT_INT_EQ(teams_secret_aad(aad, 4, "AB", 2, "Cd", 2), 0);

    TEAMS_EXPECT_INT_EQ(teams_secret_key_from_hex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F\n",
        65, key), 0);
    TEAMS_EXPECT_INT_EQ(key[0], 0);
    TEAMS_EXPECT_INT_EQ(key[31], 0x1f);
    TEAMS_EXPECT_INT_EQ(teams_secret_key_from_hex("00", 2, key), -1);
    TEAMS_EXPECT_INT_EQ(teams_secret_key_from_hex(
        "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        , 64, key), -1);
}
