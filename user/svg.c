// SPDX-License-Identifier: GPL-2.0-only
/* SVG/HTML helpers of the report page: escaping user text (comms, kernel strings) and a log axis. */
#include <math.h>
#include <stdio.h>
#include "svg.h"

void svg_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

double svg_log_x(double v, double lo, double hi, double x0, double x1)
{
	if (v < lo)
		v = lo;
	return x0 + (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) * (x1 - x0);
}

static void unit_label(char *out, size_t n, double ns)
{
	if (ns >= 1e9)
		snprintf(out, n, "%g s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(out, n, "%g ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(out, n, "%g µs", ns / 1e3);
	else
		snprintf(out, n, "%g ns", ns);
}

void svg_log_axis(FILE *f, double lo, double hi, double x0, double x1, double y, double y_top)
{
	char label[32];

	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x0, y,
		x1, y);
	for (double d = lo; d <= hi * 1.0001; d *= 10) {
		double x = svg_log_x(d, lo, hi, x0, x1);

		unit_label(label, sizeof(label), d);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			x, y_top, x, y, x, y + 14, label);
	}
}
