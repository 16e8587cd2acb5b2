/*
 * test_api_requests.c — every kind of bad request gets the right 4xx problem+json naming the
 * field and rule, and changes nothing. Runs against the real renkeid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static struct srv S;
static char ADMIN[128]; /* bearer token of nc-admin */

static int setup(void **state)
{
    const char *extra[] = {"--timeout", "2", NULL}; /* so the idle-timeout test is quick */
    srv_start(&S, true, extra);
    bearer(&S, "nc-admin", ADMIN, sizeof ADMIN);
    return 0;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

/* How many organisations and audit records exist: "nothing stored" means neither moves. */
static void counts(size_t *orgs, json_int_t *audit_seq)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/orgs?limit=1000", ADMIN, NULL, &r);
    assert_int_equal(r.status, 200);
    *orgs = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    /* The newest audit record that is not a token-use record (reads are audited too). */
    http_json(&S, "GET", "/api/v1/audit?limit=1000&action=org.create", ADMIN, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    size_t n = json_array_size(items);
    *audit_seq = n ? json_integer_value(json_object_get(json_array_get(items, n - 1), "seq")) : 0;
    resp_free(&r);
}

static void assert_problem(const struct resp *r, long status, const char *type, const char *pointer,
                           const char *rule)
{
    char ct[128];
    if (r->status != status)
        fail_msg("expected %ld, got %ld: %s", status, r->status, r->body ? r->body : "");
    assert_non_null(resp_header(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/problem+json");
    assert_non_null(r->json);
    assert_string_equal(json_string_value(json_object_get(r->json, "type")), type);
    assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
    assert_non_null(json_object_get(r->json, "title"));
    if (pointer) {
        /* The named pointer and rule must be among the errors. */
        json_t *errs = json_object_get(r->json, "errors");
        size_t i;
        json_t *e;
        bool found = false;
        json_array_foreach(errs, i, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "pointer")), pointer) == 0 &&
                strcmp(json_string_value(json_object_get(e, "rule")), rule) == 0 &&
                json_string_length(json_object_get(e, "message")) > 0)
                found = true;
        }
        if (!found) fail_msg("no error {%s, %s} in %s", pointer, rule, r->body);
    }
}

static const char *GOOD_ORG = "{\"type\":\"core_operator\",\"name_ja\":\"検証電力株式会社\","
                              "\"sectors\":[\"core.electricity\"]}";

static void bad_org(const char *ctype, const char *body, long status, const char *type,
                    const char *pointer, const char *rule)
{
    size_t orgs0, orgs1;
    json_int_t a0, a1;
    counts(&orgs0, &a0);
    struct resp r;
    http(&S, "POST", "/api/v1/orgs", ADMIN, NULL, NULL, ctype, body, &r);
    assert_problem(&r, status, type, pointer, rule);
    resp_free(&r);
    counts(&orgs1, &a1);
    assert_int_equal(orgs0, orgs1);
    assert_int_equal(a0, a1);
}

static void malformed_json(void **st)
{
    bad_org("application/json", "{\"type\": \"core_operator\", ", 400, "/problems/malformed-json",
            "", "json_syntax");
    bad_org("application/json", "", 400, "/problems/malformed-json", "", "json_syntax");
    bad_org("application/json", "{\"type\":\"vendor\",\"type\":\"vendor\",\"name_ja\":\"x\"}", 400,
            "/problems/malformed-json", "", "json_syntax");
}

static void too_deep(void **st)
{
    char body[512] = "{\"name_ja\":";
    for (int i = 0; i < 40; i++)
        strcat(body, "[");
    for (int i = 0; i < 40; i++)
        strcat(body, "]");
    strcat(body, "}");
    bad_org("application/json", body, 400, "/problems/malformed-json", "", "max_depth");
}

static void wrong_content_type(void **st)
{
    bad_org("text/plain", GOOD_ORG, 415, "/problems/unsupported-media-type", NULL, NULL);
    bad_org(NULL, GOOD_ORG, 415, "/problems/unsupported-media-type", NULL, NULL);
    bad_org("application/jsonx", GOOD_ORG, 415, "/problems/unsupported-media-type", NULL, NULL);
}

static void oversized_body(void **st)
{
    size_t n = 1024 * 1024 + 100;
    char *body = malloc(n + 1);
    assert_non_null(body);
    memset(body, ' ', n);
    memcpy(body, "{\"name_ja\":\"", 12);
    body[n - 2] = '"';
    body[n - 1] = '}';
    body[n] = 0;
    bad_org("application/json", body, 413, "/problems/payload-too-large", NULL, NULL);
    free(body);
}

static void unknown_field(void **st)
{
    bad_org("application/json",
            "{\"type\":\"core_operator\",\"name_ja\":\"x\",\"sectors\":[],\"is_admin\":true}", 422,
            "/problems/validation", "/is_admin", "unknown_field");
}

