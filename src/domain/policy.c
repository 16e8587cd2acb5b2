/*
 * policy.c — visibility and permission rules; the header is the specification.
 *
 * Every decision starts from "deny": a principal or scope carrying a value this file does not
 * know (an enum out of range, an unknown role or label bit, too many markings) is refused
 * rather than guessed at, because a wrong "yes" leaks and a wrong "no" only inconveniences.
 */
#include "domain/policy.h"

#include <stdlib.h>
#include <string.h>

#include "core/rk.h"

/* ---- names ------------------------------------------------------------------------------ */

static const char *const org_type_names[POL_ORG__COUNT] = {
    [POL_ORG_NATIONAL_CENTRE] = "national_centre",
    [POL_ORG_MINISTRY] = "ministry",
    [POL_ORG_CORE_OPERATOR] = "core_operator",
    [POL_ORG_CI_OPERATOR] = "ci_operator",
    [POL_ORG_CEPTOAR] = "ceptoar",
    [POL_ORG_VENDOR] = "vendor",
    [POL_ORG_VULN_INTAKE] = "vuln_intake",
    [POL_ORG_COORDINATOR] = "coordinator",
    [POL_ORG_RESEARCH] = "research",
    [POL_ORG_FOREIGN_GOV] = "foreign_government",
    [POL_ORG_OTHER] = "other",
};

static const struct {
    enum pol_role role;
    const char *name;
} role_names[] = {
    {POL_ROLE_ADMIN, "admin"},     {POL_ROLE_ORG_ADMIN, "org_admin"},
    {POL_ROLE_ANALYST, "analyst"}, {POL_ROLE_REPORTER, "reporter"},
    {POL_ROLE_VIEWER, "viewer"},
};

static const char *const council_names[] = {
    [POL_COUNCIL_NONE] = "none",
    [POL_COUNCIL_FRIEND] = "friend",
    [POL_COUNCIL_MEMBER] = "member",
};

static const char *const tlp_names[] = {
    [POL_TLP_CLEAR] = "TLP:CLEAR", [POL_TLP_GREEN] = "TLP:GREEN",
    [POL_TLP_AMBER] = "TLP:AMBER", [POL_TLP_AMBER_STRICT] = "TLP:AMBER+STRICT",
    [POL_TLP_RED] = "TLP:RED",
};

/* The wording of seed 004 table 5, as printed on the official forms. */
static const char *const tlp_names_ja[] = {
    [POL_TLP_CLEAR] = "公開情報",
    [POL_TLP_GREEN] = "重要インフラ関係主体限り",
    [POL_TLP_AMBER] = "特定分野・関係者限り",
    [POL_TLP_AMBER_STRICT] = "特定分野・組織内関係者限り",
    [POL_TLP_RED] = "宛先限り",
};

static const char *const tier_names[] = {
    [POL_TIER_NONE] = "none",
    [POL_TIER_COMPREHENSIVE] = "comprehensive",
    [POL_TIER_PROVISION] = "provision",
    [POL_TIER_PUBLICATION] = "publication",
};

static const struct {
    enum pol_label label;
    const char *name;
} label_names[] = {
    {POL_LABEL_SECRET, "secret"},
    {POL_LABEL_COMMS_INFO, "comms_info"},
    {POL_LABEL_SOURCE_IDENTIFYING, "source_identifying"},
};

static const char unknown_name[] = "unknown";

/* Looks s up in a dense table indexed by enum value; -1 when absent. */
static int index_of(const char *const *names, size_t n, const char *s)
{
    if (s == NULL) return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return (int)i;
    return -1;
}

/* Enum parameters may carry any int (including negatives) when callers cast; compare as
 * unsigned so one test rejects both ends. */
static const char *name_at(const char *const *names, size_t n, int v)
{
    return (unsigned)v < n ? names[v] : unknown_name;
}

int policy_org_type_parse(const char *s, enum pol_org_type *out)
{
    int i = index_of(org_type_names, RK_ARRAY_LEN(org_type_names), s);
    if (i < 0 || out == NULL) return RK_EINVAL;
    *out = (enum pol_org_type)i;
    return RK_OK;
}

const char *policy_org_type_name(enum pol_org_type t)
{
    return name_at(org_type_names, RK_ARRAY_LEN(org_type_names), (int)t);
}

int policy_role_parse(const char *s, enum pol_role *out)
{
    if (s == NULL || out == NULL) return RK_EINVAL;
    for (size_t i = 0; i < RK_ARRAY_LEN(role_names); i++) {
        if (strcmp(role_names[i].name, s) == 0) {
            *out = role_names[i].role;
            return RK_OK;
        }
    }
    return RK_EINVAL;
}

const char *policy_role_name(enum pol_role r)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(role_names); i++)
        if (role_names[i].role == r) return role_names[i].name;
    return unknown_name;
}

int policy_council_parse(const char *s, enum pol_council *out)
{
    int i = index_of(council_names, RK_ARRAY_LEN(council_names), s);
    if (i < 0 || out == NULL) return RK_EINVAL;
    *out = (enum pol_council)i;
    return RK_OK;
}

const char *policy_council_name(enum pol_council c)
{
    return name_at(council_names, RK_ARRAY_LEN(council_names), (int)c);
}

int policy_tlp_parse(const char *s, enum pol_tlp *out)
{
    int i = index_of(tlp_names, RK_ARRAY_LEN(tlp_names), s);
    if (i < 0 || out == NULL) return RK_EINVAL;
    *out = (enum pol_tlp)i;
    return RK_OK;
}

