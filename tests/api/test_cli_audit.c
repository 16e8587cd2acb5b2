/*
 * test_cli_audit.c — the renkei CLI end to end, and `renkei audit verify` catching a modified,
 * a deleted, an inserted and a truncated audit record. Tampering is done as an attacker with
 * the database file would: straight through SQLite, after dropping the append-only triggers.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "domain/audit_chain.h"
#include "support.h"

static struct srv S;
static char PRISTINE[400]; /* a copy of the store with an intact chain */

static int setup(void **state)
{
    if (sodium_init() < 0) return -1;
    srv_start(&S, true, NULL);
    /* Some API activity so the chain holds logins and token records too. */
    char tok[128];
    bearer(&S, "nc-admin", tok, sizeof tok);
    srv_signal_wait(&S, SIGTERM); /* a clean stop checkpoints the WAL into the file */
    snprintf(PRISTINE, sizeof PRISTINE, "%s/pristine.db", S.dir);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", S.db, PRISTINE);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

static int cli(const char *in, char *out, size_t cap, const char *a0, const char *a1,
               const char *a2, const char *a3, const char *a4, const char *a5, const char *a6)
{
    const char *args[] = {a0, a1, a2, a3, a4, a5, a6, NULL};
    return srv_cli(&S, in, out, cap, args);
}

/* Restores the pristine store, then runs SQL on it with the triggers gone. */
static void tamper(const char *sql)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", PRISTINE, S.db, S.db,
             S.db);
    assert_int_equal(system(cmd), 0);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(S.db, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;", NULL,
                          NULL, &err);
    assert_int_equal(rc, SQLITE_OK);
    rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) fail_msg("tamper SQL failed: %s", err);
    sqlite3_close(db);
}

