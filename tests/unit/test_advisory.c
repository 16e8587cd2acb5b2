/*
 * test_advisory.c — src/domain/advisory (the advisory form's rules, helpers and drafts), the
 * advisory parts of rf_check_definition and forms_load, and the printed advisory.
 *
 * Everything is loaded from the source tree as the server loads it (refdata_load, forms_load on
 * RK_SOURCE_DIR/data), so the real data/advisory/form.json and from_reports.json are under test.
 * The valid answers are seed 004 fig. 8 (情報提供様式記載例) with its XX placeholders filled in;
 * each rule is refused with its exact pointer and rule name, normalisation (refanging, case) is
 * checked value by value and for idempotence, drafts are made from data/demo_incidents.json,
 * and the name guard is tried with the demo reporter's name.
 *
 * Answers are written as JSON with ' for " (no text here needs an apostrophe).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/forms.h"
#include "core/refdata.h"
#include "core/rk.h"
#include "domain/advisory.h"
#include "domain/report_form.h"
#include "domain/report_print.h"
#include "domain/tier.h"

#define DATA_DIR RK_SOURCE_DIR "/data"

static struct refdata *rd;
static struct forms *forms;
static struct adv_refs refs;
static const char *codes[RD_MAX_SECTORS];
static json_t *demo_incidents, *demo;

/* ---- fixtures --------------------------------------------------------------------------- */

static json_t *load(const char *rel)
{
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/%s", DATA_DIR, rel);
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j) fprintf(stderr, "cannot load %s: line %d: %s\n", path, je.line, je.text);
    return j;
}

static int setup(void **state)
{
    char err[512];
    if (refdata_load(DATA_DIR, &rd, err, sizeof err) != RK_OK ||
        forms_load(DATA_DIR, rd, &forms, err, sizeof err) != RK_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < rd->nsectors; i++)
        codes[i] = rd->sectors[i].code;
    refs = (struct adv_refs){.rf = forms->refs,
                             .ministries = rd->ministries,
                             .nministries = rd->nministries,
                             .sector_codes = codes,
                             .nsectors = rd->nsectors};
    demo_incidents = load("demo_incidents.json");
    demo = load("demo.json");
    return demo_incidents && demo ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(demo_incidents);
    json_decref(demo);
    forms_free(forms);
    refdata_free(rd);
    return 0;
}

#define SHA256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* Seed 004 fig. 8 as answers (XX filled in with documentation addresses and names). */
static const char FIG8[] =
    "{'header': {'severity': 'warning', 'report_number': 1, 'identification_number': 'T0000001',"
    "   'advisory_datetime': '2022-10-03T13:00+09:00'},"
    " 'recipients': {'recipient_ministries': [{'ministry': 'meti'}, {'ministry': 'mic'}],"
    "   'recipient_sectors': ['ci.electricity', 'ci.info_comm']},"
    " 'sharing': {'tlp': 'TLP:AMBER', 'special_notes': '特になし'},"
    " 'content': {'has_attachments': false},"
    " 'overview': {'overview': '正規のWebサイトが改ざんされ、閲覧者にマルウェアを感染させる事案が"
    "確認されている。'},"
    " 'targets': {'targets': '10月1日以降に http://example.co.jp/top(.)html にアクセスした場合。'},"
    " 'guidance': {'guidance': 'Webアクセスログを確認する。次のIP及びドメインをブロックする。',"
    "   'ip_addresses': ['192.0.2.10', '2001:db8::1'], 'cidrs': ['198.51.100.0/24'],"
    "   'domains': [{'domain': 'example.com'}], 'urls': [{'url': 'http://example.co.jp/top.html'}],"
    "   'hashes': [{'algorithm': 'sha256', 'value': '" SHA256 "'}],"
    "   'cve_ids': [{'cve_id': 'CVE-2021-44228'}], 'attack_techniques': [{'technique': 'T1189'}]},"
    " 'other': {'other': '特になし'},"
    " 'contact': {'contact_person': '提供 花子', 'contact_phone': '03-0000-0000',"
    "   'contact_email': 'teikyo@example.go.jp'}}";

/* Fig. 8 with patch applied: each section of patch replaces fields (null removes one). */
static json_t *fig8_with(const char *patch)
{
    json_t *a = ut_json_q(FIG8), *p = ut_json_q(patch ? patch : "{}");
    const char *sk, *fk;
    json_t *sec, *v;
    json_object_foreach(p, sk, sec)
    {
        json_t *dst = json_object_get(a, sk);
        if (!dst) json_object_set_new(a, sk, dst = json_object());
        json_object_foreach(sec, fk, v)
        {
            if (json_is_null(v))
                json_object_del(dst, fk);
            else
                json_object_set(dst, fk, v);
        }
    }
    json_decref(p);
    return a;
}

static const json_t *advisory_form(void)
{
    return forms_advisory(forms);
}

/* Validates fig. 8 + patch, expecting exactly one error (pointer, rule). */
static void refuse(const char *patch, const char *pointer, const char *rule)
{
    json_t *a = fig8_with(patch), *out = NULL;
    struct jv_errors errs = {0};
    int rc = adv_validate(advisory_form(), &refs, a, "/answers", &out, &errs);
    if (rc != RK_EINVAL || errs.n != 1 || strcmp(errs.e[0].pointer, pointer) != 0 ||
        strcmp(errs.e[0].rule, rule) != 0) {
        fprintf(stderr, "patch %s: want %s [%s], got rc %d:\n", patch, pointer, rule, rc);
        ut_print_errors(&errs);
    }
    assert_int_equal(rc, RK_EINVAL);
    assert_null(out);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, pointer);
    assert_string_equal(errs.e[0].rule, rule);
    json_decref(a);
}

/* Validates fig. 8 + patch, expecting success; returns the normalised answers, after checking
 * that they validate to themselves. */
static json_t *accept(const char *patch)
{
    json_t *a = fig8_with(patch), *out = NULL, *again = NULL;
    struct jv_errors errs = {0};
    int rc = adv_validate(advisory_form(), &refs, a, "/answers", &out, &errs);
    if (rc != RK_OK) {
        fprintf(stderr, "patch %s refused:\n", patch ? patch : "(none)");
        ut_print_errors(&errs);
    }
    assert_int_equal(rc, RK_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(adv_validate(advisory_form(), &refs, out, "", &again, &errs), RK_OK);
    assert_true(json_equal(out, again));
    json_decref(again);
    json_decref(a);
    return out;
}

/* The string at "section/field/index/column" of normalised answers. */
static const char *value_at(const json_t *a, const char *sec, const char *fld, size_t i,
                            const char *col)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(json_object_get(a, sec), fld), i), col));
}

/* Accepts a one-row list value and checks its normalised form. */
static void normalises(const char *fld, const char *col, const char *in, const char *want)
{
    char patch[1024];
    snprintf(patch, sizeof patch, "{'guidance': {'%s': [{'%s': '%s'}]}}", fld, col, in);
    json_t *out = accept(patch);
    assert_string_equal(value_at(out, "guidance", fld, 0, col), want);
    json_decref(out);
}

