
/*
 * Bounded parts of idempotency keys (see teams_key.h).
 */


#include <string.h>

#include <openssl/evp.h>

#include "core/teams_key.h"


char *
teams_key_part(char *out, const char *s, size_t len)
{
    size_t               i;
    unsigned int         mdlen;
    unsigned char        md[EVP_MAX_MD_SIZE];
    static const char    hex[] = "0123456789abcdef";

    if (len <= TEAMS_KEY_PART_MAX) {
        memcpy(out, s, len);
        out[len] = '\0';
        return out;
    }

    /* 32 bytes, so exactly TEAMS_KEY_PART_MAX hex digits */
    if (EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL) != 1
        || 2 * mdlen != TEAMS_KEY_PART_MAX)
    {
        return NULL;
    }

    for (i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0x0f];
    }

    out[2 * mdlen] = '\0';

    return out;
}
