
/*
 * Unit tests: src/psa/teams_admin.c (admin API routing and value checks).
 */


#include <stdlib.h>
#include <string.h>

#include "core/teams_json.h"
#include "psa/teams_admin.h"
#include "unit.h"


#define TEAMS_TEST_ID  "A1000000-0000-4000-8000-00000000000F"


static teams_json_t *
teams_test_json(const char *text)
{
    const char  *err;

    return teams_json_parse(text, strlen(text), 4, &err);
}


TEAMS_TEST(admin_routes_fixed)
{
    teams_admin_route_t  rt;

    TEAMS_ASSERT_INT_EQ(teams_admin_route("profiles", 8, &rt), 0);
    TEAMS_EXPECT_INT_EQ(rt.route, TEAMS_ADMIN_R_PROFILES);
    TEAMS_EXPECT_INT_EQ(rt.methods, TEAMS_ADMIN_GET|TEAMS_ADMIN_POST);

    TEAMS_ASSERT_INT_EQ(teams_admin_route("integration/readiness", 21, &rt),
                        0);
    TEAMS_EXPECT_INT_EQ(rt.route, TEAMS_ADMIN_R_READINESS);
    TEAMS_ASSERT_INT_EQ(teams_admin_route("legacy-config", 13, &rt), 0);
    TEAMS_EXPECT_STR_EQ(rt.pattern, "legacy-config");

    TEAMS_EXPECT_INT_EQ(teams_admin_route("", 0, &rt), -1);
    TEAMS_EXPECT_INT_EQ(teams_admin_route("profiles/", 9, &rt), -1);
    TEAMS_EXPECT_INT_EQ(teams_admin_route("integration/x", 13, &rt), -1);
    TEAMS_EXPECT_INT_EQ(teams_admin_route("profile", 7, &rt), -1);
    TEAMS_EXPECT_INT_EQ(teams_admin_route("bindings/", 9, &rt), -1);
    TEAMS_EXPECT_INT_EQ(teams_admin_route("bindings/teams/x", 16, &rt), -1);
}


TEAMS_TEST(admin_routes_ids)
{
    char                 path[128];
    teams_admin_route_t  rt;

    strcpy(path, "profiles/" TEAMS_TEST_ID);
    TEAMS_ASSERT_INT_EQ(teams_admin_route(path, strlen(path), &rt), 0);
    TEAMS_EXPECT_INT_EQ(rt.route, TEAMS_ADMIN_R_PROFILE);
    TEAMS_EXPECT(rt.id_valid);
    TEAMS_EXPECT_STR_EQ(rt.id, "a1000000-0000-4000-8000-00000000000f");

    strcpy(path, "profiles/" TEAMS_TEST_ID "/archive");
    TEAMS_ASSERT_INT_EQ(teams_admin_route(path, strlen(path), &rt), 0);
    TEAMS_EXPECT_INT_EQ(rt.route, TEAMS_ADMIN_R_PROFILE_ARCHIVE);
    TEAMS_EXPECT_STR_EQ(rt.pattern, "profiles/{id}/archive");

    strcpy(path, "profiles/" TEAMS_TEST_ID "/secret");
    TEAMS_ASSERT_INT_EQ(teams_admin_route(path, strlen(path), &rt), 0);
    TEAMS_EXPECT_INT_EQ(rt.route, TEAMS_ADMIN_R_PROFILE_SECRET);

    strcpy(path, "profiles/" TEAMS_TEST_ID "/nope");
    TEAMS_EXPECT_INT_EQ(teams_admin_route(path, strlen(path), &rt), -1);

    strcpy(path, "profiles/not-a-guid/default");
    TEAMS_ASSERT_INT_EQ(teams_admin_route(path, strlen(path), &rt), 0);
    TEAMS_EXPECT_INT_EQ(rt.route, TEAMS_ADMIN_R_PROFILE_DEFAULT);
    TEAMS_EXPECT(!rt.id_valid);

    TEAMS_ASSERT_INT_EQ(teams_admin_route("bindings/teams", 14, &rt), 0);
    TEAMS_EXPECT_STR_EQ(rt.consumer, "teams");
    TEAMS_ASSERT_INT_EQ(teams_admin_route("bindings/fax", 12, &rt), 0);
    TEAMS_EXPECT(rt.consumer == NULL);
}


