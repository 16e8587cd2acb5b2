/*
 * test_forms_data.c — the incident report form definitions
 * (data/forms/{liaison,ddos,ransomware}.json) and the ATT&CK technique list
 * (data/attack_techniques.json).
 *
 * (a) structure: every member is one data/forms/README.md allows, where it allows it; known field
 *     types; unique section ids, field ids (per section and per form), value and group codes;
 *     rows have columns; values_from only with a known source; annex only on the ransomware form;
 * (b) a checklist written from the domain specification (domain.md §5.4) and, where it adds
 *     items, seed 004 figs. 4/4-1/4-2/5: for each form the (section, field, type, required) that
 *     must exist — a missing field fails with its name — and no other field may be required;
 * (c) the liaison form's 8 event types and 17 cause types in 4 classes;
 * (d) every ATT&CK id used as a choice exists (not revoked or deprecated) in
 *     data/attack_techniques.json, and the DDoS attack types are exactly those of §5.4 (b);
 * (e) the ransomware form's five first-response items.
 * Every problem is printed before the test fails.
 *
 * RK_FORMS_DATA_DIR overrides the data directory (used to check that the test catches a damaged
 * copy).
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

#include "core/rk.h"
#include "domain/policy.h"

enum { FORM_LIAISON, FORM_DDOS, FORM_RANSOMWARE, NFORMS };

static const char *const form_names[NFORMS] = {"liaison", "ddos", "ransomware"};

static json_t *forms[NFORMS];
static json_t *attack;
static json_t *sectors;
static int nproblems;

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "forms: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    nproblems++;
}

/* snprintf for the paths printed with problems; long paths are cut, never overflow. */
__attribute__((format(printf, 3, 4))) static void where_fmt(char *buf, size_t n, const char *fmt,
                                                            ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

static const char *data_dir(void)
{
    const char *p = getenv("RK_FORMS_DATA_DIR");
    return p && *p ? p : RK_SOURCE_DIR "/data";
}

static json_t *load(const char *rel)
{
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/%s", data_dir(), rel);
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j) problem("cannot load %s: line %d: %s", path, je.line, je.text);
    return j;
}

static int setup(void **state)
{
    char rel[64];
    for (int i = 0; i < NFORMS; i++) {
        snprintf(rel, sizeof rel, "forms/%s.json", form_names[i]);
        forms[i] = load(rel);
    }
    attack = load("attack_techniques.json");
    sectors = load("sectors.json");
    for (int i = 0; i < NFORMS; i++)
        if (!forms[i]) return -1;
    return attack && sectors ? 0 : -1;
}

static int teardown(void **state)
{
    for (int i = 0; i < NFORMS; i++)
        json_decref(forms[i]);
    json_decref(attack);
    json_decref(sectors);
    return 0;
}

/* ---- small helpers ---------------------------------------------------------------------- */

static bool in_list(const char *s, const char *const list[])
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0) return true;
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ^[a-z][a-z0-9_]*$, no trailing or doubled underscore */
static bool is_snake(const char *s)
{
    if (!s || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (size_t i = 1; s[i]; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_')) return false;
        if (c == '_' && (s[i + 1] == '\0' || s[i + 1] == '_')) return false;
    }
    return true;
}

/* T + 4 digits, optionally . + 3 digits (domain.md §10) */
static bool is_attack_id(const char *s)
{
    if (!s || s[0] != 'T') return false;
    for (int i = 1; i <= 4; i++)
        if (!is_digit(s[i])) return false;
    if (s[5] == '\0') return true;
    if (s[5] != '.') return false;
    for (int i = 6; i <= 8; i++)
        if (!is_digit(s[i])) return false;
    return s[9] == '\0';
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool nonempty(const json_t *o, const char *key)
{
    const char *s = str(o, key);
    return s && *s;
}

static void check_members(const json_t *o, const char *const allowed[], const char *where)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (!in_list(k, allowed)) problem("%s: unknown member \"%s\"", where, k);
    }
}

static void check_optional_notes(const json_t *o, const char *where)
{
    static const char *const keys[] = {"note_ja", "note_en", NULL};
    for (size_t i = 0; keys[i]; i++)
        if (json_object_get(o, keys[i]) && !nonempty(o, keys[i]))
            problem("%s: %s must be a non-empty string", where, keys[i]);
    const json_t *r = json_object_get(o, "reconstructed");
    if (r && !json_is_true(r)) problem("%s: reconstructed, when present, is true", where);
}

/* The technique entry for id, or NULL. */
static const json_t *technique(const char *id)
{
    const json_t *list = json_object_get(attack, "techniques");
    size_t i;
    const json_t *t;
    json_array_foreach((json_t *)list, i, t)
    {
        const char *tid = str(t, "id");
        if (tid && strcmp(tid, id) == 0) return t;
    }
    return NULL;
}

/* ---- (a) structure ---------------------------------------------------------------------- */

static const char *const field_types[] = {"text",
                                          "textarea",
                                          "datetime",
                                          "date",
                                          "enum",
                                          "multi_enum",
                                          "yesno",
                                          "rows",
                                          "ip_list",
                                          "cidr_list",
                                          "port_list",
                                          "number",
                                          "integer",
                                          "corporate_number",
                                          "email",
                                          "phone",
                                          "attack_technique",
                                          "attachment",
                                          NULL};
static const char *const list_types[] = {"multi_enum", "rows",       "ip_list", "cidr_list",
                                         "port_list",  "attachment", NULL};
static const char *const choice_types[] = {"enum", "multi_enum", NULL};
static const char *const values_sources[] = {"sectors", "tlp", NULL};

