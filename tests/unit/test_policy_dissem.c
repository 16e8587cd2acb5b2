/*
 * test_policy_dissem.c — the dissemination rules of policy.h (issue 5): advisories, the inbox,
 * products pushed on release, council threads and messages, and the public feeds.
 *
 * Hand-written cases for the key rules, then an independent oracle compared with the policy on
 * random (principal, object) cases of every kind. The oracle re-states each rule from tables
 * (audiences as sets of reader classes or of organisation types) and builds the expected redacted
 * views itself; it never calls a policy function to decide anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/rk.h"
#include "domain/policy.h"

enum {
    NC_ORG = 1,
    OP_ORG = 10,   /* core operator, electricity */
    GAS_OP = 11,   /* CI operator, gas */
    METI_ORG = 20, /* ministry of electricity and gas */
    CEPT_ORG = 30, /* electricity CEPTOAR */
    VENDOR_ORG = 40,
    FRIEND_ORG = 50, /* a council friend (an operator) */
    MEMBER_ORG = 51, /* a council member (an operator) */
};
#define ELEC (1ull << 0)
#define GAS (1ull << 1)
#define FIN (1ull << 2)
#define NTLP 5
#define W POL_ROLE_ANALYST
#define V POL_ROLE_VIEWER

static struct pol_principal who(int64_t org, enum pol_org_type t, uint64_t sectors, unsigned roles)
{
    return (struct pol_principal){
        .user_id = 7, .org_id = org, .org_type = t, .sectors = sectors, .roles = roles};
}

static struct pol_principal contractor_of(struct pol_principal p)
{
    p.contractor = true;
    return p;
}

static const struct pol_principal anon = {0};

/* ---- hand-written cases ----------------------------------------------------------------- */

static const int64_t meti_named[] = {METI_ORG};

static struct pol_advisory advisory(enum pol_tlp tlp)
{
    return (struct pol_advisory){.sender_org = NC_ORG,
                                 .sent = true,
                                 .tlp = tlp,
                                 .sectors = ELEC,
                                 .named = meti_named,
                                 .nnamed = 1,
                                 .held = true};
}

static void friend_never_sees_secret(void **state)
{
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, W);
    struct pol_principal fr = who(FRIEND_ORG, POL_ORG_CORE_OPERATOR, ELEC, W);
    struct pol_principal mem = who(MEMBER_ORG, POL_ORG_CORE_OPERATOR, ELEC, W);
    fr.council = POL_COUNCIL_FRIEND;
    mem.council = POL_COUNCIL_MEMBER;
    const int64_t members[] = {FRIEND_ORG, MEMBER_ORG};
    struct pol_thread t = {.owner_org = NC_ORG, .group = true, .members = members, .nmembers = 2};
    struct pol_message m = {
        .t = &t, .sender_org = NC_ORG, .tlp = POL_TLP_GREEN, .labels = 0, .addressed = true};

    assert_true(policy_thread_may_read(&fr, &t));
    assert_true(policy_message_may_read(&fr, &m));
    assert_true(policy_message_may_send_to(&fr, &m));
    m.labels = POL_LABEL_SECRET;
    assert_false(policy_message_may_read(&fr, &m));
    assert_false(policy_message_may_send_to(&fr, &m)); /* so the post is refused */
    assert_true(policy_message_may_read(&mem, &m));
    assert_true(policy_message_may_send_to(&mem, &m));
    assert_true(policy_message_may_read(&nc, &m));
    /* Friend as sender: its own secret, yes (it is the owner); comms_info: only centre. */
    m.sender_org = FRIEND_ORG;
    assert_true(policy_message_may_read(&fr, &m));
    m.sender_org = NC_ORG;
    m.labels = POL_LABEL_COMMS_INFO;
    assert_false(policy_message_may_read(&mem, &m));
    assert_true(policy_message_may_read(&nc, &m));
    /* A member that joined after the post was not an addressee; the owner always is. */
    m.labels = 0;
    m.addressed = false;
    assert_false(policy_message_may_read(&mem, &m));
    assert_true(policy_message_may_send_to(&mem, &m));
    assert_true(policy_message_may_read(&nc, &m));

    /* Products: a friend is pushed publication products, never provision ones or secret fields. */
    struct pol_scope pub = {
        .owner_org = NC_ORG, .tlp = {POL_TLP_CLEAR}, .ntlp = 1, .tier = POL_TIER_PUBLICATION};
    struct pol_scope prov = pub;
    prov.tier = POL_TIER_PROVISION;
    prov.tlp[0] = POL_TLP_GREEN;
    assert_true(policy_product_push_target(&fr, &pub));
    assert_false(policy_product_push_target(&fr, &prov));
    assert_true(policy_product_push_target(&mem, &prov));
    assert_false(policy_field_visible(&fr, &pub, POL_LABEL_SECRET));
    assert_true(policy_field_visible(&mem, &pub, POL_LABEL_SECRET));
    /* §6.2: the provision tier reaches operators; an operator outside the council reads it
     * without its secret fields, a friend (publication tier) not at all. */
    struct pol_principal outsider = who(MEMBER_ORG + 40, POL_ORG_CI_OPERATOR, ELEC, W);
    assert_true(policy_may_read(&outsider, &prov));
    assert_false(policy_field_visible(&outsider, &prov, POL_LABEL_SECRET));
    assert_false(policy_may_read(&fr, &prov));
    assert_true(policy_may_read(&mem, &prov));
    /* Not pushed to the owner, nor to organisations outside the push list. */
    assert_false(policy_product_push_target(&nc, &pub));
    struct pol_principal vendor = who(VENDOR_ORG, POL_ORG_VENDOR, ELEC, W);
    assert_false(policy_product_push_target(&vendor, &pub));
}

static void red_advisory_not_relayable(void **state)
{
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC | GAS, W);
    struct pol_principal cept = who(CEPT_ORG, POL_ORG_CEPTOAR, ELEC, W);
    struct pol_advisory a = advisory(POL_TLP_RED);
    assert_true(policy_advisory_may_read(&meti, &a));
    assert_false(policy_advisory_may_relay(&meti, &a));
    assert_false(policy_advisory_may_read(&cept, &a)); /* not named */
    a.tlp = POL_TLP_AMBER_STRICT;
    assert_true(policy_advisory_may_relay(&meti, &a));
    assert_true(policy_advisory_may_relay(&cept, &a));
    struct pol_principal viewer = meti;
    viewer.roles = V;
    assert_false(policy_advisory_may_relay(&viewer, &a));
    struct pol_principal mc = contractor_of(meti);
    assert_false(policy_advisory_may_relay(&mc, &a));
    a.held = false;
    assert_false(policy_advisory_may_relay(&meti, &a));
    a.held = true;
    a.sent = false;
    assert_false(policy_advisory_may_relay(&meti, &a));
}

