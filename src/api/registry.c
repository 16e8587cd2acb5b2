/*
 * registry.c — shared logic of the asset registry (see registry.h).
 */
#include "api/registry.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

bool reg_holiday(void *ctx, int y, int m, int d)
{
    return refdata_is_holiday(ctx, y, m, d);
}

/* The owner facts for an organisation record already in hand. */
static int owner_fill(struct app *app, const struct pol_principal *p, const struct org_rec *org,
                      struct reg_owner *out)
{
    memset(out, 0, sizeof *out);
    out->org = *org;
    out->pa.owner_org = org->id;
    out->pa.owner_sectors = org->sectors;
    if (p->org_type == POL_ORG_VENDOR && p->org_id) {
        struct delegation_rec d;
        int rc = app->store->ops->delegation_active(app->store, org->id, p->org_id, &d);
        if (rc == RK_OK) {
            out->pa.delegated = true;
            out->delegation_id = d.id;
        } else if (rc != RK_ENOTFOUND) {
            return rc;
        }
    }
    return RK_OK;
}

int reg_owner_load(struct app *app, const struct pol_principal *p, int64_t org_id,
                   struct reg_owner *out)
{
    struct org_rec org;
    int rc = app->store->ops->org_get(app->store, org_id, &org);
    return rc == RK_OK ? owner_fill(app, p, &org, out) : rc;
}

int reg_authorize_filing(struct app *app, const struct pol_principal *p, int64_t org_id,
                         struct reg_owner *owner)
{
    int rc = reg_owner_load(app, p, org_id, owner);
    if (rc != RK_OK) return rc;
    if (owner->org.type != POL_ORG_CORE_OPERATOR && owner->org.type != POL_ORG_CI_OPERATOR)
        return RK_ENOTFOUND;
    if (!policy_asset_may_file(p, &owner->pa)) return RK_EDENIED;
    if (!(p->org_id == org_id)) return RK_OK; /* a vendor: delegation_id is set */
    owner->delegation_id = 0;
    return RK_OK;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int64_t reg_parse_time(const char *s)
{
    char date[11];
    struct dl_date d;
    if (strlen(s) < 20 || s[10] != 'T') return -1;
    memcpy(date, s, 10);
    date[10] = 0;
    if (dl_parse(date, &d) != RK_OK) return -1;
    int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || mm < 0 || ss < 0 || s[13] != ':' || s[16] != ':') return -1;
    const char *p = s + 19;
    int ms = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3) ms = ms * 10 + (*p - '0');
        for (; n < 3; n++)
            ms *= 10;
    }
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || om < 0 || p[3] != ':') return -1;
        off = (int64_t)(oh * 60 + om) * 60000 * (*p == '+' ? 1 : -1);
    } else if (*p != 'Z' && *p != 'z') {
        return -1;
    }
    int64_t t =
        (int64_t)dl_to_days(&d) * 86400000 + (int64_t)(hh * 3600 + mm * 60 + ss) * 1000 + ms;
    return t - off;
}

void reg_today(char out[11])
{
    int64_t days = (store_now_ms() / 1000 + 9 * 3600) / 86400;
    struct dl_date d;
    if (dl_from_days((int32_t)days, &d) != RK_OK) d = (struct dl_date){1970, 1, 1};
    dl_format(&d, out, 11);
}

int reg_check_entry(const struct app *app, const json_t *canon, const char *prefix,
                    struct jv_errors *errs)
{
    char ptr[JV_POINTER_MAX], today[11], enf[11];
    int rc = RK_OK;
    const char *intro = json_string_value(json_object_get(canon, "introduced_on"));
    const char *retired = json_string_value(json_object_get(canon, "retired_on"));
    if (app->rules.have_enforcement && intro &&
        json_is_true(json_object_get(canon, "in_place_at_enforcement"))) {
        dl_format(&app->rules.enforcement, enf, sizeof enf);
        if (strcmp(intro, enf) > 0) {
            snprintf(ptr, sizeof ptr, "%s/in_place_at_enforcement", prefix);
            rc = jv_error_add(errs, ptr, "in_place",
                              "introduced on %s, after the enforcement date %s: not in place "
                              "at enforcement",
                              intro, enf);
        }
    }
    reg_today(today);
    if (retired && strcmp(retired, today) > 0) {
        snprintf(ptr, sizeof ptr, "%s/retired_on", prefix);
        rc = jv_error_add(errs, ptr, "future",
                          "a retirement is filed once it has happened (today or earlier)");
    }
    return rc;
}

void reg_deadline(const struct app *app, enum asset_filing_kind kind, const json_t *canon,
                  char out[11])
{
    struct dl_date d;
    out[0] = 0;
    if (asset_deadline(&app->rules, kind, canon, reg_holiday, app->rd, NULL, &d) == RK_OK)
        dl_format(&d, out, 11);
}

