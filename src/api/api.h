/*
 * api.h — the resource handlers behind the route table (routes.c) and the JSON views they
 * share. Handlers validate, ask policy.h, call the store and answer through http.h.
 */
#ifndef API_H
#define API_H

#include "core/rk.h"
#include "http/http.h"

/* system */
void h_healthz(struct req *r);
void h_readyz(struct req *r);
void h_metrics(struct req *r);
void h_openapi(struct req *r);
void h_reference(struct req *r);
/* session and self */
void h_login(struct req *r);
void h_logout(struct req *r);
void h_me(struct req *r);
void h_me_password(struct req *r);
/* organisations */
void h_orgs_list(struct req *r);
void h_orgs_create(struct req *r);
void h_orgs_get(struct req *r);
void h_orgs_update(struct req *r);
/* users */
void h_users_list(struct req *r);
void h_users_create(struct req *r);
void h_users_get(struct req *r);
void h_users_update(struct req *r);
/* tokens */
void h_tokens_list(struct req *r);
void h_tokens_create(struct req *r);
void h_tokens_revoke(struct req *r);
/* audit */
void h_audit_list(struct req *r);
/* the asset registry (h_assets.c, h_registry.c) */
void h_assets_list(struct req *r);
void h_assets_create(struct req *r);
void h_assets_get(struct req *r);
void h_assets_change(struct req *r);
void h_assets_retire(struct req *r);
void h_assets_file(struct req *r);
void h_assets_history(struct req *r);
void h_inventory_upload(struct req *r);
void h_delegations_list(struct req *r);
void h_delegations_create(struct req *r);
void h_delegations_get(struct req *r);
void h_delegations_revoke(struct req *r);
void h_submissions_list(struct req *r);
void h_submissions_get(struct req *r);
void h_submissions_receive(struct req *r);
void h_submissions_forward(struct req *r);
void h_filing_status(struct req *r);
/* incident report forms (h_forms.c) */
void h_forms_list(struct req *r);
void h_forms_get(struct req *r);
/* incidents and their reports (h_incidents.c, h_attachments.c) */
void h_incidents_list(struct req *r);
void h_incidents_create(struct req *r);
void h_incidents_get(struct req *r);
void h_reports_list(struct req *r);
void h_reports_create(struct req *r);
void h_reports_get(struct req *r);
void h_reports_diff(struct req *r);
void h_reports_form(struct req *r);
void h_reports_ack(struct req *r);
void h_attachments_upload(struct req *r);
/* analysis products (h_products.c) */
void h_products_list(struct req *r);
void h_products_create(struct req *r);
void h_products_get(struct req *r);
void h_products_update(struct req *r);
void h_products_derive(struct req *r);
void h_products_release(struct req *r);
/* analysis products: for the inbox and feeds */
bool products_may_read(const struct pol_principal *who, const struct product_rec *p);
json_t *products_summary(const struct app *app, const struct product_rec *p);
/* advisories (h_advisories.c) */
void h_advisories_list(struct req *r);
void h_advisories_create(struct req *r);
void h_advisories_get(struct req *r);
void h_advisories_update(struct req *r);
void h_advisories_send(struct req *r);
void h_advisories_relay(struct req *r);
void h_advisories_ack(struct req *r);
void h_advisories_acks(struct req *r);
void h_advisories_form(struct req *r);
void h_advisories_attachment(struct req *r);
extern const struct jv_field api_advisory_send_schema;
extern const struct jv_field api_advisory_ack_schema;
/* the inbox (h_inbox.c) */
void h_inbox_list(struct req *r);
/* One inbox row as who sees it (the row from who's own organisation's inbox): the item with
 * its object's summary (new reference); NULL when who may not see the object (*rc RK_OK) or on
 * a store error (*rc set). Used by GET /api/v1/inbox and `renkei inbox`. */
struct inbox_rec;
json_t *inbox_item_view(struct app *app, const struct pol_principal *who,
                        const struct inbox_rec *row, int *rc);
/* council channels (h_threads.c): one-to-one threads and working groups */
void h_threads_list(struct req *r);
void h_threads_create(struct req *r);
void h_threads_get(struct req *r);
void h_threads_update(struct req *r);
void h_messages_list(struct req *r);
void h_messages_post(struct req *r);
extern const struct jv_field api_thread_schema;
extern const struct jv_field api_message_schema;
/* The policy facts of a thread (members borrowed from t) and of one of its messages
 * (addressed: the reader's organisation holds the message's inbox row). */
void threads_pol(const struct thread_rec *t, struct pol_thread *out);
void threads_msg_pol(const struct pol_thread *pt, const struct message_rec *m, bool addressed,
                     struct pol_message *out);
/* public feeds (h_feeds.c): no login */
void h_feed_json(struct req *r);
void h_feed_atom(struct req *r);
void h_feed_advisory_page(struct req *r);
void h_feed_advisory_attachment(struct req *r);
void h_feed_product_page(struct req *r);
void h_incident_attachments_list(struct req *r);
void h_incident_attachments_upload(struct req *r);
void h_incident_attachments_get(struct req *r);

/* Views: new JSON objects (caller owns). Fields the principal may not see are left out. */
json_t *view_org(const struct app *app, const struct pol_principal *p, const struct org_rec *o);
json_t *view_user(const struct user_rec *u);
json_t *view_token(const struct token_rec *t);
json_t *view_audit(const struct audit_rec *a);
json_t *view_roles(unsigned roles);

/* Request schemas shared by the API and the CLI (routes.c). */
extern const struct jv_field api_org_create_schema;
extern const struct jv_field api_user_create_schema;
extern const struct jv_field api_token_schema;

/* Applies an organisation request (already schema-valid) to o and checks the cross-field
 * rules (ministry mapping, council records). create: o starts zeroed. */
int api_org_apply(const struct app *app, const json_t *j, struct org_rec *o, bool create,
                  struct jv_errors *errs);

/* Parses an array of role names (already schema-validated) into bits. */
unsigned roles_from_json(const json_t *arr);

/* Allocates a zeroed write job with its audit principal and request id set. NULL on OOM
 * (the handler answers 500). */
struct store_write *job_new(struct req *r, enum store_wop op, const char *action,
                            const char *object_kind, int64_t object_id);

/*
 * Keyset paging shared by every list: ?limit (1..STORE_LIST_MAX, default 100) and ?after (the
 * last id of the previous page). Rows the policy hides are skipped before counting, so a page
 * and its next_after reveal nothing about hidden rows.
 */
struct page {
    struct req *r;
    json_t *items;
    long long limit;
    int64_t after; /* from the query */
    int64_t last;
    bool more;
};
/* Parses limit/after; false when it has already answered 400. */
bool page_begin(struct req *r, struct page *pg);
/* Adds a visible row (item is consumed); false when the page is full: stop iterating. */
bool page_add(struct page *pg, int64_t id, json_t *item);
/* Answers {items, next_after}, or the problem for a failed store call (rc). */
void page_finish(struct page *pg, int rc);

/* An RFC 3339 UTC time string for a Unix-ms time, JSON null for 0 (new reference). */
json_t *time_json(int64_t ms);

/* Copies a JSON string member into buf when present. */
void json_copy_str(const json_t *obj, const char *key, char *buf, size_t cap);

#endif
