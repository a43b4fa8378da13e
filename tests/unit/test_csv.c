/* SPDX-License-Identifier: GPL-2.0-only */
/* CSV export: quoting, state letters, kind names, integers, whole rows; and the writer's
 * throughput benchmark that scripts/bench-csv runs (unit_tests --csv-bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "unit.h"

static const char *quote(const char *s, char *out, size_t outlen)
{
	size_t n = swc_csv_quote(s, strlen(s), out, outlen - 1);

	out[n] = '\0';
	return out;
}

static void test_quote(void)
{
	char b[128];

	CHECK_STR_EQ(quote("switchcost", b, sizeof(b)), "switchcost");
	CHECK_STR_EQ(quote("", b, sizeof(b)), "");
	CHECK_STR_EQ(quote("a,b", b, sizeof(b)), "\"a,b\"");
	CHECK_STR_EQ(quote("say \"hi\"", b, sizeof(b)), "\"say \"\"hi\"\"\"");
	CHECK_STR_EQ(quote("\"", b, sizeof(b)), "\"\"\"\"");
	CHECK_STR_EQ(quote("two\nlines", b, sizeof(b)), "\"two\nlines\"");
	CHECK_STR_EQ(quote("cr\r", b, sizeof(b)), "\"cr\r\"");
	CHECK_STR_EQ(quote("kworker/0:1 x", b, sizeof(b)), "\"kworker/0:1 x\"");
	CHECK_STR_EQ(quote("tab\there", b, sizeof(b)), "tab\there");
	CHECK_STR_EQ(quote("café", b, sizeof(b)), "café");
	/* a name cut inside a UTF-8 character: the stray byte becomes U+FFFD */
	CHECK_STR_EQ(quote("caf\xc3", b, sizeof(b)), "caf\xef\xbf\xbd");
	CHECK_STR_EQ(quote("\xff,", b, sizeof(b)), "\"\xef\xbf\xbd,\"");
	/* an overlong form is not UTF-8 either */
	CHECK_STR_EQ(quote("\xc0\xaf", b, sizeof(b)), "\xef\xbf\xbd\xef\xbf\xbd");
	/* too small: nothing written, 0 returned */
	CHECK_INT_EQ(swc_csv_quote("a,b", 3, b, 4), 0);
	CHECK_INT_EQ(swc_csv_quote("a,b", 3, b, 5), 5);
}

static void test_state(void)
{
	CHECK_INT_EQ(swc_state_letter(0, false), 'R');
	CHECK_INT_EQ(swc_state_letter(1, true), 'R');		/* preempted: R whatever */
	CHECK_INT_EQ(swc_state_letter(0x0001, false), 'S');
	CHECK_INT_EQ(swc_state_letter(0x0002, false), 'D');
	CHECK_INT_EQ(swc_state_letter(0x0102, false), 'D');	/* TASK_KILLABLE */
	CHECK_INT_EQ(swc_state_letter(0x0402, false), 'I');	/* TASK_IDLE */
	CHECK_INT_EQ(swc_state_letter(0x0004, false), 'T');
	CHECK_INT_EQ(swc_state_letter(0x0008, false), 't');
	CHECK_INT_EQ(swc_state_letter(0x0020, false), 'Z');
	CHECK_INT_EQ(swc_state_letter(0x0040, false), 'P');
	CHECK_INT_EQ(swc_state_letter(0x0080, false), 'X');	/* TASK_DEAD */
	CHECK_INT_EQ(swc_state_letter(0x1000, false), 'D');	/* TASK_RTLOCK_WAIT */
	CHECK_INT_EQ(swc_state_letter(0x0800, false), '?');
}

static void test_kind(void)
{
	CHECK_STR_EQ(swc_kind_name(SWC_KIND_PROCESS), "process");
	CHECK_STR_EQ(swc_kind_name(SWC_KIND_THREAD), "thread");
	CHECK_STR_EQ(swc_kind_name(SWC_KIND_IDLE), "idle");
	CHECK_STR_EQ(swc_kind_name(SWC_KIND_KERNEL), "kernel");
	CHECK_STR_EQ(swc_kind_name(SWC_KIND_COROUTINE), "coroutine");
	CHECK(swc_kind_name(SWC_KIND_NR) == NULL);
	CHECK(swc_kind_name(255) == NULL);
}

static const char *u64(unsigned long long v, char *b)
{
	b[swc_csv_u64(v, b)] = '\0';
	return b;
}

static void test_u64(void)
{
	static const unsigned long long vals[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 100000, 4294967295ULL,
		4294967296ULL, 1234567890123ULL, 9999999999999999999ULL, 18446744073709551615ULL,
	};
	char b[32], want[32];

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(want, sizeof(want), "%llu", vals[i]);
		CHECK_STR_EQ(u64(vals[i], b), want);
	}
	CHECK_INT_EQ(swc_csv_u64(18446744073709551615ULL, b), 20);
}

