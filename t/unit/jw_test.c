
/*
 * Unit tests: src/core/teams_jw.c (JSON writer) and the helpers added to
 * src/core/teams_json.c.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_jw.h"
#include "core/teams_json.h"
#include "unit.h"


static char *
teams_test_jw_text(teams_jw_t *w)
{
    size_t       len;
    char        *s;
    const char  *text;

    text = teams_jw_finish(w, &len);
    if (text == NULL) {
        return NULL;
    }

    s = malloc(len + 1);
    memcpy(s, text, len);
    s[len] = '\0';

    return s;
}


TEAMS_TEST(jw_nested_values_and_commas)
{
    char        *s;
    teams_jw_t   w;

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "a", "x");
    teams_jw_kint(&w, "n", -42);
    teams_jw_key(&w, "list");
    teams_jw_array(&w);
    teams_jw_int(&w, 1);
    teams_jw_bool(&w, 0);
    teams_jw_null(&w);
    teams_jw_object(&w);
    teams_jw_end(&w);
    teams_jw_end(&w);
    teams_jw_kstr(&w, "none", NULL);
    teams_jw_key(&w, "raw");
    teams_jw_raw(&w, "[1,2]", 5);
    teams_jw_kbool(&w, "t", 1);
    teams_jw_end(&w);

    s = teams_test_jw_text(&w);
    TEAMS_EXPECT_STR_EQ(s, "{\"a\":\"x\",\"n\":-42,\"list\":[1,false,null,{}],"
                           "\"none\":null,\"raw\":[1,2],\"t\":true}");
    free(s);
    free(w.buf);
}


TEAMS_TEST(jw_escapes_and_round_trips)
{
    char                *s;
    size_t               len;
    teams_jw_t           w;
    const char          *err;
    teams_json_t        *v;
    static const char    nasty[] = "q\"b\\n\nt\tc\x01</script>&";

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_jw_object(&w);
    teams_jw_kstr(&w, "k\"", nasty);
    teams_jw_end(&w);

    s = teams_test_jw_text(&w);
    TEAMS_ASSERT_NOT_NULL(s);
    TEAMS_EXPECT(strstr(s, "</script>") == NULL);
    TEAMS_EXPECT_STR_HAS(s, "\\u003c/script\\u003e\\u0026");

    v = teams_json_parse(s, strlen(s), 4, &err);
    TEAMS_ASSERT_NOT_NULL(v);
    TEAMS_EXPECT_STR_EQ(teams_json_str(v, "k\"", &len), nasty);
    TEAMS_EXPECT_INT_EQ(len, sizeof(nasty) - 1);

    teams_json_free(v);
    free(s);
    free(w.buf);
}


/* every byte value, each between plain runs, against a byte-wise writer */
TEAMS_TEST(jw_every_byte_escapes_like_the_rule)
{
    int          c;
    char        *s, in[256 * 3], want[256 * 10 + 3], *p;
    size_t       n;
    teams_jw_t   w;

    p = want;
    *p++ = '"';

    for (c = 0, n = 0; c < 256; c++) {
        in[n++] = 'a';
        in[n++] = (char) c;
        in[n++] = 'z';
        *p++ = 'a';

        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char) c;

        } else if (c == '\n' || c == '\r' || c == '\t') {
            *p++ = '\\';
            *p++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';

        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
            p += sprintf(p, "\\u%04x", c);

        } else {
            *p++ = (char) c;
        }

        *p++ = 'z';
    }

    *p++ = '"';
    *p = '\0';

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_jw_strn(&w, in, n);

    s = teams_test_jw_text(&w);
    TEAMS_ASSERT_NOT_NULL(s);
    TEAMS_EXPECT_INT_EQ(strlen(s), strlen(want));
    TEAMS_EXPECT_STR_EQ(s, want);
    free(s);
    free(w.buf);
}


TEAMS_TEST(jw_unbalanced_is_an_error)
{
    size_t      len;
    teams_jw_t  w;

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_jw_object(&w);
    TEAMS_EXPECT(teams_jw_finish(&w, &len) == NULL);
    teams_jw_end(&w);
    teams_jw_end(&w);
    TEAMS_EXPECT(teams_jw_finish(&w, &len) == NULL);
    free(w.buf);
}


TEAMS_TEST(jw_grows_past_the_first_block)
{
    int          i;
    char        *s;
    teams_jw_t   w;

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_jw_array(&w);

    for (i = 0; i < 1000; i++) {
        teams_jw_str(&w, "0123456789");
    }

    teams_jw_end(&w);

    s = teams_test_jw_text(&w);
    TEAMS_ASSERT_NOT_NULL(s);
    TEAMS_EXPECT_INT_EQ(strlen(s), 2 + 1000 * 13 - 1);   /* "…" and a comma */
    free(s);
    free(w.buf);
}


TEAMS_TEST(json_path_and_str)
{
    const char          *err;
    teams_json_t        *v;
    const teams_json_t  *t;
    static const char   *path[] = { "channelData", "tenant", "id", NULL };
    static const char    doc[] =
        "{\"channelData\":{\"tenant\":{\"id\":\"t-1\"}},\"n\":1}";

    v = teams_json_parse(doc, sizeof(doc) - 1, 8, &err);
    TEAMS_ASSERT_NOT_NULL(v);

    t = teams_json_path(v, path);
    TEAMS_ASSERT_NOT_NULL(t);
    TEAMS_EXPECT_STR_EQ(t->str, "t-1");
    TEAMS_EXPECT(teams_json_str(v, "n", NULL) == NULL);
    TEAMS_EXPECT(teams_json_str(v, "missing", NULL) == NULL);

    teams_json_free(v);
}
