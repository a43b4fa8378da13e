// SPDX-License-Identifier: GPL-2.0
/*
 * switchcost's kernel side. On every sched_switch where a watched task is prev or next it
 * classifies the switch (process, thread, idle, kernel; voluntary or not), times prev's run,
 * next's time off the CPU and next's wake-up-to-run delay, and aggregates per group (a
 * workload, or the traced program) and per task. Watched processes are followed from birth
 * through sched_process_fork; switchcost's own forks are adopted into a group when user space
 * asks (adopt_group). A cheap sys_enter counter gives syscalls per switch, and a uprobe/USDT
 * program counts user-space switch points (coroutines), which never reach sched_switch.
 * Per-switch records go to a ring buffer only when targ_emit is set (CSV export).
 * It cannot see: switches of unwatched tasks (unless targ_all_tasks), time spent in the
 * kernel before the tracepoint, or coroutine switches that have no probe on them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "switchcost.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */
#define TASK_DEAD	0x00000080

const volatile __u32 targ_self_tgid = 0;	/* switchcost itself */
const volatile bool targ_emit = false;		/* send switch records through events */
const volatile bool targ_all_tasks = false;	/* record every switch on the machine */

/* Group + 1 for switchcost's next fork, 0 for none; written by user space through the skeleton. */
__u32 adopt_group = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);	/* tgid */
	__type(value, __u32);	/* group */
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);	/* tid (kernel pid) */
	__type(value, struct swc_task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SWC_MAX_GROUPS);
	__type(key, __u32);
	__type(value, struct swc_group_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swc_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);	/* resized by user space when events are on */
} events SEC(".maps");

static const struct swc_task zero_task;

/* Linux 5.14 renamed task_struct::state to __state (commit 2f064a59a11f). */
struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* floor(log2(v)), 0 for 0; the same slots as swc_hist_slot() in user/stats.c. */
static __always_inline __u32 hist_slot(__u64 v)
{
	__u32 hi = v >> 32, slot;

	slot = hi ? log2_u32(hi) + 32 : log2_u32(v);
	return slot < SWC_HIST_SLOTS ? slot : SWC_HIST_SLOTS - 1;
}

static __always_inline struct swc_counters *get_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline struct swc_group_stats *group_stats(__u32 group)
{
	return bpf_map_lookup_elem(&stats, &group);
}

/* The task's entry, created on first sight; NULL when the map is full (counted). */
static __always_inline struct swc_task *task_entry(struct task_struct *t, __u32 tid, __u32 tgid,
						   __u32 group)
{
	struct swc_task *ts;
	struct swc_counters *c;

	ts = bpf_map_lookup_elem(&tasks, &tid);
	if (ts)
		return ts;
	/* EEXIST from a racing CPU is fine: the lookup below finds its entry */
	bpf_map_update_elem(&tasks, &tid, &zero_task, BPF_NOEXIST);
	ts = bpf_map_lookup_elem(&tasks, &tid);
	if (!ts) {
		c = get_counters();
		if (c)
			c->tasks_full++;
		return NULL;
	}
	ts->tgid = tgid;
	ts->group = group;
	bpf_probe_read_kernel_str(ts->comm, sizeof(ts->comm), &t->comm);
	return ts;
}

static __always_inline __u8 classify(struct task_struct *prev, struct task_struct *next,
				     __u32 prev_tid, __u32 next_tid, __u32 prev_tgid,
				     __u32 next_tgid)
{
	if (prev_tid == 0 || next_tid == 0)
		return SWC_KIND_IDLE;
	if ((BPF_CORE_READ(prev, flags) | BPF_CORE_READ(next, flags)) & PF_KTHREAD)
		return SWC_KIND_KERNEL;
	return prev_tgid == next_tgid ? SWC_KIND_THREAD : SWC_KIND_PROCESS;
}

static __always_inline int handle_switch(bool preempt, struct task_struct *prev,
					 struct task_struct *next)
{
	__u32 prev_tid = BPF_CORE_READ(prev, pid), next_tid = BPF_CORE_READ(next, pid);
	__u32 prev_tgid = BPF_CORE_READ(prev, tgid), next_tgid = BPF_CORE_READ(next, tgid);
	__u32 gp = SWC_NO_GROUP, gn = SWC_NO_GROUP, prev_state, *g;
	struct swc_task *tp = NULL, *tn = NULL;
	__u64 now, run_ns = SWC_UNKNOWN, off_ns = SWC_UNKNOWN, delay_ns = SWC_UNKNOWN;
	struct swc_group_stats *s;
	struct swc_switch_rec *rec;
	struct swc_counters *c;
	bool voluntary;
	__u8 kind;

