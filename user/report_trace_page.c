// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace page: one track per thread, its states (running, runnable, blocked) binned by pixel
 * column so a million switches make a page of bounded size, its switches marked by kind and the
 * user-space switch point's hits (--asyncio, --uprobe) on the same time axis; the per-thread
 * table; the wake-up delay and off-CPU histograms.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "csv.h"
#include "fmt.h"
#include "report_page.h"
#include "report_trace.h"
#include "svg.h"
#include "switchcost.h"

#define COLUMNS 800
#define MAX_TRACKS 200
#define TRACK_H 24

struct bins {
	uint64_t t0;
	double col_ns;
	int *row;				/* thread -> track row, -1 not drawn */
	float (*ns)[COLUMNS][ST_N];		/* time in each state per column */
	uint32_t (*switches)[COLUMNS][SWC_KIND_NR + 1];	/* by kind, last: unknown */
	uint32_t (*hits)[COLUMNS];
};

static size_t column(const struct bins *b, uint64_t ts)
{
	size_t c = ts > b->t0 ? (size_t)((double)(ts - b->t0) / b->col_ns) : 0;

	return c < COLUMNS ? c : COLUMNS - 1;
}

/* Where column c ends; a span of nearly 2^64 ns (a crafted CSV) saturates rather than
 * overflowing the conversion from double. */
static uint64_t column_end(const struct bins *b, size_t c)
{
	double off = (double)(c + 1) * b->col_ns;

	return off >= (double)(UINT64_MAX - b->t0) ? UINT64_MAX : b->t0 + (uint64_t)off;
}

static void bin_interval(void *arg, struct swc_trace_data *td, size_t thread, int st,
			 uint64_t from, uint64_t to)
{
	struct bins *b = arg;
	int row = b->row[thread];
	(void)td;

	if (row < 0)
		return;
	while (from < to) {
		size_t c = column(b, from);
		uint64_t end = column_end(b, c);

		/* from at a column's edge may round into the column before: that one is done */
		if (end <= from && c < COLUMNS - 1)
			end = column_end(b, ++c);
		if (end <= from || c == COLUMNS - 1 || end > to)
			end = to;
		b->ns[row][c][st] += (float)(end - from);
		from = end;
	}
}

static void bin_switch(void *arg, struct swc_trace_data *td, const struct trace_rec *r)
{
	struct bins *b = arg;
	size_t c = column(b, r->ts);
	(void)td;

	if (b->row[r->next] >= 0)
		b->switches[b->row[r->next]][c][r->kind]++;
	if (b->row[r->prev] >= 0)
		b->switches[b->row[r->prev]][c][r->kind]++;
}

static int dominant_state(const float *ns)
{
	int st = -1;
	float best = 0;

	for (int s = 0; s < ST_N; s++)
		if (ns[s] > best) {
			best = ns[s];
			st = s;
		}
	return st;
}

/* The kind with most switches in a column (SWC_KIND_NR: unknown), -1 when none. */
static int dominant_kind(const uint32_t *n, uint32_t *total)
{
	int k = -1;
	uint32_t best = 0;

	*total = 0;
	for (int i = 0; i <= SWC_KIND_NR; i++) {
		*total += n[i];
		if (n[i] > best) {
			best = n[i];
			k = i;
		}
	}
	return k;
}

