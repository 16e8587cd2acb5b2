/*
 * cpe.h — CPE 2.3 formatted-string names (NISTIR 7695) and name matching (NISTIR 7696), the
 * identity the vulnerability matcher compares NVD match criteria against registered products.
 *
 * A name is "cpe:2.3:" followed by exactly 11 attributes separated by unescaped colons: part,
 * vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other
 * (13 fields in all). Validation follows the official regex (cpe-naming_2.3.xsd): part is one
 * of lower-case a, o, h, or * or -; language is a tag like "ja" or "ja-jp" (no wildcards); the
 * whole name is at most CPE_MAX_LEN characters and no attribute is empty. Beyond the regex,
 * one attribute is at most CPE_VALUE_MAX - 1 characters.
 * An attribute is ANY ("*"), NA ("-") or a value. Values keep the formatted-string escapes
 * (backslash before every printable character other than A–Z a–z 0–9 - . _) and are folded
 * to lower case, which is the canonical form. Unescaped "*" (one) and runs of "?" may stand only
 * at the start or the end of a value; a value needs at least one literal character.
 *
 * Matching: cpe_compare applies the per-attribute table and the overall rule of NISTIR 7696:
 * criteria S covers an asset T when the relation is SUPERSET or EQUAL (cpe_matches). A target
 * with wildcards makes the comparison undefined (CPE_UNDEFINED), an error for the caller.
 * Assumption: each unescaped "?" matches exactly one character, as NISTIR 7695 words it and
 * the standards digest tables it; the NISTIR 7696 reference pseudocode would also let a run of
 * n "?" match fewer than n characters. NVD criteria use only "*" and "-" in practice.
 *
 * Pure: no I/O, no globals, no allocation. Every input is bounded by CPE_MAX_LEN. The caller
 * owns every struct passed in; error messages and names returned are static strings.
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
 * Builds a wildcard-free name from names as filed, for products registered without a CPE:
 * part 'a', 'o' or 'h'; vendor and product required; version NULL, "" or "*" for ANY, "-" for
 * NA. Text is folded to lower case, blanks at the ends are dropped, inner runs of blanks become
 * one "_", other punctuation is escaped ("C++" -> "c\+\+"). Every other attribute is ANY.
 * RK_EINVAL when a name is empty, is a lone "-" or "*", is longer than 255 characters once
 * escaped, or holds characters a CPE cannot carry (non-ASCII, control characters): such
 * products are kept by name only. The caller owns *out; cpe_format gives the string.
 */
int cpe_from_product(char part, const char *vendor, const char *product, const char *version,
                     struct cpe *out);

/*
 * Version order for NVD cpeMatch bounds. ASSUMPTION: NVD does not publish how it orders
 * versions (standards digest §4.1, UNCONFIRMED); this is our rule, chosen so that the common
 * schemes sort as their projects intend.
 *   - A version is split into tokens: runs of digits and runs of letters; every other
 *     character (. - _ + \ and the rest) only separates. "1.0rc1" is 1, 0, rc, 1.
 *   - Numbers compare numerically ("2.10" > "2.9", "1.02" == "1.2"); words compare by letters,
 *     ignoring case.
 *   - Pre-release words sort before any number: dev = snapshot < alpha < beta < milestone <
 *     pre = preview < rc = cr, and the letters a, b, m, c when a digit follows directly
 *     ("1.0a1"). So "2.0-rc1" < "2.0" and "2.0-beta9" < "2.0-rc1".
 *   - Any other word sorts after every number (the "numeric < alpha" rule): OpenSSL's
 *     "1.1.1" < "1.1.1a" < "1.1.1n", "8.5" < "8.5p1", "10.0" < "10.0sp1".
 *   - "ga", "final" and "release" count as 0, and a shorter version is padded with zeros:
 *     "1.0" == "1.0.0" == "1.0.Final".
 * Only the first CPE_MAX_LEN bytes of each version are read; NULL reads as "". Returns <0, 0
 * or >0.
 */
int cpe_version_cmp(const char *a, const char *b);
/*
 * Whether v meets every NVD cpeMatch bound that is present (NULL = absent):
 * start_incl <= v, start_excl < v, v <= end_incl, v < end_excl. False when v is NULL. The caller
 * passes the asset's version value (an ANY or NA version has no place in a range).
 */
bool cpe_version_in_range(const char *v, const char *start_incl, const char *start_excl,
                          const char *end_incl, const char *end_excl);

#endif