	/* group values, not map pointers: clang ORs two pointers, which the verifier refuses */
	if (prev_tid && (g = bpf_map_lookup_elem(&watched, &prev_tgid)))
		gp = *g;
	if (next_tid && (g = bpf_map_lookup_elem(&watched, &next_tgid)))
		gn = *g;
	if (gp == SWC_NO_GROUP && gn == SWC_NO_GROUP && !targ_all_tasks)
		return 0;

	now = bpf_ktime_get_ns();
	kind = classify(prev, next, prev_tid, next_tid, prev_tgid, next_tgid);
	prev_state = task_state(prev);
	/* What the kernel counts in nvcsw: not preempted, and not runnable (__schedule()). */
	voluntary = !preempt && prev_state != 0;

	if (gp != SWC_NO_GROUP && (tp = task_entry(prev, prev_tid, prev_tgid, gp))) {
		if (tp->last_in_ns) {
			run_ns = now - tp->last_in_ns;
			tp->on_cpu_ns += run_ns;
		}
		tp->last_out_ns = now;
		tp->wake_ns = 0;	/* a wake-up that came before it blocked is void now */
		tp->switches_out++;
		if (voluntary)
			tp->voluntary++;
		else
			tp->involuntary++;
		if (prev_state & TASK_DEAD)
			tp->exited = 1;
		/* exec may have changed the name since we first saw it */
		bpf_probe_read_kernel_str(tp->comm, sizeof(tp->comm), &prev->comm);
	}
	if (gn != SWC_NO_GROUP && (tn = task_entry(next, next_tid, next_tgid, gn))) {
		if (tn->last_out_ns) {
			off_ns = now - tn->last_out_ns;
			tn->off_cpu_ns += off_ns;
		}
		if (tn->wake_ns && now >= tn->wake_ns) {
			delay_ns = now - tn->wake_ns;
			tn->delay_ns_sum += delay_ns;
			tn->delay_count++;
			tn->hist_delay[hist_slot(delay_ns)]++;
		}
		tn->wake_ns = 0;
		tn->last_in_ns = now;
		tn->switches_in++;
	}

	if (gp != SWC_NO_GROUP && (s = group_stats(gp))) {
		s->by_kind[kind]++;
		s->switches_out++;
		if (voluntary)
			s->voluntary++;
		else
			s->involuntary++;
		/* A non-leader thread's last switch: the kernel has already folded its counters
		 * into the process's (__exit_signal()), so nvcsw never shows this one. */
		if ((prev_state & TASK_DEAD) && prev_tid != prev_tgid)
			s->exit_switches++;
		if (run_ns != SWC_UNKNOWN) {
			s->run_ns_sum += run_ns;
			s->hist_run[hist_slot(run_ns)]++;
		}
	}
	if (gn != SWC_NO_GROUP && (s = group_stats(gn))) {
		if (gp != gn)
			s->by_kind[kind]++;
		s->switches_in++;
		if (off_ns != SWC_UNKNOWN) {
			s->off_ns_sum += off_ns;
			s->hist_off[hist_slot(off_ns)]++;
		}
		if (delay_ns != SWC_UNKNOWN) {
			s->delay_ns_sum += delay_ns;
			s->delay_count++;
			s->hist_delay[hist_slot(delay_ns)]++;
		}
	}

	if (!targ_emit)
		return 0;
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		c = get_counters();
		if (c)
			c->events_dropped++;
		return 0;
	}
	rec->ts_ns = now;
	rec->run_ns = run_ns;
	rec->off_ns = off_ns;
	rec->delay_ns = delay_ns;
	rec->cpu = bpf_get_smp_processor_id();
	rec->prev_tgid = prev_tgid;
	rec->prev_tid = prev_tid;
	rec->next_tgid = next_tgid;
	rec->next_tid = next_tid;
	rec->prev_state = prev_state;
	rec->group = gp != SWC_NO_GROUP ? gp : gn;
	rec->kind = kind;
	rec->preempt = preempt;
	rec->_pad[0] = rec->_pad[1] = 0;
	bpf_probe_read_kernel_str(rec->prev_comm, sizeof(rec->prev_comm), &prev->comm);
	bpf_probe_read_kernel_str(rec->next_comm, sizeof(rec->next_comm), &next->comm);
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* tp_btf where the kernel has it (5.5+); raw_tp otherwise. User space picks one. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return handle_switch(preempt, prev, next);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(on_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return handle_switch(preempt, prev, next);
}

