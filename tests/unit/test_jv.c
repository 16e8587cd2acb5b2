/*
 * test_jv.c — unit tests for the request-body validator (src/domain/jv.c).
 *
 * Every rule is asserted together with the exact JSON Pointer it reports, because clients
 * use the pointer to put the message next to the right form field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/jv.h"

/* ---- schemas ------------------------------------------------------------------------- */

static const char *const kinds[] = {"a", "b", "c", NULL};
static const char *const sectors[] = {"energy", "finance", "telecom", "water", NULL};

static const struct jv_field tag_item = {.type = JV_STRING, .min_len = 1, .max_len = 8};
static const struct jv_field sector_item = {.type = JV_STRING, .enum_values = sectors};
static const struct jv_field int_item = {.type = JV_INTEGER};
static const struct jv_field any_item = {.type = JV_ANY_SCALAR};

static const struct jv_field contact_fields[] = {
    {.name = "email", .type = JV_STRING, .flags = JV_REQUIRED, .format = JV_FMT_EMAIL},
    {.name = "phone", .type = JV_STRING, .format = JV_FMT_PHONE},
};

static const struct jv_field contact_item = {
    .type = JV_OBJECT, .fields = contact_fields, .nfields = 2};

static const struct jv_field org_fields[] = {
    {.name = "name", .type = JV_STRING, .flags = JV_REQUIRED, .min_len = 2, .max_len = 5},
    {.name = "kind", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = kinds},
    {.name = "slug", .type = JV_STRING, .format = JV_FMT_IDENT},
    {.name = "corp", .type = JV_STRING, .flags = JV_NULLABLE, .format = JV_FMT_CORPNUM},
    {.name = "size", .type = JV_INTEGER, .has_range = true, .min = 1, .max = 100},
    {.name = "active", .type = JV_BOOLEAN},
    {.name = "note", .type = JV_ANY_SCALAR, .max_len = 4},
    {.name = "free", .type = JV_STRING},
    {.name = "tags",
     .type = JV_ARRAY,
     .flags = JV_UNIQUE,
     .min_len = 1,
     .max_len = 5,
     .items = &tag_item},
    {.name = "sectors", .type = JV_ARRAY, .flags = JV_UNIQUE, .items = &sector_item},
    {.name = "nums", .type = JV_ARRAY, .items = &int_item},
    {.name = "contact",
     .type = JV_OBJECT,
     .flags = JV_REQUIRED | JV_NULLABLE,
     .fields = contact_fields,
     .nfields = 2},
    {.name = "contacts", .type = JV_ARRAY, .items = &contact_item},
    {.name = "empty", .type = JV_OBJECT},
    {.name = "noitems", .type = JV_ARRAY},
    {.name = "a/b", .type = JV_INTEGER},
    {.name = "m~n", .type = JV_INTEGER},
};

static const struct jv_field org = {
    .type = JV_OBJECT, .fields = org_fields, .nfields = sizeof org_fields / sizeof org_fields[0]};

static const struct jv_field uniq_ints = {.type = JV_ARRAY, .flags = JV_UNIQUE, .items = &any_item};

/* A schema that contains itself: { "child": { "child": ... } }. */
static const struct jv_field rec_fields[] = {
    {.name = "child", .type = JV_OBJECT, .fields = rec_fields, .nfields = 1}};
static const struct jv_field rec_node = {.type = JV_OBJECT, .fields = rec_fields, .nfields = 1};

/* ---- helpers --------------------------------------------------------------------------- */

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!doc) fail_msg("test JSON does not parse: %s (%s)", err.text, text);
    return doc;
}

/* Validates text against schema and returns the number of errors stored. */
static size_t run(const char *text, const struct jv_field *schema, struct jv_errors *errs)
{
    json_t *doc = parse(text);
    int rc = jv_validate(doc, schema, errs);
    json_decref(doc);
    assert_int_equal(rc, errs->n ? RK_EINVAL : RK_OK);
    return errs->n;
}

static void assert_err(const struct jv_errors *errs, size_t i, const char *pointer,
                       const char *rule)
{
    assert_true(i < errs->n);
    assert_string_equal(errs->e[i].pointer, pointer);
    assert_string_equal(errs->e[i].rule, rule);
    assert_true(errs->e[i].message[0] != '\0');
}

/* Asserts that text yields exactly one error, with this pointer and rule. */
static void expect_one(const char *text, const struct jv_field *schema, const char *pointer,
                       const char *rule)
{
    struct jv_errors errs;
    size_t n = run(text, schema, &errs);
    if (n != 1)
        fail_msg("%s: expected 1 error, got %zu (first: %s %s)", text, n,
                 n ? errs.e[0].pointer : "-", n ? errs.e[0].rule : "-");
    assert_err(&errs, 0, pointer, rule);
    assert_int_equal(errs.dropped, 0);
}

#define BASE "\"name\":\"abc\",\"kind\":\"a\",\"contact\":null"

static bool valid_utf8(const char *s)
{
    json_t *j = json_string(s);
    bool ok = j != NULL;
    json_decref(j);
    return ok;
}

/* ---- jv_validate: the happy path and types ----------------------------------------------- */

static void test_valid_document(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{" BASE "}", &org, &errs), 0);
    assert_int_equal(
        run("{\"name\":\"ab\",\"kind\":\"c\",\"slug\":\"acme.co-1\",\"corp\":\"7000012050002\","
            "\"size\":100,\"active\":false,\"note\":1.5,\"free\":\"\",\"tags\":[\"x\",\"y\"],"
            "\"sectors\":[\"energy\",\"water\"],\"nums\":[1,-2,3],"
            "\"contact\":{\"email\":\"soc@example.jp\",\"phone\":\"+81 3-1234-5678\"},"
            "\"contacts\":[],\"empty\":{},\"noitems\":[],\"a/b\":1,\"m~n\":2}",
            &org, &errs),
        0);
    assert_int_equal(errs.dropped, 0);
}

