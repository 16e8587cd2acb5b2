/*
 * test_policy_reports.c — the incident-report rules of policy.h (policy_report_*): hand-written
 * cases for the actors of domain.md §5.3–5.5 at every TLP, and an independent oracle compared on
 * random (principal, report, part) cases. The oracle decides from tables (an audience per TLP as
 * a set of reader classes, an audience per part as a set of relations) and never calls
 * policy_may_read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "domain/policy.h"

enum {
    NC_ORG = 1,
    OP_ORG = 10,    /* the reporting core operator (electricity) */
    OP2_ORG = 11,   /* another electricity operator */
    GAS_OP = 12,    /* a CI operator in gas */
    METI_ORG = 20,  /* ministry of electricity: a recipient */
    FSA_ORG = 21,   /* ministry of finance: not a recipient */
    CEPT_ORG = 30,  /* electricity CEPTOAR, not involved */
    RELAY_ORG = 31, /* electricity CEPTOAR that relays */
    VENDOR_ORG = 40,
    FOREIGN_ORG = 50,
};
#define ELEC (1ull << 0)
#define GAS (1ull << 1)
#define FIN (1ull << 2)
#define NTLP 5

static const int64_t routed[] = {METI_ORG, NC_ORG};

static struct pol_principal who(int64_t org, enum pol_org_type t, uint64_t sectors, unsigned roles,
                                bool contractor)
{
    return (struct pol_principal){.user_id = 7,
                                  .org_id = org,
                                  .org_type = t,
                                  .sectors = sectors,
                                  .roles = roles,
                                  .contractor = contractor};
}

static struct pol_principal contractor_of(struct pol_principal p)
{
    p.contractor = true;
    return p;
}

static struct pol_report report(enum pol_tlp tlp)
{
    return (struct pol_report){.reporter_org = OP_ORG,
                               .reporter_type = POL_ORG_CORE_OPERATOR,
                               .sectors = ELEC,
                               .tlp = tlp,
                               .recipients = routed,
                               .nrecipients = 2};
}

/* ---- hand-written cases ----------------------------------------------------------------- */

/* Expected answers for the plain (not relayed) report from OP_ORG, per TLP CLEAR..RED, and the
 * parts beyond the body for a reader (IDENTITY, OPTED_OUT, ANNEX). */
struct row {
    const char *name;
    struct pol_principal p;
    bool read[NTLP];
    bool identity, opted_out, annex;
};

/* base: the report the row is about; its TLP is replaced by each level in turn. */
static void check_row(const struct row *w, const struct pol_report *base)
{
    for (int t = 0; t < NTLP; t++) {
        struct pol_report r = *base;
        r.tlp = (enum pol_tlp)t;
        bool want[4] = {w->read[t], w->read[t] && w->identity, w->read[t] && w->opted_out,
                        w->read[t] && w->annex};
        bool got = policy_report_may_read(&w->p, &r);
        if (got != w->read[t])
            fail_msg("%s at %s: read %d, want %d", w->name, policy_tlp_name((enum pol_tlp)t), got,
                     w->read[t]);
        for (int part = 0; part < 4; part++) {
            got = policy_report_part_visible(&w->p, &r, (enum pol_report_part)part);
            if (got != want[part])
                fail_msg("%s at %s: part %d %d, want %d", w->name, policy_tlp_name((enum pol_tlp)t),
                         part, got, want[part]);
        }
    }
}

