/*
 * filing_rules.c — data/filing_rules.json into struct asset_rules.
 */
#include "core/filing_rules.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/report_rules.h"

static int get_months(const json_t *doc, const char *key, int max, int *out, char *err,
                      size_t errlen)
{
    const json_t *v = json_object_get(doc, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
        snprintf(err, errlen, "filing_rules.json: /%s: an integer 0..%d is required", key, max);
        return RK_EINVAL;
    }
    *out = (int)json_integer_value(v);
    return RK_OK;
}

int filing_rules_load(const char *dir, const char *enforcement_override, struct asset_rules *out,
                      char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/filing_rules.json", dir);
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return RK_EIO;
    }
    int rc;
    struct asset_rules r = {0};
    if ((rc = get_months(doc, "months_new", DL_MAX_MONTHS, &r.months_new, err, errlen)) ||
        (rc = get_months(doc, "months_in_place", DL_MAX_MONTHS, &r.months_in_place, err, errlen)) ||
        (rc = get_months(doc, "months_change", DL_MAX_MONTHS, &r.months_change, err, errlen)) ||
        (rc = get_months(doc, "due_window_days", 366, &r.due_window_days, err, errlen)) ||
        (rc = get_months(doc, "quick_report_hours", RR_QUICK_MAX_HOURS, &r.quick_report_hours, err,
                         errlen)))
        goto out;
    const json_t *ed = json_object_get(doc, "enforcement_date");
    const char *date = enforcement_override && *enforcement_override ? enforcement_override
                                                                     : json_string_value(ed);
    if (!date && !json_is_null(ed)) {
        snprintf(err, errlen, "filing_rules.json: /enforcement_date: a date or null is required");
        rc = RK_EINVAL;
        goto out;
    }
    if (date) {
        if (dl_parse(date, &r.enforcement) != RK_OK) {
            snprintf(err, errlen, "enforcement date \"%.40s\" is not a valid YYYY-MM-DD date",
                     date);
            rc = RK_EINVAL;
            goto out;
        }
        r.have_enforcement = true;
    }
    *out = r;
    rc = RK_OK;
out:
    json_decref(doc);
    return rc;
}
