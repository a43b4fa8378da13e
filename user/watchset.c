// SPDX-License-Identifier: GPL-2.0-only
/*
 * The watch set: which processes BPF counts, and in which group. A process joins from birth
 * (adopt, fork_watched) or while running (add_pid); await_gone lets a reaper wait for a
 * process's final switch. The encoding is include/switchcost.h's, shared with BPF.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "signals.h"
#include "watch.h"
#include "watchset.h"

void watch__adopt(struct swc_watch *w, int group)
{
	/* a plain store to the mmap'ed .bss; the fork tracepoint reads it in this task's context */
	*watch__set(w)->adopt_group = group < 0 ? 0 : (__u32)group + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int watch__add_pid(struct swc_watch *w, pid_t tgid, __u32 group)
{
	struct swc_watchset *set = watch__set(w);
	__u64 *word;

	if (tgid <= 0 || (size_t)swc_watch_index(tgid) >= set->nwords ||
	    group >= SWC_MAX_GROUPS)
		return -EINVAL;
	/* BPF's fork handler may update the same word at once, hence the atomics */
	word = &set->watched[swc_watch_index(tgid)];
	__atomic_fetch_and(word, ~swc_watch_mask(tgid), __ATOMIC_SEQ_CST);
	__atomic_fetch_or(word, swc_watch_bits(tgid, group), __ATOMIC_SEQ_CST);
	return 0;
}

pid_t swc_fork_watched(struct swc_watch *w, int group)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);	/* nothing buffered twice */
	if (w)
		watch__adopt(w, group);
	pid = fork();
	if (w)
		watch__adopt(w, -1);
	if (pid == 0) {
		setpgid(0, 0);
		swc_signals_child_reset();
		if (getppid() != parent)
			_exit(1);
	} else if (pid > 0) {
		setpgid(pid, pid);
	}
	return pid;
}

int watch__await_gone(struct swc_watch *w, pid_t tgid, __u64 deadline_ns)
{
	const struct timespec step = { .tv_nsec = 50 * 1000 };
	struct swc_watchset *set = watch__set(w);
	__u64 mask = swc_watch_mask(tgid), *word;

	/* BPF marks a process gone by the pid our namespace gives it (targ_pidns_inum) */
	if (!set->gone)
		return -ENOENT;
	if (tgid <= 0 || (size_t)swc_watch_index(tgid) >= set->nwords)
		return -EINVAL;
	word = &set->gone[swc_watch_index(tgid)];
	/* microseconds in practice: the zombie is finishing do_task_dead() on its CPU */
	for (;;) {
		if (__atomic_load_n(word, __ATOMIC_SEQ_CST) & mask) {
			__atomic_fetch_and(word, ~mask, __ATOMIC_SEQ_CST);
			return 0;
		}
		if (swc_now_ns() >= deadline_ns)
			return -ETIMEDOUT;
		nanosleep(&step, NULL);
	}
}