/* Refuses a one-row list value (the second row; the first is fig. 8's) with rule. */
static void refuses_value(const char *fld, const char *col, const char *in, const char *rule)
{
    char patch[1024], pointer[128];
    json_t *base = ut_json_q(FIG8);
    json_t *row0 = json_array_get(json_object_get(json_object_get(base, "guidance"), fld), 0);
    char *row0s = json_dumps(row0, JSON_COMPACT);
    snprintf(patch, sizeof patch, "{'guidance': {'%s': [%s, {'%s': '%s'}]}}", fld, row0s, col, in);
    for (char *p = patch; *p; p++)
        if (*p == '"') *p = '\'';
    free(row0s);
    json_decref(base);
    snprintf(pointer, sizeof pointer, "/answers/guidance/%s/1/%s", fld, col);
    refuse(patch, pointer, rule);
}

/* ---- the form and the definition check --------------------------------------------------- */

static void test_form_loaded_and_checked(void **state)
{
    struct jv_errors errs = {0};
    const json_t *form = advisory_form();
    assert_non_null(form);
    assert_string_equal(json_string_value(json_object_get(form, "name")), "advisory");
    assert_non_null(forms_advisory_mapping(forms));
    assert_int_equal(rf_check_definition(form, &forms->refs, &errs), RK_OK);
    assert_int_equal(adv_check_form(form, &errs), RK_OK);
    /* the report forms' list is unchanged: three forms, not the advisory */
    assert_int_equal(json_array_size(forms->summaries), 3);
    assert_null(forms_get(forms, "advisory"));

    /* the advisory names no source: no identifying, opt-out, annex or advice */
    static const struct {
        const char *where, *member, *value, *pointer;
    } bad[] = {
        {"section", "identifying", "true", "/sections/4/identifying"},
        {"field", "identifying", "true", "/sections/4/fields/0/identifying"},
        {"field", "opt_out_group", "\"overview\"", "/sections/4/fields/0/opt_out_group"},
        {"field", "annex", "1", "/sections/4/fields/0/annex"},
        {"form", "first_response_advice", "[{\"ja\": \"x\", \"en\": \"x\"}]",
         "/first_response_advice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *copy = json_deep_copy(form);
        json_t *sec = json_array_get(json_object_get(copy, "sections"), 4);
        json_t *target = strcmp(bad[i].where, "form") == 0 ? copy
                         : strcmp(bad[i].where, "section") == 0
                             ? sec
                             : json_array_get(json_object_get(sec, "fields"), 0);
        json_object_set_new(target, bad[i].member, json_loads(bad[i].value, JSON_DECODE_ANY, NULL));
        assert_int_equal(rf_check_definition(copy, &forms->refs, &errs), RK_EINVAL);
        if (strcmp(errs.e[0].pointer, bad[i].pointer) != 0) ut_print_errors(&errs);
        assert_string_equal(errs.e[0].pointer, bad[i].pointer);
        assert_string_equal(errs.e[0].rule, "unknown_field");
        json_decref(copy);
    }
    /* other names are still refused */
    json_t *copy = json_deep_copy(form);
    json_object_set_new(copy, "name", json_string("advisories"));
    assert_int_equal(rf_check_definition(copy, &forms->refs, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].pointer, "/name");
    assert_string_equal(errs.e[0].rule, "enum");
    json_decref(copy);
}

static void test_check_form_refuses(void **state)
{
    struct jv_errors errs = {0};
    json_t *copy = json_deep_copy(advisory_form());
    json_t *guidance = json_array_get(json_object_get(copy, "sections"), 6);
    json_t *fields = json_object_get(guidance, "fields");
    /* domains (fields/3) as a text field, urls (fields/4) gone */
    json_object_set_new(json_array_get(fields, 3), "type", json_string("text"));
    json_array_remove(fields, 4);
    assert_int_equal(adv_check_form(copy, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.e[0].pointer, "/sections/6/fields/3/type");
    assert_string_equal(errs.e[0].rule, "type");
    assert_string_equal(errs.e[1].pointer, "/sections");
    assert_string_equal(errs.e[1].rule, "required");
    json_decref(copy);
    copy = json_deep_copy(advisory_form());
    json_object_set_new(copy, "name", json_string("liaison"));
    assert_int_equal(adv_check_form(copy, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].pointer, "/name");
    json_decref(copy);
}

/* ---- validation ------------------------------------------------------------------------- */

static void test_fig8_valid_and_idempotent(void **state)
{
    json_t *out = accept(NULL);
    /* multi_enum in data/sectors.json order; everything else as written */
    json_t *want = ut_json_q("['ci.info_comm', 'ci.electricity']");
    assert_true(
        json_equal(json_object_get(json_object_get(out, "recipients"), "recipient_sectors"), want));
    json_decref(want);
    assert_string_equal(value_at(out, "guidance", "hashes", 0, "value"), SHA256);
    json_decref(out);
}

static void test_liaison_identification_rule_not_applied(void **state)
{
    /* required from the 1st advisory on, by the form: one error, not the liaison rule's */
    refuse("{'header': {'identification_number': null}}", "/answers/header/identification_number",
           "required");
    json_decref(accept("{'header': {'report_number': 2}}"));
}

static void test_client_check(void **state)
{
    struct jv_errors errs = {0};
    json_t *a =
        ut_json_q("{'header': {'severity': 'alert', 'identification_number': 'T1',"
                  " 'report_number': null, 'advisory_datetime': '2022-10-03T13:00+09:00'}}");
    assert_int_equal(adv_client_check(a, "/answers", &errs), RK_EINVAL);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.e[0].pointer, "/answers/header/identification_number");
    assert_string_equal(errs.e[0].rule, "assigned_by_platform");
    assert_string_equal(errs.e[1].pointer, "/answers/header/advisory_datetime");
    json_decref(a);
    a = ut_json_q("{'header': {'severity': 'alert'}, 'overview': {'overview': 'x'}}");
    assert_int_equal(adv_client_check(a, "/answers", &errs), RK_OK);
    assert_int_equal(errs.n, 2); /* not reset, nothing added */
    assert_int_equal(adv_client_check(a, NULL, NULL), RK_OK);
    json_decref(a);
    a = ut_json_q("{'header': {'report_number': 3}}");
    assert_int_equal(adv_client_check(a, NULL, NULL), RK_EINVAL);
    json_decref(a);
}

static void test_recipients(void **state)
{
    refuse("{'recipients': {'recipient_ministries': []}}",
           "/answers/recipients/recipient_ministries", "min_items");
    refuse("{'recipients': {'recipient_sectors': []}}", "/answers/recipients/recipient_sectors",
           "min_items");
    refuse("{'recipients': {'recipient_ministries': null}}",
           "/answers/recipients/recipient_ministries", "required");
    refuse("{'recipients': {'recipient_ministries': [{'ministry': 'meti'}, {'ministry': 'moj'}],"
           " 'recipient_sectors': ['ci.electricity']}}",
           "/answers/recipients/recipient_ministries/1/ministry", "unknown_ministry");
    refuse("{'recipients': {'recipient_ministries': [{'ministry': 'METI'}],"
           " 'recipient_sectors': ['ci.electricity']}}",
           "/answers/recipients/recipient_ministries/0/ministry", "unknown_ministry");
    refuse("{'recipients': {'recipient_ministries': [{'ministry': 'meti'}, {'ministry': 'meti'}],"
           " 'recipient_sectors': ['ci.electricity']}}",
           "/answers/recipients/recipient_ministries/1", "unique_items");
    /* the client's index, although the stored order is data/sectors.json's */
    refuse("{'recipients': {'recipient_ministries': [{'ministry': 'meti'}],"
           " 'recipient_sectors': ['ci.medical', 'ci.electricity']}}",
           "/answers/recipients/recipient_sectors/0", "sector_not_covered");
    refuse("{'recipients': {'recipient_ministries': [{'ministry': 'meti'}],"
           " 'recipient_sectors': ['ci.electricity', 'ci.medical']}}",
           "/answers/recipients/recipient_sectors/1", "sector_not_covered");
    refuse("{'recipients': {'recipient_ministries': [{'ministry': 'meti'}, {'ministry': 'mhlw'}],"
           " 'recipient_sectors': ['ci.electricity']}}",
           "/answers/recipients/recipient_ministries/1/ministry", "ministry_without_sector");
    /* a core sector and a CI sector of one ministry */
    json_decref(accept("{'recipients': {'recipient_ministries': [{'ministry': 'fsa'}],"
                       " 'recipient_sectors': ['core.finance', 'ci.finance']}}"));
    /* several ministries for several sectors */
    json_decref(accept(
        "{'recipients': {'recipient_ministries': [{'ministry': 'mlit'}, {'ministry': 'mhlw'},"
        " {'ministry': 'fsa'}], 'recipient_sectors': ['ci.medical', 'ci.railway', "
        "'ci.finance']}}"));
}

static void test_attachments(void **state)
{
    refuse("{'content': {'has_attachments': false, 'attachments': ['12']}}",
           "/answers/content/attachments", "attachments_mismatch");
    refuse("{'content': {'has_attachments': true}}", "/answers/content/attachments",
           "attachments_mismatch");
    refuse("{'content': {'has_attachments': true, 'attachments': []}}",
           "/answers/content/attachments", "attachments_mismatch");
    refuse("{'content': {'has_attachments': null}}", "/answers/content/has_attachments",
           "required");
    json_decref(accept("{'content': {'has_attachments': true, 'attachments': ['12', '13']}}"));
    json_decref(accept("{'content': {'has_attachments': false, 'attachments': []}}"));
}

static void test_domains(void **state)
{
    normalises("domains", "domain", "Example.COM", "example.com");
    normalises("domains", "domain", "example[.]com", "example.com");
    normalises("domains", "domain", "sub(.)Example{.}org", "sub.example.org");
    normalises("domains", "domain", "a((.))example[[.]]jp", "a.example.jp");
    normalises("domains", "domain", "xn--bcher-kva.example", "xn--bcher-kva.example");
    normalises("domains", "domain", "a-b.c1.example", "a-b.c1.example");
    char name[300];
    /* 63-octet label; 253 octets in all */
    snprintf(name, sizeof name, "%.63s.example",
             "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc");
    normalises("domains", "domain", name, name);
    memset(name, 'a', 253);
    name[253] = '\0';
    for (int i = 63; i < 253; i += 64)
        name[i] = '.';
    normalises("domains", "domain", name, name);
    snprintf(name, sizeof name, "%.64s.example",
             "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd");
    refuses_value("domains", "domain", name, "domain");
    refuses_value("domains", "domain", "localhost", "domain");
    refuses_value("domains", "domain", "example.com.", "domain");
    refuses_value("domains", "domain", "-a.example", "domain");
    refuses_value("domains", "domain", "a-.example", "domain");
    refuses_value("domains", "domain", "a..example", "domain");
    refuses_value("domains", "domain", ".example", "domain");
    refuses_value("domains", "domain", "ex_ample.com", "domain");
    refuses_value("domains", "domain", "例え.jp", "domain");
    refuses_value("domains", "domain", "192.0.2.1", "domain");
    refuses_value("domains", "domain", "http://example.com", "domain");
    refuses_value("domains", "domain", "example[.]com[.]", "domain");
    refuses_value("domains", "domain", "", "required");
    memset(name, 'a', 254);
    name[254] = '\0';
    name[100] = '.';
    refuses_value("domains", "domain", name, "max_length"); /* the form's max_len, first */
}

static void test_urls(void **state)
{
    normalises("urls", "url", "hxxp://example[.]co[.]jp/top(.)html",
               "http://example.co.jp/top.html");
    normalises("urls", "url", "HXXPS://Example.COM:8443/a/B?x=Y&z=%2F#Frag",
               "https://example.com:8443/a/B?x=Y&z=%2F#Frag");
    normalises("urls", "url", "hxxp[:]//evil{.}example/", "http://evil.example/");
    normalises("urls", "url", "http://192.0.2.1/x.php?id=1", "http://192.0.2.1/x.php?id=1");
    normalises("urls", "url", "http://[2001:DB8::1]:80/", "http://[2001:db8::1]:80/");
    normalises("urls", "url", "https://user:pw@a.example", "https://user:pw@a.example");
    normalises("urls", "url", "https://a.example/p;q=1/~u/(x)!*$,+=&@:",
               "https://a.example/p;q=1/~u/(x)!*$,+=&@:");
    refuses_value("urls", "url", "ftp://example.com/file", "url");
    refuses_value("urls", "url", "example.com/path", "url");
    refuses_value("urls", "url", "http:/example.com", "url");
    refuses_value("urls", "url", "http:///x", "url");
    refuses_value("urls", "url", "http://exa mple.com/", "url");
    refuses_value("urls", "url", "http://例え.jp/", "url");
    refuses_value("urls", "url", "http://a.example/パス", "url");
    refuses_value("urls", "url", "http://a.example:99999/", "url");
    refuses_value("urls", "url", "http://a.example:/", "url");
    refuses_value("urls", "url", "http://a.example/%zz", "url");
    refuses_value("urls", "url", "http://a.example/#a#b", "url");
    refuses_value("urls", "url", "http://a.example/[x]", "url");
    refuses_value("urls", "url", "http://[192.0.2.1]/", "url");
    refuses_value("urls", "url", "http://256.1.1.1/", "url");
    refuses_value("urls", "url", "http://localhost/", "url");
    refuses_value("urls", "url", "javascript:alert(1)", "url");
    refuses_value("urls", "url", "http://a@b@c.example/", "url");
}

static void test_hashes(void **state)
{
    char patch[512];
    snprintf(patch, sizeof patch,
             "{'guidance': {'hashes': [{'algorithm': 'md5', 'value': "
             "'D41D8CD98F00B204E9800998ECF8427E'}, {'algorithm': 'sha1', 'value': "
             "'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709'}, {'algorithm': 'sha512', 'value': "
             "'%s%s'}]}}",
             SHA256, SHA256);
    json_t *out = accept(patch);
    assert_string_equal(value_at(out, "guidance", "hashes", 0, "value"),
                        "d41d8cd98f00b204e9800998ecf8427e");
    assert_string_equal(value_at(out, "guidance", "hashes", 1, "value"),
                        "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    json_decref(out);
    refuse("{'guidance': {'hashes': [{'algorithm': 'md5', 'value': "
           "'da39a3ee5e6b4b0d3255bfef95601890afd80709'}]}}",
           "/answers/guidance/hashes/0/value", "hash");
    refuse("{'guidance': {'hashes': [{'algorithm': 'md5', 'value': "
           "'g41d8cd98f00b204e9800998ecf8427e'}]}}",
           "/answers/guidance/hashes/0/value", "hash");
    refuse("{'guidance': {'hashes': [{'algorithm': 'sha3', 'value': "
           "'d41d8cd98f00b204e9800998ecf8427e'}]}}",
           "/answers/guidance/hashes/0/algorithm", "enum");
    refuse("{'guidance': {'hashes': [{'value': 'd41d8cd98f00b204e9800998ecf8427e'}]}}",
           "/answers/guidance/hashes/0/algorithm", "required");
}

static void test_cve_ids(void **state)
{
    normalises("cve_ids", "cve_id", "cve-2021-44228", "CVE-2021-44228");
    normalises("cve_ids", "cve_id", "Cve-1999-0001", "CVE-1999-0001");
    normalises("cve_ids", "cve_id", "CVE-2024-1234567890123456789", "CVE-2024-1234567890123456789");
    refuses_value("cve_ids", "cve_id", "CVE-1998-0001", "cve_id");
    refuses_value("cve_ids", "cve_id", "CVE-2021-123", "cve_id");
    refuses_value("cve_ids", "cve_id", "CVE-21-1234", "cve_id");
    refuses_value("cve_ids", "cve_id", "CAN-2021-1234", "cve_id");
    refuses_value("cve_ids", "cve_id", "CVE-2021-1234x", "cve_id");
    refuses_value("cve_ids", "cve_id", "CVE-2021-12345678901234567890", "cve_id");
    refuses_value("cve_ids", "cve_id", " CVE-2021-1234", "cve_id");
}

static void test_techniques(void **state)
{
    refuses_value("attack_techniques", "technique", "T9999", "attack_technique");
    refuses_value("attack_techniques", "technique", "t1189", "attack_technique");
    normalises("attack_techniques", "technique", "T1498.001", "T1498.001");
}

static void test_distinct_rows(void **state)
{
    refuse("{'guidance': {'domains': [{'domain': 'a.example'}, {'domain': 'Example.com'},"
           " {'domain': 'example[.]com'}]}}",
           "/answers/guidance/domains/2", "unique_items");
    refuse("{'guidance': {'urls': [{'url': 'hxxp://a.example/x'}, {'url': 'HTTP://A.EXAMPLE/x'}]}}",
           "/answers/guidance/urls/1", "unique_items");
    refuse("{'guidance': {'hashes': [{'algorithm': 'sha256', 'value': '" SHA256 "'},"
           " {'algorithm': 'md5', 'value': 'd41d8cd98f00b204e9800998ecf8427e'},"
           " {'algorithm': 'md5', 'value': 'D41D8CD98F00B204E9800998ECF8427E'}]}}",
           "/answers/guidance/hashes/2", "unique_items");
    refuse(
        "{'guidance': {'cve_ids': [{'cve_id': 'cve-2021-44228'}, {'cve_id': 'CVE-2021-44228'}]}}",
        "/answers/guidance/cve_ids/1", "unique_items");
    refuse("{'guidance': {'attack_techniques': [{'technique': 'T1189'}, {'technique': 'T1190'},"
           " {'technique': 'T1189'}]}}",
           "/answers/guidance/attack_techniques/2", "unique_items");
    /* one error per list: the first repeat */
    json_t *a = fig8_with("{'guidance': {'cve_ids': [{'cve_id': 'CVE-2021-0001'}, {'cve_id': "
                          "'CVE-2021-0002'}, {'cve_id': 'CVE-2021-0002'}, {'cve_id': "
                          "'CVE-2021-0001'}]}}"),
           *out = NULL;
    struct jv_errors errs = {0};
    assert_int_equal(adv_validate(advisory_form(), &refs, a, "", &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "/guidance/cve_ids/2");
    json_decref(a);
    /* invalid rows are not compared (one error per value) */
    a = fig8_with("{'guidance': {'domains': [{'domain': 'bad'}, {'domain': 'bad'}]}}");
    errs = (struct jv_errors){0};
    assert_int_equal(adv_validate(advisory_form(), &refs, a, "", &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.e[0].rule, "domain");
    assert_string_equal(errs.e[1].pointer, "/guidance/domains/1/domain");
    assert_string_equal(errs.e[1].rule, "domain");
    json_decref(a);
}

static void test_errors_accumulate(void **state)
{
    json_t *a = fig8_with("{'recipients': {'recipient_ministries': [{'ministry': 'meti'},"
                          " {'ministry': 'mhlw'}, {'ministry': 'mic'}]}, 'guidance': {'domains': "
                          "[{'domain': 'x'}],"
                          " 'urls': [{'url': 'ftp://a.example/'}]}}"),
           *out = NULL;
    struct jv_errors errs = {0};
    jv_error_add(&errs, "/earlier", "type", "kept");
    assert_int_equal(adv_validate(advisory_form(), &refs, a, "/answers", &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 4);
    assert_string_equal(errs.e[0].pointer, "/earlier");
    assert_string_equal(errs.e[1].rule, "ministry_without_sector");
    assert_string_equal(errs.e[2].pointer, "/answers/guidance/domains/0/domain");
    assert_string_equal(errs.e[3].pointer, "/answers/guidance/urls/0/url");
    json_decref(a);
    /* a type error stops before the advisory rules: one error per value */
    a = fig8_with("{'guidance': {'domains': [{'domain': 5}]}, 'recipients': "
                  "{'recipient_ministries': []}}");
    errs = (struct jv_errors){0};
    assert_int_equal(adv_validate(advisory_form(), &refs, a, "/answers", &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].rule, "type");
    json_decref(a);
    assert_int_equal(adv_validate(advisory_form(), &refs, NULL, "", &out, &errs), RK_EINVAL);
    assert_int_equal(adv_validate(advisory_form(), &refs, NULL, "", NULL, &errs), RK_EINVAL);
}

/* ---- helpers ---------------------------------------------------------------------------- */

static void test_sectors_ministries_indicators(void **state)
{
    json_t *out = accept("{'guidance': {'urls': [{'url': 'hxxp://example[.]co[.]jp/top(.)html'}],"
                         " 'hashes': [{'algorithm': 'sha256', 'value': '" SHA256 "'}]}}");
    uint64_t mask = adv_sectors(&refs, out);
    uint64_t want = ((uint64_t)1 << refdata_sector_index(rd, "ci.electricity")) |
                    ((uint64_t)1 << refdata_sector_index(rd, "ci.info_comm"));
    assert_true(mask == want);
    assert_true(adv_sectors(NULL, out) == 0);
    const char *m[4];
    assert_int_equal(adv_ministries(out, m, 4), 2);
    assert_string_equal(m[0], "meti");
    assert_string_equal(m[1], "mic");
    assert_int_equal(adv_ministries(out, m, 1), 1);
    assert_int_equal(adv_ministries(out, NULL, 0), 0);

    json_t *ind = adv_indicators(out);
    json_t *want_ind =
        ut_json_q("[{'type': 'ipv4-addr', 'value': '192.0.2.10'}, {'type': 'ipv6-addr', 'value': "
                  "'2001:db8::1'},"
                  " {'type': 'cidr', 'value': '198.51.100.0/24'}, {'type': 'domain-name', 'value': "
                  "'example.com'}, {'type': 'url', 'value': 'http://example.co.jp/top.html'},"
                  " {'type': 'file-hash', 'value': '" SHA256 "', 'algorithm': 'sha256'},"
                  " {'type': 'vulnerability', 'value': 'CVE-2021-44228'},"
                  " {'type': 'attack-pattern', 'value': 'T1189'}]");
    if (!json_equal(ind, want_ind)) {
        char *s = json_dumps(ind, JSON_INDENT(1));
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    assert_true(json_equal(ind, want_ind));
    json_decref(ind);
    json_decref(want_ind);
    json_t *empty = json_object();
    ind = adv_indicators(empty);
    assert_int_equal(json_array_size(ind), 0);
    json_decref(ind);
    json_decref(empty);
    json_decref(out);
}

/* ---- drafts from reports ---------------------------------------------------------------- */

static void test_mapping_check(void **state)
{
    struct jv_errors errs = {0};
    assert_int_equal(
        adv_check_mapping(forms_advisory_mapping(forms), advisory_form(), forms->byname, &errs),
        RK_OK);
    static const struct {
        const char *mapping, *pointer, *rule;
    } bad[] = {
        {"{'note': 'n', 'forms': {}}", "/source", "required"},
        {"{'source': 's', 'note': 'n', 'forms': {}, 'extra': 1}", "/extra", "unknown_field"},
        {"{'source': 's', 'note': 'n'}", "/forms", "required"},
        {"{'source': 's', 'note': 'n', 'forms': {'incident': []}}", "/forms/incident", "enum"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': {}}}", "/forms/ddos", "type"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/attack/nothing', 'to': "
         "'/overview/overview'}]}}",
         "/forms/ddos/0/from", "mapping"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/attack/attacks/source_ips', "
         "'to': '/guidance/ip_addresses'}]}}",
         "/forms/ddos/0/from", "mapping"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/business_impact/overview', "
         "'to': '/header/report_number'}]}}",
         "/forms/ddos/0/to", "mapping"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/business_impact/overview', "
         "'to': '/recipients/recipient_sectors'}]}}",
         "/forms/ddos/0/to", "mapping"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': "
         "'/attack/attacks/*/source_ips', 'to': '/overview/overview'}]}}",
         "/forms/ddos/0/to", "mapping"},
        {"{'source': 's', 'note': 'n', 'forms': {'liaison': [{'from': '/event_type/event_type', "
         "'to': '/header/severity'}]}}",
         "/forms/liaison/0/to", "mapping"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/business_impact/overview', "
         "'to': '/overview/overview'}, {'from': '/business_impact/overview', 'to': "
         "'/overview/overview'}]}}",
         "/forms/ddos/1", "unique_items"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/business_impact/overview'}]}}",
         "/forms/ddos/0/to", "required"},
        {"{'source': 's', 'note': 'n', 'forms': {'ddos': [{'from': '/business_impact/overview', "
         "'to': '/overview/overview', 'why': 1}]}}",
         "/forms/ddos/0/why", "unknown_field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *m = ut_json_q(bad[i].mapping);
        int rc = adv_check_mapping(m, advisory_form(), forms->byname, &errs);
        if (rc != RK_EINVAL || strcmp(errs.e[0].pointer, bad[i].pointer) != 0 ||
            strcmp(errs.e[0].rule, bad[i].rule) != 0) {
            fprintf(stderr, "mapping %zu: want %s [%s]\n", i, bad[i].pointer, bad[i].rule);
            ut_print_errors(&errs);
        }
        assert_int_equal(rc, RK_EINVAL);
        assert_string_equal(errs.e[0].pointer, bad[i].pointer);
        assert_string_equal(errs.e[0].rule, bad[i].rule);
        json_decref(m);
    }
}

/* Every report of data/demo_incidents.json, normalised by its form, with its form. */
struct demo_report {
    const json_t *form;
    json_t *answers; /* normalised */
    const char *tlp;
};

static size_t demo_reports(struct demo_report *out, size_t cap)
{
    size_t n = 0, i, k;
    const json_t *inc, *rep;
    json_array_foreach(json_object_get(demo_incidents, "incidents"), i, inc)
        json_array_foreach(json_object_get(inc, "reports"), k, rep)
    {
        if (n == cap) break;
        const json_t *form = forms_get(forms, json_string_value(json_object_get(rep, "form")));
        struct jv_errors errs = {0};
        json_t *norm = NULL;
        assert_non_null(form);
        assert_int_equal(
            rf_validate(form, &forms->refs, json_object_get(rep, "answers"), "", &norm, &errs),
            RK_OK);
        const char *tlp = json_string_value(json_object_get(rep, "tlp"));
        if (!tlp)
            tlp = json_string_value(json_object_get(
                json_object_get(json_object_get(rep, "answers"), "sharing"), "tlp"));
        out[n++] = (struct demo_report){form, norm, tlp ? tlp : "TLP:AMBER"};
    }
    return n;
}

/* A draft completed the way the API completes it: ministries covering the sectors, the
 * platform's header fields. */
static void complete(json_t *draft)
{
    json_t *h = json_object_get(draft, "header");
    if (!h) json_object_set_new(draft, "header", h = json_object());
    json_object_set_new(h, "report_number", json_integer(1));
    json_object_set_new(h, "identification_number", json_string("T0000042"));
    json_object_set_new(h, "advisory_datetime", json_string("2026-12-01T10:00+09:00"));
    json_t *rec = json_object_get(draft, "recipients");
    assert_non_null(rec);
    json_object_set_new(rec, "recipient_ministries", ut_json_q("[{'ministry': 'meti'}]"));
}

static void test_from_report_demo(void **state)
{
    struct demo_report reps[16];
    size_t n = demo_reports(reps, 16);
    assert_true(n >= 5);
    const json_t *mapping = forms_advisory_mapping(forms);
    const char *reporter = NULL;
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(demo, "orgs"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "key")), "toto") == 0)
            reporter = json_string_value(json_object_get(o, "name_ja"));
    }
    assert_non_null(reporter);
    json_t *sectors = ut_json_q("['ci.electricity']");
    for (i = 0; i < n; i++) {
        json_t *draft = NULL, *labels = NULL, *out = NULL;
        struct jv_errors errs = {0};
        const char *name = json_string_value(json_object_get(reps[i].form, "name"));
        assert_int_equal(adv_from_report(mapping, reps[i].form, reps[i].answers, reps[i].tlp,
                                         sectors, &draft, &labels),
                         RK_OK);
        /* no platform-assigned field, no identifying content in the real mapping */
        assert_null(json_object_get(json_object_get(draft, "header"), "report_number"));
        assert_null(json_object_get(json_object_get(draft, "header"), "identification_number"));
        assert_int_equal(json_object_size(labels), 0);
        assert_int_equal(tier_labels_check(draft, labels, &errs), RK_OK);
        assert_int_equal(adv_names_check(draft, &reporter, 1, "", &errs), RK_OK);
        complete(draft);
        int rc = adv_validate(advisory_form(), &refs, draft, "", &out, &errs);
        if (rc != RK_OK) {
            char *s = json_dumps(draft, JSON_INDENT(1));
            fprintf(stderr, "draft from %s:\n%s\n", name, s);
            free(s);
            ut_print_errors(&errs);
        }
        assert_int_equal(rc, RK_OK);
        const json_t *g = json_object_get(out, "guidance");
        const char *overview =
            json_string_value(json_object_get(json_object_get(out, "overview"), "overview"));
        assert_non_null(overview);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(out, "sharing"), "tlp")),
            reps[i].tlp);
        if (strcmp(name, "ddos") == 0) {
            json_t *ips = json_object_get(g, "ip_addresses");
            assert_true(json_array_size(ips) >= 2);
            if (strcmp(json_string_value(json_array_get(ips, 0)), "192.0.2.10") == 0) {
                /* toto's attack: four sources, T1498.001 */
                json_t *want =
                    ut_json_q("['192.0.2.10', '192.0.2.11', '198.51.100.23', '2001:db8:10::5']");
                assert_true(json_equal(ips, want));
                json_decref(want);
                assert_string_equal(value_at(out, "guidance", "attack_techniques", 0, "technique"),
                                    "T1498.001");
            } else {
                /* the CEPTOAR's report: attack type "unknown" is no technique */
                assert_null(json_object_get(g, "attack_techniques"));
            }
        } else if (strcmp(name, "ransomware") == 0) {
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(g, "ip_addresses"), 0)),
                "203.0.113.66");
            /* the overview and the intrusion vector, joined */
            assert_non_null(strstr(overview, "\nVPN機器の既知の脆弱性"));
        } else {
            assert_string_equal(name, "liaison");
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(out, "header"), "severity")),
                "warning");
            assert_non_null(json_object_get(json_object_get(out, "targets"), "targets"));
        }
        json_decref(out);
        json_decref(draft);
        json_decref(labels);
    }
    json_decref(sectors);
    for (i = 0; i < n; i++)
        json_decref(reps[i].answers);
}

