/*
 * purl.h — Package URLs, `pkg:type/namespace/name@version?qualifiers#subpath`, the second
 * normalised identity (besides CPE) an operator's software entry can carry.
 *
 * Parsing follows the purl specification's algorithm (how-to-parse), right to left: the subpath
 * is what follows the last "#", the qualifiers what follows the last "?"; the scheme must be
 * "pkg:" in any case, and slashes right after it are tolerated ("pkg://" is accepted); the type
 * is the first segment (ASCII letters, digits, "." and "-", starting with a letter; folded to
 * lower case; never percent-decoded); trailing slashes are dropped; the version is what follows
 * the last "@" of the last segment (so an unencoded npm scope, "pkg:npm/@babel/core", stays in
 * the namespace); the name is the last segment, the namespace the segments before it.
 *
 * Components are percent-decoded (a stray "%", an encoded NUL, or an encoded "/" inside a
 * namespace or subpath segment is refused); empty namespace and subpath segments are dropped;
 * "." and ".." subpath segments are refused (the parsing guide drops them silently; we would
 * rather say so). Qualifier keys are `[a-z0-9._-]` starting with a letter, folded to lower case
 * and unique (an empty-valued pair still counts); pairs with empty values are dropped; the rest
 * are kept sorted by key, which is the canonical order. The version must not be empty when "@"
 * is written.
 *
 * Type-specific normalisation: for types whose definitions declare namespace, name or version
 * case-insensitive (alpm, apk, bitbucket, bitnami, brew, chrome-extension, composer, deb,
 * github, hex, huggingface, luarocks, oci, otp, pub, pypi, qpkg, rpm, vscode-extension,
 * yocto), those components are folded to lower case, and PyPI names turn "_" into "-". Other
 * type rules (required/prohibited namespace, name syntax, required qualifiers) are not enforced.
 *
 * Limits: the whole string at most PURL_MAX_LEN bytes; at most PURL_MAX_SEGMENTS namespace and
 * PURL_MAX_SEGMENTS subpath segments; at most PURL_MAX_QUALIFIERS pairs written; every decoded
 * component (segment, name, version, qualifier value) at most PURL_SEG_MAX - 1 bytes; type and
 * key at most 63. Decoded bytes are kept as they are (not checked for UTF-8).
 *
 * Pure: no I/O, no globals, no allocation. The caller owns every struct; error parts and
 * messages are static strings.
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
    char value[PURL_SEG_MAX]; /* decoded, never empty */
};

struct purl {
    char type[64];                            /* lower case */
    char ns[PURL_MAX_SEGMENTS][PURL_SEG_MAX]; /* decoded namespace segments */
    size_t nns;
    char name[PURL_SEG_MAX];                      /* decoded, never empty */
    char version[PURL_SEG_MAX];                   /* decoded; "" when absent */
    struct purl_qualifier q[PURL_MAX_QUALIFIERS]; /* sorted by key */
    size_t nq;
    char subpath[PURL_MAX_SEGMENTS][PURL_SEG_MAX]; /* decoded segments */
    size_t nsub;
};

struct purl_error {
    const char *part;    /* "scheme", "type", "namespace", "name", "version", "qualifiers",
                            "subpath" or "purl" (the string as a whole) */
    const char *message; /* static English text */
};

/* Parses s into *out. RK_OK, or RK_EINVAL with *err (may be NULL) naming the part and the rule;
 * *out is then unspecified. */
int purl_parse(const char *s, struct purl *out, struct purl_error *err);
/*
 * The canonical string into buf: "pkg:" type "/" namespace segments, name, "@" version,
 * "?" sorted qualifiers joined by "&", "#" subpath segments. Components are percent-encoded
 * except for ASCII letters, digits and . - _ ~ and ":" (left bare, as the specification does).
 * RK_OK; RK_ELIMIT when cap is too small (buf then holds a truncated, NUL-terminated prefix);
 * RK_EINVAL for NULL arguments. Percent-encoding can make the result longer than PURL_MAX_LEN;
 * a buffer of 3 * PURL_MAX_LEN + 1 always suffices for a parsed purl.
 */
int purl_format(const struct purl *p, char *buf, size_t cap);

#endif
