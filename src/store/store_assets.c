/*
 * store_assets.c — the SQLite side of the asset registry (migration 0002): filings and drafts,
 * delegations, submissions and their routing steps, and the reads behind /api/v1/assets,
 * /asset-submissions, /delegations and /filing-status.
 *
 * A filing is one write job: the submission row, then per operation the index row (checked
 * against the head version the caller diffed against, so two concurrent filings of one entry
 * cannot both land) and an append-only version with its product rows. A vendor's delegation is
 * re-checked inside the same transaction, so a revocation that commits first wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/deadline.h"
#include "store/sq_internal.h"

enum {
    A_DELEG_CHECK,
    A_SUB_INSERT,
    A_SUB_COUNTS,
    A_ASSET_INSERT,
    A_ASSET_FILE_DRAFT_NEW,
    A_ASSET_ADVANCE,
    A_ASSET_DRAFT_INSERT,
    A_ASSET_DRAFT_SET,
    A_VERSION_INSERT,
    A_PRODUCT_INSERT,
    A_ASSET_GET,
    A_ASSET_LIST,
    A_ASSET_LIST_LIGHT,
    A_VERSIONS,
    A_FILED_BY,
    A_SUB_GET,
    A_SUB_LIST,
    A_DELEG_GET,
    A_DELEG_ACTIVE,
    A_DELEG_LIST,
    A_DELEG_INSERT,
    A_DELEG_REVOKE,
    A_SUB_RECEIVE,
    A_SUB_FORWARD,
    A_FILING_COUNTS,
    A_COUNTS_ADD,
    A__COUNT
};
_Static_assert(A__COUNT <= SQ_EXT_REPORTS, "store_assets.c runs into store_reports.c's slots");

/* The columns row_asset reads; BODY and DRAFT are the two JSON texts, or NULL when a caller
 * only counts (they are most of a row's bytes). */
#define ASSET_COLS_OF(BODY, DRAFT)                                                                 \
    "a.id, a.org_id, a.ref, a.created_ms, a.head_version, a.live, a.categories, v.id, "            \
    "v.submission_id, v.valid_from_ms, v.filed_by_org, v.kind, v.deadline, v.filed_on, "           \
    "v.late, " BODY ", a.draft_kind, a.draft_deadline, a.draft_ms, a.draft_by_org, " DRAFT         \
    " FROM assets a LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.version = "              \
    "a.head_version"
#define ASSET_COLS ASSET_COLS_OF("v.body", "a.draft_body")
#define ASSET_COLS_LIGHT ASSET_COLS_OF("NULL", "NULL")
#define ASSET_LIST_WHERE                                                                           \
    "WHERE a.id > ?1 AND (?2 = 0 OR a.org_id = ?2) "                                               \
    "AND (?3 = 0 OR ((SELECT o.sectors FROM orgs o WHERE o.id = a.org_id) & ?3) != 0) "            \
    "AND (?4 = 0 OR (a.categories & ?4) != 0) "                                                    \
    "AND (?5 IS NULL OR EXISTS (SELECT 1 FROM asset_products p WHERE p.version_id = v.id "         \
    "AND (instr(lower(p.name), ?5) OR instr(lower(p.manufacturer), ?5) "                           \
    "OR instr(p.cpe, ?5)))) "                                                                      \
    "AND (?6 IS NULL OR (a.draft_kind IS NOT NULL AND a.draft_deadline < ?6)) "                    \
    "AND (?7 OR a.live = 1) "                                                                      \
    "AND (?8 = 0 OR EXISTS (SELECT 1 FROM delegations d WHERE d.operator_org = a.org_id "          \
    "AND d.vendor_org = ?8 AND d.revoked_ms = 0) OR EXISTS (SELECT 1 FROM asset_versions w "       \
    "WHERE w.asset_id = a.id AND w.filed_by_org = ?8)) "
#define SUB_COLS                                                                                   \
    "id, org_id, filed_by_user, filed_by_org, delegation_id, kind, filed_ms, "                     \
    "ministry_received_ms, ministry_received_by, nc_notified_ms, nc_notified_by, added, changed, " \
    "retired FROM asset_submissions"
