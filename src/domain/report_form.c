/*
 * report_form.c — validating a report's answers against a form definition (contract in
 * report_form.h; the format in data/forms/README.md). The definition check lives in
 * report_form_def.c; what both share is in report_form_int.h.
 *
 * Decisions the README leaves open, resolved here (the header repeats those callers see):
 *  - Answers are walked in the definition's order (sections, then fields, then columns), after
 *    the unknown members in document order, so one report always yields the same error list and
 *    the normalised answers come out in printed order.
 *  - One error per value, as jv does: a value of the wrong type is not looked into; a list over
 *    its max_items is not checked item by item (bounded work); duplicates are reported once per
 *    list, at the later item of the first repeated pair.
 *  - A required text/textarea field given as "" is not given: an empty name is no name.
 *  - Control characters are the C0 set, DEL and the C1 set (U+0080–U+009F); a textarea allows
 *    only the line feed among them (not CR, not TAB). U+2028/U+2029 are line breaks, so a text
 *    (one line) refuses them too.
 *  - port_list ranges are "lo-hi" in plain decimal without leading zeros or blanks, so equal
 *    ranges are equal strings; a single port is an integer, never a string.
 *  - phone follows the README (≤ 32 characters, at least one digit), not jv's stricter 5–20.
 *  - Attachment ids are 1–128 code points without control characters: the upload store is not
 *    defined yet, and any id it issues fits.
 *  - 識別番号 on the liaison form is demanded from the 2nd report on (README liaison note 1): the
 *    one cross-field rule, in code because the data format has no member for it.
 */
#include "domain/report_form.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"
#include "core/utf8.h"
#include "domain/ipaddr.h"
#include "domain/policy.h"
#include "domain/report_form_int.h"

#define RF_DEFAULT_MAX_ITEMS 1000 /* list types without max_items */
#define RF_DEFAULT_MAX_LEN 10000  /* text/textarea without max_len, in code points */
#define RF_DATETIME_MAX 64        /* longer text is no RFC 3339 date-time worth reading */
#define RF_PHONE_MAX 32           /* README: phone ≤ 32 characters */
#define RF_EMAIL_MAX 254          /* README: addr-spec ≤ 254 characters */
#define RF_PORT_RANGE_MAX 12      /* "65535-65535" */

struct vctx {
    const struct rf_refs *refs;
    struct jv_errors *errs;
    char ptr[JV_POINTER_MAX]; /* the pointer of the value being checked */
};

/* Errors seen so far, counting those the full list dropped: a change means "this value
 * failed", even when errs was already full. */
static size_t nerr(const struct jv_errors *errs)
{
    return errs->n + errs->dropped;
}

/* ---- text ------------------------------------------------------------------------------- */

enum text_verdict { TEXT_OK, TEXT_CONTROL, TEXT_UTF8 };

/* Counts the code points of s into *count and looks for control characters (see the top of
 * the file); multiline allows the line feed and the Unicode line separators. */
static enum text_verdict scan_text(const char *str, size_t len, bool multiline, size_t *count)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = 0;
    enum text_verdict verdict = TEXT_OK;
    for (size_t i = 0; i < len; n++) {
        unsigned long cp;
        size_t k = rk_utf8_next(s, len, i, &cp);
        if (k == 0) return TEXT_UTF8;
        i += k;
        bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
        if (multiline && cp == '\n') control = false;
        if (!multiline && (cp == 0x2028 || cp == 0x2029)) control = true;
        if (control) verdict = TEXT_CONTROL;
    }
    *count = n;
    return verdict;
}

/* A positive integer member of a definition, or def when absent or unusable. */
static size_t limit_of(const json_t *f, const char *key, size_t def)
{
    const json_t *v = json_object_get(f, key);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return def;
    return (size_t)json_integer_value(v);
}

/* Checks a string answer for text-like rules; true when it passes (errors added otherwise). */
static bool check_text(struct vctx *c, const json_t *v, bool multiline, size_t max)
{
    size_t cp = 0;
    switch (scan_text(json_string_value(v), json_string_length(v), multiline, &cp)) {
    case TEXT_UTF8:
        rf_err(c->errs, c->ptr, NULL, "utf8", "must be valid UTF-8 text");
        return false;
    case TEXT_CONTROL:
        rf_err(c->errs, c->ptr, NULL, "control_characters",
               multiline ? "must not contain control characters other than line feeds"
                         : "must be a single line without control characters");
        return false;
    case TEXT_OK:
        break;
    }
    if (cp > max) {
        rf_err(c->errs, c->ptr, NULL, "max_length", "must be at most %zu characters", max);
        return false;
    }
    return true;
}

