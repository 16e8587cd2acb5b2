/*
 * test_report_form.c — src/domain/report_form: the three real form definitions
 * (data/forms/<name>.json) pass rf_check_definition and broken copies fail at the expected pointer;
 * answers are validated rule by rule (one rejecting case per rule, with its exact pointer) and
 * normalised (IPv6 in RFC 5952 form, multi_enum in the order of the choices, not-given
 * fields dropped), and a normalised report is valid again and normalises to itself.
 *
 * Answers are written as JSON with ' for " (no Japanese text here needs an apostrophe).
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

#include "core/rk.h"
#include "domain/report_form.h"

#define DATA_DIR RK_SOURCE_DIR "/data"

enum { LIAISON, DDOS, RANSOMWARE, NFORMS };
static const char *const names[NFORMS] = {"liaison", "ddos", "ransomware"};

static json_t *forms[NFORMS];
static json_t *techniques; /* id → technique */
static json_t *sector_codes;
static struct rf_refs refs;

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

static bool technique_ok(void *ctx, const char *id)
{
    const json_t *t = json_object_get(ctx, id);
    return t && !json_is_true(json_object_get(t, "revoked")) &&
           !json_is_true(json_object_get(t, "deprecated"));
}

static int setup(void **state)
{
    for (int i = 0; i < NFORMS; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "forms/%s.json", names[i]);
        if (!(forms[i] = load(rel))) return -1;
    }
    json_t *attack = load("attack_techniques.json"), *sectors = load("sectors.json");
    if (!attack || !sectors) return -1;
    techniques = json_object();
    sector_codes = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(attack, "techniques"), i, t)
        json_object_set(techniques, json_string_value(json_object_get(t, "id")), t);
    json_array_foreach(json_object_get(sectors, "sectors"), i, t)
        json_array_append(sector_codes, json_object_get(t, "code"));
    json_decref(attack);
    json_decref(sectors);
    refs = (struct rf_refs){sector_codes, technique_ok, techniques};
    return 0;
}

static int teardown(void **state)
{
    for (int i = 0; i < NFORMS; i++)
        json_decref(forms[i]);
    json_decref(techniques);
    json_decref(sector_codes);
    return 0;
}

/* ---- definitions ------------------------------------------------------------------------ */

static void test_real_definitions_pass(void **state)
{
    for (int i = 0; i < NFORMS; i++) {
        struct jv_errors errs = {0};
        int rc = rf_check_definition(forms[i], &refs, &errs);
        if (rc != RK_OK) {
            fprintf(stderr, "%s:\n", names[i]);
            ut_print_errors(&errs);
        }
        assert_int_equal(rc, RK_OK);
        assert_int_equal(errs.n, 0);
    }
}

/* Runs a mutation on a copy of form and expects exactly one error, at pointer with rule. */
static void expect_def(int form, const char *patch_path, const char *json_value,
                       const char *pointer, const char *rule)
{
    json_t *copy = json_deep_copy(forms[form]);
    assert_non_null(copy);
    /* patch_path: "/a/1/b" — every step but the last must exist; the last is set (or, with
     * json_value NULL, deleted). */
    char path[256];
    snprintf(path, sizeof path, "%s", patch_path);
    char *last = strrchr(path, '/');
    *last++ = '\0';
    json_t *at = copy;
    for (char *tok = strtok(path, "/"); tok; tok = strtok(NULL, "/"))
        at = json_is_array(at) ? json_array_get(at, strtoul(tok, NULL, 10))
                               : json_object_get(at, tok);
    assert_non_null(at);
    if (json_is_array(at)) {
        size_t idx = strtoul(last, NULL, 10);
        if (json_value)
            json_array_set_new(at, idx, ut_json_q(json_value));
        else
            json_array_remove(at, idx);
    } else if (json_value) {
        json_object_set_new(at, last, ut_json_q(json_value));
    } else {
        json_object_del(at, last);
    }
    struct jv_errors errs = {0};
    int rc = rf_check_definition(copy, &refs, &errs);
    if (errs.n != 1 || strcmp(errs.e[0].pointer, pointer) != 0 ||
        strcmp(errs.e[0].rule, rule) != 0) {
        fprintf(stderr, "%s %s: want %s [%s], got:\n", names[form], patch_path, pointer, rule);
        ut_print_errors(&errs);
    }
    assert_int_equal(rc, RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, pointer);
    assert_string_equal(errs.e[0].rule, rule);
    json_decref(copy);
}

