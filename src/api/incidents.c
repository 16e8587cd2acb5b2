/*
 * incidents.c — preparing incident reports for filing, and their views (see incidents.h).
 */
#include "api/incidents.h"

#include <stdlib.h>
#include <string.h>

#include "api/registry.h"

/* Awareness given this far in the future is a typo, not a forecast. */
#define INC_FUTURE_SLACK_MS (5 * 60 * 1000)

/* What the preparation steps share. */
struct inc_ctx {
    struct app *app;
    const struct pol_principal *p;
    const json_t *doc;  /* the request */
    const json_t *form; /* its form's definition */
    struct inc_err *err;
};

void inc_filing_free(void *p)
{
    struct inc_filing *fs = p;
    if (!fs) return;
    json_decref(fs->norm);
    free(fs->body);
    free(fs->changes);
    free(fs);
}

void inc_pol(const struct incident_rec *inc, enum pol_tlp tlp, struct pol_report *out)
{
    *out = (struct pol_report){
        .reporter_org = inc->reporter_org,
        .reporter_type = inc->reporter_type,
        .sectors = inc->sectors,
        .tlp = tlp,
        .recipients = inc->recipients,
        .nrecipients = inc->nrecipients,
        .relay_org = inc->relay_org,
        .anonymised = inc->anonymised,
    };
}

int inc_get(struct app *app, const struct pol_principal *p, int64_t id, struct incident_rec *out)
{
    int rc = app->store->ops->incident_get(app->store, id, out);
    struct pol_report pr;
    if (rc == RK_OK) {
        inc_pol(out, out->tlp, &pr);
        if (!policy_report_may_read(p, &pr)) rc = RK_ENOTFOUND;
    }
    return rc;
}

int inc_load(struct req *r, int64_t id, struct incident_rec *out)
{
    int rc = inc_get(r->app, &r->who, id, out);
    if (rc != RK_OK) http_problem_rc(r, rc, NULL);
    return rc;
}

int inc_load_for_add(struct req *r, struct incident_rec *out)
{
    int rc = inc_load(r, r->params[0], out);
    if (rc != RK_OK) return rc;
    struct pol_report pr;
    inc_pol(out, out->tlp, &pr);
    if (policy_report_may_add(&r->who, &pr)) return RK_OK;
    http_problem(r, 403, "forbidden", "Forbidden",
                 "Only the reporting organisation (or the CEPTOAR that relayed the first report) "
                 "files further reports and files, with the org_admin, analyst or reporter role.",
                 NULL);
    return RK_EDENIED;
}

static bool fail(struct inc_ctx *c, const char *ptr, const char *rule, const char *msg)
{
    c->err->status = 422;
    c->err->kind = "validation";
    jv_error_add(&c->err->errs, ptr, rule, "%s", msg);
    return false;
}

static bool store_fail(struct inc_ctx *c, int rc)
{
    c->err->status = 0;
    c->err->rc = rc;
    return false;
}

void inc_err_answer(struct req *r, const struct inc_err *e)
{
    if (e->status == 0)
        http_problem_rc(r, e->rc, NULL);
    else if (e->status == 422)
        http_problem(r, 422, "validation", "The report has invalid fields", NULL, &e->errs);
    else
        http_problem(r, e->status, e->kind, e->status == 403 ? "Forbidden" : "Conflict", e->detail,
                     NULL);
}

static const char *ans(const json_t *answers, const char *sec, const char *field)
{
    return json_string_value(json_object_get(json_object_get(answers, sec), field));
}

/* ---- who reports, and to whom ----------------------------------------------------------- */

