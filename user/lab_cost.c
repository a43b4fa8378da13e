// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab cost: the notes' "process high, thread medium, coroutine very low", measured
 * with the run command's own workloads and runner (smaller N), as ratios, with one sentence
 * per row on what the kernel did for that switch. As in run, the timed passes see only the
 * lean sched_switch counters (lab.c opens the watch lean); syscalls and coroutine switches
 * are counted in one more pass per row, never timed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "json.h"
#include "lab.h"
#include "runner.h"
#include "stats.h"
#include "sysinfo.h"
#include "watch.h"

#define COST_REPEATS	3

static const enum swc_workload_id order[] = { SWC_WL_PROCESS, SWC_WL_THREAD, SWC_WL_COROUTINE };
#define NROWS (int)(sizeof(order) / sizeof(order[0]))

struct cost_row {
	enum swc_workload_id id;
	struct swc_runner_result rr;
	struct swc_summary per_switch;
	unsigned long long made;	/* switches made, warm-up included */
	struct swc_group_stats gs;
	bool have_gs;
	/* an untimed counting pass: syscalls counted, and coroutine switches by uprobe */
	bool counted;
	unsigned long long count_made;
	struct swc_group_stats cs;
};

static int run_row(struct lab *lab, const struct swc_workload_cfg *cfg, struct cost_row *row)
{
	struct swc_workload_cfg pcfg = *cfg;
	struct swc_runner_result probe;
	double per[SWC_MAX_REPEATS];
	int group = lab->next_group++, err;

	err = swc_runner_run(lab->w, group, row->id, cfg, false, &row->rr);
	if (err)
		return err;
	if (row->rr.ok && row->rr.res.switches) {
		for (unsigned int i = 0; i < row->rr.res.repeats; i++)
			per[i] = row->rr.res.ns[i] / (double)row->rr.res.switches;
		swc_summarize(per, row->rr.res.repeats, &row->per_switch);
		row->made = row->rr.res.switches / cfg->round_trips *
			    (cfg->warmup + cfg->repeats * cfg->round_trips);
	}
	row->have_gs = !watch__group_stats(lab->w, group, &row->gs);
	/* a syscall counter slows every syscall, a uprobe hit costs far more than a coroutine
	 * switch: count in a pass that is not timed */
	pcfg.repeats = 1;
	pcfg.warmup = 0;
	group = lab->next_group++;
	err = swc_runner_run(lab->w, group, row->id, &pcfg, true, &probe);
	if (err)
		return err;
	row->counted = probe.ok && !watch__group_stats(lab->w, group, &row->cs);
	row->count_made = probe.ok ? probe.res.switches : 0;
	return 0;
}

static double per_made(__u64 v, const struct cost_row *r)
{
	return r->made ? (double)v / r->made : NAN;
}

/* syscalls per switch, from the counting pass */
static double sys_per_switch(const struct cost_row *r)
{
	return r->counted && r->count_made ? (double)r->cs.syscalls / r->count_made : NAN;
}

static const struct cost_row *find(const struct cost_row *rows, enum swc_workload_id id)
{
	for (int i = 0; i < NROWS; i++)
		if (rows[i].id == id && rows[i].rr.ok)
			return &rows[i];
	return NULL;
}

static double ratio(const struct cost_row *a, const struct cost_row *b)
{
	if (!a || !b || !(b->per_switch.median > 0))
		return NAN;
	return a->per_switch.median / b->per_switch.median;
}

