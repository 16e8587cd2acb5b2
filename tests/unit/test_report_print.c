/*
 * test_report_print.c — the printed form (domain/report_print.h) over the real form definitions
 * in data/forms: a liaison report filled in like seed 004 fig. 5, a DDoS report with attack
 * blocks, a ransomware report with the first-response advice, changes since the previous report
 * (from rr_answers_diff), withheld sections, escaping, JST conversion and the error paths.
 *
 * values_from is resolved here the way forms_resolved does (sectors from data/sectors.json in
 * file order, TLP from RED down to CLEAR with policy.c's names), without the refdata loader.
 * With RP_SAMPLE_OUT set, the fig. 5-like report (with changes) is also written to that file
 * for a visual check.
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
#include <jansson.h>

#include "core/rk.h"
#include "domain/policy.h"
#include "domain/report_print.h"
#include "domain/report_rules.h"

static json_t *liaison, *ddos, *ransomware;

/* ---- fixtures ---------------------------------------------------------------------------- */

static json_t *load(const char *rel)
{
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/data/%s", RK_SOURCE_DIR, rel);
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j) fprintf(stderr, "cannot load %s: line %d: %s\n", path, je.line, je.text);
    return j;
}

static void resolve_field(json_t *field, const json_t *sectors)
{
    const char *from = json_string_value(json_object_get(field, "values_from"));
    if (from) {
        json_t *vals = json_array();
        size_t i;
        json_t *s;
        if (strcmp(from, "sectors") == 0) {
            json_array_foreach(sectors, i, s) json_array_append_new(
                vals,
                json_pack("{s:O, s:O, s:O}", "code", json_object_get(s, "code"), "ja",
                          json_object_get(s, "name_ja"), "en", json_object_get(s, "name_en")));
        } else {
            for (int t = POL_TLP_RED; t >= POL_TLP_CLEAR; t--)
                json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "code",
                                                      policy_tlp_name((enum pol_tlp)t), "ja",
                                                      policy_tlp_name_ja((enum pol_tlp)t), "en",
                                                      policy_tlp_name((enum pol_tlp)t)));
        }
        json_object_set_new(field, "values", vals);
    }
    size_t i;
    json_t *col;
    json_array_foreach(json_object_get(field, "columns"), i, col) resolve_field(col, sectors);
}

static json_t *load_form(const char *name, const json_t *sectors)
{
    char rel[64];
    snprintf(rel, sizeof rel, "forms/%s.json", name);
    json_t *f = load(rel);
    if (!f) return NULL;
    size_t i, k;
    json_t *sec, *field;
    json_array_foreach(json_object_get(f, "sections"), i, sec)
        json_array_foreach(json_object_get(sec, "fields"), k, field) resolve_field(field, sectors);
    return f;
}

static int setup(void **state)
{
    json_t *sf = load("sectors.json");
    if (!sf) return -1;
    const json_t *sectors = json_object_get(sf, "sectors");
    liaison = load_form("liaison", sectors);
    ddos = load_form("ddos", sectors);
    ransomware = load_form("ransomware", sectors);
    json_decref(sf);
    return liaison && ddos && ransomware ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(liaison);
    json_decref(ddos);
    json_decref(ransomware);
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j) fprintf(stderr, "bad fixture: line %d: %s\n", je.line, je.text);
    assert_non_null(j);
    return j;
}

