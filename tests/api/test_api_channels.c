/*
 * test_api_channels.c — council channels, products pushed on release and the public feeds, end
 * to end on the real server: one-to-one threads and working groups opened by the national centre,
 * who sees them and their messages (TLP, labels, contractors, council friends never receiving
 * secret content), membership changes taking access away (also from the inbox), released
 * products delivered to the inboxes of the organisations that may read them, and the public
 * JSON Feed / Atom / HTML pages, identical whoever asks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"

static struct srv S;
static char NC[128], NCADMIN[128], METI[128], FSA[128], TOTO[128], TOTOR[128], TOTOC[128],
    TEISAC[128], KENSEI[128], WANGAN[128], MINATO[128], TSS[128], IPA[128], KAEDE[128];
static int64_t O_TOTO, O_KENSEI, O_TEISAC, O_WANGAN;

static long status_of(const char *path, const char *tok)
{
    struct resp r;
    http_json(&S, "GET", path, tok, NULL, &r);
    long st = r.status;
    resp_free(&r);
    return st;
}

static bool has_error(const struct resp *r, const char *pointer, const char *rule)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e)
    {
        if (strcmp(jstr(e, "pointer"), pointer) == 0 && strcmp(jstr(e, "rule"), rule) == 0)
            return true;
    }
    return false;
}

/* Is id among the items of GET path as tok (which must answer 200)? */
static bool listed(const char *path, const char *tok, int64_t id)
{
    struct resp r;
    api_call(&S, "GET", path, tok, NULL, 200, &r);
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (jnum(it, "id") == id) found = true;
    }
    resp_free(&r);
    return found;
}

static bool in_inbox(const char *tok, const char *kind, int64_t object_id)
{
    struct resp r;
    api_call(&S, "GET", "/api/v1/inbox?limit=1000", tok, NULL, 200, &r);
    bool found = false;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (strcmp(jstr(it, "kind"), kind) == 0 && jnum(it, "object_id") == object_id) {
            found = true;
            assert_non_null(json_object_get(it, "object"));
        }
    }
    resp_free(&r);
    return found;
}

/* The bodies of the messages of a thread or group as tok sees them, joined by "|"; NULL if 404. */
static char *messages(const char *kind, int64_t id, const char *tok)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/%s/%lld/messages?limit=1000", kind, (long long)id);
    struct resp r;
    http_json(&S, "GET", path, tok, NULL, &r);
    if (r.status == 404) {
        resp_free(&r);
        return NULL;
    }
    if (r.status != 200) fail_msg("GET %s: %ld %s", path, r.status, r.body);
    char *out = calloc(1, 65536);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r.json, "items"), i, m)
    {
        snprintf(out + strlen(out), 65536 - strlen(out), "%s|", jstr(m, "body"));
    }
    resp_free(&r);
    return out;
}

static bool sees(const char *kind, int64_t id, const char *tok, const char *marker)
{
    char *all = messages(kind, id, tok);
    bool found = all && strstr(all, marker);
    free(all);
    return found;
}

static int64_t post(const char *kind, int64_t id, const char *tok, const char *body,
                    const char *tlp, const char *labels, long want, struct resp *out)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/%s/%lld/messages", kind, (long long)id);
    json_t *doc = json_pack("{s:s, s:s}", "body", body, "tlp", tlp);
    if (labels) json_object_set_new(doc, "labels", test_json(labels));
    struct resp r;
    api_call(&S, "POST", path, tok, doc, want, &r);
    int64_t mid = want == 201 ? jnum(r.json, "id") : 0;
    if (out)
        *out = r;
    else
        resp_free(&r);
    return mid;
}

