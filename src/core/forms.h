/*
 * forms.h — the incident report forms (data/forms/<name>.json) and the ATT&CK technique list
 * (data/attack_techniques.json), loaded and checked at start-up. The definitions are data: a
 * form that breaks the contract of data/forms/README.md stops the server from starting.
 */
#ifndef FORMS_H
#define FORMS_H

#include <stddef.h>

#include <jansson.h>

#include "core/refdata.h"
#include "domain/report_form.h"

struct forms {
    json_t *byname;     /* name → form definition as in its file */
    json_t *summaries;  /* [{name, title_ja, title_en, version, source}] in name order */
    json_t *techniques; /* id → {"name", optional "revoked"/"deprecated": true, "domain"} */
    json_t *sectors;    /* array of sector codes, data/sectors.json order */
    struct rf_refs refs;
};

/*
 * Loads every every dir/forms/<name>.json and dir/attack_techniques.json, checking each form with
 * rf_check_definition. RK_OK with *out (free with forms_free); RK_EIO / RK_EINVAL / RK_ENOMEM
 * with err naming the file and the pointer of the first problem.
 */
int forms_load(const char *dir, const struct refdata *rd, struct forms **out, char *err,
               size_t errlen);
void forms_free(struct forms *f);

/* The definition named name, or NULL. Borrowed. */
const json_t *forms_get(const struct forms *f, const char *name);

/*
 * The definition as the API serves it: a deep copy in which every values_from is resolved into
 * "values" (sector codes with their names, TLP levels with their Japanese scope labels), so a
 * client can show the form without other lookups. NULL on ENOMEM. Caller owns.
 */
json_t *forms_resolved(const struct forms *f, const struct refdata *rd, const json_t *form);

#endif
