
/*
 * Helpers for the src/jwt/ unit tests: RSA keys made on the spot, JWK sets
 * for them and compact tokens signed with them.  Results are malloc()ed.
 */


#ifndef _JWT_TESTLIB_H_INCLUDED_
#define _JWT_TESTLIB_H_INCLUDED_


#include <stddef.h>

#include <openssl/evp.h>


EVP_PKEY *jwt_test_key(int bits);

/* {"keys":[{"kty":"RSA","kid":kid,"n":..,"e":.. <extra>}]} */
char *jwt_test_jwks(EVP_PKEY *key, const char *kid, const char *extra);

/* the base64url of len bytes */
char *jwt_test_b64(const void *data, size_t len);

/* header.payload.signature with alg "RS256", "RS384" or "RS512" */
char *jwt_test_sign(EVP_PKEY *key, const char *alg, const char *header,
    const char *payload);

/* a data file's whole contents, NUL-terminated */
char *jwt_test_read_file(const char *name, size_t *len);


#endif /* _JWT_TESTLIB_H_INCLUDED_ */
