/*
 * report_print.c — an incident report as the printed form (contract in report_print.h).
 *
 * Output goes to a growable buffer whose error is sticky (RK_ENOMEM, RK_ELIMIT) and read once at
 * the end; the render functions return RK_EINVAL for malformed input as soon as they meet it.
 */
#include "domain/report_print.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/deadline.h"
#include "domain/policy.h"

#define PTR_MAX 256 /* an RFC 6901 path "/<section>/<field>" */
#define WIDE_ROWS 4 /* rows with more columns print one label/value block per row */
#define MIN_PER_DAY 1440
#define JST_MIN (9 * 60)

/* ---- growable buffer --------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    int err; /* first RK_ENOMEM / RK_ELIMIT; later writes are dropped */
};

static void put_n(struct buf *b, const char *s, size_t n)
{
    if (b->err) return;
    if (n > RP_MAX_BYTES - b->len) {
        b->err = RK_ELIMIT;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->err = RK_ENOMEM;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(struct buf *b, const char *s)
{
    put_n(b, s, strlen(s));
}

/* Short formatted pieces only (numbers, dates): at most 255 bytes. */
__attribute__((format(printf, 2, 3))) static void putf(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        if (!b->err) b->err = RK_ELIMIT;
        return;
    }
    put_n(b, tmp, (size_t)n);
}

static const char *const ESCAPES[128] = {['&'] = "&amp;",  ['<'] = "&lt;",   ['>'] = "&gt;",
                                         ['"'] = "&quot;", ['\''] = "&#39;", ['\n'] = "<br>"};

/* HTML-escapes s (NULL prints nothing): a line feed becomes <br>, other control characters but
 * the tab are dropped. */
static void esc(struct buf *b, const char *s)
{
    if (!s) return;
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        const char *rep = ch < 128 ? ESCAPES[ch] : NULL;
        if (!rep && ((ch < 0x20 && ch != '\t') || ch == 0x7f)) rep = "";
        if (!rep) continue;
        put_n(b, run, (size_t)(s - run));
        put(b, rep);
        run = s + 1;
    }
    put_n(b, run, (size_t)(s - run));
}

/* open, s escaped, close; nothing at all when s is NULL or "". */
static void wrap(struct buf *b, const char *open, const char *s, const char *close)
{
    if (!s || !*s) return;
    put(b, open);
    esc(b, s);
    put(b, close);
}

/* The string member k of o, or NULL. */
static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* ---- const tables ------------------------------------------------------------------------ */

struct label {
    const char *code, *ja, *en;
};

static const struct label SEVERITIES[] = {{"alert", "警報", "alert"},
                                          {"warning", "注意喚起", "warning"},
                                          {"reference", "参考情報", "reference"}};
static const struct label KINDS[] = {{"quick", "速報", "quick"},
                                     {"detailed", "詳報", "detailed"},
                                     {"follow_up", "続報", "follow-up"}};
/* Fields of the section "header" that the header block prints from rp_meta instead (the last
 * is the advisory form's 情報提供日時). */
static const char *const FROM_META[] = {"severity", "report_number", "identification_number",
                                        "advisory_datetime"};

