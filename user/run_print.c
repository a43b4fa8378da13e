// SPDX-License-Identifier: GPL-2.0-only
/* switchcost run's human report: the header, the table, the evidence, the notes below it. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "report.h"
#include "run.h"
#include "stats.h"
#include "sysinfo.h"
#include "validity.h"

const char *run_ipc_name(enum swc_ipc ipc)
{
	return ipc == SWC_IPC_PIPE ? "pipe" : ipc == SWC_IPC_FUTEX_PRIVATE ? "futex-private"
									    : "futex";
}

static void print_config(const struct run_env *env, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "# %s round trips x %lu repeats (+%s warm-up), 2 switches per round trip · ",
		swc_fmt_count(env->round_trips, a, sizeof(a)), env->repeats,
		swc_fmt_count(env->warmup, b, sizeof(b)));
	if (env->ncpus == 1)
		fprintf(f, "both parties on CPU %d", env->cpus[0]);
	else
		fprintf(f, "parties on CPUs %d and %d (cross-CPU hand-off)", env->cpus[0],
			env->cpus[1]);
	fprintf(f, " · hand-off: %s", run_ipc_name(env->ipc));
	for (int i = 0; i < env->nwl; i++)
		if (swc_workload_handoff(env->order[i], env->ipc))
			fprintf(f, "%s%s %s", i && swc_workload_handoff(env->order[i - 1], env->ipc)
					      ? ", " : " (", swc_workload_name(env->order[i]),
				swc_workload_handoff(env->order[i], env->ipc));
	for (int i = 0; i < env->nwl; i++)
		if (swc_workload_handoff(env->order[i], env->ipc)) {
			fprintf(f, ")");
			break;
		}
	fprintf(f, "\n");
}

static void print_table(const struct swc_measurement *rows, int n, size_t width, FILE *f)
{
	/* on a terminal the table fits 100 columns: these go first (--wide keeps them) */
	static const int drop[] = { 4, 5, 6, 7 };
	char dropped[128];
	static const char *const headers[] = {
		"workload", "per switch", "min .. max", "×coro", "switches",
		"kernel sw", "vol / invol", "syscalls/sw", "wake→run p50", "p99",
	};
	static const enum swc_align aligns[] = {
		SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
		SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
	};
	const struct swc_measurement *co = swc_measure_find(rows, n, SWC_WL_COROUTINE);
	char c[10][64], t1[32], t2[32];
	const char *cells[10];
	struct swc_table *t = swc_table__new(10, headers, aligns);

	if (!t)
		return;
	for (int i = 0; i < n; i++) {
		const struct swc_measurement *r = &rows[i];
		const struct swc_group_stats *ls = swc_measure_latency_stats(r);
		double sys = swc_measure_syscalls_per_switch(r);
		bool kernel = r->have_bpf;

		for (int k = 0; k < 10; k++) {
			c[k][0] = '\0';
			cells[k] = c[k];
		}
		snprintf(c[0], sizeof(c[0]), "%s%s", swc_measure_row_name(r),
			 r->rr.ok && !r->val.valid ? " !" : "");
		if (!r->rr.ok) {
			snprintf(c[1], sizeof(c[1]), r->unavailable ? "not available" : "failed");
			for (int k = 2; k < 10; k++)
				cells[k] = NULL;
			swc_table__add_row(t, cells);
			continue;
		}
		swc_fmt_ns(r->per_switch.median, c[1], sizeof(c[1]));
		snprintf(c[2], sizeof(c[2]), "%s .. %s", swc_fmt_ns(r->per_switch.min, t1, 32),
			 swc_fmt_ns(r->per_switch.max, t2, 32));
		swc_fmt_ratio(swc_measure_ratio(r, co), c[3], sizeof(c[3]));
		swc_fmt_count(r->rr.res.switches * r->rr.res.repeats, c[4], sizeof(c[4]));
		if (!kernel) {
			for (int k = 5; k < 10; k++)
				snprintf(c[k], sizeof(c[k]), "n/m");
		} else {
			swc_fmt_count(r->gs.switches_out, c[5], sizeof(c[5]));
			snprintf(c[6], sizeof(c[6]), "%s / %s",
				 swc_fmt_count(r->gs.voluntary, t1, 32),
				 swc_fmt_count(r->gs.involuntary, t2, 32));
			if (isnan(sys))
				snprintf(c[7], sizeof(c[7]), "n/m");
			else
				snprintf(c[7], sizeof(c[7]), "%.2f", sys);
			if (ls->delay_count) {
				snprintf(c[8], sizeof(c[8]), "≈%s",
					 swc_fmt_ns(swc_hist_quantile(ls->hist_delay, SWC_HIST_SLOTS,
								      0.5), t1, 32));
				snprintf(c[9], sizeof(c[9]), "≈%s",
					 swc_fmt_ns(swc_hist_quantile(ls->hist_delay, SWC_HIST_SLOTS,
								      0.99), t1, 32));
			} else {
				cells[8] = cells[9] = NULL;
			}
		}
		swc_table__add_row(t, cells);
	}
	if (swc_table__print_fit(t, f, width, drop,
				 (int)(sizeof(drop) / sizeof(drop[0])), dropped, sizeof(dropped)))
		fprintf(f, "(to fit %d columns, left out: %s; --wide shows them)\n",
			SWC_TERMINAL_WIDTH, dropped);
	swc_table__free(t);
}

