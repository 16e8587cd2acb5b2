/*
 * store_dissem.c — the SQLite side of dissemination (migration 0006): advisories (drafts, edits,
 * sending with delivery in the same transaction), inbox rows (delivery, relays, acknowledgments),
 * council threads, working groups and their messages.
 *
 * Delivery is durable or absent: the inbox rows of a send, a relay, a product release or a
 * message are inserted by the job that makes the object visible, inside its SAVEPOINT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "store/sq_internal.h"

enum {
    D_SEQ_NEXT = SQ_EXT_DISSEM,
    D_ADV_INSERT,
    D_ADV_SERIES,
    D_ADV_UPDATE,
    D_ADV_SEND,
    D_ADV_STATE,
    D_ADV_GET,
    D_ADV_LIST,
    D_INBOX_INSERT,
    D_INBOX_ACK,
    D_INBOX_GET,
    D_INBOX_LIST,
    D_INBOX_OBJECT,
    D_THR_INSERT,
    D_THR_UPDATE,
    D_MEM_CLEAR,
    D_MEM_INSERT,
    D_THR_GET,
    D_MEM_LIST,
    D_THR_LIST,
    D_MSG_INSERT,
    D_MSG_LIST,
    D_MSG_GET,
    D_ADV_PUBLIC,
    D_ADV_LIST_HELD,
    D_INBOX_LIST_KIND,
    D_ATT_RELEASE,
    D_ATT_BIND,
    D__END
};
_Static_assert(D__END <= SQ_EXT_MAX, "raise SQ_EXT_MAX");

#define ADV_COLS                                                                                   \
    "a.id, a.ident, a.number, coalesce(a.follows_id, 0), a.status, a.sender_org, a.tlp, "          \
    "a.severity, a.sectors, a.title, a.source_incident, a.source_report, a.created_ms, "           \
    "a.created_by, a.updated_ms, a.sent_ms, a.sent_by, a.direct, a.version, a.body, a.labels, "    \
    "a.named, a.agreement"
#define INBOX_COLS                                                                                 \
    "id, org_id, kind, object_id, delivered_ms, relayed_from_org, relayed_by, "                    \
    "coalesce(ack, ''), ack_ms, ack_by FROM inbox_items"
#define THR_COLS "id, owner_org, grp, title, created_ms, created_by, updated_ms, version"

static const char *const d_sql[D__END - SQ_EXT_DISSEM] = {
#define S(k) [(k)-SQ_EXT_DISSEM]
    S(D_SEQ_NEXT) = "INSERT INTO advisory_ident_seq (year, last) VALUES (?1, 1) ON CONFLICT (year) "
                    "DO UPDATE SET last = last + 1 RETURNING last",
    S(D_ADV_INSERT) =
        "INSERT INTO advisories (ident, number, follows_id, status, sender_org, tlp, severity, "
        "sectors, named, title, body, labels, source_incident, source_report, agreement, "
        "created_ms, created_by, updated_ms) VALUES (?1, ?2, NULLIF(?3, 0), 'draft', ?4, ?5, ?6, "
        "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15)",
    /* The series of a sent advisory, its next number, and whether a draft is pending in it. */
    S(D_ADV_SERIES) = "SELECT a.ident, (SELECT max(b.number) FROM advisories b WHERE b.ident = "
                      "a.ident) + 1, EXISTS (SELECT 1 FROM advisories c WHERE c.ident = a.ident "
                      "AND c.status = 'draft') FROM advisories a WHERE a.id = ?1 "
                      "AND a.status = 'sent'",
    S(D_ADV_UPDATE) = "UPDATE advisories SET tlp = ?3, severity = ?4, sectors = ?5, named = ?6, "
                      "title = ?7, body = ?8, labels = ?9, source_incident = ?10, "
                      "source_report = ?11, agreement = ?12, updated_ms = ?13, "
                      "version = version + 1 WHERE id = ?1 AND version = ?2 AND status = 'draft'",
    S(D_ADV_SEND) = "UPDATE advisories SET status = 'sent', sent_ms = ?3, sent_by = ?4, "
                    "direct = ?5, named = ?6, updated_ms = ?3, version = version + 1 "
                    "WHERE id = ?1 AND version = ?2 AND status = 'draft'",
    S(D_ADV_STATE) = "SELECT status FROM advisories WHERE id = ?1",
    S(D_ADV_GET) = "SELECT " ADV_COLS ", 0 FROM advisories a WHERE a.id = ?1",
    S(D_ADV_LIST) =
        "SELECT " ADV_COLS ", EXISTS (SELECT 1 FROM inbox_items i WHERE i.kind = 'advisory' "
        "AND i.object_id = a.id AND i.org_id = ?4) AS held FROM advisories a "
        "WHERE a.id > ?1 AND (?2 IS NULL OR a.status = ?2) AND (?3 IS NULL OR a.ident = ?3) "
        "AND (?5 = 0 OR (a.status = 'sent' AND a.tlp = 0) OR EXISTS (SELECT 1 FROM inbox_items i "
        "WHERE i.kind = 'advisory' AND i.object_id = a.id AND i.org_id = ?4)) ORDER BY a.id",
    S(D_INBOX_INSERT) = "INSERT OR IGNORE INTO inbox_items (org_id, kind, object_id, delivered_ms, "
                        "relayed_from_org, relayed_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    S(D_INBOX_ACK) = "UPDATE inbox_items SET ack = ?4, ack_ms = ?5, ack_by = ?6 "
                     "WHERE kind = ?1 AND object_id = ?2 AND org_id = ?3",
    S(D_INBOX_GET) = "SELECT " INBOX_COLS " WHERE kind = ?1 AND object_id = ?2 AND org_id = ?3",
    S(D_INBOX_LIST) = "SELECT " INBOX_COLS " WHERE org_id = ?1 AND id < ?2 "
                      "AND (?3 IS NULL OR kind = ?3) AND (?4 = 0 OR ack IS NULL) "
                      "ORDER BY id DESC",
    S(D_INBOX_OBJECT) = "SELECT " INBOX_COLS " WHERE kind = ?1 AND object_id = ?2 AND id > ?3 "
                        "ORDER BY id",
    S(D_THR_INSERT) = "INSERT INTO threads (owner_org, grp, title, created_ms, created_by, "
                      "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
    S(D_THR_UPDATE) = "UPDATE threads SET title = ?3, updated_ms = ?4, version = version + 1 "
                      "WHERE id = ?1 AND version = ?2",
    S(D_MEM_CLEAR) = "DELETE FROM thread_members WHERE thread_id = ?1",
    S(D_MEM_INSERT) = "INSERT OR IGNORE INTO thread_members (thread_id, org_id, added_ms, "
                      "added_by) VALUES (?1, ?2, ?3, ?4)",
    S(D_THR_GET) = "SELECT " THR_COLS " FROM threads WHERE id = ?1",
    S(D_MEM_LIST) = "SELECT org_id FROM thread_members WHERE thread_id = ?1 ORDER BY org_id",
    S(D_THR_LIST) = "SELECT " THR_COLS " FROM threads t WHERE t.id > ?1 AND (?3 < 0 OR grp = ?3) "
                    "AND (?2 = 0 OR t.owner_org = ?2 OR EXISTS (SELECT 1 FROM thread_members m "
                    "WHERE m.thread_id = t.id AND m.org_id = ?2)) ORDER BY t.id",
    S(D_MSG_INSERT) = "INSERT INTO messages (thread_id, sender_org, sender_user, tlp, labels, "
                      "body, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    S(D_MSG_LIST) = "SELECT id, thread_id, sender_org, sender_user, tlp, labels, created_ms, body "
                    "FROM messages WHERE thread_id = ?1 AND id > ?2 ORDER BY id",
    S(D_MSG_GET) = "SELECT id, thread_id, sender_org, sender_user, tlp, labels, created_ms, body "
                   "FROM messages WHERE id = ?1",
    /* only_held: driven by the organisation's inbox rows and the public ones (indexes), not by
     * a walk of every advisory. */
    S(D_ADV_LIST_HELD) =
        "SELECT " ADV_COLS ", EXISTS (SELECT 1 FROM inbox_items i WHERE i.kind = 'advisory' "
        "AND i.object_id = a.id AND i.org_id = ?4) AS held FROM advisories a "
        "WHERE a.id > ?1 AND a.id IN (SELECT i.object_id FROM inbox_items i WHERE i.org_id = ?4 "
        "AND i.kind = 'advisory' UNION SELECT p.id FROM advisories p WHERE p.status = 'sent' "
        "AND p.tlp = 0) AND (?2 IS NULL OR a.status = ?2) AND (?3 IS NULL OR a.ident = ?3) "
        "AND ?5 = ?5 ORDER BY a.id",
    S(D_INBOX_LIST_KIND) = "SELECT " INBOX_COLS " WHERE org_id = ?1 AND kind = ?3 AND id < ?2 "
                           "AND (?4 = 0 OR ack IS NULL) ORDER BY id DESC",
    /* Files the draft no longer lists go back to staged; then each listed one is bound. */
    S(D_ATT_RELEASE) = "UPDATE attachments SET advisory_id = NULL WHERE advisory_id = ?1",
    S(D_ATT_BIND) = "UPDATE attachments SET advisory_id = ?1 WHERE id = ?2 AND org_id = ?3 "
                    "AND incident_id IS NULL AND advisory_id IS NULL",
    S(D_ADV_PUBLIC) = "SELECT " ADV_COLS ", 0 FROM advisories a WHERE a.status = 'sent' "
                      "AND a.tlp = 0 ORDER BY a.sent_ms DESC, a.id DESC LIMIT ?1",