static char *fetch(const char *path, const char *auth, long want, char *ctype, size_t cap)
{
    struct resp r;
    http(&S, "GET", path, auth, NULL, NULL, NULL, NULL, &r);
    if (r.status != want) fail_msg("GET %s: %ld (want %ld): %s", path, r.status, want, r.body);
    if (ctype && !resp_header(&r, "Content-Type", ctype, cap)) ctype[0] = 0;
    char *body = strdup(r.body ? r.body : "");
    resp_free(&r);
    return body;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

static int setup(void **state)
{
    (void)state;
    srv_start(&S, true, NULL);
    bearer(&S, "nc-analyst", NC, sizeof NC);
    bearer(&S, "nc-admin", NCADMIN, sizeof NCADMIN);
    bearer(&S, "meti-analyst", METI, sizeof METI);
    bearer(&S, "fsa-analyst", FSA, sizeof FSA);
    bearer(&S, "toto-admin", TOTO, sizeof TOTO);
    bearer(&S, "toto-reporter", TOTOR, sizeof TOTOR);
    bearer(&S, "toto-contractor", TOTOC, sizeof TOTOC);
    bearer(&S, "teisac-analyst", TEISAC, sizeof TEISAC);
    bearer(&S, "kenseikai-admin", KENSEI, sizeof KENSEI);
    bearer(&S, "wangan-admin", WANGAN, sizeof WANGAN);
    bearer(&S, "minato-admin", MINATO, sizeof MINATO);
    bearer(&S, "tss-reporter", TSS, sizeof TSS);
    bearer(&S, "ipa-analyst", IPA, sizeof IPA);
    bearer(&S, "kaede-admin", KAEDE, sizeof KAEDE);
    O_TOTO = srv_org_of(&S, TOTO);
    O_KENSEI = srv_org_of(&S, KENSEI);
    O_TEISAC = srv_org_of(&S, TEISAC);
    O_WANGAN = srv_org_of(&S, WANGAN);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srv_stop(&S);
    return 0;
}

/* ---- threads and groups ------------------------------------------------------------------ */

static int64_t G_FRIEND; /* a group with toto, kenseikai (friend) and teisac */
static int64_t T_TOTO;   /* the one-to-one thread with toto */

static void open_channels(void **st)
{
    (void)st;
    struct resp r;
    api_call(&S, "POST", "/api/v1/threads", NC,
             json_pack("{s:s, s:I}", "title", "東都電力との個別連絡", "org_id", (json_int_t)O_TOTO),
             201, &r);
    T_TOTO = jnum(r.json, "id");
    assert_string_equal(jstr(r.json, "kind"), "one_to_one");
    assert_int_equal(json_array_size(json_object_get(r.json, "members")), 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(r.json, "members"), 0)),
                     O_TOTO);
    char loc[128], want[64];
    assert_non_null(resp_header(&r, "Location", loc, sizeof loc));
    snprintf(want, sizeof want, "/api/v1/threads/%lld", (long long)T_TOTO);
    assert_string_equal(loc, want);
    resp_free(&r);

    api_call(&S, "POST", "/api/v1/groups", NC,
             json_pack("{s:s, s:[I, I, I]}", "title", "電力・医療WG", "members", (json_int_t)O_TOTO,
                       (json_int_t)O_KENSEI, (json_int_t)O_TEISAC),
             201, &r);
    G_FRIEND = jnum(r.json, "id");
    assert_string_equal(jstr(r.json, "kind"), "group");
    assert_int_equal(json_array_size(json_object_get(r.json, "members")), 3);
    resp_free(&r);

    /* Only the centre opens channels. */
    api_call(&S, "POST", "/api/v1/threads", TOTO,
             json_pack("{s:s, s:I}", "title", "x", "org_id", (json_int_t)O_KENSEI), 403, &r);
    resp_free(&r);
    api_call(&S, "POST", "/api/v1/groups", METI,
             json_pack("{s:s, s:[I]}", "title", "x", "members", (json_int_t)O_TOTO), 403, &r);
    resp_free(&r);
    api_call(&S, "POST", "/api/v1/groups", TOTOC,
             json_pack("{s:s, s:[I]}", "title", "x", "members", (json_int_t)O_TOTO), 403, &r);
    resp_free(&r);
    /* Members must exist. */
    api_call(&S, "POST", "/api/v1/groups", NC, test_json("{\"title\":\"x\",\"members\":[999999]}"),
             422, &r);
    assert_true(has_error(&r, "/members/0", "unknown_organisation"));
    resp_free(&r);

    /* Who sees what. */
    char tpath[64], gpath[64], tmsg[96], gmsg[96];
    snprintf(tpath, sizeof tpath, "/api/v1/threads/%lld", (long long)T_TOTO);
    snprintf(gpath, sizeof gpath, "/api/v1/groups/%lld", (long long)G_FRIEND);
    snprintf(tmsg, sizeof tmsg, "%s/messages", tpath);
    snprintf(gmsg, sizeof gmsg, "%s/messages", gpath);
    assert_int_equal(status_of(tpath, TOTO), 200);
    assert_int_equal(status_of(tpath, TOTOC), 200);
    assert_int_equal(status_of(tpath, NC), 200);
    assert_int_equal(status_of(gpath, KENSEI), 200);
    assert_int_equal(status_of(gpath, TEISAC), 200);
    assert_true(listed("/api/v1/threads", TOTO, T_TOTO));
    assert_true(listed("/api/v1/groups", KENSEI, G_FRIEND));
    assert_true(listed("/api/v1/groups", NC, G_FRIEND));
    /* A thread is not a group, nor the other way round. */
    snprintf(want, sizeof want, "/api/v1/groups/%lld", (long long)T_TOTO);
    assert_int_equal(status_of(want, TOTO), 404);
    /* Non-members: 404 everywhere, never listed. */
    const char *outsiders[] = {WANGAN, METI, MINATO, TSS};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(status_of(tpath, outsiders[i]), 404);
        assert_int_equal(status_of(tmsg, outsiders[i]), 404);
        assert_int_equal(status_of(gpath, outsiders[i]), 404);
        assert_int_equal(status_of(gmsg, outsiders[i]), 404);
        assert_false(listed("/api/v1/threads", outsiders[i], T_TOTO));
        assert_false(listed("/api/v1/groups", outsiders[i], G_FRIEND));
    }
    assert_int_equal(status_of(tpath, KENSEI), 404); /* not in the one-to-one thread */
    assert_false(listed("/api/v1/threads", KENSEI, T_TOTO));
    /* Nor can they post there. */
    post("groups", G_FRIEND, WANGAN, "x", "TLP:GREEN", NULL, 404, NULL);
    /* A member may not manage it. */
    api_call(&S, "PATCH", gpath, TOTO, test_json("{\"version\":1,\"title\":\"x\"}"), 403, &r);
    resp_free(&r);
}

