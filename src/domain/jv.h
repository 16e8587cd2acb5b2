/*
 * jv.h — declarative validation of JSON request bodies.
 *
 * A request schema is a static table of struct jv_field. jv_validate() checks a parsed
 * document against it and reports every violation (up to JV_MAX_ERRORS) as
 * {pointer, rule, message}: pointer is an RFC 6901 JSON Pointer to the offending value
 * ("" for the root, "/roles/2", "/a~1b" for key "a/b"), rule is a stable machine name from
 * the list below, message is English prose for people.
 *
 * Rules: "type" (wrong JSON type), "required" (missing member; pointer names the missing
 * member), "unknown_field" (member not in the schema: unknown fields are rejected, never
 * ignored), "min_length"/"max_length" (string length in Unicode code points), "min_items"/
 * "max_items", "minimum"/"maximum" (integers), "enum" (value not in the allowed list),
 * "format" (a named format check failed, see jv_format below), "unique_items",
 * "max_depth" (nesting too deep), "utf8" (string contains NUL or invalid UTF-8 — jansson
 * already rejects invalid UTF-8, but NUL via \u0000 must be refused here), "max_members"
 * (object with too many members).
 *
 * jv_scan() runs on raw bytes BEFORE json parsing and bounds nesting depth so a hostile body
 * cannot make the parser recurse deeply.
 *
 * No I/O, no globals. Errors are written to a caller-provided struct; nothing is allocated.
 */
#ifndef JV_H
#define JV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum jv_type {
    JV_STRING = 1,
    JV_INTEGER,
    JV_BOOLEAN,
    JV_OBJECT,
    JV_ARRAY,
    JV_ANY_SCALAR, /* string, integer, real, boolean */
};

enum jv_flag {
    JV_REQUIRED = 1u << 0,
    JV_NULLABLE = 1u << 1, /* JSON null accepted as "clear this value" */
    JV_UNIQUE = 1u << 2,   /* arrays: items must be distinct (json_equal) */
};

/* Named string formats. */
enum jv_format {
    JV_FMT_NONE = 0,
    JV_FMT_IDENT,     /* ^[a-z][a-z0-9_.-]{0,63}$ : usernames, machine names */
    JV_FMT_EMAIL,     /* local@domain with one @, no spaces, domain has a dot; ≤ 254 bytes */
    JV_FMT_DATE,      /* YYYY-MM-DD, a real calendar date */
    JV_FMT_DATETIME,  /* RFC 3339 with Z or ±hh:mm offset, real date and time */
    JV_FMT_CORPNUM,   /* 13-digit corporate number with a valid check digit (法人番号) */
    JV_FMT_PHONE,     /* digits, spaces, +, -, (, ); 5–20 characters */
    JV_FMT_NO_CONTROL /* no control characters (U+0000–U+001F, U+007F) other than none: single line
                       */
};

struct jv_field {
    const char *name; /* member name (objects); NULL for an array's item schema */
    enum jv_type type;
    unsigned flags;
    /* strings: length bounds in code points; arrays: item count bounds; 0/0 = unbounded
     * (but see JV_DEFAULT_MAX_STRING / JV_DEFAULT_MAX_ITEMS below, which always apply) */
    size_t min_len, max_len;
    /* integers: inclusive range, used when has_range is true */
    bool has_range;
    long long min, max;
    const char *const *enum_values; /* NULL-terminated list of allowed strings, or NULL */
    enum jv_format format;
    const struct jv_field *fields; /* objects: member schemas */
    size_t nfields;
    const struct jv_field *items; /* arrays: the schema of every item */
};

#define JV_MAX_ERRORS 16
#define JV_POINTER_MAX 256
#define JV_DEFAULT_MAX_STRING 65536 /* code points, applies when max_len == 0 */
#define JV_DEFAULT_MAX_ITEMS 10000  /* applies to arrays when max_len == 0 */
#define JV_DEFAULT_MAX_MEMBERS 256  /* members of any object */

struct jv_error {
    char pointer[JV_POINTER_MAX]; /* truncated with "..." if longer */
    const char *rule;             /* static string */
    char message[160];
};

struct jv_errors {
    struct jv_error e[JV_MAX_ERRORS];
    size_t n;       /* number stored */
    size_t dropped; /* further errors not stored */
};

/* Checks raw JSON bytes for nesting deeper than max_depth (counting [ and { outside
 * strings). Returns RK_OK, or RK_ELIMIT (and fills one error with rule "max_depth",
 * pointer ""). Does not validate the JSON otherwise. */
int jv_scan(const char *buf, size_t len, unsigned max_depth, struct jv_errors *errs);

/* Validates doc against the root schema (root->type must be JV_OBJECT or JV_ARRAY).
 * Returns RK_OK when there is no error, RK_EINVAL when errs->n > 0. errs is reset first. */
int jv_validate(const json_t *doc, const struct jv_field *root, struct jv_errors *errs);

/* Adds one error (used by handlers for rules the table cannot express, e.g. "unique"
 * conflicts). pointer may be NULL for "". Returns RK_EINVAL for convenience. */
int jv_error_add(struct jv_errors *errs, const char *pointer, const char *rule, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

/* Appends an escaped RFC 6901 reference token for `key` to buf (NUL-terminated, truncated
 * safely at cap). Exposed for callers building pointers. */
void jv_pointer_append(char *buf, size_t cap, const char *key);

/* Format checks, exposed for reuse (e.g. CLI input). Return true when s is valid. */
bool jv_check_format(enum jv_format f, const char *s, size_t len);
bool jv_corpnum_valid(const char *s, size_t len);

#endif
