/*
 * jv.c — schema-table validation of parsed JSON request bodies (see jv.h for the contract).
 *
 * Decisions the header leaves open, resolved here:
 *  - An object schema with fields == NULL or nfields == 0 accepts no members at all: every
 *    member is an "unknown_field". Likewise an array schema with items == NULL accepts only
 *    the empty array (any item is a "max_items" error), so a forgotten table fails closed.
 *  - An explicit max_len replaces JV_DEFAULT_MAX_STRING / JV_DEFAULT_MAX_ITEMS; the defaults
 *    apply only when max_len == 0.
 *  - One error per value: a value with the wrong type, or an array/object over its size
 *    limit, is reported once and not descended into; a string that fails a length bound is
 *    not also checked against its enum or format.
 *  - Object members are reported in document order, then missing required members in
 *    schema order, so the same body always yields the same error list.
 *  - JV_ANY_SCALAR applies the string rules to strings and the range to integers; reals
 *    and booleans are accepted as they are.
 */
#include "jv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"
#include "core/utf8.h"

/* Schema tables may legitimately refer to themselves (a tree of replies, say); this bounds
 * the recursion even then. jv_scan() normally keeps documents far shallower. */
#define JV_VALIDATE_MAX_DEPTH 64

/* Uniqueness is checked block by block against a small stack table of hashes, so that a
 * 10 000-item array costs ~n²/2 integer compares and few json_equal() calls, without
 * allocating. */
#define JV_UNIQUE_BLOCK 256

/* One step of the path from the root to the value being checked. The pointer string is
 * rendered from this chain only when an error is actually stored. */
struct seg {
    const struct seg *up;
    const char *key; /* member name, or NULL for an array index */
    size_t index;
};

/* ---- small text helpers ------------------------------------------------------------- */

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Moves a cut position p back so that it splits neither a UTF-8 sequence nor a "~0"/"~1"
 * escape: a truncated pointer or message must still be valid UTF-8 for the JSON encoder. */
/* The analyser cannot see that callers pass p < strlen(s). */
/* NOLINTBEGIN(clang-analyzer-core.CallAndMessage) */
static size_t cut_boundary(const char *s, size_t p)
{
    while (p > 0 && (is_cont((unsigned char)s[p]) || s[p - 1] == '~'))
        p--;
    return p;
}
/* NOLINTEND(clang-analyzer-core.CallAndMessage) */

/* Ends buf with dots from len up to cap - 1; callers ensure at least three fit. */
static void fill_dots(char *buf, size_t cap, size_t len)
{
    memset(buf + len, '.', cap - 1 - len);
    buf[cap - 1] = '\0';
}

/* Length in bytes of the escaped unit starting at p (an escape or one whole UTF-8
 * sequence), so truncation never emits half of one. */
static size_t unit_len(const char *p)
{
    unsigned char c = (unsigned char)*p;
    size_t n = 1;
    if (c == '~' || c == '/') return 2;
    if (c >= 0xF0)
        n = 4;
    else if (c >= 0xE0)
        n = 3;
    else if (c >= 0xC0)
        n = 2;
    for (size_t i = 1; i < n; i++)
        if (!is_cont((unsigned char)p[i]))
            return 1; /* malformed input from a caller: copy byte by byte */
    return n;
}

/* Copies one unit, escaping as RFC 6901 requires. Returns the source bytes consumed. */
static size_t put_unit(char *dst, const char *p, size_t ulen)
{
    if (*p == '~' || *p == '/') {
        dst[0] = '~';
        dst[1] = *p == '~' ? '0' : '1';
        return 1;
    }
    memcpy(dst, p, ulen);
    return ulen;
}

void jv_pointer_append(char *buf, size_t cap, const char *key)
{
    if (!buf || cap == 0) return;
    if (!key) key = "";
    size_t len = strnlen(buf, cap);
    if (len == cap) { /* unterminated on entry: treat as full rather than read past cap */
        len = cap - 1;
        buf[len] = '\0';
    }

    size_t need = 1;
    for (const char *p = key; *p; p++)
        need += (*p == '~' || *p == '/') ? 2 : 1;
    if (len + need < cap) {
        buf[len++] = '/';
        for (const char *p = key; *p;) {
            size_t u = unit_len(p);
            p += put_unit(buf + len, p, u);
            len += u;
        }
        buf[len] = '\0';
        return;
    }

    if (cap < 4) {
        fill_dots(buf, cap, 0);
        return;
    }
    size_t limit = cap - 4;
    if (len > limit) len = cut_boundary(buf, limit);
    if (len < limit) buf[len++] = '/';
    for (const char *p = key; *p;) {
        size_t u = unit_len(p);
        if (len + u > limit) break;
        p += put_unit(buf + len, p, u);
        len += u;
    }
    fill_dots(buf, cap, len);
}

