#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# scripts/bpf-body-pair: two builds' BPF bodies on the same switches. Its usage, and one pair of
# windows of a build against itself: the line forms, the statistics switched back, and its
# ping-pong gone. No timing is judged.
bats_require_minimum_version 1.5.0
load helpers

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

@test "bpf-body-pair: usage errors are one line and exit 2" {
	run --separate-stderr "$ROOT/scripts/bpf-body-pair" 2 -- "$SWITCHCOST"
	[ "$status" -eq 2 ]
	[ "$stderr" = "usage: $ROOT/scripts/bpf-body-pair [WINDOWS] -- SWITCHCOST_A SWITCHCOST_B [TRACE OPTIONS...]" ]
}

@test "bpf-body-pair: a build against itself, both orders, then nothing left" {
	requires root btf bpf
	command -v perf >/dev/null || skip "needs perf (linux-perf)"
	local was
	was=$(sysctl -n kernel.bpf_stats_enabled)
	run --separate-stderr "$ROOT/scripts/bpf-body-pair" 2 -- "$SWITCHCOST" "$SWITCHCOST" --latency
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$(grep -c '^A first  on_switch  A ' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^B first  on_wakeup  A ' <<<"$output")" -eq 1 ]
	grep -Eq '^on_switch: B - A [-+][0-9]+\.[0-9] ns a run \(A first: median [-+][0-9.]+ over 1; B first: [-+][0-9.]+ over 1\)$' <<<"$output"
	grep -q '^on_wakeup: B - A ' <<<"$output"
	[ "$(sysctl -n kernel.bpf_stats_enabled)" = "$was" ]
	# its ping-pong is gone, so are the tracers following it (trace -p ends with its process,
	# and the script waits for them)
	! pgrep -f 'perf bench sched pipe -T -l 1000000000'
}