#undef S
};

static sqlite3_stmt *q(struct sq_conn *c, int slot)
{
    return sq_ext(c, slot, d_sql[slot - SQ_EXT_DISSEM]);
}

static sqlite3_stmt *reader_q(struct store *base, int slot)
{
    struct sq_conn *c = sq_reader((struct sq_store *)base);
    return c ? q(c, slot) : NULL;
}

/* ---- delivery ---------------------------------------------------------------------------- */

int sq_deliver(struct sq_store *s, const struct inbox_delivery *d, int64_t object_id, int64_t now,
               int64_t *inserted)
{
    *inserted = 0;
    if (d->norgs == 0) return RK_OK;
    if (!d->kind || !d->orgs) return RK_EINVAL;
    for (size_t i = 0; i < d->norgs; i++) {
        sqlite3_stmt *st = q(&s->w, D_INBOX_INSERT);
        if (!st) return RK_EIO;
        sqlite3_bind_int64(st, 1, d->orgs[i]);
        sq_bind_text(st, 2, d->kind);
        sqlite3_bind_int64(st, 3, object_id);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, d->relayed_from);
        sqlite3_bind_int64(st, 6, d->relayed_by);
        int rc = sq_step_done(st);
        if (rc != RK_OK) return rc;
        *inserted += sqlite3_changes(s->w.db);
    }
    return RK_OK;
}

