/* cli_report.h — `renkei report …` (see cli_report.c and docs/cli.md). */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include "cli/app.h"

/* argv[0] is the subcommand ("validate", "submit", "status"). Returns a process exit code. */
int cli_report_main(struct app *app, int argc, char **argv);

#endif