const char *policy_tlp_name(enum pol_tlp t)
{
    return name_at(tlp_names, RK_ARRAY_LEN(tlp_names), (int)t);
}

const char *policy_tlp_name_ja(enum pol_tlp t)
{
    return name_at(tlp_names_ja, RK_ARRAY_LEN(tlp_names_ja), (int)t);
}

int policy_tier_parse(const char *s, enum pol_tier *out)
{
    int i = index_of(tier_names, RK_ARRAY_LEN(tier_names), s);
    if (i < 0 || out == NULL) return RK_EINVAL;
    *out = (enum pol_tier)i;
    return RK_OK;
}

const char *policy_tier_name(enum pol_tier t)
{
    return name_at(tier_names, RK_ARRAY_LEN(tier_names), (int)t);
}

int policy_label_parse(const char *s, enum pol_label *out)
{
    if (s == NULL || out == NULL) return RK_EINVAL;
    for (size_t i = 0; i < RK_ARRAY_LEN(label_names); i++) {
        if (strcmp(label_names[i].name, s) == 0) {
            *out = label_names[i].label;
            return RK_OK;
        }
    }
    return RK_EINVAL;
}

const char *policy_label_name(enum pol_label l)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(label_names); i++)
        if (label_names[i].label == l) return label_names[i].name;
    return unknown_name;
}

/* ---- principal and scope sanity --------------------------------------------------------- */

static bool principal_valid(const struct pol_principal *p)
{
    return p != NULL && (unsigned)p->org_type < POL_ORG__COUNT &&
           (unsigned)p->council <= POL_COUNCIL_MEMBER && (p->roles & ~POL_ROLE__ALL) == 0;
}

static bool scope_valid(const struct pol_scope *s)
{
    if (s == NULL || s->ntlp > POL_MAX_MARKINGS || (unsigned)s->tier > POL_TIER_PUBLICATION ||
        (s->labels & ~POL_LABEL__ALL) != 0)
        return false;
    for (size_t i = 0; i < s->ntlp; i++)
        if ((unsigned)s->tlp[i] > POL_TLP_RED) return false;
    return true;
}

/* An anonymous principal's other fields are ignored: a zeroed struct would otherwise look like
 * national-centre staff (POL_ORG_NATIONAL_CENTRE is 0). */
static bool authenticated(const struct pol_principal *p)
{
    return p->user_id != 0;
}

/* Organisation 0 is "none", so it never matches an owner, an addressee or a record. */
static bool in_org(const struct pol_principal *p, int64_t org)
{
    return authenticated(p) && p->org_id != 0 && p->org_id == org;
}

/* The owner's own staff: they read and write their organisation's object in full. The owner's
 * contractors are readers like any other (TLP, tier, labels), not owners. */
static bool is_owner(const struct pol_principal *p, const struct pol_scope *s)
{
    return in_org(p, s->owner_org) && !p->contractor;
}

static bool is_named(const struct pol_principal *p, const struct pol_scope *s)
{
    if (s->named == NULL) return false;
    for (size_t i = 0; i < s->nnamed; i++)
        if (in_org(p, s->named[i])) return true;
    return false;
}

static bool is_national_centre(const struct pol_principal *p)
{
    return authenticated(p) && p->org_type == POL_ORG_NATIONAL_CENTRE;
}

static bool is_platform_admin(const struct pol_principal *p)
{
    return is_national_centre(p) && (p->roles & POL_ROLE_ADMIN) != 0;
}

static bool is_org_admin_of(const struct pol_principal *p, int64_t org)
{
    return in_org(p, org) && (p->roles & POL_ROLE_ORG_ADMIN) != 0;
}

/* ---- TLP, tiers, labels ----------------------------------------------------------------- */

/* The bodies that see AMBER when the object concerns one of their sectors. */
static bool sector_body_concerned(const struct pol_principal *p, const struct pol_scope *s)
{
    switch (p->org_type) {
    case POL_ORG_MINISTRY:
    case POL_ORG_CORE_OPERATOR:
    case POL_ORG_CI_OPERATOR:
    case POL_ORG_CEPTOAR:
        return (p->sectors & s->sectors) != 0;
    default:
        return false;
    }
}

/* Listed rather than "all but foreign and other", so that a type added later starts outside
 * GREEN until someone decides otherwise. */
static bool ci_related_body(const struct pol_principal *p)
{
    switch (p->org_type) {
    case POL_ORG_NATIONAL_CENTRE:
    case POL_ORG_MINISTRY:
    case POL_ORG_CORE_OPERATOR:
    case POL_ORG_CI_OPERATOR:
    case POL_ORG_CEPTOAR:
    case POL_ORG_VENDOR:
    case POL_ORG_VULN_INTAKE:
    case POL_ORG_COORDINATOR:
    case POL_ORG_RESEARCH:
        return true;
    default:
        return false;
    }
}

/* The owner is handled by the caller; this is everyone else's clearance for one marking. */
static bool tlp_cleared(const struct pol_principal *p, const struct pol_scope *s, enum pol_tlp t)
{
    if (t == POL_TLP_CLEAR) return true;
    if (!authenticated(p)) return false;
    switch (t) {
    case POL_TLP_GREEN:
        return ci_related_body(p) || is_named(p, s);
    case POL_TLP_AMBER:
        return is_national_centre(p) || sector_body_concerned(p, s) || is_named(p, s);
    case POL_TLP_AMBER_STRICT:
        return !p->contractor &&
               (is_national_centre(p) || sector_body_concerned(p, s) || is_named(p, s));
    case POL_TLP_RED:
        return !p->contractor && is_named(p, s);
    default:
        return false;
    }
}

