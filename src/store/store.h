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
    STORE_W_ASSET_FILE, /* w->filing: asset filings or drafts, one submission (store_assets.c) */
    STORE_W_DELEGATION_GRANT,   /* w->delegation */
    STORE_W_DELEGATION_REVOKE,  /* target_id; user in audit.user_id */
    STORE_W_SUBMISSION_RECEIVE, /* target_id: ministry acknowledges receipt */
    STORE_W_SUBMISSION_FORWARD, /* target_id: ministry forwards to the national centre */
    STORE_W_REPORT_FILE,        /* w->report: an incident report (store_reports.c) */
    STORE_W_REPORT_ACK,         /* target_id: report, user.org_id: recipient acknowledges */
    STORE_W_ATTACHMENT_PUT,     /* w->attachment: an uploaded file */
    STORE_W_PRODUCT_CREATE,     /* w->product: a new draft analysis product (store_products.c) */
    STORE_W_PRODUCT_UPDATE,     /* target_id, expect_version, w->product: edit a draft */
    STORE_W_PRODUCT_RELEASE,    /* target_id, expect_version, w->product->user_id: release;
                                   w->deliver: the organisations it is pushed to */
    STORE_W_ADVISORY_CREATE,    /* w->advisory: a new draft (store_dissem.c) */
    STORE_W_ADVISORY_UPDATE,    /* target_id, expect_version, w->advisory: edit a draft */
    STORE_W_ADVISORY_SEND,      /* target_id, expect_version, w->advisory (user_id, direct,
                                   named: the addressees), w->deliver */
    STORE_W_INBOX_DELIVER,      /* w->deliver: relay rows (existing rows are kept) */
    STORE_W_INBOX_ACK,          /* w->deliver: kind, object_id, orgs[0], ack; audit.user_id */
    STORE_W_THREAD_CREATE,      /* w->thread */
    STORE_W_THREAD_UPDATE,      /* target_id, expect_version, w->thread: title and members */
    STORE_W_MESSAGE_POST,       /* w->message, w->deliver (object_id 0: the new message) */
};

struct asset_filing;      /* below */
struct report_filing;     /* below */
struct attachment_upload; /* below */
struct product_input;     /* below */
struct advisory_input;    /* below */
struct thread_input;      /* below */
struct message_input;     /* below */

/* Inbox rows a write creates (INSERT OR IGNORE: an organisation holds an object once). kind is
 * "advisory", "product" or "message"; object_id 0 means the row the same job created. Borrowed. */
struct inbox_delivery {
    const char *kind;
    int64_t object_id;
    const int64_t *orgs;
    size_t norgs;
    int64_t relayed_from; /* the relaying organisation, 0: sent by the originator */
    int64_t relayed_by;   /* its user */
    const char *ack;      /* INBOX_ACK: "read" | "actioned" | "not_applicable" */
};

struct delegation_rec {
    int64_t id;
    int64_t operator_org, vendor_org;
    int64_t granted_by, granted_ms, revoked_by, revoked_ms; /* revoked_ms 0: active */
    char note[STORE_TEXT_MAX];
};