const char *reg_pending_status(const struct app *app, const char *deadline, const char *today)
{
    struct dl_date dl, td;
    if (!deadline || !deadline[0] || dl_parse(deadline, &dl) != RK_OK ||
        dl_parse(today, &td) != RK_OK)
        return "unknown";
    return dl_status_name(dl_status(&dl, &td, NULL, app->rules.due_window_days));
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static json_t *load_body(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

/* The newest version filed by org (for a vendor whose delegation ended). */
struct own_latest {
    int64_t org;
    struct asset_version_rec v;
    char kind[8], deadline[11], filed_on[11];
    char *body;
    bool found;
};

static bool own_latest_cb(const struct asset_version_rec *v, void *ctx)
{
    struct own_latest *o = ctx;
    if (v->filed_by_org != o->org) return true;
    free(o->body);
    o->body = v->body ? strdup(v->body) : NULL;
    o->v = *v;
    o->found = o->body != NULL;
    return true;
}

static json_t *filing_json(const char *kind, int64_t version, int64_t submission_id,
                           int64_t valid_from_ms, int64_t filed_by_org, const char *filed_on,
                           const char *deadline, bool late)
{
    return json_pack("{s:s, s:I, s:I, s:o, s:I, s:s, s:o, s:s}", "kind", kind, "version",
                     (json_int_t)version, "submission_id", (json_int_t)submission_id, "filed_at",
                     time_json(valid_from_ms), "filed_by_org", (json_int_t)filed_by_org, "filed_on",
                     filed_on, "deadline", str_or_null(deadline), "status",
                     !deadline[0] ? "unknown"
                     : late       ? "filed_late"
                                  : "filed_on_time");
}

json_t *reg_view_asset(struct app *app, const struct pol_principal *p,
                       const struct reg_owner *owner, const struct asset_rec *a)
{
    struct pol_asset pa = owner->pa;
    bool draft_reader = policy_asset_may_read_draft(p, &pa);
    bool own_only = false;
    struct own_latest own = {.org = p->org_id};
    if (a->head_version == 0) {
        if (!draft_reader) return NULL;
    } else if (p->org_type == POL_ORG_VENDOR && !pa.delegated && p->org_id != a->org_id) {
        /* Delegation over: only what this vendor filed itself. */
        if (app->store->ops->asset_versions(app->store, a->id, 0, own_latest_cb, &own) != RK_OK ||
            !own.found) {
            free(own.body);
            return NULL;
        }
        pa.filed_by_p_org = true;
        own_only = true;
    }
    if (!policy_asset_may_read(p, &pa) && !(a->head_version == 0 && draft_reader)) {
        free(own.body);
        return NULL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "org_id", json_integer(a->org_id));
    json_object_set_new(o, "ref", json_string(a->ref ? a->ref : ""));
    /* A vendor whose delegation ended learns nothing newer than its own filings. */
    const char *status = a->head_version == 0 ? "draft"
                         : own_only ? (strcmp(own.v.kind, "retire") == 0 ? "retired" : "live")
                         : a->live  ? "live"
                                    : "retired";
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "created_at", time_json(a->created_ms));
    if (own_only) {
        json_object_set_new(o, "version", json_integer(own.v.version));
        json_object_set_new(o, "entry", load_body(own.body));
        json_object_set_new(o, "filing",
                            filing_json(own.v.kind, own.v.version, own.v.submission_id,
                                        own.v.valid_from_ms, own.v.filed_by_org, own.v.filed_on,
                                        own.v.deadline, own.v.late));
        json_object_set_new(o, "own_versions_only", json_true());
        free(own.body);
        return o;
    }
    json_object_set_new(o, "version", json_integer(a->head_version));
    if (a->head_version > 0) {
        json_object_set_new(o, "entry", load_body(a->body));
        json_object_set_new(o, "filing",
                            filing_json(a->kind, a->head_version, a->submission_id,
                                        a->valid_from_ms, a->filed_by_org, a->filed_on, a->deadline,
                                        a->late));
    } else {
        json_object_set_new(o, "entry", json_null());
        json_object_set_new(o, "filing", json_null());
    }
    if (a->draft_kind[0] && draft_reader) {
        char today[11];
        reg_today(today);
        json_object_set_new(
            o, "draft",
            json_pack("{s:s, s:o, s:o, s:s, s:o, s:I}", "kind", a->draft_kind, "entry",
                      load_body(a->draft_body), "deadline", str_or_null(a->draft_deadline),
                      "status", reg_pending_status(app, a->draft_deadline, today), "recorded_at",
                      time_json(a->draft_ms), "recorded_by_org", (json_int_t)a->draft_by_org));
    } else {
        json_object_set_new(o, "draft", json_null());
    }
    return o;
}

json_t *reg_view_submission(const struct submission_rec *s)
{
    return json_pack(
        "{s:I, s:I, s:s, s:I, s:I, s:o, s:o, s:{s:I, s:I, s:I}, s:{s:o, s:o, s:o, s:o, s:o}}", "id",
        (json_int_t)s->id, "org_id", (json_int_t)s->org_id, "kind",
        s->inventory ? "inventory" : "single", "filed_by_user", (json_int_t)s->filed_by_user,
        "filed_by_org", (json_int_t)s->filed_by_org, "delegation_id",
        s->delegation_id ? json_integer(s->delegation_id) : json_null(), "filed_at",
        time_json(s->filed_ms), "counts", "added", (json_int_t)s->added, "changed",
        (json_int_t)s->changed, "retired", (json_int_t)s->retired, "routing", "filed_at",
        time_json(s->filed_ms), "ministry_received_at", time_json(s->ministry_received_ms),
        "ministry_received_by",
        s->ministry_received_by ? json_integer(s->ministry_received_by) : json_null(),
        "nc_notified_at", time_json(s->nc_notified_ms), "nc_notified_by",
        s->nc_notified_by ? json_integer(s->nc_notified_by) : json_null());
}

json_t *reg_view_delegation(const struct delegation_rec *d)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:b, s:s}", "id", (json_int_t)d->id,
                     "operator_org", (json_int_t)d->operator_org, "vendor_org",
                     (json_int_t)d->vendor_org, "granted_by", (json_int_t)d->granted_by,
                     "granted_at", time_json(d->granted_ms), "revoked_at", time_json(d->revoked_ms),
                     "revoked_by", d->revoked_by ? json_integer(d->revoked_by) : json_null(),
                     "active", d->revoked_ms == 0, "note", d->note);
}

