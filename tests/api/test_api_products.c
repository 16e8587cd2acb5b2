/*
 * test_api_products.c — analysis products (総合整理分析情報) end to end on the real server: a
 * comprehensive product with labelled content (unique marker strings), derivation to the
 * provision and publication tiers, the release gate with its exact pointers and rules, upward
 * derivation refused, released products immutable, and who reads what under policy.h (tier
 * audiences, field labels, drafts for the national centre only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"

static struct srv S;
static char NC[128], METI[128], TOTO[128], KENSEIKAI[128];

#define M_SECRET "SECRET-MARK-7f3a"
#define M_COMMS "COMMS-MARK-19bd"
#define M_COMMS_IND "COMMS-IND-MARK-5c20"
#define M_SOURCE "SOURCE-MARK-e2c1"
#define M_SRCID "SRCID-MARK-0a9e"

static int setup(void **state)
{
    (void)state;
    srv_start(&S, true, NULL);
    bearer(&S, "nc-analyst", NC, sizeof NC);
    bearer(&S, "meti-analyst", METI, sizeof METI);
    bearer(&S, "toto-reporter", TOTO, sizeof TOTO);
    bearer(&S, "kenseikai-reporter", KENSEIKAI, sizeof KENSEIKAI);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srv_stop(&S);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static void send(const char *method, const char *path, const char *tok, json_t *body,
                 struct resp *r)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    http_json(&S, method, path, tok, text, r);
    free(text);
}

static json_t *comprehensive(void)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:[s], s:{s:s, s:[s, s, s], s:[{s:s}, {s:s}], s:{s:s}, s:s}, "
                  "s:{s:[s], s:[s], s:[s], s:[s, s], s:[s]}}",
                  "title", "DDoS campaign against electricity operators", "tier", "comprehensive",
                  "tlp", "TLP:GREEN", "sectors", "core.electricity", "body", "summary",
                  "Sustained UDP floods against web portals", "paragraphs", "Public paragraph",
                  "Secret paragraph " M_SECRET, "Comms paragraph " M_COMMS, "indicators", "value",
                  "198.51.100.7 " M_COMMS_IND, "value", "203.0.113.9", "source", "name",
                  "Source " M_SOURCE, "reporter", "Reported by " M_SRCID, "labels", "/paragraphs/1",
                  "secret", "/paragraphs/2", "comms_info", "/indicators/0", "comms_info", "/source",
                  "secret", "source_identifying", "/reporter", "source_identifying");
    assert_non_null(j);
    return j;
}

static int64_t id_of(const struct resp *r)
{
    return json_integer_value(json_object_get(r->json, "id"));
}

static json_t *get(const char *tok, int64_t id, long status)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)id);
    struct resp r;
    http_json(&S, "GET", path, tok, NULL, &r);
    assert_int_equal(r.status, status);
    json_t *v = json_incref(r.json);
    if (status == 200) {
        assert_non_null(v);
        json_object_set_new(v, "raw_", json_string(r.body));
    }
    resp_free(&r);
    return v;
}

static bool raw_has(json_t *v, const char *marker)
{
    return strstr(json_string_value(json_object_get(v, "raw_")), marker) != NULL;
}

static void retitle_if_derived(int64_t id);

/* Derives; a derived draft then gets its own title (release refuses the parent's), and out
 * holds the product as the centre sees it after that. */
static int64_t derive(int64_t id, const char *tier, long status, struct resp *out)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/derive?tier=%s", (long long)id, tier);
    http_json(&S, "POST", path, NC, NULL, out);
    assert_int_equal(out->status, status);
    if (status != 201) return 0;
    int64_t child = id_of(out);
    resp_free(out);
    retitle_if_derived(child);
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)child);
    http_json(&S, "GET", path, NC, NULL, out);
    assert_int_equal(out->status, 200);
    return child;
}

/* A derived draft still titled as its parent: give it its own title (release refuses it). */
static void retitle_if_derived(int64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)id);
    struct resp r;
    http_json(&S, "GET", path, NC, NULL, &r);
    assert_int_equal(r.status, 200);
    bool derived = !json_is_null(json_object_get(r.json, "parent_id"));
    bool draft = strcmp(json_string_value(json_object_get(r.json, "status")), "draft") == 0;
    json_int_t version = json_integer_value(json_object_get(r.json, "version"));
    char title[256];
    snprintf(title, sizeof title, "%s (%s)", json_string_value(json_object_get(r.json, "title")),
             json_string_value(json_object_get(r.json, "tier")));
    resp_free(&r);
    if (!derived || !draft) return;
    struct resp u;
    send("PATCH", path, NC, json_pack("{s:s, s:I}", "title", title, "version", version), &u);
    assert_int_equal(u.status, 200);
    resp_free(&u);
}

