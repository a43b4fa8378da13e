// SPDX-License-Identifier: GPL-2.0
/*
 * switchcost's kernel side. On every sched_switch where a watched task is prev or next it
 * classifies the switch (process, thread, idle, kernel; voluntary or not) and, when latency_on,
 * times prev's run, next's time off the CPU and next's wake-up-to-run delay; it aggregates per
 * group (a workload, or the traced program) and, if asked, per task. run's timed passes keep
 * latency_on off: the clock and the per-task state cost more than everything else here.
 * Watched processes are followed from birth through sched_process_fork; switchcost's own forks
 * are adopted into a group when user space asks (adopt_group). A cheap sys_enter counter gives
 * syscalls per switch, and a uprobe/USDT program counts user-space switch points (coroutines),
 * which never reach sched_switch. Per-switch records go to a ring buffer only when targ_emit is
 * set (CSV export: records.bpf.h); per-task rows are task_rows.bpf.h's, a task's final switch
 * final_switch.bpf.h's, what a switch does to prev and to next switch_sides.bpf.h's.
 * It cannot see: switches of unwatched tasks (unless targ_all_tasks), time spent in the
 * kernel before the tracepoint, or coroutine switches that have no probe on them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
#include "switchcost.h"
#include "watched.bpf.h"	/* the watch set: two lookups per switch */

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD	0x00200000	/* include/linux/sched.h */

const volatile __u32 targ_self_tgid = 0;	/* switchcost itself */
const volatile bool targ_emit = false;		/* send switch records through events */
const volatile bool targ_batch = false;		/* ... SWC_REC_BATCH at a time (staging) */
const volatile bool targ_all_tasks = false;	/* record every switch on the machine */
const volatile bool targ_per_task = true;	/* keep per-task totals in the tasks map */
const volatile bool targ_every_task = false;	/* trace -a: every task is in group 0 */
/* trace -a's counting mode: every task, no timings, no records, no filters (count_switch()) */
const volatile bool targ_counts_only = false;
/* Filters, each judged on the task an event is about (prev or next), never on `current` */
const volatile __u32 filter_tid = 0;		/* -t: this thread only; 0 = any */
const volatile bool filter_comm = false;	/* --comm: tasks named targ_comm */
const volatile char targ_comm[SWC_COMM_LEN] = {};
const volatile bool filter_cgroup = false;	/* --cgroup: tasks in targ_cgroup_id's subtree */
const volatile __u64 targ_cgroup_id = 0;	/* cgroup v2 id (its directory's inode) */
const volatile __u32 targ_cgroup_level = 0;	/* its depth below the v2 root */
/* switchcost's pid namespace when it is not the initial one: rows get the pids seen there */
const volatile __u32 targ_pidns_inum = 0;
/* No task storage in tracing programs here (Linux < 5.11, or SWITCHCOST_DISABLE): user space
 * made hot_state an LRU hash keyed by tid, and hot_get() takes that path (the verifier never
 * sees the other one: this is read-only data, known when it checks). */
const volatile bool targ_hot_by_tid = false;
/* The group's time sums and histograms (run prints them; trace only with --hist): three log2
 * slots and four sums per switch that nothing reads otherwise. */
const volatile bool targ_group_times = true;
/* Count wake-ups in the group (run, lab, trace --syscalls); off, the wake-up hook only stamps
 * the time for the wake-up to run delay. */
const volatile bool targ_count_wakeups = true;
/* Stamp wake-ups for the wake-up to run delay (off: trace without --latency, whose wake-up
 * hook, attached for --syscalls only, then counts and reads no clock). */
const volatile bool targ_stamp_wakeups = true;
/* trace's usual mode: every switch timed (latency_on never cleared), no records, watched tasks
 * only; on_switch takes the copy of its body compiled for it (handle_switch()) */
const volatile bool targ_plain_timed = false;
/* ... and keeps each task's totals in its hot state, not its row, which is written at the
 * task's final switch and, for live tasks, when user space reads the rows (flush_rows): one
 * row access less per side. Task storage only (the tid hash may drop an entry), no filter
 * (a task a filter leaves out may make its final switch unseen). */
const volatile bool targ_hot_totals = false;

/* Group + 1 for switchcost's next fork, 0 for none; written by user space through the skeleton. */
__u32 adopt_group = 0;
/* Time the switches (run, off-CPU, wake-up delay) and keep per-task state; set by user space. */
bool latency_on = true;

