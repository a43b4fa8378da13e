#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost lab: each scenario with a short unit; shapes and orderings, generous tolerances.
bats_require_minimum_version 1.5.0
load helpers

# The unit of the timed scenarios, and the scheduling slack: on a loaded, shared VM a woken
# sleeper has waited tens of ms for a CPU, a delay in ms whatever the unit.
UNIT_MS=50
SLACK_MS=100

# |measured - expected| (units) within 30% of a unit plus the scheduling slack; says which
# when it fails
within() {
	jq -e --argjson m "$1" --argjson e "$2" --argjson s "$SLACK_MS" --argjson u "$UNIT_MS" -n \
		'($m - $e) | fabs <= 0.3 + $s / $u' >/dev/null || {
		echo "measured $1 units, expected $2 ± $(jq -n "0.3 + $SLACK_MS / $UNIT_MS") units" >&2
		return 1
	}
}

# only what a test started in the background, and only if it is still running
teardown() {
	if [ -n "${bg_pid:-}" ]; then
		kill -KILL "$bg_pid" 2>/dev/null || true
		wait "$bg_pid" 2>/dev/null || true
	fi
}

variant() {
	jq -c --arg n "$1" '.variants[] | select(.name == $n)' "$BATS_TEST_TMPDIR/tl.json"
}

@test "lab --list names the five scenarios" {
	swc lab --list
	[ "$status" -eq 0 ]
	[ "$(awk '{print $1}' <<<"$output" | tr '\n' ' ')" = "timeline cost parallel join address-space " ]
}

@test "lab: a bad scenario name is a usage error" {
	swc lab nosuch
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: unknown scenario 'nosuch': choose from timeline, cost, parallel, join, address-space (see switchcost lab --help)" ]
	[ -z "$output" ]
}

@test "lab --list with a scenario is a usage error, named or not a scenario" {
	swc lab nosuch --list
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: unknown scenario 'nosuch': choose from timeline, cost, parallel, join, address-space (see switchcost lab --help)" ]
	[ -z "$output" ]
	swc lab --list cost
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --list lists every scenario and 'cost' runs one: give either (see switchcost lab --help)" ]
	[ -z "$output" ]
}

@test "lab: no scenario, two scenarios, bad --unit are usage errors" {
	swc lab
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: no scenario given: choose from timeline, cost, parallel, join, address-space (see switchcost lab --help)" ]
	swc lab timeline cost
	[ "$status" -eq 2 ]
	swc lab timeline --unit 0
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --unit wants a duration from 1ms to 10s such as 20ms or 0.5s, not '0' (see switchcost lab --help)" ]
}

@test "lab timeline --json: the notes' totals, in order, within tolerance" {
	requires root btf bpf
	swc lab timeline --unit ${UNIT_MS}ms --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/tl.json"
	jq -e --argjson u $((UNIT_MS * 1000000)) '.tool == "switchcost" and .command == "lab" and
	       .scenario == "timeline" and .unit_ns == $u and (.system | type == "object")' \
		"$BATS_TEST_TMPDIR/tl.json"
	[ "$(jq -r '[.variants[].name] | join(",")' "$BATS_TEST_TMPDIR/tl.json")" = \
		"sequential,async_blocking,async,threads_join,threads_nojoin,threads_daemon" ]
	jq -e --argjson u $((UNIT_MS * 1000000)) \
		'[.variants[] | .ok and (.unit_ns == $u) and (.expected_units | type == "number")] | all' \
		"$BATS_TEST_TMPDIR/tl.json"
	# expected values are the notes'
	[ "$(jq -r '[.variants[].expected_units] | map(tostring) | join(",")' "$BATS_TEST_TMPDIR/tl.json")" = "11,6,2,6,0,4" ]
	# sequential ≈ 11 units, blocking coroutines ≈ 6, cooperative ≈ 2, threads with join ≈ 6
	within "$(variant sequential | jq .measured_units)" 11
	within "$(variant async_blocking | jq .measured_units)" 6
	within "$(variant async | jq .measured_units)" 2
	within "$(variant threads_join | jq .measured_units)" 6
	within "$(variant threads_nojoin | jq .measured_units)" 0
	# the orderings: sequential > blocking coroutines > cooperative coroutines; threads < sequential
	jq -e '.variants[0].measured_units > .variants[1].measured_units and
	       .variants[1].measured_units > .variants[2].measured_units and
	       .variants[3].measured_units < .variants[0].measured_units' "$BATS_TEST_TMPDIR/tl.json"
	# the event loop sat in blocking calls while others were ready: 3 units (fun1's sleep(3)
	# with fun2, fun3 not started) + 1 (fun1's sleep(1) with fun2 due); none when only awaiting
	within "$(variant async_blocking | jq .loop_blocked_while_ready_units)" 4
	variant async | jq -e '.loop_blocked_while_ready_units < 0.1'
	# one kernel task (the loop) for coroutines; four (main + fun1..3) for threads
	variant async_blocking | jq -e '[.tasks[].comm] == ["loop"]'
	variant threads_join | jq -e '[.tasks[].comm] | sort == ["fun1", "fun2", "fun3", "main"]'
	jq -e '.bpf.events_dropped == 0 and .bpf.tasks_untracked == 0 and
	       .bpf.processes_unwatched == 0' "$BATS_TEST_TMPDIR/tl.json"
	assert_no_bpf_left
}

