/*
 * test_api_leak.c — the issue-5 leak test. For every object in a populated demo store, every
 * API path that can return it (get, list and its filters, limit=1 page walks, inbox, public
 * feeds, printed forms, acknowledgment lists, messages, incident reports and their diffs) is
 * called as every demo principal, plus a few created ones and the anonymous principal. Every
 * response body is searched for marker strings planted one per (object, label): the set of
 * principals that ever saw a byte of a marker must equal the set the rules allow.
 *
 * The expectations are an oracle written here from docs/policy.md and src/domain/policy.h
 * (TLP audiences, tier audiences, label audiences, the advisory audience, delivery and relay,
 * thread membership); it never calls the policy module. Markers:
 *   LEAK-<obj>-BODY  an unlabelled field: the object's readers;
 *   LEAK-<obj>-T     the title (unlabelled metadata, shown in lists and inbox): its readers;
 *   LEAK-<obj>-SECRET / -COMMS / -SRCID  fields labelled secret / comms_info /
 *                    source_identifying: readers who also clear the label;
 *   LEAK-<msg>-…     a council message (labels on the message as a whole).
 * Derived products carry their parent's markers minus what derivation drops; a marker's
 * expected set is the union over the objects carrying it. The demo incidents' reporter name
 * and corporate number (the reporter section of the DDoS report) and the demo advisory's
 * DEMO-SECRET-MARKER are checked the same way.
 *
 * Principals: the 28 demo users, four created ones (a METI contractor, a designated agency, a
 * foreign government, an organisation of type "other": the audiences the demo lacks) and the
 * anonymous principal. The population, all through the API as nc-analyst (and toto/METI where
 * they act): products at every tier and TLP (drafts, released, derived, gated, labelled on the
 * whole body), advisories (drafts, sent direct and not, relayed, a follow-up, widened by name,
 * gated), threads and groups with labelled messages at several TLPs (refused posts, a member
 * leaving and a friend joining, a renamed group), and the demo store's incidents and advisories.
 *
 * Besides the marker sets: GET/list consistency (an object is listed iff GET answers 200, and a
 * hidden object answers 404 exactly like a missing one, never 403), filtered lists equal the
 * oracle's filtered sets, next_after never points past the last visible item, inbox contents
 * per organisation, acknowledgment rows per reader, and the anonymous principal: 401 on every
 * /api/v1 path (existing or not), the public feeds only for public objects. RK_LEAK_VERBOSE=1
 * prints the whole marker table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "support.h"

static struct srv S;

/* ---- organisations and principals (data/demo.json, data/ministries.json) ---------------- */

enum otype { T_NC, T_MIN, T_CORE, T_CI, T_CEPT, T_VEND, T_VULN, T_COORD, T_RES, T_FGOV, T_OTHER };
enum council { C_NONE, C_FRIEND, C_MEMBER };

/* Sector groups (both the core.* and the ci.* code of a field are one group here). */
#define S_ELEC 0x01u
#define S_GAS 0x02u
#define S_FIN 0x04u
#define S_RAIL 0x08u
#define S_TEL 0x10u
#define S_MED 0x20u
#define S_CHEM 0x40u

enum {
    O_NC,
    O_FSA,
    O_MIC,
    O_MHLW,
    O_METI,
    O_MLIT,
    O_TOTO,
    O_WANGAN,
    O_KAEDE,
    O_KANJO,
    O_HIBIKI,
    O_KENSEIKAI,
    O_MINATO,
    O_TEISAC,
    O_TSS,
    O_IPA,
    O_COORD,
    O_NICT,
    O_DESIG, /* created: a designated agency (comprehensive tier, comms_info) */
    O_FGOV,  /* created: a foreign government (provision tier; not GREEN) */
    O_MISC,  /* created: type "other" (CLEAR only) */
    O__N
};

static struct org {
    const char *key, *name_ja;
    int type;
    unsigned sectors; /* a ministry: the sectors it covers */
    int council;
    bool designated;
    json_int_t id;
} O[O__N] = {
    [O_NC] = {"nc", "内閣官房国家サイバー統括室", T_NC, 0, C_NONE, false, 0},
    [O_FSA] = {"fsa", "金融庁", T_MIN, S_FIN, C_NONE, false, 0},
    [O_MIC] = {"mic", "総務省", T_MIN, S_TEL, C_NONE, false, 0},
    [O_MHLW] = {"mhlw", "厚生労働省", T_MIN, S_MED, C_NONE, false, 0},
    [O_METI] = {"meti", "経済産業省", T_MIN, S_ELEC | S_GAS | S_CHEM, C_NONE, false, 0},
    [O_MLIT] = {"mlit", "国土交通省", T_MIN, S_RAIL, C_NONE, false, 0},
    [O_TOTO] = {"toto", "東都電力株式会社", T_CORE, S_ELEC, C_MEMBER, false, 0},
    [O_WANGAN] = {"wangan", "湾岸瓦斯株式会社", T_CORE, S_GAS, C_MEMBER, false, 0},
    [O_KAEDE] = {"kaede", "株式会社東都かえで銀行", T_CORE, S_FIN, C_MEMBER, false, 0},
    [O_KANJO] = {"kanjo", "東都環状鉄道株式会社", T_CORE, S_RAIL, C_MEMBER, false, 0},
    [O_HIBIKI] = {"hibiki", "東都ひびき通信株式会社", T_CORE, S_TEL, C_MEMBER, false, 0},
    [O_KENSEIKAI] = {"kenseikai", "医療法人社団東都健生会", T_CI, S_MED, C_FRIEND, false, 0},
    [O_MINATO] = {"minato", "東都みなと石油化学株式会社", T_CI, S_CHEM, C_NONE, false, 0},
    [O_TEISAC] = {"teisac", "一般社団法人東都エネルギーISAC", T_CEPT, S_ELEC, C_MEMBER, false, 0},
    [O_TSS] = {"tss", "東都システムソリューションズ株式会社", T_VEND, 0, C_MEMBER, false, 0},
    [O_IPA] = {"ipa", "独立行政法人情報処理推進機構", T_VULN, 0, C_MEMBER, false, 0},
    [O_COORD] = {"coord", "一般社団法人東都インシデント調整センター", T_COORD, 0, C_MEMBER, false,
                 0},
    [O_NICT] = {"nict", "国立研究開発法人情報通信研究機構", T_RES, 0, C_MEMBER, false, 0},
    [O_DESIG] = {"desig", "漏えい試験指定機関", T_RES, 0, C_NONE, true, 0},
    [O_FGOV] = {"fgov", "漏えい試験外国政府機関", T_FGOV, 0, C_NONE, false, 0},
    [O_MISC] = {"misc", "株式会社漏えい試験見学", T_OTHER, 0, C_NONE, false, 0},
};

#define OB(o) (1ull << (o))

static struct user {
    const char *name;
    int org; /* -1: anonymous */
    bool contractor;
    const char *role; /* created users only */
    char tok[160];
} U[] = {
    /* the 28 demo users */
    {"nc-admin", O_NC, false, NULL, ""},
    {"nc-analyst", O_NC, false, NULL, ""},
    {"fsa-analyst", O_FSA, false, NULL, ""},
    {"mic-analyst", O_MIC, false, NULL, ""},
    {"mhlw-analyst", O_MHLW, false, NULL, ""},
    {"meti-analyst", O_METI, false, NULL, ""},
    {"mlit-analyst", O_MLIT, false, NULL, ""},
    {"toto-admin", O_TOTO, false, NULL, ""},
    {"toto-reporter", O_TOTO, false, NULL, ""},
    {"wangan-admin", O_WANGAN, false, NULL, ""},
    {"wangan-reporter", O_WANGAN, false, NULL, ""},
    {"kaede-admin", O_KAEDE, false, NULL, ""},
    {"kaede-reporter", O_KAEDE, false, NULL, ""},
    {"kanjo-admin", O_KANJO, false, NULL, ""},
    {"kanjo-reporter", O_KANJO, false, NULL, ""},
    {"hibiki-admin", O_HIBIKI, false, NULL, ""},
    {"hibiki-reporter", O_HIBIKI, false, NULL, ""},
    {"kenseikai-admin", O_KENSEIKAI, false, NULL, ""},
    {"kenseikai-reporter", O_KENSEIKAI, false, NULL, ""},
    {"minato-admin", O_MINATO, false, NULL, ""},
    {"minato-reporter", O_MINATO, false, NULL, ""},
    {"toto-contractor", O_TOTO, true, NULL, ""},
    {"kaede-viewer", O_KAEDE, false, NULL, ""},
    {"teisac-analyst", O_TEISAC, false, NULL, ""},
    {"tss-reporter", O_TSS, false, NULL, ""},
    {"ipa-analyst", O_IPA, false, NULL, ""},
    {"coord-analyst", O_COORD, false, NULL, ""},
    {"nict-researcher", O_NICT, false, NULL, ""},
    /* created here */
    {"meti-contractor", O_METI, true, "analyst", ""},
    {"desig-analyst", O_DESIG, false, "analyst", ""},
    {"fgov-analyst", O_FGOV, false, "analyst", ""},
    {"misc-viewer", O_MISC, false, "viewer", ""},
    {"nc-contractor", O_NC, true, "analyst", ""},
    /* last: no Authorization header */
    {"(anonymous)", -1, false, NULL, ""},
};
#define NP ((int)(sizeof U / sizeof *U))
#define ANON (NP - 1)
#define NDEMO 28
#define UB(u) (1ull << (u))

static int user_ix(const char *name)
{
    for (int i = 0; i < NP; i++)
        if (strcmp(U[i].name, name) == 0) return i;
    fail_msg("no user %s", name);
    return -1;
}

/* ---- the oracle: docs/policy.md, written out --------------------------------------------- */

enum tlp { TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AS, TLP_RED };
static const char *const TLPN[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
                                   "TLP:RED"};
enum tier { TIER_NONE, TIER_COMP, TIER_PROV, TIER_PUB, TIER_SECRET /* the secret label's */ };
static const char *const TIERN[] = {"none", "comprehensive", "provision", "publication"};
enum label { L_NONE, L_SECRET, L_COMMS, L_SRCID };

struct scope {
    int owner; /* organisation index */
    unsigned sectors;
    int tlp;
    int tier;
    uint64_t named; /* organisation mask */
};

