/*
 * test_openapi.c — docs/openapi.json against the route table (src/api/routes.c).
 *
 * Fails when the document and the code drift apart:
 *   - a route (method lower-cased, pattern as path) is missing from "paths";
 *   - an operation in "paths" has no route;
 *   - a ROUTE_BODY route has no requestBody, or a route without a body has one;
 *   - a request body schema's property names, "required" list, or per-field constraints
 *     (type and nullability, string lengths, item counts, uniqueness, integer range, enum)
 *     differ from the route's jv_field table, or the schema is not closed
 *     (additionalProperties: false);
 *   - the query parameters documented for an operation differ from the route's allowed list
 *     (struct route .query), in either direction.
 * Every problem is printed with the route it concerns before the test fails.
 *
 * RK_OPENAPI_PATH overrides the document's path (used to check that the test catches a
 * damaged copy).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static const char *const http_methods[] = {"get",  "put",   "post",  "delete", "options",
                                           "head", "patch", "trace", NULL};

static json_t *doc;
static int nproblems;

__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "openapi: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    nproblems++;
}

static const char *doc_path(void)
{
    const char *p = getenv("RK_OPENAPI_PATH");
    return p && *p ? p : RK_SOURCE_DIR "/docs/openapi.json";
}

static int setup(void **state)
{
    json_error_t je;
    doc = json_load_file(doc_path(), JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        fprintf(stderr, "openapi: cannot load %s: line %d: %s\n", doc_path(), je.line, je.text);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    json_decref(doc);
    doc = NULL;
    return 0;
}

static void lower(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = 0;
}

static const struct route *route_for(const char *path, const char *method)
{
    for (size_t i = 0; i < http_nroutes; i++) {
        char m[16];
        lower(http_routes[i].method, m, sizeof m);
        if (strcmp(http_routes[i].pattern, path) == 0 && strcmp(m, method) == 0)
            return &http_routes[i];
    }
    return NULL;
}

static json_t *operation(const struct route *r)
{
    char m[16];
    lower(r->method, m, sizeof m);
    return json_object_get(json_object_get(json_object_get(doc, "paths"), r->pattern), m);
}

/* Resolves local references ("#/components/schemas/X", any RFC 6901 pointer into the document)
 * a few levels deep. Returns the value itself when it is not a reference, NULL when the
 * reference does not resolve. */
static json_t *resolve(json_t *v)
{
    for (int hops = 0; hops < 4 && json_is_object(v); hops++) {
        const char *ref = json_string_value(json_object_get(v, "$ref"));
        if (!ref) return v;
        if (strncmp(ref, "#/", 2) != 0) return NULL;
        json_t *at = doc;
        const char *p = ref + 1;
        while (at && *p == '/') {
            char tok[128];
            size_t n = 0;
            for (p++; *p && *p != '/' && n + 1 < sizeof tok; p++) {
                if (p[0] == '~' && p[1] == '1')
                    tok[n++] = '/', p++;
                else if (p[0] == '~' && p[1] == '0')
                    tok[n++] = '~', p++;
                else
                    tok[n++] = *p;
            }
            tok[n] = 0;
            at = json_object_get(at, tok);
        }
        v = at;
    }
    return json_is_object(v) && json_object_get(v, "$ref") ? NULL : v;
}

static bool is_method(const char *k)
{
    for (const char *const *m = http_methods; *m; m++)
        if (strcmp(*m, k) == 0) return true;
    return false;
}

/* ---- (a) every route is documented ------------------------------------------------------- */

static void every_route_is_documented(void **state)
{
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    nproblems = 0;
    for (size_t i = 0; i < http_nroutes; i++) {
        const struct route *r = &http_routes[i];
        if (!json_is_object(operation(r)))
            problem("%s %s: route missing from paths", r->method, r->pattern);
    }
    if (nproblems) fail_msg("%d route(s) not documented in %s", nproblems, doc_path());
}

/* ---- (b) every documented operation is a route ------------------------------------------- */

static void every_operation_is_a_route(void **state)
{
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    nproblems = 0;
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item)
    {
        const char *key;
        json_t *op;
        size_t nops = 0;
        json_object_foreach(item, key, op)
        {
            if (!is_method(key)) continue;
            nops++;
            if (!route_for(path, key))
                problem("%s %s: documented but there is no such route", key, path);
        }
        if (nops == 0) problem("%s: path without operations", path);
    }
    if (nproblems) fail_msg("%d documented operation(s) without a route", nproblems);
}

/* ---- (c), (d) request bodies against the jv tables --------------------------------------- */

