/*
 * test_cli_advisory.c — `renkei advisory send` and `renkei inbox` against a demo store with the
 * server running: an advisory filed and sent from a file (printed as JSON, delivered to the
 * addressed ministry, visible over the API), refused files with the pointer of their error and
 * nothing stored, users who may not send, and the inbox with its --unacknowledged and --limit
 * options answering what GET /api/v1/inbox answers.
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
static char NC[128], METI[128];

static int setup(void **state)
{
    (void)state;
    srv_start(&S, true, NULL);
    bearer(&S, "nc-analyst", NC, sizeof NC);
    bearer(&S, "meti-analyst", METI, sizeof METI);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srv_stop(&S);
    return 0;
}

/* Standard output parsed as JSON; fails unless the exit code is want_rc. */
static json_t *cli_json(int want_rc, const char *const *args)
{
    static char out[262144];
    int rc = srv_cli(&S, NULL, out, sizeof out, args);
    if (rc != want_rc) {
        static char all[16384];
        srv_cli_all(&S, all, sizeof all, args);
        fail_msg("exit %d (want %d): %s", rc, want_rc, all);
    }
    json_t *j = json_loads(out, 0, NULL);
    if (!j) fail_msg("not JSON: %s", out);
    return j;
}

static size_t adv_count(void)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/advisories?limit=1000", NC, NULL, &r);
    assert_int_equal(r.status, 200);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

#define ADVISORY(tlp, extra)                                                                       \
    "{\"title\":\"CLIからの情報提供 "                                                       \
    "CLI-ADV-MARK\",\"answers\":{\"header\":{\"severity\":\"alert\"},"                             \
    "\"recipients\":{\"recipient_ministries\":[{\"ministry\":\"meti\"}],"                          \
    "\"recipient_sectors\":[\"core.electricity\",\"ci.electricity\"]},"                            \
    "\"sharing\":{\"tlp\":\"" tlp "\"},\"content\":{\"has_attachments\":false},"                   \
    "\"overview\":{\"overview\":\"CLI-OVERVIEW\"}" extra "}}"

static int64_t SENT_ID;

