/*
 * advisories.c — preparing, gating, addressing and viewing advisories (情報提供, domain.md §6.3).
 * See advisories.h. The form and its rules are src/domain/advisory.h; labels and the gate
 * src/domain/tier.h; who may read, relay and acknowledge policy.h.
 */
#include "api/advisories.h"

#include <stdlib.h>
#include <string.h>

#include "core/forms.h"
#include "domain/advisory.h"
#include "domain/report_print.h"
#include "domain/tier.h"

/* The header fields the platform assigns (README rule 2): never stored in the body, added to
 * every view from the row. */
static const char *const assigned[] = {"identification_number", "report_number",
                                       "advisory_datetime", NULL};

void advs_draft_free(void *p)
{
    struct advs_draft *d = p;
    if (!d) return;
    free(d->body);
    free(d->labels);
    free(d->named);
    free(d->agreement);
    free(d->deliver);
    free(d);
}

int64_t advs_nc_org(struct app *app)
{
    int64_t ids[8];
    enum pol_org_type types[8];
    size_t n = 0;
    if (app->store->ops->report_recipients(app->store, 0, ids, types, 8, &n) != RK_OK) return 0;
    for (size_t i = 0; i < n; i++)
        if (types[i] == POL_ORG_NATIONAL_CENTRE) return ids[i];
    return 0;
}

void advs_org_principal(const struct org_rec *o, struct pol_principal *out)
{
    *out = (struct pol_principal){.user_id = -1, /* stands for the organisation's staff */
                                  .org_id = o->id,
                                  .org_type = o->type,
                                  .sectors = o->sectors,
                                  .council = o->council,
                                  .designated = o->designated,
                                  .roles = POL_ROLE__ALL & ~(unsigned)POL_ROLE_ADMIN};
}

static size_t parse_named(const char *text, int64_t *buf, size_t cap)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (n < cap && json_is_integer(v)) buf[n++] = json_integer_value(v);
    }
    json_decref(a);
    return n;
}

void advs_pol_held(const struct advisory_rec *a, bool held, int64_t named_buf[ADVS_MAX_NAMED],
                   struct pol_advisory *out)
{
    *out = (struct pol_advisory){.sender_org = a->sender_org,
                                 .sent = a->sent,
                                 .tlp = a->tlp,
                                 .sectors = a->sectors,
                                 .named = named_buf,
                                 .held = held};
    out->nnamed = parse_named(a->named, named_buf, ADVS_MAX_NAMED);
}

int advs_pol(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
             int64_t named_buf[ADVS_MAX_NAMED], struct pol_advisory *out)
{
    advs_pol_held(a, false, named_buf, out);
    if (!p->org_id || !a->sent) return RK_OK;
    struct inbox_rec row;
    int rc = app->store->ops->inbox_get(app->store, "advisory", a->id, p->org_id, &row);
    out->held = rc == RK_OK;
    return rc == RK_ENOTFOUND ? RK_OK : rc;
}

/* ---- errors ------------------------------------------------------------------------------ */

static bool fail(struct inc_err *err, unsigned status, const char *kind, const char *detail)
{
    err->status = status;
    err->kind = kind;
    err->detail = detail;
    return false;
}

static bool fail_rc(struct inc_err *err, int rc)
{
    err->status = 0;
    err->rc = rc;
    return false;
}

static bool fail_field(struct inc_err *err, const char *pointer, const char *rule,
                       const char *message)
{
    jv_error_add(&err->errs, pointer, rule, "%s", message);
    err->status = 422;
    return false;
}

/* ---- the form ---------------------------------------------------------------------------- */

struct refs_buf {
    struct adv_refs refs;
    const char *codes[RD_MAX_SECTORS];
};

static void refs_init(struct app *app, struct refs_buf *b)
{
    for (size_t i = 0; i < app->rd->nsectors; i++)
        b->codes[i] = app->rd->sectors[i].code;
    b->refs = (struct adv_refs){.rf = app->forms->refs,
                                .ministries = app->rd->ministries,
                                .nministries = app->rd->nministries,
                                .sector_codes = b->codes,
                                .nsectors = app->rd->nsectors};
}

/* Validates answers (the client's, without the assigned header fields) into *out, the body as
 * stored: normalised, without the assigned fields. */
static bool check_answers(struct app *app, const json_t *answers, json_t **out, struct inc_err *err)
{
    *out = NULL;
    if (adv_client_check(answers, "/answers", &err->errs) != RK_OK) {
        err->status = 422;
        return false;
    }
    json_t *full = json_deep_copy(answers);
    json_t *hdr = json_object_get(full, "header");
    if (!hdr && full) json_object_set_new(full, "header", hdr = json_object());
    if (!full || !hdr) {
        json_decref(full);
        return fail_rc(err, RK_ENOMEM);
    }
    /* Placeholders for what the platform assigns: valid values, removed again below. */
    json_object_set_new(hdr, "identification_number", json_string("AD-0000-000000"));
    json_object_set_new(hdr, "report_number", json_integer(1));
    json_object_set_new(hdr, "advisory_datetime", json_string("2026-01-01T00:00:00Z"));
    struct refs_buf rb;
    refs_init(app, &rb);
    json_t *norm = NULL;
    int rc =
        adv_validate(forms_advisory(app->forms), &rb.refs, full, "/answers", &norm, &err->errs);
    json_decref(full);
    if (rc == RK_EINVAL) {
        err->status = 422;
        return false;
    }
    if (rc != RK_OK) return fail_rc(err, rc);
    hdr = json_object_get(norm, "header");
    for (const char *const *k = assigned; *k; k++)
        json_object_del(hdr, *k);
    *out = norm;
    return true;
}

