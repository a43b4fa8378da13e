#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Why a process switch costs what it does: the address-space facts, typed, and the sentence.
bats_require_minimum_version 1.5.0
load helpers

@test "system.address_space: pti, pcid, invpcid booleans; ibpb, stibp strings (arm64: asid)" {
	swc --no-bpf --quick --json thread
	[ "$status" -eq 0 ]
	if [ "$(uname -m)" = aarch64 ]; then
		# arm64: ASIDs instead of PCID; the x86 words stay unknown
		jq -e '.system.address_space | .asid == true and .pcid == null and .invpcid == null' \
			<<<"$output"
		return
	fi
	jq -e '.system.address_space | (.pti | type == "boolean") and (.pcid | type == "boolean")
		and (.invpcid | type == "boolean") and (.ibpb | type == "string")
		and (.stibp | type == "string") and (.spectre_v2 | type == "string")
		and (.ibpb_per_process | type == "boolean" or . == null)' <<<"$output"
	jq -e '.system.address_space.ibpb | IN("always","conditional","off","unsupported")' \
		<<<"$output"
	# pti agrees with the kernel's own meltdown line, pcid with the CPU flags
	if grep -q PTI /sys/devices/system/cpu/vulnerabilities/meltdown; then want=true; else want=false; fi
	jq -e --argjson w "$want" '.system.address_space.pti == $w' <<<"$output"
	if grep -m1 '^flags' /proc/cpuinfo | grep -qw pcid; then want=true; else want=false; fi
	jq -e --argjson w "$want" '.system.address_space.pcid == $w' <<<"$output"
}

@test "the header shows the address-space facts instead of the truncated mitigations line" {
	swc --no-bpf --quick thread
	[ "$status" -eq 0 ]
	if [ "$(uname -m)" = aarch64 ]; then
		[[ "$output" == *"# address space: PTI "*" · ASIDs on · spectre_v2: "* ]]
	else
		[[ "$output" == *"# address space: PTI "*" · PCID "*" · IBPB "* ]]
	fi
	[[ "$output" == *"#   extra for a process switch:"* ]]
	[[ "$output" != *"# mitigations:"* ]]
}

@test "process_vs_thread explains the ratio measured in this run, not an assumed one" {
	swc --no-bpf --quick --json process thread
	[ "$status" -eq 0 ]
	ratio=$(jq -r '([.results[] | select(.workload == "process")][0].ns_per_switch.median /
		[.results[] | select(.workload == "thread")][0].ns_per_switch.median)
		| . * 100 | round / 100 | tostring' <<<"$output")
	sentence=$(jq -r '.process_vs_thread' <<<"$output")
	jq -e '.process_vs_thread_valid == ([.results[].valid] | all)' <<<"$output"
	echo "ratio $ratio: $sentence"
	[[ "$sentence" == *"process switch costs"* ]]
	# the printed ratio is this run's (to two decimals; jq's rounding may differ by 0.01)
	printed=$(grep -o '[0-9]\.[0-9][0-9]×' <<<"$sentence" | tr -d '×')
	awk -v a="$printed" -v b="$ratio" 'BEGIN { d = a - b; exit !(d < 0.011 && d > -0.011) }'
	# "about what a thread switch costs" exactly when the ratio is under 1.15
	if awk -v r="$ratio" 'BEGIN { exit !(r < 1.145) }'; then
		[[ "$sentence" == *"about what a thread switch costs"* ]]
	elif awk -v r="$ratio" 'BEGIN { exit !(r > 1.155) }'; then
		[[ "$sentence" != *"about what"* ]]
	fi
	# a single workload has nothing to compare: null, not an invented sentence
	swc --no-bpf --quick --json thread
	jq -e '.process_vs_thread == null' <<<"$output"
}

@test "--ibpb: process+ibpb and thread+ibpb rows; slower for processes only, or why not" {
	requires root btf bpf
	swc --quick --json --ibpb process thread
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -e '[.results[].workload] == ["process","thread","process+ibpb","thread+ibpb"]' <<<"$output"
	if jq -e '.results[] | select(.workload == "process+ibpb") | .ok' <<<"$output" >/dev/null; then
		# a barrier on every change of address space; none between threads of one process
		jq -e '(.results | map({(.workload): .ns_per_switch.median}) | add) as $m
			| $m["process+ibpb"] > 1.1 * $m.process
			and $m["thread+ibpb"] < 1.3 * $m.thread
			and $m["thread+ibpb"] > $m.thread / 1.3' <<<"$output"
	else
		# refused: both rows say why, in the kernel's terms, and the run still succeeds
		jq -e '[.results[] | select(.workload | endswith("+ibpb"))
			| (.ok | not) and (.error | startswith("not available: "))] | all
			and length == 2' <<<"$output"
		jq -e '.system.address_space.ibpb_per_process == false' <<<"$output"
		swc --quick --ibpb thread
		[ "$status" -eq 0 ]
		[[ "$output" == *"thread+ibpb not available: IBPB "* ]]
	fi
}