static void check_values(const json_t *f, const char *where)
{
    const json_t *values = json_object_get(f, "values");
    const json_t *groups = json_object_get(f, "groups");
    char w[512];
    static const char *const group_members[] = {"code", "ja", "en", "note_ja", "note_en", NULL};
    static const char *const value_members[] = {
        "code", "ja", "en", "group", "note_ja", "note_en", "reconstructed", NULL};

    if (groups) {
        if (!json_is_array(groups) || json_array_size(groups) == 0)
            problem("%s: groups must be a non-empty array", where);
        size_t i;
        const json_t *g;
        json_array_foreach((json_t *)groups, i, g)
        {
            where_fmt(w, sizeof w, "%s: groups[%zu]", where, i);
            check_members(g, group_members, w);
            check_optional_notes(g, w);
            const char *code = str(g, "code");
            if (!is_snake(code)) problem("%s: code must be snake_case", w);
            if (!nonempty(g, "ja") || !nonempty(g, "en")) problem("%s: ja/en missing", w);
            for (size_t j = 0; j < i && code; j++) {
                const char *other = str(json_array_get(groups, j), "code");
                if (other && strcmp(other, code) == 0) problem("%s: duplicate code %s", w, code);
            }
        }
    }
    if (!json_is_array(values) || json_array_size(values) == 0) {
        problem("%s: values must be a non-empty array", where);
        return;
    }
    size_t i;
    const json_t *v;
    const char *prev_group = NULL;
    json_array_foreach((json_t *)values, i, v)
    {
        where_fmt(w, sizeof w, "%s: values[%zu]", where, i);
        check_members(v, value_members, w);
        check_optional_notes(v, w);
        const char *code = str(v, "code");
        if (!code || !(is_snake(code) || is_attack_id(code))) {
            problem("%s: code must be snake_case or an ATT&CK id", w);
            continue;
        }
        where_fmt(w, sizeof w, "%s: value %s", where, code);
        if (!nonempty(v, "ja") || !nonempty(v, "en")) problem("%s: ja/en missing", w);
        for (size_t j = 0; j < i; j++) {
            const char *other = str(json_array_get(values, j), "code");
            if (other && strcmp(other, code) == 0) problem("%s: duplicate code", w);
        }
        /* (d) an ATT&CK id must be a live technique of data/attack_techniques.json */
        if (is_attack_id(code)) {
            const json_t *t = technique(code);
            if (!t)
                problem("%s: not in data/attack_techniques.json", w);
            else if (json_is_true(json_object_get(t, "revoked")) ||
                     json_is_true(json_object_get(t, "deprecated")))
                problem("%s: revoked or deprecated in ATT&CK", w);
        }
        const char *group = str(v, "group");
        if (!groups) {
            if (json_object_get(v, "group")) problem("%s: group without groups", w);
            continue;
        }
        bool known = false;
        size_t gi;
        const json_t *g;
        json_array_foreach((json_t *)groups, gi, g)
        {
            if (group && str(g, "code") && strcmp(str(g, "code"), group) == 0) known = true;
        }
        if (!known) {
            problem("%s: group missing or not in groups", w);
            continue;
        }
        /* values of one group are contiguous */
        if (prev_group && strcmp(prev_group, group) != 0)
            for (size_t j = 0; j < i; j++) {
                const char *og = str(json_array_get(values, j), "group");
                if (og && strcmp(og, group) == 0) {
                    problem("%s: group %s is not contiguous", w, group);
                    break;
                }
            }
        prev_group = group;
    }
    if (groups) {
        size_t gi;
        const json_t *g;
        json_array_foreach((json_t *)groups, gi, g)
        {
            const char *gc = str(g, "code");
            bool used = false;
            json_array_foreach((json_t *)values, i, v)
            {
                if (gc && str(v, "group") && strcmp(str(v, "group"), gc) == 0) used = true;
            }
            if (!used) problem("%s: group %s has no value", where, gc ? gc : "?");
        }
    }
}

static void check_subheading(const json_t *h, const char *where)
{
    static const char *const members[] = {"number",        "ja", "en", "note_ja", "note_en",
                                          "reconstructed", NULL};
    char w[512];
    where_fmt(w, sizeof w, "%s: subheading", where);
    if (!json_is_object(h)) {
        problem("%s must be an object", w);
        return;
    }
    check_members(h, members, w);
    check_optional_notes(h, w);
    if (!str(h, "number") || !str(h, "ja") || !nonempty(h, "en"))
        problem("%s: number and ja are strings, en non-empty", w);
}

struct form_state {
    int form;
    int annex_seen[4];
};

