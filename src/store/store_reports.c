/*
 * store_reports.c — the SQLite side of incident reporting (migration 0004): filing a report
 * (a new incident with its identification number, or the next 第N報), routing rows, attachment
 * uploads and binding, acknowledgments, and the reads behind /api/v1/incidents.
 *
 * A report is one write job. The next number is taken in the transaction with a check on the
 * number the caller diffed against, so two follow-ups filed at once cannot both become 第N報;
 * the loser gets a conflict and files again against the new latest report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/deadline.h"
#include "store/sq_internal.h"

enum {
    R_SEQ_NEXT = SQ_EXT_REPORTS,
    R_INC_INSERT,
    R_INC_ADVANCE,
    R_REP_INSERT,
    R_ROUTE_INSERT,
    R_ASSETS_CLEAR,
    R_ASSET_LINK,
    R_ATT_BIND,
    R_ATT_LIST_ON,
    R_ATT_INSERT,
    R_ACK,
    R_INC_GET,
    R_INC_LIST,
    R_REP_GET,
    R_REP_LATEST,
    R_REP_LIST,
    R_ROUTES,
    R_INC_ASSETS,
    R_ATT_BY_REPORT,
    R_ATT_BY_INCIDENT,
    R_ATT_GET,
    R_ATT_CONTENT,
    R_RECIPIENTS,
    R_ATT_STAGED,
    R_ATT_PER_INCIDENT,
    R_ATT_BY_ADVISORY,
    R__END
};
_Static_assert(R__END <= SQ_EXT_PRODUCTS, "store_reports.c runs into store_products.c's slots");

#define INC_COLS                                                                                   \
    "id, ident, reporter_org, relay_org, anonymised, form, sectors, recipients, tlp, severity, "   \
    "status, reports, created_ms, updated_ms, aware_ms, hosting, awareness_source, "               \
    "coalesce(detailed_due, ''), detailed_due_ms, quick_target_ms, quick_ms, detailed_ms, "        \
    "event_class, categories, reportable, reason, "                                                \
    "(SELECT o.type FROM orgs o WHERE o.id = reporter_org) FROM incidents"
#define REP_COLS                                                                                   \
    "id, incident_id, number, kind, form, form_version, tlp, severity, opt_out, filed_by_user, "   \
    "filed_by_org, filed_ms"
#define ATT_COLS                                                                                   \
    "a.id, coalesce(a.incident_id, 0), a.org_id, a.user_id, a.size, a.created_ms, a.name, "        \
    "a.media_type, a.role, a.sha256"

static const char *const r_sql[R__END - SQ_EXT_REPORTS] = {
#define S(k) [(k)-SQ_EXT_REPORTS]
    S(R_SEQ_NEXT) = "INSERT INTO incident_ident_seq (year, last) VALUES (?1, 1) ON CONFLICT (year) "
                    "DO UPDATE SET last = last + 1 RETURNING last",
    /* Both statements take the incident's state after the report at ?10..?22 (bind_state). */
    S(R_INC_INSERT) =
        "INSERT INTO incidents (ident, reporter_org, relay_org, anonymised, form, sectors, "
        "recipients, created_ms, updated_ms, reports, quick_ms, detailed_ms, tlp, severity, "
        "status, aware_ms, hosting, awareness_source, detailed_due, detailed_due_ms, "
        "quick_target_ms, event_class, categories, reportable, reason) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?8, 1, ?8, CASE ?9 WHEN 'detailed' THEN ?8 ELSE 0 END, ?10, ?11, ?12, "
        "?13, ?14, ?15, NULLIF(?16, ''), ?17, ?18, ?19, ?20, ?21, ?22)",
    S(R_INC_ADVANCE) =
        "UPDATE incidents SET reports = reports + 1, updated_ms = ?8, "
        "detailed_ms = CASE WHEN detailed_ms = 0 AND ?9 = 'detailed' THEN ?8 ELSE detailed_ms "
        "END, tlp = ?10, severity = ?11, status = ?12, aware_ms = ?13, hosting = ?14, "
        "awareness_source = ?15, detailed_due = NULLIF(?16, ''), detailed_due_ms = ?17, "
        "quick_target_ms = ?18, event_class = ?19, categories = ?20, reportable = ?21, "
        "reason = ?22 WHERE id = ?1 AND reports = ?2 RETURNING reports, ident",
    S(R_REP_INSERT) =
        "INSERT INTO incident_reports (incident_id, number, kind, form, form_version, "
        "tlp, severity, opt_out, filed_by_user, filed_by_org, filed_ms, body, changes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    S(R_ROUTE_INSERT) = "INSERT INTO report_routes (report_id, org_id, role, received_ms) "
                        "VALUES (?1, ?2, ?3, ?4)",
    S(R_ASSETS_CLEAR) = "DELETE FROM incident_assets WHERE incident_id = ?1",
    S(R_ASSET_LINK) = "INSERT OR IGNORE INTO incident_assets (incident_id, asset_id) "
                      "VALUES (?1, ?2)",
    S(R_ATT_BIND) = "UPDATE attachments SET incident_id = ?2 WHERE id = ?1 AND (incident_id = ?2 "
                    "OR (incident_id IS NULL AND advisory_id IS NULL AND org_id = ?3))",
    S(R_ATT_LIST_ON) = "INSERT OR IGNORE INTO report_attachments (report_id, attachment_id, grp) "
                       "VALUES (?1, ?2, ?3)",
    S(R_ATT_INSERT) = "INSERT INTO attachments (incident_id, org_id, user_id, name, media_type, "
                      "role, size, sha256, created_ms, indicators, content) "
                      "VALUES (NULLIF(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    S(R_ACK) = "UPDATE report_routes SET acked_ms = ?3, acked_by = ?4 WHERE report_id = ?1 "
               "AND org_id = ?2 AND acked_ms = 0",
    S(R_INC_GET) = "SELECT " INC_COLS " WHERE id = ?1",
    S(R_INC_LIST) = "SELECT " INC_COLS " WHERE id > ?1 AND (?2 = 0 OR reporter_org = ?2) "
                    "AND (?3 = 0 OR (sectors & ?3) != 0) AND (?4 IS NULL OR form = ?4) "
                    "AND (?5 IS NULL OR status = ?5) "
                    "AND (?6 IS NULL OR (detailed_ms = 0 AND detailed_due < ?6)) "
                    "AND (?7 = 0 OR created_ms >= ?7) AND (?8 = 0 OR created_ms < ?8) "
                    "AND (?9 IS NULL OR ident = ?9) ORDER BY id",
    S(R_REP_GET) = "SELECT " REP_COLS ", body, changes FROM incident_reports "
                   "WHERE incident_id = ?1 AND number = ?2",
    S(R_REP_LATEST) = "SELECT " REP_COLS ", body, changes FROM incident_reports "
                      "WHERE incident_id = ?1 ORDER BY number DESC LIMIT 1",
    S(R_REP_LIST) = "SELECT " REP_COLS " FROM incident_reports WHERE incident_id = ?1 "
                    "ORDER BY number",
    S(R_ROUTES) = "SELECT report_id, org_id, role, received_ms, acked_ms, acked_by "
                  "FROM report_routes WHERE report_id = ?1 ORDER BY role DESC, org_id",
    S(R_INC_ASSETS) = "SELECT asset_id FROM incident_assets WHERE incident_id = ?1 "
                      "ORDER BY asset_id",
    S(R_ATT_BY_REPORT) = "SELECT " ATT_COLS ", l.grp, a.indicators FROM report_attachments l "
                         "JOIN attachments a ON a.id = l.attachment_id WHERE l.report_id = ?1 "
                         "ORDER BY a.id",
    S(R_ATT_BY_INCIDENT) = "SELECT " ATT_COLS ", '', a.indicators FROM attachments a "
                           "WHERE a.incident_id = ?1 ORDER BY a.id",
    /* Column 13 (after the content's 12) is the advisory the file is bound to. */
    S(R_ATT_GET) = "SELECT " ATT_COLS ", '', NULL, NULL, coalesce(a.advisory_id, 0) "
                   "FROM attachments a WHERE a.id = ?1",
    S(R_ATT_CONTENT) = "SELECT " ATT_COLS ", '', NULL, a.content, coalesce(a.advisory_id, 0) "
                       "FROM attachments a WHERE a.id = ?1",
    S(R_ATT_BY_ADVISORY) = "SELECT " ATT_COLS ", '', NULL, NULL, a.advisory_id FROM attachments a "
                           "WHERE a.advisory_id = ?1 ORDER BY a.id",
    S(R_RECIPIENTS) = "SELECT id, type FROM orgs WHERE type = 'national_centre' "
                      "OR (type = 'ministry' AND (sectors & ?1) != 0) ORDER BY id",
    S(R_ATT_STAGED) = "SELECT count(*) FROM attachments WHERE incident_id IS NULL "
                      "AND advisory_id IS NULL AND org_id = ?1",
    S(R_ATT_PER_INCIDENT) = "SELECT count(*) FROM attachments WHERE incident_id = ?1",
