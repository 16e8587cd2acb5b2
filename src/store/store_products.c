/*
 * store_products.c — the SQLite side of analysis products (migration 0005): creating a draft
 * (directly or derived from a parent), editing a draft against the version read, releasing it,
 * and the reads behind /api/v1/products.
 *
 * Only drafts change: every UPDATE names status = 'draft' and the version the caller read, and a
 * trigger refuses any update of a released row. A write that matches no row tells why: the
 * product is gone (RK_ENOTFOUND), released ("/status") or changed meanwhile ("/version").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "store/sq_internal.h"

enum { P_INSERT = SQ_EXT_PRODUCTS, P_UPDATE, P_RELEASE, P_STATE, P_GET, P_LIST, P_PUBLIC, P__END };
_Static_assert(P__END <= SQ_EXT_DISSEM, "store_products.c runs into store_dissem.c's slots");

#define PROD_COLS                                                                                  \
    "id, coalesce(parent_id, 0), owner_org, tier, status, tlp, sectors, title, created_ms, "       \
    "created_by, updated_ms, released_ms, released_by, version, body, labels FROM products"

static const char *const p_sql[P__END - SQ_EXT_PRODUCTS] = {
#define S(k) [(k)-SQ_EXT_PRODUCTS]
    S(P_INSERT) = "INSERT INTO products (tier, parent_id, status, owner_org, tlp, sectors, title, "
                  "body, labels, created_ms, created_by, updated_ms) VALUES (?1, NULLIF(?2, 0), "
                  "'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9)",
    S(P_UPDATE) = "UPDATE products SET tlp = ?3, sectors = ?4, title = ?5, body = ?6, labels = ?7, "
                  "updated_ms = ?8, version = version + 1 "
                  "WHERE id = ?1 AND version = ?2 AND status = 'draft'",
    S(P_RELEASE) = "UPDATE products SET status = 'released', released_ms = ?3, released_by = ?4, "
                   "updated_ms = ?3, version = version + 1 "
                   "WHERE id = ?1 AND version = ?2 AND status = 'draft'",
    S(P_STATE) = "SELECT status FROM products WHERE id = ?1",
    S(P_GET) = "SELECT " PROD_COLS " WHERE id = ?1",
    S(P_LIST) = "SELECT " PROD_COLS " WHERE id > ?1 AND (?2 IS NULL OR tier = ?2) "
                "AND (?3 IS NULL OR status = ?3) ORDER BY id",
    S(P_PUBLIC) = "SELECT " PROD_COLS " WHERE status = 'released' AND tier = 'publication' "
                  "AND tlp = 0 ORDER BY released_ms DESC, id DESC LIMIT ?1",
#undef S
};

static sqlite3_stmt *q(struct sq_conn *c, int slot)
{
    return sq_ext(c, slot, p_sql[slot - SQ_EXT_PRODUCTS]);
}

/* Why an UPDATE of a draft matched nothing. */
static int why_unchanged(struct sq_store *s, struct store_write *w)
{
    return sq_why_unchanged(w, q(&s->w, P_STATE), "released");
}

static int job_create(struct sq_store *s, struct store_write *w, int64_t now)
{
    const struct product_input *in = w->product;
    sqlite3_stmt *st = q(&s->w, P_INSERT);
    if (!st) return RK_EIO;
    sq_bind_text(st, 1, policy_tier_name(in->tier));
    sqlite3_bind_int64(st, 2, in->parent_id);
    sqlite3_bind_int64(st, 3, in->owner_org);
    sqlite3_bind_int(st, 4, (int)in->tlp);
    sqlite3_bind_int64(st, 5, (int64_t)in->sectors);
    sq_bind_text(st, 6, in->title);
    sqlite3_bind_text(st, 7, in->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->labels, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    sqlite3_bind_int64(st, 10, in->user_id);
    int rc = sq_step_done(st);
    if (rc == RK_OK) w->out_id = sqlite3_last_insert_rowid(s->w.db);
    return rc;
}

static int job_update(struct sq_store *s, struct store_write *w, int64_t now)
{
    const struct product_input *in = w->product;
    sqlite3_stmt *st = q(&s->w, P_UPDATE);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, w->expect_version);
    sqlite3_bind_int(st, 3, (int)in->tlp);
    sqlite3_bind_int64(st, 4, (int64_t)in->sectors);
    sq_bind_text(st, 5, in->title);
    sqlite3_bind_text(st, 6, in->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, in->labels, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, now);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) return why_unchanged(s, w);
    w->out_id = w->target_id;
    return RK_OK;
}

