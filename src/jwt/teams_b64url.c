
/*
 * Strict base64url.  A token is signed over its encoded form, so accepting
 * more than one spelling of the same bytes would let a token change without
 * its signature changing; everything unusual is refused instead.
 */


#include "jwt/teams_b64url.h"


/* 0xff marks a character outside the base64url alphabet */
static const unsigned char  teams_b64url_rev[256] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff,   62, 0xff, 0xff,
      52,   53,   54,   55,   56,   57,   58,   59,
      60,   61, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff,    0,    1,    2,    3,    4,    5,    6,
       7,    8,    9,   10,   11,   12,   13,   14,
      15,   16,   17,   18,   19,   20,   21,   22,
      23,   24,   25, 0xff, 0xff, 0xff, 0xff,   63,
    0xff,   26,   27,   28,   29,   30,   31,   32,
      33,   34,   35,   36,   37,   38,   39,   40,
      41,   42,   43,   44,   45,   46,   47,   48,
      49,   50,   51, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static const char  teams_b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


ssize_t
teams_b64url_decode(unsigned char *dst, size_t size, const char *src,
    size_t len)
{
    size_t          i, n, out, rest;
    unsigned char   c[4];
    unsigned char  *p;

    rest = len % 4;

    /* one character alone carries 6 bits, not a whole byte */
    if (rest == 1) {
        return -1;
    }

    out = (len / 4) * 3 + (rest ? rest - 1 : 0);

    if (out > size) {
        return -1;
    }

    p = dst;

    for (i = 0; i < len; i += 4) {
        n = (len - i < 4) ? len - i : 4;

        c[0] = teams_b64url_rev[(unsigned char) src[i]];
        c[1] = teams_b64url_rev[(unsigned char) src[i + 1]];
        c[2] = (n > 2) ? teams_b64url_rev[(unsigned char) src[i + 2]] : 0;
        c[3] = (n > 3) ? teams_b64url_rev[(unsigned char) src[i + 3]] : 0;

        if ((c[0] | c[1] | c[2] | c[3]) & 0xc0) {
            return -1;
        }

        *p++ = (unsigned char) (c[0] << 2 | c[1] >> 4);

        if (n == 2) {
            /* the low 4 bits of the last character are not data */
            if (c[1] & 0x0f) {
                return -1;
            }

            break;
        }

        *p++ = (unsigned char) (c[1] << 4 | c[2] >> 2);

        if (n == 3) {
            if (c[2] & 0x03) {
                return -1;
            }

            break;
        }

        *p++ = (unsigned char) (c[2] << 6 | c[3]);
    }

    return (ssize_t) (p - dst);
}


size_t
teams_b64url_encode(char *dst, const unsigned char *src, size_t len)
{
    char    *p;
    size_t   i;

    p = dst;

    for (i = 0; i + 2 < len; i += 3) {
        *p++ = teams_b64url_chars[src[i] >> 2];
        *p++ = teams_b64url_chars[(src[i] & 0x03) << 4 | src[i + 1] >> 4];
        *p++ = teams_b64url_chars[(src[i + 1] & 0x0f) << 2 | src[i + 2] >> 6];
        *p++ = teams_b64url_chars[src[i + 2] & 0x3f];
    }

    if (len - i == 1) {
        *p++ = teams_b64url_chars[src[i] >> 2];
        *p++ = teams_b64url_chars[(src[i] & 0x03) << 4];

    } else if (len - i == 2) {
        *p++ = teams_b64url_chars[src[i] >> 2];
        *p++ = teams_b64url_chars[(src[i] & 0x03) << 4 | src[i + 1] >> 4];
        *p++ = teams_b64url_chars[(src[i + 1] & 0x0f) << 2];
    }

    *p = '\0';

    return (size_t) (p - dst);
}
