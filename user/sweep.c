// SPDX-License-Identifier: GPL-2.0-only
/*
 * The working-set sweep: runs the points, derives the indirect cost, and says where it turns
 * up (see sweep.h). Every point is one runner, pinned to one CPU, judged like a run row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "addrspace.h"
#include "clock.h"
#include "json.h"
#include "runner.h"
#include "signals.h"
#include "sweep.h"
#include "watch.h"

/* Lines touched per timed repeat, at most: the round trips shrink as W grows, so that a
 * 16 MiB point takes about as long as a 16 KiB one (a pass over 16 MiB is ~1 ms). */
#define TOUCH_BUDGET_LINES	(1UL << 22)
#define QUICK_TOUCH_BUDGET	(1UL << 20)
#define BASE_ROUND_TRIPS	5000UL
#define QUICK_ROUND_TRIPS	1000UL
#define MIN_ROUND_TRIPS		20UL
#define REPEATS			5
#define QUICK_REPEATS		3

bool swc_sweep_takes(enum swc_workload_id id)
{
	return id == SWC_WL_PROCESS || id == SWC_WL_THREAD || id == SWC_WL_COROUTINE;
}

static unsigned long round_trips_for(const struct swc_sweep_opts *o, unsigned long long ws,
				     enum swc_ws_pattern p)
{
	long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE), page = sysconf(_SC_PAGESIZE);
	unsigned long base = o->quick ? QUICK_ROUND_TRIPS : BASE_ROUND_TRIPS;
	unsigned long budget = o->quick ? QUICK_TOUCH_BUDGET : TOUCH_BUDGET_LINES;
	size_t lines = swc_ws_lines(ws, p, line > 0 ? line : 64, page > 0 ? page : 4096);
	unsigned long rt;

	if (!lines)
		return base;
	rt = budget / (2 * lines);
	return rt < MIN_ROUND_TRIPS ? MIN_ROUND_TRIPS : rt > base ? base : rt;
}

static double rusage_cpu_ns(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
	       (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

static int run_point(struct swc_sweep *s, struct swc_watch *w, int group,
		     struct swc_sweep_point *pt)
{
	struct swc_workload_cfg cfg = {
		.round_trips = pt->round_trips,
		.repeats = s->o.quick ? QUICK_REPEATS : REPEATS,
		.cpu_a = s->o.cpu,
		.cpu_b = s->o.cpu,
		.ipc = s->o.ipc,
		.ws_bytes = pt->ws_bytes,
		.ws_pattern = pt->pattern,
		.ws_baseline = pt->baseline,
	};
	struct swc_group_stats before, after, d;
	struct swc_runner_result rr;
	struct swc_validity_in in;
	bool have_bpf;
	double steal0;
	__u64 t0;
	int err;

	/* two passes at least, so every page is faulted and every line was fetched once */
	cfg.warmup = pt->round_trips / 10 > 2 ? pt->round_trips / 10 : 2;
	have_bpf = w && !watch__group_stats(w, group, &before);
	steal0 = swc_stat_steal_ns(&s->o.cpu, 1);
	t0 = swc_now_ns();
	err = swc_runner_run(w, group, pt->baseline ? SWC_WL_COROUTINE : pt->id, &cfg, NULL, &rr);
	if (err)
		return err;
	pt->wall_ns = (double)(swc_now_ns() - t0);
	pt->steal_ns = swc_stat_steal_ns(&s->o.cpu, 1) - steal0;
	pt->ran = true;
	pt->ok = rr.ok;
	pt->status = rr.status;
	pt->cpu_ns = rusage_cpu_ns(&rr.ru);
	pt->outside_switches = -1;
	if (have_bpf && !watch__group_stats(w, group, &after)) {
		swc_group_stats_sub(&after, &before, &d);
		pt->outside_switches = swc_outside_switches(&d);
	}
	if (!rr.ok)
		return 0;
	pt->repeats = rr.res.repeats;
	for (unsigned int i = 0; i < rr.res.repeats; i++)
		pt->per_repeat_ns[i] = rr.res.ns[i] / (double)rr.res.switches;
	swc_summarize(pt->per_repeat_ns, pt->repeats, &pt->per_switch);
	in = (struct swc_validity_in){
		.min_ns = pt->per_switch.min,
		.max_ns = pt->per_switch.max,
		.wall_ns = pt->wall_ns,
		.cpu_ns = pt->cpu_ns,
		.one_cpu = true,
		.outside_switches = pt->outside_switches,
		.steal_ns = pt->steal_ns,
	};
	swc_validity_judge(&in, &pt->val);
	return 0;
}

static struct swc_sweep_point *add_point(struct swc_sweep *s, int id, bool baseline,
					 enum swc_ws_pattern p, unsigned long long ws)
{
	struct swc_sweep_point *pt = &s->p[s->n++];

	memset(pt, 0, sizeof(*pt));
	pt->id = id < 0 ? SWC_WL_COROUTINE : (enum swc_workload_id)id;
	pt->baseline = baseline;
	pt->pattern = p;
	pt->ws_bytes = ws;
	pt->round_trips = round_trips_for(&s->o, ws, p);
	pt->cost_ns = pt->indirect_ns = NAN;
	return pt;
}

int swc_sweep_run(struct swc_sweep *s, struct swc_watch *w, int group)
{
	__u64 t0 = swc_now_ns();
	int err = 0;

	swc_cpucache_read(&s->caches);
	s->n = 0;
	/* W = 0 touches nothing: one row per workload serves both patterns */
	for (int k = 0; k < s->o.nwl && !err; k++)
		err = run_point(s, w, group, add_point(s, s->o.wl[k], false, SWC_WS_LINES, 0));
	for (int p = 0; p < SWC_WS_NR && !err; p++) {
		for (int i = 0; i < s->o.nsizes && !err; i++) {
			unsigned long long ws = s->o.sizes[i];

			if (!ws)
				continue;
			err = run_point(s, w, group, add_point(s, -1, true, p, ws));
			for (int k = 0; k < s->o.nwl && !err; k++)
				err = run_point(s, w, group, add_point(s, s->o.wl[k], false, p, ws));
		}
	}
	if (!err && stop_requested)
		err = -EINTR;
	s->elapsed_ns = (double)(swc_now_ns() - t0);
	swc_sweep_derive(s);
	return err;
}
