
/*
 * A JSON writer: values are appended to a growing buffer with commas and
 * escaping handled here, so no caller builds JSON by string pasting.  The
 * memory comes from the caller's allocator (an nginx pool in the module,
 * malloc in the worker and the tests); a failed allocation sticks, and is
 * reported once by teams_jw_finish().
 */


#ifndef _TEAMS_JW_H_INCLUDED_
#define _TEAMS_JW_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define TEAMS_JW_MAX_DEPTH  32


/* returns a block of at least size bytes, or NULL */
typedef void *(*teams_jw_alloc_pt)(void *ctx, size_t size);


typedef struct {
    char               *buf;
    size_t              len;
    size_t              cap;
    teams_jw_alloc_pt   alloc;
    void               *ctx;
    unsigned            depth;
    unsigned            failed:1;
    unsigned            after_key:1;
    unsigned char       first[TEAMS_JW_MAX_DEPTH];
    char                closer[TEAMS_JW_MAX_DEPTH];
} teams_jw_t;


void teams_jw_init(teams_jw_t *w, teams_jw_alloc_pt alloc, void *ctx);

void teams_jw_object(teams_jw_t *w);
void teams_jw_array(teams_jw_t *w);
void teams_jw_end(teams_jw_t *w);

void teams_jw_key(teams_jw_t *w, const char *key);
void teams_jw_str(teams_jw_t *w, const char *s);
void teams_jw_strn(teams_jw_t *w, const char *s, size_t len);
void teams_jw_int(teams_jw_t *w, int64_t n);
void teams_jw_bool(teams_jw_t *w, int b);
void teams_jw_null(teams_jw_t *w);
/* already-serialized JSON (e.g. a jsonb column); the caller vouches for it */
void teams_jw_raw(teams_jw_t *w, const char *json, size_t len);

/* key + value in one call; a NULL string writes null */
void teams_jw_kstr(teams_jw_t *w, const char *key, const char *s);
void teams_jw_kint(teams_jw_t *w, const char *key, int64_t n);
void teams_jw_kbool(teams_jw_t *w, const char *key, int b);

/* the text (not NUL-terminated) and its length; NULL if anything failed */
const char *teams_jw_finish(teams_jw_t *w, size_t *len);

/* for the worker and tests */
void *teams_jw_malloc(void *ctx, size_t size);


#endif /* _TEAMS_JW_H_INCLUDED_ */
