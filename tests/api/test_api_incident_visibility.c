/*
 * test_api_incident_visibility.c — who sees what of an incident report, end to end against
 * the real server with the demo data: the report itself for every TLP level, its parts with
 * narrower audiences (who reported, the groups opted out of sharing with the national centre,
 * the ransomware personal-data annexes), a CEPTOAR's relay (anonymised or not), follow-ups and
 * their diffs, lists and the org_id filter, acknowledgements, and the attachments endpoints
 * (source-IP lists parsed into indicators, annexes, downloads and their SHA-256).
 *
 * Expectations are written from the rules in src/domain/policy.h ("Incident reports") and
 * docs/policy.md, not read back from the policy module: the table in tlp_matrix_ddos is the
 * specification.
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
#include <sodium.h>

#include "support.h"

static struct srv S;

/* ---- principals ------------------------------------------------------------------------- */

enum {
    P_TOTO_R,   /* toto-reporter: the reporting core operator (electricity) */
    P_TOTO_C,   /* toto-contractor: the reporter's contractor — its own report */
    P_HOKUTO_R, /* created: a second electricity core operator (same sector) */
    P_HOKUTO_C, /* created: that operator's contractor */
    P_WANGAN,   /* wangan-reporter: gas (another sector) */
    P_KAEDE,    /* kaede-reporter: finance */
    P_KAEDE_V,  /* kaede-viewer */
    P_METI,     /* meti-analyst: the recipient ministry of electricity */
    P_METI_C,   /* created: a contractor of METI (a recipient's contractor) */
    P_FSA,      /* fsa-analyst: another ministry */
    P_MIC,      /* mic-analyst: another ministry */
    P_NC,       /* nc-analyst: the national centre (a recipient) */
    P_TEISAC,   /* teisac-analyst: the CEPTOAR of electricity */
    P_TSS,      /* tss-reporter: a vendor */
    P_OTHER,    /* created: an organisation of type "other" (CLEAR only) */
    P_NC_ADMIN, /* nc-admin: creates the organisations and users above */
    P_WANGAN_A, /* wangan-admin */
    P__N
};

static struct {
    const char *user;
    char tok[160];
} W[P__N] = {
    [P_TOTO_R] = {"toto-reporter", ""},     [P_TOTO_C] = {"toto-contractor", ""},
    [P_HOKUTO_R] = {"hokuto-reporter", ""}, [P_HOKUTO_C] = {"hokuto-contractor", ""},
    [P_WANGAN] = {"wangan-reporter", ""},   [P_KAEDE] = {"kaede-reporter", ""},
    [P_KAEDE_V] = {"kaede-viewer", ""},     [P_METI] = {"meti-analyst", ""},
    [P_METI_C] = {"meti-contractor", ""},   [P_FSA] = {"fsa-analyst", ""},
    [P_MIC] = {"mic-analyst", ""},          [P_NC] = {"nc-analyst", ""},
    [P_TEISAC] = {"teisac-analyst", ""},    [P_TSS] = {"tss-reporter", ""},
    [P_OTHER] = {"misc-viewer", ""},        [P_NC_ADMIN] = {"nc-admin", ""},
    [P_WANGAN_A] = {"wangan-admin", ""},
};

static json_int_t TOTO, KAEDE, TEISAC, METI, NC_ORG, FSA, MIC, TSS_ORG, HOKUTO;

#define TOTO_NAME "東都電力株式会社"

/* ---- soft checks: a table reports every mismatch, then the test fails once -------------- */

static int FAILS;
static long CHECKED; /* (principal, TLP, part) expectations checked */

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  mismatch (line %d): ", __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            FAILS++;                                                                               \
        }                                                                                          \
    } while (0)

#define BEGIN_SOFT() int fails_at_start_ = FAILS
#define END_SOFT() assert_int_equal(FAILS - fails_at_start_, 0)

/* ---- small helpers ---------------------------------------------------------------------- */

static const json_t *at(const json_t *j, const char *path)
{
    /* "a/b/0/c": objects by key, arrays by index */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = j;
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t && cur; t = strtok_r(NULL, "/", &save))
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(t, NULL, 10))
                                 : json_object_get(cur, t);
    return cur;
}

static const char *str_at(const json_t *j, const char *path)
{
    return json_string_value(at(j, path));
}

static bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static json_int_t org_id_by_name(const char *name_ja)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/orgs?limit=1000", W[P_NC_ADMIN].tok, NULL, &r);
    size_t i;
    json_t *o;
    json_int_t id = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, o)
    {
        if (streq(json_string_value(json_object_get(o, "name_ja")), name_ja))
            id = json_integer_value(json_object_get(o, "id"));
    }
    resp_free(&r);
    if (id == 0) fprintf(stderr, "no organisation %s\n", name_ja);
    assert_true(id > 0);
    return id;
}

