/* test_purl.c — Package URL parsing and canonical form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/rk.h"
#include "domain/purl.h"

static struct purl pu;

static void canon(const char *in, const char *want)
{
    struct purl_error e = {0};
    char buf[PURL_MAX_LEN + 1];
    if (purl_parse(in, &pu, &e) != RK_OK) fail_msg("%s: %s: %s", in, e.part, e.message);
    assert_int_equal(purl_format(&pu, buf, sizeof buf), RK_OK);
    if (strcmp(buf, want) != 0) fail_msg("%s → %s, want %s", in, buf, want);
    struct purl again;
    char buf2[PURL_MAX_LEN + 1];
    assert_int_equal(purl_parse(buf, &again, NULL), RK_OK);
    assert_int_equal(purl_format(&again, buf2, sizeof buf2), RK_OK);
    assert_string_equal(buf, buf2);
}

static void specification_examples(void **st)
{
    canon("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
          "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
    assert_string_equal(pu.type, "deb");
    assert_int_equal(pu.nns, 1);
    assert_string_equal(pu.ns[0], "debian");
    assert_string_equal(pu.name, "curl");
    assert_string_equal(pu.version, "7.50.3-1");
    assert_int_equal(pu.nq, 2);
    canon("pkg:npm/%40angular/animation@12.3.1", "pkg:npm/%40angular/animation@12.3.1");
    assert_string_equal(pu.ns[0], "@angular");
    canon("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
          "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    canon("pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
          "pkg:golang/google.golang.org/genproto#googleapis/api/annotations");
    assert_int_equal(pu.nsub, 3);
    canon("pkg:pypi/django@1.11.1", "pkg:pypi/django@1.11.1");
    canon("pkg:docker/cassandra@sha256:244fd47e07d10", "pkg:docker/cassandra@sha256:244fd47e07d10");
    assert_string_equal(pu.version, "sha256:244fd47e07d10");
}

static void canonicalisation(void **st)
{
    /* Type folded, qualifiers sorted, empty values dropped, "pkg://" and stray slashes. */
    canon("PKG://DEB/debian/curl@7.50.3-1?distro=jessie&arch=i386&empty=",
          "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
    canon("pkg:generic//ns//name/", "pkg:generic/ns/name");
    canon("pkg:generic/a%20b@1%2B2?Repo_URL=https%3A%2F%2Fx",
          "pkg:generic/a%20b@1%2B2?repo_url=https:%2F%2Fx");
    assert_string_equal(pu.q[0].value, "https://x");
    canon("pkg:generic/name#/sub//path/", "pkg:generic/name#sub/path");
}

static void invalid(void **st)
{
    static const struct {
        const char *s, *part;
    } bad[] = {
        {"curl@7.50", "scheme"},
        {"pkg:", "type"},
        {"pkg:deb", "type"},
        {"pkg:/curl", "type"},
        {"pkg:1deb/curl", "type"},
        {"pkg:d_b/curl", "type"},
        {"pkg:deb/", "name"},
        {"pkg:deb/curl@", "version"},
        {"pkg:deb/cu%2", "name"},
        {"pkg:deb/cu%zzrl", "name"},
        {"pkg:deb/cu%00rl", "name"},
        {"pkg:deb/a%2Fb/curl", "namespace"},
        {"pkg:deb/curl?arch", "qualifiers"},
        {"pkg:deb/curl?=x", "qualifiers"},
        {"pkg:deb/curl?1a=x", "qualifiers"},
        {"pkg:deb/curl?a=1&A=2", "qualifiers"},
        {"pkg:deb/curl#a/../b", "subpath"},
        {"pkg:deb/curl#.", "subpath"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct purl_error e = {0};
        if (purl_parse(bad[i].s, &pu, &e) != RK_EINVAL) fail_msg("accepted: %s", bad[i].s);
        if (strcmp(e.part, bad[i].part) != 0)
            fail_msg("%s: blamed %s, want %s", bad[i].s, e.part, bad[i].part);
    }
    char longp[PURL_MAX_LEN + 16] = "pkg:generic/";
    memset(longp + 12, 'x', PURL_MAX_LEN);
    longp[PURL_MAX_LEN + 12] = 0;
    assert_int_equal(purl_parse(longp, &pu, NULL), RK_EINVAL);
    char small[16];
    assert_int_equal(purl_parse("pkg:deb/debian/curl@7.50.3-1", &pu, NULL), RK_OK);
    assert_int_equal(purl_format(&pu, small, sizeof small), RK_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(specification_examples),
        cmocka_unit_test(canonicalisation),
        cmocka_unit_test(invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
