/*
 * http.h — the HTTP layer: configuration, the per-request context, the route table and the
 * helpers handlers use to answer.
 *
 * renkeid runs libmicrohttpd with epoll and a pool of worker threads (one per core by
 * default). A request is matched against the declarative route table (src/api/routes.c),
 * its body is collected under explicit limits, its credential resolved, and then its handler
 * runs. A handler either answers at once (http_reply_*) or hands a write job to the store
 * (http_submit): the connection is suspended, the worker is free for other connections, and
 * when the group commit lands the writer thread resumes the connection and the handler runs a
 * second time with r->w completed. Handlers never decide visibility: they ask policy.h.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <microhttpd.h>

#include "core/forms.h"
#include "core/refdata.h"
#include "domain/asset.h"
#include "domain/jv.h"
#include "domain/policy.h"
#include "store/store.h"

/* Every limit is a named setting with a default (docs/configuration.md lists them). */
struct http_config {
    const char *bind_addr;       /* default 127.0.0.1 */
    unsigned port;               /* default 8080 */
    unsigned threads;            /* worker threads, default: number of cores */
    size_t max_body;             /* bytes, default 1 MiB */
    size_t max_upload;           /* bytes, ROUTE_UPLOAD routes (inventories), default 32 MiB */
    size_t import_budget;        /* bytes of inventory uploads processed at once, default 48 MiB */
    size_t conn_memory;          /* per-connection memory incl. headers, default 64 KiB */
    unsigned conn_timeout_s;     /* idle connection timeout, default 30 s */
    unsigned max_connections;    /* default 4096 */
    unsigned per_ip_connections; /* default 0 = unlimited (loopback benchmarks) */
    unsigned json_max_depth;     /* default 32 */
    bool secure_cookies;         /* add Secure to cookies (behind TLS), default false */
    int64_t session_ttl_ms;      /* default 8 h */
    int64_t token_max_ttl_ms;    /* default 366 days */
    int login_max_failures;      /* failures before a temporary lock, default 5 */
    int64_t login_lock_ms;       /* default 15 min */
    unsigned login_per_ip_per_min; /* default 30 */
    unsigned shutdown_grace_s;     /* time to finish in-flight requests on SIGTERM, default 10 */
};

void http_config_defaults(struct http_config *c);

struct metrics;
struct auth_throttle;

struct app {
    struct store *store;
    struct refdata *rd;
    struct http_config cfg;
    struct asset_rules rules; /* asset-filing periods and enforcement date */
    struct forms *forms;      /* incident report forms and ATT&CK techniques */
    json_t *openapi;          /* the OpenAPI document served at /api/openapi.json */
    struct metrics *metrics;
    struct auth_throttle *throttle;   /* login attempts per client address */
    struct auth_throttle *ghost_lock; /* failures per unknown username (see h_session.c) */
    FILE *log;                        /* one JSON line per request; NULL = no request log */
    atomic_long inflight;             /* requests started and not yet completed */
    atomic_long suspended;            /* connections waiting for a group commit */
    atomic_long import_bytes;         /* bytes of inventory uploads being processed */
    atomic_bool ready;
    atomic_bool stopping; /* SIGTERM seen: new requests get 503 and the connection closes */
};

enum route_flag {
    ROUTE_PUBLIC = 1u << 0, /* no credential needed */
    ROUTE_BODY = 1u << 1,   /* expects a JSON body */
    ROUTE_UPLOAD = 1u << 2, /* takes a file (r->body, up to max_upload); the handler parses it */
};

struct req;
typedef void (*http_handler)(struct req *r);

struct route {
    const char *method;
    const char *pattern; /* segments; "{name}" matches a machine name [a-z][a-z0-9_]{0,31}
                            (last segment, not captured); any other "{…}" ({id}, {number},
                            {attachment_id}) captures a positive integer into params, in order */
    http_handler handler;
    unsigned flags;
    unsigned roles; /* any of these roles is required; 0 = any authenticated principal */
    const struct jv_field *schema; /* request body schema (ROUTE_BODY) */
    const char *const *query;      /* allowed query parameters (NULL: none); others → 400 */
};

extern const struct route http_routes[];
extern const size_t http_nroutes;

#define HTTP_MAX_PARAMS 2

/* Matches a path (no query string) against a pattern; "{id}" segments capture positive
 * integers of at most 18 digits without a leading zero into params. */