static bool comprehensive_audience(const struct pol_principal *p)
{
    return authenticated(p) && (p->org_type == POL_ORG_NATIONAL_CENTRE || p->designated);
}

/* Who may hold secrets (秘密): the centre, designated agencies, ministries, foreign governments
 * (Arts. 28, 39) and council members, bound by the council's confidentiality (Art. 82). */
static bool secret_audience(const struct pol_principal *p)
{
    if (comprehensive_audience(p)) return true;
    if (!authenticated(p)) return false;
    return p->org_type == POL_ORG_MINISTRY || p->org_type == POL_ORG_FOREIGN_GOV ||
           p->council == POL_COUNCIL_MEMBER;
}

/* The provision tier (提供用, §6.2: "council members, ministries, operators, foreign
 * governments"): the secret audience and core and CI operators — except council friends, who
 * chose the publication tier (§2). An operator outside the council reads the product, without
 * its secret fields. */
static bool provision_audience(const struct pol_principal *p)
{
    if (secret_audience(p)) return true;
    return authenticated(p) && p->council != POL_COUNCIL_FRIEND &&
           (p->org_type == POL_ORG_CORE_OPERATOR || p->org_type == POL_ORG_CI_OPERATOR);
}

static bool tier_cleared(const struct pol_principal *p, enum pol_tier t)
{
    switch (t) {
    case POL_TIER_NONE:
    case POL_TIER_PUBLICATION:
        return true;
    case POL_TIER_COMPREHENSIVE:
        return comprehensive_audience(p);
    case POL_TIER_PROVISION:
        return provision_audience(p);
    }
    return false;
}

/* Non-owner clearance for a set of label bits; the caller has rejected unknown bits. */
static bool labels_cleared(const struct pol_principal *p, const struct pol_scope *s,
                           unsigned labels)
{
    /* Contractors are cleared by TLP (AMBER's consultants under NDA), never by label: secret
     * binds the council's own staff (Art. 82), comms_info the centre's designated officials,
     * source_identifying the confidentiality owed to the reporter. */
    if (labels && p->contractor) return false;
    if ((labels & POL_LABEL_COMMS_INFO) && !comprehensive_audience(p)) return false;
    if ((labels & POL_LABEL_SECRET) && !secret_audience(p)) return false;
    if ((labels & POL_LABEL_SOURCE_IDENTIFYING) && !is_national_centre(p) && !is_named(p, s))
        return false;
    return true;
}

bool policy_may_read(const struct pol_principal *p, const struct pol_scope *s)
{
    if (!principal_valid(p) || !scope_valid(s)) return false;
    if (is_owner(p, s)) return true;
    /* Unmarked means nobody thought about it: treat it as the most restrictive marking. */
    if (s->ntlp == 0 && !tlp_cleared(p, s, POL_TLP_RED)) return false;
    for (size_t i = 0; i < s->ntlp; i++)
        if (!tlp_cleared(p, s, s->tlp[i])) return false;
    return tier_cleared(p, s->tier) && labels_cleared(p, s, s->labels);
}

bool policy_may_write(const struct pol_principal *p, const struct pol_scope *s)
{
    return principal_valid(p) && scope_valid(s) && is_owner(p, s) &&
           (p->roles & POL_ROLE__WRITERS) != 0;
}

bool policy_field_visible(const struct pol_principal *p, const struct pol_scope *s, unsigned labels)
{
    /* A bit we cannot name is a label we cannot clear, even for the owner: it means the caller
     * and this module disagree about the label set, and guessing would be a leak. */
    if (!principal_valid(p) || !scope_valid(s) || (labels & ~POL_LABEL__ALL) != 0) return false;
    return is_owner(p, s) || labels_cleared(p, s, labels);
}

/* ---- redacted views --------------------------------------------------------------------- */

/* One labelled JSON Pointer, split into unescaped reference tokens. */
struct field_rule {
    char **tokens;
    size_t ntokens;
    unsigned labels;
};

struct rule_set {
    struct field_rule *rules;
    size_t n;
};

static void rule_set_release(struct rule_set *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t j = 0; j < rs->rules[i].ntokens; j++)
            free(rs->rules[i].tokens[j]);
        free(rs->rules[i].tokens);
    }
    free(rs->rules);
    rs->rules = NULL;
    rs->n = 0;
}

/* Decodes one reference token (RFC 6901 §4: "~1" before "~0", so "~01" is "~1"). */
static int unescape_token(const char *start, size_t len, char **out)
{
    char *tok = malloc(len + 1);
    size_t n = 0;
    if (tok == NULL) return RK_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        if (start[i] != '~') {
            tok[n++] = start[i];
        } else if (i + 1 < len && (start[i + 1] == '0' || start[i + 1] == '1')) {
            tok[n++] = start[i + 1] == '0' ? '~' : '/';
            i++;
        } else {
            free(tok);
            return RK_EINVAL;
        }
    }
    tok[n] = '\0';
    *out = tok;
    return RK_OK;
}

/* A pointer that does not start with '/' is malformed rather than "not found": the author
 * meant to hide something, and silently ignoring the typo would publish it. */
