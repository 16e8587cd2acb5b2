/*
 * cli_assets.c — `renkei assets import FILE [--dry-run] --user NAME [--org ID]` and
 * `renkei assets status [--org ID] [--user NAME]`: the registry's inventory import and filing
 * status from the command line, through the same rules and policy as the API.
 */
#include "cli/cli_assets.h"
#include "cli/cli_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/registry.h"

static int read_all(const char *path, char **out, size_t *len, size_t max)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return RK_EIO;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    int rc = RK_OK;
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = cap * 2 > max + 2 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                rc = cap * 2 > max + 2 ? RK_ELIMIT : RK_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (!buf) rc = RK_ENOMEM;
    if (rc == RK_OK && ferror(f)) rc = RK_EIO;
    if (f != stdin) fclose(f);
    if (rc != RK_OK) {
        free(buf);
        return rc;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return RK_OK;
}

static int cmd_import(struct app *app, int argc, char **argv)
{
    const char *file = NULL, *user = NULL;
    long long org = 0;
    bool dry = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0)
            dry = true;
        else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
            org = strtoll(argv[++i], NULL, 10);
        else if (!file && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            file = argv[i]; /* "-": standard input */
        else
            return EXIT_USAGE;
    }
    if (!file || !user) return EXIT_USAGE;
    struct pol_principal p;
    if (cli_principal_of(app, user, &p) != RK_OK) return EXIT_INVALID;
    if (!org) org = p.org_id;
    size_t n = strlen(file);
    bool csv = n > 4 && strcmp(file + n - 4, ".csv") == 0;
    char *body = NULL;
    size_t len = 0;
    int rc = read_all(file, &body, &len, app->cfg.max_upload);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: %s: %s\n", file, rk_strerror(rc));
        return rc == RK_ELIMIT ? EXIT_INVALID : EXIT_FAILURE_;
    }
    struct reg_owner owner;
    struct reg_plan plan;
    struct jv_errors errs = {0};
    memset(&plan, 0, sizeof plan);
    if ((rc = reg_authorize_filing(app, &p, org, &owner)) != RK_OK) {
        fprintf(stderr, "renkei: %s may not file for organisation %lld (%s)\n", user, org,
                rk_strerror(rc));
        goto out;
    }
    rc = reg_plan_inventory(app, &owner, body, len, csv, &plan, &errs);
    if (rc == RK_EINVAL || rc == RK_ELIMIT) {
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "renkei: %s: %s: %s (%s)\n", file, errs.e[i].pointer, errs.e[i].message,
                    errs.e[i].rule);
        if (errs.dropped) fprintf(stderr, "renkei: … and %zu more errors\n", errs.dropped);
        fprintf(stderr, "renkei: nothing was filed\n");
        goto out;
    }
    if (rc != RK_OK) goto out;
    int64_t sub = 0;
    if (!dry && plan.nops) {
        plan.filing.filed_by_user = p.user_id;
        plan.filing.filed_by_org = p.org_id;
        struct store_write w = {.op = STORE_W_ASSET_FILE, .filing = &plan.filing};
        store_audit_set(&w.audit, p.user_id, p.org_id, "asset.inventory", "submission", 0, "cli");
        snprintf(w.audit.detail, sizeof w.audit.detail, "{\"via\":\"cli\",\"org_id\":%lld}", org);
        if ((rc = store_write_sync(app->store, &w)) != RK_OK) {
            fprintf(stderr, "renkei: filing failed: %s %s\n", rk_strerror(rc), w.conflict_field);
            goto out;
        }
        sub = plan.filing.submission_id;
    }
    json_t *out =
        json_pack("{s:I, s:b, s:b, s:o}", "org_id", (json_int_t)org, "dry_run", dry, "filed",
                  sub != 0, "submission_id", sub ? json_integer(sub) : json_null());
    json_object_update(out, plan.report);
    cli_print_json(out);
    json_decref(out);
out:
    reg_plan_free(&plan);
    free(body);
    return cli_exit_for(rc);
}

static int cmd_status(struct app *app, int argc, char **argv)
{
    long long org = 0;
    const char *user = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
            org = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else
            return EXIT_USAGE;
    }
    /* Without --user the platform operator at the console sees what the national centre
     * sees (it holds the database anyway). */
    struct pol_principal p = {.user_id = -1,
                              .org_id = -1,
                              .org_type = POL_ORG_NATIONAL_CENTRE,
                              .roles = POL_ROLE_ANALYST};
    if (user && cli_principal_of(app, user, &p) != RK_OK) return EXIT_INVALID;
    json_t *out = NULL;
    int rc = org ? reg_status_org(app, &p, org, &out) : reg_status_summary(app, &p, &out);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: filing status: %s\n", rk_strerror(rc));
        return cli_exit_for(rc);
    }
    cli_print_json(out);
    json_decref(out);
    return EXIT_OK;
}

int cli_assets_main(struct app *app, int argc, char **argv)
{
    if (argc < 1) return EXIT_USAGE;
    if (strcmp(argv[0], "import") == 0) return cmd_import(app, argc - 1, argv + 1);
    if (strcmp(argv[0], "status") == 0) return cmd_status(app, argc - 1, argv + 1);
    return EXIT_USAGE;
}
