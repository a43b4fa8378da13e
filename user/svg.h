/* SPDX-License-Identifier: GPL-2.0-only */
/* A few SVG/HTML writing helpers for the self-contained report pages: escaping, axes, histograms. */
#ifndef SWC_SVG_H
#define SWC_SVG_H

#include <stdio.h>

/* Writes s with &, <, >, " and ' escaped for HTML text and attribute values. */
void svg_escape(FILE *f, const char *s);
/* Position of v (> 0) on a log10 axis from lo to hi mapped onto x0..x1. */
double svg_log_x(double v, double lo, double hi, double x0, double x1);
/* Decade ticks and labels (1 ns, 10 ns, ... ) of a log axis at height y. */
void svg_log_axis(FILE *f, double lo, double hi, double x0, double x1, double y, double y_top);

/* A log2 histogram as bars (bucket i: [2^i, 2^(i+1)) ns), empty buckets at both ends left out,
 * inside <figure id=ID> with the title and the sample count as caption. */
void svg_log2_hist(FILE *f, const char *id, const char *title, const double *counts, int n);

#endif