static json_int_t create_org(const char *type, const char *name_ja, const char *sectors)
{
    char body[512];
    struct resp r;
    snprintf(body, sizeof body, "{\"type\":\"%s\",\"name_ja\":\"%s\",\"sectors\":%s}", type,
             name_ja, sectors);
    http_json(&S, "POST", "/api/v1/orgs", W[P_NC_ADMIN].tok, body, &r);
    if (r.status != 201) fprintf(stderr, "create_org: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    json_int_t id = json_integer_value(json_object_get(r.json, "id"));
    resp_free(&r);
    return id;
}

/* The password follows the demo's pattern so that bearer() can log in. */
static void create_user(json_int_t org, const char *username, const char *role, bool contractor)
{
    char body[512];
    struct resp r;
    snprintf(body, sizeof body,
             "{\"org_id\":%lld,\"username\":\"%s\",\"display_name\":\"%s\","
             "\"password\":\"renkei-demo-%s\",\"roles\":[\"%s\"],\"contractor\":%s}",
             (long long)org, username, username, username, role, contractor ? "true" : "false");
    http_json(&S, "POST", "/api/v1/users", W[P_NC_ADMIN].tok, body, &r);
    if (r.status != 201) fprintf(stderr, "create_user: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    resp_free(&r);
}

static int setup(void **state)
{
    const char *extra[] = {"--login-rate", "10000", NULL};
    srv_start(&S, true, extra);
    bearer(&S, W[P_NC_ADMIN].user, W[P_NC_ADMIN].tok, sizeof W[P_NC_ADMIN].tok);
    TOTO = org_id_by_name(TOTO_NAME);
    KAEDE = org_id_by_name("株式会社東都かえで銀行");
    TEISAC = org_id_by_name("一般社団法人東都エネルギーISAC");
    METI = org_id_by_name("経済産業省");
    NC_ORG = org_id_by_name("内閣官房国家サイバー統括室");
    FSA = org_id_by_name("金融庁");
    MIC = org_id_by_name("総務省");
    TSS_ORG = org_id_by_name("東都システムソリューションズ株式会社");
    /* No second electricity operator in the demo: create one, and the contractors. */
    HOKUTO = create_org("core_operator", "北斗電力株式会社", "[\"core.electricity\"]");
    create_user(HOKUTO, "hokuto-reporter", "reporter", false);
    create_user(HOKUTO, "hokuto-contractor", "reporter", true);
    create_user(METI, "meti-contractor", "analyst", true);
    json_int_t other = create_org("other", "株式会社一般見学", "[]");
    create_user(other, "misc-viewer", "viewer", false);
    for (int i = 0; i < P__N; i++)
        if (i != P_NC_ADMIN) bearer(&S, W[i].user, W[i].tok, sizeof W[i].tok);
    return 0;
}

static int teardown(void **state)
{
    fprintf(stderr, "incident visibility: %ld (principal, TLP, part) expectations checked\n",
            CHECKED);
    srv_stop(&S);
    return 0;
}

static long get(int who, const char *path, struct resp *r)
{
    http_json(&S, "GET", path, who >= 0 ? W[who].tok : NULL, NULL, r);
    return r->status;
}

static long get_status(int who, const char *path)
{
    struct resp r;
    long st = get(who, path, &r);
    resp_free(&r);
    return st;
}

/* Uploads a file; returns its id ("" on failure) and leaves the response in *r. */
static void upload(int who, const char *name, const char *role, const char *ctype,
                   const char *content, struct resp *r, char id[24])
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/attachments?name=%s&role=%s", name, role);
    http(&S, "POST", path, W[who].tok, NULL, NULL, ctype, content, r);
    snprintf(id, 24, "%s", r->status == 201 && str_at(r->json, "id") ? str_at(r->json, "id") : "");
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Files a report (doc is consumed); expects `status`; returns the incident id (201). */
static json_int_t post_report(int who, const char *path, json_t *doc, long status)
{
    char *body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct resp r;
    http_json(&S, "POST", path, W[who].tok, body, &r);
    free(body);
    if (r.status != status) fprintf(stderr, "post_report: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, status);
    json_int_t id = json_integer_value(json_object_get(r.json, "id"));
    resp_free(&r);
    return id;
}

/*
 * DDoS answers tagged with `tag`: the reporter section holds "CONTACT-<tag>", business impact
 * "BODY-<tag>", the attack section "ATTACK-<tag>" (and the list file when given).
 */
static json_t *ddos_answers(const char *report_kind, const char *reporter, const char *tag,
                            bool opt_out, const char *list_id)
{
    char contact[64], body[64], attack[64];
    snprintf(contact, sizeof contact, "CONTACT-%s", tag);
    snprintf(body, sizeof body, "BODY-%s", tag);
    snprintf(attack, sizeof attack, "ATTACK-%s", tag);
    json_t *a = json_pack("{s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:[{s:s, s:s}]}}", "header",
                          "report_kind", report_kind, "reporter", "name", reporter, "contact_name",
                          contact, "business_impact", "overview", body, "attack", "attacks",
                          "attack_type", "T1498.001", "details", attack);
    if (opt_out)
        json_object_set_new(
            a, "opt_out", json_pack("{s:b, s:s}", "opt_out", 1, "opt_out_content", "攻撃技術情報"));
    if (list_id)
        json_object_set_new(json_object_get(a, "attack"), "list_files", json_pack("[s]", list_id));
    return a;
}

static json_t *ddos_doc(const char *kind, const char *tlp, json_t *answers)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "form", "ddos", "kind", kind, "tlp", tlp,
                     "severity", "warning", "answers", answers);
}

static bool has_withheld(const json_t *view, const char *section, const char *reason)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(view, "withheld"), i, w)
    {
        if (streq(str_at(w, "section"), section) && streq(str_at(w, "reason"), reason)) return true;
    }
    return false;
}

static bool has_item_id(const json_t *items, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)items, i, v)
    {
        if (streq(str_at(v, "id"), id)) return true;
    }
    return false;
}

static bool list_has(const json_t *items, json_int_t incident)
{
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)items, i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == incident) return true;
    }
    return false;
}

/* The "source" a reader may not identify: exactly {"withheld": true}, plus the relay. */
static bool source_withheld(const json_t *src)
{
    return json_is_true(json_object_get(src, "withheld")) && !json_object_get(src, "org_id") &&
           !json_object_get(src, "name_ja") && !json_object_get(src, "name_en");
}

static const json_t *route_of(const json_t *view, json_int_t org)
{
    size_t i;
    json_t *rt;
    json_array_foreach(json_object_get(view, "routing"), i, rt)
    {
        if (json_integer_value(json_object_get(rt, "org_id")) == org) return rt;
    }
    return NULL;
}

/* ---- 1. source-IP lists ----------------------------------------------------------------- */

#define IPLIST_CSV "ip,port\n198.51.100.7,443\n203.0.113.0/24,80\n198.51.100.7,8443\n"