/*
 * Per-task (thread) totals, one row per task in order of first sight: the row's index lives in
 * the task's hot state, so the hot path does an inlined array load instead of a hash lookup,
 * and user space reads every row at the end, of tasks alive or gone. Sized by user space
 * (--max-tasks); a task that finds it full is counted once in tasks_full.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);	/* row, 0 .. tasks_used - 1 */
	__type(value, struct swc_task);
} tasks SEC(".maps");

/* Rows of tasks handed out so far (may run past max_entries: those tasks were not kept). */
__u32 tasks_used = 0;

/*
 * The rows not handed out yet, 0 .. max_entries - 1 in order, pushed by user space before
 * attaching: the row claim of kernels without atomic fetch-and-add (Linux < 5.12), in the
 * object built with SWC_NO_ATOMIC_FETCH (Makefile). A pop is atomic (the queue's lock) whatever
 * runs at once. Per-CPU row ranges with a plain counter would need no claimer to interleave with
 * another on its CPU: true of on_switch (in the scheduler, interrupts off), not of the uprobe
 * programs, preemptible with migration disabled since 6.1. The default object does not create it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1);
	__uint(value_size, sizeof(__u32));
} free_rows SEC(".maps");

#define ROW_NONE	0	/* hot.row: no row yet */
#define ROW_LOST	(~0U)	/* ... the table was full when the task was first seen */

/*
 * The per-task state of watched tasks, in task-local storage: cheaper than a hash lookup, and
 * freed with the task. Every access goes through hot_get() or hot_find(), so a kernel without
 * task storage can swap in a tid-keyed hash there.
 */
struct hot {
	__u64 last_in_ns;	/* when it last took a CPU (bpf_ktime_get_ns); 0 = not seen */
	__u64 last_out_ns;	/* ... last left a CPU; 0 = not seen yet */
	__u64 wake_ns;		/* ... was last woken (sched_wakeup, _new); 0 = not since */
	__u32 row;		/* its tasks row + 1, or ROW_NONE / ROW_LOST */
	__u32 blocked;		/* it left the CPU blocked: its next run follows a wake-up */
	struct swc_task_totals tot;	/* its row's totals (targ_hot_totals) */
	__u32 exited;		/* ... and its row's exited: its final switch was made */
	__u32 fence;		/* an atomic's target, for its order alone (hot_fence()) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hot);
} hot_state SEC(".maps");

/*
 * Watched processes whose last thread has made its final switch. A parent can reap a zombie
 * before that switch (wait4 reads nvcsw the moment exit_notify() lets it), so user space waits
 * for the pid here first: then the kernel's count includes the switch eBPF saw. One byte per
 * tgid, eight to a word, sized like the watch set: an LRU of 1,024 marks lost the marks of a
 * program leaving more zombies than that, and each lost mark cost user space a full wait.
 */
TGID_BYTE_ARRAY(gone);

/*
 * Processes nobody waited for whose counts were taken (count_final_switch()): any of their
 * threads' final switches after the process's release may find it, one takes it. Keyed by
 * the process's signal_struct and its leader's start time (an address alone is reused); an
 * LRU that forgets a process long gone.
 */
struct autoreap_key {
	__u64 signal;
	__u64 start_time;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, struct autoreap_key);
	__type(value, __u8);
} autoreap_taken SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct swc_rec_batch);
} staging SEC(".maps");

/* Bumped by user space to have each CPU send its partial batch at its next switch (any
 * switch: it moves itself onto each CPU to cause one); 0 when no flush is asked for. */
__u32 flush_gen = 0;


/*
 * Never wake the record consumer: it polls every SWC_RECORD_TICK_MS (records.c), which at full
 * rate is a few thousand records. A wake-up is an irq_work (an IPI on a VM) per record: the old
 * "force a wake-up past a quarter full" made every record pay for one whenever the consumer
 * lagged on a loaded machine (bpf_stats: on_switch 805-910 ns with --csv, 517-668 without).
 */
static __always_inline __u64 rb_wakeup_flags(void)
{
	return BPF_RB_NO_WAKEUP;
}

#include "task_state.bpf.h"	/* task_state(): prev's state on any kernel */