/* ---- the request ------------------------------------------------------------------------- */

static const struct jv_field source_fields[] = {
    {.name = "incident_id",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = INT64_MAX},
    {.name = "report_number",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = INC_MAX_REPORTS},
};
static const struct jv_field agreement_fields[] = {
    {.name = "by",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "at", .type = JV_STRING, .flags = JV_REQUIRED, .format = JV_FMT_DATETIME},
    {.name = "note", .type = JV_STRING, .max_len = 2000},
};
static const struct jv_field org_id_item = {
    .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT64_MAX};
static const struct jv_field draft_fields[] = {
    {.name = "title", .type = JV_STRING, .min_len = 1, .max_len = 200, .format = JV_FMT_NO_CONTROL},
    {.name = "source",
     .type = JV_OBJECT,
     .fields = source_fields,
     .nfields = RK_ARRAY_LEN(source_fields)},
    {.name = "agreement",
     .type = JV_OBJECT,
     .flags = JV_NULLABLE,
     .fields = agreement_fields,
     .nfields = RK_ARRAY_LEN(agreement_fields)},
    {.name = "named",
     .type = JV_ARRAY,
     .flags = JV_UNIQUE,
     .max_len = ADVS_MAX_NAMED - 8,
     .items = &org_id_item},
    {.name = "follows", .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT64_MAX},
    {.name = "version", .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT64_MAX},
};
static const struct jv_field draft_schema = {
    .type = JV_OBJECT, .fields = draft_fields, .nfields = RK_ARRAY_LEN(draft_fields)};

static bool check_shape(const json_t *doc, bool create, struct inc_err *err)
{
    json_t *shallow = json_copy((json_t *)doc);
    if (!shallow) return fail_rc(err, RK_ENOMEM);
    json_object_del(shallow, "answers");
    json_object_del(shallow, "labels");
    struct jv_errors e;
    jv_validate(shallow, &draft_schema, &e);
    json_decref(shallow);
    err->errs = e;
    const json_t *answers = json_object_get(doc, "answers");
    const json_t *labels = json_object_get(doc, "labels");
    if (answers && !json_is_object(answers))
        jv_error_add(&err->errs, "/answers", "type", "must be an object");
    if (labels && !json_is_object(labels))
        jv_error_add(&err->errs, "/labels", "type", "must be an object");
    if (create && json_object_get(doc, "version"))
        jv_error_add(&err->errs, "/version", "unknown_field", "only when changing a draft");
    if (create && !json_object_get(doc, "title"))
        jv_error_add(&err->errs, "/title", "required", "required");
    if (create && !answers && !json_object_get(doc, "source"))
        jv_error_add(&err->errs, "/answers", "required",
                     "required (or a source report to derive the draft from)");
    if (!create && !json_object_get(doc, "version"))
        jv_error_add(&err->errs, "/version", "required", "required");
    if (!create && answers && !labels)
        jv_error_add(&err->errs, "/labels", "required",
                     "new answers need their label map (send {} for none)");
    if (!create && json_object_get(doc, "follows"))
        jv_error_add(&err->errs, "/follows", "immutable", "set when the draft is created");
    if (err->errs.n || err->errs.dropped) {
        err->status = 422;
        return false;
    }
    return true;
}

/* Loads the source report for p (who must be allowed to read it): 422 at /source otherwise,
 * as if it did not exist. */
static bool load_source(struct app *app, const struct pol_principal *p, const json_t *src,
                        struct incident_rec *inc, struct report_rec *rep, struct inc_err *err)
{
    int64_t id = json_integer_value(json_object_get(src, "incident_id"));
    int64_t num = json_integer_value(json_object_get(src, "report_number"));
    memset(rep, 0, sizeof *rep);
    int rc = inc_get(app, p, id, inc);
    if (rc == RK_OK) rc = app->store->ops->report_get(app->store, id, num, rep);
    if (rc == RK_OK) {
        struct pol_report pr;
        inc_pol(inc, rep->tlp, &pr);
        if (!policy_report_may_read(p, &pr)) rc = RK_ENOTFOUND;
    }
    if (rc == RK_ENOTFOUND) {
        store_report_rec_free(rep);
        return fail_field(err, "/source", "not_found", "no such report (or not yours to read)");
    }
    if (rc != RK_OK) {
        store_report_rec_free(rep);
        return fail_rc(err, rc);
    }
    return true;
}

/* A draft derived from the report: the mapped answers and the labels marking what came from
 * identifying parts, recipients = the incident's sectors and the ministries covering them. */
static bool derive(struct app *app, const struct incident_rec *inc, const struct report_rec *rep,
                   json_t **answers, json_t **labels, struct inc_err *err)
{
    json_t *body = json_loads(rep->body, 0, NULL);
    json_t *codes = refdata_sectors_to_json(app->rd, inc->sectors);
    json_t *codelist = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        json_array_append(codelist, json_is_object(c) ? json_object_get(c, "code") : c);
    }
    int rc =
        body && codelist
            ? adv_from_report(forms_advisory_mapping(app->forms), forms_get(app->forms, inc->form),
                              json_object_get(body, "answers"), policy_tlp_name(rep->tlp), codelist,
                              answers, labels)
            : RK_ENOMEM;
    json_decref(body);
    json_decref(codes);
    json_decref(codelist);
    if (rc != RK_OK) return fail_rc(err, rc == RK_EINVAL ? RK_EIO : rc);
    /* Addressed to the ministries covering the incident's sectors, as the report was routed. */
    json_t *rec = json_object_get(*answers, "recipients");
    if (!rec) json_object_set_new(*answers, "recipients", rec = json_object());
    json_t *rows = json_array();
    for (size_t m = 0; rows && m < app->rd->nministries; m++)
        if (app->rd->ministries[m].sectors & inc->sectors)
            json_array_append_new(rows,
                                  json_pack("{s:s}", "ministry", app->rd->ministries[m].code));
    if (!rec || !rows) {
        json_decref(rows);
        return fail_rc(err, RK_ENOMEM);
    }
    json_object_set_new(rec, "recipient_ministries", rows);
    return true;
}

