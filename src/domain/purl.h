/*
 * purl.h — Package URLs, `pkg:type/namespace/name@version?qualifiers#subpath`, the second
 * normalised identity (besides CPE) an operator's software entry can carry.
 *
 * Parsing follows the purl specification's algorithm: the subpath is what follows the last
 * "#", the qualifiers what follows the last "?", the scheme must be "pkg" (slashes right after
 * "pkg:" are tolerated: "pkg://" is accepted), the type is the first segment (letters, digits,
 * "." and "-", starting with a letter; folded to lower case), the version what follows the last
 * "@", the name the last remaining segment, the namespace the segments before it. Components
 * are percent-decoded; empty namespace and subpath segments are dropped; "." and ".." in a
 * subpath are refused. Qualifier keys are lower case `[a-z0-9._-]` starting with a letter and
 * unique; qualifiers with empty values are dropped; the canonical form sorts them by key.
 * Type-specific rules (e.g. lower-casing npm names) are not applied.
 *
 * Pure: no I/O, no globals, no allocation; bounded by the limits below.
 */
#ifndef PURL_H
#define PURL_H

#include <stddef.h>

#define PURL_MAX_LEN 2048
#define PURL_MAX_SEGMENTS 16
#define PURL_MAX_QUALIFIERS 32
#define PURL_SEG_MAX 256

struct purl_qualifier {
    char key[64];
    char value[PURL_SEG_MAX];
};

struct purl {
    char type[64];
    char ns[PURL_MAX_SEGMENTS][PURL_SEG_MAX]; /* decoded namespace segments */
    size_t nns;
    char name[PURL_SEG_MAX];
    char version[PURL_SEG_MAX];                   /* "" when absent */
    struct purl_qualifier q[PURL_MAX_QUALIFIERS]; /* sorted by key */
    size_t nq;
    char subpath[PURL_MAX_SEGMENTS][PURL_SEG_MAX];
    size_t nsub;
};

struct purl_error {
    const char *part;    /* "scheme", "type", "namespace", "name", "version", "qualifiers",
                            "subpath" or "purl" */
    const char *message; /* static English text */
};

/* RK_OK, or RK_EINVAL with *err (may be NULL) naming the part and the rule. */
int purl_parse(const char *s, struct purl *out, struct purl_error *err);
/* The canonical string into buf. RK_OK, or RK_ELIMIT when cap is too small. */
int purl_format(const struct purl *p, char *buf, size_t cap);

#endif
