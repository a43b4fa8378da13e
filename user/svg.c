// SPDX-License-Identifier: GPL-2.0-only
/* SVG/HTML helpers of the report pages: escaping user text (comms, kernel strings), axes, bars. */
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

/* two significant digits, for the ticks of a log2 axis: 4.1 µs, 33 µs, 1 ms */
static void short_label(char *out, size_t n, double ns)
{
	static const struct { double div; const char *unit; } u[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "µs" }, { 1, "ns" },
	};
	int i = 0;

	while (i < 3 && ns < u[i].div)
		i++;
	snprintf(out, n, ns / u[i].div >= 100 ? "%.0f %s" : "%.2g %s", ns / u[i].div, u[i].unit);
}

void svg_log_axis(FILE *f, double lo, double hi, double x0, double x1, double y, double y_top)
{
	char label[32];
	int ticks = 0;

	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x0, y,
		x1, y);
	/* a decade per tick, at most 40: a saved result's 1e308 once made hi * 1.0001 infinite,
	 * and this loop endless */
	for (double d = lo; d > 0 && d <= hi * 1.0001 && ticks < 40; d *= 10, ticks++) {
		double x = svg_log_x(d, lo, hi, x0, x1);

		unit_label(label, sizeof(label), d);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			x, y_top, x, y, x, y + 14, label);
	}
}

void svg_log2_hist(FILE *f, const char *id, const char *title, const double *counts, int n)
{
	const double x0 = 50, bar_w = 20, h = 80, top = 12;
	int first = -1, last = -1;
	double max = 0, total = 0;
	char lo[32], hi[32];

	for (int i = 0; i < n; i++)
		if (counts[i] > 0) {
			if (first < 0)
				first = i;
			last = i;
			max = counts[i] > max ? counts[i] : max;
			total += counts[i];
		}
	fprintf(f, "<figure class=\"hist\" id=\"%s\"><figcaption>", id);
	svg_escape(f, title);
	fprintf(f, " (%.0f samples)</figcaption>\n", total);
	if (first < 0) {
		fputs("<p>no samples</p></figure>\n", f);
		return;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n",
		x0 + (last - first + 1) * bar_w + 40, top + h + 40);
	fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", x0,
		top + h, x0 + (last - first + 1) * bar_w, top + h);
	for (int i = first; i <= last; i++) {
		double bh = counts[i] / max * h, x = x0 + (i - first) * bar_w;

		/* bucket i holds values in [2^i, 2^(i+1)) ns; bucket 0 also holds 0; the last
		 * bucket's top is 2^64, past any shift of a 64-bit integer */
		short_label(lo, sizeof(lo), i ? ldexp(1, i) : 0);
		short_label(hi, sizeof(hi), ldexp(1, i + 1));
		fprintf(f, "<rect class=\"bar\" x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\">"
			   "<title>%s .. %s: %.0f</title></rect>\n",
			x + 1, top + h - bh, bar_w - 2, bh, lo, hi, counts[i]);
		if ((i - first) % 3 == 0)
			fprintf(f, "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\">%s</text>\n", x,
				top + h + 14, lo);
	}
	fprintf(f, "<text x=\"0\" y=\"%.0f\">%.0f</text><text x=\"0\" y=\"%.0f\">0</text>\n</svg>"
		   "</figure>\n", top + 4, max, top + h);
}
