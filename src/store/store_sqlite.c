/*
 * store_sqlite.c — the embedded SQLite backend.
 *
 * WAL mode with synchronous=FULL: a transaction is durable when COMMIT returns. One writer
 * thread owns the only write connection and commits every queued job in one transaction
 * (group commit), so N concurrent requests share one fsync instead of paying one each. Each
 * job runs inside a SAVEPOINT so a job that fails (say, a duplicate username) is rolled back
 * alone. Reads use one connection per calling thread (WAL readers never block the writer).
 */
#include "store/sq_internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/rk.h"

enum sq_stmt {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_ORG_INSERT,
    Q_ORG_UPDATE,
    Q_ORG_GET,
    Q_ORG_LIST,
    Q_USER_INSERT,
    Q_USER_UPDATE,
    Q_USER_PASSWORD,
    Q_USER_SESSIONS_REVOKE,
    Q_USER_GET,
    Q_USER_BY_NAME,
    Q_USER_LIST,
    Q_USER_LIST_ORG,
    Q_LOGIN_OK,
    Q_LOGIN_FAILED,
    Q_SESSION_INSERT,
    Q_SESSION_REVOKE,
    Q_TOKEN_INSERT,
    Q_TOKEN_REVOKE,
    Q_TOKEN_GET,
    Q_TOKEN_LIST,
    Q_AUTH_SESSION,
    Q_AUTH_TOKEN,
    Q_AUDIT_INSERT,
    Q_AUDIT_HEAD_SET,
    Q_AUDIT_HEAD_GET,
    Q_AUDIT_LIST,
    Q_AUDIT_ALL,
    Q_PING,
    Q__COUNT
};
_Static_assert(Q__COUNT <= SQ_NSTMT, "raise SQ_NSTMT");

#define ORG_COLS                                                                                   \
    "o.id, o.type, o.name_ja, o.name_en, o.corporate_number, o.sectors, o.ministry, o.council, "   \
    "o.council_consent_date, o.confidentiality_agreement, o.designated, o.created_ms, "            \
    "o.updated_ms, o.version"
#define ORG_NCOLS 14
#define USER_COLS                                                                                  \
    "u.id, u.org_id, u.username, u.display_name, u.pw_hash, u.roles, u.contractor, u.disabled, "   \
    "u.failed_logins, u.locked_until_ms, u.created_ms, u.updated_ms"
#define USER_NCOLS 12
#define TOKEN_COLS "t.id, t.user_id, t.name, t.roles, t.created_ms, t.expires_ms, t.revoked_ms"
#define AUDIT_COLS                                                                                 \
    "seq, ts_ms, user_id, org_id, action, object, request_id, detail, prev_hash, hash"

