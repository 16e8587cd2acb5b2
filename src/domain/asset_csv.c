/*
 * asset_csv.c — inventory files (CSV and JSON) into raw entries, and CSV error positions
 * (contract in asset.h; asset.c validates the entries).
 *
 * Decisions the header leaves open, resolved here (the header repeats the ones callers see):
 *  - The whole buffer is checked for UTF-8 (and NUL) first, so one "encoding" error names the
 *    line and suggests "CSV UTF-8": Excel in Japan writes Shift_JIS by default, and a file
 *    half-decoded would give a screenful of misleading errors instead.
 *  - Parsing stops at the first CSV syntax error (an unterminated quote swallows the rest of
 *    the file, so nothing after it can be trusted); other errors are collected row by row.
 *  - Lenient where spreadsheets differ and the meaning is certain: header names ignore case
 *    and surrounding blanks; rows whose cells are all empty (what Excel leaves after deleted
 *    rows) are skipped; cells of non-text columns are trimmed of spaces and tabs; enum
 *    columns, categories and booleans ignore case ("TRUE" is what Excel writes); dates may be
 *    written "2026/5/31" (Excel's Japanese date format). Text columns (ref, facility,
 *    exemption_note, notes, product_name, manufacturer, product_version) are kept byte for
 *    byte. A quote inside an unquoted cell is kept as a character, as Excel reads it.
 *  - Rows with the same ref are compared by their converted values, so "A;D" and "A; D" agree.
 *  - Linear time: each byte is looked at a bounded number of times, refs go through a hash
 *    set, and a row is compared only with the first row of its entry.
 */
#include "domain/asset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"
#include "core/utf8.h"

/* Fields kept per CSV record. A header with more fields necessarily repeats a column or has
 * unknown ones (there are 18), and a data row with more is an error either way. */
#define CSV_MAX_FIELDS 64
/* Nesting a valid inventory needs is 5 ({entries[{products[{); this leaves room for the
 * schema to name a wrongly nested value while keeping the parser's recursion shallow. */
#define INVENTORY_JSON_MAX_DEPTH 16

/* ---- encoding --------------------------------------------------------------------------- */

static size_t skip_bom(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Offset of the first byte that is NUL or not part of valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or len when there is none. */
static size_t utf8_bad_offset(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned long cp;
        size_t k = rk_utf8_next(s, len, i, &cp);
        if (k == 0 || cp == 0) return i; /* invalid UTF-8, or a NUL */
        i += k;
    }
    return len;
}

/* Copies s into out (cap ≥ 1), replacing each byte that is not part of valid UTF-8 with '?':
 * jansson's error text quotes the input near the error and may cut a character in two, and
 * error messages travel inside JSON. */
static void utf8_clean(const char *s, char *out, size_t cap)
{
    size_t n = strnlen(s, cap - 1), k = 0;
    while (k < n) {
        size_t ok = utf8_bad_offset((const unsigned char *)s + k, n - k);
        memcpy(out + k, s + k, ok);
        k += ok;
        if (k < n) out[k++] = '?';
    }
    out[n] = '\0';
}

/* Physical line (1-based) of offset off: CRLF, LF and a lone CR each end a line. */
static size_t line_of(const char *s, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n'))) line++;
    return line;
}

/* One "encoding" error when buf is not UTF-8 text; the byte and line say where. */
static bool check_encoding(const char *buf, size_t len, bool csv, struct jv_errors *errs)
{
    size_t bad = utf8_bad_offset((const unsigned char *)buf, len);
    if (bad == len) return true;
    size_t line = line_of(buf, bad);
    /* Excel's "Unicode text" is UTF-16 with a byte order mark: name it rather than a byte. */
    bool utf16 = len >= 2 && ((unsigned char)buf[0] == 0xFF || (unsigned char)buf[0] == 0xFE) &&
                 ((unsigned char)buf[1] == 0xFE || (unsigned char)buf[1] == 0xFF) &&
                 buf[0] != buf[1];
    /* CSV errors point at the row's line; a JSON document's at the document as a whole. */
    char ptr[48] = "";
    if (csv) snprintf(ptr, sizeof ptr, "/rows/%zu", line);
    if (utf16)
        jv_error_add(errs, ptr, "encoding",
                     "the file is UTF-16 (Excel's \"Unicode text\"): save it as \"CSV UTF-8\"");
    else if (buf[bad] == '\0')
        jv_error_add(errs, ptr, "encoding",
                     "line %zu holds a NUL byte (UTF-16 text?): save the file as \"CSV UTF-8\"",
                     line);
    else
        jv_error_add(errs, ptr, "encoding",
                     "line %zu is not UTF-8 (byte 0x%02X; Excel writes Shift_JIS by default): "
                     "save the file as \"CSV UTF-8\"",
                     line, (unsigned)(unsigned char)buf[bad]);
    return false;
}

