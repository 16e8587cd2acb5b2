/*
 * policy.h — the one place that decides who may see and change what.
 *
 * Every read path (API get/list/count, search, exports, feeds, TAXII) asks this module; no
 * handler decides visibility on its own. The module is pure: no I/O, no globals, no
 * allocation except in policy_view() and policy_view_fields(), whose results the caller owns.
 *
 * Rules (docs/policy.md explains each with its source in domain.md §6):
 *
 * Reading an object with a scope requires ALL of:
 *   1. every TLP marking in scope->tlp is satisfied (an object with several markings is
 *      visible only to those cleared for each of them; ntlp == 0 means "unmarked", which is
 *      treated as RED: deny by default);
 *   2. the tier audience, when scope->tier != POL_TIER_NONE;
 *   3. every object-level label in scope->labels is cleared.
 * The owner organisation's own staff (scope->owner_org == p->org_id, p authenticated, not a
 * contractor) may always read its own object in full. The owner's contractors are readers like
 * any other: TLP, tier and labels apply to them.
 *
 * TLP audiences (domain.md §6.1), besides the owner and the named additions scope->named
 * (the sender's explicit widening; an EMPTY list adds nobody — it never means "everyone"):
 *   RED          : owner and named addressees only; contractors excluded.
 *   AMBER+STRICT : national centre; ministries, CEPTOARs and operators (core or CI) whose
 *                  sectors intersect scope->sectors; own staff only (p->contractor excluded,
 *                  also for named additions).
 *   AMBER        : as AMBER+STRICT, and contractors under NDA are allowed.
 *   GREEN        : every CI-related body: national centre, ministry, core/CI operator,
 *                  CEPTOAR, vendor, vuln intake, coordinator, research. Not foreign
 *                  governments, not "other", not anonymous (unless named).
 *   CLEAR        : everyone, anonymous included.
 *   An empty scope->sectors concerns no sector: at AMBER levels only the national centre,
 *   the owner and named additions see it.
 *
 * Tier audiences (domain.md §6.2):
 *   COMPREHENSIVE: national centre, designated agencies (p->designated).
 *   PROVISION    : those, plus ministries, foreign governments, council members, and core and
 *                  CI operators that are not council friends (friends take the publication
 *                  tier).
 *   PUBLICATION  : everyone.
 *
 * Labels (object-level in scope->labels, field-level via policy_view()):
 *   POL_LABEL_COMMS_INFO        : national centre or designated agency only.
 *   POL_LABEL_SECRET            : national centre, designated agencies, ministries, foreign
 *                                 governments, council members (never council friends, never
 *                                 an operator outside the council).
 *   POL_LABEL_SOURCE_IDENTIFYING: owner, national centre, or a named addressee.
 *   A contractor clears no label at all, on any object, its own organisation's included.
 *
 * Anonymous principals have user_id == 0 and org_id == 0.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum pol_org_type {
    POL_ORG_NATIONAL_CENTRE = 0,
    POL_ORG_MINISTRY,
    POL_ORG_CORE_OPERATOR, /* 基幹インフラ事業者 */
    POL_ORG_CI_OPERATOR,   /* 重要インフラ事業者 */
    POL_ORG_CEPTOAR,
    POL_ORG_VENDOR,
    POL_ORG_VULN_INTAKE, /* IPA */
    POL_ORG_COORDINATOR, /* JPCERT/CC */
    POL_ORG_RESEARCH,    /* NICT */
    POL_ORG_FOREIGN_GOV,
    POL_ORG_OTHER,
    POL_ORG__COUNT
};

enum pol_role {
    POL_ROLE_ADMIN = 1u << 0,     /* platform administration (national centre only) */
    POL_ROLE_ORG_ADMIN = 1u << 1, /* manages its own organisation's users and tokens */
    POL_ROLE_ANALYST = 1u << 2,
    POL_ROLE_REPORTER = 1u << 3,
    POL_ROLE_VIEWER = 1u << 4,
};
#define POL_ROLE__ALL 0x1fu
#define POL_ROLE__WRITERS                                                                          \
    (POL_ROLE_ADMIN | POL_ROLE_ORG_ADMIN | POL_ROLE_ANALYST | POL_ROLE_REPORTER)

