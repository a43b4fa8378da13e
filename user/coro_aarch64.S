/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swc_coro_switch() for AArch64 (AAPCS64).
 *
 * Only the callee-saved registers are switched: x19-x28, the frame pointer x29, the link
 * register x30 (our return address), the low halves d8-d15 of v8-v15, and sp. Like other
 * minimal switchers this does not save FPCR/FPSR: our coroutines never change them.
 *
 * Frame left on a suspended stack (struct swc_coro.sp points at its base, 160 bytes, 16-byte
 * aligned):
 *	+0 x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 x29 x30 d8 d9 d10 d11 d12 d13 d14 d15
 * swc_coro_init() in coro.c builds the same frame by hand, with swc_coro_entry in the x30 slot
 * and fn, arg in the x19, x20 slots.
 *
 * A uprobe is attached to swc_coro_switch by name: it must stay a real global function, and
 * each call must be exactly one switch.
 */

#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define SWC_BTI_C	hint	#34		/* bti c */
#else
#define SWC_BTI_C
#endif

#define SWC_FRAME	160

	.text

/* void swc_coro_switch(struct swc_coro *from, struct swc_coro *to) */
	.globl	swc_coro_switch
	.type	swc_coro_switch, %function
	.p2align 4
swc_coro_switch:
	.cfi_startproc
	SWC_BTI_C
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
	ldr	x9, [x1]		/* to->sp */
	mov	sp, x9
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
	ret
	.cfi_endproc
	.size	swc_coro_switch, . - swc_coro_switch

/*
 * First "return" of a new coroutine lands here (via ret x30), with fn in x19 and arg in x20,
 * and sp 16-byte aligned as AAPCS64 always requires. fn must never return.
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
