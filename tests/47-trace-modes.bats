#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost trace's modes and limits: syscall counting only when asked, the per-task table's
# size and what happens when it is full, the system-wide view, the filters and pid namespaces.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	make_progdir modes-test
	build_traced
}

teardown_file() {
	rm -rf "$PROGDIR"
}

@test "trace: syscalls and wake-ups are counted with --syscalls only, 'not measured' without" {
	requires root btf bpf
	swc trace --json -- "$TRACED" threads 500
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.syscalls == null and .wakeups == null and .counts_agree == true'
	swc trace --syscalls --json -- "$TRACED" threads 500
	[ "$status" -eq 0 ]
	# each hand-off is at least a futex wake and a wait; each a wake-up of the other thread
	echo "$output" | jq -e '.syscalls >= 1000 and .wakeups >= 500 and .counts_agree == true'
	swc trace -- "$TRACED" threads 100
	[ "$status" -eq 0 ]
	[[ "$output" == *"wake-ups and syscalls: not measured (--syscalls counts them)"* ]]
	[[ "$output" != *" 0 syscalls"* ]]
	swc trace --syscalls -- "$TRACED" threads 100
	[[ "$output" =~ [1-9][0-9,]*" wake-ups, "[1-9][0-9,]*" syscalls" ]]
}

# The tracepoints switchcost process $1 has attached eBPF programs to (its bpf_link fds), one a
# line, sorted; once it has started its command, `sleep` (or "" when it ended first): the
# wake-up programs attach after sched_switch's, every one before the command starts.
attached_tracepoints_of() {
	local pid=$1
	for _ in $(seq 200); do
		if pgrep -x sleep -P "$pid" >/dev/null; then
			grep -hs '^tp_name:' /proc/"$pid"/fdinfo/* | awk '{ print $2 }' | sort -u
			return
		fi
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.02
	done
}

# attached_during ARGS...: the tracepoints of `switchcost trace ARGS... -- sleep 1`, in $tps
attached_during() {
	"$SWITCHCOST" trace "$@" -- sleep 1 >/dev/null 2>&1 &
	local pid=$!
	BGS="$pid"
	tps=$(attached_tracepoints_of $pid)
	wait $pid
	echo "trace $*: $(echo $tps)" >&2
}

@test "trace: wake-up to run only with --latency; without it no wake-up program is attached" {
	requires root btf bpf
	attached_during
	grep -qx sched_switch <<<"$tps"
	! grep -q sched_wakeup <<<"$tps" || false
	attached_during --latency
	grep -qx sched_wakeup <<<"$tps" && grep -qx sched_wakeup_new <<<"$tps"
	# the histograms are wake-up to run histograms: they imply --latency
	attached_during -P
	grep -qx sched_wakeup <<<"$tps"
	# --syscalls counts wake-ups with the same program
	attached_during --syscalls
	grep -qx sched_wakeup <<<"$tps"

	swc trace -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	[[ "$output" == *"  wake-up to run: not measured (--latency measures it: one more eBPF program, run by every wake-up on the machine)"* ]]
	[[ "$output" != *"wake→run"* && "$output" != *"p99"* ]]
	[[ "$output" == *"involuntary"*"on-CPU"*"off-CPU"* ]]
	# not measured is null, never 0; on- and off-CPU are still measured
	swc trace --json -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.timings_measured == true and .wakeup_to_run_measured == false and
		.on_cpu_ns > 0 and all(.tasks[]; .wakeup_delay_count == null and
			.wakeup_delay_p50_ns_approx == null and .wakeup_delay_max_ns == null) and
		any(.tasks[]; .off_cpu_ns > 0)'
	# --syscalls' wake-up program counts, and stamps nothing without --latency
	swc trace --json --syscalls -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.wakeups >= 300 and .wakeup_to_run_measured == false and
		all(.tasks[]; .wakeup_delay_count == null and .wakeup_delay_max_ns == null)'

	# with --latency: the two threads hand a token back and forth, each woken by the other
	swc trace --latency --json -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	echo "$output" | jq -c '[.tasks[] | {tid, wakeup_delay_count, wakeup_delay_p50_ns_approx,
		wakeup_delay_p99_ns_approx, wakeup_delay_max_ns}]' >&2
	# the exact maximum is at least the low edge of the p99's log2 bucket, and no estimate
	# passes it
	echo "$output" | jq -e '.wakeup_to_run_measured == true and
		([.tasks[] | select(.wakeup_delay_count > 0)] | length) == 2 and
		([.tasks[].wakeup_delay_count] | add) >= 100 and
		all(.tasks[] | select(.wakeup_delay_count > 0);
			.wakeup_delay_p50_ns_approx > 0 and
			.wakeup_delay_p99_ns_approx >= .wakeup_delay_p50_ns_approx and
			.wakeup_delay_max_ns >= pow(2; .wakeup_delay_p99_ns_approx | log2 | floor) and
			.wakeup_delay_p99_ns_approx <= .wakeup_delay_max_ns)'
	swc trace --latency -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	[[ "$output" == *"off-CPU  wake→run p50"*"p99"*"max"*"at"* ]]
	[[ "$output" != *"wake-up to run: not measured"* ]]
}

@test "trace --latency: the samples in README.md and docs/LAB.md have the header and footer it prints" {
	requires root btf bpf
	local doc header footer
	swc trace --latency -- "$TRACED" threads 100
	[ "$status" -eq 0 ]
	for doc in README.md docs/LAB.md; do
		# the per-task table's header (its columns, spaces aside) and the line below it
		header=$(grep -m1 '^ *pid  *tid  *comm .*wake→run p50' "$BATS_TEST_DIRNAME/../$doc" |
			sed 's/  */ /g; s/^ //; s/ user switches$//')
		footer=$(grep -m1 '^(≈: from log2 buckets' "$BATS_TEST_DIRNAME/../$doc")
		echo "$doc: $header | $footer" >&2
		[ -n "$header" ] && [ -n "$footer" ]
		grep -qxF "$header" <(sed 's/  */ /g; s/^ //' <<<"$output")
		grep -qxF "$footer" <<<"$output"
	done
}

