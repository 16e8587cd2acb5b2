/*
 * test_api_advisories.c — advisories (情報提供) end to end on the real server: drafts with their
 * platform-assigned identification number and 第N報, every validation rule with its exact pointer
 * and nothing stored, refanging, edits with versions, the send gate (labels, the reporter's names,
 * the widening agreement), delivery to the addressed ministries or the whole audience, relays by
 * ministries and CEPTOARs, acknowledgments and the sender's "who has not acknowledged" list,
 * follow-ups, the printed form, and the public feeds (CLEAR only). Markers are unique strings
 * searched for in every response body.
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
static char NC[128], METI[128], FSA[128], MHLW[128], TOTO[128], TOTOC[128], TEISAC[128], KAEDE[128],
    KENSEI[128], WANGAN[128], TSS[128], MINATO[128];
static int64_t O_FSA, O_MHLW, O_METI, O_TOTO, O_KAEDE, O_KENSEI, O_TEISAC;

static long status_of(const char *method, const char *path, const char *tok)
{
    struct resp r;
    http_json(&S, method, path, tok, NULL, &r);
    long st = r.status;
    resp_free(&r);
    return st;
}

/* Advisory answers: the TLP, the ministries and sectors (JSON arrays of codes), and further
 * sections (JSON members, may be ""). */
static json_t *answers(const char *tlp, const char *ministries, const char *sectors,
                       const char *more)
{
    char text[16384];
    json_t *m = test_json(ministries), *rows = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v) json_array_append_new(rows, json_pack("{s:O}", "ministry", v));
    char *rt = json_dumps(rows, JSON_COMPACT);
    snprintf(text, sizeof text,
             "{\"header\":{\"severity\":\"warning\"},\"recipients\":{\"recipient_ministries\":%s,"
             "\"recipient_sectors\":%s},\"sharing\":{\"tlp\":\"%s\"},"
             "\"content\":{\"has_attachments\":false}%s%s}",
             rt, sectors, tlp, more && *more ? "," : "", more ? more : "");
    free(rt);
    json_decref(m);
    json_decref(rows);
    return test_json(text);
}

#define FINANCE "[\"fsa\"]", "[\"core.finance\",\"ci.finance\"]"
#define ELEC "[\"meti\"]", "[\"core.electricity\",\"ci.electricity\"]"

/* POST /api/v1/advisories {title, answers, labels?} as the centre: the new id. */
static int64_t create(const char *title, json_t *ans, json_t *labels)
{
    json_t *doc = json_pack("{s:s, s:o}", "title", title, "answers", ans);
    if (labels) json_object_set_new(doc, "labels", labels);
    struct resp r;
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    int64_t id = jnum(r.json, "id");
    resp_free(&r);
    return id;
}

static json_t *get_adv(const char *tok, int64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)id);
    struct resp r;
    api_call(&S, "GET", path, tok, NULL, 200, &r);
    json_t *v = json_incref(r.json);
    json_object_set_new(v, "raw_", json_string(r.body));
    resp_free(&r);
    return v;
}

static int64_t version_of(int64_t id)
{
    json_t *v = get_adv(NC, id);
    int64_t ver = jnum(v, "version");
    json_decref(v);
    return ver;
}

/* POST /send with the current version; r holds the answer (status want). */
static void send_adv(int64_t id, bool direct, long want, struct resp *r)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/send", (long long)id);
    api_call(&S, "POST", path, NC,
             json_pack("{s:I, s:b}", "version", (json_int_t)version_of(id), "direct", direct), want,
             r);
}

static void send_ok(int64_t id, bool direct, int64_t delivered)
{
    struct resp r;
    send_adv(id, direct, 200, &r);
    assert_string_equal(jstr(r.json, "status"), "sent");
    if (delivered >= 0) assert_int_equal(jnum(r.json, "delivered_to"), delivered);
    resp_free(&r);
}

static bool has_error(const struct resp *r, const char *pointer, const char *rule)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e)
    {
        if (strcmp(jstr(e, "pointer"), pointer) == 0 && strcmp(jstr(e, "rule"), rule) == 0)
            return true;
    }
    return false;
}

static void assert_only_error(const struct resp *r, const char *pointer, const char *rule)
{
    if (json_array_size(json_object_get(r->json, "errors")) != 1 || !has_error(r, pointer, rule))
        fail_msg("want exactly %s (%s): %s", pointer, rule, r->body ? r->body : "");
}

static size_t adv_count(void)
{
    struct resp r;
    api_call(&S, "GET", "/api/v1/advisories?limit=1000", NC, NULL, 200, &r);
    size_t n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

static bool readable(const char *tok, int64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)id);
    long st = status_of("GET", path, tok);
    if (st != 200 && st != 404) fail_msg("GET %s: %ld", path, st);
    return st == 200;
}

/* The caller's inbox row for (kind, id), or NULL; the whole inbox body into raw (if not NULL). */
static json_t *inbox_row(const char *tok, const char *kind, int64_t id, char **raw)
{
    struct resp r;
    api_call(&S, "GET", "/api/v1/inbox?limit=1000", tok, NULL, 200, &r);
    json_t *found = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (strcmp(jstr(it, "kind"), kind) == 0 && jnum(it, "object_id") == id)
            found = json_incref(it);
    }
    if (raw) *raw = strdup(r.body);
    resp_free(&r);
    return found;
}

static bool in_inbox(const char *tok, int64_t id)
{
    json_t *row = inbox_row(tok, "advisory", id, NULL);
    json_decref(row);
    return row != NULL;
}

static void relay(const char *tok, int64_t id, long want, int64_t targets, int64_t delivered)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/relay", (long long)id);
    struct resp r;
    api_call(&S, "POST", path, tok, NULL, want, &r);
    if (want == 200) {
        assert_int_equal(jnum(r.json, "advisory_id"), id);
        if (targets >= 0) assert_int_equal(jnum(r.json, "targets"), targets);
        if (delivered >= 0) assert_int_equal(jnum(r.json, "delivered"), delivered);
    }
    resp_free(&r);
}

static void ack(const char *tok, int64_t id, const char *status, long want)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/ack", (long long)id);
    struct resp r;
    api_call(&S, "POST", path, tok, json_pack("{s:s}", "status", status), want, &r);
    if (want == 200) assert_string_equal(jstr(r.json, "acknowledgment"), status);
    resp_free(&r);
}

/* The org ids of /acks (pending only or all), as seen by tok, sorted ascending into out. */
static size_t ack_orgs(const char *tok, int64_t id, bool pending, int64_t *out, size_t cap)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/acks?limit=1000&pending=%s", (long long)id,
             pending ? "true" : "false");
    struct resp r;
    api_call(&S, "GET", path, tok, NULL, 200, &r);
    size_t n = 0, i;
    json_t *row;
    json_array_foreach(json_object_get(r.json, "items"), i, row)
    {
        if (n < cap) out[n++] = jnum(row, "org_id");
    }
    resp_free(&r);
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
            int64_t t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

