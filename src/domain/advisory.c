/*
 * advisory.c — the advisory form's rules, helpers and drafts (contract in advisory.h; the rules
 * are those of data/advisory/README.md "Rules the validator must add").
 *
 * Decisions the README leaves open, resolved here (the header repeats those callers see):
 *  - The advisory rules run on rf_validate's normalised answers, so each looks at values of the
 *    right type only and reports one error per value; a rule's pointer is the client's (rows
 *    keep their order; only multi_enum is reordered, so sector errors use the client's index).
 *  - "sector_not_covered" is not judged while a listed ministry is unknown: which sectors that
 *    ministry would cover cannot be known, and the unknown code is the error to fix.
 *  - has_attachments true with no file is refused as well: adv_validate checks complete
 *    answers, and an advisory that announces an annex must carry it.
 *  - Refanging is applied to domains and URLs only (README rule 7), by a one-pass reduction
 *    that leaves no defanged token behind (see refang), so normalisation is idempotent. "[:]" is
 *    refanged too (hxxp[:]//…), a spelling as common as "[.]".
 *  - IDNs: the README stores A-labels; converting U-labels needs IDNA tables this pure module
 *    does not carry, so a non-ASCII domain is refused with a message asking for xn-- labels.
 *  - A domain's last label may not be all digits, so an IPv4 address is never a domain.
 *  - Drafts (adv_from_report) copy by the mapping file only; which sources are identifying is
 *    read from the report form's definition, plus a fixed list of the sections that name the
 *    reporter, so a definition that lost its flag still cannot leak them unlabelled.
 */
#include "domain/advisory.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"
#include "core/utf8.h"
#include "domain/ipaddr.h"

#define DOMAIN_MAX 253   /* octets of a whole name */
#define DNS_LABEL_MAX 63 /* octets of one label */
#define PATH_TOKEN_MAX 64
#define WHY_MAX 128
#define LABEL_SOURCE_IDENTIFYING "source_identifying"

/* ---- small helpers ----------------------------------------------------------------------- */

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static size_t nerr(const struct jv_errors *e)
{
    return e ? e->n + e->dropped : 0;
}

static size_t push(char *ptr, const char *key)
{
    size_t n = strlen(ptr);
    jv_pointer_append(ptr, JV_POINTER_MAX, key);
    return n;
}

static size_t push_index(char *ptr, size_t i)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", i);
    return push(ptr, num);
}

static void pop(char *ptr, size_t n)
{
    ptr[n] = '\0';
}

/* Sets ptr to prefix (cut by jv when too long). */
static void set_prefix(char *ptr, const char *prefix)
{
    ptr[0] = '\0';
    if (!prefix || !*prefix) return;
    size_t n = strlen(prefix);
    if (n < JV_POINTER_MAX) {
        memcpy(ptr, prefix, n + 1);
        return;
    }
    memcpy(ptr, prefix, JV_POINTER_MAX - 4);
    memcpy(ptr + JV_POINTER_MAX - 4, "...", 4);
}

__attribute__((format(printf, 4, 5))) static void fail(struct jv_errors *errs, const char *ptr,
                                                       const char *rule, const char *fmt, ...)
{
    if (!errs) return;
    if (errs->n >= JV_MAX_ERRORS) {
        errs->dropped++;
        return;
    }
    char msg[sizeof errs->e[0].message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jv_error_add(errs, ptr, rule, "%s", msg);
}

static bool is_alnum(int c)
{
    return rk_is_alpha(c) || rk_is_digit(c);
}

/* T + 4 digits, optionally . + 3 digits (an ATT&CK technique id by its shape). */
static bool attack_shaped(const char *s)
{
    if (!s || s[0] != 'T') return false;
    for (int i = 1; i <= 4; i++)
        if (!rk_is_digit(s[i])) return false;
    if (s[5] == '\0') return true;
    if (s[5] != '.') return false;
    for (int i = 6; i <= 8; i++)
        if (!rk_is_digit(s[i])) return false;
    return s[9] == '\0';
}

/* ---- the fields this module relies on ---------------------------------------------------- */

/* What a draft may write into a field (adv_from_report, adv_check_mapping). */
enum dest {
    D_NONE,       /* not filled from reports */
    D_TEXT,       /* text joined with "\n" */
    D_ENUM,       /* the first value */
    D_IPS,        /* ip_list items, distinct */
    D_CIDRS,      /* cidr_list items, distinct */
    D_HASHES,     /* hashes found in text → {algorithm, value} rows */
    D_TECHNIQUES, /* ATT&CK ids → {technique} rows */
    D_ROWS1       /* one-column rows, one per text value */
};

struct fielddef {
    const char *sec, *fld, *type;
    const char *col, *col_type;   /* rows: the (first) column */
    const char *col2, *col2_type; /* rows: a second column */
    const char *values_from;      /* enum / multi_enum */
    enum dest dest;
};

/* In the form's order: drafts come out in it. */
static const struct fielddef FIELDS[] = {
    /* sec, fld, type, col, col_type, col2, col2_type, values_from, dest */
    {"header", "severity", "enum", NULL, NULL, NULL, NULL, NULL, D_ENUM},
    {"header", "report_number", "integer", NULL, NULL, NULL, NULL, NULL, D_NONE},
    {"header", "identification_number", "text", NULL, NULL, NULL, NULL, NULL, D_NONE},
    {"header", "advisory_datetime", "datetime", NULL, NULL, NULL, NULL, NULL, D_NONE},
    {"recipients", "recipient_ministries", "rows", "ministry", "text", NULL, NULL, NULL, D_NONE},
    {"recipients", "recipient_sectors", "multi_enum", NULL, NULL, NULL, NULL, "sectors", D_NONE},
    {"sharing", "tlp", "enum", NULL, NULL, NULL, NULL, "tlp", D_NONE},
    {"sharing", "special_notes", "textarea", NULL, NULL, NULL, NULL, NULL, D_TEXT},
    {"content", "has_attachments", "yesno", NULL, NULL, NULL, NULL, NULL, D_NONE},
    {"content", "attachments", "attachment", NULL, NULL, NULL, NULL, NULL, D_NONE},
    {"overview", "overview", "textarea", NULL, NULL, NULL, NULL, NULL, D_TEXT},
    {"targets", "targets", "textarea", NULL, NULL, NULL, NULL, NULL, D_TEXT},
    {"guidance", "guidance", "textarea", NULL, NULL, NULL, NULL, NULL, D_TEXT},
    {"guidance", "ip_addresses", "ip_list", NULL, NULL, NULL, NULL, NULL, D_IPS},
    {"guidance", "cidrs", "cidr_list", NULL, NULL, NULL, NULL, NULL, D_CIDRS},
    {"guidance", "domains", "rows", "domain", "text", NULL, NULL, NULL, D_ROWS1},
    {"guidance", "urls", "rows", "url", "text", NULL, NULL, NULL, D_ROWS1},
    {"guidance", "hashes", "rows", "algorithm", "enum", "value", "text", NULL, D_HASHES},
    {"guidance", "cve_ids", "rows", "cve_id", "text", NULL, NULL, NULL, D_ROWS1},
    {"guidance", "attack_techniques", "rows", "technique", "attack_technique", NULL, NULL, NULL,
     D_TECHNIQUES},
    {"other", "other", "textarea", NULL, NULL, NULL, NULL, NULL, D_TEXT},
};

static const char *const HASH_ALGS[] = {"md5", "sha1", "sha256", "sha512"};
static const size_t HASH_LENS[] = {32, 40, 64, 128};

/* The hex length of a hash algorithm, 0 when unknown. */
static size_t hash_len(const char *alg)
{
    for (size_t i = 0; alg && i < RK_ARRAY_LEN(HASH_ALGS); i++)
        if (strcmp(alg, HASH_ALGS[i]) == 0) return HASH_LENS[i];
    return 0;
}

static const char *hash_alg(size_t len)
{
    for (size_t i = 0; i < RK_ARRAY_LEN(HASH_LENS); i++)
        if (HASH_LENS[i] == len) return HASH_ALGS[i];
    return NULL;
}

/* The definition in defs whose "id" is id, with its index; NULL when none. */
static const json_t *by_id(const json_t *defs, const char *id, size_t *index)
{
    size_t i;
    const json_t *d;
    json_array_foreach((json_t *)defs, i, d)
    {
        if (eq(str(d, "id"), id)) {
            if (index) *index = i;
            return d;
        }
    }
    return NULL;
}

/* Checks one column of a rows field at ptr (".../fields/<k>"). */
static void check_column(const json_t *field, const char *col, const char *type, char *ptr,
                         struct jv_errors *errs)
{
    size_t ci = 0;
    const json_t *c = by_id(json_object_get(field, "columns"), col, &ci);
    size_t at = push(ptr, "columns");
    if (!c) {
        fail(errs, ptr, "required", "needs the column %s (the advisory code relies on it)", col);
    } else if (!eq(str(c, "type"), type)) {
        push_index(ptr, ci);
        push(ptr, "type");
        fail(errs, ptr, "type", "must be %s (the advisory code relies on it)", type);
    }
    pop(ptr, at);
}

int adv_check_form(const json_t *form, struct jv_errors *errs)
{
    if (!errs) return RK_EINVAL;
    errs->n = 0;
    errs->dropped = 0;
    if (!json_is_object(form)) return jv_error_add(errs, "", "type", "must be an object");
    if (!eq(str(form, "name"), ADV_FORM_NAME)) fail(errs, "/name", "enum", "must be \"advisory\"");
    const json_t *sections = json_object_get(form, "sections");
    for (size_t i = 0; i < RK_ARRAY_LEN(FIELDS); i++) {
        const struct fielddef *d = &FIELDS[i];
        size_t si = 0, fi = 0;
        const json_t *s = by_id(sections, d->sec, &si);
        const json_t *f = s ? by_id(json_object_get(s, "fields"), d->fld, &fi) : NULL;
        char ptr[JV_POINTER_MAX] = "";
        if (!f) {
            fail(errs, "/sections", "required", "needs the field %s/%s (the code relies on it)",
                 d->sec, d->fld);
            continue;
        }
        snprintf(ptr, sizeof ptr, "/sections/%zu/fields/%zu", si, fi);
        if (!eq(str(f, "type"), d->type)) {
            size_t at = push(ptr, "type");
            fail(errs, ptr, "type", "must be %s (the advisory code relies on it)", d->type);
            pop(ptr, at);
            continue;
        }
        if (d->values_from && !eq(str(f, "values_from"), d->values_from)) {
            size_t at = push(ptr, "values_from");
            fail(errs, ptr, "enum", "must be \"%s\"", d->values_from);
            pop(ptr, at);
        }
        if (d->col) check_column(f, d->col, d->col_type, ptr, errs);
        if (d->col2) check_column(f, d->col2, d->col2_type, ptr, errs);
        if (d->dest != D_HASHES) continue;
        /* Every algorithm offered must be one whose length rule 8 knows. */
        size_t ci = 0, k;
        const json_t *alg = by_id(json_object_get(f, "columns"), "algorithm", &ci), *v;
        json_array_foreach(json_object_get(alg, "values"), k, v)
        {
            if (hash_len(str(v, "code"))) continue;
            size_t at = push(ptr, "columns");
            push_index(ptr, ci);
            push(ptr, "values");
            push_index(ptr, k);
            push(ptr, "code");
            fail(errs, ptr, "enum", "must be one of: md5, sha1, sha256, sha512");
            pop(ptr, at);
        }
    }
    return errs->n || errs->dropped ? RK_EINVAL : RK_OK;
}

/* ---- adv_client_check -------------------------------------------------------------------- */

int adv_client_check(const json_t *answers, const char *prefix, struct jv_errors *errs)
{
    static const char *const assigned[] = {"identification_number", "report_number",
                                           "advisory_datetime"};
    const json_t *h = json_object_get(answers, "header");
    int rc = RK_OK;
    for (size_t i = 0; i < RK_ARRAY_LEN(assigned); i++) {
        const json_t *v = json_object_get(h, assigned[i]);
        if (!v || json_is_null(v)) continue;
        char ptr[JV_POINTER_MAX];
        set_prefix(ptr, prefix);
        push(ptr, "header");
        push(ptr, assigned[i]);
        fail(errs, ptr, "assigned_by_platform", "is assigned by the platform: leave it out");
        rc = RK_EINVAL;
    }
    return rc;
}

/* ---- refanging and indicator formats ----------------------------------------------------- */

/*
 * Refangs s[0..len) into out (room for len + 1 bytes) and returns the new length. Each byte is
 * appended and the tail reduced at once ("[.]" "(.)" "{.}" → ".", "[:]" → ":"): a token can
 * only end at the byte just appended, and the "." or ":" it leaves cannot end one, so the
 * result holds no token and refanging it again changes nothing. Then hxxp(s):// → http(s)://.
 */
static size_t refang(const char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        out[n++] = s[i];
        if (n < 3) continue;
        char o = out[n - 3], m = out[n - 2], cl = out[n - 1];
        bool pair = (o == '[' && cl == ']') || (o == '(' && cl == ')') || (o == '{' && cl == '}');
        if (pair && (m == '.' || (m == ':' && o == '['))) {
            out[n - 3] = m;
            n -= 2;
        }
    }
    out[n] = '\0';
    if (n >= 7 && rk_lower(out[0]) == 'h' && rk_lower(out[1]) == 'x' && rk_lower(out[2]) == 'x' &&
        rk_lower(out[3]) == 'p') {
        size_t k = rk_lower(out[4]) == 's' ? 5 : 4;
        if (n >= k + 3 && memcmp(out + k, "://", 3) == 0) {
            out[1] = 't';
            out[2] = 't';
        }
    }
    return n;
}

