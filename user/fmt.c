/* SPDX-License-Identifier: GPL-2.0-only */
/* Human formatting: durations with scaled units, counts, and aligned text tables. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

/*
 * Prints v with 3 significant digits: 2 decimals below 10, 1 below 100, none below 1000.
 * The decision is made on the printed text, not on v, so 9.996 becomes "10.0" and not
 * "10.00". Returns 0, or -1 when v rounds to 1000 or more (the caller moves up a unit).
 */
static int fmt_sig3(double v, char *buf, size_t len)
{
	static const double limit[] = { 10.0, 100.0, 1000.0 };
	int dec;

	for (dec = 2; dec >= 0; dec--) {
		snprintf(buf, len, "%.*f", dec, v);
		if (strtod(buf, NULL) < limit[2 - dec])
			return 0;
	}
	return -1;
}

char *swc_fmt_ns(double ns, char *buf, size_t len)
{
	static const struct {
		const char *name;
		double div;
	} units[] = {
		{ "µs", 1e3 },
		{ "ms", 1e6 },
		{ "s", 1e9 },
	};
	char num[64];
	size_t i;

	if (!len)
		return buf;
	if (isnan(ns) || isinf(ns) || ns < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (ns == 0)
		ns = 0;		/* -0.0 would print as "-0 ns" */
	/* A coroutine switch is a few ns, averaged over thousands: its decimals mean something. */
	if (ns > 0 && ns < 99.95) {
		fmt_sig3(ns, num, sizeof(num));
		snprintf(buf, len, "%s ns", num);
		return buf;
	}
	/* From 100 ns to a microsecond, whole ns: three significant digits. */
	snprintf(num, sizeof(num), "%.0f", ns);
	if (strtod(num, NULL) < 1000.0) {
		snprintf(buf, len, "%s ns", num);
		return buf;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (fmt_sig3(ns / units[i].div, num, sizeof(num)) == 0 ||
		    i == sizeof(units) / sizeof(units[0]) - 1)
			break;
	}
	/* Seconds are the last unit: 1000 s and more print as whole seconds ("1234 s"). */
	snprintf(buf, len, "%s %s", num, units[i].name);
	return buf;
}

char *swc_fmt_count(unsigned long long v, char *buf, size_t len)
{
	char digits[32], out[48];
	size_t n, i, o = 0;

	if (!len)
		return buf;
	n = (size_t)snprintf(digits, sizeof(digits), "%llu", v);
	for (i = 0; i < n; i++) {
		/* A comma before every group of three counted from the right. */
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
	return buf;
}

/*
 * Ratios: 1 decimal from 0.1 up to 100 ("1.0×", "12.3×"), whole numbers from 100 ("640×"),
 * 2 decimals below 0.1 ("0.05×"). The decimal on small ratios is kept even where it is not
 * significant ("1.0×") so a column of ratios reads as ratios. NaN, inf and negative print "-".
 */
char *swc_fmt_ratio(double r, char *buf, size_t len)
{
	char num[64];

	if (!len)
		return buf;
	if (isnan(r) || isinf(r) || r < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (r == 0) {
		snprintf(num, sizeof(num), "0");
	} else if (r < 0.1) {
		/* two significant digits: a coroutine against a thread is 0.0033x, not 0.00x */
		snprintf(num, sizeof(num), "%.2g", r);
	} else {
		snprintf(num, sizeof(num), "%.1f", r);
		if (strtod(num, NULL) >= 100.0)
			snprintf(num, sizeof(num), "%.0f", r);
	}
	snprintf(buf, len, "%s×", num);
	return buf;
}

size_t swc_display_width(const char *s)
{
	size_t w = 0;

	if (!s)
		return 0;
	/* Count every byte that starts a code point, i.e. is not a 10xxxxxx continuation. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

struct swc_table {
	int ncols;
	char **headers;		/* ncols, or NULL for no header row */
	enum swc_align *aligns;
	char **cells;		/* nrows * ncols, row-major */
	size_t nrows, cap;
};

static char *dup_cell(const char *s)
{
	return strdup(s ? s : "-");
}

struct swc_table *swc_table__new(int ncols, const char *const *headers,
				 const enum swc_align *aligns)
{
	struct swc_table *t;
	int i;

	if (ncols <= 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->aligns = calloc((size_t)ncols, sizeof(*t->aligns));
	if (!t->aligns)
		goto err;
	for (i = 0; i < ncols; i++)
		t->aligns[i] = aligns ? aligns[i] : SWC_LEFT;
	if (headers) {
		t->headers = calloc((size_t)ncols, sizeof(*t->headers));
		if (!t->headers)
			goto err;
		for (i = 0; i < ncols; i++) {
			t->headers[i] = strdup(headers[i] ? headers[i] : "");
			if (!t->headers[i])
				goto err;
		}
	}
	return t;
err:
	swc_table__free(t);
	return NULL;
}

int swc_table__add_row(struct swc_table *t, const char *const *cells)
{
	size_t base;
	int i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cells = n;
		t->cap = cap;
	}
	base = t->nrows * (size_t)t->ncols;
	for (i = 0; i < t->ncols; i++) {
		t->cells[base + (size_t)i] = dup_cell(cells ? cells[i] : NULL);
		if (!t->cells[base + (size_t)i]) {
			/* Leave the table as it was: a half row would print misaligned. */
			while (i--)
				free(t->cells[base + (size_t)i]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

/* width[i] == 0: column i is left out */
static void print_row(const struct swc_table *t, char *const *row, const size_t *width,
		      FILE *f)
{
	int i, last_shown = -1, shown = 0;

	for (i = 0; i < t->ncols; i++)
		if (width[i])
			last_shown = i;
	for (i = 0; i < t->ncols; i++) {
		size_t w = swc_display_width(row[i]), pad = width[i] - w;
		int last = i == last_shown;

		if (!width[i])
			continue;
		if (shown++)
			fputs("  ", f);
		if (t->aligns[i] == SWC_RIGHT)
			fprintf(f, "%*s", (int)pad, "");
		fputs(row[i], f);
		/* No trailing blanks at the end of a line. */
		if (t->aligns[i] != SWC_RIGHT && !last)
			fprintf(f, "%*s", (int)pad, "");
	}
	fputc('\n', f);
}

int swc_table__print_fit(const struct swc_table *t, FILE *f, size_t max_width,
			 const int *drop, int ndrop, char *dropped, size_t len)
{
	size_t *width, r, total = 0;
	int i, k, n = 0, o = 0;

	if (dropped && len)
		dropped[0] = '\0';
	width = calloc((size_t)t->ncols, sizeof(*width));
	if (!width)
		return 0;
	for (i = 0; i < t->ncols; i++) {
		if (t->headers)
			width[i] = swc_display_width(t->headers[i]);
		for (r = 0; r < t->nrows; r++) {
			size_t w = swc_display_width(t->cells[r * (size_t)t->ncols + (size_t)i]);

			if (w > width[i])
				width[i] = w;
		}
		if (!width[i])
			width[i] = 1;	/* 0 means left out */
		total += width[i] + (i ? 2 : 0);
	}
	for (k = 0; max_width && total > max_width && k < ndrop; k++) {
		i = drop[k];
		if (i < 0 || i >= t->ncols || !width[i])
			continue;
		total -= width[i] + 2;
		width[i] = 0;
		if (dropped && (size_t)o < len)
			o += snprintf(dropped + o, len - (size_t)o, "%s%s", n ? ", " : "",
				      t->headers ? t->headers[i] : "?");
		n++;
	}
	if (t->headers)
		print_row(t, t->headers, width, f);
	for (r = 0; r < t->nrows; r++)
		print_row(t, t->cells + r * (size_t)t->ncols, width, f);
	free(width);
	return n;
}

size_t swc_output_width(FILE *f, int wide)
{
	return !wide && isatty(fileno(f)) ? SWC_TERMINAL_WIDTH : 0;
}

void swc_table__print(const struct swc_table *t, FILE *f)
{
	swc_table__print_fit(t, f, 0, NULL, 0, NULL, 0);
}

void swc_table__free(struct swc_table *t)
{
	size_t i;
	int c;

	if (!t)
		return;
	for (i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	if (t->headers)
		for (c = 0; c < t->ncols; c++)
			free(t->headers[c]);
	free(t->headers);
	free(t->aligns);
	free(t);
}

const char *swc_printable(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	if (!len)
		return "";
	for (; s && s[i] && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* Bytes of s (up to len) that hold its first cols display columns. */
static size_t bytes_for_cols(const char *s, size_t len, size_t cols)
{
	size_t i = 0, c = 0;

	while (i < len) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == cols)
			break;
		i++;
	}
	return i;
}

static size_t cols_of(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

static void wrap_line(FILE *f, const char *line, size_t len, size_t width)
{
	size_t lead = strspn(line, " "), at, cut;
	char prefix[64];
	const char *out = "";	/* what goes before this piece: nothing, then prefix */

	if (lead > 32)
		lead = 32;
	/* "# " and "! " lines carry their mark on, so a continuation reads as theirs */
	if (len > lead + 1 && (line[lead] == '#' || line[lead] == '!') && line[lead + 1] == ' ')
		snprintf(prefix, sizeof(prefix), "%*s%c   ", (int)lead, "",
			 line[lead] == '#' ? '#' : ' ');
	else
		snprintf(prefix, sizeof(prefix), "%*s  ", (int)lead, "");
	for (;;) {
		size_t room = width > cols_of(out, strlen(out)) ? width - cols_of(out, strlen(out)) : 0;

		if (cols_of(line, len) <= room || room < 16)
			break;
		/* the last space within room + 1 columns: a space just past the edge fits too */
		cut = bytes_for_cols(line, len, room + 1);
		for (at = cut; at > 0 && line[at - 1] != ' '; at--)
			;
		if (at <= (out == prefix ? 0 : lead) + 1) {
			/* a word wider than the room: it goes out whole, then the rest */
			const char *sp = memchr(line + cut, ' ', len - cut);

			if (!sp)
				break;
			at = (size_t)(sp - line) + 1;
		}
		while (at > 1 && line[at - 2] == ' ')
			at--;
		fprintf(f, "%s%.*s\n", out, (int)(at - 1), line);
		line += at;
		len -= at;
		while (len && *line == ' ') {
			line++;
			len--;
		}
		out = prefix;
		if (!len)
			return;
	}
	fprintf(f, "%s%.*s\n", out, (int)len, line);
}

void swc_fmt_wrap(FILE *f, const char *text, size_t width)
{
	while (*text) {
		size_t len = strcspn(text, "\n");

		if (width)
			wrap_line(f, text, len, width);
		else
			fprintf(f, "%.*s\n", (int)len, text);
		text += len + (text[len] == '\n');
	}
}

char *swc_fmt_mispredict(double ret_ns, double coroutine_ns, char *buf, size_t len)
{
	char a[32], b[32];

	if (ret_ns > coroutine_ns)
		snprintf(buf, len, "a mispredict costs %s here",
			 swc_fmt_ns(ret_ns - coroutine_ns, a, sizeof(a)));
	else
		snprintf(buf, len, "here it is no slower than the coroutine switch (%s against %s), "
			 "so no mispredict cost was measured", swc_fmt_ns(ret_ns, a, sizeof(a)),
			 swc_fmt_ns(coroutine_ns, b, sizeof(b)));
	return buf;
}