/* 1–18 decimal digits without a leading zero. */
static bool attachment_id_ok(const char *s, size_t len)
{
    if (len < 1 || len > 18 || s[0] == '0') return false;
    for (size_t i = 0; i < len; i++)
        if (!rk_is_digit(s[i])) return false;
    return true;
}

/* ---- formats ---------------------------------------------------------------------------- */

/* RFC 3339 with an offset at minute precision or finer. jv's check wants seconds, so a
 * minute-precision value ("2023-08-19T13:15+09:00", as the forms print it) is checked as the
 * same instant with ":00" seconds. */
static bool datetime_ok(const char *s, size_t len)
{
    if (len > RF_DATETIME_MAX || memchr(s, '\0', len)) return false;
    if ((len == 17 || len == 22) && strchr("Zz+-", s[16])) {
        char buf[RF_DATETIME_MAX + 4];
        int n = snprintf(buf, sizeof buf, "%.16s:00%s", s, s + 16);
        return n > 0 && jv_check_format(JV_FMT_DATETIME, buf, (size_t)n);
    }
    return jv_check_format(JV_FMT_DATETIME, s, len);
}

/* README: digits with optional +, -, spaces and parentheses, at most 32 characters. */
static bool phone_ok(const char *s, size_t len)
{
    if (len < 1 || len > RF_PHONE_MAX) return false;
    bool digit = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (rk_is_digit(ch))
            digit = true;
        else if (ch != '+' && ch != '-' && ch != ' ' && ch != '(' && ch != ')')
            return false;
    }
    return digit;
}

/* A port 0–65535 in plain decimal (no sign, no leading zero) at s[0..len). */
static bool port_text(const char *s, size_t len, unsigned *out)
{
    if (len < 1 || len > 5 || (len > 1 && s[0] == '0')) return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!rk_is_digit(s[i])) return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return v <= 65535;
}

/* "lo-hi" with 0 ≤ lo ≤ hi ≤ 65535. */
static bool port_range_ok(const char *s, size_t len)
{
    const char *dash = len <= RF_PORT_RANGE_MAX ? memchr(s, '-', len) : NULL;
    unsigned lo, hi;
    if (!dash) return false;
    size_t l = (size_t)(dash - s);
    return port_text(s, l, &lo) && port_text(dash + 1, len - l - 1, &hi) && lo <= hi;
}

/* ---- choices ---------------------------------------------------------------------------- */

/* Number of choices of an enum/multi_enum field (values, or its values_from source). */
static size_t choice_count(const json_t *f, const struct rf_refs *refs)
{
    const char *from = rf_str(f, "values_from");
    if (!from) return json_array_size(json_object_get(f, "values"));
    if (strcmp(from, "sectors") == 0) return refs ? json_array_size(refs->sector_codes) : 0;
    if (strcmp(from, "tlp") == 0) return (size_t)POL_TLP_RED + 1;
    return 0;
}

/* The code of choice i, or NULL. TLP levels come in policy.c's order, CLEAR to RED. */
static const char *choice_code(const json_t *f, const struct rf_refs *refs, size_t i)
{
    const char *from = rf_str(f, "values_from");
    if (!from) return rf_str(json_array_get(json_object_get(f, "values"), i), "code");
    if (strcmp(from, "sectors") == 0)
        return refs ? json_string_value(json_array_get(refs->sector_codes, i)) : NULL;
    if (strcmp(from, "tlp") == 0 && i <= (size_t)POL_TLP_RED)
        return policy_tlp_name((enum pol_tlp)i);
    return NULL;
}

/* Finds the choice s of f; false when s is none of them. */
static bool choice_find(const json_t *f, const struct rf_refs *refs, const json_t *s, size_t *idx)
{
    size_t n = choice_count(f, refs);
    for (size_t i = 0; i < n; i++) {
        const char *code = choice_code(f, refs, i);
        if (code && strlen(code) == json_string_length(s) &&
            memcmp(code, json_string_value(s), json_string_length(s)) == 0) {
            *idx = i;
            return true;
        }
    }
    return false;
}