TEAMS_TEST(admin_methods_and_allow)
{
    char  buf[64];

    TEAMS_EXPECT_INT_EQ(teams_admin_method("PATCH", 5), TEAMS_ADMIN_PATCH);
    TEAMS_EXPECT_INT_EQ(teams_admin_method("HEAD", 4), 0);
    TEAMS_EXPECT_INT_EQ(teams_admin_allow(TEAMS_ADMIN_GET|TEAMS_ADMIN_PATCH,
                                          buf, sizeof(buf)), 10);
    TEAMS_EXPECT_STR_EQ(buf, "GET, PATCH");
}


TEAMS_TEST(admin_guid)
{
    char  out[40];

    TEAMS_EXPECT(teams_is_uuid(TEAMS_TEST_ID, 36));
    TEAMS_EXPECT(!teams_is_uuid("a1000000-0000-4000-8000-00000000000",
                                      35));
    TEAMS_EXPECT(!teams_is_uuid("a1000000x0000-4000-8000-000000000000",
                                      36));
    TEAMS_EXPECT(!teams_is_uuid("g1000000-0000-4000-8000-000000000000",
                                      36));
    TEAMS_EXPECT(!teams_is_uuid("common", 6));
    TEAMS_EXPECT_INT_EQ(teams_admin_guid_lower(TEAMS_TEST_ID, 36, out), 0);
    TEAMS_EXPECT_STR_EQ(out, "a1000000-0000-4000-8000-00000000000f");
}


TEAMS_TEST(admin_field_checks)
{
    size_t         len;
    const char    *name;
    teams_json_t  *j;

    j = teams_test_json("{\"a\":\"  Contoso app \",\"b\":\"\",\"c\":5,"
                        "\"d\":\"common\",\"e\":\"organizations\","
                        "\"f\":\"x\\u0001y\"}");
    TEAMS_ASSERT_NOT_NULL(j);

    TEAMS_EXPECT(teams_admin_check_display_name(teams_json_get(j, "a"),
                                                &name, &len) == NULL);
    TEAMS_EXPECT_INT_EQ(len, 11);
    TEAMS_EXPECT(strncmp(name, "Contoso app", 11) == 0);
    TEAMS_EXPECT_STR_EQ(teams_admin_check_display_name(
                            teams_json_get(j, "b"), &name, &len),
                        "must not be empty");
    TEAMS_EXPECT_STR_EQ(teams_admin_check_display_name(
                            teams_json_get(j, "c"), &name, &len),
                        "must be a string");
    TEAMS_EXPECT_STR_EQ(teams_admin_check_display_name(NULL, &name, &len),
                        "is required");
    TEAMS_EXPECT(teams_admin_check_display_name(teams_json_get(j, "f"),
                                                &name, &len) != NULL);

    TEAMS_EXPECT_STR_EQ(teams_admin_check_guid(teams_json_get(j, "a")),
                        "must be a GUID");
    TEAMS_EXPECT(teams_admin_check_ms_tenant(teams_json_get(j, "d"), 0)
                 != NULL);
    TEAMS_EXPECT(teams_admin_check_ms_tenant(teams_json_get(j, "d"), 1)
                 == NULL);
    TEAMS_EXPECT(teams_admin_check_ms_tenant(teams_json_get(j, "e"), 1)
                 == NULL);

    TEAMS_EXPECT_STR_EQ(teams_admin_check_secret(teams_json_get(j, "b")),
                        "must not be empty");
    TEAMS_EXPECT(teams_admin_check_secret(teams_json_get(j, "a")) == NULL);
    TEAMS_EXPECT_STR_EQ(teams_admin_check_secret(NULL), "is required");

    teams_json_free(j);
}