/* ---- advisories -------------------------------------------------------------------------- */

static int why_unchanged(struct sq_store *s, struct store_write *w)
{
    return sq_why_unchanged(w, q(&s->w, D_ADV_STATE), "sent");
}

/* The identification number and 第N報 of a new advisory. A follow-up needs a sent advisory to
 * follow and no unsent 第N報 in the series (else RK_ECONFLICT "/follows"). */
static int series(struct sq_store *s, struct store_write *w, int64_t now)
{
    const struct advisory_input *in = w->advisory;
    sqlite3_stmt *st;
    if (in->follows_id) {
        if (!(st = q(&s->w, D_ADV_SERIES))) return RK_EIO;
        sqlite3_bind_int64(st, 1, in->follows_id);
        int r = sqlite3_step(st);
        bool pending = false;
        if (r == SQLITE_ROW) {
            sq_col_text(st, 0, w->out_ident, sizeof w->out_ident);
            w->out_number = sqlite3_column_int64(st, 1);
            pending = sqlite3_column_int(st, 2) != 0;
        }
        sqlite3_reset(st);
        /* Not sent, or a 第N報 of the series still a draft: numbers go out in order. */
        if (r == SQLITE_DONE || pending) {
            sq_conflict(w, "/follows");
            return RK_ECONFLICT;
        }
        return r == SQLITE_ROW ? RK_OK : RK_EIO;
    }
    if (!(st = q(&s->w, D_SEQ_NEXT))) return RK_EIO;
    int year = sq_jst_year(now);
    sqlite3_bind_int(st, 1, year);
    int r = sqlite3_step(st);
    int64_t seq = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (r != SQLITE_ROW) return RK_EIO;
    snprintf(w->out_ident, sizeof w->out_ident, "AD-%04d-%06lld", year, (long long)seq);
    w->out_number = 1;
    return RK_OK;
}

