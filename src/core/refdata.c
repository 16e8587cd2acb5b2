#include "core/refdata.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"

#define RD_CODE_MAX 64 /* bytes; codes are identifiers, not prose */
#define RD_PTR_MAX 128
#define RD_PATH_MAX 4096 /* PATH_MAX is not in strict C17, and the data dir is never deep */

/* The file being validated, so every message can name it. */
struct ld {
    const char *file;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 4, 5))) static int fail(struct ld *l, int rc, const char *ptr,
                                                      const char *fmt, ...)
{
    if (l->err == NULL || l->errlen == 0) return rc;
    /* "" is the pointer to the whole document: then the file name alone says where. */
    int n = ptr[0] ? snprintf(l->err, l->errlen, "%s: %s: ", l->file, ptr)
                   : snprintf(l->err, l->errlen, "%s: ", l->file);
    if (n >= 0 && (size_t)n < l->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Every JSON Pointer buffer is RD_PTR_MAX bytes; pointers are short, so truncation would
 * only shorten a message, never corrupt it. */
__attribute__((format(printf, 2, 3))) static void ptrf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, RD_PTR_MAX, fmt, ap);
    va_end(ap);
}

/* Member names in messages come from the file, so they are escaped per RFC 6901. */
static void ptr_key(char *buf, size_t cap, const char *base, const char *key)
{
    size_t n = (size_t)snprintf(buf, cap, "%s/", base);
    for (const char *p = key; *p && n + 3 < cap; p++) {
        if (*p == '~' || *p == '/') {
            buf[n++] = '~';
            buf[n++] = *p == '~' ? '0' : '1';
        } else {
            buf[n++] = *p;
        }
    }
    if (n < cap) buf[n] = '\0';
}

static int check_members(struct ld *l, const json_t *obj, const char *ptr,
                         const char *const allowed[])
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i]) {
            char p[RD_PTR_MAX];
            ptr_key(p, sizeof p, ptr, key);
            return fail(l, RK_EINVAL, p, "unknown member \"%s\"", key);
        }
    }
    return RK_OK;
}

static bool has_control(const char *s, bool allow_newline)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && !(allow_newline && c == '\n')) || c == 0x7f) return true;
    }
    return false;
}

/* A non-empty string without NUL; NULL in *out when absent and optional. Only prose members
 * (allow_newline) may span lines: names and codes end up in single-line UI and logs. */
static int get_str(struct ld *l, const json_t *obj, const char *ptr, const char *key, bool required,
                   bool allow_newline, const char **out)
{
    char p[RD_PTR_MAX];
    ptrf(p, "%s/%s", ptr, key);
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL) return required ? fail(l, RK_EINVAL, p, "missing") : RK_OK;
    if (!json_is_string(v)) return fail(l, RK_EINVAL, p, "must be a string");
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len == 0) return fail(l, RK_EINVAL, p, "must not be empty");
    if (strlen(s) != len || has_control(s, allow_newline))
        return fail(l, RK_EINVAL, p, "contains a control character");
    *out = s;
    return RK_OK;
}

static int get_array(struct ld *l, const json_t *obj, const char *ptr, const char *key,
                     bool required, json_t **out)
{
    char p[RD_PTR_MAX];
    ptrf(p, "%s/%s", ptr, key);
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL) return required ? fail(l, RK_EINVAL, p, "missing") : RK_OK;
    if (!json_is_array(v)) return fail(l, RK_EINVAL, p, "must be an array");
    *out = v;
    return RK_OK;
}

static int check_string_array(struct ld *l, const json_t *arr, const char *ptr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char p[RD_PTR_MAX];
        ptrf(p, "%s/%zu", ptr, i);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return fail(l, RK_EINVAL, p, "must be a non-empty string");
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v) || has_control(s, true))
            return fail(l, RK_EINVAL, p, "contains a control character");
    }
    return RK_OK;
}

static bool is_valid_sector_code(const char *s, enum rd_list *list)
{
    const char *rest;
    if (!s) return false;
    if (strncmp(s, "core.", 5) == 0) {
        *list = RD_LIST_CORE;
        rest = s + 5;
    } else if (strncmp(s, "ci.", 3) == 0) {
        *list = RD_LIST_CI;
        rest = s + 3;
    } else {
        return false;
    }
    if (*rest == '\0' || strlen(s) > RD_CODE_MAX) return false;
    for (; *rest; rest++)
        if (!((*rest >= 'a' && *rest <= 'z') || *rest == '_')) return false;
    return true;
}

