/* app.c — shared program code for renkeid and renkei. */
#include "cli/app.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/advisories.h"
#include "api/incidents.h"
#include "api/registry.h"
#include "auth/auth.h"
#include "core/filing_rules.h"
#include "core/rk.h"

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

void app_paths_defaults(struct app_paths *p)
{
    /* Run from the repository (make run) the relative paths work; run from elsewhere (a build
     * directory, a test) the source tree's copies are used. */
    p->max_batch = 0;
    p->enforcement_date = env_or("RENKEI_ENFORCEMENT_DATE", NULL);
    p->db = env_or("RENKEI_DB", "var/renkei.db");
    p->data_dir = env_or("RENKEI_DATA", is_dir("data") ? "data" : RK_SOURCE_DIR "/data");
    p->migrations =
        env_or("RENKEI_MIGRATIONS",
               is_dir("db/migrations") ? "db/migrations" : RK_SOURCE_DIR "/db/migrations");
    p->openapi = env_or("RENKEI_OPENAPI", access("docs/openapi.json", R_OK) == 0
                                              ? "docs/openapi.json"
                                              : RK_SOURCE_DIR "/docs/openapi.json");
}

static int mkdir_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return RK_OK;
    *slash = 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return RK_EIO;
    return RK_OK;
}

int app_open(struct app *app, const struct app_paths *paths)
{
    char err[512] = "";
    if (sodium_init() < 0) {
        fprintf(stderr, "renkei: libsodium failed to initialise\n");
        return RK_EIO;
    }
    int rc = refdata_load(paths->data_dir, &app->rd, err, sizeof err);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: reference data: %s\n", err);
        return rc;
    }
    rc = filing_rules_load(paths->data_dir, paths->enforcement_date, &app->rules, err, sizeof err);
    if (rc == RK_OK) {
        rc = forms_load(paths->data_dir, app->rd, &app->forms, err, sizeof err);
        if (rc != RK_OK) fprintf(stderr, "renkei: report forms: %s\n", err);
    } else {
        fprintf(stderr, "renkei: filing rules: %s\n", err);
    }
    if (rc != RK_OK) {
        refdata_free(app->rd);
        app->rd = NULL;
        return rc;
    }
    if (mkdir_parent(paths->db) != RK_OK) {
        fprintf(stderr, "renkei: cannot create the directory of %s: %s\n", paths->db,
                strerror(errno));
        refdata_free(app->rd);
        app->rd = NULL;
        forms_free(app->forms);
        app->forms = NULL;
        return RK_EIO;
    }
    struct store_sqlite_opts so = {.path = paths->db,
                                   .migrations_dir = paths->migrations,
                                   .max_batch = paths->max_batch,
                                   .sync_full = true};
    rc = store_sqlite_open(&so, &app->store, err, sizeof err);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: store: %s\n", err);
        refdata_free(app->rd);
        app->rd = NULL;
        forms_free(app->forms);
        app->forms = NULL;
        return rc;
    }
    return RK_OK;
}

void app_close(struct app *app)
{
    if (app->store) app->store->ops->close(app->store);
    refdata_free(app->rd);
    forms_free(app->forms);
    app->forms = NULL;
    json_decref(app->openapi);
    metrics_free(app->metrics);
    auth_throttle_free(app->throttle);
    auth_throttle_free(app->ghost_lock);
    app->store = NULL;
    app->rd = NULL;
    app->openapi = NULL;
    app->metrics = NULL;
    app->throttle = NULL;
    app->ghost_lock = NULL;
}

static bool any_org(const struct org_rec *o, void *ctx)
{
    *(bool *)ctx = true;
    return false;
}

/* A demo organisation goes through the API's own schema and rules. Its "key" names it for
 * the users below; a ministry's empty "sectors" is the data file's way of saying "derived". */
