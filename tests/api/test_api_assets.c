/*
 * test_api_assets.c — the asset registry end to end against the real server: filing by the
 * operator and by a delegated vendor, refusal without a delegation, visibility per role,
 * multi-category and IP-range entries, exemptions, changes, retirement, drafts, "as of"
 * history, routing steps, filing status over the demo data, and inventories (dry run, real
 * run, idempotent re-upload, atomic rejection, 20,000 rows). Expectations are written from the
 * rules in domain.md §4, not read back from the policy module.
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

#include "support.h"

static struct srv S;
static char NC[128], TOTO_R[128], TOTO_A[128], WANGAN_A[128], TSS[128], METI[128], MIC[128];
static json_int_t TOTO, WANGAN, TSS_ORG;

static json_int_t org_id_by_name(const char *token, const char *name_ja)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/orgs?limit=1000", token, NULL, &r);
    size_t i;
    json_t *o;
    json_int_t id = 0;
    json_array_foreach(json_object_get(r.json, "items"), i,
                       o) if (strcmp(json_string_value(json_object_get(o, "name_ja")), name_ja) ==
                              0) id = json_integer_value(json_object_get(o, "id"));
    resp_free(&r);
    assert_true(id > 0);
    return id;
}

static int setup(void **state)
{
    const char *extra[] = {"--login-rate", "10000", "--enforcement-date", "2026-07-01", NULL};
    srv_start(&S, true, extra);
    bearer(&S, "nc-admin", NC, sizeof NC);
    bearer(&S, "toto-reporter", TOTO_R, sizeof TOTO_R);
    bearer(&S, "toto-admin", TOTO_A, sizeof TOTO_A);
    bearer(&S, "wangan-admin", WANGAN_A, sizeof WANGAN_A);
    bearer(&S, "tss-reporter", TSS, sizeof TSS);
    bearer(&S, "meti-analyst", METI, sizeof METI);
    bearer(&S, "mic-analyst", MIC, sizeof MIC);
    TOTO = org_id_by_name(NC, "東都電力株式会社");
    WANGAN = org_id_by_name(NC, "湾岸瓦斯株式会社");
    TSS_ORG = org_id_by_name(NC, "東都システムソリューションズ株式会社");
    return 0;
}

/* Today in Japan, "YYYY-MM-DD": statuses depend on it, so tests that run in later years
 * compute their expectations from it instead of hard-coding them. */
static void today_jst(char out[11])
{
    time_t t = time(NULL) + 9 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

static const char *str_at(const json_t *j, const char *path)
{
    /* "a/b/0/c": objects by key, arrays by index */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = j;
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t && cur; t = strtok_r(NULL, "/", &save))
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(t, NULL, 10))
                                 : json_object_get(cur, t);
    return json_string_value(cur);
}

static json_int_t int_at(const json_t *j, const char *k1, const char *k2)
{
    const json_t *v = json_object_get(j, k1);
    return json_integer_value(k2 ? json_object_get(v, k2) : v);
}

