/*
 * renkei — the command-line tool: initialise the store, manage organisations, users and
 * tokens, verify the audit chain, and start the server. Inputs are validated with the same
 * schemas and rules as the API, and every change is audited like an API change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/auth.h"
#include "cli/app.h"
#include "cli/cli_assets.h"
#include "cli/cli_advisory.h"
#include "cli/cli_report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: renkei [--db PATH] [--data DIR] [--migrations DIR] COMMAND [ARGS]\n\n"
               "Commands:\n"
               "  init [--demo]                      create/migrate the store; --demo loads\n"
               "                                     data/demo.json into an empty store\n"
               "  serve [server options]             run the server (see renkeid --help)\n"
               "  org add TYPE NAME_JA [--name-en N] [--sectors a,b] [--ministry CODE]\n"
               "          [--corporate-number N] [--council none|friend|member]\n"
               "          [--consent-date YYYY-MM-DD] [--agreement TEXT] [--designated]\n"
               "  org list\n"
               "  user add ORG_ID USERNAME DISPLAY_NAME --roles a,b [--contractor]\n"
               "                                     (password read from standard input)\n"
               "  user passwd USERNAME               (new password read from standard input)\n"
               "  user list [ORG_ID]\n"
               "  token create USERNAME NAME --roles a,b [--days N]   (prints the token once)\n"
               "  token revoke TOKEN_ID\n"
               "  audit verify                       check the audit hash chain\n"
               "  assets import FILE --user NAME [--org ID] [--dry-run]\n"
               "                                     file a quarterly inventory (.csv or .json;\n"
               "                                     docs/inventory-format.md) as NAME\n"
               "  assets status [--org ID] [--user NAME]\n"
               "                                     filing status (JSON), as NAME or as the\n"
               "                                     national centre\n"
               "  report validate FILE.json          check an incident report offline with the\n"
               "                                     API's forms and rules ('-' = stdin); prints\n"
               "                                     the normalised report, errors to stderr\n"
               "  report submit FILE.json --user NAME [--incident ID]\n"
               "                                     file an incident report as NAME: a new\n"
               "                                     incident's first report, or with --incident\n"
               "                                     (id or NC-YYYY-NNNNNN) its next one; prints\n"
               "                                     the incident (JSON) with report_number\n"
               "  report status ID --user NAME       the incident (id or identification number)\n"
               "                                     as NAME sees it (JSON)\n"
               "  advisory send FILE.json --user NAME [--direct]\n"
               "                                     create an advisory (情報提供) and send it\n"
               "                                     as NAME: to the addressed ministries, or\n"
               "                                     with --direct to its whole audience;\n"
               "                                     prints the advisory (JSON)\n"
               "  inbox --user NAME [--unacknowledged] [--limit N]\n"
               "                                     what reached NAME's organisation (JSON)\n\n"
               "Global options also: --enforcement-date YYYY-MM-DD.\n"
               "Environment: RENKEI_DB, RENKEI_DATA, RENKEI_MIGRATIONS,\n"
               "RENKEI_ENFORCEMENT_DATE (as the options).\n"
               "Exit codes: 0 ok, 1 runtime failure, 2 bad usage, 3 input rejected,\n"
               "            4 audit chain broken.\n");
}

static void print_errors(const struct jv_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "renkei: %s: %s (%s)\n", e->e[i].pointer[0] ? e->e[i].pointer : "/",
                e->e[i].message, e->e[i].rule);
}

/* "a,b,c" → JSON array of strings. */
static json_t *csv_array(const char *s)
{
    json_t *a = json_array();
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(a, json_string(t));
    return a;
}

static int read_password(char *buf, size_t cap)
{
    if (isatty(STDIN_FILENO)) fprintf(stderr, "password: ");
    if (!fgets(buf, (int)cap, stdin)) return RK_EINVAL;
    buf[strcspn(buf, "\r\n")] = 0;
    return RK_OK;
}

