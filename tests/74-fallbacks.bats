#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Older kernels' routes, taken here through the test knob SWITCHCOST_DISABLE (feature names as
# doctor prints them): without task storage (Linux < 5.11) the per-task times live in an LRU
# hash keyed by tid and still agree with the kernel's own counters; without a uprobe that loads
# (attach cookie: 5.15) the coroutine counting pass is not measured and the rest runs; without
# atomic fetch-and-add (5.12) nothing loads, and doctor says so.
bats_require_minimum_version 1.5.0
load helpers

BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)

# The type of the map named hot_state that process $1 holds (the ids in its fdinfo: other
# checkouts' switchcost may run at the same time), or "" when none appeared.
hot_state_type_during() {
	local pid=$1 i ids t
	for i in $(seq 100); do
		ids=$(grep -hs '^map_id:' /proc/"$pid"/fdinfo/* | awk '{ print $2 }' | paste -sd, -)
		t=$("$BPFTOOL" map show --json 2>/dev/null | jq -r --arg ids "$ids" \
			'($ids | split(",")) as $mine | .[] | select(.name == "hot_state") |
			 select((.id | tostring) as $id | $mine | index($id)) | .type' | head -1)
		[ -n "$t" ] && { echo "$t"; return; }
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
}

@test "SWITCHCOST_DISABLE=task_storage: the tid hash route, agreeing exactly with the kernel's counters" {
	requires root btf bpf
	swc --quick --json process thread
	[ "$status" -eq 0 ]
	# the same run takes task storage without the knob
	SWITCHCOST_DISABLE=task_storage run --separate-stderr "$SWITCHCOST" --quick --json process thread
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"SWITCHCOST_DISABLE=task_storage: taking the route for a kernel without it"* ]]
	echo "$output" | jq -e '[.results[] | .ebpf_minus_kernel_counters == 0] | length == 2 and all'
	# the latency columns are measured through the fallback: off-CPU and wake-up delays
	echo "$output" | jq -e '[.results[] | .ebpf.off_ns.count > 0 and .ebpf.wakeup_delay_ns.count > 0] | all'
	assert_no_bpf_left
}

@test "the route taken shows in the map the kernel holds: task_storage, or lru_hash under the knob" {
	requires root btf bpf
	"$SWITCHCOST" -n 400000 -r 1 thread >/dev/null 2>&1 &
	pid=$!
	t=$(hot_state_type_during $pid)
	wait $pid
	[ "$t" = task_storage ]
	SWITCHCOST_DISABLE=task_storage "$SWITCHCOST" -n 400000 -r 1 thread >/dev/null 2>&1 &
	pid=$!
	t=$(hot_state_type_during $pid)
	wait $pid
	[ "$t" = lru_hash ]
}

@test "SWITCHCOST_DISABLE=uprobe: the coroutine counting pass not measured, with why; exit 0" {
	requires root btf bpf
	SWITCHCOST_DISABLE=uprobe run --separate-stderr "$SWITCHCOST" --quick --json thread coroutine
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.results[] | select(.workload == "coroutine") |
		.counting_pass.not_measured | test("bpf_get_attach_cookie.*switchcost doctor")'
	echo "$output" | jq -e '.results[] | select(.workload == "thread") | .counting_pass.ok'
}

@test "doctor under the knob: task_storage missing but not core (a fallback exists), exit 0" {
	requires root btf bpf
	SWITCHCOST_DISABLE=task_storage,uprobe run --separate-stderr "$SWITCHCOST" doctor --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.core_ok == true'
	echo "$output" | jq -e '.checks[] | select(.name == "task_storage") |
		.ok == false and .core == false and (.detail | test("SWITCHCOST_DISABLE")) and
		(.fix | test("hash keyed by tid"))'
	echo "$output" | jq -e '.checks[] | select(.name == "uprobe") | .fix | test("5.15")'
}

@test "a refused load shows libbpf's warnings above our line; its debug lines only with -v" {
	requires root btf bpf
	# too few file descriptors for the maps: the full route and the fallback both fail
	run -1 --separate-stderr bash -c 'ulimit -n 12; exec "$0" --quick thread' "$SWITCHCOST"
	echo "$stderr" >&2
	grep -q '^libbpf: .*Too many open files' <<<"$stderr"
	if grep -q "^libbpf: loading object" <<<"$stderr"; then false; fi
	[[ "${stderr_lines[-1]}" == "switchcost: loading eBPF programs: Too many open files"* ]]
	run -1 --separate-stderr bash -c 'ulimit -n 12; exec "$0" -v --quick thread' "$SWITCHCOST"
	grep -q "^libbpf: loading object" <<<"$stderr"
	assert_no_bpf_left
}

@test "a refused program's verifier log shows only with -v, as our line says" {
	requires root btf bpf
	local n shown=0
	# an fd limit at which the maps are made and a program's load then fails: libbpf prints
	# the verifier's log of it as a warning. Which limit depends on the build: try a range.
	for n in $(seq 10 48); do
		run --separate-stderr bash -c "ulimit -n $n; exec \"\$0\" -v --quick thread" \
			"$SWITCHCOST"
		[ "$status" -eq 0 ] && break
		grep -q -- "-- BEGIN PROG LOAD LOG --" <<<"$stderr" || continue
		shown=$((shown + 1))
		run -1 --separate-stderr bash -c "ulimit -n $n; exec \"\$0\" --quick thread" \
			"$SWITCHCOST"
		echo "ulimit -n $n: $stderr" >&2
		if grep -q -- "PROG LOAD LOG" <<<"$stderr"; then false; fi
		[[ "${stderr_lines[-1]}" == "switchcost: loading eBPF programs: "*"(run with -v for the verifier's log)" ]]
	done
	[ "$shown" -gt 0 ]
	assert_no_bpf_left
}

@test "SWITCHCOST_DISABLE=task_storage: trace loads too (per-task rows, exec), exit 0" {
	requires root btf bpf
	# trace keeps per-task rows, whose exec hook once read task storage directly: refused
	# on this route ("cannot pass map_type 9 into func bpf_task_storage_get")
	SWITCHCOST_DISABLE=task_storage run --separate-stderr "$SWITCHCOST" trace --json -- \
		/bin/sh -c 'sleep 0.05; exec sleep 0.05'
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	# the shell's row, renamed by its exec
	echo "$output" | jq -e '.tasks | length >= 2 and all(.comm == "sleep")'
	assert_no_bpf_left
}

@test "doctor under the knob: no atomic fetch-and-add (Linux < 5.12) is a core failure, exit 1" {
	requires root btf bpf
	SWITCHCOST_DISABLE=atomic_fetch run --separate-stderr "$SWITCHCOST" doctor --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.core_ok == false'
	echo "$output" | jq -e '.checks[] | select(.name == "atomic_fetch") |
		.ok == false and .core == true and (.fix | test("Linux 5.12"))'
}
