/*
 * asset.h — a computer entry as an operator files it (特定重要電子計算機の届出, domain.md §4):
 * validation, the canonical form kept in the registry, field-level diffs, the inventory file
 * formats (CSV and JSON) and the statutory filing deadlines.
 *
 * An entry (the JSON an operator sends, and the canonical JSON the registry stores):
 *   ref            string 1..64 code points, no control characters: the operator's own
 *                  management number; unique among the organisation's live entries; the key
 *                  that matches inventory rows to filed entries
 *   facility       string 1..200: the facility / system the computer belongs to
 *   categories     array of 1..6 distinct "A".."F" (a device in several categories is one entry)
 *   in_place_at_enforcement  boolean, default false: already in place when the law took
 *                  effect (deadline: 6 months from the enforcement date)
 *   introduced_on  "YYYY-MM-DD" or null: date of introduction (導入日); required unless
 *                  in_place_at_enforcement is true
 *   changed_on     "YYYY-MM-DD" or null: date of the latest change (≥ introduced_on)
 *   retired_on     "YYYY-MM-DD" or null: date of retirement (≥ introduced_on)
 *   exemption      null or {"ground": "exclusive_design" | "general_purpose", "note": 0..2000}
 *                  (専用設計品 / 汎用品): a recorded decision; the entry stays in the registry
 *   ip_ranges      array of 0..256 distinct IPv4/IPv6 CIDRs ("203.0.113.0/24", "2001:db8::/48");
 *                  allowed only when categories has "A"
 *   products       array of 0..64 products:
 *       kind          "application" | "middleware" | "os" (software), "appliance", "cloud"
 *       name          string 1..200: product / hardware product / service name, exactly as filed
 *       manufacturer  string 1..200: manufacturer / provider, exactly as filed
 *       version       string 0..100 (software version, firmware version), optional
 *       service_model "saas" | "paas" | "iaas": cloud only, required for cloud
 *       cpe           optional CPE 2.3 formatted string (no embedded wildcards)
 *       cpe_source    optional "filed" | "derived" | null, so that a canonical entry is valid
 *                     input again: "derived" means "recompute" (the cpe given is replaced by
 *                     the one derived from the names, which may have been edited); "filed"
 *                     needs a cpe
 *       purl          optional Package URL
 *   notes          string 0..2000, optional
 * Rules beyond types: products and ip_ranges may not both be empty unless exemption is set;
 * dates are real calendar dates in 1970–9999 (the range deadlines are computed in); a CIDR's
 * host bits must be zero, and a bare address is one host (/32, /128); products are unique by
 * (kind, manufacturer, name), the key asset_diff matches them by. An empty string in an
 * optional text member (version, cpe, purl, notes, exemption.note) is the same as absent,
 * as an empty CSV cell is.
 *
 * Error rules (jv rule names, plus these): "required" (also: introduced_on missing while not
 * in place, "/introduced_on"; service_model missing for cloud; cpe missing while cpe_source is
 * "filed", "/products/<i>/cpe"), "date_order" ("/changed_on", "/retired_on" before
 * introduced_on), "format" (also a date outside 1970–9999), "not_allowed" ("/ip_ranges"
 * without category A; "/products/<i>/service_model" on a product that is not cloud),
 * "empty_entry" ("/products": no product, no range, no exemption), "cidr" ("/ip_ranges/<i>":
 * syntax, prefix length, or host bits set, naming the network meant), "unique_items" (also
 * "/ip_ranges/<i>" equal to an earlier range once canonical), "cpe" ("/products/<i>/cpe":
 * syntax or wildcards), "purl" ("/products/<i>/purl": syntax, or longer than PURL_MAX_LEN
 * once normalised, since the canonical form must be valid input), "duplicate"
 * ("/products/<i>/name", i the later of two products with one key). <i> is the index as
 * filed. A value reported by the schema is not reported again by a rule here.
 *
 * Canonical form (what is stored and compared): every member present (absent optional values
 * as null, booleans as false, arrays as []); categories sorted; ip_ranges canonical (IPv4
 * dotted quad, IPv6 RFC 5952 lower case, compressed) and sorted as strings; products sorted by
 * (kind, manufacturer, name, version; byte order, a null version first) and each product
 * completed with
 *       "cpe":        canonical CPE (cpe_format) — the filed one, else one derived with
 *                     cpe_from_product (part 'o' for os, 'h' for appliance, else 'a'), else null
 *       "cpe_source": "filed" | "derived" | null
 *       "purl":       canonical purl (purl_format) or null
 *       "version", "service_model": null when absent.
 * Two entries are the same filing exactly when their canonical JSON dumps (JSON_COMPACT |
 * JSON_SORT_KEYS) are equal strings. Canonicalising a canonical entry gives it back unchanged.
 *
 * Pure: no I/O, no globals. Returned JSON is owned by the caller (json_decref); error
 * pointers are RFC 6901 under the caller's prefix.
 */