static bool anon(int u)
{
    return U[u].org < 0;
}

static int otype(int u)
{
    return O[U[u].org].type;
}

/* TLP table of docs/policy.md: the owner; named additions (own staff only at RED and
 * AMBER+STRICT); CLEAR everyone; GREEN every CI-related body; AMBER the centre and same-sector
 * ministries, CEPTOARs and operators (AMBER+STRICT: own staff only); RED nobody else. */
static bool tlp_ok(int u, const struct scope *s)
{
    if (s->tlp == TLP_CLEAR) return true;
    if (anon(u)) return false;
    int o = U[u].org, t = otype(u);
    if (o == s->owner && !U[u].contractor) return true; /* the owner's contractors: as others */
    if (s->named & OB(o)) {
        if (!((s->tlp == TLP_RED || s->tlp == TLP_AS) && U[u].contractor)) return true;
    }
    switch (s->tlp) {
    case TLP_GREEN:
        return t == T_NC || t == T_MIN || t == T_CORE || t == T_CI || t == T_CEPT || t == T_VEND ||
               t == T_VULN || t == T_COORD || t == T_RES;
    case TLP_AMBER:
    case TLP_AS:
        if (s->tlp == TLP_AS && U[u].contractor) return false;
        if (t == T_NC) return true;
        return (t == T_MIN || t == T_CEPT || t == T_CORE || t == T_CI) &&
               (O[o].sectors & s->sectors);
    default:
        return false;
    }
}

/* Tier table: comprehensive the centre and designated agencies; provision + ministries,
 * foreign governments, council members and core/CI operators that are not council friends;
 * publication everyone. TIER_SECRET is the secret label's audience: provision without those
 * operators. */
static bool tier_audience(int u, int tier)
{
    if (tier == TIER_NONE || tier == TIER_PUB) return true;
    if (anon(u)) return false;
    const struct org *o = &O[U[u].org];
    bool comp = o->type == T_NC || o->designated;
    if (tier == TIER_COMP) return comp;
    bool secret_holders = comp || o->type == T_MIN || o->type == T_FGOV || o->council == C_MEMBER;
    if (tier == TIER_SECRET) return secret_holders;
    /* Provision: those, and operators outside the council's friends. */
    return secret_holders || ((o->type == T_CORE || o->type == T_CI) && o->council != C_FRIEND);
}

/* Label table (besides the owner's own staff): comms_info the centre and designated agencies;
 * secret the secret audience (TIER_SECRET); source_identifying the centre and named
 * addressees; contractors none. */
static bool label_ok(int u, const struct scope *s, int label)
{
    if (label == L_NONE) return true;
    if (anon(u)) return false;
    /* Contractors are cleared by TLP only, never by a label (the owner's included). */
    if (U[u].contractor) return false;
    int o = U[u].org;
    if (o == s->owner) return true;
    switch (label) {
    case L_COMMS:
        return O[o].type == T_NC || O[o].designated;
    case L_SECRET:
        return tier_audience(u, TIER_SECRET);
    case L_SRCID:
        return O[o].type == T_NC || (s->named & OB(o));
    default:
        return false;
    }
}

/* ---- markers ------------------------------------------------------------------------------ */

#define MAXMK 160
static struct marker {
    char text[48];
    uint64_t expect; /* the principals the rules allow (and who are shown it) */
    uint64_t seen;
    char where[64][112]; /* first path where each principal saw it */
} MK[MAXMK];
static int NMK;

static int marker(const char *fmt, ...)
{
    assert_true(NMK < MAXMK);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(MK[NMK].text, sizeof MK[NMK].text, fmt, ap);
    va_end(ap);
    for (int i = 0; i < NMK; i++)
        assert_true(strstr(MK[i].text, MK[NMK].text) == NULL);
    return NMK++;
}

struct carried {
    int mk, label;
};
#define MAXC 8

/* ---- objects -------------------------------------------------------------------------------- */

struct prod {
    const char *name;
    int tier, tlp;
    unsigned sectors;
    bool released;
    int root; /* a label on the whole body ("" in the label map), L_NONE: none */
    json_int_t id;
    json_int_t version;
    struct carried c[MAXC];
    int nc;
};
#define MAXP 24
static struct prod P[MAXP];
static int NPROD;

struct adv {
    const char *name;
    int tlp;
    unsigned sectors;
    uint64_t named;         /* recipient ministries + widening */
    uint64_t held;          /* organisations with an inbox row */
    int relayed_from[O__N]; /* the row's relayer (organisation index + 1), 0: none */
    bool sent, demo;
    json_int_t id;
    json_int_t version;
    char ident[32];
    struct carried c[MAXC];
    int nc;
    json_int_t files[2]; /* annex files (別紙): the second one's id labelled secret */
    int file_label[2];
    int nfiles;
};
#define MAXA 24
static struct adv A[MAXA];
static int NADV;

struct thr {
    const char *name;
    bool group;
    uint64_t members;
    json_int_t id, version;
    int title_mk;
};
#define MAXT 8
static struct thr TH[MAXT];
static int NTHR;

struct msg {
    int thr, sender_org, tlp;
    unsigned labels; /* bit i = enum label i */
    int mk;
    json_int_t id;
    uint64_t recipients; /* organisations delivered to (inbox rows): members and owner at post
                            time, but the sender's */
};
#define MAXM 24
static struct msg M[MAXM];
static int NMSG;

static bool prod_readable(int u, const struct prod *p)
{
    if (!anon(u) && U[u].org == O_NC && !U[u].contractor) return true; /* the owner's staff */
    if (!p->released) return false; /* drafts: TLP:RED, nobody named */
    struct scope s = {O_NC, p->sectors, p->tlp, p->tier, 0};
    /* A label on the whole body: a reader not cleared for it does not see the product at all
     * (docs/products.md). */
    return tlp_ok(u, &s) && tier_audience(u, p->tier) && label_ok(u, &s, p->root);
}

static bool prod_sees(int u, const struct prod *p, int label)
{
    struct scope s = {O_NC, p->sectors, p->tlp, p->tier, 0};
    return prod_readable(u, p) && label_ok(u, &s, label);
}

static bool prod_public(const struct prod *p)
{
    return p->released && p->tier == TIER_PUB && p->tlp == TLP_CLEAR;
}

/* The advisory audience table (docs/policy.md "Advisories"): TLP scope ∩ chosen sectors. */
static bool adv_in_audience(int o, const struct adv *a)
{
    if (o == O_NC || (a->named & OB(o))) return true; /* the sender, named */
    int t = O[o].type;
    bool sec = (O[o].sectors & a->sectors) != 0;
    switch (a->tlp) {
    case TLP_AMBER:
    case TLP_AS:
        return (t == T_MIN || t == T_CEPT || t == T_CORE || t == T_CI) && sec;
    case TLP_GREEN:
        return (t == T_MIN || t == T_CORE || t == T_CI || t == T_CEPT || t == T_VEND ||
                t == T_VULN || t == T_COORD || t == T_RES) &&
               sec;
    case TLP_CLEAR:
        return (t == T_MIN || t == T_CORE || t == T_CI || t == T_CEPT || t == T_VEND ||
                t == T_VULN || t == T_COORD || t == T_RES || t == T_FGOV || t == T_OTHER) &&
               sec;
    default:
        return false;
    }
}

static bool adv_readable(int u, const struct adv *a)
{
    if (!anon(u) && U[u].org == O_NC) {
        /* The sender's own staff, drafts too; its contractors only sent ones below
         * AMBER+STRICT. */
        if (!U[u].contractor) return true;
        return a->sent && a->tlp != TLP_RED && a->tlp != TLP_AS;
    }
    if (!a->sent) return false;
    if (a->tlp == TLP_CLEAR) return true;
    if (anon(u)) return false;
    int o = U[u].org;
    if (!(a->held & OB(o)) || !adv_in_audience(o, a)) return false;
    return !((a->tlp == TLP_RED || a->tlp == TLP_AS) && U[u].contractor);
}

static bool adv_sees(int u, const struct adv *a, int label)
{
    struct scope s = {O_NC, a->sectors, a->tlp, TIER_NONE, a->named};
    return adv_readable(u, a) && label_ok(u, &s, label);
}

/* Delivery: sent direct, every organisation of the audience but the sender; otherwise the
 * addressees (the recipient ministries and named organisations). */
static void adv_deliver(struct adv *a, bool direct)
{
    if (!direct) {
        a->held |= a->named;
        return;
    }
    for (int o = 0; o < O__N; o++)
        if (o != O_NC && adv_in_audience(o, a)) a->held |= OB(o);
}

/* A relay by organisation r: ministries to core/CI operators and CEPTOARs, CEPTOARs to core/CI
 * operators, in the audience, sharing a sector with the relayer and the advisory. */
static void adv_relay(struct adv *a, int r)
{
    for (int o = 0; o < O__N; o++) {
        int t = O[o].type;
        bool kind = O[r].type == T_MIN    ? (t == T_CORE || t == T_CI || t == T_CEPT)
                    : O[r].type == T_CEPT ? (t == T_CORE || t == T_CI)
                                          : false;
        if (kind && o != r && o != O_NC && adv_in_audience(o, a) &&
            (O[o].sectors & O[r].sectors & a->sectors) && !(a->held & OB(o))) {
            a->held |= OB(o);
            a->relayed_from[o] = r + 1;
        }
    }
}

/* An inbox row's delivery and acknowledgment state (docs/policy.md advisory_may_read_ack):
 * own staff of the sender, of the organisation that relayed that row, of the row's organisation. */
static bool adv_ack_visible(int u, const struct adv *a, int row_org)
{
    if (anon(u) || U[u].contractor) return false;
    int o = U[u].org;
    return o == O_NC || o == row_org || a->relayed_from[row_org] == o + 1;
}

static int org_by_id(json_int_t id)
{
    for (int o = 0; o < O__N; o++)
        if (O[o].id == id) return o;
    return -1;
}

static bool thr_readable(int u, const struct thr *t)
{
    return !anon(u) && (U[u].org == O_NC || (t->members & OB(U[u].org)));
}

