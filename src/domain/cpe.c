#include "domain/cpe.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/rk.h"

static const char *const attr_names[CPE_NATTR] = {
    "part",     "vendor",     "product",   "version",   "update", "edition",
    "language", "sw_edition", "target_sw", "target_hw", "other"};

const char *cpe_attr_name(int i)
{
    return i >= 0 && i < CPE_NATTR ? attr_names[i] : "name";
}

static int fail(struct cpe_error *err, int attr, const char *msg)
{
    if (err) {
        err->attr = attr;
        err->message = msg;
    }
    return RK_EINVAL;
}

static bool bare(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* The printable characters that must be escaped in a formatted string. */
static bool quotable(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !bare(c);
}

static bool language_ok(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && isalpha((unsigned char)v[i]))
        i++;
    if (i < 2 || i > 3) return false;
    if (i == n) return true;
    if (v[i] != '-') return false;
    size_t rest = n - i - 1;
    const char *r = v + i + 1;
    if (rest == 2) return isalpha((unsigned char)r[0]) && isalpha((unsigned char)r[1]);
    return rest == 3 && isdigit((unsigned char)r[0]) && isdigit((unsigned char)r[1]) &&
           isdigit((unsigned char)r[2]);
}

/* Parses one attribute (raw text v[0..n), escapes intact). */
static int parse_attr(int idx, const char *v, size_t n, struct cpe_attr *a, struct cpe_error *err)
{
    memset(a, 0, sizeof *a);
    if (n == 1 && v[0] == '*') return (a->kind = CPE_ANY), RK_OK;
    if (n == 1 && v[0] == '-') return (a->kind = CPE_NA), RK_OK;
    if (n == 0) return fail(err, idx, "empty attribute: use * (any) or - (not applicable)");
    if (n >= CPE_VALUE_MAX) return fail(err, idx, "attribute longer than 255 characters");
    if (idx == CPE_PART) return fail(err, idx, "part must be a, o, h, * or -");
    if (idx == CPE_LANGUAGE && !language_ok(v, n))
        return fail(err, idx, "language must be a tag like ja or ja-jp, or * or -");
    a->kind = CPE_VALUE;
    size_t literals = 0;
    bool seen_literal = false, ended = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\\') {
            if (i + 1 >= n || !quotable((unsigned char)v[i + 1]))
                return fail(err, idx, "a backslash must escape a printable punctuation character");
            if (ended) return fail(err, idx, "wildcards may stand only at the start or the end");
            i++;
            literals++;
            seen_literal = true;
            continue;
        }
        if (c == '*' || c == '?') {
            if (!seen_literal) {
                if (c == '*' && (a->star_lead || a->q_lead))
                    return fail(err, idx, "at most one * or a run of ? may lead a value");
                if (c == '?' && a->star_lead) return fail(err, idx, "* and ? cannot be mixed");
                if (c == '*')
                    a->star_lead = true;
                else
                    a->q_lead++;
            } else {
                if (c == '*' && (a->star_trail || a->q_trail))
                    return fail(err, idx, "at most one * or a run of ? may end a value");
                if (c == '?' && a->star_trail) return fail(err, idx, "* and ? cannot be mixed");
                if (c == '*')
                    a->star_trail = true;
                else
                    a->q_trail++;
                ended = true;
            }
            continue;
        }
        if (!bare(c))
            return fail(err, idx, "unescaped special character (escape it with a backslash)");
        if (ended) return fail(err, idx, "wildcards may stand only at the start or the end");
        literals++;
        seen_literal = true;
    }
    if (!literals) return fail(err, idx, "a value needs at least one character besides wildcards");
    if (idx == CPE_LANGUAGE && (a->star_lead || a->star_trail || a->q_lead || a->q_trail))
        return fail(err, idx, "language cannot hold wildcards");
    for (size_t i = 0; i < n; i++)
        a->v[i] = (char)tolower((unsigned char)v[i]);
    a->v[n] = 0;
    return RK_OK;
}

int cpe_parse(const char *s, struct cpe *out, struct cpe_error *err)
{
    if (!s || !out) return fail(err, -1, "no name");
    size_t len = strnlen(s, CPE_MAX_LEN + 1);
    if (len > CPE_MAX_LEN) return fail(err, -1, "name longer than 1024 characters");
    if (strncmp(s, "cpe:2.3:", 8) != 0) return fail(err, -1, "a CPE 2.3 name starts with cpe:2.3:");
    const char *p = s + 8, *end = s + len;
    int idx = 0;
    const char *start = p;
    for (const char *q = p;; q++) {
        if (q < end && *q == '\\' && q + 1 < end) {
            q++;
            continue;
        }
        if (q == end || *q == ':') {
            if (idx >= CPE_NATTR) return fail(err, -1, "more than 11 attributes after cpe:2.3:");
            size_t n = (size_t)(q - start);
            if (idx == CPE_PART) {
                char c = n == 1 ? (char)tolower((unsigned char)start[0]) : 0;
                if (c == 'a' || c == 'o' || c == 'h') {
                    memset(&out->a[0], 0, sizeof out->a[0]);
                    out->a[0].kind = CPE_VALUE;
                    out->a[0].v[0] = c;
                } else if (parse_attr(idx, start, n, &out->a[idx], err) != RK_OK) {
                    return RK_EINVAL;
                }
            } else if (parse_attr(idx, start, n, &out->a[idx], err) != RK_OK) {
                return RK_EINVAL;
            }
            idx++;
            if (q == end) break;
            start = q + 1;
        }
    }
    if (idx != CPE_NATTR)
        return fail(err, -1, "a CPE 2.3 name has exactly 11 attributes after cpe:2.3:");
    return RK_OK;
}

