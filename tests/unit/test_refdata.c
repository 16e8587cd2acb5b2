#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/refdata.h"
#include "core/rk.h"

#define DATA_DIR RK_SOURCE_DIR "/data"

static int setup_real(void **state)
{
    char err[512];
    struct refdata *rd = NULL;
    int rc = refdata_load(DATA_DIR, &rd, err, sizeof err);
    if (rc != RK_OK) {
        fprintf(stderr, "refdata_load(%s): %s\n", DATA_DIR, err);
        return -1;
    }
    *state = rd;
    return 0;
}

static int teardown_real(void **state)
{
    refdata_free(*state);
    return 0;
}

static void test_counts_and_order(void **state)
{
    const struct refdata *rd = *state;
    assert_int_equal(rd->nsectors, 30);
    size_t core = 0, ci = 0;
    for (size_t i = 0; i < rd->nsectors; i++) {
        if (rd->sectors[i].list == RD_LIST_CORE)
            core++;
        else
            ci++;
    }
    assert_int_equal(core, 15);
    assert_int_equal(ci, 15);
    assert_int_equal(rd->nministries, 5);

    /* The mask bit order is a storage contract: domain.md §3, core list first. */
    static const char *const order_ja[] = {"電気",
                                           "ガス",
                                           "石油",
                                           "水道",
                                           "鉄道",
                                           "貨物自動車運送",
                                           "外航海運",
                                           "港湾運送",
                                           "航空",
                                           "空港",
                                           "電気通信",
                                           "放送",
                                           "郵便",
                                           "金融",
                                           "クレジットカード",
                                           "情報通信",
                                           "金融",
                                           "航空",
                                           "空港",
                                           "鉄道",
                                           "電力",
                                           "ガス",
                                           "政府・行政サービス",
                                           "医療",
                                           "水道",
                                           "物流",
                                           "化学",
                                           "クレジット",
                                           "石油",
                                           "港湾"};
    assert_int_equal(RK_ARRAY_LEN(order_ja), rd->nsectors);
    for (size_t i = 0; i < rd->nsectors; i++) {
        assert_string_equal(rd->sectors[i].name_ja, order_ja[i]);
        assert_int_equal(rd->sectors[i].list, i < 15 ? RD_LIST_CORE : RD_LIST_CI);
    }
    assert_int_equal(refdata_sector_index(rd, "core.electricity"), 0);
    assert_int_equal(refdata_sector_index(rd, "ci.info_comm"), 15);
    assert_int_equal(refdata_sector_index(rd, "ci.port"), 29);
    assert_int_equal(refdata_sector_index(rd, "ci.nope"), -1);
    assert_int_equal(refdata_sector_index(rd, NULL), -1);
}

static const char *ministry_of(const struct refdata *rd, const char *sector)
{
    int idx = refdata_sector_index(rd, sector);
    assert_true(idx >= 0);
    const char *found = NULL;
    for (size_t i = 0; i < rd->nministries; i++) {
        if (rd->ministries[i].sectors & (UINT64_C(1) << idx)) {
            assert_null(found); /* no sector is shared in the seeds' chart */
            found = rd->ministries[i].code;
        }
    }
    return found;
}

static void test_ministry_mapping(void **state)
{
    const struct refdata *rd = *state;
    /* Seed 002 organisation chart (CI sectors). */
    assert_string_equal(ministry_of(rd, "ci.finance"), "fsa");
    assert_string_equal(ministry_of(rd, "ci.info_comm"), "mic");
    assert_string_equal(ministry_of(rd, "ci.government"), "mic");
    assert_string_equal(ministry_of(rd, "ci.medical"), "mhlw");
    assert_string_equal(ministry_of(rd, "ci.electricity"), "meti");
    assert_string_equal(ministry_of(rd, "ci.credit"), "meti");
    assert_string_equal(ministry_of(rd, "ci.chemical"), "meti");
    assert_string_equal(ministry_of(rd, "ci.railway"), "mlit");
    assert_string_equal(ministry_of(rd, "ci.water"), "mlit"); /* the seed, not MHLW */
    assert_string_equal(ministry_of(rd, "ci.port"), "mlit");
    /* Core sectors (domain.md §3). */
    assert_string_equal(ministry_of(rd, "core.postal"), "mic");
    assert_string_equal(ministry_of(rd, "core.broadcasting"), "mic");
    assert_string_equal(ministry_of(rd, "core.credit_card"), "meti");
    assert_string_equal(ministry_of(rd, "core.finance"), "fsa");
    assert_string_equal(ministry_of(rd, "core.water"), "mlit");
    assert_string_equal(ministry_of(rd, "core.ocean_shipping"), "mlit");

    const struct rd_ministry *m = refdata_ministry(rd, "mhlw");
    assert_non_null(m);
    assert_string_equal(m->name_ja, "厚生労働省");
    assert_int_equal(__builtin_popcountll(m->sectors), 1);
    assert_int_equal(__builtin_popcountll(refdata_ministry(rd, "mlit")->sectors), 13);
    assert_null(refdata_ministry(rd, "mod"));
    assert_null(refdata_ministry(rd, NULL));
}

