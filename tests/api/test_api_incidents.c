/*
 * test_api_incidents.c — incident reporting end to end on the real server: a DDoS case
 * (quick → detailed → follow-up: identification number, 第N報, diffs, deadlines, routing,
 * acknowledgments, the printed form), a ransomware case with the annex flag and an opt-out, the
 * liaison form reproducing seed 004 fig. 5, and every validation rule refused with its exact
 * field pointer and nothing stored. Who sees what is test_api_incident_visibility.c.
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
static char TOTO[128], METI[128], NC[128], KAEDE[128], FSA[128], HIBIKI[128], WANGAN[128];

static int setup(void **state)
{
    (void)state;
    const char *extra[] = {"--enforcement-date", "2026-07-01", NULL};
    srv_start(&S, true, extra);
    bearer(&S, "toto-reporter", TOTO, sizeof TOTO);
    bearer(&S, "meti-analyst", METI, sizeof METI);
    bearer(&S, "nc-analyst", NC, sizeof NC);
    bearer(&S, "kaede-reporter", KAEDE, sizeof KAEDE);
    bearer(&S, "fsa-analyst", FSA, sizeof FSA);
    bearer(&S, "hibiki-reporter", HIBIKI, sizeof HIBIKI);
    bearer(&S, "wangan-reporter", WANGAN, sizeof WANGAN);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srv_stop(&S);
    return 0;
}

static json_t *ddos_report(const char *kind, const char *report_kind)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:b}, "
        "s:{s:[{s:s, s:s, s:s, s:[s, s], s:[i], s:f}]}}}",
        "form", "ddos", "kind", kind, "tlp", "TLP:AMBER", "severity", "warning", "aware_at",
        "2026-11-20T09:30+09:00", "answers", "header", "reported_at", "2026-11-20T10:00+09:00",
        "report_kind", report_kind, "reporter", "name", "東都電力株式会社", "corporate_number",
        "7990001000001", "phone", "03-1234-5678", "email", "soc@toto.example.jp", "business_impact",
        "overview", "Webサイトへの大量アクセスによりサービス遅延", "service_level_breach", 0,
        "attack", "attacks", "started_at", "2026-11-20T09:00+09:00", "attack_type", "T1498.001",
        "protocol", "UDP", "source_ips", "192.0.2.1", "2001:db8::1", "destination_ports", 443,
        "traffic_bps", 1.2e10);
    assert_non_null(j);
    return j;
}

static json_t *answers_of(json_t *report)
{
    return json_object_get(report, "answers");
}

/* POSTs body (consumed) to path as tok; returns the response (caller frees). */
static void post(const char *path, const char *tok, json_t *body, struct resp *r)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    http_json(&S, "POST", path, tok, text, r);
    free(text);
}

static json_t *routing_row(json_t *view, const char *role)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(view, "routing"), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "role")), role) == 0) return row;
    }
    return NULL;
}

static bool has_change(json_t *changes, const char *op, const char *path)
{
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "op")), op) == 0 &&
            strcmp(json_string_value(json_object_get(c, "path")), path) == 0)
            return true;
    }
    return false;
}

/* The first filed asset of the caller's organisation: {id, categories}. */
static int64_t first_asset(const char *tok, int64_t org)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/assets?org_id=%lld&limit=1", (long long)org);
    struct resp r;
    http_json(&S, "GET", path, tok, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *a = json_array_get(json_object_get(r.json, "items"), 0);
    assert_non_null(a);
    int64_t id = json_integer_value(json_object_get(a, "id"));
    resp_free(&r);
    return id;
}

static size_t incident_count(void)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/incidents?limit=1000", NC, NULL, &r);
    assert_int_equal(r.status, 200);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

/* ---- the DDoS case ---------------------------------------------------------------------- */