/* Is the advisory's audience wider than the source report's? A wider TLP; at the AMBER and
 * RED levels (audiences bounded by sector) sectors the report did not concern; any named
 * organisation. */
static int tlp_breadth(enum pol_tlp t)
{
    switch (t) {
    case POL_TLP_CLEAR:
        return 4;
    case POL_TLP_GREEN:
        return 3;
    case POL_TLP_AMBER:
        return 2;
    case POL_TLP_AMBER_STRICT:
        return 1;
    default:
        return 0;
    }
}

static bool widens(const struct advisory_input *in, enum pol_tlp src_tlp, uint64_t src_sectors,
                   size_t nnamed)
{
    if (tlp_breadth(in->tlp) > tlp_breadth(src_tlp)) return true;
    if (in->tlp != POL_TLP_GREEN && in->tlp != POL_TLP_CLEAR && (in->sectors & ~src_sectors))
        return true;
    return nnamed > 0;
}

/* The annex files (別紙) the answers list: each a file the sender uploaded and has not used
 * elsewhere (staged), or already an annex of this advisory. */
static bool check_attachments(struct app *app, const json_t *body, int64_t sender, int64_t self,
                              struct advs_draft *d, struct inc_err *err)
{
    const json_t *list = json_object_get(json_object_get(body, "content"), "attachments");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/answers/content/attachments/%zu", i % 1000000);
        if (i >= ADVS_MAX_ATTACHMENTS)
            return fail_field(err, "/answers/content/attachments", "max_items",
                              "at most 50 annex files on one advisory");
        const char *t = json_string_value(v);
        int64_t id = t ? strtoll(t, NULL, 10) : 0;
        struct attachment_rec a;
        int rc = id > 0 ? app->store->ops->attachment_get(app->store, id, &a) : RK_ENOTFOUND;
        if (rc != RK_OK && rc != RK_ENOTFOUND) return fail_rc(err, rc);
        if (rc == RK_ENOTFOUND || a.org_id != sender || a.incident_id != 0 ||
            (a.advisory_id != 0 && a.advisory_id != self))
            return fail_field(err, ptr, "unknown_attachment",
                              "not a file the centre uploaded for this advisory (POST "
                              "/api/v1/attachments, then list its id here)");
        d->atts[d->in.nattachments++] = id;
    }
    d->in.attachments = d->atts;
    return true;
}

static bool draft_set_json(struct advs_draft *d, json_t *body, json_t *labels, json_t *named,
                           const json_t *agreement)
{
    d->body = json_dumps(body, JSON_COMPACT);
    d->labels = json_dumps(labels, JSON_COMPACT);
    d->named = json_dumps(named, JSON_COMPACT);
    d->agreement =
        agreement && json_is_object(agreement) ? json_dumps(agreement, JSON_COMPACT) : strdup("");
    d->in.body = d->body;
    d->in.labels = d->labels;
    d->in.named = d->named;
    d->in.agreement = d->agreement;
    return d->body && d->labels && d->named && d->agreement;
}

/* Every named organisation exists and is not the sender. */
static bool check_named(struct app *app, const json_t *named, int64_t sender, struct inc_err *err)
{
    size_t i;
    json_t *v;
    json_array_foreach(named, i, v)
    {
        struct org_rec o;
        int64_t id = json_integer_value(v);
        int rc = app->store->ops->org_get(app->store, id, &o);
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/named/%zu", i);
        if (rc == RK_ENOTFOUND || id == sender)
            return fail_field(err, ptr, "unknown_organisation",
                              "not an organisation the advisory can be addressed to");
        if (rc != RK_OK) return fail_rc(err, rc);
    }
    return true;
}

/* A follow-up naming its own source: the series' incident, if the series has one. */
static bool series_source_ok(struct app *app, int64_t follows, const json_t *src,
                             struct inc_err *err)
{
    struct advisory_rec prev;
    int rc = app->store->ops->advisory_get(app->store, follows, &prev);
    int64_t inc = prev.source_incident;
    store_advisory_rec_free(&prev);
    if (rc == RK_ENOTFOUND) return true; /* the store's 409 "/follows" */
    if (rc != RK_OK) return fail_rc(err, rc);
    if (!inc || json_integer_value(json_object_get(src, "incident_id")) == inc) return true;
    return fail_field(err, "/source/incident_id", "series_source",
                      "a follow-up stays with its series' incident");
}