static json_t *body_schema(const struct route *r)
{
    json_t *rb = resolve(json_object_get(operation(r), "requestBody"));
    json_t *media = json_object_get(json_object_get(rb, "content"), "application/json");
    return resolve(json_object_get(media, "schema"));
}

/* True when the schema's "type" (a string or an array of strings) includes name. */
static bool has_type(json_t *s, const char *name)
{
    json_t *t = json_object_get(s, "type");
    if (json_is_string(t)) return strcmp(json_string_value(t), name) == 0;
    size_t i;
    json_t *v;
    json_array_foreach(t, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0) return true;
    }
    return false;
}

static size_t type_count(json_t *s)
{
    json_t *t = json_object_get(s, "type");
    return json_is_string(t) ? 1 : json_array_size(t);
}

static const char *jv_type_name(enum jv_type t)
{
    switch (t) {
    case JV_STRING:
        return "string";
    case JV_INTEGER:
        return "integer";
    case JV_BOOLEAN:
        return "boolean";
    case JV_OBJECT:
        return "object";
    case JV_ARRAY:
        return "array";
    case JV_ANY_SCALAR:
        return NULL;
    }
    return NULL;
}

/* Compares an integer keyword with the expected value; absent == (want == absent_value). */
static void expect_keyword(const struct route *r, const char *field, json_t *s, const char *kw,
                           bool present, long long want)
{
    json_t *v = json_object_get(s, kw);
    if (!present) {
        if (v)
            problem("%s %s: /%s: \"%s\" documented but the code has no such bound", r->method,
                    r->pattern, field, kw);
        return;
    }
    if (!json_is_integer(v))
        problem("%s %s: /%s: \"%s\" missing (code: %lld)", r->method, r->pattern, field, kw, want);
    else if (json_integer_value(v) != want)
        problem("%s %s: /%s: \"%s\" is %lld, code says %lld", r->method, r->pattern, field, kw,
                (long long)json_integer_value(v), want);
}

static void check_enum(const struct route *r, const char *field, json_t *s,
                       const char *const *values, bool nullable)
{
    json_t *e = json_object_get(s, "enum");
    if (!values) {
        if (e)
            problem("%s %s: /%s: enum documented but the code has none", r->method, r->pattern,
                    field);
        return;
    }
    size_t n = 0;
    for (; values[n]; n++)
        ;
    size_t strings = 0, nulls = 0, i;
    json_t *v;
    json_array_foreach(e, i, v)
    {
        if (json_is_null(v)) {
            nulls++;
            continue;
        }
        strings++;
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            found = json_is_string(v) && strcmp(json_string_value(v), values[k]) == 0;
        if (!found)
            problem("%s %s: /%s: enum value %s is not in the code's list", r->method, r->pattern,
                    field, json_is_string(v) ? json_string_value(v) : "(not a string)");
    }
    if (!json_is_array(e) || strings != n)
        problem("%s %s: /%s: enum has %zu values, the code %zu", r->method, r->pattern, field,
                strings, n);
    if (nulls && !nullable)
        problem("%s %s: /%s: enum lists null but the field is not nullable", r->method, r->pattern,
                field);
}

/* One field's constraints. f->min_len/max_len are code points for strings, item counts for
 * arrays; JV_DEFAULT_MAX_STRING applies to strings without max_len, and the document may leave
 * it out when an enum, pattern or format already bounds the length. */
static void check_field(const struct route *r, const char *field, json_t *s,
                        const struct jv_field *f)
{
    s = resolve(s);
    if (!json_is_object(s)) {
        problem("%s %s: /%s: schema missing or unresolvable", r->method, r->pattern, field);
        return;
    }
    const char *want = jv_type_name(f->type);
    bool nullable = (f->flags & JV_NULLABLE) != 0;
    if (want) {
        bool ok = has_type(s, want) &&
                  (nullable ? has_type(s, "null") && type_count(s) == 2 : type_count(s) == 1);
        if (!ok)
            problem("%s %s: /%s: type should be \"%s\"%s", r->method, r->pattern, field, want,
                    nullable ? " or null (JV_NULLABLE)" : " only");
    }
    switch (f->type) {
    case JV_STRING: {
        expect_keyword(r, field, s, "minLength", f->min_len > 0, (long long)f->min_len);
        bool bounded_otherwise = f->enum_values || f->format != JV_FMT_NONE;
        if (f->max_len)
            expect_keyword(r, field, s, "maxLength", true, (long long)f->max_len);
        else if (!bounded_otherwise || json_object_get(s, "maxLength"))
            expect_keyword(r, field, s, "maxLength", true, JV_DEFAULT_MAX_STRING);
        check_enum(r, field, s, f->enum_values, nullable);
        if (f->format != JV_FMT_NONE && !json_object_get(s, "pattern") &&
            !json_object_get(s, "format"))
            problem("%s %s: /%s: the code checks a format; document a pattern or format", r->method,
                    r->pattern, field);
        break;
    }
    case JV_INTEGER:
        expect_keyword(r, field, s, "minimum", f->has_range, f->min);
        expect_keyword(r, field, s, "maximum", f->has_range, f->max);
        break;
    case JV_ARRAY: {
        expect_keyword(r, field, s, "minItems", f->min_len > 0, (long long)f->min_len);
        expect_keyword(r, field, s, "maxItems", true,
                       f->max_len ? (long long)f->max_len : JV_DEFAULT_MAX_ITEMS);
        bool unique = json_is_true(json_object_get(s, "uniqueItems"));
        if (unique != ((f->flags & JV_UNIQUE) != 0))
            problem("%s %s: /%s: uniqueItems should be %s", r->method, r->pattern, field,
                    (f->flags & JV_UNIQUE) ? "true" : "absent or false");
        if (f->items) {
            char sub[96];
            snprintf(sub, sizeof sub, "%s/items", field);
            check_field(r, sub, json_object_get(s, "items"), f->items);
        }
        break;
    }
    default:
        break;
    }
}

