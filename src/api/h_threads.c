/*
 * h_threads.c — council channels (seed 000): one-to-one threads between the national centre and
 * one organisation (/api/v1/threads) and working groups with a named member list
 * (/api/v1/groups), and their messages. Messages carry a TLP and labels and obey policy.h
 * (policy_thread_*, policy_message_*): a message no member may receive is refused before it is
 * stored (council friends never receive `secret` content), and every read asks again.
 */
#include <stdlib.h>
#include <string.h>

#include "api/advisories.h"
#include "api/api.h"

#define MESSAGE_MAX_CHARS 20000

static bool is_group_route(const struct req *r)
{
    return r->route && strncmp(r->route->pattern, "/api/v1/groups", 14) == 0;
}

void threads_pol(const struct thread_rec *t, struct pol_thread *out)
{
    *out = (struct pol_thread){.owner_org = t->owner_org,
                               .group = t->group,
                               .members = t->members,
                               .nmembers = t->nmembers};
}

void threads_msg_pol(const struct pol_thread *pt, const struct message_rec *m, bool addressed,
                     struct pol_message *out)
{
    *out = (struct pol_message){.t = pt,
                                .sender_org = m->sender_org,
                                .tlp = m->tlp,
                                .labels = m->labels,
                                .addressed = addressed};
}

static json_t *labels_json(unsigned labels)
{
    json_t *a = json_array();
    static const enum pol_label all[] = {POL_LABEL_SECRET, POL_LABEL_COMMS_INFO,
                                         POL_LABEL_SOURCE_IDENTIFYING};
    for (size_t i = 0; a && i < RK_ARRAY_LEN(all); i++)
        if (labels & all[i]) json_array_append_new(a, json_string(policy_label_name(all[i])));
    return a;
}

static json_t *thread_view(const struct thread_rec *t, bool members)
{
    json_t *v =
        json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:I}", "id", (json_int_t)t->id, "kind",
                  t->group ? "group" : "one_to_one", "title", t->title, "owner_org",
                  (json_int_t)t->owner_org, "created_at", time_json(t->created_ms), "updated_at",
                  time_json(t->updated_ms), "version", (json_int_t)t->version);
    if (v && members) {
        json_t *m = json_array();
        for (size_t i = 0; m && i < t->nmembers; i++)
            json_array_append_new(m, json_integer(t->members[i]));
        json_object_set_new(v, "members", m);
    }
    return v;
}

/* Loads thread params[0] for p (of this route's kind): 404 answered otherwise. Heap record. */
static struct thread_rec *load(struct req *r)
{
    struct thread_rec *t = malloc(sizeof *t);
    int rc = t ? r->app->store->ops->thread_get(r->app->store, r->params[0], t) : RK_ENOMEM;
    struct pol_thread pt;
    if (rc == RK_OK) {
        threads_pol(t, &pt);
        if (t->group != is_group_route(r) || !policy_thread_may_read(&r->who, &pt))
            rc = RK_ENOTFOUND;
    }
    if (rc != RK_OK) {
        free(t);
        http_problem_rc(r, rc, NULL);
        return NULL;
    }
    return t;
}

/* ---- create and change ------------------------------------------------------------------- */

struct thr_state {
    struct thread_input in;
    char title[STORE_NAME_MAX];
    int64_t members[STORE_MAX_MEMBERS];
    struct message_input msg;
    char *body;
    int64_t *deliver;
    size_t ndeliver;
};

static void thr_state_free(void *p)
{
    struct thr_state *s = p;
    if (!s) return;
    free(s->body);
    free(s->deliver);
    free(s);
}

static struct thr_state *state_new(struct req *r)
{
    struct thr_state *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    r->hstate = s;
    r->hstate_free = thr_state_free;
    s->in.title = s->title;
    s->in.members = s->members;
    s->in.user_id = r->who.user_id;
    return s;
}

static const struct jv_field member_item = {
    .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT64_MAX};
static const struct jv_field thread_fields[] = {
    {.name = "title", .type = JV_STRING, .min_len = 1, .max_len = 200, .format = JV_FMT_NO_CONTROL},
    {.name = "org_id", .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT64_MAX},
    {.name = "members",
     .type = JV_ARRAY,
     .flags = JV_UNIQUE,
     .max_len = STORE_MAX_MEMBERS,
     .items = &member_item},
    {.name = "version", .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT64_MAX},
};
const struct jv_field api_thread_schema = {
    .type = JV_OBJECT, .fields = thread_fields, .nfields = RK_ARRAY_LEN(thread_fields)};

