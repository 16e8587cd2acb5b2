/*
 * unit_json.h — JSON helpers the unit test programs share (cmocka, jansson). Include after
 * <cmocka.h>. Each program includes it once; the helpers are static so every program keeps its
 * own copy without a library to link.
 */
#ifndef UNIT_JSON_H
#define UNIT_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/jv.h"

/* Parses test JSON (duplicate keys refused, any value); fails the test on a syntax error. */
static inline json_t *ut_json(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!v) fail_msg("bad JSON in test (%s): %s", e.text, text);
    return v;
}

/* As ut_json, with ' written for " (JSON inside C strings stays readable). */
static inline json_t *ut_json_q(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    json_t *v = ut_json(s);
    free(s);
    return v;
}

/* Prints every stored error (pointer, rule, message) to stderr. */
static inline void ut_print_errors(const struct jv_errors *errs)
{
    for (size_t i = 0; i < errs->n; i++)
        fprintf(stderr, "  %s [%s] %s\n", errs->e[i].pointer, errs->e[i].rule, errs->e[i].message);
}

/* Fails unless got equals the JSON text want (both shown, keys sorted, on failure). */
static inline void ut_assert_json(const json_t *got, const char *want_text)
{
    json_t *want = ut_json(want_text);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        fprintf(stderr, "  got  %s\n  want %s\n", g ? g : "(null)", w ? w : "(null)");
        free(g);
        free(w);
        json_decref(want);
        fail_msg("JSON differs");
    }
    json_decref(want);
}

#endif