enum pol_council { POL_COUNCIL_NONE = 0, POL_COUNCIL_FRIEND, POL_COUNCIL_MEMBER };

/* Declared from least to most restrictive, but rules never compare ranks. */
enum pol_tlp { POL_TLP_CLEAR = 0, POL_TLP_GREEN, POL_TLP_AMBER, POL_TLP_AMBER_STRICT, POL_TLP_RED };

enum pol_tier {
    POL_TIER_NONE = 0, /* not an analysis product */
    POL_TIER_COMPREHENSIVE,
    POL_TIER_PROVISION,
    POL_TIER_PUBLICATION
};

enum pol_label {
    POL_LABEL_SECRET = 1u << 0,
    POL_LABEL_COMMS_INFO = 1u << 1,
    POL_LABEL_SOURCE_IDENTIFYING = 1u << 2,
};
#define POL_LABEL__ALL 0x7u

struct pol_principal {
    int64_t user_id; /* 0: anonymous */
    int64_t org_id;  /* 0: anonymous */
    enum pol_org_type org_type;
    uint64_t
        sectors; /* bit i = sector index i of the reference data; a ministry's covered sectors */
    enum pol_council council;
    bool designated; /* designated agency: may receive the comprehensive tier */
    bool contractor; /* consultant/contractor under NDA, not the organisation's own staff */
    unsigned roles;  /* effective enum pol_role bits (a token's roles ∩ its user's roles) */
};

#define POL_MAX_MARKINGS 4

struct pol_scope {
    int64_t owner_org;
    uint64_t sectors; /* the directly concerned sectors */
    enum pol_tlp tlp[POL_MAX_MARKINGS];
    size_t ntlp;
    enum pol_tier tier;
    const int64_t *named; /* borrowed: organisations explicitly added (addressees) */
    size_t nnamed;
    unsigned labels; /* enum pol_label bits on the object as a whole */
};

/* Parsing and naming. *_parse return 0 and set *out, or RK_EINVAL for an unknown name.
 * Names: org types as in the API ("national_centre", "ministry", "core_operator",
 * "ci_operator", "ceptoar", "vendor", "vuln_intake", "coordinator", "research",
 * "foreign_government", "other"); roles "admin", "org_admin", "analyst", "reporter", "viewer";
 * council "none", "friend", "member"; TLP "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
 * "TLP:AMBER+STRICT", "TLP:RED" (case-sensitive, exactly as TLP 2.0 writes them);
 * tiers "none", "comprehensive", "provision", "publication"; labels "secret", "comms_info",
 * "source_identifying". Returned names are static strings. */
int policy_org_type_parse(const char *s, enum pol_org_type *out);
const char *policy_org_type_name(enum pol_org_type t);
int policy_role_parse(const char *s, enum pol_role *out);
const char *policy_role_name(enum pol_role r);
int policy_council_parse(const char *s, enum pol_council *out);
const char *policy_council_name(enum pol_council c);
int policy_tlp_parse(const char *s, enum pol_tlp *out);
const char *policy_tlp_name(enum pol_tlp t);
const char *policy_tlp_name_ja(enum pol_tlp t); /* e.g. "特定分野・組織内関係者限り" */
int policy_tier_parse(const char *s, enum pol_tier *out);
const char *policy_tier_name(enum pol_tier t);
int policy_label_parse(const char *s, enum pol_label *out);
const char *policy_label_name(enum pol_label l);

/* Objects with a scope (reports, products, advisories, ...). */
bool policy_may_read(const struct pol_principal *p, const struct pol_scope *s);
/* Write: an authenticated principal with a writer role in the owner organisation. */
bool policy_may_write(const struct pol_principal *p, const struct pol_scope *s);
/* May p see a field carrying `labels` inside an object it may read? */
bool policy_field_visible(const struct pol_principal *p, const struct pol_scope *s,
                          unsigned labels);

