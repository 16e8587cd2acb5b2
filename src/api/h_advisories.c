/*
 * h_advisories.c — /api/v1/advisories: the national centre's advisories (情報提供, domain.md
 * §6.3): drafts, follow-ups (第N報), sending behind the gate, relays by ministries and CEPTOARs,
 * acknowledgments and the sender's view of who has not acknowledged, the printed form. The
 * logic is api/advisories.c; visibility is policy.h's.
 */
#include <stdlib.h>
#include <string.h>

#include "api/advisories.h"

static struct advs_draft *state_new(struct req *r)
{
    struct advs_draft *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    r->hstate = d;
    r->hstate_free = advs_draft_free;
    return d;
}

static void answer_err(struct req *r, const struct inc_err *e)
{
    if (e->status == 422)
        http_problem(r, 422, "validation", "The advisory has invalid fields", NULL, &e->errs);
    else
        inc_err_answer(r, e);
}

/* Loads advisory params[0] for p: 404 (answered) when missing or not readable. */
static bool load(struct req *r, struct advisory_rec *a, struct pol_advisory *pa,
                 int64_t named[ADVS_MAX_NAMED])
{
    int rc = r->app->store->ops->advisory_get(r->app->store, r->params[0], a);
    if (rc == RK_OK) rc = advs_pol(r->app, &r->who, a, named, pa);
    if (rc == RK_OK && !policy_advisory_may_read(&r->who, pa)) rc = RK_ENOTFOUND;
    if (rc != RK_OK) {
        store_advisory_rec_free(a);
        http_problem_rc(r, rc, NULL);
    }
    return rc == RK_OK;
}

static void reply_view(struct req *r, int64_t id, unsigned status)
{
    struct advisory_rec a;
    int rc = r->app->store->ops->advisory_get(r->app->store, id, &a);
    json_t *v = rc == RK_OK ? advs_view(r->app, &r->who, &a, &rc) : NULL;
    store_advisory_rec_free(&a);
    if (!v) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    if (r->w && r->w->out_count)
        json_object_set_new(v, "delivered_to", json_integer(r->w->out_count));
    http_reply_json(r, status, v);
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/advisories/%lld", (long long)id);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
    }
}

static void finish(struct req *r, unsigned status)
{
    struct store_write *w = r->w;
    if (w->rc == RK_ECONFLICT && strcmp(w->conflict_field, "/status") == 0) {
        http_problem_field(r, 409, "conflict", "/status", "sent",
                           "a sent advisory cannot be changed; send a follow-up (第N報)");
        return;
    }
    if (w->rc == RK_ECONFLICT && strcmp(w->conflict_field, "/follows") == 0) {
        http_problem_field(r, 409, "conflict", "/follows", "not_followable",
                           "follow a sent advisory; a series takes one unsent 第N報 at a time");
        return;
    }
    if (w->rc != RK_OK) {
        http_problem_rc(r, w->rc, w);
        return;
    }
    reply_view(r, w->out_id, status);
}

static void submit(struct req *r, struct advs_draft *d, enum store_wop op, const char *action,
                   int64_t id, int64_t version)
{
    struct store_write *w = job_new(r, op, action, "advisory", id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->advisory = &d->in;
    w->target_id = id;
    w->expect_version = version;
    if (op == STORE_W_ADVISORY_SEND) {
        w->deliver =
            (struct inbox_delivery){.kind = "advisory", .orgs = d->deliver, .norgs = d->ndeliver};
        snprintf(w->audit.detail, sizeof w->audit.detail,
                 "{\"direct\":%s,\"recipients\":%zu,\"token\":%lld}",
                 d->in.direct ? "true" : "false", d->ndeliver, (long long)r->auth.token_id);
    }
    http_submit(r, w);
}

/* The version the client read must be the version loaded here: what is checked (the gate, the
 * fields an edit leaves out) is what is written, or 409. */
static bool same_version(struct req *r, int64_t loaded)
{
    if (json_integer_value(json_object_get(r->json, "version")) == loaded) return true;
    http_problem_field(r, 409, "conflict", "/version", "version",
                       "the advisory changed since you read it; read it again");
    return false;
}

void h_advisories_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 201);
        return;
    }
    struct advs_draft *d = state_new(r);
    struct inc_err err;
    if (!d) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    if (!advs_prepare_draft(r->app, &r->who, r->json, NULL, d, &err)) {
        answer_err(r, &err);
        return;
    }
    submit(r, d, STORE_W_ADVISORY_CREATE, "advisory.create", 0, 0);
}