#undef S
};

static sqlite3_stmt *q(struct sq_conn *c, int slot)
{
    return sq_ext(c, slot, r_sql[slot - SQ_EXT_REPORTS]);
}

int sq_jst_year(int64_t ms)
{
    struct dl_date d;
    int64_t days = (ms / 1000 + 9 * 3600) / 86400;
    if (dl_from_days((int32_t)days, &d) != RK_OK) return 1970;
    return d.y;
}

static int recipients_text(const struct report_filing *f, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < f->nrecipients; i++) {
        int k = snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", (long long)f->recipients[i]);
        if (k < 0 || (size_t)k >= cap - n) return RK_EINVAL;
        n += (size_t)k;
    }
    return RK_OK;
}

/* The incident's state after the report, and the filing time and kind: ?8..?22 of
 * R_INC_INSERT and R_INC_ADVANCE. */
static void bind_state(sqlite3_stmt *st, const struct report_filing *f, int64_t now)
{
    sqlite3_bind_int64(st, 8, now);
    sq_bind_text(st, 9, f->kind);
    sqlite3_bind_int(st, 10, (int)f->tlp);
    sq_bind_text(st, 11, f->severity);
    sq_bind_text(st, 12, f->status);
    sqlite3_bind_int64(st, 13, f->aware_ms);
    sq_bind_text(st, 14, f->hosting);
    sq_bind_text(st, 15, f->awareness_source);
    sq_bind_text(st, 16, f->detailed_due);
    sqlite3_bind_int64(st, 17, f->detailed_due_ms);
    sqlite3_bind_int64(st, 18, f->quick_target_ms);
    sq_bind_text(st, 19, f->event_class);
    sqlite3_bind_int(st, 20, (int)f->categories);
    sq_bind_text(st, 21, f->reportable);
    sq_bind_text(st, 22, f->reason);
}