static void read_and_parts_per_tlp(void **state)
{
    const unsigned V = POL_ROLE_VIEWER, A = POL_ROLE_ANALYST;
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, V, false);
    struct pol_principal op2 = who(OP2_ORG, POL_ORG_CORE_OPERATOR, ELEC, A, false);
    struct pol_principal gas = who(GAS_OP, POL_ORG_CI_OPERATOR, GAS, A, false);
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC | GAS, A, false);
    struct pol_principal fsa = who(FSA_ORG, POL_ORG_MINISTRY, FIN, A, false);
    struct pol_principal fsa_elec = who(FSA_ORG, POL_ORG_MINISTRY, ELEC, A, false);
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, A, false);
    struct pol_principal nc2 = who(2, POL_ORG_NATIONAL_CENTRE, 0, A, false); /* not routed */
    struct pol_principal cept = who(CEPT_ORG, POL_ORG_CEPTOAR, ELEC, A, false);
    struct pol_principal cept_gas = who(CEPT_ORG, POL_ORG_CEPTOAR, GAS, A, false);
    struct pol_principal vendor = who(VENDOR_ORG, POL_ORG_VENDOR, ELEC, A, false);
    struct pol_principal ipa = who(41, POL_ORG_VULN_INTAKE, 0, A, false);
    struct pol_principal foreign = who(FOREIGN_ORG, POL_ORG_FOREIGN_GOV, ELEC, A, false);
    struct pol_principal other = who(60, POL_ORG_OTHER, ELEC, A, false);
    const struct row rows[] = {
        /* CLEAR GREEN AMBER A+S RED */
        {"reporter viewer", op, {1, 1, 1, 1, 1}, 1, 1, 1},
        {"reporter contractor", contractor_of(op), {1, 1, 1, 1, 1}, 1, 1, 1},
        {"same-sector operator", op2, {1, 1, 1, 1, 0}, 0, 0, 0},
        {"same-sector operator contractor", contractor_of(op2), {1, 1, 1, 0, 0}, 0, 0, 0},
        {"other-sector operator", gas, {1, 1, 0, 0, 0}, 0, 0, 0},
        {"sector ministry (recipient)", meti, {1, 1, 1, 1, 1}, 1, 1, 1},
        {"sector ministry contractor", contractor_of(meti), {1, 1, 1, 0, 0}, 0, 0, 0},
        {"other ministry", fsa, {1, 1, 0, 0, 0}, 0, 0, 0},
        {"same-sector ministry, not routed", fsa_elec, {1, 1, 1, 1, 0}, 0, 0, 0},
        {"national centre (recipient)", nc, {1, 1, 1, 1, 1}, 1, 1, 0},
        {"national centre contractor", contractor_of(nc), {1, 1, 1, 0, 0}, 0, 0, 0},
        {"national centre, not routed", nc2, {1, 1, 1, 1, 0}, 0, 0, 0},
        {"CEPTOAR same sector", cept, {1, 1, 1, 1, 0}, 0, 0, 0},
        {"CEPTOAR contractor", contractor_of(cept), {1, 1, 1, 0, 0}, 0, 0, 0},
        {"CEPTOAR other sector", cept_gas, {1, 1, 0, 0, 0}, 0, 0, 0},
        {"vendor", vendor, {1, 1, 0, 0, 0}, 0, 0, 0},
        {"vendor contractor", contractor_of(vendor), {1, 1, 0, 0, 0}, 0, 0, 0},
        {"IPA", ipa, {1, 1, 0, 0, 0}, 0, 0, 0},
        {"foreign government", foreign, {1, 0, 0, 0, 0}, 0, 0, 0},
        {"other", other, {1, 0, 0, 0, 0}, 0, 0, 0},
        {"anonymous", (struct pol_principal){0}, {0, 0, 0, 0, 0}, 0, 0, 0},
    };
    struct pol_report plain = report(POL_TLP_RED);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        check_row(&rows[i], &plain);
}

