/*
 * test_advisory_data.c — the advisory form (data/advisory/form.json, seed 004 figs. 7/8; see
 * data/advisory/README.md).
 *
 * (a) the contract of data/forms/README.md as it applies here: allowed members per object (no
 *     opt-out, annex, groups or first-response advice), known types, snake_case ids unique per
 *     form (sections, fields) and per rows field (columns), snake_case codes unique per field,
 *     exactly one of values / values_from, values_from only "sectors" / "tlp", limits only on
 *     their types; (b) a checklist from domain.md §6.3: sections in printed order, every item
 *     with its type and required mark, and nothing else; (c) the choices (表4, sources, hashes).
 * Every problem is printed before the test fails. RK_FORMS_DATA_DIR overrides the data directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static json_t *form;
static int nproblems;

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "advisory: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    nproblems++;
}

static int setup(void **state)
{
    const char *dir = getenv("RK_FORMS_DATA_DIR");
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/advisory/form.json", dir && *dir ? dir : RK_SOURCE_DIR "/data");
    form = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!form) fprintf(stderr, "cannot load %s: line %d: %s\n", path, je.line, je.text);
    return form ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(form);
    return 0;
}

/* Is s one of the space-separated words? */
static bool in_words(const char *s, const char *words)
{
    size_t n = s ? strlen(s) : 0;
    for (const char *p = words; n && (p = strstr(p, s)); p += n)
        if ((p == words || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return true;
    return false;
}

/* ^[a-z][a-z0-9_]*$, no trailing or doubled underscore */
static bool is_snake(const char *s)
{
    if (!s || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (size_t i = 1; s[i]; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
        if (c == '_' && (s[i + 1] == '\0' || s[i + 1] == '_')) return false;
    }
    return true;
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool nonempty(const json_t *o, const char *key)
{
    return str(o, key) && *str(o, key);
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Does an element of arr before index i have this key? */
static bool seen_before(const json_t *arr, size_t i, const char *key, const char *id)
{
    for (size_t j = 0; j < i; j++)
        if (eq(str(json_array_get(arr, j), key), id)) return true;
    return false;
}

/* Only allowed members; note_ja/note_en non-empty; reconstructed only as true. */
static void check_object(const json_t *o, const char *allowed, const char *where)
{
    const char *k;
    const json_t *v;
    if (!json_is_object(o)) problem("%s: not an object", where);
    json_object_foreach((json_t *)o, k, v)
    {
        if (!in_words(k, allowed)) problem("%s: member \"%s\" not allowed here", where, k);
        if ((eq(k, "note_ja") || eq(k, "note_en")) && !nonempty(o, k))
            problem("%s: %s must be a non-empty string", where, k);
        if (eq(k, "reconstructed") && !json_is_true(v)) problem("%s: reconstructed is true", where);
    }
}

/* ---- (a) structure ---------------------------------------------------------------------- */

static void check_field(const json_t *f, const char *where, bool column)
{
    /* the README's FIELD members less groups, opt_out_group and annex (not on this form) */
    static const char *const members =
        "id label_ja label_en type required max_len max_items min values values_from columns "
        "subheading printed note_ja note_en reconstructed identifying";
    static const char *const types =
        "text textarea datetime date enum multi_enum yesno rows ip_list cidr_list port_list "
        "number integer corporate_number email phone attack_technique attachment";
    char w[256];
    const char *id = str(f, "id"), *type = str(f, "type");
    const json_t *v, *values = json_object_get(f, "values"), *cols = json_object_get(f, "columns");
    snprintf(w, sizeof w, "%s/%s", where, id ? id : "?");
    check_object(f, members, w);
    if (!is_snake(id)) problem("%s: id must be snake_case", w);
    if (!nonempty(f, "label_ja") || !nonempty(f, "label_en")) problem("%s: label missing", w);
    if (!json_is_boolean(json_object_get(f, "required"))) problem("%s: required not boolean", w);
    if (!in_words(type, types)) {
        problem("%s: unknown type %s", w, type ? type : "(none)");
        return;
    }
    if ((v = json_object_get(f, "max_len")) &&
        (!in_words(type, "text textarea") || json_integer_value(v) <= 0))
        problem("%s: max_len only > 0 on text/textarea", w);
    if ((v = json_object_get(f, "max_items")) &&
        (!in_words(type, "multi_enum rows ip_list cidr_list port_list attachment") ||
         json_integer_value(v) <= 0))
        problem("%s: max_items only > 0 on list types", w);
    if ((v = json_object_get(f, "min")) &&
        (!in_words(type, "integer number") || !json_is_integer(v)))
        problem("%s: min only an integer on integer/number", w);
    if ((v = json_object_get(f, "printed")) && !json_is_false(v))
        problem("%s: printed, when present, is false", w);
    if ((v = json_object_get(f, "identifying")) && (column || !json_is_true(v)))
        problem("%s: identifying only as true, not on a column", w);
    if ((v = json_object_get(f, "subheading"))) {
        check_object(v, "number ja en note_ja note_en reconstructed", w);
        if (!str(v, "number") || !str(v, "ja") || !nonempty(v, "en"))
            problem("%s: subheading needs number, ja, en", w);
    }

    bool choice = in_words(type, "enum multi_enum");
    const char *from = str(f, "values_from");
    if (!choice && (values || json_object_get(f, "values_from")))
        problem("%s: values/values_from on a %s", w, type);
    if (choice && (values != NULL) == (json_object_get(f, "values_from") != NULL))
        problem("%s: exactly one of values and values_from", w);
    if (json_object_get(f, "values_from") && !in_words(from, "sectors tlp"))
        problem("%s: values_from must be \"sectors\" or \"tlp\"", w);
    if (values && (!json_is_array(values) || json_array_size(values) == 0))
        problem("%s: values must be a non-empty array", w);
    for (size_t i = 0; i < json_array_size(values); i++) {
        const json_t *val = json_array_get(values, i);
        const char *code = str(val, "code");
        check_object(val, "code ja en note_ja note_en reconstructed", w);
        if (!is_snake(code)) problem("%s: value %zu: code must be snake_case", w, i + 1);
        if (seen_before(values, i, "code", code)) problem("%s: duplicate code %s", w, code);
        if (!nonempty(val, "ja") || !nonempty(val, "en")) problem("%s: %s: ja/en", w, code);
    }

    if (eq(type, "rows") != (cols != NULL)) problem("%s: columns exactly on rows", w);
    if (eq(type, "rows") && column) problem("%s: a column cannot be rows", w);
    if (cols && (!json_is_array(cols) || json_array_size(cols) == 0))
        problem("%s: rows need columns", w);
    for (size_t i = 0; i < json_array_size(cols); i++) {
        check_field(json_array_get(cols, i), w, true);
        if (seen_before(cols, i, "id", str(json_array_get(cols, i), "id")))
            problem("%s: duplicate column %s", w, str(json_array_get(cols, i), "id"));
    }
}

static void test_structure(void **state)
{
    nproblems = 0;
    check_object(form, "name title_ja title_en source version note_ja note_en sections", "form");
    if (!eq(str(form, "name"), "advisory")) problem("name must be \"advisory\"");
    if (!nonempty(form, "title_ja") || !nonempty(form, "title_en") || !nonempty(form, "source"))
        problem("title_ja, title_en and source are required");
    const json_t *ver = json_object_get(form, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1) problem("version must be >= 1");

    const json_t *secs = json_object_get(form, "sections");
    if (!json_is_array(secs) || json_array_size(secs) == 0) problem("no sections");
    const char *ids[128];
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(secs); i++) {
        const json_t *s = json_array_get(secs, i), *fields = json_object_get(s, "fields");
        const char *sid = str(s, "id");
        char w[128];
        snprintf(w, sizeof w, "%s", sid ? sid : "?");
        check_object(s,
                     "id number label_ja label_en note_ja note_en reconstructed identifying "
                     "fields",
                     w);
        if (!is_snake(sid)) problem("%s: section id must be snake_case", w);
        if (seen_before(secs, i, "id", sid)) problem("%s: duplicate section id", w);
        if (!str(s, "number") || !str(s, "label_ja") || !nonempty(s, "label_en"))
            problem("%s: number, label_ja and label_en are required", w);
        else if (!*str(s, "label_ja") && *str(s, "number"))
            problem("%s: a numbered section has a printed heading", w);
        if (json_object_get(s, "identifying") && !json_is_true(json_object_get(s, "identifying")))
            problem("%s: identifying only as true", w);
        if (!json_is_array(fields) || json_array_size(fields) == 0)
            problem("%s: fields must be a non-empty array", w);
        for (size_t k = 0; k < json_array_size(fields); k++) {
            const char *fid = str(json_array_get(fields, k), "id");
            check_field(json_array_get(fields, k), w, false);
            for (size_t j = 0; fid && j < n; j++)
                if (strcmp(ids[j], fid) == 0) problem("%s: field id %s not unique", w, fid);
            if (fid && n < 128) ids[n++] = fid;
        }
    }
    assert_int_equal(nproblems, 0);
}

/* ---- (b) the checklist ------------------------------------------------------------------ */

/* The field at "section/field", or the column at "section/field.column". */
static const json_t *find(const char *path)
{
    char sec[64], fld[64], col[64] = "";
    if (sscanf(path, "%63[^/]/%63[^.].%63s", sec, fld, col) < 2) return NULL;
    const json_t *secs = json_object_get(form, "sections");
    for (size_t i = 0; i < json_array_size(secs); i++) {
        const json_t *s = json_array_get(secs, i), *fields = json_object_get(s, "fields");
        for (size_t k = 0; eq(str(s, "id"), sec) && k < json_array_size(fields); k++) {
            const json_t *f = json_array_get(fields, k), *cols = json_object_get(f, "columns");
            if (!eq(str(f, "id"), fld)) continue;
            if (!*col) return f;
            for (size_t j = 0; j < json_array_size(cols); j++)
                if (eq(str(json_array_get(cols, j), "id"), col)) return json_array_get(cols, j);
        }
    }
    return NULL;
}

/* domain.md §6.3 in printed order (fig. 7/8), one line per section: "field[.column] type", " *"
 * if required (marked * on the form; README notes). identification_number: issued by the centre
 * (fig. 8 fills it on 第1報); the indicator columns are required within a row. */
static const char *const items[] = {
    "header: severity enum, report_number integer *, identification_number text *, "
    "advisory_datetime datetime *",
    "recipients: recipient_ministries rows *, recipient_ministries.ministry text *, "
    "recipient_sectors multi_enum *",
    "sharing: tlp enum *, special_notes textarea",
    "content: has_attachments yesno *, attachments attachment",
    "overview: overview textarea",
    "targets: targets textarea",
    "guidance: guidance textarea, ip_addresses ip_list, cidrs cidr_list, domains rows, "
    "domains.domain text *, urls rows, urls.url text *, hashes rows, hashes.algorithm enum *, "
    "hashes.value text *, cve_ids rows, cve_ids.cve_id text *, attack_techniques rows, "
    "attack_techniques.technique attack_technique *",
    "other: other textarea",
    "contact: contact_person text, contact_phone phone, contact_fax phone, contact_email email",
    NULL};

static void test_checklist(void **state)
{
    static const char *const numbers[] = {"", "", "", "", "①", "②", "③", "④", ""};
    const json_t *secs = json_object_get(form, "sections");
    size_t want = 0, n = 0;
    nproblems = 0;
    for (size_t i = 0; items[i]; i++) {
        char sec[64], fld[128], type[32], path[192];
        int len = 0;
        const char *p = items[i];
        sscanf(p, "%63[^:]: %n", sec, &len);
        const json_t *s = json_array_get(secs, i);
        if (!eq(str(s, "id"), sec) || !eq(str(s, "number"), numbers[i]))
            problem("section %zu is not %s (%s)", i + 1, sec, numbers[i]);
        for (p += len; *p && sscanf(p, "%127s %31[^ ,]%n", fld, type, &len) == 2; want++) {
            bool req = strncmp(p += len, " *", 2) == 0;
            p += req ? 2 : 0;
            p += *p == ',' ? 2 : 0;
            snprintf(path, sizeof path, "%s/%s", sec, fld);
            const json_t *f = find(path);
            if (!f)
                problem("missing %s", path);
            else if (!eq(str(f, "type"), type))
                problem("%s is not a %s", path, type);
            else if (json_is_true(json_object_get(f, "required")) != req)
                problem("%s: required must be %s", path, req ? "true" : "false");
        }
    }
    if (json_array_size(secs) != 9) problem("%zu sections, want 9", json_array_size(secs));
    /* ids are unique, so as many fields and columns as items means nothing else (required) */
    for (size_t i = 0; i < json_array_size(secs); i++) {
        const json_t *fields = json_object_get(json_array_get(secs, i), "fields");
        for (size_t k = 0; k < json_array_size(fields); k++)
            n += 1 + json_array_size(json_object_get(json_array_get(fields, k), "columns"));
    }
    if (n != want) problem("%zu fields and columns, want the %zu of the checklist", n, want);
    assert_int_equal(nproblems, 0);
}

/* ---- (c) choices ------------------------------------------------------------------------ */

/* want: code, ja pairs; with_notes: each value carries a note_ja (表4's descriptions) */
static void check_codes(const char *path, const char *const want[], bool with_notes)
{
    const json_t *values = json_object_get(find(path), "values");
    size_t n = 0;
    for (; want[n]; n += 2) {
        const json_t *v = json_array_get(values, n / 2);
        if (!eq(str(v, "code"), want[n]) || !eq(str(v, "ja"), want[n + 1]))
            problem("%s: value %zu is not %s %s", path, n / 2 + 1, want[n], want[n + 1]);
        if (with_notes && !nonempty(v, "note_ja")) problem("%s: %s has no note", path, want[n]);
    }
    if (json_array_size(values) != n / 2) problem("%s: want %zu values", path, n / 2);
}

static void test_choices(void **state)
{
    static const char *const severity[] = {"alert",     "警報",     "warning", "注意喚起",
                                           "reference", "参考情報", NULL};
    static const char *const hashes[] = {"md5",     "MD5",    "sha1",    "SHA-1", "sha256",
                                         "SHA-256", "sha512", "SHA-512", NULL};
    nproblems = 0;
    check_codes("header/severity", severity, true);
    check_codes("guidance/hashes.algorithm", hashes, false);
    if (!eq(str(find("sharing/tlp"), "values_from"), "tlp"))
        problem("the TLP takes its values from \"tlp\"");
    if (!eq(str(find("recipients/recipient_sectors"), "values_from"), "sectors"))
        problem("the recipient sectors take their values from \"sectors\"");
    if (!json_is_false(json_object_get(find("content/attachments"), "printed")))
        problem("the annex files are not a printed item");
    assert_int_equal(nproblems, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_checklist),
        cmocka_unit_test(test_choices),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
