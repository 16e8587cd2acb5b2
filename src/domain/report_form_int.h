/*
 * report_form_int.h — what report_form.c (answers) and report_form_def.c (definitions) share.
 * Private to those two files; defined in report_form_def.c.
 */
#ifndef REPORT_FORM_INT_H
#define REPORT_FORM_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "domain/jv.h"
#include "domain/report_form.h"

/* The field types of data/forms/README.md, in its table's order. */
enum rf_type {
    RF_TEXT,
    RF_TEXTAREA,
    RF_DATETIME,
    RF_DATE,
    RF_ENUM,
    RF_MULTI_ENUM,
    RF_YESNO,
    RF_ROWS,
    RF_IP_LIST,
    RF_CIDR_LIST,
    RF_PORT_LIST,
    RF_NUMBER,
    RF_INTEGER,
    RF_CORPORATE_NUMBER,
    RF_EMAIL,
    RF_PHONE,
    RF_ATTACK_TECHNIQUE,
    RF_ATTACHMENT,
    RF_UNKNOWN /* not a type of the README: the definition check refuses it */
};

/* The type of a field definition (RF_UNKNOWN when its "type" is missing or unknown). */
enum rf_type rf_type_of(const json_t *field);

/* The string member key of o, or NULL when absent or not a string. */
const char *rf_str(const json_t *o, const char *key);

/* T + 4 digits, optionally . + 3 digits: a MITRE ATT&CK technique id by its shape. */
bool rf_is_attack_id(const char *s);

/* Is id a current technique according to refs? false when refs cannot say. */
bool rf_technique_ok(const struct rf_refs *refs, const char *id);

/* Appends "/key" (escaped) or "/<index>" to the pointer ptr (JV_POINTER_MAX bytes) and returns
 * the length to give rf_pop to undo it. A pointer that would not fit ends in "..." (jv). */
size_t rf_push_key(char *ptr, const char *key);
size_t rf_push_index(char *ptr, size_t index);
void rf_pop(char *ptr, size_t len);

/* Adds one error at ptr (plus "/key" when key is not NULL). The message is formatted here,
 * so a full error list only counts the error (jv). */
void rf_err(struct jv_errors *errs, char *ptr, const char *key, const char *rule, const char *fmt,
            ...) __attribute__((format(printf, 5, 6)));

#endif