static void test_type_mismatch(void **state)
{
    expect_one("{" BASE ",\"free\":5}", &org, "/free", "type");
    expect_one("{" BASE ",\"size\":\"5\"}", &org, "/size", "type");
    expect_one("{" BASE ",\"active\":1}", &org, "/active", "type");
    expect_one("{" BASE ",\"tags\":{}}", &org, "/tags", "type");
    expect_one("[]", &org, "", "type");
    /* Not descended: the bad members inside the wrong-typed value are not reported. */
    expect_one("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":[{\"bogus\":1}]}", &org, "/contact",
               "type");
    struct jv_errors errs;
    run("{" BASE ",\"free\":5}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be a string");
}

static void test_nullable(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{" BASE ",\"corp\":null}", &org, &errs), 0);
    expect_one("{" BASE ",\"free\":null}", &org, "/free", "type");
    expect_one("{" BASE ",\"size\":null}", &org, "/size", "type");
    run("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":7}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be an object or null");
}

static void test_integer(void **state)
{
    struct jv_errors errs;
    expect_one("{" BASE ",\"size\":1.0}", &org, "/size", "type");
    expect_one("{" BASE ",\"size\":5e0}", &org, "/size", "type");
    expect_one("{" BASE ",\"size\":0}", &org, "/size", "minimum");
    expect_one("{" BASE ",\"size\":-9223372036854775808}", &org, "/size", "minimum");
    expect_one("{" BASE ",\"size\":101}", &org, "/size", "maximum");
    assert_int_equal(run("{" BASE ",\"size\":1}", &org, &errs), 0);
    run("{" BASE ",\"size\":101}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be at most 100");
    run("{" BASE ",\"size\":0}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be at least 1");
    /* No range: anything jansson can hold is accepted. */
    assert_int_equal(run("{" BASE ",\"nums\":[9223372036854775807]}", &org, &errs), 0);
}

static void test_any_scalar(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{" BASE ",\"note\":\"abcd\"}", &org, &errs), 0);
    assert_int_equal(run("{" BASE ",\"note\":-3}", &org, &errs), 0);
    assert_int_equal(run("{" BASE ",\"note\":2.5}", &org, &errs), 0);
    assert_int_equal(run("{" BASE ",\"note\":true}", &org, &errs), 0);
    expect_one("{" BASE ",\"note\":null}", &org, "/note", "type");
    expect_one("{" BASE ",\"note\":[]}", &org, "/note", "type");
    expect_one("{" BASE ",\"note\":{}}", &org, "/note", "type");
    /* String rules still apply to a string given for an any-scalar field. */
    expect_one("{" BASE ",\"note\":\"abcde\"}", &org, "/note", "max_length");
}

/* ---- objects --------------------------------------------------------------------------- */

static void test_unknown_field(void **state)
{
    struct jv_errors errs;
    expect_one("{" BASE ",\"bogus\":1}", &org, "/bogus", "unknown_field");
    run("{" BASE ",\"bogus\":1}", &org, &errs);
    assert_string_equal(errs.e[0].message, "unknown field: not part of this request");
    expect_one("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{\"email\":\"a@b.jp\",\"fax\":1}}",
               &org, "/contact/fax", "unknown_field");
    /* Case matters and prefixes do not match. */
    expect_one("{" BASE ",\"Free\":\"x\"}", &org, "/Free", "unknown_field");
    expect_one("{" BASE ",\"fre\":\"x\"}", &org, "/fre", "unknown_field");
    /* Reported in document order. */
    assert_int_equal(run("{\"zz\":1," BASE ",\"aa\":2}", &org, &errs), 2);
    assert_err(&errs, 0, "/zz", "unknown_field");
    assert_err(&errs, 1, "/aa", "unknown_field");
}

static void test_empty_schema_object_accepts_no_member(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{" BASE ",\"empty\":{}}", &org, &errs), 0);
    expect_one("{" BASE ",\"empty\":{\"x\":1}}", &org, "/empty/x", "unknown_field");
    static const struct jv_field bare = {.type = JV_OBJECT};
    expect_one("{\"\":0}", &bare, "/", "unknown_field");
}

static void test_required(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{}", &org, &errs), 3);
    assert_err(&errs, 0, "/name", "required");
    assert_err(&errs, 1, "/kind", "required");
    assert_err(&errs, 2, "/contact", "required");
    assert_string_equal(errs.e[0].message, "is required");
    expect_one("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{}}", &org, "/contact/email",
               "required");
    expect_one("{" BASE ",\"contacts\":[{\"email\":\"a@b.jp\"},{\"phone\":\"12345\"}]}", &org,
               "/contacts/1/email", "required");
    /* Null for a required nullable member counts as present. */
    assert_int_equal(run("{" BASE "}", &org, &errs), 0);
    /* Unknown members come first, then missing ones. */
    assert_int_equal(run("{\"x\":1,\"name\":\"abc\",\"contact\":null}", &org, &errs), 2);
    assert_err(&errs, 0, "/x", "unknown_field");
    assert_err(&errs, 1, "/kind", "required");
}

static void test_max_members(void **state)
{
    json_t *doc = json_object();
    char key[16];
    for (int i = 0; i < JV_DEFAULT_MAX_MEMBERS + 1; i++) {
        snprintf(key, sizeof key, "k%d", i);
        json_object_set_new(doc, key, json_integer(i));
    }
    struct jv_errors errs;
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "", "max_members");
    assert_string_equal(errs.e[0].message, "must have at most 256 members");

    /* Exactly at the limit: each member is judged on its own (all unknown here). */
    json_object_del(doc, "k0");
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, JV_MAX_ERRORS);
    assert_err(&errs, 0, "/k1", "unknown_field");
    json_decref(doc);

    /* Nested. */
    doc = parse("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{}}");
    json_t *c = json_object_get(doc, "contact");
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i);
        json_object_set_new(c, key, json_true());
    }
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "/contact", "max_members");
    json_decref(doc);
}

/* ---- strings ----------------------------------------------------------------------------- */

