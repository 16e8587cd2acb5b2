/*
 * server.c — libmicrohttpd glue: request lifecycle, limits, credentials, dispatch.
 */
#include "http/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "auth/auth.h"
#include "core/ascii.h"
#include "core/rk.h"

void http_config_defaults(struct http_config *c)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    *c = (struct http_config){
        .bind_addr = "127.0.0.1",
        .port = 8080,
        .threads = n > 0 && n < 256 ? (unsigned)n : 2,
        .max_body = 1024 * 1024,
        .max_upload = 32 * 1024 * 1024,
        .import_budget = 48 * 1024 * 1024,
        .conn_memory = 64 * 1024,
        .conn_timeout_s = 30,
        .max_connections = 4096,
        .per_ip_connections = 0,
        .json_max_depth = 32,
        .secure_cookies = false,
        .session_ttl_ms = 8LL * 3600 * 1000,
        .token_max_ttl_ms = 366LL * 24 * 3600 * 1000,
        .login_max_failures = 5,
        .login_lock_ms = 15LL * 60 * 1000,
        .login_per_ip_per_min = 30,
        .shutdown_grace_s = 10,
    };
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void allow_header(struct req *r, const char *path)
{
    char allow[128] = "";
    for (size_t i = 0; i < http_nroutes; i++) {
        int64_t p[HTTP_MAX_PARAMS];
        if (http_route_match(http_routes[i].pattern, path, p) &&
            strlen(allow) + strlen(http_routes[i].method) + 3 < sizeof allow) {
            if (allow[0]) strcat(allow, ", ");    /* NOLINT: bounded above */
            strcat(allow, http_routes[i].method); /* NOLINT: bounded above */
        }
    }
    if (r->resp) MHD_add_response_header(r->resp, MHD_HTTP_HEADER_ALLOW, allow);
}

/* ---- credentials --------------------------------------------------------------------------- */

void http_principal_from_auth(const struct auth_ctx *a, struct pol_principal *p)
{
    *p = (struct pol_principal){
        .user_id = a->user.id,
        .org_id = a->org.id,
        .org_type = a->org.type,
        .sectors = a->org.sectors,
        .council = a->org.council,
        .designated = a->org.designated,
        .contractor = a->user.contractor,
        .roles = a->roles,
    };
}

static const char *cookie_value(struct req *r)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "rk_session");
}

/* Resolves the credential, if any. Returns RK_OK (authenticated or anonymous), RK_EAUTH for a
 * credential that is present but not valid (never silently downgraded to anonymous). */
static int authenticate(struct req *r)
{
    struct app *app = r->app;
    const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    unsigned char h[AUTH_HASH_LEN];
    int rc;
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) return RK_EAUTH;
        const char *tok = authz + 7;
        size_t n = strlen(tok);
        if (n < 10 || n > AUTH_SECRET_MAX) return RK_EAUTH;
        auth_secret_hash(tok, n, h);
        rc = app->store->ops->auth_token(app->store, h, store_now_ms(), &r->auth);
    } else {
        const char *c = cookie_value(r);
        if (!c) return RK_OK;
        size_t n = strlen(c);
        if (n < 10 || n > AUTH_SECRET_MAX) return RK_EAUTH;
        auth_secret_hash(c, n, h);
        rc = app->store->ops->auth_session(app->store, h, store_now_ms(), &r->auth);
        r->via_cookie = rc == RK_OK;
    }
    if (rc != RK_OK) return rc == RK_EIO ? RK_EIO : RK_EAUTH;
    r->authed = true;
    http_principal_from_auth(&r->auth, &r->who);
    return RK_OK;
}

static bool is_unsafe(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static bool json_content_type(struct req *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct) return false;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0) return false;
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    return *rest == 0 || *rest == ';';
}

/* ---- the request lifecycle ---------------------------------------------------------------- */

