/*
 * h_products.c — /api/v1/products: analysis products (総合整理分析情報, domain.md §6.2) in three
 * tiers (comprehensive, provision, publication). The national centre's own writers create,
 * edit, derive and release them; everyone reads through policy.h: policy_may_read on the
 * product's scope for the product, policy_view with its label map for its fields. The label
 * rules, derivation and the release gate are src/domain/tier.h; nothing here decides who sees
 * what.
 *
 * A draft's scope is TLP:RED with no named addressees and the national centre as owner, so
 * policy_may_read admits the centre alone: a draft does not exist for anyone else (404).
 */
#include <stdlib.h>
#include <string.h>

#include "api/advisories.h"
#include "api/api.h"
#include "domain/tier.h"

#define PRODUCT_MAX_LABELS 500

/* ---- scope and views ---------------------------------------------------------------------- */

static void product_scope(const struct product_rec *p, struct pol_scope *s)
{
    *s = (struct pol_scope){
        .owner_org = p->owner_org, .sectors = p->sectors, .ntlp = 1, .tier = p->tier};
    /* Drafts: TLP:RED, nobody named — the owner (the national centre) only. */
    s->tlp[0] = p->released ? p->tlp : POL_TLP_RED;
}

/* May p read the product at all? Its scope, and a label on the whole body ("" in the map):
 * policy_view answers a hidden root as a missing object, so every other path must too. */
static bool product_may_read(const struct pol_principal *who, const struct product_rec *p)
{
    struct pol_scope s;
    product_scope(p, &s);
    if (!policy_may_read(who, &s)) return false;
    json_t *labels = json_loads(p->labels ? p->labels : "{}", 0, NULL);
    unsigned root = tier_labels_at(labels, "");
    json_decref(labels);
    return policy_field_visible(who, &s, root);
}

bool products_may_read(const struct pol_principal *who, const struct product_rec *p)
{
    return product_may_read(who, p);
}

/* May p create products (write as the national centre)? */
static bool may_author(struct req *r, int64_t *owner)
{
    *owner = advs_nc_org(r->app);
    struct pol_scope s = {
        .owner_org = *owner, .ntlp = 1, .tlp = {POL_TLP_RED}, .tier = POL_TIER_COMPREHENSIVE};
    return *owner != 0 && policy_may_write(&r->who, &s);
}

/* The metadata every reader of the product may see (no body). */
json_t *products_summary(const struct app *app, const struct product_rec *p)
{
    json_t *v = json_pack(
        "{s:I, s:s, s:s, s:s, s:o, s:s, s:I, s:o, s:o, s:o}", "id", (json_int_t)p->id, "tier",
        policy_tier_name(p->tier), "status", p->released ? "released" : "draft", "tlp",
        policy_tlp_name(p->tlp), "sectors", refdata_sectors_to_json(app->rd, p->sectors), "title",
        p->title, "version", (json_int_t)p->version, "created_at", time_json(p->created_ms),
        "updated_at", time_json(p->updated_ms), "released_at", time_json(p->released_ms));
    return v;
}

/* The product as p may see it, or NULL with *rc (RK_ENOTFOUND: p may not read it). */
static json_t *product_view(struct req *r, const struct product_rec *p, int *rc)
{
    struct pol_scope s;
    product_scope(p, &s);
    json_t *body = json_loads(p->body, JSON_DECODE_ANY, NULL);
    json_t *labels = json_loads(p->labels, 0, NULL);
    json_t *visible = NULL, *v = NULL;
    *rc = body && labels ? policy_view(&r->who, &s, body, labels, &visible) : RK_EIO;
    if (*rc == RK_OK && !(v = products_summary(r->app, p))) *rc = RK_ENOMEM;
    if (v) {
        json_object_set_new(v, "body", visible);
        visible = NULL;
        /* The label map is the centre's working tool: its writers only. */
        if (policy_may_write(&r->who, &s)) {
            json_object_set(v, "labels", labels);
            /* Where it was cut down from is the centre's business too: a reader of the
             * lower tier must not learn that (or which) higher-tier analysis exists. */
            json_object_set_new(v, "parent_id",
                                p->parent_id ? json_integer(p->parent_id) : json_null());
        }
    }
    json_decref(visible);
    json_decref(body);
    json_decref(labels);
    return v;
}