/* POSTs an entry (fmt is the "entry" object) and returns the new asset id (expect 201). */
static json_int_t file_entry(const char *token, json_int_t org, const char *entry, bool draft)
{
    char body[4096];
    struct resp r;
    snprintf(body, sizeof body, "{\"org_id\":%lld,\"draft\":%s,\"entry\":%s}", (long long)org,
             draft ? "true" : "false", entry);
    http_json(&S, "POST", "/api/v1/assets", token, body, &r);
    if (r.status != 201) fprintf(stderr, "file_entry: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    json_int_t id = int_at(r.json, "id", NULL);
    resp_free(&r);
    return id;
}

static void expect_problem(struct resp *r, long status, const char *pointer, const char *rule)
{
    if (r->status != status) fprintf(stderr, "expected %ld: %ld %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
    if (pointer) {
        json_t *e = problem_error(r, 0);
        assert_non_null(e);
        assert_string_equal(json_string_value(json_object_get(e, "pointer")), pointer);
        if (rule) assert_string_equal(json_string_value(json_object_get(e, "rule")), rule);
    }
}

static long get_status(const char *token, const char *path)
{
    struct resp r;
    http_json(&S, "GET", path, token, NULL, &r);
    long st = r.status;
    resp_free(&r);
    return st;
}

#define FW_ENTRY                                                                                   \
    "{\"ref\":\"T-FW-1\",\"facility\":\"東都電力 本店 インターネット境界\","        \
    "\"categories\":[\"D\",\"A\"],\"introduced_on\":\"2026-10-05\","                               \
    "\"ip_ranges\":[\"203.0.113.0/28\",\"2001:DB8:0:0::/48\"],"                                    \
    "\"products\":[{\"kind\":\"os\",\"name\":\"FortiOS\",\"manufacturer\":\"Fortinet\","           \
    "\"version\":\"7.4.3\"}]}"

static json_int_t FW_ID;

static void operator_files_multi_category_entry(void **st)
{
    FW_ID = file_entry(TOTO_R, TOTO, FW_ENTRY, false);
    struct resp r;
    char path[64];
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)FW_ID);
    http_json(&S, "GET", path, TOTO_R, NULL, &r);
    assert_int_equal(r.status, 200);
    /* One entry for a device in two categories; canonical order and forms. */
    assert_string_equal(str_at(r.json, "entry/categories/0"), "A");
    assert_string_equal(str_at(r.json, "entry/categories/1"), "D");
    assert_string_equal(str_at(r.json, "entry/ip_ranges/0"), "2001:db8::/48");
    assert_string_equal(str_at(r.json, "entry/ip_ranges/1"), "203.0.113.0/28");
    assert_string_equal(str_at(r.json, "entry/products/0/name"), "FortiOS");
    assert_string_equal(str_at(r.json, "entry/products/0/cpe"),
                        "cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:*");
    assert_string_equal(str_at(r.json, "entry/products/0/cpe_source"), "derived");
    assert_string_equal(str_at(r.json, "status"), "live");
    assert_string_equal(str_at(r.json, "filing/kind"), "new");
    /* 2026-10-05 + 4 months: the period ends 2027-02-05 (a Friday), Civil Code Art. 143. */
    assert_string_equal(str_at(r.json, "filing/deadline"), "2027-02-05");
    char today[11];
    today_jst(today);
    assert_string_equal(str_at(r.json, "filing/status"),
                        strcmp(today, "2027-02-05") <= 0 ? "filed_on_time" : "filed_late");
    assert_int_equal(int_at(r.json, "filing", "filed_by_org"), TOTO);
    resp_free(&r);
    /* The same management number twice among live entries is a conflict. */
    char body[2048];
    snprintf(body, sizeof body, "{\"org_id\":%lld,\"entry\":%s}", (long long)TOTO, FW_ENTRY);
    http_json(&S, "POST", "/api/v1/assets", TOTO_R, body, &r);
    expect_problem(&r, 409, "/ref", NULL);
    resp_free(&r);
    /* IP ranges belong to category A; host bits must be zero; empty entries are refused. */
    http_json(&S, "POST", "/api/v1/assets", TOTO_R,
              "{\"entry\":{\"ref\":\"X1\",\"facility\":\"f\",\"categories\":[\"E\"],"
              "\"introduced_on\":\"2026-10-01\",\"ip_ranges\":[\"192.0.2.0/24\"]}}",
              &r);
    expect_problem(&r, 422, "/entry/ip_ranges", "not_allowed");
    resp_free(&r);
    http_json(&S, "POST", "/api/v1/assets", TOTO_R,
              "{\"entry\":{\"ref\":\"X1\",\"facility\":\"f\",\"categories\":[\"A\"],"
              "\"introduced_on\":\"2026-10-01\",\"ip_ranges\":[\"192.0.2.1/24\"]}}",
              &r);
    expect_problem(&r, 422, "/entry/ip_ranges/0", NULL);
    resp_free(&r);
    http_json(&S, "POST", "/api/v1/assets", TOTO_R,
              "{\"entry\":{\"ref\":\"X1\",\"facility\":\"f\",\"categories\":[\"E\"],"
              "\"introduced_on\":\"2026-10-01\"}}",
              &r);
    expect_problem(&r, 422, "/entry/products", "empty_entry");
    resp_free(&r);
    /* In place at enforcement (2026-07-01) but introduced later: a contradiction. */
    http_json(&S, "POST", "/api/v1/assets", TOTO_R,
              "{\"entry\":{\"ref\":\"X1\",\"facility\":\"f\",\"categories\":[\"A\"],"
              "\"in_place_at_enforcement\":true,\"introduced_on\":\"2026-08-01\","
              "\"ip_ranges\":[\"192.0.2.0/24\"]}}",
              &r);
    expect_problem(&r, 422, "/entry/in_place_at_enforcement", "in_place");
    resp_free(&r);
    http_json(&S, "POST", "/api/v1/assets", TOTO_R, "{\"entry\":{},\"extra\":1}", &r);
    expect_problem(&r, 422, "/extra", "unknown_field");
    resp_free(&r);
    /* Category A filed as address ranges only, for external scanning. */
    file_entry(TOTO_R, TOTO,
               "{\"ref\":\"T-NET-1\",\"facility\":\"東都電力 公開セグメント\","
               "\"categories\":[\"A\"],\"in_place_at_enforcement\":true,"
               "\"ip_ranges\":[\"192.0.2.0/26\"]}",
               false);
}

static void visibility_per_role(void **st)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)FW_ID);
    char contractor[128], ipa[128], nca[128];
    bearer(&S, "toto-contractor", contractor, sizeof contractor);
    bearer(&S, "ipa-analyst", ipa, sizeof ipa);
    bearer(&S, "nc-analyst", nca, sizeof nca);
    assert_int_equal(get_status(TOTO_R, path), 200);     /* the operator */
    assert_int_equal(get_status(contractor, path), 200); /* its own users */
    assert_int_equal(get_status(WANGAN_A, path), 404);   /* another operator */
    assert_int_equal(get_status(METI, path), 200);       /* ministry of the sector */
    assert_int_equal(get_status(MIC, path), 404);        /* another ministry */
    assert_int_equal(get_status(nca, path), 200);        /* national centre */
    assert_int_equal(get_status(TSS, path), 200);        /* vendor delegated by toto (demo) */
    assert_int_equal(get_status(ipa, path), 404);        /* not a registry reader */
    /* Lists filter row by row: another ministry sees none of toto's entries. */
    struct resp r;
    char q[96];
    snprintf(q, sizeof q, "/api/v1/assets?org_id=%lld", (long long)TOTO);
    http_json(&S, "GET", q, MIC, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    http_json(&S, "GET", q, METI, NULL, &r);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 10);
    resp_free(&r);
    /* Filters: category and product. */
    snprintf(q, sizeof q, "/api/v1/assets?org_id=%lld&category=A&product=fortios", (long long)TOTO);
    http_json(&S, "GET", q, METI, NULL, &r);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(json_object_get(r.json, "items"), i);
        assert_string_equal(str_at(it, "entry/categories/0"), "A");
    }
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/assets?category=Q", METI, NULL, &r);
    expect_problem(&r, 400, "/query/category", "enum");
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/assets?sector=core.gas", MIC, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
}

