/*
 * incidents_view.c — what a principal is shown of an incident and its reports. Every part
 * comes through policy.h: the report as a whole (policy_report_may_read), who reported
 * (IDENTITY), the groups the reporter opted out of sharing (OPTED_OUT) and the ransomware
 * personal-data annexes (ANNEX). A part p may not see is left out and named in "withheld", so
 * a reader knows something is there without learning what.
 */
#include <string.h>

#include "api/incidents.h"

static const char *const categories_az = "ABCDEF";

static json_t *org_ref(struct app *app, int64_t id)
{
    struct org_rec o;
    if (app->store->ops->org_get(app->store, id, &o) != RK_OK)
        return json_pack("{s:I}", "org_id", (json_int_t)id);
    return json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)id, "name_ja", o.name_ja, "name_en",
                     o.name_en);
}

static json_t *view_source(struct app *app, const struct pol_principal *p,
                           const struct incident_rec *inc, const struct pol_report *pr)
{
    bool identity = policy_report_part_visible(p, pr, POL_PART_IDENTITY);
    json_t *s = identity ? org_ref(app, inc->reporter_org) : json_pack("{s:b}", "withheld", 1);
    /* Who relayed narrows who the victim can be (the CEPTOAR's members): only those who know
     * the source, and the recipients (to whom the CEPTOAR is the source), are told. */
    if (s && inc->relay_org && (identity || policy_report_part_visible(p, pr, POL_PART_ROUTING))) {
        json_object_set_new(s, "relayed_by", org_ref(app, inc->relay_org));
        json_object_set_new(s, "anonymised", json_boolean(inc->anonymised));
    }
    return s;
}

static const char *time_or_null(int64_t ms, char *buf, size_t cap)
{
    return ms ? http_time(ms, buf, cap) : NULL;
}

static json_t *view_deadlines(struct app *app, const struct incident_rec *inc)
{
    char t1[32], t2[32], t3[32], t4[32];
    enum rr_quick_status qs;
    const char *quick = "unknown";
    int64_t now = store_now_ms();
    if (rr_quick_status(inc->aware_ms, app->rules.quick_report_hours, inc->quick_ms, now, &qs) ==
        RK_OK)
        quick = rr_quick_status_name(qs);
    bool before = strcmp(inc->reason, INC_BEFORE_ENFORCEMENT) == 0;
    if (before) quick = "not_applicable";
    const char *detailed = before                  ? "not_applicable"
                           : !inc->detailed_due_ms ? "unknown"
                           : inc->detailed_ms
                               ? (inc->detailed_ms <= inc->detailed_due_ms ? "on_time" : "late")
                           : now > inc->detailed_due_ms ? "overdue"
                                                        : "pending";
    return json_pack("{s:{s:s?, s:s?, s:s, s:i, s:b}, s:{s:s?, s:s?, s:s?, s:s, s:i}}",
                     "quick_report", "target_at", time_or_null(inc->quick_target_ms, t1, sizeof t1),
                     "submitted_at", time_or_null(inc->quick_ms, t2, sizeof t2), "status", quick,
                     "target_hours", app->rules.quick_report_hours, "enforced", 0,
                     "detailed_report", "due_on", inc->detailed_due[0] ? inc->detailed_due : NULL,
                     "due_at", time_or_null(inc->detailed_due_ms, t3, sizeof t3), "submitted_at",
                     time_or_null(inc->detailed_ms, t4, sizeof t4), "status", detailed, "days",
                     RR_DETAILED_DAYS);
}

static json_t *view_reportability(const struct incident_rec *inc)
{
    enum rr_event_class c = strcmp(inc->event_class, "trace") == 0       ? RR_EVENT_TRACE
                            : strcmp(inc->event_class, "precursor") == 0 ? RR_EVENT_PRECURSOR
                                                                         : RR_EVENT_OCCURRED;
    struct rr_verdict v;
    if (strcmp(inc->reason, INC_BEFORE_ENFORCEMENT) == 0)
        v = (struct rr_verdict){
            .result = RR_VOLUNTARY,
            .code = INC_BEFORE_ENFORCEMENT,
            .ja = "法の施行日より前に認知した事象のため、報告義務の対象外です"
                  "(自主的な情報共有は可能です)。",
            .en = "The event was known before the law took effect: reporting is voluntary (you "
                  "may still share).",
        };
    else if (rr_reportability(c, inc->categories & 0x3fu, &v) != RK_OK)
        return json_null();
    json_t *cats = json_array();
    for (int i = 0; i < 6; i++)
        if (inc->categories & (1u << i))
            json_array_append_new(cats, json_stringn(categories_az + i, 1));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "result",
                     v.result == RR_REPORTABLE ? "reportable" : "voluntary", "reason", v.code,
                     "message_ja", v.ja, "message_en", v.en, "event_class", inc->event_class,
                     "categories", cats);
}

