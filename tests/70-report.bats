#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost report: HTML pages rendered in headless Chromium and validated by tidy, Perfetto JSON
# checked with jq. Screenshots stay in $BATS_TEST_TMPDIR (page.png) as the test's artifact.
bats_require_minimum_version 1.5.0
load helpers

# chrome FILE.html: the rendered DOM in $BATS_TEST_TMPDIR/dom.html, a screenshot beside it.
chrome() {
	local flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
		--disable-component-update --disable-sync --no-first-run
		--user-data-dir="$BATS_TEST_TMPDIR/profile.$RANDOM")
	timeout 120 chromium "${flags[@]}" --dump-dom "file://$1" >"$BATS_TEST_TMPDIR/dom.html" 2>/dev/null
	timeout 120 chromium "${flags[@]}" --window-size=1100,900 \
		--screenshot="$BATS_TEST_TMPDIR/page.png" "file://$1" >/dev/null 2>&1
	[ -s "$BATS_TEST_TMPDIR/dom.html" ] && [ -s "$BATS_TEST_TMPDIR/page.png" ]
}

# well_formed FILE: every element closed in order (python's html.parser), nothing fetched, and
# HTML Tidy finds neither error nor warning.
well_formed() {
	! grep -Eiq '(src|href)="?(https?:)?//' "$1" || false
	if command -v tidy >/dev/null; then
		tidy -errors -q "$1"
	elif [ "${CI:-}" = true ]; then
		echo "CI must have tidy (scripts/deps.sh --test)" >&2
		return 1
	fi
	python3 - "$1" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "input", "link", "hr", "line", "circle", "rect"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs): pass
    def handle_endtag(self, tag):
        if tag in VOID: return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
assert not p.stack, f"unclosed {p.stack}"
PY
}

@test "report: usage errors" {
	swc report
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: report: give exactly one results file (see switchcost report --help)" ]
	swc report x.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: report: nothing to write: give -o FILE.html or --perfetto FILE.json (see switchcost report --help)" ]
	swc report "$BATS_TEST_TMPDIR/none.json" -o "$BATS_TEST_TMPDIR/x.html"
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: report: $BATS_TEST_TMPDIR/none.json: No such file or directory" ]
	[ ! -e "$BATS_TEST_TMPDIR/x.html" ]
	ln -s /etc/passwd "$BATS_TEST_TMPDIR/link.html"
	echo '{"command":"run","results":[]}' >"$BATS_TEST_TMPDIR/r.json"
	swc report "$BATS_TEST_TMPDIR/r.json" -o "$BATS_TEST_TMPDIR/link.html"
	[ "$status" -eq 1 ]
}

@test "report: a run --json page, one row per workload, rendered by chromium" {
	requires root btf bpf
	needs_chromium
	"$SWITCHCOST" --quick --json process thread coroutine >"$BATS_TEST_TMPDIR/run.json"
	swc report "$BATS_TEST_TMPDIR/run.json" -o "$BATS_TEST_TMPDIR/run.html"
	[ "$status" -eq 0 ]
	well_formed "$BATS_TEST_TMPDIR/run.html"
	chrome "$BATS_TEST_TMPDIR/run.html"
	dom=$BATS_TEST_TMPDIR/dom.html
	[ "$(grep -o '<g class="workload"' "$dom" | wc -l)" -eq 3 ]
	[ "$(grep -o '<circle class="median"' "$dom" | wc -l)" -eq 3 ]
	[ "$(grep -o '<g class="kernel-row"' "$dom" | wc -l)" -eq 3 ]
	grep -q 'data-workload="coroutine"' "$dom"
	# the kernel's thread switches of the thread row are a stacked segment
	grep -q '<rect class="k-thread"' "$dom"
	grep -q '<table id="validity">' "$dom"
	[ "$(grep -c '<tr><td>' "$dom")" -ge 3 ]
	# three latency histograms per workload, bars from the JSON's own buckets
	[ "$(grep -o '<div class="hists"' "$dom" | wc -l)" -eq 3 ]
	[ "$(grep -o '<figure class="hist"' "$dom" | wc -l)" -eq 9 ]
	bars=$(grep -o '<rect class="bar"[^>]*><title>[^<]*: [0-9]*</title>' "$dom" |
		sed 's/.*: \([0-9]*\)<.*/\1/' | awk '{ s += $1 } END { print s }')
	buckets=$(jq '[.results[] | .ebpf | (.run_ns, .off_ns, .wakeup_delay_ns) |
		.log2_hist[]] | add' "$BATS_TEST_TMPDIR/run.json")
	[ "$bars" -eq "$buckets" ]
	# the value beside each dot has room: ~330 px to the drawing's edge ("11.3 µs · 3520×
	# coroutine" is ~170 px at 12 px), where it had 130 and was cut off
	grep -q '<svg id="cost" xmlns="http://www.w3.org/2000/svg" width="1000"' "$dom"
	[ "$(grep -c 'class="value" x="666"' "$dom")" -eq 3 ]
}

