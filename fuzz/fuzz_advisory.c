/*
 * fuzz_advisory.c — advisory answers (untrusted JSON) validated by adv_validate against the real
 * advisory form and reference data, loaded once from the source tree (RK_SOURCE_DIR/data, via
 * refdata_load and forms_load as the server does). Invariants (abort on breach):
 *   - adv_validate answers RK_OK, RK_EINVAL or RK_ENOMEM; RK_OK exactly when it added no error,
 *     and then (only then) it returns the normalised answers;
 *   - every error has a rule and a pointer under the caller's prefix;
 *   - normalised answers validate again (another prefix) to themselves, with the same dump
 *     (refanging and case folding are idempotent); their indicators are an array of objects
 *     with a known type and a string value; the recipients helpers agree with the answers;
 *   - adv_client_check and adv_names_check (with names taken from the input) keep to their
 *     return codes and pointer prefix.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/forms.h"
#include "core/refdata.h"
#include "core/rk.h"
#include "domain/advisory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536
#define DATA_DIR RK_SOURCE_DIR "/data"

static struct refdata *rd;
static struct forms *forms;
static struct adv_refs refs;
static const char *codes[RD_MAX_SECTORS];

static void init(void)
{
    char err[512];
    if (forms) return;
    if (refdata_load(DATA_DIR, &rd, err, sizeof err) != RK_OK ||
        forms_load(DATA_DIR, rd, &forms, err, sizeof err) != RK_OK) {
        fprintf(stderr, "fuzz_advisory: %s\n", err);
        abort();
    }
    for (size_t i = 0; i < rd->nsectors; i++)
        codes[i] = rd->sectors[i].code;
    refs = (struct adv_refs){.rf = forms->refs,
                             .ministries = rd->ministries,
                             .nministries = rd->nministries,
                             .sector_codes = codes,
                             .nsectors = rd->nsectors};
}

static void check_errors(const struct jv_errors *e, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < e->n; i++)
        if (!e->e[i].rule || !e->e[i].rule[0] || strncmp(e->e[i].pointer, prefix, plen) != 0)
            abort();
}

static void check_indicators(const json_t *answers)
{
    static const char *const types[] = {"ipv4-addr",     "ipv6-addr",     "cidr",
                                        "domain-name",   "url",           "file-hash",
                                        "vulnerability", "attack-pattern"};
    json_t *ind = adv_indicators(answers);
    if (!ind) return; /* out of memory */
    size_t i;
    const json_t *x;
    json_array_foreach(ind, i, x)
    {
        const char *t = json_string_value(json_object_get(x, "type"));
        bool known = false;
        for (size_t k = 0; t && k < sizeof types / sizeof *types; k++)
            known |= strcmp(t, types[k]) == 0;
        if (!known || !json_is_string(json_object_get(x, "value"))) abort();
        if ((strcmp(t, "file-hash") == 0) != json_is_string(json_object_get(x, "algorithm")))
            abort();
    }
    json_decref(ind);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    init();
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!doc) return 0;
    struct jv_errors errs = {0};
    json_t *out = NULL;
    int rc = adv_validate(forms_advisory(forms), &refs, doc, "/answers", &out, &errs);
    if (rc != RK_OK && rc != RK_EINVAL && rc != RK_ENOMEM) abort();
    if ((rc == RK_OK) != (out != NULL)) abort();
    if (rc == RK_OK && (errs.n || errs.dropped)) abort();
    if (rc == RK_EINVAL && !errs.n) abort();
    check_errors(&errs, "/answers");
    if (rc == RK_OK) {
        struct jv_errors again_errs = {0};
        json_t *again = NULL;
        if (adv_validate(forms_advisory(forms), &refs, out, "/x", &again, &again_errs) != RK_OK ||
            !json_equal(out, again))
            abort();
        char *a = json_dumps(out, JSON_COMPACT), *b = json_dumps(again, JSON_COMPACT);
        if (a && b && strcmp(a, b) != 0) abort();
        free(a);
        free(b);
        json_decref(again);
        check_indicators(out);
        const char *m[32];
        size_t nm = adv_ministries(out, m, 32);
        if (nm == 0 || adv_sectors(&refs, out) == 0) abort(); /* both lists are non-empty */
        for (size_t i = 0; i < nm; i++)
            if (!m[i]) abort();
    }
    /* the other checks on the raw input: codes and prefixes only */
    errs = (struct jv_errors){0};
    rc = adv_client_check(doc, "/c", &errs);
    if ((rc == RK_OK) != (errs.n == 0)) abort();
    check_errors(&errs, "/c");
    const char *names[4] = {"東都電力", "toto electric", NULL, NULL};
    const json_t *ov = json_object_get(json_object_get(doc, "overview"), "overview");
    names[2] = json_string_value(ov);
    errs = (struct jv_errors){0};
    rc = adv_names_check(out ? out : doc, names, 3, "/n", &errs);
    if ((rc == RK_OK) != (errs.n == 0 && errs.dropped == 0)) abort();
    check_errors(&errs, "/n");
    json_decref(out);
    json_decref(doc);
    return 0;
}
