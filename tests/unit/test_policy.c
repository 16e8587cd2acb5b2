/*
 * test_policy.c — the sharing rules of policy.h, checked three ways: hand-written tables of
 * expected answers, an independent oracle compared on random cases, and named regressions for
 * leaks that other sharing platforms have shipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/policy.h"

/* Sector bits used throughout; the values only need to be distinct. */
#define SEC_POWER (1u << 0)
#define SEC_GAS (1u << 1)
#define SEC_FINANCE (1u << 2)

#define NORG ((int)POL_ORG__COUNT)

static const char *const org_short[POL_ORG__COUNT] = {
    "nc",  "ministry", "core", "ci",      "ceptoar", "vendor",
    "ipa", "jpcert",   "nict", "foreign", "other",
};

__attribute__((format(printf, 3, 4))) static void expect_bool(bool got, bool want, const char *fmt,
                                                              ...)
{
    if (got == want) return;
    va_list ap;
    va_start(ap, fmt);
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    print_error("%s: got %s, want %s\n", buf, got ? "true" : "false", want ? "true" : "false");
    fail();
}

static struct pol_principal principal(int64_t user, int64_t org, enum pol_org_type type,
                                      uint64_t sectors)
{
    struct pol_principal p = {0};
    p.user_id = user;
    p.org_id = org;
    p.org_type = type;
    p.sectors = sectors;
    p.roles = POL_ROLE_VIEWER;
    return p;
}

static struct pol_scope scope1(int64_t owner, uint64_t sectors, enum pol_tlp tlp)
{
    struct pol_scope s = {0};
    s.owner_org = owner;
    s.sectors = sectors;
    s.tlp[0] = tlp;
    s.ntlp = 1;
    s.tier = POL_TIER_NONE;
    return s;
}

/* ---- names ------------------------------------------------------------------------------ */

static void test_names_round_trip(void **state)
{
    static const char *const orgs[] = {"national_centre",    "ministry",    "core_operator",
                                       "ci_operator",        "ceptoar",     "vendor",
                                       "vuln_intake",        "coordinator", "research",
                                       "foreign_government", "other"};
    for (int i = 0; i < NORG; i++) {
        enum pol_org_type t;
        assert_int_equal(policy_org_type_parse(orgs[i], &t), RK_OK);
        assert_int_equal(t, i);
        assert_string_equal(policy_org_type_name(t), orgs[i]);
    }
    static const struct {
        const char *name;
        enum pol_role role;
    } roles[] = {{"admin", POL_ROLE_ADMIN},
                 {"org_admin", POL_ROLE_ORG_ADMIN},
                 {"analyst", POL_ROLE_ANALYST},
                 {"reporter", POL_ROLE_REPORTER},
                 {"viewer", POL_ROLE_VIEWER}};
    for (size_t i = 0; i < RK_ARRAY_LEN(roles); i++) {
        enum pol_role r;
        assert_int_equal(policy_role_parse(roles[i].name, &r), RK_OK);
        assert_int_equal(r, roles[i].role);
        assert_string_equal(policy_role_name(r), roles[i].name);
    }
    static const char *const councils[] = {"none", "friend", "member"};
    for (int i = 0; i < 3; i++) {
        enum pol_council c;
        assert_int_equal(policy_council_parse(councils[i], &c), RK_OK);
        assert_int_equal(c, i);
        assert_string_equal(policy_council_name(c), councils[i]);
    }
    static const char *const tlps[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
                                       "TLP:RED"};
    static const char *const tlps_ja[] = {"公開情報", "重要インフラ関係主体限り",
                                          "特定分野・関係者限り", "特定分野・組織内関係者限り",
                                          "宛先限り"};
    for (int i = 0; i < 5; i++) {
        enum pol_tlp t;
        assert_int_equal(policy_tlp_parse(tlps[i], &t), RK_OK);
        assert_int_equal(t, i);
        assert_string_equal(policy_tlp_name(t), tlps[i]);
        assert_string_equal(policy_tlp_name_ja(t), tlps_ja[i]);
    }
    static const char *const tiers[] = {"none", "comprehensive", "provision", "publication"};
    for (int i = 0; i < 4; i++) {
        enum pol_tier t;
        assert_int_equal(policy_tier_parse(tiers[i], &t), RK_OK);
        assert_int_equal(t, i);
        assert_string_equal(policy_tier_name(t), tiers[i]);
    }
    static const struct {
        const char *name;
        enum pol_label label;
    } labels[] = {{"secret", POL_LABEL_SECRET},
                  {"comms_info", POL_LABEL_COMMS_INFO},
                  {"source_identifying", POL_LABEL_SOURCE_IDENTIFYING}};
    for (size_t i = 0; i < RK_ARRAY_LEN(labels); i++) {
        enum pol_label l;
        assert_int_equal(policy_label_parse(labels[i].name, &l), RK_OK);
        assert_int_equal(l, labels[i].label);
        assert_string_equal(policy_label_name(l), labels[i].name);
    }
}

static void test_names_reject_unknown(void **state)
{
    enum pol_org_type o;
    enum pol_role r;
    enum pol_council c;
    enum pol_tlp t;
    enum pol_tier ti;
    enum pol_label l;

    assert_int_equal(policy_org_type_parse("National_Centre", &o), RK_EINVAL);
    assert_int_equal(policy_org_type_parse("", &o), RK_EINVAL);
    assert_int_equal(policy_org_type_parse(NULL, &o), RK_EINVAL);
    assert_int_equal(policy_role_parse("root", &r), RK_EINVAL);
    assert_int_equal(policy_role_parse(NULL, &r), RK_EINVAL);
    assert_int_equal(policy_council_parse("friends", &c), RK_EINVAL);
    /* TLP 2.0 spells the names in capitals; a lax match would accept look-alikes. */
    assert_int_equal(policy_tlp_parse("tlp:red", &t), RK_EINVAL);
    assert_int_equal(policy_tlp_parse("TLP:WHITE", &t), RK_EINVAL);
    assert_int_equal(policy_tlp_parse("TLP:AMBER+strict", &t), RK_EINVAL);
    assert_int_equal(policy_tlp_parse("RED", &t), RK_EINVAL);
    assert_int_equal(policy_tier_parse("public", &ti), RK_EINVAL);
    assert_int_equal(policy_label_parse("Secret", &l), RK_EINVAL);
    assert_int_equal(policy_label_parse("secret", NULL), RK_EINVAL);
    assert_int_equal(policy_tlp_parse("TLP:RED", NULL), RK_EINVAL);

    /* Out-of-range values must name themselves harmlessly, never index past a table. */
    assert_string_equal(policy_org_type_name(POL_ORG__COUNT), "unknown");
    assert_string_equal(policy_org_type_name((enum pol_org_type) - 1), "unknown");
    assert_string_equal(policy_role_name((enum pol_role)(POL_ROLE_ADMIN | POL_ROLE_VIEWER)),
                        "unknown");
    assert_string_equal(policy_role_name((enum pol_role)0), "unknown");
    assert_string_equal(policy_council_name((enum pol_council)3), "unknown");
    assert_string_equal(policy_tlp_name((enum pol_tlp)5), "unknown");
    assert_string_equal(policy_tlp_name_ja((enum pol_tlp)5), "unknown");
    assert_string_equal(policy_tlp_name_ja((enum pol_tlp) - 1), "unknown");
    assert_string_equal(policy_tier_name((enum pol_tier)4), "unknown");
    assert_string_equal(policy_label_name((enum pol_label)8), "unknown");
}

/* ---- TLP table -------------------------------------------------------------------------- */

/*
 * Expected answers for a non-owner, by org type in enum order:
 *   nc ministry core ci ceptoar vendor ipa jpcert nict foreign other
 * base[contractor][sector match]; named_* is the widening an addressee gets.
 */
struct tlp_row {
    enum pol_tlp tlp;
    const char *base[2][2];
    bool named_staff, named_contractor;
};

static const struct tlp_row tlp_table[] = {
    {POL_TLP_CLEAR, {{"11111111111", "11111111111"}, {"11111111111", "11111111111"}}, true, true},
    {POL_TLP_GREEN, {{"11111111100", "11111111100"}, {"11111111100", "11111111100"}}, true, true},
    {POL_TLP_AMBER, {{"10000000000", "11111000000"}, {"10000000000", "11111000000"}}, true, true},
    {POL_TLP_AMBER_STRICT,
     {{"10000000000", "11111000000"}, {"00000000000", "00000000000"}},
     true,
     false},
    {POL_TLP_RED, {{"00000000000", "00000000000"}, {"00000000000", "00000000000"}}, true, false},
};

