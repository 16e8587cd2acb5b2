/*
 * h_feeds.c — public alerts without login: /feeds/public.json (JSON Feed 1.1), /feeds/public.atom
 * (Atom, RFC 4287) and one plain HTML page per alert (/feeds/advisories/{id},
 * /feeds/products/{id}). Everything here is read as the anonymous principal, whoever calls:
 * a logged-in user gets nothing more on a public path. policy.h decides what passes — in
 * practice sent TLP:CLEAR advisories and released publication-tier TLP:CLEAR products — and
 * redacts their fields.
 */
#include <stdlib.h>
#include <string.h>

#include "api/advisories.h"
#include "api/api.h"

#define FEED_MAX_ITEMS 100

static const struct pol_principal anon = {0};

/* ---- collecting what the public may read ------------------------------------------------- */

struct item {
    int64_t id, ms;
    bool advisory;
    json_t *view; /* the public view */
};

struct collect {
    struct app *app;
    struct item items[FEED_MAX_ITEMS * 2];
    size_t n;
    int rc;
};

/* Rows come newest first, at most FEED_MAX_ITEMS of each kind (the store's limit). */
static void keep(struct collect *c, bool advisory, int64_t id, int64_t ms, json_t *view)
{
    if (c->n == RK_ARRAY_LEN(c->items)) {
        json_decref(view);
        return;
    }
    c->items[c->n++] = (struct item){.id = id, .ms = ms, .advisory = advisory, .view = view};
}

static bool adv_cb(const struct advisory_rec *a, void *ctx)
{
    struct collect *c = ctx;
    int rc;
    json_t *v = advs_view(c->app, &anon, a, &rc);
    if (v) keep(c, true, a->id, a->sent_ms, v);
    if (!v && rc != RK_ENOTFOUND) c->rc = rc; /* a store error, not a hidden advisory */
    return c->rc == RK_OK;
}

static bool prod_cb(const struct product_rec *p, void *ctx)
{
    struct collect *c = ctx;
    if (!products_may_read(&anon, p)) return true;
    struct pol_scope s = {.owner_org = p->owner_org,
                          .sectors = p->sectors,
                          .ntlp = 1,
                          .tlp = {p->tlp},
                          .tier = p->tier};
    json_t *body = json_loads(p->body, JSON_DECODE_ANY, NULL);
    json_t *labels = json_loads(p->labels, 0, NULL);
    json_t *visible = NULL;
    int rc = body && labels ? policy_view(&anon, &s, body, labels, &visible) : RK_ENOMEM;
    json_t *v = rc == RK_OK ? products_summary(c->app, p) : NULL;
    if (v)
        json_object_set_new(v, "body", visible);
    else
        json_decref(visible);
    json_decref(body);
    json_decref(labels);
    if (v) keep(c, false, p->id, p->released_ms, v);
    if (!v && rc != RK_ENOTFOUND) c->rc = rc == RK_OK ? RK_ENOMEM : rc;
    return c->rc == RK_OK;
}

static int cmp_newest(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return x->ms < y->ms ? 1 : x->ms > y->ms ? -1 : 0;
}

static int collect(struct app *app, struct collect *c)
{
    memset(c, 0, sizeof *c);
    c->app = app;
    int rc = app->store->ops->advisory_public(app->store, FEED_MAX_ITEMS, adv_cb, c);
    if (rc == RK_OK) rc = c->rc;
    if (rc == RK_OK) rc = app->store->ops->product_public(app->store, FEED_MAX_ITEMS, prod_cb, c);
    if (rc == RK_OK) rc = c->rc;
    qsort(c->items, c->n, sizeof c->items[0], cmp_newest);
    return rc;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++)
        json_decref(c->items[i].view);
}

/* ---- text of an item --------------------------------------------------------------------- */

/* The readable text: an advisory's ① ② ③ ④; a product body's strings, depth first. */
static void append_strings(const json_t *v, json_t *out)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_string(v)) {
        json_array_append_new(out, json_string(json_string_value(v)));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) append_strings(x, out);
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) append_strings(x, out);
    }
}