struct route_ctx {
    const struct pol_principal *p;
    json_t *rows;
};

static bool route_cb(const struct route_rec *rt, void *ctx)
{
    char t1[32], t2[32];
    json_t *row = json_pack("{s:I, s:s, s:s?, s:s?}", "org_id", (json_int_t)rt->org_id, "role",
                            rt->role, "received_at", time_or_null(rt->received_ms, t1, sizeof t1),
                            "acknowledged_at", time_or_null(rt->acked_ms, t2, sizeof t2));
    /* Which person acknowledged is the recipient's own business. */
    const struct pol_principal *p = ((struct route_ctx *)ctx)->p;
    json_object_set_new(row, "acknowledged_by",
                        rt->acked_by && rt->org_id == p->org_id ? json_integer(rt->acked_by)
                                                                : json_null());
    json_array_append_new(((struct route_ctx *)ctx)->rows, row);
    return true;
}

static json_t *view_routing(struct app *app, const struct pol_principal *p, int64_t report_id)
{
    struct route_ctx c = {p, json_array()};
    if (c.rows && app->store->ops->report_routes(app->store, report_id, route_cb, &c) != RK_OK) {
        json_decref(c.rows);
        return NULL;
    }
    return c.rows;
}

struct list_ctx {
    const struct pol_principal *p;
    const struct incident_rec *inc;
    json_t *items;
    int64_t latest_id;
};

static bool report_item_cb(const struct report_rec *rep, void *ctx)
{
    struct list_ctx *c = ctx;
    struct pol_report pr;
    inc_pol(c->inc, rep->tlp, &pr);
    c->latest_id = rep->id;
    if (!policy_report_may_read(c->p, &pr)) return true;
    char t[32];
    json_array_append_new(c->items, json_pack("{s:I, s:s, s:s, s:s, s:s}", "number",
                                              (json_int_t)rep->number, "kind", rep->kind, "tlp",
                                              policy_tlp_name(rep->tlp), "severity", rep->severity,
                                              "filed_at", http_time(rep->filed_ms, t, sizeof t)));
    return true;
}

json_t *inc_view(struct app *app, const struct pol_principal *p, const struct incident_rec *inc,
                 bool full)
{
    struct pol_report pr;
    inc_pol(inc, inc->tlp, &pr);
    char t1[32], t2[32], t3[32];
    json_t *v = json_pack(
        "{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:s, s:o, s:{s:s, s:s, s:s}, s:o, s:o}",
        "id", (json_int_t)inc->id, "identification_number", inc->ident, "form", inc->form, "status",
        inc->status, "sectors", refdata_sectors_to_json(app->rd, inc->sectors), "tlp",
        policy_tlp_name(inc->tlp), "severity", inc->severity, "reports", (json_int_t)inc->reports,
        "created_at", http_time(inc->created_ms, t1, sizeof t1), "updated_at",
        http_time(inc->updated_ms, t2, sizeof t2), "source", view_source(app, p, inc, &pr),
        "awareness", "aware_at", http_time(inc->aware_ms, t3, sizeof t3), "hosting", inc->hosting,
        "source", inc->awareness_source, "deadlines", view_deadlines(app, inc), "reportability",
        view_reportability(inc));
    if (!v || !full) return v;
    if (policy_report_part_visible(p, &pr, POL_PART_IDENTITY)) {
        int64_t ids[RI_MAX_ASSETS];
        size_t n = 0;
        json_t *a = json_array();
        if (app->store->ops->incident_assets(app->store, inc->id, ids, RI_MAX_ASSETS, &n) == RK_OK)
            for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_integer(ids[i]));
        json_object_set_new(v, "assets", a);
    }
    struct list_ctx c = {p, inc, json_array(), 0};
    app->store->ops->report_list(app->store, inc->id, report_item_cb, &c);
    json_object_set_new(v, "report_list", c.items);
    if (policy_report_part_visible(p, &pr, POL_PART_ROUTING) && c.latest_id)
        json_object_set_new(v, "routing", view_routing(app, p, c.latest_id));
    return v;
}

