#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost trace: counts that equal the kernel's own, the command run as the invoking user,
# exit status, bad input, uprobes, concurrent traces, and Ctrl-C leaving nothing behind.
bats_require_minimum_version 1.5.0
load helpers

K=2000

setup_file() {
	make_progdir trace-test
	build_traced
}

teardown_file() {
	rm -rf "$PROGDIR"
}

teardown() {
	kill_bg BG BG2
}

# check_csv FILE REPORT: a valid CSV (header, 15 fields a row) with as many rows as the report
# (the file holding the human report) says were written; no temporary file left beside it.
check_csv() {
	local rows
	rows=$(grep -oE '[0-9]+ CSV rows' "$2" | cut -d' ' -f1)
	[ -n "$rows" ]
	python3 - "$1" "$rows" <<-'EOF'
	import csv, sys
	with open(sys.argv[1], newline="") as f:
	    r = list(csv.reader(f))
	assert r[0][:5] == ["ts_ns", "cpu", "workload", "pass", "kind"], r[0]
	assert all(len(row) == 15 for row in r), "a row without 15 fields"
	assert len(r) - 1 == int(sys.argv[2]), (len(r) - 1, sys.argv[2])
	EOF
	[ -z "$(find "$(dirname "$1")" -name '*.tmp')" ]
}

# The --asyncio test needs what --asyncio reads: x86-64 code, and Debian's CPython 3.11 with its
# _asyncio extension module. Debian 12 on x86-64, which CI is, has both: under CI=true their
# absence fails the test instead of skipping it.
requires_asyncio() {
	local reason="" so ver=""
	if [ "$(uname -m)" != x86_64 ]; then
		skip "--asyncio finds its probe by decoding x86-64 code: this is $(uname -m)"
		return
	fi
	so=$(compgen -G '/usr/lib/python3.11/lib-dynload/_asyncio.cpython-311-*.so' || true)
	[ -x /usr/bin/python3 ] &&
		ver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	if [ "$ver" != 3.11 ]; then
		reason="needs Debian's /usr/bin/python3, CPython 3.11"
	elif [ -z "$so" ]; then
		reason="needs CPython's _asyncio module in /usr/lib/python3.11/lib-dynload"
	fi
	if [ -n "$reason" ]; then
		if [ "${CI:-}" = true ]; then
			echo "CI is Debian 12 on x86-64, yet this test $reason: something broke" >&2
			return 1
		fi
		skip "$reason"
	fi
}

@test "trace: two threads, K futex hand-offs: switches >= 2K, equal to the kernel's" {
	requires root btf bpf
	swc trace --json -- "$TRACED" threads "$K"
	echo "$output" | jq -c '{by_kind, switches, exit_switches, kernel_counters}' >&2
	[ "$status" -eq 0 ]
	# each hand-off is a switch; one between the two threads unless another program's task
	# (a shared machine) preempts in between, which turns it into two process switches
	echo "$output" | jq -e --argjson k "$K" '
		.switches >= 2 * $k and ([.by_kind[]] | add) >= 2 * $k and
		.by_kind.thread >= $k and .counts_agree == true and
		.switches - .exit_switches == .kernel_counters.switches and
		.exit_status == 0 and (.tasks | length) == 2 and
		([.tasks[].switches] | add) == .switches and
		(.tasks[0].pid as $p | .tasks | all(.pid == $p and .tid > 0 and .comm == "traced"))'
	echo "$output" | jq -e '.by_kind | (.process, .thread, .idle, .kernel) | type == "number"'
}

@test "trace: a forked child, K pipe hand-offs: process switches >= 2K, equal to the kernel's" {
	requires root btf bpf
	swc trace --json -- "$TRACED" fork "$K"
	echo "$output" |
		jq -c '{by_kind, switches, exit_switches, kernel_counters, pids: [.tasks[].pid]}' >&2
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson k "$K" '
		# a hand-off can go through a kernel thread that preempts in between (kind
		# "kernel"), so the 2K bound holds for all kinds together and K for process alone
		.switches >= 2 * $k and ([.by_kind[]] | add) >= 2 * $k and
		.by_kind.process >= $k and .by_kind.thread == 0 and
		.counts_agree == true and ([.tasks[].pid] | unique | length) == 2 and .wall_ns > 0'
}