static void source_ip_list_upload(void **st)
{
    BEGIN_SOFT();
    struct resp r;
    char good[24], bad[24], next[24], sha[65];
    upload(P_TOTO_R, "sources.csv", "source_ip_list", "text/csv", IPLIST_CSV, &r, good);
    assert_int_equal(r.status, 201);
    assert_true(good[0] != 0);
    EXPECT(json_integer_value(json_object_get(r.json, "indicator_count")) == 2,
           "indicator_count %s", r.body);
    EXPECT(json_integer_value(json_object_get(r.json, "duplicates")) == 1, "duplicates %s", r.body);
    sha256_hex(IPLIST_CSV, strlen(IPLIST_CSV), sha);
    EXPECT(streq(str_at(r.json, "sha256"), sha), "sha256 %s", r.body);
    EXPECT(streq(str_at(r.json, "role"), "source_ip_list"), "role");
    resp_free(&r);

    /* A bad address on line 3: 422 naming the line, nothing stored. In a CSV the pointer names
     * the column as well (iplist.h: "/lines/<n>/<column>"); in plain text it is the line. */
    upload(P_TOTO_R, "bad.csv", "source_ip_list", "text/csv",
           "ip,port\n198.51.100.7,443\n999.0.0.1,80\n", &r, bad);
    assert_int_equal(r.status, 422);
    EXPECT(streq(str_at(problem_error(&r, 0), "pointer"), "/lines/3/ip"), "csv pointer %s", r.body);
    EXPECT(streq(str_at(problem_error(&r, 0), "rule"), "ip"), "csv rule %s", r.body);
    resp_free(&r);
    upload(P_TOTO_R, "bad.txt", "source_ip_list", "text/plain",
           "# sources\n198.51.100.7\nnot-an-address\n", &r, bad);
    assert_int_equal(r.status, 422);
    EXPECT(streq(str_at(problem_error(&r, 0), "pointer"), "/lines/3"), "text pointer %s", r.body);
    resp_free(&r);
    /* The next upload gets the id after the last successful one: the refused lists left no
     * row behind. */
    upload(P_TOTO_R, "more.txt", "source_ip_list", "text/plain", "192.0.2.10\n", &r, next);
    assert_int_equal(r.status, 201);
    EXPECT(strtoll(next, NULL, 10) == strtoll(good, NULL, 10) + 1, "ids %s then %s", good, next);
    resp_free(&r);

    /* Listed on a GREEN report without opt-out through attack.list_files: every reader of the
     * report sees the attack section, so the indicators too. */
    json_t *a = ddos_answers("new", TOTO_NAME, "IPL", false, good);
    json_int_t inc =
        post_report(P_TOTO_R, "/api/v1/incidents", ddos_doc("quick", "TLP:GREEN", a), 201);
    char path[128], dl[160];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1", (long long)inc);
    snprintf(dl, sizeof dl, "/api/v1/incidents/%lld/attachments/%s", (long long)inc, good);
    const int readers[] = {P_TOTO_R, P_METI, P_NC, P_WANGAN, P_TSS};
    for (size_t k = 0; k < sizeof readers / sizeof *readers; k++) {
        int who = readers[k];
        assert_int_equal(get(who, path, &r), 200);
        const json_t *ind = json_object_get(r.json, "indicators");
        EXPECT(json_array_size(ind) == 2, "%s: indicators %s", W[who].user, r.body);
        EXPECT(streq(str_at(ind, "0/value"), "198.51.100.7") &&
                   streq(str_at(ind, "1/value"), "203.0.113.0/24") &&
                   streq(str_at(ind, "0/attachment"), good),
               "%s: indicator values", W[who].user);
        EXPECT(json_array_size(at(ind, "0/ports")) == 2, "%s: ports merged", W[who].user);
        EXPECT(has_item_id(json_object_get(r.json, "attachments"), good), "%s: listed",
               W[who].user);
        resp_free(&r);
        /* The download is the file as uploaded. */
        assert_int_equal(get(who, dl, &r), 200);
        char got[65], hv[128];
        sha256_hex(r.body ? r.body : "", r.len, got);
        EXPECT(streq(got, sha), "%s: sha256 of the download", W[who].user);
        EXPECT(r.len == strlen(IPLIST_CSV), "%s: size", W[who].user);
        EXPECT(streq(resp_header(&r, "X-Content-SHA256", hv, sizeof hv), sha), "%s: header",
               W[who].user);
        resp_free(&r);
    }
    /* Not readable (GREEN): neither the report nor the file. */
    EXPECT(get_status(P_OTHER, path) == 404, "other: report");
    EXPECT(get_status(P_OTHER, dl) == 404, "other: download");
    /* A file sent straight to the incident and listed on no report is the reporting side's
     * own: not a recipient's, not a TLP reader's. */
    char unl[24];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/attachments?name=draft.txt&role=log",
             (long long)inc);
    http(&S, "POST", path, W[P_TOTO_R].tok, NULL, NULL, "text/plain", "draft log", &r);
    assert_int_equal(r.status, 201);
    snprintf(unl, sizeof unl, "%s", str_at(r.json, "id") ? str_at(r.json, "id") : "");
    resp_free(&r);
    http(&S, "POST", path, W[P_WANGAN].tok, NULL, NULL, "text/plain", "not mine", &r);
    EXPECT(r.status == 403, "wangan: uploads to toto's incident %ld", r.status);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/attachments", (long long)inc);
    snprintf(dl, sizeof dl, "/api/v1/incidents/%lld/attachments/%s", (long long)inc, unl);
    const struct {
        int who;
        bool sees;
    } unlisted[] = {
        {P_TOTO_R, true}, {P_TOTO_C, true}, {P_METI, false}, {P_NC, false}, {P_WANGAN, false}};
    for (size_t k = 0; k < sizeof unlisted / sizeof *unlisted; k++) {
        int who = unlisted[k].who;
        assert_int_equal(get(who, path, &r), 200);
        EXPECT(has_item_id(json_object_get(r.json, "items"), unl) == unlisted[k].sees,
               "%s: unlisted file in GET …/attachments", W[who].user);
        EXPECT(has_item_id(json_object_get(r.json, "items"), good), "%s: listed file", W[who].user);
        resp_free(&r);
        EXPECT(get_status(who, dl) == (unlisted[k].sees ? 200 : 404), "%s: unlisted download",
               W[who].user);
    }
    /* A file already bound to this incident cannot be listed on another one. */
    a = ddos_answers("new", TOTO_NAME, "IPL2", false, good);
    post_report(P_TOTO_R, "/api/v1/incidents", ddos_doc("quick", "TLP:GREEN", a), 422);
    /* Nor can an organisation list a file another organisation uploaded. */
    a = ddos_answers("new", "湾岸瓦斯株式会社", "IPL3", false, next);
    post_report(P_WANGAN, "/api/v1/incidents", ddos_doc("quick", "TLP:GREEN", a), 422);
    END_SOFT();
}

/* ---- 2. the TLP matrix ------------------------------------------------------------------ */

/*
 * A DDoS report filed by toto-reporter (sectors core.electricity + ci.electricity; recipients
 * METI and the national centre) at each TLP, with the reporter section filled in, the attack
 * section opted out of sharing (opt_out_groups ["attack"]) and a source-IP list in
 * attack.list_files. Cells: R = reads the report; I = sees who reported (the "reporter"
 * section and "source"); O = sees the opted-out attack section (answers, the list file, its
 * indicators and its download). "-": not even the report (404).
 * AMBER differs from AMBER+STRICT only for contractors: AMBER admits contractors under NDA
 * (policy.h), so METI's and the other operator's contractors read it, but never the parts
 * kept for a recipient's own staff.
 */
static const char *const TLPS[5] = {"TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN",
                                    "TLP:CLEAR"};
static const struct {
    int who;
    const char *cell[5];
} MATRIX[] = {
    /* clang-format off */
    /*                RED    A+S    AMBER  GREEN  CLEAR */
    {P_TOTO_R,      {"RIO", "RIO", "RIO", "RIO", "RIO"}}, /* its own report */
    {P_TOTO_C,      {"RIO", "RIO", "RIO", "RIO", "RIO"}}, /* own report, contractor too */
    {P_METI,        {"RIO", "RIO", "RIO", "RIO", "RIO"}}, /* recipient ministry */
    {P_NC,          {"RIO", "RIO", "RIO", "RIO", "RIO"}}, /* recipient; reporter is core op. */
    {P_METI_C,      {"-",   "-",   "R",   "R",   "R"  }}, /* recipient's contractor */
    {P_HOKUTO_R,    {"-",   "R",   "R",   "R",   "R"  }}, /* same-sector core operator */
    {P_HOKUTO_C,    {"-",   "-",   "R",   "R",   "R"  }}, /* its contractor (AMBER: NDA) */
    {P_TEISAC,      {"-",   "R",   "R",   "R",   "R"  }}, /* CEPTOAR of the sector */
    {P_WANGAN,      {"-",   "-",   "-",   "R",   "R"  }}, /* gas: another sector */
    {P_KAEDE,       {"-",   "-",   "-",   "R",   "R"  }}, /* finance */
    {P_KAEDE_V,     {"-",   "-",   "-",   "R",   "R"  }},
    {P_FSA,         {"-",   "-",   "-",   "R",   "R"  }}, /* ministry of another sector */
    {P_MIC,         {"-",   "-",   "-",   "R",   "R"  }},
    {P_TSS,         {"-",   "-",   "-",   "R",   "R"  }}, /* vendor: a CI-related body */
    {P_OTHER,       {"-",   "-",   "-",   "-",   "R"  }}, /* type "other": CLEAR only */
    /* clang-format on */
};
#define MATRIX_ROWS (sizeof MATRIX / sizeof *MATRIX)

