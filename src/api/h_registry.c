/*
 * h_registry.c — the rest of the asset registry's API: quarterly inventories
 * (/asset-inventories), delegations to vendors, submissions and their routing steps
 * (filed → received by the ministry → notified to the national centre), and /filing-status.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/registry.h"

static bool bool_query(struct req *r, const char *name, bool *out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    *out = false;
    if (!v) return true;
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = strcmp(v, "true") == 0;
        return true;
    }
    char ptr[64];
    snprintf(ptr, sizeof ptr, "/query/%s", name);
    http_problem_field(r, 400, "validation", ptr, "enum", "true or false");
    return false;
}

static bool media_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (!ct || strncasecmp(ct, type, n) != 0) return false;
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    return *rest == 0 || *rest == ';';
}

/* ---- inventories ------------------------------------------------------------------------ */

static void inventory_answer(struct req *r, struct reg_plan *pl, bool dry_run, int64_t sub_id)
{
    json_t *out = json_pack("{s:I, s:b, s:b, s:o}", "org_id", (json_int_t)pl->filing.org_id,
                            "dry_run", dry_run, "filed", sub_id != 0, "submission_id",
                            sub_id ? json_integer(sub_id) : json_null());
    json_object_update(out, pl->report);
    http_reply_json(r, sub_id ? 201 : 200, out);
    if (sub_id) {
        char loc[80];
        snprintf(loc, sizeof loc, "/api/v1/asset-submissions/%lld", (long long)sub_id);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
    }
}

/* Frees the plan and its import slot as soon as the answer exists: a client that uploads its
 * next file right after reading this answer must find the slot free. */
static void plan_done(struct req *r)
{
    if (r->hstate_free == reg_plan_destroy) {
        reg_plan_destroy(r->hstate);
        r->hstate = NULL;
        r->hstate_free = NULL;
    }
}

static void inventory_plan_and_answer(struct req *r);

void h_inventory_upload(struct req *r)
{
    inventory_plan_and_answer(r);
    if (!r->suspended) plan_done(r);
}

