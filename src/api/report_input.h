/*
 * report_input.h — the envelope of an incident report as clients send it, shared by the API
 * (issue 4, to come) and `renkei report validate` so both give the same answers:
 *   {"form": "liaison" | "ddos" | "ransomware",   required: a name in data/forms
 *    "kind": "quick" | "detailed" | "follow_up",   required: 速報 / 詳報 / 続報
 *    "answers": { section id: { field id: value } }  required: validated by the form}
 */
#ifndef API_REPORT_INPUT_H
#define API_REPORT_INPUT_H

#include <jansson.h>

#include "core/forms.h"
#include "domain/jv.h"

/*
 * Checks doc (envelope and answers) and returns the normalised report in *out (caller owns).
 * errs is reset. RK_OK; RK_EINVAL with errs (pointers "/form", "/kind", "/answers/…");
 * RK_ENOMEM.
 */
int report_input_check(const struct forms *forms, const json_t *doc, json_t **out,
                       struct jv_errors *errs);

#endif