static json_int_t MX_INC[5];
static char MX_LIST[5][24];

static void check_cell(int who, int t, const char *cell)
{
    const bool R = strchr(cell, 'R'), I = strchr(cell, 'I'), O = strchr(cell, 'O');
    const char *u = W[who].user, *tlp = TLPS[t];
    const json_int_t inc = MX_INC[t];
    char p_inc[64], p_rep[96], p_diff[128], p_form[128], p_atts[96], p_dl[256], tag[16];
    snprintf(tag, sizeof tag, "MX%d", t);
    snprintf(p_inc, sizeof p_inc, "/api/v1/incidents/%lld", (long long)inc);
    snprintf(p_rep, sizeof p_rep, "%s/reports/1", p_inc);
    snprintf(p_diff, sizeof p_diff, "%s/diff", p_rep);
    snprintf(p_form, sizeof p_form, "%s/form", p_rep);
    snprintf(p_atts, sizeof p_atts, "%s/attachments", p_inc);
    snprintf(p_dl, sizeof p_dl, "%s/%s", p_atts, MX_LIST[t]);
    CHECKED += 3;
    struct resp r;

    /* R: the incident, its report, the diff, the printed form, the attachment list. */
    long want = R ? 200 : 404;
    EXPECT(get(who, p_inc, &r) == want, "%s %s: incident %ld", u, tlp, r.status);
    if (R && r.status == 200) {
        const json_t *src = json_object_get(r.json, "source");
        /* I on the incident: the reporting organisation, and the linked computers. */
        if (I)
            EXPECT(json_integer_value(json_object_get(src, "org_id")) == TOTO &&
                       streq(str_at(src, "name_ja"), TOTO_NAME),
                   "%s %s: incident source should name toto: %s", u, tlp, r.body);
        else
            EXPECT(source_withheld(src), "%s %s: incident source should be withheld: %s", u, tlp,
                   r.body);
        EXPECT((json_object_get(r.json, "assets") != NULL) == I, "%s %s: assets", u, tlp);
        /* Routing: the source and the recipients' own staff, as identity here (no relay). */
        EXPECT((json_object_get(r.json, "routing") != NULL) == I, "%s %s: routing", u, tlp);
        EXPECT(json_array_size(json_object_get(r.json, "report_list")) == 1, "%s %s: report_list",
               u, tlp);
    }
    resp_free(&r);
    EXPECT(get_status(who, p_diff) == want, "%s %s: diff", u, tlp);
    EXPECT(get_status(who, p_atts) == want, "%s %s: attachment list", u, tlp);
    EXPECT(get(who, p_rep, &r) == want, "%s %s: report %ld", u, tlp, r.status);
    if (!R || r.status != 200) {
        resp_free(&r);
        EXPECT(get_status(who, p_form) == 404, "%s %s: form", u, tlp);
        EXPECT(get_status(who, p_dl) == 404, "%s %s: download", u, tlp);
        return;
    }
    char marker[48];
    const json_t *ans = json_object_get(r.json, "answers");
    snprintf(marker, sizeof marker, "BODY-%s", tag);
    EXPECT(streq(str_at(ans, "business_impact/overview"), marker), "%s %s: body", u, tlp);
    /* I: the reporter section and the source. */
    snprintf(marker, sizeof marker, "CONTACT-%s", tag);
    EXPECT(streq(str_at(ans, "reporter/contact_name"), marker) == I, "%s %s: reporter section", u,
           tlp);
    EXPECT(has_withheld(r.json, "reporter", "identity") == !I, "%s %s: withheld reporter: %s", u,
           tlp, r.body);
    const json_t *src = json_object_get(r.json, "source");
    EXPECT(I ? json_integer_value(json_object_get(src, "org_id")) == TOTO : source_withheld(src),
           "%s %s: report source %s", u, tlp, r.body);
    /* O: the attack section, the list file and its indicators. */
    snprintf(marker, sizeof marker, "ATTACK-%s", tag);
    EXPECT(streq(str_at(ans, "attack/attacks/0/details"), marker) == O, "%s %s: attack section", u,
           tlp);
    EXPECT(has_withheld(r.json, "attack", "opt_out") == !O, "%s %s: withheld attack: %s", u, tlp,
           r.body);
    /* Without identity the opt-out block (what the reporter asked to keep back) goes too. */
    EXPECT(has_withheld(r.json, "opt_out", "identity") == !I, "%s %s: withheld opt-out block", u,
           tlp);
    /* Sections withheld: exactly those; single fields (marked identifying in data/forms, e.g.
     * the publication date) are named, answered or not, to every reader without identity. */
    size_t sections = 0, fields = 0, wi;
    json_t *we;
    json_array_foreach(json_object_get(r.json, "withheld"), wi, we)
    {
        if (json_object_get(we, "field")) {
            fields++;
            EXPECT(streq(str_at(we, "reason"), "identity"), "%s %s: field reason", u, tlp);
        } else {
            sections++;
        }
    }
    EXPECT(sections == (size_t)(2 * !I + !O), "%s %s: nothing else withheld: %s", u, tlp, r.body);
    EXPECT((fields > 0) == !I, "%s %s: identifying fields withheld: %s", u, tlp, r.body);
    EXPECT(has_item_id(json_object_get(r.json, "attachments"), MX_LIST[t]) == O,
           "%s %s: list file on the report", u, tlp);
    EXPECT((json_array_size(json_object_get(r.json, "indicators")) == 2) == O,
           "%s %s: indicators %s", u, tlp, r.body);
    EXPECT(O || json_array_size(json_object_get(r.json, "indicators")) == 0, "%s %s: no indicators",
           u, tlp);
    resp_free(&r);
    /* The printed form shows what the view shows. */
    EXPECT(get(who, p_form, &r) == 200, "%s %s: form %ld", u, tlp, r.status);
    snprintf(marker, sizeof marker, "CONTACT-%s", tag);
    EXPECT((r.body && strstr(r.body, marker)) == I, "%s %s: form reporter", u, tlp);
    snprintf(marker, sizeof marker, "ATTACK-%s", tag);
    EXPECT((r.body && strstr(r.body, marker)) == O, "%s %s: form attack", u, tlp);
    resp_free(&r);
    /* The attachments endpoints agree with the report view. */
    EXPECT(get(who, p_atts, &r) == 200, "%s %s: attachments %ld", u, tlp, r.status);
    EXPECT(has_item_id(json_object_get(r.json, "items"), MX_LIST[t]) == O,
           "%s %s: list file in GET …/attachments", u, tlp);
    resp_free(&r);
    EXPECT(get_status(who, p_dl) == (O ? 200 : 404), "%s %s: download", u, tlp);
}

