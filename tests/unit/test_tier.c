/*
 * test_tier.c — analysis-product tiers (tier.h): deriving provision and publication products
 * from a realistic comprehensive one, the release gate at every tier, label-map checks, and a
 * randomised property test whose oracle recomputes removals, indexes and labels from its own
 * record of the generated body (it never calls tier_labels_at for its expectations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_json.h"

#include "core/rk.h"
#include "domain/jv.h"
#include "domain/policy.h"
#include "domain/tier.h"

#define S POL_LABEL_SECRET
#define C POL_LABEL_COMMS_INFO
#define SI POL_LABEL_SOURCE_IDENTIFYING

/* The keys of an object, in order. */
static void expect_keys(const json_t *obj, const char *const *keys, size_t n)
{
    size_t i = 0;
    const char *key;
    json_t *v;
    assert_int_equal(json_object_size(obj), n);
    json_object_foreach((json_t *)obj, key, v) assert_string_equal(key, keys[i++]);
}

struct want {
    const char *pointer, *rule;
};

static void expect_errors(const struct jv_errors *e, const struct want *w, size_t n)
{
    bool same = e->n == n && e->dropped == 0;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(e->e[i].pointer, w[i].pointer) == 0 && strcmp(e->e[i].rule, w[i].rule) == 0;
    if (same) return;
    for (size_t i = 0; i < e->n; i++)
        print_error("  error %zu: %s %s\n", i, e->e[i].pointer, e->e[i].rule);
    assert_int_equal(e->n, n);
    assert_int_equal(e->dropped, 0);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(e->e[i].pointer, w[i].pointer);
        assert_string_equal(e->e[i].rule, w[i].rule);
    }
}

/* ---- a realistic product ---------------------------------------------------------------- */

static const char product_body[] =
    "{\"title\": \"Ransomware intrusions through SSL-VPN gateways at electricity operators\","
    " \"tlp\": \"TLP:AMBER\","
    " \"summary\": ["
    "  \"Since October 2026 three electricity operators reported encrypted file servers.\","
    "  \"Flow records from a backbone provider show beaconing to 203.0.113.7 every 300 s.\","
    "  \"A partner agency attributes the tooling to a group tracked as EMBER-BEAR.\","
    "  \"Apply the FortiOS fix for CVE-2024-21762 and rotate VPN credentials.\"],"
    " \"indicators\": ["
    "  {\"type\": \"cve\", \"value\": \"CVE-2024-21762\"},"
    "  {\"type\": \"ipv4\", \"value\": \"203.0.113.7\"},"
    "  {\"type\": \"domain\", \"value\": \"update-check.example\"},"
    "  {\"type\": \"ipv4\", \"value\": \"198.51.100.23\"},"
    "  {\"type\": \"sha256\", \"value\": "
    "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},"
    "  {\"type\": \"url\", \"value\": \"https://kanto-power.example/vpn/login\"}],"
    " \"analysis\": {\"sections\": ["
    "  {\"heading\": \"Initial access\", \"text\": \"CVE-2024-21762 on exposed gateways.\"},"
    "  {\"heading\": \"Command and control\", \"text\": \"Intercepted: TLS to 203.0.113.7.\"},"
    "  {\"heading\": \"Actor\", \"text\": \"Overlaps with an intrusion abroad.\"}]},"
    " \"source\": {\"reports\": [\"INC-2026-0042 第2報\"], \"reporter\": \"関東電力株式会社\","
    "  \"relayed_by\": \"電力ISAC\"}}";

static const char product_labels[] = "{\"/summary/1\": [\"comms_info\"],"
                                     " \"/summary/2\": [\"secret\"],"
                                     " \"/indicators/1\": [\"comms_info\"],"
                                     " \"/indicators/3\": [\"comms_info\", \"secret\"],"
                                     " \"/indicators/4\": [\"secret\"],"
                                     " \"/indicators/5\": [\"source_identifying\"],"
                                     " \"/analysis/sections/1\": [\"comms_info\"],"
                                     " \"/analysis/sections/2/text\": [\"secret\"],"
                                     " \"/source\": [\"source_identifying\"],"
                                     " \"/source/reporter\": [\"secret\"]}";

static const char provision_body[] =
    "{\"title\": \"Ransomware intrusions through SSL-VPN gateways at electricity operators\","
    " \"tlp\": \"TLP:AMBER\","
    " \"summary\": ["
    "  \"Since October 2026 three electricity operators reported encrypted file servers.\","
    "  \"A partner agency attributes the tooling to a group tracked as EMBER-BEAR.\","
    "  \"Apply the FortiOS fix for CVE-2024-21762 and rotate VPN credentials.\"],"
    " \"indicators\": ["
    "  {\"type\": \"cve\", \"value\": \"CVE-2024-21762\"},"
    "  {\"type\": \"domain\", \"value\": \"update-check.example\"},"
    "  {\"type\": \"sha256\", \"value\": "
    "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},"
    "  {\"type\": \"url\", \"value\": \"https://kanto-power.example/vpn/login\"}],"
    " \"analysis\": {\"sections\": ["
    "  {\"heading\": \"Initial access\", \"text\": \"CVE-2024-21762 on exposed gateways.\"},"
    "  {\"heading\": \"Actor\", \"text\": \"Overlaps with an intrusion abroad.\"}]},"
    " \"source\": {\"reports\": [\"INC-2026-0042 第2報\"], \"reporter\": \"関東電力株式会社\","
    "  \"relayed_by\": \"電力ISAC\"}}";

