/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Is a row's figure a measurement of the switch, or of a busy machine? Each row is judged on
 * evidence the run already has: the spread of its repeats, how much of its wall time its tasks
 * had the CPU (on one CPU, one party is always runnable), switches involving tasks outside the
 * workload (eBPF), and the hypervisor's steal time during the row (/proc/stat).
 */
#ifndef SWC_VALIDITY_H
#define SWC_VALIDITY_H

#include <stdbool.h>
#include <stddef.h>

/* Thresholds (docs and --help name them): past any one, the row is invalid. */
#define SWC_VALID_MAX_SPREAD	1.5	/* slowest repeat / fastest repeat */
#define SWC_VALID_MIN_CPU_SHARE	0.75	/* workload CPU time / wall time, one CPU, rows >= 10 ms */
#define SWC_VALID_MIN_WALL_NS	10e6	/* shorter rows: fork and exit dominate the share */
#define SWC_VALID_MAX_STEAL	0.05	/* steal time / wall time */
#define SWC_VALID_MAX_OUTSIDE_WAIT 0.05	/* runnable behind tasks outside / wall time */
/* parties on two CPUs: switches with a busy outsider / all its switches (quiet: idle instead) */
#define SWC_VALID_MAX_OUTSIDE_SHARE 0.5
#define SWC_VALID_MAX_REASONS	4

struct swc_validity_in {
	double min_ns, max_ns;		/* fastest and slowest repeat, per switch (NaN: unknown) */
	double wall_ns;			/* the timed pass's runner, fork to reap */
	double cpu_ns;			/* its user + system time (rusage); NaN: not judged */
	bool one_cpu;			/* both parties pinned to one CPU */
	long long outside_switches;	/* switches involving a busy task outside; -1 unknown */
	long long switches;		/* all its switches (eBPF, every kind); <= 0 unknown */
	double steal_ns;		/* steal on the workload's CPUs during the row; NaN unknown */
	/* time its tasks waited runnable and got the CPU back from a task outside it (switch
	 * records); 0 or NaN: not judged */
	double outside_wait_ns;
};

struct swc_validity {
	bool valid;
	int nreasons;
	char reasons[SWC_VALID_MAX_REASONS][200];
	double spread, cpu_share;	/* NaN when not computed */
};

struct swc_group_stats;

/* A group's switches, each counted once (the kinds of its switches, idle included). Pure. */
unsigned long long swc_group_switches(const struct swc_group_stats *gs);

/* Switches with a busy task outside the workload on one side, from a group's eBPF counters
 * (idle is no interference). Pure. */
long long swc_outside_switches(const struct swc_group_stats *gs);
/* after - before, field by field: a group's counters over one row of a longer watch. Pure. */
void swc_group_stats_sub(const struct swc_group_stats *after, const struct swc_group_stats *before,
			 struct swc_group_stats *out);

/* Adds a reason of the caller's own (a lab's plausibility check) and makes v invalid. */
__attribute__((format(printf, 2, 3)))
void swc_validity_add(struct swc_validity *v, const char *fmt, ...);

struct swc_json;
struct swc_summary;
/* "valid" and "reasons" (empty when valid) in the current JSON object */
void swc_validity_json(struct swc_json *j, const struct swc_validity *v);
/* "ns_per_switch": { median, min, max, mean, repeats: [...] } in the current JSON object */
void swc_ns_per_switch_json(struct swc_json *j, const struct swc_summary *s,
			    const double *repeats, unsigned int n);

/* Pure: judges one row. */
void swc_validity_judge(const struct swc_validity_in *in, struct swc_validity *out);
/*
 * A traced program has no repeats and may sleep or run many threads: judged on how often busy
 * tasks outside it took its CPU. From the group's counters, the switches out of its tasks to a
 * busy outsider bound such preemptions (min with the involuntary count; siblings preempting
 * each other are the program's own doing). Invalid past SWC_VALID_MAX_PREEMPT_RATE of them
 * per second and SWC_VALID_MAX_PREEMPT_SHARE of its switches; or, when it was CPU-bound (more
 * preempted than blocking) and preempted by outsiders, when it had its CPU less than
 * SWC_VALID_MIN_CPU_SHARE of the wall time (cpu_ns: rusage; NaN not judged); or on steal. Pure.
 */
#define SWC_VALID_MAX_PREEMPT_RATE	50.0	/* per second of wall time */
#define SWC_VALID_MAX_PREEMPT_SHARE	0.01
#define SWC_VALID_MIN_PREEMPT		10
/* Upper bound of preemptions of the group's tasks by busy outsiders (see above). */
unsigned long long swc_outside_preemptions(const struct swc_group_stats *gs);
void swc_validity_judge_traced(const struct swc_group_stats *gs, double wall_ns, double cpu_ns,
			       double steal_ns, struct swc_validity *out);
/* Steal time, in USER_HZ ticks, summed over the CPUs in cpus[0..n) of a /proc/stat text;
 * -1 when a line is missing. Pure. */
long long swc_stat_steal_parse(const char *proc_stat, const int *cpus, int n);
/* The same from the live /proc/stat, in ns; NaN when unreadable. */
double swc_stat_steal_ns(const int *cpus, int n);
/* The one line for a human reader: how to get a quiet run. */
const char *swc_validity_advice(void);

#endif