static void test_tlp_table(void **state)
{
    int checks = 0;
    for (size_t r = 0; r < RK_ARRAY_LEN(tlp_table); r++) {
        const struct tlp_row *row = &tlp_table[r];
        for (int t = 0; t < NORG; t++)
            for (int match = 0; match < 2; match++)
                for (int contractor = 0; contractor < 2; contractor++)
                    for (int named = 0; named < 2; named++)
                        for (int owner = 0; owner < 2; owner++) {
                            struct pol_principal p = principal(100, 50, (enum pol_org_type)t,
                                                               match ? SEC_POWER : SEC_FINANCE);
                            p.contractor = contractor;
                            struct pol_scope s =
                                scope1(owner ? 50 : 1, SEC_POWER | SEC_GAS, row->tlp);
                            /* The list is never empty, so "not named" means "someone else is". */
                            const int64_t list_named[] = {7, 50}, list_other[] = {7};
                            s.named = named ? list_named : list_other;
                            s.nnamed = named ? 2 : 1;
                            /* The owner's own staff read it in full; the owner's
                             * contractors only as any other reader would. */
                            bool want =
                                (owner && !contractor) || row->base[contractor][match][t] == '1' ||
                                (named && (contractor ? row->named_contractor : row->named_staff));
                            expect_bool(policy_may_read(&p, &s), want,
                                        "%s org=%s sector_match=%d contractor=%d named=%d owner=%d",
                                        policy_tlp_name(row->tlp), org_short[t], match, contractor,
                                        named, owner);
                            checks++;
                        }
    }
    print_message("tlp table: %d cases\n", checks);
}

/* An object concerning no sector is an AMBER object nobody outside the centre needs. */
static void test_tlp_amber_empty_sectors(void **state)
{
    for (int lvl = POL_TLP_AMBER; lvl <= POL_TLP_AMBER_STRICT; lvl++)
        for (int t = 0; t < NORG; t++) {
            struct pol_principal p = principal(100, 50, (enum pol_org_type)t, ~0ull);
            struct pol_scope s = scope1(1, 0, (enum pol_tlp)lvl);
            expect_bool(policy_may_read(&p, &s), t == POL_ORG_NATIONAL_CENTRE,
                        "%s empty sectors org=%s", policy_tlp_name((enum pol_tlp)lvl),
                        org_short[t]);
            const int64_t named[] = {50};
            s.named = named;
            s.nnamed = 1;
            expect_bool(policy_may_read(&p, &s), true, "%s empty sectors named org=%s",
                        policy_tlp_name((enum pol_tlp)lvl), org_short[t]);
            s.named = NULL;
            s.nnamed = 0;
            s.owner_org = 50;
            expect_bool(policy_may_read(&p, &s), true, "%s empty sectors owner org=%s",
                        policy_tlp_name((enum pol_tlp)lvl), org_short[t]);
        }
}

static void test_anonymous(void **state)
{
    /* Zeroed: org_type is 0, which is POL_ORG_NATIONAL_CENTRE. */
    struct pol_principal anon = {0};
    struct pol_principal anon_dressed = principal(0, 0, POL_ORG_NATIONAL_CENTRE, ~0ull);
    anon_dressed.designated = true;
    anon_dressed.council = POL_COUNCIL_MEMBER;
    anon_dressed.roles = POL_ROLE__ALL;
    const struct pol_principal *anons[] = {&anon, &anon_dressed};
    const int64_t named_zero[] = {0};

    for (size_t a = 0; a < 2; a++) {
        const struct pol_principal *p = anons[a];
        for (int lvl = 0; lvl <= POL_TLP_RED; lvl++)
            for (int tier = 0; tier <= POL_TIER_PUBLICATION; tier++)
                for (unsigned labels = 0; labels <= POL_LABEL__ALL; labels++) {
                    struct pol_scope s = scope1(0, ~0ull, (enum pol_tlp)lvl);
                    s.tier = (enum pol_tier)tier;
                    s.labels = labels;
                    s.named = named_zero;
                    s.nnamed = 1;
                    bool want = lvl == POL_TLP_CLEAR &&
                                (tier == POL_TIER_NONE || tier == POL_TIER_PUBLICATION) &&
                                labels == 0;
                    expect_bool(policy_may_read(p, &s), want, "anon%zu %s tier=%s labels=%u", a,
                                policy_tlp_name((enum pol_tlp)lvl),
                                policy_tier_name((enum pol_tier)tier), labels);
                    expect_bool(policy_field_visible(p, &s, labels), labels == 0,
                                "anon%zu field labels=%u", a, labels);
                    expect_bool(policy_may_write(p, &s), false, "anon%zu write", a);
                }
    }
}

/* ---- tier table ------------------------------------------------------------------------- */

/* base[designated][council none/friend/member], org types in enum order as above. */
struct tier_row {
    enum pol_tier tier;
    const char *base[2][3];
};

static const struct tier_row tier_table[] = {
    {POL_TIER_NONE,
     {{"11111111111", "11111111111", "11111111111"},
      {"11111111111", "11111111111", "11111111111"}}},
    {POL_TIER_COMPREHENSIVE,
     {{"10000000000", "10000000000", "10000000000"},
      {"11111111111", "11111111111", "11111111111"}}},
    /* Provision: operators too, unless they chose the friends' (publication) tier. */
    {POL_TIER_PROVISION,
     {{"11110000010", "11000000010", "11111111111"},
      {"11111111111", "11111111111", "11111111111"}}},
    {POL_TIER_PUBLICATION,
     {{"11111111111", "11111111111", "11111111111"},
      {"11111111111", "11111111111", "11111111111"}}},
};

static void test_tier_table(void **state)
{
    int checks = 0;
    for (size_t r = 0; r < RK_ARRAY_LEN(tier_table); r++)
        for (int t = 0; t < NORG; t++)
            for (int council = 0; council < 3; council++)
                for (int designated = 0; designated < 2; designated++)
                    for (int named = 0; named < 2; named++)
                        for (int owner = 0; owner < 2; owner++) {
                            struct pol_principal p =
                                principal(100, 50, (enum pol_org_type)t, SEC_POWER);
                            p.council = (enum pol_council)council;
                            p.designated = designated;
                            struct pol_scope s = scope1(owner ? 50 : 1, SEC_POWER, POL_TLP_CLEAR);
                            s.tier = tier_table[r].tier;
                            /* Addressees widen TLP, never the tier. */
                            const int64_t list[] = {50};
                            s.named = named ? list : NULL;
                            s.nnamed = named ? 1 : 0;
                            bool want = owner || tier_table[r].base[designated][council][t] == '1';
                            expect_bool(policy_may_read(&p, &s), want,
                                        "tier=%s org=%s council=%s designated=%d named=%d owner=%d",
                                        policy_tier_name(s.tier), org_short[t],
                                        policy_council_name(p.council), designated, named, owner);
                            checks++;
                        }
    print_message("tier table: %d cases\n", checks);
}

/* ---- label table ------------------------------------------------------------------------ */

struct label_row {
    unsigned label;
    const char *base[2][3]; /* [designated][council] */
    bool named;
};

static const struct label_row label_table[] = {
    {POL_LABEL_COMMS_INFO,
     {{"10000000000", "10000000000", "10000000000"}, {"11111111111", "11111111111", "11111111111"}},
     false},
    {POL_LABEL_SECRET,
     {{"11000000010", "11000000010", "11111111111"}, {"11111111111", "11111111111", "11111111111"}},
     false},
    {POL_LABEL_SOURCE_IDENTIFYING,
     {{"10000000000", "10000000000", "10000000000"}, {"10000000000", "10000000000", "10000000000"}},
     true},
};

/* Each label is checked twice: on the object (policy_may_read) and on a field. */
static void test_label_table(void **state)
{
    int checks = 0;
    for (size_t r = 0; r < RK_ARRAY_LEN(label_table); r++) {
        const struct label_row *row = &label_table[r];
        for (int t = 0; t < NORG; t++)
            for (int council = 0; council < 3; council++)
                for (int designated = 0; designated < 2; designated++)
                    for (int named = 0; named < 2; named++)
                        for (int owner = 0; owner < 2; owner++) {
                            struct pol_principal p =
                                principal(100, 50, (enum pol_org_type)t, SEC_POWER);
                            p.council = (enum pol_council)council;
                            p.designated = designated;
                            struct pol_scope s = scope1(owner ? 50 : 1, SEC_POWER, POL_TLP_CLEAR);
                            const int64_t list[] = {50};
                            s.named = named ? list : NULL;
                            s.nnamed = named ? 1 : 0;
                            bool want = owner || row->base[designated][council][t] == '1' ||
                                        (named && row->named);
                            expect_bool(policy_field_visible(&p, &s, row->label), want,
                                        "field label=%s org=%s council=%s des=%d named=%d owner=%d",
                                        policy_label_name((enum pol_label)row->label), org_short[t],
                                        policy_council_name(p.council), designated, named, owner);
                            s.labels = row->label;
                            expect_bool(
                                policy_may_read(&p, &s), want,
                                "object label=%s org=%s council=%s des=%d named=%d owner=%d",
                                policy_label_name((enum pol_label)row->label), org_short[t],
                                policy_council_name(p.council), designated, named, owner);
                            checks += 2;
                        }
    }
    print_message("label table: %d cases\n", checks);
}

