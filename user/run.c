// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost run: process, thread and coroutine switches side by side, with eBPF evidence.
 * This file runs the rows (measure.c measures each) and consumes --csv's records; run.h says
 * where the rest is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "cli.h"
#include "commands.h"
#include "feature_probe.h"
#include "fmt.h"
#include "ibpb.h"
#include "measure.h"
#include "records.h"
#include "run.h"
#include "signals.h"
#include "sysinfo.h"
#include "watch.h"

/* The workload and pass columns: group g < SWC_WL_NR is workload g's timed pass, SWC_WL_NR + g
 * its counting pass, the same name with pass "counting"; a switch of no watched task
 * (--all-tasks) has neither. */
static void csv_ctx_init(struct csv_ctx *cc, const struct run_env *env)
{
	memset(cc, 0, sizeof(*cc));
	for (int g = 0; g < SWC_WL_NR; g++) {
		cc->names[g] = swc_workload_name(g);
		cc->names[COUNTING_GROUP(g)] = cc->names[g];
	}
	cc->names[IBPB_GROUP(SWC_WL_PROCESS)] = "process+ibpb";
	cc->names[IBPB_GROUP(SWC_WL_THREAD)] = "thread+ibpb";
	for (int g = SWC_WL_PROCESS; g <= SWC_WL_THREAD; g++)
		cc->names[COUNTING_GROUP(IBPB_GROUP(g))] = cc->names[IBPB_GROUP(g)];
	for (int g = 0; g < 4 * SWC_WL_NR; g++)
		cc->passes[g] = g % (2 * SWC_WL_NR) < SWC_WL_NR ? "timed" : "counting";
	cc->sink.names = cc->names;
	cc->sink.passes = cc->passes;
	cc->sink.nnames = 4 * SWC_WL_NR;
	cc->sink.ringbuf_bytes = env->ringbuf_bytes;
	cc->sink.all_tasks = env->all_tasks;
	cc->sink.allow_drops = env->allow_drops;
}

/* The nice switchcost was started with, which every child of the raised consumer gets back. */
static int started_nice;

static void child_nice(void)
{
	setpriority(PRIO_PROCESS, 0, started_nice);
}

/*
 * Away from the parties' CPU, the consumer may outrank other work there without disturbing
 * the switches it records: at nice 0 on a busy machine (load average 5.6) it fell behind and
 * the 4 MiB ring dropped 6,649 and 94,391 of 488,000 records in two default runs. Ten nice
 * levels up (a weight ~9x the parties'); a fork handler puts each child back at the nice
 * switchcost was started with, so the runners and their parties keep it (SCHED_RESET_ON_FORK,
 * used before, resets only a negative nice, to 0: started at nice 10, the parties ran at 0).
 * Once per process. Best effort: without the privilege nothing changes.
 */
static void raise_consumer(void)
{
	static bool raised;
	int nice;

	if (raised)
		return;
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		return;
	started_nice = nice;
	if (pthread_atfork(NULL, NULL, child_nice))
		return;
	raised = true;
	setpriority(PRIO_PROCESS, 0, nice - 10 < -20 ? -20 : nice - 10);
}

/*
 * The record consumer (this process) formats up to a million rows a second: on the parties'
 * CPU it would compete with the very switches it records and slow them. With both parties on
 * one CPU and another CPU we may use, it moves there for the run; saved holds the old mask.
 */
static bool pin_consumer(const struct run_env *env, cpu_set_t *saved)
{
	cpu_set_t set;

	if (env->ncpus != 1 || sched_getaffinity(0, sizeof(*saved), saved))
		return false;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (c == env->cpus[0] || !CPU_ISSET(c, saved))
			continue;
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return false;
		raise_consumer();
		return true;
	}
	return false;
}

static bool runs_workload(const struct run_env *env, enum swc_workload_id id)
{
	for (int i = 0; i < env->nwl; i++)
		if (env->order[i] == id)
			return true;
	return false;
}

/* One row: its timed pass, then its counting pass (measure.c). */
static int measure_row(const struct run_env *env, struct swc_watch *w, struct swc_measurement *m)
{
	struct swc_workload_cfg cfg = {
		.round_trips = env->round_trips,
		.repeats = env->repeats,
		.warmup = env->warmup,
		.cpu_a = env->cpus[0],
		.cpu_b = env->cpus[env->ncpus - 1],
		.ipc = env->ipc,
	};

	m->counting_group = COUNTING_GROUP(m->group);
	m->pmu_wanted = env->pmu && !env->pmu_why[0];
	m->pmu_kind = env->pmu_kind;
	return swc_measure(w, &cfg, env->cpus, env->ncpus, m);
}

