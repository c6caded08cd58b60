
/*
 * AES-256-GCM client-secret envelopes (see teams_secret.h).
 */


#include <ctype.h>
#include <string.h>
#include <sys/types.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/teams_secret.h"


#define TEAMS_SECRET_PREFIX      "v1:"
#define TEAMS_SECRET_PREFIX_LEN  (sizeof(TEAMS_SECRET_PREFIX) - 1)

#define teams_b64_len(n)         ((((n) + 2) / 3) * 4)


static size_t teams_b64_encode(char *dst, const unsigned char *src,
    size_t len);
static ssize_t teams_b64_decode(unsigned char *dst, size_t size,
    const char *src, size_t len);
static int teams_b64_value(int c);


static const char  teams_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


size_t
teams_secret_envelope_len(size_t len)
{
    return TEAMS_SECRET_PREFIX_LEN + teams_b64_len(TEAMS_SECRET_NONCE_LEN)
           + 1 + teams_b64_len(len + TEAMS_SECRET_TAG_LEN);
}


size_t
teams_secret_aad(char *buf, size_t size, const char *tenant, size_t tlen,
    const char *profile, size_t plen)
{
    size_t  i, n;

    if (tlen + 1 + plen + 1 > size) {
        return 0;
    }

    n = 0;

    for (i = 0; i < tlen; i++) {
        buf[n++] = (char) tolower((unsigned char) tenant[i]);
    }

    buf[n++] = '/';

    for (i = 0; i < plen; i++) {
        buf[n++] = (char) tolower((unsigned char) profile[i]);
    }

    buf[n] = '\0';

    return n;
}


teams_secret_rc_e
teams_secret_encrypt(const unsigned char *key, const char *aad,
    size_t aad_len, const unsigned char *plain, size_t len, char *out,
    size_t size, size_t *out_len)
{
    int                  n, total;
    char                *p;
    size_t               ct_len;
    unsigned char        nonce[TEAMS_SECRET_NONCE_LEN];
    unsigned char       *ct;
    EVP_CIPHER_CTX      *cx;
    teams_secret_rc_e    rc;

    if (len > TEAMS_SECRET_MAX_PLAIN
        || size < teams_secret_envelope_len(len) + 1)
    {
        return TEAMS_SECRET_ESIZE;
    }

    ct_len = len + TEAMS_SECRET_TAG_LEN;

    ct = OPENSSL_malloc(ct_len);
    if (ct == NULL) {
        return TEAMS_SECRET_ECRYPTO;
    }

    rc = TEAMS_SECRET_ECRYPTO;
    cx = NULL;

    if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
        goto done;
    }

    cx = EVP_CIPHER_CTX_new();
    if (cx == NULL) {
        goto done;
    }

    if (EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN,
                               TEAMS_SECRET_NONCE_LEN, NULL) != 1
        || EVP_EncryptInit_ex(cx, NULL, NULL, key, nonce) != 1)
    {
        goto done;
    }

    if (aad_len
        && EVP_EncryptUpdate(cx, NULL, &n, (const unsigned char *) aad,
                             (int) aad_len) != 1)
    {
        goto done;
    }

    total = 0;

    if (len) {
        if (EVP_EncryptUpdate(cx, ct, &n, plain, (int) len) != 1) {
            goto done;
        }

        total = n;
    }

    if (EVP_EncryptFinal_ex(cx, ct + total, &n) != 1) {
        goto done;
    }

    total += n;

    if ((size_t) total != len
        || EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, TEAMS_SECRET_TAG_LEN,
                               ct + len) != 1)
    {
        goto done;
    }

    p = out;
    memcpy(p, TEAMS_SECRET_PREFIX, TEAMS_SECRET_PREFIX_LEN);
    p += TEAMS_SECRET_PREFIX_LEN;
    p += teams_b64_encode(p, nonce, sizeof(nonce));
    *p++ = ':';
    p += teams_b64_encode(p, ct, ct_len);
    *p = '\0';

    *out_len = p - out;
    rc = TEAMS_SECRET_OK;

done:

    EVP_CIPHER_CTX_free(cx);
    OPENSSL_clear_free(ct, ct_len);
    OPENSSL_cleanse(nonce, sizeof(nonce));

    return rc;
}


