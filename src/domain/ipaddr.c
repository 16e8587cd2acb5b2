/*
 * ipaddr.c — canonical IP address and network text (contract in ipaddr.h).
 *
 * inet_pton does the address syntax (no leading zeros in IPv4, no zone ids) and inet_ntop
 * writes RFC 5952 text for IPv6 on glibc; both are pure, so this module is too.
 */
#include "domain/ipaddr.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/ascii.h"
#include "core/rk.h"

/* Parses the address text (NUL-terminated) into bytes; *af becomes AF_INET or AF_INET6. */
static int parse_addr(const char *text, int *af, unsigned char bytes[16])
{
    /* A colon can only be IPv6: inet_pton(AF_INET) refuses it anyway, and choosing first keeps
     * "1.2.3.4" from ever being read as an IPv6 fragment. */
    *af = strchr(text, ':') ? AF_INET6 : AF_INET;
    return inet_pton(*af, text, bytes) == 1 ? RK_OK : RK_EINVAL;
}

/* Copies s into buf (cap > IP_TEXT_MAX) as a C string; RK_EINVAL when too long or with a NUL. */
static int copy_text(const char *s, size_t len, char *buf)
{
    if (!s || len > IP_TEXT_MAX || memchr(s, '\0', len)) return RK_EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return RK_OK;
}

int ip_addr_canon(const char *s, size_t len, char *out, size_t cap)
{
    char addr[IP_TEXT_MAX + 1];
    unsigned char bytes[16];
    int af;
    if (!out || cap < IP_CANON_CAP || copy_text(s, len, addr) != RK_OK ||
        parse_addr(addr, &af, bytes) != RK_OK)
        return RK_EINVAL;
    return inet_ntop(af, bytes, out, (socklen_t)cap) ? RK_OK : RK_EINVAL;
}

/* The prefix length after the slash: 1–3 decimal digits, at most bits. */
static int parse_prefix(const char *p, unsigned bits, unsigned *prefix)
{
    size_t n = strlen(p);
    if (n < 1 || n > 3) return RK_EINVAL;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rk_is_digit(p[i])) return RK_EINVAL;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > bits) return RK_EINVAL;
    *prefix = v;
    return RK_OK;
}

int ip_cidr_canon(const char *s, size_t len, unsigned flags, char *out, size_t cap, char *why,
                  size_t wcap)
{
    char addr[IP_TEXT_MAX + 1];
    unsigned char bytes[16];
    int af;
    if (!out || cap < IP_CANON_CAP || copy_text(s, len, addr) != RK_OK) {
        snprintf(why, wcap, "is not an IP network");
        return RK_EINVAL;
    }
    char *slash = strrchr(addr, '/');
    if (slash) *slash = '\0';
    if (parse_addr(addr, &af, bytes) != RK_OK || (!slash && !(flags & IP_CIDR_BARE_HOST))) {
        snprintf(why, wcap,
                 "is not an IPv4 or IPv6 network such as 203.0.113.0/24 or 2001:db8::/48");
        return RK_EINVAL;
    }
    unsigned bits = af == AF_INET6 ? 128 : 32;
    unsigned prefix = bits;
    if (slash && parse_prefix(slash + 1, bits, &prefix) != RK_OK) {
        snprintf(why, wcap, "has a prefix length that is not a number from 0 to %u", bits);
        return RK_EINVAL;
    }
    /* Host bits: every bit after the prefix must be zero, or the text names a host inside a
     * network rather than the network; say which network was probably meant. */
    bool host_bits = false;
    for (unsigned i = prefix; i < bits; i++) {
        unsigned char m = (unsigned char)(0x80u >> (i % 8));
        if (bytes[i / 8] & m) {
            host_bits = true;
            bytes[i / 8] &= (unsigned char)~m;
        }
    }
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(af, bytes, text, sizeof text)) {
        snprintf(why, wcap, "is not an IP network");
        return RK_EINVAL;
    }
    if (host_bits) {
        snprintf(why, wcap, "has host bits set after the /%u prefix: the network is %s/%u", prefix,
                 text, prefix);
        return RK_EINVAL;
    }
    snprintf(out, cap, "%s/%u", text, prefix);
    return RK_OK;
}
