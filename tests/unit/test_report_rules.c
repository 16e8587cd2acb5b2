/*
 * test_report_rules.c — incident-report rules: awareness per hosting model, the 30-day detailed
 * report deadline, the quick-report target, reportability per event class × category, and the
 * field-level diff of answers.
 *
 * Deadline vectors use a fixed holiday list (a subset of the real national holidays of 2024,
 * below) and were worked out by hand: awareness day E in JST, period end E + 30 (the first day
 * is not counted), then forward over Saturdays, Sundays, 29 Dec – 3 Jan and the listed holidays.
 * Weekdays were checked against a calendar. Expected instants are built with an independent
 * civil-date → days routine (Howard Hinnant's days_from_civil), not with deadline.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/rk.h"
#include "domain/deadline.h"
#include "domain/report_rules.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Unix ms of y-m-d hh:mm:ss.ms in JST (UTC+9). */
static int64_t jst(int y, int mo, int d, int hh, int mi, int ss, int ms)
{
    return days_from_civil(y, mo, d) * 86400000 + (int64_t)hh * 3600000 + (int64_t)mi * 60000 +
           (int64_t)ss * 1000 + ms - INT64_C(9) * 3600000;
}

struct hol {
    int y, m, d;
};

/* National holidays of 2024 used by the vectors (Cabinet Office list). */
static const struct hol HOLIDAYS[] = {
    {2024, 1, 1},  {2024, 2, 11},  {2024, 2, 12}, {2024, 2, 23}, {2024, 3, 20},
    {2024, 4, 29}, {2024, 5, 3},   {2024, 5, 4},  {2024, 5, 5},  {2024, 5, 6},
    {2024, 7, 15}, {2024, 8, 11},  {2024, 8, 12}, {2024, 9, 16}, {2024, 9, 22},
    {2024, 9, 23}, {2024, 10, 14}, {2024, 11, 3}, {2024, 11, 4}, {2024, 11, 23},
};

struct hol_ctx {
    const struct hol *list;
    size_t n;
    int calls;
};

static bool holiday(void *ctx, int y, int m, int d)
{
    struct hol_ctx *h = ctx;
    h->calls++;
    for (size_t i = 0; i < h->n; i++)
        if (h->list[i].y == y && h->list[i].m == m && h->list[i].d == d) return true;
    return false;
}

static void assert_date(const struct dl_date *got, int y, int m, int d)
{
    if (got->y != y || got->m != m || got->d != d)
        fail_msg("got %04d-%02d-%02d, want %04d-%02d-%02d", got->y, got->m, got->d, y, m, d);
}

/* ---- 1. awareness ------------------------------------------------------------------------- */

static void awareness_per_hosting(void **state)
{
    const int64_t own = jst(2024, 7, 12, 9, 30, 0, 0);
    const int64_t notice = jst(2024, 7, 14, 18, 0, 0, 0);
    int64_t out = 0;

    /* On premises, IaaS and PaaS at application level: the operator's own awareness. */
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, own, notice, &out), RK_OK);
    assert_true(out == own);
    assert_int_equal(rr_awareness(RR_HOST_IAAS, own, notice, &out), RK_OK);
    assert_true(out == own);
    assert_int_equal(rr_awareness(RR_HOST_PAAS_APP, own, notice, &out), RK_OK);
    assert_true(out == own);
    /* SaaS and PaaS at middleware/OS level: the provider's notice. */
    assert_int_equal(rr_awareness(RR_HOST_PAAS_PLATFORM, own, notice, &out), RK_OK);
    assert_true(out == notice);
    assert_int_equal(rr_awareness(RR_HOST_SAAS, own, notice, &out), RK_OK);
    assert_true(out == notice);

    /* The unused time may be missing. */
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, own, 0, &out), RK_OK);
    assert_true(out == own);
    assert_int_equal(rr_awareness(RR_HOST_SAAS, 0, notice, &out), RK_OK);
    assert_true(out == notice);
}