/* The ministries of the sectors, then the national centre (the store lists them by id). */
static bool recipients(struct inc_ctx *c, struct inc_filing *fs, uint64_t sectors)
{
    /* One more than fits, to tell "exactly full" from "more than fit". */
    enum pol_org_type types[STORE_MAX_RECIPIENTS + 1];
    int64_t ids[STORE_MAX_RECIPIENTS + 1];
    size_t n = 0;
    int rc = c->app->store->ops->report_recipients(c->app->store, sectors, ids, types,
                                                   STORE_MAX_RECIPIENTS + 1, &n);
    if (rc != RK_OK) return store_fail(c, rc);
    /* More recipient organisations than a report can carry is a directory error: refuse
     * rather than leave one out. */
    if (n > STORE_MAX_RECIPIENTS) return store_fail(c, RK_ELIMIT);
    struct report_filing *f = &fs->f;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            bool nc = types[i] == POL_ORG_NATIONAL_CENTRE;
            if (nc != (pass == 1)) continue;
            fs->recipients[f->nrecipients] = ids[i];
            fs->roles[f->nrecipients++] = nc ? "national_centre" : "ministry";
        }
    f->recipients = fs->recipients;
    f->recipient_roles = fs->roles;
    return true;
}

/* New incident: the reporting organisation, its sectors and the recipients. */
static bool prepare_source(struct inc_ctx *c, struct inc_filing *fs)
{
    struct report_filing *f = &fs->f;
    const json_t *behalf = json_object_get(fs->norm, "on_behalf_of");
    int64_t org_id = behalf ? json_integer_value(behalf) : c->p->org_id;
    struct org_rec org;
    int rc = c->app->store->ops->org_get(c->app->store, org_id, &org);
    if (rc == RK_ENOTFOUND || (rc == RK_OK && behalf && !policy_org_may_read(c->p, org_id)))
        return fail(c, "/on_behalf_of", "org", "no such organisation");
    if (rc != RK_OK) return store_fail(c, rc);
    if (!policy_report_may_create(c->p, org.id, org.type, org.sectors, behalf != NULL)) {
        c->err->status = 403;
        c->err->kind = "forbidden";
        c->err->detail = behalf ? "Only a CEPTOAR's own staff may relay a report, for a core or "
                                  "CI operator of one of its sectors."
                                : "Filing a report needs the org_admin, analyst or reporter role.";
        return false;
    }
    f->reporter_org = org.id;
    f->relay_org = behalf ? c->p->org_id : 0;
    f->anonymised = json_is_true(json_object_get(fs->norm, "anonymised"));
    const json_t *codes = json_object_get(fs->norm, "sectors");
    uint64_t mask = org.sectors;
    if (codes && refdata_sectors_parse(c->app->rd, codes, &mask, NULL) != RK_OK)
        return fail(c, "/sectors", "enum", "unknown sector");
    if (mask == 0)
        return fail(c, "/sectors", "required",
                    "say which sectors the incident concerns (the organisation has none)");
    if (org.sectors && (mask & ~org.sectors))
        return fail(c, "/sectors", "not_your_sector",
                    "a report concerns the reporting organisation's own sectors");
    f->sectors = mask;
    return recipients(c, fs, mask);
}

/* Follow-up: the incident's source and recipients stay as the first report set them. */
static bool follow_source(struct inc_ctx *c, const struct incident_rec *inc, struct inc_filing *fs)
{
    struct report_filing *f = &fs->f;
    if (json_object_get(fs->norm, "on_behalf_of"))
        return fail(c, "/on_behalf_of", "not_allowed",
                    "a relay is set by the first report; follow-ups keep it");
    const json_t *codes = json_object_get(fs->norm, "sectors");
    uint64_t mask = 0;
    if (codes &&
        (refdata_sectors_parse(c->app->rd, codes, &mask, NULL) != RK_OK || mask != inc->sectors))
        return fail(c, "/sectors", "immutable",
                    "an incident's sectors (and so its recipients) are set by the first report");
    if (strcmp(json_string_value(json_object_get(fs->norm, "form")), inc->form) != 0)
        return fail(c, "/form", "incident_form", "follow-ups use the incident's form");
    f->incident_id = inc->id;
    f->expect_number = inc->reports;
    f->reporter_org = inc->reporter_org;
    f->relay_org = inc->relay_org;
    f->anonymised = inc->anonymised;
    f->sectors = inc->sectors;
    /* The recipients stay those of the first report; one query tells the centre's row. */
    enum pol_org_type types[STORE_MAX_RECIPIENTS + 1];
    int64_t ids[STORE_MAX_RECIPIENTS + 1];
    size_t n = 0;
    int rc = c->app->store->ops->report_recipients(c->app->store, inc->sectors, ids, types,
                                                   STORE_MAX_RECIPIENTS + 1, &n);
    if (rc != RK_OK) return store_fail(c, rc);
    for (size_t i = 0; i < inc->nrecipients; i++) {
        fs->recipients[i] = inc->recipients[i];
        fs->roles[i] = "ministry";
        for (size_t k = 0; k < n; k++)
            if (ids[k] == inc->recipients[i] && types[k] == POL_ORG_NATIONAL_CENTRE)
                fs->roles[i] = "national_centre";
    }
    f->nrecipients = inc->nrecipients;
    f->recipients = fs->recipients;
    f->recipient_roles = fs->roles;
    return true;
}