static bool msg_readable(int u, const struct msg *m)
{
    const struct thr *t = &TH[m->thr];
    if (!thr_readable(u, t)) return false;
    /* Its addressees are the members of the day: a member that joined later does not read it
     * (the sender and the centre always do). */
    if (U[u].org != m->sender_org && U[u].org != O_NC && !(m->recipients & OB(U[u].org)))
        return false;
    struct scope s = {m->sender_org, 0, m->tlp, TIER_NONE, t->members | OB(O_NC)};
    if (!tlp_ok(u, &s)) return false;
    for (int l = L_SECRET; l <= L_SRCID; l++)
        if ((m->labels & (1u << l)) && !label_ok(u, &s, l)) return false;
    return true;
}

/* Pushed on release (docs/policy.md "Products pushed on release"): the organisation as its own
 * staff may read it, is not the owner, and is a council member or friend, a ministry, a
 * designated agency or a foreign government. */
static bool prod_pushed(int o, const struct prod *p)
{
    if (!p->released || o == O_NC) return false;
    const struct org *g = &O[o];
    if (!(g->council != C_NONE || g->type == T_MIN || g->designated || g->type == T_FGOV))
        return false;
    /* o's own staff: find a non-contractor user of o, or reason on the org directly. */
    for (int u = 0; u < NP - 1; u++)
        if (U[u].org == o && !U[u].contractor) return prod_readable(u, p);
    return false;
}

/* ---- HTTP, counted and scanned ---------------------------------------------------------- */

static long CALLS;
static int FAILS;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  mismatch (line %d): ", __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            FAILS++;                                                                               \
        }                                                                                          \
    } while (0)

static void scan(int u, const char *path, const struct resp *r)
{
    if (!r->body) return;
    for (int i = 0; i < NMK; i++)
        if (strstr(r->body, MK[i].text) && !(MK[i].seen & UB(u))) {
            MK[i].seen |= UB(u);
            snprintf(MK[i].where[u], sizeof MK[i].where[u], "%s", path);
        }
}

static long get(int u, const char *path, struct resp *r)
{
    http_json(&S, "GET", path, anon(u) ? NULL : U[u].tok, NULL, r);
    CALLS++;
    scan(u, path, r);
    return r->status;
}

static long get_status(int u, const char *path)
{
    struct resp r;
    long st = get(u, path, &r);
    resp_free(&r);
    return st;
}

/* POST/PATCH as u; expects `status`; returns the response (caller frees). */
static void send_json(int u, const char *method, const char *path, json_t *body, long status,
                      struct resp *r)
{
    char *b = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    http_json(&S, method, path, U[u].tok, b, r);
    free(b);
    if (r->status != status)
        fprintf(stderr, "%s %s as %s: %ld (want %ld) %s\n", method, path, U[u].name, r->status,
                status, r->body ? r->body : "");
    assert_int_equal(r->status, status);
}

static json_int_t jint(const json_t *j, const char *k)
{
    return json_integer_value(json_object_get(j, k));
}

/* A set of ids (small). */
struct idset {
    json_int_t v[256];
    int n;
};

static bool idset_has(const struct idset *s, json_int_t id)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i] == id) return true;
    return false;
}

static void idset_add(struct idset *s, json_int_t id)
{
    if (!idset_has(s, id) && s->n < 256) s->v[s->n++] = id;
}

/* The ids of a list response's items (key: "id" or another), added to *out. */
static void collect_ids(const struct resp *r, const char *key, struct idset *out)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r->json, "items"), i, it) idset_add(out, jint(it, key));
}

/* Walks a list with limit=1 (following next_after); ids of items under key into *out. Also
 * checks that a page never holds more than one item. Returns the status of the first page. */
static long walk(int u, const char *base, const char *key, struct idset *out)
{
    char path[512];
    json_int_t after = 0;
    long first = 0;
    for (int page = 0; page < 200; page++) {
        char sep = strchr(base, '?') ? '&' : '?';
        if (after)
            snprintf(path, sizeof path, "%s%climit=1&after=%lld", base, sep, (long long)after);
        else
            snprintf(path, sizeof path, "%s%climit=1", base, sep);
        struct resp r;
        long st = get(u, path, &r);
        if (!first) first = st;
        if (st != 200) {
            resp_free(&r);
            return first;
        }
        size_t got = json_array_size(json_object_get(r.json, "items"));
        EXPECT(got <= 1, "%s %s: page size", U[u].name, path);
        /* A next_after must lead to a visible item: pointing past the last one would tell that
         * hidden ones exist. */
        EXPECT(got == 1 || !after, "%s %s: empty page after next_after", U[u].name, path);
        collect_ids(&r, key, out);
        const json_t *na = json_object_get(r.json, "next_after");
        after = json_is_integer(na) ? json_integer_value(na) : 0;
        resp_free(&r);
        if (!after) break;
    }
    return first;
}

/* ---- setup: principals ------------------------------------------------------------------ */

static void org_ids(void)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/orgs?limit=1000", U[0].tok, NULL, &r);
    assert_int_equal(r.status, 200);
    for (int o = 0; o < O__N; o++) {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(r.json, "items"), i, it)
        {
            const char *n = json_string_value(json_object_get(it, "name_ja"));
            if (n && strcmp(n, O[o].name_ja) == 0) O[o].id = jint(it, "id");
        }
        if (!O[o].id) fprintf(stderr, "no organisation %s\n", O[o].name_ja);
        assert_true(O[o].id > 0);
    }
    resp_free(&r);
}

static void create_extra_orgs(void)
{
    static const char *const tname[] = {
        [T_RES] = "research", [T_FGOV] = "foreign_government", [T_OTHER] = "other"};
    for (int o = O_DESIG; o < O__N; o++) {
        struct resp r;
        send_json(0, "POST", "/api/v1/orgs",
                  json_pack("{s:s, s:s, s:[], s:b}", "type", tname[O[o].type], "name_ja",
                            O[o].name_ja, "sectors", "designated", O[o].designated),
                  201, &r);
        resp_free(&r);
    }
    org_ids();
    for (int u = NDEMO; u < ANON; u++) {
        struct resp r;
        char pw[96];
        snprintf(pw, sizeof pw, "renkei-demo-%s", U[u].name);
        send_json(0, "POST", "/api/v1/users",
                  json_pack("{s:I, s:s, s:s, s:s, s:[s], s:b}", "org_id", O[U[u].org].id,
                            "username", U[u].name, "display_name", U[u].name, "password", pw,
                            "roles", U[u].role, "contractor", U[u].contractor),
                  201, &r);
        resp_free(&r);
    }
}

/* ---- setup: products ---------------------------------------------------------------------- */

static int NC_A; /* nc-analyst: writes everything */

static struct prod *prod_new(const char *name, int tier, int tlp, unsigned sectors)
{
    assert_true(NPROD < MAXP);
    struct prod *p = &P[NPROD++];
    *p = (struct prod){.name = name, .tier = tier, .tlp = tlp, .sectors = sectors};
    return p;
}

static void carry(struct carried *c, int *n, int mk, int label)
{
    assert_true(*n < MAXC);
    c[(*n)++] = (struct carried){mk, label};
}

static json_t *sectors_json(unsigned s)
{
    json_t *a = json_array();
    static const struct {
        unsigned bit;
        const char *codes[2];
    } map[] = {{S_ELEC, {"core.electricity", "ci.electricity"}},
               {S_GAS, {"core.gas", "ci.gas"}},
               {S_FIN, {"core.finance", "ci.finance"}},
               {S_RAIL, {"core.railway", "ci.railway"}},
               {S_TEL, {"core.telecom", "ci.info_comm"}},
               {S_MED, {"ci.medical", NULL}},
               {S_CHEM, {"ci.chemical", NULL}}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (s & map[i].bit)
            for (int k = 0; k < 2; k++)
                if (map[i].codes[k]) json_array_append_new(a, json_string(map[i].codes[k]));
    return a;
}

/* labels: bit i = enum label i, besides the unlabelled BODY marker and the title. */
static void prod_create(struct prod *p, unsigned labels)
{
    int t = marker("LEAK-%s-T", p->name), b = marker("LEAK-%s-BODY", p->name);
    carry(p->c, &p->nc, t, L_NONE);
    carry(p->c, &p->nc, b, L_NONE);
    json_t *paras = json_array(), *lm = json_object(), *body;
    body = json_pack("{s:s, s:o}", "summary", MK[b].text, "paragraphs", paras);
    /* Labelled items in one array, comms_info first: deriving to provision drops it and shifts
     * the others, so a label map not rewritten for the copy would leave source_identifying
     * content unlabelled (or label the wrong item). */
    static const char *const ln[] = {"", "secret", "comms_info", "source_identifying"};
    static const char *const suffix[] = {"", "SECRET", "COMMS", "SRCID"};
    static const int order[] = {L_COMMS, L_SRCID, L_SECRET};
    for (int k = 0; k < 3; k++) {
        int l = order[k];
        if (!(labels & (1u << l))) continue;
        int m = marker("LEAK-%s-%s", p->name, suffix[l]);
        carry(p->c, &p->nc, m, l);
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/paragraphs/%zu", json_array_size(paras));
        json_array_append_new(paras, l == L_SRCID ? json_pack("{s:s}", "who", MK[m].text)
                                                  : json_string(MK[m].text));
        json_object_set_new(lm, ptr, json_pack("[s]", ln[l]));
    }
    json_array_append_new(paras, json_string("unlabelled paragraph"));
    if (p->root != L_NONE) json_object_set_new(lm, "", json_pack("[s]", ln[p->root]));
    char title[96];
    snprintf(title, sizeof title, "%s 漏えい試験", MK[t].text);
    struct resp r;
    send_json(NC_A, "POST", "/api/v1/products",
              json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "title", title, "tier", TIERN[p->tier],
                        "tlp", TLPN[p->tlp], "sectors", sectors_json(p->sectors), "body", body,
                        "labels", lm),
              201, &r);
    p->id = jint(r.json, "id");
    p->version = jint(r.json, "version");
    resp_free(&r);
}

