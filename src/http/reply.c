/* reply.c — answers: JSON bodies, RFC 9457 problems, query parameters, timestamps. */
#include "http/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rk.h"

static void set_resp(struct req *r, unsigned status, const char *ctype, char *buf, size_t len)
{
    if (r->resp) MHD_destroy_response(r->resp);
    r->resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    r->status = status;
    if (r->resp)
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    else
        free(buf);
}

static void reply_json_type(struct req *r, unsigned status, json_t *body, const char *ctype)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!s) {
        static const char oom[] = "{\"title\":\"Internal error\",\"status\":500}";
        char *copy = strdup(oom);
        if (copy) set_resp(r, 500, "application/problem+json", copy, strlen(copy));
        return;
    }
    set_resp(r, status, ctype, s, strlen(s));
}

void http_reply_json(struct req *r, unsigned status, json_t *body)
{
    reply_json_type(r, status, body, "application/json");
}

void http_reply_text(struct req *r, unsigned status, const char *content_type, const char *text,
                     size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) return;
    memcpy(copy, text, len);
    copy[len] = 0;
    set_resp(r, status, content_type, copy, len);
}

void http_problem(struct req *r, unsigned status, const char *kind, const char *title,
                  const char *detail, const struct jv_errors *errs)
{
    char type[96];
    snprintf(type, sizeof type, "/problems/%s", kind);
    json_t *p = json_pack("{s:s, s:s, s:i}", "type", type, "title", title, "status", (int)status);
    if (!p) return;
    if (detail) json_object_set_new(p, "detail", json_string(detail));
    json_object_set_new(p, "instance", json_string(r->url ? r->url : ""));
    json_object_set_new(p, "request_id", json_string(r->request_id));
    json_t *arr = json_array();
    for (size_t i = 0; errs && i < errs->n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s}", "pointer", errs->e[i].pointer, "rule",
                                        errs->e[i].rule, "message", errs->e[i].message));
    json_object_set_new(p, "errors", arr);
    if (errs && errs->dropped)
        json_object_set_new(p, "errors_dropped", json_integer((json_int_t)errs->dropped));
    reply_json_type(r, status, p, "application/problem+json");
}

void http_problem_field(struct req *r, unsigned status, const char *kind, const char *pointer,
                        const char *rule, const char *message)
{
    struct jv_errors errs = {0};
    jv_error_add(&errs, pointer, rule, "%s", message);
    http_problem(r, status ? status : 422, kind ? kind : "validation",
                 status == 403   ? "Forbidden"
                 : status == 409 ? "Conflict"
                                 : "The request has invalid fields",
                 message, &errs);
}

void http_problem_rc(struct req *r, int rc, const struct store_write *w)
{
    switch (rc) {
    case RK_ENOTFOUND:
        http_problem(r, 404, "not-found", "Not found", "No such resource.", NULL);
        return;
    case RK_ECONFLICT:
        if (w && w->conflict_field[0]) {
            bool stale = strcmp(w->conflict_field, "/version") == 0;
            struct jv_errors errs = {0};
            jv_error_add(&errs, w->conflict_field, stale ? "version" : "unique", "%s",
                         stale ? "the object was changed by someone else; reload it"
                               : "already taken by another record");
            http_problem(r, 409, "conflict", "Conflict", errs.e[0].message, &errs);
        } else
            http_problem(r, 409, "conflict", "Conflict", NULL, NULL);
        return;
    case RK_EDENIED:
        http_problem(r, 403, "forbidden", "Forbidden", NULL, NULL);
        return;
    default:
        http_problem(r, 500, "internal", "Internal error", rk_strerror(rc), NULL);
    }
}

struct query_check {
    const char *const *allowed;
    unsigned seen; /* bit i: allowed[i] already given */
    const char *bad;
    const char *rule;
    const char *message;
};

static enum MHD_Result query_key(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct query_check *ck = cls;
    unsigned i = 0;
    for (const char *const *a = ck->allowed; a && *a; a++, i++) {
        if (strcmp(*a, key) != 0) continue;
        /* "?limit" (no "=") and "?limit=1&limit=2" would otherwise be read as absent, or as
         * the first value, silently. */
        if (!value) {
            ck->rule = "missing_value";
            ck->message = "a query parameter needs a value: name=value";
        } else if (i < 32 && (ck->seen & (1u << i))) {
            ck->rule = "duplicate";
            ck->message = "a query parameter may be given only once";
        } else {
            if (i < 32) ck->seen |= 1u << i;
            return MHD_YES;
        }
        ck->bad = key;
        return MHD_NO;
    }
    ck->bad = key;
    ck->rule = "unknown_field";
    ck->message = "unknown query parameter: not part of this request";
    return MHD_NO;
}

bool http_query_check(struct req *r, const char *const *allowed)
{
    struct query_check ck = {.allowed = allowed};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_key, &ck);
    if (!ck.bad) return true;
    char ptr[JV_POINTER_MAX] = "/query";
    jv_pointer_append(ptr, sizeof ptr, ck.bad);
    http_problem_field(r, 400, "validation", ptr, ck.rule, ck.message);
    return false;
}

const char *http_query_str(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool http_query_int(struct req *r, const char *name, long long min, long long max, long long def,
                    long long *out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    if (!v) {
        *out = def;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    /* Plain decimal only: no sign, no spaces, no overflow. */
    if (!*v || *v < '0' || *v > '9' || *end || errno || x < min || x > max) {
        char ptr[80], msg[128];
        snprintf(ptr, sizeof ptr, "/query/%s", name);
        snprintf(msg, sizeof msg, "must be an integer from %lld to %lld", min, max);
        http_problem_field(r, 400, "validation", ptr, "range", msg);
        return false;
    }
    *out = x;
    return true;
}

const char *http_time(int64_t ms, char *buf, size_t cap)
{
    if (ms <= 0) {
        snprintf(buf, cap, "%s", "");
        return buf;
    }
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    return buf;
}
