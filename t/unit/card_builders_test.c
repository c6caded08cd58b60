
/*
 * Unit tests: every card builder writes valid JSON (read back with
 * teams_json), an AdaptiveCard of version 1.5, and stays under 28 KB even
 * on very long inputs.  With TEAMS_CARD_DUMP_DIR set each card is also
 * written there, so t/074-card-checker.t can run the adaptivecards parser
 * over them.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_json.h"
#include "core/teams_jw.h"
#include "psa/teams_action.h"
#include "teams/teams_card.h"
#include "unit.h"


#define TEAMS_EXPECT_NOT_NULL(p)  TEAMS_EXPECT((p) != NULL)
#define TEAMS_EXPECT_NULL(p)      TEAMS_EXPECT((p) == NULL)


#define TEAMS_CT_LONG  100000


static const char *const  teams_ct_perms[] = {
    "ticket:read", "ticket:update", "timeentry:create", "timesheet:approve",
    "project_task:read", "project_task:update"
};

static const char *const  teams_ct_allowed[] = {
    "assign_ticket", "add_note", "reply_to_contact", "log_time",
    "approval_response"
};

static const char *const  teams_ct_caps[] = {
    "personal_bot", "message_extension"
};


static void
teams_ct_ctx(teams_card_ctx_t *cc)
{
    memset(cc, 0, sizeof(teams_card_ctx_t));
    cc->links.psa_base_url = "https://psa.example";
    cc->links.app_id = "a99a0000-0000-4000-8000-00000000000a";
    cc->perms = teams_ct_perms;
    cc->nperms = sizeof(teams_ct_perms) / sizeof(teams_ct_perms[0]);
    cc->allowed = teams_ct_allowed;
    cc->nallowed = sizeof(teams_ct_allowed) / sizeof(teams_ct_allowed[0]);
    cc->caps = teams_ct_caps;
    cc->ncaps = 2;
    cc->viewer_mri = "29:viewer";
    cc->nonce = "0123456789abcdef0123456789abcdef";
}


static char *
teams_ct_long(char c)
{
    char  *s;

    s = malloc(TEAMS_CT_LONG + 1);
    if (s == NULL) {
        abort();
    }

    memset(s, c, TEAMS_CT_LONG);
    s[TEAMS_CT_LONG] = '\0';

    return s;
}


/* checks the card in w; returns 0 when it is good */
static int
teams_ct_check(teams_jw_t *w, const char *name)
{
    int            rc;
    FILE          *f;
    char           path[512];
    size_t         len;
    const char    *text, *dir, *err;
    teams_json_t  *card;

    rc = -1;
    text = teams_jw_finish(w, &len);
    TEAMS_EXPECT_NOT_NULL(text);

    if (text == NULL) {
        goto done;
    }

    TEAMS_EXPECT(len < TEAMS_CARD_MAX_SIZE);

    card = teams_json_parse(text, len, 64, &err);
    TEAMS_EXPECT_NOT_NULL(card);

    if (card == NULL) {
        goto done;
    }

    TEAMS_EXPECT_STR_EQ(teams_json_str(card, "type", NULL), "AdaptiveCard");
    TEAMS_EXPECT_STR_EQ(teams_json_str(card, "version", NULL), "1.5");
    teams_json_free(card);

    dir = getenv("TEAMS_CARD_DUMP_DIR");
    if (dir != NULL && dir[0] != '\0') {
        snprintf(path, sizeof(path), "%s/%s.json", dir, name);
        f = fopen(path, "w");
        if (f != NULL) {
            fwrite(text, 1, len, f);
            fclose(f);
        }
    }

    rc = len < TEAMS_CARD_MAX_SIZE ? 0 : -1;

done:

    free(w->buf);
    return rc;
}


TEAMS_TEST(card_text_help)
{
    size_t       i;
    char        *big;
    teams_jw_t   w;

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_text(&w, "Title", "Some *markdown* text");
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "text"), 0);

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_text(&w, NULL, "no title");
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "text-notitle"), 0);

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_help(&w);
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "help"), 0);

    big = teams_ct_long('x');
    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_text(&w, big, big);
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "text-long"), 0);

    /* multi-byte characters are cut on a character boundary */
    memset(big, 0, TEAMS_CT_LONG);
    for (i = 0; i + 2 < TEAMS_CT_LONG; i += 2) {
        big[i] = (char) 0xc3;
        big[i + 1] = (char) 0xa9;
    }
    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_text(&w, big, big);
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "text-long-utf8"), 0);
    free(big);
}


/* JSON text with %s replaced by a long string */
static teams_json_t *
teams_ct_json(const char *fmt, const char *s)
{
    char          *text;
    size_t         n;
    const char    *err;
    teams_json_t  *v;

    n = strlen(fmt) + strlen(s) * 8 + 1;
    text = malloc(n);
    if (text == NULL) {
        abort();
    }

    snprintf(text, n, fmt, s, s, s, s, s, s, s, s);
    v = teams_json_parse(text, strlen(text), 16, &err);
    free(text);

    return v;
}