static void print_kinds(const struct swc_group_stats *gs, FILE *f)
{
	char buf[32];
	bool first = true;

	for (int k = 0; k < SWC_KIND_COROUTINE; k++) {
		if (!gs->by_kind[k])
			continue;
		fprintf(f, "%s%s %s", first ? "" : ", ", swc_kind_name(k),
			swc_fmt_count(gs->by_kind[k], buf, sizeof(buf)));
		first = false;
	}
	if (first)
		fprintf(f, "none");
}

static char *fmt_percent(__u64 part, __u64 whole, char *buf, size_t len)
{
	if (!whole)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", 100.0 * part / whole);
	return buf;
}

static void print_evidence(const struct run_env *env, const struct swc_measurement *rows, int n,
			   FILE *f)
{
	char a[32], b[32], c[32];
	bool involuntary_lesson = false;

	fprintf(f, "\nThe kernel's evidence (eBPF on sched_switch, whole life of each workload, "
		   "warm-up included):\n");
	for (int i = 0; i < n; i++) {
		const struct swc_measurement *r = &rows[i];
		struct swc_agreement ag;

		if (!r->have_bpf || !r->ran)
			continue;
		fprintf(f, "  %-9s ", swc_measure_row_name(r));
		if (!swc_workload_uses_kernel(r->id) && r->id != SWC_WL_SYSCALL) {
			fprintf(f, "%s kernel switches while it made %s %s switches in user space",
				swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
				swc_fmt_count(r->switches_made, b, sizeof(b)),
				swc_measure_row_name(r));
			if (r->counted && r->id == SWC_WL_COROUTINE)
				fprintf(f, ";\n            counting pass (untimed): %s coroutine "
					   "switches counted by uprobe of %s made, %s kernel switches",
					swc_fmt_count(r->cs.user_switches, a, sizeof(a)),
					swc_fmt_count(r->counting_made, b, sizeof(b)),
					swc_fmt_count(r->cs.switches_out, c, sizeof(c)));
			else if (r->counting_skipped[0])
				fprintf(f, ";\n            counting pass: not measured: %s",
					r->counting_skipped);
			fprintf(f, "\n");
			continue;
		}
		fprintf(f, "%s switches out of its tasks (%s involuntary), %.2f per switch "
			   "made;\n            switches involving it, by kind: ",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			fmt_percent(r->gs.involuntary, r->gs.switches_out, b, sizeof(b)),
			swc_measure_per_made(r, r->gs.switches_out));
		print_kinds(&r->gs, f);
		swc_agreement_compute(&r->gs, &r->rr.ru, &ag);
		fprintf(f, ";\n            ");
		swc_agreement_print(f, &ag);
		fprintf(f, "\n");
		if (swc_workload_uses_kernel(r->id) && r->gs.involuntary * 4 > r->gs.switches_out &&
		    env->ncpus == 1)
			involuntary_lesson = true;
	}
	if (!env->csv)
		fprintf(f, "Each workload runs twice. The timed pass has only the cheap half of "
			   "the eBPF side on: it counts and classifies\nswitches. An untimed "
			   "counting pass adds what costs more than it measures: the clock and "
			   "per-task state\nbehind wake-up→run (and --hist), the sys_enter counter "
			   "behind syscalls/switch, and for the coroutine\na uprobe on its switch: a "
			   "uprobe hit costs microseconds, a thousand times the switch it would "
			   "time.\n");
	else
		fprintf(f, "Each workload runs twice. With --csv the timed pass also times every "
			   "switch and sends it to the ring buffer\n(so its times include that); "
			   "an untimed counting pass adds the sys_enter counter behind syscalls/switch "
			   "and,\nfor the coroutine, a uprobe on its switch (a uprobe hit costs "
			   "microseconds, a thousand times the switch).\n");
	if (involuntary_lesson)
		fprintf(f, "Involuntary switches are a lesson in themselves: on one CPU the woken "
			   "task preempts the waker before the\nwaker gets to block, so the waker's "
			   "switch is involuntary (percentages above).\n");
}