static void test_broken_definitions_fail(void **state)
{
    /* the form object */
    expect_def(LIAISON, "/name", NULL, "/name", "required");
    expect_def(LIAISON, "/name", "'incident'", "/name", "enum");
    expect_def(LIAISON, "/version", "0", "/version", "minimum");
    expect_def(LIAISON, "/colour", "'red'", "/colour", "unknown_field");
    expect_def(DDOS, "/first_response_advice", "[{'ja': 'x', 'en': 'x'}]", "/first_response_advice",
               "unknown_field");
    expect_def(LIAISON, "/sections", "[]", "/sections", "min_items");
    /* sections */
    expect_def(LIAISON, "/sections/1/id", "'header'", "/sections/1/id", "unique_items");
    expect_def(LIAISON, "/sections/1/id", "'Sender'", "/sections/1/id", "format");
    expect_def(LIAISON, "/sections/3/label_ja", "''", "/sections/3/label_ja", "min_length");
    expect_def(LIAISON, "/sections/12/fields", "[]", "/sections/12/fields", "min_items");
    /* fields */
    expect_def(LIAISON, "/sections/0/fields/0/type", "'string'", "/sections/0/fields/0/type",
               "enum");
    expect_def(LIAISON, "/sections/0/fields/1/colour", "1", "/sections/0/fields/1/colour",
               "unknown_field");
    expect_def(LIAISON, "/sections/0/fields/0/max_len", "10", "/sections/0/fields/0/max_len",
               "unknown_field");
    expect_def(LIAISON, "/sections/7/fields/0/max_len", "0", "/sections/7/fields/0/max_len",
               "minimum");
    expect_def(LIAISON, "/sections/0/fields/1/required", "'yes'", "/sections/0/fields/1/required",
               "type");
    expect_def(LIAISON, "/sections/1/fields/1/id", "'ministry_name'", "/sections/1/fields/1/id",
               "unique_items");
    expect_def(LIAISON, "/sections/12/fields/0/id", "'bureau'", "/sections/12/fields/0/id",
               "unique_items"); /* a field id of another section */
    expect_def(LIAISON, "/sections/2/fields/0/values_from", "'regions'",
               "/sections/2/fields/0/values_from", "enum");
    expect_def(LIAISON, "/sections/2/fields/0/values", "[{'code': 'a', 'ja': 'a', 'en': 'a'}]",
               "/sections/2/fields/0/values_from", "unknown_field");
    expect_def(LIAISON, "/sections/0/fields/0/values", NULL, "/sections/0/fields/0/values",
               "required");
    expect_def(LIAISON, "/sections/0/fields/0/values/1/code", "'alert'",
               "/sections/0/fields/0/values/1/code", "unique_items");
    expect_def(LIAISON, "/sections/0/fields/0/values/1/code", "'Warning!'",
               "/sections/0/fields/0/values/1/code", "format");
    /* groups: a value in an unknown group, and a group split in two */
    expect_def(LIAISON, "/sections/4/fields/0/values/0/group", "'deliberate'",
               "/sections/4/fields/0/values/0/group", "enum");
    expect_def(LIAISON, "/sections/4/fields/0/values/16/group", "'accidental'",
               "/sections/4/fields/0/values/16/group", "group");
    /* rows: a column cannot be rows */
    expect_def(LIAISON, "/sections/10/fields/0/columns/0/type", "'rows'",
               "/sections/10/fields/0/columns/0/type", "enum");
    expect_def(LIAISON, "/sections/10/fields/0/columns/1/id", "'at'",
               "/sections/10/fields/0/columns/1/id", "unique_items");
    /* ATT&CK codes: unknown, and revoked (T0808 is revoked in ATT&CK for ICS) */
    expect_def(DDOS, "/sections/5/fields/0/columns/3/values/0/code", "'T9999'",
               "/sections/5/fields/0/columns/3/values/0/code", "attack_technique");
    expect_def(DDOS, "/sections/5/fields/0/columns/3/values/0/code", "'T0808'",
               "/sections/5/fields/0/columns/3/values/0/code", "attack_technique");
    /* opt-out groups and annexes */
    expect_def(LIAISON, "/sections/1/fields/0/opt_out_group", "'sender'",
               "/sections/1/fields/0/opt_out_group", "unknown_field");
    expect_def(DDOS, "/sections/0/fields/0/opt_out_group", "'header'",
               "/sections/0/fields/0/opt_out_group", "opt_out_group");
    expect_def(DDOS, "/sections/2/fields/0/opt_out_group", "'attack'",
               "/sections/2/fields/0/opt_out_group", "opt_out_group");
    expect_def(DDOS, "/sections/2/fields/0/opt_out_group", NULL,
               "/sections/2/fields/0/opt_out_group", "required");
    expect_def(DDOS, "/sections/3/fields/1/annex", "1", "/sections/3/fields/1/annex",
               "unknown_field");
    /* annex 1 also on an earlier yesno: the later field (annex_1 itself) is the repeat */
    expect_def(RANSOMWARE, "/sections/3/fields/3/annex", "1", "/sections/3/fields/6/annex",
               "unique_items");
    expect_def(RANSOMWARE, "/sections/3/fields/2/annex", "3", "/sections/3/fields/2/annex",
               "annex"); /* on a textarea */
    expect_def(RANSOMWARE, "/sections/3/fields/8/annex", NULL, "/sections", "annex");
    expect_def(RANSOMWARE, "/first_response_advice/0/ja", "''", "/first_response_advice/0/ja",
               "min_length");
}

