/*
 * cli_advisory.c — advisories and the inbox from the command line:
 *   advisory send FILE.json --user NAME [--direct]   create the advisory and send it
 *   inbox --user NAME [--unacknowledged] [--limit N]  what reached NAME's organisation
 * Both go through the API's own preparation, gate, policy and views (src/api/advisories.h,
 * inbox_item_view, policy.h): POST /api/v1/advisories + /send, and the items of
 * GET /api/v1/inbox.
 */
#include "cli/cli_advisory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/advisories.h"
#include "cli/cli_report.h"
#include "core/rk.h"

static int cmd_send(struct app *app, int argc, char **argv)
{
    const char *file = NULL, *user = NULL;
    bool direct = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else if (strcmp(argv[i], "--direct") == 0)
            direct = true;
        else if (!file && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            file = argv[i];
        else
            return EXIT_USAGE;
    }
    if (!file || !user) return EXIT_USAGE;
    struct pol_principal p;
    if (cli_principal_of(app, user, &p) != RK_OK) return EXIT_INVALID;
    json_t *doc = cli_load_doc(file);
    if (!doc) return EXIT_INVALID;
    struct inc_err *err = calloc(1, sizeof *err);
    int64_t id = 0, number = 0;
    char ident[32] = "";
    int code = EXIT_FAILURE_;
    int rc = err ? advs_file_sync(app, &p, doc, true, direct, "cli", &id, ident, &number, err)
                 : RK_ENOMEM;
    if (rc == RK_OK) {
        struct advisory_rec a;
        json_t *v = NULL;
        if (app->store->ops->advisory_get(app->store, id, &a) == RK_OK)
            v = advs_view(app, &p, &a, &rc);
        store_advisory_rec_free(&a);
        if (v) {
            cli_print_json(v);
            code = EXIT_OK;
        } else {
            fprintf(stderr, "renkei: sent %s 第%lld報, but cannot show it\n", ident,
                    (long long)number);
        }
        json_decref(v);
    } else if (err) {
        code = cli_refused(file, err);
    }
    free(err);
    json_decref(doc);
    return code;
}

int cli_advisory_main(struct app *app, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "send") == 0) return cmd_send(app, argc - 1, argv + 1);
    return EXIT_USAGE;
}

struct inbox_print {
    struct app *app;
    const struct pol_principal *p;
    json_t *items;
    long limit;
    int rc;
};

/* The same items as GET /api/v1/inbox (inbox_item_view), until --limit. */
static bool inbox_cb(const struct inbox_rec *row, void *ctx)
{
    struct inbox_print *ip = ctx;
    json_t *v = inbox_item_view(ip->app, ip->p, row, &ip->rc);
    if (ip->rc != RK_OK) return false;
    if (v) json_array_append_new(ip->items, v);
    return (long)json_array_size(ip->items) < ip->limit;
}

int cli_inbox_main(struct app *app, int argc, char **argv)
{
    const char *user = NULL;
    bool unacked = false;
    long limit = 50;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else if (strcmp(argv[i], "--unacknowledged") == 0)
            unacked = true;
        else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            char *end;
            limit = strtol(argv[++i], &end, 10);
            if (*end || limit < 1 || limit > STORE_LIST_MAX) return EXIT_USAGE;
        } else
            return EXIT_USAGE;
    }
    if (!user) return EXIT_USAGE;
    struct pol_principal p;
    if (cli_principal_of(app, user, &p) != RK_OK) return EXIT_INVALID;
    if (!policy_inbox_may_list(&p, p.org_id)) {
        fprintf(stderr, "renkei: this user has no inbox\n");
        return EXIT_INVALID;
    }
    struct inbox_print ip = {.app = app, .p = &p, .items = json_array(), .limit = limit};
    struct inbox_filter f = {.unacked = unacked};
    int rc = ip.items ? app->store->ops->inbox_list(app->store, p.org_id, &f, 0, inbox_cb, &ip)
                      : RK_ENOMEM;
    if (rc == RK_OK) rc = ip.rc;
    if (rc != RK_OK) {
        json_decref(ip.items);
        fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
        return cli_exit_for(rc);
    }
    cli_print_json(ip.items);
    json_decref(ip.items);
    return EXIT_OK;
}