static void test_label_combinations(void **state)
{
    const int64_t named[] = {50};
    struct pol_scope s = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    struct pol_scope s_named = s;
    s_named.named = named;
    s_named.nnamed = 1;
    const unsigned both = POL_LABEL_SECRET | POL_LABEL_SOURCE_IDENTIFYING;

    struct pol_principal ministry = principal(100, 50, POL_ORG_MINISTRY, SEC_POWER);
    struct pol_principal vendor = principal(100, 50, POL_ORG_VENDOR, 0);
    struct pol_principal nc = principal(100, 50, POL_ORG_NATIONAL_CENTRE, 0);
    struct pol_principal designated = principal(100, 50, POL_ORG_RESEARCH, 0);
    designated.designated = true;

    expect_bool(policy_field_visible(&ministry, &s_named, both), true, "named ministry");
    expect_bool(policy_field_visible(&ministry, &s, both), false, "ministry not named");
    expect_bool(policy_field_visible(&vendor, &s_named, both), false, "named vendor: no secret");
    expect_bool(policy_field_visible(&nc, &s, POL_LABEL__ALL), true, "nc all labels");
    expect_bool(policy_field_visible(&designated, &s, POL_LABEL__ALL), false,
                "designated lacks source_identifying");
    expect_bool(policy_field_visible(&designated, &s_named, POL_LABEL__ALL), true,
                "designated named");
    expect_bool(policy_field_visible(&ministry, &s, 0), true, "no labels");
    /* A bit nobody can name cannot be cleared, not even by the owner or the centre. */
    struct pol_scope own = scope1(50, SEC_POWER, POL_TLP_CLEAR);
    expect_bool(policy_field_visible(&nc, &s, 1u << 3), false, "unknown bit nc");
    expect_bool(policy_field_visible(&nc, &own, 1u << 3), false, "unknown bit owner");
    expect_bool(policy_field_visible(&nc, &own, POL_LABEL_SECRET | (1u << 31)), false,
                "unknown high bit");
    own.labels = 1u << 3;
    expect_bool(policy_may_read(&nc, &own), false, "unknown object label bit");
}

/* ---- robustness ------------------------------------------------------------------------- */

static void test_robustness(void **state)
{
    struct pol_principal nc = principal(1, 1, POL_ORG_NATIONAL_CENTRE, ~0ull);
    nc.roles = POL_ROLE_ADMIN;
    struct pol_scope own = scope1(1, SEC_POWER, POL_TLP_CLEAR);

    expect_bool(policy_may_read(&nc, &own), true, "baseline");
    expect_bool(policy_may_read(NULL, &own), false, "NULL principal");
    expect_bool(policy_may_read(&nc, NULL), false, "NULL scope");
    expect_bool(policy_may_write(NULL, &own), false, "NULL principal write");
    expect_bool(policy_field_visible(NULL, &own, 0), false, "NULL principal field");
    expect_bool(policy_field_visible(&nc, NULL, 0), false, "NULL scope field");

    /* Each bad value is tried on the owner too: ownership does not excuse corrupt input. */
    const int bad_org[] = {POL_ORG__COUNT, 99, -1};
    for (size_t i = 0; i < RK_ARRAY_LEN(bad_org); i++) {
        struct pol_principal p = nc;
        p.org_type = (enum pol_org_type)bad_org[i];
        expect_bool(policy_may_read(&p, &own), false, "org_type %d", bad_org[i]);
        expect_bool(policy_may_write(&p, &own), false, "org_type %d write", bad_org[i]);
        expect_bool(policy_field_visible(&p, &own, 0), false, "org_type %d field", bad_org[i]);
        expect_bool(policy_org_may_read(&p, 1), false, "org_type %d org read", bad_org[i]);
        expect_bool(policy_org_may_create(&p), false, "org_type %d org create", bad_org[i]);
    }
    struct pol_principal p = nc;
    p.council = (enum pol_council)3;
    expect_bool(policy_may_read(&p, &own), false, "council 3");
    p = nc;
    p.roles = POL_ROLE__ALL + 1;
    expect_bool(policy_may_read(&p, &own), false, "unknown role bit");
    expect_bool(policy_org_may_create(&p), false, "unknown role bit create");

    struct pol_scope s = own;
    s.tlp[0] = (enum pol_tlp)5;
    expect_bool(policy_may_read(&nc, &s), false, "tlp 5");
    s = own;
    s.tlp[0] = (enum pol_tlp) - 1;
    expect_bool(policy_may_read(&nc, &s), false, "tlp -1");
    s = own;
    s.tier = (enum pol_tier)4;
    expect_bool(policy_may_read(&nc, &s), false, "tier 4");
    expect_bool(policy_may_write(&nc, &s), false, "tier 4 write");
    s = own;
    s.ntlp = POL_MAX_MARKINGS + 1;
    expect_bool(policy_may_read(&nc, &s), false, "ntlp > max");
    s.ntlp = (size_t)-1;
    expect_bool(policy_may_read(&nc, &s), false, "ntlp huge");
    s = own;
    s.ntlp = POL_MAX_MARKINGS;
    for (int i = 0; i < POL_MAX_MARKINGS; i++)
        s.tlp[i] = POL_TLP_CLEAR;
    expect_bool(policy_may_read(&nc, &s), true, "ntlp == max");

    /* named == NULL with a count: nobody is named, and nothing is dereferenced. */
    struct pol_principal vendor = principal(5, 5, POL_ORG_VENDOR, 0);
    s = scope1(1, SEC_POWER, POL_TLP_RED);
    s.named = NULL;
    s.nnamed = 3;
    expect_bool(policy_may_read(&vendor, &s), false, "NULL named list");
    expect_bool(policy_field_visible(&vendor, &s, POL_LABEL_SOURCE_IDENTIFYING), false,
                "NULL named list field");

    /* Organisation 0 is "no organisation": it owns nothing and is nobody's addressee. */
    struct pol_principal orgless = principal(9, 0, POL_ORG_VENDOR, 0);
    orgless.roles = POL_ROLE_REPORTER;
    const int64_t zero[] = {0};
    s = scope1(0, SEC_POWER, POL_TLP_RED);
    s.named = zero;
    s.nnamed = 1;
    expect_bool(policy_may_read(&orgless, &s), false, "org 0 owner/named");
    expect_bool(policy_may_write(&orgless, &s), false, "org 0 write");
}

/* ---- write ------------------------------------------------------------------------------ */

static void test_may_write(void **state)
{
    struct pol_scope s = scope1(5, SEC_POWER, POL_TLP_RED);
    static const struct {
        unsigned roles;
        bool want;
    } cases[] = {
        {0, false},
        {POL_ROLE_VIEWER, false},
        {POL_ROLE_REPORTER, true},
        {POL_ROLE_ANALYST, true},
        {POL_ROLE_ORG_ADMIN, true},
        {POL_ROLE_ADMIN, true},
        {POL_ROLE_VIEWER | POL_ROLE_ANALYST, true},
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(cases); i++) {
        struct pol_principal p = principal(10, 5, POL_ORG_CORE_OPERATOR, SEC_POWER);
        p.roles = cases[i].roles;
        expect_bool(policy_may_write(&p, &s), cases[i].want, "own org roles=%#x", p.roles);
        p.org_id = 6;
        expect_bool(policy_may_write(&p, &s), false, "other org roles=%#x", p.roles);
        /* The centre reads everything it is sent but edits only what it owns. */
        p = principal(1, 1, POL_ORG_NATIONAL_CENTRE, ~0ull);
        p.roles = cases[i].roles;
        expect_bool(policy_may_write(&p, &s), false, "nc on operator object roles=%#x", p.roles);
    }
}

/* ---- foundation records ----------------------------------------------------------------- */

enum fr_fn {
    FR_ORG_READ,
    FR_ORG_DETAILS,
    FR_ORG_CREATE,
    FR_ORG_UPDATE,
    FR_USER_READ,
    FR_USER_MANAGE,
    FR_GRANT,
    FR_TOKEN,
    FR_AUDIT,
};

/*
 * The cast, by column of `want`:
 *   0 anonymous (zeroed)       1 anonymous dressed as a centre admin
 *   2 centre admin (u1, o1)    3 centre analyst (u2, o1)
 *   4 operator org admin (u10, o5)   5 operator viewer (u11, o5)
 *   6 ministry with the admin role (u20, o7)   7 vendor org admin + analyst (u30, o6)
 */
#define NCAST 8
static struct pol_principal cast(int i)
{
    struct pol_principal p = {0};
    switch (i) {
    case 1:
        p.org_type = POL_ORG_NATIONAL_CENTRE;
        p.roles = POL_ROLE_ADMIN | POL_ROLE_ORG_ADMIN;
        p.org_id = 1;
        break;
    case 2:
        p = principal(1, 1, POL_ORG_NATIONAL_CENTRE, 0);
        p.roles = POL_ROLE_ADMIN;
        break;
    case 3:
        p = principal(2, 1, POL_ORG_NATIONAL_CENTRE, 0);
        p.roles = POL_ROLE_ANALYST;
        break;
    case 4:
        p = principal(10, 5, POL_ORG_CORE_OPERATOR, SEC_POWER);
        p.roles = POL_ROLE_ORG_ADMIN;
        break;
    case 5:
        p = principal(11, 5, POL_ORG_CORE_OPERATOR, SEC_POWER);
        p.roles = POL_ROLE_VIEWER;
        break;
    case 6:
        p = principal(20, 7, POL_ORG_MINISTRY, SEC_POWER);
        p.roles = POL_ROLE_ADMIN;
        break;
    case 7:
        p = principal(30, 6, POL_ORG_VENDOR, 0);
        p.roles = POL_ROLE_ORG_ADMIN | POL_ROLE_ANALYST;
        break;
    default:
        break;
    }
    return p;
}