static __always_inline int handle_wakeup(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid), tid = BPF_CORE_READ(p, pid);
	struct swc_group_stats *s;
	struct swc_task *ts;
	__u32 *g;

	g = bpf_map_lookup_elem(&watched, &tgid);
	if (!g)
		return 0;
	ts = task_entry(p, tid, tgid, *g);
	if (ts)
		ts->wake_ns = bpf_ktime_get_ns();
	s = group_stats(*g);
	if (s)
		s->wakeups++;
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup_btf, struct task_struct *p)
{
	return handle_wakeup(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new_btf, struct task_struct *p)
{
	return handle_wakeup(p);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(on_wakeup_raw, struct task_struct *p)
{
	return handle_wakeup(p);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(on_wakeup_new_raw, struct task_struct *p)
{
	return handle_wakeup(p);
}

/* Follow fork from birth: a watched parent's child joins its group, and switchcost's own
 * fork joins adopt_group. Threads share the tgid and need nothing. */
static __always_inline int handle_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	struct swc_counters *c;
	__u32 *g, group;

	if (ptgid == ctgid)
		return 0;
	g = bpf_map_lookup_elem(&watched, &ptgid);
	if (g)
		group = *g;
	else if (ptgid == targ_self_tgid && adopt_group)
		group = adopt_group - 1;
	else
		return 0;
	if (bpf_map_update_elem(&watched, &ctgid, &group, BPF_ANY)) {
		c = get_counters();
		if (c)
			c->watch_full++;
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(on_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}

static __always_inline int count_syscall(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct swc_group_stats *s;
	__u32 *g;

	g = bpf_map_lookup_elem(&watched, &tgid);
	if (g && (s = group_stats(*g)))
		s->syscalls++;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_btf)
{
	return count_syscall();
}

SEC("raw_tp/sys_enter")
int BPF_PROG(on_sys_enter_raw)
{
	return count_syscall();
}

/* A user-space switch point (coroutine switch) was hit; the cookie is the probe's index. */
static __always_inline int count_user_switch(__u64 cookie)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct swc_group_stats *s;
	struct swc_switch_rec *rec;
	struct swc_counters *c;
	struct swc_task *ts;
	__u32 *g, group;

	g = bpf_map_lookup_elem(&watched, &tgid);
	if (!g && !targ_all_tasks)
		return 0;
	group = g ? *g : SWC_NO_GROUP;
	c = get_counters();
	if (c)
		c->probe_hits[cookie & (SWC_MAX_PROBES - 1)]++;
	if (g) {
		s = group_stats(group);
		if (s) {
			s->user_switches++;
			s->by_kind[SWC_KIND_COROUTINE]++;
		}
		ts = task_entry(cur, tid, tgid, group);
		if (ts)
			ts->user_switches++;
	}
	if (!targ_emit)
		return 0;
	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		if (c)
			c->events_dropped++;
		return 0;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->ts_ns = bpf_ktime_get_ns();
	rec->run_ns = rec->off_ns = rec->delay_ns = SWC_UNKNOWN;
	rec->cpu = bpf_get_smp_processor_id();
	rec->prev_tgid = rec->next_tgid = tgid;
	rec->prev_tid = rec->next_tid = tid;
	rec->group = group;
	rec->kind = SWC_KIND_COROUTINE;
	bpf_get_current_comm(rec->prev_comm, sizeof(rec->prev_comm));
	__builtin_memcpy(rec->next_comm, rec->prev_comm, sizeof(rec->next_comm));
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

SEC("uprobe")
int on_user_switch(struct pt_regs *ctx)
{
	return count_user_switch(bpf_get_attach_cookie(ctx));
}

SEC("usdt")
int BPF_USDT(on_user_switch_usdt)
{
	return count_user_switch(bpf_usdt_cookie(ctx));
}