static void contractor_at_amber_strict(void **state)
{
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, V);
    struct pol_principal opc = contractor_of(op);
    struct pol_principal metic = contractor_of(who(METI_ORG, POL_ORG_MINISTRY, ELEC, W));
    struct pol_principal ncc = contractor_of(who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, W));
    struct pol_advisory a = advisory(POL_TLP_AMBER_STRICT);
    assert_true(policy_advisory_may_read(&op, &a));
    assert_false(policy_advisory_may_read(&opc, &a));
    assert_true(policy_advisory_may_ack(&op, &a)); /* any role */
    assert_false(policy_advisory_may_ack(&opc, &a));
    a.tlp = POL_TLP_AMBER;
    assert_true(policy_advisory_may_read(&opc, &a));
    assert_false(policy_advisory_may_ack(&opc, &a)); /* acks are the organisation's own staff */
    a.tlp = POL_TLP_RED;
    assert_false(policy_advisory_may_read(&metic, &a)); /* named, but a contractor */
    /* The sender's contractors: no drafts, and sent ones only below AMBER+STRICT. */
    assert_false(policy_advisory_may_read(&ncc, &a)); /* RED, sent */
    a.tlp = POL_TLP_AMBER;
    assert_true(policy_advisory_may_read(&ncc, &a));
    a.sent = false;
    assert_false(policy_advisory_may_read(&ncc, &a));
    struct pol_principal ncs = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, W);
    assert_true(policy_advisory_may_read(&ncs, &a));
    assert_false(policy_advisory_may_send(&ncc, NC_ORG));

    const int64_t members[] = {OP_ORG};
    struct pol_thread t = {.owner_org = NC_ORG, .members = members, .nmembers = 1};
    struct pol_message m = {
        .t = &t, .sender_org = NC_ORG, .tlp = POL_TLP_AMBER_STRICT, .addressed = true};
    assert_true(policy_thread_may_post(&(struct pol_principal){.user_id = 3,
                                                               .org_id = OP_ORG,
                                                               .org_type = POL_ORG_CORE_OPERATOR,
                                                               .contractor = true,
                                                               .roles = W},
                                       &t));
    assert_false(policy_message_may_read(&opc, &m));
    assert_true(policy_message_may_read(&op, &m));
    m.tlp = POL_TLP_AMBER;
    assert_true(policy_message_may_read(&opc, &m));
}

static void clear_advisory_anonymous_only_when_sent(void **state)
{
    struct pol_advisory a = advisory(POL_TLP_CLEAR);
    a.held = false;
    assert_true(policy_advisory_may_read(&anon, &a));
    assert_false(policy_advisory_in_audience(&anon, &a));
    assert_false(policy_advisory_may_ack(&anon, &a));
    a.sent = false;
    assert_false(policy_advisory_may_read(&anon, &a));
    a.sent = true;
    a.tlp = POL_TLP_GREEN;
    assert_false(policy_advisory_may_read(&anon, &a));
    /* The feed's redacted view: every labelled field goes, the rest stays. */
    a.tlp = POL_TLP_CLEAR;
    struct pol_scope s;
    policy_advisory_scope(&a, &s);
    assert_int_equal(s.owner_org, NC_ORG);
    assert_int_equal(s.ntlp, 1);
    assert_int_equal(s.tlp[0], POL_TLP_CLEAR);
    json_t *obj = json_pack("{s:s, s:s}", "overview", "o", "contact", "c");
    json_t *map = json_pack("{s:[s]}", "/contact", "source_identifying");
    json_t *out = NULL;
    assert_int_equal(policy_view_fields(&anon, &s, obj, map, &out), RK_OK);
    assert_non_null(json_object_get(out, "overview"));
    assert_null(json_object_get(out, "contact"));
    json_decref(out);
    /* The sender keeps everything; a root label anonymous may not see hides all of it. */
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, V);
    assert_int_equal(policy_view_fields(&nc, &s, obj, map, &out), RK_OK);
    assert_true(json_equal(out, obj));
    json_decref(out);
    json_decref(map);
    map = json_pack("{s:[s]}", "", "secret");
    assert_int_equal(policy_view_fields(&anon, &s, obj, map, &out), RK_ENOTFOUND);
    assert_null(out);
    json_decref(map);
    map = json_pack("{s:[s]}", "contact", "secret"); /* no leading '/' */
    assert_int_equal(policy_view_fields(&nc, &s, obj, map, &out), RK_EINVAL);
    /* A malformed advisory gives a scope nobody clears. */
    a.tlp = (enum pol_tlp)9;
    policy_advisory_scope(&a, &s);
    assert_int_equal(policy_view_fields(&nc, &s, obj, NULL, &out), RK_EINVAL);
    assert_false(policy_field_visible(&nc, &s, 0));
    json_decref(map);
    json_decref(obj);
}

static void green_advisory_vendor_needs_sector_or_name(void **state)
{
    struct pol_principal vendor = who(VENDOR_ORG, POL_ORG_VENDOR, 0, V);
    struct pol_principal vendor_elec = who(VENDOR_ORG, POL_ORG_VENDOR, ELEC, V);
    struct pol_principal foreign = who(60, POL_ORG_FOREIGN_GOV, ELEC, V);
    struct pol_principal nc2 = who(2, POL_ORG_NATIONAL_CENTRE, 0, V);
    struct pol_advisory a = advisory(POL_TLP_GREEN);
    assert_false(policy_advisory_in_audience(&vendor, &a));
    assert_false(policy_advisory_may_read(&vendor, &a));
    assert_true(policy_advisory_in_audience(&vendor_elec, &a));
    assert_true(policy_advisory_may_read(&vendor_elec, &a));
    assert_false(policy_advisory_in_audience(&foreign, &a));
    assert_true(policy_advisory_in_audience(&nc2, &a)); /* the centre needs no sector */
    const int64_t named[] = {METI_ORG, VENDOR_ORG};
    a.named = named;
    a.nnamed = 2;
    assert_true(policy_advisory_in_audience(&vendor, &a));
    assert_true(policy_advisory_may_read(&vendor, &a));
    a.held = false; /* in the audience but not delivered */
    assert_false(policy_advisory_may_read(&vendor, &a));
    a.tlp = POL_TLP_CLEAR;
    assert_true(policy_advisory_in_audience(&foreign, &a));
    /* Malformed: a name count without a list fails closed, even for the sender. */
    a.named = NULL;
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, W);
    assert_false(policy_advisory_may_read(&nc, &a));
    assert_false(policy_advisory_in_audience(&nc, &a));
    assert_false(policy_advisory_may_read(&nc, NULL));
    assert_false(policy_advisory_may_read(NULL, &a));
}

