/*
 * test_store_dissem.c — the store side of dissemination (migration 0006, store_dissem.c):
 * identification numbers and 第N報 of advisory series, drafts changing only against the version
 * read, sending and delivering in one transaction (a delivery that fails leaves the advisory a
 * draft), inbox rows held once per organisation, acknowledgments, the inbox newest first, and
 * the triggers that keep sent advisories and messages unchanged against direct SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "core/rk.h"
#include "store/store.h"

static char dir[64], dbpath[128];

static struct store *open_store(void)
{
    struct store *s = NULL;
    char err[256];
    struct store_sqlite_opts o = {
        .path = dbpath, .migrations_dir = RK_SOURCE_DIR "/db/migrations", .sync_full = false};
    if (store_sqlite_open(&o, &s, err, sizeof err) != RK_OK) fail_msg("open: %s", err);
    return s;
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    snprintf(dir, sizeof dir, "/tmp/renkei-dissem-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int64_t add_org(struct store *s, enum pol_org_type type, const char *name)
{
    struct store_write w = {.op = STORE_W_ORG_CREATE};
    w.org.type = type;
    snprintf(w.org.name_ja, sizeof w.org.name_ja, "%s", name);
    assert_int_equal(store_write_sync(s, &w), RK_OK);
    return w.out_id;
}

static struct advisory_input draft(int64_t sender, int64_t follows)
{
    return (struct advisory_input){.follows_id = follows,
                                   .sender_org = sender,
                                   .tlp = POL_TLP_AMBER,
                                   .severity = "warning",
                                   .sectors = 1,
                                   .named = "[]",
                                   .title = "t",
                                   .body = "{}",
                                   .labels = "{}",
                                   .agreement = "",
                                   .user_id = 1};
}

static int send(struct store *s, int64_t id, int64_t version, const int64_t *orgs, size_t n,
                int64_t *delivered)
{
    struct advisory_input in = {.named = "[2]", .user_id = 1};
    struct store_write w = {.op = STORE_W_ADVISORY_SEND,
                            .advisory = &in,
                            .target_id = id,
                            .expect_version = version,
                            .deliver = {.kind = "advisory", .orgs = orgs, .norgs = n}};
    int rc = store_write_sync(s, &w);
    if (delivered) *delivered = w.out_count;
    return rc;
}

static bool count_cb(const struct inbox_rec *r, void *ctx)
{
    int64_t *last = ctx;
    /* newest first */
    if (last[0] && r->id >= last[0]) fail_msg("inbox not newest first");
    last[0] = r->id;
    last[1]++;
    return true;
}

