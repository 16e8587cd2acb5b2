/*
 * fuzz_route.c — libFuzzer target for the request router: http_route_find() over the real
 * route table (src/api/routes.c) and http_route_match() on arbitrary patterns.
 *
 * Input layout:
 *   byte 0        selects the method: values below 0xf0 pick one of the common methods, so
 *                 most of the fuzzer's effort goes into paths; 0xf0 and above mean the method
 *                 is the raw bytes that follow, up to the first NUL.
 *   then          the path, up to the next NUL (or the end of the input);
 *   then          whatever is left is used as an untrusted pattern for http_route_match(), so
 *                 that pattern shapes the table does not contain (three "{id}" segments, empty
 *                 segments, no leading '/') are exercised too.
 *
 * Properties are checked with abort() so that a violation is reported as a crash. The same
 * file is linked with replay_main.c in ordinary builds to replay fuzz/corpus/fuzz_route/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest value "{id}" may capture: 18 digits, as documented in http.h. */
#define ROUTE_MAX_ID INT64_C(999999999999999999)

static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "HEAD", "PUT", "OPTIONS"};

/* Copies [p, end) up to the first NUL into a fresh NUL-terminated heap string (so ASan sees
 * the exact bounds the router may read) and advances *p past the NUL. */
static char *take_cstr(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
    size_t len = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
    char *s = malloc(len + 1);
    if (!s) abort();
    memcpy(s, *p, len);
    s[len] = '\0';
    *p = nul ? nul + 1 : end;
    return s;
}

/* True when the segment starting at c (just after a '/', or at the start) is exactly "{id}".
 * Only whole segments capture: "/a{id}" is a literal, as in the matcher. */
static bool id_segment(const char *c)
{
    return strncmp(c, "{id}", 4) == 0 && (c[4] == '/' || c[4] == '\0');
}

static size_t count_ids(const char *pattern)
{
    size_t n = 0;
    for (const char *c = pattern;; c++) {
        n += id_segment(c);
        if ((c = strchr(c, '/')) == NULL) return n;
    }
}

/* Every capture must be a value "{id}" can legitimately hold. */
static void check_params(const int64_t *params, size_t n)
{
    if (n > HTTP_MAX_PARAMS) abort();
    for (size_t i = 0; i < n; i++)
        if (params[i] <= 0 || params[i] > ROUTE_MAX_ID) abort();
}

/* Re-renders a pattern with its captures. The router accepts exactly one spelling per
 * resource (no leading zeros, no trailing or doubled slashes), so a match must round-trip to
 * the very same bytes; otherwise two URLs would alias one object and caches, logs and
 * per-route metrics would disagree about which resource was asked for. */
static void check_canonical(const char *pattern, const int64_t *params, const char *path)
{
    size_t cap = strlen(pattern) + HTTP_MAX_PARAMS * 20 + 1;
    char *buf = malloc(cap);
    if (!buf) abort();
    size_t n = 0, np = 0;
    for (const char *c = pattern; *c;) {
        if ((c == pattern || c[-1] == '/') && id_segment(c)) {
            if (np >= HTTP_MAX_PARAMS) abort();
            n += (size_t)snprintf(buf + n, cap - n, "%lld", (long long)params[np++]);
            c += 4;
        } else {
            buf[n++] = *c++;
        }
    }
    buf[n] = '\0';
    if (strcmp(buf, path) != 0) abort();
    free(buf);
}

static void check_find(const char *method, const char *path)
{
    int64_t params[HTTP_MAX_PARAMS];
    size_t idx = SIZE_MAX;
    bool known = false;
    const struct route *r = http_route_find(method, path, params, &idx, &known);
    bool head = strcmp(method, "HEAD") == 0;

    /* An independent scan of the table: which routes accept this path at all, and which is
     * the first one for this method (HEAD is served by GET handlers). */
    bool any_path = false;
    const struct route *first = NULL;
    for (size_t i = 0; i < http_nroutes; i++) {
        int64_t p[HTTP_MAX_PARAMS] = {0};
        if (!http_route_match(http_routes[i].pattern, path, p)) continue;
        check_params(p, count_ids(http_routes[i].pattern));
        any_path = true;
        if (!first && (strcmp(http_routes[i].method, method) == 0 ||
                       (head && strcmp(http_routes[i].method, "GET") == 0)))
            first = &http_routes[i];
    }

    if (known != any_path || r != first) abort();
    if (!r) return;
    if (idx >= http_nroutes || &http_routes[idx] != r) abort();
    /* HEAD must never reach a handler that changes state. */
    if (head ? strcmp(r->method, "GET") != 0 : strcmp(r->method, method) != 0) abort();
    size_t nids = count_ids(r->pattern);
    check_params(params, nids);

    int64_t again[HTTP_MAX_PARAMS] = {0};
    if (!http_route_match(r->pattern, path, again)) abort();
    if (memcmp(again, params, nids * sizeof params[0]) != 0) abort();
    check_canonical(r->pattern, params, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const uint8_t *p = data + 1, *end = data + size;
    char *raw_method = NULL;
    const char *method;
    if (data[0] >= 0xf0) {
        raw_method = take_cstr(&p, end);
        method = raw_method;
    } else {
        method = methods[data[0] % (sizeof methods / sizeof methods[0])];
    }
    char *path = take_cstr(&p, end);

    check_find(method, path);

    if (p < end) {
        /* Patterns are trusted table entries in production, but the matcher must still stay
         * inside params[] for any pattern: a route added with three "{id}" must fail to match
         * rather than write past the array. */
        char *pattern = take_cstr(&p, end);
        int64_t params[HTTP_MAX_PARAMS] = {0};
        if (http_route_match(pattern, path, params)) {
            check_params(params, count_ids(pattern));
            check_canonical(pattern, params, path);
        }
        free(pattern);
    }

    free(path);
    free(raw_method);
    return 0;
}
