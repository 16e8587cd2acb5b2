/*
 * test_iplist.c — source-address list attachments: plain text and CSV, canonical values,
 * merging of duplicates, every error rule with its exact pointer, the limits, and a
 * 100,000-line list (its parse time printed, not asserted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unit_json.h"

#include "core/rk.h"
#include "domain/iplist.h"

/* The 100,000-line cases print how long they took and never fail on it: tests do not time
 * (make bench does). Quadratic behaviour would still show, as a run past CTest's timeout. */

/* Parses n bytes that must be accepted; returns the result. */
static json_t *ok_n(const char *text, size_t n)
{
    struct jv_errors errs;
    json_t *out = NULL;
    int rc = iplist_parse(text, n, &out, &errs);
    if (rc != RK_OK) {
        ut_print_errors(&errs);
        fail_msg("iplist_parse: %d", rc);
    }
    assert_int_equal(errs.n, 0);
    assert_non_null(out);
    return out;
}

static json_t *ok(const char *text)
{
    return ok_n(text, strlen(text));
}

/* Parses text and checks that the whole result is want. */
static void expect(const char *text, const char *want)
{
    json_t *out = ok(text);
    ut_assert_json(out, want);
    json_decref(out);
}

/* The indicators of an accepted text. */
static void expect_inds(const char *text, const char *want)
{
    json_t *out = ok(text);
    ut_assert_json(json_object_get(out, "indicators"), want);
    json_decref(out);
}

/* Parses n bytes that must be refused; the errors (pointer, rule) must be exactly the list
 * given as pairs of strings, NULL-terminated. */
static void bad_n(const char *text, size_t n, ...)
{
    struct jv_errors errs;
    json_t *out = (json_t *)1;
    int rc = iplist_parse(text, n, &out, &errs);
    if (rc != RK_EINVAL) fail_msg("iplist_parse: %d, want RK_EINVAL", rc);
    assert_null(out);
    va_list ap;
    va_start(ap, n);
    size_t i = 0;
    for (const char *ptr; (ptr = va_arg(ap, const char *)); i++) {
        const char *rule = va_arg(ap, const char *);
        if (i >= errs.n) {
            ut_print_errors(&errs);
            fail_msg("error %zu missing: want %s [%s]", i, ptr, rule);
        }
        if (strcmp(errs.e[i].pointer, ptr) != 0 || strcmp(errs.e[i].rule, rule) != 0) {
            ut_print_errors(&errs);
            fail_msg("error %zu: got %s [%s], want %s [%s]", i, errs.e[i].pointer, errs.e[i].rule,
                     ptr, rule);
        }
        assert_true(errs.e[i].message[0] != '\0');
    }
    va_end(ap);
    if (errs.n != i) {
        ut_print_errors(&errs);
        fail_msg("%zu errors, want %zu", errs.n, i);
    }
}

#define BAD(text, ...) bad_n(text, strlen(text), __VA_ARGS__, NULL)

/* ---- plain text ------------------------------------------------------------------------- */

static void text_addresses(void **state)
{
    expect("192.0.2.1\n2001:DB8:0:0::1\n198.51.100.0/24\n2001:db8:1::/48\n",
           "{\"format\":\"text\",\"count\":4,\"duplicates\":0,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\"},"
           "{\"type\":\"ipv6\",\"value\":\"2001:db8::1\"},"
           "{\"type\":\"ipv4-cidr\",\"value\":\"198.51.100.0/24\"},"
           "{\"type\":\"ipv6-cidr\",\"value\":\"2001:db8:1::/48\"}]}");
    /* RFC 5952: lower case, the longest zero run compressed, a lone zero group not. */
    expect_inds("2001:0DB8:0000:0000:0001:0000:0000:0001\n2001:db8:0:1:1:1:1:1\n"
                "::FFFF:192.0.2.9\n",
                "[{\"type\":\"ipv6\",\"value\":\"2001:db8::1:0:0:1\"},"
                "{\"type\":\"ipv6\",\"value\":\"2001:db8:0:1:1:1:1:1\"},"
                "{\"type\":\"ipv6\",\"value\":\"::ffff:192.0.2.9\"}]");
    /* A single-host network is the host: one indicator however it is written. */
    expect("192.0.2.1/32\n192.0.2.1\n2001:db8::1/128\n2001:DB8::1\n0.0.0.0/0\n",
           "{\"format\":\"text\",\"count\":3,\"duplicates\":2,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\"},"
           "{\"type\":\"ipv6\",\"value\":\"2001:db8::1\"},"
           "{\"type\":\"ipv4-cidr\",\"value\":\"0.0.0.0/0\"}]}");
    /* Private and loopback sources are evidence too. */
    expect_inds("10.0.0.1\n127.0.0.1\n::1\nfe80::1\n",
                "[{\"type\":\"ipv4\",\"value\":\"10.0.0.1\"},"
                "{\"type\":\"ipv4\",\"value\":\"127.0.0.1\"},"
                "{\"type\":\"ipv6\",\"value\":\"::1\"},"
                "{\"type\":\"ipv6\",\"value\":\"fe80::1\"}]");
}