static void test_definition_needs_sectors(void **state)
{
    struct rf_refs none = {NULL, technique_ok, techniques};
    struct jv_errors errs = {0};
    assert_int_equal(rf_check_definition(forms[LIAISON], &none, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "/sections/6/fields/0/values_from");
    assert_string_equal(errs.e[0].rule, "enum");
    json_t *nonform = ut_json_q("[1, 2]");
    assert_int_equal(rf_check_definition(nonform, &refs, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].pointer, "");
    json_decref(nonform);
}

static void test_rf_field(void **state)
{
    const json_t *f = rf_field(forms[DDOS], "attack", "attacks");
    assert_non_null(f);
    assert_string_equal(json_string_value(json_object_get(f, "type")), "rows");
    assert_null(rf_field(forms[DDOS], "attack", "nope"));
    assert_null(rf_field(forms[DDOS], "nope", "attacks"));
    assert_null(rf_field(forms[DDOS], NULL, "attacks"));
}

/* ---- answers ---------------------------------------------------------------------------- */

/* Seed 004 fig. 5 (情報連絡様式記載例), as far as the example is legible. The placeholders the
 * figure prints where a real report has digits (03-XXXX-YYYY, XX/XX 01:00) are replaced by
 * digits and dates on 2023-08-19; its unreadable ticks (cause types, ⑥) by what its text says
 * (the CMS vulnerability), and 「○○分野」 by the information-and-communications sector. */
static const char fig5[] =
    "{'header': {'report_number': 1, 'liaison_datetime': '2023-08-19T13:15+09:00'},"
    " 'sender': {'ministry_name': 'XX省', 'person_name': '連絡 太郎', 'bureau': 'YY課',"
    "  'phone': '03-1234-5678', 'fax': '03-1234-5679', 'email': 'renraku.taro@xx.go.jp'},"
    " 'sharing': {'tlp': 'TLP:GREEN',"
    "  'special_notes': 'サービス名等、企業が特定される事項を除いて他分野への情報提供可。'},"
    " 'event_type': {'event_type': 'integrity'},"
    " 'cause_types': {'cause_types': ['system_vulnerability']},"
    " 'content': {'has_attachments': false},"
    " 'sector': {'sector': 'ci.info_comm'},"
    " 'operator': {'operator_name': '〇〇株式会社'},"
    " 'overview': {'found_at': '2023-08-18T20:00+09:00', 'occurred_at': '2023-08-19T02:59+09:00',"
    "  'affected_system': '会員情報管理サービス(https://example.com/top.php)\\n"
    "・会員がアクセスし、個人情報の変更やサービス申込等を実施。',"
    "  'description': '・〇〇株式会社の会員情報管理サービスのWEBサイトが改竄された。\\n"
    "・閲覧したユーザにウイルス感染の恐れがあり、現在、当該サイトを一時閉鎖しサービス停止中。\\n"
    "・多数の個人情報流出が確認されており、被害の詳細を調査中。',"
    "  'system_status': 'stopped'},"
    " 'timeline': {'timeline': ["
    "   {'at': '2023-08-19T00:00+09:00',"
    "    'event': '外部より〇〇株式会社のHPがおかしいと匿名メールを受信。'},"
    "   {'at': '2023-08-19T01:00+09:00', 'event': 'WEBサイトが改竄されていることを確認。'},"
    "   {'at': '2023-08-19T03:00+09:00',"
    "    'event': 'アクセスした利用者にウィルス感染のおそれがあるためサーバを停止。'}],"
    "  'supplementary': '・XX月XX日現在、〇〇件の個人情報流出を確認。"
    "(名前、住所、電話番号、メールアドレスが漏えい。)\\n"
    "・コンテンツ管理システムYYYYのv99.99の脆弱性を突かれたものと想定される。',"
    "  'press_release': 'done', 'press_release_at': '2023-08-19T09:00+09:00',"
    "  'press_release_title': '〇〇株式会社のトップページにニュースリリースを掲載。"
    "(https://example.com/newsXXXX)',"
    "  'ppc_contact': 'checking',"
    "  'other_contacts': 'XX/XX 10:00頃 〇〇県警へ通報'},"
    " 'next_steps': {'next_steps': 'ongoing'},"
    " 'lessons': {'lessons': '・現時点での得られた教訓は、経営層への情報のエスカレーション体制を"
    "普段から確認し、迅速な判断ができるようにすること。'}}";

/* A quick report (速報): the liaison form's required items only. */
static const char quick[] =
    "{'header': {'report_number': 1, 'liaison_datetime': '2023-08-19T13:15+09:00'},"
    " 'sender': {'ministry_name': 'XX省', 'person_name': '連絡 太郎', 'phone': '03-1234-5678'},"
    " 'sharing': {'tlp': 'TLP:AMBER+STRICT'}, 'content': {'has_attachments': false},"
    " 'sector': {'sector': 'ci.finance'}}";

/* Validates, expects success, checks that the normalised answers validate again to
 * themselves, and returns them. */
static json_t *valid(int form, const json_t *answers)
{
    struct jv_errors errs = {0};
    json_t *out = NULL;
    int rc = rf_validate(forms[form], &refs, answers, "/answers", &out, &errs);
    if (rc != RK_OK) ut_print_errors(&errs);
    assert_int_equal(rc, RK_OK);
    assert_int_equal(errs.n, 0);
    assert_non_null(out);
    json_t *again = NULL;
    assert_int_equal(rf_validate(forms[form], &refs, out, "", &again, &errs), RK_OK);
    assert_true(json_equal(out, again));
    json_decref(again);
    return out;
}

static void test_fig5_example(void **state)
{
    json_t *a = ut_json_q(fig5);
    json_t *out = valid(LIAISON, a);
    assert_true(json_equal(out, a)); /* already in normal form: nothing to change */
    json_decref(out);
    json_decref(a);
}

static void test_quick_report(void **state)
{
    json_t *a = ut_json_q(quick);
    json_t *out = valid(LIAISON, a);
    assert_true(json_equal(out, a));
    json_decref(out);
    json_decref(a);
    /* nothing is required on the common forms */
    json_t *empty = ut_json_q("{}");
    out = valid(DDOS, empty);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    out = valid(RANSOMWARE, empty);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    json_decref(empty);
}

/* The base answers of a form (quick for liaison, {} otherwise) with patch merged in. */
static json_t *with(int form, const char *patch)
{
    json_t *a = ut_json_q(form == LIAISON ? quick : "{}"), *p = ut_json_q(patch);
    assert_int_equal(json_object_update_recursive(a, p), 0);
    json_decref(p);
    return a;
}

/* Expects exactly one error, at pointer with rule. */
static void expect(int form, const char *patch, const char *pointer, const char *rule)
{
    json_t *a = with(form, patch);
    struct jv_errors errs = {0};
    json_t *out = (json_t *)&errs; /* must be reset to NULL */
    int rc = rf_validate(forms[form], &refs, a, "/answers", &out, &errs);
    if (errs.n != 1 || strcmp(errs.e[0].pointer, pointer) != 0 ||
        strcmp(errs.e[0].rule, rule) != 0) {
        fprintf(stderr, "%s %s: want %s [%s], got:\n", names[form], patch, pointer, rule);
        ut_print_errors(&errs);
    }
    assert_int_equal(rc, RK_EINVAL);
    assert_null(out);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, pointer);
    assert_string_equal(errs.e[0].rule, rule);
    json_decref(a);
}