static const char *const sq_sql[Q__COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT job",
    [Q_RELEASE] = "RELEASE job",
    [Q_ROLLBACK_TO] = "ROLLBACK TO job",
    [Q_ORG_INSERT] = "INSERT INTO orgs (type, name_ja, name_en, corporate_number, sectors, "
                     "ministry, council, council_consent_date, confidentiality_agreement, "
                     "designated, created_ms, updated_ms, version) "
                     "VALUES (?1, ?2, ?3, NULLIF(?4, ''), ?5, NULLIF(?6, ''), ?7, NULLIF(?8, ''), "
                     "NULLIF(?9, ''), ?10, ?11, ?11, 1)",
    [Q_ORG_UPDATE] =
        "UPDATE orgs SET name_ja = ?2, name_en = ?3, corporate_number = NULLIF(?4, ''), "
        "sectors = ?5, council = ?6, council_consent_date = NULLIF(?7, ''), "
        "confidentiality_agreement = NULLIF(?8, ''), designated = ?9, "
        "updated_ms = ?10, version = version + 1 "
        "WHERE id = ?1 AND (?11 = 0 OR version = ?11)",
    [Q_ORG_GET] = "SELECT " ORG_COLS " FROM orgs o WHERE o.id = ?1",
    [Q_ORG_LIST] = "SELECT " ORG_COLS " FROM orgs o WHERE o.id > ?1 ORDER BY o.id",
    [Q_USER_INSERT] = "INSERT INTO users (org_id, username, display_name, pw_hash, roles, "
                      "contractor, disabled, created_ms, updated_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)",
    [Q_USER_UPDATE] = "UPDATE users SET display_name = ?2, roles = ?3, contractor = ?4, "
                      "disabled = ?5, updated_ms = ?6 WHERE id = ?1",
    [Q_USER_PASSWORD] = "UPDATE users SET pw_hash = ?2, failed_logins = 0, locked_until_ms = 0, "
                        "updated_ms = ?3 WHERE id = ?1",
    [Q_USER_SESSIONS_REVOKE] = "UPDATE sessions SET revoked_ms = ?2 "
                               "WHERE user_id = ?1 AND revoked_ms = 0",
    [Q_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
    [Q_USER_BY_NAME] = "SELECT " USER_COLS " FROM users u WHERE u.username = ?1",
    [Q_USER_LIST] = "SELECT " USER_COLS " FROM users u WHERE u.id > ?1 ORDER BY u.id",
    [Q_USER_LIST_ORG] = "SELECT " USER_COLS " FROM users u WHERE u.org_id = ?2 AND u.id > ?1 "
                        "ORDER BY u.id",
    [Q_LOGIN_OK] = "UPDATE users SET failed_logins = 0, locked_until_ms = 0 WHERE id = ?1",
/* A lock that has run out starts the count again from this failure. (SQLite evaluates
 * every right-hand side on the old row.) */
#define EXPIRED "(locked_until_ms != 0 AND locked_until_ms <= ?4)"
#define NEWCOUNT "(CASE WHEN " EXPIRED " THEN 1 ELSE failed_logins + 1 END)"
    [Q_LOGIN_FAILED] = "UPDATE users SET failed_logins = " NEWCOUNT ", locked_until_ms = CASE "
                       "WHEN " NEWCOUNT " >= ?2 THEN ?3 WHEN " EXPIRED " THEN 0 "
                       "ELSE locked_until_ms END WHERE id = ?1 RETURNING locked_until_ms",
#undef NEWCOUNT
#undef EXPIRED
    [Q_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, csrf, created_ms, expires_ms) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_SESSION_REVOKE] = "UPDATE sessions SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms = 0",
    [Q_TOKEN_INSERT] = "INSERT INTO tokens (token_hash, user_id, name, roles, created_ms, "
                       "expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms = 0",
    [Q_TOKEN_GET] = "SELECT " TOKEN_COLS " FROM tokens t WHERE t.id = ?1",
    [Q_TOKEN_LIST] = "SELECT " TOKEN_COLS " FROM tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.id > ?1 AND (?2 = 0 OR t.user_id = ?2) AND (?3 = 0 OR u.org_id = ?3) "
                     "ORDER BY t.id",
    [Q_AUTH_SESSION] = "SELECT " USER_COLS ", " ORG_COLS ", s.id, s.csrf FROM sessions s "
                       "JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id "
                       "WHERE s.token_hash = ?1 AND s.revoked_ms = 0 AND s.expires_ms > ?2 "
                       "AND u.disabled = 0",
    [Q_AUTH_TOKEN] = "SELECT " USER_COLS ", " ORG_COLS ", t.id, t.roles FROM tokens t "
                     "JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id "
                     "WHERE t.token_hash = ?1 AND t.revoked_ms = 0 AND t.expires_ms > ?2 "
                     "AND u.disabled = 0",
    [Q_AUDIT_INSERT] = "INSERT INTO audit (" AUDIT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                       "?9, ?10)",
    [Q_AUDIT_HEAD_SET] = "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
    [Q_AUDIT_HEAD_GET] = "SELECT seq, hash FROM audit_head WHERE id = 1",
    [Q_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit WHERE seq > ?1 AND (?2 = 0 OR org_id = ?2) "
                     "AND (?3 = 0 OR user_id = ?3) AND (?4 IS NULL OR action = ?4) ORDER BY seq",
    [Q_AUDIT_ALL] = "SELECT " AUDIT_COLS " FROM audit ORDER BY seq",
    [Q_PING] = "SELECT 1",
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int conn_open(const char *path, bool writer, struct sq_conn *c)
{
    memset(c, 0, sizeof *c);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(c->db);
        c->db = NULL;
        return RK_EIO;
    }
    sqlite3_busy_timeout(c->db, 10000);
    const char *pragmas = writer ? "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                                   "PRAGMA wal_autocheckpoint=4000;"
                                 : "PRAGMA foreign_keys=ON; PRAGMA query_only=1;";
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(c->db);
        c->db = NULL;
        return RK_EIO;
    }
    return RK_OK;
}

static void conn_close(struct sq_conn *c)
{
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    for (int i = 0; i < SQ_EXT_MAX; i++)
        sqlite3_finalize(c->ext[i]);
    sqlite3_close(c->db);
    memset(c, 0, sizeof *c);
}

/* Returns the cached statement, reset and unbound, or NULL. */
static sqlite3_stmt *stmt(struct sq_conn *c, enum sq_stmt q)
{
    if (!c->st[q]) {
        if (sqlite3_prepare_v3(c->db, sq_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &c->st[q], NULL) !=
            SQLITE_OK)
            return NULL;
    } else {
        sqlite3_reset(c->st[q]);
        sqlite3_clear_bindings(c->st[q]);
    }
    return c->st[q];
}

sqlite3_stmt *sq_ext(struct sq_conn *c, int slot, const char *sql)
{
    if (slot < 0 || slot >= SQ_EXT_MAX) return NULL;
    if (!c->ext[slot]) {
        if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->ext[slot], NULL) !=
            SQLITE_OK)
            return NULL;
    } else {
        sqlite3_reset(c->ext[slot]);
        sqlite3_clear_bindings(c->ext[slot]);
    }
    return c->ext[slot];
}

/* The calling thread's read connection, opened on first use. */
struct sq_conn *sq_reader(struct sq_store *s)
{
    struct sq_conn *c = pthread_getspecific(s->reader_key);
    if (c) return c;
    c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (conn_open(s->path, false, c) != RK_OK) {
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    c->next = s->readers;
    s->readers = c;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->reader_key, c);
    return c;
}

void sq_col_text(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, cap, "%s", t ? (const char *)t : "");
}

static void row_org(sqlite3_stmt *st, int i, struct org_rec *o)
{
    char tmp[32];
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, i);
    sq_col_text(st, i + 1, tmp, sizeof tmp);
    if (policy_org_type_parse(tmp, &o->type) != RK_OK) o->type = POL_ORG_OTHER;
    sq_col_text(st, i + 2, o->name_ja, sizeof o->name_ja);
    sq_col_text(st, i + 3, o->name_en, sizeof o->name_en);
    sq_col_text(st, i + 4, o->corporate_number, sizeof o->corporate_number);
    o->sectors = (uint64_t)sqlite3_column_int64(st, i + 5);
    sq_col_text(st, i + 6, o->ministry, sizeof o->ministry);
    sq_col_text(st, i + 7, tmp, sizeof tmp);
    if (policy_council_parse(tmp, &o->council) != RK_OK) o->council = POL_COUNCIL_NONE;
    sq_col_text(st, i + 8, o->council_consent_date, sizeof o->council_consent_date);
    sq_col_text(st, i + 9, o->confidentiality_agreement, sizeof o->confidentiality_agreement);
    o->designated = sqlite3_column_int(st, i + 10) != 0;
    o->created_ms = sqlite3_column_int64(st, i + 11);
    o->updated_ms = sqlite3_column_int64(st, i + 12);
    o->version = sqlite3_column_int64(st, i + 13);
}

