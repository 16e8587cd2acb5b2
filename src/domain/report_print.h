/*
 * report_print.h — an incident report rendered as the official printed form (seed 004 fig. 4 /
 * fig. 5 for the liaison form, figs. 4-1 and 4-2 for the DDoS and ransomware common forms): one
 * self-contained HTML5 document, Japanese first, with an A4 print stylesheet.
 *
 * Layout, top to bottom:
 *   - the header block from rp_meta: 重要度 (■/□ over 警報 注意喚起 参考情報), the TLP marking
 *     with its scope (seed 004 表5; also in the top-right page margin when the browser supports
 *     @page margin boxes), the title with 第N報, 識別番号, 速報/詳報/続報 (■/□ over all three),
 *     the filing time, the source (「（非開示）」 when withheld), the form's note and, when
 *     there are changes, the legend 「下線：前報からの変更箇所」;
 *   - the ransomware form's first_response_advice in a box;
 *   - every section in the definition's order: a table with the section number, label_ja
 *     (label_en smaller), its note, then one row per field (label_ja, a * when required,
 *     label_en smaller, note_ja; the value). Subheadings print as rows of their own. A section
 *     whose id is in meta->withheld prints only its heading and the text
 *     「この項目は共有範囲外のため表示しません」 (nothing of its answers or changes);
 *   - the attachments of meta->attachments (file name, role, size, SHA-256).
 *
 * The advisory form (name "advisory", 情報提供様式; meta->kind unused): the header block has no
 * 速報/詳報 boxes and no source; it prints 重要度, 識別番号 and 情報提供日時 and the header
 * section's note (内閣官房→重要インフラ所管省庁), taking severity, ident and report_number from
 * the answers' header when meta leaves them NULL/""/0, and 情報提供日時 from
 * header/advisory_datetime (meta->filed_at when absent), which is not printed again below.
 *
 * Values: text escaped (& < > " '), a text whose definition carries resolved "values" (the
 * advisory's ministry codes) as the matching value's ja label, textarea line feeds as <br>;
 * datetime in JST as fig. 5 writes it ("2023年8月19日 13時15分": Western year, 24-hour clock,
 * converted from any RFC 3339 offset) inside <time datetime="…+09:00">; date as "2023年8月19日";
 * enum / multi_enum / yesno as check boxes over every choice (■ chosen, □ not; yesno ■有 □無),
 * choices with groups as a table (class | choice (note) | box) like fig. 4 ①②; a choice list from
 * values_from "sectors" (a drop-down on the official form: 「リストから選択」) prints only the
 * chosen sector; rows as a table with the column labels, or, with more than four columns (the DDoS
 * attack blocks), one label/value table per row with the column subheadings; ip/cidr/port lists as
 * lists; attachment fields as the file names from meta->attachments (the id when not listed).
 * Fields with "printed": false are left out, and so are header/severity, header/report_number,
 * header/identification_number (the liaison form's) and header/advisory_datetime (the
 * advisory's): the header block prints them from meta,
 * which wins over the answers. Unknown answer sections and fields are ignored; a field not given
 * prints blank (check boxes all □).
 *
 * Changes (rr_answers_diff of the previous report's answers to these): the value of a field whose
 * path is an "add" or "replace" is wrapped in class "chg" (underlined); a "remove" prints the
 * blank field followed by the old value struck through (<del>) — the old choice labels for
 * check-box fields. A change to one of the three header fields above underlines that item of
 * the header block.
 *
 * Pure: no I/O, no locale or time-zone calls, no globals except const tables.
 */
#ifndef REPORT_PRINT_H
#define REPORT_PRINT_H

#include <stddef.h>

#include <jansson.h>

#define RP_MAX_BYTES ((size_t)32 << 20) /* ceiling of one rendered document */

struct rp_meta {
    const char *ident; /* 識別番号, "" when not assigned */
    int report_number; /* 第N報 */
    const char *kind;  /* "quick" | "detailed" | "follow_up" → 速報 / 詳報 / 続報 */
    const char *tlp;   /* "TLP:AMBER" etc. */
    const char *severity; /* "alert" | "warning" | "reference" → 警報 / 注意喚起 / 参考情報,
                             or NULL */
    const char *filed_at;      /* RFC 3339 UTC, shown in JST */
    const char *source_label;  /* who the reader is told it is from, e.g. the operator or the
                                  relaying CEPTOAR; NULL = withheld */
    const json_t *withheld;    /* array of section ids whose content the reader may not see, or
                                  NULL */
    const json_t *attachments; /* array of {"id","name","size","sha256","role"} listed on the
                                  report, or NULL */
};

/*
 * Renders report answers (normalised: section → field → value) laid out as the form `form`
 * (a resolved definition: forms_resolved, every values_from has its "values") into a complete
 * HTML5 document. changes: rr_answers_diff array from the previous report (NULL or [] for
 * none): changed fields are underlined (and a removed value shown struck through).
 * meta strings other than source_label and severity may be NULL (printed blank); a kind,
 * severity or TLP that is not one of the known names ticks no box / prints as given.
 *
 * RK_OK with *out (malloc'd NUL-terminated, caller frees) and *len (bytes, without the NUL).
 * RK_EINVAL when an argument is NULL, the form is malformed (no sections array, a section or
 * field without a string id, a field without a string type), the answers are not an object, a
 * given answer section is not an object, a value has the wrong JSON type for its field, a
 * date-time or date does not parse, changes is not an array of objects with a string "path",
 * meta->withheld is not an array of strings or meta->attachments not an array of objects;
 * RK_ELIMIT when the document would exceed RP_MAX_BYTES; RK_ENOMEM. On failure *out is NULL and
 * *len 0.
 */
int rp_render(const json_t *form, const json_t *answers, const json_t *changes,
              const struct rp_meta *meta, char **out, size_t *len);

#endif