static void ddos_case(void **st)
{
    (void)st;
    int64_t toto = srv_org_of(&S, TOTO), meti = srv_org_of(&S, METI), nc = srv_org_of(&S, NC);
    int64_t asset = first_asset(TOTO, toto);
    struct resp r;
    json_t *rep = ddos_report("quick", "new");
    json_object_set_new(rep, "assets", json_pack("[I]", (json_int_t)asset));
    post("/api/v1/incidents", TOTO, rep, &r);
    assert_int_equal(r.status, 201);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    const char *ident = json_string_value(json_object_get(r.json, "identification_number"));
    /* Assigned on receipt: NC-<year of receipt>-<six digits>. */
    assert_non_null(ident);
    assert_int_equal(strlen(ident), 14);
    assert_memory_equal(ident, "NC-20", 5);
    char ident_copy[32];
    snprintf(ident_copy, sizeof ident_copy, "%s", ident);
    assert_int_equal(json_integer_value(json_object_get(r.json, "report_number")), 1);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "open");
    /* Awareness 2026-11-20 (JST): + 30 days = Sun 2026-12-20 → Mon 2026-12-21. */
    json_t *dl = json_object_get(json_object_get(r.json, "deadlines"), "detailed_report");
    assert_string_equal(json_string_value(json_object_get(dl, "due_on")), "2026-12-21");
    assert_string_equal(json_string_value(json_object_get(dl, "status")), "pending");
    json_t *qk = json_object_get(json_object_get(r.json, "deadlines"), "quick_report");
    assert_string_equal(json_string_value(json_object_get(qk, "target_at")),
                        "2026-11-21T00:30:00.000Z");
    assert_false(json_is_true(json_object_get(qk, "enforced")));
    /* An occurred event on a registered computer must be reported. */
    json_t *rb = json_object_get(r.json, "reportability");
    assert_string_equal(json_string_value(json_object_get(rb, "result")), "reportable");
    assert_string_equal(json_string_value(json_object_get(rb, "reason")), "occurred");
    /* One submission, two recipients with their own receipt times. */
    json_t *m = routing_row(r.json, "ministry"), *n = routing_row(r.json, "national_centre");
    assert_non_null(m);
    assert_non_null(n);
    assert_int_equal(json_integer_value(json_object_get(m, "org_id")), meti);
    assert_int_equal(json_integer_value(json_object_get(n, "org_id")), nc);
    assert_non_null(json_string_value(json_object_get(m, "received_at")));
    assert_true(json_is_null(json_object_get(m, "acknowledged_at")));
    char loc[128];
    assert_non_null(resp_header(&r, "Location", loc, sizeof loc));
    resp_free(&r);

    /* 第2報: the detailed report, with a changed overview and a new status. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)id);
    rep = ddos_report("detailed", "follow_up");
    json_object_set_new(json_object_get(answers_of(rep), "business_impact"), "overview",
                        json_string("UDPフラッド攻撃。上流で遮断済み"));
    json_object_set_new(answers_of(rep), "affected_systems",
                        json_pack("{s:s}", "system_status", "partly_running"));
    post(path, TOTO, rep, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "report_number")), 2);
    assert_string_equal(json_string_value(json_object_get(r.json, "identification_number")),
                        ident_copy);
    dl = json_object_get(json_object_get(r.json, "deadlines"), "detailed_report");
    assert_string_equal(json_string_value(json_object_get(dl, "status")), "on_time");
    resp_free(&r);

    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/2/diff", (long long)id);
    http_json(&S, "GET", path, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *ch = json_object_get(r.json, "changes");
    assert_true(has_change(ch, "replace", "/business_impact/overview"));
    assert_true(has_change(ch, "add", "/affected_systems/system_status"));
    assert_true(has_change(ch, "replace", "/header/report_kind"));
    assert_int_equal(json_array_size(ch), 3);
    assert_int_equal(json_integer_value(json_object_get(r.json, "previous")), 1);
    resp_free(&r);

    /* 第3報: a follow-up saying the response is done closes the incident. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)id);
    rep = ddos_report("follow_up", "follow_up");
    json_object_set_new(answers_of(rep), "next_steps", json_pack("{s:s}", "outlook", "done"));
    json_object_del(rep, "aware_at"); /* says nothing of awareness: the incident keeps it */
    json_object_set_new(rep, "hosting", json_string("iaas"));
    post(path, TOTO, rep, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "report_number")), 3);
    json_t *aw = json_object_get(r.json, "awareness");
    assert_string_equal(json_string_value(json_object_get(aw, "aware_at")),
                        "2026-11-20T00:30:00.000Z");
    assert_string_equal(json_string_value(json_object_get(aw, "source")), "reported");
    /* The first report answered "promptly", whatever its kind. */
    assert_non_null(json_string_value(json_object_get(
        json_object_get(json_object_get(r.json, "deadlines"), "quick_report"), "submitted_at")));
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "closed");
    assert_int_equal(json_array_size(json_object_get(r.json, "report_list")), 3);
    resp_free(&r);

    /* Report 3 compared with 2: the overview went back, the status and outlook changed. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/3", (long long)id);
    http_json(&S, "GET", path, NC, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "kind")), "follow_up");
    ch = json_object_get(r.json, "changes");
    assert_true(has_change(ch, "replace", "/business_impact/overview"));
    assert_true(has_change(ch, "remove", "/affected_systems/system_status"));
    assert_true(has_change(ch, "add", "/next_steps/outlook"));
    /* Every report is routed to the same recipients, each row with its role. */
    assert_int_equal(json_integer_value(json_object_get(routing_row(r.json, "ministry"), "org_id")),
                     meti);
    assert_int_equal(
        json_integer_value(json_object_get(routing_row(r.json, "national_centre"), "org_id")), nc);
    resp_free(&r);

    /* The printed form marks the changed parts. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/3/form", (long long)id);
    http_json(&S, "GET", path, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "DDoS攻撃事案共通様式"));
    assert_non_null(strstr(r.body, "第3報"));
    assert_non_null(strstr(r.body, ident_copy));
    assert_non_null(strstr(r.body, "class=\"chg"));
    assert_non_null(strstr(r.body, "@page"));
    resp_free(&r);

    /* Acknowledgments: each recipient once; others may not. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1/ack", (long long)id);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        json_string_value(json_object_get(routing_row(r.json, "ministry"), "acknowledged_at")));
    assert_true(
        json_is_null(json_object_get(routing_row(r.json, "national_centre"), "acknowledged_at")));
    resp_free(&r);
    http_json(&S, "POST", path, METI, NULL, &r);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    http_json(&S, "POST", path, TOTO, NULL, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http_json(&S, "POST", path, NC, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* Lists and filters. */
    http_json(&S, "GET", "/api/v1/incidents?form=ddos&status=closed&sector=core.electricity", METI,
              NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/incidents?sector=core.gas", METI, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/incidents?status=maybe", METI, NULL, &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    /* AMBER, electricity: the gas operator does not see it. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)id);
    http_json(&S, "GET", path, WANGAN, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
}

/* ---- the ransomware case ---------------------------------------------------------------- */

static void ransomware_case(void **st)
{
    (void)st;
    int64_t fsa = srv_org_of(&S, FSA);
    json_t *rep = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:{s:{s:s}, s:{s:b, s:s}, s:{s:s, s:s}, "
                            "s:{s:s, s:s, s:b, s:b}, s:{s:s, s:b, s:b, s:[s]}}}",
                            "form", "ransomware", "kind", "quick", "tlp", "TLP:AMBER+STRICT",
                            "severity", "alert", "opt_out_groups", "attack", "answers", "header",
                            "report_kind", "new", "opt_out", "opt_out", 1, "opt_out_content",
                            "攻撃情報(C2サーバ)は共有を希望しない", "reporter", "name",
                            "株式会社東都かえで銀行", "corporate_number", "5990001000003",
                            "business_impact", "discovered_at", "2026-11-25T08:10+09:00",
                            "overview", "勘定系周辺サーバのファイルが暗号化された", "annex_1", 1,
                            "spread_possible", 0, "attack", "encrypted_extension", ".locked",
                            "encrypted", 1, "ransom_demanded", 1, "c2_ips", "203.0.113.9");
    struct resp r;
    post("/api/v1/incidents", KAEDE, rep, &r);
    assert_int_equal(r.status, 201);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    assert_int_equal(json_integer_value(json_object_get(routing_row(r.json, "ministry"), "org_id")),
                     fsa);
    /* Awareness from the form's discovery time when aware_at is not given. */
    json_t *aw = json_object_get(r.json, "awareness");
    assert_string_equal(json_string_value(json_object_get(aw, "source")), "form");
    assert_string_equal(json_string_value(json_object_get(aw, "aware_at")),
                        "2026-11-24T23:10:00.000Z");
    /* No computer linked: the reporter is told sharing is voluntary. */
    json_t *rb = json_object_get(r.json, "reportability");
    assert_string_equal(json_string_value(json_object_get(rb, "result")), "voluntary");
    assert_non_null(json_string_value(json_object_get(rb, "message_ja")));
    resp_free(&r);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1", (long long)id);
    /* The ministry sees the opted-out group; so does the national centre for a core
     * operator's report (the common forms' exception). */
    http_json(&S, "GET", path, FSA, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(json_object_get(answers_of(r.json), "attack"));
    assert_true(json_is_true(
        json_object_get(json_object_get(answers_of(r.json), "business_impact"), "annex_1")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(r.json, "opt_out_groups"), 0)), "attack");
    resp_free(&r);
    http_json(&S, "GET", path, NC, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(json_object_get(answers_of(r.json), "attack"));
    resp_free(&r);
    /* AMBER+STRICT, finance: METI is not concerned. */
    http_json(&S, "GET", path, METI, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
}

/* ---- the liaison form, seed 004 fig. 5 -------------------------------------------------- */

static json_t *fig5_answers(void)
{
    /* The fig. 5 example as the validator's corpus carries it (tests/.. → fuzz/corpus). */
    char path[1024];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    assert_non_null(slash);
    snprintf(slash, sizeof path - (size_t)(slash - path),
             "/../../fuzz/corpus/fuzz_report_validate/liaison_fig5.json");
    json_error_t je;
    json_t *a = json_load_file(path, 0, &je);
    assert_non_null(a);
    return a;
}

static void liaison_fig5(void **st)
{
    (void)st;
    json_t *answers = fig5_answers();
    /* Fig. 5's sender is a ministry; here the operator files it itself. */
    json_object_set_new(json_object_get(answers, "header"), "severity", json_string("warning"));
    json_t *rep =
        json_pack("{s:s, s:s, s:o}", "form", "liaison", "kind", "quick", "answers", answers);
    struct resp r;
    post("/api/v1/incidents", HIBIKI, json_deep_copy(rep), &r);
    assert_int_equal(r.status, 201);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    char ident[32];
    snprintf(ident, sizeof ident, "%s",
             json_string_value(json_object_get(r.json, "identification_number")));
    /* TLP, severity and sector come from the form itself. */
    assert_string_equal(json_string_value(json_object_get(r.json, "tlp")), "TLP:GREEN");
    assert_string_equal(json_string_value(json_object_get(r.json, "severity")), "warning");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "sectors"), 0)),
                        "ci.info_comm");
    /* Known in 2023, before the law took effect (2026-07-01 here): voluntary. */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "reportability"), "reason")),
        "before_enforcement");
    /* No duty, no deadline. */
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(r.json, "deadlines"), "detailed_report"), "status")),
        "not_applicable");
    /* Awareness from ⑤ 判明日時 2023-08-18 20:00 JST. */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "awareness"), "aware_at")),
        "2023-08-18T11:00:00.000Z");
    resp_free(&r);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1/form", (long long)id);
    http_json(&S, "GET", path, NC, NULL, &r);
    assert_int_equal(r.status, 200);
    static const char *const expect[] = {"情報連絡様式",
                                         "第1報",
                                         "会員情報管理サービス",
                                         "2023年8月18日",
                                         "停止中",
                                         "■",
                                         "□",
                                         "〇〇県警へ通報",
                                         "経営層への情報のエスカレーション"};
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
        if (!strstr(r.body, expect[i])) fail_msg("the printed form lacks \"%s\"", expect[i]);
    assert_non_null(strstr(r.body, ident));
    resp_free(&r);

    /* 第2報 must carry the identification number and the right report number. */
    json_object_set_new(rep, "kind", json_string("follow_up"));
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)id);
    json_t *h = json_object_get(answers_of(rep), "header");
    json_object_set_new(h, "report_number", json_integer(2));
    post(path, HIBIKI, json_deep_copy(rep), &r);
    assert_int_equal(r.status, 422);
    json_t *e = problem_error(&r, 0);
    assert_string_equal(json_string_value(json_object_get(e, "pointer")),
                        "/answers/header/identification_number");
    assert_string_equal(json_string_value(json_object_get(e, "rule")), "required");
    resp_free(&r);
    json_object_set_new(h, "identification_number", json_string("NC-1999-000001"));
    post(path, HIBIKI, json_deep_copy(rep), &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(json_string_value(json_object_get(problem_error(&r, 0), "rule")),
                        "identification_number");
    resp_free(&r);
    json_object_set_new(h, "identification_number", json_string(ident));
    json_object_set_new(h, "report_number", json_integer(3));
    post(path, HIBIKI, json_deep_copy(rep), &r);
    assert_int_equal(r.status, 422);
    e = problem_error(&r, 0);
    assert_string_equal(json_string_value(json_object_get(e, "pointer")),
                        "/answers/header/report_number");
    assert_string_equal(json_string_value(json_object_get(e, "rule")), "report_number");
    resp_free(&r);
    json_object_set_new(h, "report_number", json_integer(2));
    post(path, HIBIKI, json_deep_copy(rep), &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "report_number")), 2);
    resp_free(&r);
    json_decref(rep);
}