static void cli_audit(struct store_write *w, const char *action, const char *kind, int64_t id)
{
    store_audit_set(&w->audit, 0, 0, action, kind, id, "cli");
    snprintf(w->audit.detail, sizeof w->audit.detail, "{\"via\":\"cli\"}");
}

static int write_or_report(struct app *app, struct store_write *w)
{
    int rc = store_write_sync(app->store, w);
    if (rc == RK_ECONFLICT)
        fprintf(stderr, "renkei: %s: already taken\n",
                w->conflict_field[0] ? w->conflict_field : "record");
    else if (rc != RK_OK)
        fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
    return rc == RK_OK ? EXIT_OK : rc == RK_EIO ? EXIT_FAILURE_ : EXIT_INVALID;
}

static int validate(const json_t *j, const struct jv_field *schema)
{
    struct jv_errors errs;
    if (jv_validate(j, schema, &errs) == RK_OK) return RK_OK;
    print_errors(&errs);
    return RK_EINVAL;
}

static int cmd_org_add(struct app *app, int argc, char **argv)
{
    if (argc < 2) return EXIT_USAGE;
    json_t *j = json_pack("{s:s, s:s}", "type", argv[0], "name_ja", argv[1]);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--designated") == 0) {
            json_object_set_new(j, "designated", json_true());
            continue;
        }
        if (!v) {
            json_decref(j);
            return EXIT_USAGE;
        }
        i++;
        if (strcmp(a, "--name-en") == 0)
            json_object_set_new(j, "name_en", json_string(v));
        else if (strcmp(a, "--sectors") == 0)
            json_object_set_new(j, "sectors", csv_array(v));
        else if (strcmp(a, "--ministry") == 0)
            json_object_set_new(j, "ministry", json_string(v));
        else if (strcmp(a, "--corporate-number") == 0)
            json_object_set_new(j, "corporate_number", json_string(v));
        else if (strcmp(a, "--council") == 0)
            json_object_set_new(j, "council", json_string(v));
        else if (strcmp(a, "--consent-date") == 0)
            json_object_set_new(j, "council_consent_date", json_string(v));
        else if (strcmp(a, "--agreement") == 0)
            json_object_set_new(j, "confidentiality_agreement", json_string(v));
        else {
            json_decref(j);
            return EXIT_USAGE;
        }
    }
    struct store_write w = {.op = STORE_W_ORG_CREATE};
    struct jv_errors errs;
    int rc = EXIT_INVALID;
    if (!j || validate(j, &api_org_create_schema) != RK_OK) goto out;
    if (api_org_apply(app, j, &w.org, true, &errs) != RK_OK) {
        print_errors(&errs);
        goto out;
    }
    cli_audit(&w, "org.create", "org", 0);
    if ((rc = write_or_report(app, &w)) == EXIT_OK) printf("%lld\n", (long long)w.out_id);
out:
    json_decref(j);
    return rc;
}

static bool print_org(const struct org_rec *o, void *ctx)
{
    printf("%lld\t%s\t%s\t%s\n", (long long)o->id, policy_org_type_name(o->type), o->name_ja,
           policy_council_name(o->council));
    return true;
}

static bool print_user(const struct user_rec *u, void *ctx)
{
    json_t *roles = view_roles(u->roles);
    char *rs = json_dumps(roles, JSON_COMPACT);
    printf("%lld\t%lld\t%s\t%s\t%s%s\n", (long long)u->id, (long long)u->org_id, u->username,
           rs ? rs : "", u->display_name, u->disabled ? "\t(disabled)" : "");
    free(rs);
    json_decref(roles);
    return true;
}

