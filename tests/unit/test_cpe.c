/* test_cpe.c — CPE 2.3 names: parsing, canonical form, NISTIR 7696 matching, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/rk.h"
#include "domain/cpe.h"

/* Parses or fails the test; the result lives in a small ring so calls can be nested. */
static const struct cpe *P(const char *s)
{
    static struct cpe ring[8];
    static unsigned next;
    struct cpe *c = &ring[next++ % 8];
    struct cpe_error e = {0};
    if (cpe_parse(s, c, &e) != RK_OK) fail_msg("%s: %s: %s", s, cpe_attr_name(e.attr), e.message);
    return c;
}

static void valid_names(void **st)
{
    static const char *const ok[] = {
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
        "cpe:2.3:o:fortinet:fortios:7.2.0:*:*:*:*:*:*:*",
        "cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:xerces-c\\+\\+:3.1.1:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
        "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
        "cpe:2.3:a:foo\\:bar:baz:1.0:*:*:ja-jp:*:*:*:*",
        "cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*",
        "cpe:2.3:a:vendor:product:*1.0??:*:*:en-us:*:*:*:*",
        "cpe:2.3:*:*:*:*:*:*:*:*:*:*:*",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        P(ok[i]);
    struct cpe c = *P("cpe:2.3:a:Apache:Log4J:2.14.1:*:*:*:*:*:*:*");
    char buf[CPE_MAX_LEN + 1];
    assert_int_equal(cpe_format(&c, buf, sizeof buf), RK_OK);
    assert_string_equal(buf, "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
    assert_int_equal(c.a[CPE_VERSION].kind, CPE_VALUE);
    assert_int_equal(c.a[CPE_UPDATE].kind, CPE_ANY);
    c = *P("cpe:2.3:a:foo\\:bar:baz:1.0:*:*:ja-jp:*:*:*:*");
    assert_string_equal(c.a[CPE_VENDOR].v, "foo\\:bar");
    assert_string_equal(c.a[CPE_LANGUAGE].v, "ja-jp");
    assert_true(cpe_has_wildcards(P("cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*")));
    assert_false(cpe_has_wildcards(P("cpe:2.3:a:apache:log4j:2.1:*:*:*:*:*:*:*")));
    assert_int_equal(cpe_format(&c, buf, 10), RK_ELIMIT);
}

static void invalid_names(void **st)
{
    static const struct {
        const char *s;
        int attr;
    } bad[] = {
        {"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*", -1},     /* 10 attributes */
        {"cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*:*", -1}, /* 12 */
        {"cpe:/a:apache:log4j:2.14.1", -1},                    /* CPE 2.2 URI */
        {"cpe:2.3:x:apache:log4j:2.14.1:*:*:*:*:*:*:*", CPE_PART},
        {"cpe:2.3:a:apache:lo*g4j:1:*:*:*:*:*:*:*", CPE_PRODUCT}, /* wildcard inside */
        {"cpe:2.3:a:apache:log4j:1?2:*:*:*:*:*:*:*", CPE_VERSION},
        {"cpe:2.3:a:apache::1:*:*:*:*:*:*:*", CPE_PRODUCT},         /* empty */
        {"cpe:2.3:a:apache:log 4j:1:*:*:*:*:*:*:*", CPE_PRODUCT},   /* space */
        {"cpe:2.3:a:apache:log4j+:1:*:*:*:*:*:*:*", CPE_PRODUCT},   /* unescaped + */
        {"cpe:2.3:a:apache:log4j\\a:1:*:*:*:*:*:*:*", CPE_PRODUCT}, /* escaped letter */
        {"cpe:2.3:a:apache:log4j:**:*:*:*:*:*:*:*", CPE_VERSION},
        {"cpe:2.3:a:apache:log4j:?:*:*:*:*:*:*:*", CPE_VERSION},   /* no literal */
        {"cpe:2.3:a:apache:log4j:*?1:*:*:*:*:*:*:*", CPE_VERSION}, /* mixed */
        {"cpe:2.3:a:apache:log4j:1:*:*:japan:*:*:*:*", CPE_LANGUAGE},
        {"cpe:2.3:a:apache:log4j:1:*:*:j*:*:*:*:*", CPE_LANGUAGE},
        {"cpe:2.3:a:apache:log4j:1:*:*:*:*:*:*:\\", CPE_OTHER},      /* dangling escape */
        {"cpe:2.3:a:apache:log4j:1\\.2:*:*:*:*:*:*:*", CPE_VERSION}, /* . is bare */
        {"", -1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct cpe c;
        struct cpe_error e = {.attr = 99};
        if (cpe_parse(bad[i].s, &c, &e) != RK_EINVAL) fail_msg("accepted: %s", bad[i].s);
        if (e.attr != bad[i].attr)
            fail_msg("%s: blamed %s, want %s", bad[i].s, cpe_attr_name(e.attr),
                     cpe_attr_name(bad[i].attr));
        assert_non_null(e.message);
    }
    char longname[CPE_MAX_LEN + 20] = "cpe:2.3:a:v:";
    memset(longname + 12, 'x', CPE_MAX_LEN);
    longname[CPE_MAX_LEN + 12] = 0;
    assert_int_equal(cpe_parse(longname, &(struct cpe){0}, NULL), RK_EINVAL);
}

/* Every cell of the NISTIR 7696 attribute table. */
static void attribute_table(void **st)
{
    struct cpe_attr any = {.kind = CPE_ANY}, na = {.kind = CPE_NA};
    struct cpe s = *P("cpe:2.3:a:v:p:1.2:*:*:*:*:*:*:*");
    struct cpe w = *P("cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*");
    struct cpe o = *P("cpe:2.3:a:v:p:2.0:*:*:*:*:*:*:*");
    const struct cpe_attr *val = &s.a[CPE_VERSION], *wild = &w.a[CPE_VERSION];
    const struct cpe_attr *other = &o.a[CPE_VERSION];
    assert_int_equal(cpe_compare_attr(&any, &any), CPE_EQUAL);
    assert_int_equal(cpe_compare_attr(&any, &na), CPE_SUPERSET);
    assert_int_equal(cpe_compare_attr(&any, val), CPE_SUPERSET);
    assert_int_equal(cpe_compare_attr(&na, &any), CPE_SUBSET);
    assert_int_equal(cpe_compare_attr(&na, &na), CPE_EQUAL);
    assert_int_equal(cpe_compare_attr(&na, val), CPE_DISJOINT);
    assert_int_equal(cpe_compare_attr(val, &any), CPE_SUBSET);
    assert_int_equal(cpe_compare_attr(val, &na), CPE_DISJOINT);
    assert_int_equal(cpe_compare_attr(val, val), CPE_EQUAL);
    assert_int_equal(cpe_compare_attr(val, other), CPE_DISJOINT);
    assert_int_equal(cpe_compare_attr(wild, &any), CPE_SUBSET);
    assert_int_equal(cpe_compare_attr(wild, &na), CPE_DISJOINT);
    assert_int_equal(cpe_compare_attr(wild, val), CPE_SUPERSET);
    assert_int_equal(cpe_compare_attr(wild, other), CPE_DISJOINT);
    assert_int_equal(cpe_compare_attr(&any, wild), CPE_UNDEFINED);
    assert_int_equal(cpe_compare_attr(val, wild), CPE_UNDEFINED);
}

static void wildcard_values(void **st)
{
    static const struct {
        const char *s, *t;
        enum cpe_rel want;
    } v[] = {
        {"1.*", "1.2.3", CPE_SUPERSET},   {"*.3", "1.2.3", CPE_SUPERSET},
        {"*2*", "1.2.3", CPE_SUPERSET},   {"1.?", "1.2", CPE_SUPERSET},
        {"1.?", "1.23", CPE_DISJOINT},    {"1.??", "1.23", CPE_SUPERSET},
        {"??2.3", "1.2.3", CPE_SUPERSET}, {"1.*", "2.1", CPE_DISJOINT},
        {"1.2*", "1.2", CPE_SUPERSET},    {"1\\+2", "1\\+2", CPE_EQUAL},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char a[128], b[128];
        snprintf(a, sizeof a, "cpe:2.3:a:v:p:%s:*:*:*:*:*:*:*", v[i].s);
        snprintf(b, sizeof b, "cpe:2.3:a:v:p:%s:*:*:*:*:*:*:*", v[i].t);
        struct cpe ca = *P(a), cb = *P(b);
        enum cpe_rel r = cpe_compare_attr(&ca.a[CPE_VERSION], &cb.a[CPE_VERSION]);
        if (r != v[i].want) fail_msg("%s vs %s: %s", v[i].s, v[i].t, cpe_rel_name(r));
    }
}

static void overall_relation(void **st)
{
    struct cpe log4j = *P("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*"), &log4j),
                     CPE_SUPERSET);
    assert_true(cpe_matches(P("cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*"), &log4j));
    assert_true(cpe_matches(&log4j, &log4j));
    assert_int_equal(cpe_compare(&log4j, &log4j), CPE_EQUAL);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:log4j:1.*:*:*:*:*:*:*:*"), &log4j),
                     CPE_DISJOINT);
    /* A mix: S wider in one attribute, narrower in another. */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:log4j:*:beta:*:*:*:*:*:*"), &log4j),
                     CPE_NO_RELATION);
    assert_false(cpe_matches(P("cpe:2.3:a:apache:log4j:*:beta:*:*:*:*:*:*"), &log4j));
    assert_int_equal(cpe_compare(&log4j, P("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*")), CPE_SUBSET);
    assert_int_equal(cpe_compare(&log4j, P("cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*")),
                     CPE_UNDEFINED);
    assert_false(cpe_matches(P("cpe:2.3:o:apache:log4j:*:*:*:*:*:*:*:*"), &log4j));
    assert_string_equal(cpe_rel_name(CPE_NO_RELATION), "no_relation");
}

