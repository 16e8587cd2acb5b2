/*
 * test_asset.c — computer entries: the canonical form, every cross-field rule with its exact
 * pointer and rule name, field diffs, JSON and CSV inventories with their error positions,
 * the filing deadlines, and a 100,000-row CSV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unit_json.h"

#include "core/rk.h"
#include "domain/asset.h"

/* The 100,000-row cases print how long they took and never fail on it: tests do not time
 * (make bench does). Quadratic behaviour would still show, as a run past CTest's timeout. */

static const struct jv_error *find_err(const struct jv_errors *errs, const char *ptr,
                                       const char *rule)
{
    for (size_t i = 0; i < errs->n; i++)
        if (strcmp(errs->e[i].pointer, ptr) == 0 && strcmp(errs->e[i].rule, rule) == 0)
            return &errs->e[i];
    ut_print_errors(errs);
    fail_msg("no error %s [%s]", ptr, rule);
    return NULL;
}

/* A valid entry to start variants from. */
static const char BASE[] =
    "{\"ref\":\"PC-001\",\"facility\":\"本社データセンター\",\"categories\":[\"A\"],"
    "\"introduced_on\":\"2026-05-31\",\"products\":[{\"kind\":\"os\",\"name\":\"Windows "
    "Server\",\"manufacturer\":\"Microsoft\",\"version\":\"2022\"}]}";

/* BASE with the members of patch set over it; a member set to "DELETE" is removed. */
static json_t *variant(const char *patch)
{
    json_t *e = ut_json(BASE), *p = ut_json(patch);
    const char *key;
    json_t *v;
    json_object_foreach(p, key, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), "DELETE") == 0)
            json_object_del(e, key);
        else
            json_object_set(e, key, v);
    }
    json_decref(p);
    return e;
}

static json_t *canon_json(const json_t *in)
{
    struct jv_errors errs = {0};
    json_t *c = NULL;
    int rc = asset_canonical(in, "", &c, &errs);
    if (rc != RK_OK) {
        ut_print_errors(&errs);
        fail_msg("asset_canonical: %d", rc);
    }
    assert_non_null(c);
    assert_int_equal(errs.n, 0);
    return c;
}

static json_t *canon_of(const char *text)
{
    json_t *in = ut_json(text);
    json_t *c = canon_json(in);
    json_decref(in);
    return c;
}

static json_t *canon_variant(const char *patch)
{
    json_t *in = variant(patch);
    json_t *c = canon_json(in);
    json_decref(in);
    return c;
}

/* The variant must fail with exactly one error, at ptr with rule, whose message contains
 * message_part (unless NULL). */
static void expect_one_error(const char *patch, const char *ptr, const char *rule,
                             const char *message_part)
{
    json_t *in = variant(patch);
    struct jv_errors errs = {0};
    json_t *c = (json_t *)1;
    int rc = asset_canonical(in, "", &c, &errs);
    json_decref(in);
    if (rc != RK_EINVAL || errs.n != 1) {
        ut_print_errors(&errs);
        fail_msg("%s: rc %d, %zu errors; want one %s [%s]", patch, rc, errs.n, ptr, rule);
    }
    assert_null(c);
    assert_string_equal(errs.e[0].pointer, ptr);
    assert_string_equal(errs.e[0].rule, rule);
    if (message_part && !strstr(errs.e[0].message, message_part))
        fail_msg("message \"%s\" lacks \"%s\"", errs.e[0].message, message_part);
}

static const char *sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const json_t *product(const json_t *canon, size_t i)
{
    return json_array_get(json_object_get(canon, "products"), i);
}

/* ---- canonical form --------------------------------------------------------------------- */

static void canonical_full_form(void **state)
{
    json_t *c = canon_of(
        "{\"ref\":\"PC-001\",\"facility\":\"本社データセンター\",\"categories\":[\"D\",\"A\"],"
        "\"introduced_on\":\"2026-05-31\","
        "\"ip_ranges\":[\"203.0.113.0/24\",\"2001:DB8:0:0::/48\",\"192.0.2.7\"],"
        "\"products\":["
        "{\"kind\":\"os\",\"name\":\"Red Hat Enterprise Linux\",\"manufacturer\":\"Red "
        "Hat\",\"version\":\"9.4\"},"
        "{\"kind\":\"appliance\",\"name\":\"FortiGate 100F\",\"manufacturer\":\"Fortinet\","
        "\"version\":\"7.2.8\"},"
        "{\"kind\":\"middleware\",\"name\":\"WebLogic\",\"manufacturer\":\"Oracle\","
        "\"cpe\":\"cpe:2.3:a:Oracle:WebLogic_Server:14.1.1.0.0:*:*:*:*:*:*:*\"},"
        "{\"kind\":\"cloud\",\"name\":\"Microsoft 365\",\"manufacturer\":\"Microsoft\","
        "\"service_model\":\"saas\"},"
        "{\"kind\":\"application\",\"name\":\"勘定系\",\"manufacturer\":\"自社\","
        "\"purl\":\"pkg:PyPI/Django_Rest@3.15\"}],"
        "\"notes\":\"複数行\\n  のメモ \"}");
    ut_assert_json(
        c, "{\"ref\":\"PC-001\",\"facility\":\"本社データセンター\",\"categories\":[\"A\",\"D\"],"
           "\"in_place_at_enforcement\":false,\"introduced_on\":\"2026-05-31\","
           "\"changed_on\":null,\"retired_on\":null,\"exemption\":null,"
           "\"ip_ranges\":[\"192.0.2.7/32\",\"2001:db8::/48\",\"203.0.113.0/24\"],"
           "\"products\":["
           "{\"kind\":\"appliance\",\"name\":\"FortiGate 100F\",\"manufacturer\":\"Fortinet\","
           "\"version\":\"7.2.8\",\"service_model\":null,"
           "\"cpe\":\"cpe:2.3:h:fortinet:fortigate_100f:7.2.8:*:*:*:*:*:*:*\","
           "\"cpe_source\":\"derived\",\"purl\":null},"
           "{\"kind\":\"application\",\"name\":\"勘定系\",\"manufacturer\":\"自社\","
           "\"version\":null,\"service_model\":null,\"cpe\":null,\"cpe_source\":null,"
           "\"purl\":\"pkg:pypi/django-rest@3.15\"},"
           "{\"kind\":\"cloud\",\"name\":\"Microsoft 365\",\"manufacturer\":\"Microsoft\","
           "\"version\":null,\"service_model\":\"saas\","
           "\"cpe\":\"cpe:2.3:a:microsoft:microsoft_365:*:*:*:*:*:*:*:*\","
           "\"cpe_source\":\"derived\",\"purl\":null},"
           "{\"kind\":\"middleware\",\"name\":\"WebLogic\",\"manufacturer\":\"Oracle\","
           "\"version\":null,\"service_model\":null,"
           "\"cpe\":\"cpe:2.3:a:oracle:weblogic_server:14.1.1.0.0:*:*:*:*:*:*:*\","
           "\"cpe_source\":\"filed\",\"purl\":null},"
           "{\"kind\":\"os\",\"name\":\"Red Hat Enterprise Linux\",\"manufacturer\":\"Red Hat\","
           "\"version\":\"9.4\",\"service_model\":null,"
           "\"cpe\":\"cpe:2.3:o:red_hat:red_hat_enterprise_linux:9.4:*:*:*:*:*:*:*\","
           "\"cpe_source\":\"derived\",\"purl\":null}],"
           "\"notes\":\"複数行\\n  のメモ \"}");
    /* The dump is the comparison key: compact, keys sorted. */
    char *d = asset_canonical_dump(c);
    assert_non_null(d);
    static const char head[] = "{\"categories\":[\"A\",\"D\"],\"changed_on\":null,";
    assert_true(strncmp(d, head, sizeof head - 1) == 0);
    free(d);
    assert_null(asset_canonical_dump(NULL));
    json_decref(c);
}

