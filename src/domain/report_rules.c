/*
 * report_rules.c — incident-report deadlines, reportability and answer diffs (contract in
 * report_rules.h).
 */
#include "domain/report_rules.h"

#include <string.h>

#include "core/rk.h"
#include "domain/asset.h"
#include "domain/jv.h"

#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY INT64_C(86400000)
#define JST_OFFSET_MS (9 * MS_PER_HOUR)
#define CAT_E (1u << 4)

/* ---- 1. Deadlines ---------------------------------------------------------------------- */

static int time_given(int64_t ms)
{
    return ms > 0 && ms <= RR_MAX_MS;
}

int rr_awareness(enum rr_hosting hosting, int64_t own_aware_ms, int64_t provider_notice_ms,
                 int64_t *out)
{
    if (!out) return RK_EINVAL;
    int64_t t;
    switch (hosting) {
    case RR_HOST_ON_PREM:
    case RR_HOST_IAAS:
    case RR_HOST_PAAS_APP:
        t = own_aware_ms;
        break;
    case RR_HOST_PAAS_PLATFORM:
    case RR_HOST_SAAS:
        t = provider_notice_ms;
        break;
    default:
        return RK_EINVAL;
    }
    if (!time_given(t)) return RK_EINVAL;
    *out = t;
    return RK_OK;
}

int rr_detailed_deadline(int64_t awareness_ms, dl_holiday_fn holiday, void *ctx,
                         struct dl_date *out_date, int64_t *out_due_ms)
{
    if (!out_date || !time_given(awareness_ms)) return RK_EINVAL;
    /* Awareness day in Japan; awareness_ms > 0, so the division is a floor. */
    int64_t day = (awareness_ms + JST_OFFSET_MS) / MS_PER_DAY;
    struct dl_date aware;
    int rc = dl_from_days((int32_t)day, &aware);
    if (rc != RK_OK) return rc;
    struct dl_date due;
    rc = dl_deadline_days(&aware, RR_DETAILED_DAYS, holiday, ctx, &due);
    if (rc != RK_OK) return rc;
    *out_date = due;
    if (out_due_ms) *out_due_ms = dl_end_of_day_jst_ms(&due);
    return RK_OK;
}

int rr_quick_target(int64_t awareness_ms, int target_hours, int64_t *out)
{
    if (!out || !time_given(awareness_ms) || target_hours < 1 || target_hours > RR_QUICK_MAX_HOURS)
        return RK_EINVAL;
    *out = awareness_ms + (int64_t)target_hours * MS_PER_HOUR;
    return RK_OK;
}

int rr_quick_status(int64_t awareness_ms, int target_hours, int64_t submitted_ms, int64_t now_ms,
                    enum rr_quick_status *out)
{
    if (!out || submitted_ms < 0 || submitted_ms > RR_MAX_MS) return RK_EINVAL;
    if (submitted_ms == 0 && (now_ms < 0 || now_ms > RR_MAX_MS)) return RK_EINVAL;
    int64_t target;
    int rc = rr_quick_target(awareness_ms, target_hours, &target);
    if (rc != RK_OK) return rc;
    if (submitted_ms != 0)
        *out = submitted_ms <= target ? RR_QUICK_ON_TIME : RR_QUICK_LATE;
    else
        *out = now_ms > target ? RR_QUICK_LATE : RR_QUICK_PENDING;
    return RK_OK;
}

const char *rr_quick_status_name(enum rr_quick_status s)
{
    switch (s) {
    case RR_QUICK_PENDING:
        return "pending";
    case RR_QUICK_ON_TIME:
        return "on_time";
    case RR_QUICK_LATE:
        return "late";
    }
    return "unknown";
}

/* ---- 2. Reportability ------------------------------------------------------------------ */

struct reason_text {
    enum rr_reportability result;
    const char *code, *ja, *en;
};

/* Indexed by enum rr_reason. */
static const struct reason_text reasons[] = {
    [RR_REASON_OCCURRED] = {RR_REPORTABLE, "occurred",
                            "特定侵害事象(①マルウェアの実行可能化、②不正アクセス、③業務妨害)が"
                            "発生したため、報告が必要です。",
                            "A specific intrusion event occurred (malware made executable, "
                            "unauthorised access or business obstruction): a report is required."},
    [RR_REASON_TRACE] = {RR_REPORTABLE, "trace",
                         "①～③に係る事象の痕跡を認知したため、特定重要電子計算機の類型を問わず"
                         "報告が必要です。",
                         "Traces of an intrusion event were recognised: a report is required "
                         "whatever the category of the computer."},
    [RR_REASON_PRECURSOR_CAT_E] = {RR_REPORTABLE, "precursor_category_e",
                                   "類型E(特定重要設備等)の機器で特定不正行為に繋がる事象を"
                                   "認知したため、報告が必要です。",
                                   "A precursor event hit a category-E computer (the specific "
                                   "critical facility or its segment): a report is required."},
    [RR_REASON_PRECURSOR_NOT_E] = {RR_VOLUNTARY, "precursor_not_category_e",
                                   "特定不正行為に繋がる事象の報告義務は類型Eの機器に限られるため、"
                                   "報告は任意です(自主的な情報共有は可能です)。",
                                   "Precursor events must be reported only for category-E "
                                   "computers: reporting is voluntary (you may still share)."},
    [RR_REASON_NO_REGISTERED] = {RR_VOLUNTARY, "no_registered_computer",
                                 "届出済みの特定重要電子計算機が関係していないため、報告は任意です"
                                 "(自主的な情報共有は可能です)。",
                                 "No registered specific critical computer is affected: reporting "
                                 "is voluntary (you may still share)."},
};