static const char CSS[] =
    "@page{size:A4;margin:15mm}*{box-sizing:border-box}"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "body{margin:0 auto;max-width:180mm;color:#000;font:10pt/1.45 \"Noto Sans CJK JP\","
    "\"Hiragino Kaku Gothic ProN\",\"Yu Gothic\",Meiryo,sans-serif}"
    "small{font-size:7.5pt;color:#444;font-weight:normal;margin-left:.4em}"
    "h1{font-size:15pt;text-align:center;margin:3mm 0}h1 small{display:block;margin:0}"
    ".bar{display:flex;justify-content:space-between;align-items:flex-start}"
    ".tlp{border:1pt solid #000;padding:1mm 2mm;font-weight:bold}"
    "table{width:100%;border-collapse:collapse;margin:0 0 3mm}td table{margin:0}"
    "th,td{border:.5pt solid #000;padding:1mm 1.5mm;vertical-align:top;text-align:left;"
    "font-weight:normal}th{background:#f2f2f2}th.l{width:30%}"
    "th.l small,.rows th small{display:block;margin:0}"
    ".sh th{background:#d9d9d9;font-weight:bold;font-size:10.5pt}.sub th{background:#e9e9e9}"
    ".note{font-size:7.5pt;color:#333}.box{display:inline-block;margin-right:1.2em}"
    ".choices.v .box{display:block}.on{font-weight:bold}.ck{width:9mm;text-align:center}"
    "ul.list{margin:0;padding:0;list-style:none}ul.list li{display:inline-block;"
    "margin-right:1.5em}.chg,.chg *{text-decoration:underline}"
    "del,del *{text-decoration:line-through}.withheld{font-style:italic}"
    ".advice{border:1.5pt solid #000;padding:2mm 3mm;margin:0 0 3mm}"
    ".advice ul{margin:1mm 0 0;padding-left:5mm}.legend{font-size:8.5pt}"
    ".hash{font-family:monospace;font-size:7pt;word-break:break-all}"
    "tr{break-inside:avoid}thead{display:table-header-group}@media screen{body{padding:10mm}}";

/* ---- time: RFC 3339 → JST wall clock (deadline.h's calendar, 1970–9999) ------------------- */

/* Exactly n decimal digits at s. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* An RFC 3339 date-time (seconds and fraction optional, Z or ±hh:mm) as the date in Japan and
 * the minute of that day. RK_EINVAL when it does not parse or falls outside 1970–9999. */
static int parse_datetime(const char *s, struct dl_date *d, int *minute)
{
    char date[11];
    int h, mi, sec, oh = 0, om = 0, sign = 1;
    if (!s || strlen(s) < 16) return RK_EINVAL;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (dl_parse(date, d) != RK_OK || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
        return RK_EINVAL;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec) || sec > 60) return RK_EINVAL;
        p += 3;
        if (*p == '.' && (p[1] < '0' || p[1] > '9')) return RK_EINVAL;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++) {
            }
    }
    if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' && digits(p + 4, 2, &om) &&
        !p[6] && oh < 24 && om < 60)
        sign = *p == '-' ? -1 : 1;
    else if ((*p != 'Z' && *p != 'z') || p[1])
        return RK_EINVAL;
    int64_t t =
        (int64_t)dl_to_days(d) * MIN_PER_DAY + h * 60 + mi - sign * (oh * 60 + om) + JST_MIN;
    if (t < 0 || dl_from_days((int32_t)(t / MIN_PER_DAY), d) != RK_OK) return RK_EINVAL;
    *minute = (int)(t % MIN_PER_DAY);
    return RK_OK;
}

/* Fig. 5's way: "2023年8月19日 13時15分" (Western year, 24-hour clock), machine-readable too. */
static int put_datetime(struct buf *b, const char *s)
{
    struct dl_date d;
    int m;
    if (parse_datetime(s, &d, &m) != RK_OK) return RK_EINVAL;
    putf(b, "<time datetime=\"%04d-%02d-%02dT%02d:%02d+09:00\">%d年%d月%d日 %d時%d分</time>", d.y,
         d.m, d.d, m / 60, m % 60, d.y, d.m, d.d, m / 60, m % 60);
    return RK_OK;
}

/* ---- context ----------------------------------------------------------------------------- */

struct ctx {
    struct buf b;
    const json_t *changes; /* array of {op, path, old, new}, or NULL */
    const struct rp_meta *m;
    bool advisory; /* the advisory form (情報提供様式): its own header block */
};

/* Appends "/" and s, RFC 6901 escaped, to the path in p; false when it does not fit. */
static bool ptr_add(char *p, size_t cap, const char *s)
{
    size_t n = strlen(p);
    if (n + 1 >= cap) return false;
    p[n++] = '/';
    for (; *s; s++) {
        const char *r = *s == '~' ? "~0" : *s == '/' ? "~1" : NULL;
        if (n + (r ? 2 : 1) >= cap) return false;
        if (r) {
            memcpy(p + n, r, 2);
            n += 2;
        } else {
            p[n++] = *s;
        }
    }
    p[n] = '\0';
    return true;
}