/* A DNS name as advisory.h says (case-insensitive here); false with why otherwise. */
static bool domain_ok(const char *s, size_t len, char *why, size_t cap)
{
    if (len == 0) {
        snprintf(why, cap, "must not be empty");
        return false;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) {
            snprintf(why, cap,
                     "must be ASCII: write an internationalised name as A-labels "
                     "(xn--...)");
            return false;
        }
    if (len > DOMAIN_MAX) {
        snprintf(why, cap, "must be at most %d octets", DOMAIN_MAX);
        return false;
    }
    if (s[len - 1] == '.') {
        snprintf(why, cap, "must not end with a dot");
        return false;
    }
    size_t labels = 0, start = 0, last = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            if (!is_alnum(s[i]) && s[i] != '-') {
                snprintf(why, cap, "may contain only letters, digits, hyphens and dots");
                return false;
            }
            continue;
        }
        size_t l = i - start;
        if (l == 0 || l > DNS_LABEL_MAX) {
            snprintf(why, cap, "must be made of labels of 1-%d octets", DNS_LABEL_MAX);
            return false;
        }
        if (s[start] == '-' || s[i - 1] == '-') {
            snprintf(why, cap, "has a label that starts or ends with a hyphen");
            return false;
        }
        labels++;
        last = start;
        start = i + 1;
    }
    if (labels < 2) {
        snprintf(why, cap, "must have at least two labels, such as example.com");
        return false;
    }
    size_t d = last;
    while (d < len && rk_is_digit(s[d]))
        d++;
    if (d == len) {
        snprintf(why, cap, "must not end in an all-numeric label (addresses go in ip_addresses)");
        return false;
    }
    return true;
}

/* The normalisers of the rows lists: RK_OK with *out (malloc'd), RK_EINVAL with why, or
 * RK_ENOMEM. s[0..len) is the rf-validated value of the column, row its row. */
typedef int (*norm_fn)(const json_t *row, const char *s, size_t len, char **out, char *why,
                       size_t cap);

static void lower_n(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)rk_lower(s[i]);
}

static int domain_norm(const json_t *row, const char *s, size_t len, char **out, char *why,
                       size_t cap)
{
    char *buf = malloc(len + 1);
    if (!buf) return RK_ENOMEM;
    size_t n = refang(s, len, buf);
    if (!domain_ok(buf, n, why, cap)) {
        free(buf);
        return RK_EINVAL;
    }
    lower_n(buf, n);
    *out = buf;
    return RK_OK;
}

static bool unreserved(int c)
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool sub_delim(int c)
{
    return c && strchr("!$&'()*+,;=", c) != NULL;
}

static bool pct_at(const char *s, size_t n, size_t i)
{
    return s[i] == '%' && i + 2 < n && rk_hexval(s[i + 1]) >= 0 && rk_hexval(s[i + 2]) >= 0;
}

/* The authority's host [h, e) of buf: checked and lower-cased; returns where it ends (the
 * port's ':' or e), or 0 with why. */