static void row_user(sqlite3_stmt *st, int i, struct user_rec *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, i);
    u->org_id = sqlite3_column_int64(st, i + 1);
    sq_col_text(st, i + 2, u->username, sizeof u->username);
    sq_col_text(st, i + 3, u->display_name, sizeof u->display_name);
    sq_col_text(st, i + 4, u->pw_hash, sizeof u->pw_hash);
    u->roles = (unsigned)sqlite3_column_int(st, i + 5);
    u->contractor = sqlite3_column_int(st, i + 6) != 0;
    u->disabled = sqlite3_column_int(st, i + 7) != 0;
    u->failed_logins = sqlite3_column_int(st, i + 8);
    u->locked_until_ms = sqlite3_column_int64(st, i + 9);
    u->created_ms = sqlite3_column_int64(st, i + 10);
    u->updated_ms = sqlite3_column_int64(st, i + 11);
}

static void row_token(sqlite3_stmt *st, struct token_rec *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->user_id = sqlite3_column_int64(st, 1);
    sq_col_text(st, 2, t->name, sizeof t->name);
    t->roles = (unsigned)sqlite3_column_int(st, 3);
    t->created_ms = sqlite3_column_int64(st, 4);
    t->expires_ms = sqlite3_column_int64(st, 5);
    t->revoked_ms = sqlite3_column_int64(st, 6);
}

static void blob32(sqlite3_stmt *st, int i, unsigned char out[AUDIT_HASH_LEN])
{
    memset(out, 0, AUDIT_HASH_LEN);
    const void *b = sqlite3_column_blob(st, i);
    if (b && sqlite3_column_bytes(st, i) == AUDIT_HASH_LEN) memcpy(out, b, AUDIT_HASH_LEN);
}

/* Audit rows point into the statement's memory: valid until the next step. */
static void row_audit(sqlite3_stmt *st, struct audit_rec *a)
{
    a->seq = sqlite3_column_int64(st, 0);
    a->ts_ms = sqlite3_column_int64(st, 1);
    a->user_id = sqlite3_column_int64(st, 2);
    a->org_id = sqlite3_column_int64(st, 3);
    a->action = (const char *)sqlite3_column_text(st, 4);
    a->object = (const char *)sqlite3_column_text(st, 5);
    a->request_id = (const char *)sqlite3_column_text(st, 6);
    a->detail = (const char *)sqlite3_column_text(st, 7);
    blob32(st, 8, a->prev_hash);
    blob32(st, 9, a->hash);
}

int sq_step_done(sqlite3_stmt *st)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE || r == SQLITE_ROW) return RK_OK;
    return (r & 0xff) == SQLITE_CONSTRAINT ? RK_ECONFLICT : RK_EIO;
}

void sq_conflict(struct store_write *w, const char *field)
{
    snprintf(w->conflict_field, sizeof w->conflict_field, "%s", field);
}

int sq_why_unchanged(struct store_write *w, sqlite3_stmt *st, const char *final_status)
{
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    int r = sqlite3_step(st);
    char status[16] = "";
    if (r == SQLITE_ROW) sq_col_text(st, 0, status, sizeof status);
    sqlite3_reset(st);
    if (r == SQLITE_DONE) return RK_ENOTFOUND;
    if (r != SQLITE_ROW) return RK_EIO;
    sq_conflict(w, strcmp(status, final_status) == 0 ? "/status" : "/version");
    return RK_ECONFLICT;
}

static int exec_q(struct sq_conn *c, enum sq_stmt q)
{
    sqlite3_stmt *st = stmt(c, q);
    return st ? sq_step_done(st) : RK_EIO;
}

/* ---- migrations ------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
    size_t len = strlen(n);
    if (len < 9 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_') return false;
    for (int i = 0; i < 4; i++)
        if (n[i] < '0' || n[i] > '9') return false;
    return true;
}

static int read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return RK_EIO;
    int rc = RK_EIO;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) != 0) goto out;
    long n = ftell(f);
    if (n < 0 || n > 16 * 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) goto out;
    buf = malloc((size_t)n + 1);
    if (!buf) {
        rc = RK_ENOMEM;
        goto out;
    }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) goto out;
    buf[n] = 0;
    *out = buf;
    buf = NULL;
    rc = RK_OK;
out:
    free(buf);
    fclose(f);
    return rc;
}

static int migrate(sqlite3 *db, const char *dir, char *err, size_t errlen)
{
    int rc = RK_EIO;
    char *names[256];
    size_t n = 0;
    DIR *d = NULL;
    if (sqlite3_exec(db,
                     "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_ms INTEGER NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot create schema_migrations: %s", sqlite3_errmsg(db));
        return RK_EIO;
    }
    d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot open migrations directory %s: %s", dir, strerror(errno));
        return RK_EIO;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_migration_name(e->d_name)) continue;
        if (n == RK_ARRAY_LEN(names)) {
            snprintf(err, errlen, "too many migrations in %s", dir);
            goto out;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = RK_ENOMEM;
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        int version = atoi(names[i]); /* NOLINT: 4 validated digits */
        sqlite3_stmt *st = NULL;
        bool applied = false;
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1, &st,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_int(st, 1, version);
            applied = sqlite3_step(st) == SQLITE_ROW;
        }
        sqlite3_finalize(st);
        if (applied) continue;
        char path[4096];
        char *sql = NULL;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if ((rc = read_file(path, &sql)) != RK_OK) {
            snprintf(err, errlen, "cannot read %s", path);
            goto out;
        }
        char *msg = NULL;
        char ins[256];
        snprintf(ins, sizeof ins, "INSERT INTO schema_migrations VALUES (%d, '%.100s', %lld)",
                 version, names[i], (long long)store_now_ms());
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, ins, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "migration %s failed: %s", names[i], msg ? msg : "?");
            sqlite3_free(msg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            free(sql);
            rc = RK_EIO;
            goto out;
        }
        free(sql);
    }
    rc = RK_OK;
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    closedir(d);
    return rc;
}