static void inventory_plan_and_answer(struct req *r)
{
    struct reg_plan *pl = r->hstate;
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc == RK_EDENIED) {
            http_problem(r, 403, "forbidden", "Forbidden",
                         "The delegation this filing relied on has been revoked.", NULL);
        } else if (r->w->rc != RK_OK) {
            /* Someone filed in between: the diff is stale; nothing of this upload was stored. */
            http_problem_rc(r, r->w->rc, r->w);
        } else {
            inventory_answer(r, pl, false, pl->filing.submission_id);
        }
        return;
    }
    long long org = 0;
    bool dry_run;
    if (!http_query_int(r, "org_id", 1, INT64_MAX, r->who.org_id, &org) ||
        !bool_query(r, "dry_run", &dry_run))
        return;
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    bool csv = media_is(ct, "text/csv");
    if (!csv && !media_is(ct, "application/json")) {
        http_problem(r, 415, "unsupported-media-type", "Unsupported media type",
                     "Send the inventory as text/csv or application/json "
                     "(docs/inventory-format.md).",
                     NULL);
        return;
    }
    struct reg_owner owner;
    int rc = reg_authorize_filing(r->app, &r->who, org, &owner);
    if (rc == RK_EDENIED || rc == RK_ENOTFOUND) {
        http_problem_field(r, rc == RK_EDENIED ? 403 : 422,
                           rc == RK_EDENIED ? "forbidden" : "validation", "/query/org_id",
                           rc == RK_EDENIED ? "filing_right" : "operator",
                           rc == RK_EDENIED ? "you may not file for this operator (its own staff, "
                                              "or a vendor with an active delegation)"
                                            : "no such operator organisation");
        return;
    }
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    /* An inventory needs about 25 times its size in memory while it is compared (measured by
     * bench/assets.sh): bound the bytes processed at once. One upload alone is always let in
     * (it is already bounded by max_upload); small ones pass beside each other. */
    long need = (long)r->body_len + 1;
    long held = atomic_fetch_add(&r->app->import_bytes, need);
    if (held > 0 && (size_t)(held + need) > r->app->cfg.import_budget) {
        atomic_fetch_sub(&r->app->import_bytes, need);
        http_problem(r, 503, "unavailable", "Busy",
                     "Other inventories are being processed; retry in a few seconds.", NULL);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
        return;
    }
    if (!(pl = calloc(1, sizeof *pl))) {
        atomic_fetch_sub(&r->app->import_bytes, need);
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    pl->slot = &r->app->import_bytes;
    pl->slot_bytes = need;
    r->hstate = pl;
    r->hstate_free = reg_plan_destroy;
    struct jv_errors errs = {0};
    rc = reg_plan_inventory(r->app, &owner, r->body ? r->body : "", r->body_len, csv, pl, &errs);
    if (rc == RK_EINVAL || rc == RK_ELIMIT) {
        http_problem(r, rc == RK_ELIMIT ? 413 : 422,
                     rc == RK_ELIMIT ? "payload-too-large" : "validation",
                     "The inventory has invalid rows; nothing was filed", NULL, &errs);
        return;
    }
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    if (dry_run || pl->nops == 0) {
        /* Identical re-uploads file nothing: no submission, no version. */
        inventory_answer(r, pl, dry_run, 0);
        return;
    }
    pl->filing.filed_by_user = r->who.user_id;
    pl->filing.filed_by_org = r->who.org_id;
    struct store_write *w = job_new(r, STORE_W_ASSET_FILE, "asset.inventory", "submission", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    json_t *sum = json_object_get(pl->report, "summary");
    snprintf(w->audit.detail, sizeof w->audit.detail,
             "{\"org_id\":%lld,\"delegation_id\":%lld,\"added\":%lld,\"changed\":%lld,"
             "\"retired\":%lld}",
             (long long)org, (long long)owner.delegation_id,
             (long long)json_integer_value(json_object_get(sum, "added")),
             (long long)json_integer_value(json_object_get(sum, "changed")),
             (long long)json_integer_value(json_object_get(sum, "retired")));
    w->filing = &pl->filing;
    http_submit(r, w);
}

/* ---- delegations ------------------------------------------------------------------------ */

static void delegation_finish(struct req *r, unsigned status)
{
    struct delegation_rec d;
    if (r->w->rc == RK_ECONFLICT && r->w->op == STORE_W_DELEGATION_REVOKE) {
        http_problem_field(r, 409, "conflict", "/revoked_at", "already_recorded",
                           "this delegation has already been revoked");
        return;
    }
    if (r->w->rc == RK_ECONFLICT) {
        http_problem_field(r, 409, "conflict", "/vendor_org", "active",
                           "this vendor already holds an active delegation from you");
        return;
    }
    if (r->w->rc != RK_OK) {
        http_problem_rc(r, r->w->rc, r->w);
        return;
    }
    int rc = r->app->store->ops->delegation_get(r->app->store, r->w->out_id, &d);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, status, reg_view_delegation(&d));
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/delegations/%lld", (long long)d.id);
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
}

void h_delegations_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        delegation_finish(r, 201);
        return;
    }
    if (!policy_delegation_may_manage(&r->who, r->who.org_id, r->who.org_type)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "An operator's organisation administrator grants delegations.", NULL);
        return;
    }
    struct org_rec vendor;
    int64_t vid = json_integer_value(json_object_get(r->json, "vendor_org"));
    int rc = r->app->store->ops->org_get(r->app->store, vid, &vendor);
    if (rc == RK_ENOTFOUND || (rc == RK_OK && vendor.type != POL_ORG_VENDOR)) {
        http_problem_field(r, 422, "validation", "/vendor_org", "vendor",
                           "not a vendor organisation");
        return;
    }
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    struct store_write *w =
        job_new(r, STORE_W_DELEGATION_GRANT, "delegation.grant", "delegation", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->delegation.operator_org = r->who.org_id;
    w->delegation.vendor_org = vid;
    w->delegation.granted_by = r->who.user_id;
    json_copy_str(r->json, "note", w->delegation.note, sizeof w->delegation.note);
    snprintf(w->audit.detail, sizeof w->audit.detail, "{\"operator_org\":%lld,\"vendor_org\":%lld}",
             (long long)r->who.org_id, (long long)vid);
    http_submit(r, w);
}