static void check_field(struct form_state *fs, const json_t *f, const char *where, bool column)
{
    static const char *const members[] = {
        "id",      "label_ja",  "label_en",   "type",          "required",
        "max_len", "max_items", "min",        "values",        "values_from",
        "groups",  "columns",   "subheading", "opt_out_group", "annex",
        "printed", "note_ja",   "note_en",    "reconstructed", "identifying",
        NULL};
    char w[512];
    const char *id = str(f, "id"), *type = str(f, "type");
    where_fmt(w, sizeof w, "%s/%s", where, id ? id : "?");
    if (!json_is_object(f)) {
        problem("%s: not an object", where);
        return;
    }
    check_members(f, members, w);
    check_optional_notes(f, w);
    if (!is_snake(id)) problem("%s: id must be snake_case", w);
    if (!nonempty(f, "label_ja") || !nonempty(f, "label_en")) problem("%s: label missing", w);
    if (!json_is_boolean(json_object_get(f, "required"))) problem("%s: required not boolean", w);
    if (!type || !in_list(type, field_types)) {
        problem("%s: unknown type %s", w, type ? type : "(none)");
        return;
    }

    const json_t *v;
    if ((v = json_object_get(f, "max_len"))) {
        if (strcmp(type, "text") != 0 && strcmp(type, "textarea") != 0)
            problem("%s: max_len on a %s", w, type);
        if (!json_is_integer(v) || json_integer_value(v) <= 0) problem("%s: bad max_len", w);
    }
    if ((v = json_object_get(f, "max_items"))) {
        if (!in_list(type, list_types)) problem("%s: max_items on a %s", w, type);
        if (!json_is_integer(v) || json_integer_value(v) <= 0) problem("%s: bad max_items", w);
    }
    if ((v = json_object_get(f, "min"))) {
        if (strcmp(type, "integer") != 0 && strcmp(type, "number") != 0)
            problem("%s: min on a %s", w, type);
        if (!json_is_integer(v)) problem("%s: bad min", w);
    }

    bool choice = in_list(type, choice_types);
    const json_t *from = json_object_get(f, "values_from");
    bool has_values = json_object_get(f, "values") != NULL;
    if (!choice && (from || has_values || json_object_get(f, "groups")))
        problem("%s: values/values_from/groups on a %s", w, type);
    if (choice && (from != NULL) == has_values)
        problem("%s: exactly one of values and values_from", w);
    if (from && (!json_is_string(from) || !in_list(json_string_value(from), values_sources)))
        problem("%s: values_from must be one of sectors, tlp", w);
    if (from && json_object_get(f, "groups")) problem("%s: groups with values_from", w);
    if (choice && has_values) check_values(f, w);

    const json_t *cols = json_object_get(f, "columns");
    if (strcmp(type, "rows") == 0) {
        if (column) problem("%s: a column cannot be rows", w);
        if (!json_is_array(cols) || json_array_size(cols) == 0) {
            problem("%s: rows need columns", w);
        } else {
            size_t i;
            const json_t *c;
            json_array_foreach((json_t *)cols, i, c)
            {
                check_field(fs, c, w, true);
                for (size_t j = 0; j < i; j++) {
                    const char *a = str(c, "id"), *b = str(json_array_get(cols, j), "id");
                    if (a && b && strcmp(a, b) == 0) problem("%s: duplicate column %s", w, a);
                }
            }
        }
    } else if (cols) {
        problem("%s: columns on a %s", w, type);
    }

    if ((v = json_object_get(f, "subheading"))) check_subheading(v, w);
    if ((v = json_object_get(f, "printed")) && !json_is_false(v))
        problem("%s: printed, when present, is false", w);
    if ((v = json_object_get(f, "opt_out_group"))) {
        if (fs->form == FORM_LIAISON) problem("%s: opt_out_group on the liaison form", w);
        if (!json_is_string(v) || !is_snake(json_string_value(v)))
            problem("%s: opt_out_group must be snake_case", w);
    }
    if ((v = json_object_get(f, "annex"))) {
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
        if (fs->form != FORM_RANSOMWARE) problem("%s: annex outside the ransomware form", w);
        if (n < 1 || n > 3)
            problem("%s: annex must be 1, 2 or 3", w);
        else
            fs->annex_seen[n]++;
        if (strcmp(type, "yesno") != 0) problem("%s: annex on a %s, not a yesno", w, type);
    }
}

static void check_form(int form)
{
    static const char *const members[] = {
        "name",     "title_ja", "title_en", "source",
        "version",  "note_ja",  "note_en",  "first_response_advice",
        "sections", NULL};
    static const char *const sec_members[] = {"id",      "number",  "label_ja",      "label_en",
                                              "note_ja", "note_en", "reconstructed", "identifying",
                                              "fields",  NULL};
    const json_t *doc = forms[form];
    const char *name = form_names[form];
    struct form_state fs = {.form = form};
    char w[512];

    check_members(doc, members, name);
    check_optional_notes(doc, name);
    if (!str(doc, "name") || strcmp(str(doc, "name"), name) != 0)
        problem("%s: name must be \"%s\"", name, name);
    if (!nonempty(doc, "title_ja") || !nonempty(doc, "title_en") || !nonempty(doc, "source"))
        problem("%s: title_ja, title_en and source are required", name);
    const json_t *ver = json_object_get(doc, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1)
        problem("%s: version must be an integer >= 1", name);
    if (form != FORM_RANSOMWARE && json_object_get(doc, "first_response_advice"))
        problem("%s: first_response_advice belongs to the ransomware form", name);

    const json_t *secs = json_object_get(doc, "sections");
    if (!json_is_array(secs) || json_array_size(secs) == 0) {
        problem("%s: sections must be a non-empty array", name);
        return;
    }
    size_t i;
    const json_t *s;
    json_array_foreach((json_t *)secs, i, s)
    {
        const char *sid = str(s, "id");
        where_fmt(w, sizeof w, "%s:%s", name, sid ? sid : "?");
        check_members(s, sec_members, w);
        check_optional_notes(s, w);
        if (!is_snake(sid)) problem("%s: section id must be snake_case", w);
        for (size_t j = 0; j < i && sid; j++) {
            const char *o = str(json_array_get(secs, j), "id");
            if (o && strcmp(o, sid) == 0) problem("%s: duplicate section id", w);
        }
        const char *number = str(s, "number"), *label = str(s, "label_ja");
        if (!number || !label || !nonempty(s, "label_en"))
            problem("%s: number, label_ja (strings) and label_en are required", w);
        else if (*label == '\0' && *number != '\0')
            problem("%s: a numbered section has a printed heading", w);
        const json_t *fields = json_object_get(s, "fields");
        if (!json_is_array(fields) || json_array_size(fields) == 0) {
            problem("%s: fields must be a non-empty array", w);
            continue;
        }
        size_t k;
        const json_t *f;
        json_array_foreach((json_t *)fields, k, f)
        {
            check_field(&fs, f, w, false);
            const char *fid = str(f, "id");
            /* An annex tick tells of a personal-data breach: never to readers by TLP. */
            if (json_object_get(f, "annex") && !json_is_true(json_object_get(f, "identifying")))
                problem("%s: annex field %s must be identifying", w, fid ? fid : "?");
            for (size_t j = 0; j < k && fid; j++) {
                const char *o = str(json_array_get(fields, j), "id");
                if (o && strcmp(o, fid) == 0) problem("%s: duplicate field id %s", w, fid);
            }
            /* unique within the form too, so a report may be stored flat */
            for (size_t si = 0; si < i && fid; si++) {
                size_t fj;
                const json_t *of;
                json_array_foreach(json_object_get(json_array_get(secs, si), "fields"), fj, of)
                {
                    const char *o = str(of, "id");
                    if (o && strcmp(o, fid) == 0)
                        problem("%s: field id %s also in an earlier section", w, fid);
                }
            }
        }
    }
    if (form == FORM_RANSOMWARE)
        for (int n = 1; n <= 3; n++)
            if (fs.annex_seen[n] != 1)
                problem("%s: annex %d flagged on %d fields (want 1)", name, n, fs.annex_seen[n]);
}