/* ---- JSON inventory --------------------------------------------------------------------- */

int asset_inventory_json(const char *buf, size_t len, json_t **entries, struct jv_errors *errs)
{
    if (!entries || !errs || (!buf && len)) return RK_EINVAL;
    *entries = NULL;
    if (!buf) buf = "";
    size_t bom = skip_bom(buf, len);
    buf += bom;
    len -= bom;
    if (!check_encoding(buf, len, false, errs)) return RK_EINVAL;
    struct jv_errors scan;
    if (jv_scan(buf, len, INVENTORY_JSON_MAX_DEPTH, &scan) != RK_OK) {
        jv_error_add(errs, "", "max_depth", "must not nest more than %d levels deep",
                     INVENTORY_JSON_MAX_DEPTH);
        return RK_EINVAL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char text[sizeof jerr.text];
        utf8_clean(jerr.text, text, sizeof text);
        return jv_error_add(errs, "", "json_syntax", "is not valid JSON: %s (line %d, column %d)",
                            text, jerr.line, jerr.column);
    }
    int rc = RK_EINVAL;
    json_t *arr = json_object_get(root, "entries");
    if (!json_is_object(root)) {
        jv_error_add(errs, "", "type", "must be an object {\"entries\": [...]}");
        goto done;
    }
    if (json_array_size(arr) > ASSET_INVENTORY_MAX_ROWS) {
        jv_error_add(errs, "/entries", "max_items", "must have at most %d entries",
                     ASSET_INVENTORY_MAX_ROWS);
        rc = RK_ELIMIT;
        goto done;
    }
    bool ok = true;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "entries") == 0) continue;
        char ptr[JV_POINTER_MAX] = "";
        jv_pointer_append(ptr, sizeof ptr, key);
        jv_error_add(errs, ptr, "unknown_field",
                     "unknown field: an inventory has only \"entries\"");
        ok = false;
    }
    if (!arr) {
        jv_error_add(errs, "/entries", "required", "is required");
        ok = false;
    } else if (!json_is_array(arr)) {
        jv_error_add(errs, "/entries", "type", "must be an array of entries");
        ok = false;
    }
    if (ok) {
        *entries = json_incref(arr);
        rc = RK_OK;
    }
done:
    json_decref(root);
    return rc;
}

/* ---- CSV columns ------------------------------------------------------------------------ */

enum col {
    C_REF = 0,
    C_FACILITY,
    C_CATEGORIES,
    C_IN_PLACE,
    C_INTRODUCED,
    C_CHANGED,
    C_RETIRED,
    C_EX_GROUND,
    C_EX_NOTE,
    C_IP_RANGES,
    C_NOTES,
    C_KIND, /* first product column */
    C_NAME,
    C_MANUFACTURER,
    C_VERSION,
    C_MODEL,
    C_CPE,
    C_PURL,
    C_NCOLS
};
#define C_FIRST_PRODUCT C_KIND

enum col_kind {
    K_TEXT,   /* kept byte for byte */
    K_PLAIN,  /* trimmed */
    K_ENUM,   /* trimmed, folded to lower case */
    K_DATE,   /* trimmed, "2026/5/31" rewritten as "2026-05-31" */
    K_BOOL,   /* trimmed; true/false/1/0 in any case */
    K_LIST,   /* trimmed; ";"-separated items, each trimmed, empty items dropped */
    K_LETTERS /* a K_LIST whose single-letter items are folded to upper case */
};

struct col_def {
    const char *name;   /* CSV column */
    const char *member; /* entry member, or product member for product columns */
    enum col_kind kind;
};

static const struct col_def cols[C_NCOLS] = {
    [C_REF] = {"ref", "ref", K_TEXT},
    [C_FACILITY] = {"facility", "facility", K_TEXT},
    [C_CATEGORIES] = {"categories", "categories", K_LETTERS},
    [C_IN_PLACE] = {"in_place_at_enforcement", "in_place_at_enforcement", K_BOOL},
    [C_INTRODUCED] = {"introduced_on", "introduced_on", K_DATE},
    [C_CHANGED] = {"changed_on", "changed_on", K_DATE},
    [C_RETIRED] = {"retired_on", "retired_on", K_DATE},
    [C_EX_GROUND] = {"exemption_ground", "ground", K_ENUM},
    [C_EX_NOTE] = {"exemption_note", "note", K_TEXT},
    [C_IP_RANGES] = {"ip_ranges", "ip_ranges", K_LIST},
    [C_NOTES] = {"notes", "notes", K_TEXT},
    [C_KIND] = {"product_kind", "kind", K_ENUM},
    [C_NAME] = {"product_name", "name", K_TEXT},
    [C_MANUFACTURER] = {"manufacturer", "manufacturer", K_TEXT},
    [C_VERSION] = {"product_version", "version", K_TEXT},
    [C_MODEL] = {"service_model", "service_model", K_ENUM},
    [C_CPE] = {"cpe", "cpe", K_PLAIN},
    [C_PURL] = {"purl", "purl", K_PLAIN},
};

