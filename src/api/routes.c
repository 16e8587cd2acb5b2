/*
 * routes.c — the route table and request schemas: method, path, handler, required role and
 * body schema in one place. docs/openapi.json describes the same routes (a test checks that
 * every route here is in it).
 */
#include "api/api.h"

static const char *const org_types[] = {
    "national_centre", "ministry",    "core_operator", "ci_operator",        "ceptoar", "vendor",
    "vuln_intake",     "coordinator", "research",      "foreign_government", "other",   NULL};
static const char *const councils[] = {"none", "friend", "member", NULL};
static const char *const role_names[] = {"admin",    "org_admin", "analyst",
                                         "reporter", "viewer",    NULL};

static const struct jv_field sector_item = {.type = JV_STRING, .max_len = 32};
static const struct jv_field role_item = {.type = JV_STRING, .enum_values = role_names};

static const struct jv_field login_fields[] = {
    {.name = "username", .type = JV_STRING, .flags = JV_REQUIRED, .format = JV_FMT_IDENT},
    {.name = "password", .type = JV_STRING, .flags = JV_REQUIRED, .min_len = 1, .max_len = 256},
};
static const struct jv_field login_schema = {
    .type = JV_OBJECT, .fields = login_fields, .nfields = RK_ARRAY_LEN(login_fields)};

#define ORG_COMMON_FIELDS                                                                          \
    {.name = "name_en", .type = JV_STRING, .max_len = 200, .format = JV_FMT_NO_CONTROL},           \
        {.name = "corporate_number",                                                               \
         .type = JV_STRING,                                                                        \
         .flags = JV_NULLABLE,                                                                     \
         .format = JV_FMT_CORPNUM},                                                                \
        {.name = "sectors",                                                                        \
         .type = JV_ARRAY,                                                                         \
         .flags = JV_UNIQUE,                                                                       \
         .max_len = 64,                                                                            \
         .items = &sector_item},                                                                   \
        {.name = "council", .type = JV_STRING, .enum_values = councils},                           \
        {.name = "council_consent_date",                                                           \
         .type = JV_STRING,                                                                        \
         .flags = JV_NULLABLE,                                                                     \
         .format = JV_FMT_DATE},                                                                   \
        {.name = "confidentiality_agreement",                                                      \
         .type = JV_STRING,                                                                        \
         .flags = JV_NULLABLE,                                                                     \
         .max_len = 2000},                                                                         \
    {                                                                                              \
        .name = "designated", .type = JV_BOOLEAN                                                   \
    }

static const struct jv_field org_create_fields[] = {
    {.name = "type", .type = JV_STRING, .flags = JV_REQUIRED, .enum_values = org_types},
    {.name = "name_ja",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "ministry", .type = JV_STRING, .max_len = 32, .format = JV_FMT_IDENT},
    ORG_COMMON_FIELDS,
};
const struct jv_field api_org_create_schema = {
    .type = JV_OBJECT, .fields = org_create_fields, .nfields = RK_ARRAY_LEN(org_create_fields)};

static const struct jv_field org_update_fields[] = {
    {.name = "name_ja",
     .type = JV_STRING,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "version", .type = JV_INTEGER, .has_range = true, .min = 1, .max = INT32_MAX},
    ORG_COMMON_FIELDS,
};
static const struct jv_field org_update_schema = {
    .type = JV_OBJECT, .fields = org_update_fields, .nfields = RK_ARRAY_LEN(org_update_fields)};

static const struct jv_field user_create_fields[] = {
    {.name = "org_id",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = INT64_MAX},
    {.name = "username", .type = JV_STRING, .flags = JV_REQUIRED, .format = JV_FMT_IDENT},
    {.name = "display_name",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "password", .type = JV_STRING, .flags = JV_REQUIRED, .min_len = 12, .max_len = 256},
    {.name = "roles",
     .type = JV_ARRAY,
     .flags = JV_REQUIRED | JV_UNIQUE,
     .min_len = 1,
     .max_len = 5,
     .items = &role_item},
    {.name = "contractor", .type = JV_BOOLEAN},
};
const struct jv_field api_user_create_schema = {
    .type = JV_OBJECT, .fields = user_create_fields, .nfields = RK_ARRAY_LEN(user_create_fields)};