static void check_body(const struct route *r)
{
    json_t *op = operation(r);
    if (!json_is_object(op)) return; /* reported by every_route_is_documented */
    json_t *rb = json_object_get(op, "requestBody");
    if (r->flags & ROUTE_UPLOAD) {
        /* A file upload: the handler parses it; the document must name both formats. */
        json_t *content = json_object_get(resolve(rb), "content");
        if (!json_object_get(content, "text/csv") || !json_object_get(content, "application/json"))
            problem("%s %s: upload route needs a requestBody with text/csv and "
                    "application/json content",
                    r->method, r->pattern);
        return;
    }
    if (!(r->flags & ROUTE_BODY)) {
        if (rb)
            problem("%s %s: takes no body but the document has a requestBody", r->method,
                    r->pattern);
        return;
    }
    if (!rb) {
        problem("%s %s: ROUTE_BODY route without requestBody", r->method, r->pattern);
        return;
    }
    if (!json_is_true(json_object_get(resolve(rb), "required")))
        problem("%s %s: requestBody should be required: true", r->method, r->pattern);
    json_t *s = body_schema(r);
    if (!json_is_object(s)) {
        problem("%s %s: requestBody has no application/json schema", r->method, r->pattern);
        return;
    }
    if (!r->schema) return;
    const struct jv_field *root = r->schema;
    if (!has_type(s, "object") || !json_is_false(json_object_get(s, "additionalProperties")))
        problem("%s %s: body schema should be type object with additionalProperties: false",
                r->method, r->pattern);
    json_t *props = json_object_get(s, "properties");
    json_t *req = json_object_get(s, "required");
    /* (c) property names: every field is a property, every property a field */
    for (size_t i = 0; i < root->nfields; i++) {
        const struct jv_field *f = &root->fields[i];
        json_t *p = json_object_get(props, f->name);
        if (!p)
            problem("%s %s: body property \"%s\" missing from the document", r->method, r->pattern,
                    f->name);
        else
            check_field(r, f->name, p, f);
    }
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < root->nfields && !known; i++)
            known = strcmp(root->fields[i].name, key) == 0;
        if (!known)
            problem("%s %s: body property \"%s\" documented but not in the schema table", r->method,
                    r->pattern, key);
    }
    /* (d) required lists */
    if (req && !json_is_array(req))
        problem("%s %s: \"required\" is not an array", r->method, r->pattern);
    for (size_t i = 0; i < root->nfields; i++) {
        const struct jv_field *f = &root->fields[i];
        bool listed = false;
        size_t k;
        json_array_foreach(req, k, v)
        {
            if (json_is_string(v) && strcmp(json_string_value(v), f->name) == 0) listed = true;
        }
        if (listed != ((f->flags & JV_REQUIRED) != 0))
            problem("%s %s: \"%s\" is %s in the document but %s in the code", r->method, r->pattern,
                    f->name, listed ? "required" : "optional",
                    (f->flags & JV_REQUIRED) ? "required" : "optional");
    }
    size_t k;
    json_array_foreach(req, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < root->nfields && !known; i++)
            known = json_is_string(v) && strcmp(root->fields[i].name, json_string_value(v)) == 0;
        if (!known)
            problem("%s %s: required lists \"%s\", which is not a field", r->method, r->pattern,
                    json_is_string(v) ? json_string_value(v) : "(not a string)");
    }
}