/* ---- one report ------------------------------------------------------------------------- */

/* The opt-out bit of a section (the group of its first grouped field), or 0. */
static unsigned section_bit(const json_t *form, const json_t *sec)
{
    const char *names[16];
    size_t n = report_opt_out_groups(form, names, 16), i;
    const json_t *f;
    json_array_foreach(json_object_get(sec, "fields"), i, f)
    {
        const char *g = json_string_value(json_object_get(f, "opt_out_group"));
        for (size_t k = 0; g && k < n; k++)
            if (strcmp(names[k], g) == 0) return 1u << k;
    }
    return 0;
}

static unsigned group_bit(const json_t *form, const char *grp)
{
    const char *names[16];
    size_t n = report_opt_out_groups(form, names, 16);
    for (size_t k = 0; grp && *grp && k < n; k++)
        if (strcmp(names[k], grp) == 0) return 1u << k;
    return 0;
}

bool inc_attachment_visible(const struct pol_principal *p, const struct pol_report *pr,
                            unsigned opt_out, const json_t *form, const char *role, const char *grp)
{
    if (strncmp(role, "annex_", 6) == 0) return policy_report_part_visible(p, pr, POL_PART_ANNEX);
    /* A press release names the operator. */
    if (strcmp(role, "press_release") == 0 && !policy_report_part_visible(p, pr, POL_PART_IDENTITY))
        return false;
    if (opt_out & group_bit(form, grp))
        return policy_report_part_visible(p, pr, POL_PART_OPTED_OUT);
    return policy_report_part_visible(p, pr, POL_PART_BODY);
}

json_t *inc_view_attachment(const struct attachment_rec *a)
{
    char t[32];
    json_t *ind = a->indicators ? json_loads(a->indicators, 0, NULL) : NULL;
    json_t *v =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id", "", "name", a->name, "media_type",
                  a->media_type, "role", a->role, "size", (json_int_t)a->size, "sha256", a->sha256,
                  "uploaded_at", http_time(a->created_ms, t, sizeof t));
    if (v) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)a->id);
        json_object_set_new(v, "id", json_string(id));
        if (ind) json_object_set(v, "indicator_count", json_object_get(ind, "count"));
    }
    json_decref(ind);
    return v;
}

struct att_ctx {
    const struct pol_principal *p;
    const struct pol_report *pr;
    unsigned opt_out;
    const json_t *form;
    json_t *list, *indicators;
    json_int_t total; /* indicators in the visible lists, shown or not */
};

static bool att_cb(const struct attachment_rec *a, void *ctx)
{
    struct att_ctx *c = ctx;
    if (!inc_attachment_visible(c->p, c->pr, c->opt_out, c->form, a->role, a->grp)) return true;
    json_array_append_new(c->list, inc_view_attachment(a));
    json_t *ind = a->indicators ? json_loads(a->indicators, 0, NULL) : NULL;
    size_t i;
    json_t *it;
    c->total += json_integer_value(json_object_get(ind, "count"));
    json_array_foreach(json_object_get(ind, "indicators"), i, it)
    {
        if (json_array_size(c->indicators) >= INC_INDICATOR_PREVIEW) break;
        json_t *x = json_copy(it);
        json_object_set_new(x, "attachment", json_sprintf("%lld", (long long)a->id));
        json_array_append_new(c->indicators, x);
    }
    json_decref(ind);
    return true;
}

/* Removes the sections p may not see from answers (and their changes); names them. */
/* Drops the changes at path prefix "/<sid>" (a section) or "/<sid>/<fid>" (a field). */
static void drop_changes(json_t *changes, const char *prefix)
{
    size_t len = strlen(prefix);
    for (size_t k = json_array_size(changes); k-- > 0;) {
        const char *path = json_string_value(json_object_get(json_array_get(changes, k), "path"));
        if (path && strncmp(path, prefix, len) == 0 && (path[len] == '/' || path[len] == 0))
            json_array_remove(changes, k);
    }
}

