// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare --html: the table (facts, figures, grade) and its spread, and a strip per column
 * with a dot per file on that column's own scale (0 to its largest value), hover naming the
 * file, so an outlier among thirty students' results shows at a glance.
 */
#include <math.h>
#include <stdio.h>
#include "compare.h"
#include "report_page.h"
#include "svg.h"

static void facts(FILE *f, const struct cmp *c)
{
	fputs("<h2>Hosts</h2>\n<table id=\"hosts\"><tr><th>file</th>", f);
	for (int i = 0; i < F_NR; i++)
		fprintf(f, "<th>%s</th>", cmp_fact_names[i]);
	fputs("</tr>\n", f);
	for (size_t r = 0; r < c->nfiles; r++) {
		fputs("<tr><td>", f);
		svg_escape(f, c->files[r].path);
		fputs("</td>", f);
		for (int i = 0; i < F_NR; i++) {
			fputs("<td>", f);
			svg_escape(f, c->files[r].facts[i] ? c->files[r].facts[i] : "-");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void table(FILE *f, const struct cmp *c, bool grade)
{
	static const char *const spread[3] = { "min", "median", "max" };
	char buf[32];

	fprintf(f, "<h2>Figures%s</h2>\n<table id=\"compare\"><tr><th>file</th>",
		c->ncols && c->cols[0].unit == CMP_UNITS ? " (in the lab's units)" : "");
	for (int i = 0; i < c->ncols; i++) {
		fputs("<th>", f);
		svg_escape(f, c->cols[i].name);
		fputs("</th>", f);
	}
	fputs(grade ? "<th>grade</th></tr>\n" : "</tr>\n", f);
	for (size_t r = 0; r < c->nfiles; r++) {
		const struct cmp_file *cf = &c->files[r];

		fputs("<tr class=\"file\"><td>", f);
		svg_escape(f, cf->path);
		fputs("</td>", f);
		for (int i = 0; i < c->ncols; i++)
			fprintf(f, "<td class=\"num%s\"%s>%s</td>", cf->invalid[i] ? " bad" : "",
				cf->invalid[i] ? " title=\"not valid in its file: see its reasons\"" : "",
				cmp_cell(c, r, i, buf, sizeof(buf)));
		if (grade) {
			fprintf(f, "<td class=\"%s\">%s", cf->pass ? "good" : "bad",
				cf->pass ? "PASS" : "FAIL");
			if (cf->reasons[0]) {
				fputs(": ", f);
				svg_escape(f, cf->reasons);
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	for (int s = 0; s < 3; s++) {
		fprintf(f, "<tr class=\"spread\"><th>%s</th>", spread[s]);
		for (int i = 0; i < c->ncols; i++) {
			double v[3];

			fprintf(f, "<td class=\"num%s\">%s%s</td>", cmp_col_invalid(c, i) ? " bad" : "",
				cmp_spread(c, i, v) ?
				cmp_fmt(c->cols[i].unit, v[s], buf, sizeof(buf)) : "-",
				cmp_spread(c, i, v) && cmp_col_invalid(c, i) ? " !" : "");
		}
		fputs(grade ? "<td></td></tr>\n" : "</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void strips(FILE *f, const struct cmp *c)
{
	const double x0 = 180, x1 = 780, rowh = 26;
	char a[32];

	fputs("<h2>Each column across the files</h2>\n<p>A dot per file on the column's own scale, "
	      "from 0 to its largest value; hover for the file and its figure.</p>\n", f);
	fprintf(f, "<svg id=\"strips\" xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" "
		   "height=\"%.0f\">\n", c->ncols * rowh + 10);
	for (int i = 0; i < c->ncols; i++) {
		double v[3], y = i * rowh + 14;

		fputs("<g class=\"strip\"><text x=\"0\" y=\"", f);
		fprintf(f, "%.0f\">", y + 4);
		svg_escape(f, c->cols[i].name);
		fprintf(f, "</text><line class=\"grid\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
			   "y2=\"%.0f\"/>\n", x0, y, x1, y);
		if (!cmp_spread(c, i, v) || !(v[2] > 0)) {
			fputs("</g>\n", f);
			continue;
		}
		for (size_t r = 0; r < c->nfiles; r++) {
			double x = c->files[r].vals[i];

			if (isnan(x))
				continue;
			fprintf(f, "<circle class=\"median\" cx=\"%.1f\" cy=\"%.0f\" r=\"5\" "
				   "fill-opacity=\"0.6\"><title>", x0 + x / v[2] * (x1 - x0), y);
			svg_escape(f, c->files[r].path);
			fprintf(f, ": %s</title></circle>\n", cmp_fmt(c->cols[i].unit, x, a, sizeof(a)));
		}
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">%s</text></g>\n", x1 + 10, y + 4,
			cmp_fmt(c->cols[i].unit, v[2], a, sizeof(a)));
	}
	fputs("</svg>\n", f);
}

int cmp_page(FILE *f, void *arg)
{
	const struct cmp *c = arg;
	bool grade = c->nfiles && c->files[0].graded;
	char title[128], source[64];

	snprintf(title, sizeof(title), "switchcost compare: %zu %s results", c->nfiles, c->kind);
	snprintf(source, sizeof(source), "%zu files", c->nfiles);
	swc_page_begin(f, title, c->nfiles == 1 ? c->files[0].path : source);
	table(f, c, grade);
	facts(f, c);
	strips(f, c);
	swc_page_end(f);
	return 0;
}