/* ---- numbering, linked computers, awareness --------------------------------------------- */

static bool check_numbering(struct inc_ctx *c, const struct incident_rec *inc,
                            struct inc_filing *fs)
{
    const json_t *a = json_object_get(fs->norm, "answers");
    const char *kind = json_string_value(json_object_get(fs->norm, "kind"));
    int64_t number = inc ? inc->reports + 1 : 1;
    if (number > INC_MAX_REPORTS)
        return fail(c, "", "max_items", "an incident holds at most 999 reports (第999報)");
    if (!inc && strcmp(kind, "follow_up") == 0)
        return fail(c, "/kind", "first_report",
                    "the first report of an incident is a quick or detailed report");
    if (inc && strcmp(kind, "quick") == 0)
        return fail(c, "/kind", "quick_first",
                    "only an incident's first report is its quick report (速報): file a detailed "
                    "report or a follow-up");
    if (strcmp(fs->f.form, "liaison") == 0) {
        const json_t *n = json_object_get(json_object_get(a, "header"), "report_number");
        if (json_integer_value(n) != number) {
            char msg[96];
            snprintf(msg, sizeof msg, "this report is 第%lld報 (report %lld)", (long long)number,
                     (long long)number);
            return fail(c, "/answers/header/report_number", "report_number", msg);
        }
        const char *id = ans(a, "header", "identification_number");
        if (!inc && id)
            return fail(c, "/answers/header/identification_number", "assigned_on_receipt",
                        "leave it blank: the national centre assigns it on receipt");
        if (inc && (!id || strcmp(id, inc->ident) != 0))
            return fail(c, "/answers/header/identification_number", "identification_number",
                        "must be the incident's identification number");
    } else {
        const char *rk = ans(a, "header", "report_kind");
        if (rk && strcmp(rk, inc ? "follow_up" : "new") != 0)
            return fail(c, "/answers/header/report_kind", "report_kind",
                        inc ? "this is a follow-up (続報) of the incident"
                            : "this is the incident's first report (新規)");
    }
    return true;
}

static bool prepare_assets(struct inc_ctx *c, const struct incident_rec *inc, struct inc_filing *fs)
{
    struct report_filing *f = &fs->f;
    const json_t *ids = json_object_get(fs->norm, "assets");
    f->categories = inc ? inc->categories : 0;
    if (!ids) return true; /* the incident keeps its list */
    /* Only the operator knows (and may read) its registry: a relaying CEPTOAR cannot link it. */
    if (c->p->org_id != f->reporter_org)
        return fail(c, "/assets", "not_allowed",
                    "only the operator links its registered computers (in a follow-up)");
    f->categories = 0;
    size_t i;
    const json_t *v;
    json_array_foreach((json_t *)ids, i, v)
    {
        struct asset_rec a;
        int rc = c->app->store->ops->asset_get(c->app->store, json_integer_value(v), &a);
        bool ok = rc == RK_OK && a.org_id == f->reporter_org && a.head_version > 0 && a.live;
        unsigned cats = a.categories;
        if (rc == RK_OK) store_asset_rec_free(&a);
        if (rc != RK_OK && rc != RK_ENOTFOUND) return store_fail(c, rc);
        if (!ok) {
            char ptr[48];
            snprintf(ptr, sizeof ptr, "/assets/%zu", i);
            return fail(c, ptr, "asset",
                        "not a filed, live computer of the reporting organisation");
        }
        fs->assets[i] = json_integer_value(v);
        f->categories |= cats;
    }
    f->assets = fs->assets;
    f->nassets = json_array_size(ids);
    return true;
}

