// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page of a `lab --json` document, each scenario with its own picture: timeline and join,
 * every variant's measured time against the notes' table and its tasks and coroutines as
 * timelines, one cell per unit (the lab's own per-unit states); parallel, the placements as
 * wall time against CPU time; cost, the cost bars of run's page.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "report_doc.h"
#include "report_page.h"
#include "svg.h"

#define LAB_PAGE_MAX_UNITS	1000

/* The lab's one-character-per-unit states (lab_timeline.c task_row, coroutine_row). */
static const char *cell_class(char c, const char **what)
{
	switch (c) {
	case '#': *what = "on the CPU"; return "running";
	case '|': *what = "woke and ran briefly"; return "running";
	case '~': *what = "runnable, waiting for a CPU (or the loop)"; return "runnable";
	case 'B': *what = "in a blocking call"; return "k-process";
	case '.': *what = "blocked / awaiting"; return "blocked";
	case 'x': *what = "exited"; return "k-kernel";
	default: *what = "not alive"; return NULL;
	}
}

static void timeline_rows(FILE *f, struct json_object *list, const char *cls, double *y,
			  double x0, double cell)
{
	for (size_t t = 0; t < jr_len(list); t++) {
		struct json_object *task = jr_at(list, t);
		const char *tl = jr_str(task, NAMES("timeline"));
		const char *name = jr_str(task, NAMES("comm", "name"));

		fprintf(f, "<g class=\"%s\"><text x=\"10\" y=\"%.0f\">", cls, *y + 11);
		svg_escape(f, name ? name : "?");
		fputs("</text>\n", f);
		for (size_t k = 0; tl && tl[k]; k++) {
			const char *what, *c = cell_class(tl[k], &what);

			if (c)
				fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" "
					   "height=\"12\"><title>unit %zu: %s</title></rect>\n",
					c, x0 + k * cell, *y + 1, cell - 1, k, what);
		}
		fputs("</g>\n", f);
		*y += 16;
	}
}

/* timeline, join: measured against expected, then each variant's tasks unit by unit */
static void variants_page(FILE *f, struct json_object *vars)
{
	size_t n = jr_len(vars);
	double hi = 0, y = 0, units = 0;
	const double x0 = 170, x1 = 760, rowh = 34;

	for (size_t i = 0; i < n; i++) {
		struct json_object *v = jr_at(vars, i);

		hi = fmax(hi, fmax(jr_num(v, NAMES("measured_units"), 0),
				   jr_num(v, NAMES("expected_units"), 0)));
		units = fmax(units, jr_num(v, NAMES("process_end_units"), 0));
	}
	hi = hi > 0 ? hi : 1;
	/* a saved document is not trusted: the unit axis has a tick per two units, so it stops
	 * at LAB_PAGE_MAX_UNITS (the notes' scenarios take 11) rather than loop on 1e308 */
	if (!(units <= LAB_PAGE_MAX_UNITS))
		units = LAB_PAGE_MAX_UNITS;
	fputs("<h2>Measured against the notes</h2>\n<p class=\"legend\"><span "
	      "style=\"color:#1f77b4\">■</span>measured by the program<span "
	      "style=\"color:#aaa\">■</span>expected (the notes' table, in units)</p>\n", f);
	fprintf(f, "<svg id=\"lab\" xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" "
		   "height=\"%.0f\">\n", n * rowh + 10);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = jr_at(vars, i);
		const char *name = jr_str(v, NAMES("name"));
		double m = jr_num(v, NAMES("measured_units"), NAN);
		double e = jr_num(v, NAMES("expected_units"), NAN);

		y = i * rowh + 4;
		fprintf(f, "<g class=\"variant\"><text x=\"0\" y=\"%.1f\">", y + 12);
		svg_escape(f, name ? name : "?");
		fputs("</text>\n", f);
		if (m == m)
			fprintf(f, "<rect class=\"measured\" x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"12\"><title>measured %.3f units</title></rect>\n",
				x0, y, m / hi * (x1 - x0), m);
		if (e == e)
			fprintf(f, "<rect class=\"expected\" x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"10\"><title>expected %.3f units</title></rect>\n",
				x0, y + 14, e / hi * (x1 - x0), e);
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.2f vs %g</text></g>\n", x1 + 10, y + 12, m, e);
	}
	fputs("</svg>\n", f);

	fputs("<h2>Each variant's tasks, unit by unit</h2>\n<p class=\"legend\">One cell per unit, "
	      "the state that took most of it:<span style=\"color:#2ca02c\">■</span>on the CPU"
	      "<span style=\"color:#ff7f0e\">■</span>runnable (waiting for a CPU, or for the "
	      "loop)<span style=\"color:#d62728\">■</span>in a blocking call"
	      "<span style=\"color:#e8e8e8\">■</span>blocked or awaiting"
	      "<span style=\"color:#9467bd\">■</span>exited</p>\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = jr_at(vars, i);
		struct json_object *tasks = jr_get(v, NAMES("tasks"));
		struct json_object *coros = jr_get(v, NAMES("coroutines"));
		double cell = fmin(24, 600 / fmax(units, 1)), h;

		h = (jr_len(tasks) + jr_len(coros) + (jr_len(coros) > 0)) * 16 + 40;
		fputs("<div class=\"lab-variant\"><h3>", f);
		svg_escape(f, jr_str(v, NAMES("name")));
		fputs("</h3>\n<p>", f);
		svg_escape(f, jr_str(v, NAMES("description")));
		fputs(". Expected: ", f);
		svg_escape(f, jr_str(v, NAMES("expected_note")));
		fprintf(f, ".</p>\n<svg class=\"tasks\" xmlns=\"http://www.w3.org/2000/svg\" "
			   "width=\"%.0f\" height=\"%.0f\">\n", 170 + cell * (units + 1) + 20, h);
		y = 4;
		timeline_rows(f, tasks, "task", &y, 170, cell);
		if (jr_len(coros)) {
			fprintf(f, "<text x=\"0\" y=\"%.0f\">coroutines:</text>\n", y + 11);
			y += 16;
			timeline_rows(f, coros, "coroutine", &y, 170, cell);
		}
		for (int u = 0; u <= (int)units; u++)
			if (u % 2 == 0)
				fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.0f\">%d</text>\n",
					170 + u * cell, y + 14, u);
		fputs("</svg></div>\n", f);
	}
}