#define DELEG_COLS                                                                                 \
    "id, operator_org, vendor_org, granted_by, granted_ms, revoked_by, revoked_ms, note "          \
    "FROM delegations"

static const char *const a_sql[A__COUNT] = {
    [A_DELEG_CHECK] = "SELECT 1 FROM delegations WHERE id = ?1 AND operator_org = ?2 "
                      "AND vendor_org = ?3 AND revoked_ms = 0",
    [A_SUB_INSERT] = "INSERT INTO asset_submissions (org_id, filed_by_user, filed_by_org, "
                     "delegation_id, kind, filed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [A_SUB_COUNTS] = "UPDATE asset_submissions SET added = ?2, changed = ?3, retired = ?4 "
                     "WHERE id = ?1",
    [A_ASSET_INSERT] = "INSERT INTO assets (org_id, ref, created_ms, head_version, live, "
                       "categories) VALUES (?1, ?2, ?3, 1, 1, ?4)",
    [A_ASSET_FILE_DRAFT_NEW] =
        "UPDATE assets SET head_version = 1, categories = ?3, draft_kind = NULL, "
        "draft_body = NULL, draft_deadline = NULL, draft_ms = 0, draft_by_org = 0 "
        "WHERE id = ?1 AND org_id = ?2 AND head_version = 0 AND live = 1 "
        "AND (?4 = 0 OR draft_ms = ?4)",
    [A_ASSET_ADVANCE] =
        "UPDATE assets SET head_version = head_version + 1, categories = ?4, live = ?5, "
        "draft_kind = NULL, draft_body = NULL, draft_deadline = NULL, draft_ms = 0, "
        "draft_by_org = 0 WHERE id = ?1 AND org_id = ?2 AND head_version = ?3 AND live = 1 "
        "AND (?6 = 0 OR draft_ms = ?6)",
    [A_ASSET_DRAFT_INSERT] = "INSERT INTO assets (org_id, ref, created_ms, head_version, live, "
                             "draft_kind, draft_body, draft_deadline, draft_ms, draft_by_org) "
                             "VALUES (?1, ?2, ?3, 0, 1, 'new', ?4, NULLIF(?5, ''), ?3, ?6)",
    [A_ASSET_DRAFT_SET] =
        "UPDATE assets SET draft_kind = ?4, draft_body = ?5, draft_deadline = NULLIF(?6, ''), "
        "draft_ms = ?7, draft_by_org = ?8 WHERE id = ?1 AND org_id = ?2 AND head_version = ?3 "
        "AND live = 1",
    [A_VERSION_INSERT] =
        "INSERT INTO asset_versions (asset_id, version, submission_id, filed_by_org, kind, "
        "valid_from_ms, deadline, filed_on, late, body, changes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, ''), ?8, ?9, ?10, ?11)",
    [A_PRODUCT_INSERT] = "INSERT INTO asset_products (version_id, idx, kind, name, manufacturer, "
                         "version, cpe, cpe_vendor, cpe_product, purl) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [A_ASSET_GET] = "SELECT " ASSET_COLS " WHERE a.id = ?1",
    [A_ASSET_LIST] = "SELECT " ASSET_COLS " " ASSET_LIST_WHERE "ORDER BY a.id",
    /* The same rows without the JSON texts, for counting and status pages. */
    [A_ASSET_LIST_LIGHT] = "SELECT " ASSET_COLS_LIGHT " " ASSET_LIST_WHERE "ORDER BY a.id",
    [A_VERSIONS] =
        "SELECT id, asset_id, version, submission_id, filed_by_org, valid_from_ms, kind, "
        "deadline, filed_on, late, body, changes FROM asset_versions "
        "WHERE asset_id = ?1 AND (?2 = 0 OR valid_from_ms <= ?2) ORDER BY version",
    [A_FILED_BY] = "SELECT 1 FROM asset_versions WHERE asset_id = ?1 AND filed_by_org = ?2 LIMIT 1",
    [A_SUB_GET] = "SELECT " SUB_COLS " WHERE id = ?1",
    [A_SUB_LIST] = "SELECT " SUB_COLS " WHERE id > ?1 AND (?2 = 0 OR org_id = ?2) ORDER BY id",
    [A_DELEG_GET] = "SELECT " DELEG_COLS " WHERE id = ?1",
    [A_DELEG_ACTIVE] = "SELECT " DELEG_COLS " WHERE operator_org = ?1 AND vendor_org = ?2 "
                       "AND revoked_ms = 0",
    [A_DELEG_LIST] = "SELECT " DELEG_COLS " WHERE id > ?1 AND (?2 = 0 OR operator_org = ?2 "
                     "OR vendor_org = ?2) ORDER BY id",
    [A_DELEG_INSERT] = "INSERT INTO delegations (operator_org, vendor_org, granted_by, "
                       "granted_ms, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    [A_DELEG_REVOKE] = "UPDATE delegations SET revoked_by = ?2, revoked_ms = ?3 "
                       "WHERE id = ?1 AND revoked_ms = 0",
    [A_SUB_RECEIVE] = "UPDATE asset_submissions SET ministry_received_ms = ?2, "
                      "ministry_received_by = ?3 WHERE id = ?1 AND ministry_received_ms = 0",
    [A_SUB_FORWARD] =
        "UPDATE asset_submissions SET ministry_received_ms = CASE ministry_received_ms "
        "WHEN 0 THEN ?2 ELSE ministry_received_ms END, ministry_received_by = CASE "
        "ministry_received_by WHEN 0 THEN ?3 ELSE ministry_received_by END, "
        "nc_notified_ms = ?2, nc_notified_by = ?3 WHERE id = ?1 AND nc_notified_ms = 0",
    [A_FILING_COUNTS] =
        "SELECT c.org_id, c.live, c.retired, c.versions, c.filed_late, coalesce(d.n, 0), "
        "coalesce(d.overdue, 0), coalesce(d.due, 0), coalesce(d.unknown, 0) "
        "FROM asset_org_counts c LEFT JOIN (SELECT org_id, count(*) AS n, "
        "sum(draft_deadline < ?3) AS overdue, "
        "sum(draft_deadline >= ?3 AND draft_deadline <= ?4) AS due, "
        "sum(draft_deadline IS NULL) AS unknown FROM assets WHERE draft_kind IS NOT NULL "
        "AND (?1 = 0 OR org_id = ?1) "
        "GROUP BY org_id) d ON d.org_id = c.org_id "
        "WHERE (?1 = 0 OR c.org_id = ?1) AND c.org_id > ?2 ORDER BY c.org_id",
    [A_COUNTS_ADD] = "INSERT INTO asset_org_counts (org_id, live, retired, versions, filed_late) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (org_id) DO UPDATE SET "
                     "live = live + excluded.live, retired = retired + excluded.retired, "
                     "versions = versions + excluded.versions, "
                     "filed_late = filed_late + excluded.filed_late",
};