static void test_structure_rules(void **state)
{
    expect(LIAISON, "{'appendix': {}}", "/answers/appendix", "unknown_field");
    expect(LIAISON, "{'sender': {'nickname': 'taro'}}", "/answers/sender/nickname",
           "unknown_field");
    expect(LIAISON, "{'sender': 'XX省'}", "/answers/sender", "type");
    expect(LIAISON, "{'sender': {'person_name': null}}", "/answers/sender/person_name", "required");
    expect(LIAISON, "{'sender': {'person_name': ''}}", "/answers/sender/person_name", "required");
    expect(LIAISON, "{'sector': null}", "/answers/sector/sector", "required");
    expect(LIAISON, "{'timeline': {'timeline': [{'at': '2023-08-19T00:00+09:00', 'where': 'x'}]}}",
           "/answers/timeline/timeline/0/where", "unknown_field");
    expect(LIAISON, "{'timeline': {'timeline': ['XX/XX 00:00']}}", "/answers/timeline/timeline/0",
           "type");
    expect(LIAISON, "{'timeline': {'timeline': {'at': '2023-08-19T00:00+09:00'}}}",
           "/answers/timeline/timeline", "type");
    /* 識別番号: blank on the 1st report, required from the 2nd */
    expect(LIAISON, "{'header': {'report_number': 2}}", "/answers/header/identification_number",
           "required");
    expect(LIAISON, "{'header': {'report_number': 2, 'identification_number': ''}}",
           "/answers/header/identification_number", "required");
    expect(LIAISON, "{'header': {'report_number': 2, 'identification_number': '  '}}",
           "/answers/header/identification_number", "required");
    json_t *second = with(LIAISON, "{'header': {'report_number': 2, "
                                   "'identification_number': 'R05-0123'}}");
    json_decref(valid(LIAISON, second));
    json_decref(second);

    /* the answers themselves */
    struct jv_errors errs = {0};
    json_t *out = NULL, *arr = ut_json_q("[]");
    assert_int_equal(rf_validate(forms[LIAISON], &refs, arr, "/answers", &out, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].pointer, "/answers");
    assert_string_equal(errs.e[0].rule, "type");
    /* errors accumulate: errs is not reset */
    json_t *bad = with(DDOS, "{'other': {'other': 1}}");
    assert_int_equal(rf_validate(forms[DDOS], &refs, bad, "/reports/0", &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 2);
    assert_string_equal(errs.e[1].pointer, "/reports/0/other/other");
    json_decref(bad);
    json_decref(arr);
}

static void test_choice_rules(void **state)
{
    expect(LIAISON, "{'sharing': {'tlp': 'TLP:WHITE'}}", "/answers/sharing/tlp", "enum");
    expect(LIAISON, "{'sharing': {'tlp': 'tlp:green'}}", "/answers/sharing/tlp", "enum");
    expect(LIAISON, "{'header': {'severity': 'critical'}}", "/answers/header/severity", "enum");
    expect(LIAISON, "{'sector': {'sector': 'ci.space'}}", "/answers/sector/sector", "enum");
    expect(LIAISON, "{'event_type': {'event_type': ['integrity']}}",
           "/answers/event_type/event_type", "type");
    expect(LIAISON, "{'cause_types': {'cause_types': ['insider', 'suspicious_mail', 'insider']}}",
           "/answers/cause_types/cause_types/2", "unique_items");
    expect(LIAISON, "{'cause_types': {'cause_types': ['insider', 'hackers']}}",
           "/answers/cause_types/cause_types/1", "enum");
    expect(LIAISON, "{'content': {'has_attachments': 'no'}}", "/answers/content/has_attachments",
           "type");
    /* T1566 is a real technique, but not a DDoS attack type */
    expect(DDOS, "{'attack': {'attacks': [{'attack_type': 'T1566'}]}}",
           "/answers/attack/attacks/0/attack_type", "enum");
    expect(DDOS, "{'attack': {'attacks': [{'attack_type': 'T1498-001'}]}}",
           "/answers/attack/attacks/0/attack_type", "enum");
    /* without a technique list no ATT&CK code is current */
    struct rf_refs blind = {sector_codes, NULL, NULL};
    json_t *a = ut_json_q("{'attack': {'attacks': [{'attack_type': 'T1498.001'}]}}");
    struct jv_errors errs = {0};
    json_t *out = NULL;
    assert_int_equal(rf_validate(forms[DDOS], &blind, a, "", &out, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].pointer, "/attack/attacks/0/attack_type");
    assert_string_equal(errs.e[0].rule, "attack_technique");
    json_decref(a);
}

static void test_text_rules(void **state)
{
    expect(LIAISON, "{'operator': {'operator_name': 'A\\tB'}}", "/answers/operator/operator_name",
           "control_characters");
    expect(LIAISON, "{'operator': {'operator_name': '〇〇\\n株式会社'}}",
           "/answers/operator/operator_name", "control_characters");
    expect(LIAISON, "{'operator': {'operator_name': '\\u2028'}}", "/answers/operator/operator_name",
           "control_characters");
    expect(LIAISON, "{'operator': {'operator_name': 'x\\u0085'}}",
           "/answers/operator/operator_name", "control_characters");
    expect(LIAISON, "{'lessons': {'lessons': 'a\\r\\nb'}}", "/answers/lessons/lessons",
           "control_characters");
    expect(LIAISON, "{'operator': {'operator_name': 7}}", "/answers/operator/operator_name",
           "type");
    /* max_len counts code points: 200 kanji pass (600 bytes), 201 do not */
    char patch[2048];
    char name[1024];
    size_t len = 0;
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(name + len, sizeof name - len, "漢");
    snprintf(patch, sizeof patch, "{'operator': {'operator_name': '%s'}}", name);
    json_t *ok = with(LIAISON, patch);
    json_decref(valid(LIAISON, ok));
    json_decref(ok);
    snprintf(name + len, sizeof name - len, "字");
    snprintf(patch, sizeof patch, "{'operator': {'operator_name': '%s'}}", name);
    expect(LIAISON, patch, "/answers/operator/operator_name", "max_length");
    /* a textarea keeps its line feeds */
    json_t *lf = with(LIAISON, "{'lessons': {'lessons': '一行目\\n二行目'}}");
    json_t *out = valid(LIAISON, lf);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "lessons"), "lessons")),
        "一行目\n二行目");
    json_decref(out);
    json_decref(lf);
}

