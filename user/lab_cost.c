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
#include "report.h"
#include "lab.h"
#include "measure.h"
#include "stats.h"
#include "sysinfo.h"
#include "watch.h"

#define COST_REPEATS	3

static const enum swc_workload_id order[] = { SWC_WL_PROCESS, SWC_WL_THREAD, SWC_WL_COROUTINE };
#define NROWS (int)(sizeof(order) / sizeof(order[0]))

static void sentence(const struct swc_measurement *r, FILE *f)
{
	char a[32], b[32], c[32], d[32], sys[48];

	/* a counting pass that failed measured nothing: no number in its place */
	if (isnan(swc_measure_syscalls_per_switch(r)))
		snprintf(sys, sizeof(sys), "n/m (no counting pass)");
	else
		snprintf(sys, sizeof(sys), "%.2f", swc_measure_syscalls_per_switch(r));
	switch (r->id) {
	case SWC_WL_PROCESS:
		fprintf(f, "the kernel switched %s times out of these tasks (%s process-to-process "
			   "switches involved them), %.2f per switch made,\n      with %s syscalls per switch "
			   "(futex wait and wake); each process-to-process switch loads the "
			   "other\n      address space's page tables.\n",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			swc_fmt_count(r->gs.by_kind[SWC_KIND_PROCESS], b, sizeof(b)),
			swc_measure_per_made(r, r->gs.switches_out), sys);
		break;
	case SWC_WL_THREAD:
		fprintf(f, "the kernel switched %s times (%s thread-to-thread switches), %.2f per switch "
			   "made, with %s syscalls per switch;\n      both threads share one "
			   "address space, so no page-table switch.\n",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			swc_fmt_count(r->gs.by_kind[SWC_KIND_THREAD], b, sizeof(b)),
			swc_measure_per_made(r, r->gs.switches_out), sys);
		break;
	default:
		fprintf(f, "the kernel switched this thread %s times while it made %s coroutine "
			   "switches: the switch is a few\n      register saves and a stack swap "
			   "in user space, never the kernel",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			swc_fmt_count(r->switches_made, c, sizeof(c)));
		if (r->counting_ok)
			fprintf(f, "; in an untimed pass a uprobe counted %s of\n      its %s "
				   "switches, and the thread made %s syscalls",
				swc_fmt_count(r->cs.user_switches, a, sizeof(a)),
				swc_fmt_count(r->counting_made, d, sizeof(d)),
				swc_fmt_count(r->cs.syscalls, b, sizeof(b)));
		else if (r->counting_skipped[0])
			fprintf(f, ";\n      its counting pass: not measured: %s", r->counting_skipped);
		fprintf(f, ".\n");
		break;
	}
}

static void print_human(struct lab *lab, const struct swc_workload_cfg *cfg,
			const struct swc_measurement *rows)
{
	static const char *const headers[] = {
		"switch", "per switch", "min .. max", "vs coroutine", "vs thread", "kernel switches",
		"voluntary / involuntary", "syscalls/switch",
	};
	static const enum swc_align aligns[] = {
		SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
		SWC_RIGHT,
	};
	const struct swc_measurement *co = swc_measure_find(rows, NROWS, SWC_WL_COROUTINE);
	const struct swc_measurement *th = swc_measure_find(rows, NROWS, SWC_WL_THREAD);
	const struct swc_measurement *pr;
	static const int drop[] = { 5, 6 };	/* on a terminal, to fit 100 columns */
	char c[8][64], a[32], b[32], why[512], dropped[96];
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
		const struct swc_measurement *r = &rows[i];

		for (int k = 0; k < 8; k++)
			cells[k] = c[k];
		snprintf(c[0], sizeof(c[0]), "%s%s", swc_workload_name(r->id),
			 r->rr.ok && !r->val.valid ? " !" : "");
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
		swc_fmt_ratio(swc_measure_ratio(r, co), c[3], sizeof(c[3]));
		swc_fmt_ratio(swc_measure_ratio(r, th), c[4], sizeof(c[4]));
		swc_fmt_count(r->gs.switches_out, c[5], sizeof(c[5]));
		snprintf(c[6], sizeof(c[6]), "%s / %s", swc_fmt_count(r->gs.voluntary, a, 32),
			 swc_fmt_count(r->gs.involuntary, b, 32));
		if (isnan(swc_measure_syscalls_per_switch(r)))
			snprintf(c[7], sizeof(c[7]), "n/m");
		else
			snprintf(c[7], sizeof(c[7]), "%.2f", swc_measure_syscalls_per_switch(r));
		swc_table__add_row(t, cells);
	}
	if (swc_table__print_fit(t, stdout, swc_output_width(stdout, lab->env.wide), drop,
				 (int)(sizeof(drop) / sizeof(drop[0])), dropped, sizeof(dropped)))
		printf("(to fit %d columns, left out: %s; --wide shows them)\n",
			SWC_TERMINAL_WIDTH, dropped);
	swc_table__free(t);
	for (int i = 0, any = 0; i < NROWS; i++) {
		if (rows[i].rr.ok && !rows[i].val.valid && !any)
			printf("\n");
		any |= rows[i].rr.ok && lab_print_invalid(stdout, swc_workload_name(rows[i].id),
							  &rows[i].val);
		if (any && i == NROWS - 1)
			printf("! %s.\n", swc_validity_advice());
	}
	printf("\nWhat the kernel did (eBPF on sched_switch, warm-up included; syscalls on "
	       "sys_enter in an untimed pass):\n");
	for (int i = 0; i < NROWS; i++) {
		if (!rows[i].rr.ok || !rows[i].have_bpf)
			continue;
		printf("  %-9s ", swc_workload_name(rows[i].id));
		sentence(&rows[i], stdout);
	}
	pr = swc_measure_find(rows, NROWS, SWC_WL_PROCESS);
	same = pr && th && swc_same_cost(pr->per_switch.median, th->per_switch.median);
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