static sqlite3_stmt *q(struct sq_conn *c, int slot)
{
    return sq_ext(c, slot, a_sql[slot]);
}

static const char *const kind_names[] = {"new", "change", "retire"};

/* The filing day in Japan (UTC+9, no daylight saving). */
static void jst_date(int64_t ms, char out[11])
{
    struct dl_date d;
    int64_t days = (ms / 1000 + 9 * 3600) / 86400;
    if (dl_from_days((int32_t)days, &d) != RK_OK) d = (struct dl_date){1970, 1, 1};
    dl_format(&d, out, 11);
}

/* Vendor and product attributes of a canonical CPE (escapes kept), for the matcher's index. */
static void cpe_vendor_product(const char *cpe, char *vendor, char *product, size_t cap)
{
    vendor[0] = product[0] = 0;
    if (!cpe) return;
    int field = 0;
    size_t n = 0;
    for (const char *p = cpe; *p && field <= 4; p++) {
        if (*p == '\\' && p[1]) {
            if (field == 3 || field == 4) {
                char *dst = field == 3 ? vendor : product;
                if (n + 2 < cap) {
                    dst[n++] = p[0];
                    dst[n++] = p[1];
                    dst[n] = 0;
                }
            }
            p++;
            continue;
        }
        if (*p == ':') {
            field++;
            n = 0;
            continue;
        }
        if (field == 3 || field == 4) {
            char *dst = field == 3 ? vendor : product;
            if (n + 1 < cap) {
                dst[n++] = *p;
                dst[n] = 0;
            }
        }
    }
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k)); /* NULL for null/absent */
}

