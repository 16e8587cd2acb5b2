/*
 * advisories.h — advisories' logic behind the handlers (h_advisories.c) and `renkei advisory`:
 * preparing a draft from a request (the form's answers, or a draft derived from an incident
 * report), the send gate (labels, the reporter's names, the widening agreement), who receives it
 * (addressed ministries, or the whole audience when sent direct), relays, and the views. Who
 * may see what is policy.h's (policy_advisory_*); nothing here decides it alone.
 * docs/advisories.md describes the API.
 */
#ifndef API_ADVISORIES_H
#define API_ADVISORIES_H

#include "api/api.h"
#include "api/incidents.h"

#define ADVS_MAX_NAMED 64       /* addressed organisations of one advisory */
#define ADVS_MAX_ATTACHMENTS 50 /* annex files (別紙) of one advisory */

/* A draft being created or edited, or an advisory being sent: kept across the two halves of a
 * request (r->hstate). Strings are owned. */
struct advs_draft {
    struct advisory_input in;
    char title[STORE_NAME_MAX];
    char severity[16];
    char *body, *labels, *named, *agreement;
    int64_t *deliver; /* send: the organisations that get an inbox row */
    size_t ndeliver;
    int64_t atts[ADVS_MAX_ATTACHMENTS]; /* the annex files the draft lists */
};
void advs_draft_free(void *p);

/* The national centre's organisation id (the one of type national_centre), or 0. */
int64_t advs_nc_org(struct app *app);

/* The policy facts of a for p (held: p's organisation holds an inbox row). named_buf holds
 * the addressees (out->named points into it). RK_OK or a store error. */
int advs_pol(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
             int64_t named_buf[ADVS_MAX_NAMED], struct pol_advisory *out);

/* As advs_pol when the caller already knows whether p's organisation holds it (its inbox row
 * is at hand): no store access. */
void advs_pol_held(const struct advisory_rec *a, bool held, int64_t named_buf[ADVS_MAX_NAMED],
                   struct pol_advisory *out);

/* The principal an organisation stands for in audience rules: its own staff, every role. */
void advs_org_principal(const struct org_rec *o, struct pol_principal *out);

/*
 * Checks a create (cur NULL) or edit (cur: the draft) request doc by p and fills d. Request:
 * {title, answers, labels?, source?: {incident_id, report_number}, agreement?: {by, at, note?},
 * named?: [org ids], follows?: advisory id}; answers may be left out with a source (a draft is
 * derived from the report). true when d is ready for STORE_W_ADVISORY_CREATE/UPDATE; false
 * with *err (422 with errs, 403, 404, or 0 with rc).
 */
bool advs_prepare_draft(struct app *app, const struct pol_principal *p, const json_t *doc,
                        const struct advisory_rec *cur, struct advs_draft *d, struct inc_err *err);
/*
 * The send gate and the delivery list for draft a: labels the advisory may not carry
 * (comms_info and source_identifying always, secret too at TLP:CLEAR), the source reporter's
 * names anywhere in the title or answers, a widening without the source's agreement, addressed
 * ministries without an organisation on the platform. direct: deliver to the whole audience
 * now instead of the addressees (who relay). true with d ready for STORE_W_ADVISORY_SEND.
 */
bool advs_prepare_send(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
                       bool direct, struct advs_draft *d, struct inc_err *err);
/* The organisations p's organisation relays a to (policy_advisory_relay_target), malloc'd into
 * *out (caller frees), *n set. RK_OK or a store error. */
int advs_relay_targets(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
                       int64_t **out, size_t *n);

/* The advisory as p may see it, or NULL with *rc (RK_ENOTFOUND: p may not read it). */
json_t *advs_view(struct app *app, const struct pol_principal *p, const struct advisory_rec *a,
                  int *rc);
/* The metadata every reader sees (inbox and list rows). */
json_t *advs_summary(struct app *app, const struct advisory_rec *a);
/* Answers annex file params[1] of advisory params[0] as who may see it: listed in the fields of
 * the advisory who may read (404 otherwise); every download is audited. */
void advs_reply_attachment(struct req *r, const struct pol_principal *who);
/* The printed form (情報提供様式) of the view v: malloc'd HTML into *html, *len. */
int advs_render(struct app *app, const json_t *v, char **html, size_t *len);

/* Answers the printed form of advisory params[0] as who sees it (404 when who may not). */
void advs_reply_form(struct req *r, const struct pol_principal *who);

/* `renkei advisory send` and the demo data: create doc as a draft and (send) send it,
 * synchronously, as p, with the API's preparation and gate. RK_OK with the advisory's id,
 * identification number (ident, 32 bytes) and number; otherwise *err. */
int advs_file_sync(struct app *app, const struct pol_principal *p, const json_t *doc, bool send,
                   bool direct, const char *request_id, int64_t *out_id, char *ident,
                   int64_t *out_number, struct inc_err *err);
/* Relays advisory id onward as p (a recipient ministry or CEPTOAR), synchronously; *delivered
 * counts new inbox rows. RK_EDENIED when policy refuses. */
int advs_relay_sync(struct app *app, const struct pol_principal *p, int64_t id,
                    const char *request_id, int64_t *delivered);
/* Acknowledges advisory id for p's organisation ("read", "actioned", "not_applicable"). */
int advs_ack_sync(struct app *app, const struct pol_principal *p, int64_t id, const char *status,
                  const char *request_id);

#endif
