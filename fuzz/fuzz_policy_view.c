/*
 * fuzz_policy_view.c — libFuzzer target for policy_view(), the function that decides what of
 * an object a principal gets to see, and for the predicates it is built on
 * (policy_may_read(), policy_field_visible()).
 *
 * Input layout: the first HDR_LEN bytes build a pol_principal and a pol_scope (see
 * build_principal() and build_scope()); enum fields are usually drawn from a little past
 * their valid range and sometimes negative, because out-of-range values are the ones
 * policy.c promises to refuse. The rest is JSON text, normally {"obj": <any>, "labels":
 * <any>}; a document without "obj" is used whole as the object with no label map. Text that
 * does not parse still runs the predicates.
 *
 * Properties are checked with abort() so that a violation is reported as a crash. The same
 * file is linked with replay_main.c in ordinary builds to replay fuzz/corpus/fuzz_policy_view/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_LEN 24
/* One more than POL_MAX_MARKINGS so that ntlp > max is reachable; the extra slot also keeps
 * an out-of-contract read of tlp[ntlp - 1] inside the fuzzer's own memory. */
#define MAX_MARKINGS (POL_MAX_MARKINGS + 1)
#define MAX_NAMED 4

struct input {
    struct pol_principal p;
    struct pol_scope s;
    enum pol_tlp tlp[MAX_MARKINGS]; /* s.tlp holds only POL_MAX_MARKINGS */
    size_t ntlp;
    int64_t named[MAX_NAMED];
    bool pass_null_obj;
    bool drop_labels;
};

/* Identifiers collide on purpose (1..3), so owner, addressee and principal often coincide;
 * the extremes check that no arithmetic is done on them. */
static int64_t pick_id(uint8_t b)
{
    static const int64_t ids[] = {0, 1, 2, 3, -1, INT64_MAX, INT64_MIN, 1};
    return ids[b % 8];
}

/* An enum value: mostly in [0, n] (n itself is the first invalid value), occasionally
 * negative, since callers that cast an int can pass anything. */
static int pick_enum(uint8_t b, int n)
{
    return b >= 0xf0 ? (int)(int8_t)b : b % (n + 1);
}

static uint64_t pick_sectors(uint8_t b)
{
    /* The top bit reaches the last sector index so 64-bit masks are exercised end to end. */
    return (uint64_t)(b & 0x7f) | ((uint64_t)(b & 0x80) << 56);
}

static void build(const uint8_t *h, struct input *in)
{
    memset(in, 0, sizeof *in);
    struct pol_principal *p = &in->p;
    p->user_id = pick_id(h[0]);
    p->org_id = pick_id(h[1]);
    p->org_type = (enum pol_org_type)pick_enum(h[2], POL_ORG__COUNT);
    p->sectors = pick_sectors(h[3]);
    p->council = (enum pol_council)pick_enum(h[4], POL_COUNCIL_MEMBER + 1);
    p->designated = h[5] & 1;
    p->contractor = (h[5] >> 1) & 1;
    /* Bytes 6 and 21: bits 5..15 are roles nobody defined. */
    p->roles = (unsigned)h[6] | ((unsigned)h[21] << 8);

    struct pol_scope *s = &in->s;
    s->owner_org = pick_id(h[7]);
    s->sectors = pick_sectors(h[8]);
    in->ntlp = h[9] % (MAX_MARKINGS + 1);
    for (size_t i = 0; i < MAX_MARKINGS; i++)
        in->tlp[i] = (enum pol_tlp)pick_enum(h[10 + (i % 4)] ^ (uint8_t)(i / 4), POL_TLP_RED + 1);
    memcpy(s->tlp, in->tlp, sizeof s->tlp);
    s->ntlp = in->ntlp;
    s->tier = (enum pol_tier)pick_enum(h[14], POL_TIER_PUBLICATION + 1);
    s->labels = (unsigned)h[15] | ((unsigned)h[22] << 8);
    size_t nnamed = h[16] % (MAX_NAMED + 1);
    for (size_t i = 0; i < MAX_NAMED; i++)
        in->named[i] = pick_id(h[17 + i]);
    /* A non-zero count with a NULL list must be harmless (is_named() checks for it). */
    s->named = (h[16] & 0x08) ? NULL : in->named;
    s->nnamed = nnamed;
    /* Rare on purpose: these paths are short, and the rest deserve the executions. */
    in->pass_null_obj = (h[23] & 0x0f) == 0x0f;
    in->drop_labels = (h[23] & 0x30) == 0x30;
}

/* The ranges policy.c refuses (its header comment: unknown enum values, role or label bits,
 * too many markings), restated here independently. */