static void test_sector_mask_roundtrip(void **state)
{
    const struct refdata *rd = *state;
    json_t *in = json_pack("[sss]", "ci.port", "core.gas", "ci.port");
    uint64_t mask = 0;
    size_t bad = 42;
    assert_int_equal(refdata_sectors_parse(rd, in, &mask, &bad), RK_OK);
    assert_true(mask == ((UINT64_C(1) << 1) | (UINT64_C(1) << 29)));
    json_t *outj = refdata_sectors_to_json(rd, mask | (UINT64_C(1) << 63));
    json_t *want = json_pack("[ss]", "core.gas", "ci.port"); /* index order, deduplicated */
    assert_true(json_equal(outj, want));
    json_decref(in);
    json_decref(outj);
    json_decref(want);

    mask = 7;
    in = json_pack("[ssi]", "ci.port", "ci.medicine", 3);
    assert_int_equal(refdata_sectors_parse(rd, in, &mask, &bad), RK_EINVAL);
    assert_int_equal(bad, 1);
    assert_true(mask == 7);
    json_decref(in);
    in = json_pack("[si]", "ci.port", 3);
    assert_int_equal(refdata_sectors_parse(rd, in, &mask, &bad), RK_EINVAL);
    assert_int_equal(bad, 1);
    json_decref(in);
    in = json_string("ci.port");
    assert_int_equal(refdata_sectors_parse(rd, in, &mask, &bad), RK_EINVAL);
    assert_true(bad == SIZE_MAX);
    json_decref(in);
    in = json_array();
    assert_int_equal(refdata_sectors_parse(rd, in, &mask, NULL), RK_OK);
    assert_true(mask == 0);
    json_decref(in);

    json_t *all = refdata_sectors_to_json(rd, UINT64_MAX);
    assert_int_equal(json_array_size(all), 30);
    json_decref(all);
}

static void test_service_levels(void **state)
{
    const struct refdata *rd = *state;
    assert_int_equal(rd->nlevels, 27);
    /* Every CI sector has a row in seed 004 table 3; core sectors have none there. */
    for (size_t s = 0; s < rd->nsectors; s++) {
        size_t rows = 0;
        for (size_t i = 0; i < rd->nlevels; i++)
            if (rd->levels[i].sector == (int)s) rows++;
        if (rd->sectors[s].list == RD_LIST_CI)
            assert_true(rows >= 1);
        else
            assert_int_equal(rows, 0);
    }
    size_t explicit_rows = 0, ic = 0;
    int info = refdata_sector_index(rd, "ci.info_comm");
    for (size_t i = 0; i < rd->nlevels; i++) {
        const struct rd_service_level *v = &rd->levels[i];
        if (v->explicit_level) explicit_rows++;
        if (v->sector == info) {
            ic++;
            assert_true(v->explicit_level);
        }
        if (v->sector == refdata_sector_index(rd, "ci.electricity")) {
            assert_true(v->explicit_level);
            assert_non_null(strstr(v->text_ja, "10万キロワット以上"));
            assert_non_null(strstr(v->text_ja, "10分以上"));
        }
        if (v->sector == refdata_sector_index(rd, "ci.gas"))
            assert_non_null(strstr(v->text_ja, "供給支障戸数が30以上"));
        if (v->service_ja && strcmp(v->service_ja, "放送") == 0) {
            assert_non_null(strstr(v->text_ja, "15分以上"));
            assert_non_null(strstr(v->text_ja, "2時間以上"));
        }
        if (v->sector == refdata_sector_index(rd, "ci.finance")) assert_non_null(v->subsector_ja);
        assert_true((v->service_ja == NULL) == (v->service_en == NULL));
    }
    assert_int_equal(ic, 3); /* 電気通信役務, 放送, ケーブルテレビ */
    assert_int_equal(explicit_rows, 5);
}

