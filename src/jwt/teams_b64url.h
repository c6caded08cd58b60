
/*
 * Strict base64url (RFC 4648 section 5) as JWS compact serialization uses
 * it: no padding, no white space, nothing outside the alphabet, and the
 * unused low bits of the last character must be zero, so that every byte
 * string has exactly one accepted encoding.
 */


#ifndef _TEAMS_B64URL_H_INCLUDED_
#define _TEAMS_B64URL_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


/* The most bytes decoding len characters can give. */
#define teams_b64url_decoded_len(len)  (((len) / 4) * 3 + 2)

/* The characters encoding len bytes takes, without a terminating NUL. */
#define teams_b64url_encoded_len(len)  (((len) / 3) * 4 + ((len) % 3) \
                                        + ((len) % 3 != 0))

/*
 * Decodes src into dst, which holds size bytes.  Returns the decoded length,
 * or -1 if src is not canonical base64url or does not fit.
 */
ssize_t teams_b64url_decode(unsigned char *dst, size_t size, const char *src,
    size_t len);

/*
 * Encodes len bytes into dst, which must hold teams_b64url_encoded_len(len)
 * characters plus one for the terminating NUL.  Returns the length.
 */
size_t teams_b64url_encode(char *dst, const unsigned char *src, size_t len);


#endif /* _TEAMS_B64URL_H_INCLUDED_ */
