/* h_audit.c — reading the audit trail: national-centre admins see all, an organisation's
 * administrator sees its own organisation's records. */
#include "api/api.h"

#include <string.h>

static bool audit_cb(const struct audit_rec *a, void *ctx)
{
    struct page *pg = ctx;
    if (!policy_audit_may_read(&pg->r->who, a->org_id)) return true;
    return page_add(pg, a->seq, view_audit(a));
}

void h_audit_list(struct req *r)
{
    long long org_id, user_id;
    struct page pg;
    if (!http_query_int(r, "org_id", 0, INT64_MAX, 0, &org_id) ||
        !http_query_int(r, "user_id", 0, INT64_MAX, 0, &user_id) || !page_begin(r, &pg))
        return;
    const char *action = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "action");
    if (action && (strlen(action) == 0 || strlen(action) > 47)) {
        json_decref(pg.items);
        http_problem_field(r, 400, "validation", "/query/action",
                           strlen(action) == 0 ? "min_length" : "max_length",
                           "must be 1 to 47 characters");
        return;
    }
    bool nc_admin = (r->who.roles & POL_ROLE_ADMIN) && r->who.org_type == POL_ORG_NATIONAL_CENTRE;
    if (!nc_admin) org_id = r->who.org_id; /* narrows the scan; policy still decides each record */
    struct audit_filter f = {
        .org_id = org_id, .user_id = user_id, .after_seq = pg.after, .action = action};
    page_finish(&pg, r->app->store->ops->audit_list(r->app->store, &f, audit_cb, &pg));
}