static void test_holidays(void **state)
{
    const struct refdata *rd = *state;
    assert_int_equal(rd->nholidays, 108);
    assert_true(refdata_is_holiday(rd, 2025, 1, 1));
    assert_false(refdata_is_holiday(rd, 2025, 1, 2));
    assert_true(refdata_is_holiday(rd, 2025, 2, 24));   /* substitute holiday */
    assert_true(refdata_is_holiday(rd, 2026, 9, 22));   /* citizens' holiday */
    assert_true(refdata_is_holiday(rd, 2030, 11, 23));  /* last entry */
    assert_false(refdata_is_holiday(rd, 2025, 12, 31)); /* closure, not a national holiday */
    assert_false(refdata_is_holiday(rd, 2024, 1, 1));   /* outside the list */
    assert_false(refdata_is_holiday(rd, 2025, 2, 30));
    assert_false(refdata_is_holiday(rd, 2025, 13, 1));
    assert_false(refdata_is_holiday(rd, 0, 1, 1));
    assert_string_equal(rd->holidays[0].date, "2025-01-01");
    assert_int_equal(rd->holidays[0].day, 20089); /* 2025-01-01 in days since the epoch */
}

static void test_api_json(void **state)
{
    const struct refdata *rd = *state;
    assert_true(json_is_object(rd->json));
    assert_int_equal(json_object_size(rd->json), 4);
    assert_int_equal(json_array_size(json_object_get(rd->json, "sectors")), 30);
    assert_int_equal(json_array_size(json_object_get(rd->json, "ministries")), 5);
    assert_int_equal(json_array_size(json_object_get(rd->json, "service_levels")), 27);
    assert_int_equal(json_array_size(json_object_get(rd->json, "holidays")), 108);
    /* The struct's strings are borrowed from this document. */
    json_t *first = json_array_get(json_object_get(rd->json, "sectors"), 0);
    assert_ptr_equal(json_string_value(json_object_get(first, "code")), rd->sectors[0].code);
}

/* ---- demo.json: the shape the demo loader and the API tests rely on ---- */

static bool corpnum_valid(const char *s)
{
    if (strlen(s) != 13) return false;
    for (size_t i = 0; i < 13; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    /* Pn is the n-th base digit counted from the right; Qn = 1 for odd n, 2 for even n. */
    int sum = 0;
    for (int n = 1; n <= 12; n++)
        sum += (s[13 - n] - '0') * (n % 2 ? 1 : 2);
    return s[0] - '0' == 9 - sum % 9;
}

static void test_corpnum_vectors(void **state)
{
    assert_true(corpnum_valid("7000012050002"));
    assert_true(corpnum_valid("1180301018771"));
    assert_false(corpnum_valid("8000012050002"));
    assert_false(corpnum_valid("700001205000"));
    assert_false(corpnum_valid("70000120500a2"));
}

static bool in_list(const char *s, const char *const list[])
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0) return true;
    return false;
}