# trace --json of "$TRACED" $1 50 until a child was reaped before its last switch, at most 3
# times: the parent wins that race often, not always. Every run's difference is within its
# raced final switches (the kernel has each or not); $2: the exit switches each run expects.
# Returns 0 once a run had reaped_switches > 0, 1 when none did, 2 when a run was wrong.
trace_until_reaped() {
	local i
	for i in 1 2 3; do
		swc trace --json -- "$TRACED" "$1" 50
		echo "$1: $(jq -c '{switches, exit_switches, reaped_switches, reap_raced_switches,
			kernel_counters, ebpf_minus_kernel_counters}' <<<"$output")" >&2
		[ "$status" -eq 0 ] || return 2
		jq -e --argjson exits "$2" '.exit_switches == $exits and
			.ebpf_minus_kernel_counters >= 0 and
			.ebpf_minus_kernel_counters <= .reap_raced_switches' <<<"$output" || return 2
		if jq -e '.reaped_switches > 0' <<<"$output" >/dev/null; then return 0; fi
	done
	return 1
}

@test "trace: children reaped before their last switch are set aside, not a difference" {
	requires root btf bpf smp
	local i single=0 threaded=0
	# the program's parent reaps each child, taking its counters, often before the child's
	# last switch: eBPF sees that switch, the kernel's counters never will
	trace_until_reaped reaped 0 || single=$?
	[ "$single" -ne 2 ]
	# children that joined a thread: the process's sum holds that thread's counts too, which
	# are told apart (each read as raced before: reaped_switches 0, raced 29 of 50)
	trace_until_reaped reapedthreads 50 || threaded=$?
	[ "$threaded" -ne 2 ]
	if [ "$single" -eq 1 ]; then
		# On a slow machine the parent's read and the release can straddle every child's
		# last switch, each then raced, none told reaped (guests under TCG: Debian's 6.1,
		# reaped 0 and raced 1; 5.10, reaped 0 and raced 13). The differences were checked.
		echo "no child told reaped before its last switch in 3 runs of 50: not checked here" >&2
		return 0
	fi
	[ "$threaded" -eq 0 ]
	for i in 1 2 3; do
		swc trace -- "$TRACED" reaped 50
		[ "$status" -eq 0 ]
		[[ "$output" == *"switch(es) after their task's release are set aside (a process its parent reaped before its last switch"* ]] && break
		[ "$i" -lt 3 ]
	done
}

@test "trace: children nobody waits for (SIGCHLD ignored) are set aside, not a difference" {
	requires root btf bpf
	# the kernel reaps them at exit and hands their counts to no wait4: what it counted of
	# them (their threads', the grandchild each waited for) is set aside, and the rest agrees
	local mode
	# leaderfirst: each child's main thread exits first; its last thread's release reaps it
	for mode in unwaited nocldwait leaderfirst; do
		swc trace --json -- "$TRACED" "$mode" 5
		echo "$output" | jq -c '{switches, exit_switches, reaped_switches, reap_raced_switches,
			autoreaped, autoreaped_switches, kernel_counters, ebpf_minus_kernel_counters}' >&2
		[ "$status" -eq 0 ]
		# each child reaps a grandchild, whose final switch may race that (reap_raced_switches:
		# the kernel has it or not), as the reaped test above allows
		echo "$output" | jq -e '.autoreaped == 5 and .autoreaped_switches > 0 and
			.exit_switches == 5 and
			(.switches - .exit_switches - .reaped_switches - .autoreaped_switches -
			 .kernel_counters.switches) as $d |
			$d == .ebpf_minus_kernel_counters and $d >= 0 and $d <= .reap_raced_switches'
	done
	swc trace -- "$TRACED" unwaited 5
	[ "$status" -eq 0 ]
	[[ "$output" == *", agree once "* || "$output" == *"raced their parent's reaping"* ]]
	[[ "$output" == *"switch(es) of 5 process(es) no parent waited for are set aside (their parent ignores SIGCHLD"* ]]
}

