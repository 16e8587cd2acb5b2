/*
 * report_input.c — the report envelope (see report_input.h).
 */
#include "api/report_input.h"

#include <stdbool.h>
#include <string.h>

#include "core/rk.h"

static const char *const report_kinds[] = {"quick", "detailed", "follow_up", NULL};

int report_input_check(const struct forms *forms, const json_t *doc, json_t **out,
                       struct jv_errors *errs)
{
    errs->n = errs->dropped = 0;
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
        if (strcmp(key, "form") != 0 && strcmp(key, "kind") != 0 && strcmp(key, "answers") != 0) {
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
    bool kind_ok = false;
    for (const char *const *k = report_kinds; json_is_string(kind) && *k; k++)
        kind_ok |= strcmp(json_string_value(kind), *k) == 0;
    if (!kind)
        jv_error_add(errs, "/kind", "required", "quick, detailed or follow_up is required");
    else if (!kind_ok)
        jv_error_add(errs, "/kind", "enum", "must be one of: quick, detailed, follow_up");
    if (!answers)
        jv_error_add(errs, "/answers", "required", "the form's answers are required");
    else if (!json_is_object(answers))
        jv_error_add(errs, "/answers", "type", "must be an object");
    /* The answers are checked whenever the form is known, so that one round trip shows every
     * error. */
    if (!form || !json_is_object(answers)) return RK_EINVAL;
    bool envelope_bad = errs->n > 0;
    json_t *norm = NULL;
    int rc = rf_validate(form, &forms->refs, answers, "/answers", &norm, errs);
    if (rc == RK_OK && envelope_bad) {
        json_decref(norm);
        return RK_EINVAL;
    }
    if (rc != RK_OK) return rc;
    *out = json_pack("{s:O, s:O, s:o}", "form", form_name, "kind", kind, "answers", norm);
    return *out ? RK_OK : RK_ENOMEM;
}