static void assert_ids(const int64_t *got, size_t n, const int64_t *want, size_t nwant)
{
    char g[256] = "", w[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(g + strlen(g), sizeof g - strlen(g), "%lld ", (long long)got[i]);
    for (size_t i = 0; i < nwant; i++)
        snprintf(w + strlen(w), sizeof w - strlen(w), "%lld ", (long long)want[i]);
    if (strcmp(g, w) != 0) fail_msg("organisations [%s], want [%s]", g, w);
}

static char *fetch_text(const char *path, const char *auth, long want, char *ctype, size_t cap)
{
    struct resp r;
    http(&S, "GET", path, auth, NULL, NULL, NULL, NULL, &r);
    if (r.status != want) fail_msg("GET %s: %ld (want %ld): %s", path, r.status, want, r.body);
    if (ctype && !resp_header(&r, "Content-Type", ctype, cap)) ctype[0] = 0;
    char *body = strdup(r.body ? r.body : "");
    resp_free(&r);
    return body;
}

static int setup(void **state)
{
    (void)state;
    srv_start(&S, true, NULL);
    bearer(&S, "nc-analyst", NC, sizeof NC);
    bearer(&S, "meti-analyst", METI, sizeof METI);
    bearer(&S, "fsa-analyst", FSA, sizeof FSA);
    bearer(&S, "mhlw-analyst", MHLW, sizeof MHLW);
    bearer(&S, "toto-admin", TOTO, sizeof TOTO);
    bearer(&S, "toto-contractor", TOTOC, sizeof TOTOC);
    bearer(&S, "teisac-analyst", TEISAC, sizeof TEISAC);
    bearer(&S, "kaede-admin", KAEDE, sizeof KAEDE);
    bearer(&S, "kenseikai-admin", KENSEI, sizeof KENSEI);
    bearer(&S, "wangan-admin", WANGAN, sizeof WANGAN);
    bearer(&S, "tss-reporter", TSS, sizeof TSS);
    bearer(&S, "minato-admin", MINATO, sizeof MINATO);
    O_FSA = srv_org_of(&S, FSA);
    O_MHLW = srv_org_of(&S, MHLW);
    O_METI = srv_org_of(&S, METI);
    O_TOTO = srv_org_of(&S, TOTO);
    O_KAEDE = srv_org_of(&S, KAEDE);
    O_KENSEI = srv_org_of(&S, KENSEI);
    O_TEISAC = srv_org_of(&S, TEISAC);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srv_stop(&S);
    return 0;
}

/* ---- creating ------------------------------------------------------------------------------ */

static int jst_year(void)
{
    time_t t = time(NULL) + 9 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

static void create_draft(void **st)
{
    (void)st;
    int y0 = jst_year();
    struct resp r;
    api_call(&S, "POST", "/api/v1/advisories", NC,
             json_pack("{s:s, s:o}", "title", "新規の情報提供", "answers",
                       answers("TLP:GREEN", FINANCE, "\"overview\":{\"overview\":\"概要\"}")),
             201, &r);
    int y1 = jst_year();
    const char *ident = jstr(r.json, "identification_number");
    assert_non_null(ident);
    /* AD-YYYY-NNNNNN: the year of creation (JST), six digits. */
    assert_int_equal(strlen(ident), 14);
    char want0[16], want1[16];
    snprintf(want0, sizeof want0, "AD-%04d-", y0);
    snprintf(want1, sizeof want1, "AD-%04d-", y1);
    assert_true(strncmp(ident, want0, 8) == 0 || strncmp(ident, want1, 8) == 0);
    for (int i = 8; i < 14; i++)
        assert_true(ident[i] >= '0' && ident[i] <= '9');
    assert_int_equal(jnum(r.json, "number"), 1);
    assert_string_equal(jstr(r.json, "status"), "draft");
    assert_int_equal(jnum(r.json, "version"), 1);
    assert_string_equal(jstr(r.json, "tlp"), "TLP:GREEN");
    assert_string_equal(jstr(r.json, "severity"), "warning");
    assert_true(json_is_null(json_object_get(r.json, "sent_at")));
    /* The form's header carries what the platform assigned. */
    json_t *hdr = json_object_get(json_object_get(r.json, "answers"), "header");
    assert_string_equal(jstr(hdr, "identification_number"), ident);
    assert_int_equal(jnum(hdr, "report_number"), 1);
    assert_null(json_object_get(hdr, "advisory_datetime")); /* set when sent */
    char loc[128], want_loc[64];
    assert_non_null(resp_header(&r, "Location", loc, sizeof loc));
    snprintf(want_loc, sizeof want_loc, "/api/v1/advisories/%lld", (long long)jnum(r.json, "id"));
    assert_string_equal(loc, want_loc);
    long seq = strtol(ident + 8, NULL, 10);
    int64_t id = jnum(r.json, "id");
    resp_free(&r);
    /* The next series takes the next number of the sequence. */
    int64_t id2 = create("次の情報提供", answers("TLP:GREEN", FINANCE, ""), NULL);
    json_t *v = get_adv(NC, id2);
    assert_int_equal(strtol(jstr(v, "identification_number") + 8, NULL, 10), seq + 1);
    json_decref(v);
    /* A draft is the centre's alone. */
    assert_false(readable(FSA, id));
    assert_false(readable(KAEDE, id));
    assert_false(in_inbox(FSA, id));
    /* Only the national centre's own writers draft: a ministry, an operator are refused. */
    struct resp f;
    api_call(&S, "POST", "/api/v1/advisories", METI,
             json_pack("{s:s, s:o}", "title", "x", "answers", answers("TLP:GREEN", FINANCE, "")),
             403, &f);
    resp_free(&f);
    api_call(&S, "POST", "/api/v1/advisories", TOTO,
             json_pack("{s:s, s:o}", "title", "x", "answers", answers("TLP:GREEN", FINANCE, "")),
             403, &f);
    resp_free(&f);
}

/* Each rule refused through the API with its pointer and rule; nothing stored. */
struct bad {
    const char *name, *doc, *pointer, *rule;
    long status;
};

#define MIN_GREEN(sect, extra)                                                                     \
    "{\"header\":{\"severity\":\"warning\"},\"recipients\":{\"recipient_ministries\":[{"           \
    "\"ministry\":"                                                                                \
    "\"fsa\"}],\"recipient_sectors\":" sect "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"               \
    "\"content\":{\"has_attachments\":false}" extra "}"
#define FIN "[\"core.finance\",\"ci.finance\"]"

static void validation_rules(void **st)
{
    (void)st;
    /* A draft to follow: not sent. */
    int64_t draft = create("下書き", answers("TLP:GREEN", FINANCE, ""), NULL);
    char follows_draft[16384];
    snprintf(follows_draft, sizeof follows_draft,
             "{\"title\":\"t\",\"follows\":%lld,\"answers\":" MIN_GREEN(FIN, "") "}",
             (long long)draft);
    const struct bad cases[] = {
        {"ident assigned",
         "{\"title\":\"t\",\"answers\":{\"header\":{\"identification_number\":\"AD-2026-000001\"},"
         "\"recipients\":{\"recipient_ministries\":[{\"ministry\":\"fsa\"}],"
         "\"recipient_sectors\":" FIN "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"
         "\"content\":{\"has_attachments\":false}}}",
         "/answers/header/identification_number", "assigned_by_platform", 422},
        {"number assigned",
         "{\"title\":\"t\",\"answers\":{\"header\":{\"report_number\":1},"
         "\"recipients\":{\"recipient_ministries\":[{\"ministry\":\"fsa\"}],"
         "\"recipient_sectors\":" FIN "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"
         "\"content\":{\"has_attachments\":false}}}",
         "/answers/header/report_number", "assigned_by_platform", 422},
        {"datetime assigned",
         "{\"title\":\"t\",\"answers\":{\"header\":{\"advisory_datetime\":\"2026-01-01T00:00:00Z\"}"
         ","
         "\"recipients\":{\"recipient_ministries\":[{\"ministry\":\"fsa\"}],"
         "\"recipient_sectors\":" FIN "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"
         "\"content\":{\"has_attachments\":false}}}",
         "/answers/header/advisory_datetime", "assigned_by_platform", 422},
        {"no title", "{\"answers\":" MIN_GREEN(FIN, "") "}", "/title", "required", 422},
        {"no answers", "{\"title\":\"t\"}", "/answers", "required", 422},
        {"version on create", "{\"title\":\"t\",\"version\":1,\"answers\":" MIN_GREEN(FIN, "") "}",
         "/version", "unknown_field", 422},
        {"label on the whole advisory",
         "{\"title\":\"t\",\"labels\":{\"\":[\"secret\"]},\"answers\":" MIN_GREEN(FIN, "") "}",
         "/labels/", "whole_object", 422},
        {"unknown source",
         "{\"title\":\"t\",\"source\":{\"incident_id\":999999,\"report_number\":1}}", "/source",
         "not_found", 422},
        {"files without has_attachments",
         "{\"title\":\"t\",\"answers\":{\"recipients\":{\"recipient_ministries\":[{\"ministry\":"
         "\"fsa\"}],\"recipient_sectors\":" FIN "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"
         "\"content\":{\"has_attachments\":false,\"attachments\":[\"1\"]}}}",
         "/answers/content/attachments", "attachments_mismatch", 422},
        {"no ministries",
         "{\"title\":\"t\",\"answers\":{\"recipients\":{\"recipient_ministries\":[],"
         "\"recipient_sectors\":" FIN "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"
         "\"content\":{\"has_attachments\":false}}}",
         "/answers/recipients/recipient_ministries", "min_items", 422},
        {"no sectors", "{\"title\":\"t\",\"answers\":" MIN_GREEN("[]", "") "}",
         "/answers/recipients/recipient_sectors", "min_items", 422},
        {"unknown ministry",
         "{\"title\":\"t\",\"answers\":{\"recipients\":{\"recipient_ministries\":[{\"ministry\":"
         "\"mof\"}],\"recipient_sectors\":" FIN "},\"sharing\":{\"tlp\":\"TLP:GREEN\"},"
         "\"content\":{\"has_attachments\":false}}}",
         "/answers/recipients/recipient_ministries/0/ministry", "unknown_ministry", 422},
        {"sector not covered",
         "{\"title\":\"t\",\"answers\":" MIN_GREEN("[\"core.finance\",\"ci.medical\"]", "") "}",
         "/answers/recipients/recipient_sectors/1", "sector_not_covered", 422},
        {"ministry without sector",
         "{\"title\":\"t\",\"answers\":{\"recipients\":{\"recipient_ministries\":[{\"ministry\":"
         "\"fsa\"},{\"ministry\":\"mhlw\"}],\"recipient_sectors\":" FIN "},"
         "\"sharing\":{\"tlp\":\"TLP:GREEN\"},\"content\":{\"has_attachments\":false}}}",
         "/answers/recipients/recipient_ministries/1/ministry", "ministry_without_sector", 422},
        {"bad domain",
         "{\"title\":\"t\",\"answers\":" MIN_GREEN(
             FIN, ",\"guidance\":{\"domains\":[{\"domain\":\"ok.example.com\"},"
                  "{\"domain\":\"bad_domain\"}]}") "}",
         "/answers/guidance/domains/1/domain", "domain", 422},
        {"bad url",
         "{\"title\":\"t\",\"answers\":" MIN_GREEN(
             FIN, ",\"guidance\":{\"urls\":[{\"url\":\"ftp://files.example.com/x\"}]}") "}",
         "/answers/guidance/urls/0/url", "url", 422},
        {"bad hash",
         "{\"title\":\"t\",\"answers\":" MIN_GREEN(
             FIN, ",\"guidance\":{\"hashes\":[{\"algorithm\":\"sha256\",\"value\":\"abcd\"}]}") "}",
         "/answers/guidance/hashes/0/value", "hash", 422},
        {"bad cve",
         "{\"title\":\"t\",\"answers\":" MIN_GREEN(
             FIN, ",\"guidance\":{\"cve_ids\":[{\"cve_id\":\"CVE-24-1\"}]}") "}",
         "/answers/guidance/cve_ids/0/cve_id", "cve_id", 422},
        {"label unresolved",
         "{\"title\":\"t\",\"labels\":{\"/other/other\":[\"secret\"]},\"answers\":" MIN_GREEN(
             FIN, "") "}",
         "/labels/~1other~1other", "unresolved", 422},
        {"label unknown",
         "{\"title\":\"t\",\"labels\":{\"/sharing/tlp\":[\"top_secret\"]},\"answers\":" MIN_GREEN(
             FIN, "") "}",
         "/labels/~1sharing~1tlp/0", "enum", 422},
        {"follows a draft", follows_draft, "/follows", "not_followable", 409},
        {"follows nothing",
         "{\"title\":\"t\",\"follows\":999999,\"answers\":" MIN_GREEN(FIN, "") "}", "/follows",
         "not_followable", 409},
        {"unknown named", "{\"title\":\"t\",\"named\":[999999],\"answers\":" MIN_GREEN(FIN, "") "}",
         "/named/0", "unknown_organisation", 422},
    };
    size_t before = adv_count();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct resp r;
        http_json(&S, "POST", "/api/v1/advisories", NC, cases[i].doc, &r);
        if (r.status != cases[i].status)
            fail_msg("%s: %ld (want %ld): %s", cases[i].name, r.status, cases[i].status, r.body);
        if (!has_error(&r, cases[i].pointer, cases[i].rule))
            fail_msg("%s: want %s (%s): %s", cases[i].name, cases[i].pointer, cases[i].rule,
                     r.body);
        resp_free(&r);
        if (adv_count() != before) fail_msg("%s: something was stored", cases[i].name);
    }
}

/* Indicators are refanged and normalised as stored and shown. */
static void normalisation(void **st)
{
    (void)st;
    int64_t id = create("正規化",
                        answers("TLP:GREEN", FINANCE,
                                "\"guidance\":{\"domains\":[{\"domain\":\"EVIL[.]Example(.)COM\"}],"
                                "\"urls\":[{\"url\":\"hxxps://Phish[.]EXAMPLE.com/Login?Next=A\"}],"
                                "\"hashes\":[{\"algorithm\":\"md5\",\"value\":"
                                "\"D41D8CD98F00B204E9800998ECF8427E\"}],"
                                "\"cve_ids\":[{\"cve_id\":\"cve-2024-3400\"}]}"),
                        NULL);
    json_t *v = get_adv(NC, id);
    json_t *g = json_object_get(json_object_get(v, "answers"), "guidance");
    assert_string_equal(jstr(json_array_get(json_object_get(g, "domains"), 0), "domain"),
                        "evil.example.com");
    assert_string_equal(jstr(json_array_get(json_object_get(g, "urls"), 0), "url"),
                        "https://phish.example.com/Login?Next=A");
    assert_string_equal(jstr(json_array_get(json_object_get(g, "hashes"), 0), "value"),
                        "d41d8cd98f00b204e9800998ecf8427e");
    assert_string_equal(jstr(json_array_get(json_object_get(g, "cve_ids"), 0), "cve_id"),
                        "CVE-2024-3400");
    json_decref(v);
}

/* ---- editing ------------------------------------------------------------------------------- */

static void edit_draft(void **st)
{
    (void)st;
    int64_t id = create("編集前", answers("TLP:GREEN", FINANCE, ""), NULL);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)id);
    struct resp r;
    api_call(
        &S, "PATCH", path, NC,
        json_pack("{s:I, s:s, s:o, s:o}", "version", (json_int_t)1, "title", "編集後", "answers",
                  answers("TLP:AMBER", ELEC, "\"overview\":{\"overview\":\"EDITED-OVERVIEW\"}"),
                  "labels", json_object()),
        200, &r);
    assert_int_equal(jnum(r.json, "version"), 2);
    assert_string_equal(jstr(r.json, "title"), "編集後");
    assert_string_equal(jstr(r.json, "tlp"), "TLP:AMBER");
    assert_non_null(strstr(r.body, "EDITED-OVERVIEW"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "sectors"), 0)),
                        "core.electricity");
    resp_free(&r);
    /* A title-only edit keeps the answers. */
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:s}", "version", (json_int_t)2, "title", "再編集"), 200, &r);
    assert_int_equal(jnum(r.json, "version"), 3);
    assert_non_null(strstr(r.body, "EDITED-OVERVIEW"));
    resp_free(&r);
    /* Stale version. */
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:s}", "version", (json_int_t)2, "title", "古い"), 409, &r);
    assert_only_error(&r, "/version", "version");
    resp_free(&r);
    /* No version at all. */
    api_call(&S, "PATCH", path, NC, json_pack("{s:s}", "title", "x"), 422, &r);
    assert_true(has_error(&r, "/version", "required"));
    resp_free(&r);
    /* New answers without their label map. */
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:o}", "version", (json_int_t)3, "answers",
                       answers("TLP:AMBER", ELEC, "")),
             422, &r);
    assert_only_error(&r, "/labels", "required");
    resp_free(&r);
    /* An edit that breaks a rule is refused and changes nothing. */
    api_call(
        &S, "PATCH", path, NC,
        json_pack("{s:I, s:o, s:o}", "version", (json_int_t)3, "answers",
                  answers("TLP:AMBER", ELEC, "\"guidance\":{\"cve_ids\":[{\"cve_id\":\"x\"}]}"),
                  "labels", json_object()),
        422, &r);
    assert_true(has_error(&r, "/answers/guidance/cve_ids/0/cve_id", "cve_id"));
    resp_free(&r);
    json_t *v = get_adv(NC, id);
    assert_int_equal(jnum(v, "version"), 3);
    assert_string_equal(jstr(v, "title"), "再編集");
    json_decref(v);
    /* Others cannot even see the draft. */
    api_call(&S, "PATCH", path, METI,
             json_pack("{s:I, s:s}", "version", (json_int_t)3, "title", "x"), 404, &r);
    resp_free(&r);
    /* Sent: immutable. */
    send_ok(id, false, 1);
    api_call(&S, "PATCH", path, NC, json_pack("{s:I, s:s}", "version", (json_int_t)4, "title", "x"),
             409, &r);
    assert_only_error(&r, "/status", "sent");
    resp_free(&r);
    send_adv(id, false, 409, &r);
    resp_free(&r);
}

