/*
 * rk.h — error codes and small helpers shared by every module.
 *
 * Every function that can fail returns an int: RK_OK (0) on success or one of the negative
 * RK_E* codes below. Functions never print and never exit; only main() does.
 */
#ifndef RK_H
#define RK_H

#include <stddef.h>
#include <stdint.h>

enum rk_err {
    RK_OK = 0,
    RK_ENOMEM = -1,    /* allocation failed */
    RK_EINVAL = -2,    /* input breaks a rule: the caller can report it */
    RK_ENOTFOUND = -3, /* no such object (or not visible: callers must not distinguish) */
    RK_ECONFLICT = -4, /* uniqueness or state conflict */
    RK_EIO = -5,       /* storage or OS error */
    RK_EDENIED = -6,   /* the principal may not do this */
    RK_ELIMIT = -7,    /* an explicit size/count/time limit was exceeded */
    RK_ECORRUPT = -8,  /* stored data fails an integrity check */
    RK_EAUTH = -9,     /* missing or bad credential */
    RK_ELOCKED = -10,  /* account temporarily locked */
};

/* Returns a static, human-readable name for an RK_E* code. */
const char *rk_strerror(int rc);

#define RK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