static const struct jv_field user_update_fields[] = {
    {.name = "display_name",
     .type = JV_STRING,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "roles",
     .type = JV_ARRAY,
     .flags = JV_UNIQUE,
     .min_len = 1,
     .max_len = 5,
     .items = &role_item},
    {.name = "contractor", .type = JV_BOOLEAN},
    {.name = "disabled", .type = JV_BOOLEAN},
};
static const struct jv_field user_update_schema = {
    .type = JV_OBJECT, .fields = user_update_fields, .nfields = RK_ARRAY_LEN(user_update_fields)};

static const struct jv_field password_fields[] = {
    {.name = "current_password",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 256},
    {.name = "new_password",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 12,
     .max_len = 256},
};
static const struct jv_field password_schema = {
    .type = JV_OBJECT, .fields = password_fields, .nfields = RK_ARRAY_LEN(password_fields)};

static const struct jv_field token_fields[] = {
    {.name = "name",
     .type = JV_STRING,
     .flags = JV_REQUIRED,
     .min_len = 1,
     .max_len = 200,
     .format = JV_FMT_NO_CONTROL},
    {.name = "roles",
     .type = JV_ARRAY,
     .flags = JV_REQUIRED | JV_UNIQUE,
     .min_len = 1,
     .max_len = 5,
     .items = &role_item},
    {.name = "expires_in_days",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = 366},
};
const struct jv_field api_token_schema = {
    .type = JV_OBJECT, .fields = token_fields, .nfields = RK_ARRAY_LEN(token_fields)};

static const struct jv_field delegation_fields[] = {
    {.name = "vendor_org",
     .type = JV_INTEGER,
     .flags = JV_REQUIRED,
     .has_range = true,
     .min = 1,
     .max = INT64_MAX},
    {.name = "note", .type = JV_STRING, .max_len = 2000},
};
static const struct jv_field delegation_schema = {
    .type = JV_OBJECT, .fields = delegation_fields, .nfields = RK_ARRAY_LEN(delegation_fields)};

static const char *const q_list[] = {"limit", "after", NULL};
static const char *const q_assets[] = {"limit",   "after",           "org_id",
                                       "sector",  "category",        "product",
                                       "overdue", "include_retired", NULL};
static const char *const q_org_list[] = {"limit", "after", "org_id", NULL};
static const char *const q_org[] = {"org_id", NULL};
static const char *const q_inventory[] = {"org_id", "dry_run", NULL};
static const char *const q_retire[] = {"retired_on", NULL};
static const char *const q_history[] = {"as_of", NULL};
static const char *const q_incidents[] = {
    "limit",  "after",   "org_id", "sector", "form",
    "status", "overdue", "from",   "to",     "identification_number",
    NULL};
static const char *const q_upload[] = {"name", "role", NULL};
static const char *const q_products[] = {"limit", "after", "tier", "status", NULL};
static const char *const q_derive[] = {"tier", NULL};
static const char *const q_advisories[] = {"limit", "after", "status", "identification_number",
                                           NULL};
static const char *const q_acks[] = {"limit", "after", "pending", NULL};
static const char *const q_inbox[] = {"limit", "after", "kind", "unacknowledged", NULL};
static const char *const q_users[] = {"limit", "after", "org_id", NULL};
static const char *const q_audit[] = {"limit", "after", "org_id", "user_id", "action", NULL};

#define ANY 0u
#define ADMINS (POL_ROLE_ADMIN | POL_ROLE_ORG_ADMIN)
#define WRITERS POL_ROLE__WRITERS
#define PRODUCT_AUTHORS (POL_ROLE_ADMIN | POL_ROLE_ANALYST)

