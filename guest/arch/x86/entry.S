/*
 * Exception entry stubs for vectors 0..31. Each stub makes the frame uniform
 * (a zero error code when the CPU pushes none), pushes its vector and jumps
 * to exception_common, which saves the GPRs as struct pt_regs and calls
 * do_exception(regs). If that returns, the frame is unwound and iretq resumes
 * the interrupted code.
 */

#include "asm/irq_vectors.h"
#include "asm/traps.h"

	.text

	.macro EXCEPTION_STUB vec
	.balign 16
exception_stub_\vec:
	.if ((EXCEPTION_ERRCODE_MASK >> \vec) & 1) == 0
	pushq $0			/* no CPU error code: push a dummy */
	.endif
	pushq $\vec
	jmp exception_common
	.endm

	.irp vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
		  16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	EXCEPTION_STUB \vec
	.endr

	/* struct pt_regs below the vector and error code. */
	.macro SAVE_REGS
	cld
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	.endm

	.macro RESTORE_REGS_AND_IRET
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	addq $16, %rsp			/* vector and error code */
	iretq
	.endm

	.balign 16
	.type exception_common, @function
exception_common:
	SAVE_REGS
	/* 22 quadwords on a 16-byte aligned stack: still aligned for the call. */
	movq %rsp, %rdi
	call do_exception
	RESTORE_REGS_AND_IRET
	.size exception_common, . - exception_common

/*
 * External interrupts: one IRQ_STUB_SIZE-byte stub per vector 0x20..0xff,
 * in vector order, so the IDT entry of vector v is
 * irq_entries_start + (v - FIRST_EXTERNAL_VECTOR) * IRQ_STUB_SIZE. Each stub
 * pushes a zero error code and its vector: the frame is a struct pt_regs as
 * for exceptions, and do_IRQ() finds the vector in it.
 */
	.balign IRQ_STUB_SIZE
	.globl irq_entries_start
irq_entries_start:
	vector = FIRST_EXTERNAL_VECTOR
	.rept NR_EXTERNAL_VECTORS
	.balign IRQ_STUB_SIZE
	pushq $0
	pushq $vector
	jmp common_interrupt
	vector = vector + 1
	.endr
	.balign IRQ_STUB_SIZE
	.globl irq_entries_end
irq_entries_end:

	.type common_interrupt, @function
common_interrupt:
	SAVE_REGS
	movq %rsp, %rdi
	call do_IRQ
	RESTORE_REGS_AND_IRET
	.size common_interrupt, . - common_interrupt

/*
 * trigger_exception(kind): loads a distinct, known value into every GPR but
 * RSP, then faults, so the report is the same on every machine and shows
 * whether the entry path saved each register in its slot. RCX is 0 and the
 * flags are those of "xor %ecx, %ecx" unless the fault needs otherwise.
 */
	.macro LOAD_KNOWN_REGS
	movabsq $0x0101010101010101, %rax
	movabsq $0x0202020202020202, %rbx
	movabsq $0x0404040404040404, %rdx
	movabsq $0x0505050505050505, %rsi
	movabsq $0x0606060606060606, %rdi
	movabsq $0x0707070707070707, %rbp
	movabsq $0x0808080808080808, %r8
	movabsq $0x0909090909090909, %r9
	movabsq $0x1010101010101010, %r10
	movabsq $0x1111111111111111, %r11
	movabsq $0x1212121212121212, %r12
	movabsq $0x1313131313131313, %r13
	movabsq $0x1414141414141414, %r14
	movabsq $0x1515151515151515, %r15
	xorl %ecx, %ecx
	.endm

	.globl trigger_exception
	.type trigger_exception, @function
trigger_exception:
	cmpl $TRIGGER_INVALID_OPCODE, %edi
	je .Linvalid_opcode
	cmpl $TRIGGER_GENERAL_PROTECTION, %edi
	je .Lgeneral_protection
	cmpl $TRIGGER_PAGE_FAULT, %edi
	je .Lpage_fault
	cmpl $TRIGGER_TRIPLE_FAULT, %edi
	je .Ltriple_fault

	/* #DE: RDX:RAX / 0 */
	LOAD_KNOWN_REGS
	divq %rcx
	ud2

.Linvalid_opcode:
	LOAD_KNOWN_REGS
	ud2

	/* #GP(0): RAX is not a canonical address. */
.Lgeneral_protection:
	LOAD_KNOWN_REGS
	movq (%rax), %rcx
	ud2

	/* #PF, error code 0 (read, not present): nothing is mapped at 4 GiB. */
.Lpage_fault:
	LOAD_KNOWN_REGS
	movabsq $0x100000000, %rcx
	movq (%rcx), %rcx
	ud2

	/*
	 * Triple fault: with an empty IDT the #UD cannot be delivered (#GP),
	 * nor can the #DF that follows, and the machine shuts down.
	 */
.Ltriple_fault:
	LOAD_KNOWN_REGS
	pushq $0
	pushq $0
	lidt 6(%rsp)
	ud2
	.size trigger_exception, . - trigger_exception

	.section .rodata
	.balign 8
	.globl exception_stub_table
exception_stub_table:
	.irp vec, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
		  16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.quad exception_stub_\vec
	.endr

	.section .note.GNU-stack, "", @progbits