/* ---- CSV reader ------------------------------------------------------------------------- */

struct cell {
    const char *p; /* raw bytes in the buffer: inside the quotes when quoted */
    size_t n;
    bool quoted;
    bool escaped; /* holds "" pairs, so the value needs decoding */
};

struct reader {
    const char *pos, *end;
    size_t line; /* physical line of pos */
};

/* Consumes a line break at pos if there is one (CRLF, LF or a lone CR). */
static bool eat_break(struct reader *r)
{
    if (r->pos < r->end && *r->pos == '\r') {
        r->pos++;
        if (r->pos < r->end && *r->pos == '\n') r->pos++;
        r->line++;
        return true;
    }
    if (r->pos < r->end && *r->pos == '\n') {
        r->pos++;
        r->line++;
        return true;
    }
    return false;
}

struct record {
    struct cell cells[CSV_MAX_FIELDS];
    size_t count;     /* fields in the record (may exceed CSV_MAX_FIELDS; those are not kept) */
    bool blank;       /* every field is empty */
    size_t line;      /* where the record starts */
    size_t bad_field; /* syntax errors: the field, and the line of the offending quote */
    size_t quote_line;
    bool unterminated; /* else: text after a closing quote */
};

/* Reads one quoted field; pos is just past the opening quote. */
static bool read_quoted(struct reader *r, struct cell *c, struct record *rec)
{
    rec->quote_line = r->line;
    c->quoted = true;
    c->p = r->pos;
    for (;;) {
        const char *q = r->pos;
        /* Count the line breaks inside the field so the next row starts on the right line. */
        while (q < r->end && *q != '"') {
            if (*q == '\n' || (*q == '\r' && (q + 1 >= r->end || q[1] != '\n'))) r->line++;
            q++;
        }
        if (q == r->end) {
            rec->unterminated = true;
            return false;
        }
        if (q + 1 < r->end && q[1] == '"') {
            c->escaped = true;
            r->pos = q + 2;
            continue;
        }
        c->n = (size_t)(q - c->p);
        r->pos = q + 1;
        break;
    }
    /* Blanks may follow the closing quote; anything else is text the quoting did not cover. */
    while (r->pos < r->end && (*r->pos == ' ' || *r->pos == '\t'))
        r->pos++;
    if (r->pos < r->end && *r->pos != ',' && *r->pos != '\r' && *r->pos != '\n') {
        rec->quote_line = r->line;
        rec->unterminated = false;
        return false;
    }
    return true;
}

/* Reads one record. RK_OK, RK_ENOTFOUND at the end of input, RK_EINVAL on a syntax error
 * (rec says where). */
static int read_record(struct reader *r, struct record *rec)
{
    if (r->pos >= r->end) return RK_ENOTFOUND;
    rec->count = 0;
    rec->blank = true;
    rec->line = r->line;
    for (;;) {
        struct cell c = {r->pos, 0, false, false};
        if (r->pos < r->end && *r->pos == '"') {
            r->pos++;
            if (!read_quoted(r, &c, rec)) {
                rec->bad_field = rec->count;
                return RK_EINVAL;
            }
        } else {
            const char *q = r->pos;
            while (q < r->end && *q != ',' && *q != '\r' && *q != '\n')
                q++;
            c.n = (size_t)(q - r->pos);
            r->pos = q;
        }
        if (c.n) rec->blank = false;
        if (rec->count < CSV_MAX_FIELDS) rec->cells[rec->count] = c;
        rec->count++;
        if (r->pos < r->end && *r->pos == ',') {
            r->pos++;
            continue;
        }
        eat_break(r);
        return RK_OK;
    }
}

/* ---- parser state ----------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t cap;
};

static bool buf_reserve(struct buf *b, size_t n)
{
    if (n <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return false;
    b->p = p;
    b->cap = cap;
    return true;
}

/* Open addressing over entry indexes; the ref text is read back from the entry. */
struct slot {
    uint32_t hash;
    uint32_t entry_plus1; /* 0: empty */
};

struct parser {
    const char *buf;
    struct jv_errors *errs;
    bool failed;
    int field_col[CSV_MAX_FIELDS]; /* column of each header field */
    int col_field[C_NCOLS];        /* field of each column, -1 when the header lacks it */
    size_t nfields;
    struct buf scratch; /* decoded cell */
    struct buf prev;    /* decoded ref of the previous row */
    size_t prev_len;
    bool have_prev, prev_dup;
    struct slot *slots;
    size_t nslots, used;
    json_t *entries, *linemap;
    /* The entry being filled: borrowed from entries / linemap. */
    json_t *cur_products, *cur_lines;
    json_t *first_vals[C_FIRST_PRODUCT]; /* owned: the entry's first-row values (NULL: empty) */
    struct cell first_cells[C_FIRST_PRODUCT];
    size_t cur_line;
    bool cur_productless, productless_reported;
};