/* ---- validation: every rule, its pointer, nothing stored -------------------------------- */

struct bad {
    const char *what;
    const char *pointer, *rule;
};

/* Applies case i to a valid DDoS quick report. */
static json_t *mutate(size_t i, int64_t other_asset)
{
    json_t *j = ddos_report("quick", "new"), *a = answers_of(j);
    json_t *atk = json_array_get(json_object_get(json_object_get(a, "attack"), "attacks"), 0);
    switch (i) {
    case 0:
        json_object_del(j, "tlp");
        break;
    case 1:
        json_object_set_new(j, "tlp", json_string("AMBER"));
        break;
    case 2:
        json_object_set_new(j, "severity", json_string("high"));
        break;
    case 3:
        json_object_set_new(j, "kind", json_string("follow_up"));
        break;
    case 4:
        json_object_set_new(json_object_get(a, "reporter"), "corporate_number",
                            json_string("1990001000001"));
        break;
    case 5:
        json_object_set_new(atk, "attack_type", json_string("T1059"));
        break;
    case 6:
        json_object_set_new(atk, "source_ips", json_pack("[s]", "999.1.1.1"));
        break;
    case 7:
        json_object_set_new(atk, "destination_ports", json_pack("[i]", 70000));
        break;
    case 8:
        json_object_set_new(atk, "traffic_bps", json_string("lots"));
        break;
    case 9:
        json_object_set_new(atk, "started_at", json_string("2026-11-20 09:00"));
        break;
    case 10:
        json_object_set_new(j, "assets", json_pack("[I]", (json_int_t)other_asset));
        break;
    case 11:
        json_object_set_new(j, "sectors", json_pack("[s]", "core.gas"));
        break;
    case 12:
        json_object_set_new(j, "opt_out_groups", json_pack("[s]", "attack"));
        break;
    case 13:
        json_object_set_new(j, "attachments", json_pack("[s]", "999999"));
        break;
    case 14:
        json_object_set_new(j, "urgent", json_true());
        break;
    case 15:
        json_object_set_new(j, "aware_at", json_string("2099-01-01T00:00+09:00"));
        break;
    case 16:
        json_object_set_new(j, "hosting", json_string("saas"));
        break;
    case 17:
        json_object_set_new(json_object_get(a, "reporter"), "email", json_string("soc at toto"));
        break;
    case 18:
        json_object_set_new(j, "form", json_string("phishing"));
        break;
    default:
        break;
    }
    return j;
}

