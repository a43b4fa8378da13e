/* SPDX-License-Identifier: GPL-2.0-only */
/* Which kernel features switchcost can use here, found by loading tiny programs. */
#ifndef SWC_FEATURE_PROBE_H
#define SWC_FEATURE_PROBE_H

#include <stdbool.h>

enum swc_feature {
	SWC_FEAT_TP_BTF,	/* BTF-typed tracepoint on sched_switch: the core */
	SWC_FEAT_RAW_TP,	/* raw tracepoint on sched_switch: the older route */
	SWC_FEAT_TASK_STORAGE,	/* task-local storage from a tracing program (5.11+) */
	SWC_FEAT_RINGBUF,	/* BPF ring buffer (5.8+): switch records for --csv */
	SWC_FEAT_UPROBE,	/* a uprobe on our own binary, with the helpers switchcost's call
				 * (attach cookie: 5.15): coroutine pass, trace --uprobe */
	SWC_FEAT_ATOMIC_FETCH,	/* atomic fetch-and-add (5.12): per-task rows (else a queue) */
	SWC_FEAT_COUNT
};

/* "tp_btf", "raw_tp", "task_storage", "ringbuf", "uprobe", "atomic_fetch" */
const char *swc_feature_name(enum swc_feature f);
/*
 * Loads (and, for hooks, attaches then detaches) the probe for f. Returns 0 when the kernel
 * accepts it, else a negative errno; leaves no program or map behind either way.
 */
int swc_feature_probe(enum swc_feature f);
/*
 * Whether the test knob SWITCHCOST_DISABLE (a comma-separated list of the names above, e.g.
 * task_storage,uprobe) names f: swc_feature_probe() then answers -EOPNOTSUPP without asking the
 * kernel, so the fallback for an older kernel runs here.
 */
bool swc_feature_disabled(enum swc_feature f);
/*
 * "" when switchcost's uprobe programs load and attach here (asked once), else why not, one
 * line: what run's coroutine counting pass, lab cost and trace --uprobe print as not measured.
 */
const char *swc_uprobe_unavailable(void);
/* Whether swc_feature_probe(SWC_FEAT_UPROBE)'s err means the program did not load (a helper
 * this kernel lacks), rather than a refused or failed attach. */
bool swc_uprobe_needs_newer_kernel(int err);

#endif
