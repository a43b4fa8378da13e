/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swc_coro_switch() for AArch64 (AAPCS64), and two reference copies of it for the benchmark
 * rows beside the coroutine: coroutine-floor and coroutine-ret.
 *
 * Only the callee-saved registers are switched: x19-x28, the frame pointer x29, the link
 * register x30 (our resume address), the low halves d8-d15 of v8-v15, and sp. Like other
 * minimal switchers this does not save FPCR/FPSR: our coroutines never change them.
 *
 * Frame left on a suspended stack (struct swc_coro.sp points at its base, 160 bytes, 16-byte
 * aligned):
 *	+0 x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 x29 x30 d8 d9 d10 d11 d12 d13 d14 d15
 * swc_coro_init() in coro.c builds the same frame by hand, with swc_coro_entry in the x30 slot
 * and fn, arg in the x19, x20 slots.
 *
 * The same two choices as on x86-64 (coro_x86_64.S says why): the next stack pointer arrives
 * in a register (x1), and the switch ends in an indirect branch (br), not in ret, which would
 * consult the return-stack predictor and miss on every switch. With BTI enforced, br may only
 * land on a landing pad, which the instructions after a bl are not: there it keeps ret.
 *
 * A uprobe is attached to swc_coro_switch by name: it must stay a real global function, and
 * each call must be exactly one switch.
 */

#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define SWC_BTI_C	hint	#34		/* bti c */
#define SWC_RESUME	ret	x30
#else
#define SWC_BTI_C
#define SWC_RESUME	br	x30
#endif

#define SWC_FRAME	160

.macro SWC_SAVE
	sub	sp, sp, #SWC_FRAME
	.cfi_adjust_cfa_offset SWC_FRAME
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x9, sp
	str	x9, [x0]		/* from->sp */
.endm

.macro SWC_RESTORE
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #SWC_FRAME
	.cfi_adjust_cfa_offset -SWC_FRAME
.endm

	.text

/* void swc_coro_switch(struct swc_coro *from, void *to_sp) */
	.globl	swc_coro_switch
	.type	swc_coro_switch, %function
	.p2align 4
swc_coro_switch:
	.cfi_startproc
	SWC_BTI_C
	SWC_SAVE
	mov	sp, x1			/* to's frame: same layout, so the CFI stays valid */
	SWC_RESTORE
	SWC_RESUME
	.cfi_endproc
	.size	swc_coro_switch, . - swc_coro_switch

/* The same switch ending in ret: the teaching row coroutine-ret. */
	.globl	swc_coro_switch_ret
	.hidden	swc_coro_switch_ret
	.type	swc_coro_switch_ret, %function
	.p2align 4
swc_coro_switch_ret:
	.cfi_startproc
	SWC_BTI_C
	SWC_SAVE
	mov	sp, x1
	SWC_RESTORE
	ret
	.cfi_endproc
	.size	swc_coro_switch_ret, . - swc_coro_switch_ret

/* The floor, coroutine-floor: the whole switch, but sp stays, so it returns to its caller. */
	.globl	swc_coro_floor
	.hidden	swc_coro_floor
	.type	swc_coro_floor, %function
	.p2align 4
swc_coro_floor:
	.cfi_startproc
	SWC_BTI_C
	SWC_SAVE
	mov	x1, sp			/* in place of the stack change: sp stays */
	mov	sp, x1
	SWC_RESTORE
	SWC_RESUME
	.cfi_endproc
	.size	swc_coro_floor, . - swc_coro_floor

/*
 * First resume of a new coroutine lands here (via x30), with fn in x19 and arg in x20, and sp
 * 16-byte aligned as AAPCS64 always requires. fn must never return.
 */
	.globl	swc_coro_entry
	.hidden	swc_coro_entry
	.type	swc_coro_entry, %function
	.p2align 4
swc_coro_entry:
	.cfi_startproc
	.cfi_undefined x30		/* outermost frame: unwinders and debuggers stop here */
	mov	x29, xzr
	mov	x0, x20
	blr	x19
	bl	abort
	brk	#0
	.cfi_endproc
	.size	swc_coro_entry, . - swc_coro_entry

	.section .note.GNU-stack, "", %progbits
