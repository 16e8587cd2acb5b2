/*
 * refdata.h — the reference data: sectors, ministries, service maintenance levels, holidays.
 *
 * refdata_load() reads four files from a data directory (data/ in the repository):
 *   sectors.json         {"source", "sectors": [{code, list, name_ja, name_en, notes?}]}
 *   ministries.json      {"source", "ministries": [{code, name_ja, name_en, sectors[], notes?}]}
 *   service_levels.json  {"source", "levels": [{sector, level_basis, text_ja, text_en, ...}]}
 *   holidays-jp.json     {"source", "holidays": [{date, name_ja, name_en}]}
 * data/SOURCES.md says where each comes from. The data is validated as a whole before anything
 * is returned, so the rest of the server may rely on these invariants:
 *   - 1..64 sectors with unique codes matching ^(core|ci)\.[a-z_]+$, the prefix equal to "list";
 *   - sector index i is bit i of every sector mask: the ORDER of sectors.json is part of the
 *     storage contract (new sectors are appended, never inserted);
 *   - ministries have unique codes (^[a-z][a-z0-9_]{0,31}$), name only existing sectors,
 *     and every sector is covered by at least one ministry;
 *   - every service level names an existing sector;
 *   - holiday dates are real calendar dates, strictly increasing.
 * Objects in the files accept only the members listed in refdata.c: a misspelt member is an
 * error, not silently ignored.
 *
 * Ownership: everything hanging off a struct refdata, including every string, is owned by it
 * and lives until refdata_free(). Strings point into rd->json, so rd->json must be treated as
 * read-only (json_incref() it to hand it on, json_deep_copy() it to change it). After loading
 * nothing is modified, so one struct refdata may be shared by any number of threads.
 *
 * No printing, no exit, no globals.
 */
#ifndef RK_REFDATA_H
#define RK_REFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define RD_MAX_SECTORS 64       /* sector sets are uint64_t masks */
#define RD_MINISTRY_CODE_MAX 32 /* bytes; organisations store the code in a fixed field */

enum rd_list {
    RD_LIST_CORE = 0, /* 基幹インフラ: Economic Security Promotion Act Art. 50 business sectors */
    RD_LIST_CI = 1, /* 重要インフラ: CI Cybersecurity Action Plan sectors */
};

struct rd_sector {
    const char *code; /* "ci.finance" */
    enum rd_list list;
    const char *name_ja;
    const char *name_en;
};

struct rd_ministry {
    const char *code; /* "fsa" */
    const char *name_ja;
    const char *name_en;
    uint64_t sectors; /* bit i = sector index i */
};

struct rd_service_level {
    int sector;               /* sector index */
    const char *subsector_ja; /* NULL unless the table splits the sector (finance) */
    const char *subsector_en;
    const char *service_ja; /* NULL when the entry names no service */
    const char *service_en;
    /* true: the table states a 【サービス維持レベル】; false: deemed by the table's note 2
     * ("no service disruption caused by a system failure") */
    bool explicit_level;
    const char *text_ja; /* authoritative; may hold several conditions separated by '\n' */
    const char *text_en;
};

struct rd_holiday {
    int32_t day;   /* days since 1970-01-01 */
    char date[11]; /* "YYYY-MM-DD" */
    const char *name_ja;
    const char *name_en;
};

struct refdata {
    struct rd_sector sectors[RD_MAX_SECTORS];
    size_t nsectors;
    struct rd_ministry *ministries;
    size_t nministries;
    struct rd_service_level *levels; /* in file order */
    size_t nlevels;
    struct rd_holiday *holidays; /* sorted by day, no duplicates */
    size_t nholidays;
    /* {"sectors": [...], "ministries": [...], "service_levels": [...], "holidays": [...]}: the
     * arrays exactly as in the files, for the API. Owned by the struct; read-only. */
    json_t *json;
};

/*
 * Loads and validates the reference data in `dir`. On RK_OK *out is a new struct the caller
 * owns (free with refdata_free) and err (if non-NULL) holds "". On failure *out is left
 * untouched, nothing is leaked, and err receives a message naming the file and the RFC 6901
 * JSON Pointer of the problem, e.g.
 *   ministries.json: /ministries/2/sectors/0: unknown sector "ci.medicine"
 * (truncated to errlen; err may be NULL when errlen is 0).
 * Returns RK_OK, RK_EINVAL (bad JSON or a broken rule), RK_EIO (a file cannot be read),
 * RK_ENOMEM.
 */
int refdata_load(const char *dir, struct refdata **out, char *err, size_t errlen);

/* Frees everything; rd may be NULL. Pointers previously obtained from rd become invalid. */
void refdata_free(struct refdata *rd);

/* The index (= mask bit) of a sector code, or -1 if unknown or code is NULL. */
int refdata_sector_index(const struct refdata *rd, const char *code);

/*
 * Turns a JSON array of sector codes into a mask. Duplicates are accepted (a set). Returns
 * RK_OK and sets *mask; or RK_EINVAL, leaving *mask untouched and setting *bad_index (if
 * non-NULL) to the index of the first element that is not a known code — SIZE_MAX when
 * `codes` is not an array at all. `codes` is borrowed.
 */
int refdata_sectors_parse(const struct refdata *rd, const json_t *codes, uint64_t *mask,
                          size_t *bad_index);

/* A new JSON array (caller owns the reference) of the codes in `mask`, in index order. Bits
 * beyond rd->nsectors are ignored. NULL only when out of memory. */
json_t *refdata_sectors_to_json(const struct refdata *rd, uint64_t mask);

/* The ministry with this code, or NULL. Borrowed from rd. */
const struct rd_ministry *refdata_ministry(const struct refdata *rd, const char *code);

/* Is y-m-d a national holiday in holidays-jp.json? Weekends and the year-end closure are not
 * in that list (callers computing administrative deadlines add them). An invalid date or a
 * year outside the list answers false. */
bool refdata_is_holiday(const struct refdata *rd, int y, int m, int d);

#endif