static const struct bad bads[] = {
    {"no TLP", "/tlp", "required"},
    {"TLP not as TLP 2.0 writes it", "/tlp", "enum"},
    {"unknown severity", "/severity", "enum"},
    {"a first report that is a follow-up", "/kind", "first_report"},
    {"corporate number check digit", "/answers/reporter/corporate_number", "corporate_number"},
    {"an ATT&CK id that is not a DDoS type", "/answers/attack/attacks/0/attack_type", "enum"},
    {"an IP address", "/answers/attack/attacks/0/source_ips/0", "ip"},
    {"a port", "/answers/attack/attacks/0/destination_ports/0", "port"},
    {"bps as a number", "/answers/attack/attacks/0/traffic_bps", "type"},
    {"a date-time", "/answers/attack/attacks/0/started_at", "datetime"},
    {"another operator's computer", "/assets/0", "asset"},
    {"a sector not the reporter's", "/sectors", "not_your_sector"},
    {"opt-out groups without the form's tick", "/opt_out_groups", "opt_out"},
    {"an attachment that does not exist", "/attachments/0", "attachment"},
    {"an unknown member", "/urgent", "unknown_field"},
    {"awareness in the future", "/aware_at", "future"},
    {"SaaS without the provider's notice", "/provider_notified_at", "required"},
    {"an e-mail address", "/answers/reporter/email", "email"},
    {"an unknown form", "/form", "enum"},
};

