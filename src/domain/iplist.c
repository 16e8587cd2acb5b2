/*
 * iplist.c — source-address list attachments into indicators (contract in iplist.h).
 *
 * Decisions the header leaves open, resolved here:
 *  - Everything is line based: a physical line is checked for UTF-8 and control characters,
 *    then read as a text line or a CSV row. A quoted CSV field therefore ends on its line;
 *    a list of addresses has no use for multi-line cells, and line numbers stay exact.
 *  - A row is checked completely (address, ports, times, count) before it touches the
 *    indicators, so a row with an error changes nothing and every error of the row is reported.
 *  - Linear time: indicators live in an array with an open-addressing hash set over their
 *    canonical text; (indicator, port) pairs are appended and sorted once at the end (and
 *    compacted on the way when they pile up, which bounds memory by the distinct pairs).
 *  - Errors past what jv_errors keeps are only counted, without formatting a message.
 */
#include "domain/iplist.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"
#include "core/utf8.h"
#include "domain/deadline.h"
#include "domain/ipaddr.h"

/* 2^53 − 1: the largest count (and sum of counts) every JSON reader holds exactly. */
#define IPL_MAX_COUNT 9007199254740991LL
/* Bytes of a bad value quoted in an error message. */
#define QUOTE_MAX 40
/* Pairs kept before the first compaction. */
#define PORTS_MIN_CAP 4096

enum ind_type { T_IPV4, T_IPV6, T_IPV4_CIDR, T_IPV6_CIDR };
static const char *const type_names[] = {"ipv4", "ipv6", "ipv4-cidr", "ipv6-cidr"};

/* ---- columns ---------------------------------------------------------------------------- */

enum role { R_ADDR, R_PORT, R_FIRST, R_LAST, R_COUNT, R_NROLES };

struct col_name {
    const char *name; /* ASCII letters match in any case */
    enum role role;
};

static const char *const role_labels[R_NROLES] = {"address", "port", "first_seen", "last_seen",
                                                  "count"};

static const struct col_name col_names[] = {
    {"ip", R_ADDR},
    {"address", R_ADDR},
    {"src_ip", R_ADDR},
    {"source_ip", R_ADDR},
    {"source", R_ADDR},
    {"cidr", R_ADDR},
    {"\xE9\x80\x81\xE4\xBF\xA1\xE5\x85\x83IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3\x82\xB9",
     R_ADDR},                                                       /* 送信元IPアドレス */
    {"IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3\x82\xB9", R_ADDR}, /* IPアドレス */
    {"port", R_PORT},
    {"src_port", R_PORT},
    {"\xE3\x83\x9D\xE3\x83\xBC\xE3\x83\x88", R_PORT}, /* ポート */
    {"first_seen", R_FIRST},
    {"last_seen", R_LAST},
    {"count", R_COUNT},
    {"packets", R_COUNT},
};

/* ---- state ------------------------------------------------------------------------------ */

/* A time as written (p, n) and as an instant. p is NULL when absent. */
struct stamp {
    const char *p;
    size_t n;
    int64_t sec;
    int32_t nsec;
};

struct ind {
    char value[IP_CANON_CAP];
    uint32_t hash;
    unsigned char type;
    bool has_count;
    int64_t count;
    struct stamp first, last;
};

struct port_pair {
    uint32_t ind;
    uint32_t port;
};

/* A field of a line: its bytes (inside the quotes when quoted, blanks trimmed otherwise). */
struct field {
    const char *p;
    size_t n;
    bool escaped; /* a quoted field with "" pairs: never a valid value of a known column */
};

/* The cells of one row by role; n == 0 or absent means "not given". */
struct row {
    struct field cell[R_NROLES];
    bool has[R_NROLES];
};

