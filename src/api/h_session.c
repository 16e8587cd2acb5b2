/*
 * h_session.c — login, logout, who-am-I, password change.
 *
 * Login is throttled per client address (in memory) and per account (a durable failure
 * counter that locks the account for cfg.login_lock_ms after cfg.login_max_failures). An
 * unknown username costs the same argon2id work as a wrong password and is answered the same,
 * lock-out included: failures for an unknown name are counted in memory and "lock" it after
 * the same number of tries, so a 423 does not reveal that an account exists.
 * The session id travels only in an HttpOnly, SameSite=Strict cookie; the CSRF token returned
 * in the body must accompany every cookie-authenticated write (X-CSRF-Token).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

static void set_cookie(struct req *r, const char *value, int64_t max_age_s)
{
    char c[256];
    snprintf(c, sizeof c, "rk_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", value,
             (long long)max_age_s, r->app->cfg.secure_cookies ? "; Secure" : "");
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_SET_COOKIE, c);
}

/* Retry-After is the whole lock time for everyone: the time left would tell a real account
 * from an unknown name. */
static void reply_locked(struct req *r)
{
    http_problem(r, 423, "locked", "Account temporarily locked",
                 "Too many failed logins. Try again later.", NULL);
    char ra[32];
    snprintf(ra, sizeof ra, "%lld", (long long)(r->app->cfg.login_lock_ms / 1000));
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
}

static void login_finish(struct req *r)
{
    struct store_write *w = r->w;
    if (w->rc != RK_OK) {
        http_problem_rc(r, w->rc, w);
        return;
    }
    if (w->op == STORE_W_AUDIT_ONLY) { /* an attempt while locked, now on the record */
        reply_locked(r);
        return;
    }
    if (w->op == STORE_W_LOGIN_FAILED) {
        if (w->locked) {
            reply_locked(r);
        } else {
            http_problem(r, 401, "unauthenticated", "Login failed",
                         "Unknown username or wrong password.", NULL);
        }
        return;
    }
    struct org_rec org;
    struct user_rec user;
    if (r->app->store->ops->user_get(r->app->store, w->target_id, &user) != RK_OK ||
        r->app->store->ops->org_get(r->app->store, user.org_id, &org) != RK_OK) {
        http_problem(r, 500, "internal", "Internal error", NULL, NULL);
        return;
    }
    struct pol_principal p;
    struct auth_ctx a = {.user = user, .org = org, .roles = user.roles};
    http_principal_from_auth(&a, &p);
    char exp[40];
    json_t *body = json_pack("{s:o, s:o, s:s, s:s}", "user", view_user(&user), "org",
                             view_org(r->app, &p, &org), "csrf_token", w->session.csrf,
                             "expires_at", http_time(w->session.expires_ms, exp, sizeof exp));
    http_reply_json(r, 201, body);
    set_cookie(r, r->scratch, r->app->cfg.session_ttl_ms / 1000);
    sodium_memzero(r->scratch, sizeof r->scratch);
}

