/*
 * purl.c — Package URL parsing and canonical form. The contract is in purl.h. Character classes
 * are spelt out in ASCII rather than taken from <ctype.h>: a locale set elsewhere in the process
 * must not change what a valid purl is or how it is encoded.
 */
#include "domain/purl.h"

#include <stdbool.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"

static int fail(struct purl_error *err, const char *part, const char *msg)
{
    if (err) {
        err->part = part;
        err->message = msg;
    }
    return RK_EINVAL;
}

static void fold(char *s)
{
    for (; *s; s++)
        *s = rk_lower(*s);
}

/* Percent-decodes in[0..n) into out; refuses a stray "%", NUL bytes and overflow. */
static bool decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n) return false;
            int hi = rk_hexval(in[i + 1]), lo = rk_hexval(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        /* A NUL would cut the component short when it is used as a C string. */
        if (c == 0 || k + 1 >= cap) return false;
        out[k++] = (char)c;
    }
    out[k] = 0;
    return true;
}

/* Splits s at '/' into decoded segments, dropping empty ones ("a//b" is "a/b"). */
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
            /* Refused rather than dropped (the parsing guide drops them): a subpath naming
             * "." or ".." is a path trick, not a location inside a package. */
            if (subpath && (strcmp(seg[*nseg], ".") == 0 || strcmp(seg[*nseg], "..") == 0))
                return fail(err, part, "a subpath may not contain . or .. segments");
            (*nseg)++;
        }
        p = slash ? slash + 1 : NULL;
    }
    return RK_OK;
}

/*
 * key=value pairs separated by '&'. Every pair written counts against the limit and takes part
 * in the uniqueness check, even one whose empty value is then dropped: "a=&a=1" names "a"
 * twice. Empty pieces ("a=1&&b=2", a trailing '&') are skipped.
 */
static int qualifiers(char *s, struct purl *out, struct purl_error *err)
{
    size_t written = 0;
    for (char *p = s; p;) {
        char *amp = strchr(p, '&');
        if (amp) *amp = 0;
        if (*p) {
            char *eq = strchr(p, '=');
            if (!eq || eq == p) return fail(err, "qualifiers", "each qualifier is key=value");
            if (written == PURL_MAX_QUALIFIERS)
                return fail(err, "qualifiers", "more than 32 qualifiers");
            size_t kn = (size_t)(eq - p);
            if (kn >= sizeof out->q[0].key)
                return fail(err, "qualifiers", "a key is longer than 63 characters");
            struct purl_qualifier *q = &out->q[written];
            for (size_t i = 0; i < kn; i++) {
                char c = rk_lower(p[i]);
                if (!(rk_is_alpha((unsigned char)c) || rk_is_digit((unsigned char)c) || c == '.' ||
                      c == '-' || c == '_') ||
                    (i == 0 && !rk_is_alpha((unsigned char)c)))
                    return fail(err, "qualifiers",
                                "a key is letters, digits, . - _ and starts with a letter");
                q->key[i] = c;
            }
            q->key[kn] = 0;
            if (!decode(eq + 1, strlen(eq + 1), q->value, sizeof q->value))
                return fail(err, "qualifiers",
                            "bad percent-encoding, NUL, or a value over 255 bytes");
            for (size_t i = 0; i < written; i++)
                if (strcmp(out->q[i].key, q->key) == 0)
                    return fail(err, "qualifiers", "a key appears twice");
            written++;
        }
        p = amp ? amp + 1 : NULL;
    }
    /* Drop the empty values, then sort by key: the canonical form lists qualifiers so. */
    out->nq = 0;
    for (size_t i = 0; i < written; i++) {
        if (!out->q[i].value[0]) continue;
        struct purl_qualifier q = out->q[i];
        size_t at = out->nq;
        while (at > 0 && strcmp(out->q[at - 1].key, q.key) > 0) {
            out->q[at] = out->q[at - 1];
            at--;
        }
        out->q[at] = q;
        out->nq++;
    }
    return RK_OK;
}

/*
 * Type-specific normalisation from the purl type definitions: the components these types
 * declare case-insensitive are folded to lower case, and PyPI names use "-" for "_", so that
 * "pkg:pypi/Django_Auth" and "pkg:pypi/django-auth" are one package when matched. Other
 * type rules (required or prohibited namespaces, name syntax) are not enforced: a purl from a
 * feed that breaks them still names something worth matching.
 */