static void test_from_report_labels(void **state)
{
    /* A mapping that copies identifying values (which the real one does not). */
    json_t *mapping =
        ut_json_q("{'source': 's', 'note': 'n', 'forms': {"
                  " 'ddos': [{'from': '/business_impact/overview', 'to': '/overview/overview'},"
                  "  {'from': '/reporter/name', 'to': '/other/other'},"
                  "  {'from': '/attack/attacks/*/source_ips', 'to': '/guidance/ip_addresses'}],"
                  " 'liaison': [{'from': '/overview/description', 'to': '/overview/overview'},"
                  "  {'from': '/operator/operator_name', 'to': '/overview/overview'},"
                  "  {'from': '/timeline/press_release_title', 'to': '/guidance/guidance'},"
                  "  {'from': '/sender/person_name', 'to': '/guidance/domains'}]}}");
    struct jv_errors errs = {0};
    assert_int_equal(adv_check_mapping(mapping, advisory_form(), forms->byname, &errs), RK_OK);
    struct demo_report reps[16];
    size_t n = demo_reports(reps, 16), checked = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_object_get(reps[i].form, "name"));
        json_t *draft = NULL, *labels = NULL;
        assert_int_equal(
            adv_from_report(mapping, reps[i].form, reps[i].answers, NULL, NULL, &draft, &labels),
            RK_OK);
        assert_int_equal(tier_labels_check(draft, labels, &errs), RK_OK);
        json_t *want = NULL;
        if (strcmp(name, "ddos") == 0 && json_object_get(reps[i].answers, "reporter"))
            want = ut_json_q("{'/other/other': ['source_identifying']}");
        else if (strcmp(name, "liaison") == 0)
            want = ut_json_q("{'/overview/overview': ['source_identifying'],"
                             " '/guidance/guidance': ['source_identifying'],"
                             " '/guidance/domains/0': ['source_identifying']}");
        else
            want = ut_json_q("{}");
        if (!json_equal(labels, want)) {
            char *s = json_dumps(labels, 0);
            fprintf(stderr, "%s labels: %s\n", name, s);
            free(s);
        }
        assert_true(json_equal(labels, want));
        checked += json_object_size(want) > 0;
        /* the identifying text came along, and the draft says so */
        if (strcmp(name, "liaison") == 0) {
            const char *ov =
                json_string_value(json_object_get(json_object_get(draft, "overview"), "overview"));
            assert_non_null(strstr(ov, "\n〇〇株式会社"));
        }
        /* neither tlp nor recipients given: not filled; has_attachments always false */
        assert_null(json_object_get(draft, "recipients"));
        assert_null(json_object_get(draft, "sharing"));
        assert_true(
            json_is_false(json_object_get(json_object_get(draft, "content"), "has_attachments")));
        json_decref(want);
        json_decref(draft);
        json_decref(labels);
    }
    assert_int_equal(checked, 3); /* two ddos reports with a reporter, the liaison report */
    for (size_t i = 0; i < n; i++)
        json_decref(reps[i].answers);
    json_decref(mapping);

    /* list items: labelled one by one, also when an identifying source repeats an item */
    json_t *form =
        ut_json_q("{'name': 'ddos', 'sections': ["
                  " {'id': 'attack', 'fields': [{'id': 'ips', 'type': 'ip_list'},"
                  "  {'id': 'hosts', 'type': 'ip_list', 'identifying': true},"
                  "  {'id': 'hashes', 'type': 'textarea'},"
                  "  {'id': 'rows', 'type': 'rows', 'columns': [{'id': 'kind', 'type': 'enum'}]}]},"
                  " {'id': 'reporter', 'fields': [{'id': 'hashes', 'type': 'textarea'}]}]}");
    mapping =
        ut_json_q("{'forms': {'ddos': [{'from': '/attack/ips', 'to': '/guidance/ip_addresses'},"
                  " {'from': '/attack/hosts', 'to': '/guidance/ip_addresses'},"
                  " {'from': '/attack/hashes', 'to': '/guidance/hashes'},"
                  " {'from': '/reporter/hashes', 'to': '/guidance/hashes'},"
                  " {'from': '/attack/rows/*/kind', 'to': '/guidance/attack_techniques'}]}}");
    json_t *answers = ut_json_q(
        "{'attack': {'ips': ['192.0.2.1', '192.0.2.2'], 'hosts': ['192.0.2.2', '192.0.2.3'],"
        " 'hashes': 'md5 D41D8CD98F00B204E9800998ECF8427E\\nsha1: "
        "da39a3ee5e6b4b0d3255bfef95601890afd80709, x" SHA256 " not-a-hash 1234',"
        " 'rows': [{'kind': 'T1498'}, {'kind': 'other'}, {}, {'kind': 'T1498'}, {'kind': "
        "'T1499.002'}]},"
        " 'reporter': {'hashes': '" SHA256 " d41d8cd98f00b204e9800998ecf8427e'}}");
    json_t *draft = NULL, *labels = NULL;
    assert_int_equal(adv_from_report(mapping, form, answers, "TLP:GREEN", NULL, &draft, &labels),
                     RK_OK);
    json_t *want =
        ut_json_q("{'sharing': {'tlp': 'TLP:GREEN'}, 'content': {'has_attachments': false},"
                  " 'guidance': {'ip_addresses': ['192.0.2.1', '192.0.2.2', '192.0.2.3'],"
                  "  'hashes': [{'algorithm': 'md5', 'value': "
                  "'d41d8cd98f00b204e9800998ecf8427e'}, {'algorithm': 'sha1', 'value': "
                  "'da39a3ee5e6b4b0d3255bfef95601890afd80709'}, {'algorithm': 'sha256', "
                  "'value': '" SHA256 "'}],"
                  "  'attack_techniques': [{'technique': 'T1498'}, {'technique': "
                  "'T1499.002'}]}}");
    json_t *want_labels = ut_json_q("{'/guidance/ip_addresses/1': ['source_identifying'],"
                                    " '/guidance/ip_addresses/2': ['source_identifying'],"
                                    " '/guidance/hashes/0': ['source_identifying'],"
                                    " '/guidance/hashes/2': ['source_identifying']}");
    if (!json_equal(draft, want) || !json_equal(labels, want_labels)) {
        char *s = json_dumps(draft, 0), *l = json_dumps(labels, 0);
        fprintf(stderr, "draft %s\nlabels %s\n", s, l);
        free(s);
        free(l);
    }
    assert_true(json_equal(draft, want));
    assert_true(json_equal(labels, want_labels));
    json_decref(draft);
    json_decref(labels);
    json_decref(want);
    json_decref(want_labels);

    /* shapes refused */
    assert_int_equal(adv_from_report(NULL, form, answers, NULL, NULL, &draft, &labels), RK_EINVAL);
    assert_null(draft);
    assert_null(labels);
    json_t *bad =
        ut_json_q("{'forms': {'ddos': [{'from': '/attack/nothing', 'to': '/other/other'}]}}");
    assert_int_equal(adv_from_report(bad, form, answers, NULL, NULL, &draft, &labels), RK_EINVAL);
    assert_null(draft);
    json_decref(bad);
    json_t *str = json_string("x");
    assert_int_equal(adv_from_report(mapping, form, answers, NULL, str, &draft, &labels),
                     RK_EINVAL);
    json_decref(str);
    json_decref(form);
    json_decref(mapping);
    json_decref(answers);
}