@test "lab timeline: human output shows each variant, its timeline and the notes' table" {
	requires root btf bpf
	swc lab timeline --unit ${UNIT_MS}ms
	[ "$status" -eq 0 ]
	for v in sequential async_blocking async threads_join threads_nojoin threads_daemon; do
		# a variant a loaded machine spoiled carries the "!" marker before the dash
		grep -qE "^$v (! )?— " <<<"$output"
	done
	grep -qE '^  main \[[0-9]+\] +\|' <<<"$output"
	grep -q 'async_fun1 (coroutine)' <<<"$output"
	grep -q "Execution time, as in the notes' table" <<<"$output"
	grep -q 'NEVER COMPLETED' <<<"$output"
	grep -q 'Switch records lost (ring buffer full): 0' <<<"$output"
	assert_no_bpf_left
}

@test "lab join --json: without join the threads outlive the main thread; daemon work is cut off" {
	requires root btf bpf
	swc lab join --unit ${UNIT_MS}ms --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/tl.json"
	[ "$(jq -r '[.variants[].name] | join(",")' "$BATS_TEST_TMPDIR/tl.json")" = \
		"threads_join,threads_nojoin,threads_daemon" ]
	# not joined: the main thread measures about nothing, the threads end about 6 units later
	variant threads_nojoin | jq -e '.measured_units < 0.8 and .process_end_units > 5.5'
	variant threads_nojoin | jq -e '[.jobs[].completed] | all'
	variant threads_nojoin | jq -e '.jobs[0].thread_exit_units > 5.5'
	# daemon-style: fun1 (6 units) never completes; its thread dies with the main thread
	variant threads_daemon | jq -e '[.jobs[].completed] == [false, true, true]'
	variant threads_daemon | jq -e '(.jobs[0].thread_exit_units - .main_thread_exit_units) | fabs < 0.8'
	assert_no_bpf_left
}

@test "lab parallel: sharing one CPU means preemption by the other worker; spread, almost none" {
	requires root btf bpf smp
	swc lab parallel --iterations 30000000 --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/par.json"
	for w in threads processes; do
		one=$(jq --arg w $w '.runs[] | select(.workers == $w and .placement == "one_cpu") | .involuntary_by_sibling' "$BATS_TEST_TMPDIR/par.json")
		spread=$(jq --arg w $w '.runs[] | select(.workers == $w and .placement == "spread") | .involuntary_by_sibling' "$BATS_TEST_TMPDIR/par.json")
		clean=$(jq --arg w $w '[.runs[] | select(.workers == $w) | .valid] | all' "$BATS_TEST_TMPDIR/par.json")
		echo "$w: one CPU $one, spread $spread, both clean: $clean"
		# on a loaded machine other tasks take the CPU between the workers, and the runs say
		# so (valid false, with the reason); the shape holds for clean runs
		[ "$clean" = false ] || [ "$one" -gt "$spread" ]
	done
	# pinned to one CPU they cannot use more than one CPU's time
	jq -e '[.runs[] | select(.placement == "one_cpu") | .cpu_per_wall < 1.3] | all' "$BATS_TEST_TMPDIR/par.json"
	jq -e '.bpf.events_dropped == 0 and .bpf.tasks_untracked == 0' "$BATS_TEST_TMPDIR/par.json"
	assert_no_bpf_left
}

@test "lab parallel on one allowed CPU (taskset, or lab --cpus 0): 'on one CPU', none 'one per CPU'" {
	requires root btf bpf
	command -v taskset >/dev/null || skip "needs taskset (util-linux)"
	for how in "taskset -c 0 $SWITCHCOST lab parallel" "$SWITCHCOST lab parallel --cpus 0"; do
		run --separate-stderr $how --iterations 3000000
		[ "$status" -eq 0 ]
		[ "$(grep -c '^2 threads on one CPU' <<<"$output")" -eq 1 ]
		[ "$(grep -c '^2 processes on one CPU' <<<"$output")" -eq 1 ]
		! grep -q 'one per CPU' <<<"$output" || false
		grep -q 'the spread runs were skipped' <<<"$output"
	done
	assert_no_bpf_left
}

@test "lab parallel: human output names the GIL and the trace command" {
	requires root btf bpf smp
	swc lab parallel --iterations 10000000
	[ "$status" -eq 0 ]
	grep -q 'no GIL' <<<"$output"
	grep -q 'switchcost trace' <<<"$output"
	grep -q 'both on CPU' <<<"$output"
}