/* ---- the gate ------------------------------------------------------------------------------ */

static void send_gate(void **st)
{
    (void)st;
    static const char *const tlps[] = {"TLP:GREEN", "TLP:AMBER"};
    for (size_t i = 0; i < 2; i++) {
        int64_t id =
            create("ゲート",
                   answers(tlps[i], FINANCE,
                           "\"overview\":{\"overview\":\"o\"},\"targets\":{\"targets\":"
                           "\"t\"},\"other\":{\"other\":\"x\"}"),
                   test_json("{\"/overview/overview\":[\"comms_info\"],\"/other/other\":"
                             "[\"source_identifying\"],\"/targets/targets\":[\"secret\"]}"));
        struct resp r;
        send_adv(id, true, 422, &r);
        /* Both refused labels named; secret is fine below CLEAR. */
        assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 2);
        assert_true(has_error(&r, "/answers/overview/overview", "label_comms_info"));
        assert_true(has_error(&r, "/answers/other/other", "label_source_identifying"));
        resp_free(&r);
        /* No override. */
        char path[64];
        snprintf(path, sizeof path, "/api/v1/advisories/%lld/send", (long long)id);
        api_call(&S, "POST", path, NC,
                 json_pack("{s:I, s:b, s:b}", "version", (json_int_t)1, "direct", 1, "force", 1),
                 422, &r);
        resp_free(&r);
        json_t *v = get_adv(NC, id);
        assert_string_equal(jstr(v, "status"), "draft");
        json_decref(v);
        assert_false(readable(FSA, id));
        assert_false(readable(KAEDE, id));
        assert_false(in_inbox(KAEDE, id));
        /* Without the refused labels it goes. */
        snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)id);
        api_call(&S, "PATCH", path, NC,
                 json_pack("{s:I, s:o}", "version", (json_int_t)1, "labels",
                           test_json("{\"/targets/targets\":[\"secret\"]}")),
                 200, &r);
        resp_free(&r);
        send_ok(id, true, 2);
    }
    /* At CLEAR even secret is refused. */
    int64_t id = create("公開ゲート",
                        answers("TLP:CLEAR", FINANCE, "\"targets\":{\"targets\":\"CLEAR-SECRET\"}"),
                        test_json("{\"/targets/targets\":[\"secret\"]}"));
    struct resp r;
    send_adv(id, true, 422, &r);
    assert_only_error(&r, "/answers/targets/targets", "label_secret");
    resp_free(&r);
    /* Not sent, so not public either. */
    char path[64];
    snprintf(path, sizeof path, "/feeds/advisories/%lld", (long long)id);
    free(fetch_text(path, NULL, 404, NULL, 0));
    char *feed = fetch_text("/feeds/public.json", NULL, 200, NULL, 0);
    assert_null(strstr(feed, "CLEAR-SECRET"));
    free(feed);
}