/* Fields marked identifying inside a section p may otherwise see. */
static void redact_fields(const struct pol_principal *p, const struct pol_report *pr,
                          const json_t *sec, json_t *answers, json_t *changes, json_t *withheld)
{
    const char *sid = json_string_value(json_object_get(sec, "id"));
    json_t *asec = json_object_get(answers, sid);
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(sec, "fields"), i, f)
    {
        if (!json_is_true(json_object_get(f, "identifying")) ||
            policy_report_part_visible(p, pr, POL_PART_IDENTITY))
            continue;
        const char *fid = json_string_value(json_object_get(f, "id"));
        char prefix[160];
        snprintf(prefix, sizeof prefix, "/%s/%s", sid, fid);
        json_object_del(asec, fid);
        drop_changes(changes, prefix);
        /* Named whether answered or not: naming only answered ones would tell that they are. */
        json_array_append_new(withheld, json_pack("{s:s, s:s, s:s}", "section", sid, "field", fid,
                                                  "reason", "identity"));
    }
    if (asec && json_object_size(asec) == 0) json_object_del(answers, sid);
}

static void redact(const struct pol_principal *p, const struct pol_report *pr, const json_t *form,
                   unsigned opt_out, json_t *answers, json_t *changes, json_t *withheld)
{
    size_t i;
    const json_t *sec;
    json_array_foreach(json_object_get(form, "sections"), i, sec)
    {
        const char *sid = json_string_value(json_object_get(sec, "id"));
        const char *why = NULL;
        if (json_is_true(json_object_get(sec, "identifying")) &&
            !policy_report_part_visible(p, pr, POL_PART_IDENTITY))
            why = "identity";
        else if ((opt_out & section_bit(form, sec)) &&
                 !policy_report_part_visible(p, pr, POL_PART_OPTED_OUT))
            why = "opt_out";
        if (!why) {
            redact_fields(p, pr, sec, answers, changes, withheld);
            continue;
        }
        json_object_del(answers, sid);
        json_array_append_new(withheld, json_pack("{s:s, s:s}", "section", sid, "reason", why));
        char prefix[80];
        snprintf(prefix, sizeof prefix, "/%s", sid);
        drop_changes(changes, prefix);
    }
}

/* The old values of a follow-up's changes come from the previous report, which may have had a
 * narrower TLP or opted out of more: p sees an old value only where it could have seen it in
 * that report. Otherwise the change keeps its op and path, without "old" (and a removal of
 * something p never saw is dropped). */
static bool redact_old(struct app *app, const struct pol_principal *p,
                       const struct incident_rec *inc, const struct report_rec *rep,
                       const json_t *form, json_t *changes)
{
    if (rep->number < 2 || !json_array_size(changes)) return false;
    struct report_rec prev;
    bool readable = false;
    unsigned hidden = 0; /* opt-out bits of the previous report p may not see */
    struct pol_report pr;
    if (app->store->ops->report_get(app->store, inc->id, rep->number - 1, &prev) == RK_OK) {
        inc_pol(inc, prev.tlp, &pr);
        readable = policy_report_may_read(p, &pr);
        if (!policy_report_part_visible(p, &pr, POL_PART_OPTED_OUT)) hidden = prev.opt_out;
        store_report_rec_free(&prev);
    }
    if (!readable) {
        /* Even without old values, which fields changed (and which did not) tells of a report
         * p may not read: show no changes at all. */
        json_array_clear(changes);
        return true;
    }
    for (size_t k = json_array_size(changes); k-- > 0;) {
        json_t *c = json_array_get(changes, k);
        const char *path = json_string_value(json_object_get(c, "path"));
        bool ok = true;
        if (hidden && path && path[0] == '/') {
            char sec[64];
            size_t n = strcspn(path + 1, "/");
            snprintf(sec, sizeof sec, "%.*s", (int)(n < sizeof sec ? n : sizeof sec - 1), path + 1);
            size_t i;
            const json_t *s;
            json_array_foreach(json_object_get(form, "sections"), i, s)
            {
                if (strcmp(json_string_value(json_object_get(s, "id")), sec) == 0 &&
                    (hidden & section_bit(form, s)))
                    ok = false;
            }
        }
        if (ok) continue;
        if (strcmp(json_string_value(json_object_get(c, "op")), "remove") == 0)
            json_array_remove(changes, k);
        else
            json_object_del(c, "old");
    }
    return false;
}

/* Keeps in arr only the ids that are keys of visible. */
static void keep_visible(json_t *arr, const json_t *visible)
{
    for (size_t k = json_array_size(arr); k-- > 0;) {
        const char *id = json_string_value(json_array_get(arr, k));
        if (!id || !json_object_get(visible, id)) json_array_remove(arr, k);
    }
}