static char *item_text(const struct item *it)
{
    json_t *parts = json_array();
    if (it->advisory) {
        const json_t *ans = json_object_get(it->view, "answers");
        static const char *const secs[][2] = {{"overview", "overview"},
                                              {"targets", "targets"},
                                              {"guidance", "guidance"},
                                              {"other", "other"}};
        for (size_t i = 0; i < RK_ARRAY_LEN(secs); i++) {
            const json_t *s = json_object_get(json_object_get(ans, secs[i][0]), secs[i][1]);
            if (json_is_string(s)) json_array_append(parts, (json_t *)s);
        }
    } else {
        append_strings(json_object_get(it->view, "body"), parts);
    }
    size_t total = 1, i;
    json_t *p;
    json_array_foreach(parts, i, p) total += strlen(json_string_value(p)) + 2;
    char *text = malloc(total), *w = text;
    if (text) {
        *w = 0;
        json_array_foreach(parts, i, p)
        {
            size_t n = strlen(json_string_value(p));
            memcpy(w, json_string_value(p), n);
            w += n;
            if (i + 1 < json_array_size(parts)) {
                memcpy(w, "\n\n", 2);
                w += 2;
            }
            *w = 0;
        }
    }
    json_decref(parts);
    return text;
}

static void item_url(const struct item *it, char *buf, size_t cap)
{
    snprintf(buf, cap, "/feeds/%s/%lld", it->advisory ? "advisories" : "products",
             (long long)it->id);
}

/* ---- JSON Feed --------------------------------------------------------------------------- */

void h_feed_json(struct req *r)
{
    struct collect *c = malloc(sizeof *c);
    int rc = c ? collect(r->app, c) : RK_ENOMEM;
    json_t *items = json_array();
    for (size_t i = 0; c && rc == RK_OK && i < c->n; i++) {
        const struct item *it = &c->items[i];
        char url[64], id[64], t[40];
        item_url(it, url, sizeof url);
        snprintf(id, sizeof id, "urn:renkei:%s:%lld", it->advisory ? "advisory" : "product",
                 (long long)it->id);
        char *text = item_text(it);
        json_t *tags = json_pack("[s, s]", it->advisory ? "advisory" : "analysis_product",
                                 json_string_value(json_object_get(it->view, "tlp")));
        const char *sev = json_string_value(json_object_get(it->view, "severity"));
        if (sev) json_array_append_new(tags, json_string(sev));
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:O}", "id", id, "url", url, "title",
                             json_string_value(json_object_get(it->view, "title")), "content_text",
                             text ? text : "", "date_published", http_time(it->ms, t, sizeof t),
                             "tags", tags, "_renkei", it->view));
        free(text);
    }
    if (c) collect_free(c);
    free(c);
    if (rc != RK_OK) {
        json_decref(items);
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, 200,
                    json_pack("{s:s, s:s, s:s, s:s, s:o}", "version",
                              "https://jsonfeed.org/version/1.1", "title",
                              "renkei 公開注意喚起 / Public alerts", "feed_url",
                              "/feeds/public.json", "language", "ja", "items", items));
}

/* ---- Atom and HTML ----------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t n, cap;
    bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 4096) + n;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* XML/HTML text and attribute escaping; control characters other than \n and \t dropped (XML
 * 1.0 cannot carry them). */
static void esc(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&':
            puts_(b, "&amp;");
            break;
        case '<':
            puts_(b, "&lt;");
            break;
        case '>':
            puts_(b, "&gt;");
            break;
        case '"':
            puts_(b, "&quot;");
            break;
        case '\'':
            puts_(b, "&#39;");
            break;
        default:
            if (ch >= 0x20 || ch == '\n' || ch == '\t') put(b, s, 1);
        }
    }
}

