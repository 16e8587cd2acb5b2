/*
 * test_store.c — the SQLite store's write path: concurrent jobs share group commits, a job
 * that fails (duplicate key) rolls back alone with its audit record, the chain head survives
 * rollbacks and reopening, migrations apply once, and optimistic versions are enforced.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/rk.h"
#include "store/store.h"

#define THREADS 8
#define PER_THREAD 200

static char dir[64], dbpath[128];

static struct store *open_store(void)
{
    struct store *s = NULL;
    char err[256];
    struct store_sqlite_opts o = {
        .path = dbpath, .migrations_dir = RK_SOURCE_DIR "/db/migrations", .sync_full = true};
    if (store_sqlite_open(&o, &s, err, sizeof err) != RK_OK) fail_msg("open: %s", err);
    return s;
}

static int setup(void **state)
{
    if (sodium_init() < 0) return -1;
    snprintf(dir, sizeof dir, "/tmp/renkei-store-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct worker {
    struct store *s;
    int n;
    int ok, conflicts, other;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct store_write j = {.op = STORE_W_ORG_CREATE};
        j.org.type = POL_ORG_CI_OPERATOR;
        snprintf(j.org.name_ja, sizeof j.org.name_ja, "org-%d-%d", w->n, i);
        /* Every 4th job reuses a corporate number another thread also uses: exactly one of
         * each such pair can win. */
        if (i % 4 == 0)
            snprintf(j.org.corporate_number, sizeof j.org.corporate_number, "dup%hu",
                     (unsigned short)i);
        else
            snprintf(j.org.corporate_number, sizeof j.org.corporate_number, "u%hu-%hu",
                     (unsigned short)w->n, (unsigned short)i);
        store_audit_set(&j.audit, 0, 0, "org.create", "org", 0, "test");
        int rc = store_write_sync(w->s, &j);
        if (rc == RK_OK)
            w->ok++;
        else if (rc == RK_ECONFLICT && strcmp(j.conflict_field, "/corporate_number") == 0)
            w->conflicts++;
        else
            w->other++;
    }
    return NULL;
}

static bool count_org(const struct org_rec *o, void *ctx)
{
    (*(int *)ctx)++;
    return true;
}

static bool count_audit(const struct audit_rec *a, void *ctx)
{
    (*(int *)ctx)++;
    return true;
}

static void concurrent_jobs_fail_alone(void **st)
{
    struct store *s = open_store();
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.s = s, .n = i};
        pthread_create(&t[i], NULL, worker_main, &w[i]);
    }
    int ok = 0, conflicts = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        conflicts += w[i].conflicts;
        assert_int_equal(w[i].other, 0);
    }
    int dup_numbers = PER_THREAD / 4;
    assert_int_equal(conflicts, dup_numbers * (THREADS - 1));
    assert_int_equal(ok, THREADS * PER_THREAD - conflicts);
    int orgs = 0, audits = 0;
    assert_int_equal(s->ops->org_list(s, 0, count_org, &orgs), RK_OK);
    struct audit_filter f = {0};
    assert_int_equal(s->ops->audit_list(s, &f, count_audit, &audits), RK_OK);
    assert_int_equal(orgs, ok);
    assert_int_equal(audits, ok); /* a rolled-back job left no audit record */
    struct store_stats stats;
    s->ops->stats(s, &stats);
    assert_true(stats.batches < stats.jobs); /* some commits carried several jobs */
    int64_t checked, bad;
    const char *why;
    assert_int_equal(s->ops->audit_verify(s, &checked, &bad, &why), RK_OK);
    assert_int_equal(checked, ok);
    s->ops->close(s);
}

