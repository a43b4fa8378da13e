/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one header shared by the BPF programs (bpf/switch.bpf.c) and user space: map keys and
 * values, event records, enums and sizes. Each side includes its own type source first
 * (vmlinux.h in BPF, <linux/types.h> in user code). Wide fields first, padding explicit.
 */
#ifndef SWITCHCOST_H
#define SWITCHCOST_H

#define SWC_COMM_LEN	16
#define SWC_HIST_SLOTS	40	/* log2 buckets of ns: slot i holds [2^i, 2^(i+1)), slot 0 holds 0..1 */
#define SWC_MAX_GROUPS	64	/* workloads of one run, or the traced program (group 0) */
#define SWC_MAX_PROBES	16	/* user-space switch points (uprobe/USDT) attached at once */

/* What a switch is, seen from the tasks on both sides of it. */
enum swc_kind {
	SWC_KIND_PROCESS = 0,	/* two user tasks of different processes */
	SWC_KIND_THREAD,	/* two threads of one process */
	SWC_KIND_IDLE,		/* the idle task (pid 0) on either side */
	SWC_KIND_KERNEL,	/* a kernel thread on either side */
	SWC_KIND_COROUTINE,	/* a user-space switch point hit (uprobe/USDT), never sched_switch */
	SWC_KIND_NR,
};

/* Per-group counters, in a per-CPU array indexed by group; user space sums the CPUs. */
struct swc_group_stats {
	__u64 by_kind[SWC_KIND_NR];	/* switches involving the group, each counted once */
	__u64 switches_out;		/* prev is a group task: what nvcsw + nivcsw count */
	__u64 voluntary;		/* ... prev blocked */
	__u64 involuntary;		/* ... prev preempted or still runnable */
	__u64 exit_switches;		/* ... prev's last switch, as an exiting non-leader thread */
	__u64 reaped_switches;		/* ... others after prev's release (its counters taken) */
	__u64 reap_raced_switches;	/* ... final, while prev's parent was reaping it */
	/* processes released at their exit because their parent waits for none (SIGCHLD
	 * ignored, SA_NOCLDWAIT), and the kernel's nvcsw + nivcsw of them and of the children
	 * they waited for: counts that no wait4 returns */
	__u64 autoreaped;
	__u64 autoreaped_switches;
	__u64 switches_in;		/* next is a group task */
	__u64 wakeups;			/* sched_wakeup(_new) of a group task */
	__u64 syscalls;			/* sys_enter in a group task */
	__u64 user_switches;		/* uprobe/USDT switch-point hits in a group task */
	__u64 run_ns_sum, off_ns_sum, delay_ns_sum, delay_count;
	__u64 hist_run[SWC_HIST_SLOTS];		/* prev's on-CPU time before the switch */
	__u64 hist_off[SWC_HIST_SLOTS];		/* next's off-CPU time before the switch */
	__u64 hist_delay[SWC_HIST_SLOTS];	/* next's wake-up to run delay */
};

/* Per-task (thread) totals: one row per task seen, an array indexed by order of first sight.
 * The hot state lives in BPF task storage, not here: this map is preallocated, so every byte
 * counts once per row (--max-tasks). */
struct swc_task {
	__u64 switches_out, voluntary, involuntary, switches_in;
	__u64 on_cpu_ns, off_cpu_ns, delay_ns_sum, delay_count;
	__u64 user_switches;
	__u64 delay_max_ns;	/* its largest wake-up to run delay (perf sched latency's max) */
	__u64 delay_max_at_ns;	/* ... and when it ran after it (bpf_ktime_get_ns) */
	__u64 hist_delay[SWC_HIST_SLOTS];
	__u32 tgid, group;
	__u32 exited, tid;	/* tid: the kernel's pid of the thread */
	char comm[SWC_COMM_LEN];
};

/*
 * The totals a switch adds to a task's row, the first six fields of struct swc_task in its
 * order: in trace's usual mode switch.bpf.c keeps them in the task's hot state and copies
 * them to its row at its final switch, and for live tasks when user space reads the rows.
 */
struct swc_task_totals {
	__u64 switches_out, voluntary, involuntary, switches_in;
	__u64 on_cpu_ns, off_cpu_ns;
};

