/*
 * report_rules.h — three rules of F1 incident reporting (domain.md §5.1, §5.2; seed 000).
 *
 *  1. Deadlines (§5.2). Awareness (認知) is the operator's own awareness time, except for SaaS
 *     and for PaaS at middleware/OS level, where it is the moment the cloud provider notified
 *     the operator. The detailed report (詳報) is due within 30 days of awareness: the Civil Code
 *     period (first day not counted, Art. 140) on the awareness day in Japan (JST), extended past
 *     administrative days off (deadline.h). The quick report (速報) is due "promptly": a
 *     configurable target in hours (default 24) that is flagged, never enforced.
 *  2. Reportability (§5.1). A specific intrusion event (特定侵害事象: ① malware made executable,
 *     ② unauthorised access, ③ business obstruction) and traces of ①–③ must be reported whatever
 *     the category of the registered computer hit; precursor events (①' malware received,
 *     ②' unauthorised-access traffic, ③' false information / illegitimate commands received)
 *     only when a category-E computer is affected. Anything else may be shared voluntarily.
 *  3. Field-level diff between two reports' normalised answers (data/forms/README.md), for the
 *     printed form to underline what changed since the previous report.
 *
 * Pure: no I/O, no globals except const tables. Times are Unix milliseconds (UTC); 0 means
 * "not given". Every failing function returns an RK_E* code (core/rk.h).
 */
#ifndef REPORT_RULES_H
#define REPORT_RULES_H

#include <stdint.h>

#include <jansson.h>

#include "domain/deadline.h"

/* ---- 1. Deadlines ---------------------------------------------------------------------- */

#define RR_DETAILED_DAYS 30                /* 詳報: within 30 days of awareness */
#define RR_QUICK_DEFAULT_HOURS 24          /* 速報: default target for "promptly" */
#define RR_QUICK_MAX_HOURS 720             /* a target above 30 days is a configuration error */
#define RR_MAX_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z: the latest time taken */

/* Where the affected system runs (seed 000 "報告期限"). */
enum rr_hosting {
    RR_HOST_ON_PREM = 0,   /* オンプレ */
    RR_HOST_IAAS,          /* IaaS: as on premises */
    RR_HOST_PAAS_APP,      /* PaaS, incident at application level: as on premises */
    RR_HOST_PAAS_PLATFORM, /* PaaS, incident at middleware or OS level: provider's notice */
    RR_HOST_SAAS,          /* SaaS: provider's notice */
};

/*
 * The awareness time that starts both report periods: provider_notice_ms for RR_HOST_SAAS and
 * RR_HOST_PAAS_PLATFORM, own_aware_ms for the others; the other time is ignored (may be 0).
 * RK_OK with *out set; RK_EINVAL when out is NULL, hosting is not an rr_hosting value, or the
 * needed time is missing (0), negative or past RR_MAX_MS (*out untouched).
 */
int rr_awareness(enum rr_hosting hosting, int64_t own_aware_ms, int64_t provider_notice_ms,
                 int64_t *out);

/*
 * The detailed report's deadline for awareness at awareness_ms: the awareness day is the
 * calendar day in Japan (UTC+9); the deadline is dl_deadline_days(that day, RR_DETAILED_DAYS,
 * holiday, ctx) — day + 30, moved to the next working day when that is a Saturday, Sunday,
 * 29 Dec – 3 Jan or a national holiday per `holiday` (NULL: no national holidays). *out_date
 * gets the date; *out_due_ms (when out_due_ms is not NULL) the end of that day in JST
 * (23:59:59.999+09:00). RK_OK; RK_EINVAL when out_date is NULL, awareness_ms is not in
 * 1..RR_MAX_MS, or the deadline falls past 9999-12-31 (outputs untouched).
 */
int rr_detailed_deadline(int64_t awareness_ms, dl_holiday_fn holiday, void *ctx,
                         struct dl_date *out_date, int64_t *out_due_ms);

/* The quick report's target: awareness_ms + target_hours hours. RK_OK; RK_EINVAL when out is
 * NULL, awareness_ms is not in 1..RR_MAX_MS or target_hours not in 1..RR_QUICK_MAX_HOURS. */
int rr_quick_target(int64_t awareness_ms, int target_hours, int64_t *out);

enum rr_quick_status {
    RR_QUICK_PENDING = 0, /* not submitted, target not yet passed */
    RR_QUICK_ON_TIME,     /* submitted at or before the target */
    RR_QUICK_LATE,        /* submitted after the target, or not submitted and now > target */
};

