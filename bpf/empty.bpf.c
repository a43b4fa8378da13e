// SPDX-License-Identifier: GPL-2.0
/*
 * The floor for scripts/bench: the cheapest useful sched_switch program, one per-CPU counter
 * increment. Whatever switchcost adds beyond this is the price of its own bookkeeping.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(bench_empty_switch)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &zero);

	if (n)
		(*n)++;
	return 0;
}