/* The change of field sec/fld, or NULL. */
static const json_t *change_of(const struct ctx *c, const char *sec, const char *fld)
{
    char path[PTR_MAX] = "";
    if (!c->changes || !ptr_add(path, sizeof path, sec) || !ptr_add(path, sizeof path, fld))
        return NULL;
    size_t i;
    const json_t *ch;
    json_array_foreach(c->changes, i, ch) if (eq(str(ch, "path"), path)) return ch;
    return NULL;
}

static bool in_list(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *x;
    json_array_foreach(arr, i, x) if (eq(json_string_value(x), s)) return true;
    return false;
}

/* ---- values ------------------------------------------------------------------------------ */

static bool is_choice(const char *t)
{
    return eq(t, "enum") || eq(t, "multi_enum") || eq(t, "yesno");
}

static bool is_list(const char *t)
{
    return eq(t, "ip_list") || eq(t, "cidr_list") || eq(t, "port_list") || eq(t, "attachment");
}

static bool chosen(const char *type, const json_t *v, const char *code)
{
    if (!v || !code) return false;
    if (eq(type, "multi_enum")) return in_list(v, code);
    return eq(json_string_value(v), code);
}

static void put_box(struct buf *b, bool on, const char *ja, const char *en, const char *note)
{
    put(b, on ? "<span class=\"box on\">■" : "<span class=\"box\">□");
    esc(b, ja);
    wrap(b, "<small>", en, "</small>");
    wrap(b, "<br><span class=\"note\">", note, "</span>");
    put(b, "</span>");
}

/* label_ja (with * when star and required), label_en smaller, note_ja when notes. */
static void put_label(struct buf *b, const json_t *o, bool star, bool notes)
{
    esc(b, str(o, "label_ja"));
    if (star && json_is_true(json_object_get(o, "required"))) put(b, "*");
    wrap(b, "<small>", str(o, "label_en"), "</small>");
    if (notes) wrap(b, "<div class=\"note\">", str(o, "note_ja"), "</div>");
}

static void put_subheading(struct buf *b, const json_t *sh)
{
    const char *ja = str(sh, "ja");
    put(b, "<tr class=\"sub\"><th colspan=\"2\">");
    wrap(b, "", str(sh, "number"), " ");
    esc(b, ja && *ja ? ja : str(sh, "en"));
    if (ja && *ja) wrap(b, "<small>", str(sh, "en"), "</small>");
    wrap(b, "<div class=\"note\">", str(sh, "note_ja"), "</div>");
    put(b, "</th></tr>");
}

/* Labels of the chosen choices only, joined by 、 (a drop-down list, or a struck-out old value). */
static void put_chosen(struct buf *b, const char *type, const json_t *vals, const json_t *v)
{
    if (eq(type, "yesno")) {
        if (v) put(b, json_is_true(v) ? "有" : "無");
        return;
    }
    size_t i, n = 0;
    const json_t *x;
    json_array_foreach(vals, i, x)
    {
        if (!chosen(type, v, str(x, "code"))) continue;
        if (n++) put(b, "、");
        esc(b, str(x, "ja"));
        wrap(b, "<small>", str(x, "en"), "</small>");
    }
}

/* Choices in printed classes, as fig. 4 ①②: class | choice (example) | check. */
static void put_grouped(struct buf *b, const char *type, const json_t *groups, const json_t *vals,
                        const json_t *v)
{
    size_t gi, i, n;
    const json_t *g, *x;
    put(b, "<table class=\"grp\">");
    json_array_foreach(groups, gi, g)
    {
        const char *code = str(g, "code");
        n = 0;
        json_array_foreach(vals, i, x) n += eq(str(x, "group"), code);
        bool first = true;
        json_array_foreach(vals, i, x)
        {
            if (!eq(str(x, "group"), code)) continue;
            put(b, "<tr>");
            if (first) {
                putf(b, "<th rowspan=\"%zu\">", n);
                esc(b, str(g, "ja"));
                wrap(b, "<small>", str(g, "en"), "</small>");
                wrap(b, "<div class=\"note\">", str(g, "note_ja"), "</div>");
                put(b, "</th>");
                first = false;
            }
            wrap(b, "<td>", str(x, "ja"), "");
            wrap(b, "<span class=\"note\">（", str(x, "note_ja"), "）</span>");
            wrap(b, "<small>", str(x, "en"), "</small>");
            put(b, chosen(type, v, str(x, "code")) ? "</td><td class=\"ck on\">■</td></tr>"
                                                   : "</td><td class=\"ck\">□</td></tr>");
        }
    }
    put(b, "</table>");
}