/* Derives parent to tier as a new draft: carries what the tier may hold. */
static struct prod *prod_derive(const char *name, const struct prod *parent, int tier)
{
    struct prod *p = prod_new(name, tier, parent->tlp, parent->sectors);
    for (int i = 0; i < parent->nc; i++) {
        int l = parent->c[i].label;
        bool keep = l == L_NONE || (tier == TIER_PROV && l != L_COMMS);
        if (keep) carry(p->c, &p->nc, parent->c[i].mk, l);
    }
    char path[96];
    snprintf(path, sizeof path, "/api/v1/products/%lld/derive?tier=%s", (long long)parent->id,
             TIERN[tier]);
    struct resp r;
    send_json(NC_A, "POST", path, NULL, 201, &r);
    p->id = jint(r.json, "id");
    p->version = jint(r.json, "version");
    /* What derivation drops is gone from the draft itself, not only hidden. */
    for (int i = 0; i < parent->nc; i++) {
        bool kept = false;
        for (int k = 0; k < p->nc; k++)
            kept = kept || p->c[k].mk == parent->c[i].mk;
        if (!kept)
            EXPECT(!strstr(r.body, MK[parent->c[i].mk].text), "derived %s (%s) still holds %s: %s",
                   name, TIERN[tier], MK[parent->c[i].mk].text, r.body);
    }
    resp_free(&r);
    return p;
}

/* A derived product gets its own title before release (the gate refuses the parent's). */
static void prod_retitle(struct prod *p)
{
    for (int i = 0; i < p->nc; i++) {
        const char *mt = MK[p->c[i].mk].text;
        size_t ml = strlen(mt);
        if (ml > 2 && strcmp(mt + ml - 2, "-T") == 0) p->c[i--] = p->c[--p->nc];
    }
    int t = marker("LEAK-%s-T", p->name);
    carry(p->c, &p->nc, t, L_NONE);
    char title[96], path[64];
    snprintf(title, sizeof title, "%s 派生", MK[t].text);
    snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)p->id);
    struct resp r;
    send_json(NC_A, "PATCH", path, json_pack("{s:I, s:s}", "version", p->version, "title", title),
              200, &r);
    p->version = jint(r.json, "version");
    resp_free(&r);
}

static void prod_release(struct prod *p, long status)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)p->id);
    struct resp r;
    send_json(NC_A, "POST", path, NULL, status, &r);
    if (status == 200) p->released = true;
    resp_free(&r);
}

/* The gate's refusal names each labelled field the tier may not hold, by rule. */
static void prod_release_refused(struct prod *p, const char *const *rules)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/products/%lld/release", (long long)p->id);
    struct resp r;
    send_json(NC_A, "POST", path, NULL, 422, &r);
    for (const char *const *rule = rules; *rule; rule++) {
        bool found = false;
        for (size_t i = 0; problem_error(&r, i); i++)
            found =
                found || strcmp(json_string_value(json_object_get(problem_error(&r, i), "rule")),
                                *rule) == 0;
        EXPECT(found, "release of %s: no %s error: %s", p->name, *rule, r.body);
    }
    resp_free(&r);
}

static void setup_products(void)
{
    struct prod *pa, *pb, *pc, *p;
    /* Comprehensive: a draft with every label; derived drafts of it. */
    pa = prod_new("PA", TIER_COMP, TLP_AS, S_ELEC);
    prod_create(pa, 0xe);
    prod_derive("PAV", pa, TIER_PROV);
    prod_derive("PAP", pa, TIER_PUB);
    /* Comprehensive GREEN released, and its provision and publication cut-downs released. */
    pb = prod_new("PB", TIER_COMP, TLP_GREEN, S_ELEC);
    prod_create(pb, 0xe);
    prod_release(pb, 200);
    p = prod_derive("PBV", pb, TIER_PROV);
    prod_release(p, 422); /* still titled as its parent */
    prod_retitle(p);
    prod_release(p, 200);
    p = prod_derive("PBP", pb, TIER_PUB);
    prod_retitle(p);
    prod_release(p, 200);
    /* Comprehensive AMBER released: a ministry of the sector still may not read it. */
    p = prod_new("PJ", TIER_COMP, TLP_AMBER, S_ELEC);
    prod_create(p, 0xe);
    prod_release(p, 200);
    /* Provision AMBER electricity with secret and source_identifying, released; its
     * publication cut-down released. */
    pc = prod_new("PC", TIER_PROV, TLP_AMBER, S_ELEC);
    prod_create(pc, (1u << L_SECRET) | (1u << L_SRCID));
    prod_release(pc, 200);
    p = prod_derive("PCP", pc, TIER_PUB);
    prod_retitle(p);
    prod_release(p, 200);
    /* Provision with comms_info: the gate refuses; it stays a draft. */
    p = prod_new("PCG", TIER_PROV, TLP_AMBER, S_ELEC);
    prod_create(p, 0xe);
    prod_release_refused(p, (const char *const[]){"label_comms_info", NULL});
    /* Provision AMBER+STRICT electricity and gas; RED; CLEAR without sectors. */
    p = prod_new("PD", TIER_PROV, TLP_AS, S_ELEC | S_GAS);
    prod_create(p, (1u << L_SECRET) | (1u << L_SRCID));
    prod_release(p, 200);
    p = prod_new("PE", TIER_PROV, TLP_RED, S_ELEC);
    prod_create(p, (1u << L_SECRET) | (1u << L_SRCID));
    prod_release(p, 200);
    p = prod_new("PF", TIER_PROV, TLP_CLEAR, 0);
    prod_create(p, (1u << L_SECRET) | (1u << L_SRCID));
    prod_release(p, 200);
    /* Provision GREEN finance. */
    p = prod_new("PK", TIER_PROV, TLP_GREEN, S_FIN);
    prod_create(p, (1u << L_SECRET));
    prod_release(p, 200);
    /* Publication: CLEAR released (the public feed), AMBER medical released, and a CLEAR draft
     * with every label, which the gate refuses. */
    p = prod_new("PG", TIER_PUB, TLP_CLEAR, S_ELEC);
    prod_create(p, 0);
    prod_release(p, 200);
    p = prod_new("PH", TIER_PUB, TLP_AMBER, S_MED);
    prod_create(p, 0);
    prod_release(p, 200);
    /* A label on the whole body: comprehensive GREEN with the root source_identifying (the
     * designated agency reads the tier, not the label: 404 for it); provision AMBER with the
     * root secret (its readers all clear secret, so they read it — and, being METI and council
     * members, are pushed it on release like any provision product they may read). */
    p = prod_new("PRI", TIER_COMP, TLP_GREEN, S_ELEC);
    p->root = L_SRCID;
    prod_create(p, 0);
    prod_release(p, 200);
    p = prod_new("PRS", TIER_PROV, TLP_AMBER, S_ELEC);
    p->root = L_SECRET;
    prod_create(p, 0);
    prod_release(p, 200);
    p = prod_new("PGD", TIER_PUB, TLP_CLEAR, S_ELEC);
    prod_create(p, 0xe);
    prod_release_refused(p, (const char *const[]){"label_secret", "label_comms_info",
                                                  "label_source_identifying", NULL});
}

/* ---- setup: advisories ------------------------------------------------------------------- */

static struct adv *adv_new(const char *name, int tlp, unsigned sectors, uint64_t ministries)
{
    assert_true(NADV < MAXA);
    struct adv *a = &A[NADV++];
    *a = (struct adv){.name = name, .tlp = tlp, .sectors = sectors, .named = ministries};
    return a;
}

/* Creates a draft with the BODY marker (overview) and title marker, and fields labelled as
 * `labels` asks: secret in ④ other, comms_info in ③ guidance, source_identifying in ② targets.
 * widen: organisations named besides the ministries. follows: advisory id or 0. */
static void adv_create(struct adv *a, unsigned labels, uint64_t widen, json_int_t follows)
{
    int t = marker("LEAK-%s-T", a->name), b = marker("LEAK-%s-BODY", a->name);
    carry(a->c, &a->nc, t, L_NONE);
    carry(a->c, &a->nc, b, L_NONE);
    json_t *mins = json_array(), *lm = json_object(), *named = json_array();
    for (int o = 0; o < O__N; o++) {
        if ((a->named & OB(o)) && O[o].type == T_MIN)
            json_array_append_new(mins, json_pack("{s:s}", "ministry", O[o].key));
        if (widen & OB(o)) json_array_append_new(named, json_integer(O[o].id));
    }
    a->named |= widen;
    json_t *ans =
        json_pack("{s:{s:s}, s:{s:o, s:o}, s:{s:s}, s:{s:b}, s:{s:s}}", "header", "severity",
                  "warning", "recipients", "recipient_ministries", mins, "recipient_sectors",
                  sectors_json(a->sectors), "sharing", "tlp", TLPN[a->tlp], "content",
                  "has_attachments", 0, "overview", "overview", MK[b].text);
    if (labels & (1u << L_SECRET)) {
        int m = marker("LEAK-%s-SECRET", a->name);
        carry(a->c, &a->nc, m, L_SECRET);
        json_object_set_new(ans, "other", json_pack("{s:s}", "other", MK[m].text));
        json_object_set_new(lm, "/other/other", json_pack("[s]", "secret"));
    }
    if (labels & (1u << L_COMMS)) {
        int m = marker("LEAK-%s-COMMS", a->name);
        carry(a->c, &a->nc, m, L_COMMS);
        json_object_set_new(ans, "guidance", json_pack("{s:s}", "guidance", MK[m].text));
        json_object_set_new(lm, "/guidance/guidance", json_pack("[s]", "comms_info"));
    }
    if (labels & (1u << L_SRCID)) {
        int m = marker("LEAK-%s-SRCID", a->name);
        carry(a->c, &a->nc, m, L_SRCID);
        json_object_set_new(ans, "targets", json_pack("{s:s}", "targets", MK[m].text));
        json_object_set_new(lm, "/targets/targets", json_pack("[s]", "source_identifying"));
    }
    /* Annex files whose bytes are markers: one unlabelled, one listed under a secret label. */
    json_t *files = json_array();
    for (int f = 0; f < ((labels & (1u << L_SECRET)) ? 2 : 1); f++) {
        int m = marker(f ? "LEAK-%s-FILESEC" : "LEAK-%s-FILE", a->name);
        carry(a->c, &a->nc, m, f ? L_SECRET : L_NONE);
        struct resp r;
        http(&S, "POST", "/api/v1/attachments?name=leak-annex.txt&role=other", U[NC_A].tok, NULL,
             NULL, "text/plain", MK[m].text, &r);
        CALLS++;
        assert_int_equal(r.status, 201);
        a->files[f] = strtoll(json_string_value(json_object_get(r.json, "id")), NULL, 10);
        a->file_label[f] = f ? L_SECRET : L_NONE;
        a->nfiles = f + 1;
        json_array_append_new(files, json_string(json_string_value(json_object_get(r.json, "id"))));
        resp_free(&r);
    }
    json_t *content = json_object_get(ans, "content");
    json_object_set_new(content, "has_attachments", json_true());
    json_object_set_new(content, "attachments", files);
    if (a->nfiles == 2)
        json_object_set_new(lm, "/content/attachments/1", json_pack("[s]", "secret"));
    char title[96];
    snprintf(title, sizeof title, "%s 漏えい試験", MK[t].text);
    json_t *doc = json_pack("{s:s, s:o, s:o, s:o}", "title", title, "answers", ans, "labels", lm,
                            "named", named);
    if (follows) json_object_set_new(doc, "follows", json_integer(follows));
    struct resp r;
    send_json(NC_A, "POST", "/api/v1/advisories", doc, 201, &r);
    a->id = jint(r.json, "id");
    a->version = jint(r.json, "version");
    snprintf(a->ident, sizeof a->ident, "%s",
             json_string_value(json_object_get(r.json, "identification_number")));
    resp_free(&r);
}

