/* SPDX-License-Identifier: GPL-2.0-only */
/* The validity judgement: each threshold trips alone, quiet rows pass, /proc/stat steal. */
#include <math.h>
#include <string.h>

#include "unit.h"
#include "validity.h"

static void test_judge(void)
{
	struct swc_validity_in q = {
		.min_ns = 2900, .max_ns = 3100, .wall_ns = 50e6, .cpu_ns = 48e6, .one_cpu = true,
		.outside_switches = 3, .steal_ns = 0,
	};
	struct swc_validity_in in;
	struct swc_validity v;

	swc_validity_judge(&q, &v);
	CHECK(v.valid);
	CHECK_INT_EQ(v.nreasons, 0);
	CHECK_DBL_NEAR(v.cpu_share, 0.96, 1e-9);

	/* a CPU hog beside it: half the CPU, a few long slices */
	in = q;
	in.cpu_ns = 25e6;
	in.outside_switches = 45;
	swc_validity_judge(&in, &v);
	CHECK(!v.valid);
	CHECK_INT_EQ(v.nreasons, 1);
	CHECK_STR_EQ(v.reasons[0], "its tasks had their CPU 50% of the time: tasks outside the "
				   "workload ran in between (45 switches involved them)");

	/* short rows and cross-CPU rows: the share is not judged */
	in.wall_ns = 5e6;
	swc_validity_judge(&in, &v);
	CHECK(v.valid);
	CHECK(isnan(v.cpu_share));
	in = q;
	in.one_cpu = false;
	in.cpu_ns = 10e6;
	swc_validity_judge(&in, &v);
	CHECK(v.valid);

	in = q;
	in.max_ns = 5000;
	swc_validity_judge(&in, &v);
	CHECK(!v.valid);
	CHECK(strstr(v.reasons[0], "spread 1.72×") != NULL);

	in = q;
	in.steal_ns = 10e6;
	swc_validity_judge(&in, &v);
	CHECK(!v.valid);
	CHECK_STR_EQ(v.reasons[0], "the hypervisor stole 20% of its time (steal in /proc/stat)");

	/* unknowns are not evidence either way */
	in = (struct swc_validity_in){ .min_ns = NAN, .max_ns = NAN, .wall_ns = 50e6,
				       .cpu_ns = NAN, .one_cpu = true, .outside_switches = -1,
				       .steal_ns = NAN };
	swc_validity_judge(&in, &v);
	CHECK(v.valid);
}

static void test_steal(void)
{
	static const char stat[] =
		"cpu  100 0 50 1000 3 0 2 17 0 0\n"
		"cpu0 60 0 30 500 1 0 1 5 0 0\n"
		"cpu1 40 0 20 500 2 0 1 12 0 0\n"
		"intr 12345\n";
	int c0[] = { 0 }, c01[] = { 0, 1 }, c2[] = { 2 };

	CHECK_INT_EQ(swc_stat_steal_parse(stat, c0, 1), 5);
	CHECK_INT_EQ(swc_stat_steal_parse(stat, c01, 2), 17);
	CHECK_INT_EQ(swc_stat_steal_parse(stat, c2, 1), -1);
	CHECK_INT_EQ(swc_stat_steal_parse("cpu0 1 2\n", c0, 1), -1);
}

void test_validity(void)
{
	test_judge();
	test_steal();
}