static int put_choice(struct ctx *c, const json_t *f, const char *type, const json_t *v, bool brief)
{
    struct buf *b = &c->b;
    const json_t *vals = json_object_get(f, "values"), *groups = json_object_get(f, "groups");
    if (v && !(eq(type, "yesno")  ? json_is_boolean(v)
               : eq(type, "enum") ? json_is_string(v)
                                  : json_is_array(v)))
        return RK_EINVAL;
    if (!eq(type, "yesno") && !json_is_array(vals)) return RK_EINVAL;
    if (brief || eq(str(f, "values_from"), "sectors")) {
        put_chosen(b, type, vals, v);
        return RK_OK;
    }
    if (eq(type, "yesno")) {
        put(b, "<div class=\"choices\">");
        put_box(b, v && json_is_true(v), "有", NULL, NULL);
        put_box(b, v && json_is_false(v), "無", NULL, NULL);
        put(b, "</div>");
        return RK_OK;
    }
    if (json_array_size(groups) > 0) {
        put_grouped(b, type, groups, vals, v);
        return RK_OK;
    }
    size_t i;
    const json_t *x;
    bool vertical = false;
    json_array_foreach(vals, i, x) vertical |= str(x, "note_ja") != NULL;
    put(b, vertical ? "<div class=\"choices v\">" : "<div class=\"choices\">");
    json_array_foreach(vals, i, x)
        put_box(b, chosen(type, v, str(x, "code")), str(x, "ja"), str(x, "en"), str(x, "note_ja"));
    put(b, "</div>");
    return RK_OK;
}

static const char *attachment_name(const struct ctx *c, const char *id)
{
    size_t i;
    const json_t *a;
    json_array_foreach(c->m->attachments, i, a) if (eq(str(a, "id"), id)) return str(a, "name");
    return NULL;
}

static int put_list(struct ctx *c, const char *type, const json_t *v)
{
    if (!json_is_array(v)) return RK_EINVAL;
    size_t i;
    const json_t *x;
    put(&c->b, "<ul class=\"list\">");
    json_array_foreach(v, i, x)
    {
        put(&c->b, "<li>");
        if (eq(type, "port_list") && json_is_integer(x)) {
            putf(&c->b, "%" JSON_INTEGER_FORMAT, json_integer_value(x));
        } else if (json_is_string(x)) {
            const char *name =
                eq(type, "attachment") ? attachment_name(c, json_string_value(x)) : NULL;
            esc(&c->b, name ? name : json_string_value(x));
        } else {
            return RK_EINVAL;
        }
        put(&c->b, "</li>");
    }
    put(&c->b, "</ul>");
    return RK_OK;
}

static int put_value(struct ctx *c, const json_t *f, const json_t *v, bool brief);

/* Rows: a table with the column labels, or one label/value block per row when wide. A blank
 * row (block) when there are none, as the blank form shows. */
