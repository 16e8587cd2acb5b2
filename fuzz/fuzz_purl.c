/*
 * fuzz_purl.c — Package URL parsing on untrusted input. Invariants (abort on breach):
 *   - a rejection names a part and a rule;
 *   - what parses has a lower-case type, a non-empty name, non-empty qualifier values with
 *     unique keys in strictly increasing order, and counts within the limits;
 *   - it formats (into a buffer sized by the header's bound) to a canonical string that parses
 *     again to the same components and formats to the very same string (a fixed point);
 *   - a buffer one byte too small gives RK_ELIMIT and a shorter, NUL-terminated prefix.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/purl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_shape(const struct purl *p)
{
    if (!p->type[0] || !p->name[0] || p->nns > PURL_MAX_SEGMENTS || p->nsub > PURL_MAX_SEGMENTS ||
        p->nq > PURL_MAX_QUALIFIERS)
        abort();
    for (const char *c = p->type; *c; c++)
        if (*c >= 'A' && *c <= 'Z') abort();
    for (size_t i = 0; i < p->nq; i++) {
        if (!p->q[i].value[0]) abort();
        if (i > 0 && strcmp(p->q[i - 1].key, p->q[i].key) >= 0) abort();
    }
    for (size_t i = 0; i < p->nsub; i++)
        if (!p->subpath[i][0] || !strcmp(p->subpath[i], ".") || !strcmp(p->subpath[i], ".."))
            abort();
}

static bool same(const struct purl *a, const struct purl *b)
{
    if (strcmp(a->type, b->type) || strcmp(a->name, b->name) || strcmp(a->version, b->version) ||
        a->nns != b->nns || a->nq != b->nq || a->nsub != b->nsub)
        return false;
    for (size_t i = 0; i < a->nns; i++)
        if (strcmp(a->ns[i], b->ns[i])) return false;
    for (size_t i = 0; i < a->nq; i++)
        if (strcmp(a->q[i].key, b->q[i].key) || strcmp(a->q[i].value, b->q[i].value)) return false;
    for (size_t i = 0; i < a->nsub; i++)
        if (strcmp(a->subpath[i], b->subpath[i])) return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Static: two purls are ~40 KiB, too much for a fuzzer's stack frame. */
    static struct purl p, again;
    static char in[PURL_MAX_LEN + 2], a[3 * PURL_MAX_LEN + 1], b[3 * PURL_MAX_LEN + 1];
    if (size > PURL_MAX_LEN + 1) return 0;
    memcpy(in, data, size);
    in[size] = 0;
    struct purl_error err = {0};
    if (purl_parse(in, &p, &err) != RK_OK) {
        if (!err.part || !err.message) abort();
        return 0;
    }
    check_shape(&p);
    if (purl_format(&p, a, sizeof a) != RK_OK) abort();
    size_t len = strlen(a);
    char small[64];
    if (len < sizeof small && (purl_format(&p, small, len) != RK_ELIMIT || strlen(small) >= len))
        abort();
    /* Percent-encoding can make the canonical form longer than the input limit; such a
     * string need not parse again. */
    if (len > PURL_MAX_LEN) return 0;
    if (purl_parse(a, &again, NULL) != RK_OK || !same(&p, &again) ||
        purl_format(&again, b, sizeof b) != RK_OK || strcmp(a, b) != 0)
        abort();
    return 0;
}
