/*
 * incidents.h — incident reporting's logic behind the handlers (h_incidents.c): preparing a
 * report for filing (who reports, recipients, linked computers, awareness and deadlines,
 * reportability, attachments, the diff from the previous report) and the views, which ask
 * policy.h (policy_report_*) for every part they show. docs/incidents.md describes the API.
 */
#ifndef API_INCIDENTS_H
#define API_INCIDENTS_H

#include "api/api.h"
#include "api/report_input.h"
#include "domain/report_rules.h"

/* The reportability reason of an event known before the law's enforcement date. */
#define INC_BEFORE_ENFORCEMENT "before_enforcement"

/* Reports per incident: more is a runaway client, not an incident (each read lists them). */
#define INC_MAX_REPORTS 999

/* Indicators kept per source-IP list, and shown per report (the whole list is the file). */
#define INC_INDICATOR_PREVIEW 1000

/* A report being filed: kept across the two halves of the request (r->hstate). */
struct inc_filing {
    struct report_filing f;
    json_t *norm; /* the normalised envelope */
    char *body, *changes;
    int64_t recipients[STORE_MAX_RECIPIENTS];
    const char *roles[STORE_MAX_RECIPIENTS];
    int64_t assets[RI_MAX_ASSETS];
    int64_t atts[RI_MAX_ATTACHMENTS * 2];
    const char *att_groups[RI_MAX_ATTACHMENTS * 2];
    char due[11];
    char hosting[16], awareness_source[16]; /* copies: the job outlives the handler's locals */
};

void inc_filing_free(void *p);

/* The report's policy facts: the incident with one report's TLP. */
void inc_pol(const struct incident_rec *inc, enum pol_tlp tlp, struct pol_report *out);

/* Why a report was refused: status 422 (errs), 403 (detail), or 0 for a store/memory error
 * (rc). */
struct inc_err {
    unsigned status;
    int rc;
    const char *kind, *detail; /* static */
    struct jv_errors errs;
};

/*
 * Checks doc, filed by p, as a report for a new incident (inc NULL) or the next report of inc,
 * and fills fs for the store. true when fs is ready; false with *err. Used by the API and
 * `renkei report submit`, so both give the same answers.
 */
bool inc_prepare(struct app *app, const struct pol_principal *p, const json_t *doc,
                 const struct incident_rec *inc, struct inc_filing *fs, struct inc_err *err);
/* Prepares and files doc synchronously (the CLI, demo data): a new incident (incident_id 0)
 * or the next report of incident_id, as p. RK_OK with the incident id and report number;
 * otherwise the error, explained in *err (status 422/403/409, or 0 with rc). */
int inc_file_sync(struct app *app, const struct pol_principal *p, const json_t *doc,
                  int64_t incident_id, const char *request_id, int64_t *out_incident,
                  int64_t *out_number, struct inc_err *err);
/* The audit record's detail for a report filing (compact JSON into buf; via: "api", "cli",
 * "demo"; token: the API token used, 0 for none). */
void inc_audit_detail(const struct report_filing *f, const char *via, int64_t token, char *buf,
                      size_t cap);
/* Answers err as problem+json. */
void inc_err_answer(struct req *r, const struct inc_err *err);

/* Incident id for p: RK_OK when p may read it (its latest report's TLP), else RK_ENOTFOUND
 * (also for one p may not see) or a store error. inc_load answers the error as well. */
int inc_get(struct app *app, const struct pol_principal *p, int64_t id, struct incident_rec *out);
int inc_load(struct req *r, int64_t id, struct incident_rec *out);
/* inc_load of params[0] for adding to it (a report, a file): also answers 403 unless p may. */
int inc_load_for_add(struct req *r, struct incident_rec *out);

/* Views (new JSON, caller owns; NULL on ENOMEM). */
json_t *inc_view(struct app *app, const struct pol_principal *p, const struct incident_rec *inc,
                 bool full);
/* The report with the parts p may not see left out; NULL with *rc = RK_ENOTFOUND when p may
 * not read it at all. withheld (may be NULL) receives the section ids left out. */
json_t *inc_view_report(struct app *app, const struct pol_principal *p,
                        const struct incident_rec *inc, const struct report_rec *rep,
                        json_t **withheld, int *rc);

/* May p see an attachment with this role and group on a report it may read? */
bool inc_attachment_visible(const struct pol_principal *p, const struct pol_report *pr,
                            unsigned opt_out, const json_t *form, const char *role,
                            const char *grp);

json_t *inc_view_attachment(const struct attachment_rec *a);
/* store_blob_cb answering the file as a download (ctx: the struct req): its media type,
 * Content-Disposition and X-Content-SHA256. */
bool att_reply_content(const struct attachment_rec *a, const void *data, size_t len, void *ctx);

#endif
