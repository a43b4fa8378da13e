/* SPDX-License-Identifier: GPL-2.0-only */
/* The validity judgement: each threshold trips alone, quiet rows pass, /proc/stat steal. */
#include <math.h>
#include <string.h>

#include <linux/types.h>

#include "switchcost.h"
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

	/* runnable behind outsiders, from switch records: 8% of 50 ms */
	in = q;
	in.outside_wait_ns = 4e6;
	swc_validity_judge(&in, &v);
	CHECK(!v.valid);
	CHECK_STR_EQ(v.reasons[0], "its tasks waited runnable behind tasks outside it for 8% "
				   "of its time (summed over its tasks)");
	in.outside_wait_ns = 2e6;
	swc_validity_judge(&in, &v);
	CHECK(v.valid);
	in.outside_wait_ns = 0;
	in.cpu_ns = 25e6;

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

	/* across CPUs, busy outsiders instead of idle in most switches */
	in = q;
	in.one_cpu = false;
	in.switches = 16804;
	in.outside_switches = 16804;
	swc_validity_judge(&in, &v);
	CHECK(!v.valid);
	CHECK_STR_EQ(v.reasons[0], "busy tasks outside it ran on its CPUs between its switches: "
				   "16804 of its 16804 switches involved them, not idle");
	in.outside_switches = 200;	/* a few kernel threads: quiet */
	swc_validity_judge(&in, &v);
	CHECK(v.valid);
	in.one_cpu = true;		/* on one CPU the share of CPU time judges this */
	in.outside_switches = 16804;
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

static void test_traced(void)
{
	struct swc_group_stats gs = { 0 };
	struct swc_validity v;

	/* a ping-pong of two traced processes: 40,000 switches between them, 13,000 of them
	 * preemptions of one by the other; 600 switches to a hog and back */
	gs.by_kind[SWC_KIND_PROCESS] = 40000 + 1200;
	gs.switches_out = 40000 + 600;
	gs.switches_in = 40000 + 600;
	gs.involuntary = 13000;
	CHECK_INT_EQ(swc_outside_preemptions(&gs), 600);
	swc_validity_judge_traced(&gs, 4e9, NAN, 0, &v);
	CHECK(!v.valid);
	CHECK_STR_EQ(v.reasons[0], "busy tasks outside it took its CPU up to 600 times (150 a "
				   "second, 1.5% of its switches)");
	/* the same over 20 s: 30 a second is a quiet machine's kernel threads */
	swc_validity_judge_traced(&gs, 20e9, NAN, 0, &v);
	CHECK(v.valid);
	/* siblings preempting each other only, and idle: nothing outside */
	gs.by_kind[SWC_KIND_PROCESS] = 40000;
	gs.by_kind[SWC_KIND_IDLE] = 1000;
	gs.switches_out = 40500;
	gs.switches_in = 40500;
	CHECK_INT_EQ(swc_outside_preemptions(&gs), 0);
	swc_validity_judge_traced(&gs, 1e9, NAN, 0, &v);
	CHECK(v.valid);
	/* steal alone */
	swc_validity_judge_traced(&gs, 1e9, NAN, 1e8, &v);
	CHECK(!v.valid);
	CHECK_INT_EQ(v.nreasons, 1);
	/* CPU-bound, a hog on its CPU: long slices, few preemptions, half the CPU */
	memset(&gs, 0, sizeof(gs));
	gs.by_kind[SWC_KIND_PROCESS] = 200;
	gs.switches_out = gs.switches_in = 100;
	gs.involuntary = 95;
	gs.voluntary = 5;
	swc_validity_judge_traced(&gs, 3.6e9, 1.8e9, 0, &v);
	CHECK(!v.valid);
	CHECK_STR_EQ(v.reasons[0], "it was CPU-bound but had a CPU 50% of the time: busy tasks "
				   "outside it took the CPU up to 95 times");
	/* the same with the CPU to itself */
	swc_validity_judge_traced(&gs, 3.6e9, 3.5e9, 0, &v);
	CHECK(v.valid);
}

void test_validity(void)
{
	test_judge();
	test_steal();
	test_traced();
}