@test "lab cost --json: a coroutine switch is far cheaper and never reaches the kernel" {
	requires root btf bpf
	swc lab cost -n 1000 --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/cost.json"
	[ "$(jq -r '[.results[].workload] | join(",")' "$BATS_TEST_TMPDIR/cost.json")" = "process,thread,coroutine" ]
	jq -e '[.results[].ok] | all' "$BATS_TEST_TMPDIR/cost.json"
	# process vs thread is close on some machines: only the coroutine's place is asserted
	jq -e '.results[0].ratio_to_coroutine > 10 and .results[1].ratio_to_coroutine > 10' "$BATS_TEST_TMPDIR/cost.json"
	jq -e '.results[0].ebpf.kernel_switches_per_switch > 0.5 and
	       .results[1].ebpf.kernel_switches_per_switch > 0.5 and
	       .results[2].ebpf.kernel_switches_per_switch < 0.01' "$BATS_TEST_TMPDIR/cost.json"
	jq -e '.results[2].counting_pass.uprobe_hits == .results[2].counting_pass.switches_made' "$BATS_TEST_TMPDIR/cost.json"
	# futex hand-off: the kernel is entered for every process or thread switch, never for a
	# coroutine's: its pass makes a fixed handful of syscalls (setting up, reporting back),
	# about 24 here, which -n 1000's 2,000 switches do not dilute below 1%
	jq -e '.results[0].counting_pass.syscalls_per_switch >= 0.5 and
	       .results[1].counting_pass.syscalls_per_switch >= 0.5 and
	       .results[2].counting_pass.syscalls_per_switch < 0.05' "$BATS_TEST_TMPDIR/cost.json"
	jq -e '.bpf | .events_dropped == 0 and .tasks_untracked == 0 and .processes_unwatched == 0' \
		"$BATS_TEST_TMPDIR/cost.json"
	# one vocabulary: the counting pass is the same object as run's, key for key
	"$SWITCHCOST" --quick --json thread >"$BATS_TEST_TMPDIR/run.json"
	[ "$(jq -c '[.results[].counting_pass | keys]' "$BATS_TEST_TMPDIR/cost.json")" = \
	  "$(jq -c '.results[0].counting_pass | keys | [., ., .]' "$BATS_TEST_TMPDIR/run.json")" ]
	assert_no_bpf_left
}

@test "lab cost: human output, timed pass counting only, with syscalls/switch and the uprobe's count" {
	requires root btf bpf
	swc lab cost -n 1000
	[ "$status" -eq 0 ]
	grep -q '^# timed with sched_switch counters only; syscalls and coroutine switches counted in an untimed pass$' <<<"$output"
	grep -qE '^switch +per switch .* syscalls/switch$' <<<"$output"
	grep -qE '^thread +.* [0-9]+\.[0-9]{2}$' <<<"$output"
	grep -qE 'in an untimed pass a uprobe counted [0-9,]+ of' <<<"$output"
	grep -qE 'the kernel switched [0-9,]+ times \([0-9,]+ thread-to-thread switches\)' <<<"$output"
	assert_no_bpf_left
}

@test "lab timeline: SIGINT stops it with 130, no child and no BPF program left" {
	requires root btf bpf
	"$SWITCHCOST" lab timeline --unit 200ms >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	bg_pid=$!
	local rc=0
	sleep 1
	kill -INT "$bg_pid"
	wait "$bg_pid" || rc=$?
	bg_pid=
	[ "$rc" -eq 130 ]
	grep -q '^switchcost: interrupted by Interrupt' "$BATS_TEST_TMPDIR/err"
	assert_no_switchcost_left
	assert_no_bpf_left
}

@test "lab parallel: SIGKILL of switchcost leaves no worker process behind" {
	requires root btf bpf
	# the worker processes come after the thread runs (several seconds here) and have seconds
	# of work left when switchcost dies: only PR_SET_PDEATHSIG ends them at once
	"$SWITCHCOST" lab parallel --iterations 2000000000 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	bg_pid=$!
	local rc=0 i child workers=""
	# switchcost -> the run's main -> its two worker processes (threads are not processes)
	for i in $(seq 1200); do
		child=$(pgrep -P "$bg_pid" || true)
		[ -n "$child" ] && workers=$(pgrep -P "$child" || true)
		[ "$(wc -w <<<"$workers")" -ge 2 ] && break
		sleep 0.1
	done
	echo "lab child $child, workers $workers"
	[ "$(wc -w <<<"$workers")" -ge 2 ]
	kill -KILL "$bg_pid"
	wait "$bg_pid" || rc=$?
	bg_pid=
	[ "$rc" -eq 137 ]
	# the kernel sends the parent-death signals as the parents exit: give it a moment (a
	# zombie waiting for init to reap it is dead already)
	local pids="${workers//$'\n'/,},$child"
	for i in $(seq 10); do
		[ -z "$(ps -o stat= -p "$pids" | grep -v '^Z')" ] && break
		sleep 0.05
	done
	if [ -n "$(ps -o stat= -p "$pids" | grep -v '^Z')" ]; then
		echo "left running: $(ps -o pid,ppid,stat,args -p "$pids")" >&2
		false
	fi
	assert_no_switchcost_left
	assert_no_bpf_left
}