static void canonical_defaults_and_empty_strings(void **state)
{
    /* Absent optional values become null / false / []; an empty optional string is absent. */
    json_t *c = canon_variant("{\"notes\":\"\",\"exemption\":{\"ground\":\"general_purpose\","
                              "\"note\":\"\"},\"products\":[{\"kind\":\"os\",\"name\":\"N\","
                              "\"manufacturer\":\"M\",\"version\":\"\",\"cpe\":\"\","
                              "\"purl\":\"\"}]}");
    ut_assert_json(c, "{\"ref\":\"PC-001\",\"facility\":\"本社データセンター\","
                      "\"categories\":[\"A\"],\"in_place_at_enforcement\":false,"
                      "\"introduced_on\":\"2026-05-31\",\"changed_on\":null,\"retired_on\":null,"
                      "\"exemption\":{\"ground\":\"general_purpose\",\"note\":null},"
                      "\"ip_ranges\":[],\"products\":[{\"kind\":\"os\",\"name\":\"N\","
                      "\"manufacturer\":\"M\",\"version\":null,\"service_model\":null,"
                      "\"cpe\":\"cpe:2.3:o:m:n:*:*:*:*:*:*:*:*\",\"cpe_source\":\"derived\","
                      "\"purl\":null}],\"notes\":null}");
    json_decref(c);

    /* Text is kept exactly as filed: no trimming, no folding. */
    c = canon_variant("{\"ref\":\" ｒｅｆ 1 \",\"facility\":\"  本社　棟  \"}");
    assert_string_equal(sget(c, "ref"), " ｒｅｆ 1 ");
    assert_string_equal(sget(c, "facility"), "  本社　棟  ");
    json_decref(c);

    /* Exempt with nothing else: allowed, the exemption is the record. */
    c = canon_variant("{\"products\":[],\"exemption\":{\"ground\":\"exclusive_design\","
                      "\"note\":\"専用設計品\"}}");
    ut_assert_json(json_object_get(c, "exemption"),
                   "{\"ground\":\"exclusive_design\",\"note\":\"専用設計品\"}");
    assert_int_equal(json_array_size(json_object_get(c, "products")), 0);
    json_decref(c);

    /* In place at enforcement: no introduction date needed. */
    c = canon_variant("{\"introduced_on\":\"DELETE\",\"in_place_at_enforcement\":true}");
    assert_true(json_is_null(json_object_get(c, "introduced_on")));
    assert_true(json_is_true(json_object_get(c, "in_place_at_enforcement")));
    json_decref(c);
}