static int adv_create(struct sq_store *s, struct store_write *w, int64_t now)
{
    const struct advisory_input *in = w->advisory;
    int rc = series(s, w, now);
    if (rc != RK_OK) return rc;
    sqlite3_stmt *st = q(&s->w, D_ADV_INSERT);
    if (!st) return RK_EIO;
    sq_bind_text(st, 1, w->out_ident);
    sqlite3_bind_int64(st, 2, w->out_number);
    sqlite3_bind_int64(st, 3, in->follows_id);
    sqlite3_bind_int64(st, 4, in->sender_org);
    sqlite3_bind_int(st, 5, (int)in->tlp);
    sq_bind_text(st, 6, in->severity ? in->severity : "");
    sqlite3_bind_int64(st, 7, (int64_t)in->sectors);
    sqlite3_bind_text(st, 8, in->named, -1, SQLITE_STATIC);
    sq_bind_text(st, 9, in->title);
    sqlite3_bind_text(st, 10, in->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, in->labels, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, in->source_incident);
    sqlite3_bind_int64(st, 13, in->source_report);
    sq_bind_text(st, 14, in->agreement ? in->agreement : "");
    sqlite3_bind_int64(st, 15, now);
    sqlite3_bind_int64(st, 16, in->user_id);
    rc = sq_step_done(st);
    if (rc == RK_ECONFLICT) sq_conflict(w, "/follows"); /* a second follow-up of the same number */
    if (rc == RK_OK) w->out_id = sqlite3_last_insert_rowid(s->w.db);
    return rc;
}

static int adv_update(struct sq_store *s, struct store_write *w, int64_t now)
{
    const struct advisory_input *in = w->advisory;
    sqlite3_stmt *st = q(&s->w, D_ADV_UPDATE);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, w->expect_version);
    sqlite3_bind_int(st, 3, (int)in->tlp);
    sq_bind_text(st, 4, in->severity ? in->severity : "");
    sqlite3_bind_int64(st, 5, (int64_t)in->sectors);
    sqlite3_bind_text(st, 6, in->named, -1, SQLITE_STATIC);
    sq_bind_text(st, 7, in->title);
    sqlite3_bind_text(st, 8, in->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, in->labels, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, in->source_incident);
    sqlite3_bind_int64(st, 11, in->source_report);
    sq_bind_text(st, 12, in->agreement ? in->agreement : "");
    sqlite3_bind_int64(st, 13, now);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) return why_unchanged(s, w);
    w->out_id = w->target_id;
    return RK_OK;
}