bool advs_prepare_draft(struct app *app, const struct pol_principal *p, const json_t *doc,
                        const struct advisory_rec *cur, struct advs_draft *d, struct inc_err *err)
{
    memset(err, 0, sizeof *err);
    int64_t sender = cur ? cur->sender_org : advs_nc_org(app);
    if (!sender || !policy_advisory_may_send(p, sender))
        return fail(err, 403, "forbidden",
                    "Only the national centre's own analysts write and send advisories.");
    if (!check_shape(doc, cur == NULL, err)) return false;
    d->in.sender_org = sender;
    d->in.user_id = p->user_id;
    d->in.title = d->title;
    d->in.severity = d->severity;
    d->in.follows_id = cur ? cur->follows_id : json_integer_value(json_object_get(doc, "follows"));
    const json_t *src = json_object_get(doc, "source");
    const json_t *answers = json_object_get(doc, "answers");
    json_t *labels = json_incref(json_object_get(doc, "labels"));
    json_t *derived = NULL, *body = NULL;
    json_t *named = json_incref(json_object_get(doc, "named"));
    const json_t *agreement = json_object_get(doc, "agreement");
    json_t *cur_body = NULL, *cur_agreement = NULL;
    struct incident_rec inc;
    struct report_rec rep = {0};
    bool ok = false, have_src = false;
    if (cur) {
        /* An edit states the draft's new state; what it leaves out stays as it was. */
        snprintf(d->title, sizeof d->title, "%s", cur->title);
        if (!answers) answers = cur_body = json_loads(cur->body, 0, NULL);
        if (!labels && !json_object_get(doc, "answers")) labels = json_loads(cur->labels, 0, NULL);
        if (!named) named = json_loads(cur->named, 0, NULL);
        if (!json_object_get(doc, "agreement") && cur->agreement[0])
            agreement = cur_agreement = json_loads(cur->agreement, 0, NULL);
        d->in.source_incident = cur->source_incident;
        d->in.source_report = cur->source_report;
    } else if (d->in.follows_id && !src) {
        /* A 第N報 continues its series: built from the same report, under the same agreement,
         * so the send gate checks the reporter's names and the widening again. */
        struct advisory_rec prev;
        int rc = app->store->ops->advisory_get(app->store, d->in.follows_id, &prev);
        /* Not its agreement: that was given for the earlier audience. A 第N報 wider than the
         * report records the source's agreement again. */
        if (rc == RK_OK) {
            d->in.source_incident = prev.source_incident;
            d->in.source_report = prev.source_report;
        }
        store_advisory_rec_free(&prev);
        if (rc != RK_OK && rc != RK_ENOTFOUND) {
            fail_rc(err, rc);
            goto out;
        } /* a missing one is the store's 409 "/follows" */
    }
    json_copy_str(doc, "title", d->title, sizeof d->title);
    if (src && !cur && d->in.follows_id && !series_source_ok(app, d->in.follows_id, src, err))
        goto out;
    /* An advisory built from a report stays bound to that incident: moving it to another
     * would make the send gate check the wrong reporter's names. */
    if (src && cur && cur->source_incident &&
        json_integer_value(json_object_get(src, "incident_id")) != cur->source_incident) {
        fail_field(err, "/source/incident_id", "immutable",
                   "an advisory built from an incident's report stays bound to that incident");
        goto out;
    }
    if (src) {
        if (!load_source(app, p, src, &inc, &rep, err)) goto out;
        have_src = true;
        d->in.source_incident = inc.id;
        d->in.source_report = rep.number;
        if (!answers) {
            /* The derived draft's labels are the derivation's: they mark what came from the
             * report's identifying parts (a client map would name places it has not seen). */
            json_decref(labels);
            labels = NULL;
            if (!derive(app, &inc, &rep, &derived, &labels, err)) goto out;
        }
    } else if (d->in.source_incident) {
        json_t *s = json_pack("{s:I, s:I}", "incident_id", (json_int_t)d->in.source_incident,
                              "report_number", (json_int_t)d->in.source_report);
        have_src = s ? load_source(app, p, s, &inc, &rep, err) : fail_rc(err, RK_ENOMEM);
        json_decref(s);
        if (!have_src) goto out;
    }
    if (!labels) labels = json_object();
    if (!named) named = json_array();
    if (!labels || !named) {
        fail_rc(err, RK_ENOMEM);
        goto out;
    }
    if (!check_answers(app, derived ? derived : answers, &body, err)) goto out;
    if (!check_attachments(app, body, sender, cur ? cur->id : 0, d, err)) goto out;
    if (json_object_size(labels) > 500) {
        fail_field(err, "/labels", "max_items", "at most 500 labelled places in one advisory");
        goto out;
    }
    /* Label pointers name places in the answers as stored (normalised). */
    if (tier_labels_check(body, labels, &err->errs) != RK_OK) {
        err->status = 422;
        goto out;
    }
    /* Who reads the advisory is its TLP and audience; labels mark fields within it. A label on
     * the whole would make every path (list, inbox, acks, feeds) a second read rule. */
    if (json_object_get(labels, "")) {
        fail_field(err, "/labels/", "whole_object",
                   "label fields of the advisory, not the whole of it (its TLP decides who reads "
                   "it)");
        goto out;
    }
    if (!check_named(app, named, sender, err)) goto out;
    const char *tlp = json_string_value(json_object_get(json_object_get(body, "sharing"), "tlp"));
    policy_tlp_parse(tlp ? tlp : "TLP:RED", &d->in.tlp);
    const char *sev =
        json_string_value(json_object_get(json_object_get(body, "header"), "severity"));
    snprintf(d->severity, sizeof d->severity, "%s", sev ? sev : "");
    struct refs_buf rb;
    refs_init(app, &rb);
    d->in.sectors = adv_sectors(&rb.refs, body);
    if (agreement && !json_is_object(agreement)) agreement = NULL; /* null clears it */
    ok = draft_set_json(d, body, labels, named, agreement) || fail_rc(err, RK_ENOMEM);
out:
    if (have_src) store_report_rec_free(&rep);
    json_decref(derived);
    json_decref(body);
    json_decref(labels);
    json_decref(named);
    json_decref(cur_body);
    json_decref(cur_agreement);
    return ok;
}

/* ---- sending ----------------------------------------------------------------------------- */

