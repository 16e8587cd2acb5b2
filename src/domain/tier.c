/*
 * tier.c — product tiers, label maps, derivation and the release gate (tier.h is the
 * specification).
 *
 * Derivation walks the ORIGINAL body once, carrying the label entries whose pointers lead to
 * the value being copied (sorted by token, so the entries of one child are one contiguous
 * range found by binary search). Walking the original is what keeps indexes meaning original
 * positions while the copy's own indexes, and so the rewritten pointers, count only the items
 * kept. Subtrees no entry reaches are copied whole.
 */
#include "domain/tier.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"

/* The gate's rules, in the order errors are reported for one entry. */
static const struct {
    enum pol_label label;
    const char *rule;
} gate_rules[] = {
    {POL_LABEL_SECRET, "label_secret"},
    {POL_LABEL_COMMS_INFO, "label_comms_info"},
    {POL_LABEL_SOURCE_IDENTIFYING, "label_source_identifying"},
};

unsigned tier_forbidden(enum pol_tier tier)
{
    switch (tier) {
    case POL_TIER_NONE:
    case POL_TIER_COMPREHENSIVE:
        return 0;
    case POL_TIER_PROVISION:
        return POL_LABEL_COMMS_INFO;
    case POL_TIER_PUBLICATION:
        return POL_LABEL__ALL;
    }
    return POL_LABEL__ALL;
}

/* ---- labels and pointers ---------------------------------------------------------------- */

/* One label name; a string with an embedded NUL is not a name. */
static bool label_of(const json_t *v, enum pol_label *out)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
           policy_label_parse(json_string_value(v), out) == RK_OK;
}

/* The bits of one map value; false when it is not an array of known names. */
static bool entry_bits(const json_t *names, unsigned *out)
{
    size_t i;
    const json_t *v;
    *out = 0;
    if (!json_is_array(names)) return false;
    json_array_foreach(names, i, v)
    {
        enum pol_label l;
        if (!label_of(v, &l)) return false;
        *out |= (unsigned)l;
    }
    return true;
}

/* Fail-closed reading for functions that assume a checked map. */
static unsigned entry_bits_or_all(const json_t *names)
{
    unsigned bits;
    return entry_bits(names, &bits) ? bits : POL_LABEL__ALL;
}

/* Decodes the reference token after the '/' at *p into dst and NUL-terminates it; *p moves to
 * the next '/' or the end. dst needs room for the encoded token plus one byte. Returns false
 * for an escape other than "~0" or "~1". */
static bool token_decode(const char **p, char *dst)
{
    const char *c = *p + 1;
    for (; *c && *c != '/'; c++) {
        if (*c != '~') {
            *dst++ = *c;
        } else if (c[1] == '0' || c[1] == '1') {
            *dst++ = c[1] == '0' ? '~' : '/';
            c++;
        } else {
            return false;
        }
    }
    *dst = '\0';
    *p = c;
    return true;
}

/* "" or '/'-separated tokens with valid escapes. key is at most TIER_POINTER_MAX_LEN bytes. */
static bool pointer_well_formed(const char *key)
{
    char tok[TIER_POINTER_MAX_LEN + 1];
    if (key[0] != '\0' && key[0] != '/') return false;
    for (const char *p = key; *p;)
        if (!token_decode(&p, tok)) return false;
    return true;
}

/* RFC 6901 §4: "0" or digits without a leading zero, below size. */
static bool token_index(const char *tok, size_t size, size_t *index)
{
    size_t v = 0;
    if (tok[0] == '\0' || (tok[0] == '0' && tok[1] != '\0')) return false;
    for (const char *c = tok; *c; c++) {
        if (*c < '0' || *c > '9' || v > (SIZE_MAX - 9) / 10) return false;
        v = v * 10 + (size_t)(*c - '0');
    }
    if (v >= size) return false;
    *index = v;
    return true;
}

/* Does a well-formed key name a value inside body? */
static bool pointer_resolves(const json_t *body, const char *key)
{
    char tok[TIER_POINTER_MAX_LEN + 1];
    const json_t *cur = body;
    for (const char *p = key; *p && cur != NULL;) {
        size_t i;
        token_decode(&p, tok);
        if (json_is_object(cur))
            cur = json_object_get(cur, tok);
        else if (json_is_array(cur) && token_index(tok, json_array_size(cur), &i))
            cur = json_array_get(cur, i);
        else
            cur = NULL;
    }
    return cur != NULL;
}

/* ---- tier_labels_check ------------------------------------------------------------------ */

