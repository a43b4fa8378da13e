#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# trace --stacks: off-CPU time per stack on a program that blocks in two known functions
# (block_long sleeps 3x as long as block_short), folded output, lost stacks counted, a stripped
# copy said to be stripped, JSON, bad input, and Ctrl-C leaving nothing loaded.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	make_progdir stacks-test
	# frame pointers: the kernel walks user stacks by them
	cc -O2 -Wall -fno-omit-frame-pointer -o "$PROGDIR/offcpu" "$BATS_TEST_DIRNAME/progs/offcpu.c"
	strip -o "$PROGDIR/offcpu-stripped" "$PROGDIR/offcpu"
	export PROGDIR PROG=$PROGDIR/offcpu
}

teardown_file() {
	rm -rf "$PROGDIR"
}

teardown() {
	kill_bg BG
}

# folded_sum FILE FUNCTION: the microseconds of the lines whose stack holds FUNCTION
folded_sum() {
	awk -v fn="$2" '{ n = split($0, a, " "); v = a[n]; sub(/ [0-9]+$/, "")
		k = split($0, f, ";"); for (i = 1; i <= k; i++) if (f[i] == fn) { s += v; break } }
		END { print s + 0 }' "$1"
}

@test "trace --stacks --folded: both functions, off-CPU time 3:1 (2 to 4), in folded format" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/out.folded long short
	swc trace --stacks --folded "$f" -- "$PROG" 10
	[ "$status" -eq 0 ]
	# every line: frames joined by ';' (comm first), one space, whole microseconds
	awk '!/^[^;]+(;[^;]+)* [0-9]+$/ { print "not folded: " $0; bad = 1 } END { exit bad }' "$f"
	# root first: main calls them, the kernel's __schedule is the leaf
	grep -q ';main;block_long;.*;__schedule [0-9]*$' "$f"
	grep -q ';main;block_short;.*;__schedule [0-9]*$' "$f"
	long=$(folded_sum "$f" block_long)
	short=$(folded_sum "$f" block_short)
	echo "block_long ${long} us, block_short ${short} us"
	[ "$short" -gt 0 ]
	# 300 ms against 100 ms asleep; wake-up delays add to both
	awk -v l="$long" -v s="$short" 'BEGIN { r = l / s; exit !(r >= 2 && r <= 4) }'
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '*.tmp')" ]
	# the human report: both at the top, lost stacks said even when none
	[[ "$output" == *"Off-CPU stacks: "* ]]
	[ "$(grep -A30 '^   1\. ' <<<"$output" | grep -m1 -E '^        block_(long|short)$')" = \
	  "        block_long" ]
	grep -qE '^Stacks lost: [0-9]+ user \([0-9]+ hash collisions\), [0-9]+ kernel' <<<"$output"
}

@test "trace --stacks --json: a stacks array, frames leaf first, counters" {
	requires root btf bpf
	swc trace --stacks --json -- "$PROG" 4
	[ "$status" -eq 0 ]
	jq -e '.stacks | length > 0' <<<"$output"
	jq -e '[.stacks[] | select(.user_frames[0] == "block_long" and .user_frames[1] == "main"
		and (.kernel_frames | index("__schedule")) != null and .off_cpu_ns > 0)] | length == 1' \
		<<<"$output"
	jq -e '.stacks_summary as $s | ($s.user_stacks_lost | type) == "number" and
		$s.stack_storage_size == 1024 and $s.switches_out >= 8 and
		$s.off_cpu_ns == ([.stacks[].off_cpu_ns] | add)' <<<"$output"
	jq -e '(.stacks | map(.share) | add) > 0.99 and (.stacks | map(.share) | add) < 1.01' <<<"$output"
}

@test "trace -a --stacks: every task's stacks, a program not started by trace among them" {
	requires root btf bpf
	"$PROG" 40 &
	BG=$!
	swc trace -a --stacks --json -d 1
	[ "$status" -eq 0 ]
	jq -e --argjson pid "$BG" '[.stacks[] | select(.pid == $pid and
		(.user_frames | index("block_long")) != null and .off_cpu_ns > 0)] | length >= 1' \
		<<<"$output"
	jq -e '.stacks_summary.switches_out > 0' <<<"$output"
	swc trace -a --stacks --comm offcpu -d 1
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: --stacks with -a follows every task: --comm, --cgroup and -t do not narrow it; drop them, or trace CMD or -p"* ]]
}