@test "trace --csv: delay_ns empty without --latency, filled with it" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/t.csv col off opt
	# --syscalls attaches the wake-up program to count: it must stamp nothing either
	for opt in "" --syscalls; do
		swc trace $opt --csv "$f" -- "$TRACED" threads 300
		[ "$status" -eq 0 ]
		col=$(head -1 "$f" | tr , '\n' | grep -nx delay_ns | cut -d: -f1)
		off=$(head -1 "$f" | tr , '\n' | grep -nx off_ns | cut -d: -f1)
		[ -n "$col" ] && [ -n "$off" ]
		# the switches into the program's tasks have their off-CPU time, none a delay
		[ "$(awk -F, -v c="$col" 'NR > 1 && $c != ""' "$f" | wc -l)" -eq 0 ]
		[ "$(awk -F, -v c="$off" 'NR > 1 && $c != ""' "$f" | wc -l)" -gt 300 ]
		# the metadata says so: an empty column alone could be a program never woken
		jq -e '.config.latency == false' "$f.meta.json"
	done
	swc trace --latency --csv "$f" -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	jq -e '.config.latency == true' "$f.meta.json"
	# a futex wait that finds its turn come does not sleep: fewer than 300 wake-ups each
	[ "$(awk -F, -v c="$col" 'NR > 1 && $c > 0' "$f" | wc -l)" -ge 100 ]
}

