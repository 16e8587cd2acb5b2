/*
 * registry.h — the asset registry's logic shared by the API handlers (h_assets.c,
 * h_registry.c) and the CLI (renkei assets import/status): who may file for whom, deadlines,
 * views, and the inventory plan (parse → canonical → diff against the filed state → ops).
 */
#ifndef API_REGISTRY_H
#define API_REGISTRY_H

#include "api/api.h"
#include "domain/asset.h"

/* The owner facts the policy needs about one asset, resolved for principal p. */
struct reg_owner {
    struct org_rec org;
    struct pol_asset pa;   /* delegated filled; filed_by_p_org left false */
    int64_t delegation_id; /* p's organisation's active delegation from the owner, or 0 */
};

/* Loads the owner organisation and p's delegation from it. RK_OK, RK_ENOTFOUND, RK_EIO. */
int reg_owner_load(struct app *app, const struct pol_principal *p, int64_t org_id,
                   struct reg_owner *out);

/* May p file for org_id? RK_OK with *owner (delegation_id set when p files as a vendor);
 * RK_ENOTFOUND when the organisation does not exist or is not an operator; RK_EDENIED. */
int reg_authorize_filing(struct app *app, const struct pol_principal *p, int64_t org_id,
                         struct reg_owner *owner);

/* Unix ms of an RFC 3339 date-time (already format-checked: jv JV_FMT_DATETIME), or -1. */
int64_t reg_parse_time(const char *s);

/* Rules that need the settings or today's date (asset.h has the rest): an entry marked in place
 * at enforcement cannot be introduced after it (rule "in_place"); a retirement cannot be dated
 * in the future (rule "future"). Errors go under prefix; RK_OK or RK_EINVAL. */
int reg_check_entry(const struct app *app, const json_t *canon, const char *prefix,
                    struct jv_errors *errs);

/* The dl_holiday_fn of the deadline calculators: ctx is the struct refdata. */
bool reg_holiday(void *ctx, int y, int m, int d);

/* Today in Japan, "YYYY-MM-DD". */
void reg_today(char out[11]);

/* The deadline of a filing of `kind` for canon as "YYYY-MM-DD", or "" when it cannot be
 * computed (no date to run from, enforcement date not set). */
void reg_deadline(const struct app *app, enum asset_filing_kind kind, const json_t *canon,
                  char out[11]);

/* Status of a pending item with this deadline ("" = unknown) on today: "due", "overdue",
 * "not_due" or "unknown". */
const char *reg_pending_status(const struct app *app, const char *deadline, const char *today);

/* The JSON view of an asset for p (NULL when p may not see it at all; the caller answers
 * 404). Handles drafts, and vendors whose delegation has ended (they see their own newest
 * version). `owner` must be the asset's owner as loaded for p. */
json_t *reg_view_asset(struct app *app, const struct pol_principal *p,
                       const struct reg_owner *owner, const struct asset_rec *a);

/* Submission and delegation views. */
json_t *reg_view_submission(const struct submission_rec *s);
json_t *reg_view_delegation(const struct delegation_rec *d);

/* A small per-request cache of owner lookups for lists (organisations repeat row after row). */
struct reg_owner_cache {
    struct reg_owner slot[16];
    bool used[16];
};
/* Borrowed pointer into the cache, or NULL (store error / no such organisation). */
const struct reg_owner *reg_owner_cached(struct app *app, const struct pol_principal *p,
                                         struct reg_owner_cache *c, int64_t org_id);

/* Filing status (GET /api/v1/filing-status, renkei assets status). For one operator: counts,
 * the items pending (drafts: only for those who may see them) or filed late, each with its
 * deadline — RK_ENOTFOUND when p may not see that operator's registry. Summary: one row of
 * counts per operator p may see. *out is new (caller owns). */
int reg_status_org(struct app *app, const struct pol_principal *p, int64_t org_id, json_t **out);
int reg_status_summary(struct app *app, const struct pol_principal *p, json_t **out);

/*
 * Files (or records as a draft) one entry synchronously, as p, for org_id: the demo loader's
 * path through the same rules as the API. asset_id 0: a new entry; else the entry's new state
 * (a change, or a retirement when retired_on is set). RK_OK with *out_id; RK_EINVAL with errs;
 * RK_EDENIED; RK_ENOTFOUND; RK_ECONFLICT; RK_EIO.
 */
int reg_file_entry_sync(struct app *app, const struct pol_principal *p, int64_t org_id,
                        int64_t asset_id, const json_t *entry, bool draft, const char *request_id,
                        int64_t *out_id, struct jv_errors *errs);

/*
 * An inventory upload turned into the operations that file its difference from the filed
 * state. Everything it points to is owned by the plan (reg_plan_free).
 */
struct reg_plan {
    json_t *entries; /* canonical uploaded entries */
    json_t *linemap; /* CSV: the rows of each entry; NULL for JSON */
    json_t *olds;    /* canonical filed entries referenced by ops (keeps them alive) */
    char **texts;    /* strings the ops point to */
    size_t ntexts, captexts;
    struct asset_op *ops;
    size_t nops;
    size_t unchanged;
    json_t *report; /* {"summary", "added", "changed", "retired"} */
    struct asset_filing filing;
    atomic_long *slot; /* reg_plan_destroy subtracts slot_bytes from it; may be NULL */
    long slot_bytes;
};

/*
 * Parses body (CSV when csv, else JSON {"entries": [...]}) for organisation owner, validates
 * every entry, and diffs against the organisation's filed entries. RK_OK with *plan filled;
 * RK_EINVAL with errs (CSV errors point at /rows/<line>/<column>); RK_ELIMIT; RK_EIO;
 * RK_ENOMEM. The plan's filing is ready to submit (ops may be empty: nothing to file).
 */
int reg_plan_inventory(struct app *app, const struct reg_owner *owner, const char *body, size_t len,
                       bool csv, struct reg_plan *plan, struct jv_errors *errs);
void reg_plan_free(struct reg_plan *plan);
/* hstate_free-compatible: frees a heap-allocated plan, releases its import slot and gives the
 * memory of a large plan back to the system. */
void reg_plan_destroy(void *plan);

#endif
