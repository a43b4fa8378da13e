/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the CPU says about its caches and TLBs, to explain where the sweep's indirect cost turns
 * up: sysfs (/sys/devices/system/cpu/cpu0/cache/index*), else glibc's sysconf (cpuid); TLB
 * entries from /proc/cpuinfo "TLB size" and, on AMD, cpuid 0x80000005/6. In a VM these are the
 * hypervisor's figures, which need not be the host's.
 */
#ifndef SWC_CPUCACHE_H
#define SWC_CPUCACHE_H

#include <stdio.h>

struct swc_json;

#define SWC_MAX_CACHES	8

struct swc_cache {
	int level;
	char type[16];			/* "Data", "Instruction", "Unified" */
	unsigned long long bytes;
};

struct swc_cpucache {
	int n;
	struct swc_cache c[SWC_MAX_CACHES];	/* ascending level */
	char source[24];		/* "sysfs", "cpuid (sysconf)", or "" when none */
	long dtlb_l1_4k, dtlb_l2_4k;	/* data TLB entries for 4 KiB pages; -1 not reported */
	long tlb_size_4k;		/* /proc/cpuinfo "TLB size" (all levels, AMD); -1 */
};

/* "48K" -> 49152, "1024K", "32M"; 0 when unparsable. Pure. */
unsigned long long swc_cache_size_parse(const char *s);
/* The "TLB size: 192 4K pages" line of a /proc/cpuinfo text; -1 when absent. Pure. */
long swc_cpuinfo_tlb_size(const char *cpuinfo);
void swc_cpucache_read(struct swc_cpucache *cc);
/* The largest data or unified cache (the last level), or NULL. */
const struct swc_cache *swc_cpucache_last(const struct swc_cpucache *cc);
/* The data or unified cache of a level, or NULL. */
const struct swc_cache *swc_cpucache_level(const struct swc_cpucache *cc, int level);
/* "# caches (cpuid (sysconf)): L1d 48K · L2 1M · L3 508M · dTLB 96 + 128 entries (4K pages)" */
void swc_cpucache_print(const struct swc_cpucache *cc, FILE *f);
/* "cpu_caches": { source, caches: [{level, type, bytes}], dtlb_l1_4k_entries, ... } */
void swc_cpucache_json(const struct swc_cpucache *cc, struct swc_json *j);

#endif