static void print_hists(const struct swc_measurement *rows, int n, FILE *f)
{
	char title[128];

	fprintf(f, "\nHistograms from each workload's untimed counting pass (eBPF):\n");
	for (int i = 0; i < n; i++) {
		const struct swc_measurement *r = &rows[i];
		const struct swc_group_stats *ls = swc_measure_latency_stats(r);

		if (!r->have_bpf)
			continue;
		snprintf(title, sizeof(title), "\n%s: on-CPU time before switching out",
			 swc_measure_row_name(r));
		swc_hist_print(f, title, ls->hist_run, SWC_HIST_SLOTS);
		snprintf(title, sizeof(title), "\n%s: off-CPU time before switching in",
			 swc_measure_row_name(r));
		swc_hist_print(f, title, ls->hist_off, SWC_HIST_SLOTS);
		snprintf(title, sizeof(title), "\n%s: wake-up to run delay",
			 swc_measure_row_name(r));
		swc_hist_print(f, title, ls->hist_delay, SWC_HIST_SLOTS);
	}
}

/* Why process and thread differ (or not) here, from the address-space facts and this run. */
static void print_process_vs_thread(const struct swc_sysinfo *si,
				    const struct swc_measurement *rows, int n, FILE *f)
{
	const struct swc_measurement *p = swc_measure_find(rows, n, SWC_WL_PROCESS);
	const struct swc_measurement *t = swc_measure_find(rows, n, SWC_WL_THREAD);
	char why[512];

	if (p && t && swc_addrspace_explain(&si->as, p->per_switch.median, t->per_switch.median,
					    why, sizeof(why))[0])
		fprintf(f, "\n%s%s\n", why, p->val.valid && t->val.valid ? "" :
			" Yet a row of the two is marked '!': trust this ratio after a quiet run.");
}

/* One line per row judged invalid: what interfered, and how to get a quiet run. */
static void print_invalid(const struct swc_measurement *rows, int n, FILE *f)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		const struct swc_measurement *r = &rows[i];

		if (!r->rr.ok || r->val.valid)
			continue;
		fprintf(f, "%s! %s: not a clean measurement: ", any ? "" : "\n", swc_measure_row_name(r));
		for (int k = 0; k < r->val.nreasons; k++)
			fprintf(f, "%s%s", k ? "; " : "", r->val.reasons[k]);
		fprintf(f, "\n");
		any = true;
	}
	if (any)
		fprintf(f, "! %s.\n", swc_validity_advice());
}

/* What asking for IBPB did to each --ibpb row, or why this kernel would not let it. */
static void print_ibpb(const struct swc_measurement *rows, int n, FILE *f)
{
	for (int i = 0; i < n; i++) {
		const struct swc_measurement *r = &rows[i];
		const struct swc_measurement *plain = swc_measure_find(rows, n, r->id);

		if (!r->ibpb)
			continue;
		if (r->unavailable)
			fprintf(f, "%s not available: %s.\n", swc_measure_row_name(r), r->why);
		else if (r->rr.ok && plain && plain->per_switch.median > 0)
			fprintf(f, "%s: %.2f× %s, with IBPB asked for by both parties%s.\n",
				swc_measure_row_name(r), r->per_switch.median / plain->per_switch.median,
				swc_measure_row_name(plain), r->id == SWC_WL_THREAD ?
				" (one address space: no barrier between threads)" :
				" (a barrier on every change of address space)");
	}
}

/* Says what the reference rows are, and the coroutine against its floor, both measured here. */
static void print_references(const struct swc_measurement *rows, int n, FILE *f)
{
	const struct swc_measurement *co = swc_measure_find(rows, n, SWC_WL_COROUTINE);
	const struct swc_measurement *fl = swc_measure_find(rows, n, SWC_WL_CORO_FLOOR);
	const struct swc_measurement *rt = swc_measure_find(rows, n, SWC_WL_CORO_RET);
	char a[32], b[32], note[160];

	if (fl)
		fprintf(f, "coroutine-floor: the coroutine switch without its stack change, every "
			   "branch predictable: the reference a switch is held against");
	if (fl && co && fl->per_switch.median > 0) {
		/* swc_fmt_ns prints magnitudes only: the sign goes in front of it */
		double d = co->per_switch.median - fl->per_switch.median;

		fprintf(f, "; coroutine %s = %.2f× the floor (%s%s)", swc_fmt_ns(co->per_switch.median,
			a, sizeof(a)), co->per_switch.median / fl->per_switch.median,
			d < -0.005 ? "−" : "+", swc_fmt_ns(d < 0 ? -d : d, b, sizeof(b)));
	}
	if (fl)
		fprintf(f, "\n");
	if (rt) {
		fprintf(f, "coroutine-ret: the same switch ending in ret, which the return-stack "
			   "predictor misses");
		if (co)
			fprintf(f, ": %s", swc_fmt_mispredict(rt->per_switch.median,
							       co->per_switch.median, note,
							       sizeof(note)));
		fprintf(f, "\n");
	}
	if (swc_measure_find(rows, n, SWC_WL_SYSCALL))
		fprintf(f, "syscall: %s(2) in a loop, the cheapest syscall\n", SWC_SYSCALL_ROW_NAME);
}