static void send_from_file(void **st)
{
    (void)st;
    char path[400];
    snprintf(path, sizeof path, "%s/advisory.json", S.dir);
    write_text_file(
        path,
        ADVISORY("TLP:AMBER", ",\"guidance\":{\"domains\":[{\"domain\":\"c2[.]example.org\"}]}"));
    size_t before = adv_count();
    const char *send[] = {"advisory", "send", path, "--user", "nc-analyst", NULL};
    json_t *v = cli_json(0, send);
    SENT_ID = jnum(v, "id");
    assert_true(SENT_ID > 0);
    assert_string_equal(jstr(v, "status"), "sent");
    assert_int_equal(jnum(v, "number"), 1);
    const char *ident = jstr(v, "identification_number");
    assert_non_null(ident);
    assert_int_equal(strlen(ident), 14);
    assert_memory_equal(ident, "AD-", 3);
    assert_string_equal(jstr(v, "tlp"), "TLP:AMBER");
    assert_non_null(jstr(v, "sent_at"));
    json_t *hdr = json_object_get(json_object_get(v, "answers"), "header");
    assert_string_equal(jstr(hdr, "identification_number"), ident);
    assert_non_null(jstr(hdr, "advisory_datetime"));
    /* Normalised as over the API. */
    assert_string_equal(
        jstr(json_array_get(
                 json_object_get(json_object_get(json_object_get(v, "answers"), "guidance"),
                                 "domains"),
                 0),
             "domain"),
        "c2.example.org");
    /* The sender's view: where it went. */
    assert_false(json_is_true(json_object_get(v, "delivered_direct")));
    assert_int_equal(json_array_size(json_object_get(v, "named")), 1);
    assert_int_equal(adv_count(), before + 1);
    /* The same advisory over the API, as the centre sees it. */
    char url[64];
    snprintf(url, sizeof url, "/api/v1/advisories/%lld", (long long)SENT_ID);
    struct resp r;
    http_json(&S, "GET", url, NC, NULL, &r);
    assert_int_equal(r.status, 200);
    if (!json_equal(r.json, v)) {
        char *a = json_dumps(r.json, JSON_COMPACT), *b = json_dumps(v, JSON_COMPACT);
        fail_msg("API %s\nCLI %s", a, b);
    }
    resp_free(&r);
    json_decref(v);
    /* Delivered to the addressed ministry only. */
    http_json(&S, "GET", url, METI, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "CLI-OVERVIEW"));
    resp_free(&r);
    char toto[128];
    bearer(&S, "toto-admin", toto, sizeof toto);
    http_json(&S, "GET", url, toto, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);

    /* --direct: the whole audience at once (GREEN electricity: meti, toto, teisac). */
    write_text_file(path, ADVISORY("TLP:GREEN", ""));
    const char *direct[] = {"advisory", "send", path, "--user", "nc-analyst", "--direct", NULL};
    v = cli_json(0, direct);
    assert_true(json_is_true(json_object_get(v, "delivered_direct")));
    snprintf(url, sizeof url, "/api/v1/advisories/%lld", (long long)jnum(v, "id"));
    json_decref(v);
    http_json(&S, "GET", url, toto, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void refused_files(void **st)
{
    (void)st;
    char path[400], out[16384];
    snprintf(path, sizeof path, "%s/bad.json", S.dir);
    size_t before = adv_count();
    const char *send[] = {"advisory", "send", path, "--user", "nc-analyst", NULL};

    /* A rule of the form. */
    write_text_file(
        path, ADVISORY("TLP:AMBER", ",\"guidance\":{\"cve_ids\":[{\"cve_id\":\"CVE-24-1\"}]}"));
    assert_int_equal(srv_cli_all(&S, out, sizeof out, send), 3);
    char want[600];
    snprintf(want, sizeof want, "renkei: %s: /answers/guidance/cve_ids/0/cve_id: ", path);
    if (!strstr(out, want)) fail_msg("no pointer in: %s", out);
    assert_non_null(strstr(out, "(cve_id)"));
    assert_null(strstr(out, "\"identification_number\""));
    assert_int_equal(adv_count(), before);

    /* What the platform assigns. */
    write_text_file(path,
                    "{\"title\":\"t\",\"answers\":{\"header\":{\"identification_number\":\"AD-2026-"
                    "000001\"},\"recipients\":{\"recipient_ministries\":[{\"ministry\":\"meti\"}],"
                    "\"recipient_sectors\":[\"core.electricity\"]},\"sharing\":{\"tlp\":"
                    "\"TLP:AMBER\"},\"content\":{\"has_attachments\":false}}}");
    assert_int_equal(srv_cli_all(&S, out, sizeof out, send), 3);
    assert_non_null(strstr(out, "/answers/header/identification_number"));
    assert_non_null(strstr(out, "assigned_by_platform"));
    assert_int_equal(adv_count(), before);

    /* Not JSON. */
    write_text_file(path, "{\"title\":");
    assert_int_equal(srv_cli_all(&S, out, sizeof out, send), 3);
    assert_non_null(strstr(out, "json_syntax"));
    assert_int_equal(adv_count(), before);

    /* Refused at the gate: the pointer of the label, and no draft left behind (the gate runs
     * before anything is stored, so a re-run of the fixed file does not leave a second one). */
    write_text_file(path,
                    "{\"title\":\"ゲート\",\"labels\":{\"/overview/overview\":[\"comms_info\"]},"
                    "\"answers\":{\"recipients\":{\"recipient_ministries\":[{\"ministry\":"
                    "\"meti\"}],\"recipient_sectors\":[\"core.electricity\"]},\"sharing\":{"
                    "\"tlp\":\"TLP:AMBER\"},\"content\":{\"has_attachments\":false},"
                    "\"overview\":{\"overview\":\"CLI-GATE-MARK\"}}}");
    assert_int_equal(srv_cli_all(&S, out, sizeof out, send), 3);
    snprintf(want, sizeof want, "renkei: %s: /answers/overview/overview: ", path);
    if (!strstr(out, want)) fail_msg("no pointer in: %s", out);
    assert_non_null(strstr(out, "label_comms_info"));
    struct resp r;
    http_json(&S, "GET", "/api/v1/advisories?limit=1000", NC, NULL, &r);
    assert_int_equal(r.status, 200);
    bool stray = strstr(r.body, "\"ゲート\"") != NULL;
    resp_free(&r);
    if (stray) fail_msg("the refused `advisory send` left a draft behind");
    assert_int_equal(adv_count(), before);
}

static void refused_users(void **st)
{
    (void)st;
    char path[400], out[16384];
    snprintf(path, sizeof path, "%s/ok.json", S.dir);
    write_text_file(path, ADVISORY("TLP:AMBER", ""));
    size_t before = adv_count();
    /* A ministry relays but does not author; an operator neither; a viewer has no writer role. */
    const char *users[] = {"meti-analyst", "toto-admin", "toto-contractor", "kaede-viewer"};
    for (size_t i = 0; i < 4; i++) {
        const char *send[] = {"advisory", "send", path, "--user", users[i], NULL};
        int rc = srv_cli_all(&S, out, sizeof out, send);
        if (rc != 3) fail_msg("%s: exit %d: %s", users[i], rc, out);
        assert_non_null(strstr(out, "national centre"));
        assert_null(strstr(out, "\"identification_number\""));
    }
    assert_int_equal(adv_count(), before);
    const char *ghost[] = {"advisory", "send", path, "--user", "nobody", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, ghost), 3);
    assert_non_null(strstr(out, "no such user"));
    const char *no_user[] = {"advisory", "send", path, NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, no_user), 2);
    const char *no_file[] = {"advisory", "send", "--user", "nc-analyst", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, no_file), 2);
    const char *bad_cmd[] = {"advisory", "publish", path, "--user", "nc-analyst", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, bad_cmd), 2);
    assert_int_equal(adv_count(), before);
}