@test "trace: the human report has the table, the kinds, the times and the status" {
	requires root btf bpf
	swc trace --latency -- "$TRACED" threads 100
	[ "$status" -eq 0 ]
	[[ "$output" == *"voluntary"*"wake→run p50"* ]]
	[[ "$output" == *"Switches involving the program"*"thread "* ]]
	[[ "$output" == *"agree"* ]]
	[[ "$output" == *"Wall time"*"CPU time"* ]]
	[[ "$output" == *"exited with status 0"* ]]
}

@test "trace: under sudo, CMD runs as SUDO_UID (nobody), not root" {
	requires root btf bpf nobody
	SUDO_UID=65534 SUDO_GID=65534 run --separate-stderr "$SWITCHCOST" trace --json -- \
		"$TRACED" uid
	[ "$status" -eq 0 ]
	# with --json the program's stdout goes to stderr: stdout is the JSON document alone
	[[ "$stderr" == *"uid=65534 gid=65534 euid=65534 home="* ]]
	echo "$output" | jq -e '.uid == 65534 and .as_invoking_user == true'
	SUDO_UID=65534 SUDO_GID=65534 run --separate-stderr "$SWITCHCOST" trace --as-root -- \
		"$TRACED" uid
	[[ "$output" == "uid=0 gid=0 euid=0 "* ]]
}

@test "trace: exits with CMD's status, 128+N when CMD is killed by a signal" {
	requires root btf bpf
	swc trace -- "$TRACED" exit 7
	[ "$status" -eq 7 ]
	[[ "$output" == *"exited with status 7"* ]]
	swc trace --json -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	echo "$output" | jq -e '.exit_status == 143 and .exit_signal == 15'
}

@test "trace: a missing command is 127, a non-executable one 126, one line each" {
	requires root btf bpf
	run -127 --separate-stderr "$SWITCHCOST" trace -- /nonexistent/program
	[ "$stderr" = "switchcost: cannot run '/nonexistent/program': command not found (check the name and PATH, or give a path)" ]
	[ -z "$output" ]
	touch "$BATS_TEST_TMPDIR/plain"
	swc trace -- "$BATS_TEST_TMPDIR/plain"
	[ "$status" -eq 126 ]
	[[ "$stderr" == "switchcost: cannot run '$BATS_TEST_TMPDIR/plain': Permission denied"* ]]
	assert_no_bpf_left
}

