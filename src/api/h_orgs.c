/*
 * h_orgs.c — organisations: the directory, creation by the national centre, updates.
 * A ministry's sectors are not typed in: they come from data/ministries.json.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

/* Applies the request's fields to o (create: o is zeroed; update: o holds the stored record).
 * Cross-field rules the schema table cannot express are checked here. */
int api_org_apply(const struct app *app, const json_t *j, struct org_rec *o, bool create,
                  struct jv_errors *errs)
{
    const json_t *v;
    errs->n = errs->dropped = 0;
    if (create) {
        policy_org_type_parse(json_string_value(json_object_get(j, "type")), &o->type);
        json_copy_str(j, "ministry", o->ministry, sizeof o->ministry);
    }
    json_copy_str(j, "name_ja", o->name_ja, sizeof o->name_ja);
    json_copy_str(j, "name_en", o->name_en, sizeof o->name_en);
    json_copy_str(j, "corporate_number", o->corporate_number, sizeof o->corporate_number);
    json_copy_str(j, "council_consent_date", o->council_consent_date,
                  sizeof o->council_consent_date);
    json_copy_str(j, "confidentiality_agreement", o->confidentiality_agreement,
                  sizeof o->confidentiality_agreement);
    if ((v = json_object_get(j, "council")))
        policy_council_parse(json_string_value(v), &o->council);
    if ((v = json_object_get(j, "designated"))) o->designated = json_is_true(v);
    if ((v = json_object_get(j, "sectors"))) {
        size_t bad = 0;
        if (o->type == POL_ORG_MINISTRY)
            jv_error_add(errs, "/sectors", "derived",
                         "a ministry's sectors come from the ministry mapping "
                         "(data/ministries.json); leave this out");
        else if (refdata_sectors_parse(app->rd, v, &o->sectors, &bad) != RK_OK) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/sectors/%zu", bad);
            jv_error_add(errs, ptr, "enum", "unknown sector code (see GET /api/v1/reference)");
        }
    }
    if (create && o->type == POL_ORG_MINISTRY) {
        const struct rd_ministry *m =
            o->ministry[0] ? refdata_ministry(app->rd, o->ministry) : NULL;
        if (!o->ministry[0])
            jv_error_add(errs, "/ministry", "required", "a ministry needs its ministry code");
        else if (!m)
            jv_error_add(errs, "/ministry", "enum",
                         "unknown ministry code (see GET /api/v1/reference)");
        else
            o->sectors = m->sectors;
    } else if (create && o->ministry[0]) {
        jv_error_add(errs, "/ministry", "not_allowed",
                     "only organisations of type ministry "
                     "have a ministry code");
    }
    if (o->council != POL_COUNCIL_NONE && !o->council_consent_date[0])
        jv_error_add(errs, "/council_consent_date", "required",
                     "council members and friends need the date of their consent");
    if (o->council == POL_COUNCIL_MEMBER && !o->confidentiality_agreement[0])
        jv_error_add(errs, "/confidentiality_agreement", "required",
                     "council members need a confidentiality-agreement record (Art. 82)");
    return errs->n ? RK_EINVAL : RK_OK;
}

static void org_write_finish(struct req *r, unsigned status)
{
    struct org_rec o;
    if (r->w->rc != RK_OK) {
        http_problem_rc(r, r->w->rc, r->w);
        return;
    }
    if (r->app->store->ops->org_get(r->app->store, r->w->out_id, &o) != RK_OK) {
        http_problem(r, 500, "internal", "Internal error", NULL, NULL);
        return;
    }
    http_reply_json(r, status, view_org(r->app, &r->who, &o));
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/orgs/%lld", (long long)o.id);
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
}

void h_orgs_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        org_write_finish(r, 201);
        return;
    }
    if (!policy_org_may_create(&r->who)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only national-centre administrators register organisations.", NULL);
        return;
    }
    struct store_write *w = job_new(r, STORE_W_ORG_CREATE, "org.create", "org", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    struct jv_errors errs;
    if (api_org_apply(r->app, r->json, &w->org, true, &errs) != RK_OK) {
        free(w);
        http_problem(r, 422, "validation", "The request has invalid fields", NULL, &errs);
        return;
    }
    http_submit(r, w);
}

void h_orgs_update(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        org_write_finish(r, 200);
        return;
    }
    int64_t id = r->params[0];
    if (!policy_org_may_read(&r->who, id) || !policy_org_may_update(&r->who, id)) {
        http_problem(r, 403, "forbidden", "Forbidden", "You may not change this organisation.",
                     NULL);
        return;
    }
    /* Council status and designation are the national centre's record; an organisation's own
     * administrator may correct its names only. */
    bool full = policy_org_may_create(&r->who);
    static const char *const restricted[] = {
        "corporate_number",          "sectors",    "council", "council_consent_date",
        "confidentiality_agreement", "designated", NULL};
    for (const char *const *k = restricted; !full && *k; k++)
        if (json_object_get(r->json, *k)) {
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/%s", *k);
            http_problem_field(r, 403, "forbidden", ptr, "national_centre_only",
                               "only the national centre changes this field");
            return;
        }
    struct store_write *w = job_new(r, STORE_W_ORG_UPDATE, "org.update", "org", id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    int rc = r->app->store->ops->org_get(r->app->store, id, &w->org);
    if (rc != RK_OK) {
        free(w);
        http_problem_rc(r, rc, NULL);
        return;
    }
    struct jv_errors errs;
    if (api_org_apply(r->app, r->json, &w->org, false, &errs) != RK_OK) {
        free(w);
        http_problem(r, 422, "validation", "The request has invalid fields", NULL, &errs);
        return;
    }
    w->target_id = id;
    json_t *ver = json_object_get(r->json, "version");
    w->expect_version = ver ? json_integer_value(ver) : 0;
    http_submit(r, w);
}

void h_orgs_get(struct req *r)
{
    struct org_rec o;
    int rc = r->app->store->ops->org_get(r->app->store, r->params[0], &o);
    if (rc == RK_OK && !policy_org_may_read(&r->who, o.id)) rc = RK_ENOTFOUND;
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200, view_org(r->app, &r->who, &o));
}

static bool org_list_cb(const struct org_rec *o, void *ctx)
{
    struct page *pg = ctx;
    if (!policy_org_may_read(&pg->r->who, o->id)) return true;
    return page_add(pg, o->id, view_org(pg->r->app, &pg->r->who, o));
}

void h_orgs_list(struct req *r)
{
    struct page pg;
    if (page_begin(r, &pg))
        page_finish(&pg, r->app->store->ops->org_list(r->app->store, pg.after, org_list_cb, &pg));
}
