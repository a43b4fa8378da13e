/* SPDX-License-Identifier: GPL-2.0-only */
/* What the reports of run, trace and lab share: the JSON preamble, the BPF side's own
 * counters, and the cross-check of eBPF's switch count against the kernel's. */
#ifndef SWC_REPORT_H
#define SWC_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <linux/types.h>
#include "switchcost.h"

struct swc_json;
struct swc_sysinfo;

/* The JSON documents' schema_version: what this switchcost writes, and the newest it reads. */
#define SWC_SCHEMA_VERSION 2

/* Starts the one JSON document: { "tool", "version", "command", "started_at",
 * "started_unix_ns", "started_monotonic_ns", "host": {...}, "system": {...}, ... */
void swc_report_json_begin(struct swc_json *j, FILE *f, const char *command,
			   const struct swc_sysinfo *si);
/* The same, compact on one line with indent 0 (JSON lines) */
void swc_report_json_begin_indent(struct swc_json *j, FILE *f, const char *command,
				  const struct swc_sysinfo *si, int indent);
/* --anonymous: host.name left out (null) of every document; host.id stays. */
void swc_report_anonymous(bool on);
/* "bpf": { events_dropped, tasks_untracked, processes_unwatched } */
void swc_report_json_bpf(struct swc_json *j, const struct swc_counters *ctr);
/* "by_kind": { process, thread, idle, kernel, coroutine }: a group's switches by kind */
void swc_report_json_by_kind(struct swc_json *j, const __u64 by_kind[SWC_KIND_NR]);
/* switches, voluntary, involuntary, switches_in, then the switches and counts the comparison
 * with the kernel's counters sets aside (exit_switches .. autoreaped_switches): run's and
 * trace's, from one list; every one null when gs is NULL (not measured) */
void swc_report_json_switches(struct swc_json *j, const struct swc_group_stats *gs);

/*
 * eBPF's switches out of a group's tasks against the kernel's own nvcsw + nivcsw (wait4 of the
 * tasks, reaped). The kernel stops counting a task's switches when it is released
 * (__exit_signal()): a non-leader thread releases itself before its last switch, and a process
 * whose parent reaped it before its last switch is released early too. eBPF sees those
 * switches, so they are set aside. A process whose parent waits for none (SIGCHLD ignored)
 * is released at exit and its counts go to no wait4: what the kernel counted of it is set
 * aside as well.
 */
struct swc_agreement {
	__u64 ebpf;		/* switches out seen by eBPF */
	__u64 exit_switches;	/* ... of which final switches of exited threads */
	__u64 reaped_switches;	/* ... and of which others after their task's release */
	__u64 reap_raced;	/* final switches while a parent reaped: counted or not */
	__u64 autoreaped;	/* processes nobody waited for ... */
	__u64 autoreaped_switches; /* ... and the kernel's count of them, in no wait4 */
	__u64 kernel_counters;	/* nvcsw + nivcsw (wait4) */
	long long diff;		/* ebpf - set aside - kernel_counters: 0 when they agree */
};

/* inline: the unit tests check it without the rest of the reports */
static inline void swc_agreement_compute(const struct swc_group_stats *gs,
					 const struct rusage *ru, struct swc_agreement *a)
{
	a->ebpf = gs->switches_out;
	a->exit_switches = gs->exit_switches;
	a->reaped_switches = gs->reaped_switches;
	a->reap_raced = gs->reap_raced_switches;
	a->autoreaped = gs->autoreaped;
	a->autoreaped_switches = gs->autoreaped_switches;
	a->kernel_counters = (__u64)ru->ru_nvcsw + (__u64)ru->ru_nivcsw;
	a->diff = (long long)(a->ebpf - a->exit_switches - a->reaped_switches -
			      a->autoreaped_switches) - (long long)a->kernel_counters;
}
/* "the kernel's own counters (wait4 nvcsw+nivcsw): N, agree[ by ±d][ once ...]" */
void swc_agreement_print(FILE *f, const struct swc_agreement *a);
/* "kernel_counters": { voluntary, involuntary, switches } (wait4's nvcsw, nivcsw and their sum)
 * in the current object, then, when a (eBPF was on), "ebpf_minus_kernel_counters" and
 * "counts_agree". */
void swc_kernel_counters_json(struct swc_json *j, const struct rusage *ru,
			      const struct swc_agreement *a);

/* A struct timeval in ns (rusage times). */
__u64 swc_timeval_ns(const struct timeval *tv);

#endif
