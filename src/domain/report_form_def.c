/*
 * report_form_def.c — checking a form definition against data/forms/README.md
 * (rf_check_definition, contract in report_form.h), and the helpers report_form.c shares
 * (report_form_int.h).
 *
 * The rules are those tests/unit/test_forms_data.c checks structurally (its part (a) and the
 * ATT&CK part of (d)); the checklist of fields the domain specification names (its parts (b),
 * (c), (e)) is about what the three files say, not about the format, and stays in that test.
 * Decisions the README leaves open, resolved here:
 *  - "name" must be one of the three forms the README defines, or "advisory" (the national
 *    centre's advisory form, data/advisory/form.json; its README lists how it differs): the
 *    opt-out, annex and advice rules below depend on which form it is.
 *  - The advisory form names no reporter: it carries no opt_out_group, annex,
 *    first_response_advice or identifying (each "unknown_field" there); every other rule
 *    applies to it as to the report forms.
 *  - Field ids are unique within the whole form, not only within their section: the README
 *    says the files keep them unique "so a report may be stored flat", which only holds if
 *    every definition the server loads keeps them so.
 *  - opt_out_group: only on the common forms; on a field of a numbered section it is required
 *    and equals that section's id (the groups "are the section ids of sections 1–6"); never on
 *    the header, the opt-out block or a rows column (its rows field carries it).
 *  - annex: only on the ransomware form, on a yesno field, each of 1–3 on exactly one field.
 *  - values_from "sectors" needs sector codes in refs: a form whose choices cannot be
 *    resolved would refuse every answer.
 * Errors use the jv rules ("type", "required", "unknown_field" — also a member the README
 * allows elsewhere but not here —, "min_length" and "min_items" for empty strings and arrays,
 * "minimum", "enum", "format" for ids that are not snake_case, "unique_items") plus
 * "attack_technique", "group" (a value group unused or not contiguous),
 * "opt_out_group" and "annex".
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"
#include "domain/report_form.h"
#include "domain/report_form_int.h"

/* ---- shared helpers (report_form_int.h) ------------------------------------------------- */

static const char *const type_names[] = {
    [RF_TEXT] = "text",
    [RF_TEXTAREA] = "textarea",
    [RF_DATETIME] = "datetime",
    [RF_DATE] = "date",
    [RF_ENUM] = "enum",
    [RF_MULTI_ENUM] = "multi_enum",
    [RF_YESNO] = "yesno",
    [RF_ROWS] = "rows",
    [RF_IP_LIST] = "ip_list",
    [RF_CIDR_LIST] = "cidr_list",
    [RF_PORT_LIST] = "port_list",
    [RF_NUMBER] = "number",
    [RF_INTEGER] = "integer",
    [RF_CORPORATE_NUMBER] = "corporate_number",
    [RF_EMAIL] = "email",
    [RF_PHONE] = "phone",
    [RF_ATTACK_TECHNIQUE] = "attack_technique",
    [RF_ATTACHMENT] = "attachment",
};

const char *rf_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

enum rf_type rf_type_of(const json_t *field)
{
    const char *t = rf_str(field, "type");
    for (size_t i = 0; t && i < RK_ARRAY_LEN(type_names); i++)
        if (strcmp(t, type_names[i]) == 0) return (enum rf_type)i;
    return RF_UNKNOWN;
}

bool rf_is_attack_id(const char *s)
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

bool rf_technique_ok(const struct rf_refs *refs, const char *id)
{
    return refs && refs->technique_ok && id && refs->technique_ok(refs->technique_ctx, id);
}

size_t rf_push_key(char *ptr, const char *key)
{
    size_t len = strlen(ptr);
    jv_pointer_append(ptr, JV_POINTER_MAX, key);
    return len;
}

size_t rf_push_index(char *ptr, size_t index)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", index);
    return rf_push_key(ptr, num);
}

void rf_pop(char *ptr, size_t len)
{
    ptr[len] = '\0';
}