static void adv_send(struct adv *a, bool direct, long status, const char *const *rules)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/send", (long long)a->id);
    struct resp r;
    send_json(NC_A, "POST", path, json_pack("{s:I, s:b}", "version", a->version, "direct", direct),
              status, &r);
    if (status == 200) {
        a->sent = true;
        adv_deliver(a, direct);
    }
    for (const char *const *rule = rules; rule && *rule; rule++) {
        bool found = false;
        for (size_t i = 0; problem_error(&r, i); i++)
            found =
                found || strcmp(json_string_value(json_object_get(problem_error(&r, i), "rule")),
                                *rule) == 0;
        EXPECT(found, "send of %s: no %s error: %s", a->name, *rule, r.body);
    }
    resp_free(&r);
}

static void adv_relay_as(struct adv *a, int u, long status)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/relay", (long long)a->id);
    struct resp r;
    send_json(u, "POST", path, NULL, status, &r);
    if (status == 200) adv_relay(a, U[u].org);
    resp_free(&r);
}

static void adv_ack_as(struct adv *a, int u, const char *st)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/advisories/%lld/ack", (long long)a->id);
    struct resp r;
    send_json(u, "POST", path, json_pack("{s:s}", "status", st), 200, &r);
    resp_free(&r);
}

/* The demo advisories (data/demo_dissemination.json), modelled for the consistency checks. */
static void model_demo_advisories(void)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/advisories?limit=100", U[NC_A].tok, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 5);
    struct adv *a;
    a = adv_new("demo1", TLP_AMBER, S_ELEC, OB(O_METI));
    a->sent = a->demo = true;
    adv_deliver(a, false);
    adv_relay(a, O_METI);
    adv_relay(a, O_TEISAC);
    a = adv_new("demo2", TLP_AMBER, S_ELEC, OB(O_METI));
    a->sent = a->demo = true;
    adv_deliver(a, false);
    adv_relay(a, O_METI);
    a = adv_new("demo3", TLP_CLEAR, S_ELEC | S_TEL, OB(O_MIC) | OB(O_METI));
    a->sent = a->demo = true;
    a = adv_new("demo4", TLP_GREEN, S_FIN, OB(O_FSA));
    a->sent = a->demo = true;
    carry(a->c, &a->nc, marker("DEMO-SECRET-MARKER"), L_SECRET);
    a = adv_new("demo5", TLP_AMBER, S_ELEC, OB(O_METI)); /* a draft */
    a->demo = true;
    for (int i = 0; i < 5; i++) {
        a = &A[i];
        size_t k;
        json_t *it;
        json_array_foreach(json_object_get(r.json, "items"), k, it)
        {
            const char *t = json_string_value(json_object_get(it, "title"));
            bool match =
                (i == 0 && strstr(t, "注意喚起") && !strstr(t, "第2報") && strstr(t, "電力")) ||
                (i == 1 && strstr(t, "第2報")) || (i == 2 && strstr(t, "CVE-2024-3400")) ||
                (i == 3 && strstr(t, "金融")) || (i == 4 && strstr(t, "作成中"));
            if (match) {
                a->id = jint(it, "id");
                snprintf(a->ident, sizeof a->ident, "%s",
                         json_string_value(json_object_get(it, "identification_number")));
                EXPECT(strcmp(json_string_value(json_object_get(it, "tlp")), TLPN[a->tlp]) == 0,
                       "demo advisory %d: tlp", i + 1);
            }
        }
        assert_true(a->id > 0);
    }
    resp_free(&r);
    /* demo 4 went direct: to the whole audience at the time (before the created organisations,
     * none of which has a finance sector). */
    adv_deliver(&A[2], true);
    adv_deliver(&A[3], true);
}

static void setup_advisories(void)
{
    struct adv *a, *ar;
    int meti = user_ix("meti-analyst"), toto_admin = user_ix("toto-admin");
    /* A draft with every label; sending it is refused for comms_info and source_identifying
     * (secret is allowed at AMBER). */
    a = adv_new("AD", TLP_AMBER, S_ELEC, OB(O_METI));
    adv_create(a, 0xe, 0, 0);
    adv_send(a, false, 422,
             (const char *const[]){"label_comms_info", "label_source_identifying", NULL});
    /* AMBER electricity, to METI, relayed by METI (to the electricity operators and CEPTOAR);
     * toto acknowledges. */
    ar = a = adv_new("AR", TLP_AMBER, S_ELEC, OB(O_METI));
    adv_create(a, 1u << L_SECRET, 0, 0);
    adv_send(a, false, 200, NULL);
    adv_relay_as(a, meti, 200);
    adv_ack_as(a, toto_admin, "read");
    /* Its follow-up (第2報), sent to METI and not relayed: toto does not hold it. */
    a = adv_new("AF", TLP_AMBER, S_ELEC, OB(O_METI));
    adv_create(a, 1u << L_SECRET, 0, ar->id);
    adv_send(a, false, 200, NULL);
    /* GREEN medical, sent direct: MHLW and the friend kenseikai (which never sees secret). */
    a = adv_new("AM", TLP_GREEN, S_MED, OB(O_MHLW));
    adv_create(a, 1u << L_SECRET, 0, 0);
    adv_send(a, true, 200, NULL);
    /* AMBER+STRICT electricity and gas, sent direct: no contractors. */
    a = adv_new("AS", TLP_AS, S_ELEC | S_GAS, OB(O_METI));
    adv_create(a, 1u << L_SECRET, 0, 0);
    adv_send(a, true, 200, NULL);
    /* CLEAR: secret refused at send (stays a draft); an unlabelled one sent (public). */
    a = adv_new("ACG", TLP_CLEAR, S_ELEC, OB(O_METI));
    adv_create(a, 1u << L_SECRET, 0, 0);
    adv_send(a, false, 422, (const char *const[]){"label_secret", NULL});
    a = adv_new("AC", TLP_CLEAR, S_ELEC | S_CHEM, OB(O_METI));
    adv_create(a, 0, 0, 0);
    adv_send(a, false, 200, NULL);
    /* GREEN electricity to METI, widened by name to the vendor tss (no sectors). */
    a = adv_new("AN", TLP_GREEN, S_ELEC, OB(O_METI));
    adv_create(a, 1u << L_SECRET, OB(O_TSS), 0);
    adv_send(a, false, 200, NULL);
    /* RED to METI: not relayable. */
    a = adv_new("AX", TLP_RED, S_ELEC, OB(O_METI));
    adv_create(a, 1u << L_SECRET, 0, 0);
    adv_send(a, false, 200, NULL);
    adv_relay_as(a, meti, 403);
    /* GREEN finance sent direct, widened by name to a foreign government (clears secret) and an
     * "other" organisation (does not). */
    a = adv_new("AW", TLP_GREEN, S_FIN, OB(O_FSA));
    adv_create(a, 1u << L_SECRET, OB(O_FGOV) | OB(O_MISC), 0);
    adv_send(a, true, 200, NULL);
}

/* ---- setup: threads, groups, messages ---------------------------------------------------- */

static int thr_create(const char *name, bool group, uint64_t members)
{
    assert_true(NTHR < MAXT);
    int i = NTHR++;
    struct thr *t = &TH[i];
    *t = (struct thr){.name = name, .group = group, .members = members};
    t->title_mk = marker("LEAK-%s-T", name);
    char title[96];
    snprintf(title, sizeof title, "%s 協議会", MK[t->title_mk].text);
    json_t *doc = json_pack("{s:s}", "title", title);
    if (group) {
        json_t *m = json_array();
        for (int o = 0; o < O__N; o++)
            if (members & OB(o)) json_array_append_new(m, json_integer(O[o].id));
        json_object_set_new(doc, "members", m);
    } else {
        for (int o = 0; o < O__N; o++)
            if (members & OB(o)) json_object_set_new(doc, "org_id", json_integer(O[o].id));
    }
    struct resp r;
    send_json(NC_A, "POST", group ? "/api/v1/groups" : "/api/v1/threads", doc, 201, &r);
    t->id = jint(r.json, "id");
    t->version = jint(r.json, "version");
    resp_free(&r);
    return i;
}

/* Changes a thread's members (groups) and/or title (new title marker `retitle`). */
static void thr_update(int thr, uint64_t members, const char *retitle)
{
    struct thr *t = &TH[thr];
    json_t *doc = json_pack("{s:I}", "version", t->version);
    if (t->group) {
        json_t *m = json_array();
        for (int o = 0; o < O__N; o++)
            if (members & OB(o)) json_array_append_new(m, json_integer(O[o].id));
        json_object_set_new(doc, "members", m);
        t->members = members;
    }
    if (retitle) {
        /* The old title marker is stored nowhere any more: it keeps an empty expected set. */
        t->title_mk = marker("LEAK-%s-T", retitle);
        char title[96];
        snprintf(title, sizeof title, "%s 協議会", MK[t->title_mk].text);
        json_object_set_new(doc, "title", json_string(title));
    }
    char path[64];
    snprintf(path, sizeof path, "/api/v1/%s/%lld", t->group ? "groups" : "threads",
             (long long)t->id);
    struct resp r;
    send_json(NC_A, "PATCH", path, doc, 200, &r);
    t->version = jint(r.json, "version");
    resp_free(&r);
}