/* The gate's errors under "/answers", keeping `secret` only when the advisory is public. */
static void gate(const json_t *labels, enum pol_tlp tlp, struct inc_err *err)
{
    struct jv_errors g;
    if (tier_gate(labels, POL_TIER_PUBLICATION, &g) == RK_OK) return;
    for (size_t i = 0; i < g.n; i++) {
        if (tlp != POL_TLP_CLEAR && strcmp(g.e[i].rule, "label_secret") == 0) continue;
        char ptr[JV_POINTER_MAX + 16];
        snprintf(ptr, sizeof ptr, "/answers%s", g.e[i].pointer);
        const char *why = strcmp(g.e[i].rule, "label_secret") == 0
                              ? "a TLP:CLEAR advisory is public: remove the secret content"
                          : strcmp(g.e[i].rule, "label_comms_info") == 0
                              ? "an advisory never carries communications information (通信情報)"
                              : "an advisory must not identify the reporting operator "
                                "(情報の提供元が特定されないよう加工)";
        jv_error_add(&err->errs, ptr, g.e[i].rule, "%s", why);
    }
    if (g.dropped) err->errs.dropped += g.dropped;
}

/* The reporter's (and relaying CEPTOAR's) names, which no advisory built from its report may
 * carry anywhere: a label forgotten is still caught. */
static bool names_check(struct app *app, const struct advisory_rec *a, const json_t *body,
                        struct inc_err *err)
{
    struct incident_rec inc;
    int rc = app->store->ops->incident_get(app->store, a->source_incident, &inc);
    if (rc != RK_OK) return fail_rc(err, rc);
    int64_t ids[2] = {inc.reporter_org, inc.relay_org};
    const char *names[6];
    size_t n = 0;
    struct org_rec o[2];
    for (size_t i = 0; i < 2; i++) {
        if (!ids[i]) continue;
        if ((rc = app->store->ops->org_get(app->store, ids[i], &o[i])) != RK_OK)
            return fail_rc(err, rc);
        names[n++] = o[i].name_ja;
        names[n++] = o[i].name_en;
        if (o[i].corporate_number[0]) names[n++] = o[i].corporate_number;
    }
    adv_names_check(body, names, n, "/answers", &err->errs);
    /* The annex files' names reach every recipient too. */
    json_t *files = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(body, "content"), "attachments"), i, v)
    {
        struct attachment_rec f;
        const char *sid = json_string_value(v);
        if (sid && app->store->ops->attachment_get(app->store, strtoll(sid, NULL, 10), &f) == RK_OK)
            json_array_append_new(files, json_string(f.name));
        else
            json_array_append_new(files, json_string(""));
    }
    json_t *wrap = json_pack("{s:{s:o}}", "content", "attachments", files);
    if (!wrap) return fail_rc(err, RK_ENOMEM);
    adv_names_check(wrap, names, n, "/answers", &err->errs);
    json_decref(wrap);
    json_t *t = json_pack("{s:s}", "title", a->title);
    if (!t) return fail_rc(err, RK_ENOMEM);
    adv_names_check(t, names, n, "", &err->errs);
    json_decref(t);
    return true;
}

static bool widening_check(struct app *app, const struct advisory_rec *a, size_t nnamed,
                           struct inc_err *err)
{
    struct incident_rec inc;
    struct report_rec rep;
    int rc = app->store->ops->incident_get(app->store, a->source_incident, &inc);
    if (rc == RK_OK)
        rc = app->store->ops->report_get(app->store, a->source_incident, a->source_report, &rep);
    if (rc != RK_OK) return fail_rc(err, rc);
    enum pol_tlp src_tlp = rep.tlp;
    store_report_rec_free(&rep);
    struct advisory_input in = {.tlp = a->tlp, .sectors = a->sectors};
    if (widens(&in, src_tlp, inc.sectors, nnamed) && !a->agreement[0])
        fail_field(err, "/agreement", "widening_needs_agreement",
                   "the audience is wider than the source report's TLP and sectors: record the "
                   "source's agreement (who, when) first");
    return true;
}

struct org_scan {
    const char *codes[64];
    size_t ncodes;
    int64_t found[64]; /* an organisation per code, 0: none */
    int64_t *list;     /* ministries of the codes, in scan order */
    size_t nlist, cap;
    /* direct delivery */
    const struct pol_advisory *pa;
    int64_t sender;
    int64_t *deliver;
    size_t ndeliver, dcap;
    int rc;
};

static bool push_id(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        int64_t *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) return false;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = id;
    return true;
}

static bool scan_cb(const struct org_rec *o, void *ctx)
{
    struct org_scan *sc = ctx;
    if (o->type == POL_ORG_MINISTRY)
        for (size_t i = 0; i < sc->ncodes; i++)
            if (strcmp(o->ministry, sc->codes[i]) == 0) {
                if (!sc->found[i] && !push_id(&sc->list, &sc->nlist, &sc->cap, o->id)) {
                    sc->rc = RK_ENOMEM;
                    return false;
                }
                if (!sc->found[i]) sc->found[i] = o->id;
            }
    if (sc->pa && o->id != sc->sender) {
        struct pol_principal op;
        advs_org_principal(o, &op);
        if (policy_advisory_in_audience(&op, sc->pa) &&
            !push_id(&sc->deliver, &sc->ndeliver, &sc->dcap, o->id)) {
            sc->rc = RK_ENOMEM;
            return false;
        }
    }
    return true;
}

