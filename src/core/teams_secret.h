
/*
 * Client secrets at rest: AES-256-GCM under a 256-bit master key, as the
 * text envelope
 *
 *     v1:<base64 12-byte nonce>:<base64 ciphertext || 16-byte tag>
 *
 * (standard base64 with padding).  The additional authenticated data binds
 * a ciphertext to its row: "<tenant>/<profile id>", both lower-cased, so a
 * ciphertext copied to another profile or tenant does not decrypt.  Any
 * failure (wrong key, wrong AAD, a changed bit, a malformed envelope) gives
 * one error and no partial plaintext.  Plain C, OpenSSL EVP only; shared by
 * the module, the worker and the teams-secret tool.
 */


#ifndef _TEAMS_SECRET_H_INCLUDED_
#define _TEAMS_SECRET_H_INCLUDED_


#include <stddef.h>


#define TEAMS_SECRET_KEY_LEN    32
#define TEAMS_SECRET_NONCE_LEN  12
#define TEAMS_SECRET_TAG_LEN    16
/* "<36-char uuid>/<36-char uuid>" plus NUL, with room to spare */
#define TEAMS_SECRET_AAD_MAX    128

/* the longest plaintext we encrypt or accept on decryption */
#define TEAMS_SECRET_MAX_PLAIN  4096


typedef enum {
    TEAMS_SECRET_OK = 0,
    TEAMS_SECRET_EFORMAT,        /* not a v1 envelope */
    TEAMS_SECRET_EAUTH,          /* wrong key, wrong AAD or tampered */
    TEAMS_SECRET_ESIZE,          /* too long, or the output does not fit */
    TEAMS_SECRET_ECRYPTO         /* OpenSSL failed (no randomness, ...) */
} teams_secret_rc_e;


/* The envelope length (without NUL) for a plaintext of len bytes. */
size_t teams_secret_envelope_len(size_t len);

/*
 * Builds the AAD "<tenant>/<profile>" lower-cased into buf (NUL-ended).
 * Returns its length, or 0 if it does not fit.
 */
size_t teams_secret_aad(char *buf, size_t size, const char *tenant,
    size_t tlen, const char *profile, size_t plen);

/*
 * Encrypts plain with a fresh random nonce.  out must hold
 * teams_secret_envelope_len(len) + 1 bytes; the envelope is NUL-ended.
 */
teams_secret_rc_e teams_secret_encrypt(const unsigned char *key,
    const char *aad, size_t aad_len, const unsigned char *plain, size_t len,
    char *out, size_t size, size_t *out_len);

/*
 * Decrypts an envelope into out (size bytes; the plaintext is NUL-ended, so
 * size must exceed it by one).  On failure out is wiped.
 */
teams_secret_rc_e teams_secret_decrypt(const unsigned char *key,
    const char *aad, size_t aad_len, const char *env, size_t env_len,
    unsigned char *out, size_t size, size_t *out_len);

/* Parses 64 hex digits (trailing white space allowed) into a key. */
int teams_secret_key_from_hex(const char *text, size_t len,
    unsigned char *key);

/* Wipes memory so the compiler cannot drop it (OPENSSL_cleanse). */
void teams_secret_wipe(void *p, size_t len);

const char *teams_secret_strerror(teams_secret_rc_e rc);


#endif /* _TEAMS_SECRET_H_INCLUDED_ */