struct parser {
    struct jv_errors *errs;
    bool failed;                  /* an error was added */
    bool stop;                    /* nothing more is read */
    bool csv;                     /* the format, once decided */
    bool decided;                 /* the first line that is neither blank nor a comment was seen */
    char delim;                   /* CSV field separator */
    size_t nfields;               /* fields of the header */
    size_t role_field[R_NROLES];  /* header field of each role, SIZE_MAX when absent */
    char role_name[R_NROLES][64]; /* the header's spelling of each role's column */
    struct ind *inds;
    size_t n, cap;
    uint32_t *slots; /* index + 1 of an indicator, 0 when empty */
    size_t nslots;   /* a power of two, at least twice n */
    struct port_pair *ports;
    size_t nports, pcap, pcompact; /* pcompact: size after the last compaction */
    size_t duplicates;
};

/* ---- errors ----------------------------------------------------------------------------- */

/* Adds an error at "/lines/<line>[/<column>]" (column as the header spells it, or NULL). */
__attribute__((format(printf, 5, 6))) static void line_error(struct parser *ps, size_t line,
                                                             const char *column, const char *rule,
                                                             const char *fmt, ...)
{
    ps->failed = true;
    if (ps->errs->n >= JV_MAX_ERRORS) {
        ps->errs->dropped++;
        return;
    }
    char ptr[JV_POINTER_MAX], msg[sizeof ps->errs->e[0].message];
    snprintf(ptr, sizeof ptr, "/lines/%zu", line);
    if (column) jv_pointer_append(ptr, sizeof ptr, column);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jv_error_add(ps->errs, ptr, rule, "%s", msg);
}

/* How many bytes of s (valid UTF-8) to quote in a message: at most QUOTE_MAX, whole
 * characters. */
