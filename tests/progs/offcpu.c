// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program that blocks in two known functions, for trace --stacks (tests/46-stacks.bats):
 *   offcpu N    N rounds of block_long() (30 ms asleep) then block_short() (10 ms): the
 *               off-CPU time of the first is three times the second's
 *   offcpu wait prints "ready", then sleeps in block_long() until killed
 * Built with -fno-omit-frame-pointer: the kernel walks user stacks by frame pointer. Each
 * function makes its nanosleep system call itself, so the blocked frame is the function and
 * not a libc wrapper built without frame pointers, which would hide its caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static inline __attribute__((always_inline)) long sleep_raw(const struct timespec *ts)
{
	long ret;

#if defined(__x86_64__)
	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_nanosleep), "D"(ts), "S"(0L)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_nanosleep;
	register long x0 __asm__("x0") = (long)ts;
	register long x1 __asm__("x1") = 0;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
	ret = x0;
#else
	ret = nanosleep(ts, NULL);
#endif
	return ret;
}

/* inlined, sleep_raw would put the syscall in these two functions' own frames */
static inline __attribute__((always_inline)) void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	sleep_raw(&ts);
}

__attribute__((noinline)) void block_long(void)
{
	sleep_ms(30);
	__asm__ volatile("" ::: "memory");	/* no tail call */
}

__attribute__((noinline)) void block_short(void)
{
	sleep_ms(10);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	long rounds;

	if (argc == 2 && !strcmp(argv[1], "wait")) {
		printf("ready\n");
		fflush(stdout);
		for (;;)
			block_long();
	}
	rounds = argc == 2 ? atol(argv[1]) : 10;
	for (long i = 0; i < rounds; i++) {
		block_long();
		block_short();
	}
	return 0;
}
