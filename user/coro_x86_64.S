/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swc_coro_switch() for x86-64 (SysV ABI).
 *
 * Only the callee-saved general registers (rbx, rbp, r12-r15) and rsp are switched: everything
 * else is caller-saved, so the C caller has already spilled what it needs. Like other minimal
 * switchers this does not save the MXCSR or x87 control words: our coroutines never change
 * them, and saving them would add cost the measurement is not about.
 *
 * Frame left on a suspended stack, lowest address first (struct swc_coro.sp points at r15):
 *	r15 r14 r13 r12 rbx rbp <return address>
 * swc_coro_init() in coro.c builds the same frame by hand, with swc_coro_entry as the return
 * address and fn, arg in r12, r13.
 *
 * A uprobe is attached to swc_coro_switch by name: it must stay a real global function, and
 * each call must be exactly one switch.
 */

#ifdef __CET__
#define SWC_ENDBR	endbr64
#else
#define SWC_ENDBR
#endif

	.text

/* void swc_coro_switch(struct swc_coro *from, struct swc_coro *to) */
	.globl	swc_coro_switch
	.type	swc_coro_switch, @function
	.p2align 4
swc_coro_switch:
	.cfi_startproc
	SWC_ENDBR
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r15, 0
	movq	%rsp, (%rdi)		/* from->sp */
	movq	(%rsi), %rsp		/* to->sp: same frame layout, so the CFI stays valid */
	popq	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r15
	popq	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r14
	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbp
	ret
	.cfi_endproc
	.size	swc_coro_switch, . - swc_coro_switch

/*
 * First "return" of a new coroutine lands here, with fn in r12 and arg in r13. It is entered
 * by ret, not call, so swc_coro_init() leaves rsp 16-byte aligned here: the call below then
 * gives fn the ABI's entry alignment (rsp + 8 aligned). fn must never return.
 */
	.globl	swc_coro_entry
	.hidden	swc_coro_entry
	.type	swc_coro_entry, @function
	.p2align 4
swc_coro_entry:
	.cfi_startproc
	.cfi_undefined %rip		/* outermost frame: unwinders and debuggers stop here */
	SWC_ENDBR
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	call	*%r12
	call	abort
	ud2
	.cfi_endproc
	.size	swc_coro_entry, . - swc_coro_entry

	.section .note.GNU-stack, "", @progbits
