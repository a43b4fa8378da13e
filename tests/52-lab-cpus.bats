#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# lab --cpus: a 1-vCPU machine (or any CPU subset) without taskset; bad lists are usage errors.
bats_require_minimum_version 1.5.0
load helpers

@test "lab parallel --cpus 0: labelled as on a one-CPU machine, none 'one per CPU'" {
	requires root btf bpf
	swc lab parallel --cpus 0 --iterations 3000000
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(grep -c '^2 threads on one CPU' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^2 processes on one CPU' <<<"$output")" -eq 1 ]
	! grep -q 'one per CPU' <<<"$output"
	grep -q 'the spread runs were skipped' <<<"$output"
	assert_no_bpf_left
}

@test "lab --cpus: an offline CPU or a bad list is a usage error (exit 2, one line)" {
	swc lab parallel --cpus 4095
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: CPU 4095 does not exist or is offline (--cpus 4095)"* ]]
	swc lab cost --cpus 0-x
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: --cpus wants a CPU list"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}
