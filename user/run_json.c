// SPDX-License-Identifier: GPL-2.0-only
/* switchcost run --json, and the metadata beside --csv's file (FILE.meta.json). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "pictures.h"
#include "report.h"
#include "run.h"
#include "runner.h"
#include "selfstats.h"
#include "stats.h"
#include "watch.h"

static void json_hist_summary(struct swc_json *j, const char *key, const __u64 *hist,
			      __u64 sum)
{
	__u64 count = swc_hist_total(hist, SWC_HIST_SLOTS);

	jw_obj_begin(j, key);
	jw_u64(j, "count", count);
	jw_double(j, "mean", count ? (double)sum / count : NAN);
	jw_double(j, "p50_approx", swc_hist_quantile(hist, SWC_HIST_SLOTS, 0.5));
	jw_double(j, "p99_approx", swc_hist_quantile(hist, SWC_HIST_SLOTS, 0.99));
	jw_arr_begin(j, "log2_hist");
	for (int i = 0; i < SWC_HIST_SLOTS; i++)
		jw_u64(j, NULL, hist[i]);
	jw_arr_end(j);
	jw_obj_end(j);
}

/* "ebpf": what the BPF programs saw of the row's tasks */
static void json_ebpf(struct swc_json *j, const struct swc_group_stats *gs,
		      const struct swc_measurement *r)
{
	const struct swc_group_stats *ls = swc_measure_latency_stats(r);

	jw_obj_begin(j, "ebpf");
	swc_report_json_switches(j, gs);
	swc_report_json_by_kind(j, gs->by_kind);
	/* the rest from the counting pass (see swc_measure_latency_stats()) */
	jw_double(j, "syscalls_per_switch", swc_measure_syscalls_per_switch(r));
	jw_u64(j, "wakeups", ls->wakeups);
	json_hist_summary(j, "run_ns", ls->hist_run, ls->run_ns_sum);
	json_hist_summary(j, "off_ns", ls->hist_off, ls->off_ns_sum);
	json_hist_summary(j, "wakeup_delay_ns", ls->hist_delay, ls->delay_ns_sum);
	jw_obj_end(j);
}

/* "config": what was asked for, in --json and in the CSV's metadata alike. */
static void json_config(struct swc_json *j, const struct run_env *env)
{
	jw_obj_begin(j, "config");
	jw_u64(j, "round_trips", env->round_trips);
	jw_u64(j, "repeats", env->repeats);
	jw_u64(j, "warmup_round_trips", env->warmup);
	jw_arr_begin(j, "cpus");
	for (int i = 0; i < env->ncpus; i++)
		jw_i64(j, NULL, env->cpus[i]);
	jw_arr_end(j);
	jw_str(j, "ipc", run_ipc_name(env->ipc));
	jw_arr_begin(j, "workloads");
	for (int i = 0; i < env->nwl; i++)
		jw_str(j, NULL, swc_workload_name(env->order[i]));
	jw_arr_end(j);
	jw_bool(j, "bpf", !env->no_bpf);
	jw_bool(j, "allow_drops", env->allow_drops);
	jw_obj_end(j);
}

int run_write_meta(void *ctx, FILE *f)
{
	const struct run_meta *m = ctx;
	struct swc_json j;
	char buf[128];

	swc_report_json_begin(&j, f, "run", m->si);
	json_config(&j, m->env);
	csvsink__json(&m->cc->sink, &j);
	csvsink__json_groups(&m->cc->sink, &j, m->w, m->ctr);
	/* a row that died says so here too: the CSV holds its switches up to then */
	jw_arr_begin(&j, "failed_workloads");
	for (int i = 0; i < m->n; i++) {
		const struct swc_measurement *r = &m->rows[i];

		if (r->ran && !r->rr.ok) {
			jw_obj_begin(&j, NULL);
			jw_str(&j, "workload", swc_measure_row_name(r));
			jw_str(&j, "pass", "timed");
			jw_str(&j, "error", swc_describe_status(r->rr.status, buf, sizeof(buf)));
			jw_obj_end(&j);
		} else if (r->counted && !r->counting_ok) {
			jw_obj_begin(&j, NULL);
			jw_str(&j, "workload", swc_measure_row_name(r));
			jw_str(&j, "pass", "counting");
			jw_str(&j, "error", "the counting pass failed");
			jw_obj_end(&j);
		}
	}
	jw_arr_end(&j);
	jw_bool(&j, "interrupted", m->interrupted);
	jw_i64(&j, "exit_status", m->exit_status);
	jw_obj_end(&j);
	jw_finish(&j);
	return ferror(f) ? -EIO : 0;
}