static int new_incident(struct sq_store *s, struct report_filing *f, int64_t now)
{
    sqlite3_stmt *st = q(&s->w, R_SEQ_NEXT);
    if (!st) return RK_EIO;
    int year = sq_jst_year(now);
    sqlite3_bind_int(st, 1, year);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return RK_EIO;
    }
    int64_t seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    snprintf(f->out_ident, sizeof f->out_ident, "NC-%04d-%06lld", year, (long long)seq);
    char recips[STORE_MAX_RECIPIENTS * 21];
    if (recipients_text(f, recips, sizeof recips) != RK_OK) return RK_EINVAL;
    if (!(st = q(&s->w, R_INC_INSERT))) return RK_EIO;
    sq_bind_text(st, 1, f->out_ident);
    sqlite3_bind_int64(st, 2, f->reporter_org);
    sqlite3_bind_int64(st, 3, f->relay_org);
    sqlite3_bind_int(st, 4, f->anonymised);
    sq_bind_text(st, 5, f->form);
    sqlite3_bind_int64(st, 6, (int64_t)f->sectors);
    sq_bind_text(st, 7, recips);
    bind_state(st, f, now);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    f->out_incident_id = sqlite3_last_insert_rowid(s->w.db);
    f->out_number = 1;
    return RK_OK;
}

