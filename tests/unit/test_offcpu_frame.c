/* SPDX-License-Identifier: GPL-2.0-only */
/* trace --stacks: frames as text, and which user stacks look truncated. */
#include <string.h>

#include "offcpu.h"
#include "unit.h"

static struct offcpu_frame named(const char *name, const char *file)
{
	struct offcpu_frame f = { .kind = FRAME_NAMED, .name = name, .file = file };

	return f;
}

static struct offcpu_frame stripped(const char *file, __u64 off)
{
	struct offcpu_frame f = { .kind = FRAME_STRIPPED, .file = file, .offset = off };

	return f;
}

static void test_text(void)
{
	struct offcpu_frame f = named("block_long", "/t/prog");
	char buf[64];

	CHECK_STR_EQ(offcpu_frame_text(&f, buf, sizeof(buf)), "block_long");
	f = stripped("/usr/lib/x86_64-linux-gnu/libc.so.6", 0x27249);
	CHECK_STR_EQ(offcpu_frame_text(&f, buf, sizeof(buf)), "libc.so.6+0x27249 [stripped]");
	f.kind = FRAME_UNREAD;
	CHECK_STR_EQ(offcpu_frame_text(&f, buf, sizeof(buf)), "libc.so.6+0x27249");
	f.kind = FRAME_UNKNOWN;
	CHECK_STR_EQ(offcpu_frame_text(&f, buf, sizeof(buf)), "[unknown]");
	/* a short buffer cuts, never overflows */
	f = stripped("/p/a-very-long-binary-name", 0x1);
	CHECK_INT_EQ(strlen(offcpu_frame_text(&f, buf, 8)), 7);
}

static void test_truncated(void)
{
	static const char *libc = "/usr/lib/x86_64-linux-gnu/libc.so.6", *prog = "/t/prog";
	struct offcpu_frame s[SWC_STACK_DEPTH];

	memset(s, 0, sizeof(s));
	CHECK(!offcpu_user_truncated(s, 0));
	/* leaf first: block_long, main, then libc's start code (unnamed, stripped) */
	s[0] = named("block_long", prog);
	s[1] = named("main", prog);
	s[2] = stripped(libc, 0x27249);
	CHECK(!offcpu_user_truncated(s, 3));
	/* a libc wrapper without frame pointers as the leaf, nothing above: truncated */
	s[0] = stripped(libc, 0xea0e1);
	CHECK(offcpu_user_truncated(s, 1));
	/* libc below libc is no entry */
	s[1] = stripped(libc, 0x1234);
	CHECK(offcpu_user_truncated(s, 2));
	/* named entries of a program or thread */
	s[0] = named("worker", prog);
	s[1] = named("start_thread", libc);
	CHECK(!offcpu_user_truncated(s, 2));
	s[1] = named("_start", prog);
	CHECK(!offcpu_user_truncated(s, 2));
	/* ends in garbage, or in an ordinary function */
	s[1].kind = FRAME_UNKNOWN;
	s[1].name = NULL;
	CHECK(offcpu_user_truncated(s, 2));
	s[1] = named("main", prog);
	CHECK(offcpu_user_truncated(s, 2));
	/* every slot filled: the walk stopped at the limit */
	for (int i = 0; i < SWC_STACK_DEPTH; i++)
		s[i] = named("_start", prog);
	CHECK(offcpu_user_truncated(s, SWC_STACK_DEPTH));
}

void test_offcpu_frame(void)
{
	test_text();
	test_truncated();
}