static int insert_products(struct sq_conn *c, int64_t version_id, const json_t *canon)
{
    const json_t *products = json_object_get(canon, "products");
    size_t i;
    const json_t *p;
    json_array_foreach(products, i, p)
    {
        sqlite3_stmt *st = q(c, A_PRODUCT_INSERT);
        if (!st) return RK_EIO;
        char vendor[256], product[256];
        const char *cpe = jstr(p, "cpe");
        cpe_vendor_product(cpe, vendor, product, sizeof vendor);
        sqlite3_bind_int64(st, 1, version_id);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sq_bind_text(st, 3, jstr(p, "kind") ? jstr(p, "kind") : "");
        sq_bind_text(st, 4, jstr(p, "name") ? jstr(p, "name") : "");
        sq_bind_text(st, 5, jstr(p, "manufacturer") ? jstr(p, "manufacturer") : "");
        sq_bind_text(st, 6, jstr(p, "version"));
        sq_bind_text(st, 7, cpe);
        sq_bind_text(st, 8, vendor[0] ? vendor : NULL);
        sq_bind_text(st, 9, product[0] ? product : NULL);
        sq_bind_text(st, 10, jstr(p, "purl"));
        int rc = sq_step_done(st);
        if (rc != RK_OK) return rc;
    }
    return RK_OK;
}

/* Live/retired/versions/late deltas of one job, written once at its end. */
struct deltas {
    int64_t live, retired, versions, late;
};

