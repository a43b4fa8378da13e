#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Input a hostile or unlucky user controls while switchcost runs as root: the sudo environment,
# the files named in --uprobe/--usdt/--asyncio (crafted ELF, other users' paths), and bytes
# that are not UTF-8 on their way into JSON.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	# a directory the user nobody can read, for files that user names
	make_progdir hostile-test
	build_traced
}

teardown_file() {
	rm -rf "$PROGDIR"
}

@test "sudo: a SUDO_GID that is not one of SUDO_UID's groups is refused by every command" {
	requires root nobody
	# nobody is not in group root: SUDO_GID=0 would have handed the traced command group root
	for cmd in "trace -- id" "run --quick syscall" "lab cost" "report x.json -o x.html"; do
		# shellcheck disable=SC2086
		SUDO_UID=65534 SUDO_GID=0 swc $cmd
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: SUDO_GID=0 is not one of the groups of SUDO_UID=65534 (nobody): unset SUDO_GID or give one of theirs" ]
		[ -z "$output" ]
	done
}

@test "sudo: a SUDO_UID with no passwd entry is refused the same way by run, trace, lab and report" {
	requires root
	local uid=4242424
	! getent passwd "$uid" >/dev/null || skip "uid $uid exists here"
	for cmd in "trace -- true" "run --quick syscall" "lab cost" "report x.json -o x.html"; do
		# shellcheck disable=SC2086
		SUDO_UID=$uid SUDO_GID=$uid swc $cmd
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: SUDO_UID=$uid has no passwd entry, so its groups are unknown: unset SUDO_UID to run as root" ]
	done
}

@test "sudo: the traced command gets the user's groups from the database, not root's" {
	requires root btf bpf nobody
	SUDO_UID=65534 SUDO_GID=65534 swc trace -- id -G
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -G nobody)" ] || [[ "$output" == "$(id -G nobody)"$'\n'* ]]
}

@test "json: a comm cut inside a UTF-8 character is still valid UTF-8 JSON" {
	requires root btf bpf python3
	# 9 x "é" is 18 bytes; the kernel keeps 15 of them, the last one half a character
	local name=ééééééééé
	cp "$TRACED" "$PROGDIR/$name"
	swc trace --json -- "$PROGDIR/$name" threads 200
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
raw = sys.stdin.buffer.read()
doc = json.loads(raw.decode("utf-8"))	# strict: raises on invalid UTF-8
comms = [t["comm"] for t in doc["tasks"]]
assert "ééééééé\ufffd" in comms, comms'
}

@test "elf: --asyncio on a crafted _asyncio (NOBITS .plt of 1 MiB) is refused, not a crash" {
	requires root python3
	local so py=$PROGDIR/py
	so=$(ls /usr/lib/python3*/lib-dynload/_asyncio.*.so 2>/dev/null | head -1)
	[ -n "$so" ] || skip "needs CPython 3's _asyncio module"
	[ "$(uname -m)" = x86_64 ] || skip "--asyncio decodes x86-64 code"
	mkdir -p "$py/bin" "$py/lib/python3.11/lib-dynload"
	cp "$(readlink -f /usr/bin/python3)" "$py/bin/python3"
	python3 "$BATS_TEST_DIRNAME/progs/elf_craft.py" "$so" \
		"$py/lib/python3.11/lib-dynload/${so##*/}" .plt=nobits:0x100000
	swc trace --asyncio -- "$py/bin/python3" -c 1
	[ "$status" -eq 1 ]
	[ "$stderr" = "switchcost: --asyncio: $py/lib/python3.11/lib-dynload/${so##*/} has 0 call(s) to PyIter_Send, not exactly one: task steps cannot be told apart here" ]
}

@test "elf: --uprobe on a function whose code is not in the file (NOBITS .text) is refused" {
	requires root python3
	python3 "$BATS_TEST_DIRNAME/progs/elf_craft.py" "$TRACED" "$PROGDIR/nobits" \
		.text=nobits:0x100000
	chmod 755 "$PROGDIR/nobits"
	swc trace --uprobe "$PROGDIR/nobits:tick" -- true
	[ "$status" -eq 1 ]
	[[ "$stderr" == "switchcost: --uprobe $PROGDIR/nobits:tick: no function 'tick' in "* ]]
}

@test "probe files are opened as the sudo user: a root-only path reads like a missing one" {
	requires root btf bpf nobody
	local d=$PROGDIR/rootonly
	mkdir "$d"
	cp "$TRACED" "$d/traced"
	chmod 700 "$d"
	for opt in --uprobe --usdt; do
		local what=tick
		[ "$opt" = --usdt ] && what=prov:tick
		SUDO_UID=65534 SUDO_GID=65534 swc trace "$opt" "$d/traced:$what" -- true
		[ "$status" -eq 1 ]
		[ "$stderr" = "switchcost: $opt $d/traced:$what: no file '$d/traced' that you can read" ]
		SUDO_UID=65534 SUDO_GID=65534 swc trace "$opt" "$d/none:$what" -- true
		[ "$status" -eq 1 ]
		[ "$stderr" = "switchcost: $opt $d/none:$what: no file '$d/none' that you can read" ]
	done
	# root itself, and the user once the file is theirs to read, attach and count
	swc trace --uprobe "$d/traced:tick" -- "$d/traced" calls 50
	[ "$status" -eq 0 ]
	[[ "$output" == *"): 50 hits"* ]]
	chmod 755 "$d"
	SUDO_UID=65534 SUDO_GID=65534 swc trace --uprobe "$d/traced:tick" -- "$d/traced" calls 50
	[ "$status" -eq 0 ]
	[[ "$output" == *"): 50 hits"* ]]
}
