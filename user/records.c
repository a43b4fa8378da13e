// SPDX-License-Identifier: GPL-2.0-only
/* The one consumer of switch records: see records.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include "clock.h"
#include "records.h"
#include "signals.h"

#define NS_PER_MS	1000000ULL

/* Did a signal that `unblocked` lets in arrive? ppoll() returns ready descriptors before it
 * delivers pending signals, so at full event rate it might never deliver them: run their
 * handlers now. */
static bool take_pending_signals(const sigset_t *unblocked)
{
	sigset_t pending, saved;
	bool any = false;

	if (!unblocked || sigpending(&pending))
		return false;
	for (int sig = 1; sig < NSIG && !any; sig++)
		any = sigismember(&pending, sig) == 1 && sigismember(unblocked, sig) == 0;
	if (any) {
		sigprocmask(SIG_SETMASK, unblocked, &saved);
		sigprocmask(SIG_SETMASK, &saved, NULL);
	}
	return any;
}

int records__wait(struct swc_watch *w, int fd, int timeout_ms, const sigset_t *unblocked)
{
	int epfd = w ? watch__epoll_fd(w) : -1;
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },		/* a negative fd is ignored */
		{ .fd = epfd, .events = POLLIN },
	};
	__u64 deadline = timeout_ms < 0 ? 0 : swc_now_ns() + (__u64)timeout_ms * NS_PER_MS;
	bool backlog = false;
	int r, n;

	for (;;) {
		struct timespec ts, *tsp = NULL;
		__u64 now, wait_ns = ~0ULL;

		/* ppoll() may never block, so never see EINTR, while records keep coming */
		if (stop_requested)
			return -EINTR;
		now = swc_now_ns();
		if (deadline) {
			if (now >= deadline)
				return 0;
			wait_ns = deadline - now;
		}
		if (epfd >= 0 && wait_ns > SWC_RECORD_TICK_MS * NS_PER_MS)
			wait_ns = SWC_RECORD_TICK_MS * NS_PER_MS;
		if (backlog)
			wait_ns = 0;
		if (wait_ns != ~0ULL) {
			ts.tv_sec = (time_t)(wait_ns / 1000000000ULL);
			ts.tv_nsec = (long)(wait_ns % 1000000000ULL);
			tsp = &ts;
		}
		r = ppoll(pfd, 2, tsp, unblocked);
		if (r < 0) {
			if (errno != EINTR)
				return -errno;
			return stop_requested ? -EINTR : 0;
		}
		if (epfd >= 0) {
			n = watch__consume_some(w, SWC_RECORD_SLICE);
			if (n < 0 && n != -EINTR)
				return n;
			backlog = n >= SWC_RECORD_SLICE;
		}
		if (r > 0 && take_pending_signals(unblocked))
			return stop_requested ? -EINTR : 0;
		if (pfd[0].revents)
			return 1;
	}
}

int records__drain(struct swc_watch *w, long limit)
{
	long left = limit;
	int n;

	if (watch__epoll_fd(w) < 0)
		return 0;
	/* the CPUs' partial batches first, so the drain hands them out too */
	n = watch__flush_records(w);
	if (n < 0)
		return n;
	do {
		n = watch__consume_some(w, SWC_RECORD_SLICE);
		if (n < 0)
			return n == -EINTR ? 0 : n;
		left -= n;
	} while (n >= SWC_RECORD_SLICE && (!limit || left > 0));
	return 0;
}
