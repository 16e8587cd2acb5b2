/*
 * h_incidents.c — /api/v1/incidents: incident reports (domain.md §5). POST /incidents files the
 * first report and gets the identification number assigned on receipt; POST …/reports files
 * 第2報, 第3報, …; reads go through incidents_view.c, which asks policy.h for every part.
 */
#include <stdlib.h>
#include <string.h>

#include "api/incidents.h"
#include "api/registry.h"
#include "domain/report_print.h"

static struct inc_filing *filing_new(struct req *r)
{
    struct inc_filing *fs = calloc(1, sizeof *fs);
    if (!fs) return NULL;
    r->hstate = fs;
    r->hstate_free = inc_filing_free;
    return fs;
}

static void submit(struct req *r, struct inc_filing *fs, int64_t incident_id)
{
    struct store_write *w =
        job_new(r, STORE_W_REPORT_FILE, incident_id ? "incident.report" : "incident.create",
                "incident", incident_id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->report = &fs->f;
    inc_audit_detail(&fs->f, "api", r->auth.token_id, w->audit.detail, sizeof w->audit.detail);
    http_submit(r, w);
}

/* Second half: the incident as the filer now sees it, with the number given. */
static void finish(struct req *r)
{
    struct inc_filing *fs = r->hstate;
    if (r->w->rc != RK_OK) {
        http_problem_rc(r, r->w->rc, r->w);
        return;
    }
    struct incident_rec inc;
    int rc = r->app->store->ops->incident_get(r->app->store, fs->f.out_incident_id, &inc);
    json_t *v = rc == RK_OK ? inc_view(r->app, &r->who, &inc, true) : NULL;
    if (!v) {
        http_problem_rc(r, rc == RK_OK ? RK_ENOMEM : rc, NULL);
        return;
    }
    json_object_set_new(v, "report_number", json_integer(fs->f.out_number));
    http_reply_json(r, 201, v);
    char loc[96];
    snprintf(loc, sizeof loc, "/api/v1/incidents/%lld/reports/%lld",
             (long long)fs->f.out_incident_id, (long long)fs->f.out_number);
    MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
}

void h_incidents_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r);
        return;
    }
    struct inc_filing *fs = filing_new(r);
    if (!fs) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    struct inc_err err;
    if (inc_prepare(r->app, &r->who, r->json, NULL, fs, &err))
        submit(r, fs, 0);
    else
        inc_err_answer(r, &err);
}

void h_reports_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r);
        return;
    }
    struct incident_rec inc;
    if (inc_load_for_add(r, &inc) != RK_OK) return;
    struct inc_filing *fs = filing_new(r);
    if (!fs) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    struct inc_err err;
    if (inc_prepare(r->app, &r->who, r->json, &inc, fs, &err))
        submit(r, fs, inc.id);
    else
        inc_err_answer(r, &err);
}

/* ---- reads ------------------------------------------------------------------------------ */

void h_incidents_get(struct req *r)
{
    struct incident_rec inc;
    if (inc_load(r, r->params[0], &inc) != RK_OK) return;
    json_t *v = inc_view(r->app, &r->who, &inc, true);
    if (!v) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    http_reply_json(r, 200, v);
}

struct list_ctx {
    struct req *r;
    struct page *pg;
    bool org_filter;
};

static bool list_cb(const struct incident_rec *inc, void *ctx)
{
    struct list_ctx *c = ctx;
    struct pol_report pr;
    inc_pol(inc, inc->tlp, &pr);
    if (!policy_report_may_read(&c->r->who, &pr)) return true;
    /* Filtering by organisation must not find incidents whose reporter p may not know. */
    if (c->org_filter && !policy_report_part_visible(&c->r->who, &pr, POL_PART_IDENTITY))
        return true;
    json_t *v = inc_view(c->r->app, &c->r->who, inc, false);
    return v ? page_add(c->pg, inc->id, v) : false;
}