int cpe_format(const struct cpe *c, char *buf, size_t cap)
{
    size_t used = 0;
    int n = snprintf(buf, cap, "cpe:2.3");
    if (n < 0 || (size_t)n >= cap) return RK_ELIMIT;
    used = (size_t)n;
    for (int i = 0; i < CPE_NATTR; i++) {
        const struct cpe_attr *a = &c->a[i];
        const char *v = a->kind == CPE_ANY ? "*" : a->kind == CPE_NA ? "-" : a->v;
        n = snprintf(buf + used, cap - used, ":%s", v);
        if (n < 0 || (size_t)n >= cap - used) return RK_ELIMIT;
        used += (size_t)n;
    }
    return RK_OK;
}

static bool attr_wild(const struct cpe_attr *a)
{
    return a->kind == CPE_VALUE && (a->star_lead || a->star_trail || a->q_lead || a->q_trail);
}

bool cpe_has_wildcards(const struct cpe *c)
{
    for (int i = 0; i < CPE_NATTR; i++)
        if (attr_wild(&c->a[i])) return true;
    return false;
}

/* The literal characters of a value, escapes removed, wildcards stripped. */
static size_t literal(const struct cpe_attr *a, char *out)
{
    size_t n = 0, len = strlen(a->v);
    size_t i = (a->star_lead ? 1 : 0) + a->q_lead;
    size_t stop = len - (a->star_trail ? 1 : 0) - a->q_trail;
    for (; i < stop; i++) {
        if (a->v[i] == '\\') i++;
        out[n++] = a->v[i];
    }
    out[n] = 0;
    return n;
}

static bool value_matches(const struct cpe_attr *s, const struct cpe_attr *t)
{
    char sl[CPE_VALUE_MAX], tl[CPE_VALUE_MAX];
    size_t sn = literal(s, sl), tn = literal(t, tl);
    /* T = prefix + S's literal + suffix, with the lengths the wildcards allow. */
    for (size_t pre = 0; pre + sn <= tn; pre++) {
        size_t post = tn - pre - sn;
        bool pre_ok = s->star_lead ? true : pre == s->q_lead;
        bool post_ok = s->star_trail ? true : post == s->q_trail;
        if (pre_ok && post_ok && memcmp(tl + pre, sl, sn) == 0) return true;
    }
    return false;
}

enum cpe_rel cpe_compare_attr(const struct cpe_attr *s, const struct cpe_attr *t)
{
    if (attr_wild(t)) return CPE_UNDEFINED;
    switch (s->kind) {
    case CPE_ANY:
        return t->kind == CPE_ANY ? CPE_EQUAL : CPE_SUPERSET;
    case CPE_NA:
        return t->kind == CPE_ANY ? CPE_SUBSET : t->kind == CPE_NA ? CPE_EQUAL : CPE_DISJOINT;
    case CPE_VALUE:
        if (t->kind == CPE_ANY) return CPE_SUBSET;
        if (t->kind == CPE_NA) return CPE_DISJOINT;
        if (attr_wild(s)) return value_matches(s, t) ? CPE_SUPERSET : CPE_DISJOINT;
        {
            char sl[CPE_VALUE_MAX], tl[CPE_VALUE_MAX];
            literal(s, sl);
            literal(t, tl);
            return strcmp(sl, tl) == 0 ? CPE_EQUAL : CPE_DISJOINT;
        }
    }
    return CPE_UNDEFINED;
}

enum cpe_rel cpe_compare(const struct cpe *s, const struct cpe *t)
{
    bool all_eq = true, sub_or_eq = true, super_or_eq = true, disjoint = false;
    for (int i = 0; i < CPE_NATTR; i++) {
        enum cpe_rel r = cpe_compare_attr(&s->a[i], &t->a[i]);
        if (r == CPE_UNDEFINED) return CPE_UNDEFINED;
        disjoint |= r == CPE_DISJOINT;
        all_eq &= r == CPE_EQUAL;
        sub_or_eq &= r == CPE_SUBSET || r == CPE_EQUAL;
        super_or_eq &= r == CPE_SUPERSET || r == CPE_EQUAL;
    }
    if (disjoint) return CPE_DISJOINT;
    if (all_eq) return CPE_EQUAL;
    if (sub_or_eq) return CPE_SUBSET;
    if (super_or_eq) return CPE_SUPERSET;
    return CPE_NO_RELATION;
}

bool cpe_matches(const struct cpe *criteria, const struct cpe *asset)
{
    enum cpe_rel r = cpe_compare(criteria, asset);
    return r == CPE_SUPERSET || r == CPE_EQUAL;
}

