/*
 * app.h — what both programs (renkeid, renkei) share: settings from flags and environment,
 * opening the store and reference data, loading demo data, and running the server.
 */
#ifndef CLI_APP_H
#define CLI_APP_H

#include "http/http.h"

struct app_paths {
    const char *db;               /* --db, RENKEI_DB, default var/renkei.db */
    const char *data_dir;         /* --data, RENKEI_DATA, default data/ (or the source tree's) */
    const char *migrations;       /* --migrations, RENKEI_MIGRATIONS, default db/migrations */
    const char *openapi;          /* --openapi, RENKEI_OPENAPI, default docs/openapi.json */
    int max_batch;                /* --max-batch: jobs per group commit (0 = the store's default) */
    const char *enforcement_date; /* --enforcement-date, RENKEI_ENFORCEMENT_DATE; NULL = file's */
};

/* Defaults, then environment. */
void app_paths_defaults(struct app_paths *p);

/* Opens the store (creating and migrating it) and loads reference data and filing rules into app.
 * Prints the reason to stderr on failure (this is program-level code). */
int app_open(struct app *app, const struct app_paths *paths);
void app_close(struct app *app);

/* Loads data_dir/demo.json when the store has no organisation yet. *loaded says whether it
 * did. */
int app_load_demo(struct app *app, const struct app_paths *paths, bool *loaded);

/* `renkeid` / `renkei serve`: parses server flags after argv[0], serves until SIGTERM/SIGINT.
 * Returns the process exit code. */
int app_serve_main(int argc, char **argv);

/* Exit codes of both programs (documented in --help and docs/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_FAILURE_ = 1, /* runtime failure (store, network) */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_INVALID = 3,  /* input rejected (validation, conflict, not found) */
    EXIT_CORRUPT = 4,  /* audit verify found tampering */
};

#endif