/* "must be one of: a, b, c", cut with "..." when the list does not fit. Codes are ASCII. */
static void choice_message(const json_t *f, const struct rf_refs *refs, char *buf, size_t cap)
{
    size_t n = choice_count(f, refs), len = (size_t)snprintf(buf, cap, "must be one of: ");
    if (n == 0) {
        snprintf(buf, cap, "has no choices to take");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *code = choice_code(f, refs, i);
        size_t need = strlen(code ? code : "?") + (i ? 2 : 0);
        if (len + need + 4 >= cap) {
            snprintf(buf + len, cap - len, "...");
            return;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", code ? code : "?");
    }
}

/* Checks one choice; true with *idx when it is a live choice (errors added otherwise). */
static bool check_choice(struct vctx *c, const json_t *f, const json_t *v, size_t *idx)
{
    if (!json_is_string(v)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be a string (a choice code)");
        return false;
    }
    if (!choice_find(f, c->refs, v, idx)) {
        char msg[sizeof c->errs->e[0].message];
        choice_message(f, c->refs, msg, sizeof msg);
        rf_err(c->errs, c->ptr, NULL, "enum", "%s", msg);
        return false;
    }
    /* A choice that is an ATT&CK id must still be a live technique: the technique list may
     * have been updated since the definition was checked. */
    const char *code = choice_code(f, c->refs, *idx);
    if (rf_is_attack_id(code) && !rf_technique_ok(c->refs, code)) {
        rf_err(c->errs, c->ptr, NULL, "attack_technique",
               "is not a current ATT&CK technique (revoked, deprecated or unknown)");
        return false;
    }
    return true;
}

/* ---- lists ------------------------------------------------------------------------------ */

/* One accepted item of a list, for the duplicate check. */
struct item {
    const char *text; /* canonical text (ip/cidr), or NULL */
    size_t choice;    /* choice index (multi_enum) */
    size_t index;     /* position in the answer */
};

static int cmp_text(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int r = strcmp(x->text, y->text);
    if (r) return r;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_choice(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->choice != y->choice) return x->choice < y->choice ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorts items and reports the first repeat in the answer's order (one error per list). Sorted
 * by (key, position), the first item of a run of equals is the earliest of them. */
static void report_repeats(struct vctx *c, struct item *items, size_t n, bool by_text)
{
    if (n < 2) return;
    qsort(items, n, sizeof *items, by_text ? cmp_text : cmp_choice);
    size_t dup = SIZE_MAX, first = 0, run = 0;
    for (size_t i = 1; i < n; i++) {
        bool same = by_text ? strcmp(items[i - 1].text, items[i].text) == 0
                            : items[i - 1].choice == items[i].choice;
        if (!same) {
            run = i;
        } else if (items[i].index < dup) {
            dup = items[i].index;
            first = items[run].index;
        }
    }
    if (dup == SIZE_MAX) return;
    size_t at = rf_push_index(c->ptr, dup);
    rf_err(c->errs, c->ptr, NULL, "unique_items", "repeats the item at index %zu", first);
    rf_pop(c->ptr, at);
}

enum list_kind { LIST_MULTI, LIST_IP, LIST_CIDR, LIST_PORT, LIST_ATTACHMENT };

/* Checks item i (at c->ptr) of a list; appends its normalised form to out and records it in
 * *it (it->text/choice). Returns RK_OK (an error may have been added) or RK_ENOMEM. */
static int list_item(struct vctx *c, const json_t *f, enum list_kind kind, const json_t *v,
                     json_t *out, struct item *it, bool *ok)
{
    char canon[IP_CANON_CAP], why[sizeof c->errs->e[0].message];
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    json_t *norm = NULL;
    *ok = false;
    switch (kind) {
    case LIST_MULTI:
        if (!check_choice(c, f, v, &it->choice)) return RK_OK;
        *ok = true;
        return RK_OK; /* appended later, in the order of the choices */
    case LIST_IP:
    case LIST_CIDR:
        if (!s) {
            rf_err(c->errs, c->ptr, NULL, "type", "must be a string");
            return RK_OK;
        }
        if (kind == LIST_IP && ip_addr_canon(s, len, canon, sizeof canon) != RK_OK) {
            rf_err(
                c->errs, c->ptr, NULL, "ip",
                "must be an IPv4 (dotted quad) or IPv6 address such as 192.0.2.1 or 2001:db8::1");
            return RK_OK;
        }
        if (kind == LIST_CIDR &&
            ip_cidr_canon(s, len, 0, canon, sizeof canon, why, sizeof why) != RK_OK) {
            rf_err(c->errs, c->ptr, NULL, "cidr", "%s", why);
            return RK_OK;
        }
        norm = json_string(canon);
        break;
    case LIST_PORT:
        if (json_is_integer(v) ? json_integer_value(v) < 0 || json_integer_value(v) > 65535
                               : !s || !port_range_ok(s, len)) {
            rf_err(c->errs, c->ptr, NULL, "port",
                   "must be a port number 0-65535 or a range \"lo-hi\" with lo <= hi");
            return RK_OK;
        }
        norm = json_copy((json_t *)v);
        break;
    case LIST_ATTACHMENT:
        if (!s) {
            rf_err(c->errs, c->ptr, NULL, "type", "must be a string (an attachment id)");
            return RK_OK;
        }
        if (!attachment_id_ok(s, len)) {
            /* The platform's attachment ids are decimal (POST /api/v1/attachments). */
            rf_err(c->errs, c->ptr, NULL, "format",
                   "must be an attachment id: the decimal id of an uploaded file");
            return RK_OK;
        }
        norm = json_stringn(s, len);
        break;
    }
    if (!norm || json_array_append_new(out, norm) != 0) return RK_ENOMEM;
    it->text = json_string_value(json_array_get(out, json_array_size(out) - 1));
    *ok = true;
    return RK_OK;
}

/* multi_enum, ip_list, cidr_list, port_list, attachment. */
static int check_list(struct vctx *c, const json_t *f, enum list_kind kind, const json_t *v,
                      json_t **out)
{
    size_t n = json_array_size(v), max = limit_of(f, "max_items", RF_DEFAULT_MAX_ITEMS);
    if (!json_is_array(v)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be an array");
        return RK_OK;
    }
    if (n > max) {
        rf_err(c->errs, c->ptr, NULL, "max_items", "must have at most %zu items", max);
        return RK_OK;
    }
    int rc = RK_ENOMEM;
    size_t before = nerr(c->errs), kept = 0;
    struct item *items = n ? calloc(n, sizeof *items) : NULL;
    json_t *res = json_array();
    if (!res || (n && !items)) goto cleanup;
    for (size_t i = 0; i < n; i++) {
        bool ok;
        size_t at = rf_push_index(c->ptr, i);
        items[kept].index = i;
        rc = list_item(c, f, kind, json_array_get(v, i), res, &items[kept], &ok);
        rf_pop(c->ptr, at);
        if (rc != RK_OK) goto cleanup;
        kept += ok;
    }
    rc = RK_OK;
    /* Addresses and networks are compared canonical (2001:db8::1 = 2001:DB8:0::1); ports and
     * attachments may repeat, the README asks distinct items only of these. */
    if (kind == LIST_MULTI || kind == LIST_IP || kind == LIST_CIDR)
        report_repeats(c, items, kept, kind != LIST_MULTI);
    if (nerr(c->errs) != before) goto cleanup;
    /* report_repeats sorted the choices by their index: the order they are stored in */
    for (size_t i = 0; kind == LIST_MULTI && i < kept; i++) {
        if (json_array_append_new(res, json_string(choice_code(f, c->refs, items[i].choice)))) {
            rc = RK_ENOMEM;
            goto cleanup;
        }
    }
    *out = res;
    res = NULL;
cleanup:
    json_decref(res);
    free(items);
    return rc;
}

/* ---- values ----------------------------------------------------------------------------- */

static int check_members(struct vctx *c, const json_t *defs, const json_t *obj, const char *what,
                         json_t **out);

/* rows: an array of objects whose members are the columns. */
static int check_rows(struct vctx *c, const json_t *f, const json_t *v, json_t **out)
{
    size_t n = json_array_size(v), max = limit_of(f, "max_items", RF_DEFAULT_MAX_ITEMS);
    if (!json_is_array(v)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be an array of rows (objects)");
        return RK_OK;
    }
    if (n > max) {
        rf_err(c->errs, c->ptr, NULL, "max_items", "must have at most %zu rows", max);
        return RK_OK;
    }
    int rc = RK_ENOMEM;
    size_t before = nerr(c->errs);
    json_t *res = json_array();
    if (!res) goto cleanup;
    rc = RK_OK;
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        const json_t *row = json_array_get(v, i);
        json_t *norm = NULL;
        size_t at = rf_push_index(c->ptr, i);
        if (!json_is_object(row))
            rf_err(c->errs, c->ptr, NULL, "type", "must be an object (one row)");
        else
            rc = check_members(c, json_object_get(f, "columns"), row, "column", &norm);
        rf_pop(c->ptr, at);
        if (norm && json_array_append_new(res, norm) != 0) rc = RK_ENOMEM;
    }
    if (rc != RK_OK || nerr(c->errs) != before) goto cleanup;
    *out = res;
    res = NULL;
cleanup:
    json_decref(res);
    return rc;
}

/* A number or integer at or above the definition's min (default 0); false when it is not
 * (error added). *out may be NULL on true: out of memory. */
static bool check_number(struct vctx *c, const json_t *f, const json_t *v, bool integer,
                         json_t **out)
{
    const json_t *mv = json_object_get(f, "min");
    json_int_t min = json_is_integer(mv) ? json_integer_value(mv) : 0;
    bool below;
    if (integer ? !json_is_integer(v) : !json_is_number(v) || !isfinite(json_number_value(v))) {
        rf_err(c->errs, c->ptr, NULL, "type", integer ? "must be an integer" : "must be a number");
        return false;
    }
    if (json_is_integer(v))
        below = json_integer_value(v) < min;
    else
        below = json_real_value(v) < (double)min;
    if (below) {
        rf_err(c->errs, c->ptr, NULL, "minimum", "must be at least %lld", (long long)min);
        return false;
    }
    /* One spelling per value, so that a follow-up repeating 1 as 1.0 (or -0) is not a change:
     * whole numbers within double's exact range become integers. */
    double d = json_number_value(v);
    if (!integer && json_is_real(v) && d == floor(d) && fabs(d) < 9007199254740992.0)
        *out = json_integer((json_int_t)d);
    else
        *out = json_copy((json_t *)v);
    return true;
}

/* String types other than text and choices: the rule is one format check. Returns as
 * check_number. */
static bool check_format(struct vctx *c, enum rf_type t, const json_t *v, json_t **out)
{
    const char *s = json_string_value(v), *rule = NULL, *msg = NULL;
    size_t len = json_string_length(v);
    if (!s) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be a string");
        return false;
    }
    switch (t) {
    case RF_DATETIME:
        if (!datetime_ok(s, len))
            rule = "datetime", msg = "must be an RFC 3339 date-time with an offset, such as "
                                     "2023-08-19T13:15+09:00";
        break;
    case RF_DATE:
        if (!jv_check_format(JV_FMT_DATE, s, len))
            rule = "date", msg = "must be a calendar date of the form YYYY-MM-DD";
        break;
    case RF_CORPORATE_NUMBER:
        if (!jv_corpnum_valid(s, len))
            rule = "corporate_number",
            msg = "must be a 13-digit corporate number with a valid check digit";
        break;
    case RF_EMAIL:
        if (len > RF_EMAIL_MAX || !jv_check_format(JV_FMT_EMAIL, s, len))
            rule = "email", msg = "must be an email address of the form local@domain.example";
        break;
    case RF_PHONE:
        if (!phone_ok(s, len))
            rule = "phone", msg = "must be a phone number of at most 32 characters using digits, "
                                  "spaces and + - ( )";
        break;
    case RF_ATTACK_TECHNIQUE:
        if (!rf_is_attack_id(s) || strlen(s) != len || !rf_technique_ok(c->refs, s))
            rule = "attack_technique", msg = "must be a current ATT&CK technique id such as T1498";
        break;
    default:
        rule = "type", msg = "cannot be checked: unsupported field type";
        break;
    }
    if (rule) {
        rf_err(c->errs, c->ptr, NULL, rule, "%s", msg);
        return false;
    }
    *out = json_stringn(s, len);
    return true;
}