static void tlp_matrix_ddos(void **st)
{
    BEGIN_SOFT();
    for (int t = 0; t < 5; t++) {
        struct resp r;
        char tag[16], name[32];
        snprintf(tag, sizeof tag, "MX%d", t);
        snprintf(name, sizeof name, "mx%d.csv", t);
        upload(P_TOTO_R, name, "source_ip_list", "text/csv", IPLIST_CSV, &r, MX_LIST[t]);
        assert_int_equal(r.status, 201);
        resp_free(&r);
        json_t *doc =
            ddos_doc("quick", TLPS[t], ddos_answers("new", TOTO_NAME, tag, true, MX_LIST[t]));
        json_object_set_new(doc, "opt_out_groups", json_pack("[s]", "attack"));
        MX_INC[t] = post_report(P_TOTO_R, "/api/v1/incidents", doc, 201);
    }
    for (size_t i = 0; i < MATRIX_ROWS; i++)
        for (int t = 0; t < 5; t++)
            check_cell(MATRIX[i].who, t, MATRIX[i].cell[t]);
    /* Without credentials: 401 whatever the TLP (CLEAR included). */
    for (int t = 0; t < 5; t++) {
        char p[256];
        snprintf(p, sizeof p, "/api/v1/incidents/%lld", (long long)MX_INC[t]);
        EXPECT(get_status(-1, p) == 401, "anonymous %s: incident", TLPS[t]);
        snprintf(p, sizeof p, "/api/v1/incidents/%lld/reports/1", (long long)MX_INC[t]);
        EXPECT(get_status(-1, p) == 401, "anonymous %s: report", TLPS[t]);
        snprintf(p, sizeof p, "/api/v1/incidents/%lld/attachments/%s", (long long)MX_INC[t],
                 MX_LIST[t]);
        EXPECT(get_status(-1, p) == 401, "anonymous %s: download", TLPS[t]);
    }
    EXPECT(get_status(-1, "/api/v1/incidents") == 401, "anonymous: list");
    /* Lists: exactly the readable ones; filtered by toto: exactly those whose source p knows. */
    char q[64];
    snprintf(q, sizeof q, "/api/v1/incidents?org_id=%lld", (long long)TOTO);
    for (size_t i = 0; i < MATRIX_ROWS; i++) {
        int who = MATRIX[i].who;
        struct resp all, by_org;
        EXPECT(get(who, "/api/v1/incidents", &all) == 200, "%s: list", W[who].user);
        EXPECT(get(who, q, &by_org) == 200, "%s: list by org", W[who].user);
        for (int t = 0; t < 5; t++) {
            const char *cell = MATRIX[i].cell[t];
            json_t *items = json_object_get(all.json, "items");
            EXPECT(list_has(items, MX_INC[t]) == (strchr(cell, 'R') != NULL), "%s %s: in list",
                   W[who].user, TLPS[t]);
            EXPECT(list_has(json_object_get(by_org.json, "items"), MX_INC[t]) ==
                       (strchr(cell, 'I') != NULL),
                   "%s %s: in list filtered by toto", W[who].user, TLPS[t]);
            size_t k;
            json_t *v;
            json_array_foreach(items, k, v)
            {
                if (json_integer_value(json_object_get(v, "id")) != MX_INC[t]) continue;
                EXPECT(strchr(cell, 'I') ? json_integer_value(at(v, "source/org_id")) == TOTO
                                         : source_withheld(json_object_get(v, "source")),
                       "%s %s: list source", W[who].user, TLPS[t]);
            }
        }
        resp_free(&all);
        resp_free(&by_org);
    }
    END_SOFT();
}

/* ---- 3. follow-ups: the diff keeps the parts' audiences --------------------------------- */

static void follow_up_diff_keeps_parts(void **st)
{
    BEGIN_SOFT();
    /* GREEN incident (the matrix's), 第2報 changing the reporter, the (still opted-out) attack
     * section and the business impact. */
    json_int_t inc = MX_INC[3];
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)inc);
    json_t *doc =
        ddos_doc("follow_up", "TLP:GREEN", ddos_answers("follow_up", TOTO_NAME, "FU2", true, NULL));
    json_object_set_new(doc, "opt_out_groups", json_pack("[s]", "attack"));
    /* Only the source adds reports: a TLP reader may not. */
    post_report(P_WANGAN, path, json_deep_copy(doc), 403);
    post_report(P_METI, path, json_deep_copy(doc), 403);
    post_report(P_TOTO_C, path, doc, 201);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/2/diff", (long long)inc);
    const struct {
        int who;
        bool identity, attack;
    } rows[] = {{P_TOTO_R, true, true},   {P_METI, true, true},     {P_NC, true, true},
                {P_WANGAN, false, false}, {P_TEISAC, false, false}, {P_METI_C, false, false}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        struct resp r;
        const char *u = W[rows[i].who].user;
        EXPECT(get(rows[i].who, path, &r) == 200, "%s: diff %ld", u, r.status);
        bool reporter = false, attack = false, body = false;
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(r.json, "changes"), k, c)
        {
            const char *p = str_at(c, "path");
            reporter |= p && strncmp(p, "/reporter/", 10) == 0;
            attack |= p && strncmp(p, "/attack/", 8) == 0;
            body |= streq(p, "/business_impact/overview");
        }
        EXPECT(body, "%s: the business impact change", u);
        EXPECT(reporter == rows[i].identity, "%s: reporter changes %s", u, r.body);
        EXPECT(attack == rows[i].attack, "%s: attack changes %s", u, r.body);
        EXPECT(!r.body || (strstr(r.body, "CONTACT-MX3") != NULL) == rows[i].identity,
               "%s: old reporter value", u);
        EXPECT(!r.body || (strstr(r.body, "ATTACK-MX3") != NULL) == rows[i].attack,
               "%s: old attack value", u);
        EXPECT(has_withheld(r.json, "reporter", "identity") == !rows[i].identity,
               "%s: diff withheld", u);
        resp_free(&r);
    }

    /* A RED 第1報 followed by a GREEN 第2報: GREEN readers see the incident and 第2報 only. */
    json_int_t red = post_report(
        P_TOTO_R, "/api/v1/incidents",
        ddos_doc("quick", "TLP:RED", ddos_answers("new", TOTO_NAME, "REDFIRST", false, NULL)), 201);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)red);
    post_report(P_TOTO_R, path,
                ddos_doc("follow_up", "TLP:GREEN",
                         ddos_answers("follow_up", TOTO_NAME, "GREENNEXT", false, NULL)),
                201);
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)red);
    EXPECT(get(P_WANGAN, path, &r) == 200, "wangan: incident now GREEN");
    EXPECT(json_array_size(json_object_get(r.json, "report_list")) == 1 &&
               json_integer_value(at(r.json, "report_list/0/number")) == 2,
           "wangan: only 第2報 listed: %s", r.body);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1", (long long)red);
    EXPECT(get_status(P_WANGAN, path) == 404, "wangan: RED 第1報");
    EXPECT(get_status(P_METI, path) == 200, "meti: RED 第1報");
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/2", (long long)red);
    EXPECT(get(P_WANGAN, path, &r) == 200, "wangan: GREEN 第2報");
    EXPECT(streq(str_at(r.json, "answers/business_impact/overview"), "BODY-GREENNEXT"),
           "wangan: 第2報 body");
    /* Was a bug: 第2報's "changes" (GET …/reports/2 and …/reports/2/diff) carry 第1報's values as
     * "old": {"op":"replace","path":"/business_impact/overview","old":"BODY-REDFIRST",…} and
     * the RED attack rows. The diff is stored verbatim (src/api/incidents.c prepare_diff(), ~l.
     * 420) and src/api/incidents_view.c redact(), ~l. 252, filters it only by 第2報's own TLP,
     * identity and opt-out, so a GREEN reader of 第2報 who may not read the RED 第1報 (404)
     * reads its content. Fixed: incidents_view.c redact_old(). */
    EXPECT(r.body && !strstr(r.body, "BODY-REDFIRST"), "wangan: RED values in changes");
    resp_free(&r);
    END_SOFT();
}