bool advs_prepare_send(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
                       bool direct, struct advs_draft *d, struct inc_err *err)
{
    memset(err, 0, sizeof *err);
    if (!policy_advisory_may_send(p, a->sender_org))
        return fail(err, 403, "forbidden",
                    "Only the national centre's own analysts write and send advisories.");
    if (a->sent) return fail(err, 409, "conflict", "this advisory has been sent already");
    json_t *body = json_loads(a->body, 0, NULL);
    json_t *labels = json_loads(a->labels, 0, NULL);
    int64_t widened[ADVS_MAX_NAMED];
    size_t nwidened = parse_named(a->named, widened, ADVS_MAX_NAMED);
    struct org_scan sc = {.sender = a->sender_org};
    bool ok = false;
    if (!body || !labels) {
        fail_rc(err, RK_ENOMEM);
        goto out;
    }
    gate(labels, a->tlp, err);
    if (a->source_incident &&
        (!names_check(app, a, body, err) || !widening_check(app, a, nwidened, err)))
        goto out;
    sc.ncodes = adv_ministries(body, sc.codes, 64);
    int rc = app->store->ops->org_list(app->store, 0, scan_cb, &sc);
    if (rc == RK_OK) rc = sc.rc;
    if (rc != RK_OK) {
        fail_rc(err, rc);
        goto out;
    }
    for (size_t i = 0; i < sc.ncodes; i++)
        if (!sc.found[i]) {
            char ptr[80];
            snprintf(ptr, sizeof ptr, "/answers/recipients/recipient_ministries/%zu/ministry", i);
            jv_error_add(&err->errs, ptr, "no_organisation",
                         "no organisation of this ministry is registered on the platform");
        }
    if (err->errs.n || err->errs.dropped) {
        err->status = 422;
        goto out;
    }
    /* The addressees: the ministries, then the organisations added by agreement. */
    for (size_t i = 0; i < nwidened; i++) {
        bool dup = false;
        for (size_t j = 0; j < sc.nlist; j++)
            dup = dup || sc.list[j] == widened[i];
        if (!dup && !push_id(&sc.list, &sc.nlist, &sc.cap, widened[i])) {
            fail_rc(err, RK_ENOMEM);
            goto out;
        }
    }
    if (sc.nlist > ADVS_MAX_NAMED) {
        fail_field(err, "/named", "max_items", "too many addressees");
        goto out;
    }
    json_t *named = json_array();
    for (size_t i = 0; named && i < sc.nlist; i++)
        json_array_append_new(named, json_integer(sc.list[i]));
    d->named = named ? json_dumps(named, JSON_COMPACT) : NULL;
    json_decref(named);
    if (!d->named) {
        fail_rc(err, RK_ENOMEM);
        goto out;
    }
    d->in = (struct advisory_input){
        .named = d->named, .user_id = p->user_id, .direct = direct, .tlp = a->tlp};
    if (direct) {
        struct pol_advisory pa = {.sender_org = a->sender_org,
                                  .sent = true,
                                  .tlp = a->tlp,
                                  .sectors = a->sectors,
                                  .named = sc.list,
                                  .nnamed = sc.nlist};
        sc.pa = &pa;
        rc = app->store->ops->org_list(app->store, 0, scan_cb, &sc);
        if (rc == RK_OK) rc = sc.rc;
        sc.pa = NULL;
        if (rc != RK_OK) {
            fail_rc(err, rc);
            goto out;
        }
        d->deliver = sc.deliver;
        d->ndeliver = sc.ndeliver;
        sc.deliver = NULL;
    } else {
        d->deliver = sc.list;
        d->ndeliver = sc.nlist;
        sc.list = NULL;
    }
    ok = true;
out:
    free(sc.list);
    free(sc.deliver);
    json_decref(body);
    json_decref(labels);
    return ok;
}

struct relay_scan {
    struct pol_principal relayer;
    const struct pol_advisory *pa;
    int64_t *ids;
    size_t n, cap;
    int rc;
};

static bool relay_cb(const struct org_rec *o, void *ctx)
{
    struct relay_scan *rs = ctx;
    struct pol_principal t;
    advs_org_principal(o, &t);
    if (policy_advisory_relay_target(&rs->relayer, &t, rs->pa) &&
        !push_id(&rs->ids, &rs->n, &rs->cap, o->id)) {
        rs->rc = RK_ENOMEM;
        return false;
    }
    return true;
}

int advs_relay_targets(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
                       int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct org_rec me;
    int64_t named[ADVS_MAX_NAMED];
    struct pol_advisory pa;
    int rc = app->store->ops->org_get(app->store, p->org_id, &me);
    if (rc == RK_OK) rc = advs_pol(app, p, a, named, &pa);
    if (rc != RK_OK) return rc;
    struct relay_scan rs = {.pa = &pa};
    advs_org_principal(&me, &rs.relayer);
    rc = app->store->ops->org_list(app->store, 0, relay_cb, &rs);
    if (rc == RK_OK) rc = rs.rc;
    if (rc != RK_OK) {
        free(rs.ids);
        return rc;
    }
    *out = rs.ids;
    *n = rs.n;
    return RK_OK;
}

/* ---- views ------------------------------------------------------------------------------- */

json_t *advs_summary(struct app *app, const struct advisory_rec *a)
{
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:I}", "id",
                     (json_int_t)a->id, "identification_number", a->ident, "number",
                     (json_int_t)a->number, "status", a->sent ? "sent" : "draft", "tlp",
                     policy_tlp_name(a->tlp), "severity",
                     a->severity[0] ? json_string(a->severity) : json_null(), "sectors",
                     refdata_sectors_to_json(app->rd, a->sectors), "title", a->title, "created_at",
                     time_json(a->created_ms), "sent_at", time_json(a->sent_ms), "version",
                     (json_int_t)a->version);
}

