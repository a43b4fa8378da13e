#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# switchcost doctor: the checklist, its JSON, its exit status, and what a non-root run lacks.
bats_require_minimum_version 1.5.0
load helpers

# as_nobody [SETPRIV-OPTIONS...] -- ARGS...: switchcost as user nobody.
as_nobody() {
	requires nobody
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ "$(id -u)" -eq 0 ] || skip "needs root to become nobody"
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups "${opts[@]}" \
		"$SWITCHCOST" "$@"
}

@test "doctor as root: every core check passes, exit 0, one line per check" {
	requires root btf
	swc doctor
	[ "$status" -eq 0 ]
	for name in kernel btf arch privileges tp_btf task_storage ringbuf uprobe atomic_fetch lockdown \
		perf_event_paranoid tracefs cgroup_v2 cpus virtualisation address_space \
		pid_namespace wsl2 python_asyncio; do
		[[ "$output" =~ \]\ +$name\  ]] || { echo "no check $name" >&2; return 1; }
	done
	[[ "$output" == *"[ok]   tp_btf "*"loads and attaches"* ]]
	[[ "$output" == *"The core works"* ]]
	[[ "$output" != *"[FAIL]"* ]]
}

@test "doctor --json: one document, checks with name, ok, detail, fix null exactly when ok" {
	requires root btf
	swc doctor --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.schema_version == 2 and .command == "doctor" and .core_ok == true'
	echo "$output" | jq -e '(.checks | length) >= 18'
	echo "$output" | jq -e '[.checks[] | (.name | type) == "string" and (.ok | type) == "boolean"
		and (.detail | length) > 0 and ((.fix == null) == .ok)] | all'
	echo "$output" | jq -e '[.checks[] | select(.core) | .ok] | all'
	# the probes every kernel with BTF accepts, and the uprobe where its attach cookie is (5.15)
	echo "$output" | jq -e '[.checks[] | select(.name == "tp_btf" or .name == "raw_tp") | .ok] ==
		[true, true]'
	kernel_older_than 5.15 || echo "$output" | jq -e '.checks[] | select(.name == "uprobe") | .ok'
	[ "$(printf '%s\n' "$output" | jq -s length)" -eq 1 ]
}

@test "doctor as nobody: exit 1, says privileges are missing and how to get them" {
	as_nobody --inh-caps=-all -- doctor
	[ "$status" -eq 1 ]
	[[ "$output" == *"[FAIL] privileges "*"CAP_BPF no"*"CAP_PERFMON no"* ]]
	[[ "$output" == *"fix: run as root"* ]]
	[[ "$output" == *"[FAIL] tp_btf "*"Operation not permitted"* ]]
	[[ "$output" == *"The core is missing"* ]]
	as_nobody --inh-caps=-all -- doctor --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.core_ok == false'
	echo "$output" | jq -e '.checks[] | select(.name == "privileges") | .ok == false and
		(.fix | test("root"))'
}

@test "doctor with CAP_BPF + CAP_PERFMON: the core works, the uprobe check says what it costs" {
	requires btf
	as_nobody --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon -- doctor --json
	echo "$output" >&2
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.core_ok == true'
	echo "$output" | jq -e '.checks[] | select(.name == "tp_btf") | .ok'
	# the kernel refuses or accepts the uprobe; either way the JSON says which, with a fix
	echo "$output" | jq -e '.checks[] | select(.name == "uprobe") |
		.ok or (.fix | test("coroutine counting pass"))'
}

@test "doctor takes no arguments; a bad option is a usage error" {
	swc doctor extra
	[ "$status" -eq 2 ]
	[[ "$stderr" == "switchcost: doctor takes no arguments"* ]]
	swc doctor --frobnicate
	[ "$status" -eq 2 ]
	[[ "$stderr" == switchcost:* ]]
	swc doctor --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: switchcost doctor"* ]]
}

@test "doctor on qemu's arm virt board (an arm64 guest: no DMI, no hypervisor flag) says virtualised" {
	[ "$(tr -d '\0' </proc/device-tree/compatible 2>/dev/null)" = linux,dummy-virt ] ||
		skip "not on qemu's arm virt board (scripts/test-vm --arch arm64 boots one)"
	# qemu's TCG CPUs carry Arm's implementer code for software (0x00); KVM shows the host's
	want="QEMU virt board"
	grep -qE '^CPU implementer\s*: 0x00$' /proc/cpuinfo && want="QEMU virt board, CPU emulated by TCG"
	swc doctor --json
	echo "$output" | jq -e --arg w "$want" '.checks[] | select(.name == "virtualisation") | .ok and .detail == $w'
	swc --quick --no-bpf --json coroutine
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg w "$want" '.system.virtualised == true and .system.hypervisor == $w
		and .system.emulated == false'
}