void rf_err(struct jv_errors *errs, char *ptr, const char *key, const char *rule, const char *fmt,
            ...)
{
    /* jv stores the message only while the list has room; skip the formatting otherwise. */
    if (errs->n >= JV_MAX_ERRORS) {
        errs->dropped++;
        return;
    }
    char msg[sizeof errs->e[0].message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t at = key ? rf_push_key(ptr, key) : strlen(ptr);
    jv_error_add(errs, ptr, rule, "%s", msg);
    rf_pop(ptr, at);
}

/* ---- definition check ------------------------------------------------------------------- */

static const char *const form_names[] = {"liaison", "ddos", "ransomware", "advisory", NULL};
static const char *const form_members[] = {
    "name",     "title_ja", "title_en", "source",
    "version",  "note_ja",  "note_en",  "first_response_advice",
    "sections", NULL};
static const char *const section_members[] = {"id",      "number",  "label_ja",      "label_en",
                                              "note_ja", "note_en", "reconstructed", "identifying",
                                              "fields",  NULL};
static const char *const field_members[] = {
    "id",    "label_ja", "label_en",    "type",    "required",      "max_len",     "max_items",
    "min",   "values",   "values_from", "groups",  "columns",       "subheading",  "opt_out_group",
    "annex", "printed",  "note_ja",     "note_en", "reconstructed", "identifying", NULL};
static const char *const value_members[] = {
    "code", "ja", "en", "group", "note_ja", "note_en", "reconstructed", NULL};
static const char *const group_members[] = {"code", "ja", "en", "note_ja", "note_en", NULL};
static const char *const subheading_members[] = {"number",        "ja", "en", "note_ja", "note_en",
                                                 "reconstructed", NULL};
static const char *const advice_members[] = {"ja", "en", NULL};
static const char *const values_sources[] = {"sectors", "tlp", NULL};

struct dctx {
    const struct rf_refs *refs;
    struct jv_errors *errs;
    const char *name;         /* the form's name when it is one of form_names, else NULL */
    const json_t *sections;   /* for form-wide id uniqueness */
    int annexes[4];           /* fields flagged with annex 1–3 */
    char ptr[JV_POINTER_MAX]; /* pointer of the object being checked */
};

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0) return true;
    return false;
}

static bool is_form(const struct dctx *c, const char *name)
{
    return c->name && strcmp(c->name, name) == 0;
}

/* ^[a-z][a-z0-9_]*$ without a trailing or doubled underscore (as the data test). */
static bool is_snake(const char *s)
{
    if (!s || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (size_t i = 1; s[i]; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || rk_is_digit(ch) || ch == '_')) return false;
        if (ch == '_' && (s[i + 1] == '\0' || s[i + 1] == '_')) return false;
    }
    return true;
}

static void check_allowed(struct dctx *c, const json_t *o, const char *const *allowed)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (!in_list(k, allowed))
            rf_err(c->errs, c->ptr, k, "unknown_field", "is not a member the format allows here");
    }
}

enum { S_OPTIONAL = 0, S_REQUIRED = 1, S_NONEMPTY = 2 };

