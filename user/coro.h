/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal coroutine context switch: callee-saved registers and the stack pointer. */
#ifndef SWC_CORO_H
#define SWC_CORO_H

#include <stddef.h>

struct swc_coro {
	void *sp;	/* saved stack pointer; the registers live on that stack */
};

/* Saves the current context into from and resumes to. The uprobe of the probed pass sits here. */
void swc_coro_switch(struct swc_coro *from, struct swc_coro *to);

/* Prepares co to run fn(arg) on the stack [stack, stack + size) at its first switch-in. */
void swc_coro_init(struct swc_coro *co, void *stack, size_t size, void (*fn)(void *), void *arg);

#endif