static void msg_post(int thr, int u, int tlp, unsigned labels, const char *tag, long status)
{
    assert_true(NMSG < MAXM);
    static const char *const ln[] = {"", "secret", "comms_info", "source_identifying"};
    static const char *const suffix[] = {"BODY", "SECRET", "COMMS", "SRCID"};
    int last = L_NONE;
    json_t *la = json_array();
    for (int l = L_SECRET; l <= L_SRCID; l++)
        if (labels & (1u << l)) {
            json_array_append_new(la, json_string(ln[l]));
            last = l;
        }
    int mk = marker("LEAK-%s-%s", tag, suffix[last]);
    char body[128], path[64];
    snprintf(body, sizeof body, "協議会連絡 %s\n以上", MK[mk].text);
    snprintf(path, sizeof path, "/api/v1/%s/%lld/messages", TH[thr].group ? "groups" : "threads",
             (long long)TH[thr].id);
    struct resp r;
    send_json(u, "POST", path,
              json_pack("{s:s, s:s, s:o}", "body", body, "tlp", TLPN[tlp], "labels", la), status,
              &r);
    if (status == 201) {
        M[NMSG] = (struct msg){.thr = thr,
                               .sender_org = U[u].org,
                               .tlp = tlp,
                               .labels = labels,
                               .mk = mk,
                               .id = jint(r.json, "id"),
                               .recipients = (TH[thr].members | OB(O_NC)) & ~OB(U[u].org)};
        NMSG++;
    } else {
        EXPECT(strcmp(json_string_value(json_object_get(problem_error(&r, 0), "rule")),
                      "recipient_may_not_receive") == 0,
               "refused post %s: %s", tag, r.body);
        /* stored nowhere: expected nowhere (MK[mk].expect stays 0) */
    }
    resp_free(&r);
}

static void setup_threads(void)
{
    int toto_r = user_ix("toto-reporter");
    const unsigned SEC = 1u << L_SECRET, COM = 1u << L_COMMS, SID = 1u << L_SRCID;
    int g1 = thr_create("G1", true, OB(O_METI) | OB(O_TOTO) | OB(O_TEISAC) | OB(O_FSA));
    msg_post(g1, NC_A, TLP_AMBER, SEC, "G1A", 201);
    msg_post(g1, NC_A, TLP_AS, SEC, "G1B", 201);
    msg_post(g1, NC_A, TLP_RED, SID, "G1C", 201);
    msg_post(g1, toto_r, TLP_AMBER, SEC, "G1D", 201);
    msg_post(g1, toto_r, TLP_GREEN, COM, "G1X", 422); /* METI may not receive comms_info */
    /* Members change: fsa leaves (it no longer reads the group, its inbox rows stay hidden), the
     * friend kenseikai joins (it reads nothing said before it joined: the addressees of a message
     * are the members when it was posted). */
    thr_update(g1, OB(O_METI) | OB(O_TOTO) | OB(O_TEISAC) | OB(O_KENSEIKAI), NULL);
    msg_post(g1, NC_A, TLP_GREEN, SID, "G1E", 201);
    msg_post(g1, NC_A, TLP_GREEN, SEC, "G1Y", 422); /* the friend now */
    int t1 = thr_create("T1", false, OB(O_TOTO));
    msg_post(t1, toto_r, TLP_GREEN, COM, "T1A", 201); /* toto's own: to the centre only */
    msg_post(t1, NC_A, TLP_AS, SEC, "T1B", 201);
    msg_post(t1, NC_A, TLP_GREEN, COM, "T1X", 422); /* toto may not receive comms_info */
    int g2 = thr_create("G2", true, OB(O_KENSEIKAI) | OB(O_MINATO) | OB(O_WANGAN));
    msg_post(g2, NC_A, TLP_GREEN, SID, "G2A", 201);
    msg_post(g2, NC_A, TLP_CLEAR, 0, "G2B", 201);
    msg_post(g2, NC_A, TLP_AMBER, SEC, "G2X", 422); /* a friend never receives secret */
    thr_update(g2, TH[g2].members, "G2R");          /* renamed: the old title is gone everywhere */
    int g3 = thr_create("G3", true, OB(O_DESIG));
    msg_post(g3, NC_A, TLP_AMBER, COM, "G3A", 201);
    int t2 = thr_create("T2", false, OB(O_FGOV));
    msg_post(t2, NC_A, TLP_GREEN, SEC, "T2A", 201);
}

/* ---- the demo incidents ----------------------------------------------------------------- */

static struct idset INC;           /* incident ids */
static int INC_REPORTS[256];       /* reports per incident (index as in INC) */
static uint64_t INC_IDENTITY[256]; /* who may see toto's name on that incident's own paths */
static int MK_TOTO_NAME, MK_TOTO_CORP;

/*
 * The demo incidents. toto's DDoS report names toto in its reporter section (name and corporate
 * number). IDENTITY (docs/policy.md "Reports") goes to a source (the operator, any role, its
 * contractor included; the CEPTOAR that relayed) and to the recipients' own staff (METI and the
 * centre) unless the relay anonymised the operator — never to a recipient's contractor nor to a
 * reader by TLP. teisac's anonymised relay for toto: toto and teisac (the sources) only; the
 * recipients see teisac as the source. The other incidents do not involve toto.
 */
static void setup_incidents(void)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/incidents?limit=100", U[NC_A].tok, NULL, &r);
    assert_int_equal(r.status, 200);
    collect_ids(&r, "id", &INC);
    resp_free(&r);
    assert_true(INC.n >= 4);
    uint64_t toto_users = 0;
    for (int u = 0; u < ANON; u++)
        if (U[u].org == O_TOTO) toto_users |= UB(u);
    uint64_t direct = toto_users | UB(user_ix("meti-analyst")) | UB(user_ix("nc-admin")) |
                      UB(user_ix("nc-analyst"));
    uint64_t relayed = toto_users | UB(user_ix("teisac-analyst"));
    int ndirect = 0, nrelayed = 0;
    for (int i = 0; i < INC.n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/incidents/%lld", (long long)INC.v[i]);
        http_json(&S, "GET", path, U[NC_A].tok, NULL, &r);
        assert_int_equal(r.status, 200);
        INC_REPORTS[i] = (int)json_array_size(json_object_get(r.json, "report_list"));
        assert_true(INC_REPORTS[i] >= 1);
        const json_t *src = json_object_get(r.json, "source");
        const json_t *relay = json_object_get(src, "relayed_by");
        if (relay && jint(relay, "org_id") == O[O_TEISAC].id) {
            INC_IDENTITY[i] = relayed;
            nrelayed++;
        } else if (jint(src, "org_id") == O[O_TOTO].id) {
            INC_IDENTITY[i] = direct;
            ndirect++;
        }
        resp_free(&r);
    }
    assert_int_equal(ndirect, 1);
    assert_int_equal(nrelayed, 1);
    MK_TOTO_NAME = marker("東都電力株式会社");
    MK_TOTO_CORP = marker("7990001000001"); /* only in the reporter section */
    MK[MK_TOTO_NAME].expect = direct | relayed;
    MK[MK_TOTO_CORP].expect = direct;
}

/* ---- expectations -------------------------------------------------------------------------- */

static void compute_expectations(void)
{
    for (int u = 0; u < NP; u++) {
        for (int i = 0; i < NPROD; i++)
            for (int k = 0; k < P[i].nc; k++)
                if (prod_sees(u, &P[i], P[i].c[k].label)) MK[P[i].c[k].mk].expect |= UB(u);
        for (int i = 0; i < NADV; i++)
            for (int k = 0; k < A[i].nc; k++)
                if (adv_sees(u, &A[i], A[i].c[k].label)) MK[A[i].c[k].mk].expect |= UB(u);
        for (int i = 0; i < NTHR; i++)
            if (thr_readable(u, &TH[i])) MK[TH[i].title_mk].expect |= UB(u);
        for (int i = 0; i < NMSG; i++)
            if (msg_readable(u, &M[i])) MK[M[i].mk].expect |= UB(u);
    }
}

static void print_set(uint64_t set)
{
    bool any = false;
    for (int u = 0; u < NP; u++)
        if (set & UB(u)) {
            fprintf(stderr, "%s%s", any ? "," : "", U[u].name);
            any = true;
        }
    if (!any) fprintf(stderr, "(nobody)");
}

/* ---- the sweep: every path as every principal ------------------------------------------- */

static bool has_item(const struct resp *r, const char *key, json_int_t id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r->json, "items"), i, it)
    {
        if (jint(it, key) == id) return true;
    }
    return false;
}

static void sweep_products(int u)
{
    const char *n = U[u].name;
    bool an = anon(u);
    struct idset walked = {0};
    long st = walk(u, "/api/v1/products", "id", &walked);
    EXPECT(st == (an ? 401 : 200), "%s: product list %ld", n, st);
    static const char *const tiers[] = {NULL, "comprehensive", "provision", "publication"};
    static const char *const stats[] = {NULL, "draft", "released"};
    for (int ti = 0; ti < 4; ti++)
        for (int si = 0; si < 3; si++) {
            char path[128];
            snprintf(path, sizeof path, "/api/v1/products?limit=100%s%s%s%s",
                     tiers[ti] ? "&tier=" : "", tiers[ti] ? tiers[ti] : "",
                     stats[si] ? "&status=" : "", stats[si] ? stats[si] : "");
            struct resp r;
            st = get(u, path, &r);
            EXPECT(st == (an ? 401 : 200), "%s %s: %ld", n, path, st);
            if (st == 200) {
                if (ti == 0 && si == 0)
                    EXPECT(json_array_size(json_object_get(r.json, "items")) == (size_t)walked.n,
                           "%s: the limit=1 walk and the list differ", n);
                for (int i = 0; i < NPROD; i++) {
                    const struct prod *p = &P[i];
                    bool match =
                        (ti == 0 || p->tier == ti) && (si == 0 || (si == 2) == p->released);
                    bool want = match && prod_readable(u, p);
                    EXPECT(has_item(&r, "id", p->id) == want, "%s %s: product %s listed %d", n,
                           path, p->name, !want);
                }
            }
            resp_free(&r);
        }
    for (int i = 0; i < NPROD; i++) {
        const struct prod *p = &P[i];
        char path[96];
        snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)p->id);
        st = get_status(u, path);
        long want = an ? 401 : prod_readable(u, p) ? 200 : 404;
        EXPECT(st == want, "%s GET %s (%s): %ld, want %ld", n, path, p->name, st, want);
        if (!an)
            EXPECT(idset_has(&walked, p->id) == (st == 200), "%s: product %s get %ld, walked %d", n,
                   p->name, st, idset_has(&walked, p->id));
        snprintf(path, sizeof path, "/feeds/products/%lld", (long long)p->id);
        st = get_status(u, path);
        EXPECT(st == (prod_public(p) ? 200 : 404), "%s GET %s (%s): %ld", n, path, p->name, st);
    }
    EXPECT(get_status(u, "/api/v1/products/999999") == (an ? 401 : 404), "%s: missing product", n);
    EXPECT(get_status(u, "/feeds/products/999999") == 404, "%s: missing feed product", n);
}