static void relay_target_sector_intersection(void **state)
{
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC | GAS, W);
    struct pol_principal cept = who(CEPT_ORG, POL_ORG_CEPTOAR, ELEC, W);
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, V);
    struct pol_principal gas = who(GAS_OP, POL_ORG_CI_OPERATOR, GAS, V);
    struct pol_principal vendor = who(VENDOR_ORG, POL_ORG_VENDOR, ELEC, V);
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, ELEC, V);
    struct pol_advisory a = advisory(POL_TLP_AMBER);
    assert_true(policy_advisory_relay_target(&meti, &op, &a));
    assert_false(policy_advisory_relay_target(&meti, &gas, &a)); /* gas not chosen */
    a.sectors = ELEC | GAS;
    assert_true(policy_advisory_relay_target(&meti, &gas, &a));
    assert_false(policy_advisory_relay_target(&cept, &gas, &a)); /* not the CEPTOAR's sector */
    assert_true(policy_advisory_relay_target(&cept, &op, &a));
    assert_true(policy_advisory_relay_target(&meti, &cept, &a));
    assert_false(policy_advisory_relay_target(&cept, &cept, &a));   /* itself */
    assert_false(policy_advisory_relay_target(&meti, &vendor, &a)); /* not relayed to */
    assert_false(policy_advisory_relay_target(&meti, &nc, &a));     /* the sender */
    assert_false(policy_advisory_relay_target(&op, &gas, &a));      /* operators do not relay */
    struct pol_principal cept2 = who(31, POL_ORG_CEPTOAR, ELEC | GAS, W);
    assert_false(policy_advisory_relay_target(&cept, &cept2, &a)); /* CEPTOAR to CEPTOAR */
    a.tlp = POL_TLP_RED; /* the audience is the named ministry only */
    assert_false(policy_advisory_relay_target(&meti, &op, &a));

    /* Who sees acknowledgment rows. */
    struct pol_principal opc = contractor_of(op);
    assert_true(policy_advisory_may_read_ack(&nc, &a, OP_ORG, CEPT_ORG));
    assert_true(policy_advisory_may_read_ack(&cept, &a, OP_ORG, CEPT_ORG));
    assert_false(policy_advisory_may_read_ack(&cept, &a, OP_ORG, 0));
    assert_true(policy_advisory_may_read_ack(&op, &a, OP_ORG, 0));
    assert_false(policy_advisory_may_read_ack(&opc, &a, OP_ORG, 0));
    assert_false(policy_advisory_may_read_ack(&gas, &a, OP_ORG, CEPT_ORG));
}

static void inbox_threads_and_sending(void **state)
{
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, W);
    struct pol_principal admin = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, POL_ROLE_ADMIN);
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, V);
    assert_true(policy_inbox_may_list(&op, OP_ORG));
    assert_true(policy_inbox_may_list(&admin, NC_ORG));
    assert_false(policy_inbox_may_list(&admin, OP_ORG)); /* nobody reads another's inbox */
    assert_false(policy_inbox_may_list(&anon, 0));

    assert_true(policy_advisory_may_send(&nc, NC_ORG));
    assert_false(policy_advisory_may_send(&admin, NC_ORG)); /* platform admin is not a writer */
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC, W);
    assert_false(policy_advisory_may_send(&meti, METI_ORG));
    assert_true(policy_thread_may_manage(&nc, NC_ORG));
    assert_false(policy_thread_may_manage(&meti, METI_ORG));

    const int64_t members[] = {OP_ORG};
    struct pol_thread t = {.owner_org = NC_ORG, .members = members, .nmembers = 1};
    assert_true(policy_thread_may_read(&op, &t));
    assert_false(policy_thread_may_post(&op, &t)); /* a viewer */
    assert_false(policy_thread_may_read(&meti, &t));
    assert_true(policy_thread_may_post(&nc, &t));
    t.members = NULL; /* malformed */
    assert_false(policy_thread_may_read(&nc, &t));
    struct pol_message m = {.t = NULL, .sender_org = NC_ORG, .tlp = POL_TLP_GREEN};
    assert_false(policy_message_may_read(&nc, &m));
}

/* ---- the oracle: reader classes and audience tables --------------------------------------- */

#define TBIT(t) (1u << (t))
#define SECTOR_BODIES                                                                              \
    (TBIT(POL_ORG_MINISTRY) | TBIT(POL_ORG_CORE_OPERATOR) | TBIT(POL_ORG_CI_OPERATOR) |            \
     TBIT(POL_ORG_CEPTOAR))
#define CI_BODIES                                                                                  \
    (TBIT(POL_ORG_NATIONAL_CENTRE) | SECTOR_BODIES | TBIT(POL_ORG_VENDOR) |                        \
     TBIT(POL_ORG_VULN_INTAKE) | TBIT(POL_ORG_COORDINATOR) | TBIT(POL_ORG_RESEARCH))
#define OPERATORS (TBIT(POL_ORG_CORE_OPERATOR) | TBIT(POL_ORG_CI_OPERATOR))

enum {
    C_PUBLIC = 1u << 0, /* everyone, anonymous included */
    C_AUTH = 1u << 1,
    C_CI = 1u << 2,
    C_NC = 1u << 3,
    C_SECTOR = 1u << 4, /* ministry, CEPTOAR or operator of one of the object's sectors */
    C_NAMED = 1u << 5,
    C_DESIG = 1u << 6,
    C_MINISTRY = 1u << 7,
    C_FOREIGN = 1u << 8,
    C_MEMBER = 1u << 9,    /* council member */
    C_OPERATOR = 1u << 10, /* core or CI operator, not a council friend */
};

/* §6.1 TLP, for objects with a scope (products, messages). */
static const struct {
    unsigned classes;
    bool staff_only;
} tlp_audience[NTLP] = {
    [POL_TLP_CLEAR] = {C_PUBLIC, false},
    [POL_TLP_GREEN] = {C_CI | C_NAMED, false},
    [POL_TLP_AMBER] = {C_NC | C_SECTOR | C_NAMED, false},
    [POL_TLP_AMBER_STRICT] = {C_NC | C_SECTOR | C_NAMED, true},
    [POL_TLP_RED] = {C_NAMED, true},
};

#define PROVISION (C_NC | C_DESIG | C_MINISTRY | C_FOREIGN | C_MEMBER)

/* §6.2 tiers and labels. */
static const unsigned tier_audience[4] = {
    [POL_TIER_NONE] = C_PUBLIC,
    [POL_TIER_COMPREHENSIVE] = C_NC | C_DESIG,
    [POL_TIER_PROVISION] = PROVISION | C_OPERATOR, /* secrets stay with PROVISION */
    [POL_TIER_PUBLICATION] = C_PUBLIC,
};
static const struct {
    unsigned bit, classes;
} label_audience[3] = {
    {POL_LABEL_SECRET, PROVISION},
    {POL_LABEL_COMMS_INFO, C_NC | C_DESIG},
    {POL_LABEL_SOURCE_IDENTIFYING, C_NC | C_NAMED},
};
#define KNOWN_LABELS 7u

/* §6.3 advisory audience: types admitted whatever the sectors, types admitted by a sector in
 * common with the advisory's; the sender and named organisations at every level. */
static const struct {
    unsigned always, by_sector;
    bool staff_only;
} adv_audience[NTLP] = {
    [POL_TLP_CLEAR] = {TBIT(POL_ORG_NATIONAL_CENTRE),
                       CI_BODIES | TBIT(POL_ORG_FOREIGN_GOV) | TBIT(POL_ORG_OTHER), false},
    [POL_TLP_GREEN] = {TBIT(POL_ORG_NATIONAL_CENTRE), CI_BODIES, false},
    [POL_TLP_AMBER] = {TBIT(POL_ORG_NATIONAL_CENTRE), SECTOR_BODIES, false},
    [POL_TLP_AMBER_STRICT] = {TBIT(POL_ORG_NATIONAL_CENTRE), SECTOR_BODIES, true},
    [POL_TLP_RED] = {0, 0, true},
};