static void text_lines(void **state)
{
    /* BOM, comments (also indented), blank lines, CRLF, a lone CR, blanks around values, no
     * final line break. */
    expect_inds("\xEF\xBB\xBF# sources seen 2026-05-31\r\n\r\n  192.0.2.1  \r\n\t# note\r\n"
                "\t\r\n198.51.100.7\r192.0.2.1\n203.0.113.5",
                "[{\"type\":\"ipv4\",\"value\":\"192.0.2.1\"},"
                "{\"type\":\"ipv4\",\"value\":\"198.51.100.7\"},"
                "{\"type\":\"ipv4\",\"value\":\"203.0.113.5\"}]");
    json_t *out = ok("192.0.2.1\r\n192.0.2.1\r\n");
    assert_int_equal(json_integer_value(json_object_get(out, "count")), 1);
    assert_int_equal(json_integer_value(json_object_get(out, "duplicates")), 1);
    json_decref(out);
}

static void text_ports(void **state)
{
    /* "addr,port" and "addr port" (blanks or tabs); ports merged, sorted and distinct; an
     * empty port after the comma is no port. */
    expect("192.0.2.1,443\n192.0.2.1 80\n192.0.2.1\t443\n2001:db8::1 , 53\n192.0.2.1\n"
           "198.51.100.1,\n192.0.2.1,0;65535\n",
           "{\"format\":\"text\",\"count\":3,\"duplicates\":4,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\",\"ports\":[0,80,443,65535]},"
           "{\"type\":\"ipv6\",\"value\":\"2001:db8::1\",\"ports\":[53]},"
           "{\"type\":\"ipv4\",\"value\":\"198.51.100.1\"}]}");
}

static void text_errors(void **state)
{
    /* Host bits set: refused, the message names the network meant. */
    struct jv_errors errs;
    json_t *out;
    const char *t = "10.1.2.3/8\n";
    assert_int_equal(iplist_parse(t, strlen(t), &out, &errs), RK_EINVAL);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.e[0].pointer, "/lines/1");
    assert_string_equal(errs.e[0].rule, "ip");
    assert_non_null(strstr(errs.e[0].message, "10.0.0.0/8"));
    BAD("2001:db8::1/32\n", "/lines/1", "ip");
    /* Every error of the file, by physical line (comments and blank lines count). */
    BAD("# list\n192.0.2.1\n\n192.0.2.256\n192.0.2.1,70000\n2001:db8::g\n192.0.2.1/33\n"
        "192.0.2.1 80 90\n192.0.2.01\n[2001:db8::1]\nfe80::1%eth0\n192.0.2.2,-1\n",
        "/lines/4", "ip", "/lines/5", "port", "/lines/6", "ip", "/lines/7", "ip", "/lines/8",
        "port", "/lines/9", "ip", "/lines/10", "ip", "/lines/11", "ip", "/lines/12", "port");
    /* A bad row changes nothing: line 2 would otherwise be a duplicate. */
    BAD("192.0.2.1\n192.0.2.1,http\n", "/lines/2", "port");
}