static void track(FILE *f, const struct bins *b, const struct trace_thread *t, int row)
{
	double y = row * TRACK_H;
	const double x0 = 190;

	fprintf(f, "<g class=\"thread\" data-tid=\"%d\"><text x=\"0\" y=\"%.0f\">", t->tid, y + 12);
	svg_escape(f, t->comm);
	fprintf(f, " %d/%d</text>\n", t->pid, t->tid);
	/* runs of columns with the same dominant state become one rect */
	for (int c = 0; c < COLUMNS;) {
		int st = dominant_state(b->ns[row][c]), c2 = c + 1;

		while (c2 < COLUMNS && dominant_state(b->ns[row][c2]) == st)
			c2++;
		if (st >= 0)
			fprintf(f, "<rect class=\"%s\" x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"12\">"
				   "<title>%s %.3f..%.3f ms</title></rect>\n",
				swc_trace_state_names[st], x0 + c, y + 2, c2 - c,
				swc_trace_state_names[st], c * b->col_ns / 1e6, c2 * b->col_ns / 1e6);
		c = c2;
	}
	/* switches: a tick per column, coloured by the kind most of them were */
	for (int c = 0; c < COLUMNS; c++) {
		uint32_t total;
		int k = dominant_kind(b->switches[row][c], &total);
		const char *kn = k >= 0 && k < SWC_KIND_NR ? swc_kind_name((unsigned int)k) : NULL;

		if (k < 0)
			continue;
		fprintf(f, "<rect class=\"switch k-%s\" x=\"%.0f\" y=\"%.0f\" width=\"1\" "
			   "height=\"4\"><title>%u switches, most %s</title></rect>\n",
			kn ? kn : "unknown", x0 + c, y + 14, total, kn ? kn : "of unknown kind");
	}
	for (int c = 0; c < COLUMNS; c++)
		if (b->hits[row][c])
			fprintf(f, "<rect class=\"hit\" x=\"%.0f\" y=\"%.0f\" width=\"1\" height=\"4\">"
				   "<title>%u user-space switch point hits</title></rect>\n",
				x0 + c, y + 18, b->hits[row][c]);
	fputs("</g>\n", f);
}

static void thread_table(FILE *f, const struct swc_trace_data *td)
{
	char a[32], b[32], c[32], d[32];

	fputs("<h2>Threads</h2>\n<table id=\"threads\"><tr><th>pid</th><th>tid</th><th>comm</th>"
	      "<th>switches out</th><th>involuntary</th><th>running</th><th>runnable</th>"
	      "<th>blocked</th><th>longest wake-up to run</th><th>switch point hits</th></tr>\n", f);
	for (size_t i = 0; i < td->nthreads; i++) {
		const struct trace_thread *t = &td->threads[i];

		if (!swc_trace_tracked(t))
			continue;
		fprintf(f, "<tr class=\"thread-row\"><td>%d</td><td>%d</td><td>", t->pid, t->tid);
		svg_escape(f, t->comm);
		fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
			   "<td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
			   "<td class=\"num\">%s</td><td class=\"num\">%zu</td></tr>\n",
			(unsigned long long)t->switches_out, (unsigned long long)t->involuntary,
			swc_fmt_ns((double)t->state_ns[ST_RUNNING], a, sizeof(a)),
			swc_fmt_ns((double)t->state_ns[ST_RUNNABLE], b, sizeof(b)),
			swc_fmt_ns((double)t->state_ns[ST_BLOCKED], c, sizeof(c)),
			!td->have_delay ? "not measured" :
			t->max_delay ? swc_fmt_ns((double)t->max_delay, d, sizeof(d)) : "-", t->nhits);
	}
	fputs("</table>\n<p>Running, runnable and blocked count from each thread's first switch in "
	      "the trace to the last switch of the trace.</p>\n", f);
}