@test "report: a lab --json page, one bar per variant" {
	needs_chromium
	cat >"$BATS_TEST_TMPDIR/lab.json" <<'JSON'
{"schema_version":1,"command":"lab","scenario":"timeline","system":{"kernel":"k"},
 "variants":[{"name":"sequential","measured_units":11.02,"expected_units":11,
   "tasks":[{"comm":"main","timeline":"|.....|.|..x"}]},
  {"name":"async","measured_units":2.001,"expected_units":2,"tasks":[]}]}
JSON
	swc report "$BATS_TEST_TMPDIR/lab.json" -o "$BATS_TEST_TMPDIR/lab.html"
	[ "$status" -eq 0 ]
	well_formed "$BATS_TEST_TMPDIR/lab.html"
	chrome "$BATS_TEST_TMPDIR/lab.html"
	[ "$(grep -o '<g class="variant"' "$BATS_TEST_TMPDIR/dom.html" | wc -l)" -eq 2 ]
	[ "$(grep -o '<rect class="measured"' "$BATS_TEST_TMPDIR/dom.html" | wc -l)" -eq 2 ]
}

# synth N THREADS FILE [HITS]: N switches round-robin among THREADS threads of one process on one
# CPU, and every HITS-th switch followed by a user-space switch point hit (a coroutine row).
synth() {
	python3 - "$@" <<'PY'
import sys
n, k, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hits = int(sys.argv[4]) if len(sys.argv) > 4 else 0
with open(out, "w") as f:
    f.write("ts_ns,cpu,workload,kind,prev_pid,prev_tid,prev_comm,prev_state,next_pid,next_tid,next_comm,run_ns,off_ns,delay_ns\n")
    for i in range(n):
        p, q = 1000 + i % k, 1000 + (i + 1) % k
        st = "R" if i % 3 == 0 else "S"
        f.write(f"{1000000 + i * 1000},0,trace,thread,1000,{p},\"w,{p % k}\",{st},1000,{q},\"w,{q % k}\",1000,,{200 if i % 3 == 1 else ''}\n")
        if hits and i % hits == 0:
            f.write(f"{1000000 + i * 1000 + 500},0,trace,coroutine,1000,{q},\"w,{q % k}\",,1000,{q},\"w,{q % k}\",,,\n")
PY
}

@test "report: a trace CSV timeline, one track per thread; a million switches stay small" {
	requires python3
	needs_chromium
	synth 1000000 2 "$BATS_TEST_TMPDIR/big.csv"
	swc report "$BATS_TEST_TMPDIR/big.csv" -o "$BATS_TEST_TMPDIR/big.html"
	[ "$status" -eq 0 ]
	size=$(stat -c %s "$BATS_TEST_TMPDIR/big.html")
	[ "$size" -lt 2000000 ]
	grep -q 'Binned by pixel column' "$BATS_TEST_TMPDIR/big.html"
	well_formed "$BATS_TEST_TMPDIR/big.html"
	chrome "$BATS_TEST_TMPDIR/big.html"
	[ "$(grep -o '<g class="thread"' "$BATS_TEST_TMPDIR/dom.html" | wc -l)" -eq 2 ]
	grep -q '<rect class="running"' "$BATS_TEST_TMPDIR/dom.html"
	grep -q '<rect class="switch k-thread"' "$BATS_TEST_TMPDIR/dom.html"
	[ "$(grep -o '<tr class="thread-row"' "$BATS_TEST_TMPDIR/dom.html" | wc -l)" -eq 2 ]
}