static int put_rows(struct ctx *c, const json_t *f, const json_t *v, bool brief)
{
    struct buf *b = &c->b;
    const json_t *cols = json_object_get(f, "columns"), *col;
    if (!json_is_array(cols) || json_array_size(cols) == 0 || (v && !json_is_array(v)))
        return RK_EINVAL;
    size_t ncols = json_array_size(cols), nrows = v ? json_array_size(v) : 0, i, r;
    bool wide = ncols > WIDE_ROWS;
    if (!wide) {
        put(b, "<table class=\"rows\"><thead><tr>");
        json_array_foreach(cols, i, col)
        {
            put(b, "<th>");
            put_label(b, col, false, false);
            put(b, "</th>");
        }
        put(b, "</tr></thead><tbody>");
    }
    for (r = 0; r < (nrows ? nrows : 1); r++) {
        const json_t *row = nrows ? json_array_get(v, r) : NULL;
        if (row && !json_is_object(row)) return RK_EINVAL;
        if (wide)
            putf(b,
                 "<table class=\"rows blk\"><tr class=\"sh\"><th colspan=\"2\">No. %zu"
                 "</th></tr>",
                 r + 1);
        else
            put(b, "<tr>");
        json_array_foreach(cols, i, col)
        {
            const char *id = str(col, "id");
            if (!id) return RK_EINVAL;
            if (wide && json_is_object(json_object_get(col, "subheading")))
                put_subheading(b, json_object_get(col, "subheading"));
            if (wide) {
                put(b, "<tr><th class=\"l\">");
                put_label(b, col, false, true);
                put(b, "</th>");
            }
            put(b, "<td>");
            int rc = put_value(c, col, row ? json_object_get(row, id) : NULL, brief);
            if (rc != RK_OK) return rc;
            put(b, wide ? "</td></tr>" : "</td>");
        }
        put(b, wide ? "</table>" : "</tr>");
    }
    if (!wide) put(b, "</tbody></table>");
    return RK_OK;
}

/* One value of field (or column) f; v NULL is "not given". brief: chosen labels only. */
static int put_value(struct ctx *c, const json_t *f, const json_t *v, bool brief)
{
    struct buf *b = &c->b;
    const char *type = str(f, "type");
    if (!type) return RK_EINVAL;
    if (json_is_null(v)) v = NULL;
    if (is_choice(type)) return put_choice(c, f, type, v, brief);
    if (eq(type, "rows")) return put_rows(c, f, v, brief);
    if (!v) return RK_OK;
    if (is_list(type)) return put_list(c, type, v);
    if (eq(type, "integer") || eq(type, "number")) {
        if (json_is_integer(v))
            putf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_real(v) && eq(type, "number"))
            putf(b, "%.15g", json_real_value(v));
        else
            return RK_EINVAL;
        return RK_OK;
    }
    const char *s = json_string_value(v);
    if (!s) return RK_EINVAL;
    if (eq(type, "datetime")) return put_datetime(b, s);
    if (eq(type, "date")) {
        struct dl_date d;
        if (dl_parse(s, &d) != RK_OK) return RK_EINVAL;
        putf(b, "<time datetime=\"%s\">%d年%d月%d日</time>", s, d.y, d.m, d.d);
        return RK_OK;
    }
    if (eq(type, "text") || eq(type, "textarea") || eq(type, "phone") || eq(type, "email") ||
        eq(type, "corporate_number") || eq(type, "attack_technique")) {
        /* A text column with resolved "values" (the advisory's ministry codes, forms_resolved)
         * prints the code's name. */
        size_t i;
        const json_t *x;
        const char *shown = s;
        json_array_foreach(json_object_get(f, "values"), i, x)
        {
            if (eq(type, "text") && eq(str(x, "code"), s) && str(x, "ja")) shown = str(x, "ja");
        }
        esc(b, shown);
        return RK_OK;
    }
    return RK_EINVAL; /* a type the contract does not know */
}

/* ---- sections ---------------------------------------------------------------------------- */

static bool from_meta(const char *sid, const char *fid)
{
    for (size_t i = 0; eq(sid, "header") && i < RK_ARRAY_LEN(FROM_META); i++)
        if (eq(fid, FROM_META[i])) return true;
    return false;
}

static bool printed(const char *sid, const json_t *f)
{
    return !json_is_false(json_object_get(f, "printed")) && !from_meta(sid, str(f, "id"));
}

