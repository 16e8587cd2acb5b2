/*
 * utf8.h — one strict UTF-8 decoder (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF) for every module that checks text itself: jv (lengths), report forms (control
 * characters) and inventory files (encoding errors).
 */
#ifndef RK_UTF8_H
#define RK_UTF8_H

#include <stddef.h>

/* Decodes the code point at s[i] (i < len) into *cp; returns its length in bytes (1–4), or 0
 * when the bytes there are not valid UTF-8. NUL decodes as U+0000 (callers decide). */
size_t rk_utf8_next(const unsigned char *s, size_t len, size_t i, unsigned long *cp);

#endif