static int advance_incident(struct sq_store *s, struct report_filing *f, int64_t now)
{
    sqlite3_stmt *st = q(&s->w, R_INC_ADVANCE);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, f->incident_id);
    sqlite3_bind_int64(st, 2, f->expect_number);
    bind_state(st, f, now);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        f->out_number = sqlite3_column_int64(st, 0);
        sq_col_text(st, 1, f->out_ident, sizeof f->out_ident);
    }
    sqlite3_reset(st);
    if (r == SQLITE_DONE) return RK_ECONFLICT; /* another report landed first */
    if (r != SQLITE_ROW) return RK_EIO;
    f->out_incident_id = f->incident_id;
    return RK_OK;
}

static int insert_report(struct sq_store *s, struct report_filing *f, int64_t now)
{
    sqlite3_stmt *st = q(&s->w, R_REP_INSERT);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, f->out_incident_id);
    sqlite3_bind_int64(st, 2, f->out_number);
    sq_bind_text(st, 3, f->kind);
    sq_bind_text(st, 4, f->form);
    sqlite3_bind_int(st, 5, f->form_version);
    sqlite3_bind_int(st, 6, (int)f->tlp);
    sq_bind_text(st, 7, f->severity);
    sqlite3_bind_int(st, 8, (int)f->opt_out);
    sqlite3_bind_int64(st, 9, f->filed_by_user);
    sqlite3_bind_int64(st, 10, f->filed_by_org);
    sqlite3_bind_int64(st, 11, now);
    sqlite3_bind_text(st, 12, f->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, f->changes ? f->changes : "[]", -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    f->out_report_id = sqlite3_last_insert_rowid(s->w.db);
    for (size_t i = 0; i < f->nrecipients; i++) {
        if (!(st = q(&s->w, R_ROUTE_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->out_report_id);
        sqlite3_bind_int64(st, 2, f->recipients[i]);
        sq_bind_text(st, 3, f->recipient_roles[i]);
        sqlite3_bind_int64(st, 4, now);
        if ((rc = sq_step_done(st)) != RK_OK) return rc;
    }
    return RK_OK;
}

static int link_assets(struct sq_store *s, const struct report_filing *f)
{
    if (!f->assets) return RK_OK; /* not given: the incident keeps its list */
    sqlite3_stmt *st = q(&s->w, R_ASSETS_CLEAR);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, f->out_incident_id);
    int rc = sq_step_done(st);
    for (size_t i = 0; rc == RK_OK && i < f->nassets; i++) {
        if (!(st = q(&s->w, R_ASSET_LINK))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->out_incident_id);
        sqlite3_bind_int64(st, 2, f->assets[i]);
        rc = sq_step_done(st);
    }
    return rc;
}

static int bind_attachments(struct sq_store *s, struct store_write *w)
{
    const struct report_filing *f = w->report;
    for (size_t i = 0; i < f->nattachments; i++) {
        sqlite3_stmt *st = q(&s->w, R_ATT_BIND);
        if (!st) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->attachments[i]);
        sqlite3_bind_int64(st, 2, f->out_incident_id);
        sqlite3_bind_int64(st, 3, f->filed_by_org);
        int rc = sq_step_done(st);
        if (rc != RK_OK) return rc;
        if (sqlite3_changes(s->w.db) == 0) {
            sq_conflict(w, "/attachments");
            return RK_ECONFLICT; /* gone, or bound to another incident meanwhile */
        }
        if (!(st = q(&s->w, R_ATT_LIST_ON))) return RK_EIO;
        sqlite3_bind_int64(st, 1, f->out_report_id);
        sqlite3_bind_int64(st, 2, f->attachments[i]);
        sq_bind_text(st, 3, f->attachment_groups ? f->attachment_groups[i] : "");
        if ((rc = sq_step_done(st)) != RK_OK) return rc;
    }
    return RK_OK;
}

int sq_job_report_file(struct sq_store *s, struct store_write *w)
{
    struct report_filing *f = w->report;
    if (!f || !f->body || !f->kind || !f->form) return RK_EINVAL;
    int64_t now = store_now_ms();
    int rc = f->incident_id ? advance_incident(s, f, now) : new_incident(s, f, now);
    if (rc == RK_ECONFLICT && f->incident_id) sq_conflict(w, "/number");
    if (rc == RK_OK) rc = insert_report(s, f, now);
    if (rc == RK_OK) rc = link_assets(s, f);
    if (rc == RK_OK) rc = bind_attachments(s, w);
    if (rc != RK_OK) return rc;
    f->out_filed_ms = now;
    w->out_id = f->out_incident_id;
    return RK_OK;
}