static size_t url_host(char *buf, size_t h, size_t e, char *why, size_t cap)
{
    char canon[IP_CANON_CAP], dwhy[WHY_MAX];
    size_t p;
    if (h < e && buf[h] == '[') {
        const char *close = memchr(buf + h, ']', e - h);
        if (!close || !memchr(buf + h, ':', (size_t)(close - buf) - h) ||
            ip_addr_canon(buf + h + 1, (size_t)(close - buf) - h - 1, canon, sizeof canon) !=
                RK_OK) {
            snprintf(why, cap, "must have a host; [...] holds an IPv6 address");
            return 0;
        }
        p = (size_t)(close - buf) + 1;
    } else {
        p = h;
        while (p < e && buf[p] != ':')
            p++;
        size_t k = h;
        while (k < p && (rk_is_digit(buf[k]) || buf[k] == '.'))
            k++;
        if (k == p && p > h) {
            if (ip_addr_canon(buf + h, p - h, canon, sizeof canon) != RK_OK) {
                snprintf(why, cap, "must have a host: a name or a dotted-quad IPv4 address");
                return 0;
            }
        } else if (!domain_ok(buf + h, p - h, dwhy, sizeof dwhy)) {
            snprintf(why, cap, "must have a valid host: the name %s", dwhy);
            return 0;
        }
    }
    lower_n(buf + h, p - h);
    return p;
}

/* Everything after the authority: path, query and fragment characters of RFC 3986. */
static bool url_rest_ok(const char *buf, size_t e, size_t n, char *why, size_t cap)
{
    bool fragment = false;
    for (size_t j = e; j < n; j++) {
        char c = buf[j];
        if (c == '%') {
            if (!pct_at(buf, n, j)) {
                snprintf(why, cap, "must follow every %% with two hexadecimal digits");
                return false;
            }
            j += 2;
        } else if (c == '#') {
            if (fragment) {
                snprintf(why, cap, "must not have a second # (percent-encode it)");
                return false;
            }
            fragment = true;
        } else if (!unreserved(c) && !sub_delim(c) && !strchr(":@/?", c)) {
            snprintf(why, cap, "has a character a URI does not allow there (percent-encode it)");
            return false;
        }
    }
    return true;
}

static int url_check(char *buf, size_t n, char *why, size_t cap)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c <= 0x20 || c >= 0x7f) {
            snprintf(why, cap, "must be an ASCII URI without spaces (percent-encode the rest)");
            return RK_EINVAL;
        }
    }
    size_t i = 0;
    while (i < n && (is_alnum(buf[i]) || buf[i] == '+' || buf[i] == '-' || buf[i] == '.'))
        i++;
    lower_n(buf, i);
    if (i >= n || buf[i] != ':' ||
        !((i == 4 && memcmp(buf, "http", 4) == 0) || (i == 5 && memcmp(buf, "https", 5) == 0))) {
        snprintf(why, cap, "must be an absolute URI with the scheme http or https");
        return RK_EINVAL;
    }
    if (i + 3 > n || buf[i + 1] != '/' || buf[i + 2] != '/') {
        snprintf(why, cap, "must have a host (http://host/...)");
        return RK_EINVAL;
    }
    size_t a = i + 3, e = a;
    while (e < n && buf[e] != '/' && buf[e] != '?' && buf[e] != '#')
        e++;
    size_t h = a;
    const char *at = memchr(buf + a, '@', e - a);
    if (at) {
        for (size_t k = a; k < (size_t)(at - buf); k++) {
            if (pct_at(buf, n, k)) {
                k += 2;
            } else if (!unreserved(buf[k]) && !sub_delim(buf[k]) && buf[k] != ':') {
                snprintf(why, cap, "has a character the user part does not allow");
                return RK_EINVAL;
            }
        }
        h = (size_t)(at - buf) + 1;
    }
    size_t p = url_host(buf, h, e, why, cap);
    if (!p) return RK_EINVAL;
    if (p < e) {
        size_t digits = e - p - 1;
        unsigned long port = 0;
        bool ok = buf[p] == ':' && digits >= 1 && digits <= 5;
        for (size_t k = p + 1; ok && k < e; k++) {
            ok = rk_is_digit(buf[k]);
            port = port * 10 + (unsigned long)(buf[k] - '0');
        }
        if (!ok || port > 65535) {
            snprintf(why, cap, "must have a port of 0-65535 after the host, if any");
            return RK_EINVAL;
        }
    }
    return url_rest_ok(buf, e, n, why, cap) ? RK_OK : RK_EINVAL;
}

