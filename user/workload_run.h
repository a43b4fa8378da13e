/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the workload files share among themselves (workload.h is what the rest of switchcost
 * sees): one run's context, its error reports, pinning, and the timing skeleton every
 * workload's burst runs in. workload.c also holds syscall, the sweep's baseline and the entry;
 * workload_handoff.c process and thread; workload_coro.c coroutine and ucontext.
 */
#ifndef SWC_WORKLOAD_RUN_H
#define SWC_WORKLOAD_RUN_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* cpu_set_t */
#endif
#include <sched.h>
#include "workload.h"

/* State of one run, passed to every step so each can report which workload failed. */
struct wl_ctx {
	enum swc_workload_id id;
	const struct swc_workload_cfg *cfg;
	struct swc_workload_result *res;
	cpu_set_t orig;		/* the runner's affinity on entry, restored on return */
};

/* Reports "<step>: <strerror(err)>" and returns -err. */
__attribute__((format(printf, 3, 4)))
int wl_fail(const struct wl_ctx *c, int err, const char *fmt, ...);
/* Reports a message that already says the cause, and returns -err. */
__attribute__((format(printf, 3, 4)))
int wl_msg(const struct wl_ctx *c, int err, const char *fmt, ...);
/* Pins the calling thread to cpu, or gives it back the runner's original mask when cpu < 0. */
int pin_self(const struct wl_ctx *c, int cpu);
/*
 * The timing skeleton shared by all workloads. burst() does n round trips (the loop is inside
 * it, so the indirect call is paid once per repeat, not per switch) and returns 0 or a
 * negative errno.
 */
int run_repeats(struct wl_ctx *c, int (*burst)(void *st, unsigned long n), void *st);

/* workload_handoff.c: two parties handing off through the kernel (futex or pipes) */
int run_process(struct wl_ctx *c);
int run_thread(struct wl_ctx *c);

/* workload_coro.c: two coroutines in one thread */
int run_coroutine(struct wl_ctx *c);
int run_ucontext(struct wl_ctx *c);

#endif