static void group_messages(void **st)
{
    (void)st;
    struct resp r;
    /* Secret content to a group with a council friend: refused, naming it; nothing stored. */
    post("groups", G_FRIEND, NC, "SECRET-TO-FRIEND", "TLP:AMBER", "[\"secret\"]", 422, &r);
    assert_true(has_error(&r, "/labels", "recipient_may_not_receive"));
    assert_non_null(strstr(r.body, "医療法人社団東都健生会"));
    resp_free(&r);
    assert_false(sees("groups", G_FRIEND, NC, "SECRET-TO-FRIEND"));
    assert_false(sees("groups", G_FRIEND, TOTO, "SECRET-TO-FRIEND"));
    api_call(&S, "GET", "/api/v1/inbox?kind=message", TOTO, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);

    /* Without the friend it goes, and a member reads it. */
    api_call(&S, "POST", "/api/v1/groups", NC,
             json_pack("{s:s, s:[I, I]}", "title", "電力WG", "members", (json_int_t)O_TOTO,
                       (json_int_t)O_TEISAC),
             201, &r);
    int64_t g2 = jnum(r.json, "id");
    resp_free(&r);
    int64_t m = post("groups", g2, NC, "GROUP-SECRET-MARK", "TLP:AMBER", "[\"secret\"]", 201, &r);
    assert_int_equal(jnum(r.json, "delivered_to"), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "labels"), 0)),
                        "secret");
    resp_free(&r);
    assert_true(sees("groups", g2, TEISAC, "GROUP-SECRET-MARK"));
    assert_true(sees("groups", g2, TOTO, "GROUP-SECRET-MARK"));
    assert_true(in_inbox(TEISAC, "message", m));
    assert_true(in_inbox(TOTO, "message", m));
    assert_false(in_inbox(KENSEI, "message", m));
    assert_false(in_inbox(NC, "message", m)); /* the sender's own organisation */

    /* Contractors: not RED, not AMBER+STRICT; AMBER and GREEN yes. */
    struct {
        const char *tlp, *mark;
        bool contractor;
        int64_t id;
    } msgs[] = {{"TLP:RED", "MSG-RED-MARK", false, 0},
                {"TLP:AMBER+STRICT", "MSG-STRICT-MARK", false, 0},
                {"TLP:AMBER", "MSG-AMBER-MARK", true, 0},
                {"TLP:GREEN", "MSG-GREEN-MARK", true, 0}};
    for (size_t i = 0; i < 4; i++) {
        msgs[i].id = post("groups", G_FRIEND, NC, msgs[i].mark, msgs[i].tlp, NULL, 201, &r);
        assert_int_equal(jnum(r.json, "delivered_to"), 3);
        resp_free(&r);
    }
    for (size_t i = 0; i < 4; i++) {
        /* Every member organisation's own staff, the friend included, reads and is delivered. */
        const char *members[] = {TOTO, KENSEI, TEISAC};
        for (size_t k = 0; k < 3; k++) {
            assert_true(sees("groups", G_FRIEND, members[k], msgs[i].mark));
            assert_true(in_inbox(members[k], "message", msgs[i].id));
        }
        if (sees("groups", G_FRIEND, TOTOC, msgs[i].mark) != msgs[i].contractor)
            fail_msg("the contractor %s the %s message", msgs[i].contractor ? "misses" : "sees",
                     msgs[i].tlp);
        if (in_inbox(TOTOC, "message", msgs[i].id) != msgs[i].contractor)
            fail_msg("the contractor's inbox %s the %s message",
                     msgs[i].contractor ? "lacks" : "lists", msgs[i].tlp);
    }
    /* A member posts; the centre and the other members receive it. */
    int64_t reply = post("groups", G_FRIEND, TOTOR, "REPLY-FROM-TOTO", "TLP:GREEN", NULL, 201, &r);
    assert_int_equal(jnum(r.json, "sender_org"), O_TOTO);
    assert_int_equal(jnum(r.json, "delivered_to"), 3);
    resp_free(&r);
    assert_true(in_inbox(NC, "message", reply));
    assert_true(in_inbox(KENSEI, "message", reply));
    assert_false(in_inbox(TOTO, "message", reply));
    /* A one-to-one message. */
    int64_t one = post("threads", T_TOTO, NC, "ONE-TO-ONE-MARK", "TLP:AMBER", NULL, 201, &r);
    assert_int_equal(jnum(r.json, "delivered_to"), 1);
    resp_free(&r);
    assert_true(sees("threads", T_TOTO, TOTOR, "ONE-TO-ONE-MARK"));
    assert_true(in_inbox(TOTO, "message", one));
    assert_false(in_inbox(KENSEI, "message", one));
    assert_false(sees("threads", T_TOTO, KENSEI, "ONE-TO-ONE-MARK"));
    /* Bad bodies. */
    struct resp bad;
    post("groups", G_FRIEND, NC, "ctl\001char", "TLP:GREEN", NULL, 422, &bad);
    assert_true(has_error(&bad, "/body", "control_characters"));
    resp_free(&bad);
    post("groups", G_FRIEND, NC, "x", "TLP:PINK", NULL, 422, &bad);
    assert_true(has_error(&bad, "/tlp", "enum"));
    resp_free(&bad);
}

