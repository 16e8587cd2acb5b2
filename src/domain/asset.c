/*
 * asset.c — one computer entry: its schema, the cross-field rules, the canonical form, field
 * diffs and the filing deadlines (contract in asset.h). The inventory file formats (CSV, JSON)
 * live in asset_csv.c.
 *
 * Decisions the header leaves open, resolved here (the header repeats the ones callers see):
 *  - Validation and canonicalisation are one pass: the canonical entry is built while the
 *    rules are checked (a CPE or CIDR is parsed once) and thrown away when any error was
 *    found. Errors are first collected per entry, relative to the entry, then copied under the
 *    caller's prefix; so jv_validate (which resets its list) never clears earlier entries'.
 *  - One error per value, as jv does: a rule here is not reported at a pointer the schema has
 *    already reported (a service_model outside the enum is not also "not_allowed").
 *  - An empty string in an optional free-text member (version, notes, exemption.note, cpe,
 *    purl) means "absent": the CSV format cannot tell "" from absent, and the same filing must
 *    give the same canonical form whichever format it came in.
 *  - "cpe_source" is accepted on input so that a canonical entry is valid input again and
 *    canonicalising is idempotent: "derived" means "recompute", so the given cpe is replaced
 *    by the one derived from the (possibly edited) names.
 *  - A bare address in ip_ranges is a single host (/32, /128): people list hosts that way.
 *  - Dates must also lie in 1970–9999, the range deadline.h computes with, so every canonical
 *    entry has a computable deadline.
 *  - Products are unique by (kind, manufacturer, name): asset_diff matches products by that
 *    key, so two products sharing it would make a change ambiguous.
 */
#include "domain/asset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/cpe.h"
#include "domain/ipaddr.h"
#include "domain/purl.h"

#define ASSET_REF_MAX 64
#define ASSET_TEXT_MAX 200
#define ASSET_NOTE_MAX 2000
#define ASSET_VERSION_MAX 100
/* Longer text cannot be a CIDR (ipaddr.h). */
#define ASSET_CIDR_MAX IP_TEXT_MAX
#define ASSET_NCATEGORIES 6

/* ---- schema ----------------------------------------------------------------------------- */

static const char *const category_values[] = {"A", "B", "C", "D", "E", "F", NULL};
static const char *const kind_values[] = {"application", "middleware", "os",
                                          "appliance",   "cloud",      NULL};
static const char *const model_values[] = {"saas", "paas", "iaas", NULL};
static const char *const ground_values[] = {"exclusive_design", "general_purpose", NULL};
static const char *const source_values[] = {"filed", "derived", NULL};

static const struct jv_field category_item = {.type = JV_STRING, .enum_values = category_values};
static const struct jv_field range_item = {
    .type = JV_STRING, .min_len = 1, .max_len = ASSET_CIDR_MAX};

static const struct jv_field exemption_fields[] = {
    {.name = "ground", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = ground_values},
    {.name = "note", .type = JV_STRING, .flags = JV_NULLABLE, .max_len = ASSET_NOTE_MAX},
};

static const struct jv_field product_fields[] = {
    {.name = "kind", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = kind_values},
    {.name = "name",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = ASSET_TEXT_MAX,
     .format = JV_FMT_NO_CONTROL},
    {.name = "manufacturer",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = ASSET_TEXT_MAX,
     .format = JV_FMT_NO_CONTROL},
    {.name = "version",
     .type = JV_STRING,
     .flags = JV_NULLABLE,
     .max_len = ASSET_VERSION_MAX,
     .format = JV_FMT_NO_CONTROL},
    {.name = "service_model", .type = JV_STRING, .flags = JV_NULLABLE, .enum_values = model_values},
    {.name = "cpe", .type = JV_STRING, .flags = JV_NULLABLE, .max_len = CPE_MAX_LEN},
    {.name = "cpe_source", .type = JV_STRING, .flags = JV_NULLABLE, .enum_values = source_values},
    {.name = "purl", .type = JV_STRING, .flags = JV_NULLABLE, .max_len = PURL_MAX_LEN},
};

static const struct jv_field product_item = {
    .type = JV_OBJECT, .fields = product_fields, .nfields = RK_ARRAY_LEN(product_fields)};