/* The same report relayed by RELAY_ORG with the operator anonymised, at every TLP. */
static void relayed_anonymised_per_tlp(void **state)
{
    const unsigned A = POL_ROLE_ANALYST;
    struct pol_principal relay = who(RELAY_ORG, POL_ORG_CEPTOAR, ELEC, POL_ROLE_VIEWER, false);
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, A, false);
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC, A, false);
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, A, false);
    struct pol_principal cept = who(CEPT_ORG, POL_ORG_CEPTOAR, ELEC, A, false);
    const struct row rows[] = {
        /* CLEAR GREEN AMBER A+S RED */
        {"relaying CEPTOAR", relay, {1, 1, 1, 1, 1}, 1, 1, 1},
        {"relaying CEPTOAR contractor", contractor_of(relay), {1, 1, 1, 1, 1}, 1, 1, 1},
        {"operator behind the relay", op, {1, 1, 1, 1, 1}, 1, 1, 1},
        {"sector ministry, anonymised", meti, {1, 1, 1, 1, 1}, 0, 1, 0},
        {"national centre, anonymised", nc, {1, 1, 1, 1, 1}, 0, 1, 0},
        {"other CEPTOAR same sector", cept, {1, 1, 1, 1, 0}, 0, 0, 0},
        {"anonymous", (struct pol_principal){0}, {0, 0, 0, 0, 0}, 0, 0, 0},
    };
    struct pol_report r = report(POL_TLP_RED);
    r.relay_org = RELAY_ORG;
    r.anonymised = true;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        check_row(&rows[i], &r);
}

static void relay_and_anonymised(void **state)
{
    struct pol_principal relay = who(RELAY_ORG, POL_ORG_CEPTOAR, ELEC, POL_ROLE_REPORTER, false);
    struct pol_principal cept = who(CEPT_ORG, POL_ORG_CEPTOAR, ELEC, POL_ROLE_REPORTER, false);
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC, POL_ROLE_ANALYST, false);
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, POL_ROLE_ANALYST, false);
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, POL_ROLE_VIEWER, false);
    struct pol_report r = report(POL_TLP_RED);
    r.relay_org = RELAY_ORG;

    for (int anon = 0; anon < 2; anon++) {
        r.anonymised = anon;
        /* The relaying CEPTOAR and its contractors: their own report, every part. */
        for (int part = 0; part < 4; part++) {
            assert_true(policy_report_part_visible(&relay, &r, (enum pol_report_part)part));
            struct pol_principal c = contractor_of(relay);
            assert_true(policy_report_part_visible(&c, &r, (enum pol_report_part)part));
            assert_true(policy_report_part_visible(&op, &r, (enum pol_report_part)part));
        }
        assert_false(policy_report_may_read(&cept, &r)); /* RED: not routed to it */
        assert_int_equal(policy_report_part_visible(&meti, &r, POL_PART_IDENTITY), !anon);
        assert_int_equal(policy_report_part_visible(&nc, &r, POL_PART_IDENTITY), !anon);
        assert_true(policy_report_part_visible(&meti, &r, POL_PART_OPTED_OUT));
        assert_int_equal(policy_report_part_visible(&meti, &r, POL_PART_ANNEX), !anon);
        /* Routing and the relay's name: the recipients' own staff, anonymised or not. */
        assert_true(policy_report_part_visible(&meti, &r, POL_PART_ROUTING));
        assert_true(policy_report_part_visible(&nc, &r, POL_PART_ROUTING));
        struct pol_principal mc = contractor_of(meti);
        assert_false(policy_report_part_visible(&mc, &r, POL_PART_ROUTING));
        assert_true(policy_report_part_visible(&nc, &r, POL_PART_OPTED_OUT));
        assert_false(policy_report_part_visible(&nc, &r, POL_PART_ANNEX));
    }
    /* A CEPTOAR that is a TLP reader (AMBER, same sector) never learns the identity. */
    r.tlp = POL_TLP_AMBER;
    r.anonymised = false;
    assert_true(policy_report_may_read(&cept, &r));
    assert_false(policy_report_part_visible(&cept, &r, POL_PART_IDENTITY));
    assert_false(policy_report_part_visible(&cept, &r, POL_PART_ROUTING));
}