#ifndef ASSET_H
#define ASSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/deadline.h"
#include "domain/jv.h"

#define ASSET_MAX_PRODUCTS 64
#define ASSET_MAX_RANGES 256
#define ASSET_INVENTORY_MAX_ROWS 200000 /* CSV data rows or JSON entries in one upload */

/* Category bits: A = bit 0 … F = bit 5. */
#define ASSET_CAT_ALL 0x3fu
/* "A;D" style mask from a canonical categories array (0 on anything else). */
unsigned asset_categories_mask(const json_t *categories);

/* The schema of one entry (for jv_validate and the OpenAPI test). */
extern const struct jv_field asset_entry_schema;

/*
 * Validates one entry (schema and cross-field rules) and returns its canonical form in *out.
 * prefix is prepended to every error pointer ("" for a single entry, "/entries/3" in a JSON
 * inventory). RK_OK; RK_EINVAL with errs filled (errs is NOT reset: errors accumulate across
 * entries; past JV_MAX_ERRORS they are counted in errs->dropped) and *out NULL; RK_ENOMEM.
 * out and errs must not be NULL (RK_EINVAL).
 */
int asset_canonical(const json_t *entry, const char *prefix, json_t **out, struct jv_errors *errs);

/* Canonical string of a canonical entry (caller frees with free()); NULL on ENOMEM. */
char *asset_canonical_dump(const json_t *canon);

/*
 * Field-level changes from canonical entry a to canonical entry b, as a new JSON array of
 * {"op": "add" | "remove" | "replace", "path": JSON Pointer, "old": value?, "new": value?}
 * ("old" absent for add, "new" absent for remove). Scalars and whole arrays of scalars
 * (categories, ip_ranges) are compared by value ("replace" on the member); products are matched
 * by (kind, manufacturer, name): a matched product with other differences gives one "replace"
 * per differing member ("/products/<index in b>/version"); an unmatched product in b is "add"
 * "/products/<index in b>" with the product, one in a is "remove" "/products/<index in a>".
 * An empty array when a and b are equal. NULL on ENOMEM.
 * Order: entry members in the order listed above (exemption, an object, is replaced whole);
 * within products, removals first (ascending index in a), then additions and changes in b's
 * order, a product's members in the order listed above. Values are copies.
 */
json_t *asset_diff(const json_t *a, const json_t *b);

