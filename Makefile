# SPDX-License-Identifier: GPL-2.0-only
# switchcost: make | make run | make test | make bench | make help
.DEFAULT_GOAL := all

# Cross-building: make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- (Debian's gcc-aarch64-linux-gnu
# and the arm64 -dev packages through multiarch: scripts/deps.sh --arch arm64). ARCH takes the
# kernel's name (x86, arm64) or uname -m's (x86_64, aarch64).
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH     ?= $(HOST_ARCH)
BPF_ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
UARCH    := $(subst x86,x86_64,$(subst arm64,aarch64,$(BPF_ARCH)))
ifeq ($(filter x86 arm64,$(BPF_ARCH)),)
$(error switchcost: ARCH=$(ARCH) is not supported: x86 or arm64)
endif
CROSS_COMPILE ?=
CROSS_TRIPLET := $(patsubst %-,%,$(CROSS_COMPILE))
ifeq ($(BPF_ARCH),$(HOST_ARCH))
O        ?= build
else
O        ?= build/$(BPF_ARCH)
endif
ifneq ($(CROSS_COMPILE),)
ifeq ($(origin CC),default)
CC       := $(CROSS_COMPILE)gcc
endif
# the host's pkg-config, reading the target's multiarch .pc files
PKG_CONFIG ?= PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
endif
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
LLVM_STRIP ?= llvm-strip
PKG_CONFIG ?= pkg-config
prefix   ?= /usr/local
DESTDIR  ?=
ARGS     ?=

# one vmlinux.h per architecture (its BTF types: pt_regs, user_pt_regs), dumped from a kernel's BTF
VMLINUX_H := vmlinux/$(BPF_ARCH)/vmlinux.h

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef
# Lazy (=, not :=): on a fresh machine these tools exist only once scripts/deps.sh has run.
LIBBPF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS = $(or $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null),-lbpf)
# json-c reads saved results back (switchcost report)
JSONC_CFLAGS = $(shell $(PKG_CONFIG) --cflags json-c 2>/dev/null)
JSONC_LIBS = $(or $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null),-ljson-c)
ALL_CFLAGS = -std=gnu11 $(WARNINGS) $(CFLAGS) $(EXTRA_CFLAGS) -Iinclude -Iuser -I$(O) \
	$(LIBBPF_CFLAGS) $(JSONC_CFLAGS) -MMD -MP -pthread -DSWC_BPF_ARCH=\"$(BPF_ARCH)\"
ALL_LDFLAGS := $(LDFLAGS) -pthread
LDLIBS = $(LIBBPF_LIBS) $(JSONC_LIBS) -lelf -lz -lm -lcrypt

# clang's own system include dirs, so BPF code finds <asm/...> without gcc-multilib
CLANG_BPF_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS = -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Iinclude -Ivmlinux/$(BPF_ARCH) \
	$(LIBBPF_CFLAGS) $(CLANG_BPF_SYS_INCLUDES)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
# switch_nofetch: switch.bpf.c again, for kernels without atomic fetch-and-add (below)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/%.bpf.o,$(BPF_SRCS)) $(O)/switch_nofetch.bpf.o
SKELS    := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BPF_SRCS)) $(O)/switch_nofetch.skel.h
# pure code, unit-tested without BPF
PURE_SRCS := user/stats.c user/parse.c user/fmt.c user/json.c user/sudo.c user/outfile.c \
	user/timeline.c user/addrspace.c \
	user/wss.c user/cpucache.c user/sweep_result.c user/workload.c user/workload_handoff.c \
	user/workload_coro.c user/ibpb.c user/pmu.c \
	user/validity.c $(wildcard user/csv.c) user/coro.c user/utf8.c user/elf_read.c \
	user/elfsyms.c user/offcpu_frame.c
USER_SRCS := $(filter-out $(PURE_SRCS),$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(O)/user/%.o,$(USER_SRCS))
PURE_OBJS := $(patsubst user/%.c,$(O)/user/%.o,$(PURE_SRCS))
CORO_OBJ  := $(O)/user/coro_$(UARCH).o
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(O)/unit/%.o,$(UNIT_SRCS))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all run test unit bats bench deps vmlinux install clean help test-vm deb asan fuzz \
	san-build

all: $(O)/switchcost

# A build never installs anything: it names what is missing (`sudo make deps` installs it).
$(O)/.deps-ok: scripts/deps.sh
	$(Q)scripts/deps.sh --check $(if $(CROSS_COMPILE),--arch $(BPF_ARCH))
	$(Q)mkdir -p $(O) && touch $@

