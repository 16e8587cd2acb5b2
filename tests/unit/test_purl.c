/* test_purl.c — Package URL parsing and canonical form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* The specification's test suite: an unencoded npm scope without a version. */
static void unencoded_scope(void **st)
{
    canon("pkg:npm/@babel/core#/googleapis/api/annotations/",
          "pkg:npm/%40babel/core#googleapis/api/annotations");
    assert_string_equal(pu.ns[0], "@babel");
    assert_string_equal(pu.name, "core");
    assert_string_equal(pu.version, "");
    canon("pkg:npm/@angular/animation@12.3.1", "pkg:npm/%40angular/animation@12.3.1");
    assert_string_equal(pu.version, "12.3.1");
}

/* Types whose definitions say a component is case-insensitive get it folded. */
static void type_normalisation(void **st)
{
    canon("pkg:PYPI/Django_package@1.11.1.dev1", "pkg:pypi/django-package@1.11.1.dev1");
    canon("pkg:github/Package-url/purl-Spec@244fd47e07d1004f0aed9c",
          "pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c");
    canon("pkg:composer/Laravel/Laravel@5.5.0", "pkg:composer/laravel/laravel@5.5.0");
    canon("pkg:huggingface/EleutherAI/gpt-neo-1.3B@797174552AE47F449AB7",
          "pkg:huggingface/EleutherAI/gpt-neo-1.3B@797174552ae47f449ab7");
    canon("pkg:rpm/Fedora/Curl@7.50.3-1.FC25", "pkg:rpm/fedora/Curl@7.50.3-1.FC25");
    /* Case matters for these. */
    canon("pkg:maven/Org.Apache/Commons-IO@1.0-RC1", "pkg:maven/Org.Apache/Commons-IO@1.0-RC1");
    canon("pkg:npm/Foo@1", "pkg:npm/Foo@1");
    canon("pkg:golang/github.com/Sirupsen/logrus@v1.0.0",
          "pkg:golang/github.com/Sirupsen/logrus@v1.0.0");
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
    /* Empty pieces between "&" are skipped; ":" is never encoded; space is %20. */
    canon("pkg:generic/n?b=2&&a=1&", "pkg:generic/n?a=1&b=2");
    canon("pkg:generic/bitwarderl?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d",
          "pkg:generic/bitwarderl?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d");
    assert_string_equal(pu.q[0].value, "sha1:ad9503c3e994a4f,sha256:41bf9088b3a1e6c1ef1d");
    canon("pkg:generic/my%20tool@1.0%20beta", "pkg:generic/my%20tool@1.0%20beta");
    canon("pkg:generic/%E6%9D%B1%E9%83%BD@1", "pkg:generic/%E6%9D%B1%E9%83%BD@1");
    assert_string_equal(pu.name, "\xe6\x9d\xb1\xe9\x83\xbd");
    canon("pkg:generic/n?z=1&y=2&x=3", "pkg:generic/n?x=3&y=2&z=1");
    assert_int_equal(pu.nq, 3);
    assert_string_equal(pu.q[0].key, "x");
}

static void limits(void **st)
{
    char s[PURL_MAX_LEN + 1];
    /* 32 qualifiers are fine, 33 are not. */
    for (int n = 32; n <= 33; n++) {
        size_t len = (size_t)snprintf(s, sizeof s, "pkg:generic/n?");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(s + len, sizeof s - len, "%sk%02d=v", i ? "&" : "", i);
        struct purl_error e = {0};
        int rc = purl_parse(s, &pu, &e);
        if (n == 32) {
            assert_int_equal(rc, RK_OK);
            assert_int_equal(pu.nq, 32);
        } else {
            assert_int_equal(rc, RK_EINVAL);
            assert_string_equal(e.part, "qualifiers");
        }
    }
    /* 16 namespace segments are fine, 17 are not. */
    for (int n = 16; n <= 17; n++) {
        size_t len = (size_t)snprintf(s, sizeof s, "pkg:generic/");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(s + len, sizeof s - len, "s%d/", i);
        snprintf(s + len, sizeof s - len, "name");
        struct purl_error e = {0};
        int rc = purl_parse(s, &pu, &e);
        assert_int_equal(rc, n == 16 ? RK_OK : RK_EINVAL);
        if (rc) assert_string_equal(e.part, "namespace");
    }
    /* A name of 255 bytes is fine, 256 is not. */
    memcpy(s, "pkg:generic/", 12);
    memset(s + 12, 'n', 256);
    s[12 + 255] = 0;
    assert_int_equal(purl_parse(s, &pu, NULL), RK_OK);
    s[12 + 255] = 'n';
    s[12 + 256] = 0;
    assert_int_equal(purl_parse(s, &pu, NULL), RK_EINVAL);
    /* Exactly PURL_MAX_LEN is accepted. */
    memset(s + 12, 'x', PURL_MAX_LEN - 12);
    s[PURL_MAX_LEN] = 0;
    for (size_t i = 0; i < 8; i++)
        s[12 + 200 + i * 250] = '/'; /* keep every segment under 256 bytes */
    assert_int_equal(purl_parse(s, &pu, NULL), RK_OK);
    /* NULLs. */
    struct purl_error e = {0};
    assert_int_equal(purl_parse(NULL, &pu, &e), RK_EINVAL);
    assert_string_equal(e.part, "purl");
    assert_int_equal(purl_format(NULL, s, sizeof s), RK_EINVAL);
    /* A truncated result is still a C string. */
    assert_int_equal(purl_parse("pkg:generic/abcdef", &pu, NULL), RK_OK);
    char small[8];
    assert_int_equal(purl_format(&pu, small, sizeof small), RK_ELIMIT);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(purl_format(&pu, small, 0), RK_ELIMIT);
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
        {"pkg:deb/curl#a/%2E%2E/b", "subpath"}, /* encoded .. is still .. */
        {"pkg:deb/curl#a%2Fb", "subpath"},
        {"pkg:deb/curl?a=&a=1", "qualifiers"}, /* a key twice, though one value is empty */
        {"pkg:npm/myartifact@1.0.0?in%20production=true", "qualifiers"},
        {"pkg:deb/curl?a%41=1", "qualifiers"}, /* keys are never encoded */
        {"pkg:maven/@1.3.4", "name"},
        {"pkg%3Amaven/org.apache.commons/io", "scheme"},
        {"pkg:nginx:a/nginx@0.8.9", "type"},
        {"pkg:n&g?inx/nginx@0.8.9", "qualifiers"}, /* "?" splits first */
        {"pkg:3nginx/nginx@0.8.9", "type"},
        {"EnterpriseLibrary.Common@6.0.1304", "scheme"},
        {"pkg:EnterpriseLibrary.Common@6.0.1304", "type"},
        {"pkg:deb/curl@1%", "version"},
        {"curl?bad", "scheme"}, /* the scheme is judged before the tail */
        {"", "scheme"},
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
        cmocka_unit_test(unencoded_scope),
        cmocka_unit_test(type_normalisation),
        cmocka_unit_test(limits),
        cmocka_unit_test(invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
