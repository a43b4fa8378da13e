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

static void json_kernel(struct swc_json *j, const char *key, const struct swc_group_stats *gs,
			const struct swc_measurement *r)
{
	const struct swc_group_stats *ls = swc_measure_latency_stats(r);

	jw_obj_begin(j, key);
	jw_u64(j, "switches", gs->switches_out);
	jw_u64(j, "voluntary", gs->voluntary);
	jw_u64(j, "involuntary", gs->involuntary);
	jw_u64(j, "switches_in", gs->switches_in);
	jw_u64(j, "exit_switches", gs->exit_switches);
	jw_obj_begin(j, "by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(j, swc_kind_name(k), gs->by_kind[k]);
	jw_obj_end(j);
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

/* Switches and coroutine switches the BPF side counted in one group: each switch once per
 * group, so the group's rows, unless records were dropped. */
static void group_counts(struct swc_watch *w, __u32 group, unsigned long long *sched,
			 unsigned long long *coro)
{
	struct swc_group_stats gs;

	*sched = *coro = 0;
	if (watch__group_stats(w, group, &gs))
		return;
	for (int k = 0; k < SWC_KIND_NR; k++)
		if (k != SWC_KIND_COROUTINE)
			*sched += gs.by_kind[k];
	*coro = gs.by_kind[SWC_KIND_COROUTINE];
}

static void json_csv(struct swc_json *j, const struct run_env *env, const struct csv_ctx *cc)
{
	jw_obj_begin(j, "csv");
	jw_str(j, "path", env->csv);
	if (strcmp(env->csv, "-")) {
		char meta[PATH_MAX];

		snprintf(meta, sizeof(meta), "%s.meta.json", env->csv);
		jw_str(j, "metadata", meta);
	} else {
		jw_null(j, "metadata");
	}
	jw_u64(j, "rows", run_csv_sched_rows(cc) + cc->by_kind[SWC_KIND_COROUTINE]);
	jw_u64(j, "sched_rows", run_csv_sched_rows(cc));
	jw_u64(j, "coroutine_rows", cc->by_kind[SWC_KIND_COROUTINE]);
	jw_u64(j, "unwatched_rows", cc->unwatched);
	jw_obj_begin(j, "rows_by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(j, swc_kind_name(k), cc->by_kind[k]);
	jw_obj_end(j);
	jw_u64(j, "ringbuf_bytes", env->ringbuf_bytes);
	jw_bool(j, "all_tasks", env->all_tasks);
	jw_obj_end(j);
}

/*
 * FILE.meta.json beside the CSV: what the CSV cannot hold without comment lines. Written
 * like the CSV (temporary file, renamed into place), after it. Returns 0 or -errno.
 */
int run_open_meta(struct csv_ctx *cc, const char *csv_path)
{
	char *path;
	int err;

	if (asprintf(&path, "%s.meta.json", csv_path) < 0)
		return -ENOMEM;
	err = swc_outfile_open(&cc->meta, path);
	free(path);
	return err;
}

int run_write_meta(const struct run_env *env, const struct swc_sysinfo *si,
		   struct swc_watch *w, const struct swc_counters *ctr,
		   struct csv_ctx *cc, bool interrupted, int exit_status)
{
	unsigned long long sched, coro, sched_total = 0, coro_total = 0;
	struct swc_outfile *out = &cc->meta;
	struct swc_json j;
	char *path, *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (asprintf(&path, "%s.meta.json", env->csv) < 0)
		return -ENOMEM;
	f = open_memstream(&buf, &len);
	if (!f) {
		free(path);
		return -ENOMEM;
	}
	swc_report_json_begin(&j, f, "run", si);
	json_config(&j, env);
	json_csv(&j, env, cc);
	jw_arr_begin(&j, "groups");
	for (int g = 0; g < 4 * SWC_WL_NR; g++) {
		if (!cc->names[g])
			continue;
		group_counts(w, g, &sched, &coro);
		sched_total += sched;
		coro_total += coro;
		if (!sched && !coro)
			continue;
		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", cc->names[g]);
		jw_str(&j, "pass", g % (2 * SWC_WL_NR) < SWC_WL_NR ? "timed" : "probed");
		jw_u64(&j, "sched_switches", sched);
		jw_u64(&j, "coroutine_switches", coro);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_obj_begin(&j, "bpf");
	jw_u64(&j, "sched_switches", sched_total);
	jw_u64(&j, "coroutine_switches", coro_total);
	jw_u64(&j, "events_dropped", ctr ? ctr->events_dropped : 0);
	jw_u64(&j, "tasks_untracked", ctr ? ctr->tasks_full : 0);
	jw_u64(&j, "processes_unwatched", ctr ? ctr->watch_full : 0);
	jw_obj_end(&j);
	jw_bool(&j, "interrupted", interrupted);
	jw_i64(&j, "exit_status", exit_status);
	jw_obj_end(&j);
	jw_finish(&j);
	if (fclose(f) || !buf) {
		free(buf);
		free(path);
		return -ENOMEM;
	}
	err = 0;
	for (size_t done = 0; done < len;) {
		ssize_t k = write(out->fd, buf + done, len - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = -errno;
			fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
			break;
		}
		done += k;
	}
	if (swc_outfile_commit(out, !err) && !err)
		err = -EIO;
	free(buf);
	free(path);
	return err;
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
		jw_str(&j, "workload", run_row_name(r));
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
		jw_bool(&j, "valid", r->val.valid);
		jw_arr_begin(&j, "reasons");
		for (int k = 0; k < r->val.nreasons; k++)
			jw_str(&j, NULL, r->val.reasons[k]);
		jw_arr_end(&j);
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
		jw_obj_begin(&j, "ns_per_switch");
		jw_double(&j, "median", r->per_switch.median);
		jw_double(&j, "min", r->per_switch.min);
		jw_double(&j, "max", r->per_switch.max);
		jw_double(&j, "mean", r->per_switch.mean);
		jw_arr_begin(&j, "repeats");
		for (unsigned int k = 0; k < r->rr.res.repeats; k++)
			jw_double(&j, NULL, r->rr.res.ns[k] / (double)r->rr.res.switches);
		jw_arr_end(&j);
		jw_obj_end(&j);
		jw_double(&j, "ratio_to_coroutine", swc_measure_ratio(r, co));
		if (swc_workload_handoff(r->id, env->ipc))
			jw_str(&j, "handoff", swc_workload_handoff(r->id, env->ipc));
		if (r->id == SWC_WL_SYSCALL)
			jw_str(&j, "syscall", SWC_SYSCALL_ROW_NAME);
		if (r->have_bpf)
			json_kernel(&j, "kernel", &r->gs, r);
		else
			jw_null(&j, "kernel");
		jw_u64(&j, "rusage_voluntary", r->rr.ru.ru_nvcsw);
		jw_u64(&j, "rusage_involuntary", r->rr.ru.ru_nivcsw);
		if (r->have_bpf) {
			struct swc_agreement ag;

			swc_agreement_compute(&r->gs, &r->rr.ru, &ag);
			swc_agreement_json(&j, &ag);
		} else {
			jw_u64(&j, "rusage_switches",
			       (unsigned long long)r->rr.ru.ru_nvcsw + r->rr.ru.ru_nivcsw);
		}
		if (r->counted) {
			jw_obj_begin(&j, "probe_pass");
			jw_bool(&j, "ok", r->counting_ok);
			jw_u64(&j, "switches_made", r->counting_made);
			jw_u64(&j, "uprobe_hits", r->cs.user_switches);
			jw_u64(&j, "syscalls", r->cs.syscalls);
			jw_u64(&j, "kernel_switches", r->cs.switches_out);
			jw_obj_end(&j);
		} else if (r->counting_skipped[0]) {
			jw_obj_begin(&j, "probe_pass");
			jw_str(&j, "not_measured", r->counting_skipped);
			jw_obj_end(&j);
		}
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
	if (ctr)
		swc_report_json_bpf(&j, ctr);
	swc_self_json(&j);
	if (cc)
		json_csv(&j, env, cc);
	jw_obj_end(&j);
	jw_finish(&j);
}