/* Copies the member ids (one-to-one: org_id) into s after checking each exists. */
static bool set_members(struct req *r, struct thr_state *s, bool group, int64_t owner)
{
    const json_t *list = json_object_get(r->json, group ? "members" : "org_id");
    json_t *one = NULL;
    if (!group) list = one = json_pack("[O]", list);
    size_t i;
    json_t *v;
    bool ok = true;
    json_array_foreach(list, i, v)
    {
        int64_t id = json_integer_value(v);
        struct org_rec o;
        char ptr[32];
        if (group)
            snprintf(ptr, sizeof ptr, "/members/%zu", i);
        else
            snprintf(ptr, sizeof ptr, "/org_id");
        int rc = r->app->store->ops->org_get(r->app->store, id, &o);
        if (rc == RK_ENOTFOUND || id == owner) {
            http_problem_field(r, 422, "validation", ptr, "unknown_organisation",
                               "not an organisation that can be a member");
            ok = false;
            break;
        }
        if (rc != RK_OK) {
            http_problem_rc(r, rc, NULL);
            ok = false;
            break;
        }
        s->members[s->in.nmembers++] = id;
    }
    json_decref(one);
    return ok;
}

static void finish(struct req *r, unsigned status)
{
    struct store_write *w = r->w;
    if (w->rc != RK_OK) {
        http_problem_rc(r, w->rc, w);
        return;
    }
    struct thread_rec *t = malloc(sizeof *t);
    int rc = t ? r->app->store->ops->thread_get(r->app->store, w->out_id, t) : RK_ENOMEM;
    if (rc != RK_OK) {
        free(t);
        http_problem_rc(r, rc, NULL);
        return;
    }
    http_reply_json(r, status, thread_view(t, true));
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/%s/%lld", t->group ? "groups" : "threads",
                 (long long)t->id);
        MHD_add_response_header(r->resp, MHD_HTTP_HEADER_LOCATION, loc);
    }
    free(t);
}

void h_threads_create(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 201);
        return;
    }
    bool group = is_group_route(r);
    int64_t owner = advs_nc_org(r->app);
    if (!owner || !policy_thread_may_manage(&r->who, owner)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "The national centre's own staff open threads and working groups.", NULL);
        return;
    }
    struct jv_errors errs = {0};
    if (!json_object_get(r->json, "title")) jv_error_add(&errs, "/title", "required", "required");
    if (group && !json_object_get(r->json, "members"))
        jv_error_add(&errs, "/members", "required", "required");
    if (!group && !json_object_get(r->json, "org_id"))
        jv_error_add(&errs, "/org_id", "required", "required");
    if (json_object_get(r->json, group ? "org_id" : "members"))
        jv_error_add(&errs, group ? "/org_id" : "/members", "unknown_field",
                     group ? "a group has members" : "a one-to-one thread has one org_id");
    if (json_object_get(r->json, "version"))
        jv_error_add(&errs, "/version", "unknown_field", "only when changing");
    if (errs.n) {
        http_problem(r, 422, "validation", "The request has invalid fields", NULL, &errs);
        return;
    }
    struct thr_state *s = state_new(r);
    if (!s) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    s->in.owner_org = owner;
    s->in.group = group;
    json_copy_str(r->json, "title", s->title, sizeof s->title);
    if (!set_members(r, s, group, owner)) return;
    struct store_write *w =
        job_new(r, STORE_W_THREAD_CREATE, group ? "group.create" : "thread.create",
                group ? "group" : "thread", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return;
    }
    w->thread = &s->in;
    http_submit(r, w);
}

void h_threads_update(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        finish(r, 200);
        return;
    }
    struct thread_rec *t = load(r);
    if (!t) return;
    bool group = t->group;
    int64_t owner = t->owner_org;
    struct thr_state *s = NULL;
    if (!policy_thread_may_manage(&r->who, owner)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "The national centre's own staff change threads and working groups.", NULL);
        goto out;
    }
    if (!json_object_get(r->json, "version")) {
        http_problem_field(r, 422, "validation", "/version", "required", "required");
        goto out;
    }
    if (json_object_get(r->json, "org_id")) {
        http_problem_field(r, 422, "validation", "/org_id", "unknown_field",
                           group ? "a group has members"
                                 : "a one-to-one thread keeps its organisation");
        goto out;
    }
    if (!group && json_object_get(r->json, "members")) {
        http_problem_field(r, 422, "validation", "/members", "unknown_field",
                           "a one-to-one thread keeps its organisation");
        goto out;
    }
    if (!(s = state_new(r))) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    s->in.owner_org = owner;
    s->in.group = group;
    snprintf(s->title, sizeof s->title, "%s", t->title);
    json_copy_str(r->json, "title", s->title, sizeof s->title);
    if (group && json_object_get(r->json, "members")) {
        if (!set_members(r, s, true, owner)) goto out;
    } else {
        memcpy(s->members, t->members, t->nmembers * sizeof t->members[0]);
        s->in.nmembers = t->nmembers;
    }
    struct store_write *w =
        job_new(r, STORE_W_THREAD_UPDATE, group ? "group.update" : "thread.update",
                group ? "group" : "thread", t->id);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    w->thread = &s->in;
    w->target_id = t->id;
    w->expect_version = json_integer_value(json_object_get(r->json, "version"));
    http_submit(r, w);