/* from/to: YYYY-MM-DD (a day in Japan) or an RFC 3339 time. */
static bool query_time(struct req *r, const char *name, bool end, int64_t *out)
{
    const char *v = http_query_str(r, name);
    *out = 0;
    if (!v) return true;
    struct dl_date d;
    if (strlen(v) == 10 && dl_parse(v, &d) == RK_OK)
        *out = end ? dl_end_of_day_jst_ms(&d) + 1 : dl_end_of_day_jst_ms(&d) + 1 - 86400000;
    else
        *out = report_parse_time(v);
    if (*out <= 0) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/query/%s", name);
        http_problem_field(r, 400, "validation", ptr, "format",
                           "must be YYYY-MM-DD or an RFC 3339 date-time");
        return false;
    }
    return true;
}

void h_incidents_list(struct req *r)
{
    struct page pg;
    if (!page_begin(r, &pg)) return;
    struct incident_filter f = {0};
    long long org = 0;
    if (!http_query_int(r, "org_id", 1, INT64_MAX, 0, &org)) goto bad;
    f.reporter_org = org;
    const char *sector = http_query_str(r, "sector");
    if (sector) {
        int idx = refdata_sector_index(r->app->rd, sector);
        if (idx < 0) {
            http_problem_field(r, 400, "validation", "/query/sector", "enum", "unknown sector");
            goto bad;
        }
        f.sectors = 1ull << idx;
    }
    f.form = http_query_str(r, "form");
    if (f.form && !forms_get(r->app->forms, f.form)) {
        http_problem_field(r, 400, "validation", "/query/form", "enum", "no such form");
        goto bad;
    }
    f.status = http_query_str(r, "status");
    if (f.status && strcmp(f.status, "open") != 0 && strcmp(f.status, "closed") != 0) {
        http_problem_field(r, 400, "validation", "/query/status", "enum", "open or closed");
        goto bad;
    }
    char today[11];
    const char *overdue = http_query_str(r, "overdue");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0) {
        http_problem_field(r, 400, "validation", "/query/overdue", "enum", "true or false");
        goto bad;
    }
    if (overdue && strcmp(overdue, "true") == 0) {
        reg_today(today);
        f.overdue_before = today;
    }
    if (!query_time(r, "from", false, &f.from_ms) || !query_time(r, "to", true, &f.to_ms)) goto bad;
    f.ident = http_query_str(r, "identification_number");
    struct list_ctx c = {r, &pg, org != 0};
    int rc = r->app->store->ops->incident_list(r->app->store, &f, pg.after, list_cb, &c);
    page_finish(&pg, rc);
    return;
bad:
    json_decref(pg.items);
}

/* Loads incident params[0] and its report params[1] (0: the latest) for p. */
static bool load_report(struct req *r, struct incident_rec *inc, struct report_rec *rep)
{
    if (inc_load(r, r->params[0], inc) != RK_OK) return false;
    int rc = r->app->store->ops->report_get(r->app->store, inc->id, r->params[1], rep);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return false;
    }
    return true;
}

/* Reads of a TLP:RED report leave an audit record (who read what, when): RED is for the named
 * recipients only, and a later leak must be traceable. */
static void audit_red(struct req *r, const struct report_rec *rep, const char *action)
{
    if (rep->tlp == POL_TLP_RED) http_audit_async(r, action, "report", rep->id);
}

