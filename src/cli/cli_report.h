/* cli_report.h — `renkei report …` (see cli_report.c and docs/cli.md). */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include "cli/app.h"

/* argv[0] is the subcommand ("validate", "submit", "status"). Returns a process exit code. */
int cli_report_main(struct app *app, int argc, char **argv);

/* Shared with the other document commands (cli_advisory.c). */
struct inc_err;
/* A JSON document from path ("-": stdin); NULL after printing the syntax error. */
json_t *cli_load_doc(const char *path);
void cli_print_json(const json_t *j);
/* The principal of a store user (prints why not). */
int cli_principal_of(struct app *app, const char *username, struct pol_principal *p);
/* Prints a refusal as the API answers it; returns the exit code. */
int cli_refused(const char *path, const struct inc_err *err);
int cli_exit_for(int rc);

#endif