bool http_route_match(const char *pattern, const char *path, int64_t *params);
/* Finds the route for method and path (HEAD matches GET). Returns NULL when none; then
 * *path_known tells a 405 (path exists for another method) from a 404. */
const struct route *http_route_find(const char *method, const char *path, int64_t *params,
                                    size_t *idx, bool *path_known);

struct req {
    struct app *app;
    struct MHD_Connection *conn;
    const struct route *route; /* NULL when nothing matched */
    size_t route_idx;
    const char *method;
    const char *url;
    int64_t params[HTTP_MAX_PARAMS];
    char request_id[40];
    char client_addr[64];
    int64_t t0_ns;
    /* body */
    char *body;
    size_t body_len, body_cap;
    bool body_too_large;
    json_t *json; /* parsed and validated body (ROUTE_BODY) */
    /* principal */
    bool authed;
    struct auth_ctx auth;
    struct pol_principal who;
    bool via_cookie;
    /* asynchronous write */
    struct store_write *w;
    atomic_bool w_done;
    bool suspended;
    char scratch[128]; /* handler state kept across the two halves of a write */
    void *hstate;      /* larger handler state across the halves; freed with the request */
    void (*hstate_free)(void *hstate);
    /* the answer */
    bool answered; /* queued: later calls only drain the upload */
    struct MHD_Response *resp;
    unsigned status;
};

/* Answers. Each sets r->resp/r->status; the caller's reference to json is consumed. */
void http_reply_json(struct req *r, unsigned status, json_t *body);
void http_reply_text(struct req *r, unsigned status, const char *content_type, const char *text,
                     size_t len);
/* RFC 9457 problem+json. errs may be NULL. kind names the problem type (docs/problems.md):
 * "validation", "malformed-json", "unsupported-media-type", "payload-too-large",
 * "unauthenticated", "forbidden", "not-found", "method-not-allowed", "conflict", "locked",
 * "too-many-requests", "unavailable", "internal". */
void http_problem(struct req *r, unsigned status, const char *kind, const char *title,
                  const char *detail, const struct jv_errors *errs);
/* Shorthand for a one-field validation problem (422 unless status given). */
void http_problem_field(struct req *r, unsigned status, const char *kind, const char *pointer,
                        const char *rule, const char *message);
/* Maps a store rc to a problem (404, 409 with conflict_field, 500). */
void http_problem_rc(struct req *r, int rc, const struct store_write *w);

/* Hands w (heap-allocated; freed with the request) to the store and suspends the connection.
 * The handler runs again when w completes: check r->w && r->w_done. */
void http_submit(struct req *r, struct store_write *w);
/* Queues a fire-and-forget audit record (token use, reads of RED data when not waited). */
void http_audit_async(struct req *r, const char *action, const char *object_kind,
                      int64_t object_id);

/* Query parameters. The dispatcher rejects parameters a route does not list (400). */
bool http_query_check(struct req *r, const char *const *allowed);
/* The raw value of a query parameter, or NULL when absent (valid for the request's life). */
const char *http_query_str(struct req *r, const char *name);
/* Parses an integer query parameter within [min, max]; absent → def. On a bad value answers
 * 400 and returns false. */
bool http_query_int(struct req *r, const char *name, long long min, long long max, long long def,
                    long long *out);

/* RFC 3339 UTC text of a Unix-ms time into buf (≥ 32 bytes); "" for 0. */
const char *http_time(int64_t ms, char *buf, size_t cap);

/* The pol_principal of an authenticated context. */
void http_principal_from_auth(const struct auth_ctx *a, struct pol_principal *p);

/* Server lifecycle. http_start binds and starts the worker pool. http_stop stops accepting,
 * waits up to cfg.shutdown_grace_s for in-flight requests, then stops the daemon. */
int http_start(struct app *app, struct MHD_Daemon **out, char *err, size_t errlen);
void http_stop(struct app *app, struct MHD_Daemon *d);

/* Metrics (src/http/metrics.c). */
int metrics_new(size_t nroutes, struct metrics **out);
void metrics_free(struct metrics *m);
void metrics_observe(struct metrics *m, size_t route_idx, unsigned status, int64_t dur_ns);
/* Prometheus text exposition; caller frees. */
char *metrics_render(struct metrics *m, const struct store_stats *st, size_t *len);

#endif