static void from_product_names(void **st)
{
    struct cpe c;
    char buf[CPE_MAX_LEN + 1];
    assert_int_equal(cpe_from_product('a', "Apache Software Foundation", "Log4j 2", "2.14.1", &c),
                     RK_OK);
    assert_int_equal(cpe_format(&c, buf, sizeof buf), RK_OK);
    assert_string_equal(buf, "cpe:2.3:a:apache_software_foundation:log4j_2:2.14.1:*:*:*:*:*:*:*");
    assert_int_equal(cpe_from_product('h', "Fortinet", "FortiGate (60F)", NULL, &c), RK_OK);
    assert_int_equal(cpe_format(&c, buf, sizeof buf), RK_OK);
    assert_string_equal(buf, "cpe:2.3:h:fortinet:fortigate_\\(60f\\):*:*:*:*:*:*:*:*");
    struct cpe back;
    assert_int_equal(cpe_parse(buf, &back, NULL), RK_OK); /* what we build, we can read */
    assert_int_equal(cpe_from_product('a', "東都システム", "x", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('a', "", "x", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('x', "v", "p", "1", &c), RK_EINVAL);
}

static void versions(void **st)
{
    assert_true(cpe_version_cmp("2.14.1", "2.15.0") < 0);
    assert_true(cpe_version_cmp("2.10", "2.9") > 0); /* numeric, not lexical */
    assert_int_equal(cpe_version_cmp("1.0", "1.0.0"), 0);
    assert_int_equal(cpe_version_cmp("1.02", "1.2"), 0);
    assert_true(cpe_version_cmp("1.0", "1.0.1") < 0);
    assert_true(cpe_version_cmp("1.0rc1", "1.0") < 0);
    assert_true(cpe_version_cmp("1.0beta", "1.0rc1") < 0);
    assert_true(cpe_version_cmp("7.2.0", "7.0.12") > 0);
    assert_true(cpe_version_in_range("2.14.1", "2.0", NULL, NULL, "2.15.0"));
    assert_false(cpe_version_in_range("2.15.0", "2.0", NULL, NULL, "2.15.0"));
    assert_true(cpe_version_in_range("2.15.0", NULL, NULL, "2.15.0", NULL));
    assert_false(cpe_version_in_range("2.0", NULL, "2.0", NULL, NULL));
    assert_false(cpe_version_in_range("1.9", "2.0", NULL, NULL, NULL));
    assert_true(cpe_version_in_range("9", NULL, NULL, NULL, NULL));
}

/* Names of products in CISA's KEV catalog, as NVD writes them. */
static void kev_products(void **st)
{
    static const char *const names[] = {
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*",
        "cpe:2.3:o:fortinet:fortios:7.2.0:*:*:*:*:*:*:*",
        "cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*",
        "cpe:2.3:o:cisco:ios_xe:17.3.1:*:*:*:*:*:*:*",
        "cpe:2.3:o:paloaltonetworks:pan-os:10.2.0:h1:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12:*:*:*:*:*:*",
        "cpe:2.3:a:progress:moveit_transfer:2023.0.0:*:*:*:*:*:*:*",
        "cpe:2.3:o:ivanti:connect_secure:22.3:r1:*:*:*:*:*:*",
        "cpe:2.3:a:citrix:netscaler_application_delivery_controller:13.1:*:*:*:fips:*:*:*",
        "cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*",
        "cpe:2.3:a:atlassian:confluence_data_center:7.18.0:*:*:*:*:*:*:*",
    };
    char buf[CPE_MAX_LEN + 1];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const struct cpe *c = P(names[i]);
        assert_false(cpe_has_wildcards(c));
        assert_int_equal(cpe_compare(c, c), CPE_EQUAL);
        assert_int_equal(cpe_format(c, buf, sizeof buf), RK_OK);
        assert_string_equal(buf, names[i]); /* already canonical */
    }
    const struct cpe *asa = P("cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*");
    assert_int_equal(asa->a[CPE_PART].v[0], 'h');
    assert_int_equal(asa->a[CPE_VERSION].kind, CPE_NA);
}

static void syntax_details(void **st)
{
    struct cpe c;
    char buf[CPE_MAX_LEN + 1];
    /* Escaped wildcards and backslashes are literals. */
    c = *P("cpe:2.3:a:v:p\\*:1.\\?:*:*:*:*:*:*:*");
    assert_false(cpe_has_wildcards(&c));
    assert_string_equal(c.a[CPE_PRODUCT].v, "p\\*");
    c = *P("cpe:2.3:a:v:dir\\\\name:1:*:*:*:*:*:*:*");
    assert_string_equal(c.a[CPE_PRODUCT].v, "dir\\\\name");
    /* An escaped colon does not split; the value keeps its escape. */
    c = *P("cpe:2.3:a:v:p:1\\:2:*:*:*:*:*:*:*");
    assert_string_equal(c.a[CPE_VERSION].v, "1\\:2");
    /* Where the wildcards are. */
    c = *P("cpe:2.3:a:v:p:??1.0*:*:*:*:*:*:*:*");
    assert_int_equal(c.a[CPE_VERSION].q_lead, 2);
    assert_true(c.a[CPE_VERSION].star_trail);
    assert_false(c.a[CPE_VERSION].star_lead);
    assert_int_equal(c.a[CPE_VERSION].q_trail, 0);
    /* Language tags. */
    static const char *const langs_ok[] = {"ja", "jpn", "ja-jp", "es-419", "EN-us"};
    static const char *const langs_bad[] = {"j", "japa", "ja-j", "ja_jp", "ja-jp1", "ja-12"};
    for (size_t i = 0; i < sizeof langs_ok / sizeof *langs_ok; i++) {
        snprintf(buf, sizeof buf, "cpe:2.3:a:v:p:1:*:*:%s:*:*:*:*", langs_ok[i]);
        P(buf);
    }
    for (size_t i = 0; i < sizeof langs_bad / sizeof *langs_bad; i++) {
        snprintf(buf, sizeof buf, "cpe:2.3:a:v:p:1:*:*:%s:*:*:*:*", langs_bad[i]);
        struct cpe_error e = {0};
        assert_int_equal(cpe_parse(buf, &c, &e), RK_EINVAL);
        assert_int_equal(e.attr, CPE_LANGUAGE);
    }
    /* Part is lower case only (the official regex), unlike other attributes. */
    struct cpe_error e = {0};
    assert_int_equal(cpe_parse("cpe:2.3:A:v:p:1:*:*:*:*:*:*:*", &c, &e), RK_EINVAL);
    assert_int_equal(e.attr, CPE_PART);
    assert_int_equal(cpe_parse("cpe:2.3:ao:v:p:1:*:*:*:*:*:*:*", &c, &e), RK_EINVAL);
    assert_int_equal(e.attr, CPE_PART);
    P("cpe:2.3:-:v:p:1:*:*:*:*:*:*:*");
    /* Prefix, whitespace, NULL. */
    assert_int_equal(cpe_parse("CPE:2.3:a:v:p:1:*:*:*:*:*:*:*", &c, &e), RK_EINVAL);
    assert_int_equal(e.attr, -1);
    assert_int_equal(cpe_parse("cpe:2.3:a:v:p:1:*:*:*:*:*:*:* ", &c, &e), RK_EINVAL);
    assert_int_equal(e.attr, CPE_OTHER);
    assert_int_equal(cpe_parse("cpe:2.3:a:v:p:1\t:*:*:*:*:*:*:*", &c, &e), RK_EINVAL);
    assert_int_equal(e.attr, CPE_VERSION);
    assert_int_equal(cpe_parse(NULL, &c, &e), RK_EINVAL);
    assert_int_equal(cpe_parse("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", &c, NULL), RK_OK);
    /* Exactly CPE_MAX_LEN is accepted (attributes kept under 256 characters). */
    char name[CPE_MAX_LEN + 1];
    int len = snprintf(name, sizeof name, "cpe:2.3:a:%0250d:%0250d:%0250d:", 0, 0, 0);
    memset(name + len, 'x', CPE_MAX_LEN - (size_t)len - 12); /* the update attribute */
    memcpy(name + CPE_MAX_LEN - 12, ":*:*:*:*:*:*", 13);
    assert_int_equal(strlen(name), CPE_MAX_LEN);
    P(name);
    /* An attribute of 256 characters is over the per-attribute bound. */
    snprintf(name, sizeof name, "cpe:2.3:a:%0256d:p:1:*:*:*:*:*:*:*", 0);
    assert_int_equal(cpe_parse(name, &c, &e), RK_EINVAL);
    assert_int_equal(e.attr, CPE_VENDOR);
    /* cpe_format needs room for the terminating NUL. */
    c = *P("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*");
    size_t n = strlen("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*");
    assert_int_equal(cpe_format(&c, buf, n), RK_ELIMIT);
    assert_int_equal(cpe_format(&c, buf, n + 1), RK_OK);
}

/* Phase 2: the overall relation from the attribute relations. */
static void overall_combinations(void **st)
{
    /* A copy: P's ring of results is reused after eight calls. */
    const struct cpe target = *P("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*"), *t = &target;
    /* all EQUAL */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*"), t), CPE_EQUAL);
    /* SUPERSET + EQUAL */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:*:*:*:*:*:*:*:*:*"), t), CPE_SUPERSET);
    assert_int_equal(cpe_compare(P("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*"), t), CPE_SUPERSET);
    /* SUBSET + EQUAL */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:1.0:sp1:*:*:*:*:*:*"), t), CPE_SUBSET);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:1.0:-:*:*:*:*:*:*"), t), CPE_SUBSET);
    /* SUBSET + SUPERSET: no relation */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:*:sp1:*:*:*:*:*:*"), t), CPE_NO_RELATION);
    /* any DISJOINT wins over SUPERSET and SUBSET */
    assert_int_equal(cpe_compare(P("cpe:2.3:o:v:*:*:*:*:*:*:*:*:*"), t), CPE_DISJOINT);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:2.0:sp1:*:*:*:*:*:*"), t), CPE_DISJOINT);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:-"), t), CPE_SUBSET);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:v:p:-:*:*:*:*:*:*:*"), t), CPE_DISJOINT);
    /* a wildcard in the target is an error, even beside a DISJOINT attribute */
    assert_int_equal(
        cpe_compare(P("cpe:2.3:o:v:p:1.0:*:*:*:*:*:*:*"), P("cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*")),
        CPE_UNDEFINED);
    assert_false(
        cpe_matches(P("cpe:2.3:a:v:p:*:*:*:*:*:*:*:*"), P("cpe:2.3:a:v:p?:1:*:*:*:*:*:*:*")));
    /* case-insensitive */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:Apache:LOG4J:2.14.1:*:*:*:*:*:*:*"),
                                 P("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")),
                     CPE_EQUAL);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:LOG4*:*:*:*:*:*:*:*:*"),
                                 P("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")),
                     CPE_SUPERSET);
    /* escapes count as the character they quote */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:xerces-c\\+*:*:*:*:*:*:*:*:*"),
                                 P("cpe:2.3:a:apache:xerces-c\\+\\+:3.1.1:*:*:*:*:*:*:*")),
                     CPE_SUPERSET);
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:xerces-c?:*:*:*:*:*:*:*:*"),
                                 P("cpe:2.3:a:apache:xerces-c\\+:3.1.1:*:*:*:*:*:*:*")),
                     CPE_SUPERSET);
    assert_string_equal(cpe_rel_name(CPE_UNDEFINED), "undefined");
    assert_string_equal(cpe_attr_name(CPE_TARGET_HW), "target_hw");
    assert_string_equal(cpe_attr_name(-1), "name");
}