static int url_norm(const json_t *row, const char *s, size_t len, char **out, char *why, size_t cap)
{
    char *buf = malloc(len + 1);
    if (!buf) return RK_ENOMEM;
    size_t n = refang(s, len, buf);
    int rc = url_check(buf, n, why, cap);
    if (rc != RK_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    return RK_OK;
}

static int hash_norm(const json_t *row, const char *s, size_t len, char **out, char *why,
                     size_t cap)
{
    const char *alg = str(row, "algorithm");
    size_t want = hash_len(alg);
    bool ok = want && len == want;
    for (size_t i = 0; ok && i < len; i++)
        ok = rk_hexval(s[i]) >= 0;
    if (!ok) {
        if (want)
            snprintf(why, cap, "must be %zu hexadecimal digits (%s)", want, alg);
        else
            snprintf(why, cap, "cannot be checked: unknown algorithm");
        return RK_EINVAL;
    }
    char *buf = strndup(s, len);
    if (!buf) return RK_ENOMEM;
    lower_n(buf, len);
    *out = buf;
    return RK_OK;
}

static int cve_norm(const json_t *row, const char *s, size_t len, char **out, char *why, size_t cap)
{
    /* ^CVE-[0-9]{4}-[0-9]{4,19}$ */
    bool ok = len >= 13 && len <= 28 && rk_lower(s[0]) == 'c' && rk_lower(s[1]) == 'v' &&
              rk_lower(s[2]) == 'e' && s[3] == '-' && s[8] == '-';
    int year = 0;
    for (size_t i = 4; ok && i < 8; i++) {
        ok = rk_is_digit(s[i]);
        year = year * 10 + (s[i] - '0');
    }
    for (size_t i = 9; ok && i < len; i++)
        ok = rk_is_digit(s[i]);
    if (!ok || year < 1999) {
        snprintf(why, cap, "must be a CVE id CVE-YYYY-NNNN (4-19 digits, a year from 1999)");
        return RK_EINVAL;
    }
    char *buf = strndup(s, len);
    if (!buf) return RK_ENOMEM;
    buf[0] = 'C'; /* stored with an upper-case prefix (README rule 9) */
    buf[1] = 'V';
    buf[2] = 'E';
    *out = buf;
    return RK_OK;
}

/* ---- adv_validate ------------------------------------------------------------------------ */

struct actx {
    const struct adv_refs *refs;
    struct jv_errors *errs;
    char ptr[JV_POINTER_MAX];
};

static const struct rd_ministry *ministry_of(const struct adv_refs *r, const char *code)
{
    for (size_t i = 0; r && code && i < r->nministries; i++)
        if (eq(r->ministries[i].code, code)) return &r->ministries[i];
    return NULL;
}

/* The mask bit of a sector code, or -1. */
static int sector_bit(const struct adv_refs *r, const char *code)
{
    for (size_t i = 0; r && r->sector_codes && code && i < r->nsectors && i < 64; i++)
        if (eq(r->sector_codes[i], code)) return (int)i;
    return -1;
}

/* README rule 3, on the normalised answers (raw: the client's, for sector indexes). */
static void check_recipients(struct actx *c, const json_t *norm, const json_t *raw)
{
    const json_t *rec = json_object_get(norm, "recipients");
    const json_t *mins = json_object_get(rec, "recipient_ministries");
    const json_t *secs = json_object_get(rec, "recipient_sectors");
    const json_t *raw_secs =
        json_object_get(json_object_get(raw, "recipients"), "recipient_sectors");
    size_t at = push(c->ptr, "recipients");
    if (json_is_array(mins) && json_array_size(mins) == 0) {
        size_t f = push(c->ptr, "recipient_ministries");
        fail(c->errs, c->ptr, "min_items", "must name at least one ministry");
        pop(c->ptr, f);
    }
    if (json_is_array(secs) && json_array_size(secs) == 0) {
        size_t f = push(c->ptr, "recipient_sectors");
        fail(c->errs, c->ptr, "min_items", "must name at least one sector");
        pop(c->ptr, f);
    }
    uint64_t chosen = 0, covered = 0;
    size_t i, k;
    const json_t *v, *row;
    json_array_foreach((json_t *)secs, i, v)
    {
        int bit = sector_bit(c->refs, json_string_value(v));
        if (bit >= 0) chosen |= (uint64_t)1 << bit;
    }
    bool unknown = false, repeated = false;
    size_t f = push(c->ptr, "recipient_ministries");
    json_array_foreach((json_t *)mins, i, row)
    {
        const char *code = str(row, "ministry");
        const struct rd_ministry *m = ministry_of(c->refs, code);
        bool again = false;
        for (k = 0; k < i && !again; k++)
            again = eq(str(json_array_get(mins, k), "ministry"), code);
        size_t ri = push_index(c->ptr, i);
        if (!m) {
            push(c->ptr, "ministry");
            fail(c->errs, c->ptr, "unknown_ministry",
                 "must be the code of a ministry of data/ministries.json (e.g. meti)");
            unknown = true;
        } else if (again) {
            if (!repeated) fail(c->errs, c->ptr, "unique_items", "repeats an earlier ministry");
            repeated = true;
        } else {
            covered |= m->sectors;
            if (json_array_size(secs) > 0 && !(m->sectors & chosen)) {
                push(c->ptr, "ministry");
                fail(c->errs, c->ptr, "ministry_without_sector",
                     "is responsible for none of the recipient sectors");
            }
        }
        pop(c->ptr, ri);
    }
    pop(c->ptr, f);
    if (!unknown && json_array_size(mins) > 0) {
        f = push(c->ptr, "recipient_sectors");
        json_array_foreach((json_t *)raw_secs, i, v)
        {
            int bit = sector_bit(c->refs, json_string_value(v));
            if (bit >= 0 && (covered >> bit) & 1) continue;
            size_t ri = push_index(c->ptr, i);
            fail(c->errs, c->ptr, "sector_not_covered",
                 "is a sector none of the listed ministries is responsible for");
            pop(c->ptr, ri);
        }
        pop(c->ptr, f);
    }
    pop(c->ptr, at);
}

/* README rule 4. */
static void check_attachments(struct actx *c, const json_t *norm)
{
    const json_t *content = json_object_get(norm, "content");
    const json_t *has = json_object_get(content, "has_attachments");
    size_t n = json_array_size(json_object_get(content, "attachments"));
    const char *msg = NULL;
    if (json_is_false(has) && n > 0)
        msg = "must be empty when has_attachments is false";
    else if (json_is_true(has) && n == 0)
        msg = "must hold at least one file when has_attachments is true";
    if (!msg) return;
    size_t at = push(c->ptr, "content");
    push(c->ptr, "attachments");
    fail(c->errs, c->ptr, "attachments_mismatch", "%s", msg);
    pop(c->ptr, at);
}

struct rowlist {
    const char *field, *col, *col2, *rule;
    norm_fn norm;
};

static const struct rowlist ROWLISTS[] = {
    {"domains", "domain", NULL, "domain", domain_norm},
    {"urls", "url", NULL, "url", url_norm},
    {"hashes", "value", "algorithm", "hash", hash_norm},
    {"cve_ids", "cve_id", NULL, "cve_id", cve_norm},
    {"attack_techniques", "technique", NULL, NULL, NULL},
};

static bool same_row(const json_t *a, const json_t *b, const struct rowlist *rl)
{
    return eq(str(a, rl->col), str(b, rl->col)) &&
           (!rl->col2 || eq(str(a, rl->col2), str(b, rl->col2)));
}

/* README rules 5–9 and 11 on one rows list of ③: values normalised in place. */
static int check_rowlist(struct actx *c, json_t *guidance, const struct rowlist *rl)
{
    json_t *rows = json_object_get(guidance, rl->field);
    size_t n = json_array_size(rows);
    if (n == 0) return RK_OK;
    bool *bad = calloc(n, sizeof *bad);
    if (!bad) return RK_ENOMEM;
    int rc = RK_OK;
    size_t at = push(c->ptr, rl->field);
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        json_t *row = json_array_get(rows, i);
        const json_t *v = json_object_get(row, rl->col);
        if (!json_is_string(v)) {
            bad[i] = true;
            continue;
        }
        if (!rl->norm) continue;
        char *norm = NULL, why[WHY_MAX];
        rc = rl->norm(row, json_string_value(v), json_string_length(v), &norm, why, sizeof why);
        if (rc == RK_EINVAL) {
            size_t ri = push_index(c->ptr, i);
            push(c->ptr, rl->col);
            fail(c->errs, c->ptr, rl->rule, "%s", why);
            pop(c->ptr, ri);
            bad[i] = true;
            rc = RK_OK;
            continue;
        }
        if (rc != RK_OK) break;
        json_t *s = json_stringn(norm, strlen(norm));
        free(norm);
        if (!s || json_object_set_new(row, rl->col, s) != 0) rc = RK_ENOMEM;
    }
    /* one error per list: the later row of the first repeat */
    for (size_t i = 1; i < n && rc == RK_OK; i++) {
        size_t j = 0;
        while (j < i && (bad[i] || bad[j] ||
                         !same_row(json_array_get(rows, i), json_array_get(rows, j), rl)))
            j++;
        if (j == i) continue;
        size_t ri = push_index(c->ptr, i);
        fail(c->errs, c->ptr, "unique_items", "repeats the row at index %zu", j);
        pop(c->ptr, ri);
        break;
    }
    pop(c->ptr, at);
    free(bad);
    return rc;
}

int adv_validate(const json_t *form, const struct adv_refs *refs, const json_t *answers,
                 const char *prefix, json_t **out, struct jv_errors *errs)
{
    if (!out || !errs) return RK_EINVAL;
    *out = NULL;
    json_t *norm = NULL;
    int rc = rf_validate(form, refs ? &refs->rf : NULL, answers, prefix, &norm, errs);
    if (rc != RK_OK) return rc;
    struct actx c = {.refs = refs, .errs = errs};
    set_prefix(c.ptr, prefix);
    size_t before = nerr(errs);
    check_recipients(&c, norm, answers);
    check_attachments(&c, norm);
    json_t *guidance = json_object_get(norm, "guidance");
    size_t at = push(c.ptr, "guidance");
    for (size_t i = 0; i < RK_ARRAY_LEN(ROWLISTS) && rc == RK_OK; i++)
        rc = check_rowlist(&c, guidance, &ROWLISTS[i]);
    pop(c.ptr, at);
    if (rc == RK_OK && nerr(errs) != before) rc = RK_EINVAL;
    if (rc != RK_OK) {
        json_decref(norm);
        return rc;
    }
    *out = norm;
    return RK_OK;
}

/* ---- recipients and indicators ----------------------------------------------------------- */

uint64_t adv_sectors(const struct adv_refs *refs, const json_t *answers)
{
    uint64_t mask = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(json_object_get(answers, "recipients"), "recipient_sectors"),
                       i, v)
    {
        int bit = sector_bit(refs, json_string_value(v));
        if (bit >= 0) mask |= (uint64_t)1 << bit;
    }
    return mask;
}

size_t adv_ministries(const json_t *answers, const char **codes, size_t cap)
{
    size_t n = 0, i;
    const json_t *row;
    json_array_foreach(
        json_object_get(json_object_get(answers, "recipients"), "recipient_ministries"), i, row)
    {
        const char *code = str(row, "ministry");
        if (!code) continue;
        if (!codes || n == cap) break;
        codes[n++] = code;
    }
    return n;
}

/* Appends {"type", "value"[, "algorithm"]}; false when out of memory. */
static bool add_indicator(json_t *arr, const char *type, const char *value, const char *alg)
{
    if (!value) return true;
    json_t *o = alg ? json_pack("{s:s, s:s, s:s}", "type", type, "value", value, "algorithm", alg)
                    : json_pack("{s:s, s:s}", "type", type, "value", value);
    return o && json_array_append_new(arr, o) == 0;
}

