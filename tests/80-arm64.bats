#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The arm64 cross-build (make test builds it on x86-64 with Debian's aarch64-linux-gnu-gcc):
# it links, it is aarch64 code, and its coroutine switch runs under qemu-user.
bats_require_minimum_version 1.5.0
load helpers

# SWITCHCOST_ARM64: the cross-built binary (make test sets it); absent on an arm64 host or when
# only `bats tests/` is run.
arm64_binary() {
	if [ -z "${SWITCHCOST_ARM64:-}" ]; then
		# make deps test installs the cross toolchain on x86-64: there its absence is a failure
		if [ "${CI:-}" = true ] && [ "$(uname -m)" = x86_64 ]; then
			echo "CI on x86-64 without the arm64 cross-build (SWITCHCOST_ARM64)" >&2
			return 1
		fi
		skip "no arm64 cross-build (make test sets SWITCHCOST_ARM64 on x86-64)"
	fi
	QEMU=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
}

@test "arm64 cross-build: linked, and file says ARM aarch64" {
	arm64_binary
	[ -x "$SWITCHCOST_ARM64" ]
	run file -L "$SWITCHCOST_ARM64"
	echo "$output" >&2
	[[ "$output" == *"ELF 64-bit LSB"*"ARM aarch64"* ]]
	[[ "$output" == *"interpreter /lib/ld-linux-aarch64.so.1"* ]]
}

@test "arm64 under qemu-user: the coroutine switch runs, each figure labelled emulated" {
	arm64_binary
	[ -n "$QEMU" ] || skip "needs qemu-user (qemu-user-static)"
	run --separate-stderr "$QEMU" "$SWITCHCOST_ARM64" --no-bpf --quick --json \
		coroutine coroutine-floor
	echo "status=$status stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.system.arch == "aarch64" and .system.emulated == true'
	echo "$output" | jq -e '[.results[] | select(.workload == "coroutine" or
		.workload == "coroutine-floor") | .ns_per_switch.median > 0] | length == 2 and all'
	# the human header says so too
	run --separate-stderr "$QEMU" "$SWITCHCOST_ARM64" --no-bpf --quick coroutine
	[ "$status" -eq 0 ]
	[[ "$output" == *"# emulated: this aarch64 binary runs on another architecture's CPU"* ]]
}

@test "native run: not labelled emulated" {
	swc --no-bpf --quick --json coroutine
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.system.emulated == false'
}