/* Removes an incomplete UTF-8 sequence left at the end of a string that snprintf cut. */
static void trim_utf8_tail(char *s)
{
    size_t len = strlen(s);
    size_t i = len;
    while (i > 0 && is_cont((unsigned char)s[i - 1]) && len - i < 3)
        i--;
    if (i == 0) return;
    unsigned char c = (unsigned char)s[i - 1];
    size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (want > 1 && len - (i - 1) < want) s[i - 1] = '\0';
}

/* ---- error collection ---------------------------------------------------------------- */

__attribute__((format(printf, 4, 0))) static int
add_errv(struct jv_errors *errs, const char *pointer, const char *rule, const char *fmt, va_list ap)
{
    if (!errs) return RK_EINVAL;
    if (errs->n >= JV_MAX_ERRORS) {
        errs->dropped++;
        return RK_EINVAL;
    }
    struct jv_error *e = &errs->e[errs->n++];
    if (!pointer) pointer = "";
    size_t plen = strlen(pointer);
    if (plen < sizeof e->pointer) {
        memcpy(e->pointer, pointer, plen + 1);
    } else {
        size_t keep = cut_boundary(pointer, sizeof e->pointer - 4);
        memcpy(e->pointer, pointer, keep);
        fill_dots(e->pointer, sizeof e->pointer, keep);
    }
    e->rule = rule ? rule : "invalid";
    if (!fmt) {
        e->message[0] = '\0';
        return RK_EINVAL;
    }
    int r = vsnprintf(e->message, sizeof e->message, fmt, ap);
    if (r < 0)
        e->message[0] = '\0';
    else if ((size_t)r >= sizeof e->message)
        trim_utf8_tail(e->message);
    return RK_EINVAL;
}

int jv_error_add(struct jv_errors *errs, const char *pointer, const char *rule, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add_errv(errs, pointer, rule, fmt, ap);
    va_end(ap);
    return rc;
}

static void render(const struct seg *s, char *buf, size_t cap)
{
    if (!s) return;
    render(s->up, buf, cap);
    if (s->key) {
        jv_pointer_append(buf, cap, s->key);
    } else {
        char num[24];
        snprintf(num, sizeof num, "%zu", s->index);
        jv_pointer_append(buf, cap, num);
    }
}

__attribute__((format(printf, 4, 5))) static void
seg_error(struct jv_errors *errs, const struct seg *at, const char *rule, const char *fmt, ...)
{
    /* Rendering is skipped once the store is full: the count is all that is kept. */
    if (errs->n >= JV_MAX_ERRORS) {
        errs->dropped++;
        return;
    }
    char ptr[JV_POINTER_MAX];
    ptr[0] = '\0';
    render(at, ptr, sizeof ptr);
    va_list ap;
    va_start(ap, fmt);
    add_errv(errs, ptr, rule, fmt, ap);
    va_end(ap);
}

/* ---- formats -------------------------------------------------------------------------- */

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rk_is_digit(s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool check_ident(const char *s, size_t len)
{
    if (len < 1 || len > 64 || s[0] < 'a' || s[0] > 'z') return false;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || rk_is_digit(c) || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* Deliberately loose (real address syntax is not worth encoding here): it rejects what is
 * certainly not deliverable and anything that could smuggle whitespace into a header. */
static bool check_email(const char *s, size_t len)
{
    if (len < 3 || len > 254) return false;
    size_t at = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F) return false;
        if (c == '@') {
            if (at != len) return false;
            at = i;
        }
    }
    if (at == len || at == 0 || at == len - 1) return false;
    const char *d = s + at + 1;
    size_t dlen = len - at - 1;
    bool dot = false;
    if (d[0] == '.' || d[dlen - 1] == '.') return false;
    for (size_t i = 0; i < dlen; i++) {
        if (d[i] == '.') {
            if (d[i + 1] == '.') return false;
            dot = true;
        }
    }
    return dot;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dim[m - 1];
}