teams_secret_rc_e
teams_secret_decrypt(const unsigned char *key, const char *aad,
    size_t aad_len, const char *env, size_t env_len, unsigned char *out,
    size_t size, size_t *out_len)
{
    int                  n, total;
    size_t               b64_len, ct_max, pt_len;
    ssize_t              got;
    const char          *colon, *b64;
    unsigned char        nonce[TEAMS_SECRET_NONCE_LEN + 3];
    unsigned char       *ct;
    EVP_CIPHER_CTX      *cx;
    teams_secret_rc_e    rc;

    if (env_len < TEAMS_SECRET_PREFIX_LEN
        || memcmp(env, TEAMS_SECRET_PREFIX, TEAMS_SECRET_PREFIX_LEN) != 0)
    {
        return TEAMS_SECRET_EFORMAT;
    }

    env += TEAMS_SECRET_PREFIX_LEN;
    env_len -= TEAMS_SECRET_PREFIX_LEN;

    colon = memchr(env, ':', env_len);
    if (colon == NULL) {
        return TEAMS_SECRET_EFORMAT;
    }

    got = teams_b64_decode(nonce, sizeof(nonce), env, colon - env);
    if (got != TEAMS_SECRET_NONCE_LEN) {
        return TEAMS_SECRET_EFORMAT;
    }

    b64 = colon + 1;
    b64_len = env_len - (b64 - env);

    if (b64_len == 0 || b64_len % 4 != 0
        || b64_len > teams_b64_len(TEAMS_SECRET_MAX_PLAIN
                                   + TEAMS_SECRET_TAG_LEN))
    {
        return TEAMS_SECRET_EFORMAT;
    }

    ct_max = b64_len / 4 * 3;

    ct = OPENSSL_malloc(ct_max);
    if (ct == NULL) {
        return TEAMS_SECRET_ECRYPTO;
    }

    cx = NULL;
    rc = TEAMS_SECRET_EFORMAT;

    got = teams_b64_decode(ct, ct_max, b64, b64_len);
    if (got < TEAMS_SECRET_TAG_LEN) {
        goto done;
    }

    pt_len = (size_t) got - TEAMS_SECRET_TAG_LEN;

    if (pt_len + 1 > size) {
        rc = TEAMS_SECRET_ESIZE;
        goto done;
    }

    rc = TEAMS_SECRET_ECRYPTO;

    cx = EVP_CIPHER_CTX_new();
    if (cx == NULL) {
        goto done;
    }

    if (EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN,
                               TEAMS_SECRET_NONCE_LEN, NULL) != 1
        || EVP_DecryptInit_ex(cx, NULL, NULL, key, nonce) != 1)
    {
        goto done;
    }

    rc = TEAMS_SECRET_EAUTH;

    if (aad_len
        && EVP_DecryptUpdate(cx, NULL, &n, (const unsigned char *) aad,
                             (int) aad_len) != 1)
    {
        goto done;
    }

    total = 0;

    if (pt_len) {
        if (EVP_DecryptUpdate(cx, out, &n, ct, (int) pt_len) != 1) {
            goto done;
        }

        total = n;
    }

    if (EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, TEAMS_SECRET_TAG_LEN,
                            ct + pt_len) != 1)
    {
        goto done;
    }

    /* the tag is compared here, in constant time, by OpenSSL */
    if (EVP_DecryptFinal_ex(cx, out + total, &n) != 1) {
        goto done;
    }

    total += n;

    if ((size_t) total != pt_len) {
        goto done;
    }

    out[pt_len] = '\0';
    *out_len = pt_len;
    rc = TEAMS_SECRET_OK;

done:

    if (rc != TEAMS_SECRET_OK && size) {
        OPENSSL_cleanse(out, size);
    }

    EVP_CIPHER_CTX_free(cx);
    OPENSSL_clear_free(ct, ct_max);

    return rc;
}