static int demo_org(struct app *app, const json_t *jo, int64_t *id, char *err, size_t errlen)
{
    struct store_write w = {.op = STORE_W_ORG_CREATE};
    struct jv_errors errs;
    json_t *req = json_deep_copy(jo);
    int rc = RK_ENOMEM;
    if (!req) goto out;
    json_object_del(req, "key");
    const json_t *sec = json_object_get(req, "sectors");
    if (json_is_array(sec) && json_array_size(sec) == 0) json_object_del(req, "sectors");
    if ((rc = jv_validate(req, &api_org_create_schema, &errs)) != RK_OK ||
        (rc = api_org_apply(app, req, &w.org, true, &errs)) != RK_OK) {
        snprintf(err, errlen, "%.100s: %.140s", errs.n ? errs.e[0].pointer : "",
                 errs.n ? errs.e[0].message : "invalid");
        goto out;
    }
    store_audit_set(&w.audit, 0, 0, "org.create", "org", 0, "init");
    snprintf(w.audit.detail, sizeof w.audit.detail, "{\"via\":\"demo\"}");
    rc = store_write_sync(app->store, &w);
    if (rc != RK_OK) snprintf(err, errlen, "store: %s %s", rk_strerror(rc), w.conflict_field);
    *id = w.out_id;
out:
    json_decref(req);
    return rc;
}

/* The principal of a demo user, looked up by name. */
static int demo_principal(struct app *app, const char *username, struct pol_principal *p)
{
    struct auth_ctx a = {0};
    int rc = app->store->ops->user_by_name(app->store, username, &a.user);
    if (rc == RK_OK) rc = app->store->ops->org_get(app->store, a.user.org_id, &a.org);
    a.roles = a.user.roles;
    if (rc == RK_OK) http_principal_from_auth(&a, p);
    return rc;
}

struct demo_assets_ctx {
    json_t *ids;
    json_int_t want;
};

static bool demo_asset_cb(const struct asset_rec *a, void *ctx)
{
    struct demo_assets_ctx *c = ctx;
    if (a->head_version > 0 && a->live) json_array_append_new(c->ids, json_integer(a->id));
    return (json_int_t)json_array_size(c->ids) < c->want;
}

/* Demo filings (data/demo_assets.json): each through the registry's own rules. An entry with
 * changed_on / retired_on is filed first as introduced, then changed, then retired, so the
 * demo has history to query "as of". The vendor's filings go through a real delegation. */
static int demo_file(struct app *app, const struct pol_principal *p, int64_t org,
                     const json_t *entry, bool draft, char *err, size_t errlen)
{
    struct jv_errors errs = {0};
    int64_t id = 0;
    json_t *first = json_deep_copy(entry);
    int rc = RK_ENOMEM;
    if (!first) goto out;
    json_object_del(first, "changed_on");
    json_object_del(first, "retired_on");
    rc = reg_file_entry_sync(app, p, org, 0, first, draft, "demo", &id, &errs);
    if (rc == RK_OK && !draft && json_is_string(json_object_get(entry, "changed_on"))) {
        json_object_set(first, "changed_on", json_object_get(entry, "changed_on"));
        rc = reg_file_entry_sync(app, p, org, id, first, false, "demo", &id, &errs);
    }
    if (rc == RK_OK && !draft && json_is_string(json_object_get(entry, "retired_on")))
        rc = reg_file_entry_sync(app, p, org, id, entry, false, "demo", &id, &errs);
out:
    if (rc != RK_OK)
        snprintf(err, errlen, "%s %.100s: %.140s", rk_strerror(rc), errs.n ? errs.e[0].pointer : "",
                 errs.n ? errs.e[0].message : "");
    json_decref(first);
    return rc;
}

/* A demo data file dir/name, parsed; NULL after printing why. path receives its path. */
static json_t *demo_load(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) fprintf(stderr, "renkei: %s:%d: %s\n", path, je.line, je.text);
    return doc;
}

