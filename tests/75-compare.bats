#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost compare: results of several machines side by side, --csv, --html, --grade. The
# fixtures are a real run's and a real lab's JSON, edited with jq into other machines' results.
bats_require_minimum_version 1.5.0
load helpers

# three "machines": this run, then a bare-metal one with PCID and a third, each edited
three_runs() {
	local d=$BATS_TEST_TMPDIR
	"$SWITCHCOST" --quick --json process thread coroutine >"$d/a.json"
	# b and c are other machines' results made up here: valid by construction, whatever the
	# load this machine measured a.json under
	jq '.host.name = "pc-2" | .results[].valid = true | .results[].reasons = [] |
	    .system.kernel = "6.1.0-18-amd64" | .system.virtualised = false |
	    .system.address_space.pti = false | .system.address_space.pcid = true |
	    (.results[] | select(.workload == "process") | .ns_per_switch.median) = 2000 |
	    (.results[] | select(.workload == "thread") | .ns_per_switch.median) = 1500 |
	    (.results[] | select(.workload == "coroutine") | .ns_per_switch.median) = 5' \
		"$d/a.json" >"$d/b.json"
	jq '.host.name = "pc-3" | .results[].valid = true | .results[].reasons = [] |
	    .system.address_space.pti = true | .system.address_space.pcid = false |
	    (.results[] | select(.workload == "process") | .ns_per_switch.median) = 4000 |
	    (.results[] | select(.workload == "thread") | .ns_per_switch.median) = 1000 |
	    (.results[] | select(.workload == "coroutine") | .ns_per_switch.median) = 10' \
		"$d/a.json" >"$d/c.json"
}

@test "compare: usage errors, and r is still run" {
	swc compare
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: compare: give the result files to compare (see switchcost compare --help)" ]
	swc compare --nope a.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: unknown option '--nope' (see switchcost compare --help)" ]
	swc r --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: switchcost [run]"* ]]
	swc re --help
	[[ "${lines[0]}" == "Usage: switchcost report"* ]]
}

@test "compare: three runs make one table, its spread and the same CSV" {
	requires root btf bpf python3
	three_runs
	cd "$BATS_TEST_TMPDIR"
	swc compare a.json b.json c.json --csv all.csv
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# 3 run results compared" ]
	grep -q '^b.json  *pc-2 .* 6.1.0-18-amd64 .* no  *no  *yes ' <<<"$output"
	grep -q '^file  *process  *thread  *coroutine  *process/thread  *thread/coroutine$' <<<"$output"
	grep -q '^b.json  *2.00 µs  *1.50 µs  *5.00 ns  *1.3×  *300×$' <<<"$output"
	grep -q '^c.json  *4.00 µs  *1.00 µs  *10.0 ns  *4.0×  *100×$' <<<"$output"
	python3 - a.json <<'PY'
import csv, json, statistics, sys
rows = list(csv.DictReader(open("all.csv")))
assert [r["file"] for r in rows] == ["a.json", "b.json", "c.json", "min", "median", "max"], rows
a = {r["workload"]: r["ns_per_switch"]["median"] for r in json.load(open(sys.argv[1]))["results"]}
files = rows[:3]
assert abs(float(files[0]["process_ns"]) - a["process"]) <= a["process"] * 1e-5
assert [r["host"] for r in files][1:] == ["pc-2", "pc-3"]
# a.json's is this machine's own, whichever it is
here = "yes" if json.load(open(sys.argv[1]))["system"]["address_space"]["pcid"] else "no"
assert [r["pcid"] for r in files] == [here, "yes", "no"], files
for col in ("process_ns", "thread_ns", "coroutine_ns", "process/thread", "thread/coroutine"):
    v = [float(r[col]) for r in files]
    got = [float(rows[3 + i][col]) for i in range(3)]
    want = [min(v), statistics.median(v), max(v)]
    assert all(abs(g - w) <= abs(w) * 1e-5 for g, w in zip(got, want)), (col, got, want)
assert abs(float(files[1]["process/thread"]) - 2000 / 1500) < 1e-5
PY
}

@test "compare and report read a schema 1 document by its old names (docs/JSON.md)" {
	requires root btf bpf
	three_runs
	cd "$BATS_TEST_TMPDIR"
	# schema 1: "kernel" for ebpf, rusage_* for kernel_counters, probe_pass for counting_pass
	jq '.schema_version = 1 | .results[] |= (.kernel = .ebpf | del(.ebpf) |
	    .rusage_switches = .kernel_counters.switches | del(.kernel_counters) |
	    .kernel_minus_rusage = .ebpf_minus_kernel_counters | del(.ebpf_minus_kernel_counters))' \
		b.json >old.json
	swc compare c.json old.json
	[ "$status" -eq 0 ]
	grep -q '^old.json  *2.00 µs  *1.50 µs  *5.00 ns  *1.3×  *300×$' <<<"$output"
	swc report old.json -o old.html
	[ "$status" -eq 0 ]
	grep -q 'data-workload="coroutine"' old.html
	# lab cost of schema 1: ns_per_switch a number, with _min and _max beside it
	"$SWITCHCOST" lab cost -n 200 --json >cost.json
	jq '.schema_version = 1 | .results[] |= (.ns_per_switch_min = .ns_per_switch.min |
	    .ns_per_switch_max = .ns_per_switch.max | .ns_per_switch = .ns_per_switch.median)' \
		cost.json >cost1.json
	swc compare cost.json cost1.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# 2 lab cost results compared" ]
	[ "$(grep -c '^cost' <<<"$output")" -ge 2 ]
}

