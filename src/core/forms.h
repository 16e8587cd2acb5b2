/*
 * forms.h — the incident report forms (data/forms/<name>.json), the advisory form and its
 * mapping from reports (data/advisory/form.json, data/advisory/from_reports.json) and the ATT&CK
 * technique list (data/attack_techniques.json), loaded and checked at start-up. The definitions
 * are data: a form that breaks the contract of data/forms/README.md (as data/advisory/README.md
 * adapts it for the advisory) stops the server from starting.
 */
#ifndef FORMS_H
#define FORMS_H

#include <stddef.h>

#include <jansson.h>

#include "core/refdata.h"
#include "domain/report_form.h"

struct forms {
    json_t *byname;     /* name → report form definition as in its file (not the advisory) */
    json_t *summaries;  /* [{name, title_ja, title_en, version, source}] in name order */
    json_t *techniques; /* id → {"name", optional "revoked"/"deprecated": true, "domain"} */
    json_t *sectors;    /* array of sector codes, data/sectors.json order */
    struct rf_refs refs;
    json_t *advisory;         /* data/advisory/form.json */
    json_t *advisory_mapping; /* data/advisory/from_reports.json */
};

/*
 * Loads every dir/forms/<name>.json, dir/advisory/form.json, dir/advisory/from_reports.json and
 * dir/attack_techniques.json. Each report form is checked with rf_check_definition; the
 * advisory form with rf_check_definition (name "advisory") and adv_check_form; the mapping with
 * adv_check_mapping against both. byname and summaries hold the report forms only (what
 * /api/v1/forms lists). RK_OK with *out (free with forms_free); RK_EIO / RK_EINVAL / RK_ENOMEM
 * with err naming the file and the pointer of the first problem.
 */
int forms_load(const char *dir, const struct refdata *rd, struct forms **out, char *err,
               size_t errlen);
void forms_free(struct forms *f);

/* The report form definition named name, or NULL. Borrowed. */
const json_t *forms_get(const struct forms *f, const char *name);

/* The advisory form definition (data/advisory/form.json). Borrowed; never NULL after a
 * successful forms_load. */
const json_t *forms_advisory(const struct forms *f);

/* The parsed data/advisory/from_reports.json (adv_from_report's mapping). Borrowed; never NULL
 * after a successful forms_load. */
const json_t *forms_advisory_mapping(const struct forms *f);

/*
 * The definition as the API serves it: a deep copy in which every values_from is resolved into
 * "values" (sector codes with their names, TLP levels with their Japanese scope labels), so a
 * client can show the form without other lookups. On the advisory form the text column
 * recipients/recipient_ministries/ministry also gets "values": the ministries of
 * data/ministries.json ({code, ja: name_ja, en: name_en}), which the printed form shows by
 * name. NULL on ENOMEM. Caller owns.
 */
json_t *forms_resolved(const struct forms *f, const struct refdata *rd, const json_t *form);

#endif