/* One field row; merged: the value spans the row (the field repeats its section's heading). */
static int put_field(struct ctx *c, const char *sid, const json_t *f, const json_t *asec,
                     bool merged)
{
    struct buf *b = &c->b;
    const char *fid = str(f, "id"), *type = str(f, "type");
    if (!fid || !type) return RK_EINVAL;
    if (json_is_object(json_object_get(f, "subheading")))
        put_subheading(b, json_object_get(f, "subheading"));
    const json_t *ch = change_of(c, sid, fid);
    bool removed = ch && eq(str(ch, "op"), "remove");
    const char *tag = is_choice(type) || is_list(type) || eq(type, "rows") ? "div" : "span";
    if (merged) {
        put(b, "<tr><td colspan=\"2\">");
        wrap(b, "<div class=\"note\">", str(f, "note_ja"), "</div>");
    } else {
        put(b, "<tr><th class=\"l\">");
        put_label(b, f, true, true);
        put(b, "</th><td>");
    }
    if (ch && !removed) putf(b, "<%s class=\"chg\">", tag);
    int rc = put_value(c, f, asec ? json_object_get(asec, fid) : NULL, false);
    if (rc != RK_OK) return rc;
    if (ch && !removed) putf(b, "</%s>", tag);
    if (removed) {
        putf(b, "<%s class=\"chg\">（前報）<del>", tag);
        rc = put_value(c, f, json_object_get(ch, "old"), true);
        if (rc != RK_OK) return rc;
        putf(b, "</del></%s>", tag);
    }
    put(b, "</td></tr>");
    return RK_OK;
}

static int put_section(struct ctx *c, const json_t *sec, const json_t *answers)
{
    struct buf *b = &c->b;
    const char *sid = str(sec, "id"), *num = str(sec, "number"), *label = str(sec, "label_ja");
    const json_t *fields = json_object_get(sec, "fields"), *f, *only = NULL;
    const json_t *asec = json_object_get(answers, sid ? sid : "");
    if (!sid || !json_is_array(fields)) return RK_EINVAL;
    if (json_is_null(asec)) asec = NULL;
    if (asec && !json_is_object(asec)) return RK_EINVAL;
    size_t i, nprinted = 0;
    json_array_foreach(fields, i, f)
    {
        if (!json_is_object(f) || !str(f, "id")) return RK_EINVAL;
        if (printed(sid, f) && nprinted++ == 0) only = f;
    }
    if (nprinted == 0) return RK_OK;
    /* A lone field that repeats the section's heading (③分野名, ⑨…) spans the row. */
    bool merged = nprinted == 1 && label && *label && eq(str(only, "label_ja"), label) &&
                  !json_object_get(only, "subheading");
    put(b, "<table class=\"form sec\">");
    if ((num && *num) || (label && *label)) {
        put(b, "<tr class=\"sh\"><th colspan=\"2\">");
        esc(b, num);
        if (num && *num && strspn(num, "0123456789") == strlen(num)) put(b, ". ");
        esc(b, label);
        if (merged && json_is_true(json_object_get(only, "required"))) put(b, "*");
        wrap(b, "<small>", str(sec, "label_en"), "</small>");
        put(b, "</th></tr>");
    }
    wrap(b, "<tr><td colspan=\"2\" class=\"note\">", str(sec, "note_ja"), "</td></tr>");
    if (in_list(c->m->withheld, sid)) {
        put(b, "<tr><td colspan=\"2\" class=\"withheld\">この項目は共有範囲外のため表示しません"
               "<small>withheld (outside your sharing scope)</small></td></tr></table>\n");
        return RK_OK;
    }
    json_array_foreach(fields, i, f)
    {
        if (!printed(sid, f)) continue;
        int rc = put_field(c, sid, f, asec, merged);
        if (rc != RK_OK) return rc;
    }
    put(b, "</table>\n");
    return RK_OK;
}

/* ---- header, advice, attachments --------------------------------------------------------- */

static void put_boxes(struct buf *b, const struct label *t, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        put_box(b, eq(code, t[i].code), t[i].ja, t[i].en, NULL);
}

static void put_tlp(struct buf *b, const char *tlp)
{
    enum pol_tlp t;
    if (tlp && policy_tlp_parse(tlp, &t) == RK_OK)
        putf(b, "%s %s", policy_tlp_name(t), policy_tlp_name_ja(t));
    else
        esc(b, tlp);
}

/* Opens an underline around a header item when the answers' header field fid changed; returns
 * the text that closes it. */
static const char *chg_open(struct ctx *c, const char *fid)
{
    if (!change_of(c, "header", fid)) return "";
    put(&c->b, "<span class=\"chg\">");
    return "</span>";
}