@test "trace: on-CPU time is the kernel's CPU time, without --csv (plain path) and with it" {
	requires root btf bpf
	# without --csv on_switch runs the copy of its body compiled for trace's usual mode
	# (targ_plain_timed), with --csv the general one: on both, the tasks' on-CPU time adds up
	# to the kernel's CPU time of the process (getrusage). Within 1% on a quiet machine; the
	# programs run on each switch (ours, and other tracers') after our stamp count as on-CPU
	# time, 6% of the little CPU time this takes when the machine was busy: 20% allowed.
	for opts in "" "--latency" "--csv $BATS_TEST_TMPDIR/s.csv"; do
		swc trace $opts --json -- "$TRACED" threads 3000
		[ "$status" -eq 0 ]
		echo "$output" | jq -c --arg o "$opts" '{o: $o, on_cpu_ns, cpu_user_ns, cpu_system_ns,
			tasks: [.tasks[] | [.switches, .on_cpu_ns, .off_cpu_ns]]}' >&2
		echo "$output" | jq -e '(.cpu_user_ns + .cpu_system_ns) as $k |
			.on_cpu_ns == ([.tasks[].on_cpu_ns] | add) and
			.on_cpu_ns > 0.8 * $k and .on_cpu_ns < 1.2 * $k and
			(.tasks | length) == 2 and all(.tasks[]; .off_cpu_ns > 0) and
			.counts_agree == true'
	done
}

@test "trace -p: a program still running at the end has its totals in its rows, on both routes" {
	requires root btf bpf
	# trace's usual mode keeps a task's totals in its task storage and copies them to its row
	# at its final switch, or, for a task alive when the rows are read, by an iterator run
	# first; the tid hash route (no task storage) keeps them in the row
	"$TRACED" threads 100000000 &
	BGS=$!
	sleep 0.3
	for route in "" task_storage; do
		SWITCHCOST_DISABLE=$route swc trace -p "$BGS" -d 0.5 --json
		[ "$status" -eq 0 ]
		echo "$output" | jq -c --arg r "$route" '{r: $r, switches, tasks: [.tasks[] |
			[.tid, .switches, .switches_in, .on_cpu_ns, .off_cpu_ns, .exited]]}' >&2
		# the group's counts are read first and the rows after them, while the program
		# switches on: the rows can only have more, by what that gap lets through (4% in a
		# guest under TCG, where every step is slower; under 1% here)
		echo "$output" | jq -e '(.tasks | length) == 2 and
			(([.tasks[].switches] | add) - .switches) as $d |
			$d >= 0 and $d < 0.1 * .switches and
			all(.tasks[]; .switches > 100 and .switches_in > 100 and .on_cpu_ns > 0 and
				.off_cpu_ns > 0 and .exited == false)'
	done
	kill -0 "$BGS"
}

@test "trace: processes reaped as they exit have every task's final totals in its row" {
	requires root btf bpf
	# each child's totals reach its row at its final switch, before the mark its reaper (trace
	# itself, as subreaper) waits for: its rows add up to the group's counts, each exited
	for i in 1 2 3; do
		swc trace --json -- "$TRACED" reapedthreads 50
		[ "$status" -eq 0 ]
		echo "$output" | jq -c '{switches, n: (.tasks | length),
			sum: ([.tasks[].switches] | add), exited: ([.tasks[] | select(.exited)] | length)}' >&2
		echo "$output" | jq -e '(.tasks | length) == 101 and
			([.tasks[].switches] | add) == .switches and
			([.tasks[].switches_in] | add) > 0 and all(.tasks[]; .exited and .switches > 0)'
	done
}

@test "trace: 10,001 threads fit the default table, each once; agreement stays exact" {
	requires root btf bpf
	swc trace --json -- "$TRACED" spawn 10000
	[ "$status" -eq 0 ]
	echo "$output" | jq -c '{n: (.tasks | length), bpf, valid, counts_agree}' >&2
	echo "$output" | jq -e '(.tasks | length) == 10001 and ([.tasks[].tid] | unique | length)
		== 10001 and .bpf.tasks_untracked == 0 and .valid == true and
		.counts_agree == true'
}

