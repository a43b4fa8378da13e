#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Stopping switchcost as a user does: Ctrl-C typed at a terminal (a pseudo-terminal: run and
# the traced command are its foreground group, as a shell makes them), and SIGTERM to
# trace -p while it prints intervals. Whatever stops it, nothing of its tree and no BPF
# program is left.
bats_require_minimum_version 1.5.0
load helpers

PTY=$BATS_TEST_DIRNAME/progs/pty_ctrl_c.py

teardown() {
	if [ -n "${BG:-}" ]; then
		kill -KILL "$BG" 2>/dev/null || true
		wait "$BG" 2>/dev/null || true
	fi
	if [ -n "${VICTIM:-}" ]; then
		kill -KILL "$VICTIM" 2>/dev/null || true
		wait "$VICTIM" 2>/dev/null || true
	fi
}

# tree_gone PID...: none of these processes is left (5 s for init to reap the orphans)
tree_gone() {
	local p left
	for _ in $(seq 50); do
		left=""
		for p in "$@"; do
			if [ -e "/proc/$p" ] && [ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" != Z ]; then
				left="$left $p"
			fi
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "left running:$left" >&2
	ps -o pid,ppid,stat,args -p "${left# }" >&2 || true
	return 1
}

# pty_ctrl_c ARGS...: the helper's output in $output; $tree: the pids it saw, $st: the status
pty_ctrl_c() {
	run python3 "$PTY" "$@"
	echo "$output" >&2
	tree=$(sed -n 's/^tree //p' <<<"$output")
	st=$(sed -n 's/^status //p' <<<"$output")
	[ -n "$tree" ]	# Ctrl-C was typed
}

@test "run: Ctrl-C typed at a terminal stops it (130), its workloads and BPF programs gone" {
	requires root btf bpf python3
	# long enough never to end by itself; ^C once its workload runner is up
	pty_ctrl_c --children 1 -- "$SWITCHCOST" run -n 10000000 thread
	[ "$st" -eq 130 ]
	grep -q "interrupted by Interrupt" <<<"$output"
	tree_gone $tree
	assert_no_bpf_left
}

@test "trace -- CMD: Ctrl-C typed at a terminal ends CMD, the report is printed, its whole tree is gone" {
	requires root btf bpf python3
	# CMD's children, one in a session of its own that the terminal's ^C never reaches
	local tree_sh=$BATS_TEST_TMPDIR/tree.sh
	cat > "$tree_sh" <<'SH'
#!/bin/bash
if [ "$1" = child ]; then while :; do sleep 0.05; done; fi
for i in 1 2; do bash "$0" child & done
setsid bash "$0" child &
sleep 0.3
echo ready
wait
SH
	chmod 755 "$tree_sh"
	pty_ctrl_c --ready ready -- "$SWITCHCOST" trace -- "$tree_sh"
	[ "$st" -eq 130 ]
	grep -q "killed by signal 2 (Interrupt)" <<<"$output"
	grep -q "Switches out of its tasks" <<<"$output"
	[ "$(wc -w <<<"$tree")" -ge 5 ]	# switchcost, CMD and its three children at least
	tree_gone $tree
	assert_no_bpf_left
}

@test "trace -p PID -i 1: SIGTERM ends it within seconds, the report printed, PID left running" {
	requires root btf bpf
	sleep 300 &
	VICTIM=$!
	"$SWITCHCOST" trace -p "$VICTIM" -i 1 > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	# the first interval line: the trace is under way, its handlers in place
	for _ in $(seq 100); do
		[ "$(grep -c . "$BATS_TEST_TMPDIR/out" 2>/dev/null)" -ge 2 ] && break
		sleep 0.1
	done
	sleep 1.5	# between two interval lines
	local st
	stop_bg TERM	# a hang guard, not a timing target: a request not seen never ends
	cat "$BATS_TEST_TMPDIR/err" >&2
	[ "$st" -eq 0 ]	# -p: a signal is the normal end of the trace
	grep -q "Interrupted by Terminated" "$BATS_TEST_TMPDIR/out"
	kill -0 "$VICTIM"	# the traced process is not ours to stop
	assert_no_bpf_left
}
