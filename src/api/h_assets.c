/*
 * h_assets.c — /api/v1/assets: the registry of specific critical computers (domain.md §4).
 * Every filing is a new version (POST new, PATCH change, DELETE retire); "draft": true records
 * a pending filing only the operator and its delegated vendor see, filed later with
 * POST /assets/{id}/file. Visibility and filing rights come from policy.h through registry.c.
 */
#include <stdlib.h>
#include <string.h>

#include "api/registry.h"

/* State kept across the two halves of a single filing. */
struct single {
    struct asset_filing filing;
    struct asset_op op;
    bool discards_draft; /* filing over a pending draft prepared against the older version */
    json_t *canon, *old;
    char *dump, *changes;
    char action[32];
};

static void single_free(void *p)
{
    struct single *s = p;
    if (!s) return;
    json_decref(s->canon);
    json_decref(s->old);
    free(s->dump);
    free(s->changes);
    free(s);
}

/* discarded: the filing replaced a pending draft, which no longer applies (said in the answer
 * as "discarded_draft": true). */
static void answer_asset(struct req *r, unsigned status, int64_t id, bool discarded)
{
    struct asset_rec a;
    struct reg_owner owner;
    int rc = r->app->store->ops->asset_get(r->app->store, id, &a);
    if (rc == RK_OK) rc = reg_owner_load(r->app, &r->who, a.org_id, &owner);
    json_t *v = rc == RK_OK ? reg_view_asset(r->app, &r->who, &owner, &a) : NULL;
    store_asset_rec_free(&a);
    if (!v) {
        http_problem_rc(r, rc == RK_OK ? RK_EIO : rc, NULL);
        return;
    }
    if (discarded) json_object_set_new(v, "discarded_draft", json_true());
    http_reply_json(r, status, v);
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/assets/%lld", (long long)id);
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
}

static void filing_finish(struct req *r, unsigned status)
{
    struct single *s = r->hstate;
    if (r->w->rc == RK_EDENIED) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "The delegation this filing relied on has been revoked.", NULL);
        return;
    }
    if (r->w->rc != RK_OK) {
        http_problem_rc(r, r->w->rc, r->w);
        return;
    }
    answer_asset(r, status, s->op.asset_id, s->discards_draft);
}

static void deny_filing(struct req *r, int rc)
{
    if (rc == RK_EDENIED)
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only the operator's own staff, or a vendor holding an active delegation "
                     "from the operator, may file its computers.",
                     NULL);
    else if (rc == RK_ENOTFOUND)
        http_problem_field(r, 422, "validation", "/org_id", "operator",
                           "no such operator organisation");
    else
        http_problem_rc(r, rc, NULL);
}

/* Checks the wrapper {org_id?, draft?, entry, version?}: members and types. */
static bool wrapper_ok(struct req *r, bool allow_org, bool need_entry)
{
    struct jv_errors errs = {0};
    const char *key;
    json_t *v;
    json_object_foreach(r->json, key, v)
    {
        char ptr[80] = "";
        jv_pointer_append(ptr, sizeof ptr, key);
        if (strcmp(key, "entry") == 0) {
            if (!json_is_object(v)) jv_error_add(&errs, ptr, "type", "must be an object");
        } else if (strcmp(key, "draft") == 0) {
            if (!json_is_boolean(v)) jv_error_add(&errs, ptr, "type", "must be a boolean");
        } else if (strcmp(key, "version") == 0 && !allow_org) {
            if (!json_is_integer(v) || json_integer_value(v) < 0)
                jv_error_add(&errs, ptr, "type", "must be a non-negative integer");
        } else if (strcmp(key, "org_id") == 0 && allow_org) {
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                jv_error_add(&errs, ptr, "type", "must be a positive integer");
        } else {
            jv_error_add(&errs, ptr, "unknown_field", "unknown member");
        }
    }
    if (need_entry && !json_object_get(r->json, "entry"))
        jv_error_add(&errs, "/entry", "required", "the computer entry is required");
    if (errs.n) {
        http_problem(r, 422, "validation", "The request has invalid fields", NULL, &errs);
        return false;
    }
    return true;
}