/* ---- the name guard --------------------------------------------------------------------- */

/* A demo organisation's field ("name_ja", "name_en", "corporate_number"). */
static const char *demo_org(const char *key, const char *field)
{
    size_t i;
    const json_t *o;
    json_array_foreach(json_object_get(demo, "orgs"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "key")), key) == 0)
            return json_string_value(json_object_get(o, field));
    }
    return NULL;
}

struct name_case {
    const char *text;
    bool found;
};

/* Runs adv_names_check on fig. 8 with the overview set to each case's text. */
static void names_cases(const char *const *names, size_t nnames, const struct name_case *cases,
                        size_t ncases)
{
    for (size_t k = 0; k < ncases; k++) {
        json_t *ans = fig8_with(NULL);
        json_object_set_new(json_object_get(ans, "overview"), "overview",
                            json_string(cases[k].text));
        struct jv_errors errs = {0};
        int rc = adv_names_check(ans, names, nnames, "/answers", &errs);
        if ((rc == RK_EINVAL) != cases[k].found)
            fprintf(stderr, "case \"%s\": expected %s\n", cases[k].text,
                    cases[k].found ? "found" : "passing");
        assert_int_equal(rc, cases[k].found ? RK_EINVAL : RK_OK);
        assert_int_equal(errs.n, cases[k].found ? 1 : 0);
        if (cases[k].found) {
            assert_string_equal(errs.e[0].pointer, "/answers/overview/overview");
            assert_string_equal(errs.e[0].rule, "names_source");
            /* the message repeats no name, nor a part of one */
            for (size_t n = 0; n < nnames; n++)
                if (names[n]) assert_null(strstr(errs.e[0].message, names[n]));
            assert_null(strstr(errs.e[0].message, "東都"));
            assert_null(strstr(errs.e[0].message, "7990"));
            assert_null(strstr(errs.e[0].message, "Toto"));
        }
        json_decref(ans);
    }
}

