/*
 * sq_internal.h — what the SQLite backend's files share (store_sqlite.c, store_assets.c).
 * Private to src/store/: nothing outside includes it.
 */
#ifndef SQ_INTERNAL_H
#define SQ_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"

#define SQ_NSTMT 40 /* >= the statement count of store_sqlite.c */
/* ext[] slots: store_assets.c 0..39, store_reports.c 40..79, store_products.c 80..95,
 * store_dissem.c 96.. */
#define SQ_EXT_MAX 128
#define SQ_EXT_DISSEM 96   /* first slot of store_dissem.c */
#define SQ_EXT_REPORTS 40  /* first slot of store_reports.c */
#define SQ_EXT_PRODUCTS 80 /* first slot of store_products.c */

struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *st[SQ_NSTMT];
    sqlite3_stmt *ext[SQ_EXT_MAX]; /* statements of the other store_*.c files */
    struct sq_conn *next;          /* registry of read connections, closed by sq_close */
};

struct sq_store {
    struct store base;
    char *path;
    int max_batch;
    bool sync_full;
    struct sq_conn w; /* writer connection: used only by the writer thread */
    pthread_t writer;
    pthread_mutex_t mu; /* guards the queue, stop, stats and the reader registry */
    pthread_cond_t cv;
    struct store_write *qhead, *qtail;
    size_t qlen;
    bool stop;
    pthread_key_t reader_key;
    struct sq_conn *readers;
    /* chain head, touched only by the writer thread after open */
    int64_t head_seq;
    unsigned char head_hash[AUDIT_HASH_LEN];
    struct store_stats stats;
};

/* The cached statement for slot `slot` of ext[], prepared from sql on first use, reset and
 * unbound; NULL on a preparation error. */
sqlite3_stmt *sq_ext(struct sq_conn *c, int slot, const char *sql);
/* The calling thread's read connection, opened on first use; NULL on failure. */
struct sq_conn *sq_reader(struct sq_store *s);
void sq_col_text(sqlite3_stmt *st, int i, char *buf, size_t cap);
void sq_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Steps once: RK_OK on DONE/ROW, RK_ECONFLICT on a constraint, else RK_EIO. */
int sq_step_done(sqlite3_stmt *st);
/* Names the field a write conflicts on (w->conflict_field). */
void sq_conflict(struct store_write *w, const char *field);
/* Why an UPDATE of a draft (WHERE id, version and status = 'draft') matched nothing, from
 * state_st (prepared "SELECT status … WHERE id = ?1"; NULL: RK_EIO): RK_ENOTFOUND when the row
 * is gone, RK_ECONFLICT with "/status" when it is in final_status (released, sent), else
 * "/version". */
int sq_why_unchanged(struct store_write *w, sqlite3_stmt *state_st, const char *final_status);

/* Writer jobs and reads of store_assets.c. */
int sq_job_asset_file(struct sq_store *s, struct store_write *w);
int sq_job_delegation(struct sq_store *s, struct store_write *w);
int sq_job_submission(struct sq_store *s, struct store_write *w);
int sq_asset_get(struct store *base, int64_t id, struct asset_rec *out);
int sq_asset_list(struct store *base, const struct asset_filter *f, int64_t after,
                  store_asset_cb cb, void *ctx);
int sq_asset_versions(struct store *base, int64_t asset_id, int64_t as_of_ms,
                      store_asset_version_cb cb, void *ctx);
int sq_asset_filed_by(struct store *base, int64_t asset_id, int64_t org_id, bool *out);
int sq_submission_get(struct store *base, int64_t id, struct submission_rec *out);
int sq_submission_list(struct store *base, int64_t org_id, int64_t after, store_submission_cb cb,
                       void *ctx);
int sq_delegation_get(struct store *base, int64_t id, struct delegation_rec *out);
int sq_delegation_active(struct store *base, int64_t operator_org, int64_t vendor_org,
                         struct delegation_rec *out);
