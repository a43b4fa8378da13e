#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# What switchcost writes, and that a failure to write is never silent: stdout checked at exit,
# the CSV and its sidecar put in place together or not at all, nothing left by a killed run,
# and trace --csv under run --csv's contract.
bats_require_minimum_version 1.5.0
load helpers

teardown() {
	if [ -n "${BG_PID:-}" ]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
	fi
}

@test "output: results to a full disk or a closed pipe are an error (exit 1, one line)" {
	requires root btf bpf
	local err=$BATS_TEST_TMPDIR/err rc
	for cmd in "run --quick --json syscall" "trace --json -- true" "lab cost --json" \
		   "run --quick syscall"; do
		rc=0
		# shellcheck disable=SC2086
		"$SWITCHCOST" $cmd >/dev/full 2>"$err" 3>&- || rc=$?
		[ "$rc" -eq 1 ]
		[ "$(wc -l <"$err")" -eq 1 ]
		grep -qx "switchcost: writing the results to stdout: No space left on device; they are incomplete" "$err"
	done
	# a reader gone before the results come: EPIPE, not a silent death by SIGPIPE
	run bash -c '{ sleep 0.3; "$1" trace -- true 2>"$2"; echo "rc=$?" >"$2.rc"; } | true' _ \
		"$SWITCHCOST" "$err"
	[ "$(cat "$err.rc")" = rc=1 ]
	grep -qx "switchcost: writing the results to stdout: Broken pipe; they are incomplete" "$err"
}

@test "output: --csv - with stdout closed is refused before anything runs" {
	requires root btf bpf
	run --separate-stderr bash -c 'exec "$1" trace --csv - -- true >&-' _ "$SWITCHCOST"
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: --csv -: stdout is closed, so the CSV would go nowhere: give a file name, or open stdout" ]
	run --separate-stderr bash -c 'exec "$1" run --quick --csv - syscall >&-' _ "$SWITCHCOST"
	[ "$status" -eq 1 ]
	assert_no_bpf_left
}

@test "output: trace --csv keeps run's contract: sidecar, drop warning, exit 3 unless --allow-drops" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/t.csv opt rc
	for opt in "" --allow-drops; do
		# the consumer stopped for a second while the program switches: the 4K ring overflows.
		# The program switches until told to stop, however fast this machine is.
		rm -f "$BATS_TEST_TMPDIR/stop"
		# shellcheck disable=SC2086
		"$SWITCHCOST" trace --csv "$f" --ringbuf-size 4K $opt -- \
			sh -c 'sleep 0.5; until [ -e "$0" ]; do
				dd if=/dev/zero bs=1 count=20000 2>/dev/null | cat >/dev/null; done' \
			"$BATS_TEST_TMPDIR/stop" >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
		BG_PID=$!
		wait_for_output "$BG_PID" "$BATS_TEST_TMPDIR"
		sleep 0.7
		kill -STOP "$BG_PID"
		sleep 1
		kill -CONT "$BG_PID"
		touch "$BATS_TEST_TMPDIR/stop"
		rc=0
		wait "$BG_PID" || rc=$?
		BG_PID=
		[ "$(jq .bpf.events_dropped "$f.meta.json")" -gt 0 ]
		grep -q "switch records were lost (ring buffer full), so $f lacks them: give a larger --ringbuf-size (now 4K)" "$BATS_TEST_TMPDIR/err"
		if [ -z "$opt" ]; then
			[ "$rc" -eq 3 ]
			[ "$(jq .exit_status "$f.meta.json")" -eq 3 ]
		else
			[ "$rc" -eq 0 ]
		fi
		[ "$(jq .csv.rows "$f.meta.json")" -eq "$(($(wc -l <"$f") - 1))" ]
		# a lost batch counts each of its records: rows and drops add up to the switches
		[ "$(jq '.csv.sched_rows + .bpf.events_dropped' "$f.meta.json")" -eq \
			"$(jq .bpf.sched_switches "$f.meta.json")" ]
		[ "$(jq -r .command "$f.meta.json")" = trace ]
	done
	# without drops, the sidecar's rows are the CSV's and every switch eBPF counted
	swc trace --csv "$f" -- sh -c 'sleep 0.1; ls / >/dev/null'
	[ "$status" -eq 0 ]
	[ "$(jq .bpf.events_dropped "$f.meta.json")" -eq 0 ]
	[ "$(jq .csv.sched_rows "$f.meta.json")" -eq "$(jq .bpf.sched_switches "$f.meta.json")" ]
	swc trace --ringbuf-size 4K -- true
	[ "$status" -eq 2 ]
	swc trace --allow-drops -- true
	[ "$status" -eq 2 ]
}

