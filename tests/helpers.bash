# SPDX-License-Identifier: GPL-2.0-only
# Shared by every bats file: the binary under test, requirements, and leak checks.

SWITCHCOST=${SWITCHCOST:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build/switchcost}

# swc ARGS...: runs switchcost with stdout in $output and stderr in $stderr.
swc() {
	run --separate-stderr "$SWITCHCOST" "$@"
}

# Whether the running kernel is older than $1 (MAJOR.MINOR), where a feature a test expects came
# (Debian's kernels carry no such feature backported). Then the default route is the fallback.
kernel_older_than() {
	local have
	have=$(uname -r | cut -d. -f1,2)
	[ "$have" != "$1" ] && [ "$(printf '%s\n%s\n' "$have" "$1" | sort -V | head -1)" = "$have" ]
}

# Skips with the reason, except under CI=true for root/btf/bpf: CI here is root with BTF, so
# such a skip means something broke and must fail instead.
requires() {
	local r reason
	for r in "$@"; do
		reason=""
		case "$r" in
		root) [ "$(id -u)" -eq 0 ] || reason="needs root" ;;
		btf) [ -r /sys/kernel/btf/vmlinux ] || reason="needs kernel BTF (/sys/kernel/btf/vmlinux)" ;;
		bpf) command -v bpftool >/dev/null || [ -x /usr/sbin/bpftool ] || reason="needs bpftool" ;;
		smp) [ "$(nproc)" -ge 2 ] || { skip "needs 2 or more CPUs"; return; } ;;
		python3) command -v python3 >/dev/null || { skip "needs python3"; return; } ;;
		nobody) id nobody >/dev/null 2>&1 || { skip "needs a user 'nobody'"; return; } ;;
		*) echo "requires: unknown requirement '$r' (a typo in the test?)" >&2; return 1 ;;
		esac
		if [ -n "$reason" ]; then
			if [ "${CI:-}" = true ]; then
				echo "CI is root with BTF, yet this test $reason: something broke" >&2
				return 1
			fi
			skip "$reason"
		fi
	done
}

# Ids of BPF programs held open by switchcost binaries other than the one under test (another
# checkout's test run on the same machine): those are not this run's leaks.
foreign_prog_ids() {
	local d exe self
	self=$(readlink -f "$SWITCHCOST")
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		exe=${exe% (deleted)}	# a checkout rebuilt while its tests run
		[ "${exe##*/}" = switchcost ] && [ "$exe" != "$self" ] || continue
		grep -hs '^prog_id:' "$d"/fdinfo/* | awk '{ print $2 }'
	done | sort -u
}

# Names (as bpftool shows them, 15 characters at most) of switchcost's BPF programs loaded now,
# less those another checkout's switchcost holds.
our_bpf_progs() {
	local bt foreign
	bt=$(command -v bpftool || echo /usr/sbin/bpftool)
	foreign=$(foreign_prog_ids | paste -sd, -)
	"$bt" prog show --json 2>/dev/null |
		jq -r --arg foreign "$foreign" '($foreign | split(",")) as $f | .[] |
			select(.name | test("^(on_switch|on_wakeup|on_wakeup_new|on_fork|on_exec|on_sys_enter[a-z_]*|on_user_switch[a-z_]*|on_offcpu)$")) |
			select((.id | tostring) as $id | $f | index($id) | not) | "name \(.name)"' || true
}

# Fails if switchcost left a BPF program loaded (runs of another checkout's binary are told apart).
assert_no_bpf_left() {
	local left i
	# the kernel frees a detached program after an RCU grace period: give it a moment
	for i in $(seq 40); do
		left=$(our_bpf_progs)
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	if [ -n "$left" ]; then
		echo "BPF programs left loaded: $left" >&2
		return 1
	fi
}

# Fails if process $1 still has children (none of a run's workloads may survive it).
assert_no_children() {
	local kids
	kids=$(pgrep -P "$1" || true)
	if [ -n "$kids" ]; then
		echo "children of $1 left: $kids" >&2
		return 1
	fi
}

# Fails if any process of the binary under test is still running: the workload runners are
# forks of it, so a leaked runner or partner shows here after switchcost has exited.
assert_no_switchcost_left() {
	local left
	left=$(pgrep -f "^$SWITCHCOST( |$)" || true)
	if [ -n "$left" ]; then
		echo "switchcost processes left: $(ps -o pid,ppid,stat,args -p "${left//$'\n'/,}")" >&2
		return 1
	fi
}

# wait_for_output PID DIR [MIN_BYTES]: waits (30 s at most) until PID writes a file in DIR that
# is not in place yet (an unnamed O_TMPFILE file, or a .NAME.XXXXXXXX.tmp) holding more than
# MIN_BYTES (default 0): its output is under way.
wait_for_output() {
	local dir fd link min=${3:-0}
	dir=$(realpath "$2")
	for _ in $(seq 600); do
		for fd in /proc/"$1"/fd/*; do
			link=$(readlink "$fd" 2>/dev/null) || continue
			case "$link" in
			"$dir/#"* | "$dir/."*.tmp) ;;
			*) continue ;;
			esac
			if [ "$(stat -L -c %s "$fd" 2>/dev/null || echo 0)" -gt "$min" ]; then
				return 0
			fi
		done
		sleep 0.05
	done
	echo "wait_for_output: $1 wrote nothing under way in $dir" >&2
	return 1
}

# make_progdir NAME: $PROGDIR, a directory under /tmp that the user nobody can reach (bats' own
# temporary directories are private to root); teardown_file removes it.
make_progdir() {
	PROGDIR=$(mktemp -d "/tmp/swc-$1.XXXXXX")
	chmod 755 "$PROGDIR"
	export PROGDIR
}

# build_traced: tests/progs/traced.c, the program trace's tests watch, as $TRACED in $PROGDIR.
build_traced() {
	cc -O2 -Wall -pthread -o "$PROGDIR/traced" "$BATS_TEST_DIRNAME/progs/traced.c"
	export TRACED=$PROGDIR/traced
}

# kill_bg VAR...: kills (SIGKILL) and reaps the background process whose pid each VAR holds,
# if it holds one: only what the test started.
kill_bg() {
	local v
	for v in "$@"; do
		[ -n "${!v:-}" ] || continue
		kill -KILL "${!v}" 2>/dev/null || true
		wait "${!v}" 2>/dev/null || true
	done
}

# wait_for_line FILE TEXT: until FILE holds TEXT (10 s at most).
wait_for_line() {
	for _ in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	grep -q "$2" "$1"
}

# needs_chromium: skips with the reason where there is none; under CI=true it must be there.
needs_chromium() {
	command -v chromium >/dev/null && return 0
	[ "${CI:-}" = true ] && { echo "CI must have chromium (scripts/deps.sh --test)" >&2; return 1; }
	skip "needs chromium (scripts/deps.sh --test installs it)"
}

# stop_bg SIG: sends SIG to $BG and sets $st to its exit status; fails if it is still running
# after 30 s (a stop request that is not seen hangs, it does not get slow).
stop_bg() {
	kill "-$1" "$BG"
	for _ in $(seq 300); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BG" 2>/dev/null; then
		echo "switchcost (pid $BG) still running 30 s after SIG$1" >&2
		return 1
	fi
	st=0
	wait "$BG" || st=$?
	BG=
}