out:
    free(t);
}

/* ---- reads ------------------------------------------------------------------------------- */

void h_threads_get(struct req *r)
{
    struct thread_rec *t = load(r);
    if (!t) return;
    http_reply_json(r, 200, thread_view(t, true));
    free(t);
}

static bool list_cb(const struct thread_rec *t, void *ctx)
{
    struct page *pg = ctx;
    /* The store narrows by membership; policy.h decides, on the full member list. */
    struct thread_rec *full = malloc(sizeof *full);
    if (!full) return false;
    int rc = pg->r->app->store->ops->thread_get(pg->r->app->store, t->id, full);
    struct pol_thread pt;
    threads_pol(full, &pt);
    bool visible = rc == RK_OK && policy_thread_may_read(&pg->r->who, &pt);
    json_t *v = visible ? thread_view(full, false) : NULL;
    free(full);
    if (!visible) return rc == RK_OK || rc == RK_ENOTFOUND;
    return v ? page_add(pg, t->id, v) : false;
}

void h_threads_list(struct req *r)
{
    struct page pg;
    if (!page_begin(r, &pg)) return;
    page_finish(&pg,
                r->app->store->ops->thread_list(r->app->store, r->who.org_id,
                                                is_group_route(r) ? 1 : 0, pg.after, list_cb, &pg));
}

/* ---- messages ---------------------------------------------------------------------------- */

static const char *const tlp_names[] = {"TLP:CLEAR",        "TLP:GREEN", "TLP:AMBER",
                                        "TLP:AMBER+STRICT", "TLP:RED",   NULL};
static const char *const label_names[] = {"secret", "comms_info", "source_identifying", NULL};
static const struct jv_field label_item = {.type = JV_STRING, .enum_values = label_names};
static const struct jv_field message_fields[] = {
    {.name = "body",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = MESSAGE_MAX_CHARS},
    {.name = "tlp", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = tlp_names},
    {.name = "labels", .type = JV_ARRAY, .flags = JV_UNIQUE, .max_len = 3, .items = &label_item},
};
const struct jv_field api_message_schema = {
    .type = JV_OBJECT, .fields = message_fields, .nfields = RK_ARRAY_LEN(message_fields)};

static json_t *message_view(const struct message_rec *m)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:o, s:s, s:o}", "id", (json_int_t)m->id, "thread_id",
                     (json_int_t)m->thread_id, "sender_org", (json_int_t)m->sender_org, "tlp",
                     policy_tlp_name(m->tlp), "labels", labels_json(m->labels), "body", m->body,
                     "created_at", time_json(m->created_ms));
}

struct msg_list {
    struct page *pg;
    struct pol_thread pt;
    int rc;
};

static bool msg_cb(const struct message_rec *m, void *ctx)
{
    struct msg_list *ml = ctx;
    struct req *r = ml->pg->r;
    /* Addressed: its organisation got the message's inbox row when it was posted. */
    struct inbox_rec row;
    int rc = r->app->store->ops->inbox_get(r->app->store, "message", m->id, r->who.org_id, &row);
    if (rc != RK_OK && rc != RK_ENOTFOUND) {
        ml->rc = rc;
        return false;
    }
    struct pol_message pm;
    threads_msg_pol(&ml->pt, m, rc == RK_OK, &pm);
    if (!policy_message_may_read(&ml->pg->r->who, &pm)) return true;
    json_t *v = message_view(m);
    return v ? page_add(ml->pg, m->id, v) : false;
}

void h_messages_list(struct req *r)
{
    struct thread_rec *t = load(r);
    if (!t) return;
    struct page pg;
    struct msg_list ml = {.pg = &pg};
    threads_pol(t, &ml.pt);
    if (page_begin(r, &pg))
        page_finish(&pg,
                    r->app->store->ops->message_list(r->app->store, t->id, pg.after, msg_cb, &ml));
    free(t);
}

/* Text rules of a textarea: no control characters but the line feed. */
static bool text_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f) return false;
    return true;
}

/* Every member (and the owner) except the sender's organisation may receive m; else 422
 * naming the first who may not and why. *deliver gets their ids. */