static int quote_len(const char *s, size_t n)
{
    if (n <= QUOTE_MAX) return (int)n;
    n = QUOTE_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static const char *quote_tail(size_t n)
{
    return n > QUOTE_MAX ? "..." : "";
}

/* ---- lines and text --------------------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

/* The end of the line at p; *next is the start of the following one (LF, CRLF, lone CR). */
static const char *line_end(const char *p, const char *end, const char **next)
{
    const char *q = p;
    while (q < end && *q != '\n' && *q != '\r')
        q++;
    *next = q;
    if (q < end) *next = (*q == '\r' && q + 1 < end && q[1] == '\n') ? q + 2 : q + 1;
    return q;
}

static bool is_control(unsigned long cp)
{
    return (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

/* Checks that the line is UTF-8 without control characters; adds one error when not. */
static bool check_line(struct parser *ps, size_t line, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned long cp = u[i];
        size_t k = cp < 0x80 ? 1 : rk_utf8_next(u, n, i, &cp);
        if (k == 0) {
            line_error(ps, line, NULL, "utf8",
                       "is not UTF-8 (byte 0x%02X at byte %zu; Excel writes Shift_JIS by "
                       "default): save the file as UTF-8 (\"CSV UTF-8\")",
                       (unsigned)u[i], i + 1);
            return false;
        }
        if (is_control(cp)) {
            if (cp == 0)
                line_error(ps, line, NULL, "control_characters",
                           "holds a NUL byte at byte %zu (UTF-16 text?): save the file as UTF-8",
                           i + 1);
            else
                line_error(ps, line, NULL, "control_characters",
                           "holds the control character U+%04lX at byte %zu", cp, i + 1);
            return false;
        }
        i += k;
    }
    return true;
}

/* ---- CSV fields ------------------------------------------------------------------------- */

struct splitter {
    const char *pos, *end;
    char delim;
    bool done;
};

enum split_result { SPLIT_FIELD, SPLIT_END, SPLIT_OPEN_QUOTE, SPLIT_AFTER_QUOTE };

static bool is_pad(const struct splitter *sp, char c)
{
    return is_blank(c) && c != sp->delim;
}

static enum split_result next_field(struct splitter *sp, struct field *f)
{
    if (sp->done) return SPLIT_END;
    const char *p = sp->pos, *end = sp->end;
    while (p < end && is_pad(sp, *p))
        p++;
    *f = (struct field){p, 0, false};
    if (p < end && *p == '"') {
        const char *start = ++p, *q;
        for (;;) {
            q = memchr(p, '"', (size_t)(end - p));
            if (!q) return SPLIT_OPEN_QUOTE;
            if (q + 1 < end && q[1] == '"') {
                f->escaped = true;
                p = q + 2;
                continue;
            }
            break;
        }
        f->p = start;
        f->n = (size_t)(q - start);
        p = q + 1;
        while (p < end && is_pad(sp, *p))
            p++;
        if (p < end && *p != sp->delim) return SPLIT_AFTER_QUOTE;
    } else {
        const char *q = memchr(p, sp->delim, (size_t)(end - p));
        if (!q) q = end;
        f->n = (size_t)(q - p);
        while (f->n && is_pad(sp, p[f->n - 1]))
            f->n--;
        p = q;
    }
    if (p < end)
        sp->pos = p + 1; /* past the delimiter */
    else
        sp->done = true;
    return SPLIT_FIELD;
}

/* The role of a header name, or -1. */
static int role_of(const struct field *f)
{
    if (f->escaped) return -1;
    for (size_t i = 0; i < RK_ARRAY_LEN(col_names); i++) {
        const char *name = col_names[i].name;
        size_t k = strlen(name);
        if (k != f->n) continue;
        size_t j = 0;
        while (j < k && rk_lower((unsigned char)f->p[j]) == rk_lower((unsigned char)name[j]))
            j++;
        if (j == k) return (int)col_names[i].role;
    }
    return -1;
}

/* Whether the line reads as a header with fields separated by delim. */
static bool header_with(const char *s, size_t n, char delim)
{
    if (!memchr(s, delim, n)) return false;
    struct splitter sp = {s, s + n, delim, false};
    struct field f;
    while (next_field(&sp, &f) == SPLIT_FIELD)
        if (role_of(&f) >= 0) return true;
    return false;
}

/* Whether the first line that is neither blank nor a comment is a CSV header; sets delim. */
static bool detect_header(struct parser *ps, const char *s, size_t n)
{
    if (header_with(s, n, ',')) {
        ps->delim = ',';
        return true;
    }
    if (header_with(s, n, '\t')) {
        ps->delim = '\t';
        return true;
    }
    /* A one-column spreadsheet: the lone name of an address column. */
    struct splitter sp = {s, s + n, ',', false};
    struct field f;
    if (!memchr(s, '\t', n) && next_field(&sp, &f) == SPLIT_FIELD && sp.done &&
        role_of(&f) == R_ADDR) {
        ps->delim = ',';
        return true;
    }
    return false;
}

/* Reads the header's columns; errors stop the whole file (nothing after can be placed). */
static void read_header(struct parser *ps, size_t line, const char *s, size_t n)
{
    for (int r = 0; r < R_NROLES; r++)
        ps->role_field[r] = SIZE_MAX;
    struct splitter sp = {s, s + n, ps->delim, false};
    struct field f;
    size_t i = 0;
    enum split_result sr;
    for (; (sr = next_field(&sp, &f)) == SPLIT_FIELD; i++) {
        int r = role_of(&f);
        if (r < 0) continue;
        /* Known names are short; the copy keeps the header's spelling for pointers. */
        char name[sizeof ps->role_name[0]];
        size_t k = f.n < sizeof name ? f.n : sizeof name - 1;
        memcpy(name, f.p, k);
        name[k] = '\0';
        if (ps->role_field[r] != SIZE_MAX) {
            line_error(ps, line, name, "columns",
                       "is a second %s column (the first is \"%s\"): keep one", role_labels[r],
                       ps->role_name[r]);
            continue;
        }
        ps->role_field[r] = i;
        memcpy(ps->role_name[r], name, k + 1);
    }
    ps->nfields = i;
    if (sr != SPLIT_END)
        line_error(ps, line, NULL, "columns",
                   sr == SPLIT_OPEN_QUOTE ? "has a quote that is not closed on this line"
                                          : "has text after a closing quote");
    else if (ps->role_field[R_ADDR] == SIZE_MAX)
        line_error(ps, line, NULL, "columns",
                   "has no address column: name one ip, address, src_ip, source_ip, source, "
                   "cidr, \xE9\x80\x81\xE4\xBF\xA1\xE5\x85\x83IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83"
                   "\xAC\xE3\x82\xB9 or IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3\x82\xB9");
    if (ps->failed) ps->stop = true;
}

/* ---- values ----------------------------------------------------------------------------- */

/* Canonical value and type of an address or network; false with a reason in why. */
static bool canon_addr(const struct field *f, char out[IP_CANON_CAP], unsigned char *type,
                       char *why, size_t wcap)
{
    if (!f->escaped && memchr(f->p, '/', f->n)) {
        if (ip_cidr_canon(f->p, f->n, 0, out, IP_CANON_CAP, why, wcap) != RK_OK) return false;
        bool v6 = strchr(out, ':') != NULL;
        char *slash = strrchr(out, '/');
        /* The single-host network is the host itself: one indicator, whichever way written. */
        if (strcmp(slash + 1, v6 ? "128" : "32") == 0) {
            *slash = '\0';
            *type = v6 ? T_IPV6 : T_IPV4;
        } else {
            *type = v6 ? T_IPV6_CIDR : T_IPV4_CIDR;
        }
        return true;
    }
    if (f->escaped || ip_addr_canon(f->p, f->n, out, IP_CANON_CAP) != RK_OK) {
        snprintf(why, wcap,
                 "is not an IPv4 or IPv6 address or network such as 192.0.2.1, 2001:db8::1 or "
                 "203.0.113.0/24");
        return false;
    }
    *type = strchr(out, ':') ? T_IPV6 : T_IPV4;
    return true;
}

static bool port_item(const char *s, size_t n, uint32_t *port)
{
    trim(&s, &n);
    if (n == 0 || n > 5) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rk_is_digit(s[i])) return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v > 65535) return false;
    *port = v;
    return true;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct port_pair *x = a, *y = b;
    if (x->ind != y->ind) return x->ind < y->ind ? -1 : 1;
    return x->port < y->port ? -1 : x->port > y->port;
}

