#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost run --csv: the per-switch export, its metadata sidecar, and safe writing as root.
bats_require_minimum_version 1.5.0
load helpers

HEADER='ts_ns,cpu,workload,pass,kind,prev_pid,prev_tid,prev_comm,prev_state,next_pid,next_tid,next_comm,run_ns,off_ns,delay_ns'

teardown() {
	if [ -n "${RO_MOUNT:-}" ]; then
		umount "$RO_MOUNT" 2>/dev/null || true
	fi
	if [ -n "${BG_PID:-}" ]; then
		kill -KILL "$BG_PID" 2>/dev/null || true
	fi
}

# csv_stats FILE: strict parse with python's csv module (every row 15 fields, integers where
# integers belong, latencies >= 0 or empty); prints one JSON object of counts.
csv_stats() {
	python3 - "$1" <<'EOF'
import csv, gzip, json, sys
path = sys.argv[1]
f = gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")
r = csv.reader(f, strict=True)
header = next(r)
stats = {"header": ",".join(header), "rows": 0, "sched": 0, "kinds": {}, "pairs": {},
         "latencies": {}}
last_ts = {}
for row in r:
    assert len(row) == 15, row
    d = dict(zip(header, row))
    int(d["ts_ns"]); int(d["cpu"])
    for k in ("prev_pid", "prev_tid", "next_pid", "next_tid"):
        assert int(d[k]) >= 0, row
    for k in ("run_ns", "off_ns", "delay_ns"):
        assert d[k] == "" or int(d[k]) >= 0, row
    assert d["kind"] in ("process", "thread", "coroutine", "idle", "kernel"), row
    if d["kind"] == "coroutine":
        assert d["prev_state"] == "", row
    else:
        assert len(d["prev_state"]) == 1, row
        stats["sched"] += 1
        # batched per CPU: each CPU's switches in time order, whatever comes between
        assert int(d["ts_ns"]) >= last_ts.get(d["cpu"], 0), row
        last_ts[d["cpu"]] = int(d["ts_ns"])
    stats["rows"] += 1
    stats["kinds"][d["kind"]] = stats["kinds"].get(d["kind"], 0) + 1
    assert d["pass"] in ("timed", "counting") or d["workload"] == "", row
    pair = d["workload"] + ":" + d["pass"] + "/" + d["kind"]
    stats["pairs"][pair] = stats["pairs"].get(pair, 0) + 1
    for k in ("run_ns", "off_ns", "delay_ns"):
        if d[k] != "":
            key = d["pass"] + ":" + k
            stats["latencies"][key] = stats["latencies"].get(key, 0) + 1
print(json.dumps(stats))
EOF
}

@test "csv: usage errors name the options (exit 2)" {
	swc run --csv x.csv --no-bpf
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --csv needs the eBPF records that --no-bpf turns off: give one of them (see switchcost run --help)" ]
	swc run --csv - --json
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --csv - and --json both want stdout: write the CSV to a file, or drop --json (see switchcost run --help)" ]
	swc run --csv x.csv --ringbuf-size 5K
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --ringbuf-size wants a power of two from 4K to 1G, such as 32M or 64M, not '5K' (see switchcost run --help)" ]
	swc run --all-tasks
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --all-tasks only changes what --csv writes: add --csv FILE (see switchcost run --help)" ]
}