/*
 * The redacted view of `obj` for p. `field_labels` (may be NULL) maps RFC 6901 JSON Pointers
 * inside obj to arrays of label names, e.g. {"/overview": ["secret"], "/iocs/2": ["comms_info"]}.
 * Returns RK_OK and sets *out to a new deep copy without the fields p may not see (caller
 * owns it, json_decref), RK_ENOTFOUND if p may not read the object at all (callers must
 * answer as if it did not exist), RK_EINVAL for a malformed label map, RK_ENOMEM.
 * Removing an array element removes it from the copy (later indexes shift).
 */
int policy_view(const struct pol_principal *p, const struct pol_scope *s, const json_t *obj,
                const json_t *field_labels, json_t **out);

/* Foundation records: organisations, users, tokens, audit. */
bool policy_org_may_read(const struct pol_principal *p, int64_t org_id); /* directory */
bool policy_org_may_read_details(const struct pol_principal *p,
                                 int64_t org_id); /* council record */
bool policy_org_may_create(const struct pol_principal *p);
bool policy_org_may_update(const struct pol_principal *p, int64_t org_id);
bool policy_user_may_read(const struct pol_principal *p, int64_t user_org, int64_t user_id);
bool policy_user_may_manage(const struct pol_principal *p, int64_t user_org);
/* May p give a user of an organisation of type `target_org_type` these roles? Only a platform
 * admin may grant admin, and admin only to national-centre users. */
bool policy_may_grant_roles(const struct pol_principal *p, enum pol_org_type target_org_type,
                            unsigned roles);
bool policy_token_may_manage(const struct pol_principal *p, int64_t token_user,
                             int64_t token_user_org);
bool policy_audit_may_read(const struct pol_principal *p, int64_t record_org);

/*
 * The asset registry (domain.md §4; docs/policy.md "Assets"). Readers of a filed entry: the
 * operator's own users; the national centre's and a ministry's own staff (contractors
 * excluded: the registry maps the attack surface of critical infrastructure), a ministry only
 * when its sectors intersect the operator's; a vendor while it holds an active delegation from
 * the operator (it must see the current state to file changes), and afterwards only the
 * versions it filed itself. Nobody else, whatever their role.
 */
struct pol_asset {
    int64_t owner_org;      /* the operator */
    uint64_t owner_sectors; /* the operator's sectors */
    bool delegated;         /* p's organisation holds an active delegation from the owner */
    bool filed_by_p_org;    /* p's organisation filed this version (for an entry: any version) */
};
bool policy_asset_may_read(const struct pol_principal *p, const struct pol_asset *a);
/* Unfiled drafts: the operator and its active delegates only (not yet sent to anyone). */
bool policy_asset_may_read_draft(const struct pol_principal *p, const struct pol_asset *a);
/* Filing for the owner (new, change, retire, drafts, inventories): a user with the org_admin,
 * analyst or reporter role of the operator (a core or CI operator), or of a vendor holding an
 * active delegation. */
bool policy_asset_may_file(const struct pol_principal *p, const struct pol_asset *a);
/* Delegations: the operator's org_admin grants and revokes; the operator, the vendor, the
 * national centre and ministries of the operator's sectors may read them. */
bool policy_delegation_may_manage(const struct pol_principal *p, int64_t operator_org,
                                  enum pol_org_type operator_type);
bool policy_delegation_may_read(const struct pol_principal *p, int64_t operator_org,
                                uint64_t operator_sectors, int64_t vendor_org);
/* Routing steps of a submission (received by the ministry, forwarded to the national centre):
 * own staff of a ministry covering one of the operator's sectors, with the org_admin, analyst
 * or reporter role. */
bool policy_submission_may_route(const struct pol_principal *p, uint64_t owner_sectors);