static const char publication_body[] =
    "{\"title\": \"Ransomware intrusions through SSL-VPN gateways at electricity operators\","
    " \"tlp\": \"TLP:AMBER\","
    " \"summary\": ["
    "  \"Since October 2026 three electricity operators reported encrypted file servers.\","
    "  \"Apply the FortiOS fix for CVE-2024-21762 and rotate VPN credentials.\"],"
    " \"indicators\": ["
    "  {\"type\": \"cve\", \"value\": \"CVE-2024-21762\"},"
    "  {\"type\": \"domain\", \"value\": \"update-check.example\"}],"
    " \"analysis\": {\"sections\": ["
    "  {\"heading\": \"Initial access\", \"text\": \"CVE-2024-21762 on exposed gateways.\"},"
    "  {\"heading\": \"Actor\"}]}}";

/* Derives or fails the test. */
static void derive(const json_t *body, const json_t *labels, enum pol_tier tier, json_t **ob,
                   json_t **ol)
{
    int rc = tier_derive(body, labels, tier, ob, ol);
    assert_int_equal(rc, RK_OK);
    assert_non_null(*ob);
    assert_non_null(*ol);
}

static void test_derive_provision(void **state)
{
    json_t *body = ut_json(product_body), *labels = ut_json(product_labels);
    json_t *body_before = json_deep_copy(body), *labels_before = json_deep_copy(labels);
    json_t *ob, *ol;
    struct jv_errors errs;

    assert_int_equal(tier_labels_check(body, labels, &errs), RK_OK);
    derive(body, labels, POL_TIER_PROVISION, &ob, &ol);
    /* comms_info paragraphs, indicators and the section are gone; the secret ones stay. */
    ut_assert_json(ob, provision_body);
    /* Later items' labels follow them: indicator 4 (the hash) is now 2, the URL 3. */
    ut_assert_json(ol,
                   "{\"/summary/1\": [\"secret\"], \"/indicators/2\": [\"secret\"],"
                   " \"/indicators/3\": [\"source_identifying\"],"
                   " \"/analysis/sections/1/text\": [\"secret\"],"
                   " \"/source\": [\"source_identifying\"], \"/source/reporter\": [\"secret\"]}");
    static const char *const order[] = {"/summary/1",    "/indicators/2",
                                        "/indicators/3", "/analysis/sections/1/text",
                                        "/source",       "/source/reporter"};
    expect_keys(ol, order, RK_ARRAY_LEN(order));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(ob, "indicators"), 2), "type")),
                        "sha256");

    /* A copy, never an edit. */
    assert_true(json_equal(body, body_before));
    assert_true(json_equal(labels, labels_before));
    assert_ptr_not_equal(ob, body);
    assert_int_equal(tier_labels_check(ob, ol, &errs), RK_OK);
    assert_int_equal(tier_gate(ol, POL_TIER_PROVISION, &errs), RK_OK);
    assert_int_equal(errs.n, 0);

    json_decref(ob);
    json_decref(ol);
    json_decref(body);
    json_decref(labels);
    json_decref(body_before);
    json_decref(labels_before);
}

static void test_derive_publication(void **state)
{
    json_t *body = ut_json(product_body), *labels = ut_json(product_labels);
    json_t *pb, *pl, *ob, *ol, *db, *dl;
    struct jv_errors errs;

    derive(body, labels, POL_TIER_PROVISION, &pb, &pl);
    derive(pb, pl, POL_TIER_PUBLICATION, &ob, &ol);
    /* The secret paragraph and indicator, the secret section text and the whole source
     * section (source_identifying) are gone too. */
    ut_assert_json(ob, publication_body);
    ut_assert_json(ol, "{}");
    assert_int_equal(tier_gate(ol, POL_TIER_PUBLICATION, &errs), RK_OK);
    assert_int_equal(tier_labels_check(ob, ol, &errs), RK_OK);

    /* Directly from the comprehensive product: the same. */
    derive(body, labels, POL_TIER_PUBLICATION, &db, &dl);
    assert_true(json_equal(db, ob));
    assert_true(json_equal(dl, ol));

    json_decref(db);
    json_decref(dl);
    json_decref(ob);
    json_decref(ol);
    json_decref(pb);
    json_decref(pl);
    json_decref(body);
    json_decref(labels);
}

/* Deriving the same tier again, or a tier that forbids nothing, changes nothing. */
static void test_derive_keeps(void **state)
{
    json_t *body = ut_json(product_body), *labels = ut_json(product_labels);
    json_t *ob, *ol, *ob2, *ol2;

    for (int t = POL_TIER_NONE; t <= POL_TIER_COMPREHENSIVE; t++) {
        derive(body, labels, (enum pol_tier)t, &ob, &ol);
        assert_true(json_equal(ob, body));
        assert_true(json_equal(ol, labels));
        json_decref(ob);
        json_decref(ol);
    }
    derive(body, labels, POL_TIER_PROVISION, &ob, &ol);
    derive(ob, ol, POL_TIER_PROVISION, &ob2, &ol2);
    assert_true(json_equal(ob, ob2));
    assert_true(json_equal(ol, ol2));
    json_decref(ob);
    json_decref(ol);
    json_decref(ob2);
    json_decref(ol2);
    json_decref(body);
    json_decref(labels);
}

/* ---- the gate --------------------------------------------------------------------------- */