static void print_json(FILE *f, struct lab *lab, const struct swc_workload_cfg *cfg,
		       const struct swc_measurement *rows)
{
	const struct swc_measurement *co = swc_measure_find(rows, NROWS, SWC_WL_COROUTINE);
	const struct swc_measurement *th = swc_measure_find(rows, NROWS, SWC_WL_THREAD);
	struct swc_json j;

	lab_json_begin(lab, &j, f);
	jw_obj_begin(&j, "config");
	jw_u64(&j, "round_trips", cfg->round_trips);
	jw_u64(&j, "repeats", cfg->repeats);
	jw_u64(&j, "warmup_round_trips", cfg->warmup);
	jw_arr_begin(&j, "cpus");	/* both parties on this one */
	jw_i64(&j, NULL, cfg->cpu_a);
	jw_arr_end(&j);
	jw_obj_end(&j);
	jw_arr_begin(&j, "results");
	for (int i = 0; i < NROWS; i++) {
		const struct swc_measurement *r = &rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", swc_workload_name(r->id));
		jw_bool(&j, "ok", !swc_measure_failed(r));
		if (r->rr.ok && swc_measure_failed(r))
			jw_str(&j, "error", "the counting pass failed");
		if (r->rr.ok) {
			lab_json_timing(&j, r);
			jw_double(&j, "ratio_to_coroutine", swc_measure_ratio(r, co));
			jw_double(&j, "ratio_to_thread", swc_measure_ratio(r, th));
			jw_u64(&j, "switches_made", r->switches_made);
		}
		if (r->have_bpf) {
			jw_obj_begin(&j, "ebpf");
			jw_u64(&j, "switches", r->gs.switches_out);
			jw_u64(&j, "voluntary", r->gs.voluntary);
			jw_u64(&j, "involuntary", r->gs.involuntary);
			swc_report_json_by_kind(&j, r->gs.by_kind);	/* as run's */
			jw_double(&j, "kernel_switches_per_switch",
				  swc_measure_per_made(r, r->gs.switches_out));
			jw_obj_end(&j);
		}
		swc_counting_pass_json(&j, r);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	lab_json_end(lab, &j);
}

struct json_arg {
	struct lab *lab;
	const struct swc_workload_cfg *cfg;
	const struct swc_measurement *rows;
};

/* lab_html()'s view of print_json */
static void json_to(FILE *f, void *arg)
{
	const struct json_arg *a = arg;

	print_json(f, a->lab, a->cfg, a->rows);
}

int lab_cost(struct lab *lab)
{
	struct swc_workload_cfg cfg = {
		.round_trips = lab->env.round_trips,
		.repeats = COST_REPEATS,
		.warmup = lab->env.round_trips / 10,
		.ipc = SWC_IPC_FUTEX,
	};
	struct swc_measurement rows[NROWS];
	int err, rc = 0, cpu = 0;

	/* one CPU for both parties: every hand-off is a switch on that CPU, as in the notes */
	swc_allowed_cpus(&cpu, 1);	/* CPU 0 if the affinity cannot be read */
	cfg.cpu_a = cfg.cpu_b = cpu;
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < NROWS; i++) {
		rows[i].id = order[i];
		err = lab_measure(lab, &cfg, &rows[i]);
		if (err)
			return err;
		if (swc_measure_failed(&rows[i]))
			rc = 1;	/* as in run: a row without its counting pass is not whole */
	}
	if (lab->env.json)
		print_json(stdout, lab, &cfg, rows);
	else
		print_human(lab, &cfg, rows);
	lab_html(lab, json_to, &(struct json_arg){ lab, &cfg, rows });
	return rc;
}