/* ---- the reporter's names ------------------------------------------------------------------ */

/* Everything of the reporter of demo incident 1 (data/demo.json org toto, data/demo_incidents.json
 * report 1) that no advisory built from it may carry. */
static const char *const reporter_bytes[] = {
    "東都電力株式会社",
    "Toto Electric Power",
    "7990001000001",
    "トウトデンリョク",
    "小林 由美",
    "小林",
    "csirt@toto-electric.example.jp",
    "toto-electric",
    "03-5555-0101",
    "情報システム部 CSIRT",
};

static void assert_no_reporter(const char *who, const char *where, const char *text)
{
    for (size_t i = 0; i < sizeof reporter_bytes / sizeof reporter_bytes[0]; i++)
        if (strstr(text, reporter_bytes[i]))
            fail_msg("%s's %s shows \"%s\" of the reporter", who, where, reporter_bytes[i]);
}

static void names_check(void **st)
{
    (void)st;
    /* A draft derived from incident 1's first report: only a title and the source. */
    struct resp r;
    api_call(
        &S, "POST", "/api/v1/advisories", NC,
        test_json("{\"title\":\"電力分野のDDoS（報告から作成）\",\"source\":{\"incident_id\":1,"
                  "\"report_number\":1}}"),
        201, &r);
    int64_t id = jnum(r.json, "id");
    json_t *src = json_object_get(r.json, "source");
    assert_int_equal(jnum(src, "incident_id"), 1);
    assert_int_equal(jnum(src, "report_number"), 1);
    /* Derived: the report's TLP and sectors, the ministry of the sectors, the attack sources. */
    assert_string_equal(jstr(r.json, "tlp"), "TLP:AMBER");
    json_t *ans = json_deep_copy(json_object_get(r.json, "answers"));
    assert_string_equal(
        jstr(json_array_get(
                 json_object_get(json_object_get(ans, "recipients"), "recipient_ministries"), 0),
             "ministry"),
        "meti");
    assert_non_null(strstr(r.body, "192.0.2.10"));
    assert_null(strstr(r.body, "203.0.113.80")); /* the victim's own address is not copied */
    assert_no_reporter("the centre", "derived draft", r.body);
    resp_free(&r);

    /* The overview now names the reporter. */
    json_t *hdr = json_object_get(ans, "header");
    json_object_del(hdr, "identification_number");
    json_object_del(hdr, "report_number");
    json_object_del(hdr, "advisory_datetime");
    json_object_set_new(json_object_get(ans, "overview"), "overview",
                        json_string("東都電力株式会社の需要家向けWebサイトへのDDoS攻撃"));
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)id);
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:O, s:o}", "version", (json_int_t)1, "answers", ans, "labels",
                       json_object()),
             200, &r);
    resp_free(&r);
    send_adv(id, false, 422, &r);
    assert_only_error(&r, "/answers/overview/overview", "names_source");
    /* The refusal does not repeat the name. */
    assert_null(strstr(r.body, "東都電力株式会社"));
    resp_free(&r);
    /* Also the English name (any case), the corporate number, and the title. */
    json_object_set_new(json_object_get(ans, "overview"), "overview",
                        json_string("Attack on TOTO ELECTRIC POWER co., inc. web portals"));
    json_object_set_new(ans, "other", json_pack("{s:s}", "other", "法人番号 7990001000001"));
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:O, s:o, s:s}", "version", (json_int_t)2, "answers", ans, "labels",
                       json_object(), "title", "東都電力株式会社へのDDoS"),
             200, &r);
    resp_free(&r);
    send_adv(id, false, 422, &r);
    assert_true(has_error(&r, "/answers/overview/overview", "names_source"));
    assert_true(has_error(&r, "/answers/other/other", "names_source"));
    assert_true(has_error(&r, "/title", "names_source"));
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 3);
    resp_free(&r);
    /* Fixed: sent to the addressed ministry. */
    json_object_set_new(json_object_get(ans, "overview"), "overview",
                        json_string("電力事業者の需要家向けWebサイトへのDDoS攻撃 NAMES-FIXED"));
    json_object_del(ans, "other");
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:O, s:o, s:s}", "version", (json_int_t)3, "answers", ans, "labels",
                       json_object(), "title", "電力分野のDDoS攻撃について"),
             200, &r);
    resp_free(&r);
    json_decref(ans);
    send_ok(id, false, 1);
    relay(METI, id, 200, 2, 2); /* toto and teisac */

    /* Nobody it reached learns who reported, in any view. */
    const struct {
        const char *who, *tok;
    } readers[] = {{"meti-analyst", METI}, {"teisac-analyst", TEISAC}, {"toto-admin", TOTO}};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = get_adv(readers[i].tok, id);
        assert_non_null(strstr(jstr(v, "raw_"), "NAMES-FIXED"));
        assert_no_reporter(readers[i].who, "GET", jstr(v, "raw_"));
        /* The centre's working state is not shown to recipients. */
        assert_null(json_object_get(v, "source"));
        assert_null(json_object_get(v, "labels"));
        assert_null(json_object_get(v, "named"));
        assert_null(json_object_get(v, "agreement"));
        json_decref(v);
        char fpath[80];
        snprintf(fpath, sizeof fpath, "/api/v1/advisories/%lld/form", (long long)id);
        char *html = fetch_text(fpath, readers[i].tok, 200, NULL, 0);
        assert_non_null(strstr(html, "NAMES-FIXED"));
        assert_no_reporter(readers[i].who, "printed form", html);
        free(html);
        char *inbox = NULL;
        json_t *row = inbox_row(readers[i].tok, "advisory", id, &inbox);
        assert_non_null(row);
        json_decref(row);
        assert_no_reporter(readers[i].who, "inbox", inbox);
        free(inbox);
    }
}