/* Relays: ministries to operators and CEPTOARs, CEPTOARs to operators. */
static unsigned relay_targets_of(int relayer_type)
{
    if (relayer_type == POL_ORG_MINISTRY) return OPERATORS | TBIT(POL_ORG_CEPTOAR);
    if (relayer_type == POL_ORG_CEPTOAR) return OPERATORS;
    return 0;
}

/* Push on release: council members and friends, ministries, designated agencies, foreign
 * governments. */
static bool push_listed(const struct pol_principal *o)
{
    return o->council == POL_COUNCIL_MEMBER || o->council == POL_COUNCIL_FRIEND ||
           o->org_type == POL_ORG_MINISTRY || o->org_type == POL_ORG_FOREIGN_GOV || o->designated;
}

static bool sane_principal(const struct pol_principal *p)
{
    return p != NULL && (unsigned)p->org_type < POL_ORG__COUNT && (unsigned)p->council <= 2 &&
           (p->roles & ~0x1fu) == 0;
}

static bool auth(const struct pol_principal *p)
{
    return p->user_id != 0;
}

/* p is a user of organisation org (never of organisation 0). */
static bool of_org(const struct pol_principal *p, int64_t org)
{
    return auth(p) && p->org_id != 0 && p->org_id == org;
}

static bool listed(int64_t org, const int64_t *ids, size_t n)
{
    for (size_t i = 0; ids != NULL && i < n; i++)
        if (org != 0 && ids[i] == org) return true;
    return false;
}

static bool writer(const struct pol_principal *p)
{
    return (p->roles & (POL_ROLE_ORG_ADMIN | POL_ROLE_ANALYST | POL_ROLE_REPORTER)) != 0;
}

static bool type_in(const struct pol_principal *p, unsigned set)
{
    return (TBIT(p->org_type) & set) != 0;
}

static unsigned classes_of(const struct pol_principal *p, uint64_t sectors, const int64_t *named,
                           size_t nnamed)
{
    unsigned c = C_PUBLIC;
    if (!auth(p)) return c;
    c |= C_AUTH;
    if (type_in(p, CI_BODIES)) c |= C_CI;
    if (p->org_type == POL_ORG_NATIONAL_CENTRE) c |= C_NC;
    if (type_in(p, SECTOR_BODIES) && (p->sectors & sectors)) c |= C_SECTOR;
    if (listed(p->org_id, named, nnamed)) c |= C_NAMED;
    if (p->designated) c |= C_DESIG;
    if (p->org_type == POL_ORG_MINISTRY) c |= C_MINISTRY;
    if (p->org_type == POL_ORG_FOREIGN_GOV) c |= C_FOREIGN;
    if (p->council == POL_COUNCIL_MEMBER) c |= C_MEMBER;
    if (type_in(p, OPERATORS) && p->council != POL_COUNCIL_FRIEND) c |= C_OPERATOR;
    return c;
}

static bool sane_scope(const struct pol_scope *s)
{
    if (s == NULL || s->ntlp > 4 || (unsigned)s->tier > 3 || (s->labels & ~KNOWN_LABELS))
        return false;
    for (size_t i = 0; i < s->ntlp; i++)
        if ((unsigned)s->tlp[i] >= NTLP) return false;
    return true;
}

/* The owner's own staff (its contractors read like anyone else). */
static bool owner_staff(const struct pol_principal *p, int64_t org)
{
    return of_org(p, org) && !p->contractor;
}

/* Contractors are cleared by TLP only, never by a label. */
static bool contractor_ok(const struct pol_principal *p, unsigned labels)
{
    return labels == 0 || !p->contractor;
}

static bool labels_ok(unsigned classes, unsigned labels)
{
    for (int i = 0; i < 3; i++)
        if ((labels & label_audience[i].bit) && !(classes & label_audience[i].classes))
            return false;
    return true;
}

static bool oracle_read(const struct pol_principal *p, const struct pol_scope *s)
{
    if (!sane_principal(p) || !sane_scope(s)) return false;
    if (owner_staff(p, s->owner_org)) return true;
    unsigned c = classes_of(p, s->sectors, s->named, s->nnamed);
    size_t n = s->ntlp ? s->ntlp : 1;
    for (size_t i = 0; i < n; i++) {
        enum pol_tlp t = s->ntlp ? s->tlp[i] : POL_TLP_RED; /* unmarked is RED */
        if (tlp_audience[t].staff_only && p->contractor) return false;
        if (!(c & tlp_audience[t].classes)) return false;
    }
    return (c & tier_audience[s->tier]) && labels_ok(c, s->labels) && contractor_ok(p, s->labels);
}

static bool oracle_field(const struct pol_principal *p, const struct pol_scope *s, unsigned labels)
{
    if (!sane_principal(p) || !sane_scope(s) || (labels & ~KNOWN_LABELS)) return false;
    return owner_staff(p, s->owner_org) ||
           (contractor_ok(p, labels) &&
            labels_ok(classes_of(p, s->sectors, s->named, s->nnamed), labels));
}

/* An organisation read as its own staff. */
static bool org_staff(const struct pol_principal *org, bool standing, struct pol_principal *q)
{
    if (org == NULL || org->org_id == 0) return false;
    *q = (struct pol_principal){.user_id = 99,
                                .org_id = org->org_id,
                                .org_type = org->org_type,
                                .sectors = org->sectors,
                                .council = standing ? org->council : POL_COUNCIL_NONE,
                                .designated = standing && org->designated};
    return sane_principal(q);
}

static bool oracle_push(const struct pol_principal *org, const struct pol_scope *s)
{
    struct pol_principal q;
    return org_staff(org, true, &q) && oracle_read(&q, s) && s->owner_org != q.org_id &&
           push_listed(&q);
}

/* ---- advisories ---- */

static bool sane_adv(const struct pol_advisory *a)
{
    return a != NULL && (unsigned)a->tlp < NTLP && (a->nnamed == 0 || a->named != NULL);
}

static bool oracle_audience_org(int64_t org, enum pol_org_type type, uint64_t sectors,
                                const struct pol_advisory *a)
{
    if (org == 0 || (unsigned)type >= POL_ORG__COUNT || !sane_adv(a)) return false;
    if (org == a->sender_org || listed(org, a->named, a->nnamed)) return true;
    if (TBIT(type) & adv_audience[a->tlp].always) return true;
    return (TBIT(type) & adv_audience[a->tlp].by_sector) && (sectors & a->sectors);
}

static bool oracle_audience(const struct pol_principal *o, const struct pol_advisory *a)
{
    return o != NULL && oracle_audience_org(o->org_id, o->org_type, o->sectors, a);
}

static bool oracle_adv_read(const struct pol_principal *p, const struct pol_advisory *a)
{
    if (!sane_principal(p) || !sane_adv(a)) return false;
    if (of_org(p, a->sender_org))
        return !p->contractor || (a->sent && !adv_audience[a->tlp].staff_only);
    if (!a->sent) return false;
    if (a->tlp == POL_TLP_CLEAR) return true;
    if (!auth(p) || !a->held) return false;
    if (adv_audience[a->tlp].staff_only && p->contractor) return false;
    return oracle_audience(p, a);
}

static bool oracle_send(const struct pol_principal *p, int64_t sender)
{
    return sane_principal(p) && of_org(p, sender) && !p->contractor && writer(p) &&
           p->org_type == POL_ORG_NATIONAL_CENTRE;
}