static void awareness_missing_or_bad(void **state)
{
    const int64_t t = jst(2024, 7, 12, 9, 30, 0, 0);
    int64_t out = 42;

    /* The needed time is missing: the other one does not stand in for it. */
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, 0, t, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_IAAS, 0, t, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_PAAS_APP, 0, t, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_PAAS_PLATFORM, t, 0, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_SAAS, t, 0, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_SAAS, 0, 0, &out), RK_EINVAL);
    /* Negative, past 9999, unknown hosting, no output. */
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, -1, 0, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, RR_MAX_MS + 1, 0, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, RR_MAX_MS, 0, &out), RK_OK);
    out = 42;
    assert_int_equal(rr_awareness((enum rr_hosting)5, t, t, &out), RK_EINVAL);
    assert_int_equal(rr_awareness(RR_HOST_ON_PREM, t, t, NULL), RK_EINVAL);
    assert_true(out == 42); /* untouched on failure */
}

/* ---- 1. detailed report deadline ---------------------------------------------------------- */

struct dvec {
    int ay, am, ad, ah, amin; /* awareness, JST */
    int y, m, d;              /* deadline */
    int use_holidays;
    const char *why;
};

static const struct dvec DVECS[] = {
    {2024, 6, 3, 10, 0, 2024, 7, 3, 1, "Mon 06-03 + 30 = Wed 07-03 (June has 30 days): working"},
    {2024, 7, 12, 17, 45, 2024, 8, 13, 1,
     "aware Fri 07-12 before the Marine Day weekend (13–15): + 30 = Sun 08-11 (Mountain Day), "
     "Mon 08-12 substitute holiday → Tue 08-13"},
    {2024, 7, 12, 17, 45, 2024, 8, 12, 0, "same without national holidays: Sun 08-11 → Mon 08-12"},
    {2024, 11, 29, 12, 0, 2025, 1, 6, 1,
     "Fri 11-29 + 30 = Sun 12-29; 12-29 … 01-03 year-end days, Sat 01-04, Sun 01-05 → "
     "Mon 2025-01-06"},
    {2024, 11, 29, 12, 0, 2025, 1, 6, 0, "year-end days need no holiday callback"},
    {2024, 12, 1, 12, 0, 2025, 1, 6, 1,
     "Sun 12-01 + 30 = Tue 12-31, a year-end day; through 01-03, Sat 01-04, Sun 01-05 → "
     "Mon 2025-01-06"},
    {2024, 1, 30, 8, 0, 2024, 2, 29, 1, "leap year: 01-30 + 30 = Thu 02-29 (01-31 then 29 days)"},
    {2023, 1, 30, 8, 0, 2023, 3, 1, 1, "not a leap year: 01-30 + 30 = Wed 03-01"},
    {2024, 2, 29, 8, 0, 2024, 4, 1, 1,
     "aware on the leap day: + 30 = Sat 03-30, Sun 03-31 → Mon 04-01"},
    {2024, 4, 3, 9, 0, 2024, 5, 7, 1,
     "Golden Week: 04-03 + 30 = Fri 05-03 (Constitution Day), 05-04 Sat, 05-05 Sun, "
     "05-06 substitute → Tue 05-07"},
    {2024, 4, 3, 9, 0, 2024, 5, 3, 0, "without national holidays Fri 05-03 is a working day"},
};

static void detailed_deadline_vectors(void **state)
{
    for (size_t i = 0; i < sizeof DVECS / sizeof DVECS[0]; i++) {
        const struct dvec *v = &DVECS[i];
        struct hol_ctx ctx = {HOLIDAYS, sizeof HOLIDAYS / sizeof HOLIDAYS[0], 0};
        struct dl_date got = {0};
        int64_t due = 0;
        int rc = rr_detailed_deadline(jst(v->ay, v->am, v->ad, v->ah, v->amin, 0, 0),
                                      v->use_holidays ? holiday : NULL, &ctx, &got, &due);
        if (rc != RK_OK) fail_msg("vector %zu (%s): rc %d", i, v->why, rc);
        if (got.y != v->y || got.m != v->m || got.d != v->d)
            fail_msg("vector %zu (%s): got %04d-%02d-%02d", i, v->why, got.y, got.m, got.d);
        /* Due at the end of that day in Japan. */
        assert_true(due == jst(v->y, v->m, v->d, 23, 59, 59, 999));
    }
}

