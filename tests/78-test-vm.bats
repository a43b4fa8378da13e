#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# scripts/test-vm's table, from results laid out as its guests write them (booting a guest
# is docs/VMS.md's job, not the test suite's): one row per boot, every column in its place.
bats_require_minimum_version 1.5.0
load helpers

TEST_VM=$BATS_TEST_DIRNAME/../scripts/test-vm

# A boot's results directory, as scripts/vm-guest leaves it: $1 name, $2 kernel, $3 args line
# ("" when the boot had none), $4 quick.json's content ("" when --quick printed nothing), $5 the
# guest's uname -m (default x86_64).
fake_boot() {
	local d=$BATS_TEST_TMPDIR/vm/results/$1
	mkdir -p "$d"
	echo "$2" >"$d/kernel"
	echo "$3" >"$d/args"
	echo "${5:-x86_64}" >"$d/arch"
	echo tcg >"$d/accel"
	echo 100 >"$d/boot_seconds"
	printf '%s' "$4" >"$d/quick.json"
	printf 'btf\tpass\nquick\t%s\n00-cli\tpass (17/17)\n' \
		"$([ -n "$4" ] && echo pass || echo 'fail (exit 1: loading eBPF programs)')" >"$d/results.tsv"
}

@test "test-vm --table: a boot whose --quick printed nothing keeps its columns, '-' for the costs" {
	command -v column >/dev/null || skip "needs column (bsdextrautils)"
	fake_boot a-5.10 5.10.0-32-amd64 "" ""
	fake_boot b-6.1 6.1.0-50-amd64 "pti=on nopcid" '{"schema_version":1,
		"system":{"address_space":{"pti":true,"pcid":false,"ibpb":"unsupported"}},
		"results":[{"workload":"process","ns_per_switch":{"median":3000}},
		           {"workload":"thread","ns_per_switch":{"median":2000}},
		           {"workload":"coroutine","ns_per_switch":{"median":12.5}}]}'
	SWITCHCOST_VM_DIR=$BATS_TEST_TMPDIR/vm run --separate-stderr "$TEST_VM" --table
	echo "status=$status output=$output stderr=$stderr" >&2
	[ "$status" -eq 1 ]	# a suite failed in one boot
	t=$BATS_TEST_TMPDIR/vm/results/table.tsv
	# every row has the header's number of fields, none empty
	awk -F'\t' 'NR == 1 { n = NF } NF != n { exit 1 } { for (i = 1; i <= NF; i++) if ($i == "") exit 1 }' "$t"
	[ "$(awk -F'\t' '$1 == "5.10.0-32-amd64" { print $2, $6, $9, $14 }' "$t")" = \
		"- - - fail (exit 1: loading eBPF programs)" ]
	[ "$(awk -F'\t' '$1 == "6.1.0-50-amd64" { print $2 "|" $6, $7, $8, $9, $10, $11, $12 }' "$t")" = \
		"pti=on nopcid|3000 2000 12.5 1.5 true false unsupported" ]
}

@test "test-vm: an unknown option is a usage error, exit 2" {
	run --separate-stderr "$TEST_VM" --bogus
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "switchcost: test-vm: unknown option '--bogus'" ]
}

@test "test-vm --arch: x86_64 or arm64, one architecture per run (checked before anything is built)" {
	export SWITCHCOST_VM_DIR=$BATS_TEST_TMPDIR/vm	# should a check fail, nothing real is touched
	run --separate-stderr "$TEST_VM" --arch sparc linux-image-sparc64
	[ "$status" -eq 2 ]
	[ "$stderr" = "switchcost: test-vm: --arch must be x86_64 or arm64, not 'sparc'" ]
	# an x86 kernel in an arm64 run, an arm64 one in an x86 run, and a mix by package names
	for args in "--arch arm64 linux-image-amd64" "--arch x86_64 linux-image-arm64" \
		"linux-image-arm64 linux-image-amd64"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$TEST_VM" $args
		echo "$args: status=$status stderr=$stderr" >&2
		[ "$status" -eq 2 ]
		[ "$stderr" = "switchcost: test-vm: one architecture per run: arm64 kernels (*-arm64) boot with --arch arm64, without other kernels" ]
	done
}

@test "test-vm --table: an arm64 boot's row, '-' where x86 facts do not apply (PCID: null)" {
	command -v column >/dev/null || skip "needs column (bsdextrautils)"
	fake_boot arm64-6.1 6.1.0-50-arm64 "" '{"schema_version":1,
		"system":{"address_space":{"pti":false,"pcid":null,"ibpb":"off"}},
		"results":[{"workload":"process","ns_per_switch":{"median":74643.3}},
		           {"workload":"thread","ns_per_switch":{"median":33257.3}},
		           {"workload":"coroutine","ns_per_switch":{"median":37.132}}]}' aarch64
	# scripts/vm-guest's coroutine-against-its-floor and trace rows are columns like the suites
	printf 'coroutine\tpass (1.05x the floor)\ntrace\tpass\n' \
		>>"$BATS_TEST_TMPDIR/vm/results/arm64-6.1/results.tsv"
	SWITCHCOST_VM_DIR=$BATS_TEST_TMPDIR/vm run --separate-stderr "$TEST_VM" --arch arm64 --table
	echo "status=$status output=$output stderr=$stderr" >&2
	[ "$status" -eq 0 ]
	t=$BATS_TEST_TMPDIR/vm/results/table.tsv
	awk -F'\t' 'NR == 1 { n = NF } NF != n { exit 1 } { for (i = 1; i <= NF; i++) if ($i == "") exit 1 }' "$t"
	[ "$(awk -F'\t' 'NR == 2 { print $1, $3, $6, $8, $9, $10, $11, $12 }' "$t")" = \
		"6.1.0-50-arm64 aarch64 74643.3 37.132 2.24 false - off" ]
	[ "$(awk -F'\t' 'NR == 1 { print $16, $17 } NR == 2 { print $16 }' "$t")" = \
		"coroutine trace
pass (1.05x the floor)" ]
}