static int parse_pointer(const char *ptr, struct field_rule *rule)
{
    size_t count = 0;
    int rc;

    rule->tokens = NULL;
    rule->ntokens = 0;
    if (ptr[0] == '\0') return RK_OK;
    if (ptr[0] != '/') return RK_EINVAL;
    for (const char *c = ptr; *c; c++)
        count += *c == '/';
    rule->tokens = calloc(count, sizeof(*rule->tokens));
    if (rule->tokens == NULL) return RK_ENOMEM;
    for (const char *c = ptr + 1;;) {
        const char *end = strchr(c, '/');
        size_t len = end ? (size_t)(end - c) : strlen(c);
        rc = unescape_token(c, len, &rule->tokens[rule->ntokens]);
        if (rc != RK_OK) return rc;
        rule->ntokens++;
        if (end == NULL) break;
        c = end + 1;
    }
    return RK_OK;
}

static int parse_labels(const json_t *names, unsigned *out)
{
    size_t i;
    const json_t *v;
    unsigned bits = 0;

    if (!json_is_array(names)) return RK_EINVAL;
    json_array_foreach(names, i, v)
    {
        enum pol_label l;
        if (!json_is_string(v) || policy_label_parse(json_string_value(v), &l) != RK_OK)
            return RK_EINVAL;
        bits |= (unsigned)l;
    }
    *out = bits;
    return RK_OK;
}

/* Parses and checks the whole map before anything is decided, so a malformed map is always
 * RK_EINVAL whatever the principal. */
static int rule_set_parse(const json_t *field_labels, struct rule_set *rs)
{
    const char *key;
    json_t *names;
    int rc = RK_OK;

    rs->rules = NULL;
    rs->n = 0;
    if (field_labels == NULL) return RK_OK;
    if (!json_is_object(field_labels)) return RK_EINVAL;
    if (json_object_size(field_labels) == 0) return RK_OK;
    rs->rules = calloc(json_object_size(field_labels), sizeof(*rs->rules));
    if (rs->rules == NULL) return RK_ENOMEM;
    json_object_foreach((json_t *)field_labels, key, names)
    {
        struct field_rule *r = &rs->rules[rs->n];
        rc = parse_labels(names, &r->labels);
        if (rc != RK_OK) break;
        rc = parse_pointer(key, r);
        rs->n++; /* counted even on failure so release frees partial tokens */
        if (rc != RK_OK) break;
    }
    if (rc != RK_OK) rule_set_release(rs);
    return rc;
}

/* RFC 6901 §4: an array index is "0" or digits without a leading zero; anything else
 * (including "-", the element after the last) names no existing element. */
static bool token_is_index(const char *tok, size_t size, size_t *index)
{
    size_t v = 0;
    if (tok[0] == '\0' || (tok[0] == '0' && tok[1] != '\0')) return false;
    for (const char *c = tok; *c; c++) {
        if (*c < '0' || *c > '9') return false;
        if (v > (SIZE_MAX - 9) / 10) return false;
        v = v * 10 + (size_t)(*c - '0');
    }
    if (v >= size) return false;
    *index = v;
    return true;
}

/*
 * Copies `src` while leaving out what the hidden rules name. `active` lists the rules whose
 * first `depth` tokens led here. Walking the original (not the copy) is what makes indexes
 * refer to the original positions: removing /iocs/1 and /iocs/2 drops those two elements,
 * not the ones that slid into their places.
 */
static int copy_redacted(const json_t *src, const struct field_rule *const *active, size_t nactive,
                         size_t depth, json_t **out);

/* Rules among `active` that continue into child `key`/`index`; *ends is set when one of them
 * names the child itself. */
static size_t select_child_rules(const json_t *parent, const struct field_rule *const *active,
                                 size_t nactive, size_t depth, const char *key, size_t index,
                                 const struct field_rule **next, bool *ends)
{
    size_t n = 0;
    *ends = false;
    for (size_t i = 0; i < nactive; i++) {
        const char *tok = active[i]->tokens[depth];
        size_t idx;
        bool match = json_is_object(parent)
                         ? strcmp(tok, key) == 0
                         : token_is_index(tok, json_array_size(parent), &idx) && idx == index;
        if (!match) continue;
        if (active[i]->ntokens == depth + 1)
            *ends = true;
        else
            next[n++] = active[i];
    }
    return n;
}

static int copy_child(const json_t *parent, const json_t *child,
                      const struct field_rule *const *active, size_t nactive, size_t depth,
                      const char *key, size_t index, json_t **out)
{
    const struct field_rule **next;
    size_t nnext;
    bool ends;
    int rc;

    *out = NULL;
    next =
        malloc(nactive * sizeof(*next)); /* NOLINT(bugprone-sizeof-expression): array of pointers */
    if (next == NULL) return RK_ENOMEM;
    nnext = select_child_rules(parent, active, nactive, depth, key, index, next, &ends);
    rc = ends ? RK_OK : copy_redacted(child, next, nnext, depth + 1, out);
    free(next);
    return rc;
}

