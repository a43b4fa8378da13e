/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swc_coro_switch() really switches: each side resumes where it left off, with its values
 * intact, although the other side wrote garbage into every callee-saved register it could
 * name before switching back (rbp/x29 is left out: it may be the frame pointer).
 * The same for the coroutine-ret copy, and the floor resumes its own caller.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "coro.h"
#include "unit.h"

#define ROUNDS		1000
#define STACK_SIZE	(64 * 1024)

static struct swc_coro main_ctx, peer_ctx;
static void (*sw)(struct swc_coro *from, void *to_sp);
static volatile unsigned long peer_rounds;	/* switches into the peer */
static volatile unsigned long peer_bad;		/* peer values found changed */

/*
 * The peer's way to switch back: garbage in every callee-saved register we may name, then the
 * switch. A switch that failed to restore one of them would hand that garbage to the main
 * side, which keeps its values in those registers across its own direct call of the switch.
 * (Inline there, the clobbers would make the compiler spill the main side's values instead.)
 */
static void __attribute__((noinline)) trash_and_switch(struct swc_coro *from, void *to_sp)
{
#if defined(__x86_64__)
	__asm__ volatile("movq $-1, %%rbx\n\tmovq $-2, %%r12\n\tmovq $-3, %%r13\n\t"
			 "movq $-4, %%r14\n\tmovq $-5, %%r15"
			 ::: "rbx", "r12", "r13", "r14", "r15", "memory");
#elif defined(__aarch64__)
	__asm__ volatile("mov x19, #1\n\tmov x20, #2\n\tmov x21, #3\n\tmov x22, #4\n\t"
			 "mov x23, #5\n\tmov x24, #6\n\tmov x25, #7\n\tmov x26, #8\n\t"
			 "mov x27, #9\n\tmov x28, #10\n\tfmov d8, x19\n\tfmov d9, x19\n\t"
			 "fmov d10, x19\n\tfmov d11, x19\n\tfmov d12, x19\n\tfmov d13, x19\n\t"
			 "fmov d14, x19\n\tfmov d15, x19"
			 ::: "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",
			 "x28", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15", "memory");
#endif
	sw(from, to_sp);
}

/*
 * Eight values live across each switch, more than the callee-saved registers hold on x86-64.
 * Read from volatile memory, so the compiler can only keep them, never recompute them.
 */
static volatile uint64_t src[8] = { 11, 22, 33, 44, 55, 66, 77, 88 };

#define LIVE(k)		uint64_t v0 = src[0] * (k), v1 = src[1] * (k), v2 = src[2] * (k), \
			v3 = src[3] * (k), v4 = src[4] * (k), v5 = src[5] * (k), \
			v6 = src[6] * (k), v7 = src[7] * (k)
#define LIVE_OK(k)	(v0 == src[0] * (k) && v1 == src[1] * (k) && v2 == src[2] * (k) && \
			 v3 == src[3] * (k) && v4 == src[4] * (k) && v5 == src[5] * (k) && \
			 v6 == src[6] * (k) && v7 == src[7] * (k))

static void __attribute__((noreturn)) peer(void *arg)
{
	(void)arg;
	for (unsigned long i = 0;; i++) {
		LIVE(i + 7);
		peer_rounds++;
		trash_and_switch(&peer_ctx, main_ctx.sp);
		if (!LIVE_OK(i + 7))
			peer_bad++;
	}
}

static void check_switch(void (*which)(struct swc_coro *, void *), const char *name)
{
	void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	unsigned long bad = 0, lost = 0;

	if (!CHECK(stack != MAP_FAILED))
		return;
	sw = which;
	peer_rounds = peer_bad = 0;
	swc_coro_init(&peer_ctx, stack, STACK_SIZE, peer, NULL);
	for (unsigned long i = 0; i < ROUNDS; i++) {
		LIVE(i);
		sw(&main_ctx, peer_ctx.sp);
		if (!LIVE_OK(i))
			bad++;
		if (peer_rounds != i + 1)
			lost++;
	}
	if (!CHECK(bad == 0 && lost == 0 && peer_bad == 0))
		printf("     %s: %lu changed, %lu lost switches, %lu changed on the peer\n", name,
		       bad, lost, (unsigned long)peer_bad);
	/* the peer's saved context lies on its own stack */
	CHECK((char *)peer_ctx.sp > (char *)stack && (char *)peer_ctx.sp < (char *)stack + STACK_SIZE);
	munmap(stack, STACK_SIZE);
}

static void check_floor(void)
{
	struct swc_coro a = { 0 }, b = { 0 };
	unsigned long bad = 0;
	char here;

	for (unsigned long i = 0; i < ROUNDS; i++) {
		LIVE(i);
		swc_coro_floor(&a, b.sp);
		swc_coro_floor(&b, a.sp);
		if (!LIVE_OK(i))
			bad++;
	}
	CHECK(bad == 0);
	/* it saved a context on this stack, just below this frame, and came back */
	CHECK(a.sp && (uintptr_t)a.sp < (uintptr_t)&here && (uintptr_t)a.sp > (uintptr_t)&here - 4096);
}

void test_coro(void)
{
	check_switch(swc_coro_switch, "swc_coro_switch");
	check_switch(swc_coro_switch_ret, "swc_coro_switch_ret");
	check_floor();
}