/* Parses exactly "YYYY-MM-DD" at s (at least 10 bytes available). */
static bool parse_date(const char *s)
{
    int y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static bool check_date(const char *s, size_t len)
{
    return len == 10 && parse_date(s);
}

static bool check_datetime(const char *s, size_t len)
{
    /* Shortest form: 2025-01-01T00:00:00Z (20 bytes). */
    if (len < 20 || !parse_date(s) || (s[10] != 'T' && s[10] != 't')) return false;
    int hh, mm, ss;
    if (!digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mm) || s[16] != ':' ||
        !digits(s + 17, 2, &ss))
        return false;
    /* Second 60 is accepted: RFC 3339 allows a leap second and we cannot know which
     * minutes had one. */
    if (hh > 23 || mm > 59 || ss > 60) return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < len && rk_is_digit(s[i]))
            i++;
        if (i == start) return false;
    }
    if (i == len) return false;
    if (s[i] == 'Z' || s[i] == 'z') return i + 1 == len;
    if (s[i] != '+' && s[i] != '-') return false;
    int oh, om;
    if (len - i != 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om))
        return false;
    return oh <= 23 && om <= 59;
}

bool jv_corpnum_valid(const char *s, size_t len)
{
    if (!s || len != 13 || s[0] < '1' || s[0] > '9') return false;
    for (size_t i = 0; i < 13; i++)
        if (!rk_is_digit(s[i])) return false;
    /* The check digit leads; the weights run over the other twelve from the right. */
    unsigned sum = 0;
    for (unsigned n = 1; n <= 12; n++) {
        unsigned p = (unsigned)(s[13 - n] - '0');
        sum += p * ((n % 2) ? 1u : 2u);
    }
    return (unsigned)(s[0] - '0') == 9u - sum % 9u;
}

static bool check_phone(const char *s, size_t len)
{
    if (len < 5 || len > 20) return false;
    size_t nd = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (rk_is_digit(c))
            nd++;
        else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')')
            return false;
    }
    return nd >= 5;
}

static bool check_no_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
}

bool jv_check_format(enum jv_format f, const char *s, size_t len)
{
    if (!s) return false;
    switch (f) {
    case JV_FMT_NONE:
        return true;
    case JV_FMT_IDENT:
        return check_ident(s, len);
    case JV_FMT_EMAIL:
        return check_email(s, len);
    case JV_FMT_DATE:
        return check_date(s, len);
    case JV_FMT_DATETIME:
        return check_datetime(s, len);
    case JV_FMT_CORPNUM:
        return jv_corpnum_valid(s, len);
    case JV_FMT_PHONE:
        return check_phone(s, len);
    case JV_FMT_NO_CONTROL:
        return check_no_control(s, len);
    }
    return false; /* a format this build does not know: fail closed */
}

static const char *format_message(enum jv_format f)
{
    switch (f) {
    case JV_FMT_NONE:
        break;
    case JV_FMT_IDENT:
        return "must start with a lowercase letter and use only a-z, 0-9, '_', '.' and '-' "
               "(at most 64 characters)";
    case JV_FMT_EMAIL:
        return "must be an email address of the form local@domain.example";
    case JV_FMT_DATE:
        return "must be a calendar date of the form YYYY-MM-DD";
    case JV_FMT_DATETIME:
        return "must be an RFC 3339 date-time such as 2025-04-01T09:30:00+09:00";
    case JV_FMT_CORPNUM:
        return "must be a 13-digit corporate number with a valid check digit";
    case JV_FMT_PHONE:
        return "must be a phone number of 5 to 20 characters using digits, spaces and + - ( )";
    case JV_FMT_NO_CONTROL:
        return "must be a single line without control characters";
    }
    return "has an unsupported format";
}

/* ---- value checks --------------------------------------------------------------------- */

/* Counts code points; false for invalid UTF-8 (overlong forms, surrogates, > U+10FFFF).
 * jansson already guarantees valid UTF-8 for parsed strings, but documents can also be
 * built by code using the *_nocheck constructors. */