struct fr_case {
    const char *what;
    enum fr_fn fn;
    int64_t a, b;
    const char *want; /* one character per cast member */
};

static const struct fr_case fr_cases[] = {
    {"org_may_read(5)", FR_ORG_READ, 5, 0, "00111111"},
    {"org_may_read_details(5)", FR_ORG_DETAILS, 5, 0, "00111100"},
    {"org_may_read_details(1)", FR_ORG_DETAILS, 1, 0, "00110000"},
    {"org_may_read_details(7)", FR_ORG_DETAILS, 7, 0, "00110010"},
    {"org_may_create", FR_ORG_CREATE, 0, 0, "00100000"},
    {"org_may_update(5)", FR_ORG_UPDATE, 5, 0, "00101000"},
    {"org_may_update(1)", FR_ORG_UPDATE, 1, 0, "00100000"},
    {"org_may_update(7)", FR_ORG_UPDATE, 7, 0, "00100000"},
    {"user_may_read(o5,u11)", FR_USER_READ, 5, 11, "00101100"},
    {"user_may_read(o5,u10)", FR_USER_READ, 5, 10, "00101000"},
    {"user_may_read(o1,u2)", FR_USER_READ, 1, 2, "00110000"},
    {"user_may_read(o7,u20)", FR_USER_READ, 7, 20, "00100010"},
    {"user_may_manage(o5)", FR_USER_MANAGE, 5, 0, "00101000"},
    {"user_may_manage(o6)", FR_USER_MANAGE, 6, 0, "00100001"},
    {"user_may_manage(o1)", FR_USER_MANAGE, 1, 0, "00100000"},
    {"grant(core, viewer)", FR_GRANT, POL_ORG_CORE_OPERATOR, POL_ROLE_VIEWER, "00101001"},
    {"grant(core, org_admin|analyst)", FR_GRANT, POL_ORG_CORE_OPERATOR,
     POL_ROLE_ORG_ADMIN | POL_ROLE_ANALYST, "00101001"},
    {"grant(core, admin)", FR_GRANT, POL_ORG_CORE_OPERATOR, POL_ROLE_ADMIN, "00000000"},
    {"grant(nc, admin)", FR_GRANT, POL_ORG_NATIONAL_CENTRE, POL_ROLE_ADMIN, "00100000"},
    {"grant(nc, admin|viewer)", FR_GRANT, POL_ORG_NATIONAL_CENTRE, POL_ROLE_ADMIN | POL_ROLE_VIEWER,
     "00100000"},
    {"grant(nc, analyst)", FR_GRANT, POL_ORG_NATIONAL_CENTRE, POL_ROLE_ANALYST, "00101001"},
    {"grant(core, 0)", FR_GRANT, POL_ORG_CORE_OPERATOR, 0, "00000000"},
    {"grant(core, 0x20)", FR_GRANT, POL_ORG_CORE_OPERATOR, 0x20, "00000000"},
    {"grant(core, viewer|0x40)", FR_GRANT, POL_ORG_CORE_OPERATOR, POL_ROLE_VIEWER | 0x40,
     "00000000"},
    {"grant(type 99, viewer)", FR_GRANT, 99, POL_ROLE_VIEWER, "00000000"},
    {"grant(type -1, viewer)", FR_GRANT, -1, POL_ROLE_VIEWER, "00000000"},
    {"token(u11, o5)", FR_TOKEN, 11, 5, "00101100"},
    {"token(u10, o5)", FR_TOKEN, 10, 5, "00101000"},
    {"token(u30, o6)", FR_TOKEN, 30, 6, "00100001"},
    {"token(u2, o1)", FR_TOKEN, 2, 1, "00110000"},
    {"audit(5)", FR_AUDIT, 5, 0, "00101000"},
    {"audit(1)", FR_AUDIT, 1, 0, "00100000"},
    {"audit(6)", FR_AUDIT, 6, 0, "00100001"},
    {"audit(0)", FR_AUDIT, 0, 0, "00100000"},
};

static bool fr_call(const struct pol_principal *p, const struct fr_case *c)
{
    switch (c->fn) {
    case FR_ORG_READ:
        return policy_org_may_read(p, c->a);
    case FR_ORG_DETAILS:
        return policy_org_may_read_details(p, c->a);
    case FR_ORG_CREATE:
        return policy_org_may_create(p);
    case FR_ORG_UPDATE:
        return policy_org_may_update(p, c->a);
    case FR_USER_READ:
        return policy_user_may_read(p, c->a, c->b);
    case FR_USER_MANAGE:
        return policy_user_may_manage(p, c->a);
    case FR_GRANT:
        return policy_may_grant_roles(p, (enum pol_org_type)c->a, (unsigned)c->b);
    case FR_TOKEN:
        return policy_token_may_manage(p, c->a, c->b);
    case FR_AUDIT:
        return policy_audit_may_read(p, c->a);
    }
    return true; /* unreachable; true so a missing case fails loudly */
}

static void test_foundation_records(void **state)
{
    int checks = 0;
    for (size_t i = 0; i < RK_ARRAY_LEN(fr_cases); i++) {
        assert_int_equal(strlen(fr_cases[i].want), NCAST);
        for (int who = 0; who < NCAST; who++) {
            struct pol_principal p = cast(who);
            expect_bool(fr_call(&p, &fr_cases[i]), fr_cases[i].want[who] == '1', "%s by cast %d",
                        fr_cases[i].what, who);
            checks++;
        }
        expect_bool(fr_call(NULL, &fr_cases[i]), false, "%s by NULL", fr_cases[i].what);
    }
    print_message("foundation records: %d cases\n", checks);
}

/* ---- policy_view ------------------------------------------------------------------------ */

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (j == NULL) print_error("bad test JSON: %s\n", err.text);
    assert_non_null(j);
    return j;
}

static const char view_doc[] =
    "{\"title\":\"outage\",\"overview\":\"details\",\"iocs\":[\"a\",\"b\",\"c\",\"d\"],"
    "\"meta\":{\"a/b\":1,\"m~n\":2,\"src\":{\"org\":\"X\",\"k\":1}},"
    "\"hosts\":[{\"ip\":\"192.0.2.1\",\"why\":\"c2\"},{\"ip\":\"192.0.2.2\",\"why\":\"scan\"}]}";

static const char view_labels[] =
    "{\"/overview\":[\"secret\"],"
    "\"/iocs/1\":[\"comms_info\"],\"/iocs/2\":[\"comms_info\"],"
    "\"/meta/a~1b\":[\"secret\"],\"/meta/m~0n\":[\"comms_info\"],"
    "\"/meta/src\":[\"secret\"],\"/meta/src/org\":[\"source_identifying\"],"
    "\"/hosts/0/why\":[\"comms_info\"],\"/hosts/1\":[\"secret\",\"comms_info\"],"
    "\"/title\":[],"
    "\"/nope/x\":[\"secret\"],\"/iocs/9\":[\"secret\"],\"/iocs/-\":[\"secret\"],"
    "\"/iocs/01\":[\"secret\"],\"/title/x\":[\"secret\"]}";

/* Runs policy_view and compares with the expected JSON text (NULL: expect no output). */
static void check_view(const struct pol_principal *p, const struct pol_scope *s, const char *doc,
                       const char *labels, int want_rc, const char *want_json)
{
    json_t *obj = parse(doc);
    json_t *lab = labels ? parse(labels) : NULL;
    char *before = json_dumps(obj, JSON_SORT_KEYS);
    json_t *out = (json_t *)0x1; /* must be overwritten */
    int rc = policy_view(p, s, obj, lab, &out);
    char *after = json_dumps(obj, JSON_SORT_KEYS);

    assert_string_equal(before, after); /* the input is never modified */
    if (rc != want_rc)
        print_error("policy_view: rc %s, want %s\n", rk_strerror(rc), rk_strerror(want_rc));
    assert_int_equal(rc, want_rc);
    if (want_json == NULL) {
        assert_null(out);
    } else {
        json_t *want = parse(want_json);
        if (!json_equal(out, want)) {
            char *got = json_dumps(out, JSON_SORT_KEYS);
            print_error("policy_view: got %s\nwant %s\n", got, want_json);
            free(got);
            fail();
        }
        assert_ptr_not_equal(out, obj); /* a copy, never the caller's object */
        json_decref(want);
    }
    json_decref(out);
    free(before);
    free(after);
    json_decref(obj);
    json_decref(lab);
}