/* ---- the writer ------------------------------------------------------------------------- */

void sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int conflict(struct store_write *w, sqlite3 *db, const char *const *map)
{
    /* map: pairs of (column name as SQLite reports it, JSON Pointer) */
    const char *msg = sqlite3_errmsg(db);
    for (; map && map[0]; map += 2)
        if (strstr(msg, map[0])) {
            snprintf(w->conflict_field, sizeof w->conflict_field, "%s", map[1]);
            return RK_ECONFLICT;
        }
    snprintf(w->conflict_field, sizeof w->conflict_field, "%s", "");
    return RK_ECONFLICT;
}

static int job_org(struct sq_store *s, struct store_write *w, bool create)
{
    static const char *const map[] = {"orgs.corporate_number", "/corporate_number", "orgs.ministry",
                                      "/ministry", NULL};
    struct org_rec *o = &w->org;
    sqlite3_stmt *st = stmt(&s->w, create ? Q_ORG_INSERT : Q_ORG_UPDATE);
    if (!st) return RK_EIO;
    int64_t now = store_now_ms();
    if (create) {
        sq_bind_text(st, 1, policy_org_type_name(o->type));
        sq_bind_text(st, 2, o->name_ja);
        sq_bind_text(st, 3, o->name_en);
        sq_bind_text(st, 4, o->corporate_number);
        sqlite3_bind_int64(st, 5, (int64_t)o->sectors);
        sq_bind_text(st, 6, o->ministry);
        sq_bind_text(st, 7, policy_council_name(o->council));
        sq_bind_text(st, 8, o->council_consent_date);
        sq_bind_text(st, 9, o->confidentiality_agreement);
        sqlite3_bind_int(st, 10, o->designated);
        sqlite3_bind_int64(st, 11, now);
    } else {
        sqlite3_bind_int64(st, 1, w->target_id);
        sq_bind_text(st, 2, o->name_ja);
        sq_bind_text(st, 3, o->name_en);
        sq_bind_text(st, 4, o->corporate_number);
        sqlite3_bind_int64(st, 5, (int64_t)o->sectors);
        sq_bind_text(st, 6, policy_council_name(o->council));
        sq_bind_text(st, 7, o->council_consent_date);
        sq_bind_text(st, 8, o->confidentiality_agreement);
        sqlite3_bind_int(st, 9, o->designated);
        sqlite3_bind_int64(st, 10, now);
        sqlite3_bind_int64(st, 11, w->expect_version);
    }
    int rc = sq_step_done(st);
    if (rc == RK_ECONFLICT) return conflict(w, s->w.db, map);
    if (rc != RK_OK) return rc;
    if (create) {
        w->out_id = sqlite3_last_insert_rowid(s->w.db);
    } else if (sqlite3_changes(s->w.db) == 0) {
        snprintf(w->conflict_field, sizeof w->conflict_field, "/version");
        return w->expect_version ? RK_ECONFLICT : RK_ENOTFOUND;
    } else {
        w->out_id = w->target_id;
    }
    return RK_OK;
}

static int job_user(struct sq_store *s, struct store_write *w)
{
    static const char *const map[] = {"users.username", "/username", NULL};
    struct user_rec *u = &w->user;
    int64_t now = store_now_ms();
    sqlite3_stmt *st;
    int rc;
    switch (w->op) {
    case STORE_W_USER_CREATE:
        if (!(st = stmt(&s->w, Q_USER_INSERT))) return RK_EIO;
        sqlite3_bind_int64(st, 1, u->org_id);
        sq_bind_text(st, 2, u->username);
        sq_bind_text(st, 3, u->display_name);
        sq_bind_text(st, 4, u->pw_hash);
        sqlite3_bind_int(st, 5, (int)u->roles);
        sqlite3_bind_int(st, 6, u->contractor);
        sqlite3_bind_int64(st, 7, now);
        rc = sq_step_done(st);
        if (rc == RK_ECONFLICT) return conflict(w, s->w.db, map);
        w->out_id = sqlite3_last_insert_rowid(s->w.db);
        return rc;
    case STORE_W_USER_UPDATE:
        if (!(st = stmt(&s->w, Q_USER_UPDATE))) return RK_EIO;
        sqlite3_bind_int64(st, 1, w->target_id);
        sq_bind_text(st, 2, u->display_name);
        sqlite3_bind_int(st, 3, (int)u->roles);
        sqlite3_bind_int(st, 4, u->contractor);
        sqlite3_bind_int(st, 5, u->disabled);
        sqlite3_bind_int64(st, 6, now);
        break;
    case STORE_W_USER_PASSWORD:
        if (!(st = stmt(&s->w, Q_USER_PASSWORD))) return RK_EIO;
        sqlite3_bind_int64(st, 1, w->target_id);
        sq_bind_text(st, 2, u->pw_hash);
        sqlite3_bind_int64(st, 3, now);
        break;
    default:
        return RK_EINVAL;
    }
    if ((rc = sq_step_done(st)) != RK_OK) return rc;
    if (sqlite3_changes(s->w.db) == 0) return RK_ENOTFOUND;
    w->out_id = w->target_id;
    /* A new password or a disabled account ends every open session of that user. */
    if (w->op == STORE_W_USER_PASSWORD || (w->op == STORE_W_USER_UPDATE && u->disabled)) {
        if (!(st = stmt(&s->w, Q_USER_SESSIONS_REVOKE))) return RK_EIO;
        sqlite3_bind_int64(st, 1, w->target_id);
        sqlite3_bind_int64(st, 2, now);
        return sq_step_done(st);
    }
    return RK_OK;
}

