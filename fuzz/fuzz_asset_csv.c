/*
 * fuzz_asset_csv.c — CSV inventories on untrusted input. Invariants (abort on breach):
 *   - RK_OK exactly when no error was added; then *entries and *linemap are parallel arrays,
 *     every entry's lines are increasing data lines (≥ 2) with no fewer lines than products,
 *     and refs are distinct; on failure both are NULL;
 *   - every error has a rule, a "/rows" pointer and UTF-8 text;
 *   - every error asset_canonical reports maps, through asset_csv_pointer, to one of the
 *     entry's own lines;
 *   - round trip: entries that are valid, written back as CSV (every cell quoted, CRLF or LF,
 *     with or without a BOM) and parsed again, give the very same canonical entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/asset.h"
#include "fuzz_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536
#define FUZZ_MAX_ENTRIES 256

static void check_errors(const struct jv_errors *errs)
{
    for (size_t i = 0; i < errs->n; i++) {
        const struct jv_error *e = &errs->e[i];
        if (!e->rule || strncmp(e->pointer, "/rows", 5) != 0) abort();
        json_t *p = json_string(e->pointer), *m = json_string(e->message);
        if (!p || !m) abort();
        json_decref(p);
        json_decref(m);
    }
}

static void cell(struct out *o, const char *s, bool last)
{
    put(o, "\"", 1);
    for (; s && *s; s++) {
        put(o, s, 1);
        if (*s == '"') put(o, "\"", 1); /* a quote inside a quoted cell is doubled */
    }
    put(o, last ? "\"" : "\",", last ? 1 : 2);
}

static void list_cell(struct out *o, const json_t *arr)
{
    put(o, "\"", 1);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (i) put(o, ";", 1);
        const char *s = json_string_value(json_array_get(arr, i));
        put(o, s, strlen(s));
    }
    put(o, "\",", 2);
}

static const char header[] =
    "ref,facility,categories,in_place_at_enforcement,introduced_on,changed_on,retired_on,"
    "exemption_ground,exemption_note,ip_ranges,notes,product_kind,product_name,manufacturer,"
    "product_version,service_model,cpe,purl";

static const char *s_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void write_entry(struct out *o, const json_t *c, const char *eol)
{
    const json_t *products = json_object_get(c, "products");
    const json_t *ex = json_object_get(c, "exemption");
    size_t rows = json_array_size(products) ? json_array_size(products) : 1;
    for (size_t r = 0; r < rows; r++) {
        const json_t *p = json_array_get(products, r); /* NULL: a row without a product */
        cell(o, s_of(c, "ref"), false);
        cell(o, s_of(c, "facility"), false);
        list_cell(o, json_object_get(c, "categories"));
        cell(o, json_is_true(json_object_get(c, "in_place_at_enforcement")) ? "TRUE" : "0", false);
        cell(o, s_of(c, "introduced_on"), false);
        cell(o, s_of(c, "changed_on"), false);
        cell(o, s_of(c, "retired_on"), false);
        cell(o, s_of(ex, "ground"), false);
        cell(o, s_of(ex, "note"), false);
        list_cell(o, json_object_get(c, "ip_ranges"));
        cell(o, s_of(c, "notes"), false);
        cell(o, s_of(p, "kind"), false);
        cell(o, s_of(p, "name"), false);
        cell(o, s_of(p, "manufacturer"), false);
        cell(o, s_of(p, "version"), false);
        cell(o, s_of(p, "service_model"), false);
        /* A derived CPE is the registry's, not the operator's: written back it would turn
         * "filed". */
        const char *src = s_of(p, "cpe_source");
        cell(o, src && strcmp(src, "filed") == 0 ? s_of(p, "cpe") : NULL, false);
        cell(o, s_of(p, "purl"), true);
        put(o, eol, strlen(eol));
    }
}