/* The string member key of o, or NULL after reporting why it is unusable. */
static const char *want_string(struct dctx *c, const json_t *o, const char *key, int how)
{
    const json_t *v = json_object_get(o, key);
    if (!v) {
        if (how & S_REQUIRED) rf_err(c->errs, c->ptr, key, "required", "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        rf_err(c->errs, c->ptr, key, "type", "must be a string");
        return NULL;
    }
    if ((how & S_NONEMPTY) && json_string_length(v) == 0) {
        rf_err(c->errs, c->ptr, key, "min_length", "must not be empty");
        return NULL;
    }
    return json_string_value(v);
}

/* A snake_case id member. */
static const char *want_id(struct dctx *c, const json_t *o, const char *key)
{
    const char *id = want_string(c, o, key, S_REQUIRED | S_NONEMPTY);
    if (id && !is_snake(id)) {
        rf_err(c->errs, c->ptr, key, "format", "must be snake_case ([a-z][a-z0-9_]*)");
        return NULL;
    }
    return id;
}

/* The array member key of o when it is a non-empty array, else NULL after reporting. */
static const json_t *want_array(struct dctx *c, const json_t *o, const char *key, bool required)
{
    const json_t *v = json_object_get(o, key);
    if (!v) {
        if (required) rf_err(c->errs, c->ptr, key, "required", "is required");
        return NULL;
    }
    if (!json_is_array(v)) {
        rf_err(c->errs, c->ptr, key, "type", "must be an array");
        return NULL;
    }
    if (json_array_size(v) == 0) {
        rf_err(c->errs, c->ptr, key, "min_items", "must not be empty");
        return NULL;
    }
    return v;
}

/* An optional integer member at or above min. */
static void want_integer(struct dctx *c, const json_t *o, const char *key, json_int_t min)
{
    const json_t *v = json_object_get(o, key);
    if (!v) return;
    if (!json_is_integer(v))
        rf_err(c->errs, c->ptr, key, "type", "must be an integer");
    else if (json_integer_value(v) < min)
        rf_err(c->errs, c->ptr, key, "minimum", "must be at least %lld", (long long)min);
}

/* note_ja/note_en (non-empty strings) and, where allowed (else check_allowed reported it),
 * reconstructed (true) when present. */
static void check_notes(struct dctx *c, const json_t *o, const char *const *allowed)
{
    want_string(c, o, "note_ja", S_NONEMPTY);
    want_string(c, o, "note_en", S_NONEMPTY);
    const json_t *r = json_object_get(o, "reconstructed");
    if (r && !json_is_true(r) && in_list("reconstructed", allowed))
        rf_err(c->errs, c->ptr, "reconstructed", "enum", "must be true");
}

/* Does the object at index i of arr repeat the id member of an earlier one? */
static bool repeats(const json_t *arr, size_t i, const char *key, const char *id)
{
    for (size_t j = 0; id && j < i; j++) {
        const char *other = rf_str(json_array_get(arr, j), key);
        if (other && strcmp(other, id) == 0) return true;
    }
    return false;
}

/* groups: [{code, ja, en, optional notes}], codes snake_case and distinct. */
static void check_groups(struct dctx *c, const json_t *groups)
{
    size_t i;
    const json_t *g;
    json_array_foreach((json_t *)groups, i, g)
    {
        size_t at = rf_push_index(c->ptr, i);
        if (!json_is_object(g)) {
            rf_err(c->errs, c->ptr, NULL, "type", "must be an object");
        } else {
            check_allowed(c, g, group_members);
            const char *code = want_id(c, g, "code");
            if (repeats(groups, i, "code", code))
                rf_err(c->errs, c->ptr, "code", "unique_items", "repeats an earlier group code");
            want_string(c, g, "ja", S_REQUIRED | S_NONEMPTY);
            want_string(c, g, "en", S_REQUIRED | S_NONEMPTY);
            check_notes(c, g, group_members);
        }
        rf_pop(c->ptr, at);
    }
}

/* Is group code used by a value at an index below i? */
static bool group_seen(const json_t *values, size_t i, const char *group)
{
    return repeats(values, i, "group", group);
}

/* One value of a choice list (at c->ptr): code, labels, its group. */
static void check_value_def(struct dctx *c, const json_t *values, size_t i, const json_t *groups)
{
    const json_t *v = json_array_get(values, i);
    if (!json_is_object(v)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be an object");
        return;
    }
    check_allowed(c, v, value_members);
    const char *code = want_string(c, v, "code", S_REQUIRED | S_NONEMPTY);
    if (code && !is_snake(code) && !rf_is_attack_id(code))
        rf_err(c->errs, c->ptr, "code", "format", "must be snake_case or an ATT&CK technique id");
    else if (rf_is_attack_id(code) && !rf_technique_ok(c->refs, code))
        rf_err(c->errs, c->ptr, "code", "attack_technique",
               "is not a current ATT&CK technique (revoked, deprecated or unknown)");
    else if (repeats(values, i, "code", code))
        rf_err(c->errs, c->ptr, "code", "unique_items", "repeats an earlier code");
    want_string(c, v, "ja", S_REQUIRED | S_NONEMPTY);
    want_string(c, v, "en", S_REQUIRED | S_NONEMPTY);
    check_notes(c, v, value_members);

    const json_t *gv = json_object_get(v, "group");
    if (!groups) {
        if (gv) rf_err(c->errs, c->ptr, "group", "unknown_field", "needs groups on the field");
        return;
    }
    const char *group = want_string(c, v, "group", S_REQUIRED | S_NONEMPTY);
    if (!group) return;
    bool known = false;
    size_t k;
    const json_t *g;
    json_array_foreach((json_t *)groups, k, g)
    {
        const char *gc = rf_str(g, "code");
        if (gc && strcmp(gc, group) == 0) known = true;
    }
    const char *prev = i ? rf_str(json_array_get(values, i - 1), "group") : NULL;
    if (!known)
        rf_err(c->errs, c->ptr, "group", "enum", "is not a code of the field's groups");
    else if (prev && strcmp(prev, group) != 0 && group_seen(values, i, group))
        rf_err(c->errs, c->ptr, "group", "group", "values of one group must be contiguous");
}

/* values / values_from / groups of an enum or multi_enum (the field is at c->ptr). */
static void check_choices(struct dctx *c, const json_t *f)
{
    const json_t *from = json_object_get(f, "values_from");
    const json_t *values = json_object_get(f, "values");
    const json_t *groups = json_object_get(f, "groups");
    if (!from && !values) {
        rf_err(c->errs, c->ptr, "values", "required", "is required (or values_from)");
        return;
    }
    if (from && values) {
        rf_err(c->errs, c->ptr, "values_from", "unknown_field",
               "values and values_from exclude each other");
        return;
    }
    if (from) {
        const char *src = want_string(c, f, "values_from", S_REQUIRED);
        if (src && !in_list(src, values_sources))
            rf_err(c->errs, c->ptr, "values_from", "enum", "must be one of: sectors, tlp");
        else if (src && strcmp(src, "sectors") == 0 &&
                 !(c->refs && json_array_size(c->refs->sector_codes) > 0))
            rf_err(c->errs, c->ptr, "values_from", "enum", "sectors: no sector codes are loaded");
        if (groups) rf_err(c->errs, c->ptr, "groups", "unknown_field", "needs values");
        return;
    }
    if (groups) {
        groups = want_array(c, f, "groups", false);
        size_t at = rf_push_key(c->ptr, "groups");
        if (groups) check_groups(c, groups);
        rf_pop(c->ptr, at);
    }
    values = want_array(c, f, "values", true);
    if (!values) return;
    size_t at = rf_push_key(c->ptr, "values");
    size_t i;
    const json_t *v;
    json_array_foreach((json_t *)values, i, v)
    {
        size_t vat = rf_push_index(c->ptr, i);
        check_value_def(c, values, i, json_is_array(groups) ? groups : NULL);
        rf_pop(c->ptr, vat);
    }
    rf_pop(c->ptr, at);
    /* every printed class has at least one choice */
    const json_t *g;
    json_array_foreach((json_t *)groups, i, g)
    {
        const char *gc = rf_str(g, "code");
        if (gc && !group_seen(values, json_array_size(values), gc)) {
            size_t gat = rf_push_key(c->ptr, "groups");
            rf_push_index(c->ptr, i);
            rf_err(c->errs, c->ptr, NULL, "group", "has no value (every group is printed)");
            rf_pop(c->ptr, gat);
        }
    }
}

static void check_subheading(struct dctx *c, const json_t *f)
{
    const json_t *h = json_object_get(f, "subheading");
    if (!h) return;
    size_t at = rf_push_key(c->ptr, "subheading");
    if (!json_is_object(h)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be an object");
    } else {
        check_allowed(c, h, subheading_members);
        want_string(c, h, "number", S_REQUIRED);
        want_string(c, h, "ja", S_REQUIRED);
        want_string(c, h, "en", S_REQUIRED | S_NONEMPTY);
        check_notes(c, h, subheading_members);
    }
    rf_pop(c->ptr, at);
}

/* Where a field sits, for the rules that depend on it. */
struct place {
    const char *section;    /* the section's id (NULL when unusable) */
    bool numbered;          /* the section has a printed number */
    bool column;            /* a column of a rows field */
    const json_t *siblings; /* the array the field is in */
    size_t index;           /* its position there */
    size_t section_index;   /* the section's position (form-wide id uniqueness) */
};

/* The member allowed only on some types or forms: reported when present elsewhere. */
static void only_on(struct dctx *c, const json_t *f, const char *key, bool allowed,
                    const char *where)
{
    if (json_object_get(f, key) && !allowed)
        rf_err(c->errs, c->ptr, key, "unknown_field", "is allowed only %s", where);
}

static void check_field(struct dctx *c, const json_t *f, const struct place *p);

static void check_columns(struct dctx *c, const json_t *f)
{
    const json_t *cols = want_array(c, f, "columns", true);
    if (!cols) return;
    size_t at = rf_push_key(c->ptr, "columns");
    size_t i;
    const json_t *col;
    json_array_foreach((json_t *)cols, i, col)
    {
        struct place p = {.column = true, .siblings = cols, .index = i};
        size_t cat = rf_push_index(c->ptr, i);
        check_field(c, col, &p);
        rf_pop(c->ptr, cat);
    }
    rf_pop(c->ptr, at);
}

/* opt_out_group and annex: members whose place depends on the form and the section. */
static void check_placement(struct dctx *c, const json_t *f, enum rf_type t, const struct place *p)
{
    const json_t *og = json_object_get(f, "opt_out_group");
    bool common = is_form(c, "ddos") || is_form(c, "ransomware");
    if (p->column) {
        only_on(c, f, "opt_out_group", false, "on a field (a column's group is its rows field's)");
    } else if (og && c->name && !common) {
        only_on(c, f, "opt_out_group", false, "on the DDoS and ransomware forms");
    } else if (og) {
        const char *g = want_id(c, f, "opt_out_group");
        if (g && (!p->numbered || !p->section || strcmp(g, p->section) != 0))
            rf_err(c->errs, c->ptr, "opt_out_group", "opt_out_group",
                   p->numbered ? "must be the id of the field's section"
                               : "is not allowed outside the numbered sections 1-6");
    } else if (common && p->numbered) {
        rf_err(c->errs, c->ptr, "opt_out_group", "required",
               "is required on every field of a numbered section of a common form");
    }

    const json_t *an = json_object_get(f, "annex");
    if (!an) return;
    if (p->column || (c->name && !is_form(c, "ransomware"))) {
        only_on(c, f, "annex", false, "on a field of the ransomware form");
        return;
    }
    json_int_t n = json_is_integer(an) ? json_integer_value(an) : 0;
    if (n < 1 || n > 3) {
        rf_err(c->errs, c->ptr, "annex", "enum", "must be 1, 2 or 3");
        return;
    }
    if (t != RF_YESNO)
        rf_err(c->errs, c->ptr, "annex", "annex", "must be on a yesno field");
    else if (c->annexes[n]++ > 0)
        rf_err(c->errs, c->ptr, "annex", "unique_items", "annex %d is already on another field",
               (int)n);
}

/* Is id the id of a field of an earlier section? */
static bool id_in_earlier_section(const struct dctx *c, size_t section_index, const char *id)
{
    for (size_t s = 0; id && s < section_index; s++) {
        const json_t *fields = json_object_get(json_array_get(c->sections, s), "fields");
        if (repeats(fields, json_array_size(fields), "id", id)) return true;
    }
    return false;
}

static void check_field(struct dctx *c, const json_t *f, const struct place *p)
{
    if (!json_is_object(f)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be an object");
        return;
    }
    check_allowed(c, f, field_members);
    const char *id = want_id(c, f, "id");
    if (repeats(p->siblings, p->index, "id", id))
        rf_err(c->errs, c->ptr, "id", "unique_items", "repeats an earlier id");
    else if (!p->column && id_in_earlier_section(c, p->section_index, id))
        rf_err(c->errs, c->ptr, "id", "unique_items",
               "is a field id of an earlier section (ids are unique within the form)");
    want_string(c, f, "label_ja", S_REQUIRED | S_NONEMPTY);
    want_string(c, f, "label_en", S_REQUIRED | S_NONEMPTY);
    const json_t *req = json_object_get(f, "required");
    if (!req)
        rf_err(c->errs, c->ptr, "required", "required", "is required");
    else if (!json_is_boolean(req))
        rf_err(c->errs, c->ptr, "required", "type", "must be true or false");
    check_notes(c, f, field_members);
    const json_t *ident = json_object_get(f, "identifying");
    if (ident && is_form(c, "advisory"))
        only_on(c, f, "identifying", false, "on a report form (the advisory names no source)");
    else if (ident && p->column)
        only_on(c, f, "identifying", false, "on a field of a section (the views redact fields)");
    else if (ident && !json_is_true(ident))
        rf_err(c->errs, c->ptr, "identifying", "enum", "must be true");
    check_subheading(c, f);
    const json_t *printed = json_object_get(f, "printed");
    if (printed && !json_is_false(printed))
        rf_err(c->errs, c->ptr, "printed", "enum", "must be false (or absent)");

    enum rf_type t = rf_type_of(f);
    if (want_string(c, f, "type", S_REQUIRED) && t == RF_UNKNOWN)
        rf_err(c->errs, c->ptr, "type", "enum", "is not a field type of data/forms/README.md");
    check_placement(c, f, t, p);
    if (t == RF_UNKNOWN) return; /* the type-dependent members cannot be judged */

    bool text = t == RF_TEXT || t == RF_TEXTAREA;
    bool list = t == RF_MULTI_ENUM || t == RF_ROWS || t == RF_IP_LIST || t == RF_CIDR_LIST ||
                t == RF_PORT_LIST || t == RF_ATTACHMENT;
    bool numeric = t == RF_NUMBER || t == RF_INTEGER;
    bool choice = t == RF_ENUM || t == RF_MULTI_ENUM;
    only_on(c, f, "max_len", text, "on text and textarea");
    only_on(c, f, "max_items", list, "on list types");
    only_on(c, f, "min", numeric, "on number and integer");
    only_on(c, f, "values", choice, "on enum and multi_enum");
    only_on(c, f, "values_from", choice, "on enum and multi_enum");
    only_on(c, f, "groups", choice, "on enum and multi_enum");
    only_on(c, f, "columns", t == RF_ROWS, "on rows");
    if (text) want_integer(c, f, "max_len", 1);
    if (list) want_integer(c, f, "max_items", 1);
    if (numeric) want_integer(c, f, "min", INT64_MIN);
    if (choice) check_choices(c, f);
    if (t == RF_ROWS && p->column)
        rf_err(c->errs, c->ptr, "type", "enum", "a column cannot be of type rows");
    else if (t == RF_ROWS)
        check_columns(c, f);
}

static void check_section(struct dctx *c, const json_t *sections, size_t i)
{
    const json_t *s = json_array_get(sections, i);
    if (!json_is_object(s)) {
        rf_err(c->errs, c->ptr, NULL, "type", "must be an object");
        return;
    }
    check_allowed(c, s, section_members);
    const char *id = want_id(c, s, "id");
    if (repeats(sections, i, "id", id))
        rf_err(c->errs, c->ptr, "id", "unique_items", "repeats an earlier section id");
    const char *number = want_string(c, s, "number", S_REQUIRED);
    const char *label = want_string(c, s, "label_ja", S_REQUIRED);
    want_string(c, s, "label_en", S_REQUIRED | S_NONEMPTY);
    if (number && label && *number && !*label)
        rf_err(c->errs, c->ptr, "label_ja", "min_length", "a numbered section has a heading");
    check_notes(c, s, section_members);
    const json_t *ident = json_object_get(s, "identifying");
    if (ident && is_form(c, "advisory"))
        only_on(c, s, "identifying", false, "on a report form (the advisory names no source)");
    else if (ident && !json_is_true(ident))
        rf_err(c->errs, c->ptr, "identifying", "enum", "must be true");
    const json_t *fields = want_array(c, s, "fields", true);
    if (!fields) return;
    size_t at = rf_push_key(c->ptr, "fields");
    size_t k;
    const json_t *f;
    json_array_foreach((json_t *)fields, k, f)
    {
        struct place p = {.section = id,
                          .numbered = number && *number,
                          .siblings = fields,
                          .index = k,
                          .section_index = i};
        size_t fat = rf_push_index(c->ptr, k);
        check_field(c, f, &p);
        rf_pop(c->ptr, fat);
    }
    rf_pop(c->ptr, at);
}

/* first_response_advice: ransomware only, [{ja, en}] in printed order. */
static void check_advice(struct dctx *c, const json_t *form)
{
    if (!json_object_get(form, "first_response_advice")) return;
    if (c->name && !is_form(c, "ransomware")) {
        only_on(c, form, "first_response_advice", false, "on the ransomware form");
        return;
    }
    const json_t *advice = want_array(c, form, "first_response_advice", false);
    size_t at = rf_push_key(c->ptr, "first_response_advice");
    size_t i;
    const json_t *a;
    json_array_foreach((json_t *)advice, i, a)
    {
        size_t iat = rf_push_index(c->ptr, i);
        if (!json_is_object(a)) {
            rf_err(c->errs, c->ptr, NULL, "type", "must be an object");
        } else {
            check_allowed(c, a, advice_members);
            want_string(c, a, "ja", S_REQUIRED | S_NONEMPTY);
            want_string(c, a, "en", S_REQUIRED | S_NONEMPTY);
        }
        rf_pop(c->ptr, iat);
    }
    rf_pop(c->ptr, at);
}

int rf_check_definition(const json_t *form, const struct rf_refs *refs, struct jv_errors *errs)
{
    if (!errs) return RK_EINVAL;
    errs->n = 0;
    errs->dropped = 0;
    struct dctx c = {.refs = refs, .errs = errs};
    if (!json_is_object(form))
        return jv_error_add(errs, "", "type", "must be an object (a form definition)");
    check_allowed(&c, form, form_members);
    const char *name = want_string(&c, form, "name", S_REQUIRED);
    if (name && !in_list(name, form_names))
        rf_err(errs, c.ptr, "name", "enum", "must be one of: liaison, ddos, ransomware, advisory");
    else
        c.name = name;
    want_string(&c, form, "title_ja", S_REQUIRED | S_NONEMPTY);
    want_string(&c, form, "title_en", S_REQUIRED | S_NONEMPTY);
    want_string(&c, form, "source", S_REQUIRED | S_NONEMPTY);
    if (!json_object_get(form, "version"))
        rf_err(errs, c.ptr, "version", "required", "is required");
    want_integer(&c, form, "version", 1);
    want_string(&c, form, "note_ja", S_NONEMPTY);
    want_string(&c, form, "note_en", S_NONEMPTY);
    check_advice(&c, form);

    c.sections = want_array(&c, form, "sections", true);
    size_t at = rf_push_key(c.ptr, "sections");
    for (size_t i = 0; i < json_array_size(c.sections); i++) {
        size_t sat = rf_push_index(c.ptr, i);
        check_section(&c, c.sections, i);
        rf_pop(c.ptr, sat);
    }
    rf_pop(c.ptr, at);
    for (int n = 1; n <= 3 && is_form(&c, "ransomware"); n++)
        if (c.annexes[n] == 0)
            rf_err(errs, c.ptr, "sections", "annex", "no field carries annex %d", n);
    return errs->n || errs->dropped ? RK_EINVAL : RK_OK;
}