static const struct jv_field entry_fields[] = {
    {.name = "ref",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = ASSET_REF_MAX,
     .format = JV_FMT_NO_CONTROL},
    {.name = "facility",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = ASSET_TEXT_MAX,
     .format = JV_FMT_NO_CONTROL},
    {.name = "categories",
     .type = JV_ARRAY,
     .flags = JV_REQUIRED | JV_UNIQUE,
     .min_len = 1,
     .max_len = ASSET_NCATEGORIES,
     .items = &category_item},
    {.name = "in_place_at_enforcement", .type = JV_BOOLEAN},
    {.name = "introduced_on", .type = JV_STRING, .flags = JV_NULLABLE, .format = JV_FMT_DATE},
    {.name = "changed_on", .type = JV_STRING, .flags = JV_NULLABLE, .format = JV_FMT_DATE},
    {.name = "retired_on", .type = JV_STRING, .flags = JV_NULLABLE, .format = JV_FMT_DATE},
    {.name = "exemption",
     .type = JV_OBJECT,
     .flags = JV_NULLABLE,
     .fields = exemption_fields,
     .nfields = RK_ARRAY_LEN(exemption_fields)},
    /* Not JV_UNIQUE: "2001:DB8::/32" and "2001:db8::/32" are the same network, so
     * uniqueness is checked on the canonical strings below. */
    {.name = "ip_ranges", .type = JV_ARRAY, .max_len = ASSET_MAX_RANGES, .items = &range_item},
    {.name = "products", .type = JV_ARRAY, .max_len = ASSET_MAX_PRODUCTS, .items = &product_item},
    {.name = "notes", .type = JV_STRING, .flags = JV_NULLABLE, .max_len = ASSET_NOTE_MAX},
};

const struct jv_field asset_entry_schema = {
    .type = JV_OBJECT, .fields = entry_fields, .nfields = RK_ARRAY_LEN(entry_fields)};

/* ---- small helpers ---------------------------------------------------------------------- */

unsigned asset_categories_mask(const json_t *categories)
{
    size_t n = json_array_size(categories);
    if (!json_is_array(categories) || n == 0 || n > ASSET_NCATEGORIES) return 0;
    unsigned mask = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(categories, i);
        const char *s = json_string_value(v);
        if (!s || json_string_length(v) != 1 || s[0] < 'A' || s[0] > 'F') return 0;
        unsigned bit = 1u << (unsigned)(s[0] - 'A');
        if (mask & bit) return 0;
        mask |= bit;
    }
    return mask;
}

/* The string value of member key, or NULL when it is absent, null or not a string. */
static const char *str_member(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* An optional string member as the canonical form has it: a copy, or null when absent, null,
 * empty or (on a path that already has an error) of the wrong type. */
static json_t *opt_string(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) == 0) return json_null();
    return json_copy(v);
}

/* Adds a member, taking the reference to v; false when v is NULL or jansson cannot allocate. */
static bool put(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0;
}

/* ---- validation context ----------------------------------------------------------------- */

struct range {
    char text[ASSET_CIDR_MAX + 8];
    size_t index; /* position as filed, for error pointers */
};

struct prod {
    json_t *canon; /* owned until moved into the products array */
    const char *kind, *manufacturer, *name, *version;
    size_t index;
};

/* Working storage for one entry: the CPE and purl structs and the ranges are too big for a
 * comfortable stack frame (server threads), so they live on the heap, allocated once. */
struct canon_ctx {
    struct jv_errors errs; /* this entry's errors, pointers relative to the entry */
    struct cpe cpe;
    struct purl purl;
    char buf[3 * PURL_MAX_LEN + 1]; /* purl_format's documented worst case; CPEs fit too */
    struct range ranges[ASSET_MAX_RANGES];
    struct prod prods[ASSET_MAX_PRODUCTS];
};

static bool has_error_at(const struct jv_errors *errs, const char *ptr)
{
    for (size_t i = 0; i < errs->n; i++)
        if (strcmp(errs->e[i].pointer, ptr) == 0) return true;
    return false;
}

/* Reports a rule at ptr unless the schema (or an earlier rule) already reported that value. */
__attribute__((format(printf, 4, 5))) static void rule_error(struct canon_ctx *c, const char *ptr,
                                                             const char *rule, const char *fmt, ...)
{
    if (has_error_at(&c->errs, ptr)) return;
    char msg[sizeof c->errs.e[0].message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jv_error_add(&c->errs, ptr, rule, "%s", msg);
}

/* ---- dates ------------------------------------------------------------------------------ */

/* Reads date member key: 0 when absent or null, 1 with *d set, -1 when unusable (the schema
 * reported its format, or it lies outside 1970–9999, reported here). */
static int get_date(struct canon_ctx *c, const json_t *e, const char *key, struct dl_date *d)
{
    const json_t *v = json_object_get(e, key);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v) || json_string_length(v) != 10) return -1;
    if (dl_parse(json_string_value(v), d) == RK_OK) return 1;
    char ptr[64];
    snprintf(ptr, sizeof ptr, "/%s", key);
    rule_error(c, ptr, "format", "must be a date between 1970-01-01 and 9999-12-31");
    return -1;
}

