/*
 * cli_report.c — `renkei report …`: incident reports from the command line.
 *   validate FILE.json                              offline check (src/api/report_input.c)
 *   submit FILE.json --user NAME [--incident ID]    file a first report or the next one
 *   status ID-OR-IDENT --user NAME                  the incident as NAME sees it
 * submit and status go through the API's own preparation, policy and views (src/api/incidents.h),
 * so they give the same answers and messages as POST /api/v1/incidents, POST
 * /api/v1/incidents/{id}/reports and GET /api/v1/incidents/{id}.
 */
#include "cli/cli_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/incidents.h"
#include "api/report_input.h"
#include "core/rk.h"

/* Writes s with control characters as \uXXXX: pointers name the file's own keys, and a key
 * must not be able to send escape sequences to the terminal. */
static void put_safe(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
}

json_t *cli_load_doc(const char *path)
{
    json_error_t je;
    json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
                                         : json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        fputs("renkei: ", stderr);
        put_safe(stderr, path);
        fprintf(stderr, ": line %d, column %d: ", je.line, je.column);
        put_safe(stderr, je.text);
        fputs(" (json_syntax)\n", stderr);
    }
    return doc;
}

/* One line per error: `renkei: FILE: pointer: message (rule)`. */
static void print_errors(const char *path, const struct jv_errors *errs)
{
    for (size_t i = 0; i < errs->n; i++) {
        fputs("renkei: ", stderr);
        put_safe(stderr, path);
        fputs(": ", stderr);
        put_safe(stderr, errs->e[i].pointer[0] ? errs->e[i].pointer : "/");
        fputs(": ", stderr);
        put_safe(stderr, errs->e[i].message);
        fputs(" (", stderr);
        put_safe(stderr, errs->e[i].rule);
        fputs(")\n", stderr);
    }
    if (errs->dropped) fprintf(stderr, "renkei: … and %zu more errors\n", errs->dropped);
}

void cli_print_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    if (s) printf("%s\n", s);
    free(s);
}

int cli_exit_for(int rc)
{
    return rc == RK_OK ? EXIT_OK : rc == RK_EIO || rc == RK_ENOMEM ? EXIT_FAILURE_ : EXIT_INVALID;
}

static int cmd_validate(struct app *app, const char *path)
{
    json_t *doc = cli_load_doc(path);
    if (!doc) return EXIT_INVALID;
    struct jv_errors errs;
    json_t *out = NULL;
    int rc = report_input_check(app->forms, doc, &out, &errs);
    json_decref(doc);
    if (rc == RK_EINVAL) {
        print_errors(path, &errs);
        return EXIT_INVALID;
    }
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
        return EXIT_FAILURE_;
    }
    /* The report as the platform would store it (normalised). */
    cli_print_json(out);
    json_decref(out);
    return EXIT_OK;
}

/* The principal of a user of the store (as cli_assets.c does). The CLI holds the database, so
 * "who files" is a statement the platform operator makes with --user; the filing and its audit
 * record name that user. A disabled account cannot log in, so it cannot act here either. */
int cli_principal_of(struct app *app, const char *username, struct pol_principal *p)
{
    struct auth_ctx a = {0};
    int rc = app->store->ops->user_by_name(app->store, username, &a.user);
    if (rc == RK_OK) rc = app->store->ops->org_get(app->store, a.user.org_id, &a.org);
    if (rc != RK_OK) {
        fputs("renkei: no such user: ", stderr);
        put_safe(stderr, username);
        fputc('\n', stderr);
        return rc;
    }
    if (a.user.disabled) {
        fputs("renkei: user is disabled: ", stderr);
        put_safe(stderr, username);
        fputc('\n', stderr);
        return RK_EDENIED;
    }
    a.roles = a.user.roles;
    http_principal_from_auth(&a, p);
    return RK_OK;
}

struct ident_ctx {
    const char *ident;
    int64_t id;
};

static bool ident_cb(const struct incident_rec *inc, void *ctx)
{
    struct ident_ctx *c = ctx;
    if (strcmp(inc->ident, c->ident) != 0) return true;
    c->id = inc->id;
    return false;
}

/*
 * An incident p may read, named by its id ("12") or its identification number
 * ("NC-2026-000001"). RK_ENOTFOUND also when p may not see it (callers print the same message).
 * The identification number is looked up with the list's ident filter (a unique column).
 */
