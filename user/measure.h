/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Measuring one workload, as run and lab cost do: a timed pass (only the cheap half of the
 * eBPF side on: count and classify), then an untimed counting pass that adds what costs more
 * than it measures (the sys_enter counter, the clock behind latencies, and for the coroutine
 * a uprobe on its switch). The summary, the ratios and the validity judgement come from here.
 */
#ifndef SWC_MEASURE_H
#define SWC_MEASURE_H

#include <stdbool.h>
#include <linux/types.h>
#include "pmu.h"
#include "runner.h"
#include "stats.h"
#include "switchcost.h"
#include "validity.h"
#include "workload.h"

struct swc_watch;

/* One workload measured: a table row of run or lab cost. */
struct swc_measurement {
	/* set by the caller */
	enum swc_workload_id id;
	bool ibpb;			/* both parties asked for IBPB (run --ibpb) */
	__u32 group;			/* BPF group of the timed pass */
	__u32 counting_group;		/* ... and of the counting pass */
	bool unavailable;		/* a variant this kernel does not allow: why says why */
	char why[160];
	/* the timed pass */
	bool ran;			/* the runner was started and waited for */
	struct swc_runner_result rr;
	double wall_ns, steal_ns;	/* fork to reap; steal on its CPUs */
	struct swc_summary per_switch;	/* ns per switch over the repeats */
	double per_repeat_ns[SWC_MAX_REPEATS];	/* ns per switch of each repeat */
	unsigned long long switches_made;	/* warm-up included: what the kernel saw happen */
	bool have_bpf;
	struct swc_group_stats gs;
	struct swc_validity val;	/* judged after the timed pass */
	/* the counting pass */
	bool counted;			/* it ran */
	bool counting_ok;
	unsigned long long counting_made;	/* switches it made */
	struct swc_group_stats cs;
	char counting_skipped[160];	/* why it did not run, or "" */
	/* hardware (or software) counters in the counting pass: set pmu_wanted and pmu_kind */
	bool pmu_wanted;
	enum swc_pmu_kind pmu_kind;
	struct swc_pmu pmu;
	bool pmu_counted;		/* its counters were opened and read (each says ok) */
};

/*
 * Runs m->id's timed pass in m->group and, with w, its counting pass in m->counting_group.
 * cpus/ncpus are the parties' CPUs (steal is read there; one CPU: both on it). A coroutine
 * whose uprobe the kernel refuses keeps its timed row (counting_skipped says why). Returns 0
 * (see m->rr.ok and m->counting_ok), -EINTR on a stop request, or another -errno.
 */
int swc_measure(struct swc_watch *w, const struct swc_workload_cfg *cfg, const int *cpus,
		int ncpus, struct swc_measurement *m);

/* Whether a workload that was measured failed: its timed pass, or its counting pass. */
bool swc_measure_failed(const struct swc_measurement *m);
/* The plain row (not an --ibpb variant) of workload id that completed, or NULL. */
const struct swc_measurement *swc_measure_find(const struct swc_measurement *rows, int n,
					       enum swc_workload_id id);
/* The same, of its --ibpb variant when ibpb. */
const struct swc_measurement *swc_measure_find_variant(const struct swc_measurement *rows,
						       int n, enum swc_workload_id id, bool ibpb);
/* "process", or "process+ibpb" for its --ibpb row */
const char *swc_measure_row_name(const struct swc_measurement *m);
/* a's median over b's; NaN when either is missing or failed. */
double swc_measure_ratio(const struct swc_measurement *a, const struct swc_measurement *b);
/* v per switch made in the timed pass (NaN if none). */
double swc_measure_per_made(const struct swc_measurement *m, __u64 v);
/* From the counting pass: the sys_enter counter is never attached while timing. */
double swc_measure_syscalls_per_switch(const struct swc_measurement *m);
struct swc_json;
/* The "counting_pass" object of run's and lab cost's rows (docs/JSON.md): what the untimed
 * pass counted and whether it ran to the end, or why it did not run; nothing if neither. */
void swc_counting_pass_json(struct swc_json *j, const struct swc_measurement *m);
/* Latencies come from the counting pass: the clock they need is off while timing. */
const struct swc_group_stats *swc_measure_latency_stats(const struct swc_measurement *m);
/* Switches with a busy task outside the workload on one side; -1 without eBPF. */
long long swc_measure_outside_switches(const struct swc_measurement *m);

#endif
