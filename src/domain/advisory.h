/*
 * advisory.h — the advisory form (情報提供様式, data/advisory/form.json; its README lists how it
 * differs from the report-form contract and the rules enforced here): validating an advisory's
 * answers, the helpers the dissemination code needs (recipients, indicators), drafting an
 * advisory from an incident report, and the guard against naming the source.
 *
 * Answers have the shape of report answers (report_form.h): section id → object of field id →
 * value. Error pointers are RFC 6901 pointers under the caller's prefix, exactly as
 * rf_validate builds them: "<prefix>/<section>/<field>", "/<index>" inside lists and rows,
 * "/<index>/<column>" for a rows value.
 *
 * Rule names, besides rf_validate's (report_form.h):
 *   "assigned_by_platform"   adv_client_check: the client set a platform-assigned header field;
 *   "min_items"              recipient_ministries / recipient_sectors given as [];
 *   "unknown_ministry"       a ministry code that is not in data/ministries.json;
 *   "unique_items"           a repeated row (ministries; domains, URLs, (algorithm, value)
 *                            pairs, CVE ids, techniques, compared normalised): one per list, at
 *                            the later row of the first repeat ("<list>/<index>");
 *   "sector_not_covered"     a recipient sector no listed ministry is responsible for
 *                            ("/recipients/recipient_sectors/<index>", the client's index);
 *   "ministry_without_sector" a listed ministry responsible for none of the recipient sectors
 *                            ("/recipients/recipient_ministries/<index>/ministry");
 *   "attachments_mismatch"   "/content/attachments": files with has_attachments false, or none
 *                            with has_attachments true;
 *   "domain", "url", "hash", "cve_id"  the indicator value at ".../<index>/<column>";
 *   "names_source"           adv_names_check: a value naming the source.
 *
 * Indicator formats (README rules 5–9), checked after refanging (rule 7):
 *   domain  LDH labels of 1–63 octets (letters, digits, hyphens; no hyphen first or last),
 *           at least two labels, 253 octets in all, no trailing dot, last label not all
 *           digits. ASCII only: an IDN must be written as A-labels (xn--…). Stored lower-case.
 *   url     absolute http or https URI (RFC 3986, ASCII): scheme "://" [userinfo "@"] host
 *           [":" port 0–65535] then path/query/fragment made of RFC 3986 characters and
 *           %XX escapes; host a domain as above, a dotted-quad IPv4 address or a bracketed IPv6
 *           address. Stored with the scheme and host lower-cased.
 *   hash    hex digits, exactly 32 (md5), 40 (sha1), 64 (sha256) or 128 (sha512); stored
 *           lower-case.
 *   cve_id  CVE-YYYY-NNNN… (^CVE-[0-9]{4}-[0-9]{4,19}$, year ≥ 1999, prefix in any case);
 *           stored with "CVE-".
 * Refanging (domains and URLs): "[.]", "(.)", "{.}" → "." and "[:]" → ":" wherever they occur,
 * repeatedly (what a replacement forms is refanged too: "((.))" → "."), then a leading
 * "hxxp://" / "hxxps://" (any case) → "http://" / "https://". Refanged text contains none of
 * these, so normalised answers validate to themselves.
 *
 * Pure: no I/O, no globals. Every function leaves its JSON arguments unchanged. Errors go to a
 * caller-provided struct jv_errors that is NOT reset (errors accumulate); errs may be NULL
 * where noted.
 */
#ifndef ADVISORY_H
#define ADVISORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/refdata.h"
#include "domain/jv.h"
#include "domain/report_form.h"

#define ADV_FORM_NAME "advisory"

/* What the advisory rules resolve against; all borrowed, none kept. src/api/advisories.c
 * (refs_init) fills one from the loaded forms and reference data. */
struct adv_refs {
    struct rf_refs rf;                    /* as for report forms (sectors, ATT&CK) */
    const struct rd_ministry *ministries; /* src/core/refdata.h; borrowed */
    size_t nministries;
    const char *const *sector_codes; /* sector index i → code, nsectors entries (bit i of
                                        rd_ministry.sectors; data/sectors.json order) */
    size_t nsectors;
};

