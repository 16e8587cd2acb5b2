/*
 * fuzz_report_validate.c — report answers (untrusted JSON) validated against the three real
 * forms, data/forms/{liaison,ddos,ransomware}.json, loaded once from the source tree
 * (RK_SOURCE_DIR, as the unit tests do: the targets run in the build tree). The bytes are also
 * offered to rf_check_definition as a form definition. Invariants (abort on breach):
 *   - rf_validate answers RK_OK, RK_EINVAL or RK_ENOMEM; RK_OK exactly when it added no
 *     error, and then (only then) it returns the normalised answers;
 *   - every error has a rule, a pointer under the caller's prefix and UTF-8 text;
 *   - the normalised answers hold only sections and fields of the form, no nulls, no empty
 *     sections; they validate again (with another prefix) and normalise to themselves, with
 *     the same dump (idempotence: stored reports stay valid input);
 *   - rf_check_definition answers RK_OK exactly when it reports no error; a definition it
 *     accepts can be used to validate answers (the input itself and {}) under the same rules.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/report_form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs beyond this only repeat what smaller ones exercise, slower. */
#define FUZZ_MAX_INPUT 65536
#define DATA_DIR RK_SOURCE_DIR "/data"

static const char *const names[] = {"liaison", "ddos", "ransomware"};
#define NFORMS (sizeof names / sizeof names[0])

static json_t *forms[NFORMS];
static json_t *techniques; /* id → technique */
static json_t *sector_codes;
static struct rf_refs refs;

static bool technique_ok(void *ctx, const char *id)
{
    const json_t *t = json_object_get(ctx, id);
    return t && !json_is_true(json_object_get(t, "revoked")) &&
           !json_is_true(json_object_get(t, "deprecated"));
}

static json_t *load(const char *rel)
{
    char path[1024];
    json_error_t je;
    snprintf(path, sizeof path, "%s/%s", DATA_DIR, rel);
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        /* Fuzzing against no form would test nothing: stop loudly. */
        fprintf(stderr, "fuzz_report_validate: cannot load %s: %s\n", path, je.text);
        abort();
    }
    return j;
}

/* Loads the forms and the reference lists once; they live until the process ends. */
static void load_once(void)
{
    if (forms[0]) return;
    json_t *attack = load("attack_techniques.json"), *sectors = load("sectors.json");
    techniques = json_object();
    sector_codes = json_array();
    if (!techniques || !sector_codes) abort();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(attack, "techniques"), i, t)
        json_object_set(techniques, json_string_value(json_object_get(t, "id")), t);
    json_array_foreach(json_object_get(sectors, "sectors"), i, t)
        json_array_append(sector_codes, json_object_get(t, "code"));
    json_decref(attack);
    json_decref(sectors);
    refs = (struct rf_refs){sector_codes, technique_ok, techniques};
    for (size_t k = 0; k < NFORMS; k++) {
        char rel[64];
        snprintf(rel, sizeof rel, "forms/%s.json", names[k]);
        forms[k] = load(rel);
        struct jv_errors errs = {0};
        if (rf_check_definition(forms[k], &refs, &errs) != RK_OK) abort();
    }
}

static void check_errors(const struct jv_errors *errs, size_t from, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = from; i < errs->n; i++) {
        const struct jv_error *e = &errs->e[i];
        if (!e->rule || strncmp(e->pointer, prefix, plen) != 0) abort();
        if (e->pointer[0] != '\0' && e->pointer[0] != '/') abort();
        json_t *p = json_string(e->pointer), *m = json_string(e->message);
        if (!p || !m) abort();
        json_decref(p);
        json_decref(m);
    }
}

/* The normalised answers name only the form's sections and fields, and hold no null and no
 * empty section. */
static void check_shape(const json_t *form, const json_t *out)
{
    const char *sid, *fid;
    const json_t *sec, *v;
    json_object_foreach((json_t *)out, sid, sec)
    {
        if (!json_is_object(sec) || json_object_size(sec) == 0) abort();
        json_object_foreach((json_t *)sec, fid, v)
        {
            if (json_is_null(v) || !rf_field(form, sid, fid)) abort();
        }
    }
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Validates answers against form and checks the invariants; strict_shape when form is one of
 * the real forms (whose sections are all objects with ids). */
static void check_validate(const json_t *form, const json_t *answers, bool strict_shape)
{
    /* Start from a partly filled list: errors must accumulate, not reset. */
    struct jv_errors errs = {0};
    jv_error_add(&errs, "/earlier", "type", "an earlier error");
    json_t *out = NULL;
    int rc = rf_validate(form, &refs, answers, "/answers", &out, &errs);
    if (rc == RK_ENOMEM) {
        if (out) abort();
        return;
    }
    if (errs.n < 1 || strcmp(errs.e[0].pointer, "/earlier") != 0) abort();
    check_errors(&errs, 1, "/answers");
    bool added = errs.n > 1 || errs.dropped > 0;
    if ((rc == RK_OK) == added) abort();
    if (rc != RK_OK) {
        if (rc != RK_EINVAL || out) abort();
        return;
    }
    if (!json_is_object(out)) abort();
    if (strict_shape) check_shape(form, out);

    struct jv_errors errs2 = {0};
    json_t *again = NULL;
    if (rf_validate(form, &refs, out, "", &again, &errs2) != RK_OK || errs2.n) abort();
    if (!json_equal(out, again)) abort();
    char *a = dump(out), *b = dump(again);
    if (a && b && strcmp(a, b) != 0) abort();
    free(a);
    free(b);
    json_decref(again);
    json_decref(out);
}

/* The bytes as a form definition. */
static void check_definition(const json_t *doc)
{
    struct jv_errors errs = {0};
    int rc = rf_check_definition(doc, &refs, &errs);
    check_errors(&errs, 0, "");
    if ((rc == RK_OK) != (errs.n == 0 && errs.dropped == 0)) abort();
    if (rc != RK_OK) {
        if (rc != RK_EINVAL) abort();
        return;
    }
    json_t *empty = json_object();
    if (!empty) return;
    check_validate(doc, empty, true);
    check_validate(doc, doc, true);
    json_decref(empty);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    load_once();
    json_error_t jerr;
    json_t *doc =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!doc) return 0;
    for (size_t k = 0; k < NFORMS; k++)
        check_validate(forms[k], doc, true);
    check_definition(doc);
    /* The input as a definition nobody checked: validation must stay safe on it too. */
    json_t *empty = json_object();
    if (empty) check_validate(doc, empty, false);
    json_decref(empty);
    json_decref(doc);
    return 0;
}
