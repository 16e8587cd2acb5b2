/*
 * fuzz_report_envelope.c — a whole incident report as clients send it (untrusted JSON: the
 * envelope of src/api/report_input.h with its answers), checked by report_input_check against
 * the real forms and reference data loaded once from the source tree (RK_SOURCE_DIR/data).
 * This is what POST /api/v1/incidents and `renkei report validate` run first. Invariants
 * (abort on breach):
 *   - the answer is RK_OK, RK_EINVAL or RK_ENOMEM; RK_OK exactly when no error was reported,
 *     and then (only then) a normalised report is returned;
 *   - every error has a rule and a pointer starting with "/" (or "" for the root);
 *   - a normalised report has form, kind, tlp, severity and event_class strings and
 *     checks again to the same document (stored reports stay valid input).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/report_input.h"
#include "core/forms.h"
#include "core/refdata.h"
#include "core/rk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536
#define DATA_DIR RK_SOURCE_DIR "/data"

static struct forms *forms;

static void init(void)
{
    static struct refdata *rd;
    char err[512];
    if (forms) return;
    if (refdata_load(DATA_DIR, &rd, err, sizeof err) != RK_OK ||
        forms_load(DATA_DIR, rd, &forms, err, sizeof err) != RK_OK) {
        fprintf(stderr, "fuzz_report_envelope: %s\n", err);
        abort();
    }
}

static void check_errors(const struct jv_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        if (!e->e[i].rule[0] || (e->e[i].pointer[0] && e->e[i].pointer[0] != '/')) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    init();
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!doc) return 0;
    struct jv_errors errs;
    json_t *out = NULL;
    int rc = report_input_check(forms, doc, &out, &errs);
    if (rc != RK_OK && rc != RK_EINVAL && rc != RK_ENOMEM) abort();
    if ((rc == RK_OK) != (out != NULL)) abort();
    if (rc == RK_OK && (errs.n || errs.dropped)) abort();
    if (rc == RK_EINVAL && !errs.n) abort();
    check_errors(&errs);
    if (rc == RK_OK) {
        static const char *const keys[] = {"form", "kind", "tlp", "severity", "event_class"};
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (!json_is_string(json_object_get(out, keys[i]))) abort();
        json_t *again = NULL;
        if (report_input_check(forms, out, &again, &errs) != RK_OK || !json_equal(out, again))
            abort();
        json_decref(again);
    }
    json_decref(out);
    json_decref(doc);
    return 0;
}