static void test_structure(void **state)
{
    nproblems = 0;
    for (int i = 0; i < NFORMS; i++)
        check_form(i);
    assert_int_equal(nproblems, 0);
}

/* ---- values_from sources ---------------------------------------------------------------- */

static void test_value_sources(void **state)
{
    nproblems = 0;
    /* "sectors": the codes of data/sectors.json */
    const json_t *list = json_object_get(sectors, "sectors");
    if (!json_is_array(list) || json_array_size(list) == 0) problem("sectors.json: no sectors");
    size_t i;
    const json_t *s;
    json_array_foreach((json_t *)list, i, s)
    {
        if (!nonempty(s, "code") || !nonempty(s, "name_ja") || !nonempty(s, "name_en"))
            problem("sectors.json[%zu]: code/name_ja/name_en missing", i);
    }
    /* "tlp": the codes and 表5 wording live in src/domain/policy.c */
    static const struct {
        const char *code, *ja;
    } tlp[] = {{"TLP:CLEAR", "公開情報"},
               {"TLP:GREEN", "重要インフラ関係主体限り"},
               {"TLP:AMBER", "特定分野・関係者限り"},
               {"TLP:AMBER+STRICT", "特定分野・組織内関係者限り"},
               {"TLP:RED", "宛先限り"}};
    for (size_t k = 0; k < RK_ARRAY_LEN(tlp); k++) {
        enum pol_tlp t;
        if (policy_tlp_parse(tlp[k].code, &t) != RK_OK) {
            problem("tlp: %s not known to policy_tlp_parse", tlp[k].code);
            continue;
        }
        const char *ja = policy_tlp_name_ja(t);
        if (!ja || strcmp(ja, tlp[k].ja) != 0)
            problem("tlp: %s is not labelled %s", tlp[k].code, tlp[k].ja);
    }
    assert_int_equal(nproblems, 0);
}

/* ---- (b) the checklist ------------------------------------------------------------------ */

struct item {
    const char *section;
    const char *field; /* "rows_field.column" for a column */
    const char *type;
    bool required;
};

#define REQ true
#define OPT false

/* domain.md §5.4 (a), fig. 4/5: every item named there, required as marked with * */
static const struct item liaison_items[] = {
    {"header", "severity", "enum", OPT},
    {"header", "report_number", "integer", REQ},
    {"header", "identification_number", "text", OPT}, /* blank on the first report */
    {"header", "liaison_datetime", "datetime", REQ},
    {"sender", "ministry_name", "text", REQ},
    {"sender", "person_name", "text", REQ},
    {"sender", "bureau", "text", OPT},
    {"sender", "phone", "phone", REQ},
    {"sender", "fax", "phone", OPT},
    {"sender", "email", "email", OPT},
    {"sharing", "tlp", "enum", REQ},
    {"sharing", "special_notes", "textarea", OPT},
    {"event_type", "event_type", "enum", OPT}, /* exactly one; no * on fig. 4/5 */
    {"cause_types", "cause_types", "multi_enum", OPT},
    {"content", "has_attachments", "yesno", REQ},
    {"sector", "sector", "enum", REQ},
    {"operator", "operator_name", "text", OPT},
    {"overview", "found_at", "datetime", OPT},
    {"overview", "occurred_at", "datetime", OPT},
    {"overview", "affected_system", "textarea", OPT},
    {"overview", "description", "textarea", OPT},
    {"overview", "system_status", "enum", OPT},
    {"impact", "service_level_breach", "yesno", OPT},
    {"impact", "spread_possible", "yesno", OPT},
    {"timeline", "timeline", "rows", OPT},
    {"timeline", "timeline.at", "datetime", OPT},
    {"timeline", "timeline.event", "textarea", OPT},
    {"timeline", "supplementary", "textarea", OPT},
    {"timeline", "press_release", "enum", OPT},
    {"timeline", "press_release_at", "datetime", OPT},
    {"timeline", "press_release_title", "text", OPT},
    {"timeline", "ppc_contact", "enum", OPT},
    {"timeline", "other_contacts", "textarea", OPT},
    {"next_steps", "next_steps", "enum", OPT},
    {"lessons", "lessons", "textarea", OPT},
    {NULL, NULL, NULL, OPT}};

