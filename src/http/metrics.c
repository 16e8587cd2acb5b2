/*
 * metrics.c — Prometheus text metrics: requests and latency per route, store group commits.
 * Counters are relaxed atomics updated on the request path; rendering reads them without a
 * lock, so a scrape sees each counter consistently but not all of them at one instant.
 */
#include "http/http.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"

#define LAT_N 13
static const double lat_bounds_s[LAT_N - 1] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                               0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

struct route_metrics {
    atomic_ullong by_class[6]; /* 1xx..5xx, [0] = other (client gone: 499 counts as 4xx) */
    atomic_ullong lat[LAT_N];  /* not cumulative */
    atomic_ullong sum_us;
};

struct metrics {
    size_t nroutes; /* + 1 for unmatched */
    struct route_metrics r[];
};

int metrics_new(size_t nroutes, struct metrics **out)
{
    struct metrics *m = calloc(1, sizeof *m + (nroutes + 1) * sizeof(struct route_metrics));
    if (!m) return RK_ENOMEM;
    m->nroutes = nroutes;
    *out = m;
    return RK_OK;
}

void metrics_free(struct metrics *m)
{
    free(m);
}

void metrics_observe(struct metrics *m, size_t idx, unsigned status, int64_t dur_ns)
{
    if (!m) return;
    if (idx > m->nroutes) idx = m->nroutes;
    struct route_metrics *rm = &m->r[idx];
    unsigned cls = status / 100;
    atomic_fetch_add_explicit(&rm->by_class[cls >= 1 && cls <= 5 ? cls : 0], 1,
                              memory_order_relaxed);
    double s = (double)dur_ns / 1e9;
    size_t b = 0;
    while (b < LAT_N - 1 && s > lat_bounds_s[b])
        b++;
    atomic_fetch_add_explicit(&rm->lat[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rm->sum_us, (unsigned long long)(dur_ns / 1000),
                              memory_order_relaxed);
}

struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

char *metrics_render(struct metrics *m, const struct store_stats *st, size_t *len)
{
    struct sbuf b = {.cap = 16384};
    if (!(b.p = malloc(b.cap))) return NULL;
    b.p[0] = 0;
    sb_printf(&b, "# HELP renkei_http_requests_total HTTP requests by route and status class.\n"
                  "# TYPE renkei_http_requests_total counter\n");
    static const char *const cls[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (size_t i = 0; i <= m->nroutes; i++) {
        const char *method = i < m->nroutes ? http_routes[i].method : "";
        const char *pat = i < m->nroutes ? http_routes[i].pattern : "unmatched";
        for (int c = 0; c < 6; c++) {
            unsigned long long v = atomic_load(&m->r[i].by_class[c]);
            if (v)
                sb_printf(&b,
                          "renkei_http_requests_total{method=\"%s\",route=\"%s\",code=\"%s\"} "
                          "%llu\n",
                          method, pat, cls[c], v);
        }
    }
    sb_printf(&b, "# HELP renkei_http_request_duration_seconds Request latency by route.\n"
                  "# TYPE renkei_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        const char *method = i < m->nroutes ? http_routes[i].method : "";
        const char *pat = i < m->nroutes ? http_routes[i].pattern : "unmatched";
        unsigned long long cum = 0;
        for (size_t k = 0; k < LAT_N; k++)
            cum += atomic_load(&m->r[i].lat[k]);
        if (!cum) continue;
        cum = 0;
        for (size_t k = 0; k < LAT_N; k++) {
            cum += atomic_load(&m->r[i].lat[k]);
            if (k < LAT_N - 1)
                sb_printf(&b,
                          "renkei_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                          "le=\"%g\"} %llu\n",
                          method, pat, lat_bounds_s[k], cum);
            else
                sb_printf(&b,
                          "renkei_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                          "le=\"+Inf\"} %llu\n",
                          method, pat, cum);
        }
        sb_printf(&b,
                  "renkei_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                  "renkei_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                  method, pat, (double)atomic_load(&m->r[i].sum_us) / 1e6, method, pat, cum);
    }
    static const int64_t bounds_us[STORE_HIST_N - 1] = STORE_HIST_BOUNDS_US;
    sb_printf(&b,
              "# HELP renkei_store_commit_seconds Group-commit transaction time (one fsync each).\n"
              "# TYPE renkei_store_commit_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t k = 0; k < STORE_HIST_N; k++) {
        cum += st->commit_hist[k];
        if (k < STORE_HIST_N - 1)
            sb_printf(&b, "renkei_store_commit_seconds_bucket{le=\"%g\"} %llu\n",
                      (double)bounds_us[k] / 1e6, cum);
        else
            sb_printf(&b, "renkei_store_commit_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    sb_printf(&b,
              "renkei_store_commit_seconds_sum %.6f\nrenkei_store_commit_seconds_count %llu\n"
              "# HELP renkei_store_write_jobs_total Write jobs committed or failed.\n"
              "# TYPE renkei_store_write_jobs_total counter\nrenkei_store_write_jobs_total %llu\n"
              "# HELP renkei_store_batch_max Largest group commit so far (jobs).\n"
              "# TYPE renkei_store_batch_max gauge\nrenkei_store_batch_max %llu\n"
              "# HELP renkei_store_queue_depth Write jobs waiting for the writer.\n"
              "# TYPE renkei_store_queue_depth gauge\nrenkei_store_queue_depth %llu\n",
              (double)st->commit_ns_total / 1e9, (unsigned long long)st->batches,
              (unsigned long long)st->jobs, (unsigned long long)st->max_batch,
              (unsigned long long)st->queue_depth);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}