static void widening(void **st)
{
    (void)st;
    /* The source report is TLP:AMBER; a GREEN advisory reaches further. */
    json_t *doc =
        json_pack("{s:s, s:{s:i, s:i}, s:o}", "title", "広めの注意喚起", "source", "incident_id", 1,
                  "report_number", 1, "answers",
                  answers("TLP:GREEN", ELEC, "\"overview\":{\"overview\":\"WIDENED-MARK\"}"));
    struct resp r;
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    int64_t id = jnum(r.json, "id");
    resp_free(&r);
    send_adv(id, false, 422, &r);
    assert_only_error(&r, "/agreement", "widening_needs_agreement");
    resp_free(&r);
    assert_false(readable(METI, id));
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)id);
    api_call(&S, "PATCH", path, NC,
             test_json("{\"version\":1,\"agreement\":{\"by\":\"報告者CSIRT責任者\",\"at\":"
                       "\"2026-11-21T10:00:00+09:00\",\"note\":\"GREENでの提供に同意\"}}"),
             200, &r);
    assert_string_equal(jstr(json_object_get(r.json, "agreement"), "by"), "報告者CSIRT責任者");
    resp_free(&r);
    send_ok(id, false, 1);
    /* The agreement is the centre's record, not shown to the recipient. */
    json_t *v = get_adv(METI, id);
    assert_null(json_object_get(v, "agreement"));
    assert_null(strstr(jstr(v, "raw_"), "報告者CSIRT責任者"));
    json_decref(v);

    /* At AMBER, another sector than the report's is a widening too. */
    doc = json_pack("{s:s, s:{s:i, s:i}, s:o}", "title", "ガス分野にも", "source", "incident_id", 1,
                    "report_number", 1, "answers",
                    answers("TLP:AMBER", "[\"meti\"]", "[\"core.electricity\",\"core.gas\"]", ""));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    id = jnum(r.json, "id");
    resp_free(&r);
    send_adv(id, false, 422, &r);
    assert_only_error(&r, "/agreement", "widening_needs_agreement");
    resp_free(&r);
    /* And so is naming an organisation. */
    doc = json_pack("{s:s, s:{s:i, s:i}, s:[I], s:o}", "title", "名指し", "source", "incident_id",
                    1, "report_number", 1, "named", (json_int_t)O_KAEDE, "answers",
                    answers("TLP:AMBER", ELEC, ""));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    id = jnum(r.json, "id");
    resp_free(&r);
    send_adv(id, false, 422, &r);
    assert_only_error(&r, "/agreement", "widening_needs_agreement");
    resp_free(&r);
}

/* A series stays bound to its report's incident: the send gate checks that reporter's names,
 * and a 第N報 does not borrow the agreement given for an earlier audience. */
static void series_source(void **st)
{
    (void)st;
    json_t *doc =
        json_pack("{s:s, s:{s:i, s:i}, s:o}", "title", "系列の第1報", "source", "incident_id", 1,
                  "report_number", 1, "answers", answers("TLP:GREEN", ELEC, ""));
    json_object_set_new(doc, "agreement",
                        test_json("{\"by\":\"報告者\",\"at\":\"2026-11-21T10:00:00+09:00\"}"));
    struct resp r;
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    int64_t first = jnum(r.json, "id");
    resp_free(&r);
    send_ok(first, false, 1);
    /* Another incident's report as the follow-up's source: refused, nothing stored. */
    doc = json_pack("{s:s, s:I, s:{s:i, s:i}, s:o}", "title", "第2報", "follows", (json_int_t)first,
                    "source", "incident_id", 2, "report_number", 1, "answers",
                    answers("TLP:GREEN", ELEC, ""));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 422, &r);
    assert_only_error(&r, "/source/incident_id", "series_source");
    resp_free(&r);
    /* Inherited: the reporter of incident 1 may not be named in the 第2報 either. */
    doc = json_pack(
        "{s:s, s:I, s:o}", "title", "第2報", "follows", (json_int_t)first, "answers",
        answers("TLP:GREEN", ELEC, "\"overview\":{\"overview\":\"東都電力の配信APIへの攻撃\"}"));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    int64_t second = jnum(r.json, "id");
    assert_null(json_object_get(r.json, "agreement")); /* not inherited */
    resp_free(&r);
    send_adv(second, false, 422, &r);
    assert_true(has_error(&r, "/answers/overview/overview", "names_source"));
    assert_true(has_error(&r, "/agreement", "widening_needs_agreement"));
    resp_free(&r);
    /* Nor moved to another incident by an edit. */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)second);
    api_call(&S, "PATCH", path, NC,
             test_json("{\"version\":1,\"source\":{\"incident_id\":2,\"report_number\":1}}"), 422,
             &r);
    assert_only_error(&r, "/source/incident_id", "immutable");
    resp_free(&r);
}

/* ---- annex files (別紙) ----------------------------------------------------------------- */

/* POST /api/v1/attachments as tok: the new file's id (want 201), or 0 after checking want. */
static int64_t upload_file(const char *tok, const char *name, const char *content)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/attachments?name=%s&role=other", name);
    struct resp r;
    http(&S, "POST", path, tok, NULL, NULL, "text/plain", content, &r);
    if (r.status != 201) fail_msg("upload %s: %ld %s", name, r.status, r.body);
    int64_t id = strtoll(jstr(r.json, "id"), NULL, 10);
    resp_free(&r);
    return id;
}

/* answers with has_attachments true and the files listed (ids as strings). */
static json_t *with_files(json_t *ans, const int64_t *ids, size_t n)
{
    json_t *content = json_object_get(ans, "content"), *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)ids[i]);
        json_array_append_new(list, json_string(id));
    }
    json_object_set_new(content, "has_attachments", json_true());
    json_object_set_new(content, "attachments", list);
    return ans;
}

static long download(const char *prefix, int64_t adv, int64_t file, const char *tok, char *body,
                     size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%lld/attachments/%lld", prefix, (long long)adv,
             (long long)file);
    struct resp r;
    http(&S, "GET", path, tok, NULL, NULL, NULL, NULL, &r);
    long st = r.status;
    if (body) snprintf(body, cap, "%s", r.body ? r.body : "");
    resp_free(&r);
    return st;
}

