/*
 * fuzz_cpe.c — CPE 2.3 parsing and matching on untrusted names. Invariants (abort on breach):
 * a parsed name formats to a string that parses again to the same canonical string; a
 * wildcard-free name is EQUAL to itself; relations are always one of the declared values; and
 * the two halves of the input compared both ways give mirror relations when neither has
 * wildcards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/cpe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool parse_and_check(const char *s, struct cpe *c)
{
    if (cpe_parse(s, c, NULL) != RK_OK) return false;
    char a[CPE_MAX_LEN + 64], b[CPE_MAX_LEN + 64];
    struct cpe again;
    if (cpe_format(c, a, sizeof a) != RK_OK || cpe_parse(a, &again, NULL) != RK_OK ||
        cpe_format(&again, b, sizeof b) != RK_OK || strcmp(a, b) != 0)
        abort();
    if (!cpe_has_wildcards(c) && cpe_compare(c, c) != CPE_EQUAL) abort();
    return true;
}

static enum cpe_rel mirror(enum cpe_rel r)
{
    return r == CPE_SUBSET ? CPE_SUPERSET : r == CPE_SUPERSET ? CPE_SUBSET : r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * CPE_MAX_LEN + 2) return 0;
    char buf[2 * CPE_MAX_LEN + 3];
    memcpy(buf, data, size);
    buf[size] = 0;
    /* Two names separated by a newline (or one name). */
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    struct cpe x, y;
    bool hx = parse_and_check(buf, &x);
    bool hy = nl && parse_and_check(nl + 1, &y);
    if (hx && hy) {
        enum cpe_rel r = cpe_compare(&x, &y), back = cpe_compare(&y, &x);
        if (r > CPE_UNDEFINED || back > CPE_UNDEFINED) abort();
        if (!cpe_has_wildcards(&x) && !cpe_has_wildcards(&y) && back != mirror(r)) abort();
        (void)cpe_matches(&x, &y);
        const char *vx = x.a[CPE_VERSION].v, *vy = y.a[CPE_VERSION].v;
        int c1 = cpe_version_cmp(vx, vy), c2 = cpe_version_cmp(vy, vx);
        if ((c1 > 0) != (c2 < 0) || (c1 == 0) != (c2 == 0)) abort();
    }
    return 0;
}