const struct reg_owner *reg_owner_cached(struct app *app, const struct pol_principal *p,
                                         struct reg_owner_cache *c, int64_t org_id)
{
    size_t i = (size_t)org_id % RK_ARRAY_LEN(c->slot);
    if (c->used[i] && c->slot[i].org.id == org_id) return &c->slot[i];
    if (reg_owner_load(app, p, org_id, &c->slot[i]) != RK_OK) {
        c->used[i] = false;
        return NULL;
    }
    c->used[i] = true;
    return &c->slot[i];
}

/* ---- inventory plans -------------------------------------------------------------------- */

static const char *keep(struct reg_plan *pl, char *s)
{
    if (!s) return NULL;
    if (pl->ntexts == pl->captexts) {
        size_t cap = pl->captexts ? pl->captexts * 2 : 256;
        char **n = realloc(pl->texts, cap * sizeof *n);
        if (!n) {
            free(s);
            return NULL;
        }
        pl->texts = n;
        pl->captexts = cap;
    }
    pl->texts[pl->ntexts++] = s;
    return s;
}

void reg_plan_free(struct reg_plan *pl)
{
    if (!pl) return;
    json_decref(pl->entries);
    json_decref(pl->linemap);
    json_decref(pl->olds);
    json_decref(pl->report);
    for (size_t i = 0; i < pl->ntexts; i++)
        free(pl->texts[i]);
    free(pl->texts);
    free(pl->ops);
    atomic_long *slot = pl->slot; /* the slot is the owner's, not the plan's contents */
    long slot_bytes = pl->slot_bytes;
    memset(pl, 0, sizeof *pl);
    pl->slot = slot;
    pl->slot_bytes = slot_bytes;
}

void reg_plan_destroy(void *plan)
{
    struct reg_plan *pl = plan;
    if (!pl) return;
    atomic_long *slot = pl->slot;
    long slot_bytes = pl->slot_bytes;
    bool large = pl->nops + pl->unchanged > 1000;
    reg_plan_free(pl);
    free(pl);
    /* A 100,000-row plan peaks at hundreds of MB of small allocations; without this glibc
     * keeps them in the worker's arena for good. */
    if (large) malloc_trim(0);
    if (slot) atomic_fetch_sub(slot, slot_bytes);
}

/* The filed state, keyed by ref: [asset id, head version, canonical text or null]. */
struct current_ctx {
    json_t *byref;   /* live entries */
    json_t *retired; /* refs of retired entries: ref -> true */
    int rc;
};

static bool current_cb(const struct asset_rec *a, void *ctx)
{
    struct current_ctx *c = ctx;
    if (!a->live) {
        if (json_object_set_new(c->retired, a->ref, json_true()) != 0) c->rc = RK_ENOMEM;
        return c->rc == RK_OK;
    }
    json_t *row = json_pack("[I, I, s?, b]", (json_int_t)a->id, (json_int_t)a->head_version,
                            a->head_version ? a->body : NULL, a->draft_kind[0] != 0);
    if (!row || json_object_set_new(c->byref, a->ref, row) != 0) {
        c->rc = RK_ENOMEM;
        return false;
    }
    return true;
}

