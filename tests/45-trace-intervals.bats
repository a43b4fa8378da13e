#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost trace as the libbpf-tools are used: [interval] [count], -T, --json lines, --hist,
# -P/-L and -m; the interval lines add up to the summary printed after them; the largest
# wake-up to run delay of each task and when it happened.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	make_progdir trace-int
	build_traced
}

teardown_file() {
	rm -rf "$PROGDIR"
}

teardown() {
	kill_bg BG
}

# start_sleeper: a process that blocks 2 ms at a time (a few hundred switches a second, little
# CPU), in $BG
start_sleeper() {
	python3 -c 'import time
while True: time.sleep(0.002)' & BG=$!
	sleep 0.2
}

@test "trace -T -p PID 0.3 4: the header, then exactly 4 stamped lines that add up to the summary" {
	requires root btf bpf python3
	start_sleeper
	swc trace -T -p "$BG" 0.3 4
	echo "$output" >&2
	[ "$status" -eq 0 ]
	# the header (machine, target) comes before the column line
	[ "$(echo "$output" | grep -n '^# trace of pid' | cut -d: -f1)" -lt \
	  "$(echo "$output" | grep -n '^TIME ' | cut -d: -f1)" ]
	# sub-second interval: HH:MM:SS.mmm on each line
	[ "$(echo "$output" | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} +[0-9]+ ')" -eq 4 ]
	sum=$(echo "$output" | awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9.]+$/ { s += $2 } END { print s }')
	total=$(echo "$output" | sed -n 's/^Switches out of its tasks: \([0-9,]*\) .*/\1/p' | tr -d ,)
	[ -n "$total" ] && [ "$total" -gt 0 ]
	[ "$sum" -eq "$total" ]
	# whole seconds: no fraction; the interval given as -i, then COUNT alone
	swc trace -T -p "$BG" -i 1 1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} +[0-9]+ ')" -eq 1 ]
}

@test "trace --json 0.2 -- CMD: JSON lines, one per interval, the last partial, then the summary" {
	requires root btf bpf
	swc trace --json 0.2 -- "$TRACED" threads 20000
	[ "$status" -eq 0 ]
	n=$(echo "$output" | wc -l)
	[ "$n" -ge 2 ]
	# every line is a document of its own
	echo "$output" | while IFS= read -r line; do echo "$line" | jq -e . > /dev/null; done
	echo "$output" | jq -s -e '
		(.[:-1] | all(.record == "interval")) and .[-1].record == "summary" and
		all(keys_unsorted[0] == "schema_version" and .schema_version == 2) and
		(.[:-1] | map(.interval)) == ([range(1; length)]) and
		(.[-2].partial == true) and (.[:-2] | all(.partial == false)) and
		([.[:-1][].switches] | add) == .[-1].switches and
		([.[:-1][].by_kind.thread] | add) == .[-1].by_kind.thread and
		.[-1].switches >= 40000'
}

@test "trace -P: one histogram per process; -L one per thread; --hist the three" {
	requires root btf bpf
	swc trace -P -- "$TRACED" fork 300
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^Wake-up to run delay, pid ')" -eq 2 ]
	swc trace --json -P -L --hist -- "$TRACED" fork 300
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '
		(.process_histograms | length) == ([.tasks[].pid] | unique | length) and
		(.process_histograms | length) == 2 and
		(.thread_histograms | length) == (.tasks | length) and
		([.thread_histograms[].wakeup_delay_ns | add] | add) ==
			([.tasks[].wakeup_delay_count] | add) and
		(.histograms.run_ns | add) == .switches and
		(.histograms.wakeup_delay_ns | length) == 40'
	swc trace --hist -m -- "$TRACED" threads 300
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^     msecs ')" -eq 3 ]
}

@test "trace: interval and count misuse is a usage error" {
	swc trace -p 1 0.5 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: COUNT wants a whole number"* ]]
	swc trace 1 3 -- true
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: COUNT goes with -p"* ]]
	swc trace -i 1 -p 1 2 3
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: the interval is given twice"* ]]
	swc trace -p 1 -d 2 1 3
	[ "$status" -eq 2 ]
	swc trace -T -- true
	[ "$status" -eq 2 ]
	swc trace -m -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: -m sets the histograms' unit: give it with --hist, -P or -L (see switchcost trace --help)" ]
}

@test "trace: each task's largest wake-up to run delay, and when, lie where they must" {
	requires root btf bpf
	before=$(date +%s%N)
	swc trace --json -L -- "$TRACED" fork 2000
	after=$(date +%s%N)
	[ "$status" -eq 0 ]
	echo "$output" | jq -c '[.tasks[] | {tid, wakeup_delay_max_ns, wakeup_delay_max_at_s}]' >&2
	# the exact maximum falls in the highest non-empty log2 slot of the same task's
	# histogram, [2^i, 2^(i+1)); it ended inside the trace, by both clocks
	echo "$output" | jq -e --argjson before "$before" --argjson after "$after" '
		.wall_ns as $wall |
		(.thread_histograms | map({key: (.tid | tostring), value: .wakeup_delay_ns}) |
		 from_entries) as $h |
		[.tasks[] | select(.wakeup_delay_count > 0)] | length == 2 and all(
			($h[.tid | tostring] | to_entries | map(select(.value > 0)) | last.key)
				as $top |
			.wakeup_delay_max_ns >= (if $top == 0 then 0 else pow(2; $top) end) and
			.wakeup_delay_max_ns < pow(2; $top + 1) and
			.wakeup_delay_max_at_s > 0 and .wakeup_delay_max_at_s * 1e9 <= $wall and
			.wakeup_delay_max_at_unix_ns > $before and
			.wakeup_delay_max_at_unix_ns < $after)'
	swc trace --latency -- "$TRACED" threads 200
	[ "$status" -eq 0 ]
	[[ "$output" == *"p99"*"max"*"at"* ]]
	echo "$output" | grep -qE ' \+[0-9]+\.[0-9]{3} s'
}