static void test_view_redaction(void **state)
{
    struct pol_scope s = scope1(1, SEC_POWER, POL_TLP_GREEN);
    const int64_t named[] = {60};

    /* A vendor sees none of the labelled fields. */
    struct pol_principal vendor = principal(100, 50, POL_ORG_VENDOR, 0);
    check_view(&vendor, &s, view_doc, view_labels, RK_OK,
               "{\"title\":\"outage\",\"iocs\":[\"a\",\"d\"],\"meta\":{},"
               "\"hosts\":[{\"ip\":\"192.0.2.1\"}]}");

    /* A ministry has the provision tier: secrets yes, communications information no. */
    struct pol_principal ministry = principal(100, 50, POL_ORG_MINISTRY, SEC_POWER);
    check_view(&ministry, &s, view_doc, view_labels, RK_OK,
               "{\"title\":\"outage\",\"overview\":\"details\",\"iocs\":[\"a\",\"d\"],"
               "\"meta\":{\"a/b\":1,\"src\":{\"k\":1}},"
               "\"hosts\":[{\"ip\":\"192.0.2.1\"}]}");

    /* A named ministry may also see what identifies the source. */
    struct pol_principal named_ministry = principal(100, 60, POL_ORG_MINISTRY, SEC_POWER);
    struct pol_scope sn = s;
    sn.named = named;
    sn.nnamed = 1;
    check_view(&named_ministry, &sn, view_doc, view_labels, RK_OK,
               "{\"title\":\"outage\",\"overview\":\"details\",\"iocs\":[\"a\",\"d\"],"
               "\"meta\":{\"a/b\":1,\"src\":{\"org\":\"X\",\"k\":1}},"
               "\"hosts\":[{\"ip\":\"192.0.2.1\"}]}");

    /* The centre and the owner see everything. */
    struct pol_principal nc = principal(100, 1000, POL_ORG_NATIONAL_CENTRE, 0);
    check_view(&nc, &s, view_doc, view_labels, RK_OK, view_doc);
    struct pol_principal owner = principal(100, 1, POL_ORG_CI_OPERATOR, SEC_POWER);
    check_view(&owner, &s, view_doc, view_labels, RK_OK, view_doc);

    /* No map, or an empty one: a plain copy. */
    check_view(&vendor, &s, view_doc, NULL, RK_OK, view_doc);
    check_view(&vendor, &s, view_doc, "{}", RK_OK, view_doc);
}

static void test_view_arrays_use_original_indexes(void **state)
{
    struct pol_scope s = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    struct pol_principal anon = {0};
    const char *doc = "{\"a\":[0,1,2,3,4,5],\"b\":[[0,1],[2,3]],\"c\":[{\"x\":[9,8,7]}]}";

    check_view(&anon, &s, doc,
               "{\"/a/0\":[\"secret\"],\"/a/3\":[\"secret\"],\"/a/5\":[\"secret\"],"
               "\"/a/4\":[],\"/b/0/1\":[\"secret\"],\"/b/1\":[\"secret\"],"
               "\"/c/0/x/1\":[\"comms_info\"]}",
               RK_OK, "{\"a\":[1,2,4],\"b\":[[0]],\"c\":[{\"x\":[9,7]}]}");
    /* The same element named twice, and a parent and its child both removed. */
    check_view(&anon, &s, doc,
               "{\"/a/2\":[\"secret\"],\"/a/2/\":[\"secret\"],\"/c/0\":[\"secret\"],"
               "\"/c/0/x/0\":[\"secret\"]}",
               RK_OK, "{\"a\":[0,1,3,4,5],\"b\":[[0,1],[2,3]],\"c\":[]}");
    /* A document that is an array at the root. */
    check_view(&anon, &s, "[10,11,12]", "{\"/1\":[\"secret\"],\"/2\":[\"comms_info\"]}", RK_OK,
               "[10]");
}

static void test_view_escaped_pointers(void **state)
{
    struct pol_scope s = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    struct pol_principal anon = {0};
    const char *doc = "{\"a/b\":1,\"m~n\":2,\"~1\":3,\"/\":4,\"~0\":5,\"\":6,\"a\":{\"b\":7},"
                      "\" \":8,\"%\":9}";

    /* "~01" decodes to "~1" (not "/"): the order of the two substitutions matters. */
    check_view(&anon, &s, doc,
               "{\"/a~1b\":[\"secret\"],\"/m~0n\":[\"secret\"],\"/~01\":[\"secret\"],"
               "\"/\":[\"secret\"],\"/ \":[\"secret\"]}",
               RK_OK, "{\"/\":4,\"~0\":5,\"a\":{\"b\":7},\"%\":9}");
    check_view(&anon, &s, doc, "{\"/~1\":[\"secret\"],\"/~00\":[\"secret\"],\"/a/b\":[\"secret\"]}",
               RK_OK, "{\"a/b\":1,\"m~n\":2,\"~1\":3,\"\":6,\"a\":{},\" \":8,\"%\":9}");
}

static void test_view_bad_label_map(void **state)
{
    struct pol_scope s = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    struct pol_principal nc = principal(1, 1, POL_ORG_NATIONAL_CENTRE, 0);
    struct pol_principal outsider = principal(2, 2, POL_ORG_OTHER, 0);
    struct pol_scope red = scope1(1, SEC_POWER, POL_TLP_RED);
    static const char *const bad[] = {
        "{\"/title\":[\"top_secret\"]}",           /* unknown label */
        "{\"/title\":[\"secret\",\"Secret\"]}",    /* one bad label among good ones */
        "{\"/title\":\"secret\"}",                 /* not an array */
        "{\"/title\":[1]}",                        /* not a string */
        "{\"/title\":[null]}",                     /* not a string */
        "{\"/title\":{\"secret\":true}}",          /* not an array */
        "{\"title\":[\"secret\"]}",                /* pointer without the leading slash */
        "{\"/ti~2tle\":[\"secret\"]}",             /* bad escape */
        "{\"/title~\":[\"secret\"]}",              /* dangling escape */
        "[\"/title\"]",                            /* not an object */
        "{\"/a\":[\"secret\"],\"/b\":[\"nope\"]}", /* the bad entry is not the first */
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(bad); i++) {
        check_view(&nc, &s, "{\"title\":1}", bad[i], RK_EINVAL, NULL);
        /* Malformed stays malformed whoever asks, readable or not. */
        check_view(&outsider, &red, "{\"title\":1}", bad[i], RK_EINVAL, NULL);
    }
    json_t *obj = parse("{}"), *out = NULL;
    assert_int_equal(policy_view(&nc, &s, obj, NULL, NULL), RK_EINVAL);
    assert_int_equal(policy_view(&nc, &s, NULL, NULL, &out), RK_EINVAL);
    assert_null(out);
    json_decref(obj);
}

static void test_view_not_readable(void **state)
{
    struct pol_scope red = scope1(1, SEC_POWER, POL_TLP_RED);
    struct pol_principal vendor = principal(100, 50, POL_ORG_VENDOR, 0);
    check_view(&vendor, &red, view_doc, view_labels, RK_ENOTFOUND, NULL);
    check_view(&vendor, &red, view_doc, NULL, RK_ENOTFOUND, NULL);
    check_view(NULL, &red, view_doc, NULL, RK_ENOTFOUND, NULL);
    check_view(&vendor, NULL, view_doc, NULL, RK_ENOTFOUND, NULL);

    /* A label on the whole document hides the whole object, exactly like a missing one. */
    struct pol_scope green = scope1(1, SEC_POWER, POL_TLP_GREEN);
    check_view(&vendor, &green, view_doc, "{\"\":[\"secret\"]}", RK_ENOTFOUND, NULL);
    check_view(&vendor, &green, view_doc, "{\"\":[]}", RK_OK, view_doc);
    struct pol_principal ministry = principal(100, 50, POL_ORG_MINISTRY, SEC_POWER);
    check_view(&ministry, &green, "{\"a\":1}", "{\"\":[\"secret\"],\"/a\":[\"comms_info\"]}", RK_OK,
               "{}");
}

/* ---- the oracle ------------------------------------------------------------------------- */

/*
 * An independent statement of the rules as audiences: each TLP level, tier and label is a
 * list of (org type, condition) grants plus whether addressees are added. A principal's
 * clearances are the set of audiences it belongs to; it may read when the object's required
 * audiences are a subset of that set. Written from policy.h's comment, not from policy.c.
 */
enum o_cond {
    O_EVERYONE,
    O_LOGGED_IN,
    O_SECTOR_MATCH,
    O_DESIGNATED,
    O_COUNCIL_MEMBER,
    O_NOT_FRIEND
};
#define O_ANY_TYPE (-1)

struct o_grant {
    int org_type; /* or O_ANY_TYPE */
    enum o_cond cond;
    bool staff_only;
};

struct o_audience {
    struct o_grant grants[16];
    size_t ngrants;
    bool named_added;
    bool named_staff_only;
};

