/* SPDX-License-Identifier: GPL-2.0-only */
/* The working-set sweep: size lists, lines per pass, the arithmetic, where it turns up. */
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <linux/types.h>

#include "addrspace.h"
#include "cpucache.h"
#include "switchcost.h"
#include "sweep.h"
#include "unit.h"
#include "validity.h"
#include "wss.h"

static void test_parse_list(void)
{
	unsigned long long v[SWC_WS_MAX_SIZES];
	char err[160];

	CHECK_INT_EQ(swc_ws_parse_list("0,16K,256K,1M,4M,16M", 1ULL << 33, v, 16, err,
				       sizeof(err)), 6);
	CHECK(v[0] == 0 && v[1] == 16384 && v[2] == 262144 && v[3] == 1048576 &&
	      v[5] == 16ULL << 20);
	/* sorted, duplicates dropped, KiB/MB spellings */
	CHECK_INT_EQ(swc_ws_parse_list("1MiB,64k,1M,4096", 1ULL << 33, v, 16, err, sizeof(err)),
		     3);
	CHECK(v[0] == 4096 && v[1] == 65536 && v[2] == 1048576);
	CHECK_INT_EQ(swc_ws_parse_list("16Q", 1ULL << 33, v, 16, err, sizeof(err)), -1);
	CHECK_STR_EQ(err, "--ws wants sizes such as 0,16K,256K,1M,4M,16M, not '16Q'");
	CHECK_INT_EQ(swc_ws_parse_list("16K,,1M", 1ULL << 33, v, 16, err, sizeof(err)), -1);
	CHECK_INT_EQ(swc_ws_parse_list("-1", 1ULL << 33, v, 16, err, sizeof(err)), -1);
	CHECK_INT_EQ(swc_ws_parse_list("", 1ULL << 33, v, 16, err, sizeof(err)), -1);
	CHECK_INT_EQ(swc_ws_parse_list("0", 1ULL << 33, v, 16, err, sizeof(err)), -1);
	CHECK(strstr(err, "needs a size above 0") != NULL);
	CHECK_INT_EQ(swc_ws_parse_list("0,0", 1ULL << 33, v, 16, err, sizeof(err)), -1);
	CHECK_INT_EQ(swc_ws_parse_list("16G", 8ULL << 30, v, 16, err, sizeof(err)), -1);
	CHECK_STR_EQ(err, "--ws size '16G' is more than half of this machine's memory (8G)");
	CHECK_INT_EQ(swc_ws_parse_list("99999999999999999999", 1ULL << 33, v, 16, err,
				       sizeof(err)), -1);
	CHECK_INT_EQ(swc_ws_parse_list("1,2,3", 1ULL << 33, v, 2, err, sizeof(err)), -1);
}

static void test_lines_and_touch(void)
{
	struct swc_wss ws;
	char b[32];

	CHECK_INT_EQ(swc_ws_lines(0, SWC_WS_LINES, 64, 4096), 0);
	CHECK_INT_EQ(swc_ws_lines(16384, SWC_WS_LINES, 64, 4096), 256);
	CHECK_INT_EQ(swc_ws_lines(16384, SWC_WS_PAGES, 64, 4096), 4);
	CHECK_INT_EQ(swc_ws_lines(100, SWC_WS_PAGES, 64, 4096), 1);
	CHECK_INT_EQ(swc_ws_lines(100, SWC_WS_LINES, 64, 4096), 2);
	CHECK_STR_EQ(swc_ws_fmt_bytes(0, b, sizeof(b)), "0");
	CHECK_STR_EQ(swc_ws_fmt_bytes(16384, b, sizeof(b)), "16K");
	CHECK_STR_EQ(swc_ws_fmt_bytes(3 << 19, b, sizeof(b)), "1.5M");
	CHECK_STR_EQ(swc_ws_fmt_bytes(16ULL << 20, b, sizeof(b)), "16M");
	/* every read lands in the buffer: each byte is 1, so the sum is the lines read */
	CHECK_INT_EQ(swc_wss_open(&ws, 64 * 1024 + 100, SWC_WS_PAGES), 0);
	swc_wss_touch(&ws);
	CHECK_INT_EQ(ws.sink, ws.lines);
	swc_wss_close(&ws);
	CHECK_INT_EQ(swc_wss_open(&ws, 64 * 1024 + 100, SWC_WS_LINES), 0);
	swc_wss_touch(&ws);
	swc_wss_touch(&ws);
	CHECK_INT_EQ(ws.sink, 2 * ws.lines);
	swc_wss_close(&ws);
	swc_wss_close(&ws);	/* twice is fine */
}

static void test_cpucache_parse(void)
{
	CHECK_INT_EQ(swc_cache_size_parse("48K"), 49152);
	CHECK_INT_EQ(swc_cache_size_parse("32M\n"), 32 << 20);
	CHECK_INT_EQ(swc_cache_size_parse("1024"), 1024);
	CHECK_INT_EQ(swc_cache_size_parse("x"), 0);
	CHECK_INT_EQ(swc_cpuinfo_tlb_size("\nprocessor\t: 0\nTLB size\t: 192 4K pages\n"), 192);
	CHECK_INT_EQ(swc_cpuinfo_tlb_size("\nprocessor\t: 0\n"), -1);
}

