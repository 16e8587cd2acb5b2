/*
 * store.h — the storage interface. Only src/store/ speaks SQL.
 *
 * A backend (SQLite today: store_sqlite.c; PostgreSQL later) fills a struct store_ops.
 * Handlers and the CLI call through the table and never see the backend.
 *
 * Reads are synchronous and may run on any thread (the SQLite backend keeps one read
 * connection per thread). Writes are jobs (struct store_write) handed to the backend's single
 * writer, which commits many jobs in one transaction (group commit: one fsync for the batch)
 * and then calls each job's done() from the writer thread. The audit chain's head is read
 * inside each batch's transaction, so other processes (the CLI) may write to the same store. A job
 * either commits completely, together with its audit record, or not at all; a failed job does not
 * affect the others in its batch. store_write_sync() is the blocking form for the CLI and tests.
 *
 * Records use fixed-size, NUL-terminated buffers sized above the API's validation limits, so
 * a record owns no heap memory and needs no free function.
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "domain/audit_chain.h"
#include "domain/policy.h"

#define STORE_NAME_MAX 801 /* 200 code points of UTF-8, + NUL */
#define STORE_TEXT_MAX 2049
#define STORE_USERNAME_MAX 65
#define STORE_PWHASH_MAX 128
#define STORE_CODE_MAX 33
#define STORE_LIST_MAX 1000 /* the largest page any list returns */

struct org_rec {
    int64_t id;
    enum pol_org_type type;
    char name_ja[STORE_NAME_MAX];
    char name_en[STORE_NAME_MAX];
    char corporate_number[14];     /* "" when none */
    uint64_t sectors;              /* for a ministry: the sectors it covers */
    char ministry[STORE_CODE_MAX]; /* ministries: code in data/ministries.json */
    enum pol_council council;
    char council_consent_date[11]; /* YYYY-MM-DD or "" */
    char confidentiality_agreement[STORE_TEXT_MAX];
    bool designated;
    int64_t created_ms, updated_ms;
    int64_t version;
};

struct user_rec {
    int64_t id;
    int64_t org_id;
    char username[STORE_USERNAME_MAX];
    char display_name[STORE_NAME_MAX];
    char pw_hash[STORE_PWHASH_MAX]; /* argon2id string; "" when listing */
    unsigned roles;
    bool contractor;
    bool disabled;
    int failed_logins;
    int64_t locked_until_ms;
    int64_t created_ms, updated_ms;
};

struct token_rec {
    int64_t id;
    int64_t user_id;
    char name[STORE_NAME_MAX];
    unsigned roles;
    int64_t created_ms, expires_ms, revoked_ms; /* revoked_ms 0: active */
};

struct session_rec {
    int64_t id;
    int64_t user_id;
    char csrf[64];
    int64_t created_ms, expires_ms;
};

/* Who is asking, as resolved from a credential. */
struct auth_ctx {
    struct user_rec user;
    struct org_rec org;
    int64_t session_id; /* one of these two is set */
    int64_t token_id;
    char csrf[64];  /* session only */
    unsigned roles; /* effective: a token's roles ∩ its user's roles */
};

/* Audit content for the record appended with a write; action NULL = no record. When
 * object_kind is set and object_id is 0, the id of the row the job created is used. */
struct audit_entry {
    int64_t user_id;
    int64_t org_id;
    char action[48];
    char object_kind[24];
    int64_t object_id;
    char request_id[40];
    char detail[1024]; /* compact JSON; "" = {} */
};

enum store_wop {
    STORE_W_ORG_CREATE = 1,
    STORE_W_ORG_UPDATE, /* full replacement of the mutable fields; checks version */
    STORE_W_USER_CREATE,
    STORE_W_USER_UPDATE, /* display_name, roles, contractor, disabled */
    STORE_W_USER_PASSWORD,
    STORE_W_LOGIN_OK,     /* resets failures, creates the session in `session` */
    STORE_W_LOGIN_FAILED, /* counts a failure; locks for lock_ms after max_failures */
    STORE_W_SESSION_REVOKE,
    STORE_W_TOKEN_CREATE,
    STORE_W_TOKEN_REVOKE,
    STORE_W_AUDIT_ONLY, /* just the audit record (reads of RED data, token use, exports) */
};