enum {
    A_CLEAR,
    A_GREEN,
    A_AMBER,
    A_AMBER_STRICT,
    A_RED,
    A_TIER_NONE,
    A_TIER_COMPREHENSIVE,
    A_TIER_PROVISION,
    A_TIER_PUBLICATION,
    A_SECRET,
    A_COMMS_INFO,
    A_SOURCE_IDENTIFYING,
    A__COUNT
};

#define G(type, cond, staff)                                                                       \
    {                                                                                              \
        type, cond, staff                                                                          \
    }
static const struct o_audience audiences[A__COUNT] = {
    [A_CLEAR] = {{G(O_ANY_TYPE, O_EVERYONE, false)}, 1, false, false},
    [A_GREEN] =
        {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, false), G(POL_ORG_MINISTRY, O_LOGGED_IN, false),
          G(POL_ORG_CORE_OPERATOR, O_LOGGED_IN, false), G(POL_ORG_CI_OPERATOR, O_LOGGED_IN, false),
          G(POL_ORG_CEPTOAR, O_LOGGED_IN, false), G(POL_ORG_VENDOR, O_LOGGED_IN, false),
          G(POL_ORG_VULN_INTAKE, O_LOGGED_IN, false), G(POL_ORG_COORDINATOR, O_LOGGED_IN, false),
          G(POL_ORG_RESEARCH, O_LOGGED_IN, false)},
         9,
         true,
         false},
    [A_AMBER] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, false),
                  G(POL_ORG_MINISTRY, O_SECTOR_MATCH, false),
                  G(POL_ORG_CEPTOAR, O_SECTOR_MATCH, false),
                  G(POL_ORG_CORE_OPERATOR, O_SECTOR_MATCH, false),
                  G(POL_ORG_CI_OPERATOR, O_SECTOR_MATCH, false)},
                 5,
                 true,
                 false},
    [A_AMBER_STRICT] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, true),
                         G(POL_ORG_MINISTRY, O_SECTOR_MATCH, true),
                         G(POL_ORG_CEPTOAR, O_SECTOR_MATCH, true),
                         G(POL_ORG_CORE_OPERATOR, O_SECTOR_MATCH, true),
                         G(POL_ORG_CI_OPERATOR, O_SECTOR_MATCH, true)},
                        5,
                        true,
                        true},
    [A_RED] = {{{0}}, 0, true, true},
    [A_TIER_NONE] = {{G(O_ANY_TYPE, O_EVERYONE, false)}, 1, false, false},
    [A_TIER_COMPREHENSIVE] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, false),
                               G(O_ANY_TYPE, O_DESIGNATED, false)},
                              2,
                              false,
                              false},
    [A_TIER_PROVISION] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, false),
                           G(O_ANY_TYPE, O_DESIGNATED, false),
                           G(POL_ORG_MINISTRY, O_LOGGED_IN, false),
                           G(POL_ORG_FOREIGN_GOV, O_LOGGED_IN, false),
                           G(O_ANY_TYPE, O_COUNCIL_MEMBER, false),
                           /* operators, except council friends (publication tier) */
                           G(POL_ORG_CORE_OPERATOR, O_NOT_FRIEND, false),
                           G(POL_ORG_CI_OPERATOR, O_NOT_FRIEND, false)},
                          7,
                          false,
                          false},
    [A_TIER_PUBLICATION] = {{G(O_ANY_TYPE, O_EVERYONE, false)}, 1, false, false},
    /* Labels: own staff only (contractors are cleared by TLP, never by a label). */
    [A_SECRET] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, true), G(O_ANY_TYPE, O_DESIGNATED, true),
                   G(POL_ORG_MINISTRY, O_LOGGED_IN, true),
                   G(POL_ORG_FOREIGN_GOV, O_LOGGED_IN, true),
                   G(O_ANY_TYPE, O_COUNCIL_MEMBER, true)},
                  5,
                  false,
                  false},
    [A_COMMS_INFO] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, true),
                       G(O_ANY_TYPE, O_DESIGNATED, true)},
                      2,
                      false,
                      false},
    [A_SOURCE_IDENTIFYING] = {{G(POL_ORG_NATIONAL_CENTRE, O_LOGGED_IN, true)}, 1, true, true},
};
#undef G

static const int o_valid_org_types[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const int o_valid_councils[] = {0, 1, 2};
static const int o_valid_tlps[] = {0, 1, 2, 3, 4};
static const int o_valid_tiers[] = {0, 1, 2, 3};

static bool o_member(int v, const int *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == v) return true;
    return false;
}

static bool o_principal_ok(const struct pol_principal *p)
{
    return o_member((int)p->org_type, o_valid_org_types, RK_ARRAY_LEN(o_valid_org_types)) &&
           o_member((int)p->council, o_valid_councils, RK_ARRAY_LEN(o_valid_councils)) &&
           (p->roles | 0x1fu) == 0x1fu;
}

static bool o_scope_ok(const struct pol_scope *s)
{
    if (!(s->ntlp <= 4) || !o_member((int)s->tier, o_valid_tiers, RK_ARRAY_LEN(o_valid_tiers)) ||
        (s->labels | 0x7u) != 0x7u)
        return false;
    for (size_t i = 0; i < s->ntlp; i++)
        if (!o_member((int)s->tlp[i], o_valid_tlps, RK_ARRAY_LEN(o_valid_tlps))) return false;
    return true;
}

/* The organisation a principal speaks for, or 0 for nobody. */
static int64_t o_org(const struct pol_principal *p)
{
    return p->user_id == 0 ? 0 : p->org_id;
}

/* The owner's own staff; its contractors read like anyone else. */
static bool o_owner(const struct pol_principal *p, const struct pol_scope *s)
{
    return o_org(p) != 0 && o_org(p) == s->owner_org && !p->contractor;
}

static bool o_named(const struct pol_principal *p, const struct pol_scope *s)
{
    size_t n = s->named == NULL ? 0 : s->nnamed;
    for (size_t i = 0; i < n; i++)
        if (o_org(p) != 0 && s->named[i] == o_org(p)) return true;
    return false;
}

static bool o_grant_holds(const struct pol_principal *p, const struct pol_scope *s,
                          const struct o_grant *g)
{
    if (g->cond == O_EVERYONE) return true;
    if (p->user_id == 0) return false;
    if (g->org_type != O_ANY_TYPE && g->org_type != (int)p->org_type) return false;
    if (g->staff_only && p->contractor) return false;
    switch (g->cond) {
    case O_LOGGED_IN:
        return true;
    case O_SECTOR_MATCH:
        return (p->sectors & s->sectors) != 0;
    case O_DESIGNATED:
        return p->designated;
    case O_COUNCIL_MEMBER:
        return p->council == POL_COUNCIL_MEMBER;
    case O_NOT_FRIEND:
        return p->council != POL_COUNCIL_FRIEND;
    default:
        return false;
    }
}

static uint32_t o_clearances(const struct pol_principal *p, const struct pol_scope *s)
{
    uint32_t in = 0;
    for (int a = 0; a < A__COUNT; a++) {
        const struct o_audience *au = &audiences[a];
        bool member = au->named_added && o_named(p, s) && !(au->named_staff_only && p->contractor);
        for (size_t g = 0; g < au->ngrants && !member; g++)
            member = o_grant_holds(p, s, &au->grants[g]);
        if (member) in |= 1u << a;
    }
    return in;
}

static uint32_t o_label_audiences(unsigned labels)
{
    uint32_t need = 0;
    if (labels & POL_LABEL_SECRET) need |= 1u << A_SECRET;
    if (labels & POL_LABEL_COMMS_INFO) need |= 1u << A_COMMS_INFO;
    if (labels & POL_LABEL_SOURCE_IDENTIFYING) need |= 1u << A_SOURCE_IDENTIFYING;
    return need;
}

static bool oracle_may_read(const struct pol_principal *p, const struct pol_scope *s)
{
    if (!o_principal_ok(p) || !o_scope_ok(s)) return false;
    if (o_owner(p, s)) return true;
    uint32_t need = 1u << (A_TIER_NONE + (int)s->tier);
    if (s->ntlp == 0) need |= 1u << A_RED;
    for (size_t i = 0; i < s->ntlp; i++)
        need |= 1u << (A_CLEAR + (int)s->tlp[i]);
    need |= o_label_audiences(s->labels);
    return (need & o_clearances(p, s)) == need;
}

static bool oracle_field_visible(const struct pol_principal *p, const struct pol_scope *s,
                                 unsigned labels)
{
    if (!o_principal_ok(p) || !o_scope_ok(s) || (labels | 0x7u) != 0x7u) return false;
    if (o_owner(p, s)) return true;
    uint32_t need = o_label_audiences(labels);
    return (need & o_clearances(p, s)) == need;
}

/* xorshift64*: tiny, deterministic, good enough to spread cases. */
struct rng {
    uint64_t x;
};

static uint64_t rng_next(struct rng *r)
{
    r->x ^= r->x >> 12;
    r->x ^= r->x << 25;
    r->x ^= r->x >> 27;
    return r->x * 0x2545F4914F6CDD1DULL;
}