static void sweep_advisories(int u)
{
    const char *n = U[u].name;
    bool an = anon(u);
    struct idset walked = {0};
    long st = walk(u, "/api/v1/advisories", "id", &walked);
    EXPECT(st == (an ? 401 : 200), "%s: advisory list %ld", n, st);
    static const char *const stats[] = {"draft", "sent"};
    for (int si = 0; si < 2; si++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/advisories?limit=100&status=%s", stats[si]);
        struct resp r;
        st = get(u, path, &r);
        EXPECT(st == (an ? 401 : 200), "%s %s: %ld", n, path, st);
        if (st == 200)
            for (int i = 0; i < NADV; i++) {
                bool want = A[i].sent == (si == 1) && adv_readable(u, &A[i]);
                EXPECT(has_item(&r, "id", A[i].id) == want, "%s %s: advisory %s listed %d", n, path,
                       A[i].name, !want);
            }
        resp_free(&r);
    }
    /* By identification number: each series. */
    for (int i = 0; i < NADV; i++) {
        bool first = true;
        for (int k = 0; k < i; k++)
            first = first && strcmp(A[k].ident, A[i].ident) != 0;
        if (!first) continue;
        char path[128];
        snprintf(path, sizeof path, "/api/v1/advisories?limit=100&identification_number=%s",
                 A[i].ident);
        struct resp r;
        st = get(u, path, &r);
        EXPECT(st == (an ? 401 : 200), "%s %s: %ld", n, path, st);
        if (st == 200)
            for (int k = 0; k < NADV; k++) {
                bool want = strcmp(A[k].ident, A[i].ident) == 0 && adv_readable(u, &A[k]);
                EXPECT(has_item(&r, "id", A[k].id) == want, "%s %s: advisory %s listed %d", n, path,
                       A[k].name, !want);
            }
        resp_free(&r);
    }
    for (int i = 0; i < NADV; i++) {
        const struct adv *a = &A[i];
        bool rd = adv_readable(u, a);
        long want = an ? 401 : rd ? 200 : 404;
        static const char *const sub[] = {"", "/form", "/acks", "/acks?pending=true",
                                          "/acks?pending=false"};
        for (size_t k = 0; k < sizeof sub / sizeof *sub; k++) {
            char path[128];
            snprintf(path, sizeof path, "/api/v1/advisories/%lld%s", (long long)a->id, sub[k]);
            struct resp r;
            st = get(u, path, &r);
            EXPECT(st == want, "%s GET %s (%s): %ld, want %ld", n, path, a->name, st, want);
            /* Who received it: exactly the rows u may see (the demo's relays are not modelled
             * row by row). */
            if (st == 200 && k == 2 && !a->demo) {
                uint64_t got = 0, exp = 0;
                size_t j;
                json_t *it;
                json_array_foreach(json_object_get(r.json, "items"), j, it)
                {
                    int o = org_by_id(jint(it, "org_id"));
                    if (o >= 0) got |= OB(o);
                    EXPECT(o >= 0, "%s %s: row of an unknown organisation", n, path);
                    if (o >= 0)
                        EXPECT(jint(it, "relayed_from") ==
                                   (a->relayed_from[o] ? O[a->relayed_from[o] - 1].id : 0),
                               "%s %s: relayed_from of %s", n, path, O[o].key);
                }
                for (int o = 0; o < O__N; o++)
                    if ((a->held & OB(o)) && adv_ack_visible(u, a, o)) exp |= OB(o);
                EXPECT(got == exp, "%s %s (%s): rows %#llx, want %#llx", n, path, a->name,
                       (unsigned long long)got, (unsigned long long)exp);
            }
            resp_free(&r);
        }
        if (!an)
            EXPECT(idset_has(&walked, a->id) == rd, "%s: advisory %s readable %d, walked %d", n,
                   a->name, rd, idset_has(&walked, a->id));
        char path[96];
        snprintf(path, sizeof path, "/feeds/advisories/%lld", (long long)a->id);
        st = get_status(u, path);
        bool pub = a->sent && a->tlp == TLP_CLEAR;
        EXPECT(st == (pub ? 200 : 404), "%s GET %s (%s): %ld", n, path, a->name, st);
        /* Annex files: through the advisory's view, and public ones without login. */
        struct scope fs = {O_NC, a->sectors, a->tlp, TIER_NONE, a->named};
        for (int f = 0; f < a->nfiles; f++) {
            bool sees = rd && label_ok(u, &fs, a->file_label[f]);
            snprintf(path, sizeof path, "/api/v1/advisories/%lld/attachments/%lld",
                     (long long)a->id, (long long)a->files[f]);
            st = get_status(u, path);
            EXPECT(st == (an     ? 401
                          : sees ? 200
                                 : 404),
                   "%s GET %s (%s): %ld", n, path, a->name, st);
            snprintf(path, sizeof path, "/feeds/advisories/%lld/attachments/%lld", (long long)a->id,
                     (long long)a->files[f]);
            st = get_status(u, path);
            EXPECT(st == (pub && a->file_label[f] == L_NONE ? 200 : 404), "%s GET %s (%s): %ld", n,
                   path, a->name, st);
        }
    }
    EXPECT(get_status(u, "/api/v1/advisories/999999") == (an ? 401 : 404), "%s: missing advisory",
           n);
    EXPECT(get_status(u, "/api/v1/advisories/999999/form") == (an ? 401 : 404),
           "%s: missing advisory form", n);
    EXPECT(get_status(u, "/feeds/advisories/999999") == 404, "%s: missing feed advisory", n);
}

static void sweep_threads(int u)
{
    const char *n = U[u].name;
    bool an = anon(u);
    struct idset wt = {0}, wg = {0};
    long st = walk(u, "/api/v1/threads", "id", &wt);
    EXPECT(st == (an ? 401 : 200), "%s: thread list %ld", n, st);
    st = walk(u, "/api/v1/groups", "id", &wg);
    EXPECT(st == (an ? 401 : 200), "%s: group list %ld", n, st);
    get_status(u, "/api/v1/threads?limit=100");
    get_status(u, "/api/v1/groups?limit=100");
    for (int i = 0; i < NTHR; i++) {
        const struct thr *t = &TH[i];
        bool rd = thr_readable(u, t);
        const char *kind = t->group ? "groups" : "threads",
                   *other = t->group ? "threads" : "groups";
        char path[128];
        long want = an ? 401 : rd ? 200 : 404;
        snprintf(path, sizeof path, "/api/v1/%s/%lld", kind, (long long)t->id);
        st = get_status(u, path);
        EXPECT(st == want, "%s GET %s (%s): %ld, want %ld", n, path, t->name, st, want);
        snprintf(path, sizeof path, "/api/v1/%s/%lld/messages", kind, (long long)t->id);
        struct idset msgs = {0};
        st = walk(u, path, "id", &msgs);
        EXPECT(st == want, "%s GET %s (%s): %ld, want %ld", n, path, t->name, st, want);
        snprintf(path, sizeof path, "/api/v1/%s/%lld/messages?limit=100", kind, (long long)t->id);
        get_status(u, path);
        for (int k = 0; k < NMSG; k++)
            if (M[k].thr == i)
                EXPECT(idset_has(&msgs, M[k].id) == msg_readable(u, &M[k]),
                       "%s: message %s listed %d", n, MK[M[k].mk].text, idset_has(&msgs, M[k].id));
        /* The other kind's route does not show it (404 as missing). */
        snprintf(path, sizeof path, "/api/v1/%s/%lld", other, (long long)t->id);
        st = get_status(u, path);
        EXPECT(st == (an ? 401 : 404), "%s GET %s: %ld", n, path, st);
        if (!an)
            EXPECT(idset_has(t->group ? &wg : &wt, t->id) == rd &&
                       !idset_has(t->group ? &wt : &wg, t->id),
                   "%s: %s listed wrongly", n, t->name);
    }
    EXPECT(get_status(u, "/api/v1/groups/999999/messages") == (an ? 401 : 404), "%s: missing group",
           n);
}

