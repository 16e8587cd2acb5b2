/*
 * fuzz_out.h — a growing output buffer the fuzz targets write round-trip inputs into. A failed
 * allocation only marks it failed: the target then skips that check (it is not a finding).
 */
#ifndef FUZZ_OUT_H
#define FUZZ_OUT_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct out {
    char *p;
    size_t n, cap;
    bool failed;
};

static inline void put(struct out *o, const char *s, size_t n)
{
    if (o->failed) return;
    if (o->n + n + 1 > o->cap) {
        size_t cap = (o->cap + n + 1) * 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->failed = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

#endif