@test "--ibpb with only coroutine rows is a usage error" {
	swc --no-bpf --ibpb coroutine
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --ibpb adds variants of process and thread: name one of them too, or no workload (see switchcost run --help)" ]
}

# start_hog: a CPU hog pinned on the CPU this test runs on (HOG_CPU), killed in teardown.
start_hog() {
	HOG_CPU=$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')
	taskset -c "$HOG_CPU" sh -c 'while :; do :; done' >/dev/null 2>&1 3>&- &
	HOG_PID=$!
}

teardown() {
	if [ -n "${HOG_PID:-}" ]; then
		kill "$HOG_PID" 2>/dev/null || true
		wait "$HOG_PID" 2>/dev/null || true
	fi
}

@test "every row carries valid and reasons; they agree with each other" {
	swc --no-bpf --quick --json thread coroutine syscall
	[ "$status" -eq 0 ]
	jq -e '[.results[] | (.valid | type == "boolean") and (.reasons | type == "array")
		and (.valid == (.reasons | length == 0))
		and (.validity.repeat_spread >= 1)] | all' <<<"$output"
	# the coroutine row is too short to judge its CPU share: only its repeats' spread (a shared
	# or emulated CPU) can mark it
	jq -e '.results[] | select(.workload == "coroutine") | .validity.cpu_share == null
		and (.valid or (.reasons | all(startswith("its repeats spread "))))' <<<"$output"
}

@test "a CPU hog on the workload's CPU makes process and thread invalid, with a reason" {
	requires root btf bpf
	start_hog
	cpu=$HOG_CPU
	kill -0 "$HOG_PID"
	swc --quick --json --cpus "$cpu" process thread
	[ "$status" -eq 0 ]
	jq -e '[.results[] | (.valid | not) and (.reasons | length >= 1)] | all' <<<"$output"
	jq -e '[.results[].reasons[] | test("CPU [0-9]+% of the time|spread")] | any' \
		<<<"$output"
	# the human output marks the rows and says how to get a quiet run
	swc --quick --cpus "$cpu" thread
	[ "$status" -eq 0 ]
	[[ "$output" == *"thread !"* ]]
	[[ "$output" == *"! thread: not a clean measurement: "* ]]
	[[ "$output" == *"! for a quiet run, stop other work on that CPU"* ]]
	# --strict turns the judgement into the exit status
	swc --quick --strict --cpus "$cpu" thread
	[ "$status" -eq 4 ]
}

@test "--ws: a bad size, zero alone, more than half of RAM, two CPUs: one line, exit 2" {
	swc --ws 16Q
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --ws wants sizes such as 0,16K,256K,1M,4M,16M, not '16Q' (see switchcost run --help)" ]
	[ -z "$output" ]
	swc --ws 0
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: --ws needs a size above 0"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	ram=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	swc --ws "0,$(( ram / 1024 / 1024 + 1 ))G"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: --ws size '"*"' is more than half of this machine's memory"* ]]
	swc --ws 16K,,1M
	[ "$status" -eq 2 ]
	swc --ws 16K --cpus 0,1
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --ws pins both parties to one CPU: give --cpus one CPU (see switchcost run --help)" ]
	swc --ws 16K syscall
	[ "$status" -eq 2 ]
	swc --ws 16K -n 100
	[ "$status" -eq 2 ]
}

