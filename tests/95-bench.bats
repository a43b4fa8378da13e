#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# scripts/bench's instruments and table: each floor of build/empty_counter loads only its own
# programs and sees switches; a tiny bench run prints the floors' rows and each target line
# beside its floor, in the forms a reader parses. No timing is judged (a tiny run on a shared
# machine is noise): the lead's full run on a quiet machine gives the numbers.
bats_require_minimum_version 1.5.0
load helpers

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
EMPTY_COUNTER=${EMPTY_COUNTER:-$(dirname "$SWITCHCOST")/empty_counter}

setup() {
	[ -x "$EMPTY_COUNTER" ] || skip "needs $EMPTY_COUNTER (make $(dirname "$SWITCHCOST")/empty_counter)"
}

teardown() {
	[ -z "${counter_pid:-}" ] || { kill -INT "$counter_pid" 2>/dev/null; wait "$counter_pid"; } || true
}

# names of the BPF programs process $1 holds
held_progs() {
	local id
	for id in $(grep -hs '^prog_id:' /proc/"$1"/fdinfo/* | awk '{ print $2 }' | sort -u); do
		bpftool prog show id "$id" --json | jq -r .name
	done | sort | paste -sd' '
}

@test "empty_counter: an unknown option is one line and exit 2" {
	run --separate-stderr "$EMPTY_COUNTER" --clocks
	[ "$status" -eq 2 ]
	[ "$stderr" = "empty_counter: usage: empty_counter [--clock | --stamp | --per-task | --records]" ]
	[ -z "$output" ]
}

@test "empty_counter: each floor loads only its programs; --stamp measures, --records takes" {
	requires root btf bpf
	command -v perf >/dev/null || skip "needs perf (linux-perf)"
	local mode want out=$BATS_TEST_TMPDIR/out i
	for mode in "" --clock --stamp --per-task --records; do
		case $mode in
		"") want="bench_empty_switch" ;;
		--clock) want="bench_clock_switch" ;;
		--stamp) want="bench_stamp_switch bench_stamp_wakeup bench_stamp_wakeup_new" ;;
		--per-task) want="bench_pertask_switch" ;;
		--records) want="bench_records_switch" ;;
		esac
		"$EMPTY_COUNTER" $mode >"$out" 2>&1 3>&- &
		counter_pid=$!
		for i in $(seq 300); do grep -q '^attached$' "$out" && break; sleep 0.01; done
		grep -q '^attached$' "$out"
		[ "$(held_progs "$counter_pid")" = "$want" ]
		taskset -c 0 perf bench sched pipe -T -l 2000 >/dev/null
		kill -INT "$counter_pid"
		wait "$counter_pid"
		counter_pid=
		if [ "$mode" = --stamp ]; then
			# the ping-pong's 2000 loops alone wake its threads more than 2000 times (at
			# least one reader blocks per loop); half of that leaves room for a busy machine
			grep -Eq '^wake-up to run: mean [0-9]+ ns over [0-9]+ wake-ups$' "$out"
			[ "$(awk '/^wake-up to run/ { print $8 }' "$out")" -ge 1000 ]
		elif [ "$mode" = --records ]; then
			# 4000 switches at least, sent 8 at a time: records taken, drops counted
			grep -Eq '^records: [0-9]+ taken, [0-9]+ dropped$' "$out"
			[ "$(awk '/^records:/ { print $2 }' "$out")" -gt 0 ]
		else
			[ "$(cat "$out")" = attached ]
		fi
	done
}

@test "scripts/bench: the floors' rows, and each target beside its floor" {
	requires root btf bpf
	command -v perf >/dev/null || skip "needs perf (linux-perf)"
	local tracers="empty empty-clock empty-stamp empty-pertask empty-records trace trace-latency"
	tracers+=" trace-csv"
	local num row
	command -v runqlat >/dev/null && tracers+=" runqlat"
	run env SWITCHCOST="$SWITCHCOST" EMPTY_COUNTER="$EMPTY_COUNTER" PAIRS=1 LOOPS=2000 N=2000 \
		R=1 TRACERS="$tracers" "$ROOT/scripts/bench" 3>&-
	echo "$output"
	[ "$status" -eq 0 ]
	num='[-+]?[0-9.]+'
	row=" +$num ns +$num ns +$num"x
	grep -Eq "^empty tp_btf counter$row" <<<"$output"
	grep -Eq "^empty counter \+ clock read$row" <<<"$output"
	grep -Eq "^wake-up-to-run floor$row" <<<"$output"
	grep -Eq "^per-task on-/off-CPU floor$row" <<<"$output"
	grep -Eq "^per-switch records floor$row" <<<"$output"
	grep -Eq '^per-switch records floor: [0-9]+ records taken a run \([0-9]+\.\.[0-9]+\), [0-9]+ dropped in all$' <<<"$output"
	grep -Eq "^switchcost trace$row" <<<"$output"
	# until trace takes --latency with a command, the row is left out, saying why
	grep -Eq "^switchcost trace --latency$row" <<<"$output" ||
		grep -q '^not measured: trace --latency (this switchcost refuses it: ' <<<"$output"
	grep -Eq '^wake-up-to-run floor, its own measurement: mean wake-up to run [0-9]+ ns' <<<"$output"
	local ratio="([0-9.]+x|below the noise, [a-z-]+ added <=? 0 ns|not measured)"
	grep -Eq "^trace / empty counter, added: $ratio \(target <= 2; one clock read per switch alone: $ratio; per-task on-/off-CPU floor alone: $ratio\)$" <<<"$output"
	grep -Eq "^trace --csv .gz / untraced: [0-9.]+x \(target <= 1.10, with 0 drops; one clock read per switch alone: [0-9.]+x; per-switch records floor alone: [0-9.]+x\)$" <<<"$output"
	if command -v runqlat >/dev/null; then
		grep -Eq "^trace --latency / runqlat, added: $ratio \(target <= 0.5; the wake-up-to-run floor alone: $ratio\)$" <<<"$output"
	fi
	if command -v bpftool >/dev/null; then
		grep -Eq '^  empty \+ clock read +bench_clock_switch +[0-9]+ runs' <<<"$output"
		grep -Eq '^  wake-up-to-run floor bench_stamp_switch +[0-9]+ runs' <<<"$output"
		grep -Eq '^  wake-up-to-run floor bench_stamp_wakeup +[0-9]+ runs' <<<"$output"
		grep -Eq '^  per-task floor +bench_pertask_switch +[0-9]+ runs' <<<"$output"
		grep -Eq '^  records floor +bench_records_switch +[0-9]+ runs' <<<"$output"
		! grep -Eq "^switchcost trace --latency$row" <<<"$output" ||
			grep -Eq '^  trace --latency +on_switch +[0-9]+ runs' <<<"$output"
	fi
}