json_t *adv_indicators(const json_t *answers)
{
    static const struct {
        const char *field, *col, *type;
    } rows[] = {{"domains", "domain", "domain-name"},
                {"urls", "url", "url"},
                {"hashes", "value", "file-hash"},
                {"cve_ids", "cve_id", "vulnerability"},
                {"attack_techniques", "technique", "attack-pattern"}};
    const json_t *g = json_object_get(answers, "guidance"), *v;
    json_t *arr = json_array();
    bool ok = arr != NULL;
    size_t i;
    json_array_foreach(json_object_get(g, "ip_addresses"), i, v)
    {
        const char *s = json_string_value(v);
        if (ok && s) ok = add_indicator(arr, strchr(s, ':') ? "ipv6-addr" : "ipv4-addr", s, NULL);
    }
    json_array_foreach(json_object_get(g, "cidrs"), i, v)
    {
        if (ok) ok = add_indicator(arr, "cidr", json_string_value(v), NULL);
    }
    for (size_t k = 0; k < RK_ARRAY_LEN(rows) && ok; k++) {
        bool hash = strcmp(rows[k].field, "hashes") == 0;
        json_array_foreach(json_object_get(g, rows[k].field), i, v)
        {
            const char *alg = hash ? str(v, "algorithm") : NULL;
            if (ok && (!hash || alg))
                ok = add_indicator(arr, rows[k].type, str(v, rows[k].col), alg);
        }
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* ---- mapping from reports ---------------------------------------------------------------- */

/* A parsed mapping path: "/sec/fld" or "/sec/fld/<star>/col". */
struct mpath {
    char sec[PATH_TOKEN_MAX], fld[PATH_TOKEN_MAX], col[PATH_TOKEN_MAX];
};

/* One token of [a-z0-9_] at *p (advanced past it and its "/"); false when not one. */
static bool path_token(const char **p, char *out, bool last)
{
    size_t n = 0;
    while ((*p)[n] && (*p)[n] != '/') {
        char ch = (*p)[n];
        if (!((ch >= 'a' && ch <= 'z') || rk_is_digit(ch) || ch == '_') || n + 1 >= PATH_TOKEN_MAX)
            return false;
        out[n] = ch;
        n++;
    }
    out[n] = '\0';
    if (n == 0 || (last ? (*p)[n] != '\0' : (*p)[n] != '/')) return false;
    *p += n + (last ? 0 : 1);
    return true;
}

static bool parse_path(const char *s, struct mpath *m, bool rows_allowed)
{
    memset(m, 0, sizeof *m);
    if (!s || *s++ != '/' || !path_token(&s, m->sec, false)) return false;
    const char *slash = strchr(s, '/');
    if (!slash) return path_token(&s, m->fld, true);
    if (!rows_allowed || !path_token(&s, m->fld, false) || strncmp(s, "*/", 2) != 0) return false;
    s += 2;
    return path_token(&s, m->col, true);
}

/* Sections that name the reporter, identifying whatever their definitions say. */
static const char *const IDENT_SECTIONS[][2] = {
    {"liaison", "sender"}, {"liaison", "operator"},    {"ddos", "reporter"},
    {"ddos", "opt_out"},   {"ransomware", "reporter"}, {"ransomware", "opt_out"}};

struct msrc {
    struct mpath p;
    const json_t *def; /* the field, or the column */
    const char *type;
    bool identifying;
};

static bool resolve_src(const json_t *form, const char *path, struct msrc *s, char *why, size_t cap)
{
    const char *name = str(form, "name");
    if (!parse_path(path, &s->p, true)) {
        snprintf(why, cap, "must be /section/field or /section/rows_field/*/column");
        return false;
    }
    const json_t *sec = by_id(json_object_get(form, "sections"), s->p.sec, NULL);
    const json_t *f = by_id(json_object_get(sec, "fields"), s->p.fld, NULL);
    if (!f) {
        snprintf(why, cap, "is not a field of the %s form", name ? name : "report");
        return false;
    }
    s->def = f;
    if (s->p.col[0]) {
        s->def = eq(str(f, "type"), "rows") ? by_id(json_object_get(f, "columns"), s->p.col, NULL)
                                            : NULL;
        if (!s->def) {
            snprintf(why, cap, "is not a column of a rows field of the %s form",
                     name ? name : "report");
            return false;
        }
    }
    s->type = str(s->def, "type");
    s->identifying = json_is_true(json_object_get(sec, "identifying")) ||
                     json_is_true(json_object_get(f, "identifying"));
    for (size_t i = 0; i < RK_ARRAY_LEN(IDENT_SECTIONS); i++)
        if (eq(name, IDENT_SECTIONS[i][0]) && eq(s->p.sec, IDENT_SECTIONS[i][1]))
            s->identifying = true;
    return true;
}

/* The FIELDS index a draft may fill at path, or -1 with why. */
static int resolve_dest(const char *path, char *why, size_t cap)
{
    struct mpath m;
    if (!parse_path(path, &m, false)) {
        snprintf(why, cap, "must be /section/field of the advisory form");
        return -1;
    }
    for (size_t i = 0; i < RK_ARRAY_LEN(FIELDS); i++)
        if (eq(FIELDS[i].sec, m.sec) && eq(FIELDS[i].fld, m.fld)) {
            if (FIELDS[i].dest != D_NONE) return (int)i;
            break;
        }
    snprintf(why, cap, "is not an advisory field a draft may fill");
    return -1;
}

static bool is_text_type(const char *t)
{
    return eq(t, "text") || eq(t, "textarea");
}

static bool fits(enum dest d, const char *t)
{
    switch (d) {
    case D_TEXT:
    case D_HASHES:
    case D_ROWS1:
        return is_text_type(t);
    case D_ENUM:
        return eq(t, "enum");
    case D_TECHNIQUES:
        return eq(t, "enum") || eq(t, "attack_technique");
    case D_IPS:
        return eq(t, "ip_list");
    case D_CIDRS:
        return eq(t, "cidr_list");
    case D_NONE:
        break;
    }
    return false;
}

static const char *const mapping_members[] = {"source", "note", "forms"};
static const char *const entry_members[] = {"from", "to", "note"};

static bool member_allowed(const char *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(k, list[i]) == 0) return true;
    return false;
}

/* A required non-empty string member at ptr/key. */
static const char *need_string(const json_t *o, const char *key, char *ptr, struct jv_errors *errs)
{
    const json_t *v = json_object_get(o, key);
    size_t at = push(ptr, key);
    const char *s = NULL;
    if (!v)
        fail(errs, ptr, "required", "is required");
    else if (!json_is_string(v))
        fail(errs, ptr, "type", "must be a string");
    else if (json_string_length(v) == 0)
        fail(errs, ptr, "min_length", "must not be empty");
    else
        s = json_string_value(v);
    pop(ptr, at);
    return s;
}

static void check_unknown(const json_t *o, const char *const *allowed, size_t n, char *ptr,
                          struct jv_errors *errs)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (member_allowed(k, allowed, n)) continue;
        size_t at = push(ptr, k);
        fail(errs, ptr, "unknown_field", "is not a member of the mapping format");
        pop(ptr, at);
    }
}

/* Every code of the source enum is a choice of the advisory field. */
static const char *missing_code(const json_t *src, const json_t *dst)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(src, "values"), i, v)
    {
        const char *code = str(v, "code");
        bool found = false;
        size_t k;
        const json_t *w;
        json_array_foreach(json_object_get(dst, "values"), k, w) found |= eq(str(w, "code"), code);
        if (!found) return code ? code : "?";
    }
    return NULL;
}

static void check_entry(const json_t *entry, const json_t *entries, size_t index,
                        const json_t *rform, const json_t *aform, char *ptr, struct jv_errors *errs)
{
    if (!json_is_object(entry)) {
        fail(errs, ptr, "type", "must be an object {from, to}");
        return;
    }
    check_unknown(entry, entry_members, RK_ARRAY_LEN(entry_members), ptr, errs);
    const char *from = need_string(entry, "from", ptr, errs);
    const char *to = need_string(entry, "to", ptr, errs);
    if (json_object_get(entry, "note") && !json_is_string(json_object_get(entry, "note"))) {
        size_t at = push(ptr, "note");
        fail(errs, ptr, "type", "must be a string");
        pop(ptr, at);
    }
    char why[WHY_MAX];
    struct msrc s;
    bool src_ok = from && resolve_src(rform, from, &s, why, sizeof why);
    if (from && !src_ok) {
        size_t at = push(ptr, "from");
        fail(errs, ptr, "mapping", "%s", why);
        pop(ptr, at);
    }
    int d = to ? resolve_dest(to, why, sizeof why) : -1;
    const json_t *adef = d >= 0 ? rf_field(aform, FIELDS[d].sec, FIELDS[d].fld) : NULL;
    size_t at = push(ptr, "to");
    if (to && d < 0)
        fail(errs, ptr, "mapping", "%s", why);
    else if (to && !adef)
        fail(errs, ptr, "mapping", "is not a field of the advisory form");
    else if (src_ok && adef && !fits(FIELDS[d].dest, s.type))
        fail(errs, ptr, "mapping", "cannot take a value of type %s", s.type ? s.type : "?");
    else if (src_ok && adef && FIELDS[d].dest == D_ENUM && missing_code(s.def, adef))
        fail(errs, ptr, "mapping", "does not offer the choice %s of the report field",
             missing_code(s.def, adef));
    pop(ptr, at);
    for (size_t k = 0; from && to && k < index; k++) {
        const json_t *e = json_array_get(entries, k);
        if (eq(str(e, "from"), from) && eq(str(e, "to"), to)) {
            fail(errs, ptr, "unique_items", "repeats the entry at index %zu", k);
            break;
        }
    }
}