static bool principal_in_range(const struct pol_principal *p)
{
    return (unsigned)p->org_type < POL_ORG__COUNT && (unsigned)p->council <= POL_COUNCIL_MEMBER &&
           (p->roles & ~POL_ROLE__ALL) == 0;
}

static bool scope_in_range(const struct input *in)
{
    const struct pol_scope *s = &in->s;
    if (s->ntlp > POL_MAX_MARKINGS || (unsigned)s->tier > POL_TIER_PUBLICATION ||
        (s->labels & ~POL_LABEL__ALL) != 0)
        return false;
    for (size_t i = 0; i < s->ntlp; i++)
        if ((unsigned)s->tlp[i] > POL_TLP_RED) return false;
    return true;
}

static bool is_owner(const struct input *in)
{
    return in->p.user_id != 0 && in->p.org_id != 0 && in->p.org_id == in->s.owner_org;
}

/* Properties of the predicates alone; they need no JSON. */
static void check_predicates(const struct input *in)
{
    const struct pol_principal *p = &in->p;
    const struct pol_scope *s = &in->s;
    bool valid = principal_in_range(p) && scope_in_range(in);
    bool may = policy_may_read(p, s);

    /* Deny by default: nothing out of range is ever granted, not even to the owner. */
    if (!valid && may) abort();
    for (unsigned l = 0; l <= POL_LABEL__ALL + 1; l++) {
        bool vis = policy_field_visible(p, s, l);
        if (vis && (!valid || (l & ~POL_LABEL__ALL) != 0)) abort();
        if (valid && is_owner(in) && (l & ~POL_LABEL__ALL) == 0 && !vis) abort();
    }
    if (valid && is_owner(in) && !may) abort();
    if (!valid) return;

    /* "ntlp == 0 means unmarked, which is treated as RED". */
    struct pol_scope one = *s;
    if (s->ntlp == 0) {
        one.ntlp = 1;
        one.tlp[0] = POL_TLP_RED;
        if (policy_may_read(p, &one) != may) abort();
        return;
    }
    /* Several markings: visible only to those cleared for each of them. */
    bool all = true;
    for (size_t i = 0; i < s->ntlp; i++) {
        one.ntlp = 1;
        one.tlp[0] = s->tlp[i];
        all = all && policy_may_read(p, &one);
    }
    if (all != may) abort();
}

/* Decodes an RFC 6901 token in place; false when an escape is malformed. */
static bool unescape(char *t)
{
    char *w = t;
    for (const char *r = t; *r; r++) {
        if (*r != '~') {
            *w++ = *r;
        } else if (r[1] == '0' || r[1] == '1') {
            *w++ = r[1] == '0' ? '~' : '/';
            r++;
        } else {
            return false;
        }
    }
    *w = '\0';
    return true;
}

/* Resolves a pointer through objects only (arrays shift when elements are removed, so an
 * index cannot be compared between the input and the view). Returns NULL when the pointer
 * does not resolve or crosses an array. */
static const json_t *resolve_via_objects(const json_t *doc, const char *ptr)
{
    if (ptr[0] != '/') return NULL;
    char *copy = strdup(ptr + 1);
    if (!copy) abort();
    const json_t *cur = doc;
    char *tok = copy;
    for (;;) {
        char *slash = strchr(tok, '/');
        if (slash) *slash = '\0';
        if (!json_is_object(cur) || !unescape(tok)) {
            cur = NULL;
            break;
        }
        cur = json_object_get(cur, tok);
        if (!cur || !slash) break;
        tok = slash + 1;
    }
    free(copy);
    return cur;
}

/* True when `view` can be obtained from `in` by deleting object members and array elements:
 * a redacted view may lose data but never gain or alter any. Greedy matching of array
 * elements is exact here: taking the earliest fitting element never rules out a later fit. */
static bool contained(const json_t *view, const json_t *in)
{
    if (json_typeof(view) != json_typeof(in)) return false;
    if (json_is_object(view)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)view, key, v)
        {
            const json_t *w = json_object_get(in, key);
            if (!w || !contained(v, w)) return false;
        }
        return true;
    }
    if (json_is_array(view)) {
        size_t j = 0, n = json_array_size(in);
        for (size_t i = 0; i < json_array_size(view); i++) {
            const json_t *v = json_array_get(view, i);
            while (j < n && !contained(v, json_array_get(in, j)))
                j++;
            if (j == n) return false;
            j++;
        }
        return true;
    }
    return json_equal(view, in);
}

