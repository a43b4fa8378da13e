/* SPDX-License-Identifier: GPL-2.0-only */
/* The rules include/switchcost.h gives both sides: the same code the BPF program runs. */
#include <linux/types.h>

#include "switchcost.h"
#include "unit.h"

/* The slot by the definition, not by the bit trick under test. */
static __u32 slot_by_loop(__u64 v)
{
	__u32 s = 0;

	while (v > 1) {
		v >>= 1;
		s++;
	}
	return s < SWC_HIST_SLOTS ? s : SWC_HIST_SLOTS - 1;
}

static void test_hist_slot(void)
{
	int bad = 0;

	CHECK_INT_EQ(swc_hist_slot(0), 0);
	CHECK_INT_EQ(swc_hist_slot(1), 0);
	CHECK_INT_EQ(swc_hist_slot(2), 1);
	CHECK_INT_EQ(swc_hist_slot(3), 1);
	CHECK_INT_EQ(swc_hist_slot(4), 2);
	CHECK_INT_EQ(swc_hist_slot(1023), 9);
	CHECK_INT_EQ(swc_hist_slot(1024), 10);
	CHECK_INT_EQ(swc_hist_slot(0xffffffffULL), 31);
	CHECK_INT_EQ(swc_hist_slot(1ULL << 32), 32);	/* the high word's path */
	CHECK_INT_EQ(swc_hist_slot((1ULL << 39) - 1), 38);
	CHECK_INT_EQ(swc_hist_slot(1ULL << 39), SWC_HIST_SLOTS - 1);
	CHECK_INT_EQ(swc_hist_slot(1ULL << 50), SWC_HIST_SLOTS - 1);	/* capped */
	CHECK_INT_EQ(swc_hist_slot(~0ULL), SWC_HIST_SLOTS - 1);
	/* every power of two and its neighbours */
	for (int b = 0; b < 64; b++) {
		__u64 p = 1ULL << b;

		bad += swc_hist_slot(p) != slot_by_loop(p);
		bad += swc_hist_slot(p - 1) != slot_by_loop(p - 1);
		bad += swc_hist_slot(p + 1) != slot_by_loop(p + 1);
	}
	CHECK_INT_EQ(bad, 0);
	for (__u32 v = 0; v < 40; v++)
		CHECK_INT_EQ(swc_log2_u32(1u << (v % 32)), v % 32);
}

static void test_watch_encoding(void)
{
	__u64 word = 0;

	/* eight tgids share a word; each owns one byte */
	CHECK_INT_EQ(swc_watch_index(7), 0);
	CHECK_INT_EQ(swc_watch_index(8), 1);
	CHECK_INT_EQ(swc_watch_index(4194303), 524287);	/* pid_max's last pid */
	CHECK_INT_EQ(swc_watch_group(0, 5), SWC_NO_GROUP);
	word |= swc_watch_bits(8, 0);
	word |= swc_watch_bits(9, 3);
	word |= swc_watch_bits(15, SWC_MAX_GROUPS - 1);
	CHECK_INT_EQ(swc_watch_group(word, 8), 0);
	CHECK_INT_EQ(swc_watch_group(word, 9), 3);
	CHECK_INT_EQ(swc_watch_group(word, 10), SWC_NO_GROUP);
	CHECK_INT_EQ(swc_watch_group(word, 15), SWC_MAX_GROUPS - 1);
	CHECK(swc_watch_mask(15) == 0xff00000000000000ULL);
	/* clearing one byte (a reused pid) leaves the neighbours alone */
	word &= ~swc_watch_mask(9);
	word |= swc_watch_bits(9, 1);
	CHECK_INT_EQ(swc_watch_group(word, 9), 1);
	CHECK_INT_EQ(swc_watch_group(word, 8), 0);
	CHECK_INT_EQ(swc_watch_group(word, 15), SWC_MAX_GROUPS - 1);
	/* a group always fits its byte: 0 is reserved for "not watched" */
	CHECK(SWC_MAX_GROUPS < 0xff);
}

static void test_voluntary(void)
{
	CHECK(swc_is_voluntary(0, 0x0001));	/* blocked: S */
	CHECK(swc_is_voluntary(0, 0x0002));	/* D */
	CHECK(swc_is_voluntary(0, SWC_TASK_DEAD));	/* the final switch counts as nvcsw */
	CHECK(!swc_is_voluntary(0, 0));		/* still runnable: yield */
	CHECK(!swc_is_voluntary(1, 0x0001));	/* preempted while going to sleep */
	CHECK(!swc_is_voluntary(1, 0));
}

void test_contract(void)
{
	test_hist_slot();
	test_watch_encoding();
	test_voluntary();
}