const char *cpe_rel_name(enum cpe_rel r)
{
    switch (r) {
    case CPE_DISJOINT:
        return "disjoint";
    case CPE_SUBSET:
        return "subset";
    case CPE_SUPERSET:
        return "superset";
    case CPE_EQUAL:
        return "equal";
    case CPE_NO_RELATION:
        return "no_relation";
    case CPE_UNDEFINED:
        return "undefined";
    }
    return "unknown";
}

static int name_attr(const char *in, struct cpe_attr *a, bool may_be_empty)
{
    memset(a, 0, sizeof *a);
    if (!in || !*in) {
        a->kind = CPE_ANY;
        return may_be_empty ? RK_OK : RK_EINVAL;
    }
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        unsigned char c = *p == ' ' ? '_' : (unsigned char)tolower(*p);
        if (c >= 0x80 || c < 0x20 || c == 0x7f) return RK_EINVAL;
        if (n + 3 >= CPE_VALUE_MAX) return RK_EINVAL;
        if (!bare(c)) a->v[n++] = '\\';
        a->v[n++] = (char)c;
    }
    a->v[n] = 0;
    a->kind = CPE_VALUE;
    return RK_OK;
}

int cpe_from_product(char part, const char *vendor, const char *product, const char *version,
                     struct cpe *out)
{
    memset(out, 0, sizeof *out);
    if (part != 'a' && part != 'o' && part != 'h') return RK_EINVAL;
    out->a[CPE_PART].kind = CPE_VALUE;
    out->a[CPE_PART].v[0] = part;
    if (name_attr(vendor, &out->a[CPE_VENDOR], false) != RK_OK ||
        name_attr(product, &out->a[CPE_PRODUCT], false) != RK_OK ||
        name_attr(version, &out->a[CPE_VERSION], true) != RK_OK)
        return RK_EINVAL;
    return RK_OK;
}

/* ---- versions ------------------------------------------------------------------------------ */

struct vtok {
    const char *p;
    size_t n;
    bool num;
};

/* Next token of v starting at *i; false at the end. */
static bool vnext(const char *v, size_t *i, struct vtok *t)
{
    while (v[*i] && (v[*i] == '.' || v[*i] == '-' || v[*i] == '_' || v[*i] == '+' || v[*i] == '\\'))
        (*i)++;
    if (!v[*i]) return false;
    t->p = v + *i;
    t->num = isdigit((unsigned char)v[*i]) != 0;
    size_t n = 0;
    while (v[*i] && v[*i] != '.' && v[*i] != '-' && v[*i] != '_' && v[*i] != '+' && v[*i] != '\\' &&
           (isdigit((unsigned char)v[*i]) != 0) == t->num) {
        (*i)++;
        n++;
    }
    t->n = n;
    return true;
}

static int num_cmp(const struct vtok *a, const struct vtok *b)
{
    const char *pa = a->p, *pb = b->p;
    size_t na = a->n, nb = b->n;
    while (na > 1 && *pa == '0')
        pa++, na--;
    while (nb > 1 && *pb == '0')
        pb++, nb--;
    if (na != nb) return na < nb ? -1 : 1;
    int c = memcmp(pa, pb, na);
    return (c > 0) - (c < 0);
}

static bool all_zero(const struct vtok *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->p[i] != '0') return false;
    return true;
}

int cpe_version_cmp(const char *a, const char *b)
{
    size_t i = 0, j = 0;
    for (;;) {
        struct vtok ta, tb;
        bool ha = vnext(a, &i, &ta), hb = vnext(b, &j, &tb);
        if (!ha && !hb) return 0;
        if (!ha || !hb) {
            /* One ran out: trailing zeros change nothing, a word marks a pre-release (sorts
             * before the release), anything else makes the longer version greater. */
            const struct vtok *rest = ha ? &ta : &tb;
            int longer = ha ? 1 : -1;
            const char *v = ha ? a : b;
            size_t *k = ha ? &i : &j;
            struct vtok cur = *rest;
            for (;;) {
                if (!cur.num) return -longer;
                if (!all_zero(&cur)) return longer;
                if (!vnext(v, k, &cur)) return 0;
            }
        }
        if (ta.num != tb.num) return ta.num ? 1 : -1;
        int c;
        if (ta.num) {
            c = num_cmp(&ta, &tb);
        } else {
            size_t n = ta.n < tb.n ? ta.n : tb.n;
            c = memcmp(ta.p, tb.p, n);
            c = c ? (c > 0) - (c < 0) : (ta.n > tb.n) - (ta.n < tb.n);
        }
        if (c) return c;
    }
}

bool cpe_version_in_range(const char *v, const char *start_incl, const char *start_excl,
                          const char *end_incl, const char *end_excl)
{
    if (start_incl && cpe_version_cmp(v, start_incl) < 0) return false;
    if (start_excl && cpe_version_cmp(v, start_excl) <= 0) return false;
    if (end_incl && cpe_version_cmp(v, end_incl) > 0) return false;
    if (end_excl && cpe_version_cmp(v, end_excl) >= 0) return false;
    return true;
}
