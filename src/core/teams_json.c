
/*
 * Strict JSON tree on top of yajl's streaming parser.  yajl validates the
 * grammar and UTF-8; the callbacks here add what yajl_tree lacks: duplicate
 * member names, NUL inside strings, nesting and width limits.
 */


#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "core/teams_json.h"


/*
 * A tree lives in blocks of its own, freed at once with the root: a
 * request's activity, a token and a statement's result are each parsed,
 * read and dropped, and a malloc() and free() per value cost more than
 * the parse.
 */
typedef struct teams_json_block_s  teams_json_block_t;

struct teams_json_block_s {
    teams_json_block_t  *next;
    size_t               used;
    size_t               size;
};

#define TEAMS_JSON_ALIGN   16
#define TEAMS_JSON_HEADER  ((sizeof(teams_json_block_t) + TEAMS_JSON_ALIGN \
                             - 1) & ~(size_t) (TEAMS_JSON_ALIGN - 1))
#define TEAMS_JSON_BLOCK   4096


typedef struct {
    teams_json_block_t  *blocks;
    teams_json_t        *root;
    teams_json_t        *cur;
    char                *key;
    size_t               key_len;
    size_t               depth;
    size_t               max_depth;
    const char          *err;
} teams_json_ctx_t;


static void *teams_json_alloc(teams_json_ctx_t *ctx, size_t size);
static void teams_json_free_blocks(teams_json_block_t *b);
static teams_json_t *teams_json_node(teams_json_ctx_t *ctx,
    teams_json_type_e type);
static int teams_json_on_null(void *data);
static int teams_json_on_bool(void *data, int b);
static int teams_json_on_number(void *data, const char *s, size_t len);
static int teams_json_on_string(void *data, const unsigned char *s,
    size_t len);
static int teams_json_on_start_map(void *data);
static int teams_json_open(teams_json_ctx_t *ctx, teams_json_type_e type);
static int teams_json_on_key(void *data, const unsigned char *s, size_t len);
static int teams_json_on_end(void *data);
static int teams_json_on_start_array(void *data);


static const yajl_callbacks  teams_json_callbacks = {
    teams_json_on_null,
    teams_json_on_bool,
    NULL,
    NULL,
    teams_json_on_number,
    teams_json_on_string,
    teams_json_on_start_map,
    teams_json_on_key,
    teams_json_on_end,
    teams_json_on_start_array,
    teams_json_on_end
};


teams_json_t *
teams_json_parse(const char *text, size_t len, size_t max_depth,
    const char **err)
{
    yajl_status        rc;
    yajl_handle        h;
    teams_json_ctx_t   ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.max_depth = max_depth;

    h = yajl_alloc(&teams_json_callbacks, NULL, &ctx);
    if (h == NULL) {
        *err = "out of memory";
        return NULL;
    }

    rc = yajl_parse(h, (const unsigned char *) text, len);

    if (rc == yajl_status_ok) {
        rc = yajl_complete_parse(h);
    }

    yajl_free(h);

    if (rc != yajl_status_ok || ctx.root == NULL || ctx.cur != NULL) {
        *err = (ctx.err != NULL) ? ctx.err : "invalid JSON";
        teams_json_free_blocks(ctx.blocks);
        return NULL;
    }

    ctx.root->blocks = ctx.blocks;

    return ctx.root;
}


static void *
teams_json_alloc(teams_json_ctx_t *ctx, size_t size)
{
    size_t               want;
    teams_json_block_t  *b;

    size = (size + TEAMS_JSON_ALIGN - 1) & ~(size_t) (TEAMS_JSON_ALIGN - 1);
    b = ctx->blocks;

    if (b == NULL || b->size - b->used < size) {
        want = b ? b->size * 2 : TEAMS_JSON_BLOCK;

        if (want < size) {
            want = size;
        }

        b = malloc(TEAMS_JSON_HEADER + want);
        if (b == NULL) {
            ctx->err = "out of memory";
            return NULL;
        }

        b->next = ctx->blocks;
        b->used = 0;
        b->size = want;
        ctx->blocks = b;
    }

    b->used += size;

    return (char *) b + TEAMS_JSON_HEADER + b->used - size;
}