/* domain.md §5.4 (b), fig. 4-1: nothing is required (※1) */
static const struct item ddos_items[] = {
    {"header", "report_kind", "enum", OPT},
    {"header", "previous_report_at", "datetime", OPT},
    {"opt_out", "opt_out", "yesno", OPT},
    {"opt_out", "opt_out_content", "textarea", OPT},
    {"reporter", "name", "text", OPT},
    {"reporter", "name_kana", "text", OPT},
    {"reporter", "corporate_number", "corporate_number", OPT},
    {"reporter", "contact_name", "text", OPT},
    {"reporter", "department", "text", OPT},
    {"reporter", "phone", "phone", OPT},
    {"reporter", "email", "email", OPT},
    {"business_impact", "overview", "textarea", OPT},
    {"business_impact", "service_level_breach", "yesno", OPT},
    {"business_impact", "spread_possible", "yesno", OPT},
    {"business_impact", "service_impact", "textarea", OPT},
    {"business_impact", "timeline", "rows", OPT},
    {"affected_systems", "devices", "textarea", OPT},
    {"affected_systems", "system_status", "enum", OPT},
    {"attack", "attacks", "rows", OPT},
    {"attack", "attacks.started_at", "datetime", OPT},
    {"attack", "attacks.ended_at", "datetime", OPT},
    {"attack", "attacks.attack_type", "enum", OPT},
    {"attack", "attacks.details", "textarea", OPT},
    {"attack", "attacks.protocol", "text", OPT},
    {"attack", "attacks.source_ips", "ip_list", OPT},
    {"attack", "attacks.source_ports", "port_list", OPT},
    {"attack", "attacks.source_devices", "textarea", OPT},
    {"attack", "attacks.destination_ips", "ip_list", OPT},
    {"attack", "attacks.destination_ports", "port_list", OPT},
    {"attack", "attacks.target_service", "text", OPT},
    {"attack", "attacks.traffic_bps", "number", OPT},
    {"attack", "attacks.traffic_pps", "number", OPT},
    {"attack", "attacks.traffic_rps", "number", OPT},
    {"attack", "list_files", "attachment", OPT}, /* large lists as a separate file */
    {"next_steps", "publication", "enum", OPT},
    {"next_steps", "published_on", "date", OPT},
    {"next_steps", "publication_planned_on", "date", OPT},
    {"next_steps", "outlook", "enum", OPT},
    {"next_steps", "filing_basis", "textarea", OPT},
    {"other", "other", "textarea", OPT},
    {NULL, NULL, NULL, OPT}};

/* domain.md §5.4 (c), fig. 4-2: as (b) plus the ransomware items; nothing is required */
static const struct item ransomware_items[] = {
    {"header", "report_kind", "enum", OPT},
    {"header", "previous_report_at", "datetime", OPT},
    {"header", "ppc_receipt_number", "text", OPT},
    {"opt_out", "opt_out", "yesno", OPT},
    {"opt_out", "opt_out_content", "textarea", OPT},
    {"reporter", "name", "text", OPT},
    {"reporter", "name_kana", "text", OPT},
    {"reporter", "corporate_number", "corporate_number", OPT},
    {"reporter", "industry", "text", OPT},
    {"reporter", "industry_code", "text", OPT},
    {"reporter", "address", "text", OPT},
    {"reporter", "representative_name", "text", OPT},
    {"reporter", "contact_name", "text", OPT},
    {"reporter", "department", "text", OPT},
    {"reporter", "phone", "phone", OPT},
    {"reporter", "email", "email", OPT},
    {"business_impact", "occurred_at", "datetime", OPT},
    {"business_impact", "discovered_at", "datetime", OPT},
    {"business_impact", "overview", "textarea", OPT},
    {"business_impact", "service_level_breach", "yesno", OPT},
    {"business_impact", "spread_possible", "yesno", OPT},
    {"business_impact", "service_impact", "textarea", OPT},
    {"business_impact", "annex_1", "yesno", OPT},
    {"business_impact", "annex_2", "yesno", OPT},
    {"business_impact", "annex_3", "yesno", OPT},
    {"business_impact", "timeline", "rows", OPT},
    {"affected_systems", "devices", "textarea", OPT},
    {"affected_systems", "system_status", "enum", OPT},
    {"affected_systems", "installation_environment", "textarea", OPT},
    {"affected_systems", "connection_diagram", "attachment", OPT},
    {"attack", "ransom_note", "textarea", OPT},
    {"attack", "ransom_note_files", "attachment", OPT}, /* text or image */
    {"attack", "encrypted_extension", "text", OPT},
    {"attack", "encrypted", "yesno", OPT},
    {"attack", "leak_published", "yesno", OPT},
    {"attack", "ransom_demanded", "yesno", OPT},
    {"attack", "intrusion_vector", "textarea", OPT},
    {"attack", "c2_ips", "ip_list", OPT},
    {"attack", "hashes", "textarea", OPT},
    {"attack", "logs", "textarea", OPT},
    {"next_steps", "publication", "enum", OPT},
    {"next_steps", "published_on", "date", OPT},
    {"next_steps", "publication_planned_on", "date", OPT},
    {"next_steps", "publication_methods", "multi_enum", OPT},
    {"next_steps", "publication_text", "textarea", OPT},
    {"next_steps", "outlook", "enum", OPT},
    {"next_steps", "forensics", "enum", OPT},
    {"next_steps", "filing_basis", "textarea", OPT},
    {"other", "other", "textarea", OPT},
    {NULL, NULL, NULL, OPT}};

static const json_t *find_in(const json_t *fields, const char *id, size_t len)
{
    size_t i;
    const json_t *f;
    json_array_foreach((json_t *)fields, i, f)
    {
        const char *fid = str(f, "id");
        if (fid && strlen(fid) == len && strncmp(fid, id, len) == 0) return f;
    }
    return NULL;
}

static const json_t *section_of(int form, const char *id)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(forms[form], "sections"), i, s)
    {
        const char *sid = str(s, "id");
        if (sid && strcmp(sid, id) == 0) return s;
    }
    return NULL;
}

/* The field at section/field or section/rows.column, or NULL. */
static const json_t *find_field(int form, const char *section, const char *path)
{
    const json_t *s = section_of(form, section);
    if (!s) return NULL;
    const char *dot = strchr(path, '.');
    const json_t *f =
        find_in(json_object_get(s, "fields"), path, dot ? (size_t)(dot - path) : strlen(path));
    if (!f || !dot) return f;
    return find_in(json_object_get(f, "columns"), dot + 1, strlen(dot + 1));
}

