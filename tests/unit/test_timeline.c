// SPDX-License-Identifier: GPL-2.0-only
/* The timeline reducer: switch records in time order to per-task segments (user/timeline.c). */
#include <linux/types.h>
#include "switchcost.h"
#include "timeline.h"
#include "unit.h"

#define MAX_SEGS 16

struct segs {
	int n;
	enum swc_tl_state st[MAX_SEGS];
	__u64 from[MAX_SEGS], to[MAX_SEGS];
};

static void collect(void *arg, struct swc_tl_task *t, enum swc_tl_state st, __u64 from, __u64 to)
{
	struct segs *s = arg;

	(void)t;
	if (s->n < MAX_SEGS) {
		s->st[s->n] = st;
		s->from[s->n] = from;
		s->to[s->n] = to;
	}
	s->n++;
}

#define CHECK_SEG(s, i, state, a, b) do {			\
	CHECK_INT_EQ((s).st[i], state);				\
	CHECK_INT_EQ((s).from[i], a);				\
	CHECK_INT_EQ((s).to[i], b);				\
} while (0)

void test_timeline(void)
{
	struct swc_tl_task t = { .tid = 7 };
	struct segs s = { 0 };

	/* born: woken at 90, on the CPU at 100 (delay 10) */
	swc_tl_switch_in(&t, 100, 10, collect, &s);
	CHECK_INT_EQ(s.n, 1);
	CHECK_SEG(s, 0, SWC_TL_RUNNABLE, 90, 100);
	/* sleeps at 150: a running segment, then blocked */
	swc_tl_switch_out(&t, 150, false, true, collect, &s);
	CHECK_SEG(s, 1, SWC_TL_RUNNING, 100, 150);
	CHECK_INT_EQ(t.state, SWC_TL_BLOCKED);
	CHECK_INT_EQ(t.voluntary, 1);
	/* woken at 180, runs at 200: blocked 150-180, runnable 180-200 */
	swc_tl_switch_in(&t, 200, 20, collect, &s);
	CHECK_INT_EQ(s.n, 4);
	CHECK_SEG(s, 2, SWC_TL_BLOCKED, 150, 180);
	CHECK_SEG(s, 3, SWC_TL_RUNNABLE, 180, 200);
	/* preempted at 250, back at 260 with no known delay: runnable all the way */
	swc_tl_switch_out(&t, 250, false, false, collect, &s);
	CHECK_INT_EQ(t.involuntary, 1);
	swc_tl_switch_in(&t, 260, SWC_UNKNOWN, collect, &s);
	CHECK_SEG(s, 4, SWC_TL_RUNNING, 200, 250);
	CHECK_SEG(s, 5, SWC_TL_RUNNABLE, 250, 260);
	/* blocked at 300; a wake-up "before" the switch-out (delay 60 > 10): runnable from 300,
	 * no blocked stretch at all */
	swc_tl_switch_out(&t, 300, false, true, collect, &s);
	swc_tl_switch_in(&t, 310, 60, collect, &s);
	CHECK_INT_EQ(s.n, 8);
	CHECK_SEG(s, 6, SWC_TL_RUNNING, 260, 300);
	CHECK_SEG(s, 7, SWC_TL_RUNNABLE, 300, 310);
	/* exits at 400: its last running segment, then nothing more, even at the window's end */
	swc_tl_switch_out(&t, 400, true, true, collect, &s);
	CHECK_SEG(s, 8, SWC_TL_RUNNING, 310, 400);
	CHECK(t.died);
	CHECK_INT_EQ(t.died_ns, 400);
	CHECK_INT_EQ(t.state, SWC_TL_EXITED);
	swc_tl_end(&t, 1000, collect, &s);
	CHECK_INT_EQ(s.n, 9);
	CHECK_INT_EQ(t.switches_in, 4);
	CHECK_INT_EQ(t.voluntary, 2);	/* the exit counts as neither */

	/* a task still running (or blocked) at the window's end: its segment ends there */
	{
		struct swc_tl_task u = { .tid = 8 };
		struct segs v = { 0 };

		swc_tl_end(&u, 50, collect, &v);	/* never seen: nothing */
		CHECK_INT_EQ(v.n, 0);
		swc_tl_switch_in(&u, 10, 0, collect, &v);	/* delay 0: no runnable stretch */
		CHECK_INT_EQ(v.n, 0);
		swc_tl_switch_out(&u, 20, false, true, collect, &v);
		swc_tl_end(&u, 50, collect, &v);
		CHECK_INT_EQ(v.n, 2);
		CHECK_SEG(v, 0, SWC_TL_RUNNING, 10, 20);
		CHECK_SEG(v, 1, SWC_TL_BLOCKED, 20, 50);
	}
}