int sq_job_report_ack(struct sq_store *s, struct store_write *w)
{
    sqlite3_stmt *st = q(&s->w, R_ACK);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, w->user.org_id);
    sqlite3_bind_int64(st, 3, store_now_ms());
    sqlite3_bind_int64(st, 4, w->audit.user_id);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) {
        sq_conflict(w, "/acknowledged_at"); /* acknowledged already (once, by the first) */
        return RK_ECONFLICT;
    }
    w->out_id = w->target_id;
    return RK_OK;
}

int sq_job_attachment_put(struct sq_store *s, struct store_write *w)
{
    const struct attachment_upload *a = w->attachment;
    if (!a || !a->content || !a->name || !a->media_type || !a->role || !a->sha256) return RK_EINVAL;
    /* Staged files wait for a report; neither an organisation nor an incident may pile up
     * more than these. */
    sqlite3_stmt *st = q(&s->w, a->incident_id ? R_ATT_PER_INCIDENT : R_ATT_STAGED);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, a->incident_id ? a->incident_id : a->org_id);
    int64_t held = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    if (held < 0) return RK_EIO;
    if (held >= (a->incident_id ? STORE_INCIDENT_FILES_MAX : STORE_STAGED_MAX)) {
        sq_conflict(w, a->incident_id ? "/incident_files" : "/staged");
        return RK_ECONFLICT;
    }
    if (!(st = q(&s->w, R_ATT_INSERT))) return RK_EIO;
    sqlite3_bind_int64(st, 1, a->incident_id);
    sqlite3_bind_int64(st, 2, a->org_id);
    sqlite3_bind_int64(st, 3, a->user_id);
    sq_bind_text(st, 4, a->name);
    sq_bind_text(st, 5, a->media_type);
    sq_bind_text(st, 6, a->role);
    sqlite3_bind_int64(st, 7, (int64_t)a->size);
    sq_bind_text(st, 8, a->sha256);
    sqlite3_bind_int64(st, 9, store_now_ms());
    if (a->indicators)
        sqlite3_bind_text(st, 10, a->indicators, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 10);
    sqlite3_bind_blob64(st, 11, a->content, a->size, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc == RK_OK) w->out_id = sqlite3_last_insert_rowid(s->w.db);
    return rc;
}

/* ---- reads ------------------------------------------------------------------------------ */

static void parse_recipients(const char *t, struct incident_rec *r)
{
    r->nrecipients = 0;
    while (t && *t && r->nrecipients < STORE_MAX_RECIPIENTS) {
        char *end;
        long long v = strtoll(t, &end, 10);
        if (end == t) break;
        r->recipients[r->nrecipients++] = v;
        t = *end == ',' ? end + 1 : end;
    }
}

static void row_incident(sqlite3_stmt *st, struct incident_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    sq_col_text(st, 1, r->ident, sizeof r->ident);
    r->reporter_org = sqlite3_column_int64(st, 2);
    r->relay_org = sqlite3_column_int64(st, 3);
    r->anonymised = sqlite3_column_int(st, 4) != 0;
    sq_col_text(st, 5, r->form, sizeof r->form);
    r->sectors = (uint64_t)sqlite3_column_int64(st, 6);
    parse_recipients((const char *)sqlite3_column_text(st, 7), r);
    r->tlp = (enum pol_tlp)sqlite3_column_int(st, 8);
    sq_col_text(st, 9, r->severity, sizeof r->severity);
    sq_col_text(st, 10, r->status, sizeof r->status);
    r->reports = sqlite3_column_int64(st, 11);
    r->created_ms = sqlite3_column_int64(st, 12);
    r->updated_ms = sqlite3_column_int64(st, 13);
    r->aware_ms = sqlite3_column_int64(st, 14);
    sq_col_text(st, 15, r->hosting, sizeof r->hosting);
    sq_col_text(st, 16, r->awareness_source, sizeof r->awareness_source);
    sq_col_text(st, 17, r->detailed_due, sizeof r->detailed_due);
    r->detailed_due_ms = sqlite3_column_int64(st, 18);
    r->quick_target_ms = sqlite3_column_int64(st, 19);
    r->quick_ms = sqlite3_column_int64(st, 20);
    r->detailed_ms = sqlite3_column_int64(st, 21);
    sq_col_text(st, 22, r->event_class, sizeof r->event_class);
    r->categories = (unsigned)sqlite3_column_int(st, 23);
    sq_col_text(st, 24, r->reportable, sizeof r->reportable);
    sq_col_text(st, 25, r->reason, sizeof r->reason);
    char type[32];
    sq_col_text(st, 26, type, sizeof type);
    if (policy_org_type_parse(type, &r->reporter_type) != RK_OK) r->reporter_type = POL_ORG_OTHER;
}

