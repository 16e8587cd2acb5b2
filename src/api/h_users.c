/*
 * h_users.c — people. An organisation's administrator manages its own users; the national
 * centre's administrators manage everyone. Only a platform admin grants admin, and only to
 * national-centre staff (policy_may_grant_roles).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

static void user_write_finish(struct req *r, unsigned status)
{
    struct user_rec u;
    if (r->w->rc != RK_OK) {
        http_problem_rc(r, r->w->rc, r->w);
        return;
    }
    if (r->app->store->ops->user_get(r->app->store, r->w->out_id, &u) != RK_OK) {
        http_problem(r, 500, "internal", "Internal error", NULL, NULL);
        return;
    }
    http_reply_json(r, status, view_user(&u));
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/users/%lld", (long long)u.id);
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
}

void h_users_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        user_write_finish(r, 201);
        return;
    }
    int64_t org_id = json_integer_value(json_object_get(r->json, "org_id"));
    struct org_rec org;
    if (!policy_user_may_manage(&r->who, org_id)) {
        http_problem_field(r, 403, "forbidden", "/org_id", "not_manager",
                           "you may not add users to this organisation");
        return;
    }
    int orc = r->app->store->ops->org_get(r->app->store, org_id, &org);
    if (orc != RK_OK) {
        if (orc == RK_ENOTFOUND)
            http_problem_field(r, 422, "validation", "/org_id", "exists",
                               "no organisation has this id");
        else
            http_problem_rc(r, orc, NULL);
        return;
    }
    unsigned roles = roles_from_json(json_object_get(r->json, "roles"));
    if (!policy_may_grant_roles(&r->who, org.type, roles)) {
        http_problem_field(r, 403, "forbidden", "/roles", "not_grantable",
                           "you may not grant these roles (admin is for national-centre staff, "
                           "granted by a platform admin)");
        return;
    }
    struct store_write *w = job_new(r, STORE_W_USER_CREATE, "user.create", "user", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->user.org_id = org_id;
    w->user.roles = roles;
    json_copy_str(r->json, "username", w->user.username, sizeof w->user.username);
    json_copy_str(r->json, "display_name", w->user.display_name, sizeof w->user.display_name);
    w->user.contractor = json_is_true(json_object_get(r->json, "contractor"));
    int hrc = auth_password_hash(json_string_value(json_object_get(r->json, "password")),
                                 w->user.pw_hash, sizeof w->user.pw_hash);
    if (hrc != RK_OK) {
        free(w);
        http_problem_rc(r, hrc == RK_EINVAL ? RK_EIO : hrc, NULL); /* schema already checked */
        return;
    }
    http_submit(r, w);
}

void h_users_update(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        user_write_finish(r, 200);
        return;
    }
    struct user_rec u;
    struct org_rec org;
    int rc = r->app->store->ops->user_get(r->app->store, r->params[0], &u);
    if (rc == RK_OK && !policy_user_may_read(&r->who, u.org_id, u.id)) rc = RK_ENOTFOUND;
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    if (!policy_user_may_manage(&r->who, u.org_id) ||
        r->app->store->ops->org_get(r->app->store, u.org_id, &org) != RK_OK) {
        http_problem(r, 403, "forbidden", "Forbidden", "You may not change this user.", NULL);
        return;
    }
    const json_t *roles = json_object_get(r->json, "roles");
    if (roles) {
        unsigned bits = roles_from_json(roles);
        /* Taking admin away is as sensitive as giving it. */
        if (!policy_may_grant_roles(&r->who, org.type, bits | (u.roles & POL_ROLE_ADMIN))) {
            http_problem_field(r, 403, "forbidden", "/roles", "not_grantable",
                               "you may not set these roles");
            return;
        }
        u.roles = bits;
    }
    const json_t *dis = json_object_get(r->json, "disabled");
    if ((u.roles & POL_ROLE_ADMIN) && dis && json_is_true(dis) != u.disabled &&
        !policy_may_grant_roles(&r->who, org.type, POL_ROLE_ADMIN)) {
        http_problem_field(r, 403, "forbidden", "/disabled", "not_grantable",
                           "only a platform admin may disable or re-enable a platform admin");
        return;
    }
    json_copy_str(r->json, "display_name", u.display_name, sizeof u.display_name);
    if (json_object_get(r->json, "contractor"))
        u.contractor = json_is_true(json_object_get(r->json, "contractor"));
    if (json_object_get(r->json, "disabled"))
        u.disabled = json_is_true(json_object_get(r->json, "disabled"));
    struct store_write *w = job_new(r, STORE_W_USER_UPDATE, "user.update", "user", u.id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->user = u;
    w->target_id = u.id;
    http_submit(r, w);
}

void h_users_get(struct req *r)
{
    struct user_rec u;
    int rc = r->app->store->ops->user_get(r->app->store, r->params[0], &u);
    if (rc == RK_OK && !policy_user_may_read(&r->who, u.org_id, u.id)) rc = RK_ENOTFOUND;
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200, view_user(&u));
}

static bool user_list_cb(const struct user_rec *u, void *ctx)
{
    struct page *pg = ctx;
    if (!policy_user_may_read(&pg->r->who, u->org_id, u->id)) return true;
    return page_add(pg, u->id, view_user(u));
}

void h_users_list(struct req *r)
{
    long long org_id;
    struct page pg;
    if (!http_query_int(r, "org_id", 0, INT64_MAX, 0, &org_id) || !page_begin(r, &pg)) return;
    /* Narrow the scan for those who can only see their own organisation; the policy still
     * decides every row. */
    if (!(r->who.roles & POL_ROLE_ADMIN) || r->who.org_type != POL_ORG_NATIONAL_CENTRE)
        if (!org_id || org_id == r->who.org_id) org_id = r->who.org_id;
    page_finish(&pg,
                r->app->store->ops->user_list(r->app->store, org_id, pg.after, user_list_cb, &pg));
}
