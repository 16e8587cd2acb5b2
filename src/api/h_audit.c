/* h_audit.c — reading the audit trail: national-centre admins see all, an organisation's
 * administrator sees its own organisation's records. */
#include "api/api.h"

#include <string.h>

struct audit_list_ctx {
    struct req *r;
    json_t *items;
    long long limit;
    int64_t last;
    bool more;
};

static bool audit_cb(const struct audit_rec *a, void *vctx)
{
    struct audit_list_ctx *c = vctx;
    if (!policy_audit_may_read(&c->r->who, a->org_id)) return true;
    if ((long long)json_array_size(c->items) == c->limit) {
        c->more = true;
        return false;
    }
    json_array_append_new(c->items, view_audit(a));
    c->last = a->seq;
    return true;
}

void h_audit_list(struct req *r)
{
    long long limit, after, org_id, user_id;
    if (!http_query_int(r, "limit", 1, STORE_LIST_MAX, 100, &limit) ||
        !http_query_int(r, "after", 0, INT64_MAX, 0, &after) ||
        !http_query_int(r, "org_id", 0, INT64_MAX, 0, &org_id) ||
        !http_query_int(r, "user_id", 0, INT64_MAX, 0, &user_id))
        return;
    const char *action = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "action");
    if (action && (strlen(action) == 0 || strlen(action) > 47)) {
        http_problem_field(r, 400, "validation", "/query/action",
                           strlen(action) == 0 ? "min_length" : "max_length",
                           "must be 1 to 47 characters");
        return;
    }
    bool nc_admin = (r->who.roles & POL_ROLE_ADMIN) && r->who.org_type == POL_ORG_NATIONAL_CENTRE;
    if (!nc_admin) org_id = r->who.org_id; /* narrows the scan; policy still decides each record */
    struct audit_filter f = {
        .org_id = org_id, .user_id = user_id, .after_seq = after, .action = action};
    struct audit_list_ctx c = {.r = r, .items = json_array(), .limit = limit};
    int rc = r->app->store->ops->audit_list(r->app->store, &f, audit_cb, &c);
    if (rc != RK_OK) {
        json_decref(c.items);
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200,
                    json_pack("{s:o, s:o}", "items", c.items, "next_after",
                              c.more ? json_integer(c.last) : json_null()));
}