static void membership_change(void **st)
{
    (void)st;
    int64_t before =
        post("groups", G_FRIEND, NC, "BEFORE-REMOVAL-MARK", "TLP:GREEN", NULL, 201, NULL);
    assert_true(in_inbox(KENSEI, "message", before));
    char gpath[64], gmsg[96];
    snprintf(gpath, sizeof gpath, "/api/v1/groups/%lld", (long long)G_FRIEND);
    snprintf(gmsg, sizeof gmsg, "%s/messages", gpath);
    struct resp r;
    api_call(&S, "GET", gpath, NC, NULL, 200, &r);
    int64_t ver = jnum(r.json, "version");
    resp_free(&r);
    /* Remove the friend. */
    api_call(&S, "PATCH", gpath, NC,
             json_pack("{s:I, s:[I, I]}", "version", (json_int_t)ver, "members", (json_int_t)O_TOTO,
                       (json_int_t)O_TEISAC),
             200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "members")), 2);
    assert_int_equal(jnum(r.json, "version"), ver + 1);
    resp_free(&r);
    /* Stale version. */
    api_call(&S, "PATCH", gpath, NC,
             json_pack("{s:I, s:s}", "version", (json_int_t)ver, "title", "x"), 409, &r);
    resp_free(&r);
    /* Gone for it: the group, its messages, its list, its inbox rows. */
    assert_int_equal(status_of(gpath, KENSEI), 404);
    assert_int_equal(status_of(gmsg, KENSEI), 404);
    assert_false(listed("/api/v1/groups", KENSEI, G_FRIEND));
    assert_false(in_inbox(KENSEI, "message", before));
    struct resp ib;
    api_call(&S, "GET", "/api/v1/inbox?kind=message&limit=1000", KENSEI, NULL, 200, &ib);
    assert_null(strstr(ib.body, "BEFORE-REMOVAL-MARK"));
    assert_int_equal(json_array_size(json_object_get(ib.json, "items")), 0);
    resp_free(&ib);
    post("groups", G_FRIEND, KENSEI, "x", "TLP:GREEN", NULL, 404, NULL);
    /* Now secret content may be posted there. */
    post("groups", G_FRIEND, NC, "AFTER-SECRET", "TLP:AMBER", "[\"secret\"]", 201, NULL);
    /* The others keep everything. */
    assert_true(sees("groups", G_FRIEND, TEISAC, "BEFORE-REMOVAL-MARK"));
    assert_true(in_inbox(TEISAC, "message", before));
    /* Adding wangan does not give it the history: a message's addressees are the members when
     * it was posted (a TLP:RED message is not for whoever joins later). */
    api_call(&S, "PATCH", gpath, NC,
             json_pack("{s:I, s:[I, I, I]}", "version", (json_int_t)(ver + 1), "members",
                       (json_int_t)O_TOTO, (json_int_t)O_TEISAC, (json_int_t)O_WANGAN),
             200, &r);
    resp_free(&r);
    assert_false(sees("groups", G_FRIEND, WANGAN, "BEFORE-REMOVAL-MARK"));
    post("groups", G_FRIEND, NC, "AFTER-JOIN-MARK", "TLP:GREEN", NULL, 201, NULL);
    assert_true(sees("groups", G_FRIEND, WANGAN, "AFTER-JOIN-MARK"));
    /* A one-to-one thread keeps its organisation. */
    char tpath[64];
    snprintf(tpath, sizeof tpath, "/api/v1/threads/%lld", (long long)T_TOTO);
    api_call(&S, "PATCH", tpath, NC,
             json_pack("{s:I, s:[I]}", "version", (json_int_t)1, "members", (json_int_t)O_KENSEI),
             422, &r);
    resp_free(&r);
}