static bool oracle_relay(const struct pol_principal *p, const struct pol_advisory *a)
{
    return sane_principal(p) && sane_adv(a) && auth(p) && p->org_id != 0 && a->sent && a->held &&
           a->tlp != POL_TLP_RED &&
           (p->org_type == POL_ORG_MINISTRY || p->org_type == POL_ORG_CEPTOAR) && writer(p) &&
           !p->contractor && oracle_adv_read(p, a);
}

static bool oracle_relay_target(const struct pol_principal *r, const struct pol_principal *t,
                                const struct pol_advisory *a)
{
    if (r == NULL || t == NULL || r->org_id == 0 || (unsigned)r->org_type >= POL_ORG__COUNT)
        return false;
    if (!oracle_audience(t, a) || t->org_id == r->org_id || t->org_id == a->sender_org)
        return false;
    return (t->sectors & r->sectors & a->sectors) != 0 &&
           (TBIT(t->org_type) & relay_targets_of(r->org_type)) != 0;
}

static bool oracle_ack(const struct pol_principal *p, const struct pol_advisory *a)
{
    return sane_principal(p) && sane_adv(a) && auth(p) && p->org_id != 0 && !p->contractor &&
           a->held && p->org_id != a->sender_org && oracle_adv_read(p, a);
}

static bool oracle_read_ack(const struct pol_principal *p, const struct pol_advisory *a,
                            int64_t row_org, int64_t relayed)
{
    if (!sane_principal(p) || !sane_adv(a) || p->contractor) return false;
    return of_org(p, a->sender_org) || (relayed != 0 && of_org(p, relayed)) || of_org(p, row_org);
}

/* Field clearance on an advisory: owner = sender, named = the advisory's names. */
static bool oracle_adv_field(const struct pol_principal *p, const struct pol_advisory *a,
                             unsigned labels)
{
    if (!sane_principal(p) || !sane_adv(a) || (labels & ~KNOWN_LABELS)) return false;
    return owner_staff(p, a->sender_org) ||
           (contractor_ok(p, labels) &&
            labels_ok(classes_of(p, a->sectors, a->named, a->nnamed), labels));
}

/* ---- inbox, threads, messages ---- */

static bool oracle_inbox(const struct pol_principal *p, int64_t org)
{
    return sane_principal(p) && of_org(p, org);
}

static bool sane_thread(const struct pol_thread *t)
{
    return t != NULL && (t->nmembers == 0 || t->members != NULL);
}

static bool oracle_t_read(const struct pol_principal *p, const struct pol_thread *t)
{
    return sane_principal(p) && sane_thread(t) &&
           (of_org(p, t->owner_org) || (auth(p) && listed(p->org_id, t->members, t->nmembers)));
}

static bool oracle_t_manage(const struct pol_principal *p, int64_t owner)
{
    return oracle_send(p, owner); /* same people: the centre's own writers */
}

static bool oracle_t_post(const struct pol_principal *p, const struct pol_thread *t)
{
    return oracle_t_read(p, t) && writer(p);
}

#define MAX_IDS 4

static bool oracle_m_read(const struct pol_principal *p, const struct pol_message *m)
{
    if (m == NULL || !oracle_t_read(p, m->t)) return false;
    /* Members who joined after the post are not its addressees. */
    if (!m->addressed && p->org_id != m->sender_org && p->org_id != m->t->owner_org) return false;
    /* The addressees: the members and the owner, written out. */
    int64_t ids[MAX_IDS + 1];
    size_t n = 0;
    for (size_t i = 0; i < m->t->nmembers; i++)
        ids[n++] = m->t->members[i];
    ids[n++] = m->t->owner_org;
    struct pol_scope s = {.owner_org = m->sender_org,
                          .sectors = 0,
                          .tlp = {m->tlp},
                          .ntlp = 1,
                          .tier = POL_TIER_NONE,
                          .named = ids,
                          .nnamed = n,
                          .labels = m->labels};
    return oracle_read(p, &s);
}

static bool oracle_m_send_to(const struct pol_principal *org, const struct pol_message *m)
{
    struct pol_principal q;
    if (m == NULL) return false;
    struct pol_message sent = *m;
    sent.addressed = true; /* the post makes it an addressee */
    return org_staff(org, true, &q) && oracle_m_read(&q, &sent);
}

/* ---- feeds: the anonymous principal, stated directly ---- */

static bool oracle_feed_product(const struct pol_principal *p, const struct pol_scope *s)
{
    if (!sane_principal(p) || !sane_scope(s) || s->ntlp == 0 || s->labels != 0) return false;
    for (size_t i = 0; i < s->ntlp; i++)
        if (s->tlp[i] != POL_TLP_CLEAR) return false;
    return s->tier == POL_TIER_NONE || s->tier == POL_TIER_PUBLICATION;
}

static bool oracle_feed_advisory(const struct pol_principal *p, const struct pol_advisory *a)
{
    return sane_principal(p) && sane_adv(a) && a->sent && a->tlp == POL_TLP_CLEAR;
}

/* ---- redacted views: a small document, a random label map, the expected copy ------------- */

static const char *const pointers[] = {
    "",         "/title",         "/overview", "/iocs/0", "/iocs/1",  "/iocs/2",
    "/contact", "/contact/phone", "/missing",  "/iocs/-", "/iocs/01", /* the last three name nothing
                                                                       */
};
#define NPTR ((int)(sizeof(pointers) / sizeof(pointers[0])))

struct labelmap {
    int n;
    int ptr[MAX_IDS];
    unsigned labels[MAX_IDS];
    int malformed; /* 0: no; 1: a pointer without '/'; 2: an unknown label name */
};

static json_t *document(void)
{
    return json_pack("{s:s, s:s, s:[s,s,s], s:{s:s, s:s}}", "title", "T", "overview", "O", "iocs",
                     "192.0.2.1", "198.51.100.7", "evil.example", "contact", "name", "N", "phone",
                     "P");
}

static json_t *map_json(const struct labelmap *m)
{
    static const char *const names[3] = {"secret", "comms_info", "source_identifying"};
    json_t *o = json_object();
    for (int i = 0; i < m->n; i++) {
        json_t *arr = json_array();
        for (int b = 0; b < 3; b++)
            if (m->labels[i] & (1u << b)) json_array_append_new(arr, json_string(names[b]));
        json_object_set_new(o, pointers[m->ptr[i]], arr);
    }
    if (m->malformed == 1) json_object_set_new(o, "overview", json_pack("[s]", "secret"));
    if (m->malformed == 2) json_object_set_new(o, "/contact/name", json_pack("[s]", "bogus"));
    return o;
}

/* The expected answer of policy_view / policy_view_fields once the pre-checks passed
 * (pre_rc == RK_OK). visible[i] says whether map entry i is cleared. */
