#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Inside a PID namespace (a container, here `unshare --pid --mount-proc`) the pids eBPF sees are
# the host's: run measures without eBPF and says why, lab refuses with the reason, doctor says so.
bats_require_minimum_version 1.5.0
load helpers

in_container() {
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a PID namespace"
	run --separate-stderr timeout 120 unshare --pid --fork --mount-proc "$SWITCHCOST" "$@"
	echo "status=$status stderr=$stderr" >&2
}

@test "container: run measures without eBPF, and says why on stderr and under the table" {
	in_container --quick --json process thread
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"kernel columns not measured: inside a PID namespace (a container): the pids eBPF sees are the host's"* ]]
	echo "$output" | jq -e '.config.bpf == false'
	echo "$output" | jq -e '[.results[] | .kernel == null] | all'
	in_container --quick process
	[ "$status" -eq 0 ]
	[[ "$output" == *"Kernel columns n/m: not measured (inside a PID namespace"* ]]
}

@test "container: run --hist and lab refuse with the reason, exit 1" {
	in_container --quick --hist thread
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"--hist and --csv need eBPF: inside a PID namespace"* ]]
	in_container lab cost
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"lab needs eBPF: inside a PID namespace"*"--pid=host"* ]]
}

@test "container: doctor's pid_namespace check fails with the fix; on the host it passes" {
	in_container doctor --json
	echo "$output" | jq -e '.checks[] | select(.name == "pid_namespace") |
		.ok == false and (.fix | test("--pid=host"))'
	swc doctor --json
	echo "$output" | jq -e '.checks[] | select(.name == "pid_namespace") | .ok'
}