static int file_op(struct sq_store *s, struct asset_filing *f, struct asset_op *op, int64_t now,
                   const char *filed_on, struct store_write *w, struct deltas *dt)
{
    struct sq_conn *c = &s->w;
    sqlite3_stmt *st;
    int rc;
    int64_t version;
    if (op->kind == ASSET_OP_NEW && op->asset_id == 0) {
        if (!(st = q(c, A_ASSET_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->org_id);
        sq_bind_text(st, 2, op->ref);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int(st, 4, (int)op->categories);
        if ((rc = sq_step_done(st)) != RK_OK) goto conflict;
        op->asset_id = sqlite3_last_insert_rowid(c->db);
        version = 1;
    } else if (op->kind == ASSET_OP_NEW) {
        if (!(st = q(c, A_ASSET_FILE_DRAFT_NEW))) return RK_EIO;
        sqlite3_bind_int64(st, 1, op->asset_id);
        sqlite3_bind_int64(st, 2, f->org_id);
        sqlite3_bind_int(st, 3, (int)op->categories);
        sqlite3_bind_int64(st, 4, op->expect_draft_ms);
        if ((rc = sq_step_done(st)) != RK_OK) goto conflict;
        if (sqlite3_changes(c->db) == 0) goto stale;
        version = 1;
    } else {
        if (!(st = q(c, A_ASSET_ADVANCE))) return RK_EIO;
        sqlite3_bind_int64(st, 1, op->asset_id);
        sqlite3_bind_int64(st, 2, f->org_id);
        sqlite3_bind_int64(st, 3, op->expect_head);
        sqlite3_bind_int(st, 4, (int)op->categories);
        sqlite3_bind_int(st, 5, op->kind == ASSET_OP_RETIRE ? 0 : 1);
        sqlite3_bind_int64(st, 6, op->expect_draft_ms);
        if ((rc = sq_step_done(st)) != RK_OK) goto conflict;
        if (sqlite3_changes(c->db) == 0) goto stale;
        version = op->expect_head + 1;
    }
    if (!(st = q(c, A_VERSION_INSERT))) return RK_EIO;
    sqlite3_bind_int64(st, 1, op->asset_id);
    sqlite3_bind_int64(st, 2, version);
    sqlite3_bind_int64(st, 3, f->submission_id);
    sqlite3_bind_int64(st, 4, f->filed_by_org);
    sq_bind_text(st, 5, kind_names[op->kind]);
    sqlite3_bind_int64(st, 6, now);
    sq_bind_text(st, 7, op->deadline);
    sq_bind_text(st, 8, filed_on);
    bool late = op->deadline[0] && strcmp(filed_on, op->deadline) > 0;
    sqlite3_bind_int(st, 9, late);
    sq_bind_text(st, 10, op->body);
    sq_bind_text(st, 11, op->changes ? op->changes : "[]");
    if ((rc = sq_step_done(st)) != RK_OK) return rc == RK_ECONFLICT ? RK_EIO : rc;
    dt->versions++;
    dt->late += late;
    if (op->kind == ASSET_OP_NEW) dt->live++;
    if (op->kind == ASSET_OP_RETIRE) {
        dt->live--;
        dt->retired++;
    }
    return insert_products(c, sqlite3_last_insert_rowid(c->db), op->canon);
conflict:
    if (rc == RK_ECONFLICT) snprintf(w->conflict_field, sizeof w->conflict_field, "/ref");
    return rc;
stale:
    /* Someone filed this entry (or retired it) since the caller read it. */
    snprintf(w->conflict_field, sizeof w->conflict_field, "/version");
    return RK_ECONFLICT;
}

static int draft_op(struct sq_store *s, struct asset_filing *f, struct asset_op *op, int64_t now,
                    struct store_write *w)
{
    struct sq_conn *c = &s->w;
    sqlite3_stmt *st;
    int rc;
    if (op->kind == ASSET_OP_NEW && op->asset_id == 0) {
        if (!(st = q(c, A_ASSET_DRAFT_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->org_id);
        sq_bind_text(st, 2, op->ref);
        sqlite3_bind_int64(st, 3, now);
        sq_bind_text(st, 4, op->body);
        sq_bind_text(st, 5, op->deadline);
        sqlite3_bind_int64(st, 6, f->filed_by_org);
        if ((rc = sq_step_done(st)) == RK_ECONFLICT)
            snprintf(w->conflict_field, sizeof w->conflict_field, "/ref");
        if (rc == RK_OK) op->asset_id = sqlite3_last_insert_rowid(c->db);
        return rc;
    }
    if (!(st = q(c, A_ASSET_DRAFT_SET))) return RK_EIO;
    sqlite3_bind_int64(st, 1, op->asset_id);
    sqlite3_bind_int64(st, 2, f->org_id);
    sqlite3_bind_int64(st, 3, op->expect_head);
    sq_bind_text(st, 4, kind_names[op->kind]);
    sq_bind_text(st, 5, op->body);
    sq_bind_text(st, 6, op->deadline);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int64(st, 8, f->filed_by_org);
    if ((rc = sq_step_done(st)) != RK_OK) return rc;
    if (sqlite3_changes(c->db) == 0) {
        snprintf(w->conflict_field, sizeof w->conflict_field, "/version");
        return RK_ECONFLICT;
    }
    return RK_OK;
}

int sq_job_asset_file(struct sq_store *s, struct store_write *w)
{
    struct asset_filing *f = w->filing;
    struct sq_conn *c = &s->w;
    sqlite3_stmt *st;
    int rc;
    if (!f || (f->nops && !f->ops)) return RK_EINVAL;
    int64_t now = store_now_ms();
    char filed_on[11];
    jst_date(now, filed_on);
    if (f->delegation_id) {
        if (!(st = q(c, A_DELEG_CHECK))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->delegation_id);
        sqlite3_bind_int64(st, 2, f->org_id);
        sqlite3_bind_int64(st, 3, f->filed_by_org);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_ROW) return r == SQLITE_DONE ? RK_EDENIED : RK_EIO;
    }
    f->submission_id = 0;
    if (!f->draft) {
        if (!(st = q(c, A_SUB_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->org_id);
        sqlite3_bind_int64(st, 2, f->filed_by_user);
        sqlite3_bind_int64(st, 3, f->filed_by_org);
        sqlite3_bind_int64(st, 4, f->delegation_id);
        sq_bind_text(st, 5, f->inventory ? "inventory" : "single");
        sqlite3_bind_int64(st, 6, now);
        if ((rc = sq_step_done(st)) != RK_OK) return rc;
        f->submission_id = sqlite3_last_insert_rowid(c->db);
    }
    int64_t counts[3] = {0, 0, 0};
    struct deltas dt = {0};
    for (size_t i = 0; i < f->nops; i++) {
        f->bad_op = i;
        rc = f->draft ? draft_op(s, f, &f->ops[i], now, w)
                      : file_op(s, f, &f->ops[i], now, filed_on, w, &dt);
        if (rc != RK_OK) return rc;
        counts[f->ops[i].kind]++;
    }
    /* Also for drafts (all zero): the filing status lists every operator with a row. */
    if (!(st = q(c, A_COUNTS_ADD))) return RK_EIO;
    sqlite3_bind_int64(st, 1, f->org_id);
    sqlite3_bind_int64(st, 2, dt.live);
    sqlite3_bind_int64(st, 3, dt.retired);
    sqlite3_bind_int64(st, 4, dt.versions);
    sqlite3_bind_int64(st, 5, dt.late);
    if ((rc = sq_step_done(st)) != RK_OK) return rc;
    if (!f->draft) {
        if (!(st = q(c, A_SUB_COUNTS))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->submission_id);
        for (int k = 0; k < 3; k++)
            sqlite3_bind_int64(st, 2 + k, counts[k]);
        if ((rc = sq_step_done(st)) != RK_OK) return rc;
    }
    w->out_id = f->draft ? (f->nops ? f->ops[0].asset_id : 0) : f->submission_id;
    return RK_OK;
}

int sq_job_delegation(struct sq_store *s, struct store_write *w)
{
    struct sq_conn *c = &s->w;
    sqlite3_stmt *st;
    int rc;
    if (w->op == STORE_W_DELEGATION_GRANT) {
        if (!(st = q(c, A_DELEG_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, w->delegation.operator_org);
        sqlite3_bind_int64(st, 2, w->delegation.vendor_org);
        sqlite3_bind_int64(st, 3, w->delegation.granted_by);
        sqlite3_bind_int64(st, 4, store_now_ms());
        sq_bind_text(st, 5, w->delegation.note);
        if ((rc = sq_step_done(st)) == RK_ECONFLICT)
            snprintf(w->conflict_field, sizeof w->conflict_field, "/vendor_org");
        if (rc == RK_OK) w->out_id = sqlite3_last_insert_rowid(c->db);
        return rc;
    }
    if (!(st = q(c, A_DELEG_REVOKE))) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, w->audit.user_id);
    sqlite3_bind_int64(st, 3, store_now_ms());
    if ((rc = sq_step_done(st)) != RK_OK) return rc;
    if (sqlite3_changes(c->db) == 0) {
        /* Already revoked: the first revocation stands, with its own audit record. */
        snprintf(w->conflict_field, sizeof w->conflict_field, "/revoked_at");
        return RK_ECONFLICT;
    }
    w->out_id = w->target_id;
    return RK_OK;
}

int sq_job_submission(struct sq_store *s, struct store_write *w)
{
    sqlite3_stmt *st =
        q(&s->w, w->op == STORE_W_SUBMISSION_RECEIVE ? A_SUB_RECEIVE : A_SUB_FORWARD);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, store_now_ms());
    sqlite3_bind_int64(st, 3, w->audit.user_id);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) {
        /* Already done: each routing step is recorded once, by whoever did it first. */
        snprintf(w->conflict_field, sizeof w->conflict_field, "%s",
                 w->op == STORE_W_SUBMISSION_RECEIVE ? "/ministry_received_at" : "/nc_notified_at");
        return RK_ECONFLICT;
    }
    w->out_id = w->target_id;
    return RK_OK;
}

/* ---- reads ------------------------------------------------------------------------------ */

static const char *ctext(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Fills r from a row; string members point into the statement (valid until the next step). */
static void row_asset(sqlite3_stmt *st, struct asset_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->org_id = sqlite3_column_int64(st, 1);
    r->ref = (char *)ctext(st, 2);
    r->created_ms = sqlite3_column_int64(st, 3);
    r->head_version = sqlite3_column_int64(st, 4);
    r->live = sqlite3_column_int(st, 5) != 0;
    r->categories = (unsigned)sqlite3_column_int(st, 6);
    r->version_id = sqlite3_column_int64(st, 7);
    r->submission_id = sqlite3_column_int64(st, 8);
    r->valid_from_ms = sqlite3_column_int64(st, 9);
    r->filed_by_org = sqlite3_column_int64(st, 10);
    sq_col_text(st, 11, r->kind, sizeof r->kind);
    sq_col_text(st, 12, r->deadline, sizeof r->deadline);
    sq_col_text(st, 13, r->filed_on, sizeof r->filed_on);
    r->late = sqlite3_column_int(st, 14) != 0;
    r->body = (char *)ctext(st, 15);
    sq_col_text(st, 16, r->draft_kind, sizeof r->draft_kind);
    sq_col_text(st, 17, r->draft_deadline, sizeof r->draft_deadline);
    r->draft_ms = sqlite3_column_int64(st, 18);
    r->draft_by_org = sqlite3_column_int64(st, 19);
    r->draft_body = (char *)ctext(st, 20);
}

void store_asset_rec_free(struct asset_rec *r)
{
    if (!r) return;
    free(r->ref);
    free(r->body);
    free(r->draft_body);
    r->ref = r->body = r->draft_body = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int sq_asset_get(struct store *base, int64_t id, struct asset_rec *out)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, A_ASSET_GET) : NULL;
    memset(out, 0, sizeof *out);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    int rc = r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
    if (rc == RK_OK) {
        struct asset_rec tmp;
        row_asset(st, &tmp);
        *out = tmp;
        out->ref = dup_or_null(tmp.ref);
        out->body = dup_or_null(tmp.body);
        out->draft_body = dup_or_null(tmp.draft_body);
        if (!out->ref || (tmp.body && !out->body) || (tmp.draft_body && !out->draft_body)) {
            store_asset_rec_free(out);
            rc = RK_ENOMEM;
        }
    }
    sqlite3_reset(st);
    return rc;
}

int sq_asset_list(struct store *base, const struct asset_filter *f, int64_t after,
                  store_asset_cb cb, void *ctx)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, f->no_bodies ? A_ASSET_LIST_LIGHT : A_ASSET_LIST) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, f->org_id);
    sqlite3_bind_int64(st, 3, (int64_t)f->sectors);
    sqlite3_bind_int(st, 4, (int)f->categories);
    sq_bind_text(st, 5, f->product);
    sq_bind_text(st, 6, f->overdue_before);
    sqlite3_bind_int(st, 7, f->include_retired);
    sqlite3_bind_int64(st, 8, f->vendor_org);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct asset_rec rec;
        row_asset(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_asset_versions(struct store *base, int64_t asset_id, int64_t as_of_ms,
                      store_asset_version_cb cb, void *ctx)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, A_VERSIONS) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, asset_id);
    sqlite3_bind_int64(st, 2, as_of_ms);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct asset_version_rec v = {
            .id = sqlite3_column_int64(st, 0),
            .asset_id = sqlite3_column_int64(st, 1),
            .version = sqlite3_column_int64(st, 2),
            .submission_id = sqlite3_column_int64(st, 3),
            .filed_by_org = sqlite3_column_int64(st, 4),
            .valid_from_ms = sqlite3_column_int64(st, 5),
            .late = sqlite3_column_int(st, 9) != 0,
            .body = ctext(st, 10),
            .changes = ctext(st, 11),
        };
        sq_col_text(st, 6, v.kind, sizeof v.kind);
        sq_col_text(st, 7, v.deadline, sizeof v.deadline);
        sq_col_text(st, 8, v.filed_on, sizeof v.filed_on);
        if (!cb(&v, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_asset_filed_by(struct store *base, int64_t asset_id, int64_t org_id, bool *out)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, A_FILED_BY) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, asset_id);
    sqlite3_bind_int64(st, 2, org_id);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    *out = r == SQLITE_ROW;
    return r == SQLITE_ROW || r == SQLITE_DONE ? RK_OK : RK_EIO;
}