static int expected_view(const struct labelmap *m, int pre_rc, const bool *visible, json_t **out)
{
    bool hide[NPTR] = {false};
    *out = NULL;
    if (m->malformed) return RK_EINVAL;
    if (pre_rc != RK_OK) return pre_rc;
    for (int i = 0; i < m->n; i++)
        if (!visible[i]) hide[m->ptr[i]] = true;
    if (hide[0]) return RK_ENOTFOUND;
    json_t *o = json_object();
    if (!hide[1]) json_object_set_new(o, "title", json_string("T"));
    if (!hide[2]) json_object_set_new(o, "overview", json_string("O"));
    static const char *const iocs[3] = {"192.0.2.1", "198.51.100.7", "evil.example"};
    json_t *arr = json_array();
    for (int i = 0; i < 3; i++)
        if (!hide[3 + i]) json_array_append_new(arr, json_string(iocs[i]));
    json_object_set_new(o, "iocs", arr);
    if (!hide[6]) {
        json_t *c = json_pack("{s:s}", "name", "N");
        if (!hide[7]) json_object_set_new(c, "phone", json_string("P"));
        json_object_set_new(o, "contact", c);
    }
    *out = o;
    return RK_OK;
}

/* ---- random cases ------------------------------------------------------------------------ */

struct rng {
    uint64_t x;
};

static unsigned below(struct rng *r, unsigned n)
{
    r->x ^= r->x << 13;
    r->x ^= r->x >> 7;
    r->x ^= r->x << 17;
    return (unsigned)(r->x % n);
}

static bool one_in(struct rng *g, unsigned n)
{
    return below(g, n) == 0;
}

static enum pol_org_type random_type(struct rng *g)
{
    if (one_in(g, 60)) return one_in(g, 2) ? (enum pol_org_type) - 1 : POL_ORG__COUNT + below(g, 3);
    return (enum pol_org_type)below(g, POL_ORG__COUNT);
}

static enum pol_tlp random_tlp(struct rng *g)
{
    return one_in(g, 50) ? (enum pol_tlp)(NTLP + below(g, 3)) : (enum pol_tlp)below(g, NTLP);
}

/* Small id and sector ranges, so that owners, names and sectors often match. */
static struct pol_principal random_principal(struct rng *g)
{
    return (struct pol_principal){
        .user_id = one_in(g, 8) ? 0 : 1 + below(g, 3),
        .org_id = below(g, 6),
        .org_type = random_type(g),
        .sectors = below(g, 8),
        .council = (enum pol_council)(one_in(g, 80) ? 3 : below(g, 3)),
        .designated = one_in(g, 5),
        .contractor = one_in(g, 4),
        .roles = below(g, 32) | (one_in(g, 100) ? 0x40u : 0),
    };
}

static const struct pol_principal *maybe_null(struct rng *g, const struct pol_principal *p)
{
    return one_in(g, 200) ? NULL : p;
}

/* Fills ids; returns the list or NULL (rarely, whatever n says). */
static const int64_t *random_ids(struct rng *g, int64_t *ids, size_t *n)
{
    *n = below(g, MAX_IDS + 1);
    for (size_t i = 0; i < *n; i++)
        ids[i] = below(g, 6);
    return one_in(g, 30) ? NULL : ids;
}

static struct pol_scope random_scope(struct rng *g, int64_t *ids, bool public_bias)
{
    struct pol_scope s = {.owner_org = below(g, 6), .sectors = below(g, 8)};
    s.ntlp = one_in(g, 40) ? (one_in(g, 2) ? 0 : 5) : 1 + below(g, 2);
    for (size_t i = 0; i < s.ntlp && i < POL_MAX_MARKINGS; i++)
        s.tlp[i] = public_bias && below(g, 3) ? POL_TLP_CLEAR : random_tlp(g);
    s.tier = one_in(g, 50) ? (enum pol_tier)4 : (enum pol_tier)below(g, 4);
    if (public_bias && below(g, 2)) s.tier = POL_TIER_PUBLICATION;
    s.labels = below(g, 3) == 0 ? below(g, 8) : 0;
    if (one_in(g, 60)) s.labels |= 8;
    s.named = random_ids(g, ids, &s.nnamed);
    return s;
}

static struct pol_advisory random_advisory(struct rng *g, int64_t *ids, bool public_bias)
{
    struct pol_advisory a = {.sender_org = below(g, 6),
                             .sent = !one_in(g, 5),
                             .tlp = public_bias && below(g, 2) ? POL_TLP_CLEAR : random_tlp(g),
                             .sectors = below(g, 8),
                             .held = below(g, 2)};
    a.named = random_ids(g, ids, &a.nnamed);
    return a;
}

static struct labelmap random_map(struct rng *g)
{
    struct labelmap m = {.n = (int)below(g, MAX_IDS + 1)};
    bool used[NPTR] = {false};
    for (int i = 0; i < m.n; i++) {
        int k;
        do
            k = (int)below(g, NPTR);
        while (used[k]);
        used[k] = true;
        m.ptr[i] = k;
        m.labels[i] = below(g, 8);
    }
    m.malformed = one_in(g, 40) ? 1 + (int)below(g, 2) : 0;
    return m;
}

/* ---- comparing ---------------------------------------------------------------------------- */

enum fn {
    F_READ,
    F_FIELD,
    F_PUSH,
    F_VIEW,
    F_AUDIENCE,
    F_ADV_READ,
    F_ADV_SEND,
    F_RELAY,
    F_RELAY_TARGET,
    F_ACK,
    F_READ_ACK,
    F_VIEW_FIELDS,
    F_INBOX,
    F_T_READ,
    F_T_MANAGE,
    F_T_POST,
    F_M_READ,
    F_M_SEND_TO,
    F_FEED_READ,
    F_FEED_VIEW,
    F_FEED_ADV_READ,
    F_FEED_ADV_VIEW,
    F__N
};
static const char *const fn_names[F__N] = {
    "policy_may_read",       "policy_field_visible",  "policy_product_push_target",
    "policy_view",           "advisory_in_audience",  "advisory_may_read",
    "advisory_may_send",     "advisory_may_relay",    "advisory_relay_target",
    "advisory_may_ack",      "advisory_may_read_ack", "policy_view_fields",
    "inbox_may_list",        "thread_may_read",       "thread_may_manage",
    "thread_may_post",       "message_may_read",      "message_may_send_to",
    "feed: policy_may_read", "feed: policy_view",     "feed: advisory_may_read",
    "feed: view_fields",
};

enum kind { K_PRODUCT, K_ADVISORY, K_INBOX, K_THREAD, K_FEED, K__N };
static const char *const kind_names[K__N] = {"products", "advisories", "inbox", "threads/messages",
                                             "feeds (anonymous)"};

struct tally {
    int cases[K__N];
    int yes[F__N], no[F__N], checks;
    int redacted; /* views that removed something and still answered */
    int disagree;
    char ctx[512];
};

static void describe(struct tally *t, const char *what, const struct pol_principal *p)
{
    if (p == NULL) {
        snprintf(t->ctx, sizeof(t->ctx), "%s | principal NULL", what);
        return;
    }
    snprintf(t->ctx, sizeof(t->ctx),
             "%s | user=%lld org=%lld type=%d sectors=%llu council=%d designated=%d "
             "contractor=%d roles=%#x",
             what, (long long)p->user_id, (long long)p->org_id, (int)p->org_type,
             (unsigned long long)p->sectors, (int)p->council, p->designated, p->contractor,
             p->roles);
}