/* The status of a run that completed: a failed row, an invalid one under --strict. */
static int rows_status(const struct run_env *env, const struct swc_measurement *rows, int n)
{
	for (int i = 0; i < n; i++)
		if (swc_measure_failed(&rows[i]))
			return 1;
	for (int i = 0; env->strict && i < n; i++)
		if (rows[i].rr.ok && !rows[i].val.valid)
			return EXIT_INVALID;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_env env = { .ipc = SWC_IPC_FUTEX };
	/* timed passes count and classify only; the counting pass adds the rest */
	struct swc_watch_opts wopts = { .lean = true, .aggregate_only = true };
	struct swc_counters ctr, *ctrp = NULL;
	struct swc_measurement rows[SWC_WL_NR + 2];
	struct swc_watch *w = NULL;
	struct swc_sysinfo si;
	int rc, r, err = 0, n = 0, drops;
	bool interrupted, pinned = false, csv_kept = false;
	struct csv_ctx cc, *ccp = NULL;
	cpu_set_t saved_cpus;
	char a[32];

	memset(&cc, 0, sizeof(cc));
	rc = run_parse_args(&env, argc, argv);
	if (rc)
		return rc;
	if (!env.no_bpf && swc_bpf_preflight("run"))
		return 1;
	if (swc_signals_install()) {
		fprintf(stderr, "switchcost: installing signal handlers: %s\n", strerror(errno));
		return 1;
	}
	swc_sysinfo_read(&si);
	if (env.pmu)
		swc_pmu_probe(env.pmu_kind, env.pmu_why, sizeof(env.pmu_why));
	if (env.csv) {
		csv_ctx_init(&cc, &env);
		if (csvsink__open(&cc.sink, env.csv))
			return 1;
		ccp = &cc;
		wopts.emit = true;
		wopts.all_tasks = env.all_tasks;
		wopts.ringbuf_bytes = env.ringbuf_bytes;
		wopts.on_record = csvsink__on_record;
		wopts.ctx = &cc.sink;
		pinned = pin_consumer(&env, &saved_cpus);
	}
	/* The coroutine row's uprobe check loads a probe program, which parses the kernel's BTF
	 * (~9 MB for a moment): asked before --csv's ring is mapped, the two never add up in the
	 * peak RSS (18.7 MB with a 4 MiB ring when asked at the row, 14.7 MB now). */
	if (!env.no_bpf && runs_workload(&env, SWC_WL_COROUTINE))
		swc_uprobe_unavailable();
	if (!env.no_bpf) {
		wopts.verbose = env.verbose;
		w = watch__open(&wopts);
		if (!w) {
			rc = 1;
			goto cleanup;
		}
	}
	if (env.ws) {
		env.ws_opts.cpu = env.cpus[0];
		rc = swc_run_ws(&env.ws_opts, env.json, env.strict, &si, w);
		goto cleanup;
	}
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < env.nwl && !stop_requested; i++) {
		rows[n].id = env.order[i];
		rows[n].group = env.order[i];
		err = measure_row(&env, w, &rows[n]);
		n++;
		if (err)
			break;
	}
	/* the --ibpb variants after the plain rows, so the table reads them side by side */
	for (int i = 0; env.ibpb && !err && i < env.nwl && !stop_requested; i++) {
		struct swc_measurement *v = &rows[n];

		if (env.order[i] != SWC_WL_PROCESS && env.order[i] != SWC_WL_THREAD)
			continue;
		v->id = env.order[i];
		v->group = IBPB_GROUP(v->id);
		v->ibpb = true;
		n++;
		if (!swc_ibpb_available(&si.as, v->why, sizeof(v->why))) {
			v->unavailable = true;
			continue;
		}
		err = measure_row(&env, w, v);
	}
	interrupted = stop_requested || err == -EINTR;
	/* the rows already received, the runners' last switches among them, are written even
	 * after a stop request */
	if (w && ccp && !cc.sink.failed) {
		r = records__drain(w, 0);
		if (r < 0 && !err)
			err = r;
	}
	if (w && !watch__counters(w, &ctr))
		ctrp = &ctr;
	drops = ccp && ctrp && !interrupted && !err ?
		csvsink__drops(&cc.sink, ctrp->events_dropped) : 0;
	if (interrupted)
		rc = swc_signal_exit_code(stop_requested ? stop_requested : SIGINT);
	else if (err)
		rc = 1;
	else
		rc = rows_status(&env, rows, n) ?: drops;
	if (ccp) {
		/* before the report, which must not speak of a CSV that is not there */
		struct run_meta meta = { &env, &si, w, ctrp, &cc, rows, n, interrupted, rc };

		csv_kept = !cc.sink.failed && (interrupted || !err);
		if (csvsink__close(&cc.sink, csv_kept, run_write_meta, &meta) && csv_kept) {
			csv_kept = false;
			if (!interrupted)
				err = -EIO;
			rc = interrupted ? rc : 1;
		}
	}
	if (interrupted) {
		fprintf(stderr, "switchcost: interrupted by %s: workloads stopped, nothing left "
				"running", strsignal(stop_requested ? stop_requested : SIGINT));
		if (csv_kept)
			fprintf(stderr, "; the %s rows received so far are in %s",
				swc_fmt_count(csvsink__rows(&cc.sink), a, sizeof(a)),
				cc.sink.shown);
		fprintf(stderr, "\n");
	} else if (!err) {
		/* with --csv -, stdout carries the CSV and the summary goes to stderr */
		FILE *out = env.csv && !strcmp(env.csv, "-") ? stderr : stdout;

		if (env.json)
			run_print_json(&env, &si, rows, n, ctrp, ccp, out);
		else
			run_print_human(&env, &si, rows, n, ctrp, ccp, out);
		if (out == stdout)
			rc = swc_stdout_check(rc);	/* while errno still names a failed write */
		if (env.html && run_write_html(&env, &si, rows, n, ctrp, ccp) && !rc)
			rc = 1;
	}
cleanup:
	if (pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	csvsink__close(&cc.sink, false, NULL, NULL);	/* still open only on a failure */
	watch__close(w);
	return rc;
}
