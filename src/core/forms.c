/*
 * forms.c — loading the report forms, the advisory form with its mapping from reports, and the
 * ATT&CK technique list (see forms.h).
 */
#include "core/forms.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"
#include "domain/advisory.h"
#include "domain/policy.h"

#define FORMS_MAX 32 /* form files in data/forms */

static bool technique_ok(void *ctx, const char *id)
{
    const json_t *t = json_object_get(ctx, id);
    return t && !json_is_true(json_object_get(t, "revoked")) &&
           !json_is_true(json_object_get(t, "deprecated"));
}

static int load_techniques(const char *dir, json_t **out, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/attack_techniques.json", dir);
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return RK_EIO;
    }
    json_t *byid = json_object();
    int rc = byid ? RK_OK : RK_ENOMEM;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, "techniques"), i, t)
    {
        const char *id = json_string_value(json_object_get(t, "id"));
        if (rc != RK_OK) break;
        if (!id || !json_is_string(json_object_get(t, "name"))) {
            snprintf(err, errlen, "%s: /techniques/%zu: id and name are required", path, i);
            rc = RK_EINVAL;
            break;
        }
        json_t *v = json_deep_copy(t);
        if (!v) {
            rc = RK_ENOMEM;
            break;
        }
        json_object_del(v, "id");
        if (json_object_get(byid, id)) {
            /* A later copy would silently win (and could revoke the id). */
            json_decref(v);
            snprintf(err, errlen, "%s: /techniques/%zu/id: %s appears twice", path, i, id);
            rc = RK_EINVAL;
            break;
        }
        if (json_object_set_new(byid, id, v) != 0) rc = RK_ENOMEM;
    }
    if (rc == RK_OK && json_object_size(byid) == 0) {
        snprintf(err, errlen, "%s: no techniques", path);
        rc = RK_EINVAL;
    }
    json_decref(doc);
    if (rc != RK_OK) {
        json_decref(byid);
        return rc;
    }
    *out = byid;
    return RK_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the .json files in dir/forms, sorted (so the API lists them in a stable order). */
static int form_files(const char *dir, char **names, size_t *n, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/forms", dir);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return RK_EIO;
    }
    struct dirent *e;
    *n = 0;
    int rc = RK_OK;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        /* Dot-files are editors' locks and backups, not forms. */
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
        if (*n == FORMS_MAX) {
            snprintf(err, errlen, "%s: more than %d forms", path, FORMS_MAX);
            rc = RK_ELIMIT;
            break;
        }
        if (!(names[*n] = strndup(e->d_name, len - 5))) {
            rc = RK_ENOMEM;
            break;
        }
        (*n)++;
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_name);
    return rc;
}

void forms_free(struct forms *f)
{
    if (!f) return;
    json_decref(f->byname);
    json_decref(f->summaries);
    json_decref(f->techniques);
    json_decref(f->sectors);
    json_decref(f->advisory);
    json_decref(f->advisory_mapping);
    free(f);
}

/* The first error of a failed check as "path: pointer: message". */
static void check_error(const char *path, const struct jv_errors *errs, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s: %s", path, errs->n ? errs->e[0].pointer : "",
             errs->n ? errs->e[0].message : "is not valid");
}

/* dir/advisory/form.json and dir/advisory/from_reports.json, checked; f->byname is loaded. */
static int load_advisory(const char *dir, struct forms *f, char *err, size_t errlen)
{
    char path[4096];
    json_error_t je;
    struct jv_errors errs = {0};
    snprintf(path, sizeof path, "%s/advisory/form.json", dir);
    if (!(f->advisory = json_load_file(path, JSON_REJECT_DUPLICATES, &je))) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return RK_EINVAL;
    }
    if (rf_check_definition(f->advisory, &f->refs, &errs) != RK_OK ||
        adv_check_form(f->advisory, &errs) != RK_OK) {
        check_error(path, &errs, err, errlen);
        return RK_EINVAL;
    }
    snprintf(path, sizeof path, "%s/advisory/from_reports.json", dir);
    if (!(f->advisory_mapping = json_load_file(path, JSON_REJECT_DUPLICATES, &je))) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return RK_EINVAL;
    }
    if (adv_check_mapping(f->advisory_mapping, f->advisory, f->byname, &errs) != RK_OK) {
        check_error(path, &errs, err, errlen);
        return RK_EINVAL;
    }
    return RK_OK;
}