static enum rr_hosting hosting_of(const char *s)
{
    static const char *const names[] = {"on_prem", "iaas", "paas_app", "paas_platform", "saas"};
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, names[i]) == 0) return (enum rr_hosting)i;
    return RR_HOST_ON_PREM;
}

/* The awareness time: as given, else the form's own discovery time, else the receipt. A
 * follow-up that says nothing keeps the incident's. */
static bool prepare_awareness(struct inc_ctx *c, const struct incident_rec *inc,
                              struct inc_filing *fs)
{
    struct report_filing *f = &fs->f;
    const json_t *n = fs->norm, *a = json_object_get(n, "answers");
    const char *given = json_string_value(json_object_get(n, "aware_at"));
    const char *notice = json_string_value(json_object_get(n, "provider_notified_at"));
    const char *host = json_string_value(json_object_get(n, "hosting"));
    /* A follow-up moves awareness only when it gives a time; hosting alone changes nothing. */
    bool said = given || notice;
    int64_t now = store_now_ms();
    if (inc && !said) {
        f->aware_ms = inc->aware_ms;
        snprintf(fs->hosting, sizeof fs->hosting, "%s", inc->hosting);
        snprintf(fs->awareness_source, sizeof fs->awareness_source, "%s", inc->awareness_source);
    } else {
        const char *found = ans(a, "overview", "found_at");
        if (!found) found = ans(a, "business_impact", "discovered_at");
        const char *own = given ? given : inc ? NULL : found;
        int64_t own_ms = own ? report_parse_time(own) : inc ? inc->aware_ms : now;
        int64_t notice_ms = notice ? report_parse_time(notice) : 0;
        if (!host && inc) host = inc->hosting; /* a follow-up keeps the incident's hosting */
        enum rr_hosting h = hosting_of(host);
        bool provider = h == RR_HOST_SAAS || h == RR_HOST_PAAS_PLATFORM;
        if (provider && !notice)
            return fail(c, "/provider_notified_at", "required",
                        "for SaaS and PaaS at middleware/OS level, awareness is the cloud "
                        "provider's notice: give its time");
        if (!provider && !given && inc && strcmp(inc->awareness_source, "provider_notice") == 0)
            return fail(c, "/aware_at", "required",
                        "the hosting no longer makes the provider's notice the awareness time: "
                        "give the operator's own");
        if (rr_awareness(h, own_ms, notice_ms, &f->aware_ms) != RK_OK)
            return fail(c, provider ? "/provider_notified_at" : "/aware_at", "datetime",
                        "the awareness time cannot be determined");
        if (f->aware_ms > now + INC_FUTURE_SLACK_MS)
            return fail(c, provider ? "/provider_notified_at" : "/aware_at", "future",
                        "awareness cannot be in the future");
        /* A correction may bring awareness forward, never push it back: moving it later would
         * move the detailed report's deadline with it (and take a late incident off the
         * overdue list). */
        if (inc && f->aware_ms > inc->aware_ms)
            return fail(c, provider ? "/provider_notified_at" : "/aware_at", "later_than_first",
                        "awareness cannot move later than the incident's; ask the national "
                        "centre to correct it");
        snprintf(fs->hosting, sizeof fs->hosting, "%s", host ? host : "on_prem");
        snprintf(fs->awareness_source, sizeof fs->awareness_source, "%s",
                 provider ? "provider_notice"
                 : given  ? "reported"
                 : inc    ? inc->awareness_source
                 : found  ? "form"
                          : "received");
    }
    f->hosting = fs->hosting;
    f->awareness_source = fs->awareness_source;
    struct dl_date due;
    fs->due[0] = 0;
    f->detailed_due_ms = 0;
    if (rr_detailed_deadline(f->aware_ms, reg_holiday, c->app->rd, &due, &f->detailed_due_ms) ==
        RK_OK)
        dl_format(&due, fs->due, sizeof fs->due);
    f->detailed_due = fs->due;
    f->quick_target_ms = 0;
    rr_quick_target(f->aware_ms, c->app->rules.quick_report_hours, &f->quick_target_ms);
    return true;
}