static long long record_count(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(PRISTINE, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT max(seq) FROM audit", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void verify_expect(int want_rc, const char *want_text)
{
    char out[1024];
    int rc = cli(NULL, out, sizeof out, "audit", "verify", NULL, NULL, NULL, NULL, NULL);
    if (rc != want_rc || !strstr(out, want_text))
        fail_msg("audit verify: exit %d, output %s (wanted %d and '%s')", rc, out, want_rc,
                 want_text);
}

static void intact_chain_verifies(void **st)
{
    tamper("SELECT 1");
    char want[64];
    snprintf(want, sizeof want, "intact: %lld records", record_count());
    verify_expect(0, want);
}

static void triggers_refuse_plain_changes(void **st)
{
    sqlite3 *db;
    char *err = NULL;
    assert_int_equal(sqlite3_open(PRISTINE, &db), SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(db, "UPDATE audit SET action = 'x' WHERE seq = 3", NULL, NULL, &err),
        SQLITE_OK);
    assert_non_null(strstr(err, "append-only"));
    sqlite3_free(err);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 3", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
}

static void modified_record_caught(void **st)
{
    tamper("UPDATE audit SET detail = '{\"via\":\"nobody\"}' WHERE seq = 10");
    verify_expect(4, "BROKEN at record 10: record hash mismatch");
    /* Rewriting the hash too is caught at the next link. */
    tamper("UPDATE audit SET hash = zeroblob(32) WHERE seq = 12");
    verify_expect(4, "BROKEN at record 12");
}

static void deleted_record_caught(void **st)
{
    tamper("DELETE FROM audit WHERE seq = 20");
    verify_expect(4, "BROKEN at record 21: sequence gap");
}

static void inserted_record_caught(void **st)
{
    /* The attacker knows the algorithm: shift the later records up and insert a record with a
     * correct link to its predecessor and a correct hash of its own. */
    sqlite3 *db;
    sqlite3_stmt *q;
    tamper("UPDATE audit SET seq = -seq WHERE seq >= 15; UPDATE audit SET seq = 1 - seq WHERE seq "
           "< 0");
    assert_int_equal(sqlite3_open(S.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE seq = 14", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    struct audit_rec r = {.seq = 15,
                          .ts_ms = 1,
                          .user_id = 1,
                          .org_id = 1,
                          .action = "org.create",
                          .object = "org:999",
                          .request_id = "forged",
                          .detail = "{}"};
    memcpy(r.prev_hash, sqlite3_column_blob(q, 0), AUDIT_HASH_LEN);
    sqlite3_finalize(q);
    audit_chain_hash(&r, r.hash);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO audit VALUES (15, 1, 1, 1, 'org.create', "
                                        "'org:999', 'forged', '{}', ?1, ?2)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(q, 1, r.prev_hash, AUDIT_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(q, 2, r.hash, AUDIT_HASH_LEN, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
    verify_expect(4, "BROKEN at record 16");
}

static void truncated_chain_caught(void **st)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq = %lld", record_count());
    tamper(sql);
    char want[64];
    snprintf(want, sizeof want, "BROKEN at record %lld: chain truncated", record_count());
    verify_expect(4, want);
    tamper("SELECT 1"); /* leave a clean store for the next tests */
}

static void cli_commands(void **st)
{
    char out[4096];
    assert_int_equal(cli(NULL, out, sizeof out, "--help", NULL, NULL, NULL, NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "audit verify"));
    assert_int_equal(cli(NULL, out, sizeof out, "frobnicate", NULL, NULL, NULL, NULL, NULL, NULL),
                     2);
    /* Same validation as the API, same pointers. */
    assert_int_equal(cli(NULL, out, sizeof out, "org", "add", "core_operator", "CLI電力",
                         "--sectors", "core.electricity,core.nope", NULL),
                     3);
    assert_int_equal(cli(NULL, out, sizeof out, "org", "add", "bank", "CLI銀行", NULL, NULL, NULL),
                     3);
    assert_int_equal(cli(NULL, out, sizeof out, "org", "add", "core_operator", "CLI電力",
                         "--sectors", "core.electricity", NULL),
                     0);
    long long org = strtoll(out, NULL, 10);
    assert_true(org > 0);
    assert_int_equal(cli(NULL, out, sizeof out, "org", "list", NULL, NULL, NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "CLI電力"));
    char orgs[32];
    snprintf(orgs, sizeof orgs, "%lld", org);
    assert_int_equal(cli("too-short\n", out, sizeof out, "user", "add", orgs, "cli-user",
                         "CLI 利用者", "--roles", "reporter"),
                     3);
    assert_int_equal(cli("a-long-enough-password\n", out, sizeof out, "user", "add", orgs,
                         "cli-user", "CLI 利用者", "--roles", "admin"),
                     3); /* admin only at the national centre */
    assert_int_equal(cli("a-long-enough-password\n", out, sizeof out, "user", "add", orgs,
                         "cli-user", "CLI 利用者", "--roles", "reporter,org_admin"),
                     0);
    assert_int_equal(cli("a-long-enough-password\n", out, sizeof out, "user", "add", orgs,
                         "cli-user", "CLI 利用者", "--roles", "reporter"),
                     3); /* username taken */
    assert_int_equal(cli("another-long-password\n", out, sizeof out, "user", "passwd", "cli-user",
                         NULL, NULL, NULL, NULL),
                     0);
    /* The API's bounds, in characters: four kanji are 12 bytes but too short. */
    assert_int_equal(
        cli("東京電力\n", out, sizeof out, "user", "passwd", "cli-user", NULL, NULL, NULL, NULL),
        3);
    assert_int_equal(cli("", out, sizeof out, "user", "passwd", "cli-user", NULL, NULL, NULL, NULL),
                     3);
    assert_int_equal(cli(NULL, out, sizeof out, "user", "list", "abc", NULL, NULL, NULL, NULL), 2);
    assert_int_equal(cli(NULL, out, sizeof out, "token", "create", "cli-user", "automation",
                         "--roles", "admin", NULL),
                     3); /* roles beyond the user's */
    assert_int_equal(cli(NULL, out, sizeof out, "token", "create", "cli-user", "automation",
                         "--roles", "reporter", NULL),
                     0);
    char *tab = strchr(out, '\t');
    assert_non_null(tab);
    assert_int_equal(strncmp(tab + 1, "rk_", 3), 0);
    char tid[32];
    snprintf(tid, sizeof tid, "%lld", strtoll(out, NULL, 10));
    /* The token works against the server, and stops working once revoked. */
    char auth[160];
    snprintf(auth, sizeof auth, "Bearer %.*s", (int)strcspn(tab + 1, "\n"), tab + 1);
    srv_launch(&S, NULL);
    struct resp r;
    http_json(&S, "GET", "/api/v1/me", auth, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(cli(NULL, out, sizeof out, "token", "revoke", tid, NULL, NULL, NULL, NULL), 0);
    http_json(&S, "GET", "/api/v1/me", auth, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    /* The running server keeps writing after the CLI wrote to the same store (the audit chain
     * head moved under it). */
    char admin[160];
    bearer(&S, "nc-admin", admin, sizeof admin);
    http_json(&S, "POST", "/api/v1/orgs", admin,
              "{\"type\":\"vendor\",\"name_ja\":\"並行ベンダー\"}", &r);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(cli(NULL, out, sizeof out, "user", "list", orgs, NULL, NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "cli-user"));
    /* Every CLI change is in the chain. */
    assert_int_equal(cli(NULL, out, sizeof out, "audit", "verify", NULL, NULL, NULL, NULL, NULL),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intact_chain_verifies),  cmocka_unit_test(triggers_refuse_plain_changes),
        cmocka_unit_test(modified_record_caught), cmocka_unit_test(deleted_record_caught),
        cmocka_unit_test(inserted_record_caught), cmocka_unit_test(truncated_chain_caught),
        cmocka_unit_test(cli_commands),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