int adv_check_mapping(const json_t *mapping, const json_t *advisory_form,
                      const json_t *report_forms, struct jv_errors *errs)
{
    if (!errs) return RK_EINVAL;
    errs->n = 0;
    errs->dropped = 0;
    char ptr[JV_POINTER_MAX] = "";
    if (!json_is_object(mapping)) return jv_error_add(errs, "", "type", "must be an object");
    check_unknown(mapping, mapping_members, RK_ARRAY_LEN(mapping_members), ptr, errs);
    need_string(mapping, "source", ptr, errs);
    need_string(mapping, "note", ptr, errs);
    const json_t *forms = json_object_get(mapping, "forms");
    if (!json_is_object(forms)) {
        fail(errs, "/forms", forms ? "type" : "required",
             forms ? "must be an object: report form name -> entries" : "is required");
        return RK_EINVAL;
    }
    const char *name;
    const json_t *entries;
    json_object_foreach((json_t *)forms, name, entries)
    {
        const json_t *rform = json_object_get(report_forms, name);
        size_t at = push(ptr, "forms");
        push(ptr, name);
        if (!rform) {
            fail(errs, ptr, "enum", "is not a loaded report form");
        } else if (!json_is_array(entries)) {
            fail(errs, ptr, "type", "must be an array of {from, to}");
        } else {
            size_t i;
            const json_t *e;
            json_array_foreach((json_t *)entries, i, e)
            {
                size_t ei = push_index(ptr, i);
                check_entry(e, entries, i, rform, advisory_form, ptr, errs);
                pop(ptr, ei);
            }
        }
        pop(ptr, at);
    }
    return errs->n || errs->dropped ? RK_EINVAL : RK_OK;
}

/* ---- drafts ------------------------------------------------------------------------------ */

/* What one advisory field collects. */
struct acc {
    json_t *items; /* text pieces, the severity, or list items */
    json_t *flags; /* lists: per item, true when a source of it is identifying */
    json_t *seen;  /* lists: key → index in items */
    bool ident;    /* text / severity: some source is identifying */
};

/* Adds item (reference stolen) under key unless key is there; marks it identifying. */
static int acc_item(struct acc *a, const char *key, json_t *item, bool ident)
{
    if (!item) return RK_ENOMEM;
    const json_t *idx = json_object_get(a->seen, key);
    if (idx) {
        json_decref(item);
        if (ident && json_array_set(a->flags, (size_t)json_integer_value(idx), json_true()) != 0)
            return RK_ENOMEM;
        return RK_OK;
    }
    if (json_array_append_new(a->items, item) != 0) return RK_ENOMEM;
    if (json_array_append(a->flags, ident ? json_true() : json_false()) != 0 ||
        json_object_set_new(a->seen, key, json_integer((json_int_t)json_array_size(a->items) - 1)))
        return RK_ENOMEM;
    return RK_OK;
}