@test "--ws: rows carry ws_bytes and the pattern, every point judged, caches reported" {
	swc --no-bpf --quick --json --ws 16K,64K thread coroutine
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# W = 0 once per workload (it serves both patterns), then a baseline and each workload
	# per pattern and size
	jq -e '[.results[] | select(.ws_bytes == 0) | .workload] == ["thread","coroutine"]' \
		<<<"$output"
	jq -e '[.results[] | select(.ws_bytes > 0)] | length == 2 * 2 * 3' <<<"$output"
	jq -e '[.results[] | select(.ws_bytes > 0) | .ws_pattern] | unique == ["lines","pages"]' \
		<<<"$output"
	jq -e '[.results[] | (.valid | type == "boolean") and (.reasons | type == "array")
		and (.valid == (.reasons | length == 0))
		and (.ns_per_switch.median > 0)] | all' <<<"$output"
	# cost and indirect are the medians' differences, as documented
	jq -e '(.results | map(select(.workload == "baseline"))) as $b
		| (.results | map(select(.workload == "thread" and .ws_bytes == 0)))[0] as $z
		| [.results[] | select(.workload == "thread" and .ws_bytes > 0)
		   | . as $p | ($b[] | select(.ws_bytes == $p.ws_bytes and .ws_pattern == $p.ws_pattern)) as $q
		   | (($p.cost_ns - ($p.ns_per_switch.median - $q.ns_per_switch.median)) | fabs < 1e-6)
		     and (($p.indirect_ns - ($p.cost_ns - $z.ns_per_switch.median)) | fabs < 1e-6)]
		| all and length == 4' <<<"$output"
	jq -e '.ws_sweep.ws_bytes == [0, 16384, 65536]' <<<"$output"
	jq -e '.ws_sweep.cpu_caches.caches | type == "array"' <<<"$output"
	jq -e '.ws_sweep.turns_up | (.lines | type == "string") and (.pages | type == "string")' \
		<<<"$output"
	# the human form: both tables and the plot
	swc --no-bpf --quick --ws 16K coroutine
	[ "$status" -eq 0 ]
	[[ "$output" == *"every cache line of W"* ]]
	[[ "$output" == *"one line per 4 KiB page of W"* ]]
	[[ "$output" == *"indirect cost per switch, lines"* ]]
	# where sysfs has no cache/index* (qemu's arm64 virt board), the line says so
	[[ "$output" == *"# caches ("* || "$output" == *"# caches: not reported"* ]]
}

@test "lab: every result carries valid and reasons; a CPU hog makes them invalid; --strict exits 4" {
	requires root btf bpf
	swc lab cost -n 200 --json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -e '[.results[] | (.valid | type == "boolean") and (.reasons | type == "array")
		and (.valid == (.reasons | length == 0))] | all' <<<"$output"
	start_hog
	kill -0 "$HOG_PID"
	# the lab's children inherit switchcost's CPU: the hog's. lab join's threads mostly sleep,
	# and a woken sleeper preempts a hog at once: its variants carry the fields, and may be
	# clean (its units came out 6.01-6.27 of 6 here under the hog, judged valid)
	run --separate-stderr taskset -c "$HOG_CPU" "$SWITCHCOST" lab join --unit 20ms --json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -e '[.variants[] | (.valid | type == "boolean") and (.reasons | type == "array")
		and (.valid == (.reasons | length == 0))] | all and length == 3' <<<"$output"
	# lab parallel's workers are CPU-bound: beside the hog they wait runnable behind it
	run --separate-stderr taskset -c "$HOG_CPU" "$SWITCHCOST" lab parallel --iterations 3000000 \
		--json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -e '[.runs[] | select(.valid | not)] | length >= 1' <<<"$output"
	jq -e '[.runs[].reasons[] | test("runnable behind tasks outside it")] | any' <<<"$output"
	# the human form under --strict: exit 4 exactly when it prints a "not a clean measurement"
	# line, and the hog spoils at least one of three tries
	local try flagged=0
	for try in 1 2 3; do
		run --separate-stderr taskset -c "$HOG_CPU" "$SWITCHCOST" lab parallel \
			--iterations 3000000 --strict
		[ "$status" -eq 0 ] || [ "$status" -eq 4 ] || { echo "$stderr"; false; }
		if [[ "$output" == *"! "*": not a clean measurement: "* ]]; then
			[ "$status" -eq 4 ]
			[[ "$output" == *"! for a quiet run"* ]]
			flagged=1
			break
		fi
		[ "$status" -eq 0 ]
	done
	[ "$flagged" -eq 1 ]
}

@test "trace: valid and reasons in the report; a CPU hog beside a CPU-bound CMD is flagged" {
	requires root btf bpf
	swc trace --json -- sleep 0.1
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -e '.valid == true and .reasons == [] and (.validity.steal_ns | type == "number")
		and (.validity.outside_preemptions_max | type == "number")' <<<"$output"
	start_hog
	loop='i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'
	swc trace --json -- taskset -c "$HOG_CPU" sh -c "$loop"
	[ "$status" -eq 0 ]
	jq -e '.valid == false and (.reasons | length >= 1)' <<<"$output"
	swc trace --strict -- taskset -c "$HOG_CPU" sh -c "$loop"
	[ "$status" -eq 4 ]
	[[ "$output" == *"! not a clean measurement: "* ]]
	# --strict never hides CMD's own failure
	swc trace --strict -- taskset -c "$HOG_CPU" sh -c "$loop; exit 3"
	[ "$status" -eq 3 ]
}