static void opted_out_by_reporter_type(void **state)
{
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, POL_ROLE_ANALYST, false);
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC, POL_ROLE_ANALYST, false);
    struct pol_report r = report(POL_TLP_AMBER_STRICT);
    const enum pol_org_type types[] = {POL_ORG_CORE_OPERATOR, POL_ORG_CI_OPERATOR, POL_ORG_VENDOR,
                                       POL_ORG_OTHER, POL_ORG_CEPTOAR};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        r.reporter_type = types[i];
        bool op = i < 2;
        assert_int_equal(policy_report_part_visible(&nc, &r, POL_PART_OPTED_OUT), op);
        assert_false(policy_report_part_visible(&nc, &r, POL_PART_ANNEX));
        assert_true(policy_report_part_visible(&meti, &r, POL_PART_OPTED_OUT));
        assert_true(policy_report_part_visible(&meti, &r, POL_PART_ANNEX));
    }
    /* A recipient that is neither ministry nor centre sees the identity, nothing else. */
    const int64_t with_cept[] = {METI_ORG, NC_ORG, CEPT_ORG};
    struct pol_principal cept = who(CEPT_ORG, POL_ORG_CEPTOAR, ELEC, POL_ROLE_ANALYST, false);
    r.reporter_type = POL_ORG_CORE_OPERATOR;
    r.recipients = with_cept;
    r.nrecipients = 3;
    assert_true(policy_report_part_visible(&cept, &r, POL_PART_IDENTITY));
    assert_false(policy_report_part_visible(&cept, &r, POL_PART_OPTED_OUT));
    assert_false(policy_report_part_visible(&cept, &r, POL_PART_ANNEX));
    /* Out-of-range part, TLP or reporter type: refused even to the reporter. */
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, POL_ROLE_VIEWER, false);
    assert_false(policy_report_part_visible(&op, &r, (enum pol_report_part)5));
    assert_false(policy_report_part_visible(&op, &r, (enum pol_report_part) - 1));
    r.tlp = (enum pol_tlp)9;
    assert_false(policy_report_may_read(&op, &r));
    r.tlp = POL_TLP_RED;
    r.reporter_type = POL_ORG__COUNT;
    assert_false(policy_report_may_read(&op, &r));
    assert_false(policy_report_may_read(&op, NULL));
    /* An empty recipient list names nobody: RED is then the source's alone. */
    r = report(POL_TLP_RED);
    r.recipients = NULL;
    r.nrecipients = 0;
    assert_false(policy_report_may_read(&nc, &r));
    assert_true(policy_report_may_read(&op, &r));
}

