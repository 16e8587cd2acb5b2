/*
 * fuzz_iplist.c — source-address list attachments on untrusted input. Invariants (abort on
 * breach):
 *   - RK_OK exactly when no error was added; on failure *out is NULL and there is an error;
 *   - every error has a known rule, a pointer "" or "/lines/<n>[/<column>]" with n ≥ 1, and
 *     UTF-8 text;
 *   - on success: "format" is text or csv, "count" is the number of indicators (at least one,
 *     at most IPL_MAX_ITEMS), values are distinct and canonical for their type (ipaddr.h gives
 *     them back unchanged), /32 and /128 networks written as addresses, ports strictly
 *     increasing within 0–65535, times RFC 3339, counts within 0 … 2^53 − 1;
 *   - round trip: the indicators written back as CSV (ip,port,first_seen,last_seen,count,
 *     ports joined by ';', every cell quoted, CRLF or LF, with or without a BOM) parse to the
 *     very same indicators, and written back as plain text ("value,ports") to the same values
 *     and ports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/rk.h"
#include "domain/iplist.h"
#include "domain/ipaddr.h"
#include "domain/jv.h"
#include "fuzz_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536

static const char *const rules[] = {
    "ip",      "port",      "datetime", "integer", "utf8", "control_characters",
    "columns", "max_items", "max_size", "empty",
};

static void check_errors(const struct jv_errors *errs)
{
    for (size_t i = 0; i < errs->n; i++) {
        const struct jv_error *e = &errs->e[i];
        bool known = false;
        for (size_t r = 0; r < RK_ARRAY_LEN(rules) && !known; r++)
            known = e->rule && strcmp(e->rule, rules[r]) == 0;
        if (!known) abort();
        if (e->pointer[0]) {
            char *end = NULL;
            if (strncmp(e->pointer, "/lines/", 7) != 0) abort();
            long long line = strtoll(e->pointer + 7, &end, 10);
            if (end == e->pointer + 7 || line < 1 || (*end && *end != '/')) abort();
        }
        json_t *p = json_string(e->pointer), *m = json_string(e->message);
        if (!p || !m) abort();
        json_decref(p);
        json_decref(m);
    }
}

static void puts_(struct out *o, const char *s)
{
    if (s) put(o, s, strlen(s));
}

static void put_ports(struct out *o, const json_t *ports)
{
    for (size_t k = 0; k < json_array_size(ports); k++) {
        char num[16];
        snprintf(num, sizeof num, "%s%lld", k ? ";" : "",
                 (long long)json_integer_value(json_array_get(ports, k)));
        puts_(o, num);
    }
}

static void check_indicator(const json_t *x, json_t *seen)
{
    const char *type = json_string_value(json_object_get(x, "type"));
    const char *value = json_string_value(json_object_get(x, "value"));
    if (!type || !value) abort();
    /* Distinct values (seen is a set; an allocation failure only skips the check). */
    if (json_object_get(seen, value)) abort();
    json_object_set_new(seen, value, json_true());
    bool cidr = strstr(type, "-cidr") != NULL, v6 = strncmp(type, "ipv6", 4) == 0;
    if (strcmp(type, cidr ? (v6 ? "ipv6-cidr" : "ipv4-cidr") : (v6 ? "ipv6" : "ipv4")) != 0)
        abort();
    char canon[IP_CANON_CAP], why[160];
    int rc = cidr ? ip_cidr_canon(value, strlen(value), 0, canon, sizeof canon, why, sizeof why)
                  : ip_addr_canon(value, strlen(value), canon, sizeof canon);
    if (rc != RK_OK || strcmp(canon, value) != 0) abort();
    if ((strchr(value, ':') != NULL) != v6) abort();
    if (cidr && (strcmp(strrchr(value, '/'), v6 ? "/128" : "/32") == 0)) abort();
    const json_t *ports = json_object_get(x, "ports");
    if (ports && (!json_is_array(ports) || json_array_size(ports) == 0)) abort();
    for (size_t k = 0; k < json_array_size(ports); k++) {
        json_int_t p = json_integer_value(json_array_get(ports, k));
        if (!json_is_integer(json_array_get(ports, k)) || p < 0 || p > 65535) abort();
        if (k && p <= json_integer_value(json_array_get(ports, k - 1))) abort();
    }
    for (int t = 0; t < 2; t++) {
        const json_t *s = json_object_get(x, t ? "last_seen" : "first_seen");
        if (s && !jv_check_format(JV_FMT_DATETIME, json_string_value(s), json_string_length(s)))
            abort();
    }
    const json_t *c = json_object_get(x, "count");
    if (c && (!json_is_integer(c) || json_integer_value(c) < 0 ||
              json_integer_value(c) > 9007199254740991LL))
        abort();
}

