/*
 * h_attachments.c — files sent with incident reports: source-IP lists (the DDoS form asks for
 * long lists as a separate file), samples, press releases, connection diagrams, ransom notes
 * and the ransomware personal-data annexes. A file is uploaded first (POST /attachments, or
 * straight to an incident), then listed on a report by id; it is shown to whoever may see the
 * part of the report that lists it (incidents_view.c). Stored with its SHA-256; a source-IP
 * list in CSV or plain text is parsed into indicators on upload, so a bad list is refused
 * before anything is stored.
 */
#include <stdlib.h>
#include <string.h>

#include "api/incidents.h"
#include "core/ascii.h"
#include "domain/iplist.h"

#define ATTACHMENT_MAX (16u << 20) /* bytes; the transport limit is --max-upload */

static const char *const roles[] = {
    "source_ip_list",     "sample",      "press_release", "annex_1", "annex_2", "annex_3",
    "connection_diagram", "ransom_note", "log",           "other",   NULL};

struct upload {
    struct attachment_upload a;
    char sha[65];
    char media[128];
    char *indicators;
};

static void upload_free(void *p)
{
    struct upload *u = p;
    if (!u) return;
    free(u->indicators);
    free(u);
}

/* type/subtype of the Content-Type, lower-cased, parameters dropped; false if malformed. */
static bool media_type(const char *ct, char *out, size_t cap)
{
    size_t n = 0, slash = 0;
    for (; ct && ct[n] && ct[n] != ';' && ct[n] != ' '; n++) {
        char c = ct[n];
        if (n + 1 >= cap) return false;
        if (c == '/')
            slash++;
        else if (!(rk_is_alpha(c) || rk_is_digit(c) || strchr("!#$&^_.+-", c)))
            return false;
        out[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = 0;
    return n > 2 && slash == 1 && out[0] != '/' && out[n - 1] != '/';
}

static bool check_upload(struct req *r, struct upload *u)
{
    const char *name = http_query_str(r, "name"), *role = http_query_str(r, "role");
    size_t nlen = name ? strlen(name) : 0, cps = 0;
    for (size_t i = 0; i < nlen; i++)
        cps += ((unsigned char)name[i] & 0xc0) != 0x80; /* UTF-8 checked by NO_CONTROL below */
    if (!name || nlen == 0 || cps > 200 || !jv_check_format(JV_FMT_NO_CONTROL, name, nlen) ||
        strpbrk(name, "/\\")) {
        http_problem_field(r, 400, "validation", "/query/name", "format",
                           "the file name (1–200 characters, no path, no control characters) "
                           "is required");
        return false;
    }
    bool role_ok = false;
    for (const char *const *k = roles; role && *k; k++)
        role_ok |= strcmp(role, *k) == 0;
    if (!role_ok) {
        http_problem_field(r, 400, "validation", "/query/role", "enum",
                           "one of: source_ip_list, sample, press_release, annex_1, annex_2, "
                           "annex_3, connection_diagram, ransom_note, log, other");
        return false;
    }
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    if (!media_type(ct, u->media, sizeof u->media)) {
        http_problem(r, 415, "unsupported-media-type", "Unsupported media type",
                     "Send the file with its Content-Type (e.g. text/csv, application/pdf).", NULL);
        return false;
    }
    if (r->body_len == 0) {
        http_problem_field(r, 422, "validation", "", "min_length", "the file is empty");
        return false;
    }
    if (r->body_len > ATTACHMENT_MAX) {
        http_problem(r, 413, "payload-too-large", "Payload too large",
                     "An attachment is at most 16 MiB.", NULL);
        return false;
    }
    u->a.name = name;
    u->a.role = role;
    u->a.media_type = u->media;
    return true;
}

/* A source-IP list must parse; its indicators are kept with the file. */
static bool parse_list(struct req *r, struct upload *u)
{
    if (strcmp(u->a.role, "source_ip_list") != 0) return true;
    struct jv_errors errs;
    json_t *out = NULL;
    int rc = iplist_parse(r->body, r->body_len, &out, &errs);
    if (rc == RK_EINVAL) {
        http_problem(r, 422, "validation", "The source-IP list has invalid lines", NULL, &errs);
        return false;
    }
    /* Reports show a preview; the whole list is the file itself (a download away). */
    json_t *list = json_object_get(out, "indicators");
    if (rc == RK_OK && json_array_size(list) > INC_INDICATOR_PREVIEW) {
        while (json_array_size(list) > INC_INDICATOR_PREVIEW)
            json_array_remove(list, json_array_size(list) - 1);
        json_object_set_new(out, "truncated", json_true());
    }
    if (rc == RK_OK) u->indicators = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (rc != RK_OK || !u->indicators) {
        http_problem_rc(r, rc == RK_OK ? RK_ENOMEM : rc, NULL);
        return false;
    }
    return true;
}

static void upload_finish(struct req *r)
{
    if (r->w->rc == RK_ECONFLICT) {
        http_problem(r, 409, "conflict", "Conflict",
                     strcmp(r->w->conflict_field, "/staged") == 0
                         ? "Your organisation has 200 uploaded files no report lists yet: list "
                           "them on a report (or upload straight to the incident) before "
                           "uploading more."
                         : "This incident has 1,000 files, the most one incident holds.",
                     NULL);
        return;
    }
    if (r->w->rc != RK_OK) {
        http_problem_rc(r, r->w->rc, r->w);
        return;
    }
    struct attachment_rec a;
    int rc = r->app->store->ops->attachment_get(r->app->store, r->w->out_id, &a);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    struct upload *u = r->hstate;
    a.indicators = u->indicators;
    json_t *v = inc_view_attachment(&a);
    if (v && u->indicators) {
        json_t *ind = json_loads(u->indicators, 0, NULL);
        json_object_set(v, "duplicates", json_object_get(ind, "duplicates"));
        json_decref(ind);
    }
    http_reply_json(r, 201, v);
    if (a.incident_id) {
        char loc[96];
        snprintf(loc, sizeof loc, "/api/v1/incidents/%lld/attachments/%lld",
                 (long long)a.incident_id, (long long)a.id);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
    }
}

static void upload(struct req *r, int64_t incident_id)
{
    struct upload *u = calloc(1, sizeof *u);
    if (!u) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    r->hstate = u;
    r->hstate_free = upload_free;
    if (!check_upload(r, u) || !parse_list(r, u)) return;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)r->body, r->body_len);
    sodium_bin2hex(u->sha, sizeof u->sha, h, sizeof h);
    u->a.sha256 = u->sha;
    u->a.content = r->body;
    u->a.size = r->body_len;
    u->a.incident_id = incident_id;
    u->a.org_id = r->who.org_id;
    u->a.user_id = r->who.user_id;
    u->a.indicators = u->indicators;
    struct store_write *w =
        job_new(r, STORE_W_ATTACHMENT_PUT, "attachment.upload", "attachment", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->attachment = &u->a;
    snprintf(w->audit.detail, sizeof w->audit.detail,
             "{\"incident_id\":%lld,\"role\":\"%s\",\"size\":%zu,\"sha256\":\"%s\","
             "\"token\":%lld}",
             (long long)incident_id, u->a.role, u->a.size, u->sha, (long long)r->auth.token_id);
    http_submit(r, w);
}

void h_attachments_upload(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        upload_finish(r);
        return;
    }
    upload(r, 0);
}