/* ---- products pushed on release ---------------------------------------------------------- */

static int64_t make_product(const char *tier, const char *tlp, const char *title,
                            const char *marker)
{
    struct resp r;
    api_call(&S, "POST", "/api/v1/products", NC,
             json_pack("{s:s, s:s, s:s, s:[s], s:{s:s}, s:{}}", "title", title, "tier", tier, "tlp",
                       tlp, "sectors", "core.electricity", "body", "summary", marker, "labels"),
             201, &r);
    int64_t id = jnum(r.json, "id");
    resp_free(&r);
    return id;
}

static void release(int64_t id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)id);
    struct resp r;
    api_call(&S, "POST", path, NC, NULL, 200, &r);
    resp_free(&r);
}

static int64_t P_PUB, P_PROV;

static void product_push(void **st)
{
    (void)st;
    int64_t comp = make_product("comprehensive", "TLP:CLEAR", "PUSH-COMP-TITLE", "PUSH-PUB-BODY");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/derive?tier=publication", (long long)comp);
    struct resp r;
    api_call(&S, "POST", path, NC, NULL, 201, &r);
    P_PUB = jnum(r.json, "id");
    int64_t ver = jnum(r.json, "version");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)P_PUB);
    api_call(&S, "PATCH", path, NC,
             json_pack("{s:I, s:s}", "version", (json_int_t)ver, "title", "PUSH-PUB-TITLE 公開版"),
             200, &r);
    resp_free(&r);
    /* A draft is not pushed, nor public. */
    assert_false(in_inbox(TOTO, "product", P_PUB));
    snprintf(path, sizeof path, "/feeds/products/%lld", (long long)P_PUB);
    free(fetch(path, NULL, 404, NULL, 0));
    release(P_PUB);
    char *feed = fetch("/feeds/public.json", NULL, 200, NULL, 0);
    assert_non_null(strstr(feed, "PUSH-PUB-TITLE"));
    assert_non_null(strstr(feed, "PUSH-PUB-BODY"));
    assert_null(strstr(feed, "PUSH-COMP-TITLE"));
    free(feed);
    char ctype[128];
    char *html = fetch(path, NULL, 200, ctype, sizeof ctype);
    assert_non_null(strstr(ctype, "text/html"));
    assert_non_null(strstr(html, "PUSH-PUB-TITLE"));
    assert_non_null(strstr(html, "PUSH-PUB-BODY"));
    free(html);
    /* Pushed to council members and friends and to ministries; not to an operator outside the
     * council (it pulls), not to the centre that wrote it. */
    const struct {
        const char *who, *tok;
        bool pushed;
    } pub[] = {{"toto (member)", TOTO, true},          {"kenseikai (friend)", KENSEI, true},
               {"meti (ministry)", METI, true},        {"fsa (ministry)", FSA, true},
               {"teisac (member)", TEISAC, true},      {"tss (member vendor)", TSS, true},
               {"minato (no council)", MINATO, false}, {"the centre", NC, false}};
    for (size_t i = 0; i < sizeof pub / sizeof pub[0]; i++)
        if (in_inbox(pub[i].tok, "product", P_PUB) != pub[i].pushed)
            fail_msg("publication product: %s %s", pub[i].who,
                     pub[i].pushed ? "was not pushed it" : "was pushed it");
    assert_true(in_inbox(TOTOC, "product", P_PUB));

    /* A TLP:AMBER provision product on electricity: only those who may read it. */
    P_PROV = make_product("provision", "TLP:AMBER", "PUSH-PROV-TITLE", "PUSH-PROV-BODY");
    release(P_PROV);
    const struct {
        const char *who, *tok;
        bool pushed;
    } prov[] = {{"toto (member, electricity)", TOTO, true},
                {"teisac (member CEPTOAR, electricity)", TEISAC, true},
                {"meti (ministry, electricity)", METI, true},
                {"kenseikai (friend)", KENSEI, false},
                {"wangan (member, gas)", WANGAN, false},
                {"kaede (member, finance)", KAEDE, false},
                {"fsa (ministry, finance)", FSA, false},
                {"tss (member vendor)", TSS, false},
                {"ipa (member)", IPA, false},
                {"minato", MINATO, false},
                {"the centre", NC, false}};
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)P_PROV);
    for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++) {
        if (in_inbox(prov[i].tok, "product", P_PROV) != prov[i].pushed)
            fail_msg("provision product: %s %s", prov[i].who,
                     prov[i].pushed ? "was not pushed it" : "was pushed it");
        /* Pushed implies readable. */
        if (prov[i].pushed) assert_int_equal(status_of(path, prov[i].tok), 200);
    }
    assert_int_equal(status_of(path, KENSEI), 404);
    assert_int_equal(status_of(path, WANGAN), 404);
    /* Not public. */
    feed = fetch("/feeds/public.json", NULL, 200, NULL, 0);
    assert_null(strstr(feed, "PUSH-PROV-TITLE"));
    assert_null(strstr(feed, "PUSH-PROV-BODY"));
    free(feed);
    snprintf(path, sizeof path, "/feeds/products/%lld", (long long)P_PROV);
    free(fetch(path, NULL, 404, NULL, 0));
    free(fetch(path, TOTO, 404, NULL, 0));
    snprintf(path, sizeof path, "/feeds/products/%lld", (long long)comp);
    free(fetch(path, NCADMIN, 404, NULL, 0));
}

