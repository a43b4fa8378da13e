// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost report FILE.json|FILE.csv[.gz] -o FILE.html: one self-contained HTML page (inline
 * SVG and CSS, no script, no network) drawn from saved results: `run --json` (cost per switch on
 * a log axis with min..max whiskers, ratios, the kernel's switches by kind and voluntary /
 * involuntary as stacked bars, system facts, each row's validity), `lab --json` (each variant's
 * measured against expected time, its tasks) and a trace CSV (a per-thread timeline binned by
 * pixel column). Hover values are SVG <title>s, which browsers show natively.
 * It needs no privilege: under sudo it becomes the invoking user before opening anything.
 * The JSON is read with json-c; field names it reads live in the table below, with the older
 * spelling beside the newer where the schema renamed one.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <json-c/json.h>
#include "commands.h"
#include "csv.h"
#include "report_trace.h"
#include "sudo.h"
#include "svg.h"

/* JSON names read, each with the alternatives an older or newer schema uses (NULL-ended). */
#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define J_COMMAND NAMES("command")
#define J_SCHEMA NAMES("schema_version")
#define J_VERSION NAMES("version", "switchcost_version")
#define J_SYSTEM NAMES("system", "host")
#define J_RESULTS NAMES("results", "workloads")
#define J_WORKLOAD NAMES("workload", "name")
#define J_OK NAMES("ok")
#define J_NS_PER_SWITCH NAMES("ns_per_switch", "cost_ns", "switch_ns")
#define J_MEDIAN NAMES("median", "median_ns", "p50")
#define J_MIN NAMES("min", "min_ns")
#define J_MAX NAMES("max", "max_ns")
#define J_RATIO NAMES("ratio_to_coroutine", "vs_coroutine")
#define J_KERNEL NAMES("kernel")
#define J_BY_KIND NAMES("by_kind", "switches_by_kind")
#define J_VOLUNTARY NAMES("voluntary")
#define J_INVOLUNTARY NAMES("involuntary")
#define J_COUNTS_AGREE NAMES("counts_agree")
#define J_VALIDITY NAMES("validity", "verdict", "valid")
#define J_VARIANTS NAMES("variants", "scenarios")
#define J_SCENARIO NAMES("scenario")
#define J_MEASURED_UNITS NAMES("measured_units")
#define J_EXPECTED_UNITS NAMES("expected_units")
#define J_EXPECTED_NOTE NAMES("expected_note")
#define J_TASKS NAMES("tasks")
#define J_COMM NAMES("comm")
#define J_TIMELINE NAMES("timeline")

static const char *const kinds[] = { "process", "thread", "idle", "kernel", "coroutine" };
#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

static struct json_object *jget(struct json_object *o, const char *const *names)
{
	struct json_object *v;

	for (; o && *names; names++)
		if (json_object_object_get_ex(o, *names, &v) && v)
			return v;
	return NULL;
}

static double jnum(struct json_object *o, const char *const *names, double dflt)
{
	struct json_object *v = jget(o, names);

	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return dflt;
	return json_object_get_double(v);
}