@test "output: the CSV and its sidecar go in place together or not at all" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/p.csv
	"$SWITCHCOST" run -n 200000 -r 2 --csv "$f" thread >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	wait_for_output "$BG_PID" "$BATS_TEST_TMPDIR" 65536
	# the sidecar's name taken while the run goes on: it cannot be put in place at the end
	mkdir "$f.meta.json"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 1 ]
	[ ! -e "$f" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.*.tmp')" ]
	grep -q "^switchcost: writing $f.meta.json: putting it in place: Is a directory" "$BATS_TEST_TMPDIR/err"
	assert_no_bpf_left
}

@test "output: SIGKILL mid-CSV leaves no file and no temporary name" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/k.csv
	"$SWITCHCOST" run -n 2000000 -r 3 --csv "$f" thread >/dev/null 2>&1 3>&- &
	BG_PID=$!
	wait_for_output "$BG_PID" "$BATS_TEST_TMPDIR" 65536
	kill -KILL "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=
	[ ! -e "$f" ]
	[ ! -e "$f.meta.json" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.*.tmp')" ]
	assert_no_bpf_left
}

@test "output: the sidecar names the workload that died" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/d.csv runner rc=0
	"$SWITCHCOST" run -n 2000000 -r 3 --csv "$f" thread syscall >/dev/null \
		2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	wait_for_output "$BG_PID" "$BATS_TEST_TMPDIR" 65536
	runner=$(pgrep -P "$BG_PID" | head -1)
	[ -n "$runner" ]
	kill -KILL "$runner"
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 1 ]
	[ "$(jq -r '.failed_workloads[0].workload' "$f.meta.json")" = thread ]
	[ "$(jq -r '.failed_workloads[0].error' "$f.meta.json")" = "killed by signal 9 (Killed)" ]
	[ "$(jq .exit_status "$f.meta.json")" -eq 1 ]
}

@test "output: USR1, USR2, ALRM, VTALRM, PROF stop cleanly, also with temporary names" {
	requires root btf bpf python3
	local f=$BATS_TEST_TMPDIR/u.csv sig rc
	for sig in USR1 USR2 ALRM VTALRM PROF; do
		# the temporary-name scheme, as on a file system without O_TMPFILE
		SWITCHCOST_NO_O_TMPFILE=1 "$SWITCHCOST" run -n 2000000 -r 3 --csv "$f" thread \
			>/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
		BG_PID=$!
		wait_for_output "$BG_PID" "$BATS_TEST_TMPDIR" 65536
		kill -"$sig" "$BG_PID"
		rc=0
		wait "$BG_PID" || rc=$?
		BG_PID=
		[ "$rc" -eq $((128 + $(kill -l "$sig"))) ]
		[ -z "$(find "$BATS_TEST_TMPDIR" -name '.*.tmp')" ]
		# the rows so far, in place with their sidecar, as after Ctrl-C
		[ "$(jq .interrupted "$f.meta.json")" = true ]
		[ "$(jq .csv.rows "$f.meta.json")" -eq "$(($(wc -l <"$f") - 1))" ]
		rm -f "$f" "$f.meta.json"
	done
	assert_no_bpf_left
}

@test "output: both ways of writing give the same files, the user's under sudo" {
	requires root btf bpf nobody
	local d f
	d=$(mktemp -d /tmp/swc-out.XXXXXX)
	chown 65534:65534 "$d"
	for scheme in tmpfile names; do
		f=$d/$scheme.csv
		if [ "$scheme" = names ]; then
			SUDO_UID=65534 SUDO_GID=65534 SWITCHCOST_NO_O_TMPFILE=1 swc run --quick --csv "$f" syscall
		else
			SUDO_UID=65534 SUDO_GID=65534 swc run --quick --csv "$f" syscall
		fi
		[ "$status" -eq 0 ]
		[ "$(stat -c %u:%g "$f")" = 65534:65534 ]
		[ "$(stat -c %u:%g "$f.meta.json")" = 65534:65534 ]
		[ "$(jq .csv.rows "$f.meta.json")" -eq "$(($(wc -l <"$f") - 1))" ]
		# over an existing file of the user's, too
		SUDO_UID=65534 SUDO_GID=65534 swc run --quick --csv "$f" syscall
		[ "$status" -eq 0 ]
		[ "$(stat -c %u:%g "$f")" = 65534:65534 ]
	done
	[ -z "$(find "$d" -name '.*.tmp')" ]
	rm -rf "$d"
}

@test "output: --help to a full disk is an error for every command (exit 1, one line)" {
	local cmd err=$BATS_TEST_TMPDIR/err rc
	for cmd in "--help" "run -h" "trace -h" "lab -h" "doctor -h" "report -h" "compare -h"; do
		rc=0
		# shellcheck disable=SC2086
		"$SWITCHCOST" $cmd >/dev/full 2>"$err" || rc=$?
		echo "$cmd: $rc $(cat "$err")" >&2
		[ "$rc" -eq 1 ]
		[ "$(wc -l <"$err")" -eq 1 ]
		grep -qx "switchcost: writing the results to stdout: No space left on device; they are incomplete" "$err"
	done
}