@test "trace: usage errors exit 2 with one line" {
	swc trace
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: nothing to trace"* ]]
	swc trace -p 1 -- true
	[ "$status" -eq 2 ]
	swc trace -d 1 -- true
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: -d goes with -p"* ]]
	swc trace --uprobe nocolon -- true
	[ "$status" -eq 2 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "trace -p: a pid that does not exist is named; one that ends is reported, not a crash" {
	requires root btf bpf
	swc trace -p 0
	[ "$status" -eq 2 ]
	"$TRACED" sleep 4 > /dev/null & BG=$!
	swc trace -p 4194300
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: no process 4194300 (-p): it is not running; check the pid with ps" ]
	swc trace --json -p "$BG" -d 20
	[ "$status" -eq 0 ]
	[[ "$stderr" == "switchcost: process $BG ended "* ]]
	echo "$output" | jq -e '.pids_gone == 1 and (.tasks | length) >= 1'
}

@test "trace --uprobe counts exactly the function's calls; a missing symbol or file is named" {
	requires root btf bpf
	swc trace --json --uprobe "$TRACED:tick" -- "$TRACED" calls 1234
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.probes[0].hits == 1234 and .by_kind.coroutine == 1234 and
		.tasks[0].user_switches == 1234 and .timings_inflated_by_probes == true'
	swc trace --uprobe "$TRACED:no_such_fn" -- true
	[ "$status" -eq 1 ]
	[[ "$stderr" == "switchcost: --uprobe $TRACED:no_such_fn: no function 'no_such_fn' in $TRACED"* ]]
	swc trace --usdt "/nonexistent/lib.so:p:q" -- true
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: --usdt /nonexistent/lib.so:p:q: no file '/nonexistent/lib.so' that you can read" ]
	assert_no_bpf_left
}

@test "trace --uprobe: hits by processes outside the trace are counted apart and said, not lost" {
	requires root btf bpf
	# an outsider calling the same function all along: none of its hits is the program's
	"$TRACED" calls 100000000000 3>&- &
	BG=$!
	swc trace --json --uprobe "$TRACED:tick" -- sh -c "$TRACED calls 1234; sleep 0.3"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.probes[0].hits == 1234 and .probes[0].hits_outside_trace > 0'
	swc trace --uprobe "$TRACED:tick" -- sleep 0.3
	[ "$status" -eq 0 ]
	grep -Eq "^User-space switch point $TRACED:tick \($TRACED\): 0 hits; [0-9,]+ more by processes outside the trace, not counted$" <<<"$output"
	kill "$BG"
	wait "$BG" || true
	BG=
	# the outsider gone: the program's own hits in a task a filter leaves out are not
	# another process's
	swc trace --json --comm nomatch --uprobe "$TRACED:tick" -- "$TRACED" calls 1234
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.probes[0].hits == 0 and .probes[0].hits_outside_trace == 0'
	assert_no_bpf_left
}

@test "trace --asyncio counts CPython asyncio task steps exactly" {
	requires root btf bpf
	requires_asyncio
	cat > "$BATS_TEST_TMPDIR/steps.py" <<-'EOF'
	import asyncio
	async def worker(m):
	    for _ in range(m):
	        await asyncio.sleep(0)
	async def main():
	    await asyncio.gather(*(worker(50) for _ in range(3)))
	asyncio.run(main())
	EOF
	swc trace --json --asyncio -- /usr/bin/python3 "$BATS_TEST_TMPDIR/steps.py"
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	# 3 workers x (1 + 50) steps, main's 2, and asyncio.run's shutdown_asyncgens and
	# shutdown_default_executor tasks, 1 step each
	echo "$output" | jq -e '.probes[0].type == "asyncio" and .probes[0].hits == 3 * 51 + 2 + 2'
}

@test "trace: two concurrent traces each see only their own program" {
	requires root btf bpf
	"$SWITCHCOST" trace --json -- "$TRACED" threads "$K" > "$BATS_TEST_TMPDIR/a.json" 3>&- &
	local a=$!
	"$SWITCHCOST" trace --json -- "$TRACED" fork "$K" > "$BATS_TEST_TMPDIR/b.json" 3>&- &
	local b=$!
	wait "$a"
	wait "$b"
	jq -c '{by_kind, switches, exit_switches, kernel_counters}' "$BATS_TEST_TMPDIR"/[ab].json >&2
	# each counts its own tasks only (a switch between A and B is a process switch in both)
	# both programs pin themselves to the same CPU, so they preempt each other: kinds vary
	jq -e --argjson k "$K" '.switches >= 2 * $k and .by_kind.thread > 0 and .counts_agree and
		([.tasks[].pid] | unique | length) == 1' "$BATS_TEST_TMPDIR/a.json"
	jq -e --argjson k "$K" '.switches >= 2 * $k and .by_kind.thread == 0 and
		.counts_agree and ([.tasks[].pid] | unique | length) == 2' "$BATS_TEST_TMPDIR/b.json"
	# no task of one program in the other's report
	local pa pb
	pa=$(jq '.pid' "$BATS_TEST_TMPDIR/a.json")
	pb=$(jq '.pid' "$BATS_TEST_TMPDIR/b.json")
	jq -e --argjson p "$pb" 'all(.tasks[]; .pid != $p)' "$BATS_TEST_TMPDIR/a.json"
	jq -e --argjson p "$pa" 'all(.tasks[]; .pid != $p)' "$BATS_TEST_TMPDIR/b.json"
}

@test "trace: Ctrl-C goes on to CMD, the report is printed, nothing is left" {
	requires root btf bpf
	"$SWITCHCOST" trace -- "$TRACED" sleep 60 > "$BATS_TEST_TMPDIR/out" \
		2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	wait_for_line "$BATS_TEST_TMPDIR/out" ready
	kill -INT "$BG"
	local st=0
	wait "$BG" || st=$?
	BG=
	[ "$st" -eq 130 ]
	grep -q "killed by signal 2" "$BATS_TEST_TMPDIR/out"
	grep -q "Interrupted by Interrupt" "$BATS_TEST_TMPDIR/out"
	[ -z "$(pgrep -f "$TRACED sleep 60" || true)" ]
	assert_no_bpf_left
}

@test "trace --csv: Ctrl-C stops it as without --csv; the CSV is complete, nothing is left" {
	requires root btf bpf python3
	local d=$BATS_TEST_TMPDIR/csv
	mkdir "$d"
	"$SWITCHCOST" trace --csv "$d/t.csv" -- "$TRACED" sleep 60 > "$BATS_TEST_TMPDIR/out" \
		2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	wait_for_line "$BATS_TEST_TMPDIR/out" ready
	stop_bg INT
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 130 ]
	grep -q "killed by signal 2" "$BATS_TEST_TMPDIR/out"
	grep -q "Interrupted by Interrupt" "$BATS_TEST_TMPDIR/out"
	check_csv "$d/t.csv" "$BATS_TEST_TMPDIR/out"
	[ -z "$(pgrep -f "$TRACED sleep 60" || true)" ]
	assert_no_bpf_left

	# -p: SIGTERM ends the trace, which is its normal end (status 0); the process lives on
	rm -f "$d/t.csv"
	"$TRACED" sleep 60 > /dev/null 3>&- &
	BG2=$!
	"$SWITCHCOST" trace --csv "$d/t.csv" -p "$BG2" > "$BATS_TEST_TMPDIR/out" \
		2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	# the CSV is created after the signal handlers are in place
	wait_for_output "$BG" "$d"
	stop_bg TERM
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]
	grep -q "Interrupted by Terminated" "$BATS_TEST_TMPDIR/out"
	check_csv "$d/t.csv" "$BATS_TEST_TMPDIR/out"
	kill -0 "$BG2"
	assert_no_bpf_left
}

