/* SPDX-License-Identifier: GPL-2.0-only */
/* perf counters: the multiplexing scale, per switch, and software events opened and read. */
#include <math.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pmu.h"
#include "unit.h"

void test_pmu(void)
{
	struct swc_pmu_count c = { .value = 3000, .ok = true };
	struct swc_pmu p;
	char why[200];
	pid_t pid;
	int go[2];

	/* counted half the time: the kernel's own estimate doubles it */
	CHECK_INT_EQ(swc_pmu_scale(1000, 200, 100), 2000);
	CHECK_INT_EQ(swc_pmu_scale(1000, 200, 200), 1000);
	CHECK_INT_EQ(swc_pmu_scale(1000, 0, 0), 1000);
	CHECK_DBL_NEAR(swc_pmu_per_switch(&c, 1000), 3.0, 1e-12);
	CHECK(isnan(swc_pmu_per_switch(&c, 0)));
	c.ok = false;
	CHECK(isnan(swc_pmu_per_switch(&c, 1000)));	/* not measured is never a zero */

	/* the same open/inherit/read path with software events, on a child that switches: it
	 * yields 50 times to a grandchild it forks after the counters were opened */
	if (swc_pmu_probe(SWC_PMU_SOFTWARE, why, sizeof(why))) {
		printf("skip: software perf events: %s\n", why);
		return;
	}
	CHECK(pipe(go) == 0);
	pid = fork();
	if (pid == 0) {
		char b;
		pid_t g;

		if (read(go[0], &b, 1) != 1)
			_exit(1);
		g = fork();
		for (int i = 0; i < 50; i++)
			usleep(100);
		if (g == 0)
			_exit(0);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	CHECK_INT_EQ(swc_pmu_open(&p, SWC_PMU_SOFTWARE, pid), 0);
	CHECK(write(go[1], "g", 1) == 1);
	waitpid(pid, NULL, 0);
	swc_pmu_read_close(&p);
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < SWC_PMU_EVENTS; i++)
		CHECK(p.c[i].ok);
	/* 50 sleeps each in the child and the grandchild: inherited counts are folded in */
	CHECK(p.c[1].value >= 100);
	CHECK(p.c[0].value > 0);
	CHECK_STR_EQ(swc_pmu_event_name(SWC_PMU_SOFTWARE, 1), "context_switches");
	CHECK_STR_EQ(swc_pmu_event_name(SWC_PMU_HARDWARE, 2), "dtlb_read_misses");
	swc_pmu_close(&p);	/* after read_close: nothing left to close */
}