/* Parses buf, which must be accepted with no duplicate; NULL on an allocation failure. */
static json_t *reparse(struct out *o, const char *format)
{
    struct jv_errors errs;
    json_t *again = NULL;
    int rc = iplist_parse(o->p, o->n, &again, &errs);
    if (rc == RK_ENOMEM) return NULL;
    if (rc != RK_OK) abort();
    if (strcmp(json_string_value(json_object_get(again, "format")), format) != 0 ||
        json_integer_value(json_object_get(again, "duplicates")) != 0)
        abort();
    return again;
}

static void round_trip(const json_t *inds, bool crlf, bool bom)
{
    const char *eol = crlf ? "\r\n" : "\n";
    struct out csv = {0}, text = {0};
    if (bom) put(&csv, "\xEF\xBB\xBF", 3);
    puts_(&csv, "\"ip\",\"port\",\"first_seen\",\"last_seen\",\"count\"");
    puts_(&csv, eol);
    puts_(&text, "# round trip");
    puts_(&text, eol);
    for (size_t i = 0; i < json_array_size(inds); i++) {
        const json_t *x = json_array_get(inds, i);
        const char *value = json_string_value(json_object_get(x, "value"));
        const json_t *ports = json_object_get(x, "ports");
        puts_(&csv, "\"");
        puts_(&csv, value);
        puts_(&csv, "\",\"");
        put_ports(&csv, ports);
        puts_(&csv, "\",\"");
        puts_(&csv, json_string_value(json_object_get(x, "first_seen")));
        puts_(&csv, "\",\"");
        puts_(&csv, json_string_value(json_object_get(x, "last_seen")));
        puts_(&csv, "\",\"");
        const json_t *c = json_object_get(x, "count");
        if (c) {
            char num[24];
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(c));
            puts_(&csv, num);
        }
        puts_(&csv, "\"");
        puts_(&csv, eol);
        puts_(&text, value);
        if (ports) {
            puts_(&text, ",");
            put_ports(&text, ports);
        }
        puts_(&text, eol);
    }
    json_t *a = NULL, *b = NULL;
    if (!csv.failed && (a = reparse(&csv, "csv"))) {
        if (!json_equal(json_object_get(a, "indicators"), inds)) abort();
    }
    if (!text.failed && (b = reparse(&text, "text"))) {
        const json_t *got = json_object_get(b, "indicators");
        if (json_array_size(got) != json_array_size(inds)) abort();
        for (size_t i = 0; i < json_array_size(inds); i++) {
            const json_t *x = json_array_get(inds, i), *y = json_array_get(got, i);
            if (!json_equal(json_object_get(x, "value"), json_object_get(y, "value")) ||
                !json_equal(json_object_get(x, "type"), json_object_get(y, "type")))
                abort();
            const json_t *px = json_object_get(x, "ports"), *py = json_object_get(y, "ports");
            if ((px || py) && !json_equal(px, py)) abort();
        }
    }
    json_decref(a);
    json_decref(b);
    free(csv.p);
    free(text.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    struct jv_errors errs;
    json_t *out = (json_t *)1;
    int rc = iplist_parse((const char *)data, size, &out, &errs);
    if (rc == RK_ENOMEM) {
        if (out) abort();
        return 0;
    }
    check_errors(&errs);
    if ((rc == RK_OK) != (errs.n == 0 && errs.dropped == 0)) abort();
    if (rc != RK_OK) {
        if (out || rc != RK_EINVAL || errs.n == 0) abort();
        return 0;
    }
    const char *format = json_string_value(json_object_get(out, "format"));
    const json_t *inds = json_object_get(out, "indicators");
    size_t n = json_array_size(inds);
    if (!format || (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0) ||
        !json_is_array(inds) || n == 0 || n > IPL_MAX_ITEMS ||
        json_integer_value(json_object_get(out, "count")) != (json_int_t)n ||
        json_integer_value(json_object_get(out, "duplicates")) < 0)
        abort();
    json_t *seen = json_object();
    for (size_t i = 0; i < n; i++)
        check_indicator(json_array_get(inds, i), seen);
    json_decref(seen);
    round_trip(inds, size > 0 && (data[0] & 1), size > 0 && (data[0] & 2));
    json_decref(out);
    return 0;
}