static void test_format_rules(void **state)
{
    expect(LIAISON, "{'header': {'liaison_datetime': '2023-08-19T13:15'}}",
           "/answers/header/liaison_datetime", "datetime");
    expect(LIAISON, "{'header': {'liaison_datetime': '2023-08-19T13:15:00'}}",
           "/answers/header/liaison_datetime", "datetime");
    expect(LIAISON, "{'header': {'liaison_datetime': '2023-08-19 13:15+09:00'}}",
           "/answers/header/liaison_datetime", "datetime");
    expect(LIAISON, "{'header': {'liaison_datetime': '2023-02-29T13:15+09:00'}}",
           "/answers/header/liaison_datetime", "datetime");
    expect(LIAISON, "{'header': {'liaison_datetime': '2023-08-19T13:15.5+09:00'}}",
           "/answers/header/liaison_datetime", "datetime");
    expect(LIAISON, "{'header': {'liaison_datetime': '2023-08-19T24:00+09:00'}}",
           "/answers/header/liaison_datetime", "datetime");
    expect(DDOS, "{'next_steps': {'published_on': '2025-13-01'}}",
           "/answers/next_steps/published_on", "date");
    expect(DDOS, "{'reporter': {'corporate_number': '1234567890123'}}",
           "/answers/reporter/corporate_number", "corporate_number");
    expect(DDOS, "{'reporter': {'corporate_number': 7000012050002}}",
           "/answers/reporter/corporate_number", "type");
    expect(DDOS, "{'reporter': {'email': 'renraku.taro at xx.go.jp'}}", "/answers/reporter/email",
           "email");
    expect(LIAISON, "{'sender': {'fax': '03-XXXX-YYYY'}}", "/answers/sender/fax", "phone");
    expect(LIAISON, "{'sender': {'phone': '+81 (3) 1234-5678 ext 9'}}", "/answers/sender/phone",
           "phone");
    /* accepted forms: minute and second precision, fractions, Z, a real corporate number */
    json_t *a = ut_json_q("{'header': {'reported_at': '2023-08-19T13:15Z', 'previous_report_at': "
                          "'2023-08-19T13:15:07.25-03:30'}, 'reporter': {'corporate_number': "
                          "'7000012050002', 'phone': '+81 (3) 1234-5678'}, 'next_steps': "
                          "{'published_on': '2024-02-29'}}");
    json_t *out = valid(DDOS, a);
    assert_true(json_equal(out, a));
    json_decref(out);
    json_decref(a);
}