/* The label bits of one map entry, or false when the entry is malformed. */
static bool entry_labels(const json_t *names, unsigned *out)
{
    size_t i;
    const json_t *v;
    *out = 0;
    if (!json_is_array(names)) return false;
    json_array_foreach(names, i, v)
    {
        enum pol_label l;
        if (!json_is_string(v) || policy_label_parse(json_string_value(v), &l) != RK_OK)
            return false;
        *out |= (unsigned)l;
    }
    return true;
}

static void check_view(const struct input *in, const json_t *obj, const json_t *labels)
{
    const struct pol_principal *p = &in->p;
    const struct pol_scope *s = &in->s;
    json_t *before = obj ? json_deep_copy(obj) : NULL;
    json_t *labels_before = labels ? json_deep_copy(labels) : NULL;
    if ((obj && !before) || (labels && !labels_before)) abort();

    bool may = policy_may_read(p, s);
    json_t *out = (json_t *)(uintptr_t)1; /* must be overwritten on every path */
    int rc = policy_view(p, s, obj, labels, &out);

    if (rc != RK_OK && rc != RK_ENOTFOUND && rc != RK_EINVAL && rc != RK_ENOMEM) abort();
    if (rc == RK_OK && (out == NULL || !may)) abort();
    /* The caller owns and may edit the view, so it must not alias the input; true, false and
     * null are jansson singletons, the one case where sharing is what a deep copy does. */
    if (rc == RK_OK && out == obj && !json_is_boolean(obj) && !json_is_null(obj)) abort();
    if (rc != RK_OK && out != NULL) abort();
    if (obj == NULL) {
        if (rc != RK_EINVAL) abort();
        json_decref(labels_before);
        return;
    }
    /* policy_view takes const pointers: neither argument may change. */
    if (!json_equal(obj, before) || (labels && !json_equal(labels, labels_before))) abort();

    /* Whether the map is malformed must not depend on who asks: a valid owner gets the input
     * back in full exactly when the map is well formed. */
    const struct pol_principal owner = {
        .user_id = 1, .org_id = 1, .org_type = POL_ORG_OTHER, .roles = POL_ROLE_VIEWER};
    const struct pol_scope owned = {
        .owner_org = 1, .tlp = {POL_TLP_RED}, .ntlp = 1, .labels = POL_LABEL__ALL};
    json_t *ref = NULL;
    int ref_rc = policy_view(&owner, &owned, obj, labels, &ref);
    bool map_ok = ref_rc != RK_EINVAL;
    if (map_ok && (ref_rc != RK_OK || !json_equal(ref, obj))) abort();
    if ((rc == RK_EINVAL) != !map_ok) abort();
    json_decref(ref);

    bool valid = principal_in_range(p) && scope_in_range(in);
    if (valid && is_owner(in) && map_ok && (rc != RK_OK || !json_equal(out, obj))) abort();
    if (!may && rc == RK_OK) abort();

    if (map_ok && may) {
        /* The outcome follows from which entries p may not see: a hidden "" (the whole
         * document) is a not-found, anything else is a redaction, and nothing hidden means
         * the full object. */
        bool hidden_any = false, hidden_root = false;
        const char *key;
        json_t *names;
        json_object_foreach((json_t *)labels, key, names)
        {
            unsigned bits;
            if (!entry_labels(names, &bits))
                abort(); /* the map was accepted, so every entry must parse */
            if (policy_field_visible(p, s, bits)) continue;
            hidden_any = true;
            hidden_root = hidden_root || key[0] == '\0';
            /* A hidden member reached through objects only must be gone from the view. */
            if (rc == RK_OK && resolve_via_objects(obj, key) && resolve_via_objects(out, key))
                abort();
        }
        if (rc != RK_ENOMEM) {
            if (hidden_root ? rc != RK_ENOTFOUND : rc != RK_OK) abort();
            if (rc == RK_OK && !hidden_any && !json_equal(out, obj)) abort();
        }
    }
    if (rc == RK_OK && !contained(out, obj)) abort();

    json_decref(out);
    json_decref(before);
    json_decref(labels_before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HDR_LEN) return 0;
    struct input in;
    build(data, &in);
    check_predicates(&in);

    json_error_t err;
    json_t *doc = json_loadb((const char *)data + HDR_LEN, size - HDR_LEN,
                             JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!doc) {
        /* No object: the view must still refuse cleanly. */
        check_view(&in, NULL, NULL);
        return 0;
    }
    const json_t *obj = doc, *labels = NULL;
    if (json_is_object(doc) && json_object_get(doc, "obj")) {
        obj = json_object_get(doc, "obj");
        labels = json_object_get(doc, "labels");
    }
    if (in.drop_labels) labels = NULL;
    check_view(&in, in.pass_null_obj ? NULL : obj, labels);
    json_decref(doc);
    return 0;
}