static bool utf8_count(const char *str, size_t len, size_t *count)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        unsigned long cp;
        size_t k = rk_utf8_next(s, len, i, &cp);
        if (k == 0) return false;
        i += k;
    }
    *count = n;
    return true;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* Copies s at *len, stopping at room; a cut never splits a UTF-8 sequence. */
static void put_cut(char *buf, size_t room, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n > room) {
        n = room - *len;
        while (n > 0 && is_cont((unsigned char)s[n]))
            n--;
    }
    memcpy(buf + *len, s, n); /* NOLINT(bugprone-not-null-terminated-result): caller terminates */
    *len += n;
}

/* "must be one of: a, b, c", ending in "..." when the list does not fit (cap >= 4). */
static void enum_message(char *buf, size_t cap, const char *const *values)
{
    static const char head[] = "must be one of: ";
    size_t total = sizeof head - 1;
    for (size_t i = 0; values[i]; i++)
        total += (i ? 2 : 0) + strlen(values[i]);
    bool cut = total >= cap;
    size_t room = cut ? cap - 4 : cap - 1;
    size_t len = 0;
    put_cut(buf, room, &len, head);
    for (size_t i = 0; values[i] && len < room; i++) {
        if (i) put_cut(buf, room, &len, ", ");
        put_cut(buf, room, &len, values[i]);
    }
    if (cut)
        memcpy(buf + len, "...", 4);
    else
        buf[len] = '\0';
}

static void check_string(const json_t *v, const struct jv_field *f, const struct seg *at,
                         struct jv_errors *errs)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    size_t cp;
    if (memchr(s, '\0', len) || !utf8_count(s, len, &cp)) {
        seg_error(errs, at, "utf8", "must be valid UTF-8 text without NUL characters");
        return;
    }
    size_t max = f->max_len ? f->max_len : JV_DEFAULT_MAX_STRING;
    if (f->min_len && cp < f->min_len) {
        seg_error(errs, at, "min_length", "must be at least %zu %s", f->min_len,
                  plural(f->min_len, "character", "characters"));
        return;
    }
    if (cp > max) {
        seg_error(errs, at, "max_length", "must be at most %zu %s", max,
                  plural(max, "character", "characters"));
        return;
    }
    if (f->enum_values) {
        bool found = false;
        for (size_t i = 0; f->enum_values[i] && !found; i++)
            found = strlen(f->enum_values[i]) == len && memcmp(f->enum_values[i], s, len) == 0;
        if (!found) {
            char msg[sizeof errs->e[0].message];
            if (f->enum_values[0])
                enum_message(msg, sizeof msg, f->enum_values);
            else
                snprintf(msg, sizeof msg, "has no allowed values");
            seg_error(errs, at, "enum", "%s", msg);
            return;
        }
    }
    if (f->format != JV_FMT_NONE && !jv_check_format(f->format, s, len))
        seg_error(errs, at, "format", "%s", format_message(f->format));
}

static void check_integer(const json_t *v, const struct jv_field *f, const struct seg *at,
                          struct jv_errors *errs)
{
    if (!f->has_range) return;
    json_int_t x = json_integer_value(v);
    if (x < f->min)
        seg_error(errs, at, "minimum", "must be at least %lld", f->min);
    else if (x > f->max)
        seg_error(errs, at, "maximum", "must be at most %lld", f->max);
}