static void test_names_check(void **state)
{
    const char *ja = demo_org("toto", "name_ja"), *en = demo_org("toto", "name_en"),
               *cn = demo_org("toto", "corporate_number");
    assert_string_equal(ja, "東都電力株式会社");
    assert_string_equal(en, "Toto Electric Power Co., Inc.");
    assert_string_equal(cn, "7990001000001");
    const char *names[] = {ja, NULL, en, cn, "東"};
    struct jv_errors errs = {0};
    json_t *a = ut_json_q(FIG8);
    assert_int_equal(adv_names_check(a, names, 5, "/answers", &errs), RK_OK);
    assert_int_equal(errs.n, 0);
    json_decref(a);

    static const struct name_case cases[] = {
        /* the whole names */
        {"東都電力株式会社の配信APIに攻撃。", true},
        {"東都 電力株式会社の配信APIに攻撃。", true},
        {"東都　電力　株式会社への攻撃", true},
        {"TOTO ELECTRIC POWER CO., INC. was attacked", true},
        {"法人番号 7990001000001", true},
        /* the evasions of the review */
        {"東都電力の件", true},
        {"Toto Electric Power の件", true},
        {"株式会社 東都電力", true},
        {"7990-0010-00001", true},
        {"７９９０００１０００００１", true},
        {"ＴＯＴＯ　Ｅｌｅｃｔｒｉｃ　Ｐｏｗｅｒ", true},
        /* inside longer text; case, spacing, punctuation, invisible characters */
        {"昨日、東都電力の需要家向けWebサイトに大規模なDDoS攻撃があり、現在も継続している。", true},
        {"Yesterday  tOtO   eLeCtRiC    pOwEr  reported a DDoS", true},
        {"Toto-Electric-Power", true},
        {"toto_electric.power", true},
        {"東都・電力", true},
        {"「東都」電力", true},
        {"東都\u200b電力", true},
        {"東都電力(株)", true},
        {"東都電力（株）", true},
        {"㈱東都電力", true},
        /* the corporate number, however separated */
        {"法人番号: 7990 0010 00001", true},
        {"7990‐0010‐00001", true},              /* U+2010 */
        {"７９９０－００１０－０００01", true}, /* full-width, mixed */
        {"7990〜0010〜00001", true},
        {"番号は7990と0010と00001", true}, /* digits of the value alone */
        {"T7990001000001", true},
        /* what does not name it */
        {"電力分野の事業者へのDDoS攻撃", false},
        {"東京の事業者", false}, /* "東" alone is ignored */
        {"東都環状鉄道への攻撃", false},
        {"電力株式会社", false},
        {"Power outage", false},
        {"Electric Power Co., Inc.", false},
        {"Toto Electri", false},
        {"法人番号 7990001000002", false},
        {"法人番号 1234567890123", false},
        {"192.0.2.10 2024-05-01 10:00 799000100000", false},
    };
    names_cases(names, 5, cases, RK_ARRAY_LEN(cases));

    /* legal forms at either end, Japanese and English, "the" */
    const char *others[] = {
        demo_org("kaede", "name_ja"),     demo_org("kaede", "name_en"),
        demo_org("kenseikai", "name_ja"), demo_org("kenseikai", "name_en"),
        demo_org("teisac", "name_ja"),
    };
    static const struct name_case legal[] = {
        {"東都かえで銀行のATM", true},        /* 株式会社東都かえで銀行 */
        {"Toto Kaede Bank ATMs", true},       /* The Toto Kaede Bank, Ltd. */
        {"東都健生会の病院", true},           /* 医療法人社団東都健生会 */
        {"Toto Kenseikai Medical", true},     /* Toto Kenseikai Medical Corporation */
        {"東都エネルギーＩＳＡＣ経由", true}, /* 一般社団法人東都エネルギーISAC */
        {"かえで銀行", false},
        {"Kaede Bank", false},
        {"健生会", false},
        {"一般社団法人", false},
        {"Medical Corporation", false},
    };
    names_cases(others, RK_ARRAY_LEN(others), legal, RK_ARRAY_LEN(legal));

    /* short names: a core under 3 characters is not matched alone, nor a short number on the
     * digits of the value */
    const char *shorts[] = {"東電株式会社", "AB Inc.", "（株）ＸＹ", "Co., Ltd.", "12345"};
    static const struct name_case shortc[] = {
        {"東電株式会社の件", true}, {"東電の件", false}, {"AB, Inc.", true},
        {"ab testing", false},      {"(株)XY", true},    {"XY社", false},
        {"株式会社ABC", false},     {"1-2-3-4-5", true}, {"port 1234 and 5", false},
    };
    names_cases(shorts, RK_ARRAY_LEN(shorts), shortc, RK_ARRAY_LEN(shortc));

    /* every value is looked at: rows, lists, keys escaped; one error per value */
    a = ut_json_q("{'guidance': {'domains': [{'domain': 'toto-electric.example'}]},"
                  " 'x/y': {'z': ['a', 'b 東都電力株式会社 東都電力株式会社']}}");
    const char *ascii[] = {"toto-electric"};
    errs = (struct jv_errors){0};
    assert_int_equal(adv_names_check(a, ascii, 1, "", &errs), RK_EINVAL);
    assert_int_equal(adv_names_check(a, names, 1, "", &errs), RK_EINVAL);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.e[0].pointer, "/guidance/domains/0/domain");
    assert_string_equal(errs.e[1].pointer, "/x~1y/z/1");
    assert_int_equal(adv_names_check(a, NULL, 3, "", NULL), RK_OK);
    json_decref(a);
    /* a value that is not UTF-8-clean in a name, and a very long name, do not derail it */
    const char *odd[] = {"東都\xff電力株式会社", ""};
    a = ut_json_q("{'o': '東都電力の件'}");
    assert_int_equal(adv_names_check(a, odd, 2, "", NULL), RK_EINVAL);
    char *longname = malloc(4096);
    assert_non_null(longname);
    memset(longname, 'x', 4095);
    memcpy(longname + 4095 - 4, " Inc", 4);
    longname[4095] = '\0';
    const char *lng[] = {longname};
    assert_int_equal(adv_names_check(a, lng, 1, "", NULL), RK_OK);
    free(longname);
    json_decref(a);
}

