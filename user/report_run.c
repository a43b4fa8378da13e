// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page of a `run --json` document: cost per switch per workload on a log axis with min..max
 * whiskers and the ratio to the coroutine, the kernel's switches by kind and voluntary /
 * involuntary as stacked bars, each workload's three latency histograms (on-CPU run, off-CPU,
 * wake-up to run: the log2 buckets eBPF filled), each row's validity, and the system facts.
 * Hover values are SVG <title>s, which browsers show natively.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "report_doc.h"
#include "report_page.h"
#include "svg.h"

#define J_RESULTS NAMES("results", "workloads")
#define J_WORKLOAD NAMES("workload", "name")
#define J_NS_PER_SWITCH NAMES("ns_per_switch", "cost_ns")
#define J_RATIO NAMES("ratio_to_coroutine", "vs_coroutine")
#define J_KERNEL NAMES("ebpf", "kernel")
#define J_BY_KIND NAMES("by_kind", "switches_by_kind")

static const char *const kinds[] = { "process", "thread", "idle", "kernel", "coroutine" };
#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

static const char *workload_name(struct json_object *row)
{
	return jr_str(row, J_WORKLOAD) ? jr_str(row, J_WORKLOAD) : "?";
}

/* The validity verdict of a row: valid/reasons when the file has them, else ok and agreement. */
static bool row_valid(struct json_object *row, char *why, size_t n)
{
	struct json_object *reasons = jr_get(row, NAMES("reasons"));
	bool ok = jr_bool(row, NAMES("ok"), true);
	bool agree = jr_bool(row, NAMES("counts_agree"), true);
	bool valid = jr_bool(row, NAMES("valid"), ok && agree);
	size_t len = 0;

	why[0] = 0;
	for (size_t i = 0; i < jr_len(reasons) && len < n; i++) {
		const char *r = json_object_get_string(jr_at(reasons, i));

		len += (size_t)snprintf(why + len, n - len, "%s%s", i ? "; " : "", r ? r : "");
	}
	if (!why[0])
		snprintf(why, n, "%s", !ok ? "failed" : !agree ? "eBPF and the kernel's own counters "
				       "disagree" : valid ? "valid" : "not valid");
	return valid && ok;
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

/* ns_per_switch {median, min, max} (lab cost before the schema's rename: a number, with
 * ns_per_switch_min and _max beside it) */
static void cost_of(struct json_object *row, double *med, double *mn, double *mx)
{
	struct json_object *c = jr_get(row, J_NS_PER_SWITCH);

	*med = jr_num(row, J_NS_PER_SWITCH, NAN);
	*mn = jr_num(c, NAMES("min"), jr_num(row, NAMES("ns_per_switch_min"), *med));
	*mx = jr_num(c, NAMES("max"), jr_num(row, NAMES("ns_per_switch_max"), *med));
}

static void cost_chart(FILE *f, struct json_object *rows)
{
	size_t n = jr_len(rows);
	double lo = INFINITY, hi = 0;
	const double x0 = 150, x1 = 650, rowh = 28;
	char a[32], r[32];

	for (size_t i = 0; i < n; i++) {
		double med, mn, mx;

		cost_of(jr_at(rows, i), &med, &mn, &mx);
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
	fputs("<h2>Cost per switch</h2>\n<p>Median of the timed repeats (dot), min..max over the "
	      "repeats (whisker), log axis; the ratio is to the coroutine row. Hover for values.</p>\n",
	      f);
	fprintf(f, "<svg id=\"cost\" xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" "
		   "height=\"%.0f\">\n", n * rowh + 50);
	svg_log_axis(f, lo, hi, x0, x1, n * rowh + 16, 4);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = jr_at(rows, i);
		const char *name = workload_name(row);
		double med, mn, mx, ratio = jr_num(row, J_RATIO, NAN), y = i * rowh + 16;

		cost_of(row, &med, &mn, &mx);
		fputs("<g class=\"workload\" data-workload=\"", f);
		svg_escape(f, name);
		fprintf(f, "\"><text x=\"0\" y=\"%.1f\">", y + 4);
		svg_escape(f, name);
		fputs("</text>\n", f);
		if (med > 0) {
			fprintf(f, "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				   "y2=\"%.1f\"><title>min %.1f ns, max %.1f ns</title></line>\n",
				svg_log_x(mn, lo, hi, x0, x1), y, svg_log_x(mx, lo, hi, x0, x1), y, mn, mx);
			fprintf(f, "<circle class=\"median\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\">"
				   "<title>%s: median %.1f ns per switch</title></circle>\n",
				svg_log_x(med, lo, hi, x0, x1), y, name, med);
			fprintf(f, "<text class=\"value\" x=\"%.0f\" y=\"%.1f\">%s", x1 + 16, y + 4,
				swc_fmt_ns(med, a, sizeof(a)));
			if (ratio == ratio)
				fprintf(f, " · %s coroutine", swc_fmt_ratio(ratio, r, sizeof(r)));
			fputs("</text>\n", f);
		} else {
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">not measured</text>\n", x0, y + 4);
		}
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);
}