static void missing_required(void **st)
{
    bad_org("application/json", "{\"type\":\"core_operator\"}", 422, "/problems/validation",
            "/name_ja", "required");
}

static void wrong_type(void **st)
{
    bad_org("application/json",
            "{\"type\":\"core_operator\",\"name_ja\":\"x\",\"designated\":\"yes\"}", 422,
            "/problems/validation", "/designated", "type");
    bad_org("application/json",
            "{\"type\":\"core_operator\",\"name_ja\":\"x\",\"sectors\":\"core.gas\"}", 422,
            "/problems/validation", "/sectors", "type");
    bad_org("application/json", "[1,2,3]", 422, "/problems/validation", "", "type");
}

static void bad_values(void **st)
{
    bad_org("application/json", "{\"type\":\"bank\",\"name_ja\":\"x\"}", 422,
            "/problems/validation", "/type", "enum");
    bad_org("application/json",
            "{\"type\":\"core_operator\",\"name_ja\":\"x\",\"corporate_number\":\"7000012050003\"}",
            422, "/problems/validation", "/corporate_number", "format");
    bad_org(
        "application/json",
        "{\"type\":\"core_operator\",\"name_ja\":\"x\",\"sectors\":[\"core.gas\",\"core.nope\"]}",
        422, "/problems/validation", "/sectors/1", "enum");
    bad_org("application/json", "{\"type\":\"ministry\",\"name_ja\":\"x\"}", 422,
            "/problems/validation", "/ministry", "required");
    bad_org("application/json",
            "{\"type\":\"core_operator\",\"name_ja\":\"x\",\"council\":\"member\"}", 422,
            "/problems/validation", "/council_consent_date", "required");
    bad_org("application/json", "{\"type\":\"core_operator\",\"name_ja\":\"\"}", 422,
            "/problems/validation", "/name_ja", "min_length");
    /* jansson refuses \u0000 while parsing, before validation: a syntax error. */
    bad_org("application/json", "{\"type\":\"core_operator\",\"name_ja\":\"a\\u0000b\"}", 400,
            "/problems/malformed-json", "", "json_syntax");
    /* The ministry's code is unique: the second one is a conflict naming the field. */
    bad_org("application/json", "{\"type\":\"ministry\",\"name_ja\":\"x\",\"ministry\":\"fsa\"}",
            409, "/problems/conflict", "/ministry", "unique");
}

static void no_or_bad_credential(void **st)
{
    size_t orgs0, orgs1;
    json_int_t a0, a1;
    counts(&orgs0, &a0);
    struct resp r;
    char h[256];
    http(&S, "POST", "/api/v1/orgs", NULL, NULL, NULL, "application/json", GOOD_ORG, &r);
    assert_problem(&r, 401, "/problems/unauthenticated", NULL, NULL);
    assert_non_null(resp_header(&r, "WWW-Authenticate", h, sizeof h));
    resp_free(&r);
    http(&S, "POST", "/api/v1/orgs", "Bearer rk_notarealtokennotarealtokennotarealtoken00", NULL,
         NULL, "application/json", GOOD_ORG, &r);
    assert_problem(&r, 401, "/problems/unauthenticated", NULL, NULL);
    resp_free(&r);
    http(&S, "POST", "/api/v1/orgs", "Basic bmMtYWRtaW46eA==", NULL, NULL, "application/json",
         GOOD_ORG, &r);
    assert_problem(&r, 401, "/problems/unauthenticated", NULL, NULL);
    resp_free(&r);
    http(&S, "GET", "/api/v1/me", NULL, "rk_session=forgedforgedforgedforgedforged", NULL, NULL,
         NULL, &r);
    assert_problem(&r, 401, "/problems/unauthenticated", NULL, NULL);
    resp_free(&r);
    counts(&orgs1, &a1);
    assert_int_equal(orgs0, orgs1);
    assert_int_equal(a0, a1);
}

static void good_request_is_stored(void **st)
{
    size_t orgs0, orgs1;
    json_int_t a0, a1;
    counts(&orgs0, &a0);
    struct resp r;
    char loc[128];
    http_json(&S, "POST", "/api/v1/orgs", ADMIN, GOOD_ORG, &r);
    assert_int_equal(r.status, 201);
    assert_non_null(resp_header(&r, "Location", loc, sizeof loc));
    json_int_t id = json_integer_value(json_object_get(r.json, "id"));
    resp_free(&r);
    counts(&orgs1, &a1);
    assert_int_equal(orgs1, orgs0 + 1);
    assert_true(a1 > a0);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld", (long long)id);
    assert_string_equal(loc, path);
    http_json(&S, "GET", path, ADMIN, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "name_ja")), "検証電力株式会社");
    resp_free(&r);
}

