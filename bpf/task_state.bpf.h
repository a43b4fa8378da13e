/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A task's scheduler state word on any kernel: Linux 5.14 renamed task_struct::state to
 * __state (commit 2f064a59a11f). Included by each BPF object that reads prev's state at
 * sched_switch (switch.bpf.c, and the benchmark's records floor in empty.bpf.c).
 */
#ifndef SWC_TASK_STATE_BPF_H
#define SWC_TASK_STATE_BPF_H

struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return t->__state;
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

#endif /* SWC_TASK_STATE_BPF_H */