static bool canonical_or_answer(struct req *r, const json_t *entry, json_t **canon)
{
    struct jv_errors errs = {0};
    int rc = asset_canonical(entry, "/entry", canon, &errs);
    if (rc == RK_OK && reg_check_entry(r->app, *canon, "/entry", &errs) != RK_OK) rc = RK_EINVAL;
    if (rc == RK_EINVAL) {
        http_problem(r, 422, "validation", "The entry has invalid fields", NULL, &errs);
        return false;
    }
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return false;
    }
    return true;
}

/* Fills s->op for the new state canon of an entry against its filed state old (NULL: new). */
static int prepare_op(struct req *r, struct single *s, enum asset_op_kind kind)
{
    s->op.kind = kind;
    s->op.canon = s->canon;
    s->op.ref = json_string_value(json_object_get(s->canon, "ref"));
    s->op.categories = asset_categories_mask(json_object_get(s->canon, "categories"));
    if (!(s->dump = asset_canonical_dump(s->canon))) return RK_ENOMEM;
    s->op.body = s->dump;
    json_t *diff = s->old ? asset_diff(s->old, s->canon) : json_array();
    if (!diff) return RK_ENOMEM;
    s->changes = json_dumps(diff, JSON_COMPACT);
    json_decref(diff);
    if (!s->changes) return RK_ENOMEM;
    s->op.changes = s->changes;
    enum asset_filing_kind fk = kind == ASSET_OP_NEW      ? ASSET_FILING_NEW
                                : kind == ASSET_OP_CHANGE ? ASSET_FILING_CHANGE
                                                          : ASSET_FILING_RETIRE;
    reg_deadline(r->app, fk, s->canon, s->op.deadline);
    return RK_OK;
}

static void submit_single(struct req *r, struct single *s, const struct reg_owner *owner,
                          bool draft, const char *action)
{
    s->filing.org_id = owner->org.id;
    s->filing.filed_by_user = r->who.user_id;
    s->filing.filed_by_org = r->who.org_id;
    s->filing.delegation_id = owner->delegation_id;
    s->filing.draft = draft;
    s->filing.ops = &s->op;
    s->filing.nops = 1;
    struct store_write *w =
        job_new(r, STORE_W_ASSET_FILE, action, draft ? "asset" : "submission", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->filing = &s->filing;
    /* The audit record names what was filed; jansson escapes the operator's text. */
    json_t *d = json_pack("{s:I, s:s, s:s, s:I}", "org_id", (json_int_t)owner->org.id, "ref",
                          s->op.ref ? s->op.ref : "", "kind",
                          s->op.kind == ASSET_OP_NEW      ? "new"
                          : s->op.kind == ASSET_OP_CHANGE ? "change"
                                                          : "retire",
                          "delegation_id", (json_int_t)owner->delegation_id);
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    if (text && strlen(text) < sizeof w->audit.detail)
        snprintf(w->audit.detail, sizeof w->audit.detail, "%s", text);
    free(text);
    json_decref(d);
    http_submit(r, w);
}

static void prepare_and_submit(struct req *r, struct single *s, const struct reg_owner *owner,
                               enum asset_op_kind kind, bool draft)
{
    if (kind == ASSET_OP_NEW && !json_is_null(json_object_get(s->canon, "retired_on"))) {
        http_problem_field(r, 422, "validation", "/entry/retired_on", "not_allowed",
                           "an entry that was never filed cannot be filed as retired");
        return;
    }
    int rc = prepare_op(r, s, kind);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    submit_single(r, s, owner, draft, draft ? "asset.draft" : "asset.file");
}

static struct single *single_new(struct req *r)
{
    struct single *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    r->hstate = s;
    r->hstate_free = single_free;
    return s;
}

void h_assets_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        filing_finish(r, 201);
        return;
    }
    if (!wrapper_ok(r, true, true)) return;
    json_t *jorg = json_object_get(r->json, "org_id");
    int64_t org_id = jorg ? json_integer_value(jorg) : r->who.org_id;
    bool draft = json_is_true(json_object_get(r->json, "draft"));
    struct reg_owner owner;
    int rc = reg_authorize_filing(r->app, &r->who, org_id, &owner);
    if (rc != RK_OK) {
        deny_filing(r, rc);
        return;
    }
    struct single *s = single_new(r);
    if (!s) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    if (!canonical_or_answer(r, json_object_get(r->json, "entry"), &s->canon)) return;
    if (!json_is_null(json_object_get(s->canon, "retired_on"))) {
        http_problem_field(r, 422, "validation", "/entry/retired_on", "not_allowed",
                           "a new entry cannot already be retired");
        return;
    }
    prepare_and_submit(r, s, &owner, ASSET_OP_NEW, draft);
}