/* ---- the feeds ----------------------------------------------------------------------------- */

static void feeds_shape(void **st)
{
    (void)st;
    /* JSON Feed 1.1. */
    struct resp r;
    http(&S, "GET", "/feeds/public.json", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    char ctype[128];
    assert_non_null(resp_header(&r, "Content-Type", ctype, sizeof ctype));
    assert_non_null(strstr(ctype, "json"));
    assert_non_null(r.json);
    assert_string_equal(jstr(r.json, "version"), "https://jsonfeed.org/version/1.1");
    assert_null(json_object_get(r.json, "home_page_url")); /* there is no home page to link */
    assert_non_null(jstr(r.json, "title"));
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_is_array(items));
    size_t nitems = json_array_size(items);
    assert_true(nitems >= 2); /* demo advisory 3 and our publication product */
    size_t i;
    json_t *it;
    bool demo_clear = false, product = false;
    json_array_foreach(items, i, it)
    {
        assert_non_null(jstr(it, "id"));
        assert_non_null(jstr(it, "url"));
        assert_non_null(jstr(it, "title"));
        const char *d = jstr(it, "date_published");
        assert_non_null(d);
        /* RFC 3339: YYYY-MM-DDTHH:MM:SS…Z */
        assert_true(strlen(d) >= 20 && d[4] == '-' && d[7] == '-' && d[10] == 'T' && d[13] == ':' &&
                    d[strlen(d) - 1] == 'Z');
        assert_true(jstr(it, "content_text") || jstr(it, "content_html"));
        if (strstr(jstr(it, "url"), "/feeds/advisories/3")) demo_clear = true;
        char want[64];
        snprintf(want, sizeof want, "/feeds/products/%lld", (long long)P_PUB);
        if (strstr(jstr(it, "url"), want)) product = true;
        /* Every item is a public page. */
        char *page = fetch(jstr(it, "url"), NULL, 200, NULL, 0);
        free(page);
    }
    assert_true(demo_clear);
    assert_true(product);
    /* Nothing non-public of the demo data. */
    assert_null(strstr(r.body, "DEMO-SECRET-MARKER"));
    assert_null(strstr(r.body, "電力分野におけるDDoS攻撃"));
    char *json_anon = strdup(r.body);
    resp_free(&r);

    /* Atom: well-formed enough to parse: the prolog, one feed, balanced entries. */
    char *atom = fetch("/feeds/public.atom", NULL, 200, ctype, sizeof ctype);
    assert_non_null(strstr(ctype, "atom+xml"));
    assert_memory_equal(atom, "<?xml", 5);
    assert_int_equal(count(atom, "<feed"), 1);
    assert_int_equal(count(atom, "</feed>"), 1);
    assert_int_equal(count(atom, "<entry>"), nitems);
    assert_int_equal(count(atom, "</entry>"), nitems);
    const char *p = atom;
    for (size_t k = 0; k < nitems; k++) { /* each entry closes before the next opens */
        const char *open = strstr(p, "<entry>"), *close = strstr(p, "</entry>");
        assert_non_null(open);
        assert_non_null(close);
        assert_true(open < close);
        const char *next = strstr(open + 7, "<entry>");
        assert_true(!next || close < next);
        p = close + 8;
    }
    assert_non_null(strstr(p, "</feed>"));
    /* Text is escaped: no raw markup from content, no stray ampersands. */
    for (const char *a = strchr(atom, '&'); a; a = strchr(a + 1, '&'))
        assert_true(strncmp(a, "&amp;", 5) == 0 || strncmp(a, "&lt;", 4) == 0 ||
                    strncmp(a, "&gt;", 4) == 0 || strncmp(a, "&quot;", 6) == 0 ||
                    strncmp(a, "&#", 2) == 0);

    /* Whoever asks gets exactly the same: no login, a valid token of the centre or of an
     * operator, a token that is not one. */
    const char *auths[] = {NCADMIN, TOTO, KENSEI, "Bearer rk_not-a-token"};
    char page3[64], pagep[64];
    snprintf(page3, sizeof page3, "/feeds/advisories/3");
    snprintf(pagep, sizeof pagep, "/feeds/products/%lld", (long long)P_PUB);
    char *html3 = fetch(page3, NULL, 200, NULL, 0);
    char *htmlp = fetch(pagep, NULL, 200, NULL, 0);
    for (size_t k = 0; k < 4; k++) {
        char *j = fetch("/feeds/public.json", auths[k], 200, NULL, 0);
        assert_string_equal(j, json_anon);
        free(j);
        char *a = fetch("/feeds/public.atom", auths[k], 200, NULL, 0);
        assert_string_equal(a, atom);
        free(a);
        char *h = fetch(page3, auths[k], 200, NULL, 0);
        assert_string_equal(h, html3);
        free(h);
        h = fetch(pagep, auths[k], 200, NULL, 0);
        assert_string_equal(h, htmlp);
        free(h);
        /* Non-public pages stay 404 with credentials that could read them over the API. */
        free(fetch("/feeds/advisories/1", auths[k], 404, NULL, 0));
        free(fetch("/feeds/advisories/4", auths[k], 404, NULL, 0));
    }
    free(html3);
    free(htmlp);
    free(atom);
    free(json_anon);
    free(fetch("/feeds/advisories/999999", NULL, 404, NULL, 0));
    free(fetch("/feeds/products/999999", NULL, 404, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_channels),     cmocka_unit_test(group_messages),
        cmocka_unit_test(membership_change), cmocka_unit_test(product_push),
        cmocka_unit_test(feeds_shape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