/* Sorts the pairs and drops repeats. */
static void compact_ports(struct parser *ps)
{
    if (ps->nports < 2) return;
    qsort(ps->ports, ps->nports, sizeof *ps->ports, cmp_pair);
    size_t k = 1;
    for (size_t i = 1; i < ps->nports; i++)
        if (cmp_pair(&ps->ports[i], &ps->ports[k - 1]) != 0) ps->ports[k++] = ps->ports[i];
    ps->nports = k;
    ps->pcompact = k;
}

static int push_port(struct parser *ps, uint32_t idx, uint32_t port)
{
    /* Repeats of the last pair are common (one address, one port, many lines): skip them. */
    if (ps->nports && ps->ports[ps->nports - 1].ind == idx &&
        ps->ports[ps->nports - 1].port == port)
        return RK_OK;
    if (ps->nports == ps->pcap) {
        /* Compact when the array has doubled since the last compaction; grow only when the
         * distinct pairs fill half of it. Memory stays within a few times the distinct pairs,
         * and each pair is sorted O(log n) times. */
        if (ps->pcap >= PORTS_MIN_CAP && ps->nports >= 2 * ps->pcompact) compact_ports(ps);
        if (ps->nports * 2 > ps->pcap || ps->pcap == 0) {
            size_t cap = ps->pcap ? ps->pcap * 2 : PORTS_MIN_CAP;
            struct port_pair *p = realloc(ps->ports, cap * sizeof *p);
            if (!p) return RK_ENOMEM;
            ps->ports = p;
            ps->pcap = cap;
        }
    }
    ps->ports[ps->nports++] = (struct port_pair){idx, port};
    return RK_OK;
}