static int job_login(struct sq_store *s, struct store_write *w)
{
    sqlite3_stmt *st;
    int rc;
    if (w->op == STORE_W_LOGIN_FAILED) {
        if (w->target_id == 0) return RK_OK; /* unknown username: only the audit record */
        if (!(st = stmt(&s->w, Q_LOGIN_FAILED))) return RK_EIO;
        sqlite3_bind_int64(st, 1, w->target_id);
        sqlite3_bind_int(st, 2, w->max_failures);
        sqlite3_bind_int64(st, 3, store_now_ms() + w->lock_ms);
        sqlite3_bind_int64(st, 4, store_now_ms());
        if (sqlite3_step(st) == SQLITE_ROW)
            w->locked = sqlite3_column_int64(st, 0) > store_now_ms();
        sqlite3_reset(st);
        return RK_OK;
    }
    if (!(st = stmt(&s->w, Q_LOGIN_OK))) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    if ((rc = sq_step_done(st)) != RK_OK) return rc;
    if (!(st = stmt(&s->w, Q_SESSION_INSERT))) return RK_EIO;
    sqlite3_bind_blob(st, 1, w->secret_hash, sizeof w->secret_hash, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, w->target_id);
    sq_bind_text(st, 3, w->session.csrf);
    sqlite3_bind_int64(st, 4, w->session.created_ms);
    sqlite3_bind_int64(st, 5, w->session.expires_ms);
    if ((rc = sq_step_done(st)) != RK_OK) return rc;
    w->out_id = sqlite3_last_insert_rowid(s->w.db);
    return RK_OK;
}

static int job_revoke(struct sq_store *s, struct store_write *w, enum sq_stmt q)
{
    sqlite3_stmt *st = stmt(&s->w, q);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, w->target_id);
    sqlite3_bind_int64(st, 2, store_now_ms());
    int rc = sq_step_done(st);
    w->out_id = w->target_id;
    return rc;
}

static int job_token_create(struct sq_store *s, struct store_write *w)
{
    sqlite3_stmt *st = stmt(&s->w, Q_TOKEN_INSERT);
    if (!st) return RK_EIO;
    sqlite3_bind_blob(st, 1, w->secret_hash, sizeof w->secret_hash, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, w->token.user_id);
    sq_bind_text(st, 3, w->token.name);
    sqlite3_bind_int(st, 4, (int)w->token.roles);
    sqlite3_bind_int64(st, 5, w->token.created_ms);
    sqlite3_bind_int64(st, 6, w->token.expires_ms);
    int rc = sq_step_done(st);
    w->out_id = sqlite3_last_insert_rowid(s->w.db);
    return rc;
}

static int audit_append(struct sq_store *s, struct store_write *w)
{
    struct audit_entry *a = &w->audit;
    char object[64] = "";
    if (a->object_kind[0])
        snprintf(object, sizeof object, "%s:%lld", a->object_kind,
                 (long long)(a->object_id ? a->object_id : w->out_id));
    struct audit_rec r = {
        .seq = s->head_seq + 1,
        .ts_ms = store_now_ms(),
        .user_id = a->user_id,
        .org_id = a->org_id,
        .action = a->action,
        .object = object,
        .request_id = a->request_id,
        .detail = a->detail[0] ? a->detail : "{}",
    };
    memcpy(r.prev_hash, s->head_hash, AUDIT_HASH_LEN);
    audit_chain_hash(&r, r.hash);
    sqlite3_stmt *st = stmt(&s->w, Q_AUDIT_INSERT);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, r.seq);
    sqlite3_bind_int64(st, 2, r.ts_ms);
    sqlite3_bind_int64(st, 3, r.user_id);
    sqlite3_bind_int64(st, 4, r.org_id);
    sq_bind_text(st, 5, r.action);
    sq_bind_text(st, 6, r.object);
    sq_bind_text(st, 7, r.request_id);
    sq_bind_text(st, 8, r.detail);
    sqlite3_bind_blob(st, 9, r.prev_hash, AUDIT_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, r.hash, AUDIT_HASH_LEN, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc == RK_OK) {
        s->head_seq = r.seq;
        memcpy(s->head_hash, r.hash, AUDIT_HASH_LEN);
    }
    return rc;
}