/*
 * Incident reports (domain.md §5.3–5.5, §6.1; docs/policy.md "Reports"). A report is routed to
 * its recipients (the ministries of its sectors and the national centre); its TLP governs who
 * else may read it. Parts of a report have narrower audiences than the report itself.
 *
 * "Writer": role org_admin, analyst or reporter. "Own staff": !p->contractor. "Recipient":
 * p->org_id is in r->recipients. "Source": p->org_id is r->reporter_org or r->relay_org
 * (nonzero), any role, contractors included: it is their own report. Anonymous principals, a
 * NULL or malformed report (TLP or reporter_type out of range) and unknown parts: always false.
 *
 *   may_read    : a source; otherwise exactly policy_may_read() of the scope {owner
 *                 reporter_org, r->sectors, the one TLP r->tlp, no tier, named = recipients}.
 *   part BODY   : every reader.
 *   part IDENTITY: a source; a recipient's own staff unless the relay anonymised the operator.
 *                 TLP readers never learn who the victim is.
 *   part OPTED_OUT: a source; own staff of a recipient ministry; own staff of a recipient
 *                 national centre when the reporter is a core or CI operator (the common forms
 *                 let a CI operator's report reach the centre despite the opt-out).
 *   part ROUTING: a source; a recipient's own staff (readers by TLP are not told where a report
 *                 went, nor which CEPTOAR relayed it: that narrows who the victim can be).
 *   part ANNEX  : a source; own staff of a recipient ministry unless the relay anonymised the
 *                 operator (an APPI breach report names it). Never the centre, never TLP readers.
 *   may_create  : a writer of reporter_org (nonzero); or, relaying, a writer on the own staff of a
 *                 CEPTOAR (not the reporter) sharing a sector with a core or CI operator reporter.
 *   may_add     : a writer of a source organisation.
 *   may_ack     : a writer on a recipient's own staff.
 */
enum pol_report_part {
    POL_PART_BODY = 0, /* everything not below */
    POL_PART_IDENTITY, /* who reported: reporter/sender/operator sections, the reporting org */
    /* field groups the reporter opted out of sharing with the national centre */
    POL_PART_OPTED_OUT,
    POL_PART_ANNEX,   /* ransomware personal-data breach annexes 1–3 */
    POL_PART_ROUTING, /* the routing rows (receipts, acknowledgments) and who relayed it */
};
struct pol_report {
    /* the organisation the report is from (the operator, also when relayed) */
    int64_t reporter_org;
    enum pol_org_type reporter_type;
    uint64_t sectors;          /* the incident's sectors */
    enum pol_tlp tlp;          /* the report's TLP */
    const int64_t *recipients; /* borrowed: organisations the report was routed to */
    size_t nrecipients;
    int64_t relay_org; /* the CEPTOAR that relayed it, 0: none */
    bool anonymised;   /* relayed with the operator anonymised */
};
bool policy_report_may_read(const struct pol_principal *p, const struct pol_report *r);
/* Assumes policy_report_may_read(p, r); false otherwise too. */
bool policy_report_part_visible(const struct pol_principal *p, const struct pol_report *r,
                                enum pol_report_part part);
/* May p file a first report for reporter_org? relay: as a CEPTOAR relaying for it. */
bool policy_report_may_create(const struct pol_principal *p, int64_t reporter_org,
                              enum pol_org_type reporter_type, uint64_t reporter_sectors,
                              bool relay);
/* May p add a report (第N報) to the incident r (r describes its latest report)? */
bool policy_report_may_add(const struct pol_principal *p, const struct pol_report *r);
/* May p acknowledge receipt for its organisation (a recipient)? */
bool policy_report_may_ack(const struct pol_principal *p, const struct pol_report *r);

/*
 * Dissemination (issue 5; domain.md §2, §6.3, §6.4; docs/policy.md "Advisories", "Inbox",
 * "Products pushed on release", "Threads and groups", "Feeds").
 *
 * Terms as for reports: a "writer" has org_admin, analyst or reporter (not the platform admin
 * role alone); "own staff" means !contractor; "a user of X" is an authenticated principal with
 * org_id X (organisation 0 is nobody). Where an ORGANISATION is passed in a pol_principal
 * (in_audience's org, relay_target's relayer and target, product_push_target's org,
 * message_may_send_to's org) it is read as its own staff: user_id, roles and contractor are
 * ignored, org_id 0 is never anybody, and only in_audience/relay_target also ignore council and
 * designated. Malformed input fails closed (false): a NULL pointer, a TLP, org type or council
 * out of range, unknown role or label bits, nnamed > 0 with named NULL, nmembers > 0 with
 * members NULL — even for the sender or owner.
 */