@test "csv: header, column order, strict parse, sched rows equal the eBPF count, kinds match" {
	requires root btf bpf python3
	local f=$BATS_TEST_TMPDIR/s.csv
	swc run --quick --csv "$f"
	[ "$status" -eq 0 ]
	[ "$(head -1 "$f")" = "$HEADER" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.*.tmp')" ]
	[[ "$output" == *"eBPF events dropped: 0"* ]]
	run -0 csv_stats "$f"
	local st=$output meta=$f.meta.json
	[ "$(jq -r .header <<<"$st")" = "$HEADER" ]
	# one row per switch the BPF side counted, nothing dropped
	[ "$(jq .bpf.events_dropped "$meta")" -eq 0 ]
	[ "$(jq .sched <<<"$st")" -eq "$(jq .bpf.sched_switches "$meta")" ]
	[ "$(jq .csv.sched_rows "$meta")" -eq "$(jq .sched <<<"$st")" ]
	[ "$(jq .rows <<<"$st")" -eq "$(jq .csv.rows "$meta")" ]
	# thread rows for the thread workload, process rows for the process workload
	[ "$(jq '.pairs["thread:timed/thread"] // 0' <<<"$st")" -gt 0 ]
	[ "$(jq '.pairs["process:timed/process"] // 0' <<<"$st")" -gt 0 ]
	[ "$(jq '.pairs["process:timed/thread"] // 0' <<<"$st")" -eq 0 ]
	# coroutine rows only from the counting pass, one per uprobe hit
	local coro
	coro=$(jq '.kinds.coroutine // 0' <<<"$st")
	[ "$coro" -gt 0 ]
	[ "$(jq '.pairs["coroutine:counting/coroutine"] // 0' <<<"$st")" -eq "$coro" ]
	[ "$coro" -eq "$(jq .bpf.coroutine_switches "$meta")" ]
	[ "$(jq .interrupted "$meta")" = false ]
	[ "$(jq .exit_status "$meta")" -eq 0 ]
}

@test "csv: timed-pass rows carry no latencies (that pass stays untimed), counting-pass rows do" {
	requires root btf bpf python3
	local f=$BATS_TEST_TMPDIR/s.csv
	swc run --quick --csv "$f" thread
	[ "$status" -eq 0 ]
	run -0 csv_stats "$f"
	[ "$(jq '.pairs["thread:timed/thread"] // 0' <<<"$output")" -gt 0 ]
	[ "$(jq '.latencies | with_entries(select(.key | startswith("timed:"))) | length' \
		<<<"$output")" -eq 0 ]
	for k in run_ns off_ns delay_ns; do
		[ "$(jq --arg k "counting:$k" '.latencies[$k] // 0' <<<"$output")" -gt 0 ]
	done
}

@test "csv: each CPU's last, partial batch of records reaches the file (run and trace)" {
	requires root btf bpf python3
	local f=$BATS_TEST_TMPDIR/s.csv
	# a few switches, fewer than a batch on some CPU: sent at the end or lost
	swc run -n 3 -r 1 --csv "$f" thread
	[ "$status" -eq 0 ]
	run -0 csv_stats "$f"
	[ "$(jq .sched <<<"$output")" -gt 0 ]
	[ "$(jq .sched <<<"$output")" -eq "$(jq .bpf.sched_switches "$f.meta.json")" ]
	swc trace --csv "$f" -- true
	[ "$status" -eq 0 ]
	[ "$(($(wc -l <"$f") - 1))" -gt 0 ]
	[ "$(($(wc -l <"$f") - 1))" -eq "$(jq .bpf.sched_switches "$f.meta.json")" ]
	[ "$(jq .bpf.events_dropped "$f.meta.json")" -eq 0 ]
}

@test "csv: the default ring keeps run's peak RSS (VmHWM) within 16 MB" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/s.csv
	swc run --quick --json --csv "$f" process
	[ "$status" -eq 0 ]
	[ "$(jq .csv.ringbuf_bytes "$f.meta.json")" -eq $((8 << 20)) ]
	[ "$(jq -r .switchcost.peak_rss_source <<<"$output")" = VmHWM ]
	[ "$(jq .switchcost.peak_rss_kib <<<"$output")" -le 16384 ]
}

@test "csv: a comm with a comma, quotes and a space round-trips" {
	requires root btf bpf python3
	local bin="$BATS_TEST_TMPDIR/sw,c \"q\"" f=$BATS_TEST_TMPDIR/c.csv
	cp "$SWITCHCOST" "$bin"
	run --separate-stderr "$bin" run --quick --csv "$f" thread
	[ "$status" -eq 0 ]
	run -0 python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline=""), strict=True))
n = sum(1 for r in rows if r["prev_comm"] == "sw,c \"q\"" and r["kind"] == "thread")
print(n)' "$f"
	[ "$output" -gt 0 ]
	grep -qF '"sw,c ""q"""' "$f"
}