void h_reports_list(struct req *r)
{
    struct incident_rec inc;
    if (inc_load(r, r->params[0], &inc) != RK_OK) return;
    json_t *v = inc_view(r->app, &r->who, &inc, true);
    json_t *items = v ? json_incref(json_object_get(v, "report_list")) : NULL;
    json_decref(v);
    if (!items) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The report of params[0]/params[1] as p may see it, or NULL having answered. */
static json_t *report_view(struct req *r)
{
    struct incident_rec inc;
    struct report_rec rep;
    if (!load_report(r, &inc, &rep)) return NULL;
    int rc;
    json_t *v = inc_view_report(r->app, &r->who, &inc, &rep, NULL, &rc);
    if (v) audit_red(r, &rep, "report.read");
    store_report_rec_free(&rep);
    if (!v) http_problem_rc(r, rc, NULL);
    return v;
}

void h_reports_get(struct req *r)
{
    json_t *v = report_view(r);
    if (v) http_reply_json(r, 200, v);
}

void h_reports_diff(struct req *r)
{
    json_t *v = report_view(r);
    if (!v) return;
    json_t *out =
        json_pack("{s:I, s:I, s:O, s:O}", "number", (json_int_t)r->params[1], "previous",
                  (json_int_t)(r->params[1] - 1), "changes", json_object_get(v, "changes"),
                  "withheld", json_object_get(v, "withheld"));
    if (r->params[1] == 1) json_object_set_new(out, "previous", json_null());
    /* The previous report is one p may not read: its changes are not shown. */
    if (json_is_true(json_object_get(v, "changes_withheld")))
        json_object_set_new(out, "changes_withheld", json_true());
    json_decref(v);
    http_reply_json(r, 200, out);
}

void h_reports_form(struct req *r)
{
    struct incident_rec inc;
    struct report_rec rep;
    if (!load_report(r, &inc, &rep)) return;
    int rc;
    json_t *withheld = NULL;
    json_t *v = inc_view_report(r->app, &r->who, &inc, &rep, &withheld, &rc);
    if (v) audit_red(r, &rep, "report.print");
    store_report_rec_free(&rep);
    json_t *form =
        v ? forms_resolved(r->app->forms, r->app->rd, forms_get(r->app->forms, inc.form)) : NULL;
    json_t *sections = json_array();
    size_t i;
    json_t *w;
    /* Whole sections only: a withheld field is simply left blank on the form. */
    json_array_foreach(withheld, i, w)
    {
        if (!json_object_get(w, "field"))
            json_array_append(sections, json_object_get(w, "section"));
    }
    const json_t *src = json_object_get(v, "source");
    const char *label = json_string_value(json_object_get(src, "name_ja"));
    if (!label)
        label = json_string_value(json_object_get(json_object_get(src, "relayed_by"), "name_ja"));
    struct rp_meta meta = {
        .ident = inc.ident,
        .report_number = (int)json_integer_value(json_object_get(v, "number")),
        .kind = json_string_value(json_object_get(v, "kind")),
        .tlp = json_string_value(json_object_get(v, "tlp")),
        .severity = json_string_value(json_object_get(v, "severity")),
        .filed_at = json_string_value(json_object_get(v, "filed_at")),
        .source_label = label,
        .withheld = sections,
        .attachments = json_object_get(v, "attachments"),
    };
    char *html = NULL;
    size_t len = 0;
    if (!v)
        http_problem_rc(r, rc, NULL);
    else if (!form || (rc = rp_render(form, json_object_get(v, "answers"),
                                      json_object_get(v, "changes"), &meta, &html, &len)) != RK_OK)
        http_problem_rc(r, form ? rc : RK_ENOMEM, NULL);
    else
        http_reply_text(r, 200, "text/html; charset=utf-8", html, len);
    free(html);
    json_decref(form);
    json_decref(sections);
    json_decref(withheld);
    json_decref(v);
}

void h_reports_ack(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc == RK_ECONFLICT)
            http_problem_field(r, 409, "conflict", "/acknowledged_at", "already_recorded",
                               "your organisation has already acknowledged this report");
        else if (r->w->rc != RK_OK)
            http_problem_rc(r, r->w->rc, r->w);
        else
            h_reports_get(r);
        return;
    }
    struct incident_rec inc;
    struct report_rec rep;
    if (!load_report(r, &inc, &rep)) return;
    struct pol_report pr;
    inc_pol(&inc, rep.tlp, &pr);
    int64_t report_id = rep.id;
    store_report_rec_free(&rep);
    if (!policy_report_may_read(&r->who, &pr)) {
        http_problem_rc(r, RK_ENOTFOUND, NULL);
        return;
    }
    if (!policy_report_may_ack(&r->who, &pr)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Only a recipient's own staff (org_admin, analyst or reporter) acknowledge "
                     "receipt.",
                     NULL);
        return;
    }
    struct store_write *w = job_new(r, STORE_W_REPORT_ACK, "incident.ack", "report", report_id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->target_id = report_id;
    w->user.org_id = r->who.org_id;
    http_submit(r, w);
}
