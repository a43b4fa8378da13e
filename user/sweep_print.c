// SPDX-License-Identifier: GPL-2.0-only
/* The sweep for people and for programs: table, terminal plot, where it turns up, JSON. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "addrspace.h"
#include "fmt.h"
#include "json.h"
#include "runner.h"
#include "sweep.h"

#define PLOT_WIDTH	40

static const char *const pattern_title[SWC_WS_NR] = {
	[SWC_WS_LINES] = "every cache line of W (cache capacity)",
	[SWC_WS_PAGES] = "one line per 4 KiB page of W (TLB reach)",
};

static char *fmt_point_ns(const struct swc_sweep_point *pt, double ns, bool sign, char *buf,
			  size_t len)
{
	char v[40];

	if (!pt || !pt->ran)
		return snprintf(buf, len, "-"), buf;
	if (!pt->ok)
		return snprintf(buf, len, "failed"), buf;
	if (sign || ns < 0)
		swc_fmt_signed_ns(ns, v, sizeof(v));
	else
		swc_fmt_ns(ns, v, sizeof(v));
	snprintf(buf, len, "%s%s", v, pt->val.valid ? "" : " !");
	return buf;
}

static void print_table(const struct swc_sweep *s, enum swc_ws_pattern p, FILE *f)
{
	const char *headers[2 + 2 * SWC_SWEEP_WORKLOADS] = { "W", "touch alone" };
	enum swc_align aligns[2 + 2 * SWC_SWEEP_WORKLOADS];
	char cell[2 + 2 * SWC_SWEEP_WORKLOADS][48], head[2 * SWC_SWEEP_WORKLOADS][40];
	const char *cells[2 + 2 * SWC_SWEEP_WORKLOADS];
	int ncols = 2 + 2 * s->o.nwl;
	struct swc_table *t;

	for (int k = 0; k < ncols; k++)
		aligns[k] = SWC_RIGHT;
	for (int k = 0; k < s->o.nwl; k++) {
		snprintf(head[2 * k], sizeof(head[0]), "%s", swc_workload_name(s->o.wl[k]));
		snprintf(head[2 * k + 1], sizeof(head[0]), "indirect");
		headers[2 + 2 * k] = head[2 * k];
		headers[3 + 2 * k] = head[2 * k + 1];
	}
	t = swc_table__new(ncols, headers, aligns);
	if (!t)
		return;
	for (int i = 0; i < s->o.nsizes; i++) {
		unsigned long long ws = s->o.sizes[i];
		const struct swc_sweep_point *b = ws ? swc_sweep_find(s, -1, p, ws) : NULL;

		for (int k = 0; k < ncols; k++)
			cells[k] = cell[k];
		swc_ws_fmt_bytes(ws, cell[0], sizeof(cell[0]));
		if (ws)
			fmt_point_ns(b, b ? b->per_switch.median : NAN, false, cell[1], sizeof(cell[1]));
		else
			snprintf(cell[1], sizeof(cell[1]), "-");
		for (int k = 0; k < s->o.nwl; k++) {
			const struct swc_sweep_point *pt = swc_sweep_find(s, s->o.wl[k], p, ws);

			fmt_point_ns(pt, pt ? pt->cost_ns : NAN, false, cell[2 + 2 * k],
				     sizeof(cell[0]));
			if (ws)
				fmt_point_ns(pt, pt ? pt->indirect_ns : NAN, true, cell[3 + 2 * k],
					     sizeof(cell[0]));
			else
				snprintf(cell[3 + 2 * k], sizeof(cell[0]), "(direct)");
		}
		swc_table__add_row(t, cells);
	}
	swc_table__print(t, f);
	swc_table__free(t);
}

static void print_plot(const struct swc_sweep *s, enum swc_ws_pattern p, FILE *f)
{
	double top = 0;
	char a[40], b[40];

	for (int i = 0; i < s->n; i++)
		if (!s->p[i].baseline && s->p[i].ws_bytes && s->p[i].pattern == p &&
		    s->p[i].indirect_ns > top)
			top = s->p[i].indirect_ns;
	fprintf(f, "\nindirect cost per switch, %s", swc_ws_pattern_name(p));
	if (!(top > 0)) {
		fprintf(f, ": none above zero at any W\n");
		return;
	}
	fprintf(f, " (each █ = %s):\n", swc_fmt_ns(top / PLOT_WIDTH, a, sizeof(a)));
	for (int i = 0; i < s->o.nsizes; i++) {
		unsigned long long ws = s->o.sizes[i];

		if (!ws)
			continue;
		for (int k = 0; k < s->o.nwl; k++) {
			const struct swc_sweep_point *pt = swc_sweep_find(s, s->o.wl[k], p, ws);
			int bar = 0;

			if (!pt || !pt->ok)
				continue;
			if (pt->indirect_ns > 0)
				bar = (int)lround(pt->indirect_ns / top * PLOT_WIDTH);
			fprintf(f, "  %6s %-10s ", k ? "" : swc_ws_fmt_bytes(ws, a, sizeof(a)),
				swc_workload_name(pt->id));
			for (int c = 0; c < bar; c++)
				fputs("█", f);
			fprintf(f, "%s%s%s\n", bar ? " " : "", swc_fmt_signed_ns(pt->indirect_ns, b,
				sizeof(b)), pt->val.valid ? "" : " !");
		}
	}
}

void swc_sweep_print(const struct swc_sweep *s, const struct swc_addrspace *as, FILE *f)
{
	char why[768], a[32];

	swc_cpucache_print(&s->caches, f);
	fprintf(f, "# working-set sweep on CPU %d: each party touches its own W bytes between "
		   "hand-offs; 'touch alone' is one pass with no switch; a workload's column is its "
		   "cost per switch beyond that; 'indirect' is its growth over W = 0\n", s->o.cpu);
	for (int p = 0; p < SWC_WS_NR; p++) {
		fprintf(f, "\n%s:\n", pattern_title[p]);
		print_table(s, p, f);
	}
	for (int p = 0; p < SWC_WS_NR; p++)
		print_plot(s, p, f);
	fprintf(f, "\n");
	for (int p = 0; p < SWC_WS_NR; p++)
		fprintf(f, "%s\n", swc_sweep_explain(s, p, as, why, sizeof(why)));
	for (int i = 0; i < s->n; i++)
		if (s->p[i].ran && !s->p[i].ok)
			fprintf(f, "The %s point at W = %s failed: its runner %s.\n",
				s->p[i].baseline ? "baseline" : swc_workload_name(s->p[i].id),
				swc_ws_fmt_bytes(s->p[i].ws_bytes, a, sizeof(a)),
				swc_describe_status(s->p[i].status, why, sizeof(why)));
}

void swc_sweep_json_results(const struct swc_sweep *s, struct swc_json *j)
{
	char buf[128];

	for (int i = 0; i < s->n; i++) {
		const struct swc_sweep_point *pt = &s->p[i];

		jw_obj_begin(j, NULL);
		jw_str(j, "workload", pt->baseline ? "baseline" : swc_workload_name(pt->id));
		jw_u64(j, "ws_bytes", pt->ws_bytes);
		jw_str(j, "ws_pattern", pt->ws_bytes ? swc_ws_pattern_name(pt->pattern) : NULL);
		jw_u64(j, "round_trips", pt->round_trips);
		jw_bool(j, "ok", pt->ok);
		if (!pt->ok) {
			jw_str(j, "error", pt->ran ? swc_describe_status(pt->status, buf, sizeof(buf))
						   : "not run");
			jw_obj_end(j);
			continue;
		}
		swc_validity_json(j, &pt->val);
		swc_ns_per_switch_json(j, &pt->per_switch, pt->per_repeat_ns, pt->repeats);
		jw_double(j, "cost_ns", pt->cost_ns);
		jw_double(j, "indirect_ns", pt->indirect_ns);
		jw_obj_begin(j, "validity");
		jw_double(j, "repeat_spread", pt->val.spread);
		jw_double(j, "cpu_share", pt->val.cpu_share);
		if (pt->outside_switches >= 0)
			jw_i64(j, "outside_switches", pt->outside_switches);
		else
			jw_null(j, "outside_switches");
		jw_double(j, "steal_ns", pt->steal_ns);
		jw_double(j, "wall_ns", pt->wall_ns);
		jw_obj_end(j);
		jw_obj_end(j);
	}
}

void swc_sweep_json(const struct swc_sweep *s, const struct swc_addrspace *as,
		    struct swc_json *j)
{
	char why[768];

	jw_obj_begin(j, "ws_sweep");
	jw_arr_begin(j, "ws_bytes");
	for (int i = 0; i < s->o.nsizes; i++)
		jw_u64(j, NULL, s->o.sizes[i]);
	jw_arr_end(j);
	jw_i64(j, "cpu", s->o.cpu);
	swc_cpucache_json(&s->caches, j);
	jw_obj_begin(j, "turns_up");
	for (int p = 0; p < SWC_WS_NR; p++)
		jw_str(j, swc_ws_pattern_name(p), swc_sweep_explain(s, p, as, why, sizeof(why)));
	jw_obj_end(j);
	jw_double(j, "elapsed_ns", s->elapsed_ns);
	jw_obj_end(j);
}