static int cmd_user_add(struct app *app, int argc, char **argv)
{
    if (argc < 3) return EXIT_USAGE;
    char *end;
    long long org_id = strtoll(argv[0], &end, 10);
    if (*end) return EXIT_USAGE;
    const char *roles = NULL;
    bool contractor = false;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--roles") == 0 && i + 1 < argc)
            roles = argv[++i];
        else if (strcmp(argv[i], "--contractor") == 0)
            contractor = true;
        else
            return EXIT_USAGE;
    }
    if (!roles) return EXIT_USAGE;
    char pw[AUTH_PASSWORD_MAX + 2];
    if (read_password(pw, sizeof pw) != RK_OK) {
        fprintf(stderr, "renkei: no password on standard input\n");
        return EXIT_INVALID;
    }
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b}", "org_id", (json_int_t)org_id,
                          "username", argv[1], "display_name", argv[2], "password", pw, "roles",
                          csv_array(roles), "contractor", contractor);
    sodium_memzero(pw, sizeof pw);
    int rc = EXIT_INVALID;
    struct store_write w = {.op = STORE_W_USER_CREATE};
    struct org_rec org;
    if (!j || validate(j, &api_user_create_schema) != RK_OK) goto out;
    if (app->store->ops->org_get(app->store, org_id, &org) != RK_OK) {
        fprintf(stderr, "renkei: /org_id: no such organisation\n");
        goto out;
    }
    w.user.org_id = org_id;
    w.user.roles = roles_from_json(json_object_get(j, "roles"));
    if ((w.user.roles & POL_ROLE_ADMIN) && org.type != POL_ORG_NATIONAL_CENTRE) {
        fprintf(stderr, "renkei: /roles: admin is only for national-centre staff\n");
        goto out;
    }
    json_copy_str(j, "username", w.user.username, sizeof w.user.username);
    json_copy_str(j, "display_name", w.user.display_name, sizeof w.user.display_name);
    w.user.contractor = contractor;
    if (auth_password_hash(json_string_value(json_object_get(j, "password")), w.user.pw_hash,
                           sizeof w.user.pw_hash) != RK_OK)
        goto out;
    cli_audit(&w, "user.create", "user", 0);
    if ((rc = write_or_report(app, &w)) == EXIT_OK) printf("%lld\n", (long long)w.out_id);
out:
    json_decref(j);
    return rc;
}

/* The API's bound: 12 to 256 code points. */
static bool password_ok(const char *pw)
{
    size_t cps = 0;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
        cps += (*p & 0xC0) != 0x80;
    return cps >= 12 && cps <= 256;
}

static int cmd_user_passwd(struct app *app, const char *username)
{
    struct user_rec u;
    if (app->store->ops->user_by_name(app->store, username, &u) != RK_OK) {
        fprintf(stderr, "renkei: no such user: %s\n", username);
        return EXIT_INVALID;
    }
    char pw[AUTH_PASSWORD_MAX + 2];
    if (read_password(pw, sizeof pw) != RK_OK || !password_ok(pw)) {
        sodium_memzero(pw, sizeof pw);
        fprintf(stderr, "renkei: /new_password: must be 12 to 256 characters (one line on "
                        "standard input)\n");
        return EXIT_INVALID;
    }
    struct store_write w = {.op = STORE_W_USER_PASSWORD, .target_id = u.id};
    int rc = auth_password_hash(pw, w.user.pw_hash, sizeof w.user.pw_hash);
    sodium_memzero(pw, sizeof pw);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: cannot hash the password: %s\n", rk_strerror(rc));
        return EXIT_FAILURE_;
    }
    cli_audit(&w, "user.password", "user", u.id);
    return write_or_report(app, &w);
}