/* Checks the given value v of field f (at c->ptr); *out is its normalised form, or NULL when
 * an error was added. RK_OK or RK_ENOMEM. */
static int check_value(struct vctx *c, const json_t *f, const json_t *v, json_t **out)
{
    enum rf_type t = rf_type_of(f);
    size_t idx;
    *out = NULL;
    switch (t) {
    case RF_TEXT:
    case RF_TEXTAREA:
        if (!json_is_string(v)) {
            rf_err(c->errs, c->ptr, NULL, "type", "must be a string");
            return RK_OK;
        }
        if (!check_text(c, v, t == RF_TEXTAREA, limit_of(f, "max_len", RF_DEFAULT_MAX_LEN)))
            return RK_OK;
        *out = json_stringn(json_string_value(v), json_string_length(v));
        break;
    case RF_ENUM:
        if (!check_choice(c, f, v, &idx)) return RK_OK;
        *out = json_string(choice_code(f, c->refs, idx));
        break;
    case RF_YESNO:
        if (!json_is_boolean(v)) {
            rf_err(c->errs, c->ptr, NULL, "type", "must be true or false");
            return RK_OK;
        }
        *out = json_boolean(json_is_true(v));
        break;
    case RF_MULTI_ENUM:
        return check_list(c, f, LIST_MULTI, v, out);
    case RF_IP_LIST:
        return check_list(c, f, LIST_IP, v, out);
    case RF_CIDR_LIST:
        return check_list(c, f, LIST_CIDR, v, out);
    case RF_PORT_LIST:
        return check_list(c, f, LIST_PORT, v, out);
    case RF_ATTACHMENT:
        return check_list(c, f, LIST_ATTACHMENT, v, out);
    case RF_ROWS:
        return check_rows(c, f, v, out);
    case RF_NUMBER:
    case RF_INTEGER:
        if (!check_number(c, f, v, t == RF_INTEGER, out)) return RK_OK;
        break;
    default:
        if (!check_format(c, t, v, out)) return RK_OK;
        break;
    }
    return *out ? RK_OK : RK_ENOMEM;
}

