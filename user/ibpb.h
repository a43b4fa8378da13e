/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IBPB, the mitigation a task can ask for: with prctl(PR_SET_SPECULATION_CTRL,
 * PR_SPEC_INDIRECT_BRANCH, PR_SPEC_DISABLE) the kernel flushes the branch predictor (IBPB) when
 * it switches into or out of that task's address space, where spectre_v2_user is prctl or
 * seccomp. Threads of one process share the address space, so they never pay it.
 */
#ifndef SWC_IBPB_H
#define SWC_IBPB_H

#include <stdbool.h>
#include <stddef.h>

struct swc_addrspace;

/*
 * Whether the calling task may ask for IBPB; when not, why (e.g. "IBPB unsupported, STIBP off:
 * the kernel takes no per-task request"), from PR_GET_SPECULATION_CTRL and the facts.
 */
bool swc_ibpb_available(const struct swc_addrspace *as, char *why, size_t len);
/* Asks for it for the calling task; processes and threads it creates later inherit it.
 * Returns 0 or -errno. */
int swc_ibpb_opt_in(void);
/* Whether the calling task has asked for it (and the kernel agreed). */
bool swc_ibpb_in_force(void);

#endif