static int copy_redacted(const json_t *src, const struct field_rule *const *active, size_t nactive,
                         size_t depth, json_t **out)
{
    json_t *copy = NULL, *child_copy;
    int rc = RK_OK;

    *out = NULL;
    if (nactive == 0 || !(json_is_object(src) || json_is_array(src))) {
        /* Nothing below is labelled (or a pointer goes through a scalar and resolves to
         * nothing): an ordinary deep copy will do. */
        copy = json_deep_copy(src);
        if (copy == NULL) return RK_ENOMEM;
        *out = copy;
        return RK_OK;
    }

    if (json_is_object(src)) {
        const char *key;
        json_t *child;
        copy = json_object();
        if (copy == NULL) return RK_ENOMEM;
        json_object_foreach((json_t *)src, key, child)
        {
            rc = copy_child(src, child, active, nactive, depth, key, 0, &child_copy);
            if (rc != RK_OK) goto fail;
            if (child_copy != NULL && json_object_set_new(copy, key, child_copy) != 0) {
                rc = RK_ENOMEM;
                goto fail;
            }
        }
    } else {
        size_t i;
        json_t *child;
        copy = json_array();
        if (copy == NULL) return RK_ENOMEM;
        json_array_foreach(src, i, child)
        {
            rc = copy_child(src, child, active, nactive, depth, NULL, i, &child_copy);
            if (rc != RK_OK) goto fail;
            if (child_copy != NULL && json_array_append_new(copy, child_copy) != 0) {
                rc = RK_ENOMEM;
                goto fail;
            }
        }
    }
    *out = copy;
    return RK_OK;

fail:
    json_decref(copy);
    return rc;
}