static void vendor_needs_delegation(void **st)
{
    const char *entry = "{\"ref\":\"W-SCADA-9\",\"facility\":\"湾岸瓦斯 製造所 制御系\","
                        "\"categories\":[\"E\"],\"introduced_on\":\"2026-11-02\","
                        "\"products\":[{\"kind\":\"application\",\"name\":\"VTScada\","
                        "\"manufacturer\":\"Trihedral\",\"version\":\"12.1\"}]}";
    char body[2048];
    struct resp r;
    snprintf(body, sizeof body, "{\"org_id\":%lld,\"entry\":%s}", (long long)WANGAN, entry);
    http_json(&S, "POST", "/api/v1/assets", TSS, body, &r);
    expect_problem(&r, 403, NULL, NULL);
    resp_free(&r);
    /* A reporter may not grant; the operator's administrator may. */
    char wr[128], dbody[128];
    bearer(&S, "wangan-reporter", wr, sizeof wr);
    snprintf(dbody, sizeof dbody, "{\"vendor_org\":%lld}", (long long)TSS_ORG);
    http_json(&S, "POST", "/api/v1/delegations", wr, dbody, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http_json(&S, "POST", "/api/v1/delegations", WANGAN_A, dbody, &r);
    assert_int_equal(r.status, 201);
    json_int_t deleg = int_at(r.json, "id", NULL);
    assert_true(json_is_true(json_object_get(r.json, "active")));
    resp_free(&r);
    http_json(&S, "POST", "/api/v1/delegations", WANGAN_A, dbody, &r);
    expect_problem(&r, 409, "/vendor_org", NULL);
    resp_free(&r);
    /* Now the vendor files for the operator, and the filing says so. */
    json_int_t id = file_entry(TSS, WANGAN, entry, false);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)id);
    http_json(&S, "GET", path, WANGAN_A, NULL, &r);
    assert_int_equal(int_at(r.json, "filing", "filed_by_org"), TSS_ORG);
    json_int_t sub = int_at(r.json, "filing", "submission_id");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/asset-submissions/%lld", (long long)sub);
    http_json(&S, "GET", path, WANGAN_A, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(int_at(r.json, "delegation_id", NULL), deleg);
    assert_int_equal(int_at(r.json, "filed_by_org", NULL), TSS_ORG);
    resp_free(&r);
    /* Revoked: no more filing; the vendor keeps seeing only what it filed itself. */
    snprintf(path, sizeof path, "/api/v1/delegations/%lld", (long long)deleg);
    http_json(&S, "DELETE", path, WANGAN_A, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "active")));
    resp_free(&r);
    http_json(&S, "DELETE", path, WANGAN_A, NULL, &r);
    expect_problem(&r, 409, "/revoked_at", "already_recorded");
    resp_free(&r);
    http_json(&S, "POST", "/api/v1/assets", TSS, body, &r);
    expect_problem(&r, 403, NULL, NULL);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)id);
    http_json(&S, "GET", path, TSS, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "own_versions_only")));
    resp_free(&r);
    /* The operator changes the entry afterwards; list filters must not let the former vendor
     * probe the new state. */
    char change[1024];
    snprintf(change, sizeof change,
             "{\"entry\":{\"ref\":\"W-SCADA-9\",\"facility\":\"湾岸瓦斯 製造所 制御系\","
             "\"categories\":[\"E\",\"F\"],\"introduced_on\":\"2026-11-02\","
             "\"changed_on\":\"2026-11-20\",\"products\":[{\"kind\":\"application\","
             "\"name\":\"ZzSecretSwitch\",\"manufacturer\":\"Trihedral\"}]}}");
    http_json(&S, "PATCH", path, WANGAN_A, change, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* Its history lists only the version it filed itself, not the operator's change. */
    char hist[128];
    snprintf(hist, sizeof hist, "%s/history", path);
    http_json(&S, "GET", hist, TSS, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "versions")), 1);
    assert_string_equal(str_at(r.json, "versions/0/entry/products/0/name"), "VTScada");
    resp_free(&r);
    http_json(&S, "GET", hist, WANGAN_A, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "versions")), 2);
    resp_free(&r);
    char q[160];
    static const char *const probes[][2] = {
        {"product=zzsecret", "0"}, {"category=F", "0"}, {"product=vtscada", "1"}};
    for (size_t k = 0; k < 3; k++) {
        snprintf(q, sizeof q, "/api/v1/assets?org_id=%lld&%s", (long long)WANGAN, probes[k][0]);
        http_json(&S, "GET", q, TSS, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(json_array_size(json_object_get(r.json, "items")),
                         strtoul(probes[k][1], NULL, 10));
        resp_free(&r);
    }
    json_int_t other = file_entry(WANGAN_A, WANGAN,
                                  "{\"ref\":\"W-AD-9\",\"facility\":\"f\",\"categories\":[\"B\"],"
                                  "\"introduced_on\":\"2026-11-02\",\"products\":[{\"kind\":"
                                  "\"os\",\"name\":\"Windows\",\"manufacturer\":\"Microsoft\"}]}",
                                  false);
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)other);
    assert_int_equal(get_status(TSS, path), 404);
    /* Delegations are seen by the operator, the vendor and the sector's ministry only. */
    snprintf(path, sizeof path, "/api/v1/delegations/%lld", (long long)deleg);
    assert_int_equal(get_status(WANGAN_A, path), 200);
    assert_int_equal(get_status(TSS, path), 200);
    assert_int_equal(get_status(METI, path), 200);
    assert_int_equal(get_status(MIC, path), 404);
    assert_int_equal(get_status(TOTO_A, path), 404);
    http_json(&S, "GET", "/api/v1/delegations", TOTO_A, NULL, &r);
    size_t di;
    json_t *dv;
    json_array_foreach(json_object_get(r.json, "items"), di, dv)
        assert_int_equal(json_integer_value(json_object_get(dv, "operator_org")), TOTO);
    resp_free(&r);
    /* The grant and the revocation are in the audit trail. */
    http_json(&S, "GET", "/api/v1/audit?action=delegation.revoke", NC, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    resp_free(&r);
}

