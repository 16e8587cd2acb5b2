/*
 * fuzz_tier.c — libFuzzer target for the product tiers (tier.h): tier_labels_check(),
 * tier_gate(), tier_labels_at() and tier_derive() on the same input.
 *
 * Input: JSON text {"body": <any>, "labels": <any>, "tier": <integer>}; a missing member is
 * passed as NULL, and the tier is folded into -1..5 so that values outside enum pol_tier (which
 * derivation refuses and the gate treats as forbidding everything) stay common.
 *
 * Properties (checked with abort() so a violation is a crash):
 *   - return codes are the documented ones, and errs is filled exactly when the answer is
 *     RK_EINVAL;
 *   - derivation succeeds exactly when the check passes, the body is there and the tier is
 *     known (RK_ENOMEM aside); on failure both outputs are NULL;
 *   - the gate, on a checked map, reports one error per (entry, forbidden label), recomputed
 *     here from the map;
 *   - a derived pair passes the check and the gate for its tier, holds nothing the input did
 *     not (only members and items removed), is unchanged by deriving again, equals the input
 *     when no entry carries a forbidden label, and publication-from-provision equals
 *     publication directly;
 *   - no argument is modified.
 * The same file is linked with replay_main.c in ordinary builds to replay
 * fuzz/corpus/fuzz_tier/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/jv.h"
#include "domain/policy.h"
#include "domain/tier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) abort();                                                                      \
    } while (0)

/* Restated from tier.h, not taken from tier_forbidden(). */
static unsigned forbidden_of(int tier)
{
    switch (tier) {
    case POL_TIER_NONE:
    case POL_TIER_COMPREHENSIVE:
        return 0;
    case POL_TIER_PROVISION:
        return POL_LABEL_COMMS_INFO;
    default:
        return POL_LABEL__ALL;
    }
}

static bool tier_known(int tier)
{
    return tier >= POL_TIER_NONE && tier <= POL_TIER_PUBLICATION;
}

/* The bits of a checked entry. */
static unsigned entry_bits(const json_t *names)
{
    size_t i;
    const json_t *v;
    unsigned bits = 0;
    json_array_foreach(names, i, v)
    {
        enum pol_label l;
        CHECK(policy_label_parse(json_string_value(v), &l) == RK_OK);
        bits |= (unsigned)l;
    }
    return bits;
}

static unsigned popcount(unsigned v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* True when `out` can be obtained from `in` by deleting object members and array items. */
static bool contained(const json_t *out, const json_t *in)
{
    if (json_typeof(out) != json_typeof(in)) return false;
    if (json_is_object(out)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)out, key, v)
        {
            const json_t *w = json_object_get(in, key);
            if (w == NULL || !contained(v, w)) return false;
        }
        return true;
    }
    if (json_is_array(out)) {
        size_t j = 0, n = json_array_size(in);
        for (size_t i = 0; i < json_array_size(out); i++) {
            const json_t *v = json_array_get(out, i);
            while (j < n && !contained(v, json_array_get(in, j)))
                j++;
            if (j == n) return false;
            j++;
        }
        return true;
    }
    return json_equal(out, in);
}

static void check_rc(int rc, const struct jv_errors *errs)
{
    CHECK(rc == RK_OK || rc == RK_EINVAL);
    CHECK((rc == RK_EINVAL) == (errs->n + errs->dropped > 0));
}