int
teams_secret_key_from_hex(const char *text, size_t len, unsigned char *key)
{
    int     hi, lo;
    size_t  i;

    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'
                   || text[len - 1] == ' ' || text[len - 1] == '\t'))
    {
        len--;
    }

    if (len != 2 * TEAMS_SECRET_KEY_LEN) {
        return -1;
    }

    for (i = 0; i < TEAMS_SECRET_KEY_LEN; i++) {
        hi = OPENSSL_hexchar2int((unsigned char) text[2 * i]);
        lo = OPENSSL_hexchar2int((unsigned char) text[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            OPENSSL_cleanse(key, TEAMS_SECRET_KEY_LEN);
            return -1;
        }

        key[i] = (unsigned char) (hi << 4 | lo);
    }

    return 0;
}


void
teams_secret_wipe(void *p, size_t len)
{
    if (p != NULL && len) {
        OPENSSL_cleanse(p, len);
    }
}


const char *
teams_secret_strerror(teams_secret_rc_e rc)
{
    switch (rc) {

    case TEAMS_SECRET_OK:
        return "ok";

    case TEAMS_SECRET_EFORMAT:
        return "not a v1 secret envelope";

    case TEAMS_SECRET_EAUTH:
        return "the secret does not decrypt with this key for this profile";

    case TEAMS_SECRET_ESIZE:
        return "the secret is too long";

    default:
        return "cryptographic library failure";
    }
}


static size_t
teams_b64_encode(char *dst, const unsigned char *src, size_t len)
{
    char           *p;
    size_t          i;
    unsigned long   v;

    p = dst;

    for (i = 0; i + 2 < len; i += 3) {
        v = (unsigned long) src[i] << 16 | src[i + 1] << 8 | src[i + 2];
        *p++ = teams_b64_alphabet[(v >> 18) & 63];
        *p++ = teams_b64_alphabet[(v >> 12) & 63];
        *p++ = teams_b64_alphabet[(v >> 6) & 63];
        *p++ = teams_b64_alphabet[v & 63];
    }

    if (len - i == 1) {
        v = (unsigned long) src[i] << 16;
        *p++ = teams_b64_alphabet[(v >> 18) & 63];
        *p++ = teams_b64_alphabet[(v >> 12) & 63];
        *p++ = '=';
        *p++ = '=';

    } else if (len - i == 2) {
        v = (unsigned long) src[i] << 16 | src[i + 1] << 8;
        *p++ = teams_b64_alphabet[(v >> 18) & 63];
        *p++ = teams_b64_alphabet[(v >> 12) & 63];
        *p++ = teams_b64_alphabet[(v >> 6) & 63];
        *p++ = '=';
    }

    return p - dst;
}


/* strict: padded, canonical (unused bits zero), nothing else */
static ssize_t
teams_b64_decode(unsigned char *dst, size_t size, const char *src,
    size_t len)
{
    int            a, b, c, d;
    size_t         i, n, pad;
    unsigned long  v;

    if (len == 0 || len % 4 != 0) {
        return -1;
    }

    pad = 0;

    if (src[len - 1] == '=') {
        pad++;

        if (src[len - 2] == '=') {
            pad++;
        }
    }

    if (len / 4 * 3 - pad > size) {
        return -1;
    }

    n = 0;

    for (i = 0; i < len; i += 4) {
        a = teams_b64_value(src[i]);
        b = teams_b64_value(src[i + 1]);

        if (i + 4 == len && pad) {
            c = (pad == 2) ? 0 : teams_b64_value(src[i + 2]);
            d = 0;

        } else {
            c = teams_b64_value(src[i + 2]);
            d = teams_b64_value(src[i + 3]);
        }

        if (a < 0 || b < 0 || c < 0 || d < 0) {
            return -1;
        }

        v = (unsigned long) a << 18 | b << 12 | c << 6 | d;

        if (i + 4 == len && pad == 2) {
            if (v & 0xffff) {
                return -1;
            }

            dst[n++] = (unsigned char) (v >> 16);

        } else if (i + 4 == len && pad == 1) {
            if (v & 0xff) {
                return -1;
            }

            dst[n++] = (unsigned char) (v >> 16);
            dst[n++] = (unsigned char) (v >> 8);

        } else {
            dst[n++] = (unsigned char) (v >> 16);
            dst[n++] = (unsigned char) (v >> 8);
            dst[n++] = (unsigned char) v;
        }
    }

    return (ssize_t) n;
}


static int
teams_b64_value(int c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    if (c == '+') {
        return 62;
    }

    if (c == '/') {
        return 63;
    }

    return -1;
}