/* Attachment fields name files by id: a file p may not see is not even named. */
static void hide_attachment_ids(const json_t *form, json_t *answers, json_t *changes,
                                const json_t *list)
{
    json_t *visible = json_object();
    size_t i, k;
    const json_t *a, *sec, *f;
    json_array_foreach((json_t *)list, i, a)
        json_object_set_new(visible, json_string_value(json_object_get(a, "id")), json_true());
    json_array_foreach(json_object_get(form, "sections"), i, sec)
    {
        const char *sid = json_string_value(json_object_get(sec, "id"));
        json_array_foreach(json_object_get(sec, "fields"), k, f)
        {
            if (strcmp(json_string_value(json_object_get(f, "type")), "attachment") != 0) continue;
            const char *fid = json_string_value(json_object_get(f, "id"));
            keep_visible(json_object_get(json_object_get(answers, sid), fid), visible);
            char path[160];
            snprintf(path, sizeof path, "/%s/%s", sid, fid);
            size_t j;
            json_t *c;
            json_array_foreach(changes, j, c)
            {
                if (strcmp(json_string_value(json_object_get(c, "path")), path) != 0) continue;
                keep_visible(json_object_get(c, "old"), visible);
                keep_visible(json_object_get(c, "new"), visible);
            }
        }
    }
    json_decref(visible);
}

json_t *inc_view_report(struct app *app, const struct pol_principal *p,
                        const struct incident_rec *inc, const struct report_rec *rep,
                        json_t **withheld_out, int *rc)
{
    struct pol_report pr;
    inc_pol(inc, rep->tlp, &pr);
    *rc = RK_OK;
    if (!policy_report_may_read(p, &pr)) {
        *rc = RK_ENOTFOUND;
        return NULL;
    }
    const json_t *form = forms_get(app->forms, rep->form);
    json_t *body = json_loads(rep->body, 0, NULL);
    json_t *changes = json_loads(rep->changes, 0, NULL);
    json_t *answers = json_object_get(body, "answers");
    json_t *withheld = json_array();
    char t[32];
    json_t *v = NULL;
    if (!form || !body || !changes || !withheld || !json_is_object(answers)) {
        *rc = form ? RK_ENOMEM : RK_EIO;
        goto out;
    }
    redact(p, &pr, form, rep->opt_out, answers, changes, withheld);
    bool changes_withheld = redact_old(app, p, inc, rep, form, changes);
    struct att_ctx ac = {p, &pr, rep->opt_out, form, json_array(), json_array(), 0};
    app->store->ops->attachment_list(app->store, inc->id, rep->id, att_cb, &ac);
    hide_attachment_ids(form, answers, changes, ac.list);
    v = json_pack("{s:I, s:s, s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:o, s:O, s:O, s:O, s:o, s:o}",
                  "incident_id", (json_int_t)inc->id, "identification_number", inc->ident, "number",
                  (json_int_t)rep->number, "kind", rep->kind, "form", rep->form, "form_version",
                  rep->form_version, "tlp", policy_tlp_name(rep->tlp), "severity", rep->severity,
                  "filed_at", http_time(rep->filed_ms, t, sizeof t), "source",
                  view_source(app, p, inc, &pr), "answers", answers, "changes", changes, "withheld",
                  withheld, "attachments", ac.list, "indicators", ac.indicators);
    if (!v) {
        *rc = RK_ENOMEM;
        goto out;
    }
    if (changes_withheld) json_object_set_new(v, "changes_withheld", json_true());
    json_object_set_new(v, "indicator_count", json_integer(ac.total));
    if (ac.total > (json_int_t)json_array_size(json_object_get(v, "indicators")))
        json_object_set_new(v, "indicators_truncated", json_true());
    const json_t *groups = json_object_get(body, "opt_out_groups");
    json_object_set_new(v, "opt_out_groups", groups ? json_copy((json_t *)groups) : json_array());
    for (const char *const *k = (const char *const[]){"event_class", "hosting", "aware_at",
                                                      "provider_notified_at", NULL};
         *k; k++)
        if (json_object_get(body, *k)) json_object_set(v, *k, json_object_get(body, *k));
    if (policy_report_part_visible(p, &pr, POL_PART_ROUTING))
        json_object_set_new(v, "routing", view_routing(app, p, rep->id));
    if (withheld_out) *withheld_out = json_incref(withheld);
out:
    json_decref(body);
    json_decref(changes);
    json_decref(withheld);
    return v;
}
