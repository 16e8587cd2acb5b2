/*
 * tier.h — the three tiers of analysis products (domain.md §6.2): which labels a tier may
 * hold, the label map that marks a product's content, deriving a lower tier by removing what
 * it may not hold, and the release gate that refuses a product still carrying such content.
 *
 * A product is two JSON values side by side (docs/design-dissemination.md, decision 2): its
 * body (any JSON value) and its label map, an object from RFC 6901 JSON Pointers into the body
 * to arrays of label names ("secret", "comms_info", "source_identifying"), e.g.
 *     {"/summary/2": ["secret"], "/indicators/0": ["comms_info"], "/source": ["secret",
 *      "source_identifying"]}
 * The same map drives policy_view() for reads. Labels apply to the value a pointer names and
 * to everything inside it: a label on "/sections/2" covers "/sections/2/text". "" names the
 * whole body. Array items are labelled one by one ("/indicators/3"); "-" (after the last
 * item) and indexes with leading zeros name nothing.
 *
 * Pointers are compared as written: RFC 6901 escaping is canonical ("~0" for "~", "~1" for
 * "/", nothing else), and tier_labels_check() accepts array indexes only in canonical form,
 * so one value has exactly one pointer in a map that passes it.
 *
 * Pure: no I/O, no globals; only tier_derive() allocates, and its results belong to the
 * caller. No function modifies or keeps its JSON arguments. Errors go to a caller-provided
 * struct jv_errors (JV_MAX_ERRORS stored, the rest counted in `dropped`); every function that
 * takes one resets it first and also accepts NULL (the return code alone).
 */
#ifndef TIER_H
#define TIER_H

#include <jansson.h>

#include "domain/jv.h"
#include "domain/policy.h"

#define TIER_MAX_LABELS 10000     /* entries in one label map */
#define TIER_POINTER_MAX_LEN 1024 /* bytes of one pointer, escaped form as written */

/* The labels a tier may not hold (enum pol_label bits):
 *   POL_TIER_NONE, POL_TIER_COMPREHENSIVE: none;
 *   POL_TIER_PROVISION                   : comms_info;
 *   POL_TIER_PUBLICATION                 : comms_info | secret | source_identifying.
 * A value outside enum pol_tier forbids every label (POL_LABEL__ALL): a tier this module
 * cannot name has no content it may hold. */
unsigned tier_forbidden(enum pol_tier tier);

/*
 * Checks a label map against the body it labels. Rules, each an error at
 * "/labels/<key escaped as an RFC 6901 token>" unless stated:
 *   - labels is a JSON object ("type" at "/labels"); NULL means "no labels" and passes;
 *   - at most TIER_MAX_LABELS entries ("max_items" at "/labels"; entries are then not checked);
 *   - a key is at most TIER_POINTER_MAX_LEN bytes ("max_length"), "" or "/" followed by
 *     tokens in which every "~" is followed by "0" or "1" ("format"), and resolves to a value
 *     inside body ("unresolved": a missing member, an index past the end, "-", a leading zero,
 *     a step through a scalar);
 *   - a value is an array ("type"), not empty ("min_items"); each item is a string ("type",
 *     at "/labels/<key>/<index>"), one of the known label names ("enum", there) and appears
 *     once ("unique_items", at the later duplicate's index).
 * A key breaking a pointer rule is not resolved; its value is still checked. Errors follow
 * the map's order (jansson keeps insertion order); pointers longer than JV_POINTER_MAX are
 * cut by jv ("..."). body NULL: one error "required" at "/body" (the rest is still checked,
 * without resolving). Object keys holding NUL bytes (jansson's parser refuses them) are not
 * supported, in the body or the map.
 * Returns RK_OK, or RK_EINVAL when anything was wrong (errs then holds at least one error or
 * a non-zero dropped count).
 */
int tier_labels_check(const json_t *body, const json_t *labels, struct jv_errors *errs);

/*
 * The effective labels of the value at `pointer`: the union of the labels of its own entry and
 * of every ancestor's ("" is everyone's ancestor). An entry counts when its key equals
 * pointer or pointer continues it with "/" ("/a" covers "/a/b", not "/ab"); both are compared
 * as written. labels NULL or pointer NULL: 0. Meant for maps that passed tier_labels_check();
 * failing closed otherwise, an entry whose value is not an array of known names counts as
 * carrying every label, and a labels value that is not an object (nor NULL) as labelling the
 * whole body with every label.
 */
unsigned tier_labels_at(const json_t *labels, const char *pointer);

/*
 * The release gate: for each entry of the map (in the map's order) and each label it carries
 * that tier_forbidden(tier) includes, in the order secret, comms_info, source_identifying, one
 * error with pointer = the entry's key exactly as written (a body pointer, not "/labels/…"),
 * rule "label_secret" / "label_comms_info" / "label_source_identifying". Only an entry's own
 * labels are reported: a forbidden label on "/a" is one error, not one per value inside it.
 * No override exists. Returns RK_OK when nothing is forbidden, else RK_EINVAL.
 * Meant for maps that passed tier_labels_check(); malformed entries and maps fail closed as in
 * tier_labels_at() (a non-object map is reported at ""). labels NULL: RK_OK.
 */
int tier_gate(const json_t *labels, enum pol_tier tier, struct jv_errors *errs);

/*
 * Derives the product for `tier` from (body, labels). *out_body is a deep copy of body
 * without every value whose effective labels intersect tier_forbidden(tier): an object loses
 * the member, an array the item (later items shift down). *out_labels is the label map for the
 * copy: entries of removed values (and of values inside them) are dropped, the others keep
 * their label arrays and the input map's order, with pointers rewritten for the copy (an array
 * index past removed items of the same array is lowered by their number).
 * Guarantees: the pair passes tier_labels_check() and tier_gate(tier); every value that is not
 * removed is in the copy, unchanged except for removals inside it, with the same labels;
 * deriving again for the same tier changes nothing; deriving publication from a provision
 * product gives what deriving publication directly gives.
 * When the whole body is removed ("" carries a forbidden label), *out_body is JSON null and
 * *out_labels {}. POL_TIER_NONE and POL_TIER_COMPREHENSIVE remove nothing.
 * Returns RK_OK with *out_body and *out_labels set (the caller owns both: json_decref);
 * RK_EINVAL when labels fail tier_labels_check(), body is NULL, tier is outside enum
 * pol_tier or an out pointer is NULL; RK_ENOMEM. On failure both outputs are set to NULL
 * (when not NULL themselves).
 */
int tier_derive(const json_t *body, const json_t *labels, enum pol_tier tier, json_t **out_body,
                json_t **out_labels);

#endif
