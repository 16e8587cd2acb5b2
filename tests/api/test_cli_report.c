/*
 * test_cli_report.c — `renkei report submit` and `renkei report status` against a demo store:
 * filing a DDoS quick report and its follow-up, a refused report with the pointer of its error,
 * who sees an incident by identification number (a recipient ministry; not another operator at
 * TLP:RED), and the CLI answering what the API answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "support.h"

static struct srv S;

static int setup(void **state)
{
    srv_start(&S, true, NULL);
    return 0;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

static json_t *cli_json(int want_rc, const char *const *args)
{
    static char out[65536];
    int rc = srv_cli(&S, NULL, out, sizeof out, args);
    if (rc != want_rc) {
        char all[8192];
        srv_cli_all(&S, all, sizeof all, args);
        fail_msg("exit %d (want %d): %s", rc, want_rc, all);
    }
    json_t *j = json_loads(out, 0, NULL);
    if (!j) fail_msg("not JSON: %s", out);
    return j;
}

#define DDOS_QUICK(tlp)                                                                            \
    "{\"form\":\"ddos\",\"kind\":\"quick\",\"tlp\":\"" tlp "\",\"severity\":\"warning\","          \
    "\"aware_at\":\"2026-03-02T08:30+09:00\",\"answers\":{"                                        \
    "\"header\":{\"report_kind\":\"new\"},"                                                        \
    "\"reporter\":{\"name\":\"東都電力株式会社\",\"corporate_number\":\"7990001000001\"}," \
    "\"attack\":{\"attacks\":[{\"attack_type\":\"T1498.001\"}]}}}"

/* A DDoS quick report (速報) as the operator's reporter; the follow-up (続報) by ident. */
static void submit_and_follow_up(void **st)
{
    char path[400], out[8192];
    snprintf(path, sizeof path, "%s/quick.json", S.dir);
    write_text_file(path, DDOS_QUICK("TLP:AMBER"));
    const char *submit[] = {"report", "submit", path, "--user", "toto-reporter", NULL};
    json_t *v = cli_json(0, submit);
    const char *ident = jstr(v, "identification_number");
    assert_non_null(ident);
    assert_int_equal(strlen(ident), 14);
    assert_memory_equal(ident, "NC-", 3);
    assert_int_equal(json_integer_value(json_object_get(v, "report_number")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "reports")), 1);
    assert_string_equal(jstr(v, "form"), "ddos");
    assert_string_equal(jstr(v, "tlp"), "TLP:AMBER");
    /* The filer sees who reported and where it went. */
    assert_string_equal(jstr(json_object_get(v, "source"), "name_ja"), "東都電力株式会社");
    assert_true(json_array_size(json_object_get(v, "routing")) >= 2);
    assert_string_equal(
        jstr(json_object_get(json_object_get(v, "deadlines"), "detailed_report"), "due_on"),
        "2026-04-01");
    char ident_s[32];
    snprintf(ident_s, sizeof ident_s, "%s", ident);
    json_decref(v);

    /* The next report names the incident by its identification number. */
    snprintf(path, sizeof path, "%s/follow.json", S.dir);
    write_text_file(path, "{\"form\":\"ddos\",\"kind\":\"detailed\",\"tlp\":\"TLP:AMBER\","
                          "\"severity\":\"warning\",\"answers\":{"
                          "\"header\":{\"report_kind\":\"follow_up\"},"
                          "\"reporter\":{\"name\":\"東都電力株式会社\","
                          "\"corporate_number\":\"7990001000001\"},"
                          "\"next_steps\":{\"outlook\":\"done\"}}}");
    const char *next[] = {"report",        "submit",     path,    "--user",
                          "toto-reporter", "--incident", ident_s, NULL};
    v = cli_json(0, next);
    assert_int_equal(json_integer_value(json_object_get(v, "report_number")), 2);
    assert_string_equal(jstr(v, "status"), "closed");
    assert_non_null(
        jstr(json_object_get(json_object_get(v, "deadlines"), "detailed_report"), "submitted_at"));
    json_decref(v);

    /* The same file again is 第3報 to the platform but says follow_up: fine; as a first report
     * it is refused (report_kind must be 新規). */
    const char *as_new[] = {"report", "submit", path, "--user", "toto-reporter", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, as_new), 3);
    assert_non_null(strstr(out, "/answers/header/report_kind"));

    /* Recipients do not add reports: a ministry analyst gets the 403 detail. */
    const char *meti[] = {"report",       "submit",     path,    "--user",
                          "meti-analyst", "--incident", ident_s, NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, meti), 3);
    assert_non_null(strstr(out, "Only the reporting organisation"));
    /* Another operator may not even know it is there (TLP:AMBER is same-sector only). */
    const char *wangan[] = {"report",          "submit",     path,    "--user",
                            "wangan-reporter", "--incident", ident_s, NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, wangan), 3);
    assert_non_null(strstr(out, "no such incident"));
    /* A viewer has no writer role. */
    const char *viewer[] = {"report", "submit", path, "--user", "kaede-viewer", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, viewer), 3);
    assert_non_null(strstr(out, "role does not allow"));
}