static __always_inline struct swc_counters *get_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline struct swc_group_stats *group_stats(__u32 group)
{
	return bpf_map_lookup_elem(&stats, &group);
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "set_tgid_byte() writes byte tgid % 8 of a word: little-endian only (x86, arm64)"
#endif

/*
 * Sets tgid's byte in a one-byte-per-tgid array (watched, gone). A plain byte store: each tgid
 * owns its byte, and Linux before 5.12 has no atomic and/or for BPF (Debian 11's 5.10 refused
 * the __sync_fetch_and_or() this replaces).
 */
static __always_inline bool set_tgid_byte(void *map, __u32 tgid, __u8 v)
{
	__u32 idx = swc_watch_index(tgid);
	volatile __u8 *w = bpf_map_lookup_elem(map, &idx);

	if (!w)
		return false;
	w[tgid & 7] = v;
	return true;
}

/* Puts tgid in group (a pid reused since it was watched is overwritten). */
static __always_inline bool watch_tgid(__u32 tgid, __u32 group)
{
	return set_tgid_byte(&watched, tgid, swc_watch_bits(tgid, group) >> ((tgid & 7) * 8));
}

static __always_inline void unwatch_tgid(__u32 tgid)
{
	set_tgid_byte(&watched, tgid, 0);
}

static __always_inline void clear_gone(__u32 tgid)
{
	set_tgid_byte(&gone, tgid, 0);
}

/* Two direct 8-byte BTF loads instead of a probe-read helper call: this runs for every record.
 * comm is always NUL-terminated within its 16 bytes (__set_task_comm()). */
static __always_inline void copy_comm(char *dst, struct task_struct *t)
{
	const __u64 *src = (const __u64 *)t->comm;

	((__u64 *)dst)[0] = src[0];
	((__u64 *)dst)[1] = src[1];
}

/*
 * swc_hist_slot(), clamped where the verifier sees it: Linux 6.1's verifier lost the bound of
 * the u32 result across its zero-extension and refused on_switch ("R0 unbounded memory
 * access"). The clamp on a 64-bit value the compiler cannot see through keeps it in one register.
 */
static __always_inline __u64 hist_slot(__u64 v)
{
	__u64 slot = swc_hist_slot(v);

	__asm__ volatile("" : "+r"(slot));
	return slot < SWC_HIST_SLOTS ? slot : SWC_HIST_SLOTS - 1;
}

static const struct hot zero_hot;

/* The hot state t has, or NULL: its task storage, or (targ_hot_by_tid) its tid's entry. */
static __always_inline struct hot *hot_find(struct task_struct *t)
{
	__u32 tid = t->pid;

	if (!targ_hot_by_tid)
		return bpf_task_storage_get(&hot_state, t, 0, 0);
	return bpf_map_lookup_elem(&hot_state, &tid);
}

/* The hot state of t, created zeroed when it has none. */
static __always_inline struct hot *hot_get(struct task_struct *t)
{
	__u32 tid;
	struct hot *h;

	if (!targ_hot_by_tid)
		return bpf_task_storage_get(&hot_state, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	h = hot_find(t);
	if (h)
		return h;
	tid = t->pid;
	/* EEXIST from a racing CPU is fine: the lookup below finds its entry */
	bpf_map_update_elem(&hot_state, &tid, &zero_hot, BPF_NOEXIST);
	return bpf_map_lookup_elem(&hot_state, &tid);
}

#include "task_rows.bpf.h"	/* task_row(), pid_in_ns(): per-task rows */

/* comm is NUL-padded to its 16 bytes (__set_task_comm() uses strscpy_pad), as targ_comm is. */
static __always_inline bool comm_is(struct task_struct *t)
{
	const __u64 *c = (const __u64 *)t->comm;
	const volatile __u64 *want = (const volatile __u64 *)targ_comm;

	return c[0] == want[0] && c[1] == want[1];
}

/* In the cgroup v2 subtree of targ_cgroup_id: its ancestor at targ_cgroup_level is that one. */
static __always_inline bool in_cgroup(struct task_struct *t)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp), *anc = NULL;

	if (!cg || BPF_CORE_READ(cg, level) < (int)targ_cgroup_level)
		return false;
	bpf_probe_read_kernel(&anc, sizeof(anc), (void *)cg + bpf_core_field_offset(cg->ancestors) +
			      targ_cgroup_level * sizeof(anc));
	return anc && BPF_CORE_READ(anc, kn, id) == targ_cgroup_id;
}

static __always_inline __u8 classify(struct task_struct *prev, struct task_struct *next,
				     __u32 prev_tid, __u32 next_tid)
{
	if (prev_tid == 0 || next_tid == 0)
		return SWC_KIND_IDLE;
	if ((prev->flags | next->flags) & PF_KTHREAD)
		return SWC_KIND_KERNEL;
	return prev->tgid == next->tgid ? SWC_KIND_THREAD : SWC_KIND_PROCESS;
}