@test "report: switch point hits on the trace's time axis, the thread table, two histograms" {
	requires python3
	needs_chromium
	synth 3000 3 "$BATS_TEST_TMPDIR/h.csv" 10
	swc report "$BATS_TEST_TMPDIR/h.csv" -o "$BATS_TEST_TMPDIR/h.html" --perfetto "$BATS_TEST_TMPDIR/h.json"
	[ "$status" -eq 0 ]
	well_formed "$BATS_TEST_TMPDIR/h.html"
	chrome "$BATS_TEST_TMPDIR/h.html"
	dom=$BATS_TEST_TMPDIR/dom.html
	grep -q '3000 switches, 300 user-space switch point hits, 3 traced threads' "$dom"
	# hits binned per column: their counts add up to every hit
	[ "$(grep -o '<rect class="hit"[^>]*><title>[0-9]*' "$dom" | sed 's/.*>//' | awk '{ s += $1 } END { print s }')" -eq 300 ]
	# one row per thread; each thread's hits in the table
	[ "$(grep -o '<tr class="thread-row"' "$dom" | wc -l)" -eq 3 ]
	[ "$(grep -o '<figure class="hist" id="hist-[a-z]*"' "$dom" | wc -l)" -eq 2 ]
	# wake-up delays known on every third switch: 1000 samples
	grep -q 'wake-up to run (1000 samples)' "$dom"
	pf=$BATS_TEST_TMPDIR/h.json
	[ "$(jq '[.traceEvents[] | select(.name == "switch point hit")] | length' "$pf")" -eq 300 ]
	[ "$(jq '[.traceEvents[] | select(.name == "switch")] | length' "$pf")" -eq 3000 ]
	jq -e '[.traceEvents[] | select(.ph != "M")] | group_by(.tid) |
		all(. as $t | [range(1; $t | length)] | all($t[.].ts >= $t[. - 1].ts))' "$pf"
}

@test "report: a trace CSV with no delay_ns (trace without --latency) reads wake-up to run not measured" {
	requires python3
	synth 300 3 "$BATS_TEST_TMPDIR/s.csv"
	# trace without --latency stamps no wake-up: every delay_ns empty
	sed -E '2,$ s/,[0-9]*$/,/' "$BATS_TEST_TMPDIR/s.csv" >"$BATS_TEST_TMPDIR/n.csv"
	! sed 1d "$BATS_TEST_TMPDIR/n.csv" | grep -qv ',$' || false
	for c in s n; do
		swc report "$BATS_TEST_TMPDIR/$c.csv" -o "$BATS_TEST_TMPDIR/$c.html"
		[ "$status" -eq 0 ]
		well_formed "$BATS_TEST_TMPDIR/$c.html"
	done
	grep -q 'wake-up to run (100 samples)' "$BATS_TEST_TMPDIR/s.html"
	! grep -q 'not measured' "$BATS_TEST_TMPDIR/s.html" || false
	# not "0 samples", and each thread's longest is not measured rather than "-"
	grep -q 'wake-up to run: not measured' "$BATS_TEST_TMPDIR/n.html"
	! grep -q 'samples)</figcaption>' <(grep 'hist-wakeup' "$BATS_TEST_TMPDIR/n.html") || false
	[ "$(grep -o '<td class="num">not measured</td>' "$BATS_TEST_TMPDIR/n.html" | wc -l)" -eq 3 ]
	grep -q 'off-CPU (' "$BATS_TEST_TMPDIR/n.html"
}

@test "report --perfetto: X slices per thread, names, monotonic per track" {
	requires python3
	synth 3000 4 "$BATS_TEST_TMPDIR/t.csv"
	swc report "$BATS_TEST_TMPDIR/t.csv" --perfetto "$BATS_TEST_TMPDIR/t.json"
	[ "$status" -eq 0 ]
	pf=$BATS_TEST_TMPDIR/t.json
	[ "$(jq '[.traceEvents[] | select(.ph == "M" and .name == "thread_name")] | length' "$pf")" -eq 4 ]
	[ "$(jq '[.traceEvents[] | select(.ph == "X") | .tid] | unique | length' "$pf")" -eq 4 ]
	[ "$(jq '[.traceEvents[] | select(.ph == "i" and .name == "switch")] | length' "$pf")" -eq 3000 ]
	jq -e '[.traceEvents[] | select(.name == "switch") | .args.kind == "thread"] | all' "$pf"
	[ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "running")] | length' "$pf")" -ge 2996 ]
	jq -e '[.traceEvents[] | select(.ph != "M")] | group_by(.tid) |
		all(. as $t | [range(1; $t | length)] | all($t[.].ts >= $t[. - 1].ts))' "$pf"
	jq -e '[.traceEvents[] | select(.ph == "X") | .dur >= 0] | all' "$pf"
}

