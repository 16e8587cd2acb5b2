/*
 * fuzz_jv.c — libFuzzer target for the request-body path: jv_scan() on the raw bytes,
 * then jansson, then jv_validate() against a schema shaped like organisation creation.
 *
 * The same file is linked with replay_main.c in ordinary builds so that the corpus in
 * fuzz/corpus/fuzz_jv/ runs as a regression test without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/jv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The depth the HTTP layer is expected to allow; deep enough for every real request. */
#define FUZZ_MAX_DEPTH 32

static const char *const org_kinds[] = {
    "national_centre", "ministry",    "core_operator", "ci_operator",        "ceptoar", "vendor",
    "vuln_intake",     "coordinator", "research",      "foreign_government", "other",   NULL};
static const char *const sector_names[] = {"information_communication",
                                           "finance",
                                           "aviation",
                                           "airport",
                                           "railway",
                                           "electricity",
                                           "gas",
                                           "government",
                                           "medical",
                                           "water",
                                           "logistics",
                                           "chemical",
                                           "credit_card",
                                           "petroleum",
                                           "port",
                                           NULL};
static const char *const tlp_levels[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL};

static const struct jv_field sector_item = {.type = JV_STRING, .enum_values = sector_names};
static const struct jv_field tag_item = {
    .type = JV_STRING, .min_len = 1, .max_len = 32, .format = JV_FMT_IDENT};

static const struct jv_field contact_fields[] = {
    {.name = "name",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 100,
     .format = JV_FMT_NO_CONTROL},
    {.name = "email", .type = JV_STRING, .flags = JV_REQUIRED, .format = JV_FMT_EMAIL},
    {.name = "phone", .type = JV_STRING, .flags = JV_NULLABLE, .format = JV_FMT_PHONE},
    {.name = "available_since", .type = JV_STRING, .format = JV_FMT_DATETIME},
};

static const struct jv_field org_fields[] = {
    {.name = "name",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "slug", .type = JV_STRING, .flags = JV_REQUIRED, .format = JV_FMT_IDENT},
    {.name = "kind", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = org_kinds},
    {.name = "corporate_number", .type = JV_STRING, .flags = JV_NULLABLE, .format = JV_FMT_CORPNUM},
    {.name = "sectors", .type = JV_ARRAY, .flags = JV_UNIQUE, .max_len = 20, .items = &sector_item},
    {.name = "tags", .type = JV_ARRAY, .flags = JV_UNIQUE, .items = &tag_item},
    {.name = "contact",
     .type = JV_OBJECT,
     .flags = JV_REQUIRED,
     .fields = contact_fields,
     .nfields = sizeof contact_fields / sizeof contact_fields[0]},
    {.name = "founded", .type = JV_STRING, .format = JV_FMT_DATE},
    {.name = "staff_count", .type = JV_INTEGER, .has_range = true, .min = 0, .max = 1000000},
    {.name = "tier",
     .type = JV_INTEGER,
     .flags = JV_NULLABLE,
     .has_range = true,
     .min = 1,
     .max = 3},
    {.name = "designated", .type = JV_BOOLEAN},
    {.name = "default_tlp", .type = JV_STRING, .enum_values = tlp_levels},
    {.name = "note", .type = JV_ANY_SCALAR, .max_len = 500},
};

static const struct jv_field org_create = {
    .type = JV_OBJECT, .fields = org_fields, .nfields = sizeof org_fields / sizeof org_fields[0]};

/* Properties that must hold for every input, checked so the fuzzer finds their violation
 * as a crash rather than silently. */
static void check_errors(const struct jv_errors *errs, int rc)
{
    if ((rc == RK_OK) != (errs->n == 0) || errs->n > JV_MAX_ERRORS ||
        (errs->dropped && errs->n != JV_MAX_ERRORS))
        __builtin_trap();
    for (size_t i = 0; i < errs->n; i++) {
        const struct jv_error *e = &errs->e[i];
        if (!e->rule || strnlen(e->pointer, sizeof e->pointer) == sizeof e->pointer ||
            strnlen(e->message, sizeof e->message) == sizeof e->message)
            __builtin_trap();
        if (e->pointer[0] != '\0' && e->pointer[0] != '/') __builtin_trap();
        /* Pointers and messages are sent back inside JSON, so they must be valid UTF-8. */
        json_t *p = json_string(e->pointer);
        json_t *m = json_string(e->message);
        if (!p || !m) __builtin_trap();
        json_decref(p);
        json_decref(m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jv_errors errs;
    int rc = jv_scan((const char *)data, size, FUZZ_MAX_DEPTH, &errs);
    if (rc != RK_OK) {
        if (rc != RK_ELIMIT || errs.n != 1) __builtin_trap();
        return 0;
    }
    /* The format checks are also exposed for direct use (CLI input): feed them the raw
     * bytes too, so inputs that are not JSON still exercise them. */
    for (int f = JV_FMT_NONE; f <= JV_FMT_NO_CONTROL; f++)
        (void)jv_check_format((enum jv_format)f, (const char *)data, size);

    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) return 0;
    rc = jv_validate(doc, &org_create, &errs);
    check_errors(&errs, rc);
    json_decref(doc);
    return 0;
}
