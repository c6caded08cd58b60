
/*
 * JSON writer.  Escapes everything below 0x20, the quote and the backslash,
 * and also "<", ">" and "&" as \u escapes, so a value can never close a
 * surrounding HTML script block in the tab page.  Bytes of 0x80 and above
 * pass through: input is UTF-8 from PostgreSQL or from a parsed request.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_jw.h"


static int teams_jw_grow(teams_jw_t *w, size_t need);
static void teams_jw_put(teams_jw_t *w, const char *s, size_t len);
static void teams_jw_sep(teams_jw_t *w);


void
teams_jw_init(teams_jw_t *w, teams_jw_alloc_pt alloc, void *ctx)
{
    memset(w, 0, sizeof(teams_jw_t));
    w->alloc = alloc;
    w->ctx = ctx;
}


void *
teams_jw_malloc(void *ctx, size_t size)
{
    /* the worker and the tests free w->buf themselves */
    return malloc(size);
}


static int
teams_jw_grow(teams_jw_t *w, size_t need)
{
    char    *p;
    size_t   cap;

    if (w->failed) {
        return -1;
    }

    if (w->len + need <= w->cap) {
        return 0;
    }

    cap = w->cap ? w->cap * 2 : 512;

    while (cap < w->len + need) {
        cap *= 2;
    }

    p = w->alloc(w->ctx, cap);
    if (p == NULL) {
        w->failed = 1;
        return -1;
    }

    if (w->len) {
        memcpy(p, w->buf, w->len);
    }

    /* pool memory is released with the pool; malloc'd memory here */
    if (w->alloc == teams_jw_malloc) {
        free(w->buf);
    }

    w->buf = p;
    w->cap = cap;

    return 0;
}


static void
teams_jw_put(teams_jw_t *w, const char *s, size_t len)
{
    if (teams_jw_grow(w, len) != 0) {
        return;
    }

    memcpy(w->buf + w->len, s, len);
    w->len += len;
}


static void
teams_jw_sep(teams_jw_t *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }

    if (w->depth == 0) {
        return;
    }

    if (w->first[w->depth - 1]) {
        w->first[w->depth - 1] = 0;
        return;
    }

    teams_jw_put(w, ",", 1);
}


static void
teams_jw_open(teams_jw_t *w, const char *open, char close)
{
    teams_jw_sep(w);

    if (w->depth == TEAMS_JW_MAX_DEPTH) {
        w->failed = 1;
        return;
    }

    teams_jw_put(w, open, 1);
    w->first[w->depth] = 1;
    w->closer[w->depth++] = close;
}


void
teams_jw_object(teams_jw_t *w)
{
    teams_jw_open(w, "{", '}');
}


void
teams_jw_array(teams_jw_t *w)
{
    teams_jw_open(w, "[", ']');
}


void
teams_jw_end(teams_jw_t *w)
{
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }

    w->depth--;
    teams_jw_put(w, &w->closer[w->depth], 1);
}


/*
 * The bytes a character adds when escaped: 1 for the short escapes, 5 for
 * a \u00XX one, 0 for a byte copied as it is (bytes of 0x80 and above).
 */
static const unsigned char  teams_jw_extra[256] = {
    5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 5, 5, 1, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* " & */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 5, 0,     /* < > */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,     /* \ */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,     /* DEL */
};


/*
 * One pass: room for the string as it is, copied in runs; each escape
 * makes room for itself and for the rest, so most strings, which need no
 * escape, are scanned once and copied once.
 */
void
teams_jw_strn(teams_jw_t *w, const char *s, size_t len)
{
    char                   *p;
    size_t                  i, run;
    const unsigned char    *u = (const unsigned char *) s;
    static const char       hex[] = "0123456789abcdef";

    teams_jw_sep(w);

    if (len > SIZE_MAX / 2 || teams_jw_grow(w, len + 2) != 0) {
        w->failed = 1;
        return;
    }

    w->buf[w->len++] = '"';

    for (i = 0; /* void */; i = run + 1) {

        for (run = i; run < len && teams_jw_extra[u[run]] == 0; run++) {
            /* void */
        }

        memcpy(w->buf + w->len, s + i, run - i);
        w->len += run - i;

        if (run == len) {
            break;
        }

        /* the escape, the bytes still to copy and the closing quote */
        if (teams_jw_grow(w, 6 + (len - run - 1) + 1) != 0) {
            return;
        }

        p = w->buf + w->len;
        *p++ = '\\';

        switch (u[run]) {
        case '"':
        case '\\':
            *p++ = (char) u[run];
            break;
        case '\n':
            *p++ = 'n';
            break;
        case '\r':
            *p++ = 'r';
            break;
        case '\t':
            *p++ = 't';
            break;
        default:
            *p++ = 'u';
            *p++ = '0';
            *p++ = '0';
            *p++ = hex[u[run] >> 4];
            *p++ = hex[u[run] & 0x0f];
        }

        w->len = p - w->buf;
    }

    w->buf[w->len++] = '"';
}


void
teams_jw_str(teams_jw_t *w, const char *s)
{
    if (s == NULL) {
        teams_jw_null(w);
        return;
    }

    teams_jw_strn(w, s, strlen(s));
}


void
teams_jw_key(teams_jw_t *w, const char *key)
{
    teams_jw_strn(w, key, strlen(key));
    teams_jw_put(w, ":", 1);
    w->after_key = 1;
}


void
teams_jw_int(teams_jw_t *w, int64_t n)
{
    char  num[24];
    int   len;

    teams_jw_sep(w);
    len = snprintf(num, sizeof(num), "%lld", (long long) n);
    teams_jw_put(w, num, len);
}


void
teams_jw_bool(teams_jw_t *w, int b)
{
    teams_jw_sep(w);
    teams_jw_put(w, b ? "true" : "false", b ? 4 : 5);
}


void
teams_jw_null(teams_jw_t *w)
{
    teams_jw_sep(w);
    teams_jw_put(w, "null", 4);
}


void
teams_jw_raw(teams_jw_t *w, const char *json, size_t len)
{
    teams_jw_sep(w);
    teams_jw_put(w, json, len);
}


void
teams_jw_kstr(teams_jw_t *w, const char *key, const char *s)
{
    teams_jw_key(w, key);
    teams_jw_str(w, s);
}


void
teams_jw_kint(teams_jw_t *w, const char *key, int64_t n)
{
    teams_jw_key(w, key);
    teams_jw_int(w, n);
}


void
teams_jw_kbool(teams_jw_t *w, const char *key, int b)
{
    teams_jw_key(w, key);
    teams_jw_bool(w, b);
}


const char *
teams_jw_finish(teams_jw_t *w, size_t *len)
{
    if (w->failed || w->depth != 0 || w->buf == NULL) {
        return NULL;
    }

    *len = w->len;

    return w->buf;
}
