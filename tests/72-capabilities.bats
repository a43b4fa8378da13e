#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# CAP_BPF + CAP_PERFMON without root: the suite runs; only what needs a uprobe is not measured.
bats_require_minimum_version 1.5.0
load helpers

@test "CAP_BPF + CAP_PERFMON as nobody: the suite runs, exit 0, the coroutine's uprobe pass not measured with why" {
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
	echo "$output" | jq -e '[.results[] | .kernel != null] | all'
	echo "$output" | jq -e '.results[] | select(.workload == "thread") | .probe_pass.ok'
	# this kernel refuses the uprobe without CAP_SYS_ADMIN (doctor's uprobe check says the
	# same); should it ever accept it, the counting pass ran and counted
	if "$SWITCHCOST" doctor --json >/dev/null && setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon \
		"$SWITCHCOST" doctor --json | jq -e '.checks[] | select(.name == "uprobe") | .ok'; then
		echo "$output" | jq -e '.results[] | select(.workload == "coroutine") |
			.probe_pass.uprobe_hits > 0'
	else
		echo "$output" | jq -e '.results[] | select(.workload == "coroutine") |
			.probe_pass.not_measured | test("uprobes refused .*switchcost doctor")'
	fi
	# and the human output says it in words
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon "$SWITCHCOST" --quick coroutine
	[ "$status" -eq 0 ]
	[[ "$output" == *"probed pass"* ]]
}