static void release(int64_t id, long status, struct resp *out)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)id);
    http_json(&S, "POST", path, NC, NULL, out);
    assert_int_equal(out->status, status);
}

static void patch(int64_t id, json_t *body, long status, struct resp *out)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)id);
    send("PATCH", path, NC, body, out);
    assert_int_equal(out->status, status);
}

static void assert_error(const struct resp *r, size_t i, const char *pointer, const char *rule)
{
    json_t *e = problem_error(r, i);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "pointer")), pointer);
    assert_string_equal(json_string_value(json_object_get(e, "rule")), rule);
}

static bool listed(const char *tok, const char *query, int64_t id)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/products%s", query);
    struct resp r;
    http_json(&S, "GET", path, tok, NULL, &r);
    assert_int_equal(r.status, 200);
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == id) found = true;
        assert_null(json_object_get(it, "body"));
    }
    resp_free(&r);
    return found;
}

/* ---- the tiers end to end ----------------------------------------------------------------- */

static void derive_and_release(void **state)
{
    (void)state;
    struct resp r;
    send("POST", "/api/v1/products", NC, comprehensive(), &r);
    assert_int_equal(r.status, 201);
    int64_t comp = id_of(&r);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "draft");
    assert_string_equal(json_string_value(json_object_get(r.json, "tier")), "comprehensive");
    assert_true(json_is_null(json_object_get(r.json, "parent_id")));
    assert_non_null(json_object_get(r.json, "labels")); /* the centre's writers see the map */
    resp_free(&r);

    /* A draft exists for the national centre only. */
    json_decref(get(METI, comp, 404));
    json_decref(get(TOTO, comp, 404));
    assert_false(listed(METI, "", comp));
    assert_true(listed(NC, "?status=draft", comp));

    /* Provision: comms_info gone, secret and source_identifying kept. */
    int64_t prov = derive(comp, "provision", 201, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "parent_id")), comp);
    assert_string_equal(json_string_value(json_object_get(r.json, "tier")), "provision");
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "draft");
    assert_null(strstr(r.body, M_COMMS));
    assert_null(strstr(r.body, M_COMMS_IND));
    assert_non_null(strstr(r.body, M_SECRET));
    assert_non_null(strstr(r.body, M_SOURCE));
    assert_non_null(strstr(r.body, M_SRCID));
    json_t *labels = json_object_get(r.json, "labels");
    assert_null(json_object_get(labels, "/paragraphs/2"));
    assert_null(json_object_get(labels, "/indicators/0"));
    assert_non_null(json_object_get(labels, "/paragraphs/1"));
    /* the second indicator moved up */
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(r.json, "body"), "indicators"), 0),
            "value")),
        "203.0.113.9");
    resp_free(&r);

    /* Publication from provision: secret and source_identifying gone too. */
    int64_t pub = derive(prov, "publication", 201, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "parent_id")), prov);
    assert_null(strstr(r.body, M_SECRET));
    assert_null(strstr(r.body, M_SOURCE));
    assert_null(strstr(r.body, M_SRCID));
    assert_null(strstr(r.body, M_COMMS));
    assert_non_null(strstr(r.body, "Public paragraph"));
    assert_int_equal(json_object_size(json_object_get(r.json, "labels")), 0);
    resp_free(&r);

    /* Derivation goes down only. */
    derive(prov, "comprehensive", 422, &r);
    assert_error(&r, 0, "/query/tier", "tier_order");
    resp_free(&r);
    derive(pub, "provision", 422, &r);
    assert_error(&r, 0, "/query/tier", "tier_order");
    resp_free(&r);
    derive(pub, "publication", 422, &r);
    assert_error(&r, 0, "/query/tier", "tier_order");
    resp_free(&r);

    release(comp, 200, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "released");
    assert_false(json_is_null(json_object_get(r.json, "released_at")));
    resp_free(&r);
    release(prov, 200, &r);
    resp_free(&r);
    release(pub, 200, &r);
    resp_free(&r);

    /* Released products are immutable. */
    patch(prov, json_pack("{s:s, s:i}", "title", "changed", "version", 2), 409, &r);
    assert_error(&r, 0, "/status", "released");
    resp_free(&r);
    release(prov, 409, &r);
    assert_error(&r, 0, "/status", "released");
    resp_free(&r);
    /* A released product still derives (a new draft). */
    /* The title is not labelled: a derived draft must get its own before release. */
    {
        struct resp d;
        char path[96];
        snprintf(path, sizeof path, "/api/v1/products/%lld/derive?tier=provision", (long long)comp);
        http_json(&S, "POST", path, NC, NULL, &d);
        assert_int_equal(d.status, 201);
        int64_t again = id_of(&d);
        resp_free(&d);
        snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)again);
        http_json(&S, "POST", path, NC, NULL, &d);
        assert_int_equal(d.status, 422);
        assert_error(&d, 0, "/title", "unchanged_from_parent");
        resp_free(&d);
    }
    int64_t pub2 = derive(comp, "publication", 201, &r);
    assert_non_null(strstr(r.body, "Public paragraph"));
    assert_null(strstr(r.body, M_SECRET));
    resp_free(&r);

    /* Who reads what (policy.h): comprehensive → NC and designated agencies only. */
    json_decref(get(METI, comp, 404));
    json_decref(get(TOTO, comp, 404));
    json_decref(get(KENSEIKAI, comp, 404));
    json_t *v = get(NC, comp, 200);
    assert_true(raw_has(v, M_COMMS) && raw_has(v, M_SECRET) && raw_has(v, M_SRCID));
    json_decref(v);

    /* Provision: a ministry reads it with secret content, without the source's identity and
     * without the label map. */
    v = get(METI, prov, 200);
    assert_true(raw_has(v, M_SECRET));
    assert_false(raw_has(v, M_SRCID));
    assert_false(raw_has(v, M_SOURCE)); /* /source is secret AND source_identifying */
    assert_null(json_object_get(v, "labels"));
    json_decref(v);
    /* A council member (TLP:GREEN, provision audience): secret yes, source identity no. */
    v = get(TOTO, prov, 200);
    assert_true(raw_has(v, M_SECRET));
    assert_false(raw_has(v, M_SRCID));
    assert_false(raw_has(v, M_SOURCE));
    assert_null(json_object_get(v, "labels"));
    json_decref(v);
    /* A council friend receives the publication tier only. */
    json_decref(get(KENSEIKAI, prov, 404));
    v = get(KENSEIKAI, pub, 200);
    assert_true(raw_has(v, "Public paragraph"));
    json_decref(v);
    json_decref(get(KENSEIKAI, pub2, 404)); /* still a draft */

    /* Lists show what get shows. */
    assert_true(listed(METI, "", prov));
    assert_true(listed(METI, "", pub));
    assert_false(listed(METI, "", comp));
    assert_false(listed(METI, "", pub2));
    assert_true(listed(METI, "?tier=provision", prov));
    assert_false(listed(METI, "?tier=publication", prov));
    assert_true(listed(KENSEIKAI, "?status=released", pub));
    assert_false(listed(KENSEIKAI, "", prov));
    assert_true(listed(NC, "?tier=comprehensive&status=released", comp));
    assert_false(listed(NC, "?status=draft", comp));
}