/* Loads product params[0] for p: 404 (answered) when missing or not readable by p. */
static bool load(struct req *r, struct product_rec *p)
{
    int rc = r->app->store->ops->product_get(r->app->store, r->params[0], p);
    if (rc == RK_OK && !product_may_read(&r->who, p)) {
        store_product_rec_free(p);
        rc = RK_ENOTFOUND;
    }
    if (rc != RK_OK) http_problem_rc(r, rc, NULL);
    return rc == RK_OK;
}

/* Loads params[0] for a change by p: 404, 403 or 409 (released) answered when not allowed. */
static bool load_for_write(struct req *r, struct product_rec *p, bool draft_only)
{
    if (!load(r, p)) return false;
    struct pol_scope s;
    product_scope(p, &s);
    if (!policy_may_write(&r->who, &s)) {
        store_product_rec_free(p);
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only the national centre's analysts edit, derive and release products.",
                     NULL);
        return false;
    }
    if (draft_only && p->released) {
        store_product_rec_free(p);
        http_problem_field(r, 409, "conflict", "/status", "released",
                           "a released product cannot be changed; derive a new one");
        return false;
    }
    return true;
}

/* ---- writes ------------------------------------------------------------------------------- */

struct prod_state {
    struct product_input in;
    char title[STORE_NAME_MAX];
    char *body, *labels; /* JSON text */
    int64_t *push;       /* release: the organisations whose inbox gets it */
    size_t npush, cap;
    struct pol_scope scope; /* release: the product's scope once released */
    int rc;
};

static void prod_state_free(void *p)
{
    struct prod_state *ps = p;
    if (!ps) return;
    free(ps->body);
    free(ps->labels);
    free(ps->push);
    free(ps);
}

static struct prod_state *state_new(struct req *r)
{
    struct prod_state *ps = calloc(1, sizeof *ps);
    if (!ps) return NULL;
    r->hstate = ps;
    r->hstate_free = prod_state_free;
    ps->in.title = ps->title;
    ps->in.user_id = r->who.user_id;
    return ps;
}

/* Keeps the dumps of body and labels (consumed) in ps. */
static int state_set_json(struct prod_state *ps, json_t *body, json_t *labels)
{
    free(ps->body);
    free(ps->labels);
    ps->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    ps->labels = json_dumps(labels, JSON_COMPACT);
    json_decref(body);
    json_decref(labels);
    ps->in.body = ps->body;
    ps->in.labels = ps->labels;
    return ps->body && ps->labels ? RK_OK : RK_ENOMEM;
}

/* Second half of every write: the product as the writer now sees it. */
static void finish(struct req *r, unsigned status)
{
    struct store_write *w = r->w;
    if (w->rc == RK_ECONFLICT && strcmp(w->conflict_field, "/status") == 0) {
        http_problem_field(r, 409, "conflict", "/status", "released",
                           "a released product cannot be changed; derive a new one");
        return;
    }
    if (w->rc != RK_OK) {
        http_problem_rc(r, w->rc, w);
        return;
    }
    struct product_rec p;
    int rc = r->app->store->ops->product_get(r->app->store, w->out_id, &p);
    json_t *v = rc == RK_OK ? product_view(r, &p, &rc) : NULL;
    store_product_rec_free(&p);
    if (!v) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, status, v);
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/products/%lld", (long long)w->out_id);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
    }
}