static void sweep_inbox(int u)
{
    const char *n = U[u].name;
    bool an = anon(u);
    static const char *const q[] = {"",
                                    "?kind=advisory",
                                    "?kind=product",
                                    "?kind=message",
                                    "?unacknowledged=true",
                                    "?unacknowledged=false",
                                    "?kind=advisory&unacknowledged=true"};
    struct idset walked = {0};
    long st = walk(u, "/api/v1/inbox", "object_id", &walked);
    EXPECT(st == (an ? 401 : 200), "%s: inbox %ld", n, st);
    for (size_t k = 0; k < sizeof q / sizeof *q; k++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/inbox%s%slimit=100", q[k], q[k][0] ? "&" : "?");
        struct resp r;
        st = get(u, path, &r);
        EXPECT(st == (an ? 401 : 200), "%s %s: %ld", n, path, st);
        if (st != 200 || an) {
            resp_free(&r);
            continue;
        }
        int o = U[u].org;
        const char *kind = strstr(q[k], "kind=") ? strstr(q[k], "kind=") + 5 : NULL;
        bool unacked = strstr(q[k], "unacknowledged=true") != NULL;
        /* Every item: of the asked kind, and one of ours the oracle expects there. */
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(r.json, "items"), i, it)
        {
            const char *ik = json_string_value(json_object_get(it, "kind"));
            json_int_t oid = jint(it, "object_id");
            if (kind) EXPECT(strncmp(ik, kind, strlen(ik)) == 0, "%s %s: kind %s", n, path, ik);
            bool ok = false;
            if (strcmp(ik, "advisory") == 0) {
                for (int a = 0; a < NADV; a++)
                    if (A[a].id == oid) ok = (A[a].held & OB(o)) && adv_readable(u, &A[a]);
            } else if (strcmp(ik, "product") == 0) {
                for (int p = 0; p < NPROD; p++)
                    if (P[p].id == oid) ok = prod_pushed(o, &P[p]) && prod_readable(u, &P[p]);
            } else {
                for (int m = 0; m < NMSG; m++)
                    if (M[m].id == oid) ok = (M[m].recipients & OB(o)) && msg_readable(u, &M[m]);
            }
            EXPECT(ok, "%s %s: unexpected %s %lld in the inbox", n, path, ik, (long long)oid);
            if (unacked)
                EXPECT(json_is_null(json_object_get(it, "acknowledgment")),
                       "%s %s: acknowledged item", n, path);
        }
        /* And everything expected is there (unfiltered and per kind). */
        if (!unacked && !strstr(q[k], "unacknowledged")) {
            for (int a = 0; a < NADV; a++)
                if ((!kind || strcmp(kind, "advisory") == 0) && (A[a].held & OB(o)) &&
                    adv_readable(u, &A[a]))
                    EXPECT(has_item(&r, "object_id", A[a].id), "%s %s: advisory %s missing", n,
                           path, A[a].name);
            for (int p = 0; p < NPROD; p++)
                if ((!kind || strcmp(kind, "product") == 0) && prod_pushed(o, &P[p]) &&
                    prod_readable(u, &P[p]))
                    EXPECT(has_item(&r, "object_id", P[p].id), "%s %s: product %s missing", n, path,
                           P[p].name);
            for (int m = 0; m < NMSG; m++) {
                bool recipient = (M[m].recipients & OB(o)) != 0;
                if ((!kind || strcmp(kind, "message") == 0) && recipient && msg_readable(u, &M[m]))
                    EXPECT(has_item(&r, "object_id", M[m].id), "%s %s: message %s missing", n, path,
                           MK[M[m].mk].text);
            }
        }
        resp_free(&r);
    }
}

static void sweep_feeds(int u)
{
    struct resp r;
    EXPECT(get(u, "/feeds/public.json", &r) == 200, "%s: public.json %ld", U[u].name, r.status);
    /* Exactly the public objects. */
    for (int i = 0; i < NPROD; i++) {
        char id[64];
        snprintf(id, sizeof id, "\"urn:renkei:product:%lld\"", (long long)P[i].id);
        EXPECT((strstr(r.body ? r.body : "", id) != NULL) == prod_public(&P[i]),
               "%s: public.json and product %s", U[u].name, P[i].name);
    }
    for (int i = 0; i < NADV; i++) {
        char id[64];
        snprintf(id, sizeof id, "\"urn:renkei:advisory:%lld\"", (long long)A[i].id);
        EXPECT((strstr(r.body ? r.body : "", id) != NULL) == (A[i].sent && A[i].tlp == TLP_CLEAR),
               "%s: public.json and advisory %s", U[u].name, A[i].name);
    }
    resp_free(&r);
    EXPECT(get_status(u, "/feeds/public.atom") == 200, "%s: public.atom", U[u].name);
}

/* The audit trail, filtered by the actions of the population (it also holds one token.use
 * record per call, so it is not walked whole): platform and organisation administrators only. */
static void sweep_audit(int u)
{
    static const char *const actions[] = {"product.create",  "product.update",  "product.derive",
                                          "product.release", "advisory.create", "advisory.update",
                                          "advisory.send",   "advisory.relay",  "advisory.ack",
                                          "thread.create",   "group.create",    "message.post"};
    bool admin = !anon(u) && (strstr(U[u].name, "-admin") != NULL);
    for (size_t k = 0; k < sizeof actions / sizeof *actions; k++) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/audit?limit=100&action=%s", actions[k]);
        long st = get_status(u, path);
        EXPECT(st == (anon(u) ? 401 : admin ? 200 : 403), "%s GET %s: %ld", U[u].name, path, st);
    }
}

/* GET as u; is toto's name in the body? */
static long get_name(int u, const char *path, bool *seen)
{
    struct resp r;
    long st = get(u, path, &r);
    if (r.body && strstr(r.body, MK[MK_TOTO_NAME].text)) *seen = true;
    resp_free(&r);
    return st;
}

static void sweep_incidents(int u)
{
    const char *n = U[u].name;
    bool an = anon(u);
    struct idset walked = {0};
    long st = walk(u, "/api/v1/incidents", "id", &walked);
    EXPECT(st == (an ? 401 : 200), "%s: incident list %ld", n, st);
    get_status(u, "/api/v1/incidents?limit=100");
    for (int i = 0; i < INC.n; i++) {
        char base[64], path[128];
        bool seen = false;
        snprintf(base, sizeof base, "/api/v1/incidents/%lld", (long long)INC.v[i]);
        st = get_name(u, base, &seen);
        EXPECT(an ? st == 401 : (st == 200 || st == 404), "%s GET %s: %ld", n, base, st);
        if (!an)
            EXPECT(idset_has(&walked, INC.v[i]) == (st == 200),
                   "%s: incident %lld get %ld, listed %d", n, (long long)INC.v[i], st,
                   idset_has(&walked, INC.v[i]));
        snprintf(path, sizeof path, "%s/reports", base);
        long st2 = get_name(u, path, &seen);
        EXPECT(st2 == st, "%s GET %s: %ld (incident %ld)", n, path, st2, st);
        snprintf(path, sizeof path, "%s/attachments", base);
        st2 = get_name(u, path, &seen);
        EXPECT(st2 == st, "%s GET %s: %ld (incident %ld)", n, path, st2, st);
        for (int k = 1; k <= INC_REPORTS[i]; k++) {
            static const char *const sub[] = {"", "/diff", "/form"};
            for (int s = 0; s < 3; s++) {
                snprintf(path, sizeof path, "%s/reports/%d%s", base, k, sub[s]);
                st2 = get_name(u, path, &seen);
                EXPECT(an ? st2 == 401 : (st2 == 200 || st2 == 404), "%s GET %s: %ld", n, path,
                       st2);
            }
        }
        /* Per incident: toto's name on this incident's own paths exactly for its IDENTITY
         * readers. */
        bool want = (INC_IDENTITY[i] & UB(u)) != 0;
        EXPECT(seen == want, "%s: toto's name on incident %lld's paths: %d, want %d", n,
               (long long)INC.v[i], seen, want);
    }
    EXPECT(get_status(u, "/api/v1/incidents/999999") == (an ? 401 : 404), "%s: missing incident",
           n);
}

/* ---- the test ---------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    const char *extra[] = {"--login-rate", "10000", NULL};
    srv_start(&S, true, extra);
    NC_A = user_ix("nc-analyst");
    bearer(&S, U[0].name, U[0].tok, sizeof U[0].tok);
    create_extra_orgs();
    for (int u = 1; u < ANON; u++)
        bearer(&S, U[u].name, U[u].tok, sizeof U[u].tok);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    srv_stop(&S);
    return 0;
}

static void leak_sweep(void **state)
{
    (void)state;
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    model_demo_advisories();
    setup_products();
    setup_advisories();
    setup_threads();
    setup_incidents();
    compute_expectations();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (int u = 0; u < NP; u++) {
        sweep_products(u);
        sweep_advisories(u);
        sweep_threads(u);
        sweep_inbox(u);
        sweep_feeds(u);
        sweep_incidents(u);
        sweep_audit(u);
    }
    clock_gettime(CLOCK_MONOTONIC, &t2);
    /* Anonymous: nothing but the public objects. */
    for (int i = 0; i < NMK; i++)
        if (MK[i].seen & UB(ANON)) {
            bool pub = false;
            for (int p = 0; p < NPROD; p++)
                for (int k = 0; k < P[p].nc; k++)
                    pub = pub ||
                          (P[p].c[k].mk == i && prod_public(&P[p]) && P[p].c[k].label == L_NONE);
            for (int a = 0; a < NADV; a++)
                for (int k = 0; k < A[a].nc; k++)
                    pub = pub || (A[a].c[k].mk == i && A[a].sent && A[a].tlp == TLP_CLEAR &&
                                  A[a].c[k].label == L_NONE);
            EXPECT(pub, "anonymous saw %s at %s, not a public object's", MK[i].text,
                   MK[i].where[ANON]);
        }
    /* The marker table (all of it with RK_LEAK_VERBOSE set). */
    int bad = 0;
    bool verbose = getenv("RK_LEAK_VERBOSE") != NULL;
    for (int i = 0; i < NMK; i++) {
        bool ok = MK[i].seen == MK[i].expect;
        if (ok && !verbose) continue;
        if (!ok) bad++;
        fprintf(stderr, "%s%s\n  expected: ", ok ? "" : "DIFFERS: ", MK[i].text);
        print_set(MK[i].expect);
        fprintf(stderr, "\n  actual:   ");
        print_set(MK[i].seen);
        fprintf(stderr, "\n");
        for (int u = 0; u < NP; u++) {
            if (MK[i].seen & ~MK[i].expect & UB(u))
                fprintf(stderr, "  LEAK: %s saw it at %s\n", U[u].name, MK[i].where[u]);
            if (MK[i].expect & ~MK[i].seen & UB(u))
                fprintf(stderr, "  MISSING: %s never saw it\n", U[u].name);
        }
    }
    fprintf(stderr,
            "leak test: %d principals (%d demo users, %d created, anonymous), %d products, %d "
            "advisories, %d threads/groups, %d messages, %d incidents; %d markers; %ld calls, "
            "%ld (marker x principal x path) checks; setup %.1fs, sweep %.1fs\n",
            NP, NDEMO, NP - NDEMO - 1, NPROD, NADV, NTHR, NMSG, INC.n, NMK, CALLS,
            CALLS * (long)NMK, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
            (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9);
    EXPECT(bad == 0, "%d markers seen by a different set of principals than the rules allow", bad);
    assert_int_equal(FAILS, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leak_sweep),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