static struct req *req_new(struct app *app, struct MHD_Connection *c, const char *url,
                           const char *method)
{
    struct req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->app = app;
    r->conn = c;
    r->url = url;
    r->method = method;
    r->t0_ns = mono_ns();
    r->route_idx = http_nroutes; /* "unmatched" in metrics */
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(r->request_id, sizeof r->request_id, rnd, sizeof rnd);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      r->client_addr, sizeof r->client_addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->client_addr, sizeof r->client_addr);
    }
    atomic_fetch_add(&app->inflight, 1);
    return r;
}

static void req_free(struct req *r)
{
    if (r->resp) MHD_destroy_response(r->resp);
    if (r->hstate_free) r->hstate_free(r->hstate);
    json_decref(r->json);
    free(r->body);
    free(r->w);
    free(r);
}

/* The body limit of the matched route. */
static size_t body_limit(const struct req *r)
{
    return r->route && (r->route->flags & ROUTE_UPLOAD) ? r->app->cfg.max_upload
                                                        : r->app->cfg.max_body;
}

static bool body_append(struct req *r, const char *data, size_t n)
{
    if (r->body_too_large || r->body_len + n > body_limit(r)) {
        r->body_too_large = true;
        return false;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *nb = realloc(r->body, cap);
        if (!nb) {
            r->body_too_large = true;
            return false;
        }
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = 0;
    return true;
}

/* Parses and validates the body against the route's schema. Answers on failure. */
static bool parse_body(struct req *r)
{
    struct jv_errors errs;
    if (!json_content_type(r)) {
        http_problem(r, 415, "unsupported-media-type", "Unsupported media type",
                     "This endpoint accepts only Content-Type: application/json.", NULL);
        return false;
    }
    if (jv_scan(r->body ? r->body : "", r->body_len, r->app->cfg.json_max_depth, &errs) != RK_OK) {
        http_problem(r, 400, "malformed-json", "Request body nested too deeply", NULL, &errs);
        return false;
    }
    json_error_t je;
    r->json = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!r->json) {
        char detail[256];
        snprintf(detail, sizeof detail, "line %d, column %d: %s", je.line, je.column, je.text);
        jv_error_add(&errs, "", "json_syntax", "%s", detail);
        errs.n = 1;
        http_problem(r, 400, "malformed-json", "Request body is not valid JSON", detail, &errs);
        return false;
    }
    if (r->route->schema && jv_validate(r->json, r->route->schema, &errs) != RK_OK) {
        http_problem(r, 422, "validation", "The request has invalid fields", NULL, &errs);
        return false;
    }
    return true;
}

static void log_request(struct req *r, int64_t dur_ns)
{
    FILE *f = r->app->log;
    if (!f) return;
    char t[40], who[64] = "null", org[32] = "null", line[1024];
    if (r->authed) {
        snprintf(who, sizeof who, "\"user:%lld\"", (long long)r->auth.user.id);
        snprintf(org, sizeof org, "%lld", (long long)r->auth.org.id);
    }
    /* Every interpolated string is ours (route patterns, hex ids): no escaping needed. */
    int n = snprintf(line, sizeof line,
                     "{\"time\":\"%s\",\"request_id\":\"%s\",\"method\":\"%s\",\"route\":\"%s\","
                     "\"status\":%u,\"duration_ms\":%.3f,\"principal\":%s,\"org\":%s}\n",
                     http_time(store_now_ms(), t, sizeof t), r->request_id,
                     r->route ? r->route->method : "-", r->route ? r->route->pattern : "unmatched",
                     r->status, (double)dur_ns / 1e6, who, org);
    if (n > 0 && (size_t)n < sizeof line)
        fwrite(line, 1, (size_t)n, f); /* one write per line: lines never interleave */
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct app *app = cls;
    struct req *r = *con_cls;
    if (!r) return;
    int64_t dur = mono_ns() - r->t0_ns;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && r->status == 0)
        r->status = 499; /* client went away before an answer */
    metrics_observe(app->metrics, r->route_idx, r->status, dur);
    log_request(r, dur);
    req_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&app->inflight, 1);
}

static void write_done(struct store_write *w)
{
    struct req *r = w->ctx;
    struct app *app = r->app;
    atomic_store(&r->w_done, true);
    /* After the resume a worker may finish and free r at once: touch nothing of r after it. */
    MHD_resume_connection(r->conn);
    atomic_fetch_sub(&app->suspended, 1);
}