@test "compare: a bad file is named and left out, and the status says so" {
	requires root btf bpf
	three_runs
	cd "$BATS_TEST_TMPDIR"
	echo '{"command":' >cut.json
	jq '.schema_version = 99' a.json >new.json
	printf 'ts_ns\n' >t.csv
	echo '{"command":"lab","scenario":"cost","results":[]}' >lab.json
	swc compare a.json cut.json new.json t.csv lab.json b.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "# 2 run results compared" ]
	[ "${#stderr_lines[@]}" -eq 4 ]
	[ "${stderr_lines[0]}" = "switchcost: compare: cut.json: not JSON (empty, cut short or another format): give a switchcost --json document" ]
	[ "${stderr_lines[1]}" = "switchcost: compare: new.json: schema_version 99, this switchcost (0.1.0) reads up to 2: use a newer switchcost" ]
	[ "${stderr_lines[2]}" = "switchcost: compare: t.csv: not JSON (empty, cut short or another format): give a switchcost --json document" ]
	[ "${stderr_lines[3]}" = "switchcost: compare: lab.json: a lab cost result, not like the first file's: compare run or lab results of one kind" ]
}

@test "compare: a file's text reaches the terminal without control bytes; bad figures read -" {
	requires root btf bpf python3
	three_runs
	cd "$BATS_TEST_TMPDIR"
	# a host name and reasons that would ring the bell, start a line and colour the terminal;
	# a negative, a zero and an absurd cost
	jq '.host.name = "evil\u0007\n\u001b[31mred" | .results[0].valid = false |
	    .results[0].reasons = ["busy\u001b[2J\nline"] |
	    (.results[] | select(.workload == "process") | .ns_per_switch.median) = -5 |
	    (.results[] | select(.workload == "thread") | .ns_per_switch.median) = 0 |
	    (.results[] | select(.workload == "coroutine") | .ns_per_switch.median) = 1e308' \
		b.json >d.json
	swc compare b.json d.json --csv d.csv
	[ "$status" -eq 0 ]
	! printf '%s' "$output" | LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' || false
	grep -q '^d.json  *evil???\[31mred ' <<<"$output"
	grep -q 'busy?\[2J?line' <<<"$output"
	grep -q '^d.json  *-  *-  *-  *-  *-$' <<<"$output"
	python3 - <<'PY'
import csv
d = [r for r in csv.DictReader(open("d.csv")) if r["file"] == "d.json"][0]
for col in ("process_ns", "thread_ns", "coroutine_ns", "process/thread", "thread/coroutine"):
    assert d[col] == "", (col, d[col])
PY
}

@test "compare and report read only regular files of bounded size: no hang on a FIFO, /dev/zero" {
	cd "$BATS_TEST_TMPDIR"
	echo '{"command":"run","results":[]}' >ok.json
	mkfifo fifo.json
	truncate -s 300M huge.json
	run --separate-stderr timeout 20 "$SWITCHCOST" compare fifo.json /dev/zero . huge.json ok.json
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "# 1 run results compared" ]
	[ "${stderr_lines[0]}" = "switchcost: compare: fifo.json: not a regular file: give a switchcost --json document" ]
	[ "${stderr_lines[1]}" = "switchcost: compare: /dev/zero: not a regular file: give a switchcost --json document" ]
	[ "${stderr_lines[2]}" = "switchcost: compare: .: not a regular file: give a switchcost --json document" ]
	[ "${stderr_lines[3]}" = "switchcost: compare: huge.json: 314572800 bytes, more than a switchcost result has (256 MiB): give a switchcost --json document" ]
	run --separate-stderr timeout 20 "$SWITCHCOST" report fifo.json -o out.html
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: report: fifo.json: not a regular file: give a switchcost --json document" ]
	[ ! -e out.html ]
}

@test "compare: a figure its file says is not valid is marked, with the file's reasons" {
	cd "$BATS_TEST_TMPDIR"
	row() { echo "{\"workload\":\"$1\",\"ns_per_switch\":{\"median\":$2},\"valid\":$3,\"reasons\":$4}"; }
	echo "{\"command\":\"run\",\"results\":[$(row process 4000 true '[]'),$(row thread 1000 true '[]')]}" >quiet.json
	echo "{\"command\":\"run\",\"results\":[$(row process 9000 false '["busy machine","repeats spread 3x"]'),$(row thread 1000 true '[]')]}" >busy.json
	swc compare quiet.json busy.json --html c.html
	[ "$status" -eq 0 ]
	grep -q '^quiet.json  *4.00 µs  *1.00 µs  *4.0×  *-$' <<<"$output"
	grep -q '^busy.json  *9.00 µs !  *1.00 µs  *9.0× !  *-$' <<<"$output"
	grep -q '^max  *9.00 µs !  *1.00 µs  *9.0× !  *-$' <<<"$output"
	grep -qx 'busy.json: process: busy machine; repeats spread 3x' <<<"$output"
	grep -q '<td class="num bad"[^>]*>9.00 µs !</td>' c.html
}