static int add_op(struct reg_plan *pl, size_t *cap, const struct asset_op *op)
{
    if (pl->nops == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        struct asset_op *ops = realloc(pl->ops, n * sizeof *ops);
        if (!ops) return RK_ENOMEM;
        pl->ops = ops;
        *cap = n;
    }
    pl->ops[pl->nops++] = *op;
    return RK_OK;
}

/* Validates every uploaded entry (asset.h rules, reg_check_entry, unique refs, no retirement
 * of a computer that was never filed) and keeps the canonical forms in pl->entries. */
static int validate_entries(const struct app *app, struct reg_plan *pl, json_t *raw,
                            const struct current_ctx *cur, struct jv_errors *errs)
{
    size_t i;
    json_t *e;
    json_t *seen = json_object();
    if (!seen) return RK_ENOMEM;
    int rc = RK_OK;
    json_array_foreach(raw, i, e)
    {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "/entries/%zu", i);
        json_t *canon = NULL;
        struct jv_errors local = {0};
        const char *pre = pl->linemap ? "" : prefix;
        int r = asset_canonical(e, pre, &canon, &local);
        if (r == RK_ENOMEM) {
            rc = RK_ENOMEM;
            break;
        }
        if (r == RK_OK && reg_check_entry(app, canon, pre, &local) != RK_OK) r = RK_EINVAL;
        if (r == RK_OK) {
            const char *ref = json_string_value(json_object_get(canon, "ref"));
            const json_t *row = json_object_get(cur->byref, ref);
            bool filed = row && json_integer_value(json_array_get(row, 1)) > 0;
            if (!json_is_null(json_object_get(canon, "retired_on")) && !filed &&
                !json_object_get(cur->retired, ref)) {
                char ptr[80];
                snprintf(ptr, sizeof ptr, "%s/retired_on", pre);
                jv_error_add(&local, ptr, "not_allowed",
                             "this computer was never filed: leave it out instead of retiring it");
                r = RK_EINVAL;
            }
        }
        if (r != RK_OK) {
            json_decref(canon);
            canon = NULL;
        }
        for (size_t k = 0; k < local.n; k++) {
            char ptr[JV_POINTER_MAX];
            if (pl->linemap)
                asset_csv_pointer(local.e[k].pointer, json_array_get(pl->linemap, i), ptr,
                                  sizeof ptr);
            else
                snprintf(ptr, sizeof ptr, "%s", local.e[k].pointer);
            jv_error_add(errs, ptr, local.e[k].rule, "%s", local.e[k].message);
        }
        errs->dropped += local.dropped;
        if (r != RK_OK) {
            rc = RK_EINVAL;
            json_array_append_new(pl->entries, json_null());
            continue;
        }
        const char *ref = json_string_value(json_object_get(canon, "ref"));
        if (!pl->linemap && json_object_get(seen, ref)) {
            char ptr[80];
            snprintf(ptr, sizeof ptr, "%s/ref", prefix);
            jv_error_add(errs, ptr, "duplicate", "ref \"%.60s\" is already used by entry %lld", ref,
                         (long long)json_integer_value(json_object_get(seen, ref)));
            rc = RK_EINVAL;
        } else {
            json_object_set_new(seen, ref, json_integer((json_int_t)i));
        }
        json_array_append_new(pl->entries, canon);
    }
    json_decref(seen);
    return rc;
}