static void prepare_verdict(struct inc_ctx *c, struct inc_filing *fs)
{
    struct report_filing *f = &fs->f;
    /* The duty to report starts with the law: an event the operator knew of before the
     * enforcement date is shared voluntarily. */
    const struct asset_rules *rules = &c->app->rules;
    if (rules->have_enforcement &&
        (f->aware_ms / 1000 + 9 * 3600) / 86400 < dl_to_days(&rules->enforcement)) {
        f->event_class = json_string_value(json_object_get(fs->norm, "event_class"));
        f->reportable = "voluntary";
        f->reason = INC_BEFORE_ENFORCEMENT;
        return;
    }
    const char *cls = json_string_value(json_object_get(fs->norm, "event_class"));
    f->event_class = cls;
    enum rr_event_class ec = strcmp(cls, "trace") == 0       ? RR_EVENT_TRACE
                             : strcmp(cls, "precursor") == 0 ? RR_EVENT_PRECURSOR
                                                             : RR_EVENT_OCCURRED;
    struct rr_verdict v;
    if (rr_reportability(ec, f->categories & 0x3fu, &v) != RK_OK) {
        f->reportable = "voluntary";
        f->reason = "no_registered_computer";
        return;
    }
    f->reportable = v.result == RR_REPORTABLE ? "reportable" : "voluntary";
    f->reason = v.code;
}

/* Closed once the reporter says no more reports follow (liaison ⑧, common forms 5); open
 * when it says more follow; a report that says nothing keeps the incident's status. */
static const char *status_of(const json_t *answers, const struct incident_rec *inc)
{
    const char *s = ans(answers, "next_steps", "next_steps");
    if (!s) s = ans(answers, "next_steps", "outlook");
    if (!s) return inc && strcmp(inc->status, "closed") == 0 ? "closed" : "open";
    return strcmp(s, "done") == 0 || strcmp(s, "considering_measures") == 0 ? "closed" : "open";
}

/* ---- attachments ------------------------------------------------------------------------ */

/* The opt-out group a file listed outside the form's fields falls in, by what it is: evidence
 * of the attack (source lists, samples, logs, ransom notes) goes with section 4, a connection
 * diagram with section 3; "" on a form without opt-out. */
static const char *role_group(const json_t *form, const char *role)
{
    static const char *const map[][2] = {{"source_ip_list", "attack"},
                                         {"sample", "attack"},
                                         {"log", "attack"},
                                         {"ransom_note", "attack"},
                                         {"connection_diagram", "affected_systems"},
                                         {"press_release", "next_steps"},
                                         {"other", "other"}};
    const char *names[16];
    size_t n = report_opt_out_groups(form, names, 16);
    for (size_t i = 0; i < RK_ARRAY_LEN(map); i++) {
        if (strcmp(role, map[i][0]) != 0) continue;
        for (size_t k = 0; k < n; k++)
            if (strcmp(names[k], map[i][1]) == 0) return names[k];
    }
    return "";
}

static bool add_attachment(struct inc_ctx *c, const struct incident_rec *inc, struct inc_filing *fs,
                           const char *id, const char *grp, const char *ptr)
{
    struct report_filing *f = &fs->f;
    size_t n = id ? strlen(id) : 0;
    bool digits = n > 0 && n <= 18 && id[0] != '0';
    for (size_t i = 0; digits && i < n; i++)
        digits = id[i] >= '0' && id[i] <= '9';
    if (!digits)
        return fail(c, ptr, "format", "not an attachment id (see POST /api/v1/attachments)");
    int64_t aid = strtoll(id, NULL, 10);
    for (size_t i = 0; i < f->nattachments; i++)
        if (fs->atts[i] == aid) return true; /* named twice: listed once */
    struct attachment_rec a;
    int rc = aid > 0 ? c->app->store->ops->attachment_get(c->app->store, aid, &a) : RK_ENOTFOUND;
    if (rc != RK_OK && rc != RK_ENOTFOUND) return store_fail(c, rc);
    bool ok = rc == RK_OK &&
              (a.incident_id == 0 ? a.org_id == c->p->org_id : inc && a.incident_id == inc->id);
    if (ok && !grp) grp = role_group(c->form, a.role);
    if (!ok)
        return fail(c, ptr, "attachment",
                    "no such attachment uploaded by your organisation for this incident");
    if (f->nattachments >= RK_ARRAY_LEN(fs->atts))
        return fail(c, ptr, "max_items", "too many attachments on one report");
    fs->atts[f->nattachments] = aid;
    fs->att_groups[f->nattachments++] = grp ? grp : "";
    return true;
}