$(O)/%.bpf.o: bpf/%.bpf.c include/switchcost.h $(wildcard bpf/*.bpf.h) $(VMLINUX_H) | $(O)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@	# DWARF off, BTF stays: a smaller skeleton

# switch.bpf.c hands out per-task rows with an atomic fetch-and-add (BPF ISA v3, Linux 5.12);
# probe.bpf.c proves the kernel takes one
$(O)/switch.bpf.o $(O)/switch_nofetch.bpf.o $(O)/probe.bpf.o: BPF_CFLAGS += -mcpu=v3

# The same source for kernels that refuse that instruction (Linux < 5.12, Debian 11's 5.10):
# rows popped from a queue instead. user/session.c opens it through switch.skel.h's layout.
$(O)/switch_nofetch.bpf.o: bpf/switch.bpf.c include/switchcost.h $(wildcard bpf/*.bpf.h) \
		$(VMLINUX_H) | $(O)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DSWC_NO_ATOMIC_FETCH -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(O)/%.skel.h: $(O)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(O)/user/%.o: user/%.c | $(O)/.deps-ok $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/user/%.o: user/%.S | $(O)/.deps-ok
	$(call msg,AS,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/switchcost: $(USER_OBJS) $(PURE_OBJS) $(CORO_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/unit/%.o: tests/unit/%.c | $(O)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# the benchmark's floor: an empty sched_switch counter
$(O)/empty_counter: tests/bench/empty_counter.c $(O)/empty.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(LDLIBS) -o $@

# what the verifier spends on each program: most of the time from start to attached
$(O)/verifier_stats: tests/bench/verifier_stats.c | $(O)/.deps-ok
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(LDLIBS) -o $@

$(O)/unit_tests: $(UNIT_OBJS) $(PURE_OBJS) $(CORO_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

# The default suite, as the README's first command.
# under sudo, build/ goes back to the user who owns the checkout
GIVE_BACK = [ -z "$$SUDO_UID" ] || chown -R "$$SUDO_UID:$${SUDO_GID:-$$SUDO_UID}" $(O)

# The README's first command: the one that installs (build and test tools), then builds and runs.
run: deps
	$(Q)$(MAKE) --no-print-directory $(O)/switchcost
	@$(GIVE_BACK)
	$(O)/switchcost $(ARGS)

unit: $(O)/unit_tests
	$(O)/unit_tests

# tests/95-bench.bats finds the bench's empty counter beside switchcost
bats: $(O)/switchcost $(O)/empty_counter
	SWITCHCOST=$(abspath $(O)/switchcost) bats tests/

$(O)/.test-deps-ok: scripts/deps.sh | $(O)/.deps-ok
	$(Q)scripts/deps.sh --check --test
	$(Q)touch $@

# Every test: the tree built with -Werror by gcc and by clang (each in its own directory, so
# flags never mix with the plain build's objects), then the unit tests and the command-line
# suites (BPF ones need root) on the gcc build; one summary line. Installs nothing.
# Also the sanitizer build (below): make asan's checks, and each fuzz harness for 30 s
# (FUZZ_TEST_SECONDS).
# On x86-64 also the arm64 cross-build (Debian's aarch64-linux-gnu-gcc), whose unit tests run
# under qemu-user: the only run the aarch64 coroutine switch gets without arm64 hardware.
TEST_GCC   := $(O)/werror-gcc
TEST_CLANG := $(O)/werror-clang
TEST_ARM64 := $(O)/werror-arm64
test: $(O)/.test-deps-ok
	$(Q)$(MAKE) --no-print-directory O=$(TEST_CLANG) CC=clang EXTRA_CFLAGS=-Werror \
		$(TEST_CLANG)/switchcost $(TEST_CLANG)/unit_tests
	$(Q)$(MAKE) --no-print-directory O=$(TEST_GCC) CC=gcc EXTRA_CFLAGS=-Werror \
		$(TEST_GCC)/switchcost $(TEST_GCC)/unit_tests $(TEST_GCC)/empty_counter
ifeq ($(HOST_ARCH),x86)
	$(Q)$(MAKE) --no-print-directory O=$(TEST_ARM64) ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- EXTRA_CFLAGS=-Werror \
		$(TEST_ARM64)/switchcost $(TEST_ARM64)/unit_tests
endif
	$(Q)$(MAKE) --no-print-directory san-build
	@$(GIVE_BACK)
	ASAN_BUILD=$(abspath $(SAN_O)) FUZZ_NAMES="$(FUZZ_NAMES)" \
	$(if $(filter x86,$(HOST_ARCH)),SWITCHCOST_ARM64=$(abspath $(TEST_ARM64)/switchcost) \
		UNIT_TESTS_ARM64=$(abspath $(TEST_ARM64)/unit_tests)) \
		scripts/run-tests $(abspath $(TEST_GCC)/switchcost) $(abspath $(TEST_GCC)/unit_tests)

# Sanitizers: a clang build with ASan and UBSan (any finding stops the program), whose objects
# also carry libFuzzer's coverage hooks (inert without libFuzzer), so the fuzz harnesses of
# tests/fuzz/ link against the very objects `make asan` tests. `make asan` runs the unit tests
# and a command-line smoke run on it; `make fuzz` runs each harness FUZZ_SECONDS on its corpus
# and fails on a crash (new crashing inputs land in $(SAN_O)/fuzz/).
SAN_O     := $(O)/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20

# every object but main's: what a harness's own main (libFuzzer's) links against
$(O)/libswitchcost.a: $(filter-out $(O)/user/main.o,$(USER_OBJS)) $(PURE_OBJS) $(CORO_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(O)/libswitchcost.a
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz $(ALL_LDFLAGS) -fsanitize=fuzzer $< \
		$(O)/libswitchcost.a $(LDLIBS) -o $@

san-build: $(O)/.test-deps-ok
	$(Q)$(MAKE) --no-print-directory O=$(SAN_O) CC=clang CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="-Werror $(SAN_FLAGS) -fsanitize=fuzzer-no-link" LDFLAGS="$(SAN_FLAGS)" \
		$(SAN_O)/switchcost $(SAN_O)/unit_tests $(addprefix $(SAN_O)/fuzz/,$(FUZZ_NAMES))

asan: san-build
	scripts/asan-check $(abspath $(SAN_O))

fuzz: san-build
	scripts/fuzz $(abspath $(SAN_O)) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# Boots Debian kernel packages in KVM guests and runs the suites there (docs/VMS.md); not in test.
# ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- boots arm64 kernels (KERNEL=linux-image-arm64).
test-vm: $(O)/switchcost
	scripts/test-vm $(if $(filter arm64,$(BPF_ARCH)),--arch arm64) $(KERNEL)

bench: $(O)/switchcost $(O)/empty_counter $(O)/verifier_stats
	scripts/bench

# Installs what building and testing need (Debian/Ubuntu; names the packages elsewhere).
deps:
	scripts/deps.sh --test

# Regenerates vmlinux/ARCH/vmlinux.h from a kernel's BTF: the running one's by default, or
# BTF=file (raw BTF or an ELF vmlinux) with ARCH=arm64 for another architecture (docs/VMS.md).
BTF ?= /sys/kernel/btf/vmlinux
vmlinux:
	$(BPFTOOL) btf dump file $(BTF) format c > $(VMLINUX_H).tmp && mv $(VMLINUX_H).tmp $(VMLINUX_H)

install: $(O)/switchcost
	install -D -m 0755 $(O)/switchcost $(DESTDIR)$(prefix)/bin/switchcost
	install -D -m 0644 docs/switchcost.1 $(DESTDIR)$(prefix)/share/man/man1/switchcost.1
	install -D -m 0644 completion/switchcost.bash \
		$(DESTDIR)$(prefix)/share/bash-completion/completions/switchcost

# A Debian package (debian/, debhelper) of this tree, built from a copy of its tracked files so
# the package's clean never touches build/; the .deb lands in $(O)/deb/.
deb:
	rm -rf $(O)/deb && mkdir -p $(O)/deb/switchcost
	git ls-files -z | xargs -0 cp --parents -t $(O)/deb/switchcost
	cd $(O)/deb/switchcost && dpkg-buildpackage -us -uc -b
	@ls $(O)/deb/*.deb

clean:
	rm -rf $(O)

help:
	@echo 'Targets:'
	@echo '  all (default)  build $(O)/switchcost'
	@echo '  run            install what is missing, build, run the default suite (sudo make run; ARGS="--quick")'
	@echo '  test           -Werror builds with gcc and clang, then every test (unit + bats; BPF tests need root); installs nothing'
	@echo '  unit, bats     one half of test'
	@echo '  asan           ASan+UBSan build ($(SAN_O)): unit tests and a command-line smoke run'
	@echo '  fuzz           each libFuzzer harness of tests/fuzz for FUZZ_SECONDS (20); fails on a crash'
	@echo '  bench          probe-effect, RSS and start-up benchmark (scripts/bench)'
	@echo '  deps           install build and test dependencies (Debian/Ubuntu)'
	@echo '  vmlinux        regenerate vmlinux/$$(ARCH)/vmlinux.h from /sys/kernel/btf/vmlinux (or BTF=file)'
	@echo '  deb            a Debian package of this tree in $(O)/deb/ (debhelper)'
	@echo '  install        install to $$(DESTDIR)$$(prefix) (prefix=$(prefix))'
	@echo '  clean          remove $(O)/'
	@echo 'Knobs: V=1 O=dir CC CLANG BPFTOOL CFLAGS EXTRA_CFLAGS LDFLAGS ARGS'
	@echo '       ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-  cross-build into build/arm64/'

-include $(wildcard $(O)/*.d $(O)/user/*.d $(O)/unit/*.d $(O)/fuzz/*.d)