static int demo_assets(struct app *app, const char *dir, const json_t *keys)
{
    char path[4096], err[300] = "";
    json_t *doc = demo_load(dir, "demo_assets.json", path, sizeof path);
    if (!doc) return RK_EINVAL;
    int rc = RK_OK;
    struct pol_principal vendor;
    int64_t vendor_org = json_integer_value(json_object_get(keys, "tss"));
    if ((rc = demo_principal(app, "tss-reporter", &vendor)) != RK_OK) goto out;
    static const char *const sets[] = {"filings", "drafts"};
    for (size_t s = 0; s < 2; s++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(doc, sets[s]), i, v)
        {
            const char *key = json_string_value(json_object_get(v, "org"));
            int64_t org = key ? json_integer_value(json_object_get(keys, key)) : 0;
            char user[80];
            struct pol_principal who;
            snprintf(user, sizeof user, "%s-reporter", key ? key : "");
            if (!org || demo_principal(app, user, &who) != RK_OK) {
                fprintf(stderr, "renkei: %s: /%s/%zu: unknown organisation or reporter\n", path,
                        sets[s], i);
                rc = RK_EINVAL;
                goto out;
            }
            if (json_is_true(json_object_get(v, "by_vendor"))) {
                struct delegation_rec d;
                if (app->store->ops->delegation_active(app->store, org, vendor_org, &d) ==
                    RK_ENOTFOUND) {
                    struct store_write w = {.op = STORE_W_DELEGATION_GRANT};
                    w.delegation = (struct delegation_rec){
                        .operator_org = org, .vendor_org = vendor_org, .granted_by = who.user_id};
                    snprintf(w.delegation.note, sizeof w.delegation.note,
                             "保守契約に基づく届出代行 (maintenance contract)");
                    store_audit_set(&w.audit, who.user_id, org, "delegation.grant", "delegation", 0,
                                    "demo");
                    if ((rc = store_write_sync(app->store, &w)) != RK_OK) goto out;
                }
                who = vendor;
            }
            rc = demo_file(app, &who, org, json_object_get(v, "entry"), s == 1, err, sizeof err);
            if (rc != RK_OK) {
                fprintf(stderr, "renkei: %s: /%s/%zu: %s\n", path, sets[s], i, err);
                goto out;
            }
        }
    }
out:
    json_decref(doc);
    return rc;
}

/* Demo incident reports (data/demo_incidents.json), each filed through the API's own rules. */
static int demo_incidents(struct app *app, const char *dir, const json_t *keys)
{
    char path[4096];
    json_t *doc = demo_load(dir, "demo_incidents.json", path, sizeof path);
    if (!doc) return RK_EINVAL;
    int rc = RK_OK;
    size_t i, k;
    json_t *v, *rep;
    json_array_foreach(json_object_get(doc, "incidents"), i, v)
    {
        struct pol_principal who;
        if ((rc = demo_principal(app, json_string_value(json_object_get(v, "user")), &who))) {
            fprintf(stderr, "renkei: %s: /incidents/%zu: unknown user\n", path, i);
            goto out;
        }
        const char *behalf = json_string_value(json_object_get(v, "on_behalf_of"));
        int64_t reporter = behalf ? json_integer_value(json_object_get(keys, behalf)) : who.org_id;
        json_t *assets = json_array();
        int64_t id = 0, number = 0;
        struct asset_filter f = {.org_id = reporter, .no_bodies = true};
        struct demo_assets_ctx c = {assets, json_integer_value(json_object_get(v, "link_assets"))};
        if (c.want) app->store->ops->asset_list(app->store, &f, 0, demo_asset_cb, &c);
        json_array_foreach(json_object_get(v, "reports"), k, rep)
        {
            json_t *r = json_deep_copy(rep);
            if (behalf && k == 0) json_object_set_new(r, "on_behalf_of", json_integer(reporter));
            if (json_array_size(assets) && k == 0) json_object_set(r, "assets", assets);
            struct inc_err err;
            rc = inc_file_sync(app, &who, r, id, "demo", &id, &number, &err);
            json_decref(r);
            if (rc != RK_OK) {
                fprintf(stderr, "renkei: %s: /incidents/%zu/reports/%zu: %s %s %s\n", path, i, k,
                        rk_strerror(rc), err.errs.n ? err.errs.e[0].pointer : "",
                        err.errs.n ? err.errs.e[0].message : (err.detail ? err.detail : ""));
                json_decref(assets);
                goto out;
            }
        }
        json_decref(assets);
    }
out:
    json_decref(doc);
    return rc;
}

