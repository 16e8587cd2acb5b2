#include "domain/deadline.h"

#include <stdio.h>
#include <string.h>

#include "core/rk.h"

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : len[m - 1];
}

bool dl_valid(const struct dl_date *d)
{
    return d && d->y >= 1970 && d->y <= 9999 && d->m >= 1 && d->m <= 12 && d->d >= 1 &&
           d->d <= month_days(d->y, d->m);
}

/* Days from civil date, shifting the year to start in March so leap days fall last. */
int32_t dl_to_days(const struct dl_date *d)
{
    int y = d->y - (d->m <= 2);
    int era = y / 400;
    int yoe = y - era * 400;
    int mp = (d->m + 9) % 12;
    int doy = (153 * mp + 2) / 5 + d->d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int dl_from_days(int32_t days, struct dl_date *out)
{
    /* 1970-01-01 .. 9999-12-31 */
    if (days < 0 || days > 2932896) return RK_EINVAL;
    int32_t z = days + 719468;
    int32_t era = z / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    out->d = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->m = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->y = (int)(yoe + era * 400 + (out->m <= 2));
    return RK_OK;
}

int dl_parse(const char *s, struct dl_date *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return RK_EINVAL;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return RK_EINVAL;
    struct dl_date d = {
        .y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'),
        .m = (s[5] - '0') * 10 + (s[6] - '0'),
        .d = (s[8] - '0') * 10 + (s[9] - '0'),
    };
    if (!dl_valid(&d)) return RK_EINVAL;
    *out = d;
    return RK_OK;
}

void dl_format(const struct dl_date *d, char *buf, int cap)
{
    snprintf(buf, (size_t)cap, "%04d-%02d-%02d", d->y % 10000, d->m % 100, d->d % 100);
}

int dl_cmp(const struct dl_date *a, const struct dl_date *b)
{
    if (a->y != b->y) return a->y < b->y ? -1 : 1;
    if (a->m != b->m) return a->m < b->m ? -1 : 1;
    return a->d < b->d ? -1 : a->d > b->d;
}

int dl_weekday(const struct dl_date *d)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)((dl_to_days(d) + 4) % 7);
}

bool dl_is_day_off(const struct dl_date *d, dl_holiday_fn fn, void *ctx)
{
    int wd = dl_weekday(d);
    if (wd == 0 || wd == 6) return true;
    if ((d->m == 12 && d->d >= 29) || (d->m == 1 && d->d <= 3)) return true;
    return fn && fn(ctx, d->y, d->m, d->d);
}

int dl_period_end_months(const struct dl_date *event, int n, struct dl_date *out)
{
    struct dl_date start;
    if (!dl_valid(event) || n < 0 || n > DL_MAX_MONTHS ||
        dl_from_days(dl_to_days(event) + 1, &start) != RK_OK)
        return RK_EINVAL;
    if (n == 0) {
        *out = *event;
        return RK_OK;
    }
    int months = start.y * 12 + (start.m - 1) + n;
    struct dl_date last = {.y = months / 12, .m = months % 12 + 1, .d = 1};
    if (last.y > 9999) return RK_EINVAL;
    if (start.d > month_days(last.y, last.m)) {
        /* No corresponding day: the period ends with that month. */
        last.d = month_days(last.y, last.m);
        *out = last;
        return RK_OK;
    }
    last.d = start.d;
    return dl_from_days(dl_to_days(&last) - 1, out);
}

int dl_period_end_days(const struct dl_date *event, int n, struct dl_date *out)
{
    if (!dl_valid(event) || n < 0 || n > DL_MAX_DAYS) return RK_EINVAL;
    return dl_from_days(dl_to_days(event) + n, out);
}

int dl_next_working_day(const struct dl_date *d, dl_holiday_fn fn, void *ctx, struct dl_date *out)
{
    if (!dl_valid(d)) return RK_EINVAL;
    struct dl_date cur = *d;
    /* The longest run of days off is bounded (year end plus a weekend and holidays); 60 days
     * guards against a callback that says "holiday" for everything. */
    for (int i = 0; i < 60; i++) {
        if (!dl_is_day_off(&cur, fn, ctx)) {
            *out = cur;
            return RK_OK;
        }
        if (dl_from_days(dl_to_days(&cur) + 1, &cur) != RK_OK) return RK_EINVAL;
    }
    return RK_EINVAL;
}

int dl_deadline_months(const struct dl_date *event, int n, dl_holiday_fn fn, void *ctx,
                       struct dl_date *out)
{
    struct dl_date end;
    int rc = dl_period_end_months(event, n, &end);
    return rc == RK_OK ? dl_next_working_day(&end, fn, ctx, out) : rc;
}

int dl_deadline_days(const struct dl_date *event, int n, dl_holiday_fn fn, void *ctx,
                     struct dl_date *out)
{
    struct dl_date end;
    int rc = dl_period_end_days(event, n, &end);
    return rc == RK_OK ? dl_next_working_day(&end, fn, ctx, out) : rc;
}

int64_t dl_end_of_day_jst_ms(const struct dl_date *d)
{
    /* The next day's 00:00 JST is 15:00 UTC of this day; one millisecond before it. */
    return ((int64_t)dl_to_days(d) + 1) * 86400000 - 9 * 3600000 - 1;
}

enum dl_status dl_status(const struct dl_date *deadline, const struct dl_date *today,
                         const struct dl_date *filed, int window_days)
{
    if (filed) return dl_cmp(filed, deadline) <= 0 ? DL_FILED_ON_TIME : DL_FILED_LATE;
    if (dl_cmp(today, deadline) > 0) return DL_OVERDUE;
    return dl_to_days(deadline) - dl_to_days(today) <= window_days ? DL_DUE : DL_NOT_DUE;
}

const char *dl_status_name(enum dl_status s)
{
    switch (s) {
    case DL_NOT_DUE:
        return "not_due";
    case DL_DUE:
        return "due";
    case DL_OVERDUE:
        return "overdue";
    case DL_FILED_ON_TIME:
        return "filed_on_time";
    case DL_FILED_LATE:
        return "filed_late";
    }
    return "unknown";
}
