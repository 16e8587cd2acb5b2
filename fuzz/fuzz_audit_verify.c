/*
 * fuzz_audit_verify.c — libFuzzer target for the audit hash chain (src/domain/audit_chain.h):
 * builds a valid chain from the input with audit_chain_hash(), checks that the verifier
 * accepts it, then tampers with it the way an attacker with write access to the table could
 * and checks that the verifier notices, at the right record.
 *
 * Input layout:
 *   byte 0     the tampering: none, flip a byte of one field, drop a record, duplicate a
 *              record, swap two records, or flip a content byte and recompute that record's
 *              own hash (an attacker who knows the scheme but cannot touch the head row);
 *   bytes 1-2  the record positions it applies to;
 *   byte 3     the field (flip), byte 4 the byte within it, byte 5 the XOR mask (0 is kept:
 *              a no-op mutation must leave the chain accepted);
 *   then       records, each: a flags byte, a time delta (or a raw 64-bit time), user and
 *              organisation ids, and four length-prefixed strings that may contain NULs.
 *
 * The expected verdict is derived by comparing the tampered sequence with the original,
 * never from how the verifier works: if the tampered chain is a prefix of the original
 * (dropping the newest record, which the chain alone cannot see) it must be accepted;
 * otherwise the first rejected record must be exactly the first position that differs,
 * because everything before it is a valid chain and a changed record cannot pass.
 *
 * Properties are checked with abort() so that a violation is reported as a crash. The same
 * file is linked with replay_main.c in ordinary builds to replay fuzz/corpus/fuzz_audit_verify/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/rk.h"
#include "domain/audit_chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_LEN 6
#define MAX_RECS 64 /* enough for every shape of tampering; more only slows the fuzzer */
#define STR_CAP 48
#define NSTR 4

enum mutation { MUT_NONE, MUT_FLIP, MUT_DROP, MUT_DUP, MUT_SWAP, MUT_REHASH, MUT__COUNT };

enum field {
    F_SEQ,
    F_TS,
    F_USER,
    F_ORG,
    F_ACTION,
    F_OBJECT,
    F_REQUEST_ID,
    F_DETAIL,
    F_PREV,
    F_HASH,
    F__COUNT
};

/* A record that owns its strings, so that records can be copied by value while tampering
 * (struct audit_rec only borrows them). The last byte of each buffer stays NUL whatever a
 * flip does, so a string can grow into the bytes after its terminator but never overrun. */
struct rec {
    int64_t seq, ts_ms, user_id, org_id;
    char str[NSTR][STR_CAP + 1];
    unsigned char prev_hash[AUDIT_HASH_LEN];
    unsigned char hash[AUDIT_HASH_LEN];
};

struct reader {
    const uint8_t *p, *end;
};

static uint8_t take_u8(struct reader *r)
{
    return r->p < r->end ? *r->p++ : 0;
}

static uint64_t take_u64(struct reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take_u8(r);
    return v;
}

static void view(const struct rec *in, struct audit_rec *out)
{
    memset(out, 0, sizeof *out);
    out->seq = in->seq;
    out->ts_ms = in->ts_ms;
    out->user_id = in->user_id;
    out->org_id = in->org_id;
    out->action = in->str[0];
    out->object = in->str[1];
    out->request_id = in->str[2];
    out->detail = in->str[3];
    memcpy(out->prev_hash, in->prev_hash, AUDIT_HASH_LEN);
    memcpy(out->hash, in->hash, AUDIT_HASH_LEN);
}

static void rehash(struct rec *r)
{
    struct audit_rec a;
    view(r, &a);
    audit_chain_hash(&a, r->hash);
}

/* Equality as the verifier can observe it: strings are C strings, so bytes after a NUL do
 * not count. */
static bool rec_equal(const struct rec *a, const struct rec *b)
{
    if (a->seq != b->seq || a->ts_ms != b->ts_ms || a->user_id != b->user_id ||
        a->org_id != b->org_id || memcmp(a->prev_hash, b->prev_hash, AUDIT_HASH_LEN) != 0 ||
        memcmp(a->hash, b->hash, AUDIT_HASH_LEN) != 0)
        return false;
    for (int i = 0; i < NSTR; i++)
        if (strcmp(a->str[i], b->str[i]) != 0) return false;
    return true;
}

/* Reads records until the input runs out and links them into a valid chain. */
static size_t build_chain(struct reader *rd, struct rec *recs)
{
    size_t n = 0;
    int64_t ts = INT64_C(1700000000000), user = 0, org = 0;
    unsigned char prev[AUDIT_HASH_LEN] = {0};
    while (rd->p < rd->end && n < MAX_RECS) {
        struct rec *r = &recs[n];
        memset(r, 0, sizeof *r);
        uint8_t f = take_u8(rd);
        /* Times go backwards too: the chain must not care, only the sequence does. */
        if (f & 1)
            ts = (int64_t)take_u64(rd);
        else /* wrapping, as a raw time may sit next to INT64_MAX */
            ts = (int64_t)((uint64_t)ts + (uint64_t)((int64_t)(int8_t)take_u8(rd) * 1000));
        switch ((f >> 1) & 3) {
        case 0:
            user = 0;
            break;
        case 1:
            break; /* same user as the previous record */
        case 2:
            user = take_u8(rd);
            break;
        default:
            user = (int64_t)take_u64(rd);
            break;
        }
        switch ((f >> 3) & 3) {
        case 0:
            org = 0;
            break;
        case 1:
            break;
        case 2:
            org = take_u8(rd);
            break;
        default:
            org = (int64_t)take_u64(rd);
            break;
        }
        r->seq = (int64_t)n + 1;
        r->ts_ms = ts;
        r->user_id = user;
        r->org_id = org;
        for (int i = 0; i < NSTR; i++) {
            size_t len = take_u8(rd) % (STR_CAP + 1);
            size_t avail = (size_t)(rd->end - rd->p);
            if (len > avail) len = avail;
            memcpy(r->str[i], rd->p, len);
            rd->p += len;
        }
        memcpy(r->prev_hash, prev, AUDIT_HASH_LEN);
        rehash(r);
        memcpy(prev, r->hash, AUDIT_HASH_LEN);
        n++;
    }
    return n;
}