void run_print_json(const struct run_env *env, const struct swc_sysinfo *si,
		    const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		    const struct csv_ctx *cc, FILE *f)
{
	const struct swc_measurement *co = swc_measure_find(rows, n, SWC_WL_COROUTINE);
	struct swc_json j;
	char buf[256];

	swc_report_json_begin(&j, f, "run", si);
	json_config(&j, env);
	jw_arr_begin(&j, "results");
	for (int i = 0; i < n; i++) {
		const struct swc_measurement *r = &rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", swc_measure_row_name(r));
		jw_bool(&j, "ok", r->rr.ok);
		if (r->unavailable) {
			snprintf(buf, sizeof(buf), "not available: %s", r->why);
			jw_str(&j, "error", buf);
			jw_obj_end(&j);
			continue;
		}
		if (!r->rr.ok) {
			jw_str(&j, "error", r->ran ? swc_describe_status(r->rr.status, buf,
									 sizeof(buf))
						   : "not run");
			jw_obj_end(&j);
			continue;
		}
		swc_validity_json(&j, &r->val);
		jw_obj_begin(&j, "validity");
		jw_double(&j, "repeat_spread", r->val.spread);
		jw_double(&j, "cpu_share", r->val.cpu_share);
		if (swc_measure_outside_switches(r) >= 0)
			jw_i64(&j, "outside_switches", swc_measure_outside_switches(r));
		else
			jw_null(&j, "outside_switches");
		jw_double(&j, "steal_ns", r->steal_ns);
		jw_double(&j, "wall_ns", r->wall_ns);
		jw_obj_end(&j);
		jw_u64(&j, "switches", r->rr.res.switches * r->rr.res.repeats);
		jw_u64(&j, "switches_made", r->switches_made);
		swc_ns_per_switch_json(&j, &r->per_switch, r->per_repeat_ns, r->rr.res.repeats);
		jw_double(&j, "ratio_to_coroutine", swc_measure_ratio(r, co));
		if (swc_workload_handoff(r->id, env->ipc))
			jw_str(&j, "handoff", swc_workload_handoff(r->id, env->ipc));
		if (r->id == SWC_WL_SYSCALL)
			jw_str(&j, "syscall", SWC_SYSCALL_ROW_NAME);
		if (r->have_bpf)
			json_ebpf(&j, &r->gs, r);
		else
			jw_null(&j, "ebpf");
		if (r->have_bpf) {
			struct swc_agreement ag;

			swc_agreement_compute(&r->gs, &r->rr.ru, &ag);
			swc_kernel_counters_json(&j, &r->rr.ru, &ag);
		} else {
			swc_kernel_counters_json(&j, &r->rr.ru, NULL);
		}
		swc_counting_pass_json(&j, r);
		if (r->pmu_counted)
			swc_pmu_json(&r->pmu, r->counting_made, &j);
		else if (env->pmu)
			jw_null(&j, "pmu");
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	{
		const struct swc_measurement *p = swc_measure_find(rows, n, SWC_WL_PROCESS);
		const struct swc_measurement *t = swc_measure_find(rows, n, SWC_WL_THREAD);
		char why[512] = "";

		if (p && t)
			swc_addrspace_explain(&si->as, p->per_switch.median,
					      t->per_switch.median, why, sizeof(why));
		jw_str(&j, "process_vs_thread", why[0] ? why : NULL);
		/* the sentence stands on the two rows: say when either is not to be trusted */
		jw_bool(&j, "process_vs_thread_valid", p && t && p->val.valid && t->val.valid);
	}
	if (env->pmu)
		jw_str(&j, "pmu_not_measured", env->pmu_why[0] ? env->pmu_why : NULL);
	if (ctr)
		swc_report_json_bpf(&j, ctr);
	swc_self_json(&j);
	if (cc)
		csvsink__json(&cc->sink, &j);
	jw_obj_end(&j);
	jw_finish(&j);
}

struct html_arg {
	const struct run_env *env;
	const struct swc_sysinfo *si;
	const struct swc_measurement *rows;
	int n;
	const struct swc_counters *ctr;
	const struct csv_ctx *cc;
};

static void html_json(FILE *f, void *arg)
{
	const struct html_arg *a = arg;

	run_print_json(a->env, a->si, a->rows, a->n, a->ctr, a->cc, f);
}

int run_write_html(const struct run_env *env, const struct swc_sysinfo *si,
		   const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		   const struct csv_ctx *cc)
{
	struct html_arg a = { env, si, rows, n, ctr, cc };

	return swc_pictures_json(env->html, html_json, &a, "switchcost run");
}
