// SPDX-License-Identifier: GPL-2.0
/*
 * switchcost's kernel side. On every sched_switch where a watched task is prev or next it
 * classifies the switch (process, thread, idle, kernel; voluntary or not) and, when latency_on,
 * times prev's run, next's time off the CPU and next's wake-up-to-run delay; it aggregates per
 * group (a workload, or the traced program) and, if asked, per task. run's timed passes keep
 * latency_on off: the clock and the per-task state cost more than everything else here. Watched processes are followed from birth
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

const volatile __u32 targ_self_tgid = 0;	/* switchcost itself */
const volatile bool targ_emit = false;		/* send switch records through events */
const volatile bool targ_all_tasks = false;	/* record every switch on the machine */
const volatile bool targ_per_task = true;	/* keep per-task totals in the tasks map */

/* Group + 1 for switchcost's next fork, 0 for none; written by user space through the skeleton. */
__u32 adopt_group = 0;
/* Time the switches (run, off-CPU, wake-up delay) and keep per-task state; set by user space. */
bool latency_on = true;

/*
 * The watch set (encoding: swc_watch_*() in switchcost.h). Two inlined
 * array loads per switch instead of hash lookups, so unwatched switches cost almost nothing.
 * Sized by user space to pid_max; mmap'ed there to add processes by hand.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* tgid / 8 */
	__type(value, __u64);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);	/* tid (kernel pid) */
	__type(value, struct swc_task);
} tasks SEC(".maps");

/* The hot per-task state of watched tasks, in task-local storage: cheaper than a hash lookup,
 * and freed with the task. */
struct hot {
	__u64 last_in_ns;	/* when it last went on a CPU; 0 = not seen yet */
	__u64 last_out_ns;	/* when it last left a CPU; 0 = not seen yet */
	__u64 wake_ns;		/* when it was last woken; 0 = not waiting to run */
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
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* tgid / 8 */
	__type(value, __u64);
} gone SEC(".maps");

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

/*
 * Wake the record consumer only once the ring buffer is a quarter full. The default wakes it
 * whenever it has caught up, which at full rate is a wake-up (an IPI) per switch and doubled
 * the thread workload's switch time; user space polls every few milliseconds instead.
 */
static __always_inline __u64 rb_wakeup_flags(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);

	return avail > size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Linux 5.14 renamed task_struct::state to __state (commit 2f064a59a11f). */
struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return t->__state;
	return BPF_CORE_READ((struct task_struct___o *)t, state);
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

/* The group of tgid, or SWC_NO_GROUP. */
static __always_inline __u32 group_of(__u32 tgid)
{
	__u32 idx = swc_watch_index(tgid);
	__u64 *w = bpf_map_lookup_elem(&watched, &idx);

	return w ? swc_watch_group(*w, tgid) : SWC_NO_GROUP;
}

/* Puts tgid in group; its byte must be clear (a new process), or be cleared first. */
static __always_inline bool watch_tgid(__u32 tgid, __u32 group)
{
	__u32 idx = swc_watch_index(tgid);
	__u64 *w = bpf_map_lookup_elem(&watched, &idx);

	if (!w)
		return false;
	__sync_fetch_and_and(w, ~swc_watch_mask(tgid));	/* a pid reused since it was watched */
	__sync_fetch_and_or(w, swc_watch_bits(tgid, group));
	return true;
}

static __always_inline void unwatch_tgid(__u32 tgid)
{
	__u32 idx = swc_watch_index(tgid);
	__u64 *w = bpf_map_lookup_elem(&watched, &idx);

	if (w)
		__sync_fetch_and_and(w, ~swc_watch_mask(tgid));
}

static __always_inline void clear_gone(__u32 tgid)
{
	__u32 idx = swc_watch_index(tgid);
	__u64 *g = bpf_map_lookup_elem(&gone, &idx);

	if (g)
		__sync_fetch_and_and(g, ~swc_watch_mask(tgid));
}