static bool prepare_attachments(struct inc_ctx *c, const struct incident_rec *inc,
                                struct inc_filing *fs, const json_t *form)
{
    const json_t *a = json_object_get(fs->norm, "answers");
    size_t i, k, j;
    const json_t *sec, *fld, *v;
    json_array_foreach(json_object_get(form, "sections"), i, sec)
    {
        const char *sid = json_string_value(json_object_get(sec, "id"));
        json_array_foreach(json_object_get(sec, "fields"), k, fld)
        {
            if (strcmp(json_string_value(json_object_get(fld, "type")), "attachment") != 0)
                continue;
            const char *fid = json_string_value(json_object_get(fld, "id"));
            const char *grp = json_string_value(json_object_get(fld, "opt_out_group"));
            json_array_foreach(json_object_get(json_object_get(a, sid), fid), j, v)
            {
                char ptr[JV_POINTER_MAX];
                snprintf(ptr, sizeof ptr, "/answers/%s/%s/%zu", sid, fid, j);
                if (!add_attachment(c, inc, fs, json_string_value(v), grp, ptr)) return false;
            }
        }
    }
    json_array_foreach(json_object_get(fs->norm, "attachments"), j, v)
    {
        char ptr[48];
        snprintf(ptr, sizeof ptr, "/attachments/%zu", j);
        if (!add_attachment(c, inc, fs, json_string_value(v), NULL, ptr)) return false;
    }
    fs->f.attachments = fs->atts;
    fs->f.attachment_groups = fs->att_groups;
    return true;
}

/* ---- the whole preparation -------------------------------------------------------------- */

static unsigned opt_out_mask(const json_t *form, const json_t *groups)
{
    const char *names[16];
    size_t n = report_opt_out_groups(form, names, 16), i;
    unsigned mask = 0;
    const json_t *g;
    json_array_foreach((json_t *)groups, i, g)
    {
        for (size_t k = 0; k < n; k++)
            if (strcmp(names[k], json_string_value(g)) == 0) mask |= 1u << k;
    }
    return mask;
}

static bool prepare_diff(struct inc_ctx *c, const struct incident_rec *inc, struct inc_filing *fs)
{
    json_t *diff = NULL;
    if (inc) {
        struct report_rec prev;
        int rc = c->app->store->ops->report_get(c->app->store, inc->id, inc->reports, &prev);
        if (rc != RK_OK) return store_fail(c, rc);
        json_t *old = json_loads(prev.body, 0, NULL);
        store_report_rec_free(&prev);
        diff =
            rr_answers_diff(json_object_get(old, "answers"), json_object_get(fs->norm, "answers"));
        json_decref(old);
    } else {
        diff = json_array();
    }
    fs->changes = diff ? json_dumps(diff, JSON_COMPACT) : NULL;
    json_decref(diff);
    fs->body = json_dumps(fs->norm, JSON_COMPACT);
    if (!fs->changes || !fs->body) return store_fail(c, RK_ENOMEM);
    fs->f.changes = fs->changes;
    fs->f.body = fs->body;
    return true;
}