static void encoding_errors(void **state)
{
    /* NUL: refused wherever it is, also in a comment. */
    bad_n("192.0.2.1\n192.0.2.2\0\n", 21, "/lines/2", "control_characters", NULL);
    bad_n("# a\0b\n192.0.2.1\n", 16, "/lines/1", "control_characters", NULL);
    BAD("192.0.2.1\x01\n", "/lines/1", "control_characters");
    BAD("192.0.2.1\xC2\x85\n", "/lines/1", "control_characters");     /* U+0085 */
    BAD("192.0.2.1\xE2\x80\xA8\n", "/lines/1", "control_characters"); /* U+2028 */
    /* Shift_JIS (送信元 in Shift_JIS) and a lone continuation byte. */
    BAD("\x91\x97\x90\x4D\x8C\xB3\n192.0.2.1\n\x80\n", "/lines/1", "utf8", "/lines/3", "utf8");
    /* UTF-16: one error for the file. */
    bad_n("\xFF\xFE"
          "1\0.\0",
          6, "/lines/1", "utf8", NULL);
    /* Encoding errors and value errors are collected together. */
    BAD("192.0.2.1\n\x01\nx\n", "/lines/2", "control_characters", "/lines/3", "ip");
}

static void empty_and_limits(void **state)
{
    BAD("", "", "empty");
    bad_n(NULL, 0, "", "empty", NULL);
    BAD("\xEF\xBB\xBF", "", "empty");
    BAD("# nothing\n\n   \r\n", "", "empty");
    BAD("ip,port\n", "", "empty");
    BAD("ip,port\n,\n", "", "empty"); /* a blank row is skipped */
    /* max_size is decided on the length alone, before anything is read. */
    bad_n("", (size_t)IPL_MAX_BYTES + 1, "", "max_size", NULL);
    /* Misuse: no errors to fill, nothing to return. */
    struct jv_errors errs;
    json_t *out;
    assert_int_equal(iplist_parse("1.2.3.4", 7, NULL, &errs), RK_EINVAL);
    assert_int_equal(iplist_parse("1.2.3.4", 7, &out, NULL), RK_EINVAL);
    assert_int_equal(iplist_parse(NULL, 3, &out, &errs), RK_EINVAL);
    /* errs is reset first. */
    errs.n = 5;
    errs.dropped = 7;
    assert_int_equal(iplist_parse("1.2.3.4", 7, &out, &errs), RK_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(errs.dropped, 0);
    json_decref(out);
}

static void errors_capped(void **state)
{
    /* 100 bad lines: JV_MAX_ERRORS kept, the rest counted. */
    char text[1200];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "bad%d\n", i);
    struct jv_errors errs;
    json_t *out;
    assert_int_equal(iplist_parse(text, n, &out, &errs), RK_EINVAL);
    assert_null(out);
    assert_int_equal(errs.n, JV_MAX_ERRORS);
    assert_int_equal(errs.dropped, 100 - JV_MAX_ERRORS);
    assert_string_equal(errs.e[15].pointer, "/lines/16");
}

static void max_items(void **state)
{
    /* IPL_MAX_ITEMS distinct addresses are accepted; one more stops at its line. Repeats of
     * an address already listed are no new item. */
    size_t cap = (size_t)(IPL_MAX_ITEMS + 3) * 20;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    for (unsigned i = 0; i < IPL_MAX_ITEMS; i++)
        len += (size_t)snprintf(text + len, cap - len, "10.%u.%u.%u\n", i >> 16, (i >> 8) & 255,
                                i & 255);
    len += (size_t)snprintf(text + len, cap - len, "10.0.0.0\n");
    json_t *out = ok_n(text, len);
    assert_int_equal(json_integer_value(json_object_get(out, "count")), IPL_MAX_ITEMS);
    assert_int_equal(json_integer_value(json_object_get(out, "duplicates")), 1);
    json_decref(out);
    len += (size_t)snprintf(text + len, cap - len, "192.0.2.1\nnot-an-address\n");
    char want[32];
    snprintf(want, sizeof want, "/lines/%d", IPL_MAX_ITEMS + 2);
    bad_n(text, len, want, "max_items", NULL);
    free(text);
}

/* ---- CSV -------------------------------------------------------------------------------- */

