#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# lab --cpus: bad lists are usage errors (its one-CPU labels: 50-lab.bats, beside taskset's).
bats_require_minimum_version 1.5.0
load helpers

@test "lab --cpus: an offline CPU or a bad list is a usage error (exit 2, one line)" {
	swc lab parallel --cpus 4095
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: CPU 4095 does not exist or is offline (--cpus 4095)"* ]]
	swc lab cost --cpus 0-x
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: --cpus wants a CPU list"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}
