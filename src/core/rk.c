#include "rk.h"

const char *rk_strerror(int rc)
{
    switch (rc) {
    case RK_OK:
        return "ok";
    case RK_ENOMEM:
        return "out of memory";
    case RK_EINVAL:
        return "invalid input";
    case RK_ENOTFOUND:
        return "not found";
    case RK_ECONFLICT:
        return "conflict";
    case RK_EIO:
        return "storage or I/O error";
    case RK_EDENIED:
        return "permission denied";
    case RK_ELIMIT:
        return "limit exceeded";
    case RK_ECORRUPT:
        return "integrity check failed";
    case RK_EAUTH:
        return "authentication required";
    case RK_ELOCKED:
        return "account temporarily locked";
    }
    return "unknown error";
}