static const char *jstr(struct json_object *o, const char *const *names)
{
	struct json_object *v = jget(o, names);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static const char page_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
	"svg text{font:12px system-ui,sans-serif}.tick{text-anchor:middle;fill:#555}"
	".axis{stroke:#333}.grid{stroke:#ddd}.whisker{stroke:#333;stroke-width:2}"
	".median{fill:#1f77b4}.bad{color:#b00}.good{color:#070}"
	".k-process{fill:#d62728}.k-thread{fill:#ff7f0e}.k-idle{fill:#bbb}.k-kernel{fill:#9467bd}"
	".k-coroutine{fill:#2ca02c}.voluntary{fill:#1f77b4}.involuntary{fill:#e377c2}"
	".running{fill:#2ca02c}.runnable{fill:#ff7f0e}.blocked{fill:#ddd}.switch{stroke:#000}"
	".measured{fill:#1f77b4}.expected{fill:#aaa}.legend span{display:inline-block;width:12px;"
	"height:12px;margin:0 4px 0 12px;vertical-align:middle}";

static void page_begin(FILE *f, const char *title, const char *source)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	svg_escape(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", page_css);
	svg_escape(f, title);
	fputs("</h1>\n<p>From <code>", f);
	svg_escape(f, source);
	fputs("</code>, drawn by switchcost " SWC_VERSION " report.</p>\n", f);
}

static void page_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

static void facts_table(FILE *f, struct json_object *sys, struct json_object *doc)
{
	const char *sv = jstr(doc, J_SCHEMA);

	fputs("<h2>System</h2>\n<table class=\"facts\">\n", f);
	if (sv || jget(doc, J_SCHEMA))
		fprintf(f, "<tr><th>schema_version</th><td>%s</td></tr>\n",
			json_object_get_string(jget(doc, J_SCHEMA)));
	if (jstr(doc, J_VERSION)) {
		fputs("<tr><th>switchcost</th><td>", f);
		svg_escape(f, jstr(doc, J_VERSION));
		fputs("</td></tr>\n", f);
	}
	/* every scalar fact the file carries, nested objects flattened one level */
	json_object_object_foreach(sys, key, val) {
		if (json_object_is_type(val, json_type_object)) {
			json_object_object_foreach(val, k2, v2) {
				fputs("<tr><th>", f);
				svg_escape(f, key);
				fputc('.', f);
				svg_escape(f, k2);
				fputs("</th><td>", f);
				svg_escape(f, json_object_get_string(v2));
				fputs("</td></tr>\n", f);
			}
			continue;
		}
		fputs("<tr><th>", f);
		svg_escape(f, key);
		fputs("</th><td>", f);
		svg_escape(f, json_object_get_string(val));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The validity verdict of a row: the file's own when it has one, else ok and counts_agree. */
static const char *row_validity(struct json_object *row, bool *good)
{
	struct json_object *v = jget(row, J_VALIDITY);
	struct json_object *agree = jget(row, J_COUNTS_AGREE);
	struct json_object *ok = jget(row, J_OK);

	if (v && json_object_is_type(v, json_type_object))
		v = jget(v, NAMES("verdict", "valid", "ok"));
	if (v && json_object_is_type(v, json_type_string)) {
		*good = !strcmp(json_object_get_string(v), "valid") ||
			!strcmp(json_object_get_string(v), "ok");
		return json_object_get_string(v);
	}
	if (v && json_object_is_type(v, json_type_boolean)) {
		*good = json_object_get_boolean(v);
		return *good ? "valid" : "not valid";
	}
	*good = (!ok || json_object_get_boolean(ok)) && (!agree || json_object_get_boolean(agree));
	if (ok && !json_object_get_boolean(ok))
		return "failed";
	if (agree && !json_object_get_boolean(agree))
		return "kernel and rusage counts disagree";
	return agree ? "ok, kernel counts agree with rusage" : "ok";
}

static void stacked_bar(FILE *f, double y, double x0, double width, const char *const *classes,
			const char *const *labels, const double *vals, int n)
{
	double total = 0, x = x0;

	for (int i = 0; i < n; i++)
		total += vals[i] > 0 ? vals[i] : 0;
	if (total <= 0)
		return;
	for (int i = 0; i < n; i++) {
		double w;

		if (vals[i] <= 0)
			continue;
		w = vals[i] / total * width;
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\">"
			   "<title>%s: %.0f (%.1f%%)</title></rect>\n",
			classes[i], x, y, w, labels[i], vals[i], vals[i] / total * 100);
		x += w;
	}
}

static int render_run(FILE *f, struct json_object *doc, const char *source)
{
	struct json_object *rows = jget(doc, J_RESULTS);
	size_t n = rows && json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
	double lo = INFINITY, hi = 0;
	const double x0 = 140, x1 = 760, rowh = 28;
	static const char *const kind_classes[] = { "k-process", "k-thread", "k-idle", "k-kernel",
						    "k-coroutine" };
	static const char *const vol_classes[] = { "voluntary", "involuntary" };
	static const char *const vol_labels[] = { "voluntary", "involuntary" };

	if (!n) {
		fprintf(stderr, "switchcost: report %s: no \"results\" array: is it `switchcost run "
				"--json` output?\n", source);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = jget(json_object_array_get_idx(rows, i), J_NS_PER_SWITCH);
		double mn = jnum(c, J_MIN, jnum(c, J_MEDIAN, NAN)), mx = jnum(c, J_MAX, mn);

		if (mn > 0 && mn < lo)
			lo = mn;
		if (mx > hi)
			hi = mx;
	}
	if (!(lo > 0) || !(hi > 0)) {
		lo = 1;
		hi = 10;
	}
	lo = pow(10, floor(log10(lo)));
	hi = pow(10, ceil(log10(hi)));
	if (hi <= lo)
		hi = lo * 10;

	page_begin(f, "switchcost run: what a context switch costs", source);
	fputs("<h2>Cost per switch</h2>\n<p>Median of the timed repeats (dot), min..max over the "
	      "repeats (whisker), log axis; the ratio is to the coroutine row. Hover for values.</p>\n", f);
	fprintf(f, "<svg id=\"cost\" xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%.0f\">\n",
		n * rowh + 50);
	svg_log_axis(f, lo, hi, x0, x1, n * rowh + 16, 4);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		struct json_object *c = jget(row, J_NS_PER_SWITCH);
		const char *name = jstr(row, J_WORKLOAD) ? jstr(row, J_WORKLOAD) : "?";
		double med = jnum(c, J_MEDIAN, NAN), mn = jnum(c, J_MIN, med), mx = jnum(c, J_MAX, med);
		double ratio = jnum(row, J_RATIO, NAN), y = i * rowh + 16;

		fputs("<g class=\"workload\" data-workload=\"", f);
		svg_escape(f, name);
		fprintf(f, "\"><text x=\"0\" y=\"%.1f\">", y + 4);
		svg_escape(f, name);
		fputs("</text>\n", f);
		if (med > 0) {
			fprintf(f, "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\">"
				   "<title>min %.1f ns, max %.1f ns</title></line>\n",
				svg_log_x(mn, lo, hi, x0, x1), y, svg_log_x(mx, lo, hi, x0, x1), y, mn, mx);
			fprintf(f, "<circle class=\"median\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\">"
				   "<title>%s: median %.1f ns per switch</title></circle>\n",
				svg_log_x(med, lo, hi, x0, x1), y, name, med);
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.4g ns", x1 + 10, y + 4, med);
			if (ratio == ratio)
				fprintf(f, " · %.3g× coroutine", ratio);
			fputs("</text>\n", f);
		} else {
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">not measured</text>\n", x0, y + 4);
		}
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);

	fputs("<h2>What the kernel saw (eBPF on sched_switch)</h2>\n<p class=\"legend\">Switches by "
	      "kind:", f);
	for (int k = 0; k < NKINDS; k++)
		fprintf(f, "<span class=\"%s\" style=\"background:currentColor\"></span>%s",
			kind_classes[k], kinds[k]);
	fputs(". Right bar: voluntary (blue) against involuntary (pink).</p>\n", f);
	fprintf(f, "<svg id=\"kernel\" xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" "
		   "height=\"%.0f\">\n", n * rowh + 10);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		struct json_object *k = jget(row, J_KERNEL), *bk = jget(k, J_BY_KIND);
		const char *name = jstr(row, J_WORKLOAD) ? jstr(row, J_WORKLOAD) : "?";
		double kv[NKINDS], vv[2];
		double y = i * rowh + 4;

		fprintf(f, "<g class=\"kernel-row\"><text x=\"0\" y=\"%.1f\">", y + 12);
		svg_escape(f, name);
		fputs("</text>\n", f);
		if (!k) {
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">not measured (--no-bpf)</text></g>\n",
				x0, y + 12);
			continue;
		}
		for (int j = 0; j < NKINDS; j++)
			kv[j] = jnum(bk, NAMES(kinds[j]), 0);
		vv[0] = jnum(k, J_VOLUNTARY, 0);
		vv[1] = jnum(k, J_INVOLUNTARY, 0);
		stacked_bar(f, y, x0, 340, kind_classes, kinds, kv, NKINDS);
		stacked_bar(f, y, x0 + 380, 340, vol_classes, vol_labels, vv, 2);
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);

	fputs("<h2>Validity of each row</h2>\n<table id=\"validity\"><tr><th>workload</th>"
	      "<th>median ns/switch</th><th>verdict</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		bool good;
		const char *verdict = row_validity(row, &good);

		fputs("<tr><td>", f);
		svg_escape(f, jstr(row, J_WORKLOAD) ? jstr(row, J_WORKLOAD) : "?");
		fprintf(f, "</td><td>%.4g</td><td class=\"%s\">",
			jnum(jget(row, J_NS_PER_SWITCH), J_MEDIAN, NAN), good ? "good" : "bad");
		svg_escape(f, verdict);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (jstr(doc, NAMES("process_vs_thread"))) {
		fputs("<p>", f);
		svg_escape(f, jstr(doc, NAMES("process_vs_thread")));
		fputs("</p>\n", f);
	}
	facts_table(f, jget(doc, J_SYSTEM), doc);
	page_end(f);
	return 0;
}

