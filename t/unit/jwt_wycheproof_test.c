
/*
 * Published test vectors: Wycheproof (C2SP/wycheproof, Apache-2.0, copied
 * with its LICENSE into t/wycheproof/; TEAMS_UNIT_DATA_DIR overrides the
 * directory).  Each file's tally goes to stderr as one "wycheproof:" line.
 *
 * "acceptable" cases: both RSA files hold one each, flagged MissingNull (a
 * DigestInfo whose AlgorithmIdentifier omits the NULL parameters).  RFC
 * 8017 section 9.2 gives one DER encoding T per hash, with the NULL, and
 * verification compares against it, so these are not valid PKCS#1 v1.5
 * signatures: we reject them, and the tests assert that we do.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "jwt/teams_jws.h"
#include "jwt/teams_rsa.h"
#include "jwt_testlib.h"
#include "unit.h"


typedef struct {
    int  total;
    int  valid_accepted;
    int  invalid_rejected;
    int  acceptable_rejected;
    int  unsupported_rejected;
    int  wrong;
} wp_tally_t;


static const char  *wp_tests[] = { "tests", NULL };
static const char  *wp_groups[] = { "testGroups", NULL };
static const char  *wp_count[] = { "numberOfTests", NULL };


static yajl_val
wp_load(const char *name)
{
    char      *text, err[256];
    size_t     len;
    yajl_val   root;

    text = jwt_test_read_file(name, &len);
    if (text == NULL) {
        return NULL;
    }

    root = yajl_tree_parse(text, err, sizeof(err));
    free(text);

    return root;
}


static const char *
wp_str(yajl_val obj, const char *name)
{
    const char  *path[2];
    yajl_val     v;

    path[0] = name;
    path[1] = NULL;
    v = yajl_tree_get(obj, path, yajl_t_string);

    return (v != NULL) ? YAJL_GET_STRING(v) : NULL;
}


static unsigned char *
wp_hex(const char *hex, size_t *len)
{
    size_t          i, n;
    unsigned int    b;
    unsigned char  *p;

    n = strlen(hex) / 2;
    p = malloc(n + 1);

    for (i = 0; i < n; i++) {
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) {
            free(p);
            return NULL;
        }

        p[i] = (unsigned char) b;
    }

    *len = n;

    return p;
}


static int
wp_rsa_file(const char *name, wp_tally_t *t)
{
    int              ok, expect_ok;
    size_t           i, j, nlen, elen, mlen, slen;
    yajl_val         root, groups, g, tests, c, pk;
    EVP_PKEY        *key;
    const char      *err, *result, *mod, *exp;
    unsigned char   *n, *e, *msg, *sig;
    const char      *pk_path[] = { "publicKey", NULL };

    memset(t, 0, sizeof(wp_tally_t));

    root = wp_load(name);
    if (root == NULL) {
        return -1;
    }

    groups = yajl_tree_get(root, wp_groups, yajl_t_array);

    for (i = 0; groups != NULL && i < YAJL_GET_ARRAY(groups)->len; i++) {
        g = YAJL_GET_ARRAY(groups)->values[i];
        pk = yajl_tree_get(g, pk_path, yajl_t_object);
        mod = wp_str(pk, "modulus");
        exp = wp_str(pk, "publicExponent");

        if (mod == NULL || exp == NULL || strcmp(wp_str(g, "sha"), "SHA-256"))
        {
            yajl_tree_free(root);
            return -1;
        }

        n = wp_hex(mod, &nlen);
        e = wp_hex(exp, &elen);
        key = teams_rsa_key_new(n, nlen, e, elen, &err);
        free(n);
        free(e);

        if (key == NULL) {
            yajl_tree_free(root);
            return -1;
        }

        tests = yajl_tree_get(g, wp_tests, yajl_t_array);

        for (j = 0; tests != NULL && j < YAJL_GET_ARRAY(tests)->len; j++) {
            c = YAJL_GET_ARRAY(tests)->values[j];
            result = wp_str(c, "result");
            msg = wp_hex(wp_str(c, "msg"), &mlen);
            sig = wp_hex(wp_str(c, "sig"), &slen);

            ok = teams_rsa_verify(key, TEAMS_JWS_RS256, msg, mlen, sig, slen);

            free(msg);
            free(sig);

            t->total++;

            /* acceptable: our documented choice is to reject */
            expect_ok = (strcmp(result, "valid") == 0);

            if (ok != expect_ok) {
                t->wrong++;
                fprintf(stderr, "  %s tcId %d: %s, got %s\n", name,
                        (int) YAJL_GET_INTEGER(yajl_tree_get(c,
                            (const char *[]) { "tcId", NULL },
                            yajl_t_number)),
                        result, ok ? "accepted" : "rejected");

            } else if (strcmp(result, "valid") == 0) {
                t->valid_accepted++;

            } else if (strcmp(result, "invalid") == 0) {
                t->invalid_rejected++;

            } else {
                t->acceptable_rejected++;
            }
        }

        EVP_PKEY_free(key);
    }

    ok = (int) YAJL_GET_INTEGER(yajl_tree_get(root, wp_count, yajl_t_number));
    yajl_tree_free(root);

    fprintf(stderr, "wycheproof: %s: %d cases: %d valid accepted, "
            "%d invalid rejected, %d acceptable rejected (our choice), "
            "%d wrong\n", name, t->total, t->valid_accepted,
            t->invalid_rejected, t->acceptable_rejected, t->wrong);

    return (ok == t->total) ? 0 : -1;
}