static void check(struct tally *t, enum fn f, bool got, bool want, const char *detail)
{
    t->checks++;
    if (got)
        t->yes[f]++;
    else
        t->no[f]++;
    if (got != want && t->disagree++ < 20)
        print_error("DISAGREEMENT %s: policy=%d oracle=%d %s | %s\n", fn_names[f], got, want,
                    detail ? detail : "", t->ctx);
}

static void check_view(struct tally *t, enum fn f, const json_t *doc, int rc, json_t *got,
                       int want_rc, json_t *want)
{
    bool same = rc == want_rc && (rc != RK_OK || json_equal(got, want));
    if (same && rc == RK_OK && !json_equal(want, doc)) t->redacted++;
    check(t, f, rc == RK_OK, want_rc == RK_OK, NULL);
    if (!same && t->disagree++ < 20) {
        char *g = got ? json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        char *w = want ? json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        print_error("DISAGREEMENT %s view: rc %d want %d, got %s want %s | %s\n", fn_names[f], rc,
                    want_rc, g ? g : "-", w ? w : "-", t->ctx);
        free(g);
        free(w);
    }
    json_decref(got);
    json_decref(want);
}

static char *scope_text(const struct pol_scope *s, char *buf, size_t n)
{
    snprintf(buf, n,
             "scope owner=%lld sectors=%llu ntlp=%zu tlp0=%d tlp1=%d tier=%d labels=%#x "
             "named(%s,%zu)",
             (long long)s->owner_org, (unsigned long long)s->sectors, s->ntlp, (int)s->tlp[0],
             (int)s->tlp[1], (int)s->tier, s->labels, s->named ? "list" : "NULL", s->nnamed);
    return buf;
}

static char *adv_text(const struct pol_advisory *a, char *buf, size_t n)
{
    snprintf(buf, n, "advisory sender=%lld sent=%d tlp=%d sectors=%llu held=%d named(%s,%zu)",
             (long long)a->sender_org, a->sent, (int)a->tlp, (unsigned long long)a->sectors,
             a->held, a->named ? "list" : "NULL", a->nnamed);
    return buf;
}

/* ---- one case per kind ------------------------------------------------------------------- */

static const unsigned each_label[3] = {POL_LABEL_SECRET, POL_LABEL_COMMS_INFO,
                                       POL_LABEL_SOURCE_IDENTIFYING};

static void product_case(struct rng *g, struct tally *t, json_t *doc)
{
    int64_t ids[MAX_IDS];
    char buf[256];
    struct pol_principal p = random_principal(g), org = random_principal(g);
    const struct pol_principal *pp = maybe_null(g, &p);
    struct pol_scope s = random_scope(g, ids, false);
    describe(t, "product", pp);
    scope_text(&s, buf, sizeof(buf));

    check(t, F_READ, policy_may_read(pp, &s), oracle_read(pp, &s), buf);
    for (int i = 0; i < 3; i++)
        check(t, F_FIELD, policy_field_visible(pp, &s, each_label[i]),
              oracle_field(pp, &s, each_label[i]), buf);
    unsigned any = below(g, 16); /* combinations, and an unknown bit */
    check(t, F_FIELD, policy_field_visible(pp, &s, any), oracle_field(pp, &s, any), buf);
    const struct pol_principal *po = maybe_null(g, &org);
    check(t, F_PUSH, policy_product_push_target(po, &s), oracle_push(po, &s), buf);

    struct labelmap m = random_map(g);
    json_t *map = map_json(&m), *got = NULL, *want = NULL;
    bool vis[MAX_IDS];
    for (int i = 0; i < m.n; i++)
        vis[i] = oracle_field(pp, &s, m.labels[i]);
    int want_rc = expected_view(&m, oracle_read(pp, &s) ? RK_OK : RK_ENOTFOUND, vis, &want);
    int rc = policy_view(pp, &s, doc, map, &got);
    check_view(t, F_VIEW, doc, rc, got, want_rc, want);
    json_decref(map);
    t->cases[K_PRODUCT]++;
}

static struct pol_principal random_relayer(struct rng *g)
{
    struct pol_principal r = random_principal(g);
    if (below(g, 2)) r.org_type = below(g, 2) ? POL_ORG_MINISTRY : POL_ORG_CEPTOAR;
    return r;
}

static struct pol_principal random_target(struct rng *g)
{
    static const enum pol_org_type types[] = {POL_ORG_CORE_OPERATOR, POL_ORG_CI_OPERATOR,
                                              POL_ORG_CEPTOAR};
    struct pol_principal r = random_principal(g);
    if (below(g, 2)) r.org_type = types[below(g, 3)];
    return r;
}

static void advisory_case(struct rng *g, struct tally *t, json_t *doc)
{
    int64_t ids[MAX_IDS];
    char buf[256];
    struct pol_principal p = random_principal(g);
    /* Bias towards the types that relay, so relay paths are exercised. */
    if (one_in(g, 3)) p.org_type = below(g, 2) ? POL_ORG_MINISTRY : POL_ORG_CEPTOAR;
    const struct pol_principal *pp = maybe_null(g, &p);
    struct pol_advisory a = random_advisory(g, ids, false);
    const struct pol_advisory *pa = one_in(g, 200) ? NULL : &a;
    describe(t, "advisory", pp);
    adv_text(&a, buf, sizeof(buf));
    if (pa == NULL) strcat(buf, " (passed NULL)");

    check(t, F_AUDIENCE, policy_advisory_in_audience(pp, pa), pa && oracle_audience(pp, pa), buf);
    check(t, F_ADV_READ, policy_advisory_may_read(pp, pa), oracle_adv_read(pp, pa), buf);
    check(t, F_ADV_SEND, policy_advisory_may_send(pp, a.sender_org), oracle_send(pp, a.sender_org),
          buf);
    check(t, F_RELAY, policy_advisory_may_relay(pp, pa), pp && oracle_relay(pp, pa), buf);
    struct pol_principal r = random_relayer(g), tg = random_target(g);
    const struct pol_principal *pr = maybe_null(g, &r), *pt = maybe_null(g, &tg);
    check(t, F_RELAY_TARGET, policy_advisory_relay_target(pr, pt, pa),
          pa && oracle_relay_target(pr, pt, pa), buf);
    check(t, F_ACK, policy_advisory_may_ack(pp, pa), pp && oracle_ack(pp, pa), buf);
    int64_t row_org = below(g, 6), relayed = below(g, 2) ? 0 : below(g, 6);
    check(t, F_READ_ACK, policy_advisory_may_read_ack(pp, pa, row_org, relayed),
          oracle_read_ack(pp, pa, row_org, relayed), buf);

    struct pol_scope s;
    policy_advisory_scope(pa, &s);
    struct labelmap m = random_map(g);
    json_t *map = map_json(&m), *got = NULL, *want = NULL;
    bool vis[MAX_IDS];
    for (int i = 0; i < m.n; i++)
        vis[i] = oracle_adv_field(pp, pa, m.labels[i]);
    bool valid = sane_principal(pp) && sane_adv(pa);
    int want_rc = expected_view(&m, valid ? RK_OK : RK_EINVAL, vis, &want);
    int rc = policy_view_fields(pp, &s, doc, map, &got);
    check_view(t, F_VIEW_FIELDS, doc, rc, got, want_rc, want);
    json_decref(map);
    t->cases[K_ADVISORY]++;
}