struct store_write {
    enum store_wop op;
    /* inputs (which ones depends on op) */
    struct org_rec org;
    struct user_rec user;
    struct token_rec token;
    struct session_rec session;
    struct delegation_rec delegation;
    struct asset_filing *filing;          /* ASSET_FILE: owned by whoever owns the job */
    struct report_filing *report;         /* REPORT_FILE: likewise */
    struct attachment_upload *attachment; /* ATTACHMENT_PUT: likewise */
    struct product_input *product;        /* PRODUCT_*: likewise */
    struct advisory_input *advisory;      /* ADVISORY_*: likewise */
    struct thread_input *thread;          /* THREAD_*: likewise */
    struct message_input *message;        /* MESSAGE_POST: likewise */
    struct inbox_delivery deliver;        /* see the ops above; out_count: rows inserted */
    unsigned char secret_hash[crypto_generichash_BYTES]; /* token/session credential hash */
    int64_t target_id;                                   /* updates, revocations */
    int64_t expect_version; /* ORG_UPDATE: optimistic concurrency, 0 = don't check */
    int max_failures;       /* LOGIN_FAILED */
    int64_t lock_ms;        /* LOGIN_FAILED */
    struct audit_entry audit;
    /* outputs */
    int rc;             /* RK_OK, RK_ECONFLICT (conflict_field says which), RK_ENOTFOUND, RK_EIO */
    int64_t out_id;     /* the created row */
    int64_t out_count;  /* rows a delivery inserted */
    char out_ident[32]; /* ADVISORY_CREATE: the series' identification number */
    int64_t out_number; /* ADVISORY_CREATE: 第N報 */
    char conflict_field[64]; /* JSON Pointer of the field that conflicts, e.g. "/username" */
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

/* ---- the asset registry (migration 0002; store_assets.c) ---------------------------------- */

enum asset_op_kind {
    ASSET_OP_NEW = 0, /* a new computer entry */
    ASSET_OP_CHANGE,  /* a new version of a live entry */
    ASSET_OP_RETIRE,  /* the retirement version */
};

/* One operation of a filing. The job reads the strings and canon; it owns none of them. */
struct asset_op {
    enum asset_op_kind kind;
    int64_t asset_id;    /* CHANGE/RETIRE (and NEW filing an existing draft); 0: a new row */
    int64_t expect_head; /* the head_version the diff was computed against (conflict check) */
    const char *ref;
    const json_t *canon;     /* canonical entry (asset.h): products are read from it */
    const char *body;        /* its canonical dump */
    const char *changes;     /* field-level diff from the head version, JSON array text */
    unsigned categories;     /* bit 0 = A */
    char deadline[11];       /* "" when it cannot be computed */
    int64_t expect_draft_ms; /* filing a draft: the draft_ms read (an edit since: conflict) */
};

/* A filing: ops filed as one submission, or (draft) recorded as pending drafts without one. */
struct asset_filing {
    int64_t org_id;        /* the operator */
    int64_t filed_by_user; /* the person */
    int64_t filed_by_org;  /* the operator, or a vendor */
    int64_t delegation_id; /* the vendor's delegation (checked active in the transaction); 0 */
    bool inventory;        /* submission kind "inventory" (else "single") */
    bool draft;            /* record as drafts: no submission, no version */
    struct asset_op *ops;  /* owned by the filing's creator */
    size_t nops;
    /* outputs */
    int64_t submission_id;
    size_t bad_op; /* the op a conflict was found at */
};

/* The index row of a computer entry with its newest filed version. String members point
 * into memory owned by the store and are valid only during a callback, or owned by the caller
 * after asset_get (free with store_asset_rec_free). */
struct asset_rec {
    int64_t id, org_id;
    char *ref;
    int64_t created_ms;
    int64_t head_version; /* 0: a draft only */
    bool live;
    unsigned categories;
    /* the head version (when head_version > 0) */
    int64_t version_id, submission_id, valid_from_ms, filed_by_org;
    char kind[8];      /* "new", "change", "retire" */
    char deadline[11]; /* "" unknown */
    char filed_on[11];
    bool late;
    char *body; /* canonical JSON text; NULL without a filed version */
    /* the pending draft */
    char draft_kind[8]; /* "" none */
    char draft_deadline[11];
    int64_t draft_ms, draft_by_org;
    char *draft_body; /* NULL without a draft */
};

struct asset_version_rec {
    int64_t id, asset_id, version, submission_id, filed_by_org, valid_from_ms;
    char kind[8];
    char deadline[11];
    char filed_on[11];
    bool late;
    const char *body;    /* valid during the callback only */
    const char *changes; /* valid during the callback only */
};

struct submission_rec {
    int64_t id, org_id, filed_by_user, filed_by_org, delegation_id;
    bool inventory;
    int64_t filed_ms, ministry_received_ms, ministry_received_by, nc_notified_ms, nc_notified_by;
    int64_t added, changed, retired;
};

/* Zero/empty members mean "no filter". */
struct asset_filter {
    int64_t org_id;
    uint64_t sectors;           /* owner organisation's sectors intersect these */
    unsigned categories;        /* the head version has any of these categories */
    const char *product;        /* substring (case-insensitive ASCII) of a product name,
                                   manufacturer or CPE of the head version */
    const char *overdue_before; /* "YYYY-MM-DD": a pending draft with deadline < this */
    bool include_retired;
    int64_t vendor_org; /* delegated or filed by this vendor (a vendor's own listing) */
    bool no_bodies;     /* leave body and draft_body NULL (counting, status pages) */
};

/* Filing-status rows: one per organisation with counts, computed by the store. */
struct filing_counts {
    int64_t org_id;
    int64_t live, retired, versions, filed_late, drafts;
    int64_t drafts_overdue, drafts_due, drafts_unknown; /* against `today` and the window */
};

typedef bool (*store_asset_cb)(const struct asset_rec *r, void *ctx);
typedef bool (*store_asset_version_cb)(const struct asset_version_rec *r, void *ctx);
typedef bool (*store_submission_cb)(const struct submission_rec *r, void *ctx);
typedef bool (*store_delegation_cb)(const struct delegation_rec *r, void *ctx);
typedef bool (*store_filing_cb)(const struct filing_counts *r, void *ctx);

void store_asset_rec_free(struct asset_rec *r);

/* ---- incident reports (migration 0004; store_reports.c) ---------------------------------- */

#define STORE_MAX_RECIPIENTS 16
#define STORE_IDENT_MAX 24

/* A report to file: the first report of a new incident (incident_id 0) or the next report of
 * one. The job reads the strings and arrays; it owns none of them. */
struct report_filing {
    int64_t incident_id;   /* 0: a new incident (its identification number is assigned) */
    int64_t expect_number; /* follow-up: the latest number the caller diffed against */
    /* incident (new incident only) */
    int64_t reporter_org, relay_org;
    bool anonymised;
    const char *form;
    uint64_t sectors;
    const int64_t *recipients; /* the ministries of the sectors, then the national centre */
    const char *const *recipient_roles; /* "ministry" | "national_centre" */
    size_t nrecipients;
    /* incident state after this report */
    int64_t aware_ms;
    const char *hosting, *awareness_source, *event_class;
    const char *detailed_due; /* "" unknown */
    int64_t detailed_due_ms, quick_target_ms;
    unsigned categories;
    const char *reportable, *reason, *status;
    const int64_t *assets; /* linked registered computers (replaces the incident's list) */
    size_t nassets;
    /* the report */
    const char *kind, *severity;
    int form_version;
    enum pol_tlp tlp;
    unsigned opt_out;
    int64_t filed_by_user, filed_by_org;
    const char *body, *changes;
    const int64_t *attachments; /* listed on this report: staged by filed_by_org, or already
                                   bound to this incident */
    const char *const *attachment_groups;
    size_t nattachments;
    /* outputs */
    int64_t out_incident_id, out_report_id, out_number, out_filed_ms;
    char out_ident[STORE_IDENT_MAX];
};

#define STORE_STAGED_MAX 200          /* files an organisation uploaded that no report lists yet */
#define STORE_INCIDENT_FILES_MAX 1000 /* files of one incident */

struct attachment_upload {
    int64_t incident_id; /* 0: staged until a report lists it */
    int64_t org_id, user_id;
    const char *name, *media_type, *role;
    const char *sha256; /* hex */
    const void *content;
    size_t size;
    const char *indicators; /* JSON text or NULL */
};

struct incident_rec {
    int64_t id;
    char ident[STORE_IDENT_MAX];
    int64_t reporter_org, relay_org;
    enum pol_org_type reporter_type;
    bool anonymised;
    char form[16];
    uint64_t sectors;
    int64_t recipients[STORE_MAX_RECIPIENTS];
    size_t nrecipients;
    enum pol_tlp tlp;
    char severity[12], status[8];
    int64_t reports, created_ms, updated_ms, aware_ms;
    char hosting[16], awareness_source[16], event_class[12];
    char detailed_due[11];
    int64_t detailed_due_ms, quick_target_ms, quick_ms, detailed_ms;
    unsigned categories;
    char reportable[12], reason[32];
};

/* A report; body and changes are heap strings after report_get (store_report_rec_free), NULL in
 * listings. */
struct report_rec {
    int64_t id, incident_id, number;
    char kind[12], form[16], severity[12];
    int form_version;
    enum pol_tlp tlp;
    unsigned opt_out;
    int64_t filed_by_user, filed_by_org, filed_ms;
    char *body, *changes;
};

struct route_rec {
    int64_t report_id, org_id, received_ms, acked_ms, acked_by;
    char role[16];
};

struct attachment_rec {
    int64_t id, incident_id, org_id, user_id, size, created_ms;
    int64_t advisory_id; /* the advisory it is an annex of (attachment_get/content), 0: none */
    char name[STORE_NAME_MAX], media_type[128], role[24], sha256[65], grp[32];
    const char *indicators; /* valid during the callback / until the next call; may be NULL */
};

/* Zero/empty members mean "no filter". */
struct incident_filter {
    int64_t reporter_org;
    uint64_t sectors; /* intersect */
    const char *form, *status;
    const char *overdue_before; /* "YYYY-MM-DD": no detailed report and due before this */
    int64_t from_ms, to_ms;     /* created in [from, to) */
    const char *ident;          /* the identification number (識別番号) */
};

typedef bool (*store_incident_cb)(const struct incident_rec *r, void *ctx);
typedef bool (*store_report_cb)(const struct report_rec *r, void *ctx);
typedef bool (*store_route_cb)(const struct route_rec *r, void *ctx);
typedef bool (*store_attachment_cb)(const struct attachment_rec *r, void *ctx);
typedef bool (*store_blob_cb)(const struct attachment_rec *r, const void *data, size_t len,
                              void *ctx);

void store_report_rec_free(struct report_rec *r);

/* ---- analysis products (migration 0005; store_products.c) -------------------------------- */

/* What a product write carries. CREATE uses every member; UPDATE tlp, sectors, title, body,
 * labels (the full new state of the draft); RELEASE only user_id. Strings are borrowed. */
struct product_input {
    enum pol_tier tier;
    int64_t parent_id; /* 0: not derived */
    int64_t owner_org; /* the national centre */
    enum pol_tlp tlp;
    uint64_t sectors;
    const char *title;
    const char *body;   /* JSON text */
    const char *labels; /* JSON text: an object pointer → [label…] */
    int64_t user_id;
};

/* A product. body and labels are heap strings after product_get (store_product_rec_free), and
 * valid only during the callback in listings. */
struct product_rec {
    int64_t id, parent_id, owner_org;
    enum pol_tier tier;
    bool released; /* else a draft */
    enum pol_tlp tlp;
    uint64_t sectors;
    char title[STORE_NAME_MAX];
    char *body, *labels;
    int64_t created_ms, created_by, updated_ms, released_ms, released_by, version;
};

/* Zero/NULL members mean "no filter". */
struct product_filter {
    enum pol_tier tier; /* POL_TIER_NONE: any */
    const char *status; /* "draft" | "released" */
};

typedef bool (*store_product_cb)(const struct product_rec *r, void *ctx);
void store_product_rec_free(struct product_rec *r);

/* ---- dissemination (migration 0006; store_dissem.c) ---------------------------------------- */

/* An advisory write. CREATE uses every member (follows_id 0: a new series, its ident assigned
 * by the job; else the next 第N報 of the series of a SENT advisory follows_id, RK_ECONFLICT
 * "/follows" otherwise); UPDATE the draft's new state (tlp..agreement, sender_org for the
 * attachments' owner, attachments); SEND user_id, direct and named (the addressees, stored).
 * Strings are borrowed; body/labels/named are JSON text. */
struct advisory_input {
    int64_t follows_id;
    int64_t sender_org;
    enum pol_tlp tlp;
    const char *severity; /* "" when none */
    uint64_t sectors;
    const char *named; /* JSON array of org ids */
    const char *title;
    const char *body;
    const char *labels;
    int64_t source_incident, source_report;
    const char *agreement; /* JSON object text or "" */
    int64_t user_id;
    bool direct;
    /* CREATE/UPDATE: the annex files the draft lists (its whole list: files dropped from it
     * are released). Each must be staged by sender_org or bound to this advisory already, else
     * RK_ECONFLICT "/answers/content/attachments/<i>". */
    const int64_t *attachments;
    size_t nattachments;
};

/* An advisory. Heap strings after advisory_get (store_advisory_rec_free); valid only during the
 * callback in listings. held: the filter's org holds an inbox row for it (listings only). */
struct advisory_rec {
    int64_t id, follows_id, sender_org;
    char ident[32];
    int64_t number;
    bool sent, direct, held;
    enum pol_tlp tlp;
    char severity[16];
    uint64_t sectors;
    char title[STORE_NAME_MAX];
    char *body, *labels, *named, *agreement;
    int64_t source_incident, source_report;
    int64_t created_ms, created_by, updated_ms, sent_ms, sent_by, version;
};
struct advisory_filter {
    const char *status; /* "draft" | "sent" | NULL */
    const char *ident;  /* one series */
    int64_t held_by;    /* sets rec.held for this organisation; with only_held, only those
                           (and the sent TLP:CLEAR ones, which everyone may read) */
    bool only_held;
};
typedef bool (*store_advisory_cb)(const struct advisory_rec *r, void *ctx);
void store_advisory_rec_free(struct advisory_rec *r);

struct inbox_rec {
    int64_t id, org_id, object_id, delivered_ms, relayed_from, relayed_by, ack_ms, ack_by;
    char kind[12];
    char ack[16]; /* "" when not acknowledged */
};
struct inbox_filter {
    const char *kind; /* NULL: any */
    bool unacked;
};
typedef bool (*store_inbox_cb)(const struct inbox_rec *r, void *ctx);

#define STORE_MAX_MEMBERS 500 /* organisations in one working group */
struct thread_input {
    int64_t owner_org;
    bool group;
    const char *title;
    const int64_t *members; /* the full member list (not the owner) */
    size_t nmembers;
    int64_t user_id;
};
struct thread_rec {
    int64_t id, owner_org;
    bool group;
    char title[STORE_NAME_MAX];
    int64_t created_ms, created_by, updated_ms, version;
    int64_t members[STORE_MAX_MEMBERS]; /* thread_get only; ascending */
    size_t nmembers;
};
typedef bool (*store_thread_cb)(const struct thread_rec *r, void *ctx);

struct message_input {
    int64_t thread_id, sender_org, sender_user;
    enum pol_tlp tlp;
    unsigned labels;
    const char *body;
};
struct message_rec {
    int64_t id, thread_id, sender_org, sender_user, created_ms;
    enum pol_tlp tlp;
    unsigned labels;
    const char *body; /* valid during the callback; message_get: heap (free it) */
};
typedef bool (*store_message_cb)(const struct message_rec *r, void *ctx);

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
    /* Assets. asset_get fills *out with heap strings (store_asset_rec_free). */
    int (*asset_get)(struct store *s, int64_t id, struct asset_rec *out);
    int (*asset_list)(struct store *s, const struct asset_filter *f, int64_t after,
                      store_asset_cb cb, void *ctx);
    /* Versions of one asset, oldest first; as_of_ms > 0: only those valid at that time. */
    int (*asset_versions)(struct store *s, int64_t asset_id, int64_t as_of_ms,
                          store_asset_version_cb cb, void *ctx);
    /* Has org filed any version of the asset? */
    int (*asset_filed_by)(struct store *s, int64_t asset_id, int64_t org_id, bool *out);
    int (*submission_get)(struct store *s, int64_t id, struct submission_rec *out);
    int (*submission_list)(struct store *s, int64_t org_id, int64_t after, store_submission_cb cb,
                           void *ctx);
    int (*delegation_get)(struct store *s, int64_t id, struct delegation_rec *out);
    /* The active delegation from operator to vendor: RK_OK with *out, or RK_ENOTFOUND. */
    int (*delegation_active)(struct store *s, int64_t operator_org, int64_t vendor_org,
                             struct delegation_rec *out);
    /* org_id: delegations where it is operator or vendor (0: all). */
    int (*delegation_list)(struct store *s, int64_t org_id, int64_t after, store_delegation_cb cb,
                           void *ctx);
    /* Per-organisation counts for organisations with at least one asset row, ascending org id,
     * starting after `after_org` (0: all); org_id != 0: that organisation only. `today` and
     * `due_from` ("YYYY-MM-DD": today + due window) classify pending drafts. */
    int (*filing_counts)(struct store *s, int64_t org_id, int64_t after_org, const char *today,
                         const char *due_from, store_filing_cb cb, void *ctx);
    /* Incident reports. */
    int (*incident_get)(struct store *s, int64_t id, struct incident_rec *out);
    int (*incident_list)(struct store *s, const struct incident_filter *f, int64_t after,
                         store_incident_cb cb, void *ctx);
    /* report_get: number 0 = the latest; heap body/changes (store_report_rec_free). */
    int (*report_get)(struct store *s, int64_t incident_id, int64_t number, struct report_rec *out);
    int (*report_list)(struct store *s, int64_t incident_id, store_report_cb cb, void *ctx);
    int (*report_routes)(struct store *s, int64_t report_id, store_route_cb cb, void *ctx);
    int (*incident_assets)(struct store *s, int64_t incident_id, int64_t *ids, size_t cap,
                           size_t *n);
    /* report_id > 0: the attachments listed on that report; else incident_id > 0: every
     * attachment of the incident. */
    int (*attachment_list)(struct store *s, int64_t incident_id, int64_t report_id,
                           store_attachment_cb cb, void *ctx);
    int (*attachment_get)(struct store *s, int64_t id, struct attachment_rec *out);
    int (*attachment_content)(struct store *s, int64_t id, store_blob_cb cb, void *ctx);
    /* Where a report on these sectors goes: the national centre and the ministries covering
     * any of them, ascending id, at most cap. */
    int (*report_recipients)(struct store *s, uint64_t sectors, int64_t *ids,
                             enum pol_org_type *types, size_t cap, size_t *n);
    /* Analysis products; product_get fills heap strings (store_product_rec_free). A product
     * write failing on a released row or a stale version is RK_ECONFLICT with conflict_field
     * "/status" or "/version". */
    int (*product_get)(struct store *s, int64_t id, struct product_rec *out);
    int (*product_list)(struct store *s, const struct product_filter *f, int64_t after,
                        store_product_cb cb, void *ctx);
    /* Dissemination. A write on a sent advisory or a stale version is RK_ECONFLICT "/status"
     * or "/version". */
    int (*advisory_get)(struct store *s, int64_t id, struct advisory_rec *out);
    int (*advisory_list)(struct store *s, const struct advisory_filter *f, int64_t after,
                         store_advisory_cb cb, void *ctx);
    /* Candidates for the public feed, newest first, at most limit: sent TLP:CLEAR advisories;
     * released TLP:CLEAR publication-tier products. The caller still asks policy.h. */
    int (*advisory_public)(struct store *s, int limit, store_advisory_cb cb, void *ctx);
    int (*product_public)(struct store *s, int limit, store_product_cb cb, void *ctx);
    /* The inbox row of org for an object: RK_OK with *out, or RK_ENOTFOUND. */
    int (*inbox_get)(struct store *s, const char *kind, int64_t object_id, int64_t org_id,
                     struct inbox_rec *out);
    /* An organisation's inbox, newest first: ids below `before` (0: from the newest). */
    int (*inbox_list)(struct store *s, int64_t org_id, const struct inbox_filter *f, int64_t before,
                      store_inbox_cb cb, void *ctx);
    /* Every row of one object (the sender's view), ascending id after `after`. */
    int (*inbox_of_object)(struct store *s, const char *kind, int64_t object_id, int64_t after,
                           store_inbox_cb cb, void *ctx);
    /* The annex files bound to an advisory, ascending id. */
    int (*advisory_attachments)(struct store *s, int64_t advisory_id, store_attachment_cb cb,
                                void *ctx);
    int (*thread_get)(struct store *s, int64_t id, struct thread_rec *out);
    /* Threads (group: 0 one-to-one, 1 groups, -1 both) owned by org or having it as a member
     * (org 0: all), ascending id. Members are not filled. */
    int (*thread_list)(struct store *s, int64_t org_id, int group, int64_t after,
                       store_thread_cb cb, void *ctx);
    int (*message_list)(struct store *s, int64_t thread_id, int64_t after, store_message_cb cb,
                        void *ctx);
    /* message_get: out->body is heap (free((char *)out->body)). */
    int (*message_get)(struct store *s, int64_t id, struct message_rec *out);
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