/* ---- the printed form ------------------------------------------------------------------- */

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_print(void **state)
{
    json_t *form = forms_resolved(forms, rd, advisory_form());
    assert_non_null(form);
    json_t *ans =
        accept("{'guidance': {'urls': [{'url': 'hxxp://example[.]co[.]jp/top(.)html'}]}}");
    struct rp_meta meta = {.tlp = "TLP:AMBER"};
    char *html = NULL;
    size_t len = 0;
    assert_int_equal(rp_render(form, ans, NULL, &meta, &html, &len), RK_OK);
    if (getenv("RP_SAMPLE_OUT")) {
        FILE *f = fopen(getenv("RP_SAMPLE_OUT"), "w");
        if (f) {
            fwrite(html, 1, len, f);
            fclose(f);
        }
    }
    static const char *const want[] = {"情報提供様式（第1報）",
                                       "<title>情報提供様式（第1報） T0000001</title>",
                                       "(内閣官房→重要インフラ所管省庁)",
                                       "T0000001",
                                       "2022年10月3日 13時0分",
                                       "経済産業省",
                                       "総務省",
                                       "192.0.2.10",
                                       "2001:db8::1",
                                       "198.51.100.0/24",
                                       "example.com",
                                       "http://example.co.jp/top.html",
                                       SHA256,
                                       "CVE-2021-44228",
                                       "T1189",
                                       "提供 花子",
                                       "注意喚起"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!strstr(html, want[i])) fprintf(stderr, "missing: %s\n", want[i]);
        assert_non_null(strstr(html, want[i]));
    }
    /* no report kinds, no source; the date printed once, in the header block */
    assert_null(strstr(html, "速報"));
    assert_null(strstr(html, "連絡元"));
    assert_int_equal(count(html, "情報提供日時"), 1);
    assert_int_equal(count(html, "2022年10月3日 13時0分"), 1);
    assert_int_equal(count(html, "第 報"), 0);
    free(html);

    /* meta wins over the answers */
    meta = (struct rp_meta){.tlp = "TLP:AMBER",
                            .ident = "T0000009",
                            .report_number = 2,
                            .severity = "alert",
                            .filed_at = "2022-10-05T01:00:00Z"};
    json_object_del(json_object_get(ans, "header"), "advisory_datetime");
    assert_int_equal(rp_render(form, ans, NULL, &meta, &html, &len), RK_OK);
    assert_non_null(strstr(html, "情報提供様式（第2報）"));
    assert_non_null(strstr(html, "T0000009"));
    assert_null(strstr(html, "T0000001"));
    assert_non_null(strstr(html, "2022年10月5日 10時0分"));
    assert_non_null(strstr(html, "<span class=\"box on\">■警報"));
    free(html);
    json_decref(ans);
    json_decref(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_loaded_and_checked),
        cmocka_unit_test(test_check_form_refuses),
        cmocka_unit_test(test_fig8_valid_and_idempotent),
        cmocka_unit_test(test_liaison_identification_rule_not_applied),
        cmocka_unit_test(test_client_check),
        cmocka_unit_test(test_recipients),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_hashes),
        cmocka_unit_test(test_cve_ids),
        cmocka_unit_test(test_techniques),
        cmocka_unit_test(test_distinct_rows),
        cmocka_unit_test(test_errors_accumulate),
        cmocka_unit_test(test_sectors_ministries_indicators),
        cmocka_unit_test(test_mapping_check),
        cmocka_unit_test(test_from_report_demo),
        cmocka_unit_test(test_from_report_labels),
        cmocka_unit_test(test_names_check),
        cmocka_unit_test(test_print),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