int rr_reportability(enum rr_event_class cls, unsigned categories, struct rr_verdict *out)
{
    if (!out || (categories & ~ASSET_CAT_ALL) != 0) return RK_EINVAL;
    enum rr_reason reason;
    switch (cls) {
    case RR_EVENT_OCCURRED:
        reason = RR_REASON_OCCURRED;
        break;
    case RR_EVENT_TRACE:
        reason = RR_REASON_TRACE;
        break;
    case RR_EVENT_PRECURSOR:
        reason = (categories & CAT_E) ? RR_REASON_PRECURSOR_CAT_E : RR_REASON_PRECURSOR_NOT_E;
        break;
    default:
        return RK_EINVAL;
    }
    if (categories == 0) reason = RR_REASON_NO_REGISTERED;
    const struct reason_text *t = &reasons[reason];
    out->result = t->result;
    out->reason = reason;
    out->code = t->code;
    out->ja = t->ja;
    out->en = t->en;
    return RK_OK;
}

/* ---- 3. Diff of answers ---------------------------------------------------------------- */

/* Bytes key takes as an RFC 6901 reference token, with its leading '/'. */
static size_t token_len(const char *key)
{
    size_t n = 1;
    for (const char *p = key; *p; p++)
        n += (*p == '~' || *p == '/') ? 2 : 1;
    return n;
}

static int make_path(char *buf, const char *section, const char *field)
{
    if (token_len(section) + token_len(field) >= RR_PATH_MAX) return RK_EINVAL;
    buf[0] = '\0';
    jv_pointer_append(buf, RR_PATH_MAX, section);
    jv_pointer_append(buf, RR_PATH_MAX, field);
    return RK_OK;
}

/* A root or section: an object, or "nothing" (NULL / JSON null, returned as NULL). */
static int as_object(const json_t *v, const json_t **out)
{
    if (!v || json_is_null(v)) {
        *out = NULL;
        return RK_OK;
    }
    if (!json_is_object(v)) return RK_EINVAL;
    *out = v;
    return RK_OK;
}

/* The value given for section/field, or NULL when not given (absent or null anywhere). */
static const json_t *given(const json_t *root, const char *section, const char *field)
{
    if (!root) return NULL;
    const json_t *sec = json_object_get(root, section);
    if (!json_is_object(sec)) return NULL;
    const json_t *v = json_object_get(sec, field);
    return json_is_null(v) ? NULL : v;
}

static int push_op(json_t *ops, const char *op, const char *path, const json_t *old_value,
                   const json_t *new_value)
{
    json_t *o = json_object();
    if (!o) return RK_ENOMEM;
    if (json_array_append_new(ops, o) != 0) return RK_ENOMEM; /* o freed by jansson */
    if (json_object_set_new(o, "op", json_string(op)) != 0 ||
        json_object_set_new(o, "path", json_string(path)) != 0)
        return RK_ENOMEM;
    if (old_value && json_object_set_new(o, "old", json_deep_copy(old_value)) != 0)
        return RK_ENOMEM;
    if (new_value && json_object_set_new(o, "new", json_deep_copy(new_value)) != 0)
        return RK_ENOMEM;
    return RK_OK;
}

/* Checks that every section of root is an object or null. */
static int check_sections(const json_t *root)
{
    if (!root) return RK_OK;
    const char *sid;
    json_t *sec;
    json_object_foreach((json_t *)root, sid, sec)
    {
        const json_t *o;
        if (as_object(sec, &o) != RK_OK) return RK_EINVAL;
    }
    return RK_OK;
}

/* adds_and_replaces = 1: walk b and list fields new in b or changed from a;
 * adds_and_replaces = 0: walk b (= prev) and list fields of b not given in a (= next). */
static int walk(json_t *ops, const json_t *a, const json_t *b, int adds_and_replaces)
{
    if (!b) return RK_OK;
    const char *sid;
    json_t *sec;
    json_object_foreach((json_t *)b, sid, sec)
    {
        if (!json_is_object(sec)) continue; /* null: nothing given */
        const char *fid;
        json_t *v;
        json_object_foreach(sec, fid, v)
        {
            if (json_is_null(v)) continue;
            const json_t *other = given(a, sid, fid);
            const char *op;
            const json_t *old_value, *new_value;
            if (adds_and_replaces) {
                if (other && json_equal(other, v)) continue;
                op = other ? "replace" : "add";
                old_value = other;
                new_value = v;
            } else {
                if (other) continue;
                op = "remove";
                old_value = v;
                new_value = NULL;
            }
            char path[RR_PATH_MAX];
            int rc = make_path(path, sid, fid);
            if (rc == RK_OK) rc = push_op(ops, op, path, old_value, new_value);
            if (rc != RK_OK) return rc;
        }
    }
    return RK_OK;
}

int rr_answers_diff_into(const json_t *prev, const json_t *next, json_t **out)
{
    if (!out) return RK_EINVAL;
    *out = NULL;
    const json_t *p, *n;
    if (as_object(prev, &p) != RK_OK || as_object(next, &n) != RK_OK) return RK_EINVAL;
    if (check_sections(p) != RK_OK || check_sections(n) != RK_OK) return RK_EINVAL;
    json_t *ops = json_array();
    if (!ops) return RK_ENOMEM;
    int rc = walk(ops, p, n, 1);
    if (rc == RK_OK) rc = walk(ops, n, p, 0);
    if (rc != RK_OK) {
        json_decref(ops);
        return rc;
    }
    *out = ops;
    return RK_OK;
}

json_t *rr_answers_diff(const json_t *prev, const json_t *next)
{
    json_t *out = NULL;
    return rr_answers_diff_into(prev, next, &out) == RK_OK ? out : NULL;
}