/* ---- 4. opt-out by a reporter that is not a CI operator --------------------------------- */

static void vendor_opt_out_hidden_from_nc(void **st)
{
    BEGIN_SOFT();
    struct resp r;
    char list[24];
    upload(P_TSS, "tss.csv", "source_ip_list", "text/csv", IPLIST_CSV, &r, list);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    json_t *doc =
        ddos_doc("quick", "TLP:AMBER+STRICT",
                 ddos_answers("new", "東都システムソリューションズ株式会社", "TSS1", true, list));
    json_object_set_new(doc, "opt_out_groups", json_pack("[s]", "attack"));
    json_object_set_new(doc, "sectors", json_pack("[s]", "ci.info_comm"));
    json_int_t inc = post_report(P_TSS, "/api/v1/incidents", doc, 201);
    char path[128], dl[160];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)inc);
    /* Recipients: MIC (info_comm) and the national centre. */
    assert_int_equal(get(P_TSS, path, &r), 200);
    size_t k;
    json_t *rt;
    bool mic = false, nc = false;
    json_array_foreach(json_object_get(r.json, "routing"), k, rt)
    {
        json_int_t o = json_integer_value(json_object_get(rt, "org_id"));
        mic |= o == MIC && streq(str_at(rt, "role"), "ministry");
        nc |= o == NC_ORG && streq(str_at(rt, "role"), "national_centre");
    }
    EXPECT(mic && nc && json_array_size(json_object_get(r.json, "routing")) == 2, "routing %s",
           r.body);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1", (long long)inc);
    snprintf(dl, sizeof dl, "/api/v1/incidents/%lld/attachments/%s", (long long)inc, list);
    const struct {
        int who;
        const char *cell;
    } rows[] = {{P_TSS, "RIO"}, {P_MIC, "RIO"}, {P_NC, "RI"}, {P_METI, "-"}, {P_TOTO_R, "-"}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const char *u = W[rows[i].who].user, *cell = rows[i].cell;
        bool R = strchr(cell, 'R'), I = strchr(cell, 'I'), O = strchr(cell, 'O');
        CHECKED += 3;
        EXPECT(get(rows[i].who, path, &r) == (R ? 200 : 404), "%s: report %ld", u, r.status);
        if (R && r.status == 200) {
            EXPECT(streq(str_at(r.json, "answers/attack/attacks/0/details"), "ATTACK-TSS1") == O,
                   "%s: attack section %s", u, r.body);
            EXPECT(has_withheld(r.json, "attack", "opt_out") == !O, "%s: withheld attack", u);
            EXPECT((json_array_size(json_object_get(r.json, "indicators")) > 0) == O,
                   "%s: indicators", u);
            EXPECT(has_item_id(json_object_get(r.json, "attachments"), list) == O, "%s: list file",
                   u);
            EXPECT(json_integer_value(at(r.json, "source/org_id")) == (I ? TSS_ORG : 0),
                   "%s: source", u);
        }
        resp_free(&r);
        EXPECT(get_status(rows[i].who, dl) == (O ? 200 : 404), "%s: download", u);
    }
    /* 第2報 without the opt-out: the national centre now reads the attack section as it is. */
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)inc);
    post_report(P_TSS, path,
                ddos_doc("follow_up", "TLP:AMBER+STRICT",
                         ddos_answers("follow_up", "東都システムソリューションズ株式会社", "TSS2",
                                      false, NULL)),
                201);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/2", (long long)inc);
    EXPECT(get(P_NC, path, &r) == 200, "nc: 第2報");
    EXPECT(streq(str_at(r.json, "answers/attack/attacks/0/details"), "ATTACK-TSS2"),
           "nc: 第2報 attack");
    /* Was a bug: 第2報's "changes" hold 第1報's opted-out attack rows as "old" ({"op":"replace",
     * "path":"/attack/attacks","old":[{…"details":"ATTACK-TSS1"}]…}, and "remove
     * /attack/list_files" with the hidden list file's id), in GET …/reports/2 and …/2/diff:
     * src/api/incidents_view.c redact(), ~l. 252, drops changes only for sections hidden by
     * 第2報's own opt-out mask (rep->opt_out), not 第1報's, so the national centre reads what a
     * non-CI reporter opted out of sharing with it. Fixed: incidents_view.c redact_old(). */
    EXPECT(r.body && !strstr(r.body, "ATTACK-TSS1"), "nc: opted-out values of 第1報");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1", (long long)inc);
    EXPECT(get(P_NC, path, &r) == 200 && has_withheld(r.json, "attack", "opt_out"),
           "nc: 第1報 still withheld");
    resp_free(&r);
    EXPECT(get_status(P_NC, dl) == 404, "nc: 第1報's list file still hidden");
    END_SOFT();
}

/* ---- 5. ransomware annexes -------------------------------------------------------------- */