static void inbox_case(struct rng *g, struct tally *t)
{
    struct pol_principal p = random_principal(g);
    const struct pol_principal *pp = maybe_null(g, &p);
    int64_t org = below(g, 6);
    char buf[64];
    describe(t, "inbox", pp);
    snprintf(buf, sizeof(buf), "inbox of %lld", (long long)org);
    check(t, F_INBOX, policy_inbox_may_list(pp, org), oracle_inbox(pp, org), buf);
    t->cases[K_INBOX]++;
}

static void thread_case(struct rng *g, struct tally *t)
{
    int64_t ids[MAX_IDS] = {0};
    char buf[256];
    struct pol_principal p = random_principal(g), org = random_principal(g);
    const struct pol_principal *pp = maybe_null(g, &p), *po = maybe_null(g, &org);
    struct pol_thread th = {.owner_org = below(g, 6), .group = below(g, 2)};
    th.members = random_ids(g, ids, &th.nmembers);
    const struct pol_thread *pth = one_in(g, 100) ? NULL : &th;
    struct pol_message m = {
        .t = pth, .sender_org = below(g, 6), .tlp = random_tlp(g), .addressed = below(g, 4) != 0};
    m.labels = below(g, 3) == 0 ? below(g, 8) : 0;
    if (one_in(g, 60)) m.labels |= 16;
    const struct pol_message *pm = one_in(g, 200) ? NULL : &m;
    describe(t, "thread", pp);
    snprintf(buf, sizeof(buf),
             "thread owner=%lld members(%s,%zu)=%lld,%lld,%lld,%lld%s message sender=%lld tlp=%d "
             "labels=%#x addressed=%d%s",
             (long long)th.owner_org, th.members ? "list" : "NULL", th.nmembers, (long long)ids[0],
             (long long)ids[1], (long long)ids[2], (long long)ids[3], pth ? "" : " (NULL)",
             (long long)m.sender_org, (int)m.tlp, m.labels, m.addressed,
             pm ? "" : " (message NULL)");

    check(t, F_T_READ, policy_thread_may_read(pp, pth), oracle_t_read(pp, pth), buf);
    check(t, F_T_MANAGE, policy_thread_may_manage(pp, th.owner_org),
          oracle_t_manage(pp, th.owner_org), buf);
    check(t, F_T_POST, policy_thread_may_post(pp, pth), oracle_t_post(pp, pth), buf);
    check(t, F_M_READ, policy_message_may_read(pp, pm), oracle_m_read(pp, pm), buf);
    check(t, F_M_SEND_TO, policy_message_may_send_to(po, pm), oracle_m_send_to(po, pm), buf);
    t->cases[K_THREAD]++;
}

static void feed_case(struct rng *g, struct tally *t, json_t *doc)
{
    int64_t ids[MAX_IDS], aids[MAX_IDS];
    char buf[512], b2[256], b3[256];
    /* The feed's principal: user 0, organisation 0; whatever else it carries must not count. */
    struct pol_principal p = {0};
    if (below(g, 2)) {
        p = random_principal(g);
        p.user_id = 0;
        p.org_id = 0;
    }
    struct pol_scope s = random_scope(g, ids, true);
    struct pol_advisory a = random_advisory(g, aids, true);
    describe(t, "feed", &p);
    snprintf(buf, sizeof(buf), "%s; %s", scope_text(&s, b2, sizeof(b2)),
             adv_text(&a, b3, sizeof(b3)));

    check(t, F_FEED_READ, policy_may_read(&p, &s), oracle_feed_product(&p, &s), buf);
    check(t, F_FEED_ADV_READ, policy_advisory_may_read(&p, &a), oracle_feed_advisory(&p, &a), buf);

    /* Anonymous clears no label at all. */
    struct labelmap m = random_map(g);
    json_t *map = map_json(&m), *got = NULL, *want = NULL;
    bool vis[MAX_IDS];
    for (int i = 0; i < m.n; i++)
        vis[i] = m.labels[i] == 0;
    int want_rc = expected_view(&m, oracle_feed_product(&p, &s) ? RK_OK : RK_ENOTFOUND, vis, &want);
    int rc = policy_view(&p, &s, doc, map, &got);
    check_view(t, F_FEED_VIEW, doc, rc, got, want_rc, want);
    /* The feed shows an advisory only when it may read it; the fields are then redacted. */
    if (oracle_feed_advisory(&p, &a)) {
        struct pol_scope as;
        policy_advisory_scope(&a, &as);
        got = want = NULL;
        want_rc = expected_view(&m, RK_OK, vis, &want);
        rc = policy_view_fields(&p, &as, doc, map, &got);
        check_view(t, F_FEED_ADV_VIEW, doc, rc, got, want_rc, want);
    }
    json_decref(map);
    t->cases[K_FEED]++;
}

#define N_PRODUCT 30000
#define N_ADVISORY 40000
#define N_INBOX 10000
#define N_THREAD 25000
#define N_FEED 15000

static void oracle_random(void **state)
{
    struct rng g = {0x2545f4914f6cdd1dULL};
    const char *env = getenv("RK_ORACLE_SEED");
    if (env && *env) g.x = strtoull(env, NULL, 0) | 1;
    static struct tally t; /* large ctx buffer: keep it off the stack */
    memset(&t, 0, sizeof(t));
    json_t *doc = document();
    assert_non_null(doc);

    for (int i = 0; i < N_PRODUCT; i++)
        product_case(&g, &t, doc);
    for (int i = 0; i < N_ADVISORY; i++)
        advisory_case(&g, &t, doc);
    for (int i = 0; i < N_INBOX; i++)
        inbox_case(&g, &t);
    for (int i = 0; i < N_THREAD; i++)
        thread_case(&g, &t);
    for (int i = 0; i < N_FEED; i++)
        feed_case(&g, &t, doc);
    json_decref(doc);

    int total = 0;
    for (int k = 0; k < K__N; k++) {
        printf("dissemination oracle: %-18s %6d cases\n", kind_names[k], t.cases[k]);
        total += t.cases[k];
    }
    for (int f = 0; f < F__N; f++)
        printf("  %-28s true %6d  false %6d\n", fn_names[f], t.yes[f], t.no[f]);
    printf("dissemination oracle: %d cases, %d checks, %d redacted views, %d disagreements\n",
           total, t.checks, t.redacted, t.disagree);

    assert_int_equal(t.disagree, 0);
    assert_true(total >= 100000);
    /* Both answers seen for every function, so a constant function cannot pass. */
    for (int f = 0; f < F__N; f++) {
        if (t.yes[f] < 20 || t.no[f] < 20)
            fail_msg("%s: true %d, false %d: not exercised both ways", fn_names[f], t.yes[f],
                     t.no[f]);
    }
    assert_true(t.redacted > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(friend_never_sees_secret),
        cmocka_unit_test(red_advisory_not_relayable),
        cmocka_unit_test(contractor_at_amber_strict),
        cmocka_unit_test(clear_advisory_anonymous_only_when_sent),
        cmocka_unit_test(green_advisory_vendor_needs_sector_or_name),
        cmocka_unit_test(relay_target_sector_intersection),
        cmocka_unit_test(inbox_threads_and_sending),
        cmocka_unit_test(oracle_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