static void sentence(const struct cost_row *r, FILE *f)
{
	char a[32], b[32], c[32], d[32];

	switch (r->id) {
	case SWC_WL_PROCESS:
		fprintf(f, "the kernel switched %s times out of these tasks (%s process-to-process "
			   "switches involved them), %.2f per switch made,\n      with %.2f syscalls per switch "
			   "(futex wait and wake); each process-to-process switch loads the "
			   "other\n      address space's page tables.\n",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			swc_fmt_count(r->gs.by_kind[SWC_KIND_PROCESS], b, sizeof(b)),
			per_made(r->gs.switches_out, r), sys_per_switch(r));
		break;
	case SWC_WL_THREAD:
		fprintf(f, "the kernel switched %s times (%s thread-to-thread switches), %.2f per switch "
			   "made, with %.2f syscalls per switch;\n      both threads share one "
			   "address space, so no page-table switch.\n",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			swc_fmt_count(r->gs.by_kind[SWC_KIND_THREAD], b, sizeof(b)),
			per_made(r->gs.switches_out, r), sys_per_switch(r));
		break;
	default:
		fprintf(f, "the kernel switched this thread %s times while it made %s coroutine "
			   "switches: the switch is a few\n      register saves and a stack swap "
			   "in user space, never the kernel",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			swc_fmt_count(r->made, c, sizeof(c)));
		if (r->counted)
			fprintf(f, "; in an untimed pass a uprobe counted %s of\n      its %s "
				   "switches, and the thread made %s syscalls",
				swc_fmt_count(r->cs.user_switches, a, sizeof(a)),
				swc_fmt_count(r->count_made, d, sizeof(d)),
				swc_fmt_count(r->cs.syscalls, b, sizeof(b)));
		fprintf(f, ".\n");
		break;
	}
}

static void print_human(struct lab *lab, const struct swc_workload_cfg *cfg,
			const struct cost_row *rows)
{
	static const char *const headers[] = {
		"switch", "per switch", "min .. max", "vs coroutine", "vs thread", "kernel switches",
		"voluntary / involuntary", "syscalls/switch",
	};
	static const enum swc_align aligns[] = {
		SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
		SWC_RIGHT,
	};
	const struct cost_row *co = find(rows, SWC_WL_COROUTINE), *th = find(rows, SWC_WL_THREAD);
	const struct cost_row *pr;
	char c[8][64], a[32], b[32], why[512];
	const char *cells[8];
	bool same;
	struct swc_table *t = swc_table__new(8, headers, aligns);

	swc_sysinfo_print(&lab->si, stdout);
	printf("# %s round trips x %u repeats (+%s warm-up), both parties on CPU %d, futex "
	       "hand-off (switchcost run, smaller)\n# timed with sched_switch counters only; "
	       "syscalls and coroutine switches counted in an untimed pass\n\n",
	       swc_fmt_count(cfg->round_trips, a, sizeof(a)), cfg->repeats,
	       swc_fmt_count(cfg->warmup, b, sizeof(b)), cfg->cpu_a);
	if (!t)
		return;
	for (int i = 0; i < NROWS; i++) {
		const struct cost_row *r = &rows[i];

		for (int k = 0; k < 8; k++)
			cells[k] = c[k];
		snprintf(c[0], sizeof(c[0]), "%s", swc_workload_name(r->id));
		if (!r->rr.ok) {
			snprintf(c[1], sizeof(c[1]), "failed");
			for (int k = 2; k < 8; k++)
				cells[k] = NULL;
			swc_table__add_row(t, cells);
			continue;
		}
		swc_fmt_ns(r->per_switch.median, c[1], sizeof(c[1]));
		snprintf(c[2], sizeof(c[2]), "%s .. %s", swc_fmt_ns(r->per_switch.min, a, 32),
			 swc_fmt_ns(r->per_switch.max, b, 32));
		swc_fmt_ratio(ratio(r, co), c[3], sizeof(c[3]));
		swc_fmt_ratio(ratio(r, th), c[4], sizeof(c[4]));
		swc_fmt_count(r->gs.switches_out, c[5], sizeof(c[5]));
		snprintf(c[6], sizeof(c[6]), "%s / %s", swc_fmt_count(r->gs.voluntary, a, 32),
			 swc_fmt_count(r->gs.involuntary, b, 32));
		snprintf(c[7], sizeof(c[7]), "%.2f", sys_per_switch(r));
		swc_table__add_row(t, cells);
	}
	swc_table__print(t, stdout);
	swc_table__free(t);
	printf("\nWhat the kernel did (eBPF on sched_switch, warm-up included; syscalls on "
	       "sys_enter in an untimed pass):\n");
	for (int i = 0; i < NROWS; i++) {
		if (!rows[i].rr.ok || !rows[i].have_gs)
			continue;
		printf("  %-9s ", swc_workload_name(rows[i].id));
		sentence(&rows[i], stdout);
	}
	pr = find(rows, SWC_WL_PROCESS);
	same = pr && th && pr->per_switch.median < SWC_SAME_COST_RATIO * th->per_switch.median;
	printf("\nThe notes: process switch high, thread medium, coroutine very low. Measured "
	       "here: process %s, thread %s%s,\ncoroutine %s per switch.\n",
	       swc_fmt_ns(pr ? pr->per_switch.median : NAN, a, sizeof(a)),
	       swc_fmt_ns(th ? th->per_switch.median : NAN, b, sizeof(b)),
	       same ? " (no dearer on this machine)" : "",
	       swc_fmt_ns(co ? co->per_switch.median : NAN, c[0], sizeof(c[0])));
	if (pr && th && swc_addrspace_explain(&lab->si.as, pr->per_switch.median,
					      th->per_switch.median, why, sizeof(why))[0])
		printf("%s\n", why);
}