static int adv_send(struct sq_store *s, struct store_write *w, int64_t now)
{
    sqlite3_stmt *st = q(&s->w, D_ADV_SEND);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, w->expect_version);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, w->advisory->user_id);
    sqlite3_bind_int(st, 5, w->advisory->direct ? 1 : 0);
    if (!w->advisory->named) return RK_EINVAL;
    sqlite3_bind_text(st, 6, w->advisory->named, -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) return why_unchanged(s, w);
    w->out_id = w->target_id;
    return sq_deliver(s, &w->deliver, w->target_id, now, &w->out_count);
}

/* Binds the draft's annex files (its whole list) to advisory id. */
static int bind_attachments(struct sq_store *s, struct store_write *w, int64_t id)
{
    const struct advisory_input *in = w->advisory;
    sqlite3_stmt *st = q(&s->w, D_ATT_RELEASE);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int rc = sq_step_done(st);
    for (size_t i = 0; rc == RK_OK && i < in->nattachments; i++) {
        if (!(st = q(&s->w, D_ATT_BIND))) return RK_EIO;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, in->attachments[i]);
        sqlite3_bind_int64(st, 3, in->sender_org);
        if ((rc = sq_step_done(st)) == RK_OK && sqlite3_changes(s->w.db) == 0) {
            char ptr[sizeof w->conflict_field];
            snprintf(ptr, sizeof ptr, "/answers/content/attachments/%zu", i % 1000000);
            sq_conflict(w, ptr);
            rc = RK_ECONFLICT;
        }
    }
    return rc;
}

int sq_job_advisory(struct sq_store *s, struct store_write *w)
{
    const struct advisory_input *in = w->advisory;
    if (!in) return RK_EINVAL;
    int64_t now = store_now_ms();
    switch (w->op) {
    case STORE_W_ADVISORY_CREATE:
    case STORE_W_ADVISORY_UPDATE: {
        if (!in->title || !in->body || !in->labels || !in->named) return RK_EINVAL;
        if (in->nattachments && !in->attachments) return RK_EINVAL;
        int rc = w->op == STORE_W_ADVISORY_CREATE ? adv_create(s, w, now) : adv_update(s, w, now);
        return rc == RK_OK ? bind_attachments(s, w, w->out_id) : rc;
    }
    case STORE_W_ADVISORY_SEND:
        return adv_send(s, w, now);
    default:
        return RK_EINVAL;
    }
}

/* ---- inbox ------------------------------------------------------------------------------- */

int sq_job_inbox(struct sq_store *s, struct store_write *w)
{
    const struct inbox_delivery *d = &w->deliver;
    int64_t now = store_now_ms();
    if (w->op == STORE_W_INBOX_DELIVER) {
        if (!d->object_id) return RK_EINVAL;
        return sq_deliver(s, d, d->object_id, now, &w->out_count);
    }
    if (!d->kind || !d->ack || d->norgs != 1 || !d->orgs) return RK_EINVAL;
    sqlite3_stmt *st = q(&s->w, D_INBOX_ACK);
    if (!st) return RK_EIO;
    sq_bind_text(st, 1, d->kind);
    sqlite3_bind_int64(st, 2, d->object_id);
    sqlite3_bind_int64(st, 3, d->orgs[0]);
    sq_bind_text(st, 4, d->ack);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, w->audit.user_id);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    return sqlite3_changes(s->w.db) == 1 ? RK_OK : RK_ENOTFOUND;
}

/* ---- threads and messages ---------------------------------------------------------------- */

static int members_set(struct sq_store *s, int64_t thread_id, const struct thread_input *in,
                       int64_t now)
{
    sqlite3_stmt *st = q(&s->w, D_MEM_CLEAR);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, thread_id);
    int rc = sq_step_done(st);
    for (size_t i = 0; rc == RK_OK && i < in->nmembers; i++) {
        if (!(st = q(&s->w, D_MEM_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, thread_id);
        sqlite3_bind_int64(st, 2, in->members[i]);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, in->user_id);
        rc = sq_step_done(st);
    }
    return rc;
}

