#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost trace and the traced program's whole tree: what it leaves behind is stopped
# promptly, and nothing of it survives switchcost however switchcost dies.
bats_require_minimum_version 1.5.0
load helpers

teardown() {
	kill_bg BG
}

@test "trace: 1,500 processes left running are stopped and reaped promptly" {
	requires root btf bpf
	# a hang guard, not a timing target: the LRU of 1,024 exit marks made this take ~60 s
	local t0=$SECONDS
	swc trace -- sh -c 'for i in $(seq 1500); do sleep 100 & done'
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -lt 20 ]
	grep -q "1500 process(es) it left running were stopped" <<<"$output"
	assert_no_bpf_left
}

# tree.sh: busy children, one in a session of its own, one a grandchild; "ready" once started.
make_tree() {
	TREE=$BATS_TEST_TMPDIR/tree.sh
	cat > "$TREE" <<'SH'
#!/bin/bash
if [ "$1" = child ]; then while :; do sleep 0.01; done; fi
for i in 1 2 3; do bash "$0" child & done
setsid bash "$0" child &
( bash "$0" child & wait ) &
echo ready
wait
SH
	chmod 755 "$TREE"
}

# Processes whose command line names the tree's script (switchcost's own names it too: not it).
tree_left() {
	local p
	for p in $(pgrep -f "$TREE" || true); do
		[ "$p" = "$BG" ] || echo "$p"
	done
}

await_gone() {
	for _ in $(seq 50); do
		[ -z "$(tree_left)" ] && return 0
		sleep 0.1
	done
	echo "left running: $(tree_left | paste -sd' ')" >&2
	return 1
}

@test "trace: SIGKILL of switchcost leaves no process of the traced tree, nor its cgroup" {
	requires root btf bpf
	make_tree
	"$SWITCHCOST" trace -- "$TREE" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	wait_for_line "$BATS_TEST_TMPDIR/out" ready
	sleep 0.3	# the children are forked after "ready" may show
	[ "$(tree_left | wc -l)" -ge 6 ]
	local pid=$BG
	kill -KILL "$BG"
	wait "$BG" || true
	await_gone
	BG=
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "switchcost-trace.$pid" 2>/dev/null)" ]
	assert_no_bpf_left
}

@test "trace: a second Ctrl-C stops a command that ignores it and left its process group" {
	requires root btf bpf python3
	"$SWITCHCOST" trace -- python3 -c '
import os, signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os.write(w, b"x")
    time.sleep(300)
    os._exit(0)
os.read(r, 1)
os.setpgid(0, pid)     # CMD joins its child group: its own is empty now
print("ready", flush=True)
time.sleep(300)' > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	wait_for_line "$BATS_TEST_TMPDIR/out" ready
	kill -INT "$BG"
	sleep 0.3
	kill -INT "$BG"
	for _ in $(seq 100); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.1
	done
	local st=0
	wait "$BG" || st=$?
	BG=
	[ "$st" -eq 137 ]	# CMD's status: killed by SIGKILL
	grep -q "killed by signal 9" "$BATS_TEST_TMPDIR/out"
	assert_no_bpf_left
}
