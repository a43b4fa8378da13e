#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The command line: help, version, usage errors (exit 2, one line), the non-root path.
bats_require_minimum_version 1.5.0
load helpers

@test "--help and -h print usage and exit 0" {
	swc --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: switchcost"* ]]
	swc run -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--round-trips"* ]]
	[[ "$output" == *"Examples:"* ]]
}

@test "--version prints the version" {
	swc --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^switchcost\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

# usage_error ARGS... EXPECTED: exit 2, nothing on stdout, exactly one line on stderr.
usage_error() {
	local want=${!#}
	swc "${@:1:$#-1}"
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == switchcost:* ]]
	[[ "$stderr" == *"$want"* ]]
}

@test "unknown workload is a usage error" {
	usage_error run bogus "unknown workload 'bogus'"
}

@test "unknown command is a usage error" {
	usage_error frobnicate "unknown command 'frobnicate'"
}

@test "unknown option is a usage error" {
	usage_error run --frobnicate "unknown option '--frobnicate'"
}

@test "-n 0, negative, non-numeric, overflowing and trailing garbage are usage errors" {
	usage_error run -n 0 "-n wants a whole number"
	usage_error run -n -5 "-n wants a whole number"
	usage_error run -n abc "-n wants a whole number"
	usage_error run -n 99999999999999999999999 "-n wants a whole number"
	usage_error run -n 12x "-n wants a whole number"
	usage_error run -r 0 "-r wants a whole number"
	usage_error run -r 1000 "-r wants a whole number"
}

@test "a missing option value is a usage error" {
	usage_error run -n "needs a value"
}

@test "a CPU that does not exist is a usage error" {
	usage_error run --cpus 4095 "CPU 4095 does not exist or is offline"
	usage_error run --cpus 0,1,2 "one or two CPUs"
	usage_error run --cpus x "CPU list"
}

@test "--ipc takes futex, futex-private or pipe only" {
	usage_error run --ipc shm "--ipc is futex, futex-private or pipe"
}

@test "each row says how it was measured: hand-off per row, the syscall by name" {
	swc run --no-bpf -n 500 -r 2 --json --ipc futex-private process thread syscall
	[ "$status" -eq 0 ]
	# a private futex cannot cross address spaces: the process keeps the shared one
	echo "$output" | jq -e '.config.ipc == "futex-private"'
	echo "$output" | jq -e '[.results[] | .handoff] == ["futex-shared", "futex-private", null]'
	echo "$output" | jq -e '.results[2].syscall == "getpid"'
	swc run --no-bpf -n 500 -r 2 thread process syscall
	[ "$status" -eq 0 ]
	[[ "$output" == *"hand-off: futex (thread futex-shared, process futex-shared)"* ]]
	[[ "$output" == *"syscall: getpid(2) in a loop"* ]]
}

@test "the coroutine's floor and the ret teaching row: present, labelled, measured" {
	swc run --no-bpf -n 2000 -r 3 --json coroutine coroutine-floor coroutine-ret
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.results[].workload] == ["coroutine", "coroutine-floor", "coroutine-ret"]'
	echo "$output" | jq -e '[.results[] | .ok and .ns_per_switch.median > 0 and .switches == 12000] | all'
	swc run --no-bpf -n 2000 -r 3 coroutine coroutine-floor coroutine-ret
	[ "$status" -eq 0 ]
	[[ "$output" == *"coroutine-floor: the coroutine switch without its stack change"*"× the floor"* ]]
	# the difference carries its own sign: "(+1.2 ns)" or "(−0.8 ns)", never "(+-)"
	[[ "$output" =~ "× the floor ("(\+|−)[0-9.]+" "(ns|µs)")" ]]
	[[ "$output" == *"coroutine-ret: the same switch ending in ret"*"a mispredict costs"* ]]
}

@test "--json: peak RSS from VmHWM, a plausible size" {
	swc run --no-bpf --quick --json syscall
	[ "$status" -eq 0 ]
	# more than a page, less than the 16 MB target's tenfold: a unit mix-up would show
	echo "$output" | jq -e '.switchcost.peak_rss_source == "VmHWM" and
		.switchcost.peak_rss_kib > 64 and .switchcost.peak_rss_kib < 163840'
}

@test "--quick with -n is contradictory" {
	usage_error run --quick -n 10 "--quick sets -n and -r"
}

@test "usage errors come before any workload runs or any BPF loads" {
	swc run -n 0 thread
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "not root: one line naming the fix, exit 1, before any workload runs" {
	requires nobody
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all "$SWITCHCOST" --quick
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "switchcost: loading eBPF programs needs root"*"sudo switchcost"*"switchcost doctor"* ]]
}

@test "not root with --no-bpf: runs, kernel columns marked not measured" {
	requires nobody
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all "$SWITCHCOST" --quick --no-bpf --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.config.bpf == false'
	echo "$output" | jq -e '[.results[] | .ebpf == null] | all'
	echo "$output" | jq -e '[.results[] | .ns_per_switch.median > 0] | all'
}

