/* SPDX-License-Identifier: GPL-2.0-only */
/* Summary statistics and log2 histogram helpers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "switchcost.h"
#include "unit.h"

static void test_summary(void)
{
	double odd[] = { 5, 1, 4, 2, 3 };
	double odd_copy[] = { 5, 1, 4, 2, 3 };
	double even[] = { 10, 2, 8, 4 };
	double one[] = { 7.5 };
	struct swc_summary s;

	swc_summarize(odd, 5, &s);
	CHECK_INT_EQ(s.n, 5);
	CHECK_DBL_NEAR(s.min, 1, 0);
	CHECK_DBL_NEAR(s.median, 3, 0);
	CHECK_DBL_NEAR(s.max, 5, 0);
	CHECK_DBL_NEAR(s.mean, 3, 1e-12);
	/* The input is the caller's run order: it must come back untouched. */
	CHECK(!memcmp(odd, odd_copy, sizeof(odd)));

	swc_summarize(even, 4, &s);
	CHECK_DBL_NEAR(s.median, 6, 0);		/* mean of the middle two, 4 and 8 */
	CHECK_DBL_NEAR(s.min, 2, 0);
	CHECK_DBL_NEAR(s.max, 10, 0);
	CHECK_DBL_NEAR(s.mean, 6, 1e-12);

	swc_summarize(one, 1, &s);
	CHECK_DBL_NEAR(s.median, 7.5, 0);
	CHECK_DBL_NEAR(s.min, 7.5, 0);

	swc_summarize(NULL, 0, &s);
	CHECK_INT_EQ(s.n, 0);
	CHECK(isnan(s.min) && isnan(s.median) && isnan(s.max) && isnan(s.mean));
}

static void test_quantile(void)
{
	__u64 h[40] = { 0 };

	CHECK_INT_EQ(swc_hist_total(h, 40), 0);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.5), NAN, 0);

	/* One bucket, [1024, 2048): quantiles spread linearly across it. */
	h[10] = 100;
	CHECK_INT_EQ(swc_hist_total(h, 40), 100);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.5), 1536, 1e-9);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.25), 1280, 1e-9);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 1.0), 2048, 1e-9);

	/* Across buckets: 100 in [1024, 2048), 100 in [4096, 8192). */
	h[12] = 100;
	CHECK_INT_EQ(swc_hist_total(h, 40), 200);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.5), 2048, 1e-9);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.75), 6144, 1e-9);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.99), 4096 + 0.98 * 4096, 1e-6);
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 1.0), 8192, 1e-9);

	/* The top bucket's guess passes an exact max inside it: capped there, and only there. */
	CHECK_DBL_NEAR(swc_hist_quantile_upto(h, 40, 0.99, 5000), 5000, 1e-9);
	CHECK_DBL_NEAR(swc_hist_quantile_upto(h, 40, 0.5, 5000), 2048, 1e-9);
	CHECK_DBL_NEAR(swc_hist_quantile_upto(h, 40, 0.99, 8191), 4096 + 0.98 * 4096, 1e-6);
	{
		struct swc_task t = { .delay_max_ns = 5000, .delay_count = 200 };

		memcpy(t.hist_delay, h, sizeof(h));	/* SWC_HIST_SLOTS of them */
		CHECK_DBL_NEAR(swc_task_delay_quantile(&t, 0.99), 5000, 1e-9);
	}

	/* Slot 0 holds 0 and 1: its range starts at 0. */
	memset(h, 0, sizeof(h));
	h[0] = 4;
	CHECK_DBL_NEAR(swc_hist_quantile(h, 40, 0.5), 1, 1e-12);
}

static void test_print(void)
{
	__u64 h[40] = { 0 };
	struct unit_capture c;
	const char *out;
	const char *want =
		"run time\n"
		"     nsecs               : count    distribution\n"
		"       256 -> 511        : 12       |************                            |\n"
		"       512 -> 1023       : 40       |****************************************|\n"
		"      1024 -> 2047       : 0        |                                        |\n"
		"      2048 -> 4095       : 5        |*****                                   |\n";
	const char *want_us =
		"delay\n"
		"     usecs               : count    distribution\n"
		"       524 -> 1048       : 3        |****************************************|\n"
		"      1048 -> 2097       : 1        |*************                           |\n";

	h[8] = 12;
	h[9] = 40;
	h[11] = 5;
	if (!CHECK(unit_capture_begin(&c) == 0))
		return;
	swc_hist_print(c.f, "run time", h, 40);
	out = unit_capture_end(&c);
	CHECK_STR_EQ(out, want);
	unit_capture_free(&c);

	/* The top slot ends past 1 ms: edges print in usecs, divided down. */
	memset(h, 0, sizeof(h));
	h[19] = 3;
	h[20] = 1;
	if (!CHECK(unit_capture_begin(&c) == 0))
		return;
	swc_hist_print(c.f, "delay", h, 40);
	out = unit_capture_end(&c);
	CHECK_STR_EQ(out, want_us);
	unit_capture_free(&c);

	/* A fixed unit (trace -m): msecs, edges divided down; the slots below 1 ms read
	 * "0 -> 0" and are one row, their counts summed (7 + 2 here). */
	h[10] = 7;
	h[12] = 2;
	if (!CHECK(unit_capture_begin(&c) == 0))
		return;
	swc_hist_print_in(c.f, "delay", h, 40, 1000000);
	out = unit_capture_end(&c);
	CHECK_STR_EQ(out, "delay\n"
		"     msecs               : count    distribution\n"
		"         0 -> 0          : 9        |****************************************|\n"
		"         0 -> 1          : 3        |*************                           |\n"
		"         1 -> 2          : 1        |****                                    |\n");
	unit_capture_free(&c);

	/* Empty: the title only. */
	memset(h, 0, sizeof(h));
	if (!CHECK(unit_capture_begin(&c) == 0))
		return;
	swc_hist_print(c.f, "nothing", h, 40);
	out = unit_capture_end(&c);
	CHECK_STR_EQ(out, "nothing\n");
	unit_capture_free(&c);
}

void test_stats(void)
{
	test_summary();
	test_quantile();
	test_print();
}
