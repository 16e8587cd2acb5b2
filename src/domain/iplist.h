/*
 * iplist.h — source-address lists attached to a DDoS report.
 *
 * The DDoS report form (data/forms/ddos.json, "source_ips") holds at most 1,000 addresses and
 * says "※送信元IPアドレスなど、多数になる場合は別ファイルで御提出ください": longer lists of
 * attacking source addresses arrive as a separate file ("list_files"). This module turns such a
 * file into normalised indicators.
 *
 * Accepted files (UTF-8, an optional BOM; lines end with LF, CRLF or a lone CR):
 *  - plain text: one address or CIDR network per line, optionally followed by a port
 *    ("addr,port", or "addr port" with blanks or tabs between). Blank lines and lines whose
 *    first non-blank character is '#' are ignored; blanks around values are ignored.
 *  - CSV: a header row whose columns include exactly one address column, named ip, address,
 *    src_ip, source_ip, source, cidr, 送信元IPアドレス or IPアドレス (ASCII letters in any case),
 *    and optionally one each of port / src_port / ポート, first_seen, last_seen (RFC 3339 date-
 *    times) and count / packets (non-negative integers). Other columns are ignored. Fields are
 *    separated by commas or by tabs (whichever the header uses) and may be quoted ("" is a
 *    quote inside quotes); a quoted field cannot span lines. Empty cells mean "not given"; a
 *    port cell may list several ports separated by ';'. Rows whose cells are all empty and
 *    lines starting with '#' are skipped.
 * The first line that is neither blank nor a comment decides: it is a CSV header when it
 * contains a comma or a tab and one of the column names above (or is a lone address column
 * name, as a one-column spreadsheet writes it); otherwise the file is plain text.
 *
 * Addresses and networks are canonicalised by ipaddr.h (dotted quad; RFC 5952 IPv6, e.g.
 * "2001:DB8:0:0::1" → "2001:db8::1"). A network must have no host bits set; a /32 (IPv4) or
 * /128 (IPv6) network is the single host and becomes a plain address, so "192.0.2.1/32" and
 * "192.0.2.1" are one indicator. Ports are 0–65535. Counts are at most 2^53 − 1 (exact in
 * every JSON reader), and so are their sums.
 *
 * Private, loopback, link-local, documentation and other special-purpose addresses are
 * accepted as given: the reporter's list is evidence, and spoofed or internal sources are part
 * of it. Consumers that correlate or share indicators may flag such addresses; this module
 * does not judge them.
 *
 * Pure: no I/O, no globals. Linear time: each byte is examined a bounded number of times and
 * indicators are deduplicated through a hash table.
 */
#ifndef IPLIST_H
#define IPLIST_H

#include <stddef.h>

#include <jansson.h>

#include "domain/jv.h"

#define IPL_MAX_BYTES (16u << 20) /* larger input: RK_EINVAL, pointer "", rule "max_size" */
#define IPL_MAX_ITEMS 100000      /* more distinct indicators: rule "max_items" */

/*
 * Parses a source-address list of len bytes at data (not NUL-terminated).
 *
 * RK_OK: *out (caller owns; json_decref) is
 *   {"format": "text"|"csv", "count": n, "duplicates": d,
 *    "indicators": [{"type": "ipv4"|"ipv6"|"ipv4-cidr"|"ipv6-cidr", "value": canonical,
 *                    "ports": [sorted distinct ints], "first_seen": t, "last_seen": t,
 *                    "count": c}, ...]}
 * where "ports", "first_seen", "last_seen" and "count" appear only when some line gave them.
 * Indicators are in the order of their first line and distinct by value; a later line with the
 * same value counts as a duplicate (d is the number of such lines) and is merged into the first:
 * ports united, counts summed, first_seen the earliest and last_seen the latest instant (the
 * text kept as written, offsets compared as instants).
 *
 * RK_EINVAL: *out is NULL and errs (reset first) holds every error of the file, up to what
 * jv_errors keeps (it counts the rest in dropped), as {pointer, rule, message}:
 *   "/lines/<n>" (plain text; n is the 1-based physical line) or "/lines/<n>/<column>" (CSV;
 *   the column as named in the header) — rules "ip" (not an address or network, or host bits
 *   set: the message names the network meant), "port", "datetime" (also a last_seen before
 *   the first_seen of its address, on its own row or an earlier one), "integer" (a count, or a sum
 * of counts, that is not a non-negative integer of at most 2^53 − 1);
 *   "/lines/<n>" — "utf8" (the line is not UTF-8; a UTF-16 file gives this one error, at line
 *   1), "control_characters" (NUL or another control character other than tab, including
 *   U+0080–U+009F, U+2028 and U+2029), "columns" (a CSV row with a different number of fields
 *   than the header, or a quote that is not closed on its line; on the header line: no address
 *   column, or two columns of one kind — then nothing after the header is read), "max_items"
 *   (the line with the first indicator past IPL_MAX_ITEMS; reading stops there);
 *   "" — "max_size" (len > IPL_MAX_BYTES; the only error), "empty" (a file without a single
 *   indicator and without other errors).
 * RK_ENOMEM: *out is NULL (errs may hold some errors). RK_EINVAL without an error when out or
 * errs is NULL, or data is NULL with len > 0.
 */
int iplist_parse(const char *data, size_t len, json_t **out, struct jv_errors *errs);

#endif