/* Checks the ports of a cell (ps NULL) or appends them for indicator idx. */
static int ports_of(const struct field *f, struct parser *ps, uint32_t idx, bool *ok)
{
    const char *p = f->p, *end = f->p + f->n;
    *ok = !f->escaped;
    while (*ok && p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (!semi) semi = end;
        const char *s = p;
        size_t n = (size_t)(semi - p);
        trim(&s, &n);
        uint32_t port;
        if (n) { /* empty items ("80;" or "80;;443") are left out */
            if (!port_item(s, n, &port))
                *ok = false;
            else if (ps && push_port(ps, idx, port) != RK_OK)
                return RK_ENOMEM;
        }
        p = semi < end ? semi + 1 : end;
    }
    return RK_OK;
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The instant of an RFC 3339 date-time already checked by jv (JV_FMT_DATETIME). */
static void stamp_of(const struct field *f, struct stamp *st)
{
    const char *s = f->p;
    struct dl_date d = {two_digits(s) * 100 + two_digits(s + 2), two_digits(s + 5),
                        two_digits(s + 8)};
    int64_t sec = (int64_t)dl_to_days(&d) * 86400 + two_digits(s + 11) * 3600 +
                  two_digits(s + 14) * 60 + two_digits(s + 17);
    int32_t nsec = 0;
    size_t i = 19;
    if (s[i] == '.') {
        int digits = 0;
        for (i++; i < f->n && rk_is_digit(s[i]); i++)
            if (digits < 9) {
                nsec = nsec * 10 + (s[i] - '0');
                digits++;
            }
        for (; digits < 9; digits++)
            nsec *= 10;
    }
    if (s[i] == '+' || s[i] == '-') {
        int64_t off = (int64_t)two_digits(s + i + 1) * 3600 + two_digits(s + i + 4) * 60;
        sec -= s[i] == '+' ? off : -off;
    }
    *st = (struct stamp){f->p, f->n, sec, nsec};
}

static int stamp_cmp(const struct stamp *a, const struct stamp *b)
{
    if (a->sec != b->sec) return a->sec < b->sec ? -1 : 1;
    return a->nsec < b->nsec ? -1 : a->nsec > b->nsec;
}

/* A non-negative integer of at most IPL_MAX_COUNT. */
static bool count_of(const struct field *f, int64_t *out)
{
    if (f->escaped || f->n == 0 || f->n > 16) return false;
    int64_t v = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!rk_is_digit(f->p[i])) return false;
        v = v * 10 + (f->p[i] - '0');
    }
    if (v > IPL_MAX_COUNT) return false;
    *out = v;
    return true;
}

/* ---- indicators ------------------------------------------------------------------------- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The index of the indicator with this value, or SIZE_MAX. */
static size_t set_find(const struct parser *ps, const char *value, uint32_t h)
{
    if (!ps->nslots) return SIZE_MAX;
    for (size_t i = h & (ps->nslots - 1);; i = (i + 1) & (ps->nslots - 1)) {
        uint32_t e = ps->slots[i];
        if (!e) return SIZE_MAX;
        const struct ind *x = &ps->inds[e - 1];
        if (x->hash == h && strcmp(x->value, value) == 0) return e - 1;
    }
}

static void set_put(uint32_t *slots, size_t nslots, uint32_t h, uint32_t entry)
{
    size_t i = h & (nslots - 1);
    while (slots[i])
        i = (i + 1) & (nslots - 1);
    slots[i] = entry;
}

/* Room for one more indicator: the array and a hash table at most half full. */
static int reserve_ind(struct parser *ps)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 256;
        if (cap > IPL_MAX_ITEMS) cap = IPL_MAX_ITEMS;
        struct ind *p = realloc(ps->inds, cap * sizeof *p);
        if (!p) return RK_ENOMEM;
        ps->inds = p;
        ps->cap = cap;
    }
    if (2 * (ps->n + 1) > ps->nslots) {
        size_t nslots = ps->nslots ? ps->nslots * 2 : 512;
        uint32_t *slots = calloc(nslots, sizeof *slots);
        if (!slots) return RK_ENOMEM;
        for (size_t i = 0; i < ps->n; i++)
            set_put(slots, nslots, ps->inds[i].hash, (uint32_t)i + 1);
        free(ps->slots);
        ps->slots = slots;
        ps->nslots = nslots;
    }
    return RK_OK;
}

