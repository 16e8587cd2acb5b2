/*
 * h_forms.c — /api/v1/forms: the incident report forms as data (data/forms, contract in
 * data/forms/README.md), served with their reference lists resolved so a client can lay out a
 * form, validate as it goes and show the ransomware first-response advice before the reporter
 * starts.
 */
#include <string.h>

#include "api/api.h"

void h_forms_list(struct req *r)
{
    json_t *items = json_deep_copy(r->app->forms->summaries);
    if (!items) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_forms_get(struct req *r)
{
    /* The router checked the last segment is a machine name ({name}). */
    const char *name = strrchr(r->url, '/');
    const json_t *form = name ? forms_get(r->app->forms, name + 1) : NULL;
    /* The advisory form (情報提供様式) is not a report form, but clients build it the same way. */
    if (!form && name && strcmp(name + 1, "advisory") == 0) form = forms_advisory(r->app->forms);
    if (!form) {
        http_problem(r, 404, "not-found", "Not found", "No such form.", NULL);
        return;
    }
    json_t *out = forms_resolved(r->app->forms, r->app->rd, form);
    if (!out) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    http_reply_json(r, 200, out);
}
