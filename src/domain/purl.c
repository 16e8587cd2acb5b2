#include "domain/purl.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/rk.h"

static int fail(struct purl_error *err, const char *part, const char *msg)
{
    if (err) {
        err->part = part;
        err->message = msg;
    }
    return RK_EINVAL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes in[0..n) into out; refuses stray "%", NUL bytes and overflow. */
static bool decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n) return false;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c == 0 || k + 1 >= cap) return false;
        out[k++] = (char)c;
    }
    out[k] = 0;
    return true;
}

/* Splits s at '/' into decoded, non-empty segments. */
static int segments(char *s, char seg[][PURL_SEG_MAX], size_t *nseg, bool subpath, const char *part,
                    struct purl_error *err)
{
    *nseg = 0;
    for (char *p = s; p && *p;) {
        char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n > 0) {
            if (*nseg == PURL_MAX_SEGMENTS) return fail(err, part, "more than 16 segments");
            if (!decode(p, n, seg[*nseg], PURL_SEG_MAX))
                return fail(err, part, "bad percent-encoding, NUL, or a segment over 255 bytes");
            if (strchr(seg[*nseg], '/'))
                return fail(err, part, "a segment may not contain an encoded /");
            if (subpath && (strcmp(seg[*nseg], ".") == 0 || strcmp(seg[*nseg], "..") == 0))
                return fail(err, part, "a subpath may not contain . or .. segments");
            (*nseg)++;
        }
        p = slash ? slash + 1 : NULL;
    }
    return RK_OK;
}

static int qualifiers(char *s, struct purl *out, struct purl_error *err)
{
    for (char *p = s; p && *p;) {
        char *amp = strchr(p, '&');
        if (amp) *amp = 0;
        char *eq = strchr(p, '=');
        if (!eq || eq == p) return fail(err, "qualifiers", "each qualifier is key=value");
        size_t kn = (size_t)(eq - p);
        if (kn >= sizeof out->q[0].key)
            return fail(err, "qualifiers", "a key is longer than 63 characters");
        struct purl_qualifier q;
        for (size_t i = 0; i < kn; i++) {
            char c = (char)tolower((unsigned char)p[i]);
            if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_') ||
                (i == 0 && !isalpha((unsigned char)c)))
                return fail(err, "qualifiers",
                            "keys are letters, digits, . - _ and start with a letter");
            q.key[i] = c;
        }
        q.key[kn] = 0;
        if (!decode(eq + 1, strlen(eq + 1), q.value, sizeof q.value))
            return fail(err, "qualifiers", "bad percent-encoding, NUL, or a value over 255 bytes");
        for (size_t i = 0; i < out->nq; i++)
            if (strcmp(out->q[i].key, q.key) == 0)
                return fail(err, "qualifiers", "a key appears twice");
        if (q.value[0]) {
            if (out->nq == PURL_MAX_QUALIFIERS)
                return fail(err, "qualifiers", "more than 32 qualifiers");
            /* Keep them sorted: the canonical form lists qualifiers by key. */
            size_t at = out->nq;
            while (at > 0 && strcmp(out->q[at - 1].key, q.key) > 0) {
                out->q[at] = out->q[at - 1];
                at--;
            }
            out->q[at] = q;
            out->nq++;
        }
        p = amp ? amp + 1 : NULL;
    }
    return RK_OK;
}