/* Global counters of the BPF side (per-CPU array of one element). */
struct swc_counters {
	__u64 events_dropped;	/* ring buffer full: a switch record was lost */
	__u64 tasks_full;	/* the task map was full: a task went untracked */
	__u64 watch_full;	/* the watch map was full: a process went unwatched */
	__u64 probe_hits[SWC_MAX_PROBES];	/* per attached user-space switch point */
	/* ... and its hits in tasks outside the trace: not the program's, so not its switches,
	 * but counted, so that a probe the program never reaches does not read as a silent 0 */
	__u64 probe_hits_outside[SWC_MAX_PROBES];
};

/* One switch, sent through the ring buffer when events are on (CSV export). */
struct swc_switch_rec {
	__u64 ts_ns;		/* bpf_ktime_get_ns() at the switch */
	__u64 run_ns;		/* prev's time on CPU; SWC_UNKNOWN when not known */
	__u64 off_ns;		/* next's time off CPU; SWC_UNKNOWN when not known */
	__u64 delay_ns;		/* next's wake-up to run; SWC_UNKNOWN when next was not woken */
	__u32 cpu;
	__u32 prev_tgid, prev_tid, next_tgid, next_tid;
	__u32 prev_state;	/* raw task state as the tracepoint gives it */
	__u32 group;		/* group of the watched side (prev first); SWC_NO_GROUP when none */
	__u8 kind;		/* enum swc_kind */
	__u8 preempt;		/* prev was preempted */
	__u8 _pad[2];
	char prev_comm[SWC_COMM_LEN], next_comm[SWC_COMM_LEN];
};

/*
 * Switch records are staged per CPU and go to the ring SWC_REC_BATCH at a time, in one
 * bpf_ringbuf_output(): a reserve and a submit per record cost about twice as much. A ring
 * entry is 1 to SWC_REC_BATCH records, back to back; a CPU's partial batch goes out when user
 * space asks (flush_gen). A power of two: the slot index is masked for the verifier.
 */
#define SWC_REC_BATCH	8

struct swc_rec_batch {
	__u32 n;		/* records staged */
	__u32 flush_gen;	/* the last flush_gen this CPU answered */
	struct swc_switch_rec recs[SWC_REC_BATCH];
};

/*
 * Off-CPU stacks (bpf/offcpu.bpf.c, trace --stacks): off-CPU time summed per thread and pair
 * of stacks (user, kernel) in a hash map; the stacks themselves in a BPF stack map of
 * SWC_STACK_DEPTH frames each. A stack id below 0 is a stack that was not recorded.
 */
#define SWC_STACK_DEPTH	127	/* PERF_MAX_STACK_DEPTH: the most bpf_get_stackid() walks */

struct swc_offcpu_key {
	__u32 tgid, tid;
	__s32 user_stack_id;	/* -errno when the user stack was lost (or there is none) */
	__s32 kernel_stack_id;
};

struct swc_offcpu_val {
	__u64 off_ns;		/* off-CPU time that ended while traced, summed */
	__u64 count;		/* ... over this many switches out */
	char comm[SWC_COMM_LEN];	/* the thread's name when it was first seen blocking */
};

/* Per-CPU counters of the off-CPU object: every stack not recorded, every entry not kept. */
struct swc_offcpu_counters {
	__u64 user_collisions;		/* -EEXIST: another stack holds the hash bucket */
	__u64 user_lost;		/* any other error (stack map full: -ENOMEM; -EFAULT) */
	__u64 kernel_collisions;
	__u64 kernel_lost;
	__u64 entries_full;		/* the off-CPU hash was full: that time is not counted */
	__u64 switches_out;		/* switches out of watched tasks, stacks taken */
};

/* scripts/bench's wake-up-to-run floor (bpf/empty.bpf.c --stamp): per CPU, the wake-up to run
 * it measured, summed, and how many wake-ups that sum holds. */
struct swc_bench_stamp_sum {
	__u64 delay_ns, wakeups;
};

#define SWC_UNKNOWN	(~0ULL)
#define SWC_NO_GROUP	(~0U)

/* Pinned layouts (with SWC_HIST_SLOTS 40, SWC_MAX_PROBES 16): a field added or reordered on
 * one side fails the build of both, not the run. */
_Static_assert(sizeof(struct swc_group_stats) == 1128, "swc_group_stats layout");
_Static_assert(sizeof(struct swc_task) == 440, "swc_task layout");
_Static_assert(sizeof(struct swc_task_totals) == 48 &&
	       __builtin_offsetof(struct swc_task, switches_in) == 24 &&
	       __builtin_offsetof(struct swc_task, off_cpu_ns) == 40, "swc_task_totals: swc_task's start");