/* ---- the release gate ----------------------------------------------------------------------- */

static void release_gate(void **state)
{
    (void)state;
    struct resp r;
    send("POST", "/api/v1/products", NC, comprehensive(), &r);
    assert_int_equal(r.status, 201);
    int64_t comp = id_of(&r);
    resp_free(&r);

    /* A provision draft edited to carry comms_info is refused at release. */
    int64_t prov = derive(comp, "provision", 201, &r);
    json_t *labels = json_deep_copy(json_object_get(r.json, "labels"));
    int64_t version = json_integer_value(json_object_get(r.json, "version"));
    resp_free(&r);
    json_object_set_new(labels, "/summary", json_pack("[s]", "comms_info"));
    patch(prov, json_pack("{s:o, s:I}", "labels", labels, "version", (json_int_t)version), 200, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "version")), version + 1);
    resp_free(&r);
    release(prov, 422, &r);
    assert_error(&r, 0, "/summary", "label_comms_info");
    assert_null(problem_error(&r, 1));
    resp_free(&r);
    /* A stale version is a conflict. */
    patch(prov, json_pack("{s:s, s:I}", "title", "x", "version", (json_int_t)version), 409, &r);
    assert_error(&r, 0, "/version", "version");
    resp_free(&r);
    /* Removing the label lets it through. */
    patch(prov,
          json_pack("{s:{s:[s]}, s:I}", "labels", "/paragraphs/1", "secret", "version",
                    (json_int_t)version + 1),
          200, &r);
    resp_free(&r);
    release(prov, 200, &r);
    resp_free(&r);

    /* A publication product carrying secret and source_identifying: each named. */
    int64_t pub = derive(comp, "publication", 201, &r);
    version = json_integer_value(json_object_get(r.json, "version"));
    resp_free(&r);
    patch(pub,
          json_pack("{s:{s:[s], s:[s]}, s:I}", "labels", "/summary", "secret", "/paragraphs/0",
                    "source_identifying", "version", (json_int_t)version),
          200, &r);
    resp_free(&r);
    release(pub, 422, &r);
    assert_error(&r, 0, "/summary", "label_secret");
    assert_error(&r, 1, "/paragraphs/0", "label_source_identifying");
    resp_free(&r);

    /* Created directly at a lower tier: stored, but the gate still runs at release. */
    json_t *direct = comprehensive();
    json_object_set_new(direct, "tier", json_string("publication"));
    send("POST", "/api/v1/products", NC, direct, &r);
    assert_int_equal(r.status, 201);
    int64_t d = id_of(&r);
    resp_free(&r);
    release(d, 422, &r);
    assert_error(&r, 0, "/paragraphs/1", "label_secret");
    assert_error(&r, 1, "/paragraphs/2", "label_comms_info");
    assert_error(&r, 2, "/indicators/0", "label_comms_info");
    assert_error(&r, 3, "/source", "label_secret");
    assert_error(&r, 4, "/source", "label_source_identifying");
    assert_error(&r, 5, "/reporter", "label_source_identifying");
    resp_free(&r);
}

