
/*
 * Helpers for the src/jwt/ unit tests.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "jwt/teams_b64url.h"
#include "jwt_testlib.h"


EVP_PKEY *
jwt_test_key(int bits)
{
    return EVP_RSA_gen((unsigned int) bits);
}


char *
jwt_test_b64(const void *data, size_t len)
{
    char  *s;

    s = malloc(teams_b64url_encoded_len(len) + 1);
    if (s != NULL) {
        teams_b64url_encode(s, data, len);
    }

    return s;
}


static char *
jwt_test_bn_b64(EVP_PKEY *key, const char *name)
{
    int             n;
    char           *s;
    BIGNUM         *bn;
    unsigned char   buf[1024];

    bn = NULL;

    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
        return NULL;
    }

    n = BN_bn2bin(bn, buf);
    BN_free(bn);

    s = jwt_test_b64(buf, (size_t) n);

    return s;
}


char *
jwt_test_jwks(EVP_PKEY *key, const char *kid, const char *extra)
{
    char    *n, *e, *s;
    size_t   len;

    n = jwt_test_bn_b64(key, OSSL_PKEY_PARAM_RSA_N);
    e = jwt_test_bn_b64(key, OSSL_PKEY_PARAM_RSA_E);

    if (n == NULL || e == NULL) {
        free(n);
        free(e);
        return NULL;
    }

    len = strlen(n) + strlen(e) + strlen(kid)
          + (extra ? strlen(extra) : 0) + 128;

    s = malloc(len);
    if (s != NULL) {
        snprintf(s, len,
                 "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"%s\",\"n\":\"%s\","
                 "\"e\":\"%s\"%s]}", kid, n, e, extra ? extra : "}");
    }

    free(n);
    free(e);

    return s;
}


char *
jwt_test_sign(EVP_PKEY *key, const char *alg, const char *header,
    const char *payload)
{
    char           *h, *p, *sig64, *input, *tok;
    size_t          siglen, len;
    EVP_MD_CTX     *ctx;
    const EVP_MD   *md;
    unsigned char   sig[1024];

    md = (strcmp(alg, "RS384") == 0) ? EVP_sha384()
         : (strcmp(alg, "RS512") == 0) ? EVP_sha512() : EVP_sha256();

    h = jwt_test_b64(header, strlen(header));
    p = jwt_test_b64(payload, strlen(payload));

    len = strlen(h) + strlen(p) + 2;
    input = malloc(len);
    snprintf(input, len, "%s.%s", h, p);

    ctx = EVP_MD_CTX_new();
    siglen = sizeof(sig);

    if (EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1
        || EVP_DigestSign(ctx, sig, &siglen, (unsigned char *) input,
                          strlen(input)) != 1)
    {
        EVP_MD_CTX_free(ctx);
        free(h);
        free(p);
        free(input);
        return NULL;
    }

    EVP_MD_CTX_free(ctx);

    sig64 = jwt_test_b64(sig, siglen);

    len = strlen(input) + strlen(sig64) + 2;
    tok = malloc(len);
    snprintf(tok, len, "%s.%s", input, sig64);

    free(h);
    free(p);
    free(input);
    free(sig64);

    return tok;
}


char *
jwt_test_read_file(const char *name, size_t *len)
{
    long         n;
    char        *buf, path[1024];
    FILE        *f;
    const char  *dir;

    dir = getenv("TEAMS_UNIT_DATA_DIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = "t/wycheproof";
    }

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    buf = NULL;

    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0
        && fseek(f, 0, SEEK_SET) == 0)
    {
        buf = malloc((size_t) n + 1);

        if (buf != NULL && fread(buf, 1, (size_t) n, f) != (size_t) n) {
            free(buf);
            buf = NULL;

        } else if (buf != NULL) {
            buf[n] = '\0';
            *len = (size_t) n;
        }
    }

    fclose(f);

    return buf;
}