static void
teams_json_free_blocks(teams_json_block_t *b)
{
    teams_json_block_t  *next;

    for ( /* void */ ; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
}


void
teams_json_free(teams_json_t *v)
{
    if (v != NULL) {
        teams_json_free_blocks(v->blocks);
    }
}


const teams_json_t *
teams_json_get(const teams_json_t *obj, const char *key)
{
    size_t               len;
    const teams_json_t  *c;

    if (obj == NULL || obj->type != TEAMS_JSON_OBJECT) {
        return NULL;
    }

    len = strlen(key);

    for (c = obj->child; c != NULL; c = c->next) {
        if (c->key_len == len && memcmp(c->key, key, len) == 0) {
            return c;
        }
    }

    return NULL;
}


/* a new value, attached to the open container or made the root */

static teams_json_t *
teams_json_node(teams_json_ctx_t *ctx, teams_json_type_e type)
{
    teams_json_t  *v, *p;

    p = ctx->cur;

    if (p == NULL && ctx->root != NULL) {
        ctx->err = "more than one JSON value";
        return NULL;
    }

    if (p != NULL && p->nchildren >= TEAMS_JSON_MAX_CHILDREN) {
        ctx->err = "too many JSON members or elements";
        return NULL;
    }

    if (p != NULL && p->type == TEAMS_JSON_OBJECT && ctx->key == NULL) {
        ctx->err = "invalid JSON";
        return NULL;
    }

    v = teams_json_alloc(ctx, sizeof(teams_json_t));
    if (v == NULL) {
        return NULL;
    }

    memset(v, 0, sizeof(teams_json_t));

    v->type = type;

    if (p == NULL) {
        ctx->root = v;
        return v;
    }

    if (p->type == TEAMS_JSON_OBJECT) {
        v->key = ctx->key;
        v->key_len = ctx->key_len;
        ctx->key = NULL;
    }

    v->parent = p;

    if (p->last == NULL) {
        p->child = v;

    } else {
        p->last->next = v;
    }

    p->last = v;
    p->nchildren++;

    return v;
}


static int
teams_json_on_null(void *data)
{
    return teams_json_node(data, TEAMS_JSON_NULL) != NULL;
}


static int
teams_json_on_bool(void *data, int b)
{
    teams_json_t  *v;

    v = teams_json_node(data, TEAMS_JSON_BOOL);
    if (v == NULL) {
        return 0;
    }

    v->boolean = b ? 1 : 0;

    return 1;
}


static int
teams_json_on_number(void *data, const char *s, size_t len)
{
    char               buf[64], *end;
    double             d;
    teams_json_t      *v;
    teams_json_ctx_t  *ctx;

    ctx = data;

    /* yajl has checked the grammar; longer numbers are not claims we use */
    if (len >= sizeof(buf)) {
        ctx->err = "JSON number too long";
        return 0;
    }

    memcpy(buf, s, len);
    buf[len] = '\0';

    errno = 0;
    d = strtod(buf, &end);

    if (end != buf + len || errno == ERANGE || !isfinite(d)) {
        ctx->err = "JSON number out of range";
        return 0;
    }

    v = teams_json_node(ctx, TEAMS_JSON_NUMBER);
    if (v == NULL) {
        return 0;
    }

    v->number = d;

    return 1;
}


static int
teams_json_on_string(void *data, const unsigned char *s, size_t len)
{
    teams_json_t      *v;
    teams_json_ctx_t  *ctx;

    ctx = data;

    if (memchr(s, '\0', len) != NULL) {
        ctx->err = "NUL in a JSON string";
        return 0;
    }

    v = teams_json_node(ctx, TEAMS_JSON_STRING);
    if (v == NULL) {
        return 0;
    }

    v->str = teams_json_alloc(ctx, len + 1);
    if (v->str == NULL) {
        return 0;
    }

    memcpy(v->str, s, len);
    v->str[len] = '\0';
    v->len = len;

    return 1;
}


static int
teams_json_on_start_map(void *data)
{
    return teams_json_open(data, TEAMS_JSON_OBJECT);
}


static int
teams_json_on_start_array(void *data)
{
    return teams_json_open(data, TEAMS_JSON_ARRAY);
}


/* an object or an array begins: a node one level deeper */

static int
teams_json_open(teams_json_ctx_t *ctx, teams_json_type_e type)
{
    teams_json_t  *v;

    if (ctx->depth >= ctx->max_depth) {
        ctx->err = "JSON nested too deeply";
        return 0;
    }

    v = teams_json_node(ctx, type);
    if (v == NULL) {
        return 0;
    }

    ctx->depth++;
    ctx->cur = v;

    return 1;
}


static int
teams_json_on_key(void *data, const unsigned char *s, size_t len)
{
    teams_json_t      *c;
    teams_json_ctx_t  *ctx;

    ctx = data;

    if (memchr(s, '\0', len) != NULL) {
        ctx->err = "NUL in a JSON member name";
        return 0;
    }

    /* names compare after unescaping: "a" and "\u0061" are the same */
    for (c = ctx->cur->child; c != NULL; c = c->next) {
        if (c->key_len == len && memcmp(c->key, s, len) == 0) {
            ctx->err = "duplicate JSON member name";
            return 0;
        }
    }

    ctx->key = teams_json_alloc(ctx, len + 1);
    if (ctx->key == NULL) {
        return 0;
    }

    memcpy(ctx->key, s, len);
    ctx->key[len] = '\0';
    ctx->key_len = len;

    return 1;
}


static int
teams_json_on_end(void *data)
{
    teams_json_ctx_t  *ctx;

    ctx = data;

    ctx->depth--;
    ctx->cur = ctx->cur->parent;

    return 1;
}


const teams_json_t *
teams_json_path(const teams_json_t *v, const char *const *path)
{
    for ( /* void */ ; v != NULL && *path != NULL; path++) {
        v = teams_json_get(v, *path);
    }

    return v;
}


const char *
teams_json_str(const teams_json_t *obj, const char *key, size_t *len)
{
    const teams_json_t  *v;

    v = teams_json_get(obj, key);

    if (v == NULL || v->type != TEAMS_JSON_STRING) {
        return NULL;
    }

    if (len != NULL) {
        *len = v->len;
    }

    return v->str;
}
