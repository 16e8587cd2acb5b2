/*
 * test_api_forms.c — the report forms served as data: the list, one definition with its
 * reference lists resolved and the ransomware first-response advice, 404s, and a broken form
 * file stopping the programs from starting.
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
static char TOK[128];

static int setup(void **state)
{
    srv_start(&S, true, NULL);
    bearer(&S, "toto-reporter", TOK, sizeof TOK);
    return 0;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

static void list_and_get(void **st)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/forms", TOK, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 3);
    static const char *const names[] = {"ddos", "liaison", "ransomware"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, i), "name")),
                            names[i]);
    resp_free(&r);

    /* The ransomware form comes with the advice to show before the reporter starts. */
    http_json(&S, "GET", "/api/v1/forms/ransomware", TOK, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "title_ja")),
                        "ランサムウェア事案共通様式");
    assert_int_equal(json_array_size(json_object_get(r.json, "first_response_advice")), 5);
    resp_free(&r);

    /* values_from is resolved: the liaison form's sector and TLP fields list their choices. */
    http_json(&S, "GET", "/api/v1/forms/liaison", TOK, NULL, &r);
    assert_int_equal(r.status, 200);
    size_t i, k;
    json_t *s, *f, *tlp = NULL, *sector = NULL;
    json_array_foreach(json_object_get(r.json, "sections"), i, s)
        json_array_foreach(json_object_get(s, "fields"), k, f)
    {
        const char *from = json_string_value(json_object_get(f, "values_from"));
        if (from && strcmp(from, "tlp") == 0) tlp = f;
        if (from && strcmp(from, "sectors") == 0) sector = f;
    }
    assert_non_null(tlp);
    assert_non_null(sector);
    json_t *tv = json_object_get(tlp, "values");
    assert_int_equal(json_array_size(tv), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tv, 0), "code")),
                        "TLP:RED");
    assert_string_equal(json_string_value(json_object_get(json_array_get(tv, 4), "code")),
                        "TLP:CLEAR");
    assert_int_equal(json_array_size(json_object_get(sector, "values")), 30);
    resp_free(&r);

    /* The DDoS attack types are ATT&CK technique ids. */
    http_json(&S, "GET", "/api/v1/forms/ddos", TOK, NULL, &r);
    assert_int_equal(r.status, 200);
    bool t1498 = false;
    json_array_foreach(json_object_get(r.json, "sections"), i, s)
        json_array_foreach(json_object_get(s, "fields"), k, f)
    {
        json_t *cols = json_object_get(f, "columns");
        size_t c;
        json_t *col, *v;
        json_array_foreach(cols, c, col)
        {
            size_t j;
            json_array_foreach(json_object_get(col, "values"), j, v) t1498 |=
                strcmp(json_string_value(json_object_get(v, "code")), "T1498.001") == 0;
        }
    }
    assert_true(t1498);
    resp_free(&r);

    /* The advisory form (情報提供様式) is served like the report forms, not listed with them. */
    http_json(&S, "GET", "/api/v1/forms/advisory", TOK, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")), "advisory");
    assert_string_equal(json_string_value(json_object_get(r.json, "title_ja")), "情報提供様式");
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/forms", TOK, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "\"advisory\""));
    resp_free(&r);

    http_json(&S, "GET", "/api/v1/forms/nothing", TOK, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/forms/Liaison", TOK, NULL, &r); /* not a machine name */
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/forms", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
}

/* A form file that breaks the contract stops the programs at start-up, naming the problem. */
static void broken_form_refuses_to_start(void **st)
{
    char data[400], cmd[1200], out[4096];
    snprintf(data, sizeof data, "%s/data", S.dir);
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/data' '%s' && sed -i 's/\"type\": \"yesno\"/\"type\": \"maybe\"/' "
             "'%s/forms/liaison.json'",
             RK_SOURCE_DIR, S.dir, data);
    assert_int_equal(system(cmd), 0);
    const char *args[] = {"--data", data, "org", "list", NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, args), 1);
    const char *good[] = {"org", "list", NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, good), 0);
    /* Editors' lock files are not forms; a missing official form is an error. */
    char data2[400];
    snprintf(data2, sizeof data2, "%s/data2", S.dir);
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/data' '%s' && ln -s /nonexistent '%s/forms/.#liaison.json'", RK_SOURCE_DIR,
             data2, data2);
    assert_int_equal(system(cmd), 0);
    const char *locked[] = {"--data", data2, "org", "list", NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, locked), 0);
    snprintf(cmd, sizeof cmd, "rm '%s/forms/ransomware.json'", data2);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, locked), 1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* `renkei report validate`: the same rules and pointers the API will use, offline. */
static void cli_validate(void **st)
{
    char good[400], bad[400], out[16384];
    snprintf(good, sizeof good, "%s/quick.json", S.dir);
    snprintf(bad, sizeof bad, "%s/bad.json", S.dir);
    /* A DDoS quick report: anything may be blank; what is given must be right. */
    write_file(good, "{\"form\":\"ddos\",\"kind\":\"quick\",\"tlp\":\"TLP:AMBER\","
                     "\"severity\":\"warning\",\"answers\":{"
                     "\"reporter\":{\"name\":\"東都電力株式会社\","
                     "\"corporate_number\":\"7010001008844\"},"
                     "\"attack\":{\"attacks\":[{\"attack_type\":\"T1498.001\"}]}}}");
    const char *ok[] = {"report", "validate", good, NULL};
    int rc = srv_cli(&S, NULL, out, sizeof out, ok);
    if (rc != 0) fprintf(stderr, "%s\n", out);
    assert_int_equal(rc, 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "form")), "ddos");
    json_decref(j);
    write_file(bad, "{\"form\":\"ddos\",\"kind\":\"quick\",\"answers\":{"
                    "\"reporter\":{\"corporate_number\":\"7010001008845\"}}}");
    const char *no[] = {"report", "validate", bad, NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, no), 3);
    write_file(bad, "{\"form\":\"nope\",\"kind\":\"soon\",\"answers\":{}}");
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, no), 3);
    /* The liaison form's required items. */
    write_file(bad, "{\"form\":\"liaison\",\"kind\":\"quick\",\"answers\":{}}");
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, no), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_and_get),
        cmocka_unit_test(broken_form_refuses_to_start),
        cmocka_unit_test(cli_validate),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