@test "trace: a full task table loses each task once, says so and marks the report invalid" {
	requires root btf bpf
	swc trace --max-tasks 100 --json -- "$TRACED" spawn 300
	[ "$status" -eq 0 ]
	echo "$output" | jq -c '{n: (.tasks | length), bpf, valid, reasons}' >&2
	# 301 tasks: 100 rows, and the other 201 counted once each however often they switched
	echo "$output" | jq -e '(.tasks | length) == 100 and .bpf.tasks_untracked == 201 and
		.valid == false and any(.reasons[]; test("--max-tasks")) and .tasks_capacity == 100'
	[[ "$stderr" == *"201 task(s) are missing from it, so the report is incomplete"* ]]
	swc trace --max-tasks 100 -- "$TRACED" spawn 300
	[[ "$output" == *"INCOMPLETE: 201 task(s) found the per-task table full (100 rows)"* ]]
	swc trace --max-tasks 0 -- true
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: --max-tasks wants a whole number from 1 to 1048576, not '0'"* ]]
}

# bg_start VAR CMD...: starts CMD in the background, its pid in VAR (killed in teardown).
teardown() {
	for p in ${BGS:-}; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for d in ${CGS:-}; do
		# move anything left to the root, then remove the cgroup
		if [ -d "$d" ]; then
			while read -r p; do echo "$p" >"$(dirname "$d")/cgroup.procs" 2>/dev/null || true; done <"$d/cgroup.procs"
			rmdir "$d" 2>/dev/null || true
		fi
	done
}

@test "trace -a: a known busy process is in the top 10, and JSON has both tables" {
	requires root btf bpf
	"$TRACED" threads 100000000 &
	busy=$!
	BGS="$busy"
	sleep 0.3
	swc trace -a -d 1 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -c '[.processes[] | {pid, comm, switches}]' >&2
	echo "$output" | jq -e --argjson p "$busy" '.all_tasks == true and
		(.processes | length | . >= 1 and . <= 10) and
		(.threads | length | . >= 1 and . <= 10) and
		any(.processes[]; .pid == $p and .comm == "traced" and .threads == 2) and
		any(.threads[]; .pid == $p) and .timings_measured == false and
		all(.processes[]; .off_cpu_ns == null) and .switches > 0'
	# with --latency the timings are there, and the human report has both tables
	swc trace -a --latency --top 3 -d 0.5
	[ "$status" -eq 0 ]
	[[ "$output" == *"Top 3 processes by switches out"*"Top 3 threads by switches out"* ]]
	[[ "$output" == *"wake→run p99"*"Wake-up to run delay"* ]]
	swc trace -a -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: -a traces every task; -p and CMD name some: give one of them (see switchcost trace --help)" ]
}

@test "trace -a: the counting mode counts a ping-pong's switches as --latency does, every one" {
	requires root btf bpf
	# a name of its own: other runs of the test program must not add to it
	local name=swcpp$$ n
	cp "$TRACED" "$BATS_TEST_TMPDIR/$name"
	for mode in "" --latency; do
		(sleep 1; taskset -c 0 "$BATS_TEST_TMPDIR/$name" threads 5000 >/dev/null) &
		swc trace -a $mode -d 3 --top 100 --json
		wait
		[ "$status" -eq 0 ]
		n=$(jq --arg c "$name" '[.processes[] | select(.comm == $c) | .switches] | add // 0' \
			<<<"$output")
		echo "trace -a $mode: $n switches out" >&2
		# two threads on one CPU: each leaves it once per round trip (blocked, or preempted
		# by the other's wake-up); start, join and a busy machine add a few
		[ "$n" -ge 10000 ] && [ "$n" -le 10200 ]
		# --latency prints the machine-wide histograms: the group's times are kept for it
		[ -z "$mode" ] || jq -e '(.histograms.run_ns | add) > 10000 and
			(.histograms.off_cpu_ns | add) > 10000' <<<"$output"
	done
}

@test "trace -a 0.3 3: interval and count still give exactly 3 lines that add up to the summary" {
	requires root btf bpf
	swc trace -a --json 0.3 3
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -s '[.[] | select(.record == "interval")] | length')" -eq 3 ]
	echo "$output" | jq -s -e '([.[] | select(.record == "interval") | .switches] | add) ==
		(.[] | select(.record == "summary") | .switches)'
}