static void fill_rec(struct swc_switch_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_ns = 123456789012345ULL;
	r->cpu = 1;
	r->prev_tgid = 4000;
	r->prev_tid = 4001;
	r->next_tgid = 4000;
	r->next_tid = 4002;
	r->prev_state = 1;
	r->kind = SWC_KIND_THREAD;
	r->run_ns = 1500;
	r->off_ns = 2500;
	r->delay_ns = SWC_UNKNOWN;
	r->group = 1;
	strcpy(r->prev_comm, "switchcost");
	strcpy(r->next_comm, "a,b \"c\"");
}

static const char *row(const struct swc_switch_rec *r, const char *wl, const char *pass, char *b)
{
	b[swc_csv_format_row(b, r, wl, pass)] = '\0';
	return b;
}

static void test_row(void)
{
	struct swc_switch_rec r;
	char b[SWC_CSV_ROW_MAX + 1], wl[71];
	size_t n;

	fill_rec(&r);
	CHECK_STR_EQ(row(&r, "thread", "timed", b),
		     "123456789012345,1,thread,timed,thread,4000,4001,switchcost,S,"
		     "4000,4002,\"a,b \"\"c\"\"\",1500,2500,\n");
	/* preempted, everything unknown, no workload */
	r.preempt = 1;
	r.run_ns = r.off_ns = r.delay_ns = SWC_UNKNOWN;
	CHECK_STR_EQ(row(&r, NULL, NULL, b), "123456789012345,1,,,thread,4000,4001,switchcost,R,"
					     "4000,4002,\"a,b \"\"c\"\"\",,,\n");
	/* a zero latency stays 0: only unknown is empty */
	r.run_ns = 0;
	r.delay_ns = 7;
	r.kind = SWC_KIND_IDLE;
	r.next_tgid = r.next_tid = 0;
	strcpy(r.next_comm, "swapper/1");
	CHECK_STR_EQ(row(&r, "process", "timed", b),
		     "123456789012345,1,process,timed,idle,4000,4001,switchcost,R,0,0,swapper/1,0,,7\n");
	/* a coroutine switch has no prev_state */
	fill_rec(&r);
	r.kind = SWC_KIND_COROUTINE;
	r.prev_state = 0;
	r.run_ns = r.off_ns = r.delay_ns = SWC_UNKNOWN;
	strcpy(r.next_comm, "switchcost");
	CHECK_STR_EQ(row(&r, "coroutine", "counting", b),
		     "123456789012345,1,coroutine,counting,coroutine,4000,4001,switchcost,,4000,"
		     "4002,switchcost,,,\n");
	/* a full 16-byte comm (no NUL) and an unknown kind */
	fill_rec(&r);
	memcpy(r.prev_comm, "0123456789abcdef", 16);
	r.kind = 200;
	CHECK_STR_EQ(row(&r, "x", NULL, b), "123456789012345,1,x,,,4000,4001,0123456789abcdef,S,"
					    "4000,4002,\"a,b \"\"c\"\"\",1500,2500,\n");
	/* the worst case fits SWC_CSV_ROW_MAX */
	memset(&r, 0xff, sizeof(r));
	r.kind = SWC_KIND_THREAD;
	r.run_ns = r.off_ns = r.delay_ns = ~0ULL - 1;
	memset(wl, '"', sizeof(wl) - 1);	/* 70 quotes: cut at 64, each doubled */
	wl[sizeof(wl) - 1] = '\0';
	n = swc_csv_format_row(b, &r, wl, wl);
	CHECK(n <= SWC_CSV_ROW_MAX);
}

void test_csv(void)
{
	test_quote();
	test_state();
	test_kind();
	test_u64();
	test_row();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * unit_tests --csv-bench ROWS FILE [GZIP_LEVEL]: the writer alone, on records shaped like a
 * thread workload's (two alternating threads, growing timestamps, latencies of a few µs).
 * Prints one line: rows, seconds, rows/s, bytes written.
 */
int unit_csv_bench(int argc, char **argv)
{
	struct swc_switch_rec r[2];
	unsigned long long rows;
	struct swc_csv *c;
	double t0, t;

	if (argc < 4) {
		fprintf(stderr, "usage: unit_tests --csv-bench ROWS FILE\n");
		return 2;
	}
	rows = strtoull(argv[2], NULL, 10);
	fill_rec(&r[0]);
	strcpy(r[0].next_comm, "switchcost");
	r[1] = r[0];
	r[1].prev_tid = 4002;
	r[1].next_tid = 4001;
	r[1].preempt = 1;
	t0 = now_s();
	c = csv__open(argv[3]);
	if (!c)
		return 1;
	for (unsigned long long i = 0; i < rows; i++) {
		struct swc_switch_rec *p = &r[i & 1];

		p->ts_ns += 1700 + (i * 7919) % 900;
		p->run_ns = 800 + (i * 104729) % 1200;
		p->off_ns = 900 + (i * 1299709) % 1500;
		p->delay_ns = (i & 1) ? SWC_UNKNOWN : 300 + (i * 15485863) % 700;
		if (csv__write(c, p, "thread", "timed"))
			break;
	}
	if (csv__close(c, true))
		return 1;
	t = now_s() - t0;
	printf("rows %llu seconds %.3f rows_per_s %.0f\n", rows, t, rows / t);
	return 0;
}