static void exemption_change_retire_history(void **st)
{
    struct resp r;
    /* An exemption is a recorded decision: the entry stays, without products. */
    json_int_t ex = file_entry(TOTO_R, TOTO,
                               "{\"ref\":\"T-EX-1\",\"facility\":\"東都電力 専用制御盤\","
                               "\"categories\":[\"E\"],\"introduced_on\":\"2026-11-01\","
                               "\"exemption\":{\"ground\":\"exclusive_design\","
                               "\"note\":\"当社専用設計の制御装置\"}}",
                               false);
    char path[96], hist[128];
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)ex);
    http_json(&S, "GET", path, METI, NULL, &r);
    assert_string_equal(str_at(r.json, "entry/exemption/ground"), "exclusive_design");
    resp_free(&r);
    /* A change is a new version; the old one stays. */
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)FW_ID);
    char body[2048];
    snprintf(body, sizeof body,
             "{\"version\":1,\"entry\":{\"ref\":\"T-FW-1\",\"facility\":\"東都電力 本店 "
             "インターネット境界\",\"categories\":[\"A\",\"D\"],\"introduced_on\":\"2026-10-05\","
             "\"changed_on\":\"2026-11-10\",\"ip_ranges\":[\"203.0.113.0/28\",\"2001:db8::/48\"],"
             "\"products\":[{\"kind\":\"os\",\"name\":\"FortiOS\",\"manufacturer\":\"Fortinet\","
             "\"version\":\"7.4.4\"}]}}");
    /* A pending draft prepared against version 1 is discarded by filing version 2, and the
     * answer says so. */
    char draft_body[2100];
    snprintf(draft_body, sizeof draft_body, "{\"draft\":true,%s", body + 1);
    http_json(&S, "PATCH", path, TOTO_R, draft_body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "draft/kind"), "change");
    resp_free(&r);
    http_json(&S, "PATCH", path, TOTO_R, body, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "discarded_draft")));
    assert_true(json_is_null(json_object_get(r.json, "draft")));
    assert_int_equal(int_at(r.json, "version", NULL), 2);
    assert_string_equal(str_at(r.json, "filing/kind"), "change");
    assert_string_equal(str_at(r.json, "filing/deadline"), "2027-03-10");
    resp_free(&r);
    http_json(&S, "PATCH", path, TOTO_R, body, &r); /* stale version */
    expect_problem(&r, 409, "/version", NULL);
    resp_free(&r);
    /* Retirement is a filing too. */
    char del[128];
    snprintf(del, sizeof del, "%s?retired_on=2099-01-01", path);
    http_json(&S, "DELETE", del, TOTO_R, NULL, &r);
    expect_problem(&r, 400, "/query/retired_on", "future");
    resp_free(&r);
    snprintf(del, sizeof del, "%s?retired_on=2026-11-20", path);
    http_json(&S, "DELETE", del, TOTO_R, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "status"), "retired");
    assert_string_equal(str_at(r.json, "entry/retired_on"), "2026-11-20");
    resp_free(&r);
    http_json(&S, "DELETE", del, TOTO_R, NULL, &r);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    /* History: every version, with field-level changes; "as of" a time gives that day's view. */
    snprintf(hist, sizeof hist, "%s/history", path);
    http_json(&S, "GET", hist, METI, NULL, &r);
    json_t *v = json_object_get(r.json, "versions");
    assert_int_equal(json_array_size(v), 3);
    assert_string_equal(str_at(v, "1/changes/0/op"), "replace");
    bool saw_version = false;
    size_t i;
    json_t *c;
    json_array_foreach(
        json_object_get(json_array_get(v, 1), "changes"), i,
        c) if (strcmp(json_string_value(json_object_get(c, "path")), "/products/0/version") == 0)
    {
        assert_string_equal(json_string_value(json_object_get(c, "old")), "7.4.3");
        assert_string_equal(json_string_value(json_object_get(c, "new")), "7.4.4");
        saw_version = true;
    }
    assert_true(saw_version);
    char v1[40];
    snprintf(v1, sizeof v1, "%s", str_at(v, "0/valid_from"));
    resp_free(&r);
    char asof[200];
    snprintf(asof, sizeof asof, "%s?as_of=%s", hist, v1);
    http_json(&S, "GET", asof, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(int_at(json_object_get(r.json, "version"), "version", NULL), 1);
    assert_string_equal(str_at(r.json, "version/entry/products/0/version"), "7.4.3");
    resp_free(&r);
    snprintf(asof, sizeof asof, "%s?as_of=2020-01-01", hist);
    http_json(&S, "GET", asof, METI, NULL, &r);
    assert_true(json_is_null(json_object_get(r.json, "version")));
    resp_free(&r);
    snprintf(asof, sizeof asof, "%s?as_of=yesterday", hist);
    http_json(&S, "GET", asof, METI, NULL, &r);
    expect_problem(&r, 400, "/query/as_of", "format");
    resp_free(&r);
    /* Retired entries leave the default list but not the registry. */
    char q[128];
    snprintf(q, sizeof q, "/api/v1/assets?org_id=%lld&product=fortinet&include_retired=true",
             (long long)TOTO);
    http_json(&S, "GET", q, METI, NULL, &r);
    bool found = false;
    json_array_foreach(json_object_get(r.json, "items"), i, c) found |=
        json_integer_value(json_object_get(c, "id")) == FW_ID;
    assert_true(found);
    resp_free(&r);
    snprintf(q, sizeof q, "/api/v1/assets?org_id=%lld&product=fortinet", (long long)TOTO);
    http_json(&S, "GET", q, METI, NULL, &r);
    json_array_foreach(json_object_get(r.json, "items"), i, c)
        assert_true(json_integer_value(json_object_get(c, "id")) != FW_ID);
    resp_free(&r);
}