/* parallel: each placement's wall time against the CPU time its workers got */
static void parallel_page(FILE *f, struct json_object *runs)
{
	size_t n = jr_len(runs);
	double hi = 0;
	const double x0 = 220, x1 = 760, rowh = 40;
	char a[32], b[32];

	for (size_t i = 0; i < n; i++)
		hi = fmax(hi, fmax(jr_num(jr_at(runs, i), NAMES("wall_ns"), 0),
				   jr_num(jr_at(runs, i), NAMES("cpu_ns"), 0)));
	hi = hi > 0 ? hi : 1;
	fputs("<h2>Concurrency against parallelism</h2>\n<p class=\"legend\">The same CPU work in "
	      "two workers:<span style=\"color:#1f77b4\">■</span>wall time"
	      "<span style=\"color:#2ca02c\">■</span>CPU time of the workers (above the wall "
	      "time only when they ran in parallel)</p>\n", f);
	fprintf(f, "<svg id=\"parallel\" xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" "
		   "height=\"%.0f\">\n", n * rowh + 10);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = jr_at(runs, i), *cpus = jr_get(r, NAMES("cpus"));
		double wall = jr_num(r, NAMES("wall_ns"), NAN), cpu = jr_num(r, NAMES("cpu_ns"), NAN);
		double y = i * rowh + 4;

		fputs("<g class=\"placement\"><text x=\"0\" y=\"14\" transform=\"translate(0,", f);
		fprintf(f, "%.0f)\">", y);
		svg_escape(f, jr_str(r, NAMES("workers")));
		fputs(", ", f);
		svg_escape(f, jr_str(r, NAMES("placement")));
		fputs(" (CPUs", f);
		for (size_t c = 0; c < jr_len(cpus); c++)
			fprintf(f, "%s%d", c ? "," : " ", json_object_get_int(jr_at(cpus, c)));
		fputs(")</text>\n", f);
		if (wall == wall && cpu == cpu) {
			fprintf(f, "<rect class=\"measured\" x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" "
				   "height=\"14\"><title>wall %s</title></rect>\n", x0, y,
				wall / hi * (x1 - x0), swc_fmt_ns(wall, a, sizeof(a)));
			fprintf(f, "<rect class=\"running\" x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" "
				   "height=\"14\"><title>CPU %s</title></rect>\n", x0, y + 16,
				cpu / hi * (x1 - x0), swc_fmt_ns(cpu, b, sizeof(b)));
			fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">wall %s, CPU %s: %.2f× </text>\n",
				x1 + 10, y + 20, a, b, cpu / wall);
		} else {
			fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">failed</text>\n", x0, y + 14);
		}
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);
}

int swc_page_lab(FILE *f, struct json_object *doc, const char *source)
{
	const char *scen = jr_str(doc, NAMES("scenario")) ? jr_str(doc, NAMES("scenario")) : "lab";
	struct json_object *vars = jr_get(doc, NAMES("variants"));
	struct json_object *runs = jr_get(doc, NAMES("runs"));
	char title[128];

	if (jr_len(jr_get(doc, NAMES("results"))))
		return swc_page_run(f, doc, source);	/* cost: run's rows and picture */
	snprintf(title, sizeof(title), "switchcost lab %s", scen);
	swc_page_begin(f, title, source);
	if (jr_len(vars))
		variants_page(f, vars);
	else if (jr_len(runs))
		parallel_page(f, runs);
	else
		fputs("<p>This scenario has no figures this page can draw.</p>\n", f);
	swc_page_facts(f, doc);
	swc_page_end(f);
	return 0;
}