static void create_add_ack(void **state)
{
    const unsigned R = POL_ROLE_REPORTER;
    struct pol_principal op = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, R, false);
    struct pol_principal op_viewer = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, POL_ROLE_VIEWER, 0);
    struct pol_principal op_admin = who(OP_ORG, POL_ORG_CORE_OPERATOR, ELEC, POL_ROLE_ADMIN, 0);
    struct pol_principal op2 = who(OP2_ORG, POL_ORG_CORE_OPERATOR, ELEC, R, false);
    struct pol_principal relay = who(RELAY_ORG, POL_ORG_CEPTOAR, ELEC, R, false);
    struct pol_principal cept_gas = who(CEPT_ORG, POL_ORG_CEPTOAR, GAS, R, false);
    struct pol_principal meti = who(METI_ORG, POL_ORG_MINISTRY, ELEC, POL_ROLE_ANALYST, false);
    struct pol_principal fsa = who(FSA_ORG, POL_ORG_MINISTRY, FIN, POL_ROLE_ANALYST, false);
    struct pol_principal nc = who(NC_ORG, POL_ORG_NATIONAL_CENTRE, 0, POL_ROLE_ORG_ADMIN, false);
    struct pol_principal vendor = who(VENDOR_ORG, POL_ORG_VENDOR, ELEC, R, false);
    struct pol_principal anon = {0};
    const enum pol_org_type CORE = POL_ORG_CORE_OPERATOR;

    /* First report: the operator itself, contractors included; not viewers, not platform admin. */
    assert_true(policy_report_may_create(&op, OP_ORG, CORE, ELEC, false));
    struct pol_principal op_c = contractor_of(op);
    assert_true(policy_report_may_create(&op_c, OP_ORG, CORE, ELEC, false));
    assert_false(policy_report_may_create(&op_viewer, OP_ORG, CORE, ELEC, false));
    assert_false(policy_report_may_create(&op_admin, OP_ORG, CORE, ELEC, false));
    assert_false(policy_report_may_create(&op2, OP_ORG, CORE, ELEC, false));
    assert_false(policy_report_may_create(&op, OP_ORG, CORE, ELEC, true)); /* not a CEPTOAR */
    assert_false(policy_report_may_create(&nc, OP_ORG, CORE, ELEC, false));
    assert_false(policy_report_may_create(&anon, 0, CORE, ELEC, false));
    assert_true(policy_report_may_create(&vendor, VENDOR_ORG, POL_ORG_VENDOR, 0, false));
    /* Relay: a CEPTOAR's own staff, for an operator of its sectors. */
    assert_true(policy_report_may_create(&relay, OP_ORG, CORE, ELEC | GAS, true));
    assert_true(policy_report_may_create(&relay, GAS_OP, POL_ORG_CI_OPERATOR, ELEC, true));
    assert_false(policy_report_may_create(&relay, OP_ORG, CORE, ELEC, false)); /* not its own */
    assert_false(policy_report_may_create(&relay, RELAY_ORG, CORE, ELEC, true));
    assert_false(policy_report_may_create(&relay, VENDOR_ORG, POL_ORG_VENDOR, ELEC, true));
    assert_false(policy_report_may_create(&relay, 0, CORE, ELEC, true));
    assert_false(policy_report_may_create(&cept_gas, OP_ORG, CORE, ELEC, true));
    struct pol_principal relay_c = contractor_of(relay);
    assert_false(policy_report_may_create(&relay_c, OP_ORG, CORE, ELEC, true));
    struct pol_principal relay_v = relay;
    relay_v.roles = POL_ROLE_VIEWER;
    assert_false(policy_report_may_create(&relay_v, OP_ORG, CORE, ELEC, true));

    /* Follow-ups (第N報): writers of the operator or of the relaying CEPTOAR. */
    struct pol_report r = report(POL_TLP_AMBER);
    r.relay_org = RELAY_ORG;
    assert_true(policy_report_may_add(&op, &r));
    assert_true(policy_report_may_add(&op_c, &r));
    assert_true(policy_report_may_add(&relay, &r));
    assert_true(policy_report_may_add(&relay_c, &r));
    assert_false(policy_report_may_add(&op_viewer, &r));
    assert_false(policy_report_may_add(&meti, &r)); /* recipients acknowledge, they do not add */
    assert_false(policy_report_may_add(&op2, &r));
    assert_false(policy_report_may_add(&cept_gas, &r));
    r.relay_org = 0;
    assert_false(policy_report_may_add(&relay, &r));

    /* Receipt: recipients' own staff with a writer role. */
    assert_true(policy_report_may_ack(&meti, &r));
    assert_true(policy_report_may_ack(&nc, &r));
    struct pol_principal meti_c = contractor_of(meti);
    assert_false(policy_report_may_ack(&meti_c, &r));
    struct pol_principal meti_v = meti;
    meti_v.roles = POL_ROLE_VIEWER;
    assert_false(policy_report_may_ack(&meti_v, &r));
    assert_false(policy_report_may_ack(&fsa, &r));
    assert_false(policy_report_may_ack(&op, &r));
    assert_false(policy_report_may_ack(&anon, &r));
}

/* ---- the oracle ------------------------------------------------------------------------- */

/* Reader classes a principal belongs to, from its org type and the sector flags alone. */
enum {
    C_ANY = 1u << 0,    /* any authenticated principal */
    C_CI = 1u << 1,     /* a CI-related body */
    C_NC = 1u << 2,     /* the national centre */
    C_SECTOR = 1u << 3, /* ministry, CEPTOAR or operator of one of the report's sectors */
    C_ROUTED = 1u << 4, /* its organisation is a recipient */
};

static const struct {
    unsigned classes; /* any of these */
    bool staff_only;
} tlp_audience[NTLP] = {
    [POL_TLP_CLEAR] = {C_ANY, false},
    [POL_TLP_GREEN] = {C_CI | C_ROUTED, false},
    [POL_TLP_AMBER] = {C_NC | C_SECTOR | C_ROUTED, false},
    [POL_TLP_AMBER_STRICT] = {C_NC | C_SECTOR | C_ROUTED, true},
    [POL_TLP_RED] = {C_ROUTED, true},
};

