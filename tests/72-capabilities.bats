#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# CAP_BPF + CAP_PERFMON without root: the suite runs; only what needs a uprobe is not measured.
bats_require_minimum_version 1.5.0
load helpers

@test "CAP_BPF + CAP_PERFMON as nobody: the suite runs, exit 0, the coroutine's counting pass not measured with why" {
	requires btf nobody
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	cd "$BATS_TEST_TMPDIR"
	chmod o+rx "$BATS_TEST_TMPDIR"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$SWITCHCOST" --quick --json
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	# the kernel's evidence is there for every row
	echo "$output" | jq -e '[.results[] | .ebpf != null] | all'
	echo "$output" | jq -e '.results[] | select(.workload == "thread") | .counting_pass.ok'
	# this kernel refuses the uprobe without CAP_SYS_ADMIN (doctor's uprobe check says the
	# same); should it ever accept it, the counting pass ran and counted
	if "$SWITCHCOST" doctor --json >/dev/null && setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon \
		"$SWITCHCOST" doctor --json | jq -e '.checks[] | select(.name == "uprobe") | .ok'; then
		echo "$output" | jq -e '.results[] | select(.workload == "coroutine") |
			.counting_pass.uprobe_hits > 0'
	else
		echo "$output" | jq -e '.results[] | select(.workload == "coroutine") |
			.counting_pass.not_measured | test("uprobes refused .*switchcost doctor")'
	fi
	# and the human output says it in words
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$SWITCHCOST" --quick coroutine
	[ "$status" -eq 0 ]
	[[ "$output" == *"counting pass"* ]]
}

# as nobody with CAP_BPF + CAP_PERFMON only; skips unless the uprobe is refused there
as_capped() {
	requires btf nobody
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	cd "$BATS_TEST_TMPDIR"
	chmod o+rx "$BATS_TEST_TMPDIR"
	if setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+bpf,+perfmon \
		--ambient-caps=+bpf,+perfmon "$SWITCHCOST" doctor --json |
		jq -e '.checks[] | select(.name == "uprobe") | .ok' >/dev/null; then
		skip "this kernel lets CAP_BPF + CAP_PERFMON attach uprobes"
	fi
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$SWITCHCOST" "$@"
	echo "status=$status stderr=$stderr" >&2
}

@test "CAP_BPF + CAP_PERFMON: lab cost runs, the coroutine's counting pass not measured with why" {
	as_capped lab cost -n 500 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.results[] | .ok] | all'
	echo "$output" | jq -e '.results[] | select(.workload == "coroutine") |
		.counting_pass.not_measured | test("uprobes refused .*switchcost doctor")'
	echo "$output" | jq -e '.results[] | select(.workload == "thread") | .counting_pass.syscalls > 0'
}

@test "CAP_BPF + CAP_PERFMON: trace --uprobe traces the switches, the probe's hits not measured" {
	as_capped trace --json --uprobe libc.so.6:getpid -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"1 user-space probe not measured: uprobes refused"* ]]
	echo "$output" | jq -e '.probes[0].hits == null and (.probes[0].not_measured | test("CAP_SYS_ADMIN"))'
}