static void row_sub(sqlite3_stmt *st, struct submission_rec *r)
{
    char kind[16];
    r->id = sqlite3_column_int64(st, 0);
    r->org_id = sqlite3_column_int64(st, 1);
    r->filed_by_user = sqlite3_column_int64(st, 2);
    r->filed_by_org = sqlite3_column_int64(st, 3);
    r->delegation_id = sqlite3_column_int64(st, 4);
    sq_col_text(st, 5, kind, sizeof kind);
    r->inventory = strcmp(kind, "inventory") == 0;
    r->filed_ms = sqlite3_column_int64(st, 6);
    r->ministry_received_ms = sqlite3_column_int64(st, 7);
    r->ministry_received_by = sqlite3_column_int64(st, 8);
    r->nc_notified_ms = sqlite3_column_int64(st, 9);
    r->nc_notified_by = sqlite3_column_int64(st, 10);
    r->added = sqlite3_column_int64(st, 11);
    r->changed = sqlite3_column_int64(st, 12);
    r->retired = sqlite3_column_int64(st, 13);
}

static void row_deleg(sqlite3_stmt *st, struct delegation_rec *d)
{
    d->id = sqlite3_column_int64(st, 0);
    d->operator_org = sqlite3_column_int64(st, 1);
    d->vendor_org = sqlite3_column_int64(st, 2);
    d->granted_by = sqlite3_column_int64(st, 3);
    d->granted_ms = sqlite3_column_int64(st, 4);
    d->revoked_by = sqlite3_column_int64(st, 5);
    d->revoked_ms = sqlite3_column_int64(st, 6);
    sq_col_text(st, 7, d->note, sizeof d->note);
}

