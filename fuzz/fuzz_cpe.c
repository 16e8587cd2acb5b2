/*
 * fuzz_cpe.c — CPE 2.3 parsing, matching and version order on untrusted input. The input is up
 * to three lines; each is tried as a CPE name, as free-text product names, and as a version.
 * Invariants (abort on breach):
 *   - a rejection names an attribute (or -1) and a rule;
 *   - a parsed name formats to a string that parses again to the same canonical string;
 *   - a wildcard-free name is EQUAL to itself, and a name built by cpe_from_product is
 *     wildcard-free, parses back and is EQUAL to what was built;
 *   - relations are always declared values; cpe_matches agrees with cpe_compare; two
 *     wildcard-free names compared both ways give mirror relations;
 *   - cpe_version_cmp is reflexive, antisymmetric and transitive over the lines.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/cpe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES 3

static void check_rel(enum cpe_rel r)
{
    switch (r) {
    case CPE_DISJOINT:
    case CPE_SUBSET:
    case CPE_SUPERSET:
    case CPE_EQUAL:
    case CPE_NO_RELATION:
    case CPE_UNDEFINED:
        return;
    }
    abort();
}

static bool parse_and_check(const char *s, struct cpe *c)
{
    struct cpe_error err = {.attr = 99};
    if (cpe_parse(s, c, &err) != RK_OK) {
        if (err.attr < -1 || err.attr >= CPE_NATTR || !err.message) abort();
        return false;
    }
    char a[CPE_MAX_LEN + 1], b[CPE_MAX_LEN + 1];
    struct cpe again;
    if (cpe_format(c, a, sizeof a) != RK_OK || cpe_parse(a, &again, NULL) != RK_OK ||
        cpe_format(&again, b, sizeof b) != RK_OK || strcmp(a, b) != 0)
        abort();
    enum cpe_rel self = cpe_compare(c, c);
    check_rel(self);
    if (!cpe_has_wildcards(c) && self != CPE_EQUAL) abort();
    if (cpe_has_wildcards(c) && self != CPE_UNDEFINED) abort();
    return true;
}

/* The line as vendor, product and version of a product filed by name. */
static void from_product(const char *s)
{
    struct cpe built, back;
    if (cpe_from_product('a', s, s, s, &built) != RK_OK) return;
    char buf[CPE_MAX_LEN + 1];
    if (cpe_has_wildcards(&built) || cpe_format(&built, buf, sizeof buf) != RK_OK ||
        cpe_parse(buf, &back, NULL) != RK_OK || cpe_compare(&built, &back) != CPE_EQUAL)
        abort();
}

static enum cpe_rel mirror(enum cpe_rel r)
{
    return r == CPE_SUBSET ? CPE_SUPERSET : r == CPE_SUPERSET ? CPE_SUBSET : r;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[LINES * (CPE_MAX_LEN + 1) + 1];
    if (size >= sizeof buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *line[LINES];
    int n = 0;
    for (char *p = buf; n < LINES && p; n++) {
        line[n] = p;
        p = strchr(p, '\n');
        if (p) *p++ = 0;
    }
    struct cpe c[LINES];
    bool ok[LINES];
    for (int i = 0; i < n; i++) {
        ok[i] = parse_and_check(line[i], &c[i]);
        if (!ok[i]) from_product(line[i]);
        if (cpe_version_cmp(line[i], line[i]) != 0) abort();
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int ij = sign(cpe_version_cmp(line[i], line[j]));
            if (ij != -sign(cpe_version_cmp(line[j], line[i]))) abort();
            for (int k = 0; k < n; k++) {
                int jk = sign(cpe_version_cmp(line[j], line[k]));
                int ik = sign(cpe_version_cmp(line[i], line[k]));
                if (ij <= 0 && jk <= 0 && ik > 0) abort(); /* i <= j <= k but i > k */
            }
            if (i == j || !ok[i] || !ok[j]) continue;
            enum cpe_rel r = cpe_compare(&c[i], &c[j]), back = cpe_compare(&c[j], &c[i]);
            check_rel(r);
            check_rel(back);
            if (cpe_matches(&c[i], &c[j]) != (r == CPE_SUPERSET || r == CPE_EQUAL)) abort();
            if (!cpe_has_wildcards(&c[i]) && !cpe_has_wildcards(&c[j]) && back != mirror(r))
                abort();
            for (int a = 0; a < CPE_NATTR; a++)
                check_rel(cpe_compare_attr(&c[i].a[a], &c[j].a[a]));
            const char *vi = c[i].a[CPE_VERSION].v, *vj = c[j].a[CPE_VERSION].v;
            if (sign(cpe_version_cmp(vi, vj)) != -sign(cpe_version_cmp(vj, vi))) abort();
        }
    return 0;
}