/* The delegation named in the path and its operator, if p may see it; else answers. */
static bool load_delegation(struct req *r, struct delegation_rec *d, struct org_rec *op)
{
    int rc = r->app->store->ops->delegation_get(r->app->store, r->params[0], d);
    if (rc == RK_OK) rc = r->app->store->ops->org_get(r->app->store, d->operator_org, op);
    if (rc == RK_OK &&
        !policy_delegation_may_read(&r->who, d->operator_org, op->sectors, d->vendor_org))
        rc = RK_ENOTFOUND;
    if (rc != RK_OK) http_problem_rc(r, rc, NULL);
    return rc == RK_OK;
}

void h_delegations_revoke(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        delegation_finish(r, 200);
        return;
    }
    struct delegation_rec d;
    struct org_rec op;
    if (!load_delegation(r, &d, &op)) return;
    if (!policy_delegation_may_manage(&r->who, d.operator_org, op.type)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only the operator's organisation administrator revokes a delegation.", NULL);
        return;
    }
    struct store_write *w =
        job_new(r, STORE_W_DELEGATION_REVOKE, "delegation.revoke", "delegation", d.id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->target_id = d.id;
    snprintf(w->audit.detail, sizeof w->audit.detail, "{\"operator_org\":%lld,\"vendor_org\":%lld}",
             (long long)d.operator_org, (long long)d.vendor_org);
    http_submit(r, w);
}

void h_delegations_get(struct req *r)
{
    struct delegation_rec d;
    struct org_rec op;
    if (!load_delegation(r, &d, &op)) return;
    http_reply_json(r, 200, reg_view_delegation(&d));
}

struct deleg_list {
    struct page pg;
    struct org_rec op;
};

static bool deleg_cb(const struct delegation_rec *d, void *ctx)
{
    struct deleg_list *c = ctx;
    struct req *r = c->pg.r;
    if (c->op.id != d->operator_org &&
        r->app->store->ops->org_get(r->app->store, d->operator_org, &c->op) != RK_OK)
        return true;
    if (!policy_delegation_may_read(&r->who, d->operator_org, c->op.sectors, d->vendor_org))
        return true;
    return page_add(&c->pg, d->id, reg_view_delegation(d));
}

void h_delegations_list(struct req *r)
{
    struct deleg_list c;
    memset(&c, 0, sizeof c);
    long long org = 0;
    if (!http_query_int(r, "org_id", 1, INT64_MAX, 0, &org)) return;
    bool government =
        r->who.org_type == POL_ORG_NATIONAL_CENTRE || r->who.org_type == POL_ORG_MINISTRY;
    if (!org && !government) org = r->who.org_id;
    if (!page_begin(r, &c.pg)) return;
    page_finish(&c.pg,
                r->app->store->ops->delegation_list(r->app->store, org, c.pg.after, deleg_cb, &c));
}

/* ---- submissions ------------------------------------------------------------------------ */

/* Submissions follow their assets: whoever may read the operator's registry, except that a
 * vendor sees only the submissions it filed. */
static bool submission_visible(struct app *app, const struct pol_principal *p,
                               const struct submission_rec *s, const struct reg_owner *owner)
{
    struct pol_asset pa = owner->pa;
    if (p->org_type == POL_ORG_VENDOR && p->org_id != s->org_id) {
        if (s->filed_by_org != p->org_id) return false;
        pa.filed_by_p_org = true;
    }
    (void)app;
    return policy_asset_may_read(p, &pa);
}