#include "records.bpf.h"	/* emit_switch(), answer_flush(): the records of --csv */

/*
 * The times are our own stamps, all bpf_ktime_get_ns(): at the switch, and at the wake-up
 * (on_wakeup). The scheduler's stamps (sched_info's last_queued, last_arrival; the run queue's
 * clock) looked cheaper, but the scheduler skips its clock update when a wake-up preempts the
 * waker (rq_clock_skip_update()), so a wake-up and the switch it causes carry the same stamp:
 * on Linux 6.18, 5,433 of 6,969 wake-ups of `run process` read 0 ns where they take hundreds.
 */

/* Whether the task is about the trace: in a group, and through every filter (-t, --comm,
 * --cgroup). Called for prev and for next, so each side is judged on its own task. */
static __always_inline __u32 group_of_task(struct task_struct *t, __u32 tid)
{
	__u32 g;

	if (!tid)
		return SWC_NO_GROUP;	/* the idle task */
	g = targ_every_task ? 0 : group_of(t->tgid);
	if (g == SWC_NO_GROUP)
		return g;
	if (filter_tid && tid != filter_tid)
		return SWC_NO_GROUP;
	if (filter_comm && !comm_is(t))
		return SWC_NO_GROUP;
	if (filter_cgroup && !in_cgroup(t))
		return SWC_NO_GROUP;
	return g;
}

#include "final_switch.bpf.h"	/* count_final_switch(): the TASK_DEAD branch */

#include "switch_sides.bpf.h"	/* prev_out(), next_in(): the two sides of a switch */

/*
 * trace -a's counting mode: every task is in group 0, nothing is timed or sent, so a switch
 * needs its counts only: the group's, and prev's row. The same counts as prev_out() and
 * next_in() keep there, on a path of its own that read-only data selects (the verifier drops
 * the other): the general path's branches on run-time settings and its register spills cost
 * more than the counting itself (bpf_stats: see the commit that added it).
 */
static __always_inline int count_switch(bool preempt, struct task_struct *prev,
					struct task_struct *next)
{
	__u32 prev_tid = prev->pid, next_tid = next->pid, prev_state = task_state(prev);
	bool voluntary = swc_is_voluntary(preempt, prev_state);
	struct swc_group_stats *s = group_stats(0);
	/* loaded before any branch: see on_switch */
	struct signal_struct *sig = prev->signal;
	struct sighand_struct *sh = prev->sighand;
	struct swc_task *ts;
	struct hot *h;
	bool released;

	__asm__ volatile("" : "+r"(sig), "+r"(sh));
	released = !sh;	/* its counters already folded or reaped (count_final_switch()) */
	if (!s)
		return 0;
	/* once per switch: at least one side is not the idle task */
	s->by_kind[classify(prev, next, prev_tid, next_tid)]++;
	if (next_tid)
		s->switches_in++;
	if (!prev_tid)
		return 0;
	count_group_out(s, 0, voluntary, released, prev_state);
	if ((prev_state & SWC_TASK_DEAD) && !sig->live.counter)	/* the process's last thread */
		mark_gone(prev);
	if (targ_per_task && (h = hot_get(prev)) && (ts = task_row(prev, h, 0)))
		count_task_out(row_totals(ts), &ts->exited, voluntary, prev_state);
	return 0;
}

/*
 * One switch. `plain` is trace's usual mode (targ_plain_timed), constant here: timed, no
 * records, no flush, watched tasks only. on_switch inlines this twice and the knob leaves
 * the verifier one copy; clang allocates registers for each copy apart, and the plain one,
 * without the run-time latency_on and the records, keeps fewer values in spills (bpf_stats:
 * see the commit that added it).
 */
static __always_inline int handle_switch(bool preempt, struct task_struct *prev,
					 struct task_struct *next, bool plain)
{
	__u32 gp, gn;
	__u64 now = 0, run_ns = SWC_UNKNOWN, off_ns = SWC_UNKNOWN, delay_ns = SWC_UNKNOWN;
	bool timed = plain || latency_on, voluntary, process_gone, released;
	bool emit = !plain && targ_emit, in_hot = plain && targ_hot_totals;
	struct sighand_struct *sh;
	struct signal_struct *sig;
	__u32 prev_state;
	__u8 kind;