bool inc_prepare(struct app *app, const struct pol_principal *p, const json_t *doc,
                 const struct incident_rec *inc, struct inc_filing *fs, struct inc_err *err)
{
    memset(err, 0, sizeof *err);
    struct inc_ctx cc = {app, p, doc, NULL, err}, *c = &cc;
    int rc = report_input_check(c->app->forms, doc, &fs->norm, &err->errs);
    if (rc == RK_EINVAL) {
        err->status = 422;
        err->kind = "validation";
        return false;
    }
    if (rc != RK_OK) return store_fail(c, rc);
    struct report_filing *f = &fs->f;
    const json_t *n = fs->norm;
    f->form = json_string_value(json_object_get(n, "form"));
    f->kind = json_string_value(json_object_get(n, "kind"));
    f->severity = json_string_value(json_object_get(n, "severity"));
    policy_tlp_parse(json_string_value(json_object_get(n, "tlp")), &f->tlp);
    const json_t *form = forms_get(c->app->forms, f->form);
    c->form = form;
    f->form_version = (int)json_integer_value(json_object_get(form, "version"));
    if (!(inc ? follow_source(c, inc, fs) : prepare_source(c, fs))) return false;
    if (!check_numbering(c, inc, fs) || !prepare_assets(c, inc, fs) ||
        !prepare_awareness(c, inc, fs) || !prepare_attachments(c, inc, fs, form))
        return false;
    prepare_verdict(c, fs);
    if (strcmp(f->reason, INC_BEFORE_ENFORCEMENT) == 0) {
        /* No duty, no deadline: nor does it belong on the overdue list. */
        fs->due[0] = 0;
        f->detailed_due_ms = f->quick_target_ms = 0;
    }
    f->status = status_of(json_object_get(n, "answers"), inc);
    f->opt_out = opt_out_mask(form, json_object_get(n, "opt_out_groups"));
    f->filed_by_user = c->p->user_id;
    f->filed_by_org = c->p->org_id;
    return prepare_diff(c, inc, fs);
}

void inc_audit_detail(const struct report_filing *f, const char *via, int64_t token, char *buf,
                      size_t cap)
{
    /* An anonymised relay keeps the operator out of the trail too (the incident row holds it,
     * for the platform's own use). */
    char reporter[24] = "null";
    if (!f->anonymised) snprintf(reporter, sizeof reporter, "%lld", (long long)f->reporter_org);
    snprintf(buf, cap,
             "{\"via\":\"%s\",\"form\":\"%s\",\"kind\":\"%s\",\"reporter_org\":%s,"
             "\"relay_org\":%lld,\"anonymised\":%s,\"token\":%lld}",
             via, f->form, f->kind, reporter, (long long)f->relay_org,
             f->anonymised ? "true" : "false", (long long)token);
}

int inc_file_sync(struct app *app, const struct pol_principal *p, const json_t *doc,
                  int64_t incident_id, const char *request_id, int64_t *out_incident,
                  int64_t *out_number, struct inc_err *err)
{
    struct incident_rec inc;
    memset(err, 0, sizeof *err);
    if (incident_id) {
        int rc = inc_get(app, p, incident_id, &inc);
        struct pol_report pr;
        if (rc == RK_OK) inc_pol(&inc, inc.tlp, &pr);
        if (rc == RK_OK && !policy_report_may_add(p, &pr)) {
            err->status = 403;
            err->kind = "forbidden";
            err->detail = "Only the reporting organisation (or the CEPTOAR that relayed the first "
                          "report) files further reports, with the org_admin, analyst or reporter "
                          "role.";
            return RK_EDENIED;
        }
        if (rc != RK_OK) return err->rc = rc;
    }
    struct inc_filing *fs = calloc(1, sizeof *fs);
    struct store_write *w = calloc(1, sizeof *w);
    int rc = RK_ENOMEM;
    if (!fs || !w) goto out;
    rc = RK_EINVAL;
    if (!inc_prepare(app, p, doc, incident_id ? &inc : NULL, fs, err)) {
        if (err->status == 0) rc = err->rc;
        goto out;
    }
    w->op = STORE_W_REPORT_FILE;
    w->report = &fs->f;
    store_audit_set(&w->audit, p->user_id, p->org_id,
                    incident_id ? "incident.report" : "incident.create", "incident", incident_id,
                    request_id);
    inc_audit_detail(&fs->f, request_id, 0, w->audit.detail, sizeof w->audit.detail);
    rc = store_write_sync(app->store, w);
    if (rc == RK_ECONFLICT) {
        err->status = 409;
        err->kind = "conflict";
        err->detail = strcmp(w->conflict_field, "/attachments") == 0
                          ? "An attachment was listed on another incident meanwhile."
                          : "Another report of this incident was filed meanwhile; file again.";
    } else if (rc != RK_OK) {
        err->rc = rc;
    } else {
        *out_incident = fs->f.out_incident_id;
        *out_number = fs->f.out_number;
    }
out:
    inc_filing_free(fs);
    free(w);
    return rc;
}
