/* SPDX-License-Identifier: GPL-2.0-only */
/* A small streaming JSON writer: nesting and commas tracked, strings escaped. */
#ifndef SWC_JSON_H
#define SWC_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define SWC_JSON_MAX_DEPTH 16

struct swc_json {
	FILE *f;
	int depth;
	bool need_comma[SWC_JSON_MAX_DEPTH];
	int indent;		/* 0: compact one line; >0: pretty with this many spaces */
};

void jw_init(struct swc_json *j, FILE *f, int indent);
/* key is NULL inside arrays and at top level. */
void jw_obj_begin(struct swc_json *j, const char *key);
void jw_obj_end(struct swc_json *j);
void jw_arr_begin(struct swc_json *j, const char *key);
void jw_arr_end(struct swc_json *j);
void jw_str(struct swc_json *j, const char *key, const char *val);	/* NULL val -> null */
void jw_u64(struct swc_json *j, const char *key, unsigned long long val);
void jw_i64(struct swc_json *j, const char *key, long long val);
void jw_double(struct swc_json *j, const char *key, double val);	/* NaN/inf -> null */
void jw_bool(struct swc_json *j, const char *key, bool val);
void jw_null(struct swc_json *j, const char *key);
/* Ends the document with a newline (after the outermost end). */
void jw_finish(struct swc_json *j);
/* A document was finished on stdout (what --json's error object must not follow). */
bool jw_wrote_stdout(void);
/* s as one JSON string (quotes included), escaped, bytes that are not UTF-8 as U+FFFD. */
void swc_json_string(FILE *f, const char *s);

#endif