static void validation_rules(void **st)
{
    (void)st;
    int64_t other_asset = first_asset(WANGAN, srv_org_of(&S, WANGAN));
    size_t before = incident_count();
    for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
        struct resp r;
        post("/api/v1/incidents", TOTO, mutate(i, other_asset), &r);
        if (r.status != 422) fail_msg("%s: status %ld: %s", bads[i].what, r.status, r.body);
        bool found = false;
        for (size_t k = 0; !found; k++) {
            json_t *e = problem_error(&r, k);
            if (!e) break;
            found =
                strcmp(json_string_value(json_object_get(e, "pointer")), bads[i].pointer) == 0 &&
                strcmp(json_string_value(json_object_get(e, "rule")), bads[i].rule) == 0;
        }
        if (!found)
            fail_msg("%s: expected %s (%s) in %s", bads[i].what, bads[i].pointer, bads[i].rule,
                     r.body);
        resp_free(&r);
    }
    /* The liaison form: exactly one event type, causes from the list. */
    json_t *a = fig5_answers();
    json_object_set_new(json_object_get(a, "event_type"), "event_type",
                        json_pack("[s, s]", "integrity", "availability"));
    json_object_set_new(json_object_get(a, "cause_types"), "cause_types",
                        json_pack("[s]", "bad_luck"));
    struct resp r;
    post("/api/v1/incidents", HIBIKI,
         json_pack("{s:s, s:s, s:s, s:o}", "form", "liaison", "kind", "quick", "severity",
                   "warning", "answers", a),
         &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(json_string_value(json_object_get(problem_error(&r, 0), "pointer")),
                        "/answers/event_type/event_type");
    assert_string_equal(json_string_value(json_object_get(problem_error(&r, 1), "pointer")),
                        "/answers/cause_types/cause_types/0");
    resp_free(&r);
    /* Nothing of any refused report was stored. */
    assert_int_equal(incident_count(), before);
    /* Not a writer: a viewer may not file. */
    char viewer[128];
    bearer(&S, "kaede-viewer", viewer, sizeof viewer);
    post("/api/v1/incidents", viewer, ddos_report("quick", "new"), &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
}

static const char *first_pointer(struct resp *r, const char **rule)
{
    json_t *e = problem_error(r, 0);
    *rule = json_string_value(json_object_get(e, "rule"));
    return json_string_value(json_object_get(e, "pointer"));
}

static void expect_422(struct resp *r, const char *pointer, const char *rule)
{
    const char *got_rule = NULL, *got = first_pointer(r, &got_rule);
    if (r->status != 422 || !got || strcmp(got, pointer) != 0 || strcmp(got_rule, rule) != 0)
        fail_msg("expected 422 %s (%s), got %ld %s", pointer, rule, r->status, r->body);
}

/* Rules that guard what a follow-up, a relay or an opt-out may do. */
static void follow_up_rules(void **st)
{
    (void)st;
    struct resp r;
    /* The opt-out tick with an empty list of groups is a contradiction, not "share all". */
    json_t *rep = ddos_report("quick", "new");
    json_object_set_new(rep, "opt_out_groups", json_array());
    json_object_set_new(answers_of(rep), "opt_out", json_pack("{s:b}", "opt_out", 1));
    post("/api/v1/incidents", TOTO, rep, &r);
    expect_422(&r, "/opt_out_groups", "min_items");
    resp_free(&r);

    /* A source-IP list listed on the envelope falls in the attack group: opted out, a TLP
     * reader sees neither the file nor its indicators. */
    char auth[160];
    snprintf(auth, sizeof auth, "%s", TOTO);
    http(&S, "POST", "/api/v1/attachments?name=src.txt&role=source_ip_list", auth, NULL, NULL,
         "text/plain", "203.0.113.9\n198.51.100.1\n", &r);
    assert_int_equal(r.status, 201);
    char att[24];
    snprintf(att, sizeof att, "%s", json_string_value(json_object_get(r.json, "id")));
    resp_free(&r);
    rep = ddos_report("quick", "new");
    json_object_set_new(rep, "tlp", json_string("TLP:GREEN"));
    json_object_set_new(rep, "attachments", json_pack("[s]", att));
    json_object_set_new(rep, "opt_out_groups", json_pack("[s]", "attack"));
    json_object_set_new(answers_of(rep), "opt_out", json_pack("{s:b}", "opt_out", 1));
    post("/api/v1/incidents", TOTO, rep, &r);
    assert_int_equal(r.status, 201);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1", (long long)id);
    http_json(&S, "GET", path, WANGAN, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "attachments")), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "indicators")), 0);
    assert_null(strstr(r.body, "203.0.113.9"));
    resp_free(&r);
    http_json(&S, "GET", path, METI, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "indicators")), 2);
    assert_int_equal(json_integer_value(json_object_get(r.json, "indicator_count")), 2);
    resp_free(&r);

    /* A follow-up may bring awareness forward, not push it back; it keeps the hosting. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)id);
    rep = ddos_report("follow_up", "follow_up");
    json_object_set_new(rep, "aware_at", json_string("2026-11-21T09:30+09:00"));
    post(path, TOTO, rep, &r);
    expect_422(&r, "/aware_at", "later_than_first");
    resp_free(&r);
    /* Only the first report is the quick report. */
    rep = ddos_report("quick", "follow_up");
    post(path, TOTO, rep, &r);
    expect_422(&r, "/kind", "quick_first");
    resp_free(&r);
    /* Attachment ids in answers are checked like those of the envelope. */
    rep = ddos_report("follow_up", "follow_up");
    json_object_set_new(json_object_get(answers_of(rep), "attack"), "list_files",
                        json_pack("[s]", "4xyz"));
    post(path, TOTO, rep, &r);
    expect_422(&r, "/answers/attack/list_files/0", "format");
    resp_free(&r);
    rep = ddos_report("follow_up", "follow_up");
    json_object_set_new(rep, "aware_at", json_string("2026-11-19T09:30+09:00"));
    post(path, TOTO, rep, &r);
    assert_int_equal(r.status, 201);
    json_t *dl = json_object_get(json_object_get(r.json, "deadlines"), "detailed_report");
    assert_string_equal(json_string_value(json_object_get(dl, "due_on")), "2026-12-21");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "awareness"), "hosting")),
        "on_prem");
    resp_free(&r);

    /* SaaS: awareness is the provider's notice, on follow-ups too. */
    rep = ddos_report("quick", "new");
    json_object_set_new(rep, "hosting", json_string("saas"));
    json_object_set_new(rep, "provider_notified_at", json_string("2026-11-22T10:00+09:00"));
    post("/api/v1/incidents", TOTO, rep, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "awareness"), "source")),
        "provider_notice");
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports",
             (long long)json_integer_value(json_object_get(r.json, "id")));
    resp_free(&r);
    rep = ddos_report("follow_up", "follow_up"); /* gives aware_at only */
    post(path, TOTO, rep, &r);
    expect_422(&r, "/provider_notified_at", "required");
    resp_free(&r);

    /* A field that names the operator is withheld by name whether answered or not: a reader by
     * TLP cannot tell a PPC breach notice from none. */
    json_t *withheld[2];
    for (int i = 0; i < 2; i++) {
        rep = json_pack("{s:s, s:s, s:s, s:s, s:{s:{s:s}, s:{s:s}}}", "form", "ransomware", "kind",
                        "quick", "tlp", "TLP:GREEN", "severity", "warning", "answers", "header",
                        "report_kind", "new", "business_impact", "overview", "暗号化被害");
        if (i)
            json_object_set_new(json_object_get(answers_of(rep), "header"), "ppc_receipt_number",
                                json_string("PPC-2026-00042"));
        post("/api/v1/incidents", KAEDE, rep, &r);
        assert_int_equal(r.status, 201);
        snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1",
                 (long long)json_integer_value(json_object_get(r.json, "id")));
        resp_free(&r);
        http_json(&S, "GET", path, WANGAN, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_null(strstr(r.body, "PPC-2026-00042"));
        withheld[i] = json_incref(json_object_get(r.json, "withheld"));
        resp_free(&r);
        /* The printed form blanks the field, not its whole section. */
        char form_path[160];
        snprintf(form_path, sizeof form_path, "%s/form", path);
        http_json(&S, "GET", form_path, WANGAN, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "暗号化被害"));
        assert_null(strstr(r.body, "PPC-2026-00042"));
        resp_free(&r);
    }
    assert_true(json_equal(withheld[0], withheld[1]));
    json_decref(withheld[0]);
    json_decref(withheld[1]);

    /* A relaying CEPTOAR cannot probe the operator's registry through "assets". */
    char teisac[128];
    bearer(&S, "teisac-analyst", teisac, sizeof teisac);
    rep = ddos_report("quick", "new");
    json_object_set_new(rep, "on_behalf_of", json_integer(srv_org_of(&S, TOTO)));
    json_object_set_new(rep, "assets", json_pack("[i]", 1));
    post("/api/v1/incidents", teisac, rep, &r);
    expect_422(&r, "/assets", "not_allowed");
    resp_free(&r);
}

