
/*
 * RSA keys from JWK parameters and PKCS#1 v1.5 signature verification.
 * OpenSSL checks the padding by re-encoding the expected DigestInfo and
 * comparing, so BER variants, garbage and a missing NULL are refused.
 * Errors are cleared from OpenSSL's queue so that they do not surface later
 * in an unrelated nginx log line.
 */


#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "jwt/teams_rsa.h"


teams_jws_alg_e
teams_jws_alg_from_name(const char *name, size_t len)
{
    /* case-sensitive, as JWA names are (RFC 7515 section 4.1.1) */
    if (len != 5 || memcmp(name, "RS", 2) != 0) {
        return TEAMS_JWS_ALG_UNSET;
    }

    if (memcmp(name + 2, "256", 3) == 0) {
        return TEAMS_JWS_RS256;
    }

    if (memcmp(name + 2, "384", 3) == 0) {
        return TEAMS_JWS_RS384;
    }

    if (memcmp(name + 2, "512", 3) == 0) {
        return TEAMS_JWS_RS512;
    }

    return TEAMS_JWS_ALG_UNSET;
}


const char *
teams_jws_alg_name(teams_jws_alg_e alg)
{
    switch (alg) {
    case TEAMS_JWS_RS256:
        return "RS256";
    case TEAMS_JWS_RS384:
        return "RS384";
    case TEAMS_JWS_RS512:
        return "RS512";
    default:
        return "unset";
    }
}


EVP_PKEY *
teams_rsa_key_new(const unsigned char *n, size_t nlen,
    const unsigned char *e, size_t elen, const char **err)
{
    int              bits;
    BIGNUM          *bn, *be;
    EVP_PKEY        *pkey;
    OSSL_PARAM      *params;
    EVP_PKEY_CTX    *ctx;
    OSSL_PARAM_BLD  *bld;

    pkey = NULL;
    params = NULL;
    ctx = NULL;
    bld = NULL;
    bn = NULL;
    be = NULL;

    /* one leading zero octet is tolerated, as some publishers add it */
    if (nlen > TEAMS_RSA_MAX_BITS / 8 + 1 || elen > 8) {
        *err = "RSA modulus or exponent too long";
        goto done;
    }

    bn = BN_bin2bn(n, (int) nlen, NULL);
    be = BN_bin2bn(e, (int) elen, NULL);

    if (bn == NULL || be == NULL) {
        *err = "out of memory";
        goto done;
    }

    bits = BN_num_bits(bn);

    if (bits < TEAMS_RSA_MIN_BITS) {
        *err = "RSA modulus shorter than 2048 bits";
        goto done;
    }

    if (bits > TEAMS_RSA_MAX_BITS) {
        *err = "RSA modulus longer than 8192 bits";
        goto done;
    }

    /* e is odd, at least 3 and fits 32 bits (65537 in practice) */
    if (!BN_is_odd(be) || BN_num_bits(be) < 2 || BN_num_bits(be) > 32) {
        *err = "bad RSA exponent";
        goto done;
    }

    bld = OSSL_PARAM_BLD_new();

    if (bld == NULL
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be)
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
    {
        *err = "out of memory";
        goto done;
    }

    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);

    if (ctx == NULL
        || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    {
        *err = "RSA key refused by OpenSSL";
        pkey = NULL;
        goto done;
    }

done:

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    ERR_clear_error();

    return pkey;
}


int
teams_rsa_key_bits(const EVP_PKEY *pkey)
{
    if (pkey == NULL || !EVP_PKEY_is_a(pkey, "RSA")) {
        return 0;
    }

    return EVP_PKEY_get_bits(pkey);
}


int
teams_rsa_verify(EVP_PKEY *pkey, teams_jws_alg_e alg,
    const unsigned char *msg, size_t msglen, const unsigned char *sig,
    size_t siglen)
{
    int            ok;
    EVP_MD_CTX    *md_ctx;
    const EVP_MD  *md;
    EVP_PKEY_CTX  *pctx;

    switch (alg) {
    case TEAMS_JWS_RS256:
        md = EVP_sha256();
        break;
    case TEAMS_JWS_RS384:
        md = EVP_sha384();
        break;
    case TEAMS_JWS_RS512:
        md = EVP_sha512();
        break;
    default:
        return 0;
    }

    if (pkey == NULL || !EVP_PKEY_is_a(pkey, "RSA")) {
        return 0;
    }

    /* RFC 8017 section 8.2.2 step 1: the length is exactly k octets */
    if (siglen == 0 || siglen != (size_t) EVP_PKEY_get_size(pkey)) {
        return 0;
    }

    md_ctx = EVP_MD_CTX_new();
    if (md_ctx == NULL) {
        ERR_clear_error();
        return 0;
    }

    ok = 0;
    pctx = NULL;

    if (EVP_DigestVerifyInit(md_ctx, &pctx, md, NULL, pkey) == 1
        && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        && EVP_DigestVerify(md_ctx, sig, siglen, msg, msglen) == 1)
    {
        ok = 1;
    }

    EVP_MD_CTX_free(md_ctx);
    ERR_clear_error();

    return ok;
}