static void submit(struct req *r, struct prod_state *ps, enum store_wop op, const char *action,
                   int64_t id, int64_t version)
{
    struct store_write *w = job_new(r, op, action, "product", id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->product = &ps->in;
    if (op == STORE_W_PRODUCT_RELEASE)
        w->deliver =
            (struct inbox_delivery){.kind = "product", .orgs = ps->push, .norgs = ps->npush};
    w->target_id = id;
    w->expect_version = version;
    http_submit(r, w);
}

static const char *const tier_names[] = {"comprehensive", "provision", "publication", NULL};
static const char *const tlp_names[] = {"TLP:CLEAR",        "TLP:GREEN", "TLP:AMBER",
                                        "TLP:AMBER+STRICT", "TLP:RED",   NULL};
static const struct jv_field sector_item = {.type = JV_STRING, .max_len = 32};

#define PRODUCT_COMMON_FIELDS                                                                      \
    {.name = "tlp", .type = JV_STRING, .enum_values = tlp_names},                                  \
        {.name = "sectors",                                                                        \
         .type = JV_ARRAY,                                                                         \
         .flags = JV_UNIQUE,                                                                       \
         .max_len = 64,                                                                            \
         .items = &sector_item},                                                                   \
        {.name = "body", .type = JV_OBJECT}, {.name = "labels", .type = JV_OBJECT},                \
    {                                                                                              \
        .name = "title", .type = JV_STRING, .min_len = 1, .max_len = 200,                          \
        .format = JV_FMT_NO_CONTROL                                                                \
    }

static const struct jv_field create_fields[] = {
    {.name = "tier", .type = JV_STRING, .enum_values = tier_names},
    PRODUCT_COMMON_FIELDS,
};
static const struct jv_field create_schema = {
    .type = JV_OBJECT, .fields = create_fields, .nfields = RK_ARRAY_LEN(create_fields)};
static const struct jv_field update_fields[] = {
    {.name = "version",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = INT64_MAX},
    PRODUCT_COMMON_FIELDS,
};
static const struct jv_field update_schema = {
    .type = JV_OBJECT, .fields = update_fields, .nfields = RK_ARRAY_LEN(update_fields)};

/* Validates the request's shape: body and labels are free-form objects (checked by type only,
 * the label map by tier_labels_check later), everything else against the schema. */
static bool check_shape(struct req *r, const struct jv_field *schema, bool create)
{
    struct jv_errors errs = {0};
    json_t *shallow = json_copy(r->json); /* members shared: only the top level is edited */
    const json_t *body = json_object_get(r->json, "body");
    const json_t *labels = json_object_get(r->json, "labels");
    if (!shallow) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return false;
    }
    json_object_del(shallow, "body");
    json_object_del(shallow, "labels");
    jv_validate(shallow, schema, &errs);
    json_decref(shallow);
    if (body && !json_is_object(body)) jv_error_add(&errs, "/body", "type", "must be an object");
    if (labels && !json_is_object(labels))
        jv_error_add(&errs, "/labels", "type", "must be an object");
    if (create) {
        static const char *const required[] = {"title", "tier", "tlp", "body", NULL};
        for (const char *const *k = required; *k; k++)
            if (!json_object_get(r->json, *k)) {
                char ptr[16];
                snprintf(ptr, sizeof ptr, "/%s", *k);
                jv_error_add(&errs, ptr, "required", "required");
            }
    }
    if (errs.n || errs.dropped) {
        http_problem(r, 422, "validation", "The request has invalid fields", NULL, &errs);
        return false;
    }
    return true;
}

/* Applies tlp, sectors and title of the request to ps->in; false having answered 422. */
static bool apply_meta(struct req *r, struct prod_state *ps)
{
    const json_t *v;
    if ((v = json_object_get(r->json, "tlp"))) policy_tlp_parse(json_string_value(v), &ps->in.tlp);
    json_copy_str(r->json, "title", ps->title, sizeof ps->title);
    if ((v = json_object_get(r->json, "sectors"))) {
        size_t bad = 0;
        if (refdata_sectors_parse(r->app->rd, v, &ps->in.sectors, &bad) != RK_OK) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/sectors/%zu", bad);
            http_problem_field(r, 422, "validation", ptr, "enum",
                               "unknown sector code (see GET /api/v1/reference)");
            return false;
        }
    }
    return true;
}

