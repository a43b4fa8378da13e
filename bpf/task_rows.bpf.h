/* SPDX-License-Identifier: GPL-2.0 */
/*
 * switch.bpf.c's per-task rows (the `tasks` array user space reads at the end): a row handed
 * out at a task's first sight, with its pids as switchcost's pid namespace sees them, and the
 * row claim of kernels without atomic fetch-and-add. Included by switch.bpf.c after its maps
 * and hot state; nothing else includes it.
 */
#ifndef SWC_TASK_ROWS_BPF_H
#define SWC_TASK_ROWS_BPF_H

/*
 * p's number in switchcost's pid namespace (targ_pidns_inum), 0 when p is not visible there.
 * Once per task, when its row is handed out; 8 levels of nesting are looked at.
 */
static __always_inline __u32 pid_in_ns(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid u;

	for (int i = 0; i < 8; i++) {
		if (i > (int)level)
			break;
		if (bpf_probe_read_kernel(&u, sizeof(u), (void *)p +
					  bpf_core_field_offset(p->numbers) + i * sizeof(u)))
			break;
		if (BPF_CORE_READ(u.ns, ns.inum) == targ_pidns_inum)
			return u.nr;
	}
	return 0;
}

/*
 * The next row to hand out, past the table's end when it is full. One atomic fetch-and-add
 * (BPF_ATOMIC | BPF_FETCH, Linux 5.12); older verifiers refuse that instruction wherever it is
 * in a program, so the object for them pops its rows from free_rows instead and only adds to
 * tasks_used, an add whose result is unused (BPF_XADD, which every kernel has).
 */
static __always_inline __u32 claim_row(void)
{
#ifdef SWC_NO_ATOMIC_FETCH
	__u32 row;

	if (bpf_map_pop_elem(&free_rows, &row))
		return ~0U;	/* empty: every row is taken */
	__sync_fetch_and_add(&tasks_used, 1);
	return row;
#else
	return __sync_fetch_and_add(&tasks_used, 1);
#endif
}

/* The task's row of totals, handed out on first sight; NULL when the table is (was) full. */
static __always_inline struct swc_task *task_row(struct task_struct *t, struct hot *h,
						 __u32 group)
{
	struct swc_counters *c;
	struct swc_task *ts;
	__u32 row = h->row;

	if (row == ROW_LOST)
		return NULL;
	if (row != ROW_NONE) {
		row--;
		return bpf_map_lookup_elem(&tasks, &row);
	}
	row = claim_row();
	ts = bpf_map_lookup_elem(&tasks, &row);
	if (!ts) {
		h->row = ROW_LOST;	/* counted once, however often it switches */
		c = get_counters();
		if (c)
			c->tasks_full++;
		return NULL;
	}
	h->row = row + 1;
	if (targ_pidns_inum) {
		ts->tid = pid_in_ns(BPF_CORE_READ(t, thread_pid));
		ts->tgid = pid_in_ns(BPF_CORE_READ(t, group_leader, thread_pid));
	} else {
		ts->tid = t->pid;
		ts->tgid = t->tgid;
	}
	ts->group = group;
	copy_comm(ts->comm, t);
	return ts;
}

/* The start of a row: the totals a switch adds to it (swc_task_totals). */
static __always_inline struct swc_task_totals *row_totals(struct swc_task *ts)
{
	return (struct swc_task_totals *)ts;
}

/*
 * A full memory barrier, between a task's final switch and flush_rows() on another CPU: an
 * atomic fetch-and-add, fully ordered on every JIT (x86 lock xadd; arm64 ldaddal, or its
 * loop and a dmb). The object for Linux < 5.12 has no fetch: a compiler barrier there, which
 * x86 keeps stores in order with, but lets a load pass the stores before it.
 */
static __always_inline void hot_fence(struct hot *h)
{
#ifdef SWC_NO_ATOMIC_FETCH
	__asm__ volatile("" ::: "memory");
#else
	__u32 was = __sync_fetch_and_add(&h->fence, 0);

	__asm__ volatile("" : : "r"(was) : "memory");	/* used: a fetch, not a plain add */
#endif
}

/* The totals kept in the task's hot state (targ_hot_totals) to its row, if it has one. */
static __always_inline void flush_totals(struct hot *h)
{
	__u32 row = h->row - 1;
	struct swc_task *ts;

	if (h->row == ROW_NONE || h->row == ROW_LOST || !(ts = bpf_map_lookup_elem(&tasks, &row)))
		return;
	*row_totals(ts) = h->tot;
	ts->exited = h->exited;
}

#endif /* SWC_TASK_ROWS_BPF_H */