/* Uploaded files wait for a report that lists them; an organisation may stage at most 200. */
static void staged_limit(void **st)
{
    (void)st;
    char auth[160];
    snprintf(auth, sizeof auth, "%s", WANGAN);
    struct resp r;
    for (int i = 0; i < 200; i++) {
        http(&S, "POST", "/api/v1/attachments?name=sample.txt&role=sample", auth, NULL, NULL,
             "text/plain", "suspicious mail body", &r);
        if (r.status != 201) fail_msg("upload %d: %ld %s", i, r.status, r.body);
        resp_free(&r);
    }
    http(&S, "POST", "/api/v1/attachments?name=sample.txt&role=sample", auth, NULL, NULL,
         "text/plain", "one too many", &r);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    /* Bad uploads are refused before anything is stored. */
    http(&S, "POST", "/api/v1/attachments?name=a/b.txt&role=sample", auth, NULL, NULL, "text/plain",
         "x", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(problem_error(&r, 0), "pointer")),
                        "/query/name");
    resp_free(&r);
    http(&S, "POST", "/api/v1/attachments?name=a.txt&role=selfie", auth, NULL, NULL, "text/plain",
         "x", &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    http(&S, "POST", "/api/v1/attachments?name=a.txt&role=sample", auth, NULL, NULL, NULL, "x", &r);
    assert_int_equal(r.status, 415);
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ddos_case),       cmocka_unit_test(ransomware_case),
        cmocka_unit_test(liaison_fig5),    cmocka_unit_test(validation_rules),
        cmocka_unit_test(follow_up_rules), cmocka_unit_test(staged_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