static bool is_valid_ministry_code(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') || strlen(s) > RD_MINISTRY_CODE_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static bool date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Proleptic Gregorian day count (H. Hinnant's days_from_civil); valid for y >= 1. */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = y / 400; /* y >= 0 here, so plain division floors */
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static bool parse_date(const char *s, int32_t *day)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9')) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (!date_valid(y, m, d)) return false;
    *day = days_from_civil(y, m, d);
    return true;
}

/* Loads one file and checks the common envelope {"source": "...", "<key>": [...]}. */
static int load_file(struct ld *l, const char *dir, const char *key, json_t **doc, json_t **arr)
{
    char path[RD_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, l->file);
    if (n < 0 || (size_t)n >= sizeof path)
        return fail(l, RK_EINVAL, "", "data directory path too long");
    json_error_t je;
    json_t *d = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (d == NULL) {
        switch (json_error_code(&je)) {
        case json_error_cannot_open_file:
            return fail(l, RK_EIO, "", "%s", je.text); /* names the path and errno text */
        case json_error_out_of_memory:
            return fail(l, RK_ENOMEM, "", "out of memory");
        default:
            return fail(l, RK_EINVAL, "", "invalid JSON at line %d, column %d: %s", je.line,
                        je.column, je.text);
        }
    }
    int rc;
    const char *source;
    const char *const allowed[] = {"source", key, NULL};
    if (!json_is_object(d)) {
        rc = fail(l, RK_EINVAL, "", "must be a JSON object");
    } else if ((rc = check_members(l, d, "", allowed)) == RK_OK &&
               (rc = get_str(l, d, "", "source", true, true, &source)) == RK_OK) {
        rc = get_array(l, d, "", key, true, arr);
    }
    if (rc != RK_OK) {
        json_decref(d);
        return rc;
    }
    *doc = d;
    return RK_OK;
}

static int load_sectors(struct ld *l, struct refdata *rd, const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n == 0) return fail(l, RK_EINVAL, "/sectors", "no sectors");
    if (n > RD_MAX_SECTORS)
        return fail(l, RK_EINVAL, "/sectors",
                    "%zu sectors, but at most %d fit the 64-bit sector mask", n, RD_MAX_SECTORS);
    static const char *const allowed[] = {"code", "list", "name_ja", "name_en", "notes", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char p[RD_PTR_MAX];
        ptrf(p, "/sectors/%zu", i);
        if (!json_is_object(o)) return fail(l, RK_EINVAL, p, "must be an object");
        struct rd_sector *s = &rd->sectors[i];
        const char *list, *notes;
        int rc;
        if ((rc = check_members(l, o, p, allowed)) != RK_OK ||
            (rc = get_str(l, o, p, "code", true, false, &s->code)) != RK_OK ||
            (rc = get_str(l, o, p, "list", true, false, &list)) != RK_OK ||
            (rc = get_str(l, o, p, "name_ja", true, false, &s->name_ja)) != RK_OK ||
            (rc = get_str(l, o, p, "name_en", true, false, &s->name_en)) != RK_OK ||
            (rc = get_str(l, o, p, "notes", false, true, &notes)) != RK_OK)
            return rc;
        char q[RD_PTR_MAX];
        ptrf(q, "%s/code", p);
        if (!is_valid_sector_code(s->code, &s->list))
            return fail(l, RK_EINVAL, q, "sector code \"%s\" does not match ^(core|ci)\\.[a-z_]+$",
                        s->code);
        const char *want = s->list == RD_LIST_CORE ? "core" : "ci";
        if (!list || strcmp(list, want) != 0) {
            ptrf(q, "%s/list", p);
            return fail(l, RK_EINVAL, q, "list \"%s\" does not match the code prefix of \"%s\"",
                        list, s->code);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(rd->sectors[j].code, s->code) == 0)
                return fail(l, RK_EINVAL, q, "duplicate sector code \"%s\" (first at /sectors/%zu)",
                            s->code, j);
    }
    rd->nsectors = n;
    return RK_OK;
}