static void test_string_length(void **state)
{
    struct jv_errors errs;
    expect_one("{\"name\":\"a\",\"kind\":\"a\",\"contact\":null}", &org, "/name", "min_length");
    expect_one("{\"name\":\"\",\"kind\":\"a\",\"contact\":null}", &org, "/name", "min_length");
    expect_one("{\"name\":\"abcdef\",\"kind\":\"a\",\"contact\":null}", &org, "/name",
               "max_length");
    run("{\"name\":\"abcdef\",\"kind\":\"a\",\"contact\":null}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be at most 5 characters");
    run("{\"name\":\"a\",\"kind\":\"a\",\"contact\":null}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be at least 2 characters");
    /* Code points, not bytes: five kanji are 15 bytes but 5 characters. */
    assert_int_equal(run("{\"name\":\"内閣官房国\",\"kind\":\"a\",\"contact\":null}", &org, &errs),
                     0);
    expect_one("{\"name\":\"内閣官房国家\",\"kind\":\"a\",\"contact\":null}", &org, "/name",
               "max_length");
    /* A 4-byte sequence (U+1F600) and an escaped surrogate pair are one code point each. */
    assert_int_equal(
        run("{\"name\":\"\xF0\x9F\x98\x80\\ud83d\\ude00\",\"kind\":\"a\",\"contact\":null}", &org,
            &errs),
        0);
    expect_one("{\"name\":\"\xF0\x9F\x98\x80\",\"kind\":\"a\",\"contact\":null}", &org, "/name",
               "min_length");
    static const struct jv_field one = {.type = JV_ARRAY, .items = &tag_item};
    run("[\"123456789\"]", &one, &errs);
    assert_string_equal(errs.e[0].message, "must be at most 8 characters");
}

static void test_string_default_max(void **state)
{
    size_t n = JV_DEFAULT_MAX_STRING + 1;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'x', n);
    s[n] = '\0';
    json_t *doc = parse("{" BASE "}");
    json_object_set_new(doc, "free", json_string(s));
    struct jv_errors errs;
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "/free", "max_length");
    assert_string_equal(errs.e[0].message, "must be at most 65536 characters");
    s[n - 1] = '\0';
    json_object_set_new(doc, "free", json_string(s));
    assert_int_equal(jv_validate(doc, &org, &errs), RK_OK);
    json_decref(doc);
    free(s);
}

static void test_utf8_nul(void **state)
{
    json_t *doc = parse("{" BASE "}");
    json_object_set_new(doc, "free", json_stringn("a\0b", 3));
    struct jv_errors errs;
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "/free", "utf8");
    /* Invalid UTF-8 can only come from the unchecked constructors, but is still refused. */
    static const char *const bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                      "\xE2\x82", "\x80",         "\xFF"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object_set_new(doc, "free", json_string_nocheck(bad[i]));
        assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
        assert_err(&errs, 0, "/free", "utf8");
    }
    /* The parser refuses \u0000 on its own; with JSON_ALLOW_NUL we must catch it. */
    json_decref(doc);
    json_error_t err;
    doc = json_loads("{" BASE ",\"free\":\"x\\u0000y\"}", JSON_ALLOW_NUL, &err);
    assert_non_null(doc);
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_err(&errs, 0, "/free", "utf8");
    json_decref(doc);
}

static void test_enum(void **state)
{
    struct jv_errors errs;
    expect_one("{\"name\":\"abc\",\"kind\":\"d\",\"contact\":null}", &org, "/kind", "enum");
    expect_one("{\"name\":\"abc\",\"kind\":\"A\",\"contact\":null}", &org, "/kind", "enum");
    expect_one("{\"name\":\"abc\",\"kind\":\"\",\"contact\":null}", &org, "/kind", "enum");
    run("{\"name\":\"abc\",\"kind\":\"ab\",\"contact\":null}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must be one of: a, b, c");
    /* A NUL-extended value does not match a prefix: utf8 wins first. */
    json_t *doc = parse("{" BASE "}");
    json_object_set_new(doc, "kind", json_stringn("a\0", 2));
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_err(&errs, 0, "/kind", "utf8");
    json_decref(doc);
}

static void test_enum_message_truncated(void **state)
{
    static const char *const many[] = {"national_centre",  "ministry",
                                       "core_operator",    "ci_operator",
                                       "ceptoar",          "vendor",
                                       "vuln_intake",      "coordinator",
                                       "research",         "foreign_government",
                                       "他の機関他の機関", "other_body_with_a_long_name",
                                       "yet_another_kind", NULL};
    static const struct jv_field f = {.type = JV_STRING, .enum_values = many};
    static const struct jv_field arr = {.type = JV_ARRAY, .items = &f};
    struct jv_errors errs;
    run("[\"nope\"]", &arr, &errs);
    assert_err(&errs, 0, "/0", "enum");
    const char *m = errs.e[0].message;
    size_t len = strlen(m);
    assert_true(len < sizeof errs.e[0].message);
    assert_true(len >= 3);
    assert_string_equal(m + len - 3, "...");
    assert_true(strncmp(m, "must be one of: national_centre, ministry", 41) == 0);
    assert_true(valid_utf8(m));

    /* Multi-byte values cut at every possible position stay valid UTF-8. */
    static const char *const jp[] = {"重要インフラ事業者重要インフラ事業者重要インフラ事業者",
                                     "x重要インフラ事業者重要インフラ事業者重要インフラ事業者",
                                     NULL};
    static const struct jv_field fj = {.type = JV_STRING, .enum_values = jp};
    static const struct jv_field arrj = {.type = JV_ARRAY, .items = &fj};
    run("[\"x\"]", &arrj, &errs);
    assert_true(valid_utf8(errs.e[0].message));
    assert_string_equal(errs.e[0].message + strlen(errs.e[0].message) - 3, "...");

    static const char *const none[] = {NULL};
    static const struct jv_field fn = {.type = JV_STRING, .enum_values = none};
    static const struct jv_field arrn = {.type = JV_ARRAY, .items = &fn};
    run("[\"x\"]", &arrn, &errs);
    assert_err(&errs, 0, "/0", "enum");
}

static void test_format_in_schema(void **state)
{
    struct jv_errors errs;
    expect_one("{" BASE ",\"slug\":\"Acme\"}", &org, "/slug", "format");
    expect_one("{" BASE ",\"corp\":\"7000012050003\"}", &org, "/corp", "format");
    expect_one("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{\"email\":\"nope\"}}", &org,
               "/contact/email", "format");
    expect_one("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{\"email\":\"a@b.jp\","
               "\"phone\":\"call me\"}}",
               &org, "/contact/phone", "format");
    run("{" BASE ",\"corp\":\"7000012050003\"}", &org, &errs);
    assert_string_equal(errs.e[0].message,
                        "must be a 13-digit corporate number with a valid check digit");
    /* A length error is reported instead of, not as well as, the format error. */
    static const struct jv_field f = {.type = JV_STRING, .min_len = 3, .format = JV_FMT_IDENT};
    static const struct jv_field arr = {.type = JV_ARRAY, .items = &f};
    expect_one("[\"A\"]", &arr, "/0", "min_length");
}