/* Demo advisories (data/demo_dissemination.json): created, sent, relayed and acknowledged
 * through the API's own preparation and policy. */
static int demo_advisories(struct app *app, const char *dir)
{
    char path[4096];
    json_t *doc = demo_load(dir, "demo_dissemination.json", path, sizeof path);
    if (!doc) return RK_EINVAL;
    int rc = RK_OK;
    size_t i, k;
    json_t *v, *x;
    int64_t ids[64] = {0};
    json_array_foreach(json_object_get(doc, "advisories"), i, v)
    {
        struct pol_principal who;
        if (i >= 64 ||
            demo_principal(app, json_string_value(json_object_get(v, "user")), &who) != RK_OK) {
            fprintf(stderr, "renkei: %s: /advisories/%zu: %s\n", path, i,
                    i >= 64 ? "more than 64 demo advisories" : "unknown user");
            rc = RK_EINVAL;
            goto out;
        }
        json_t *d = json_deep_copy(json_object_get(v, "doc"));
        json_t *f = json_object_get(v, "follows");
        if (json_is_integer(f) && (size_t)json_integer_value(f) < i)
            json_object_set_new(d, "follows", json_integer(ids[json_integer_value(f)]));
        struct inc_err err;
        char ident[32];
        int64_t number;
        rc = advs_file_sync(app, &who, d, json_is_true(json_object_get(v, "send")),
                            json_is_true(json_object_get(v, "direct")), "demo", &ids[i], ident,
                            &number, &err);
        json_decref(d);
        if (rc != RK_OK) {
            fprintf(stderr, "renkei: %s: /advisories/%zu: %s %s %s\n", path, i, rk_strerror(rc),
                    err.errs.n ? err.errs.e[0].pointer : "",
                    err.errs.n ? err.errs.e[0].message : (err.detail ? err.detail : ""));
            goto out;
        }
        json_array_foreach(json_object_get(v, "relay_by"), k, x)
        {
            int64_t n;
            if ((rc = demo_principal(app, json_string_value(x), &who)) != RK_OK ||
                (rc = advs_relay_sync(app, &who, ids[i], "demo", &n)) != RK_OK) {
                fprintf(stderr, "renkei: %s: /advisories/%zu/relay_by/%zu: %s\n", path, i, k,
                        rk_strerror(rc));
                goto out;
            }
        }
        json_array_foreach(json_object_get(v, "acks"), k, x)
        {
            if ((rc = demo_principal(app, json_string_value(json_object_get(x, "user")), &who)) !=
                    RK_OK ||
                (rc = advs_ack_sync(app, &who, ids[i],
                                    json_string_value(json_object_get(x, "status")), "demo")) !=
                    RK_OK) {
                fprintf(stderr, "renkei: %s: /advisories/%zu/acks/%zu: %s\n", path, i, k,
                        rk_strerror(rc));
                goto out;
            }
        }
    }
out:
    json_decref(doc);
    return rc;
}