static void print_json(struct lab *lab, const struct swc_workload_cfg *cfg,
		       const struct cost_row *rows)
{
	const struct cost_row *co = find(rows, SWC_WL_COROUTINE), *th = find(rows, SWC_WL_THREAD);
	struct swc_json j;

	lab_json_begin(lab, &j, stdout);
	jw_obj_begin(&j, "config");
	jw_u64(&j, "round_trips", cfg->round_trips);
	jw_u64(&j, "repeats", cfg->repeats);
	jw_u64(&j, "warmup_round_trips", cfg->warmup);
	jw_i64(&j, "cpu", cfg->cpu_a);
	jw_obj_end(&j);
	jw_arr_begin(&j, "results");
	for (int i = 0; i < NROWS; i++) {
		const struct cost_row *r = &rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", swc_workload_name(r->id));
		jw_bool(&j, "ok", r->rr.ok);
		if (r->rr.ok) {
			jw_double(&j, "ns_per_switch", r->per_switch.median);
			jw_double(&j, "ns_per_switch_min", r->per_switch.min);
			jw_double(&j, "ns_per_switch_max", r->per_switch.max);
			jw_double(&j, "ratio_to_coroutine", ratio(r, co));
			jw_double(&j, "ratio_to_thread", ratio(r, th));
			jw_u64(&j, "switches_made", r->made);
		}
		if (r->have_gs) {
			jw_obj_begin(&j, "kernel");
			jw_u64(&j, "switches", r->gs.switches_out);
			jw_u64(&j, "voluntary", r->gs.voluntary);
			jw_u64(&j, "involuntary", r->gs.involuntary);
			jw_u64(&j, "process_switches", r->gs.by_kind[SWC_KIND_PROCESS]);
			jw_u64(&j, "thread_switches", r->gs.by_kind[SWC_KIND_THREAD]);
			jw_double(&j, "kernel_switches_per_switch", per_made(r->gs.switches_out, r));
			jw_obj_end(&j);
		}
		if (r->counted) {
			jw_obj_begin(&j, "counting_pass");
			jw_u64(&j, "switches_made", r->count_made);
			jw_u64(&j, "syscalls", r->cs.syscalls);
			jw_double(&j, "syscalls_per_switch", sys_per_switch(r));
			jw_u64(&j, "uprobe_hits", r->cs.user_switches);
			jw_u64(&j, "kernel_switches", r->cs.switches_out);
			jw_obj_end(&j);
		}
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	lab_json_bpf(lab, &j);
	jw_obj_end(&j);
	jw_finish(&j);
}

int lab_cost(struct lab *lab)
{
	struct swc_workload_cfg cfg = {
		.round_trips = lab->env.round_trips,
		.repeats = COST_REPEATS,
		.warmup = lab->env.round_trips / 10,
		.ipc = SWC_IPC_FUTEX,
	};
	struct cost_row rows[NROWS];
	int err, rc = 0, cpu = 0;

	/* one CPU for both parties: every hand-off is a switch on that CPU, as in the notes */
	swc_allowed_cpus(&cpu, 1);	/* CPU 0 if the affinity cannot be read */
	cfg.cpu_a = cfg.cpu_b = cpu;
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < NROWS; i++) {
		rows[i].id = order[i];
		err = run_row(lab, &cfg, &rows[i]);
		if (err)
			return err;
		if (!rows[i].rr.ok)
			rc = 1;
	}
	if (lab->env.json)
		print_json(lab, &cfg, rows);
	else
		print_human(lab, &cfg, rows);
	return rc;
}