/* ---- arrays -------------------------------------------------------------------------------- */

static void test_array_bounds(void **state)
{
    struct jv_errors errs;
    expect_one("{" BASE ",\"tags\":[]}", &org, "/tags", "min_items");
    expect_one("{" BASE ",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", &org, "/tags",
               "max_items");
    run("{" BASE ",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must have at most 5 items");
    run("{" BASE ",\"tags\":[]}", &org, &errs);
    assert_string_equal(errs.e[0].message, "must have at least 1 item");
    assert_int_equal(run("{" BASE ",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", &org, &errs), 0);
    /* Over the limit: items are not examined (one error, bounded work). */
    expect_one("{" BASE ",\"tags\":[1,2,3,4,5,6]}", &org, "/tags", "max_items");
}

static void test_array_default_max(void **state)
{
    json_t *doc = parse("{" BASE ",\"nums\":[]}");
    json_t *a = json_object_get(doc, "nums");
    for (int i = 0; i < JV_DEFAULT_MAX_ITEMS; i++)
        json_array_append_new(a, json_integer(i));
    struct jv_errors errs;
    assert_int_equal(jv_validate(doc, &org, &errs), RK_OK);
    json_array_append_new(a, json_integer(0));
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "/nums", "max_items");
    assert_string_equal(errs.e[0].message, "must have at most 10000 items");
    json_decref(doc);
}

static void test_array_items(void **state)
{
    struct jv_errors errs;
    expect_one("{" BASE ",\"nums\":[1,2,3,\"4\"]}", &org, "/nums/3", "type");
    expect_one("{" BASE ",\"tags\":[\"ok\",\"\"]}", &org, "/tags/1", "min_length");
    expect_one("{" BASE ",\"sectors\":[\"energy\",\"space\"]}", &org, "/sectors/1", "enum");
    expect_one("{" BASE ",\"contacts\":[{\"email\":\"a@b.jp\"},{\"email\":\"a@b.jp\","
               "\"x\":{}}]}",
               &org, "/contacts/1/x", "unknown_field");
    assert_int_equal(run("{" BASE ",\"nums\":[1.5,true,null,\"x\"]}", &org, &errs), 4);
    assert_err(&errs, 0, "/nums/0", "type");
    assert_err(&errs, 1, "/nums/1", "type");
    assert_err(&errs, 2, "/nums/2", "type");
    assert_err(&errs, 3, "/nums/3", "type");
}

static void test_array_without_item_schema(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{" BASE ",\"noitems\":[]}", &org, &errs), 0);
    expect_one("{" BASE ",\"noitems\":[1]}", &org, "/noitems", "max_items");
}

static void test_unique_items(void **state)
{
    struct jv_errors errs;
    expect_one("{" BASE ",\"tags\":[\"a\",\"b\",\"b\",\"a\"]}", &org, "/tags/2", "unique_items");
    expect_one("{" BASE ",\"tags\":[\"a\",\"b\",\"c\",\"a\"]}", &org, "/tags/3", "unique_items");
    expect_one("{" BASE ",\"sectors\":[\"water\",\"water\"]}", &org, "/sectors/1", "unique_items");
    /* json_equal semantics: 1 and 1.0 differ, 0.0 and -0.0 do not; deep equality. */
    assert_int_equal(run("[1,1.0,\"1\",true,false,\"\"]", &uniq_ints, &errs), 0);
    expect_one("[0.0,-0.0]", &uniq_ints, "/1", "unique_items");
    static const struct jv_field obj_items = {
        .type = JV_ARRAY, .flags = JV_UNIQUE, .items = &contact_item};
    expect_one("[{\"email\":\"a@b.jp\",\"phone\":\"12345\"},{\"email\":\"c@d.jp\"},"
               "{\"phone\":\"12345\",\"email\":\"a@b.jp\"}]",
               &obj_items, "/2", "unique_items");
    /* Item errors come first, then the duplicate. */
    assert_int_equal(run("{" BASE ",\"tags\":[\"\",\"\"]}", &org, &errs), 3);
    assert_err(&errs, 0, "/tags/0", "min_length");
    assert_err(&errs, 1, "/tags/1", "min_length");
    assert_err(&errs, 2, "/tags/1", "unique_items");
    /* Without JV_UNIQUE duplicates are fine. */
    assert_int_equal(run("{" BASE ",\"nums\":[1,1,1]}", &org, &errs), 0);
}

static void test_unique_large(void **state)
{
    json_t *a = json_array();
    for (int i = 0; i < JV_DEFAULT_MAX_ITEMS; i++)
        json_array_append_new(a, json_integer(i));
    struct jv_errors errs;
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_OK);
    json_array_set_new(a, 9999, json_integer(5));
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "/9999", "unique_items");
    /* The first duplicate wins, whether it repeats an item of an earlier block or of its own
     * block of the internal scan. */
    json_array_set_new(a, 600, json_integer(599));
    json_array_set_new(a, 700, json_integer(3));
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_EINVAL);
    assert_err(&errs, 0, "/600", "unique_items");
    json_array_set_new(a, 550, json_integer(2));
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_EINVAL);
    assert_err(&errs, 0, "/550", "unique_items");
    json_array_set_new(a, 1, json_integer(0));
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_EINVAL);
    assert_err(&errs, 0, "/1", "unique_items");
    json_decref(a);

    /* Distinct small objects: the uniqueness check looks inside them, so this stays fast
     * (a shallow hash would send all 50 million pairs to json_equal). A duplicate written
     * with its members in another order is still found. */
    static const struct jv_field obj_items = {
        .type = JV_ARRAY, .flags = JV_UNIQUE, .items = &contact_item};
    a = json_array();
    char email[32];
    for (int i = 0; i < JV_DEFAULT_MAX_ITEMS - 1; i++) {
        snprintf(email, sizeof email, "u%d@example.jp", i);
        json_array_append_new(a, json_pack("{s:s, s:s}", "email", email, "phone", "12345"));
    }
    assert_int_equal(jv_validate(a, &obj_items, &errs), RK_OK);
    json_array_append_new(a, parse("{\"phone\":\"12345\",\"email\":\"u4321@example.jp\"}"));
    assert_int_equal(jv_validate(a, &obj_items, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_err(&errs, 0, "/9999", "unique_items");
    json_decref(a);

    /* Distinct reals, and nested arrays that differ only deep inside. */
    a = json_array();
    for (int i = 0; i < 3000; i++)
        json_array_append_new(a, json_real(i + 0.5));
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_OK);
    json_decref(a);
    static const struct jv_field ints = {.type = JV_ARRAY, .items = &int_item};
    static const struct jv_field ints2 = {.type = JV_ARRAY, .items = &ints};
    static const struct jv_field uniq_nested = {
        .type = JV_ARRAY, .flags = JV_UNIQUE, .items = &ints2};
    assert_int_equal(
        run("[[],[[1]],[[2]],[[1,2]],[[2,1]],[[1],[2]],[[2],[1]]]", &uniq_nested, &errs), 0);
    expect_one("[[],[[1,2],[3]],[[1,2],[4]],[[1,2],[3]]]", &uniq_nested, "/3", "unique_items");

    /* All-equal strings (every hash collides) still finish and point at item 1. */
    a = json_array();
    for (int i = 0; i < 1000; i++)
        json_array_append_new(a, json_string("same"));
    assert_int_equal(jv_validate(a, &uniq_ints, &errs), RK_EINVAL);
    assert_err(&errs, 0, "/1", "unique_items");
    json_decref(a);
}