/* Is v an answer? Absent and null are not; neither is "" for a required text (see top). */
static bool given(const json_t *f, const json_t *v)
{
    if (!v || json_is_null(v)) return false;
    enum rf_type t = rf_type_of(f);
    if ((t == RF_TEXT || t == RF_TEXTAREA) && json_is_true(json_object_get(f, "required")) &&
        json_is_string(v) && json_string_length(v) == 0)
        return false;
    return true;
}

/* The definition in defs (fields or columns) whose id is key, or NULL. */
static const json_t *def_by_id(const json_t *defs, const char *key)
{
    size_t i;
    const json_t *d;
    json_array_foreach((json_t *)defs, i, d)
    {
        const char *id = rf_str(d, "id");
        if (id && strcmp(id, key) == 0) return d;
    }
    return NULL;
}

/* Checks an object whose members are defined by defs (a section's fields or a row's columns):
 * unknown members, then each definition in order. *out is the normalised object (given
 * members only) unless an error was added. */
static int check_members(struct vctx *c, const json_t *defs, const json_t *obj, const char *what,
                         json_t **out)
{
    const char *key;
    const json_t *v;
    size_t before = nerr(c->errs);
    json_object_foreach((json_t *)obj, key, v)
    {
        if (!def_by_id(defs, key))
            rf_err(c->errs, c->ptr, key, "unknown_field", "unknown %s: not part of this form",
                   what);
    }
    json_t *res = json_object();
    if (!res) return RK_ENOMEM;
    int rc = RK_OK;
    size_t i;
    const json_t *d;
    json_array_foreach((json_t *)defs, i, d)
    {
        const char *id = rf_str(d, "id");
        if (!id) continue;
        v = json_object_get(obj, id);
        if (!given(d, v)) {
            if (json_is_true(json_object_get(d, "required")))
                rf_err(c->errs, c->ptr, id, "required", "is required");
            continue;
        }
        json_t *norm = NULL;
        size_t at = rf_push_key(c->ptr, id);
        rc = check_value(c, d, v, &norm);
        rf_pop(c->ptr, at);
        if (rc != RK_OK) break;
        if (norm && json_object_set_new(res, id, norm) != 0) {
            rc = RK_ENOMEM;
            break;
        }
    }
    if (rc == RK_OK && nerr(c->errs) == before) {
        *out = res;
        return RK_OK;
    }
    json_decref(res);
    return rc;
}