static int run_job(struct sq_store *s, struct store_write *w)
{
    int rc;
    switch (w->op) {
    case STORE_W_ORG_CREATE:
        rc = job_org(s, w, true);
        break;
    case STORE_W_ORG_UPDATE:
        rc = job_org(s, w, false);
        break;
    case STORE_W_USER_CREATE:
    case STORE_W_USER_UPDATE:
    case STORE_W_USER_PASSWORD:
        rc = job_user(s, w);
        break;
    case STORE_W_LOGIN_OK:
    case STORE_W_LOGIN_FAILED:
        rc = job_login(s, w);
        break;
    case STORE_W_SESSION_REVOKE:
        rc = job_revoke(s, w, Q_SESSION_REVOKE);
        break;
    case STORE_W_TOKEN_CREATE:
        rc = job_token_create(s, w);
        break;
    case STORE_W_TOKEN_REVOKE:
        rc = job_revoke(s, w, Q_TOKEN_REVOKE);
        break;
    case STORE_W_AUDIT_ONLY:
        rc = RK_OK;
        break;
    case STORE_W_ASSET_FILE:
        rc = sq_job_asset_file(s, w);
        break;
    case STORE_W_DELEGATION_GRANT:
    case STORE_W_DELEGATION_REVOKE:
        rc = sq_job_delegation(s, w);
        break;
    case STORE_W_SUBMISSION_RECEIVE:
    case STORE_W_SUBMISSION_FORWARD:
        rc = sq_job_submission(s, w);
        break;
    case STORE_W_REPORT_FILE:
        rc = sq_job_report_file(s, w);
        break;
    case STORE_W_REPORT_ACK:
        rc = sq_job_report_ack(s, w);
        break;
    case STORE_W_ATTACHMENT_PUT:
        rc = sq_job_attachment_put(s, w);
        break;
    case STORE_W_PRODUCT_CREATE:
    case STORE_W_PRODUCT_UPDATE:
    case STORE_W_PRODUCT_RELEASE:
        rc = sq_job_product(s, w);
        break;
    case STORE_W_ADVISORY_CREATE:
    case STORE_W_ADVISORY_UPDATE:
    case STORE_W_ADVISORY_SEND:
        rc = sq_job_advisory(s, w);
        break;
    case STORE_W_INBOX_DELIVER:
    case STORE_W_INBOX_ACK:
        rc = sq_job_inbox(s, w);
        break;
    case STORE_W_THREAD_CREATE:
    case STORE_W_THREAD_UPDATE:
        rc = sq_job_thread(s, w);
        break;
    case STORE_W_MESSAGE_POST:
        rc = sq_job_message(s, w);
        break;
    default:
        rc = RK_EINVAL;
    }
    if (rc == RK_OK && w->audit.action[0]) rc = audit_append(s, w);
    return rc;
}

/* Reads the chain head inside the batch's write transaction. Another process (the renkei CLI,
 * a second server) may have appended since the last batch, so the head is never trusted from
 * memory across transactions. */
static int load_head(struct sq_store *s)
{
    sqlite3_stmt *st = stmt(&s->w, Q_AUDIT_HEAD_GET);
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        if (st) sqlite3_reset(st);
        return RK_EIO;
    }
    s->head_seq = sqlite3_column_int64(st, 0);
    blob32(st, 1, s->head_hash);
    sqlite3_reset(st);
    return RK_OK;
}

static void run_batch(struct sq_store *s, struct store_write *batch)
{
    int64_t t0 = mono_ns();
    int brc = exec_q(&s->w, Q_BEGIN);
    if (brc == RK_OK) brc = load_head(s);
    int64_t seq0 = s->head_seq;
    unsigned char hash0[AUDIT_HASH_LEN];
    memcpy(hash0, s->head_hash, AUDIT_HASH_LEN);
    for (struct store_write *w = batch; w; w = w->next) {
        if (brc != RK_OK) {
            w->rc = brc;
            continue;
        }
        int64_t jseq = s->head_seq;
        unsigned char jhash[AUDIT_HASH_LEN];
        memcpy(jhash, s->head_hash, AUDIT_HASH_LEN);
        if (exec_q(&s->w, Q_SAVEPOINT) != RK_OK) {
            w->rc = RK_EIO;
            continue;
        }
        w->rc = run_job(s, w);
        if (w->rc != RK_OK) {
            exec_q(&s->w, Q_ROLLBACK_TO);
            s->head_seq = jseq;
            memcpy(s->head_hash, jhash, AUDIT_HASH_LEN);
        }
        exec_q(&s->w, Q_RELEASE);
    }
    if (brc == RK_OK && s->head_seq != seq0) {
        sqlite3_stmt *st = stmt(&s->w, Q_AUDIT_HEAD_SET);
        if (!st)
            brc = RK_EIO;
        else {
            sqlite3_bind_int64(st, 1, s->head_seq);
            sqlite3_bind_blob(st, 2, s->head_hash, AUDIT_HASH_LEN, SQLITE_STATIC);
            brc = sq_step_done(st);
        }
    }
    if (brc == RK_OK) brc = exec_q(&s->w, Q_COMMIT);
    if (brc != RK_OK) {
        /* Nothing of this batch is durable: say so to every job and restore the head. */
        sqlite3_exec(s->w.db, "ROLLBACK", NULL, NULL, NULL);
        s->head_seq = seq0;
        memcpy(s->head_hash, hash0, AUDIT_HASH_LEN);
        for (struct store_write *w = batch; w; w = w->next)
            if (w->rc == RK_OK) w->rc = RK_EIO;
    }
    int64_t dt = mono_ns() - t0;
    size_t n = 0;
    for (struct store_write *w = batch; w; w = w->next)
        n++;
    pthread_mutex_lock(&s->mu);
    s->stats.batches++;
    s->stats.jobs += n;
    s->stats.commit_ns_total += (uint64_t)dt;
    if (n > s->stats.max_batch) s->stats.max_batch = n;
    static const int64_t bounds_us[STORE_HIST_N - 1] = STORE_HIST_BOUNDS_US;
    size_t b = 0;
    while (b < STORE_HIST_N - 1 && dt > bounds_us[b] * 1000)
        b++;
    s->stats.commit_hist[b]++;
    pthread_mutex_unlock(&s->mu);
    /* done() may free the job: read next first. */
    for (struct store_write *w = batch, *next; w; w = next) {
        next = w->next;
        if (w->done) w->done(w);
    }
}