/*
 * Where the quick report stands. submitted_ms = 0: not yet submitted — RR_QUICK_LATE when
 * now_ms > target, else RR_QUICK_PENDING (now_ms is only read in this case). Submitted:
 * RR_QUICK_ON_TIME when submitted_ms ≤ target (also when before awareness), else RR_QUICK_LATE.
 * The target is included (submitted exactly at it is on time). RK_OK; RK_EINVAL as
 * rr_quick_target, or when out is NULL, or submitted_ms / now_ms is negative or past RR_MAX_MS.
 */
int rr_quick_status(int64_t awareness_ms, int target_hours, int64_t submitted_ms, int64_t now_ms,
                    enum rr_quick_status *out);

/* "pending", "on_time", "late"; "unknown" for any other value. */
const char *rr_quick_status_name(enum rr_quick_status s);

/* ---- 2. Reportability ------------------------------------------------------------------ */

enum rr_event_class {
    RR_EVENT_OCCURRED = 0, /* ①–③ happened (特定侵害事象) */
    RR_EVENT_TRACE,        /* traces of ①–③ recognised (痕跡) */
    RR_EVENT_PRECURSOR,    /* ①'–③' (特定不正行為に繋がる事象) */
};

enum rr_reportability {
    RR_REPORTABLE = 0, /* a report is required */
    RR_VOLUNTARY,      /* not required; may still be shared voluntarily */
};

enum rr_reason {
    RR_REASON_OCCURRED = 0,    /* reportable: a specific intrusion event, any category */
    RR_REASON_TRACE,           /* reportable: traces of ①–③, any category */
    RR_REASON_PRECURSOR_CAT_E, /* reportable: a precursor hitting a category-E computer */
    RR_REASON_PRECURSOR_NOT_E, /* voluntary: a precursor hitting only computers outside E */
    RR_REASON_NO_REGISTERED,   /* voluntary: no registered (specific critical) computer linked */
};

struct rr_verdict {
    enum rr_reportability result;
    enum rr_reason reason;
    const char *code; /* stable id of reason: "occurred", "trace", "precursor_category_e",
                         "precursor_not_category_e", "no_registered_computer" */
    const char *ja;   /* static text for the reporter, Japanese */
    const char *en;   /* static text for the reporter, English */
};

/*
 * Whether an event must be reported. categories is the union of the category masks of the
 * registered computers the event affects (A = bit 0 … F = bit 5, as asset.h); 0 means no
 * registered computer is linked, which is always RR_VOLUNTARY / RR_REASON_NO_REGISTERED.
 * Otherwise occurred and trace events are RR_REPORTABLE for any category; a precursor is
 * RR_REPORTABLE when bit E (0x10) is set, else RR_VOLUNTARY / RR_REASON_PRECURSOR_NOT_E.
 * RK_OK with *out filled (strings are static); RK_EINVAL when out is NULL, cls is not an
 * rr_event_class value or categories has bits beyond F (*out untouched).
 */
int rr_reportability(enum rr_event_class cls, unsigned categories, struct rr_verdict *out);

/* ---- 3. Diff of answers ---------------------------------------------------------------- */

#define RR_PATH_MAX 256 /* bytes of "/<section>/<field>" after RFC 6901 escaping, with NUL */

/*
 * Field-level changes from answers prev to answers next (each: object of section id → object
 * of field id → value; NULL or a JSON null is "no answers"). A field that is absent or null is
 * "not given"; so is every field of a section that is absent or null. Result: a new JSON array
 * of {"op": "add" | "remove" | "replace", "path": "/<section>/<field>" (RFC 6901 escaped),
 * "old": value (replace, remove), "new": value (add, replace)}; values are copies compared with
 * json_equal, arrays and objects (lists, rows) as whole values — one "replace" per field.
 * Order: first the adds and replaces walking next (sections in next's order, fields in their
 * section's order), then the removes walking prev (same, in prev's order). An empty array when
 * nothing changed.
 *
 * RK_OK with *out set (caller owns it, json_decref); RK_EINVAL when out is NULL, a root is not
 * an object (or null), a section is not an object (or null), or a path would not fit in
 * RR_PATH_MAX; RK_ENOMEM. On failure *out is NULL.
 */
int rr_answers_diff_into(const json_t *prev, const json_t *next, json_t **out);

/* rr_answers_diff_into returning the array, or NULL on any failure (caller owns the result). */
json_t *rr_answers_diff(const json_t *prev, const json_t *next);

#endif