static void page(FILE *f, struct swc_trace_data *td, const struct bins *b, size_t ntracks,
		 size_t nhidden, size_t nothers, const char *source)
{
	char span[32];

	swc_page_begin(f, "switchcost trace: per-thread timeline", source);
	fprintf(f, "<p>%zu switches, %zu user-space switch point hits, %zu traced threads, %s. "
		   "%zu other tasks met them on a CPU (not drawn: switchcost sees them only then)."
		   "</p>\n", td->nrecs, td->nhits, ntracks + nhidden,
		swc_fmt_ns((double)(td->t1 - td->t0), span, sizeof(span)), nothers);
	fprintf(f, "<p id=\"binning\">Binned by pixel column: %d columns of %.1f µs each, so the "
		   "page stays small however long the trace. A column shows the state its thread "
		   "spent most of that time in; a tick marks columns with switches, coloured by the "
		   "kind most of them were, and a second tick the switch point's hits (hover for the "
		   "counts).</p>\n", COLUMNS, b->col_ns / 1e3);
	if (nhidden)
		fprintf(f, "<p>%zu more threads are not drawn (at most %d tracks); the table lists "
			   "them all.</p>\n", nhidden, MAX_TRACKS);
	fputs("<p class=\"legend\"><span style=\"color:#2ca02c\">■</span>running"
	      "<span style=\"color:#ff7f0e\">■</span>runnable (woken or preempted, waiting for a "
	      "CPU)<span style=\"color:#e8e8e8\">■</span>blocked. Switches by kind:"
	      "<span style=\"color:#d62728\">■</span>process<span style=\"color:#ff7f0e\">■</span>"
	      "thread<span style=\"color:#bbb\">■</span>idle<span style=\"color:#9467bd\">■</span>"
	      "kernel<span style=\"color:#17becf\">■</span>switch point hits</p>\n", f);
	fprintf(f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%zu\">\n", 190 + COLUMNS + 10, ntracks * TRACK_H + 30);
	for (size_t i = 0; i < td->nthreads; i++)
		if (b->row[i] >= 0)
			track(f, b, &td->threads[i], b->row[i]);
	fprintf(f, "<text x=\"190\" y=\"%zu\">0</text><text x=\"%d\" y=\"%zu\" text-anchor=\"end\">"
		   "%s</text>\n</svg>\n", ntracks * TRACK_H + 20, 190 + COLUMNS,
		ntracks * TRACK_H + 20, span);
	thread_table(f, td);
	fputs("<h2>Latencies (every switch of the trace)</h2>\n<div class=\"hists\">\n", f);
	if (td->have_delay)
		svg_log2_hist(f, "hist-wakeup", "wake-up to run", td->delay_hist,
			      TRACE_HIST_BUCKETS);
	else	/* not "0 samples": nothing stamped the wake-ups */
		fputs("<figure class=\"hist\" id=\"hist-wakeup\"><figcaption>wake-up to run: not "
		      "measured</figcaption>\n<p>No switch here has its delay_ns: trace measures "
		      "it with --latency.</p></figure>\n", f);
	svg_log2_hist(f, "hist-off", "off-CPU", td->off_hist, TRACE_HIST_BUCKETS);
	fputs("</div>\n", f);
	swc_page_end(f);
}

int swc_trace_html(FILE *f, struct swc_trace_data *td, const char *source)
{
	struct bins b = { 0 };
	size_t ntracks = 0, nhidden = 0, nothers = 0;
	int rc = 1;

	if (!td->nrecs && !td->nhits) {
		fprintf(stderr, "switchcost: %s holds no switches: nothing to draw\n", source);
		return 1;
	}
	b.t0 = td->t0;
	b.col_ns = td->t1 > td->t0 ? (double)(td->t1 - td->t0) / COLUMNS : 1;
	b.row = malloc(td->nthreads * sizeof(*b.row));
	for (size_t i = 0; b.row && i < td->nthreads; i++) {
		b.row[i] = -1;
		if (!swc_trace_tracked(&td->threads[i])) {
			nothers += td->threads[i].tid != 0;
			continue;
		}
		if (ntracks < MAX_TRACKS)
			b.row[i] = (int)ntracks++;
		else
			nhidden++;
	}
	b.ns = calloc(ntracks ? ntracks : 1, sizeof(*b.ns));
	b.switches = calloc(ntracks ? ntracks : 1, sizeof(*b.switches));
	b.hits = calloc(ntracks ? ntracks : 1, sizeof(*b.hits));
	if (!b.row || !b.ns || !b.switches || !b.hits) {
		fprintf(stderr, "switchcost: drawing %s: %s\n", source, strerror(ENOMEM));
		goto out;
	}
	swc_trace_reduce(td, bin_interval, bin_switch, &b);
	for (size_t i = 0; i < td->nhits; i++)
		if (b.row[td->hits[i].thread] >= 0)
			b.hits[b.row[td->hits[i].thread]][column(&b, td->hits[i].ts)]++;
	page(f, td, &b, ntracks, nhidden, nothers, source);
	rc = 0;
out:
	free(b.row);
	free(b.ns);
	free(b.switches);
	free(b.hits);
	return rc;
}