static void detailed_deadline_uses_callback(void **state)
{
    struct hol_ctx ctx = {HOLIDAYS, sizeof HOLIDAYS / sizeof HOLIDAYS[0], 0};
    struct dl_date got = {0};
    assert_int_equal(rr_detailed_deadline(jst(2024, 4, 3, 9, 0, 0, 0), holiday, &ctx, &got, NULL),
                     RK_OK);
    assert_true(ctx.calls > 0);
    assert_date(&got, 2024, 5, 7);
}

static void detailed_deadline_jst_day(void **state)
{
    struct dl_date got = {0};
    /* 2024-06-02 23:59:59.999 JST is still 06-02: + 30 = Tue 07-02. */
    assert_int_equal(rr_detailed_deadline(jst(2024, 6, 2, 23, 59, 59, 999), NULL, NULL, &got, NULL),
                     RK_OK);
    assert_date(&got, 2024, 7, 2);
    /* One millisecond later it is 06-03 in Japan (06-02 15:00 UTC): + 30 = Wed 07-03. */
    assert_int_equal(rr_detailed_deadline(jst(2024, 6, 3, 0, 0, 0, 0), NULL, NULL, &got, NULL),
                     RK_OK);
    assert_date(&got, 2024, 7, 3);
    /* 00:30 JST on Fri 07-12 is 15:30 UTC on Thu 07-11: the Japanese day counts (→ 08-12). */
    assert_int_equal(rr_detailed_deadline(jst(2024, 7, 12, 0, 30, 0, 0), NULL, NULL, &got, NULL),
                     RK_OK);
    assert_date(&got, 2024, 8, 12);
}

static void detailed_deadline_errors(void **state)
{
    struct dl_date got = {1, 2, 3};
    int64_t due = 7;
    assert_int_equal(rr_detailed_deadline(0, NULL, NULL, &got, &due), RK_EINVAL);
    assert_int_equal(rr_detailed_deadline(-5, NULL, NULL, &got, &due), RK_EINVAL);
    assert_int_equal(rr_detailed_deadline(RR_MAX_MS + 1, NULL, NULL, &got, &due), RK_EINVAL);
    assert_int_equal(rr_detailed_deadline(jst(2024, 6, 3, 10, 0, 0, 0), NULL, NULL, NULL, &due),
                     RK_EINVAL);
    /* 9999-12-15 + 30 is past 9999-12-31. */
    assert_int_equal(rr_detailed_deadline(jst(9999, 12, 15, 10, 0, 0, 0), NULL, NULL, &got, &due),
                     RK_EINVAL);
    assert_true(got.y == 1 && got.m == 2 && got.d == 3 && due == 7);
    /* 9999-12-01 (Wed) + 30 = Fri 9999-12-31, a year-end day off, and no next day exists. */
    assert_int_equal(rr_detailed_deadline(jst(9999, 12, 1, 10, 0, 0, 0), NULL, NULL, &got, &due),
                     RK_EINVAL);
    /* 9999-11-01 + 30 = Wed 9999-12-01: fine. */
    assert_int_equal(rr_detailed_deadline(jst(9999, 11, 1, 10, 0, 0, 0), NULL, NULL, &got, &due),
                     RK_OK);
    assert_date(&got, 9999, 12, 1);
}

/* ---- 1. quick report ---------------------------------------------------------------------- */