static unsigned rng_below(struct rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

/* Small id and sector ranges so that owners, addressees and sector overlaps actually occur;
 * now and then a value out of range, because robustness is part of the contract. */
static struct pol_principal random_principal(struct rng *r)
{
    static const int bad_org_types[] = {POL_ORG__COUNT, 12, 99, -1};
    struct pol_principal p = {0};
    p.user_id = rng_below(r, 4);
    p.org_id = rng_below(r, 5);
    p.org_type = rng_below(r, 60) == 0 ? (enum pol_org_type)bad_org_types[rng_below(r, 4)]
                                       : (enum pol_org_type)rng_below(r, POL_ORG__COUNT);
    p.sectors = rng_below(r, 8);
    p.council = rng_below(r, 60) == 0 ? (enum pol_council)(3 + rng_below(r, 3))
                                      : (enum pol_council)rng_below(r, 3);
    p.designated = rng_below(r, 4) == 0;
    p.contractor = rng_below(r, 3) == 0;
    p.roles = rng_below(r, 32) | (rng_below(r, 60) == 0 ? 0x20u << rng_below(r, 3) : 0);
    return p;
}

static struct pol_scope random_scope(struct rng *r, int64_t named_buf[3])
{
    struct pol_scope s = {0};
    s.owner_org = rng_below(r, 5);
    s.sectors = rng_below(r, 8);
    s.ntlp = rng_below(r, 40) == 0 ? POL_MAX_MARKINGS + 1 + rng_below(r, 3)
                                   : rng_below(r, POL_MAX_MARKINGS + 1);
    for (size_t i = 0; i < POL_MAX_MARKINGS; i++)
        s.tlp[i] = rng_below(r, 80) == 0 ? (enum pol_tlp)(rng_below(r, 2) ? 5 : -1)
                                         : (enum pol_tlp)rng_below(r, 5);
    s.tier = rng_below(r, 60) == 0 ? (enum pol_tier)4 : (enum pol_tier)rng_below(r, 4);
    s.nnamed = rng_below(r, 4);
    for (size_t i = 0; i < 3; i++)
        named_buf[i] = rng_below(r, 5);
    s.named = (s.nnamed > 0 && rng_below(r, 20) == 0) ? NULL : named_buf;
    s.labels = rng_below(r, 8) | (rng_below(r, 60) == 0 ? 8u : 0);
    return s;
}

static void print_case(const char *what, bool got, bool want, const struct pol_principal *p,
                       const struct pol_scope *s, unsigned field_labels)
{
    print_error("DISAGREEMENT %s: policy=%d oracle=%d\n"
                "  principal user=%" PRId64 " org=%" PRId64 " type=%d sectors=%#" PRIx64
                " council=%d designated=%d contractor=%d roles=%#x\n"
                "  scope owner=%" PRId64 " sectors=%#" PRIx64 " ntlp=%zu tlp=[",
                what, got, want, p->user_id, p->org_id, (int)p->org_type, p->sectors,
                (int)p->council, p->designated, p->contractor, p->roles, s->owner_org, s->sectors,
                s->ntlp);
    for (size_t i = 0; i < s->ntlp && i < POL_MAX_MARKINGS; i++)
        print_error("%s%d", i ? "," : "", (int)s->tlp[i]);
    print_error("] tier=%d labels=%#x named=%s[", (int)s->tier, s->labels, s->named ? "" : "NULL");
    for (size_t i = 0; s->named && i < s->nnamed; i++)
        print_error("%s%" PRId64, i ? "," : "", s->named[i]);
    print_error("] field_labels=%#x\n", field_labels);
}

#define ORACLE_CASES 20000

static void test_oracle_random(void **state)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    const char *env = getenv("RK_ORACLE_SEED");
    if (env != NULL && *env != '\0') seed = strtoull(env, NULL, 0);
    printf("oracle seed: %" PRIu64 " (set RK_ORACLE_SEED to replay), %d cases\n", seed,
           ORACLE_CASES);
    struct rng r = {seed ? seed : 1}; /* xorshift is stuck at zero */
    int disagreements = 0, readable = 0, visible = 0;
    json_t *doc = json_pack("{s:i}", "a", 1);
    assert_non_null(doc);

    for (int i = 0; i < ORACLE_CASES; i++) {
        int64_t named_buf[3];
        struct pol_principal p = random_principal(&r);
        struct pol_scope s = random_scope(&r, named_buf);
        unsigned field_labels = rng_below(&r, 16);

        bool got = policy_may_read(&p, &s), want = oracle_may_read(&p, &s);
        if (got != want) {
            print_case("may_read", got, want, &p, &s, field_labels);
            disagreements++;
        }
        readable += want;
        got = policy_field_visible(&p, &s, field_labels);
        want = oracle_field_visible(&p, &s, field_labels);
        if (got != want) {
            print_case("field_visible", got, want, &p, &s, field_labels);
            disagreements++;
        }
        visible += want;
        /* The view must refuse exactly when reading is refused. */
        if (i % 10 == 0) {
            json_t *out = NULL;
            int rc = policy_view(&p, &s, doc, NULL, &out);
            if ((rc == RK_OK) != oracle_may_read(&p, &s) || (rc != RK_OK && rc != RK_ENOTFOUND)) {
                print_case("view", rc == RK_OK, oracle_may_read(&p, &s), &p, &s, 0);
                disagreements++;
            }
            json_decref(out);
        }
    }
    json_decref(doc);
    printf("oracle: %d readable, %d field-visible, %d disagreements\n", readable, visible,
           disagreements);
    /* A generator that never produced a "yes" (or a "no") would prove nothing. */
    assert_true(readable > ORACLE_CASES / 20 && readable < ORACLE_CASES - ORACLE_CASES / 20);
    assert_int_equal(disagreements, 0);
}

/* ---- regressions ------------------------------------------------------------------------ */

/* (a) AMBER and AMBER+STRICT are different audiences, not ranks of one scale: a contractor is
 * cleared for AMBER and must still be refused AMBER+STRICT. */
static void regression_amber_strict_is_not_amber(void **state)
{
    for (int t = POL_ORG_NATIONAL_CENTRE; t <= POL_ORG_CEPTOAR; t++) {
        struct pol_principal contractor = principal(100, 50, (enum pol_org_type)t, SEC_POWER);
        contractor.contractor = true;
        contractor.designated = true;
        contractor.council = POL_COUNCIL_MEMBER;
        struct pol_scope amber = scope1(1, SEC_POWER, POL_TLP_AMBER);
        struct pol_scope strict = scope1(1, SEC_POWER, POL_TLP_AMBER_STRICT);
        expect_bool(policy_may_read(&contractor, &amber), true, "contractor %s AMBER",
                    org_short[t]);
        expect_bool(policy_may_read(&contractor, &strict), false, "contractor %s AMBER+STRICT",
                    org_short[t]);
        /* Being an addressee does not turn a contractor into staff either. */
        const int64_t named[] = {50};
        strict.named = named;
        strict.nnamed = 1;
        expect_bool(policy_may_read(&contractor, &strict), false,
                    "named contractor %s AMBER+STRICT", org_short[t]);
        /* Both markings on one object: the stricter one still applies. */
        struct pol_scope both = amber;
        both.tlp[1] = POL_TLP_AMBER_STRICT;
        both.ntlp = 2;
        expect_bool(policy_may_read(&contractor, &both), false, "contractor %s AMBER,AMBER+STRICT",
                    org_short[t]);
        struct pol_principal staff = contractor;
        staff.contractor = false;
        expect_bool(policy_may_read(&staff, &both), true, "staff %s AMBER,AMBER+STRICT",
                    org_short[t]);
    }
}

/* (b) Several markings: every one must be satisfied, whatever their order. */
static void regression_multiple_markings_need_all(void **state)
{
    const int64_t named[] = {60};
    struct pol_principal vendor = principal(100, 50, POL_ORG_VENDOR, 0);
    struct pol_principal named_vendor = principal(100, 60, POL_ORG_VENDOR, 0);
    struct pol_principal named_foreign = principal(100, 60, POL_ORG_FOREIGN_GOV, 0);
    struct pol_principal nc = principal(100, 70, POL_ORG_NATIONAL_CENTRE, 0);
    struct pol_principal anon = {0};

    for (int order = 0; order < 2; order++) {
        struct pol_scope s = scope1(1, SEC_POWER, order ? POL_TLP_RED : POL_TLP_GREEN);
        s.tlp[1] = order ? POL_TLP_GREEN : POL_TLP_RED;
        s.ntlp = 2;
        s.named = named;
        s.nnamed = 1;
        expect_bool(policy_may_read(&vendor, &s), false, "GREEN-cleared vendor, GREEN+RED");
        expect_bool(policy_may_read(&nc, &s), false, "centre not addressed, GREEN+RED");
        expect_bool(policy_may_read(&named_vendor, &s), true, "addressed vendor, GREEN+RED");
        expect_bool(policy_may_read(&named_foreign, &s), true, "addressed foreign, GREEN+RED");

        struct pol_scope c = scope1(1, SEC_POWER, order ? POL_TLP_RED : POL_TLP_CLEAR);
        c.tlp[1] = order ? POL_TLP_CLEAR : POL_TLP_RED;
        c.ntlp = 2;
        expect_bool(policy_may_read(&anon, &c), false, "anonymous, CLEAR+RED");
        expect_bool(policy_may_read(&vendor, &c), false, "vendor, CLEAR+RED");
    }
    /* A marking plus a tier: both audiences apply. */
    struct pol_principal ceptoar = principal(100, 50, POL_ORG_CEPTOAR, SEC_POWER);
    struct pol_scope s = scope1(1, SEC_POWER, POL_TLP_AMBER);
    s.tier = POL_TIER_PROVISION;
    expect_bool(policy_may_read(&ceptoar, &s), false, "CEPTOAR outside the council, provision");
    ceptoar.council = POL_COUNCIL_MEMBER;
    expect_bool(policy_may_read(&ceptoar, &s), true, "CEPTOAR council member, provision");
    ceptoar.council = POL_COUNCIL_FRIEND;
    expect_bool(policy_may_read(&ceptoar, &s), false, "CEPTOAR council friend, provision");
}

