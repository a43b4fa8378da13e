/* SPDX-License-Identifier: GPL-2.0-only */
/* Runs one workload in a forked child that the BPF side watches from birth. */
#ifndef SWC_RUNNER_H
#define SWC_RUNNER_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "workload.h"

struct swc_watch;

struct swc_runner_result {
	struct swc_workload_result res;
	struct rusage ru;	/* the runner and everything it reaped (wait4) */
	int status;		/* wait status of the runner */
	bool ok;		/* exited 0 with a complete result */
};

/*
 * Forks a runner into BPF group `group` (w may be NULL: no BPF), starts it, and waits for it.
 * A counting pass (counting = true) is never timed: the sys_enter counter is attached while it
 * runs, and for the coroutine a uprobe on swc_coro_switch of this executable, for that runner
 * only (probe index 0). Returns 0 (see out->ok for the workload's own fate), -EINTR when a stop was
 * requested (the runner's process group is killed and reaped), or another -errno.
 */
int swc_runner_run(struct swc_watch *w, int group, enum swc_workload_id id,
		   const struct swc_workload_cfg *cfg, bool counting,
		   struct swc_runner_result *out);

/* "exited with status 3", "killed by signal 11 (Segmentation fault)". Returns buf. */
char *swc_describe_status(int status, char *buf, size_t len);

#endif