static void quick_target(void **state)
{
    const int64_t a = jst(2024, 7, 12, 17, 45, 0, 0);
    int64_t t = 0;
    assert_int_equal(rr_quick_target(a, RR_QUICK_DEFAULT_HOURS, &t), RK_OK);
    assert_true(t == jst(2024, 7, 13, 17, 45, 0, 0));
    assert_int_equal(rr_quick_target(a, 1, &t), RK_OK);
    assert_true(t == jst(2024, 7, 12, 18, 45, 0, 0));
    assert_int_equal(rr_quick_target(a, RR_QUICK_MAX_HOURS, &t), RK_OK);
    assert_true(t == jst(2024, 8, 11, 17, 45, 0, 0)); /* 720 h = 30 days */

    t = 99;
    assert_int_equal(rr_quick_target(a, 0, &t), RK_EINVAL);
    assert_int_equal(rr_quick_target(a, -1, &t), RK_EINVAL);
    assert_int_equal(rr_quick_target(a, RR_QUICK_MAX_HOURS + 1, &t), RK_EINVAL);
    assert_int_equal(rr_quick_target(0, 24, &t), RK_EINVAL);
    assert_int_equal(rr_quick_target(-1, 24, &t), RK_EINVAL);
    assert_int_equal(rr_quick_target(RR_MAX_MS + 1, 24, &t), RK_EINVAL);
    assert_int_equal(rr_quick_target(a, 24, NULL), RK_EINVAL);
    assert_true(t == 99);
    /* The latest awareness with the largest target does not overflow. */
    assert_int_equal(rr_quick_target(RR_MAX_MS, RR_QUICK_MAX_HOURS, &t), RK_OK);
    assert_true(t == RR_MAX_MS + INT64_C(720) * 3600000);
}

