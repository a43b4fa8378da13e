/* SPDX-License-Identifier: GPL-2.0-only */
/* Strict parsing: numbers, CPU lists, durations, pid lists. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "parse.h"
#include "unit.h"

static void test_ulong(void)
{
	unsigned long v = 12345;

	CHECK_INT_EQ(swc_parse_ulong("", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("-1", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("+1", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong(" 1", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("1 ", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("1x", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("0x10", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("1.5", 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong(NULL, 0, 100, &v), -EINVAL);
	CHECK_INT_EQ(swc_parse_ulong("99999999999999999999999", 0, ULONG_MAX, &v), -ERANGE);
	CHECK_INT_EQ(swc_parse_ulong("4", 5, 10, &v), -ERANGE);
	CHECK_INT_EQ(swc_parse_ulong("11", 5, 10, &v), -ERANGE);
	/* Rejections leave *out alone. */
	CHECK_INT_EQ(v, 12345);

	CHECK_INT_EQ(swc_parse_ulong("5", 5, 10, &v), 0);
	CHECK_INT_EQ(v, 5);
	CHECK_INT_EQ(swc_parse_ulong("10", 5, 10, &v), 0);
	CHECK_INT_EQ(v, 10);
	CHECK_INT_EQ(swc_parse_ulong("0", 0, 10, &v), 0);
	CHECK_INT_EQ(v, 0);
	CHECK_INT_EQ(swc_parse_ulong("007", 0, 10, &v), 0);
	CHECK_INT_EQ(v, 7);
	CHECK_INT_EQ(swc_parse_ulong("18446744073709551615", 0, ULONG_MAX, &v), 0);
	CHECK(v == ULONG_MAX);
}