/*
 * Checks that an advisory form definition (already passed by rf_check_definition) has the
 * fields this module relies on, with their types: name "advisory"; header/severity (enum),
 * report_number (integer), identification_number (text), advisory_datetime (datetime);
 * recipients/recipient_ministries (rows, column ministry text), recipient_sectors
 * (multi_enum from sectors); sharing/tlp (enum from tlp); content/has_attachments (yesno),
 * attachments (attachment); the text fields drafts are written into; guidance/ip_addresses
 * (ip_list), cidrs (cidr_list), domains (rows: domain text), urls (rows: url text), hashes (rows:
 * algorithm enum with md5/sha1/sha256/sha512, value text), cve_ids (rows: cve_id text),
 * attack_techniques (rows: technique attack_technique). errs is reset first. RK_OK, or
 * RK_EINVAL with errors (rule "required" at "/sections" for a missing field, "type" at its
 * "/sections/<i>/fields/<k>/type", "enum" at "/name"). The server refuses to start otherwise.
 */
int adv_check_form(const json_t *form, struct jv_errors *errs);

/*
 * Refuses answers in which the client set what the platform assigns: header/
 * identification_number, header/report_number, header/advisory_datetime present and not null →
 * one error each at "<prefix>/header/<field>", rule "assigned_by_platform". Answers of any
 * other shape pass (adv_validate judges them). errs NOT reset; may be NULL. RK_OK or RK_EINVAL.
 */
int adv_client_check(const json_t *answers, const char *prefix, struct jv_errors *errs);

/*
 * Validates complete answers (the caller has already put the platform-assigned header values
 * in) against the advisory form: rf_validate (types, required, limits; its rule names and
 * pointers), then, only when that passes (a value the form's types refuse is not looked into
 * further), README rules 3–11 on its normalised answers:
 *   3  recipients: both lists non-empty ("min_items"); each ministry a code of refs
 *      ("unknown_ministry"), none twice ("unique_items" at the row); every recipient sector
 *      covered by a listed ministry ("sector_not_covered"; not judged while a ministry is
 *      unknown) and every listed ministry covering a recipient sector
 *      ("ministry_without_sector");
 *   4  "attachments_mismatch" (both directions, see above);
 *   5–9 indicator formats with refanging ("domain", "url", "hash", "cve_id"), see above;
 *   10 techniques: rf_validate's "attack_technique";
 *   11 distinct rows ("unique_items"), compared after normalisation.
 * On RK_OK *out is the normalised answers (rf_validate's normalisation, then domains refanged
 * and lower-cased, URLs refanged with scheme and host lower-cased, hashes lower-cased, CVE ids
 * with "CVE-"); validating *out again gives *out. The caller owns *out (json_decref); it is
 * NULL unless RK_OK. refs NULL: every sector and ministry is unknown. prefix NULL = "".
 * errs NOT reset. RK_OK / RK_EINVAL (errs) / RK_ENOMEM.
 */
int adv_validate(const json_t *form, const struct adv_refs *refs, const json_t *answers,
                 const char *prefix, json_t **out, struct jv_errors *errs);

/* The sector mask of answers.recipients.recipient_sectors (normalised answers): bit i for
 * refs->sector_codes[i]. Unknown codes and indexes ≥ 64 add nothing; 0 when refs is NULL. */
uint64_t adv_sectors(const struct adv_refs *refs, const json_t *answers);

/*
 * The ministry codes of answers.recipients.recipient_ministries, in row order: writes up to cap
 * of them to codes (borrowed pointers into answers: valid while answers is alive and
 * unchanged) and returns how many it wrote (≤ cap; rows without a string ministry are
 * skipped). The form allows 20 rows, so a cap of 20 or more holds every validated list.
 */
size_t adv_ministries(const json_t *answers, const char **codes, size_t cap);

/*
 * The machine-readable indicators of ③ (normalised answers) as one flat new JSON array, in the
 * form's order: {"type": "ipv4-addr"|"ipv6-addr"|"cidr"|"domain-name"|"url"|"file-hash"|
 * "vulnerability"|"attack-pattern", "value": "..."} plus "algorithm" (md5, sha1, sha256,
 * sha512) for "file-hash". Items that are not of the normalised shape are skipped. The caller
 * owns the result; NULL only when out of memory. [] for answers without indicators.
 */
json_t *adv_indicators(const json_t *answers);