static void test_gate_product(void **state)
{
    json_t *body = ut_json(product_body), *labels = ut_json(product_labels);
    json_t *pb, *pl;
    struct jv_errors errs;

    assert_int_equal(tier_gate(labels, POL_TIER_COMPREHENSIVE, &errs), RK_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(tier_gate(labels, POL_TIER_NONE, &errs), RK_OK);

    static const struct want provision[] = {
        {"/summary/1", "label_comms_info"},
        {"/indicators/1", "label_comms_info"},
        {"/indicators/3", "label_comms_info"},
        {"/analysis/sections/1", "label_comms_info"},
    };
    assert_int_equal(tier_gate(labels, POL_TIER_PROVISION, &errs), RK_EINVAL);
    expect_errors(&errs, provision, RK_ARRAY_LEN(provision));

    static const struct want publication[] = {
        {"/summary/1", "label_comms_info"},
        {"/summary/2", "label_secret"},
        {"/indicators/1", "label_comms_info"},
        {"/indicators/3", "label_secret"},
        {"/indicators/3", "label_comms_info"},
        {"/indicators/4", "label_secret"},
        {"/indicators/5", "label_source_identifying"},
        {"/analysis/sections/1", "label_comms_info"},
        {"/analysis/sections/2/text", "label_secret"},
        {"/source", "label_source_identifying"},
        {"/source/reporter", "label_secret"},
    };
    assert_int_equal(tier_gate(labels, POL_TIER_PUBLICATION, &errs), RK_EINVAL);
    expect_errors(&errs, publication, RK_ARRAY_LEN(publication));

    /* The provision product may be released as such, not published. */
    derive(body, labels, POL_TIER_PROVISION, &pb, &pl);
    assert_int_equal(tier_gate(pl, POL_TIER_PROVISION, &errs), RK_OK);
    static const struct want provision_published[] = {
        {"/summary/1", "label_secret"},
        {"/indicators/2", "label_secret"},
        {"/indicators/3", "label_source_identifying"},
        {"/analysis/sections/1/text", "label_secret"},
        {"/source", "label_source_identifying"},
        {"/source/reporter", "label_secret"},
    };
    assert_int_equal(tier_gate(pl, POL_TIER_PUBLICATION, &errs), RK_EINVAL);
    expect_errors(&errs, provision_published, RK_ARRAY_LEN(provision_published));

    json_decref(pb);
    json_decref(pl);
    json_decref(body);
    json_decref(labels);
}

/* Each label at each tier, on a pointer that needs escaping (reported exactly as written). */
static void test_gate_each_label_each_tier(void **state)
{
    static const struct {
        unsigned label;
        const char *name, *rule;
    } labels[] = {
        {S, "secret", "label_secret"},
        {C, "comms_info", "label_comms_info"},
        {SI, "source_identifying", "label_source_identifying"},
    };
    static const struct {
        enum pol_tier tier;
        unsigned refused;
    } tiers[] = {
        {POL_TIER_NONE, 0},
        {POL_TIER_COMPREHENSIVE, 0},
        {POL_TIER_PROVISION, C},
        {POL_TIER_PUBLICATION, S | C | SI},
    };
    for (size_t t = 0; t < RK_ARRAY_LEN(tiers); t++) {
        assert_int_equal(tier_forbidden(tiers[t].tier), tiers[t].refused);
        for (size_t l = 0; l < RK_ARRAY_LEN(labels); l++) {
            char text[128];
            snprintf(text, sizeof text, "{\"/a~1b/~0c/3\": [\"%s\"]}", labels[l].name);
            json_t *map = ut_json(text);
            struct jv_errors errs;
            int rc = tier_gate(map, tiers[t].tier, &errs);
            if (tiers[t].refused & labels[l].label) {
                const struct want w = {"/a~1b/~0c/3", labels[l].rule};
                assert_int_equal(rc, RK_EINVAL);
                expect_errors(&errs, &w, 1);
            } else {
                assert_int_equal(rc, RK_OK);
                assert_int_equal(errs.n, 0);
            }
            json_decref(map);
        }
    }
    /* A tier this module cannot name forbids everything. */
    assert_int_equal(tier_forbidden((enum pol_tier)7), POL_LABEL__ALL);
    assert_int_equal(tier_forbidden((enum pol_tier) - 1), POL_LABEL__ALL);
}

static void test_gate_edges(void **state)
{
    struct jv_errors errs;
    json_t *map;

    assert_int_equal(tier_gate(NULL, POL_TIER_PUBLICATION, &errs), RK_OK);
    assert_int_equal(tier_gate(NULL, POL_TIER_PUBLICATION, NULL), RK_OK);
    map = ut_json("{\"\": [\"secret\"]}");
    assert_int_equal(tier_gate(map, POL_TIER_PUBLICATION, NULL), RK_EINVAL);
    assert_int_equal(tier_gate(map, POL_TIER_PROVISION, &errs), RK_OK);
    json_decref(map);

    /* Fail closed on what tier_labels_check would refuse. */
    map = ut_json("{\"/a\": [\"sekret\"], \"/b\": \"secret\"}");
    static const struct want bad[] = {
        {"/a", "label_comms_info"},
        {"/b", "label_comms_info"},
    };
    assert_int_equal(tier_gate(map, POL_TIER_PROVISION, &errs), RK_EINVAL);
    expect_errors(&errs, bad, RK_ARRAY_LEN(bad));
    assert_int_equal(tier_gate(map, POL_TIER_COMPREHENSIVE, &errs), RK_OK);
    json_decref(map);
    map = ut_json("[\"secret\"]");
    static const struct want whole[] = {{"", "label_comms_info"}};
    assert_int_equal(tier_gate(map, POL_TIER_PROVISION, &errs), RK_EINVAL);
    expect_errors(&errs, whole, 1);
    json_decref(map);

    /* Beyond JV_MAX_ERRORS the rest are counted. */
    map = json_object();
    for (int i = 0; i < 20; i++) {
        char key[16];
        snprintf(key, sizeof key, "/%d", i);
        json_object_set_new(map, key, ut_json("[\"comms_info\"]"));
    }
    assert_int_equal(tier_gate(map, POL_TIER_PROVISION, &errs), RK_EINVAL);
    assert_int_equal(errs.n, JV_MAX_ERRORS);
    assert_int_equal(errs.dropped, 20 - JV_MAX_ERRORS);
    /* errs is reset by every call. */
    assert_int_equal(tier_gate(map, POL_TIER_COMPREHENSIVE, &errs), RK_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(errs.dropped, 0);
    json_decref(map);
}

/* ---- label checks ----------------------------------------------------------------------- */

static void test_labels_check_errors(void **state)
{
    json_t *body = ut_json(product_body);
    json_t *map = ut_json("{\"/summary/9\": [\"secret\"],"
                          " \"/summary/-\": [\"secret\"],"
                          " \"/summary/01\": [\"secret\"],"
                          " \"/title/x\": [\"secret\"],"
                          " \"/nope\": [\"secret\"],"
                          " \"/a~2b\": [\"secret\"],"
                          " \"summary\": [\"secret\"],"
                          " \"/title\": [\"secrett\"],"
                          " \"/tlp\": [\"secret\", \"comms_info\", \"secret\"],"
                          " \"/source\": \"secret\","
                          " \"/analysis\": [],"
                          " \"/indicators/0\": [1],"
                          " \"/nope/~x\": {}}");
    struct jv_errors errs;
    static const struct want w[] = {
        {"/labels/~1summary~19", "unresolved"},  {"/labels/~1summary~1-", "unresolved"},
        {"/labels/~1summary~101", "unresolved"}, {"/labels/~1title~1x", "unresolved"},
        {"/labels/~1nope", "unresolved"},        {"/labels/~1a~02b", "format"},
        {"/labels/summary", "format"},           {"/labels/~1title/0", "enum"},
        {"/labels/~1tlp/2", "unique_items"},     {"/labels/~1source", "type"},
        {"/labels/~1analysis", "min_items"},     {"/labels/~1indicators~10/0", "type"},
        {"/labels/~1nope~1~0x", "format"},       {"/labels/~1nope~1~0x", "type"},
    };
    assert_int_equal(tier_labels_check(body, map, &errs), RK_EINVAL);
    expect_errors(&errs, w, RK_ARRAY_LEN(w));

    /* Derivation refuses what the check refuses, and leaves nothing behind. */
    json_t *ob = json_true(), *ol = json_true();
    assert_int_equal(tier_derive(body, map, POL_TIER_PROVISION, &ob, &ol), RK_EINVAL);
    assert_null(ob);
    assert_null(ol);
    json_decref(map);

    /* One error per problem: "~01" is "~1", a label name with a NUL is no name. */
    map = json_object();
    json_object_set_new(map, "/summary/0", json_pack("[s#]", "secret\0x", (size_t)8));
    static const struct want nul[] = {{"/labels/~1summary~10/0", "enum"}};
    assert_int_equal(tier_labels_check(body, map, &errs), RK_EINVAL);
    expect_errors(&errs, nul, 1);
    json_decref(map);

    /* Not an object; no body. */
    map = ut_json("[[\"secret\"]]");
    static const struct want type[] = {{"/labels", "type"}};
    assert_int_equal(tier_labels_check(body, map, &errs), RK_EINVAL);
    expect_errors(&errs, type, 1);
    json_decref(map);
    map = ut_json("{\"/x\": [\"secret\"]}");
    static const struct want nobody[] = {{"/body", "required"}};
    assert_int_equal(tier_labels_check(NULL, map, &errs), RK_EINVAL);
    expect_errors(&errs, nobody, 1);
    assert_int_equal(tier_labels_check(NULL, NULL, NULL), RK_EINVAL);
    json_decref(map);
    json_decref(body);
}

static void test_labels_check_valid(void **state)
{
    json_t *body = ut_json("{\"a/b\": {\"~\": [1, {\"\": 2}]}, \"概要\": \"x\", \"\": [true]}");
    json_t *map = ut_json("{\"\": [\"secret\"], \"/a~1b/~0/1/\": [\"comms_info\"],"
                          " \"/a~1b/~0/0\": [\"source_identifying\", \"secret\", \"comms_info\"],"
                          " \"/概要\": [\"secret\"], \"/\": [\"secret\"], \"//0\": [\"secret\"]}");
    struct jv_errors errs;
    assert_int_equal(tier_labels_check(body, map, &errs), RK_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(tier_labels_check(body, NULL, &errs), RK_OK);
    json_decref(map);

    map = ut_json(
        "{\"/a/b\": [\"secret\"], \"/a~1b/~1\": [\"secret\"], \"/a~1b/~0/2\": [\"secret\"]}");
    static const struct want w[] = {
        {"/labels/~1a~1b", "unresolved"},
        {"/labels/~1a~01b~1~01", "unresolved"},
        {"/labels/~1a~01b~1~00~12", "unresolved"},
    };
    assert_int_equal(tier_labels_check(body, map, &errs), RK_EINVAL);
    expect_errors(&errs, w, RK_ARRAY_LEN(w));
    json_decref(map);
    json_decref(body);
}

static void test_labels_check_limits(void **state)
{
    struct jv_errors errs;
    char key[TIER_POINTER_MAX_LEN + 2];
    json_t *body = json_object(), *map = json_object();

    /* A pointer of exactly TIER_POINTER_MAX_LEN bytes is fine; one more is not. */
    memset(key, 'k', sizeof key);
    key[0] = '/';
    key[TIER_POINTER_MAX_LEN] = '\0';
    json_object_set_new(body, key + 1, json_integer(1));
    json_object_set_new(map, key, ut_json("[\"secret\"]"));
    assert_int_equal(tier_labels_check(body, map, &errs), RK_OK);
    key[TIER_POINTER_MAX_LEN] = 'k';
    key[TIER_POINTER_MAX_LEN + 1] = '\0';
    json_object_set_new(body, key + 1, json_integer(1));
    json_object_set_new(map, key, ut_json("[\"secret\"]"));
    assert_int_equal(tier_labels_check(body, map, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].rule, "max_length");
    assert_memory_equal(errs.e[0].pointer, "/labels/~1kkk", 13);
    json_decref(map);

    map = json_object();
    for (int i = 0; i <= TIER_MAX_LABELS; i++) {
        char k[16];
        snprintf(k, sizeof k, "/%d", i);
        json_object_set_new(map, k, ut_json("[\"secret\"]"));
    }
    static const struct want w[] = {{"/labels", "max_items"}};
    assert_int_equal(tier_labels_check(body, map, &errs), RK_EINVAL);
    expect_errors(&errs, w, 1);
    json_t *ob, *ol;
    assert_int_equal(tier_derive(body, map, POL_TIER_PROVISION, &ob, &ol), RK_EINVAL);
    json_decref(map);
    json_decref(body);
}

/* ---- effective labels, re-indexing, the root -------------------------------------------- */

static void test_labels_at(void **state)
{
    json_t *map = ut_json("{\"\": [\"source_identifying\"], \"/sections/2\": [\"secret\"],"
                          " \"/sections/2/text\": [\"comms_info\"], \"/sec\": [\"comms_info\"]}");
    assert_int_equal(tier_labels_at(map, ""), SI);
    assert_int_equal(tier_labels_at(map, "/sections"), SI);
    assert_int_equal(tier_labels_at(map, "/sections/2"), SI | S);
    assert_int_equal(tier_labels_at(map, "/sections/2/text"), SI | S | C);
    assert_int_equal(tier_labels_at(map, "/sections/2/text/0"), SI | S | C);
    assert_int_equal(tier_labels_at(map, "/sections/2/textual"), SI | S);
    assert_int_equal(tier_labels_at(map, "/sections/20"), SI);
    assert_int_equal(tier_labels_at(map, "/sec"), SI | C);
    assert_int_equal(tier_labels_at(map, "/sec/x"), SI | C);
    assert_int_equal(tier_labels_at(NULL, "/sec"), 0);
    assert_int_equal(tier_labels_at(map, NULL), 0);
    json_decref(map);
    map = ut_json("{\"/a\": [\"secret\"], \"/a/b\": [\"nonsense\"]}");
    assert_int_equal(tier_labels_at(map, "/a"), S);
    assert_int_equal(tier_labels_at(map, "/a/b"), POL_LABEL__ALL); /* fails closed */
    json_decref(map);
}

/* A label on an ancestor removes everything inside, and the entries inside with it. */
static void test_ancestor_removal(void **state)
{
    json_t *body = ut_json("{\"sections\": [{\"h\": \"a\", \"p\": [\"x\", \"y\"]}, {\"h\": \"b\","
                           " \"p\": [\"z\"]}], \"n\": 1}");
    json_t *map = ut_json("{\"/sections/0/p/1\": [\"secret\"], \"/sections/0\": [\"comms_info\"],"
                          " \"/sections/1/p/0\": [\"secret\"], \"/sections/1\": [\"secret\"]}");
    json_t *ob, *ol;
    derive(body, map, POL_TIER_PROVISION, &ob, &ol);
    ut_assert_json(ob, "{\"sections\": [{\"h\": \"b\", \"p\": [\"z\"]}], \"n\": 1}");
    ut_assert_json(ol, "{\"/sections/0/p/0\": [\"secret\"], \"/sections/0\": [\"secret\"]}");
    json_decref(ob);
    json_decref(ol);
    derive(body, map, POL_TIER_PUBLICATION, &ob, &ol);
    ut_assert_json(ob, "{\"sections\": [], \"n\": 1}");
    ut_assert_json(ol, "{}");
    json_decref(ob);
    json_decref(ol);
    json_decref(body);
    json_decref(map);
}

static void test_reindex(void **state)
{
    json_t *body =
        ut_json("{\"list\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],"
                " \"grid\": [[\"a\", \"b\", \"c\"], [\"d\", \"e\"], [\"f\", \"g\", \"h\", "
                "\"i\"]]}");
    /* Removed at provision: list items 1 2 5 8 10, grid/0/1, the whole grid/1, grid/2/0 and
     * grid/2/2. Entries are deliberately out of index order. */
    json_t *map = ut_json("{\"/list/11\": [\"secret\"], \"/list/1\": [\"comms_info\"],"
                          " \"/list/2\": [\"comms_info\"], \"/list/5\": [\"comms_info\"],"
                          " \"/list/8\": [\"comms_info\"], \"/list/10\": [\"comms_info\"],"
                          " \"/list/0\": [\"secret\"], \"/list/3\": [\"secret\"],"
                          " \"/list/4\": [\"secret\"], \"/list/6\": [\"secret\"],"
                          " \"/list/7\": [\"secret\"], \"/list/9\": [\"secret\"],"
                          " \"/grid/0/1\": [\"comms_info\"], \"/grid/1\": [\"comms_info\"],"
                          " \"/grid/1/0\": [\"secret\"], \"/grid/2/0\": [\"comms_info\"],"
                          " \"/grid/2/2\": [\"comms_info\"], \"/grid/0/2\": [\"secret\"],"
                          " \"/grid/2/3\": [\"secret\"], \"/grid/2/1\": [\"secret\"],"
                          " \"/grid/2\": [\"source_identifying\"]}");
    json_t *ob, *ol;
    derive(body, map, POL_TIER_PROVISION, &ob, &ol);
    ut_assert_json(ob, "{\"list\": [0, 3, 4, 6, 7, 9, 11], \"grid\": [[\"a\", \"c\"], [\"g\", "
                       "\"i\"]]}");
    static const char *const order[] = {"/list/6",   "/list/0",   "/list/1", "/list/2",
                                        "/list/3",   "/list/4",   "/list/5", "/grid/0/1",
                                        "/grid/1/1", "/grid/1/0", "/grid/1"};
    expect_keys(ol, order, RK_ARRAY_LEN(order));
    /* Each label still names its value: secret items are exactly the kept list items. */
    for (size_t i = 0; i < 7; i++) {
        char k[16];
        snprintf(k, sizeof k, "/list/%zu", i);
        ut_assert_json(json_object_get(ol, k), "[\"secret\"]");
    }
    ut_assert_json(json_object_get(ol, "/grid/1"), "[\"source_identifying\"]");
    json_decref(ob);
    json_decref(ol);

    derive(body, map, POL_TIER_PUBLICATION, &ob, &ol);
    ut_assert_json(ob, "{\"list\": [], \"grid\": [[\"a\"]]}");
    ut_assert_json(ol, "{}");
    json_decref(ob);
    json_decref(ol);
    json_decref(body);
    json_decref(map);
}

static void test_escaped_keys(void **state)
{
    json_t *body = ut_json("{\"a/b\": [1, 2, 3], \"~\": {\"x\": [4, 5]}, \"\": [6, 7]}");
    json_t *map = ut_json("{\"/a~1b/0\": [\"comms_info\"], \"/a~1b/2\": [\"secret\"],"
                          " \"/~0/x/0\": [\"comms_info\"], \"/~0/x/1\": [\"secret\"],"
                          " \"//0\": [\"comms_info\"], \"//1\": [\"secret\"]}");
    json_t *ob, *ol;
    derive(body, map, POL_TIER_PROVISION, &ob, &ol);
    ut_assert_json(ob, "{\"a/b\": [2, 3], \"~\": {\"x\": [5]}, \"\": [7]}");
    ut_assert_json(ol, "{\"/a~1b/1\": [\"secret\"], \"/~0/x/0\": [\"secret\"], \"//0\": "
                       "[\"secret\"]}");
    json_decref(ob);
    json_decref(ol);
    json_decref(body);
    json_decref(map);
}

static void test_root_labelled(void **state)
{
    json_t *body = ut_json("{\"a\": 1, \"b\": [2]}");
    json_t *map = ut_json("{\"\": [\"secret\"], \"/a\": [\"comms_info\"], \"/b/0\": [\"secret\"]}");
    json_t *ob, *ol;
    struct jv_errors errs;

    derive(body, map, POL_TIER_PROVISION, &ob, &ol);
    ut_assert_json(ob, "{\"b\": [2]}");
    ut_assert_json(ol, "{\"\": [\"secret\"], \"/b/0\": [\"secret\"]}");
    json_decref(ob);
    json_decref(ol);

    derive(body, map, POL_TIER_PUBLICATION, &ob, &ol);
    assert_true(json_is_null(ob));
    ut_assert_json(ol, "{}");
    assert_int_equal(tier_gate(ol, POL_TIER_PUBLICATION, &errs), RK_OK);
    assert_int_equal(tier_labels_check(ob, ol, &errs), RK_OK);
    json_decref(ob);
    json_decref(ol);

    /* A scalar body, labelled or not. */
    json_decref(map);
    map = ut_json("{\"\": [\"comms_info\"]}");
    json_t *scalar = ut_json("\"only text\"");
    derive(scalar, map, POL_TIER_PROVISION, &ob, &ol);
    assert_true(json_is_null(ob));
    json_decref(ob);
    json_decref(ol);
    derive(scalar, NULL, POL_TIER_PUBLICATION, &ob, &ol);
    ut_assert_json(ob, "\"only text\"");
    ut_assert_json(ol, "{}");
    json_decref(ob);
    json_decref(ol);
    json_decref(scalar);
    json_decref(map);
    json_decref(body);
}

static void test_derive_arguments(void **state)
{
    json_t *body = ut_json("{\"a\": 1}"), *map = ut_json("{\"/a\": [\"secret\"]}");
    json_t *ob = json_true(), *ol = json_true();

    assert_int_equal(tier_derive(body, map, (enum pol_tier)4, &ob, &ol), RK_EINVAL);
    assert_null(ob);
    assert_null(ol);
    assert_int_equal(tier_derive(body, map, (enum pol_tier) - 1, &ob, &ol), RK_EINVAL);
    assert_int_equal(tier_derive(NULL, map, POL_TIER_PROVISION, &ob, &ol), RK_EINVAL);
    assert_int_equal(tier_derive(body, map, POL_TIER_PROVISION, NULL, &ol), RK_EINVAL);
    assert_null(ol);
    assert_int_equal(tier_derive(body, map, POL_TIER_PROVISION, &ob, NULL), RK_EINVAL);
    assert_null(ob);
    json_decref(body);
    json_decref(map);
}

/* ---- the property test ------------------------------------------------------------------ */

#define MAX_NODES 400
#define ITERATIONS 10000

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Every value of a generated body, in preorder (a parent before its children). */
struct node {
    json_t *v;       /* borrowed from the body */
    int parent;      /* -1 for the root */
    const char *key; /* member name when the parent is an object, else NULL */
    size_t index;    /* position when the parent is an array */
    char ptr[256];   /* the pointer in the original body */
    unsigned own;    /* labels of its own entry (0: none) */
    bool removed;    /* it or an ancestor carries a forbidden label */
    size_t new_index;
    char new_ptr[256];
    json_t *out; /* where it is in the derived body */
};

struct world {
    struct node n[MAX_NODES];
    size_t count;
    unsigned next_leaf;
};

/* Keys that need escaping, the empty key and digit strings as member names. */
static const char *const keys[] = {"a", "b", "title", "a/b", "~t", "", "0", "01", "x~1"};

static void ptr_push(char *dst, size_t cap, const char *parent, const char *tok)
{
    size_t n = (size_t)snprintf(dst, cap, "%s/", parent);
    for (const char *c = tok; *c && n + 3 < cap; c++) {
        if (*c == '~' || *c == '/') {
            dst[n++] = '~';
            dst[n++] = *c == '~' ? '0' : '1';
        } else {
            dst[n++] = *c;
        }
    }
    dst[n] = '\0';
}

static json_t *gen(struct world *w, int parent, const char *key, size_t index, int depth)
{
    if (w->count == MAX_NODES) return NULL;
    int me = (int)w->count++;
    struct node *nd = &w->n[me];
    json_t *v;
    /* The root is a container: a scalar body has little to test. */
    uint32_t kind = depth >= 4 ? 0 : depth == 0 ? 5 + rnd(5) : rnd(10);

    memset(nd, 0, sizeof *nd);
    nd->parent = parent;
    nd->key = key;
    nd->index = index;
    if (parent < 0) {
        nd->ptr[0] = '\0';
    } else {
        char num[24];
        snprintf(num, sizeof num, "%zu", index);
        ptr_push(nd->ptr, sizeof nd->ptr, w->n[parent].ptr, key ? key : num);
    }
    if (kind < 5) {
        /* Leaves: mostly distinct strings, some repeats to exercise multisets. */
        switch (rnd(6)) {
        case 0:
            v = json_integer(rnd(3));
            break;
        case 1:
            v = rnd(2) ? json_true() : json_null();
            break;
        default: {
            char s[24];
            snprintf(s, sizeof s, "v%u", w->next_leaf++);
            v = json_string(s);
        }
        }
    } else if (kind < 8) {
        v = json_array();
        for (uint32_t i = 0, m = rnd(6); i < m; i++) {
            json_t *c = gen(w, me, NULL, json_array_size(v), depth + 1);
            if (c) json_array_append_new(v, c);
        }
    } else {
        v = json_object();
        bool used[RK_ARRAY_LEN(keys)] = {0};
        for (uint32_t i = 0, m = rnd(5); i < m; i++) {
            size_t k = rnd(RK_ARRAY_LEN(keys));
            if (used[k]) continue;
            used[k] = true;
            json_t *c = gen(w, me, keys[k], 0, depth + 1);
            if (c) json_object_set_new(v, keys[k], c);
        }
    }
    nd->v = v;
    return v;
}

static json_t *random_labels(struct world *w)
{
    static const char *const names[] = {"secret", "comms_info", "source_identifying"};
    static const unsigned bits[] = {S, C, SI};
    json_t *map = json_object();
    for (uint32_t i = 0, m = rnd(7); i < m; i++) {
        size_t at = rnd((uint32_t)w->count);
        if (at == 0 && rnd(8) != 0) continue; /* the whole body, now and then */
        if (w->n[at].own) continue;
        unsigned set = 1 + rnd(7);
        json_t *arr = json_array();
        for (size_t k = 0, start = rnd(3); k < 3; k++) {
            size_t l = (start + k) % 3;
            if (set & (1u << l)) json_array_append_new(arr, json_string(names[l]));
        }
        for (size_t l = 0; l < 3; l++)
            if (set & (1u << l)) w->n[at].own |= bits[l];
        json_object_set_new(map, w->n[at].ptr, arr);
    }
    return map;
}

static bool is_ancestor_or_self(const struct world *w, int anc, int i)
{
    for (; i >= 0; i = w->n[i].parent)
        if (i == anc) return true;
    return false;
}

/* The oracle: what should be removed, where kept values should land. */
static void expect_layout(struct world *w, unsigned forbidden)
{
    for (size_t i = 0; i < w->count; i++) {
        struct node *nd = &w->n[i];
        const struct node *up = nd->parent >= 0 ? &w->n[nd->parent] : NULL;
        nd->removed = (nd->own & forbidden) != 0 || (up && up->removed);
        if (!up) {
            nd->new_ptr[0] = '\0';
            continue;
        }
        nd->new_index = nd->index;
        if (nd->key == NULL)
            for (size_t j = 1; j < i; j++)
                if (w->n[j].parent == nd->parent && w->n[j].index < nd->index &&
                    (w->n[j].own & forbidden))
                    nd->new_index--;
        char num[24];
        snprintf(num, sizeof num, "%zu", nd->new_index);
        ptr_push(nd->new_ptr, sizeof nd->new_ptr, up->new_ptr, nd->key ? nd->key : num);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the serialized scalars of v to list. */
static void collect_leaves(const json_t *v, char **list, size_t *n)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *c;
        json_object_foreach((json_t *)v, key, c) collect_leaves(c, list, n);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) collect_leaves(c, list, n);
    } else {
        assert_true(*n < MAX_NODES);
        list[(*n)++] = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    }
}

static void expect_same_multiset(char **a, size_t na, char **b, size_t nb)
{
    qsort(a, na, sizeof *a, cmp_str);
    qsort(b, nb, sizeof *b, cmp_str);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        assert_string_equal(a[i], b[i]);
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
}

/* The scalars under node `top` that survive, per the oracle. */
static size_t kept_leaves(const struct world *w, int top, char **list)
{
    size_t n = 0;
    for (size_t i = 0; i < w->count; i++) {
        const json_t *v = w->n[i].v;
        if (w->n[i].removed || json_is_object(v) || json_is_array(v)) continue;
        if (is_ancestor_or_self(w, top, (int)i))
            list[n++] = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    }
    return n;
}

static void check_case(struct world *w, json_t *body, json_t *map, enum pol_tier tier)
{
    unsigned forbidden = tier_forbidden(tier);
    struct jv_errors errs;
    json_t *ob, *ol;
    char *want[MAX_NODES], *got[MAX_NODES];
    size_t nwant, ngot = 0, survivors = 0;

    assert_int_equal(tier_labels_check(body, map, &errs), RK_OK);
    derive(body, map, tier, &ob, &ol);
    assert_int_equal(tier_gate(ol, tier, &errs), RK_OK);
    assert_int_equal(tier_labels_check(ob, ol, &errs), RK_OK);
    expect_layout(w, forbidden);

    /* Every leaf not under a forbidden label survives, and no other. */
    nwant = kept_leaves(w, 0, want);
    if (w->n[0].removed) {
        assert_true(json_is_null(ob));
    } else {
        collect_leaves(ob, got, &ngot);
    }
    expect_same_multiset(want, nwant, got, ngot);
    free_list(want, nwant);
    free_list(got, ngot);

    /* Every kept value is where the oracle puts it, with its kept children only. */
    for (size_t i = 0; i < w->count; i++) {
        struct node *nd = &w->n[i];
        unsigned effective = 0;
        for (int a = (int)i; a >= 0; a = w->n[a].parent)
            effective |= w->n[a].own;
        assert_int_equal(tier_labels_at(map, nd->ptr), effective);
        if (nd->removed) continue;
        if (nd->parent < 0) {
            nd->out = ob;
        } else {
            const json_t *up = w->n[nd->parent].out;
            nd->out = nd->key ? json_object_get(up, nd->key) : json_array_get(up, nd->new_index);
        }
        assert_non_null(nd->out);
        assert_int_equal(json_typeof(nd->out), json_typeof(nd->v));
        if (!json_is_object(nd->v) && !json_is_array(nd->v)) {
            assert_true(json_equal(nd->out, nd->v));
        } else {
            size_t kept = 0;
            for (size_t j = i + 1; j < w->count; j++)
                kept += w->n[j].parent == (int)i && !w->n[j].removed;
            assert_int_equal(kept, json_is_object(nd->v) ? json_object_size(nd->out)
                                                         : json_array_size(nd->out));
        }
        /* Its labels moved with it and still name the same value: the same kept leaves. */
        if (nd->own) {
            survivors++;
            const json_t *names = json_object_get(ol, nd->new_ptr);
            assert_non_null(names);
            assert_true(json_equal(names, json_object_get(map, nd->ptr)));
            nwant = kept_leaves(w, (int)i, want);
            ngot = 0;
            collect_leaves(nd->out, got, &ngot);
            expect_same_multiset(want, nwant, got, ngot);
            free_list(want, nwant);
            free_list(got, ngot);
        }
        assert_int_equal(tier_labels_at(ol, nd->new_ptr), tier_labels_at(map, nd->ptr));
    }
    assert_int_equal(json_object_size(ol), survivors);

    /* Idempotent; and provision then publication equals publication directly. */
    json_t *ob2, *ol2;
    derive(ob, ol, tier, &ob2, &ol2);
    assert_true(json_equal(ob, ob2));
    assert_true(json_equal(ol, ol2));
    json_decref(ob2);
    json_decref(ol2);
    if (tier == POL_TIER_PUBLICATION) {
        json_t *pb, *pl;
        derive(body, map, POL_TIER_PROVISION, &pb, &pl);
        derive(pb, pl, POL_TIER_PUBLICATION, &ob2, &ol2);
        assert_true(json_equal(ob, ob2));
        assert_true(json_equal(ol, ol2));
        json_decref(ob2);
        json_decref(ol2);
        json_decref(pb);
        json_decref(pl);
    }
    json_decref(ob);
    json_decref(ol);
}

static void test_property(void **state)
{
    static struct world w;
    size_t removed_some = 0, root_removed = 0, shifted = 0;

    rng_state = 0x9e3779b97f4a7c15ull;
    for (int it = 0; it < ITERATIONS; it++) {
        memset(&w, 0, sizeof w);
        json_t *body = gen(&w, -1, NULL, 0, 0);
        json_t *map = random_labels(&w);
        enum pol_tier tier = (enum pol_tier)rnd(4);
        json_t *before = json_deep_copy(body), *map_before = json_deep_copy(map);
        check_case(&w, body, map, tier);
        assert_true(json_equal(body, before));
        assert_true(json_equal(map, map_before));
        for (size_t i = 0; i < w.count; i++) {
            removed_some += w.n[i].own & tier_forbidden(tier) ? 1 : 0;
            shifted += !w.n[i].removed && w.n[i].new_index != w.n[i].index;
        }
        root_removed += w.n[0].removed;
        json_decref(before);
        json_decref(map_before);
        json_decref(body);
        json_decref(map);
    }
    print_message("property: %d cases, %zu removals, %zu values shifted, %zu whole bodies\n",
                  ITERATIONS, removed_some, shifted, root_removed);
    /* The generator must reach the interesting cases, not just pass trivially. */
    assert_true(removed_some > ITERATIONS / 2);
    assert_true(shifted > ITERATIONS / 10);
    assert_true(root_removed > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derive_provision),
        cmocka_unit_test(test_derive_publication),
        cmocka_unit_test(test_derive_keeps),
        cmocka_unit_test(test_gate_product),
        cmocka_unit_test(test_gate_each_label_each_tier),
        cmocka_unit_test(test_gate_edges),
        cmocka_unit_test(test_labels_check_errors),
        cmocka_unit_test(test_labels_check_valid),
        cmocka_unit_test(test_labels_check_limits),
        cmocka_unit_test(test_labels_at),
        cmocka_unit_test(test_ancestor_removal),
        cmocka_unit_test(test_reindex),
        cmocka_unit_test(test_escaped_keys),
        cmocka_unit_test(test_root_labelled),
        cmocka_unit_test(test_derive_arguments),
        cmocka_unit_test(test_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