int sq_job_thread(struct sq_store *s, struct store_write *w)
{
    const struct thread_input *in = w->thread;
    if (!in || !in->title || (in->nmembers && !in->members) || in->nmembers > STORE_MAX_MEMBERS)
        return RK_EINVAL;
    int64_t now = store_now_ms();
    sqlite3_stmt *st;
    int rc;
    if (w->op == STORE_W_THREAD_CREATE) {
        if (!(st = q(&s->w, D_THR_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, in->owner_org);
        sqlite3_bind_int(st, 2, in->group ? 1 : 0);
        sq_bind_text(st, 3, in->title);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, in->user_id);
        if ((rc = sq_step_done(st)) != RK_OK) return rc;
        w->out_id = sqlite3_last_insert_rowid(s->w.db);
    } else {
        if (!(st = q(&s->w, D_THR_UPDATE))) return RK_EIO;
        sqlite3_bind_int64(st, 1, w->target_id);
        sqlite3_bind_int64(st, 2, w->expect_version);
        sq_bind_text(st, 3, in->title);
        sqlite3_bind_int64(st, 4, now);
        if ((rc = sq_step_done(st)) != RK_OK) return rc;
        if (sqlite3_changes(s->w.db) == 0) {
            sq_conflict(w, "/version");
            return RK_ECONFLICT;
        }
        w->out_id = w->target_id;
    }
    return members_set(s, w->out_id, in, now);
}

int sq_job_message(struct sq_store *s, struct store_write *w)
{
    const struct message_input *in = w->message;
    if (!in || !in->body) return RK_EINVAL;
    int64_t now = store_now_ms();
    sqlite3_stmt *st = q(&s->w, D_MSG_INSERT);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, in->thread_id);
    sqlite3_bind_int64(st, 2, in->sender_org);
    sqlite3_bind_int64(st, 3, in->sender_user);
    sqlite3_bind_int(st, 4, (int)in->tlp);
    sqlite3_bind_int(st, 5, (int)in->labels);
    sqlite3_bind_text(st, 6, in->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now);
    int rc = sq_step_done(st);
    if (rc != RK_OK) return rc;
    w->out_id = sqlite3_last_insert_rowid(s->w.db);
    return sq_deliver(s, &w->deliver, w->out_id, now, &w->out_count);
}

/* ---- reads ------------------------------------------------------------------------------- */

static void row_advisory(sqlite3_stmt *st, struct advisory_rec *r)
{
    memset(r, 0, sizeof *r);
    char buf[16];
    r->id = sqlite3_column_int64(st, 0);
    sq_col_text(st, 1, r->ident, sizeof r->ident);
    r->number = sqlite3_column_int64(st, 2);
    r->follows_id = sqlite3_column_int64(st, 3);
    sq_col_text(st, 4, buf, sizeof buf);
    r->sent = strcmp(buf, "sent") == 0;
    r->sender_org = sqlite3_column_int64(st, 5);
    int tlp = sqlite3_column_int(st, 6);
    /* Out of range cannot be written by the server; fail closed to RED. */
    r->tlp = tlp >= POL_TLP_CLEAR && tlp <= POL_TLP_RED ? (enum pol_tlp)tlp : POL_TLP_RED;
    sq_col_text(st, 7, r->severity, sizeof r->severity);
    r->sectors = (uint64_t)sqlite3_column_int64(st, 8);
    sq_col_text(st, 9, r->title, sizeof r->title);
    r->source_incident = sqlite3_column_int64(st, 10);
    r->source_report = sqlite3_column_int64(st, 11);
    r->created_ms = sqlite3_column_int64(st, 12);
    r->created_by = sqlite3_column_int64(st, 13);
    r->updated_ms = sqlite3_column_int64(st, 14);
    r->sent_ms = sqlite3_column_int64(st, 15);
    r->sent_by = sqlite3_column_int64(st, 16);
    r->direct = sqlite3_column_int(st, 17) != 0;
    r->version = sqlite3_column_int64(st, 18);
    r->body = (char *)sqlite3_column_text(st, 19);
    r->labels = (char *)sqlite3_column_text(st, 20);
    r->named = (char *)sqlite3_column_text(st, 21);
    r->agreement = (char *)sqlite3_column_text(st, 22);
    r->held = sqlite3_column_int(st, 23) != 0;
    if (!r->body) r->body = (char *)"null";
    if (!r->labels) r->labels = (char *)"{}";
    if (!r->named) r->named = (char *)"[]";
    if (!r->agreement) r->agreement = (char *)"";
}