static void annex_files(void **st)
{
    (void)st;
    char body[256];
    struct resp r;
    int64_t fa = upload_file(NC, "annex-a.txt", "ANNEX-MARK-A");
    int64_t fs = upload_file(NC, "annex-secret.txt", "ANNEX-MARK-S");
    /* Only the centre's own uploads, and only unused ones, can be listed. */
    int64_t fm = upload_file(METI, "meti.txt", "x");
    size_t before = adv_count();
    json_t *doc = json_pack("{s:s, s:o}", "title", "他組織のファイル", "answers",
                            with_files(answers("TLP:GREEN", ELEC, ""), &fm, 1));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 422, &r);
    assert_only_error(&r, "/answers/content/attachments/0", "unknown_attachment");
    resp_free(&r);
    assert_int_equal(adv_count(), before);
    /* GREEN to electricity and medical, sent direct; the second file's id is labelled secret. */
    const int64_t both[] = {fa, fs};
    int64_t id =
        create("別紙付きの注意喚起",
               with_files(answers("TLP:GREEN", "[\"meti\",\"mhlw\"]",
                                  "[\"core.electricity\",\"ci.electricity\",\"ci.medical\"]", ""),
                          both, 2),
               test_json("{\"/content/attachments/1\":[\"secret\"]}"));
    doc = json_pack("{s:s, s:o}", "title", "同じファイル", "answers",
                    with_files(answers("TLP:GREEN", ELEC, ""), &fa, 1));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 422, &r); /* bound to the first */
    assert_only_error(&r, "/answers/content/attachments/0", "unknown_attachment");
    resp_free(&r);
    send_ok(id, true, -1);
    /* A council member reads both; the friend the unlabelled one only. */
    json_t *v = get_adv(TOTO, id);
    assert_int_equal(json_array_size(json_object_get(v, "attachments")), 2);
    json_decref(v);
    assert_int_equal(download("/api/v1/advisories", id, fa, TOTO, body, sizeof body), 200);
    assert_string_equal(body, "ANNEX-MARK-A");
    assert_int_equal(download("/api/v1/advisories", id, fs, TOTO, body, sizeof body), 200);
    assert_string_equal(body, "ANNEX-MARK-S");
    v = get_adv(KENSEI, id);
    assert_int_equal(json_array_size(json_object_get(v, "attachments")), 1);
    json_decref(v);
    assert_int_equal(download("/api/v1/advisories", id, fa, KENSEI, NULL, 0), 200);
    assert_int_equal(download("/api/v1/advisories", id, fs, KENSEI, body, sizeof body), 404);
    assert_null(strstr(body, "ANNEX-MARK-S"));
    /* Outside the audience, another advisory's path, or without login: nothing. */
    assert_int_equal(download("/api/v1/advisories", id, fa, WANGAN, NULL, 0), 404);
    assert_int_equal(download("/api/v1/advisories", id, fm, TOTO, NULL, 0), 404);
    assert_int_equal(download("/feeds/advisories", id, fa, NULL, NULL, 0), 404);
    /* The printed form names the files the reader may see. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/form", (long long)id);
    char *html = fetch_text(path, KENSEI, 200, NULL, 0);
    assert_non_null(strstr(html, "annex-a.txt"));
    assert_null(strstr(html, "annex-secret.txt"));
    free(html);

    /* An edit that drops a file releases it for another advisory. */
    int64_t fr = upload_file(NC, "annex-r.txt", "R");
    int64_t d1 = create("解放前", with_files(answers("TLP:GREEN", ELEC, ""), &fr, 1), NULL);
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)d1);
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:o, s:{}}", "version", (json_int_t)1, "answers",
                       answers("TLP:GREEN", ELEC, ""), "labels"),
             200, &r);
    resp_free(&r);
    create("解放後", with_files(answers("TLP:GREEN", ELEC, ""), &fr, 1), NULL);

    /* The files' names pass the reporter-name check of an advisory built from a report. */
    int64_t fn = upload_file(NC, "Toto-Electric-Power-log.txt", "log");
    doc = json_pack("{s:s, s:{s:i, s:i}, s:o}", "title", "報告に基づく別紙", "source",
                    "incident_id", 1, "report_number", 1, "answers",
                    with_files(answers("TLP:AMBER", ELEC, ""), &fn, 1));
    api_call(&S, "POST", "/api/v1/advisories", NC, doc, 201, &r);
    int64_t from_report = jnum(r.json, "id");
    resp_free(&r);
    send_adv(from_report, false, 422, &r);
    assert_only_error(&r, "/answers/content/attachments/0", "names_source");
    resp_free(&r);

    /* A public advisory's files are public. */
    int64_t fp = upload_file(NC, "public.txt", "PUBLIC-ANNEX");
    int64_t pub = create("公開の別紙", with_files(answers("TLP:CLEAR", ELEC, ""), &fp, 1), NULL);
    send_ok(pub, true, -1);
    assert_int_equal(download("/feeds/advisories", pub, fp, NULL, body, sizeof body), 200);
    assert_string_equal(body, "PUBLIC-ANNEX");
}

/* ---- delivery ------------------------------------------------------------------------------ */

static void delivery_and_relay(void **st)
{
    (void)st;
    int64_t id =
        create("電力分野 AMBER",
               answers("TLP:AMBER", ELEC, "\"overview\":{\"overview\":\"RELAY-MARK\"}"), NULL);
    send_ok(id, false, 1);
    /* Only the addressed ministry holds it. */
    json_t *v = get_adv(METI, id);
    assert_true(json_is_null(json_object_get(v, "relayed_from")));
    assert_non_null(json_object_get(v, "delivered_at"));
    assert_true(json_is_null(json_object_get(v, "acknowledgment")));
    assert_non_null(json_string_value(json_object_get(
        json_object_get(json_object_get(v, "answers"), "header"), "advisory_datetime")));
    json_decref(v);
    assert_true(in_inbox(METI, id));
    const char *others[] = {TOTO, TEISAC, WANGAN, FSA, KAEDE, KENSEI, TSS};
    for (size_t i = 0; i < 7; i++) {
        assert_false(readable(others[i], id));
        assert_false(in_inbox(others[i], id));
    }
    /* A ministry that does not hold it cannot relay it (it does not exist for it). */
    relay(FSA, id, 404, -1, -1);
    /* Nor an operator that does not hold it. */
    relay(TOTO, id, 404, -1, -1);
    /* The ministry relays: operators and CEPTOARs of the chosen sectors. */
    relay(METI, id, 200, 2, 2);
    const struct {
        const char *tok;
    } got[] = {{TOTO}, {TEISAC}};
    for (size_t i = 0; i < 2; i++) {
        v = get_adv(got[i].tok, id);
        assert_int_equal(jnum(v, "relayed_from"), O_METI);
        assert_non_null(strstr(jstr(v, "raw_"), "RELAY-MARK"));
        json_decref(v);
        json_t *row = inbox_row(got[i].tok, "advisory", id, NULL);
        assert_non_null(row);
        assert_int_equal(jnum(row, "relayed_from"), O_METI);
        assert_int_equal(jnum(json_object_get(row, "object"), "id"), id);
        json_decref(row);
    }
    /* The contractor of a holder reads AMBER too. */
    assert_true(readable(TOTOC, id));
    /* Other sectors are never reached. */
    for (size_t i = 2; i < 7; i++) {
        assert_false(readable(others[i], id));
        assert_false(in_inbox(others[i], id));
    }
    /* Relaying again delivers nothing new; the CEPTOAR relays to its operators (toto has it). */
    relay(METI, id, 200, 2, 0);
    relay(TEISAC, id, 200, 1, 0);
    /* An operator does not relay. */
    relay(TOTO, id, 403, -1, -1);
    /* The relayed rows keep the ministry as relayer. */
    json_t *row = inbox_row(TOTO, "advisory", id, NULL);
    assert_int_equal(jnum(row, "relayed_from"), O_METI);
    json_decref(row);

    /* RED goes to its addressees only. */
    int64_t red = create("宛先限り", answers("TLP:RED", ELEC, ""), NULL);
    send_ok(red, false, 1);
    assert_true(readable(METI, red));
    relay(METI, red, 403, -1, -1);
    assert_false(readable(TOTO, red));
    assert_false(in_inbox(TOTO, red));
}

