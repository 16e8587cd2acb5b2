/*
 * cli_report.c — `renkei report validate FILE.json`: offline validation of an incident report
 * with the same forms, rules and messages as the API (src/api/report_input.c).
 */
#include "cli/cli_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int cmd_validate(struct app *app, const char *path)
{
    json_error_t je;
    json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
                                         : json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        fprintf(stderr, "renkei: %s: line %d, column %d: %s (json_syntax)\n", path, je.line,
                je.column, je.text);
        return EXIT_INVALID;
    }
    struct jv_errors errs;
    json_t *out = NULL;
    int rc = report_input_check(app->forms, doc, &out, &errs);
    json_decref(doc);
    if (rc == RK_EINVAL) {
        for (size_t i = 0; i < errs.n; i++) {
            fprintf(stderr, "renkei: %s: ", path);
            put_safe(stderr, errs.e[i].pointer[0] ? errs.e[i].pointer : "/");
            fputs(": ", stderr);
            put_safe(stderr, errs.e[i].message);
            fprintf(stderr, " (%s)\n", errs.e[i].rule);
        }
        if (errs.dropped) fprintf(stderr, "renkei: … and %zu more errors\n", errs.dropped);
        return EXIT_INVALID;
    }
    if (rc != RK_OK) {
        fprintf(stderr, "renkei: %s\n", rk_strerror(rc));
        return EXIT_FAILURE_;
    }
    /* The report as the platform would store it (normalised). */
    char *s = json_dumps(out, JSON_INDENT(2));
    if (s) printf("%s\n", s);
    free(s);
    json_decref(out);
    return EXIT_OK;
}

int cli_report_main(struct app *app, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[0], "validate") == 0) return cmd_validate(app, argv[1]);
    return EXIT_USAGE;
}