static bool listed_required(const struct item *items, const char *section, const char *field)
{
    for (size_t i = 0; items[i].section; i++)
        if (items[i].required && strcmp(items[i].section, section) == 0 &&
            strcmp(items[i].field, field) == 0)
            return true;
    return false;
}

static void check_checklist(int form, const struct item *items)
{
    const char *name = form_names[form];
    for (size_t i = 0; items[i].section; i++) {
        const struct item *it = &items[i];
        const json_t *f = find_field(form, it->section, it->field);
        if (!f) {
            problem("%s: missing field %s/%s (%s)", name, it->section, it->field, it->type);
            continue;
        }
        const char *type = str(f, "type");
        if (!type || strcmp(type, it->type) != 0)
            problem("%s: %s/%s is %s, want %s", name, it->section, it->field,
                    type ? type : "(none)", it->type);
        if (json_is_true(json_object_get(f, "required")) != it->required)
            problem("%s: %s/%s must be %s", name, it->section, it->field,
                    it->required ? "required" : "optional");
    }
    /* No field is required unless the checklist says so. */
    size_t si;
    const json_t *s;
    json_array_foreach(json_object_get(forms[form], "sections"), si, s)
    {
        size_t fi;
        const json_t *f;
        json_array_foreach(json_object_get(s, "fields"), fi, f)
        {
            const char *sid = str(s, "id"), *fid = str(f, "id");
            if (json_is_true(json_object_get(f, "required")) && sid && fid &&
                !listed_required(items, sid, fid))
                problem("%s: %s/%s is required but the form does not mark it", name, sid, fid);
            size_t ci;
            const json_t *c;
            json_array_foreach(json_object_get(f, "columns"), ci, c)
            {
                if (json_is_true(json_object_get(c, "required")))
                    problem("%s: %s/%s.%s: a column is never required", name, sid, fid,
                            str(c, "id"));
            }
        }
    }
}

static void test_checklist(void **state)
{
    nproblems = 0;
    check_checklist(FORM_LIAISON, liaison_items);
    check_checklist(FORM_DDOS, ddos_items);
    check_checklist(FORM_RANSOMWARE, ransomware_items);
    assert_int_equal(nproblems, 0);
}

/* ---- choices ---------------------------------------------------------------------------- */

struct choice {
    const char *code, *ja, *group;
};

/* The values of a field are exactly want[] (code, ja and group; in this order). */
static void check_choices(int form, const char *section, const char *field,
                          const struct choice *want)
{
    const char *name = form_names[form];
    const json_t *f = find_field(form, section, field);
    const json_t *values = f ? json_object_get(f, "values") : NULL;
    if (!json_is_array(values)) {
        problem("%s: %s/%s has no values", name, section, field);
        return;
    }
    size_t n = 0;
    for (; want[n].code; n++) {
        const json_t *v = json_array_get(values, n);
        const char *code = str(v, "code"), *ja = str(v, "ja"), *group = str(v, "group");
        if (!v) {
            problem("%s: %s/%s: missing value %s %s", name, section, field, want[n].code,
                    want[n].ja);
            continue;
        }
        if (!code || strcmp(code, want[n].code) != 0)
            problem("%s: %s/%s: value %zu is %s, want %s", name, section, field, n,
                    code ? code : "?", want[n].code);
        if (want[n].ja && (!ja || strcmp(ja, want[n].ja) != 0))
            problem("%s: %s/%s: %s is labelled %s, want %s", name, section, field, want[n].code,
                    ja ? ja : "?", want[n].ja);
        if (want[n].group && (!group || strcmp(group, want[n].group) != 0))
            problem("%s: %s/%s: %s is in group %s, want %s", name, section, field, want[n].code,
                    group ? group : "(none)", want[n].group);
    }
    if (json_array_size(values) != n)
        problem("%s: %s/%s has %zu values, want %zu", name, section, field, json_array_size(values),
                n);
}