void h_advisories_update(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 200);
        return;
    }
    struct advisory_rec a;
    struct pol_advisory pa;
    int64_t named[ADVS_MAX_NAMED];
    if (!load(r, &a, &pa, named)) return;
    /* Who may edit first (403), then whether it can be edited at all (409), then the fields
     * (a missing or mistyped version is the field check's 422). */
    bool may = policy_advisory_may_send(&r->who, a.sender_org), sent = a.sent;
    const json_t *ver = json_object_get(r->json, "version");
    bool stale = json_is_integer(ver) && json_integer_value(ver) != a.version;
    struct advs_draft *d = may && !sent && !stale ? state_new(r) : NULL;
    struct inc_err err;
    bool ok = d && advs_prepare_draft(r->app, &r->who, r->json, &a, d, &err);
    int64_t loaded = a.version;
    store_advisory_rec_free(&a);
    if (!may)
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only the national centre's own analysts write and send advisories.", NULL);
    else if (sent)
        http_problem_field(r, 409, "conflict", "/status", "sent",
                           "a sent advisory cannot be changed; send a follow-up (第N報)");
    else if (stale)
        same_version(r, loaded); /* answers the 409 */
    else if (!d)
        http_problem_rc(r, RK_ENOMEM, NULL);
    else if (!ok)
        answer_err(r, &err);
    else
        submit(r, d, STORE_W_ADVISORY_UPDATE, "advisory.update", r->params[0], loaded);
}

static const struct jv_field send_fields[] = {
    {.name = "version",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = INT64_MAX},
    {.name = "direct", .type = JV_BOOLEAN},
};
const struct jv_field api_advisory_send_schema = {
    .type = JV_OBJECT, .fields = send_fields, .nfields = RK_ARRAY_LEN(send_fields)};

void h_advisories_send(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 200);
        return;
    }
    struct advisory_rec a;
    struct pol_advisory pa;
    int64_t named[ADVS_MAX_NAMED];
    if (!load(r, &a, &pa, named)) return;
    struct advs_draft *d = state_new(r);
    struct inc_err err;
    bool direct = json_is_true(json_object_get(r->json, "direct"));
    bool ok = d && advs_prepare_send(r->app, &r->who, &a, direct, d, &err);
    int64_t loaded = a.version;
    store_advisory_rec_free(&a);
    if (!d) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    if (!ok) {
        answer_err(r, &err);
        return;
    }
    /* The version gated is the version sent: an edit in between is a 409. */
    if (!same_version(r, loaded)) return;
    submit(r, d, STORE_W_ADVISORY_SEND, "advisory.send", r->params[0], loaded);
}