/* How an NVD cpeMatch is evaluated: criteria SUPERSET of the asset, and the version bounds. */
static void nvd_cpe_match(void **st)
{
    /* CVE-2021-44228: log4j-core 2.13.0 <= v < 2.15.0 (one of its ranges). */
    const struct cpe *crit = P("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*");
    const struct cpe *asset = P("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
    assert_true(cpe_matches(crit, asset));
    assert_true(cpe_version_in_range(asset->a[CPE_VERSION].v, "2.13.0", NULL, NULL, "2.15.0"));
    assert_false(cpe_version_in_range("2.15.0", "2.13.0", NULL, NULL, "2.15.0"));
    assert_false(cpe_version_in_range("2.12.4", "2.13.0", NULL, NULL, "2.15.0"));
    /* The pre-release NVD names in the update attribute. */
    assert_int_equal(cpe_compare(P("cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*"),
                                 P("cpe:2.3:a:apache:log4j:2.0:rc1:*:*:*:*:*:*")),
                     CPE_DISJOINT);
    /* CVE-2022-0778: OpenSSL 1.1.1 <= v < 1.1.1n, letters are patch releases. */
    assert_true(cpe_version_in_range("1.1.1", "1.1.1", NULL, NULL, "1.1.1n"));
    assert_true(cpe_version_in_range("1.1.1k", "1.1.1", NULL, NULL, "1.1.1n"));
    assert_true(cpe_version_in_range("1.1.1m", "1.1.1", NULL, NULL, "1.1.1n"));
    assert_false(cpe_version_in_range("1.1.1n", "1.1.1", NULL, NULL, "1.1.1n"));
    assert_false(cpe_version_in_range("1.1.1q", "1.1.1", NULL, NULL, "1.1.1n"));
    assert_false(cpe_version_in_range("1.0.2zd", "1.1.1", NULL, NULL, "1.1.1n"));
    assert_true(cpe_version_in_range("1.0.2zc", "1.0.2", NULL, NULL, "1.0.2zd"));
    /* FortiOS 7.2.0 <= v <= 7.2.4 */
    assert_true(cpe_version_in_range("7.2.0", "7.2.0", NULL, "7.2.4", NULL));
    assert_true(cpe_version_in_range("7.2.4", "7.2.0", NULL, "7.2.4", NULL));
    assert_false(cpe_version_in_range("7.2.5", "7.2.0", NULL, "7.2.4", NULL));
    assert_false(cpe_version_in_range("7.0.12", "7.2.0", NULL, "7.2.4", NULL));
    /* start_excl */
    assert_true(cpe_version_in_range("2.0.1", NULL, "2.0", NULL, NULL));
    assert_false(cpe_version_in_range("2.0.0", NULL, "2.0", NULL, NULL));
    assert_false(cpe_version_in_range(NULL, NULL, NULL, NULL, NULL));
}

static void version_order(void **st)
{
    /* Each row sorts strictly before the next. */
    static const char *const ascending[] = {
        "1.0-dev", "1.0a1", "1.0-alpha.2", "1.0-beta",   "1.0b1",  "1.0-M2",   "1.0-rc1",
        "1.0-rc2", "1.0",   "1.0.1",       "1.0.1a",     "1.0.1b", "1.0.1sp1", "1.0.2",
        "1.0.10",  "1.1",   "2.0.0-beta9", "2.0.0-rc.1", "2.0.0",  "10.0",
    };
    for (size_t i = 0; i + 1 < sizeof ascending / sizeof *ascending; i++) {
        if (cpe_version_cmp(ascending[i], ascending[i + 1]) >= 0)
            fail_msg("%s should sort before %s", ascending[i], ascending[i + 1]);
        if (cpe_version_cmp(ascending[i + 1], ascending[i]) <= 0)
            fail_msg("%s should sort after %s", ascending[i + 1], ascending[i]);
    }
    static const char *const equal[][2] = {
        {"1.0", "1.0.0"}, {"1.0.Final", "1.0"},  {"1.0-GA", "1.0.0"},    {"01.002", "1.2"},
        {"1_0+0", "1.0"}, {"1.0RC1", "1.0-rc1"}, {"1.0-rc1", "1.0-cr1"}, {"", "0"},
        {"1\\+2", "1.2"}, {"v1", "V1"},
    };
    for (size_t i = 0; i < sizeof equal / sizeof *equal; i++)
        if (cpe_version_cmp(equal[i][0], equal[i][1]) != 0)
            fail_msg("%s should equal %s", equal[i][0], equal[i][1]);
    /* Numbers of any length compare numerically. */
    assert_true(cpe_version_cmp("1.99999999999999999999999", "1.100000000000000000000000") < 0);
    assert_true(cpe_version_cmp(NULL, "1") < 0);
}

static void from_product_edges(void **st)
{
    struct cpe c;
    char buf[CPE_MAX_LEN + 1];
    assert_int_equal(
        cpe_from_product('a', "  Apache   Software\tFoundation ", "C++ Builder", " 2.14.1 ", &c),
        RK_OK);
    assert_int_equal(cpe_format(&c, buf, sizeof buf), RK_OK);
    assert_string_equal(
        buf, "cpe:2.3:a:apache_software_foundation:c\\+\\+_builder:2.14.1:*:*:*:*:*:*:*");
    assert_int_equal(cpe_from_product('o', "Fortinet", "FortiOS", "-", &c), RK_OK);
    assert_int_equal(c.a[CPE_VERSION].kind, CPE_NA);
    assert_int_equal(cpe_from_product('o', "Fortinet", "FortiOS", "*", &c), RK_OK);
    assert_int_equal(c.a[CPE_VERSION].kind, CPE_ANY);
    assert_int_equal(cpe_from_product('o', "Fortinet", "FortiOS", "  ", &c), RK_OK);
    assert_int_equal(c.a[CPE_VERSION].kind, CPE_ANY);
    assert_int_equal(cpe_from_product('a', "Vendor", "2.*", "1?", &c), RK_OK);
    assert_false(cpe_has_wildcards(&c)); /* "*" and "?" in names are literals */
    assert_int_equal(cpe_format(&c, buf, sizeof buf), RK_OK);
    assert_string_equal(buf, "cpe:2.3:a:vendor:2.\\*:1\\?:*:*:*:*:*:*:*");
    assert_int_equal(cpe_from_product('a', "-", "p", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('a', "v", "*", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('a', "v", "   ", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('a', NULL, "p", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('a', "v\n", "p", "1", &c), RK_EINVAL);
    assert_int_equal(cpe_from_product('a', "v", "p", "1", NULL), RK_EINVAL);
    /* 255 characters once escaped fit, 256 do not. */
    char longname[300];
    memset(longname, 'x', 255);
    longname[255] = 0;
    assert_int_equal(cpe_from_product('a', "v", longname, NULL, &c), RK_OK);
    memset(longname, '+', 128);
    longname[128] = 0; /* 256 once escaped */
    assert_int_equal(cpe_from_product('a', "v", longname, NULL, &c), RK_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_names),        cmocka_unit_test(invalid_names),
        cmocka_unit_test(attribute_table),    cmocka_unit_test(wildcard_values),
        cmocka_unit_test(overall_relation),   cmocka_unit_test(from_product_names),
        cmocka_unit_test(versions),           cmocka_unit_test(kev_products),
        cmocka_unit_test(syntax_details),     cmocka_unit_test(overall_combinations),
        cmocka_unit_test(nvd_cpe_match),      cmocka_unit_test(version_order),
        cmocka_unit_test(from_product_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