static void drafts_and_filing_status(void **st)
{
    struct resp r;
    /* The demo's overdue draft: introduced 2026-06-22, due 2026-10-22. */
    http_json(&S, "GET", "/api/v1/filing-status", TOTO_A, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "pending_visible")));
    assert_string_equal(str_at(r.json, "initial_deadline"), "2027-01-04");
    bool overdue = false;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i,
                       it) if (strcmp(str_at(it, "ref"), "TOTO-F-002") == 0)
    {
        assert_string_equal(str_at(it, "status"), "overdue");
        assert_string_equal(str_at(it, "deadline"), "2026-10-22");
        overdue = true;
    }
    assert_true(overdue);
    assert_true(int_at(r.json, "counts", "overdue") >= 1);
    json_int_t late = int_at(r.json, "counts", "filed_late"),
               filings = int_at(r.json, "counts", "filings");
    resp_free(&r);
    /* The national centre's summary row says the same. */
    http_json(&S, "GET", "/api/v1/filing-status", NC, NULL, &r);
    json_array_foreach(json_object_get(r.json, "orgs"), i,
                       it) if (json_integer_value(json_object_get(it, "org_id")) == TOTO)
    {
        assert_int_equal(int_at(it, "counts", "filed_late"), late);
        assert_int_equal(int_at(it, "counts", "filings"), filings);
    }
    resp_free(&r);
    /* The ministry sees the filed state, never the drafts. */
    char q[96];
    snprintf(q, sizeof q, "/api/v1/filing-status?org_id=%lld", (long long)TOTO);
    http_json(&S, "GET", q, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "pending_visible")));
    assert_null(json_object_get(json_object_get(r.json, "counts"), "pending"));
    json_array_foreach(json_object_get(r.json, "items"), i, it)
        assert_string_equal(str_at(it, "status"), "filed_late");
    resp_free(&r);
    assert_int_equal(get_status(MIC, q), 404);
    /* The overdue filter works on drafts: the operator finds its overdue one, the ministry
     * learns nothing from the filter. */
    snprintf(q, sizeof q, "/api/v1/assets?org_id=%lld&overdue=true", (long long)TOTO);
    http_json(&S, "GET", q, TOTO_R, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(str_at(r.json, "items/0/ref"), "TOTO-F-002");
    resp_free(&r);
    http_json(&S, "GET", q, METI, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    snprintf(q, sizeof q, "/api/v1/filing-status?org_id=%lld", (long long)TOTO);
    /* Summary: only the operators of one's sectors. */
    http_json(&S, "GET", "/api/v1/filing-status", MIC, NULL, &r);
    json_array_foreach(json_object_get(r.json, "orgs"), i, it)
        assert_true(json_integer_value(json_object_get(it, "org_id")) != TOTO);
    resp_free(&r);
    /* A new draft: private until filed; filing it makes version 1. */
    char today[11], entry[512];
    today_jst(today);
    snprintf(entry, sizeof entry,
             "{\"ref\":\"T-DR-1\",\"facility\":\"f\",\"categories\":[\"F\"],"
             "\"introduced_on\":\"%s\",\"products\":[{\"kind\":\"application\","
             "\"name\":\"Backup & Replication\",\"manufacturer\":\"Veeam\"}]}",
             today);
    json_int_t id = file_entry(TOTO_R, TOTO, entry, true);
    char path[96], file[128];
    snprintf(path, sizeof path, "/api/v1/assets/%lld", (long long)id);
    http_json(&S, "GET", path, TOTO_R, NULL, &r);
    assert_string_equal(str_at(r.json, "status"), "draft");
    /* Introduced today: four months to go, outside the 30-day "due" window. */
    assert_string_equal(str_at(r.json, "draft/status"), "not_due");
    assert_true(strcmp(str_at(r.json, "draft/deadline"), today) > 0);
    resp_free(&r);
    assert_int_equal(get_status(METI, path), 404);
    snprintf(file, sizeof file, "%s/file", path);
    /* Writes answer 404 too: a 403 would tell the ministry that a draft exists. */
    http_json(&S, "POST", file, METI, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http_json(&S, "DELETE", path, METI, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http_json(&S, "POST", file, TOTO_R, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "status"), "live");
    assert_int_equal(int_at(r.json, "version", NULL), 1);
    resp_free(&r);
    assert_int_equal(get_status(METI, path), 200);
    http_json(&S, "POST", file, TOTO_R, NULL, &r);
    assert_int_equal(r.status, 409);
    resp_free(&r);
}

static void routing_steps(void **st)
{
    struct resp r;
    char q[96], path[128];
    snprintf(q, sizeof q, "/api/v1/asset-submissions?org_id=%lld", (long long)TOTO);
    http_json(&S, "GET", q, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    json_int_t sub = int_at(json_array_get(json_object_get(r.json, "items"), 0), "id", NULL);
    assert_true(sub > 0);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/asset-submissions/%lld/receive", (long long)sub);
    http_json(&S, "POST", path, TOTO_A, NULL, &r); /* the operator cannot record it */
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http_json(&S, "POST", path, MIC, NULL, &r); /* another ministry does not even see it */
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(str_at(r.json, "routing/ministry_received_at"));
    assert_true(
        json_is_null(json_object_get(json_object_get(r.json, "routing"), "nc_notified_at")));
    resp_free(&r);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/asset-submissions/%lld/forward", (long long)sub);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(str_at(r.json, "routing/nc_notified_at"));
    resp_free(&r);
}

/* ---- inventories ------------------------------------------------------------------------ */

static char OP_TOKEN[128];
static json_int_t OP;

static void new_operator(void)
{
    struct resp r;
    http_json(&S, "POST", "/api/v1/orgs", NC,
              "{\"type\":\"core_operator\",\"name_ja\":\"検証水道株式会社\","
              "\"sectors\":[\"core.water\"]}",
              &r);
    assert_int_equal(r.status, 201);
    OP = int_at(r.json, "id", NULL);
    resp_free(&r);
    char body[256];
    snprintf(body, sizeof body,
             "{\"org_id\":%lld,\"username\":\"inv-reporter\",\"display_name\":\"検証 花子\","
             "\"password\":\"renkei-demo-inv-reporter\",\"roles\":[\"reporter\"]}",
             (long long)OP);
    http_json(&S, "POST", "/api/v1/users", NC, body, &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    bearer(&S, "inv-reporter", OP_TOKEN, sizeof OP_TOKEN);
}

#define CSV_HEAD                                                                                   \
    "ref,facility,categories,introduced_on,changed_on,ip_ranges,product_kind,product_name,"        \
    "manufacturer,product_version\n"

static void upload(const char *ctype, const char *body, bool dry, struct resp *r)
{
    char q[128];
    snprintf(q, sizeof q, "/api/v1/asset-inventories?org_id=%lld&dry_run=%s", (long long)OP,
             dry ? "true" : "false");
    http(&S, "POST", q, OP_TOKEN, NULL, NULL, ctype, body, r);
}

static json_int_t count_live(void)
{
    struct resp r;
    char q[96];
    snprintf(q, sizeof q, "/api/v1/filing-status?org_id=%lld", (long long)OP);
    http_json(&S, "GET", q, OP_TOKEN, NULL, &r);
    assert_int_equal(r.status, 200);
    json_int_t n = int_at(r.json, "counts", "live");
    resp_free(&r);
    return n;
}

static json_int_t count_audit(void)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/audit?action=asset.inventory&limit=1000", NC, NULL, &r);
    json_int_t n = (json_int_t)json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

static const char *INV1 =
    CSV_HEAD "W-1,浄水場 監視制御,A;D,2026-09-01,,198.51.100.0/28,os,FortiOS,Fortinet,7.2.8\n"
             "W-2,浄水場 SCADA,E,2026-09-01,,,application,VTScada,Trihedral,12.0\n"
             "W-2,浄水場 SCADA,E,2026-09-01,,,os,Windows,Microsoft,10\n"
             "W-3,\"配水管理, 本社\",F,2026-09-15,,,application,Backup & Replication,Veeam,12\n";

static void inventory_dry_run_real_idempotent(void **st)
{
    new_operator();
    struct resp r;
    upload("text/csv", INV1, true, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "filed")));
    assert_int_equal(int_at(r.json, "summary", "added"), 3);
    resp_free(&r);
    assert_int_equal(count_live(), 0); /* a dry run stores nothing */
    json_int_t a0 = count_audit();
    upload("text/csv", INV1, false, &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_true(json_object_get(r.json, "filed")));
    assert_true(int_at(r.json, "submission_id", NULL) > 0);
    resp_free(&r);
    assert_int_equal(count_live(), 3);
    assert_int_equal(count_audit(), a0 + 1);
    /* The same inventory again files nothing. */
    upload("text/csv", INV1, false, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "filed")));
    assert_int_equal(int_at(r.json, "summary", "unchanged"), 3);
    assert_int_equal(int_at(r.json, "summary", "added"), 0);
    resp_free(&r);
    assert_int_equal(count_audit(), a0 + 1);
    /* A changed version, a dropped entry (retired) and a new one: field by field. */
    const char *inv2 = CSV_HEAD
        "W-1,浄水場 監視制御,A;D,2026-09-01,2026-11-20,198.51.100.0/28,os,FortiOS,Fortinet,7.2.9\n"
        "W-2,浄水場 SCADA,E,2026-09-01,,,application,VTScada,Trihedral,12.0\n"
        "W-2,浄水場 SCADA,E,2026-09-01,,,os,Windows,Microsoft,10\n"
        "W-4,取水場 PLC,E,2026-11-01,,,appliance,Vision PLC and HMI,Unitronics,\n";
    upload("text/csv", inv2, true, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(int_at(r.json, "summary", "added"), 1);
    assert_int_equal(int_at(r.json, "summary", "changed"), 1);
    assert_int_equal(int_at(r.json, "summary", "retired"), 1);
    assert_int_equal(int_at(r.json, "summary", "unchanged"), 1);
    assert_string_equal(str_at(r.json, "changed/0/ref"), "W-1");
    assert_string_equal(str_at(r.json, "retired/0/ref"), "W-3");
    assert_string_equal(str_at(r.json, "added/0/ref"), "W-4");
    bool saw = false;
    size_t i;
    json_t *c;
    json_array_foreach(
        json_object_get(json_array_get(json_object_get(r.json, "changed"), 0), "changes"), i, c)
        saw |= strcmp(json_string_value(json_object_get(c, "path")), "/products/0/version") == 0;
    assert_true(saw);
    resp_free(&r);
    assert_int_equal(count_live(), 3);
    upload("text/csv", inv2, false, &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(count_live(), 3); /* W-1, W-2, W-4 */
    /* Keeping the retired row (with its retired_on) in later inventories files nothing. */
    const char *inv3 =
        "ref,facility,categories,introduced_on,changed_on,retired_on,ip_ranges,product_kind,"
        "product_name,manufacturer,product_version\n"
        "W-1,浄水場 監視制御,A;D,2026-09-01,2026-11-20,,198.51.100.0/28,os,FortiOS,Fortinet,7.2.9\n"
        "W-2,浄水場 SCADA,E,2026-09-01,,,,application,VTScada,Trihedral,12.0\n"
        "W-2,浄水場 SCADA,E,2026-09-01,,,,os,Windows,Microsoft,10\n"
        "W-3,\"配水管理, 本社\",F,2026-09-15,,2026-11-25,,application,Backup & "
        "Replication,Veeam,12\n"
        "W-4,取水場 PLC,E,2026-11-01,,,,appliance,Vision PLC and HMI,Unitronics,\n";
    upload("text/csv", inv3, false, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "filed")));
    assert_int_equal(int_at(r.json, "summary", "added"), 0);
    assert_int_equal(int_at(r.json, "summary", "unchanged"), 4);
    resp_free(&r);
    assert_int_equal(count_live(), 3);
}