static void direct_audience(void **st)
{
    (void)st;
    /* GREEN finance, direct: the finance ministry and the finance operator only. */
    int64_t id = create("金融 GREEN 直接", answers("TLP:GREEN", FINANCE, ""), NULL);
    struct resp r;
    send_adv(id, true, 200, &r);
    assert_int_equal(jnum(r.json, "delivered_to"), 2);
    assert_true(json_is_true(json_object_get(r.json, "delivered_direct")));
    resp_free(&r);
    int64_t got[16];
    size_t n = ack_orgs(NC, id, false, got, 16);
    int64_t want[] = {O_FSA, O_KAEDE};
    assert_ids(got, n, want, 2);
    assert_true(readable(FSA, id) && in_inbox(FSA, id));
    assert_true(readable(KAEDE, id) && in_inbox(KAEDE, id));
    /* A vendor, operators of other sectors, another ministry: not even its existence. */
    const char *others[] = {TSS, WANGAN, TOTO, MINATO, METI, KENSEI, TEISAC};
    for (size_t i = 0; i < 7; i++) {
        assert_false(readable(others[i], id));
        assert_false(in_inbox(others[i], id));
    }
    /* Listing by the recipient shows it; by others it is not there. */
    api_call(&S, "GET", "/api/v1/advisories?limit=1000", WANGAN, NULL, 200, &r);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        assert_int_not_equal(jnum(it, "id"), id);
    }
    resp_free(&r);
}

/* A GREEN direct advisory to electricity and medical with a secret-labelled field: members
 * read the field, the council friend gets the advisory without it; acknowledgments. */
#define SECRET_MARK "ADV-SECRET-MARK-51f0"

static void secret_and_acks(void **st)
{
    (void)st;
    int64_t id = create("電力・医療分野への情報提供",
                        answers("TLP:GREEN", "[\"meti\",\"mhlw\"]",
                                "[\"core.electricity\",\"ci.electricity\",\"ci.medical\"]",
                                "\"overview\":{\"overview\":\"GREEN-OPEN-MARK\"},\"other\":{"
                                "\"other\":\"【秘】" SECRET_MARK "\"}"),
                        test_json("{\"/other/other\":[\"secret\"]}"));
    send_ok(id, true, 5);
    int64_t all[] = {O_MHLW, O_METI, O_TOTO, O_KENSEI, O_TEISAC}, got[16];
    size_t n = ack_orgs(NC, id, false, got, 16);
    assert_ids(got, n, all, 5);
    n = ack_orgs(NC, id, true, got, 16);
    assert_ids(got, n, all, 5);

    /* Members see the secret field; the friend does not, anywhere. */
    json_t *v = get_adv(TOTO, id);
    assert_non_null(strstr(jstr(v, "raw_"), SECRET_MARK));
    json_decref(v);
    v = get_adv(KENSEI, id);
    assert_non_null(strstr(jstr(v, "raw_"), "GREEN-OPEN-MARK"));
    assert_null(strstr(jstr(v, "raw_"), SECRET_MARK));
    assert_null(json_object_get(json_object_get(json_object_get(v, "answers"), "other"), "other"));
    json_decref(v);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/form", (long long)id);
    char *html = fetch_text(path, KENSEI, 200, NULL, 0);
    assert_non_null(strstr(html, "GREEN-OPEN-MARK"));
    assert_null(strstr(html, SECRET_MARK));
    free(html);
    html = fetch_text(path, TOTO, 200, NULL, 0);
    assert_non_null(strstr(html, SECRET_MARK));
    free(html);
    char *inbox = NULL;
    json_t *row = inbox_row(KENSEI, "advisory", id, &inbox);
    assert_non_null(row);
    json_decref(row);
    assert_null(strstr(inbox, SECRET_MARK));
    free(inbox);
    /* Not public. */
    char *feed = fetch_text("/feeds/public.json", NULL, 200, NULL, 0);
    assert_null(strstr(feed, SECRET_MARK));
    assert_null(strstr(feed, "GREEN-OPEN-MARK"));
    free(feed);

    /* Acknowledgments: not by a contractor, not by the sender, not by an outsider. */
    assert_true(readable(TOTOC, id));
    ack(TOTOC, id, "read", 403);
    ack(NC, id, "read", 403);
    ack(WANGAN, id, "read", 404);
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/ack", (long long)id);
    api_call(&S, "POST", path, TOTO, test_json("{\"status\":\"done\"}"), 422, &r);
    resp_free(&r);
    n = ack_orgs(NC, id, true, got, 16);
    assert_ids(got, n, all, 5);

    ack(TOTO, id, "read", 200);
    int64_t after1[] = {O_MHLW, O_METI, O_KENSEI, O_TEISAC};
    n = ack_orgs(NC, id, true, got, 16);
    assert_ids(got, n, after1, 4);
    ack(TOTO, id, "actioned", 200);
    v = get_adv(TOTO, id);
    assert_string_equal(jstr(v, "acknowledgment"), "actioned");
    json_decref(v);
    row = inbox_row(TOTO, "advisory", id, NULL);
    assert_string_equal(jstr(row, "acknowledgment"), "actioned");
    assert_non_null(jstr(row, "acknowledged_at"));
    json_decref(row);
    /* The unacknowledged filter of the inbox. */
    api_call(&S, "GET", "/api/v1/inbox?unacknowledged=true&limit=1000", TOTO, NULL, 200, &r);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        assert_false(strcmp(jstr(it, "kind"), "advisory") == 0 && jnum(it, "object_id") == id);
    }
    resp_free(&r);
    ack(KENSEI, id, "not_applicable", 200);
    int64_t after2[] = {O_MHLW, O_METI, O_TEISAC};
    n = ack_orgs(NC, id, true, got, 16);
    assert_ids(got, n, after2, 3);
    /* All rows still listed without the filter, with their states. */
    n = ack_orgs(NC, id, false, got, 16);
    assert_ids(got, n, all, 5);
    /* An organisation sees its own row only. */
    n = ack_orgs(TOTO, id, false, got, 16);
    int64_t own[] = {O_TOTO};
    assert_ids(got, n, own, 1);
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/acks?pending=maybe", (long long)id);
    api_call(&S, "GET", path, NC, NULL, 400, &r);
    resp_free(&r);
}

/* ---- follow-ups ---------------------------------------------------------------------------- */

static void follow_ups(void **st)
{
    (void)st;
    int64_t first = create("第1報", answers("TLP:GREEN", FINANCE, ""), NULL);
    json_t *v = get_adv(NC, first);
    char ident[32];
    snprintf(ident, sizeof ident, "%s", jstr(v, "identification_number"));
    json_decref(v);
    send_ok(first, false, 1);
    struct resp r;
    api_call(&S, "POST", "/api/v1/advisories", NC,
             json_pack("{s:s, s:I, s:o}", "title", "第2報", "follows", (json_int_t)first, "answers",
                       answers("TLP:GREEN", FINANCE, "\"overview\":{\"overview\":\"SECOND\"}")),
             201, &r);
    int64_t second = jnum(r.json, "id");
    assert_string_equal(jstr(r.json, "identification_number"), ident);
    assert_int_equal(jnum(r.json, "number"), 2);
    assert_int_equal(jnum(r.json, "follows"), first);
    assert_int_equal(
        jnum(json_object_get(json_object_get(r.json, "answers"), "header"), "report_number"), 2);
    resp_free(&r);
    /* A follow-up may not be re-pointed. */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld", (long long)second);
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:I}", "version", (json_int_t)1, "follows", (json_int_t)first), 422,
             &r);
    assert_true(has_error(&r, "/follows", "immutable"));
    resp_free(&r);
    send_ok(second, false, 1);
    /* Which advisory it follows is the centre's: a recipient's view does not say. */
    json_t *seen = get_adv(FSA, second);
    assert_null(json_object_get(seen, "follows"));
    assert_int_equal(jnum(seen, "number"), 2);
    json_decref(seen);
    /* A sent advisory is 409 /status even with a stale version. */
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:s}", "version", (json_int_t)1, "title", "送付後"), 409, &r);
    assert_only_error(&r, "/status", "sent");
    resp_free(&r);
    /* The printed form of the second says 第2報. */
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/form", (long long)second);
    char *html = fetch_text(path, FSA, 200, NULL, 0);
    assert_non_null(strstr(html, "第2報"));
    assert_non_null(strstr(html, ident));
    free(html);
    /* The series by identification number. */
    char q[96];
    snprintf(q, sizeof q, "/api/v1/advisories?identification_number=%s", ident);
    api_call(&S, "GET", q, FSA, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    resp_free(&r);
    /* Following the second gives 第3報. */
    api_call(&S, "POST", "/api/v1/advisories", NC,
             json_pack("{s:s, s:I, s:o}", "title", "第3報", "follows", (json_int_t)second,
                       "answers", answers("TLP:GREEN", FINANCE, "")),
             201, &r);
    assert_string_equal(jstr(r.json, "identification_number"), ident);
    assert_int_equal(jnum(r.json, "number"), 3);
    resp_free(&r);
}

