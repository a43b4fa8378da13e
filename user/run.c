// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost run: process, thread and coroutine switches side by side, with eBPF evidence.
 * This file runs the rows (measure.c measures each) and consumes --csv's records; run.h says
 * where the rest is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "fmt.h"
#include "ibpb.h"
#include "measure.h"
#include "records.h"
#include "run.h"
#include "signals.h"
#include "watch.h"

/* ---- per-switch CSV (--csv) ------------------------------------------------------------ */

static int csv_on_record(void *ctx, const struct swc_switch_rec *rec)
{
	struct csv_ctx *cc = ctx;
	const char *wl = rec->group < 4 * SWC_WL_NR ? cc->names[rec->group] : NULL;
	int err;

	err = csv__write(cc->csv, rec, wl);
	if (err) {
		if (!cc->failed)
			fprintf(stderr, "switchcost: writing %s: %s; the run is stopped and no "
					"file is left under that name\n", cc->path, strerror(-err));
		cc->failed = true;
		return err;
	}
	cc->by_kind[rec->kind < SWC_KIND_NR ? rec->kind : SWC_KIND_NR]++;
	if (rec->group == SWC_NO_GROUP)
		cc->unwatched++;
	return 0;
}

/* The workload column: group g < SWC_WL_NR is workload g's timed pass, SWC_WL_NR + g its
 * probed pass ("coroutine:probed"); a switch of no watched task (--all-tasks) has none. */
static void csv_ctx_init(struct csv_ctx *cc, const char *path)
{
	memset(cc, 0, sizeof(*cc));
	swc_outfile_init(&cc->meta);
	cc->path = strcmp(path, "-") ? path : "stdout";
	for (int g = 0; g < SWC_WL_NR; g++) {
		cc->names[g] = swc_workload_name(g);
		snprintf(cc->counting[g], sizeof(cc->counting[g]), "%s:probed",
			 swc_workload_name(g));
		cc->names[COUNTING_GROUP(g)] = cc->counting[g];
	}
	cc->names[IBPB_GROUP(SWC_WL_PROCESS)] = "process+ibpb";
	cc->names[IBPB_GROUP(SWC_WL_THREAD)] = "thread+ibpb";
	for (int g = SWC_WL_PROCESS; g <= SWC_WL_THREAD; g++) {
		snprintf(cc->ibpb_counting[g], sizeof(cc->ibpb_counting[g]), "%s:probed",
			 cc->names[IBPB_GROUP(g)]);
		cc->names[COUNTING_GROUP(IBPB_GROUP(g))] = cc->ibpb_counting[g];
	}
}

unsigned long long run_csv_sched_rows(const struct csv_ctx *cc)
{
	unsigned long long sum = 0;

	for (int k = 0; k <= SWC_KIND_NR; k++)
		if (k != SWC_KIND_COROUTINE)
			sum += cc->by_kind[k];
	return sum;
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
		return !sched_setaffinity(0, sizeof(set), &set);
	}
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
	return swc_measure(w, &cfg, env->cpus, env->ncpus, m);
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
	int rc, r, err = 0, n = 0;
	bool failed = false, interrupted, pinned = false, csv_kept = false;
	struct csv_ctx cc = { 0 }, *ccp = NULL;
	cpu_set_t saved_cpus;
	char a[32];

	swc_outfile_init(&cc.meta);
	rc = run_parse_args(&env, argc, argv);
	if (rc)
		return rc;
	if (!env.no_bpf && swc_bpf_preflight())
		return 1;
	if (swc_signals_install()) {
		fprintf(stderr, "switchcost: installing signal handlers: %s\n", strerror(errno));
		return 1;
	}
	swc_sysinfo_read(&si);
	if (env.csv) {
		csv_ctx_init(&cc, env.csv);
		/* before the BPF side: a refused target costs nothing and leaves nothing */
		cc.csv = csv__open(env.csv);
		if (!cc.csv)
			return 1;
		/* the metadata's target is checked (and held) now too, not after the run */
		if (strcmp(env.csv, "-") && run_open_meta(&cc, env.csv)) {
			csv__close(cc.csv, false);
			return 1;
		}
		ccp = &cc;
		wopts.emit = true;
		wopts.all_tasks = env.all_tasks;
		wopts.ringbuf_bytes = env.ringbuf_bytes;
		wopts.on_record = csv_on_record;
		wopts.ctx = &cc;
		pinned = pin_consumer(&env, &saved_cpus);
	}
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
	if (w && ccp && !cc.failed) {
		r = records__drain(w, 0);
		if (r < 0 && !err)
			err = r;
	}
	if (w && !watch__counters(w, &ctr))
		ctrp = &ctr;
	if (ccp) {
		csv_kept = !cc.failed && (interrupted || !err);
		if (csv__close(cc.csv, csv_kept)) {
			csv_kept = false;
			if (!err)
				err = -EIO;
		}
		cc.csv = NULL;
	}
	if (interrupted) {
		fprintf(stderr, "switchcost: interrupted by %s: workloads stopped, nothing left "
				"running", strsignal(stop_requested ? stop_requested : SIGINT));
		if (csv_kept)
			fprintf(stderr, "; the %s rows received so far are in %s", swc_fmt_count(
				run_csv_sched_rows(&cc) + cc.by_kind[SWC_KIND_COROUTINE], a,
				sizeof(a)),
				cc.path);
		fprintf(stderr, "\n");
		rc = swc_signal_exit_code(stop_requested ? stop_requested : SIGINT);
	} else if (err) {
		rc = 1;
	} else {
		/* with --csv -, stdout carries the CSV and the summary goes to stderr */
		FILE *out = env.csv && !strcmp(env.csv, "-") ? stderr : stdout;

		if (env.json)
			run_print_json(&env, &si, rows, n, ctrp, ccp, out);
		else
			run_print_human(&env, &si, rows, n, ctrp, ccp, out);
		for (int i = 0; i < n; i++)
			if ((!rows[i].rr.ok && !rows[i].unavailable) ||
			    (rows[i].counted && !rows[i].counting_ok))
				failed = true;
		rc = failed ? 1 : 0;
		for (int i = 0; env.strict && !rc && i < n; i++)
			if (rows[i].rr.ok && !rows[i].val.valid)
				rc = EXIT_INVALID;
		if (ccp && ctrp && ctrp->events_dropped) {
			fprintf(stderr, "switchcost: %s switch records were lost (ring buffer "
					"full), so %s lacks them: give a larger --ringbuf-size "
					"(now %lu%s)%s\n",
				swc_fmt_count(ctrp->events_dropped, a, sizeof(a)), cc.path,
				env.ringbuf_bytes >> (env.ringbuf_bytes >> 20 ? 20 : 10),
				env.ringbuf_bytes >> 20 ? "M" : "K", env.allow_drops ? "" :
				", or --allow-drops to accept that (exit status 3)");
			if (!rc && !env.allow_drops)
				rc = EXIT_DROPS;
		}
	}
	if (csv_kept && strcmp(env.csv, "-") &&
	    run_write_meta(&env, &si, w, ctrp, &cc, interrupted, rc) && !rc)
		rc = 1;
cleanup:
	if (pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	csv__close(cc.csv, false);	/* still open only on a failure: its file goes */
	swc_outfile_commit(&cc.meta, false);	/* likewise; a no-op once committed */
	watch__close(w);
	return rc;
}