static int load_ministries(struct ld *l, struct refdata *rd, const json_t *arr)
{
    size_t n = json_array_size(arr);
    rd->ministries = calloc(n ? n : 1, sizeof *rd->ministries);
    if (rd->ministries == NULL) return fail(l, RK_ENOMEM, "", "out of memory");
    static const char *const allowed[] = {"code", "name_ja", "name_en", "sectors", "notes", NULL};
    uint64_t covered = 0;
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char p[RD_PTR_MAX], q[RD_PTR_MAX];
        ptrf(p, "/ministries/%zu", i);
        if (!json_is_object(o)) return fail(l, RK_EINVAL, p, "must be an object");
        struct rd_ministry *m = &rd->ministries[i];
        const char *notes;
        json_t *secs;
        int rc;
        if ((rc = check_members(l, o, p, allowed)) != RK_OK ||
            (rc = get_str(l, o, p, "code", true, false, &m->code)) != RK_OK ||
            (rc = get_str(l, o, p, "name_ja", true, false, &m->name_ja)) != RK_OK ||
            (rc = get_str(l, o, p, "name_en", true, false, &m->name_en)) != RK_OK ||
            (rc = get_str(l, o, p, "notes", false, true, &notes)) != RK_OK ||
            (rc = get_array(l, o, p, "sectors", true, &secs)) != RK_OK)
            return rc;
        ptrf(q, "%s/code", p);
        if (!is_valid_ministry_code(m->code))
            return fail(l, RK_EINVAL, q,
                        "ministry code \"%s\" does not match ^[a-z][a-z0-9_]{0,31}$", m->code);
        for (size_t j = 0; j < i; j++)
            if (strcmp(rd->ministries[j].code, m->code) == 0)
                return fail(l, RK_EINVAL, q,
                            "duplicate ministry code \"%s\" (first at /ministries/%zu)", m->code,
                            j);
        ptrf(q, "%s/sectors", p);
        if (json_array_size(secs) == 0) return fail(l, RK_EINVAL, q, "covers no sector");
        size_t k;
        json_t *c;
        json_array_foreach(secs, k, c)
        {
            ptrf(q, "%s/sectors/%zu", p, k);
            if (!json_is_string(c)) return fail(l, RK_EINVAL, q, "must be a sector code string");
            int idx = refdata_sector_index(rd, json_string_value(c));
            if (idx < 0)
                return fail(l, RK_EINVAL, q, "unknown sector \"%s\" (not in sectors.json)",
                            json_string_value(c));
            /* A repeated code is harmless for the mask but almost always a typo for another. */
            if (m->sectors & (UINT64_C(1) << idx))
                return fail(l, RK_EINVAL, q, "sector \"%s\" listed twice", json_string_value(c));
            m->sectors |= UINT64_C(1) << idx;
        }
        covered |= m->sectors;
    }
    rd->nministries = n;
    for (size_t s = 0; s < rd->nsectors; s++)
        if (!(covered & (UINT64_C(1) << s)))
            return fail(l, RK_EINVAL, "/ministries",
                        "sector \"%s\" (sectors.json /sectors/%zu) is covered by no ministry",
                        rd->sectors[s].code, s);
    return RK_OK;
}

/* Both languages or neither: a half-translated pair would show blanks in one UI language. */
static int get_pair(struct ld *l, const json_t *o, const char *p, const char *ja_key,
                    const char *en_key, const char **ja, const char **en)
{
    int rc;
    if ((rc = get_str(l, o, p, ja_key, false, false, ja)) != RK_OK ||
        (rc = get_str(l, o, p, en_key, false, false, en)) != RK_OK)
        return rc;
    if ((*ja == NULL) != (*en == NULL)) {
        char q[RD_PTR_MAX];
        ptrf(q, "%s/%s", p, *ja ? en_key : ja_key);
        return fail(l, RK_EINVAL, q, "missing (%s and %s go together)", ja_key, en_key);
    }
    return RK_OK;
}

