/* SPDX-License-Identifier: GPL-2.0-only */
/* Human formatting: durations with scaled units, counts, and aligned text tables. */
#ifndef SWC_FMT_H
#define SWC_FMT_H

#include <stdio.h>
#include <stddef.h>

/* "0 ns", "812 ns", "3.21 µs", "45.6 µs", "1.50 ms", "2.00 s" (3 significant digits, at least
 * integer ns); NaN or negative prints "-". Returns buf. */
char *swc_fmt_ns(double ns, char *buf, size_t len);
/* The coroutine-ret row against the coroutine row: "a mispredict costs 8.00 ns here", or, when
 * the ret switch is no slower (an emulator has no return-stack predictor to miss), that no
 * mispredict cost was measured, never a negative cost. Returns buf. */
char *swc_fmt_mispredict(double ret_ns, double coroutine_ns, char *buf, size_t len);
/* s copied into buf (len bytes, truncated), each control byte (a newline, a terminal escape) as
 * '?': text read from a file or from another program must not steer the terminal. */
const char *swc_printable(const char *s, char *buf, size_t len);
/* Integer with thin grouping for readability: 1234567 -> "1,234,567". Returns buf. */
char *swc_fmt_count(unsigned long long v, char *buf, size_t len);
/* Ratio "1.0×", "12.3×", "640×" (3 significant digits); NaN prints "-". Returns buf. */
char *swc_fmt_ratio(double r, char *buf, size_t len);
/* Display width of a UTF-8 string (code points; all our glyphs are single-width). */
size_t swc_display_width(const char *s);

enum swc_align { SWC_LEFT, SWC_RIGHT };

/* A table of strings: columns sized to their widest cell (by display width), two spaces apart. */
struct swc_table;
struct swc_table *swc_table__new(int ncols, const char *const *headers,
				 const enum swc_align *aligns);
/* Copies the ncols cells; NULL cell prints as "-". Returns 0 or -ENOMEM. */
int swc_table__add_row(struct swc_table *t, const char *const *cells);
void swc_table__print(const struct swc_table *t, FILE *f);
/*
 * The same within max_width columns (0: no limit), leaving out columns in the order drop[]
 * gives until it fits; their headers go to dropped (", "-separated). Returns how many.
 */
int swc_table__print_fit(const struct swc_table *t, FILE *f, size_t max_width,
			 const int *drop, int ndrop, char *dropped, size_t len);
/* The width human tables fit by default: 100 on a terminal, no limit otherwise or when wide. */
#define SWC_TERMINAL_WIDTH	100
size_t swc_output_width(FILE *f, int wide);
void swc_table__free(struct swc_table *t);
/*
 * text to f with each line wider than width (display columns; 0: no limit) broken at its last
 * space that fits; a continuation is indented as its line, two more after a leading "# " or
 * "! " mark. A line with no space to break at goes out whole.
 */
void swc_fmt_wrap(FILE *f, const char *text, size_t width);

#endif