static void *writer_main(void *arg)
{
    struct sq_store *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->qhead && !s->stop)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->qhead && s->stop) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        struct store_write *batch = s->qhead, *last = batch;
        size_t n = 1;
        while (last->next && n < (size_t)s->max_batch) {
            last = last->next;
            n++;
        }
        s->qhead = last->next;
        if (!s->qhead) s->qtail = NULL;
        s->qlen -= n;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);
        run_batch(s, batch);
    }
    return NULL;
}

static int sq_submit(struct store *base, struct store_write *w)
{
    struct sq_store *s = (struct sq_store *)base;
    w->next = NULL;
    w->rc = RK_EIO;
    pthread_mutex_lock(&s->mu);
    if (s->stop) {
        pthread_mutex_unlock(&s->mu);
        return RK_EIO;
    }
    if (s->qtail)
        s->qtail->next = w;
    else
        s->qhead = w;
    s->qtail = w;
    s->qlen++;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return RK_OK;
}

/* ---- reads ------------------------------------------------------------------------------ */

static int sq_org_get(struct store *base, int64_t id, struct org_rec *out)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_ORG_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) row_org(st, 0, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

static int sq_org_list(struct store *base, int64_t after, store_org_cb cb, void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_ORG_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    struct org_rec o;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        row_org(st, 0, &o);
        if (!cb(&o, ctx)) break;
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RK_OK : RK_EIO;
}

static int user_one(struct sq_store *s, enum sq_stmt q, int64_t id, const char *name,
                    struct user_rec *out)
{
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, q);
    if (!st) return RK_EIO;
    if (name)
        sq_bind_text(st, 1, name);
    else
        sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) row_user(st, 0, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

static int sq_user_get(struct store *base, int64_t id, struct user_rec *out)
{
    return user_one((struct sq_store *)base, Q_USER_GET, id, NULL, out);
}

static int sq_user_by_name(struct store *base, const char *username, struct user_rec *out)
{
    return user_one((struct sq_store *)base, Q_USER_BY_NAME, 0, username, out);
}

static int sq_user_list(struct store *base, int64_t org_id, int64_t after, store_user_cb cb,
                        void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, org_id ? Q_USER_LIST_ORG : Q_USER_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    if (org_id) sqlite3_bind_int64(st, 2, org_id);
    struct user_rec u;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        row_user(st, 0, &u);
        u.pw_hash[0] = 0;
        if (!cb(&u, ctx)) break;
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RK_OK : RK_EIO;
}

static int sq_token_get(struct store *base, int64_t id, struct token_rec *out)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_TOKEN_GET);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) row_token(st, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_ENOTFOUND : RK_EIO;
}

static int sq_token_list(struct store *base, int64_t user_id, int64_t org_id, int64_t after,
                         store_token_cb cb, void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_TOKEN_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, org_id);
    struct token_rec t;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        row_token(st, &t);
        if (!cb(&t, ctx)) break;
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RK_OK : RK_EIO;
}

static int auth_lookup(struct sq_store *s, enum sq_stmt q, const unsigned char *hash,
                       int64_t now_ms, struct auth_ctx *out)
{
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, q);
    if (!st) return RK_EIO;
    sqlite3_bind_blob(st, 1, hash, crypto_generichash_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_ms);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        row_user(st, 0, &out->user);
        row_org(st, USER_NCOLS, &out->org);
        int i = USER_NCOLS + ORG_NCOLS;
        if (q == Q_AUTH_SESSION) {
            out->session_id = sqlite3_column_int64(st, i);
            sq_col_text(st, i + 1, out->csrf, sizeof out->csrf);
            out->roles = out->user.roles;
        } else {
            out->token_id = sqlite3_column_int64(st, i);
            out->roles = out->user.roles & (unsigned)sqlite3_column_int(st, i + 1);
        }
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : r == SQLITE_DONE ? RK_EAUTH : RK_EIO;
}

static int sq_auth_session(struct store *base, const unsigned char *hash, int64_t now_ms,
                           struct auth_ctx *out)
{
    return auth_lookup((struct sq_store *)base, Q_AUTH_SESSION, hash, now_ms, out);
}

static int sq_auth_token(struct store *base, const unsigned char *hash, int64_t now_ms,
                         struct auth_ctx *out)
{
    return auth_lookup((struct sq_store *)base, Q_AUTH_TOKEN, hash, now_ms, out);
}

static int sq_audit_list(struct store *base, const struct audit_filter *f, store_audit_cb cb,
                         void *ctx)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_AUDIT_LIST);
    if (!st) return RK_EIO;
    sqlite3_bind_int64(st, 1, f->after_seq);
    sqlite3_bind_int64(st, 2, f->org_id);
    sqlite3_bind_int64(st, 3, f->user_id);
    if (f->action) sq_bind_text(st, 4, f->action);
    struct audit_rec a;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        row_audit(st, &a);
        if (!cb(&a, ctx)) break;
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RK_OK : RK_EIO;
}

