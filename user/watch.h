/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The BPF side seen from user space: load and attach the sched_switch programs, put processes
 * in groups (adopt switchcost's next fork, or add a running pid), attach user-space switch
 * points, read the per-group and per-task aggregates, and consume switch records.
 */
#ifndef SWC_WATCH_H
#define SWC_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "switchcost.h"

struct swc_watch;

struct swc_watch_opts {
	bool verbose;		/* libbpf debug output and the verifier log on stderr */
	bool emit;		/* per-switch records through the ring buffer */
	bool all_tasks;		/* ... for every switch on the machine */
	bool aggregate_only;	/* per-group counters only, no per-task totals (cheaper) */
	bool lean;		/* timed passes: count and classify only, until
				 * watch__set_counting(w, true): no syscall counter, and (unless
				 * emit, whose records need them) no clock, per-task state or
				 * wake-up hook */
	bool syscalls;		/* not lean: count syscalls and wake-ups too (two more hooks, paid
				 * by every syscall and wake-up on the machine) */
	bool counts_only;	/* not lean: no timings (on-/off-CPU, wake-up to run), counts only */
	bool no_wakeup_to_run;	/* not lean: on- and off-CPU timed, but wake-ups not stamped, so
				 * no wake-up hook unless syscalls (trace without --latency) */
	bool every_task;	/* every task on the machine is in group 0 (trace -a) */
	bool no_group_times;	/* the group's time sums and histograms are not printed: not
				 * kept (the per-task times are) */
	/* filters, judged on the task each event is about (0 / NULL / false: none) */
	__u32 filter_tid;
	const char *filter_comm;
	bool filter_cgroup;
	__u64 cgroup_id;	/* cgroup v2 id: the inode of its directory */
	__u32 cgroup_level;	/* its depth below the v2 root */
	__u32 max_tasks;	/* rows of the per-task table (0: WATCH_MAX_TASKS) */
	size_t ringbuf_bytes;	/* ring buffer size when emit (power of two, >= page size) */
	/* called for each record consumed (records.h); returns 0, or < 0 to stop */
	int (*on_record)(void *ctx, const struct swc_switch_rec *rec);
	void *ctx;
};

/* Checks root or CAP_BPF + CAP_PERFMON and kernel BTF; prints one line (with the way out that
 * command has) and returns -1 if something is missing. */
int swc_bpf_preflight(const char *command);

/* Opens, loads and attaches the scheduler programs; prints why on failure (NULL). */
struct swc_watch *watch__open(const struct swc_watch_opts *opts);
void watch__close(struct swc_watch *w);	/* detaches everything; NULL is fine */

/* The next fork of this process joins group (from birth); watch__adopt(w, -1) ends that. */
void watch__adopt(struct swc_watch *w, int group);
/* Watches a running process (all its threads, and its children from now on). */
int watch__add_pid(struct swc_watch *w, pid_t tgid, __u32 group);
/*
 * fork() into BPF group `group` from birth (w may be NULL: no BPF). The child is in a process
 * group of its own, with default signal dispositions, and dies with us (checked: we may have
 * died already); the parent sets the group too, so no kill of it can miss the child. Returns
 * what fork() returns.
 */
pid_t swc_fork_watched(struct swc_watch *w, int group);

/* Counts calls of binary's function symbol as user-space switches, for pid (-1: any watched
 * process). index (< SWC_MAX_PROBES) names the probe in swc_counters.probe_hits. */
int watch__attach_uprobe(struct swc_watch *w, const char *binary, const char *symbol, pid_t pid,
			 int index);
/* The same at a file offset of binary instead of a symbol (an instruction, not a function). */
int watch__attach_uprobe_offset(struct swc_watch *w, const char *binary, unsigned long offset,
				pid_t pid, int index);
int watch__attach_usdt(struct swc_watch *w, const char *binary, const char *provider,
		       const char *name, pid_t pid, int index);
/* In lean mode, turns the costly half on for an untimed counting pass (or off again): the
 * sys_enter counter, which sends every syscall on the machine through the tracing slow path,
 * and (without emit) the clock and per-task state on each switch and the wake-up timer.
 * Without lean it is all always on. */
int watch__set_counting(struct swc_watch *w, bool on);
/* Detaches every uprobe/USDT link attached so far. */
void watch__detach_user(struct swc_watch *w);

/* Before reaping watched process tgid (a zombie): waits, until deadline_ns at most (swc_now_ns()
 * clock), for its final switch, so that wait4's nvcsw + nivcsw include the switch eBPF counted.
 * A caller reaping many zombies gives them one deadline. Returns 0, or -ETIMEDOUT. */
int watch__await_gone(struct swc_watch *w, pid_t tgid, __u64 deadline_ns);
/* How long a reaper waits for a final switch (for one zombie, or for one batch of them). */
#define GONE_WAIT_NS	(100ULL * 1000 * 1000)
/* Looks up key in a per-CPU map whose values are all __u64 counters (size bytes), summed over
 * ncpus CPUs into out. 0 or -errno. */
int swc_sum_percpu(int map_fd, int ncpus, __u32 key, void *out, size_t size);
/* The watch set's map, for another BPF object to share it (bpf_map__reuse_fd). */
int watch__watched_fd(struct swc_watch *w);
/* Sums a group's per-CPU counters. */
int watch__group_stats(struct swc_watch *w, __u32 group, struct swc_group_stats *out);
int watch__counters(struct swc_watch *w, struct swc_counters *out);
/* Rows of the per-task table by default: 32,768 rows of 440 bytes, 14 MiB of kernel memory */
#define WATCH_MAX_TASKS	32768
/* How many rows the per-task table has, and how many tasks wanted one (more: some were lost,
 * counted once each in swc_counters.tasks_full). */
__u32 watch__tasks_capacity(struct swc_watch *w);
/* Calls fn for every task seen; stops early when fn returns non-zero. */
int watch__for_each_task(struct swc_watch *w,
			 int (*fn)(void *ctx, __u32 tid, const struct swc_task *t), void *ctx);

/* The ring buffer's epoll descriptor, readable when records wait (-1 without emit): lets a
 * caller wait on it beside its own descriptors (records__wait()). */
int watch__epoll_fd(struct swc_watch *w);
/* Consumes at most max records (max > 0) without waiting; returns how many, max meaning
 * "perhaps more are waiting", or -errno from the consumer. */
int watch__consume_some(struct swc_watch *w, long max);
/* Has every CPU send the records it has staged (at most SWC_REC_BATCH - 1 each) to the ring,
 * for a drain to hand out; those it cannot reach count as dropped. 0 or -errno. */
int watch__flush_records(struct swc_watch *w);

#endif