/* Per org type: CI-related? a sector body? */
static const struct {
    bool ci, sector_body;
} type_facts[POL_ORG__COUNT] = {
    [POL_ORG_NATIONAL_CENTRE] = {true, false}, [POL_ORG_MINISTRY] = {true, true},
    [POL_ORG_CORE_OPERATOR] = {true, true},    [POL_ORG_CI_OPERATOR] = {true, true},
    [POL_ORG_CEPTOAR] = {true, true},          [POL_ORG_VENDOR] = {true, false},
    [POL_ORG_VULN_INTAKE] = {true, false},     [POL_ORG_COORDINATOR] = {true, false},
    [POL_ORG_RESEARCH] = {true, false},        [POL_ORG_FOREIGN_GOV] = {false, false},
    [POL_ORG_OTHER] = {false, false},
};

/* A logged-in, well-formed principal and a reporter type we know. */
static bool sane_principal(const struct pol_principal *p, enum pol_org_type reporter_type)
{
    return p->user_id != 0 && (unsigned)p->org_type < POL_ORG__COUNT && (unsigned)p->council <= 2 &&
           (p->roles & ~0x1fu) == 0 && (unsigned)reporter_type < POL_ORG__COUNT;
}

static bool sane(const struct pol_principal *p, const struct pol_report *r)
{
    return sane_principal(p, r->reporter_type) && (unsigned)r->tlp < NTLP;
}

static bool routed_to(const struct pol_principal *p, const struct pol_report *r)
{
    bool hit = false;
    for (size_t i = 0; r->recipients && i < r->nrecipients; i++)
        hit |= p->org_id != 0 && r->recipients[i] == p->org_id;
    return hit;
}

static bool is_source(const struct pol_principal *p, const struct pol_report *r)
{
    return p->org_id != 0 && (p->org_id == r->reporter_org || p->org_id == r->relay_org);
}

static unsigned classes_of(const struct pol_principal *p, const struct pol_report *r)
{
    unsigned c = C_ANY;
    if (type_facts[p->org_type].ci) c |= C_CI;
    if (p->org_type == POL_ORG_NATIONAL_CENTRE) c |= C_NC;
    if (type_facts[p->org_type].sector_body && (p->sectors & r->sectors)) c |= C_SECTOR;
    if (routed_to(p, r)) c |= C_ROUTED;
    return c;
}

static bool oracle_read(const struct pol_principal *p, const struct pol_report *r)
{
    if (!sane(p, r)) return false;
    if (is_source(p, r)) return true;
    if (tlp_audience[r->tlp].staff_only && p->contractor) return false;
    return (classes_of(p, r) & tlp_audience[r->tlp].classes) != 0;
}

/* How a reader stands to the report, for the part table. */
enum relation { REL_SOURCE, REL_MINISTRY, REL_CENTRE, REL_OTHER_ROUTED, REL_TLP_ONLY, REL__N };

static enum relation relation_of(const struct pol_principal *p, const struct pol_report *r)
{
    if (is_source(p, r)) return REL_SOURCE;
    if (p->contractor || !routed_to(p, r)) return REL_TLP_ONLY;
    if (p->org_type == POL_ORG_MINISTRY) return REL_MINISTRY;
    return p->org_type == POL_ORG_NATIONAL_CENTRE ? REL_CENTRE : REL_OTHER_ROUTED;
}

enum cell { N, Y, IF_NOT_ANONYMISED, IF_OPERATOR /* reporter core/CI */ };