/* A refused report: one line per error with the file, the pointer and the rule; nothing filed. */
static void invalid_report(void **st)
{
    char path[400], out[8192];
    snprintf(path, sizeof path, "%s/bad.json", S.dir);
    write_text_file(path, "{\"form\":\"ddos\",\"kind\":\"quick\",\"tlp\":\"TLP:GREEN\","
                          "\"severity\":\"warning\",\"answers\":{"
                          "\"reporter\":{\"corporate_number\":\"7010001008845\"}}}");
    const char *submit[] = {"report", "submit", path, "--user", "toto-reporter", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, submit), 3);
    char want[600];
    snprintf(want, sizeof want, "renkei: %s: /answers/reporter/corporate_number: ", path);
    assert_non_null(strstr(out, want));
    assert_null(strstr(out, "identification_number"));
    /* Not JSON at all. */
    write_text_file(path, "{\"form\":");
    assert_int_equal(srv_cli_all(&S, out, sizeof out, submit), 3);
    assert_non_null(strstr(out, "(json_syntax)"));
    /* Bad command lines and unknown users. */
    const char *no_user[] = {"report", "submit", path, NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, no_user), 2);
    const char *ghost[] = {"report", "submit", path, "--user", "nobody", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, ghost), 3);
    assert_non_null(strstr(out, "no such user"));
}

/* `report status` by identification number: the recipient ministry sees it, as over the API;
 * another operator does not see a TLP:RED incident at all. */
static void status_by_ident(void **st)
{
    char path[400], out[8192];
    snprintf(path, sizeof path, "%s/red.json", S.dir);
    write_text_file(path, DDOS_QUICK("TLP:RED"));
    const char *submit[] = {"report", "submit", path, "--user", "toto-reporter", NULL};
    json_t *v = cli_json(0, submit);
    char ident[32], id[24];
    snprintf(ident, sizeof ident, "%s", jstr(v, "identification_number"));
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(v, "id")));
    json_decref(v);

    const char *meti[] = {"report", "status", ident, "--user", "meti-analyst", NULL};
    v = cli_json(0, meti);
    assert_string_equal(jstr(v, "identification_number"), ident);
    assert_string_equal(jstr(v, "tlp"), "TLP:RED");
    /* The same view as GET /api/v1/incidents/{id}. */
    char tok[128], url[64];
    bearer(&S, "meti-analyst", tok, sizeof tok);
    snprintf(url, sizeof url, "/api/v1/incidents/%s", id);
    struct resp r;
    http_json(&S, "GET", url, tok, NULL, &r);
    assert_int_equal(r.status, 200);
    if (!json_equal(r.json, v)) {
        char *a = json_dumps(r.json, JSON_COMPACT), *b = json_dumps(v, JSON_COMPACT);
        fail_msg("API %s\nCLI %s", a, b);
    }
    resp_free(&r);
    json_decref(v);
    /* By numeric id too. */
    const char *by_id[] = {"report", "status", id, "--user", "meti-analyst", NULL};
    v = cli_json(0, by_id);
    assert_string_equal(jstr(v, "identification_number"), ident);
    json_decref(v);

    const char *wangan[] = {"report", "status", ident, "--user", "wangan-reporter", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, wangan), 3);
    assert_string_equal(out, "renkei: no such incident\n");
    /* … exactly as for an incident that does not exist. */
    const char *none[] = {"report", "status", "NC-1999-000001", "--user", "meti-analyst", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, none), 3);
    assert_string_equal(out, "renkei: no such incident\n");
    const char *none_id[] = {"report", "status", "999999", "--user", "meti-analyst", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, none_id), 3);
    assert_string_equal(out, "renkei: no such incident\n");
    const char *no_user[] = {"report", "status", ident, NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, no_user), 2);
}

/* The CLI's filings are in the audit chain, which stays intact. */
static void audited(void **st)
{
    char out[8192];
    const char *verify[] = {"audit", "verify", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, verify), 0);
    char tok[128];
    bearer(&S, "nc-admin", tok, sizeof tok);
    struct resp r;
    http_json(&S, "GET", "/api/v1/audit?action=incident.create", tok, NULL, &r);
    assert_int_equal(r.status, 200);
    /* Demo incidents are filed at init (request id "demo"); ours say "cli", with the filer. */
    size_t i, n = 0;
    json_t *a;
    json_array_foreach(json_object_get(r.json, "items"), i, a)
    {
        if (!jstr(a, "request_id") || strcmp(jstr(a, "request_id"), "cli") != 0) continue;
        n++;
        assert_true(json_is_integer(json_object_get(a, "user_id")));
        assert_string_equal(jstr(json_object_get(a, "detail"), "via"), "cli");
    }
    resp_free(&r);
    assert_int_equal(n, 2); /* the AMBER and the RED incident */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(submit_and_follow_up),
        cmocka_unit_test(invalid_report),
        cmocka_unit_test(status_by_ident),
        cmocka_unit_test(audited),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