int app_load_demo(struct app *app, const struct app_paths *paths, bool *loaded)
{
    char path[4096], err[256] = "";
    bool exists = false;
    int rc = RK_OK;
    *loaded = false;
    if ((rc = app->store->ops->org_list(app->store, 0, any_org, &exists)) != RK_OK || exists)
        return rc;
    snprintf(path, sizeof path, "%s/demo.json", paths->data_dir);
    json_error_t je;
    json_t *demo = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!demo) {
        fprintf(stderr, "renkei: %s:%d: %s\n", path, je.line, je.text);
        return RK_EINVAL;
    }
    json_t *keys = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(demo, "orgs"), i, v)
    {
        int64_t id = 0;
        if ((rc = demo_org(app, v, &id, err, sizeof err)) != RK_OK) {
            fprintf(stderr, "renkei: %s: /orgs/%zu: %s\n", path, i, err);
            goto out;
        }
        json_object_set_new(keys, json_string_value(json_object_get(v, "key")), json_integer(id));
    }
    json_array_foreach(json_object_get(demo, "users"), i, v)
    {
        struct store_write w = {.op = STORE_W_USER_CREATE};
        w.user.org_id =
            json_integer_value(json_object_get(keys, json_string_value(json_object_get(v, "org"))));
        json_copy_str(v, "username", w.user.username, sizeof w.user.username);
        json_copy_str(v, "display_name", w.user.display_name, sizeof w.user.display_name);
        w.user.contractor = json_is_true(json_object_get(v, "contractor"));
        size_t k;
        json_t *role;
        json_array_foreach(json_object_get(v, "roles"), k, role)
        {
            enum pol_role rr;
            if (policy_role_parse(json_string_value(role), &rr) == RK_OK)
                w.user.roles |= (unsigned)rr;
        }
        const char *pw = json_string_value(json_object_get(v, "password"));
        if (!w.user.org_id || !pw ||
            auth_password_hash(pw, w.user.pw_hash, sizeof w.user.pw_hash) != RK_OK) {
            fprintf(stderr, "renkei: %s: /users/%zu: bad org or password\n", path, i);
            rc = RK_EINVAL;
            goto out;
        }
        store_audit_set(&w.audit, 0, 0, "user.create", "user", 0, "init");
        snprintf(w.audit.detail, sizeof w.audit.detail, "{\"via\":\"demo\"}");
        if ((rc = store_write_sync(app->store, &w)) != RK_OK) {
            fprintf(stderr, "renkei: %s: /users/%zu: %s\n", path, i, rk_strerror(rc));
            goto out;
        }
    }
    if ((rc = demo_assets(app, paths->data_dir, keys)) != RK_OK) goto out;
    if ((rc = demo_incidents(app, paths->data_dir, keys)) != RK_OK) goto out;
    if ((rc = demo_advisories(app, paths->data_dir)) != RK_OK) goto out;
    *loaded = true;
out:
    json_decref(keys);
    json_decref(demo);
    return rc;
}

/* ---- serving ----------------------------------------------------------------------------- */