/* Loads the asset for a write by p: answers and returns false when it cannot go on. */
static bool load_for_filing(struct req *r, struct asset_rec *a, struct reg_owner *owner)
{
    int rc = r->app->store->ops->asset_get(r->app->store, r->params[0], a);
    if (rc == RK_OK) rc = reg_owner_load(r->app, &r->who, a->org_id, owner);
    /* An entry p may not see answers 404 whatever p asks of it; a draft-only entry is visible
     * only to those who may see drafts (a 403 here would tell a ministry a draft exists). */
    if (rc == RK_OK) {
        bool draft = policy_asset_may_read_draft(&r->who, &owner->pa);
        bool visible =
            a->head_version == 0 ? draft : draft || policy_asset_may_read(&r->who, &owner->pa);
        if (!visible) rc = RK_ENOTFOUND;
    }
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return false;
    }
    rc = reg_authorize_filing(r->app, &r->who, a->org_id, owner);
    if (rc != RK_OK) {
        deny_filing(r, rc);
        return false;
    }
    if (!a->live) {
        http_problem(r, 409, "conflict", "Conflict", "This computer has been retired.", NULL);
        return false;
    }
    return true;
}

/* The head version the client saw ("version"), when given, must still be the head. */
static bool version_ok(struct req *r, const struct asset_rec *a)
{
    json_t *v = json_object_get(r->json, "version");
    if (v && json_integer_value(v) != a->head_version) {
        http_problem_field(r, 409, "conflict", "/version", "version",
                           "the entry was filed again since you read it; reload it");
        return false;
    }
    return true;
}

/* PATCH: the entry's new state (a change, or a retirement when retired_on is set). */
void h_assets_change(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        filing_finish(r, 200);
        return;
    }
    if (!wrapper_ok(r, false, true)) return;
    struct asset_rec a;
    struct reg_owner owner;
    if (!load_for_filing(r, &a, &owner)) goto out;
    if (!version_ok(r, &a)) goto out;
    bool draft = json_is_true(json_object_get(r->json, "draft"));
    struct single *s = single_new(r);
    if (!s) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    if (!canonical_or_answer(r, json_object_get(r->json, "entry"), &s->canon)) goto out;
    if (strcmp(json_string_value(json_object_get(s->canon, "ref")), a.ref) != 0) {
        http_problem_field(r, 422, "validation", "/entry/ref", "immutable",
                           "the management number of a filed entry does not change; retire "
                           "it and file a new entry");
        goto out;
    }
    s->op.asset_id = a.id;
    s->op.expect_head = a.head_version;
    s->discards_draft = !draft && a.draft_kind[0];
    enum asset_op_kind kind;
    if (a.head_version == 0) {
        kind = ASSET_OP_NEW; /* still a draft of a new entry */
    } else {
        s->old = json_loads(a.body, 0, NULL);
        kind = json_is_null(json_object_get(s->canon, "retired_on")) ? ASSET_OP_CHANGE
                                                                     : ASSET_OP_RETIRE;
        char *dump = asset_canonical_dump(s->canon);
        bool same = dump && a.body && strcmp(dump, a.body) == 0;
        free(dump);
        if (same && !draft) {
            http_problem_field(r, 422, "validation", "/entry", "unchanged",
                               "the entry is identical to the filed version: nothing to file");
            goto out;
        }
    }
    if (!draft && a.head_version == 0) {
        http_problem(r, 409, "conflict", "Conflict",
                     "This entry is a draft that was never filed: change it with \"draft\": "
                     "true, then file it with POST /api/v1/assets/{id}/file.",
                     NULL);
        goto out;
    }
    prepare_and_submit(r, s, &owner, kind, draft);
out:
    store_asset_rec_free(&a);
}