static void reopen_keeps_chain_and_migrations(void **st)
{
    struct store *s = open_store(); /* migrations already applied: must not fail or repeat */
    struct store_write j = {.op = STORE_W_ORG_CREATE};
    j.org.type = POL_ORG_VENDOR;
    snprintf(j.org.name_ja, sizeof j.org.name_ja, "after reopen");
    store_audit_set(&j.audit, 0, 0, "org.create", "org", 0, "test");
    assert_int_equal(store_write_sync(s, &j), RK_OK);
    int64_t id = j.out_id;
    int64_t checked, bad;
    const char *why;
    assert_int_equal(s->ops->audit_verify(s, &checked, &bad, &why), RK_OK);
    /* Optimistic concurrency on update. */
    struct store_write u = {.op = STORE_W_ORG_UPDATE, .target_id = id, .expect_version = 7};
    assert_int_equal(s->ops->org_get(s, id, &u.org), RK_OK);
    assert_int_equal(store_write_sync(s, &u), RK_ECONFLICT);
    assert_string_equal(u.conflict_field, "/version");
    u.expect_version = 1;
    snprintf(u.org.name_en, sizeof u.org.name_en, "renamed");
    assert_int_equal(store_write_sync(s, &u), RK_OK);
    struct org_rec o;
    assert_int_equal(s->ops->org_get(s, id, &o), RK_OK);
    assert_int_equal(o.version, 2);
    assert_string_equal(o.name_en, "renamed");
    struct store_write missing = {.op = STORE_W_ORG_UPDATE, .target_id = 999999};
    missing.org = o;
    assert_int_equal(store_write_sync(s, &missing), RK_ENOTFOUND);
    assert_int_equal(s->ops->org_get(s, 999999, &o), RK_ENOTFOUND);
    s->ops->close(s);
}

static void credentials_resolve_and_expire(void **st)
{
    struct store *s = open_store();
    struct store_write u = {.op = STORE_W_USER_CREATE};
    u.user.org_id = 1;
    u.user.roles = POL_ROLE_ANALYST | POL_ROLE_VIEWER;
    snprintf(u.user.username, sizeof u.user.username, "alice");
    snprintf(u.user.display_name, sizeof u.user.display_name, "Alice");
    snprintf(u.user.pw_hash, sizeof u.user.pw_hash, "x");
    assert_int_equal(store_write_sync(s, &u), RK_OK);
    struct store_write t = {.op = STORE_W_TOKEN_CREATE};
    t.token.user_id = u.out_id;
    t.token.roles = POL_ROLE_VIEWER | POL_ROLE_ADMIN; /* admin is not the user's: dropped */
    t.token.created_ms = store_now_ms();
    t.token.expires_ms = t.token.created_ms + 60000;
    memset(t.secret_hash, 7, sizeof t.secret_hash);
    assert_int_equal(store_write_sync(s, &t), RK_OK);
    struct auth_ctx a;
    assert_int_equal(s->ops->auth_token(s, t.secret_hash, store_now_ms(), &a), RK_OK);
    assert_int_equal(a.roles, POL_ROLE_VIEWER);
    assert_int_equal(a.user.id, u.out_id);
    assert_int_equal(s->ops->auth_token(s, t.secret_hash, t.token.expires_ms + 1, &a), RK_EAUTH);
    unsigned char other[crypto_generichash_BYTES] = {1};
    assert_int_equal(s->ops->auth_token(s, other, store_now_ms(), &a), RK_EAUTH);
    struct store_write r = {.op = STORE_W_TOKEN_REVOKE, .target_id = t.out_id};
    assert_int_equal(store_write_sync(s, &r), RK_OK);
    assert_int_equal(s->ops->auth_token(s, t.secret_hash, store_now_ms(), &a), RK_EAUTH);
    s->ops->close(s);
}

static bool fail_login(struct store *s, int64_t user)
{
    struct store_write f = {
        .op = STORE_W_LOGIN_FAILED, .target_id = user, .max_failures = 2, .lock_ms = 50};
    assert_int_equal(store_write_sync(s, &f), RK_OK);
    return f.locked;
}

static void lock_out_and_expiry(void **st)
{
    struct store *s = open_store();
    struct store_write u = {.op = STORE_W_USER_CREATE};
    u.user.org_id = 1;
    u.user.roles = POL_ROLE_VIEWER;
    snprintf(u.user.username, sizeof u.user.username, "bob");
    snprintf(u.user.display_name, sizeof u.user.display_name, "Bob");
    snprintf(u.user.pw_hash, sizeof u.user.pw_hash, "x");
    assert_int_equal(store_write_sync(s, &u), RK_OK);
    assert_false(fail_login(s, u.out_id));
    assert_true(fail_login(s, u.out_id)); /* second failure locks */
    usleep(80 * 1000);                    /* the 50 ms lock runs out */
    /* The count starts again: one failure after an expired lock does not re-lock at once. */
    assert_false(fail_login(s, u.out_id));
    assert_true(fail_login(s, u.out_id));
    s->ops->close(s);
}

static bool count_assets(const struct asset_rec *a, void *ctx)
{
    (*(int *)ctx)++;
    return true;
}