static void row_report(sqlite3_stmt *st, struct report_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->incident_id = sqlite3_column_int64(st, 1);
    r->number = sqlite3_column_int64(st, 2);
    sq_col_text(st, 3, r->kind, sizeof r->kind);
    sq_col_text(st, 4, r->form, sizeof r->form);
    r->form_version = sqlite3_column_int(st, 5);
    r->tlp = (enum pol_tlp)sqlite3_column_int(st, 6);
    sq_col_text(st, 7, r->severity, sizeof r->severity);
    r->opt_out = (unsigned)sqlite3_column_int(st, 8);
    r->filed_by_user = sqlite3_column_int64(st, 9);
    r->filed_by_org = sqlite3_column_int64(st, 10);
    r->filed_ms = sqlite3_column_int64(st, 11);
}

static void row_attachment(sqlite3_stmt *st, struct attachment_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->incident_id = sqlite3_column_int64(st, 1);
    r->org_id = sqlite3_column_int64(st, 2);
    r->user_id = sqlite3_column_int64(st, 3);
    r->size = sqlite3_column_int64(st, 4);
    r->created_ms = sqlite3_column_int64(st, 5);
    sq_col_text(st, 6, r->name, sizeof r->name);
    sq_col_text(st, 7, r->media_type, sizeof r->media_type);
    sq_col_text(st, 8, r->role, sizeof r->role);
    sq_col_text(st, 9, r->sha256, sizeof r->sha256);
    sq_col_text(st, 10, r->grp, sizeof r->grp);
    r->indicators = (const char *)sqlite3_column_text(st, 11);
    if (sqlite3_column_count(st) > 13) r->advisory_id = sqlite3_column_int64(st, 13);
}

static sqlite3_stmt *reader_q(struct store *base, int slot)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    return c ? q(c, slot) : NULL;
}

/* Steps through a statement already bound, calling row for each; stops when row says so. */
#define SQ_EACH(st, ROW)                                                                           \
    int r_;                                                                                        \
    while ((r_ = sqlite3_step(st)) == SQLITE_ROW) {                                                \
        if (!(ROW)) {                                                                              \
            r_ = SQLITE_DONE;                                                                      \
            break;                                                                                 \
        }                                                                                          \
    }                                                                                              \
    sqlite3_reset(st);                                                                             \
    return r_ == SQLITE_DONE ? RK_OK : RK_EIO