static void test_unique_skipped_over_max(void **state)
{
    expect_one("{" BASE ",\"tags\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}", &org, "/tags",
               "max_items");
}

/* ---- pointers, depth, the error cap ------------------------------------------------------- */

static void test_escaped_pointers(void **state)
{
    expect_one("{" BASE ",\"a/b\":\"x\"}", &org, "/a~1b", "type");
    expect_one("{" BASE ",\"m~n\":\"x\"}", &org, "/m~0n", "type");
    expect_one("{" BASE ",\"~/~1\":0}", &org, "/~0~1~01", "unknown_field");
    expect_one("{" BASE ",\"\":0}", &org, "/", "unknown_field");
    expect_one("{" BASE ",\"フィールド\":0}", &org, "/フィールド", "unknown_field");
    expect_one("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{\"email\":\"a@b.jp\",\"x/y\":1}}",
               &org, "/contact/x~1y", "unknown_field");
}

static void test_long_pointer_truncated(void **state)
{
    char key[600];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    json_t *doc = parse("{\"name\":\"abc\",\"kind\":\"a\",\"contact\":{\"email\":\"a@b.jp\"}}");
    json_object_set_new(json_object_get(doc, "contact"), key, json_true());
    struct jv_errors errs;
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].rule, "unknown_field");
    const char *p = errs.e[0].pointer;
    assert_int_equal(strlen(p), JV_POINTER_MAX - 1);
    assert_true(strncmp(p, "/contact/kkk", 12) == 0);
    assert_string_equal(p + JV_POINTER_MAX - 4, "...");
    json_decref(doc);
}

static void test_error_cap(void **state)
{
    json_t *doc = parse("{" BASE "}");
    char key[16];
    for (int i = 0; i < JV_MAX_ERRORS + 4; i++) {
        snprintf(key, sizeof key, "x%02d", i);
        json_object_set_new(doc, key, json_true());
    }
    struct jv_errors errs;
    assert_int_equal(jv_validate(doc, &org, &errs), RK_EINVAL);
    assert_int_equal(errs.n, JV_MAX_ERRORS);
    assert_int_equal(errs.dropped, 4);
    assert_err(&errs, 0, "/x00", "unknown_field");
    assert_err(&errs, JV_MAX_ERRORS - 1, "/x15", "unknown_field");
    /* errs is reset by each call. */
    json_decref(doc);
    assert_int_equal(run("{" BASE "}", &org, &errs), 0);
    assert_int_equal(errs.dropped, 0);
}

static void test_recursive_schema_depth(void **state)
{
    struct jv_errors errs;
    assert_int_equal(run("{\"child\":{\"child\":{}}}", &rec_node, &errs), 0);
    json_t *root = json_object();
    json_t *cur = root;
    for (int i = 0; i < 80; i++) {
        json_t *next = json_object();
        json_object_set_new(cur, "child", next);
        cur = next;
    }
    assert_int_equal(jv_validate(root, &rec_node, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].rule, "max_depth");
    /* The pointer names the 64th nested member, so it is too long and is cut after the
     * 42 whole segments that fit. */
    char expect[JV_POINTER_MAX] = "";
    for (int i = 0; i < 42; i++)
        strcat(expect, "/child");
    strcat(expect, "...");
    assert_string_equal(errs.e[0].pointer, expect);
    json_decref(root);
}