/* DELETE ?retired_on=YYYY-MM-DD (default today): files the retirement. */
void h_assets_retire(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        filing_finish(r, 200);
        return;
    }
    struct asset_rec a;
    struct reg_owner owner;
    if (!load_for_filing(r, &a, &owner)) goto out;
    if (a.head_version == 0) {
        http_problem(r, 409, "conflict", "Conflict",
                     "This entry was never filed; there is nothing to retire.", NULL);
        goto out;
    }
    char date[11];
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "retired_on");
    struct dl_date d;
    if (q) {
        if (dl_parse(q, &d) != RK_OK) {
            http_problem_field(r, 400, "validation", "/query/retired_on", "format",
                               "a YYYY-MM-DD date is required");
            goto out;
        }
        snprintf(date, sizeof date, "%s", q);
    } else {
        reg_today(date);
    }
    struct single *s = single_new(r);
    if (!s) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    s->old = json_loads(a.body, 0, NULL);
    s->canon = s->old ? json_deep_copy(s->old) : NULL;
    if (!s->canon) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    char today[11];
    reg_today(today);
    if (strcmp(date, today) > 0) {
        http_problem_field(r, 400, "validation", "/query/retired_on", "future",
                           "a retirement is filed once it has happened (today or earlier)");
        goto out;
    }
    const char *intro = json_string_value(json_object_get(s->canon, "introduced_on"));
    if (intro && strcmp(date, intro) < 0) {
        http_problem_field(r, 400, "validation", "/query/retired_on", "date_order",
                           "retirement cannot precede the date of introduction");
        goto out;
    }
    json_object_set_new(s->canon, "retired_on", json_string(date));
    s->op.asset_id = a.id;
    s->op.expect_head = a.head_version;
    s->discards_draft = a.draft_kind[0] != 0;
    prepare_and_submit(r, s, &owner, ASSET_OP_RETIRE, false);
out:
    store_asset_rec_free(&a);
}

/* POST /assets/{id}/file: files the pending draft as it stands. */
void h_assets_file(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        filing_finish(r, 200);
        return;
    }
    struct asset_rec a;
    struct reg_owner owner;
    if (!load_for_filing(r, &a, &owner)) goto out;
    if (!a.draft_kind[0] || !a.draft_body) {
        http_problem(r, 409, "conflict", "Conflict", "This entry has no pending draft.", NULL);
        goto out;
    }
    struct single *s = single_new(r);
    if (!s) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    s->canon = json_loads(a.draft_body, 0, NULL);
    s->old = a.body ? json_loads(a.body, 0, NULL) : NULL;
    if (!s->canon) {
        http_problem_rc(r, RK_EIO, NULL);
        goto out;
    }
    if (a.body && strcmp(a.draft_body, a.body) == 0) {
        http_problem(r, 422, "validation", "Nothing to file",
                     "The draft is identical to the filed version.", NULL);
        goto out;
    }
    s->op.asset_id = a.id;
    s->op.expect_head = a.head_version;
    s->op.expect_draft_ms = a.draft_ms;
    enum asset_op_kind kind = strcmp(a.draft_kind, "new") == 0      ? ASSET_OP_NEW
                              : strcmp(a.draft_kind, "change") == 0 ? ASSET_OP_CHANGE
                                                                    : ASSET_OP_RETIRE;
    prepare_and_submit(r, s, &owner, kind, false);
out:
    store_asset_rec_free(&a);
}

void h_assets_get(struct req *r)
{
    struct asset_rec a;
    struct reg_owner owner;
    int rc = r->app->store->ops->asset_get(r->app->store, r->params[0], &a);
    if (rc == RK_OK) rc = reg_owner_load(r->app, &r->who, a.org_id, &owner);
    json_t *v = rc == RK_OK ? reg_view_asset(r->app, &r->who, &owner, &a) : NULL;
    store_asset_rec_free(&a);
    if (!v) {
        http_problem_rc(r, rc == RK_OK ? RK_ENOTFOUND : rc, NULL);
        return;
    }
    http_reply_json(r, 200, v);
}

/* ---- listing ---------------------------------------------------------------------------- */

struct list_ctx {
    struct page pg;
    struct reg_owner_cache cache;
    bool overdue; /* the filter looks at drafts: rows of owners whose drafts p may not see go */
    /* Content filters applied to the view instead of the store's head version: a vendor whose
     * delegation ended sees its own older version, and a filter on the head would reveal the
     * operator's current products, categories or retirement one query at a time. */
    bool on_view;
    unsigned categories;
    const char *product;
    bool include_retired;
};