static uint32_t fnv(uint32_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Below this depth containers hash by type and size only: bounded work per item. */
#define JV_HASH_DEPTH 4

/* A hash consistent with json_equal(): equal values hash alike. It must look inside
 * containers, or an array of distinct small objects would send every pair to
 * json_equal(). Object members are combined by addition because json_equal() ignores
 * member order. */
static uint32_t item_hash(const json_t *v, unsigned depth)
{
    uint32_t h = fnv(2166136261u, &(int){(int)json_typeof(v)}, sizeof(int));
    switch (json_typeof(v)) {
    case JSON_STRING:
        return fnv(h, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return fnv(h, &(json_int_t){json_integer_value(v)}, sizeof(json_int_t));
    case JSON_REAL: {
        double d = json_real_value(v);
        if (d == 0.0) d = 0.0; /* -0.0 equals 0.0 under json_equal() */
        return fnv(h, &d, sizeof d);
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        h = fnv(h, &n, sizeof n);
        if (depth >= JV_HASH_DEPTH) return h;
        uint32_t sum = 0;
        json_t *obj = (json_t *)v;
        for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
            uint32_t kh = fnv(2166136261u, json_object_iter_key(it), json_object_iter_key_len(it));
            sum += (kh ^ item_hash(json_object_iter_value(it), depth + 1)) * 2654435761u;
        }
        return fnv(h, &sum, sizeof sum);
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        h = fnv(h, &n, sizeof n);
        if (depth >= JV_HASH_DEPTH) return h;
        for (size_t i = 0; i < n; i++) {
            uint32_t ih = item_hash(json_array_get(v, i), depth + 1);
            h = fnv(h, &ih, sizeof ih);
        }
        return h;
    }
    default:
        return h; /* true, false, null: the type is the value */
    }
}

/* Returns the index of the first item equal to an earlier one, or n when all differ. */
static size_t first_duplicate(const json_t *arr, size_t n)
{
    uint32_t h[JV_UNIQUE_BLOCK];
    for (size_t start = 0; start < n; start += JV_UNIQUE_BLOCK) {
        size_t m = n - start < JV_UNIQUE_BLOCK ? n - start : JV_UNIQUE_BLOCK;
        for (size_t k = 0; k < m; k++)
            h[k] = item_hash(json_array_get(arr, start + k), 0);
        size_t best = m;
        for (size_t i = 0; i < start && best > 0; i++) {
            const json_t *a = json_array_get(arr, i);
            uint32_t ha = item_hash(a, 0);
            for (size_t k = 0; k < best; k++) {
                if (h[k] == ha && json_equal(a, json_array_get(arr, start + k))) {
                    best = k;
                    break;
                }
            }
        }
        for (size_t k = 1; k < best; k++) {
            const json_t *b = json_array_get(arr, start + k);
            for (size_t i = 0; i < k; i++) {
                if (h[i] == h[k] && json_equal(json_array_get(arr, start + i), b)) {
                    best = k;
                    break;
                }
            }
        }
        if (best < m) return start + best;
    }
    return n;
}

static void check_value(const json_t *v, const struct jv_field *f, const struct seg *at,
                        unsigned depth, struct jv_errors *errs);

static const struct jv_field *find_field(const struct jv_field *f, const char *key, size_t klen)
{
    if (!f->fields) return NULL;
    for (size_t i = 0; i < f->nfields; i++) {
        const char *name = f->fields[i].name;
        if (name && strlen(name) == klen && memcmp(name, key, klen) == 0) return &f->fields[i];
    }
    return NULL;
}

static void check_object(const json_t *v, const struct jv_field *f, const struct seg *at,
                         unsigned depth, struct jv_errors *errs)
{
    size_t n = json_object_size(v);
    if (n > JV_DEFAULT_MAX_MEMBERS) {
        seg_error(errs, at, "max_members", "must have at most %d members", JV_DEFAULT_MAX_MEMBERS);
        return;
    }
    /* jansson's iterator API takes a non-const object but does not modify it. */
    json_t *obj = (json_t *)v;
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
        const char *key = json_object_iter_key(it);
        size_t klen = json_object_iter_key_len(it);
        struct seg s = {at, key, 0};
        const struct jv_field *sub = find_field(f, key, klen);
        if (!sub)
            seg_error(errs, &s, "unknown_field", "unknown field: not part of this request");
        else
            check_value(json_object_iter_value(it), sub, &s, depth + 1, errs);
    }
    if (!f->fields) return;
    for (size_t i = 0; i < f->nfields; i++) {
        const struct jv_field *sub = &f->fields[i];
        if (!sub->name || !(sub->flags & JV_REQUIRED)) continue;
        if (!json_object_getn(v, sub->name, strlen(sub->name))) {
            struct seg s = {at, sub->name, 0};
            seg_error(errs, &s, "required", "is required");
        }
    }
}

