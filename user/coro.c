/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swc_coro_init(): builds on a fresh stack the frame that swc_coro_switch() (coro_$(ARCH).S)
 * leaves on a suspended one, so that the first switch into the coroutine resumes at
 * swc_coro_entry, which calls fn(arg). Switching in costs no extra call of swc_coro_switch.
 */
#include <stdint.h>
#include <string.h>

#include "coro.h"

/* In coro_$(ARCH).S: not a C function, it is only ever entered by the switch's resume. */
extern const char swc_coro_entry[];

void swc_coro_init(struct swc_coro *co, void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp;

#if defined(__x86_64__)
	/*
	 * Popped by the switch: r15 r14 r13 r12 rbx rbp, then the entry address it jumps to.
	 * The entry is reached by that jump, not a call, so rsp must be 16-byte aligned there:
	 * swc_coro_entry's call then leaves fn with rsp + 8 aligned, as a normal call would.
	 * The 16 bytes above are left as a zeroed, never returned to, outermost frame.
	 */
	sp = (uint64_t *)(top - 16);
	sp[0] = 0;
	sp[1] = 0;
	*--sp = (uint64_t)(uintptr_t)swc_coro_entry;
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (uint64_t)(uintptr_t)fn;	/* r12 */
	*--sp = (uint64_t)(uintptr_t)arg;	/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
#elif defined(__aarch64__)
	/*
	 * One 160-byte frame at the aligned top: x19..x30 then d8..d15. sp stays 16-byte
	 * aligned after the switch adds the frame back, which AAPCS64 requires at all times.
	 */
	sp = (uint64_t *)(top - 160);
	memset(sp, 0, 160);
	sp[0] = (uint64_t)(uintptr_t)fn;		/* x19 */
	sp[1] = (uint64_t)(uintptr_t)arg;		/* x20 */
	sp[11] = (uint64_t)(uintptr_t)swc_coro_entry;	/* x30: where the switch resumes */
#else
#error "swc_coro_init: unsupported architecture (x86_64 and aarch64 only)"
#endif
	co->sp = sp;
}
