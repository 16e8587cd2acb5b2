/*
 * support.h — API test harness: starts the real renkeid on a free loopback port with a fresh
 * store in a temporary directory, and speaks HTTP to it with libcurl.
 */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

struct srv {
    pid_t pid;
    int port;
    char dir[256];
    char db[320];
    char log[320];
    char base[64];
};

struct resp {
    long status;
    char *body;
    size_t len;
    json_t *json; /* parsed body when it is JSON */
    char headers[8192];
};

/* Creates the store (renkei init --demo when demo) and starts renkeid. Aborts the test
 * program with a message on failure. extra: NULL-terminated extra renkeid arguments. */
void srv_start(struct srv *s, bool demo, const char *const *extra);
/* (Re)starts renkeid on the same store and port. */
void srv_launch(struct srv *s, const char *const *extra);
/* Sends sig and waits; returns the exit status (or 128+signal). */
int srv_signal_wait(struct srv *s, int sig);
/* SIGTERM, wait, and remove the temporary directory. */
void srv_stop(struct srv *s);

/* Runs the renkei CLI against the server's store; returns its exit code. stdin_text may be
 * NULL; the combined stdout is copied into out (if not NULL). */
int srv_cli(struct srv *s, const char *stdin_text, char *out, size_t outcap,
            const char *const *args);
/* As srv_cli with standard error folded into out (through the shell: args without quotes). */
int srv_cli_all(struct srv *s, char *out, size_t cap, const char *const *args);
/* Writes text to path (aborts on failure). */
void write_text_file(const char *path, const char *text);

/* One HTTP request. auth: "Bearer x", or NULL; cookie: "rk_session=..." or NULL; csrf may be
 * NULL; ctype may be NULL (no Content-Type); body may be NULL. */
void http(struct srv *s, const char *method, const char *path, const char *auth, const char *cookie,
          const char *csrf, const char *ctype, const char *body, struct resp *out);
/* JSON shorthand: Content-Type application/json with a bearer token. */
void http_json(struct srv *s, const char *method, const char *path, const char *token,
               const char *body, struct resp *out);
void resp_free(struct resp *r);

/* Test JSON; a syntax error stops the test program (it is the test that is wrong). */
json_t *test_json(const char *text);
/* One JSON request with a bearer token; body (consumed) may be NULL. Stops the test program
 * unless the status is want (method, path, status and body printed). */
void api_call(struct srv *s, const char *method, const char *path, const char *tok, json_t *body,
              long want, struct resp *r);
/* The id of user `username`, looked up by an admin's bearer token (GET /api/v1/users). */
int64_t srv_user_id(struct srv *s, const char *admin_tok, const char *username);
/* The organisation id of a bearer token's user (GET /api/v1/me). */
int64_t srv_org_of(struct srv *s, const char *tok);
/* Members of a JSON object: NULL / 0 when absent or of another type. */
static inline const char *jstr(const json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}
static inline int64_t jnum(const json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

/* Logs in as a demo user (password renkei-demo-<username>); fills cookie and csrf. */
void login(struct srv *s, const char *username, char *cookie, size_t ccap, char *csrf, size_t scap);
/* Logs in and creates an API token with all of the user's roles; returns "Bearer rk_…" in out. */
void bearer(struct srv *s, const char *username, char *out, size_t cap);
/* Value of a response header (case-insensitive name) or NULL; copied into buf. */
const char *resp_header(const struct resp *r, const char *name, char *buf, size_t cap);
/* The first error object of a problem response, or NULL. */
json_t *problem_error(const struct resp *r, size_t i);

#endif