static void serve_usage(FILE *f)
{
    fprintf(
        f,
        "usage: renkeid [options]\n"
        "Serves the renkei API (by default on 127.0.0.1 only).\n\n"
        "  --listen ADDR        IPv4 address to bind (RENKEI_LISTEN, default 127.0.0.1)\n"
        "  --port N             TCP port (RENKEI_PORT, default 8080)\n"
        "  --db PATH            SQLite database (RENKEI_DB, default var/renkei.db)\n"
        "  --data DIR           reference data directory (RENKEI_DATA, default data)\n"
        "  --migrations DIR     SQL migrations (RENKEI_MIGRATIONS, default db/migrations)\n"
        "  --openapi FILE       OpenAPI document (RENKEI_OPENAPI, default docs/openapi.json)\n"
        "  --threads N          worker threads (default: number of cores)\n"
        "  --max-body BYTES     request body limit (default 1048576)\n"
        "  --timeout S          idle connection timeout in seconds (default 30)\n"
        "  --log FILE           request log, one JSON line per request ('-' = stderr,\n"
        "                       'off' = none; RENKEI_LOG, default stderr)\n"
        "  --secure-cookies     mark session cookies Secure (set when behind TLS)\n"
        "  --login-rate N       login attempts per client address per minute (default 30)\n"
        "  --login-failures N   failed logins before an account locks (default 5)\n"
        "  --lock-minutes N     how long a locked account stays locked (default 15)\n"
        "  --session-hours N    session lifetime (default 8)\n"
        "  --enforcement-date D the law's enforcement date, YYYY-MM-DD (RENKEI_ENFORCEMENT_DATE;\n"
        "                       default: data/filing_rules.json, null = not yet set)\n"
        "  --max-upload BYTES   inventory upload limit (default 33554432)\n"
        "  --import-budget BYTES  inventory bytes processed at once (default 50331648;\n"
        "                       an upload needs about 25x its size in memory meanwhile)\n"
        "  --max-batch N        write jobs per group commit (default 1024; 1 = one fsync\n"
        "                       per write, for comparison benchmarks)\n"
        "  --demo               load data/demo.json into an empty store first\n"
        "  -h, --help           this text\n\n"
        "Exit codes: 0 clean stop (SIGTERM/SIGINT), 1 runtime failure, 2 bad usage.\n");
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !*s || *end || v > max) return false;
    *out = v;
    return true;
}