static bool date_ok(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int dim[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > dim[m - 1]) return false;
    return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static bool ident_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

static const char *str_member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void test_demo_well_formed(void **state)
{
    const struct refdata *rd = *state;
    json_error_t je;
    json_t *doc = json_load_file(DATA_DIR "/demo.json", JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) fail_msg("demo.json:%d: %s", je.line, je.text);
    assert_non_null(str_member(doc, "note"));
    json_t *orgs = json_object_get(doc, "orgs"), *users = json_object_get(doc, "users");
    assert_true(json_is_array(orgs) && json_is_array(users));

    static const char *const types[] = {
        "national_centre", "ministry",    "core_operator",      "ci_operator", "ceptoar", "vendor",
        "vuln_intake",     "coordinator", "foreign_government", "research",    "other",   NULL};
    static const char *const org_members[] = {"key",
                                              "type",
                                              "name_ja",
                                              "name_en",
                                              "corporate_number",
                                              "sectors",
                                              "ministry",
                                              "council",
                                              "council_consent_date",
                                              "confidentiality_agreement",
                                              "designated",
                                              NULL};
    static const char *const councils[] = {"none", "friend", "member", NULL};
    size_t norgs = json_array_size(orgs);
    uint64_t ministries_seen = 0;
    bool seen_council[3] = {false};
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o)
    {
        const char *key = str_member(o, "key"), *type = str_member(o, "type");
        const char *council = str_member(o, "council");
        if (!key || !ident_ok(key)) fail_msg("orgs[%zu]: bad key", i);
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (!in_list(k, org_members)) fail_msg("org %s: unknown member %s", key, k);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(str_member(json_array_get(orgs, j), "key"), key) == 0)
                fail_msg("org key %s is not unique", key);
        if (!type || !in_list(type, types)) fail_msg("org %s: bad type", key);
        if (!str_member(o, "name_ja") || !str_member(o, "name_en"))
            fail_msg("org %s: names missing", key);
        if (!json_is_boolean(json_object_get(o, "designated")))
            fail_msg("org %s: designated must be a boolean", key);

        const char *cn = str_member(o, "corporate_number");
        if (json_object_get(o, "corporate_number") && (!cn || !corpnum_valid(cn)))
            fail_msg("org %s: invalid corporate number", key);

        json_t *secs = json_object_get(o, "sectors");
        uint64_t mask;
        size_t bad;
        if (refdata_sectors_parse(rd, secs, &mask, &bad) != RK_OK)
            fail_msg("org %s: bad sector at index %zu", key, bad);
        assert_int_equal(__builtin_popcountll(mask), json_array_size(secs)); /* no repeats */
        const char *ministry = str_member(o, "ministry");
        if (strcmp(type, "ministry") == 0) {
            const struct rd_ministry *m = refdata_ministry(rd, ministry);
            if (!m) fail_msg("org %s: ministry code not in ministries.json", key);
            if (mask != 0) fail_msg("org %s: a ministry's sectors come from ministries.json", key);
            ministries_seen |= UINT64_C(1) << (m - rd->ministries);
        } else if (json_object_get(o, "ministry")) {
            fail_msg("org %s: only ministries have a ministry code", key);
        }
        if ((strcmp(type, "core_operator") == 0 || strcmp(type, "ci_operator") == 0 ||
             strcmp(type, "ceptoar") == 0) &&
            mask == 0)
            fail_msg("org %s: operators and CEPTOARs belong to at least one sector", key);

        if (!council || !in_list(council, councils)) fail_msg("org %s: bad council", key);
        bool member = strcmp(council, "member") == 0, friend_ = strcmp(council, "friend") == 0;
        const char *consent = str_member(o, "council_consent_date");
        if ((member || friend_) != (consent != NULL))
            fail_msg("org %s: consent date iff member or friend", key);
        if (consent && !date_ok(consent)) fail_msg("org %s: bad consent date", key);
        if (member != (str_member(o, "confidentiality_agreement") != NULL))
            fail_msg("org %s: confidentiality agreement iff member", key);
        if (strstr(type, "operator")) seen_council[member ? 2 : friend_ ? 1 : 0] = true;
    }
    /* Every ministry of ministries.json has a demo organisation. */
    assert_true(ministries_seen == (UINT64_C(1) << rd->nministries) - 1);
    assert_true(seen_council[0] && seen_council[1] && seen_council[2]);

    static const char *const roles[] = {"admin",    "org_admin", "analyst",
                                        "reporter", "viewer",    NULL};
    static const char *const user_members[] = {
        "username", "org", "display_name", "roles", "contractor", "password", NULL};
    unsigned roles_seen = 0;
    bool contractor_seen = false;
    json_t *u;
    json_array_foreach(users, i, u)
    {
        const char *name = str_member(u, "username"), *org = str_member(u, "org");
        if (!name || !ident_ok(name)) fail_msg("users[%zu]: bad username", i);
        const char *k;
        json_t *v;
        json_object_foreach(u, k, v)
        {
            if (!in_list(k, user_members)) fail_msg("user %s: unknown member %s", name, k);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(str_member(json_array_get(users, j), "username"), name) == 0)
                fail_msg("username %s is not unique", name);
        const char *org_type = NULL;
        for (size_t j = 0; org && j < norgs; j++)
            if (strcmp(str_member(json_array_get(orgs, j), "key"), org) == 0)
                org_type = str_member(json_array_get(orgs, j), "type");
        if (!org_type) fail_msg("user %s: unknown org", name);
        if (!str_member(u, "display_name")) fail_msg("user %s: no display name", name);
        json_t *c = json_object_get(u, "contractor");
        if (!json_is_boolean(c)) fail_msg("user %s: contractor must be a boolean", name);
        contractor_seen |= json_is_true(c);
        char want[128];
        snprintf(want, sizeof want, "renkei-demo-%s", name);
        const char *pw = str_member(u, "password");
        if (!pw || strcmp(pw, want) != 0) fail_msg("user %s: password is not %s", name, want);

        json_t *rl = json_object_get(u, "roles");
        if (!json_is_array(rl) || json_array_size(rl) == 0) fail_msg("user %s: no roles", name);
        size_t r;
        json_t *role;
        json_array_foreach(rl, r, role)
        {
            const char *rs = json_string_value(role);
            size_t bit = 0;
            while (roles[bit] && (!rs || strcmp(roles[bit], rs) != 0))
                bit++;
            if (!roles[bit]) fail_msg("user %s: unknown role", name);
            roles_seen |= 1u << bit;
            if (bit == 0 && strcmp(org_type, "national_centre") != 0)
                fail_msg("user %s: admin outside the national centre", name);
        }
    }
    assert_int_equal(roles_seen, 0x1f); /* every role is represented */
    assert_true(contractor_seen);
    json_decref(doc);
}

