// SPDX-License-Identifier: GPL-2.0-only
/* Switch records reduced to per-task segments (timeline.h). */
#include <linux/types.h>
#include "switchcost.h"
#include "timeline.h"

static void seg(struct swc_tl_task *t, enum swc_tl_state st, __u64 from, __u64 to,
		swc_tl_seg_fn fn, void *arg)
{
	if (to > from && fn)
		fn(arg, t, st, from, to);
}

void swc_tl_switch_out(struct swc_tl_task *t, __u64 ts, bool dead, bool voluntary,
		       swc_tl_seg_fn fn, void *arg)
{
	if (t->state == SWC_TL_RUNNING)
		seg(t, SWC_TL_RUNNING, t->since, ts, fn, arg);
	t->since = ts;
	if (dead) {
		t->state = SWC_TL_EXITED;
		t->died = true;
		t->died_ns = ts;
	} else if (voluntary) {
		t->state = SWC_TL_BLOCKED;
		t->voluntary++;
	} else {
		t->state = SWC_TL_RUNNABLE;
		t->involuntary++;
	}
}

void swc_tl_switch_in(struct swc_tl_task *t, __u64 ts, __u64 delay_ns, swc_tl_seg_fn fn,
		      void *arg)
{
	__u64 woke = ts;

	if (delay_ns != SWC_UNKNOWN && delay_ns <= ts)
		woke = ts - delay_ns;
	switch (t->state) {
	case SWC_TL_NONE:	/* born: runnable from its wake-up (sched_wakeup_new) */
		seg(t, SWC_TL_RUNNABLE, woke, ts, fn, arg);
		break;
	case SWC_TL_BLOCKED:
		/* a wake-up before the switch-out: runnable all along */
		if (woke < t->since)
			woke = t->since;
		seg(t, SWC_TL_BLOCKED, t->since, woke, fn, arg);
		seg(t, SWC_TL_RUNNABLE, woke, ts, fn, arg);
		break;
	case SWC_TL_RUNNABLE:
		seg(t, SWC_TL_RUNNABLE, t->since, ts, fn, arg);
		break;
	default:
		break;
	}
	t->state = SWC_TL_RUNNING;
	t->since = ts;
	t->switches_in++;
}

void swc_tl_end(struct swc_tl_task *t, __u64 end, swc_tl_seg_fn fn, void *arg)
{
	if (t->state != SWC_TL_EXITED && t->state != SWC_TL_NONE)
		seg(t, t->state, t->since, end, fn, arg);
}