/* (c) domain.md §5.4 (a) and fig. 4 ①②. */
static void test_liaison_event_and_cause_types(void **state)
{
    nproblems = 0;
    static const struct choice events[] = {
        {"precursor", "予兆・ヒヤリハット", "not_occurred"},
        {"confidentiality", "情報の漏えい", "confidentiality"},
        {"integrity", "情報の破壊", "integrity"},
        {"availability", "システム等の利用困難", "availability"},
        {"malware_infection", "マルウェア等の感染", "leading"},
        {"malicious_code_execution", "不正コード等の実行", "leading"},
        {"intrusion", "システム等への侵入", "leading"},
        {"other", "その他", "leading"},
        {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "event_type", "event_type", events);

    static const struct choice causes[] = {
        {"suspicious_mail", "不審メール等の受信", "intentional"},
        {"id_spoofing", "ユーザID等の偽り", "intentional"},
        {"ddos_mass_access", "DDoS攻撃等の大量アクセス", "intentional"},
        {"information_theft", "情報の不正取得", "intentional"},
        {"insider", "内部不正", "intentional"},
        {"improper_operation", "適切なシステム運用等の未実施", "intentional"},
        {"user_operation_error", "ユーザの操作ミス", "accidental"},
        {"user_management_error", "ユーザの管理ミス", "accidental"},
        {"suspicious_file_executed", "不審なファイルの実行", "accidental"},
        {"suspicious_site_visited", "不審なサイトの閲覧", "accidental"},
        {"contractor_management_error", "外部委託先の管理ミス", "accidental"},
        {"equipment_failure", "機器等の故障", "accidental"},
        {"system_vulnerability", "システムの脆弱性", "accidental"},
        {"spread_from_other_sector", "他分野の障害からの波及", "accidental"},
        {"disaster_or_disease", "災害や疾病等", "environmental"},
        {"other", "その他", "other"},
        {"unknown", "不明", "other"},
        {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "cause_types", "cause_types", causes);

    /* the four cause classes, as printed */
    static const struct choice classes[] = {{"intentional", "意図的な原因", NULL},
                                            {"accidental", "偶発的な原因", NULL},
                                            {"environmental", "環境的な原因", NULL},
                                            {"other", "その他の原因", NULL}};
    const json_t *f = find_field(FORM_LIAISON, "cause_types", "cause_types");
    const json_t *groups = f ? json_object_get(f, "groups") : NULL;
    if (json_array_size(groups) != RK_ARRAY_LEN(classes))
        problem("liaison: cause_types has %zu classes, want 4", json_array_size(groups));
    for (size_t i = 0; i < RK_ARRAY_LEN(classes) && i < json_array_size(groups); i++) {
        const json_t *g = json_array_get(groups, i);
        if (!str(g, "code") || strcmp(str(g, "code"), classes[i].code) != 0 || !str(g, "ja") ||
            strcmp(str(g, "ja"), classes[i].ja) != 0)
            problem("liaison: cause class %zu is not %s %s", i, classes[i].code, classes[i].ja);
    }
    f = find_field(FORM_LIAISON, "event_type", "event_type");
    if (!f || strcmp(str(f, "type") ? str(f, "type") : "", "enum") != 0)
        problem("liaison: the event type is an enum (exactly one)");
    f = find_field(FORM_LIAISON, "cause_types", "cause_types");
    if (!f || strcmp(str(f, "type") ? str(f, "type") : "", "multi_enum") != 0)
        problem("liaison: the cause types are a multi_enum (any number)");

    /* other printed choices of the liaison form */
    static const struct choice severity[] = {{"alert", "警報", NULL},
                                             {"warning", "注意喚起", NULL},
                                             {"reference", "参考情報", NULL},
                                             {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "header", "severity", severity);
    static const struct choice status[] = {{"no_impact", "影響なし", NULL},
                                           {"stopped", "停止中", NULL},
                                           {"partly_running", "一部稼働中", NULL},
                                           {"restored", "復旧済", NULL},
                                           {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "overview", "system_status", status);
    static const struct choice press[] = {{"done", "済", NULL},
                                          {"planned", "予定有", NULL},
                                          {"none", "無", NULL},
                                          {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "timeline", "press_release", press);
    static const struct choice ppc[] = {{"done", "済", NULL},
                                        {"checking", "確認中", NULL},
                                        {"not_needed", "不要", NULL},
                                        {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "timeline", "ppc_contact", ppc);
    static const struct choice next[] = {{"ongoing", NULL, NULL},
                                         {"investigating", NULL, NULL},
                                         {"considering_measures", NULL, NULL},
                                         {"done", NULL, NULL},
                                         {NULL, NULL, NULL}};
    check_choices(FORM_LIAISON, "next_steps", "next_steps", next);

    f = find_field(FORM_LIAISON, "sharing", "tlp");
    if (!f || !str(f, "values_from") || strcmp(str(f, "values_from"), "tlp") != 0)
        problem("liaison: the TLP takes its values from \"tlp\"");
    f = find_field(FORM_LIAISON, "sector", "sector");
    if (!f || !str(f, "values_from") || strcmp(str(f, "values_from"), "sectors") != 0)
        problem("liaison: the sector takes its values from \"sectors\"");
    assert_int_equal(nproblems, 0);
}

/* (d) the DDoS attack types of §5.4 (b), each an ATT&CK technique labelled with its name. */
static void test_ddos_attack_types(void **state)
{
    nproblems = 0;
    static const struct choice types[] = {
        {"T1498", NULL, NULL},     {"T1498.001", NULL, NULL}, {"T1498.002", NULL, NULL},
        {"T1499", NULL, NULL},     {"T1499.001", NULL, NULL}, {"T1499.002", NULL, NULL},
        {"T1499.003", NULL, NULL}, {"T1499.004", NULL, NULL}, {"other", "その他", NULL},
        {"unknown", "不明", NULL}, {NULL, NULL, NULL}};
    check_choices(FORM_DDOS, "attack", "attacks.attack_type", types);

    static const struct {
        const char *id, *name;
    } names[] = {{"T1498", "Network Denial of Service"},
                 {"T1498.001", "Direct Network Flood"},
                 {"T1498.002", "Reflection Amplification"},
                 {"T1499", "Endpoint Denial of Service"},
                 {"T1499.001", "OS Exhaustion Flood"},
                 {"T1499.002", "Service Exhaustion Flood"},
                 {"T1499.003", "Application Exhaustion Flood"},
                 {"T1499.004", "Application or System Exploitation"}};
    const json_t *f = find_field(FORM_DDOS, "attack", "attacks.attack_type");
    const json_t *values = f ? json_object_get(f, "values") : NULL;
    for (size_t i = 0; i < RK_ARRAY_LEN(names); i++) {
        const json_t *t = technique(names[i].id);
        if (!t || !str(t, "name") || strcmp(str(t, "name"), names[i].name) != 0)
            problem("attack_techniques.json: %s is not \"%s\"", names[i].id, names[i].name);
        const char *en = str(json_array_get(values, i), "en");
        if (!en || strncmp(en, names[i].name, strlen(names[i].name)) != 0)
            problem("ddos: %s is not labelled with its ATT&CK name", names[i].id);
    }

    /* the other printed choices of the common forms */
    static const struct choice status[] = {{"no_impact", "影響無し", NULL},
                                           {"stopped", "停止中", NULL},
                                           {"partly_running", "一部稼働中", NULL},
                                           {"restored", "復旧済", NULL},
                                           {NULL, NULL, NULL}};
    static const struct choice kind[] = {
        {"new", "新規", NULL}, {"follow_up", "続報", NULL}, {NULL, NULL, NULL}};
    static const struct choice publication[] = {{"done", "実施済", NULL},
                                                {"planned", "実施予定", NULL},
                                                {"considering", "検討中", NULL},
                                                {"none", "予定無し", NULL},
                                                {NULL, NULL, NULL}};
    static const struct choice outlook[] = {{"ongoing", "事象継続中", NULL},
                                            {"continuing_measures", "対応策を継続中", NULL},
                                            {"done", "対応完了", NULL},
                                            {NULL, NULL, NULL}};
    for (int form = FORM_DDOS; form <= FORM_RANSOMWARE; form++) {
        check_choices(form, "affected_systems", "system_status", status);
        check_choices(form, "header", "report_kind", kind);
        check_choices(form, "next_steps", "publication", publication);
        check_choices(form, "next_steps", "outlook", outlook);
    }
    static const struct choice methods[] = {{"web_page", "ホームページ", NULL},
                                            {"press_conference", "記者会見", NULL},
                                            {"to_media", NULL, NULL},
                                            {"other", "その他", NULL},
                                            {NULL, NULL, NULL}};
    check_choices(FORM_RANSOMWARE, "next_steps", "publication_methods", methods);
    static const struct choice forensics[] = {{"done", NULL, NULL},
                                              {"planned", "実施予定", NULL},
                                              {"considering", "検討中", NULL},
                                              {"none", "予定なし", NULL},
                                              {NULL, NULL, NULL}};
    check_choices(FORM_RANSOMWARE, "next_steps", "forensics", forensics);
    assert_int_equal(nproblems, 0);
}

/* (e) the advice printed on the ransomware form: five items (domain.md §5.4 (c)). */
static void test_ransomware_advice(void **state)
{
    nproblems = 0;
    static const char *const keys[] = {"LANケーブルを抜く", "電源オフをしないこと",
                                       "フルスキャンをしないこと", "ネットワーク機器の再起動",
                                       "ファームウェアやOSのアップデートをしないこと"};
    const json_t *advice = json_object_get(forms[FORM_RANSOMWARE], "first_response_advice");
    if (!json_is_array(advice) || json_array_size(advice) != RK_ARRAY_LEN(keys))
        problem("ransomware: first_response_advice must have %zu items", RK_ARRAY_LEN(keys));
    for (size_t i = 0; i < RK_ARRAY_LEN(keys) && i < json_array_size(advice); i++) {
        const json_t *a = json_array_get(advice, i);
        static const char *const members[] = {"ja", "en", NULL};
        check_members(a, members, "ransomware: first_response_advice");
        const char *ja = str(a, "ja");
        if (!ja || !strstr(ja, keys[i]))
            problem("ransomware: advice %zu does not say %s", i + 1, keys[i]);
        if (!nonempty(a, "en")) problem("ransomware: advice %zu has no English", i + 1);
    }
    assert_int_equal(nproblems, 0);
}

/* ---- data/attack_techniques.json -------------------------------------------------------- */

static void test_attack_techniques(void **state)
{
    nproblems = 0;
    static const char *const members[] = {"source", "licence", "version", "techniques", NULL};
    static const char *const tmembers[] = {"id", "name", "domain", "revoked", "deprecated", NULL};
    check_members(attack, members, "attack_techniques.json");
    if (!nonempty(attack, "source") || !nonempty(attack, "version"))
        problem("attack_techniques.json: source and version are required");
    /* MITRE's licence: every copy reproduces the copyright designation and the licence. */
    const char *lic = str(attack, "licence");
    if (!lic ||
        !strstr(lic, "© 2025 The MITRE Corporation. This work is reproduced and "
                     "distributed with the permission of The MITRE Corporation.") ||
        !strstr(lic, "hereby grants you a non-exclusive, royalty-free license to use ATT&CK"))
        problem("attack_techniques.json: licence must carry MITRE's notice and licence");
    const json_t *list = json_object_get(attack, "techniques");
    if (!json_is_array(list) || json_array_size(list) < 100)
        problem("attack_techniques.json: techniques missing");
    size_t i, subs = 0;
    const json_t *t;
    const char *prev = NULL;
    json_array_foreach((json_t *)list, i, t)
    {
        const char *id = str(t, "id");
        check_members(t, tmembers, "attack_techniques.json: technique");
        if (!is_attack_id(id) || !nonempty(t, "name")) {
            problem("attack_techniques.json[%zu]: bad id or name", i);
            continue;
        }
        if (prev && strcmp(prev, id) >= 0)
            problem("attack_techniques.json: %s not after %s (sorted, unique)", id, prev);
        prev = id;
        if (strchr(id, '.')) {
            subs++;
            char parent[6];
            memcpy(parent, id, 5);
            parent[5] = '\0';
            if (!technique(parent)) problem("attack_techniques.json: %s has no parent", id);
        }
        const json_t *d = json_object_get(t, "domain");
        if (d && !(json_is_string(d) && strcmp(json_string_value(d), "ics") == 0))
            problem("attack_techniques.json: %s: domain is only given as \"ics\"", id);
        if (json_object_get(t, "revoked") && !json_is_true(json_object_get(t, "revoked")))
            problem("attack_techniques.json: %s: revoked is only given as true", id);
        if (json_object_get(t, "deprecated") && !json_is_true(json_object_get(t, "deprecated")))
            problem("attack_techniques.json: %s: deprecated is only given as true", id);
    }
    if (subs == 0) problem("attack_techniques.json: no sub-techniques");
    assert_int_equal(nproblems, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_value_sources),
        cmocka_unit_test(test_checklist),
        cmocka_unit_test(test_liaison_event_and_cause_types),
        cmocka_unit_test(test_ddos_attack_types),
        cmocka_unit_test(test_ransomware_advice),
        cmocka_unit_test(test_attack_techniques),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
