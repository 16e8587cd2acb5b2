/* support_server.c — see support.h. */
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <curl/curl.h>

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "test harness: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("cannot find a free port: %s", strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

static int run_wait(const char *const *argv, const char *stdin_text, char *out, size_t outcap)
{
    int in[2], o[2];
    if (pipe(in) != 0 || pipe(o) != 0) die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(o[1], 1);
        close(in[1]);
        close(o[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(o[1]);
    if (stdin_text && write(in[1], stdin_text, strlen(stdin_text)) < 0)
        die("write: %s", strerror(errno));
    close(in[1]);
    size_t n = 0;
    char buf[4096];
    ssize_t k;
    while ((k = read(o[0], buf, sizeof buf)) > 0) {
        if (out && n + (size_t)k < outcap) {
            memcpy(out + n, buf, (size_t)k);
            n += (size_t)k;
        }
    }
    if (out && outcap) out[n < outcap ? n : outcap - 1] = 0;
    close(o[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int srv_cli(struct srv *s, const char *stdin_text, char *out, size_t outcap,
            const char *const *args)
{
    const char *argv[32] = {RK_RENKEI, "--db", s->db};
    size_t n = 3;
    for (; args && *args && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    return run_wait(argv, stdin_text, out, outcap);
}

int srv_cli_all(struct srv *s, char *out, size_t cap, const char *const *args)
{
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "'%s' --db '%s'", RK_RENKEI, s->db);
    for (; *args && n > 0 && (size_t)n < sizeof cmd; args++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", *args);
    if (n < 0 || (size_t)n >= sizeof cmd - 8) die("srv_cli_all: command too long");
    snprintf(cmd + n, sizeof cmd - (size_t)n, " 2>&1");
    FILE *p = popen(cmd, "r");
    if (!p) die("popen: %s", strerror(errno));
    size_t got = fread(out, 1, cap - 1, p);
    out[got] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) die("write %s: %s", path, strerror(errno));
}

static bool healthy(struct srv *s)
{
    struct resp r;
    http(s, "GET", "/healthz", NULL, NULL, NULL, NULL, NULL, &r);
    bool ok = r.status == 200;
    resp_free(&r);
    return ok;
}

void srv_launch(struct srv *s, const char *const *extra)
{
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    const char *argv[40] = {RK_RENKEID, "--db", s->db, "--port", port, "--log", s->log};
    size_t n = 7;
    for (; extra && *extra && n < 39; extra++)
        argv[n++] = *extra;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        /* A test that dies must not leave its server running (ctest would wait for it). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        char errlog[400];
        snprintf(errlog, sizeof errlog, "%s/stderr.log", s->dir);
        int fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    for (int i = 0; i < 600; i++) { /* up to 30 s: sanitizer builds start slowly */
        if (healthy(s)) return;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            die("renkeid exited during start-up (see %s/stderr.log)", s->dir);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    die("renkeid did not become healthy on port %d", s->port);
}

void srv_start(struct srv *s, bool demo, const char *const *extra)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = true;
    }
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/renkei-test-XXXXXX");
    if (!mkdtemp(s->dir)) die("mkdtemp: %s", strerror(errno));
    snprintf(s->db, sizeof s->db, "%s/renkei.db", s->dir);
    snprintf(s->log, sizeof s->log, "%s/requests.log", s->dir);
    s->port = free_port();
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    const char *init[] = {"init", demo ? "--demo" : NULL, NULL};
    char out[8192];
    int rc = srv_cli(s, NULL, out, sizeof out, init);
    if (rc != 0) die("renkei init failed with %d: %s", rc, out);
    srv_launch(s, extra);
}

int srv_signal_wait(struct srv *s, int sig)
{
    if (s->pid <= 0) return -1;
    kill(s->pid, sig);
    int st;
    waitpid(s->pid, &st, 0);
    s->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void srv_stop(struct srv *s)
{
    srv_signal_wait(s, SIGTERM);
    if (!getenv("RK_KEEP_TEST_DIRS")) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        if (system(cmd) != 0) fprintf(stderr, "test harness: could not remove %s\n", s->dir);
    }
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = sz * n;
    char *nb = realloc(r->body, r->len + k + 1);
    if (!nb) return 0;
    r->body = nb;
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = 0;
    return k;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = sz * n, used = strlen(r->headers);
    if (used + k + 1 < sizeof r->headers) {
        memcpy(r->headers + used, p, k);
        r->headers[used + k] = 0;
    }
    return k;
}

void http(struct srv *s, const char *method, const char *path, const char *auth, const char *cookie,
          const char *csrf, const char *ctype, const char *body, struct resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    char url[4096], h[4096];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    struct curl_slist *hl = NULL;
    if (auth) {
        snprintf(h, sizeof h, "Authorization: %s", auth);
        hl = curl_slist_append(hl, h);
    }
    if (csrf) {
        snprintf(h, sizeof h, "X-CSRF-Token: %s", csrf);
        hl = curl_slist_append(hl, h);
    }
    if (ctype) {
        snprintf(h, sizeof h, "Content-Type: %s", ctype);
        hl = curl_slist_append(hl, h);
    } else {
        hl = curl_slist_append(hl, "Content-Type:");
    }
    /* Large bodies keep curl's "Expect: 100-continue", as real clients do: renkeid then refuses
     * an oversized body before it is sent instead of racing the upload with a close. */
    if (!body || strlen(body) < 65536) hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (cookie) curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    if (out->body) out->json = json_loads(out->body, 0, NULL);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
}

void http_json(struct srv *s, const char *method, const char *path, const char *token,
               const char *body, struct resp *out)
{
    http(s, method, path, token, NULL, NULL, body ? "application/json" : NULL, body, out);
}

void resp_free(struct resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *resp_header(const struct resp *r, const char *name, char *buf, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = r->headers; l && *l;) {
        const char *e = strstr(l, "\r\n");
        size_t len = e ? (size_t)(e - l) : strlen(l);
        if (len > nl && strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = len - (size_t)(v - l);
            snprintf(buf, cap, "%.*s", (int)vl, v);
            return buf;
        }
        l = e ? e + 2 : NULL;
    }
    return NULL;
}

json_t *test_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j) die("test JSON does not parse (%s): %s", e.text, text);
    return j;
}

void api_call(struct srv *s, const char *method, const char *path, const char *tok, json_t *body,
              long want, struct resp *r)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    http_json(s, method, path, tok, text, r);
    free(text);
    if (r->status != want)
        die("%s %s: %ld (want %ld): %s", method, path, r->status, want, r->body ? r->body : "");
}