void http_submit(struct req *r, struct store_write *w)
{
    r->w = w;
    w->done = write_done;
    w->ctx = r;
    /* Suspend before submitting: the writer may finish before this function returns, and a
     * resume must never precede its suspend. */
    atomic_fetch_add(&r->app->suspended, 1);
    MHD_suspend_connection(r->conn);
    r->suspended = true;
    if (r->app->store->ops->submit(r->app->store, w) != RK_OK) {
        w->rc = RK_EIO;
        write_done(w);
    }
}

static void free_job(struct store_write *w)
{
    free(w);
}

void http_audit_async(struct req *r, const char *action, const char *object_kind, int64_t object_id)
{
    struct store_write *w = calloc(1, sizeof *w);
    if (!w) return;
    w->op = STORE_W_AUDIT_ONLY;
    store_audit_set(&w->audit, r->auth.user.id, r->auth.org.id, action, object_kind, object_id,
                    r->request_id);
    if (r->auth.token_id)
        snprintf(w->audit.detail, sizeof w->audit.detail, "{\"token\":%lld,\"route\":\"%s %s\"}",
                 (long long)r->auth.token_id, r->route ? r->route->method : "",
                 r->route ? r->route->pattern : "");
    w->done = free_job;
    if (r->app->store->ops->submit(r->app->store, w) != RK_OK) free(w);
}

static enum MHD_Result queue(struct req *r)
{
    if (!r->resp)
        http_problem(r, 500, "internal", "Internal error", "The handler gave no answer.", NULL);
    if (!r->resp) return MHD_NO;
    MHD_add_response_header(r->resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(r->resp, "Cache-Control", "no-store");
    MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, r->resp);
    MHD_destroy_response(r->resp);
    r->resp = NULL;
    r->answered = true;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct app *app = cls;
    struct req *r = *con_cls;
    if (!r) {
        if (!(r = req_new(app, c, url, method))) return MHD_NO;
        *con_cls = r;
        if (atomic_load(&app->stopping)) {
            /* Keep-alive clients would otherwise keep a stopping server busy forever. */
            http_problem(r, 503, "unavailable", "Shutting down",
                         "The server is stopping; retry against another instance or later.", NULL);
            MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
            MHD_add_response_header(r->resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
            return queue(r);
        }
        bool known;
        r->route = http_route_find(method, url, r->params, &r->route_idx, &known);
        if (!r->route) {
            if (known) {
                http_problem(r, 405, "method-not-allowed", "Method not allowed", NULL, NULL);
                allow_header(r, url);
            } else {
                http_problem(r, 404, "not-found", "Not found", "No such resource.", NULL);
            }
            return queue(r);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > body_limit(r)) {
            char d[128];
            snprintf(d, sizeof d, "The body is larger than the limit of %zu bytes.", body_limit(r));
            http_problem(r, 413, "payload-too-large", "Payload too large", d, NULL);
            return queue(r);
        }
        return MHD_YES;
    }
    if (r->answered) {
        /* An early answer (404, 405, 413, 503) was queued before the body arrived: MHD still
         * hands over the upload, which is discarded. Nothing below may run without a route. */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        body_append(r, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->suspended) {
        /* Resumed after the write committed: run the handler's second half. */
        r->suspended = false;
        r->route->handler(r);
        return queue(r);
    }
    if (r->body_too_large) {
        char d[128];
        snprintf(d, sizeof d, "The body is larger than the limit of %zu bytes.", body_limit(r));
        http_problem(r, 413, "payload-too-large", "Payload too large", d, NULL);
        return queue(r);
    }
    int arc = authenticate(r);
    if (arc == RK_EAUTH && (r->route->flags & ROUTE_PUBLIC)) {
        /* A stale cookie must not lock a person out of the login page: public routes do not
         * depend on who asks, so a bad credential there is simply not used. */
        arc = RK_OK;
        r->authed = false;
        r->via_cookie = false;
    }
    if (arc == RK_EIO) {
        http_problem(r, 503, "internal", "Store unavailable", NULL, NULL);
        return queue(r);
    }
    if (arc != RK_OK || (!r->authed && !(r->route->flags & ROUTE_PUBLIC))) {
        http_problem(r, 401, "unauthenticated", "Authentication required",
                     arc != RK_OK ? "The credential is invalid, expired or revoked."
                                  : "Log in (POST /api/v1/session) or send a bearer token.",
                     NULL);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"renkei\"");
        return queue(r);
    }
    if (r->via_cookie && is_unsafe(method)) {
        const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!t || !auth_secret_equal(t, r->auth.csrf)) {
            http_problem_field(r, 403, "forbidden", "/headers/X-CSRF-Token", "csrf",
                               "cookie-authenticated writes need the X-CSRF-Token header "
                               "returned at login");
            return queue(r);
        }
    }
    if (r->route->roles && !(r->who.roles & r->route->roles)) {
        http_problem(r, 403, "forbidden", "Forbidden", "Your role does not allow this action.",
                     NULL);
        return queue(r);
    }
    if (r->authed && r->auth.token_id && !is_unsafe(method) && !(r->route->flags & ROUTE_PUBLIC))
        http_audit_async(r, "token.use", "token", r->auth.token_id);
    if (!http_query_check(r, r->route->query)) return queue(r);
    if ((r->route->flags & ROUTE_BODY) && !parse_body(r)) return queue(r);
    if (!(r->route->flags & (ROUTE_BODY | ROUTE_UPLOAD)) && r->body_len > 0) {
        http_problem(r, 415, "unsupported-media-type", "No body expected",
                     "This endpoint takes no request body.", NULL);
        return queue(r);
    }
    r->route->handler(r);
    if (r->suspended) return MHD_YES;
    return queue(r);
}