static void derived_cpe_per_kind(void **state)
{
    static const struct {
        const char *kind, *model, *want;
    } cases[] = {
        {"os", NULL, "cpe:2.3:o:microsoft:windows_server:2022:*:*:*:*:*:*:*"},
        {"appliance", NULL, "cpe:2.3:h:microsoft:windows_server:2022:*:*:*:*:*:*:*"},
        {"application", NULL, "cpe:2.3:a:microsoft:windows_server:2022:*:*:*:*:*:*:*"},
        {"middleware", NULL, "cpe:2.3:a:microsoft:windows_server:2022:*:*:*:*:*:*:*"},
        {"cloud", "iaas", "cpe:2.3:a:microsoft:windows_server:2022:*:*:*:*:*:*:*"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char patch[512];
        snprintf(patch, sizeof patch,
                 "{\"products\":[{\"kind\":\"%s\",\"name\":\"Windows  Server \","
                 "\"manufacturer\":\"Microsoft\",\"version\":\"2022\"%s%s%s}]}",
                 cases[i].kind, cases[i].model ? ",\"service_model\":\"" : "",
                 cases[i].model ? cases[i].model : "", cases[i].model ? "\"" : "");
        json_t *c = canon_variant(patch);
        const json_t *p = product(c, 0);
        assert_string_equal(sget(p, "cpe"), cases[i].want);
        assert_string_equal(sget(p, "cpe_source"), "derived");
        assert_string_equal(sget(p, "name"), "Windows  Server "); /* as filed */
        json_decref(c);
    }
    /* No version: ANY. Names a CPE cannot carry: no CPE at all. Punctuation is escaped. */
    json_t *c = canon_variant(
        "{\"products\":[{\"kind\":\"application\",\"name\":\"C++ Builder\",\"manufacturer\":"
        "\"Embarcadero\"},{\"kind\":\"os\",\"name\":\"独自OS\",\"manufacturer\":\"自社\","
        "\"version\":\"1.0\"}]}");
    assert_string_equal(sget(product(c, 0), "cpe"),
                        "cpe:2.3:a:embarcadero:c\\+\\+_builder:*:*:*:*:*:*:*:*");
    assert_true(json_is_null(json_object_get(product(c, 1), "cpe")));
    assert_true(json_is_null(json_object_get(product(c, 1), "cpe_source")));
    json_decref(c);
}

static void filed_cpe_and_purl(void **state)
{
    /* A filed CPE wins over the derived one and is canonicalised (lower case). */
    json_t *c = canon_variant(
        "{\"products\":[{\"kind\":\"os\",\"name\":\"Windows Server\",\"manufacturer\":"
        "\"Microsoft\",\"version\":\"2022\",\"cpe\":\"cpe:2.3:o:MicroSoft:Windows_Server_2022:"
        "-:*:*:*:*:*:X64:*\",\"purl\":\"pkg:NPM/%40Babel/Core@7.24.0?B=2&a=1\"}]}");
    const json_t *p = product(c, 0);
    assert_string_equal(sget(p, "cpe"),
                        "cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:x64:*");
    assert_string_equal(sget(p, "cpe_source"), "filed");
    assert_string_equal(sget(p, "purl"), "pkg:npm/%40Babel/Core@7.24.0?a=1&b=2");
    json_decref(c);

    expect_one_error("{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
                     "\"cpe\":\"cpe:2.3:o:microsoft:windows*:*:*:*:*:*:*:*:*\"}]}",
                     "/products/0/cpe", "cpe", "wildcards");
    expect_one_error("{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
                     "\"cpe\":\"cpe:/o:microsoft:windows\"}]}",
                     "/products/0/cpe", "cpe", "CPE 2.3");
    expect_one_error("{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
                     "\"purl\":\"npm/left-pad\"}]}",
                     "/products/0/purl", "purl", "Package URL");
    expect_one_error("{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
                     "\"cpe_source\":\"filed\"}]}",
                     "/products/0/cpe", "required", "cpe_source");

    /* cpe_source "derived" means "recompute": a stale CPE sent back with edited names is
     * replaced, so a canonical entry round-trips through an edit. */
    c = canon_variant("{\"products\":[{\"kind\":\"os\",\"name\":\"Windows Server\","
                      "\"manufacturer\":\"Microsoft\",\"version\":\"2025\","
                      "\"cpe\":\"cpe:2.3:o:microsoft:windows_server:2022:*:*:*:*:*:*:*\","
                      "\"cpe_source\":\"derived\"}]}");
    assert_string_equal(sget(product(c, 0), "cpe"),
                        "cpe:2.3:o:microsoft:windows_server:2025:*:*:*:*:*:*:*");
    assert_string_equal(sget(product(c, 0), "cpe_source"), "derived");
    json_decref(c);
}

static void ip_ranges_canonical(void **state)
{
    json_t *c = canon_variant("{\"ip_ranges\":[\"2001:DB8:0:0:0:0:0:0/32\","
                              "\"2001:db8:0:0:1:0:0:1/128\",\"192.0.2.10\",\"10.0.0.0/8\","
                              "\"2001:0db8:0000:0000:0000:ff00:0042:8329\",\"0.0.0.0/0\","
                              "\"::ffff:198.51.100.0/120\"]}");
    ut_assert_json(json_object_get(c, "ip_ranges"),
                   "[\"0.0.0.0/0\",\"10.0.0.0/8\",\"192.0.2.10/32\",\"2001:db8::/32\","
                   "\"2001:db8::1:0:0:1/128\",\"2001:db8::ff00:42:8329/128\","
                   "\"::ffff:198.51.100.0/120\"]");
    json_decref(c);

    expect_one_error("{\"ip_ranges\":[\"10.0.0.0/8\",\"203.0.113.5/24\"]}", "/ip_ranges/1", "cidr",
                     "the network is 203.0.113.0/24");
    expect_one_error("{\"ip_ranges\":[\"2001:db8::1/32\"]}", "/ip_ranges/0", "cidr",
                     "the network is 2001:db8::/32");
    expect_one_error("{\"ip_ranges\":[\"10.0.0.0/33\"]}", "/ip_ranges/0", "cidr", "0 to 32");
    expect_one_error("{\"ip_ranges\":[\"2001:db8::/129\"]}", "/ip_ranges/0", "cidr", "0 to 128");
    expect_one_error("{\"ip_ranges\":[\"10.0.0.0/\"]}", "/ip_ranges/0", "cidr", NULL);
    expect_one_error("{\"ip_ranges\":[\"256.0.0.0/8\"]}", "/ip_ranges/0", "cidr", "IPv4");
    expect_one_error("{\"ip_ranges\":[\"010.0.0.0/8\"]}", "/ip_ranges/0", "cidr", NULL);
    expect_one_error("{\"ip_ranges\":[\"fe80::1%eth0/128\"]}", "/ip_ranges/0", "cidr", NULL);
    expect_one_error("{\"ip_ranges\":[\" 10.0.0.0/8\"]}", "/ip_ranges/0", "cidr", NULL);
    /* Distinct as text, the same network once canonical. */
    expect_one_error("{\"ip_ranges\":[\"2001:DB8::/32\",\"10.0.0.0/8\",\"2001:db8::/32\"]}",
                     "/ip_ranges/2", "unique_items", "/ip_ranges/0");
}

struct rule_case {
    const char *patch, *pointer, *rule;
};

static void cross_field_rules(void **state)
{
    static const struct rule_case cases[] = {
        /* introduction date */
        {"{\"introduced_on\":\"DELETE\"}", "/introduced_on", "required"},
        {"{\"introduced_on\":null,\"in_place_at_enforcement\":false}", "/introduced_on",
         "required"},
        /* date order and range */
        {"{\"changed_on\":\"2026-05-30\"}", "/changed_on", "date_order"},
        {"{\"retired_on\":\"2025-01-01\"}", "/retired_on", "date_order"},
        {"{\"introduced_on\":\"1969-12-31\"}", "/introduced_on", "format"},
        {"{\"changed_on\":\"2026-02-29\"}", "/changed_on", "format"},
        {"{\"retired_on\":\"2026-6-1\"}", "/retired_on", "format"},
        /* IP ranges only for category A */
        {"{\"categories\":[\"D\"],\"ip_ranges\":[\"10.0.0.0/8\"]}", "/ip_ranges", "not_allowed"},
        /* nothing to file */
        {"{\"products\":[]}", "/products", "empty_entry"},
        {"{\"products\":\"DELETE\"}", "/products", "empty_entry"},
        {"{\"products\":[],\"exemption\":null,\"ip_ranges\":[]}", "/products", "empty_entry"},
        /* service models */
        {"{\"products\":[{\"kind\":\"cloud\",\"name\":\"Box\",\"manufacturer\":\"Box\"}]}",
         "/products/0/service_model", "required"},
        {"{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
         "\"service_model\":\"iaas\"}]}",
         "/products/0/service_model", "not_allowed"},
        {"{\"products\":[{\"kind\":\"cloud\",\"name\":\"n\",\"manufacturer\":\"m\","
         "\"service_model\":\"faas\"}]}",
         "/products/0/service_model", "enum"},
        /* one product per (kind, manufacturer, name) */
        {"{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\",\"version\":"
         "\"2\"},{\"kind\":\"os\",\"name\":\"x\",\"manufacturer\":\"m\"},{\"kind\":\"os\","
         "\"name\":\"n\",\"manufacturer\":\"m\",\"version\":\"1\"}]}",
         "/products/2/name", "duplicate"},
        {"{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\",\"version\":"
         "\"1\"},{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\",\"version\":\"2\"}]}",
         "/products/1/name", "duplicate"},
        /* schema rules */
        {"{\"categories\":[\"A\",\"G\"]}", "/categories/1", "enum"},
        {"{\"categories\":[\"a\"]}", "/categories/0", "enum"},
        {"{\"categories\":[\"A\",\"A\"]}", "/categories/1", "unique_items"},
        {"{\"categories\":[]}", "/categories", "min_items"},
        {"{\"ref\":\"\"}", "/ref", "min_length"},
        {"{\"ref\":\"a\\nb\"}", "/ref", "format"},
        {"{\"facility\":\"DELETE\"}", "/facility", "required"},
        {"{\"colour\":\"red\"}", "/colour", "unknown_field"},
        {"{\"exemption\":{\"note\":\"x\"},\"products\":[]}", "/exemption/ground", "required"},
        {"{\"exemption\":{\"ground\":\"cheap\"}}", "/exemption/ground", "enum"},
        {"{\"in_place_at_enforcement\":\"true\"}", "/in_place_at_enforcement", "type"},
        {"{\"products\":[{\"kind\":\"server\",\"name\":\"n\",\"manufacturer\":\"m\"}]}",
         "/products/0/kind", "enum"},
        {"{\"products\":[{\"kind\":\"os\",\"name\":\"n\"}]}", "/products/0/manufacturer",
         "required"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_one_error(cases[i].patch, cases[i].pointer, cases[i].rule, NULL);

    /* Allowed: ranges with category A among others; a change on the introduction day. */
    json_t *c = canon_variant("{\"categories\":[\"D\",\"A\"],\"ip_ranges\":[\"10.0.0.0/8\"],"
                              "\"changed_on\":\"2026-05-31\",\"retired_on\":\"2027-01-01\"}");
    json_decref(c);
    /* Only ranges: enough to file. */
    c = canon_variant("{\"products\":[],\"ip_ranges\":[\"10.0.0.0/8\"]}");
    json_decref(c);
}

static void errors_accumulate_under_prefix(void **state)
{
    struct jv_errors errs = {0};
    jv_error_add(&errs, "/earlier", "required", "from before");
    json_t *in = variant("{\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
                         "\"cpe\":\"bad\"}],\"changed_on\":\"2020-01-01\"}");
    json_t *c = (json_t *)1;
    assert_int_equal(asset_canonical(in, "/entries/3", &c, &errs), RK_EINVAL);
    assert_null(c);
    assert_int_equal(errs.n, 3);
    assert_string_equal(errs.e[0].pointer, "/earlier");
    find_err(&errs, "/entries/3/products/0/cpe", "cpe");
    find_err(&errs, "/entries/3/changed_on", "date_order");
    /* A second entry keeps adding. */
    assert_int_equal(asset_canonical(in, "/entries/4", &c, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 5);
    find_err(&errs, "/entries/4/products/0/cpe", "cpe");
    json_decref(in);

    /* More errors in one entry than a list holds: the rest are counted, not lost. */
    struct jv_errors many = {0};
    json_t *bad = variant("{\"ip_ranges\":[\"x0\",\"x1\",\"x2\",\"x3\",\"x4\",\"x5\",\"x6\","
                          "\"x7\",\"x8\",\"x9\",\"x10\",\"x11\",\"x12\",\"x13\",\"x14\","
                          "\"x15\",\"x16\",\"x17\",\"x18\",\"x19\"]}");
    assert_int_equal(asset_canonical(bad, "", &c, &many), RK_EINVAL);
    assert_int_equal(many.n, JV_MAX_ERRORS);
    assert_int_equal(many.dropped, 20 - JV_MAX_ERRORS);
    json_decref(bad);

    /* Not an object at all. */
    json_t *arr = ut_json("[1]");
    assert_int_equal(asset_canonical(arr, "/entries/0", &c, &errs), RK_EINVAL);
    find_err(&errs, "/entries/0", "type");
    json_decref(arr);
    assert_int_equal(asset_canonical(NULL, "", NULL, &errs), RK_EINVAL);
}

static void canonical_is_a_fixed_point(void **state)
{
    json_t *a = canon_of(
        "{\"ref\":\"X\",\"facility\":\"f\",\"categories\":[\"F\",\"B\",\"A\"],"
        "\"in_place_at_enforcement\":true,\"ip_ranges\":[\"2001:DB8::/32\",\"10.0.0.0/8\"],"
        "\"products\":[{\"kind\":\"os\",\"name\":\"b\",\"manufacturer\":\"m\",\"cpe\":"
        "\"cpe:2.3:o:M:B:1:*:*:*:*:*:*:*\"},{\"kind\":\"cloud\",\"name\":\"a\","
        "\"manufacturer\":\"m\",\"service_model\":\"paas\",\"purl\":\"pkg:Generic/a@1\"}]}");
    json_t *b = canon_json(a);
    char *da = asset_canonical_dump(a), *db = asset_canonical_dump(b);
    assert_string_equal(da, db);
    free(db);
    /* The same filing written differently gives the same dump. */
    json_t *c =
        canon_of("{\"products\":[{\"manufacturer\":\"m\",\"name\":\"a\",\"kind\":\"cloud\","
                 "\"service_model\":\"paas\",\"purl\":\"pkg:generic/a@1\",\"version\":\"\"},"
                 "{\"kind\":\"os\",\"name\":\"b\",\"manufacturer\":\"m\","
                 "\"cpe\":\"cpe:2.3:o:m:b:1:*:*:*:*:*:*:*\"}],\"ip_ranges\":[\"10.0.0.0/8\","
                 "\"2001:db8:0::/32\"],\"categories\":[\"A\",\"F\",\"B\"],\"facility\":\"f\","
                 "\"ref\":\"X\",\"in_place_at_enforcement\":true,\"notes\":null}");
    char *dc = asset_canonical_dump(c);
    assert_string_equal(da, dc);
    free(da);
    free(dc);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void categories_mask(void **state)
{
    static const struct {
        const char *json;
        unsigned mask;
    } cases[] = {
        {"[\"A\"]", 0x01}, {"[\"A\",\"D\"]", 0x09},
        {"[\"F\"]", 0x20}, {"[\"A\",\"B\",\"C\",\"D\",\"E\",\"F\"]", ASSET_CAT_ALL},
        {"[]", 0},         {"[\"G\"]", 0},
        {"[\"a\"]", 0},    {"[\"A\",\"A\"]", 0},
        {"[\"AD\"]", 0},   {"[1]", 0},
        {"\"A\"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = ut_json(cases[i].json);
        assert_int_equal(asset_categories_mask(v), cases[i].mask);
        json_decref(v);
    }
    assert_int_equal(asset_categories_mask(NULL), 0);
}

/* ---- diff ------------------------------------------------------------------------------- */

static void assert_diff(const json_t *a, const json_t *b, const char *want)
{
    json_t *d = asset_diff(a, b);
    assert_non_null(d);
    ut_assert_json(d, want);
    json_decref(d);
}

static void diff_cases(void **state)
{
    json_t *a = canon_variant("{}");
    json_t *same = canon_variant("{}");
    assert_diff(a, same, "[]");
    assert_diff(a, a, "[]");

    json_t *b = canon_variant("{\"facility\":\"大阪拠点\"}");
    assert_diff(a, b,
                "[{\"op\":\"replace\",\"path\":\"/facility\",\"old\":\"本社データセンター\","
                "\"new\":\"大阪拠点\"}]");
    json_decref(b);

    b = canon_variant("{\"categories\":[\"D\",\"A\"],\"changed_on\":\"2026-06-01\"}");
    assert_diff(a, b,
                "[{\"op\":\"replace\",\"path\":\"/categories\",\"old\":[\"A\"],"
                "\"new\":[\"A\",\"D\"]},{\"op\":\"replace\",\"path\":\"/changed_on\","
                "\"old\":null,\"new\":\"2026-06-01\"}]");
    json_decref(b);

    b = canon_variant("{\"ip_ranges\":[\"10.0.0.0/8\"],\"exemption\":{\"ground\":"
                      "\"general_purpose\"}}");
    assert_diff(a, b,
                "[{\"op\":\"replace\",\"path\":\"/exemption\",\"old\":null,"
                "\"new\":{\"ground\":\"general_purpose\",\"note\":null}},"
                "{\"op\":\"replace\",\"path\":\"/ip_ranges\",\"old\":[],"
                "\"new\":[\"10.0.0.0/8\"]}]");
    json_decref(b);
    json_decref(a);
    json_decref(same);

    /* Product matched by (kind, manufacturer, name): a new product sorting first moves the
     * changed one from index 0 in a to index 1 in b; the paths use b's index. */
    static const char fg_old[] = "{\"kind\":\"appliance\",\"name\":\"FortiGate 100F\","
                                 "\"manufacturer\":\"Fortinet\",\"version\":\"7.2.8\"}";
    static const char fg_new[] = "{\"kind\":\"appliance\",\"name\":\"FortiGate 100F\","
                                 "\"manufacturer\":\"Fortinet\",\"version\":\"7.4.1\"}";
    static const char a10[] = "{\"kind\":\"appliance\",\"name\":\"Thunder\","
                              "\"manufacturer\":\"A10 Networks\"}";
    static const char win[] =
        "{\"kind\":\"os\",\"name\":\"Windows Server\",\"manufacturer\":\"Microsoft\","
        "\"version\":\"2022\"}";
    char patch[1024];
    snprintf(patch, sizeof patch, "{\"products\":[%s,%s]}", win, fg_old);
    a = canon_variant(patch);
    snprintf(patch, sizeof patch, "{\"products\":[%s,%s,%s]}", fg_new, win, a10);
    b = canon_variant(patch);
    assert_string_equal(sget(product(b, 1), "name"), "FortiGate 100F");
    assert_diff(a, b,
                "[{\"op\":\"add\",\"path\":\"/products/0\",\"new\":{\"kind\":\"appliance\","
                "\"name\":\"Thunder\",\"manufacturer\":\"A10 Networks\",\"version\":null,"
                "\"service_model\":null,\"cpe\":\"cpe:2.3:h:a10_networks:thunder:*:*:*:*:*:*:*:"
                "*\",\"cpe_source\":\"derived\",\"purl\":null}},"
                "{\"op\":\"replace\",\"path\":\"/products/1/version\",\"old\":\"7.2.8\","
                "\"new\":\"7.4.1\"},"
                "{\"op\":\"replace\",\"path\":\"/products/1/cpe\","
                "\"old\":\"cpe:2.3:h:fortinet:fortigate_100f:7.2.8:*:*:*:*:*:*:*\","
                "\"new\":\"cpe:2.3:h:fortinet:fortigate_100f:7.4.1:*:*:*:*:*:*:*\"}]");
    /* And back: the added product is removed at its index in b (now "a"), the version
     * changes at the index in the new one. */
    assert_diff(b, a,
                "[{\"op\":\"remove\",\"path\":\"/products/0\",\"old\":{\"kind\":\"appliance\","
                "\"name\":\"Thunder\",\"manufacturer\":\"A10 Networks\",\"version\":null,"
                "\"service_model\":null,\"cpe\":\"cpe:2.3:h:a10_networks:thunder:*:*:*:*:*:*:*:"
                "*\",\"cpe_source\":\"derived\",\"purl\":null}},"
                "{\"op\":\"replace\",\"path\":\"/products/0/version\",\"old\":\"7.4.1\","
                "\"new\":\"7.2.8\"},"
                "{\"op\":\"replace\",\"path\":\"/products/0/cpe\","
                "\"old\":\"cpe:2.3:h:fortinet:fortigate_100f:7.4.1:*:*:*:*:*:*:*\","
                "\"new\":\"cpe:2.3:h:fortinet:fortigate_100f:7.2.8:*:*:*:*:*:*:*\"}]");
    json_decref(b);

    /* Removing the middle product of three: index in a. */
    snprintf(patch, sizeof patch, "{\"products\":[%s,%s,%s]}", a10, fg_old, win);
    json_t *three = canon_variant(patch);
    snprintf(patch, sizeof patch, "{\"products\":[%s,%s]}", a10, win);
    b = canon_variant(patch);
    json_t *d = asset_diff(three, b);
    assert_int_equal(json_array_size(d), 1);
    assert_string_equal(sget(json_array_get(d, 0), "op"), "remove");
    assert_string_equal(sget(json_array_get(d, 0), "path"), "/products/1");
    assert_null(json_object_get(json_array_get(d, 0), "new"));
    assert_string_equal(sget(json_object_get(json_array_get(d, 0), "old"), "name"),
                        "FortiGate 100F");
    json_decref(d);
    json_decref(b);

    /* A renamed product is a different product: remove and add. */
    b = canon_variant("{\"products\":[{\"kind\":\"os\",\"name\":\"Windows Server 2022\","
                      "\"manufacturer\":\"Microsoft\",\"version\":\"2022\"}]}");
    json_t *one = canon_variant("{}");
    d = asset_diff(one, b);
    assert_int_equal(json_array_size(d), 2);
    assert_string_equal(sget(json_array_get(d, 0), "op"), "remove");
    assert_string_equal(sget(json_array_get(d, 0), "path"), "/products/0");
    assert_string_equal(sget(json_array_get(d, 1), "op"), "add");
    assert_string_equal(sget(json_array_get(d, 1), "path"), "/products/0");
    json_decref(d);

    /* The diff owns its values: releasing the entries leaves it intact. */
    d = asset_diff(three, one);
    json_decref(three);
    json_decref(one);
    json_decref(b);
    json_decref(a);
    assert_int_equal(json_array_size(d), 2);
    assert_string_equal(sget(json_object_get(json_array_get(d, 0), "old"), "name"), "Thunder");
    json_decref(d);
}

/* ---- JSON inventory --------------------------------------------------------------------- */

static void json_inventory(void **state)
{
    static const char doc[] =
        "\xEF\xBB\xBF{\"entries\":["
        "{\"ref\":\"1\",\"facility\":\"f\",\"categories\":[\"A\"],\"in_place_at_enforcement\":"
        "true,\"ip_ranges\":[\"10.0.0.0/8\"]},"
        "{\"ref\":\"2\",\"facility\":\"f\",\"categories\":[\"A\"],\"in_place_at_enforcement\":"
        "true,\"ip_ranges\":[\"10.0.0.0/8\"]},"
        "{\"ref\":\"3\",\"facility\":\"f\",\"categories\":[\"A\"],\"in_place_at_enforcement\":"
        "true,\"ip_ranges\":[\"10.0.0.0/8\"]},"
        "{\"ref\":\"4\",\"facility\":\"f\",\"categories\":[\"A\"],\"introduced_on\":"
        "\"2026-01-01\",\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\","
        "\"cpe\":\"cpe:2.3:o:m:n\"}]}]}";
    struct jv_errors errs = {0};
    json_t *entries = NULL;
    assert_int_equal(asset_inventory_json(doc, sizeof doc - 1, &entries, &errs), RK_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(json_array_size(entries), 4);
    /* The caller validates each entry under its position in the document. */
    for (size_t i = 0; i < json_array_size(entries); i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "/entries/%zu", i);
        json_t *c = NULL;
        int rc = asset_canonical(json_array_get(entries, i), prefix, &c, &errs);
        assert_int_equal(rc, i == 3 ? RK_EINVAL : RK_OK);
        json_decref(c);
    }
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "/entries/3/products/0/cpe");
    assert_string_equal(errs.e[0].rule, "cpe");
    json_decref(entries);

    static const struct {
        const char *doc, *pointer, *rule;
    } bad[] = {
        {"{\"entries\": [", "", "json_syntax"},
        {"", "", "json_syntax"},
        {"{\"entries\":[],\"entries\":[]}", "", "json_syntax"},
        {"[{}]", "", "type"},
        {"{}", "/entries", "required"},
        {"{\"entries\":{}}", "/entries", "type"},
        {"{\"entries\":[],\"org\":\"x\"}", "/org", "unknown_field"},
        {"{\"entries\":[{\"ref\":\"\x96\x7b\"}]}", "", "encoding"},
        {"{\"entries\":[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]}", "", "max_depth"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct jv_errors e = {0};
        json_t *out = (json_t *)1;
        assert_int_equal(asset_inventory_json(bad[i].doc, strlen(bad[i].doc), &out, &e), RK_EINVAL);
        assert_null(out);
        find_err(&e, bad[i].pointer, bad[i].rule);
    }

    /* jansson quotes the text near a syntax error and may cut a character in two; the
     * message travels inside JSON, so it must stay UTF-8. */
    static const char cut[] = "{\"entries\":[{\"notes\":\"複数行\\uのメモ\"}]}";
    struct jv_errors e = {0};
    json_t *out = NULL;
    assert_int_equal(asset_inventory_json(cut, sizeof cut - 1, &out, &e), RK_EINVAL);
    const struct jv_error *err = find_err(&e, "", "json_syntax");
    json_t *msg = json_string(err->message);
    assert_non_null(msg);
    json_decref(msg);
}

static void json_inventory_limit(void **state)
{
    /* One entry past the limit: RK_ELIMIT and exactly one error, even with other faults. */
    size_t n = ASSET_INVENTORY_MAX_ROWS + 1;
    size_t cap = 64 + 3 * n;
    char *doc = malloc(cap);
    assert_non_null(doc);
    size_t len = (size_t)snprintf(doc, cap, "{\"x\":1,\"entries\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) doc[len++] = ',';
        doc[len++] = '{';
        doc[len++] = '}';
    }
    doc[len++] = ']';
    doc[len++] = '}';
    struct jv_errors errs = {0};
    json_t *entries = (json_t *)1;
    assert_int_equal(asset_inventory_json(doc, len, &entries, &errs), RK_ELIMIT);
    assert_null(entries);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "/entries");
    assert_string_equal(errs.e[0].rule, "max_items");
    free(doc);
}

/* ---- CSV -------------------------------------------------------------------------------- */

#define H                                                                                          \
    "ref,facility,categories,in_place_at_enforcement,introduced_on,changed_on,retired_on,"         \
    "exemption_ground,exemption_note,ip_ranges,notes,product_kind,product_name,manufacturer,"      \
    "product_version,service_model,cpe,purl"

static void csv_ok(const char *text, size_t len, json_t **entries, json_t **linemap)
{
    struct jv_errors errs = {0};
    int rc = asset_inventory_csv(text, len, entries, linemap, &errs);
    if (rc != RK_OK) {
        ut_print_errors(&errs);
        fail_msg("asset_inventory_csv: %d", rc);
    }
    assert_int_equal(errs.n, 0);
    assert_int_equal(json_array_size(*entries), json_array_size(*linemap));
}

/* The CSV must fail with an error at ptr with rule (and, when n_errors > 0, exactly that many
 * errors) whose message contains message_part (unless NULL). */
static void csv_error(const char *text, size_t len, const char *ptr, const char *rule,
                      size_t n_errors, const char *message_part)
{
    struct jv_errors errs = {0};
    json_t *entries = (json_t *)1, *linemap = (json_t *)1;
    int rc = asset_inventory_csv(text, len, &entries, &linemap, &errs);
    if (rc != RK_EINVAL) {
        ut_print_errors(&errs);
        fail_msg("asset_inventory_csv: %d, want RK_EINVAL", rc);
    }
    assert_null(entries);
    assert_null(linemap);
    const struct jv_error *e = find_err(&errs, ptr, rule);
    if (n_errors && errs.n != n_errors) {
        ut_print_errors(&errs);
        fail_msg("%zu errors, want %zu", errs.n, n_errors);
    }
    if (message_part && !strstr(e->message, message_part))
        fail_msg("message \"%s\" lacks \"%s\"", e->message, message_part);
}

#define CSV_OK(text, e, l) csv_ok(text, sizeof(text) - 1, e, l)
#define CSV_ERROR(text, ptr, rule, n, part) csv_error(text, sizeof(text) - 1, ptr, rule, n, part)

static void csv_basic(void **state)
{
    static const char text[] =
        H "\n"
          "PC-001,本社,A;D,false,2026-05-31,,,,,203.0.113.0/24;2001:db8::/48,,os,Windows "
          "Server,Microsoft,2022,,,\n"
          "PC-001,本社,A;D,false,2026-05-31,,,,,203.0.113.0/24;2001:db8::/48,,application,"
          "Apache HTTP Server,Apache,2.4.62,,cpe:2.3:a:apache:http_server:2.4.62:*:*:*:*:*:*:*,"
          "pkg:generic/httpd@2.4.62\n"
          "NW-7,大阪,A,true,,,,,,198.51.100.0/25,,,,,,,,\n"
          "EX-1,制御室,C,0,2025-04-01,2026-01-15,,exclusive_design,専用設計品,,備考,,,,,,,\n"
          "CL-3,クラウド,E,,2026-01-10,,2026-03-01,,,,,cloud,Box,Box Inc.,,saas,,\n";
    json_t *entries, *linemap;
    CSV_OK(text, &entries, &linemap);
    ut_assert_json(
        entries, "[{\"ref\":\"PC-001\",\"facility\":\"本社\",\"categories\":[\"A\",\"D\"],"
                 "\"in_place_at_enforcement\":false,\"introduced_on\":\"2026-05-31\","
                 "\"ip_ranges\":[\"203.0.113.0/24\",\"2001:db8::/48\"],\"products\":["
                 "{\"kind\":\"os\",\"name\":\"Windows Server\",\"manufacturer\":\"Microsoft\","
                 "\"version\":\"2022\"},"
                 "{\"kind\":\"application\",\"name\":\"Apache HTTP Server\",\"manufacturer\":"
                 "\"Apache\",\"version\":\"2.4.62\",\"cpe\":\"cpe:2.3:a:apache:http_server:2.4.62:"
                 "*:*:*:*:*:*:*\",\"purl\":\"pkg:generic/httpd@2.4.62\"}]},"
                 "{\"ref\":\"NW-7\",\"facility\":\"大阪\",\"categories\":[\"A\"],"
                 "\"in_place_at_enforcement\":true,\"ip_ranges\":[\"198.51.100.0/25\"],"
                 "\"products\":[]},"
                 "{\"ref\":\"EX-1\",\"facility\":\"制御室\",\"categories\":[\"C\"],"
                 "\"in_place_at_enforcement\":false,\"introduced_on\":\"2025-04-01\","
                 "\"changed_on\":\"2026-01-15\",\"exemption\":{\"ground\":\"exclusive_design\","
                 "\"note\":\"専用設計品\"},\"notes\":\"備考\",\"products\":[]},"
                 "{\"ref\":\"CL-3\",\"facility\":\"クラウド\",\"categories\":[\"E\"],"
                 "\"introduced_on\":\"2026-01-10\",\"retired_on\":\"2026-03-01\",\"products\":["
                 "{\"kind\":\"cloud\",\"name\":\"Box\",\"manufacturer\":\"Box Inc.\","
                 "\"service_model\":\"saas\"}]}]");
    ut_assert_json(linemap, "[[2,3],[4],[5],[6]]");
    for (size_t i = 0; i < json_array_size(entries); i++)
        json_decref(canon_json(json_array_get(entries, i)));
    json_decref(entries);
    json_decref(linemap);

    /* Columns in any order, most of them left out; a header alone is an empty inventory. */
    static const char partial[] = "product_name,Ref,manufacturer,product_kind,categories,"
                                  "facility,in_place_at_enforcement\n"
                                  "Ubuntu,U-1,Canonical,os,B,f,1\n";
    CSV_OK(partial, &entries, &linemap);
    ut_assert_json(entries, "[{\"ref\":\"U-1\",\"facility\":\"f\",\"categories\":[\"B\"],"
                            "\"in_place_at_enforcement\":true,\"products\":[{\"kind\":\"os\","
                            "\"name\":\"Ubuntu\",\"manufacturer\":\"Canonical\"}]}]");
    json_decref(entries);
    json_decref(linemap);
    CSV_OK(H "\n", &entries, &linemap);
    assert_int_equal(json_array_size(entries), 0);
    json_decref(entries);
    json_decref(linemap);
}

static void csv_quoting_and_lines(void **state)
{
    /* BOM, CRLF, quoted commas, doubled quotes and line breaks inside cells: the linemap
     * counts physical lines, so the second row of R,1 starts on line 5. */
    static const char text[] =
        "\xEF\xBB\xBF" H "\r\n"
        "\"R,1\",\"Facility \"\"East\"\"\",A,,2026-05-31,,,,,,\"line one\r\nline two\r\n"
        "line three\",os,\"Windows, Server\",Microsoft,2022,,,\r\n"
        "\"R,1\",\"Facility \"\"East\"\"\",A,,2026-05-31,,,,,,\"line one\r\nline two\r\n"
        "line three\",application,\"\"\"Quoted\"\" App\",Vendor,,,,\r\n"
        "R2,f,A,,2026-05-31,,,,,,,os,n,m,,,,";
    json_t *entries, *linemap;
    CSV_OK(text, &entries, &linemap);
    ut_assert_json(linemap, "[[2,5],[8]]");
    const json_t *e = json_array_get(entries, 0);
    assert_string_equal(sget(e, "ref"), "R,1");
    assert_string_equal(sget(e, "facility"), "Facility \"East\"");
    assert_string_equal(sget(e, "notes"), "line one\r\nline two\r\nline three");
    const json_t *p = json_object_get(e, "products");
    assert_string_equal(sget(json_array_get(p, 0), "name"), "Windows, Server");
    assert_string_equal(sget(json_array_get(p, 1), "name"), "\"Quoted\" App");
    json_decref(entries);
    json_decref(linemap);

    /* LF only; an error after a multi-line cell names the right line. */
    static const char later[] = "ref,notes,in_place_at_enforcement\n"
                                "A,\"1\n2\n3\",true\n"
                                "B,x,maybe\n";
    CSV_ERROR(later, "/rows/5/in_place_at_enforcement", "enum", 1, "true, false");

    /* A lone CR inside a quoted cell counts as a line break as well. */
    static const char cr_in_cell[] = "ref,notes,in_place_at_enforcement\n"
                                     "A,\"1\r2\r\n3\",true\n"
                                     "B,x,maybe\n";
    CSV_ERROR(cr_in_cell, "/rows/5/in_place_at_enforcement", "enum", 1, NULL);

    /* A lone CR ends a line too (old Mac files). */
    static const char cr[] = "ref,facility\rA,f\rB,g\r";
    CSV_OK(cr, &entries, &linemap);
    ut_assert_json(linemap, "[[2],[3]]");
    json_decref(entries);
    json_decref(linemap);
}

static void csv_lenient(void **state)
{
    /* Header names ignore case and blanks; categories "a; d"; TRUE; Excel's 2026/5/31;
     * enum columns in any case; blank rows skipped; non-text cells trimmed, text kept. */
    static const char text[] =
        " REF ,Facility,CATEGORIES,In_Place_At_Enforcement,introduced_on,product_kind,"
        "service_model,product_name,manufacturer,product_version,exemption_ground,ip_ranges\n"
        "\n"
        "a1, 本社 　棟 ,\" a; d ;\",TRUE,2026/5/31, Cloud ,SaaS, Box , Box ,\t1.0 , ,"
        " 10.0.0.0/8 ; 192.0.2.0/24 ;\n"
        ",,,,,,,,,,,\n"
        "a2,f,B,False,2026/12/01,OS,,n,m,,General_Purpose,\n";
    json_t *entries, *linemap;
    CSV_OK(text, &entries, &linemap);
    ut_assert_json(entries,
                   "[{\"ref\":\"a1\",\"facility\":\" 本社 　棟 \",\"categories\":[\"A\",\"D\"],"
                   "\"in_place_at_enforcement\":true,\"introduced_on\":\"2026-05-31\","
                   "\"ip_ranges\":[\"10.0.0.0/8\",\"192.0.2.0/24\"],\"products\":[{\"kind\":"
                   "\"cloud\",\"service_model\":\"saas\",\"name\":\" Box \",\"manufacturer\":"
                   "\" Box \",\"version\":\"\\t1.0 \"}]},"
                   "{\"ref\":\"a2\",\"facility\":\"f\",\"categories\":[\"B\"],"
                   "\"in_place_at_enforcement\":false,\"introduced_on\":\"2026-12-01\","
                   "\"exemption\":{\"ground\":\"general_purpose\"},\"products\":[{\"kind\":\"os\","
                   "\"name\":\"n\",\"manufacturer\":\"m\"}]}]");
    ut_assert_json(linemap, "[[3],[5]]");
    json_decref(entries);
    json_decref(linemap);
}

static void csv_errors(void **state)
{
    /* A ref seen again after other rows: one error at the row that repeats it. */
    CSV_ERROR("ref,facility,categories,introduced_on,product_kind,product_name,manufacturer\n"
              "A,f,A,2026-01-01,os,n1,m\n"
              "B,f,A,2026-01-01,os,n1,m\n"
              "A,f,A,2026-01-01,os,n2,m\n"
              "A,f,A,2026-01-01,os,n3,m\n",
              "/rows/4/ref", "duplicate", 1, "line 2");
    /* Rows of one entry disagree on an entry column; "a; " is "A", so line 4 agrees. */
    CSV_ERROR("ref,facility,categories,introduced_on,product_kind,product_name,manufacturer\n"
              "A,f,A,2026-01-01,os,n1,m\n"
              "A,g,A,2026-01-01,os,n2,m\n"
              "A,f,a; ,2026/1/1,os,n3,m\n",
              "/rows/3/facility", "conflict", 1, "line 2");
    CSV_ERROR("ref,ip_ranges,product_kind,product_name,manufacturer\n"
              "A,10.0.0.0/8,os,n1,m\n"
              "A,10.0.0.0/8;10.1.0.0/16,os,n2,m\n",
              "/rows/3/ip_ranges", "conflict", 1, NULL);
    /* Header problems. */
    CSV_ERROR("ref,facility,colour\nA,f,red\n", "/rows/1/colour", "unknown_field", 1, NULL);
    CSV_ERROR("ref,facility,Facility\nA,f,f\n", "/rows/1/Facility", "duplicate", 1, NULL);
    CSV_ERROR("facility,categories\nf,A\n", "/rows/1/ref", "required", 1, "ref column");
    CSV_ERROR("ref,facility,\nA,f,\n", "/rows/1/", "unknown_field", 1, "column 3");
    CSV_ERROR("ref,a/b~c\nA,f\n", "/rows/1/a~1b~0c", "unknown_field", 1, NULL);
    CSV_ERROR("", "/rows/1/ref", "required", 1, "header");
    CSV_ERROR("\xEF\xBB\xBF", "/rows/1/ref", "required", 1, "header");
    CSV_ERROR("\n\n", "/rows/1/ref", "required", 1, "header");
    /* Encoding: Shift_JIS (本社), overlong, surrogate, NUL, UTF-16. */
    CSV_ERROR("ref,facility\nA,f\nB,\x96\x7b\x8e\xd0\n", "/rows/3", "encoding", 1, "CSV UTF-8");
    CSV_ERROR("ref,facility\nA,\xC0\xAF\n", "/rows/2", "encoding", 1, "not UTF-8");
    CSV_ERROR("ref,facility\nA,\xED\xA0\x80\n", "/rows/2", "encoding", 1, NULL);
    CSV_ERROR("ref,facility\n\"A\r\n\",f\xF4\x90\x80\x80\n", "/rows/3", "encoding", 1, NULL);
    csv_error("ref,facility\nA,f\0x\n", 19, "/rows/2", "encoding", 1, "NUL");
    csv_error("\xFF\xFEr\0e\0f\0", 8, "/rows/1", "encoding", 1, "UTF-16");
    /* Syntax: an unterminated quote is reported on the row where it starts, naming its
     * line; text after a closing quote. */
    CSV_ERROR("ref,facility,notes\nA,f,\"ok\nstill ok\"\nB,f,\"never closed\nmore\n",
              "/rows/4/notes", "csv_syntax", 1, "line 4");
    CSV_ERROR("ref,facility\nA,\"f\"x\n", "/rows/2/facility", "csv_syntax", 1, "closing quote");
    CSV_ERROR("ref,\"facility\nA,f\n", "/rows/1", "csv_syntax", 1, NULL);
    /* Rows with the wrong number of fields. */
    CSV_ERROR("ref,facility\nA\nB,f\n", "/rows/2", "field_count", 1, "has 1 field;");
    CSV_ERROR("ref,facility\nA,f\nB,f,g\n", "/rows/3", "field_count", 1, "has 3 fields");
    /* Cells the CSV format refuses. */
    CSV_ERROR("ref,in_place_at_enforcement\nA,yes\n", "/rows/2/in_place_at_enforcement", "enum", 1,
              NULL);
    CSV_ERROR("ref,facility\n,f\n", "/rows/2/ref", "required", 1, NULL);
    /* A row without a product in an entry of several rows, first or later. */
    CSV_ERROR("ref,product_kind,product_name,manufacturer\nA,,,\nA,os,n,m\n",
              "/rows/2/product_kind", "required", 1, "product");
    CSV_ERROR("ref,product_kind,product_name,manufacturer\nA,os,n,m\nA,,,\n",
              "/rows/3/product_kind", "required", 1, "product");

    /* Several errors are all reported, and earlier errors are kept. */
    struct jv_errors errs = {0};
    jv_error_add(&errs, "/earlier", "required", "from before");
    json_t *entries, *linemap;
    static const char many[] = "ref,in_place_at_enforcement\nA,x\nB\nA,1\n,0\n";
    assert_int_equal(asset_inventory_csv(many, sizeof many - 1, &entries, &linemap, &errs),
                     RK_EINVAL);
    assert_int_equal(errs.n, 5);
    assert_string_equal(errs.e[0].pointer, "/earlier");
    find_err(&errs, "/rows/2/in_place_at_enforcement", "enum");
    find_err(&errs, "/rows/3", "field_count");
    find_err(&errs, "/rows/4/ref", "duplicate");
    find_err(&errs, "/rows/5/ref", "required");
}

/* Canonical errors of CSV entries, placed on rows: product j is row j of its entry. */
static void csv_canonical_error_positions(void **state)
{
    static const char text[] = H "\n"
                                 "A,f,A,,2026-01-01,,,,,,,os,n1,m,,,,\n"
                                 "B,f,D,,2026-01-01,,,,,10.0.0.1/8,,os,n1,m,,,,\n"
                                 "B,f,D,,2026-01-01,,,,,10.0.0.1/8,,os,n2,m,,,cpe:2.3:o:m:n2,\n"
                                 "B,f,D,,2026-01-01,,,,,10.0.0.1/8,,cloud,n3,m,,,,\n";
    json_t *entries, *linemap;
    CSV_OK(text, &entries, &linemap);
    json_t *c = NULL;
    struct jv_errors errs = {0};
    assert_int_equal(asset_canonical(json_array_get(entries, 1), "", &c, &errs), RK_EINVAL);
    const json_t *lines = json_array_get(linemap, 1);
    static const struct {
        const char *entry_ptr, *rule, *csv_ptr;
    } want[] = {
        {"/ip_ranges/0", "cidr", "/rows/3/ip_ranges"},
        {"/products/1/cpe", "cpe", "/rows/4/cpe"},
        {"/products/2/service_model", "required", "/rows/5/service_model"},
        {"/ip_ranges", "not_allowed", "/rows/3/ip_ranges"},
    };
    assert_int_equal(errs.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct jv_error *e = find_err(&errs, want[i].entry_ptr, want[i].rule);
        char ptr[JV_POINTER_MAX];
        asset_csv_pointer(e->pointer, lines, ptr, sizeof ptr);
        assert_string_equal(ptr, want[i].csv_ptr);
    }
    json_decref(entries);
    json_decref(linemap);
}

static void csv_pointer_mapping(void **state)
{
    json_t *lines = ut_json("[12,14,15]");
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"/products/2/cpe", "/rows/15/cpe"},
        {"/products/1/version", "/rows/14/product_version"},
        {"/products/0/kind", "/rows/12/product_kind"},
        {"/products/1/name", "/rows/14/product_name"},
        {"/products/2/manufacturer", "/rows/15/manufacturer"},
        {"/products/2/service_model", "/rows/15/service_model"},
        {"/products/1/purl", "/rows/14/purl"},
        {"/products/1/cpe_source", "/rows/14"},
        {"/products/1", "/rows/14"},
        {"/products/9/cpe", "/rows/12/cpe"},
        {"/products/x/cpe", "/rows/12/cpe"},
        {"/products", "/rows/12"},
        {"/exemption/ground", "/rows/12/exemption_ground"},
        {"/exemption/note", "/rows/12/exemption_note"},
        {"/exemption", "/rows/12/exemption_ground"},
        {"/ip_ranges/3", "/rows/12/ip_ranges"},
        {"/ip_ranges", "/rows/12/ip_ranges"},
        {"/categories/0", "/rows/12/categories"},
        {"/ref", "/rows/12/ref"},
        {"/facility", "/rows/12/facility"},
        {"/in_place_at_enforcement", "/rows/12/in_place_at_enforcement"},
        {"/introduced_on", "/rows/12/introduced_on"},
        {"/changed_on", "/rows/12/changed_on"},
        {"/retired_on", "/rows/12/retired_on"},
        {"/notes", "/rows/12/notes"},
        {"", "/rows/12"},
        {"/colour", "/rows/12"},
        {"/refx", "/rows/12"},
        {"/ground", "/rows/12"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[JV_POINTER_MAX];
        asset_csv_pointer(cases[i].in, lines, out, sizeof out);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("%s -> %s, want %s", cases[i].in, out, cases[i].out);
    }
    char small[8];
    asset_csv_pointer("/products/2/cpe", lines, small, sizeof small);
    assert_string_equal(small, "/rows/1");
    char out[64];
    asset_csv_pointer("/ref", NULL, out, sizeof out);
    assert_string_equal(out, "/rows");
    asset_csv_pointer(NULL, lines, out, sizeof out);
    assert_string_equal(out, "/rows/12");
    asset_csv_pointer("/ref", lines, NULL, 0); /* no crash */
    json_decref(lines);
}

static void csv_too_many_rows(void **state)
{
    size_t rows = ASSET_INVENTORY_MAX_ROWS;
    size_t cap = 32 + (rows + 1) * 16;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "ref,facility\n");
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len, "r%zu,f\n", i);
    /* Exactly at the limit: accepted. */
    json_t *entries, *linemap;
    csv_ok(text, len, &entries, &linemap);
    assert_int_equal(json_array_size(entries), rows);
    json_decref(entries);
    json_decref(linemap);
    /* One more row: RK_ELIMIT with a single error, though row 2 is also broken; earlier
     * errors of the caller are kept. */
    text[13] = 'X';
    text[14] = ',';
    text[15] = ',';
    len += (size_t)snprintf(text + len, cap - len, "last,f\n");
    struct jv_errors errs = {0};
    jv_error_add(&errs, "/earlier", "required", "from before");
    entries = linemap = (json_t *)1;
    assert_int_equal(asset_inventory_csv(text, len, &entries, &linemap, &errs), RK_ELIMIT);
    assert_null(entries);
    assert_null(linemap);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.e[0].pointer, "/earlier");
    assert_string_equal(errs.e[1].pointer, "/rows");
    assert_string_equal(errs.e[1].rule, "max_items");
    free(text);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void csv_100k_rows(void **state)
{
    /* 50,000 entries of two rows each, with quoted cells: 100,000 data rows. */
    size_t entries_n = 50000;
    size_t cap = 256 + entries_n * 2 * 160;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "%s\n", H);
    for (size_t i = 0; i < entries_n; i++) {
        for (int r = 0; r < 2; r++)
            len += (size_t)snprintf(
                text + len, cap - len,
                "PC-%06zu,\"本社, 棟%zu\",A;D,false,2026-05-31,,,,,10.%zu.%zu.0/24,,%s,%s,%s,"
                "%s,,,\n",
                i, i % 7, i / 256 % 256, i % 256, r ? "application" : "os",
                r ? "\"App, \"\"X\"\"\"" : "Windows Server", r ? "Vendor" : "Microsoft",
                r ? "1.0" : "2022");
    }
    json_t *entries, *linemap;
    double t0 = now_s();
    csv_ok(text, len, &entries, &linemap);
    double parse = now_s() - t0;
    assert_int_equal(json_array_size(entries), entries_n);
    ut_assert_json(json_array_get(linemap, entries_n - 1), "[100000,100001]");
    const json_t *last = json_array_get(entries, entries_n - 1);
    assert_string_equal(sget(last, "ref"), "PC-049999");
    assert_string_equal(sget(json_array_get(json_object_get(last, "products"), 1), "name"),
                        "App, \"X\"");
    t0 = now_s();
    for (size_t i = 0; i < entries_n; i++) {
        struct jv_errors errs = {0};
        json_t *c = NULL;
        if (asset_canonical(json_array_get(entries, i), "", &c, &errs) != RK_OK) {
            ut_print_errors(&errs);
            fail_msg("entry %zu", i);
        }
        json_decref(c);
    }
    double canon = now_s() - t0;
    printf("100,000 CSV rows (%zu bytes): parsed in %.3f s, %zu entries canonicalised in "
           "%.3f s\n",
           len, parse, entries_n, canon);
    json_decref(entries);
    json_decref(linemap);

    /* The same volume with every ref repeated non-consecutively stays linear too. */
    len = (size_t)snprintf(text, cap, "ref,facility\n");
    for (size_t i = 0; i < 100000; i++)
        len += (size_t)snprintf(text + len, cap - len, "r%zu,f\n", i % 50000);
    struct jv_errors errs = {0};
    t0 = now_s();
    assert_int_equal(asset_inventory_csv(text, len, &entries, &linemap, &errs), RK_EINVAL);
    double dup = now_s() - t0;
    assert_int_equal(errs.n, JV_MAX_ERRORS);
    assert_int_equal(errs.n + errs.dropped, 50000);
    assert_string_equal(errs.e[0].pointer, "/rows/50002/ref");
    printf("100,000 rows with 50,000 repeated refs: scanned in %.3f s\n", dup);
    free(text);
}

/* ---- deadlines -------------------------------------------------------------------------- */

/* National holidays used below (as in data/holidays-jp.json). */
static bool holiday(void *ctx, int y, int m, int d)
{
    static const struct dl_date days[] = {
        {2026, 9, 21},  {2026, 9, 22}, {2026, 9, 23}, {2026, 11, 3},
        {2026, 11, 23}, {2027, 5, 3},  {2027, 5, 4},  {2027, 5, 5},
    };
    int *calls = ctx;
    if (calls) (*calls)++;
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        if (days[i].y == y && days[i].m == m && days[i].d == d) return true;
    return false;
}

static void assert_date(const struct dl_date *got, const char *want)
{
    char buf[16];
    dl_format(got, buf, sizeof buf);
    if (strcmp(buf, want) != 0) fail_msg("got %s, want %s", buf, want);
}

static void deadlines(void **state)
{
    struct asset_rules rules = {.months_new = 4,
                                .months_in_place = 6,
                                .months_change = 4,
                                .have_enforcement = true,
                                .enforcement = {2026, 11, 2},
                                .due_window_days = 30};
    /* The period vectors below are dated after this earlier enforcement date. */
    struct asset_rules early = rules;
    early.enforcement = (struct dl_date){2025, 1, 6};
    struct dl_date from, out, end;
    int calls = 0;

    /* New, 2026-05-31 + 4 months: the period starts 06-01 and ends 09-30, a Wednesday and
     * no holiday, so that is the deadline. */
    json_t *c = canon_variant("{}");
    assert_int_equal(asset_deadline(&early, ASSET_FILING_NEW, c, holiday, &calls, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-05-31");
    assert_date(&out, "2026-09-30");
    assert_int_equal(dl_period_end_months(&from, 4, &end), RK_OK);
    assert_date(&end, "2026-09-30");
    assert_int_equal(dl_weekday(&end), 3);
    assert_true(calls > 0); /* the callback is consulted */
    json_decref(c);

    /* New, 2026-07-21: ends Saturday 11-21; Sunday, then Labour Thanksgiving Day on Monday
     * 11-23 (only the holiday callback knows), so Tuesday 11-24. */
    c = canon_variant("{\"introduced_on\":\"2026-07-21\"}");
    assert_int_equal(asset_deadline(&early, ASSET_FILING_NEW, c, holiday, NULL, NULL, &out), RK_OK);
    assert_date(&out, "2026-11-24");
    assert_int_equal(asset_deadline(&early, ASSET_FILING_NEW, c, NULL, NULL, NULL, &out), RK_OK);
    assert_date(&out, "2026-11-23");
    /* Change and retirement not filed: nothing to count from. */
    assert_int_equal(asset_deadline(&early, ASSET_FILING_CHANGE, c, holiday, NULL, NULL, &out),
                     RK_ENOTFOUND);
    assert_int_equal(asset_deadline(&early, ASSET_FILING_RETIRE, c, holiday, NULL, NULL, &out),
                     RK_ENOTFOUND);
    json_decref(c);

    /* In place at enforcement (2026-11-02) + 6 months: ends Sunday 2027-05-02, then Golden
     * Week (05-03 to 05-05): Thursday 05-06. The introduction date plays no part. */
    c = canon_variant("{\"in_place_at_enforcement\":true,\"introduced_on\":\"2020-01-01\"}");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, c, holiday, NULL, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-11-02");
    assert_date(&out, "2027-05-06");
    /* Without an enforcement date there is no deadline yet. */
    struct asset_rules no_enf = rules;
    no_enf.have_enforcement = false;
    assert_int_equal(asset_deadline(&no_enf, ASSET_FILING_NEW, c, holiday, NULL, &from, &out),
                     RK_ENOTFOUND);
    json_decref(c);
    c = canon_variant("{\"in_place_at_enforcement\":true,\"introduced_on\":\"DELETE\"}");
    assert_int_equal(asset_deadline(&no_enf, ASSET_FILING_NEW, c, holiday, NULL, NULL, &out),
                     RK_ENOTFOUND);
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, c, holiday, NULL, NULL, &out), RK_OK);
    assert_date(&out, "2027-05-06");
    json_decref(c);

    /* Change on 2026-08-29: ends Tuesday 12-29, inside the year-end days off (29 Dec – 3 Jan),
     * so Monday 2027-01-04. Retirement on 2026-10-31: there is no 31 February, so the period
     * ends with February (Sunday 2027-02-28): Monday 03-01. */
    c = canon_variant("{\"changed_on\":\"2026-08-29\",\"retired_on\":\"2026-10-31\"}");
    assert_int_equal(asset_deadline(&early, ASSET_FILING_CHANGE, c, holiday, NULL, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-08-29");
    assert_date(&out, "2027-01-04");
    assert_int_equal(asset_deadline(&early, ASSET_FILING_RETIRE, c, holiday, NULL, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-10-31");
    assert_date(&out, "2027-03-01");
    json_decref(c);

    /* Before the law took effect nothing was owed: an entry introduced (or changed) before
     * the enforcement date is due with the state in place then, 6 months from enforcement. */
    c = canon_variant("{\"introduced_on\":\"2026-05-31\",\"changed_on\":\"2026-10-01\"}");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, c, holiday, NULL, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-11-02");
    assert_date(&out, "2027-05-06");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_CHANGE, c, holiday, NULL, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-11-02");
    /* On the enforcement date itself the ordinary 4 months apply. */
    json_decref(c);
    c = canon_variant("{\"introduced_on\":\"2026-11-02\"}");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, c, holiday, NULL, &from, &out),
                     RK_OK);
    assert_date(&from, "2026-11-02");
    assert_date(&out, "2027-03-02");
    json_decref(c);

    /* Bad input. */
    json_t *bad = ut_json("{\"introduced_on\":\"2026-02-30\"}");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, bad, holiday, NULL, NULL, &out),
                     RK_EINVAL);
    json_decref(bad);
    bad = ut_json("{\"introduced_on\":20260101}");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, bad, holiday, NULL, NULL, &out),
                     RK_EINVAL);
    json_decref(bad);
    bad = ut_json("{\"introduced_on\":\"9999-12-01\"}");
    assert_int_equal(asset_deadline(&rules, ASSET_FILING_NEW, bad, holiday, NULL, NULL, &out),
                     RK_EINVAL);
    assert_int_equal(
        asset_deadline(&rules, (enum asset_filing_kind)7, bad, holiday, NULL, NULL, &out),
        RK_EINVAL);
    assert_int_equal(asset_deadline(NULL, ASSET_FILING_NEW, bad, holiday, NULL, NULL, &out),
                     RK_EINVAL);
    json_decref(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canonical_full_form),
        cmocka_unit_test(canonical_defaults_and_empty_strings),
        cmocka_unit_test(derived_cpe_per_kind),
        cmocka_unit_test(filed_cpe_and_purl),
        cmocka_unit_test(ip_ranges_canonical),
        cmocka_unit_test(cross_field_rules),
        cmocka_unit_test(errors_accumulate_under_prefix),
        cmocka_unit_test(canonical_is_a_fixed_point),
        cmocka_unit_test(categories_mask),
        cmocka_unit_test(diff_cases),
        cmocka_unit_test(json_inventory),
        cmocka_unit_test(json_inventory_limit),
        cmocka_unit_test(csv_basic),
        cmocka_unit_test(csv_quoting_and_lines),
        cmocka_unit_test(csv_lenient),
        cmocka_unit_test(csv_errors),
        cmocka_unit_test(csv_canonical_error_positions),
        cmocka_unit_test(csv_pointer_mapping),
        cmocka_unit_test(csv_too_many_rows),
        cmocka_unit_test(csv_100k_rows),
        cmocka_unit_test(deadlines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
