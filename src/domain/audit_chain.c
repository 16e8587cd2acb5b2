#include "domain/audit_chain.h"

#include <string.h>

#include <sodium.h>

#include "core/rk.h"

/* Length-prefixing every field keeps the encoding injective: ("ab","c") and ("a","bc")
 * cannot hash alike. */
static void put_u64(crypto_hash_sha256_state *st, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    crypto_hash_sha256_update(st, b, sizeof b);
}

static void put_str(crypto_hash_sha256_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(st, n);
    if (n) crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

void audit_chain_hash(const struct audit_rec *r, unsigned char out[AUDIT_HASH_LEN])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    static const char domain[] = "renkei-audit-v1";
    crypto_hash_sha256_update(&st, (const unsigned char *)domain, sizeof domain - 1);
    crypto_hash_sha256_update(&st, r->prev_hash, AUDIT_HASH_LEN);
    put_u64(&st, (uint64_t)r->seq);
    put_u64(&st, (uint64_t)r->ts_ms);
    put_u64(&st, (uint64_t)r->user_id);
    put_u64(&st, (uint64_t)r->org_id);
    put_str(&st, r->action);
    put_str(&st, r->object);
    put_str(&st, r->request_id);
    put_str(&st, r->detail);
    crypto_hash_sha256_final(&st, out);
}

void audit_verify_init(struct audit_verifier *v)
{
    memset(v, 0, sizeof *v);
    v->next_seq = 1;
}

int audit_verify_step(struct audit_verifier *v, const struct audit_rec *r, const char **why)
{
    unsigned char h[AUDIT_HASH_LEN];
    if (r->seq != v->next_seq) {
        *why = r->seq > v->next_seq ? "sequence gap (a record was deleted)"
                                    : "sequence out of order (a record was inserted)";
        return RK_ECORRUPT;
    }
    if (sodium_memcmp(r->prev_hash, v->prev, AUDIT_HASH_LEN) != 0) {
        *why = "previous-hash link broken (a record before it was changed, inserted or deleted)";
        return RK_ECORRUPT;
    }
    audit_chain_hash(r, h);
    if (sodium_memcmp(h, r->hash, AUDIT_HASH_LEN) != 0) {
        *why = "record hash mismatch (the record was modified)";
        return RK_ECORRUPT;
    }
    memcpy(v->prev, r->hash, AUDIT_HASH_LEN);
    v->next_seq++;
    v->checked++;
    return RK_OK;
}

void audit_hash_hex(const unsigned char h[AUDIT_HASH_LEN], char *out)
{
    sodium_bin2hex(out, 2 * AUDIT_HASH_LEN + 1, h, AUDIT_HASH_LEN);
}