static void ransomware_annex_only_for_ministry(void **st)
{
    BEGIN_SOFT();
    struct resp r;
    char annex[24], press[24];
    const char *annex_body = "%PDF-1.4 annex 1 (personal data breach) KOJIN-JOHO";
    const char *press_body = "%PDF-1.4 press release";
    upload(P_KAEDE, "annex1.pdf", "annex_1", "application/pdf", annex_body, &r, annex);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    upload(P_KAEDE, "press.pdf", "press_release", "application/pdf", press_body, &r, press);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:{s:{s:s}, s:{s:s, s:s}, s:{s:s, s:b}}}", "form",
                  "ransomware", "kind", "quick", "tlp", "TLP:GREEN", "severity", "alert",
                  "attachments", annex, press, "answers", "header", "report_kind", "new",
                  "reporter", "name", "株式会社東都かえで銀行", "contact_name", "CONTACT-RW",
                  "business_impact", "overview", "BODY-RW", "annex_1", 1);
    json_int_t inc = post_report(P_KAEDE, "/api/v1/incidents", doc, 201);
    char p_rep[128], p_atts[128], p_annex[160], p_press[160], p_form[160];
    /* Recipients: the FSA (finance) and the national centre. */
    snprintf(p_rep, sizeof p_rep, "/api/v1/incidents/%lld", (long long)inc);
    assert_int_equal(get(P_KAEDE, p_rep, &r), 200);
    EXPECT(json_array_size(json_object_get(r.json, "routing")) == 2 &&
               streq(str_at(route_of(r.json, FSA), "role"), "ministry") &&
               streq(str_at(route_of(r.json, NC_ORG), "role"), "national_centre"),
           "ransomware routing %s", r.body);
    resp_free(&r);
    snprintf(p_rep, sizeof p_rep, "/api/v1/incidents/%lld/reports/1", (long long)inc);
    snprintf(p_form, sizeof p_form, "%s/form", p_rep);
    snprintf(p_atts, sizeof p_atts, "/api/v1/incidents/%lld/attachments", (long long)inc);
    snprintf(p_annex, sizeof p_annex, "%s/%s", p_atts, annex);
    snprintf(p_press, sizeof p_press, "%s/%s", p_atts, press);
    /* R = reads the report; A = sees the annex; P = sees the press release and the annex tick
     * (they name the operator or tell of a personal-data breach: the source and the recipients'
     * own staff only). */
    const struct {
        int who;
        const char *cell;
    } rows[] = {
        {P_KAEDE, "RAP"}, {P_KAEDE_V, "RAP"}, /* the source, any role */
        {P_FSA, "RAP"},                       /* the recipient ministry */
        {P_NC, "RP"},                         /* the centre: never the annexes */
        {P_TOTO_R, "R"},  {P_MIC, "R"},       /* GREEN readers: the body only */
        {P_OTHER, "-"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const char *u = W[rows[i].who].user;
        bool R = strchr(rows[i].cell, 'R'), A = strchr(rows[i].cell, 'A'),
             P = strchr(rows[i].cell, 'P');
        CHECKED += 1;
        EXPECT(get(rows[i].who, p_rep, &r) == (R ? 200 : 404), "%s: report", u);
        if (R) {
            EXPECT(has_item_id(json_object_get(r.json, "attachments"), annex) == A,
                   "%s: annex on the report %s", u, r.body);
            EXPECT(has_item_id(json_object_get(r.json, "attachments"), press) == P, "%s: press", u);
            EXPECT(json_is_true(at(r.json, "answers/business_impact/annex_1")) == P,
                   "%s: the annex tick", u);
        }
        resp_free(&r);
        EXPECT(get(rows[i].who, p_atts, &r) == (R ? 200 : 404), "%s: attachments", u);
        if (R) {
            EXPECT(has_item_id(json_object_get(r.json, "items"), annex) == A,
                   "%s: annex in GET …/attachments", u);
            EXPECT(has_item_id(json_object_get(r.json, "items"), press) == P,
                   "%s: press in GET …/attachments", u);
        }
        resp_free(&r);
        EXPECT(get(rows[i].who, p_annex, &r) == (A ? 200 : 404), "%s: annex download %ld", u,
               r.status);
        if (A) EXPECT(r.body && streq(r.body, annex_body), "%s: annex content", u);
        resp_free(&r);
        EXPECT(get(rows[i].who, p_press, &r) == (P ? 200 : 404), "%s: press download", u);
        if (P) EXPECT(r.body && streq(r.body, press_body), "%s: press content", u);
        resp_free(&r);
        if (R) {
            EXPECT(get(rows[i].who, p_form, &r) == 200, "%s: form", u);
            EXPECT((r.body && strstr(r.body, "annex1.pdf")) == A, "%s: annex name on the form", u);
            resp_free(&r);
        }
    }
    END_SOFT();
}

/* ---- 6. CEPTOAR relay ------------------------------------------------------------------- */

static json_t *relay_doc(json_int_t behalf, bool anonymised, const char *tag)
{
    json_t *doc =
        ddos_doc("quick", "TLP:AMBER+STRICT", ddos_answers("new", TOTO_NAME, tag, false, NULL));
    json_object_set_new(doc, "on_behalf_of", json_integer(behalf));
    json_object_set_new(doc, "anonymised", json_boolean(anonymised));
    return doc;
}

static json_int_t RELAY_ANON, RELAY_OPEN;

static void ceptoar_relay(void **st)
{
    BEGIN_SOFT();
    struct resp r;
    RELAY_ANON = post_report(P_TEISAC, "/api/v1/incidents", relay_doc(TOTO, true, "RLA"), 201);
    RELAY_OPEN = post_report(P_TEISAC, "/api/v1/incidents", relay_doc(TOTO, false, "RLO"), 201);
    /* Outside its sectors (finance), or not a CEPTOAR at all: refused. */
    post_report(P_TEISAC, "/api/v1/incidents", relay_doc(KAEDE, true, "RLK"), 403);
    post_report(P_HOKUTO_R, "/api/v1/incidents", relay_doc(TOTO, false, "RLH"), 403);
    /* I = names toto; C = sees the reporter section; L = is told which CEPTOAR relayed (those
     * who know the source, and the recipients: a TLP reader is not, the relay narrows who the
     * victim can be). */
    const struct {
        int who;
        const char *anon, *open;
    } rows[] = {
        {P_TEISAC, "ICL", "ICL"},                       /* the relaying CEPTOAR: its own report */
        {P_TOTO_R, "ICL", "ICL"},                       /* the operator: its own identity */
        {P_NC, "L", "ICL"},                             /* recipients: not when anonymised */
        {P_METI, "L", "ICL"},     {P_HOKUTO_R, "", ""}, /* a TLP reader never */
        {P_WANGAN, "-", "-"},                           /* AMBER+STRICT: not gas */
    };
    for (int v = 0; v < 2; v++) {
        json_int_t inc = v == 0 ? RELAY_ANON : RELAY_OPEN;
        const char *tag = v == 0 ? "CONTACT-RLA" : "CONTACT-RLO";
        char p_inc[96], p_rep[128];
        snprintf(p_inc, sizeof p_inc, "/api/v1/incidents/%lld", (long long)inc);
        snprintf(p_rep, sizeof p_rep, "%s/reports/1", p_inc);
        for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
            const char *cell = v == 0 ? rows[i].anon : rows[i].open, *u = W[rows[i].who].user;
            bool R = !strchr(cell, '-'), I = strchr(cell, 'I'), C = strchr(cell, 'C'),
                 L = strchr(cell, 'L');
            CHECKED += 2;
            for (int k = 0; k < 2; k++) {
                EXPECT(get(rows[i].who, k ? p_rep : p_inc, &r) == (R ? 200 : 404),
                       "%s relay %d: %s %ld", u, v, k ? "report" : "incident", r.status);
                if (R && r.status == 200) {
                    const json_t *src = json_object_get(r.json, "source");
                    EXPECT(L ? json_integer_value(at(src, "relayed_by/org_id")) == TEISAC &&
                                   json_is_true(json_object_get(src, "anonymised")) == (v == 0)
                             : !json_object_get(src, "relayed_by"),
                           "%s relay %d: relayed_by %s", u, v, r.body);
                    EXPECT(I ? json_integer_value(json_object_get(src, "org_id")) == TOTO
                             : source_withheld(src),
                           "%s relay %d: source %s", u, v, r.body);
                    if (k) {
                        EXPECT(streq(str_at(r.json, "answers/reporter/contact_name"), tag) == C,
                               "%s relay %d: reporter section", u, v);
                        EXPECT(has_withheld(r.json, "reporter", "identity") == !C,
                               "%s relay %d: withheld", u, v);
                    }
                }
                resp_free(&r);
            }
        }
        /* The printed form names the relay, never the operator, to the centre. */
        char p_form[160];
        snprintf(p_form, sizeof p_form, "%s/form", p_rep);
        EXPECT(get(P_NC, p_form, &r) == 200, "nc relay %d: form", v);
        EXPECT((r.body && strstr(r.body, tag)) == (v == 1), "nc relay %d: form reporter", v);
        if (v == 0)
            EXPECT(r.body && strstr(r.body, "東都エネルギーISAC"),
                   "nc relay: form names the relay");
        resp_free(&r);
    }
    /* The operator and the CEPTOAR add reports; the ministry does not. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports", (long long)RELAY_ANON);
    json_t *fu = ddos_doc("follow_up", "TLP:AMBER+STRICT",
                          ddos_answers("follow_up", TOTO_NAME, "RLA2", false, NULL));
    post_report(P_METI, path, json_deep_copy(fu), 403);
    post_report(P_TEISAC, path, fu, 201);
    /* Filtering by the operator never finds the anonymised relay for the centre. */
    char q[64];
    snprintf(q, sizeof q, "/api/v1/incidents?org_id=%lld", (long long)TOTO);
    EXPECT(get(P_NC, q, &r) == 200, "nc: list by toto");
    EXPECT(!list_has(json_object_get(r.json, "items"), RELAY_ANON), "nc: anonymised relay");
    EXPECT(list_has(json_object_get(r.json, "items"), RELAY_OPEN), "nc: open relay");
    resp_free(&r);
    EXPECT(get(P_NC, "/api/v1/incidents", &r) == 200, "nc: list");
    EXPECT(list_has(json_object_get(r.json, "items"), RELAY_ANON), "nc: anonymised relay listed");
    resp_free(&r);
    EXPECT(get(P_TOTO_R, q, &r) == 200, "toto: list by toto");
    EXPECT(list_has(json_object_get(r.json, "items"), RELAY_ANON), "toto: its relayed incident");
    resp_free(&r);
    END_SOFT();
}