/* Sends the request head, waits, then the body, on a raw socket: the server has already
 * answered from the head when the body arrives. Returns the status line's code. */
static int split_request(const char *method, const char *path, const char *auth, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)S.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[512];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     method, path, auth, strlen(body));
    assert_int_equal(write(fd, head, (size_t)n), n);
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ssize_t w = write(fd, body, strlen(body)); /* may fail if the server closed: fine */
    (void)w;
    char buf[512] = "";
    ssize_t k = read(fd, buf, sizeof buf - 1);
    close(fd);
    int code = 0;
    if (k > 12) sscanf(buf, "HTTP/1.1 %d", &code);
    return code;
}

static void early_answers_survive_late_bodies(void **st)
{
    /* An answer queued before the body arrived once let the body's arrival run the handler
     * path without a route: a crash any client could trigger. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(split_request("POST", "/api/v1/nothing-here", ADMIN, GOOD_ORG), 404);
        assert_int_equal(split_request("PUT", "/api/v1/orgs", ADMIN, GOOD_ORG), 405);
    }
    struct resp r;
    http(&S, "GET", "/healthz", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static int raw_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)S.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = 15}; /* the test must not hang if the server never answers */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void oversized_headers(void **st)
{
    /* Headers beyond the per-connection memory (64 KiB) are refused, not buffered. */
    size_t n = 100 * 1024;
    char *h = malloc(n + 64);
    assert_non_null(h);
    memset(h, 'x', n);
    h[n] = 0;
    char *req = malloc(n + 256);
    assert_non_null(req);
    int len = snprintf(req, n + 256, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", h);
    int fd = raw_connect();
    ssize_t w = write(fd, req, (size_t)len); /* the server may close before reading it all */
    (void)w;
    char buf[256] = "";
    ssize_t k = read(fd, buf, sizeof buf - 1);
    close(fd);
    free(h);
    free(req);
    int code = 0;
    if (k > 12) sscanf(buf, "HTTP/1.1 %d", &code);
    /* Either a 4xx status or a closed connection; never a 200 or a hang. */
    assert_true(k <= 0 || (code >= 400 && code < 500));
    struct resp r;
    http(&S, "GET", "/healthz", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void idle_connection_times_out(void **st)
{
    /* A client that stops half-way through its headers is dropped after --timeout (2 s here). */
    int fd = raw_connect();
    const char *partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    assert_int_equal(write(fd, partial, strlen(partial)), (ssize_t)strlen(partial));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char buf[64];
    ssize_t k = read(fd, buf, sizeof buf); /* returns 0 when the server closes */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(fd);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(k <= 0);
    assert_true(waited >= 1.0 && waited < 10.0);
}

static void one_server_per_port(void **st)
{
    /* A second server must not share the port (and the store) silently. */
    char port[16], out[1024];
    snprintf(port, sizeof port, "%d", S.port);
    const char *serve[] = {"serve", "--port", port, NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, serve), 1);
    const char *zero[] = {"serve", "--port", "0", NULL};
    assert_int_equal(srv_cli(&S, NULL, out, sizeof out, zero), 2);
    struct resp r;
    http(&S, "GET", "/healthz", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void routing_and_query(void **st)
{
    struct resp r;
    char allow[128];
    http_json(&S, "GET", "/api/v1/nothing-here", ADMIN, NULL, &r);
    assert_problem(&r, 404, "/problems/not-found", NULL, NULL);
    resp_free(&r);
    http_json(&S, "PUT", "/api/v1/orgs", ADMIN, NULL, &r);
    assert_problem(&r, 405, "/problems/method-not-allowed", NULL, NULL);
    assert_non_null(resp_header(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET, POST");
    resp_free(&r);
    /* Early answers given before the body arrives must leave the server standing (a POST
     * body to an unknown path once crashed it). */
    for (int i = 0; i < 3; i++) {
        http_json(&S, "POST", "/api/v1/nothing-here", ADMIN, GOOD_ORG, &r);
        assert_problem(&r, 404, "/problems/not-found", NULL, NULL);
        resp_free(&r);
        http_json(&S, "PUT", "/api/v1/orgs", ADMIN, GOOD_ORG, &r);
        assert_problem(&r, 405, "/problems/method-not-allowed", NULL, NULL);
        resp_free(&r);
        http(&S, "POST", "/api/v1/session", NULL, NULL, NULL, "application/json", GOOD_ORG, &r);
        assert_int_equal(r.status, 422);
        resp_free(&r);
    }
    http(&S, "GET", "/healthz", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/orgs/0", ADMIN, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    /* An encoded NUL never cuts a path or a value short. */
    http_json(&S, "GET", "/api/v1/orgs/1%00x", ADMIN, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/orgs?limit=5%00", ADMIN, NULL, &r);
    assert_problem(&r, 400, "/problems/validation", "/query/limit", "range");
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/orgs/%31", ADMIN, NULL, &r); /* other escapes still decode */
    assert_int_equal(r.status, 200);
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/orgs/99999999", ADMIN, NULL, &r);
    assert_problem(&r, 404, "/problems/not-found", NULL, NULL);
    resp_free(&r);
    static const struct {
        const char *path, *pointer, *rule;
    } bad_query[] = {
        {"/api/v1/orgs?limit=0", "/query/limit", "range"},
        {"/api/v1/orgs?limit=abc", "/query/limit", "range"},
        {"/api/v1/orgs?limit", "/query/limit", "missing_value"},
        {"/api/v1/orgs?limit=1&limit=1000", "/query/limit", "duplicate"},
        {"/api/v1/orgs?limit=%2B5", "/query/limit", "range"},
        {"/api/v1/orgs?sort=name", "/query/sort", "unknown_field"},
    };
    for (size_t i = 0; i < sizeof bad_query / sizeof bad_query[0]; i++) {
        http_json(&S, "GET", bad_query[i].path, ADMIN, NULL, &r);
        assert_problem(&r, 400, "/problems/validation", bad_query[i].pointer, bad_query[i].rule);
        resp_free(&r);
    }
    http(&S, "GET", "/api/v1/orgs", ADMIN, NULL, NULL, "application/json", "{}", &r);
    assert_problem(&r, 415, "/problems/unsupported-media-type", NULL, NULL);
    resp_free(&r);
}

static void paging(void **st)
{
    struct resp r;
    http_json(&S, "GET", "/api/v1/orgs?limit=5", ADMIN, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 5);
    json_int_t next = json_integer_value(json_object_get(r.json, "next_after"));
    assert_true(next > 0);
    resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/orgs?limit=1000&after=%lld", (long long)next);
    http_json(&S, "GET", path, ADMIN, NULL, &r);
    json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
    assert_true(json_integer_value(json_object_get(first, "id")) > next);
    assert_true(json_is_null(json_object_get(r.json, "next_after")));
    resp_free(&r);
}

static void system_endpoints(void **st)
{
    struct resp r;
    http(&S, "GET", "/healthz", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    http(&S, "GET", "/readyz", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* A request is counted when its connection completes, which can be just after the client
     * has read the answer: poll briefly rather than race the server. */
    for (int i = 0;; i++) {
        http(&S, "GET", "/metrics", NULL, NULL, NULL, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        if (strstr(r.body, "renkei_http_requests_total{method=\"POST\",route=\"/api/v1/tokens\"") ||
            i == 50)
            break;
        resp_free(&r);
        usleep(20 * 1000);
    }
    assert_non_null(
        strstr(r.body, "renkei_http_requests_total{method=\"POST\",route=\"/api/v1/tokens\""));
    assert_non_null(strstr(r.body, "renkei_http_request_duration_seconds_bucket"));
    assert_non_null(strstr(r.body, "renkei_store_commit_seconds_count"));
    resp_free(&r);
    http(&S, "GET", "/api/openapi.json", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "openapi")), "3.1.0");
    resp_free(&r);
    http_json(&S, "GET", "/api/v1/reference", ADMIN, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "sectors")), 30);
    resp_free(&r);
    /* Reference data and everything under /api/v1 need a login. */
    http(&S, "GET", "/api/v1/reference", NULL, NULL, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    resp_free(&r);
}

static void request_log(void **st)
{
    FILE *f = fopen(S.log, "r");
    assert_non_null(f);
    char line[2048];
    size_t n = 0;
    json_t *last = NULL;
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j); /* every line is one JSON object */
        json_decref(last);
        last = j;
        n++;
    }
    fclose(f);
    assert_true(n > 10);
    static const char *const keys[] = {"time",   "request_id",  "method",    "route",
                                       "status", "duration_ms", "principal", "org"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        assert_non_null(json_object_get(last, keys[i]));
    json_decref(last);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(system_endpoints),
        cmocka_unit_test(malformed_json),
        cmocka_unit_test(too_deep),
        cmocka_unit_test(wrong_content_type),
        cmocka_unit_test(oversized_body),
        cmocka_unit_test(unknown_field),
        cmocka_unit_test(missing_required),
        cmocka_unit_test(wrong_type),
        cmocka_unit_test(bad_values),
        cmocka_unit_test(no_or_bad_credential),
        cmocka_unit_test(good_request_is_stored),
        cmocka_unit_test(routing_and_query),
        cmocka_unit_test(paging),
        cmocka_unit_test(early_answers_survive_late_bodies),
        cmocka_unit_test(one_server_per_port),
        cmocka_unit_test(oversized_headers),
        cmocka_unit_test(idle_connection_times_out),
        cmocka_unit_test(request_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