/* One-row lookups: bind up to two ids, fill via fn. */
static int get_one(struct store *base, int slot, int64_t a, int64_t b, void *out,
                   void (*fill)(sqlite3_stmt *, void *))
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, slot) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, a);
    if (b) sqlite3_bind_int64(st, 2, b);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) fill(st, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

static void fill_sub(sqlite3_stmt *st, void *out)
{
    row_sub(st, out);
}

static void fill_deleg(sqlite3_stmt *st, void *out)
{
    row_deleg(st, out);
}

int sq_submission_get(struct store *base, int64_t id, struct submission_rec *out)
{
    return get_one(base, A_SUB_GET, id, 0, out, fill_sub);
}

int sq_delegation_get(struct store *base, int64_t id, struct delegation_rec *out)
{
    return get_one(base, A_DELEG_GET, id, 0, out, fill_deleg);
}

int sq_delegation_active(struct store *base, int64_t operator_org, int64_t vendor_org,
                         struct delegation_rec *out)
{
    return get_one(base, A_DELEG_ACTIVE, operator_org, vendor_org, out, fill_deleg);
}

int sq_submission_list(struct store *base, int64_t org_id, int64_t after, store_submission_cb cb,
                       void *ctx)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, A_SUB_LIST) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, org_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct submission_rec rec;
        row_sub(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_delegation_list(struct store *base, int64_t org_id, int64_t after, store_delegation_cb cb,
                       void *ctx)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, A_DELEG_LIST) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, org_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct delegation_rec rec;
        row_deleg(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_filing_counts(struct store *base, int64_t org_id, int64_t after_org, const char *today,
                     const char *due_from, store_filing_cb cb, void *ctx)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    sqlite3_stmt *st = c ? q(c, A_FILING_COUNTS) : NULL;
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_int64(st, 2, after_org);
    sq_bind_text(st, 3, today);
    sq_bind_text(st, 4, due_from);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct filing_counts fc = {
            .org_id = sqlite3_column_int64(st, 0),
            .live = sqlite3_column_int64(st, 1),
            .retired = sqlite3_column_int64(st, 2),
            .versions = sqlite3_column_int64(st, 3),
            .filed_late = sqlite3_column_int64(st, 4),
            .drafts = sqlite3_column_int64(st, 5),
            .drafts_overdue = sqlite3_column_int64(st, 6),
            .drafts_due = sqlite3_column_int64(st, 7),
            .drafts_unknown = sqlite3_column_int64(st, 8),
        };
        if (!cb(&fc, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}
