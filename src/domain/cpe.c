/*
 * cpe.c — CPE 2.3 formatted strings, NISTIR 7696 matching and version order for NVD bounds.
 * The contract is in cpe.h. Character classes are spelt out in ASCII rather than taken from
 * <ctype.h>: a locale set elsewhere in the process must not change what a valid name is.
 */
#include "domain/cpe.h"

#include <stdio.h>
#include <string.h>

#include "core/ascii.h"
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

/* Characters that stand unescaped in a formatted string (the regex's [a-zA-Z0-9\-\._]). */
static bool bare(unsigned char c)
{
    return rk_is_alpha(c) || rk_is_digit(c) || c == '-' || c == '.' || c == '_';
}

/* The printable characters that must be escaped in a formatted string. */
static bool quotable(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !bare(c);
}

static bool language_ok(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && rk_is_alpha((unsigned char)v[i]))
        i++;
    if (i < 2 || i > 3) return false;
    if (i == n) return true;
    if (v[i] != '-') return false;
    size_t rest = n - i - 1;
    const char *r = v + i + 1;
    if (rest == 2) return rk_is_alpha((unsigned char)r[0]) && rk_is_alpha((unsigned char)r[1]);
    return rest == 3 && rk_is_digit((unsigned char)r[0]) && rk_is_digit((unsigned char)r[1]) &&
           rk_is_digit((unsigned char)r[2]);
}