/* Does the view match the content filters (vendors only, see list_ctx)? */
static bool view_matches(const struct list_ctx *c, const json_t *v)
{
    const json_t *entry = json_object_get(v, "entry");
    if (!c->include_retired &&
        strcmp(json_string_value(json_object_get(v, "status")), "retired") == 0)
        return false;
    if (c->categories &&
        !(asset_categories_mask(json_object_get(entry, "categories")) & c->categories))
        return false;
    if (!c->product) return true;
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(entry, "products"), i, p)
    {
        static const char *const keys[] = {"name", "manufacturer", "cpe"};
        for (size_t k = 0; k < 3; k++) {
            const char *t = json_string_value(json_object_get(p, keys[k]));
            char low[1024];
            size_t n = 0;
            for (; t && t[n] && n + 1 < sizeof low; n++)
                low[n] = (char)(t[n] >= 'A' && t[n] <= 'Z' ? t[n] - 'A' + 'a' : t[n]);
            low[n] = 0;
            if (t && strstr(low, c->product)) return true;
        }
    }
    return false;
}

static bool list_cb(const struct asset_rec *a, void *ctx)
{
    struct list_ctx *c = ctx;
    struct req *r = c->pg.r;
    const struct reg_owner *owner = reg_owner_cached(r->app, &r->who, &c->cache, a->org_id);
    if (!owner) return true;
    /* Otherwise the filter itself would tell a ministry that an unfiled draft exists. */
    if (c->overdue && !policy_asset_may_read_draft(&r->who, &owner->pa)) return true;
    json_t *v = reg_view_asset(r->app, &r->who, owner, a);
    if (!v) return true;
    if (c->on_view && !view_matches(c, v)) {
        json_decref(v);
        return true;
    }
    return page_add(&c->pg, a->id, v);
}

static bool query_str(struct req *r, const char *name, const char **out)
{
    *out = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    return *out != NULL;
}

void h_assets_list(struct req *r)
{
    struct list_ctx c;
    memset(&c, 0, sizeof c);
    struct asset_filter f = {0};
    long long org = 0;
    const char *v;
    char product[256], overdue[11];
    if (!http_query_int(r, "org_id", 1, INT64_MAX, 0, &org)) return;
    f.org_id = org;
    if (query_str(r, "sector", &v)) {
        int idx = refdata_sector_index(r->app->rd, v);
        if (idx < 0) {
            http_problem_field(r, 400, "validation", "/query/sector", "enum",
                               "unknown sector code (see GET /api/v1/reference)");
            return;
        }
        f.sectors = 1ull << idx;
    }
    if (query_str(r, "category", &v)) {
        json_t *one = json_pack("[s]", v);
        f.categories = asset_categories_mask(one);
        json_decref(one);
        if (!f.categories || strlen(v) != 1) {
            http_problem_field(r, 400, "validation", "/query/category", "enum",
                               "one of A, B, C, D, E, F");
            return;
        }
    }
    if (query_str(r, "product", &v)) {
        size_t n = strlen(v);
        if (n == 0 || n >= sizeof product) {
            http_problem_field(r, 400, "validation", "/query/product", "max_length",
                               "1 to 255 bytes");
            return;
        }
        for (size_t i = 0; i <= n; i++)
            product[i] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] - 'A' + 'a' : v[i]);
        f.product = product;
    }
    if (query_str(r, "overdue", &v)) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            http_problem_field(r, 400, "validation", "/query/overdue", "enum", "true or false");
            return;
        }
        if (strcmp(v, "true") == 0) {
            reg_today(overdue);
            f.overdue_before = overdue;
            c.overdue = true;
        }
    }
    if (query_str(r, "include_retired", &v)) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            http_problem_field(r, 400, "validation", "/query/include_retired", "enum",
                               "true or false");
            return;
        }
        f.include_retired = strcmp(v, "true") == 0;
    }
    /* Narrow the scan to what the principal could see; the policy still decides per row. */
    if (r->who.org_type == POL_ORG_MINISTRY && !f.sectors)
        f.sectors = r->who.sectors;
    else if (r->who.org_type == POL_ORG_VENDOR) {
        f.vendor_org = r->who.org_id;
        c.on_view = true;
        c.categories = f.categories;
        c.product = f.product;
        c.include_retired = f.include_retired;
        f.categories = 0;
        f.product = NULL;
        f.include_retired = true;
    } else if (r->who.org_type != POL_ORG_NATIONAL_CENTRE && !f.org_id)
        f.org_id = r->who.org_id;
    if (!page_begin(r, &c.pg)) return;
    page_finish(&c.pg, r->app->store->ops->asset_list(r->app->store, &f, c.pg.after, list_cb, &c));
}

