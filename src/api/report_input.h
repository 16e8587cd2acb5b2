/*
 * report_input.h — the envelope of an incident report as clients send it, shared by the API
 * (POST /api/v1/incidents, /incidents/{id}/reports) and `renkei report validate` so both give
 * the same answers. Members (docs/incidents.md has the full table):
 *   form        "liaison" | "ddos" | "ransomware"                    required
 *   kind        "quick" | "detailed" | "follow_up" (速報 / 詳報 / 続報)   required
 *   answers     { section id: { field id: value } }, validated by the form   required
 *   tlp         "TLP:CLEAR" … "TLP:RED"   required, except on the liaison form (answers
 *               sharing/tlp); when both are given they must agree
 *   severity    "alert" | "warning" | "reference" (警報 / 注意喚起 / 参考情報)   required, except
 *               when the liaison answers carry header/severity; both given: must agree
 *   sectors     sector codes the incident concerns (liaison: defaults to answers sector/sector,
 *               which must be among them); default: the reporting organisation's sectors
 *   aware_at, provider_notified_at   RFC 3339 date-times; hosting "on_prem" | "iaas" |
 *               "paas_app" | "paas_platform" | "saas" (default on_prem): the awareness time
 *   event_class "occurred" | "trace" | "precursor" (liaison default: precursor for event type
 *               予兆・ヒヤリハット, else occurred; other forms: occurred)
 *   assets      ids of the reporting organisation's registered computers the event affects
 *   opt_out_groups   DDoS/ransomware: field groups not to be shared with the national centre;
 *               needs answers opt_out/opt_out = true, which alone opts out of every group
 *   attachments ids (decimal strings) of uploaded files listed on the report besides those the
 *               answers name
 *   on_behalf_of, anonymised   a CEPTOAR relaying for an operator (org id), anonymised or not
 */
#ifndef API_REPORT_INPUT_H
#define API_REPORT_INPUT_H

#include <jansson.h>

#include "core/forms.h"
#include "domain/jv.h"

#define RI_MAX_ASSETS 100
#define RI_MAX_ATTACHMENTS 50
#define RI_MAX_SECTORS 16

/*
 * Checks doc (envelope and answers) and returns the normalised report in *out (caller owns):
 * every member above present with its effective value (derived defaults filled in), except
 * sectors when they come from the organisation and aware_at / hosting when not given (the
 * incident keeps them, or on_prem for a new one). errs is reset.
 * RK_OK; RK_EINVAL with errs (pointers "/form", "/kind", "/answers/…", …); RK_ENOMEM.
 */
int report_input_check(const struct forms *forms, const json_t *doc, json_t **out,
                       struct jv_errors *errs);

/* The form's opt-out groups in printed order (the distinct opt_out_group values of its
 * fields): bit i of a report's opt-out mask is group i. Returns the count (≤ max). */
size_t report_opt_out_groups(const json_t *form, const char **groups, size_t max);

/* Unix ms of an RFC 3339 date-time as the forms accept it (minute precision allowed), or -1. */
long long report_parse_time(const char *s);

#endif