/* Parses one attribute (raw text v[0..n), escapes intact). */
static int parse_attr(int idx, const char *v, size_t n, struct cpe_attr *a, struct cpe_error *err)
{
    memset(a, 0, sizeof *a);
    if (n == 1 && v[0] == '*') return (a->kind = CPE_ANY), RK_OK;
    if (n == 1 && v[0] == '-') return (a->kind = CPE_NA), RK_OK;
    if (n == 0) return fail(err, idx, "empty attribute: use * (any) or - (not applicable)");
    if (n >= CPE_VALUE_MAX) return fail(err, idx, "attribute longer than 255 characters");
    if (idx == CPE_PART) return fail(err, idx, "part must be a, o, h, * or - (lower case)");
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
        a->v[i] = (char)rk_lower((unsigned char)v[i]);
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
                /* The official regex allows only lower-case a, o, h (or * and -) here, unlike
                 * the other attributes, whose letters may be of either case. */
                char c = n == 1 ? start[0] : 0;
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

/* ---- names as filed ------------------------------------------------------------------------ */

static bool blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/*
 * One attribute from free text. Blanks at the ends are dropped and inner runs become one "_",
 * so "Apache  Log4j " and "apache log4j" give the same name (NVD's dictionary writes a single
 * "_"). A lone "-" or "*" would read back as NA or ANY, not as a value: for a version that is
 * what an operator means; a vendor or product so named is refused.
 */
static int name_attr(const char *in, struct cpe_attr *a, bool is_version)
{
    memset(a, 0, sizeof *a);
    a->kind = CPE_ANY;
    size_t len = in ? strnlen(in, CPE_VALUE_MAX) : 0;
    if (len == CPE_VALUE_MAX) return RK_EINVAL;
    size_t b = 0, e = len;
    while (b < e && blank((unsigned char)in[b]))
        b++;
    while (e > b && blank((unsigned char)in[e - 1]))
        e--;
    if (b == e) return is_version ? RK_OK : RK_EINVAL;
    if (e - b == 1 && (in[b] == '-' || in[b] == '*')) {
        if (!is_version) return RK_EINVAL;
        a->kind = in[b] == '-' ? CPE_NA : CPE_ANY;
        return RK_OK;
    }
    size_t n = 0;
    bool gap = false;
    for (size_t i = b; i < e; i++) {
        unsigned char c = (unsigned char)in[i];
        if (blank(c)) {
            gap = true;
            continue;
        }
        if (c < 0x21 || c > 0x7e) return RK_EINVAL; /* control, DEL or non-ASCII */
        size_t need = (gap ? 1 : 0) + (bare(c) ? 1 : 2);
        if (n + need >= CPE_VALUE_MAX) return RK_EINVAL;
        if (gap) a->v[n++] = '_';
        gap = false;
        if (!bare(c)) a->v[n++] = '\\';
        a->v[n++] = (char)rk_lower(c);
    }
    a->v[n] = 0;
    a->kind = CPE_VALUE;
    return RK_OK;
}

int cpe_from_product(char part, const char *vendor, const char *product, const char *version,
                     struct cpe *out)
{
    if (!out) return RK_EINVAL;
    memset(out, 0, sizeof *out); /* every other attribute ANY */
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

/*
 * A version is read as tokens: runs of digits (numbers) and runs of letters (words); anything
 * else separates. Each token falls in one of three classes, ordered PRE < NUM < POST, and a
 * version that runs out is padded with the number 0. Comparing the padded sequences
 * lexicographically is a total order (the fuzzer checks antisymmetry and transitivity), in
 * which "1.0" == "1.0.0", "2.0-rc1" < "2.0" < "2.0.1" and "1.1.1" < "1.1.1a" < "1.1.1n".
 */
enum vclass { V_PRE = 0, V_NUM = 1, V_POST = 2 };

struct vtok {
    const char *p;
    size_t n;
    enum vclass cls;
    int rank; /* V_PRE only */
};

/* Words that mark a pre-release, by rank; "rc" and "cr" are the same stage. */
static const struct {
    const char *word;
    int rank;
} pre_words[] = {
    {"dev", 0}, {"snapshot", 0}, {"alpha", 1}, {"beta", 2}, {"milestone", 3},
    {"pre", 4}, {"preview", 4},  {"rc", 5},    {"cr", 5},
};

/* Single letters that abbreviate a stage only when a number follows at once ("1.0a1", Python
 * and Maven); alone they are a patch letter after the release ("1.1.1a", OpenSSL). */
static const struct {
    char letter;
    int rank;
} pre_letters[] = {{'a', 1}, {'b', 2}, {'m', 3}, {'c', 5}};

/* Words that mean the release itself: "1.0.Final" == "1.0". */
static const char *const release_words[] = {"ga", "final", "release"};

static bool word_is(const struct vtok *t, const char *w)
{
    size_t n = strlen(w);
    if (t->n != n) return false;
    for (size_t i = 0; i < n; i++)
        if (rk_lower((unsigned char)t->p[i]) != (unsigned char)w[i]) return false;
    return true;
}

static void classify_word(struct vtok *t, bool digit_follows)
{
    t->cls = V_POST;
    for (size_t i = 0; i < RK_ARRAY_LEN(pre_words); i++)
        if (word_is(t, pre_words[i].word)) {
            t->cls = V_PRE;
            t->rank = pre_words[i].rank;
            return;
        }
    if (t->n == 1 && digit_follows)
        for (size_t i = 0; i < RK_ARRAY_LEN(pre_letters); i++)
            if (rk_lower((unsigned char)t->p[0]) == (unsigned char)pre_letters[i].letter) {
                t->cls = V_PRE;
                t->rank = pre_letters[i].rank;
                return;
            }
    for (size_t i = 0; i < RK_ARRAY_LEN(release_words); i++)
        if (word_is(t, release_words[i])) {
            t->cls = V_NUM;
            t->p = "0";
            t->n = 1;
            return;
        }
}

/* Next token of v[0..len) from *i; false when none is left. */
static bool vnext(const char *v, size_t len, size_t *i, struct vtok *t)
{
    while (*i < len && !rk_is_digit((unsigned char)v[*i]) && !rk_is_alpha((unsigned char)v[*i]))
        (*i)++;
    if (*i >= len) return false;
    bool num = rk_is_digit((unsigned char)v[*i]);
    size_t start = *i;
    while (*i < len &&
           (num ? rk_is_digit((unsigned char)v[*i]) : rk_is_alpha((unsigned char)v[*i])))
        (*i)++;
    t->p = v + start;
    t->n = *i - start;
    t->rank = 0;
    if (num)
        t->cls = V_NUM;
    else
        classify_word(t, *i < len && rk_is_digit((unsigned char)v[*i]));
    return true;
}

/* Numbers of any length: strip leading zeros, then the longer is larger, else by digits. */
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

static int word_cmp(const struct vtok *a, const struct vtok *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = rk_lower((unsigned char)a->p[i]), cb = rk_lower((unsigned char)b->p[i]);
        if (ca != cb) return ca < cb ? -1 : 1;
    }
    return (a->n > b->n) - (a->n < b->n);
}

static int vtok_cmp(const struct vtok *a, const struct vtok *b)
{
    if (a->cls != b->cls) return a->cls < b->cls ? -1 : 1;
    if (a->cls == V_NUM) return num_cmp(a, b);
    if (a->cls == V_PRE) return (a->rank > b->rank) - (a->rank < b->rank);
    return word_cmp(a, b);
}

int cpe_version_cmp(const char *a, const char *b)
{
    static const struct vtok zero = {.p = "0", .n = 1, .cls = V_NUM};
    size_t la = a ? strnlen(a, CPE_MAX_LEN) : 0, lb = b ? strnlen(b, CPE_MAX_LEN) : 0;
    size_t i = 0, j = 0;
    for (;;) {
        struct vtok ta, tb;
        bool ha = vnext(a, la, &i, &ta), hb = vnext(b, lb, &j, &tb);
        if (!ha && !hb) return 0;
        int c = vtok_cmp(ha ? &ta : &zero, hb ? &tb : &zero);
        if (c) return c;
    }
}

bool cpe_version_in_range(const char *v, const char *start_incl, const char *start_excl,
                          const char *end_incl, const char *end_excl)
{
    if (!v) return false;
    if (start_incl && cpe_version_cmp(v, start_incl) < 0) return false;
    if (start_excl && cpe_version_cmp(v, start_excl) <= 0) return false;
    if (end_incl && cpe_version_cmp(v, end_incl) > 0) return false;
    if (end_excl && cpe_version_cmp(v, end_excl) >= 0) return false;
    return true;
}