/* Steps st to the end (or until cb says stop), one record per row. */
static int advisory_rows(sqlite3_stmt *st, store_advisory_cb cb, void *ctx)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct advisory_rec rec;
        row_advisory(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

void store_advisory_rec_free(struct advisory_rec *r)
{
    if (!r) return;
    free(r->body);
    free(r->labels);
    free(r->named);
    free(r->agreement);
    r->body = r->labels = r->named = r->agreement = NULL;
}

int sq_advisory_get(struct store *base, int64_t id, struct advisory_rec *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = reader_q(base, D_ADV_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st), rc = RK_OK;
    if (r == SQLITE_ROW) {
        row_advisory(st, out);
        out->body = strdup(out->body);
        out->labels = strdup(out->labels);
        out->named = strdup(out->named);
        out->agreement = strdup(out->agreement);
        if (!out->body || !out->labels || !out->named || !out->agreement) {
            store_advisory_rec_free(out);
            rc = RK_ENOMEM;
        }
    } else {
        rc = r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
    }
    sqlite3_reset(st);
    if (rc != RK_OK) memset(out, 0, sizeof *out);
    return rc;
}

int sq_advisory_list(struct store *base, const struct advisory_filter *f, int64_t after,
                     store_advisory_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, f && f->only_held ? D_ADV_LIST_HELD : D_ADV_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    if (f && f->status) sq_bind_text(st, 2, f->status);
    if (f && f->ident) sq_bind_text(st, 3, f->ident);
    sqlite3_bind_int64(st, 4, f ? f->held_by : 0);
    sqlite3_bind_int(st, 5, f && f->only_held ? 1 : 0);
    return advisory_rows(st, cb, ctx);
}

int sq_advisory_public(struct store *base, int limit, store_advisory_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, D_ADV_PUBLIC);
    if (!st) return RK_EIO;
    sqlite3_bind_int(st, 1, limit);
    return advisory_rows(st, cb, ctx);
}

static void row_inbox(sqlite3_stmt *st, struct inbox_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->org_id = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, r->kind, sizeof r->kind);
    r->object_id = sqlite3_column_int64(st, 3);
    r->delivered_ms = sqlite3_column_int64(st, 4);
    r->relayed_from = sqlite3_column_int64(st, 5);
    r->relayed_by = sqlite3_column_int64(st, 6);
    sq_col_text(st, 7, r->ack, sizeof r->ack);
    r->ack_ms = sqlite3_column_int64(st, 8);
    r->ack_by = sqlite3_column_int64(st, 9);
}