static void advisory_series_send_and_inbox(void **state)
{
    (void)state;
    struct store *s = open_store();
    int64_t nc = add_org(s, POL_ORG_NATIONAL_CENTRE, "nc");
    int64_t min = add_org(s, POL_ORG_MINISTRY, "ministry");
    int64_t op = add_org(s, POL_ORG_CORE_OPERATOR, "operator");

    struct advisory_input in = draft(nc, 0);
    struct store_write w = {.op = STORE_W_ADVISORY_CREATE, .advisory = &in};
    assert_int_equal(store_write_sync(s, &w), RK_OK);
    int64_t first = w.out_id;
    assert_int_equal(w.out_number, 1);
    assert_int_equal(strncmp(w.out_ident, "AD-", 3), 0);
    char ident[32];
    snprintf(ident, sizeof ident, "%s", w.out_ident);

    /* A follow-up of a draft is refused: the series starts when its first is sent. */
    struct advisory_input f = draft(nc, first);
    struct store_write wf = {.op = STORE_W_ADVISORY_CREATE, .advisory = &f};
    assert_int_equal(store_write_sync(s, &wf), RK_ECONFLICT);
    assert_string_equal(wf.conflict_field, "/follows");

    /* A delivery that fails (an organisation that does not exist) rolls the send back. */
    int64_t bad[] = {min, 999999};
    assert_int_not_equal(send(s, first, 1, bad, 2, NULL), RK_OK);
    struct advisory_rec a;
    assert_int_equal(s->ops->advisory_get(s, first, &a), RK_OK);
    assert_false(a.sent);
    store_advisory_rec_free(&a);
    struct inbox_rec row;
    assert_int_equal(s->ops->inbox_get(s, "advisory", first, min, &row), RK_ENOTFOUND);

    /* Stale version, then the real send; a repeated organisation is held once. */
    int64_t orgs[] = {min, min};
    int64_t n = 0;
    assert_int_equal(send(s, first, 7, orgs, 2, NULL), RK_ECONFLICT);
    assert_int_equal(send(s, first, 1, orgs, 2, &n), RK_OK);
    assert_int_equal(n, 1);
    assert_int_equal(s->ops->advisory_get(s, first, &a), RK_OK);
    assert_true(a.sent);
    assert_string_equal(a.named, "[2]");
    int64_t version = a.version;
    store_advisory_rec_free(&a);
    w = (struct store_write){.op = STORE_W_ADVISORY_SEND};
    assert_int_equal(send(s, first, version, orgs, 1, NULL), RK_ECONFLICT);

    /* Sent: edits refused as "/status". */
    in = draft(nc, 0);
    struct store_write wu = {.op = STORE_W_ADVISORY_UPDATE,
                             .advisory = &in,
                             .target_id = first,
                             .expect_version = version};
    assert_int_equal(store_write_sync(s, &wu), RK_ECONFLICT);
    assert_string_equal(wu.conflict_field, "/status");

    /* Follow-ups: same number, next 第N報; two drafts cannot take the same number. */
    f = draft(nc, first);
    wf = (struct store_write){.op = STORE_W_ADVISORY_CREATE, .advisory = &f};
    assert_int_equal(store_write_sync(s, &wf), RK_OK);
    assert_string_equal(wf.out_ident, ident);
    assert_int_equal(wf.out_number, 2);
    wf = (struct store_write){.op = STORE_W_ADVISORY_CREATE, .advisory = &f};
    assert_int_equal(store_write_sync(s, &wf), RK_ECONFLICT);
    assert_string_equal(wf.conflict_field, "/follows");

    /* Relay: the ministry's organisation already holds it; the operator is new. */
    int64_t relay[] = {min, op};
    struct store_write wr = {.op = STORE_W_INBOX_DELIVER,
                             .deliver = {.kind = "advisory",
                                         .object_id = first,
                                         .orgs = relay,
                                         .norgs = 2,
                                         .relayed_from = min,
                                         .relayed_by = 1}};
    assert_int_equal(store_write_sync(s, &wr), RK_OK);
    assert_int_equal(wr.out_count, 1);
    assert_int_equal(s->ops->inbox_get(s, "advisory", first, op, &row), RK_OK);
    assert_int_equal(row.relayed_from, min);
    assert_string_equal(row.ack, "");

    /* Acknowledgment: only a holder's row; changed later from read to actioned. */
    int64_t nobody = nc;
    struct store_write wa = {
        .op = STORE_W_INBOX_ACK,
        .deliver = {
            .kind = "advisory", .object_id = first, .orgs = &nobody, .norgs = 1, .ack = "read"}};
    assert_int_equal(store_write_sync(s, &wa), RK_ENOTFOUND);
    wa.deliver.orgs = &op;
    assert_int_equal(store_write_sync(s, &wa), RK_OK);
    wa.deliver.ack = "actioned";
    assert_int_equal(store_write_sync(s, &wa), RK_OK);
    assert_int_equal(s->ops->inbox_get(s, "advisory", first, op, &row), RK_OK);
    assert_string_equal(row.ack, "actioned");
    wa.deliver.ack = "maybe"; /* the CHECK constraint */
    assert_int_not_equal(store_write_sync(s, &wa), RK_OK);

    /* The inbox: newest first, "before" continues; the unacknowledged filter. */
    int64_t acc[2] = {0, 0};
    assert_int_equal(s->ops->inbox_list(s, op, NULL, 0, count_cb, acc), RK_OK);
    assert_int_equal(acc[1], 1);
    struct inbox_filter un = {.unacked = true};
    acc[0] = acc[1] = 0;
    assert_int_equal(s->ops->inbox_list(s, op, &un, 0, count_cb, acc), RK_OK);
    assert_int_equal(acc[1], 0);
    acc[0] = acc[1] = 0;
    assert_int_equal(s->ops->inbox_list(s, min, NULL, 0, count_cb, acc), RK_OK);
    assert_int_equal(acc[1], 1);

    s->ops->close(s);
    /* Sent advisories and inbox history hold against direct SQL. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE advisories SET title = 'x' WHERE status = 'sent'",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(db, "DELETE FROM advisories WHERE status = 'sent'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
}

static void threads_members_and_messages(void **state)
{
    (void)state;
    struct store *s = open_store();
    int64_t nc = add_org(s, POL_ORG_NATIONAL_CENTRE, "nc2");
    int64_t a = add_org(s, POL_ORG_CORE_OPERATOR, "a");
    int64_t b = add_org(s, POL_ORG_CI_OPERATOR, "b");
    int64_t members[] = {a, b};
    struct thread_input ti = {.owner_org = nc,
                              .group = true,
                              .title = "wg",
                              .members = members,
                              .nmembers = 2,
                              .user_id = 1};
    struct store_write w = {.op = STORE_W_THREAD_CREATE, .thread = &ti};
    assert_int_equal(store_write_sync(s, &w), RK_OK);
    int64_t tid = w.out_id;
    struct thread_rec *t = malloc(sizeof *t);
    assert_non_null(t);
    assert_int_equal(s->ops->thread_get(s, tid, t), RK_OK);
    assert_true(t->group);
    assert_int_equal(t->nmembers, 2);

    /* Members replaced as a whole, against the version read. */
    ti.nmembers = 1;
    ti.title = "wg2";
    struct store_write wu = {
        .op = STORE_W_THREAD_UPDATE, .thread = &ti, .target_id = tid, .expect_version = 5};
    assert_int_equal(store_write_sync(s, &wu), RK_ECONFLICT);
    wu.expect_version = 1;
    assert_int_equal(store_write_sync(s, &wu), RK_OK);
    assert_int_equal(s->ops->thread_get(s, tid, t), RK_OK);
    assert_int_equal(t->nmembers, 1);
    assert_int_equal(t->members[0], a);
    assert_string_equal(t->title, "wg2");
    free(t);

    /* A message and its inbox rows in one job. */
    struct message_input mi = {.thread_id = tid,
                               .sender_org = nc,
                               .sender_user = 1,
                               .tlp = POL_TLP_GREEN,
                               .labels = POL_LABEL_SECRET,
                               .body = "hello"};
    int64_t to[] = {a};
    struct store_write wm = {.op = STORE_W_MESSAGE_POST,
                             .message = &mi,
                             .deliver = {.kind = "message", .orgs = to, .norgs = 1}};
    assert_int_equal(store_write_sync(s, &wm), RK_OK);
    assert_int_equal(wm.out_count, 1);
    struct inbox_rec row;
    assert_int_equal(s->ops->inbox_get(s, "message", wm.out_id, a, &row), RK_OK);
    struct message_rec m;
    assert_int_equal(s->ops->message_get(s, wm.out_id, &m), RK_OK);
    assert_string_equal(m.body, "hello");
    assert_int_equal(m.labels, POL_LABEL_SECRET);
    assert_int_equal(m.tlp, POL_TLP_GREEN);
    free((char *)m.body);
    s->ops->close(s);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE messages SET body = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM messages", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Annex files: bound by the draft that lists them, released when dropped, kept once sent. */
static void annex_files_bound_and_kept(void **state)
{
    (void)state;
    struct store *s = open_store();
    int64_t nc = add_org(s, POL_ORG_NATIONAL_CENTRE, "nc3");
    int64_t other = add_org(s, POL_ORG_MINISTRY, "m3");
    s->ops->close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    char sql[512];
    for (int i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO attachments (org_id, user_id, name, media_type, role, size, "
                 "sha256, created_ms, content) VALUES (%lld, 1, 'f%d', 'text/plain', 'other', 1, "
                 "'', 0, x'41')",
                 (long long)(i ? other : nc), i);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    int64_t mine = sqlite3_last_insert_rowid(db) - 1, theirs = mine + 1;
    sqlite3_close(db);
    s = open_store();
    /* Another organisation's upload cannot be listed. */
    struct advisory_input in = draft(nc, 0);
    in.attachments = &theirs;
    in.nattachments = 1;
    struct store_write w = {.op = STORE_W_ADVISORY_CREATE, .advisory = &in};
    assert_int_equal(store_write_sync(s, &w), RK_ECONFLICT);
    assert_string_equal(w.conflict_field, "/answers/content/attachments/0");
    in.attachments = &mine;
    w = (struct store_write){.op = STORE_W_ADVISORY_CREATE, .advisory = &in};
    assert_int_equal(store_write_sync(s, &w), RK_OK);
    int64_t id = w.out_id;
    struct attachment_rec a;
    assert_int_equal(s->ops->attachment_get(s, mine, &a), RK_OK);
    assert_int_equal(a.advisory_id, id);
    /* A second advisory cannot take it; dropping it from the first releases it. */
    struct advisory_input in2 = draft(nc, 0);
    in2.attachments = &mine;
    in2.nattachments = 1;
    struct store_write w2 = {.op = STORE_W_ADVISORY_CREATE, .advisory = &in2};
    assert_int_equal(store_write_sync(s, &w2), RK_ECONFLICT);
    in.nattachments = 0;
    struct store_write wu = {
        .op = STORE_W_ADVISORY_UPDATE, .advisory = &in, .target_id = id, .expect_version = 1};
    assert_int_equal(store_write_sync(s, &wu), RK_OK);
    assert_int_equal(s->ops->attachment_get(s, mine, &a), RK_OK);
    assert_int_equal(a.advisory_id, 0);
    /* Listed again, sent: the file stays bound even against direct SQL. */
    in.nattachments = 1;
    wu = (struct store_write){
        .op = STORE_W_ADVISORY_UPDATE, .advisory = &in, .target_id = id, .expect_version = 2};
    assert_int_equal(store_write_sync(s, &wu), RK_OK);
    assert_int_equal(send(s, id, 3, NULL, 0, NULL), RK_OK);
    s->ops->close(s);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE attachments SET advisory_id = NULL WHERE id = %lld",
             (long long)mine);
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advisory_series_send_and_inbox),
        cmocka_unit_test(threads_members_and_messages),
        cmocka_unit_test(annex_files_bound_and_kept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