/* The example of seed 004 fig. 5 (dates of the example; XX/XX times placed on 18–19 Aug). */
static const char FIG5[] =
    "{\"header\": {\"severity\": \"warning\", \"report_number\": 1,"
    "   \"liaison_datetime\": \"2023-08-19T04:15:00Z\"},"
    " \"sender\": {\"ministry_name\": \"XX省\", \"bureau\": \"YY課\", \"person_name\": \"連絡 "
    "太郎\","
    "   \"phone\": \"03-1234-5678\", \"fax\": \"03-1234-5679\", \"email\": "
    "\"renraku.taro@xx.go.jp\"},"
    " \"sharing\": {\"tlp\": \"TLP:GREEN\","
    "   \"special_notes\": \"サービス等、企業が特定される事項を除いて他分野への情報提供可。\"},"
    " \"event_type\": {\"event_type\": \"integrity\"},"
    " \"cause_types\": {\"cause_types\": [\"system_vulnerability\"]},"
    " \"content\": {\"has_attachments\": false},"
    " \"sector\": {\"sector\": \"ci.info_comm\"},"
    " \"operator\": {\"operator_name\": \"〇〇株式会社\"},"
    " \"overview\": {\"found_at\": \"2023-08-18T20:00+09:00\","
    "   \"occurred_at\": \"2023-08-19T02:59+09:00\","
    "   \"affected_system\": "
    "\"会員情報管理サービス(https://example.com/top.php)\\n・会員がアクセスし、"
    "個人情報の変更やサービス申込等を実施。\","
    "   \"description\": \"・〇〇株式会社の会員情報管理サービスのWEBサイトが改竄された。\\n"
    "・閲覧したユーザにウイルス感染の恐れがあり、現在、当該サイトを一時閉鎖しサービス停止中。\\n"
    "・多数の個人情報流出が確認されており、被害の詳細を調査中。\","
    "   \"system_status\": \"stopped\"},"
    " \"impact\": {\"service_level_breach\": false, \"spread_possible\": false},"
    " \"timeline\": {\"timeline\": ["
    "   {\"at\": \"2023-08-18T15:00:00Z\", \"event\": "
    "\"外部より〇〇株式会社のHPがおかしいと匿名メールを受信。\"},"
    "   {\"at\": \"2023-08-18T16:00:00Z\", \"event\": "
    "\"HPを確認し、改ざんされていることを確認。\"},"
    "   {\"at\": \"2023-08-18T18:00:00Z\","
    "    \"event\": \"アクセスした利用者にウィルス感染のおそれがあるためサーバを停止。\"}],"
    "   \"supplementary\": \"・8月19日現在、〇〇件の個人情報流出を確認。\\n"
    "・コンテンツ管理システムYYYYのv99.99の脆弱性を突かれたものと想定される。\","
    "   \"press_release\": \"done\", \"press_release_at\": \"2023-08-19T00:00:00Z\","
    "   \"press_release_title\": \"〇〇株式会社のトップページにニュースリリースを掲載\","
    "   \"ppc_contact\": \"checking\","
    "   \"other_contacts\": \"8月19日 10:00頃 〇〇県警へ通報\"},"
    " \"next_steps\": {\"next_steps\": \"ongoing\"},"
    " \"lessons\": {\"lessons\": "
    "\"・現時点での得られた教訓は、経営層への情報のエスカレーション体制を"
    "普段から確認し、迅速な判断ができるようにすること。\"},"
    " \"unknown_section\": {\"x\": 1}}";

static struct rp_meta fig5_meta(void)
{
    struct rp_meta m = {.ident = "",
                        .report_number = 1,
                        .kind = "quick",
                        .tlp = "TLP:GREEN",
                        .severity = "warning",
                        .filed_at = "2023-08-19T04:20:00Z",
                        .source_label = "XX省 YY課"};
    return m;
}

static char *render(const json_t *form, const json_t *answers, const json_t *changes,
                    const struct rp_meta *m)
{
    char *html = NULL;
    size_t len = 0;
    int rc = rp_render(form, answers, changes, m, &html, &len);
    assert_int_equal(rc, RK_OK);
    assert_non_null(html);
    assert_int_equal(len, strlen(html));
    return html;
}

static void has(const char *html, const char *needle)
{
    if (!strstr(html, needle)) fail_msg("missing in output: %s", needle);
}

static void lacks(const char *html, const char *needle)
{
    if (strstr(html, needle)) fail_msg("unexpected in output: %s", needle);
}

/* The table row (up to the next </tr>) that contains text holds cell. */
static void row_has(const char *html, const char *text, const char *cell)
{
    const char *p = strstr(html, text);
    if (!p) fail_msg("missing row: %s", text);
    const char *end = strstr(p, "</tr>"), *q = strstr(p, cell);
    if (!end || !q || q > end) fail_msg("row %s lacks %s", text, cell);
}