/* ---- validation and rights ------------------------------------------------------------------ */

static void validation_and_rights(void **state)
{
    (void)state;
    struct resp r;
    json_t *j = comprehensive();
    json_object_set_new(json_object_get(j, "labels"), "/nope", json_pack("[s]", "secret"));
    send("POST", "/api/v1/products", NC, j, &r);
    assert_int_equal(r.status, 422);
    assert_error(&r, 0, "/labels/~1nope", "unresolved");
    resp_free(&r);

    j = comprehensive();
    json_object_set_new(j, "tier", json_string("none"));
    send("POST", "/api/v1/products", NC, j, &r);
    assert_int_equal(r.status, 422);
    assert_error(&r, 0, "/tier", "enum");
    resp_free(&r);

    j = comprehensive();
    json_object_del(j, "body");
    send("POST", "/api/v1/products", NC, j, &r);
    assert_int_equal(r.status, 422);
    assert_error(&r, 0, "/body", "required");
    resp_free(&r);

    /* Only the national centre's analysts write. */
    send("POST", "/api/v1/products", METI, comprehensive(), &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    send("POST", "/api/v1/products", TOTO, comprehensive(), &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);

    send("POST", "/api/v1/products", NC, comprehensive(), &r);
    assert_int_equal(r.status, 201);
    int64_t id = id_of(&r);
    resp_free(&r);
    /* A new body comes with its label map: kept labels could land on other values. */
    patch(id, json_pack("{s:{s:s}, s:i}", "body", "summary", "only this", "version", 1), 422, &r);
    assert_error(&r, 0, "/labels", "required");
    resp_free(&r);
    /* An edit whose map points nowhere is refused. */
    patch(id,
          json_pack("{s:{s:s}, s:{s:[s]}, s:i}", "body", "summary", "only this", "labels",
                    "/paragraphs/1", "secret", "version", 1),
          422, &r);
    assert_error(&r, 0, "/labels/~1paragraphs~11", "unresolved");
    resp_free(&r);
    /* Others cannot touch a draft they cannot see. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)id);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/products/%lld/derive?tier=bogus", (long long)id);
    http_json(&S, "POST", path, NC, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_error(&r, 0, "/query/tier", "enum");
    resp_free(&r);
}

/* A label on the whole body hides the product from every path, not just GET; a reader of a
 * lower tier does not learn which product it was cut down from. */
static void root_label_and_parent(void **state)
{
    (void)state;
    struct resp r;
    json_t *j = comprehensive();
    json_object_set_new(j, "tier", json_string("provision"));
    json_object_set_new(j, "title", json_string("ROOT-HIDDEN"));
    json_object_set_new(j, "labels", json_pack("{s:[s]}", "", "source_identifying"));
    send("POST", "/api/v1/products", NC, j, &r);
    assert_int_equal(r.status, 201);
    int64_t id = id_of(&r);
    resp_free(&r);
    release(id, 200, &r);
    resp_free(&r);
    json_decref(get(METI, id, 404));
    assert_false(listed(METI, "", id));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)id);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 404); /* as for a product that does not exist */
    resp_free(&r);

    send("POST", "/api/v1/products", NC, comprehensive(), &r);
    int64_t comp = id_of(&r);
    resp_free(&r);
    release(comp, 200, &r);
    resp_free(&r);
    int64_t pub = derive(comp, "publication", 201, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "parent_id")), comp);
    resp_free(&r);
    release(pub, 200, &r);
    resp_free(&r);
    json_t *v = get(KENSEIKAI, pub, 200);
    assert_null(json_object_get(v, "parent_id"));
    assert_null(json_object_get(v, "labels"));
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(derive_and_release),
        cmocka_unit_test(root_label_and_parent),
        cmocka_unit_test(release_gate),
        cmocka_unit_test(validation_and_rights),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
