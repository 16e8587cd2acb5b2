/*
 * test_deadline.c — Civil-Code periods and the administrative-holiday extension, on the real
 * holiday data, with hand-worked boundary vectors and a day-walking oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/refdata.h"
#include "core/rk.h"
#include "domain/deadline.h"

static struct refdata *RD;

static bool holiday(void *ctx, int y, int m, int d)
{
    return refdata_is_holiday(ctx, y, m, d);
}

static int setup(void **state)
{
    char err[256];
    return refdata_load(RK_SOURCE_DIR "/data", &RD, err, sizeof err) == RK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    refdata_free(RD);
    return 0;
}

static struct dl_date D(const char *s) {
    struct dl_date d = {0};
    if (dl_parse(s, &d) != RK_OK) fail_msg("bad date in test: %s", s);
    return d;
}

static void
assert_date(const struct dl_date *got, const char *want)
{
    char buf[16];
    dl_format(got, buf, sizeof buf);
    if (strcmp(buf, want) != 0) fail_msg("got %s, want %s", buf, want);
}

struct vec {
    const char *event;
    char unit; /* 'm' months, 'd' days */
    int n;
    const char *end;      /* period end (Civil Code Arts. 140, 143) */
    const char *deadline; /* after the holiday extension */
    const char *why;
};

static const struct vec vectors[] = {
    {"2025-01-10", 'm', 4, "2025-05-10", "2025-05-12",
     "start 01-11, corresponding 05-11, ends 05-10 (Sat) → Mon 05-12"},
    {"2025-10-31", 'm', 4, "2026-02-28", "2026-03-02",
     "start 11-01 → 2026-03-01, ends 02-28 (Sat) → Sun → Mon 03-02"},
    {"2023-11-30", 'm', 3, "2024-02-29", "2024-02-29",
     "leap year: start 12-01 → 03-01, ends 02-29"},
    {"2025-03-30", 'm', 1, "2025-04-30", "2025-04-30",
     "start 03-31; April has no 31st: ends with April (Art. 143(2) proviso)"},
    {"2025-01-31", 'm', 1, "2025-02-28", "2025-02-28", "start 02-01 → 03-01, ends 02-28"},
    {"2099-11-30", 'm', 3, "2100-02-28", "2100-03-01",
     "2100 is not a leap year; 02-28 is a Sunday → Mon 03-01"},
    {"2100-01-30", 'm', 1, "2100-02-28", "2100-03-01", "start 01-31; no Feb 31: ends 02-28"},
    {"2025-01-10", 'd', 30, "2025-02-09", "2025-02-10",
     "30-day detailed report: first day not counted, 02-09 is a Sunday"},
    {"2025-01-25", 'd', 30, "2025-02-24", "2025-02-25",
     "ends on the substitute holiday for the Emperor's Birthday (Sun 02-23)"},
    {"2026-05-01", 'm', 6, "2026-11-01", "2026-11-02", "6 months: ends Sunday 11-01 → Mon 11-02"},
    {"2025-08-31", 'm', 4, "2025-12-31", "2026-01-05",
     "year end: 12-31 … 01-03 are days off, 01-04 is a Sunday"},
    {"2025-09-14", 'm', 4, "2026-01-14", "2026-01-14", "across the year, a working Wednesday"},
    {"2025-04-02", 'd', 31, "2025-05-03", "2025-05-07",
     "Golden Week: 05-03 Sat, 05-04 Sun, 05-05 holiday, 05-06 substitute holiday"},
    {"2026-08-22", 'd', 31, "2026-09-22", "2026-09-24",
     "Silver Week: 09-22 citizens' holiday, 09-23 equinox"},
    {"2025-12-28", 'd', 1, "2025-12-29", "2026-01-05", "12-29 is an administrative day off"},
    {"2025-06-15", 'm', 0, "2025-06-15", "2025-06-16", "zero months: the event day, a Sunday"},
};

static void boundary_vectors(void **st)
{
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        const struct vec *v = &vectors[i];
        struct dl_date e = D(v->event), end, dl;
        int rc = v->unit == 'm' ? dl_period_end_months(&e, v->n, &end)
                                : dl_period_end_days(&e, v->n, &end);
        assert_int_equal(rc, RK_OK);
        print_message("%s +%d%c: %s\n", v->event, v->n, v->unit, v->why);
        assert_date(&end, v->end);
        rc = v->unit == 'm' ? dl_deadline_months(&e, v->n, holiday, RD, &dl)
                            : dl_deadline_days(&e, v->n, holiday, RD, &dl);
        assert_int_equal(rc, RK_OK);
        assert_date(&dl, v->deadline);
    }
}

/* The oracle walks forward from the start day S one day at a time and stops at the first day X
 * where the period visibly completes: either X + 1 is the corresponding day (same day-of-month
 * as S, n months later), or X is the last day of the n-th month after S and that month is too
 * short to have S's day. No month arithmetic on the answer, no day-of-month clamping. */
static int month_index(const struct dl_date *d)
{
    return d->y * 12 + d->m - 1;
}

static struct dl_date next(const struct dl_date *d)
{
    struct dl_date n;
    assert_int_equal(dl_from_days(dl_to_days(d) + 1, &n), RK_OK);
    return n;
}

