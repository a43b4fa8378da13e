/* SPDX-License-Identifier: GPL-2.0 */
/*
 * switch.bpf.c's two sides of a timed switch: prev_out(), what leaving the CPU does to prev's
 * hot state, its group's counts and its row, and next_in(), what taking the CPU does to
 * next's; with the counts trace -a's counting path shares (count_group_out(),
 * count_task_out(), mark_gone()). Included by switch.bpf.c after its knobs, maps, hot state,
 * task_row() and count_final_switch(); nothing else includes it.
 */
#ifndef SWC_SWITCH_SIDES_BPF_H
#define SWC_SWITCH_SIDES_BPF_H

/* The counts of a switch out of prev, in its group's stats; prev_out() and count_switch(). */
static __always_inline void count_group_out(struct swc_group_stats *s, __u32 group,
					    bool voluntary, bool released, __u32 prev_state)
{
	s->switches_out++;
	if (voluntary) {
		s->voluntary++;
	} else {
		s->involuntary++;
		if (released)	/* preempted on its way out, after release */
			s->reaped_switches++;
	}
	if (prev_state & SWC_TASK_DEAD)
		count_final_switch(group);
}

/* ... and in prev's own totals: its row's, or those its hot state keeps for it. */
static __always_inline void count_task_out(struct swc_task_totals *c, __u32 *exited,
					   bool voluntary, __u32 prev_state)
{
	c->switches_out++;
	if (voluntary)
		c->voluntary++;
	else
		c->involuntary++;
	if (prev_state & SWC_TASK_DEAD)
		*exited = 1;
}

/* The process's last thread made its final switch: user space may reap it now. Keyed by the
 * pid the reaper knows: its namespace's. */
static __always_inline void mark_gone(struct task_struct *prev)
{
	__u32 tgid = targ_pidns_inum ?
		pid_in_ns(BPF_CORE_READ(prev, group_leader, thread_pid)) : prev->tgid;

	set_tgid_byte(&gone, tgid, 0xff);	/* the watch set's layout */
}

/* prev leaves the CPU: its stint's length, from our stamp when it took the CPU. in_hot:
 * its totals are its hot state's (targ_hot_totals), copied to its row at its final switch. */
static __always_inline void prev_out(struct task_struct *prev, __u32 gp, __u8 kind,
				     __u32 prev_state, bool voluntary, bool timed, __u64 now,
				     bool process_gone, struct signal_struct *sig, bool released,
				     bool in_hot, __u64 *run_ns)
{
	struct swc_group_stats *s = group_stats(gp);
	struct swc_task *ts = NULL;
	struct hot *h = NULL;

	if (timed || targ_per_task)
		h = hot_get(prev);
	if (timed && h) {
		if (h->last_in_ns && now >= h->last_in_ns)
			*run_ns = now - h->last_in_ns;
		h->last_out_ns = now;
		if (targ_stamp_wakeups)	/* read only for the wake-up to run delay */
			h->blocked = voluntary;
	}
	if (s) {
		s->by_kind[kind]++;
		count_group_out(s, gp, voluntary, released, prev_state);
		if (targ_group_times && *run_ns != SWC_UNKNOWN) {
			s->run_ns_sum += *run_ns;
			s->hist_run[hist_slot(*run_ns)]++;
		}
	}
	if (targ_per_task && h && in_hot) {
		__u32 dead = 0;

		if (h->row == ROW_NONE)
			task_row(prev, h, gp);	/* rows in order of first sight */
		count_task_out(&h->tot, &dead, voluntary, prev_state);
		if (*run_ns != SWC_UNKNOWN)
			h->tot.on_cpu_ns += *run_ns;
		if (dead) {	/* its last: nothing adds to them after this */
			/* exited set after its final totals, and before this copy: flush_rows(),
			 * which sees it, copies them again (switch.bpf.c) */
			hot_fence(h);
			h->exited = 1;
			hot_fence(h);
			flush_totals(h);
		}
	} else if (targ_per_task && h && (ts = task_row(prev, h, gp))) {
		count_task_out(row_totals(ts), &ts->exited, voluntary, prev_state);
		if (*run_ns != SWC_UNKNOWN)
			ts->on_cpu_ns += *run_ns;
	}
	/* last: a reaper that sees the mark reads the rows, its final totals in them by then */
	if (process_gone)
		mark_gone(prev);
}

/* A wake-up to run delay of the task, in its row. */
static __always_inline void count_task_delay(struct swc_task *ts, __u64 delay_ns)
{
	ts->delay_ns_sum += delay_ns;
	ts->delay_count++;
	ts->hist_delay[hist_slot(delay_ns)]++;
	if (delay_ns > ts->delay_max_ns) {
		ts->delay_max_ns = delay_ns;
		/* the time of day is asked for only here, at a new maximum */
		ts->delay_max_at_ns = bpf_ktime_get_ns();
	}
}

/*
 * next takes the CPU: how long it was off it, and, when it had blocked (or is new), how long
 * it waited from its wake-up to now.
 */
static __always_inline void next_in(struct task_struct *next, __u32 gn, __u8 kind, bool also_prev,
				    bool timed, __u64 now, bool in_hot, __u64 *off_ns,
				    __u64 *delay_ns)
{
	struct swc_group_stats *s = group_stats(gn);
	struct swc_task *ts = NULL;
	struct hot *h = NULL;

	/* untimed (trace -a counting): next needs nothing of its own, prev's row counts */
	if (timed)
		h = hot_get(next);
	if (timed && h) {
		if (h->last_out_ns && now >= h->last_out_ns)
			*off_ns = now - h->last_out_ns;
		/* blocked since it left, or never ran: a wake-up (or wake_up_new) put it here.
		 * Without stamps (trace without --latency) wake_ns stays 0: the verifier drops
		 * this part, and the delay's sums and histograms below, with the knob. */
		if (targ_stamp_wakeups) {
			if ((h->blocked || !h->last_out_ns) && h->wake_ns && now >= h->wake_ns &&
			    h->wake_ns >= h->last_out_ns)
				*delay_ns = now - h->wake_ns;
			h->wake_ns = 0;
		}
		h->last_in_ns = now;
	}
	if (s) {
		if (!also_prev)
			s->by_kind[kind]++;
		s->switches_in++;
		if (targ_group_times && *off_ns != SWC_UNKNOWN) {
			s->off_ns_sum += *off_ns;
			s->hist_off[hist_slot(*off_ns)]++;
		}
		if (targ_group_times && *delay_ns != SWC_UNKNOWN) {
			s->delay_ns_sum += *delay_ns;
			s->delay_count++;
			s->hist_delay[hist_slot(*delay_ns)]++;
		}
	}
	if (targ_per_task && h && in_hot) {
		if (h->row == ROW_NONE)
			task_row(next, h, gn);	/* rows in order of first sight */
		h->tot.switches_in++;
		if (*off_ns != SWC_UNKNOWN)
			h->tot.off_cpu_ns += *off_ns;
		/* the delays stay in the row (--latency): the histogram is too big to copy */
		if (*delay_ns != SWC_UNKNOWN && (ts = task_row(next, h, gn)))
			count_task_delay(ts, *delay_ns);
	} else if (targ_per_task && h && (ts = task_row(next, h, gn))) {
		ts->switches_in++;
		if (*off_ns != SWC_UNKNOWN)
			ts->off_cpu_ns += *off_ns;
		if (*delay_ns != SWC_UNKNOWN)
			count_task_delay(ts, *delay_ns);
	}
}

#endif /* SWC_SWITCH_SIDES_BPF_H */
