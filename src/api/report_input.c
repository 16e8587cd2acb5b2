/*
 * report_input.c — the report envelope (see report_input.h).
 */
#include "api/report_input.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/registry.h"
#include "core/rk.h"
#include "domain/policy.h"

static const char *const report_kinds[] = {"quick", "detailed", "follow_up", NULL};
static const char *const severities[] = {"alert", "warning", "reference", NULL};
static const char *const hostings[] = {"on_prem",       "iaas", "paas_app",
                                       "paas_platform", "saas", NULL};
static const char *const event_classes[] = {"occurred", "trace", "precursor", NULL};
static const char *const members[] = {"form",        "kind",         "answers",
                                      "tlp",         "severity",     "sectors",
                                      "aware_at",    "hosting",      "provider_notified_at",
                                      "event_class", "assets",       "opt_out_groups",
                                      "attachments", "on_behalf_of", "anonymised",
                                      NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0) return true;
    return false;
}

static bool in_json(const char *s, const json_t *arr)
{
    size_t i;
    const json_t *v;
    json_array_foreach((json_t *)arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
    }
    return false;
}

long long report_parse_time(const char *s)
{
    /* The forms allow minute precision ("2023-08-19T13:15+09:00"): add the seconds. */
    char buf[72];
    size_t len = strlen(s);
    if (len >= 17 && len < 60 && s[16] != ':') {
        snprintf(buf, sizeof buf, "%.16s:00%s", s, s + 16);
        s = buf;
    }
    if (!jv_check_format(JV_FMT_DATETIME, s, strlen(s))) return -1;
    return (long long)reg_parse_time(s);
}

size_t report_opt_out_groups(const json_t *form, const char **groups, size_t max)
{
    size_t n = 0, i, k;
    const json_t *sec, *f;
    json_array_foreach(json_object_get(form, "sections"), i, sec)
    {
        json_array_foreach(json_object_get(sec, "fields"), k, f)
        {
            const char *g = json_string_value(json_object_get(f, "opt_out_group"));
            bool seen = !g;
            for (size_t j = 0; !seen && j < n; j++)
                seen = strcmp(groups[j], g) == 0;
            if (!seen && n < max) groups[n++] = g;
        }
    }
    return n;
}

/* An optional enum string member; returns it, or NULL (absent or reported). */
static const char *opt_enum(const json_t *doc, const char *key, const char *const *allowed,
                            const char *what, struct jv_errors *errs)
{
    const json_t *v = json_object_get(doc, key);
    char ptr[JV_POINTER_MAX] = "";
    jv_pointer_append(ptr, sizeof ptr, key);
    if (!v) return NULL;
    if (!json_is_string(v) || !in_list(json_string_value(v), allowed)) {
        jv_error_add(errs, ptr, "enum", "must be one of: %s", what);
        return NULL;
    }
    return json_string_value(v);
}

static const char *answer_str(const json_t *answers, const char *sec, const char *field)
{
    return json_string_value(json_object_get(json_object_get(answers, sec), field));
}

