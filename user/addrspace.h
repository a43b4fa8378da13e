/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What this machine does when a switch changes address space: PTI, PCID/INVPCID, the
 * Spectre v2 user-space barriers (IBPB, STIBP). These, not "a process is heavier", decide
 * whether a process switch costs more than a thread switch.
 */
#ifndef SWC_ADDRSPACE_H
#define SWC_ADDRSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct swc_json;

/* 1 yes, 0 no, -1 not known (file unreadable, another architecture) */
struct swc_addrspace {
	int pti;		/* page-table isolation: two page tables per process */
	int pcid;		/* PCID in use: TLB entries tagged per address space */
	int invpcid;		/* INVPCID in use: targeted TLB flushes */
	int asid;		/* arm64: TLB entries tagged per address space (ASIDs, always
				 * in Linux; what PCID is on x86); -1 on other architectures */
	int ibpb_per_process;	/* a task may ask for IBPB/STIBP itself (prctl) */
	char ibpb[16];		/* "always", "conditional", "off", "unsupported", "unknown" */
	char stibp[16];		/* "always", "forced", "conditional", "off", "not reported", "unknown" */
	char spectre_v2[64];	/* kernel-side mode: "Retpolines", "Enhanced / Automatic IBRS", ... */
	char meltdown[48];	/* "Mitigation: PTI", "Not affected", "Vulnerable", "unknown" */
	char cmdline[160];	/* the boot options that change any of the above, or "" */
};

/*
 * Pure: from the text of /sys/devices/system/cpu/vulnerabilities/{meltdown,spectre_v2}, the
 * first "flags" line of /proc/cpuinfo and /proc/cmdline. Each may be NULL (not readable).
 */
void swc_addrspace_parse(struct swc_addrspace *as, const char *meltdown, const char *spectre_v2,
			 const char *cpu_flags, const char *cmdline);
/* Reads the files above and parses them. Never fails: unknowns stay unknown. */
void swc_addrspace_read(struct swc_addrspace *as);
/* Header lines: "# address-space change: PTI off · PCID on ..." and what makes it dearer. */
void swc_addrspace_print(const struct swc_addrspace *as, FILE *f);
/* The "address_space" object of "system" in --json. */
void swc_addrspace_json(const struct swc_addrspace *as, struct swc_json *j);
/*
 * One sentence that explains the measured process/thread ratio from the facts, e.g. "PCID
 * keeps both address spaces in the TLB and PTI is off: a process switch costs about what a
 * thread switch costs here (1.03x)." Based on the ratio, never assumed. Returns buf; "" when
 * either figure is missing.
 */
char *swc_addrspace_explain(const struct swc_addrspace *as, double process_ns, double thread_ns,
			    char *buf, size_t len);
/* Below this process/thread ratio the two cost "about the same" (repeat noise is ~5-10%). */
#define SWC_SAME_COST_RATIO	1.15
/* Whether a process switch of process_ns costs about what a thread switch of thread_ns does. */
bool swc_same_cost(double process_ns, double thread_ns);
/*
 * What this machine does on a change of address space, as a phrase that starts in lower case:
 * "PCID keeps both address spaces in the TLB and PTI is off". PCID not known (-1: unreadable,
 * another architecture) is said to be unknown, PTI not known is left out: neither is guessed.
 * Returns buf.
 */
char *swc_addrspace_facts(const struct swc_addrspace *as, char *buf, size_t len);

#endif