/* policy_view and policy_view_fields differ only in who decided the object is readable. */
static int view_redacted(const struct pol_principal *p, const struct pol_scope *s,
                         const json_t *obj, const json_t *field_labels, bool check_read,
                         json_t **out)
{
    struct rule_set rs;
    const struct field_rule **hidden = NULL;
    size_t nhidden = 0;
    int rc;

    if (out == NULL) return RK_EINVAL;
    *out = NULL;
    if (obj == NULL) return RK_EINVAL;
    rc = rule_set_parse(field_labels, &rs);
    if (rc != RK_OK) return rc;
    if (check_read && !policy_may_read(p, s)) {
        rc = RK_ENOTFOUND;
        goto out;
    }
    /* Without the read check a malformed principal or scope would otherwise clear every
     * unlabelled field; it is the caller's error, not a missing object. */
    if (!check_read && (!principal_valid(p) || !scope_valid(s))) {
        rc = RK_EINVAL;
        goto out;
    }
    if (rs.n > 0) {
        hidden = malloc(
            rs.n * sizeof(*hidden)); /* NOLINT(bugprone-sizeof-expression): array of pointers */
        if (hidden == NULL) {
            rc = RK_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < rs.n; i++) {
        if (policy_field_visible(p, s, rs.rules[i].labels)) continue;
        /* The whole document carries a label p lacks: answer exactly as for a missing object. */
        if (rs.rules[i].ntokens == 0) {
            rc = RK_ENOTFOUND;
            goto out;
        }
        hidden[nhidden++] = &rs.rules[i];
    }
    rc = copy_redacted(obj, hidden, nhidden, 0, out);

out:
    free(hidden);
    rule_set_release(&rs);
    return rc;
}

int policy_view(const struct pol_principal *p, const struct pol_scope *s, const json_t *obj,
                const json_t *field_labels, json_t **out)
{
    return view_redacted(p, s, obj, field_labels, true, out);
}

int policy_view_fields(const struct pol_principal *p, const struct pol_scope *s, const json_t *obj,
                       const json_t *field_labels, json_t **out)
{
    return view_redacted(p, s, obj, field_labels, false, out);
}

/* ---- foundation records ----------------------------------------------------------------- */

/* Every foundation rule needs a well-formed, logged-in principal; this is the common gate. */
static bool known_user(const struct pol_principal *p)
{
    return principal_valid(p) && authenticated(p);
}

bool policy_org_may_read(const struct pol_principal *p, int64_t org_id)
{
    return known_user(p);
}

bool policy_org_may_read_details(const struct pol_principal *p, int64_t org_id)
{
    return known_user(p) && (in_org(p, org_id) || is_national_centre(p));
}

bool policy_org_may_create(const struct pol_principal *p)
{
    return known_user(p) && is_platform_admin(p);
}

bool policy_org_may_update(const struct pol_principal *p, int64_t org_id)
{
    return known_user(p) && (is_platform_admin(p) || is_org_admin_of(p, org_id));
}

bool policy_user_may_read(const struct pol_principal *p, int64_t user_org, int64_t user_id)
{
    return known_user(p) &&
           (p->user_id == user_id || is_org_admin_of(p, user_org) || is_platform_admin(p));
}

bool policy_user_may_manage(const struct pol_principal *p, int64_t user_org)
{
    return known_user(p) && (is_org_admin_of(p, user_org) || is_platform_admin(p));
}

bool policy_may_grant_roles(const struct pol_principal *p, enum pol_org_type target_org_type,
                            unsigned roles)
{
    if (!known_user(p) || (unsigned)target_org_type >= POL_ORG__COUNT || roles == 0 ||
        (roles & ~POL_ROLE__ALL) != 0)
        return false;
    if (roles & POL_ROLE_ADMIN)
        return is_platform_admin(p) && target_org_type == POL_ORG_NATIONAL_CENTRE;
    return is_platform_admin(p) || (p->roles & POL_ROLE_ORG_ADMIN) != 0;
}

bool policy_token_may_manage(const struct pol_principal *p, int64_t token_user,
                             int64_t token_user_org)
{
    return known_user(p) &&
           (p->user_id == token_user || is_org_admin_of(p, token_user_org) || is_platform_admin(p));
}

bool policy_audit_may_read(const struct pol_principal *p, int64_t record_org)
{
    return known_user(p) && (is_platform_admin(p) || is_org_admin_of(p, record_org));
}

/* ---- the asset registry ----------------------------------------------------------------- */

#define FILING_ROLES (POL_ROLE_ORG_ADMIN | POL_ROLE_ANALYST | POL_ROLE_REPORTER)

static bool is_operator_type(enum pol_org_type t)
{
    return t == POL_ORG_CORE_OPERATOR || t == POL_ORG_CI_OPERATOR;
}

/* Government readers of the registry: own staff only. */
static bool registry_government(const struct pol_principal *p, uint64_t owner_sectors)
{
    if (p->contractor) return false;
    if (p->org_type == POL_ORG_NATIONAL_CENTRE) return true;
    return p->org_type == POL_ORG_MINISTRY && (p->sectors & owner_sectors) != 0;
}

bool policy_asset_may_read(const struct pol_principal *p, const struct pol_asset *a)
{
    if (!known_user(p) || a == NULL || a->owner_org == 0) return false;
    if (in_org(p, a->owner_org)) return true;
    if (registry_government(p, a->owner_sectors)) return true;
    return p->org_type == POL_ORG_VENDOR && (a->delegated || a->filed_by_p_org);
}

bool policy_asset_may_read_draft(const struct pol_principal *p, const struct pol_asset *a)
{
    if (!known_user(p) || a == NULL || a->owner_org == 0) return false;
    return in_org(p, a->owner_org) || (p->org_type == POL_ORG_VENDOR && a->delegated);
}

bool policy_asset_may_file(const struct pol_principal *p, const struct pol_asset *a)
{
    if (!known_user(p) || a == NULL || a->owner_org == 0 || !(p->roles & FILING_ROLES))
        return false;
    if (in_org(p, a->owner_org)) return is_operator_type(p->org_type);
    return p->org_type == POL_ORG_VENDOR && a->delegated;
}

bool policy_delegation_may_manage(const struct pol_principal *p, int64_t operator_org,
                                  enum pol_org_type operator_type)
{
    return known_user(p) && is_operator_type(operator_type) && is_org_admin_of(p, operator_org);
}

bool policy_delegation_may_read(const struct pol_principal *p, int64_t operator_org,
                                uint64_t operator_sectors, int64_t vendor_org)
{
    if (!known_user(p)) return false;
    return in_org(p, operator_org) || in_org(p, vendor_org) ||
           registry_government(p, operator_sectors);
}

bool policy_submission_may_route(const struct pol_principal *p, uint64_t owner_sectors)
{
    return known_user(p) && !p->contractor && p->org_type == POL_ORG_MINISTRY &&
           (p->sectors & owner_sectors) != 0 && (p->roles & FILING_ROLES) != 0;
}

/* ---- incident reports ------------------------------------------------------------------- */

/* Unknown values are refused, as for scopes: a TLP we cannot name has no audience. */
static bool report_valid(const struct pol_report *r)
{
    return r != NULL && (unsigned)r->tlp <= POL_TLP_RED &&
           (unsigned)r->reporter_type < POL_ORG__COUNT;
}

/* The operator and the CEPTOAR that relayed for it: the report is theirs, whoever they employ. */
static bool report_source(const struct pol_principal *p, const struct pol_report *r)
{
    return in_org(p, r->reporter_org) || in_org(p, r->relay_org);
}

static bool report_recipient(const struct pol_principal *p, const struct pol_report *r)
{
    if (r->recipients == NULL) return false;
    for (size_t i = 0; i < r->nrecipients; i++)
        if (in_org(p, r->recipients[i])) return true;
    return false;
}

/* A recipient organisation's own staff: the routing addresses the organisation, not its
 * contractors. */
static bool recipient_staff(const struct pol_principal *p, const struct pol_report *r,
                            enum pol_org_type type)
{
    return !p->contractor && p->org_type == type && report_recipient(p, r);
}

bool policy_report_may_read(const struct pol_principal *p, const struct pol_report *r)
{
    if (!known_user(p) || !report_valid(r)) return false;
    if (report_source(p, r)) return true;
    /* Beyond its source a report is an ordinary TLP object whose addressees are its recipients. */
    struct pol_scope s = {.owner_org = r->reporter_org,
                          .sectors = r->sectors,
                          .tlp = {r->tlp},
                          .ntlp = 1,
                          .tier = POL_TIER_NONE,
                          .named = r->recipients,
                          .nnamed = r->nrecipients,
                          .labels = 0};
    return policy_may_read(p, &s);
}

bool policy_report_part_visible(const struct pol_principal *p, const struct pol_report *r,
                                enum pol_report_part part)
{
    if (!policy_report_may_read(p, r)) return false;
    if (part == POL_PART_BODY) return true;
    if ((unsigned)part > POL_PART_ROUTING) return false;
    if (report_source(p, r)) return true;
    switch (part) {
    case POL_PART_IDENTITY:
        /* Anonymised relay: recipients see the CEPTOAR as the source, never the operator. */
        return !r->anonymised && !p->contractor && report_recipient(p, r);
    case POL_PART_OPTED_OUT:
        return recipient_staff(p, r, POL_ORG_MINISTRY) ||
               (recipient_staff(p, r, POL_ORG_NATIONAL_CENTRE) &&
                is_operator_type(r->reporter_type));
    case POL_PART_ROUTING:
        return !p->contractor && report_recipient(p, r);
    case POL_PART_ANNEX:
        /* Personal-data breach annexes stay with the receiving ministry, opt-out or not; an
         * APPI breach report names the business, so not when the relay anonymised it. */
        return !r->anonymised && recipient_staff(p, r, POL_ORG_MINISTRY);
    default:
        return false;
    }
}

/* A CEPTOAR relays for operators of its own sectors, by its own staff (domain.md §5.3). */
static bool may_relay_for(const struct pol_principal *p, int64_t reporter_org,
                          enum pol_org_type reporter_type, uint64_t reporter_sectors)
{
    return p->org_type == POL_ORG_CEPTOAR && !p->contractor && p->org_id != 0 &&
           p->org_id != reporter_org && is_operator_type(reporter_type) &&
           (reporter_sectors & p->sectors) != 0;
}

bool policy_report_may_create(const struct pol_principal *p, int64_t reporter_org,
                              enum pol_org_type reporter_type, uint64_t reporter_sectors,
                              bool relay)
{
    if (!known_user(p) || !(p->roles & FILING_ROLES) || reporter_org == 0 ||
        (unsigned)reporter_type >= POL_ORG__COUNT)
        return false;
    if (relay) return may_relay_for(p, reporter_org, reporter_type, reporter_sectors);
    return in_org(p, reporter_org);
}

bool policy_report_may_add(const struct pol_principal *p, const struct pol_report *r)
{
    return known_user(p) && report_valid(r) && (p->roles & FILING_ROLES) != 0 &&
           report_source(p, r);
}

bool policy_report_may_ack(const struct pol_principal *p, const struct pol_report *r)
{
    return known_user(p) && report_valid(r) && (p->roles & FILING_ROLES) != 0 && !p->contractor &&
           report_recipient(p, r);
}

/* ---- dissemination: advisories, inbox, pushed products, council channels ----------------- */

/* The user id given to an organisation read as its own staff: any nonzero value would do, since
 * no rule compares user ids with an object; a negative one cannot be a real user's. */
#define ORG_AS_USER ((int64_t)-1)

/* An organisation (org_id, org_type, sectors; with `standing`, also council and designated) as
 * an authenticated own-staff principal with no roles. False for organisation 0 and malformed
 * values. */
static bool org_as_principal(const struct pol_principal *org, bool standing,
                             struct pol_principal *q)
{
    if (org == NULL || org->org_id == 0) return false;
    *q = (struct pol_principal){.user_id = ORG_AS_USER,
                                .org_id = org->org_id,
                                .org_type = org->org_type,
                                .sectors = org->sectors,
                                .council = standing ? org->council : POL_COUNCIL_NONE,
                                .designated = standing && org->designated};
    return principal_valid(q);
}

static bool advisory_valid(const struct pol_advisory *a)
{
    return a != NULL && (unsigned)a->tlp <= POL_TLP_RED && (a->nnamed == 0 || a->named != NULL);
}

/* Assumes advisory_valid(a). */
static struct pol_scope advisory_scope(const struct pol_advisory *a)
{
    return (struct pol_scope){.owner_org = a->sender_org,
                              .sectors = a->sectors,
                              .tlp = {a->tlp},
                              .ntlp = 1,
                              .tier = POL_TIER_NONE,
                              .named = a->named,
                              .nnamed = a->nnamed};
}

/* §6.3: the audience is the sender's allowed scope (the TLP) intersected with the sectors the
 * centre chose, so unlike policy_may_read even GREEN and CLEAR need a sector in common; naming
 * an organisation (a ministry addressee, a recorded widening) is the only way past that. q is
 * authenticated and valid. */
static bool advisory_audience(const struct pol_principal *q, const struct pol_advisory *a)
{
    struct pol_scope s = advisory_scope(a);
    bool concerned = (q->sectors & a->sectors) != 0;

    if (q->org_id == 0) return false;
    if (is_owner(q, &s) || is_named(q, &s)) return true;
    switch (a->tlp) {
    case POL_TLP_AMBER:
    case POL_TLP_AMBER_STRICT:
        return is_national_centre(q) || sector_body_concerned(q, &s);
    case POL_TLP_GREEN:
        return is_national_centre(q) || (ci_related_body(q) && concerned);
    case POL_TLP_CLEAR:
        return is_national_centre(q) ||
               (concerned && (ci_related_body(q) || q->org_type == POL_ORG_FOREIGN_GOV ||
                              q->org_type == POL_ORG_OTHER));
    default: /* RED: the sender and the named addressees only */
        return false;
    }
}

bool policy_advisory_in_audience(const struct pol_principal *org, const struct pol_advisory *a)
{
    struct pol_principal q;
    return org_as_principal(org, false, &q) && advisory_valid(a) && advisory_audience(&q, a);
}

bool policy_advisory_may_read(const struct pol_principal *p, const struct pol_advisory *a)
{
    if (!principal_valid(p) || !advisory_valid(a)) return false;
    if (in_org(p, a->sender_org)) {
        /* The centre's contractors: not its drafts (built from reports they may not read), and
         * at RED and AMBER+STRICT not the sent advisory either (own staff only). */
        if (!p->contractor) return true;
        return a->sent && a->tlp != POL_TLP_RED && a->tlp != POL_TLP_AMBER_STRICT;
    }
    if (!a->sent) return false; /* a draft is the centre's alone */
    if (a->tlp == POL_TLP_CLEAR) return true;
    /* Beyond the public level an advisory is read where it was delivered, by its audience. */
    if (!authenticated(p) || !a->held) return false;
    if (p->contractor && (a->tlp == POL_TLP_RED || a->tlp == POL_TLP_AMBER_STRICT)) return false;
    return advisory_audience(p, a);
}

/* Writers on an organisation's own staff: the people who speak for it. */
static bool staff_writer_of(const struct pol_principal *p, int64_t org)
{
    return in_org(p, org) && !p->contractor && (p->roles & FILING_ROLES) != 0;
}

bool policy_advisory_may_send(const struct pol_principal *p, int64_t sender_org)
{
    return known_user(p) && p->org_type == POL_ORG_NATIONAL_CENTRE &&
           staff_writer_of(p, sender_org);
}

bool policy_advisory_may_relay(const struct pol_principal *p, const struct pol_advisory *a)
{
    if (!known_user(p) || !advisory_valid(a) || !a->sent || !a->held || a->tlp == POL_TLP_RED)
        return false;
    if (p->org_type != POL_ORG_MINISTRY && p->org_type != POL_ORG_CEPTOAR) return false;
    return staff_writer_of(p, p->org_id) && policy_advisory_may_read(p, a);
}

bool policy_advisory_relay_target(const struct pol_principal *relayer,
                                  const struct pol_principal *target, const struct pol_advisory *a)
{
    struct pol_principal r, t;
    if (!org_as_principal(relayer, false, &r) || !org_as_principal(target, false, &t) ||
        !advisory_valid(a) || !advisory_audience(&t, a))
        return false;
    if (t.org_id == r.org_id || t.org_id == a->sender_org) return false;
    /* Ministries relay to the operators and CEPTOARs of their sectors, CEPTOARs to their member
     * operators (domain.md §2), and only within the sectors the centre chose. */
    if ((t.sectors & r.sectors & a->sectors) == 0) return false;
    switch (r.org_type) {
    case POL_ORG_MINISTRY:
        return is_operator_type(t.org_type) || t.org_type == POL_ORG_CEPTOAR;
    case POL_ORG_CEPTOAR:
        return is_operator_type(t.org_type);
    default:
        return false;
    }
}

bool policy_advisory_may_ack(const struct pol_principal *p, const struct pol_advisory *a)
{
    return known_user(p) && p->org_id != 0 && !p->contractor && advisory_valid(a) && a->held &&
           !in_org(p, a->sender_org) && policy_advisory_may_read(p, a);
}

bool policy_advisory_may_read_ack(const struct pol_principal *p, const struct pol_advisory *a,
                                  int64_t row_org, int64_t row_relayed_from)
{
    if (!known_user(p) || !advisory_valid(a) || p->contractor) return false;
    /* in_org never matches organisation 0, so a row nobody relayed names no relayer. */
    return in_org(p, a->sender_org) || in_org(p, row_relayed_from) || in_org(p, row_org);
}

void policy_advisory_scope(const struct pol_advisory *a, struct pol_scope *out)
{
    if (out == NULL) return;
    if (advisory_valid(a)) {
        *out = advisory_scope(a);
        return;
    }
    /* Unknown label bits make scope_valid() refuse it everywhere, the sender included. */
    *out = (struct pol_scope){.tlp = {POL_TLP_RED}, .ntlp = 1, .labels = ~0u};
}

bool policy_inbox_may_list(const struct pol_principal *p, int64_t org_id)
{
    return known_user(p) && in_org(p, org_id);
}

bool policy_product_push_target(const struct pol_principal *org, const struct pol_scope *s)
{
    struct pol_principal q;
    if (!org_as_principal(org, true, &q) || !policy_may_read(&q, s) || in_org(&q, s->owner_org))
        return false;
    /* Pushed to those the law gives products to (§2, §6.2): council members and friends,
     * ministries, designated agencies, foreign governments. Others pull what they may read. */
    return q.council != POL_COUNCIL_NONE || q.org_type == POL_ORG_MINISTRY || q.designated ||
           q.org_type == POL_ORG_FOREIGN_GOV;
}

static bool thread_valid(const struct pol_thread *t)
{
    return t != NULL && (t->nmembers == 0 || t->members != NULL);
}

static bool thread_member(const struct pol_principal *p, const struct pol_thread *t)
{
    if (in_org(p, t->owner_org)) return true;
    for (size_t i = 0; i < t->nmembers; i++)
        if (in_org(p, t->members[i])) return true;
    return false;
}

bool policy_thread_may_read(const struct pol_principal *p, const struct pol_thread *t)
{
    return known_user(p) && thread_valid(t) && thread_member(p, t);
}

bool policy_thread_may_manage(const struct pol_principal *p, int64_t owner_org)
{
    return known_user(p) && p->org_type == POL_ORG_NATIONAL_CENTRE && staff_writer_of(p, owner_org);
}

bool policy_thread_may_post(const struct pol_principal *p, const struct pol_thread *t)
{
    return policy_thread_may_read(p, t) && (p->roles & FILING_ROLES) != 0;
}

bool policy_message_may_read(const struct pol_principal *p, const struct pol_message *m)
{
    if (m == NULL || !policy_thread_may_read(p, m->t)) return false;
    if (p->org_id != m->sender_org && p->org_id != m->t->owner_org && !m->addressed) return false;
    /* The members and the owner are the message's addressees. p is one of them here, so naming
     * p's own organisation decides exactly as the whole list would, without building it. */
    struct pol_scope s = {.owner_org = m->sender_org,
                          .sectors = 0,
                          .tlp = {m->tlp},
                          .ntlp = 1,
                          .tier = POL_TIER_NONE,
                          .named = &p->org_id,
                          .nnamed = 1};
    return policy_may_read(p, &s) && policy_field_visible(p, &s, m->labels);
}

bool policy_message_may_send_to(const struct pol_principal *org, const struct pol_message *m)
{
    struct pol_principal q;
    if (m == NULL) return false;
    struct pol_message as_addressee = *m;
    as_addressee.addressed = true;
    return org_as_principal(org, true, &q) && policy_message_may_read(&q, &as_addressee);
}
