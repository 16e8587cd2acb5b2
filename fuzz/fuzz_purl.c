/*
 * fuzz_purl.c — Package URL parsing on untrusted input. Invariant (abort on breach): whatever
 * parses formats to a canonical string that parses again to the very same canonical string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/purl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct purl p, again;
    char in[PURL_MAX_LEN + 2], a[4 * PURL_MAX_LEN], b[4 * PURL_MAX_LEN];
    if (size > PURL_MAX_LEN + 1) return 0;
    memcpy(in, data, size);
    in[size] = 0;
    if (purl_parse(in, &p, NULL) != RK_OK) return 0;
    /* Percent-encoding can triple a component; the canonical form may exceed the input limit,
     * in which case it need not parse again. */
    if (purl_format(&p, a, sizeof a) != RK_OK) abort();
    if (strlen(a) > PURL_MAX_LEN) return 0;
    if (purl_parse(a, &again, NULL) != RK_OK || purl_format(&again, b, sizeof b) != RK_OK ||
        strcmp(a, b) != 0)
        abort();
    return 0;
}