/* ---- broken inputs: a minimal valid data set in a temp dir, then one file replaced ---- */

static const char good_sectors[] =
    "{\"source\": \"t\", \"sectors\": ["
    "{\"code\": \"core.electricity\", \"list\": \"core\", \"name_ja\": \"電気\", \"name_en\": "
    "\"E\"},"
    "{\"code\": \"ci.finance\", \"list\": \"ci\", \"name_ja\": \"金融\", \"name_en\": \"F\"}]}";
static const char good_ministries[] =
    "{\"source\": \"t\", \"ministries\": ["
    "{\"code\": \"meti\", \"name_ja\": \"経済産業省\", \"name_en\": \"METI\", \"sectors\": "
    "[\"core.electricity\"]},"
    "{\"code\": \"fsa\", \"name_ja\": \"金融庁\", \"name_en\": \"FSA\", \"sectors\": "
    "[\"ci.finance\"]}]}";
static const char good_levels[] =
    "{\"source\": \"t\", \"levels\": [{\"sector\": \"ci.finance\", \"level_basis\": "
    "\"deemed\", \"text_ja\": \"x\", \"text_en\": \"x\"}]}";
static const char good_holidays[] =
    "{\"source\": \"t\", \"holidays\": [{\"date\": \"2025-01-01\", \"name_ja\": \"元日\", "
    "\"name_en\": \"New Year's Day\"}, {\"date\": \"2025-01-13\", \"name_ja\": \"成人の日\", "
    "\"name_en\": \"Coming of Age Day\"}]}";

