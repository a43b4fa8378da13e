// SPDX-License-Identifier: GPL-2.0-only
/* Per-task IBPB through the speculation-control prctl (Documentation/userspace-api/spec_ctrl.rst). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "addrspace.h"
#include "ibpb.h"

/* from <linux/prctl.h>, for libcs whose headers predate them (5.0 added INDIRECT_BRANCH) */
#ifndef PR_SPEC_INDIRECT_BRANCH
#define PR_SPEC_INDIRECT_BRANCH	1
#endif
#ifndef PR_SPEC_PRCTL
#define PR_GET_SPECULATION_CTRL	52
#define PR_SET_SPECULATION_CTRL	53
#define PR_SPEC_PRCTL		(1UL << 0)
#define PR_SPEC_ENABLE		(1UL << 1)
#define PR_SPEC_DISABLE		(1UL << 2)
#define PR_SPEC_FORCE_DISABLE	(1UL << 3)
#endif

bool swc_ibpb_available(const struct swc_addrspace *as, char *why, size_t len)
{
	int r = prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH, 0, 0, 0);

	if (r < 0) {
#if defined(__x86_64__)
		snprintf(why, len, "this kernel has no indirect-branch control (%s)",
			 strerror(errno));
#else
		/* arm64's prctl knows only PR_SPEC_STORE_BYPASS: ENODEV for this one */
		snprintf(why, len, "IBPB is an x86-64 barrier: Linux on this architecture takes no "
				   "per-task indirect-branch request (prctl: %s)", strerror(errno));
#endif
		return false;
	}
	if (r & PR_SPEC_PRCTL)
		return true;
	if (r & (PR_SPEC_DISABLE | PR_SPEC_FORCE_DISABLE))
		snprintf(why, len, "IBPB %s for every task already (spectre_v2_user=on): the "
				   "process row pays it", as->ibpb);
	else
		snprintf(why, len, "IBPB %s, STIBP %s: the kernel takes no per-task request "
				   "(spectre_v2_user=prctl on a CPU with IBPB would)", as->ibpb,
			 as->stibp);
	return false;
}

int swc_ibpb_opt_in(void)
{
	if (prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH, PR_SPEC_DISABLE, 0, 0))
		return -errno;
	return 0;
}

bool swc_ibpb_in_force(void)
{
	int r = prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH, 0, 0, 0);

	return r > 0 && (r & (PR_SPEC_DISABLE | PR_SPEC_FORCE_DISABLE));
}