static void check_dates(struct canon_ctx *c, const json_t *e)
{
    struct dl_date intro, changed, retired;
    int hi = get_date(c, e, "introduced_on", &intro);
    int hc = get_date(c, e, "changed_on", &changed);
    int hr = get_date(c, e, "retired_on", &retired);
    const json_t *in_place = json_object_get(e, "in_place_at_enforcement");
    /* A computer in place at enforcement runs from the enforcement date; every other one
     * from its introduction, so that date is what the deadline needs. */
    if (hi == 0 && !json_is_true(in_place) && (!in_place || json_is_boolean(in_place)))
        rule_error(c, "/introduced_on", "required",
                   "is required unless in_place_at_enforcement is true");
    const char *intro_s = str_member(e, "introduced_on");
    if (hi == 1 && hc == 1 && dl_cmp(&changed, &intro) < 0)
        rule_error(c, "/changed_on", "date_order", "must not be before introduced_on (%s)",
                   intro_s);
    if (hi == 1 && hr == 1 && dl_cmp(&retired, &intro) < 0)
        rule_error(c, "/retired_on", "date_order", "must not be before introduced_on (%s)",
                   intro_s);
}

/* ---- IP ranges -------------------------------------------------------------------------- */

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    int r = strcmp(x->text, y->text);
    if (r) return r;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Canonical ip_ranges appended to out. RK_OK or RK_ENOMEM. */
static int canon_ranges(struct canon_ctx *c, const json_t *e, json_t *out)
{
    const json_t *arr = json_object_get(e, "ip_ranges");
    size_t n = json_array_size(arr);
    if (n > ASSET_MAX_RANGES) return RK_OK; /* reported by the schema; bounded work here */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        char ptr[64], why[sizeof c->errs.e[0].message];
        snprintf(ptr, sizeof ptr, "/ip_ranges/%zu", i);
        if (!json_is_string(v) || has_error_at(&c->errs, ptr)) continue;
        struct range *r = &c->ranges[kept];
        if (ip_cidr_canon(json_string_value(v), json_string_length(v), IP_CIDR_BARE_HOST, r->text,
                          sizeof r->text, why, sizeof why) != RK_OK) {
            rule_error(c, ptr, "cidr", "%s", why);
            continue;
        }
        r->index = i;
        kept++;
    }
    qsort(c->ranges, kept, sizeof c->ranges[0], cmp_range);
    for (size_t i = 0; i < kept; i++) {
        if (i > 0 && strcmp(c->ranges[i - 1].text, c->ranges[i].text) == 0) {
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/ip_ranges/%zu", c->ranges[i].index);
            rule_error(c, ptr, "unique_items", "repeats the network at /ip_ranges/%zu (%s)",
                       c->ranges[i - 1].index, c->ranges[i].text);
            continue;
        }
        if (json_array_append_new(out, json_string(c->ranges[i].text))) return RK_ENOMEM;
    }
    return RK_OK;
}

/* ---- products --------------------------------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0) return true;
    return false;
}

static char part_of_kind(const char *kind)
{
    if (strcmp(kind, "os") == 0) return 'o';
    if (strcmp(kind, "appliance") == 0) return 'h';
    return 'a';
}

/* Sets "cpe" and "cpe_source" (NULL: null). RK_OK or RK_ENOMEM. */
static int put_cpe(json_t *dst, const char *cpe, const char *source)
{
    bool ok = put(dst, "cpe", cpe ? json_string(cpe) : json_null()) &&
              put(dst, "cpe_source", source ? json_string(source) : json_null());
    return ok ? RK_OK : RK_ENOMEM;
}

