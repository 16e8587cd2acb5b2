#include "auth/auth.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/rk.h"

int auth_password_hash(const char *pw, char *out, size_t cap)
{
    size_t n = strlen(pw);
    if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX || cap < crypto_pwhash_STRBYTES)
        return RK_EINVAL;
    if (crypto_pwhash_str_alg(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return RK_ENOMEM;
    return RK_OK;
}

/* The dummy hash is made once, with the same parameters as real hashes. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static void make_dummy(void)
{
    /* On failure the dummy stays empty and verification just fails faster. */
    if (crypto_pwhash_str_alg(
            dummy_hash, "renkei-dummy-password", 21, crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        dummy_hash[0] = 0;
}

bool auth_password_verify(const char *hash, const char *pw)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    size_t n = strlen(pw);
    if (n > AUTH_PASSWORD_MAX) return false;
    if (!hash || !hash[0]) {
        /* Spend the same work as a real check, then fail. */
        pthread_once(&once, make_dummy);
        int ignored = crypto_pwhash_str_verify(dummy_hash, pw, n);
        (void)ignored;
        return false;
    }
    return crypto_pwhash_str_verify(hash, pw, n) == 0;
}

void auth_secret_new(const char *prefix, char *out, size_t cap, unsigned char hash[AUTH_HASH_LEN])
{
    unsigned char raw[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    size_t pl = strlen(prefix);
    if (cap < pl + strlen(b64) + 1) {
        out[0] = 0;
        memset(hash, 0, AUTH_HASH_LEN);
        return;
    }
    memcpy(out, prefix, pl);
    memcpy(out + pl, b64, strlen(b64) + 1);
    auth_secret_hash(out, strlen(out), hash);
}

void auth_secret_hash(const char *s, size_t len, unsigned char hash[AUTH_HASH_LEN])
{
    static const unsigned char key[] = "renkei-credential-v1";
    crypto_generichash(hash, AUTH_HASH_LEN, (const unsigned char *)s, len, key, sizeof key - 1);
}

bool auth_secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n == 0 || n != strlen(b)) return false;
    return sodium_memcmp(a, b, n) == 0;
}

#define THROTTLE_SLOTS 4096

struct throttle_slot {
    int64_t window_start;
    unsigned count;
};

struct auth_throttle {
    pthread_mutex_t mu;
    unsigned max;
    int64_t window_ms;
    struct throttle_slot slot[THROTTLE_SLOTS];
};

int auth_throttle_new(unsigned max, int64_t window_ms, struct auth_throttle **out)
{
    struct auth_throttle *t = calloc(1, sizeof *t);
    if (!t) return RK_ENOMEM;
    pthread_mutex_init(&t->mu, NULL);
    t->max = max;
    t->window_ms = window_ms;
    *out = t;
    return RK_OK;
}

void auth_throttle_free(struct auth_throttle *t)
{
    if (!t) return;
    pthread_mutex_destroy(&t->mu);
    free(t);
}

bool auth_throttle_allow(struct auth_throttle *t, const char *addr, int64_t now_ms)
{
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)addr, strlen(addr), NULL, 0);
    size_t i = (((size_t)h[0] << 8) | h[1]) % THROTTLE_SLOTS;
    pthread_mutex_lock(&t->mu);
    struct throttle_slot *s = &t->slot[i];
    if (now_ms - s->window_start >= t->window_ms) {
        s->window_start = now_ms;
        s->count = 0;
    }
    bool ok = s->count < t->max;
    if (ok) s->count++;
    pthread_mutex_unlock(&t->mu);
    return ok;
}