int app_serve_main(int argc, char **argv)
{
    struct app app = {0};
    struct app_paths paths;
    app_paths_defaults(&paths);
    http_config_defaults(&app.cfg);
    app.cfg.bind_addr = env_or("RENKEI_LISTEN", app.cfg.bind_addr);
    const char *log_path = env_or("RENKEI_LOG", "-");
    const char *port_env = getenv("RENKEI_PORT");
    unsigned long long n;
    if (port_env && *port_env) {
        if (!parse_uint(port_env, 65535, &n) || n == 0) {
            fprintf(stderr, "renkeid: RENKEI_PORT must be a port number\n");
            return EXIT_USAGE;
        }
        app.cfg.port = (unsigned)n;
    }
    bool demo = false;
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"port", required_argument, NULL, 'p'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"data", required_argument, NULL, 'D'},
                                         {"migrations", required_argument, NULL, 'm'},
                                         {"openapi", required_argument, NULL, 'o'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"max-body", required_argument, NULL, 'b'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"log", required_argument, NULL, 'L'},
                                         {"secure-cookies", no_argument, NULL, 's'},
                                         {"demo", no_argument, NULL, 'x'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"login-rate", required_argument, NULL, 'R'},
                                         {"login-failures", required_argument, NULL, 'F'},
                                         {"lock-minutes", required_argument, NULL, 'K'},
                                         {"session-hours", required_argument, NULL, 'S'},
                                         {"max-batch", required_argument, NULL, 'B'},
                                         {"enforcement-date", required_argument, NULL, 'E'},
                                         {"max-upload", required_argument, NULL, 'U'},
                                         {"import-budget", required_argument, NULL, 'I'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            app.cfg.bind_addr = optarg;
            break;
        case 'p':
            if (!parse_uint(optarg, 65535, &n) || n == 0) goto usage;
            app.cfg.port = (unsigned)n;
            break;
        case 'd':
            paths.db = optarg;
            break;
        case 'D':
            paths.data_dir = optarg;
            break;
        case 'm':
            paths.migrations = optarg;
            break;
        case 'o':
            paths.openapi = optarg;
            break;
        case 't':
            if (!parse_uint(optarg, 256, &n) || n == 0) goto usage;
            app.cfg.threads = (unsigned)n;
            break;
        case 'b':
            if (!parse_uint(optarg, 64ULL * 1024 * 1024, &n) || n == 0) goto usage;
            app.cfg.max_body = (size_t)n;
            break;
        case 'T':
            if (!parse_uint(optarg, 3600, &n) || n == 0) goto usage;
            app.cfg.conn_timeout_s = (unsigned)n;
            break;
        case 'L':
            log_path = optarg;
            break;
        case 'B':
            if (!parse_uint(optarg, 100000, &n) || n == 0) goto usage;
            paths.max_batch = (int)n;
            break;
        case 'E':
            paths.enforcement_date = optarg;
            break;
        case 'I':
            if (!parse_uint(optarg, 64ULL * 1024 * 1024 * 1024, &n) || n == 0) goto usage;
            app.cfg.import_budget = (size_t)n;
            break;
        case 'U':
            if (!parse_uint(optarg, 1024ULL * 1024 * 1024, &n) || n == 0) goto usage;
            app.cfg.max_upload = (size_t)n;
            break;
        case 'R':
            if (!parse_uint(optarg, 1000000, &n) || n == 0) goto usage;
            app.cfg.login_per_ip_per_min = (unsigned)n;
            break;
        case 'F':
            if (!parse_uint(optarg, 1000, &n) || n == 0) goto usage;
            app.cfg.login_max_failures = (int)n;
            break;
        case 'K':
            if (!parse_uint(optarg, 7 * 24 * 60, &n) || n == 0) goto usage;
            app.cfg.login_lock_ms = (int64_t)n * 60 * 1000;
            break;
        case 'S':
            if (!parse_uint(optarg, 24 * 30, &n) || n == 0) goto usage;
            app.cfg.session_ttl_ms = (int64_t)n * 3600 * 1000;
            break;
        case 's':
            app.cfg.secure_cookies = true;
            break;
        case 'x':
            demo = true;
            break;
        case 'h':
            serve_usage(stdout);
            return EXIT_OK;
        default:
            goto usage;
        }
    }
    if (optind != argc) goto usage;

    /* Block the stop signals before any thread starts so that only sigwait() sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(log_path, "-") == 0)
        app.log = stderr;
    else if (strcmp(log_path, "off") != 0 && !(app.log = fopen(log_path, "a"))) {
        fprintf(stderr, "renkeid: cannot open log %s: %s\n", log_path, strerror(errno));
        return EXIT_FAILURE_;
    }
    if (app.log) setvbuf(app.log, NULL, _IOLBF, 0);
    int rc = EXIT_FAILURE_;
    struct MHD_Daemon *d = NULL;
    if (app_open(&app, &paths) != RK_OK) goto out;
    bool loaded;
    if (demo && app_load_demo(&app, &paths, &loaded) != RK_OK) goto out;
    json_error_t je;
    if (!(app.openapi = json_load_file(paths.openapi, 0, &je)))
        fprintf(stderr, "renkeid: warning: OpenAPI document %s not loaded: %s\n", paths.openapi,
                je.text);
    if (metrics_new(http_nroutes, &app.metrics) != RK_OK ||
        auth_throttle_new(app.cfg.login_per_ip_per_min, 60 * 1000, &app.throttle) != RK_OK ||
        auth_throttle_new((unsigned)app.cfg.login_max_failures - 1, app.cfg.login_lock_ms,
                          &app.ghost_lock) != RK_OK)
        goto out;
    char err[256];
    if (http_start(&app, &d, err, sizeof err) != RK_OK) {
        fprintf(stderr, "renkeid: %s\n", err);
        goto out;
    }
    fprintf(stderr, "renkeid: serving http://%s:%u/ (store %s, %u workers)\n", app.cfg.bind_addr,
            app.cfg.port, paths.db, app.cfg.threads);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "renkeid: %s: finishing in-flight requests\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_stop(&app, d);
    rc = EXIT_OK;
out:
    app_close(&app);
    if (app.log && app.log != stderr) fclose(app.log);
    if (rc == EXIT_OK) fprintf(stderr, "renkeid: stopped cleanly\n");
    return rc;
usage:
    serve_usage(stderr);
    return EXIT_USAGE;
}