@test "trace -t TID: that thread only; --comm: tasks of that name only" {
	requires root btf bpf
	"$TRACED" threads 100000000 &
	busy=$!
	BGS="$busy"
	sleep 0.3
	tid=$(ls /proc/$busy/task | grep -vx "$busy" | head -1)
	swc trace -t "$tid" -d 0.5 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson t "$tid" '(.tasks | length) == 1 and .tasks[0].tid == $t
		and .tasks[0].switches > 0 and .filters.tid == $t'
	# --comm with CMD: sh runs traced; only traced's tasks are kept, and no comparison with
	# wait4 (which counts sh too) is made
	swc trace --comm traced --json -- sh -c "\"$TRACED\" threads 200; true"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '(.tasks | length) == 2 and all(.tasks[]; .comm == "traced") and
		.counts_agree == null'
	swc trace --json -- sh -c "\"$TRACED\" threads 200; true"
	echo "$output" | jq -e 'any(.tasks[]; .comm == "sh")'
	swc trace --comm 0123456789abcdefg -d 1
	[ "$status" -eq 2 ]
}

@test "trace --cgroup: tasks in it and not outside; the side a switch is about decides" {
	requires root btf bpf
	mnt=$(findmnt -t cgroup2 -n -o TARGET | head -1)
	[ -n "$mnt" ] || skip "no cgroup v2 mounted"
	in=$mnt/swc-test-in.$$ out=$mnt/swc-test-out.$$
	mkdir "$in" "$out"
	CGS="$in $out"
	# a parent and its child hand a token back and forth on one CPU: each wakes the other.
	# The child goes in the cgroup, the parent (its waker) stays outside.
	"$TRACED" fork 100000000 &
	parent=$!
	sleep 0.3
	child=$(cat /proc/$parent/task/$parent/children | awk '{ print $1 }')
	[ -n "$child" ]
	echo "$child" >"$in/cgroup.procs"
	echo "$parent" >"$out/cgroup.procs"
	# an unrelated busy process in the other cgroup
	"$TRACED" threads 100000000 &
	other=$!
	BGS="$parent $child $other"
	echo "$other" >"$out/cgroup.procs"
	swc trace --cgroup "$in" --latency -d 1 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -c '{filters, processes}' >&2
	# the child only; its wake-ups come from the parent outside, yet their delays are
	# counted: the switch into the child is about the child (a filter on the running task,
	# the parent, would drop them)
	echo "$output" | jq -e --argjson c "$child" '(.processes | length) == 1 and
		.processes[0].pid == $c and .processes[0].switches > 100 and
		.processes[0].wakeup_delay_p99_ns_approx > 0 and .histograms.wakeup_delay_ns != null'
	# the same cgroup named as /proc/PID/cgroup names it
	swc trace --cgroup "/swc-test-out.$$" -d 0.5 --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson p "$parent" --argjson o "$other" --argjson c "$child" '
		any(.processes[]; .pid == $p) and any(.processes[]; .pid == $o) and
		all(.processes[]; .pid != $c)'
	swc trace --cgroup /no/such/cgroup -d 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "switchcost: --cgroup /no/such/cgroup: no such cgroup v2 directory"* ]]
}

@test "trace in a pid namespace: a command's pids as the namespace sees them; -a refused" {
	requires root btf bpf
	run --separate-stderr unshare --pid --fork --mount-proc "$SWITCHCOST" trace --json -- "$TRACED" threads 200
	echo "$output" | jq -c '{pid, tasks: [.tasks[] | {pid, tid}]}' >&2
	[ "$status" -eq 0 ]
	# the namespace's first process is switchcost (1): the command's pid is small, and each
	# row's pid is it, not the host's
	echo "$output" | jq -e '.pid < 100 and (.tasks | length) == 2 and
		all(.tasks[]; .pid == $pid and .tid >= .pid and .tid < 100) and .counts_agree == true' --argjson pid "$(echo "$output" | jq .pid)"
	run --separate-stderr unshare --pid --fork --mount-proc "$SWITCHCOST" trace -a -d 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "switchcost: -a in a pid namespace: eBPF sees the host's pids"* ]]
}