int reg_plan_inventory(struct app *app, const struct reg_owner *owner, const char *body, size_t len,
                       bool csv, struct reg_plan *pl, struct jv_errors *errs)
{
    atomic_long *slot = pl->slot;
    long slot_bytes = pl->slot_bytes;
    memset(pl, 0, sizeof *pl);
    pl->slot = slot;
    pl->slot_bytes = slot_bytes;
    json_t *raw = NULL;
    struct current_ctx cur = {.byref = json_object(), .retired = json_object(), .rc = RK_OK};
    size_t cap = 0;
    int rc = csv ? asset_inventory_csv(body, len, &raw, &pl->linemap, errs)
                 : asset_inventory_json(body, len, &raw, errs);
    if (rc != RK_OK) goto out;
    pl->entries = json_array();
    pl->olds = json_array();
    pl->report = json_object();
    json_t *added = json_array(), *changed = json_array(), *retired = json_array(),
           *discarded = json_array();
    if (!cur.byref || !pl->entries || !pl->olds || !pl->report || !added || !changed || !retired ||
        !discarded) {
        json_decref(added);
        json_decref(changed);
        json_decref(retired);
        json_decref(discarded);
        rc = RK_ENOMEM;
        goto out;
    }
    json_object_set_new(pl->report, "added", added);
    json_object_set_new(pl->report, "changed", changed);
    json_object_set_new(pl->report, "retired", retired);
    json_object_set_new(pl->report, "discarded_drafts", discarded);
    if (!cur.retired) {
        rc = RK_ENOMEM;
        goto out;
    }
    /* An empty file would retire every filed computer: far more likely a broken export. */
    if (json_array_size(raw) == 0) {
        jv_error_add(errs, csv ? "/rows" : "/entries", "min_items",
                     "the inventory lists no computer; to retire entries, list the others or "
                     "retire them one by one");
        rc = RK_EINVAL;
        goto out;
    }
    struct asset_filter f = {.org_id = owner->org.id, .include_retired = true};
    rc = app->store->ops->asset_list(app->store, &f, 0, current_cb, &cur);
    if (rc == RK_OK) rc = cur.rc;
    if (rc != RK_OK) goto out;
    /* Every row is checked before anything is compared or stored: one bad row, nothing filed. */
    if ((rc = validate_entries(app, pl, raw, &cur, errs)) != RK_OK) goto out;
    json_decref(raw); /* the canonical entries are all that is needed from here on */
    raw = NULL;
    json_decref(pl->linemap);
    pl->linemap = NULL;
    size_t i;
    json_t *canon;
    json_array_foreach(pl->entries, i, canon)
    {
        const char *ref = json_string_value(json_object_get(canon, "ref"));
        const char *dump = keep(pl, asset_canonical_dump(canon));
        if (!dump) {
            rc = RK_ENOMEM;
            goto out;
        }
        json_t *row = json_object_get(cur.byref, ref);
        json_int_t id = row ? json_integer_value(json_array_get(row, 0)) : 0;
        json_int_t head = row ? json_integer_value(json_array_get(row, 1)) : 0;
        const char *old_text = row ? json_string_value(json_array_get(row, 2)) : NULL;
        struct asset_op op = {.asset_id = id,
                              .expect_head = head,
                              .ref = ref,
                              .canon = canon,
                              .body = dump,
                              .categories =
                                  asset_categories_mask(json_object_get(canon, "categories"))};
        if (head == 0 && !json_is_null(json_object_get(canon, "retired_on"))) {
            /* Listed as retired and already retired (validation refused the rest). */
            pl->unchanged++;
            continue;
        }
        if (head == 0) {
            op.kind = ASSET_OP_NEW;
            op.changes = "[]";
            reg_deadline(app, ASSET_FILING_NEW, canon, op.deadline);
            json_array_append_new(added,
                                  json_pack("{s:s, s:I}", "ref", ref, "entry", (json_int_t)i));
        } else {
            if (old_text && strcmp(old_text, dump) == 0) {
                pl->unchanged++;
                json_object_del(cur.byref, ref);
                continue;
            }
            json_t *old = load_body(old_text);
            json_t *diff = old ? asset_diff(old, canon) : NULL;
            if (!old || !diff) {
                json_decref(old);
                json_decref(diff);
                rc = RK_ENOMEM;
                goto out;
            }
            json_array_append_new(pl->olds, old);
            bool retire = !json_is_null(json_object_get(canon, "retired_on"));
            op.kind = retire ? ASSET_OP_RETIRE : ASSET_OP_CHANGE;
            op.changes = keep(pl, json_dumps(diff, JSON_COMPACT));
            reg_deadline(app, retire ? ASSET_FILING_RETIRE : ASSET_FILING_CHANGE, canon,
                         op.deadline);
            json_array_append_new(
                retire ? retired : changed,
                json_pack("{s:I, s:s, s:o}", "asset_id", id, "ref", ref, "changes", diff));
            /* A draft prepared against the version this replaces would no longer apply. */
            if (json_is_true(json_array_get(row, 3)))
                json_array_append_new(discarded, json_string(ref));
        }
        if ((rc = add_op(pl, &cap, &op)) != RK_OK) goto out;
        json_object_del(cur.byref, ref);
    }
    /* Filed entries the inventory no longer lists are retired today. */
    char today[11];
    reg_today(today);
    const char *ref;
    json_t *row;
    json_object_foreach(cur.byref, ref, row)
    {
        json_int_t head = json_integer_value(json_array_get(row, 1));
        if (head == 0) continue; /* a draft was never filed: nothing to retire */
        if (json_is_true(json_array_get(row, 3)))
            json_array_append_new(discarded, json_string(ref));
        json_t *old = load_body(json_string_value(json_array_get(row, 2)));
        json_t *gone = old ? json_deep_copy(old) : NULL;
        if (!gone) {
            json_decref(old);
            rc = RK_ENOMEM;
            goto out;
        }
        if (json_is_null(json_object_get(gone, "retired_on")))
            json_object_set_new(gone, "retired_on", json_string(today));
        json_t *diff = asset_diff(old, gone);
        json_array_append_new(pl->olds, old);
        json_array_append_new(pl->olds, gone);
        struct asset_op op = {
            .kind = ASSET_OP_RETIRE,
            .asset_id = json_integer_value(json_array_get(row, 0)),
            .expect_head = head,
            .ref = json_string_value(json_object_get(gone, "ref")),
            .canon = gone,
            .body = keep(pl, asset_canonical_dump(gone)),
            .changes = diff ? keep(pl, json_dumps(diff, JSON_COMPACT)) : NULL,
            .categories = asset_categories_mask(json_object_get(gone, "categories")),
        };
        reg_deadline(app, ASSET_FILING_RETIRE, gone, op.deadline);
        if (!diff || !op.body || !op.changes) {
            json_decref(diff);
            rc = RK_ENOMEM;
            goto out;
        }
        json_array_append_new(retired, json_pack("{s:I, s:s, s:o}", "asset_id", op.asset_id, "ref",
                                                 op.ref, "changes", diff));
        if ((rc = add_op(pl, &cap, &op)) != RK_OK) goto out;
    }
    json_object_set_new(
        pl->report, "summary",
        json_pack("{s:I, s:I, s:I, s:I}", "added", (json_int_t)json_array_size(added), "changed",
                  (json_int_t)json_array_size(changed), "retired",
                  (json_int_t)json_array_size(retired), "unchanged", (json_int_t)pl->unchanged));
    pl->filing.org_id = owner->org.id;
    pl->filing.delegation_id = owner->delegation_id;
    pl->filing.inventory = true;
    pl->filing.ops = pl->ops;
    pl->filing.nops = pl->nops;
    rc = RK_OK;
out:
    json_decref(raw);
    json_decref(cur.byref);
    json_decref(cur.retired);
    if (rc != RK_OK) reg_plan_free(pl);
    return rc;
}