/* The platform-assigned header fields, from the row. */
static void put_assigned(json_t *answers, const struct advisory_rec *a)
{
    json_t *hdr = json_object_get(answers, "header");
    if (!hdr) json_object_set_new(answers, "header", hdr = json_object());
    if (!hdr) return;
    json_object_set_new(hdr, "identification_number", json_string(a->ident));
    json_object_set_new(hdr, "report_number", json_integer(a->number));
    if (a->sent_ms) json_object_set_new(hdr, "advisory_datetime", time_json(a->sent_ms));
}

struct annex_ctx {
    const json_t *ids; /* the visible answers' content/attachments */
    json_t *out;
};

static bool annex_cb(const struct attachment_rec *f, void *ctx)
{
    struct annex_ctx *c = ctx;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)f->id);
    size_t i;
    json_t *v;
    json_array_foreach(c->ids, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), id) == 0) {
            json_array_append_new(c->out, inc_view_attachment(f));
            break;
        }
    }
    return true;
}

/* The annex files the reader's view lists (a labelled id the reader may not see is not in its
 * answers, so not here either), with name, size and SHA-256. */
static json_t *annex_view(struct app *app, const struct advisory_rec *a, const json_t *answers)
{
    struct annex_ctx c = {.ids =
                              json_object_get(json_object_get(answers, "content"), "attachments"),
                          .out = json_array()};
    if (c.out && json_array_size(c.ids))
        app->store->ops->advisory_attachments(app->store, a->id, annex_cb, &c);
    return c.out;
}

json_t *advs_view(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
                  int *rc)
{
    int64_t named[ADVS_MAX_NAMED];
    struct pol_advisory pa;
    json_t *v = NULL, *visible = NULL;
    if ((*rc = advs_pol(app, p, a, named, &pa)) != RK_OK) return NULL;
    if (!policy_advisory_may_read(p, &pa)) {
        *rc = RK_ENOTFOUND;
        return NULL;
    }
    struct pol_scope s;
    policy_advisory_scope(&pa, &s);
    json_t *body = json_loads(a->body, 0, NULL);
    json_t *labels = json_loads(a->labels, 0, NULL);
    *rc = body && labels ? policy_view_fields(p, &s, body, labels, &visible) : RK_EIO;
    if (*rc == RK_OK && !(v = advs_summary(app, a))) *rc = RK_ENOMEM;
    if (v) {
        put_assigned(visible, a);
        json_object_set_new(v, "attachments", annex_view(app, a, visible));
        json_object_set_new(v, "answers", visible);
        visible = NULL;
        if (policy_advisory_may_send(p, a->sender_org)) {
            /* Which advisory it follows is the centre's: an earlier 第N報 may have had a
             * narrower audience than this one. */
            if (a->follows_id) json_object_set_new(v, "follows", json_integer(a->follows_id));
            /* The centre's working state: its own writers only. */
            json_object_set(v, "labels", labels);
            json_object_set_new(v, "named", json_loads(a->named, 0, NULL));
            json_object_set_new(v, "delivered_direct", json_boolean(a->direct));
            if (a->source_incident)
                json_object_set_new(v, "source",
                                    json_pack("{s:I, s:I}", "incident_id",
                                              (json_int_t)a->source_incident, "report_number",
                                              (json_int_t)a->source_report));
            if (a->agreement[0])
                json_object_set_new(v, "agreement", json_loads(a->agreement, 0, NULL));
        }
        struct inbox_rec row;
        if (pa.held &&
            app->store->ops->inbox_get(app->store, "advisory", a->id, p->org_id, &row) == RK_OK) {
            json_object_set_new(v, "delivered_at", time_json(row.delivered_ms));
            json_object_set_new(v, "relayed_from",
                                row.relayed_from ? json_integer(row.relayed_from) : json_null());
            json_object_set_new(v, "acknowledgment",
                                row.ack[0] ? json_string(row.ack) : json_null());
        }
    }
    json_decref(visible);
    json_decref(body);
    json_decref(labels);
    return v;
}

void advs_reply_attachment(struct req *r, const struct pol_principal *who)
{
    struct advisory_rec a;
    int rc = r->app->store->ops->advisory_get(r->app->store, r->params[0], &a);
    json_t *v = rc == RK_OK ? advs_view(r->app, who, &a, &rc) : NULL;
    store_advisory_rec_free(&a);
    bool listed = false;
    size_t i;
    json_t *f;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)r->params[1]);
    json_array_foreach(json_object_get(v, "attachments"), i, f)
    {
        listed = listed || strcmp(json_string_value(json_object_get(f, "id")), id) == 0;
    }
    json_decref(v);
    if (v && !listed) rc = RK_ENOTFOUND;
    if (rc == RK_OK)
        rc = r->app->store->ops->attachment_content(r->app->store, r->params[1], att_reply_content,
                                                    r);
    if (rc != RK_OK) {
        http_problem_rc(r, rc, NULL);
        return;
    }
    /* Every download is on record, as for reports' files (anonymous ones included). */
    http_audit_async(r, "attachment.download", "attachment", r->params[1]);
}

int advs_render(struct app *app, const json_t *v, char **html, size_t *len)
{
    json_t *form = forms_resolved(app->forms, app->rd, forms_advisory(app->forms));
    if (!form) return RK_ENOMEM;
    struct org_rec nc;
    int64_t nc_id = advs_nc_org(app);
    bool have_nc = nc_id && app->store->ops->org_get(app->store, nc_id, &nc) == RK_OK;
    struct rp_meta meta = {
        .ident = json_string_value(json_object_get(v, "identification_number")),
        .report_number = (int)json_integer_value(json_object_get(v, "number")),
        .tlp = json_string_value(json_object_get(v, "tlp")),
        .severity = json_string_value(json_object_get(v, "severity")),
        .filed_at = json_string_value(json_object_get(v, "sent_at")),
        .source_label = have_nc ? nc.name_ja : "国家サイバー統括室",
        .attachments = json_object_get(v, "attachments"),
    };
    int rc = rp_render(form, json_object_get(v, "answers"), NULL, &meta, html, len);
    json_decref(form);
    return rc;
}