TEAMS_TEST(wycheproof_rsa_pkcs1_2048_sha256)
{
    wp_tally_t  t;

    TEAMS_ASSERT_INT_EQ(wp_rsa_file("rsa_signature_2048_sha256_test.json",
                                    &t), 0);
    TEAMS_EXPECT_INT_EQ(t.wrong, 0);
    TEAMS_EXPECT_INT_EQ(t.total, 259);
    TEAMS_EXPECT_INT_EQ(t.valid_accepted, 9);
    TEAMS_EXPECT_INT_EQ(t.invalid_rejected, 249);
    TEAMS_EXPECT_INT_EQ(t.acceptable_rejected, 1);
}


TEAMS_TEST(wycheproof_rsa_pkcs1_3072_sha256)
{
    wp_tally_t  t;

    TEAMS_ASSERT_INT_EQ(wp_rsa_file("rsa_signature_3072_sha256_test.json",
                                    &t), 0);
    TEAMS_EXPECT_INT_EQ(t.wrong, 0);
    TEAMS_EXPECT_INT_EQ(t.total, 259);
    TEAMS_EXPECT_INT_EQ(t.valid_accepted, 8);
    TEAMS_EXPECT_INT_EQ(t.invalid_rejected, 250);
    TEAMS_EXPECT_INT_EQ(t.acceptable_rejected, 1);
}


/* the group's JWK, re-serialized as {"keys":[jwk]} */

static void
wp_gen(yajl_gen g, yajl_val v)
{
    size_t  i;

    if (YAJL_IS_STRING(v)) {
        yajl_gen_string(g, (const unsigned char *) v->u.string,
                        strlen(v->u.string));

    } else if (YAJL_IS_NUMBER(v)) {
        yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));

    } else if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);

        for (i = 0; i < YAJL_GET_OBJECT(v)->len; i++) {
            yajl_gen_string(g,
                (const unsigned char *) YAJL_GET_OBJECT(v)->keys[i],
                strlen(YAJL_GET_OBJECT(v)->keys[i]));
            wp_gen(g, YAJL_GET_OBJECT(v)->values[i]);
        }

        yajl_gen_map_close(g);

    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);

        for (i = 0; i < YAJL_GET_ARRAY(v)->len; i++) {
            wp_gen(g, YAJL_GET_ARRAY(v)->values[i]);
        }

        yajl_gen_array_close(g);

    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));

    } else {
        yajl_gen_null(g);
    }
}


static teams_jwk_set_t *
wp_jwk_set(yajl_val jwk)
{
    size_t                len;
    yajl_gen              g;
    const char           *err;
    teams_jwk_set_t      *set;
    const unsigned char  *buf;

    g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *) "keys", 4);
    yajl_gen_array_open(g);
    wp_gen(g, jwk);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);

    set = teams_jwk_set_parse((const char *) buf, len, &err);

    yajl_gen_free(g);

    return set;
}