/* Runs the verifier; returns the index of the first rejected record, or n when all pass. */
static size_t verify(const struct rec *recs, size_t n)
{
    struct audit_verifier v;
    audit_verify_init(&v);
    for (size_t i = 0; i < n; i++) {
        struct audit_rec a;
        view(&recs[i], &a);
        const char *why = NULL;
        int rc = audit_verify_step(&v, &a, &why);
        if (rc == RK_OK) {
            if (v.checked != (int64_t)i + 1) abort();
            continue;
        }
        /* The reason is shown to an operator investigating tampering: it must exist, and
         * the verifier must not have advanced past the bad record. */
        if (rc != RK_ECORRUPT || why == NULL || why[0] == '\0' || v.checked != (int64_t)i) abort();
        return i;
    }
    if (v.checked != (int64_t)n) abort();
    return n;
}

/* XORs mask into byte `off` of a field. */
static void flip(struct rec *r, enum field f, uint8_t off, uint8_t mask)
{
    int64_t *ints[] = {&r->seq, &r->ts_ms, &r->user_id, &r->org_id};
    switch (f) {
    case F_SEQ:
    case F_TS:
    case F_USER:
    case F_ORG: {
        uint64_t v = (uint64_t)*ints[f];
        v ^= (uint64_t)mask << (8 * (off % 8));
        *ints[f] = (int64_t)v;
        break;
    }
    case F_ACTION:
    case F_OBJECT:
    case F_REQUEST_ID:
    case F_DETAIL:
        r->str[f - F_ACTION][off % STR_CAP] ^= (char)mask;
        break;
    case F_PREV:
        r->prev_hash[off % AUDIT_HASH_LEN] ^= mask;
        break;
    case F_HASH:
    default:
        r->hash[off % AUDIT_HASH_LEN] ^= mask;
        break;
    }
}

/* Applies the tampering chosen by the header; returns the new length of m. */
static size_t tamper(const uint8_t *h, const struct rec *o, size_t n, struct rec *m)
{
    memcpy(m, o, n * sizeof *o);
    size_t a = h[1] % n, b = h[2] % n;
    switch ((enum mutation)(h[0] % MUT__COUNT)) {
    case MUT_NONE:
    case MUT__COUNT:
        return n;
    case MUT_FLIP:
        flip(&m[a], (enum field)(h[3] % F__COUNT), h[4], h[5]);
        return n;
    case MUT_DROP:
        memmove(&m[a], &m[a + 1], (n - a - 1) * sizeof *m);
        return n - 1;
    case MUT_DUP: {
        size_t at = h[2] % (n + 1);
        memmove(&m[at + 1], &m[at], (n - at) * sizeof *m);
        m[at] = o[a];
        return n + 1;
    }
    case MUT_SWAP: {
        struct rec t = m[a];
        m[a] = m[b];
        m[b] = t;
        return n;
    }
    case MUT_REHASH:
        /* Content fields only: seq and prev_hash are checked before the hash, and a changed
         * hash field would simply be recomputed back. */
        flip(&m[a], (enum field)(F_TS + h[3] % (F_DETAIL - F_TS + 1)), h[4], h[5]);
        rehash(&m[a]);
        return n;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool sodium_ready;
    if (!sodium_ready) {
        if (sodium_init() < 0) abort();
        sodium_ready = true;
    }
    if (size < HDR_LEN) return 0;

    struct reader rd = {data + HDR_LEN, data + size};
    struct rec *orig = malloc(MAX_RECS * sizeof *orig);
    struct rec *mut = malloc((MAX_RECS + 1) * sizeof *mut);
    if (!orig || !mut) abort();
    size_t n = build_chain(&rd, orig);

    if (verify(orig, n) != n) abort();
    if (n > 0) {
        char hex[2 * AUDIT_HASH_LEN + 1];
        audit_hash_hex(orig[n - 1].hash, hex);
        if (strspn(hex, "0123456789abcdef") != 2 * AUDIT_HASH_LEN) abort();
    }
    if (n == 0) goto done;

    size_t nm = tamper(data, orig, n, mut);
    size_t k = 0, common = nm < n ? nm : n;
    while (k < common && rec_equal(&mut[k], &orig[k]))
        k++;
    size_t bad = verify(mut, nm);
    bool rehashed = data[0] % MUT__COUNT == MUT_REHASH;

    if (k == nm) {
        /* Unchanged, or only the newest records removed: a valid chain. */
        if (bad != nm) abort();
    } else if (rehashed) {
        /* The rewritten record is self-consistent; its successor's link is what breaks, and
         * a rewritten newest record is only caught by the store's head row. */
        if (bad != (k + 1 < nm ? k + 1 : nm)) abort();
    } else if (bad != k) {
        abort();
    }

done:
    free(orig);
    free(mut);
    return 0;
}
