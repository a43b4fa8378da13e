/* SPDX-License-Identifier: GPL-2.0-only */
/* A small streaming JSON writer: nesting and commas tracked, strings escaped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

/*
 * need_comma[] is indexed by depth; nesting deeper than the array is a bug in the caller,
 * and is clamped so it garbles the commas of the output instead of the memory.
 */
static int level(const struct swc_json *j)
{
	if (j->depth < 0)
		return 0;
	return j->depth < SWC_JSON_MAX_DEPTH ? j->depth : SWC_JSON_MAX_DEPTH - 1;
}

static void newline_indent(struct swc_json *j)
{
	if (j->indent <= 0)
		return;
	fprintf(j->f, "\n%*s", j->indent * j->depth, "");
}

/* Bytes that are not UTF-8 (a comm cut inside a character, a file name in another encoding)
 * become U+FFFD: JSON is UTF-8, and parsers refuse the document otherwise. */
void swc_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), k;

	fputc('"', f);
	for (; *p; p += k, left -= k) {
		k = swc_utf8_len(p, left);
		if (k == 0) {
			fputs(SWC_UTF8_REPLACEMENT, f);
			k = 1;
			continue;
		}
		if (k > 1) {
			fwrite(p, 1, k, f);
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* Other control characters are not allowed raw. */
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void put_string(struct swc_json *j, const char *s)
{
	swc_json_string(j->f, s);
}

/* Everything before a value: the comma, the line break and indent, and the key. */
static void value_prefix(struct swc_json *j, const char *key)
{
	int l = level(j);

	if (j->depth > 0) {
		if (j->need_comma[l])
			fputc(',', j->f);
		newline_indent(j);
	} else if (j->need_comma[l]) {
		fputc('\n', j->f);	/* several top-level documents: one per line, no comma */
	}
	j->need_comma[l] = true;
	if (key) {
		put_string(j, key);
		fputs(j->indent > 0 ? ": " : ":", j->f);
	}
}

void jw_init(struct swc_json *j, FILE *f, int indent)
{
	int i;

	j->f = f;
	j->depth = 0;
	j->indent = indent;
	for (i = 0; i < SWC_JSON_MAX_DEPTH; i++)
		j->need_comma[i] = false;
}

static void open_container(struct swc_json *j, const char *key, char c)
{
	value_prefix(j, key);
	fputc(c, j->f);
	j->depth++;
	j->need_comma[level(j)] = false;
}

static void close_container(struct swc_json *j, char c)
{
	bool had_members = j->need_comma[level(j)];

	if (j->depth > 0)
		j->depth--;
	/* "{}" and "[]" stay on one line even when pretty. */
	if (had_members)
		newline_indent(j);
	fputc(c, j->f);
}

void jw_obj_begin(struct swc_json *j, const char *key)
{
	open_container(j, key, '{');
}

void jw_obj_end(struct swc_json *j)
{
	close_container(j, '}');
}

void jw_arr_begin(struct swc_json *j, const char *key)
{
	open_container(j, key, '[');
}

void jw_arr_end(struct swc_json *j)
{
	close_container(j, ']');
}

void jw_str(struct swc_json *j, const char *key, const char *val)
{
	value_prefix(j, key);
	if (val)
		put_string(j, val);
	else
		fputs("null", j->f);
}

void jw_u64(struct swc_json *j, const char *key, unsigned long long val)
{
	value_prefix(j, key);
	fprintf(j->f, "%llu", val);
}

void jw_i64(struct swc_json *j, const char *key, long long val)
{
	value_prefix(j, key);
	fprintf(j->f, "%lld", val);
}

void jw_double(struct swc_json *j, const char *key, double val)
{
	char buf[40];

	value_prefix(j, key);
	/* JSON has no NaN or infinity; null says "no value" to every reader. */
	if (isnan(val) || isinf(val)) {
		fputs("null", j->f);
		return;
	}
	/* The shortest of %.15g / %.17g that reads back as the same double. */
	snprintf(buf, sizeof(buf), "%.15g", val);
	if (strtod(buf, NULL) != val)
		snprintf(buf, sizeof(buf), "%.17g", val);
	fputs(buf, j->f);
}

void jw_bool(struct swc_json *j, const char *key, bool val)
{
	value_prefix(j, key);
	fputs(val ? "true" : "false", j->f);
}

void jw_null(struct swc_json *j, const char *key)
{
	value_prefix(j, key);
	fputs("null", j->f);
}

static bool stdout_document;

void jw_finish(struct swc_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	if (j->f == stdout)
		stdout_document = true;
}

bool jw_wrote_stdout(void)
{
	return stdout_document;
}