static void test_null_arguments(void **state)
{
    struct jv_errors errs;
    assert_int_equal(jv_validate(NULL, &org, &errs), RK_EINVAL);
    assert_err(&errs, 0, "", "type");
    json_t *doc = parse("{}");
    assert_int_equal(jv_validate(doc, NULL, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_int_equal(jv_validate(doc, &org, NULL), RK_EINVAL);
    json_decref(doc);
}

static void test_array_root(void **state)
{
    static const struct jv_field root = {.type = JV_ARRAY, .max_len = 2, .items = &contact_item};
    struct jv_errors errs;
    assert_int_equal(run("[{\"email\":\"a@b.jp\"}]", &root, &errs), 0);
    expect_one("[{\"email\":\"a@b.jp\"},{}]", &root, "/1/email", "required");
    expect_one("{}", &root, "", "type");
    expect_one("[{},{},{}]", &root, "", "max_items");
}

/* ---- jv_error_add ----------------------------------------------------------------------- */

static void test_error_add(void **state)
{
    struct jv_errors errs = {.n = 0, .dropped = 0};
    assert_int_equal(jv_error_add(&errs, NULL, "unique", "already taken: %s", "acme"), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "");
    assert_string_equal(errs.e[0].rule, "unique");
    assert_string_equal(errs.e[0].message, "already taken: acme");

    char longp[400];
    memset(longp, 'p', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    jv_error_add(&errs, longp, "x", "%s", "y");
    assert_int_equal(strlen(errs.e[1].pointer), JV_POINTER_MAX - 1);
    assert_string_equal(errs.e[1].pointer + JV_POINTER_MAX - 4, "...");

    /* A message that does not fit is cut without splitting a character. */
    char longm[400] = "";
    while (strlen(longm) + 3 < sizeof longm)
        strcat(longm, "字");
    jv_error_add(&errs, "/a", "x", "a%s", longm);
    assert_true(strlen(errs.e[2].message) < sizeof errs.e[2].message);
    assert_true(strlen(errs.e[2].message) >= sizeof errs.e[2].message - 4);
    assert_true(valid_utf8(errs.e[2].message));

    for (int i = 0; i < 20; i++)
        jv_error_add(&errs, "/b", "x", "n%d", i);
    assert_int_equal(errs.n, JV_MAX_ERRORS);
    assert_int_equal(errs.dropped, 3 + 20 - JV_MAX_ERRORS);
    assert_int_equal(jv_error_add(NULL, "", "x", "y"), RK_EINVAL);
}

/* ---- jv_pointer_append --------------------------------------------------------------------- */

static void test_pointer_append(void **state)
{
    char buf[64] = "";
    jv_pointer_append(buf, sizeof buf, "roles");
    jv_pointer_append(buf, sizeof buf, "2");
    assert_string_equal(buf, "/roles/2");
    buf[0] = '\0';
    jv_pointer_append(buf, sizeof buf, "a/b~c");
    assert_string_equal(buf, "/a~1b~0c");
    jv_pointer_append(buf, sizeof buf, "");
    assert_string_equal(buf, "/a~1b~0c/");
    jv_pointer_append(buf, sizeof buf, NULL);
    assert_string_equal(buf, "/a~1b~0c//");
    buf[0] = '\0';
    jv_pointer_append(buf, sizeof buf, "~01");
    assert_string_equal(buf, "/~001");
}

static void test_pointer_append_truncation(void **state)
{
    /* Exactly fits: cap 8 holds 7 characters. */
    char b8[8 + 4];
    memset(b8, 'Z', sizeof b8);
    b8[0] = '\0';
    jv_pointer_append(b8, 8, "abcdef");
    assert_string_equal(b8, "/abcdef");
    /* One more does not fit: ends in "..." within cap. */
    b8[0] = '\0';
    jv_pointer_append(b8, 8, "abcdefg");
    assert_string_equal(b8, "/abc...");
    for (size_t i = 8; i < sizeof b8; i++)
        assert_int_equal(b8[i], 'Z');
    /* Appending to a truncated pointer keeps it as it is. */
    jv_pointer_append(b8, 8, "more");
    assert_string_equal(b8, "/abc...");
    /* Appending to a full, untruncated pointer cuts it. */
    char full[8] = "/abcdef";
    jv_pointer_append(full, sizeof full, "x");
    assert_string_equal(full, "/abc...");
    /* An escape is never split: the dangling "~" is dropped. */
    char e[8] = "";
    jv_pointer_append(e, sizeof e, "abc/def");
    assert_string_equal(e, "/abc...");
    e[0] = '\0';
    jv_pointer_append(e, sizeof e, "ab/c/d");
    assert_string_equal(e, "/ab....");
    /* Nor a UTF-8 sequence. */
    char u[8] = "";
    jv_pointer_append(u, sizeof u, "a字字");
    assert_string_equal(u, "/a.....");
    assert_true(valid_utf8(u));
    /* Tiny buffers. */
    char t[4] = "xyz";
    jv_pointer_append(t, 0, "a");
    assert_string_equal(t, "xyz");
    jv_pointer_append(t, 1, "a");
    assert_string_equal(t, "");
    t[0] = '\0';
    jv_pointer_append(t, 2, "a");
    assert_string_equal(t, ".");
    t[0] = '\0';
    jv_pointer_append(t, 3, "a");
    assert_string_equal(t, "/a");
    t[0] = '\0';
    jv_pointer_append(t, 3, "ab");
    assert_string_equal(t, "..");
    t[0] = '\0';
    jv_pointer_append(t, 4, "abc");
    assert_string_equal(t, "...");
    /* An unterminated buffer is not read past cap. */
    char raw[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
    jv_pointer_append(raw, sizeof raw, "x");
    assert_string_equal(raw, "ab...");
}

/* ---- jv_scan ------------------------------------------------------------------------------ */

static int scan(const char *s, unsigned max)
{
    struct jv_errors errs;
    int rc = jv_scan(s, strlen(s), max, &errs);
    assert_int_equal(errs.n, rc == RK_OK ? 0 : 1);
    if (rc != RK_OK) {
        assert_string_equal(errs.e[0].rule, "max_depth");
        assert_string_equal(errs.e[0].pointer, "");
    }
    return rc;
}

static void test_scan_depth(void **state)
{
    assert_int_equal(scan("", 0), RK_OK);
    assert_int_equal(scan("1", 0), RK_OK);
    assert_int_equal(scan("[]", 0), RK_ELIMIT);
    assert_int_equal(scan("[]", 1), RK_OK);
    assert_int_equal(scan("[[]]", 1), RK_ELIMIT);
    assert_int_equal(scan("[[]]", 2), RK_OK);
    assert_int_equal(scan("{\"a\":[{\"b\":[]}]}", 4), RK_OK);
    assert_int_equal(scan("{\"a\":[{\"b\":[]}]}", 3), RK_ELIMIT);
    /* Siblings do not add up. */
    assert_int_equal(scan("[[],[],{},[[]]]", 3), RK_OK);
    /* Unbalanced closers never drive the count negative. */
    assert_int_equal(scan("]]]]}}}[[", 2), RK_OK);
    assert_int_equal(scan("]]]]}}}[[[", 2), RK_ELIMIT);

    struct jv_errors errs;
    assert_int_equal(jv_scan("[[[", 3, 2, &errs), RK_ELIMIT);
    assert_string_equal(errs.e[0].message, "must not nest more than 2 levels deep");
    assert_int_equal(jv_scan("[[[", 3, 2, NULL), RK_ELIMIT);
    assert_int_equal(jv_scan(NULL, 10, 0, &errs), RK_OK);

    /* Deep input of any size is handled in one pass without recursion. */
    size_t n = 1u << 20;
    char *deep = malloc(n);
    assert_non_null(deep);
    memset(deep, '[', n);
    assert_int_equal(jv_scan(deep, n, 32, &errs), RK_ELIMIT);
    assert_int_equal(jv_scan(deep, n, (unsigned)n, &errs), RK_OK);
    free(deep);
}

static void test_scan_strings(void **state)
{
    assert_int_equal(scan("[\"[[[[{{{{\"]", 1), RK_OK);
    assert_int_equal(scan("{\"{{{\":\"]]]]\"}", 1), RK_OK);
    /* An escaped quote does not end the string. */
    assert_int_equal(scan("[\"a\\\"[[[[\"]", 1), RK_OK);
    /* An escaped backslash does not escape the quote after it. */
    assert_int_equal(scan("[\"a\\\\\",[[]]]", 2), RK_ELIMIT);
    assert_int_equal(scan("[\"a\\\\\",[[]]]", 3), RK_OK);
    assert_int_equal(scan("[\"\\\\\\\"[[\"]", 1), RK_OK);
    /* An unterminated string hides everything after it (the parser rejects it anyway). */
    assert_int_equal(scan("[\"[[[[", 1), RK_OK);
    /* NUL bytes are ordinary bytes. */
    static const char withnul[] = "[\0[\0[";
    struct jv_errors errs;
    assert_int_equal(jv_scan(withnul, sizeof withnul - 1, 2, &errs), RK_ELIMIT);
    static const char nulstr[] = "[\"\0\"[";
    assert_int_equal(jv_scan(nulstr, sizeof nulstr - 1, 1, &errs), RK_ELIMIT);
    static const char hi[] = "[\"\xFF\xFE\"]";
    assert_int_equal(jv_scan(hi, sizeof hi - 1, 1, &errs), RK_OK);
}

/* ---- formats ------------------------------------------------------------------------------ */

static bool fmt(enum jv_format f, const char *s)
{
    return jv_check_format(f, s, strlen(s));
}

static void test_format_ident(void **state)
{
    assert_true(fmt(JV_FMT_IDENT, "a"));
    assert_true(fmt(JV_FMT_IDENT, "soc.team_1-x"));
    char s64[65];
    memset(s64, 'a', 64);
    s64[64] = '\0';
    assert_true(fmt(JV_FMT_IDENT, s64));
    char s65[66];
    memset(s65, 'a', 65);
    s65[65] = '\0';
    assert_false(fmt(JV_FMT_IDENT, s65));
    assert_false(fmt(JV_FMT_IDENT, ""));
    assert_false(fmt(JV_FMT_IDENT, "1abc"));
    assert_false(fmt(JV_FMT_IDENT, "_abc"));
    assert_false(fmt(JV_FMT_IDENT, "Abc"));
    assert_false(fmt(JV_FMT_IDENT, "abC"));
    assert_false(fmt(JV_FMT_IDENT, "a b"));
    assert_false(fmt(JV_FMT_IDENT, "a/b"));
    assert_false(fmt(JV_FMT_IDENT, "aé"));
    assert_false(jv_check_format(JV_FMT_IDENT, "ab\0c", 4));
}

static void test_format_email(void **state)
{
    assert_true(fmt(JV_FMT_EMAIL, "a@b.jp"));
    assert_true(fmt(JV_FMT_EMAIL, "first.last+tag@soc.example.go.jp"));
    assert_true(fmt(JV_FMT_EMAIL, "担当@例え.jp"));
    assert_false(fmt(JV_FMT_EMAIL, ""));
    assert_false(fmt(JV_FMT_EMAIL, "ab.jp"));
    assert_false(fmt(JV_FMT_EMAIL, "@b.jp"));
    assert_false(fmt(JV_FMT_EMAIL, "a@"));
    assert_false(fmt(JV_FMT_EMAIL, "a@b"));
    assert_false(fmt(JV_FMT_EMAIL, "a@@b.jp"));
    assert_false(fmt(JV_FMT_EMAIL, "a@b@c.jp"));
    assert_false(fmt(JV_FMT_EMAIL, "a b@c.jp"));
    assert_false(fmt(JV_FMT_EMAIL, "a@c.jp\r\nBcc: x@y.z"));
    assert_false(fmt(JV_FMT_EMAIL, "a@.jp"));
    assert_false(fmt(JV_FMT_EMAIL, "a@b.jp."));
    assert_false(fmt(JV_FMT_EMAIL, "a@b..jp"));
    assert_false(jv_check_format(JV_FMT_EMAIL, "a@b.jp\0", 7));
    char big[300];
    memset(big, 'a', sizeof big);
    memcpy(big + 248, "@b.jp", 6); /* 253 bytes */
    assert_true(fmt(JV_FMT_EMAIL, big));
    memset(big, 'a', sizeof big);
    memcpy(big + 249, "@b.jp", 6); /* 254 bytes */
    assert_true(fmt(JV_FMT_EMAIL, big));
    memset(big, 'a', sizeof big);
    memcpy(big + 250, "@b.jp", 6); /* 255 bytes */
    assert_false(fmt(JV_FMT_EMAIL, big));
}

static void test_format_date(void **state)
{
    assert_true(fmt(JV_FMT_DATE, "2025-04-01"));
    assert_true(fmt(JV_FMT_DATE, "2024-02-29"));
    assert_true(fmt(JV_FMT_DATE, "2000-02-29"));
    assert_true(fmt(JV_FMT_DATE, "2025-12-31"));
    assert_true(fmt(JV_FMT_DATE, "2025-01-31"));
    assert_false(fmt(JV_FMT_DATE, "2025-02-29"));
    assert_false(fmt(JV_FMT_DATE, "1900-02-29"));
    assert_false(fmt(JV_FMT_DATE, "2025-04-31"));
    assert_false(fmt(JV_FMT_DATE, "2025-06-31"));
    assert_false(fmt(JV_FMT_DATE, "2025-13-01"));
    assert_false(fmt(JV_FMT_DATE, "2025-00-10"));
    assert_false(fmt(JV_FMT_DATE, "2025-01-00"));
    assert_false(fmt(JV_FMT_DATE, "2025-01-32"));
    assert_false(fmt(JV_FMT_DATE, "2025-1-01"));
    assert_false(fmt(JV_FMT_DATE, "2025/01/01"));
    assert_false(fmt(JV_FMT_DATE, "2025-01-01 "));
    assert_false(fmt(JV_FMT_DATE, "2025-01-01T00:00:00Z"));
    assert_false(fmt(JV_FMT_DATE, "+025-01-01"));
    assert_false(fmt(JV_FMT_DATE, "２０２５-01-01"));
    assert_false(fmt(JV_FMT_DATE, ""));
}

static void test_format_datetime(void **state)
{
    assert_true(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00Z"));
    assert_true(fmt(JV_FMT_DATETIME, "2025-04-01t09:30:00z"));
    assert_true(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00+09:00"));
    assert_true(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00-05:30"));
    assert_true(fmt(JV_FMT_DATETIME, "2025-04-01T23:59:59.123456789Z"));
    assert_true(fmt(JV_FMT_DATETIME, "2024-02-29T00:00:00.5+00:00"));
    assert_true(fmt(JV_FMT_DATETIME, "2016-12-31T23:59:60Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-02-29T00:00:00Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-31T00:00:00Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T24:00:00Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:60:00Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:61Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01 09:30:00Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00.Z"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00+0900"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00+09"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00+24:00"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00+09:60"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00ZZ"));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01T09:30:00+09:00 "));
    assert_false(fmt(JV_FMT_DATETIME, "2025-04-01"));
    assert_false(fmt(JV_FMT_DATETIME, ""));
    assert_false(jv_check_format(JV_FMT_DATETIME, "2025-04-01T09:30:00Z\0", 21));
}

static void test_format_corpnum(void **state)
{
    static const char *const good[] = {"7000012050002", "1180301018771", "7123456789012"};
    for (size_t v = 0; v < 3; v++) {
        assert_true(jv_corpnum_valid(good[v], 13));
        assert_true(fmt(JV_FMT_CORPNUM, good[v]));
        char s[14];
        for (size_t i = 0; i < 13; i++) {
            for (char d = '0'; d <= '9'; d++) {
                if (d == good[v][i]) continue;
                memcpy(s, good[v], 14);
                s[i] = d;
                /* The official mod-9 check cannot see 0 <-> 9 (both weigh 0 mod 9), so those
                 * substitutions in the twelve body digits remain valid by design. */
                bool blind =
                    i > 0 && ((d == '0' && good[v][i] == '9') || (d == '9' && good[v][i] == '0'));
                if (jv_corpnum_valid(s, 13) != blind)
                    fail_msg("%s (from %s) judged %s", s, good[v], blind ? "invalid" : "valid");
            }
        }
    }
    assert_false(jv_corpnum_valid("700001205000", 12));
    assert_false(jv_corpnum_valid("70000120500020", 14));
    assert_false(jv_corpnum_valid("700001205000a", 13));
    assert_false(jv_corpnum_valid("0000012050002", 13));
    assert_false(jv_corpnum_valid("７000012050002", 15));
    assert_false(jv_corpnum_valid(" 000012050002", 13));
    assert_false(jv_corpnum_valid(NULL, 13));
    assert_false(fmt(JV_FMT_CORPNUM, ""));
}

static void test_format_phone(void **state)
{
    assert_true(fmt(JV_FMT_PHONE, "12345"));
    assert_true(fmt(JV_FMT_PHONE, "+81 3-1234-5678"));
    assert_true(fmt(JV_FMT_PHONE, "(03) 1234-5678"));
    assert_true(fmt(JV_FMT_PHONE, "12345678901234567890"));
    assert_false(fmt(JV_FMT_PHONE, "123456789012345678901"));
    assert_false(fmt(JV_FMT_PHONE, "1234"));
    assert_false(fmt(JV_FMT_PHONE, "+1-2-3-4")); /* enough length, only 4 digits */
    assert_false(fmt(JV_FMT_PHONE, "(((())))+"));
    assert_false(fmt(JV_FMT_PHONE, "12345 ext 6"));
    assert_false(fmt(JV_FMT_PHONE, "03.1234.5678"));
    assert_false(fmt(JV_FMT_PHONE, "０３１２３４５"));
    assert_false(fmt(JV_FMT_PHONE, "12345\n"));
    assert_false(fmt(JV_FMT_PHONE, ""));
}

static void test_format_no_control(void **state)
{
    assert_true(fmt(JV_FMT_NO_CONTROL, ""));
    assert_true(fmt(JV_FMT_NO_CONTROL, "Plain text, 日本語 and ~!@#"));
    assert_false(fmt(JV_FMT_NO_CONTROL, "line1\nline2"));
    assert_false(fmt(JV_FMT_NO_CONTROL, "tab\there"));
    assert_false(fmt(JV_FMT_NO_CONTROL, "cr\r"));
    assert_false(fmt(JV_FMT_NO_CONTROL, "\x1b[31mred"));
    assert_false(fmt(JV_FMT_NO_CONTROL, "del\x7f"));
    assert_false(fmt(JV_FMT_NO_CONTROL, "\x1f"));
    assert_false(jv_check_format(JV_FMT_NO_CONTROL, "a\0b", 3));
    assert_true(fmt(JV_FMT_NO_CONTROL, " "));
}

static void test_format_misc(void **state)
{
    assert_true(fmt(JV_FMT_NONE, "anything\n"));
    assert_false(jv_check_format((enum jv_format)99, "x", 1));
    assert_false(jv_check_format(JV_FMT_IDENT, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_document),
        cmocka_unit_test(test_type_mismatch),
        cmocka_unit_test(test_nullable),
        cmocka_unit_test(test_integer),
        cmocka_unit_test(test_any_scalar),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_empty_schema_object_accepts_no_member),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_max_members),
        cmocka_unit_test(test_string_length),
        cmocka_unit_test(test_string_default_max),
        cmocka_unit_test(test_utf8_nul),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_enum_message_truncated),
        cmocka_unit_test(test_format_in_schema),
        cmocka_unit_test(test_array_bounds),
        cmocka_unit_test(test_array_default_max),
        cmocka_unit_test(test_array_items),
        cmocka_unit_test(test_array_without_item_schema),
        cmocka_unit_test(test_unique_items),
        cmocka_unit_test(test_unique_large),
        cmocka_unit_test(test_unique_skipped_over_max),
        cmocka_unit_test(test_escaped_pointers),
        cmocka_unit_test(test_long_pointer_truncated),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_recursive_schema_depth),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_array_root),
        cmocka_unit_test(test_error_add),
        cmocka_unit_test(test_pointer_append),
        cmocka_unit_test(test_pointer_append_truncation),
        cmocka_unit_test(test_scan_depth),
        cmocka_unit_test(test_scan_strings),
        cmocka_unit_test(test_format_ident),
        cmocka_unit_test(test_format_email),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_format_datetime),
        cmocka_unit_test(test_format_corpnum),
        cmocka_unit_test(test_format_phone),
        cmocka_unit_test(test_format_no_control),
        cmocka_unit_test(test_format_misc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