static __always_inline struct hot *hot_get(struct task_struct *t)
{
	return bpf_task_storage_get(&hot_state, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* The task's totals in the tasks map, created on first sight; NULL when the map is full. */
static __always_inline struct swc_task *task_entry(struct task_struct *t, __u32 tid, __u32 group)
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
	ts->tgid = t->tgid;
	ts->group = group;
	bpf_probe_read_kernel_str(ts->comm, sizeof(ts->comm), t->comm);
	return ts;
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

/* Two direct 8-byte BTF loads instead of a probe-read helper call: this runs for every record.
 * comm is always NUL-terminated within its 16 bytes (__set_task_comm()). */
static __always_inline void copy_comm(char *dst, struct task_struct *t)
{
	const __u64 *src = (const __u64 *)t->comm;

	((__u64 *)dst)[0] = src[0];
	((__u64 *)dst)[1] = src[1];
}

static __always_inline void emit_switch(bool preempt, struct task_struct *prev,
					struct task_struct *next, __u8 kind, __u32 prev_state,
					__u32 group, __u64 now, __u64 run_ns, __u64 off_ns,
					__u64 delay_ns)
{
	struct swc_switch_rec *rec;
	struct swc_counters *c;

	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		c = get_counters();
		if (c)
			c->events_dropped++;
		return;
	}
	rec->ts_ns = now;
	rec->run_ns = run_ns;
	rec->off_ns = off_ns;
	rec->delay_ns = delay_ns;
	rec->cpu = bpf_get_smp_processor_id();
	rec->prev_tgid = prev->tgid;
	rec->prev_tid = prev->pid;
	rec->next_tgid = next->tgid;
	rec->next_tid = next->pid;
	rec->prev_state = prev_state;
	rec->group = group;
	rec->kind = kind;
	rec->preempt = preempt;
	rec->_pad[0] = rec->_pad[1] = 0;
	copy_comm(rec->prev_comm, prev);
	copy_comm(rec->next_comm, next);
	bpf_ringbuf_submit(rec, rb_wakeup_flags());
}

/* tp_btf (Linux 5.5+): the task pointers are BTF-typed, so fields load directly, no helpers. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 prev_tid = prev->pid, next_tid = next->pid, prev_state;
	__u32 gp = SWC_NO_GROUP, gn = SWC_NO_GROUP;
	__u64 now = 0, run_ns = SWC_UNKNOWN, off_ns = SWC_UNKNOWN, delay_ns = SWC_UNKNOWN;
	struct hot *hp = NULL, *hn = NULL;
	struct swc_group_stats *s;
	struct swc_task *ts;
	bool voluntary, timed = latency_on;
	__u8 kind;

	if (prev_tid)
		gp = group_of(prev->tgid);
	if (next_tid)
		gn = group_of(next->tgid);
	if (gp == SWC_NO_GROUP && gn == SWC_NO_GROUP && !targ_all_tasks)
		return 0;

	if (timed) {
		now = bpf_ktime_get_ns();
		if (gp != SWC_NO_GROUP)
			hp = hot_get(prev);
		if (gn != SWC_NO_GROUP)
			hn = hot_get(next);
	}
	kind = classify(prev, next, prev_tid, next_tid);
	prev_state = task_state(prev);
	voluntary = swc_is_voluntary(preempt, prev_state);

	if (gp != SWC_NO_GROUP) {
		if (hp) {
			if (hp->last_in_ns)
				run_ns = now - hp->last_in_ns;
			hp->last_out_ns = now;
			hp->wake_ns = 0;	/* a wake-up before it blocked is void now */
		}
		s = group_stats(gp);
		if (s) {
			s->by_kind[kind]++;
			s->switches_out++;
			if (voluntary)
				s->voluntary++;
			else
				s->involuntary++;
			/* A non-leader thread's last switch: the kernel has already folded its
			 * counters into the process's (__exit_signal()), so nvcsw never shows it. */
			if ((prev_state & SWC_TASK_DEAD) && prev_tid != prev->tgid)
				s->exit_switches++;
			/* the process's last thread (not merely its leader: the leader can die
			 * first, or be replaced by exec from another thread) */
			if ((prev_state & SWC_TASK_DEAD) && !prev->signal->live.counter) {
				__u32 tgid = prev->tgid, idx = swc_watch_index(tgid);
				__u64 *g = bpf_map_lookup_elem(&gone, &idx);

				if (g)	/* the watch set's layout, one byte per tgid */
					__sync_fetch_and_or(g, swc_watch_mask(tgid));
			}
			if (run_ns != SWC_UNKNOWN) {
				s->run_ns_sum += run_ns;
				s->hist_run[swc_hist_slot(run_ns)]++;
			}
		}
		if (targ_per_task && (ts = task_entry(prev, prev_tid, gp))) {
			ts->switches_out++;
			if (voluntary)
				ts->voluntary++;
			else
				ts->involuntary++;
			if (run_ns != SWC_UNKNOWN)
				ts->on_cpu_ns += run_ns;
			if (prev_state & SWC_TASK_DEAD)
				ts->exited = 1;
		}
	}
	if (gn != SWC_NO_GROUP) {
		if (hn) {
			if (hn->last_out_ns)
				off_ns = now - hn->last_out_ns;
			if (hn->wake_ns && now >= hn->wake_ns)
				delay_ns = now - hn->wake_ns;
			hn->wake_ns = 0;
			hn->last_in_ns = now;
		}
		s = group_stats(gn);
		if (s) {
			if (gp != gn)
				s->by_kind[kind]++;
			s->switches_in++;
			if (off_ns != SWC_UNKNOWN) {
				s->off_ns_sum += off_ns;
				s->hist_off[swc_hist_slot(off_ns)]++;
			}
			if (delay_ns != SWC_UNKNOWN) {
				s->delay_ns_sum += delay_ns;
				s->delay_count++;
				s->hist_delay[swc_hist_slot(delay_ns)]++;
			}
		}
		if (targ_per_task && (ts = task_entry(next, next_tid, gn))) {
			ts->switches_in++;
			if (off_ns != SWC_UNKNOWN)
				ts->off_cpu_ns += off_ns;
			if (delay_ns != SWC_UNKNOWN) {
				ts->delay_ns_sum += delay_ns;
				ts->delay_count++;
				ts->hist_delay[swc_hist_slot(delay_ns)]++;
				if (delay_ns > ts->delay_max_ns) {
					ts->delay_max_ns = delay_ns;
					ts->delay_max_at_ns = now;
				}
			}
		}
	}
	if (targ_emit)
		emit_switch(preempt, prev, next, kind, prev_state, gp != SWC_NO_GROUP ? gp : gn,
			    now, run_ns, off_ns, delay_ns);
	return 0;
}