/* Checks the label map against the body (decision 1: pointers must resolve); 422 answered. */
static bool check_labels(struct req *r, const json_t *body, const json_t *labels)
{
    /* Every read redacts with the whole map: keep it to what an analyst labels by hand. */
    if (json_object_size(labels) > PRODUCT_MAX_LABELS) {
        http_problem_field(r, 422, "validation", "/labels", "max_items",
                           "at most 500 labelled places in one product");
        return false;
    }
    struct jv_errors errs;
    if (tier_labels_check(body, labels, &errs) == RK_OK) return true;
    http_problem(r, 422, "validation", "The label map does not fit the body", NULL, &errs);
    return false;
}

void h_products_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 201);
        return;
    }
    int64_t owner;
    if (!may_author(r, &owner)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only the national centre's analysts create analysis products.", NULL);
        return;
    }
    if (!check_shape(r, &create_schema, true)) return;
    struct prod_state *ps = state_new(r);
    if (!ps) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    policy_tier_parse(json_string_value(json_object_get(r->json, "tier")), &ps->in.tier);
    ps->in.owner_org = owner;
    if (!apply_meta(r, ps)) return;
    json_t *body = json_object_get(r->json, "body");
    json_t *labels = json_object_get(r->json, "labels");
    /* Checked now; the tier gate runs at release (a draft may still hold what its tier may
     * not, until the analyst removes it). */
    if (!check_labels(r, body, labels)) return;
    if (state_set_json(ps, json_incref(body), labels ? json_incref(labels) : json_object()) !=
        RK_OK) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    submit(r, ps, STORE_W_PRODUCT_CREATE, "product.create", 0, 0);
}

