/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The indirect cost of a switch (--ws): the method of Li, Ding and Shen ("Quantifying the cost
 * of context switch", ExpCS 2007) and of lmbench's lat_ctx -s. Between hand-offs each party
 * touches its own W bytes; a baseline touches W as often with no switch. A switched row's
 * excess over the baseline is what a switch costs with that working set; its growth over the
 * W = 0 row is the indirect cost: the refills of caches and TLB the other party evicted.
 */
#ifndef SWC_SWEEP_H
#define SWC_SWEEP_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include "cpucache.h"
#include "stats.h"
#include "validity.h"
#include "workload.h"
#include "wss.h"

struct swc_watch;
struct swc_json;
struct swc_addrspace;

#define SWC_SWEEP_WORKLOADS	3	/* process, thread, coroutine */
#define SWC_SWEEP_MAX_POINTS	(SWC_WS_NR * SWC_WS_MAX_SIZES * (SWC_SWEEP_WORKLOADS + 1))

struct swc_sweep_opts {
	unsigned long long sizes[SWC_WS_MAX_SIZES + 1];	/* ascending; 0 is added first */
	int nsizes;
	enum swc_workload_id wl[SWC_SWEEP_WORKLOADS];
	int nwl;
	int cpu;			/* both parties and the baseline, pinned here */
	enum swc_ipc ipc;
	bool quick;			/* fewer round trips and repeats */
};

struct swc_sweep_point {
	enum swc_workload_id id;	/* ignored for a baseline */
	bool baseline;			/* the touching alone, no switch */
	enum swc_ws_pattern pattern;
	unsigned long long ws_bytes;
	unsigned long round_trips;	/* per repeat */
	bool ran, ok;
	int status;			/* the runner's wait status */
	unsigned int repeats;
	double per_repeat_ns[SWC_MAX_REPEATS];	/* per switch (baseline: per pass) */
	struct swc_summary per_switch;
	double wall_ns, steal_ns, cpu_ns;
	long long outside_switches;	/* -1 without eBPF */
	struct swc_validity val;
	double cost_ns;			/* switched median - baseline median; NaN for a baseline */
	double indirect_ns;		/* cost_ns - the same workload's cost at W = 0 */
};

struct swc_sweep {
	struct swc_sweep_opts o;
	int n;
	struct swc_sweep_point p[SWC_SWEEP_MAX_POINTS];
	struct swc_cpucache caches;
	double elapsed_ns;
};

/* The workloads the sweep takes: process, thread, coroutine. */
bool swc_sweep_takes(enum swc_workload_id id);
/* Runs every point (w may be NULL: no eBPF evidence, outside switches not judged), watched in
 * BPF group `group`. Returns 0, -EINTR on a stop request, or -errno. */
int swc_sweep_run(struct swc_sweep *s, struct swc_watch *w, int group);
/* Pure: fills cost_ns and indirect_ns of every point from the medians. */
void swc_sweep_derive(struct swc_sweep *s);
/* Table, terminal plot and the sentence on where the cost turns up, for the human output. */
void swc_sweep_print(const struct swc_sweep *s, const struct swc_addrspace *as, FILE *f);
/* One results[] entry per point. */
void swc_sweep_json_results(const struct swc_sweep *s, struct swc_json *j);
/* "ws_sweep": { sizes, cpu_caches, turns_up: [...], elapsed_ns } */
void swc_sweep_json(const struct swc_sweep *s, const struct swc_addrspace *as,
		    struct swc_json *j);
/* Whether every point ran, and every point was judged valid. */
bool swc_sweep_ok(const struct swc_sweep *s);
bool swc_sweep_valid(const struct swc_sweep *s);
/* The point of workload id (or the baseline when id < 0) at pattern p and size W, or NULL. */
const struct swc_sweep_point *swc_sweep_find(const struct swc_sweep *s, int id,
					     enum swc_ws_pattern p, unsigned long long ws);
/*
 * Where the indirect cost of pattern p turns up: the first size at which a workload's indirect
 * cost passes max(SWC_SWEEP_NOTICE_NS, its own W = 0 row's repeat range), and why, from the
 * cache and TLB sizes. Returns buf ("" when it never does). Pure.
 */
char *swc_sweep_explain(const struct swc_sweep *s, enum swc_ws_pattern p,
			const struct swc_addrspace *as, char *buf, size_t len);
#define SWC_SWEEP_NOTICE_NS	100.0
/* "+1.20 µs", "−310 ns", "-" for NaN. Returns buf. */
char *swc_fmt_signed_ns(double ns, char *buf, size_t len);

#endif