/* ---- filing status ---------------------------------------------------------------------- */

/* Deadline of the initial filing of computers in place at enforcement, or "". */
/* The members every filing-status answer starts with: today, the enforcement date and the
 * deadline of the initial filing of computers in place then (null while the date is unset).
 * NULL on ENOMEM. */
static json_t *status_head(const struct app *app, const char *today)
{
    struct dl_date d;
    char init[11] = "", enf[11] = "";
    if (app->rules.have_enforcement) {
        dl_format(&app->rules.enforcement, enf, sizeof enf);
        if (dl_deadline_months(&app->rules.enforcement, app->rules.months_in_place, reg_holiday,
                               app->rd, &d) == RK_OK)
            dl_format(&d, init, sizeof init);
    }
    return json_pack("{s:s, s:o, s:o}", "today", today, "enforcement_date",
                     enf[0] ? json_string(enf) : json_null(), "initial_deadline",
                     init[0] ? json_string(init) : json_null());
}

/* The last day of the "due" window that starts today (today + due_window_days). */
static void due_window_end(const struct app *app, const char *today, char out[11])
{
    struct dl_date td, end;
    if (dl_parse(today, &td) != RK_OK ||
        dl_from_days(dl_to_days(&td) + app->rules.due_window_days, &end) != RK_OK) {
        snprintf(out, 11, "%s", today);
        return;
    }
    dl_format(&end, out, 11);
}

struct status_ctx {
    struct app *app;
    const struct reg_owner *owner;
    bool drafts;
    char today[11];
    json_t *items;
    long long live, retired, late_now, pending, overdue, due, unknown;
    bool oom;
};

static bool status_cb(const struct asset_rec *a, void *ctx)
{
    struct status_ctx *c = ctx;
    if (a->head_version > 0 && a->live) c->live++;
    if (a->head_version > 0 && !a->live) c->retired++;
    if (a->head_version > 0 && a->late) {
        c->late_now++;
        json_t *it =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "asset_id", (json_int_t)a->id, "ref",
                      a->ref, "kind", a->kind, "status", "filed_late", "deadline", a->deadline,
                      "filed_on", a->filed_on, "version", (json_int_t)a->head_version);
        if (!it || json_array_append_new(c->items, it) != 0) c->oom = true;
    }
    if (a->draft_kind[0] && c->drafts) {
        const char *st = reg_pending_status(c->app, a->draft_deadline, c->today);
        c->pending++;
        c->overdue += strcmp(st, "overdue") == 0;
        c->due += strcmp(st, "due") == 0;
        c->unknown += strcmp(st, "unknown") == 0;
        json_t *it = json_pack("{s:I, s:s, s:s, s:s, s:o}", "asset_id", (json_int_t)a->id, "ref",
                               a->ref, "kind", a->draft_kind, "status", st, "deadline",
                               a->draft_deadline[0] ? json_string(a->draft_deadline) : json_null());
        if (!it || json_array_append_new(c->items, it) != 0) c->oom = true;
    }
    return !c->oom;
}

