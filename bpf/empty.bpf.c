// SPDX-License-Identifier: GPL-2.0
/*
 * The floors for scripts/bench, loaded by tests/bench/empty_counter.c one set at a time:
 * - bench_empty_switch: the cheapest useful sched_switch program, one per-CPU counter
 *   increment. Whatever switchcost adds beyond this is the price of its own bookkeeping.
 * - bench_clock_switch (--clock): the same plus one bpf_ktime_get_ns() per switch, the least an
 *   exact on-/off-CPU time costs. Under KVM with the tsc clocksource that read is tens of ns.
 * - bench_stamp_* (--stamp): the least a wake-up-to-run tracer does: the wake-up stamps the
 *   woken task (clock into its task storage), the switch reads the clock once and adds next's
 *   now - stamp to a per-CPU sum. No filter, no per-task rows, no histogram.
 * - bench_pertask_switch (--per-task): the least a tracer keeping per-task on- and off-CPU
 *   totals does: one clock read, and prev's and next's totals in their task storage. No
 *   filter (every task), no group, no rows array to hand out or read.
 * - bench_records_switch (--records): the least a per-switch exporter does: one clock read, a
 *   record as big as trace --csv's (struct swc_switch_rec) filled from prev and next, staged
 *   per CPU and sent SWC_REC_BATCH at a time without a wake-up, as bpf/records.bpf.h does;
 *   user space empties the ring and throws the records away. No per-task times in them (that
 *   is --per-task's work), no filter.
 * They are instruments, not features: they see every task, and keep per task only the stamp
 * (--stamp) or the totals (--per-task), which nothing reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "switchcost.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* --clock: the counter and the last clock read in one slot, so the read cannot be dropped and
 * costs no second lookup over the empty counter's */
struct clock_slot {
	__u64 switches, last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct clock_slot);
} clock_hits SEC(".maps");

/* --stamp: the sum of wake-up to run and how many it adds up, read at exit for a mean */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swc_bench_stamp_sum);
} delays SEC(".maps");

/* the wake-up's clock, 0 once a switch has used it (a preempted task's return is no wake-up) */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} wake_stamp SEC(".maps");

/* --per-task: a task's totals and the clock of its last switch in and out (0: not seen yet) */
struct pertask_times {
	__u64 on_cpu_ns, off_cpu_ns, switches, last_in_ns, last_out_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pertask_times);
} pertask SEC(".maps");

/* --records: the ring (resized to trace --csv's 4 MiB by empty_counter), each CPU's staged
 * batch, and the records the full ring refused */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swc_rec_batch);
} rec_staging SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rec_drops SEC(".maps");

#include "task_state.bpf.h"	/* task_state(): prev's state on any kernel */

/* comm in two 8-byte loads, as switch.bpf.c's copy_comm() */
static __always_inline void copy_comm(char *dst, struct task_struct *t)
{
	const __u64 *src = (const __u64 *)t->comm;

	((__u64 *)dst)[0] = src[0];
	((__u64 *)dst)[1] = src[1];
}

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_empty_switch)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &zero);

	if (n)
		(*n)++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_clock_switch)
{
	__u32 zero = 0;
	struct clock_slot *s = bpf_map_lookup_elem(&clock_hits, &zero);

	if (s) {
		s->switches++;
		s->last_ns = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_stamp_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns(), *stamp;
	struct swc_bench_stamp_sum *sum;
	__u32 zero = 0;

	stamp = bpf_task_storage_get(&wake_stamp, next, 0, 0);
	if (!stamp || !*stamp)
		return 0;
	sum = bpf_map_lookup_elem(&delays, &zero);
	if (sum) {
		sum->delay_ns += now - *stamp;
		sum->wakeups++;
	}
	*stamp = 0;
	return 0;
}

/* The idle task (pid 0) is no task a tracer reports: both sides skip it. */
SEC("tp_btf/sched_switch")
int BPF_PROG(bench_pertask_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	struct pertask_times *t;

	if (prev->pid &&
	    (t = bpf_task_storage_get(&pertask, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE))) {
		if (t->last_in_ns)
			t->on_cpu_ns += now - t->last_in_ns;
		t->switches++;
		t->last_out_ns = now;
	}
	if (next->pid &&
	    (t = bpf_task_storage_get(&pertask, next, 0, BPF_LOCAL_STORAGE_GET_F_CREATE))) {
		if (t->last_out_ns)
			t->off_cpu_ns += now - t->last_out_ns;
		t->last_in_ns = now;
	}
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_records_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	struct swc_switch_rec *rec;
	struct swc_rec_batch *b;
	__u32 zero = 0;
	__u64 *drops;

	b = bpf_map_lookup_elem(&rec_staging, &zero);
	if (!b)
		return 0;
	rec = &b->recs[b->n & (SWC_REC_BATCH - 1)];
	rec->ts_ns = bpf_ktime_get_ns();
	rec->run_ns = rec->off_ns = rec->delay_ns = SWC_UNKNOWN;
	rec->cpu = bpf_get_smp_processor_id();
	rec->prev_tgid = prev->tgid;
	rec->prev_tid = prev->pid;
	rec->next_tgid = next->tgid;
	rec->next_tid = next->pid;
	rec->prev_state = task_state(prev);
	rec->group = SWC_NO_GROUP;
	rec->kind = 0;
	rec->preempt = preempt;
	rec->_pad[0] = rec->_pad[1] = 0;
	copy_comm(rec->prev_comm, prev);
	copy_comm(rec->next_comm, next);
	if (++b->n < SWC_REC_BATCH)
		return 0;
	b->n = 0;
	if (bpf_ringbuf_output(&records, b->recs, sizeof(b->recs), BPF_RB_NO_WAKEUP) &&
	    (drops = bpf_map_lookup_elem(&rec_drops, &zero)))
		*drops += SWC_REC_BATCH;
	return 0;
}

static __always_inline void stamp_wakeup(struct task_struct *p)
{
	__u64 *stamp = bpf_task_storage_get(&wake_stamp, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (stamp)
		*stamp = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(bench_stamp_wakeup, struct task_struct *p)
{
	stamp_wakeup(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(bench_stamp_wakeup_new, struct task_struct *p)
{
	stamp_wakeup(p);
	return 0;
}
