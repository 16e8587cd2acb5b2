/*
 * fuzz_asset_entry.c — computer entries and JSON inventories on untrusted input. The bytes are
 * read twice: as a JSON inventory ({"entries": [...]}, each entry canonicalised under its
 * "/entries/<i>" prefix) and as one entry. Invariants (abort on breach):
 *   - RK_OK exactly when no error was added, and then a canonical entry is returned;
 *   - every error has a rule, a pointer under the caller's prefix and UTF-8 text;
 *   - the canonical form has every member, sorted categories (a non-zero mask), sorted and
 *     distinct ip_ranges, products sorted by (kind, manufacturer, name) with a cpe_source that
 *     matches the cpe;
 *   - canonicalising the canonical form again succeeds and gives the very same dump
 *     (idempotence: stored entries stay valid input);
 *   - asset_diff of an entry with itself and with its re-canonicalised copy is [], and a change
 *     of the facility is exactly one "replace" of "/facility";
 *   - the deadlines answer RK_OK, RK_ENOTFOUND or RK_EINVAL, never anything else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/asset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs beyond this only repeat what smaller ones exercise, slower. */
#define FUZZ_MAX_INPUT 65536
#define FUZZ_MAX_ENTRIES 64

static void check_errors(const struct jv_errors *errs, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < errs->n; i++) {
        const struct jv_error *e = &errs->e[i];
        if (!e->rule || strncmp(e->pointer, prefix, plen) != 0) abort();
        if (e->pointer[0] != '\0' && e->pointer[0] != '/') abort();
        json_t *p = json_string(e->pointer), *m = json_string(e->message);
        if (!p || !m) abort();
        json_decref(p);
        json_decref(m);
    }
}

static const char *const members[] = {
    "ref",           "facility",   "categories", "in_place_at_enforcement",
    "introduced_on", "changed_on", "retired_on", "exemption",
    "ip_ranges",     "products",   "notes"};

static int cmp_str(const json_t *a, const json_t *b, const char *key)
{
    const char *x = json_string_value(json_object_get(a, key));
    const char *y = json_string_value(json_object_get(b, key));
    if (!x || !y) return (x != NULL) - (y != NULL);
    return strcmp(x, y);
}

static void check_shape(const json_t *c)
{
    if (json_object_size(c) != sizeof members / sizeof members[0]) abort();
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (!json_object_get(c, members[i])) abort();
    const json_t *cats = json_object_get(c, "categories");
    if (!asset_categories_mask(cats)) abort();
    for (size_t i = 1; i < json_array_size(cats); i++)
        if (strcmp(json_string_value(json_array_get(cats, i - 1)),
                   json_string_value(json_array_get(cats, i))) >= 0)
            abort();
    const json_t *r = json_object_get(c, "ip_ranges");
    for (size_t i = 1; i < json_array_size(r); i++)
        if (strcmp(json_string_value(json_array_get(r, i - 1)),
                   json_string_value(json_array_get(r, i))) >= 0)
            abort();
    const json_t *p = json_object_get(c, "products");
    for (size_t i = 0; i < json_array_size(p); i++) {
        const json_t *x = json_array_get(p, i);
        if (json_object_size(x) != 8) abort();
        bool has_cpe = json_is_string(json_object_get(x, "cpe"));
        if (has_cpe != json_is_string(json_object_get(x, "cpe_source"))) abort();
        if (i == 0) continue;
        const json_t *w = json_array_get(p, i - 1);
        int k = cmp_str(w, x, "kind");
        if (!k) k = cmp_str(w, x, "manufacturer");
        if (!k) k = cmp_str(w, x, "name");
        if (k >= 0) abort(); /* sorted, and the key is unique */
    }
}

static bool holiday(void *ctx, int y, int m, int d)
{
    (void)ctx;
    return m == 11 && d == 23 && y > 0;
}

static void check_deadlines(const json_t *canon)
{
    struct asset_rules rules = {4, 6, 4, true, {2026, 11, 1}, 30, 24};
    for (int k = ASSET_FILING_NEW; k <= ASSET_FILING_RETIRE; k++) {
        struct dl_date from, out;
        int rc =
            asset_deadline(&rules, (enum asset_filing_kind)k, canon, holiday, NULL, &from, &out);
        if (rc != RK_OK && rc != RK_ENOTFOUND && rc != RK_EINVAL) abort();
        if (rc == RK_OK && (!dl_valid(&out) || dl_cmp(&out, &from) <= 0)) abort();
    }
}

static void check_diffs(const json_t *canon, const json_t *again)
{
    json_t *d1 = asset_diff(canon, canon), *d2 = asset_diff(canon, again);
    if (d1 && json_array_size(d1) != 0) abort();
    if (d2 && json_array_size(d2) != 0) abort();
    json_decref(d1);
    json_decref(d2);
    json_t *changed = json_deep_copy(canon);
    if (!changed) return;
    json_object_set_new(changed, "facility", json_string("fuzz: changed facility"));
    json_t *d3 = asset_diff(canon, changed);
    if (d3 &&
        !json_equal(json_object_get(canon, "facility"), json_object_get(changed, "facility"))) {
        const json_t *op = json_array_get(d3, 0);
        if (json_array_size(d3) != 1 ||
            strcmp(json_string_value(json_object_get(op, "op")), "replace") != 0 ||
            strcmp(json_string_value(json_object_get(op, "path")), "/facility") != 0)
            abort();
    }
    json_decref(d3);
    json_decref(changed);
}

static void check_entry(const json_t *entry, const char *prefix)
{
    struct jv_errors errs = {0};
    json_t *canon = NULL;
    int rc = asset_canonical(entry, prefix, &canon, &errs);
    if (rc == RK_ENOMEM) return;
    check_errors(&errs, prefix);
    if ((rc == RK_OK) != (errs.n == 0 && errs.dropped == 0)) abort();
    if (rc != RK_OK) {
        if (rc != RK_EINVAL || canon) abort();
        return;
    }
    if (!canon) abort();
    check_shape(canon);
    json_t *again = NULL;
    struct jv_errors errs2 = {0};
    if (asset_canonical(canon, "", &again, &errs2) != RK_OK) abort();
    char *a = asset_canonical_dump(canon), *b = asset_canonical_dump(again);
    if (a && b && strcmp(a, b) != 0) abort();
    free(a);
    free(b);
    check_diffs(canon, again);
    check_deadlines(canon);
    json_decref(again);
    json_decref(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    struct jv_errors errs = {0};
    json_t *entries = NULL;
    int rc = asset_inventory_json((const char *)data, size, &entries, &errs);
    check_errors(&errs, "");
    if ((rc == RK_OK) != (entries != NULL)) abort();
    if (rc == RK_OK && errs.n) abort();
    if (rc == RK_EINVAL && !errs.n) abort();
    for (size_t i = 0; i < json_array_size(entries) && i < FUZZ_MAX_ENTRIES; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "/entries/%zu", i);
        check_entry(json_array_get(entries, i), prefix);
    }
    json_decref(entries);

    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (doc) check_entry(doc, "");
    json_decref(doc);
    return 0;
}