	if (emit && targ_batch)
		answer_flush();
	gp = group_of_task(prev, prev->pid);
	gn = group_of_task(next, next->pid);
	if (gp == SWC_NO_GROUP && gn == SWC_NO_GROUP && (plain || !targ_all_tasks))
		return 0;
	/*
	 * The pointers this program loads from tasks, here, before it branches: the verifier
	 * looks each one up by name in the kernel's BTF (a linear search, in
	 * btf_nested_type_is_trusted()) once per path it walks, and in the branches below that
	 * search was most of on_switch's verification time, so of switchcost's start-up.
	 */
	sig = prev->signal;
	sh = prev->sighand;
	/* keep the loads here, not sunk into a branch */
	__asm__ volatile("" : "+r"(sig), "+r"(sh));
	released = !sh;	/* its counters already folded or reaped (count_final_switch()) */
	if (timed)
		now = bpf_ktime_get_ns();
	kind = classify(prev, next, prev->pid, next->pid);
	prev_state = task_state(prev);
	voluntary = swc_is_voluntary(preempt, prev_state);
	/* the process's last thread (not merely its leader: the leader can die first, or be
	 * replaced by exec from another thread) */
	process_gone = (prev_state & SWC_TASK_DEAD) && !sig->live.counter;
	if (gp != SWC_NO_GROUP)
		prev_out(prev, gp, kind, prev_state, voluntary, timed, now, process_gone, sig,
			 released, in_hot, &run_ns);
	if (gn != SWC_NO_GROUP)
		next_in(next, gn, kind, gp == gn, timed, now, in_hot, &off_ns, &delay_ns);
	if (emit)
		emit_switch(preempt, prev, next, kind, prev_state, gp != SWC_NO_GROUP ? gp : gn,
			    timed ? now : bpf_ktime_get_ns(), run_ns, off_ns, delay_ns);
	return 0;
}

/* tp_btf (Linux 5.5+): the task pointers are BTF-typed, so fields load directly, no helpers. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (targ_counts_only)
		return count_switch(preempt, prev, next);
	if (targ_plain_timed)
		return handle_switch(preempt, prev, next, true);
	return handle_switch(preempt, prev, next, false);
}

/* Wake-ups are counted (when shown), and stamped while switches are timed and the delay is
 * asked for: the wake-up to run delay ends at the task's next switch in. Attached only then,
 * since every wake-up pays for it. */
static __always_inline int handle_wakeup(struct task_struct *p)
{
	__u32 group = group_of_task(p, p->pid);
	struct swc_group_stats *s;
	struct hot *h;

	if (group == SWC_NO_GROUP)
		return 0;
	if (targ_count_wakeups && (s = group_stats(group)))
		s->wakeups++;
	if (targ_stamp_wakeups && latency_on && (h = hot_get(p)))
		h->wake_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	return handle_wakeup(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	return handle_wakeup(p);
}

/* switchcost itself, whose pid (targ_self_tgid) is the one its own pid namespace gives it */
static __always_inline bool is_self(struct task_struct *t)
{
	if (targ_pidns_inum)
		return pid_in_ns(BPF_CORE_READ(t, group_leader, thread_pid)) == targ_self_tgid;
	return t->tgid == targ_self_tgid;
}

/* Follow fork from birth: a watched parent's child joins its group, and switchcost's own
 * fork joins adopt_group. Threads share the tgid and need nothing. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, ctid = child->pid;
	__u32 group = group_of(ptgid);
	struct swc_counters *c;

	/* task storage is born empty; a tid's hash entry may be a dead task's */
	if (targ_hot_by_tid)
		bpf_map_delete_elem(&hot_state, &ctid);
	if (ptgid == ctgid)
		return 0;
	if (group == SWC_NO_GROUP && adopt_group && is_self(parent))
		group = adopt_group - 1;
	if (group == SWC_NO_GROUP) {
		/* a new process of an unwatched parent: a byte left by a watched process
		 * that once had this pid must not make it watched */
		if (group_of(ctgid) != SWC_NO_GROUP)
			unwatch_tgid(ctgid);
		return 0;
	}
	/* a new process: a mark left by an earlier owner of this pid is not about it */
	clear_gone(ctgid);
	if (!watch_tgid(ctgid, group)) {
		c = get_counters();
		if (c)
			c->watch_full++;
	}
	return 0;
}

/*
 * User space runs this iterator before it reads the rows (targ_hot_totals): each live task's
 * totals to its row. A task that makes its final switch meanwhile copies its own; if that
 * copy came first, this one may have written older totals over it: exited says so, and the
 * copy is made again from the totals, final by then. Fences (hot_fence()) on both sides: the
 * final switch sets exited after its totals and before its copy; this copy is stored before
 * exited is read, and the totals read again after it. Without them a CPU may read exited
 * before its own copy is stored (x86 too), or exited before the totals (arm64).
 */