int purl_parse(const char *s, struct purl *out, struct purl_error *err)
{
    char buf[PURL_MAX_LEN + 1];
    if (!s || !out) return fail(err, "purl", "no purl");
    size_t len = strnlen(s, PURL_MAX_LEN + 1);
    if (len > PURL_MAX_LEN) return fail(err, "purl", "longer than 2048 characters");
    memcpy(buf, s, len + 1);
    memset(out, 0, sizeof *out);
    int rc;
    char *hash = strrchr(buf, '#');
    if (hash) {
        *hash = 0;
        if ((rc = segments(hash + 1, out->subpath, &out->nsub, true, "subpath", err)) != RK_OK)
            return rc;
    }
    char *q = strrchr(buf, '?');
    if (q) {
        *q = 0;
        if ((rc = qualifiers(q + 1, out, err)) != RK_OK) return rc;
    }
    if (strncasecmp(buf, "pkg:", 4) != 0) return fail(err, "scheme", "a purl starts with pkg:");
    char *rest = buf + 4;
    while (*rest == '/')
        rest++;
    char *slash = strchr(rest, '/');
    if (!slash || slash == rest)
        return fail(err, "type", "a purl needs a type and a name: pkg:type/name");
    size_t tn = (size_t)(slash - rest);
    if (tn >= sizeof out->type) return fail(err, "type", "a type is at most 63 characters");
    for (size_t i = 0; i < tn; i++) {
        char c = (char)tolower((unsigned char)rest[i]);
        if (!(isalnum((unsigned char)c) || c == '.' || c == '-') ||
            (i == 0 && !isalpha((unsigned char)c)))
            return fail(err, "type", "a type is letters, digits, . and -, starting with a letter");
        out->type[i] = c;
    }
    out->type[tn] = 0;
    rest = slash + 1;
    size_t rl = strlen(rest);
    while (rl > 0 && rest[rl - 1] == '/')
        rest[--rl] = 0;
    char *at = strrchr(rest, '@');
    if (at) {
        *at = 0;
        if (!decode(at + 1, strlen(at + 1), out->version, sizeof out->version) || !out->version[0])
            return fail(err, "version", "empty, badly percent-encoded, or over 255 bytes");
    }
    char *name = strrchr(rest, '/');
    char *ns = NULL;
    if (name) {
        *name = 0;
        ns = rest;
        name++;
    } else {
        name = rest;
    }
    if (!decode(name, strlen(name), out->name, sizeof out->name) || !out->name[0])
        return fail(err, "name", "a name is required (percent-encoded, at most 255 bytes)");
    if (ns && (rc = segments(ns, out->ns, &out->nns, false, "namespace", err)) != RK_OK) return rc;
    return RK_OK;
}

struct out {
    char *buf;
    size_t cap, len;
    bool full;
};

static void put(struct out *o, const char *s, bool encode)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p && !o->full; p++) {
        bool keep =
            !encode || isalnum(*p) || *p == '.' || *p == '-' || *p == '_' || *p == '~' || *p == ':';
        size_t need = keep ? 1 : 3;
        if (o->len + need >= o->cap) {
            o->full = true;
            break;
        }
        if (keep) {
            o->buf[o->len++] = (char)*p;
        } else {
            o->buf[o->len++] = '%';
            o->buf[o->len++] = hex[*p >> 4];
            o->buf[o->len++] = hex[*p & 15];
        }
    }
    if (o->cap) o->buf[o->len < o->cap ? o->len : o->cap - 1] = 0;
}

int purl_format(const struct purl *p, char *buf, size_t cap)
{
    struct out o = {.buf = buf, .cap = cap};
    if (!cap) return RK_ELIMIT;
    put(&o, "pkg:", false);
    put(&o, p->type, false);
    put(&o, "/", false);
    for (size_t i = 0; i < p->nns; i++) {
        put(&o, p->ns[i], true);
        put(&o, "/", false);
    }
    put(&o, p->name, true);
    if (p->version[0]) {
        put(&o, "@", false);
        put(&o, p->version, true);
    }
    for (size_t i = 0; i < p->nq; i++) {
        put(&o, i ? "&" : "?", false);
        put(&o, p->q[i].key, false);
        put(&o, "=", false);
        put(&o, p->q[i].value, true);
    }
    for (size_t i = 0; i < p->nsub; i++) {
        put(&o, i ? "/" : "#", false);
        put(&o, p->subpath[i], true);
    }
    return o.full ? RK_ELIMIT : RK_OK;
}
