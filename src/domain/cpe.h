/*
 * cpe.h — CPE 2.3 formatted-string names (NISTIR 7695) and name matching (NISTIR 7696), the
 * identity the vulnerability matcher compares NVD match criteria against registered products.
 *
 * A name is "cpe:2.3:" followed by exactly 11 attributes separated by unescaped colons: part,
 * vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other.
 * An attribute is ANY ("*"), NA ("-") or a value. Values keep the formatted-string escapes
 * (backslash before every printable character other than A–Z a–z 0–9 - . _) and are folded
 * to lower case, which is the canonical form. Unescaped "*" (one) and runs of "?" may stand only
 * at the start or the end of a value; a value needs at least one literal character.
 *
 * Matching: cpe_compare applies the per-attribute table and the overall rule of NISTIR 7696:
 * criteria S covers an asset T when the relation is SUPERSET or EQUAL (cpe_matches). A target
 * with wildcards makes the comparison undefined (CPE_UNDEFINED). Assumption (the standard
 * leaves room): each unescaped "?" matches exactly one character.
 *
 * Pure: no I/O, no globals, no allocation. Every input is bounded by CPE_MAX_LEN.
 */
#ifndef CPE_H
#define CPE_H

#include <stdbool.h>
#include <stddef.h>

#define CPE_NATTR 11
#define CPE_MAX_LEN 1024  /* whole formatted string */
#define CPE_VALUE_MAX 256 /* one attribute, escaped form */

enum cpe_attr_index {
    CPE_PART = 0,
    CPE_VENDOR,
    CPE_PRODUCT,
    CPE_VERSION,
    CPE_UPDATE,
    CPE_EDITION,
    CPE_LANGUAGE,
    CPE_SW_EDITION,
    CPE_TARGET_SW,
    CPE_TARGET_HW,
    CPE_OTHER
};

enum cpe_kind { CPE_ANY = 0, CPE_NA, CPE_VALUE };

struct cpe_attr {
    enum cpe_kind kind;
    char v[CPE_VALUE_MAX];      /* CPE_VALUE: escaped, lower case, wildcards included */
    bool star_lead, star_trail; /* an unescaped "*" at the start / end */
    unsigned q_lead, q_trail;   /* number of unescaped "?" at the start / end */
};

struct cpe {
    struct cpe_attr a[CPE_NATTR];
};

struct cpe_error {
    int attr;            /* 0..10, or -1 for the name as a whole */
    const char *message; /* static English text */
};

enum cpe_rel {
    CPE_DISJOINT = 0,
    CPE_SUBSET,
    CPE_SUPERSET,
    CPE_EQUAL,
    CPE_NO_RELATION, /* overall only: a mix of SUBSET and SUPERSET */
    CPE_UNDEFINED    /* the target has wildcards */
};

/* Parses s. RK_OK, or RK_EINVAL with *err (may be NULL) naming the attribute and the rule. */
int cpe_parse(const char *s, struct cpe *out, struct cpe_error *err);
/* Canonical formatted string into buf. RK_OK, or RK_ELIMIT when cap is too small. */
int cpe_format(const struct cpe *c, char *buf, size_t cap);
bool cpe_has_wildcards(const struct cpe *c);
const char *cpe_attr_name(int i); /* "part", "vendor", ... */

enum cpe_rel cpe_compare_attr(const struct cpe_attr *s, const struct cpe_attr *t);
enum cpe_rel cpe_compare(const struct cpe *s, const struct cpe *t);
bool cpe_matches(const struct cpe *criteria, const struct cpe *asset);
const char *cpe_rel_name(enum cpe_rel r);

/*
 * Builds a wildcard-free name from names as filed: part 'a', 'o' or 'h'; vendor and product
 * required, version may be NULL or "" (ANY). Text is folded to lower case, spaces become "_",
 * other punctuation is escaped. RK_EINVAL when a name is empty or holds characters a CPE cannot
 * carry (non-ASCII, control characters): such products are kept by name only.
 */
int cpe_from_product(char part, const char *vendor, const char *product, const char *version,
                     struct cpe *out);

/* Version order for NVD range bounds (an assumption: NVD does not publish its order). Versions
 * split into tokens at . - _ + and at digit/letter changes; numbers compare numerically, words
 * by bytes, a number sorts after a word ("1.0" > "1.0rc1" > "1.0beta"), and missing trailing
 * zeros are equal ("1.0" == "1.0.0"). Returns <0, 0, >0. */
int cpe_version_cmp(const char *a, const char *b);
/* v within the NVD cpeMatch bounds; NULL bounds are absent. */
bool cpe_version_in_range(const char *v, const char *start_incl, const char *start_excl,
                          const char *end_incl, const char *end_excl);

#endif
