// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes for `switchcost doctor`: each program is the smallest use of one kernel
 * feature switchcost relies on. user/feature_probe.c loads them one at a time, so each refusal
 * names exactly one missing feature.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} probe_task_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_ring SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(probe_tp_btf)
{
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(probe_raw_tp)
{
	return 0;
}

/* task storage from a tracing program (Linux 5.11) */
SEC("tp_btf/sched_switch")
int BPF_PROG(probe_task_storage)
{
	__u64 *v = bpf_task_storage_get(&probe_task_map, bpf_get_current_task_btf(), 0, 0);

	return v ? 1 : 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(probe_ringbuf)
{
	__u64 *v = bpf_ringbuf_reserve(&probe_ring, sizeof(*v), 0);

	if (v)
		bpf_ringbuf_discard(v, 0);
	return 0;
}

/* an atomic fetch-and-add whose result is used (BPF_ATOMIC | BPF_FETCH, Linux 5.12): how
 * switch.bpf.c hands out per-task rows; older verifiers refuse the instruction outright
 * ("BPF_STX uses reserved fields"), wherever it is in the program */
__u32 probe_counter;

SEC("raw_tp/sched_switch")
int BPF_PROG(probe_atomic_fetch)
{
	return __sync_fetch_and_add(&probe_counter, 1) & 1;
}

/* with what switchcost's own uprobe programs call: the probe's cookie (Linux 5.15) and the
 * current task as BTF (5.11) */
SEC("uprobe")
int BPF_KPROBE(probe_uprobe)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return (bpf_get_attach_cookie(ctx) + t->pid) & 1;
}
