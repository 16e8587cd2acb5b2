/*
 * ascii.h — character classes for parsers of wire formats (CPE, purl, JSON formats).
 *
 * <ctype.h> follows the process locale, so what a parser accepts could change with LANG; these
 * are plain ASCII, always. They take any char or unsigned char value; bytes ≥ 0x80 (and
 * negative chars) are in no class.
 */
#ifndef RK_ASCII_H
#define RK_ASCII_H

#include <stdbool.h>

static inline bool rk_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool rk_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int rk_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* 0–15 for a hex digit of either case, else -1. */
static inline int rk_hexval(int c)
{
    if (rk_is_digit(c)) return c - '0';
    c = rk_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#endif
