/* SPDX-License-Identifier: GPL-2.0-only */
/* The measured workloads: two parties handing a token back and forth. */
#ifndef SWC_WORKLOAD_H
#define SWC_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "wss.h"

#define SWC_MAX_REPEATS 100

enum swc_workload_id {
	SWC_WL_PROCESS = 0,	/* two processes (fork), hand-off through cfg->ipc */
	SWC_WL_THREAD,		/* two threads of one process, same hand-off */
	SWC_WL_COROUTINE,	/* two coroutines in one thread, swc_coro_switch() */
	SWC_WL_UCONTEXT,	/* two coroutines in one thread, libc swapcontext() */
	SWC_WL_SYSCALL,		/* reference: getpid in a loop, the cheapest way into the kernel */
	SWC_WL_CORO_FLOOR,	/* reference: the coroutine switch without its stack change */
	SWC_WL_CORO_RET,	/* teaching row: the coroutine switch ending in ret */
	SWC_WL_NR,
};

enum swc_ipc {
	SWC_IPC_FUTEX = 0,	/* futex word in MAP_SHARED memory (same for process and thread) */
	SWC_IPC_PIPE,		/* two pipes, one byte each way (lmbench lat_ctx, OSTEP) */
	SWC_IPC_FUTEX_PRIVATE,	/* thread: FUTEX_PRIVATE_FLAG; process keeps the shared futex */
};

/* The syscall the syscall workload makes, by name. */
#define SWC_SYSCALL_ROW_NAME	"getpid"

struct swc_workload_cfg {
	unsigned long round_trips;	/* N: timed round trips per repeat (2 switches each) */
	unsigned int repeats;		/* R, 1..SWC_MAX_REPEATS */
	unsigned long warmup;		/* untimed round trips before the first repeat */
	int cpu_a, cpu_b;		/* CPUs of the two parties; -1 = not pinned */
	enum swc_ipc ipc;
	bool ibpb;			/* both parties ask for IBPB (user/ibpb.h) before starting */
	/* the indirect-cost sweep (user/sweep.h): each party touches its own ws_bytes between
	 * hand-offs; process, thread and coroutine only */
	unsigned long long ws_bytes;
	enum swc_ws_pattern ws_pattern;
	bool ws_baseline;		/* instead: one party touching twice per round trip, no switch */
	/* counters the runner's parent opens on the runner before it starts, and reads after it
	 * is reaped (user/pmu.h); NULL: none */
	struct swc_pmu *pmu;
	int pmu_kind;			/* enum swc_pmu_kind */
	/* called with a partner process that has exited, before it is reaped (may be NULL) */
	void (*before_reap)(pid_t pid, void *arg);
	void *before_reap_arg;
};

struct swc_workload_result {
	unsigned int repeats;			/* repeats done */
	unsigned long long switches;		/* switches per repeat (2 * N; N for syscall) */
	double ns[SWC_MAX_REPEATS];		/* elapsed ns of each repeat (CLOCK_MONOTONIC) */
};

const char *swc_workload_name(enum swc_workload_id id);
/* Returns the id for a name ("process", "thread", ...), or -1. */
int swc_workload_from_name(const char *name);
/* Which workloads hand off through the kernel (process, thread). */
bool swc_workload_uses_kernel(enum swc_workload_id id);
/*
 * The hand-off workload id uses when ipc is asked for: "futex-shared", "futex-private" or
 * "pipe"; NULL for workloads with no hand-off. A process cannot use a private futex (its key
 * is one address space), so it keeps the shared one.
 */
const char *swc_workload_handoff(enum swc_workload_id id, enum swc_ipc ipc);

/*
 * Runs one workload in the calling process (a forked runner) and fills res. Any process or
 * thread it creates is waited for before it returns, so the caller's rusage covers them.
 * Returns 0, or a negative errno with a message already on stderr.
 */
int swc_workload_run(enum swc_workload_id id, const struct swc_workload_cfg *cfg,
		     struct swc_workload_result *res);

#endif