__attribute__((format(printf, 5, 6))) static void row_error(struct parser *ps, size_t line, int col,
                                                            const char *rule, const char *fmt, ...)
{
    char ptr[64], msg[sizeof ps->errs->e[0].message];
    if (col >= 0)
        snprintf(ptr, sizeof ptr, "/rows/%zu/%s", line, cols[col].name);
    else
        snprintf(ptr, sizeof ptr, "/rows/%zu", line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jv_error_add(ps->errs, ptr, rule, "%s", msg);
    ps->failed = true;
}

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const char *entry_ref(const struct parser *ps, size_t entry, size_t *len)
{
    const json_t *v = json_object_get(json_array_get(ps->entries, entry), "ref");
    *len = json_string_length(v);
    return json_string_value(v);
}

/* The entry with this ref, or SIZE_MAX. */
static size_t set_find(const struct parser *ps, const char *s, size_t n, uint32_t h)
{
    if (!ps->nslots) return SIZE_MAX;
    for (size_t i = h & (ps->nslots - 1);; i = (i + 1) & (ps->nslots - 1)) {
        const struct slot *sl = &ps->slots[i];
        if (!sl->entry_plus1) return SIZE_MAX;
        if (sl->hash != h) continue;
        size_t len;
        const char *ref = entry_ref(ps, sl->entry_plus1 - 1, &len);
        if (ref && len == n && memcmp(ref, s, n) == 0) return sl->entry_plus1 - 1;
    }
}

static void set_place(struct slot *slots, size_t nslots, struct slot s)
{
    size_t i = s.hash & (nslots - 1);
    while (slots[i].entry_plus1)
        i = (i + 1) & (nslots - 1);
    slots[i] = s;
}

/* Kept at most half full, so probes stay short. */
static int set_insert(struct parser *ps, uint32_t h, size_t entry)
{
    if (2 * (ps->used + 1) > ps->nslots) {
        size_t n = ps->nslots ? 2 * ps->nslots : 1024;
        struct slot *s = calloc(n, sizeof *s);
        if (!s) return RK_ENOMEM;
        for (size_t i = 0; i < ps->nslots; i++)
            if (ps->slots[i].entry_plus1) set_place(s, n, ps->slots[i]);
        free(ps->slots);
        ps->slots = s;
        ps->nslots = n;
    }
    set_place(ps->slots, ps->nslots, (struct slot){h, (uint32_t)entry + 1});
    ps->used++;
    return RK_OK;
}

/* ---- cells into JSON -------------------------------------------------------------------- */

static bool blank_char(char c)
{
    return c == ' ' || c == '\t';
}

/* The decoded value of a cell: in the buffer itself, or in scratch when it held "" pairs. */
static int cell_text(struct parser *ps, const struct cell *c, const char **s, size_t *n)
{
    if (!c->escaped) {
        *s = c->p;
        *n = c->n;
        return RK_OK;
    }
    if (!buf_reserve(&ps->scratch, c->n)) return RK_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        ps->scratch.p[k++] = c->p[i];
        if (c->p[i] == '"') i++; /* the second quote of a pair */
    }
    *s = ps->scratch.p;
    *n = k;
    return RK_OK;
}

