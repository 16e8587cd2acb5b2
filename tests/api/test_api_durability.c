/*
 * test_api_durability.c — acknowledged writes survive a crash, and a clean stop finishes what
 * it accepted. Concurrent clients create organisations through the API while the server is
 * killed (SIGKILL) or stopped (SIGTERM); after a restart every acknowledged organisation is
 * there, every stored organisation has its audit record (no half-written write), and the audit
 * chain verifies.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "support.h"

#define CLIENTS 16
#define MAX_ACKS 200000

static struct srv S;
static char ADMIN[128];

struct client {
    int n;
    const char *tag;
    atomic_bool *stop;
    long long *acked; /* ids acknowledged with 201 */
    size_t nacked;
    size_t errors_5xx;    /* answers that were neither success nor "shutting down": must stay 0 */
    size_t shutting_down; /* 503 answers after SIGTERM */
    size_t transport_errors;
};

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = sz * n;
    char *nb = realloc(r->body, r->len + k + 1);
    if (!nb) return 0;
    memcpy(nb + r->len, p, k);
    r->body = nb;
    r->len += k;
    nb[r->len] = 0;
    return k;
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    CURL *h = curl_easy_init();
    char url[128], auth[160], body[256];
    snprintf(url, sizeof url, "%s/api/v1/orgs", S.base);
    snprintf(auth, sizeof auth, "Authorization: %s", ADMIN);
    struct curl_slist *hl = curl_slist_append(NULL, auth);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    for (int i = 0; !atomic_load(c->stop) && c->nacked < MAX_ACKS / CLIENTS; i++) {
        struct resp r = {0};
        snprintf(body, sizeof body,
                 "{\"type\":\"ci_operator\",\"name_ja\":\"%s-%d-%d\",\"sectors\":[\"ci.finance\"]}",
                 c->tag, c->n, i);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
        long status = 0;
        if (curl_easy_perform(h) == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            json_t *j = r.body ? json_loads(r.body, 0, NULL) : NULL;
            if (status == 201 && j)
                c->acked[c->nacked++] = json_integer_value(json_object_get(j, "id"));
            else if (status == 503 && j &&
                     strcmp(json_string_value(json_object_get(j, "type")),
                            "/problems/unavailable") == 0)
                c->shutting_down++;
            else
                c->errors_5xx++;
            json_decref(j);
        } else {
            c->transport_errors++;
            if (atomic_load(c->stop)) break;
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        free(r.body);
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return NULL;
}

/* Runs the clients, delivers sig after delay_ms, stops the clients, returns totals. */
static void burst_then_signal(const char *tag, int sig, int delay_ms, struct client *cl,
                              int *exit_code)
{
    pthread_t t[CLIENTS];
    atomic_bool stop = false;
    for (int i = 0; i < CLIENTS; i++) {
        cl[i] = (struct client){.n = i,
                                .tag = tag,
                                .stop = &stop,
                                .acked = calloc(MAX_ACKS / CLIENTS, sizeof(long long))};
        pthread_create(&t[i], NULL, client_main, &cl[i]);
    }
    struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
    *exit_code = srv_signal_wait(&S, sig);
    atomic_store(&stop, true);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(t[i], NULL);
}

/* After a restart: every acknowledged id exists with its name; every organisation has exactly
 * one org.create audit record; the chain verifies. */
static size_t check_after_restart(struct client *cl)
{
    srv_launch(&S, NULL);
    size_t acked = 0;
    for (int i = 0; i < CLIENTS; i++) {
        for (size_t k = 0; k < cl[i].nacked; k++) {
            char path[64];
            struct resp r;
            snprintf(path, sizeof path, "/api/v1/orgs/%lld", cl[i].acked[k]);
            http_json(&S, "GET", path, ADMIN, NULL, &r);
            if (r.status != 200)
                fail_msg("acknowledged org %lld lost after restart (%ld)", cl[i].acked[k],
                         r.status);
            resp_free(&r);
            acked++;
        }
    }
    /* Every stored organisation has its audit record and vice versa. */
    json_t *orgs = json_object(), *audited = json_object();
    char path[128];
    long long after = 0;
    for (;;) {
        struct resp r;
        snprintf(path, sizeof path, "/api/v1/orgs?limit=1000&after=%lld", after);
        http_json(&S, "GET", path, ADMIN, NULL, &r);
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(r.json, "items"), k, o)
        {
            char key[32];
            snprintf(key, sizeof key, "org:%lld",
                     (long long)json_integer_value(json_object_get(o, "id")));
            json_object_set_new(orgs, key, json_true());
        }
        json_t *next = json_object_get(r.json, "next_after");
        after = json_integer_value(next);
        bool more = json_is_integer(next);
        resp_free(&r);
        if (!more) break;
    }
    after = 0;
    for (;;) {
        struct resp r;
        snprintf(path, sizeof path, "/api/v1/audit?action=org.create&limit=1000&after=%lld", after);
        http_json(&S, "GET", path, ADMIN, NULL, &r);
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(r.json, "items"), k, a)
        {
            const char *obj = json_string_value(json_object_get(a, "object"));
            if (json_object_get(audited, obj)) fail_msg("two audit records for %s", obj);
            json_object_set_new(audited, obj, json_true());
        }
        json_t *next = json_object_get(r.json, "next_after");
        after = json_integer_value(next);
        bool more = json_is_integer(next);
        resp_free(&r);
        if (!more) break;
    }
    assert_int_equal(json_object_size(orgs), json_object_size(audited));
    const char *key;
    json_t *v;
    json_object_foreach(orgs, key, v)
    {
        if (!json_object_get(audited, key)) fail_msg("%s stored without its audit record", key);
    }
    json_decref(orgs);
    json_decref(audited);
    char out[512];
    const char *verify[] = {"audit", "verify", NULL};
    int rc = srv_cli(&S, NULL, out, sizeof out, verify);
    if (rc != 0) fail_msg("audit verify after restart: %d %s", rc, out);
    return acked;
}

static void sigkill_during_writes(void **st)
{
    struct client cl[CLIENTS];
    int code;
    burst_then_signal("kill", SIGKILL, 1500, cl, &code);
    assert_int_equal(code, 128 + SIGKILL);
    size_t acked = check_after_restart(cl);
    printf("# SIGKILL: %zu acknowledged writes, all present after restart\n", acked);
    assert_true(acked > 100);
    for (int i = 0; i < CLIENTS; i++) {
        assert_int_equal(cl[i].errors_5xx, 0);
        free(cl[i].acked);
    }
}

static void sigterm_finishes_in_flight(void **st)
{
    struct client cl[CLIENTS];
    int code;
    burst_then_signal("term", SIGTERM, 1500, cl, &code);
    assert_int_equal(code, 0); /* clean stop */
    size_t acked = check_after_restart(cl);
    printf("# SIGTERM: %zu acknowledged writes, all present after restart\n", acked);
    /* Requests in flight at SIGTERM were answered, not dropped with an error status. */
    for (int i = 0; i < CLIENTS; i++) {
        assert_int_equal(cl[i].errors_5xx, 0);
        free(cl[i].acked);
    }
    char log[400], buf[8192] = "";
    snprintf(log, sizeof log, "%s/stderr.log", S.dir);
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    assert_non_null(strstr(buf, "stopped cleanly"));
}

static int setup(void **state)
{
    srv_start(&S, true, NULL);
    bearer(&S, "nc-admin", ADMIN, sizeof ADMIN);
    return 0;
}

static int teardown(void **state)
{
    srv_stop(&S);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sigkill_during_writes),
        cmocka_unit_test(sigterm_finishes_in_flight),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