int sq_incident_get(struct store *base, int64_t id, struct incident_rec *out)
{
    sqlite3_stmt *st = reader_q(base, R_INC_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) row_incident(st, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

static bool incident_row(sqlite3_stmt *st, store_incident_cb cb, void *ctx)
{
    struct incident_rec rec;
    row_incident(st, &rec);
    return cb(&rec, ctx);
}

int sq_incident_list(struct store *base, const struct incident_filter *f, int64_t after,
                     store_incident_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, R_INC_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, f->reporter_org);
    sqlite3_bind_int64(st, 3, (int64_t)f->sectors);
    if (f->form) sq_bind_text(st, 4, f->form);
    if (f->status) sq_bind_text(st, 5, f->status);
    if (f->overdue_before) sq_bind_text(st, 6, f->overdue_before);
    sqlite3_bind_int64(st, 7, f->from_ms);
    sqlite3_bind_int64(st, 8, f->to_ms);
    if (f->ident) sq_bind_text(st, 9, f->ident);
    SQ_EACH(st, incident_row(st, cb, ctx));
}

void store_report_rec_free(struct report_rec *r)
{
    if (!r) return;
    free(r->body);
    free(r->changes);
    r->body = r->changes = NULL;
}

int sq_report_get(struct store *base, int64_t incident_id, int64_t number, struct report_rec *out)
{
    sqlite3_stmt *st = reader_q(base, number ? R_REP_GET : R_REP_LATEST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, incident_id);
    if (number) sqlite3_bind_int64(st, 2, number);
    int r = sqlite3_step(st), rc = RK_OK;
    if (r == SQLITE_ROW) {
        row_report(st, out);
        const char *b = (const char *)sqlite3_column_text(st, 12);
        const char *c = (const char *)sqlite3_column_text(st, 13);
        out->body = strdup(b ? b : "{}");
        out->changes = strdup(c ? c : "[]");
        if (!out->body || !out->changes) {
            store_report_rec_free(out);
            rc = RK_ENOMEM;
        }
    } else {
        rc = r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
    }
    sqlite3_reset(st);
    return rc;
}

static bool report_row(sqlite3_stmt *st, store_report_cb cb, void *ctx)
{
    struct report_rec rec;
    row_report(st, &rec);
    return cb(&rec, ctx);
}

int sq_report_list(struct store *base, int64_t incident_id, store_report_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, R_REP_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, incident_id);
    SQ_EACH(st, report_row(st, cb, ctx));
}

static bool route_row(sqlite3_stmt *st, store_route_cb cb, void *ctx)
{
    struct route_rec rec = {0};
    rec.report_id = sqlite3_column_int64(st, 0);
    rec.org_id = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, rec.role, sizeof rec.role);
    rec.received_ms = sqlite3_column_int64(st, 3);
    rec.acked_ms = sqlite3_column_int64(st, 4);
    rec.acked_by = sqlite3_column_int64(st, 5);
    return cb(&rec, ctx);
}

int sq_report_routes(struct store *base, int64_t report_id, store_route_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, R_ROUTES);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, report_id);
    SQ_EACH(st, route_row(st, cb, ctx));
}

int sq_incident_assets(struct store *base, int64_t incident_id, int64_t *ids, size_t cap, size_t *n)
{
    sqlite3_stmt *st = reader_q(base, R_INC_ASSETS);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, incident_id);
    *n = 0;
    SQ_EACH(st, *n < cap && ((ids[(*n)++] = sqlite3_column_int64(st, 0)), true));
}

static bool attachment_row(sqlite3_stmt *st, store_attachment_cb cb, void *ctx)
{
    struct attachment_rec rec;
    row_attachment(st, &rec);
    return cb(&rec, ctx);
}

int sq_attachment_list(struct store *base, int64_t incident_id, int64_t report_id,
                       store_attachment_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, report_id ? R_ATT_BY_REPORT : R_ATT_BY_INCIDENT);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, report_id ? report_id : incident_id);
    SQ_EACH(st, attachment_row(st, cb, ctx));
}

int sq_attachment_get(struct store *base, int64_t id, struct attachment_rec *out)
{
    sqlite3_stmt *st = reader_q(base, R_ATT_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        row_attachment(st, out);
        out->indicators = NULL;
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

int sq_attachment_content(struct store *base, int64_t id, store_blob_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, R_ATT_CONTENT);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        struct attachment_rec rec;
        row_attachment(st, &rec);
        rec.indicators = NULL;
        const void *data = sqlite3_column_blob(st, 12);
        size_t len = (size_t)sqlite3_column_bytes(st, 12);
        cb(&rec, data ? data : "", len, ctx);
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

int sq_advisory_attachments(struct store *base, int64_t advisory_id, store_attachment_cb cb,
                            void *ctx)
{
    sqlite3_stmt *st = reader_q(base, R_ATT_BY_ADVISORY);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, advisory_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct attachment_rec rec;
        row_attachment(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_report_recipients(struct store *base, uint64_t sectors, int64_t *ids,
                         enum pol_org_type *types, size_t cap, size_t *n)
{
    sqlite3_stmt *st = reader_q(base, R_RECIPIENTS);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, (int64_t)sectors);
    *n = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
        char type[32];
        sq_col_text(st, 1, type, sizeof type);
        if (policy_org_type_parse(type, &types[*n]) != RK_OK) continue;
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? RK_OK : RK_EIO;
}