static void csv_english(void **state)
{
    expect("ip,port,first_seen,last_seen,count,asn\n"
           "192.0.2.1,443,2026-05-31T10:00:00+09:00,2026-05-31T10:05:00+09:00,100,64500\n"
           "2001:DB8::1,,,,,\n"
           "192.0.2.1,80,2026-05-31T00:30:00Z,2026-05-31T01:30:00.5Z,20,64500\n"
           "192.0.2.1,443,,,5,\n",
           "{\"format\":\"csv\",\"count\":2,\"duplicates\":2,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\",\"ports\":[80,443],"
           "\"first_seen\":\"2026-05-31T00:30:00Z\","
           "\"last_seen\":\"2026-05-31T01:30:00.5Z\",\"count\":125},"
           "{\"type\":\"ipv6\",\"value\":\"2001:db8::1\"}]}");
    /* first_seen is the earliest instant, not the smallest text: 10:00+09:00 is 01:00Z. */
    expect_inds("src_ip,first_seen,last_seen\n"
                "192.0.2.1,2026-05-31T01:00:00.25Z,2026-05-31T01:00:00.25Z\n"
                "192.0.2.1,2026-05-31T10:00:00.2+09:00,2026-05-31T10:00:00.3+09:00\n"
                "192.0.2.1,2026-05-31T01:00:00.2Z,2026-05-31T01:00:00.30Z\n",
                "[{\"type\":\"ipv4\",\"value\":\"192.0.2.1\","
                "\"first_seen\":\"2026-05-31T10:00:00.2+09:00\","
                "\"last_seen\":\"2026-05-31T10:00:00.3+09:00\"}]");
    /* Header names in any case, with blanks; packets as the count; CIDR column. */
    expect_inds(" Source_IP , SRC_PORT ,Packets\n198.51.100.0/24, 53 , 7\n",
                "[{\"type\":\"ipv4-cidr\",\"value\":\"198.51.100.0/24\",\"ports\":[53],"
                "\"count\":7}]");
    expect_inds("CIDR\n2001:db8::/32\n", "[{\"type\":\"ipv6-cidr\",\"value\":\"2001:db8::/32\"}]");
}

static void csv_japanese(void **state)
{
    /* Excel's "CSV UTF-8": BOM, CRLF, Japanese header names, other columns ignored. */
    expect("\xEF\xBB\xBF"
           "\xE9\x80\x81\xE4\xBF\xA1\xE5\x85\x83IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3\x82\xB9,"
           "\xE3\x83\x9D\xE3\x83\xBC\xE3\x83\x88,\xE5\x82\x99\xE8\x80\x83\r\n"
           "203.0.113.5,123,\xE6\x94\xBB\xE6\x92\x83\xE5\x85\x83\r\n"
           "203.0.113.6,,\r\n",
           "{\"format\":\"csv\",\"count\":2,\"duplicates\":0,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"203.0.113.5\",\"ports\":[123]},"
           "{\"type\":\"ipv4\",\"value\":\"203.0.113.6\"}]}");
    /* IPアドレス matches with "ip" in any case; tab-separated. */
    expect_inds("No.\tipアドレス\n1\t192.0.2.10\n",
                "[{\"type\":\"ipv4\",\"value\":\"192.0.2.10\"}]");
    /* Empty last and first cells of a tab-separated export (Excel writes trailing tabs). */
    expect_inds("ip\tport\tcount\n192.0.2.1\t80\t\n",
                "[{\"type\":\"ipv4\",\"value\":\"192.0.2.1\",\"ports\":[80]}]");
    expect_inds("note\tip\n\t192.0.2.2\n", "[{\"type\":\"ipv4\",\"value\":\"192.0.2.2\"}]");
}

static void csv_quoting(void **state)
{
    /* Quoted fields with commas and "" in ignored columns; quoted values; blanks around
     * quotes; comment lines and blank rows skipped. */
    expect("\"note\",\"address\",\"port\"\n"
           "\"a, \"\"b\"\"\",\"192.0.2.1\",\"80;443\"\n"
           "# skipped\n"
           ",,\n"
           "x , \"2001:db8::1\" ,\n",
           "{\"format\":\"csv\",\"count\":2,\"duplicates\":0,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\",\"ports\":[80,443]},"
           "{\"type\":\"ipv6\",\"value\":\"2001:db8::1\"}]}");
    /* A lone address column name is a one-column CSV. */
    expect("address\n192.0.2.1\n",
           "{\"format\":\"csv\",\"count\":1,\"duplicates\":0,\"indicators\":["
           "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\"}]}");
    /* A first line without a known name is data: plain text. */
    json_t *out = ok("192.0.2.1,80\n");
    assert_string_equal(json_string_value(json_object_get(out, "format")), "text");
    json_decref(out);
}