int advs_file_sync(struct app *app, const struct pol_principal *p, const json_t *doc, bool send,
                   bool direct, const char *request_id, int64_t *out_id, char *ident,
                   int64_t *out_number, struct inc_err *err)
{
    struct advs_draft *d = calloc(1, sizeof *d), *s = calloc(1, sizeof *s);
    int rc = RK_ENOMEM;
    memset(err, 0, sizeof *err);
    if (!d || !s) {
        fail_rc(err, rc);
        goto out;
    }
    if (!advs_prepare_draft(app, p, doc, NULL, d, err)) {
        rc = err->status ? RK_EINVAL : err->rc;
        goto out;
    }
    /* The gate runs on the draft as it would be stored, before anything is: a refused send
     * leaves no draft behind (and takes no identification number). */
    struct advisory_rec pre = {.sender_org = d->in.sender_org,
                               .tlp = d->in.tlp,
                               .sectors = d->in.sectors,
                               .body = d->body,
                               .labels = d->labels,
                               .named = d->named,
                               .agreement = d->agreement,
                               .source_incident = d->in.source_incident,
                               .source_report = d->in.source_report};
    snprintf(pre.title, sizeof pre.title, "%s", d->title);
    if (send && !advs_prepare_send(app, p, &pre, direct, s, err)) {
        rc = err->status ? RK_EINVAL : err->rc;
        goto out;
    }
    struct store_write w = {.op = STORE_W_ADVISORY_CREATE, .advisory = &d->in};
    store_audit_set(&w.audit, p->user_id, p->org_id, "advisory.create", "advisory", 0, request_id);
    snprintf(w.audit.detail, sizeof w.audit.detail, "{\"via\":\"cli\"}");
    if ((rc = store_write_sync(app->store, &w)) != RK_OK) {
        fail_rc(err, rc);
        if (rc == RK_ECONFLICT)
            fail(err, 409, "conflict",
                 "follow a sent advisory; a series takes one unsent 第N報 at a time");
        goto out;
    }
    *out_id = w.out_id;
    snprintf(ident, 32, "%s", w.out_ident);
    *out_number = w.out_number;
    if (!send) goto out;
    /* Version 1: the draft just created; anything in between is a 409 (the draft stays). */
    struct store_write sw = {
        .op = STORE_W_ADVISORY_SEND,
        .advisory = &s->in,
        .target_id = w.out_id,
        .expect_version = 1,
        .deliver = {.kind = "advisory", .orgs = s->deliver, .norgs = s->ndeliver}};
    store_audit_set(&sw.audit, p->user_id, p->org_id, "advisory.send", "advisory", w.out_id,
                    request_id);
    snprintf(sw.audit.detail, sizeof sw.audit.detail,
             "{\"via\":\"cli\",\"direct\":%s,\"recipients\":%zu}", direct ? "true" : "false",
             s->ndeliver);
    if ((rc = store_write_sync(app->store, &sw)) != RK_OK) fail_rc(err, rc);
out:
    advs_draft_free(d);
    advs_draft_free(s);
    return rc;
}

int advs_relay_sync(struct app *app, const struct pol_principal *p, int64_t id,
                    const char *request_id, int64_t *delivered)
{
    struct advisory_rec a;
    int64_t named[ADVS_MAX_NAMED], *ids = NULL;
    size_t n = 0;
    struct pol_advisory pa;
    *delivered = 0;
    int rc = app->store->ops->advisory_get(app->store, id, &a);
    if (rc == RK_OK) rc = advs_pol(app, p, &a, named, &pa);
    if (rc == RK_OK && !policy_advisory_may_relay(p, &pa)) rc = RK_EDENIED;
    if (rc == RK_OK) rc = advs_relay_targets(app, p, &a, &ids, &n);
    store_advisory_rec_free(&a);
    if (rc != RK_OK) return rc;
    struct store_write w = {.op = STORE_W_INBOX_DELIVER,
                            .deliver = {.kind = "advisory",
                                        .object_id = id,
                                        .orgs = ids,
                                        .norgs = n,
                                        .relayed_from = p->org_id,
                                        .relayed_by = p->user_id}};
    store_audit_set(&w.audit, p->user_id, p->org_id, "advisory.relay", "advisory", id, request_id);
    rc = store_write_sync(app->store, &w);
    *delivered = w.out_count;
    free(ids);
    return rc;
}

int advs_ack_sync(struct app *app, const struct pol_principal *p, int64_t id, const char *status,
                  const char *request_id)
{
    struct advisory_rec a;
    int64_t named[ADVS_MAX_NAMED];
    struct pol_advisory pa;
    int rc = app->store->ops->advisory_get(app->store, id, &a);
    if (rc == RK_OK) rc = advs_pol(app, p, &a, named, &pa);
    store_advisory_rec_free(&a);
    if (rc == RK_OK && !policy_advisory_may_ack(p, &pa)) rc = RK_EDENIED;
    if (rc != RK_OK) return rc;
    int64_t org = p->org_id;
    struct store_write w = {
        .op = STORE_W_INBOX_ACK,
        .deliver = {.kind = "advisory", .object_id = id, .orgs = &org, .norgs = 1, .ack = status}};
    store_audit_set(&w.audit, p->user_id, p->org_id, "advisory.ack", "advisory", id, request_id);
    return store_write_sync(app->store, &w);
}