void h_products_update(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 200);
        return;
    }
    if (!check_shape(r, &update_schema, false)) return;
    /* A new body shifts what the old map's pointers name (an inserted array item moves every
     * label after it onto another value): a body comes with its label map, always. */
    if (json_object_get(r->json, "body") && !json_object_get(r->json, "labels")) {
        http_problem_field(r, 422, "validation", "/labels", "required",
                           "a new body needs its label map (send {} for none)");
        return;
    }
    struct product_rec p;
    if (!load_for_write(r, &p, true)) return;
    /* Fields the request leaves out come from the version loaded: the client must have read
     * that version, or a concurrent edit would be overwritten unseen (checked before the
     * fields, as for advisories). */
    int64_t loaded = p.version;
    if (json_integer_value(json_object_get(r->json, "version")) != loaded) {
        store_product_rec_free(&p);
        http_problem_field(r, 409, "conflict", "/version", "version",
                           "the product changed since you read it; read it again");
        return;
    }
    struct prod_state *ps = state_new(r);
    if (!ps) {
        store_product_rec_free(&p);
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    ps->in.tier = p.tier;
    ps->in.tlp = p.tlp;
    ps->in.sectors = p.sectors;
    snprintf(ps->title, sizeof ps->title, "%s", p.title);
    json_t *body = json_object_get(r->json, "body");
    json_t *labels = json_object_get(r->json, "labels");
    body = body ? json_incref(body) : json_loads(p.body, JSON_DECODE_ANY, NULL);
    labels = labels ? json_incref(labels) : json_loads(p.labels, 0, NULL);
    store_product_rec_free(&p);
    if (!body || !labels) {
        json_decref(body);
        json_decref(labels);
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    if (!apply_meta(r, ps) || !check_labels(r, body, labels)) {
        json_decref(body);
        json_decref(labels);
        return;
    }
    if (state_set_json(ps, body, labels) != RK_OK) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    submit(r, ps, STORE_W_PRODUCT_UPDATE, "product.update", r->params[0], loaded);
}

/* A tier named in the query (none, or "none", refused); false having answered. */
static bool query_tier(struct req *r, bool required, enum pol_tier *out)
{
    const char *v = http_query_str(r, "tier");
    *out = POL_TIER_NONE;
    if (!v && !required) return true;
    if (!v) {
        http_problem_field(r, 422, "validation", "/query/tier", "required",
                           "name the tier: provision or publication");
        return false;
    }
    if (policy_tier_parse(v, out) != RK_OK || *out == POL_TIER_NONE) {
        http_problem_field(r, 422, "validation", "/query/tier", "enum",
                           "comprehensive, provision or publication");
        return false;
    }
    return true;
}

/* Derivation goes down only: comprehensive → provision or publication, provision →
 * publication. */
static bool tier_below(enum pol_tier parent, enum pol_tier child)
{
    return (parent == POL_TIER_COMPREHENSIVE &&
            (child == POL_TIER_PROVISION || child == POL_TIER_PUBLICATION)) ||
           (parent == POL_TIER_PROVISION && child == POL_TIER_PUBLICATION);
}

void h_products_derive(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 201);
        return;
    }
    enum pol_tier tier;
    struct product_rec p;
    if (!query_tier(r, true, &tier) || !load_for_write(r, &p, false)) return;
    if (!tier_below(p.tier, tier)) {
        store_product_rec_free(&p);
        http_problem_field(r, 422, "validation", "/query/tier", "tier_order",
                           "a product derives only to a lower tier (comprehensive → provision → "
                           "publication)");
        return;
    }
    struct prod_state *ps = state_new(r);
    json_t *body = json_loads(p.body, JSON_DECODE_ANY, NULL);
    json_t *labels = json_loads(p.labels, 0, NULL);
    json_t *ob = NULL, *ol = NULL;
    int rc = ps && body && labels ? tier_derive(body, labels, tier, &ob, &ol) : RK_ENOMEM;
    json_decref(body);
    json_decref(labels);
    if (rc == RK_OK) {
        ps->in = (struct product_input){.tier = tier,
                                        .parent_id = p.id,
                                        .owner_org = p.owner_org,
                                        .tlp = p.tlp,
                                        .sectors = p.sectors,
                                        .title = ps->title,
                                        .user_id = r->who.user_id};
        snprintf(ps->title, sizeof ps->title, "%s", p.title);
        rc = state_set_json(ps, ob, ol);
    } else {
        json_decref(ob);
        json_decref(ol);
    }
    store_product_rec_free(&p);
    if (rc != RK_OK) {
        http_problem_rc(r, rc == RK_EINVAL ? RK_EIO : rc, NULL); /* stored maps passed the check */
        return;
    }
    submit(r, ps, STORE_W_PRODUCT_CREATE, "product.derive", 0, 0);
}

/* What the label gate cannot see: an empty product, and a derived product still titled as its
 * parent (the title is unlabelled metadata every reader of the tier sees). 422 answered. */
static bool release_ready(struct req *r, const struct product_rec *p)
{
    if (!p->body || strcmp(p->body, "null") == 0) {
        http_problem_field(r, 422, "validation", "/body", "empty",
                           "nothing is left to release: write the body first");
        return false;
    }
    if (!p->parent_id) return true;
    struct product_rec parent;
    int rc = r->app->store->ops->product_get(r->app->store, p->parent_id, &parent);
    bool same = rc == RK_OK && strcmp(parent.title, p->title) == 0;
    store_product_rec_free(&parent);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return false;
    }
    if (same)
        http_problem_field(r, 422, "validation", "/title", "unchanged_from_parent",
                           "a derived product gets its own title before release: the parent's "
                           "may say what this tier must not");
    return !same;
}