static void csv_errors(void **state)
{
    BAD("ip,port,first_seen,last_seen,count\n"
        "192.0.2.300,80,,,\n"
        "192.0.2.1,99999,,,\n"
        "192.0.2.1,,2026-02-30T00:00:00Z,,\n"
        "192.0.2.1,,,2026-05-31 10:00,\n"
        "192.0.2.1,,,,-1\n"
        "192.0.2.1,,,,1.5\n"
        "192.0.2.1,,2026-05-31T10:00:00Z,2026-05-31T09:59:59Z,\n"
        "192.0.2.1,80\n"
        "192.0.2.1,80,,,,\n"
        ",80,,,\n"
        "\"192.0.2.1,80,,,\n"
        "\"192.0.2.1\"x,80,,,\n"
        "bad,bad,bad,,\n",
        "/lines/2/ip", "ip", "/lines/3/port", "port", "/lines/4/first_seen", "datetime",
        "/lines/5/last_seen", "datetime", "/lines/6/count", "integer", "/lines/7/count", "integer",
        "/lines/8/last_seen", "datetime", "/lines/9", "columns", "/lines/10", "columns",
        "/lines/11/ip", "ip", "/lines/12", "columns", "/lines/13", "columns", "/lines/14/ip", "ip",
        "/lines/14/port", "port", "/lines/14/first_seen", "datetime");
    /* The pointer names the column as the header spells it (escaped per RFC 6901). */
    BAD("Src_IP,送信元ポート,ポート\nx,,\n", "/lines/2/Src_IP", "ip");
    BAD("\xE9\x80\x81\xE4\xBF\xA1\xE5\x85\x83IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3\x82\xB9"
        "\n1.2.3\n",
        "/lines/2/\xE9\x80\x81\xE4\xBF\xA1\xE5\x85\x83IP\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3"
        "\x82\xB9",
        "ip");
    /* Rows giving one time each must not contradict: last seen before first seen. */
    BAD("ip,first_seen,last_seen\n192.0.2.1,2026-05-31T10:00:00Z,\n"
        "192.0.2.1,,2026-05-31T18:59:59+09:00\n",
        "/lines/3/last_seen", "datetime");
    BAD("ip,first_seen,last_seen\n192.0.2.1,,2026-05-31T09:00:00Z\n"
        "192.0.2.1,2026-05-31T09:00:00.001Z,\n",
        "/lines/3/first_seen", "datetime");
    expect_inds("ip,first_seen,last_seen\n192.0.2.1,,2026-05-31T09:00:00Z\n"
                "192.0.2.1,2026-05-31T18:00:00+09:00,\n",
                "[{\"type\":\"ipv4\",\"value\":\"192.0.2.1\","
                "\"first_seen\":\"2026-05-31T18:00:00+09:00\","
                "\"last_seen\":\"2026-05-31T09:00:00Z\"}]");
    /* Counts: at most 2^53 - 1, and so is their sum. */
    BAD("ip,count\n192.0.2.1,9007199254740992\n", "/lines/2/count", "integer");
    BAD("ip,count\n192.0.2.1,9007199254740991\n192.0.2.1,1\n", "/lines/3/count", "integer");
    json_t *out = ok("ip,count\n192.0.2.1,9007199254740990\n192.0.2.1,1\n192.0.2.1,\n");
    ut_assert_json(json_object_get(out, "indicators"),
                   "[{\"type\":\"ipv4\",\"value\":\"192.0.2.1\",\"count\":9007199254740991}]");
    json_decref(out);
}

static void csv_header_errors(void **state)
{
    /* A known name but no address column: nothing after the header is read. */
    BAD("port,count\n192.0.2.1,80\nbad\n", "/lines/1", "columns");
    /* After a comment, the header is on its own line. */
    BAD("# export\nport\tcount\n", "/lines/2", "columns");
    /* Two columns of one kind. */
    BAD("ip,source,port\n192.0.2.1,192.0.2.2,80\n", "/lines/1/source", "columns");
    BAD("ip,port,src_port\n", "/lines/1/src_port", "columns");
    /* A broken quote on the header line. */
    BAD("ip,port,\"note\n", "/lines/1", "columns");
}