static void test_cpulist(void)
{
	int c[8] = { 0 };

	CHECK_INT_EQ(swc_parse_cpulist("0", c, 8), 1);
	CHECK_INT_EQ(c[0], 0);
	CHECK_INT_EQ(swc_parse_cpulist("0,1", c, 8), 2);
	CHECK(c[0] == 0 && c[1] == 1);
	CHECK_INT_EQ(swc_parse_cpulist("0-3", c, 8), 4);
	CHECK(c[0] == 0 && c[1] == 1 && c[2] == 2 && c[3] == 3);
	CHECK_INT_EQ(swc_parse_cpulist("1,3-5", c, 8), 4);
	CHECK(c[0] == 1 && c[1] == 3 && c[2] == 4 && c[3] == 5);
	CHECK_INT_EQ(swc_parse_cpulist("5,2", c, 8), 2);	/* order kept as written */
	CHECK(c[0] == 5 && c[1] == 2);
	CHECK_INT_EQ(swc_parse_cpulist("2-2", c, 8), 1);
	CHECK_INT_EQ(swc_parse_cpulist("4095", c, 8), 1);
	CHECK_INT_EQ(c[0], 4095);

	CHECK_INT_EQ(swc_parse_cpulist("", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist(",", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("1,", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist(",1", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("1-", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("-1", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("3-1", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("a", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("1,,2", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist(" 1", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("1-2-3", c, 8), -EINVAL);
	CHECK_INT_EQ(swc_parse_cpulist("1,1", c, 8), -EINVAL);	/* duplicate */
	CHECK_INT_EQ(swc_parse_cpulist("0-3,2", c, 8), -EINVAL);	/* overlap */
	CHECK_INT_EQ(swc_parse_cpulist("4096", c, 8), -ERANGE);
	CHECK_INT_EQ(swc_parse_cpulist("0-8", c, 8), -ERANGE);	/* 9 CPUs, room for 8 */
	CHECK_INT_EQ(swc_parse_cpulist("0-7", c, 8), 8);
	CHECK_INT_EQ(swc_parse_cpulist("99999999999999999999999", c, 8), -ERANGE);
}

static void test_cpu_online(void)
{
	/* Whatever machine runs this has a CPU 0, and none numbered past the limit. */
	CHECK(swc_cpu_online(0));
	CHECK(!swc_cpu_online(-1));
	CHECK(!swc_cpu_online(4096));
}

static void test_duration(void)
{
	__u64 ns = 42;

	CHECK_INT_EQ(swc_parse_duration_ns("20ms", &ns), 0);
	CHECK_INT_EQ(ns, 20000000);
	CHECK_INT_EQ(swc_parse_duration_ns("1.5s", &ns), 0);
	CHECK_INT_EQ(ns, 1500000000);
	CHECK_INT_EQ(swc_parse_duration_ns("0.02s", &ns), 0);
	CHECK_INT_EQ(ns, 20000000);
	CHECK_INT_EQ(swc_parse_duration_ns("500us", &ns), 0);
	CHECK_INT_EQ(ns, 500000);
	CHECK_INT_EQ(swc_parse_duration_ns("500µs", &ns), 0);
	CHECK_INT_EQ(ns, 500000);
	CHECK_INT_EQ(swc_parse_duration_ns("250000ns", &ns), 0);
	CHECK_INT_EQ(ns, 250000);
	CHECK_INT_EQ(swc_parse_duration_ns("100", &ns), 0);
	CHECK_INT_EQ(ns, 100000000000ULL);
	CHECK_INT_EQ(swc_parse_duration_ns("1s", &ns), 0);
	CHECK_INT_EQ(ns, 1000000000);
	CHECK_INT_EQ(swc_parse_duration_ns("2.5ms", &ns), 0);
	CHECK_INT_EQ(ns, 2500000);
	CHECK_INT_EQ(swc_parse_duration_ns("86399s", &ns), 0);
	CHECK_INT_EQ(ns, 86399000000000ULL);

	ns = 42;
	CHECK_INT_EQ(swc_parse_duration_ns("0", &ns), -ERANGE);
	CHECK_INT_EQ(swc_parse_duration_ns("0ms", &ns), -ERANGE);
	CHECK_INT_EQ(swc_parse_duration_ns("86400s", &ns), -ERANGE);	/* one day */
	CHECK_INT_EQ(swc_parse_duration_ns("99999999999999999999999ns", &ns), -ERANGE);
	CHECK_INT_EQ(swc_parse_duration_ns("-1s", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("+1s", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("1d", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("abc", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("10 ms", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns(" 10ms", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("ms", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("1.", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns(".5s", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("1.5.2s", &ns), -EINVAL);
	CHECK_INT_EQ(swc_parse_duration_ns("1MS", &ns), -EINVAL);
	CHECK_INT_EQ(ns, 42);
}

static void test_pidlist(void)
{
	int p[4] = { 0 };

	CHECK_INT_EQ(swc_parse_pidlist("12", p, 4), 1);
	CHECK_INT_EQ(p[0], 12);
	CHECK_INT_EQ(swc_parse_pidlist("12,345", p, 4), 2);
	CHECK(p[0] == 12 && p[1] == 345);
	CHECK_INT_EQ(swc_parse_pidlist("", p, 4), -EINVAL);
	CHECK_INT_EQ(swc_parse_pidlist("12,", p, 4), -EINVAL);
	CHECK_INT_EQ(swc_parse_pidlist("-12", p, 4), -EINVAL);
	CHECK_INT_EQ(swc_parse_pidlist("1 2", p, 4), -EINVAL);
	CHECK_INT_EQ(swc_parse_pidlist("7,7", p, 4), -EINVAL);
	CHECK_INT_EQ(swc_parse_pidlist("0", p, 4), -ERANGE);
	CHECK_INT_EQ(swc_parse_pidlist("2147483648", p, 4), -ERANGE);
	CHECK_INT_EQ(swc_parse_pidlist("1,2,3,4,5", p, 4), -ERANGE);
}

void test_parse(void)
{
	test_ulong();
	test_cpulist();
	test_cpu_online();
	test_duration();
	test_pidlist();
}
