/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hardware evidence per switch: instructions, cache misses and dTLB misses counted on a
 * workload's tasks with perf_event_open (generic events, inherited by every process and
 * thread the runner creates). Counted in the untimed counting pass only: counters switched in
 * and out with each task would add to the switch they count. Where the CPU exposes no PMU (many
 * VMs) it says so and counts nothing; software events (task-clock, context switches, page
 * faults) run the same code where there is none.
 */
#ifndef SWC_PMU_H
#define SWC_PMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct swc_json;

#define SWC_PMU_EVENTS	3

enum swc_pmu_kind {
	SWC_PMU_HARDWARE = 0,	/* instructions, cache misses, dTLB read misses */
	SWC_PMU_SOFTWARE,	/* task-clock, context switches, page faults */
};

struct swc_pmu_count {
	unsigned long long value;	/* scaled when multiplexed (value * enabled / running) */
	unsigned long long enabled_ns, running_ns;
	bool ok;			/* opened and read; else not measured (never a zero) */
};

struct swc_pmu {
	enum swc_pmu_kind kind;
	bool opened;			/* fd[] are ours to close */
	int fd[SWC_PMU_EVENTS];
	struct swc_pmu_count c[SWC_PMU_EVENTS];
};

/* Event names of a kind, in JSON ("instructions", "cache_misses", "dtlb_read_misses"). */
const char *swc_pmu_event_name(enum swc_pmu_kind kind, int i);
/*
 * Whether this machine counts events of kind for this user: 0, or -errno with why (for a
 * person: "no PMU in this VM (no hardware counters: ...)", "the PMU refuses: ...
 * perf_event_paranoid is 3; allow it with sysctl kernel.perf_event_paranoid=2 or run as root").
 */
int swc_pmu_probe(enum swc_pmu_kind kind, char *why, size_t len);
/* Opens the counters on pid (inherited by its future children and threads); -errno if none
 * could be opened. */
int swc_pmu_open(struct swc_pmu *p, enum swc_pmu_kind kind, pid_t pid);
/* Reads and closes them (after the task is reaped: the inherited counts are folded in). */
void swc_pmu_read_close(struct swc_pmu *p);
void swc_pmu_close(struct swc_pmu *p);	/* without reading; never-opened is fine */
/* Pure: value scaled by enabled / running (multiplexing); raw when running == enabled. */
unsigned long long swc_pmu_scale(unsigned long long raw, unsigned long long enabled,
				 unsigned long long running);
/* Pure: count per switch, NaN when not measured or no switch. */
double swc_pmu_per_switch(const struct swc_pmu_count *c, unsigned long long switches);
/* "  process    1,234 instructions, 5.2 cache misses, 0.4 dTLB read misses per switch" */
void swc_pmu_print_row(FILE *f, const char *name, const struct swc_pmu *p,
		       unsigned long long switches);
/* "pmu": { "kind", events: { name: { count, per_switch } } } */
void swc_pmu_json(const struct swc_pmu *p, unsigned long long switches, struct swc_json *j);

/* /proc/sys/kernel/perf_event_paranoid, 99 (the most restrictive answer) when unreadable */
int swc_perf_event_paranoid(void);

#endif