static size_t count(const char *html, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(html, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- liaison (fig. 5) -------------------------------------------------------------------- */

static void liaison_like_fig5(void **state)
{
    json_t *a = parse(FIG5);
    struct rp_meta m = fig5_meta();
    char *html = render(liaison, a, NULL, &m);

    has(html, "<!DOCTYPE html>");
    has(html, "<html lang=\"ja\">");
    has(html, "<meta charset=\"utf-8\">");
    has(html, "@page{size:A4;margin:15mm}");
    has(html, "情報連絡様式（第1報）<small>Information liaison form");
    /* header block: severity, kind, TLP with scope, filing time in JST, source */
    has(html, "□警報");
    has(html, "■注意喚起");
    has(html, "□参考情報");
    has(html, "■速報");
    has(html, "□詳報");
    has(html, "□続報");
    has(html, "TLP:GREEN 重要インフラ関係主体限り");
    has(html, "2023年8月19日 13時20分");
    has(html, "XX省 YY課");
    /* 情報連絡日時: 04:15Z is 13:15 JST, fig. 5's 2023年8月19日13時15分 */
    has(html, "<time datetime=\"2023-08-19T13:15+09:00\">2023年8月19日 13時15分</time>");
    has(html, "2023年8月18日 20時0分");
    has(html, "2023年8月19日 2時59分");
    /* sections in order, numbered as printed */
    const char *s1 = strstr(html, "①発生した事象の類型"), *s3 = strstr(html, "③分野名"),
               *s9 = strstr(html, "⑨その他・得られた教訓等");
    assert_true(s1 && s3 && s9 && s1 < s3 && s3 < s9);
    has(html, "情報連絡元");
    /* ① one event type, the fig. 4 table: class | event (example) | check */
    row_has(html, "情報の破壊", "<td class=\"ck on\">■</td>");
    row_has(html, "情報の漏えい", "<td class=\"ck\">□</td>");
    row_has(html, "予兆・ヒヤリハット", "<td class=\"ck\">□</td>");
    has(html, "機密性を脅かす事象");
    has(html, "（Webサイト等の改ざんや組織の機密情報等の破壊など）");
    /* ② causes in four classes */
    row_has(html, "システムの脆弱性", "<td class=\"ck on\">■</td>");
    row_has(html, "内部不正", "<td class=\"ck\">□</td>");
    has(html, "環境的な原因");
    assert_int_equal(count(html, "<td class=\"ck on\">"), 2);
    /* TLP choices of the form: all five, ■ on GREEN */
    has(html, "■重要インフラ関係主体限り<small>TLP:GREEN</small>");
    has(html, "□宛先限り<small>TLP:RED</small>");
    /* enum inline, yesno, drop-down sector printed as chosen only */
    has(html, "■停止中");
    has(html, "□影響なし");
    has(html, "□一部稼働中");
    has(html, "■事象継続中(続報あり)");
    has(html, "□有</span><span class=\"box on\">■無");
    has(html, "情報通信<small>Information");
    lacks(html, "政府・行政サービス");
    /* rows as a table with the column labels */
    has(html, "<th>日時<small>Date and time</small></th><th>事象・対応状況等");
    has(html, "2023年8月19日 0時0分</time></td><td>外部より");
    /* textarea line feeds */
    has(html, "改竄された。<br>・閲覧した");
    /* printed:false and the header fields printed from meta are left out */
    lacks(html, ">別紙<small>");
    has(html, "別紙有無*");
    lacks(html, "第 報");
    assert_int_equal(count(html, "重要度"), 0);
    has(html, "情報連絡日時*");
    has(html, "③分野名*<small>Sector</small>");
    has(html, "<tr><td colspan=\"2\"><div class=\"note\">※5:");
    /* no changes: no underline, no legend; no scripts or external resources */
    lacks(html, "class=\"chg\"");
    lacks(html, "前報からの変更箇所");
    lacks(html, "<script");
    lacks(html, "<link");
    lacks(html, "src=");
    free(html);
    json_decref(a);
}

static void escapes_answer_text(void **state)
{
    json_t *a = parse(FIG5);
    const char *evil = "<script>alert('x')</script> & \"q\"\nline2";
    json_object_set_new(json_object_get(a, "lessons"), "lessons", json_string(evil));
    json_object_set_new(json_object_get(a, "operator"), "operator_name",
                        json_string("<img src=x onerror=alert(1)>"));
    struct rp_meta m = fig5_meta();
    m.source_label = "<b>CEPTOAR</b>";
    m.ident = "\"><script>";
    char *html = render(liaison, a, NULL, &m);
    has(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;<br>line2");
    has(html, "&lt;img src=x onerror=alert(1)&gt;");
    has(html, "&lt;b&gt;CEPTOAR&lt;/b&gt;");
    has(html, "&quot;&gt;&lt;script&gt;");
    lacks(html, "<script");
    lacks(html, "<img");
    lacks(html, "<b>CEPTOAR");
    free(html);
    json_decref(a);
}

static void converts_to_jst(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2023-08-19T04:15:00Z", "2023年8月19日 13時15分"},
        {"2023-08-19T13:15+09:00", "2023年8月19日 13時15分"},
        {"2023-12-31T20:30-05:00", "2024年1月1日 10時30分"},
        {"2024-02-28T15:00:00.123Z", "2024年2月29日 0時0分"},
        {"2023-02-28T15:59:59z", "2023年3月1日 0時59分"},
        {"2000-01-01T00:00+14:00", "1999年12月31日 19時0分"},
        {"1970-01-01T00:00+09:00", "1970年1月1日 0時0分"},
        {"9999-12-31T14:59Z", "9999年12月31日 23時59分"},
        {"2023-06-30T23:45+05:45", "2023年7月1日 3時0分"},
    };
    json_t *a = parse(FIG5);
    struct rp_meta m = fig5_meta();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *want = cases[i].out;
        json_object_set_new(json_object_get(a, "header"), "liaison_datetime",
                            json_string(cases[i].in));
        char *html = render(liaison, a, NULL, &m);
        if (!strstr(html, want)) fail_msg("%s: want %s", cases[i].in, want);
        free(html);
    }
    static const char *const bad[] = {"2023-02-29T00:00Z",      "2023-08-19T24:00Z",
                                      "2023-08-19T13:15",       "2023-08-19 13:15Z",
                                      "2023-08-19T13:15+0900",  "2023-08-19T13:15:00.Z",
                                      "1970-01-01T00:00+09:01", "9999-12-31T15:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object_set_new(json_object_get(a, "header"), "liaison_datetime", json_string(bad[i]));
        char *html = (char *)1;
        size_t len = 1;
        if (rp_render(liaison, a, NULL, &m, &html, &len) != RK_EINVAL)
            fail_msg("accepted %s", bad[i]);
        assert_null(html);
        assert_int_equal(len, 0);
    }
    json_decref(a);
}

/* ---- changes, withheld, source ----------------------------------------------------------- */

static json_t *fig5_changes(json_t **next_out)
{
    json_t *prev = parse(FIG5);
    json_t *next = parse(FIG5);
    json_object_set_new(json_object_get(prev, "overview"), "system_status",
                        json_string("no_impact"));
    json_object_set_new(json_object_get(next, "overview"), "description",
                        json_string("・WEBサイトが改竄された。\n・サイトを閉鎖した。"));
    json_object_set_new(json_object_get(prev, "timeline"), "ppc_contact_title",
                        json_string("旧件名<"));
    json_object_set_new(json_object_get(prev, "next_steps"), "next_steps",
                        json_string("investigating"));
    json_object_del(json_object_get(next, "next_steps"), "next_steps");
    json_object_set_new(json_object_get(next, "header"), "severity", json_string("alert"));
    json_object_set_new(json_object_get(next, "header"), "report_number", json_integer(2));
    json_t *diff = rr_answers_diff(prev, next);
    assert_non_null(diff);
    json_decref(prev);
    *next_out = next;
    return diff;
}

static void underlines_changes(void **state)
{
    json_t *next;
    json_t *diff = fig5_changes(&next);
    struct rp_meta m = fig5_meta();
    m.report_number = 2;
    m.ident = "NC-2023-0042";
    m.kind = "follow_up";
    m.severity = "alert";
    char *html = render(liaison, next, diff, &m);
    has(html, ".chg,.chg *{text-decoration:underline}");
    has(html, "<span class=\"chg\">下線</span>：前報からの変更箇所");
    /* replaced text and replaced choice, underlined */
    has(html, "<span class=\"chg\">・WEBサイトが改竄された。<br>・サイトを閉鎖した。</span>");
    has(html, "<div class=\"chg\"><div class=\"choices\"><span class=\"box\">□影響なし");
    /* removed: old value struck through (escaped), choice fields by their old label */
    has(html, "<span class=\"chg\">（前報）<del>旧件名&lt;</del></span>");
    has(html, "（前報）<del>事後調査実施中(続報あり)<small>");
    /* header items changed in the answers are underlined in the header block */
    has(html, "<span class=\"chg\"><span class=\"box on\">■警報");
    has(html, "（第<span class=\"chg\">2</span>報）");
    has(html, "NC-2023-0042");
    has(html, "■続報");
    /* an unchanged field is not underlined */
    assert_null(strstr(html, "<span class=\"chg\">〇〇株式会社</span>"));
    /* the sample for a visual check */
    const char *sample = getenv("RP_SAMPLE_OUT");
    if (sample && *sample) {
        FILE *fp = fopen(sample, "w");
        assert_non_null(fp);
        fputs(html, fp);
        fclose(fp);
    }
    free(html);

    /* [] is "no changes" */
    json_t *empty = json_array();
    html = render(liaison, next, empty, &m);
    lacks(html, "class=\"chg\"");
    lacks(html, "前報からの変更箇所");
    free(html);
    json_decref(empty);
    json_decref(diff);
    json_decref(next);
}

static void withholds_sections_and_source(void **state)
{
    json_t *next;
    json_t *diff = fig5_changes(&next);
    json_t *withheld = json_pack("[s, s]", "overview", "operator");
    struct rp_meta m = fig5_meta();
    m.withheld = withheld;
    m.source_label = NULL;
    char *html = render(liaison, next, diff, &m);
    assert_int_equal(count(html, "この項目は共有範囲外のため表示しません"), 2);
    has(html, "withheld (outside your sharing scope)");
    has(html, "⑤概要");
    has(html, "④事象が発生した重要インフラ事業者等名");
    /* nothing of the withheld sections, neither the answers nor the changes */
    lacks(html, "〇〇株式会社の会員情報");
    lacks(html, "サイトを閉鎖した");
    lacks(html, "〇〇株式会社</td>");
    lacks(html, "停止中");
    /* other sections still print */
    has(html, "外部より〇〇株式会社のHPがおかしい");
    /* the source is withheld */
    has(html, "（非開示）");
    free(html);
    json_decref(withheld);
    json_decref(diff);
    json_decref(next);
}

/* ---- DDoS, ransomware -------------------------------------------------------------------- */

static const char DDOS[] =
    "{\"header\": {\"reported_at\": \"2025-10-02T01:30:00Z\", \"addressee\": \"経済産業大臣\","
    "   \"report_kind\": \"new\"},"
    " \"opt_out\": {\"opt_out\": false},"
    " \"reporter\": {\"name\": \"東都電力株式会社\", \"corporate_number\": \"7010001008844\"},"
    " \"business_impact\": {\"overview\": \"Webサイトへの大量通信\","
    "   \"timeline\": [{\"at\": \"2025-10-01T23:00:00Z\", \"event\": \"通信量の急増を検知\"}]},"
    " \"attack\": {\"attacks\": ["
    "   {\"started_at\": \"2025-10-01T22:55:00Z\", \"ended_at\": \"2025-10-02T01:00:00Z\","
    "    \"attack_type\": \"T1498.001\", \"protocol\": \"UDP\","
    "    \"source_ips\": [\"203.0.113.5\", \"2001:db8::1\"], \"source_ports\": [53, "
    "\"1024-65535\"],"
    "    \"destination_ips\": [\"198.51.100.10\"], \"destination_ports\": [443],"
    "    \"traffic_bps\": 10000000000, \"traffic_pps\": 1500000.5},"
    "   {\"attack_type\": \"T1499.002\", \"details\": \"HTTP GETフラッド\","
    "    \"traffic_rps\": 10000}],"
    "   \"list_files\": [\"att-1\"]},"
    " \"next_steps\": {\"publication\": \"planned\", \"publication_planned_on\": \"2025-10-03\"}}";

static void ddos_attack_blocks(void **state)
{
    json_t *a = parse(DDOS);
    struct rp_meta m = fig5_meta();
    m.tlp = "TLP:AMBER+STRICT";
    m.kind = "detailed";
    char *html = render(ddos, a, NULL, &m);
    has(html, "DDoS攻撃事案共通様式（第1報）");
    has(html, "TLP:AMBER+STRICT 特定分野・組織内関係者限り");
    has(html, "@page{@top-right{content:\"TLP:AMBER+STRICT\"");
    has(html, "■詳報");
    has(html, "1. 報告者の概要");
    has(html, "4. 攻撃技術情報");
    /* one label/value block per attack, with the column subheadings */
    has(html, "No. 1</th>");
    has(html, "No. 2</th>");
    lacks(html, "No. 3</th>");
    assert_int_equal(count(html, "<tr class=\"sub\"><th colspan=\"2\">(2) 攻撃類型"), 2);
    has(html, "(4) 送信元情報");
    has(html, "■ネットワークへのフラッド攻撃(UDPフラッド攻撃等)<small>Direct Network Flood");
    has(html, "■サービス枯渇フラッド攻撃(HTTPフラッド攻撃等)");
    has(html, "□不明");
    has(html, "<ul class=\"list\"><li>203.0.113.5</li><li>2001:db8::1</li></ul>");
    has(html, "<li>53</li><li>1024-65535</li>");
    has(html, "10000000000");
    has(html, "1500000.5");
    has(html, "2025年10月2日 7時55分");
    /* timeline rows: a table with the column labels */
    has(html, "<th>日時<small>Date and time</small></th>");
    has(html, "2025年10月2日 8時0分</time></td><td>通信量の急増を検知");
    has(html, "<time datetime=\"2025-10-03\">2025年10月3日</time>");
    /* the printed:false list file is not printed; the opt-out box is */
    lacks(html, "別ファイル<small>");
    has(html, "内閣官房国家サイバー統括室への共有等を希望しない。");
    /* no ransomware advice on the DDoS form */
    lacks(html, "class=\"advice\"");
    free(html);

    /* a blank report prints one blank attack block, as the blank form */
    json_t *blank = json_object();
    html = render(ddos, blank, NULL, &m);
    has(html, "No. 1</th>");
    lacks(html, "No. 2</th>");
    lacks(strstr(html, "</header>"), "■"); /* no box ticked below the header block */
    free(html);
    json_decref(blank);
    json_decref(a);
}

static void ransomware_advice_and_attachments(void **state)
{
    json_t *a = parse(
        "{\"business_impact\": {\"annex_1\": true, \"occurred_at\": \"2025-10-01T18:00:00Z\"},"
        " \"affected_systems\": {\"connection_diagram\": [\"att-7\", \"att-unknown\"]},"
        " \"attack\": {\"encrypted\": true, \"leak_published\": false,"
        "   \"c2_ips\": [\"192.0.2.66\"], \"encrypted_extension\": \".lockbit\"},"
        " \"next_steps\": {\"publication_methods\": [\"web_page\", \"other\"],"
        "   \"publication_method_other\": \"SNS\"}}");
    json_t *atts =
        parse("[{\"id\": \"att-7\", \"name\": \"network<diagram>.pdf\", \"size\": 48213,"
              "  \"sha256\": \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
              "  \"role\": \"diagram\"}]");
    struct rp_meta m = fig5_meta();
    m.attachments = atts;
    m.severity = NULL;
    m.kind = NULL;
    char *html = render(ransomware, a, NULL, &m);
    has(html, "ランサムウェア事案共通様式（第1報）");
    const char *box = strstr(html, "<div class=\"advice\">");
    const char *first = strstr(html, "1. 報告者の概要");
    assert_true(box && first && box < first);
    has(html, "ランサムウェア感染時の留意事項");
    has(html,
        "<li>"
        "感染端末及び感染が疑われる端末からLANケーブルを抜くとともに、無線LANを無効にすること。");
    has(html, "ファームウェアやOSのアップデートをしないこと。");
    /* no severity / kind given: every box empty */
    has(html, "□警報");
    has(html, "□速報");
    lacks(html, "■警報");
    /* yesno, multi_enum, lists */
    has(html, "■有</span><span class=\"box\">□無");
    has(html, "■ホームページ");
    has(html, "□記者会見");
    has(html, "■その他");
    has(html, "<li>192.0.2.66</li>");
    has(html, "2025年10月2日 3時0分");
    /* attachments: the field names the files, the list at the end describes them */
    has(html, "<li>network&lt;diagram&gt;.pdf</li><li>att-unknown</li>");
    has(html, "添付資料");
    has(html, "48213 B");
    has(html, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    lacks(html, "ランサムノート(画像)");
    free(html);
    json_decref(atts);
    json_decref(a);
}

/* ---- errors ------------------------------------------------------------------------------ */

static void expect_einval(const json_t *form, const json_t *answers, const json_t *changes,
                          const struct rp_meta *m, const char *what)
{
    char *html = (char *)1;
    size_t len = 1;
    int rc = rp_render(form, answers, changes, m, &html, &len);
    if (rc != RK_EINVAL) fail_msg("%s: rc %d", what, rc);
    assert_null(html);
    assert_int_equal(len, 0);
}

static void rejects_malformed_input(void **state)
{
    json_t *a = parse(FIG5);
    struct rp_meta m = fig5_meta();
    char *html = NULL;
    size_t len = 0;
    assert_int_equal(rp_render(liaison, a, NULL, NULL, &html, &len), RK_EINVAL);
    assert_int_equal(rp_render(liaison, a, NULL, &m, NULL, &len), RK_EINVAL);
    assert_int_equal(rp_render(liaison, a, NULL, &m, &html, NULL), RK_EINVAL);
    expect_einval(NULL, a, NULL, &m, "no form");
    expect_einval(liaison, NULL, NULL, &m, "no answers");

    json_t *arr = json_array();
    expect_einval(liaison, arr, NULL, &m, "answers array");
    json_t *no_sections = json_pack("{s:s}", "name", "x");
    expect_einval(no_sections, a, NULL, &m, "form without sections");

    json_t *bad = parse("{\"overview\": [1]}");
    expect_einval(liaison, bad, NULL, &m, "section not an object");
    json_decref(bad);
    bad = parse("{\"event_type\": {\"event_type\": 3}}");
    expect_einval(liaison, bad, NULL, &m, "enum not a string");
    json_decref(bad);
    bad = parse("{\"impact\": {\"spread_possible\": \"yes\"}}");
    expect_einval(liaison, bad, NULL, &m, "yesno not a boolean");
    json_decref(bad);
    bad = parse("{\"timeline\": {\"timeline\": [\"row\"]}}");
    expect_einval(liaison, bad, NULL, &m, "row not an object");
    json_decref(bad);
    bad = parse("{\"overview\": {\"description\": 5}}");
    expect_einval(liaison, bad, NULL, &m, "textarea not a string");
    json_decref(bad);

    json_t *changes = parse("[{\"op\": \"add\"}]");
    expect_einval(liaison, a, changes, &m, "change without path");
    json_decref(changes);
    changes = json_object();
    expect_einval(liaison, a, changes, &m, "changes not an array");
    json_decref(changes);

    json_t *w = parse("[1]");
    m.withheld = w;
    expect_einval(liaison, a, NULL, &m, "withheld not strings");
    m.withheld = NULL;
    m.attachments = w;
    expect_einval(liaison, a, NULL, &m, "attachments not objects");
    m.attachments = NULL;
    json_decref(w);

    m.filed_at = "yesterday";
    expect_einval(liaison, a, NULL, &m, "filed_at");
    m.filed_at = NULL;
    html = render(liaison, a, json_null(), &m); /* JSON null changes = none; NULL filed_at */
    free(html);

    json_decref(no_sections);
    json_decref(arr);
    json_decref(a);
}

/* A document past RP_MAX_BYTES is refused, and the buffer is freed (ASan checks the leak). */
static void refuses_oversized_output(void **state)
{
    size_t n = RP_MAX_BYTES + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = '\0';
    json_t *a = parse(FIG5);
    json_object_set_new(json_object_get(a, "lessons"), "lessons", json_string_nocheck(big));
    free(big);
    struct rp_meta m = fig5_meta();
    char *html = (char *)1;
    size_t len = 1;
    assert_int_equal(rp_render(liaison, a, NULL, &m, &html, &len), RK_ELIMIT);
    assert_null(html);
    assert_int_equal(len, 0);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(liaison_like_fig5),
        cmocka_unit_test(escapes_answer_text),
        cmocka_unit_test(converts_to_jst),
        cmocka_unit_test(underlines_changes),
        cmocka_unit_test(withholds_sections_and_source),
        cmocka_unit_test(ddos_attack_blocks),
        cmocka_unit_test(ransomware_advice_and_attachments),
        cmocka_unit_test(rejects_malformed_input),
        cmocka_unit_test(refuses_oversized_output),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