static struct dl_date oracle_months(const struct dl_date *event, int n)
{
    struct dl_date s = next(event), x = s;
    for (int i = 0; i < 400 * n + 40; i++) {
        struct dl_date x1 = next(&x);
        if (month_index(&x1) - month_index(&s) == n && x1.d == s.d) return x;
        bool last_of_month = x1.m != x.m;
        if (month_index(&x) - month_index(&s) == n && last_of_month && x.d < s.d) return x;
        x = x1;
    }
    fail_msg("oracle did not converge");
    return x;
}

static void months_match_oracle(void **st)
{
    static const int ns[] = {1, 2, 3, 4, 6, 12};
    struct dl_date e = D("2023-12-01"), last = D("2030-12-31");
    size_t checked = 0;
    while (dl_cmp(&e, &last) <= 0) {
        for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
            struct dl_date got, want = oracle_months(&e, ns[k]);
            assert_int_equal(dl_period_end_months(&e, ns[k], &got), RK_OK);
            if (dl_cmp(&got, &want) != 0) {
                char a[16], b[16], c[16];
                dl_format(&e, a, sizeof a);
                dl_format(&got, b, sizeof b);
                dl_format(&want, c, sizeof c);
                fail_msg("event %s + %d months: module %s, oracle %s", a, ns[k], b, c);
            }
            checked++;
        }
        e = next(&e);
    }
    assert_true(checked > 15000);
}

static void extension_lands_on_working_days(void **st)
{
    /* Every deadline produced is a working day, and no working day is skipped. */
    struct dl_date d = D("2025-01-01"), last = D("2030-12-31");
    while (dl_cmp(&d, &last) <= 0) {
        struct dl_date w;
        assert_int_equal(dl_next_working_day(&d, holiday, RD, &w), RK_OK);
        assert_false(dl_is_day_off(&w, holiday, RD));
        for (struct dl_date x = d; dl_cmp(&x, &w) < 0; x = next(&x))
            assert_true(dl_is_day_off(&x, holiday, RD));
        d = next(&d);
    }
}

static void calendar_basics(void **st)
{
    struct dl_date d;
    assert_int_equal(dl_to_days(&(struct dl_date){1970, 1, 1}), 0);
    assert_int_equal(dl_weekday(&(struct dl_date){1970, 1, 1}), 4);   /* Thursday */
    assert_int_equal(dl_weekday(&(struct dl_date){2026, 11, 22}), 0); /* Sunday */
    for (int32_t k = 0; k < 2932897; k += 97) {
        assert_int_equal(dl_from_days(k, &d), RK_OK);
        assert_true(dl_valid(&d));
        assert_int_equal(dl_to_days(&d), k);
    }
    assert_int_equal(dl_from_days(-1, &d), RK_EINVAL);
    assert_int_equal(dl_from_days(2932897, &d), RK_EINVAL);
    static const char *const bad[] = {"2025-02-29",  "2025-04-31", "2025-13-01", "2025-00-10",
                                      "1969-12-31",  "2025-1-01",  "2025/01/01", "20250101",
                                      "2025-01-01T", "",           "2100-02-29", NULL};
    for (const char *const *b = bad; *b; b++)
        assert_int_equal(dl_parse(*b, &d), RK_EINVAL);
    assert_int_equal(dl_parse("2024-02-29", &d), RK_OK);
    assert_int_equal(dl_parse("2000-02-29", &d), RK_OK);
    /* End of a day in Japan: 2025-01-01 23:59:59.999 JST = 2025-01-01 14:59:59.999 UTC. */
    assert_int_equal(dl_end_of_day_jst_ms(&(struct dl_date){2025, 1, 1}), 1735743599999LL);
    struct dl_date e = D("2025-01-10"), out;
    assert_int_equal(dl_period_end_months(&e, DL_MAX_MONTHS + 1, &out), RK_EINVAL);
    assert_int_equal(dl_period_end_days(&e, -1, &out), RK_EINVAL);
    assert_int_equal(dl_period_end_months(&(struct dl_date){9999, 12, 1}, 1, &out), RK_EINVAL);
    assert_int_equal(dl_period_end_days(&(struct dl_date){2025, 2, 30}, 1, &out), RK_EINVAL);
}

static void filing_status(void **st)
{
    struct dl_date dl = D("2025-05-12");
    struct dl_date early = D("2025-04-01"), close = D("2025-05-01"), on = D("2025-05-12");
    struct dl_date after = D("2025-05-13");
    assert_int_equal(dl_status(&dl, &early, NULL, 30), DL_NOT_DUE);
    assert_int_equal(dl_status(&dl, &close, NULL, 30), DL_DUE);
    assert_int_equal(dl_status(&dl, &on, NULL, 30), DL_DUE);
    assert_int_equal(dl_status(&dl, &after, NULL, 30), DL_OVERDUE);
    assert_int_equal(dl_status(&dl, &after, &on, 30), DL_FILED_ON_TIME);
    assert_int_equal(dl_status(&dl, &after, &after, 30), DL_FILED_LATE);
    assert_string_equal(dl_status_name(DL_OVERDUE), "overdue");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_basics),     cmocka_unit_test(boundary_vectors),
        cmocka_unit_test(months_match_oracle), cmocka_unit_test(extension_lands_on_working_days),
        cmocka_unit_test(filing_status),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