@test "tables and text fit 100 columns on a terminal; --wide and a pipe keep every column" {
	command -v script >/dev/null || skip "needs script(1) (util-linux) for a terminal"
	out=$(script -qec "$SWITCHCOST --quick --no-bpf thread coroutine" /dev/null | tr -d '\r')
	table=$(sed -n '/^workload /,/^$/p' <<<"$out")
	[ -n "$table" ]
	# every line, the header's and the prose's too (wrapped), not only the table's
	while IFS= read -r line; do
		[ "$(printf '%s' "$line" | LC_ALL=C.UTF-8 wc -m)" -le 100 ] || { echo "too wide: $line"; false; }
	done <<<"$out"
	# wrapped lines carry on their mark: no header continuation lost its '#'
	[ "$(grep -c '^#' <<<"$out")" -ge 4 ]
	[[ "$out" == *"(to fit 100 columns, left out: "*"--wide shows them)"* ]]
	# the columns it names are the ones missing from the header
	left=$(tr '\n' ' ' <<<"$out" | tr -s ' ' | sed -n 's/.*left out: \(.*\); --wide.*/\1/p')
	header=$(head -1 <<<"$table")
	IFS=, read -ra names <<<"$left"
	for name in "${names[@]}"; do
		[[ "$header" != *"${name# }"* ]]
	done
	out=$(script -qec "$SWITCHCOST --quick --no-bpf --wide thread coroutine" /dev/null | tr -d '\r')
	[[ "$out" == *"kernel sw"* ]]
	[[ "$out" != *"to fit 100 columns"* ]]
	# not a terminal: every column, nothing left out
	swc --quick --no-bpf thread coroutine
	[[ "$output" == *"kernel sw"* ]]
	[[ "$output" != *"to fit 100 columns"* ]]
}

# json_error STATUS TEXT ARGS...: exit STATUS, the one line on stderr, and on stdout only
# {"schema_version": 2, "error": TEXT without "switchcost: ", "exit_status": STATUS}.
json_error() {
	local want_status=$1 text=$2
	shift 2
	run "-$want_status" --separate-stderr "$SWITCHCOST" "$@"
	echo "stdout=$output stderr=$stderr" >&2
	[ "$stderr" = "switchcost: $text" ]
	jq -e --arg t "$text" --argjson s "$want_status" \
		'. == {"schema_version": 2, "error": $t, "exit_status": $s}' <<<"$output"
	[ "$(jq -s length <<<"$output")" -eq 1 ]
	[ "$(jq -r 'keys_unsorted[0]' <<<"$output")" = schema_version ]
}

@test "--json: an error is also a JSON object on stdout, the same line on stderr" {
	json_error 2 "-n wants a whole number from 1 to 10000000, not '0' (see switchcost run --help)" \
		run --json -n 0
	json_error 2 "-n wants a whole number from 1 to 10000000, not '0' (see switchcost run --help)" \
		--json -n 0
	json_error 2 "unknown scenario 'nosuch': choose from timeline, cost, parallel, join, address-space (see switchcost lab --help)" \
		lab nosuch --json
	json_error 2 "unknown option '--nope' (see switchcost doctor --help)" doctor --json --nope
	json_error 2 "unknown option '--nope' (see switchcost trace --help)" trace --json --nope -- true
	json_error 127 "cannot run '/nonexistent': command not found (check the name and PATH, or give a path)" \
		trace --json -- /nonexistent
	# without --json, or with --json only in CMD's arguments: stdout stays empty
	swc run -n 0
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	swc trace --nope -- echo --json
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	# report and compare have no --json: an unknown option there is told as text only
	swc report --json x.json
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	swc compare --json a.json b.json
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "--json: a --json in trace's CMD given without -- is CMD's: no error object on stdout" {
	requires root btf bpf
	run -127 --separate-stderr "$SWITCHCOST" trace /nonexistent --json
	[ "$stderr" = "switchcost: cannot run '/nonexistent': command not found (check the name and PATH, or give a path)" ]
	[ -z "$output" ]
}

@test "--json: the error object is the error that ended the command, not a warning before it" {
	requires root btf bpf
	local pid=999999 msg
	while [ -e "/proc/$pid" ]; do pid=$((pid + 1)); done
	msg="no process $pid (-p): it is not running; check the pid with ps"
	# the knob's line is a warning; the error comes after it
	SWITCHCOST_DISABLE=task_storage run -1 --separate-stderr "$SWITCHCOST" trace --json -p "$pid"
	echo "stdout=$output stderr=$stderr" >&2
	[ "${stderr_lines[1]}" = "switchcost: $msg" ]
	jq -e --arg m "$msg" '. == {"schema_version": 2, "exit_status": 1, "error": $m}' <<<"$output"
}

@test "--json: a command that fails after its document adds no error object" {
	requires root btf bpf
	swc trace --json -- false
	[ "$status" -eq 1 ]
	[ "$(jq -s length <<<"$output")" -eq 1 ]
	jq -e '.record == "summary" and .exit_status == 1 and (has("error") | not)' <<<"$output"
}

@test "CI runs exactly the README's test command: the quick start's second line is .ci/run's" {
	cd "$BATS_TEST_DIRNAME/.."
	readme=$(awk '/^## Quick start/ { q = 1 } q && /^```sh$/ { b = 1; next } b && /^```$/ { exit }
		b { print }' README.md)
	[ "$(wc -l <<<"$readme")" -eq 2 ]
	[ "$(sed -n 1p <<<"$readme")" = "make run" ]
	test_cmd=$(sed -n 2p <<<"$readme")
	[ "$test_cmd" = "make deps test" ]
	# the last command .ci/run runs, after its cd to the tree
	[ "$(grep -v '^\s*#' .ci/run | grep -v '^\s*$' | tail -1)" = "$test_cmd" ]
}