/* The "cpe" and "cpe_source" members of product p (index j) into dst. RK_OK or RK_ENOMEM. */
static int product_cpe(struct canon_ctx *c, const json_t *p, size_t j, const struct prod *pr,
                       json_t *dst)
{
    char ptr[64];
    snprintf(ptr, sizeof ptr, "/products/%zu/cpe", j);
    const char *source = str_member(p, "cpe_source");
    const char *filed = str_member(p, "cpe");
    bool rederive = source && strcmp(source, "derived") == 0;
    if (!rederive && filed && filed[0]) {
        struct cpe_error ce = {-1, NULL};
        if (has_error_at(&c->errs, ptr)) {
            /* the schema refused it; nothing to canonicalise */
        } else if (cpe_parse(filed, &c->cpe, &ce) != RK_OK) {
            rule_error(c, ptr, "cpe", "is not a CPE 2.3 name (cpe:2.3:part:vendor:...): %s%s%s",
                       ce.attr >= 0 ? cpe_attr_name(ce.attr) : "", ce.attr >= 0 ? ": " : "",
                       ce.message ? ce.message : "invalid");
        } else if (cpe_has_wildcards(&c->cpe)) {
            rule_error(c, ptr, "cpe",
                       "must name one product: no wildcards (* or ?) inside a value");
        } else if (cpe_format(&c->cpe, c->buf, sizeof c->buf) != RK_OK) {
            rule_error(c, ptr, "cpe", "is too long");
        } else {
            return put_cpe(dst, c->buf, "filed");
        }
        return put_cpe(dst, NULL, NULL);
    }
    if (!rederive && source && strcmp(source, "filed") == 0)
        rule_error(c, ptr, "required", "is required when cpe_source is \"filed\"");
    /* Without a filed CPE, one built from the names as filed lets the matcher still find the
     * product; names a CPE cannot carry (Japanese text) leave it null. */
    if (pr->kind && pr->manufacturer && pr->name && in_list(pr->kind, kind_values) &&
        cpe_from_product(part_of_kind(pr->kind), pr->manufacturer, pr->name, pr->version,
                         &c->cpe) == RK_OK &&
        cpe_format(&c->cpe, c->buf, sizeof c->buf) == RK_OK)
        return put_cpe(dst, c->buf, "derived");
    return put_cpe(dst, NULL, NULL);
}

static int product_purl(struct canon_ctx *c, const json_t *p, size_t j, json_t *dst)
{
    char ptr[64];
    snprintf(ptr, sizeof ptr, "/products/%zu/purl", j);
    const char *s = str_member(p, "purl");
    if (s && s[0] && !has_error_at(&c->errs, ptr)) {
        struct purl_error pe = {NULL, NULL};
        if (purl_parse(s, &c->purl, &pe) != RK_OK) {
            rule_error(c, ptr, "purl",
                       "is not a Package URL (pkg:type/namespace/name@version): %s: %s",
                       pe.part ? pe.part : "purl", pe.message ? pe.message : "invalid");
        } else if (purl_format(&c->purl, c->buf, sizeof c->buf) != RK_OK ||
                   strlen(c->buf) > PURL_MAX_LEN) {
            /* The canonical form must be valid input again (it is stored and re-read). */
            rule_error(c, ptr, "purl", "is longer than %d characters once normalised",
                       PURL_MAX_LEN);
        } else {
            return put(dst, "purl", json_string(c->buf)) ? RK_OK : RK_ENOMEM;
        }
    }
    return put(dst, "purl", json_null()) ? RK_OK : RK_ENOMEM;
}

/* Canonical product j into pr->canon. RK_OK or RK_ENOMEM. */
static int canon_product(struct canon_ctx *c, const json_t *p, size_t j, struct prod *pr)
{
    pr->index = j;
    pr->kind = str_member(p, "kind");
    pr->manufacturer = str_member(p, "manufacturer");
    pr->name = str_member(p, "name");
    const json_t *ver = json_object_get(p, "version");
    pr->version = json_string_length(ver) > 0 ? json_string_value(ver) : NULL;
    pr->canon = json_object();
    if (!pr->canon) return RK_ENOMEM;
    json_t *d = pr->canon;
    json_t *kind = json_object_get(p, "kind");
    json_t *model = json_object_get(p, "service_model");
    if (!put(d, "kind", json_is_string(kind) ? json_copy(kind) : json_null()) ||
        !put(d, "name", opt_string(p, "name")) ||
        !put(d, "manufacturer", opt_string(p, "manufacturer")) ||
        !put(d, "version", opt_string(p, "version")) ||
        !put(d, "service_model", json_is_string(model) ? json_copy(model) : json_null()))
        return RK_ENOMEM;

    if (in_list(pr->kind, kind_values)) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/products/%zu/service_model", j);
        bool cloud = strcmp(pr->kind, "cloud") == 0;
        if (cloud && !json_is_string(model))
            rule_error(c, ptr, "required", "is required for a cloud service (saas, paas, iaas)");
        else if (!cloud && model && !json_is_null(model))
            rule_error(c, ptr, "not_allowed", "is allowed only when kind is \"cloud\"");
    }
    int rc = product_cpe(c, p, j, pr, d);
    return rc == RK_OK ? product_purl(c, p, j, d) : rc;
}