static void check_array(const json_t *v, const struct jv_field *f, const struct seg *at,
                        unsigned depth, struct jv_errors *errs)
{
    size_t n = json_array_size(v);
    size_t max = f->max_len ? f->max_len : JV_DEFAULT_MAX_ITEMS;
    if (!f->items) max = 0;
    if (f->min_len && n < f->min_len) {
        seg_error(errs, at, "min_items", "must have at least %zu %s", f->min_len,
                  plural(f->min_len, "item", "items"));
        return;
    }
    if (n > max) {
        seg_error(errs, at, "max_items", "must have at most %zu %s", max,
                  plural(max, "item", "items"));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct seg s = {at, NULL, i};
        check_value(json_array_get(v, i), f->items, &s, depth + 1, errs);
    }
    if ((f->flags & JV_UNIQUE) && n > 1) {
        size_t dup = first_duplicate(v, n);
        if (dup < n) {
            struct seg s = {at, NULL, dup};
            seg_error(errs, &s, "unique_items", "must not repeat an earlier item");
        }
    }
}

static bool type_ok(const json_t *v, enum jv_type t)
{
    switch (t) {
    case JV_STRING:
        return json_is_string(v);
    case JV_INTEGER:
        return json_is_integer(v);
    case JV_BOOLEAN:
        return json_is_boolean(v);
    case JV_OBJECT:
        return json_is_object(v);
    case JV_ARRAY:
        return json_is_array(v);
    case JV_ANY_SCALAR:
        return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
    }
    return false;
}

static const char *type_name(enum jv_type t)
{
    switch (t) {
    case JV_STRING:
        return "a string";
    case JV_INTEGER:
        return "an integer";
    case JV_BOOLEAN:
        return "a boolean";
    case JV_OBJECT:
        return "an object";
    case JV_ARRAY:
        return "an array";
    case JV_ANY_SCALAR:
        return "a string, number or boolean";
    }
    return "of an unsupported schema type";
}

static void check_value(const json_t *v, const struct jv_field *f, const struct seg *at,
                        unsigned depth, struct jv_errors *errs)
{
    if (json_is_null(v) && (f->flags & JV_NULLABLE)) return;
    if (!type_ok(v, f->type)) {
        seg_error(errs, at, "type", "must be %s%s", type_name(f->type),
                  (f->flags & JV_NULLABLE) ? " or null" : "");
        return;
    }
    if ((f->type == JV_OBJECT || f->type == JV_ARRAY) && depth >= JV_VALIDATE_MAX_DEPTH) {
        seg_error(errs, at, "max_depth", "is nested more than %d levels deep",
                  JV_VALIDATE_MAX_DEPTH);
        return;
    }
    switch (f->type) {
    case JV_STRING:
        check_string(v, f, at, errs);
        break;
    case JV_INTEGER:
        check_integer(v, f, at, errs);
        break;
    case JV_BOOLEAN:
        break;
    case JV_OBJECT:
        check_object(v, f, at, depth, errs);
        break;
    case JV_ARRAY:
        check_array(v, f, at, depth, errs);
        break;
    case JV_ANY_SCALAR:
        if (json_is_string(v))
            check_string(v, f, at, errs);
        else if (json_is_integer(v))
            check_integer(v, f, at, errs);
        break;
    }
}

int jv_validate(const json_t *doc, const struct jv_field *root, struct jv_errors *errs)
{
    if (!errs) return RK_EINVAL;
    errs->n = 0;
    errs->dropped = 0;
    if (!root) return jv_error_add(errs, "", "type", "cannot be checked: no schema");
    if (!doc) return jv_error_add(errs, "", "type", "must be %s", type_name(root->type));
    check_value(doc, root, NULL, 0, errs);
    return errs->n ? RK_EINVAL : RK_OK;
}

/* ---- raw scan ------------------------------------------------------------------------- */

int jv_scan(const char *buf, size_t len, unsigned max_depth, struct jv_errors *errs)
{
    if (errs) {
        errs->n = 0;
        errs->dropped = 0;
    }
    if (!buf) len = 0;
    size_t depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        switch (c) {
        case '"':
            in_str = true;
            break;
        case '[':
        case '{':
            if (++depth > max_depth) {
                if (errs)
                    jv_error_add(errs, "", "max_depth", "must not nest more than %u levels deep",
                                 max_depth);
                return RK_ELIMIT;
            }
            break;
        case ']':
        case '}':
            if (depth > 0) depth--;
            break;
        default:
            break;
        }
    }
    return RK_OK;
}
