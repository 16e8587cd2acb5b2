/*
 * test_api_auth.c — sessions, CSRF, lock-out, throttling and API tokens, against the real
 * renkeid.
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

static struct srv S;

static int setup(void **state)
{
    srv_start(&S, true, NULL);
    return 0;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

static long login_status(const char *user, const char *pw, struct resp *r)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    http(&S, "POST", "/api/v1/session", NULL, NULL, NULL, "application/json", body, r);
    return r->status;
}

static void session_cookie_flags(void **st)
{
    struct resp r;
    char c[512];
    assert_int_equal(login_status("toto-admin", "renkei-demo-toto-admin", &r), 201);
    assert_non_null(resp_header(&r, "Set-Cookie", c, sizeof c));
    assert_non_null(strstr(c, "rk_session="));
    assert_non_null(strstr(c, "HttpOnly"));
    assert_non_null(strstr(c, "SameSite=Strict"));
    assert_null(strstr(c, "Secure")); /* plain HTTP on loopback; --secure-cookies adds it */
    assert_non_null(json_object_get(r.json, "csrf_token"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "user"), "username")),
        "toto-admin");
    /* No password hash ever leaves the server. */
    assert_null(strstr(r.body, "argon2"));
    resp_free(&r);
}

static void secure_cookies_behind_tls(void **st)
{
    /* Behind nginx with TLS the cookie must carry Secure (--secure-cookies). */
    struct srv tls;
    const char *extra[] = {"--secure-cookies", NULL};
    srv_start(&tls, true, extra);
    char body[] = "{\"username\":\"kaede-viewer\",\"password\":\"renkei-demo-kaede-viewer\"}";
    struct resp r;
    char c[512];
    http(&tls, "POST", "/api/v1/session", NULL, NULL, NULL, "application/json", body, &r);
    assert_int_equal(r.status, 201);
    assert_non_null(resp_header(&r, "Set-Cookie", c, sizeof c));
    assert_non_null(strstr(c, "; Secure"));
    assert_non_null(strstr(c, "HttpOnly"));
    resp_free(&r);
    srv_stop(&tls);
}

static void csrf_required_for_cookie_writes(void **st)
{
    char cookie[256], csrf[128];
    login(&S, "nc-admin", cookie, sizeof cookie, csrf, sizeof csrf);
    struct resp r;
    const char *body = "{\"type\":\"vendor\",\"name_ja\":\"CSRF検証ベンダー\"}";
    http(&S, "POST", "/api/v1/orgs", NULL, cookie, NULL, "application/json", body, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "errors"), 0), "rule")),
                        "csrf");
    resp_free(&r);
    http(&S, "POST", "/api/v1/orgs", NULL, cookie, "wrong-token", "application/json", body, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http(&S, "POST", "/api/v1/orgs", NULL, cookie, csrf, "application/json", body, &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    /* Reads need no CSRF token. */
    http(&S, "GET", "/api/v1/me", NULL, cookie, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "auth")), "session");
    resp_free(&r);
}

static void lockout_after_failures(void **st)
{
    struct resp r;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(login_status("wangan-reporter", "wrong-password-123", &r), 401);
        assert_string_equal(json_string_value(json_object_get(r.json, "type")),
                            "/problems/unauthenticated");
        resp_free(&r);
    }
    /* The fifth failure locks the account... */
    assert_int_equal(login_status("wangan-reporter", "wrong-password-123", &r), 423);
    char ra[32];
    assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
    resp_free(&r);
    /* ...and while locked even the right password is refused. */
    assert_int_equal(login_status("wangan-reporter", "renkei-demo-wangan-reporter", &r), 423);
    resp_free(&r);
    /* Unknown usernames answer like wrong passwords, lock-out and Retry-After included. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(login_status("no-such-user", "whatever-password", &r), 401);
        resp_free(&r);
    }
    assert_int_equal(login_status("no-such-user", "whatever-password", &r), 423);
    char ra2[32];
    assert_non_null(resp_header(&r, "Retry-After", ra2, sizeof ra2));
    assert_string_equal(ra, ra2);
    resp_free(&r);
    /* Failures are audited. */
    char admin[128];
    bearer(&S, "nc-admin", admin, sizeof admin);
    http_json(&S, "GET", "/api/v1/audit?action=login.failed&limit=100", admin, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 6);
    resp_free(&r);
    /* So are attempts while locked (the right password on wangan-reporter, the unknown name's
     * fifth try), naming the username tried. */
    http_json(&S, "GET", "/api/v1/audit?action=login.locked&limit=100", admin, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(items, 0), "detail"), "username")),
                        "wangan-reporter");
    resp_free(&r);
}