/* The submission named in the path and its owner, if p may see it; else answers. */
static bool load_submission(struct req *r, struct submission_rec *s, struct reg_owner *owner)
{
    int rc = r->app->store->ops->submission_get(r->app->store, r->params[0], s);
    if (rc == RK_OK) rc = reg_owner_load(r->app, &r->who, s->org_id, owner);
    if (rc == RK_OK && !submission_visible(r->app, &r->who, s, owner)) rc = RK_ENOTFOUND;
    if (rc != RK_OK) http_problem_rc(r, rc, NULL);
    return rc == RK_OK;
}

void h_submissions_get(struct req *r)
{
    struct submission_rec s;
    struct reg_owner owner;
    if (!load_submission(r, &s, &owner)) return;
    http_reply_json(r, 200, reg_view_submission(&s));
}

struct sub_list {
    struct page pg;
    struct reg_owner_cache cache;
};

static bool sub_cb(const struct submission_rec *s, void *ctx)
{
    struct sub_list *c = ctx;
    struct req *r = c->pg.r;
    const struct reg_owner *owner = reg_owner_cached(r->app, &r->who, &c->cache, s->org_id);
    if (!owner || !submission_visible(r->app, &r->who, s, owner)) return true;
    return page_add(&c->pg, s->id, reg_view_submission(s));
}

void h_submissions_list(struct req *r)
{
    struct sub_list *c = calloc(1, sizeof *c);
    long long org = 0;
    if (!c) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    if (http_query_int(r, "org_id", 1, INT64_MAX, 0, &org) && page_begin(r, &c->pg))
        page_finish(&c->pg, r->app->store->ops->submission_list(r->app->store, org, c->pg.after,
                                                                sub_cb, c));
    free(c);
}

static void route_step(struct req *r, enum store_wop op, const char *action)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc == RK_ECONFLICT) {
            http_problem_field(r, 409, "conflict", r->w->conflict_field, "already_recorded",
                               "this routing step has already been recorded");
            return;
        }
        struct submission_rec s;
        int rc = r->w->rc == RK_OK
                     ? r->app->store->ops->submission_get(r->app->store, r->w->out_id, &s)
                     : r->w->rc;
        if (rc != RK_OK) {
            http_problem_rc(r, rc, r->w);
            return;
        }
        http_reply_json(r, 200, reg_view_submission(&s));
        return;
    }
    struct submission_rec s;
    struct reg_owner owner;
    if (!load_submission(r, &s, &owner)) return;
    if (!policy_submission_may_route(&r->who, owner.org.sectors)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only the staff of a ministry covering the operator's sectors record "
                     "receipt and forwarding.",
                     NULL);
        return;
    }
    struct store_write *w = job_new(r, op, action, "submission", s.id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->target_id = s.id;
    http_submit(r, w);
}

void h_submissions_receive(struct req *r)
{
    route_step(r, STORE_W_SUBMISSION_RECEIVE, "submission.receive");
}

void h_submissions_forward(struct req *r)
{
    route_step(r, STORE_W_SUBMISSION_FORWARD, "submission.forward");
}

/* ---- filing status ---------------------------------------------------------------------- */

void h_filing_status(struct req *r)
{
    long long org = 0;
    if (!http_query_int(r, "org_id", 1, INT64_MAX, 0, &org)) return;
    bool is_op = r->who.org_type == POL_ORG_CORE_OPERATOR || r->who.org_type == POL_ORG_CI_OPERATOR;
    json_t *out = NULL;
    int rc = org || is_op ? reg_status_org(r->app, &r->who, org ? org : r->who.org_id, &out)
                          : reg_status_summary(r->app, &r->who, &out);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200, out);
}