/* ---- rows ------------------------------------------------------------------------------- */

/* Checks a row (text line or CSV row) and adds or merges its indicator. RK_OK (errors, if any,
 * are added) or RK_ENOMEM. */
static int process_row(struct parser *ps, size_t line, const struct row *rw)
{
    const char *names[R_NROLES] = {NULL};
    if (ps->csv)
        for (int r = 0; r < R_NROLES; r++)
            names[r] = ps->role_name[r];
    bool ok = true;

    char value[IP_CANON_CAP], why[sizeof ps->errs->e[0].message];
    unsigned char type = 0;
    const struct field *a = &rw->cell[R_ADDR];
    if (a->n == 0) {
        line_error(ps, line, names[R_ADDR], "ip", "is empty: every row needs an address");
        ok = false;
    } else if (!canon_addr(a, value, &type, why, sizeof why)) {
        line_error(ps, line, names[R_ADDR], "ip", "\"%.*s%s\" %s", quote_len(a->p, a->n), a->p,
                   quote_tail(a->n), why);
        ok = false;
    }

    const struct field *pf = &rw->cell[R_PORT];
    bool port_ok = true;
    if (rw->has[R_PORT]) ports_of(pf, NULL, 0, &port_ok); /* checking only: cannot fail */
    if (!port_ok) {
        line_error(ps, line, names[R_PORT], "port",
                   "\"%.*s%s\" is not a port number from 0 to 65535 (several: \"80;443\")",
                   quote_len(pf->p, pf->n), pf->p, quote_tail(pf->n));
        ok = false;
    }

    struct stamp st[2] = {{NULL, 0, 0, 0}, {NULL, 0, 0, 0}};
    for (int k = 0; k < 2; k++) {
        int r = k ? R_LAST : R_FIRST;
        const struct field *f = &rw->cell[r];
        if (!rw->has[r] || f->n == 0) continue;
        if (f->escaped || !jv_check_format(JV_FMT_DATETIME, f->p, f->n)) {
            line_error(ps, line, names[r], "datetime",
                       "\"%.*s%s\" is not an RFC 3339 date-time such as "
                       "2025-04-01T09:30:00+09:00",
                       quote_len(f->p, f->n), f->p, quote_tail(f->n));
            ok = false;
            continue;
        }
        stamp_of(f, &st[k]);
    }
    if (st[0].p && st[1].p && stamp_cmp(&st[1], &st[0]) < 0) {
        line_error(ps, line, names[R_LAST], "datetime", "is before first_seen on the same row");
        ok = false;
    }

    int64_t count = 0;
    const struct field *cf = &rw->cell[R_COUNT];
    bool has_count = rw->has[R_COUNT] && cf->n > 0;
    if (has_count && !count_of(cf, &count)) {
        line_error(ps, line, names[R_COUNT], "integer",
                   "\"%.*s%s\" is not a whole number from 0 to 9007199254740991",
                   quote_len(cf->p, cf->n), cf->p, quote_tail(cf->n));
        ok = false;
    }
    if (!ok) return RK_OK;

    uint32_t h = fnv1a(value);
    size_t idx = set_find(ps, value, h);
    if (idx != SIZE_MAX) {
        struct ind *x = &ps->inds[idx];
        struct stamp first = x->first, last = x->last;
        if (st[0].p && (!first.p || stamp_cmp(&st[0], &first) < 0)) first = st[0];
        if (st[1].p && (!last.p || stamp_cmp(&st[1], &last) > 0)) last = st[1];
        /* Rows that give one time each may contradict each other: an address last seen
         * before it was first seen. */
        if (first.p && last.p && stamp_cmp(&last, &first) < 0) {
            if (st[1].p)
                line_error(ps, line, names[R_LAST], "datetime",
                           "is before the first_seen of %s on an earlier line", x->value);
            else
                line_error(ps, line, names[R_FIRST], "datetime",
                           "is after the last_seen of %s on an earlier line", x->value);
            ok = false;
        }
        if (has_count && x->has_count && count > IPL_MAX_COUNT - x->count) {
            line_error(ps, line, names[R_COUNT], "integer",
                       "brings the count of %s past 9007199254740991", x->value);
            ok = false;
        }
        if (!ok) return RK_OK;
        ps->duplicates++;
        if (has_count) {
            x->count = x->has_count ? x->count + count : count;
            x->has_count = true;
        }
        x->first = first;
        x->last = last;
    } else {
        if (ps->n == IPL_MAX_ITEMS) {
            line_error(ps, line, NULL, "max_items",
                       "adds an address past the limit: a list holds at most %d distinct "
                       "addresses and networks",
                       IPL_MAX_ITEMS);
            ps->stop = true;
            return RK_OK;
        }
        if (reserve_ind(ps) != RK_OK) return RK_ENOMEM;
        idx = ps->n++;
        struct ind *x = &ps->inds[idx];
        memcpy(x->value, value, sizeof x->value);
        x->hash = h;
        x->type = type;
        x->has_count = has_count;
        x->count = count;
        x->first = st[0];
        x->last = st[1];
        set_put(ps->slots, ps->nslots, h, (uint32_t)idx + 1);
    }
    if (rw->has[R_PORT]) {
        bool again;
        if (ports_of(pf, ps, (uint32_t)idx, &again) != RK_OK) return RK_ENOMEM;
    }
    return RK_OK;
}