/* The ids of the inbox items in order; the number of items. */
static size_t item_ids(const json_t *items, int64_t *ids, size_t cap)
{
    size_t n = 0, i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (n < cap) ids[n++] = jnum(it, "id");
    }
    return n;
}

static const json_t *find_object(const json_t *items, const char *kind, int64_t object_id)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (strcmp(jstr(it, "kind"), kind) == 0 &&
            jnum(json_object_get(it, "object"), "id") == object_id)
            return it;
    }
    return NULL;
}

static void inbox(void **st)
{
    (void)st;
    assert_true(SENT_ID > 0);
    const char *all[] = {"inbox", "--user", "meti-analyst", "--limit", "1000", NULL};
    json_t *items = cli_json(0, all);
    assert_true(json_is_array(items));
    const json_t *it = find_object(items, "advisory", SENT_ID);
    assert_non_null(it);
    assert_true(json_is_null(json_object_get(it, "acknowledgment")));
    assert_string_equal(jstr(json_object_get(it, "object"), "status"), "sent");
    assert_non_null(strstr(jstr(json_object_get(it, "object"), "title"), "CLI-ADV-MARK"));
    /* The same rows, in the same order, as the API gives. */
    struct resp r;
    http_json(&S, "GET", "/api/v1/inbox?limit=1000", METI, NULL, &r);
    assert_int_equal(r.status, 200);
    int64_t a[256], b[256];
    size_t na = item_ids(items, a, 256), nb = item_ids(json_object_get(r.json, "items"), b, 256);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        assert_int_equal(a[i], b[i]);
    resp_free(&r);
    json_decref(items);

    /* Acknowledged over the API: gone from --unacknowledged, still in the full list. */
    const char *un[] = {"inbox", "--user", "meti-analyst", "--unacknowledged", "--limit",
                        "1000",  NULL};
    items = cli_json(0, un);
    assert_non_null(find_object(items, "advisory", SENT_ID));
    size_t n_un = json_array_size(items);
    json_decref(items);
    char url[96];
    snprintf(url, sizeof url, "/api/v1/advisories/%lld/ack", (long long)SENT_ID);
    http_json(&S, "POST", url, METI, "{\"status\":\"read\"}", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    items = cli_json(0, un);
    assert_null(find_object(items, "advisory", SENT_ID));
    assert_int_equal(json_array_size(items), n_un - 1);
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x)
    {
        assert_true(json_is_null(json_object_get(x, "acknowledgment")));
    }
    json_decref(items);
    items = cli_json(0, all);
    it = find_object(items, "advisory", SENT_ID);
    assert_non_null(it);
    assert_string_equal(jstr(it, "acknowledgment"), "read");
    json_decref(items);

    /* --limit: the newest first. */
    const char *one[] = {"inbox", "--user", "meti-analyst", "--limit", "1", NULL};
    items = cli_json(0, one);
    assert_int_equal(json_array_size(items), 1);
    http_json(&S, "GET", "/api/v1/inbox?limit=1", METI, NULL, &r);
    assert_int_equal(jnum(json_array_get(items, 0), "id"),
                     jnum(json_array_get(json_object_get(r.json, "items"), 0), "id"));
    resp_free(&r);
    json_decref(items);

    /* Another organisation's inbox does not have it. */
    const char *wangan[] = {"inbox", "--user", "wangan-admin", "--limit", "1000", NULL};
    items = cli_json(0, wangan);
    assert_null(find_object(items, "advisory", SENT_ID));
    json_decref(items);
    char out[4096];
    const char *no_user[] = {"inbox", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, no_user), 2);
    const char *bad_limit[] = {"inbox", "--user", "meti-analyst", "--limit", "0", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, bad_limit), 2);
    const char *ghost[] = {"inbox", "--user", "nobody", NULL};
    assert_int_equal(srv_cli_all(&S, out, sizeof out, ghost), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(send_from_file),
        cmocka_unit_test(refused_files),
        cmocka_unit_test(refused_users),
        cmocka_unit_test(inbox),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
