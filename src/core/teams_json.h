
/*
 * A small, strict JSON tree for tokens and key sets, built with yajl's
 * streaming parser.  Unlike yajl_tree it refuses duplicate member names (a
 * JOSE header or claims set with two "alg" or two "aud" members is
 * ambiguous, and parsers disagree on which one wins), keeps string lengths
 * and refuses strings holding NUL, so that C string functions on the values
 * see the whole value.
 */


#ifndef _TEAMS_JSON_H_INCLUDED_
#define _TEAMS_JSON_H_INCLUDED_


#include <stddef.h>


/* members of one object or elements of one array */
#define TEAMS_JSON_MAX_CHILDREN  1024


typedef enum {
    TEAMS_JSON_NULL = 0,
    TEAMS_JSON_BOOL,
    TEAMS_JSON_NUMBER,
    TEAMS_JSON_STRING,
    TEAMS_JSON_ARRAY,
    TEAMS_JSON_OBJECT
} teams_json_type_e;

typedef struct teams_json_s  teams_json_t;

struct teams_json_s {
    teams_json_type_e   type;
    int                 boolean;
    double              number;

    /* a string value, NUL-terminated, or NULL */
    char               *str;
    size_t              len;

    /* the member name when the parent is an object, NUL-terminated */
    char               *key;
    size_t              key_len;

    size_t              nchildren;
    teams_json_t       *child;
    teams_json_t       *last;
    teams_json_t       *next;
    teams_json_t       *parent;

    /* the root's: the memory of the whole tree */
    void               *blocks;
};


/*
 * Parses exactly one JSON value.  Returns the tree, or NULL with *err set
 * to a short static reason.  max_depth bounds nesting (1: no containers
 * inside the top-level value).
 */
teams_json_t *teams_json_parse(const char *text, size_t len,
    size_t max_depth, const char **err);

/* frees a tree teams_json_parse() returned, all of it at once */
void teams_json_free(teams_json_t *v);

/* The member named key of an object, or NULL. */
const teams_json_t *teams_json_get(const teams_json_t *obj, const char *key);

/*
 * The value at a path of member names (a NULL-terminated list), or NULL
 * when a step is missing; teams_json_str() is a member that is a string.
 */
const teams_json_t *teams_json_path(const teams_json_t *v,
    const char *const *path);
const char *teams_json_str(const teams_json_t *obj, const char *key,
    size_t *len);


#endif /* _TEAMS_JSON_H_INCLUDED_ */