static const struct {
    const char *type;
    bool ns, name, version, dash;
} type_rules[] = {
    {"alpm", true, true, false, false},
    {"apk", true, true, false, false},
    {"bitbucket", true, true, false, false},
    {"bitnami", false, true, false, false},
    {"brew", true, true, false, false},
    {"chrome-extension", false, true, false, false},
    {"composer", true, true, false, false},
    {"deb", true, true, false, false},
    {"github", true, true, false, false},
    {"hex", true, true, false, false},
    {"huggingface", false, false, true, false},
    {"luarocks", true, true, false, false},
    {"oci", false, true, true, false},
    {"otp", false, true, false, false},
    {"pub", false, true, false, false},
    {"pypi", false, true, true, true},
    {"qpkg", true, false, false, false},
    {"rpm", true, false, false, false},
    {"vscode-extension", true, true, true, false},
    {"yocto", true, false, false, false},
};

static void normalise(struct purl *p)
{
    for (size_t r = 0; r < RK_ARRAY_LEN(type_rules); r++) {
        if (strcmp(type_rules[r].type, p->type) != 0) continue;
        if (type_rules[r].ns)
            for (size_t i = 0; i < p->nns; i++)
                fold(p->ns[i]);
        if (type_rules[r].name) fold(p->name);
        if (type_rules[r].version) fold(p->version);
        if (type_rules[r].dash)
            for (char *c = p->name; *c; c++)
                if (*c == '_') *c = '-';
        return;
    }
}

int purl_parse(const char *s, struct purl *out, struct purl_error *err)
{
    char buf[PURL_MAX_LEN + 1];
    if (!s || !out) return fail(err, "purl", "no purl");
    size_t len = strnlen(s, PURL_MAX_LEN + 1);
    if (len > PURL_MAX_LEN) return fail(err, "purl", "longer than 2048 characters");
    memset(out, 0, sizeof *out);
    /* The scheme first: "not a purl at all" is the more useful complaint for a string whose
     * tail also breaks a rule. */
    if (len < 4 || rk_lower(s[0]) != 'p' || rk_lower(s[1]) != 'k' || rk_lower(s[2]) != 'g' ||
        s[3] != ':')
        return fail(err, "scheme", "a purl starts with pkg:");
    memcpy(buf, s, len + 1);
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
    char *rest = buf + 4;
    while (*rest == '/') /* "pkg://type/..." is tolerated */
        rest++;
    char *slash = strchr(rest, '/');
    if (!slash || slash == rest)
        return fail(err, "type", "a purl needs a type and a name: pkg:type/name");
    size_t tn = (size_t)(slash - rest);
    if (tn >= sizeof out->type) return fail(err, "type", "a type is at most 63 characters");
    for (size_t i = 0; i < tn; i++) {
        char c = rk_lower(rest[i]);
        if (!(rk_is_alpha((unsigned char)c) || rk_is_digit((unsigned char)c) || c == '.' ||
              c == '-') ||
            (i == 0 && !rk_is_alpha((unsigned char)c)))
            return fail(err, "type", "a type is letters, digits, . and -, starting with a letter");
        out->type[i] = c;
    }
    out->type[tn] = 0;
    rest = slash + 1;
    size_t rl = strlen(rest);
    while (rl > 0 && rest[rl - 1] == '/')
        rest[--rl] = 0;
    /* The version hangs off the last segment only, so the "@" of an unencoded npm scope
     * ("pkg:npm/@babel/core") stays in the namespace, as the specification's tests expect. */
    char *name = strrchr(rest, '/');
    char *at = strrchr(name ? name : rest, '@');
    if (at) {
        *at = 0;
        if (!decode(at + 1, strlen(at + 1), out->version, sizeof out->version) || !out->version[0])
            return fail(err, "version", "empty, badly percent-encoded, or over 255 bytes");
    }
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
    normalise(out);
    return RK_OK;
}

struct out {
    char *buf;
    size_t cap, len;
    bool full;
};

/* Appends s, percent-encoding all but the unreserved characters and ":" (which the
 * specification leaves bare) when encode is set. */
static void put(struct out *o, const char *s, bool encode)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p && !o->full; p++) {
        bool keep = !encode || rk_is_alpha(*p) || rk_is_digit(*p) || *p == '.' || *p == '-' ||
                    *p == '_' || *p == '~' || *p == ':';
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
    o->buf[o->len] = 0;
}

int purl_format(const struct purl *p, char *buf, size_t cap)
{
    struct out o = {.buf = buf, .cap = cap};
    if (!p || !buf) return RK_EINVAL;
    if (!cap) return RK_ELIMIT;
    buf[0] = 0;
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