/* ---- history ---------------------------------------------------------------------------- */

struct hist_ctx {
    json_t *items;
    const struct pol_principal *p;
    bool own_only;
    bool ok;
};

static bool hist_cb(const struct asset_version_rec *v, void *ctx)
{
    struct hist_ctx *h = ctx;
    if (h->own_only && v->filed_by_org != h->p->org_id) return true;
    char t[40];
    json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:o, s:s, s:o, s:o}", "version",
                          (json_int_t)v->version, "kind", v->kind, "submission_id",
                          (json_int_t)v->submission_id, "valid_from",
                          http_time(v->valid_from_ms, t, sizeof t), "filed_by_org",
                          (json_int_t)v->filed_by_org, "filed_on", v->filed_on, "deadline",
                          v->deadline[0] ? json_string(v->deadline) : json_null(), "status",
                          !v->deadline[0] ? "unknown"
                          : v->late       ? "filed_late"
                                          : "filed_on_time",
                          "entry", v->body ? json_loads(v->body, 0, NULL) : json_null(), "changes",
                          v->changes ? json_loads(v->changes, 0, NULL) : json_array());
    if (!o || json_array_append_new(h->items, o) != 0) {
        h->ok = false;
        return false;
    }
    return true;
}

/* GET /assets/{id}/history[?as_of=RFC 3339 time or YYYY-MM-DD (end of that day in Japan)]. */
void h_assets_history(struct req *r)
{
    struct asset_rec a;
    struct reg_owner owner;
    int64_t as_of = 0;
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "as_of");
    if (q) {
        struct dl_date d;
        if (dl_parse(q, &d) == RK_OK) {
            as_of = dl_end_of_day_jst_ms(&d);
        } else if (jv_check_format(JV_FMT_DATETIME, q, strlen(q))) {
            as_of = reg_parse_time(q);
        }
        if (as_of <= 0) {
            http_problem_field(r, 400, "validation", "/query/as_of", "format",
                               "an RFC 3339 date-time or a YYYY-MM-DD date");
            return;
        }
    }
    int rc = r->app->store->ops->asset_get(r->app->store, r->params[0], &a);
    if (rc == RK_OK) rc = reg_owner_load(r->app, &r->who, a.org_id, &owner);
    json_t *view = rc == RK_OK ? reg_view_asset(r->app, &r->who, &owner, &a) : NULL;
    if (!view) {
        store_asset_rec_free(&a);
        http_problem_rc(r, rc == RK_OK ? RK_ENOTFOUND : rc, NULL);
        return;
    }
    struct hist_ctx h = {.items = json_array(),
                         .p = &r->who,
                         .own_only = json_is_true(json_object_get(view, "own_versions_only")),
                         .ok = true};
    json_decref(view);
    rc = r->app->store->ops->asset_versions(r->app->store, a.id, as_of, hist_cb, &h);
    if (rc != RK_OK || !h.ok) {
        json_decref(h.items);
        store_asset_rec_free(&a);
        http_problem_rc(r, rc != RK_OK ? rc : RK_ENOMEM, NULL);
        return;
    }
    char t[40];
    json_t *out = json_pack("{s:I, s:I, s:s}", "asset_id", (json_int_t)a.id, "org_id",
                            (json_int_t)a.org_id, "ref", a.ref);
    if (q) {
        /* The registry as it stood then: the newest version valid at that time. */
        size_t n = json_array_size(h.items);
        json_object_set_new(out, "as_of", json_string(http_time(as_of, t, sizeof t)));
        json_object_set(out, "version", n ? json_array_get(h.items, n - 1) : json_null());
    }
    json_object_set_new(out, "versions", h.items);
    store_asset_rec_free(&a);
    http_reply_json(r, 200, out);
}