/* The pointer rules for one key (at = its error pointer); false when one is broken. */
static bool check_pointer(const json_t *body, const char *key, const char *at,
                          struct jv_errors *errs)
{
    if (strlen(key) > TIER_POINTER_MAX_LEN) {
        jv_error_add(errs, at, "max_length", "a label pointer is at most %d bytes",
                     TIER_POINTER_MAX_LEN);
        return false;
    }
    if (!pointer_well_formed(key)) {
        jv_error_add(errs, at, "format",
                     "not an RFC 6901 JSON Pointer (\"\" or \"/\" tokens, \"~\" only in "
                     "\"~0\" and \"~1\")");
        return false;
    }
    if (body != NULL && !pointer_resolves(body, key)) {
        jv_error_add(errs, at, "unresolved", "the pointer names nothing in the body");
        return false;
    }
    return true;
}

/* The rules for one map value; false when one is broken. */
static bool check_names(const json_t *names, const char *at, struct jv_errors *errs)
{
    size_t i;
    const json_t *v;
    unsigned seen = 0;
    bool ok = true;

    if (!json_is_array(names)) {
        jv_error_add(errs, at, "type", "an array of label names");
        return false;
    }
    if (json_array_size(names) == 0) {
        jv_error_add(errs, at, "min_items", "at least one label name");
        return false;
    }
    json_array_foreach(names, i, v)
    {
        char item[JV_POINTER_MAX], num[24];
        enum pol_label l;
        bool known = label_of(v, &l);
        if (known && !(seen & (unsigned)l)) {
            seen |= (unsigned)l;
            continue;
        }
        ok = false;
        snprintf(item, sizeof item, "%s", at);
        snprintf(num, sizeof num, "%zu", i);
        jv_pointer_append(item, sizeof item, num);
        if (!json_is_string(v))
            jv_error_add(errs, item, "type", "a label name is a string");
        else if (!known)
            jv_error_add(errs, item, "enum",
                         "one of \"secret\", \"comms_info\", \"source_identifying\"");
        else
            jv_error_add(errs, item, "unique_items", "label listed twice");
    }
    return ok;
}

int tier_labels_check(const json_t *body, const json_t *labels, struct jv_errors *errs)
{
    const char *key;
    json_t *names;
    bool ok = true;

    if (errs != NULL) {
        errs->n = 0;
        errs->dropped = 0;
    }
    if (body == NULL) {
        jv_error_add(errs, "/body", "required", "a product has a body");
        ok = false;
    }
    if (labels == NULL) return ok ? RK_OK : RK_EINVAL;
    if (!json_is_object(labels))
        return jv_error_add(errs, "/labels", "type", "an object of pointers to label names");
    if (json_object_size(labels) > TIER_MAX_LABELS)
        return jv_error_add(errs, "/labels", "max_items", "at most %d labelled values",
                            TIER_MAX_LABELS);
    json_object_foreach((json_t *)labels, key, names)
    {
        char at[JV_POINTER_MAX] = "/labels";
        jv_pointer_append(at, sizeof at, key);
        /* Both run: a bad pointer and a bad value are two errors. */
        bool pointer_ok = check_pointer(body, key, at, errs);
        bool names_ok = check_names(names, at, errs);
        ok = ok && pointer_ok && names_ok;
    }
    return ok ? RK_OK : RK_EINVAL;
}

/* ---- tier_labels_at, tier_gate ---------------------------------------------------------- */

unsigned tier_labels_at(const json_t *labels, const char *pointer)
{
    const char *key;
    json_t *names;
    unsigned bits = 0;

    if (labels == NULL || pointer == NULL) return 0;
    if (!json_is_object(labels)) return POL_LABEL__ALL;
    json_object_foreach((json_t *)labels, key, names)
    {
        size_t len = strlen(key);
        if (len == 0 ||
            (strncmp(key, pointer, len) == 0 && (pointer[len] == '\0' || pointer[len] == '/')))
            bits |= entry_bits_or_all(names);
    }
    return bits;
}

static bool gate_entry(const char *key, unsigned bits, enum pol_tier tier, struct jv_errors *errs)
{
    unsigned forbidden = tier_forbidden(tier);
    bool hit = false;
    for (size_t i = 0; i < RK_ARRAY_LEN(gate_rules); i++) {
        if (!(bits & forbidden & (unsigned)gate_rules[i].label)) continue;
        jv_error_add(errs, key, gate_rules[i].rule, "%s content may not be in a %s product",
                     policy_label_name(gate_rules[i].label), policy_tier_name(tier));
        hit = true;
    }
    return hit;
}