/* NULL sorts first, as null sorts before any version string in the canonical order. */
static int cmp_opt(const char *a, const char *b)
{
    if (!a || !b) return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_key(const struct prod *x, const struct prod *y)
{
    int r = cmp_opt(x->kind, y->kind);
    if (!r) r = cmp_opt(x->manufacturer, y->manufacturer);
    if (!r) r = cmp_opt(x->name, y->name);
    return r;
}

static int cmp_prod(const void *a, const void *b)
{
    const struct prod *x = a, *y = b;
    int r = cmp_key(x, y);
    if (!r) r = cmp_opt(x->version, y->version);
    if (!r) r = x->index < y->index ? -1 : x->index > y->index;
    return r;
}

/* Canonical products appended to out, sorted. RK_OK or RK_ENOMEM. */
static int canon_products(struct canon_ctx *c, const json_t *e, json_t *out)
{
    const json_t *arr = json_object_get(e, "products");
    size_t n = json_array_size(arr);
    if (n > ASSET_MAX_PRODUCTS) n = 0; /* reported by the schema; bounded work here */
    size_t kept = 0;
    int rc = RK_OK;
    for (size_t j = 0; j < n && rc == RK_OK; j++) {
        const json_t *p = json_array_get(arr, j);
        if (!json_is_object(p)) continue;
        rc = canon_product(c, p, j, &c->prods[kept]);
        kept++; /* even on failure: its canon (possibly NULL) is released below */
    }
    if (rc == RK_OK) qsort(c->prods, kept, sizeof c->prods[0], cmp_prod);
    for (size_t i = 0; i < kept; i++) {
        struct prod *pr = &c->prods[i];
        if (rc == RK_OK && i > 0 && pr->kind && pr->manufacturer && pr->name &&
            cmp_key(&c->prods[i - 1], pr) == 0) {
            size_t first = c->prods[i - 1].index, later = pr->index;
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/products/%zu/name", first > later ? first : later);
            rule_error(c, ptr, "duplicate",
                       "repeats the product at /products/%zu (same kind, manufacturer and "
                       "name): list each product once",
                       first < later ? first : later);
        }
        if (rc == RK_OK && json_array_append(out, pr->canon)) rc = RK_ENOMEM;
        json_decref(pr->canon);
        pr->canon = NULL;
    }
    return rc;
}

/* ---- entry ------------------------------------------------------------------------------ */

/* Entry-level rules that need several members. */
static void check_entry(struct canon_ctx *c, const json_t *e)
{
    check_dates(c, e);
    const json_t *in_ranges = json_object_get(e, "ip_ranges");
    const json_t *in_products = json_object_get(e, "products");
    const json_t *exemption = json_object_get(e, "exemption");
    const json_t *cats = json_object_get(e, "categories");
    /* Judged on the input so that an entry whose ranges all failed to parse is not also
     * called empty. Only when the categories themselves are valid, or a typo in them ("a")
     * would produce a second, misleading error. */
    unsigned mask = asset_categories_mask(cats);
    if (json_array_size(in_ranges) > 0 && mask && !(mask & 1u))
        rule_error(c, "/ip_ranges", "not_allowed",
                   "are allowed only for category A computers (categories has no \"A\")");
    bool ranges_ok = !in_ranges || json_is_array(in_ranges);
    bool products_ok = !in_products || json_is_array(in_products);
    if (ranges_ok && products_ok && json_array_size(in_ranges) == 0 &&
        json_array_size(in_products) == 0 && (!exemption || json_is_null(exemption)))
        rule_error(c, "/products", "empty_entry",
                   "must list at least one product or IP range unless an exemption is recorded");
}

/* Builds the canonical entry into out while checking every rule. RK_OK or RK_ENOMEM; the
 * errors are in c->errs. Containers are attached to out before they are filled, so out owns
 * everything at every step and a failure is a plain return (the caller releases out). */
static int canon_entry(struct canon_ctx *c, const json_t *e, json_t *out)
{
    if (!put(out, "ref", opt_string(e, "ref")) ||
        !put(out, "facility", opt_string(e, "facility")) || !put(out, "categories", json_array()))
        return RK_ENOMEM;
    /* Sorted by construction: from the set bits, A first. */
    json_t *cats = json_object_get(out, "categories");
    const json_t *in_cats = json_object_get(e, "categories");
    unsigned mask = 0;
    for (size_t i = 0; i < json_array_size(in_cats) && i < ASSET_NCATEGORIES; i++) {
        const char *s = json_string_value(json_array_get(in_cats, i));
        if (s && s[0] >= 'A' && s[0] <= 'F' && !s[1]) mask |= 1u << (unsigned)(s[0] - 'A');
    }
    for (unsigned b = 0; b < ASSET_NCATEGORIES; b++) {
        char letter[2] = {(char)('A' + b), '\0'};
        if ((mask & (1u << b)) && json_array_append_new(cats, json_string(letter)))
            return RK_ENOMEM;
    }
    if (!put(out, "in_place_at_enforcement",
             json_boolean(json_is_true(json_object_get(e, "in_place_at_enforcement")))))
        return RK_ENOMEM;
    static const char *const dates[] = {"introduced_on", "changed_on", "retired_on"};
    for (size_t i = 0; i < RK_ARRAY_LEN(dates); i++)
        if (!put(out, dates[i], opt_string(e, dates[i]))) return RK_ENOMEM;

    const json_t *ex = json_object_get(e, "exemption");
    if (!put(out, "exemption", json_is_object(ex) ? json_object() : json_null())) return RK_ENOMEM;
    json_t *x = json_object_get(out, "exemption");
    if (json_is_object(x) &&
        (!put(x, "ground", opt_string(ex, "ground")) || !put(x, "note", opt_string(ex, "note"))))
        return RK_ENOMEM;

    if (!put(out, "ip_ranges", json_array())) return RK_ENOMEM;
    int rc = canon_ranges(c, e, json_object_get(out, "ip_ranges"));
    if (rc != RK_OK) return rc;
    if (!put(out, "products", json_array())) return RK_ENOMEM;
    rc = canon_products(c, e, json_object_get(out, "products"));
    if (rc != RK_OK) return rc;
    if (!put(out, "notes", opt_string(e, "notes"))) return RK_ENOMEM;
    check_entry(c, e);
    return RK_OK;
}

/* Copies one entry's errors under prefix into the caller's list, which keeps accumulating. */
static void merge_errors(struct jv_errors *dst, const struct jv_errors *src, const char *prefix)
{
    for (size_t i = 0; i < src->n; i++) {
        /* Longer than any stored pointer: jv_error_add cuts it (on a UTF-8 boundary, with
         * "...") when prefix and pointer together do not fit. */
        char ptr[2 * JV_POINTER_MAX];
        snprintf(ptr, sizeof ptr, "%s%s", prefix, src->e[i].pointer);
        jv_error_add(dst, ptr, src->e[i].rule, "%s", src->e[i].message);
    }
    dst->dropped += src->dropped;
}

int asset_canonical(const json_t *entry, const char *prefix, json_t **out, struct jv_errors *errs)
{
    if (!out || !errs) return RK_EINVAL;
    *out = NULL;
    if (!prefix) prefix = "";
    int rc = RK_ENOMEM;
    json_t *canon = NULL;
    struct canon_ctx *c = malloc(sizeof *c);
    if (!c) goto done;
    jv_validate(entry, &asset_entry_schema, &c->errs);
    if (json_is_object(entry)) {
        canon = json_object();
        if (!canon || (rc = canon_entry(c, entry, canon)) != RK_OK) goto done;
    }
    merge_errors(errs, &c->errs, prefix);
    rc = c->errs.n || c->errs.dropped ? RK_EINVAL : RK_OK;
    if (rc == RK_OK) {
        *out = canon;
        canon = NULL;
    }
done:
    json_decref(canon);
    free(c);
    return rc;
}

char *asset_canonical_dump(const json_t *canon)
{
    return canon ? json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* ---- diff ------------------------------------------------------------------------------- */

/* Members in the order changes are listed. */
static const char *const entry_members[] = {
    "ref",           "facility",   "categories", "in_place_at_enforcement",
    "introduced_on", "changed_on", "retired_on", "exemption",
    "ip_ranges",     "products",   "notes"};
static const char *const product_members[] = {"kind",          "name", "manufacturer", "version",
                                              "service_model", "cpe",  "cpe_source",   "purl"};

/* Appends {"op", "path", "old"?, "new"?}; old/new are copied so the diff owns its values. */
static int push_op(json_t *ops, const char *op, const char *path, const json_t *old,
                   const json_t *new_value)
{
    json_t *o = json_object();
    if (json_array_append_new(ops, o) || !put(o, "op", json_string(op)) ||
        !put(o, "path", json_string(path)) || (old && !put(o, "old", json_deep_copy(old))) ||
        (new_value && !put(o, "new", json_deep_copy(new_value))))
        return RK_ENOMEM;
    return RK_OK;
}

static int diff_value(json_t *ops, const char *base, const char *key, const json_t *va,
                      const json_t *vb)
{
    if ((!va && !vb) || (va && vb && json_equal(va, vb))) return RK_OK;
    char path[JV_POINTER_MAX];
    snprintf(path, sizeof path, "%s", base);
    jv_pointer_append(path, sizeof path, key);
    if (!va) return push_op(ops, "add", path, NULL, vb);
    if (!vb) return push_op(ops, "remove", path, va, NULL);
    return push_op(ops, "replace", path, va, vb);
}

static bool listed(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0) return true;
    return false;
}

/* Members outside the known list (only in non-canonical input): changes, then additions. */
static int diff_extra(json_t *ops, const char *base, const json_t *a, const json_t *b,
                      const char *const *list, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)a, key, v)
    {
        if (listed(key, list, n)) continue;
        int rc = diff_value(ops, base, key, v, json_object_get(b, key));
        if (rc) return rc;
    }
    json_object_foreach((json_t *)b, key, v)
    {
        if (listed(key, list, n) || json_object_get(a, key)) continue;
        int rc = diff_value(ops, base, key, NULL, v);
        if (rc) return rc;
    }
    return RK_OK;
}