static bool push_cb(const struct org_rec *o, void *ctx)
{
    struct prod_state *ps = ctx;
    struct pol_principal op;
    advs_org_principal(o, &op);
    if (!policy_product_push_target(&op, &ps->scope)) return true;
    if (ps->npush == ps->cap) {
        size_t nc = ps->cap ? ps->cap * 2 : 64;
        int64_t *nv = realloc(ps->push, nc * sizeof *nv);
        if (!nv) {
            ps->rc = RK_ENOMEM;
            return false;
        }
        ps->push = nv;
        ps->cap = nc;
    }
    ps->push[ps->npush++] = o->id;
    return true;
}

void h_products_release(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 200);
        return;
    }
    struct product_rec p;
    if (!load_for_write(r, &p, true)) return;
    if (!release_ready(r, &p)) {
        store_product_rec_free(&p);
        return;
    }
    json_t *labels = json_loads(p.labels, 0, NULL);
    struct jv_errors errs;
    int rc = labels ? tier_gate(labels, p.tier, &errs) : RK_ENOMEM;
    /* A label on the whole body narrows who may read the product at all (product_may_read):
     * the push goes to the organisations cleared for it, like every other read. */
    unsigned root = labels ? tier_labels_at(labels, "") : 0;
    json_decref(labels);
    int64_t version = p.version, owner = p.owner_org;
    uint64_t sectors = p.sectors;
    enum pol_tlp tlp = p.tlp;
    enum pol_tier tier = p.tier;
    store_product_rec_free(&p);
    if (rc == RK_EINVAL) {
        /* No override: the analyst removes the content (or derives again) and releases. */
        http_problem(r, 422, "validation", "The product holds content its tier may not",
                     "remove (or derive away) every field named here, then release", &errs);
        return;
    }
    struct prod_state *ps = rc == RK_OK ? state_new(r) : NULL;
    if (!ps) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    /* Pushed to the inboxes of the organisations the released product reaches (policy.h). */
    ps->scope = (struct pol_scope){.owner_org = owner,
                                   .sectors = sectors,
                                   .ntlp = 1,
                                   .tlp = {tlp},
                                   .tier = tier,
                                   .labels = root};
    rc = r->app->store->ops->org_list(r->app->store, 0, push_cb, ps);
    if (rc == RK_OK) rc = ps->rc;
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    /* The version gated is the version released: an edit in between is a 409. */
    submit(r, ps, STORE_W_PRODUCT_RELEASE, "product.release", r->params[0], version);
}

/* ---- reads -------------------------------------------------------------------------------- */

void h_products_get(struct req *r)
{
    struct product_rec p;
    int rc = r->app->store->ops->product_get(r->app->store, r->params[0], &p);
    if (rc == RK_OK && !product_may_read(&r->who, &p)) rc = RK_ENOTFOUND;
    json_t *v = rc == RK_OK ? product_view(r, &p, &rc) : NULL;
    store_product_rec_free(&p);
    if (!v) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200, v);
}

static bool list_cb(const struct product_rec *p, void *ctx)
{
    struct page *pg = ctx;
    if (!product_may_read(&pg->r->who, p)) return true;
    json_t *v = products_summary(pg->r->app, p);
    return v ? page_add(pg, p->id, v) : false;
}

void h_products_list(struct req *r)
{
    struct page pg;
    if (!page_begin(r, &pg)) return;
    struct product_filter f = {0};
    f.status = http_query_str(r, "status");
    if (f.status && strcmp(f.status, "draft") != 0 && strcmp(f.status, "released") != 0) {
        http_problem_field(r, 400, "validation", "/query/status", "enum", "draft or released");
        json_decref(pg.items);
        return;
    }
    if (!query_tier(r, false, &f.tier)) {
        json_decref(pg.items);
        return;
    }
    page_finish(&pg, r->app->store->ops->product_list(r->app->store, &f, pg.after, list_cb, &pg));
}