void h_incident_attachments_upload(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        upload_finish(r);
        return;
    }
    struct incident_rec inc;
    if (inc_load_for_add(r, &inc) != RK_OK) return;
    upload(r, inc.id);
}

/* ---- reads: an attachment is visible through the reports that list it ------------------- */

struct vis_ctx {
    struct req *r;
    const struct incident_rec *inc;
    const struct report_rec *rep;
    json_t *seen; /* id → view */
    int64_t want; /* one attachment, or 0 for all */
    bool found;
};

static bool vis_att_cb(const struct attachment_rec *a, void *ctx)
{
    struct vis_ctx *c = ctx;
    if (c->want && a->id != c->want) return true;
    struct pol_report pr;
    inc_pol(c->inc, c->rep->tlp, &pr);
    const json_t *form = forms_get(c->r->app->forms, c->rep->form);
    if (!inc_attachment_visible(&c->r->who, &pr, c->rep->opt_out, form, a->role, a->grp))
        return true;
    c->found = true;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)a->id);
    json_t *v = json_object_get(c->seen, key);
    if (!v) {
        v = inc_view_attachment(a);
        json_object_set_new(v, "reports", json_array());
        json_object_set_new(c->seen, key, v);
    }
    json_array_append_new(json_object_get(v, "reports"), json_integer(c->rep->number));
    return true;
}