/* our JWS layer's verdict: parse, find the kid, check the signature */

static int
wp_jws_accepts(const char *token, const teams_jwk_set_t *set)
{
    int                  ok;
    const char          *reason;
    teams_jws_t          jws;
    const teams_jwk_t   *key;

    ok = teams_jws_parse(&jws, token, strlen(token), &reason) == TEAMS_JWT_OK
         && teams_jws_verify(&jws, set, &key, &reason) == TEAMS_JWT_OK;

    teams_jws_free(&jws);

    return ok;
}


TEAMS_TEST(wycheproof_json_web_signature)
{
    int                ok, supported, valid, id;
    size_t             i, j;
    yajl_val           root, groups, g, tests, c, jwk, jws;
    wp_tally_t         t;
    const char        *alg, *kty, *name;
    teams_jwk_set_t   *set;
    const char        *pub_path[] = { "public", NULL };
    const char        *jws_path[] = { "jws", NULL };
    const char        *id_path[] = { "tcId", NULL };

    name = "json_web_signature_test.json";
    memset(&t, 0, sizeof(t));

    root = wp_load(name);
    TEAMS_ASSERT_NOT_NULL(root);

    groups = yajl_tree_get(root, wp_groups, yajl_t_array);
    TEAMS_ASSERT_NOT_NULL(groups);

    for (i = 0; i < YAJL_GET_ARRAY(groups)->len; i++) {
        g = YAJL_GET_ARRAY(groups)->values[i];
        jwk = yajl_tree_get(g, pub_path, yajl_t_object);

        /* groups without a public key are HMAC; those keys never load */
        set = (jwk != NULL) ? wp_jwk_set(jwk) : NULL;

        kty = wp_str(jwk, "kty");
        alg = wp_str(jwk, "alg");
        supported = kty != NULL && strcmp(kty, "RSA") == 0 && alg != NULL
                    && teams_jws_alg_from_name(alg, strlen(alg))
                       != TEAMS_JWS_ALG_UNSET;

        tests = yajl_tree_get(g, wp_tests, yajl_t_array);

        for (j = 0; tests != NULL && j < YAJL_GET_ARRAY(tests)->len; j++) {
            c = YAJL_GET_ARRAY(tests)->values[j];
            jws = yajl_tree_get(c, jws_path, yajl_t_any);
            id = (int) YAJL_GET_INTEGER(yajl_tree_get(c, id_path,
                                                      yajl_t_number));
            valid = strcmp(wp_str(c, "result"), "valid") == 0;

            /* the JSON serialization is not ours to accept */
            ok = YAJL_IS_STRING(jws) && wp_jws_accepts(jws->u.string, set);

            t.total++;

            if (ok != (valid && supported)) {
                t.wrong++;
                fprintf(stderr, "  %s tcId %d: %s%s, got %s\n", name, id,
                        valid ? "valid" : "invalid",
                        supported ? "" : " (unsupported)",
                        ok ? "accepted" : "rejected");

            } else if (valid && supported) {
                t.valid_accepted++;

            } else if (valid) {
                t.unsupported_rejected++;

            } else {
                t.invalid_rejected++;
            }
        }

        teams_jwk_set_free(set);
    }

    ok = (int) YAJL_GET_INTEGER(yajl_tree_get(root, wp_count,
                                              yajl_t_number));
    yajl_tree_free(root);

    fprintf(stderr, "wycheproof: %s: %d cases: %d valid accepted, "
            "%d invalid rejected, %d valid in unsupported algorithms "
            "rejected, %d wrong\n", name, t.total, t.valid_accepted,
            t.invalid_rejected, t.unsupported_rejected, t.wrong);

    TEAMS_EXPECT_INT_EQ(t.total, ok);
    TEAMS_EXPECT_INT_EQ(t.total, 401);
    TEAMS_EXPECT_INT_EQ(t.wrong, 0);
    TEAMS_EXPECT_INT_EQ(t.valid_accepted, 16);
    TEAMS_EXPECT_INT_EQ(t.unsupported_rejected, 30);
    TEAMS_EXPECT_INT_EQ(t.invalid_rejected, 355);
}