int64_t srv_user_id(struct srv *s, const char *admin_tok, const char *username)
{
    struct resp r;
    api_call(s, "GET", "/api/v1/users?limit=1000", admin_tok, NULL, 200, &r);
    int64_t id = 0;
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(r.json, "items"), i, u)
    {
        const char *name = jstr(u, "username");
        if (name && strcmp(name, username) == 0) id = jnum(u, "id");
    }
    resp_free(&r);
    if (id <= 0) die("no user %s", username);
    return id;
}

int64_t srv_org_of(struct srv *s, const char *tok)
{
    struct resp r;
    api_call(s, "GET", "/api/v1/me", tok, NULL, 200, &r);
    int64_t id = jnum(json_object_get(r.json, "org"), "id");
    resp_free(&r);
    if (id <= 0) die("GET /api/v1/me: no organisation id");
    return id;
}

void login(struct srv *s, const char *username, char *cookie, size_t ccap, char *csrf, size_t scap)
{
    char body[256], hv[512];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"renkei-demo-%s\"}", username,
             username);
    struct resp r;
    http(s, "POST", "/api/v1/session", NULL, NULL, NULL, "application/json", body, &r);
    if (r.status != 201 || !resp_header(&r, "Set-Cookie", hv, sizeof hv))
        die("login as %s failed: %ld %s", username, r.status, r.body ? r.body : "");
    snprintf(cookie, ccap, "%.*s", (int)strcspn(hv, ";"), hv);
    snprintf(csrf, scap, "%s", json_string_value(json_object_get(r.json, "csrf_token")));
    resp_free(&r);
}

void bearer(struct srv *s, const char *username, char *out, size_t cap)
{
    char cookie[256], csrf[128];
    login(s, username, cookie, sizeof cookie, csrf, sizeof csrf);
    struct resp me, r;
    http(s, "GET", "/api/v1/me", NULL, cookie, NULL, NULL, NULL, &me);
    json_t *roles = json_object_get(json_object_get(me.json, "user"), "roles");
    char *rs = json_dumps(roles, JSON_COMPACT);
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"test\",\"roles\":%s,\"expires_in_days\":1}", rs);
    free(rs);
    resp_free(&me);
    http(s, "POST", "/api/v1/tokens", NULL, cookie, csrf, "application/json", body, &r);
    if (r.status != 201)
        die("token for %s failed: %ld %s", username, r.status, r.body ? r.body : "");
    snprintf(out, cap, "Bearer %s", json_string_value(json_object_get(r.json, "token")));
    resp_free(&r);
}

json_t *problem_error(const struct resp *r, size_t i)
{
    return json_array_get(json_object_get(r->json, "errors"), i);
}