static bool vis_report_cb(const struct report_rec *rep, void *ctx)
{
    struct vis_ctx *c = ctx;
    c->rep = rep;
    c->r->app->store->ops->attachment_list(c->r->app->store, c->inc->id, rep->id, vis_att_cb, c);
    return true;
}

/* Unlisted files of the incident: only the reporting side sees them. */
static bool own_att_cb(const struct attachment_rec *a, void *ctx)
{
    struct vis_ctx *c = ctx;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)a->id);
    if ((c->want && a->id != c->want) || json_object_get(c->seen, key)) return true;
    c->found = true;
    json_t *v = inc_view_attachment(a);
    json_object_set_new(v, "reports", json_array());
    json_object_set_new(c->seen, key, v);
    return true;
}

static int visible_attachments(struct req *r, const struct incident_rec *inc, int64_t want,
                               struct vis_ctx *c)
{
    *c = (struct vis_ctx){.r = r, .inc = inc, .seen = json_object(), .want = want};
    if (!c->seen) return RK_ENOMEM;
    int rc = r->app->store->ops->report_list(r->app->store, inc->id, vis_report_cb, c);
    struct pol_report pr;
    inc_pol(inc, inc->tlp, &pr);
    if (rc == RK_OK && policy_report_may_add(&r->who, &pr))
        rc = r->app->store->ops->attachment_list(r->app->store, inc->id, 0, own_att_cb, c);
    return rc;
}

void h_incident_attachments_list(struct req *r)
{
    struct incident_rec inc;
    if (inc_load(r, r->params[0], &inc) != RK_OK) return;
    struct vis_ctx c;
    int rc = visible_attachments(r, &inc, 0, &c);
    if (rc != RK_OK) {
        json_decref(c.seen);
        http_problem_rc(r, rc, NULL);
        return;
    }
    json_t *items = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(c.seen, k, v) json_array_append(items, v);
    json_decref(c.seen);
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

bool att_reply_content(const struct attachment_rec *a, const void *data, size_t len, void *ctx)
{
    struct req *r = ctx;
    http_reply_text(r, 200, a->media_type, data, len);
    char disp[64];
    snprintf(disp, sizeof disp, "attachment; filename=\"attachment-%lld\"", (long long)a->id);
    MHD_add_response_header(r->resp, "Content-Disposition", disp);
    MHD_add_response_header(r->resp, "X-Content-SHA256", a->sha256);
    return true;
}

void h_incident_attachments_get(struct req *r)
{
    struct incident_rec inc;
    if (inc_load(r, r->params[0], &inc) != RK_OK) return;
    struct vis_ctx c;
    int rc = visible_attachments(r, &inc, r->params[1], &c);
    json_decref(c.seen);
    if (rc == RK_OK && !c.found) rc = RK_ENOTFOUND;
    if (rc == RK_OK)
        rc = r->app->store->ops->attachment_content(r->app->store, r->params[1], att_reply_content,
                                                    r);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    /* Files are evidence (samples, personal-data annexes): every download is on record. */
    http_audit_async(r, "attachment.download", "attachment", r->params[1]);
}