/* A filing is one job: an op that conflicts takes the whole submission back with it; filed
 * versions cannot be changed through SQL; a change against a stale head is refused. */
static void asset_filing_atomic_append_only(void **st)
{
    struct store *s = open_store();
    struct store_write o = {.op = STORE_W_ORG_CREATE};
    o.org.type = POL_ORG_CORE_OPERATOR;
    snprintf(o.org.name_ja, sizeof o.org.name_ja, "検証事業者");
    assert_int_equal(store_write_sync(s, &o), RK_OK);
    json_t *canon = json_pack("{s:s, s:[]}", "ref", "R-1", "products");
    struct asset_op ops[2] = {
        {.kind = ASSET_OP_NEW, .ref = "R-1", .canon = canon, .body = "{}", .categories = 1},
        {.kind = ASSET_OP_NEW, .ref = "R-1", .canon = canon, .body = "{}", .categories = 1},
    };
    struct asset_filing f = {
        .org_id = o.out_id, .filed_by_user = 1, .filed_by_org = o.out_id, .ops = ops, .nops = 2};
    struct store_write w = {.op = STORE_W_ASSET_FILE, .filing = &f};
    assert_int_equal(store_write_sync(s, &w), RK_ECONFLICT);
    assert_int_equal(f.bad_op, 1);
    assert_string_equal(w.conflict_field, "/ref");
    int n = 0;
    struct asset_filter flt = {.org_id = o.out_id, .include_retired = true};
    assert_int_equal(s->ops->asset_list(s, &flt, 0, count_assets, &n), RK_OK);
    assert_int_equal(n, 0);
    struct submission_rec sub;
    assert_int_equal(s->ops->submission_get(s, 1, &sub), RK_ENOTFOUND);
    /* One op files. */
    ops[0].asset_id = 0;
    f.nops = 1;
    struct store_write w2 = {.op = STORE_W_ASSET_FILE, .filing = &f};
    assert_int_equal(store_write_sync(s, &w2), RK_OK);
    assert_true(ops[0].asset_id > 0);
    /* A change computed against head 0 (stale) is refused. */
    struct asset_op ch = {.kind = ASSET_OP_CHANGE,
                          .asset_id = ops[0].asset_id,
                          .expect_head = 0,
                          .ref = "R-1",
                          .canon = canon,
                          .body = "{\"x\":1}"};
    struct asset_filing f2 = {
        .org_id = o.out_id, .filed_by_user = 1, .filed_by_org = o.out_id, .ops = &ch, .nops = 1};
    struct store_write w3 = {.op = STORE_W_ASSET_FILE, .filing = &f2};
    assert_int_equal(store_write_sync(s, &w3), RK_ECONFLICT);
    assert_string_equal(w3.conflict_field, "/version");
    /* Filing a draft checks that the draft is still the one that was read. */
    struct asset_op d = {.kind = ASSET_OP_NEW, .ref = "R-2", .canon = canon, .body = "{}"};
    struct asset_filing fd = {.org_id = o.out_id,
                              .filed_by_user = 1,
                              .filed_by_org = o.out_id,
                              .draft = true,
                              .ops = &d,
                              .nops = 1};
    struct store_write w4 = {.op = STORE_W_ASSET_FILE, .filing = &fd};
    assert_int_equal(store_write_sync(s, &w4), RK_OK);
    struct asset_rec ar;
    assert_int_equal(s->ops->asset_get(s, d.asset_id, &ar), RK_OK);
    assert_true(ar.draft_ms > 0);
    d.expect_draft_ms = ar.draft_ms + 1; /* someone edited it since */
    fd.draft = false;
    struct store_write w5 = {.op = STORE_W_ASSET_FILE, .filing = &fd};
    assert_int_equal(store_write_sync(s, &w5), RK_ECONFLICT);
    d.expect_draft_ms = ar.draft_ms;
    struct store_write w6 = {.op = STORE_W_ASSET_FILE, .filing = &fd};
    assert_int_equal(store_write_sync(s, &w6), RK_OK);
    store_asset_rec_free(&ar);
    s->ops->close(s);
    /* The append-only triggers hold against direct SQL. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE asset_versions SET body = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM asset_versions", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
    json_decref(canon);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_jobs_fail_alone),
        cmocka_unit_test(reopen_keeps_chain_and_migrations),
        cmocka_unit_test(credentials_resolve_and_expire),
        cmocka_unit_test(lock_out_and_expiry),
        cmocka_unit_test(asset_filing_atomic_append_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