static void logout_ends_session(void **st)
{
    char cookie[256], csrf[128];
    login(&S, "kaede-viewer", cookie, sizeof cookie, csrf, sizeof csrf);
    struct resp r;
    http(&S, "DELETE", "/api/v1/session", NULL, cookie, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 403); /* CSRF applies to logout too */
    resp_free(&r);
    http(&S, "DELETE", "/api/v1/session", NULL, cookie, csrf, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    http(&S, "GET", "/api/v1/me", NULL, cookie, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
}

static void tokens_scoped_shown_once_revocable(void **st)
{
    char cookie[256], csrf[128];
    login(&S, "nc-admin", cookie, sizeof cookie, csrf, sizeof csrf);
    struct resp r;
    /* A token with only the viewer role... */
    http(&S, "POST", "/api/v1/tokens", NULL, cookie, csrf, "application/json",
         "{\"name\":\"read-only bot\",\"roles\":[\"analyst\"],\"expires_in_days\":30}", &r);
    assert_int_equal(r.status, 201);
    char secret[128];
    assert_non_null(json_string_value(json_object_get(r.json, "token")));
    snprintf(secret, sizeof secret, "%s", json_string_value(json_object_get(r.json, "token")));
    assert_int_equal(strncmp(secret, "rk_", 3), 0);
    assert_true(strlen(secret) >= 46); /* 256 bits in base64url */
    char auth[160];
    snprintf(auth, sizeof auth, "Bearer %s", secret);
    json_int_t id = json_integer_value(json_object_get(r.json, "id"));
    resp_free(&r);
    /* ...cannot do what its user could: roles are the intersection. */
    http_json(&S, "POST", "/api/v1/orgs", auth, "{\"type\":\"vendor\",\"name_ja\":\"x\"}", &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/me", auth, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "auth")), "token");
    assert_int_equal(json_array_size(json_object_get(r.json, "effective_roles")), 1);
    resp_free(&r);
    /* The secret is never shown again. */
    http(&S, "GET", "/api/v1/tokens", NULL, cookie, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, secret));
    assert_null(strstr(r.body, "\"token\""));
    resp_free(&r);
    /* A token cannot mint tokens. */
    http_json(&S, "POST", "/api/v1/tokens", auth,
              "{\"name\":\"child\",\"roles\":[\"analyst\"],\"expires_in_days\":1}", &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    /* Roles the user does not hold cannot be put on a token. */
    char c2[256], s2[128];
    login(&S, "toto-reporter", c2, sizeof c2, s2, sizeof s2);
    http(&S, "POST", "/api/v1/tokens", NULL, c2, s2, "application/json",
         "{\"name\":\"x\",\"roles\":[\"admin\"],\"expires_in_days\":1}", &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "errors"), 0), "pointer")),
                        "/roles");
    resp_free(&r);
    /* Expiry is bounded. */
    http(&S, "POST", "/api/v1/tokens", NULL, cookie, csrf, "application/json",
         "{\"name\":\"x\",\"roles\":[\"analyst\"],\"expires_in_days\":400}", &r);
    assert_int_equal(r.status, 422);
    resp_free(&r);
    /* Someone else cannot revoke it (and cannot tell it exists). */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)id);
    http(&S, "DELETE", path, NULL, c2, s2, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    /* Revocation takes effect at once. */
    http(&S, "DELETE", path, NULL, cookie, csrf, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/me", auth, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    /* Token use is audited. */
    char admin[128];
    bearer(&S, "nc-admin", admin, sizeof admin);
    http_json(&S, "GET", "/api/v1/audit?action=token.use&limit=1000", admin, NULL, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    resp_free(&r);
}

static void password_change(void **st)
{
    char cookie[256], csrf[128], other[256], ocsrf[128];
    login(&S, "hibiki-reporter", cookie, sizeof cookie, csrf, sizeof csrf);
    login(&S, "hibiki-reporter", other, sizeof other, ocsrf, sizeof ocsrf);
    struct resp r;
    http(&S, "POST", "/api/v1/me/password", NULL, cookie, csrf, "application/json",
         "{\"current_password\":\"not-it-at-all\",\"new_password\":\"a-new-long-password\"}", &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "errors"), 0), "pointer")),
                        "/current_password");
    resp_free(&r);
    http(&S, "POST", "/api/v1/me/password", NULL, cookie, csrf, "application/json",
         "{\"current_password\":\"renkei-demo-hibiki-reporter\",\"new_password\":\"short\"}", &r);
    assert_int_equal(r.status, 422);
    resp_free(&r);
    http(&S, "POST", "/api/v1/me/password", NULL, cookie, csrf, "application/json",
         "{\"current_password\":\"renkei-demo-hibiki-reporter\",\"new_password\":\"a-new-long-"
         "password\"}",
         &r);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    /* Every session of the user ends; the new password works, the old one does not. */
    http(&S, "GET", "/api/v1/me", NULL, other, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_int_equal(login_status("hibiki-reporter", "renkei-demo-hibiki-reporter", &r), 401);
    resp_free(&r);
    assert_int_equal(login_status("hibiki-reporter", "a-new-long-password", &r), 201);
    resp_free(&r);
}

static void disabled_user_is_out(void **st)
{
    char admin[128], cookie[256], csrf[128];
    bearer(&S, "nc-admin", admin, sizeof admin);
    login(&S, "minato-reporter", cookie, sizeof cookie, csrf, sizeof csrf);
    struct resp r;
    int64_t id = srv_user_id(&S, admin, "minato-reporter");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)id);
    http_json(&S, "PATCH", path, admin, "{\"disabled\":true}", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "disabled")));
    resp_free(&r);
    http(&S, "GET", "/api/v1/me", NULL, cookie, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_int_equal(login_status("minato-reporter", "renkei-demo-minato-reporter", &r), 401);
    resp_free(&r);
}

/* Last: it uses up this client address's login budget. */
static void per_address_throttle(void **st)
{
    struct resp r;
    long last = 0;
    for (int i = 0; i < 40 && last != 429; i++) {
        last = login_status("another-unknown-user", "whatever-password", &r);
        resp_free(&r);
    }
    assert_int_equal(last, 429);
    assert_int_equal(login_status("no-such-user", "whatever-password", &r), 429);
    char ra[32];
    assert_non_null(resp_header(&r, "Retry-After", ra, sizeof ra));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_cookie_flags),
        cmocka_unit_test(secure_cookies_behind_tls),
        cmocka_unit_test(csrf_required_for_cookie_writes),
        cmocka_unit_test(lockout_after_failures),
        cmocka_unit_test(logout_ends_session),
        cmocka_unit_test(tokens_scoped_shown_once_revocable),
        cmocka_unit_test(password_change),
        cmocka_unit_test(disabled_user_is_out),
        cmocka_unit_test(per_address_throttle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