static void test_number_rules(void **state)
{
    expect(DDOS, "{'attack': {'attacks': [{'traffic_bps': -1}]}}",
           "/answers/attack/attacks/0/traffic_bps", "minimum");
    expect(DDOS, "{'attack': {'attacks': [{'traffic_pps': -0.5}]}}",
           "/answers/attack/attacks/0/traffic_pps", "minimum");
    expect(DDOS, "{'attack': {'attacks': [{'traffic_rps': '1万RPS'}]}}",
           "/answers/attack/attacks/0/traffic_rps", "type");
    expect(LIAISON, "{'header': {'report_number': 0}}", "/answers/header/report_number", "minimum");
    expect(LIAISON, "{'header': {'report_number': 1.0}}", "/answers/header/report_number", "type");
    /* One spelling per value: whole numbers become integers (1.0e10, -0.0), fractions stay, so a
     * follow-up repeating a value differently is not a change. */
    json_t *a = ut_json_q("{'attack': {'attacks': [{'traffic_bps': 1.0e10, 'traffic_pps': 1000, "
                          "'traffic_rps': -0.0}, {'traffic_bps': 1.5}]}}");
    json_t *want =
        ut_json_q("{'attack': {'attacks': [{'traffic_bps': 10000000000, 'traffic_pps': 1000, "
                  "'traffic_rps': 0}, {'traffic_bps': 1.5}]}}");
    json_t *out = valid(DDOS, a);
    assert_true(json_equal(out, want));
    json_decref(out);
    json_decref(want);
    json_decref(a);
}

static void test_network_rules(void **state)
{
    expect(DDOS, "{'attack': {'attacks': [{'source_ips': ['192.0.2.1', '2001:db8::g']}]}}",
           "/answers/attack/attacks/0/source_ips/1", "ip");
    expect(DDOS, "{'attack': {'attacks': [{'source_ips': ['2001:db8:::1']}]}}",
           "/answers/attack/attacks/0/source_ips/0", "ip");
    expect(DDOS, "{'attack': {'attacks': [{'source_ips': ['192.0.2.01']}]}}",
           "/answers/attack/attacks/0/source_ips/0", "ip");
    expect(DDOS, "{'attack': {'attacks': [{'source_ips': ['192.0.2.0/24']}]}}",
           "/answers/attack/attacks/0/source_ips/0", "ip");
    expect(DDOS, "{'attack': {'attacks': [{'source_ips': ['fe80::1%eth0']}]}}",
           "/answers/attack/attacks/0/source_ips/0", "ip");
    expect(RANSOMWARE, "{'attack': {'c2_ips': ['2001:db8::1', '2001:DB8:0:0::1']}}",
           "/answers/attack/c2_ips/1", "unique_items");
    expect(DDOS, "{'attack': {'attacks': [{'destination_ports': [70000]}]}}",
           "/answers/attack/attacks/0/destination_ports/0", "port");
    expect(DDOS, "{'attack': {'attacks': [{'destination_ports': [80, '10-5']}]}}",
           "/answers/attack/attacks/0/destination_ports/1", "port");
    expect(DDOS, "{'attack': {'attacks': [{'source_ports': [-1]}]}}",
           "/answers/attack/attacks/0/source_ports/0", "port");
    expect(DDOS, "{'attack': {'attacks': [{'source_ports': ['80']}]}}",
           "/answers/attack/attacks/0/source_ports/0", "port");
    expect(DDOS, "{'attack': {'attacks': [{'source_ports': ['1024-65536']}]}}",
           "/answers/attack/attacks/0/source_ports/0", "port");
    expect(DDOS, "{'attack': {'attacks': [{'source_ports': [53.0]}]}}",
           "/answers/attack/attacks/0/source_ports/0", "port");
    json_t *a =
        ut_json_q("{'attack': {'attacks': [{'source_ports': [0, 65535, '1024-65535', '53-53'], "
                  "'destination_ports': [443, 443]}]}}");
    json_t *out = valid(DDOS, a);
    assert_true(json_equal(out, a)); /* ports as given; repeats allowed */
    json_decref(out);
    json_decref(a);
}