static int render_lab(FILE *f, struct json_object *doc, const char *source)
{
	struct json_object *vars = jget(doc, J_VARIANTS);
	size_t n = vars && json_object_is_type(vars, json_type_array) ? json_object_array_length(vars) : 0;
	const char *scen = jstr(doc, J_SCENARIO) ? jstr(doc, J_SCENARIO) : "lab";
	double hi = 0;
	const double x0 = 160, x1 = 760, rowh = 34;
	char title[128];

	snprintf(title, sizeof(title), "switchcost lab %s", scen);
	page_begin(f, title, source);
	if (!n) {
		fputs("<p>This scenario has no per-variant figures this page can draw.</p>\n", f);
		facts_table(f, jget(doc, J_SYSTEM), doc);
		page_end(f);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(vars, i);

		hi = fmax(hi, fmax(jnum(v, J_MEASURED_UNITS, 0), jnum(v, J_EXPECTED_UNITS, 0)));
	}
	if (hi <= 0)
		hi = 1;
	fputs("<h2>Measured against the notes</h2>\n<p class=\"legend\"><span class=\"measured\" "
	      "style=\"background:#1f77b4\"></span>measured<span class=\"expected\" "
	      "style=\"background:#aaa\"></span>expected (in the scenario's time units)</p>\n", f);
	fprintf(f, "<svg id=\"lab\" xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%.0f\">\n",
		n * rowh + 10);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(vars, i);
		const char *name = jstr(v, NAMES("name")) ? jstr(v, NAMES("name")) : "?";
		double m = jnum(v, J_MEASURED_UNITS, NAN), e = jnum(v, J_EXPECTED_UNITS, NAN);
		double y = i * rowh + 4;

		fprintf(f, "<g class=\"variant\"><text x=\"0\" y=\"%.1f\">", y + 12);
		svg_escape(f, name);
		fputs("</text>\n", f);
		if (m == m)
			fprintf(f, "<rect class=\"measured\" x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"12\"><title>measured %.3f</title></rect>\n",
				x0, y, m / hi * (x1 - x0), m);
		if (e == e)
			fprintf(f, "<rect class=\"expected\" x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"10\"><title>expected %.3f</title></rect>\n",
				x0, y + 14, e / hi * (x1 - x0), e);
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">%.3g vs %.3g</text></g>\n", x1 + 10, y + 12,
			m, e);
	}
	fputs("</svg>\n<h2>Tasks</h2>\n<table id=\"tasks\"><tr><th>variant</th><th>task</th>"
	      "<th>timeline</th><th>expected</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(vars, i), *tasks = jget(v, J_TASKS);
		size_t nt = tasks && json_object_is_type(tasks, json_type_array) ?
			json_object_array_length(tasks) : 0;

		for (size_t t = 0; t < nt; t++) {
			struct json_object *task = json_object_array_get_idx(tasks, t);

			fputs("<tr><td>", f);
			svg_escape(f, jstr(v, NAMES("name")));
			fputs("</td><td>", f);
			svg_escape(f, jstr(task, J_COMM));
			fputs("</td><td><code>", f);
			svg_escape(f, jstr(task, J_TIMELINE));
			fputs("</code></td><td>", f);
			svg_escape(f, jstr(v, J_EXPECTED_NOTE));
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
	facts_table(f, jget(doc, J_SYSTEM), doc);
	page_end(f);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The report needs no privilege: under sudo, the invoking user's identity for every file. */
static int become_sudo_user(void)
{
	uid_t uid;
	gid_t gid;
	int r = swc_sudo_ids(&uid, &gid);

	if (r < 0) {
		fprintf(stderr, "switchcost: report: SUDO_UID or SUDO_GID is not a plain id: fix or "
				"unset it\n");
		return -1;
	}
	if (r == 0)
		return 0;
	if (gid == (gid_t)-1)
		gid = (gid_t)uid;
	if (setgroups(1, &gid) || setgid(gid) || setuid(uid)) {
		fprintf(stderr, "switchcost: report: becoming SUDO_UID %u: %s\n", (unsigned)uid,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void report_usage(FILE *f)
{
	fputs("Usage: switchcost report FILE.json|FILE.csv[.gz] -o FILE.html\n"
	      "       switchcost report FILE.csv[.gz] --perfetto FILE.json\n\n"
	      "Draws saved results as one self-contained HTML page (inline SVG and CSS, nothing\n"
	      "loaded from the network): `run --json` and `lab --json` documents, or a trace's\n"
	      "`--csv` export as a per-thread timeline (running, runnable, blocked).\n"
	      "--perfetto writes the trace CSV in the Chrome JSON trace format (Perfetto UI,\n"
	      "chrome://tracing): a track per thread, running/runnable slices, switches as instants.\n\n"
	      "Options:\n"
	      "  -o, --output FILE    the HTML page to write\n"
	      "      --perfetto FILE  the Chrome JSON trace to write (from a trace CSV)\n"
	      "  -h, --help           this help\n\n"
	      "Examples:\n"
	      "  sudo switchcost --quick --json > run.json && switchcost report run.json -o run.html\n"
	      "  sudo switchcost trace --csv t.csv -- make && switchcost report t.csv -o t.html\n", f);
}

/* Writes one output file through the project's safe temporary-then-rename path. */
static int write_output(const char *path, const char *source, int (*render)(FILE *, void *, const char *),
			void *arg)
{
	struct swc_outfile o;
	FILE *f;
	int rc, fd;

	if (swc_outfile_open(&o, path))
		return 1;
	fd = dup(o.fd);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		swc_outfile_commit(&o, false);
		return 1;
	}
	rc = render(f, arg, source);
	if (fflush(f) || ferror(f)) {
		if (!rc)
			fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (fclose(f) && !rc) {
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (swc_outfile_commit(&o, rc == 0))
		rc = 1;
	return rc;
}

static int render_json(FILE *f, void *arg, const char *source)
{
	struct json_object *doc = arg;
	const char *cmd = jstr(doc, J_COMMAND);

	if (cmd && !strcmp(cmd, "lab"))
		return render_lab(f, doc, source);
	return render_run(f, doc, source);
}

static int render_csv_page(FILE *f, void *arg, const char *source)
{
	return swc_trace_html(f, arg, source);
}

static int render_csv_perfetto(FILE *f, void *arg, const char *source)
{
	(void)source;
	return swc_trace_perfetto(f, arg);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "perfetto", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *perfetto = NULL, *in;
	struct swc_trace_data *td = NULL;
	int c, rc = 1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'P': perfetto = optarg; break;
		case 'h': report_usage(stdout); return 0;
		default:
			fprintf(stderr, "switchcost: report: bad option '%s' (see switchcost report "
					"--help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "switchcost: report: give exactly one results file (see switchcost "
				"report --help)\n");
		return 2;
	}
	in = argv[optind];
	if (!out && !perfetto) {
		fprintf(stderr, "switchcost: report: nothing to write: give -o FILE.html or "
				"--perfetto FILE.json\n");
		return 2;
	}
	if (become_sudo_user())
		return 1;
	if (ends_with(in, ".csv") || ends_with(in, ".csv.gz")) {
		td = swc_trace_load(in);
		if (!td)
			return 1;
		rc = 0;
		if (out)
			rc = write_output(out, in, render_csv_page, td);
		if (!rc && perfetto)
			rc = write_output(perfetto, in, render_csv_perfetto, td);
		swc_trace_free(td);
		return rc;
	}
	if (perfetto) {
		fprintf(stderr, "switchcost: report: --perfetto needs a trace CSV (switchcost trace "
				"--csv FILE), not %s\n", in);
		return 2;
	}
	{
		struct json_object *doc = json_object_from_file(in);

		if (!doc) {
			fprintf(stderr, "switchcost: report: reading %s: %s\n", in,
				json_util_get_last_err() ? json_util_get_last_err() : "not JSON");
			return 1;
		}
		if (!json_object_is_type(doc, json_type_object)) {
			fprintf(stderr, "switchcost: report: %s is not a switchcost JSON document\n", in);
			json_object_put(doc);
			return 1;
		}
		rc = write_output(out, in, render_json, doc);
		json_object_put(doc);
	}
	return rc;
}
