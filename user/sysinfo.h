/* SPDX-License-Identifier: GPL-2.0-only */
/* What makes the numbers interpretable: kernel, CPU, virtualisation, mitigations, libbpf. */
#ifndef SWC_SYSINFO_H
#define SWC_SYSINFO_H

#include <stdbool.h>
#include <stdio.h>

#include "addrspace.h"

struct swc_json;

struct swc_sysinfo {
	char kernel[128];	/* uname -r */
	char arch[32];		/* uname -m */
	char cpu_model[128];	/* /proc/cpuinfo "model name" (or "CPU part"/"Hardware" elsewhere) */
	int ncpus_online;
	bool virtualised;	/* cpuinfo "hypervisor" flag, or DMI / device-tree says so */
	bool emulated;		/* cpuinfo is another architecture's: a user-mode emulator runs us */
	bool software_cpu;	/* arm64 CPU implementer 0x00 (software): qemu's TCG, not silicon */
	char hypervisor[64];	/* "KVM", "VMware", "Xen", "Microsoft Hyper-V", "QEMU", ... or "" */
	char mitigations[512];	/* compact: "meltdown: PTI; spectre_v2: Retpolines, IBPB" ... */
	char libbpf[32];	/* "1.1" (libbpf_version_string) */
	bool btf;		/* /sys/kernel/btf/vmlinux exists */
	struct swc_addrspace as;	/* what an address-space change costs here, and why */
};

/* Reads everything it can; fields it cannot read are "unknown". Never fails. */
void swc_sysinfo_read(struct swc_sysinfo *si);
/* One or two header lines for the human output ("# kernel 6.18 x86_64 · AMD EPYC · 2 CPUs ..."). */
void swc_sysinfo_print(const struct swc_sysinfo *si, FILE *f);
/* The CPUs this process may run on, ascending, at most max of them. Returns how many (0 if
 * sched_getaffinity fails). */
int swc_allowed_cpus(int *cpus, int max);
/* Whether this process is in the initial PID namespace, where its pids are the kernel's global
 * pids (the ones BPF sees): /proc/self/status's NSpid has a single entry. */
bool swc_in_initial_pidns(void);
/* The "system" object of --json output. */
void swc_sysinfo_json(const struct swc_sysinfo *si, struct swc_json *j);

#endif
