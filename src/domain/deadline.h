/*
 * deadline.h — statutory deadlines, computed the way Japanese law counts periods.
 *
 * Civil Code (民法):
 *   Art. 140 — a period that starts during a day does not count that first day: the period
 *              begins on the next day (the "start day").
 *   Art. 143 — a period in months is reckoned by the calendar; it ends at the end of the day
 *              before the day of the last month that corresponds to the start day; when the last
 *              month has no such day, at the end of that month.
 *   Art. 142 — a period ending on a day off that is customarily not worked ends on the next day.
 * Act on Holidays of Administrative Organs (行政機関の休日に関する法律) Art. 1 and 2: for
 * deadlines owed to an administrative organ, the days off are Saturdays, Sundays, national
 * holidays and 29 December – 3 January, and a deadline falling on one moves to the next day that
 * is none of these.
 *
 * So for an event on day E and a period of n months: start day S = E + 1; the corresponding day
 * is S's day-of-month in the month n months after S's month; the period ends the day before it,
 * or on the last day of that month when it has no such day. A period of n days ends on E + n.
 *
 * Pure: no I/O, no globals. National holidays come from a callback (the server passes one over
 * data/holidays-jp.json) so this module stays free of the reference data. Dates are proleptic
 * Gregorian, years 1970–9999.
 */
#ifndef DEADLINE_H
#define DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

struct dl_date {
    int y, m, d;
};

/* Answers whether y-m-d is a national holiday (国民の祝日, substitute and citizens' holidays). */
typedef bool (*dl_holiday_fn)(void *ctx, int y, int m, int d);

#define DL_MAX_MONTHS 1200
#define DL_MAX_DAYS 36500

bool dl_valid(const struct dl_date *d);
/* Days since 1970-01-01 (0 = 1970-01-01). d must be valid. */
int32_t dl_to_days(const struct dl_date *d);
/* RK_OK, or RK_EINVAL when the day number is outside 1970–9999. */
int dl_from_days(int32_t days, struct dl_date *out);
/* Strict "YYYY-MM-DD" with a real calendar date; RK_OK or RK_EINVAL. */
int dl_parse(const char *s, struct dl_date *out);
/* "YYYY-MM-DD" into buf (≥ 11 bytes). */
void dl_format(const struct dl_date *d, char *buf, int cap);
int dl_cmp(const struct dl_date *a, const struct dl_date *b); /* <0, 0, >0 */
int dl_weekday(const struct dl_date *d);                      /* 0 = Sunday … 6 = Saturday */

/* A day off for administrative deadlines: Saturday, Sunday, 29 Dec – 3 Jan, or a national
 * holiday per fn (fn may be NULL: then only weekends and the year-end days count). */
bool dl_is_day_off(const struct dl_date *d, dl_holiday_fn fn, void *ctx);

/* The last day of a period of n months (Art. 143) or n days (Art. 140) started by an event on
 * `event`, before any holiday extension. RK_OK, or RK_EINVAL (invalid date, n out of range, or
 * a result past 9999-12-31). */
int dl_period_end_months(const struct dl_date *event, int n, struct dl_date *out);
int dl_period_end_days(const struct dl_date *event, int n, struct dl_date *out);

/* d itself when it is a working day, else the next working day (Art. 142 / Holidays Act Art. 2). */
int dl_next_working_day(const struct dl_date *d, dl_holiday_fn fn, void *ctx, struct dl_date *out);

/* Period end, then the holiday extension: the deadline as the law has it. */
int dl_deadline_months(const struct dl_date *event, int n, dl_holiday_fn fn, void *ctx,
                       struct dl_date *out);
int dl_deadline_days(const struct dl_date *event, int n, dl_holiday_fn fn, void *ctx,
                     struct dl_date *out);

/* Unix milliseconds of the end of day d in Japan (23:59:59.999 JST = UTC+9). */
int64_t dl_end_of_day_jst_ms(const struct dl_date *d);

/* Where a filing stands on `today`:
 *   filed (filed != NULL): DL_FILED_ON_TIME when *filed ≤ deadline, else DL_FILED_LATE;
 *   not filed: DL_OVERDUE when today > deadline; DL_DUE when deadline − window_days ≤ today;
 *   otherwise DL_NOT_DUE. */
enum dl_status { DL_NOT_DUE = 0, DL_DUE, DL_OVERDUE, DL_FILED_ON_TIME, DL_FILED_LATE };
enum dl_status dl_status(const struct dl_date *deadline, const struct dl_date *today,
                         const struct dl_date *filed, int window_days);
const char *dl_status_name(enum dl_status s); /* "not_due", "due", "overdue", ... */

#endif