static const enum cell part_table[5][REL__N] = {
    /*                     source ministry centre other-routed tlp-only */
    [POL_PART_BODY] = {Y, Y, Y, Y, Y},
    [POL_PART_IDENTITY] = {Y, IF_NOT_ANONYMISED, IF_NOT_ANONYMISED, IF_NOT_ANONYMISED, N},
    [POL_PART_OPTED_OUT] = {Y, Y, IF_OPERATOR, N, N},
    [POL_PART_ANNEX] = {Y, IF_NOT_ANONYMISED, N, N, N},
    [POL_PART_ROUTING] = {Y, Y, Y, Y, N},
};

static bool oracle_part(const struct pol_principal *p, const struct pol_report *r, int part)
{
    if (!oracle_read(p, r) || part < 0 || part > 4) return false;
    switch (part_table[part][relation_of(p, r)]) {
    case Y:
        return true;
    case IF_NOT_ANONYMISED:
        return !r->anonymised;
    case IF_OPERATOR:
        return r->reporter_type == POL_ORG_CORE_OPERATOR || r->reporter_type == POL_ORG_CI_OPERATOR;
    default:
        return false;
    }
}

static bool writer(const struct pol_principal *p)
{
    return (p->roles & (POL_ROLE_ORG_ADMIN | POL_ROLE_ANALYST | POL_ROLE_REPORTER)) != 0;
}

static bool oracle_create(const struct pol_principal *p, const struct pol_report *r, bool relay)
{
    /* create takes no TLP: only the principal and the reporter's type must be sane. */
    if (!sane_principal(p, r->reporter_type) || !writer(p) || p->org_id == 0 ||
        r->reporter_org == 0)
        return false;
    if (!relay) return p->org_id == r->reporter_org;
    bool op = r->reporter_type == POL_ORG_CORE_OPERATOR || r->reporter_type == POL_ORG_CI_OPERATOR;
    return p->org_type == POL_ORG_CEPTOAR && !p->contractor && p->org_id != r->reporter_org && op &&
           (p->sectors & r->sectors) != 0;
}

static bool oracle_add(const struct pol_principal *p, const struct pol_report *r)
{
    return sane(p, r) && writer(p) && is_source(p, r);
}

static bool oracle_ack(const struct pol_principal *p, const struct pol_report *r)
{
    return sane(p, r) && writer(p) && !p->contractor && routed_to(p, r);
}

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

/* Small id and sector ranges so that matches (reporter, relay, recipient, sector) are common. */
static struct pol_principal random_principal(struct rng *g)
{
    return (struct pol_principal){
        .user_id = below(g, 8) == 0 ? 0 : 1 + below(g, 3),
        .org_id = below(g, 6),
        .org_type = below(g, 50) == 0 ? (enum pol_org_type)(POL_ORG__COUNT + below(g, 3))
                                      : (enum pol_org_type)below(g, POL_ORG__COUNT),
        .sectors = below(g, 8),
        .council = (enum pol_council)(below(g, 60) == 0 ? 3 : below(g, 3)),
        .designated = below(g, 4) == 0,
        .contractor = below(g, 4) == 0,
        .roles = below(g, 32) | (below(g, 80) == 0 ? 0x40u : 0),
    };
}

static struct pol_report random_report(struct rng *g, int64_t *ids)
{
    size_t n = below(g, 5);
    for (size_t i = 0; i < n; i++)
        ids[i] = below(g, 6);
    return (struct pol_report){
        .reporter_org = below(g, 6),
        .reporter_type = below(g, 40) == 0 ? (enum pol_org_type)(POL_ORG__COUNT + below(g, 2))
                                           : (enum pol_org_type)below(g, POL_ORG__COUNT),
        .sectors = below(g, 8),
        .tlp = (enum pol_tlp)(below(g, 40) == 0 ? NTLP + below(g, 3) : below(g, NTLP)),
        .recipients = below(g, 30) == 0 ? NULL : ids, /* NULL names nobody, whatever n says */
        .nrecipients = n,
        .relay_org = below(g, 2) ? 0 : below(g, 6),
        .anonymised = below(g, 2),
    };
}

