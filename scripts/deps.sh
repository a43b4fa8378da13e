#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs what switchcost needs to build (and, with --test, to run every test), when something
# is missing. Debian/Ubuntu: apt-get; elsewhere: prints the packages to install and fails.
# --check: installs nothing, names what is missing and fails (make and make test: a build or a
# test run never changes the machine; `sudo make deps` or `sudo make run` installs).
set -eu

need="" test=false check=false
for a in "$@"; do
	case $a in
	--test) test=true ;;
	--check) check=true ;;
	*) echo "switchcost: scripts/deps.sh: unknown option '$a' (--test, --check)" >&2; exit 2 ;;
	esac
done
if $test; then
	# the CSV tests load the export with pandas, as a user would
	/usr/bin/python3 -c 'import pandas' 2>/dev/null || need="$need python3-pandas"
	# the report tests render each page in a headless browser
	command -v chromium >/dev/null 2>&1 || need="$need chromium"
	# ... and validate each with HTML Tidy
	command -v tidy >/dev/null 2>&1 || need="$need tidy"
fi
have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have_hdr() { [ -e "/usr/include/$1" ]; }

have_cmd clang      || need="$need clang"
have_cmd llvm-strip || need="$need llvm"
have_cmd bpftool    || need="$need bpftool"
have_cmd pkg-config || need="$need pkg-config"
have_cmd bats       || need="$need bats"
have_cmd jq         || need="$need jq"
have_cmd python3    || need="$need python3"
have_cmd setpriv    || need="$need util-linux"
have_cmd gzip       || need="$need gzip"
have_cmd make       || need="$need make"
have_cmd cc         || need="$need gcc"
have_hdr bpf/libbpf.h      || need="$need libbpf-dev"
have_hdr bpf/usdt.bpf.h    || need="$need libbpf-dev"
have_hdr gelf.h            || need="$need libelf-dev"
have_hdr zlib.h            || need="$need zlib1g-dev"
have_hdr crypt.h           || need="$need libcrypt-dev"
have_hdr json-c/json.h     || need="$need libjson-c-dev"
[ -e /usr/include/sys/sdt.h ] || [ -n "$(ls /usr/include/*/sys/sdt.h 2>/dev/null)" ] || need="$need systemtap-sdt-dev"

[ -n "$need" ] || exit 0
need=$(printf '%s\n' $need | sort -u | tr '\n' ' ')

if $check; then
	echo "switchcost: missing: ${need% }: install them with 'sudo make deps' (Debian/Ubuntu)" >&2
	exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "switchcost: missing build dependencies: $need" >&2
	echo "switchcost: install the equivalents with your package manager (Fedora: clang llvm" \
	     "libbpf-devel elfutils-libelf-devel zlib-devel bpftool systemtap-sdt-devel bats jq)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "switchcost: missing build dependencies: $need: run as root (sudo make ...)" >&2
	exit 1
fi
echo "switchcost: installing:$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Ubuntu ships bpftool in linux-tools-*, not as its own package.
if echo "$need" | grep -qw bpftool && ! apt-cache show bpftool >/dev/null 2>&1; then
	need=$(echo "$need" | sed 's/bpftool/linux-tools-common linux-tools-generic/')
	need="$need linux-tools-$(uname -r)"
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
