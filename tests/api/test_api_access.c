/*
 * test_api_access.c — who sees and changes which foundation records, asked as every demo
 * principal through the API, against expectations written here from the rules (not from the
 * policy module): own record; own organisation for its administrator; everything for
 * national-centre administrators; nothing else, and hidden records answer 404, not 403.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"

#define MAXU 64

struct who {
    char username[64];
    json_int_t id, org_id;
    char org_type[32];
    bool admin, org_admin;
    char token[128];
};

static struct srv S;
static struct who U[MAXU];
static size_t NU;

static int setup(void **state)
{
    const char *extra[] = {"--login-rate", "10000", NULL};
    srv_start(&S, true, extra);
    char admin[128];
    bearer(&S, "nc-admin", admin, sizeof admin);
    struct resp r, o;
    http_json(&S, "GET", "/api/v1/users?limit=1000", admin, NULL, &r);
    http_json(&S, "GET", "/api/v1/orgs?limit=1000", admin, NULL, &o);
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(r.json, "items"), i, u)
    {
        struct who *w = &U[NU++];
        snprintf(w->username, sizeof w->username, "%s",
                 json_string_value(json_object_get(u, "username")));
        w->id = json_integer_value(json_object_get(u, "id"));
        w->org_id = json_integer_value(json_object_get(u, "org_id"));
        size_t k;
        json_t *role, *org;
        json_array_foreach(json_object_get(u, "roles"), k, role)
        {
            w->admin |= strcmp(json_string_value(role), "admin") == 0;
            w->org_admin |= strcmp(json_string_value(role), "org_admin") == 0;
        }
        json_array_foreach(json_object_get(o.json, "items"), k, org)
        {
            if (json_integer_value(json_object_get(org, "id")) == w->org_id)
                snprintf(w->org_type, sizeof w->org_type, "%s",
                         json_string_value(json_object_get(org, "type")));
        }
        bearer(&S, w->username, w->token, sizeof w->token);
    }
    resp_free(&r);
    resp_free(&o);
    assert_true(NU >= 20);
    return 0;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

static bool nc_admin(const struct who *p)
{
    return p->admin && strcmp(p->org_type, "national_centre") == 0;
}

static bool expect_user_visible(const struct who *p, const struct who *t)
{
    return p->id == t->id || (p->org_admin && p->org_id == t->org_id) || nc_admin(p);
}

static struct who *by_name(const char *n)
{
    for (size_t i = 0; i < NU; i++)
        if (strcmp(U[i].username, n) == 0) return &U[i];
    fail_msg("no demo user %s", n);
    return NULL;
}

static void users_visibility_matrix(void **st)
{
    size_t checked = 0;
    for (size_t i = 0; i < NU; i++) {
        struct resp r;
        http_json(&S, "GET", "/api/v1/users?limit=1000", U[i].token, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *items = json_object_get(r.json, "items");
        for (size_t j = 0; j < NU; j++) {
            bool listed = false;
            size_t k;
            json_t *u;
            json_array_foreach(items, k, u)
            {
                listed |= json_integer_value(json_object_get(u, "id")) == U[j].id;
            }
            bool want = expect_user_visible(&U[i], &U[j]);
            if (listed != want)
                fail_msg("%s listing %s: got %d want %d", U[i].username, U[j].username, listed,
                         want);
            char path[64];
            struct resp g;
            snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)U[j].id);
            http_json(&S, "GET", path, U[i].token, NULL, &g);
            if (g.status != (want ? 200 : 404))
                fail_msg("%s GET %s: %ld", U[i].username, U[j].username, g.status);
            resp_free(&g);
            checked++;
        }
        resp_free(&r);
    }
    assert_int_equal(checked, NU * NU);
}

static void org_directory_and_details(void **st)
{
    for (size_t i = 0; i < NU; i++) {
        struct resp r;
        http_json(&S, "GET", "/api/v1/orgs?limit=1000", U[i].token, NULL, &r);
        assert_int_equal(r.status, 200);
        size_t k;
        json_t *o;
        size_t n = 0;
        json_array_foreach(json_object_get(r.json, "items"), k, o)
        {
            n++;
            bool details = json_object_get(o, "confidentiality_agreement") != NULL;
            bool want = json_integer_value(json_object_get(o, "id")) == U[i].org_id ||
                        strcmp(U[i].org_type, "national_centre") == 0;
            if (details != want)
                fail_msg("%s sees details of org %lld: %d", U[i].username,
                         (long long)json_integer_value(json_object_get(o, "id")), details);
        }
        assert_true(n >= 18);
        resp_free(&r);
    }
}

static void audit_scope(void **st)
{
    for (size_t i = 0; i < NU; i++) {
        struct resp r;
        http_json(&S, "GET", "/api/v1/audit?limit=1000", U[i].token, NULL, &r);
        if (!U[i].admin && !U[i].org_admin) {
            assert_int_equal(r.status, 403);
            resp_free(&r);
            continue;
        }
        assert_int_equal(r.status, 200);
        size_t k, n = 0;
        json_t *a;
        json_array_foreach(json_object_get(r.json, "items"), k, a)
        {
            json_t *org = json_object_get(a, "org_id");
            if (!nc_admin(&U[i]) && json_integer_value(org) != U[i].org_id)
                fail_msg("%s sees audit of org %lld", U[i].username,
                         (long long)json_integer_value(org));
            n++;
        }
        assert_true(n > 0); /* at least its own logins and token creation */
        /* An org admin asking for another organisation still gets only its own. */
        if (!nc_admin(&U[i])) {
            struct resp o;
            http_json(&S, "GET", "/api/v1/audit?org_id=1", U[i].token, NULL, &o);
            json_array_foreach(json_object_get(o.json, "items"), k, a)
            {
                assert_int_equal(json_integer_value(json_object_get(a, "org_id")), U[i].org_id);
            }
            resp_free(&o);
        }
        resp_free(&r);
    }
}