TEAMS_TEST(card_list_record_thumbnail)
{
    int                  i;
    char                *big, *items;
    size_t               off;
    teams_jw_t           w;
    teams_json_t        *v;
    teams_card_ctx_t     cc;
    const char          *kinds[] = { "ticket", "task", "contact", "approval",
                                     "entry" };

    teams_ct_ctx(&cc);

    v = teams_ct_json("[{\"kind\":\"ticket\",\"id\":\"a5000000-0000-4000-"
                      "8000-000000000001\",\"title\":\"%s\"}]", "TIC1 · x");
    TEAMS_ASSERT_NOT_NULL(v);
    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_list(&w, &cc, "Your open tickets", v, "none");
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "list"), 0);

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_thumbnail(&w, &cc, v->child);
    TEAMS_EXPECT(teams_jw_finish(&w, &off) != NULL);
    free(w.buf);
    teams_json_free(v);

    v = teams_ct_json("[]", "");
    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_list(&w, &cc, "Empty", v, "Nothing here.");
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "list-empty"), 0);
    teams_json_free(v);

    /* 500 items with long titles: still under the bound */
    big = teams_ct_long('t');
    big[2000] = '\0';
    items = malloc(500 * 4200 + 16);
    TEAMS_ASSERT_NOT_NULL(items);
    off = 0;
    items[off++] = '[';
    for (i = 0; i < 500; i++) {
        off += sprintf(items + off, "%s{\"kind\":\"ticket\",\"id\":\"%d\","
                       "\"title\":\"%s\",\"subtitle\":\"%s\"}",
                       i ? "," : "", i, big, big);
    }
    items[off++] = ']';
    items[off] = '\0';
    v = teams_json_parse(items, off, 16, NULL);
    TEAMS_ASSERT_NOT_NULL(v);
    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_card_list(&w, &cc, big, v, "none");
    TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, "list-long"), 0);
    teams_json_free(v);
    free(items);
    big[2000] = 't';

    /* records of every kind, with long facts */
    for (i = 0; i < 5; i++) {
        char  name[32], fmt[512];

        snprintf(fmt, sizeof(fmt), "{\"kind\":\"%s\",\"id\":\"a5000000-"
                 "0000-4000-8000-000000000001\",\"extra\":\"p1\","
                 "\"number\":\"TIC1\",\"status\":\"SUBMITTED\","
                 "\"title\":\"%%s\",\"subtitle\":\"%%s\",\"facts\":["
                 "{\"t\":\"%%s\",\"v\":\"%%s\"},{\"t\":\"a\",\"v\":null}]}",
                 kinds[i]);
        big[20000] = '\0';
        v = teams_ct_json(fmt, big);
        big[20000] = 't';
        TEAMS_ASSERT_NOT_NULL(v);

        teams_jw_init(&w, teams_jw_malloc, NULL);
        teams_card_record(&w, &cc, v);
        snprintf(name, sizeof(name), "record-%s", kinds[i]);
        TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, name), 0);

        teams_jw_init(&w, teams_jw_malloc, NULL);
        teams_card_confirm(&w, &cc, big, big, v);
        snprintf(name, sizeof(name), "confirm-%s", kinds[i]);
        TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, name), 0);

        teams_jw_init(&w, teams_jw_malloc, NULL);
        teams_card_thumbnail(&w, &cc, v);
        TEAMS_EXPECT(teams_jw_finish(&w, &off) != NULL
                     && off < TEAMS_CARD_MAX_SIZE);
        free(w.buf);

        teams_json_free(v);
    }

    free(big);
}


TEAMS_TEST(card_forms_every_action)
{
    int                          dialog;
    char                        *big, name[64];
    teams_action_e               id;
    teams_jw_t                   w;
    teams_args_t                 args;
    teams_json_t                *choices;
    teams_card_ctx_t             cc;
    teams_field_error_t          errs[4];
    const teams_action_def_t    *def;
    const teams_action_input_t  *in;

    teams_ct_ctx(&cc);
    big = teams_ct_long('n');
    choices = teams_ct_json("[{\"title\":\"%s\",\"value\":\"c1\"},"
                            "{\"title\":\"Other\",\"value\":\"c2\"}]",
                            "Client");
    TEAMS_ASSERT_NOT_NULL(choices);

    for (id = TEAMS_ACTION_NONE + 1; id < TEAMS_ACTION_N; id++) {
        def = teams_action_get(id);

        if (def == NULL || !def->mutates) {
            continue;
        }

        for (dialog = 0; dialog < 2; dialog++) {
            cc.dialog = dialog;

            /* empty, with field errors */
            memset(&args, 0, sizeof(args));
            errs[0].input = def->inputs[0].name;
            errs[0].message = "This field is required.";
            teams_jw_init(&w, teams_jw_malloc, NULL);
            teams_card_form(&w, &cc, def, &args, errs, 1, choices,
                            "An intro line.");
            snprintf(name, sizeof(name), "form-%s-%d", def->name, dialog);
            TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, name), 0);

            /* every input prefilled with 100 KB */
            for (in = def->inputs; in->name != NULL; in++) {
                teams_args_set(&args, in->name, big, TEAMS_CT_LONG);
            }

            teams_jw_init(&w, teams_jw_malloc, NULL);
            teams_card_form(&w, &cc, def, &args, NULL, 0, choices, big);
            snprintf(name, sizeof(name), "form-%s-%d-long", def->name,
                     dialog);
            TEAMS_EXPECT_INT_EQ(teams_ct_check(&w, name), 0);
        }
    }

    teams_json_free(choices);
    free(big);
}
