/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swc_coro_switch() for x86-64 (SysV ABI), and two reference copies of it for the benchmark
 * rows beside the coroutine: coroutine-floor and coroutine-ret.
 *
 * Only the callee-saved general registers (rbx, rbp, r12-r15) and rsp are switched: everything
 * else is caller-saved, so the C caller has already spilled what it needs. Like other minimal
 * switchers this does not save the MXCSR or x87 control words: our coroutines never change
 * them, and saving them would add cost the measurement is not about.
 *
 * Frame left on a suspended stack, lowest address first (struct swc_coro.sp points at r15):
 *	r15 r14 r13 r12 rbx rbp <resume address>
 * swc_coro_init() in coro.c builds the same frame by hand, with swc_coro_entry as the resume
 * address and fn, arg in r12, r13.
 *
 * Two choices make the switch cost what a switch costs, not what a mispredict costs:
 * - it ends in pop + indirect jmp, not ret. A ret into the other stack never matches the
 *   return-stack predictor (the call it pairs with was made on that stack, long ago), so each
 *   switch would pay a mispredict; an indirect jmp goes through the branch target predictor,
 *   which learns the ping-pong. coroutine-ret keeps the ret to show that difference.
 * - the next stack pointer arrives in a register (rsi), read by the caller before the call,
 *   so the six pops after the stack change do not wait on a load made inside the switch.
 * The ret left unmatched by the jmp is harmless without CET shadow stacks, which this
 * executable does not enable (as with other jmp-ending switchers).
 *
 * A uprobe is attached to swc_coro_switch by name: it must stay a real global function, and
 * each call must be exactly one switch.
 */

#ifdef __CET__
#define SWC_ENDBR	endbr64
#else
#define SWC_ENDBR
#endif

/* pushes the callee-saved registers, in the frame order above */
.macro SWC_SAVE
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
.endm

/* pops them back; the resume address is then on top */
.macro SWC_RESTORE
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
.endm

	.text

/* void swc_coro_switch(struct swc_coro *from, void *to_sp) */
	.globl	swc_coro_switch
	.type	swc_coro_switch, @function
	.p2align 4
swc_coro_switch:
	.cfi_startproc
	SWC_ENDBR
	SWC_SAVE
	movq	%rsp, (%rdi)		/* from->sp */
	movq	%rsi, %rsp		/* to's frame: same layout, so the CFI stays valid */
	SWC_RESTORE
	popq	%rcx			/* resume address: rcx is caller-saved and free here */
	.cfi_adjust_cfa_offset -8
	.cfi_register %rip, %rcx
	jmp	*%rcx
	.cfi_endproc
	.size	swc_coro_switch, . - swc_coro_switch

/*
 * The same switch ending in ret: the teaching row coroutine-ret, "what a return-stack
 * mispredict costs". Never the coroutine figure.
 */
	.globl	swc_coro_switch_ret
	.hidden	swc_coro_switch_ret
	.type	swc_coro_switch_ret, @function
	.p2align 4
swc_coro_switch_ret:
	.cfi_startproc
	SWC_ENDBR
	SWC_SAVE
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	SWC_RESTORE
	ret
	.cfi_endproc
	.size	swc_coro_switch_ret, . - swc_coro_switch_ret

/*
 * The floor, the row coroutine-floor: every instruction of the switch, but to_sp is ignored
 * and it jumps back to its own caller on its own stack. What is left is saving, storing and
 * restoring the context, with every branch predictable; a switch cannot cost less.
 */
	.globl	swc_coro_floor
	.hidden	swc_coro_floor
	.type	swc_coro_floor, @function
	.p2align 4
swc_coro_floor:
	.cfi_startproc
	SWC_ENDBR
	SWC_SAVE
	movq	%rsp, (%rdi)
	movq	%rsp, %rsi		/* in place of the stack change: rsp stays */
	movq	%rsi, %rsp
	SWC_RESTORE
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	.cfi_register %rip, %rcx
	jmp	*%rcx
	.cfi_endproc
	.size	swc_coro_floor, . - swc_coro_floor

/*
 * First resume of a new coroutine lands here, with fn in r12 and arg in r13. It is entered
 * by the switch's jmp, not by a call, so swc_coro_init() leaves rsp 16-byte aligned here: the
 * call below then gives fn the ABI's entry alignment (rsp + 8 aligned). fn must never return.
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
