/*
 * audit_chain.h — the hash chain that makes the audit trail tamper-evident.
 *
 * Each record stores the SHA-256 of the previous record (prev_hash) and its own hash, computed
 * over a canonical, length-prefixed encoding of prev_hash and every content field. Sequence
 * numbers are consecutive from 1. Hence:
 *   - a modified record no longer matches its own hash;
 *   - a deleted record leaves a sequence gap and a prev_hash that points at nothing;
 *   - an inserted record breaks the prev_hash link of the record after it.
 * Deleting the newest records cannot be seen from the chain alone; the store keeps the head
 * (seq, hash) in a separate row so that truncation is caught too (see store_sqlite.c).
 *
 * Pure: no I/O. Uses libsodium's SHA-256 (sodium_init() must have been called).
 */
#ifndef AUDIT_CHAIN_H
#define AUDIT_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#define AUDIT_HASH_LEN 32

struct audit_rec {
    int64_t seq;   /* 1, 2, 3, ... */
    int64_t ts_ms; /* Unix time in milliseconds (UTC) */
    int64_t user_id;
    int64_t org_id;
    const char *action;     /* e.g. "org.create", "login", "login.failed", "token.use" */
    const char *object;     /* e.g. "org:12", "" when none */
    const char *request_id; /* "" for CLI actions */
    const char *detail;     /* compact JSON text, "{}" when none */
    unsigned char prev_hash[AUDIT_HASH_LEN];
    unsigned char hash[AUDIT_HASH_LEN];
};

/* Computes the hash of r (from r->prev_hash and the content fields) into out. NULL strings
 * hash as empty strings. */
void audit_chain_hash(const struct audit_rec *r, unsigned char out[AUDIT_HASH_LEN]);

/* Walks a chain one record at a time. */
struct audit_verifier {
    int64_t next_seq;
    unsigned char prev[AUDIT_HASH_LEN];
    int64_t checked;
};

void audit_verify_init(struct audit_verifier *v);

/* Checks r as the next record. Returns 0, or RK_ECORRUPT and sets *why to a static
 * description ("sequence gap", "previous-hash link broken", "record hash mismatch"). */
int audit_verify_step(struct audit_verifier *v, const struct audit_rec *r, const char **why);

/* Lower-case hex of a hash; out must hold 2*AUDIT_HASH_LEN+1 bytes. */
void audit_hash_hex(const unsigned char h[AUDIT_HASH_LEN], char *out);

#endif
