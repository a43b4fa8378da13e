// SPDX-License-Identifier: GPL-2.0
/*
 * Off-CPU stacks for trace --stacks, in an object of its own so that trace's default hot path
 * (switch.bpf.c) pays nothing for them. At a switch out of a watched task (the watch set is
 * switch.bpf.c's `watched` map, shared by fd) it takes prev's kernel and user stacks into a
 * stack map and keeps their ids and the time in prev's task storage; at that task's next
 * switch in it adds the time it spent off the CPU to a hash keyed by thread and stack pair,
 * so the aggregation stays in the kernel and nothing crosses per event.
 * It cannot see: gaps that had not ended when the trace stopped, exiting tasks (not sampled:
 * they have no user stack left), user frames beyond a function
 * built without frame pointers (the kernel walks user stacks by frame pointer), and stacks the
 * stack map had no room for (counted in `counters`, never silently dropped).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "switchcost.h"
#include "watched.bpf.h"	/* switch.bpf.c's watch set, reused by fd before load */

char LICENSE[] SEC("license") = "GPL";

#define EEXIST		17
#define PF_EXITING	0x00000004	/* include/linux/sched.h */

/* trace -a: every task but the idle ones, not the watch set (which -a leaves empty) */
const volatile bool targ_all_tasks = false;

/* sized by --stack-storage-size before load */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SWC_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 1024);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct swc_offcpu_key);
	__type(value, struct swc_offcpu_val);
} offcpu SEC(".maps");

/* what a task left the CPU with, until it comes back */
struct blocked {
	__u64 out_ns;		/* 0: not seen leaving */
	__s32 user_stack_id, kernel_stack_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct blocked);
} blocked_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swc_offcpu_counters);
} counters SEC(".maps");

static __always_inline bool is_watched(struct task_struct *t)
{
	if (!t->pid)	/* the idle task */
		return false;
	if (targ_all_tasks)
		return true;
	return group_of(t->tgid) != SWC_NO_GROUP;
}

/* prev is current here: its stacks are the ones bpf_get_stackid() walks */
static __always_inline void switch_out(void *ctx, struct task_struct *prev,
				       struct swc_offcpu_counters *c)
{
	struct blocked *b;

	b = bpf_task_storage_get(&blocked_state, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!b)
		return;
	b->kernel_stack_id = bpf_get_stackid(ctx, &stacks, 0);
	b->user_stack_id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	b->out_ns = bpf_ktime_get_ns();
	if (!c)
		return;
	c->switches_out++;
	if (b->kernel_stack_id == -EEXIST)
		c->kernel_collisions++;
	else if (b->kernel_stack_id < 0)
		c->kernel_lost++;
	if (b->user_stack_id == -EEXIST)
		c->user_collisions++;
	else if (b->user_stack_id < 0)
		c->user_lost++;
}

static __always_inline void switch_in(struct task_struct *next, struct swc_offcpu_counters *c)
{
	struct swc_offcpu_key key;
	struct swc_offcpu_val *v, init = {};
	struct blocked *b;
	__u64 now;

	b = bpf_task_storage_get(&blocked_state, next, 0, 0);
	if (!b || !b->out_ns)
		return;
	now = bpf_ktime_get_ns();
	key.tgid = next->tgid;
	key.tid = next->pid;
	key.user_stack_id = b->user_stack_id;
	key.kernel_stack_id = b->kernel_stack_id;
	v = bpf_map_lookup_elem(&offcpu, &key);
	if (!v) {
		bpf_probe_read_kernel_str(init.comm, sizeof(init.comm), next->comm);
		/* EEXIST from a racing CPU is fine: the lookup below finds its entry */
		bpf_map_update_elem(&offcpu, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&offcpu, &key);
	}
	if (v) {
		__sync_fetch_and_add(&v->off_ns, now - b->out_ns);
		__sync_fetch_and_add(&v->count, 1);
	} else if (c) {
		c->entries_full++;
	}
	b->out_ns = 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_offcpu, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0;
	struct swc_offcpu_counters *c = bpf_map_lookup_elem(&counters, &zero);

	/* an exiting task has no user stack left and may never run again: not sampled */
	if (is_watched(prev) && !(prev->flags & PF_EXITING))
		switch_out(ctx, prev, c);
	if (is_watched(next))
		switch_in(next, c);
	return 0;
}