@test "--pmu: hardware counters per switch, or once why not; software events through the same path" {
	requires root btf bpf
	swc --quick --json --pmu thread coroutine
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	if [ "$(jq -r '.pmu_not_measured' <<<"$output")" = null ]; then
		jq -e '[.results[].pmu.events | .instructions.per_switch > 0] | all' <<<"$output"
	else
		# never zeros in place of what was not measured
		jq -e '.pmu_not_measured | test("no PMU in this VM|the PMU refuses")' <<<"$output"
		jq -e '[.results[].pmu] | all(. == null)' <<<"$output"
		swc --quick --pmu thread
		[ "$(grep -c 'counters: not measured: ' <<<"$output")" -eq 1 ]
	fi
	# software events: one context switch per switch for a thread, none for a coroutine
	swc --quick --json --pmu=software thread coroutine
	[ "$status" -eq 0 ]
	jq -e '.results[] | select(.workload == "thread") | .pmu.events.context_switches.per_switch
		| . > 0.95 and . < 1.1' <<<"$output"
	jq -e '.results[] | select(.workload == "coroutine")
		| .pmu.events.context_switches.per_switch < 0.01' <<<"$output"
	swc --pmu=bogus
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --pmu is hardware (the default) or software, not 'bogus' (see switchcost run --help)" ]
}

@test "lab address-space --quick: the claim, the causes, the sweep, one sentence from the numbers" {
	requires root btf bpf
	swc lab address-space --quick --json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -e '.scenario == "address-space" and (.claim | test("process switch high"))' <<<"$output"
	jq -e '.system.address_space | (.pti | type == "boolean") and (.ibpb | type == "string")' \
		<<<"$output"
	jq -e '[.results[] | .workload] | .[0:2] == ["process","thread"]' <<<"$output"
	jq -e '[.results[] | select(.ok) | (.valid | type == "boolean") and (.reasons | type == "array")
		and (.ns_per_switch.median > 0)] | all' <<<"$output"
	# IBPB rows where the kernel takes the request, else why not
	jq -e '(.ibpb_not_available | type == "string") or
		([.results[].workload] | index("process+ibpb") != null)' <<<"$output"
	jq -e '[.sweep_results[] | .ws_bytes] | max == 4194304' <<<"$output"
	jq -e '[.sweep_results[] | has("valid") and has("reasons")] | all' <<<"$output"
	# the closing sentence carries this run's ratio
	ratio=$(jq -r '([.results[] | select(.workload == "process")][0].ns_per_switch.median /
		[.results[] | select(.workload == "thread")][0].ns_per_switch.median) * 100 | round
		| . / 100 | tostring' <<<"$output")
	jq -e --arg r "$ratio" '.conclusion | startswith("Answer from this machine: a process switch costs ")' <<<"$output"
	printed=$(jq -r '.conclusion' <<<"$output" | grep -o 'costs [0-9.]*×' | head -1 | tr -dc '0-9.')
	awk -v a="$printed" -v b="$ratio" 'BEGIN { d = a - b; exit !(d < 0.011 && d > -0.011) }'
}

@test "--ws: the indirect cost grows once the working set passes a cache level (shape only)" {
	# the largest data or unified cache a quick sweep can pass: the last level where it is
	# 16 MiB at most, the level below it where the last is larger (this VM reports 480 MiB)
	swc --no-bpf --quick --ws 16K --json coroutine
	[ "$status" -eq 0 ]
	level=$(jq '[.ws_sweep.cpu_caches.caches[] | select(.type != "Instruction"
		and .bytes <= 16777216)] | max_by(.bytes) | .bytes // empty' <<<"$output")
	[ -n "$level" ] || skip "no cache of 16 MiB or less in sysfs to sweep past"
	small=$((level / 8)) big=$((level * 4))
	swc --no-bpf --quick --ws "$small,$big" --json process thread
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/ws.json"
	# per workload: W = level/8 fits the cache for both parties, W = 4x the level cannot
	clean=$(jq --argjson s "$small" --argjson b "$big" '[.results[]
		| select(.ws_pattern == "lines" and (.ws_bytes == $s or .ws_bytes == $b)
			 and .workload != "baseline")] | group_by(.workload)
		| map(select(all(.valid))) | length' "$BATS_TEST_TMPDIR/ws.json")
	[ "$clean" -ge 1 ] || skip "no workload clean at both sizes: a loaded machine, nothing to judge"
	jq -e --argjson s "$small" --argjson b "$big" '[.results[]
		| select(.ws_pattern == "lines" and (.ws_bytes == $s or .ws_bytes == $b)
			 and .workload != "baseline")] | group_by(.workload)
		| map(select(all(.valid))
		      | (map(select(.ws_bytes == $b))[0].indirect_ns) as $hi
		      | (map(select(.ws_bytes == $s))[0].indirect_ns) as $lo
		      | $hi > 2 * ([$lo, 100] | max))
		| all' "$BATS_TEST_TMPDIR/ws.json"
}