static int cmd_token_create(struct app *app, int argc, char **argv)
{
    if (argc < 2) return EXIT_USAGE;
    const char *roles = NULL;
    long long days = 90;
    for (int i = 2; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--roles") == 0 && i + 1 < argc)
            roles = argv[++i];
        else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc &&
                 (days = strtoll(argv[++i], &end, 10), !*end))
            ;
        else
            return EXIT_USAGE;
    }
    if (!roles) return EXIT_USAGE;
    struct user_rec u;
    if (app->store->ops->user_by_name(app->store, argv[0], &u) != RK_OK) {
        fprintf(stderr, "renkei: no such user: %s\n", argv[0]);
        return EXIT_INVALID;
    }
    json_t *j = json_pack("{s:s, s:o, s:I}", "name", argv[1], "roles", csv_array(roles),
                          "expires_in_days", (json_int_t)days);
    int rc = EXIT_INVALID;
    if (!j || validate(j, &api_token_schema) != RK_OK) goto out;
    struct store_write w = {.op = STORE_W_TOKEN_CREATE};
    w.token.user_id = u.id;
    w.token.roles = roles_from_json(json_object_get(j, "roles"));
    if (w.token.roles & ~u.roles) {
        fprintf(stderr, "renkei: /roles: a token can only carry roles its user holds\n");
        goto out;
    }
    w.token.created_ms = store_now_ms();
    w.token.expires_ms = w.token.created_ms + days * 24 * 3600 * 1000;
    snprintf(w.token.name, sizeof w.token.name, "%s", argv[1]);
    char secret[AUTH_SECRET_MAX];
    auth_secret_new("rk_", secret, sizeof secret, w.secret_hash);
    cli_audit(&w, "token.create", "token", 0);
    if ((rc = write_or_report(app, &w)) == EXIT_OK)
        printf("%lld\t%s\n", (long long)w.out_id, secret);
    sodium_memzero(secret, sizeof secret);
out:
    json_decref(j);
    return rc;
}

/* The demo logins, so `make run` can show a newcomer how to get in. */
static void print_demo_logins(const struct app_paths *paths)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo.json", paths->data_dir);
    json_t *demo = json_load_file(path, 0, NULL);
    if (!demo) return;
    printf("\ndemo logins (local demos only):\n");
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(demo, "users"), i, u)
    {
        json_t *roles = json_object_get(u, "roles");
        char *rs = json_dumps(roles, JSON_COMPACT);
        printf("  %-20s %-28s %s\n", json_string_value(json_object_get(u, "username")),
               json_string_value(json_object_get(u, "password")), rs ? rs : "");
        free(rs);
    }
    json_decref(demo);
}

static int cmd_audit_verify(struct app *app)
{
    int64_t checked = 0, bad = 0;
    const char *why = NULL;
    int rc = app->store->ops->audit_verify(app->store, &checked, &bad, &why);
    if (rc == RK_OK) {
        printf("audit chain intact: %lld records verified\n", (long long)checked);
        return EXIT_OK;
    }
    if (rc == RK_ECORRUPT) {
        printf("audit chain BROKEN at record %lld: %s (%lld records verified before it)\n",
               (long long)bad, why ? why : "?", (long long)checked);
        return EXIT_CORRUPT;
    }
    fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
    return EXIT_FAILURE_;
}