@test "trace --csv: Ctrl-C is seen at full event rate too" {
	requires root btf bpf python3
	local d=$BATS_TEST_TMPDIR/csv
	mkdir "$d"
	# hand-offs without end: the ring buffer never empties while it runs
	"$SWITCHCOST" trace --csv "$d/t.csv" -- "$TRACED" threads 1000000000 \
		> "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	wait_for_output "$BG" "$d" 1048576
	stop_bg INT
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 130 ]
	grep -q "killed by signal 2" "$BATS_TEST_TMPDIR/out"
	check_csv "$d/t.csv" "$BATS_TEST_TMPDIR/out"
	[ -z "$(pgrep -f "$TRACED threads 1000000000" || true)" ]
	assert_no_bpf_left
}

@test "trace --csv writes one row per switch of the program" {
	requires root btf bpf
	swc trace --csv "$BATS_TEST_TMPDIR/t.csv" --json -- "$TRACED" fork 100
	[ "$status" -eq 0 ]
	rows=$(echo "$output" | jq '.csv_rows')
	[ "$rows" -ge 200 ]
	[ "$(($(wc -l < "$BATS_TEST_TMPDIR/t.csv") - 1))" -eq "$rows" ]
	head -1 "$BATS_TEST_TMPDIR/t.csv" | grep -q '^ts_ns,cpu,workload,pass,kind,'
	# --csv -: stdout is the CSV alone; the report and the program's own output go to stderr
	swc trace --csv - -- "$TRACED" uid
	[ "$status" -eq 0 ]
	[[ "$output" == "ts_ns,cpu,workload,pass,kind,"* ]]
	[[ "$output" != *"uid="* ]]
	[[ "$stderr" == *"uid=0 gid=0 euid=0 "*"CSV rows"* ]]
}