void h_login(struct req *r)
{
    struct app *app = r->app;
    if (r->w && atomic_load(&r->w_done)) {
        login_finish(r);
        return;
    }
    int64_t now = store_now_ms();
    if (!auth_throttle_allow(app->throttle, r->client_addr, now)) {
        http_problem(r, 429, "too-many-requests", "Too many login attempts",
                     "Wait a minute before trying again.", NULL);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_RETRY_AFTER, "60");
        return;
    }
    const char *username = json_string_value(json_object_get(r->json, "username"));
    const char *password = json_string_value(json_object_get(r->json, "password"));
    struct user_rec u;
    int rc = app->store->ops->user_by_name(app->store, username, &u);
    if (rc != RK_OK && rc != RK_ENOTFOUND) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    bool found = rc == RK_OK;
    /* The argon2id work is spent before anything else is decided, and a lock answers with the
     * same Retry-After for real and unknown names: neither timing nor headers tell them apart. */
    bool ok = auth_password_verify(found ? u.pw_hash : NULL, password) && found && !u.disabled;
    bool locked =
        found ? u.locked_until_ms > now : !auth_throttle_allow(app->ghost_lock, username, now);
    struct store_write *w = calloc(1, sizeof *w);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->target_id = found ? u.id : 0;
    json_t *d = json_pack("{s:s, s:s}", "username", username, "client", r->client_addr);
    char *ds = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    if (ds && strlen(ds) < sizeof w->audit.detail) memcpy(w->audit.detail, ds, strlen(ds) + 1);
    free(ds);
    if (locked) {
        /* Attempts against a locked account are audited too: a burst of them is exactly what
         * an analyst looks for. */
        w->op = STORE_W_AUDIT_ONLY;
        store_audit_set(&w->audit, found ? u.id : 0, found ? u.org_id : 0, "login.locked",
                        found ? "user" : NULL, found ? u.id : 0, r->request_id);
    } else if (ok) {
        w->op = STORE_W_LOGIN_OK;
        store_audit_set(&w->audit, u.id, u.org_id, "login", "session", 0, r->request_id);
        unsigned char csrf_raw[24];
        randombytes_buf(csrf_raw, sizeof csrf_raw);
        sodium_bin2base64(w->session.csrf, sizeof w->session.csrf, csrf_raw, sizeof csrf_raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        auth_secret_new("", r->scratch, sizeof r->scratch, w->secret_hash);
        w->session.created_ms = now;
        w->session.expires_ms = now + app->cfg.session_ttl_ms;
    } else {
        w->op = STORE_W_LOGIN_FAILED;
        w->max_failures = app->cfg.login_max_failures;
        w->lock_ms = app->cfg.login_lock_ms;
        store_audit_set(&w->audit, found ? u.id : 0, found ? u.org_id : 0, "login.failed",
                        found ? "user" : NULL, found ? u.id : 0, r->request_id);
    }
    http_submit(r, w);
}

void h_logout(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc != RK_OK) {
            http_problem_rc(r, r->w->rc, r->w);
            return;
        }
        http_reply_text(r, 204, "text/plain", "", 0);
        set_cookie(r, "", 0);
        return;
    }
    if (!r->auth.session_id) {
        http_problem_field(r, 403, "forbidden", "/headers/Authorization", "session_only",
                           "a bearer token is not a session: revoke it with DELETE "
                           "/api/v1/tokens/{id}");
        return;
    }
    struct store_write *w =
        job_new(r, STORE_W_SESSION_REVOKE, "logout", "session", r->auth.session_id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->target_id = r->auth.session_id;
    http_submit(r, w);
}

void h_me(struct req *r)
{
    json_t *body =
        json_pack("{s:o, s:o, s:o, s:s}", "user", view_user(&r->auth.user), "org",
                  view_org(r->app, &r->who, &r->auth.org), "effective_roles",
                  view_roles(r->auth.roles), "auth", r->auth.token_id ? "token" : "session");
    if (r->auth.session_id) json_object_set_new(body, "csrf_token", json_string(r->auth.csrf));
    if (r->auth.token_id) json_object_set_new(body, "token_id", json_integer(r->auth.token_id));
    http_reply_json(r, 200, body);
}

void h_me_password(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc != RK_OK)
            http_problem_rc(r, r->w->rc, r->w);
        else
            http_reply_text(r, 204, "text/plain", "", 0);
        return;
    }
    if (r->auth.token_id) {
        http_problem_field(r, 403, "forbidden", "/headers/Authorization", "session_only",
                           "a password can only be changed from a login session");
        return;
    }
    const char *cur = json_string_value(json_object_get(r->json, "current_password"));
    const char *nw = json_string_value(json_object_get(r->json, "new_password"));
    struct user_rec u;
    if (r->app->store->ops->user_get(r->app->store, r->auth.user.id, &u) != RK_OK ||
        !auth_password_verify(u.pw_hash, cur)) {
        http_problem_field(r, 422, "validation", "/current_password", "mismatch",
                           "the current password is wrong");
        return;
    }
    struct store_write *w = job_new(r, STORE_W_USER_PASSWORD, "user.password", "user", u.id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    int hrc = auth_password_hash(nw, w->user.pw_hash, sizeof w->user.pw_hash);
    if (hrc != RK_OK) {
        free(w);
        http_problem_rc(r, hrc == RK_EINVAL ? RK_EIO : hrc, NULL); /* schema already checked */
        return;
    }
    w->target_id = u.id;
    http_submit(r, w);
}