void h_advisories_relay(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc != RK_OK) {
            http_problem_rc(r, r->w->rc, r->w);
            return;
        }
        struct advs_draft *d = r->hstate;
        http_reply_json(r, 200,
                        json_pack("{s:I, s:I, s:I}", "advisory_id", (json_int_t)r->params[0],
                                  "targets", (json_int_t)d->ndeliver, "delivered",
                                  (json_int_t)r->w->out_count));
        return;
    }
    struct advisory_rec a;
    struct pol_advisory pa;
    int64_t named[ADVS_MAX_NAMED];
    if (!load(r, &a, &pa, named)) return;
    if (!policy_advisory_may_relay(&r->who, &pa)) {
        store_advisory_rec_free(&a);
        http_problem(r, 403, "forbidden", "Forbidden",
                     pa.tlp == POL_TLP_RED
                         ? "TLP:RED advisories go to their addressees only and are not relayed."
                         : "Only a recipient ministry's or CEPTOAR's own staff relay an advisory.",
                     NULL);
        return;
    }
    struct advs_draft *d = state_new(r);
    int rc = d ? advs_relay_targets(r->app, &r->who, &a, &d->deliver, &d->ndeliver) : RK_ENOMEM;
    store_advisory_rec_free(&a);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    struct store_write *w =
        job_new(r, STORE_W_INBOX_DELIVER, "advisory.relay", "advisory", r->params[0]);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->deliver = (struct inbox_delivery){.kind = "advisory",
                                         .object_id = r->params[0],
                                         .orgs = d->deliver,
                                         .norgs = d->ndeliver,
                                         .relayed_from = r->who.org_id,
                                         .relayed_by = r->who.user_id};
    snprintf(w->audit.detail, sizeof w->audit.detail, "{\"targets\":%zu,\"token\":%lld}",
             d->ndeliver, (long long)r->auth.token_id);
    http_submit(r, w);
}

static const char *const ack_values[] = {"read", "actioned", "not_applicable", NULL};
static const struct jv_field ack_fields[] = {
    {.name = "status", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = ack_values},
};
const struct jv_field api_advisory_ack_schema = {
    .type = JV_OBJECT, .fields = ack_fields, .nfields = RK_ARRAY_LEN(ack_fields)};

void h_advisories_ack(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc != RK_OK)
            http_problem_rc(r, r->w->rc, r->w);
        else
            reply_view(r, r->params[0], 200);
        return;
    }
    struct advisory_rec a;
    struct pol_advisory pa;
    int64_t named[ADVS_MAX_NAMED];
    if (!load(r, &a, &pa, named)) return;
    store_advisory_rec_free(&a);
    if (!policy_advisory_may_ack(&r->who, &pa)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Acknowledged by the own staff of an organisation it was delivered to.", NULL);
        return;
    }
    const char *status = json_string_value(json_object_get(r->json, "status"));
    snprintf(r->scratch, sizeof r->scratch, "%s", status);
    struct store_write *w = job_new(r, STORE_W_INBOX_ACK, "advisory.ack", "advisory", r->params[0]);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    /* The org id must outlive this call: the job reads it on the writer thread. */
    int64_t *org = malloc(sizeof *org);
    if (!org) {
        free(w);
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    *org = r->who.org_id;
    r->hstate = org;
    r->hstate_free = free;
    w->deliver = (struct inbox_delivery){
        .kind = "advisory", .object_id = r->params[0], .orgs = org, .norgs = 1, .ack = r->scratch};
    snprintf(w->audit.detail, sizeof w->audit.detail, "{\"status\":\"%s\",\"token\":%lld}",
             r->scratch, (long long)r->auth.token_id);
    http_submit(r, w);
}

/* ---- reads ------------------------------------------------------------------------------- */

void h_advisories_get(struct req *r)
{
    struct advisory_rec a;
    int rc = r->app->store->ops->advisory_get(r->app->store, r->params[0], &a);
    json_t *v = rc == RK_OK ? advs_view(r->app, &r->who, &a, &rc) : NULL;
    store_advisory_rec_free(&a);
    if (!v) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200, v);
}

void advs_reply_form(struct req *r, const struct pol_principal *who)
{
    struct advisory_rec a;
    int rc = r->app->store->ops->advisory_get(r->app->store, r->params[0], &a);
    json_t *v = rc == RK_OK ? advs_view(r->app, who, &a, &rc) : NULL;
    store_advisory_rec_free(&a);
    char *html = NULL;
    size_t len = 0;
    if (v) rc = advs_render(r->app, v, &html, &len);
    if (!v || rc != RK_OK)
        http_problem_rc(r, rc, NULL);
    else
        http_reply_text(r, 200, "text/html; charset=utf-8", html, len);
    free(html);
    json_decref(v);
}