struct store_write {
    enum store_wop op;
    /* inputs (which ones depends on op) */
    struct org_rec org;
    struct user_rec user;
    struct token_rec token;
    struct session_rec session;
    unsigned char secret_hash[crypto_generichash_BYTES]; /* token/session credential hash */
    int64_t target_id;                                   /* updates, revocations */
    int64_t expect_version; /* ORG_UPDATE: optimistic concurrency, 0 = don't check */
    int max_failures;       /* LOGIN_FAILED */
    int64_t lock_ms;        /* LOGIN_FAILED */
    struct audit_entry audit;
    /* outputs */
    int rc;         /* RK_OK, RK_ECONFLICT (conflict_field says which), RK_ENOTFOUND, RK_EIO */
    int64_t out_id; /* the created row */
    char conflict_field[48]; /* JSON Pointer of the field that conflicts, e.g. "/username" */
    bool locked;             /* LOGIN_FAILED: the account is now locked */
    /* completion: called on the writer thread after the batch committed (or failed) */
    void (*done)(struct store_write *w);
    void *ctx;
    struct store_write *next; /* backend-private queue link */
};

/* Filters for listings. Zero means "no filter". Iteration is in ascending id/seq order
 * starting after `after`; the callback returns true to continue, false to stop. */
struct audit_filter {
    int64_t org_id;
    int64_t user_id;
    int64_t after_seq;
    const char *action; /* exact match, NULL = any */
};

typedef bool (*store_org_cb)(const struct org_rec *r, void *ctx);
typedef bool (*store_user_cb)(const struct user_rec *r, void *ctx);
typedef bool (*store_token_cb)(const struct token_rec *r, void *ctx);
typedef bool (*store_audit_cb)(const struct audit_rec *r, void *ctx);

/* Group-commit latency histogram: upper bounds in microseconds, the last bucket is +Inf. */
#define STORE_HIST_N 11
#define STORE_HIST_BOUNDS_US                                                                       \
    {                                                                                              \
        250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000                              \
    }

struct store_stats {
    uint64_t batches, jobs, commit_ns_total, max_batch;
    uint64_t queue_depth;
    uint64_t commit_hist[STORE_HIST_N]; /* batches per bucket (not cumulative) */
};

struct store;

struct store_ops {
    const char *name;
    void (*close)(struct store *s);
    int (*submit)(struct store *s, struct store_write *w);

    int (*org_get)(struct store *s, int64_t id, struct org_rec *out);
    int (*org_list)(struct store *s, int64_t after, store_org_cb cb, void *ctx);
    int (*user_get)(struct store *s, int64_t id, struct user_rec *out);
    int (*user_by_name)(struct store *s, const char *username, struct user_rec *out);
    int (*user_list)(struct store *s, int64_t org_id, int64_t after, store_user_cb cb, void *ctx);
    int (*token_get)(struct store *s, int64_t id, struct token_rec *out);
    int (*token_list)(struct store *s, int64_t user_id, int64_t org_id, int64_t after,
                      store_token_cb cb, void *ctx);
    /* Resolve a credential hash; expired/revoked/disabled → RK_EAUTH. */
    int (*auth_session)(struct store *s, const unsigned char *hash, int64_t now_ms,
                        struct auth_ctx *out);
    int (*auth_token)(struct store *s, const unsigned char *hash, int64_t now_ms,
                      struct auth_ctx *out);
    int (*audit_list)(struct store *s, const struct audit_filter *f, store_audit_cb cb, void *ctx);
    /* Walks the whole chain, checking it; on RK_ECORRUPT *bad_seq names the first bad record
     * (or the head row) and why is set. */
    int (*audit_verify)(struct store *s, int64_t *checked, int64_t *bad_seq, const char **why);
    int (*ping)(struct store *s);
    void (*stats)(struct store *s, struct store_stats *out);
};

struct store {
    const struct store_ops *ops;
};

struct store_sqlite_opts {
    const char *path;           /* database file */
    const char *migrations_dir; /* directory of NNNN_name.sql files */
    int max_batch;              /* jobs per group commit, default 1024 */
    bool sync_full;             /* fsync on every commit (default true: durable) */
};

/* Opens (creating and migrating when needed) and starts the writer thread. On success
 * *out is owned by the caller: close with s->ops->close(s). err receives a message. */
int store_sqlite_open(const struct store_sqlite_opts *o, struct store **out, char *err,
                      size_t errlen);

/* Submits w and waits for its completion; returns w->rc. w->done/ctx are overwritten. */
int store_write_sync(struct store *s, struct store_write *w);

/* Milliseconds since the Unix epoch (wall clock). */
int64_t store_now_ms(void);

/* Fills an audit entry's principal and action fields; object_kind may be NULL. */
void store_audit_set(struct audit_entry *a, int64_t user_id, int64_t org_id, const char *action,
                     const char *object_kind, int64_t object_id, const char *request_id);

#endif
