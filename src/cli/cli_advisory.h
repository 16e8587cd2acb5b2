/* cli_advisory.h — `renkei advisory send` and `renkei inbox` (see cli_advisory.c, docs/cli.md). */
#ifndef CLI_ADVISORY_H
#define CLI_ADVISORY_H

#include "cli/app.h"

/* argv[0] is the subcommand ("send"). Returns a process exit code. */
int cli_advisory_main(struct app *app, int argc, char **argv);
/* `renkei inbox --user NAME [--unacknowledged] [--limit N]`: argv after "inbox". */
int cli_inbox_main(struct app *app, int argc, char **argv);

#endif