int sq_inbox_get(struct store *base, const char *kind, int64_t object_id, int64_t org_id,
                 struct inbox_rec *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = reader_q(base, D_INBOX_GET);
    if (!st) return RK_EIO;
    sq_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, object_id);
    sqlite3_bind_int64(st, 3, org_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) row_inbox(st, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

static int inbox_iter(sqlite3_stmt *st, store_inbox_cb cb, void *ctx)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct inbox_rec rec;
        row_inbox(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_inbox_list(struct store *base, int64_t org_id, const struct inbox_filter *f, int64_t before,
                  store_inbox_cb cb, void *ctx)
{
    /* With a kind, the (org_id, kind, id) index: "?3 IS NULL OR kind = ?3" would hide it. */
    sqlite3_stmt *st = reader_q(base, f && f->kind ? D_INBOX_LIST_KIND : D_INBOX_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
    if (f && f->kind) sq_bind_text(st, 3, f->kind);
    sqlite3_bind_int(st, 4, f && f->unacked ? 1 : 0);
    return inbox_iter(st, cb, ctx);
}

int sq_inbox_of_object(struct store *base, const char *kind, int64_t object_id, int64_t after,
                       store_inbox_cb cb, void *ctx)
{
    sqlite3_stmt *st = reader_q(base, D_INBOX_OBJECT);
    if (!st) return RK_EIO;
    sq_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, object_id);
    sqlite3_bind_int64(st, 3, after);
    return inbox_iter(st, cb, ctx);
}

static void row_thread(sqlite3_stmt *st, struct thread_rec *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->owner_org = sqlite3_column_int64(st, 1);
    r->group = sqlite3_column_int(st, 2) != 0;
    sq_col_text(st, 3, r->title, sizeof r->title);
    r->created_ms = sqlite3_column_int64(st, 4);
    r->created_by = sqlite3_column_int64(st, 5);
    r->updated_ms = sqlite3_column_int64(st, 6);
    r->version = sqlite3_column_int64(st, 7);
    r->nmembers = 0;
}

int sq_thread_get(struct store *base, int64_t id, struct thread_rec *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = reader_q(base, D_THR_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) row_thread(st, out);
    sqlite3_reset(st);
    if (r != SQLITE_ROW) return r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
    if (!(st = reader_q(base, D_MEM_LIST))) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    while ((r = sqlite3_step(st)) == SQLITE_ROW && out->nmembers < STORE_MAX_MEMBERS)
        out->members[out->nmembers++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? RK_OK : RK_EIO;
}

int sq_thread_list(struct store *base, int64_t org_id, int group, int64_t after, store_thread_cb cb,
                   void *ctx)
{
    sqlite3_stmt *st = reader_q(base, D_THR_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, org_id);
    sqlite3_bind_int(st, 3, group);
    struct thread_rec *rec = malloc(sizeof *rec);
    if (!rec) {
        sqlite3_reset(st);
        return RK_ENOMEM;
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(rec, 0, sizeof *rec);
        row_thread(st, rec);
        if (!cb(rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    free(rec);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

static void row_message(sqlite3_stmt *st, struct message_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->thread_id = sqlite3_column_int64(st, 1);
    r->sender_org = sqlite3_column_int64(st, 2);
    r->sender_user = sqlite3_column_int64(st, 3);
    int tlp = sqlite3_column_int(st, 4);
    r->tlp = tlp >= POL_TLP_CLEAR && tlp <= POL_TLP_RED ? (enum pol_tlp)tlp : POL_TLP_RED;
    r->labels = (unsigned)sqlite3_column_int(st, 5);
    r->created_ms = sqlite3_column_int64(st, 6);
    r->body = (const char *)sqlite3_column_text(st, 7);
    if (!r->body) r->body = "";
}

int sq_message_list(struct store *base, int64_t thread_id, int64_t after, store_message_cb cb,
                    void *ctx)
{
    sqlite3_stmt *st = reader_q(base, D_MSG_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, thread_id);
    sqlite3_bind_int64(st, 2, after);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        struct message_rec rec;
        row_message(st, &rec);
        if (!cb(&rec, ctx)) {
            r = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? RK_OK : RK_EIO;
}

int sq_message_get(struct store *base, int64_t id, struct message_rec *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = reader_q(base, D_MSG_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st), rc = RK_OK;
    if (r == SQLITE_ROW) {
        row_message(st, out);
        if (!(out->body = strdup(out->body))) rc = RK_ENOMEM;
    } else {
        rc = r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
    }
    sqlite3_reset(st);
    if (rc != RK_OK) memset(out, 0, sizeof *out);
    return rc;
}
