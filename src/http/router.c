/* router.c — matching a request path against the route table. */
#include "http/http.h"

#include <string.h>

/* Matches path against pattern; captures integer segments ({id}, {number}, …). Query strings
 * are not part of url. */
bool http_route_match(const char *pattern, const char *path, int64_t *params)
{
    size_t np = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/') return false;
        pattern++;
        path++;
        const char *pe = strchr(pattern, '/');
        const char *se = strchr(path, '/');
        size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
        size_t sl = se ? (size_t)(se - path) : strlen(path);
        if (pl > 2 && pattern[0] == '{' && pattern[pl - 1] == '}' &&
            !(pl == 6 && memcmp(pattern, "{name}", 6) == 0)) {
            /* {id}, {number}, {attachment_id}, …: a positive integer, captured in order. */
            if (sl == 0 || sl > 18 || path[0] == '0' || np >= HTTP_MAX_PARAMS) return false;
            int64_t v = 0;
            for (size_t i = 0; i < sl; i++) {
                if (path[i] < '0' || path[i] > '9') return false;
                v = v * 10 + (path[i] - '0');
            }
            params[np++] = v;
        } else if (pl == 6 && memcmp(pattern, "{name}", 6) == 0) {
            /* A machine name ([a-z][a-z0-9_]{0,31}); not captured: the handler reads the
             * segment from the path (it is the last one wherever it is used). */
            if (sl == 0 || sl > 32 || path[0] < 'a' || path[0] > 'z') return false;
            for (size_t i = 1; i < sl; i++)
                if (!((path[i] >= 'a' && path[i] <= 'z') || (path[i] >= '0' && path[i] <= '9') ||
                      path[i] == '_'))
                    return false;
        } else if (pl != sl || memcmp(pattern, path, pl) != 0) {
            return false;
        }
        pattern += pl;
        path += sl;
    }
    return *pattern == 0 && *path == 0;
}

/* Finds the route; *path_known tells a 405 from a 404. */
const struct route *http_route_find(const char *method, const char *path, int64_t *params,
                                    size_t *idx, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < http_nroutes; i++) {
        int64_t p[HTTP_MAX_PARAMS] = {0};
        if (!http_route_match(http_routes[i].pattern, path, p)) continue;
        *path_known = true;
        if (strcmp(http_routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(http_routes[i].method, "GET") == 0)) {
            memcpy(params, p, sizeof p);
            *idx = i;
            return &http_routes[i];
        }
    }
    return NULL;
}