/*
 * Inventory files. Both give an array of raw entries (not yet canonical) in *entries, and
 * their source position for error messages.
 *
 * JSON: {"entries": [entry, ...]} — errors point into the document ("/entries/7/facility").
 * A leading BOM is skipped; other root members are "unknown_field"; not JSON is "json_syntax"
 * (pointer ""), nesting past 16 levels "max_depth".
 *
 * CSV (RFC 4180; UTF-8, a leading BOM is skipped; CRLF or LF; quoted fields may hold commas,
 * quotes as "" and line breaks). The first line is the header; columns may come in any order,
 * unknown or repeated column names are errors, "ref" is required, the others optional:
 *   ref, facility, categories ("A;D"), in_place_at_enforcement ("true"/"false"/"1"/"0"/""),
 *   introduced_on, changed_on, retired_on, exemption_ground, exemption_note,
 *   ip_ranges ("cidr;cidr"), notes,
 *   product_kind, product_name, manufacturer, product_version, service_model, cpe, purl
 * One row per product; the rows of one entry are consecutive rows with the same ref and must
 * agree on every entry-level column (a ref seen again after other rows is a duplicate: error).
 * A row with all product columns empty adds no product and is allowed only as the entry's
 * only row (an entry with only IP ranges, or an exempt one). Empty cells are absent values.
 * Errors point at "/rows/<line>/<column>" where line is the 1-based physical line where the
 * row starts (the header is line 1; CRLF, LF and a lone CR each end a line, also inside
 * quotes).
 *
 * Leniency, where spreadsheets differ and the meaning is certain: header names ignore case and
 * surrounding blanks; rows whose cells are all empty are skipped; cells of columns other than
 * the text columns (ref, facility, exemption_note, notes, product_name, manufacturer,
 * product_version — kept byte for byte) are trimmed of spaces and tabs; categories are
 * letters separated by ";" with optional blanks, in either case ("a; d" is ["A","D"]; "AD" or
 * "A,D" is not accepted, it reaches the schema as one item); list items left empty are
 * dropped; booleans, product_kind, service_model and exemption_ground ignore case; a date may
 * be written "2026/5/31" (Excel's Japanese date format). A quote inside an unquoted cell is an
 * ordinary character. Rows of one ref agree when their values agree once converted ("A;D"
 * and "A; D"); any other row in between, even a faulty one, ends the run.
 *
 * CSV errors: "encoding" ("/rows/<line>": NUL or invalid UTF-8 — the message says to save as
 * "CSV UTF-8", since Excel in Japan writes Shift_JIS — checked before anything else; the only
 * error then); "csv_syntax" ("/rows/<line>[/<column>]": a quote never closed, named by the
 * line it opens on, or text after a closing quote; parsing stops there); "unknown_field" /
 * "duplicate" ("/rows/1/<name as written>": unknown or repeated column); "required"
 * ("/rows/1/ref": no header or no ref column; "/rows/<line>/ref": empty ref;
 * "/rows/<line>/product_kind": a row without a product in an entry of several rows);
 * "field_count" ("/rows/<line>": not as many fields as the header); "enum"
 * ("/rows/<line>/in_place_at_enforcement": not true/false/1/0); "duplicate"
 * ("/rows/<line>/ref": a ref already used, reported once per run of rows); "conflict"
 * ("/rows/<line>/<column>": differs from the entry's first row).
 *
 * Both: RK_OK; RK_EINVAL with errs (not reset; accumulates); RK_ELIMIT past
 * ASSET_INVENTORY_MAX_ROWS (one error, rule "max_items", pointer "/entries" or "/rows"; this
 * call's other errors are withdrawn); RK_ENOMEM. *entries is owned by the caller. For CSV,
 * *linemap (owned by the caller) is an array parallel to *entries: for entry i, the array of
 * the starting lines of its rows (row j holds product j). *entries and *linemap are NULL
 * unless RK_OK. Time and memory are linear in the input.
 */
int asset_inventory_json(const char *buf, size_t len, json_t **entries, struct jv_errors *errs);
int asset_inventory_csv(const char *buf, size_t len, json_t **entries, json_t **linemap,
                        struct jv_errors *errs);
/* Maps an entry-relative pointer from asset_canonical ("/products/2/cpe", "/exemption/ground",
 * "/ip_ranges/3") to the CSV pointer "/rows/<line>/<column>" ("/rows/14/cpe",
 * "/rows/12/exemption_ground", "/rows/12/ip_ranges") using the entry's lines from *linemap:
 * product fields use the line of that product's row, entry fields the entry's first line.
 * A pointer naming no CSV column ("", "/products", "/products/2/cpe_source") gives
 * "/rows/<line>"; with no lines, "/rows". out is always NUL-terminated (truncated to cap). */
void asset_csv_pointer(const char *entry_ptr, const json_t *entry_lines, char *out, size_t cap);

/* Filing deadlines (data/filing_rules.json). */
struct asset_rules {
    int months_new;      /* 4: new computer, from introduced_on */
    int months_in_place; /* 6: in place at enforcement, from the enforcement date */
    int months_change;   /* 4: a change (or retirement), from changed_on / retired_on */
    bool have_enforcement;
    struct dl_date enforcement;
    int due_window_days;    /* an unfiled item is "due" this many days before its deadline */
    int quick_report_hours; /* incident reports: the quick report's target (速報, "promptly") */
};

enum asset_filing_kind { ASSET_FILING_NEW = 0, ASSET_FILING_CHANGE, ASSET_FILING_RETIRE };

/*
 * The deadline of a filing of `kind` for canonical entry `canon`: NEW → in_place ? enforcement
 * + months_in_place : introduced_on + months_new; CHANGE → changed_on + months_change;
 * RETIRE → retired_on + months_change; but an event dated before the enforcement date (when
 * set) runs from the enforcement date with months_in_place, as the state in place then. Each
 * through dl_deadline_months with fn/ctx for national holidays. RK_OK; RK_ENOTFOUND when the
 * deadline cannot be computed (the date it runs from is null, or the enforcement date is not set);
 * RK_EINVAL on a bad date. The event date used is written to *from when from is not NULL (on RK_OK
 * only). An unknown kind, or NULL rules / canon / out, is RK_EINVAL; so is a deadline past
 * 9999-12-31.
 */
int asset_deadline(const struct asset_rules *rules, enum asset_filing_kind kind,
                   const json_t *canon, dl_holiday_fn fn, void *ctx, struct dl_date *from,
                   struct dl_date *out);

#endif