static long post_user(const char *token, json_int_t org, const char *name, const char *roles)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"org_id\":%lld,\"username\":\"%s\",\"display_name\":\"試験 利用者\","
             "\"password\":\"a-long-enough-password\",\"roles\":%s}",
             (long long)org, name, roles);
    struct resp r;
    http_json(&S, "POST", "/api/v1/users", token, body, &r);
    long st = r.status;
    resp_free(&r);
    return st;
}

static void user_management_rules(void **st)
{
    struct who *toto = by_name("toto-admin"), *wangan = by_name("wangan-admin");
    struct who *nc = by_name("nc-admin"), *rep = by_name("toto-reporter");
    assert_int_equal(post_user(toto->token, toto->org_id, "toto-new", "[\"reporter\"]"), 201);
    assert_int_equal(post_user(toto->token, wangan->org_id, "toto-into-wangan", "[\"reporter\"]"),
                     403);
    assert_int_equal(post_user(toto->token, toto->org_id, "toto-self-admin", "[\"admin\"]"), 403);
    assert_int_equal(post_user(rep->token, toto->org_id, "rep-made", "[\"reporter\"]"), 403);
    assert_int_equal(post_user(nc->token, toto->org_id, "nc-made-admin", "[\"admin\"]"), 403);
    assert_int_equal(post_user(nc->token, nc->org_id, "nc-second-admin", "[\"admin\"]"), 201);
    assert_int_equal(post_user(nc->token, toto->org_id, "toto-new", "[\"reporter\"]"), 409);
    /* An org admin cannot promote its own users to platform admin. */
    char path[64];
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)rep->id);
    http_json(&S, "PATCH", path, toto->token, "{\"roles\":[\"admin\"]}", &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http_json(&S, "PATCH", path, wangan->token, "{\"display_name\":\"x\"}", &r);
    assert_int_equal(r.status, 404); /* not even visible to another org's admin */
    resp_free(&r);
}

static void org_update_rules(void **st)
{
    struct who *toto = by_name("toto-admin"), *nc = by_name("nc-admin");
    struct who *wangan = by_name("wangan-admin");
    char path[64];
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/orgs/%lld", (long long)toto->org_id);
    http_json(&S, "PATCH", path, toto->token, "{\"name_en\":\"Toto Electric Power Co., Inc.\"}",
              &r);
    assert_int_equal(r.status, 200);
    json_int_t version = json_integer_value(json_object_get(r.json, "version"));
    resp_free(&r);
    http_json(&S, "PATCH", path, toto->token, "{\"council\":\"friend\"}", &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "errors"), 0), "pointer")),
                        "/council");
    resp_free(&r);
    http_json(&S, "PATCH", path, wangan->token, "{\"name_en\":\"x\"}", &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    /* Optimistic concurrency: a stale version is refused. */
    char body[128];
    snprintf(body, sizeof body, "{\"name_en\":\"stale\",\"version\":%lld}", (long long)version - 1);
    http_json(&S, "PATCH", path, nc->token, body, &r);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    snprintf(body, sizeof body, "{\"designated\":true,\"version\":%lld}", (long long)version);
    http_json(&S, "PATCH", path, nc->token, body, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "designated")));
    resp_free(&r);
    /* Only the national centre registers organisations. */
    http_json(&S, "POST", "/api/v1/orgs", toto->token, "{\"type\":\"vendor\",\"name_ja\":\"x\"}",
              &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(users_visibility_matrix),
        cmocka_unit_test(org_directory_and_details),
        cmocka_unit_test(audit_scope),
        cmocka_unit_test(user_management_rules),
        cmocka_unit_test(org_update_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