static bool one_count_cb(const struct filing_counts *fc, void *ctx)
{
    *(struct filing_counts *)ctx = *fc;
    return false;
}

int reg_status_org(struct app *app, const struct pol_principal *p, int64_t org_id, json_t **out)
{
    struct reg_owner owner;
    int rc = reg_owner_load(app, p, org_id, &owner);
    bool is_op = rc == RK_OK &&
                 (owner.org.type == POL_ORG_CORE_OPERATOR || owner.org.type == POL_ORG_CI_OPERATOR);
    if (rc == RK_OK && (!is_op || !policy_asset_may_read(p, &owner.pa))) rc = RK_ENOTFOUND;
    if (rc != RK_OK) return rc;
    struct status_ctx c = {.app = app,
                           .owner = &owner,
                           .drafts = policy_asset_may_read_draft(p, &owner.pa),
                           .items = json_array()};
    reg_today(c.today);
    struct asset_filter f = {.org_id = org_id, .include_retired = true, .no_bodies = true};
    rc = app->store->ops->asset_list(app->store, &f, 0, status_cb, &c);
    if (rc != RK_OK || c.oom) {
        json_decref(c.items);
        return rc != RK_OK ? rc : RK_ENOMEM;
    }
    /* The same counters as the summary: "filed_late" counts every filing ever made late;
     * "current_late" the entries whose newest filing was (those are the filed_late items). */
    struct filing_counts fc = {0};
    char due_end[11];
    due_window_end(app, c.today, due_end);
    rc = app->store->ops->filing_counts(app->store, org_id, 0, c.today, due_end, one_count_cb, &fc);
    if (rc != RK_OK) {
        json_decref(c.items);
        return rc;
    }
    json_t *counts =
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "live", (json_int_t)c.live, "retired",
                  (json_int_t)c.retired, "filings", (json_int_t)fc.versions, "filed_late",
                  (json_int_t)fc.filed_late, "current_late", (json_int_t)c.late_now);
    if (c.drafts)
        json_object_update_new(counts,
                               json_pack("{s:I, s:I, s:I, s:I}", "pending", (json_int_t)c.pending,
                                         "overdue", (json_int_t)c.overdue, "due", (json_int_t)c.due,
                                         "unknown", (json_int_t)c.unknown));
    *out = json_pack("{s:I, s:s, s:I, s:o, s:b, s:o}", "org_id", (json_int_t)org_id, "name_ja",
                     owner.org.name_ja, "due_window_days", (json_int_t)app->rules.due_window_days,
                     "counts", counts, "pending_visible", c.drafts, "items", c.items);
    if (*out && json_object_update_new(*out, status_head(app, c.today)) != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return *out ? RK_OK : RK_ENOMEM;
}

struct summary_ctx {
    struct app *app;
    const struct pol_principal *p;
    json_t *byorg; /* org id text -> counts */
    json_t *orgs;
    char today[11], due_from[11];
    bool oom;
};

static bool counts_cb(const struct filing_counts *fc, void *ctx)
{
    struct summary_ctx *c = ctx;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)fc->org_id);
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "live", (json_int_t)fc->live,
                          "retired", (json_int_t)fc->retired, "filings", (json_int_t)fc->versions,
                          "filed_late", (json_int_t)fc->filed_late, "pending",
                          (json_int_t)fc->drafts, "overdue", (json_int_t)fc->drafts_overdue, "due",
                          (json_int_t)fc->drafts_due, "unknown", (json_int_t)fc->drafts_unknown);
    if (!o || json_object_set_new(c->byorg, key, o) != 0) c->oom = true;
    return !c->oom;
}

static bool summary_org_cb(const struct org_rec *o, void *ctx)
{
    struct summary_ctx *c = ctx;
    if (o->type != POL_ORG_CORE_OPERATOR && o->type != POL_ORG_CI_OPERATOR) return true;
    struct reg_owner owner;
    if (owner_fill(c->app, c->p, o, &owner) != RK_OK || !policy_asset_may_read(c->p, &owner.pa))
        return true;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)o->id);
    json_t *counts = json_deep_copy(json_object_get(c->byorg, key));
    if (!counts)
        counts = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "live", 0, "retired", 0,
                           "filings", 0, "filed_late", 0, "pending", 0, "overdue", 0, "due", 0,
                           "unknown", 0);
    if (counts && !policy_asset_may_read_draft(c->p, &owner.pa)) {
        /* Drafts are not filed: only the operator and its delegates learn of them. */
        static const char *const hidden[] = {"pending", "overdue", "due", "unknown"};
        for (size_t i = 0; i < RK_ARRAY_LEN(hidden); i++)
            json_object_del(counts, hidden[i]);
    }
    json_t *row = json_pack("{s:I, s:s, s:o}", "org_id", (json_int_t)o->id, "name_ja", o->name_ja,
                            "counts", counts);
    if (!row || json_array_append_new(c->orgs, row) != 0) c->oom = true;
    return !c->oom;
}