static void test_list_limits(void **state)
{
    /* attacks allow 20 blocks */
    json_t *a = ut_json_q("{'attack': {'attacks': []}}");
    json_t *rows = json_object_get(json_object_get(a, "attack"), "attacks");
    for (int i = 0; i < 21; i++)
        json_array_append_new(rows, json_object());
    struct jv_errors errs = {0};
    json_t *out = NULL;
    assert_int_equal(rf_validate(forms[DDOS], &refs, a, "", &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "/attack/attacks");
    assert_string_equal(errs.e[0].rule, "max_items");
    json_array_remove(rows, 0);
    json_decref(valid(DDOS, a)); /* 20 empty blocks are fine */
    json_decref(a);
    /* 1000 source addresses pass, 1001 do not */
    a = ut_json_q("{'attack': {'attacks': [{'source_ips': []}]}}");
    json_t *ips = json_object_get(
        json_array_get(json_object_get(json_object_get(a, "attack"), "attacks"), 0), "source_ips");
    for (int i = 0; i < 1000; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
        json_array_append_new(ips, json_string(ip));
    }
    json_decref(valid(DDOS, a));
    json_array_append_new(ips, json_string("10.9.9.9"));
    errs = (struct jv_errors){0};
    assert_int_equal(rf_validate(forms[DDOS], &refs, a, "", &out, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].pointer, "/attack/attacks/0/source_ips");
    assert_string_equal(errs.e[0].rule, "max_items");
    json_decref(a);
}

/* Types the three forms do not use (cidr_list, attack_technique, integer with a negative
 * min, multi_enum from sectors, default limits, a required column) on a small form. */
static const char extra_form[] =
    "{'name': 'extra', 'sections': [{'id': 'extra', 'fields': ["
    " {'id': 'nets', 'type': 'cidr_list', 'required': false, 'max_items': 3},"
    " {'id': 'technique', 'type': 'attack_technique', 'required': false},"
    " {'id': 'offset', 'type': 'integer', 'required': false, 'min': -5},"
    " {'id': 'sectors', 'type': 'multi_enum', 'values_from': 'sectors', 'required': false},"
    " {'id': 'note', 'type': 'text', 'required': false},"
    " {'id': 'files', 'type': 'attachment', 'required': false},"
    " {'id': 'items', 'type': 'rows', 'required': false, 'columns': ["
    "   {'id': 'must', 'type': 'text', 'required': true},"
    "   {'id': 'day', 'type': 'date', 'required': false}]}]}]}";

static void expect_extra(const char *answers, const char *pointer, const char *rule)
{
    json_t *form = ut_json_q(extra_form), *a = ut_json_q(answers);
    struct jv_errors errs = {0};
    json_t *out = NULL;
    int rc = rf_validate(form, &refs, a, "", &out, &errs);
    if (errs.n != 1 || strcmp(errs.e[0].pointer, pointer) != 0) ut_print_errors(&errs);
    assert_int_equal(rc, RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, pointer);
    assert_string_equal(errs.e[0].rule, rule);
    json_decref(form);
    json_decref(a);
}

static void test_other_types(void **state)
{
    expect_extra("{'extra': {'nets': ['192.0.2.1/24']}}", "/extra/nets/0", "cidr");
    expect_extra("{'extra': {'nets': ['2001:db8::1/32']}}", "/extra/nets/0", "cidr");
    expect_extra("{'extra': {'nets': ['192.0.2.0/33']}}", "/extra/nets/0", "cidr");
    expect_extra("{'extra': {'nets': ['192.0.2.0']}}", "/extra/nets/0", "cidr");
    expect_extra("{'extra': {'nets': ['2001:DB8::/32', '2001:db8:0::/32']}}", "/extra/nets/1",
                 "unique_items");
    expect_extra("{'extra': {'nets': ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', "
                 "'10.3.0.0/16']}}",
                 "/extra/nets", "max_items");
    expect_extra("{'extra': {'technique': 'T9999'}}", "/extra/technique", "attack_technique");
    expect_extra("{'extra': {'technique': 'T0808'}}", "/extra/technique", "attack_technique");
    expect_extra("{'extra': {'offset': -6}}", "/extra/offset", "minimum");
    expect_extra("{'extra': {'sectors': ['ci.finance', 'ci.finance']}}", "/extra/sectors/1",
                 "unique_items");
    expect_extra("{'extra': {'files': ['']}}", "/extra/files/0", "format");
    expect_extra("{'extra': {'files': ['4xyz']}}", "/extra/files/0", "format");
    expect_extra("{'extra': {'files': ['012']}}", "/extra/files/0", "format");
    expect_extra("{'extra': {'items': [{'day': '2024-01-01'}]}}", "/extra/items/0/must",
                 "required");
    expect_extra("{'extra': {'items': [{'must': 'x', 'day': '2024-1-1'}]}}", "/extra/items/0/day",
                 "date");
    /* the default max_len is 10000 code points */
    char *big = malloc(10002);
    assert_non_null(big);
    memset(big, 'a', 10001);
    big[10001] = '\0';
    json_t *form = ut_json_q(extra_form), *a = json_pack("{s:{s:s}}", "extra", "note", big);
    struct jv_errors errs = {0};
    json_t *out = NULL;
    assert_int_equal(rf_validate(form, &refs, a, "", &out, &errs), RK_EINVAL);
    assert_string_equal(errs.e[0].rule, "max_length");
    json_decref(a);
    big[10000] = '\0';
    a = json_pack("{s:{s:s}}", "extra", "note", big);
    errs = (struct jv_errors){0};
    assert_int_equal(rf_validate(form, &refs, a, "", &out, &errs), RK_OK);
    json_decref(out);
    json_decref(a);
    free(big);

    /* normalised: CIDRs canonical, sectors in data/sectors.json order */
    a = ut_json_q(
        "{'extra': {'nets': ['2001:DB8:0::/32', '192.0.2.0/24'], 'technique': 'T1498.001',"
        " 'offset': -5, 'sectors': ['ci.port', 'core.electricity', 'ci.finance'],"
        " 'items': [{'must': 'x', 'day': null}]}}");
    errs = (struct jv_errors){0};
    assert_int_equal(rf_validate(form, &refs, a, "", &out, &errs), RK_OK);
    json_t *want =
        ut_json_q("{'extra': {'nets': ['2001:db8::/32', '192.0.2.0/24'], 'technique': "
                  "'T1498.001', 'offset': -5, 'sectors': ['core.electricity', 'ci.finance',"
                  " 'ci.port'], 'items': [{'must': 'x'}]}}");
    assert_true(json_equal(out, want));
    json_decref(want);
    json_decref(out);
    json_decref(a);
    json_decref(form);
}

static void test_normalisation(void **state)
{
    json_t *a = with(LIAISON, "{'cause_types': {'cause_types': ['unknown', 'suspicious_mail', "
                              "'insider']}, 'overview': {'found_at': null, 'description': null},"
                              " 'impact': {'spread_possible': null}, 'lessons': null}");
    json_t *out = valid(LIAISON, a);
    json_t *want = with(LIAISON, "{'cause_types': {'cause_types': ['suspicious_mail', 'insider', "
                                 "'unknown']}}");
    assert_true(json_equal(out, want)); /* reordered; null fields and empty sections dropped */
    json_decref(want);
    json_decref(out);
    json_decref(a);

    a = ut_json_q(
        "{'attack': {'attacks': [{'source_ips': ['2001:0DB8:0000:0000:0000:0000:0000:0001', "
        "'::FFFF:192.0.2.1', '2001:db8:0:1:0:0:0:1', '192.0.2.1', '::']}]},"
        " 'reporter': {'name': null}}");
    out = valid(DDOS, a);
    want = ut_json_q("{'attack': {'attacks': [{'source_ips': ['2001:db8::1', '::ffff:192.0.2.1', "
                     "'2001:db8:0:1::1', '192.0.2.1', '::']}]}}");
    assert_true(json_equal(out, want));
    json_decref(want);
    json_decref(out);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_definitions_pass),
        cmocka_unit_test(test_broken_definitions_fail),
        cmocka_unit_test(test_definition_needs_sectors),
        cmocka_unit_test(test_rf_field),
        cmocka_unit_test(test_fig5_example),
        cmocka_unit_test(test_quick_report),
        cmocka_unit_test(test_structure_rules),
        cmocka_unit_test(test_choice_rules),
        cmocka_unit_test(test_text_rules),
        cmocka_unit_test(test_format_rules),
        cmocka_unit_test(test_number_rules),
        cmocka_unit_test(test_network_rules),
        cmocka_unit_test(test_list_limits),
        cmocka_unit_test(test_other_types),
        cmocka_unit_test(test_normalisation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