static __always_inline int handle_wakeup(struct task_struct *p)
{
	__u32 group = group_of(p->tgid);
	struct swc_group_stats *s;
	struct hot *h;

	if (group == SWC_NO_GROUP)
		return 0;
	h = hot_get(p);
	if (h)
		h->wake_ns = bpf_ktime_get_ns();
	s = group_stats(group);
	if (s)
		s->wakeups++;
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

/* Follow fork from birth: a watched parent's child joins its group, and switchcost's own
 * fork joins adopt_group. Threads share the tgid and need nothing. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u32 group = group_of(ptgid);
	struct swc_counters *c;

	if (ptgid == ctgid)
		return 0;
	if (group == SWC_NO_GROUP && ptgid == targ_self_tgid && adopt_group)
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

/* exec renames the task: keep the per-task table's comm right. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p)
{
	__u32 tid = p->pid;
	struct swc_task *ts;

	if (!targ_per_task)
		return 0;
	ts = bpf_map_lookup_elem(&tasks, &tid);
	if (ts)
		bpf_probe_read_kernel_str(ts->comm, sizeof(ts->comm), p->comm);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter)
{
	__u32 group = group_of(bpf_get_current_pid_tgid() >> 32);
	struct swc_group_stats *s;

	if (group != SWC_NO_GROUP && (s = group_stats(group)))
		s->syscalls++;
	return 0;
}

/* A user-space switch point (coroutine switch) was hit; the cookie is the probe's index. */
static __always_inline int count_user_switch(__u64 cookie)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	struct task_struct *cur = bpf_get_current_task_btf();
	struct swc_group_stats *s;
	struct swc_switch_rec *rec;
	struct swc_counters *c;
	struct swc_task *ts;
	__u32 group = group_of(tgid);

	if (group == SWC_NO_GROUP && !targ_all_tasks)
		return 0;
	c = get_counters();
	if (c)
		c->probe_hits[cookie & (SWC_MAX_PROBES - 1)]++;
	if (group != SWC_NO_GROUP) {
		s = group_stats(group);
		if (s) {
			s->user_switches++;
			s->by_kind[SWC_KIND_COROUTINE]++;
		}
		if (targ_per_task && (ts = task_entry(cur, tid, group)))
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