static void inventory_atomic_rejection(void **st)
{
    struct resp r;
    json_int_t live = count_live(), a0 = count_audit();
    /* One bad row (line 5: category Z) among good ones: nothing is filed. */
    const char *bad = CSV_HEAD
        "W-1,浄水場 監視制御,A;D,2026-09-01,2026-11-20,198.51.100.0/28,os,FortiOS,Fortinet,7.3.0\n"
        "W-2,浄水場 SCADA,E,2026-09-01,,,application,VTScada,Trihedral,12.0\n"
        "W-5,新設 監視端末,E,2026-11-02,,,os,Windows,Microsoft,11\n"
        "W-6,新設 監視端末,Z,2026-11-02,,,os,Windows,Microsoft,11\n";
    upload("text/csv", bad, false, &r);
    expect_problem(&r, 422, "/rows/5/categories", NULL);
    resp_free(&r);
    assert_int_equal(count_live(), live);
    assert_int_equal(count_audit(), a0);
    /* A bad CPE in a JSON inventory points into the document. */
    upload("application/json",
           "{\"entries\":[{\"ref\":\"J-1\",\"facility\":\"f\",\"categories\":[\"E\"],"
           "\"introduced_on\":\"2026-11-01\",\"products\":[{\"kind\":\"os\",\"name\":\"n\","
           "\"manufacturer\":\"m\"}]},{\"ref\":\"J-2\",\"facility\":\"f\",\"categories\":[\"E\"],"
           "\"introduced_on\":\"2026-11-01\",\"products\":[{\"kind\":\"os\",\"name\":\"n\","
           "\"manufacturer\":\"m\",\"cpe\":\"cpe:2.3:x\"}]}]}",
           false, &r);
    expect_problem(&r, 422, "/entries/1/products/0/cpe", NULL);
    resp_free(&r);
    assert_int_equal(count_live(), live);
    upload("text/plain", "x", false, &r);
    assert_int_equal(r.status, 415);
    resp_free(&r);
    /* An empty inventory would retire everything: refused. */
    upload("text/csv", CSV_HEAD, false, &r);
    expect_problem(&r, 422, "/rows", "min_items");
    resp_free(&r);
    /* A computer that was never filed cannot arrive retired. */
    upload("application/json",
           "{\"entries\":[{\"ref\":\"NEVER\",\"facility\":\"f\",\"categories\":[\"E\"],"
           "\"introduced_on\":\"2026-09-01\",\"retired_on\":\"2026-10-01\","
           "\"products\":[{\"kind\":\"os\",\"name\":\"n\",\"manufacturer\":\"m\"}]}]}",
           false, &r);
    expect_problem(&r, 422, "/entries/0/retired_on", "not_allowed");
    resp_free(&r);
    assert_int_equal(count_live(), live);
}