static void kernel_bars(FILE *f, struct json_object *rows)
{
	static const char *const kind_classes[] = { "k-process", "k-thread", "k-idle", "k-kernel",
						    "k-coroutine" };
	static const char *const kind_colours[] = { "#d62728", "#ff7f0e", "#bbb", "#9467bd",
						    "#2ca02c" };
	static const char *const vol[] = { "voluntary", "involuntary" };
	size_t n = jr_len(rows);
	const double x0 = 150, rowh = 28;

	fputs("<h2>What the kernel saw (eBPF on sched_switch)</h2>\n<p class=\"legend\">Switches by "
	      "kind:", f);
	for (int k = 0; k < NKINDS; k++)
		fprintf(f, "<span style=\"color:%s\">■</span>%s", kind_colours[k], kinds[k]);
	fputs(". Right bar: voluntary (blue) against involuntary (pink).</p>\n", f);
	fprintf(f, "<svg id=\"kernel\" xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" "
		   "height=\"%.0f\">\n", n * rowh + 10);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = jr_at(rows, i), *k = jr_get(row, J_KERNEL);
		struct json_object *bk = jr_get(k, J_BY_KIND);
		double kv[NKINDS], vv[2], y = i * rowh + 4;

		fprintf(f, "<g class=\"kernel-row\"><text x=\"0\" y=\"%.1f\">", y + 12);
		svg_escape(f, workload_name(row));
		fputs("</text>\n", f);
		if (!k) {
			fprintf(f, "<text x=\"%.0f\" y=\"%.1f\">not measured (--no-bpf)</text></g>\n",
				x0, y + 12);
			continue;
		}
		for (int j = 0; j < NKINDS; j++)
			kv[j] = jr_num(bk, NAMES(kinds[j]), 0);
		vv[0] = jr_num(k, NAMES("voluntary"), 0);
		vv[1] = jr_num(k, NAMES("involuntary"), 0);
		stacked_bar(f, y, x0, 340, kind_classes, kinds, kv, NKINDS);
		stacked_bar(f, y, x0 + 380, 340, vol, vol, vv, 2);
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);
}

/* The three latency distributions eBPF bucketed in the counting pass, per workload. */
static void histograms(FILE *f, struct json_object *rows)
{
	static const struct { const char *key, *title; } h[] = {
		{ "run_ns", "on-CPU run" },
		{ "off_ns", "off-CPU" },
		{ "wakeup_delay_ns", "wake-up to run" },
	};
	bool any = false;

	for (size_t i = 0; i < jr_len(rows); i++) {
		struct json_object *row = jr_at(rows, i), *k = jr_get(row, J_KERNEL);
		char id[96];

		if (!jr_get(jr_get(k, NAMES(h[0].key)), NAMES("log2_hist")))
			continue;
		if (!any)
			fputs("<h2>Latencies (eBPF, log2 buckets of the counting pass)</h2>\n<p>Each bar "
			      "is one power of two of nanoseconds; hover for its range and count.</p>\n",
			      f);
		any = true;
		fputs("<div class=\"hists\" data-workload=\"", f);
		svg_escape(f, workload_name(row));
		fputs("\"><h3>", f);
		svg_escape(f, workload_name(row));
		fputs("</h3>\n", f);
		for (size_t j = 0; j < sizeof(h) / sizeof(h[0]); j++) {
			struct json_object *b = jr_get(jr_get(k, NAMES(h[j].key)), NAMES("log2_hist"));
			double counts[64];
			int nb = (int)(jr_len(b) < 64 ? jr_len(b) : 64);

			for (int s = 0; s < nb; s++)
				counts[s] = json_object_get_double(jr_at(b, (size_t)s));
			snprintf(id, sizeof(id), "hist-%s-%s", workload_name(row), h[j].key);
			for (char *p = id; *p; p++)
				if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
					*p = '_';
			svg_log2_hist(f, id, h[j].title, counts, nb);
		}
		fputs("</div>\n", f);
	}
	if (!any)
		fputs("<h2>Latencies</h2>\n<p>This file has no latency histograms (no eBPF, or an "
		      "older switchcost).</p>\n", f);
}

int swc_page_run(FILE *f, struct json_object *doc, const char *source)
{
	struct json_object *rows = jr_get(doc, J_RESULTS);
	size_t n = jr_len(rows);
	char why[512], kind[64], title[160];

	if (!n) {
		fprintf(stderr, "switchcost: report %s: no \"results\" array: is it `switchcost run "
				"--json` output?\n", source);
		return 1;
	}
	swc_doc_kind(doc, kind, sizeof(kind));
	snprintf(title, sizeof(title), "switchcost %s: what a context switch costs", kind);
	swc_page_begin(f, title, source);
	cost_chart(f, rows);
	kernel_bars(f, rows);
	histograms(f, rows);
	fputs("<h2>Validity of each row</h2>\n<table id=\"validity\"><tr><th>workload</th>"
	      "<th>median ns/switch</th><th>verdict</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		struct json_object *row = jr_at(rows, i);
		bool good = row_valid(row, why, sizeof(why));

		fputs("<tr><td>", f);
		svg_escape(f, workload_name(row));
		fprintf(f, "</td><td class=\"num\">%.4g</td><td class=\"%s\">",
			jr_num(row, J_NS_PER_SWITCH, NAN), good ? "good" : "bad");
		svg_escape(f, why);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (jr_str(doc, NAMES("process_vs_thread"))) {
		fputs("<p>", f);
		svg_escape(f, jr_str(doc, NAMES("process_vs_thread")));
		fputs("</p>\n", f);
	}
	swc_page_facts(f, doc);
	swc_page_end(f);
	return 0;
}
