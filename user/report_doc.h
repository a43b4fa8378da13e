/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Saved results read back (json-c) for report and compare: typed look-ups that accept the older
 * and newer spelling of a renamed field, and the check that a file is a switchcost document this
 * version can read.
 */
#ifndef SWC_REPORT_DOC_H
#define SWC_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* A field's names, newest first, NULL-ended: jr_get(o, NAMES("ns_per_switch", "cost_ns")). */
#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The first of names present in object o (NULL when o is NULL or none is). */
struct json_object *jr_get(struct json_object *o, const char *const *names);
/* A number (int or double), else dflt; an object {median, ...} gives its median. */
double jr_num(struct json_object *o, const char *const *names, double dflt);
/* A string, else NULL. */
const char *jr_str(struct json_object *o, const char *const *names);
/* A boolean, else dflt. */
bool jr_bool(struct json_object *o, const char *const *names, bool dflt);
/* An array's length (0 when o is no array). */
size_t jr_len(struct json_object *o);
/* The i-th element of an array. */
struct json_object *jr_at(struct json_object *o, size_t i);

/*
 * Reads path as one switchcost JSON document: a JSON object with "command" and, when present,
 * a schema_version this version can read. On failure prints one line
 * "switchcost: WHO: PATH: what is wrong (what to do)" and returns NULL.
 */
struct json_object *swc_doc_load(const char *who, const char *path);
/* "run", "lab timeline", "trace", ...: the command and, for lab, the scenario. */
void swc_doc_kind(struct json_object *doc, char *out, size_t n);

#endif