/* Derivation of (body, labels) for tier; checked: whether tier_labels_check passed. */
static void check_derived(const json_t *body, const json_t *labels, int tier, bool checked)
{
    json_t sentinel = {0}; /* both outputs must be overwritten on every path */
    json_t *ob = &sentinel, *ol = &sentinel;
    struct jv_errors errs;
    int rc = tier_derive(body, labels, (enum pol_tier)tier, &ob, &ol);

    if (rc == RK_ENOMEM) {
        CHECK(ob == NULL && ol == NULL);
        return;
    }
    CHECK(rc == (checked && body != NULL && tier_known(tier) ? RK_OK : RK_EINVAL));
    if (rc != RK_OK) {
        CHECK(ob == NULL && ol == NULL);
        return;
    }
    CHECK(ob != NULL && json_is_object(ol));
    CHECK(ob != body || json_is_null(ob) || json_is_boolean(ob));
    CHECK(tier_labels_check(ob, ol, &errs) == RK_OK);
    CHECK(tier_gate(ol, (enum pol_tier)tier, &errs) == RK_OK && errs.n == 0);

    unsigned forbidden = forbidden_of(tier), root = 0;
    bool any = false;
    if (labels != NULL) {
        const char *key;
        json_t *names;
        json_object_foreach((json_t *)labels, key, names)
        {
            unsigned bits = entry_bits(names);
            any |= (bits & forbidden) != 0;
            if (key[0] == '\0') root = bits;
        }
    }
    if (root & forbidden) {
        CHECK(json_is_null(ob) && json_object_size(ol) == 0);
    } else {
        CHECK(contained(ob, body));
    }
    if (!any) {
        CHECK(json_equal(ob, body));
        CHECK(labels != NULL ? json_equal(ol, labels) : json_object_size(ol) == 0);
    }

    json_t *ob2 = NULL, *ol2 = NULL;
    rc = tier_derive(ob, ol, (enum pol_tier)tier, &ob2, &ol2);
    CHECK(rc == RK_OK || rc == RK_ENOMEM);
    if (rc == RK_OK) CHECK(json_equal(ob, ob2) && json_equal(ol, ol2));
    json_decref(ob2);
    json_decref(ol2);

    if (tier == POL_TIER_PUBLICATION) {
        json_t *pb = NULL, *pl = NULL;
        ob2 = ol2 = NULL;
        if (tier_derive(body, labels, POL_TIER_PROVISION, &pb, &pl) == RK_OK &&
            tier_derive(pb, pl, POL_TIER_PUBLICATION, &ob2, &ol2) == RK_OK)
            CHECK(json_equal(ob, ob2) && json_equal(ol, ol2));
        json_decref(pb);
        json_decref(pl);
        json_decref(ob2);
        json_decref(ol2);
    }
    json_decref(ob);
    json_decref(ol);
}

static void check_all(const json_t *body, const json_t *labels, int tier)
{
    struct jv_errors errs;
    int rc = tier_labels_check(body, labels, &errs);
    check_rc(rc, &errs);
    CHECK(tier_labels_check(body, labels, NULL) == rc);
    bool checked = rc == RK_OK;

    rc = tier_gate(labels, (enum pol_tier)tier, &errs);
    check_rc(rc, &errs);
    if (checked && labels != NULL) {
        const char *key;
        json_t *names;
        size_t expected = 0;
        json_object_foreach((json_t *)labels, key, names)
        {
            unsigned bits = entry_bits(names);
            expected += popcount(bits & forbidden_of(tier));
            /* Effective labels include the entry's own. */
            CHECK((tier_labels_at(labels, key) & bits) == bits);
        }
        CHECK(errs.n + errs.dropped == expected);
        for (size_t i = 0; i < errs.n; i++)
            CHECK(strncmp(errs.e[i].rule, "label_", 6) == 0);
    }
    check_derived(body, labels, tier, checked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (doc == NULL) return 0;

    const json_t *body = json_object_get(doc, "body");
    const json_t *labels = json_object_get(doc, "labels");
    json_int_t t = json_integer_value(json_object_get(doc, "tier"));
    int tier = (int)((t % 7 + 7) % 7) - 1;
    json_t *before = json_deep_copy(doc);
    CHECK(before != NULL);

    check_all(body, labels, tier);
    CHECK(json_equal(doc, before));

    json_decref(before);
    json_decref(doc);
    return 0;
}
