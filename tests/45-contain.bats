#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost trace and the traced program's whole tree: what it leaves behind is stopped
# promptly, and nothing of it survives switchcost however switchcost dies.
bats_require_minimum_version 1.5.0
load helpers

teardown() {
	if [ -n "${BG:-}" ]; then
		kill -KILL "$BG" 2>/dev/null || true
		wait "$BG" 2>/dev/null || true
	fi
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
