/*
 * ipaddr.h — IP addresses and networks in canonical text form, shared by the asset inventory
 * (ip_ranges) and the incident report forms (ip_list, cidr_list).
 *
 * Syntax is inet_pton's: IPv4 only as a dotted quad of decimal numbers without leading zeros,
 * IPv6 as RFC 4291 text (an embedded dotted quad allowed), no zone ids, no surrounding blanks.
 * Canonical text is inet_ntop's: the dotted quad, and for IPv6 the RFC 5952 form (lower case,
 * the longest run of zero groups compressed) as glibc writes it.
 *
 * Pure: no allocation, no I/O, no globals.
 */
#ifndef IPADDR_H
#define IPADDR_H

#include <stddef.h>

/* Longest input considered: the longest IPv6 text ("ffff:…:255.255.255.255", 45 bytes) plus
 * "/128", with a little room. Anything longer cannot be an address or a network. */
#define IP_TEXT_MAX 64
/* A buffer this large holds any canonical address or network and its NUL. */
#define IP_CANON_CAP 64

/* Flags of ip_cidr_canon. */
enum ip_cidr_flag {
    IP_CIDR_BARE_HOST = 1u << 0, /* a bare address is the single host /32 or /128 */
};

/*
 * Canonical text of the address s (len bytes, not NUL-terminated) into out (cap bytes, at least
 * IP_CANON_CAP). RK_OK, or RK_EINVAL when s is not one IPv4 or IPv6 address (or cap is short).
 */
int ip_addr_canon(const char *s, size_t len, char *out, size_t cap);

/*
 * Canonical "address/prefix" text of the network s into out (cap ≥ IP_CANON_CAP). The prefix
 * must be 0–32 (IPv4) or 0–128 (IPv6) and every host bit after it zero. Without
 * IP_CIDR_BARE_HOST the "/prefix" part is required. RK_OK, or RK_EINVAL with an English reason
 * in why (wcap bytes; the reason for host bits names the network that was probably meant).
 */
int ip_cidr_canon(const char *s, size_t len, unsigned flags, char *out, size_t cap, char *why,
                  size_t wcap);

#endif