static int put_header(struct ctx *c, const json_t *form)
{
    struct buf *b = &c->b;
    const struct rp_meta *m = c->m;
    put(b, "<header><div class=\"bar\"><div class=\"sev\">");
    const char *close = chg_open(c, "severity");
    put_boxes(b, SEVERITIES, RK_ARRAY_LEN(SEVERITIES), m->severity);
    put(b, close);
    put(b, "</div><div class=\"tlp\">");
    put_tlp(b, m->tlp);
    wrap(b, "</div></div><h1>", str(form, "title_ja"), "（第");
    close = chg_open(c, "report_number");
    if (m->report_number > 0)
        putf(b, "%d", m->report_number);
    else
        put(b, " "); /* blank, as on the blank form */
    put(b, close);
    wrap(b, "報）<small>", str(form, "title_en"), "");
    if (m->report_number > 0) putf(b, " — report No. %d", m->report_number);
    put(b, "</small></h1>");
    /* The advisory's direction (内閣官房→重要インフラ所管省庁): the header section's note, whose
     * fields are all printed here. */
    if (c->advisory) {
        size_t i;
        const json_t *sec;
        json_array_foreach(json_object_get(form, "sections"), i, sec)
        {
            if (eq(str(sec, "id"), "header"))
                wrap(b, "<p class=\"note\">", str(sec, "note_ja"), "</p>");
        }
    }
    put(b, "<table class=\"form meta\"><tr><th class=\"l\">識別番号"
           "<small>Identification number</small></th><td>");
    close = chg_open(c, "identification_number");
    esc(b, m->ident);
    put(b, close);
    if (c->advisory) {
        /* No kind, no source: the national centre sends it (the contact block names it). */
        put(b, "</td><th>情報提供日時<small>Date of the advisory (JST)</small></th><td>");
        close = chg_open(c, "advisory_datetime");
        if (m->filed_at && put_datetime(b, m->filed_at) != RK_OK) return RK_EINVAL;
        put(b, close);
    } else {
        put(b, "</td><th>報告の種別<small>Kind</small></th><td>");
        put_boxes(b, KINDS, RK_ARRAY_LEN(KINDS), m->kind);
        put(b, "</td></tr><tr><th class=\"l\">提出日時<small>Filed (JST)</small></th><td>");
        if (m->filed_at && put_datetime(b, m->filed_at) != RK_OK) return RK_EINVAL;
        put(b, "</td><th>連絡元<small>Source</small></th><td>");
        if (m->source_label)
            esc(b, m->source_label);
        else
            put(b, "（非開示）<small>withheld</small>");
    }
    put(b, "</td></tr>");
    put(b, "<tr><th class=\"l\">情報共有範囲<small>TLP</small></th><td colspan=\"3\">");
    put_tlp(b, m->tlp);
    put(b, "</td></tr></table>");
    wrap(b, "<p class=\"note\">", str(form, "note_ja"), "</p>");
    put(b, "<p class=\"note\">日時は日本時間（JST）<small>all times JST</small></p>");
    if (json_array_size(c->changes) > 0)
        put(b, "<p class=\"legend\"><span class=\"chg\">下線</span>：前報からの変更箇所　"
               "<del>取消線</del>：前報から削除された記載<small>underlined: changed since the "
               "previous report; struck through: removed</small></p>");
    put(b, "</header>\n");
    return RK_OK;
}

/* The ransomware form's 「ランサムウェア感染時の留意事項」, boxed at the top. */
static void put_advice(struct buf *b, const json_t *form)
{
    const json_t *adv = json_object_get(form, "first_response_advice"), *x;
    size_t i;
    if (json_array_size(adv) == 0) return;
    put(b, "<div class=\"advice\"><b>ランサムウェア感染時の留意事項</b><small>First response "
           "when infected by ransomware</small><ul>");
    json_array_foreach(adv, i, x)
    {
        wrap(b, "<li>", str(x, "ja"), "");
        wrap(b, "<small>", str(x, "en"), "</small>");
        put(b, "</li>");
    }
    put(b, "</ul></div>\n");
}