/* ---- scale ------------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lines_100k(void **state)
{
    /* 100,000 CSV lines: 90,000 distinct addresses (IPv4 and IPv6), every tenth line a repeat
     * with another port, timestamps and counts. */
    size_t lines = 100000, cap = 64 + lines * 96;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "ip,port,first_seen,count\n");
    for (size_t i = 0; i < lines; i++) {
        size_t k = i % 10 == 9 ? i - 9 : i; /* a repeat of the line nine back */
        if (k % 2)
            len += (size_t)snprintf(text + len, cap - len,
                                    "2001:DB8:%zx:0::%zx,%zu,2026-05-31T10:%02zu:00+09:00,%zu\n",
                                    k >> 16, k & 0xFFFF, 1024 + i % 50000, i % 60, i % 7);
        else
            len += (size_t)snprintf(
                text + len, cap - len, "10.%zu.%zu.%zu,%zu,2026-05-31T10:%02zu:00+09:00,%zu\n",
                k >> 16, (k >> 8) & 255, k & 255, 1024 + i % 50000, i % 60, i % 7);
    }
    double t0 = now_s();
    json_t *out = ok_n(text, len);
    double parse = now_s() - t0;
    assert_int_equal(json_integer_value(json_object_get(out, "count")), 90000);
    assert_int_equal(json_integer_value(json_object_get(out, "duplicates")), 10000);
    json_t *inds = json_object_get(out, "indicators");
    assert_int_equal(json_array_size(inds), 90000);
    ut_assert_json(json_object_get(json_array_get(inds, 1), "value"), "\"2001:db8::1\"");
    ut_assert_json(json_object_get(json_array_get(inds, 0), "ports"), "[1024,1033]");
    printf("100,000 lines (%zu bytes): parsed in %.3f s\n", len, parse);
    json_decref(out);

    /* Plain text, 100,000 distinct IPv4 lines. */
    len = 0;
    for (size_t i = 0; i < lines; i++)
        len += (size_t)snprintf(text + len, cap - len, "172.%zu.%zu.%zu\n", 16 + (i >> 16),
                                (i >> 8) & 255, i & 255);
    t0 = now_s();
    out = ok_n(text, len);
    parse = now_s() - t0;
    assert_int_equal(json_integer_value(json_object_get(out, "count")), 100000);
    printf("100,000 text lines (%zu bytes): parsed in %.3f s\n", len, parse);
    json_decref(out);
    free(text);
}

static void many_ports_one_address(void **state)
{
    /* One address with every port, in descending order and repeated: sorted and distinct, in
     * time linear enough not to notice. */
    size_t cap = 65536 * 2 * 24;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    for (int rep = 0; rep < 2; rep++)
        for (int p = 65535; p >= 0; p--)
            len += (size_t)snprintf(text + len, cap - len, "192.0.2.1 %d\n", p);
    double t0 = now_s();
    json_t *out = ok_n(text, len);
    printf("131,072 lines of one address: parsed in %.3f s\n", now_s() - t0);
    json_t *ports = json_object_get(json_array_get(json_object_get(out, "indicators"), 0), "ports");
    assert_int_equal(json_array_size(ports), 65536);
    for (size_t i = 0; i < 65536; i++)
        assert_int_equal(json_integer_value(json_array_get(ports, i)), i);
    assert_int_equal(json_integer_value(json_object_get(out, "duplicates")), 131071);
    json_decref(out);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_addresses),
        cmocka_unit_test(text_lines),
        cmocka_unit_test(text_ports),
        cmocka_unit_test(text_errors),
        cmocka_unit_test(encoding_errors),
        cmocka_unit_test(empty_and_limits),
        cmocka_unit_test(errors_capped),
        cmocka_unit_test(max_items),
        cmocka_unit_test(csv_english),
        cmocka_unit_test(csv_japanese),
        cmocka_unit_test(csv_quoting),
        cmocka_unit_test(csv_errors),
        cmocka_unit_test(csv_header_errors),
        cmocka_unit_test(lines_100k),
        cmocka_unit_test(many_ports_one_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