static int sq_audit_verify(struct store *base, int64_t *checked, int64_t *bad_seq, const char **why)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    int rc = RK_OK;
    struct audit_verifier v;
    audit_verify_init(&v);
    *bad_seq = 0;
    *why = NULL;
    /* One read transaction so the chain and its head are seen at the same instant. */
    if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_AUDIT_ALL);
    if (!st) {
        rc = RK_EIO;
        goto out;
    }
    struct audit_rec a;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        row_audit(st, &a);
        if (audit_verify_step(&v, &a, why) != RK_OK) {
            *bad_seq = a.seq;
            rc = RK_ECORRUPT;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc == RK_OK && r != SQLITE_DONE) rc = RK_EIO;
    if (rc == RK_OK) {
        if (!(st = stmt(c, Q_AUDIT_HEAD_GET)) || sqlite3_step(st) != SQLITE_ROW) {
            rc = RK_ECORRUPT;
            *why = "audit head record missing";
        } else {
            int64_t hseq = sqlite3_column_int64(st, 0);
            unsigned char hh[AUDIT_HASH_LEN];
            blob32(st, 1, hh);
            if (hseq != v.next_seq - 1 || sodium_memcmp(hh, v.prev, AUDIT_HASH_LEN) != 0) {
                rc = RK_ECORRUPT;
                *bad_seq = hseq > v.next_seq - 1 ? v.next_seq : hseq;
                *why = hseq > v.next_seq - 1
                           ? "chain truncated: the head names records that are missing"
                           : "head does not match the last record (records appended or changed)";
            }
        }
        if (st) sqlite3_reset(st);
    }
out:
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    *checked = v.checked;
    return rc;
}

static int sq_ping(struct store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    struct sq_conn *c = sq_reader(s);
    if (!c) return RK_EIO;
    sqlite3_stmt *st = stmt(c, Q_PING);
    if (!st) return RK_EIO;
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? RK_OK : RK_EIO;
}

static void sq_stats(struct store *base, struct store_stats *out)
{
    struct sq_store *s = (struct sq_store *)base;
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    out->queue_depth = s->qlen;
    pthread_mutex_unlock(&s->mu);
}

static void sq_close(struct store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer, NULL); /* drains the queue first */
    for (struct sq_conn *c = s->readers, *n; c; c = n) {
        n = c->next;
        conn_close(c);
        free(c);
    }
    /* A clean close checkpoints the WAL into the main file. */
    sqlite3_wal_checkpoint_v2(s->w.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    conn_close(&s->w);
    pthread_key_delete(s->reader_key);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

static const struct store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .submit = sq_submit,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .user_get = sq_user_get,
    .user_by_name = sq_user_by_name,
    .user_list = sq_user_list,
    .token_get = sq_token_get,
    .token_list = sq_token_list,
    .auth_session = sq_auth_session,
    .auth_token = sq_auth_token,
    .audit_list = sq_audit_list,
    .audit_verify = sq_audit_verify,
    .incident_get = sq_incident_get,
    .incident_list = sq_incident_list,
    .report_get = sq_report_get,
    .report_list = sq_report_list,
    .report_routes = sq_report_routes,
    .incident_assets = sq_incident_assets,
    .attachment_list = sq_attachment_list,
    .attachment_get = sq_attachment_get,
    .attachment_content = sq_attachment_content,
    .report_recipients = sq_report_recipients,
    .asset_get = sq_asset_get,
    .asset_list = sq_asset_list,
    .asset_versions = sq_asset_versions,
    .asset_filed_by = sq_asset_filed_by,
    .submission_get = sq_submission_get,
    .submission_list = sq_submission_list,
    .delegation_get = sq_delegation_get,
    .delegation_active = sq_delegation_active,
    .delegation_list = sq_delegation_list,
    .filing_counts = sq_filing_counts,
    .product_get = sq_product_get,
    .product_list = sq_product_list,
    .advisory_get = sq_advisory_get,
    .advisory_list = sq_advisory_list,
    .advisory_public = sq_advisory_public,
    .product_public = sq_product_public,
    .inbox_get = sq_inbox_get,
    .inbox_list = sq_inbox_list,
    .inbox_of_object = sq_inbox_of_object,
    .advisory_attachments = sq_advisory_attachments,
    .thread_get = sq_thread_get,
    .thread_list = sq_thread_list,
    .message_list = sq_message_list,
    .message_get = sq_message_get,
    .ping = sq_ping,
    .stats = sq_stats,
};

int store_sqlite_open(const struct store_sqlite_opts *o, struct store **out, char *err,
                      size_t errlen)
{
    int rc = RK_ENOMEM;
    struct sq_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(o->path))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return RK_ENOMEM;
    }
    s->base.ops = &sq_ops;
    s->max_batch = o->max_batch > 0 ? o->max_batch : 1024;
    s->sync_full = o->sync_full;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_key_create(&s->reader_key, NULL);
    if ((rc = conn_open(s->path, true, &s->w)) != RK_OK) {
        snprintf(err, errlen, "cannot open database %s", o->path);
        goto fail;
    }
    if (sqlite3_exec(s->w.db,
                     s->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL,
                     NULL, NULL) != SQLITE_OK) {
        rc = RK_EIO;
        snprintf(err, errlen, "cannot set synchronous mode");
        goto fail;
    }
    if ((rc = migrate(s->w.db, o->migrations_dir, err, errlen)) != RK_OK) goto fail;
    if (load_head(s) != RK_OK) {
        rc = RK_ECORRUPT;
        snprintf(err, errlen, "audit head missing: database damaged");
        goto fail;
    }
    if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
        rc = RK_EIO;
        snprintf(err, errlen, "cannot start the writer thread");
        goto fail;
    }
    *out = &s->base;
    return RK_OK;
fail:
    conn_close(&s->w);
    pthread_key_delete(s->reader_key);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
    return rc;
}