/* A series takes one unsent 第N報 at a time: a second follow-up of the same advisory while the
 * first follow-up is still a draft is refused (409 /follows), and nothing is stored. */
static void follow_up_twice(void **st)
{
    (void)st;
    int64_t first = create("二重続報の第1報", answers("TLP:GREEN", FINANCE, ""), NULL);
    send_ok(first, false, 1);
    struct resp r;
    api_call(&S, "POST", "/api/v1/advisories", NC,
             json_pack("{s:s, s:I, s:o}", "title", "続報A", "follows", (json_int_t)first, "answers",
                       answers("TLP:GREEN", FINANCE, "")),
             201, &r);
    assert_int_equal(jnum(r.json, "number"), 2);
    resp_free(&r);
    size_t before = adv_count();
    json_t *doc = json_pack("{s:s, s:I, s:o}", "title", "続報B", "follows", (json_int_t)first,
                            "answers", answers("TLP:GREEN", FINANCE, ""));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    http_json(&S, "POST", "/api/v1/advisories", NC, text, &r);
    free(text);
    if (r.status != 409)
        fail_msg("a second follow-up of the same advisory was accepted: %ld %s", r.status, r.body);
    assert_only_error(&r, "/follows", "not_followable");
    resp_free(&r);
    assert_int_equal(adv_count(), before);
}

/* ---- the printed form ---------------------------------------------------------------------- */

static void printed_form(void **st)
{
    (void)st;
    int64_t id = create(
        "様式の確認",
        answers(
            "TLP:AMBER", ELEC,
            "\"overview\":{\"overview\":\"FORM-MARK <b>&\"},\"guidance\":{\"guidance\":\"遮断\","
            "\"ip_addresses\":[\"198.51.100.77\"],\"domains\":[{\"domain\":\"c2[.]example.net\"}],"
            "\"hashes\":[{\"algorithm\":\"sha256\",\"value\":"
            "\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"}],"
            "\"cve_ids\":[{\"cve_id\":\"CVE-2024-3400\"}]}"),
        NULL);
    send_ok(id, false, 1);
    json_t *v = get_adv(NC, id);
    char ident[32];
    snprintf(ident, sizeof ident, "%s", jstr(v, "identification_number"));
    json_decref(v);
    char path[96], ctype[128];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/form", (long long)id);
    char *html = fetch_text(path, METI, 200, ctype, sizeof ctype);
    assert_non_null(strstr(ctype, "text/html"));
    const char *expect[] = {"情報提供様式",
                            "第1報",
                            ident,
                            "TLP:AMBER",
                            "198.51.100.77",
                            "c2.example.net",
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                            "CVE-2024-3400",
                            "経済産業省",
                            "FORM-MARK &lt;b&gt;&amp;"};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        if (!strstr(html, expect[i])) fail_msg("the printed form lacks \"%s\"", expect[i]);
    assert_null(strstr(html, "<b>&"));
    free(html);
    /* Not for those who may not read it. */
    free(fetch_text(path, WANGAN, 404, NULL, 0));
    free(fetch_text(path, TOTO, 404, NULL, 0));
}

/* ---- the public feeds ---------------------------------------------------------------------- */

static void public_feeds(void **st)
{
    (void)st;
    int64_t clear =
        create("公開注意喚起 FEED-CLEAR-TITLE",
               answers("TLP:CLEAR", ELEC, "\"overview\":{\"overview\":\"FEED-CLEAR-MARK\"}"), NULL);
    int64_t green =
        create("FEED-GREEN-TITLE",
               answers("TLP:GREEN", ELEC, "\"overview\":{\"overview\":\"FEED-GREEN-MARK\"}"), NULL);
    int64_t amber =
        create("FEED-AMBER-TITLE",
               answers("TLP:AMBER", ELEC, "\"overview\":{\"overview\":\"FEED-AMBER-MARK\"}"), NULL);
    int64_t clear_draft =
        create("FEED-DRAFT-TITLE",
               answers("TLP:CLEAR", ELEC, "\"overview\":{\"overview\":\"FEED-DRAFT-MARK\"}"), NULL);
    send_ok(clear, true, -1);
    send_ok(green, true, -1);
    send_ok(amber, true, -1);
    const char *feeds[] = {"/feeds/public.json", "/feeds/public.atom"};
    for (size_t i = 0; i < 2; i++) {
        char *f = fetch_text(feeds[i], NULL, 200, NULL, 0);
        assert_non_null(strstr(f, "FEED-CLEAR-TITLE"));
        assert_non_null(strstr(f, "FEED-CLEAR-MARK"));
        const char *never[] = {"FEED-GREEN-TITLE",   "FEED-GREEN-MARK",
                               "FEED-AMBER-TITLE",   "FEED-AMBER-MARK",
                               "FEED-DRAFT-TITLE",   "FEED-DRAFT-MARK",
                               "DEMO-SECRET-MARKER", "金融分野を標的としたフィッシング"};
        for (size_t k = 0; k < sizeof never / sizeof never[0]; k++)
            if (strstr(f, never[k])) fail_msg("%s shows %s", feeds[i], never[k]);
        free(f);
    }
    char path[64];
    snprintf(path, sizeof path, "/feeds/advisories/%lld", (long long)clear);
    char ctype[128];
    char *html = fetch_text(path, NULL, 200, ctype, sizeof ctype);
    assert_non_null(strstr(ctype, "text/html"));
    assert_non_null(strstr(html, "FEED-CLEAR-MARK"));
    assert_non_null(strstr(html, "情報提供様式"));
    free(html);
    int64_t hidden[] = {green, amber, clear_draft, 4, 999999};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "/feeds/advisories/%lld", (long long)hidden[i]);
        free(fetch_text(path, NULL, 404, NULL, 0));
        /* A recipient's credentials change nothing on a public path. */
        free(fetch_text(path, TOTO, 404, NULL, 0));
    }
    free(fetch_text("/feeds/advisories/4", KAEDE, 404, NULL, 0));
    /* The recipient itself still reads the GREEN one through the API. */
    assert_true(readable(TOTO, green));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_draft),    cmocka_unit_test(validation_rules),
        cmocka_unit_test(normalisation),   cmocka_unit_test(edit_draft),
        cmocka_unit_test(send_gate),       cmocka_unit_test(names_check),
        cmocka_unit_test(widening),        cmocka_unit_test(series_source),
        cmocka_unit_test(annex_files),     cmocka_unit_test(delivery_and_relay),
        cmocka_unit_test(direct_audience), cmocka_unit_test(secret_and_acks),
        cmocka_unit_test(follow_ups),      cmocka_unit_test(follow_up_twice),
        cmocka_unit_test(printed_form),    cmocka_unit_test(public_feeds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
