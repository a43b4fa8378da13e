// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost trace: count and time the switches of any program, its threads and its children,
 * from birth (fork and clone followed in BPF), or of running processes (-p). The command runs
 * as the user who ran sudo; only the tracer keeps root. This file puts the pieces together:
 * options (trace_options.c), record sinks (trace_sinks.c), the watch loop (trace_loop.c) and
 * the reports (trace_report.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "records.h"
#include "report.h"
#include "signals.h"
#include "sysinfo.h"
#include "trace.h"
#include "watch.h"

/* CLOCK_REALTIME minus CLOCK_MONOTONIC: turns a BPF timestamp into a time of day. */
static __u64 realtime_offset_ns(void)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (__u64)rt.tv_sec * 1000000000ULL + (__u64)rt.tv_nsec - swc_now_ns();
}

int cmd_trace(int argc, char **argv)
{
	struct trace_env env;
	struct trace_result res;
	struct swc_watch_opts wopts = { 0 };
	struct swc_watch *w = NULL;
	struct trace_sinks rs;
	struct trace_ticker tk;
	FILE *out = stdout;
	int rc, code, err;
	__u64 start;
	static int cpus[CPU_SETSIZE];
	int ncpus;
	double steal0;

	memset(&env, 0, sizeof(env));
	memset(&res, 0, sizeof(res));
	rc = trace_parse_args(&env, argc, argv);
	if (rc)
		return rc;
	if (swc_bpf_preflight("trace"))
		return 1;
	/* -t alone: that thread's process, filtered down to the thread */
	if (env.tid && !env.argv && !env.npids && !env.all) {
		env.pids[0] = (int)env.tid;
		env.npids = 1;
	}
	if (trace_filter_setup(&env, &wopts))
		return 1;
	if (swc_signals_install()) {
		fprintf(stderr, "switchcost: installing signal handlers: %s\n", strerror(errno));
		return 1;
	}
	trace_catch_sigchld();

	if (trace_sinks_open(&env, &rs, &wopts))
		return 1;
	/* with --csv -, stdout carries the CSV and the report goes to stderr */
	if (rs.csv && !strcmp(env.csv_path, "-"))
		out = stderr;
	wopts.verbose = env.verbose;
	wopts.syscalls = env.syscalls;
	wopts.max_tasks = env.max_tasks;
	rc = 1;
	if (trace_stacks_open_output(&env))
		goto cleanup;
	/* before BPF: the supervisor must hold none of its objects */
	if (env.argv)
		trace_contain_open();
	w = watch__open(&wopts);
	if (!w)
		goto cleanup;
	if (trace_stacks_start(&env, w, &res))
		goto cleanup;
	/* pid -1: the BPF side counts hits only in watched tasks, so children are covered */
	if (trace_probes_attach(w, env.probes, env.nprobes))
		goto cleanup;
	ncpus = swc_allowed_cpus(cpus, CPU_SETSIZE);
	steal0 = swc_stat_steal_ns(cpus, ncpus);
	start = swc_now_ns();
	if (env.argv) {
		res.cmd_pid = trace_spawn(w, &env, &res, &code);
		if (res.cmd_pid < 0) {
			res.cmd_pid = 0;
			rc = code;
			goto cleanup;
		}
	} else if (trace_watch_pids(&env, w)) {
		goto cleanup;
	}
	res.start_ns = start;
	res.realtime_offset_ns = realtime_offset_ns();
	trace_ticker_start(&tk, start);
	if (env.interval_ns && !env.json)
		trace_report_header(&env, &res, out);
	if (trace_loop(&env, w, &res, start, &tk, rs.csv || rs.td ? &rs : NULL, out))
		rs.sink.failed = true;
	if (env.argv) {
		trace_tty_handoff(-1);
		res.left_running = trace_kill_descendants(&res, w);
		if (res.left_running)
			fprintf(stderr, "switchcost: %s left %llu process(es) running; stopped "
					"them (a trace ends with its command)\n", env.argv[0],
				(unsigned long long)res.left_running);
	}
	/* nothing more to count: detach the probes before reading, so the numbers hold still */
	watch__detach_user(w);
	trace_stacks_finish(&env, &res);
	if (rs.csv || rs.td)	/* -p's processes still run and still emit: take no more
				 * than the ring could hold when we stopped */
		records__drain(w, env.ringbuf_bytes / sizeof(struct swc_switch_rec));
	/* a failed read is reported as "not measured", never as zeros */
	err = watch__group_stats(w, TRACE_GROUP, &res.gs);
	if (err)
		fprintf(stderr, "switchcost: reading the program's switch counters from BPF: %s\n",
			strerror(-err));
	res.have_bpf = !err;
	res.steal_ns = swc_stat_steal_ns(cpus, ncpus) - steal0;
	if (res.have_bpf)
		swc_validity_judge_traced(&res.gs, (double)res.wall_ns,
					  (double)(swc_timeval_ns(&res.ru.ru_utime) +
						   swc_timeval_ns(&res.ru.ru_stime)),
					  res.steal_ns, &res.val);
	else
		res.val.valid = true;	/* nothing to judge on: the failure is reported */
	/* the last interval, partial or not, from the snapshot the summary shows: the lines add
	 * up to the summary */
	tk.closing = true;
	if (env.interval_ns && res.have_bpf)
		trace_interval_print(&env, &tk, &res.gs, swc_now_ns(), out);
	err = watch__counters(w, &res.ctr);
	if (err)
		fprintf(stderr, "switchcost: reading the BPF side's own counters (drops, full "
				"maps): %s\n", strerror(-err));
	res.have_ctr = !err;
	res.tasks_capacity = watch__tasks_capacity(w);
	if (res.have_ctr && res.ctr.tasks_full)
		fprintf(stderr, "switchcost: the per-task table was full (%u rows): %llu task(s) "
				"are missing from it, so the report is incomplete; rerun with "
				"--max-tasks above %llu\n", res.tasks_capacity,
			(unsigned long long)res.ctr.tasks_full,
			(unsigned long long)res.tasks_capacity + res.ctr.tasks_full);
	for (int i = 0; i < env.nprobes; i++) {
		env.probes[i].hits = res.ctr.probe_hits[i];
		env.probes[i].hits_outside = res.ctr.probe_hits_outside[i];
	}
	if (env.argv)
		rc = res.cmd_reaped ? trace_exit_code(res.status) : 1;
	else
		rc = 0;	/* Ctrl-C is how a -p trace normally ends */
	trace_sinks_pages(&env, &rs);
	if ((rs.sink.failed || rs.td_failed || !res.have_bpf || !res.have_ctr || res.stacks_failed) &&
	    rc == 0)
		rc = 1;
	rc = trace_sinks_close_csv(&env, &res, w, &rs, rc);
	if (env.json)
		trace_report_json(&env, w, &res, out);
	else
		trace_report_human(&env, w, &res, out);
	if (out == stdout)
		rc = swc_stdout_check(rc);	/* while errno still names a failed write */
	else
		fflush(out);
	if (rc == 0 && env.strict && !res.val.valid)
		rc = TRACE_EXIT_INVALID;
cleanup:
	if (res.cmd_pid > 0 && !res.cmd_reaped) {
		trace_tty_handoff(-1);
		swc_kill_group(res.cmd_pid);
		trace_kill_descendants(&res, w);
	}
	if (env.argv)
		trace_contain_close();
	trace_sinks_close(&rs);
	trace_stacks_close(&res);
	watch__close(w);
	return rc;
}
