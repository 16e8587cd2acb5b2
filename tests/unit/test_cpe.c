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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_names),      cmocka_unit_test(invalid_names),
        cmocka_unit_test(attribute_table),  cmocka_unit_test(wildcard_values),
        cmocka_unit_test(overall_relation), cmocka_unit_test(from_product_names),
        cmocka_unit_test(versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