/*
 * Checks data/advisory/from_reports.json (parsed) against the report forms (report_forms: an
 * object report form name → definition, as struct forms' byname) and the advisory form:
 *   {"source": "...", "note": "...", "forms": {"<report form>": [{"from": P, "to": Q,
 *    "note"?: "..."}, ...]}}
 * P is "/<section>/<field>" or "/<section>/<rows field>/<star>/<column>" of that report form
 * (<star> is the character "*": every row of the rows field), Q
 * "/<section>/<field>" of the advisory form that drafts may fill: header/severity,
 * sharing/special_notes, the text of ①–④ and the indicator fields of ③ (never the
 * platform-assigned header fields, recipients, tlp or attachments). The types must fit: text
 * or textarea into a text field, into domains/urls/cve_ids (one row per value) or into hashes
 * (the hex hashes found in it); enum into severity (its codes among the advisory's) or, like
 * attack_technique, into attack_techniques (ATT&CK ids only); ip_list into ip_addresses;
 * cidr_list into cidrs. (from, to) pairs are distinct per form. errs is reset first. RK_OK, or
 * RK_EINVAL with errors at "/forms/<name>/<index>/from" etc. (rules "required", "type",
 * "unknown_field", "enum" for an unknown report form, "mapping" for a path or pair that does not
 * fit, "unique_items"). The server refuses to start otherwise.
 */
int adv_check_mapping(const json_t *mapping, const json_t *advisory_form,
                      const json_t *report_forms, struct jv_errors *errs);

/*
 * Drafts advisory answers from an incident report's (normalised) answers: for every entry of
 * mapping.forms[report_form.name] (adv_check_mapping's format), the values at "from" (every row
 * of a rows field for <star>) are copied to "to": text joined with "\n" in entry and row order
 * (empty strings skipped); list items merged distinct in first-seen order (IP addresses and
 * CIDRs as given, hashes extracted from text as lower-case {algorithm by length, value}, ATT&CK
 * ids only); the severity from the first value found. sharing/tlp = tlp and
 * recipients/recipient_sectors = a copy of sector_codes_array when not NULL;
 * content/has_attachments = false (no file is copied). The platform-assigned header fields and
 * recipient_ministries are left out; members come in the form's order, sections without
 * content are left out.
 * *labels is a label map (tier.h format) for *answers: every value copied from a source that is
 * identifying — a section or field marked "identifying" in its form definition, the liaison
 * form's sender and operator sections, the reporter and opt_out sections of ddos/ransomware —
 * gets ["source_identifying"] at its destination: the whole text or severity field
 * ("/overview/overview"), each list item ("/guidance/ip_addresses/3", "/guidance/hashes/0").
 * A form the mapping does not list copies nothing. Both results are new references owned by the
 * caller. RK_OK; RK_EINVAL when an argument is not of its shape (a NULL pointer, a form without
 * a name, answers not an object, a mapping entry that does not resolve); RK_ENOMEM. On failure
 * both outputs are NULL. The draft is meant to be edited: it may exceed list limits or text
 * lengths, which adv_validate then reports.
 */
int adv_from_report(const json_t *mapping, const json_t *report_form, const json_t *report_answers,
                    const char *tlp, const json_t *sector_codes_array, json_t **answers,
                    json_t **labels);

/*
 * The reporter-name guard used at send time: every string value in answers (at any depth)
 * containing one of names[] (registered Japanese name, English name, corporate number) → one
 * error at that value's pointer under prefix, rule "names_source" (the first matching name
 * decides; the message gives the name's index only, never the name or a part of it).
 * Matching is on a projection of value and name: full-width ASCII (U+FF01–U+FF5E) as ASCII,
 * ASCII letters in any case, white space (U+3000 included), invisible format characters, ASCII
 * punctuation, dashes (U+2010–U+2015, U+2212), Japanese punctuation and brackets (、。・「」…)
 * left out; half-width katakana are NOT mapped to katakana. A name is matched by its core, the
 * name without legal forms at either end (株式会社, 一般社団法人, ㈱, (株)…; English words Co.,
 * Ltd., Inc., Corporation…, and a leading "The"), so "東都電力の件" and "Toto Electric Power
 * の件" are caught for 東都電力株式会社 / "Toto Electric Power Co., Inc."; a core under 3
 * characters is not used (then the whole name is matched). A name of 8 or more digits (a
 * corporate number) is matched on the value's digits alone, whatever separates them
 * ("7990-0010-00001", full-width digits). Names projecting to fewer than 2 characters, and
 * NULL names, are ignored. The list of legal forms and separators is in advisory.c.
 * Allocates nothing. errs NOT reset; may be NULL. RK_OK when nothing matches, RK_EINVAL
 * otherwise.
 */
int adv_names_check(const json_t *answers, const char *const *names, size_t nnames,
                    const char *prefix, struct jv_errors *errs);

#endif
