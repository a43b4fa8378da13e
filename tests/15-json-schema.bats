#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Every JSON document switchcost writes, made for real, against the fields docs/JSON.md lists
# for it (tests/schema/fields.jq reads the tables, tests/schema/validate.jq compares): a field
# written but not documented, or documented but not written, fails here.
bats_require_minimum_version 1.5.0
load helpers

SCHEMA=$BATS_TEST_DIRNAME/schema

setup_file() {
	jq -R -s -f "$BATS_TEST_DIRNAME/schema/fields.jq" "$BATS_TEST_DIRNAME/../docs/JSON.md" \
		>"$BATS_FILE_TMPDIR/fields.json"
}

# check DOC FILE: FILE (one JSON document) has exactly the fields documented for DOC.
check() {
	local fields result
	fields=$(jq -c --arg d "$1" '.[$d] // error("docs/JSON.md documents no \($d)")' \
		"$BATS_FILE_TMPDIR/fields.json")
	result=$(jq -n -c --slurpfile doc "$2" --argjson fields "$fields" -f "$SCHEMA/validate.jq")
	if [ "$result" != '{"undocumented":[],"missing":[]}' ]; then
		echo "$1 ($2) against docs/JSON.md: $result" >&2
		return 1
	fi
	# and schema_version first, as every document has it
	[ "$(jq -r 'keys_unsorted[0]' "$2")" = schema_version ]
}

@test "json schema: the tables of docs/JSON.md parse, and the checker catches a stray field" {
	local d=$BATS_TEST_TMPDIR
	jq -e 'keys | length >= 14 and all(.[]; length > 0)' "$BATS_FILE_TMPDIR/fields.json" \
		>/dev/null
	echo '{"schema_version":2,"error":"x","exit_status":2,"extra":1}' >"$d/e.json"
	run -1 check error "$d/e.json"
	[[ "$output" == *'"undocumented":["extra"]'* ]]
	echo '{"schema_version":2,"error":"x"}' >"$d/e.json"
	run -1 check error "$d/e.json"
	[[ "$output" == *'"missing":["exit_status"]'* ]]
}

@test "json schema: run, run --ws and the --csv metadata" {
	requires root btf bpf
	local d=$BATS_TEST_TMPDIR
	"$SWITCHCOST" run --quick --json --pmu --csv "$d/r.csv" >"$d/run.json"
	check run "$d/run.json"
	check run-sidecar "$d/r.csv.meta.json"
	"$SWITCHCOST" run --quick --json --ws 4K thread >"$d/ws.json"
	check run-ws "$d/ws.json"
}

@test "json schema: trace, its interval lines and its --csv metadata" {
	requires root btf bpf
	local d=$BATS_TEST_TMPDIR
	"$SWITCHCOST" trace --json --hist -P -L --syscalls --csv "$d/t.csv" -- sleep 0.05 \
		>"$d/trace.json" 2>/dev/null
	check trace "$d/trace.json"
	check trace-sidecar "$d/t.csv.meta.json"
	"$SWITCHCOST" trace --json -a -d 0.2 >"$d/all.json" 2>/dev/null
	check trace "$d/all.json"
	"$SWITCHCOST" trace --json --stacks -- sleep 0.05 >"$d/stacks.json" 2>/dev/null
	check trace "$d/stacks.json"
	"$SWITCHCOST" trace --json -i 0.02 -- sleep 0.07 >"$d/lines.json" 2>/dev/null
	head -1 "$d/lines.json" >"$d/line.json"
	check trace-interval "$d/line.json"
	tail -1 "$d/lines.json" >"$d/summary.json"
	check trace "$d/summary.json"
}

@test "json schema: every lab scenario, and lab --list" {
	requires root btf bpf
	local d=$BATS_TEST_TMPDIR s
	"$SWITCHCOST" lab --list --json >"$d/list.json"
	check lab-list "$d/list.json"
	"$SWITCHCOST" lab timeline --unit 20ms --json >"$d/lab-timeline.json"
	"$SWITCHCOST" lab join --unit 20ms --json >"$d/lab-join.json"
	"$SWITCHCOST" lab cost -n 300 --json >"$d/lab-cost.json"
	"$SWITCHCOST" lab parallel --iterations 3000000 --json >"$d/lab-parallel.json"
	"$SWITCHCOST" lab address-space --quick --json >"$d/lab-address-space.json"
	for s in timeline join cost parallel address-space; do
		check "lab-$s" "$d/lab-$s.json"
	done
}

@test "json schema: doctor, and an error under --json" {
	local d=$BATS_TEST_TMPDIR
	"$SWITCHCOST" doctor --json >"$d/doctor.json" || true
	check doctor "$d/doctor.json"
	run -2 --separate-stderr "$SWITCHCOST" run --json -n 0
	echo "$output" >"$d/error.json"
	check error "$d/error.json"
}
