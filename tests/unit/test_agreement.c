// SPDX-License-Identifier: GPL-2.0-only
/* eBPF's switch count against the kernel's own counters (report.h swc_agreement_compute). */
#include <string.h>
#include <sys/resource.h>
#include <linux/types.h>
#include "report.h"
#include "unit.h"

void test_agreement(void)
{
	struct swc_group_stats gs;
	struct rusage ru;
	struct swc_agreement a;

	memset(&gs, 0, sizeof(gs));
	memset(&ru, 0, sizeof(ru));
	/* exact: every switch out eBPF saw is one of wait4's */
	gs.switches_out = 12416;
	ru.ru_nvcsw = 12000;
	ru.ru_nivcsw = 416;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.kernel_counters, 12416);
	CHECK_INT_EQ(a.diff, 0);
	/* the explained exception: a thread's final switch, which the kernel no longer counts */
	gs.switches_out = 12407;
	gs.exit_switches = 1;
	ru.ru_nvcsw = 12000;
	ru.ru_nivcsw = 406;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.ebpf, 12407);
	CHECK_INT_EQ(a.exit_switches, 1);
	CHECK_INT_EQ(a.diff, 0);
	/* anything else is a difference, with its sign: one switch eBPF missed ... */
	ru.ru_nivcsw = 407;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.diff, -1);
	/* ... or one it saw beyond the kernel's count and the exits */
	ru.ru_nivcsw = 405;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.diff, 1);
	/* the other switches after their task's release (a process reaped before its last
	 * switch) are set aside too; raced final switches are not: they are the difference */
	gs.switches_out = 12410;
	gs.exit_switches = 1;
	gs.reaped_switches = 2;
	gs.reap_raced_switches = 1;
	ru.ru_nvcsw = 12000;
	ru.ru_nivcsw = 406;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.reaped_switches, 2);
	CHECK_INT_EQ(a.reap_raced, 1);
	CHECK_INT_EQ(a.diff, 1);
	gs.reaped_switches = 0;
	gs.reap_raced_switches = 0;
	/* processes nobody waited for: the kernel's count of them reaches no wait4, so it is set
	 * aside with their final switches (reaped_switches: after their release) */
	gs.switches_out = 12500;
	gs.exit_switches = 2;
	gs.reaped_switches = 3;
	gs.autoreaped = 3;
	gs.autoreaped_switches = 89;
	ru.ru_nvcsw = 12000;
	ru.ru_nivcsw = 406;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.autoreaped, 3);
	CHECK_INT_EQ(a.autoreaped_switches, 89);
	CHECK_INT_EQ(a.diff, 0);
	/* without it, the difference they made before */
	gs.autoreaped = 0;
	gs.autoreaped_switches = 0;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.diff, 89);
	gs.reaped_switches = 0;
	/* large counts do not wrap */
	gs.switches_out = 5000000000ULL;
	gs.exit_switches = 0;
	ru.ru_nvcsw = 4000000000L;
	ru.ru_nivcsw = 1000000000L;
	swc_agreement_compute(&gs, &ru, &a);
	CHECK_INT_EQ(a.diff, 0);
}
