#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Inside a PID namespace (a container; here `unshare --pid --fork --mount-proc`) the pids eBPF sees
# are the host's: run and lab still tell their workloads apart (BPF translates to the namespace's
# pids) and agree with the kernel's own counters; doctor says where it runs.
bats_require_minimum_version 1.5.0
load helpers

in_container() {
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a PID namespace"
	run --separate-stderr timeout 300 unshare --pid --fork --mount-proc "$SWITCHCOST" "$@"
	echo "status=$status stderr=$stderr" >&2
}

@test "container: run's eBPF counts agree exactly with the kernel's counters" {
	requires root btf bpf
	in_container --quick --json process thread
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.config.bpf == true'
	echo "$output" | jq -e '[.results[] | .ebpf_minus_kernel_counters == 0] | length == 2 and all'
	echo "$output" | jq -e '[.results[] | .ebpf.switches > 1000] | all'
}

@test "container: lab cost sees its workloads' switches" {
	requires root btf bpf
	in_container lab cost -n 500 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.results[] | select(.workload != "coroutine") | .ebpf.switches > 500] | all'
}

@test "container: doctor's pid_namespace check says so, and what it means; on the host it passes" {
	requires root btf bpf
	in_container doctor --json
	echo "$output" | jq -e '.checks[] | select(.name == "pid_namespace") |
		.ok == false and (.detail | test("translates")) and (.fix | test("--pid=host"))'
	swc doctor --json
	echo "$output" | jq -e '.checks[] | select(.name == "pid_namespace") | .ok'
}