struct pkey {
    const char *kind, *manufacturer, *name;
    size_t index;
};

static int cmp_pkey(const void *x, const void *y)
{
    const struct pkey *a = x, *b = y;
    int r = cmp_opt(a->kind, b->kind);
    if (!r) r = cmp_opt(a->manufacturer, b->manufacturer);
    if (!r) r = cmp_opt(a->name, b->name);
    if (!r) r = a->index < b->index ? -1 : a->index > b->index;
    return r;
}

static void fill_keys(const json_t *arr, struct pkey *k, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(arr, i);
        k[i] = (struct pkey){str_member(p, "kind"), str_member(p, "manufacturer"),
                             str_member(p, "name"), i};
    }
    qsort(k, n, sizeof *k, cmp_pkey);
}

/*
 * Products matched by (kind, manufacturer, name): both sides sorted by that key and merged,
 * O(n log n) whatever order the arrays are in. Removals are listed first (by index in a),
 * then additions and changes in b's order.
 */
static int diff_products(json_t *ops, const json_t *pa, const json_t *pb)
{
    size_t na = json_array_size(pa), nb = json_array_size(pb);
    int rc = RK_ENOMEM;
    struct pkey *ka = malloc((na + 1) * sizeof *ka), *kb = malloc((nb + 1) * sizeof *kb);
    size_t *match_a = malloc((na + 1) * sizeof *match_a); /* index in b, or SIZE_MAX */
    size_t *match_b = malloc((nb + 1) * sizeof *match_b); /* index in a, or SIZE_MAX */
    if (!ka || !kb || !match_a || !match_b) goto done;
    fill_keys(pa, ka, na);
    fill_keys(pb, kb, nb);
    for (size_t i = 0; i < na; i++)
        match_a[i] = SIZE_MAX;
    for (size_t j = 0; j < nb; j++)
        match_b[j] = SIZE_MAX;
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        int r = cmp_opt(ka[i].kind, kb[j].kind);
        if (!r) r = cmp_opt(ka[i].manufacturer, kb[j].manufacturer);
        if (!r) r = cmp_opt(ka[i].name, kb[j].name);
        if (r == 0 && ka[i].kind && ka[i].manufacturer && ka[i].name) {
            match_a[ka[i].index] = kb[j].index;
            match_b[kb[j].index] = ka[i].index;
            i++;
            j++;
        } else if (r <= 0) {
            i++;
        } else {
            j++;
        }
    }
    char path[JV_POINTER_MAX];
    for (size_t i = 0; i < na; i++) {
        if (match_a[i] != SIZE_MAX) continue;
        snprintf(path, sizeof path, "/products/%zu", i);
        if ((rc = push_op(ops, "remove", path, json_array_get(pa, i), NULL)) != RK_OK) goto done;
    }
    for (size_t j = 0; j < nb; j++) {
        const json_t *b = json_array_get(pb, j);
        snprintf(path, sizeof path, "/products/%zu", j);
        if (match_b[j] == SIZE_MAX) {
            if ((rc = push_op(ops, "add", path, NULL, b)) != RK_OK) goto done;
            continue;
        }
        const json_t *a = json_array_get(pa, match_b[j]);
        for (size_t m = 0; m < RK_ARRAY_LEN(product_members); m++) {
            rc = diff_value(ops, path, product_members[m], json_object_get(a, product_members[m]),
                            json_object_get(b, product_members[m]));
            if (rc != RK_OK) goto done;
        }
        rc = diff_extra(ops, path, a, b, product_members, RK_ARRAY_LEN(product_members));
        if (rc != RK_OK) goto done;
    }
    rc = RK_OK;
