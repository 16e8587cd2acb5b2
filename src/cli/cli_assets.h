/* cli_assets.h — `renkei assets …` (see cli_assets.c and docs/cli.md). */
#ifndef CLI_ASSETS_H
#define CLI_ASSETS_H

#include "cli/app.h"

/* argv[0] is the subcommand ("import", "status"). Returns a process exit code. */
int cli_assets_main(struct app *app, int argc, char **argv);

#endif
