// SPDX-License-Identifier: GPL-2.0-only
/* The CPU's cache and TLB sizes, as this machine reports them (see cpucache.h). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include "cpucache.h"
#include "json.h"
#include "wss.h"

unsigned long long swc_cache_size_parse(const char *s)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K')
		return v << 10;
	if (*end == 'M')
		return v << 20;
	if (*end == 'G')
		return v << 30;
	return *end == '\0' || *end == '\n' ? v : 0;
}

long swc_cpuinfo_tlb_size(const char *cpuinfo)
{
	const char *p = cpuinfo ? strstr(cpuinfo, "\nTLB size") : NULL;
	long v;

	if (!p || !(p = strchr(p, ':')))
		return -1;
	if (sscanf(p + 1, " %ld 4K pages", &v) != 1)
		return -1;
	return v;
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void add_cache(struct swc_cpucache *cc, int level, const char *type,
		      unsigned long long bytes)
{
	struct swc_cache *c;

	if (cc->n == SWC_MAX_CACHES || level <= 0 || !bytes)
		return;
	c = &cc->c[cc->n++];
	c->level = level;
	snprintf(c->type, sizeof(c->type), "%s", type);
	c->bytes = bytes;
}

static void read_sysfs(struct swc_cpucache *cc)
{
	char path[96], level[16], type[16], size[32];

	for (int i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		if (read_text(path, level, sizeof(level)))
			break;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
		if (read_text(path, type, sizeof(type)))
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		if (read_text(path, size, sizeof(size)))
			continue;
		add_cache(cc, atoi(level), type, swc_cache_size_parse(size));
	}
	if (cc->n)
		snprintf(cc->source, sizeof(cc->source), "sysfs");
}

/* glibc answers these from cpuid where sysfs has no cache directory (some VMs) */
static void read_sysconf(struct swc_cpucache *cc)
{
	long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
	long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE), l4 = sysconf(_SC_LEVEL4_CACHE_SIZE);

	if (l1 > 0)
		add_cache(cc, 1, "Data", (unsigned long long)l1);
	if (l2 > 0)
		add_cache(cc, 2, "Unified", (unsigned long long)l2);
	if (l3 > 0)
		add_cache(cc, 3, "Unified", (unsigned long long)l3);
	if (l4 > 0)
		add_cache(cc, 4, "Unified", (unsigned long long)l4);
	if (cc->n)
		snprintf(cc->source, sizeof(cc->source), "cpuid (sysconf)");
}

static void read_tlb(struct swc_cpucache *cc)
{
	static char cpuinfo[16384];
	FILE *f = fopen("/proc/cpuinfo", "re");
	size_t n;

	if (f) {
		cpuinfo[0] = '\n';
		n = fread(cpuinfo + 1, 1, sizeof(cpuinfo) - 2, f);
		cpuinfo[n + 1] = '\0';
		fclose(f);
		cc->tlb_size_4k = swc_cpuinfo_tlb_size(cpuinfo);
	}
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned int a, b, c, d, vendor[3];

		__cpuid(0, a, vendor[0], vendor[2], vendor[1]);
		/* AMD's leaves (APM vol. 3, CPUID Fn8000_0005/6 EBX): L1 and L2 data TLB, 4K */
		if (!memcmp(vendor, "AuthenticAMD", 12) &&
		    (unsigned int)__get_cpuid_max(0x80000000, NULL) >= 0x80000006u) {
			__cpuid(0x80000005, a, b, c, d);
			cc->dtlb_l1_4k = (b >> 16) & 0xff;
			__cpuid(0x80000006, a, b, c, d);
			cc->dtlb_l2_4k = (b >> 16) & 0xfff;
		}
	}
#endif
}

void swc_cpucache_read(struct swc_cpucache *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->dtlb_l1_4k = cc->dtlb_l2_4k = cc->tlb_size_4k = -1;
	read_sysfs(cc);
	if (!cc->n)
		read_sysconf(cc);
	read_tlb(cc);
}

static bool holds_data(const struct swc_cache *c)
{
	return strcmp(c->type, "Instruction") != 0;
}

const struct swc_cache *swc_cpucache_level(const struct swc_cpucache *cc, int level)
{
	for (int i = 0; i < cc->n; i++)
		if (cc->c[i].level == level && holds_data(&cc->c[i]))
			return &cc->c[i];
	return NULL;
}

const struct swc_cache *swc_cpucache_last(const struct swc_cpucache *cc)
{
	const struct swc_cache *last = NULL;

	for (int i = 0; i < cc->n; i++)
		if (holds_data(&cc->c[i]) && (!last || cc->c[i].level > last->level))
			last = &cc->c[i];
	return last;
}

void swc_cpucache_print(const struct swc_cpucache *cc, FILE *f)
{
	char b[32];
	bool any = false;

	fprintf(f, "# caches");
	if (cc->source[0])
		fprintf(f, " (%s)", cc->source);
	fprintf(f, ":");
	for (int i = 0; i < cc->n; i++) {
		if (!holds_data(&cc->c[i]))
			continue;
		fprintf(f, "%s L%d%s %s", any ? " ·" : "", cc->c[i].level,
			cc->c[i].level == 1 ? "d" : "", swc_ws_fmt_bytes(cc->c[i].bytes, b, sizeof(b)));
		any = true;
	}
	if (!any)
		fprintf(f, " not reported");
	if (cc->dtlb_l1_4k > 0 || cc->dtlb_l2_4k > 0)
		fprintf(f, " · data TLB (4K pages): L1 %ld, L2 %ld entries", cc->dtlb_l1_4k,
			cc->dtlb_l2_4k);
	else if (cc->tlb_size_4k > 0)
		fprintf(f, " · TLB %ld entries (4K pages)", cc->tlb_size_4k);
	else
		fprintf(f, " · TLB sizes not reported");
	fprintf(f, "\n");
}

static void json_long_or_null(struct swc_json *j, const char *key, long v)
{
	if (v >= 0)
		jw_i64(j, key, v);
	else
		jw_null(j, key);
}

void swc_cpucache_json(const struct swc_cpucache *cc, struct swc_json *j)
{
	jw_obj_begin(j, "cpu_caches");
	jw_str(j, "source", cc->source[0] ? cc->source : NULL);
	jw_arr_begin(j, "caches");
	for (int i = 0; i < cc->n; i++) {
		jw_obj_begin(j, NULL);
		jw_i64(j, "level", cc->c[i].level);
		jw_str(j, "type", cc->c[i].type);
		jw_u64(j, "bytes", cc->c[i].bytes);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	json_long_or_null(j, "dtlb_l1_4k_entries", cc->dtlb_l1_4k);
	json_long_or_null(j, "dtlb_l2_4k_entries", cc->dtlb_l2_4k);
	json_long_or_null(j, "cpuinfo_tlb_size_4k", cc->tlb_size_4k);
	jw_obj_end(j);
}
