
/*
 * The notifications preference card and the reading of its submission
 * (src/notify/teams_notify_prefs.c), and the delivery filter checks.  With
 * TEAMS_UNIT_CARD_DIR set, the cards are also written there, for
 * node t/cards/check.js on each file.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "core/teams_json.h"
#include "notify/teams_notify.h"
#include "notify/teams_notify_filter.h"
#include "notify/teams_notify_prefs.h"


static char *
notify_prefs_card_text(const teams_notify_prefs_t *p, const char *notice,
    const char *name)
{
    char         path[512], *out;
    size_t       len;
    FILE        *f;
    teams_jw_t   w;
    const char  *dir, *text;

    teams_jw_init(&w, teams_jw_malloc, NULL);
    teams_notify_prefs_card(&w, p, notice);
    text = teams_jw_finish(&w, &len);

    if (text == NULL) {
        free(w.buf);
        return NULL;
    }

    out = malloc(len + 1);
    if (out != NULL) {
        memcpy(out, text, len);
        out[len] = '\0';
    }

    free(w.buf);

    dir = getenv("TEAMS_UNIT_CARD_DIR");

    if (out != NULL && dir != NULL) {
        snprintf(path, sizeof(path), "%s/%s.json", dir, name);
        f = fopen(path, "w");
        if (f != NULL) {
            fputs(out, f);
            fclose(f);
        }
    }

    return out;
}


TEAMS_TEST(notify_prefs_card)
{
    char                 *s;
    const char           *err;
    teams_json_t         *card;
    const teams_json_t   *body, *c, *a;
    teams_notify_prefs_t  p;
    unsigned              toggles, bits;

    /* assignment (on), customer_reply (off), sla_risk (on) offered */
    p.offered = teams_notify_prefs_bit("assignment", 10)
                | teams_notify_prefs_bit("customer_reply", 14)
                | teams_notify_prefs_bit("sla_risk", 8);
    p.on = teams_notify_prefs_bit("assignment", 10)
           | teams_notify_prefs_bit("sla_risk", 8)
           | teams_notify_prefs_bit("escalation", 10);

    s = notify_prefs_card_text(&p, "Saved.", "notify-prefs-three");
    TEAMS_UNIT_CHECK(s != NULL, return, "card built");

    card = teams_json_parse(s, strlen(s), 16, &err);
    TEAMS_UNIT_CHECK(card != NULL, free(s); return, "card parses: %s", err);

    TEAMS_UNIT_STR_EQ(teams_json_str(card, "type", NULL), "AdaptiveCard",
                      goto done);
    TEAMS_UNIT_STR_EQ(teams_json_str(card, "version", NULL), "1.5",
                      goto done);
    TEAMS_UNIT_STR_HAS(s, "\"text\":\"Saved.\"", goto done);

    body = teams_json_get(card, "body");
    TEAMS_UNIT_CHECK(body && body->type == TEAMS_JSON_ARRAY, goto done,
                     "body");

    toggles = 0;
    bits = 0;

    for (c = body->child; c; c = c->next) {
        if (strcmp(teams_json_str(c, "type", NULL), "Input.Toggle") != 0) {
            continue;
        }

        toggles++;

        if (strcmp(teams_json_str(c, "id", NULL), "notify_assignment") == 0) {
            TEAMS_UNIT_STR_EQ(teams_json_str(c, "value", NULL), "true",
                              goto done);
            TEAMS_UNIT_STR_EQ(teams_json_str(c, "title", NULL),
                              teams_notify_category_label("assignment"),
                              goto done);
            bits |= 1;
        }

        if (strcmp(teams_json_str(c, "id", NULL), "notify_customer_reply")
            == 0)
        {
            TEAMS_UNIT_STR_EQ(teams_json_str(c, "value", NULL), "false",
                              goto done);
            bits |= 2;
        }

        if (strcmp(teams_json_str(c, "id", NULL), "notify_sla_risk") == 0) {
            TEAMS_UNIT_STR_EQ(teams_json_str(c, "value", NULL), "true",
                              goto done);
            bits |= 4;
        }

        TEAMS_UNIT_STR_EQ(teams_json_str(c, "valueOn", NULL), "true",
                          goto done);
        TEAMS_UNIT_STR_EQ(teams_json_str(c, "valueOff", NULL), "false",
                          goto done);
    }

    /* escalation is on for the user but not offered: no toggle */
    TEAMS_UNIT_INT_EQ(toggles, 3, goto done);
    TEAMS_UNIT_INT_EQ(bits, 7, goto done);

    a = teams_json_get(card, "actions");
    TEAMS_UNIT_CHECK(a && a->type == TEAMS_JSON_ARRAY && a->child, goto done,
                     "actions");
    TEAMS_UNIT_STR_EQ(teams_json_str(a->child, "type", NULL),
                      "Action.Execute", goto done);
    TEAMS_UNIT_STR_EQ(teams_json_str(a->child, "verb", NULL),
                      "notifications_save", goto done);

done:
    teams_json_free(card);
    free(s);
}


TEAMS_TEST(notify_prefs_card_none)
{
    char                 *s;
    teams_notify_prefs_t  p;

    memset(&p, 0, sizeof(p));

    s = notify_prefs_card_text(&p, NULL, "notify-prefs-none");
    TEAMS_UNIT_CHECK(s != NULL, return, "card built");
    TEAMS_UNIT_CHECK(strstr(s, "Input.Toggle") == NULL, goto done,
                     "no toggle");
    TEAMS_UNIT_CHECK(strstr(s, "\"actions\"") == NULL, goto done,
                     "no Save button");
    TEAMS_UNIT_STR_HAS(s, "has not turned on", goto done);

    /* all five, with quotes in the notice escaped */
    free(s);
    p.offered = 0x1f;
    p.on = 0x15;
    s = notify_prefs_card_text(&p, "Not saved: \"x\"", "notify-prefs-all");
    TEAMS_UNIT_CHECK(s != NULL, return, "card built");
    TEAMS_UNIT_STR_HAS(s, "Not saved: \\\"x\\\"", goto done);

done:
    free(s);
}