@test "csv: .gz is gzip-compressed, passes gzip -t, and parses" {
	requires root btf bpf python3
	local f=$BATS_TEST_TMPDIR/s.csv.gz
	swc run --quick --csv "$f" thread
	[ "$status" -eq 0 ]
	gzip -t "$f"
	[ "$(zcat "$f" | head -1)" = "$HEADER" ]
	run -0 csv_stats "$f"
	[ "$(jq .sched <<<"$output")" -eq "$(jq .bpf.sched_switches "$f.meta.json")" ]
}

@test "csv: --csv - writes the CSV to stdout and the summary to stderr" {
	requires root btf bpf
	swc run --quick --csv - thread
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$HEADER" ]
	[ "${#lines[@]}" -gt 1000 ]
	[[ "$stderr" == *"Per-switch CSV:"*"to stdout; eBPF events dropped: 0"* ]]
}

@test "csv: a symlink at the target is refused, and its target untouched" {
	requires root btf bpf
	local victim=$BATS_TEST_TMPDIR/victim f=$BATS_TEST_TMPDIR/s.csv
	echo precious >"$victim"
	ln -s "$victim" "$f"
	swc run --quick --csv "$f" thread
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: writing $f: it is a symbolic link, and switchcost never writes through one: remove it or choose another name" ]
	[ "$(cat "$victim")" = precious ]
	[ -L "$f" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.*.tmp')" ]
}

@test "csv: an unwritable directory fails cleanly (exit 1, no file)" {
	requires root btf bpf
	local d=$BATS_TEST_TMPDIR/ro
	mkdir "$d"
	mount --bind "$d" "$d" 2>/dev/null || skip "cannot bind-mount $d"
	RO_MOUNT=$d
	mount -o remount,bind,ro "$d" 2>/dev/null || skip "cannot remount $d read-only"
	swc run --quick --csv "$d/s.csv" thread
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: writing $d/s.csv: cannot create a file in $d: Read-only file system" ]
	[ -z "$(ls -A "$d")" ]
	assert_no_bpf_left
}

@test "csv: a full disk fails cleanly (exit 1, nothing under either final name; run and trace)" {
	requires root btf bpf
	local d=$BATS_TEST_TMPDIR/full
	mkdir "$d"
	mount -t tmpfs -o size=256k tmpfs "$d" 2>/dev/null || skip "cannot mount a small tmpfs"
	RO_MOUNT=$d
	swc run --quick --csv "$d/s.csv" thread
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"switchcost: writing $d/s.csv: No space left on device"* ]]
	[ -z "$(ls -A "$d")" ]
	assert_no_bpf_left
	# trace --csv alike, and its report does not count rows of a CSV that is not there
	# each /bin/true is a fork the shell waits for: switches (and rows) whatever the load, where
	# a dd | cat pipe made only ~1,600 rows (139 KB) when both CPUs were busy
	swc trace --csv "$d/t.csv" -- sh -c 'for i in $(seq 3000); do /bin/true; done'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"switchcost: writing $d/t.csv: No space left on device"* ]]
	[[ "$output" != *"CSV rows"* ]]
	[[ "$output" == *"no CSV written"* ]]
	[ -z "$(ls -A "$d")" ]
}

@test "csv: SIGINT mid-run leaves a valid CSV under the final name" {
	requires root btf bpf python3
	local f=$BATS_TEST_TMPDIR/i.csv
	"$SWITCHCOST" run -n 2000000 -r 3 --csv "$f" thread >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	# under way: the file not yet in place holds more than the header
	wait_for_output "$BG_PID" "$BATS_TEST_TMPDIR" 65536
	kill -INT "$BG_PID"
	local rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	[ "$rc" -eq 130 ]
	grep -q "^switchcost: interrupted by Interrupt: workloads stopped, nothing left running; the .* rows received so far are in $f\$" "$BATS_TEST_TMPDIR/err"
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.*.tmp')" ]
	run -0 csv_stats "$f"
	[ "$(jq .rows <<<"$output")" -gt 0 ]
	[ "$(jq .rows <<<"$output")" -eq "$(jq .csv.rows "$f.meta.json")" ]
	[ "$(jq .interrupted "$f.meta.json")" = true ]
	[ "$(jq .exit_status "$f.meta.json")" -eq 130 ]
	assert_no_bpf_left
}