TEAMS_TEST(admin_secret_length_bound)
{
    char          *text;
    teams_json_t  *j;

    text = malloc(1100);
    strcpy(text, "\"");
    memset(text + 1, 'k', 1025);
    strcpy(text + 1026, "\"");

    j = teams_test_json(text);
    TEAMS_ASSERT_NOT_NULL(j);
    TEAMS_EXPECT(teams_admin_check_secret(j) != NULL);
    teams_json_free(j);

    strcpy(text + 1025, "\"");
    j = teams_test_json(text);
    TEAMS_ASSERT_NOT_NULL(j);
    TEAMS_EXPECT(teams_admin_check_secret(j) == NULL);
    teams_json_free(j);
    free(text);
}


TEAMS_TEST(admin_value_sets)
{
    char           out[256];
    teams_json_t  *j;

    j = teams_test_json("{\"ok\":[\"sla_risk\",\"assignment\"],"
                        "\"dup\":[\"assignment\",\"assignment\"],"
                        "\"bad\":[\"assignment\",\"billing\"],"
                        "\"num\":[1],\"obj\":{},\"empty\":[]}");
    TEAMS_ASSERT_NOT_NULL(j);

    TEAMS_EXPECT(teams_admin_check_set_array(teams_json_get(j, "ok"),
                                             teams_admin_categories, out,
                                             sizeof(out)) == NULL);
    TEAMS_EXPECT_STR_EQ(out, "[\"assignment\",\"sla_risk\"]");
    TEAMS_EXPECT_STR_EQ(teams_admin_check_set_array(
                            teams_json_get(j, "dup"), teams_admin_categories,
                            out, sizeof(out)),
                        "contains a value twice");
    TEAMS_EXPECT_STR_EQ(teams_admin_check_set_array(
                            teams_json_get(j, "bad"), teams_admin_categories,
                            out, sizeof(out)),
                        "contains an unknown value");
    TEAMS_EXPECT(teams_admin_check_set_array(teams_json_get(j, "num"),
                                             teams_admin_categories, out,
                                             sizeof(out)) != NULL);
    TEAMS_EXPECT(teams_admin_check_set_array(teams_json_get(j, "obj"),
                                             teams_admin_categories, out,
                                             sizeof(out)) != NULL);
    TEAMS_EXPECT(teams_admin_check_set_array(teams_json_get(j, "empty"),
                                             teams_admin_actions, out,
                                             sizeof(out)) == NULL);
    TEAMS_EXPECT_STR_EQ(out, "[]");
    /* capability and action names are not categories */
    TEAMS_EXPECT_INT_EQ(teams_admin_in_set(teams_admin_capabilities,
                                           "personal_tab", 12), 0);
    TEAMS_EXPECT_INT_EQ(teams_admin_in_set(teams_admin_actions,
                                           "personal_tab", 12), -1);

    teams_json_free(j);
}


TEAMS_TEST(admin_secret_hint)
{
    char  out[32];

    TEAMS_EXPECT_INT_EQ(teams_admin_secret_hint("abcdefghijklmnop", 16, out,
                                                sizeof(out)), 6);
    TEAMS_EXPECT_STR_EQ(out, "abc\xe2\x80\xa6");
    /* shorter than 12 characters: no hint at all */
    TEAMS_EXPECT_INT_EQ(teams_admin_secret_hint("abcdefghijk", 11, out,
                                                sizeof(out)), 0);
    /* whole UTF-8 characters */
    TEAMS_EXPECT_INT_EQ(teams_admin_secret_hint("\xc3\xa9\xc3\xa9\xc3\xa9"
                                                "zzzzzzzzzz", 16, out,
                                                sizeof(out)), 9);
    TEAMS_EXPECT_STR_EQ(out, "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
}