@test "report: a real trace's CSV, its threads on the page and in Perfetto" {
	requires root btf bpf python3
	needs_chromium
	"$SWITCHCOST" trace --csv "$BATS_TEST_TMPDIR/real.csv" -- python3 -c '
import threading, time
def w():
    time.sleep(0.01); sum(range(100000))
ts = [threading.Thread(target=w) for _ in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]' >/dev/null 2>&1
	swc report "$BATS_TEST_TMPDIR/real.csv" -o "$BATS_TEST_TMPDIR/real.html" --perfetto "$BATS_TEST_TMPDIR/real.json"
	[ "$status" -eq 0 ]
	# the traced threads: those whose latencies the CSV knows (the other side's are empty)
	tids=$(python3 -c 'import csv,sys
r = list(csv.DictReader(open(sys.argv[1])))
print(len({row["prev_tid"] for row in r if row["run_ns"]} | {row["next_tid"] for row in r if row["off_ns"]}))' "$BATS_TEST_TMPDIR/real.csv")
	[ "$tids" -ge 4 ]
	[ "$(jq '[.traceEvents[] | select(.ph == "M" and .name == "thread_name")] | length' "$BATS_TEST_TMPDIR/real.json")" -eq "$tids" ]
	rows=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if r["kind"] != "coroutine"))' "$BATS_TEST_TMPDIR/real.csv")
	[ "$(jq '[.traceEvents[] | select(.name == "switch")] | length' "$BATS_TEST_TMPDIR/real.json")" -eq "$rows" ]
	well_formed "$BATS_TEST_TMPDIR/real.html"
	chrome "$BATS_TEST_TMPDIR/real.html"
	[ "$(grep -o '<g class="thread"' "$BATS_TEST_TMPDIR/dom.html" | wc -l)" -eq "$((tids < 200 ? tids : 200))" ]
}

@test "trace --html and --perfetto: the pages report draws from the same trace's CSV" {
	requires root btf bpf python3
	needs_chromium
	cd "$BATS_TEST_TMPDIR"
	swc trace --csv t.csv --html t.html --perfetto t.json -- python3 -c '
import threading, time
def w():
    time.sleep(0.01); sum(range(100000))
ts = [threading.Thread(target=w) for _ in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]'
	[ "$status" -eq 0 ]
	swc report t.csv -o r.html --perfetto r.json
	[ "$status" -eq 0 ]
	# the records kept in memory reduce to what the CSV reduces to
	cmp t.json r.json
	diff <(grep -v '^<p>From <code>' t.html) <(grep -v '^<p>From <code>' r.html)
	well_formed t.html
	chrome "$BATS_TEST_TMPDIR/t.html"
	tids=$(python3 -c 'import csv,sys
r = list(csv.DictReader(open(sys.argv[1])))
print(len({row["prev_tid"] for row in r if row["run_ns"]} | {row["next_tid"] for row in r if row["off_ns"]}))' t.csv)
	[ "$tids" -ge 4 ]
	[ "$(grep -o '<g class="thread"' dom.html | wc -l)" -eq "$((tids < 200 ? tids : 200))" ]
	[ "$(jq '[.traceEvents[] | select(.name == "switch")] | length' t.json)" -eq "$(($(wc -l <t.csv) - 1))" ]
	# without --csv too
	swc trace --html only.html -- true
	[ "$status" -eq 0 ]
	grep -q '<g class="thread"' only.html
}

@test "run --html and lab --html: the page report draws of the same --json" {
	requires root btf bpf
	needs_chromium
	cd "$BATS_TEST_TMPDIR"
	swc --quick --json --html run.html process thread coroutine
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >run.json
	swc report run.json -o r.html
	diff <(grep -v '^<p>From <code>' run.html) <(grep -v '^<p>From <code>' r.html)
	well_formed run.html
	# without --json too: the human report on stdout, the page beside it
	swc --quick --html run2.html thread
	[ "$status" -eq 0 ]
	grep -q '^workload ' <<<"$output"
	[ "$(grep -o '<g class="workload"' run2.html | wc -l)" -eq 1 ]
	swc lab timeline --unit 10ms --json --html lab.html
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >lab.json
	swc report lab.json -o l.html
	diff <(grep -v '^<p>From <code>' lab.html) <(grep -v '^<p>From <code>' l.html)
	well_formed lab.html
	chrome "$BATS_TEST_TMPDIR/lab.html"
	# a bar per variant, a drawing per variant, a row per task and coroutine
	[ "$(grep -o '<g class="variant"' dom.html | wc -l)" -eq 6 ]
	[ "$(grep -o '<div class="lab-variant"' dom.html | wc -l)" -eq 6 ]
	[ "$(grep -o '<g class="task"' dom.html | wc -l)" -eq "$(jq '[.variants[].tasks[]] | length' lab.json)" ]
	[ "$(grep -o '<g class="coroutine"' dom.html | wc -l)" -eq "$(jq '[.variants[] | .coroutines // [] | .[]] | length' lab.json)" ]
	swc lab parallel --iterations 3000000 --html par.html
	[ "$status" -eq 0 ]
	well_formed par.html
	[ "$(grep -o '<g class="placement"' par.html | wc -l)" -eq 4 ]
	# an unwritable page fails the command, and leaves nothing
	swc lab cost -n 100 --html "$BATS_TEST_TMPDIR/no/such/dir/x.html"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"no/such/dir"* ]]
	swc --quick --ws 64K --html x.html
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --html draws the workloads' rows and --ws replaces them with a sweep: give either (see switchcost run --help)" ]
}