int tier_gate(const json_t *labels, enum pol_tier tier, struct jv_errors *errs)
{
    const char *key;
    json_t *names;
    bool hit = false;

    if (errs != NULL) {
        errs->n = 0;
        errs->dropped = 0;
    }
    if (labels == NULL) return RK_OK;
    if (!json_is_object(labels))
        return gate_entry("", POL_LABEL__ALL, tier, errs) ? RK_EINVAL : RK_OK;
    json_object_foreach((json_t *)labels, key, names) hit |=
        gate_entry(key, entry_bits_or_all(names), tier, errs);
    return hit ? RK_EINVAL : RK_OK;
}

/* ---- tier_derive ------------------------------------------------------------------------ */

/* One entry of a checked map. */
struct rule {
    const char *key;     /* borrowed from the map */
    const json_t *names; /* borrowed */
    unsigned bits;
    size_t ntok;
    char *text;    /* the decoded tokens, each NUL-terminated */
    char **tok;    /* ntok pointers into text */
    char *new_key; /* its pointer in the copy, once reached */
    bool removed;  /* it or an ancestor carries a forbidden label */
};

struct walk {
    struct rule **sorted; /* by tokens, see rule_cmp() */
    unsigned forbidden;
    /* The copy's pointer to the value being walked. Never longer than the key of an entry
     * that leads here: tokens are the same except indexes, which only shrink. */
    char path[TIER_POINTER_MAX_LEN + 1];
    size_t len;
};

static int rule_init(struct rule *r, const char *key, const json_t *names)
{
    r->key = key;
    r->names = names;
    entry_bits(names, &r->bits);
    for (const char *c = key; *c; c++)
        r->ntok += *c == '/';
    if (r->ntok == 0) return RK_OK;
    r->text = malloc(strlen(key)); /* the tokens without their '/' plus one NUL */
    r->tok = malloc(r->ntok * sizeof *r->tok);
    if (r->text == NULL || r->tok == NULL) return RK_ENOMEM;
    char *dst = r->text;
    size_t t = 0;
    for (const char *p = key; *p; t++) {
        r->tok[t] = dst;
        token_decode(&p, dst);
        dst += strlen(dst) + 1;
    }
    return RK_OK;
}

/* Shorter first, then bytes: a total order that sorts canonical indexes numerically. */
static int token_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* Token by token; a pointer sorts before the pointers inside it. */
static int rule_cmp(const void *pa, const void *pb)
{
    const struct rule *a = *(const struct rule *const *)pa;
    const struct rule *b = *(const struct rule *const *)pb;
    for (size_t i = 0; i < a->ntok && i < b->ntok; i++) {
        int c = token_cmp(a->tok[i], b->tok[i]);
        if (c != 0) return c;
    }
    return (a->ntok > b->ntok) - (a->ntok < b->ntok);
}

