/*
 * h_inbox.c — /api/v1/inbox: what reached the caller's organisation (advisories sent or relayed
 * to it, released products pushed to it, council messages), newest first. An inbox row says an
 * object was delivered; whether this user may see it is asked again of policy.h for each row
 * (a contractor does not see a TLP:AMBER+STRICT advisory in the list either).
 */
#include <stdlib.h>
#include <string.h>

#include "api/advisories.h"
#include "api/api.h"

struct inbox_ctx {
    struct page *pg;
    int rc;
};

/* The object's summary as who may see it, or NULL (not visible, or *rc a store error). Rows
 * come from who's own organisation's inbox: it holds what they point at. */
static json_t *advisory_item(struct app *app, const struct pol_principal *who,
                             const struct inbox_rec *row, int *rc)
{
    struct advisory_rec a;
    int64_t named[ADVS_MAX_NAMED];
    struct pol_advisory pa;
    json_t *v = NULL;
    *rc = app->store->ops->advisory_get(app->store, row->object_id, &a);
    if (*rc == RK_OK) advs_pol_held(&a, true, named, &pa);
    if (*rc == RK_OK && policy_advisory_may_read(who, &pa)) v = advs_summary(app, &a);
    store_advisory_rec_free(&a);
    return v;
}

static json_t *product_item(struct app *app, const struct pol_principal *who,
                            const struct inbox_rec *row, int *rc)
{
    struct product_rec p;
    json_t *v = NULL;
    *rc = app->store->ops->product_get(app->store, row->object_id, &p);
    if (*rc == RK_OK && products_may_read(who, &p)) v = products_summary(app, &p);
    store_product_rec_free(&p);
    return v;
}

static json_t *message_item(struct app *app, const struct pol_principal *who,
                            const struct inbox_rec *row, int *rc)
{
    struct message_rec m;
    struct thread_rec *t = malloc(sizeof *t);
    json_t *v = NULL;
    *rc = t ? app->store->ops->message_get(app->store, row->object_id, &m) : RK_ENOMEM;
    if (*rc == RK_OK) {
        *rc = app->store->ops->thread_get(app->store, m.thread_id, t);
        struct pol_thread pt;
        struct pol_message pm;
        if (*rc == RK_OK) {
            threads_pol(t, &pt);
            threads_msg_pol(&pt, &m, true, &pm); /* its own inbox row */
            if (policy_message_may_read(who, &pm))
                v = json_pack("{s:I, s:s, s:s, s:s}", "thread_id", (json_int_t)t->id, "thread_kind",
                              t->group ? "group" : "one_to_one", "title", t->title, "tlp",
                              policy_tlp_name(m.tlp));
        }
        free((char *)m.body);
    }
    free(t);
    return v;
}

json_t *inbox_item_view(struct app *app, const struct pol_principal *who,
                        const struct inbox_rec *row, int *rc)
{
    *rc = RK_OK;
    json_t *obj = strcmp(row->kind, "advisory") == 0  ? advisory_item(app, who, row, rc)
                  : strcmp(row->kind, "product") == 0 ? product_item(app, who, row, rc)
                                                      : message_item(app, who, row, rc);
    if (!obj) {
        /* Not visible to who: skipped. A vanished object (rows are never deleted) too. */
        if (*rc == RK_ENOTFOUND) *rc = RK_OK;
        return NULL;
    }
    json_t *v = json_pack("{s:I, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)row->id,
                          "kind", row->kind, "object_id", (json_int_t)row->object_id,
                          "delivered_at", time_json(row->delivered_ms), "relayed_from",
                          row->relayed_from ? json_integer(row->relayed_from) : json_null(),
                          "acknowledgment", row->ack[0] ? json_string(row->ack) : json_null(),
                          "acknowledged_at", time_json(row->ack_ms), "object", obj);
    if (!v) *rc = RK_ENOMEM;
    return v;
}

static bool inbox_cb(const struct inbox_rec *row, void *ctx)
{
    struct inbox_ctx *ic = ctx;
    json_t *v = inbox_item_view(ic->pg->r->app, &ic->pg->r->who, row, &ic->rc);
    if (ic->rc != RK_OK) return false; /* a store error stops the listing */
    return v ? page_add(ic->pg, row->id, v) : true;
}

void h_inbox_list(struct req *r)
{
    if (!policy_inbox_may_list(&r->who, r->who.org_id)) {
        http_problem(r, 403, "forbidden", "Forbidden", "An organisation's own users only.", NULL);
        return;
    }
    struct inbox_filter f = {0};
    f.kind = http_query_str(r, "kind");
    if (f.kind && strcmp(f.kind, "advisory") != 0 && strcmp(f.kind, "product") != 0 &&
        strcmp(f.kind, "message") != 0) {
        http_problem_field(r, 400, "validation", "/query/kind", "enum",
                           "advisory, product or message");
        return;
    }
    const char *un = http_query_str(r, "unacknowledged");
    if (un && strcmp(un, "true") != 0 && strcmp(un, "false") != 0) {
        http_problem_field(r, 400, "validation", "/query/unacknowledged", "enum", "true or false");
        return;
    }
    f.unacked = un && strcmp(un, "true") == 0;
    struct page pg;
    if (!page_begin(r, &pg)) return;
    struct inbox_ctx ic = {.pg = &pg};
    /* Newest first: `after` continues below the last id of the previous page. */
    int rc =
        r->app->store->ops->inbox_list(r->app->store, r->who.org_id, &f, pg.after, inbox_cb, &ic);
    page_finish(&pg, rc == RK_OK ? ic.rc : rc);
}