/* ---- 7. acknowledgement ----------------------------------------------------------------- */

static long ack(int who, json_int_t inc, struct resp *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld/reports/1/ack", (long long)inc);
    http_json(&S, "POST", path, W[who].tok, NULL, r);
    return r->status;
}

static long ack_status(int who, json_int_t inc)
{
    struct resp r;
    long st = ack(who, inc, &r);
    resp_free(&r);
    return st;
}

static void ack_receipt(void **st)
{
    BEGIN_SOFT();
    json_int_t red = MX_INC[0], amber = MX_INC[2];
    struct resp r;
    EXPECT(ack(P_METI, red, &r) == 200, "meti: ack %ld %s", r.status, r.body);
    const json_t *m = route_of(r.json, METI), *n = route_of(r.json, NC_ORG);
    EXPECT(str_at(m, "acknowledged_at") != NULL, "meti: acknowledged_at %s", r.body);
    EXPECT(streq(str_at(m, "role"), "ministry") && str_at(m, "received_at"), "meti: route");
    EXPECT(n && !str_at(n, "acknowledged_at"), "nc: not acknowledged yet");
    resp_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)red);
    EXPECT(get(P_TOTO_R, path, &r) == 200 &&
               str_at(route_of(r.json, METI), "acknowledged_at") != NULL,
           "toto: sees METI's acknowledgement");
    resp_free(&r);
    EXPECT(ack_status(P_METI, red) == 409, "meti: second ack");
    EXPECT(ack_status(P_WANGAN, red) == 404, "wangan: may not read the RED report");
    EXPECT(ack_status(P_METI_C, red) == 404, "meti contractor: may not read RED");
    EXPECT(ack_status(P_TOTO_R, red) == 403, "toto: not a recipient");
    EXPECT(ack_status(P_KAEDE_V, red) == 403, "kaede viewer: no writer role");
    EXPECT(ack_status(P_NC, red) == 200, "nc: ack");
    EXPECT(ack_status(P_METI_C, amber) == 403, "meti contractor: reads AMBER, may not ack");
    EXPECT(ack_status(P_HOKUTO_R, amber) == 403, "hokuto: reads AMBER, not a recipient");
    EXPECT(ack_status(P_WANGAN_A, amber) == 404, "wangan admin: may not read AMBER");
    END_SOFT();
}

/* ---- 8. lists agree with reads, over every incident of this test ------------------------ */

static void lists_match_reads(void **st)
{
    BEGIN_SOFT();
    struct resp all;
    assert_int_equal(get(P_NC_ADMIN, "/api/v1/incidents", &all), 200);
    size_t n = json_array_size(json_object_get(all.json, "items"));
    EXPECT(n >= 12, "the centre lists the test's incidents (%zu)", n);
    char q[64];
    snprintf(q, sizeof q, "/api/v1/incidents?org_id=%lld", (long long)TOTO);
    for (int who = 0; who < P__N; who++) {
        struct resp l, f;
        EXPECT(get(who, "/api/v1/incidents", &l) == 200, "%s: list", W[who].user);
        EXPECT(get(who, q, &f) == 200, "%s: list by toto", W[who].user);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(all.json, "items"), i, it)
        {
            json_int_t id = json_integer_value(json_object_get(it, "id"));
            char path[64];
            snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)id);
            struct resp one;
            long s = get(who, path, &one);
            bool named = s == 200 && json_integer_value(at(one.json, "source/org_id")) == TOTO;
            EXPECT(list_has(json_object_get(l.json, "items"), id) == (s == 200),
                   "%s: incident %lld listed iff readable (%ld)", W[who].user, (long long)id, s);
            EXPECT(list_has(json_object_get(f.json, "items"), id) == named,
                   "%s: incident %lld in ?org_id=toto iff toto is named to it", W[who].user,
                   (long long)id);
            resp_free(&one);
        }
        resp_free(&l);
        resp_free(&f);
    }
    resp_free(&all);
    END_SOFT();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(source_ip_list_upload),
        cmocka_unit_test(tlp_matrix_ddos),
        cmocka_unit_test(follow_up_diff_keeps_parts),
        cmocka_unit_test(vendor_opt_out_hidden_from_nc),
        cmocka_unit_test(ransomware_annex_only_for_ministry),
        cmocka_unit_test(ceptoar_relay),
        cmocka_unit_test(ack_receipt),
        cmocka_unit_test(lists_match_reads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