_Static_assert(sizeof(struct swc_counters) == 280, "swc_counters layout");
_Static_assert(sizeof(struct swc_switch_rec) == 96, "swc_switch_rec layout");
_Static_assert(sizeof(struct swc_rec_batch) == 8 + 96 * SWC_REC_BATCH, "swc_rec_batch layout");
_Static_assert((SWC_REC_BATCH & (SWC_REC_BATCH - 1)) == 0, "SWC_REC_BATCH: a power of two");
_Static_assert(sizeof(struct swc_offcpu_key) == 16, "swc_offcpu_key layout");
_Static_assert(sizeof(struct swc_offcpu_val) == 32, "swc_offcpu_val layout");
_Static_assert(sizeof(struct swc_offcpu_counters) == 48, "swc_offcpu_counters layout");

/*
 * The rules both sides apply, compiled by the BPF program and by user code (and unit-tested
 * there), so there is one copy of each.
 */
#define SWC_HELPER static inline __attribute__((always_inline))

/* prev_state bit of a task's final switch (include/linux/sched.h) */
#define SWC_TASK_DEAD	0x00000080
/* task->exit_state once a reaper has claimed a zombie (wait_task_zombie()), or it reaped
 * itself (include/linux/sched.h) */
#define SWC_EXIT_DEAD	0x00000010

/* What the kernel counts in nvcsw: not preempted, and not runnable (__schedule()). */
SWC_HELPER int swc_is_voluntary(int preempt, __u32 prev_state)
{
	return !preempt && prev_state != 0;
}

/*
 * The watch set: one byte per tgid holding group + 1 (0: not watched), eight to a 64-bit
 * word of the `watched` array map.
 */
SWC_HELPER __u32 swc_watch_index(__u32 tgid)
{
	return tgid >> 3;
}

SWC_HELPER __u64 swc_watch_mask(__u32 tgid)
{
	return 0xffULL << ((tgid & 7) * 8);
}

SWC_HELPER __u64 swc_watch_bits(__u32 tgid, __u32 group)
{
	return (__u64)((group + 1) & 0xff) << ((tgid & 7) * 8);
}

/* The group tgid's byte of word holds, or SWC_NO_GROUP. */
SWC_HELPER __u32 swc_watch_group(__u64 word, __u32 tgid)
{
	__u32 g = (word >> ((tgid & 7) * 8)) & 0xff;

	return g ? g - 1 : SWC_NO_GROUP;
}

/*
 * 1 when v > k, else 0, for 32-bit v and k, in arithmetic: BPF has no set-on-condition
 * instruction, so clang turns (v > k) into a branch, and the verifier walked every combination
 * of log2's five branches at each of on_switch's three histograms. The empty asm hides v's
 * 32-bit range from clang, which would otherwise see the comparison again and branch.
 */
SWC_HELPER __u32 swc_gt32(__u32 v, __u32 k)
{
	__u64 x = v;

#ifdef __bpf__
	__asm__ volatile("" : "+r"(x));
#endif
	return ((__u64)k - x) >> 63;
}

/* floor(log2(v)) for a 32-bit v, 0 for 0; branch-free (BPF has no clz instruction) */
SWC_HELPER __u32 swc_log2_u32(__u32 v)
{
	__u32 r, shift;

	r = swc_gt32(v, 0xFFFF) << 4; v >>= r;
	shift = swc_gt32(v, 0xFF) << 3; v >>= shift; r |= shift;
	shift = swc_gt32(v, 0xF) << 2; v >>= shift; r |= shift;
	shift = swc_gt32(v, 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* The histogram slot of v ns: floor(log2(v)), 0 for 0 and 1, capped at SWC_HIST_SLOTS - 1. */
SWC_HELPER __u32 swc_hist_slot(__u64 v)
{
	__u32 hi = v >> 32, lo = (__u32)v, use_hi = swc_gt32(hi, 0), slot;

	/* hi when it is set, else lo: a select without a branch, like the above */
	slot = swc_log2_u32(lo ^ ((hi ^ lo) & -use_hi)) + (use_hi << 5);
	return slot < SWC_HIST_SLOTS ? slot : SWC_HIST_SLOTS - 1;
}

#endif /* SWITCHCOST_H */