static void round_trip(const json_t *canons, bool crlf, bool bom)
{
    struct out o = {0};
    const char *eol = crlf ? "\r\n" : "\n";
    if (bom) put(&o, "\xEF\xBB\xBF", 3);
    put(&o, header, sizeof header - 1);
    put(&o, eol, strlen(eol));
    for (size_t i = 0; i < json_array_size(canons); i++)
        write_entry(&o, json_array_get(canons, i), eol);
    if (o.failed) {
        free(o.p);
        return;
    }
    struct jv_errors errs = {0};
    json_t *entries = NULL, *linemap = NULL;
    int rc = asset_inventory_csv(o.p, o.n, &entries, &linemap, &errs);
    if (rc == RK_ENOMEM) goto done;
    if (rc != RK_OK || json_array_size(entries) != json_array_size(canons)) abort();
    for (size_t i = 0; i < json_array_size(entries); i++) {
        json_t *canon = NULL;
        struct jv_errors e2 = {0};
        rc = asset_canonical(json_array_get(entries, i), "", &canon, &e2);
        if (rc == RK_ENOMEM) goto done;
        if (rc != RK_OK) abort();
        char *a = asset_canonical_dump(canon);
        char *b = asset_canonical_dump(json_array_get(canons, i));
        if (a && b && strcmp(a, b) != 0) abort();
        free(a);
        free(b);
        json_decref(canon);
    }
done:
    json_decref(entries);
    json_decref(linemap);
    free(o.p);
}

static void check_result(const json_t *entries, const json_t *linemap, bool crlf, bool bom)
{
    size_t n = json_array_size(entries);
    if (!json_is_array(entries) || !json_is_array(linemap) || json_array_size(linemap) != n)
        abort();
    json_t *canons = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(entries, i), *lines = json_array_get(linemap, i);
        size_t nl = json_array_size(lines);
        if (nl == 0 || json_array_size(json_object_get(e, "products")) > nl) abort();
        for (size_t j = 0; j < nl; j++) {
            json_int_t l = json_integer_value(json_array_get(lines, j));
            if (l < 2 || (j && l <= json_integer_value(json_array_get(lines, j - 1)))) abort();
        }
        if (n <= FUZZ_MAX_ENTRIES)
            for (size_t k = 0; k < i; k++)
                if (json_equal(json_object_get(e, "ref"),
                               json_object_get(json_array_get(entries, k), "ref")))
                    abort();
        if (i >= FUZZ_MAX_ENTRIES) continue;
        struct jv_errors errs = {0};
        json_t *canon = NULL;
        int rc = asset_canonical(e, "", &canon, &errs);
        for (size_t k = 0; k < errs.n; k++) {
            char ptr[JV_POINTER_MAX];
            asset_csv_pointer(errs.e[k].pointer, lines, ptr, sizeof ptr);
            char *end = NULL;
            if (strncmp(ptr, "/rows/", 6) != 0) abort();
            long long line = strtoll(ptr + 6, &end, 10);
            if (end == ptr + 6 || (*end && *end != '/')) abort();
            bool own = false;
            for (size_t j = 0; j < nl && !own; j++)
                own = json_integer_value(json_array_get(lines, j)) == line;
            if (!own) abort();
        }
        if (rc == RK_OK && canons) json_array_append(canons, canon);
        json_decref(canon);
    }
    if (canons && json_array_size(canons)) round_trip(canons, crlf, bom);
    json_decref(canons);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    struct jv_errors errs = {0};
    json_t *entries = NULL, *linemap = NULL;
    int rc = asset_inventory_csv((const char *)data, size, &entries, &linemap, &errs);
    if (rc == RK_ENOMEM) return 0;
    check_errors(&errs);
    if ((rc == RK_OK) != (errs.n == 0 && errs.dropped == 0)) abort();
    if (rc != RK_OK) {
        if (entries || linemap || (rc != RK_EINVAL && rc != RK_ELIMIT)) abort();
        return 0;
    }
    check_result(entries, linemap, size > 0 && (data[0] & 1), size > 0 && (data[0] & 2));
    json_decref(entries);
    json_decref(linemap);
    return 0;
}
