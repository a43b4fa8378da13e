/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The measured workloads: two parties hand a token back and forth, and the runner times
 * round trips. process and thread share one hand-off implementation (futex or pipes,
 * workload_handoff.c), so comparing them compares the switch, not the IPC; coroutine and
 * ucontext switch in one thread (workload_coro.c). This file: the names, the timing skeleton,
 * syscall, the sweep's baseline and the entry.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity, CPU_SET, syscall, strsignal */
#endif

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ibpb.h"
#include "workload.h"
#include "workload_run.h"

static const char *const wl_names[SWC_WL_NR] = {
	[SWC_WL_PROCESS] = "process",
	[SWC_WL_THREAD] = "thread",
	[SWC_WL_COROUTINE] = "coroutine",
	[SWC_WL_UCONTEXT] = "ucontext",
	[SWC_WL_SYSCALL] = "syscall",
	[SWC_WL_CORO_FLOOR] = "coroutine-floor",
	[SWC_WL_CORO_RET] = "coroutine-ret",
};

const char *swc_workload_name(enum swc_workload_id id)
{
	if ((unsigned int)id >= SWC_WL_NR)
		return "unknown";
	return wl_names[id];
}

int swc_workload_from_name(const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < SWC_WL_NR; i++)
		if (strcmp(name, wl_names[i]) == 0)
			return i;
	return -1;
}

bool swc_workload_uses_kernel(enum swc_workload_id id)
{
	return id == SWC_WL_PROCESS || id == SWC_WL_THREAD;
}

const char *swc_workload_handoff(enum swc_workload_id id, enum swc_ipc ipc)
{
	if (!swc_workload_uses_kernel(id))
		return NULL;
	if (ipc == SWC_IPC_PIPE)
		return "pipe";
	if (ipc == SWC_IPC_FUTEX_PRIVATE && id == SWC_WL_THREAD)
		return "futex-private";
	return "futex-shared";
}

static void __attribute__((format(printf, 3, 0)))
wl_vreport(const struct wl_ctx *c, const char *cause, const char *fmt, va_list ap)
{
	char step[256];

	vsnprintf(step, sizeof(step), fmt, ap);
	if (cause)
		fprintf(stderr, "switchcost: %s workload: %s: %s\n", swc_workload_name(c->id), step,
			cause);
	else
		fprintf(stderr, "switchcost: %s workload: %s\n", swc_workload_name(c->id), step);
}

int wl_fail(const struct wl_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_vreport(c, strerror(err), fmt, ap);
	va_end(ap);
	return -err;
}

int wl_msg(const struct wl_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_vreport(c, NULL, fmt, ap);
	va_end(ap);
	return -err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int pin_self(const struct wl_ctx *c, int cpu)
{
	cpu_set_t set;

	if (cpu < 0) {
		if (sched_setaffinity(0, sizeof(c->orig), &c->orig))
			return wl_fail(c, errno, "restoring the original CPU affinity");
		return 0;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);	/* out of range leaves the set empty: EINVAL below */
	if (sched_setaffinity(0, sizeof(set), &set))
		return wl_fail(c, errno, "pinning to CPU %d", cpu);
	return 0;
}

/*
 * Test hook, not a feature: SWITCHCOST_TEST_CRASH=<workload name> makes that workload die of
 * SIGSEGV right after its warm-up, so tests can check that a crashed workload is reported
 * and the other workloads still run.
 */
static void test_crash_hook(const struct wl_ctx *c)
{
	const char *v = getenv("SWITCHCOST_TEST_CRASH");
	sigset_t set;

	if (!v || strcmp(v, swc_workload_name(c->id)) != 0)
		return;
	signal(SIGSEGV, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSEGV);
}

/* The timing skeleton: warm-up, the crash hook, then each timed repeat. */
int run_repeats(struct wl_ctx *c, int (*burst)(void *st, unsigned long n), void *st)
{
	const struct swc_workload_cfg *cfg = c->cfg;
	unsigned int r;
	int err;

	if (cfg->warmup) {
		err = burst(st, cfg->warmup);
		if (err)
			return err;
	}
	test_crash_hook(c);
	for (r = 0; r < cfg->repeats; r++) {
		uint64_t t0, t1;

		t0 = now_ns();
		err = burst(st, cfg->round_trips);
		t1 = now_ns();
		if (err)
			return err;
		c->res->ns[r] = (double)(t1 - t0);
		c->res->repeats = r + 1;
	}
	return 0;
}

/* ---- syscall ---------------------------------------------------------------------------- */

/*
 * getpid: the cheapest syscall there is (it reads one field of current). Called through
 * syscall(), so no libc cache (glibc cached getpid once) can answer in its place. getppid,
 * which this row timed before, does more: it reads the parent under the RCU read lock.
 */
static int syscall_burst(void *st, unsigned long n)
{
	unsigned long i;

	(void)st;
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	return 0;
}

static int run_syscall(struct wl_ctx *c)
{
	int err = pin_self(c, c->cfg->cpu_a);

	return err ? err : run_repeats(c, syscall_burst, NULL);
}

/* ---- the sweep's baseline: the same touching, no switch -------------------------------- */

static int touch_burst(void *st, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < 2 * n; i++)
		swc_wss_touch(st);
	return 0;
}