/* --pmu: the counters per switch of each row's counting pass, or once why there are none. */
static void print_pmu(const struct run_env *env, const struct swc_measurement *rows, int n,
		      FILE *f)
{
	const char *kind = env->pmu_kind == SWC_PMU_HARDWARE ? "Hardware" : "Software";

	if (!env->pmu)
		return;
	if (env->pmu_why[0]) {
		fprintf(f, "\n%s counters: not measured: %s.\n", kind, env->pmu_why);
		return;
	}
	fprintf(f, "\n%s counters (perf_event_open, counting pass, whole runner):\n", kind);
	for (int i = 0; i < n; i++)
		if (rows[i].pmu_counted)
			swc_pmu_print_row(f, swc_measure_row_name(&rows[i]), &rows[i].pmu,
					  rows[i].counting_made);
}

static void print_human(const struct run_env *env, const struct swc_sysinfo *si,
			const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
			const struct csv_ctx *cc, size_t width, FILE *f)
{
	char why[128];

	swc_sysinfo_print(si, f);
	print_config(env, f);
	fprintf(f, "\n");
	print_table(rows, n, width, f);
	print_invalid(rows, n, f);
	print_process_vs_thread(si, rows, n, f);
	print_ibpb(rows, n, f);
	print_references(rows, n, f);
	print_pmu(env, rows, n, f);
	if (!env->no_bpf)
		print_evidence(env, rows, n, f);
	else
		fprintf(f, "\nKernel columns n/m: not measured (--no-bpf).\n");
	for (int i = 0; i < n; i++)
		if (rows[i].ran && !rows[i].rr.ok)
			fprintf(f, "The %s workload failed: its runner %s.\n",
				swc_measure_row_name(&rows[i]),
				swc_describe_status(rows[i].rr.status, why, sizeof(why)));
	if (ctr && (ctr->tasks_full || ctr->watch_full))
		fprintf(f, "eBPF maps were full: %llu task(s) untracked, %llu process(es) "
			   "unwatched; counts are low.\n", (unsigned long long)ctr->tasks_full,
			(unsigned long long)ctr->watch_full);
	if (cc) {
		const struct swc_csvsink *s = &cc->sink;
		char a[32], b[32];

		fprintf(f, "Per-switch CSV: %s rows (%s sched_switch, %s coroutine) to %s",
			swc_fmt_count(csvsink__rows(s), a, sizeof(a)),
			swc_fmt_count(csvsink__sched_rows(s), b, sizeof(b)),
			swc_fmt_count(s->by_kind[SWC_KIND_COROUTINE], why, sizeof(why)), s->shown);
		if (strcmp(env->csv, "-"))
			fprintf(f, ", metadata in %s.meta.json", env->csv);
		fprintf(f, "; eBPF events dropped: %llu\n",
			ctr ? (unsigned long long)ctr->events_dropped : 0ULL);
	}
	if (env->hist)
		print_hists(rows, n, f);
}

/* On a terminal everything fits its 100 columns, the prose and the header too (--wide: not). */
void run_print_human(const struct run_env *env, const struct swc_sysinfo *si,
		     const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		     const struct csv_ctx *cc, FILE *f)
{
	size_t width = swc_output_width(f, env->wide), len = 0;
	char *text = NULL;
	FILE *m = width ? open_memstream(&text, &len) : NULL;

	if (!m) {
		print_human(env, si, rows, n, ctr, cc, width, f);
		return;
	}
	print_human(env, si, rows, n, ctr, cc, width, m);
	if (fclose(m) == 0 && text)
		swc_fmt_wrap(f, text, width);
	else	/* no memory for the copy: unwrapped rather than nothing */
		print_human(env, si, rows, n, ctr, cc, width, f);
	free(text);
}