@test "trace --stacks: a stack map too small loses stacks, and says how many" {
	requires root btf bpf
	local f=$BATS_TEST_TMPDIR/small.folded
	# one slot: the first user stack takes it, every other one collides
	swc trace --stacks --stack-storage-size 1 --folded "$f" --json -- "$PROG" 4
	[ "$status" -eq 0 ]
	jq -e '.stacks_summary.user_stack_collisions > 0 and
		.stacks_summary.user_stacks_lost >= .stacks_summary.user_stack_collisions' <<<"$output"
	grep -q '\[user stack lost\]' "$f"
}

@test "trace --stacks on a stripped binary: its frames say stripped" {
	requires root btf bpf
	swc trace --stacks -- "$PROGDIR/offcpu-stripped" 3
	[ "$status" -eq 0 ]
	[[ "$output" == *"offcpu-stripped+0x"*" [stripped]"* ]]
	[[ "$output" == *"$PROGDIR/offcpu-stripped is stripped: neither .symtab nor .dynsym"* ]]
	[[ "$output" != *"block_long"* ]]
}

@test "trace --stacks: a comm with a terminal escape reaches neither the terminal nor a folded line" {
	requires root btf bpf
	cd "$BATS_TEST_TMPDIR"
	# the shell names itself ESC[31mEVIL<TAB>X, then blocks waiting for sleep
	swc trace --stacks --stacks-top 100 --folded f -- \
		bash -c 'printf "\033[31mEVIL\tX" >/proc/self/comm; sleep 0.3; true'
	[ "$status" -eq 0 ]
	grep -q ' switches  ?\[31mEVIL?X \[' <<<"$output"
	! grep -q $'\033' <<<"$output" || false
	grep -q '^_\[31mEVIL_X;' f
	! grep -q $'[\033\t]' f || false
}

@test "trace --stacks under sudo: the folded file is the user's; a symlink is refused" {
	requires root btf bpf nobody
	local d=$PROGDIR/u uid gid
	uid=$(id -u nobody) gid=$(id -g nobody)
	# bats' own temporary directories are private to root: nobody must reach this one
	mkdir "$d" && chown "$uid:$gid" "$d"
	SUDO_UID=$uid SUDO_GID=$gid SUDO_USER=nobody swc trace --stacks --folded "$d/f" -- "$PROG" 1
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$d/f")" = "$uid:$gid" ]
	ln -s /etc/passwd "$d/link"
	swc trace --stacks --folded "$d/link" -- "$PROG" 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "switchcost: writing $d/link: it is a symbolic link"* ]]
	[ -z "$(find "$d" -name '*.tmp')" ]
}

@test "trace --stacks: Ctrl-C prints the stacks so far and leaves no program loaded" {
	requires root btf bpf
	local out=$BATS_TEST_TMPDIR/out st=0
	"$SWITCHCOST" trace --stacks -- "$PROG" wait >"$out" 2>&1 3>&- &
	BG=$!
	for _ in $(seq 100); do grep -q ready "$out" && break; sleep 0.1; done
	sleep 0.5
	kill -INT "$BG"
	wait "$BG" || st=$?
	BG=
	[ "$st" -eq 130 ]
	grep -q '^Interrupted by Interrupt' "$out"
	grep -q '^        block_long$' "$out"
	assert_no_bpf_left
}

@test "trace --stacks: bad options are usage errors" {
	swc trace --stack-storage-size 0 --stacks -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --stack-storage-size wants a number of stacks from 1 to 1048576, not '0' (see switchcost trace --help)" ]
	swc trace --stack-storage-size 64 -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --stack-storage-size and --stacks-top are about --stacks: give --stacks too (see switchcost trace --help)" ]
	swc trace --folded - -- true
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: --folded wants a file name, not - (stdout carries the report) (see switchcost trace --help)" ]
	swc trace --stacks --stacks-top x -- true
	[ "$status" -eq 2 ]
}