static int load_levels(struct ld *l, struct refdata *rd, const json_t *arr)
{
    size_t n = json_array_size(arr);
    rd->levels = calloc(n ? n : 1, sizeof *rd->levels);
    if (rd->levels == NULL) return fail(l, RK_ENOMEM, "", "out of memory");
    static const char *const allowed[] = {"sector",
                                          "subsector_ja",
                                          "subsector_en",
                                          "service_ja",
                                          "service_en",
                                          "level_basis",
                                          "text_ja",
                                          "text_en",
                                          "disruptions_ja",
                                          "disruptions_en",
                                          "reporting_basis_ja",
                                          "notes",
                                          NULL};
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char p[RD_PTR_MAX], q[RD_PTR_MAX];
        ptrf(p, "/levels/%zu", i);
        if (!json_is_object(o)) return fail(l, RK_EINVAL, p, "must be an object");
        struct rd_service_level *v = &rd->levels[i];
        const char *sector, *basis, *notes;
        json_t *dja, *den, *rb;
        int rc;
        if ((rc = check_members(l, o, p, allowed)) != RK_OK ||
            (rc = get_str(l, o, p, "sector", true, false, &sector)) != RK_OK ||
            (rc = get_pair(l, o, p, "subsector_ja", "subsector_en", &v->subsector_ja,
                           &v->subsector_en)) != RK_OK ||
            (rc = get_pair(l, o, p, "service_ja", "service_en", &v->service_ja, &v->service_en)) !=
                RK_OK ||
            (rc = get_str(l, o, p, "level_basis", true, false, &basis)) != RK_OK ||
            (rc = get_str(l, o, p, "text_ja", true, true, &v->text_ja)) != RK_OK ||
            (rc = get_str(l, o, p, "text_en", true, true, &v->text_en)) != RK_OK ||
            (rc = get_str(l, o, p, "notes", false, true, &notes)) != RK_OK ||
            (rc = get_array(l, o, p, "disruptions_ja", false, &dja)) != RK_OK ||
            (rc = get_array(l, o, p, "disruptions_en", false, &den)) != RK_OK ||
            (rc = get_array(l, o, p, "reporting_basis_ja", false, &rb)) != RK_OK)
            return rc;
        ptrf(q, "%s/sector", p);
        v->sector = refdata_sector_index(rd, sector);
        if (v->sector < 0)
            return fail(l, RK_EINVAL, q, "unknown sector \"%s\" (not in sectors.json)", sector);
        ptrf(q, "%s/level_basis", p);
        if (strcmp(basis, "explicit") == 0)
            v->explicit_level = true;
        else if (strcmp(basis, "deemed") == 0)
            v->explicit_level = false;
        else
            return fail(l, RK_EINVAL, q, "must be \"explicit\" or \"deemed\", not \"%s\"", basis);
        ptrf(q, "%s/disruptions_ja", p);
        if (dja && (rc = check_string_array(l, dja, q)) != RK_OK) return rc;
        ptrf(q, "%s/disruptions_en", p);
        if (den && (rc = check_string_array(l, den, q)) != RK_OK) return rc;
        if (json_array_size(dja) != json_array_size(den))
            return fail(l, RK_EINVAL, q, "has %zu items but disruptions_ja has %zu",
                        json_array_size(den), json_array_size(dja));
        ptrf(q, "%s/reporting_basis_ja", p);
        if (rb && (rc = check_string_array(l, rb, q)) != RK_OK) return rc;
    }
    rd->nlevels = n;
    return RK_OK;
}

static int load_holidays(struct ld *l, struct refdata *rd, const json_t *arr)
{
    size_t n = json_array_size(arr);
    rd->holidays = calloc(n ? n : 1, sizeof *rd->holidays);
    if (rd->holidays == NULL) return fail(l, RK_ENOMEM, "", "out of memory");
    static const char *const allowed[] = {"date", "name_ja", "name_en", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char p[RD_PTR_MAX], q[RD_PTR_MAX];
        ptrf(p, "/holidays/%zu", i);
        if (!json_is_object(o)) return fail(l, RK_EINVAL, p, "must be an object");
        struct rd_holiday *h = &rd->holidays[i];
        const char *date;
        int rc;
        if ((rc = check_members(l, o, p, allowed)) != RK_OK ||
            (rc = get_str(l, o, p, "date", true, false, &date)) != RK_OK ||
            (rc = get_str(l, o, p, "name_ja", true, false, &h->name_ja)) != RK_OK ||
            (rc = get_str(l, o, p, "name_en", true, false, &h->name_en)) != RK_OK)
            return rc;
        ptrf(q, "%s/date", p);
        if (!parse_date(date, &h->day))
            return fail(l, RK_EINVAL, q, "\"%s\" is not a valid YYYY-MM-DD date", date);
        memcpy(h->date, date, sizeof h->date);
        /* refdata_is_holiday() binary-searches, so order is a precondition, not cosmetics. */
        if (i > 0 && h->day <= rd->holidays[i - 1].day)
            return fail(l, RK_EINVAL, q, "%s is not after the previous date %s", h->date,
                        rd->holidays[i - 1].date);
    }
    rd->nholidays = n;
    return RK_OK;
}