const struct route http_routes[] = {
    {"GET", "/healthz", h_healthz, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/readyz", h_readyz, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/metrics", h_metrics, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/api/openapi.json", h_openapi, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/api/v1/reference", h_reference, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/session", h_login, ROUTE_PUBLIC | ROUTE_BODY, ANY, &login_schema, NULL},
    {"DELETE", "/api/v1/session", h_logout, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/me", h_me, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/me/password", h_me_password, ROUTE_BODY, ANY, &password_schema, NULL},
    {"GET", "/api/v1/orgs", h_orgs_list, 0, ANY, NULL, q_list},
    {"POST", "/api/v1/orgs", h_orgs_create, ROUTE_BODY, POL_ROLE_ADMIN, &api_org_create_schema,
     NULL},
    {"GET", "/api/v1/orgs/{id}", h_orgs_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/orgs/{id}", h_orgs_update, ROUTE_BODY, ADMINS, &org_update_schema, NULL},
    {"GET", "/api/v1/users", h_users_list, 0, ANY, NULL, q_users},
    {"POST", "/api/v1/users", h_users_create, ROUTE_BODY, ADMINS, &api_user_create_schema, NULL},
    {"GET", "/api/v1/users/{id}", h_users_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/users/{id}", h_users_update, ROUTE_BODY, ADMINS, &user_update_schema, NULL},
    {"GET", "/api/v1/tokens", h_tokens_list, 0, ANY, NULL, q_list},
    {"POST", "/api/v1/tokens", h_tokens_create, ROUTE_BODY, ANY, &api_token_schema, NULL},
    {"DELETE", "/api/v1/tokens/{id}", h_tokens_revoke, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/audit", h_audit_list, 0, ADMINS, NULL, q_audit},
    /* The asset registry: filing rights and visibility are decided by policy.h per operator. */
    {"GET", "/api/v1/assets", h_assets_list, 0, ANY, NULL, q_assets},
    {"POST", "/api/v1/assets", h_assets_create, ROUTE_BODY, ANY, NULL, NULL},
    {"GET", "/api/v1/assets/{id}", h_assets_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/assets/{id}", h_assets_change, ROUTE_BODY, ANY, NULL, NULL},
    {"DELETE", "/api/v1/assets/{id}", h_assets_retire, 0, ANY, NULL, q_retire},
    {"POST", "/api/v1/assets/{id}/file", h_assets_file, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/assets/{id}/history", h_assets_history, 0, ANY, NULL, q_history},
    {"POST", "/api/v1/asset-inventories", h_inventory_upload, ROUTE_UPLOAD, ANY, NULL, q_inventory},
    {"GET", "/api/v1/asset-submissions", h_submissions_list, 0, ANY, NULL, q_org_list},
    {"GET", "/api/v1/asset-submissions/{id}", h_submissions_get, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/asset-submissions/{id}/receive", h_submissions_receive, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/asset-submissions/{id}/forward", h_submissions_forward, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/delegations", h_delegations_list, 0, ANY, NULL, q_org_list},
    {"POST", "/api/v1/delegations", h_delegations_create, ROUTE_BODY, ADMINS, &delegation_schema,
     NULL},
    {"GET", "/api/v1/delegations/{id}", h_delegations_get, 0, ANY, NULL, NULL},
    {"DELETE", "/api/v1/delegations/{id}", h_delegations_revoke, 0, ADMINS, NULL, NULL},
    {"GET", "/api/v1/filing-status", h_filing_status, 0, ANY, NULL, q_org},
    {"GET", "/api/v1/forms", h_forms_list, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/forms/{name}", h_forms_get, 0, ANY, NULL, NULL},
    /* Incident reports: who may file, read and acknowledge is decided by policy.h per report. */
    {"GET", "/api/v1/incidents", h_incidents_list, 0, ANY, NULL, q_incidents},
    {"POST", "/api/v1/incidents", h_incidents_create, ROUTE_BODY, WRITERS, NULL, NULL},
    {"GET", "/api/v1/incidents/{id}", h_incidents_get, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/incidents/{id}/reports", h_reports_list, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/incidents/{id}/reports", h_reports_create, ROUTE_BODY, WRITERS, NULL, NULL},
    {"GET", "/api/v1/incidents/{id}/reports/{number}", h_reports_get, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/incidents/{id}/reports/{number}/diff", h_reports_diff, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/incidents/{id}/reports/{number}/form", h_reports_form, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/incidents/{id}/reports/{number}/ack", h_reports_ack, 0, WRITERS, NULL, NULL},
    {"GET", "/api/v1/incidents/{id}/attachments", h_incident_attachments_list, 0, ANY, NULL, NULL},
    {"POST", "/api/v1/incidents/{id}/attachments", h_incident_attachments_upload, ROUTE_UPLOAD,
     WRITERS, NULL, q_upload},
    {"GET", "/api/v1/incidents/{id}/attachments/{attachment_id}", h_incident_attachments_get, 0,
     ANY, NULL, NULL},
    {"POST", "/api/v1/attachments", h_attachments_upload, ROUTE_UPLOAD, WRITERS, NULL, q_upload},
    /* Analysis products: the national centre's analysts write; policy.h decides every read. */
    {"GET", "/api/v1/products", h_products_list, 0, ANY, NULL, q_products},
    {"POST", "/api/v1/products", h_products_create, ROUTE_BODY, PRODUCT_AUTHORS, NULL, NULL},
    {"GET", "/api/v1/products/{id}", h_products_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/products/{id}", h_products_update, ROUTE_BODY, PRODUCT_AUTHORS, NULL, NULL},
    {"POST", "/api/v1/products/{id}/derive", h_products_derive, 0, PRODUCT_AUTHORS, NULL, q_derive},
    {"POST", "/api/v1/products/{id}/release", h_products_release, 0, PRODUCT_AUTHORS, NULL, NULL},
    /* Advisories: the centre writes and sends; recipients relay and acknowledge (policy.h). */
    {"GET", "/api/v1/advisories", h_advisories_list, 0, ANY, NULL, q_advisories},
    {"POST", "/api/v1/advisories", h_advisories_create, ROUTE_BODY, WRITERS, NULL, NULL},
    {"GET", "/api/v1/advisories/{id}", h_advisories_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/advisories/{id}", h_advisories_update, ROUTE_BODY, WRITERS, NULL, NULL},
    {"POST", "/api/v1/advisories/{id}/send", h_advisories_send, ROUTE_BODY, WRITERS,
     &api_advisory_send_schema, NULL},
    {"POST", "/api/v1/advisories/{id}/relay", h_advisories_relay, 0, WRITERS, NULL, NULL},
    {"POST", "/api/v1/advisories/{id}/ack", h_advisories_ack, ROUTE_BODY, ANY,
     &api_advisory_ack_schema, NULL},
    {"GET", "/api/v1/advisories/{id}/acks", h_advisories_acks, 0, ANY, NULL, q_acks},
    {"GET", "/api/v1/advisories/{id}/form", h_advisories_form, 0, ANY, NULL, NULL},
    {"GET", "/api/v1/advisories/{id}/attachments/{attachment_id}", h_advisories_attachment, 0, ANY,
     NULL, NULL},
    {"GET", "/api/v1/inbox", h_inbox_list, 0, ANY, NULL, q_inbox},
    /* Council channels (seed 000). */
    {"GET", "/api/v1/threads", h_threads_list, 0, ANY, NULL, q_list},
    {"POST", "/api/v1/threads", h_threads_create, ROUTE_BODY, WRITERS, &api_thread_schema, NULL},
    {"GET", "/api/v1/threads/{id}", h_threads_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/threads/{id}", h_threads_update, ROUTE_BODY, WRITERS, &api_thread_schema,
     NULL},
    {"GET", "/api/v1/threads/{id}/messages", h_messages_list, 0, ANY, NULL, q_list},
    {"POST", "/api/v1/threads/{id}/messages", h_messages_post, ROUTE_BODY, WRITERS,
     &api_message_schema, NULL},
    {"GET", "/api/v1/groups", h_threads_list, 0, ANY, NULL, q_list},
    {"POST", "/api/v1/groups", h_threads_create, ROUTE_BODY, WRITERS, &api_thread_schema, NULL},
    {"GET", "/api/v1/groups/{id}", h_threads_get, 0, ANY, NULL, NULL},
    {"PATCH", "/api/v1/groups/{id}", h_threads_update, ROUTE_BODY, WRITERS, &api_thread_schema,
     NULL},
    {"GET", "/api/v1/groups/{id}/messages", h_messages_list, 0, ANY, NULL, q_list},
    {"POST", "/api/v1/groups/{id}/messages", h_messages_post, ROUTE_BODY, WRITERS,
     &api_message_schema, NULL},
    /* Public alerts: no login; read as the anonymous principal whoever asks. */
    {"GET", "/feeds/public.json", h_feed_json, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/feeds/public.atom", h_feed_atom, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/feeds/advisories/{id}", h_feed_advisory_page, ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/feeds/advisories/{id}/attachments/{attachment_id}", h_feed_advisory_attachment,
     ROUTE_PUBLIC, ANY, NULL, NULL},
    {"GET", "/feeds/products/{id}", h_feed_product_page, ROUTE_PUBLIC, ANY, NULL, NULL},
};
const size_t http_nroutes = RK_ARRAY_LEN(http_routes);