static void trim(const char **s, size_t *n)
{
    while (*n && blank_char(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && blank_char((*s)[*n - 1]))
        (*n)--;
}

/* The buffer was checked to be UTF-8 and every cut falls on an ASCII byte, so the slices are
 * UTF-8 too and jansson need not check them again. */
static json_t *jstr(const char *s, size_t n)
{
    return json_stringn_nocheck(s, n);
}

static bool ieq(const char *s, size_t n, const char *word)
{
    size_t wn = strlen(word);
    if (n != wn) return false;
    for (size_t i = 0; i < n; i++)
        if (rk_lower((unsigned char)s[i]) != (unsigned char)word[i]) return false;
    return true;
}

/* "2026/5/31" → "2026-05-31" in out (≥ 11 bytes); false when s has another shape. */
static bool slash_date(const char *s, size_t n, char *out)
{
    size_t i = 0;
    unsigned v[3] = {0, 0, 0};
    for (int part = 0; part < 3; part++) {
        size_t start = i;
        while (i < n && rk_is_digit(s[i]) && i - start < 4) {
            v[part] = v[part] * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        size_t digits = i - start;
        if (part == 0 ? digits != 4 : (digits < 1 || digits > 2)) return false;
        if (part < 2) {
            if (i >= n || s[i] != '/') return false;
            i++;
        }
    }
    if (i != n) return false;
    snprintf(out, 11, "%04u-%02u-%02u", v[0] % 10000, v[1] % 100, v[2] % 100);
    return true;
}

static json_t *list_value(const char *s, size_t n, bool letters)
{
    json_t *arr = json_array();
    size_t i = 0;
    while (arr && i <= n) {
        size_t start = i;
        while (i < n && s[i] != ';')
            i++;
        const char *item = s + start;
        size_t len = i - start;
        i++; /* past the ';' (or the end) */
        trim(&item, &len);
        if (!len) continue;
        char up[2];
        if (letters && len == 1 && rk_is_alpha(item[0])) {
            up[0] = (char)(item[0] >= 'a' ? item[0] - ('a' - 'A') : item[0]);
            item = up;
        }
        if (json_array_append_new(arr, jstr(item, len))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/*
 * The JSON value of cell c of column col in *out: NULL when the cell is empty (an absent
 * value). RK_OK; RK_EINVAL for a value the CSV format itself refuses (a bad boolean), reported
 * when report is true; RK_ENOMEM.
 */
static int cell_value(struct parser *ps, int col, const struct cell *c, size_t line, bool report,
                      json_t **out)
{
    *out = NULL;
    const char *s;
    size_t n;
    int rc = cell_text(ps, c, &s, &n);
    if (rc != RK_OK) return rc;
    enum col_kind k = cols[col].kind;
    if (k != K_TEXT) trim(&s, &n);
    if (!n) return RK_OK;
    char tmp[16];
    switch (k) {
    case K_TEXT:
    case K_PLAIN:
        *out = jstr(s, n);
        break;
    case K_ENUM:
        if (n < sizeof tmp) {
            for (size_t i = 0; i < n; i++)
                tmp[i] = (char)rk_lower((unsigned char)s[i]);
            s = tmp;
        }
        *out = jstr(s, n);
        break;
    case K_DATE:
        *out = slash_date(s, n, tmp) ? jstr(tmp, 10) : jstr(s, n);
        break;
    case K_BOOL:
        if (ieq(s, n, "true") || ieq(s, n, "1")) {
            *out = json_true();
        } else if (ieq(s, n, "false") || ieq(s, n, "0")) {
            *out = json_false();
        } else {
            if (report) row_error(ps, line, col, "enum", "must be true, false, 1, 0 or empty");
            return RK_EINVAL;
        }
        break;
    case K_LIST:
    case K_LETTERS:
        *out = list_value(s, n, k == K_LETTERS);
        break;
    }
    return *out ? RK_OK : RK_ENOMEM;
}

/* ---- rows ------------------------------------------------------------------------------- */

static const struct cell *cell_of(const struct parser *ps, const struct record *rec, int col)
{
    int f = ps->col_field[col];
    return f >= 0 ? &rec->cells[f] : NULL;
}

/* The product described by a row into *out, or NULL when its product cells are all empty. */
static int row_product(struct parser *ps, const struct record *rec, json_t **out)
{
    *out = NULL;
    json_t *p = NULL;
    for (int col = C_FIRST_PRODUCT; col < C_NCOLS; col++) {
        const struct cell *c = cell_of(ps, rec, col);
        if (!c) continue;
        json_t *v;
        int rc = cell_value(ps, col, c, rec->line, true, &v);
        if (rc == RK_ENOMEM) {
            json_decref(p);
            return rc;
        }
        if (!v) continue;
        if (!p && !(p = json_object())) {
            json_decref(v);
            return RK_ENOMEM;
        }
        if (json_object_set_new(p, cols[col].member, v)) {
            json_decref(p);
            return RK_ENOMEM;
        }
    }
    *out = p;
    return RK_OK;
}

static void release_first(struct parser *ps)
{
    for (int i = 0; i < C_FIRST_PRODUCT; i++) {
        json_decref(ps->first_vals[i]);
        ps->first_vals[i] = NULL;
    }
}

static void productless_error(struct parser *ps, size_t line)
{
    row_error(ps, line, C_KIND, "required",
              "is empty: when an entry spans several rows, every row must describe a product");
}

/* Adds the row's product (if any) and line to the current entry. */
static int add_product_row(struct parser *ps, const struct record *rec, bool first)
{
    json_t *prod;
    int rc = row_product(ps, rec, &prod);
    if (rc != RK_OK) return rc;
    if (json_array_append_new(ps->cur_lines, json_integer((json_int_t)rec->line))) {
        json_decref(prod);
        return RK_ENOMEM;
    }
    if (!prod) {
        /* Only an entry's only row may describe no product (IP ranges only, or exempt). */
        if (first)
            ps->cur_productless = true;
        else
            productless_error(ps, rec->line);
        return RK_OK;
    }
    if (ps->cur_productless && !ps->productless_reported) {
        productless_error(ps, ps->cur_line);
        ps->productless_reported = true;
    }
    return json_array_append_new(ps->cur_products, prod) ? RK_ENOMEM : RK_OK;
}

/* A row that starts an entry. */
static int new_entry(struct parser *ps, const struct record *rec, const char *ref, size_t ref_len,
                     uint32_t h)
{
    release_first(ps);
    /* Every failure below is an allocation failure: the one exit returns RK_ENOMEM. A cell
     * the CSV format refuses (RK_EINVAL) is already reported and simply left out. */
    json_t *e = json_object(), *lines = json_array(), *products = json_array();
    if (!e || !lines || !products) goto fail;
    for (int col = 0; col < C_FIRST_PRODUCT; col++) {
        const struct cell *c = cell_of(ps, rec, col);
        ps->first_cells[col] = c ? *c : (struct cell){NULL, 0, false, false};
        if (c && cell_value(ps, col, c, rec->line, true, &ps->first_vals[col]) == RK_ENOMEM)
            goto fail;
    }
    /* The ref is the key: taken as decoded for the lookup, not re-decoded. */
    if (json_object_set_new(e, "ref", jstr(ref, ref_len))) goto fail;
    for (int col = C_FACILITY; col < C_FIRST_PRODUCT; col++) {
        json_t *v = ps->first_vals[col];
        if (!v || col == C_EX_GROUND || col == C_EX_NOTE) continue;
        if (json_object_set(e, cols[col].member, v)) goto fail;
    }
    json_t *ground = ps->first_vals[C_EX_GROUND], *note = ps->first_vals[C_EX_NOTE];
    if (ground || note) {
        json_t *x = json_object();
        if (json_object_set_new(e, "exemption", x) ||
            (ground && json_object_set(x, "ground", ground)) ||
            (note && json_object_set(x, "note", note)))
            goto fail;
    }
    if (json_object_set(e, "products", products)) goto fail;
    size_t index = json_array_size(ps->entries);
    if (json_array_append(ps->entries, e) || json_array_append(ps->linemap, lines)) goto fail;
    if (set_insert(ps, h, index) != RK_OK) goto fail;
    ps->cur_products = products;
    ps->cur_lines = lines;
    ps->cur_line = rec->line;
    ps->cur_productless = false;
    ps->productless_reported = false;
    /* Borrowed from now on: the arrays hold the references. */
    json_decref(e);
    json_decref(lines);
    json_decref(products);
    return add_product_row(ps, rec, true);
fail:
    json_decref(e);
    json_decref(lines);
    json_decref(products);
    return RK_ENOMEM;
}

static bool same_raw(const struct cell *a, const struct cell *b)
{
    return a->quoted == b->quoted && a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* A further row of the current entry: its entry-level cells must say what the first row
 * said. Compared raw first (the common case: identical text), then by converted value. */
static int continue_entry(struct parser *ps, const struct record *rec)
{
    for (int col = C_FACILITY; col < C_FIRST_PRODUCT; col++) {
        const struct cell *c = cell_of(ps, rec, col);
        if (!c || same_raw(c, &ps->first_cells[col])) continue;
        json_t *v;
        int rc = cell_value(ps, col, c, rec->line, false, &v);
        if (rc == RK_ENOMEM) return rc;
        bool same =
            rc == RK_OK && ((!v && !ps->first_vals[col]) ||
                            (v && ps->first_vals[col] && json_equal(v, ps->first_vals[col])));
        json_decref(v);
        if (!same)
            row_error(ps, rec->line, col, "conflict",
                      "differs from line %zu, the first row of this entry: the rows of one "
                      "entry must agree on every entry column",
                      ps->cur_line);
    }
    return add_product_row(ps, rec, false);
}

static int process_row(struct parser *ps, const struct record *rec)
{
    const char *ref;
    size_t ref_len;
    int rc = cell_text(ps, &rec->cells[ps->col_field[C_REF]], &ref, &ref_len);
    if (rc != RK_OK) return rc;
    if (ref_len == 0) {
        /* Any row in between ends a run: the rows of one entry are consecutive rows. */
        row_error(ps, rec->line, C_REF, "required", "is required on every row");
        ps->have_prev = false;
        return RK_OK;
    }
    if (ps->have_prev && ref_len == ps->prev_len && memcmp(ref, ps->prev.p, ref_len) == 0)
        return ps->prev_dup ? RK_OK : continue_entry(ps, rec);
    /* A new run of rows: remember its ref (ref may live in scratch, which is reused). */
    if (!buf_reserve(&ps->prev, ref_len)) return RK_ENOMEM;
    memcpy(ps->prev.p, ref, ref_len);
    ps->prev_len = ref_len;
    ps->have_prev = true;
    uint32_t h = fnv1a(ref, ref_len);
    size_t found = set_find(ps, ref, ref_len, h);
    ps->prev_dup = found != SIZE_MAX;
    if (ps->prev_dup) {
        /* Reported once per run: the rest of the run is the same mistake. */
        json_t *lines = json_array_get(ps->linemap, found);
        row_error(ps, rec->line, C_REF, "duplicate",
                  "repeats the ref of the entry at line %lld: the rows of one entry must be "
                  "consecutive, and a ref is used by one entry only",
                  (long long)json_integer_value(json_array_get(lines, 0)));
        return RK_OK;
    }
    return new_entry(ps, rec, ps->prev.p, ref_len, h);
}

/* ---- header ----------------------------------------------------------------------------- */

static int find_col(const char *s, size_t n)
{
    for (int i = 0; i < C_NCOLS; i++)
        if (ieq(s, n, cols[i].name)) return i;
    return -1;
}

static void header_error(struct parser *ps, const char *name, size_t n, const char *rule,
                         const char *msg)
{
    char ptr[JV_POINTER_MAX] = "/rows/1";
    char key[JV_POINTER_MAX];
    if (n >= sizeof key) n = sizeof key - 1;
    memcpy(key, name, n);
    key[n] = '\0';
    /* A cut may split a UTF-8 sequence; jv_pointer_append copies bytes, and a column name
     * this long is refused anyway, so drop an incomplete tail to keep the pointer UTF-8. */
    while (n > 0 && ((unsigned char)key[n - 1] & 0xC0) == 0x80)
        key[--n] = '\0';
    if (n > 0 && (unsigned char)key[n - 1] >= 0xC0) key[--n] = '\0';
    jv_pointer_append(ptr, sizeof ptr, key);
    jv_error_add(ps->errs, ptr, rule, "%s", msg);
    ps->failed = true;
}

static int read_header(struct parser *ps, struct reader *r, struct record *rec)
{
    for (int i = 0; i < C_NCOLS; i++)
        ps->col_field[i] = -1;
    int rc = read_record(r, rec);
    if (rc == RK_ENOTFOUND || (rc == RK_OK && rec->blank)) {
        jv_error_add(ps->errs, "/rows/1/ref", "required",
                     "the first line must be the header (ref, facility, categories, ...)");
        return RK_EINVAL;
    }
    if (rc != RK_OK) {
        jv_error_add(ps->errs, "/rows/1", "csv_syntax",
                     rec->unterminated ? "has a quote that is never closed"
                                       : "has text after a closing quote");
        return RK_EINVAL;
    }
    if (rec->count > CSV_MAX_FIELDS) {
        jv_error_add(ps->errs, "/rows/1", "max_items", "has %zu columns; there are %d known ones",
                     rec->count, C_NCOLS);
        return RK_EINVAL;
    }
    ps->nfields = rec->count;
    for (size_t f = 0; f < rec->count; f++) {
        const char *s;
        size_t n;
        if ((rc = cell_text(ps, &rec->cells[f], &s, &n)) != RK_OK) return rc;
        trim(&s, &n);
        int col = find_col(s, n);
        ps->field_col[f] = col;
        char msg[64];
        snprintf(msg, sizeof msg, "column %zu has no name", f + 1);
        if (col < 0)
            header_error(ps, s, n, "unknown_field",
                         n ? "is not a known column (see the inventory format)" : msg);
        else if (ps->col_field[col] >= 0)
            header_error(ps, s, n, "duplicate", "repeats an earlier column");
        else
            ps->col_field[col] = (int)f;
    }
    if (ps->col_field[C_REF] < 0)
        jv_error_add(ps->errs, "/rows/1/ref", "required", "the header must have a ref column");
    return ps->failed || ps->col_field[C_REF] < 0 ? RK_EINVAL : RK_OK;
}

/* ---- CSV entry point -------------------------------------------------------------------- */

static void syntax_error(struct parser *ps, const struct record *rec)
{
    int col = rec->bad_field < ps->nfields ? ps->field_col[rec->bad_field] : -1;
    if (rec->unterminated)
        row_error(ps, rec->line, col, "csv_syntax",
                  "has a quote opened on line %zu that is never closed", rec->quote_line);
    else
        row_error(ps, rec->line, col, "csv_syntax",
                  "has text after the closing quote on line %zu (write a quote inside a quoted "
                  "cell as \"\")",
                  rec->quote_line);
}

int asset_inventory_csv(const char *buf, size_t len, json_t **entries, json_t **linemap,
                        struct jv_errors *errs)
{
    if (!entries || !linemap || !errs || (!buf && len)) return RK_EINVAL;
    *entries = NULL;
    *linemap = NULL;
    if (!buf) buf = "";
    size_t bom = skip_bom(buf, len);
    buf += bom;
    len -= bom;
    if (!check_encoding(buf, len, true, errs)) return RK_EINVAL;

    /* The limit error must be the only one: remember where this call's errors start. */
    size_t errs_n = errs->n, errs_dropped = errs->dropped;
    int rc = RK_ENOMEM;
    struct parser *ps = calloc(1, sizeof *ps);
    struct record *rec = malloc(sizeof *rec);
    if (!ps || !rec) goto done;
    ps->buf = buf;
    ps->errs = errs;
    ps->entries = json_array();
    ps->linemap = json_array();
    if (!ps->entries || !ps->linemap) goto done;
    struct reader r = {buf, buf + len, 1};
    if ((rc = read_header(ps, &r, rec)) != RK_OK) goto done;

    size_t rows = 0;
    for (;;) {
        rc = read_record(&r, rec);
        if (rc == RK_ENOTFOUND) break;
        if (rc == RK_EINVAL) {
            syntax_error(ps, rec);
            break;
        }
        if (rec->blank) continue;
        if (++rows > ASSET_INVENTORY_MAX_ROWS) {
            errs->n = errs_n;
            errs->dropped = errs_dropped;
            jv_error_add(errs, "/rows", "max_items", "must have at most %d data rows",
                         ASSET_INVENTORY_MAX_ROWS);
            rc = RK_ELIMIT;
            goto done;
        }
        if (rec->count != ps->nfields) {
            row_error(ps, rec->line, -1, "field_count", "has %zu field%s; the header has %zu",
                      rec->count, rec->count == 1 ? "" : "s", ps->nfields);
            ps->have_prev = false; /* like any row in between, it ends a run of one ref */
            continue;
        }
        if ((rc = process_row(ps, rec)) != RK_OK) goto done;
    }
    rc = ps->failed ? RK_EINVAL : RK_OK;
    if (rc == RK_OK) {
        *entries = ps->entries;
        *linemap = ps->linemap;
        ps->entries = ps->linemap = NULL;
    }
done:
    if (ps) {
        release_first(ps);
        json_decref(ps->entries);
        json_decref(ps->linemap);
        free(ps->slots);
        free(ps->scratch.p);
        free(ps->prev.p);
    }
    free(ps);
    free(rec);
    return rc;
}

/* ---- CSV error positions ---------------------------------------------------------------- */

/* Length of the reference token at p (up to the next '/' or the end). */
static size_t token_len(const char *p)
{
    const char *slash = strchr(p, '/');
    return slash ? (size_t)(slash - p) : strlen(p);
}

static bool token_is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(p, word, n) == 0;
}

void asset_csv_pointer(const char *entry_ptr, const json_t *entry_lines, char *out, size_t cap)
{
    if (!out || cap == 0) return;
    if (!entry_ptr) entry_ptr = "";
    json_int_t line = json_integer_value(json_array_get(entry_lines, 0));
    const char *column = NULL;
    const char *p = entry_ptr[0] == '/' ? entry_ptr + 1 : NULL;
    size_t n = p ? token_len(p) : 0;
    if (p && token_is(p, n, "products") && p[n] == '/') {
        /* "/products/<j>/<member>": row j of the entry, the product column. */
        const char *q = p + n + 1;
        size_t qn = token_len(q), idx = 0;
        bool digits = qn > 0 && qn < 10;
        for (size_t i = 0; digits && i < qn; i++) {
            digits = rk_is_digit(q[i]);
            idx = idx * 10 + (size_t)(q[i] - '0');
        }
        if (digits && idx < json_array_size(entry_lines))
            line = json_integer_value(json_array_get(entry_lines, idx));
        if (q[qn] == '/') {
            const char *m = q + qn + 1;
            size_t mn = token_len(m);
            for (int c = C_FIRST_PRODUCT; c < C_NCOLS && !column; c++)
                if (token_is(m, mn, cols[c].member)) column = cols[c].name;
        }
    } else if (p && token_is(p, n, "exemption")) {
        const char *m = p[n] == '/' ? p + n + 1 : "";
        column = token_is(m, token_len(m), "note") ? cols[C_EX_NOTE].name : cols[C_EX_GROUND].name;
    } else if (p) {
        for (int c = 0; c < C_FIRST_PRODUCT && !column; c++)
            if (c != C_EX_GROUND && c != C_EX_NOTE && token_is(p, n, cols[c].member))
                column = cols[c].name;
    }
    if (line <= 0)
        snprintf(out, cap, "/rows");
    else if (column)
        snprintf(out, cap, "/rows/%lld/%s", (long long)line, column);
    else
        snprintf(out, cap, "/rows/%lld", (long long)line);
}
