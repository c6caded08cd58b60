
/*
 * RSA public keys and RSASSA-PKCS1-v1_5 verification (RS256, RS384,
 * RS512), through OpenSSL 3's EVP interface.
 */


#ifndef _TEAMS_RSA_H_INCLUDED_
#define _TEAMS_RSA_H_INCLUDED_


#include <stddef.h>

#include <openssl/evp.h>


#define TEAMS_RSA_MIN_BITS  2048
#define TEAMS_RSA_MAX_BITS  8192


typedef enum {
    TEAMS_JWS_ALG_UNSET = 0,
    TEAMS_JWS_RS256,
    TEAMS_JWS_RS384,
    TEAMS_JWS_RS512
} teams_jws_alg_e;


/* "RS256" etc., or TEAMS_JWS_ALG_UNSET for anything else */
teams_jws_alg_e teams_jws_alg_from_name(const char *name, size_t len);
const char *teams_jws_alg_name(teams_jws_alg_e alg);

/*
 * A public key from the big-endian modulus and exponent.  Refuses a
 * modulus outside TEAMS_RSA_MIN_BITS..TEAMS_RSA_MAX_BITS and an even or
 * tiny exponent.  Returns NULL with *err set to a static reason.
 */
EVP_PKEY *teams_rsa_key_new(const unsigned char *n, size_t nlen,
    const unsigned char *e, size_t elen, const char **err);

/* The modulus size in bits, 0 if pkey is not RSA. */
int teams_rsa_key_bits(const EVP_PKEY *pkey);

/*
 * 1 if sig is a valid RSASSA-PKCS1-v1_5 signature of msg under pkey with
 * alg's hash, else 0.  The signature must be exactly as long as the modulus.
 */
int teams_rsa_verify(EVP_PKEY *pkey, teams_jws_alg_e alg,
    const unsigned char *msg, size_t msglen, const unsigned char *sig,
    size_t siglen);


#endif /* _TEAMS_RSA_H_INCLUDED_ */
