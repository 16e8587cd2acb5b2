/*
 * h_tokens.c — API tokens for automation. A token is 256 random bits shown once, stored as a
 * keyed hash, limited to a subset of its owner's roles, and always expiring. Tokens cannot
 * mint tokens: only a logged-in person can, so a leaked token cannot extend its own life.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

void h_tokens_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        struct token_rec t;
        if (r->w->rc != RK_OK) {
            http_problem_rc(r, r->w->rc, r->w);
            return;
        }
        t = r->w->token;
        t.id = r->w->out_id;
        json_t *body = view_token(&t);
        json_object_set_new(body, "token", json_string(r->scratch));
        json_object_set_new(body, "note",
                            json_string("This is the only time the token is "
                                        "shown. Store it securely."));
        sodium_memzero(r->scratch, sizeof r->scratch);
        http_reply_json(r, 201, body);
        return;
    }
    if (r->auth.token_id) {
        http_problem_field(r, 403, "forbidden", "/headers/Authorization", "session_only",
                           "tokens are created from a login session, not with another token");
        return;
    }
    unsigned roles = roles_from_json(json_object_get(r->json, "roles"));
    if (roles & ~r->auth.roles) {
        http_problem_field(r, 403, "forbidden", "/roles", "not_held",
                           "a token can only carry roles you hold yourself");
        return;
    }
    struct store_write *w = job_new(r, STORE_W_TOKEN_CREATE, "token.create", "token", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    int64_t now = store_now_ms();
    long long days = json_integer_value(json_object_get(r->json, "expires_in_days"));
    int64_t ttl = (int64_t)days * 24 * 3600 * 1000;
    if (ttl > r->app->cfg.token_max_ttl_ms) ttl = r->app->cfg.token_max_ttl_ms;
    w->token.user_id = r->auth.user.id;
    w->token.roles = roles;
    w->token.created_ms = now;
    w->token.expires_ms = now + ttl;
    json_copy_str(r->json, "name", w->token.name, sizeof w->token.name);
    auth_secret_new("rk_", r->scratch, sizeof r->scratch, w->secret_hash);
    http_submit(r, w);
}

void h_tokens_revoke(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc != RK_OK)
            http_problem_rc(r, r->w->rc, r->w);
        else
            http_reply_text(r, 204, "text/plain", "", 0);
        return;
    }
    struct token_rec t;
    struct user_rec owner;
    int rc = r->app->store->ops->token_get(r->app->store, r->params[0], &t);
    if (rc == RK_OK) rc = r->app->store->ops->user_get(r->app->store, t.user_id, &owner);
    if (rc == RK_OK && !policy_token_may_manage(&r->who, owner.id, owner.org_id)) rc = RK_ENOTFOUND;
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    struct store_write *w = job_new(r, STORE_W_TOKEN_REVOKE, "token.revoke", "token", t.id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->target_id = t.id;
    http_submit(r, w);
}

static bool token_list_cb(const struct token_rec *t, void *ctx)
{
    struct page *pg = ctx;
    struct user_rec owner;
    if (pg->r->app->store->ops->user_get(pg->r->app->store, t->user_id, &owner) != RK_OK ||
        !policy_token_may_manage(&pg->r->who, owner.id, owner.org_id))
        return true;
    return page_add(pg, t->id, view_token(t));
}

void h_tokens_list(struct req *r)
{
    struct page pg;
    if (!page_begin(r, &pg)) return;
    int64_t user = 0, org = 0;
    bool nc_admin = (r->who.roles & POL_ROLE_ADMIN) && r->who.org_type == POL_ORG_NATIONAL_CENTRE;
    if (!nc_admin) {
        if (r->who.roles & POL_ROLE_ORG_ADMIN)
            org = r->who.org_id;
        else
            user = r->who.user_id;
    }
    page_finish(&pg, r->app->store->ops->token_list(r->app->store, user, org, pg.after,
                                                    token_list_cb, &pg));
}