static void inventory_20000_rows(void **st)
{
    /* 20,000 entries, one product row each, replacing the small inventory. */
    size_t cap = 20000 * 160 + 256, n = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    n += (size_t)snprintf(csv + n, cap - n, "%s", CSV_HEAD);
    static const char *const prods[][3] = {{"os", "Windows Server", "Microsoft"},
                                           {"application", "Tomcat", "Apache"},
                                           {"appliance", "BIG-IP", "F5"},
                                           {"os", "Junos OS", "Juniper"}};
    for (int i = 0; i < 20000; i++) {
        const char *const *p = prods[i % 4];
        n += (size_t)snprintf(csv + n, cap - n,
                              "INV-%05d,配水系統 %d 監視,%s,2026-%02d-%02d,,,%s,%s,%s,%d.%d\n", i,
                              i / 100, i % 3 == 0 ? "E;F" : "E", 1 + i % 11, 1 + i % 28, p[0], p[1],
                              p[2], 1 + i % 9, i % 20);
    }
    struct resp r;
    upload("text/csv", csv, false, &r);
    if (r.status != 201) fprintf(stderr, "%ld %.500s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    assert_int_equal(int_at(r.json, "summary", "added"), 20000);
    assert_int_equal(int_at(r.json, "summary", "retired"), 3);
    resp_free(&r);
    assert_int_equal(count_live(), 20000);
    upload("text/csv", csv, true, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(int_at(r.json, "summary", "unchanged"), 20000);
    resp_free(&r);
    free(csv);
    /* The national centre's summary (kept by counters in the writer) agrees. */
    http_json(&S, "GET", "/api/v1/filing-status", NC, NULL, &r);
    size_t i;
    json_t *o;
    bool found = false;
    json_array_foreach(json_object_get(r.json, "orgs"), i,
                       o) if (json_integer_value(json_object_get(o, "org_id")) == OP)
    {
        assert_int_equal(int_at(o, "counts", "live"), 20000);
        assert_int_equal(int_at(o, "counts", "retired"), 4);
        assert_int_equal(int_at(o, "counts", "filings"), 20000 + 3 + 3 + 3);
        found = true;
    }
    assert_true(found);
    resp_free(&r);
}

/* Every pending item's status follows from its deadline and today, whatever today is:
 * overdue after the deadline, due within the 30-day window before it, else not yet due. */
static void pending_statuses_follow_deadlines(void **st)
{
    struct resp r;
    char today[11], window_end[11];
    today_jst(today);
    time_t t = time(NULL) + 9 * 3600 + 30 * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(window_end, sizeof window_end, "%Y-%m-%d", &tm);
    static const char *const filers[] = {"toto-admin", "wangan-admin", "kaede-admin", "kanjo-admin",
                                         "hibiki-admin"};
    int pending = 0;
    for (size_t k = 0; k < sizeof filers / sizeof filers[0]; k++) {
        char tok[128];
        bearer(&S, filers[k], tok, sizeof tok);
        http_json(&S, "GET", "/api/v1/filing-status", tok, NULL, &r);
        assert_int_equal(r.status, 200);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(r.json, "items"), i, it)
        {
            const char *stt = str_at(it, "status"), *dl = str_at(it, "deadline");
            if (strcmp(stt, "filed_late") == 0) continue;
            pending++;
            assert_non_null(dl);
            const char *want = strcmp(dl, today) < 0         ? "overdue"
                               : strcmp(dl, window_end) <= 0 ? "due"
                                                             : "not_due";
            if (strcmp(stt, want) != 0)
                fail_msg("%s: %s deadline %s today %s: %s, expected %s", filers[k],
                         str_at(it, "ref"), dl, today, stt, want);
        }
        resp_free(&r);
    }
    assert_true(pending >= 4); /* the demo's drafts (one was filed by an earlier test) */
}

static void cli_import_and_status(void **st)
{
    char out[65536], org[24], bad[400];
    snprintf(org, sizeof org, "%lld", (long long)TOTO);
    const char *dry[] = {"--enforcement-date",
                         "2026-07-01",
                         "assets",
                         "import",
                         RK_SOURCE_DIR "/docs/inventory-sample.csv",
                         "--user",
                         "toto-admin",
                         "--dry-run",
                         NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, dry), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "dry_run")));
    assert_false(json_is_true(json_object_get(j, "filed")));
    bool added = false, changed = false;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "added"), i, e) added |=
        strcmp(str_at(e, "ref"), "TOTO-E-004") == 0;
    json_array_foreach(json_object_get(j, "changed"), i, e) changed |=
        strcmp(str_at(e, "ref"), "TOTO-E-003") == 0;
    assert_true(added && changed);
    json_decref(j);
    /* A file with a bad row: exit 3, nothing filed. */
    snprintf(bad, sizeof bad, "%s/bad.csv", S.dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("ref,facility,categories,introduced_on,product_kind,product_name,manufacturer\n"
          "B-1,f,Q,2026-11-01,os,Windows,Microsoft\n",
          f);
    fclose(f);
    const char *imp[] = {"assets", "import", bad, "--user", "toto-admin", NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, imp), 3);
    /* A user who may not file for the operator. */
    const char *other[] = {"assets",
                           "import",
                           RK_SOURCE_DIR "/docs/inventory-sample.csv",
                           "--user",
                           "meti-analyst",
                           "--org",
                           org,
                           NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, other), 3);
    const char *status[] = {
        "--enforcement-date", "2026-07-01", "assets", "status", "--org", org, NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, status), 0);
    j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(str_at(j, "initial_deadline"), "2027-01-04");
    assert_true(int_at(j, "counts", "live") >= 10);
    json_decref(j);
    /* A disabled account cannot log in, so it cannot file through the CLI either. */
    struct resp r;
    int64_t uid = srv_user_id(&S, NC, "wangan-reporter");
    char upath[64];
    snprintf(upath, sizeof upath, "/api/v1/users/%lld", (long long)uid);
    http_json(&S, "PATCH", upath, NC, "{\"disabled\":true}", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    const char *disabled[] = {
        "assets", "import",          RK_SOURCE_DIR "/docs/inventory-sample.csv",
        "--user", "wangan-reporter", "--dry-run",
        NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, disabled), 3);
    assert_non_null(strstr(out, "user is disabled"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operator_files_multi_category_entry),
        cmocka_unit_test(visibility_per_role),
        cmocka_unit_test(vendor_needs_delegation),
        cmocka_unit_test(exemption_change_retire_history),
        cmocka_unit_test(drafts_and_filing_status),
        cmocka_unit_test(routing_steps),
        cmocka_unit_test(inventory_dry_run_real_idempotent),
        cmocka_unit_test(inventory_atomic_rejection),
        cmocka_unit_test(inventory_20000_rows),
        cmocka_unit_test(pending_statuses_follow_deadlines),
        cmocka_unit_test(cli_import_and_status),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