struct tmpdata {
    char dir[64];
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static int setup_tmp(void **state)
{
    struct tmpdata *t = calloc(1, sizeof *t);
    if (!t) return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/rk_refdata_XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    write_file(t->dir, "sectors.json", good_sectors);
    write_file(t->dir, "ministries.json", good_ministries);
    write_file(t->dir, "service_levels.json", good_levels);
    write_file(t->dir, "holidays-jp.json", good_holidays);
    *state = t;
    return 0;
}

static int teardown_tmp(void **state)
{
    struct tmpdata *t = *state;
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", t->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

/* Loads t->dir expecting failure `rc` and a message containing every one of `needles`. */
static void expect_fail(const struct tmpdata *t, int rc, const char *const needles[])
{
    char err[512];
    struct refdata *rd = (struct refdata *)0x1; /* must stay untouched on failure */
    int got = refdata_load(t->dir, &rd, err, sizeof err);
    if (got != rc) fail_msg("expected %d, got %d (%s)", rc, got, err);
    assert_ptr_equal(rd, (struct refdata *)0x1);
    for (size_t i = 0; needles[i]; i++)
        if (!strstr(err, needles[i])) fail_msg("message \"%s\" lacks \"%s\"", err, needles[i]);
}

static void test_tmp_good(void **state)
{
    struct tmpdata *t = *state;
    struct refdata *rd = NULL;
    char err[256] = "x";
    assert_int_equal(refdata_load(t->dir, &rd, err, sizeof err), RK_OK);
    assert_string_equal(err, "");
    assert_int_equal(rd->nsectors, 2);
    assert_true(refdata_ministry(rd, "fsa")->sectors == 2);
    refdata_free(rd);
    refdata_free(NULL);
}

static void test_bad_unknown_sector_in_ministry(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "ministries.json",
               "{\"source\": \"t\", \"ministries\": [{\"code\": \"fsa\", \"name_ja\": \"金融庁\", "
               "\"name_en\": \"FSA\", \"sectors\": [\"ci.finance\", \"ci.medicine\", "
               "\"core.electricity\"]}]}");
    expect_fail(
        *state, RK_EINVAL,
        (const char *const[]){"ministries.json", "/ministries/0/sectors/1", "ci.medicine", NULL});
}

static void test_bad_uncovered_sector(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "ministries.json",
               "{\"source\": \"t\", \"ministries\": [{\"code\": \"fsa\", \"name_ja\": \"金融庁\", "
               "\"name_en\": \"FSA\", \"sectors\": [\"ci.finance\"]}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"ministries.json", "core.electricity", "no ministry", NULL});
}

static void test_bad_duplicate_code(void **state)
{
    write_file(
        ((struct tmpdata *)*state)->dir, "sectors.json",
        "{\"source\": \"t\", \"sectors\": ["
        "{\"code\": \"ci.finance\", \"list\": \"ci\", \"name_ja\": \"a\", \"name_en\": \"a\"},"
        "{\"code\": \"ci.finance\", \"list\": \"ci\", \"name_ja\": \"b\", \"name_en\": \"b\"}"
        "]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"sectors.json", "/sectors/1/code", "duplicate", NULL});
}

static void test_bad_duplicate_ministry(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "ministries.json",
               "{\"source\": \"t\", \"ministries\": ["
               "{\"code\": \"fsa\", \"name_ja\": \"a\", \"name_en\": \"a\", \"sectors\": "
               "[\"ci.finance\"]},"
               "{\"code\": \"fsa\", \"name_ja\": \"b\", \"name_en\": \"b\", \"sectors\": "
               "[\"core.electricity\"]}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"ministries.json", "/ministries/1/code", "duplicate", NULL});
}

static void test_bad_65_sectors(void **state)
{
    size_t cap = 65 * 128 + 64;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = (size_t)snprintf(buf, cap, "{\"source\": \"t\", \"sectors\": [");
    for (int i = 0; i < 65; i++) {
        /* Codes allow only [a-z_], so the 65 distinct codes are spelt in letters. */
        n += (size_t)snprintf(buf + n, cap - n,
                              "%s{\"code\": \"ci.s_%c%c\", \"list\": \"ci\", \"name_ja\": \"x\", "
                              "\"name_en\": \"x\"}",
                              i ? "," : "", 'a' + i / 26, 'a' + i % 26);
    }
    snprintf(buf + n, cap - n, "]}");
    write_file(((struct tmpdata *)*state)->dir, "sectors.json", buf);
    free(buf);
    expect_fail(*state, RK_EINVAL, (const char *const[]){"sectors.json", "/sectors", "64", NULL});
}

static void test_bad_code_format(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "sectors.json",
               "{\"source\": \"t\", \"sectors\": [{\"code\": \"ci.Finance\", \"list\": \"ci\", "
               "\"name_ja\": \"a\", \"name_en\": \"a\"}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"sectors.json", "/sectors/0/code", "ci.Finance", NULL});
    write_file(((struct tmpdata *)*state)->dir, "sectors.json",
               "{\"source\": \"t\", \"sectors\": [{\"code\": \"ci.finance\", \"list\": \"core\", "
               "\"name_ja\": \"a\", \"name_en\": \"a\"}]}");
    expect_fail(*state, RK_EINVAL, (const char *const[]){"/sectors/0/list", NULL});
}

static void test_bad_holiday_date(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "holidays-jp.json",
               "{\"source\": \"t\", \"holidays\": [{\"date\": \"2025-02-29\", \"name_ja\": \"x\", "
               "\"name_en\": \"x\"}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"holidays-jp.json", "/holidays/0/date", "2025-02-29", NULL});
}

static void test_bad_holiday_order(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "holidays-jp.json",
               "{\"source\": \"t\", \"holidays\": ["
               "{\"date\": \"2025-02-11\", \"name_ja\": \"x\", \"name_en\": \"x\"},"
               "{\"date\": \"2025-01-13\", \"name_ja\": \"y\", \"name_en\": \"y\"}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"holidays-jp.json", "/holidays/1/date", "previous", NULL});
}

static void test_bad_level(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "service_levels.json",
               "{\"source\": \"t\", \"levels\": [{\"sector\": \"ci.finance\", \"level_basis\": "
               "\"deemed\", \"text_ja\": \"x\", \"text_en\": \"x\", \"service_ja\": \"預金\"}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"service_levels.json", "/levels/0/service_en", NULL});
    write_file(((struct tmpdata *)*state)->dir, "service_levels.json",
               "{\"source\": \"t\", \"levels\": [{\"sector\": \"ci.bank\", \"level_basis\": "
               "\"deemed\", \"text_ja\": \"x\", \"text_en\": \"x\"}]}");
    expect_fail(*state, RK_EINVAL, (const char *const[]){"/levels/0/sector", "ci.bank", NULL});
}

static void test_bad_unknown_member(void **state)
{
    write_file(((struct tmpdata *)*state)->dir, "sectors.json",
               "{\"source\": \"t\", \"sectors\": [{\"code\": \"ci.finance\", \"list\": \"ci\", "
               "\"name_ja\": \"a\", \"nmae_en\": \"a\"}]}");
    expect_fail(*state, RK_EINVAL,
                (const char *const[]){"sectors.json", "/sectors/0/nmae_en", "unknown", NULL});
}

static void test_bad_json_and_missing_file(void **state)
{
    struct tmpdata *t = *state;
    write_file(t->dir, "service_levels.json", "{\"source\": \"t\",\n \"levels\": [,]}");
    expect_fail(t, RK_EINVAL, (const char *const[]){"service_levels.json", "line 2", NULL});
    write_file(t->dir, "service_levels.json",
               "{\"source\": \"t\", \"levels\": [], \"levels\": []}");
    expect_fail(t, RK_EINVAL, (const char *const[]){"service_levels.json", "duplicate", NULL});
    write_file(t->dir, "service_levels.json", good_levels);
    char path[256];
    snprintf(path, sizeof path, "%s/holidays-jp.json", t->dir);
    assert_int_equal(unlink(path), 0);
    expect_fail(t, RK_EIO, (const char *const[]){"holidays-jp.json", NULL});
    /* A too-small buffer truncates the message but never overflows. */
    char small[8];
    struct refdata *rd = NULL;
    assert_int_equal(refdata_load(t->dir, &rd, small, sizeof small), RK_EIO);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(refdata_load(t->dir, &rd, NULL, 0), RK_EIO);
    assert_null(rd);
}

int main(void)
{
    const struct CMUnitTest real[] = {
        cmocka_unit_test(test_counts_and_order),
        cmocka_unit_test(test_ministry_mapping),
        cmocka_unit_test(test_sector_mask_roundtrip),
        cmocka_unit_test(test_service_levels),
        cmocka_unit_test(test_holidays),
        cmocka_unit_test(test_api_json),
        cmocka_unit_test(test_corpnum_vectors),
        cmocka_unit_test(test_demo_well_formed),
    };
    const struct CMUnitTest broken[] = {
        cmocka_unit_test_setup_teardown(test_tmp_good, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_unknown_sector_in_ministry, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_uncovered_sector, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_duplicate_code, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_duplicate_ministry, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_65_sectors, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_code_format, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_holiday_date, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_holiday_order, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_level, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_unknown_member, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_bad_json_and_missing_file, setup_tmp, teardown_tmp),
    };
    int failed = cmocka_run_group_tests_name("refdata (data/)", real, setup_real, teardown_real);
    failed += cmocka_run_group_tests_name("refdata (broken inputs)", broken, NULL, NULL);
    return failed;
}
