/* h_system.c — health, readiness, metrics, the OpenAPI document and reference data. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

void h_healthz(struct req *r)
{
    http_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void h_readyz(struct req *r)
{
    bool ok = atomic_load(&r->app->ready) && r->app->store->ops->ping(r->app->store) == RK_OK;
    http_reply_json(r, ok ? 200 : 503,
                    json_pack("{s:s, s:s}", "status", ok ? "ready" : "not ready", "store",
                              r->app->store->ops->name));
}

void h_metrics(struct req *r)
{
    struct store_stats st;
    size_t len = 0;
    r->app->store->ops->stats(r->app->store, &st);
    char *text = metrics_render(r->app->metrics, &st, &len);
    if (!text) {
        http_problem(r, 500, "internal", "Internal error", "out of memory", NULL);
        return;
    }
    http_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

void h_openapi(struct req *r)
{
    if (!r->app->openapi) {
        http_problem(r, 404, "not-found", "Not found", "The OpenAPI document was not loaded.",
                     NULL);
        return;
    }
    http_reply_json(r, 200, json_incref(r->app->openapi));
}

void h_reference(struct req *r)
{
    http_reply_json(r, 200, json_incref(r->app->rd->json));
}