static void put_attachments(struct buf *b, const json_t *atts)
{
    size_t i;
    const json_t *a;
    if (json_array_size(atts) == 0) return;
    put(b, "<table class=\"form att\"><tr class=\"sh\"><th colspan=\"4\">添付資料"
           "<small>Attachments</small></th></tr><tr><th>ファイル名<small>name</small></th>"
           "<th>種別<small>role</small></th><th>サイズ<small>size</small></th>"
           "<th>SHA-256</th></tr>");
    json_array_foreach(atts, i, a)
    {
        put(b, "<tr><td>");
        esc(b, str(a, "name"));
        put(b, "</td><td>");
        esc(b, str(a, "role"));
        put(b, "</td><td>");
        if (json_is_integer(json_object_get(a, "size")))
            putf(b, "%" JSON_INTEGER_FORMAT " B", json_integer_value(json_object_get(a, "size")));
        put(b, "</td><td class=\"hash\">");
        esc(b, str(a, "sha256"));
        put(b, "</td></tr>");
    }
    put(b, "</table>");
}

/* ---- entry point ------------------------------------------------------------------------- */

static bool valid_inputs(const json_t *form, const json_t *answers, const json_t *changes,
                         const struct rp_meta *m)
{
    size_t i;
    const json_t *x;
    if (!json_is_object(form) || !json_is_array(json_object_get(form, "sections")) ||
        !json_is_object(answers))
        return false;
    if (changes && !json_is_array(changes)) return false;
    json_array_foreach(changes, i, x) if (!str(x, "path")) return false;
    if (m->withheld && !json_is_array(m->withheld)) return false;
    json_array_foreach(m->withheld, i, x) if (!json_is_string(x)) return false;
    if (m->attachments && !json_is_array(m->attachments)) return false;
    json_array_foreach(m->attachments, i, x) if (!json_is_object(x)) return false;
    return true;
}

int rp_render(const json_t *form, const json_t *answers, const json_t *changes,
              const struct rp_meta *meta, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!out || !len || !meta) return RK_EINVAL;
    if (json_is_null(changes)) changes = NULL;
    if (!valid_inputs(form, answers, changes, meta)) return RK_EINVAL;

    /* The advisory's header block falls back on its answers for what meta leaves out. */
    struct rp_meta am = *meta;
    bool advisory = eq(str(form, "name"), "advisory");
    if (advisory) {
        const json_t *h = json_object_get(answers, "header");
        const json_t *num = json_object_get(h, "report_number");
        if (!am.severity) am.severity = str(h, "severity");
        if (!am.ident || !*am.ident) am.ident = str(h, "identification_number");
        if (am.report_number <= 0 && json_is_integer(num) && json_integer_value(num) > 0 &&
            json_integer_value(num) <= INT32_MAX)
            am.report_number = (int)json_integer_value(num);
        if (str(h, "advisory_datetime")) am.filed_at = str(h, "advisory_datetime");
        meta = &am;
    }
    struct ctx c = {.changes = changes, .m = meta, .advisory = advisory};
    struct buf *b = &c.b;
    enum pol_tlp t;
    int rc;
    put(b, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'\">\n<title>");
    esc(b, str(form, "title_ja"));
    if (meta->report_number > 0) putf(b, "（第%d報）", meta->report_number);
    if (meta->ident && *meta->ident) put(b, " ");
    esc(b, meta->ident);
    put(b, "</title>\n<style>");
    put(b, CSS);
    if (meta->tlp && policy_tlp_parse(meta->tlp, &t) == RK_OK)
        putf(b, "@page{@top-right{content:\"%s\";font:bold 9pt sans-serif}}", policy_tlp_name(t));
    put(b, "</style>\n</head>\n<body>\n");

    rc = put_header(&c, form);
    if (rc != RK_OK) goto done;
    put_advice(b, form);
    size_t i;
    const json_t *sec;
    json_array_foreach(json_object_get(form, "sections"), i, sec)
    {
        rc = put_section(&c, sec, answers); /* RK_EINVAL for a section that is not an object */
        if (rc != RK_OK) goto done;
    }
    put_attachments(b, meta->attachments);
    put(b, "\n</body>\n</html>\n");

done:
    if (rc == RK_OK) rc = b->err;
    if (rc != RK_OK) {
        free(b->p);
        return rc;
    }
    *out = b->p;
    *len = b->len;
    return RK_OK;
}