/* The liaison form's 識別番号: blank on the 1st report (the national centre assigns it on
 * receipt), required from the 2nd on (README liaison note 1). */
static void check_identification(struct vctx *c, const json_t *form, const json_t *answers)
{
    const char *name = rf_str(form, "name");
    const json_t *header = json_object_get(answers, "header");
    const json_t *num = json_object_get(header, "report_number");
    const json_t *def = rf_field(form, "header", "identification_number");
    const json_t *id = json_object_get(header, "identification_number");
    /* Blank is not a number: the rule holds whatever `required` says of the field. */
    bool blank = true;
    for (const char *s = json_string_value(id); s && *s && blank; s++)
        blank = *s == ' ' || *s == '\t';
    if (!name || strcmp(name, "liaison") != 0 || !def || !json_is_integer(num) ||
        json_integer_value(num) < 2 || (given(def, id) && !(json_is_string(id) && blank)))
        return;
    size_t at = rf_push_key(c->ptr, "header");
    rf_err(c->errs, c->ptr, "identification_number", "required",
           "is required from the 2nd report on (blank only on the 1st)");
    rf_pop(c->ptr, at);
}

int rf_validate(const json_t *form, const struct rf_refs *refs, const json_t *answers,
                const char *prefix, json_t **out, struct jv_errors *errs)
{
    if (!out || !errs) return RK_EINVAL;
    *out = NULL;
    if (!prefix) prefix = "";
    struct vctx c = {.refs = refs, .errs = errs};
    size_t plen = strlen(prefix);
    if (plen >= sizeof c.ptr - 1)
        return jv_error_add(errs, "", "type", "cannot be checked: error prefix too long");
    memcpy(c.ptr, prefix, plen + 1);
    const json_t *sections = json_object_get(form, "sections");
    if (!json_is_array(sections))
        return jv_error_add(errs, c.ptr, "type", "cannot be checked: no usable form definition");
    if (!json_is_object(answers))
        return jv_error_add(errs, c.ptr, "type", "must be an object of sections");

    size_t before = nerr(errs);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)answers, key, v)
    {
        if (!def_by_id(sections, key))
            rf_err(errs, c.ptr, key, "unknown_field", "unknown section: not part of this form");
    }
    int rc = RK_ENOMEM;
    json_t *res = json_object();
    if (!res) goto cleanup;
    rc = RK_OK;
    size_t i;
    const json_t *s;
    json_array_foreach((json_t *)sections, i, s)
    {
        const char *id = rf_str(s, "id");
        if (!id) continue;
        v = json_object_get(answers, id);
        json_t *norm = NULL;
        size_t at = rf_push_key(c.ptr, id);
        if (v && !json_is_null(v) && !json_is_object(v))
            rf_err(errs, c.ptr, NULL, "type", "must be an object of fields");
        else /* an absent section is one whose fields are all not given */
            rc = check_members(&c, json_object_get(s, "fields"), v ? v : json_null(), "field",
                               &norm);
        rf_pop(c.ptr, at);
        if (rc != RK_OK) goto cleanup;
        if (norm && json_object_size(norm) == 0)
            json_decref(norm);
        else if (norm && json_object_set_new(res, id, norm) != 0) {
            rc = RK_ENOMEM;
            goto cleanup;
        }
    }
    check_identification(&c, form, answers);
    if (nerr(errs) != before) {
        rc = RK_EINVAL;
        goto cleanup;
    }
    *out = res;
    res = NULL;
cleanup:
    json_decref(res);
    return rc;
}

const json_t *rf_field(const json_t *form, const char *section, const char *field)
{
    if (!section || !field) return NULL;
    const json_t *s = def_by_id(json_object_get(form, "sections"), section);
    return def_by_id(json_object_get(s, "fields"), field);
}