# A directory of the sudo user's (65534, nobody), reachable by them: bats' own is root's.
user_dir() {
	local d
	d=$(mktemp -d /tmp/swc-csv-user.XXXXXX)
	chown 65534:65534 "$d"
	echo "$d"
}

@test "csv: the files belong to SUDO_UID/SUDO_GID" {
	requires root btf bpf
	local d f
	d=$(user_dir)
	f=$d/o.csv
	SUDO_UID=65534 SUDO_GID=65534 swc run --quick --csv "$f" syscall
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$f")" = 65534:65534 ]
	[ "$(stat -c %u:%g "$f.meta.json")" = 65534:65534 ]
	rm -rf "$d"
}

@test "csv: under sudo, never where the user could not write, nor over another user's file" {
	requires root btf bpf
	local d
	d=$(user_dir)
	# a root-only directory: root could write there, the sudo user cannot
	mkdir "$BATS_TEST_TMPDIR/rootonly"
	chmod 700 "$BATS_TEST_TMPDIR/rootonly"
	SUDO_UID=65534 SUDO_GID=65534 swc run --quick --csv "$BATS_TEST_TMPDIR/rootonly/x.csv" syscall
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"Permission denied"* ]]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/rootonly")" ]
	# root's file in the user's directory stays root's, untouched
	echo keep >"$d/rootfile"
	SUDO_UID=65534 SUDO_GID=65534 swc run --quick --csv "$d/rootfile" syscall
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"belongs to uid 0"* ]]
	[ "$(cat "$d/rootfile")" = keep ]
	[ "$(stat -c %u "$d/rootfile")" = 0 ]
	rm -rf "$d"
}

@test "csv: pandas read_csv loads it with no options (skipped without pandas)" {
	requires root btf bpf
	local py="" p f=$BATS_TEST_TMPDIR/s.csv.gz
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import pandas' 2>/dev/null; then
			py=$p
			break
		fi
	done
	[ -n "$py" ] || skip "needs pandas (apt-get install python3-pandas)"
	swc run --quick --csv "$f" process thread coroutine
	[ "$status" -eq 0 ]
	run -0 "$py" -c '
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
assert list(df.columns) == sys.argv[2].split(","), df.columns
assert (df[["run_ns", "off_ns", "delay_ns"]].fillna(0) >= 0).all().all()
print(len(df))' "$f" "$HEADER"
	[ "$output" -eq "$(jq .csv.rows "$f.meta.json")" ]
}

@test "csv: the consumer is raised above the workload, which keeps the nice switchcost started with" {
	requires root btf bpf smp
	local child="" i start
	# started 7 nice levels down: the consumer (switchcost, on a CPU of its own) goes ten
	# levels up; its runner, and the parties it forks, stay where switchcost started
	start=$(($(nice) + 7))
	[ "$start" -le 19 ] || start=19
	nice -n 7 "$SWITCHCOST" -n 3000000 -r 1 --csv "$BATS_TEST_TMPDIR/n.csv" thread \
		>/dev/null 2>&1 3>&- &
	BG_PID=$!
	for i in $(seq 100); do
		child=$(pgrep -P "$BG_PID" | head -1)
		[ -n "$child" ] && break
		sleep 0.1
	done
	[ -n "$child" ]
	sleep 0.3	# past the fork
	local consumer_nice child_nice
	consumer_nice=$(ps -o ni= -p "$BG_PID" | tr -d ' ')
	child_nice=$(ps -o ni= -p "$child" | tr -d ' ')
	kill -INT "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=
	echo "consumer $consumer_nice, runner $child_nice" >&2
	[ "$consumer_nice" -eq $((start - 10)) ]
	[ "$child_nice" -eq "$start" ]
}