/* (c) An empty recipient list is nobody, never everybody; neither is a missing marking. */
static void regression_empty_named_list_is_nobody(void **state)
{
    const int64_t some[] = {50};
    for (int variant = 0; variant < 4; variant++) {
        struct pol_scope s = scope1(1, ~0ull, POL_TLP_RED);
        switch (variant) {
        case 0:
            s.named = NULL, s.nnamed = 0;
            break;
        case 1:
            s.named = some, s.nnamed = 0;
            break;
        case 2:
            s.named = NULL, s.nnamed = 5;
            break;
        case 3:
            s.ntlp = 0;
            break; /* unmarked is RED */
        }
        for (int t = 0; t < NORG; t++)
            for (int contractor = 0; contractor < 2; contractor++) {
                struct pol_principal p = principal(100, 50, (enum pol_org_type)t, ~0ull);
                p.designated = true;
                p.council = POL_COUNCIL_MEMBER;
                p.contractor = contractor;
                p.roles = POL_ROLE__ALL;
                expect_bool(policy_may_read(&p, &s), false, "variant %d %s contractor=%d", variant,
                            org_short[t], contractor);
                p.org_id = 1;
                expect_bool(policy_may_read(&p, &s), !contractor,
                            "variant %d owner %s contractor=%d", variant, org_short[t], contractor);
            }
        struct pol_principal anon = {0};
        expect_bool(policy_may_read(&anon, &s), false, "variant %d anonymous", variant);
    }
    /* The source-identifying label follows the same rule. */
    struct pol_scope s = scope1(1, 0, POL_TLP_CLEAR);
    s.named = some;
    s.nnamed = 0;
    struct pol_principal p = principal(100, 50, POL_ORG_MINISTRY, 0);
    expect_bool(policy_field_visible(&p, &s, POL_LABEL_SOURCE_IDENTIFYING), false,
                "empty list, source_identifying");
}

/* A zeroed principal has org_type 0 == national centre; it must still be nobody. */
static void regression_zeroed_principal_is_not_national_centre(void **state)
{
    struct pol_principal zero = {0};
    struct pol_scope s = scope1(2, SEC_POWER, POL_TLP_AMBER);
    expect_bool(policy_may_read(&zero, &s), false, "zeroed principal, AMBER");
    s = scope1(2, SEC_POWER, POL_TLP_CLEAR);
    s.tier = POL_TIER_COMPREHENSIVE;
    expect_bool(policy_may_read(&zero, &s), false, "zeroed principal, comprehensive");
    expect_bool(policy_org_may_read_details(&zero, 2), false, "zeroed principal, org details");
    expect_bool(policy_field_visible(&zero, &s, POL_LABEL_SOURCE_IDENTIFYING), false,
                "zeroed principal, source_identifying");
}

static int count_visible(const struct pol_principal *p, const struct pol_scope *scopes, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++)
        count += policy_may_read(p, &scopes[i]);
    return count;
}

static int oracle_count(const struct pol_principal *p, const struct pol_scope *scopes, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++)
        count += oracle_may_read(p, &scopes[i]);
    return count;
}

/* (d) A list or a count must not betray an object the reader may not see, and a hidden object
 * must be indistinguishable from a missing one. */
static void regression_listing_does_not_reveal_hidden(void **state)
{
    static const int64_t named_60[] = {60};
    struct pol_scope scopes[12];
    scopes[0] = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    scopes[1] = scope1(1, SEC_POWER, POL_TLP_GREEN);
    scopes[2] = scope1(1, SEC_POWER, POL_TLP_AMBER);
    scopes[3] = scope1(1, SEC_GAS, POL_TLP_AMBER);
    scopes[4] = scope1(1, SEC_POWER, POL_TLP_AMBER_STRICT);
    scopes[5] = scope1(1, SEC_POWER, POL_TLP_RED);
    scopes[6] = scope1(1, SEC_POWER, POL_TLP_RED);
    scopes[6].named = named_60;
    scopes[6].nnamed = 1;
    scopes[7] = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    scopes[7].tier = POL_TIER_COMPREHENSIVE;
    scopes[8] = scope1(1, SEC_POWER, POL_TLP_CLEAR);
    scopes[8].tier = POL_TIER_PROVISION;
    scopes[9] = scope1(1, SEC_POWER, POL_TLP_GREEN);
    scopes[9].labels = POL_LABEL_SECRET;
    scopes[10] = scope1(1, SEC_POWER, POL_TLP_GREEN);
    scopes[10].ntlp = 0;
    scopes[11] = scope1(60, 0, POL_TLP_RED);

    struct pol_principal anon = {0};
    struct pol_principal vendor = principal(100, 50, POL_ORG_VENDOR, 0);
    struct pol_principal power_contractor = principal(100, 50, POL_ORG_CORE_OPERATOR, SEC_POWER);
    power_contractor.contractor = true;
    struct pol_principal addressee = principal(100, 60, POL_ORG_CI_OPERATOR, SEC_POWER);
    struct pol_principal nc = principal(100, 70, POL_ORG_NATIONAL_CENTRE, 0);
    /* Hand-counted, so that policy and oracle cannot agree on a shared mistake. */
    const struct {
        const struct pol_principal *p;
        const char *who;
        int want;
    } readers[] = {
        {&anon, "anonymous", 1},              /* 0 */
        {&vendor, "vendor", 2},               /* 0 1 */
        {&power_contractor, "contractor", 4}, /* 0 1 2 8 */
        {&addressee, "power addressee", 7},   /* 0 1 2 4 6 8 11 */
        {&nc, "centre", 8},                   /* 0 1 2 3 4 7 8 9 */
    };
    for (size_t i = 0; i < RK_ARRAY_LEN(readers); i++) {
        int got = count_visible(readers[i].p, scopes, RK_ARRAY_LEN(scopes));
        int oracle = oracle_count(readers[i].p, scopes, RK_ARRAY_LEN(scopes));
        if (got != readers[i].want || oracle != readers[i].want)
            print_error("%s: policy counts %d, oracle %d, by hand %d\n", readers[i].who, got,
                        oracle, readers[i].want);
        assert_int_equal(got, oracle);
        assert_int_equal(got, readers[i].want);
    }

    /* Hidden and missing give the same answer and the same (absent) output. */
    json_t *obj = parse("{\"id\":42}"), *out = (json_t *)0x1;
    assert_int_equal(policy_view(&vendor, &scopes[5], obj, NULL, &out), RK_ENOTFOUND);
    assert_null(out);
    out = (json_t *)0x1;
    assert_int_equal(policy_view(&anon, &scopes[1], obj, NULL, &out), RK_ENOTFOUND);
    assert_null(out);
    json_decref(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_names_reject_unknown),
        cmocka_unit_test(test_tlp_table),
        cmocka_unit_test(test_tlp_amber_empty_sectors),
        cmocka_unit_test(test_anonymous),
        cmocka_unit_test(test_tier_table),
        cmocka_unit_test(test_label_table),
        cmocka_unit_test(test_label_combinations),
        cmocka_unit_test(test_robustness),
        cmocka_unit_test(test_may_write),
        cmocka_unit_test(test_foundation_records),
        cmocka_unit_test(test_view_redaction),
        cmocka_unit_test(test_view_arrays_use_original_indexes),
        cmocka_unit_test(test_view_escaped_pointers),
        cmocka_unit_test(test_view_bad_label_map),
        cmocka_unit_test(test_view_not_readable),
        cmocka_unit_test(test_oracle_random),
        cmocka_unit_test(regression_amber_strict_is_not_amber),
        cmocka_unit_test(regression_multiple_markings_need_all),
        cmocka_unit_test(regression_empty_named_list_is_nobody),
        cmocka_unit_test(regression_zeroed_principal_is_not_national_centre),
        cmocka_unit_test(regression_listing_does_not_reveal_hidden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
