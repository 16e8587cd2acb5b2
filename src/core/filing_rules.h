/*
 * filing_rules.h — loads data/filing_rules.json (the asset-filing periods, which change by
 * decree, and the enforcement date) into struct asset_rules.
 */
#ifndef FILING_RULES_H
#define FILING_RULES_H

#include <stddef.h>

#include "domain/asset.h"

/*
 * Reads dir/filing_rules.json. enforcement_override (may be NULL or "") replaces the file's
 * enforcement_date. RK_OK; RK_EIO (unreadable), RK_EINVAL (a member missing, out of range or
 * not a date) with err naming the member.
 */
int filing_rules_load(const char *dir, const char *enforcement_override, struct asset_rules *out,
                      char *err, size_t errlen);

#endif
