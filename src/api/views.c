/* views.c — JSON shapes of the foundation records, shared by every handler and the CLI. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

json_t *time_json(int64_t ms)
{
    char buf[40];
    return ms > 0 ? json_string(http_time(ms, buf, sizeof buf)) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *view_roles(unsigned roles)
{
    json_t *a = json_array();
    for (unsigned bit = 1; bit <= POL_ROLE_VIEWER; bit <<= 1)
        if (roles & bit)
            json_array_append_new(a, json_string(policy_role_name((enum pol_role)bit)));
    return a;
}

unsigned roles_from_json(const json_t *arr)
{
    unsigned roles = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        enum pol_role r;
        if (json_is_string(v) && policy_role_parse(json_string_value(v), &r) == RK_OK)
            roles |= (unsigned)r;
    }
    return roles;
}

json_t *view_org(const struct app *app, const struct pol_principal *p, const struct org_rec *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(o->id));
    json_object_set_new(j, "type", json_string(policy_org_type_name(o->type)));
    json_object_set_new(j, "name_ja", json_string(o->name_ja));
    json_object_set_new(j, "name_en", json_string(o->name_en));
    json_object_set_new(j, "corporate_number", str_or_null(o->corporate_number));
    json_object_set_new(j, "sectors", refdata_sectors_to_json(app->rd, o->sectors));
    json_object_set_new(j, "ministry", str_or_null(o->ministry));
    json_object_set_new(j, "council", json_string(policy_council_name(o->council)));
    json_object_set_new(j, "designated", json_boolean(o->designated));
    if (policy_org_may_read_details(p, o->id)) {
        json_object_set_new(j, "council_consent_date", str_or_null(o->council_consent_date));
        json_object_set_new(j, "confidentiality_agreement",
                            str_or_null(o->confidentiality_agreement));
    }
    json_object_set_new(j, "created_at", time_json(o->created_ms));
    json_object_set_new(j, "updated_at", time_json(o->updated_ms));
    json_object_set_new(j, "version", json_integer(o->version));
    return j;
}

json_t *view_user(const struct user_rec *u)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(u->id));
    json_object_set_new(j, "org_id", json_integer(u->org_id));
    json_object_set_new(j, "username", json_string(u->username));
    json_object_set_new(j, "display_name", json_string(u->display_name));
    json_object_set_new(j, "roles", view_roles(u->roles));
    json_object_set_new(j, "contractor", json_boolean(u->contractor));
    json_object_set_new(j, "disabled", json_boolean(u->disabled));
    json_object_set_new(j, "locked_until",
                        time_json(u->locked_until_ms > store_now_ms() ? u->locked_until_ms : 0));
    json_object_set_new(j, "created_at", time_json(u->created_ms));
    json_object_set_new(j, "updated_at", time_json(u->updated_ms));
    return j;
}

json_t *view_token(const struct token_rec *t)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(t->id));
    json_object_set_new(j, "user_id", json_integer(t->user_id));
    json_object_set_new(j, "name", json_string(t->name));
    json_object_set_new(j, "roles", view_roles(t->roles));
    json_object_set_new(j, "created_at", time_json(t->created_ms));
    json_object_set_new(j, "expires_at", time_json(t->expires_ms));
    json_object_set_new(j, "revoked_at", time_json(t->revoked_ms));
    json_object_set_new(j, "active",
                        json_boolean(t->revoked_ms == 0 && t->expires_ms > store_now_ms()));
    return j;
}

json_t *view_audit(const struct audit_rec *a)
{
    char ph[2 * AUDIT_HASH_LEN + 1], h[2 * AUDIT_HASH_LEN + 1];
    audit_hash_hex(a->prev_hash, ph);
    audit_hash_hex(a->hash, h);
    json_t *detail = json_loads(a->detail ? a->detail : "{}", 0, NULL);
    json_t *j = json_object();
    json_object_set_new(j, "seq", json_integer(a->seq));
    json_object_set_new(j, "time", time_json(a->ts_ms));
    json_object_set_new(j, "user_id", a->user_id ? json_integer(a->user_id) : json_null());
    json_object_set_new(j, "org_id", a->org_id ? json_integer(a->org_id) : json_null());
    json_object_set_new(j, "action", json_string(a->action ? a->action : ""));
    json_object_set_new(j, "object", str_or_null(a->object));
    json_object_set_new(j, "request_id", str_or_null(a->request_id));
    json_object_set_new(j, "detail", detail ? detail : json_object());
    json_object_set_new(j, "prev_hash", json_string(ph));
    json_object_set_new(j, "hash", json_string(h));
    return j;
}

struct store_write *job_new(struct req *r, enum store_wop op, const char *action,
                            const char *object_kind, int64_t object_id)
{
    struct store_write *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->op = op;
    if (action)
        store_audit_set(&w->audit, r->auth.user.id, r->auth.org.id, action, object_kind, object_id,
                        r->request_id);
    if (action && r->auth.token_id)
        snprintf(w->audit.detail, sizeof w->audit.detail, "{\"token\":%lld}",
                 (long long)r->auth.token_id);
    return w;
}

bool page_begin(struct req *r, struct page *pg)
{
    long long limit, after;
    if (!http_query_int(r, "limit", 1, STORE_LIST_MAX, 100, &limit) ||
        !http_query_int(r, "after", 0, INT64_MAX, 0, &after))
        return false;
    *pg = (struct page){.r = r, .items = json_array(), .limit = limit, .after = after};
    return true;
}

bool page_add(struct page *pg, int64_t id, json_t *item)
{
    if ((long long)json_array_size(pg->items) == pg->limit) {
        json_decref(item);
        pg->more = true;
        return false;
    }
    json_array_append_new(pg->items, item);
    pg->last = id;
    return true;
}

void page_finish(struct page *pg, int rc)
{
    if (rc != RK_OK) {
        json_decref(pg->items);
        http_problem_rc(pg->r, rc, NULL);
        return;
    }
    http_reply_json(pg->r, 200,
                    json_pack("{s:o, s:o}", "items", pg->items, "next_after",
                              pg->more ? json_integer(pg->last) : json_null()));
}

void json_copy_str(const json_t *obj, const char *key, char *buf, size_t cap)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_string(v))
        snprintf(buf, cap, "%s", json_string_value(v));
    else if (json_is_null(v))
        buf[0] = 0;
}