static void request_bodies_match_schemas(void **state)
{
    nproblems = 0;
    for (size_t i = 0; i < http_nroutes; i++)
        check_body(&http_routes[i]);
    if (nproblems) fail_msg("%d request body problem(s)", nproblems);
}

/* The dispatcher rejects query parameters a route does not list (src/http/reply.c
 * http_query_check), so the document must list exactly the route's parameters, in both
 * directions: one the route accepts but the document leaves out is undocumented; one the
 * document lists but the route does not accept is a promise the server breaks with a 400.
 * Parameters may sit on the operation or on its path item (OpenAPI merges the two). */
static void collect_query_params(const struct route *r, json_t *params, json_t *into)
{
    size_t k;
    json_t *prm;
    json_array_foreach(params, k, prm)
    {
        json_t *p = resolve(prm);
        const char *in = json_string_value(json_object_get(p, "in"));
        const char *name = json_string_value(json_object_get(p, "name"));
        if (!in || !name) {
            problem("%s %s: parameter %zu has no \"in\" or \"name\"", r->method, r->pattern, k);
            continue;
        }
        if (strcmp(in, "query") != 0) continue;
        json_t *seen = json_object_get(into, name);
        if (json_is_true(seen))
            problem("%s %s: query parameter %s documented twice", r->method, r->pattern, name);
        json_object_set_new(into, name, json_true());
    }
}

static bool route_accepts(const struct route *r, const char *name)
{
    for (const char *const *q = r->query; q && *q; q++)
        if (strcmp(*q, name) == 0) return true;
    return false;
}

static void query_parameters_match_routes(void **state)
{
    nproblems = 0;
    for (size_t i = 0; i < http_nroutes; i++) {
        const struct route *r = &http_routes[i];
        json_t *op = operation(r);
        if (!json_is_object(op)) continue; /* reported by every_route_is_documented */
        json_t *item = json_object_get(json_object_get(doc, "paths"), r->pattern);
        json_t *documented = json_object();
        collect_query_params(r, json_object_get(item, "parameters"), documented);
        /* Operation-level parameters override path-level ones of the same name and place;
         * for a set of names that is the same union. */
        json_t *op_level = json_object();
        collect_query_params(r, json_object_get(op, "parameters"), op_level);
        json_object_update(documented, op_level);
        json_decref(op_level);
        /* route → document */
        for (const char *const *q = r->query; q && *q; q++)
            if (!json_object_get(documented, *q))
                problem("%s %s: query parameter %s is accepted but not documented", r->method,
                        r->pattern, *q);
        /* document → route */
        const char *name;
        json_t *v;
        json_object_foreach(documented, name, v)
        {
            if (!route_accepts(r, name))
                problem("%s %s: query parameter %s is documented but the route refuses it "
                        "(400 unknown_field)",
                        r->method, r->pattern, name);
        }
        json_decref(documented);
    }
    if (nproblems) fail_msg("%d query parameter problem(s)", nproblems);
}

/* ---- document basics --------------------------------------------------------------------- */

static void document_basics(void **state)
{
    nproblems = 0;
    if (!json_is_string(json_object_get(doc, "openapi")) ||
        strcmp(json_string_value(json_object_get(doc, "openapi")), "3.1.0") != 0)
        problem("\"openapi\" should be \"3.1.0\"");
    if (!json_is_object(json_object_get(doc, "info"))) problem("\"info\" missing");
    /* every operation answers something, and every local $ref in the document resolves */
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *m;
        json_t *op;
        json_object_foreach(item, m, op)
        {
            if (!is_method(m)) continue;
            json_t *rs = json_object_get(op, "responses");
            if (!json_is_object(rs) || json_object_size(rs) == 0)
                problem("%s %s: no responses", m, path);
            const char *st;
            json_t *rv;
            json_object_foreach(rs, st, rv)
            {
                if (!resolve(rv)) problem("%s %s: response %s: unresolvable $ref", m, path, st);
            }
            const struct route *r = route_for(path, m);
            bool is_public = json_is_array(json_object_get(op, "security")) &&
                             json_array_size(json_object_get(op, "security")) == 0;
            if (r && is_public != ((r->flags & ROUTE_PUBLIC) != 0))
                problem("%s %s: security should be %s", m, path,
                        (r->flags & ROUTE_PUBLIC) ? "[] (public)" : "inherited or non-empty");
        }
    }
    if (nproblems) fail_msg("%d document problem(s)", nproblems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(document_basics),
        cmocka_unit_test(every_route_is_documented),
        cmocka_unit_test(every_operation_is_a_route),
        cmocka_unit_test(request_bodies_match_schemas),
        cmocka_unit_test(query_parameters_match_routes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