/* A plain-text line (trimmed, not blank, not a comment): "addr", "addr,port" or "addr port". */
static int text_line(struct parser *ps, size_t line, const char *s, size_t n)
{
    struct row rw = {0};
    const char *sep = memchr(s, ',', n);
    size_t skip = 1;
    if (!sep) {
        sep = s;
        while (sep < s + n && !is_blank(*sep))
            sep++;
        skip = 0;
    }
    const char *addr = s, *rest = sep + (sep < s + n ? skip : 0);
    size_t addr_n = (size_t)(sep - s), rest_n = (size_t)(s + n - rest);
    trim(&addr, &addr_n);
    trim(&rest, &rest_n);
    rw.cell[R_ADDR] = (struct field){addr, addr_n, false};
    rw.has[R_ADDR] = true;
    if (rest_n) {
        rw.cell[R_PORT] = (struct field){rest, rest_n, false};
        rw.has[R_PORT] = true;
    }
    return process_row(ps, line, &rw);
}

/* A CSV data row (not blank, not a comment). */
static int csv_line(struct parser *ps, size_t line, const char *s, size_t n)
{
    struct row rw = {0};
    struct splitter sp = {s, s + n, ps->delim, false};
    struct field f;
    size_t i = 0;
    bool blank = true;
    enum split_result r;
    while ((r = next_field(&sp, &f)) == SPLIT_FIELD) {
        for (int k = 0; k < R_NROLES; k++)
            if (ps->role_field[k] == i) {
                rw.cell[k] = f;
                rw.has[k] = true;
            }
        if (f.n) blank = false;
        i++;
    }
    if (r == SPLIT_OPEN_QUOTE || r == SPLIT_AFTER_QUOTE) {
        line_error(ps, line, NULL, "columns",
                   r == SPLIT_OPEN_QUOTE
                       ? "has a quote that is not closed on this line"
                       : "has text after a closing quote (write a quote inside quotes as \"\")");
        return RK_OK;
    }
    if (blank) return RK_OK; /* what a spreadsheet leaves after deleted rows */
    if (i != ps->nfields) {
        line_error(ps, line, NULL, "columns", "has %zu field%s; the header has %zu", i,
                   i == 1 ? "" : "s", ps->nfields);
        return RK_OK;
    }
    return process_row(ps, line, &rw);
}

/* ---- output ----------------------------------------------------------------------------- */