/* Percent-decoding of the path and query values, in place, except "%00": libmicrohttpd's own
 * decoder turns it into a NUL, and every string check after it would see only the part before
 * (GET /api/v1/orgs/1%00x was served as /api/v1/orgs/1). Kept as the three characters, it
 * matches no route and fails every value check. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    char *w = s;
    for (const char *r = s; *r; r++) {
        int hi, lo;
        if (r[0] == '%' && (hi = rk_hexval((unsigned char)r[1])) >= 0 &&
            (lo = rk_hexval((unsigned char)r[2])) >= 0 && (hi | lo)) {
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = 0;
    return (size_t)(w - s);
}

int http_start(struct app *app, struct MHD_Daemon **out, char *err, size_t errlen)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)app->cfg.port)};
    if (inet_pton(AF_INET, app->cfg.bind_addr, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "bad bind address %s (IPv4 expected)", app->cfg.bind_addr);
        return RK_EINVAL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        (uint16_t)app->cfg.port, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)app->cfg.threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)app->cfg.conn_memory,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)app->cfg.conn_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)app->cfg.max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)app->cfg.per_ip_connections,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, app, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
        NULL, MHD_OPTION_END);
    if (!d) {
        snprintf(err, errlen, "cannot listen on %s:%u: %s", app->cfg.bind_addr, app->cfg.port,
                 strerror(errno));
        return RK_EIO;
    }
    atomic_store(&app->ready, true);
    *out = d;
    return RK_OK;
}

void http_stop(struct app *app, struct MHD_Daemon *d)
{
    atomic_store(&app->ready, false);
    atomic_store(&app->stopping, true);
    MHD_socket ls = MHD_quiesce_daemon(d); /* stop accepting; in-flight requests go on */
    if (ls != MHD_INVALID_SOCKET) close(ls);
    int64_t deadline = mono_ns() + (int64_t)app->cfg.shutdown_grace_s * 1000000000;
    struct timespec ts = {0, 10 * 1000 * 1000};
    /* A suspended connection waits for a commit the writer will finish; libmicrohttpd must not
     * be stopped under it, so those are waited for even past the grace period. */
    while (atomic_load(&app->suspended) > 0 ||
           (atomic_load(&app->inflight) > 0 && mono_ns() < deadline))
        nanosleep(&ts, NULL);
    MHD_stop_daemon(d);
}
