/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A task's final switch (TASK_DEAD) against the kernel's own counters, for switch.bpf.c's
 * on_switch: which such switches the kernel never counts, and the counts of processes it
 * reaped itself that no wait4 returns. Uses switch.bpf.c's group_stats() and autoreap_taken.
 */
#ifndef SWC_FINAL_SWITCH_BPF_H
#define SWC_FINAL_SWITCH_BPF_H

/*
 * prev's final switch (TASK_DEAD), which the kernel's counters may never show. They reach
 * wait4 when a task is released: a reaping parent first adds a zombie's nvcsw into its own
 * cnvcsw (wait_task_zombie(), after setting exit_state to EXIT_DEAD), then release_task() ->
 * __exit_signal() adds the task's nvcsw into its signal_struct and clears task->sighand.
 * __schedule() counts a switch (++nvcsw) just before this tracepoint. So, here:
 * - sighand set, exit_state not EXIT_DEAD: nobody took the counters yet, they will have it;
 * - sighand NULL, a non-leader thread: it released itself before its last switch
 *   (exit_notify()), nobody counts this one: exit_switches;
 * - sighand NULL, a process reaped by its parent (a shell, say; switchcost waits for its own
 *   child's last switch): if __exit_signal()'s sum, less what its exited threads folded into
 *   it (threads_folded), is still one short of prev's nvcsw, the ++nvcsw came after the fold,
 *   so after the parent's read too: reaped_switches. Otherwise (the ++ came before the fold)
 *   or with sighand set but EXIT_DEAD (the parent is reaping on another CPU now), the
 *   parent's read and the ++ are nanoseconds apart and nothing here says which came first:
 *   reap_raced_switches, which the kernel may or may not count.
 */

/*
 * The nvcsw that a process's exited threads folded into its signal_struct: each released
 * itself before its final switch, so folded one less than its nvcsw there. Without it every
 * multi-threaded process reaped before its last switch read as raced (29 of 50 children that
 * had joined a thread, none as reaped; now 1-2 raced). Keyed as autoreap_taken; an LRU. A
 * process forgotten, whose threads exited before the trace, or whose thread's final switch
 * comes after its own, has its sum short: it reads as raced, as before.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct autoreap_key);
	__type(value, __u64);
} threads_folded SEC(".maps");
/*
 * A process whose parent waits for no child: exit_notify() asks do_notify_parent(), which
 * answers "autoreap" when nobody ptraces it, its exit signal is SIGCHLD and the parent's
 * SIGCHLD is SIG_IGN or has SA_NOCLDWAIT; exit_notify() then releases it at once, in its
 * own context, before its last switch. Read through helpers (the final switch only): the
 * parent's sigaction array is not a field 5.10's verifier lets a tracing program walk to.
 */
#define SWC_SIGCHLD		17	/* x86, arm64 (asm-generic/signal.h) */
#define SWC_SIG_IGN		1
#define SWC_SA_NOCLDWAIT	2
static __always_inline __s64 autoreaped_counts(struct task_struct *t, struct signal_struct *sig)
{
	struct sighand_struct *psig;

	if (BPF_CORE_READ(t, ptrace) || BPF_CORE_READ(t, exit_signal) != SWC_SIGCHLD)
		return -1;
	psig = BPF_CORE_READ(t, parent, sighand);
	if (!psig)
		return -1;	/* the parent is released too: nothing tells (docs/TRACE.md) */
	if ((__u64)BPF_CORE_READ(psig, action[SWC_SIGCHLD - 1].sa.sa_handler) != SWC_SIG_IGN &&
	    !(BPF_CORE_READ(psig, action[SWC_SIGCHLD - 1].sa.sa_flags) & SWC_SA_NOCLDWAIT))
		return -1;
	/* all folded by now: its threads' (__exit_signal()), the children it waited for's */
	return BPF_CORE_READ(sig, nvcsw) + BPF_CORE_READ(sig, nivcsw) +
	       BPF_CORE_READ(sig, cnvcsw) + BPF_CORE_READ(sig, cnivcsw);
}

/*
 * Out of line: a global function, which the verifier checks once rather than on every path
 * of on_switch that reaches a final switch. It takes scalars only, so it finds prev as the
 * current task (the tracepoint runs in __schedule(), before the switch) and reads it through
 * helpers, as 5.10's verifier allows.
 */
/* A non-leader thread's final switch after its release: what its release folded. */
static __always_inline void add_thread_folded(struct autoreap_key *key, __u64 nvcsw)
{
	__u64 zero = 0, *sum;

	bpf_map_update_elem(&threads_folded, key, &zero, BPF_NOEXIST);
	sum = bpf_map_lookup_elem(&threads_folded, key);
	if (sum)
		__sync_fetch_and_add(sum, nvcsw - 1);	/* result unused: a plain add (5.10) */
}

/* A reaped leader's final switch: its exited threads' part of sig->nvcsw, then forgotten. */
static __always_inline __u64 take_threads_folded(struct autoreap_key *key)
{
	__u64 *sum = bpf_map_lookup_elem(&threads_folded, key), folded = sum ? *sum : 0;

	if (sum)
		bpf_map_delete_elem(&threads_folded, key);
	return folded;
}

__noinline int count_final_switch(__u32 group)
{
	struct task_struct *prev = (struct task_struct *)bpf_get_current_task();
	struct task_struct *lead = BPF_CORE_READ(prev, group_leader);
	struct swc_group_stats *s = group_stats(group);
	struct signal_struct *sig = BPF_CORE_READ(prev, signal);
	bool leader = BPF_CORE_READ(prev, pid) == BPF_CORE_READ(prev, tgid);
	struct autoreap_key key = {};
	__u8 taken = 1;
	__s64 lost = -1;

	if (!s)
		return 0;
	if (BPF_CORE_READ(prev, sighand)) {
		if (leader && BPF_CORE_READ(prev, exit_state) == SWC_EXIT_DEAD)
			s->reap_raced_switches++;
		return 0;
	}
	/* The leader released: every thread was before it, the process's counts are whole. A
	 * leader that exits first is released by its last thread (release_task()), so any
	 * thread may be the one to see it. */
	if (!BPF_CORE_READ(lead, sighand))
		lost = autoreaped_counts(lead, sig);
	key.signal = (__u64)sig;
	key.start_time = BPF_CORE_READ(lead, start_time);
	if (!leader) {
		s->exit_switches++;
		add_thread_folded(&key, BPF_CORE_READ(prev, nvcsw));
	} else {
		__u64 folded = take_threads_folded(&key), sum = BPF_CORE_READ(sig, nvcsw);

		/* autoreaped: released by itself, so this switch came after the fold. Otherwise
		 * its own part of the sum: < only if the fold missed the ++ */
		if (lost >= 0 || (sum >= folded && sum - folded < BPF_CORE_READ(prev, nvcsw)))
			s->reaped_switches++;
		else
			s->reap_raced_switches++;
	}
	if (lost < 0)
		return 0;
	if (bpf_map_update_elem(&autoreap_taken, &key, &taken, BPF_NOEXIST))
		return 0;	/* another thread's final switch took it */
	/* no parent takes these counts (wait_task_zombie() never runs for it) */
	s->autoreaped++;
	s->autoreaped_switches += lost;
	return 0;
}

#endif /* SWC_FINAL_SWITCH_BPF_H */
