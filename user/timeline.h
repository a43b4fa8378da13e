/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Switch records reduced to per-task segments: running from a switch-in to the next switch-out;
 * after a switch-out runnable when preempted, blocked when it gave up the CPU, exited when it
 * died; a switch-in's wake-up delay marks the runnable stretch before it. Pure (no I/O), fed
 * in time order; lab timeline draws the segments, unit-tested in tests/unit/test_timeline.c.
 */
#ifndef SWC_TIMELINE_H
#define SWC_TIMELINE_H

#include <stdbool.h>
#include <linux/types.h>

enum swc_tl_state {
	SWC_TL_NONE,		/* not seen yet */
	SWC_TL_RUNNING,
	SWC_TL_RUNNABLE,	/* woken (or preempted), waiting for a CPU */
	SWC_TL_BLOCKED,		/* gave up the CPU: sleeping, waiting */
	SWC_TL_EXITED,
	SWC_TL_NR,
};

/* One task's reduction state and counts. */
struct swc_tl_task {
	__u32 tid;
	enum swc_tl_state state;
	__u64 since;		/* when state began */
	bool died;
	__u64 died_ns;		/* its final switch-out */
	__u64 voluntary, involuntary, switches_in;
};

/* A segment of t ended: state st over [from, to) (from < to). */
typedef void (*swc_tl_seg_fn)(void *arg, struct swc_tl_task *t, enum swc_tl_state st,
			      __u64 from, __u64 to);

/* t left the CPU at ts: dead (prev_state TASK_DEAD), voluntary (blocked) or preempted. */
void swc_tl_switch_out(struct swc_tl_task *t, __u64 ts, bool dead, bool voluntary,
		       swc_tl_seg_fn fn, void *arg);
/* t got the CPU at ts, woken delay_ns before (SWC_UNKNOWN or 0: unknown). */
void swc_tl_switch_in(struct swc_tl_task *t, __u64 ts, __u64 delay_ns, swc_tl_seg_fn fn,
		      void *arg);
/* The window ends at end: t's current segment (unless exited or never seen) ends there. */
void swc_tl_end(struct swc_tl_task *t, __u64 end, swc_tl_seg_fn fn, void *arg);

#endif
