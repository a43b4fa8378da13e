#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Small wrong answers, each now one clear line: options a command or scenario would ignore,
# limits said before anything runs, and messages that name the real cause.
bats_require_minimum_version 1.5.0
load helpers

@test "trace: an interval under 10ms is refused, not 36,000 lines" {
	# -d: a binary without the floor stops after 0.2 s instead of printing forever
	swc trace -p 1 -i 1ns -d 0.2
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: the interval must be at least 10ms (at most 100 lines a second); for every switch, use --csv (see switchcost trace --help)" ]
	swc trace -p 1 -d 0.2 0.001
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "--csv '' is a usage error in run and trace, not 'that names a directory'" {
	for cmd in run trace; do
		swc "$cmd" --csv '' -- true
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: --csv wants a file name, or - for stdout (see switchcost $cmd --help)" ]
	done
}

@test "every output file option: an empty or directory-shaped name is one line, exit 2, before any work" {
	local opt cmd
	# sleep 5: a trace that ran would take that long; the error comes at once
	for opt in --folded --html --perfetto --csv; do
		for name in '' dir/ . ..; do
			[ "$opt $name" != "--csv " ] || continue	# its own wording, above
			swc trace "$opt" "$name" -- sleep 5
			[ "$status" -eq 2 ]
			[ "${#stderr_lines[@]}" -eq 1 ]
			if [ -z "$name" ]; then
				[ "$stderr" = "switchcost: $opt wants a file name, not an empty one (see switchcost trace --help)" ]
			else
				[ "$stderr" = "switchcost: $opt wants a file name, not '$name', a directory (see switchcost trace --help)" ]
			fi
		done
	done
	for cmd in "run --html" "run --csv" "lab cost --html"; do
		swc $cmd out/ syscall
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: ${cmd##* } wants a file name, not 'out/', a directory (see switchcost ${cmd%% *} --help)" ]
	done
	swc run --html '' syscall
	[ "$stderr" = "switchcost: --html wants a file name, not an empty one (see switchcost run --help)" ]
	swc report ''
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: report: give a results file, not an empty name (see switchcost report --help)" ]
	swc report r.json -o ''
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: report: -o wants a file name, not an empty one (see switchcost report --help)" ]
	swc report t.csv --perfetto /tmp/
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: report: --perfetto wants a file name, not '/tmp/', a directory (see switchcost report --help)" ]
	swc compare a.json ''
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: compare: give result files, not an empty name (see switchcost compare --help)" ]
	for opt in --csv --html; do
		swc compare "$opt" '' a.json
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: compare: $opt wants a file name, not an empty one (see switchcost compare --help)" ]
	done
}

@test "run: --allow-drops without --csv is refused like --ringbuf-size" {
	swc run --allow-drops syscall
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --allow-drops is about records lost from --csv: add --csv FILE (see switchcost run --help)" ]
	swc run --ringbuf-size 1M syscall
	[ "$status" -eq 2 ]
}

@test "run --csv: a long name works up to what its sidecar allows, and is refused beyond" {
	requires root btf bpf
	local n245 n246
	n245=$BATS_TEST_TMPDIR/$(printf 'a%.0s' $(seq 241)).csv
	n246=$BATS_TEST_TMPDIR/$(printf 'a%.0s' $(seq 242)).csv
	swc run --quick --csv "$n245" syscall
	[ "$status" -eq 0 ]
	[ -s "$n245" ] && [ -s "$n245.meta.json" ]
	swc run --quick --csv "$n246" syscall
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"the name is too long for its sidecar NAME.meta.json: give a file name of at most 245 bytes"* ]]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '*.tmp')" ]
}

@test "lab: an option the scenario does not take is refused, naming it" {
	swc lab cost --unit 20ms
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: lab cost does not take --unit (timeline and join do) (see switchcost lab --help)" ]
	swc lab cost --iterations 5000
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: lab cost does not take --iterations (parallel does) (see switchcost lab --help)" ]
	swc lab timeline -n 100
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: lab timeline does not take -n (cost does) (see switchcost lab --help)" ]
}

@test "lab --json --list is one JSON document" {
	swc lab --json --list
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.schema_version == 2 and .command == "lab" and
		([.scenarios[].name] == ["timeline", "cost", "parallel", "join", "address-space"]) and
		(.scenarios[] | select(.name == "cost") | .options == ["-n"])'
}

@test "trace: a script whose #! interpreter is missing says so, not 'command not found'" {
	requires root btf bpf
	printf '#!/nonexistent/sh\necho hi\n' >"$BATS_TEST_TMPDIR/bad.sh"
	chmod 755 "$BATS_TEST_TMPDIR/bad.sh"
	run -127 --separate-stderr "$SWITCHCOST" trace -- "$BATS_TEST_TMPDIR/bad.sh"
	[ "$stderr" = "switchcost: cannot run '$BATS_TEST_TMPDIR/bad.sh': its interpreter /nonexistent/sh (its #! line) is not found" ]
	run -127 --separate-stderr "$SWITCHCOST" trace -- no-such-command-here
	[[ "$stderr" == *"command not found"* ]]
}

@test "not root: trace and lab point to sudo and doctor, not to a --no-bpf they lack" {
	requires nobody
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	local cmd
	for cmd in "trace -- true" "lab cost"; do
		# shellcheck disable=SC2086
		run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
			--inh-caps=-all "$SWITCHCOST" $cmd
		[ "$status" -eq 1 ]
		[ "$stderr" = "switchcost: loading eBPF programs needs root (or CAP_BPF and CAP_PERFMON): run sudo switchcost ${cmd%% *}; switchcost doctor says what this machine lacks" ]
	done
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all "$SWITCHCOST" --quick
	[[ "$stderr" == *"(or switchcost run --no-bpf, which needs neither)"* ]]
}

@test "trace: an empty CMD is a usage error, with --asyncio too, not a failed run" {
	for args in "--" "--asyncio"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$SWITCHCOST" trace $args ''
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: CMD is an empty name: give the program to run (see switchcost trace --help)" ]
	done
}