static void print_case(const char *what, int part, bool got, bool want,
                       const struct pol_principal *p, const struct pol_report *r)
{
    print_error("DISAGREEMENT %s part=%d: policy=%d oracle=%d | user=%lld org=%lld type=%d "
                "sectors=%llu council=%d contractor=%d roles=%#x | reporter=%lld type=%d "
                "sectors=%llu tlp=%d relay=%lld anonymised=%d recipients(%s)=",
                what, part, got, want, (long long)p->user_id, (long long)p->org_id,
                (int)p->org_type, (unsigned long long)p->sectors, (int)p->council, p->contractor,
                p->roles, (long long)r->reporter_org, (int)r->reporter_type,
                (unsigned long long)r->sectors, (int)r->tlp, (long long)r->relay_org, r->anonymised,
                r->recipients ? "list" : "NULL");
    for (size_t i = 0; r->recipients && i < r->nrecipients; i++)
        print_error("%lld ", (long long)r->recipients[i]);
    print_error("\n");
}

#define CASES 100000
#define NPARTS 6 /* the five parts and one out of range */

struct tally {
    int disagree, readable, parts[NPARTS], create[2], add, ack;
};

static void compare(struct tally *t, const char *what, int part, bool got, bool want,
                    const struct pol_principal *p, const struct pol_report *r)
{
    if (got != want && t->disagree++ < 10) print_case(what, part, got, want, p, r);
}

static void one_case(struct rng *g, struct tally *t)
{
    int64_t ids[4];
    struct pol_principal p = random_principal(g);
    struct pol_report r = random_report(g, ids);
    bool want = oracle_read(&p, &r);
    compare(t, "read", -1, policy_report_may_read(&p, &r), want, &p, &r);
    t->readable += want;
    for (int k = 0; k < NPARTS; k++) {
        int part = k < 5 ? k : (below(g, 2) ? 5 : -1);
        want = oracle_part(&p, &r, part);
        compare(t, "part", part, policy_report_part_visible(&p, &r, (enum pol_report_part)part),
                want, &p, &r);
        t->parts[k] += want;
    }
    for (int relay = 0; relay < 2; relay++) {
        want = oracle_create(&p, &r, relay);
        compare(t, relay ? "create(relay)" : "create", -1,
                policy_report_may_create(&p, r.reporter_org, r.reporter_type, r.sectors, relay),
                want, &p, &r);
        t->create[relay] += want;
    }
    want = oracle_add(&p, &r);
    compare(t, "add", -1, policy_report_may_add(&p, &r), want, &p, &r);
    t->add += want;
    want = oracle_ack(&p, &r);
    compare(t, "ack", -1, policy_report_may_ack(&p, &r), want, &p, &r);
    t->ack += want;
}

static void oracle_random(void **state)
{
    struct rng g = {0x13198a2e03707344ULL};
    const char *env = getenv("RK_ORACLE_SEED");
    if (env && *env) g.x = strtoull(env, NULL, 0) | 1;
    struct tally t = {0};
    for (int i = 0; i < CASES; i++)
        one_case(&g, &t);
    printf("report oracle: %d cases x %d parts, readable %d, identity %d, opted-out %d, annex %d, "
           "create %d, relay %d, add %d, ack %d, %d disagreements\n",
           CASES, NPARTS, t.readable, t.parts[1], t.parts[2], t.parts[3], t.create[0], t.create[1],
           t.add, t.ack, t.disagree);
    assert_int_equal(t.disagree, 0);
    /* Both answers exercised for every decision, so a constant function cannot pass. */
    assert_true(t.readable > CASES / 20 && t.readable < CASES - CASES / 20);
    assert_int_equal(t.parts[5], 0);
    int seen[] = {t.parts[1],  t.parts[2],  t.parts[3], t.parts[4],
                  t.create[0], t.create[1], t.add,      t.ack};
    for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
        assert_true(seen[i] > 100 && seen[i] < CASES - 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_and_parts_per_tlp), cmocka_unit_test(relayed_anonymised_per_tlp),
        cmocka_unit_test(relay_and_anonymised),   cmocka_unit_test(opted_out_by_reporter_type),
        cmocka_unit_test(create_add_ack),         cmocka_unit_test(oracle_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