static int job_release(struct sq_store *s, struct store_write *w, int64_t now)
{
    sqlite3_stmt *st = q(&s->w, P_RELEASE);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, w->expect_version);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, w->product->user_id);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) return why_unchanged(s, w);
    w->out_id = w->target_id;
    /* Pushed to the inboxes of its audience in the same transaction: released and delivered,
     * or neither. */
    return sq_deliver(s, &w->deliver, w->target_id, now, &w->out_count);
}

int sq_job_product(struct sq_store *s, struct store_write *w)
{
    const struct product_input *in = w->product;
    if (!in) return RK_EINVAL;
    int64_t now = store_now_ms();
    switch (w->op) {
    case STORE_W_PRODUCT_CREATE:
        if (!in->title || !in->body || !in->labels) return RK_EINVAL;
        return job_create(s, w, now);
    case STORE_W_PRODUCT_UPDATE:
        if (!in->title || !in->body || !in->labels) return RK_EINVAL;
        return job_update(s, w, now);
    case STORE_W_PRODUCT_RELEASE:
        return job_release(s, w, now);
    default:
        return RK_EINVAL;
    }
}

/* ---- reads ------------------------------------------------------------------------------ */

static sqlite3_stmt *reader_q(struct store *base, int slot)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    return c ? q(c, slot) : NULL;
}

/* The row's columns; body and labels point into the statement (valid until the next step). */
static void row_product(sqlite3_stmt *st, struct product_rec *r)
{
    memset(r, 0, sizeof *r);
    char buf[24];
    r->id = sqlite3_column_int64(st, 0);
    r->parent_id = sqlite3_column_int64(st, 1);
    r->owner_org = sqlite3_column_int64(st, 2);
    sq_col_text(st, 3, buf, sizeof buf);
    /* An unknown tier name cannot be stored (CHECK); fail closed to the narrowest tier. */
    if (policy_tier_parse(buf, &r->tier) != RK_OK) r->tier = POL_TIER_COMPREHENSIVE;
    sq_col_text(st, 4, buf, sizeof buf);
    r->released = strcmp(buf, "released") == 0;
    r->tlp = (enum pol_tlp)sqlite3_column_int(st, 5);
    r->sectors = (uint64_t)sqlite3_column_int64(st, 6);
    sq_col_text(st, 7, r->title, sizeof r->title);
    r->created_ms = sqlite3_column_int64(st, 8);
    r->created_by = sqlite3_column_int64(st, 9);
    r->updated_ms = sqlite3_column_int64(st, 10);
    r->released_ms = sqlite3_column_int64(st, 11);
    r->released_by = sqlite3_column_int64(st, 12);
    r->version = sqlite3_column_int64(st, 13);
    r->body = (char *)sqlite3_column_text(st, 14);
    r->labels = (char *)sqlite3_column_text(st, 15);
}

void store_product_rec_free(struct product_rec *r)
{
    if (!r) return;
    free(r->body);
    free(r->labels);
    r->body = r->labels = NULL;
}

int sq_product_get(struct store *base, int64_t id, struct product_rec *out)
{
    memset(out, 0, sizeof *out); /* callers free it whatever the answer */
    sqlite3_stmt *st = reader_q(base, P_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st), rc = RK_OK;
    if (r == SQLITE_ROW) {
        row_product(st, out);
        out->body = strdup(out->body ? out->body : "null");
        out->labels = strdup(out->labels ? out->labels : "{}");
        if (!out->body || !out->labels) {
            store_product_rec_free(out);
            rc = RK_ENOMEM;
        }
    } else {
        memset(out, 0, sizeof *out);
        rc = r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
    }
    sqlite3_reset(st);
    return rc;
}

static int list_rows(sqlite3_stmt *st, store_product_cb cb, void *ctx);

int sq_product_public(struct store *base, int limit, store_product_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, P_PUBLIC);
    if (!st) return RK_EIO;
    sqlite3_bind_int(st, 1, limit);
    return list_rows(st, cb, ctx);
}

int sq_product_list(struct store *base, const struct product_filter *f, int64_t after,
                    store_product_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, P_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    if (f && f->tier != POL_TIER_NONE) sq_bind_text(st, 2, policy_tier_name(f->tier));
    if (f && f->status) sq_bind_text(st, 3, f->status);
    return list_rows(st, cb, ctx);
}

static int list_rows(sqlite3_stmt *st, store_product_cb cb, void *ctx)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct product_rec rec;
        row_product(st, &rec);
        if (!rec.body) rec.body = (char *)"null";
        if (!rec.labels) rec.labels = (char *)"{}";
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}
