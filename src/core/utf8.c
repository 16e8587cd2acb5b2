/* utf8.c — the strict decoder of utf8.h. */
#include "core/utf8.h"

size_t rk_utf8_next(const unsigned char *s, size_t len, size_t i, unsigned long *cp)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t k;
    unsigned lo = 0x80, hi = 0xBF; /* the second byte's range narrows for some lead bytes */
    if (c >= 0xC2 && c <= 0xDF) {
        k = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 2;
        lo = c == 0xE0 ? 0xA0 : lo; /* no overlong 3-byte forms */
        hi = c == 0xED ? 0x9F : hi; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 3;
        lo = c == 0xF0 ? 0x90 : lo; /* no overlong 4-byte forms */
        hi = c == 0xF4 ? 0x8F : hi; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (len - i - 1 < k || s[i + 1] < lo || s[i + 1] > hi) return 0;
    unsigned long v = c & (0x3Fu >> k);
    for (size_t j = 1; j <= k; j++) {
        if ((s[i + j] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i + j] & 0x3Fu);
    }
    *cp = v;
    return k + 1;
}