done:
    free(ka);
    free(kb);
    free(match_a);
    free(match_b);
    return rc;
}

json_t *asset_diff(const json_t *a, const json_t *b)
{
    json_t *ops = json_array();
    if (!ops) return NULL;
    int rc = RK_OK;
    if (!json_is_object(a) || !json_is_object(b)) {
        /* Not entries at all: one change of the whole value, so equal stays []. */
        if (!json_equal(a, b)) rc = push_op(ops, "replace", "", a, b);
    } else {
        for (size_t i = 0; i < RK_ARRAY_LEN(entry_members) && rc == RK_OK; i++) {
            const char *k = entry_members[i];
            const json_t *va = json_object_get(a, k), *vb = json_object_get(b, k);
            if (strcmp(k, "products") == 0 && json_is_array(va) && json_is_array(vb))
                rc = diff_products(ops, va, vb);
            else
                rc = diff_value(ops, "", k, va, vb);
        }
        if (rc == RK_OK) rc = diff_extra(ops, "", a, b, entry_members, RK_ARRAY_LEN(entry_members));
    }
    if (rc != RK_OK) {
        json_decref(ops);
        return NULL;
    }
    return ops;
}

/* ---- deadlines -------------------------------------------------------------------------- */

int asset_deadline(const struct asset_rules *rules, enum asset_filing_kind kind,
                   const json_t *canon, dl_holiday_fn fn, void *ctx, struct dl_date *from,
                   struct dl_date *out)
{
    if (!rules || !canon || !out) return RK_EINVAL;
    const char *key;
    int months;
    switch (kind) {
    case ASSET_FILING_NEW:
        key = "introduced_on";
        months = rules->months_new;
        break;
    case ASSET_FILING_CHANGE:
        key = "changed_on";
        months = rules->months_change;
        break;
    case ASSET_FILING_RETIRE:
        key = "retired_on";
        months = rules->months_change;
        break;
    default:
        return RK_EINVAL;
    }
    struct dl_date event;
    if (kind == ASSET_FILING_NEW &&
        json_is_true(json_object_get(canon, "in_place_at_enforcement"))) {
        /* Already in place: the period runs from the enforcement date, whatever the
         * introduction date; without that setting there is no deadline to give yet. */
        if (!rules->have_enforcement) return RK_ENOTFOUND;
        if (!dl_valid(&rules->enforcement)) return RK_EINVAL;
        event = rules->enforcement;
        months = rules->months_in_place;
    } else {
        const json_t *v = json_object_get(canon, key);
        if (!v || json_is_null(v)) return RK_ENOTFOUND;
        if (!json_is_string(v) || dl_parse(json_string_value(v), &event) != RK_OK) return RK_EINVAL;
        /* Nothing was owed before the law took effect: an introduction, change or retirement
         * dated earlier is part of the state in place at enforcement, due with it. */
        if (rules->have_enforcement && dl_valid(&rules->enforcement) &&
            dl_cmp(&event, &rules->enforcement) < 0) {
            event = rules->enforcement;
            months = rules->months_in_place;
        }
    }
    struct dl_date d;
    int rc = dl_deadline_months(&event, months, fn, ctx, &d);
    if (rc != RK_OK) return rc;
    if (from) *from = event;
    *out = d;
    return RK_OK;
}