void h_feed_atom(struct req *r)
{
    struct collect *c = malloc(sizeof *c);
    int rc = c ? collect(r->app, c) : RK_ENOMEM;
    struct buf b = {0};
    char t[40];
    puts_(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n"
              "<title>renkei 公開注意喚起 / Public alerts</title>\n"
              "<id>urn:renkei:feeds:public</id>\n"
              "<link rel=\"self\" href=\"/feeds/public.atom\"/>\n<updated>");
    puts_(&b, c && c->n ? http_time(c->items[0].ms, t, sizeof t) : "1970-01-01T00:00:00Z");
    puts_(&b, "</updated>\n<author><name>国家サイバー統括室</name></author>\n");
    for (size_t i = 0; c && rc == RK_OK && i < c->n; i++) {
        const struct item *it = &c->items[i];
        char url[64], id[64];
        item_url(it, url, sizeof url);
        snprintf(id, sizeof id, "urn:renkei:%s:%lld", it->advisory ? "advisory" : "product",
                 (long long)it->id);
        char *text = item_text(it);
        puts_(&b, "<entry>\n<id>");
        puts_(&b, id);
        puts_(&b, "</id>\n<title>");
        esc(&b, json_string_value(json_object_get(it->view, "title")));
        puts_(&b, "</title>\n<link href=\"");
        puts_(&b, url);
        puts_(&b, "\"/>\n<updated>");
        puts_(&b, http_time(it->ms, t, sizeof t));
        puts_(&b, "</updated>\n<category term=\"");
        esc(&b, json_string_value(json_object_get(it->view, "tlp")));
        puts_(&b, "\"/>\n<summary type=\"text\">");
        esc(&b, text);
        puts_(&b, "</summary>\n</entry>\n");
        free(text);
    }
    puts_(&b, "</feed>\n");
    if (c) collect_free(c);
    free(c);
    if (rc != RK_OK || b.oom)
        http_problem_rc(r, b.oom ? RK_ENOMEM : rc, NULL);
    else
        http_reply_text(r, 200, "application/atom+xml; charset=utf-8", b.p, b.n);
    free(b.p);
}

void h_feed_advisory_page(struct req *r)
{
    advs_reply_form(r, &anon);
}

void h_feed_advisory_attachment(struct req *r)
{
    advs_reply_attachment(r, &anon);
}

void h_feed_product_page(struct req *r)
{
    struct product_rec p;
    int rc = r->app->store->ops->product_get(r->app->store, r->params[0], &p);
    if (rc == RK_OK && (!p.released || !products_may_read(&anon, &p))) rc = RK_ENOTFOUND;
    struct collect *c = NULL;
    struct buf b = {0};
    if (rc == RK_OK && !(c = calloc(1, sizeof *c))) rc = RK_ENOMEM;
    if (rc == RK_OK) {
        c->app = r->app;
        prod_cb(&p, c);
        rc = c->rc != RK_OK ? c->rc : c->n == 0 ? RK_ENOTFOUND : RK_OK;
    }
    if (rc == RK_OK) {
        const struct item *it = &c->items[0];
        char t[40];
        char *text = item_text(it);
        puts_(&b, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>");
        esc(&b, p.title);
        puts_(&b, "</title><style>body{font-family:sans-serif;max-width:48em;margin:2em auto;"
                  "line-height:1.6}pre{white-space:pre-wrap}</style></head><body>\n"
                  "<p>周知等用総合整理分析情報 / Analysis for publication · ");
        esc(&b, policy_tlp_name(p.tlp));
        puts_(&b, "</p>\n<h1>");
        esc(&b, p.title);
        puts_(&b, "</h1>\n<p><time datetime=\"");
        puts_(&b, http_time(p.released_ms, t, sizeof t));
        puts_(&b, "\">");
        puts_(&b, t);
        puts_(&b, "</time></p>\n<pre>");
        esc(&b, text);
        puts_(&b, "</pre>\n</body></html>\n");
        free(text);
    }
    store_product_rec_free(&p);
    if (c) collect_free(c);
    free(c);
    if (rc != RK_OK || b.oom)
        http_problem_rc(r, b.oom ? RK_ENOMEM : rc, NULL);
    else
        http_reply_text(r, 200, "text/html; charset=utf-8", b.p, b.n);
    free(b.p);
}