static void quick_status(void **state)
{
    const int64_t a = jst(2024, 7, 12, 17, 45, 0, 0);
    const int64_t target = a + INT64_C(24) * 3600000;
    enum rr_quick_status s = RR_QUICK_LATE;

    /* Not submitted: pending up to and including the target, late after it. */
    assert_int_equal(rr_quick_status(a, 24, 0, a, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_PENDING);
    assert_int_equal(rr_quick_status(a, 24, 0, target, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_PENDING);
    assert_int_equal(rr_quick_status(a, 24, 0, target + 1, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_LATE);
    /* Submitted: on time at the target, late one ms after; now does not matter. */
    assert_int_equal(rr_quick_status(a, 24, a + 60000, target + 999999, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_ON_TIME);
    assert_int_equal(rr_quick_status(a, 24, target, 0, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_ON_TIME);
    assert_int_equal(rr_quick_status(a, 24, target + 1, target + 1, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_LATE);
    /* Submitted before the recorded awareness (awareness corrected later): on time. */
    assert_int_equal(rr_quick_status(a, 24, a - 3600000, a, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_ON_TIME);
    /* A tighter target: 2 hours. */
    assert_int_equal(rr_quick_status(a, 2, a + 3 * 3600000, 0, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_LATE);
    assert_int_equal(rr_quick_status(a, 2, 0, a + 2 * 3600000, &s), RK_OK);
    assert_int_equal(s, RR_QUICK_PENDING);

    /* Errors: output untouched. */
    s = RR_QUICK_ON_TIME;
    assert_int_equal(rr_quick_status(0, 24, 0, a, &s), RK_EINVAL);
    assert_int_equal(rr_quick_status(a, 0, 0, a, &s), RK_EINVAL);
    assert_int_equal(rr_quick_status(a, 24, -1, a, &s), RK_EINVAL);
    assert_int_equal(rr_quick_status(a, 24, RR_MAX_MS + 1, a, &s), RK_EINVAL);
    assert_int_equal(rr_quick_status(a, 24, 0, -1, &s), RK_EINVAL);
    assert_int_equal(rr_quick_status(a, 24, 0, RR_MAX_MS + 1, &s), RK_EINVAL);
    assert_int_equal(rr_quick_status(a, 24, 0, a, NULL), RK_EINVAL);
    assert_int_equal(s, RR_QUICK_ON_TIME);

    assert_string_equal(rr_quick_status_name(RR_QUICK_PENDING), "pending");
    assert_string_equal(rr_quick_status_name(RR_QUICK_ON_TIME), "on_time");
    assert_string_equal(rr_quick_status_name(RR_QUICK_LATE), "late");
    assert_string_equal(rr_quick_status_name((enum rr_quick_status)2 + 1), "unknown");
}

/* ---- 2. reportability --------------------------------------------------------------------- */

static void reportability_all_combinations(void **state)
{
    const enum rr_event_class classes[] = {RR_EVENT_OCCURRED, RR_EVENT_TRACE, RR_EVENT_PRECURSOR};
    int counts[2] = {0, 0};
    for (size_t c = 0; c < 3; c++) {
        for (unsigned mask = 0; mask <= 0x3f; mask++) {
            struct rr_verdict v;
            memset(&v, 0, sizeof v);
            assert_int_equal(rr_reportability(classes[c], mask, &v), RK_OK);
            enum rr_reportability want_result;
            enum rr_reason want_reason;
            if (mask == 0) {
                want_result = RR_VOLUNTARY;
                want_reason = RR_REASON_NO_REGISTERED;
            } else if (classes[c] == RR_EVENT_OCCURRED) {
                want_result = RR_REPORTABLE;
                want_reason = RR_REASON_OCCURRED;
            } else if (classes[c] == RR_EVENT_TRACE) {
                want_result = RR_REPORTABLE;
                want_reason = RR_REASON_TRACE;
            } else if (mask & 0x10u) { /* bit 4 = category E */
                want_result = RR_REPORTABLE;
                want_reason = RR_REASON_PRECURSOR_CAT_E;
            } else {
                want_result = RR_VOLUNTARY;
                want_reason = RR_REASON_PRECURSOR_NOT_E;
            }
            if (v.result != want_result || v.reason != want_reason)
                fail_msg("class %zu mask 0x%02x: got %d/%d want %d/%d", c, mask, v.result, v.reason,
                         want_result, want_reason);
            assert_non_null(v.code);
            assert_non_null(v.ja);
            assert_non_null(v.en);
            assert_true(strlen(v.code) > 0 && strlen(v.ja) > 0 && strlen(v.en) > 0);
            assert_true((unsigned char)v.ja[0] >= 0x80); /* Japanese text */
            counts[v.result]++;
        }
    }
    /* 3 × 63 linked: occurred 63 + trace 63 + precursor with E 32 = 158 reportable;
     * voluntary: precursor without E 31 + the 3 unlinked = 34. */
    assert_int_equal(counts[RR_REPORTABLE], 158);
    assert_int_equal(counts[RR_VOLUNTARY], 34);
}

static void reportability_examples_and_codes(void **state)
{
    struct rr_verdict v;
    /* Precursor on E alone, and E among others: reportable. */
    assert_int_equal(rr_reportability(RR_EVENT_PRECURSOR, 0x10, &v), RK_OK);
    assert_int_equal(v.result, RR_REPORTABLE);
    assert_string_equal(v.code, "precursor_category_e");
    assert_int_equal(rr_reportability(RR_EVENT_PRECURSOR, 0x3f, &v), RK_OK);
    assert_int_equal(v.result, RR_REPORTABLE);
    /* Precursor on every category but E (A B C D F = 0x2f): voluntary. */
    assert_int_equal(rr_reportability(RR_EVENT_PRECURSOR, 0x2f, &v), RK_OK);
    assert_int_equal(v.result, RR_VOLUNTARY);
    assert_int_equal(v.reason, RR_REASON_PRECURSOR_NOT_E);
    assert_string_equal(v.code, "precursor_not_category_e");
    /* Traces on an attack-surface device (A) only: reportable. */
    assert_int_equal(rr_reportability(RR_EVENT_TRACE, 0x01, &v), RK_OK);
    assert_int_equal(v.result, RR_REPORTABLE);
    assert_string_equal(v.code, "trace");
    assert_int_equal(rr_reportability(RR_EVENT_OCCURRED, 0x20, &v), RK_OK);
    assert_string_equal(v.code, "occurred");
    /* Nothing registered linked: voluntary with its own reason, even for an occurred event. */
    assert_int_equal(rr_reportability(RR_EVENT_OCCURRED, 0, &v), RK_OK);
    assert_int_equal(v.result, RR_VOLUNTARY);
    assert_int_equal(v.reason, RR_REASON_NO_REGISTERED);
    assert_string_equal(v.code, "no_registered_computer");

    /* Five distinct reason codes and texts. */
    const struct {
        enum rr_event_class c;
        unsigned m;
    } one_each[] = {{RR_EVENT_OCCURRED, 1},
                    {RR_EVENT_TRACE, 1},
                    {RR_EVENT_PRECURSOR, 0x10},
                    {RR_EVENT_PRECURSOR, 1},
                    {RR_EVENT_PRECURSOR, 0}};
    struct rr_verdict all[5];
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(rr_reportability(one_each[i].c, one_each[i].m, &all[i]), RK_OK);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(all[i].reason, (enum rr_reason)i);
        for (size_t j = i + 1; j < 5; j++) {
            assert_string_not_equal(all[i].code, all[j].code);
            assert_string_not_equal(all[i].ja, all[j].ja);
            assert_string_not_equal(all[i].en, all[j].en);
        }
    }
}

static void reportability_errors(void **state)
{
    struct rr_verdict v = {RR_VOLUNTARY, RR_REASON_TRACE, "x", "x", "x"};
    assert_int_equal(rr_reportability(RR_EVENT_OCCURRED, 0x40, &v), RK_EINVAL);
    assert_int_equal(rr_reportability(RR_EVENT_PRECURSOR, 0x50, &v), RK_EINVAL);
    assert_int_equal(rr_reportability((enum rr_event_class)3, 0x10, &v), RK_EINVAL);
    assert_int_equal(rr_reportability((enum rr_event_class)3, 0, &v), RK_EINVAL);
    assert_int_equal(rr_reportability(RR_EVENT_OCCURRED, 1, NULL), RK_EINVAL);
    assert_string_equal(v.code, "x");
}

/* ---- 3. diff ------------------------------------------------------------------------------ */

static json_t *J(const char *s)
{
    if (!s) return NULL;
    json_error_t err;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &err);
    if (!v) fail_msg("bad JSON in test: %s (%s)", s, err.text);
    return v;
}

static void expect_diff(const char *prev, const char *next, const char *want)
{
    json_t *p = J(prev), *n = J(next), *w = J(want);
    json_t *got = rr_answers_diff(p, n);
    if (!got) fail_msg("diff failed for %s → %s", prev ? prev : "NULL", next);
    if (!json_equal(got, w)) {
        char *s = json_dumps(got, JSON_COMPACT);
        char msg[2048];
        snprintf(msg, sizeof msg, "%s", s ? s : "?");
        free(s);
        json_decref(got);
        json_decref(p);
        json_decref(n);
        json_decref(w);
        fail_msg("got %s\nwant %s", msg, want);
    }
    json_decref(got);
    json_decref(p);
    json_decref(n);
    json_decref(w);
}

static void diff_equal_and_empty(void **state)
{
    expect_diff("{}", "{}", "[]");
    expect_diff(NULL, "{}", "[]");
    expect_diff("null", "null", "[]");
    expect_diff("{\"s\":{}}", "{}", "[]");
    expect_diff("{\"s\":null}", "{\"s\":{\"f\":null}}", "[]");
    expect_diff("{\"s\":{\"a\":\"x\",\"b\":[1,2],\"c\":true}}",
                "{\"s\":{\"c\":true,\"b\":[1,2],\"a\":\"x\"}}", "[]");
}

static void diff_first_report_adds(void **state)
{
    expect_diff(NULL, "{\"head\":{\"report_no\":1,\"tlp\":\"amber\"},\"ov\":{\"desc\":\"x\"}}",
                "[{\"op\":\"add\",\"path\":\"/head/report_no\",\"new\":1},"
                "{\"op\":\"add\",\"path\":\"/head/tlp\",\"new\":\"amber\"},"
                "{\"op\":\"add\",\"path\":\"/ov/desc\",\"new\":\"x\"}]");
}

static void diff_replace_add_remove(void **state)
{
    /* null counts as not given: null → value is an add, value → null a remove. */
    expect_diff("{\"s\":{\"a\":1,\"b\":\"old\",\"c\":null,\"d\":false}}",
                "{\"s\":{\"a\":1,\"b\":\"new\",\"c\":\"now\",\"d\":null}}",
                "[{\"op\":\"replace\",\"path\":\"/s/b\",\"old\":\"old\",\"new\":\"new\"},"
                "{\"op\":\"add\",\"path\":\"/s/c\",\"new\":\"now\"},"
                "{\"op\":\"remove\",\"path\":\"/s/d\",\"old\":false}]");
    /* false and 0 are values, not "not given". */
    expect_diff("{\"s\":{\"a\":false}}", "{\"s\":{\"a\":0}}",
                "[{\"op\":\"replace\",\"path\":\"/s/a\",\"old\":false,\"new\":0}]");
    /* A whole section dropped (absent or null): each of its fields removed. */
    expect_diff("{\"s\":{\"a\":1,\"b\":2},\"t\":{\"c\":3}}", "{\"t\":{\"c\":3},\"s\":null}",
                "[{\"op\":\"remove\",\"path\":\"/s/a\",\"old\":1},"
                "{\"op\":\"remove\",\"path\":\"/s/b\",\"old\":2}]");
}

static void diff_lists_and_rows_whole(void **state)
{
    /* A multi_enum gaining one code: one replace with the whole lists. */
    expect_diff("{\"s\":{\"causes\":[\"suspicious_mail\"]}}",
                "{\"s\":{\"causes\":[\"suspicious_mail\",\"vulnerability\"]}}",
                "[{\"op\":\"replace\",\"path\":\"/s/causes\",\"old\":[\"suspicious_mail\"],"
                "\"new\":[\"suspicious_mail\",\"vulnerability\"]}]");
    /* Rows with one cell changed: one replace of the whole rows value. */
    expect_diff(
        "{\"tl\":{\"rows\":[{\"t\":\"10:00\",\"e\":\"found\"},{\"t\":\"11:00\",\"e\":\"cut\"}]}}",
        "{\"tl\":{\"rows\":[{\"t\":\"10:00\",\"e\":\"found\"},{\"t\":\"11:30\",\"e\":\"cut\"}]}}",
        "[{\"op\":\"replace\",\"path\":\"/tl/rows\","
        "\"old\":[{\"t\":\"10:00\",\"e\":\"found\"},{\"t\":\"11:00\",\"e\":\"cut\"}],"
        "\"new\":[{\"t\":\"10:00\",\"e\":\"found\"},{\"t\":\"11:30\",\"e\":\"cut\"}]}]");
    /* An empty list is a value: [] → absent is a remove. */
    expect_diff("{\"s\":{\"ips\":[]}}", "{\"s\":{}}",
                "[{\"op\":\"remove\",\"path\":\"/s/ips\",\"old\":[]}]");
}

static void diff_order(void **state)
{
    /* Adds and replaces walking next (section b before a; in b, y before new), then removes
     * walking prev section by section (z before a; in a, gone1 before gone3). */
    expect_diff("{\"z\":{\"gone2\":2},\"a\":{\"x\":1,\"gone1\":1,\"gone3\":3},\"b\":{\"y\":1}}",
                "{\"b\":{\"y\":2,\"new\":0},\"a\":{\"x\":9}}",
                "[{\"op\":\"replace\",\"path\":\"/b/y\",\"old\":1,\"new\":2},"
                "{\"op\":\"add\",\"path\":\"/b/new\",\"new\":0},"
                "{\"op\":\"replace\",\"path\":\"/a/x\",\"old\":1,\"new\":9},"
                "{\"op\":\"remove\",\"path\":\"/z/gone2\",\"old\":2},"
                "{\"op\":\"remove\",\"path\":\"/a/gone1\",\"old\":1},"
                "{\"op\":\"remove\",\"path\":\"/a/gone3\",\"old\":3}]");
}

static void diff_escapes_paths(void **state)
{
    expect_diff("{}", "{\"s/1\":{\"a~b\":1}}",
                "[{\"op\":\"add\",\"path\":\"/s~11/a~0b\",\"new\":1}]");
}

static void diff_copies_values(void **state)
{
    json_t *p = J("{\"s\":{\"l\":[1]}}"), *n = J("{\"s\":{\"l\":[1,2]}}");
    json_t *d = rr_answers_diff(p, n);
    assert_non_null(d);
    json_t *op = json_array_get(d, 0);
    assert_ptr_not_equal(json_object_get(op, "new"), json_object_get(json_object_get(n, "s"), "l"));
    json_decref(p);
    json_decref(n); /* the diff outlives its inputs */
    json_t *want = J("[1,2]");
    assert_true(json_equal(json_object_get(op, "new"), want));
    json_decref(want);
    json_decref(d);
}

static void diff_errors(void **state)
{
    json_t *obj = J("{}"), *arr = J("[]"), *bad_sec = J("{\"s\":\"text\"}"),
           *bad_sec2 = J("{\"s\":[1]}");
    json_t *out = obj; /* must be reset to NULL on failure */
    assert_int_equal(rr_answers_diff_into(arr, obj, &out), RK_EINVAL);
    assert_null(out);
    assert_int_equal(rr_answers_diff_into(obj, arr, &out), RK_EINVAL);
    assert_int_equal(rr_answers_diff_into(obj, bad_sec, &out), RK_EINVAL);
    assert_int_equal(rr_answers_diff_into(bad_sec2, obj, &out), RK_EINVAL);
    assert_int_equal(rr_answers_diff_into(obj, obj, NULL), RK_EINVAL);
    assert_null(rr_answers_diff(arr, obj));
    assert_null(rr_answers_diff(obj, bad_sec));

    /* A path that would not fit in RR_PATH_MAX. */
    char key[300];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    json_t *longf = json_pack("{s:{s:i}}", "s", key, 1);
    assert_non_null(longf);
    assert_int_equal(rr_answers_diff_into(obj, longf, &out), RK_EINVAL);
    assert_null(out);
    /* The longest path that fits: "/s/" + 252 bytes + NUL = 256. */
    key[252] = '\0';
    json_t *fits = json_pack("{s:{s:i}}", "s", key, 1);
    assert_int_equal(rr_answers_diff_into(obj, fits, &out), RK_OK);
    assert_int_equal(json_array_size(out), 1);
    assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(out, 0), "path"))),
                     255);
    json_decref(out);

    json_decref(fits);
    json_decref(longf);
    json_decref(obj);
    json_decref(arr);
    json_decref(bad_sec);
    json_decref(bad_sec2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(awareness_per_hosting),
        cmocka_unit_test(awareness_missing_or_bad),
        cmocka_unit_test(detailed_deadline_vectors),
        cmocka_unit_test(detailed_deadline_uses_callback),
        cmocka_unit_test(detailed_deadline_jst_day),
        cmocka_unit_test(detailed_deadline_errors),
        cmocka_unit_test(quick_target),
        cmocka_unit_test(quick_status),
        cmocka_unit_test(reportability_all_combinations),
        cmocka_unit_test(reportability_examples_and_codes),
        cmocka_unit_test(reportability_errors),
        cmocka_unit_test(diff_equal_and_empty),
        cmocka_unit_test(diff_first_report_adds),
        cmocka_unit_test(diff_replace_add_remove),
        cmocka_unit_test(diff_lists_and_rows_whole),
        cmocka_unit_test(diff_order),
        cmocka_unit_test(diff_escapes_paths),
        cmocka_unit_test(diff_copies_values),
        cmocka_unit_test(diff_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