/* ---- advisories (情報提供, domain.md §6.3) ---- */
struct pol_advisory {
    int64_t sender_org; /* the national centre that issues it */
    bool sent;          /* false: a draft */
    enum pol_tlp tlp;
    uint64_t sectors;     /* the recipient sectors the centre chose */
    const int64_t *named; /* borrowed: addressed organisations (the recipient ministries, and
                             organisations added by a recorded widening agreement) */
    size_t nnamed;
    bool held; /* the principal's organisation holds an inbox row for it */
};
/* Is the organisation described by `org` (use its org_id, org_type, sectors; ignore user_id,
 * roles, contractor) in the advisory's allowed audience = TLP scope ∩ chosen sectors?
 *   sender org, or a named org: yes (any TLP);
 *   RED: nobody else;
 *   AMBER+STRICT, AMBER: the national centre; ministries, CEPTOARs, core and CI operators whose
 *     sectors intersect a->sectors;
 *   GREEN: the national centre; and every CI-related body type GREEN admits in policy_may_read
 *     (ministry, core/CI operator, CEPTOAR, vendor, vuln intake, coordinator, research) whose
 *     sectors intersect a->sectors (a body with no sectors is reached only by naming it);
 *   CLEAR: as GREEN, plus foreign governments and "other" organisations whose sectors intersect.
 *   org_id 0 (anonymous) : never. */
bool policy_advisory_in_audience(const struct pol_principal *org, const struct pol_advisory *a);
/* Read: the sender's own staff (drafts and sent); the sender's contractors only sent advisories
 * other than RED and AMBER+STRICT (a draft may hold what a report they may not read says);
 * otherwise only when a->sent and either
 *   - a->tlp == CLEAR (anyone, anonymous included: the public feed), or
 *   - a->held and policy_advisory_in_audience(p) and p is authenticated and, at RED and
 *     AMBER+STRICT, not a contractor. */
bool policy_advisory_may_read(const struct pol_principal *p, const struct pol_advisory *a);
/* Create, edit, send, follow up: a writer (org_admin, analyst or reporter role) on the own staff
 * (not a contractor) of sender_org, which must be a national centre (p->org_type). */
bool policy_advisory_may_send(const struct pol_principal *p, int64_t sender_org);
/* Relay onward: a->sent, a->held, a->tlp != RED (RED goes to addressees only), p is a writer on
 * the own staff of a ministry or a CEPTOAR that may read the advisory. */
bool policy_advisory_may_relay(const struct pol_principal *p, const struct pol_advisory *a);
/* Is `target` (an organisation, as for in_audience) a relay target of `relayer` (an
 * organisation) for advisory a? target in the audience, target != relayer, target != sender, and
 *   relayer a ministry: target a core or CI operator or a CEPTOAR, and
 *     target->sectors & relayer->sectors & a->sectors != 0;
 *   relayer a CEPTOAR: target a core or CI operator with target->sectors & relayer->sectors &
 *     a->sectors != 0;
 *   anyone else: false. */
bool policy_advisory_relay_target(const struct pol_principal *relayer,
                                  const struct pol_principal *target, const struct pol_advisory *a);
/* Acknowledge for one's organisation (read / actioned / not applicable): p may read it, a->held,
 * p's org is not the sender, p is own staff (not a contractor), any role. */
bool policy_advisory_may_ack(const struct pol_principal *p, const struct pol_advisory *a);
/* See an inbox row's delivery and acknowledgment state (the sender's "who has not acknowledged"
 * view): own staff of the sender org (any role); or own staff of row_relayed_from (the ministry
 * or CEPTOAR that relayed that row), when row_relayed_from != 0; or own staff of row_org (its own
 * row). */
bool policy_advisory_may_read_ack(const struct pol_principal *p, const struct pol_advisory *a,
                                  int64_t row_org, int64_t row_relayed_from);