/* First index in [lo, hi) whose token at depth is >= tok (> tok when after). */
static size_t bound(const struct walk *w, size_t lo, size_t hi, size_t depth, const char *tok,
                    bool after)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = token_cmp(w->sorted[mid]->tok[depth], tok);
        if (c < 0 || (after && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool path_push(struct walk *w, const char *tok)
{
    size_t need = 1;
    for (const char *c = tok; *c; c++)
        need += (*c == '~' || *c == '/') ? 2 : 1;
    if (w->len + need > TIER_POINTER_MAX_LEN) return false;
    w->path[w->len++] = '/';
    for (const char *c = tok; *c; c++) {
        if (*c == '~' || *c == '/') {
            w->path[w->len++] = '~';
            w->path[w->len++] = *c == '~' ? '0' : '1';
        } else {
            w->path[w->len++] = *c;
        }
    }
    w->path[w->len] = '\0';
    return true;
}

static int walk_node(struct walk *w, const json_t *node, size_t lo, size_t hi, size_t depth,
                     json_t **out);

/* The copy of one child: `tok` names it in the original, `out_tok` in the copy. */
static int walk_child(struct walk *w, const json_t *child, const char *tok, const char *out_tok,
                      size_t lo, size_t hi, size_t depth, json_t **out)
{
    size_t a = bound(w, lo, hi, depth, tok, false);
    size_t b = bound(w, a, hi, depth, tok, true);
    size_t saved = w->len;
    int rc;

    if (a == b) {
        *out = json_deep_copy(child);
        return *out != NULL ? RK_OK : RK_ENOMEM;
    }
    if (!path_push(w, out_tok)) return RK_EINVAL; /* unreachable: see struct walk */
    rc = walk_node(w, child, a, b, depth + 1, out);
    w->len = saved;
    w->path[saved] = '\0';
    return rc;
}

static int walk_container(struct walk *w, const json_t *node, size_t lo, size_t hi, size_t depth,
                          json_t **out)
{
    json_t *copy = json_is_object(node) ? json_object() : json_array();
    json_t *child, *child_copy = NULL;
    const char *key;
    size_t i;
    int rc = RK_OK;

    if (copy == NULL) return RK_ENOMEM;
    if (json_is_object(node)) {
        json_object_foreach((json_t *)node, key, child)
        {
            rc = walk_child(w, child, key, key, lo, hi, depth, &child_copy);
            if (rc != RK_OK) goto cleanup;
            if (child_copy != NULL && json_object_set_new(copy, key, child_copy) != 0) {
                rc = RK_ENOMEM;
                goto cleanup;
            }
        }
    } else {
        json_array_foreach(node, i, child)
        {
            char tok[24], out_tok[24];
            snprintf(tok, sizeof tok, "%zu", i);
            snprintf(out_tok, sizeof out_tok, "%zu", json_array_size(copy));
            rc = walk_child(w, child, tok, out_tok, lo, hi, depth, &child_copy);
            if (rc != RK_OK) goto cleanup;
            if (child_copy != NULL && json_array_append_new(copy, child_copy) != 0) {
                rc = RK_ENOMEM;
                goto cleanup;
            }
        }
    }
    *out = copy;
    copy = NULL;
cleanup:
    json_decref(copy);
    return rc;
}

/* The copy of node, or *out = NULL when it is removed. sorted[lo, hi) are the entries whose
 * first `depth` tokens name node. */
static int walk_node(struct walk *w, const json_t *node, size_t lo, size_t hi, size_t depth,
                     json_t **out)
{
    *out = NULL;
    if (lo < hi && w->sorted[lo]->ntok == depth) { /* node's own entry sorts first */
        struct rule *self = w->sorted[lo];
        if (self->bits & w->forbidden) {
            for (size_t i = lo; i < hi; i++)
                w->sorted[i]->removed = true;
            return RK_OK;
        }
        self->new_key = strdup(w->path);
        if (self->new_key == NULL) return RK_ENOMEM;
        lo++;
    }
    if (lo == hi || !(json_is_object(node) || json_is_array(node))) {
        *out = json_deep_copy(node);
        return *out != NULL ? RK_OK : RK_ENOMEM;
    }
    return walk_container(w, node, lo, hi, depth, out);
}

int tier_derive(const json_t *body, const json_t *labels, enum pol_tier tier, json_t **out_body,
                json_t **out_labels)
{
    struct rule *rules = NULL;
    struct rule **sorted = NULL;
    struct walk w = {0};
    size_t n = 0, ninit = 0;
    json_t *copy = NULL, *map = NULL;
    const char *key;
    json_t *names;
    int rc;

    if (out_body != NULL) *out_body = NULL;
    if (out_labels != NULL) *out_labels = NULL;
    if (out_body == NULL || out_labels == NULL || body == NULL ||
        (unsigned)tier > POL_TIER_PUBLICATION || tier_labels_check(body, labels, NULL) != RK_OK)
        return RK_EINVAL;

    n = labels != NULL ? json_object_size(labels) : 0;
    rc = RK_ENOMEM;
    map = json_object();
    if (map == NULL) goto cleanup;
    if (n > 0) {
        rules = calloc(n, sizeof *rules);
        sorted = calloc(n, sizeof *sorted); /* NOLINT(bugprone-sizeof-expression): pointers */
        if (rules == NULL || sorted == NULL) goto cleanup;
        json_object_foreach((json_t *)labels, key, names)
        {
            sorted[ninit] = &rules[ninit];
            rc = rule_init(&rules[ninit++], key, names);
            if (rc != RK_OK) goto cleanup;
        }
        qsort(sorted, n, sizeof *sorted, rule_cmp); /* NOLINT(bugprone-sizeof-expression) */
    }
    w.sorted = sorted;
    w.forbidden = tier_forbidden(tier);
    rc = walk_node(&w, body, 0, n, 0, &copy);
    if (rc != RK_OK) goto cleanup;
    if (copy == NULL) copy = json_null(); /* "" carried a forbidden label */

    for (size_t i = 0; i < n; i++) {
        if (rules[i].removed) continue;
        /* Every entry of a checked map resolves, so the walk reached it; fail closed if not,
         * rather than let a kept value lose its labels. */
        rc = RK_EINVAL;
        if (rules[i].new_key == NULL) goto cleanup;
        rc = RK_ENOMEM;
        json_t *kept = json_deep_copy(rules[i].names);
        if (kept == NULL || json_object_set_new(map, rules[i].new_key, kept) != 0) goto cleanup;
    }
    *out_body = copy;
    *out_labels = map;
    copy = map = NULL;
    rc = RK_OK;

cleanup:
    for (size_t i = 0; i < ninit; i++) {
        free(rules[i].text);
        free(rules[i].tok);
        free(rules[i].new_key);
    }
    free(rules);
    free(sorted);
    json_decref(copy);
    json_decref(map);
    return rc;
}
