// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace --hist, -P, -L: log2 histograms as runqlat and cpudist print them. The program's three
 * (on-CPU time before a switch out, off-CPU time before a switch in, wake-up to run) come from
 * its BPF group counters; -P and -L split wake-up to run by process or by thread, from the
 * per-task histograms (no other per-task histogram is kept in BPF).
 */
#include <stdio.h>
#include <string.h>
#include "json.h"
#include "stats.h"
#include "trace.h"

static __u64 hist_unit(const struct trace_env *env)
{
	return env->hist_ms ? 1000000 : 0;	/* 0: the unit that fits */
}

static void print_one(const struct trace_env *env, FILE *f, const char *title,
		      const __u64 *slots)
{
	fprintf(f, "\n");
	swc_hist_print_in(f, title, slots, SWC_HIST_SLOTS, hist_unit(env));
	if (!swc_hist_total(slots, SWC_HIST_SLOTS))
		fprintf(f, "     (none seen)\n");
}

/* Rows [i, end) of one process; returns end. */
static size_t process_end(const struct task_row *rows, size_t n, size_t i)
{
	size_t end = i;

	while (end < n && rows[end].t.tgid == rows[i].t.tgid)
		end++;
	return end;
}

static void process_hist(const struct task_row *rows, size_t i, size_t end, __u64 *slots)
{
	memset(slots, 0, SWC_HIST_SLOTS * sizeof(*slots));
	for (; i < end; i++)
		for (int s = 0; s < SWC_HIST_SLOTS; s++)
			slots[s] += rows[i].t.hist_delay[s];
}

void trace_hist_print(const struct trace_env *env, const struct swc_group_stats *gs,
		      const struct task_row *rows, size_t n, FILE *f)
{
	__u64 slots[SWC_HIST_SLOTS];
	char title[128];

	if (env->hist && gs) {
		print_one(env, f, "On-CPU time before each switch out of the program's tasks:",
			  gs->hist_run);
		print_one(env, f, "Off-CPU time before each switch into them:", gs->hist_off);
		print_one(env, f, "Wake-up to run delay of its tasks (run-queue latency):",
			  gs->hist_delay);
	}
	if (env->hist_per_process) {
		for (size_t i = 0, end; i < n; i = end) {
			end = process_end(rows, n, i);
			process_hist(rows, i, end, slots);
			snprintf(title, sizeof(title), "Wake-up to run delay, pid %u (%.*s), %zu "
				 "thread(s):", rows[i].t.tgid, SWC_COMM_LEN, rows[i].t.comm,
				 end - i);
			print_one(env, f, title, slots);
		}
	}
	if (env->hist_per_thread) {
		for (size_t i = 0; i < n; i++) {
			snprintf(title, sizeof(title), "Wake-up to run delay, pid %u tid %u (%.*s):",
				 rows[i].t.tgid, rows[i].tid, SWC_COMM_LEN, rows[i].t.comm);
			print_one(env, f, title, rows[i].t.hist_delay);
		}
	}
}

static void json_slots(struct swc_json *j, const char *key, const __u64 *slots)
{
	jw_arr_begin(j, key);
	for (int s = 0; s < SWC_HIST_SLOTS; s++)
		jw_u64(j, NULL, slots[s]);
	jw_arr_end(j);
}

/* "histograms": { "run_ns", "off_cpu_ns", "wakeup_delay_ns" } (log2 slots of ns),
 * "processes": [ { pid, comm, threads, wakeup_delay_ns } ], "threads": [ ... ] */
void trace_hist_json(const struct trace_env *env, const struct swc_group_stats *gs,
		     const struct task_row *rows, size_t n, struct swc_json *j)
{
	__u64 slots[SWC_HIST_SLOTS];

	if (env->hist) {
		if (gs) {
			jw_obj_begin(j, "histograms");
			jw_str(j, "slots", "log2 of ns: slot i holds [2^i, 2^(i+1)), slot 0 0..1");
			json_slots(j, "run_ns", gs->hist_run);
			json_slots(j, "off_cpu_ns", gs->hist_off);
			json_slots(j, "wakeup_delay_ns", gs->hist_delay);
			jw_obj_end(j);
		} else {
			jw_null(j, "histograms");
		}
	}
	if (env->hist_per_process) {
		jw_arr_begin(j, "process_histograms");
		for (size_t i = 0, end; i < n; i = end) {
			end = process_end(rows, n, i);
			process_hist(rows, i, end, slots);
			jw_obj_begin(j, NULL);
			jw_u64(j, "pid", rows[i].t.tgid);
			jw_str(j, "comm", rows[i].t.comm);
			jw_u64(j, "threads", end - i);
			json_slots(j, "wakeup_delay_ns", slots);
			jw_obj_end(j);
		}
		jw_arr_end(j);
	}
	if (env->hist_per_thread) {
		jw_arr_begin(j, "thread_histograms");
		for (size_t i = 0; i < n; i++) {
			jw_obj_begin(j, NULL);
			jw_u64(j, "pid", rows[i].t.tgid);
			jw_u64(j, "tid", rows[i].tid);
			jw_str(j, "comm", rows[i].t.comm);
			json_slots(j, "wakeup_delay_ns", rows[i].t.hist_delay);
			jw_obj_end(j);
		}
		jw_arr_end(j);
	}
}