/* The scope to redact an advisory's fields with policy_view_fields (owner = sender_org, sectors,
 * one TLP marking, tier NONE, named = a->named). A NULL or malformed advisory yields a scope
 * that every policy function refuses (an unknown label bit). Does nothing when out is NULL. */
void policy_advisory_scope(const struct pol_advisory *a, struct pol_scope *out);

/* The redacted view for a principal whose right to read the object was already decided by an
 * object-specific may_read (advisories, messages): like policy_view but without policy_view's own
 * policy_may_read check — fields are removed by policy_field_visible(p, s, labels). Same
 * ownership and error rules as policy_view (RK_EINVAL for a malformed label map; never
 * RK_ENOTFOUND unless the root "" is labelled with something p may not see). A malformed
 * principal or scope is RK_EINVAL (checked after the label map). */
int policy_view_fields(const struct pol_principal *p, const struct pol_scope *s, const json_t *obj,
                       const json_t *field_labels, json_t **out);

/* ---- inbox ---- */
/* May p list the inbox of organisation org_id? Its own organisation's users only (platform
 * admins included: nobody reads another organisation's inbox). Every item is then checked with
 * its object's may_read. */
bool policy_inbox_may_list(const struct pol_principal *p, int64_t org_id);

/* ---- analysis products pushed on release ---- */
/* Does a released product with scope s get pushed into organisation `org`'s inbox? `org` read as
 * an own-staff principal (contractor false) may read it (policy_may_read(org, s)) AND
 * org != owner AND (council member or friend, or a ministry, or a designated agency, or a foreign
 * government). */
bool policy_product_push_target(const struct pol_principal *org, const struct pol_scope *s);

/* ---- council channels (seed 000: one-to-one threads, working groups) ---- */
struct pol_thread {
    int64_t owner_org;      /* the national centre that opened it */
    bool group;             /* a working group; else one-to-one (members = the one organisation) */
    const int64_t *members; /* borrowed: member organisations (the owner is implicitly a member) */
    size_t nmembers;
};
/* See the thread (its title, member list): an authenticated user of the owner or a member org. */
bool policy_thread_may_read(const struct pol_principal *p, const struct pol_thread *t);
/* Open a thread or group, change its members: a writer on the own staff of owner_org, a national
 * centre. */
bool policy_thread_may_manage(const struct pol_principal *p, int64_t owner_org);
/* Post: a writer (org_admin, analyst, reporter) of the owner or a member org (contractors allowed
 * only if the message TLP admits them — checked per message by policy_message_may_read on the
 * sender's own principal by the caller). */
bool policy_thread_may_post(const struct pol_principal *p, const struct pol_thread *t);
struct pol_message {
    const struct pol_thread *t;
    int64_t sender_org;
    enum pol_tlp tlp;
    unsigned labels; /* enum pol_label bits on the message as a whole */
    /* The principal's organisation was an addressee when the message was posted (it holds the
     * message's inbox row). Its sender and the thread's owner always are. A member added later
     * does not read what was said before it joined: a TLP:RED message's addressees are the
     * members of the day, not whoever joins afterwards. */
    bool addressed;
};
/* Read a message: policy_thread_may_read(p, m->t) AND (p's organisation is the sender, the
 * thread's owner, or m->addressed) AND policy_may_read(p, scope{owner =
 * m->sender_org, sectors 0, tlp = m->tlp, named = members + owner}) AND every label in m->labels
 * cleared for p by policy_field_visible with that scope (as in the labels above; no label for
 * contractors). Since p is then a member, the TLP part comes down to: contractors refused at
 * RED and AMBER+STRICT, their own organisation's messages included. */
bool policy_message_may_read(const struct pol_principal *p, const struct pol_message *m);
/* May the message be sent to member organisation `org` (as an own-staff principal)? Exactly
 * policy_message_may_read for that principal, as an addressee (m->addressed taken as true). The
 * caller refuses a post when any member fails (friends never receive secret content: issue 5). */
bool policy_message_may_send_to(const struct pol_principal *org, const struct pol_message *m);

#endif