int reg_status_summary(struct app *app, const struct pol_principal *p, json_t **out)
{
    /* Every operator the principal may see, with or without filings (an operator that has
     * filed nothing still owes its initial filing). */
    struct summary_ctx c = {.app = app, .p = p, .byorg = json_object(), .orgs = json_array()};
    reg_today(c.today);
    due_window_end(app, c.today, c.due_from);
    int rc = app->store->ops->filing_counts(app->store, 0, 0, c.today, c.due_from, counts_cb, &c);
    if (rc == RK_OK && !c.oom) rc = app->store->ops->org_list(app->store, 0, summary_org_cb, &c);
    json_decref(c.byorg);
    if (rc != RK_OK || c.oom) {
        json_decref(c.orgs);
        return rc != RK_OK ? rc : RK_ENOMEM;
    }
    *out = status_head(app, c.today);
    if (!*out) {
        json_decref(c.orgs);
    } else if (json_object_set_new(*out, "orgs", c.orgs) != 0) { /* consumes c.orgs */
        json_decref(*out);
        *out = NULL;
    }
    return *out ? RK_OK : RK_ENOMEM;
}

int reg_file_entry_sync(struct app *app, const struct pol_principal *p, int64_t org_id,
                        int64_t asset_id, const json_t *entry, bool draft, const char *request_id,
                        int64_t *out_id, struct jv_errors *errs)
{
    struct reg_owner owner;
    struct asset_rec a = {0};
    json_t *canon = NULL, *old = NULL, *diff = NULL;
    char *dump = NULL, *changes = NULL;
    int rc = reg_authorize_filing(app, p, org_id, &owner);
    if (rc != RK_OK) return rc;
    if ((rc = asset_canonical(entry, "", &canon, errs)) != RK_OK) return rc;
    struct asset_op op = {
        .kind = ASSET_OP_NEW,
        .ref = json_string_value(json_object_get(canon, "ref")),
        .canon = canon,
        .categories = asset_categories_mask(json_object_get(canon, "categories")),
    };
    enum asset_filing_kind fk = ASSET_FILING_NEW;
    if (asset_id) {
        if ((rc = app->store->ops->asset_get(app->store, asset_id, &a)) != RK_OK) goto out;
        if (a.org_id != org_id || !a.body) {
            rc = RK_ENOTFOUND;
            goto out;
        }
        old = json_loads(a.body, 0, NULL);
        bool retire = !json_is_null(json_object_get(canon, "retired_on"));
        op.kind = retire ? ASSET_OP_RETIRE : ASSET_OP_CHANGE;
        fk = retire ? ASSET_FILING_RETIRE : ASSET_FILING_CHANGE;
        op.asset_id = asset_id;
        op.expect_head = a.head_version;
    }
    diff = old ? asset_diff(old, canon) : json_array();
    changes = diff ? json_dumps(diff, JSON_COMPACT) : NULL;
    dump = asset_canonical_dump(canon);
    if (!changes || !dump) {
        rc = RK_ENOMEM;
        goto out;
    }
    op.changes = changes;
    op.body = dump;
    reg_deadline(app, fk, canon, op.deadline);
    struct asset_filing f = {.org_id = org_id,
                             .filed_by_user = p->user_id,
                             .filed_by_org = p->org_id,
                             .delegation_id = owner.delegation_id,
                             .draft = draft,
                             .ops = &op,
                             .nops = 1};
    struct store_write w = {.op = STORE_W_ASSET_FILE, .filing = &f};
    store_audit_set(&w.audit, p->user_id, p->org_id, draft ? "asset.draft" : "asset.file",
                    draft ? "asset" : "submission", 0, request_id);
    snprintf(w.audit.detail, sizeof w.audit.detail, "{\"org_id\":%lld,\"delegation_id\":%lld}",
             (long long)org_id, (long long)owner.delegation_id);
    rc = store_write_sync(app->store, &w);
    if (rc == RK_OK) *out_id = op.asset_id;
out:
    store_asset_rec_free(&a);
    free(dump);
    free(changes);
    json_decref(diff);
    json_decref(old);
    json_decref(canon);
    return rc;
}