int sq_delegation_list(struct store *base, int64_t org_id, int64_t after, store_delegation_cb cb,
                       void *ctx);
/* store_reports.c */
int sq_job_report_file(struct sq_store *s, struct store_write *w);
int sq_job_report_ack(struct sq_store *s, struct store_write *w);
int sq_job_attachment_put(struct sq_store *s, struct store_write *w);
int sq_incident_get(struct store *base, int64_t id, struct incident_rec *out);
int sq_incident_list(struct store *base, const struct incident_filter *f, int64_t after,
                     store_incident_cb cb, void *ctx);
int sq_report_get(struct store *base, int64_t incident_id, int64_t number, struct report_rec *out);
int sq_report_list(struct store *base, int64_t incident_id, store_report_cb cb, void *ctx);
int sq_report_routes(struct store *base, int64_t report_id, store_route_cb cb, void *ctx);
int sq_incident_assets(struct store *base, int64_t incident_id, int64_t *ids, size_t cap,
                       size_t *n);
int sq_attachment_list(struct store *base, int64_t incident_id, int64_t report_id,
                       store_attachment_cb cb, void *ctx);
int sq_attachment_get(struct store *base, int64_t id, struct attachment_rec *out);
int sq_report_recipients(struct store *base, uint64_t sectors, int64_t *ids,
                         enum pol_org_type *types, size_t cap, size_t *n);
int sq_attachment_content(struct store *base, int64_t id, store_blob_cb cb, void *ctx);
int sq_advisory_attachments(struct store *base, int64_t advisory_id, store_attachment_cb cb,
                            void *ctx);
/* store_products.c */
int sq_job_product(struct sq_store *s, struct store_write *w);
int sq_product_get(struct store *base, int64_t id, struct product_rec *out);
int sq_product_list(struct store *base, const struct product_filter *f, int64_t after,
                    store_product_cb cb, void *ctx);
int sq_product_public(struct store *base, int limit, store_product_cb cb, void *ctx);

/* store_dissem.c */
/* Inserts the inbox rows of d for object_id (INSERT OR IGNORE); *inserted counts new rows. */
int sq_deliver(struct sq_store *s, const struct inbox_delivery *d, int64_t object_id, int64_t now,
               int64_t *inserted);
int sq_job_advisory(struct sq_store *s, struct store_write *w);
int sq_job_inbox(struct sq_store *s, struct store_write *w);
int sq_job_thread(struct sq_store *s, struct store_write *w);
int sq_job_message(struct sq_store *s, struct store_write *w);
int sq_advisory_get(struct store *base, int64_t id, struct advisory_rec *out);
int sq_advisory_list(struct store *base, const struct advisory_filter *f, int64_t after,
                     store_advisory_cb cb, void *ctx);
int sq_advisory_public(struct store *base, int limit, store_advisory_cb cb, void *ctx);
int sq_inbox_get(struct store *base, const char *kind, int64_t object_id, int64_t org_id,
                 struct inbox_rec *out);
int sq_inbox_list(struct store *base, int64_t org_id, const struct inbox_filter *f, int64_t before,
                  store_inbox_cb cb, void *ctx);
int sq_inbox_of_object(struct store *base, const char *kind, int64_t object_id, int64_t after,
                       store_inbox_cb cb, void *ctx);
int sq_thread_get(struct store *base, int64_t id, struct thread_rec *out);
int sq_thread_list(struct store *base, int64_t org_id, int group, int64_t after, store_thread_cb cb,
                   void *ctx);
int sq_message_list(struct store *base, int64_t thread_id, int64_t after, store_message_cb cb,
                    void *ctx);
int sq_message_get(struct store *base, int64_t id, struct message_rec *out);
/* The year in Japan (UTC+9) of a time: identification numbers run per year. */
int sq_jst_year(int64_t ms);

int sq_filing_counts(struct store *base, int64_t org_id, int64_t after_org, const char *today,
                     const char *due_from, store_filing_cb cb, void *ctx);

#endif
