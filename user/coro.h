/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal coroutine context switch: callee-saved registers and the stack pointer. */
#ifndef SWC_CORO_H
#define SWC_CORO_H

#include <stddef.h>

struct swc_coro {
	void *sp;	/* saved stack pointer; the registers live on that stack */
};

/*
 * Saves the current context into from and resumes the one whose saved stack pointer is to_sp
 * (to->sp, read by the caller: the switch then never waits on that load). The uprobe of the
 * counting pass sits here.
 */
void swc_coro_switch(struct swc_coro *from, void *to_sp);

/* Reference copies for the rows beside the coroutine (coro_$(ARCH).S says what each shows): */
/* the same switch ending in ret, which the return-stack predictor misses (coroutine-ret) */
void swc_coro_switch_ret(struct swc_coro *from, void *to_sp);
/* the whole switch without the stack change: it resumes its own caller (coroutine-floor) */
void swc_coro_floor(struct swc_coro *from, void *to_sp);

/* Prepares co to run fn(arg) on the stack [stack, stack + size) at its first switch-in. */
void swc_coro_init(struct swc_coro *co, void *stack, size_t size, void (*fn)(void *), void *arg);

#endif