@test "compare --html: the table and a dot per file and column, rendered by chromium" {
	requires root btf bpf
	needs_chromium
	three_runs
	cd "$BATS_TEST_TMPDIR"
	swc compare a.json b.json c.json --html all.html
	[ "$status" -eq 0 ]
	tidy -errors -q all.html
	! grep -Eiq '(src|href)="?(https?:)?//' all.html || false
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$BATS_TEST_TMPDIR/profile" --dump-dom "file://$PWD/all.html" \
		>dom.html 2>/dev/null
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$BATS_TEST_TMPDIR/profile2" --window-size=1100,700 \
		--screenshot="$BATS_TEST_TMPDIR/page.png" "file://$PWD/all.html" >/dev/null 2>&1
	[ -s page.png ]
	[ "$(grep -o '<tr class="file">' dom.html | wc -l)" -eq 3 ]
	[ "$(grep -o '<tr class="spread">' dom.html | wc -l)" -eq 3 ]
	# 5 columns (3 workloads, 2 ratios) x 3 files
	[ "$(grep -o '<circle class="median"' dom.html | wc -l)" -eq 15 ]
	grep -q '<td class="num">300×</td>' dom.html
}

@test "compare --grade: a good lab result passes, one out of tolerance fails with 4" {
	requires root btf bpf
	cd "$BATS_TEST_TMPDIR"
	"$SWITCHCOST" lab timeline --unit 50ms --json >real.json
	# a real result on a loaded machine may fail its grade for real: the fixture is the real
	# document with each variant's time set to the notes' figure plus a little, and clean
	jq '.variants |= map(.measured_units = .expected_units + 0.04 | .valid = true |
		.reasons = [])' real.json >good.json
	# 11 units expected; the tolerance is 0.3 unit + 100 ms of slack = 2.3 units at 50 ms
	jq '(.variants[] | select(.name == "sequential") | .measured_units) = 13.5' good.json >late.json
	jq '(.variants[] | select(.name == "sequential") | .measured_units) = 13.2' good.json >close.json
	swc compare --grade good.json close.json
	printf '%s\n' "$output" "$stderr"
	[ "$status" -eq 0 ]
	grep -qx 'good.json: PASS' <<<"$output"
	grep -qx 'close.json: PASS' <<<"$output"
	swc compare --grade good.json late.json
	[ "$status" -eq 4 ]
	grep -qx 'good.json: PASS' <<<"$output"
	grep -qx 'late.json: FAIL: sequential measured 13.50 units, expected 11 ± 2.30' <<<"$output"
	echo '[' >broken.json
	swc compare --grade good.json broken.json --csv g.csv
	[ "$status" -eq 1 ]
	grep -qx 'broken.json: FAIL: not read (the reason is on stderr)' <<<"$output"
	grep -q '^good.json,.*,pass,$' g.csv
	"$SWITCHCOST" --quick --json coroutine >run.json
	swc compare --grade run.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: compare: --grade judges lab results against the notes; these are run results (run --strict judges a run's validity) (see switchcost compare --help)" ]
}

@test "results carry what comparison needs: schema version, start time, host, version, in run, lab and trace" {
	requires root btf bpf
	cd "$BATS_TEST_TMPDIR"
	before=$(date +%s%N)
	"$SWITCHCOST" --quick --json coroutine >run.json
	"$SWITCHCOST" lab cost -n 200 --json >lab.json
	"$SWITCHCOST" trace --json -- true >trace.json
	after=$(date +%s%N)
	for f in run.json lab.json trace.json; do
		jq -e --arg h "$(hostname)" --argjson b "$before" --argjson a "$after" '
			.schema_version == 2 and
			(.started_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and
			.started_unix_ns >= $b and .started_unix_ns <= $a and
			(.started_at[0:19] == (.started_unix_ns / 1e9 | floor | todate)[0:19]) and
			(.started_monotonic_ns | type == "number") and
			.host.name == $h and .host.anonymous == false and
			(.host.id | test("^[./0-9A-Za-z]{16}$")) and .version == "0.1.0"' "$f"
	done
	# one machine, one id
	[ "$(jq -r .host.id run.json)" = "$(jq -r .host.id lab.json)" ]
	# --anonymous: no name, the same id, in each command
	"$SWITCHCOST" --quick --json --anonymous coroutine >anon.json
	"$SWITCHCOST" lab cost -n 200 --json --anonymous >anon-lab.json
	"$SWITCHCOST" trace --json --anonymous -- true >anon-trace.json
	for f in anon.json anon-lab.json anon-trace.json; do
		jq -e --arg id "$(jq -r .host.id run.json)" \
			'.host.name == null and .host.anonymous == true and .host.id == $id' "$f"
		! grep -q "\"$(hostname)\"" "$f" || false
	done
}