SEC("iter/task")
int flush_rows(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct hot *h;

	if (!t || !(h = hot_find(t)))
		return 0;
	flush_totals(h);
	hot_fence(h);	/* exited read after the copy is stored */
	if (h->exited) {
		hot_fence(h);	/* the totals read after exited */
		flush_totals(h);
	}
	return 0;
}

/* exec renames the task: keep the per-task table's comm right. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p)
{
	struct swc_task *ts;
	struct hot *h;
	__u32 row;

	if (!targ_per_task)
		return 0;
	/* hot_find(), not task storage directly, or the tid hash route does not load. There, a
	 * thread other than the leader that execs has taken the leader's tid: the leader's row
	 * is renamed, not its own. */
	h = hot_find(p);
	if (!h || h->row == ROW_NONE || h->row == ROW_LOST)
		return 0;
	row = h->row - 1;
	ts = bpf_map_lookup_elem(&tasks, &row);
	if (ts)
		copy_comm(ts->comm, p);
	return 0;
}

static __always_inline void count_syscall(__u32 group)
{
	struct swc_group_stats *s;

	if (group != SWC_NO_GROUP && (s = group_stats(group)))
		s->syscalls++;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter)
{
	struct task_struct *cur = bpf_get_current_task_btf();

	count_syscall(group_of_task(cur, cur->pid));
	return 0;
}

/* group_of_task() of the current task, through helpers */
static __always_inline __u32 group_of_current_by_helpers(void)
{
	const volatile __u64 *want = (const volatile __u64 *)targ_comm;
	__u64 id = bpf_get_current_pid_tgid(), comm[2] = {};
	__u32 tid = (__u32)id, g;

	if (!tid)
		return SWC_NO_GROUP;	/* the idle task */
	g = targ_every_task ? 0 : group_of(id >> 32);
	if (g == SWC_NO_GROUP || (filter_tid && tid != filter_tid))
		return SWC_NO_GROUP;
	if (filter_comm) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (comm[0] != want[0] || comm[1] != want[1])
			return SWC_NO_GROUP;
	}
	/* in_cgroup() reads through BPF_CORE_READ: an untyped task pointer will do */
	if (filter_cgroup && !in_cgroup((struct task_struct *)bpf_get_current_task()))
		return SWC_NO_GROUP;
	return g;
}

/*
 * on_sys_enter for kernels without bpf_get_current_task_btf() (Linux < 5.11, as task storage:
 * user space loads this one instead when the task_storage probe, which calls both, is refused).
 * A program of its own, not a read-only switch: the default one keeps its instructions.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_by_helpers)
{
	count_syscall(group_of_current_by_helpers());
	return 0;
}

/* A user-space switch point (coroutine switch) was hit; the cookie is the probe's index. */
static __always_inline int count_user_switch(__u64 cookie)
{
	/* the task's own fields, as on_sys_enter reads them: no pid_tgid or comm helper calls */
	struct task_struct *cur = bpf_get_current_task_btf();
	__u32 tgid = cur->tgid, tid = cur->pid;
	struct swc_group_stats *s;
	struct swc_switch_rec *rec;
	struct swc_counters *c;
	struct swc_task *ts;
	struct hot *h;
	__u32 group = group_of_task(cur, tid);

	c = get_counters();
	if (group == SWC_NO_GROUP && !targ_all_tasks) {
		/* another process's hit; not one of the program's own tasks that a filter (-t,
		 * --comm, --cgroup) leaves out, which are not "outside the trace" */
		if (c && !targ_every_task && group_of(tgid) == SWC_NO_GROUP)
			c->probe_hits_outside[cookie & (SWC_MAX_PROBES - 1)]++;
		return 0;
	}
	if (c)
		c->probe_hits[cookie & (SWC_MAX_PROBES - 1)]++;
	if (group != SWC_NO_GROUP) {
		s = group_stats(group);
		if (s) {
			s->user_switches++;
			s->by_kind[SWC_KIND_COROUTINE]++;
		}
		if (targ_per_task && (h = hot_get(cur)) && (ts = task_row(cur, h, group)))
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
	copy_comm(rec->prev_comm, cur);
	copy_comm(rec->next_comm, cur);
	bpf_ringbuf_submit(rec, rb_wakeup_flags());
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
