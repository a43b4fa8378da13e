// SPDX-License-Identifier: GPL-2.0-only
/*
 * The working set of the indirect-cost sweep. Reads, not writes: a read-only pass leaves no
 * dirty lines, so what a switch costs afterwards is refills, not write-backs of the other
 * party's data. The memory is written once at open so that each page is the party's own
 * (after a fork, a page only read would still be shared, or be the zero page).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "wss.h"

const char *swc_ws_pattern_name(enum swc_ws_pattern p)
{
	return p == SWC_WS_PAGES ? "pages" : "lines";
}

size_t swc_ws_lines(size_t bytes, enum swc_ws_pattern p, size_t line, size_t page)
{
	if (!bytes || !line || !page)
		return 0;
	if (p == SWC_WS_PAGES)
		return (bytes + page - 1) / page;
	return (bytes + line - 1) / line;
}

/* One size: digits, then K/M/G and an optional B or iB. Returns 0 or -1. */
static int parse_size(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;
	unsigned int shift = 0;
	size_t i = 0;

	if (!n || s[0] < '0' || s[0] > '9')
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (~0ULL - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (i < n) {
		switch (s[i]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'B': break;
		default: return -1;
		}
		if (shift)
			i++;
		if (i < n && s[i] == 'i' && shift)
			i++;
		if (i < n && s[i] == 'B')
			i++;
		if (i != n)
			return -1;
	}
	if (v > (~0ULL >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

int swc_ws_parse_list(const char *arg, unsigned long long max_bytes, unsigned long long *sizes,
		      int max, char *err, size_t errlen)
{
	const char *p = arg, *comma;
	int n = 0, k = 0;
	char a[32];

	if (!arg || !*arg) {
		snprintf(err, errlen, "--ws wants sizes such as 0,16K,256K,1M,4M,16M");
		return -1;
	}
	for (;;) {
		unsigned long long v;
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (parse_size(p, len, &v)) {
			snprintf(err, errlen, "--ws wants sizes such as 0,16K,256K,1M,4M,16M, not "
				 "'%.*s'", (int)(len > 40 ? 40 : len), p);
			return -1;
		}
		if (v > max_bytes) {
			snprintf(err, errlen, "--ws size '%.*s' is more than half of this machine's "
				 "memory (%s)", (int)(len > 40 ? 40 : len), p,
				 swc_ws_fmt_bytes(max_bytes, a, sizeof(a)));
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "--ws takes at most %d sizes", max);
			return -1;
		}
		sizes[n++] = v;
		if (!comma)
			break;
		p = comma + 1;
	}
	qsort(sizes, n, sizeof(*sizes), cmp_ull);
	for (int i = 0; i < n; i++)
		if (!k || sizes[k - 1] != sizes[i])
			sizes[k++] = sizes[i];
	if (sizes[k - 1] == 0) {
		snprintf(err, errlen, "--ws needs a size above 0 (0 alone is the switch with no "
			 "working set, which plain run measures)");
		return -1;
	}
	return k;
}

char *swc_ws_fmt_bytes(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "KMG";
	int u = -1;
	double v = (double)bytes;

	while (v >= 1024 && u < 2) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", bytes);
	else if (v == (double)(unsigned long long)v)
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

int swc_wss_open(struct swc_wss *ws, size_t bytes, enum swc_ws_pattern p)
{
	long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE), page = sysconf(_SC_PAGESIZE);
	void *m;

	memset(ws, 0, sizeof(*ws));
	ws->line = line > 0 ? (size_t)line : 64;	/* glibc reads cpuid; 64 where it cannot */
	ws->page = page > 0 ? (size_t)page : 4096;
	ws->pattern = p;
	ws->bytes = bytes;
	ws->lines = swc_ws_lines(bytes, p, ws->line, ws->page);
	if (!bytes)
		return 0;
	ws->mapped = (bytes + ws->page - 1) / ws->page * ws->page;
	m = mmap(NULL, ws->mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	ws->buf = m;
	/* small pages: what the TLB holds is then a count of 4 KiB pages */
	madvise(ws->buf, ws->mapped, MADV_NOHUGEPAGE);
	memset(ws->buf, 1, ws->mapped);
	return 0;
}

void swc_wss_touch(struct swc_wss *ws)
{
	const volatile char *b = ws->buf;
	size_t per_page = ws->page / ws->line;
	unsigned long sum = 0;

	if (ws->pattern == SWC_WS_PAGES) {
		/* a different line in each page: the same offset everywhere would fall in one
		 * cache set and measure the set's ways, not the TLB */
		for (size_t i = 0; i < ws->lines; i++)
			sum += b[i * ws->page + (i % per_page) * ws->line];
	} else {
		for (size_t i = 0; i < ws->lines; i++)
			sum += b[i * ws->line];
	}
	ws->sink += sum;
}

void swc_wss_close(struct swc_wss *ws)
{
	if (ws && ws->buf)
		munmap(ws->buf, ws->mapped);
	if (ws)
		ws->buf = NULL;
}