int main(int argc, char **argv)
{
    struct app_paths paths;
    app_paths_defaults(&paths);
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            paths.db = argv[i + 1];
        else if (strcmp(argv[i], "--data") == 0)
            paths.data_dir = argv[i + 1];
        else if (strcmp(argv[i], "--migrations") == 0)
            paths.migrations = argv[i + 1];
        else if (strcmp(argv[i], "--enforcement-date") == 0)
            paths.enforcement_date = argv[i + 1];
        else
            break;
    }
    if (i >= argc || strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
        strcmp(argv[i], "help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : EXIT_OK;
    }
    const char *cmd = argv[i];
    const char *sub = i + 1 < argc ? argv[i + 1] : "";
    if (strcmp(cmd, "serve") == 0) {
        /* Hand the remaining flags to the server, with the store paths as its environment. */
        setenv("RENKEI_DB", paths.db, 1);
        setenv("RENKEI_DATA", paths.data_dir, 1);
        setenv("RENKEI_MIGRATIONS", paths.migrations, 1);
        if (paths.enforcement_date) setenv("RENKEI_ENFORCEMENT_DATE", paths.enforcement_date, 1);
        return app_serve_main(argc - i, argv + i);
    }
    struct app app = {0};
    if (app_open(&app, &paths) != RK_OK) return EXIT_FAILURE_;
    int rc = EXIT_USAGE;
    int rest = argc - i - 2;
    char **rv = argv + i + 2;
    if (strcmp(cmd, "init") == 0) {
        bool demo = i + 1 < argc && strcmp(argv[i + 1], "--demo") == 0, loaded = false;
        rc = EXIT_OK;
        if (demo && app_load_demo(&app, &paths, &loaded) != RK_OK)
            rc = EXIT_FAILURE_;
        else
            printf("store ready: %s%s\n", paths.db,
                   loaded ? " (demo data loaded)"
                   : demo ? " (already has data: demo skipped)"
                          : "");
        if (demo && rc == EXIT_OK) print_demo_logins(&paths);
    } else if (strcmp(cmd, "org") == 0 && strcmp(sub, "add") == 0) {
        rc = cmd_org_add(&app, rest, rv);
    } else if (strcmp(cmd, "org") == 0 && strcmp(sub, "list") == 0 && rest == 0) {
        rc = app.store->ops->org_list(app.store, 0, print_org, NULL) == RK_OK ? EXIT_OK
                                                                              : EXIT_FAILURE_;
    } else if (strcmp(cmd, "user") == 0 && strcmp(sub, "add") == 0) {
        rc = cmd_user_add(&app, rest, rv);
    } else if (strcmp(cmd, "user") == 0 && strcmp(sub, "passwd") == 0 && rest == 1) {
        rc = cmd_user_passwd(&app, rv[0]);
    } else if (strcmp(cmd, "user") == 0 && strcmp(sub, "list") == 0 && rest <= 1) {
        char *end = NULL;
        long long org = rest ? strtoll(rv[0], &end, 10) : 0;
        if (rest && (*end || org <= 0))
            rc = EXIT_USAGE;
        else
            rc = app.store->ops->user_list(app.store, org, 0, print_user, NULL) == RK_OK
                     ? EXIT_OK
                     : EXIT_FAILURE_;
    } else if (strcmp(cmd, "token") == 0 && strcmp(sub, "create") == 0) {
        rc = cmd_token_create(&app, rest, rv);
    } else if (strcmp(cmd, "token") == 0 && strcmp(sub, "revoke") == 0 && rest == 1) {
        struct store_write w = {.op = STORE_W_TOKEN_REVOKE, .target_id = strtoll(rv[0], NULL, 10)};
        struct token_rec t;
        if (w.target_id <= 0 || app.store->ops->token_get(app.store, w.target_id, &t) != RK_OK) {
            fprintf(stderr, "renkei: no such token: %s\n", rv[0]);
            rc = EXIT_INVALID;
        } else {
            cli_audit(&w, "token.revoke", "token", w.target_id);
            rc = write_or_report(&app, &w);
        }
    } else if (strcmp(cmd, "audit") == 0 && strcmp(sub, "verify") == 0 && rest == 0) {
        rc = cmd_audit_verify(&app);
    } else if (strcmp(cmd, "assets") == 0) {
        http_config_defaults(&app.cfg);
        rc = cli_assets_main(&app, argc - i - 1, argv + i + 1);
    } else if (strcmp(cmd, "report") == 0) {
        rc = cli_report_main(&app, argc - i - 1, argv + i + 1);
    } else if (strcmp(cmd, "advisory") == 0) {
        rc = cli_advisory_main(&app, argc - i - 1, argv + i + 1);
    } else if (strcmp(cmd, "inbox") == 0) {
        rc = cli_inbox_main(&app, argc - i - 1, argv + i + 1);
    }
    if (rc == EXIT_USAGE) usage(stderr);
    app_close(&app);
    return rc;
}