int forms_load(const char *dir, const struct refdata *rd, struct forms **out, char *err,
               size_t errlen)
{
    char *names[FORMS_MAX] = {0};
    size_t n = 0;
    struct forms *f = calloc(1, sizeof *f);
    int rc = RK_ENOMEM;
    if (!f || !(f->byname = json_object()) || !(f->summaries = json_array()) ||
        !(f->sectors = json_array()))
        goto fail;
    for (size_t i = 0; i < rd->nsectors; i++)
        if (json_array_append_new(f->sectors, json_string(rd->sectors[i].code)) != 0) goto fail;
    if ((rc = load_techniques(dir, &f->techniques, err, errlen)) != RK_OK) goto fail;
    f->refs = (struct rf_refs){
        .sector_codes = f->sectors, .technique_ok = technique_ok, .technique_ctx = f->techniques};
    if ((rc = form_files(dir, names, &n, err, errlen)) != RK_OK) goto fail;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/forms/%s.json", dir, names[i]);
        json_error_t je;
        json_t *form = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!form) {
            snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
            rc = RK_EINVAL;
            goto fail;
        }
        struct jv_errors errs = {0};
        const char *name = json_string_value(json_object_get(form, "name"));
        /* The advisory is not a report form: it lives in dir/advisory. */
        if (rf_check_definition(form, &f->refs, &errs) != RK_OK || !name ||
            strcmp(name, names[i]) != 0 || strcmp(name, ADV_FORM_NAME) == 0) {
            snprintf(err, errlen, "%s: %s: %s", path, errs.n ? errs.e[0].pointer : "/name",
                     errs.n                                     ? errs.e[0].message
                     : name && strcmp(name, ADV_FORM_NAME) == 0 ? "belongs in advisory/form.json"
                                                                : "must equal the file name");
            json_decref(form);
            rc = RK_EINVAL;
            goto fail;
        }
        json_t *sum = json_pack(
            "{s:s, s:O, s:O, s:O, s:O}", "name", name, "title_ja",
            json_object_get(form, "title_ja"), "title_en", json_object_get(form, "title_en"),
            "version", json_object_get(form, "version"), "source", json_object_get(form, "source"));
        if (!sum || json_array_append_new(f->summaries, sum) != 0) {
            json_decref(form);
            rc = RK_ENOMEM;
            goto fail;
        }
        if (json_object_set_new(f->byname, name, form) != 0) {
            rc = RK_ENOMEM;
            goto fail;
        }
    }
    /* The three official forms (seed 004 figs. 4, 4-1, 4-2) must all be there: a platform that
     * silently lacks one would turn reporters away. */
    static const char *const required[] = {"liaison", "ddos", "ransomware"};
    for (size_t i = 0; i < RK_ARRAY_LEN(required); i++)
        if (!json_object_get(f->byname, required[i])) {
            snprintf(err, errlen, "%s/forms/%s.json: missing (one of the official forms)", dir,
                     required[i]);
            rc = RK_EINVAL;
            goto fail;
        }
    if ((rc = load_advisory(dir, f, err, errlen)) != RK_OK) goto fail;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    *out = f;
    return RK_OK;
fail:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    forms_free(f);
    if (rc == RK_ENOMEM && err && errlen) snprintf(err, errlen, "out of memory");
    return rc;
}

const json_t *forms_get(const struct forms *f, const char *name)
{
    return name ? json_object_get(f->byname, name) : NULL;
}

const json_t *forms_advisory(const struct forms *f)
{
    return f ? f->advisory : NULL;
}

const json_t *forms_advisory_mapping(const struct forms *f)
{
    return f ? f->advisory_mapping : NULL;
}

/* values_from → values, for one field and (rows) its columns. */
static int resolve_field(const struct refdata *rd, json_t *field)
{
    const char *from = json_string_value(json_object_get(field, "values_from"));
    if (from) {
        json_t *vals = json_array();
        if (!vals) return RK_ENOMEM;
        if (strcmp(from, "sectors") == 0) {
            for (size_t i = 0; i < rd->nsectors; i++)
                json_array_append_new(
                    vals, json_pack("{s:s, s:s, s:s}", "code", rd->sectors[i].code, "ja",
                                    rd->sectors[i].name_ja, "en", rd->sectors[i].name_en));
        } else if (strcmp(from, "tlp") == 0) {
            /* Printed from RED down to CLEAR (seed 004 表5). */
            for (int t = POL_TLP_RED; t >= POL_TLP_CLEAR; t--)
                json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "code",
                                                      policy_tlp_name((enum pol_tlp)t), "ja",
                                                      policy_tlp_name_ja((enum pol_tlp)t), "en",
                                                      policy_tlp_name((enum pol_tlp)t)));
        }
        json_object_set_new(field, "values", vals);
    }
    size_t i;
    json_t *col;
    json_array_foreach(json_object_get(field, "columns"), i,
                       col) if (resolve_field(rd, col) != RK_OK) return RK_ENOMEM;
    return RK_OK;
}

/* The member of arr whose "id" is id, or NULL. */
static json_t *member_by_id(const json_t *arr, const char *id)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *xid = json_string_value(json_object_get(x, "id"));
        if (xid && strcmp(xid, id) == 0) return x;
    }
    return NULL;
}

/* The advisory's ministry column: the codes of data/ministries.json with their names. */
static int resolve_ministries(const struct refdata *rd, json_t *form)
{
    json_t *sec = member_by_id(json_object_get(form, "sections"), "recipients");
    json_t *field = member_by_id(json_object_get(sec, "fields"), "recipient_ministries");
    json_t *col = member_by_id(json_object_get(field, "columns"), "ministry");
    if (!col) return RK_OK;
    json_t *vals = json_array();
    if (!vals) return RK_ENOMEM;
    for (size_t i = 0; i < rd->nministries; i++)
        if (json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "code", rd->ministries[i].code,
                                                  "ja", rd->ministries[i].name_ja, "en",
                                                  rd->ministries[i].name_en)) != 0) {
            json_decref(vals);
            return RK_ENOMEM;
        }
    return json_object_set_new(col, "values", vals) == 0 ? RK_OK : RK_ENOMEM;
}

json_t *forms_resolved(const struct forms *f, const struct refdata *rd, const json_t *form)
{
    (void)f;
    json_t *copy = json_deep_copy(form);
    if (!copy) return NULL;
    size_t i, k;
    json_t *sec, *field;
    json_array_foreach(json_object_get(copy, "sections"), i, sec) json_array_foreach(
        json_object_get(sec, "fields"), k, field) if (resolve_field(rd, field) != RK_OK)
    {
        json_decref(copy);
        return NULL;
    }
    const char *name = json_string_value(json_object_get(copy, "name"));
    if (name && strcmp(name, ADV_FORM_NAME) == 0 && resolve_ministries(rd, copy) != RK_OK) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}
