# SPDX-License-Identifier: GPL-2.0-only
# Runs once before all bats files: the binary must exist; print what the results depend on.
setup_suite() {
	local bin=${SWITCHCOST:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build/switchcost}
	if [ ! -x "$bin" ]; then
		echo "# $bin is missing: run make first (make test builds it)" >&3
		return 1
	fi
	{
		echo "# kernel $(uname -r), $(nproc) CPUs, uid $(id -u), CI=${CI:-}"
		echo "# $(clang --version | head -1); bats $(bats --version | cut -d' ' -f2)"
		echo "# $("$bin" --version); $( (command -v bpftool || echo /usr/sbin/bpftool) | sh -c "read b; \$b version" 2>/dev/null | head -1)"
	} >&3
	export SWITCHCOST=$bin
}