/* One party touching its working set as often as the two parties of a round trip do, with no
 * hand-off: its data stays in the caches and TLB, so a switched row's excess over this is what
 * the switch costs, the refills after it included. */
static int run_touch_only(struct wl_ctx *c)
{
	struct swc_wss ws;
	int err = pin_self(c, c->cfg->cpu_a);

	if (err)
		return err;
	err = swc_wss_open(&ws, c->cfg->ws_bytes, c->cfg->ws_pattern);
	if (err)
		return wl_fail(c, -err, "mapping the working set");
	err = run_repeats(c, touch_burst, &ws);
	swc_wss_close(&ws);
	return err;
}

/* ---- entry ------------------------------------------------------------------------------ */

int swc_workload_run(enum swc_workload_id id, const struct swc_workload_cfg *cfg,
		     struct swc_workload_result *res)
{
	struct wl_ctx c = { .id = id, .cfg = cfg, .res = res };
	int err;

	if ((unsigned int)id >= SWC_WL_NR)
		return wl_msg(&c, EINVAL, "no workload with id %d", (int)id);
	memset(res, 0, sizeof(*res));
	if (cfg->repeats < 1 || cfg->repeats > SWC_MAX_REPEATS)
		return wl_msg(&c, EINVAL, "repeats must be 1..%d, not %u", SWC_MAX_REPEATS,
			      cfg->repeats);
	if (cfg->round_trips < 1)
		return wl_msg(&c, EINVAL, "round trips must be at least 1");
	if (sched_getaffinity(0, sizeof(c.orig), &c.orig))
		return wl_fail(&c, errno, "reading the CPU affinity");
	res->switches = id == SWC_WL_SYSCALL ? cfg->round_trips : 2ull * cfg->round_trips;
	/* asked before the partner is forked or cloned: it inherits the request */
	if (cfg->ibpb && (err = swc_ibpb_opt_in()))
		return wl_fail(&c, -err, "asking for IBPB (prctl PR_SPEC_INDIRECT_BRANCH)");

	if (cfg->ws_baseline) {
		err = run_touch_only(&c);
		sched_setaffinity(0, sizeof(c.orig), &c.orig);
		return err;
	}
	switch (id) {
	case SWC_WL_PROCESS:
		err = run_process(&c);
		break;
	case SWC_WL_THREAD:
		err = run_thread(&c);
		break;
	case SWC_WL_COROUTINE:
	case SWC_WL_CORO_FLOOR:
	case SWC_WL_CORO_RET:
		err = run_coroutine(&c);
		break;
	case SWC_WL_UCONTEXT:
		err = run_ucontext(&c);
		break;
	default:
		err = run_syscall(&c);
		break;
	}
	/* Give the runner back its own mask (best effort: it was readable a moment ago). */
	sched_setaffinity(0, sizeof(c.orig), &c.orig);
	return err;
}