static const char *
notify_prefs_parse_text(const char *text, const teams_notify_prefs_t *p,
    unsigned *given, unsigned *on)
{
    const char    *err, *perr;
    teams_json_t  *data;

    data = teams_json_parse(text, strlen(text), 4, &perr);
    if (data == NULL) {
        return "unparsable test input";
    }

    err = teams_notify_prefs_parse(data, p, given, on);
    teams_json_free(data);

    return err;
}


TEAMS_TEST(notify_prefs_parse)
{
    unsigned              given, on, as, cr, sl, es;
    const char           *err;
    teams_notify_prefs_t  p;

    as = teams_notify_prefs_bit("assignment", 10);
    cr = teams_notify_prefs_bit("customer_reply", 14);
    sl = teams_notify_prefs_bit("sla_risk", 8);
    es = teams_notify_prefs_bit("escalation", 10);

    TEAMS_UNIT_CHECK(as && cr && sl && es && teams_notify_prefs_bit("x", 1)
                     == 0, return, "bits");

    p.offered = as | cr | sl;
    p.on = as;

    err = notify_prefs_parse_text("{\"kind\":\"notifications\","
                                  "\"notify_assignment\":\"false\","
                                  "\"notify_customer_reply\":\"true\","
                                  "\"notify_sla_risk\":true}",
                                  &p, &given, &on);
    TEAMS_UNIT_CHECK(err == NULL, return, "parsed: %s", err);
    TEAMS_UNIT_INT_EQ(given, as | cr | sl, return);
    TEAMS_UNIT_INT_EQ(on, cr | sl, return);

    /* a category not offered, an unknown one: ignored */
    err = notify_prefs_parse_text("{\"notify_escalation\":\"false\","
                                  "\"notify_billing\":\"false\","
                                  "\"notify_sla_risk\":false}",
                                  &p, &given, &on);
    TEAMS_UNIT_CHECK(err == NULL, return, "parsed: %s", err);
    TEAMS_UNIT_INT_EQ(given, sl, return);
    TEAMS_UNIT_INT_EQ(on, 0, return);

    err = notify_prefs_parse_text("{\"notify_assignment\":\"yes\"}", &p,
                                  &given, &on);
    TEAMS_UNIT_CHECK(err != NULL, return, "a value that is not on/off");

    err = notify_prefs_parse_text("{\"notify_assignment\":1}", &p, &given,
                                  &on);
    TEAMS_UNIT_CHECK(err != NULL, return, "a number");

    err = notify_prefs_parse_text("{\"kind\":\"notifications\"}", &p, &given,
                                  &on);
    TEAMS_UNIT_CHECK(err != NULL
                     && strcmp(err, "Not saved: the card sent no choices.")
                        == 0,
                     return, "no choice at all: the notice says why");

    err = notify_prefs_parse_text("[\"notify_assignment\"]", &p, &given,
                                  &on);
    TEAMS_UNIT_CHECK(err != NULL, return, "not an object");

    TEAMS_UNIT_CHECK(teams_notify_prefs_parse(NULL, &p, &given, &on) != NULL,
                     return, "no data");
}


TEAMS_TEST(notify_filter)
{
    char  us[21], id[37];

    TEAMS_UNIT_CHECK(teams_notify_rfc3339("2024-05-01T10:20:30Z", 20),
                     return, "Z");
    TEAMS_UNIT_CHECK(teams_notify_rfc3339("2024-02-29T10:20:30.123456+02:00",
                                          32), return, "leap day, fraction");
    TEAMS_UNIT_CHECK(!teams_notify_rfc3339("2023-02-29T10:20:30Z", 20),
                     return, "not a leap year");
    TEAMS_UNIT_CHECK(!teams_notify_rfc3339("2024-05-01T10:20:30", 19),
                     return, "no offset");
    TEAMS_UNIT_CHECK(!teams_notify_rfc3339("2024-05-01T10:20:30.1234567Z",
                                           28), return, "7 digits");
    TEAMS_UNIT_CHECK(!teams_notify_rfc3339("2024-13-01T10:20:30Z", 20),
                     return, "month 13");
    TEAMS_UNIT_CHECK(!teams_notify_rfc3339("2024-05-01T10:20:30+2:00", 24),
                     return, "short offset");

    TEAMS_UNIT_INT_EQ(teams_notify_cursor_parse(
        "978948000000000_0A000000-0000-4000-8000-000000000001", 52, us, id),
        0, return);
    TEAMS_UNIT_STR_EQ(us, "978948000000000", return);
    TEAMS_UNIT_STR_EQ(id, "0a000000-0000-4000-8000-000000000001", return);
    TEAMS_UNIT_INT_EQ(teams_notify_cursor_parse("1_x", 3, us, id), -1,
                      return);

    TEAMS_UNIT_INT_EQ(teams_notify_page_size("200", 3), 200, return);
    TEAMS_UNIT_INT_EQ(teams_notify_page_size("0", 1), -1, return);
    TEAMS_UNIT_INT_EQ(teams_notify_page_size("-1", 2), -1, return);
}