static int set_str(json_t *o, const char *key, const char *s, size_t n)
{
    return json_object_set_new(o, key, json_stringn(s, n)) ? RK_ENOMEM : RK_OK;
}

static int build_output(struct parser *ps, json_t **out)
{
    compact_ports(ps);
    int rc = RK_ENOMEM;
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr) goto cleanup;
    if (json_object_set_new(root, "format", json_string(ps->csv ? "csv" : "text")) ||
        json_object_set_new(root, "count", json_integer((json_int_t)ps->n)) ||
        json_object_set_new(root, "duplicates", json_integer((json_int_t)ps->duplicates)) ||
        json_object_set(root, "indicators", arr))
        goto cleanup;
    size_t pi = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const struct ind *x = &ps->inds[i];
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o)) goto cleanup;
        if (set_str(o, "type", type_names[x->type], strlen(type_names[x->type])) ||
            set_str(o, "value", x->value, strlen(x->value)))
            goto cleanup;
        if (pi < ps->nports && ps->ports[pi].ind == i) {
            json_t *ports = json_array();
            if (!ports || json_object_set_new(o, "ports", ports)) goto cleanup;
            for (; pi < ps->nports && ps->ports[pi].ind == i; pi++)
                if (json_array_append_new(ports, json_integer(ps->ports[pi].port))) goto cleanup;
        }
        if ((x->first.p && set_str(o, "first_seen", x->first.p, x->first.n)) ||
            (x->last.p && set_str(o, "last_seen", x->last.p, x->last.n)) ||
            (x->has_count && json_object_set_new(o, "count", json_integer(x->count))))
            goto cleanup;
    }
    *out = root;
    root = NULL;
    rc = RK_OK;
cleanup:
    json_decref(root);
    json_decref(arr);
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------ */

int iplist_parse(const char *data, size_t len, json_t **out, struct jv_errors *errs)
{
    if (!out || !errs) return RK_EINVAL;
    *out = NULL;
    memset(errs, 0, sizeof *errs);
    if (!data && len) return RK_EINVAL;
    if (len > IPL_MAX_BYTES)
        return jv_error_add(errs, "", "max_size", "is larger than %u bytes (16 MiB)",
                            IPL_MAX_BYTES);
    if (!data) data = "";
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return jv_error_add(errs, "/lines/1", "utf8",
                            "the file is UTF-16 (Excel's \"Unicode text\"): save it as UTF-8");

    int rc = RK_ENOMEM;
    struct parser *ps = calloc(1, sizeof *ps);
    if (!ps) goto cleanup;
    ps->errs = errs;
    const char *p = data, *end = data + len, *next;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    for (size_t line = 1; p < end && !ps->stop; line++, p = next) {
        const char *eol = line_end(p, end, &next), *s = p;
        size_t n = (size_t)(eol - p);
        if (!check_line(ps, line, s, n)) {
            ps->decided = true; /* a bad first line is no header */
            continue;
        }
        const size_t raw_n = n;
        trim(&s, &n);
        if (n == 0 || s[0] == '#') continue;
        /* CSV cells are trimmed one by one (next_field): trimming the line would drop an empty
         * first or last cell of a tab-separated row ("192.0.2.1\t80\t"). */
        if (!ps->decided) {
            ps->decided = true;
            if (detect_header(ps, s, n)) {
                ps->csv = true;
                read_header(ps, line, p, raw_n);
                continue;
            }
        }
        rc = ps->csv ? csv_line(ps, line, p, raw_n) : text_line(ps, line, s, n);
        if (rc != RK_OK) goto cleanup;
    }
    if (!ps->failed && ps->n == 0)
        jv_error_add(errs, "", "empty",
                     "holds no address: write one address or network per line, or a CSV file "
                     "with an ip column");
    if (ps->failed || ps->n == 0) {
        rc = RK_EINVAL;
        goto cleanup;
    }
    rc = build_output(ps, out);
cleanup:
    if (ps) {
        free(ps->inds);
        free(ps->slots);
        free(ps->ports);
    }
    free(ps);
    return rc;
}
