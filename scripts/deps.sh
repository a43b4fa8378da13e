#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs what switchcost needs to build (and, with --test, to run every test), when something
# is missing. Debian/Ubuntu: apt-get; elsewhere: prints the packages to install and fails.
# --check: installs nothing, names what is missing and fails (make and make test: a build or a
# test run never changes the machine; `sudo make deps` or `sudo make run` installs).
# --arch arm64: what cross-building for arm64 needs (Debian's cross gcc, the arm64 -dev packages
# through multiarch, qemu-user to run the unit tests). --test on x86-64 includes it: make test
# cross-builds and runs the aarch64 unit tests.
set -eu

need="" test=false check=false cross=""
while [ $# -gt 0 ]; do
	case $1 in
	--test) test=true ;;
	--check) check=true ;;
	--arch) cross=${2:-}; shift ;;
	*) echo "switchcost: scripts/deps.sh: unknown option '$1' (--test, --check, --arch arm64)" >&2
	   exit 2 ;;
	esac
	shift
done
case $cross in
''|arm64) ;;
*) echo "switchcost: scripts/deps.sh: --arch '$cross': only arm64 is cross-built" >&2; exit 2 ;;
esac
if $test && [ "$(uname -m)" = x86_64 ]; then
	cross=arm64
fi
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
# make test's sanitizer build and fuzz harnesses link clang's runtimes (ASan, UBSan, libFuzzer)
if $test && have_cmd clang; then
	rt="$(clang --print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-$(uname -m).a"
	[ -e "$rt" ] || need="$need libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
fi
have_hdr bpf/libbpf.h      || need="$need libbpf-dev"
have_hdr bpf/usdt.bpf.h    || need="$need libbpf-dev"
have_hdr gelf.h            || need="$need libelf-dev"
have_hdr zlib.h            || need="$need zlib1g-dev"
have_hdr crypt.h           || need="$need libcrypt-dev"
have_hdr json-c/json.h     || need="$need libjson-c-dev"
[ -e /usr/include/sys/sdt.h ] || [ -n "$(ls /usr/include/*/sys/sdt.h 2>/dev/null)" ] || need="$need systemtap-sdt-dev"

if [ "$cross" = arm64 ]; then
	ml=/usr/lib/aarch64-linux-gnu
	have_cmd aarch64-linux-gnu-gcc || need="$need gcc-aarch64-linux-gnu"
	[ -e /usr/aarch64-linux-gnu/include/stdio.h ] || need="$need libc6-dev-arm64-cross"
	have_cmd qemu-aarch64-static || have_cmd qemu-aarch64 || need="$need qemu-user-static"
	have_cmd file || need="$need file"
	[ -e $ml/libbpf.so ]    || need="$need libbpf-dev:arm64"
	[ -e $ml/libelf.so ]    || need="$need libelf-dev:arm64"
	[ -e $ml/libz.so ]      || need="$need zlib1g-dev:arm64"
	[ -e $ml/libjson-c.so ] || need="$need libjson-c-dev:arm64"
	[ -e /usr/include/aarch64-linux-gnu/sys/sdt.h ] || need="$need systemtap-sdt-dev:arm64"
fi

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
# the arm64 -dev packages come through multiarch
case $need in
*:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 ;;
esac
apt-get update -qq
# Ubuntu ships bpftool in linux-tools-*, not as its own package.
if echo "$need" | grep -qw bpftool && ! apt-cache show bpftool >/dev/null 2>&1; then
	need=$(echo "$need" | sed 's/bpftool/linux-tools-common linux-tools-generic/')
	need="$need linux-tools-$(uname -r)"
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