static bool check_recipients(struct req *r, const struct thread_rec *t,
                             const struct pol_message *pm, struct thr_state *s)
{
    int64_t ids[STORE_MAX_MEMBERS + 1];
    size_t n = 0;
    if (t->owner_org != pm->sender_org) ids[n++] = t->owner_org;
    for (size_t i = 0; i < t->nmembers; i++)
        if (t->members[i] != pm->sender_org) ids[n++] = t->members[i];
    s->deliver = malloc((n ? n : 1) * sizeof *s->deliver);
    if (!s->deliver) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        struct org_rec o;
        int rc = r->app->store->ops->org_get(r->app->store, ids[i], &o);
        if (rc != RK_OK) {
            http_problem_rc(r, rc, NULL);
            return false;
        }
        struct pol_principal op;
        advs_org_principal(&o, &op);
        if (!policy_message_may_send_to(&op, pm)) {
            struct pol_message bare = *pm;
            bare.labels = 0;
            bool by_label = policy_message_may_send_to(&op, &bare);
            char msg[STORE_NAME_MAX + 160];
            snprintf(msg, sizeof msg, "%s (organisation %lld, council %s) may not receive %s",
                     o.name_ja, (long long)o.id, policy_council_name(o.council),
                     by_label ? "content with these labels" : "content at this TLP");
            http_problem_field(r, 422, "validation", by_label ? "/labels" : "/tlp",
                               "recipient_may_not_receive", msg);
            return false;
        }
        s->deliver[s->ndeliver++] = ids[i];
    }
    return true;
}

void h_messages_post(struct req *r)
{
    if (r->w && atomic_load(&r->w_done)) {
        if (r->w->rc != RK_OK) {
            http_problem_rc(r, r->w->rc, r->w);
            return;
        }
        struct message_rec m;
        int rc = r->app->store->ops->message_get(r->app->store, r->w->out_id, &m);
        if (rc != RK_OK) {
            http_problem_rc(r, rc, NULL);
            return;
        }
        json_t *v = message_view(&m);
        if (v) json_object_set_new(v, "delivered_to", json_integer(r->w->out_count));
        free((char *)m.body);
        http_reply_json(r, 201, v);
        return;
    }
    struct thread_rec *t = load(r);
    if (!t) return;
    struct pol_thread pt;
    threads_pol(t, &pt);
    struct thr_state *s = NULL;
    if (!policy_thread_may_post(&r->who, &pt)) {
        http_problem(r, 403, "forbidden", "Forbidden",
                     "Members' writers (org_admin, analyst, reporter) post messages.", NULL);
        goto out;
    }
    const char *body = json_string_value(json_object_get(r->json, "body"));
    if (!text_ok(body)) {
        http_problem_field(r, 422, "validation", "/body", "control_characters",
                           "no control characters other than the line feed");
        goto out;
    }
    struct pol_message pm = {.t = &pt, .sender_org = r->who.org_id, .addressed = true};
    policy_tlp_parse(json_string_value(json_object_get(r->json, "tlp")), &pm.tlp);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->json, "labels"), i, v)
    {
        enum pol_label l;
        if (policy_label_parse(json_string_value(v), &l) == RK_OK) pm.labels |= (unsigned)l;
    }
    if (!policy_message_may_read(&r->who, &pm)) {
        http_problem_field(r, 422, "validation", "/tlp", "sender_may_not_read",
                           "you could not read this message yourself at this TLP and labels");
        goto out;
    }
    if (!(s = state_new(r)) || !(s->body = strdup(body))) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    if (!check_recipients(r, t, &pm, s)) goto out;
    s->msg = (struct message_input){.thread_id = t->id,
                                    .sender_org = r->who.org_id,
                                    .sender_user = r->who.user_id,
                                    .tlp = pm.tlp,
                                    .labels = pm.labels,
                                    .body = s->body};
    struct store_write *w = job_new(r, STORE_W_MESSAGE_POST, "message.post", "message", 0);
    if (!w) {
        http_problem_rc(r, RK_ENOMEM, NULL);
        goto out;
    }
    w->message = &s->msg;
    w->deliver =
        (struct inbox_delivery){.kind = "message", .orgs = s->deliver, .norgs = s->ndeliver};
    snprintf(w->audit.detail, sizeof w->audit.detail,
             "{\"thread\":%lld,\"tlp\":\"%s\",\"recipients\":%zu,\"token\":%lld}", (long long)t->id,
             policy_tlp_name(pm.tlp), s->ndeliver, (long long)r->auth.token_id);
    http_submit(r, w);
out:
    free(t);
}
