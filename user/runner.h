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

/* Probes for one runner only: arm() runs once it exists (its pid) and before it starts,
 * disarm() once it is reaped or killed. measure.c's counting pass uses them. */
struct swc_runner_arm {
	int (*arm)(void *ctx, pid_t pid);
	void (*disarm)(void *ctx);
	void *ctx;
};

/*
 * Forks a runner into BPF group `group` (w may be NULL: no BPF), arms `arm` (NULL: nothing),
 * starts it, and waits for it. Returns 0 (see out->ok for the workload's own fate), -EINTR
 * when a stop was requested (the runner's process group is killed and reaped), or another
 * -errno.
 */
int swc_runner_run(struct swc_watch *w, int group, enum swc_workload_id id,
		   const struct swc_workload_cfg *cfg, const struct swc_runner_arm *arm,
		   struct swc_runner_result *out);

/* "exited with status 3", "killed by signal 11 (Segmentation fault)". Returns buf. */
char *swc_describe_status(int status, char *buf, size_t len);

#endif