void h_advisories_form(struct req *r)
{
    advs_reply_form(r, &r->who);
}

void h_advisories_attachment(struct req *r)
{
    advs_reply_attachment(r, &r->who);
}

struct list_ctx {
    struct page *pg;
    int64_t named[ADVS_MAX_NAMED];
};

static bool list_cb(const struct advisory_rec *a, void *ctx)
{
    struct list_ctx *lc = ctx;
    struct req *r = lc->pg->r;
    struct pol_advisory pa;
    advs_pol_held(a, a->held, lc->named, &pa);
    if (!policy_advisory_may_read(&r->who, &pa)) return true;
    json_t *v = advs_summary(r->app, a);
    return v ? page_add(lc->pg, a->id, v) : false;
}

void h_advisories_list(struct req *r)
{
    struct list_ctx lc;
    struct page pg;
    if (!page_begin(r, &pg)) return;
    lc.pg = &pg;
    /* Beyond the sender, only what was delivered (or is public) can be readable: the store
     * narrows to those rows, policy.h decides on each. */
    struct advisory_filter f = {.held_by = r->who.org_id,
                                .only_held = r->who.org_id == 0 ||
                                             r->who.org_type != POL_ORG_NATIONAL_CENTRE};
    f.status = http_query_str(r, "status");
    f.ident = http_query_str(r, "identification_number");
    if (f.status && strcmp(f.status, "draft") != 0 && strcmp(f.status, "sent") != 0) {
        json_decref(pg.items);
        http_problem_field(r, 400, "validation", "/query/status", "enum", "draft or sent");
        return;
    }
    page_finish(&pg, r->app->store->ops->advisory_list(r->app->store, &f, pg.after, list_cb, &lc));
}

/* ---- who has acknowledged ---------------------------------------------------------------- */

struct acks_ctx {
    struct page *pg;
    const struct pol_advisory *pa;
    bool pending_only;
};

static bool acks_cb(const struct inbox_rec *row, void *ctx)
{
    struct acks_ctx *ac = ctx;
    struct req *r = ac->pg->r;
    if (!policy_advisory_may_read_ack(&r->who, ac->pa, row->org_id, row->relayed_from)) return true;
    if (ac->pending_only && row->ack[0]) return true;
    struct org_rec o;
    const char *name = "";
    if (r->app->store->ops->org_get(r->app->store, row->org_id, &o) == RK_OK) name = o.name_ja;
    char t1[40], t2[40];
    json_t *v = json_pack(
        "{s:I, s:s, s:s, s:o, s:o, s:o}", "org_id", (json_int_t)row->org_id, "org_name_ja", name,
        "delivered_at", http_time(row->delivered_ms, t1, sizeof t1), "relayed_from",
        row->relayed_from ? json_integer(row->relayed_from) : json_null(), "acknowledgment",
        row->ack[0] ? json_string(row->ack) : json_null(), "acknowledged_at",
        row->ack_ms ? json_string(http_time(row->ack_ms, t2, sizeof t2)) : json_null());
    return v ? page_add(ac->pg, row->id, v) : false;
}

void h_advisories_acks(struct req *r)
{
    struct advisory_rec a;
    struct pol_advisory pa;
    int64_t named[ADVS_MAX_NAMED];
    if (!load(r, &a, &pa, named)) return;
    int64_t id = a.id;
    store_advisory_rec_free(&a);
    const char *pending = http_query_str(r, "pending");
    if (pending && strcmp(pending, "true") != 0 && strcmp(pending, "false") != 0) {
        http_problem_field(r, 400, "validation", "/query/pending", "enum", "true or false");
        return;
    }
    struct page pg;
    if (!page_begin(r, &pg)) return;
    struct acks_ctx ac = {
        .pg = &pg, .pa = &pa, .pending_only = pending && strcmp(pending, "true") == 0};
    page_finish(&pg, r->app->store->ops->inbox_of_object(r->app->store, "advisory", id, pg.after,
                                                         acks_cb, &ac));
}