static int find_incident(struct app *app, const struct pol_principal *p, const char *ref,
                         struct incident_rec *out)
{
    size_t n = strlen(ref);
    bool digits = n > 0 && n <= 18 && ref[0] != '0';
    for (size_t i = 0; digits && i < n; i++)
        digits = ref[i] >= '0' && ref[i] <= '9';
    int64_t id = 0;
    if (digits) {
        id = strtoll(ref, NULL, 10);
    } else {
        if (n == 0 || n >= STORE_IDENT_MAX) return RK_ENOTFOUND;
        struct ident_ctx c = {ref, 0};
        struct incident_filter f = {.ident = ref};
        int rc = app->store->ops->incident_list(app->store, &f, 0, ident_cb, &c);
        if (rc != RK_OK) return rc;
        if (!c.id) return RK_ENOTFOUND;
        id = c.id;
    }
    return inc_get(app, p, id, out);
}

static int incident_missing(int rc)
{
    if (rc == RK_ENOTFOUND)
        fprintf(stderr, "renkei: no such incident\n");
    else
        fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
    return cli_exit_for(rc);
}

/* The refusal of a report, as the API answers it (inc_err_answer). */
int cli_refused(const char *path, const struct inc_err *err)
{
    if (err->status == 422) {
        print_errors(path, &err->errs);
        return EXIT_INVALID;
    }
    if (err->status != 0) {
        fprintf(stderr, "renkei: %s\n", err->detail ? err->detail : "refused");
        return EXIT_INVALID;
    }
    fprintf(stderr, "renkei: %s\n", rk_strerror(err->rc));
    return cli_exit_for(err->rc);
}

/* Prints incident id as p now sees it, with the number of the report just filed. */
static int print_filed(struct app *app, const struct pol_principal *p, int64_t id, int64_t number)
{
    struct incident_rec inc;
    int rc = app->store->ops->incident_get(app->store, id, &inc);
    json_t *v = rc == RK_OK ? inc_view(app, p, &inc, true) : NULL;
    if (!v) {
        fprintf(stderr, "renkei: filed, but cannot show it: %s\n",
                rk_strerror(rc == RK_OK ? RK_ENOMEM : rc));
        return EXIT_FAILURE_;
    }
    json_object_set_new(v, "report_number", json_integer(number));
    cli_print_json(v);
    json_decref(v);
    return EXIT_OK;
}

static int cmd_submit(struct app *app, int argc, char **argv)
{
    const char *file = NULL, *user = NULL, *incident = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else if (strcmp(argv[i], "--incident") == 0 && i + 1 < argc)
            incident = argv[++i];
        else if (!file && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            file = argv[i]; /* "-": standard input */
        else
            return EXIT_USAGE;
    }
    if (!file || !user) return EXIT_USAGE;
    struct pol_principal p;
    if (cli_principal_of(app, user, &p) != RK_OK) return EXIT_INVALID;
    /* The route's role check (POST /api/v1/incidents needs a writer role), before anything
     * else, as the server does it. */
    if (!(p.roles & POL_ROLE__WRITERS)) {
        fprintf(stderr, "renkei: Your role does not allow this action.\n");
        return EXIT_INVALID;
    }
    struct incident_rec inc = {0};
    if (incident) {
        int rc = find_incident(app, &p, incident, &inc);
        if (rc != RK_OK) return incident_missing(rc);
    }
    json_t *doc = cli_load_doc(file);
    if (!doc) return EXIT_INVALID;
    /* The same preparation, policy checks and job as POST /api/v1/incidents(/{id}/reports). */
    struct inc_err *err = calloc(1, sizeof *err);
    int64_t id = 0, number = 0;
    int code, rc = err ? inc_file_sync(app, &p, doc, inc.id, "cli", &id, &number, err) : RK_ENOMEM;
    if (rc == RK_OK)
        code = print_filed(app, &p, id, number);
    else if (err)
        code = cli_refused(file, err);
    else {
        fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
        code = EXIT_FAILURE_;
    }
    free(err);
    json_decref(doc);
    return code;
}

static int cmd_status(struct app *app, int argc, char **argv)
{
    const char *ref = NULL, *user = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else if (!ref && argv[i][0] != '-')
            ref = argv[i];
        else
            return EXIT_USAGE;
    }
    if (!ref || !user) return EXIT_USAGE;
    struct pol_principal p;
    if (cli_principal_of(app, user, &p) != RK_OK) return EXIT_INVALID;
    struct incident_rec inc;
    int rc = find_incident(app, &p, ref, &inc);
    if (rc != RK_OK) return incident_missing(rc);
    json_t *v = inc_view(app, &p, &inc, true);
    if (!v) {
        fprintf(stderr, "renkei: %s\n", rk_strerror(RK_ENOMEM));
        return EXIT_FAILURE_;
    }
    cli_print_json(v);
    json_decref(v);
    return EXIT_OK;
}

int cli_report_main(struct app *app, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[0], "validate") == 0) return cmd_validate(app, argv[1]);
    if (argc >= 1 && strcmp(argv[0], "submit") == 0) return cmd_submit(app, argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "status") == 0) return cmd_status(app, argc - 1, argv + 1);
    return EXIT_USAGE;
}