/* A unique array of at most max items each accepted by item_ok. */
static void check_list(const json_t *doc, const char *key, size_t max,
                       bool (*item_ok)(const json_t *v, const void *ctx), const void *ctx,
                       const char *rule, const char *msg, struct jv_errors *errs)
{
    const json_t *arr = json_object_get(doc, key);
    char ptr[JV_POINTER_MAX] = "";
    jv_pointer_append(ptr, sizeof ptr, key);
    if (!arr) return;
    if (!json_is_array(arr)) {
        jv_error_add(errs, ptr, "type", "must be an array");
        return;
    }
    if (json_array_size(arr) > max) {
        jv_error_add(errs, ptr, "max_items", "must have at most %zu items", max);
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach((json_t *)arr, i, v)
    {
        char ip[JV_POINTER_MAX + 24];
        snprintf(ip, sizeof ip, "%s/%zu", ptr, i);
        if (!item_ok(v, ctx)) {
            jv_error_add(errs, ip, rule, "%s", msg);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (json_equal(v, json_array_get(arr, j))) {
                jv_error_add(errs, ip, "unique_items", "repeats an earlier item");
                break;
            }
    }
}

static bool sector_ok(const json_t *v, const void *ctx)
{
    return json_is_string(v) && in_json(json_string_value(v), ctx);
}

static bool positive_ok(const json_t *v, const void *ctx)
{
    (void)ctx;
    return json_is_integer(v) && json_integer_value(v) > 0;
}

static bool attachment_ok(const json_t *v, const void *ctx)
{
    (void)ctx;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 18 || s[0] == '0') return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static bool group_ok(const json_t *v, const void *ctx)
{
    const json_t *form = ctx;
    const char *groups[16];
    size_t n = report_opt_out_groups(form, groups, 16);
    for (size_t i = 0; json_is_string(v) && i < n; i++)
        if (strcmp(groups[i], json_string_value(v)) == 0) return true;
    return false;
}

static void check_time(const json_t *doc, const char *key, struct jv_errors *errs)
{
    const json_t *v = json_object_get(doc, key);
    char ptr[JV_POINTER_MAX] = "";
    jv_pointer_append(ptr, sizeof ptr, key);
    if (v && (!json_is_string(v) || report_parse_time(json_string_value(v)) < 0))
        jv_error_add(errs, ptr, "datetime",
                     "must be an RFC 3339 date-time with an offset, such as "
                     "2026-11-20T09:30+09:00");
}

/* Envelope members besides form/kind/answers; derived values go into out. */
static void check_scope(const struct forms *forms, const json_t *doc, const char *form_name,
                        const json_t *form, const json_t *answers, json_t *out,
                        struct jv_errors *errs)
{
    bool liaison = form_name && strcmp(form_name, "liaison") == 0;
    /* TLP: the liaison form carries it in its answers (sharing/tlp, required there). */
    const json_t *tlp = json_object_get(doc, "tlp");
    const char *atlp = liaison ? answer_str(answers, "sharing", "tlp") : NULL;
    enum pol_tlp t;
    if (tlp && (!json_is_string(tlp) || policy_tlp_parse(json_string_value(tlp), &t) != RK_OK))
        jv_error_add(errs, "/tlp", "enum",
                     "must be TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED");
    else if (tlp && atlp && strcmp(atlp, json_string_value(tlp)) != 0)
        jv_error_add(errs, "/tlp", "mismatch", "differs from the form's TLP (answers/sharing/tlp)");
    else if (!tlp && !atlp && !liaison)
        jv_error_add(errs, "/tlp", "required", "the report's TLP is required");
    const char *tv = tlp && json_is_string(tlp) ? json_string_value(tlp) : atlp;
    if (tv) json_object_set_new(out, "tlp", json_string(tv));

    const char *sev = opt_enum(doc, "severity", severities, "alert, warning, reference", errs);
    const char *asev = liaison ? answer_str(answers, "header", "severity") : NULL;
    if (sev && asev && strcmp(sev, asev) != 0)
        jv_error_add(errs, "/severity", "mismatch",
                     "differs from the form's severity (answers/header/severity)");
    else if (!sev && !asev && !json_object_get(doc, "severity"))
        jv_error_add(errs, "/severity", "required",
                     "severity (alert 警報, warning 注意喚起, reference 参考情報) is required");
    if (sev || asev) json_object_set_new(out, "severity", json_string(sev ? sev : asev));

    check_list(doc, "sectors", RI_MAX_SECTORS, sector_ok, forms->refs.sector_codes, "enum",
               "must be a sector code of GET /api/v1/reference", errs);
    const json_t *sectors = json_object_get(doc, "sectors");
    const char *asector = liaison ? answer_str(answers, "sector", "sector") : NULL;
    if (json_is_array(sectors) && json_array_size(sectors) == 0)
        jv_error_add(errs, "/sectors", "min_items", "must name at least one sector");
    else if (json_is_array(sectors) && asector && !in_json(asector, sectors))
        jv_error_add(errs, "/sectors", "mismatch", "must include the form's sector (%s)", asector);
    if (json_is_array(sectors))
        json_object_set(out, "sectors", (json_t *)sectors);
    else if (asector)
        json_object_set_new(out, "sectors", json_pack("[s]", asector));
}

static void check_event(const json_t *doc, const char *form_name, const json_t *form,
                        const json_t *answers, json_t *out, struct jv_errors *errs)
{
    check_time(doc, "aware_at", errs);
    check_time(doc, "provider_notified_at", errs);
    const char *host =
        opt_enum(doc, "hosting", hostings, "on_prem, iaas, paas_app, paas_platform, saas", errs);
    if (host && (strcmp(host, "saas") == 0 || strcmp(host, "paas_platform") == 0) &&
        !json_object_get(doc, "provider_notified_at"))
        jv_error_add(errs, "/provider_notified_at", "required",
                     "for SaaS and PaaS at middleware/OS level, awareness is the cloud "
                     "provider's notice: give its time");
    if (host) json_object_set_new(out, "hosting", json_string(host));
    for (const char *const *k = (const char *const[]){"aware_at", "provider_notified_at", NULL}; *k;
         k++)
        if (json_is_string(json_object_get(doc, *k)))
            json_object_set(out, *k, json_object_get(doc, *k));

    const char *cls =
        opt_enum(doc, "event_class", event_classes, "occurred, trace, precursor", errs);
    if (!cls) {
        const char *et = form_name && strcmp(form_name, "liaison") == 0
                             ? answer_str(answers, "event_type", "event_type")
                             : NULL;
        cls = et && strcmp(et, "precursor") == 0 ? "precursor" : "occurred";
    }
    json_object_set_new(out, "event_class", json_string(cls));

    check_list(doc, "assets", RI_MAX_ASSETS, positive_ok, NULL, "type",
               "must be the id of a registered computer (a positive integer)", errs);
    check_list(doc, "attachments", RI_MAX_ATTACHMENTS, attachment_ok, NULL, "format",
               "must be an attachment id (see POST /api/v1/attachments)", errs);
    for (const char *const *k = (const char *const[]){"assets", "attachments", NULL}; *k; k++)
        if (json_is_array(json_object_get(doc, *k)))
            json_object_set(out, *k, json_object_get(doc, *k));

    /* Opt-out (common forms): the structured groups need the form's own tick. */
    bool ticked = json_is_true(json_object_get(json_object_get(answers, "opt_out"), "opt_out"));
    const json_t *groups = json_object_get(doc, "opt_out_groups");
    const char *names[16];
    size_t ng = form ? report_opt_out_groups(form, names, 16) : 0;
    if (groups && ng == 0 && form) {
        jv_error_add(errs, "/opt_out_groups", "not_allowed", "this form has no opt-out of sharing");
    } else if (groups) {
        check_list(doc, "opt_out_groups", 16, group_ok, form, "enum",
                   "must be an opt-out group of the form (its numbered sections 1–6)", errs);
        if (!ticked && json_array_size(groups))
            jv_error_add(errs, "/opt_out_groups", "opt_out",
                         "needs answers/opt_out/opt_out = true (the form's own tick)");
        else if (ticked && json_is_array(groups) && !json_array_size(groups))
            /* The tick with an empty list is a contradiction, not "share everything". */
            jv_error_add(errs, "/opt_out_groups", "min_items",
                         "name the groups opted out, or leave the member out to opt out of all");
        if (json_is_array(groups)) json_object_set(out, "opt_out_groups", (json_t *)groups);
    } else if (ticked) {
        json_t *all = json_array();
        for (size_t i = 0; i < ng; i++)
            json_array_append_new(all, json_string(names[i]));
        json_object_set_new(out, "opt_out_groups", all);
    }

    const json_t *behalf = json_object_get(doc, "on_behalf_of"),
                 *anon = json_object_get(doc, "anonymised");
    if (behalf && !positive_ok(behalf, NULL))
        jv_error_add(errs, "/on_behalf_of", "type", "must be an organisation id");
    if (anon && !json_is_boolean(anon))
        jv_error_add(errs, "/anonymised", "type", "must be a boolean");
    else if (anon && !behalf)
        jv_error_add(errs, "/anonymised", "not_allowed",
                     "only a CEPTOAR relaying a report (on_behalf_of) anonymises it");
    if (behalf) json_object_set(out, "on_behalf_of", (json_t *)behalf);
    if (behalf) json_object_set_new(out, "anonymised", json_boolean(json_is_true(anon)));
}

int report_input_check(const struct forms *forms, const json_t *doc, json_t **out,
                       struct jv_errors *errs)
{
    errs->n = errs->dropped = 0;
    *out = NULL;
    /* The schema table cannot say "any members" for answers, so check the envelope by hand
     * with the same rule names. */
    if (!json_is_object(doc)) {
        jv_error_add(errs, "", "type", "a report must be a JSON object");
        return RK_EINVAL;
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)doc, key, v)
    {
        if (!in_list(key, members)) {
            char ptr[JV_POINTER_MAX] = "";
            jv_pointer_append(ptr, sizeof ptr, key);
            jv_error_add(errs, ptr, "unknown_field", "not a member of a report");
        }
    }
    const json_t *form_name = json_object_get(doc, "form"), *kind = json_object_get(doc, "kind"),
                 *answers = json_object_get(doc, "answers");
    const json_t *form = NULL;
    if (!form_name)
        jv_error_add(errs, "/form", "required", "the form's name is required");
    else if (!json_is_string(form_name))
        jv_error_add(errs, "/form", "type", "must be a string");
    else if (!(form = forms_get(forms, json_string_value(form_name))))
        jv_error_add(errs, "/form", "enum", "no such form (see GET /api/v1/forms)");
    if (!kind)
        jv_error_add(errs, "/kind", "required", "quick, detailed or follow_up is required");
    else if (!json_is_string(kind) || !in_list(json_string_value(kind), report_kinds))
        jv_error_add(errs, "/kind", "enum", "must be one of: quick, detailed, follow_up");
    if (!answers)
        jv_error_add(errs, "/answers", "required", "the form's answers are required");
    else if (!json_is_object(answers))
        jv_error_add(errs, "/answers", "type", "must be an object");
    /* The answers are checked whenever the form is known, so that one round trip shows every
     * error. */
    json_t *norm = NULL;
    int rc = RK_OK;
    if (form && json_is_object(answers))
        rc = rf_validate(form, &forms->refs, answers, "/answers", &norm, errs);
    if (rc != RK_OK && rc != RK_EINVAL) return rc;
    json_t *o = json_object();
    if (!o) {
        json_decref(norm);
        return RK_ENOMEM;
    }
    const char *fname = json_string_value(form_name);
    const json_t *ans = norm ? norm : (json_is_object(answers) ? answers : NULL);
    check_scope(forms, doc, form ? fname : NULL, form, ans, o, errs);
    check_event(doc, form ? fname : NULL, form, ans, o, errs);
    if (errs->n || errs->dropped || !norm) {
        json_decref(norm);
        json_decref(o);
        return RK_EINVAL;
    }
    json_object_set(o, "form", (json_t *)form_name);
    json_object_set(o, "kind", (json_t *)kind);
    json_object_set_new(o, "answers", norm);
    *out = o;
    return RK_OK;
}
