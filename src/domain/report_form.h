/*
 * report_form.h — incident report forms (data/forms/<name>.json, contract in data/forms/README.md):
 * checking a form definition, and validating a report's answers against it.
 *
 * A form definition is the parsed JSON of one data/forms file. A report's answers are an
 * object: section id → object of field id → value, typed as data/forms/README.md "Types and the
 * value a report carries" says. A field that is absent or null is "not given"; a field marked
 * required must be given (a quick report 速報 may leave everything else blank). A section that
 * is absent or null is one whose fields are all not given. A required text/textarea given as ""
 * counts as not given. On the liaison form 識別番号 is also required from the 2nd report on
 * (report_number ≥ 2; README liaison note 1); that rule is the liaison form's only (the
 * advisory form marks its 識別番号 required from the 1st advisory on).
 *
 * Errors are RFC 6901 pointers under the caller's prefix: "<prefix>/<section>/<field>" and,
 * inside lists and rows, "/<index>" and "/<index>/<column>". Rule names: the jv ones
 * ("type", "required", "unknown_field", "max_length", "max_items", "enum", "format",
 * "unique_items", "minimum", "utf8") plus "ip", "cidr", "port", "corporate_number",
 * "attack_technique", "datetime", "date", "email", "phone", "control_characters".
 * One error per value (a value of the wrong type is not looked into); a list with repeated
 * items gets one "unique_items", at the later item of the first repeat.
 *
 * Limits: lists without max_items hold at most 1000 items, text/textarea without max_len at
 * most 10000 code points; a date-time is at most 64 bytes, a phone number 32 characters, an
 * e-mail address 254; an attachment id is 1–18 decimal digits without a leading zero. Control
 * characters are U+0000–U+001F, U+007F–U+009F; a textarea allows the line feed (only), a text also
 * refuses U+2028/U+2029. port_list ranges are plain decimal "lo-hi" (no leading zeros, no blanks).
 *
 * Pure: no I/O, no globals; the reference sets the definitions name come in through struct
 * rf_refs. Returned JSON is owned by the caller.
 */
#ifndef REPORT_FORM_H
#define REPORT_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "domain/jv.h"

/* What values_from and attack-technique codes resolve against. Borrowed; may be NULL members
 * (then every code of that kind is refused). */
struct rf_refs {
    const json_t *sector_codes; /* JSON array of sector code strings (data/sectors.json order) */
    /* Is id a current (neither revoked nor deprecated) ATT&CK technique id? */
    bool (*technique_ok)(void *ctx, const char *id);
    void *technique_ctx;
};

/*
 * Checks a form definition against the contract of data/forms/README.md (members, types,
 * unique ids, enum codes, values_from sources, technique codes, annex/opt-out placement, rows
 * columns): the structural rules tests/unit/test_forms_data.c applies to the files. name must
 * be "liaison", "ddos" or "ransomware" (which rules apply depends on it; that it equals the
 * file name is the loader's check), or "advisory" (data/advisory/form.json, the national
 * centre's advisory form: no opt_out_group, annex, first_response_advice or identifying
 * anywhere, each "unknown_field"); field ids are unique within the whole form; every field
 * of a numbered section of the two common forms has opt_out_group = its section's id; each
 * annex 1–3 is on exactly one yesno field of the ransomware form; values_from "sectors"
 * needs refs->sector_codes. errs is reset first. RK_OK, or RK_EINVAL with errs (pointers
 * into the definition, prefix ""): the jv rules ("min_length"/"min_items" for empty strings
 * and arrays, "format" for an id that is not snake_case, "unknown_field" also for a member
 * the README allows only elsewhere) plus "attack_technique", "group" (value groups: unused or
 * not contiguous), "opt_out_group" and "annex".
 * The server refuses to start with a definition that fails.
 */
int rf_check_definition(const json_t *form, const struct rf_refs *refs, struct jv_errors *errs);

/*
 * Validates answers (see above) against form and returns the normalised answers in *out:
 * not-given fields dropped (and sections left with none), IP addresses in RFC 5952 /
 * dotted-quad form, CIDRs canonical, multi_enum codes in the order of the definition's values
 * (values_from: data/sectors.json order, TLP from CLEAR to RED), date-times as given (already
 * checked: RFC 3339 with an offset, minute precision or finer), everything else as given.
 * Members come out in the definition's order. Normalised answers validate again to
 * themselves. prefix is prepended to every error pointer (e.g. "/answers"). errs is NOT reset
 * (errors accumulate). RK_OK; RK_EINVAL with errs; RK_ENOMEM. *out is NULL unless RK_OK.
 */
int rf_validate(const json_t *form, const struct rf_refs *refs, const json_t *answers,
                const char *prefix, json_t **out, struct jv_errors *errs);

/* The field definition at section/field id (a field of the section, not a rows column), or
 * NULL. Borrowed from form. */
const json_t *rf_field(const json_t *form, const char *section, const char *field);

#endif
