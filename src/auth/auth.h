/*
 * auth.h — credentials: argon2id password hashes, random bearer secrets, login throttling.
 *
 * Secrets (API tokens, session ids) are 256 random bits, shown once, and stored only as their
 * BLAKE2b-256 hash: a stolen database gives no usable credential. Passwords use libsodium's
 * crypto_pwhash_str (argon2id). sodium_init() must have succeeded before any call.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define AUTH_HASH_LEN crypto_generichash_BYTES
#define AUTH_SECRET_MAX 64 /* "rk_" + 43 base64url chars + NUL fits */
#define AUTH_PASSWORD_MIN 12
#define AUTH_PASSWORD_MAX 1024 /* bytes: the API allows 256 code points of UTF-8 */

/* Hashes a password into out (NUL-terminated, < cap). Returns RK_OK, RK_EINVAL (length
 * outside AUTH_PASSWORD_MIN..MAX bytes; the API's schemas bound code points, 12..256) or
 * RK_ENOMEM (argon2id could not get its memory). */
int auth_password_hash(const char *pw, char *out, size_t cap);

/* True when pw matches hash. With hash == NULL it verifies against a fixed dummy hash, so an
 * unknown username costs the same time as a wrong password. */
bool auth_password_verify(const char *hash, const char *pw);

/* Makes a new secret "<prefix><43 base64url chars>" into out (cap ≥ AUTH_SECRET_MAX) and its
 * hash. prefix: "rk_" for API tokens, "" for session cookies. */
void auth_secret_new(const char *prefix, char *out, size_t cap, unsigned char hash[AUTH_HASH_LEN]);

/* Hash of a presented secret (any bytes, bounded by the caller). */
void auth_secret_hash(const char *s, size_t len, unsigned char hash[AUTH_HASH_LEN]);

/* Constant-time string comparison for CSRF tokens; false when lengths differ. */
bool auth_secret_equal(const char *a, const char *b);

/*
 * Per-client-address login throttle: at most `max` attempts per `window_ms`. A fixed table of
 * slots (hash of the address), so memory is bounded whatever the number of addresses; a
 * collision can only make throttling stricter. Thread-safe.
 */
struct auth_throttle;
int auth_throttle_new(unsigned max, int64_t window_ms, struct auth_throttle **out);
void auth_throttle_free(struct auth_throttle *t);
/* Counts an attempt from addr at now_ms; false when the address is over its budget. */
bool auth_throttle_allow(struct auth_throttle *t, const char *addr, int64_t now_ms);

#endif