/* The hashes in text: maximal runs of letters and digits that are hex of a known length. */
static int acc_hashes(struct acc *a, const char *s, size_t len, bool ident)
{
    for (size_t i = 0; i < len;) {
        if (!is_alnum(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        bool hex = true;
        while (j < len && is_alnum(s[j]))
            hex &= rk_hexval(s[j++]) >= 0;
        const char *alg = hex ? hash_alg(j - i) : NULL;
        if (alg) {
            char value[129];
            memcpy(value, s + i, j - i);
            value[j - i] = '\0';
            lower_n(value, j - i);
            char key[160];
            snprintf(key, sizeof key, "%s:%s", alg, value);
            int rc =
                acc_item(a, key, json_pack("{s:s, s:s}", "algorithm", alg, "value", value), ident);
            if (rc != RK_OK) return rc;
        }
        i = j;
    }
    return RK_OK;
}

/* Adds one value of a report field to the destination d. */
static int acc_value(struct acc *a, const struct fielddef *d, const json_t *v, bool ident)
{
    if (json_is_array(v)) {
        size_t i;
        const json_t *x;
        json_array_foreach((json_t *)v, i, x)
        {
            int rc = acc_value(a, d, x, ident);
            if (rc != RK_OK) return rc;
        }
        return RK_OK;
    }
    const char *s = json_string_value(v);
    if (!s || !*s) return RK_OK;
    switch (d->dest) {
    case D_TEXT:
        a->ident |= ident;
        return json_array_append_new(a->items, json_string(s)) == 0 ? RK_OK : RK_ENOMEM;
    case D_ENUM:
        if (json_array_size(a->items) > 0) return RK_OK;
        a->ident = ident;
        return json_array_append_new(a->items, json_string(s)) == 0 ? RK_OK : RK_ENOMEM;
    case D_IPS:
    case D_CIDRS:
        return acc_item(a, s, json_string(s), ident);
    case D_TECHNIQUES:
        if (!attack_shaped(s)) return RK_OK;
        return acc_item(a, s, json_pack("{s:s}", d->col, s), ident);
    case D_ROWS1:
        return acc_item(a, s, json_pack("{s:s}", d->col, s), ident);
    case D_HASHES:
        return acc_hashes(a, s, strlen(s), ident);
    case D_NONE:
        break;
    }
    return RK_OK;
}

/* The values at the source path in the report's answers. */
static int collect(struct acc *a, const struct fielddef *d, const json_t *answers,
                   const struct msrc *s)
{
    const json_t *v = json_object_get(json_object_get(answers, s->p.sec), s->p.fld);
    if (!s->p.col[0]) return acc_value(a, d, v, s->identifying);
    size_t i;
    const json_t *row;
    json_array_foreach((json_t *)v, i, row)
    {
        if (!json_is_object(row)) continue;
        int rc = acc_value(a, d, json_object_get(row, s->p.col), s->identifying);
        if (rc != RK_OK) return rc;
    }
    return RK_OK;
}

/* The pieces of a text joined with "\n". */
static json_t *joined(const json_t *pieces)
{
    size_t total = 0, i;
    const json_t *p;
    json_array_foreach((json_t *)pieces, i, p) total += json_string_length(p) + 1;
    char *buf = malloc(total + 1), *w = buf;
    if (!buf) return NULL;
    json_array_foreach((json_t *)pieces, i, p)
    {
        if (i) *w++ = '\n';
        memcpy(w, json_string_value(p), json_string_length(p));
        w += json_string_length(p);
    }
    json_t *s = json_stringn(buf, (size_t)(w - buf));
    free(buf);
    return s;
}

static int label(json_t *labels, const char *sec, const char *fld, const size_t *index)
{
    char ptr[JV_POINTER_MAX] = "";
    push(ptr, sec);
    push(ptr, fld);
    if (index) push_index(ptr, *index);
    json_t *l = json_pack("[s]", LABEL_SOURCE_IDENTIFYING);
    return l && json_object_set_new(labels, ptr, l) == 0 ? RK_OK : RK_ENOMEM;
}

/* The value of field i of the draft (new reference, NULL when none) and its labels. */
static int draft_value(const struct fielddef *d, const struct acc *a, const char *tlp,
                       const json_t *sectors, json_t **val, json_t *labels)
{
    *val = NULL;
    if (eq(d->sec, "recipients") && eq(d->fld, "recipient_sectors") && sectors) {
        *val = json_deep_copy(sectors);
        return *val ? RK_OK : RK_ENOMEM;
    }
    if (eq(d->sec, "sharing") && eq(d->fld, "tlp") && tlp) {
        *val = json_string(tlp);
        return *val ? RK_OK : RK_EINVAL; /* not UTF-8 */
    }
    if (eq(d->sec, "content") && eq(d->fld, "has_attachments")) {
        *val = json_false();
        return RK_OK;
    }
    if (d->dest == D_NONE || json_array_size(a->items) == 0) return RK_OK;
    if (d->dest == D_TEXT || d->dest == D_ENUM) {
        *val = d->dest == D_TEXT ? joined(a->items) : json_copy(json_array_get(a->items, 0));
        if (!*val) return RK_ENOMEM;
        return a->ident ? label(labels, d->sec, d->fld, NULL) : RK_OK;
    }
    *val = json_incref(a->items);
    for (size_t k = 0; k < json_array_size(a->flags); k++)
        if (json_is_true(json_array_get(a->flags, k)) && label(labels, d->sec, d->fld, &k))
            return RK_ENOMEM;
    return RK_OK;
}

int adv_from_report(const json_t *mapping, const json_t *report_form, const json_t *report_answers,
                    const char *tlp, const json_t *sector_codes_array, json_t **answers,
                    json_t **labels)
{
    if (answers) *answers = NULL;
    if (labels) *labels = NULL;
    const char *name = str(report_form, "name");
    if (!answers || !labels || !json_is_object(mapping) || !name ||
        !json_is_object(report_answers) ||
        (sector_codes_array && !json_is_array(sector_codes_array)))
        return RK_EINVAL;
    struct acc accs[RK_ARRAY_LEN(FIELDS)] = {0};
    json_t *out = json_object(), *labs = json_object();
    int rc = out && labs ? RK_OK : RK_ENOMEM;
    for (size_t i = 0; i < RK_ARRAY_LEN(FIELDS) && rc == RK_OK; i++) {
        accs[i].items = json_array();
        accs[i].flags = json_array();
        accs[i].seen = json_object();
        if (!accs[i].items || !accs[i].flags || !accs[i].seen) rc = RK_ENOMEM;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(json_object_get(mapping, "forms"), name), i, e)
    {
        if (rc != RK_OK) break;
        char why[WHY_MAX];
        struct msrc s;
        int d = resolve_dest(str(e, "to"), why, sizeof why);
        if (d < 0 || !resolve_src(report_form, str(e, "from"), &s, why, sizeof why) ||
            !fits(FIELDS[d].dest, s.type)) {
            rc = RK_EINVAL;
            break;
        }
        rc = collect(&accs[d], &FIELDS[d], report_answers, &s);
    }
    for (i = 0; i < RK_ARRAY_LEN(FIELDS) && rc == RK_OK; i++) {
        json_t *v = NULL, *sec;
        rc = draft_value(&FIELDS[i], &accs[i], tlp, sector_codes_array, &v, labs);
        if (rc != RK_OK || !v) continue;
        sec = json_object_get(out, FIELDS[i].sec);
        if (!sec && json_object_set_new(out, FIELDS[i].sec, sec = json_object()) != 0) sec = NULL;
        if (!sec || json_object_set_new(sec, FIELDS[i].fld, v) != 0) rc = RK_ENOMEM;
    }
    for (i = 0; i < RK_ARRAY_LEN(FIELDS); i++) {
        json_decref(accs[i].items);
        json_decref(accs[i].flags);
        json_decref(accs[i].seen);
    }
    if (rc != RK_OK) {
        json_decref(out);
        json_decref(labs);
        return rc;
    }
    *answers = out;
    *labels = labs;
    return RK_OK;
}

/* ---- the source-name guard --------------------------------------------------------------- */

/*
 * Names are compared on a projection of both the value and the name, computed on the fly
 * (nothing is allocated, so the guard has no out-of-memory path that could let a value through):
 *   fold  full-width ASCII forms U+FF01–U+FF5E → ASCII, every white space → U+0020, ASCII
 *         letters lower-cased (other scripts are compared as they are: half-width katakana
 *         U+FF66–U+FF9F are not mapped to katakana, so ｶｴﾃﾞ does not match カエデ);
 *   drop  white space, control characters, invisible format characters (zero-width spaces and
 *         joiners, bidirectional marks, variation selectors, BOM), ASCII punctuation and the
 *         separators of NM_DROP (dashes, minus, quotation marks, Japanese punctuation and
 *         brackets), and bytes that are not UTF-8.
 * "ＴＯＴＯ　Ｅｌｅｃｔｒｉｃ" and "Toto-Electric" both project to "totoelectric".
 *
 * What a name is matched as (nm_pattern):
 *  - a name projecting to fewer than NM_NAME_MIN characters is ignored;
 *  - its core, the name without legal forms (NM_LEGAL_JA / NM_LEGAL_EN, see there), when that
 *    has at least NM_CORE_MIN characters: "東都電力株式会社" → 東都電力, "The Toto Kaede Bank,
 *    Ltd." → totokaedebank. A shorter core would match too much ("東電株式会社" → 東電), so
 *    then the whole name is matched. A text containing the whole name contains its core.
 *  - a pattern of NM_NUMBER_MIN or more digits (a corporate number) is looked for in the
 *    value's digits alone, whatever separates them ("7990-0010-00001", "７９９０ ００１０…",
 *    "7990〜0010〜00001"). A shorter number is matched like any name: in all the digits of a
 *    value it would turn up by chance.
 */
#define NM_NAME_MIN 2   /* characters of a projected name, or it is ignored */
#define NM_CORE_MIN 3   /* characters of a projected core, or the whole name is matched */
#define NM_NUMBER_MIN 8 /* digits of a name matched on the digits of the value */
#define NM_CP_MAX 256   /* legal forms are looked for in names of up to this many characters */
#define NM_TOKEN_MAX 24 /* bytes of a projected English token compared with NM_LEGAL_EN */

static const struct {
    unsigned long lo, hi;
} NM_DROP[] = {
    {0x00AD, 0x00AD},   /* soft hyphen */
    {0x00B7, 0x00B7},   /* middle dot */
    {0x200B, 0x200F},   /* zero-width space, non-joiner, joiner; direction marks */
    {0x2010, 0x2015},   /* hyphens and dashes */
    {0x2018, 0x201F},   /* quotation marks */
    {0x2026, 0x2026},   /* horizontal ellipsis */
    {0x202A, 0x202E},   /* bidirectional embeddings and overrides */
    {0x2060, 0x206F},   /* word joiner, invisible operators, bidirectional isolates */
    {0x2212, 0x2212},   /* minus sign */
    {0x2E3A, 0x2E3B},   /* two- and three-em dashes */
    {0x3001, 0x3002},   /* 、 。 */
    {0x3008, 0x3011},   /* 〈〉《》「」『』【】 */
    {0x3014, 0x301F},   /* 〔〕〖〗〘〙〚〛 〜 〝〞〟 */
    {0x30FB, 0x30FB},   /* ・ */
    {0xFE00, 0xFE0F},   /* variation selectors */
    {0xFEFF, 0xFEFF},   /* zero-width no-break space (BOM) */
    {0xFF5F, 0xFF65},   /* ｟｠ and half-width 。「」、・ */
    {0xE0100, 0xE01EF}, /* ideographic variation selectors */
};

/*
 * Legal forms: the grammar of organisation names, not data about organisations, hence a table
 * here rather than a file under data/, where it would look like data to keep current. A form
 * missing from it leaves such names' core longer (the name is then caught only with that form
 * or as a whole); an entry can only shorten a core, never below NM_CORE_MIN. The Japanese ones are
 * removed where the name begins or ends with them (names are not spaced: 株式会社東都かえで銀行),
 * longest first, compared after folding, so "（株）" is written "(株)" here. The English ones are
 * whole words (separated by spaces or commas) at the beginning or end of the name, compared
 * projected, so "Co.," is co and "Co.Ltd." coltd; "the" is also removed at the beginning. Removal
 * repeats until neither end changes: "Toto Electric Power Co., Inc." → totoelectricpower.
 */
static const char *const NM_LEGAL_JA[] = {
    "株式会社",
    "有限会社",
    "合同会社",
    "合名会社",
    "合資会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社団法人",
    "財団法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "社会福祉法人",
    "独立行政法人",
    "学校法人",
    "国立研究開発法人",
    "特定非営利活動法人",
    "有限責任事業組合",
    "㈱",
    "㍿",
    "㈲",
    "(株)",
    "(有)",
    "(同)",
};
static const char *const NM_LEGAL_EN[] = {
    "coltd",   "co", "ltd", "limited", "inc", "incorporated",    "corp",      "corporation",
    "company", "kk", "llc", "plc",     "gk",  "kabushikikaisha", "kabushiki", "kaisha",
};

static bool nm_space(unsigned long c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

static unsigned long nm_fold(unsigned long c)
{
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    if (nm_space(c)) return ' ';
    return c < 0x80 ? (unsigned long)rk_lower((int)c) : c;
}

/* Is the (folded) character left out of the projection? */
static bool nm_drop(unsigned long c)
{
    if (c < 0x80) return !rk_is_alpha((int)c) && !rk_is_digit((int)c);
    if (c <= 0x9F) return true; /* C1 controls */
    for (size_t i = 0; i < RK_ARRAY_LEN(NM_DROP); i++)
        if (c >= NM_DROP[i].lo && c <= NM_DROP[i].hi) return true;
    return false;
}

/* The projection of s[0, len) (only its digits when digits), one character at a time. */
struct nm_it {
    const unsigned char *s;
    size_t len, i;
    bool digits;
};

/* The next character of the projection, -1 at the end; it->i moves past it. */
static long nm_next(struct nm_it *it)
{
    while (it->i < it->len) {
        unsigned long c;
        size_t w = rk_utf8_next(it->s, it->len, it->i, &c);
        it->i += w ? w : 1;
        if (!w) continue;
        c = nm_fold(c);
        if (nm_drop(c) || (it->digits && !rk_is_digit((int)c))) continue;
        return (long)c;
    }
    return -1;
}

/* What is looked for: the projection of s[0, len), in the value's digits alone when digits. */
struct nm_pat {
    const char *s;
    size_t len;
    bool digits;
};

/* Characters of the projection of s[0, len); *digits: all of them digits. */
static size_t nm_count(const char *s, size_t len, bool *digits)
{
    struct nm_it it = {(const unsigned char *)s, len, 0, false};
    size_t n = 0;
    long c;
    *digits = true;
    while ((c = nm_next(&it)) >= 0) {
        n++;
        *digits = *digits && rk_is_digit((int)c);
    }
    return n;
}

/* Does the projection of v contain the pattern's? */
static bool nm_contains(const char *v, size_t vlen, const struct nm_pat *p)
{
    struct nm_it start = {(const unsigned char *)v, vlen, 0, p->digits};
    for (;;) {
        struct nm_it t = start;
        if (nm_next(&start) < 0) return false;
        struct nm_it q = {(const unsigned char *)p->s, p->len, 0, false};
        long b;
        while ((b = nm_next(&q)) >= 0 && nm_next(&t) == b)
            ;
        if (b < 0) return true;
    }
}

/* A name decoded and folded (not projected), with the byte offset of each character. */
struct nm_name {
    unsigned long c[NM_CP_MAX];
    size_t off[NM_CP_MAX + 1];
    size_t n;
};

static bool nm_decode(const char *s, size_t len, struct nm_name *nm)
{
    nm->n = 0;
    for (size_t i = 0; i < len;) {
        unsigned long c;
        size_t w = rk_utf8_next((const unsigned char *)s, len, i, &c);
        if (!w) { /* not UTF-8: left out, as in the projection */
            i++;
            continue;
        }
        if (nm->n == NM_CP_MAX) return false;
        nm->off[nm->n] = i;
        nm->c[nm->n++] = nm_fold(c);
        i += w;
    }
    nm->off[nm->n] = len;
    return true;
}

/* Left out at either end of a name before legal forms are looked for: what the projection
 * drops, but the parentheses of "(株)". */
static bool nm_trim(unsigned long c)
{
    return nm_drop(c) && c != '(' && c != ')';
}

/* Separates the words of a name. */
static bool nm_word_sep(unsigned long c)
{
    return c == ' ' || c == ',' || c == 0x3001;
}

/* The length in characters of the longest Japanese legal form that nm[lo, hi) begins (front)
 * or ends with; 0 for none. */
static size_t nm_legal_ja(const struct nm_name *nm, size_t lo, size_t hi, bool front)
{
    size_t best = 0;
    for (size_t f = 0; f < RK_ARRAY_LEN(NM_LEGAL_JA); f++) {
        unsigned long fc[16];
        size_t m = 0, flen = strlen(NM_LEGAL_JA[f]);
        for (size_t i = 0, w; i < flen && m < RK_ARRAY_LEN(fc); i += w) {
            w = rk_utf8_next((const unsigned char *)NM_LEGAL_JA[f], flen, i, &fc[m]);
            fc[m] = nm_fold(fc[m]);
            m++;
        }
        if (m <= best || m > hi - lo) continue;
        size_t at = front ? lo : hi - m, k = 0;
        while (k < m && nm->c[at + k] == fc[k])
            k++;
        if (k == m) best = m;
    }
    return best;
}

/* Is the word nm[lo, hi), projected, an English legal form (or "the", at the front)? */
static bool nm_legal_en(const struct nm_name *nm, size_t lo, size_t hi, bool front)
{
    char w[NM_TOKEN_MAX];
    size_t n = 0;
    for (size_t k = lo; k < hi; k++) {
        if (nm_drop(nm->c[k])) continue;
        if (nm->c[k] >= 0x80 || n + 1 == sizeof w) return false;
        w[n++] = (char)nm->c[k];
    }
    w[n] = '\0';
    if (front && strcmp(w, "the") == 0) return true;
    for (size_t f = 0; f < RK_ARRAY_LEN(NM_LEGAL_EN); f++)
        if (strcmp(w, NM_LEGAL_EN[f]) == 0) return true;
    return false;
}

/* The core of a name: [*plo, *phi) of nm without legal forms at either end. */
static void nm_core(const struct nm_name *nm, size_t *plo, size_t *phi)
{
    size_t lo = 0, hi = nm->n, k;
    for (;;) {
        while (lo < hi && nm_trim(nm->c[lo]))
            lo++;
        while (hi > lo && nm_trim(nm->c[hi - 1]))
            hi--;
        if ((k = nm_legal_ja(nm, lo, hi, true))) {
            lo += k;
            continue;
        }
        if ((k = nm_legal_ja(nm, lo, hi, false))) {
            hi -= k;
            continue;
        }
        for (k = lo; k < hi && !nm_word_sep(nm->c[k]); k++)
            ;
        if (k > lo && nm_legal_en(nm, lo, k, true)) {
            lo = k;
            continue;
        }
        for (k = hi; k > lo && !nm_word_sep(nm->c[k - 1]); k--)
            ;
        if (k < hi && nm_legal_en(nm, k, hi, false)) {
            hi = k;
            continue;
        }
        break;
    }
    *plo = lo;
    *phi = hi;
}

/* What name is matched as (see above); false when it is ignored. */
static bool nm_pattern(const char *name, struct nm_pat *p)
{
    struct nm_name nm;
    memset(&nm, 0, sizeof nm); /* nm_decode fills c/off[0..n]; the rest zeroed for the analyzer */
    size_t len = strlen(name), lo = 0, hi = 0;
    bool digits;
    size_t n = nm_count(name, len, &digits);
    if (n < NM_NAME_MIN) return false;
    *p = (struct nm_pat){name, len, digits && n >= NM_NUMBER_MIN};
    if (!nm_decode(name, len, &nm)) return true;
    nm_core(&nm, &lo, &hi);
    const char *core = name + nm.off[lo];
    size_t clen = nm.off[hi] - nm.off[lo], cn = nm_count(core, clen, &digits);
    if (cn >= NM_CORE_MIN && cn < n)
        *p = (struct nm_pat){core, clen, digits && cn >= NM_NUMBER_MIN};
    return true;
}

struct nctx {
    const char *const *names;
    size_t nnames;
    struct jv_errors *errs;
    bool found;
    char ptr[JV_POINTER_MAX];
};

static void names_walk(struct nctx *c, const json_t *v)
{
    size_t i;
    const char *key;
    const json_t *x;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, x)
        {
            size_t at = push(c->ptr, key);
            names_walk(c, x);
            pop(c->ptr, at);
        }
    } else if (json_is_array(v)) {
        json_array_foreach((json_t *)v, i, x)
        {
            size_t at = push_index(c->ptr, i);
            names_walk(c, x);
            pop(c->ptr, at);
        }
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        for (size_t k = 0; k < c->nnames; k++) {
            struct nm_pat p;
            if (!c->names[k] || !nm_pattern(c->names[k], &p) || !nm_contains(s, len, &p)) continue;
            fail(c->errs, c->ptr, "names_source",
                 "names the source of the report (name %zu of the list): the advisory must not "
                 "identify it",
                 k);
            c->found = true;
            break;
        }
    }
}

int adv_names_check(const json_t *answers, const char *const *names, size_t nnames,
                    const char *prefix, struct jv_errors *errs)
{
    struct nctx c = {.names = names, .nnames = names ? nnames : 0, .errs = errs};
    set_prefix(c.ptr, prefix);
    names_walk(&c, answers);
    return c.found ? RK_EINVAL : RK_OK;
}