int refdata_load(const char *dir, struct refdata **out, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    struct ld l = {.file = "refdata", .err = err, .errlen = errlen};
    if (dir == NULL || out == NULL) return fail(&l, RK_EINVAL, "", "no data directory given");

    static const struct {
        const char *file, *key, *api_key;
    } files[] = {
        {"sectors.json", "sectors", "sectors"},
        {"ministries.json", "ministries", "ministries"},
        {"service_levels.json", "levels", "service_levels"},
        {"holidays-jp.json", "holidays", "holidays"},
    };
    json_t *docs[RK_ARRAY_LEN(files)] = {NULL};
    json_t *arrs[RK_ARRAY_LEN(files)] = {NULL};
    struct refdata *rd = calloc(1, sizeof *rd);
    int rc = RK_OK;
    if (rd == NULL) {
        rc = fail(&l, RK_ENOMEM, "", "out of memory");
        goto done;
    }
    /* Sectors first: the other files are checked against them. */
    for (size_t f = 0; f < RK_ARRAY_LEN(files); f++) {
        l.file = files[f].file;
        if ((rc = load_file(&l, dir, files[f].key, &docs[f], &arrs[f])) != RK_OK) goto done;
        switch (f) {
        case 0:
            rc = load_sectors(&l, rd, arrs[f]);
            break;
        case 1:
            rc = load_ministries(&l, rd, arrs[f]);
            break;
        case 2:
            rc = load_levels(&l, rd, arrs[f]);
            break;
        default:
            rc = load_holidays(&l, rd, arrs[f]);
            break;
        }
        if (rc != RK_OK) goto done;
    }
    /* The combined document holds the arrays the struct's strings point into, so the per-file
     * documents can go once it exists. */
    rd->json = json_object();
    if (rd->json == NULL) {
        rc = fail(&l, RK_ENOMEM, "", "out of memory");
        goto done;
    }
    for (size_t f = 0; f < RK_ARRAY_LEN(files); f++) {
        if (json_object_set(rd->json, files[f].api_key, arrs[f]) != 0) {
            rc = fail(&l, RK_ENOMEM, "", "out of memory");
            goto done;
        }
    }
done:
    for (size_t f = 0; f < RK_ARRAY_LEN(files); f++)
        json_decref(docs[f]);
    if (rc != RK_OK) {
        refdata_free(rd);
        return rc;
    }
    *out = rd;
    return RK_OK;
}

void refdata_free(struct refdata *rd)
{
    if (rd == NULL) return;
    free(rd->ministries);
    free(rd->levels);
    free(rd->holidays);
    json_decref(rd->json);
    free(rd);
}

int refdata_sector_index(const struct refdata *rd, const char *code)
{
    if (code == NULL) return -1;
    for (size_t i = 0; i < rd->nsectors; i++)
        if (strcmp(rd->sectors[i].code, code) == 0) return (int)i;
    return -1;
}

int refdata_sectors_parse(const struct refdata *rd, const json_t *codes, uint64_t *mask,
                          size_t *bad_index)
{
    if (!json_is_array(codes)) {
        if (bad_index) *bad_index = SIZE_MAX;
        return RK_EINVAL;
    }
    uint64_t m = 0;
    size_t i;
    const json_t *c;
    json_array_foreach(codes, i, c)
    {
        int idx = json_is_string(c) ? refdata_sector_index(rd, json_string_value(c)) : -1;
        if (idx < 0) {
            if (bad_index) *bad_index = i;
            return RK_EINVAL;
        }
        m |= UINT64_C(1) << idx;
    }
    *mask = m;
    return RK_OK;
}

json_t *refdata_sectors_to_json(const struct refdata *rd, uint64_t mask)
{
    json_t *arr = json_array();
    if (arr == NULL) return NULL;
    for (size_t i = 0; i < rd->nsectors; i++) {
        if (!(mask & (UINT64_C(1) << i))) continue;
        if (json_array_append_new(arr, json_string(rd->sectors[i].code)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

const struct rd_ministry *refdata_ministry(const struct refdata *rd, const char *code)
{
    if (code == NULL) return NULL;
    for (size_t i = 0; i < rd->nministries; i++)
        if (strcmp(rd->ministries[i].code, code) == 0) return &rd->ministries[i];
    return NULL;
}

bool refdata_is_holiday(const struct refdata *rd, int y, int m, int d)
{
    if (!date_valid(y, m, d)) return false;
    int32_t day = days_from_civil(y, m, d);
    size_t lo = 0, hi = rd->nholidays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rd->holidays[mid].day < day)
            lo = mid + 1;
        else if (rd->holidays[mid].day > day)
            hi = mid;
        else
            return true;
    }
    return false;
}