static struct swc_sweep_point *pt(struct swc_sweep *s, int id, enum swc_ws_pattern p,
				  unsigned long long ws, double median, double spread)
{
	struct swc_sweep_point *x = &s->p[s->n++];

	memset(x, 0, sizeof(*x));
	x->baseline = id < 0;
	x->id = id < 0 ? SWC_WL_COROUTINE : (enum swc_workload_id)id;
	x->pattern = p;
	x->ws_bytes = ws;
	x->ran = x->ok = true;
	x->val.valid = true;
	x->per_switch.median = median;
	x->per_switch.min = median - spread / 2;
	x->per_switch.max = median + spread / 2;
	return x;
}

static void test_derive_and_explain(void)
{
	struct swc_sweep *s = calloc(1, sizeof(*s));
	struct swc_addrspace as = { .pti = 1, .pcid = 0 };
	char buf[768];

	s->o.nwl = 2;
	s->o.wl[0] = SWC_WL_PROCESS;
	s->o.wl[1] = SWC_WL_THREAD;
	s->o.nsizes = 3;
	s->o.sizes[1] = 16384;
	s->o.sizes[2] = 4 << 20;
	s->caches.n = 2;
	s->caches.c[0] = (struct swc_cache){ 1, "Data", 48 << 10 };
	s->caches.c[1] = (struct swc_cache){ 2, "Unified", 1 << 20 };
	s->caches.dtlb_l1_4k = 64;
	s->caches.dtlb_l2_4k = -1;
	pt(s, SWC_WL_PROCESS, SWC_WS_LINES, 0, 6000, 200);
	pt(s, SWC_WL_THREAD, SWC_WS_LINES, 0, 3000, 150);
	pt(s, -1, SWC_WS_LINES, 16384, 100, 5);
	pt(s, SWC_WL_PROCESS, SWC_WS_LINES, 16384, 6150, 300);	/* +50: below notice */
	pt(s, SWC_WL_THREAD, SWC_WS_LINES, 16384, 3160, 300);
	pt(s, -1, SWC_WS_LINES, 4 << 20, 40000, 500);
	pt(s, SWC_WL_PROCESS, SWC_WS_LINES, 4 << 20, 52000, 800);	/* +6000 */
	pt(s, SWC_WL_THREAD, SWC_WS_LINES, 4 << 20, 45000, 800);	/* +2000 */
	swc_sweep_derive(s);
	CHECK_DBL_NEAR(swc_sweep_find(s, SWC_WL_PROCESS, SWC_WS_LINES, 16384)->cost_ns, 6050, 1e-9);
	CHECK_DBL_NEAR(swc_sweep_find(s, SWC_WL_PROCESS, SWC_WS_LINES, 16384)->indirect_ns, 50,
		       1e-9);
	CHECK_DBL_NEAR(swc_sweep_find(s, SWC_WL_THREAD, SWC_WS_LINES, 4 << 20)->indirect_ns, 2000,
		       1e-9);
	/* W = 0 serves both patterns; a baseline is found by id -1 */
	CHECK(swc_sweep_find(s, SWC_WL_PROCESS, SWC_WS_PAGES, 0) != NULL);
	CHECK(swc_sweep_find(s, -1, SWC_WS_LINES, 4 << 20)->baseline);
	CHECK(swc_sweep_find(s, SWC_WL_PROCESS, SWC_WS_PAGES, 16384) == NULL);
	CHECK(isnan(swc_sweep_find(s, -1, SWC_WS_LINES, 16384)->cost_ns));
	CHECK(swc_sweep_valid(s) && swc_sweep_ok(s));
	swc_sweep_explain(s, SWC_WS_LINES, &as, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "lines: the indirect cost turns up at W = 4M (process +6.00 µs, thread "
		     "+2.00 µs): the two working sets, 2 × 4M, no longer fit the 1M L2; with PTI "
		     "and no PCID every entry to the kernel flushes the TLB, so process and thread "
		     "both walk the page tables again, and the coroutine, which never enters the "
		     "kernel, does not.");
	/* no pages points at all: it never turns up */
	swc_sweep_explain(s, SWC_WS_PAGES, NULL, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "pages: no indirect cost above max(100 ns, the W = 0 rows' repeat range) "
		     "up to W = 4M.");
	/* an invalid point makes the sweep invalid; a failed one makes it not ok */
	s->p[4].val.valid = false;
	CHECK(!swc_sweep_valid(s));
	s->p[4].ok = false;
	CHECK(!swc_sweep_ok(s));
	free(s);
}

static void test_outside_and_sub(void)
{
	struct swc_group_stats a = { 0 }, b = { 0 }, d;

	a.by_kind[SWC_KIND_PROCESS] = 100;
	a.by_kind[SWC_KIND_KERNEL] = 7;
	a.switches_out = 103;
	a.switches_in = 104;
	/* 2 x 107 - 103 - 104: seven switches with a busy outsider */
	CHECK_INT_EQ(swc_outside_switches(&a), 7);
	b = a;
	a.by_kind[SWC_KIND_KERNEL] += 3;
	a.switches_out += 2;
	a.switches_in += 1;
	swc_group_stats_sub(&a, &b, &d);
	CHECK_INT_EQ(d.by_kind[SWC_KIND_KERNEL], 3);
	CHECK_INT_EQ(d.by_kind[SWC_KIND_PROCESS], 0);
	CHECK_INT_EQ(swc_outside_switches(&d), 3);
}

void test_sweep(void)
{
	test_parse_list();
	test_lines_and_touch();
	test_cpucache_parse();
	test_derive_and_explain();
	test_outside_and_sub();
}
